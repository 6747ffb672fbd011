/* html.c - unit tests of lib/html.c: HTML to text, entities, URL resolution (TAP). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smkit.h"

static int n, failed;

static void check(int cond, const char *desc, const char *got, const char *want)
{
	n++;
	printf("%s %d - %s\n", cond ? "ok" : "not ok", n, desc);
	if (!cond) {
		printf("# got:  '%s'\n# want: '%s'\n", got ? got : "(null)", want ? want : "(null)");
		failed++;
	}
}

/* s must be valid UTF-8 without a NUL inside its length */
static int valid(const char *s)
{
	size_t bad;

	return sm_utf8_valid(s, strlen(s), &bad);
}

static void text_n(const char *desc, const char *in, size_t len, const char *want)
{
	char *got = sm_html_to_text(in, len);

	check(got && !strcmp(got, want) && valid(got), desc, got, want);
	free(got);
}

static void text(const char *desc, const char *in, const char *want)
{
	text_n(desc, in, strlen(in), want);
}

static void decode(const char *desc, const char *in, const char *want)
{
	char *got = sm_entities_decode(in, strlen(in));

	check(got && !strcmp(got, want) && valid(got), desc, got, want);
	free(got);
}

static void url(const char *desc, const char *base, const char *ref, const char *want)
{
	char *got = sm_url_resolve(base, ref);

	check(got && !strcmp(got, want), desc, got, want);
	free(got);
}

static void tags(void)
{
	text("plain text stays", "hello world", "hello world");
	text("empty input", "", "");
	text("inline tags dropped", "Example <b>Atom</b>", "Example Atom");
	text("attributes with '>' in quotes", "<a title=\"a>b\" href='x>y'>link</a> end", "link end");
	text("paragraphs become a blank line", "<p>one</p><p>two</p>", "one\n\ntwo");
	text("div is a line", "<div>one</div><div>two</div>", "one\ntwo");
	text("br is a line", "one<br>two<br/>three<BR />four", "one\ntwo\nthree\nfour");
	text("two br are a blank line", "one<br><br>two", "one\n\ntwo");
	text("at most one blank line", "one<br><br><br><br><p>two</p>", "one\n\ntwo");
	text("list items", "<ul><li>a</li><li>b</li></ul>", "a\nb");
	text("headings", "<h1>Title</h1>text", "Title\n\ntext");
	text("table cells", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
	     "a b\nc");
	text("blockquote", "said:<blockquote>quote</blockquote>after", "said:\n\nquote\n\nafter");
	text("blanks fold", "a  \t b\n\n\n c", "a b c");
	text("trimmed", "  \n <p> text </p> \n ", "text");
	text("blank before break dropped", "a <br> b", "a\nb");
	text("pre keeps lines", "<pre>line 1\nline 2</pre>", "line 1\nline 2");
	text("script dropped", "a<script>var x = '<p>';</script>b", "ab");
	text("style dropped", "a<style type=\"text/css\">p { x: y }</style>b", "ab");
	text("SCRIPT in capitals dropped", "a<SCRIPT>x</SCRIPT >b", "ab");
	text("unterminated script drops the rest", "a<script>alert(1)", "a");
	text("self-closed script", "a<script src=x />b", "ab");
	text("comment dropped", "a<!-- <p>hidden</p> -->b", "ab");
	text("unterminated comment drops the rest", "a<!-- b", "a");
	text("CDATA kept raw", "a<![CDATA[<b>&amp;</b>]]>c", "a<b>&amp;</b>c");
	text("doctype dropped", "<!DOCTYPE html><p>x</p>", "x");
	text("processing instruction dropped", "<?xml version=\"1.0\"?>x", "x");
	text("lone < kept", "1 < 2 and 3 > 2", "1 < 2 and 3 > 2");
	text("< before a digit kept", "a<3", "a<3");
	text("unclosed tag kept as text", "a <b and c", "a <b and c");
	text("<! not a declaration kept", "&lt;!' <a href=\"foo\">", "<!'");
	text("xhtml namespaced div", "<div xmlns=\"http://www.w3.org/1999/xhtml\">Example <b>Atom</b></div>",
	     "Example Atom");
	text("double-escaped markup stays text", "&lt;b&gt;x&lt;/b&gt;", "<b>x</b>");
	text("json feed example", "<p>Hello, world!</p>\n\n<script>alert();</script>", "Hello, world!");
}

