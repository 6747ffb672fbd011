/*
 * html.c - plain text from the HTML fragments feeds and networks send (a small scanner,
 * not a full HTML parser), entity decoding, and resolution of relative URLs.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/uri.h>
#include <libxml/xmlmemory.h>

#include "smkit.h"

/* The HTML 4 entities (Latin-1, symbols, Greek, specials) and &apos;, sorted by name. */
static const struct entity {
	const char *name;
	unsigned cp;
} entities[] = {
	{"AElig", 0xC6}, {"Aacute", 0xC1}, {"Acirc", 0xC2}, {"Agrave", 0xC0}, {"Alpha", 0x391},
	{"Aring", 0xC5}, {"Atilde", 0xC3}, {"Auml", 0xC4}, {"Beta", 0x392}, {"Ccedil", 0xC7},
	{"Chi", 0x3A7}, {"Dagger", 0x2021}, {"Delta", 0x394}, {"ETH", 0xD0}, {"Eacute", 0xC9},
	{"Ecirc", 0xCA}, {"Egrave", 0xC8}, {"Epsilon", 0x395}, {"Eta", 0x397}, {"Euml", 0xCB},
	{"Gamma", 0x393}, {"Iacute", 0xCD}, {"Icirc", 0xCE}, {"Igrave", 0xCC}, {"Iota", 0x399},
	{"Iuml", 0xCF}, {"Kappa", 0x39A}, {"Lambda", 0x39B}, {"Mu", 0x39C}, {"Ntilde", 0xD1},
	{"Nu", 0x39D}, {"OElig", 0x152}, {"Oacute", 0xD3}, {"Ocirc", 0xD4}, {"Ograve", 0xD2},
	{"Omega", 0x3A9}, {"Omicron", 0x39F}, {"Oslash", 0xD8}, {"Otilde", 0xD5}, {"Ouml", 0xD6},
	{"Phi", 0x3A6}, {"Pi", 0x3A0}, {"Prime", 0x2033}, {"Psi", 0x3A8}, {"Rho", 0x3A1},
	{"Scaron", 0x160}, {"Sigma", 0x3A3}, {"THORN", 0xDE}, {"Tau", 0x3A4}, {"Theta", 0x398},
	{"Uacute", 0xDA}, {"Ucirc", 0xDB}, {"Ugrave", 0xD9}, {"Upsilon", 0x3A5}, {"Uuml", 0xDC},
	{"Xi", 0x39E}, {"Yacute", 0xDD}, {"Yuml", 0x178}, {"Zeta", 0x396}, {"aacute", 0xE1},
	{"acirc", 0xE2}, {"acute", 0xB4}, {"aelig", 0xE6}, {"agrave", 0xE0}, {"alefsym", 0x2135},
	{"alpha", 0x3B1}, {"amp", 0x26}, {"and", 0x2227}, {"ang", 0x2220}, {"apos", 0x27},
	{"aring", 0xE5}, {"asymp", 0x2248}, {"atilde", 0xE3}, {"auml", 0xE4}, {"bdquo", 0x201E},
	{"beta", 0x3B2}, {"brvbar", 0xA6}, {"bull", 0x2022}, {"cap", 0x2229}, {"ccedil", 0xE7},
	{"cedil", 0xB8}, {"cent", 0xA2}, {"chi", 0x3C7}, {"circ", 0x2C6}, {"clubs", 0x2663},
	{"cong", 0x2245}, {"copy", 0xA9}, {"crarr", 0x21B5}, {"cup", 0x222A}, {"curren", 0xA4},
	{"dArr", 0x21D3}, {"dagger", 0x2020}, {"darr", 0x2193}, {"deg", 0xB0}, {"delta", 0x3B4},
	{"diams", 0x2666}, {"divide", 0xF7}, {"eacute", 0xE9}, {"ecirc", 0xEA}, {"egrave", 0xE8},
	{"empty", 0x2205}, {"emsp", 0x2003}, {"ensp", 0x2002}, {"epsilon", 0x3B5},
	{"equiv", 0x2261}, {"eta", 0x3B7}, {"eth", 0xF0}, {"euml", 0xEB}, {"euro", 0x20AC},
	{"exist", 0x2203}, {"fnof", 0x192}, {"forall", 0x2200}, {"frac12", 0xBD},
	{"frac14", 0xBC}, {"frac34", 0xBE}, {"frasl", 0x2044}, {"gamma", 0x3B3}, {"ge", 0x2265},
	{"gt", 0x3E}, {"hArr", 0x21D4}, {"harr", 0x2194}, {"hearts", 0x2665}, {"hellip", 0x2026},
	{"iacute", 0xED}, {"icirc", 0xEE}, {"iexcl", 0xA1}, {"igrave", 0xEC}, {"image", 0x2111},
	{"infin", 0x221E}, {"int", 0x222B}, {"iota", 0x3B9}, {"iquest", 0xBF}, {"isin", 0x2208},
	{"iuml", 0xEF}, {"kappa", 0x3BA}, {"lArr", 0x21D0}, {"lambda", 0x3BB}, {"lang", 0x2329},
	{"laquo", 0xAB}, {"larr", 0x2190}, {"lceil", 0x2308}, {"ldquo", 0x201C}, {"le", 0x2264},
	{"lfloor", 0x230A}, {"lowast", 0x2217}, {"loz", 0x25CA}, {"lrm", 0x200E},
	{"lsaquo", 0x2039}, {"lsquo", 0x2018}, {"lt", 0x3C}, {"macr", 0xAF}, {"mdash", 0x2014},
	{"micro", 0xB5}, {"middot", 0xB7}, {"minus", 0x2212}, {"mu", 0x3BC}, {"nabla", 0x2207},
	{"nbsp", 0xA0}, {"ndash", 0x2013}, {"ne", 0x2260}, {"ni", 0x220B}, {"not", 0xAC},
	{"notin", 0x2209}, {"nsub", 0x2284}, {"ntilde", 0xF1}, {"nu", 0x3BD}, {"oacute", 0xF3},
	{"ocirc", 0xF4}, {"oelig", 0x153}, {"ograve", 0xF2}, {"oline", 0x203E}, {"omega", 0x3C9},
	{"omicron", 0x3BF}, {"oplus", 0x2295}, {"or", 0x2228}, {"ordf", 0xAA}, {"ordm", 0xBA},
	{"oslash", 0xF8}, {"otilde", 0xF5}, {"otimes", 0x2297}, {"ouml", 0xF6}, {"para", 0xB6},
	{"part", 0x2202}, {"permil", 0x2030}, {"perp", 0x22A5}, {"phi", 0x3C6}, {"pi", 0x3C0},
	{"piv", 0x3D6}, {"plusmn", 0xB1}, {"pound", 0xA3}, {"prime", 0x2032}, {"prod", 0x220F},
	{"prop", 0x221D}, {"psi", 0x3C8}, {"quot", 0x22}, {"rArr", 0x21D2}, {"radic", 0x221A},
	{"rang", 0x232A}, {"raquo", 0xBB}, {"rarr", 0x2192}, {"rceil", 0x2309}, {"rdquo", 0x201D},
	{"real", 0x211C}, {"reg", 0xAE}, {"rfloor", 0x230B}, {"rho", 0x3C1}, {"rlm", 0x200F},
	{"rsaquo", 0x203A}, {"rsquo", 0x2019}, {"sbquo", 0x201A}, {"scaron", 0x161},
	{"sdot", 0x22C5}, {"sect", 0xA7}, {"shy", 0xAD}, {"sigma", 0x3C3}, {"sigmaf", 0x3C2},
	{"sim", 0x223C}, {"spades", 0x2660}, {"sub", 0x2282}, {"sube", 0x2286}, {"sum", 0x2211},
	{"sup", 0x2283}, {"sup1", 0xB9}, {"sup2", 0xB2}, {"sup3", 0xB3}, {"supe", 0x2287},
	{"szlig", 0xDF}, {"tau", 0x3C4}, {"there4", 0x2234}, {"theta", 0x3B8},
	{"thetasym", 0x3D1}, {"thinsp", 0x2009}, {"thorn", 0xFE}, {"tilde", 0x2DC},
	{"times", 0xD7}, {"trade", 0x2122}, {"uArr", 0x21D1}, {"uacute", 0xFA}, {"uarr", 0x2191},
	{"ucirc", 0xFB}, {"ugrave", 0xF9}, {"uml", 0xA8}, {"upsih", 0x3D2}, {"upsilon", 0x3C5},
	{"uuml", 0xFC}, {"weierp", 0x2118}, {"xi", 0x3BE}, {"yacute", 0xFD}, {"yen", 0xA5},
	{"yuml", 0xFF}, {"zeta", 0x3B6}, {"zwj", 0x200D}, {"zwnj", 0x200C},
};

