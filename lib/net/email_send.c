/*
 * net/email_send.c - sending through an email channel: one RFC 5322 message (mail.c) by
 * SMTP, a reply threaded under the message it answers (In-Reply-To, References), its
 * Message-ID made from the draft's key, so that a message sent again is the same message.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "../mail.h"
#include "email.h"

typedef struct {
	const sm_email_conf *conf;
	const char *msg;
	size_t len, off;
	char *mail_from;          /* "<addr>" */
	struct curl_slist *rcpt;  /* "<addr>" each */
	sm_buf resp;              /* the server's lines */
} job;

static size_t on_read(char *buf, size_t size, size_t n, void *data)
{
	job *j = data;
	size_t room = size * n, left = j->len - j->off;
	if (room > left)
		room = left;
	memcpy(buf, j->msg + j->off, room);
	j->off += room;
	return room;
}

static size_t on_header(char *p, size_t size, size_t n, void *data)
{
	job *j = data;
	sm_buf_add(&j->resp, p, size * n);
	return size * n;
}

/* The message goes up as an upload (SMTP DATA, IMAP APPEND); req->body is set only so
   that http.c never sends it a second time on its own (a POST that is not idempotent is
   not retried). */
static void upload(void *curl, job *j)
{
	j->off = 0;
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(curl, CURLOPT_READDATA, j);
	curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)j->len);
}

static void smtp_setup(void *curl, sm_http_req *req)
{
	job *j = req->data;
	sm_email_setup(curl, j->conf, "smtp,smtps");
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
	upload(curl, j);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, j->mail_from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, j->rcpt);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, j);
}

static const char *get(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* "Re: " and the original subject, without a pile of Re: Re: AW: */
static char *reply_subject(const char *orig)
{
	const char *s = orig ? orig : "";
	for (;;) {
		s += strspn(s, " \t");
		if (!strncasecmp(s, "re:", 3) || !strncasecmp(s, "aw:", 3))
			s += 3;
		else if (!strncasecmp(s, "re[", 3) && s[3 + strspn(s + 3, "0123456789")] == ']' &&
			 s[4 + strspn(s + 3, "0123456789")] == ':')
			s += 5 + strspn(s + 3, "0123456789");
		else
			break;
	}
	return sm_asprintf("Re: %s", s);
}

/* The left part of the Message-ID: the key when it is a dot-atom, else a digest of it. */
static char *id_left(const char *key)
{
	static const char atext[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				    "!#$%&'*+-/=?^_`{|}~.";
	char hex[41];
	if (!key) {
		static unsigned serial;
		return sm_asprintf("smkit.%lx.%lx.%lx.%x", (long)sm_now(), (long)getpid(), random(),
				   ++serial);
	}
	size_t n = strlen(key);
	if (n && n <= 64 && strspn(key, atext) == n && key[0] != '.' && key[n - 1] != '.' &&
	    !strstr(key, ".."))
		return sm_strdup(key);
	sm_sha1_hex(key, n, hex);
	return sm_asprintf("smkit.%s", hex);
}

/* The ext_id of the item replied to. */
static char *reply_ext(const sm_sender *s, const sm_post *p)
{
	const char *ext = get(p->reply_item, "ext_id"), *colon;
	size_t nl = strlen(s->name);
	if (ext)
		return sm_strdup(ext);
	if (!strncmp(p->reply_to, s->name, nl) && p->reply_to[nl] == ':')
		return sm_strdup(p->reply_to + nl + 1);
	colon = strchr(p->reply_to, ':');
	return sm_strdup(colon ? colon + 1 : p->reply_to);
}

/* To: the post's, else the author of the original as "Name" <addr>. */
static char *recipient(const sm_post *p)
{
	json_t *a = json_object_get(p->reply_item, "author");
	const char *addr = get(a, "email") ? get(a, "email") : get(a, "handle"), *name = get(a, "name");
	if (p->to)
		return sm_strdup(p->to);
	if (!addr || !strchr(addr, '@'))
		return NULL;
	if (!name)
		return sm_strdup(addr);
	sm_buf b = {0};
	sm_buf_addc(&b, '"');
	for (; *name; name++) {
		if (*name == '"' || *name == '\\')
			sm_buf_addc(&b, '\\');
		sm_buf_addc(&b, *name);
	}
	sm_buf_printf(&b, "\" <%s>", addr);
	return sm_buf_detach(&b);
}

/* References: the original's, then the original itself. */
static const char **references(const sm_post *p, const char *orig)
{
	json_t *refs = json_object_get(p->reply_item, "references"), *v;
	const char **l = sm_calloc(json_array_size(refs) + 2, sizeof *l);
	size_t i, n = 0;
	json_array_foreach(refs, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), orig))
			l[n++] = json_string_value(v);
	l[n] = orig;
	return l;
}

