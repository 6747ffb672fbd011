/*
 * mail.c - RFC 5322 on the way in and out: addresses and message ids read from header
 * fields, and messages written with MIME (RFC 2045-2047): UTF-8 text in quoted-printable,
 * header words encoded where they are not ASCII, every line at most 78 characters.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mail.h"

enum { WIDTH = 78 };

static int is_wsp(char c) { return c == ' ' || c == '\t'; }

static char *trim_dup(const char *s, size_t n)
{
	while (n && (is_wsp(*s) || *s == '\r' || *s == '\n'))
		s++, n--;
	while (n && (is_wsp(s[n - 1]) || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return sm_strndup(s, n);
}

/* A display name: quotes and backslashes removed, encoded words decoded. */
static char *phrase(const char *s, size_t n)
{
	sm_buf b = {0};
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\\' && i + 1 < n)
			sm_buf_addc(&b, s[++i]);
		else if (s[i] != '"')
			sm_buf_addc(&b, s[i]);
	char *t = trim_dup(b.s ? b.s : "", b.len), *d = sm_mime_decode_words(t);
	free(t);
	sm_buf_free(&b);
	if (!*d) {
		free(d);
		return NULL;
	}
	return d;
}

/* The end of the first address of a list: the first ',' outside quotes, <> and (). */
static const char *address_end(const char *s)
{
	int depth = 0, angle = 0;
	for (; *s; s++) {
		if (*s == '"')
			for (s++; *s && *s != '"'; s++)
				s += *s == '\\' && s[1];
		else if (*s == '(')
			depth++;
		else if (*s == ')' && depth)
			depth--;
		else if (*s == '<')
			angle = 1;
		else if (*s == '>')
			angle = 0;
		else if (*s == ',' && !depth && !angle)
			return s;
		if (!*s)
			break;
	}
	return s;
}

/* No blank, control character or angle bracket: nothing that could end a header line. */
static int plain_token(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 127 || *s == '<' || *s == '>')
			return 0;
	return 1;
}

int sm_mail_address(const char *header, char **name, char **addr)
{
	const char *end = address_end(header), *lt = NULL;
	*name = *addr = NULL;
	for (const char *p = header; p < end; p++) {
		if (*p == '"')
			for (p++; p < end && *p != '"'; p++)
				p += *p == '\\';
		else if (*p == '<' && !lt)
			lt = p;
	}
	if (lt) {
		const char *gt = memchr(lt, '>', (size_t)(end - lt));
		*addr = trim_dup(lt + 1, (size_t)((gt ? gt : end) - lt - 1));
		*name = phrase(header, (size_t)(lt - header));
	} else { /* addr@example.com (Name) */
		const char *cm = memchr(header, '(', (size_t)(end - header));
		const char *ce = cm ? memchr(cm, ')', (size_t)(end - cm)) : NULL;
		*addr = trim_dup(header, (size_t)((cm ? cm : end) - header));
		if (ce)
			*name = phrase(cm + 1, (size_t)(ce - cm - 1));
	}
	if (!**addr || !strchr(*addr, '@') || !plain_token(*addr)) {
		free(*addr);
		free(*name);
		*name = *addr = NULL;
		return -1;
	}
	return 0;
}

static char **list_add(char **list, size_t *n, char *s)
{
	list = sm_realloc(list, (*n + 2) * sizeof *list);
	list[(*n)++] = s;
	list[*n] = NULL;
	return list;
}

char **sm_mail_addresses(const char *header)
{
	size_t n = 0;
	char **list = sm_calloc(1, sizeof *list), *name, *addr;
	for (const char *p = header; *p;) {
		const char *end = address_end(p), *colon = strchr(p, ':');
		if (colon && colon < end && !memchr(p, '<', (size_t)(colon - p)) &&
		    !memchr(p, '"', (size_t)(colon - p)))
			p = colon + 1; /* a group: "team: a@x, b@y;" */
		end = address_end(p);
		char *one = sm_strndup(p, (size_t)(end - p));
		char *semi = strrchr(one, ';');
		if (semi && !strchr(semi, '>') && !strchr(semi, '@'))
			*semi = 0;
		if (sm_mail_address(one, &name, &addr) == 0) {
			list = list_add(list, &n, addr);
			free(name);
		}
		free(one);
		p = *end ? end + 1 : end;
	}
	return list;
}