static int entity_cmp(const void *key, const void *elem)
{
	const char *k = key, *name = ((const struct entity *)elem)->name;

	return strcmp(k, name);
}

/* the code point of a named entity, or 0 */
static unsigned entity_named(const char *name)
{
	const struct entity *e = bsearch(name, entities, sizeof entities / sizeof entities[0],
					 sizeof entities[0], entity_cmp);

	return e ? e->cp : 0;
}

/* what U+0080..U+009F stand for in the windows-1252 text they nearly always come from */
static const unsigned short cp1252[32] = {
	0x20AC, 0x81,   0x201A, 0x192,  0x201E, 0x2026, 0x2020, 0x2021,
	0x2C6,  0x2030, 0x160,  0x2039, 0x152,  0x8D,   0x17D,  0x8F,
	0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x2DC,  0x2122, 0x161,  0x203A, 0x153,  0x9D,   0x17E,  0x178,
};

/* Numeric references as HTML5 reads them: C1 controls are windows-1252, bad ones U+FFFD. */
static unsigned fix_codepoint(unsigned long v)
{
	if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0xFFFD;
	if (v >= 0x80 && v <= 0x9F)
		return cp1252[v - 0x80];
	return (unsigned)v;
}

/* &#123; or &#x7B; at s (s[0] == '&', s[1] == '#'); the ';' may be missing */
static size_t entity_numeric(const char *s, size_t n, unsigned *cp)
{
	size_t i = 2, start;
	int hex = i < n && (s[i] == 'x' || s[i] == 'X');
	unsigned long v = 0;

	i += hex;
	for (start = i; i < n && (hex ? isxdigit((unsigned char)s[i]) : isdigit((unsigned char)s[i]));
	     i++) {
		int d = isdigit((unsigned char)s[i]) ? s[i] - '0' : tolower((unsigned char)s[i]) - 'a' + 10;

		if (v <= 0x10FFFF)
			v = v * (hex ? 16 : 10) + (unsigned long)d;
	}
	if (i == start)
		return 0;
	*cp = fix_codepoint(v);
	return i < n && s[i] == ';' ? i + 1 : i;
}

