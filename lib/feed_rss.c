/* feed_rss.c - RSS 0.9x, 1.0 (RDF) and 2.0 channels and items. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "feed.h"

/* A guid is the id; a permalink (the default) also stands in for a missing link. */
static void rss_guid(const struct xml *x, const xmlNode *c, struct item *it, char **permalink)
{
	char *id = feed_node_text(c, 1), *perma = feed_attr(c, "isPermaLink");

	if (id && (!perma || strcasecmp(perma, "false")) &&
	    (!strncasecmp(id, "http://", 7) || !strncasecmp(id, "https://", 8)))
		feed_keep(permalink, feed_node_url(x, c, id));
	feed_keep(&it->id, id);
	free(perma);
}

/* <author>: an e-mail address and name in RSS 2.0, a person in Atom */
static void rss_author(const struct xml *x, const xmlNode *c, struct author *a)
{
	char *s;

	if (feed_has_element_child(c)) {
		feed_atom_person(x, c, a);
		return;
	}
	s = feed_node_text(c, 1);
	feed_author_parse(a, s);
	free(s);
}

/* <tags>a, b</tags>, as some feeds write their categories */
static void rss_tags(const xmlNode *c, struct item *it)
{
	char *s = feed_node_text(c, 1), *save = NULL;

	for (char *t = s ? strtok_r(s, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
		feed_add_category(it, t);
	free(s);
}

static void rss_element(const struct xml *x, const xmlNode *c, struct item *it, char **permalink)
{
	char *s;

	if (feed_is(x, c, "title")) {
		s = feed_node_text(c, 0);
		feed_take(&it->title, feed_title_text(s));
		free(s);
	} else if (feed_is(x, c, "link")) {
		feed_keep(&it->link, feed_link_url(x, c));
	} else if (feed_is(x, c, "guid")) {
		rss_guid(x, c, it, permalink);
	} else if (feed_is(x, c, "description")) {
		feed_take(&it->summary, feed_html_node(x, c));
	} else if (feed_is(x, c, "fullitem")) {
		feed_take(&it->content, feed_html_node(x, c));
	} else if (feed_is(x, c, "content")) {
		feed_take(&it->content, feed_atom_text(x, c, 0));
	} else if (feed_is(x, c, "pubDate") || feed_is(x, c, "published")) {
		feed_take_date(c, &it->created, &it->has_created);
	} else if (feed_is(x, c, "updated") || feed_is(x, c, "modified")) {
		feed_take_date(c, &it->updated, &it->has_updated);
	} else if (feed_is(x, c, "author")) {
		rss_author(x, c, &it->author);
	} else if (feed_is(x, c, "category")) {
		s = feed_node_text(c, 1);
		feed_add_category(it, s);
		free(s);
	} else if (feed_is(x, c, "tags")) {
		rss_tags(c, it);
	} else if (feed_is(x, c, "language")) {
		feed_keep(&it->lang, feed_node_lang(c));
	}
}

static void rss_item(const struct xml *x, const xmlNode *e)
{
	struct item it = {0};
	char *permalink = NULL;

	for (const xmlNode *c = e->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !feed_item_extension(x, c, &it))
			rss_element(x, c, &it, &permalink);
	feed_keep(&it.id, feed_attr(e, "about"));
	feed_keep(&it.link, permalink);
	feed_keep(&it.lang, feed_own_lang(e));
	feed_item_done(x->f, &it, &x->author);
}

/* the channel's title, link, language and editor */
static void rss_channel(struct xml *x, const xmlNode *ch)
{
	sm_feed *f = x->f;
	char *s;

	for (const xmlNode *c = ch->children; c; c = c->next) {
		if (feed_is(x, c, "title") || feed_is_ns(c, NS_DC, "title")) {
			s = feed_node_text(c, 0);
			feed_keep(&f->title, feed_title_text(s));
			free(s);
		} else if (feed_is(x, c, "link")) {
			feed_keep(&f->link, feed_link_url(x, c));
		} else if (feed_is(x, c, "language") || feed_is_ns(c, NS_DC, "language")) {
			feed_keep(&f->lang, feed_node_lang(c));
		} else if (feed_is(x, c, "managingEditor") || feed_is(x, c, "author") ||
			   feed_is_ns(c, NS_DC, "creator")) {
			rss_author(x, c, &x->author);
		}
	}
}

static char *rss_format(const xmlNode *root)
{
	char *v = feed_attr(root, "version"), *f;

	if (v && (!strcmp(v, "2") || !strncmp(v, "2.", 2)))
		f = sm_strdup("rss2.0");
	else if (v && strlen(v) == 4 && !strncmp(v, "0.9", 3) && isdigit((unsigned char)v[3]))
		f = sm_asprintf("rss%s", v);
	else
		f = sm_strdup("rss");
	free(v);
	return f;
}

/* <rss>, <rdf:RDF> or a bare <channel>: items may sit in the channel or beside it */
int feed_rss_read(struct xml *x, const xmlNode *root)
{
	const xmlNode *ch = NULL;
	xmlChar *lang;

	for (const xmlNode *c = root->children; c && !ch; c = c->next)
		if (feed_is(x, c, "channel"))
			ch = c;
	if (!strcmp((const char *)root->name, "RDF"))
		x->f->format = sm_strdup(xmlSearchNsByHref(x->doc, (xmlNode *)root,
							   (const xmlChar *)NS_RSS090)
					 ? "rss0.90"
					 : "rss1.0");
	else
		x->f->format = rss_format(root);
	if (!strcmp((const char *)root->name, "channel"))
		ch = root;
	if (ch)
		rss_channel(x, ch);
	lang = xmlNodeGetLang(ch ? ch : root);
	feed_keep(&x->f->lang, feed_lang_tag((const char *)lang));
	xmlFree(lang);
	for (const xmlNode *c = ch ? ch->children : NULL; c; c = c->next)
		if (feed_is(x, c, "item"))
			rss_item(x, c);
	for (const xmlNode *c = ch != root ? root->children : NULL; c; c = c->next)
		if (feed_is(x, c, "item"))
			rss_item(x, c);
	return 0;
}
