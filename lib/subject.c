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
	/* PCRE2's JIT reads a few words past the subject's end (inside the buffer, never used
	   for the result); bytes set there keep valgrind's memcheck from seeing a jump on them */
	if (raw->s && raw->cap > raw->len)
		memset(raw->s + raw->len, 0, raw->cap - raw->len < 64 ? raw->cap - raw->len : 64);
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
	sm_jval m[SM_M_N], au[SM_A_N];
	long off[7];
	int bad = 0;
	if (sm_item_check_line(line, len, m, au) < 0)
		return -1;
	sm_buf_reset(arena);
	const sm_jval *fields[7] = {&m[SM_M_LANG], &m[SM_M_CHANNEL], &m[SM_M_NETWORK], &m[SM_M_KIND], &au[SM_A_ID],
				    &au[SM_A_HANDLE], &m[SM_M_IN_REPLY_TO]};
	for (int i = 0; i < 7; i++)
		off[i] = keep(arena, fields[i], &bad);
	long title = keep(arena, &m[SM_M_TITLE], &bad), text = keep(arena, &m[SM_M_TEXT], &bad);
	if (bad)
		return -1; /* \u0000 or a lone surrogate: jansson names it */
	const char **dst[7] = {&s->lang, &s->channel, &s->network, &s->kind, &s->author_id,
			       &s->author_handle, &s->in_reply_to};
	for (int i = 0; i < 7; i++)
		*dst[i] = off[i] < 0 ? NULL : arena->s + off[i];
	s->has_media = nonempty(&m[SM_M_MEDIA]) || nonempty(&m[SM_M_ATTACHMENTS]);
	s->annotated = m[SM_M_TAGS].type || m[SM_M_PRIORITY].type || m[SM_M_TEAM].type || m[SM_M_RULES].type;
	const char *t = title < 0 ? NULL : arena->s + title, *x = text < 0 ? NULL : arena->s + text;
	return add_text(s, raw, t, t ? strlen(t) : 0, x, x ? strlen(x) : 0);
}
