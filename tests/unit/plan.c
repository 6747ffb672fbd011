/* plan.c - the plan library without a repository: lengths as each network counts them,
   the entry parser, Repeat, and when entries fall due (a time the clock skips). */
#include <stdlib.h>

#include "plan.h"
#include "tap.h"

static int parse(const char *text, sm_plan_entry *e, sm_plan_problems *pr)
{
	return sm_plan_entry_parse("e.txt", text, strlen(text), NULL, e, pr);
}

static void lengths(void)
{
	tap_int((long)sm_textlen_mastodon("hello"), 5, "mastodon: code points");
	tap_int((long)sm_textlen_mastodon("see https://example.com/a/very/long/path/that/goes/on/and/on ok"), 4 + 23 + 3,
		"mastodon: a link counts 23");
	tap_int((long)sm_textlen_mastodon("hi @anna@social.example.org."), 3 + 5 + 1, "mastodon: @user@domain counts as @user");
	tap_int((long)sm_textlen_mastodon("k\xc3\xb6ln"), 4, "mastodon: ö is one");
	tap_int((long)sm_textlen_graphemes("e\xcc\x81", 3), 1, "bluesky: e + combining acute is one grapheme");
	tap_int((long)sm_textlen_graphemes("\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd", 8), 1, "bluesky: thumbs up with a skin tone is one");
	tap_int((long)sm_textlen_graphemes("\xf0\x9f\x87\xa9\xf0\x9f\x87\xaa", 8), 1, "bluesky: a flag is one");
	tap_int((long)sm_textlen_x("hello"), 5, "x: latin counts 1");
	tap_int((long)sm_textlen_x("\xe6\xbc\xa2\xe5\xad\x97"), 4, "x: two CJK characters count 4");
	tap_int((long)sm_textlen_x("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7"), 2,
		"x: a family (ZWJ sequence) counts 2");
	tap_int((long)sm_textlen_x("\xf0\x9f\x87\xa9\xf0\x9f\x87\xaa"), 2, "x: a flag counts 2");
	tap_int((long)sm_textlen_x("1\xef\xb8\x8f\xe2\x83\xa3"), 2, "x: a keycap counts 2");
	tap_int((long)sm_textlen_x("\xc2\xa9 2026"), 6, "x: (c) as text counts 1");
	tap_int((long)sm_textlen_x("go https://example.com/x"), 3 + 23, "x: a link counts 23");
	tap_int((long)sm_textlen_x("e\xcc\x81"), 1, "x: e + combining acute is NFC-composed first: 1");
	tap_int((long)sm_textlen_x("\xe2\x80\x94"), 1, "x: an em dash (U+2014) is in a range that counts 1");
	tap_int(sm_textlen_limit("mastodon"), 500, "limit: Mastodon 500");
	tap_int(sm_textlen_limit("bluesky"), 300, "limit: Bluesky 300");
	tap_int(sm_textlen_limit("x"), 280, "limit: X 280");
	tap_int(sm_textlen_limit("email"), 0, "limit: e-mail none");
}