static void entities(void)
{
	text("basic entities", "&amp; &lt; &gt; &quot; &apos;", "& < > \" '");
	text("nbsp is a blank", "a&nbsp;&nbsp;b", "a b");
	text("raw no-break space is a blank", "a\u00a0 \u00a0b", "a b");
	text("typographic entities",
	     "&hellip;&mdash;&ndash;&lsquo;&rsquo;&ldquo;&rdquo;&euro;&trade;&copy;&reg;&bull;&middot;",
	     "\u2026\u2014\u2013\u2018\u2019\u201c\u201d\u20ac\u2122\u00a9\u00ae\u2022\u00b7");
	text("latin-1 letters", "&Eacute;&eacute;&uuml;&szlig;&ntilde;&Aring;&oslash;&thorn;&yuml;",
	     "\u00c9\u00e9\u00fc\u00df\u00f1\u00c5\u00f8\u00fe\u00ff");
	text("greek", "&alpha;&Omega;", "\u03b1\u03a9");
	text("decimal", "&#65;&#233;&#8230;", "A\u00e9\u2026");
	text("hex", "&#x41;&#xE9;&#X2026;&#x1F600;", "A\u00e9\u2026\U0001F600");
	text("windows-1252 numeric", "don&#146;t &#147;q&#148;", "don\u2019t \u201cq\u201d");
	text("NUL reference", "a&#0;b", "a\ufffdb");
	text("surrogate reference", "a&#xD800;b", "a\ufffdb");
	text("too large reference", "a&#x110000;b&#99999999999999999999;c", "a\ufffdb\ufffdc");
	text("reference without ;", "&#65 &#x42", "A B");
	text("unknown entity kept", "&foo; &bogus", "&foo; &bogus");
	text("bare ampersand kept", "AT&T & Co", "AT&T & Co");
	text("legacy entity without ;", "&copy 2004 &amp more", "\u00a9 2004 & more");
	text("no entity in a query string", "?a=1&lt=2", "?a=1&lt=2");
	text("entity names are case sensitive", "&AMP; &Amp;", "&AMP; &Amp;");
	text("empty reference", "&#; &#x;", "&#; &#x;");
	text("very long name", "&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;", "&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;");
	decode("decode keeps markup", "<b>&amp;</b>&nbsp;x", "<b>&</b>\u00a0x");
	decode("decode keeps blanks", "  a \n b  ", "  a \n b  ");
	decode("decode empty", "", "");
	decode("decode numeric", "&#8217;&#x2019;", "\u2019\u2019");
}

static void utf8(void)
{
	text("utf-8 kept", "gr\u00fc\u00df \U0001F600", "gr\u00fc\u00df \U0001F600");
	text("bad bytes replaced", "a\xff" "b\xc3", "a\ufffdb\ufffd");
	text("overlong replaced", "a\xc0\xafz", "a\ufffd\ufffdz");
	text("surrogate bytes replaced", "a\xed\xa0\x80z", "a\ufffd\ufffd\ufffdz");
	text("truncated sequence replaced", "a\xe2\x82", "a\ufffd\ufffd");
	text_n("NUL byte replaced", "a\0b", 3, "a\ufffdb");
	text_n("length respected", "abc<p>def", 3, "abc");
	text_n("cut inside a tag", "abc<p cl", 8, "abc<p cl");
	text_n("cut inside an entity", "a&am", 4, "a&am");
	decode("decode replaces bad bytes", "a\xfe", "a\ufffd");
}

static void urls(void)
{
	url("relative path", "http://example.com/a/b.xml", "c.html", "http://example.com/a/c.html");
	url("absolute path", "http://example.com/a/b.xml", "/c", "http://example.com/c");
	url("parent", "http://example.com/a/b/c", "../d", "http://example.com/a/d");
	url("network path", "https://example.com/a", "//cdn.example.org/x", "https://cdn.example.org/x");
	url("query only", "http://example.com/a?x=1", "?y=2", "http://example.com/a?y=2");
	url("fragment", "http://example.com/a", "#top", "http://example.com/a#top");
	url("absolute ref kept", "http://example.com/", "https://other.org/x", "https://other.org/x");
	url("no base: copy", NULL, "relative/x", "relative/x");
	url("empty base: copy", "", "x", "x");
	url("ref trimmed", "http://example.com/", "\n  http://x.org/y  \n", "http://x.org/y");
	url("empty ref is the base", "http://example.com/a", "", "http://example.com/a");
	url("javascript refused", "http://example.com/", "javascript:alert(1)", "");
	url("JavaScript refused", "http://example.com/", "  JavaScript:alert(1)", "");
	url("java\\tscript refused", "http://example.com/", "java\tscript:alert(1)", "");
	url("data refused", NULL, "data:text/html,<b>x</b>", "");
	url("vbscript refused", NULL, "vbscript:x", "");
	url("mailto kept", "http://example.com/", "mailto:me@example.com", "mailto:me@example.com");
	url("space escaped", "http://example.com/a/", "b c.html", "http://example.com/a/b%20c.html");
	url("NULL ref", "http://example.com/a", NULL, "http://example.com/a");
	url("unsafe base gives nothing", "javascript:/x", "abs", "");
}

/* inputs built to make a careless scanner quadratic */
static void pathological(void)
{
	static const char *const units[] = {"<a x='", "<a", "<!x", "&amp", "<script>", "<!--", "</"};
	size_t len = 400000;
	char *s = sm_malloc(len + 1), *got;
	clock_t start = clock();

	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
		size_t k = strlen(units[u]);

		for (size_t i = 0; i < len; i++)
			s[i] = units[u][i % k];
		s[len] = '\0';
		got = sm_html_to_text(s, len);
		free(got);
	}
	free(s);
	check((clock() - start) / CLOCKS_PER_SEC < 5, "pathological input stays linear", NULL, NULL);
}

int main(void)
{
	tags();
	entities();
	utf8();
	urls();
	pathological();
	printf("1..%d\n", n);
	return failed != 0;
}
