/*
 * mime_body.c - the walk of a MIME tree (RFC 2046) down to one plain text: text/plain
 * preferred among alternatives, text/html made text, format=flowed (RFC 3676) joined,
 * and a list of the attachments, whose content is not kept.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail.h"

enum { MAX_DEPTH = 16, MAX_PARTS = 256 };

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

/* The MIME walk: the text found so far and the attachments. */
typedef struct {
	sm_buf text;
	json_t *media;
} walk;
typedef struct {
	const char *p;
	size_t n;
} span;

static void walk_part(const char *p, size_t n, int depth, walk *w);

/* "type/subtype" of a Content-Type, lowercase; text/plain when there is none. */
static void media_type(const char *ct, char out[128])
{
	size_t k = 0;
	for (const char *p = ct ? ct : ""; *p && *p != ';' && k < 127; p++)
		if (!is_wsp(*p) && *p != '\r' && *p != '\n')
			out[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p | 0x20 : *p);
	out[k] = 0;
	if (!k || !strchr(out, '/'))
		strcpy(out, "text/plain");
}

/* RFC 3676: lines ending in a space go on in the next line of the same quote depth. */
static void unflow(const char *s, int delsp, sm_buf *b)
{
	int flowed_prev = 0;
	size_t depth_prev = 0;
	for (const char *l = s; *l;) {
		size_t n = strcspn(l, "\n"), q = strspn(l, ">"), step = n + (l[n] == '\n');
		n -= n && l[n - 1] == '\r';
		q = q > n ? n : q;
		const char *c = l + q;
		size_t cn = n - q;
		if (cn && *c == ' ')
			c++, cn--;
		int flowed = cn && c[cn - 1] == ' ' && !(cn == 3 && !memcmp(c, "-- ", 3));
		if (!flowed_prev || q != depth_prev) {
			if (flowed_prev)
				sm_buf_addc(b, '\n');
			for (size_t i = 0; i < q; i++)
				sm_buf_addc(b, '>');
			if (q)
				sm_buf_addc(b, ' ');
		}
		sm_buf_add(b, c, cn - (size_t)(flowed && delsp));
		if (!flowed)
			sm_buf_addc(b, '\n');
		flowed_prev = flowed;
		depth_prev = q;
		l += step;
	}
}

/* Text with LF line ends and without trailing blanks on its lines. */
static void add_lines(sm_buf *b, const char *s)
{
	while (*s) {
		size_t n = strcspn(s, "\r\n"), t = n;
		while (t && is_wsp(s[t - 1]))
			t--;
		sm_buf_add(b, s, t);
		s += n;
		if (*s)
			sm_buf_addc(b, '\n');
		s += *s == '\r' && s[1] == '\n' ? 2 : *s != 0;
	}
}

/* The content of a text part as UTF-8 plain text. */
static char *leaf_text(const char *p, size_t n, const char *ct, const char *type)
{
	size_t at = sm_mime_body_start(p, n);
	char *cte = sm_mime_header(p, n, "Content-Transfer-Encoding");
	sm_buf raw = {0}, lines = {0};
	if (cte && strcasecmp(cte, "quoted-printable") == 0)
		sm_mime_qp_decode(p + at, n - at, &raw);
	else if (cte && strcasecmp(cte, "base64") == 0)
		sm_mime_base64_decode(p + at, n - at, &raw);
	else
		sm_buf_add(&raw, p + at, n - at);
	char *cs = ct ? sm_mime_param(ct, "charset") : NULL;
	size_t len;
	char *u = sm_mime_to_utf8(raw.s ? raw.s : "", raw.len, cs, &len), *t;
	if (strcmp(type, "text/html") == 0)
		t = sm_html_to_text(u, len);
	else {
		char *fmt = ct ? sm_mime_param(ct, "format") : NULL, *del = ct ? sm_mime_param(ct, "delsp") : NULL;
		if (fmt && strcasecmp(fmt, "flowed") == 0) {
			sm_buf flowed = {0};
			unflow(u, del && strcasecmp(del, "yes") == 0, &flowed);
			add_lines(&lines, flowed.s ? flowed.s : "");
			sm_buf_free(&flowed);
		} else
			add_lines(&lines, u);
		t = sm_buf_detach(&lines);
		free(fmt);
		free(del);
	}
	free(u);
	free(cs);
	free(cte);
	sm_buf_free(&raw);
	return t;
}

static void add_text(walk *w, const char *t)
{
	t += strspn(t, " \t\n");
	if (!*t)
		return;
	if (w->text.len)
		sm_buf_adds(&w->text, "\n\n");
	sm_buf_adds(&w->text, t);
	while (w->text.len && strchr(" \t\n", w->text.s[w->text.len - 1]))
		w->text.s[--w->text.len] = 0;
}

