/*
 * net/email.c - the email channel: the new messages of IMAP mailboxes (RFC 3501), read
 * with BODY.PEEK so that none is marked seen, each mailbox's cursor "UIDVALIDITY:LASTUID"
 * stored with its messages. The config is read in email_conf.c, messages become items in
 * email_item.c, and sending by SMTP is email_send.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "../mail.h"
#include "email.h"

enum { PAGE = 20, EXAMINE = 1, SEARCH, FETCH };

typedef struct email_state email_state;
typedef struct {
	sm_chan *c;
	email_state *es;
	const char *mailbox;
	char *url, *top; /* the mailbox's URL (curl selects it first), and the server's */
	sm_http_req req;
	char *command;
	int step, busy, attempt;
	sm_buf hdr, body;             /* what the server said: every line, and the untagged */
	unsigned long validity, next; /* UIDVALIDITY and UIDNEXT of the mailbox now */
	unsigned long old_validity, last; /* the cursor; old_validity 0 when there is none */
	unsigned long *uids;          /* to fetch, ascending */
	size_t nuids, done;
} stream;

struct email_state {
	sm_email_conf conf;
	long long limit; /* the most one response may hold */
	stream *s;
	size_t n;
};

/* Every response line goes to the header callback (curl 7.x delivers a custom FETCH's
   literal there); untagged lines of a custom command go to the write callback. A retry
   of the same transfer starts both again. */
static size_t collect(stream *s, sm_buf *b, const char *p, size_t n)
{
	if (s->attempt != s->req.attempts) {
		sm_buf_reset(&s->hdr);
		sm_buf_reset(&s->body);
		s->attempt = s->req.attempts;
	}
	if ((long long)(s->hdr.len + s->body.len + n) > s->es->limit) {
		snprintf(s->req.error, sizeof s->req.error, "response larger than %lld bytes", s->es->limit);
		return 0;
	}
	sm_buf_add(b, p, n);
	return n;
}

static size_t on_header(char *p, size_t size, size_t n, void *data)
{
	stream *s = data;
	return collect(s, &s->hdr, p, size * n);
}

static size_t on_write(char *p, size_t size, size_t n, void *data)
{
	stream *s = data;
	return collect(s, &s->body, p, size * n);
}

static void imap_setup(void *curl, sm_http_req *req)
{
	stream *s = req->data;
	sm_email_setup(curl, &s->es->conf, "imap,imaps");
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, 512L * 1024); /* long lines come whole */
	if (s->step == FETCH) {
		/* a message line that mimics the command's tag ends the response early in curl
		   7.x: the connection must not carry the rest to the next command. The trace
		   shows the login and the commands, not the messages' lines. */
		curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
		curl_easy_setopt(curl, CURLOPT_VERBOSE, 0L);
	}
}

static void done(sm_http_req *req);

static void request(stream *s, int step, const char *url, char *command)
{
	sm_http_req_free(&s->req);
	memset(&s->req, 0, sizeof s->req);
	free(s->command);
	s->command = command;
	s->step = step;
	s->attempt = -1;
	s->req.url = url;
	s->req.method = command;
	s->req.setup = imap_setup;
	s->req.done = done;
	s->req.data = s;
	if (sm_http_add(s->c->run->http, &s->req) < 0)
		sm_chan_fail(s->c, 0, "%s: %s", s->mailbox, sm_errmsg());
	else
		s->busy = 1;
}

/* The number after "[NAME " in the last response line that has one, or 0. */
static unsigned long code_value(const sm_buf *b, const char *name)
{
	unsigned long v = 0;
	size_t nl = strlen(name);
	for (const char *p = b->s; p && (p = strstr(p, name)); p += nl)
		if (p > b->s && p[-1] == '[' && p[nl] == ' ')
			v = strtoul(p + nl + 1, NULL, 10);
	return v;
}

/* What the server said last when it refused: the text of a tagged NO or BAD line. */
static char *refusal(const sm_buf *b)
{
	char *why = NULL;
	for (const char *p = b->s; p && *p;) {
		size_t n = strcspn(p, "\r\n");
		const char *sp = memchr(p, ' ', n);
		if (sp && *p != '*' && *p != '+' && (size_t)(sp - p) < n &&
		    (!strncmp(sp, " NO ", 4) || !strncmp(sp, " BAD ", 5))) {
			free(why);
			why = sm_strndup(sp + 1, n - (size_t)(sp + 1 - p));
		}
		p += n;
		p += strspn(p, "\r\n");
	}
	return why;
}

static void fail(stream *s, int temporary, const char *msg)
{
	sm_store_note_error(s->c->run->st, s->c->name, s->mailbox, msg);
	sm_chan_fail(s->c, temporary, "%s: %s", s->mailbox, msg);
}

/* curl's words, and the server's when it refused: "Login denied: NO [AUTHENTICATIONFAILED]
   Authentication failed." (curl calls a refused command a "Quote command") */
