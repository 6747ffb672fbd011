/*
 * hours.c - business hours: "Mon-Fri 08:00-18:00 Europe/Berlin" with holidays, and the
 * arithmetic of response targets in them (a due time that skips nights, weekends and
 * holidays; the business time between two instants), correct across DST changes because
 * every local time is turned into an instant by the time zone's own rules.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "smkit.h"

enum { MAX_SPANS = 8, MAX_DAYS = 3700 /* the longest a target may reach: ten years */ };

struct sm_hours {
	unsigned days;                       /* bit 0 Sunday .. bit 6 Saturday */
	int span[MAX_SPANS][2];              /* minutes after local midnight, [start, end) */
	int nspans;
	char *zone;                          /* NULL for UTC */
	char (*holiday)[11];                 /* YYYY-MM-DD, local dates */
	size_t nholidays;
	int always;                          /* 24/7 */
	unsigned long gen;                   /* changes with the hours: the day cache's key */
};

/* A number for each state of each sm_hours, so a cached day is never another's. */
static unsigned long next_gen(void)
{
	static _Atomic unsigned long gen;
	return ++gen;
}

static const char *const day_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static int day_of(const char *s)
{
	for (int i = 0; i < 7; i++)
		if (strncasecmp(s, day_names[i], 3) == 0)
			return i;
	return -1;
}

/* "Mon-Fri", "Sat", "Mon-Fri,Sun": the day set. */
static int parse_days(const char *s, unsigned *days)
{
	*days = 0;
	while (*s) {
		int a = day_of(s), b = a;
		if (a < 0)
			return -1;
		s += 3;
		if (*s == '-') {
			if ((b = day_of(s + 1)) < 0)
				return -1;
			s += 4;
		}
		for (int d = a;; d = (d + 1) % 7) {
			*days |= 1u << d;
			if (d == b)
				break;
		}
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return 0;
}

static int minutes(const char *s, const char **end)
{
	char *e;
	long h = strtol(s, &e, 10);
	if (e == s || *e != ':' || h < 0 || h > 24)
		return -1;
	const char *m = e + 1;
	long mi = strtol(m, &e, 10);
	if (e != m + 2 || mi < 0 || mi > 59 || (h == 24 && mi))
		return -1;
	*end = e;
	return (int)(h * 60 + mi);
}

/* "08:00-12:00,13:00-17:00" */
static int parse_spans(sm_hours *h, const char *s)
{
	while (*s) {
		const char *e;
		int a = minutes(s, &e), b;
		if (a < 0 || *e != '-' || (b = minutes(e + 1, &e)) < 0 || b <= a || h->nspans == MAX_SPANS)
			return -1;
		h->span[h->nspans][0] = a;
		h->span[h->nspans++][1] = b;
		if (*e == ',')
			e++;
		else if (*e)
			return -1;
		s = e;
	}
	return h->nspans ? 0 : -1;
}

int sm_hours_parse(const char *spec, sm_hours **out)
{
	sm_hours *h = sm_calloc(1, sizeof *h);
	char *copy = sm_strdup(spec), *save = NULL;
	char *days = strtok_r(copy, " \t", &save), *spans = strtok_r(NULL, " \t", &save);
	char *zone = strtok_r(NULL, " \t", &save), *extra = strtok_r(NULL, " \t", &save);
	int rc = 0;

	*out = NULL;
	if (days && !strcmp(days, "24/7")) {
		h->always = 1;
		h->days = 0x7f;
		zone = spans;
		extra = zone ? strtok_r(NULL, " \t", &save) : NULL;
	} else if (!days || !spans || parse_days(days, &h->days) < 0 || parse_spans(h, spans) < 0)
		rc = -1;
	if (rc == 0 && extra)
		rc = -1;
	if (rc == 0 && zone && strcmp(zone, "UTC")) {
		rc = sm_tz_check(zone);
		h->zone = sm_strdup(zone);
	}
	free(copy);
	if (rc < 0) {
		if (!strstr(sm_errmsg(), "time zone"))
			sm_error("'%s' is not business hours like 'Mon-Fri 08:00-18:00 Europe/Berlin' "
				 "or '24/7 UTC'", spec);
		sm_hours_free(h);
		return -1;
	}
	h->gen = next_gen();
	*out = h;
	return 0;
}

int sm_hours_holiday(sm_hours *h, const char *date)
{
	time_t t;
	if (strlen(date) != 10 || sm_date_parse(date, &t) < 0)
		return sm_error("'%s' is not a date like 2026-12-24", date);
	h->holiday = sm_realloc(h->holiday, (h->nholidays + 1) * sizeof *h->holiday);
	memcpy(h->holiday[h->nholidays++], date, 11);
	h->gen = next_gen();
	return 0;
}

void sm_hours_free(sm_hours *h)
{
	if (!h)
		return;
	free(h->zone);
	free(h->holiday);
	free(h);
}

int sm_tz_check(const char *zone)
{
	if (!zone || !strcmp(zone, "UTC"))
		return 0;
	char *path = sm_asprintf("/usr/share/zoneinfo/%s", zone);
	int ok = zone[0] && zone[0] != '/' && !strstr(zone, "..") && access(path, R_OK) == 0;
	free(path);
	return ok ? 0 : sm_error("unknown time zone '%s'", zone);
}

/*
 * Local time conversions in a zone. TZ is switched only when the zone changes, and left
 * so: glibc reads the zone file again on every switch, and nothing else in smkit uses
 * local time (every other time is UTC, through gmtime and timegm).
 */
void sm_tz_use(const char *zone)
{
	static _Thread_local char current[128];
	if (!zone)
		zone = "UTC";
	if (strcmp(current, zone)) {
		setenv("TZ", zone, 1);
		tzset();
		snprintf(current, sizeof current, "%s", zone);
	}
}

typedef struct {
	int unused;
} tzsave;

static void tz_enter(const sm_hours *h, tzsave *sv)
{
	(void)sv;
	sm_tz_use(h->zone);
}

static void tz_leave(tzsave *sv) { (void)sv; }

/* The instant of local day d (a struct tm at midnight) plus min minutes. */
static time_t at_minutes(const struct tm *day, int min)
{
	struct tm t = *day;
	t.tm_hour = min / 60;
	t.tm_min = min % 60;
	t.tm_sec = 0;
	t.tm_isdst = -1; /* the zone says whether DST applies then */
	return mktime(&t);
}

static int working_day(const sm_hours *h, const struct tm *day)
{
	char date[16];
	if (!(h->days & (1u << day->tm_wday)))
		return 0;
	strftime(date, sizeof date, "%Y-%m-%d", day);
	for (size_t i = 0; i < h->nholidays; i++)
		if (!strcmp(h->holiday[i], date))
			return 0;
	return 1;
}

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian, no time zone). */
static long days_from_civil(long y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static void civil_from_days(long z, struct tm *t)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	memset(t, 0, sizeof *t);
	t->tm_year = (int)(yoe + era * 400 + (m <= 2)) - 1900;
	t->tm_mon = m - 1;
	t->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
}