static void entries(void)
{
	sm_plan_entry e;
	sm_plan_problems pr = {0};
	tap_int(parse("At: 2026-11-28 09:00 Europe/Berlin\nChannels: a, b ,c\nTags: x\n"
		      "Channels-Note: no\n\nText\n", &e, &pr), -1, "an unknown field is a problem");
	tap_is(pr.n ? pr.msg[0] : NULL, "e.txt:4: unknown field 'Channels-Note' (At, Channels, Tags, Repeat, Until, Title, Media, X-...)",
	       "... named with its line");
	sm_plan_entry_free(&e);
	sm_plan_problems_free(&pr);

	tap_int(parse("# a comment\r\nAt: 2026-11-28 09:00 Europe/Berlin\r\nChannels: a,\r\n  b\r\nTitle: T\r\n\r\n\r\nLine one\r\n"
		      "#hashtag line\r\n\r\n--- bluesky\r\nShort\r\n--- b\r\nFor b\r\n", &e, &pr), 0, "CRLF, a comment, a continuation line");
	tap_int((long)e.nchannels, 2, "two channels over two lines");
	tap_is(e.channels[1], "b", "the continued one");
	tap_is(e.text, "Line one\n#hashtag line", "the text: a hashtag line is text, blank lines at the ends left out");
	tap_is(sm_plan_text_for(&e, "a", "bluesky"), "Short", "a bluesky channel: the network's text");
	tap_is(sm_plan_text_for(&e, "b", "bluesky"), "For b", "the channel's own text first");
	tap_is(sm_plan_text_for(&e, "a", "mastodon"), "Line one\n#hashtag line", "another network: the entry's");
	tap_int(e.bodies[0].line, 11, "a section's line: its marker's");
	char *f = sm_plan_entry_format(&e);
	sm_plan_entry g;
	tap_int(sm_plan_entry_parse("e.txt", f, strlen(f), NULL, &g, &pr), 0, "formatted, it parses again");
	tap_is(sm_plan_text_for(&g, "b", NULL), "For b", "... with the same texts");
	free(f);
	sm_plan_entry_free(&g);
	sm_plan_entry_free(&e);

	sm_plan_time t;
	const char *why;
	tap_int(sm_plan_time_parse("2026-11-28T09:00:00+01:00", NULL, &t, &why), 0, "RFC 3339 with an offset");
	tap_int((long)sm_plan_instant(&t), 1795852800L, "... its instant");
	char *s = sm_plan_time_text(&t);
	tap_is(s, "2026-11-28T09:00:00+01:00", "... written back");
	free(s);
	sm_plan_time_free(&t);
	tap_int(sm_plan_time_parse("2026-11-28 09:00:30 UTC", NULL, &t, &why), -1, "seconds other than :00 are refused");
	tap_int(sm_plan_time_parse("2026-11-28 09:00", "Europe/Berlin", &t, &why), 0, "no zone: plan.zone's");
	tap_is(t.zone, "Europe/Berlin", "... that one");
	sm_plan_time_free(&t);
	/* 29 March 2026, 02:30 in Berlin does not exist: the clock jumps from 02:00 to 03:00 */
	tap_int(sm_plan_time_parse("2026-03-29 02:30 Europe/Berlin", NULL, &t, &why), 0, "a time the clock skips parses");
	tap_int((long)sm_plan_instant(&t), 1774747800L, "... and is moved on by the gap (03:30 CEST, 01:30Z)");
	sm_plan_time_free(&t);

	sm_plan_repeat r;
	tap_int(sm_plan_repeat_parse("every 2 weeks on monday, Thu", &r, &why), 0, "every 2 weeks on monday, Thu");
	s = sm_plan_repeat_text(&r);
	tap_is(s, "every 2 weeks on Mon, Thu", "... written back");
	free(s);
	tap_int(sm_plan_repeat_parse("monthly on 1, 15", &r, &why), 0, "monthly on 1, 15");
	s = sm_plan_repeat_text(&r);
	tap_is(s, "monthly on 1, 15", "... written back");
	free(s);
	tap_int(sm_plan_repeat_parse("daily on Mon", &r, &why), -1, "daily on a day is no rule");
	tap_int(sm_plan_repeat_parse("monthly on 32", &r, &why), -1, "a 32nd is no day");
	tap_int(sm_plan_repeat_parse("weekly on", &r, &why), -1, "on what?");

	/* an At that is not on a day the rule names is still the first */
	tap_int(parse("At: 2026-11-04 10:00 UTC\nChannels: a\nRepeat: weekly on Mon\nUntil: 2026-11-17\n\nx\n", &e, &pr), 0,
		"weekly on Mon from a Wednesday");
	time_t *occ;
	size_t n;
	sm_plan_occurrences(&e, 0, 2000000000, 100, &occ, &n);
	tap_int((long)n, 3, "At, then two Mondays to Until");
	tap_int(n == 3 ? (long)occ[1] : 0, 1794218400L, "the first Monday, 9 November 10:00Z");
	free(occ);
	sm_plan_occurrences(&e, 0, 2000000000, 2, &occ, &n);
	tap_int((long)n, 2, "at most max");
	free(occ);
	sm_plan_entry_free(&e);
	sm_plan_problems_free(&pr);
}

/* found by tests/fuzz/fuzz-plan: a NUL cut a Channels line short where the parser read
   it, and the entry written back named other channels */
static void nul_bytes(void)
{
	static const char text[] = "At: 2026-11-28 09:00 Europe/Berlin\nChannels: a, b\r\0c\n\nHallo\n";
	sm_plan_entry e = {0};
	sm_plan_problems pr = {0};
	tap_int(sm_plan_entry_parse("e.txt", text, sizeof text - 1, NULL, &e, &pr), -1, "a NUL byte: refused");
	tap_is(pr.n ? pr.msg[0] : NULL, "e.txt:2: a NUL byte: not a text file", "... naming its line");
	sm_plan_entry_free(&e);
	sm_plan_problems_free(&pr);
}

int main(void)
{
	lengths();
	entries();
	nul_bytes();
	return tap_done();
}
