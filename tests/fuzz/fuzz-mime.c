/*
 * fuzz-mime.c - Internet mail as the email channel reads it (mime.c, mime_body.c, mail.c,
 * net/email_item.c): an IMAP UID FETCH response when the input starts with "* ", else one
 * message. Each message's header fields, encoded words, parameters, addresses, message ids
 * and body are read as the channel reads them; a message written by sm_mail_build from
 * the pieces read must read back to the same subject.
 */
#include "fuzz.h"
#include "mail.h"
#include "net/email.h"

static void check_utf8(const char *s, const char *what)
{
	if (s)
		fuzz_check(sm_utf8_valid(s, strlen(s), NULL), "%s is not UTF-8", what);
}

static void list(char **l)
{
	for (size_t i = 0; l && l[i]; i++)
		fuzz_check(l[i][0], "an empty entry");
	sm_mail_list_free(l);
}

/* s with runs of blanks made one space, trimmed; malloc'd */
static char *squeeze(const char *s)
{
	sm_buf b = {0};
	sm_buf_adds(&b, "");
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t') {
			if (b.len && b.s[b.len - 1] != ' ')
				sm_buf_addc(&b, ' ');
			continue;
		}
		sm_buf_addc(&b, *s);
	}
	if (b.len && b.s[b.len - 1] == ' ')
		b.s[--b.len] = 0;
	return sm_buf_detach(&b);
}

/* A subject as sm_mail_build writes it reads back unchanged (blanks aside). */
static void subject_round_trip(const char *subject)
{
	for (const char *p = subject; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return; /* control characters are not for a subject line */
	if (strstr(subject, "=?"))
		return; /* what looks like an encoded word is read as one */
	sm_mail m = {.from = "a@example.com", .to = "b@example.com", .subject = subject,
		     .message_id = "x@example.com", .text = "t", .date = 0};
	size_t len;
	char *msg = sm_mail_build(&m, &len);
	char *raw = sm_mime_header(msg, len, "Subject");
	fuzz_check(raw || !*subject, "the subject was not written");
	if (raw) {
		char *back = sm_mime_decode_words(raw), *a = squeeze(subject), *b = squeeze(back);
		fuzz_check(!strcmp(a, b), "subject '%s' read back as '%s'", subject, back);
		free(back), free(a), free(b);
	}
	free(raw);
	free(msg);
}

static void message(const char *p, size_t n)
{
	static const char *const names[] = {"From", "To", "Cc", "Subject", "Date", "Message-ID",
					    "In-Reply-To", "References", "Content-Type",
					    "Content-Transfer-Encoding", "Content-Language", NULL};
	char *h[16] = {0};
	for (int i = 0; names[i]; i++) {
		h[i] = sm_mime_header(p, n, names[i]);
		if (!h[i])
			continue;
		char *d = sm_mime_decode_words(h[i]);
		check_utf8(d, names[i]);
		if (i == 3 && sm_utf8_valid(d, strlen(d), NULL))
			subject_round_trip(d);
		free(d);
	}
	char *name = NULL, *addr = NULL;
	if (h[0] && sm_mail_address(h[0], &name, &addr) == 0) {
		fuzz_check(addr, "an address without its address");
		check_utf8(name, "the display name");
	}
	free(name), free(addr);
	if (h[1])
		list(sm_mail_addresses(h[1]));
	for (int i = 5; i <= 7; i++)
		if (h[i])
			list(sm_mail_msgids(h[i]));
	if (h[8]) {
		const char *params[] = {"charset", "boundary", "name", "filename", "format", NULL};
		for (int i = 0; params[i]; i++) {
			char *v = sm_mime_param(h[8], params[i]);
			check_utf8(v, params[i]);
			free(v);
		}
	}
	sm_mime_body b;
	sm_mime_body_parse(p, n, &b);
	fuzz_check(b.text, "no body text");
	check_utf8(b.text, "the body");
	fuzz_check(!b.media || json_is_array(b.media), "media is no array");
	sm_mime_body_free(&b);
	for (int i = 0; names[i]; i++)
		free(h[i]);
	(void)sm_mime_body_start(p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	if (size >= 2 && p[0] == '*' && p[1] == ' ') {
		sm_buf b = {0};
		sm_email_msg m[8];
		sm_buf_add(&b, p, size);
		size_t k = sm_email_parse_fetch(&b, m, 8);
		fuzz_check(k <= 8, "more messages than asked for");
		for (size_t i = 0; i < k; i++) {
			fuzz_check(m[i].p >= b.s && m[i].p + m[i].n <= b.s + b.len, "message %zu outside the response", i);
			message(m[i].p, m[i].n);
		}
		sm_buf_free(&b);
		return 0;
	}
	message(p, size);
	return 0;
}
