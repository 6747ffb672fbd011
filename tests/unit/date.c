/* date.c - unit tests of lib/date.c: formatting, $SM_NOW and the date forms feeds use (TAP). */
#include <stdlib.h>
#include <string.h>

#include "smkit.h"

static int n, failed;

static void check(int cond, const char *desc, const char *got, const char *want)
{
	n++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", n, desc);
	if (!cond) {
		printf("# got:  '%s'\n# want: '%s'\n", got ? got : "(null)", want ? want : "(null)");
		failed++;
	}
}

/* want NULL: the input must be rejected */
static void parses(const char *in, const char *want)
{
	char got[SM_TIME_LEN] = "(rejected)", desc[200];
	time_t t;

	if (sm_date_parse(in, &t) == 0)
		sm_time_format(t, got);
	snprintf(desc, sizeof desc, "'%s' %s", in, want ? "parses" : "is rejected");
	check(want ? !strcmp(got, want) : !strcmp(got, "(rejected)"), desc, got,
	      want ? want : "(rejected)");
}

static void rfc822(void)
{
	parses("Thu, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 UT", "2004-01-01T19:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 UTC", "2004-01-01T19:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 +0000", "2004-01-01T19:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 -0000", "2004-01-01T19:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 +0130", "2004-01-01T18:18:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 -0800", "2004-01-02T03:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 EST", "2004-01-02T00:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 EDT", "2004-01-01T23:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 CST", "2004-01-02T01:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 CDT", "2004-01-02T00:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 MST", "2004-01-02T02:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 MDT", "2004-01-02T01:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 PST", "2004-01-02T03:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 PDT", "2004-01-02T02:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 Z", "2004-01-01T19:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 A", "2004-01-01T20:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 N", "2004-01-01T18:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 M", "2004-01-02T07:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 Y", "2004-01-01T07:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21", "2004-01-01T19:48:21Z");
	parses("01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z");
	parses("Thu, 01 Jan 2004 19:48 GMT", "2004-01-01T19:48:00Z");
	parses("Thu, 1 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z");
	parses("Thu, 01 Jan 04 19:48:21 GMT", "2004-01-01T19:48:21Z");
	parses("Sat, 07 Sep 02 00:00:01 GMT", "2002-09-07T00:00:01Z");
	parses("Wed, 31 Dec 97 23:59:59 GMT", "1997-12-31T23:59:59Z");
	parses("Sun, 31 Dec 2023 23:59:59 +0000 (UTC)", "2023-12-31T23:59:59Z");
	parses("sun, 31 dec 2023 23:59:59 +0000", "2023-12-31T23:59:59Z");
	parses("Thursday, 01 January 2004 19:48:21 GMT", "2004-01-01T19:48:21Z");
	parses("Tue, 10 Sept 2002 10:00:00 GMT", "2002-09-10T10:00:00Z");
	parses("Thu, 01-Jan-2004 19:48:21 GMT", "2004-01-01T19:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21.123 GMT", "2004-01-01T19:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 GMT+1", "2004-01-01T18:48:21Z");
	parses("Thu, 01 Jan 2004 19:48:21 +01:00", "2004-01-01T18:48:21Z");
	parses("Thu, 01 Jan 2004 07:48:21 PM GMT", "2004-01-01T19:48:21Z");
	parses("Thu, 01 Jan 2004 12:05 AM", "2004-01-01T00:05:00Z");
	parses("Thu, 01 Jan 2004 19:48:21 XYZT", "2004-01-01T19:48:21Z");
	parses("January 1, 2004 19:48:21 GMT", "2004-01-01T19:48:21Z");
	parses("Sun Jan  4 16:29:06 2004", "2004-01-04T16:29:06Z");
	parses("Sun Jan 4 16:29:06 PST 2004", "2004-01-05T00:29:06Z");
	parses("Thu, 29 Feb 2004 10:00:00 GMT", "2004-02-29T10:00:00Z");
	parses("  Thu, 01 Jan 2004 19:48:21 GMT  ", "2004-01-01T19:48:21Z");
	parses("Wed, 31 Dec 1969 23:59:59 GMT", "1969-12-31T23:59:59Z");
	parses("Thu, 01 Jan 2004 23:59:60 GMT", "2004-01-01T23:59:59Z");
}