static void add_media(walk *w, const char *type, const char *filename)
{
	if (!strcmp(type, "application/pgp-signature") || !strcmp(type, "application/pkcs7-signature") ||
	    !strcmp(type, "application/x-pkcs7-signature"))
		return; /* a signature of the message, not something the customer sent */
	if (!w->media)
		w->media = json_array();
	json_t *m = json_object();
	if (filename && *filename)
		json_object_set_new(m, "filename", json_string(filename));
	json_object_set_new(m, "type", json_string(type));
	json_array_append_new(w->media, m);
}

static void leaf(const char *p, size_t n, const char *ct, const char *cd, const char *type, walk *w)
{
	int attachment = (cd && strncasecmp(cd, "attachment", 10) == 0) ||
			 (strcmp(type, "text/plain") != 0 && strcmp(type, "text/html") != 0);
	if (attachment) {
		char *name = cd ? sm_mime_param(cd, "filename") : NULL;
		if (!name && ct)
			name = sm_mime_param(ct, "name");
		add_media(w, type, name);
		free(name);
		return;
	}
	char *t = leaf_text(p, n, ct, type);
	add_text(w, t);
	free(t);
}

/* The parts between the boundary's delimiter lines; the preamble and epilogue are left. */
static size_t split(const char *p, size_t n, const char *bd, span *parts)
{
	size_t bl = strlen(bd), k = 0;
	const char *end = p + n, *start = NULL, *next;
	for (const char *line = p; line < end && k < MAX_PARTS; line = next) {
		const char *e = line_end(line, end, &next), *rest = line + 2 + bl;
		if ((size_t)(e - line) < bl + 2 || line[0] != '-' || line[1] != '-' || memcmp(line + 2, bd, bl))
			continue;
		int close = e - rest >= 2 && rest[0] == '-' && rest[1] == '-';
		for (rest += close ? 2 : 0; rest < e && is_wsp(*rest); rest++)
			;
		if (rest != e)
			continue;
		if (start) {
			const char *stop = line > start && line[-1] == '\n' ? line - 1 : line;
			stop -= stop > start && stop[-1] == '\r';
			parts[k++] = (span){start, (size_t)(stop > start ? stop - start : 0)};
		}
		start = close ? NULL : next;
		if (close)
			return k;
	}
	if (start && k < MAX_PARTS)
		parts[k++] = (span){start, (size_t)(end - start)}; /* no closing delimiter */
	return k;
}

static int is_plain(span s)
{
	char *ct = sm_mime_header(s.p, s.n, "Content-Type"), type[128];
	media_type(ct, type);
	free(ct);
	return strcmp(type, "text/plain") == 0;
}

static void merge(walk *w, walk *sub)
{
	if (sub->text.len)
		add_text(w, sub->text.s);
	for (size_t i = 0; sub->media && i < json_array_size(sub->media); i++) {
		if (!w->media)
			w->media = json_array();
		json_array_append(w->media, json_array_get(sub->media, i));
	}
	sm_buf_free(&sub->text);
	json_decref(sub->media);
}

/* One alternative: text/plain first, then the others, most faithful (last) first; the
   first one that holds any text wins. */
static void alternative(span *parts, size_t k, int depth, walk *w)
{
	for (int pass = 0; pass < 2; pass++)
		for (size_t j = 0; j < k; j++) {
			size_t i = pass ? k - 1 - j : j;
			if (is_plain(parts[i]) != !pass)
				continue;
			walk sub = {{0}, NULL};
			walk_part(parts[i].p, parts[i].n, depth + 1, &sub);
			if (sub.text.len) {
				merge(w, &sub);
				return;
			}
			sm_buf_free(&sub.text);
			json_decref(sub.media);
		}
}

static void walk_part(const char *p, size_t n, int depth, walk *w)
{
	char *ct = sm_mime_header(p, n, "Content-Type"), *cd = sm_mime_header(p, n, "Content-Disposition");
	char type[128], *bd = ct ? sm_mime_param(ct, "boundary") : NULL;
	media_type(ct, type);
	if (strncmp(type, "multipart/", 10) == 0 && bd && *bd && depth < MAX_DEPTH) {
		span *parts = sm_malloc(MAX_PARTS * sizeof *parts);
		size_t at = sm_mime_body_start(p, n), k = split(p + at, n - at, bd, parts);
		if (strcmp(type, "multipart/alternative") == 0)
			alternative(parts, k, depth, w);
		else
			for (size_t i = 0; i < k; i++)
				walk_part(parts[i].p, parts[i].n, depth + 1, w);
		free(parts);
	} else
		leaf(p, n, ct, cd, strncmp(type, "multipart/", 10) ? type : "text/plain", w);
	free(bd);
	free(ct);
	free(cd);
}

void sm_mime_body_parse(const char *msg, size_t len, sm_mime_body *out)
{
	walk w = {{0}, NULL};
	walk_part(msg, len, 0, &w);
	out->text = sm_buf_detach(&w.text);
	out->media = w.media;
}

void sm_mime_body_free(sm_mime_body *b)
{
	free(b->text);
	json_decref(b->media);
	b->text = NULL;
	b->media = NULL;
}
