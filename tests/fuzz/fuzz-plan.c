/*
 * fuzz-plan.c - the plan-entry parser (plan_entry.c) and what is computed from an entry:
 * its occurrences (plan_when.c), the text per network and the entry written back
 * (sm_plan_entry_format). The input is an entry file. Properties besides crashes: a parsed
 * entry has a text for every channel, its times write back as times that parse, its
 * occurrences are in order and inside the range asked for, and an entry written back
 * parses again to the same channels, tags, repeat and occurrences.
 */
#include "fuzz.h"
#include "plan.h"

static int same_list(char **a, size_t na, char **b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]))
			return 0;
	return 1;
}

/* The occurrences in a fixed window of two years around the entry's At. */
static size_t occurrences(const sm_plan_entry *e, time_t **out)
{
	time_t at = sm_plan_instant(&e->at), *t = NULL;
	size_t n = 0;
	if (sm_plan_occurrences(e, at - 86400, at + 2 * 366 * 86400, 200, &t, &n) < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		fuzz_check(t[i] >= at - 86400 && t[i] < at + 2 * 366 * 86400, "occurrence %zu outside", i);
		fuzz_check(i == 0 || t[i] > t[i - 1], "occurrences out of order at %zu", i);
	}
	*out = t;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int tz;
	if (!tz++)
		setenv("TZ", "UTC", 1);
	sm_plan_entry e = {0}, again = {0};
	sm_plan_problems pr = {0}, pr2 = {0};
	if (sm_plan_entry_parse("posts/fuzz.txt", (const char *)data, size, "Europe/Berlin", &e, &pr) == 0) {
		for (size_t i = 0; i < e.nchannels; i++) {
			const char *text = sm_plan_text_for(&e, e.channels[i], "mastodon");
			fuzz_check(text != NULL, "no text for channel %s", e.channels[i]);
			fuzz_check(sm_utf8_valid(text, strlen(text), NULL), "text not UTF-8");
		}
		char *at = sm_plan_time_text(&e.at);
		sm_plan_time t = {0};
		const char *why = NULL;
		fuzz_check(sm_plan_time_parse(at, NULL, &t, &why) == 0, "At written as '%s' does not parse: %s",
			   at, why ? why : "?");
		sm_plan_time_free(&t);
		free(at);
		time_t *o1 = NULL, *o2 = NULL;
		size_t n1 = occurrences(&e, &o1);
		char *back = sm_plan_entry_format(&e);
		fuzz_check(back != NULL, "the entry cannot be written back");
		int rc = sm_plan_entry_parse("posts/fuzz.txt", back, strlen(back), "Europe/Berlin", &again, &pr2);
		fuzz_check(rc == 0, "the entry written back does not parse: %s\n%s",
			   pr2.n ? pr2.msg[0] : "?", back);
		fuzz_check(same_list(e.channels, e.nchannels, again.channels, again.nchannels),
			   "channels differ after writing back");
		fuzz_check(same_list(e.tags, e.ntags, again.tags, again.ntags), "tags differ after writing back");
		fuzz_check(e.repeat.freq == again.repeat.freq && e.repeat.interval == again.repeat.interval &&
				   e.repeat.days == again.repeat.days,
			   "repeat differs after writing back");
		size_t n2 = occurrences(&again, &o2);
		fuzz_check(n1 == n2 && (n1 == 0 || !memcmp(o1, o2, n1 * sizeof *o1)),
			   "occurrences differ after writing back (%zu, %zu)", n1, n2);
		free(o1);
		free(o2);
		free(back);
	}
	for (size_t i = 0; i < pr.n; i++)
		fuzz_check(!strncmp(pr.msg[i], "posts/fuzz.txt:", 15), "a problem without its place: %s", pr.msg[i]);
	sm_plan_entry_free(&e);
	sm_plan_entry_free(&again);
	sm_plan_problems_free(&pr);
	sm_plan_problems_free(&pr2);
	return 0;
}