static void failed(stream *s, sm_http_req *req)
{
	static const char *const verbs[] = {"", "EXAMINE", "UID SEARCH", "UID FETCH"};
	char *why = refusal(&s->hdr), *refused = sm_asprintf("%s refused", verbs[s->step]);
	const char *what = strstr(req->error, "Quote command") ? refused : req->error;
	char *msg = why ? sm_asprintf("%s: %s", what, why) : sm_strdup(req->error);
	fail(s, req->temporary, msg);
	free(msg);
	free(refused);
	free(why);
}

/* The cursor alone (nothing new to store): a first run, or a mailbox made anew. */
static void store_cursor(stream *s, unsigned long last)
{
	char cur[64];
	snprintf(cur, sizeof cur, "%lu:%lu", s->validity, last);
	sm_cursor c = {NULL, NULL, cur};
	sm_buf none = {0};
	if (sm_chan_begin(s->c) < 0)
		return;
	if (sm_store_cursor_set(s->c->run->st, s->c->name, s->mailbox, &c) < 0) {
		sm_chan_fail(s->c, 1, "%s", sm_errmsg());
		sm_store_rollback(s->c->run->st);
		return;
	}
	sm_chan_commit(s->c, &none);
}

static void fetch_page(stream *s)
{
	sm_buf cmd = {0};
	sm_buf_adds(&cmd, "UID FETCH ");
	for (size_t i = s->done; i < s->nuids && i < s->done + PAGE; i++)
		sm_buf_printf(&cmd, "%s%lu", i > s->done ? "," : "", s->uids[i]);
	sm_buf_printf(&cmd, " BODY.PEEK[]<0.%lld>", s->es->conf.max_size);
	request(s, FETCH, s->url, sm_buf_detach(&cmd));
}

static void examined(stream *s)
{
	s->validity = code_value(&s->body, "UIDVALIDITY");
	s->next = code_value(&s->body, "UIDNEXT");
	if (!s->validity) {
		fail(s, 0, "the server gave no UIDVALIDITY");
		return;
	}
	int same = s->old_validity == s->validity;
	if (same && s->next && s->next - 1 <= s->last)
		return; /* nothing new */
	if (s->old_validity && !same)
		sm_chan_warn(s->c, "%s: UIDVALIDITY changed (%lu, was %lu): reading the mailbox "
			     "again, known messages are skipped", s->mailbox, s->validity, s->old_validity);
	char *cmd = same ? sm_asprintf("UID SEARCH UID %lu:*", s->last + 1) : sm_strdup("UID SEARCH ALL");
	request(s, SEARCH, s->url, cmd);
}

/* A SELECT in the same response (curl selects before a command on a mailbox) must see the
   UIDVALIDITY that EXAMINE saw, else the UIDs at hand mean other messages. */
static int validity_kept(stream *s)
{
	unsigned long v = s->step == EXAMINE ? 0 : code_value(&s->hdr, "UIDVALIDITY");
	if (!v || v == s->validity)
		return 1;
	fail(s, 1, "UIDVALIDITY changed while reading the mailbox");
	return 0;
}

static int cmp_uid(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
	return x < y ? -1 : x > y;
}

/* The UIDs of the "* SEARCH" line above the cursor; "N:*" always holds the last UID. */
static void search_result(stream *s, const sm_buf *b, unsigned long above)
{
	const char *line = NULL;
	for (const char *p = b->s; p && (p = strstr(p, "* SEARCH")); p += 8)
		if (p == b->s || p[-1] == '\n')
			line = p + 8;
	for (const char *p = line; p && *p && *p != '\r' && *p != '\n';) {
		char *end;
		unsigned long uid = strtoul(p, &end, 10);
		if (end == p)
			break;
		if (uid > above) {
			s->uids = sm_realloc(s->uids, (s->nuids + 1) * sizeof *s->uids);
			s->uids[s->nuids++] = uid;
		}
		p = end;
	}
	qsort(s->uids, s->nuids, sizeof *s->uids, cmp_uid);
}

static void searched(stream *s)
{
	int same = s->old_validity == s->validity;
	search_result(s, s->body.len ? &s->body : &s->hdr, same ? s->last : 0);
	if (!s->old_validity && s->nuids > PAGE) /* a first run: the newest page only */
		s->done = s->nuids - PAGE;
	if (s->done < s->nuids)
		fetch_page(s);
	else if (!same || (s->next && s->next - 1 > s->last)) /* none, or deleted ones */
		store_cursor(s, s->next ? s->next - 1 : same ? s->last : 0);
}

/* The messages of a response: in every line (curl 7 gives a custom FETCH's literal as
   response lines) or in the data (curl 8), whichever holds more of them whole. */
static size_t messages(stream *s, sm_email_msg *out)
{
	sm_email_msg other[PAGE];
	size_t a = sm_email_parse_fetch(&s->hdr, out, PAGE), b = sm_email_parse_fetch(&s->body, other, PAGE);
	size_t whole_a = a - (a && out[a - 1].damaged), whole_b = b - (b && other[b - 1].damaged);
	if (whole_b <= whole_a)
		return a;
	memcpy(out, other, b * sizeof *out);
	return b;
}