char **sm_mail_msgids(const char *header)
{
	size_t n = 0;
	char **list = sm_calloc(1, sizeof *list);
	const char *p = header;
	int brackets = strchr(header, '<') != NULL;
	while (*p) {
		size_t len;
		if (brackets) {
			const char *lt = strchr(p, '<'), *gt = lt ? strchr(lt, '>') : NULL;
			if (!gt)
				break;
			p = lt + 1;
			len = (size_t)(gt - p);
		} else {
			p += strspn(p, " \t\r\n,");
			len = strcspn(p, " \t\r\n,");
		}
		char *id = trim_dup(p, len);
		p += len + (brackets && p[len]);
		if (!*id || strchr(id, '<')) {
			free(id);
			continue;
		}
		list = list_add(list, &n, id);
	}
	return list;
}

void sm_mail_list_free(char **list)
{
	for (char **p = list; p && *p; p++)
		free(*p);
	free(list);
}

char *sm_mail_date(time_t t, char out[40])
{
	static const char days[][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	gmtime_r(&t, &tm); /* names by hand: strftime would speak the user's language */
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
		 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return out;
}

void sm_mail_base64(const void *data, size_t n, sm_buf *out)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		char q[4] = {abc[v >> 18 & 63], abc[v >> 12 & 63], i + 1 < n ? abc[v >> 6 & 63] : '=',
			     i + 2 < n ? abc[v & 63] : '='};
		sm_buf_add(out, q, 4);
	}
}

/* A header being written: its line so far has *col characters. */
typedef struct {
	sm_buf *b;
	size_t col;
	int words; /* a fold only after the first word: never right after the field name */
} line;

/* Add a word, after a space or, when the line would grow past WIDTH, a fold. */
static void word(line *l, const char *w, size_t n, int space)
{
	if (space && l->col + 1 + n > WIDTH && l->words) {
		sm_buf_adds(l->b, "\r\n");
		l->col = 0;
	}
	if (space) {
		sm_buf_addc(l->b, ' ');
		l->col++;
	}
	sm_buf_add(l->b, w, n);
	l->col += n;
	l->words++;
}

static int is_ascii_text(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 127 || ((unsigned char)*s < 32 && *s != '\t'))
			return 0;
	return 1;
}

/* UTF-8 text as RFC 2047 B words, each fitting the line it starts, no character split. */
static void encoded_words(line *l, const char *s)
{
	for (size_t n = strlen(s); n;) {
		size_t room = l->col + 1 + 12 + 8 <= WIDTH ? WIDTH - l->col - 1 - 12 : WIDTH - 1 - 12;
		size_t take = room / 4 * 3;
		if (take >= n)
			take = n;
		else
			while (take && ((unsigned char)s[take] & 0xC0) == 0x80)
				take--;
		sm_buf w = {0};
		sm_buf_adds(&w, "=?UTF-8?B?");
		sm_mail_base64(s, take, &w);
		sm_buf_adds(&w, "?=");
		word(l, w.s, w.len, 1);
		sm_buf_free(&w);
		s += take;
		n -= take;
	}
}

/* Unstructured text (Subject): words folded, or encoded words when it is not ASCII. */
static void text_words(line *l, const char *s)
{
	if (!is_ascii_text(s) || strstr(s, "=?")) {
		encoded_words(l, s);
		return;
	}
	for (s += strspn(s, " \t"); *s; s += strspn(s, " \t")) {
		size_t n = strcspn(s, " \t");
		word(l, s, n, 1);
		s += n;
	}
}

/* A display name: as it is, quoted, or encoded. */
static void display_name(line *l, const char *name)
{
	if (!is_ascii_text(name) || strstr(name, "=?")) {
		encoded_words(l, name);
		return;
	}
	if (name[strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			       "!#$%&'*+-/=?^_`{|}~ ")]) {
		sm_buf q = {0};
		sm_buf_addc(&q, '"');
		for (const char *p = name; *p; p++) {
			if (*p == '"' || *p == '\\')
				sm_buf_addc(&q, '\\');
			sm_buf_addc(&q, *p);
		}
		sm_buf_addc(&q, '"');
		word(l, q.s, q.len, 1);
		sm_buf_free(&q);
	} else
		text_words(l, name);
}

