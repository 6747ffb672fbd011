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
		return sm_error("item without %s", row->v[SM_COL_ID] ? "channel" : "id");
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