/* One page fetched: its messages and the cursor in one transaction, then the next page.
   A message cut short is stored as far as it came and ends the page there. */
static void fetched(stream *s)
{
	sm_email_msg m[PAGE];
	size_t n = messages(s, m), want = s->nuids - s->done < PAGE ? s->nuids - s->done : PAGE;
	int cut = n && m[n - 1].damaged;
	if (cut && !m[n - 1].uid)
		n--; /* which message it was is not known */
	unsigned long upto = !cut ? s->uids[s->done + want - 1] : n ? m[n - 1].uid : 0;
	if (!upto) {
		fail(s, 1, "a message could not be read");
		return;
	}
	if (cut)
		sm_chan_warn(s->c, "%s: message UID %lu came cut short; stored as far as it came",
			     s->mailbox, upto);
	for (size_t i = 0; i < n; i++)
		if ((long long)m[i].n >= s->es->conf.max_size)
			sm_chan_warn(s->c, "%s: message UID %lu is larger than fetch.max-size; its "
				     "first %lld bytes are read", s->mailbox, m[i].uid, s->es->conf.max_size);
	char cur[64];
	snprintf(cur, sizeof cur, "%lu:%lu", s->validity, upto);
	sm_email_where w = {s->c, s->es->conf.base, s->mailbox, s->validity};
	if (sm_email_store_page(&w, m, n, cur) < 0)
		return;
	while (s->done < s->nuids && s->uids[s->done] <= upto)
		s->done++;
	if (s->done < s->nuids)
		fetch_page(s);
}

/* A FETCH that failed inside a message (a line of it taken for the end of the response)
   keeps what came before. */
static int cut_short(stream *s)
{
	sm_email_msg m[PAGE];
	size_t n = s->step == FETCH ? messages(s, m) : 0;
	return n && m[n - 1].damaged;
}

static void done(sm_http_req *req)
{
	stream *s = req->data;
	s->busy = 0;
	if (req->failed && !cut_short(s))
		failed(s, req);
	else if (!validity_kept(s))
		return;
	else if (s->step == EXAMINE)
		examined(s);
	else if (s->step == SEARCH)
		searched(s);
	else
		fetched(s);
}

static int check(sm_chan *c)
{
	email_state *es = sm_calloc(1, sizeof *es);
	c->state = es;
	if (sm_email_config(c->run->cfg, c->run->ws->dir, c->name, 1, &es->conf) < 0)
		return -1;
	es->limit = (PAGE + 1) * es->conf.max_size + (1 << 20);
	return 0;
}

static void parse_cursor(stream *s, const char *cur)
{
	char *end;
	s->old_validity = cur ? strtoul(cur, &end, 10) : 0;
	if (s->old_validity && *end == ':')
		s->last = strtoul(end + 1, NULL, 10);
	else
		s->old_validity = 0;
}

static int start(sm_chan *c)
{
	email_state *es = c->state;
	es->n = es->conf.nmailboxes;
	es->s = sm_calloc(es->n, sizeof *es->s);
	for (size_t i = 0; i < es->n; i++) {
		stream *s = &es->s[i];
		sm_cursor cur;
		s->c = c;
		s->es = es;
		s->mailbox = es->conf.mailboxes[i];
		s->url = sm_email_url(es->conf.base, s->mailbox);
		s->top = sm_asprintf("%s/", es->conf.base);
		if (sm_store_cursor_get(c->run->st, c->name, s->mailbox, &cur) < 0)
			return -1;
		parse_cursor(s, cur.cursor);
		sm_cursor_free(&cur);
		/* no mailbox in the URL: curl sends EXAMINE as it is, without a SELECT first */
		char *q = sm_email_quote(s->mailbox);
		request(s, EXAMINE, s->top, sm_asprintf("EXAMINE %s", q));
		free(q);
	}
	return 0;
}

static int busy(sm_chan *c)
{
	email_state *es = c->state;
	for (size_t i = 0; es && i < es->n; i++)
		if (es->s[i].busy)
			return 1;
	return 0;
}

static void email_free(sm_chan *c)
{
	email_state *es = c->state;
	if (!es)
		return;
	for (size_t i = 0; i < es->n; i++) {
		stream *s = &es->s[i];
		sm_http_req_free(&s->req);
		sm_buf_free(&s->hdr);
		sm_buf_free(&s->body);
		free(s->command);
		free(s->url);
		free(s->top);
		free(s->uids);
	}
	free(es->s);
	sm_email_conf_free(&es->conf);
	free(es);
	c->state = NULL;
}

const sm_adapter sm_adapter_email = {
	.kind = "email", .check = check, .start = start, .busy = busy, .free = email_free,
	.send = sm_email_send,
};
