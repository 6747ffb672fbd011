/* feed.c - unit tests of lib/feed.c: each feed format into item records, and bad input (TAP). */
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

static void is(const char *desc, const char *got, const char *want)
{
	check(got && want ? !strcmp(got, want) : got == want, desc, got, want);
}

static void is_int(const char *desc, long got, long want)
{
	char g[32], w[32];

	snprintf(g, sizeof g, "%ld", got);
	snprintf(w, sizeof w, "%ld", want);
	check(got == want, desc, g, w);
}

/* a member of item i: "title", or "author.name", or "categories" as compact JSON */
static const char *field(const sm_feed *f, size_t i, const char *path)
{
	static char *dumped;
	json_t *v = json_array_get(f->items, i);
	char key[64], *dot;

	snprintf(key, sizeof key, "%s", path);
	if ((dot = strchr(key, '.'))) {
		*dot = '\0';
		v = json_object_get(json_object_get(v, key), dot + 1);
	} else {
		v = json_object_get(v, key);
	}
	if (json_is_string(v) || !v)
		return json_string_value(v);
	free(dumped);
	dumped = json_dumps(v, JSON_COMPACT);
	return dumped;
}

static int parse(const char *doc, size_t len, const char *base, const char *type, sm_feed *f)
{
	int r = sm_feed_parse(doc, len ? len : strlen(doc), base, type, f);

	check(r == 0, "the document parses", r ? sm_errmsg() : NULL, NULL);
	return r;
}

