/*
 * item.c - the item record of SPEC §3: type checks of the fields smkit knows, and the
 * flattening of a record into the store's columns (and a binary spool of such rows).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "smkit.h"

static const char *const string_fields[] = {
	"id", "channel", "network", "kind", "ext_id", "url", "thread", "in_reply_to", "text",
	"title", "lang", "created_at", "fetched_at", "updated_at", "in_reply_to_url", NULL,
};

static int check_strings(json_t *obj, const char *const *names, const char *prefix)
{
	for (const char *const *f = names; *f; f++) {
		json_t *v = json_object_get(obj, *f);
		if (v && !json_is_string(v) && !json_is_null(v))
			return sm_error("field '%s%s' must be a string", prefix, *f);
	}
	return 0;
}

int sm_item_check(json_t *item)
{
	static const char *const author_fields[] = {"id", "handle", "name", "email", "url", NULL};
	const char *key;
	json_t *v;

	if (check_strings(item, string_fields, "") < 0)
		return -1;
	v = json_object_get(item, "author");
	if (v && !json_is_null(v)) {
		if (!json_is_object(v))
			return sm_error("field 'author' must be an object");
		if (check_strings(v, author_fields, "author.") < 0)
			return -1;
	}
	v = json_object_get(item, "metrics");
	if (v && !json_is_null(v)) {
		json_t *m;
		if (!json_is_object(v))
			return sm_error("field 'metrics' must be an object");
		json_object_foreach(v, key, m)
			if (!json_is_integer(m) && !json_is_null(m))
				return sm_error("field 'metrics.%s' must be an integer", key);
	}
	v = json_object_get(item, "categories");
	if (v && !json_is_null(v)) {
		size_t i;
		json_t *c;
		if (!json_is_array(v))
			return sm_error("field 'categories' must be an array");
		json_array_foreach(v, i, c)
			if (!json_is_string(c))
				return sm_error("field 'categories' must hold strings");
	}
	return 0;
}

static void set(sm_item_row *row, int col, json_t *v)
{
	if (json_is_string(v)) {
		row->v[col] = json_string_value(v);
		row->len[col] = json_string_length(v);
	}
}

int sm_item_flatten(json_t *item, sm_item_row *row)
{
	static const struct { int col; const char *name; } cols[] = {
		{SM_COL_ID, "id"}, {SM_COL_CHANNEL, "channel"}, {SM_COL_NETWORK, "network"},
		{SM_COL_KIND, "kind"}, {SM_COL_EXT_ID, "ext_id"}, {SM_COL_URL, "url"},
		{SM_COL_THREAD, "thread"}, {SM_COL_IN_REPLY_TO, "in_reply_to"},
		{SM_COL_TITLE, "title"}, {SM_COL_TEXT, "text"}, {SM_COL_LANG, "lang"},
		{SM_COL_CREATED_AT, "created_at"}, {SM_COL_FETCHED_AT, "fetched_at"},
	};
	memset(row, 0, sizeof *row);
	for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
		set(row, cols[i].col, json_object_get(item, cols[i].name));
	json_t *author = json_object_get(item, "author");
	if (json_is_object(author)) {
		set(row, SM_COL_AUTHOR_ID, json_object_get(author, "id"));
		set(row, SM_COL_AUTHOR_HANDLE, json_object_get(author, "handle"));
		set(row, SM_COL_AUTHOR_NAME, json_object_get(author, "name"));
	}
	if (!row->v[SM_COL_ID] || !row->v[SM_COL_CHANNEL])
		return sm_error_code(SM_EX_DATAERR, "item without %s", row->v[SM_COL_ID] ? "channel" : "id");
	row->owned = json_dumps(item, JSON_COMPACT);
	if (!row->owned)
		return sm_error("unable to encode item '%s'", row->v[SM_COL_ID]);
	row->v[SM_COL_RECORD] = row->owned;
	row->len[SM_COL_RECORD] = strlen(row->owned);
	return 0;
}

void sm_item_row_free(sm_item_row *row)
{
	free(row->owned);
	row->owned = NULL;
}

/* Spool format: per column a uint32 length (UINT32_MAX for absent) and the bytes. */
int sm_item_row_write(FILE *fp, const sm_item_row *row)
{
	for (int c = 0; c < SM_NCOLS; c++) {
		uint32_t n = row->v[c] ? (uint32_t)row->len[c] : UINT32_MAX;
		if (fwrite(&n, sizeof n, 1, fp) != 1 ||
		    (row->v[c] && row->len[c] && fwrite(row->v[c], 1, row->len[c], fp) != row->len[c]))
			return sm_error("unable to write spool: %s", strerror(errno));
	}
	return 0;
}