/*
 * The entity at s (s[0] == '&') in s[0..n): the bytes it takes, 0 if it is not one.
 * Without a ';' only the few names old pages write that way are read ("&amp", "&nbsp").
 */
static size_t entity(const char *s, size_t n, unsigned *cp)
{
	static const char *const bare[] = {"amp", "lt", "gt", "quot", "nbsp", "copy", "reg"};
	char name[33];
	size_t i = 1;

	if (n > 1 && s[1] == '#')
		return entity_numeric(s, n, cp);
	while (i < n && i <= 32 && isalnum((unsigned char)s[i]))
		i++;
	if (i == 1 || i > 32 || (i < n && isalnum((unsigned char)s[i])))
		return 0;
	memcpy(name, s + 1, i - 1);
	name[i - 1] = '\0';
	if (i < n && s[i] == ';')
		return (*cp = entity_named(name)) ? i + 1 : 0;
	if (i < n && s[i] == '=')
		return 0; /* a query string: "?a=1&lt=2" */
	for (size_t k = 0; k < sizeof bare / sizeof bare[0]; k++)
		if (!strcmp(name, bare[k]))
			return (*cp = entity_named(name)) ? i : 0;
	return 0;
}

static void put_cp(sm_buf *b, unsigned cp)
{
	char u[4];

	if (cp < 0x80) {
		sm_buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F));
		sm_buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		sm_buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F));
		sm_buf_add(b, u, 4);
	}
}

/*
 * Copy one character from s[0..n): U+FFFD for a byte that does not start valid UTF-8,
 * and a C1 control (never meant as one) as the windows-1252 character it stands for.
 */
static size_t put_utf8(sm_buf *b, const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2, bad;

	if (c == 0 || (c >= 0x80 && (len > n || !sm_utf8_valid(s, len, &bad)))) {
		put_cp(b, 0xFFFD);
		return 1;
	}
	if (c == 0xC2 && (unsigned char)s[1] < 0xA0)
		put_cp(b, cp1252[(unsigned char)s[1] - 0x80]);
	else
		sm_buf_add(b, s, len);
	return len;
}

/* the buffer's text, or "" when nothing was written */
static char *detach(sm_buf *b)
{
	if (b->len == 0) {
		sm_buf_free(b);
		return sm_strdup("");
	}
	return sm_buf_detach(b);
}

char *sm_entities_decode(const char *s, size_t len)
{
	sm_buf b = {0};
	unsigned cp;
	size_t i = 0, k;

	while (i < len) {
		if (s[i] == '&' && (k = entity(s + i, len - i, &cp))) {
			put_cp(&b, cp);
			i += k;
		} else {
			i += put_utf8(&b, s + i, len - i);
		}
	}
	return detach(&b);
}

