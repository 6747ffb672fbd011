/*
 * net/email_conf.c - the config of an email channel, checked before anything is fetched
 * or sent, and the libcurl options every IMAP and SMTP transfer of the channel has.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "../mail.h"
#include "email.h"

char *sm_email_quote(const char *s)
{
	sm_buf b = {0};
	sm_buf_addc(&b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			sm_buf_addc(&b, '\\');
		sm_buf_addc(&b, *s);
	}
	sm_buf_addc(&b, '"');
	return sm_buf_detach(&b);
}

char *sm_email_url(const char *base, const char *mailbox)
{
	sm_buf b = {0};
	sm_buf_printf(&b, "%s/", base);
	for (const unsigned char *p = (const unsigned char *)mailbox; *p; p++)
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p))
			sm_buf_addc(&b, (char)*p);
		else
			sm_buf_printf(&b, "%%%02X", *p);
	return sm_buf_detach(&b);
}

void sm_email_setup(void *curl, const sm_email_conf *c, const char *protocols)
{
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols);
	curl_easy_setopt(curl, CURLOPT_USE_SSL, c->tls);
	if (c->user) {
		curl_easy_setopt(curl, CURLOPT_USERNAME, c->user);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, c->pass);
	}
}

/* The forms the password takes on the wire, hidden in traces as the password is: SASL
   PLAIN ("\0user\0pass") and LOGIN in base64, IMAP LOGIN as a quoted string. */
static void remember_forms(const char *user, const char *pass)
{
	sm_buf plain = {0}, b = {0};
	sm_buf_addc(&plain, 0);
	sm_buf_adds(&plain, user);
	sm_buf_addc(&plain, 0);
	sm_buf_adds(&plain, pass);
	sm_mail_base64(plain.s, plain.len, &b);
	sm_secret_remember(b.s);
	sm_buf_reset(&b);
	sm_mail_base64(pass, strlen(pass), &b);
	sm_secret_remember(b.s);
	char *q = sm_email_quote(pass);
	q[strlen(q) - 1] = 0;
	sm_secret_remember(q + 1);
	free(q);
	sm_buf_free(&plain);
	sm_buf_free(&b);
}

static int conf_error(const char *name, const char *msg, const char *arg)
{
	return sm_error_code(SM_EX_CONFIG, "channel '%s': %s%s%s%s", name, msg, arg ? " '" : "",
			     arg ? arg : "", arg ? "'" : "");
}

static int hexdigit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* url: "imap[s]://host[:port]/MAILBOX": the server's part, and the mailbox (decoded). */
static int split_url(const sm_email_conf *o, const char *url, char **base, char **mailbox)
{
	const char *p = !strncmp(url, "imap://", 7) ? url + 7 : !strncmp(url, "imaps://", 8) ? url + 8 : NULL;
	if (!p || !*p || *p == '/')
		return conf_error(o->name, "url must be imap://HOST/MAILBOX or imaps://..., not", url);
	size_t host = strcspn(p, "/?#;");
	if (memchr(p, '@', host))
		return conf_error(o->name, "the user goes in user and the password in token-cmd, "
				  "token-env or token-file, not in url", NULL);
	*base = sm_strndup(url, (size_t)(p + host - url));
	sm_buf m = {0};
	for (const char *q = p + host + (p[host] == '/'); *q && !strchr("?#;", *q); q++) {
		int hi, lo;
		if (*q == '%' && (hi = hexdigit(q[1])) >= 0 && (lo = hexdigit(q[2])) >= 0) {
			sm_buf_addc(&m, (char)(hi << 4 | lo));
			q += 2;
		} else
			sm_buf_addc(&m, *q);
	}
	*mailbox = m.len ? sm_buf_detach(&m) : sm_strdup("INBOX");
	sm_buf_free(&m);
	return 0;
}

