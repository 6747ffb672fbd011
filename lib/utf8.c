/*
 * utf8.c - strict UTF-8 validation (RFC 3629: no overlongs, no surrogates, max U+10FFFF),
 * and repair of text that is not UTF-8 throughout.
 */
#include "smkit.h"

int sm_utf8_valid(const char *str, size_t n, size_t *bad)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	while (i < n) {
		/* fast path over ASCII, eight bytes at a time */
		while (i + 8 <= n) {
			uint64_t w;
			__builtin_memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ULL)
				break;
			i += 8;
		}
		if (i >= n)
			break;
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t need;
		unsigned lo = 0x80, hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF)
			need = 1;
		else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			if (c == 0xE0)
				lo = 0xA0;
			if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			if (c == 0xF0)
				lo = 0x90;
			if (c == 0xF4)
				hi = 0x8F;
		} else
			goto fail;
		if (i + need >= n)
			goto fail;
		if (s[i + 1] < lo || s[i + 1] > hi)
			goto fail;
		for (size_t k = 2; k <= need; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				goto fail;
		i += need + 1;
	}
	return 1;
fail:
	if (bad)
		*bad = i;
	return 0;
}

/* what bytes 0x80..0x9F stand for in windows-1252; the five it leaves out stay C1 controls */
static const unsigned short cp1252[32] = {
	0x20AC, 0x81,   0x201A, 0x192,  0x201E, 0x2026, 0x2020, 0x2021,
	0x2C6,  0x2030, 0x160,  0x2039, 0x152,  0x8D,   0x17D,  0x8F,
	0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x2DC,  0x2122, 0x161,  0x203A, 0x153,  0x9D,   0x17E,  0x178,
};

char *sm_utf8_fix(const char *s, size_t n, size_t *len)
{
	sm_buf b = {0};
	size_t bad;

	while (!sm_utf8_valid(s, n, &bad)) {
		unsigned char c = (unsigned char)s[bad]; /* never ASCII */
		unsigned cp = c < 0xA0 ? cp1252[c - 0x80] : c;
		char u[3];

		sm_buf_add(&b, s, bad);
		if (cp < 0x800) {
			u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F));
			sm_buf_add(&b, u, 2);
		} else {
			u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
			u[2] = (char)(0x80 | (cp & 0x3F));
			sm_buf_add(&b, u, 3);
		}
		s += bad + 1, n -= bad + 1;
	}
	sm_buf_add(&b, s, n);
	if (len)
		*len = b.len;
	return sm_buf_detach(&b);
}
