/*
 * textlen.c - a post's length as each network counts it against its limit: Mastodon in
 * characters with a link as 23, Bluesky in grapheme clusters, X in twitter-text's
 * weighted units (CJK and emoji count 2, a link 23). The adapters refuse by these counts
 * and sm-plan check lints by them, so both say the same.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "smkit.h"

enum { URL_CHARS = 23 };

static int word_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_';
}

static int domain_char(char ch) { return word_char(ch) || ch == '-' || ch == '.'; }

/* The end of a domain after '@': a dot that ends the sentence is not part of it. */
static const char *domain_end(const char *p)
{
	while (domain_char(*p) && !(*p == '.' && !word_char(p[1])))
		p++;
	return p;
}

/* The end of a link starting at p, if a link starts there (at a word boundary); else NULL. */
static const char *link_end(const char *text, const char *p)
{
	if ((p > text && word_char(p[-1])) || (strncmp(p, "http://", 7) && strncmp(p, "https://", 8)))
		return NULL;
	while (*p && *p != ' ' && *p != '\n' && *p != '\t')
		p++;
	return p;
}

size_t sm_textlen_mastodon(const char *text)
{
	size_t n = 0;
	for (const char *p = text, *e; *p;) {
		int boundary = p == text || !word_char(p[-1]);
		if ((e = link_end(text, p))) {
			p = e;
			n += URL_CHARS;
			continue;
		}
		const char *u = p + 1;
		while (*p == '@' && boundary && word_char(*u))
			u++;
		if (*p == '@' && u > p + 1 && *u == '@' && word_char(u[1])) { /* @user@domain: @user */
			n += (size_t)(u - p);
			p = domain_end(u + 1);
			continue;
		}
		n += ((unsigned char)*p & 0xC0) != 0x80;
		p++;
	}
	return n;
}

/* The code point at s[i] (U+FFFD if ill-formed) and its length in bytes. */
static size_t cp_at(const char *s, size_t n, size_t i, utf8proc_int32_t *c)
{
	utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), c);
	if (k <= 0) {
		*c = 0xFFFD;
		return 1;
	}
	return (size_t)k;
}

size_t sm_textlen_graphemes(const char *s, size_t n)
{
	utf8proc_int32_t prev = -1, c, state = 0;
	size_t count = 0;
	for (size_t i = 0; i < n;) {
		i += cp_at(s, n, i, &c);
		if (prev < 0 || utf8proc_grapheme_break_stateful(prev, c, &state))
			count++;
		prev = c;
	}
	return count;
}

/* twitter-text's weights (config v3): these ranges count 1, every other code point 2. */
static int x_weight(utf8proc_int32_t c)
{
	return (c <= 4351 || (c >= 8192 && c <= 8205) || (c >= 8208 && c <= 8223) || (c >= 8242 && c <= 8247))
		       ? 1 : 2;
}

/* An emoji counts 2 whatever code points make it: a pictograph with its modifiers and
   joined parts, a flag (two regional indicators), a keycap. */
static int emoji_start(utf8proc_int32_t c, utf8proc_int32_t next)
{
	int bc = utf8proc_get_property(c)->boundclass;
	if (bc == UTF8PROC_BOUNDCLASS_REGIONAL_INDICATOR)
		return 1;
	if (bc == UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC)
		return c > 4351 || next == 0xFE0F; /* (c) and (r) are text unless asked to be emoji */
	return next == 0xFE0F || next == 0x20E3;
}

size_t sm_textlen_x(const char *text)
{
	utf8proc_uint8_t *nfc = utf8proc_NFC((const utf8proc_uint8_t *)text);
	const char *s = nfc ? (const char *)nfc : text;
	size_t n = strlen(s), units = 0;
	for (size_t i = 0; i < n;) {
		const char *e = link_end(s, s + i);
		if (e) {
			units += URL_CHARS;
			i = (size_t)(e - s);
			continue;
		}
		utf8proc_int32_t c, next = -1, state = 0;
		i += cp_at(s, n, i, &c);
		if (i < n)
			cp_at(s, n, i, &next);
		if (!emoji_start(c, next)) {
			units += (size_t)x_weight(c);
			continue;
		}
		units += 2; /* the rest of its grapheme cluster is part of the emoji */
		for (utf8proc_int32_t prev = c; i < n; prev = next) {
			size_t k = cp_at(s, n, i, &next);
			if (utf8proc_grapheme_break_stateful(prev, next, &state))
				break;
			i += k;
		}
	}
	free(nfc);
	return units;
}

/* Which counting a network uses and its limit; 0 when it has none smkit knows. */
long sm_textlen_limit(const char *network)
{
	if (!network)
		return 0;
	if (!strcmp(network, "mastodon"))
		return 500;
	if (!strcmp(network, "bluesky"))
		return 300;
	if (!strcmp(network, "x") || !strcmp(network, "twitter"))
		return 280;
	return 0;
}

size_t sm_textlen(const char *network, const char *text)
{
	if (network && !strcmp(network, "bluesky"))
		return sm_textlen_graphemes(text, strlen(text));
	if (network && (!strcmp(network, "x") || !strcmp(network, "twitter")))
		return sm_textlen_x(text);
	return sm_textlen_mastodon(text);
}