/* An address list header, each mailbox written again as name <addr>. */
static void address_list(sm_buf *b, const char *field, const char *list)
{
	line l = {b, 0, 0};
	int first = 1;
	sm_buf_adds(b, field);
	l.col = strlen(field);
	for (const char *p = list; *p;) {
		const char *end = address_end(p);
		char *one = sm_strndup(p, (size_t)(end - p)), *name, *addr;
		if (sm_mail_address(one, &name, &addr) == 0) {
			if (!first) {
				sm_buf_addc(b, ',');
				l.col++;
			}
			if (name)
				display_name(&l, name);
			char *a = sm_asprintf("<%s>", addr);
			word(&l, a, strlen(a), 1);
			free(a);
			free(name);
			free(addr);
			first = 0;
		}
		free(one);
		p = *end ? end + 1 : end;
	}
	sm_buf_adds(b, "\r\n");
}

/* A header of message ids; none when there is no good one (a record may say anything:
   never a line break in a header). */
static void ids(sm_buf *b, const char *field, const char *const *list)
{
	sm_buf h = {0};
	line l = {&h, strlen(field), 0};
	sm_buf_adds(&h, field);
	for (; *list; list++) {
		if (!plain_token(*list))
			continue;
		char *a = sm_asprintf("<%s>", *list);
		word(&l, a, strlen(a), 1);
		free(a);
	}
	if (l.words)
		sm_buf_printf(b, "%s\r\n", h.s);
	sm_buf_free(&h);
}

/* Quoted-printable, lines of at most 76 characters, CRLF for each line break. */
static void qp_encode(const char *s, sm_buf *out)
{
	size_t col = 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\r' && s[1] == '\n')
			continue;
		if (c == '\n') {
			sm_buf_adds(out, "\r\n");
			col = 0;
			continue;
		}
		int last = !s[1] || s[1] == '\n' || (s[1] == '\r' && s[2] == '\n');
		int enc = c == '=' || c >= 127 || (c < 32 && c != '\t') || (is_wsp((char)c) && last) ||
			  (col == 0 && (c == '.' || strncmp(s, "From ", 5) == 0));
		if (col + (enc ? 3 : 1) > 75) {
			sm_buf_adds(out, "=\r\n");
			col = 0;
		}
		if (enc)
			sm_buf_printf(out, "=%02X", c);
		else
			sm_buf_addc(out, (char)c);
		col += enc ? 3 : 1;
	}
	if (col)
		sm_buf_adds(out, "\r\n");
}

char *sm_mail_build(const sm_mail *m, size_t *len)
{
	sm_buf b = {0};
	char date[40];
	sm_buf_printf(&b, "Date: %s\r\n", sm_mail_date(m->date, date));
	address_list(&b, "From:", m->from);
	address_list(&b, "To:", m->to);
	if (m->subject && *m->subject) {
		line l = {&b, 8, 0};
		sm_buf_adds(&b, "Subject:");
		text_words(&l, m->subject);
		sm_buf_adds(&b, "\r\n");
	}
	const char *one[2] = {m->message_id, NULL};
	ids(&b, "Message-ID:", one);
	if (m->in_reply_to) {
		one[0] = m->in_reply_to;
		ids(&b, "In-Reply-To:", one);
	}
	if (m->references && *m->references)
		ids(&b, "References:", m->references);
	sm_buf_adds(&b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
			"Content-Transfer-Encoding: quoted-printable\r\n");
	if (m->lang && *m->lang && strlen(m->lang) < 40 &&
	    strspn(m->lang, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") ==
		    strlen(m->lang))
		sm_buf_printf(&b, "Content-Language: %s\r\n", m->lang);
	sm_buf_adds(&b, "\r\n");
	qp_encode(m->text, &b);
	*len = b.len;
	return sm_buf_detach(&b);
}