int sm_item_row_read(FILE *fp, sm_buf *buf, sm_item_row *row)
{
	size_t off[SM_NCOLS];
	memset(row, 0, sizeof *row);
	sm_buf_reset(buf);
	for (int c = 0; c < SM_NCOLS; c++) {
		uint32_t n;
		if (fread(&n, sizeof n, 1, fp) != 1) {
			if (c == 0 && feof(fp))
				return 0;
			return sm_error("spool truncated");
		}
		if (n == UINT32_MAX) {
			off[c] = SIZE_MAX;
			continue;
		}
		off[c] = buf->len;
		row->len[c] = n;
		sm_buf_grow(buf, n + 1);
		if (n && fread(buf->s + buf->len, 1, n, fp) != n)
			return sm_error("spool truncated");
		buf->len += n;
		buf->s[buf->len++] = 0; /* each column NUL-terminated */
	}
	for (int c = 0; c < SM_NCOLS; c++)
		row->v[c] = off[c] == SIZE_MAX ? NULL : buf->s + off[c];
	return 1;
}

/* The members sm_item_check knows, as sm_jscan finds them in a line (SM_M_* in smkit.h). */
static const char *const line_members[] = {
	"id", "channel", "network", "kind", "ext_id", "url", "thread", "in_reply_to", "text",
	"title", "lang", "created_at", "fetched_at", "updated_at", "in_reply_to_url",
	"author", "metrics", "categories", "media", "attachments",
	"tags", "priority", "team", "rules", NULL,
};
static const char *const author_members[] = {"id", "handle", "name", "email", "url", NULL};

static int string_or_null(const sm_jval *v)
{
	return !v->type || v->type == SM_JSTRING || v->type == SM_JNULL;
}

static int all_of(const sm_jval *v, int type)
{
	sm_jval e;
	const char *pos = NULL;
	while (sm_jnext(v, &pos, &e))
		if (e.type != type && !(type == SM_JINT && e.type == SM_JNULL))
			return 0;
	return 1;
}

int sm_item_check_line(const char *line, size_t len, sm_jval *m, sm_jval *au)
{
	memset(au, 0, SM_A_N * sizeof *au);
	if (!sm_utf8_valid(line, len, NULL) || sm_jscan(line, len, line_members, m) < 0)
		return -1;
	for (int i = SM_M_ID; i <= SM_M_IN_REPLY_TO_URL; i++)
		if (!string_or_null(&m[i]))
			return -1;
	const sm_jval *a = &m[SM_M_AUTHOR], *x = &m[SM_M_METRICS], *c = &m[SM_M_CATEGORIES];
	if (a->type && a->type != SM_JNULL) {
		if (a->type != SM_JOBJECT || sm_jscan(a->p, a->n, author_members, au) < 0)
			return -1;
		for (int i = 0; i < SM_A_N; i++)
			if (!string_or_null(&au[i]))
				return -1;
	}
	if (x->type && x->type != SM_JNULL && (x->type != SM_JOBJECT || !all_of(x, SM_JINT)))
		return -1;
	if (c->type && c->type != SM_JNULL && (c->type != SM_JARRAY || !all_of(c, SM_JSTRING)))
		return -1;
	return 0;
}
