/*
 * plan_ics.c - the calendar as an iCalendar file (RFC 5545) that a calendar program can
 * subscribe to: one event per occurrence of an entry, its channels and their states in the
 * description; tentative until every channel's draft is approved.
 */
#include <string.h>

#include "plan.h"

/* Write one content line, folded at 75 octets without splitting a UTF-8 sequence. */
static void put_line(FILE *fp, const char *s)
{
	size_t col = 0;
	for (const char *p = s; *p;) {
		size_t k = 1;
		while (((unsigned char)p[k] & 0xC0) == 0x80)
			k++;
		if (col + k > 75) {
			fputs("\r\n ", fp);
			col = 1;
		}
		fwrite(p, 1, k, fp);
		col += k;
		p += k;
	}
	fputs("\r\n", fp);
}

/* A TEXT value: backslash, semicolon, comma and newline escaped. */
static void add_text(sm_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == ';' || *s == ',')
			sm_buf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			sm_buf_adds(b, "\\n");
		else if (*s != '\r')
			sm_buf_addc(b, *s);
	}
}

static void prop(FILE *fp, const char *name, const char *text)
{
	sm_buf b = {0};
	sm_buf_printf(&b, "%s:", name);
	add_text(&b, text);
	put_line(fp, b.s);
	sm_buf_free(&b);
}

static void stamp(time_t t, char out[17])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

static int approved(const char *state)
{
	return !strcmp(state, "approved") || !strcmp(state, "sending") || !strcmp(state, "published");
}

/* One event for the slots s[0..n) of one entry at one time (one per channel). */
static void event(FILE *fp, const sm_plan_slot *s, size_t n, const char *dtstamp)
{
	char start[17], uid[41], *key = sm_asprintf("%s\x1f%ld", s->entry, (long)s->at);
	sm_buf b = {0};
	int all = 1;
	sm_sha1_hex(key, strlen(key), uid);
	free(key);
	stamp(s->at, start);
	put_line(fp, "BEGIN:VEVENT");
	sm_buf_printf(&b, "UID:%s@smkit", uid);
	put_line(fp, b.s);
	sm_buf_reset(&b);
	sm_buf_printf(&b, "DTSTAMP:%s", dtstamp);
	put_line(fp, b.s);
	sm_buf_reset(&b);
	sm_buf_printf(&b, "DTSTART:%s", start);
	put_line(fp, b.s);
	put_line(fp, "DURATION:PT15M");
	prop(fp, "SUMMARY", *s->title ? s->title : s->entry);
	sm_buf_reset(&b);
	sm_buf_printf(&b, "%s\n\n", s->text);
	for (size_t i = 0; i < n; i++) {
		sm_buf_printf(&b, "%s (%s): %s\n", s[i].channel, s[i].network ? s[i].network : "?", s[i].state);
		all &= approved(s[i].state);
	}
	sm_buf_printf(&b, "\n%s at %.12s", s->entry, s->commit);
	prop(fp, "DESCRIPTION", b.s);
	if (s->ntags) {
		sm_buf_reset(&b);
		sm_buf_adds(&b, "CATEGORIES:");
		for (size_t i = 0; i < s->ntags; i++) {
			if (i)
				sm_buf_addc(&b, ',');
			add_text(&b, s->tags[i]);
		}
		put_line(fp, b.s);
	}
	put_line(fp, all ? "STATUS:CONFIRMED" : "STATUS:TENTATIVE");
	prop(fp, "X-SMKIT-ENTRY", s->entry);
	put_line(fp, "END:VEVENT");
	sm_buf_free(&b);
}

int sm_plan_ics(FILE *fp, const sm_plan_slot *s, size_t n, time_t now, const char *name)
{
	char dtstamp[17];
	stamp(now, dtstamp);
	put_line(fp, "BEGIN:VCALENDAR");
	put_line(fp, "VERSION:2.0");
	put_line(fp, "PRODID:-//smkit//sm-plan " SM_VERSION "//EN");
	put_line(fp, "CALSCALE:GREGORIAN");
	put_line(fp, "METHOD:PUBLISH");
	prop(fp, "X-WR-CALNAME", name);
	/* the slots come by time, then entry: an event gathers the channels of one entry */
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && s[j].at == s[i].at && !strcmp(s[j].entry, s[i].entry); j++)
			;
		event(fp, s + i, j - i, dtstamp);
	}
	put_line(fp, "END:VCALENDAR");
	return ferror(fp) ? sm_error_code(SM_EX_IOERR, "unable to write the calendar") : 0;
}
