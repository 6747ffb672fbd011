/*
 * date.c - times as smkit writes them (RFC 3339, UTC) and reads them from feeds:
 * RFC 822/1123/2822, RFC 3339/ISO 8601/W3C-DTF, asctime and the usual broken forms.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smkit.h"

/* the parts of a date as read, before they become a time_t */
struct parts {
	int year, mon, day, hour, min, sec;
	long off; /* seconds east of UTC */
};

/* v as n decimal digits at p (v is not negative) */
static void put_digits(char *p, int v, int n)
{
	while (n--) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

char *sm_time_format(time_t t, char out[SM_TIME_LEN])
{
	struct tm tm;

	/* keep the year to four digits so the result always fits */
	if (t < -62167219200LL)
		t = -62167219200LL; /* 0000-01-01T00:00:00Z */
	if (t > 253402300799LL)
		t = 253402300799LL; /* 9999-12-31T23:59:59Z */
	if (!gmtime_r(&t, &tm)) {
		strcpy(out, "1970-01-01T00:00:00Z");
		return out;
	}
	memcpy(out, "0000-00-00T00:00:00Z", SM_TIME_LEN);
	put_digits(out, tm.tm_year + 1900, 4);
	put_digits(out + 5, tm.tm_mon + 1, 2);
	put_digits(out + 8, tm.tm_mday, 2);
	put_digits(out + 11, tm.tm_hour, 2);
	put_digits(out + 14, tm.tm_min, 2);
	put_digits(out + 17, tm.tm_sec, 2);
	return out;
}

time_t sm_now(void)
{
	const char *s = getenv("SM_NOW");
	time_t t;

	if (s && *s && sm_date_parse(s, &t) == 0)
		return t;
	return time(NULL);
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Check the ranges and turn the parts into a time_t; leap seconds count as :59. */
static int finish(struct parts *p, time_t *t)
{
	struct tm tm = {0};

	if (p->year < 0 || p->year > 9999 || p->mon < 1 || p->mon > 12 || p->day < 1 ||
	    p->day > days_in(p->year, p->mon))
		return -1;
	if (p->hour == 24 && p->min == 0 && p->sec == 0) {
		p->hour = 23, p->min = 59, p->sec = 59; /* 24:00 ends the day */
	}
	if (p->hour < 0 || p->hour > 23 || p->min < 0 || p->min > 59 || p->sec < 0 || p->sec > 60)
		return -1;
	if (p->sec == 60)
		p->sec = 59;
	if (p->off < -18 * 3600 || p->off > 18 * 3600)
		return -1;
	tm.tm_year = p->year - 1900;
	tm.tm_mon = p->mon - 1;
	tm.tm_mday = p->day;
	tm.tm_hour = p->hour;
	tm.tm_min = p->min;
	tm.tm_sec = p->sec;
	*t = timegm(&tm) - p->off;
	return 0;
}

/* Read exactly n digits; -1 if they are not there. */
static int digits(const char **sp, int n)
{
	const char *s = *sp;
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*sp = s + n;
	return v;
}

static const char *skip_space(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* Zone names as feeds write them; military letters follow RFC 822 (A is -1, N is +1). */
static int zone_name(const char *w, long *off)
{
	static const struct {
		const char *name;
		int min;
	} zones[] = {
		{"ut", 0}, {"utc", 0}, {"gmt", 0}, {"z", 0}, {"wet", 0}, {"west", 60},
		{"bst", 60}, {"cet", 60}, {"cest", 120}, {"met", 60}, {"mest", 120},
		{"eet", 120}, {"eest", 180}, {"msk", 180}, {"ist", 330}, {"jst", 540},
		{"kst", 540}, {"hkt", 480}, {"awst", 480}, {"acst", 570}, {"aest", 600},
		{"aedt", 660}, {"nzst", 720}, {"nzdt", 780}, {"ast", -240}, {"adt", -180},
		{"est", -300}, {"edt", -240}, {"cst", -360}, {"cdt", -300}, {"mst", -420},
		{"mdt", -360}, {"pst", -480}, {"pdt", -420}, {"akst", -540}, {"akdt", -480},
		{"hst", -600}, {"et", -300}, {"ct", -360}, {"mt", -420}, {"pt", -480},
	};
	char c = (char)tolower((unsigned char)w[0]);

	if (c && !w[1] && c != 'j' && c != 'z') {
		if (c >= 'a' && c <= 'i')
			*off = -(c - 'a' + 1) * 3600L;
		else if (c >= 'k' && c <= 'm')
			*off = -(c - 'k' + 10) * 3600L;
		else
			*off = (c - 'n' + 1) * 3600L;
		return 0;
	}
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
		if (!strcasecmp(w, zones[i].name)) {
			*off = zones[i].min * 60L;
			return 0;
		}
	return -1;
}

/* A numeric offset after its sign: hh, hhmm or hh:mm. */
static int zone_offset(const char **sp, long *off)
{
	const char *s = *sp;
	int sign = *s == '-' ? -1 : 1, h, m = 0;

	s++;
	if (isdigit((unsigned char)s[0]) && !isdigit((unsigned char)s[1])) {
		h = s[0] - '0'; /* "+1" as some feeds write it */
		s++;
	} else if ((h = digits(&s, 2)) < 0) {
		return -1;
	}
	if (*s == ':')
		s++;
	if (isdigit((unsigned char)*s) && (m = digits(&s, 2)) < 0)
		return -1;
	if (h > 18 || m > 59)
		return -1;
	*off = sign * (h * 3600L + m * 60L);
	*sp = s;
	return 0;
}

/* hh[:mm[:ss[.frac]]] or hhmm[ss]; the hour is already read as h. */
static int clock_time(const char **sp, struct parts *p, int colon)
{
	const char *s = *sp;

	if (colon ? *s != ':' : !isdigit((unsigned char)*s)) {
		p->min = 0; /* the hour alone: "T10" */
		return 0;
	}
	s += colon;
	if ((p->min = digits(&s, 2)) < 0)
		return -1;
	if (colon ? *s == ':' : isdigit((unsigned char)*s)) {
		s += colon;
		if ((p->sec = digits(&s, 2)) < 0)
			return -1;
	}
	if ((*s == '.' || *s == ',') && isdigit((unsigned char)s[1]))
		for (s++; isdigit((unsigned char)*s); s++)
			;
	*sp = s;
	return 0;
}

/* An optional zone at s: Z, an offset, or a name (possibly with an offset: GMT+1). */
static int iso_zone(const char *s, struct parts *p)
{
	char w[8];
	size_t n = 0;

	s = skip_space(s);
	if (*s == '+' || *s == '-') {
		if (zone_offset(&s, &p->off) < 0)
			return -1;
	} else if (isalpha((unsigned char)*s)) {
		while (isalpha((unsigned char)*s) && n < sizeof w - 1)
			w[n++] = *s++;
		w[n] = '\0';
		if (isalpha((unsigned char)*s) || zone_name(w, &p->off) < 0)
			return -1;
		if ((*s == '+' || *s == '-') && zone_offset(&s, &p->off) < 0)
			return -1;
	}
	s = skip_space(s);
	return *s ? -1 : 0;
}

/* RFC 3339, ISO 8601 and W3C-DTF: 2003, 2003-12, 2003-12-31, 20031231, then a time. */
static int parse_iso(const char *s, time_t *t)
{
	struct parts p = {.mon = 1, .day = 1};
	int sep;

	if ((p.year = digits(&s, 4)) < 0)
		return -1;
	sep = *s == '-' || *s == '/' ? *s : 0;
	if (sep) {
		s++;
		if ((p.mon = digits(&s, 2)) < 0)
			return -1;
		if (*s == sep) {
			s++;
			if ((p.day = digits(&s, 2)) < 0)
				return -1;
		}
	} else if (isdigit((unsigned char)*s)) {
		if ((p.mon = digits(&s, 2)) < 0 || (p.day = digits(&s, 2)) < 0)
			return -1;
	}
	if ((*s == 'T' || *s == 't' || *s == ' ') && isdigit((unsigned char)s[1])) {
		s++;
		if ((p.hour = digits(&s, 2)) < 0 || clock_time(&s, &p, sep || *s == ':') < 0)
			return -1;
	}
	if (iso_zone(s, &p) < 0)
		return -1;
	return finish(&p, t);
}

/* 1..12 if w names a month ("Jan", "january", "Sept"), else 0 */
static int month_name(const char *w)
{
	static const char *const months[] = {"january", "february", "march", "april", "may",
					     "june", "july", "august", "september", "october",
					     "november", "december"};
	size_t n = strlen(w);

	for (int i = 0; n >= 3 && i < 12; i++)
		if (n <= strlen(months[i]) && !strncasecmp(w, months[i], n))
			return i + 1;
	return 0;
}

static int weekday_name(const char *w)
{
	static const char *const days[] = {"sunday",   "monday", "tuesday", "wednesday",
					   "thursday", "friday", "saturday"};
	size_t n = strlen(w);

	for (int i = 0; n >= 3 && i < 7; i++)
		if (n <= strlen(days[i]) && !strncasecmp(w, days[i], n))
			return 1;
	return 0;
}

/* what the word scanner has seen so far */
struct words {
	struct parts p;
	int nums[4], ndig[4], nnum;
	int have_time, have_zone, ampm; /* ampm: 0 none, 1 am, 2 pm */
};

/* One alphabetic word of an RFC 822-like date. */
static int take_word(struct words *w, const char **sp)
{
	char word[16];
	size_t n = 0;
	const char *s = *sp;

	while (isalpha((unsigned char)*s)) {
		if (n < sizeof word - 1)
			word[n++] = *s;
		s++;
	}
	word[n] = '\0';
	*sp = s;
	if (!w->p.mon && (w->p.mon = month_name(word)))
		return 0;
	if (!w->p.mon && weekday_name(word))
		return 0;
	if (!strcasecmp(word, "am") || !strcasecmp(word, "pm")) {
		w->ampm = tolower((unsigned char)word[0]) == 'a' ? 1 : 2;
		return 0;
	}
	if (!w->have_time && weekday_name(word))
		return 0;
	if (w->have_time && !w->have_zone) {
		w->have_zone = 1;
		if (zone_name(word, &w->p.off) == 0) {
			if ((*s == '+' || *s == '-') && zone_offset(sp, &w->p.off) < 0)
				return -1;
		} /* an unknown zone name is read as UTC */
		return 0;
	}
	return -1;
}

/* A number: a time if a colon follows, else a day or a year for later. */
static int take_number(struct words *w, const char **sp)
{
	const char *s = *sp, *start = s;
	int v = 0;

	while (isdigit((unsigned char)*s) && s - start < 5)
		v = v * 10 + (*s++ - '0');
	if (isdigit((unsigned char)*s))
		return -1;
	if (*s == ':' && !w->have_time && s - start <= 2) {
		w->have_time = 1;
		w->p.hour = v;
		*sp = s;
		return clock_time(sp, &w->p, 1);
	}
	if (w->nnum == 4)
		return -1;
	w->nums[w->nnum] = v;
	w->ndig[w->nnum++] = (int)(s - start);
	*sp = s;
	return 0;
}

/* The numbers seen become day and year: a long or large one is the year. */
static int day_and_year(struct words *w)
{
	int day = -1, year = -1, ydig = 0;

	for (int i = 0; i < w->nnum; i++) {
		if ((w->ndig[i] >= 3 || w->nums[i] > 31) && year < 0)
			year = w->nums[i], ydig = w->ndig[i];
		else if (day < 0 && w->ndig[i] <= 2)
			day = w->nums[i];
		else if (year < 0)
			year = w->nums[i], ydig = w->ndig[i];
		else
			return -1;
	}
	if (day < 0 || year < 0)
		return -1;
	if (ydig <= 2)
		year += year < 50 ? 2000 : 1900;
	else if (ydig == 3)
		year += 1900;
	w->p.day = day;
	w->p.year = year;
	return 0;
}

/* RFC 822/1123/2822, asctime and their relatives, read word by word. */
static int parse_words(const char *s, time_t *t)
{
	struct words w = {0};

	for (;;) {
		while (isspace((unsigned char)*s) || *s == ',' || *s == '.' || *s == '/' ||
		       (*s == '-' && !w.have_time))
			s++;
		if (!*s)
			break;
		if (*s == '(') { /* a comment: "+0000 (UTC)" */
			while (*s && *s != ')')
				s++;
			s += !!*s;
		} else if (isalpha((unsigned char)*s)) {
			if (take_word(&w, &s) < 0)
				return -1;
		} else if (isdigit((unsigned char)*s)) {
			if (take_number(&w, &s) < 0)
				return -1;
		} else if ((*s == '+' || *s == '-') && w.have_time && !w.have_zone) {
			w.have_zone = 1;
			if (zone_offset(&s, &w.p.off) < 0)
				return -1;
		} else {
			return -1;
		}
	}
	if (!w.p.mon || day_and_year(&w) < 0)
		return -1;
	if (w.ampm && (w.p.hour < 1 || w.p.hour > 12))
		return -1;
	if (w.ampm == 2 && w.p.hour < 12)
		w.p.hour += 12;
	else if (w.ampm == 1 && w.p.hour == 12)
		w.p.hour = 0;
	return finish(&w.p, t);
}

int sm_date_parse(const char *s, time_t *t)
{
	if (!s)
		return -1;
	s = skip_space(s);
	if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) &&
	    parse_iso(s, t) == 0)
		return 0;
	return parse_words(s, t);
}

/*
 * A time as a user gives it on the command line (--since, --until): a relative span back
 * from now ("7d", "24h", "30m", "2w"), or any date sm_date_parse reads ("2026-11-01").
 */
int sm_time_arg(const char *s, time_t now, time_t *t)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (end != s && n >= 0 && end[0] && !end[1]) {
		static const struct { char unit; long secs; } units[] = {
			{'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800},
		};
		for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
			if (end[0] == units[i].unit) {
				*t = now - (time_t)n * units[i].secs;
				return 0;
			}
	}
	if (sm_date_parse(s, t) == 0)
		return 0;
	return sm_error("'%s' is not a time (2026-11-01, 2026-11-01T08:00:00Z, 7d, 24h)", s);
}
