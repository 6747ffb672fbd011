/*
 * mime.c - reading Internet messages: header fields (RFC 5322, unfolded), encoded words
 * (RFC 2047), parameters (RFC 2045, 2231), transfer encodings and charsets (iconv), and
 * the walk of a MIME tree down to one plain text and a list of attachments.
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail.h"

enum { MAX_SECTIONS = 64 };

static int is_wsp(char c) { return c == ' ' || c == '\t'; }

/* The end of the line at p (before "\r\n" or "\n"), and *next the start of the next. */
static const char *line_end(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	*next = nl ? nl + 1 : end;
	if (!nl)
		return end;
	return nl > p && nl[-1] == '\r' ? nl - 1 : nl;
}

size_t sm_mime_body_start(const char *msg, size_t len)
{
	const char *p = msg, *end = msg + len, *next;
	while (p < end) {
		const char *e = line_end(p, end, &next);
		if (e == p)
			return (size_t)(next - msg);
		p = next;
	}
	return len;
}

static char *trim_dup(const char *s, size_t n)
{
	while (n && (is_wsp(*s) || *s == '\r' || *s == '\n'))
		s++, n--;
	while (n && (is_wsp(s[n - 1]) || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return sm_strndup(s, n);
}

char *sm_mime_header(const char *msg, size_t len, const char *name)
{
	const char *p = msg, *end = msg + sm_mime_body_start(msg, len), *next;
	size_t nl = strlen(name);
	while (p < end) {
		const char *e = line_end(p, end, &next);
		if (e == p)
			break;
		if ((size_t)(e - p) > nl && p[nl] == ':' && strncasecmp(p, name, nl) == 0) {
			sm_buf v = {0};
			sm_buf_add(&v, p + nl + 1, (size_t)(e - p - nl - 1));
			for (p = next; p < end && is_wsp(*p); p = next) { /* unfold */
				e = line_end(p, end, &next);
				sm_buf_add(&v, p, (size_t)(e - p));
			}
			char *r = trim_dup(v.s ? v.s : "", v.len);
			sm_buf_free(&v);
			return r;
		}
		p = next;
	}
	return NULL;
}

/* The name iconv knows a MIME charset by, with the web's reading of the Latin ones. */
static const char *iconv_name(const char *cs)
{
	static const char *const map[][2] = {
		{"us-ascii", "UTF-8"},	   {"ascii", "UTF-8"},	      {"utf8", "UTF-8"},
		{"iso-8859-1", "CP1252"},  {"latin1", "CP1252"},      {"iso_8859-1", "CP1252"},
		{"gb2312", "GB18030"},	   {"gbk", "GB18030"},	      {"ks_c_5601-1987", "CP949"},
		{"x-unknown", "UTF-8"},	   {"unknown-8bit", "UTF-8"}, {"8bit", "UTF-8"},
	};
	if (!cs || !*cs)
		return "UTF-8";
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcasecmp(cs, map[i][0]) == 0)
			return map[i][1];
	return cs;
}

static void add_fffd(sm_buf *b) { sm_buf_adds(b, "\xEF\xBF\xBD"); }

/* glibc's iconv passes on from UTF-8 what UTF-8 forbids (F5..FF, surrogates, overlong
   forms, above U+10FFFF): each such byte becomes U+FFFD here. */
static void valid_utf8(sm_buf *b)
{
	size_t bad, from = 0;
	if (!b->len || sm_utf8_valid(b->s, b->len, &bad))
		return;
	sm_buf out = {0};
	do {
		sm_buf_add(&out, b->s + from, bad);
		add_fffd(&out);
		from += bad + 1;
	} while (from < b->len && !sm_utf8_valid(b->s + from, b->len - from, &bad));
	sm_buf_add(&out, b->s + from, b->len - from);
	sm_buf_free(b);
	*b = out;
}

/* Convert with cd, U+FFFD for each byte it cannot read. */
static void convert(iconv_t cd, const char *s, size_t n, sm_buf *b)
{
	char *in = (char *)s;
	size_t inleft = n;
	while (inleft) {
		char chunk[4096], *out = chunk;
		size_t outleft = sizeof chunk;
		size_t r = iconv(cd, &in, &inleft, &out, &outleft);
		int e = errno;
		sm_buf_add(b, chunk, sizeof chunk - outleft);
		if (r != (size_t)-1 || e == E2BIG)
			continue;
		add_fffd(b);
		if (e == EINVAL) /* an incomplete sequence at the end */
			break;
		in++, inleft--;
	}
	char chunk[64], *out = chunk; /* the shift back of stateful charsets (ISO-2022-JP) */
	size_t outleft = sizeof chunk;
	iconv(cd, NULL, NULL, &out, &outleft);
	sm_buf_add(b, chunk, sizeof chunk - outleft);
}

char *sm_mime_to_utf8(const char *s, size_t n, const char *charset, size_t *outlen)
{
	char cs[64];
	sm_buf b = {0};
	size_t k = 0;
	for (const char *p = charset ? charset : ""; *p && k < sizeof cs - 1; p++)
		if (*p != '"' && *p != '\'' && !is_wsp(*p))
			cs[k++] = *p;
	cs[k] = 0;
	iconv_t cd = iconv_open("UTF-8", iconv_name(cs));
	if (cd == (iconv_t)-1)
		cd = iconv_open("UTF-8", "UTF-8"); /* an unknown charset: read it as UTF-8 */
	convert(cd, s, n, &b);
	iconv_close(cd);
	valid_utf8(&b);
	for (size_t i = 0; i < b.len; i++) /* JSON text never holds NUL */
		if (b.s[i] == 0)
			b.s[i] = ' ';
	if (outlen)
		*outlen = b.len;
	return sm_buf_detach(&b);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

void sm_mime_qp_decode(const char *s, size_t n, sm_buf *out)
{
	const char *end = s + n;
	while (s < end) {
		const char *next, *e = line_end(s, end, &next), *t = e;
		while (t > s && is_wsp(t[-1])) /* transport padding */
			t--;
		int soft = t > s && t[-1] == '=';
		for (const char *p = s; p < t - soft; p++) {
			int hi, lo;
			if (*p == '=' && p + 2 < t && (hi = hexval(p[1])) >= 0 && (lo = hexval(p[2])) >= 0) {
				sm_buf_addc(out, (char)(hi << 4 | lo));
				p += 2;
			} else
				sm_buf_addc(out, *p);
		}
		if (!soft && next > e)
			sm_buf_addc(out, '\n');
		s = next;
	}
}

void sm_mime_base64_decode(const char *s, size_t n, sm_buf *out)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n && s[i] != '='; i++) {
		const char *p = s[i] ? strchr(abc, s[i]) : NULL;
		if (!p)
			continue;
		acc = acc << 6 | (unsigned)(p - abc);
		if ((bits += 6) >= 8) {
			bits -= 8;
			sm_buf_addc(out, (char)(acc >> bits & 0xFF));
		}
	}
}

