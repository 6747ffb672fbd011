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
};

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

/* Walk the working spans from `from` on; for each [a, b) call fn; stop when it says so. */
static void walk(const sm_hours *h, time_t from, int (*fn)(time_t a, time_t b, void *ctx), void *ctx)
{
	struct tm day;
	localtime_r(&from, &day);
	day.tm_hour = day.tm_min = day.tm_sec = 0;
	for (int n = 0; n < MAX_DAYS; n++, day.tm_mday++) {
		struct tm d = day;
		d.tm_isdst = -1;
		mktime(&d); /* normalise: the next day, across month ends */
		if (!working_day(h, &d))
			continue;
		int nspans = h->always ? 1 : h->nspans;
		for (int k = 0; k < nspans; k++) {
			time_t a = at_minutes(&d, h->always ? 0 : h->span[k][0]);
			time_t b = at_minutes(&d, h->always ? 1440 : h->span[k][1]);
			if (b <= from)
				continue;
			if (fn(a > from ? a : from, b, ctx))
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
