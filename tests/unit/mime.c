/* mime.c - unit tests of lib/mime.c, lib/mime_body.c and lib/mail.c: reading and writing
   Internet messages (TAP). */
#include <stdlib.h>
#include <string.h>

#include "mail.h"
#include "tap.h"

static void take(char *got, const char *want, const char *name)
{
	tap_is(got, want, name);
	free(got);
}

static void header(void)
{
	const char *m = "From: a@example.com\r\nSubject: a long\r\n  folded\r\n\tsubject \r\n"
			"X-Empty:\r\nsubject: second\r\n\r\nBody: not a header\r\n";
	take(sm_mime_header(m, strlen(m), "Subject"), "a long  folded\tsubject", "header: unfolded");
	take(sm_mime_header(m, strlen(m), "FROM"), "a@example.com", "header: any case");
	take(sm_mime_header(m, strlen(m), "X-Empty"), "", "header: empty value");
	take(sm_mime_header(m, strlen(m), "Body"), NULL, "header: not from the body");
	take(sm_mime_header(m, strlen(m), "Subj"), NULL, "header: whole names only");
	const char *lf = "To: b@example.com\nCc: c@example.com,\n d@example.com\n\nx";
	take(sm_mime_header(lf, strlen(lf), "Cc"), "c@example.com, d@example.com", "header: LF lines");
	tap_int((long)sm_mime_body_start(lf, strlen(lf)), (long)strlen(lf) - 1, "header: body start");
	tap_int((long)sm_mime_body_start("A: b", 4), 4, "header: no body");
}

static void words(void)
{
	take(sm_mime_decode_words("=?ISO-8859-1?Q?St=F6rung_in_K=F6ln?="), "Störung in Köln",
	     "words: Q in ISO-8859-1");
	take(sm_mime_decode_words("=?utf-8?b?R3LDvMOfZSBhdXMgS8O2bG4=?="), "Grüße aus Köln",
	     "words: B in utf-8, lowercase");
	take(sm_mime_decode_words("Re: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= und =?UTF-8?Q?mehr?= !"),
	     "Re: Grüße und mehr !", "words: mixed with plain text");
	take(sm_mime_decode_words("=?UTF-8?Q?a?=  \r\n =?UTF-8?Q?b?="), "ab",
	     "words: blanks between words dropped");
	take(sm_mime_decode_words("=?UTF-8?B?w6Q=?= =?UTF-8?B?w7Y=?="), "äö", "words: two B words");
	take(sm_mime_decode_words("=?UTF-8?B?4oI=?= =?UTF-8?B?rA==?="), "€",
	     "words: a character split between words");
	take(sm_mime_decode_words("=?UTF-8*de?Q?Stra=C3=9Fe?="), "Straße", "words: RFC 2231 language");
	take(sm_mime_decode_words("=?windows-1252?Q?=80_5?="), "€ 5", "words: windows-1252");
	take(sm_mime_decode_words("=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?="), "テスト", "words: ISO-2022-JP");
	take(sm_mime_decode_words("=?x-no-such?Q?abc?="), "abc", "words: unknown charset read as UTF-8");
	take(sm_mime_decode_words("=?UTF-8?Q?bad=FF?="), "bad\xEF\xBF\xBD", "words: invalid byte to U+FFFD");
	take(sm_mime_decode_words("a =?broken and =? more"), "a =?broken and =? more",
	     "words: not words stay");
	take(sm_mime_decode_words("raw K\xc3\xb6ln"), "raw Köln", "words: raw UTF-8 kept");
	take(sm_mime_decode_words("raw K\xf6ln"), "raw Köln", "words: raw latin-1 read as windows-1252");
	take(sm_mime_decode_words("=?UTF-8?X?abc?="), "=?UTF-8?X?abc?=", "words: unknown encoding stays");
}