/* One encoded word at s ("=?cs?Q?text?="): its charset, encoding and text, *end after. */
static int encoded_word(const char *s, char *cs, size_t cssize, char *enc, const char **text,
			size_t *tlen, const char **end)
{
	if (s[0] != '=' || s[1] != '?')
		return 0;
	const char *q1 = strchr(s + 2, '?');
	if (!q1 || (size_t)(q1 - s - 2) >= cssize || q1 == s + 2 || !q1[1] || q1[2] != '?')
		return 0;
	const char *close = strstr(q1 + 3, "?=");
	if (!close || memchr(q1 + 3, '\n', (size_t)(close - q1 - 3)))
		return 0;
	*enc = (char)(q1[1] | 0x20);
	if (*enc != 'q' && *enc != 'b')
		return 0;
	memcpy(cs, s + 2, (size_t)(q1 - s - 2));
	cs[q1 - s - 2] = 0;
	char *star = strchr(cs, '*'); /* RFC 2231 language: =?UTF-8*de?Q?...?= */
	if (star)
		*star = 0;
	*text = q1 + 3;
	*tlen = (size_t)(close - q1 - 3);
	*end = close + 2;
	return 1;
}

static void word_bytes(char enc, const char *t, size_t n, sm_buf *raw)
{
	if (enc == 'b') {
		sm_mime_base64_decode(t, n, raw);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (t[i] == '_')
			sm_buf_addc(raw, ' ');
		else if (t[i] == '=' && i + 2 < n && (hi = hexval(t[i + 1])) >= 0 &&
			 (lo = hexval(t[i + 2])) >= 0) {
			sm_buf_addc(raw, (char)(hi << 4 | lo));
			i += 2;
		} else
			sm_buf_addc(raw, t[i]);
	}
}

static void flush_words(sm_buf *out, sm_buf *raw, const char *cs)
{
	if (!raw->len)
		return;
	char *u = sm_mime_to_utf8(raw->s, raw->len, cs, NULL);
	sm_buf_adds(out, u);
	free(u);
	sm_buf_reset(raw);
}

static void add_plain(sm_buf *out, const char *s, size_t n)
{
	size_t len;
	char *u = sm_utf8_fix(s, n, &len);
	sm_buf_add(out, u, len);
	free(u);
}

