/*
 * feed_elem.c - reading the XML elements RSS and Atom have in common: names and namespaces,
 * text, attributes, URLs, dates, and the extensions any item may carry (Dublin Core...).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "feed.h"

int feed_ns_is(const xmlNode *n, const char *href)
{
	return n->ns && n->ns->href && !strcmp((const char *)n->ns->href, href);
}

/* An element of the feed's own vocabulary: no namespace, the root's, or an RSS or Atom one. */
static int own_ns(const struct xml *x, const xmlNode *n)
{
	static const char *const known[] = {NS_ATOM10, NS_ATOM03, NS_RSS10, NS_RSS090,
					    "http://backend.userland.com/rss2",
					    "http://backend.userland.com/rss"};

	if (!n->ns || !n->ns->href || (x->root_ns && !xmlStrcmp(n->ns->href, x->root_ns)))
		return 1;
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (feed_ns_is(n, known[i]))
			return 1;
	return 0;
}

int feed_is(const struct xml *x, const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name) && own_ns(x, n);
}

int feed_is_ns(const xmlNode *n, const char *href, const char *name)
{
	return n->type == XML_ELEMENT_NODE && feed_ns_is(n, href) &&
	       !strcmp((const char *)n->name, name);
}

int feed_has_element_child(const xmlNode *n)
{
	for (n = n->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return 1;
	return 0;
}

/*
 * Repair text that is UTF-8 read as Latin-1 and encoded again ("cafÃ©"), as feedparser
 * does: only when the whole string, taken back to Latin-1 bytes, is valid UTF-8.
 */
static void unmojibake(char *s)
{
	const unsigned char *in = (const unsigned char *)s;
	char *bytes = sm_malloc(strlen(s) + 1);
	size_t n = 0, bad;
	int high = 0;

	for (; *in; in++) {
		if (*in < 0x80) {
			bytes[n++] = (char)*in;
			continue;
		}
		if ((*in != 0xC2 && *in != 0xC3) || (in[1] & 0xC0) != 0x80)
			goto out; /* beyond Latin-1: not this kind of damage */
		bytes[n++] = (char)((*in & 0x03) << 6 | (in[1] & 0x3F));
		in++, high = 1;
	}
	if (high && sm_utf8_valid(bytes, n, &bad)) {
		memcpy(s, bytes, n);
		s[n] = '\0';
	}
out:
	free(bytes);
}

/* the text inside n, entities and CDATA included; malloc'd */
char *feed_content_of(const xmlNode *n)
{
	xmlChar *c = xmlNodeGetContent(n);
	char *s = sm_strdup(c ? (const char *)c : "");

	xmlFree(c);
	unmojibake(s);
	return s;
}

/* the text inside n, trimmed; NULL if blank */
char *feed_node_text(const xmlNode *n, int fold)
{
	char *c = feed_content_of(n), *s = feed_clean(c, fold);

	free(c);
	return s;
}

/* an attribute whatever its namespace, trimmed; NULL if absent or blank */
char *feed_attr(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s = feed_clean((const char *)v, 1);

	xmlFree(v);
	return s;
}

/* xml:lang on n itself (not inherited) */
char *feed_own_lang(const xmlNode *n)
{
	xmlChar *v = xmlGetNsProp(n, (const xmlChar *)"lang", XML_XML_NAMESPACE);
	char *s = feed_lang_tag((const char *)v);

	xmlFree(v);
	return s;
}

char *feed_node_lang(const xmlNode *n)
{
	char *s = feed_node_text(n, 1), *l = feed_lang_tag(s);

	free(s);
	return l;
}

/* ref made absolute against n's xml:base and the document's URL */
char *feed_node_url(const struct xml *x, const xmlNode *n, const char *ref)
{
	xmlChar *base = ref ? xmlNodeGetBase(x->doc, n) : NULL;
	char *u = feed_abs_url((const char *)base, ref);

	xmlFree(base);
	return u;
}

/* the markup inside n, serialized (inline XHTML) */
char *feed_inner_markup(const struct xml *x, const xmlNode *n)
{
	xmlBufferPtr b = xmlBufferCreate();
	char *s;

	for (xmlNode *c = n->children; c; c = c->next)
		xmlNodeDump(b, x->doc, c, 0, 0);
	s = sm_strdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	unmojibake(s);
	return s;
}

/* plain text of an element holding HTML, escaped or (wrongly, but often) inline */
char *feed_html_node(const struct xml *x, const xmlNode *n)
{
	char *raw, *s;

	if (feed_has_element_child(n)) {
		raw = feed_inner_markup(x, n);
		s = feed_html_text(raw, strlen(raw));
		free(raw);
		return s;
	}
	raw = feed_content_of(n);
	s = feed_html_text(raw, strlen(raw));
	free(raw);
	return s;
}

/* A date element; a later one of the same kind wins, as in feedparser. */
void feed_take_date(const xmlNode *n, time_t *t, int *has)
{
	char *s = feed_node_text(n, 1);
	time_t v;

	if (s && sm_date_parse(s, &v) == 0) {
		*t = v;
		*has = 1;
	}
	free(s);
}

/* An Atom link (href, rel alternate or none) or an RSS one (the URL as text). */
char *feed_link_url(const struct xml *x, const xmlNode *n)
{
	char *rel = feed_attr(n, "rel"), *href = feed_attr(n, "href"), *u = NULL;

	if (!rel || !strcasecmp(rel, "alternate")) {
		if (!href)
			href = feed_node_text(n, 1);
		u = feed_node_url(x, n, href);
	}
	free(rel);
	free(href);
	return u;
}

/* ---- what RSS and Atom items share: Dublin Core, content:encoded, threading ---- */

static void dc_element(const struct xml *x, const xmlNode *c, struct item *it)
{
	const char *name = (const char *)c->name;
	char *s;

	if (!strcmp(name, "date")) {
		feed_take_date(c, &it->created, &it->has_created);
		return;
	}
	if (!(s = feed_node_text(c, 0)))
		return;
	if (!strcmp(name, "title"))
		feed_keep(&it->title, feed_title_text(s));
	else if (!strcmp(name, "description"))
		feed_keep(&it->summary, feed_html_text(s, strlen(s)));
	else if (!strcmp(name, "creator") || !strcmp(name, "author"))
		feed_author_parse(&it->author, s);
	else if (!strcmp(name, "subject"))
		feed_add_category(it, s);
	else if (!strcmp(name, "language"))
		feed_keep(&it->lang, feed_lang_tag(s));
	free(s);
}

static void reply_to(const struct xml *x, const xmlNode *c, struct item *it)
{
	char *href = feed_attr(c, "href"), *ref = feed_attr(c, "ref");

	if (href)
		feed_keep(&it->reply_to, feed_node_url(x, c, href));
	feed_keep(&it->reply_to, ref);
	free(href);
}

/* Elements any item may carry; 1 if c was one of them. */
int feed_item_extension(const struct xml *x, const xmlNode *c, struct item *it)
{
	if (feed_ns_is(c, NS_DC))
		dc_element(x, c, it);
	else if (feed_is_ns(c, NS_DCTERMS, "issued") || feed_is_ns(c, NS_DCTERMS, "created"))
		feed_take_date(c, &it->created, &it->has_created);
	else if (feed_is_ns(c, NS_DCTERMS, "modified"))
		feed_take_date(c, &it->updated, &it->has_updated);
	else if (feed_is_ns(c, NS_CONTENT, "encoded"))
		feed_take(&it->content, feed_html_node(x, c));
	else if (feed_is_ns(c, NS_XHTML, "body") || feed_is_ns(c, NS_XHTML, "div"))
		feed_take(&it->content, feed_html_node(x, c));
	else if (feed_is_ns(c, NS_THR, "in-reply-to"))
		reply_to(x, c, it);
	else
		return 0;
	return 1;
}
