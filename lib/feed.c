/*
 * feed.c - RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.x documents into item records.
 * XML goes through libxml2's DOM in recover mode (no external entities, no network);
 * an ill-formed document is read as far as it goes and marked bozo. JSON via jansson.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

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

/* ---- SHA-1 (FIPS 180-4), for the ids of items that carry none ---- */

struct sha1 {
	uint32_t h[5];
	uint64_t len;
	unsigned char block[64];
	size_t n;
};

static uint32_t rol(uint32_t x, int k)
{
	return x << k | x >> (32 - k);
}

static void sha1_block(struct sha1 *c)
{
	uint32_t w[80], a = c->h[0], b = c->h[1], d = c->h[3], e = c->h[4], cc = c->h[2], f, k, t;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)c->block[4 * i] << 24 | (uint32_t)c->block[4 * i + 1] << 16 |
		       (uint32_t)c->block[4 * i + 2] << 8 | c->block[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (int i = 0; i < 80; i++) {
		if (i < 20)
			f = (b & cc) | (~b & d), k = 0x5A827999;
		else if (i < 40)
			f = b ^ cc ^ d, k = 0x6ED9EBA1;
		else if (i < 60)
			f = (b & cc) | (b & d) | (cc & d), k = 0x8F1BBCDC;
		else
			f = b ^ cc ^ d, k = 0xCA62C1D6;
		t = rol(a, 5) + f + e + k + w[i];
		e = d, d = cc, cc = rol(b, 30), b = a, a = t;
	}
	c->h[0] += a, c->h[1] += b, c->h[2] += cc, c->h[3] += d, c->h[4] += e;
}

static void sha1_add(struct sha1 *c, const void *p, size_t n)
{
	const unsigned char *s = p;

	c->len += n;
	while (n--) {
		c->block[c->n++] = *s++;
		if (c->n == 64) {
			sha1_block(c);
			c->n = 0;
		}
	}
}

/* "sha1:" and the 40 hex digits of the digest of s[0..n) */
static char *sha1_id(const char *s, size_t n)
{
	struct sha1 c = {{0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0}, 0, {0}, 0};
	uint64_t bits;
	unsigned char pad = 0x80, len[8];
	char hex[41];

	sha1_add(&c, s, n);
	bits = c.len * 8;
	sha1_add(&c, &pad, 1);
	pad = 0;
	while (c.n != 56)
		sha1_add(&c, &pad, 1);
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_add(&c, len, 8);
	for (int i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned)(c.h[i / 4] >> (24 - 8 * (i % 4))) & 0xFF);
	return sm_asprintf("sha1:%s", hex);
}

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

static int blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* s trimmed, its blanks folded to one space when fold is set; NULL if nothing is left */
static char *clean(const char *s, int fold)
{
	sm_buf b = {0};
	int gap = 0;

	while (s && blank(*s))
		s++;
	for (; s && *s; s++) {
		if (fold && blank(*s)) {
			gap = 1;
			continue;
		}
		if (gap)
			sm_buf_addc(&b, ' ');
		sm_buf_addc(&b, *s);
		gap = 0;
	}
	while (b.len && blank(b.s[b.len - 1]))
		b.s[--b.len] = '\0';
	if (!b.len) {
		sm_buf_free(&b);
		return NULL;
	}
	return sm_buf_detach(&b);
}