/* Adjacent words of one charset are joined before conversion: a character may be split. */
char *sm_mime_decode_words(const char *s)
{
	sm_buf out = {0}, raw = {0};
	char cs[64] = "", wcs[64], enc;
	const char *p = s, *text, *end;
	size_t tlen;
	while (*p) {
		const char *q = strstr(p, "=?");
		while (q && !encoded_word(q, wcs, sizeof wcs, &enc, &text, &tlen, &end))
			q = strstr(q + 2, "=?");
		const char *gap = q ? q : p + strlen(p);
		int blank = raw.len && q && strspn(p, " \t\r\n") == (size_t)(q - p);
		if (!blank) {
			flush_words(&out, &raw, cs);
			add_plain(&out, p, (size_t)(gap - p));
		}
		if (!q)
			break;
		if (raw.len && strcasecmp(cs, wcs) != 0)
			flush_words(&out, &raw, cs);
		snprintf(cs, sizeof cs, "%s", wcs);
		word_bytes(enc, text, tlen, &raw);
		p = end;
	}
	flush_words(&out, &raw, cs);
	sm_buf_free(&raw);
	return sm_buf_detach(&out);
}

/* The next ';'-separated parameter of a header: name and value (unquoted), or 0 at the end. */
static int next_param(const char **pp, sm_buf *key, sm_buf *val)
{
	const char *p = *pp;
	while (*p && *p != ';') { /* skip the value before the first ';' */
		if (*p == '"')
			for (p++; *p && *p != '"'; p++)
				p += *p == '\\' && p[1];
		if (*p)
			p++;
	}
	if (!*p)
		return 0;
	p++;
	sm_buf_reset(key);
	sm_buf_reset(val);
	p += strspn(p, " \t\r\n");
	while (*p && *p != '=' && *p != ';' && !is_wsp(*p))
		sm_buf_addc(key, (char)(*p >= 'A' && *p <= 'Z' ? *p | 0x20 : *p)), p++;
	p += strspn(p, " \t");
	if (*p == '=')
		p += 1 + strspn(p + 1, " \t");
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++)
			sm_buf_addc(val, *p == '\\' && p[1] ? *++p : *p);
		p += *p == '"';
	} else
		while (*p && *p != ';' && !is_wsp(*p))
			sm_buf_addc(val, *p++);
	sm_buf_addc(key, 0);
	sm_buf_addc(val, 0);
	*pp = p;
	return 1;
}

static void pct_decode(const char *s, sm_buf *out)
{
	for (int hi, lo; *s; s++)
		if (*s == '%' && (hi = hexval(s[1])) >= 0 && (lo = hexval(s[2])) >= 0) {
			sm_buf_addc(out, (char)(hi << 4 | lo));
			s += 2;
		} else
			sm_buf_addc(out, *s);
}

/* RFC 2231: name*=cs'lang'%XX, and sections name*0, name*1*... joined in order. */
static char *extended(const char *v, int encoded, char **sections, int *enc)
{
	sm_buf raw = {0};
	char cs[64] = "";
	for (int i = 0; i < MAX_SECTIONS && (i == 0 || sections[i]); i++) {
		const char *s = sections ? sections[i] : v;
		int e = sections ? enc[i] : encoded;
		if (!s)
			break;
		if (i == 0 && e) {
			const char *q1 = strchr(s, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
			if (q2) {
				snprintf(cs, sizeof cs, "%.*s", (int)(q1 - s < 63 ? q1 - s : 63), s);
				s = q2 + 1;
			}
		}
		if (e)
			pct_decode(s, &raw);
		else
			sm_buf_adds(&raw, s);
		if (!sections)
			break;
	}
	char *u = sm_mime_to_utf8(raw.s ? raw.s : "", raw.len, cs, NULL);
	sm_buf_free(&raw);
	return u;
}

char *sm_mime_param(const char *header, const char *name)
{
	sm_buf key = {0}, val = {0};
	char *plain = NULL, *ext = NULL, *sections[MAX_SECTIONS] = {0};
	int enc[MAX_SECTIONS] = {0}, nsec = 0;
	size_t nl = strlen(name);
	for (const char *p = header; next_param(&p, &key, &val);) {
		const char *k = key.s;
		if (strncasecmp(k, name, nl) != 0)
			continue;
		if (!k[nl] && !plain)
			plain = sm_strdup(val.s);
		else if (strcmp(k + nl, "*") == 0 && !ext)
			ext = extended(val.s, 1, NULL, NULL);
		else if (k[nl] == '*' && k[nl + 1] >= '0' && k[nl + 1] <= '9') {
			char *after;
			long i = strtol(k + nl + 1, &after, 10);
			if (i >= 0 && i < MAX_SECTIONS && !sections[i] && (!*after || !strcmp(after, "*"))) {
				sections[i] = sm_strdup(val.s);
				enc[i] = *after == '*';
				nsec++;
			}
		}
	}
	char *r = ext ? ext : nsec && sections[0] ? extended(NULL, 0, sections, enc) : NULL;
	if (!r && plain)
		r = sm_mime_decode_words(plain); /* encoded words in a filename: common, not standard */
	if (r != ext)
		free(ext);
	free(plain);
	for (int i = 0; i < MAX_SECTIONS; i++)
		free(sections[i]);
	sm_buf_free(&key);
	sm_buf_free(&val);
	return r;
}