/* the text being built, with the blanks and breaks not yet written */
struct text {
	sm_buf b;
	int space;  /* a blank is pending */
	int breaks; /* line breaks pending, at most 2 (one blank line) */
	int pre;    /* inside <pre>: newlines are kept */
	int no_end; /* a tag ran to the end: later '<' are text (and the scan stays linear) */
};

/* Write what is pending before a visible character; nothing at the start (trimmed). */
static void flush(struct text *t)
{
	if (t->b.len > 0) {
		if (t->breaks)
			sm_buf_add(&t->b, "\n\n", (size_t)t->breaks);
		else if (t->space)
			sm_buf_addc(&t->b, ' ');
	}
	t->space = t->breaks = 0;
}

static void want_breaks(struct text *t, int n)
{
	if (t->breaks < n)
		t->breaks = n;
}

static void blank(struct text *t, char c)
{
	if (t->pre && c == '\n' && t->breaks < 2)
		t->breaks++;
	else if (c != '\r' || !t->pre)
		t->space = 1;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static void text_cp(struct text *t, unsigned cp)
{
	if (cp == 0xA0 || cp == '\t' || cp == '\n' || cp == ' ') {
		blank(t, (char)(cp == 0xA0 ? ' ' : cp));
		return;
	}
	flush(t);
	put_cp(&t->b, cp);
}

/* Plain characters from s[0..n), entities decoded unless raw (CDATA). */
static void text_run(struct text *t, const char *s, size_t n, int raw)
{
	unsigned cp;
	size_t i = 0, k;

	while (i < n) {
		if (is_blank(s[i])) {
			blank(t, s[i++]);
		} else if (s[i] == '\xC2' && i + 1 < n && s[i + 1] == '\xA0') {
			blank(t, ' '); /* a no-break space is a blank in plain text */
			i += 2;
		} else if (!raw && s[i] == '&' && (k = entity(s + i, n - i, &cp))) {
			text_cp(t, cp);
			i += k;
		} else {
			flush(t);
			i += put_utf8(&t->b, s + i, n - i);
		}
	}
}

/* What an element does to the layout: 2 a paragraph, 1 a line, -1 a cell (a blank). */
static int tag_breaks(const char *name)
{
	static const char *const para[] = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
					   "pre", "ul", "ol", "dl", "table", "hr", "figure",
					   "section", "article", "header", "footer", "aside",
					   "nav", "address", "fieldset", "form", "details", "main"};
	static const char *const line[] = {"div", "li", "dt", "dd", "tr", "caption", "figcaption",
					   "summary", "option", "legend", "center", "body",
					   "title", "head", "html", "tbody", "thead", "tfoot"};

	for (size_t i = 0; i < sizeof para / sizeof para[0]; i++)
		if (!strcmp(name, para[i]))
			return 2;
	for (size_t i = 0; i < sizeof line / sizeof line[0]; i++)
		if (!strcmp(name, line[i]))
			return 1;
	return !strcmp(name, "td") || !strcmp(name, "th") ? -1 : 0;
}

/* the offset of needle in s[0..n), compared without case, or n if absent */
static size_t find_ci(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (!strncasecmp(s + i, needle, k))
			return i;
	return n;
}

/* the offset just past the '>' that ends the tag at s, honouring quoted values; 0 if none */
static size_t tag_end(const char *s, size_t n)
{
	char quote = 0, prev = 0;

	for (size_t i = 1; i < n; i++) {
		if (quote) {
			if (s[i] == quote)
				quote = 0;
		} else if (s[i] == '>') {
			return i + 1;
		} else if ((s[i] == '"' || s[i] == '\'') && prev == '=') {
			quote = s[i];
		}
		if (!is_blank(s[i]))
			prev = s[i];
	}
	return 0;
}

/* An element's tag at s ("<p class=x>", "</div>"); returns the bytes it (and, for
 * script and style, its content) takes, or 0 if the '<' is just a character. */
static size_t element(struct text *t, const char *s, size_t n)
{
	int close = n > 1 && s[1] == '/', b;
	size_t i = 1 + (size_t)close, end, k = 0;
	char name[16];

	if (i >= n || !isalpha((unsigned char)s[i]) || t->no_end)
		return 0;
	if (!(end = tag_end(s, n))) {
		t->no_end = 1;
		return 0;
	}
	while (i < end && (isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == ':')) {
		if (k < sizeof name - 1)
			name[k++] = (char)tolower((unsigned char)s[i]);
		i++;
	}
	name[k] = '\0';
	if (!close && (!strcmp(name, "script") || !strcmp(name, "style")) && s[end - 2] != '/') {
		const char *stop = name[1] == 'c' ? "</script" : "</style";
		size_t j = end + find_ci(s + end, n - end, stop), e;

		if (j >= n || !(e = tag_end(s + j, n - j)))
			return n; /* unterminated: the rest is script */
		return j + e;
	}
	if (!strcmp(name, "pre"))
		t->pre = !close;
	if (!strcmp(name, "br") && t->breaks < 2)
		t->breaks++;
	else if ((b = tag_breaks(name)) > 0)
		want_breaks(t, b);
	else if (b < 0)
		t->space = 1;
	return end;
}

