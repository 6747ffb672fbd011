/*
 * net/email.h - what the files of the email channel share: its config (email_conf.c), the
 * messages of an IMAP FETCH made items (email_item.c), and sending by SMTP (email_send.c).
 */
#ifndef SM_NET_EMAIL_H
#define SM_NET_EMAIL_H

#include "../net.h"

// email_conf.c
typedef struct {
	const char *name;  /* the channel */
	char *base;        /* "imap://host:port" of url, without a path */
	const char *user;  /* NULL: no login (SMTP only) */
	char *pass;        /* the secret; NULL without user */
	char **mailboxes;  /* the fetch values, or the mailbox of url, or INBOX */
	size_t nmailboxes;
	const char *smtp, *from;
	const char *sent_folder; /* where sent mail is kept (IMAP), or NULL */
	int sent_append;   /* smkit puts a copy there itself (else the server does) */
	long tls;          /* CURLUSESSL_* for imap:// and smtp:// (starttls) */
	long long max_size; /* fetch.max-size: the longest message read */
} sm_email_conf;
/* Read and check channel NAME's config; fetching: what reading needs, else what sending
   needs. -1 with SM_EX_CONFIG and a message naming the channel. */
int sm_email_config(sm_config *cfg, const char *dir, const char *name, int fetching,
		  sm_email_conf *out);
void sm_email_conf_free(sm_email_conf *c);
/* The libcurl options every IMAP or SMTP transfer of the channel has. */
void sm_email_setup(void *curl, const sm_email_conf *c, const char *protocols);
/* base + "/" + the mailbox name percent-encoded; malloc'd */
char *sm_email_url(const char *base, const char *mailbox);
/* s as an IMAP quoted string (RFC 3501 9); malloc'd */
char *sm_email_quote(const char *s);

// email_item.c
typedef struct {
	unsigned long uid;
	const char *p; /* the message, n bytes, in the response */
	size_t n;
	int damaged;   /* cut short: the response ended (or went wrong) inside it */
} sm_email_msg;
/* The messages of a UID FETCH response, at most max; the one after a damaged one is never
   read. */
size_t sm_email_parse_fetch(const sm_buf *b, sm_email_msg *out, size_t max);
typedef struct {
	sm_chan *c;
	const char *base, *mailbox;
	unsigned long validity;
} sm_email_where;
/* Store the messages as items and set the mailbox's cursor, in one transaction. */
int sm_email_store_page(const sm_email_where *w, const sm_email_msg *m, size_t n,
			const char *cursor);

// email_send.c
int sm_email_send(sm_sender *s, const sm_post *p, sm_sent *r);

#endif
