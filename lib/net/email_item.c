/*
 * net/email_item.c - the messages of an IMAP UID FETCH response made item records, and a
 * page of them stored with its mailbox's cursor in one transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "../mail.h"
#include "email.h"

/* "* 12 FETCH (UID 40 BODY[]<0> {2817}": the literal's size and the UID if it comes first. */
static int fetch_line(const char *p, const char *e, size_t *size, unsigned long *uid)
{
	if (e - p < 12 || p[0] != '*' || p[1] != ' ' || e[-1] != '}')
		return 0;
	const char *f = memmem(p, (size_t)(e - p), " FETCH (", 8), *brace = e - 1;
	while (brace > p && *brace != '{')
		brace--;
	if (!f || brace < f || brace + 2 >= e)
		return 0;
	for (const char *d = brace + 1; d < e - 1; d++)
		if (*d < '0' || *d > '9')
			return 0;
	*size = strtoul(brace + 1, NULL, 10);
	const char *u = memmem(f, (size_t)(brace - f), "UID ", 4);
	*uid = u && (u[-1] == '(' || u[-1] == ' ') ? strtoul(u + 4, NULL, 10) : 0;
	return 1;
}

/* A UID given after the literal: " UID 40)" */
static unsigned long uid_after(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
	const char *u = memmem(p, (size_t)(e - p), "UID ", 4);
	return u ? strtoul(u + 4, NULL, 10) : 0;
}

size_t sm_email_parse_fetch(const sm_buf *b, sm_email_msg *out, size_t max)
{
	const char *p = b->s, *end = b->s + b->len;
	size_t k = 0;
	while (p && p < end && k < max) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *le = e > p && e[-1] == '\r' ? e - 1 : e;
		size_t size;
		unsigned long uid;
		if (!nl || !fetch_line(p, le, &size, &uid)) {
			p = nl ? nl + 1 : end;
			continue;
		}
		sm_email_msg *m = &out[k++];
		const char *lit = nl + 1;
		*m = (sm_email_msg){uid, lit, size, 0};
		if ((size_t)(end - lit) < size) {
			m->n = (size_t)(end - lit);
			m->damaged = 1;
			break;
		}
		const char *after = lit + size;
		if (!m->uid)
			m->uid = uid_after(after, end);
		if (after < end && *after != ')' && *after != ' ') {
			m->damaged = 1; /* the literal was not what its size said */
			break;
		}
		nl = after < end ? memchr(after, '\n', (size_t)(end - after)) : NULL;
		p = nl ? nl + 1 : end;
	}
	return k;
}

static json_t *jstr(const char *s)
{
	json_t *v = json_string(s);
	if (!v) { /* raw 8-bit bytes in a header */
		char *fixed = sm_utf8_fix(s, strlen(s), NULL);
		v = json_string(fixed);
		free(fixed);
	}
	return v;
}

static void set(json_t *o, const char *key, const char *v)
{
	if (v && *v)
		json_object_set_new(o, key, jstr(v));
}

static void set_id(json_t *o, const char *key, const char *channel, const char *ext)
{
	char *id = sm_asprintf("%s:%s", channel, ext);
	json_object_set_new(o, key, jstr(id));
	free(id);
}

static char *header(const sm_email_msg *m, const char *name)
{
	return sm_mime_header(m->p, m->n, name);
}

static char *decoded(const sm_email_msg *m, const char *name)
{
	char *raw = header(m, name), *d = raw ? sm_mime_decode_words(raw) : NULL;
	free(raw);
	return d;
}

static char **ids(const sm_email_msg *m, const char *name)
{
	char *raw = header(m, name), **l = sm_mail_msgids(raw ? raw : "");
	free(raw);
	return l;
}

static void author(json_t *it, const sm_email_msg *m)
{
	char *from = header(m, "From"), *name, *addr;
	if (from && sm_mail_address(from, &name, &addr) == 0) {
		char *id = sm_asprintf("email:%s", addr);
		for (char *p = id; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p | 0x20 : *p);
		json_t *a = json_object();
		set(a, "id", id);
		set(a, "handle", addr);
		set(a, "name", name);
		set(a, "email", addr);
		json_object_set_new(it, "author", a);
		free(id);
		free(name);
		free(addr);
	}
	free(from);
}