static void iso8601(void)
{
	parses("2003-12-31T10:14:55Z", "2003-12-31T10:14:55Z");
	parses("2003-12-31T10:14:55z", "2003-12-31T10:14:55Z");
	parses("2003-12-31t10:14:55Z", "2003-12-31T10:14:55Z");
	parses("2003-12-31T10:14:55.123456Z", "2003-12-31T10:14:55Z");
	parses("2003-12-31T10:14:55,5Z", "2003-12-31T10:14:55Z");
	parses("2003-12-31T10:14:55+01:00", "2003-12-31T09:14:55Z");
	parses("2003-12-31T10:14:55-05:00", "2003-12-31T15:14:55Z");
	parses("2003-12-31T10:14:55+0100", "2003-12-31T09:14:55Z");
	parses("2003-12-31T10:14:55+01", "2003-12-31T09:14:55Z");
	parses("2003-12-31T10:14:55", "2003-12-31T10:14:55Z");
	parses("2003-12-31T10:14Z", "2003-12-31T10:14:00Z");
	parses("2003-12-31T10:14+01:00", "2003-12-31T09:14:00Z");
	parses("2003-12-31 10:14:55", "2003-12-31T10:14:55Z");
	parses("2004-02-28 18:14:55-08:00", "2004-02-29T02:14:55Z");
	parses("2004-02-28 18:14:55 -08:00", "2004-02-29T02:14:55Z");
	parses("2003-12-31 10:14:55 UTC", "2003-12-31T10:14:55Z");
	parses("2003-12-31 10:14:55 EST", "2003-12-31T15:14:55Z");
	parses("2003-12-31", "2003-12-31T00:00:00Z");
	parses("2003-12", "2003-12-01T00:00:00Z");
	parses("2003", "2003-01-01T00:00:00Z");
	parses("20031231", "2003-12-31T00:00:00Z");
	parses("20031231T101455Z", "2003-12-31T10:14:55Z");
	parses("2003/12/31 10:14:55", "2003-12-31T10:14:55Z");
	parses("2002-10-13T09:00+01:00", "2002-10-13T08:00:00Z");
	parses("2003-12-31T24:00:00Z", "2003-12-31T23:59:59Z");
	parses("2000-02-29T00:00:00Z", "2000-02-29T00:00:00Z");
	parses("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z");
}

static void invalid(void)
{
	parses("", NULL);
	parses("   ", NULL);
	parses("hello", NULL);
	parses("not a date at all", NULL);
	parses("2003-13-01", NULL);
	parses("2003-00-10", NULL);
	parses("2003-12-32", NULL);
	parses("2003-02-29", NULL);
	parses("1900-02-29", NULL);
	parses("2003-12-31T25:00:00Z", NULL);
	parses("2003-12-31T10:60:00Z", NULL);
	parses("2003-12-31T10:14:55+25:00", NULL);
	parses("2003-12-31T10:14:55Zjunk", NULL);
	parses("Thu, 32 Jan 2004 19:48:21 GMT", NULL);
	parses("Thu, 31 Feb 2004 19:48:21 GMT", NULL);
	parses("Thu, 01 Foo 2004 19:48:21 GMT", NULL);
	parses("Thu, 01 Jan 2004 19:61:21 GMT", NULL);
	parses("Thu, 01 Jan 2004 13:00 PM", NULL);
	parses("Thu 01 Jan", NULL);
	parses("12:00", NULL);
	parses("Thu, 01 Jan 2004 19:48:21 GMT GMT", NULL);
	parses("2004-01-01 \xff\xfe", NULL);
	parses("99999999999999999999", NULL);
	parses("Jan 99999999 2004", NULL);
	parses("((((((", NULL);
	parses("Thu, 01 Jan 2004 19:48:21 +9999", NULL);
}

static void format(void)
{
	char out[SM_TIME_LEN];
	time_t t;

	check(!strcmp(sm_time_format(0, out), "1970-01-01T00:00:00Z"), "format epoch", out,
	      "1970-01-01T00:00:00Z");
	sm_time_format(1795427280, out);
	check(!strcmp(out, "2026-11-23T09:48:00Z"), "format a 2026 time", out,
	      "2026-11-23T09:48:00Z");
	sm_time_format((time_t)1 << 60, out);
	check(!strcmp(out, "9999-12-31T23:59:59Z"), "format clamps far future", out,
	      "9999-12-31T23:59:59Z");
	sm_time_format(-((time_t)1 << 60), out);
	check(!strcmp(out, "0000-01-01T00:00:00Z"), "format clamps far past", out,
	      "0000-01-01T00:00:00Z");
	setenv("SM_NOW", "2026-11-23T09:58:00Z", 1);
	sm_time_format(sm_now(), out);
	check(!strcmp(out, "2026-11-23T09:58:00Z"), "sm_now reads $SM_NOW", out,
	      "2026-11-23T09:58:00Z");
	setenv("SM_NOW", "garbage", 1);
	t = sm_now();
	check(t > 1700000000, "sm_now ignores a bad $SM_NOW", NULL, NULL);
	unsetenv("SM_NOW");
	t = sm_now();
	check(t > 1700000000 && t - time(NULL) <= 1, "sm_now is the clock without $SM_NOW", NULL,
	      NULL);
	check(sm_date_parse(NULL, &t) == -1, "NULL is not a date", NULL, NULL);
}

int main(void)
{
	rfc822();
	iso8601();
	invalid();
	format();
	printf("1..%d\n", n);
	return failed != 0;
}