/* Replace *dst with s (which it takes), unless s is NULL. */
static void take(char **dst, char *s)
{
	if (!s)
		return;
	free(*dst);
	*dst = s;
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
static char *title_text(const char *s)
{
	char *t, *r;

	if (!s)
		return NULL;
	if (!looks_like_html(s))
		return clean(s, 1);
	t = sm_html_to_text(s, strlen(s));
	r = clean(t, 1);
	free(t);
	return r;
}

/* plain text of HTML, NULL if it holds none */
static char *html_text(const char *s, size_t n)
{
	char *t = sm_html_to_text(s, n);

	if (!*t) {
		free(t);
		return NULL;
	}
	return t;
}

/* a language tag as smkit writes it: "en_US" is "en-US" */
static char *lang_tag(const char *s)
{
	char *l = clean(s, 1);

	for (char *p = l; p && *p; p++)
		if (*p == '_')
			*p = '-';
	return l;
}

/* ---- items: what a format's reader collects, then the record ---- */

struct author {
	char *name, *email, *url;
};

struct item {
	char *id, *link, *title, *content, *summary, *lang, *reply_to;
	time_t created, updated;
	int has_created, has_updated;
	struct author author;
	json_t *cats;
};

static void author_free(struct author *a)
{
	free(a->name), free(a->email), free(a->url);
	memset(a, 0, sizeof *a);
}

static void item_free(struct item *it)
{
	free(it->id), free(it->link), free(it->title), free(it->content), free(it->summary);
	free(it->lang), free(it->reply_to);
	author_free(&it->author);
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

static void add_category(struct item *it, const char *term)
{
	char *t = clean(term, 1), *v;
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
	char date[SM_TIME_LEN] = "";
	char *s, *id;

	if (it->has_created || it->has_updated)
		sm_time_format(it->has_created ? it->created : it->updated, date);
	if (!it->title && !*date)
		s = sm_asprintf("\n\n%s", text ? text : "");
	else
		s = sm_asprintf("%s\n%s", it->title ? it->title : "", date);
	id = sha1_id(s, strlen(s));
	free(s);
	return id;
}

/* The item record of SPEC §3 from what a reader collected; frees the item. */
static void item_done(sm_feed *f, struct item *it, const struct author *feed_author)
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
static void author_parse(struct author *a, const char *s)
{
	const char *at = s ? strchr(s, '@') : NULL, *b, *e;
	char *name;
	sm_buf rest = {0};

	if (!s)
		return;
	if (!at) {
		if (!a->name)
			a->name = clean(s, 1);
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
	name = clean(rest.s, 1);
	if (!a->name)
		a->name = name;
	else
		free(name);
	sm_buf_free(&rest);
}

/* Set *dst to s (which it takes) unless *dst is already set. */
static void keep(char **dst, char *s)
{
	if (*dst)
		free(s);
	else
		*dst = s;
}

/* ---- XML: the document, its vocabularies, its text ---- */

struct xml {
	sm_feed *f;
	xmlDocPtr doc;
	const xmlChar *root_ns; /* the root element's namespace, may be NULL */
	struct author author;   /* the feed's, for items without one */
};

static int ns_is(const xmlNode *n, const char *href)
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
		if (ns_is(n, known[i]))
			return 1;
	return 0;
}

static int is(const struct xml *x, const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name) && own_ns(x, n);
}

static int is_ns(const xmlNode *n, const char *href, const char *name)
{
	return n->type == XML_ELEMENT_NODE && ns_is(n, href) && !strcmp((const char *)n->name, name);
}

static int has_element_child(const xmlNode *n)
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
static char *content_of(const xmlNode *n)
{
	xmlChar *c = xmlNodeGetContent(n);
	char *s = sm_strdup(c ? (const char *)c : "");

	xmlFree(c);
	unmojibake(s);
	return s;
}

/* the text inside n, trimmed; NULL if blank */
static char *node_text(const xmlNode *n, int fold)
{
	char *c = content_of(n), *s = clean(c, fold);

	free(c);
	return s;
}

/* an attribute whatever its namespace, trimmed; NULL if absent or blank */
static char *attr(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s = clean((const char *)v, 1);

	xmlFree(v);
	return s;
}

/* xml:lang on n itself (not inherited) */
static char *own_lang(const xmlNode *n)
{
	xmlChar *v = xmlGetNsProp(n, (const xmlChar *)"lang", XML_XML_NAMESPACE);
	char *s = lang_tag((const char *)v);

	xmlFree(v);
	return s;
}

static char *node_lang(const xmlNode *n)
{
	char *s = node_text(n, 1), *l = lang_tag(s);

	free(s);
	return l;
}

/* ref resolved against base; NULL if absent, empty or unsafe */
static char *abs_url(const char *base, const char *ref)
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

/* ref made absolute against n's xml:base and the document's URL */
static char *node_url(const struct xml *x, const xmlNode *n, const char *ref)
{
	xmlChar *base = ref ? xmlNodeGetBase(x->doc, n) : NULL;
	char *u = abs_url((const char *)base, ref);

	xmlFree(base);
	return u;
}

/* the markup inside n, serialized (inline XHTML) */
static char *inner_markup(const struct xml *x, const xmlNode *n)
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
static char *html_node(const struct xml *x, const xmlNode *n)
{
	char *raw, *s;

	if (has_element_child(n)) {
		raw = inner_markup(x, n);
		s = html_text(raw, strlen(raw));
		free(raw);
		return s;
	}
	raw = content_of(n);
	s = html_text(raw, strlen(raw));
	free(raw);
	return s;
}

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

		if (blank(*s))
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

/* ---- text constructs and dates ---- */

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
	char *raw = node_text(n, 0), *bin, *s = NULL;
	size_t len = 0, bad;

	bin = raw ? base64_decode(raw, &len) : NULL;
	if (bin && !memchr(bin, 0, len) && sm_utf8_valid(bin, len, &bad))
		s = type && strstr(type, "html") ? html_text(bin, len) : clean(bin, fold);
	free(raw);
	free(bin);
	return s;
}

