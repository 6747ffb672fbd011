/*
 * mail.h - Internet mail for the email channel: reading messages (mime.c: RFC 5322
 * headers, MIME RFC 2045-2047 and 2231) and writing them (mail.c: RFC 5322 with MIME).
 */
#ifndef SM_MAIL_H
#define SM_MAIL_H

#include "smkit.h"

// mime.c: reading a message's header fields and encodings
/* The first header field NAME of the header section, unfolded and trimmed, not decoded;
   malloc'd, or NULL when absent. msg[0..len) is a whole message or a MIME part. */
char *sm_mime_header(const char *msg, size_t len, const char *name);
/* Where the body starts: after the first empty line (len when there is none). */
size_t sm_mime_body_start(const char *msg, size_t len);
/* Header text with its RFC 2047 encoded words decoded (Q and B, any charset) and other
   bytes read as UTF-8 (windows-1252 where they are not); malloc'd UTF-8. */
char *sm_mime_decode_words(const char *s);
/* s[0..n) in charset (NULL: us-ascii) as UTF-8 through iconv; bytes that are not valid in
   the charset become U+FFFD. Malloc'd, NUL-terminated; *outlen (if not NULL) its length. */
char *sm_mime_to_utf8(const char *s, size_t n, const char *charset, size_t *outlen);
/* Content-Transfer-Encoding quoted-printable and base64, appended to out. */
void sm_mime_qp_decode(const char *s, size_t n, sm_buf *out);
void sm_mime_base64_decode(const char *s, size_t n, sm_buf *out);
/* A parameter of a structured header (charset, boundary, filename, name), RFC 2231
   continuations and charsets included; malloc'd UTF-8, or NULL. */
char *sm_mime_param(const char *header, const char *name);
// mime_body.c
/* The body as plain text: multipart walked, text/plain preferred to text/html (converted
   to text) among alternatives, transfer encodings and charsets decoded, format=flowed
   joined, LF line ends, trailing blanks trimmed. Attachments are listed in media as
   [{"filename","type"}] (NULL when there are none), their content is not kept. */
typedef struct {
	char *text;
	json_t *media;
} sm_mime_body;
void sm_mime_body_parse(const char *msg, size_t len, sm_mime_body *out);
void sm_mime_body_free(sm_mime_body *b);

// mail.c: RFC 5322 addresses and message ids, and writing a message
typedef struct {
	const char *from;              /* "Name <addr>" or addr */
	const char *to;                /* one or more addresses, comma-separated */
	const char *subject;           /* UTF-8, or NULL for none */
	const char *message_id;        /* without <> */
	const char *in_reply_to;       /* without <>, or NULL */
	const char *const *references; /* without <>, NULL-terminated, or NULL */
	const char *lang;              /* Content-Language, or NULL */
	const char *text;              /* the body, UTF-8 */
	time_t date;
} sm_mail;
/* The message with CRLF line ends, quoted-printable UTF-8 text, RFC 2047 encoded header
   words where they are not ASCII, no line over 78 characters. Malloc'd; *len its length. */
char *sm_mail_build(const sm_mail *m, size_t *len);
/* "Mon, 23 Nov 2026 09:58:00 +0000" */
char *sm_mail_date(time_t t, char out[40]);
/* Base64 (RFC 4648, no line breaks) of p[0..n), appended to out. */
void sm_mail_base64(const void *p, size_t n, sm_buf *out);
/* The first mailbox of an address header: *addr (NULL if none) and the decoded display
   name *name (NULL if none); both malloc'd. 0, or -1 when there is no address. */
int sm_mail_address(const char *header, char **name, char **addr);
/* The addresses of an address list ("A <a@x>, b@y"); NULL-terminated, malloc'd. */
char **sm_mail_addresses(const char *header);
/* The message ids of a header (Message-ID, In-Reply-To, References) without <>, in order;
   NULL-terminated, malloc'd. */
char **sm_mail_msgids(const char *header);
void sm_mail_list_free(char **list); /* the arrays above */

#endif