/* The SMTP server's last refusal: "550 5.1.1 no such user". */
static const char *refusal(const sm_buf *b)
{
	const char *why = NULL;
	for (const char *p = b->s; p && *p; p += strcspn(p, "\n"), p += *p == '\n')
		if ((*p == '4' || *p == '5') && strspn(p, "0123456789") == 3)
			why = p;
	return why;
}

static void result(const job *j, sm_http_req *req, const char *msgid, sm_sent *r)
{
	if (!req->failed) {
		r->ext_id = sm_strdup(msgid);
		r->url = sm_asprintf("mid:%s", msgid); /* RFC 2392; the id is a dot-atom */
		return;
	}
	const char *why = refusal(&j->resp);
	r->failed = 1;
	r->temporary = req->status >= 500 && req->status < 600 ? 0
		       : req->status >= 400 ? 1 : req->temporary;
	snprintf(r->error, sizeof r->error, "%s%s%.*s", req->error, why ? ": " : "",
		 why ? (int)strcspn(why, "\r\n") : 0, why ? why : "");
}

/* The envelope: MAIL FROM and one RCPT TO per address of To. */
static int envelope(job *j, const sm_email_conf *c, const char *to, char **domain)
{
	char *name, *addr, **list = sm_mail_addresses(to);
	sm_mail_address(c->from, &name, &addr);
	j->mail_from = sm_asprintf("<%s>", addr);
	*domain = sm_strdup(strrchr(addr, '@') + 1);
	for (char **p = list; *p; p++) {
		char *a = sm_asprintf("<%s>", *p);
		j->rcpt = curl_slist_append(j->rcpt, a);
		free(a);
	}
	int n = list[0] != NULL;
	sm_mail_list_free(list);
	free(name);
	free(addr);
	return n ? 0 : sm_error_code(SM_EX_DATAERR, "channel '%s': no address in '%s'", c->name, to);
}

/* The SMTP URL names our domain for EHLO when it has no path of its own. */
static char *smtp_url(const char *smtp, const char *domain)
{
	const char *host = strstr(smtp, "://") + 3;
	return strchr(host, '/') ? sm_strdup(smtp) : sm_asprintf("%s/%s", smtp, domain);
}

static int transfer(sm_sender *s, job *j, const char *url, const char *msgid, sm_sent *r)
{
	sm_http_req req = {.url = url, .body = j->msg, .body_len = j->len, .setup = smtp_setup,
			   .data = j};
	if (sm_http_add(s->http, &req) < 0)
		return -1;
	sm_http_run(s->http);
	result(j, &req, msgid, r);
	sm_http_req_free(&req);
	return 0;
}

/* --- the sent folder: a copy of each message, and where a send is looked for ------------ */

static void imap_setup(void *curl, sm_http_req *req)
{
	job *j = req->data;
	sm_email_setup(curl, j->conf, "imap,imaps");
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
	if (j->msg) /* APPEND */
		upload(curl, j);
}

/* One IMAP request on the sent folder: SEARCH (query) or APPEND (msg). */
static int imap_call(sm_sender *s, const sm_email_conf *c, const char *query, const char *msg,
		     size_t len, sm_buf *out, char *err, size_t errn)
{
	job j = {.conf = c, .msg = msg, .len = len};
	char *url = sm_email_url(c->base, c->sent_folder);
	if (query) {
		char *u = sm_asprintf("%s?%s", url, query);
		free(url);
		url = u;
	}
	sm_http_req req = {.url = url, .setup = imap_setup, .data = &j, .body = msg, .body_len = len};
	int rc = sm_http_add(s->http, &req);
	if (rc == 0) {
		sm_http_run(s->http);
		if (req.failed) {
			snprintf(err, errn, "%s: %s", c->sent_folder, req.error);
			rc = -1;
		} else if (out)
			sm_buf_add(out, req.body_in.s ? req.body_in.s : "", req.body_in.len);
	} else
		snprintf(err, errn, "%s", sm_errmsg());
	sm_http_req_free(&req);
	free(url);
	return rc;
}

