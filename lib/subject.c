/*
 * subject.c - what a query is matched against: an item's fields and its folded title and
 * text, taken from a jansson record, or straight from the bytes of a line (sm_jscan) so
 * that sm-match need not build a tree for a line it only reads.
 */
#include <string.h>

#include "match.h"

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int nonempty_array(json_t *v) { return json_is_array(v) && json_array_size(v) > 0; }

/* raw gets title, a newline, text: what /regex/ reads; the text is folded for words. */
static int add_text(sm_subject *s, sm_buf *raw, const char *title, size_t tn, const char *text,
		    size_t xn)
{
	sm_text_reset(&s->text);
	sm_buf_reset(raw);
	if (title) {
		sm_buf_add(raw, title, tn);
		if (sm_text_add(&s->text, title, tn) < 0)
			return -1;
	}
	if (text) {
		if (title)
			sm_buf_addc(raw, '\n');
		sm_buf_add(raw, text, xn);
		if (sm_text_add(&s->text, text, xn) < 0)
			return -1;
	}
	s->raw = raw->s;
	s->raw_len = raw->len;
	return 0;
}

int sm_subject_from_item(sm_subject *s, json_t *item, sm_buf *raw)
{
	json_t *a = json_object_get(item, "author");
	const char *title = str(item, "title"), *text = str(item, "text");
	s->lang = str(item, "lang");
	s->channel = str(item, "channel");
	s->network = str(item, "network");
	s->kind = str(item, "kind");
	s->author_id = str(a, "id");
	s->author_handle = str(a, "handle");
	s->in_reply_to = str(item, "in_reply_to");
	s->has_media = nonempty_array(json_object_get(item, "media")) ||
		       nonempty_array(json_object_get(item, "attachments"));
	s->annotated = 1; /* unknown: the record is rewritten through jansson anyway */
	return add_text(s, raw, title, title ? strlen(title) : 0, text, text ? strlen(text) : 0);
}

/* The members sm_item_check knows, in the order of its checks. */
enum {
	M_ID, M_CHANNEL, M_NETWORK, M_KIND, M_EXT_ID, M_URL, M_THREAD, M_IN_REPLY_TO, M_TEXT,
	M_TITLE, M_LANG, M_CREATED_AT, M_FETCHED_AT, M_UPDATED_AT, M_IN_REPLY_TO_URL,
	M_AUTHOR, M_METRICS, M_CATEGORIES, M_MEDIA, M_ATTACHMENTS,
	M_TAGS, M_PRIORITY, M_TEAM, M_RULES, M_N
};
static const char *const members[] = {
	"id", "channel", "network", "kind", "ext_id", "url", "thread", "in_reply_to", "text",
	"title", "lang", "created_at", "fetched_at", "updated_at", "in_reply_to_url",
	"author", "metrics", "categories", "media", "attachments",
	"tags", "priority", "team", "rules", NULL,
};
static const char *const author_members[] = {"id", "handle", "name", "email", "url", NULL};

static int string_or_null(const sm_jval *v) { return !v->type || v->type == SM_JSTRING || v->type == SM_JNULL; }

/* The type checks of sm_item_check, on scanned members: 0 when they hold. */
static int types_ok(const sm_jval *m, sm_jval *au)
{
	sm_jval e;
	const char *pos = NULL;
	for (int i = M_ID; i <= M_IN_REPLY_TO_URL; i++)
		if (!string_or_null(&m[i]))
			return -1;
	if (m[M_AUTHOR].type && m[M_AUTHOR].type != SM_JNULL) {
		if (m[M_AUTHOR].type != SM_JOBJECT ||
		    sm_jscan(m[M_AUTHOR].p, m[M_AUTHOR].n, author_members, au) < 0)
			return -1;
		for (int i = 0; author_members[i]; i++)
			if (!string_or_null(&au[i]))
				return -1;
	}
	if (m[M_METRICS].type && m[M_METRICS].type != SM_JNULL) {
		if (m[M_METRICS].type != SM_JOBJECT)
			return -1;
		while (sm_jnext(&m[M_METRICS], &pos, &e))
			if (e.type != SM_JINT && e.type != SM_JNULL)
				return -1;
	}
	pos = NULL;
	if (m[M_CATEGORIES].type && m[M_CATEGORIES].type != SM_JNULL) {
		if (m[M_CATEGORIES].type != SM_JARRAY)
			return -1;
		while (sm_jnext(&m[M_CATEGORIES], &pos, &e))
			if (e.type != SM_JSTRING)
				return -1;
	}
	return 0;
}

/* Copy a scanned string into the arena; its offset, or -1 when absent. */
static long keep(sm_buf *arena, const sm_jval *v, int *bad)
{
	if (v->type != SM_JSTRING)
		return -1;
	long off = (long)arena->len;
	if (sm_jstring(v, arena) < 0)
		*bad = 1;
	sm_buf_addc(arena, 0);
	return off;
}

static int nonempty(const sm_jval *v)
{
	if (v->type != SM_JARRAY)
		return 0;
	const char *p = v->p + 1, *end = v->p + v->n - 1;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p < end;
}

int sm_subject_from_line(sm_subject *s, const char *line, size_t len, sm_buf *arena, sm_buf *raw)
{
	sm_jval m[M_N], au[6] = {{0}};
	long off[7];
	int bad = 0;
	if (!sm_utf8_valid(line, len, NULL) || sm_jscan(line, len, members, m) < 0 ||
	    types_ok(m, au) < 0)
		return -1;
	sm_buf_reset(arena);
	const sm_jval *fields[7] = {&m[M_LANG], &m[M_CHANNEL], &m[M_NETWORK], &m[M_KIND], &au[0],
				    &au[1], &m[M_IN_REPLY_TO]};
	for (int i = 0; i < 7; i++)
		off[i] = keep(arena, fields[i], &bad);
	long title = keep(arena, &m[M_TITLE], &bad), text = keep(arena, &m[M_TEXT], &bad);
	if (bad)
		return -1; /* \u0000 or a lone surrogate: jansson names it */
	const char **dst[7] = {&s->lang, &s->channel, &s->network, &s->kind, &s->author_id,
			       &s->author_handle, &s->in_reply_to};
	for (int i = 0; i < 7; i++)
		*dst[i] = off[i] < 0 ? NULL : arena->s + off[i];
	s->has_media = nonempty(&m[M_MEDIA]) || nonempty(&m[M_ATTACHMENTS]);
	s->annotated = m[M_TAGS].type || m[M_PRIORITY].type || m[M_TEAM].type || m[M_RULES].type;
	const char *t = title < 0 ? NULL : arena->s + title, *x = text < 0 ? NULL : arena->s + text;
	return add_text(s, raw, t, t ? strlen(t) : 0, x, x ? strlen(x) : 0);
}
