/* buf.c - a growable byte buffer, always NUL-terminated once anything was added. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "smkit.h"

void sm_buf_grow(sm_buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->s = sm_realloc(b->s, cap);
	b->cap = cap;
}

void sm_buf_add(sm_buf *b, const void *p, size_t n)
{
	sm_buf_grow(b, n);
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = 0;
}

void sm_buf_adds(sm_buf *b, const char *s) { sm_buf_add(b, s, strlen(s)); }

void sm_buf_addc(sm_buf *b, char c)
{
	sm_buf_grow(b, 1);
	b->s[b->len++] = c;
	b->s[b->len] = 0;
}

void sm_buf_printf(sm_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	sm_buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *sm_buf_detach(sm_buf *b)
{
	char *s = b->s ? b->s : sm_strdup("");
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

void sm_buf_reset(sm_buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = 0;
}

void sm_buf_free(sm_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

void sm_buf_json_str(sm_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	sm_buf_grow(b, 6 * n + 2); /* the longest it can get: every byte as \u00XX */
	char *o = b->s + b->len;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch >= 0x20 && ch != '"' && ch != '\\') {
			*o++ = (char)ch;
			continue;
		}
		*o++ = '\\';
		switch (ch) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\n': *o++ = 'n'; break;
		case '\t': *o++ = 't'; break;
		case '\r': *o++ = 'r'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		default:
			memcpy(o, "u00", 3);
			o[3] = hex[ch >> 4];
			o[4] = hex[ch & 15];
			o += 5;
		}
	}
	*o++ = '"';
	*o = 0;
	b->len = (size_t)(o - b->s);
}

size_t sm_fmt_ll(char out[24], long long v)
{
	char tmp[24];
	size_t n = 0, len = 0;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do
		tmp[n++] = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		out[len++] = '-';
	while (n)
		out[len++] = tmp[--n];
	out[len] = 0;
	return len;
}
