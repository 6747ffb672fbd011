/*
 * feed.c - sm_feed_parse: tells JSON Feed from XML (feed_xml.c) and RSS from Atom, hands the
 * document to its reader (feed_rss.c, feed_atom.c, feed_json.c), builds the records they collect.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "feed.h"

/* ---- strings ---- */

/* s with invalid UTF-8 replaced by U+FFFD (jansson takes nothing else); malloc'd */
static char *utf8_clean(const char *s)
{
	size_t n = strlen(s), bad;
	sm_buf b = {0};

	while (!sm_utf8_valid(s, n, &bad)) {
		sm_buf_add(&b, s, bad);
		sm_buf_adds(&b, "\xEF\xBF\xBD");
		s += bad + 1, n -= bad + 1;
	}
	sm_buf_add(&b, s, n);
	return sm_buf_detach(&b);
}

/* s trimmed, its blanks folded to one space when fold is set; NULL if nothing is left */
char *feed_clean(const char *s, int fold)
{
	sm_buf b = {0};
	int gap = 0;

	while (s && feed_blank(*s))
		s++;
	for (; s && *s; s++) {
		if (fold && feed_blank(*s)) {
			gap = 1;
			continue;
		}
		if (gap)
			sm_buf_addc(&b, ' ');
		sm_buf_addc(&b, *s);
		gap = 0;
	}
	while (b.len && feed_blank(b.s[b.len - 1]))
		b.s[--b.len] = '\0';
	if (!b.len) {
		sm_buf_free(&b);
		return NULL;
	}
	return sm_buf_detach(&b);
}

/* feedparser's test for text that is really HTML: an end tag or an entity */
static int looks_like_html(const char *s)
{
	const char *gt = strrchr(s, '>');

	for (; *s; s++) {
		if (s[0] == '<' && s[1] == '/' && isalpha((unsigned char)s[2]) && gt > s)
			return 1;
		if (s[0] == '&' && (s[1] == '#' || isalnum((unsigned char)s[1]))) {
			const char *e = s + 2;

			while (isalnum((unsigned char)*e))
				e++;
			if (*e == ';')
				return 1;
		}
	}
	return 0;
}

/* Plain text from a title that may be HTML, as RSS and JSON Feed titles often are. */
char *feed_title_text(const char *s)
{
	char *t, *r;

	if (!s)
		return NULL;
	if (!looks_like_html(s))
		return feed_clean(s, 1);
	t = sm_html_to_text(s, strlen(s));
	r = feed_clean(t, 1);
	free(t);
	return r;
}

/* plain text of HTML, NULL if it holds none */
char *feed_html_text(const char *s, size_t n)
{
	char *t = sm_html_to_text(s, n);

	if (!*t) {
		free(t);
		return NULL;
	}
	return t;
}

/* a language tag as smkit writes it: "en_US" is "en-US" */
char *feed_lang_tag(const char *s)
{
	char *l = feed_clean(s, 1);

	for (char *p = l; p && *p; p++)
		if (*p == '_')
			*p = '-';
	return l;
}

/* ref resolved against base; NULL if absent, empty or unsafe */
char *feed_abs_url(const char *base, const char *ref)
{
	char *u;

	if (!ref || !*ref)
		return NULL;
	u = sm_url_resolve(base, ref);
	if (!*u) {
		free(u);
		return NULL;
	}
	return u;
}

/* ---- items: what a format's reader collects, then the record ---- */

void feed_author_free(struct author *a)
{
	free(a->name), free(a->email), free(a->url);
	memset(a, 0, sizeof *a);
}

static void item_free(struct item *it)
{
	free(it->id), free(it->link), free(it->title), free(it->content), free(it->summary);
	free(it->lang), free(it->reply_to);
	feed_author_free(&it->author);
	json_decref(it->cats);
}

static void set_str(json_t *o, const char *key, const char *s)
{
	char *v;

	if (!s || !*s)
		return;
	v = utf8_clean(s);
	json_object_set_new(o, key, json_string(v));
	free(v);
}

static void set_time(json_t *o, const char *key, time_t t)
{
	char buf[SM_TIME_LEN];

	json_object_set_new(o, key, json_string(sm_time_format(t, buf)));
}

/* {"name","email","url"} with the members known, or NULL */
static json_t *author_json(const struct author *a)
{
	json_t *o;

	if (!a->name && !a->email && !a->url)
		return NULL;
	o = json_object();
	set_str(o, "name", a->name);
	set_str(o, "email", a->email);
	set_str(o, "url", a->url);
	return o;
}

void feed_add_category(struct item *it, const char *term)
{
	char *t = feed_clean(term, 1), *v;
	size_t i;

	if (!t || json_array_size(it->cats) >= 64) { /* enough for any real item */
		free(t);
		return;
	}
	if (!it->cats)
		it->cats = json_array();
	v = utf8_clean(t);
	for (i = 0; i < json_array_size(it->cats); i++)
		if (!strcmp(json_string_value(json_array_get(it->cats, i)), v))
			break;
	if (i == json_array_size(it->cats))
		json_array_append_new(it->cats, json_string(v));
	free(v);
	free(t);
}