/* One local day's working spans as instants. A walk looks at several days a due time and
   each costs three mktime calls: sm-assign sets two due times a case, so the days are kept
   (by the hours' state and the day's number, which no other sm_hours shares). */
typedef struct {
	unsigned long gen;
	long day;
	int n;
	time_t a[MAX_SPANS], b[MAX_SPANS];
} day_spans;

static const day_spans *spans_of(const sm_hours *h, long day)
{
	static _Thread_local day_spans cache[128];
	day_spans *c = &cache[(unsigned long)day % 128];
	if (c->gen == h->gen && c->day == day)
		return c;
	struct tm d;
	civil_from_days(day, &d);
	d.tm_wday = (int)(((day + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
	c->gen = h->gen;
	c->day = day;
	c->n = 0;
	if (working_day(h, &d))
		for (int k = 0; k < (h->always ? 1 : h->nspans); k++, c->n++) {
			c->a[k] = at_minutes(&d, h->always ? 0 : h->span[k][0]);
			c->b[k] = at_minutes(&d, h->always ? 1440 : h->span[k][1]);
		}
	return c;
}

/* Walk the working spans from `from` on; for each [a, b) call fn; stop when it says so. */
static void walk(const sm_hours *h, time_t from, int (*fn)(time_t a, time_t b, void *ctx), void *ctx)
{
	struct tm t;
	localtime_r(&from, &t);
	long day = days_from_civil(t.tm_year + 1900L, t.tm_mon + 1, t.tm_mday);
	for (int n = 0; n < MAX_DAYS; n++, day++) {
		const day_spans *d = spans_of(h, day);
		for (int k = 0; k < d->n; k++) {
			if (d->b[k] <= from)
				continue;
			if (fn(d->a[k] > from ? d->a[k] : from, d->b[k], ctx))
				return;
		}
	}
}

typedef struct {
	double left;
	time_t due;
} adding;

static int add_span(time_t a, time_t b, void *ctx)
{
	adding *x = ctx;
	if ((double)(b - a) >= x->left) {
		x->due = a + (time_t)(x->left + 0.5);
		return 1;
	}
	x->left -= (double)(b - a);
	return 0;
}

time_t sm_hours_add(const sm_hours *h, time_t from, double seconds)
{
	tzsave sv;
	adding x = {seconds, (time_t)-1};
	tz_enter(h, &sv);
	if (x.left < 0) /* nothing to add: the next moment the hours are open */
		x.left = 0;
	walk(h, from, add_span, &x);
	tz_leave(&sv);
	return x.due;
}

typedef struct {
	time_t until;
	double sum;
} summing;

static int sum_span(time_t a, time_t b, void *ctx)
{
	summing *x = ctx;
	if (a >= x->until)
		return 1;
	x->sum += (double)((b < x->until ? b : x->until) - a);
	return b >= x->until;
}

double sm_hours_between(const sm_hours *h, time_t a, time_t b)
{
	tzsave sv;
	summing x = {b, 0};
	if (b <= a)
		return 0;
	tz_enter(h, &sv);
	walk(h, a, sum_span, &x);
	tz_leave(&sv);
	return x.sum;
}
