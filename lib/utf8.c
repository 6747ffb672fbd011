/* utf8.c - strict UTF-8 validation (RFC 3629: no overlongs, no surrogates, max U+10FFFF). */
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
