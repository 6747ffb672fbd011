/*
 * feed_xml.c - a libxml2 document from a feed's bytes: the encoding (byte order mark, XML
 * declaration, HTTP charset), windows-1252 repair, undeclared HTML entities, errors as bozo.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "feed.h"

/* The charset parameter of an HTTP Content-Type; 0 if there is none. */
static int http_charset(const char *ct, char *buf, size_t size)
{
	size_t n = 0;

	for (const char *p = ct; p && (p = strcasestr(p, "charset")); p += 7) {
		const char *q = p + 7;

		while (feed_blank(*q))
			q++;
		if (*q++ != '=')
			continue;
		while (feed_blank(*q) || *q == '"' || *q == '\'')
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
	for (p += 8; feed_blank(*p); p++)
		;
	if (*p++ != '=')
		return 0;
	while (feed_blank(*p))
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
	m = feed_clean(e->message, 1);
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

/* Parse the document into *doc (NULL if nothing could be read); -1 if it cannot be tried. */
int feed_xml_read(const char *data, size_t len, const char *base, const char *ct, sm_feed *f,
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
		data = fixed = sm_utf8_fix(data, len, &len);
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