static void charsets(void)
{
	size_t n;
	char *s = sm_mime_to_utf8("a\xff" "b\xc3", 4, "UTF-8", &n);
	tap_is(s, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD", "charset: invalid UTF-8 to U+FFFD");
	tap_int((long)n, 8, "charset: length");
	free(s);
	take(sm_mime_to_utf8("\xa4", 1, "ISO-8859-15", NULL), "€", "charset: ISO-8859-15");
	take(sm_mime_to_utf8("\x80", 1, "iso-8859-1", NULL), "€", "charset: iso-8859-1 read as windows-1252");
	take(sm_mime_to_utf8("Gr\xfc\xdf" "e", 5, "\"latin1\"", NULL), "Grüße", "charset: quoted name");
	take(sm_mime_to_utf8("x\0y", 3, NULL, NULL), "x y", "charset: NUL becomes a space");
	take(sm_mime_to_utf8("\x83\x65\x83\x58\x83\x67", 6, "Shift_JIS", NULL), "テスト", "charset: Shift_JIS");
	/* found by tests/fuzz/fuzz-mime: iconv passes these on from UTF-8 to UTF-8 */
	take(sm_mime_to_utf8("a\xf5\xac\x8b\x8f" "b", 6, NULL, NULL), "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "b",
	     "charset: a lead byte above U+10FFFF to U+FFFD");
	take(sm_mime_to_utf8("\xed\xa0\x80|\xc0\xaf|\xf4\x90\x80\x80", 11, "utf-8", NULL),
	     "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD",
	     "charset: a surrogate, an overlong form, U+110000 to U+FFFD");
}

static void encodings(void)
{
	sm_buf b = {0};
	const char *qp = "Gr=FC=DFe =3D soft=\r\nbreak=\nend  \r\n=zz =4\r\nlast";
	sm_mime_qp_decode(qp, strlen(qp), &b);
	tap_is(b.s, "Gr\xfc\xdf" "e = softbreakend\n=zz =4\nlast", "qp: decoded");
	sm_buf_reset(&b);
	const char *b64 = "R3LDvMOf\r\nZSBh dXMg\nS8O2bG4=\r\n";
	sm_mime_base64_decode(b64, strlen(b64), &b);
	tap_is(b.s, "Grüße aus Köln", "base64: lines and blanks skipped");
	sm_buf_reset(&b);
	sm_mail_base64("Grüße", strlen("Grüße"), &b);
	tap_is(b.s, "R3LDvMOfZQ==", "base64: encoded");
	sm_buf_free(&b);
}

static void params(void)
{
	take(sm_mime_param("text/plain; charset=\"ISO-8859-1\"; format=flowed", "charset"), "ISO-8859-1",
	     "param: quoted");
	take(sm_mime_param("text/plain;charset=utf-8;format=flowed", "FORMAT"), "flowed", "param: any case");
	take(sm_mime_param("multipart/mixed;\r\n boundary=\"=_a \\\"b\\\"\"", "boundary"), "=_a \"b\"",
	     "param: escapes");
	take(sm_mime_param("attachment; filename*=UTF-8''na%C3%AFve%20file.txt", "filename"),
	     "naïve file.txt", "param: RFC 2231 extended");
	take(sm_mime_param("attachment; filename*0*=iso-8859-1'de'M%FCller; filename*1=\"-Brief.pdf\"",
			   "filename"), "Müller-Brief.pdf", "param: RFC 2231 continuations");
	take(sm_mime_param("attachment; filename=\"=?UTF-8?Q?R=C3=A9sum=C3=A9.pdf?=\"", "filename"),
	     "Résumé.pdf", "param: encoded words in a filename");
	take(sm_mime_param("text/plain; name=a.txt", "filename"), NULL, "param: absent");
	take(sm_mime_param("text/plain; xcharset=a; charset=b", "charset"), "b", "param: whole names");
}

static void address(const char *in, const char *name, const char *addr, const char *what)
{
	char *n, *a;
	int rc = sm_mail_address(in, &n, &a);
	tap_ok(rc == (addr ? 0 : -1), what);
	tap_is(n, name, what);
	tap_is(a, addr, what);
	free(n);
	free(a);
}

static void addresses(void)
{
	address("=?ISO-8859-1?Q?J=FCrgen_M=FCller?= <Juergen@Example.DE>", "Jürgen Müller",
		"Juergen@Example.DE", "address: encoded name");
	address("\"M\\\"uller, Hans\" <h@x.de>, other@y.de", "M\"uller, Hans", "h@x.de",
		"address: quoted name with a comma");
	address("kunde@example.com (Max Kunde)", "Max Kunde", "kunde@example.com", "address: comment");
	address("  <bare@example.com>  ", NULL, "bare@example.com", "address: angle only");
	address("plain@example.com", NULL, "plain@example.com", "address: bare");
	address("undisclosed-recipients:;", NULL, NULL, "address: none");
	char **l = sm_mail_addresses("A <a@x.de>, \"B, b\" <b@x.de>, team: c@x.de, d@x.de;, e@x.de");
	sm_buf b = {0};
	for (char **p = l; *p; p++)
		sm_buf_printf(&b, "%s|", *p);
	tap_is(b.s, "a@x.de|b@x.de|c@x.de|d@x.de|e@x.de|", "addresses: a list with a group");
	sm_buf_free(&b);
	sm_mail_list_free(l);
	l = sm_mail_msgids("<a@x> (comment)\r\n <b.c@y>\t<d@z>");
	tap_ok(l[0] && l[1] && l[2] && !l[3] && !strcmp(l[0], "a@x") && !strcmp(l[1], "b.c@y") &&
		       !strcmp(l[2], "d@z"), "msgids: in order, without <>");
	sm_mail_list_free(l);
	l = sm_mail_msgids("no-brackets@x");
	tap_ok(l[0] && !strcmp(l[0], "no-brackets@x") && !l[1], "msgids: without brackets");
	sm_mail_list_free(l);
}

static void body(const char *what, const char *msg, const char *text, const char *media)
{
	sm_mime_body b;
	sm_mime_body_parse(msg, strlen(msg), &b);
	tap_is(b.text, text, what);
	char *m = b.media ? json_dumps(b.media, JSON_COMPACT) : NULL;
	tap_is(m, media, what);
	free(m);
	sm_mime_body_free(&b);
}

static void bodies(void)
{
	body("body: 8-bit bytes that are no UTF-8, no charset", "Subject: x\n\nok \xf5\xac\x8b\x8f\n", "ok \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", NULL);
	body("body: quoted-printable latin-1",
	     "Content-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n"
	     "\r\nSeit heute kein Internet. Gr=FC=DFe  \r\n\r\n> zitiert\r\n\r\n\r\n",
	     "Seit heute kein Internet. Grüße\n\n> zitiert", NULL);
	body("body: base64 UTF-8",
	     "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
	     "R3LDvMOfZSBhdXMgS8O2bG4=\n", "Grüße aus Köln", NULL);
	body("body: no MIME at all", "Subject: x\n\nhello\r\nworld\r\n", "hello\nworld", NULL);
	body("body: alternative, plain preferred",
	     "Content-Type: multipart/alternative; boundary=b1\n\npreamble\n--b1\n"
	     "Content-Type: text/plain\n\nplain text\n--b1\nContent-Type: text/html\n\n<p>html</p>\n--b1--\n",
	     "plain text", NULL);
	body("body: alternative, html when the plain part is empty",
	     "Content-Type: multipart/alternative; boundary=\"b1\"\n\n--b1\n"
	     "Content-Type: text/plain; charset=utf-8\n\n \n\n--b1\n"
	     "Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
	     "<p>Hallo <b>Welt</b>=C3=A4</p><p>Zweiter</p>\n--b1--\n", "Hallo Weltä\n\nZweiter", NULL);
	body("body: mixed with attachments",
	     "Content-Type: multipart/mixed; boundary=outer\r\n\r\n--outer\r\n"
	     "Content-Type: multipart/alternative; boundary=inner\r\n\r\n--inner\r\n"
	     "Content-Type: text/html\r\n\r\n<p>only html</p>\r\n--inner--\r\n--outer\r\n"
	     "Content-Type: image/png; name=\"bild.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	     "iVBORw0KGgo=\r\n--outer\r\nContent-Type: text/plain\r\n"
	     "Content-Disposition: attachment; filename*=UTF-8''R%C3%A9sum%C3%A9.txt\r\n\r\nfile\r\n"
	     "--outer\r\nContent-Type: application/pgp-signature\r\n\r\nsig\r\n--outer--\r\nepilogue\r\n",
	     "only html",
	     "[{\"filename\":\"bild.png\",\"type\":\"image/png\"},{\"filename\":\"Résumé.txt\","
	     "\"type\":\"text/plain\"}]");
	body("body: inline text parts joined, no closing delimiter",
	     "Content-Type: multipart/mixed; boundary=x\n\n--x\n\nfirst\n--x\nContent-Type: text/plain\n\n"
	     "second\n", "first\n\nsecond", NULL);
	body("body: format=flowed",
	     "Content-Type: text/plain; format=flowed; delsp=no\n\nein langer \nSatz.\n"
	     "> zitat \n> weiter\n-- \nsig\n",
	     "ein langer Satz.\n> zitat weiter\n--\nsig", NULL);
	body("body: delsp=yes", "Content-Type: text/plain; format=flowed; delsp=yes\n\nlan \ngwort\n",
	     "langwort", NULL);
	body("body: html only", "Content-Type: text/html; charset=windows-1252\n\n<div>Preis: 5 \x80</div>",
	     "Preis: 5 €", NULL);
}

/* Every line of s is at most 78 characters and ends in CRLF. */
static int lines_ok(const char *s)
{
	while (*s) {
		const char *nl = strstr(s, "\r\n");
		if (!nl || nl - s > 78)
			return 0;
		s = nl + 2;
	}
	return 1;
}

static void build_reply(void)
{
	const char *refs[] = {"first@example.com", "second.with.a.rather.long.id.1234567890@example.com",
			      "third.with.a.rather.long.id.1234567890@example.com", NULL};
	sm_mail m = {
		.from = "Support Team <support@example.com>",
		.to = "\"Müller, Jürgen\" <juergen@example.de>, plain@example.org",
		.subject = "Re: Störung in Köln – seit heute morgen kein Internet, bitte um Rückruf 🙂",
		.message_id = "draft-17@example.com",
		.in_reply_to = "third.with.a.rather.long.id.1234567890@example.com",
		.references = refs,
		.lang = "de",
		.text = "Hallo Herr Müller,\n\nwir kümmern uns. =1 \n.\nFrom here on a line that is longer "
			"than seventy-six characters so that it has to be broken softly.\n",
		.date = 1795427880,
	};
	size_t len;
	char *msg = sm_mail_build(&m, &len);
	tap_ok(lines_ok(msg), "build: CRLF lines of at most 78");
	tap_int((long)len, (long)strlen(msg), "build: length");
	take(sm_mime_header(msg, len, "Date"), "Mon, 23 Nov 2026 09:58:00 +0000", "build: date");
	char *s = sm_mime_header(msg, len, "Subject");
	take(sm_mime_decode_words(s), m.subject, "build: subject round trip");
	free(s);
	take(sm_mime_header(msg, len, "From"), "Support Team <support@example.com>", "build: from");
	s = sm_mime_header(msg, len, "To");
	char **to = sm_mail_addresses(s), *name, *addr;
	tap_ok(to[0] && to[1] && !to[2] && !strcmp(to[0], "juergen@example.de"), "build: to list");
	sm_mail_address(s, &name, &addr);
	tap_is(name, "Müller, Jürgen", "build: encoded display name");
	free(name);
	free(addr);
	sm_mail_list_free(to);
	free(s);
	take(sm_mime_header(msg, len, "Message-ID"), "<draft-17@example.com>", "build: message id");
	s = sm_mime_header(msg, len, "References");
	char **r = sm_mail_msgids(s);
	tap_ok(r[0] && r[1] && r[2] && !r[3] && !strcmp(r[2], refs[2]), "build: references folded");
	sm_mail_list_free(r);
	free(s);
	take(sm_mime_header(msg, len, "Content-Language"), "de", "build: language");
	sm_buf b = {0};
	size_t at = sm_mime_body_start(msg, len);
	sm_mime_qp_decode(msg + at, len - at, &b);
	tap_is(b.s, m.text, "build: body round trip");
	tap_ok(strstr(msg, "\r\n=2E\r\n") && strstr(msg, "=46rom here") && strstr(msg, "=3D1=20\r\n"),
	       "build: dot, From and trailing blank encoded");
	sm_buf_free(&b);
	free(msg);
}

static void build_new(void)
{
	sm_mail m = {.from = "a@example.com", .to = "b@example.com", .subject = "Plain ASCII subject",
		     .message_id = "x@example.com", .text = "no newline at the end", .date = 0};
	size_t len;
	char *msg = sm_mail_build(&m, &len);
	tap_ok(strstr(msg, "\r\nSubject: Plain ASCII subject\r\n") && !strstr(msg, "In-Reply-To") &&
		       !strstr(msg, "References") && !strstr(msg, "Content-Language"), "build: a new message");
	tap_ok(len > 2 && !strcmp(msg + len - 2, "\r\n"), "build: ends in CRLF");
	take(sm_mime_header(msg, len, "Date"), "Thu, 01 Jan 1970 00:00:00 +0000", "build: the epoch");
	free(msg);
	const char *evil[] = {"a@x>\r\nBcc: <evil@x", NULL};
	sm_mail e = {.from = "a@example.com", .to = "\"x\r\nBcc: evil@x\" <b@example.com>, c@x\r\nBcc: d@x",
		     .subject = "s\r\nBcc: evil@x", .message_id = "x@example.com",
		     .in_reply_to = evil[0], .references = evil, .text = "t", .date = 0};
	msg = sm_mail_build(&e, &len);
	tap_ok(!strstr(msg, "Bcc") && !strstr(msg, "In-Reply-To") && !strstr(msg, "References"),
	       "build: no header made from a record's line breaks");
	take(sm_mime_header(msg, len, "To"), "=?UTF-8?B?eA0KQmNjOiBldmlsQHg=?= <b@example.com>",
	     "build: a name with a line break encoded, an address with one dropped");
	free(msg);
}

int main(void)
{
	header();
	words();
	charsets();
	encodings();
	params();
	addresses();
	bodies();
	build_reply();
	build_new();
	return tap_done();
}