/* Is the message with this Message-ID in the sent folder? 1 yes, 0 no, -1 cannot tell. */
static int in_sent_folder(sm_sender *s, const sm_email_conf *c, const char *msgid, char *err, size_t errn)
{
	sm_buf q = {0}, out = {0};
	char *quoted = sm_email_quote(msgid);
	sm_buf_adds(&q, "HEADER%20Message-ID%20");
	for (const unsigned char *p = (const unsigned char *)quoted; *p; p++)
		if (isalnum(*p) || strchr("-._~@", *p))
			sm_buf_add(&q, (const char *)p, 1);
		else
			sm_buf_printf(&q, "%%%02X", *p);
	free(quoted);
	int rc = imap_call(s, c, q.s, NULL, 0, &out, err, errn);
	int found = 0;
	for (const char *p = out.s; rc == 0 && p && (p = strstr(p, "* SEARCH")); p += 8)
		if (strspn(p + 8, " ") && isdigit((unsigned char)p[8 + strspn(p + 8, " ")]))
			found = 1;
	sm_buf_free(&q);
	sm_buf_free(&out);
	return rc < 0 ? -1 : found;
}

int sm_email_send(sm_sender *s, const sm_post *p, sm_sent *r)
{
	sm_email_conf c;
	job j = {.conf = &c};
	char *to = NULL, *domain = NULL, *left = NULL, *msgid = NULL, *subject = NULL, *orig = NULL;
	const char **refs = NULL;
	int rc = -1;
	if (sm_email_config(s->cfg, s->ws->dir, s->name, 0, &c) < 0)
		return -1;
	if (!(to = recipient(p))) {
		sm_error_code(SM_EX_DATAERR, "channel '%s': no recipient: a new mail needs to, a "
			      "reply an original with an address", s->name);
		goto out;
	}
	if (envelope(&j, &c, to, &domain) < 0)
		goto out;
	left = id_left(p->key);
	msgid = sm_asprintf("%s@%s", left, domain);
	if (p->reply_to) {
		orig = reply_ext(s, p);
		refs = references(p, orig);
	}
	subject = p->subject ? sm_strdup(p->subject)
		: p->reply_to ? reply_subject(get(p->reply_item, "subject") ? get(p->reply_item, "subject")
					      : get(p->reply_item, "title"))
			      : NULL;
	sm_mail m = {c.from, to, subject, msgid, orig, refs, p->lang, p->text, sm_now()};
	char *msg = sm_mail_build(&m, &j.len), *url = smtp_url(c.smtp, domain);
	j.msg = msg;
	char err[300] = "";
	int was = 0;
	if (p->dry_run) {
		sm_sent_preview(r, "SMTP", url, msg, j.len);
		rc = 0;
	} else if (p->reconcile == 2 && !c.sent_folder) { /* nothing to ask: never twice */
		r->failed = 1;
		snprintf(r->error, sizeof r->error, "sending was interrupted: whether the mail went out "
			 "is unknown (look for Message-ID <%s>; set sent-folder to let smkit look); "
			 "revive it with sm-approve edit if it did not", msgid);
		rc = 0;
	} else if (p->reconcile && c.sent_folder && (was = in_sent_folder(s, &c, msgid, err, sizeof err)) != 0) {
		if (was > 0) { /* it went out before */
			r->ext_id = sm_strdup(msgid);
			r->url = sm_asprintf("mid:%s", msgid);
		} else {
			r->failed = r->temporary = 1;
			snprintf(r->error, sizeof r->error, "cannot look for the mail sent before: %s", err);
		}
		rc = 0;
	} else {
		rc = transfer(s, &j, url, msgid, r);
		/* the copy that later runs look for; a failure leaves the mail sent all the same */
		if (rc == 0 && !r->failed && c.sent_folder && c.sent_append &&
		    imap_call(s, &c, NULL, msg, j.len, NULL, err, sizeof err) < 0)
			sm_warn("channel '%s': the copy in %s: %s", s->name, c.sent_folder, err);
	}
	free(msg);
	free(url);
out:
	free(j.mail_from);
	curl_slist_free_all(j.rcpt);
	sm_buf_free(&j.resp);
	free(to);
	free(domain);
	free(left);
	free(msgid);
	free(subject);
	free(orig);
	free(refs);
	sm_email_conf_free(&c);
	return rc;
}
