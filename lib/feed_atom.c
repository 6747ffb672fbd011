/*
 * feed_atom.c - Atom 1.0 and 0.3 feeds and entry documents, and Atom's text constructs and
 * persons, which RSS documents borrow too.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "feed.h"

/* Base64 as Atom carries binary content; blanks skipped, NULL on bad input. */
static char *base64_decode(const char *s, size_t *len)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	sm_buf b = {0};
	unsigned v = 0;
	int bits = 0;

	for (; *s && *s != '='; s++) {
		const char *p = strchr(digits, *s);

		if (feed_blank(*s))
			continue;
		if (!p) {
			sm_buf_free(&b);
			return NULL;
		}
		v = (v << 6 | (unsigned)(p - digits)) & 0xFFFFFF;
		if ((bits += 6) >= 8) {
			bits -= 8;
			sm_buf_addc(&b, (char)(v >> bits & 0xFF));
		}
	}
	*len = b.len;
	if (!b.len)
		sm_buf_free(&b);
	return b.len ? sm_buf_detach(&b) : NULL;
}

/* ---- text constructs ---- */

enum { TEXT_PLAIN, TEXT_HTML, TEXT_MARKUP, TEXT_BASE64 };

/* How an Atom text construct is read, from its type (1.0 and 0.3 names) and 0.3 mode. */
static int construct_kind(const char *type, const char *mode, int has_children)
{
	size_t n = type ? strlen(type) : 0;

	if (mode && !strcasecmp(mode, "base64"))
		return TEXT_BASE64;
	if (mode && !strcasecmp(mode, "xml"))
		return TEXT_MARKUP;
	if (!n || !strcasecmp(type, "text") || !strcasecmp(type, "text/plain"))
		return has_children ? TEXT_MARKUP : TEXT_PLAIN;
	if (!strcasecmp(type, "html") || !strcasecmp(type, "text/html"))
		return TEXT_HTML;
	if (!strcasecmp(type, "xhtml") || (n >= 3 && !strcasecmp(type + n - 3, "xml")))
		return TEXT_MARKUP;
	if (!strncasecmp(type, "text/", 5))
		return TEXT_PLAIN;
	return TEXT_BASE64;
}

/* Base64 content: text if it decodes to UTF-8 (HTML if the type says so), else nothing. */
static char *base64_text(const xmlNode *n, const char *type, int fold)
{
	char *raw = feed_node_text(n, 0), *bin, *s = NULL;
	size_t len = 0, bad;

	bin = raw ? base64_decode(raw, &len) : NULL;
	if (bin && !memchr(bin, 0, len) && sm_utf8_valid(bin, len, &bad))
		s = type && strstr(type, "html") ? feed_html_text(bin, len) : feed_clean(bin, fold);
	free(raw);
	free(bin);
	return s;
}

/* Plain text of an Atom text construct (title, summary, content...); fold for titles. */
char *feed_atom_text(const struct xml *x, const xmlNode *n, int fold)
{
	char *type = feed_attr(n, "type"), *mode = feed_attr(n, "mode"), *s = NULL, *raw;

	if (type)
		for (char *p = type; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	switch (construct_kind(type, mode, feed_has_element_child(n))) {
	case TEXT_PLAIN:
		s = feed_node_text(n, fold);
		break;
	case TEXT_HTML:
		raw = feed_content_of(n);
		s = feed_html_text(raw, strlen(raw));
		free(raw);
		break;
	case TEXT_MARKUP:
		raw = feed_inner_markup(x, n);
		s = feed_html_text(raw, strlen(raw));
		free(raw);
		break;
	default:
		s = base64_text(n, type, fold);
	}
	if (s && fold) {
		raw = s;
		s = feed_clean(raw, 1);
		free(raw);
	}
	free(type);
	free(mode);
	return s;
}

/* ---- feeds, entries, persons ---- */

void feed_atom_person(const struct xml *x, const xmlNode *p, struct author *a)
{
	char *u;

	if (a->name || a->email || a->url)
		return; /* the first author only */
	for (const xmlNode *c = p->children; c; c = c->next) {
		if (feed_is(x, c, "name")) {
			feed_keep(&a->name, feed_node_text(c, 1));
		} else if (feed_is(x, c, "email")) {
			feed_keep(&a->email, feed_node_text(c, 1));
		} else if (feed_is(x, c, "uri") || feed_is(x, c, "url") ||
			   feed_is(x, c, "homepage")) {
			u = feed_node_text(c, 1);
			feed_keep(&a->url, feed_node_url(x, c, u));
			free(u);
		}
	}
}

static void atom_category(const xmlNode *c, struct item *it)
{
	char *term = feed_attr(c, "term");

	if (!term)
		term = feed_node_text(c, 1);
	feed_add_category(it, term);
	free(term);
}

void feed_atom_entry(const struct xml *x, const xmlNode *e)
{
	struct item it = {0};

	for (const xmlNode *c = e->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || feed_item_extension(x, c, &it))
			continue;
		if (feed_is(x, c, "id"))
			feed_keep(&it.id, feed_node_text(c, 1));
		else if (feed_is(x, c, "title"))
			feed_take(&it.title, feed_atom_text(x, c, 1));
		else if (feed_is(x, c, "content"))
			feed_take(&it.content, feed_atom_text(x, c, 0));
		else if (feed_is(x, c, "summary"))
			feed_take(&it.summary, feed_atom_text(x, c, 0));
		else if (feed_is(x, c, "link"))
			feed_keep(&it.link, feed_link_url(x, c));
		else if (feed_is(x, c, "published") || feed_is(x, c, "issued") ||
			 feed_is(x, c, "created"))
			feed_take_date(c, &it.created, &it.has_created);
		else if (feed_is(x, c, "updated") || feed_is(x, c, "modified"))
			feed_take_date(c, &it.updated, &it.has_updated);
		else if (feed_is(x, c, "author"))
			feed_atom_person(x, c, &it.author);
		else if (feed_is(x, c, "category"))
			atom_category(c, &it);
	}
	feed_keep(&it.lang, feed_own_lang(e));
	feed_item_done(x->f, &it, &x->author);
}

int feed_atom_read(struct xml *x, const xmlNode *root)
{
	sm_feed *f = x->f;
	char *v = feed_attr(root, "version");

	f->format = sm_strdup(feed_ns_is(root, NS_ATOM03) || (v && !strcmp(v, "0.3")) ? "atom0.3"
										   : "atom1.0");
	free(v);
	for (const xmlNode *c = root->children; c; c = c->next) {
		if (feed_is(x, c, "title"))
			feed_take(&f->title, feed_atom_text(x, c, 1));
		else if (feed_is(x, c, "link"))
			feed_keep(&f->link, feed_link_url(x, c));
		else if (feed_is(x, c, "author"))
			feed_atom_person(x, c, &x->author);
		else if (feed_is_ns(c, NS_DC, "language"))
			feed_keep(&f->lang, feed_node_lang(c));
	}
	feed_keep(&f->lang, feed_own_lang(root));
	for (const xmlNode *c = root->children; c; c = c->next)
		if (feed_is(x, c, "entry"))
			feed_atom_entry(x, c);
	return 0;
}