/* Date, else the time we read it; a trailing "(CET)" comment is no part of the date. */
static void created(json_t *it, const sm_email_msg *m, const char *now)
{
	char *d = header(m, "Date"), out[SM_TIME_LEN];
	time_t t;
	if (d && strchr(d, '('))
		*strchr(d, '(') = 0;
	set(it, "created_at", d && sm_date_parse(d, &t) == 0 ? sm_time_format(t, out) : now);
	free(d);
}

/* thread and in_reply_to; the references, for later in the record */
static json_t *threading(json_t *it, const sm_email_msg *m, const char *channel, const char *ext)
{
	char **irt = ids(m, "In-Reply-To"), **refs = ids(m, "References");
	set_id(it, "thread", channel, refs[0] ? refs[0] : irt[0] ? irt[0] : ext);
	if (irt[0])
		set_id(it, "in_reply_to", channel, irt[0]);
	sm_mail_list_free(irt);
	json_t *r = json_array();
	for (char **p = refs; *p; p++)
		json_array_append_new(r, jstr(*p));
	sm_mail_list_free(refs);
	return r;
}

static char *ext_id(const sm_email_msg *m)
{
	char **mid = ids(m, "Message-ID"), *ext;
	if (mid[0])
		ext = sm_strdup(mid[0]);
	else { /* no Message-ID: the content names the message */
		char hex[41];
		sm_sha1_hex(m->p, m->n, hex);
		ext = sm_asprintf("sha1:%s", hex);
	}
	sm_mail_list_free(mid);
	return ext;
}

static void extras(json_t *it, const sm_email_msg *m, const sm_email_where *w, char *subject,
		   json_t *refs)
{
	char *to = decoded(m, "To"), *cc = decoded(m, "Cc"), *lang = header(m, "Content-Language");
	sm_mime_body body;
	sm_mime_body_parse(m->p, m->n, &body);
	set(it, "text", body.text);
	if (lang)
		lang[strcspn(lang, ", \t")] = 0;
	set(it, "lang", lang);
	created(it, m, w->c->run->now);
	set(it, "fetched_at", w->c->run->now);
	set(it, "subject", subject);
	set(it, "to", to);
	set(it, "cc", cc);
	json_object_set_new(it, "references", refs);
	if (body.media)
		json_object_set(it, "media", body.media);
	set(it, "mailbox", w->mailbox);
	sm_mime_body_free(&body);
	free(to);
	free(cc);
	free(lang);
}

static json_t *item_record(const sm_email_where *w, const sm_email_msg *m)
{
	const char *ch = w->c->name;
	char *ext = ext_id(m), *subject = decoded(m, "Subject");
	json_t *it = json_object();
	set_id(it, "id", ch, ext);
	set(it, "channel", ch);
	set(it, "network", "email");
	set(it, "kind", "email");
	set(it, "ext_id", ext);
	char *mbox = sm_email_url(w->base, w->mailbox);
	char *url = sm_asprintf("%s;UIDVALIDITY=%lu/;UID=%lu", mbox, w->validity, m->uid);
	set(it, "url", url); /* RFC 5092 */
	json_t *refs = threading(it, m, ch, ext);
	author(it, m);
	set(it, "title", subject);
	extras(it, m, w, subject, refs);
	free(url);
	free(mbox);
	free(subject);
	free(ext);
	return it;
}

int sm_email_store_page(const sm_email_where *w, const sm_email_msg *m, size_t n, const char *cursor)
{
	sm_chan *c = w->c;
	sm_buf out = {0};
	sm_cursor cur = {NULL, NULL, (char *)cursor};
	int rc = 0;
	if (sm_chan_begin(c) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		sm_item_row row;
		json_t *it = item_record(w, &m[i]);
		if ((rc = sm_item_flatten(it, &row)) < 0) {
			sm_chan_fail(c, 0, "%s: UID %lu: %s", w->mailbox, m[i].uid, sm_errmsg());
			sm_store_rollback(c->run->st);
		} else
			rc = sm_chan_put(c, &row, &out);
		sm_item_row_free(&row);
		json_decref(it);
	}
	if (rc == 0 && (rc = sm_store_cursor_set(c->run->st, c->name, w->mailbox, &cur)) < 0) {
		sm_chan_fail(c, 1, "%s", sm_errmsg());
		sm_store_rollback(c->run->st);
	}
	if (rc == 0)
		rc = sm_chan_commit(c, &out);
	sm_buf_free(&out);
	return rc;
}
