/* hours.c - business hours: due times over nights, weekends, holidays, DST, other zones. */
#include <stdlib.h>

#include "smkit.h"
#include "tap.h"

static sm_hours *hours(const char *spec)
{
	sm_hours *h = NULL;
	if (sm_hours_parse(spec, &h) < 0)
		printf("# %s\n", sm_errmsg());
	return h;
}

int main(void)
{
	sm_hours *h = hours("Mon-Fri 08:00-18:00 UTC");
	tap_ok(h != NULL, "parses Mon-Fri 08:00-18:00 UTC");
	/* Friday 17:00 + 2 h: one hour on Friday, one on Monday from 08:00 */
	tap_int(sm_hours_add(h, 1795194000, 7200), 1795424400, "Friday 17:00 + 2h is Monday 09:00");
	tap_int((long)sm_hours_between(h, 1795194000, 1795424400), 7200, "and back: 2h between them");
	tap_int(sm_hours_add(h, 1795255200, 0), 1795420800, "Saturday + 0: Monday 08:00, the next opening");
	tap_int(sm_hours_add(h, 1795255200, 3600), 1795420800 + 3600, "Saturday + 1h: Monday 09:00");
	tap_int((long)sm_hours_between(h, 1795255200, 1795420800), 0, "no business time over a weekend");
	sm_hours_holiday(h, "2026-12-24");
	sm_hours_holiday(h, "2026-12-25");
	tap_int(sm_hours_add(h, 1798045200, 7200), 1798448400, "Wed 23 Dec 17:00 + 2h over two holidays and a weekend: Mon 28 Dec 09:00");
	tap_int(sm_hours_holiday(h, "24.12.2026"), -1, "a holiday must be YYYY-MM-DD");
	sm_hours_free(h);

	h = hours("Mon-Fri 08:00-18:00 Europe/Berlin");
	tap_ok(h != NULL, "parses a policy in Europe/Berlin");
	tap_int(sm_hours_add(h, 1774627200, 7200), 1774854000, "Fri 17:00 CET + 2h over the March DST change: Mon 09:00 CEST");
	tap_int(sm_hours_add(h, 1792767600, 7200), 1793001600, "Fri 17:00 CEST + 2h over the October change: Mon 09:00 CET");
	tap_int((long)sm_hours_between(h, 1774627200, 1774854000), 7200, "2h between them, not 2h plus the lost hour");
	sm_hours_free(h);

	h = hours("Mon-Fri 09:00-17:00 America/New_York");
	tap_int(sm_hours_add(h, 1795438800, 3600), 1795446000, "08:00 EST + 1h in New York's hours: 10:00 EST");
	sm_hours_free(h);

	h = hours("Mon-Fri 08:00-12:00,13:00-17:00 UTC");
	tap_int(sm_hours_add(h, 1795433400, 3600), 1795440600, "11:30 + 1h over a lunch break: 13:30");
	sm_hours_free(h);

	h = hours("Sat-Mon 10:00-11:00 UTC");
	tap_int(sm_hours_add(h, 1795194000, 3600), 1795255200 + 3600, "a range across the week's end: Sat-Mon");
	sm_hours_free(h);

	h = hours("24/7 UTC");
	tap_ok(h != NULL, "parses 24/7");
	tap_int(sm_hours_add(h, 1795194000, 86400 * 3), 1795194000 + 86400 * 3, "24/7: three days are three days");
	sm_hours_free(h);

	const char *bad[] = {"Mon-Fri", "Mon-Fri 18:00-08:00 UTC", "Mon-Fry 08:00-18:00",
			     "Mon-Fri 8-18 UTC", "Mon-Fri 08:00-18:00 Mars/Olympus",
			     "Mon-Fri 08:00-18:00 ../../etc/passwd", "Mon-Fri 08:00-24:30 UTC",
			     "Mon-Fri 08:00-18:00 UTC extra"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		sm_hours *x = NULL;
		char name[128];
		snprintf(name, sizeof name, "refused: '%s'", bad[i]);
		tap_int(sm_hours_parse(bad[i], &x), -1, name);
	}
	return tap_done();
}