/* Plain text of an Atom text construct (title, summary, content...); fold for titles. */
static char *text_construct(const struct xml *x, const xmlNode *n, int fold)
{
	char *type = attr(n, "type"), *mode = attr(n, "mode"), *s = NULL, *raw;

	if (type)
		for (char *p = type; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	switch (construct_kind(type, mode, has_element_child(n))) {
	case TEXT_PLAIN:
		s = node_text(n, fold);
		break;
	case TEXT_HTML:
		raw = content_of(n);
		s = html_text(raw, strlen(raw));
		free(raw);
		break;
	case TEXT_MARKUP:
		raw = inner_markup(x, n);
		s = html_text(raw, strlen(raw));
		free(raw);
		break;
	default:
		s = base64_text(n, type, fold);
	}
	if (s && fold) {
		raw = s;
		s = clean(raw, 1);
		free(raw);
	}
	free(type);
	free(mode);
	return s;
}

/* A date element; a later one of the same kind wins, as in feedparser. */
static void take_date(const xmlNode *n, time_t *t, int *has)
{
	char *s = node_text(n, 1);
	time_t v;

	if (s && sm_date_parse(s, &v) == 0) {
		*t = v;
		*has = 1;
	}
	free(s);
}

/* An Atom link (href, rel alternate or none) or an RSS one (the URL as text). */
static char *link_url(const struct xml *x, const xmlNode *n)
{
	char *rel = attr(n, "rel"), *href = attr(n, "href"), *u = NULL;

	if (!rel || !strcasecmp(rel, "alternate")) {
		if (!href)
			href = node_text(n, 1);
		u = node_url(x, n, href);
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
		take_date(c, &it->created, &it->has_created);
		return;
	}
	if (!(s = node_text(c, 0)))
		return;
	if (!strcmp(name, "title"))
		keep(&it->title, title_text(s));
	else if (!strcmp(name, "description"))
		keep(&it->summary, html_text(s, strlen(s)));
	else if (!strcmp(name, "creator") || !strcmp(name, "author"))
		author_parse(&it->author, s);
	else if (!strcmp(name, "subject"))
		add_category(it, s);
	else if (!strcmp(name, "language"))
		keep(&it->lang, lang_tag(s));
	free(s);
}

static void reply_to(const struct xml *x, const xmlNode *c, struct item *it)
{
	char *href = attr(c, "href"), *ref = attr(c, "ref");

	if (href)
		keep(&it->reply_to, node_url(x, c, href));
	keep(&it->reply_to, ref);
	free(href);
}

/* Elements any item may carry; 1 if c was one of them. */
static int item_extension(const struct xml *x, const xmlNode *c, struct item *it)
{
	if (ns_is(c, NS_DC))
		dc_element(x, c, it);
	else if (is_ns(c, NS_DCTERMS, "issued") || is_ns(c, NS_DCTERMS, "created"))
		take_date(c, &it->created, &it->has_created);
	else if (is_ns(c, NS_DCTERMS, "modified"))
		take_date(c, &it->updated, &it->has_updated);
	else if (is_ns(c, NS_CONTENT, "encoded"))
		take(&it->content, html_node(x, c));
	else if (is_ns(c, NS_XHTML, "body") || is_ns(c, NS_XHTML, "div"))
		take(&it->content, html_node(x, c));
	else if (is_ns(c, NS_THR, "in-reply-to"))
		reply_to(x, c, it);
	else
		return 0;
	return 1;
}

/* ---- Atom 1.0 and 0.3 ---- */

static void atom_person(const struct xml *x, const xmlNode *p, struct author *a)
{
	char *u;

	if (a->name || a->email || a->url)
		return; /* the first author only */
	for (const xmlNode *c = p->children; c; c = c->next) {
		if (is(x, c, "name")) {
			keep(&a->name, node_text(c, 1));
		} else if (is(x, c, "email")) {
			keep(&a->email, node_text(c, 1));
		} else if (is(x, c, "uri") || is(x, c, "url") || is(x, c, "homepage")) {
			u = node_text(c, 1);
			keep(&a->url, node_url(x, c, u));
			free(u);
		}
	}
}

static void atom_category(const xmlNode *c, struct item *it)
{
	char *term = attr(c, "term");

	if (!term)
		term = node_text(c, 1);
	add_category(it, term);
	free(term);
}

static void atom_entry(const struct xml *x, const xmlNode *e)
{
	struct item it = {0};

	for (const xmlNode *c = e->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || item_extension(x, c, &it))
			continue;
		if (is(x, c, "id"))
			keep(&it.id, node_text(c, 1));
		else if (is(x, c, "title"))
			take(&it.title, text_construct(x, c, 1));
		else if (is(x, c, "content"))
			take(&it.content, text_construct(x, c, 0));
		else if (is(x, c, "summary"))
			take(&it.summary, text_construct(x, c, 0));
		else if (is(x, c, "link"))
			keep(&it.link, link_url(x, c));
		else if (is(x, c, "published") || is(x, c, "issued") || is(x, c, "created"))
			take_date(c, &it.created, &it.has_created);
		else if (is(x, c, "updated") || is(x, c, "modified"))
			take_date(c, &it.updated, &it.has_updated);
		else if (is(x, c, "author"))
			atom_person(x, c, &it.author);
		else if (is(x, c, "category"))
			atom_category(c, &it);
	}
	keep(&it.lang, own_lang(e));
	item_done(x->f, &it, &x->author);
}

