/* feed_json.c - JSON Feed 1.0 and 1.1 documents, read with jansson. */
#include <stdlib.h>
#include <string.h>

#include "feed.h"

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* "author" (1.0) or the first of "authors" (1.1) */
static void json_author(const json_t *o, const char *base, struct author *a)
{
	const json_t *p = json_object_get(o, "author");
	const json_t *list = json_object_get(o, "authors");

	if (json_is_array(list) && json_array_size(list))
		p = json_array_get(list, 0);
	if (!json_is_object(p))
		return;
	a->name = feed_clean(jstr(p, "name"), 1);
	a->url = feed_abs_url(base, jstr(p, "url"));
}

static void json_dates(const json_t *o, struct item *it)
{
	it->has_created = sm_date_parse(jstr(o, "date_published"), &it->created) == 0;
	it->has_updated = sm_date_parse(jstr(o, "date_modified"), &it->updated) == 0;
}

static void json_item(sm_feed *f, const json_t *o, const char *base, const struct author *fa)
{
	struct item it = {0};
	const json_t *id = json_object_get(o, "id"), *tag;
	const char *url = jstr(o, "url") ? jstr(o, "url") : jstr(o, "external_url"), *s;
	size_t i;

	if (json_is_string(id))
		it.id = feed_clean(json_string_value(id), 0);
	else if (json_is_integer(id))
		it.id = sm_asprintf("%" JSON_INTEGER_FORMAT, json_integer_value(id));
	it.link = feed_abs_url(base, url);
	it.title = feed_title_text(jstr(o, "title"));
	if ((s = jstr(o, "content_html")))
		it.content = feed_html_text(s, strlen(s));
	if (!it.content && (s = jstr(o, "content_text")))
		it.content = feed_clean(s, 0);
	if ((s = jstr(o, "summary")))
		it.summary = feed_clean(s, 0);
	json_dates(o, &it);
	it.lang = feed_lang_tag(jstr(o, "language"));
	json_author(o, base, &it.author);
	json_array_foreach(json_object_get(o, "tags"), i, tag) {
		feed_add_category(&it, json_string_value(tag));
	}
	feed_item_done(f, &it, fa);
}

/* A \u0000 in a string becomes a space, as NUL bytes do in mail: one stray escape must not
   cost the whole feed, and no text of ours holds a NUL (jansson's nesting limit bounds
   the recursion). */
static void scrub_nul(json_t *v)
{
	const char *key;
	json_t *e;
	size_t i;
	if (json_is_string(v) && strlen(json_string_value(v)) != json_string_length(v)) {
		size_t n = json_string_length(v);
		char *s = sm_strndup(json_string_value(v), n);
		for (size_t k = 0; k < n; k++)
			if (!s[k])
				s[k] = ' ';
		json_string_setn(v, s, n);
		free(s);
	} else if (json_is_object(v)) {
		json_object_foreach(v, key, e)
			scrub_nul(e);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			scrub_nul(e);
	}
}

int feed_json_read(const char *data, size_t len, const char *base, sm_feed *f)
{
	json_error_t err;
	json_t *root = json_loadb(data, len, JSON_ALLOW_NUL, &err), *item;
	const char *v;
	struct author fa = {0};
	size_t i;

	if (!json_is_object(root)) {
		json_decref(root);
		return sm_error("not a json feed: %s", root ? "not an object" : err.text);
	}
	scrub_nul(root);
	v = jstr(root, "version");
	f->format = sm_strdup(v && strstr(v, "/version/1.1") ? "json1.1" : "json1");
	f->title = feed_title_text(jstr(root, "title"));
	f->link = feed_abs_url(base, jstr(root, "home_page_url"));
	f->lang = feed_lang_tag(jstr(root, "language"));
	json_author(root, base, &fa);
	json_array_foreach(json_object_get(root, "items"), i, item) {
		if (json_is_object(item))
			json_item(f, item, base, &fa);
	}
	feed_author_free(&fa);
	json_decref(root);
	return 0;
}