/* The id of an item without one: a digest of its title and date (or text, if neither). */
static char *item_digest(const struct item *it, const char *text)
{
	char date[SM_TIME_LEN] = "", hex[41];
	char *s;

	if (it->has_created || it->has_updated)
		sm_time_format(it->has_created ? it->created : it->updated, date);
	if (!it->title && !*date)
		s = sm_asprintf("\n\n%s", text ? text : "");
	else
		s = sm_asprintf("%s\n%s", it->title ? it->title : "", date);
	sm_sha1_hex(s, strlen(s), hex);
	free(s);
	return sm_asprintf("sha1:%s", hex);
}

/* The item record of SPEC §3 from what a reader collected; frees the item. */
void feed_item_done(sm_feed *f, struct item *it, const struct author *feed_author)
{
	json_t *o = json_object(), *a;
	const char *text = it->content ? it->content : it->summary;
	char *digest = it->id || it->link ? NULL : item_digest(it, text);

	set_str(o, "ext_id", it->id ? it->id : it->link ? it->link : digest);
	set_str(o, "title", it->title);
	set_str(o, "text", text);
	set_str(o, "url", it->link);
	if (it->has_created || it->has_updated)
		set_time(o, "created_at", it->has_created ? it->created : it->updated);
	if (it->has_updated)
		set_time(o, "updated_at", it->updated);
	set_str(o, "lang", it->lang ? it->lang : f->lang);
	if ((a = author_json(&it->author)) || (a = author_json(feed_author)))
		json_object_set_new(o, "author", a);
	if (it->cats && json_array_size(it->cats))
		json_object_set(o, "categories", it->cats);
	set_str(o, "in_reply_to_url", it->reply_to);
	json_array_append_new(f->items, o);
	free(digest);
	item_free(it);
}

/* "me@example.com (Example editor)", "Example editor <me@example.com>" and the like */
void feed_author_parse(struct author *a, const char *s)
{
	const char *at = s ? strchr(s, '@') : NULL, *b, *e;
	char *name;
	sm_buf rest = {0};

	if (!s)
		return;
	if (!at) {
		if (!a->name)
			a->name = feed_clean(s, 1);
		return;
	}
	for (b = at; b > s && (isalnum((unsigned char)b[-1]) || strchr("._%+-", b[-1])); b--)
		;
	for (e = at + 1; isalnum((unsigned char)*e) || *e == '.' || *e == '-'; e++)
		;
	while (e > at + 1 && e[-1] == '.')
		e--;
	if (!a->email && b < at && e > at + 1)
		a->email = sm_strndup(b, (size_t)(e - b));
	sm_buf_add(&rest, s, (size_t)(b - s));
	sm_buf_adds(&rest, e);
	for (char *p = rest.s; p && *p; p++) {
		if (!strncasecmp(p, "mailto:", 7))
			memset(p, ' ', 7);
		if (strchr("()<>[]\"", *p))
			*p = ' ';
	}
	name = feed_clean(rest.s, 1);
	if (!a->name)
		a->name = name;
	else
		free(name);
	sm_buf_free(&rest);
}

/* ---- the entry point: which format, then its reader ---- */

static int xml_feed(const char *data, size_t len, const char *base, const char *ct, sm_feed *f)
{
	struct xml x = {f, NULL, NULL, {0}};
	xmlNode *root;
	const char *name;
	int r = 0;

	if (feed_xml_read(data, len, base, ct, f, &x.doc) < 0)
		return -1;
	root = x.doc ? xmlDocGetRootElement(x.doc) : NULL;
	name = root ? (const char *)root->name : "";
	if (root && root->ns)
		x.root_ns = root->ns->href;
	if (!strcmp(name, "rss") || !strcmp(name, "RDF") || !strcmp(name, "channel")) {
		feed_rss_read(&x, root);
	} else if (!strcmp(name, "feed")) {
		feed_atom_read(&x, root);
	} else if (!strcmp(name, "entry")) { /* an Atom entry document */
		f->format = sm_strdup("atom1.0");
		feed_atom_entry(&x, root);
	} else if (!root) {
		r = sm_error("not a feed: %s", f->bozo_msg ? f->bozo_msg : "no xml element");
	} else {
		r = sm_error("not a feed: the root element is '%s'", name);
	}
	feed_author_free(&x.author);
	xmlFreeDoc(x.doc);
	return r;
}

/* JSON Feed starts with '{' (after a BOM and blanks); everything else is tried as XML */
static int is_json(const char *d, size_t n)
{
	size_t i = n >= 3 && !memcmp(d, "\xEF\xBB\xBF", 3) ? 3 : 0;

	while (i < n && feed_blank(d[i]))
		i++;
	return i < n && d[i] == '{';
}

int sm_feed_parse(const char *data, size_t len, const char *base, const char *content_type,
		  sm_feed *out)
{
	int r;

	memset(out, 0, sizeof *out);
	out->items = json_array();
	if (!data)
		data = "", len = 0;
	if (is_json(data, len)) {
		size_t skip = len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3) ? 3 : 0;

		r = feed_json_read(data + skip, len - skip, base, out);
	} else {
		r = xml_feed(data, len, base, content_type, out);
	}
	if (r < 0)
		sm_feed_free(out);
	return r;
}

void sm_feed_free(sm_feed *f)
{
	if (!f)
		return;
	free(f->title), free(f->link), free(f->lang), free(f->bozo_msg), free(f->format);
	json_decref(f->items);
	memset(f, 0, sizeof *f);
}