static int atom_feed(struct xml *x, const xmlNode *root)
{
	sm_feed *f = x->f;
	char *v = attr(root, "version");

	f->format = sm_strdup(ns_is(root, NS_ATOM03) || (v && !strcmp(v, "0.3")) ? "atom0.3"
										   : "atom1.0");
	free(v);
	for (const xmlNode *c = root->children; c; c = c->next) {
		if (is(x, c, "title"))
			take(&f->title, text_construct(x, c, 1));
		else if (is(x, c, "link"))
			keep(&f->link, link_url(x, c));
		else if (is(x, c, "author"))
			atom_person(x, c, &x->author);
		else if (is_ns(c, NS_DC, "language"))
			keep(&f->lang, node_lang(c));
	}
	keep(&f->lang, own_lang(root));
	for (const xmlNode *c = root->children; c; c = c->next)
		if (is(x, c, "entry"))
			atom_entry(x, c);
	return 0;
}

/* ---- RSS 0.9x, 1.0 (RDF) and 2.0 ---- */

/* A guid is the id; a permalink (the default) also stands in for a missing link. */
static void rss_guid(const struct xml *x, const xmlNode *c, struct item *it, char **permalink)
{
	char *id = node_text(c, 1), *perma = attr(c, "isPermaLink");

	if (id && (!perma || strcasecmp(perma, "false")) &&
	    (!strncasecmp(id, "http://", 7) || !strncasecmp(id, "https://", 8)))
		keep(permalink, node_url(x, c, id));
	keep(&it->id, id);
	free(perma);
}