/* Markup at s (s[0] == '<'): comments, CDATA, declarations and elements. */
static size_t markup(struct text *t, const char *s, size_t n)
{
	size_t k;

	if (n >= 4 && !memcmp(s, "<!--", 4)) {
		const char *e = memmem(s + 4, n - 4, "-->", 3);

		return e ? (size_t)(e - s) + 3 : n;
	}
	if (n >= 9 && !memcmp(s, "<![CDATA[", 9)) {
		const char *e = memmem(s + 9, n - 9, "]]>", 3);
		size_t len = e ? (size_t)(e - s) - 9 : n - 9;

		text_run(t, s + 9, len, 1);
		return e ? (size_t)(e - s) + 3 : n;
	}
	if (n >= 2 && (s[1] == '?' || (s[1] == '!' && n >= 3 && isalpha((unsigned char)s[2])))) {
		if (!t->no_end && (k = tag_end(s, n)))
			return k;
		t->no_end = 1;
		return 0;
	}
	return element(t, s, n);
}

char *sm_html_to_text(const char *html, size_t len)
{
	struct text t = {0};
	size_t i = 0, k;

	while (i < len) {
		if (html[i] == '<' && (k = markup(&t, html + i, len - i))) {
			i += k;
		} else if (html[i] == '<') {
			text_run(&t, "<", 1, 1);
			i++;
		} else {
			for (k = i + 1; k < len && html[k] != '<'; k++)
				;
			text_run(&t, html + i, k - i, 0);
			i = k;
		}
	}
	return detach(&t.b);
}

/* 1 if u starts with a scheme ("http:"), as RFC 3986 spells one */
static int has_scheme(const char *u)
{
	size_t i = 0;

	if (!isalpha((unsigned char)u[0]))
		return 0;
	while (isalnum((unsigned char)u[i]) || u[i] == '+' || u[i] == '-' || u[i] == '.')
		i++;
	return u[i] == ':';
}

/* javascript:, vbscript: and data: links; browsers ignore blanks and controls inside */
static int unsafe_scheme(const char *u)
{
	static const char *const bad[] = {"javascript", "vbscript", "data"};
	char scheme[12];
	size_t k = 0;

	for (; *u && *u != ':' && k < sizeof scheme - 1; u++)
		if ((unsigned char)*u > ' ')
			scheme[k++] = (char)tolower((unsigned char)*u);
	scheme[k] = '\0';
	if (*u != ':')
		return 0;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (!strcmp(scheme, bad[i]))
			return 1;
	return 0;
}

/* Percent-encode what RFC 3986 never allows in a URL (blanks, quotes, non-ASCII). */
static char *escape_url(const char *u)
{
	sm_buf b = {0};

	for (; *u; u++) {
		unsigned char c = (unsigned char)*u;

		if (c <= ' ' || c >= 0x7F || strchr("\"<>\\^`{|}", c))
			sm_buf_printf(&b, "%%%02X", c);
		else
			sm_buf_addc(&b, (char)c);
	}
	return detach(&b);
}

static char *build_uri(const char *ref, const char *base)
{
	xmlChar *u = xmlBuildURI((const xmlChar *)ref, (const xmlChar *)base);
	char *out;

	if (!u)
		return NULL;
	out = sm_strdup((const char *)u);
	xmlFree(u);
	return out;
}

char *sm_url_resolve(const char *base, const char *ref)
{
	const char *end;
	char *r, *out, *esc;

	if (!ref)
		ref = "";
	while (is_blank(*ref))
		ref++;
	for (end = ref + strlen(ref); end > ref && is_blank(end[-1]); end--)
		;
	r = sm_strndup(ref, (size_t)(end - ref));
	if (unsafe_scheme(r)) {
		free(r);
		return sm_strdup("");
	}
	if (!base || !*base || has_scheme(r))
		return r;
	if (!(out = build_uri(r, base))) {
		esc = escape_url(r);
		out = build_uri(esc, base);
		free(esc);
	}
	if (!out)
		return r;
	free(r);
	if (unsafe_scheme(out)) /* an unsafe base */
		*out = '\0';
	return out;
}