static int mailboxes(sm_config *cfg, sm_email_conf *o, char *from_url)
{
	size_t n;
	const char *const *v = sm_config_get_all_sub(cfg, "channel", o->name, "fetch", &n);
	o->mailboxes = sm_calloc(n + 1, sizeof *o->mailboxes);
	for (size_t i = 0; i < n; i++) {
		if (!*v[i] || strpbrk(v[i], "\r\n")) {
			free(from_url);
			return conf_error(o->name, "fetch must name a mailbox, not", v[i]);
		}
		size_t k;
		for (k = 0; k < o->nmailboxes && strcmp(o->mailboxes[k], v[i]); k++)
			;
		if (k == o->nmailboxes) /* the same mailbox twice is one stream */
			o->mailboxes[o->nmailboxes++] = sm_strdup(v[i]);
	}
	if (!n)
		o->mailboxes[o->nmailboxes++] = from_url;
	else
		free(from_url);
	return 0;
}

static int tls_mode(sm_email_conf *o, const char *v)
{
	if (!v || !strcmp(v, "try"))
		o->tls = CURLUSESSL_TRY;
	else if (!strcmp(v, "always"))
		o->tls = CURLUSESSL_ALL;
	else if (!strcmp(v, "never"))
		o->tls = CURLUSESSL_NONE;
	else
		return conf_error(o->name, "starttls is try, always or never, not", v);
	return 0;
}

static int reading(sm_config *cfg, sm_email_conf *o)
{
	const char *url = sm_config_get_sub(cfg, "channel", o->name, "url");
	char *mailbox = NULL;
	if (!url)
		return conf_error(o->name, "an email channel needs url (imap://HOST/INBOX or imaps://...)", NULL);
	if (split_url(o, url, &o->base, &mailbox) < 0)
		return -1;
	if (mailboxes(cfg, o, mailbox) < 0)
		return -1;
	if (!o->user)
		return conf_error(o->name, "an email channel needs user (the IMAP login)", NULL);
	return 0;
}

static int sending(sm_email_conf *o, int fetching)
{
	char *name, *addr;
	if (!o->smtp)
		return fetching ? 0 : conf_error(o->name, "sending needs smtp (smtp://HOST or smtps://...)", NULL);
	if (strncmp(o->smtp, "smtp://", 7) && strncmp(o->smtp, "smtps://", 8))
		return conf_error(o->name, "smtp must be smtp://HOST or smtps://HOST, not", o->smtp);
	if (!o->from)
		return conf_error(o->name, "smtp needs from (the address mail is sent as)", NULL);
	if (sm_mail_address(o->from, &name, &addr) < 0)
		return conf_error(o->name, "from must be an address, not", o->from);
	free(name);
	free(addr);
	return 0;
}

int sm_email_config(sm_config *cfg, const char *dir, const char *name, int fetching, sm_email_conf *o)
{
	memset(o, 0, sizeof *o);
	o->name = name;
	o->user = sm_config_get_sub(cfg, "channel", name, "user");
	o->smtp = sm_config_get_sub(cfg, "channel", name, "smtp");
	o->from = sm_config_get_sub(cfg, "channel", name, "from");
	o->sent_folder = sm_config_get_sub(cfg, "channel", name, "sent-folder");
	const char *append = sm_config_get_sub(cfg, "channel", name, "sent-append");
	o->sent_append = !append || !strcmp(append, "true") || !strcmp(append, "yes") || !strcmp(append, "1");
	int reach = fetching || o->sent_folder; /* the sent folder is reached as reading is */
	if (sm_config_bytes(cfg, "fetch.max-size", 16 << 20, &o->max_size) < 0 ||
	    tls_mode(o, sm_config_get_sub(cfg, "channel", name, "starttls")) < 0 ||
	    (reach && reading(cfg, o) < 0) || sending(o, fetching) < 0 ||
	    (o->user && sm_secret(cfg, dir, "channel", name, &o->pass) < 0)) {
		sm_email_conf_free(o);
		return -1;
	}
	if (o->max_size < 1 || o->max_size > 0x7fffffff)
		o->max_size = 0x7fffffff; /* an IMAP number */
	if (o->user)
		remember_forms(o->user, o->pass);
	return 0;
}

void sm_email_conf_free(sm_email_conf *c)
{
	const char *name = c->name;
	free(c->base);
	for (size_t i = 0; i < c->nmailboxes; i++)
		free(c->mailboxes[i]);
	free(c->mailboxes);
	if (c->pass)
		memset(c->pass, 0, strlen(c->pass));
	free(c->pass);
	memset(c, 0, sizeof *c);
	c->name = name;
}