static const char rss2[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
	" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n"
	" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n"
	"<channel>\n"
	" <title>Support &amp; Co</title>\n"
	" <link>https://example.org/</link>\n"
	" <atom:link rel=\"self\" href=\"https://example.org/feed.xml\"/>\n"
	" <language>de_DE</language>\n"
	" <managingEditor>editor@example.org (Ed Itor)</managingEditor>\n"
	" <item>\n"
	"  <title>Kein Internet &amp;amp;\n  kein Telefon</title>\n"
	"  <link> /posts/1 </link>\n"
	"  <guid isPermaLink=\"false\">post-1</guid>\n"
	"  <description>&lt;p&gt;summary&lt;/p&gt;</description>\n"
	"  <content:encoded><![CDATA[<p>Seit <b>heute</b> morgen</p><script>x()</script>"
	"<p>kein Netz &hellip;</p>]]></content:encoded>\n"
	"  <pubDate>Mon, 23 Nov 2026 09:58:00 +0100</pubDate>\n"
	"  <author>kunde@example.net (Karl Kunde)</author>\n"
	"  <category>outage</category><category>netz</category><dc:subject>outage</dc:subject>\n"
	" </item>\n"
	" <item>\n"
	"  <title>Second</title>\n"
	"  <guid>https://example.org/p/2</guid>\n"
	"  <dc:date>2026-11-22T08:00:00Z</dc:date>\n"
	"  <dc:creator>Anna</dc:creator>\n"
	" </item>\n"
	" <item><description>only text</description></item>\n"
	"</channel>\n"
	"</rss>\n";

static void test_rss2(void)
{
	sm_feed f;

	if (parse(rss2, 0, "https://example.org/feed.xml", "application/rss+xml", &f))
		return;
	is("rss2: format", f.format, "rss2.0");
	is("rss2: feed title", f.title, "Support & Co");
	is("rss2: feed link (not atom:link self)", f.link, "https://example.org/");
	is("rss2: feed lang, underscore made a hyphen", f.lang, "de-DE");
	is_int("rss2: not bozo", f.bozo, 0);
	is_int("rss2: three items", (long)json_array_size(f.items), 3);
	is("rss2: guid is the ext_id", field(&f, 0, "ext_id"), "post-1");
	is("rss2: double-escaped title decoded and folded", field(&f, 0, "title"),
	   "Kein Internet & kein Telefon");
	is("rss2: relative link resolved", field(&f, 0, "url"), "https://example.org/posts/1");
	is("rss2: content:encoded wins over description", field(&f, 0, "text"),
	   "Seit heute morgen\n\nkein Netz \u2026");
	is("rss2: pubDate in UTC", field(&f, 0, "created_at"), "2026-11-23T08:58:00Z");
	is("rss2: no updated_at", field(&f, 0, "updated_at"), NULL);
	is("rss2: item lang from the channel", field(&f, 0, "lang"), "de-DE");
	is("rss2: author name", field(&f, 0, "author.name"), "Karl Kunde");
	is("rss2: author email", field(&f, 0, "author.email"), "kunde@example.net");
	is("rss2: categories, once each", field(&f, 0, "categories"), "[\"outage\",\"netz\"]");
	is("rss2: permalink guid is the url", field(&f, 1, "url"), "https://example.org/p/2");
	is("rss2: permalink guid is the ext_id", field(&f, 1, "ext_id"), "https://example.org/p/2");
	is("rss2: dc:date", field(&f, 1, "created_at"), "2026-11-22T08:00:00Z");
	is("rss2: dc:creator", field(&f, 1, "author"), "{\"name\":\"Anna\"}");
	is("rss2: no title, no date: ext_id from the text", field(&f, 2, "ext_id"),
	   "sha1:06a072411a2901123f6e4c1b88ca9b5bb1116e91");
	is("rss2: description is the text", field(&f, 2, "text"), "only text");
	is("rss2: the channel's editor stands in",
	   field(&f, 2, "author"), "{\"name\":\"Ed Itor\",\"email\":\"editor@example.org\"}");
	sm_feed_free(&f);
	sm_feed_free(&f); /* freeing twice is harmless */
}

static const char atom10[] =
	"<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:thr=\"http://purl.org/syndication/thread/1.0\"\n"
	" xml:lang=\"en\" xml:base=\"https://forum.example.com/t/\">\n"
	" <title type=\"html\">Forum &lt;b&gt;News&lt;/b&gt;</title>\n"
	" <link rel=\"self\" href=\"/feed.atom\"/>\n"
	" <link rel=\"alternate\" type=\"text/html\" href=\"index.html\"/>\n"
	" <author><name>Forum</name><uri>/about</uri></author>\n"
	" <entry xml:base=\"42/\">\n"
	"  <id>tag:forum.example.com,2026:42</id>\n"
	"  <title>Router &lt;blink&gt; problem</title>\n"
	"  <link rel=\"edit\" href=\"edit\"/>\n"
	"  <link href=\"post.html\"/>\n"
	"  <published>2026-11-20T10:00:00+02:00</published>\n"
	"  <updated>2026-11-21T10:00:00Z</updated>\n"
	"  <summary>sum</summary>\n"
	"  <content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Hello <b>world</b></p>"
	"<p>second</p></div></content>\n"
	"  <category term=\"router\" label=\"Router\"/>\n"
	"  <thr:in-reply-to ref=\"tag:forum.example.com,2026:41\" href=\"41.html\"/>\n"
	" </entry>\n"
	" <entry>\n"
	"  <title type=\"text\">No id</title>\n"
	"  <link rel=\"alternate\" href=\"javascript:alert(1)\"/>\n"
	"  <updated>2026-11-22T00:00:00Z</updated>\n"
	"  <author><name>Bob</name><email>bob@example.com</email></author>\n"
	" </entry>\n"
	" <entry xml:lang=\"de\"><id>t3</id><content type=\"text\">  a\n  b  </content>"
	"<thr:in-reply-to ref=\"t1\"/></entry>\n"
	"</feed>\n";

static void test_atom10(void)
{
	sm_feed f;

	if (parse(atom10, 0, NULL, NULL, &f))
		return;
	is("atom: format", f.format, "atom1.0");
	is("atom: html title made text", f.title, "Forum News");
	is("atom: alternate link against xml:base", f.link, "https://forum.example.com/t/index.html");
	is("atom: xml:lang of the feed", f.lang, "en");
	is("atom: id", field(&f, 0, "ext_id"), "tag:forum.example.com,2026:42");
	is("atom: text title kept literally", field(&f, 0, "title"), "Router <blink> problem");
	is("atom: link against nested xml:base", field(&f, 0, "url"),
	   "https://forum.example.com/t/42/post.html");
	is("atom: xhtml content", field(&f, 0, "text"), "Hello world\n\nsecond");
	is("atom: published", field(&f, 0, "created_at"), "2026-11-20T08:00:00Z");
	is("atom: updated", field(&f, 0, "updated_at"), "2026-11-21T10:00:00Z");
	is("atom: category term", field(&f, 0, "categories"), "[\"router\"]");
	is("atom: thr:in-reply-to href", field(&f, 0, "in_reply_to_url"),
	   "https://forum.example.com/t/42/41.html");
	is("atom: the feed's author stands in", field(&f, 0, "author"),
	   "{\"name\":\"Forum\",\"url\":\"https://forum.example.com/about\"}");
	is("atom: item lang from the feed", field(&f, 0, "lang"), "en");
	is("atom: javascript: link dropped", field(&f, 1, "url"), NULL);
	is("atom: no id or link: sha1 of title and date", field(&f, 1, "ext_id"),
	   "sha1:53cb3f298011287783603f5fdfd880117f5f2281");
	is("atom: updated only: it is the creation too", field(&f, 1, "created_at"),
	   "2026-11-22T00:00:00Z");
	is("atom: entry author", field(&f, 1, "author"),
	   "{\"name\":\"Bob\",\"email\":\"bob@example.com\"}");
	is("atom: text content trimmed, lines kept", field(&f, 2, "text"), "a\n  b");
	is("atom: entry xml:lang", field(&f, 2, "lang"), "de");
	is("atom: thr:in-reply-to ref", field(&f, 2, "in_reply_to_url"), "t1");
	sm_feed_free(&f);
}

static void test_atom03(void)
{
	const char *doc =
		"<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\">"
		"<title mode=\"escaped\" type=\"text/html\">A &lt;i&gt;b&lt;/i&gt;</title>"
		"<link rel=\"alternate\" type=\"text/html\" href=\"http://example.com/\"/>"
		"<entry><id>x</id><title mode=\"base64\">SGVs\nbG8=</title>"
		"<issued>2004-01-01T00:00:00Z</issued><modified>2004-01-02T00:00:00Z</modified>"
		"<content type=\"text/html\" mode=\"escaped\">&lt;p&gt;Hi&lt;/p&gt;</content>"
		"<author><name>N</name><url>http://n.example/</url></author></entry></feed>";
	sm_feed f;

	if (parse(doc, 0, NULL, NULL, &f))
		return;
	is("atom0.3: format", f.format, "atom0.3");
	is("atom0.3: escaped html title", f.title, "A b");
	is("atom0.3: link", f.link, "http://example.com/");
	is("atom0.3: base64 title", field(&f, 0, "title"), "Hello");
	is("atom0.3: issued", field(&f, 0, "created_at"), "2004-01-01T00:00:00Z");
	is("atom0.3: modified", field(&f, 0, "updated_at"), "2004-01-02T00:00:00Z");
	is("atom0.3: escaped content", field(&f, 0, "text"), "Hi");
	is("atom0.3: author url", field(&f, 0, "author.url"), "http://n.example/");
	sm_feed_free(&f);
}

static void test_rdf(void)
{
	const char *doc =
		"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"\n"
		" xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
		"<channel rdf:about=\"http://example.org/\"><title>RDF</title>"
		"<link>http://example.org/</link><dc:language>fr</dc:language></channel>\n"
		"<item rdf:about=\"http://example.org/1\"><title>One</title>"
		"<link>http://example.org/1.html</link><dc:date>2004-02-28 18:14:55-08:00</dc:date>"
		"<dc:subject>a</dc:subject><dc:description>d &amp; e</dc:description></item>\n"
		"</rdf:RDF>";
	const char *rss090 = "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
			     "xmlns=\"http://my.netscape.com/rdf/simple/0.9/\"><channel><title>Old"
			     "</title></channel><item><title>I</title><link>http://o/1</link></item>"
			     "</rdf:RDF>";
	sm_feed f;

	if (parse(doc, 0, NULL, NULL, &f))
		return;
	is("rdf: format", f.format, "rss1.0");
	is("rdf: title", f.title, "RDF");
	is("rdf: lang", f.lang, "fr");
	is("rdf: rdf:about is the ext_id", field(&f, 0, "ext_id"), "http://example.org/1");
	is("rdf: link", field(&f, 0, "url"), "http://example.org/1.html");
	is("rdf: dc:date with offset", field(&f, 0, "created_at"), "2004-02-29T02:14:55Z");
	is("rdf: dc:subject", field(&f, 0, "categories"), "[\"a\"]");
	is("rdf: dc:description", field(&f, 0, "text"), "d & e");
	sm_feed_free(&f);
	if (parse(rss090, 0, NULL, NULL, &f))
		return;
	is("rss 0.90: format", f.format, "rss0.90");
	is("rss 0.90: link is the ext_id", field(&f, 0, "ext_id"), "http://o/1");
	sm_feed_free(&f);
}

static void test_json(void)
{
	const char *doc =
		"{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"J\","
		"\"home_page_url\":\"https://j.example/\",\"language\":\"en_GB\","
		"\"authors\":[{\"name\":\"A\",\"url\":\"/a\"}],\"items\":["
		"{\"id\":7,\"url\":\"/p/7\",\"title\":\"T &amp; U\",\"content_html\":\"<p>x</p>\","
		"\"content_text\":\"ignored\",\"date_published\":\"2026-01-01T00:00:00+01:00\","
		"\"date_modified\":\"2026-01-02T00:00:00Z\",\"tags\":[\"a\",\"b\",\"a\",3],"
		"\"language\":\"de\"},"
		"{\"id\":\"8\",\"external_url\":\"https://else.example/8\",\"summary\":\"s\","
		"\"authors\":[{\"name\":\"B\"}]},"
		"{\"title\":\"no id\"}, 5, {\"id\":null}, {\"url\":\"javascript:x\",\"id\":\"9\"}]}";
	const char *v1 = "\xEF\xBB\xBF {\"version\":\"https://jsonfeed.org/version/1\",\"author\":"
			 "{\"name\":\"X\"},\"items\":[{\"id\":\"1\",\"content_text\":\"t\"}]}";
	sm_feed f;

	if (parse(doc, 0, "https://j.example/feed.json", "application/feed+json", &f))
		return;
	is("json: format", f.format, "json1.1");
	is("json: title", f.title, "J");
	is("json: link", f.link, "https://j.example/");
	is("json: lang", f.lang, "en-GB");
	is_int("json: items that are objects", (long)json_array_size(f.items), 5);
	is("json: numeric id", field(&f, 0, "ext_id"), "7");
	is("json: url resolved", field(&f, 0, "url"), "https://j.example/p/7");
	is("json: title entities decoded", field(&f, 0, "title"), "T & U");
	is("json: content_html first", field(&f, 0, "text"), "x");
	is("json: date_published", field(&f, 0, "created_at"), "2025-12-31T23:00:00Z");
	is("json: date_modified", field(&f, 0, "updated_at"), "2026-01-02T00:00:00Z");
	is("json: tags", field(&f, 0, "categories"), "[\"a\",\"b\"]");
	is("json: item language", field(&f, 0, "lang"), "de");
	is("json: feed authors stand in", field(&f, 0, "author"),
	   "{\"name\":\"A\",\"url\":\"https://j.example/a\"}");
	is("json: external_url", field(&f, 1, "url"), "https://else.example/8");
	is("json: summary", field(&f, 1, "text"), "s");
	is("json: item authors", field(&f, 1, "author.name"), "B");
	is("json: sha1 id", field(&f, 2, "ext_id"), "sha1:ba314f868e31e2a641531a86b5e025f465ac075b");
	is("json: null id", field(&f, 3, "ext_id"), "sha1:71853c6197a6a7f222db0f1978c7cb232b87c5ee");
	is("json: unsafe url dropped", field(&f, 4, "url"), NULL);
	sm_feed_free(&f);
	if (parse(v1, 0, NULL, NULL, &f))
		return;
	is("json 1.0 with a BOM: format", f.format, "json1");
	is("json 1.0: author", field(&f, 0, "author.name"), "X");
	sm_feed_free(&f);
}

/* the text of the first item of a one-item RSS document with that description */
static void desc(const char *what, const char *doc, size_t len, const char *type,
		 const char *want, int bozo)
{
	sm_feed f;
	char d[200];

	snprintf(d, sizeof d, "%s: text", what);
	if (sm_feed_parse(doc, len ? len : strlen(doc), NULL, type, &f) < 0) {
		check(0, d, sm_errmsg(), want);
		return;
	}
	is(d, field(&f, 0, "text"), want);
	snprintf(d, sizeof d, "%s: bozo is %d", what, bozo);
	check(f.bozo == bozo, d, f.bozo_msg, NULL);
	sm_feed_free(&f);
}

static void test_encodings(void)
{
	static const char utf16[] = "\xFF\xFE<\0r\0s\0s\0>\0<\0i\0t\0e\0m\0>\0<\0d\0e\0s\0c\0r\0i\0p"
				    "\0t\0i\0o\0n\0>\0\xE9\0<\0/\0d\0e\0s\0c\0r\0i\0p\0t\0i\0o\0n"
				    "\0>\0<\0/\0i\0t\0e\0m\0>\0<\0/\0r\0s\0s\0>\0";

	desc("http charset without a declaration",
	     "<rss><item><description>\xA3\x93test\x94</description></item></rss>", 0,
	     "text/xml; charset=\"windows-1252\"", "\u00a3\u201ctest\u201d", 0);
	desc("latin-1 declaration read as windows-1252",
	     "<?xml version='1.0' encoding='iso-8859-1'?><rss><item><description>\x93q\x94 "
	     "caf\xE9</description></item></rss>",
	     0, NULL, "\u201cq\u201d caf\u00e9", 0);
	desc("the declaration wins over http",
	     "<?xml version='1.0' encoding='utf-8'?><rss><item><description>caf\xC3\xA9"
	     "</description></item></rss>",
	     0, "text/xml; charset=iso-8859-1", "caf\u00e9", 0);
	desc("utf-16 with a byte order mark", utf16, sizeof utf16 - 1, NULL, "\u00e9", 0);
	desc("not utf-8: stray bytes read as windows-1252",
	     "<rss><item><description>caf\xE9 \x93ok\x94 \xE2\x82\xAC</description></item></rss>", 0,
	     NULL, "caf\u00e9 \u201cok\u201d \u20ac", 1);
	desc("a bogus declared encoding", "<?xml version='1.0' encoding='bogus'?><rss><item>"
	     "<description>x</description></item></rss>", 0, NULL, "x", 0);
	desc("utf-8 read as latin-1 and encoded again is repaired",
	     "<rss><item><description>caf\xC3\x83\xC2\xA9 &#226;&#128;&#166;</description></item>"
	     "</rss>", 0, NULL, "caf\u00e9 \u2026", 0);
	desc("C1 controls read as windows-1252",
	     "<rss><item><description>don&#146;t \xC2\x93q\xC2\x94</description></item></rss>", 0,
	     NULL, "don\u2019t \u201cq\u201d", 0);
	desc("undeclared html entities kept, bozo",
	     "<rss><item><description>caf&eacute;&nbsp;&amp; &hellip;</description></item></rss>",
	     0, NULL, "caf\u00e9 & \u2026", 1);
}

static void test_illformed(void)
{
	sm_feed f;
	const char *truncated = "<rss version=\"2.0\"><channel><title>T</title><item><title>a"
				"</title><guid>1</guid></item><item><title>b &amp c</title><guid>2";

	if (!parse(truncated, 0, NULL, NULL, &f)) {
		is_int("truncated: bozo", f.bozo, 1);
		check(f.bozo_msg && *f.bozo_msg, "truncated: a bozo message", f.bozo_msg, "...");
		is_int("truncated: both items read", (long)json_array_size(f.items), 2);
		/* libxml2's recovery drops the bad reference "&amp c" */
		is("truncated: title of the cut item", field(&f, 1, "title"), "b c");
		sm_feed_free(&f);
	}
	if (!parse("<feed><entry><title>no namespace</title><id>1</id></entry></feed>", 0, NULL,
		   NULL, &f)) {
		is("atom without a namespace", field(&f, 0, "title"), "no namespace");
		sm_feed_free(&f);
	}
	if (!parse("<entry xmlns=\"http://www.w3.org/2005/Atom\"><id>e1</id></entry>", 0, NULL,
		   NULL, &f)) {
		is("an atom entry document", field(&f, 0, "ext_id"), "e1");
		sm_feed_free(&f);
	}
	if (!parse("<rss><item><title>outside</title></item></rss>", 0, NULL, NULL, &f)) {
		is("rss item outside a channel", field(&f, 0, "title"), "outside");
		is("rss without a version", f.format, "rss");
		sm_feed_free(&f);
	}
	if (!parse("<rss><channel><item><pubDate>2003-13-45</pubDate><title>t</title></item>"
		   "</channel></rss>", 0, NULL, NULL, &f)) {
		is("an impossible date is no date", field(&f, 0, "created_at"), NULL);
		sm_feed_free(&f);
	}
}

/* sm_feed_parse must refuse it with a message, and leave out freeable */
static void refused(const char *what, const char *doc, size_t len)
{
	sm_feed f;
	int r = sm_feed_parse(doc, len, NULL, NULL, &f);

	check(r == -1 && *sm_errmsg(), what, r ? sm_errmsg() : "accepted", "refused");
	check(!f.items && !f.title, "refused: nothing left to free", NULL, NULL);
	sm_feed_free(&f);
}

static void test_refused(void)
{
	refused("empty input", "", 0);
	refused("NULL input", NULL, 0);
	refused("blank input", " \n\t ", 4);
	refused("an HTML page", "<html><body><p>hi</p></body></html>", 36);
	refused("broken JSON", "{\"version\": ", 12);
	refused("JSON that is not an object", " {", 2);
	refused("plain text", "hello world", 11);
}

static void test_hostile(void)
{
	const char *xxe = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "
			  "\"file:///etc/passwd\">]><rss><channel><item><title>a&xxe;b</title>"
			  "<guid>1</guid></item></channel></rss>";
	const char *lol = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"aaaaaaaaaa\">"
			  "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;"
			  "&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e "
			  "\"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;"
			  "&e;\"><!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\"><!ENTITY h \"&g;&g;&g;&g;"
			  "&g;&g;&g;&g;&g;&g;\">]><rss><channel><item><title>&h;</title></item>"
			  "</channel></rss>";
	char junk[8192];
	unsigned seed = 12345;
	sm_feed f;
	const char *t;
	time_t start = time(NULL);

	if (!parse(xxe, 0, NULL, NULL, &f)) {
		t = field(&f, 0, "title");
		check(t && !strstr(t, "root:"), "no external entity is read", t, "ab");
		sm_feed_free(&f);
	}
	if (sm_feed_parse(lol, strlen(lol), NULL, NULL, &f) == 0) {
		t = field(&f, 0, "title");
		check(!t || strlen(t) < 1000000, "entity expansion is bounded", NULL, NULL);
		sm_feed_free(&f);
	}
	check(time(NULL) - start < 10, "hostile entities take no time", NULL, NULL);
	/* a \u0000 in a JSON Feed: a space, the feed and its other items kept */
	const char *nul = "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":["
			  "{\"id\":\"1\",\"content_text\":\"a\\u0000b\",\"title\":\"\\u0000\"},"
			  "{\"id\":\"2\",\"content_text\":\"fine\"}]}";
	if (!parse(nul, 0, NULL, "application/feed+json", &f)) {
		is_int("json: an item with \\u0000 is kept", (long)json_array_size(f.items), 2);
		is("json: \\u0000 read as a space", field(&f, 0, "text"), "a b");
		is("json: the next item", field(&f, 1, "text"), "fine");
		sm_feed_free(&f);
	}
	sm_buf deep = {0};
	sm_buf_adds(&deep, "{\"version\":\"https://jsonfeed.org/version/1\",\"items\":[{\"id\":\"1\",\"x\":");
	for (int i = 0; i < 100000; i++)
		sm_buf_addc(&deep, '[');
	for (int i = 0; i < 100000; i++)
		sm_buf_addc(&deep, ']');
	sm_buf_adds(&deep, "}]}");
	refused("JSON nested 100000 deep", deep.s, deep.len);
	sm_buf_free(&deep);
	for (int round = 0; round < 50; round++) {
		for (size_t i = 0; i < sizeof junk; i++) {
			seed = seed * 1103515245 + 12345;
			junk[i] = (char)(seed >> 16);
		}
		if (round % 2)
			memcpy(junk, "<rss><channel><item><title>", 27);
		if (round % 5 == 0)
			junk[0] = '{';
		if (sm_feed_parse(junk, sizeof junk, "http://x/", "text/xml; charset=utf-8", &f) == 0)
			sm_feed_free(&f);
	}
	check(1, "random bytes do not crash", NULL, NULL);
}

int main(void)
{
	test_rss2();
	test_atom10();
	test_atom03();
	test_rdf();
	test_json();
	test_encodings();
	test_illformed();
	test_refused();
	test_hostile();
	printf("1..%d\n", n);
	return failed != 0;
}