/* <author>: an e-mail address and name in RSS 2.0, a person in Atom */
static void rss_author(const struct xml *x, const xmlNode *c, struct author *a)
{
	char *s;

	if (has_element_child(c)) {
		atom_person(x, c, a);
		return;
	}
	s = node_text(c, 1);
	author_parse(a, s);
	free(s);
}

/* <tags>a, b</tags>, as some feeds write their categories */
static void rss_tags(const xmlNode *c, struct item *it)
{
	char *s = node_text(c, 1), *save = NULL;

	for (char *t = s ? strtok_r(s, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
		add_category(it, t);
	free(s);
}

static void rss_element(const struct xml *x, const xmlNode *c, struct item *it, char **permalink)
{
	char *s;

	if (is(x, c, "title")) {
		s = node_text(c, 0);
		take(&it->title, title_text(s));
		free(s);
	} else if (is(x, c, "link")) {
		keep(&it->link, link_url(x, c));
	} else if (is(x, c, "guid")) {
		rss_guid(x, c, it, permalink);
	} else if (is(x, c, "description")) {
		take(&it->summary, html_node(x, c));
	} else if (is(x, c, "fullitem")) {
		take(&it->content, html_node(x, c));
	} else if (is(x, c, "content")) {
		take(&it->content, text_construct(x, c, 0));
	} else if (is(x, c, "pubDate") || is(x, c, "published")) {
		take_date(c, &it->created, &it->has_created);
	} else if (is(x, c, "updated") || is(x, c, "modified")) {
		take_date(c, &it->updated, &it->has_updated);
	} else if (is(x, c, "author")) {
		rss_author(x, c, &it->author);
	} else if (is(x, c, "category")) {
		s = node_text(c, 1);
		add_category(it, s);
		free(s);
	} else if (is(x, c, "tags")) {
		rss_tags(c, it);
	} else if (is(x, c, "language")) {
		keep(&it->lang, node_lang(c));
	}
}

static void rss_item(const struct xml *x, const xmlNode *e)
{
	struct item it = {0};
	char *permalink = NULL;

	for (const xmlNode *c = e->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && !item_extension(x, c, &it))
			rss_element(x, c, &it, &permalink);
	keep(&it.id, attr(e, "about"));
	keep(&it.link, permalink);
	keep(&it.lang, own_lang(e));
	item_done(x->f, &it, &x->author);
}

/* the channel's title, link, language and editor */
static void rss_channel(struct xml *x, const xmlNode *ch)
{
	sm_feed *f = x->f;
	char *s;

	for (const xmlNode *c = ch->children; c; c = c->next) {
		if (is(x, c, "title") || is_ns(c, NS_DC, "title")) {
			s = node_text(c, 0);
			keep(&f->title, title_text(s));
			free(s);
		} else if (is(x, c, "link")) {
			keep(&f->link, link_url(x, c));
		} else if (is(x, c, "language") || is_ns(c, NS_DC, "language")) {
			keep(&f->lang, node_lang(c));
		} else if (is(x, c, "managingEditor") || is(x, c, "author") ||
			   is_ns(c, NS_DC, "creator")) {
			rss_author(x, c, &x->author);
		}
	}
}

static char *rss_format(const xmlNode *root)
{
	char *v = attr(root, "version"), *f;

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
static int rss_feed(struct xml *x, const xmlNode *root)
{
	const xmlNode *ch = NULL;
	xmlChar *lang;

	for (const xmlNode *c = root->children; c && !ch; c = c->next)
		if (is(x, c, "channel"))
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
	keep(&x->f->lang, lang_tag((const char *)lang));
	xmlFree(lang);
	for (const xmlNode *c = ch ? ch->children : NULL; c; c = c->next)
		if (is(x, c, "item"))
			rss_item(x, c);
	for (const xmlNode *c = ch != root ? root->children : NULL; c; c = c->next)
		if (is(x, c, "item"))
			rss_item(x, c);
	return 0;
}

/* ---- JSON Feed 1.0 and 1.1 ---- */

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
	a->name = clean(jstr(p, "name"), 1);
	a->url = abs_url(base, jstr(p, "url"));
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
		it.id = clean(json_string_value(id), 0);
	else if (json_is_integer(id))
		it.id = sm_asprintf("%" JSON_INTEGER_FORMAT, json_integer_value(id));
	it.link = abs_url(base, url);
	it.title = title_text(jstr(o, "title"));
	if ((s = jstr(o, "content_html")))
		it.content = html_text(s, strlen(s));
	if (!it.content && (s = jstr(o, "content_text")))
		it.content = clean(s, 0);
	if ((s = jstr(o, "summary")))
		it.summary = clean(s, 0);
	json_dates(o, &it);
	it.lang = lang_tag(jstr(o, "language"));
	json_author(o, base, &it.author);
	json_array_foreach(json_object_get(o, "tags"), i, tag) {
		add_category(&it, json_string_value(tag));
	}
	item_done(f, &it, fa);
}

static int json_feed(const char *data, size_t len, const char *base, sm_feed *f)
{
	json_error_t err;
	json_t *root = json_loadb(data, len, 0, &err), *item;
	const char *v;
	struct author fa = {0};
	size_t i;

	if (!json_is_object(root)) {
		json_decref(root);
		return sm_error("not a json feed: %s", root ? "not an object" : err.text);
	}
	v = jstr(root, "version");
	f->format = sm_strdup(v && strstr(v, "/version/1.1") ? "json1.1" : "json1");
	f->title = title_text(jstr(root, "title"));
	f->link = abs_url(base, jstr(root, "home_page_url"));
	f->lang = lang_tag(jstr(root, "language"));
	json_author(root, base, &fa);
	json_array_foreach(json_object_get(root, "items"), i, item) {
		if (json_is_object(item))
			json_item(f, item, base, &fa);
	}
	author_free(&fa);
	json_decref(root);
	return 0;
}

/* ---- reading XML: encodings, errors, the root element ---- */

/* The charset parameter of an HTTP Content-Type; 0 if there is none. */
static int http_charset(const char *ct, char *buf, size_t size)
{
	size_t n = 0;

	for (const char *p = ct; p && (p = strcasestr(p, "charset")); p += 7) {
		const char *q = p + 7;

		while (blank(*q))
			q++;
		if (*q++ != '=')
			continue;
		while (blank(*q) || *q == '"' || *q == '\'')
			q++;
		while (n < size - 1 && (isalnum((unsigned char)*q) || (*q && strchr("-_.:", *q))))
			buf[n++] = *q++;
		buf[n] = '\0';
		return n > 0;
	}
	return 0;
}

/*
 * The encoding a byte order mark or the first character '<' in UTF-16/32 shows; the mark
 * is skipped. NULL when the bytes are ASCII-compatible and the labels decide.
 */
static const char *sniff_encoding(const char **d, size_t *n)
{
	static const struct {
		const char *bytes, *name;
		size_t len, skip;
	} marks[] = {
		{"\0\0\xFE\xFF", "UTF-32BE", 4, 4}, {"\xFF\xFE\0\0", "UTF-32LE", 4, 4},
		{"\xFE\xFF", "UTF-16BE", 2, 2},       {"\xFF\xFE", "UTF-16LE", 2, 2},
		{"\xEF\xBB\xBF", "UTF-8", 3, 3},       {"\0\0\0<", "UTF-32BE", 4, 0},
		{"<\0\0\0", "UTF-32LE", 4, 0},         {"\0<", "UTF-16BE", 2, 0},
		{"<\0", "UTF-16LE", 2, 0},
	};

	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
		if (*n >= marks[i].len && !memcmp(*d, marks[i].bytes, marks[i].len)) {
			*d += marks[i].skip, *n -= marks[i].skip;
			return marks[i].name;
		}
	return NULL;
}

/* The encoding the XML declaration names; 0 if none. */
static int decl_encoding(const char *d, size_t n, char *buf, size_t size)
{
	const char *end, *p;
	char quote;
	size_t k = 0;

	if (n < 5 || memcmp(d, "<?xml", 5) || !(end = memmem(d, n < 512 ? n : 512, "?>", 2)) ||
	    !(p = memmem(d, (size_t)(end - d), "encoding", 8)))
		return 0;
	for (p += 8; blank(*p); p++)
		;
	if (*p++ != '=')
		return 0;
	while (blank(*p))
		p++;
	if ((quote = *p) != '"' && quote != '\'')
		return 0;
	for (p++; p < end && *p != quote && k < size - 1; p++)
		buf[k++] = *p;
	buf[k] = '\0';
	return k > 0;
}

/* 1 if libxml2 (with iconv) can decode the named encoding */
static int known_encoding(const char *name)
{
	xmlCharEncodingHandlerPtr h = xmlFindCharEncodingHandler(name);

	if (h)
		xmlCharEncCloseFunc(h);
	return h != NULL;
}

/*
 * The encoding to read the document in, or NULL for UTF-8: the byte order mark's, else the
 * XML declaration's, else the HTTP charset. As browsers do, a document labelled Latin-1 or
 * ASCII is read as windows-1252, of which it is nearly always a subset.
 */
static const char *pick_encoding(const char **d, size_t *n, const char *ct, char *buf,
				 size_t size)
{
	static const char *const latin1[] = {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1",
					     "l1", "us-ascii", "ascii", "ansi_x3.4-1968"};
	const char *sniffed = sniff_encoding(d, n);
	int r;

	if (sniffed)
		return sniffed;
	if (!(r = decl_encoding(*d, *n, buf, size)) && !http_charset(ct, buf, size))
		return NULL;
	for (size_t i = 0; i < sizeof latin1 / sizeof latin1[0]; i++)
		if (!strcasecmp(buf, latin1[i]))
			return "windows-1252";
	if (!strcasecmp(buf, "gb2312") || !strcasecmp(buf, "gbk"))
		return "GB18030";
	if (!known_encoding(buf))
		return r ? "UTF-8" : NULL; /* a bogus declaration: most likely UTF-8 */
	return buf;
}

/* libxml2's structured error handler: the first error makes the feed bozo */
static void on_xml_error(void *ctx, xmlErrorPtr e)
{
	sm_feed *f = ctx;
	char *m;

	if (!e || e->level < XML_ERR_ERROR || f->bozo)
		return;
	m = clean(e->message, 1);
	f->bozo = 1;
	f->bozo_msg = sm_asprintf("line %d: %s", e->line, m ? m : "ill-formed xml");
	free(m);
}

/*
 * libxml2's entity lookup, extended to the HTML entities feeds use without declaring them
 * (&nbsp;, &eacute;): the document is bozo, but the character is kept.
 */
static xmlEntityPtr get_entity(void *ctx, const xmlChar *name)
{
	xmlParserCtxtPtr ctxt = ctx;
	xmlEntityPtr e = xmlSAX2GetEntity(ctx, name);
	sm_feed *f = ctxt->_private;
	char ref[48], *s;

	if (e || ctxt->inSubset || !ctxt->myDoc || strlen((const char *)name) > 40)
		return e;
	snprintf(ref, sizeof ref, "&%s;", (const char *)name);
	s = sm_entities_decode(ref, strlen(ref));
	if (strcmp(s, ref) && (ctxt->myDoc->intSubset ||
			       xmlCreateIntSubset(ctxt->myDoc, (const xmlChar *)"feed", NULL, NULL)))
		e = xmlAddDocEntity(ctxt->myDoc, name, XML_INTERNAL_GENERAL_ENTITY, NULL, NULL,
				    (const xmlChar *)s);
	free(s);
	if (e && !f->bozo && !ctxt->hasExternalSubset) { /* an unread DTD may declare it */
		f->bozo = 1;
		f->bozo_msg = sm_asprintf("line %d: entity '%s' not defined",
					  xmlSAX2GetLineNumber(ctx), (const char *)name);
	}
	return e;
}

/*
 * A document that should be UTF-8 and is not: the bytes that are not UTF-8 are read as
 * windows-1252, which they nearly always are (HTML5 reads &#146; the same way).
 */
static char *fix_utf8(const char *d, size_t n, size_t *len)
{
	sm_buf b = {0};
	char ref[8], *c;
	size_t bad;

	while (!sm_utf8_valid(d, n, &bad)) {
		sm_buf_add(&b, d, bad);
		snprintf(ref, sizeof ref, "&#%u;", (unsigned char)d[bad]);
		c = sm_entities_decode(ref, strlen(ref));
		sm_buf_adds(&b, c);
		free(c);
		d += bad + 1, n -= bad + 1;
	}
	sm_buf_add(&b, d, n);
	*len = b.len;
	return sm_buf_detach(&b);
}

/* Parse the document into *doc (NULL if nothing could be read); -1 if it cannot be tried. */
static int read_xml(const char *data, size_t len, const char *base, const char *ct, sm_feed *f,
		    xmlDocPtr *doc)
{
	xmlStructuredErrorFunc old = xmlStructuredError;
	void *old_ctx = xmlStructuredErrorContext;
	char buf[64], *fixed = NULL;
	const char *enc = pick_encoding(&data, &len, ct, buf, sizeof buf);
	xmlParserCtxtPtr ctxt;
	size_t bad;

	if ((!enc || !strcasecmp(enc, "UTF-8")) && !sm_utf8_valid(data, len, &bad)) {
		f->bozo = 1;
		f->bozo_msg = sm_asprintf("byte %zu: not utf-8, read as windows-1252", bad);
		data = fixed = fix_utf8(data, len, &len);
	}
	if (len > INT_MAX || !(ctxt = xmlNewParserCtxt())) {
		free(fixed);
		return sm_error(len > INT_MAX ? "document too large" : "out of memory");
	}
	ctxt->sax->getEntity = get_entity;
	ctxt->_private = f;
	xmlSetStructuredErrorFunc(f, on_xml_error);
	*doc = xmlCtxtReadMemory(ctxt, data, (int)len, base, enc,
				XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR |
					XML_PARSE_NOWARNING | (enc ? XML_PARSE_IGNORE_ENC : 0));
	xmlSetStructuredErrorFunc(old_ctx, old);
	if (!ctxt->wellFormed && !f->bozo) {
		f->bozo = 1;
		f->bozo_msg = sm_strdup("ill-formed xml");
	}
	xmlFreeParserCtxt(ctxt);
	free(fixed);
	return 0;
}

static int xml_feed(const char *data, size_t len, const char *base, const char *ct, sm_feed *f)
{
	struct xml x = {f, NULL, NULL, {0}};
	xmlNode *root;
	const char *name;
	int r = 0;

	if (read_xml(data, len, base, ct, f, &x.doc) < 0)
		return -1;
	root = x.doc ? xmlDocGetRootElement(x.doc) : NULL;
	name = root ? (const char *)root->name : "";
	if (root && root->ns)
		x.root_ns = root->ns->href;
	if (!strcmp(name, "rss") || !strcmp(name, "RDF") || !strcmp(name, "channel")) {
		rss_feed(&x, root);
	} else if (!strcmp(name, "feed")) {
		atom_feed(&x, root);
	} else if (!strcmp(name, "entry")) { /* an Atom entry document */
		f->format = sm_strdup("atom1.0");
		atom_entry(&x, root);
	} else if (!root) {
		r = sm_error("not a feed: %s", f->bozo_msg ? f->bozo_msg : "no xml element");
	} else {
		r = sm_error("not a feed: the root element is '%s'", name);
	}
	author_free(&x.author);
	xmlFreeDoc(x.doc);
	return r;
}

/* JSON Feed starts with '{' (after a BOM and blanks); everything else is tried as XML */
static int is_json(const char *d, size_t n)
{
	size_t i = n >= 3 && !memcmp(d, "\xEF\xBB\xBF", 3) ? 3 : 0;

	while (i < n && blank(d[i]))
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

		r = json_feed(data + skip, len - skip, base, out);
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
