/* tap.h - the few TAP helpers the C unit tests share (header-only, one per test binary). */
#ifndef SM_TAP_H
#define SM_TAP_H
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static __attribute__((unused)) void tap_ok(int cond, const char *name)
{
	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, name);
}

static __attribute__((unused)) void tap_is(const char *got, const char *want, const char *name)
{
	int same = got && want ? strcmp(got, want) == 0 : got == want;
	tap_ok(same, name);
	if (!same)
		printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)", want ? want : "(null)");
}

static __attribute__((unused)) void tap_int(long got, long want, const char *name)
{
	tap_ok(got == want, name);
	if (got != want)
		printf("#   got:  %ld\n#   want: %ld\n", got, want);
}

static __attribute__((unused)) int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
#endif
