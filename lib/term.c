/*
 * term.c - text from the outside (posts, names, server messages) made safe for a terminal:
 * control characters (C0, DEL, C1), the bidirectional overrides that reorder what is shown
 * and bytes that are not UTF-8 are written as visible escapes, so a post can neither send
 * an escape sequence to the reader's terminal nor make a line look like something else.
 */
#include <string.h>

#include "smkit.h"

/* 1 for a character a terminal must not receive raw */
static int unsafe(unsigned cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c ||
	       cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* The code point of the UTF-8 sequence at s (at most n bytes) and its length; 0 if none. */
static size_t decode(const unsigned char *s, size_t n, unsigned *cp)
{
	size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
		   : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
	if (!len || len > n || !sm_utf8_valid((const char *)s, len, NULL))
		return 0;
	static const unsigned mask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
	*cp = s[0] & mask[len];
	for (size_t i = 1; i < len; i++)
		*cp = *cp << 6 | (s[i] & 0x3f);
	return len;
}

void sm_term_escapen(sm_buf *out, const char *s, size_t n, int flags)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		unsigned cp;
		size_t len = decode(p, (size_t)(end - p), &cp);
		if (!len) {
			sm_buf_printf(out, (flags & SM_TERM_JSON) ? "\\ufffd" : "\\x%02x", *p);
			p++;
			continue;
		}
		int keep = ((flags & SM_TERM_KEEP_NL) && (cp == '\n' || cp == '\t'));
		if (!unsafe(cp) || keep)
			sm_buf_add(out, p, len);
		else if ((flags & SM_TERM_JSON) && cp < 0x20)
			sm_buf_addc(out, ' '); /* whitespace between tokens: no string holds it raw */
		else if ((flags & SM_TERM_JSON) || cp >= 0x80)
			sm_buf_printf(out, "\\u%04x", cp);
		else if (cp == '\n' || cp == '\t' || cp == '\r')
			sm_buf_adds(out, cp == '\n' ? "\\n" : cp == '\t' ? "\\t" : "\\r");
		else
			sm_buf_printf(out, "\\x%02x", cp);
		p += len;
	}
}

void sm_term_escape(sm_buf *b, const char *s) { sm_term_escapen(b, s, strlen(s), 0); }

char *sm_term_safe(const char *s, int flags)
{
	sm_buf b = {0};
	sm_buf_adds(&b, "");
	sm_term_escapen(&b, s, strlen(s), flags);
	return sm_buf_detach(&b);
}

char *sm_term_cell(const char *s, size_t max)
{
	char *t = sm_term_safe(s ? s : "", 0);
	size_t chars = 0;
	for (char *p = t; *p; p++)
		if (((unsigned char)*p & 0xc0) != 0x80 && chars++ == max && max) {
			*p = 0; /* at a character's first byte: never inside one */
			break;
		}
	return t;
}
