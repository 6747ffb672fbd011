/*
 * jscan.c - a validating JSON scanner that allocates nothing: it checks that a line is
 * one JSON object and hands back the members asked for as slices of the line. sm-match
 * uses it to read the few fields a query looks at without building a jansson tree.
 * Anything it refuses is read again with jansson, which then names the error.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smkit.h"

enum { MAX_DEPTH = 64 };

typedef struct {
	const char *s, *end;
} cur;

static void ws(cur *c)
{
	while (c->s < c->end && (*c->s == ' ' || *c->s == '\t' || *c->s == '\n' || *c->s == '\r'))
		c->s++;
}

static int hex4(const char *p)
{
	for (int i = 0; i < 4; i++) {
		char h = p[i];
		if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')))
			return 0;
	}
	return 1;
}

/* A string at c->s (the opening quote); sets the slice between the quotes. */
static int string(cur *c, sm_jval *v)
{
	const char *p = ++c->s;
	int esc = 0;
	for (;;) {
		const char *q = p;
		/* eight bytes at a time while none is a quote, a backslash or a control byte */
		while (q + 8 <= c->end) {
			uint64_t w, ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
			memcpy(&w, q, 8);
			uint64_t quote = w ^ (ones * '"'), bslash = w ^ (ones * '\\');
			uint64_t hit = ((quote - ones) & ~quote) | ((bslash - ones) & ~bslash) |
				       ((w - ones * 0x20) & ~w);
			if (hit & high)
				break;
			q += 8;
		}
		while (q < c->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
			q++;
		if (q >= c->end || (unsigned char)*q < 0x20)
			return -1;
		if (*q == '"') {
			if (v) {
				v->p = c->s;
				v->n = (size_t)(q - c->s);
				v->type = SM_JSTRING;
				v->escaped = esc;
			}
			c->s = q + 1;
			return 0;
		}
		esc = 1; /* a backslash */
		if (q + 1 >= c->end)
			return -1;
		char e = q[1];
		if (e == 'u') {
			if (q + 6 > c->end || !hex4(q + 2))
				return -1;
			unsigned cp = (unsigned)strtoul((char[5]){q[2], q[3], q[4], q[5], 0}, NULL, 16);
			if (cp == 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
				return -1; /* refused as jansson refuses them */
			if (cp >= 0xD800 && cp <= 0xDBFF) { /* must be followed by a low surrogate */
				if (q + 12 > c->end || q[6] != '\\' || q[7] != 'u' || !hex4(q + 8))
					return -1;
				unsigned lo = (unsigned)strtoul((char[5]){q[8], q[9], q[10], q[11], 0}, NULL, 16);
				if (lo < 0xDC00 || lo > 0xDFFF)
					return -1;
				p = q + 12;
			} else
				p = q + 6;
		} else if (strchr("\"\\/bfnrt", e) && e)
			p = q + 2;
		else
			return -1;
	}
}

/* What jansson refuses of a well-formed number: an integer beyond long long (it has no
   bignums) or a real beyond DBL_MAX. Digits alone past 18 are looked at closely, a real
   only with an exponent or over 300 characters: the rest fit. */
static int out_of_range(const char *s, const char *digits, const char *end, int integer)
{
	size_t n = (size_t)(end - digits);
	if (integer) {
		static const char max[] = "9223372036854775807";
		if (n != 19)
			return n > 19;
		int cmp = memcmp(digits, max, 19);
		return cmp > 0 && !(s[0] == '-' && memcmp(digits, "9223372036854775808", 19) == 0);
	}
	if (!memchr(s, 'e', (size_t)(end - s)) && !memchr(s, 'E', (size_t)(end - s)) && end - s < 300)
		return 0;
	char *copy = sm_strndup(s, (size_t)(end - s));
	double d = strtod(copy, NULL);
	free(copy);
	return isinf(d);
}

static int number(cur *c)
{
	const char *p = c->s;
	if (p < c->end && *p == '-')
		p++;
	const char *digits = p;
	if (p >= c->end || *p < '0' || *p > '9')
		return -1;
	if (*p == '0')
		p++;
	else
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	int integer = 1;
	if (p < c->end && *p == '.') {
		integer = 0;
		if (++p >= c->end || *p < '0' || *p > '9')
			return -1;
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < c->end && (*p == 'e' || *p == 'E')) {
		integer = 0;
		p++;
		if (p < c->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= c->end || *p < '0' || *p > '9')
			return -1;
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	}
	if ((!integer || p - digits >= 19) && out_of_range(c->s, digits, p, integer))
		return -1;
	c->s = p;
	return integer ? SM_JINT : SM_JREAL;
}

static int value(cur *c, int depth, sm_jval *v);

static int container(cur *c, int depth, int object)
{
	char close = object ? '}' : ']';
	c->s++;
	ws(c);
	if (c->s < c->end && *c->s == close) {
		c->s++;
		return 0;
	}
	for (;;) {
		if (object) {
			if (c->s >= c->end || *c->s != '"' || string(c, NULL) < 0)
				return -1;
			ws(c);
			if (c->s >= c->end || *c->s++ != ':')
				return -1;
		}
		if (value(c, depth + 1, NULL) < 0)
			return -1;
		ws(c);
		if (c->s >= c->end)
			return -1;
		if (*c->s == close) {
			c->s++;
			return 0;
		}
		if (*c->s++ != ',')
			return -1;
		ws(c);
	}
}

static int literal(cur *c, const char *word, int type)
{
	size_t n = strlen(word);
	if ((size_t)(c->end - c->s) < n || memcmp(c->s, word, n) != 0)
		return -1;
	c->s += n;
	return type;
}

static int value(cur *c, int depth, sm_jval *v)
{
	const char *start;
	int type;
	ws(c);
	if (c->s >= c->end || depth > MAX_DEPTH)
		return -1;
	start = c->s;
	switch (*c->s) {
	case '"': return string(c, v);
	case '{': type = container(c, depth, 1) < 0 ? -1 : SM_JOBJECT; break;
	case '[': type = container(c, depth, 0) < 0 ? -1 : SM_JARRAY; break;
	case 't': type = literal(c, "true", SM_JTRUE); break;
	case 'f': type = literal(c, "false", SM_JFALSE); break;
	case 'n': type = literal(c, "null", SM_JNULL); break;
	default: type = number(c); break;
	}
	if (type < 0)
		return -1;
	if (v) {
		v->p = start;
		v->n = (size_t)(c->s - start);
		v->type = type;
		v->escaped = 0;
	}
	return 0;
}

static int key_is(const sm_jval *k, const char *name, size_t len)
{
	return !k->escaped && len == k->n && k->p[0] == name[0] && memcmp(k->p, name, len) == 0;
}

int sm_jscan(const char *s, size_t n, const char *const *names, sm_jval *out)
{
	cur c = {s, s + n};
	size_t nn = 0, len[64];
	while (names[nn] && nn < 64) {
		len[nn] = strlen(names[nn]);
		nn++;
	}
	memset(out, 0, nn * sizeof *out);
	ws(&c);
	if (c.s >= c.end || *c.s != '{')
		return -1;
	c.s++;
	ws(&c);
	if (c.s < c.end && *c.s == '}')
		c.s++;
	else
		for (;;) {
			sm_jval k, v;
			if (c.s >= c.end || *c.s != '"' || string(&c, &k) < 0)
				return -1;
			ws(&c);
			if (c.s >= c.end || *c.s++ != ':' || value(&c, 1, &v) < 0)
				return -1;
			if (k.escaped) /* a member name with escapes: let jansson read this line */
				return -1;
			for (size_t i = 0; i < nn; i++)
				if (key_is(&k, names[i], len[i])) {
					if (out[i].p) /* a duplicate of a member we read: let jansson say so */
						return -1;
					out[i] = v;
				}
			ws(&c);
			if (c.s < c.end && *c.s == ',') {
				c.s++;
				ws(&c);
				continue;
			}
			if (c.s >= c.end || *c.s++ != '}')
				return -1;
			break;
		}
	ws(&c);
	return c.s == c.end ? 0 : -1;
}

/* The elements (arrays) or member values (objects) of v, one at a time: 1, 0 at the end. */
int sm_jnext(const sm_jval *v, const char **pos, sm_jval *elem)
{
	cur c = {*pos ? *pos : v->p + 1, v->p + v->n - 1};
	ws(&c);
	if (c.s < c.end && *c.s == ',')
		c.s++;
	ws(&c);
	if (c.s >= c.end)
		return 0;
	if (v->type == SM_JOBJECT) {
		if (string(&c, NULL) < 0)
			return 0;
		ws(&c);
		c.s++; /* the colon: checked when v was scanned */
	}
	if (value(&c, 1, elem) < 0)
		return 0;
	*pos = c.s;
	return 1;
}

static void put_utf8(sm_buf *b, unsigned cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	sm_buf_add(b, u, n);
}

/* Decode a scanned string into out (appended, NUL-terminated). The scan has refused
   \u0000 and lone surrogates already; -1 stays for strings not from sm_jscan. */
int sm_jstring(const sm_jval *v, sm_buf *out)
{
	if (!v->escaped) {
		sm_buf_add(out, v->p, v->n);
		return 0;
	}
	for (size_t i = 0; i < v->n; i++) {
		char ch = v->p[i];
		if (ch != '\\') {
			sm_buf_addc(out, ch);
			continue;
		}
		ch = v->p[++i];
		if (ch != 'u') {
			static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
			sm_buf_addc(out, to[strchr(from, ch) - from]);
			continue;
		}
		unsigned cp = (unsigned)strtoul((char[5]){v->p[i + 1], v->p[i + 2], v->p[i + 3], v->p[i + 4], 0}, NULL, 16);
		i += 4;
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (i + 6 >= v->n || v->p[i + 1] != '\\' || v->p[i + 2] != 'u')
				return -1;
			unsigned lo = (unsigned)strtoul((char[5]){v->p[i + 3], v->p[i + 4], v->p[i + 5], v->p[i + 6], 0}, NULL, 16);
			if (lo < 0xDC00 || lo > 0xDFFF)
				return -1;
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			i += 6;
		} else if (cp == 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
			return -1;
		put_utf8(out, cp);
	}
	return 0;
}
