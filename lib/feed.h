/*
 * feed.h - what the files of the feed parser (feed*.c) share: the item a reader collects,
 * the XML document it reads from, and their helpers. Not public: smkit.h has sm_feed_parse.
 */
#ifndef SM_FEED_H
#define SM_FEED_H

#include <stdlib.h>

#include <libxml/tree.h>

#include "smkit.h"

#define NS_ATOM10 "http://www.w3.org/2005/Atom"
#define NS_ATOM03 "http://purl.org/atom/ns#"
#define NS_RSS10 "http://purl.org/rss/1.0/"
#define NS_RSS090 "http://my.netscape.com/rdf/simple/0.9/"
#define NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_DCTERMS "http://purl.org/dc/terms/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_XHTML "http://www.w3.org/1999/xhtml"
#define NS_THR "http://purl.org/syndication/thread/1.0"

struct author {
	char *name, *email, *url;
};

/* what a format's reader collects of one item, for feed_item_done */
struct item {
	char *id, *link, *title, *content, *summary, *lang, *reply_to;
	time_t created, updated;
	int has_created, has_updated;
	struct author author;
	json_t *cats;
};

/* an XML feed being read */
struct xml {
	sm_feed *f;
	xmlDocPtr doc;
	const xmlChar *root_ns; /* the root element's namespace, may be NULL */
	struct author author;   /* the feed's, for items without one */
};

static inline int feed_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Replace *dst with s (which it takes), unless s is NULL. */
static inline void feed_take(char **dst, char *s)
{
	if (!s)
		return;
	free(*dst);
	*dst = s;
}

/* Set *dst to s (which it takes) unless *dst is already set. */
static inline void feed_keep(char **dst, char *s)
{
	if (*dst)
		free(s);
	else
		*dst = s;
}

// feed.c: strings and the item record
char *feed_clean(const char *s, int fold); /* trimmed, blanks folded if fold; NULL if empty */
char *feed_title_text(const char *s);      /* plain text of a title that may be HTML */
char *feed_html_text(const char *s, size_t n); /* NULL if the HTML holds no text */
char *feed_lang_tag(const char *s);            /* "en_US" is "en-US" */
char *feed_abs_url(const char *base, const char *ref); /* NULL if absent, empty or unsafe */
void feed_author_free(struct author *a);
void feed_author_parse(struct author *a, const char *s); /* "me@example.com (Me)" */
void feed_add_category(struct item *it, const char *term);
/* Append the item record to f->items (feed_author for an item without one); frees it. */
void feed_item_done(sm_feed *f, struct item *it, const struct author *feed_author);

// feed_xml.c: the document
/* Parse into *doc (NULL if nothing could be read), marking f bozo; -1 if it cannot be tried. */
int feed_xml_read(const char *data, size_t len, const char *base, const char *ct, sm_feed *f,
		  xmlDocPtr *doc);

// feed_elem.c: elements RSS and Atom share
int feed_ns_is(const xmlNode *n, const char *href);
/* n is the element name of the feed's own vocabulary (no namespace, the root's, RSS, Atom) */
int feed_is(const struct xml *x, const xmlNode *n, const char *name);
int feed_is_ns(const xmlNode *n, const char *href, const char *name);
int feed_has_element_child(const xmlNode *n);
char *feed_content_of(const xmlNode *n);          /* the text inside, entities and CDATA */
char *feed_node_text(const xmlNode *n, int fold); /* trimmed; NULL if blank */
char *feed_attr(const xmlNode *n, const char *name);
char *feed_own_lang(const xmlNode *n); /* xml:lang on n itself */
char *feed_node_lang(const xmlNode *n);
char *feed_node_url(const struct xml *x, const xmlNode *n, const char *ref);
char *feed_inner_markup(const struct xml *x, const xmlNode *n);
char *feed_html_node(const struct xml *x, const xmlNode *n);
void feed_take_date(const xmlNode *n, time_t *t, int *has);
char *feed_link_url(const struct xml *x, const xmlNode *n);
/* Dublin Core, content:encoded, xhtml:body, thr:in-reply-to; 1 if c was one of them. */
int feed_item_extension(const struct xml *x, const xmlNode *c, struct item *it);

// feed_atom.c: Atom 1.0 and 0.3
char *feed_atom_text(const struct xml *x, const xmlNode *n, int fold); /* a text construct */
void feed_atom_person(const struct xml *x, const xmlNode *p, struct author *a);
void feed_atom_entry(const struct xml *x, const xmlNode *e);
int feed_atom_read(struct xml *x, const xmlNode *root);

// feed_rss.c: RSS 0.9x, 1.0 and 2.0
int feed_rss_read(struct xml *x, const xmlNode *root);

// feed_json.c: JSON Feed 1.0 and 1.1
int feed_json_read(const char *data, size_t len, const char *base, sm_feed *f);

#endif
