/*
 * plan_when.c - when an entry falls due: its local time (At) made an instant by its zone's
 * own rules, and a repeating entry's occurrences at the same wall-clock time on each day the
 * rule names, so that 09:00 in Berlin stays 09:00 across a change to or from summer time.
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"

/* Days since 1970-01-01 of a civil date, and back (UTC arithmetic, no zone involved). */
static long day_number(int y, int m, int d)
{
	struct tm t = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
	time_t s = timegm(&t);
	return (long)(s / 86400);
}

static void civil(long day, struct tm *out)
{
	time_t s = (time_t)day * 86400 + 43200;
	gmtime_r(&s, out);
}

static long day_of(time_t t) { return (long)(t >= 0 ? t / 86400 : (t - 86399) / 86400); }

time_t sm_plan_instant(const sm_plan_time *t)
{
	struct tm tm = {.tm_year = t->year - 1900, .tm_mon = t->month - 1, .tm_mday = t->day,
			.tm_hour = t->hour, .tm_min = t->min, .tm_isdst = -1};
	if (!t->zone || !*t->zone)
		return timegm(&tm) - t->offset;
	sm_tz_use(t->zone); /* the zone says whether summer time applies that day */
	return mktime(&tm);
}

time_t sm_plan_until(const sm_plan_entry *e)
{
	if (!e->until.year)
		return (time_t)-1;
	sm_plan_time u = e->until;
	if (!u.has_time)
		u.hour = 23, u.min = 59;
	if ((!u.has_time && !u.zone) || (u.zone && !*u.zone)) { /* At's zone */
		u.zone = e->at.zone;
		u.offset = e->at.offset;
	}
	return sm_plan_instant(&u);
}

/* Whether the rule names day d (the entry starts on day start). */
static int on_day(const sm_plan_entry *e, long start, long d)
{
	const sm_plan_repeat *r = &e->repeat;
	struct tm a, b;
	if (d == start)
		return 1; /* At is always the first */
	switch (r->freq) {
	case SM_PLAN_DAILY: return (d - start) % r->interval == 0;
	case SM_PLAN_WEEKLY: {
		long wd = ((d % 7) + 11) % 7; /* 1970-01-01 was a Thursday (4) */
		long weeks = (d + 3) / 7 - (start + 3) / 7; /* weeks begin on Monday */
		if (weeks % r->interval)
			return 0;
		return r->days ? (r->days >> wd) & 1 : wd == ((start % 7) + 11) % 7;
	}
	case SM_PLAN_MONTHLY:
		civil(start, &a);
		civil(d, &b);
		if (((b.tm_year - a.tm_year) * 12 + b.tm_mon - a.tm_mon) % r->interval)
			return 0;
		return r->days ? (r->days >> b.tm_mday) & 1 : b.tm_mday == a.tm_mday;
	default: return 0;
	}
}

int sm_plan_occurrences(const sm_plan_entry *e, time_t from, time_t to, size_t max, time_t **out,
			size_t *n)
{
	*out = NULL;
	*n = 0;
	time_t first = sm_plan_instant(&e->at), until = sm_plan_until(e);
	if (!e->repeat.freq) {
		if (first >= from && first < to && max) {
			*out = sm_malloc(sizeof **out);
			(*out)[(*n)++] = first;
		}
		return 0;
	}
	long start = day_number(e->at.year, e->at.month, e->at.day);
	long d = day_of(from) - 2, last = day_of(to) + 2; /* no zone is more than a day off UTC */
	if (d < start)
		d = start;
	for (; d <= last && *n < max; d++) {
		if (!on_day(e, start, d))
			continue;
		struct tm c;
		civil(d, &c);
		sm_plan_time lt = e->at;
		lt.year = c.tm_year + 1900;
		lt.month = c.tm_mon + 1;
		lt.day = c.tm_mday;
		time_t t = sm_plan_instant(&lt);
		if ((until != (time_t)-1 && t > until) || t >= to)
			break;
		if (t < from || t < first)
			continue;
		*out = sm_realloc(*out, (*n + 1) * sizeof **out);
		(*out)[(*n)++] = t;
	}
	return 0;
}
