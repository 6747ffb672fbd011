/*
 * net/mastodon.c - the mastodon channel: mentions, timelines, hashtags, searches and direct
 * conversations of one account through the Mastodon client API, each stream read from its
 * cursor (min_id) oldest page first, and statuses posted with an Idempotency-Key so that a
 * send tried again posts once. A status's media are uploaded first (POST /api/v2/media, and
 * while the server is still processing one, GET /api/v1/media/ID until it has a url); a
 * send tried again uploads them again, and the key still posts the status once.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../net.h"

/* LIMIT: the largest page the API gives; MAX_PAGES: pages of a stream in one run (the next
   run goes on from the cursor); MAX_CHARS: a status's length (sm_textlen_mastodon) */
enum { LIMIT = 40, MAX_PAGES = 50, MAX_CHARS = 500 };
/* MEDIA_WAIT: seconds to wait for the server to process an upload before the send is left
   for a later attempt */
enum { MEDIA_WAIT = 60 };

enum { T_MENTIONS, T_HOME, T_LIST, T_HASHTAG, T_SEARCH, T_CONVERSATIONS, NTYPES };
static const struct {
	const char *name; /* the fetch value, or what comes before its ':' */
	int arg;          /* takes an argument after ':' */
	const char *path, *params, *kind;
} types[NTYPES] = {
	[T_MENTIONS] = {"mentions", 0, "/api/v1/notifications", "types%5B%5D=mention&", "mention"},
	[T_HOME] = {"home", 0, "/api/v1/timelines/home", "", "post"},
	[T_LIST] = {"list", 1, "/api/v1/timelines/list/", "", "post"},
	[T_HASHTAG] = {"hashtag", 1, "/api/v1/timelines/tag/", "", "post"},
	[T_SEARCH] = {"search", 1, "/api/v2/search", "type=statuses&q=", "post"},
	[T_CONVERSATIONS] = {"conversations", 0, "/api/v1/conversations", "", "direct"},
};

/* The server and the account: what fetching and sending both need. */
typedef struct {
	char *base; /* the server's URL without a trailing slash */
	char *host; /* its host name: the domain of local accounts */
	char *token;
	char *auth; /* "Authorization: Bearer TOKEN" */
} conn;

typedef struct mastodon mastodon;

/* One fetch value: a cursor source, paged on its own. */
typedef struct {
	mastodon *m;
	const char *name; /* the fetch value, also the cursor's source */
	int type;
	char *query;      /* the URL up to the paging parameter, ending in '&' */
	char *cursor;     /* the highest id stored, NULL before the first run */
	int first, pages, busy;
	char *url;
	sm_http_req req;
} stream;

struct mastodon {
	sm_chan *c;
	conn k;
	const char *headers[3];
	stream *st;
	size_t n;
};

/* One status of a page, and the id the page is ordered by. */
typedef struct {
	const char *pid;
	json_t *status, *booster;
} entry;

/* Ids are numbers of any length (or fixed-length strings in some forks): longer is newer. */
static int id_cmp(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	return na != nb ? (na < nb ? -1 : 1) : strcmp(a, b);
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int word_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_';
}

static void add_escaped(sm_buf *b, const char *s)
{
	for (const char *p = s; *p; p++)
		if (word_char(*p) || *p == '-' || *p == '.' || *p == '~')
			sm_buf_addc(b, *p);
		else
			sm_buf_printf(b, "%%%02X", (unsigned char)*p);
}

/* --- the server and its token ------------------------------------------------------------ */

static int conn_open(sm_config *cfg, const char *dir, const char *name, conn *k)
{
	const char *url = sm_config_get_sub(cfg, "channel", name, "url");
	memset(k, 0, sizeof *k);
	if (!url || (strncmp(url, "https://", 8) && strncmp(url, "http://", 7)))
		return sm_error_code(SM_EX_CONFIG, "channel '%s': a mastodon channel needs the "
				     "server's url (https://...)", name);
	const char *h = strstr(url, "://") + 3;
	size_t hn = strcspn(h, ":/?#@");
	if (hn == 0 || strpbrk(h, "?#@"))
		return sm_error_code(SM_EX_CONFIG, "channel '%s': url '%s' is not the address of "
				     "a server", name, url);
	if (sm_secret(cfg, dir, "channel", name, &k->token) < 0)
		return -1;
	size_t n = strlen(url);
	while (n && url[n - 1] == '/')
		n--;
	k->base = sm_strndup(url, n);
	k->host = sm_strndup(h, hn);
	for (char *p = k->host; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	k->auth = sm_asprintf("Authorization: Bearer %s", k->token);
	return 0;
}

static void conn_close(conn *k)
{
	if (k->token)
		explicit_bzero(k->token, strlen(k->token));
	if (k->auth)
		explicit_bzero(k->auth, strlen(k->auth));
	free(k->token);
	free(k->auth);
	free(k->base);
	free(k->host);
	memset(k, 0, sizeof *k);
}

/* "HTTP 422: Validation failed: ..." - the status line and what the server said of it. */
static void server_error(sm_http_req *req, char *out, size_t size)
{
	json_t *doc = req->body_in.len ? json_loadb(req->body_in.s, req->body_in.len, 0, NULL) : NULL;
	const char *e = str(doc, "error"), *d = str(doc, "error_description");
	if (e && d && strcmp(e, d) != 0)
		snprintf(out, size, "%s: %s (%s)", req->error, e, d);
	else if (e)
		snprintf(out, size, "%s: %s", req->error, e);
	else
		snprintf(out, size, "%s", req->error);
	json_decref(doc);
}

/* --- config ------------------------------------------------------------------------------ */

/* The type of a fetch value and its argument (or NULL); -1 if it has none. */
static int stream_type(const char *v, const char **arg)
{
	for (int i = 0; i < NTYPES; i++) {
		size_t n = strlen(types[i].name);
		if (strncmp(v, types[i].name, n) != 0)
			continue;
		*arg = NULL;
		if (!types[i].arg && !v[n])
			return i;
		if (types[i].arg && v[n] == ':') {
			*arg = v + n + 1 + (i == T_HASHTAG && v[n + 1] == '#');
			return **arg ? i : -1;
		}
	}
	return -1;
}

static int check(sm_chan *c)
{
	size_t n;
	const char *arg;
	const char *const *v = sm_config_get_all_sub(c->run->cfg, "channel", c->name, "fetch", &n);
	for (size_t i = 0; i < n; i++)
		if (stream_type(v[i], &arg) < 0)
			return sm_error_code(SM_EX_CONFIG, "channel '%s': unknown fetch '%s' (mentions, "
					     "home, list:ID, hashtag:TAG, search:QUERY, "
					     "conversations)", c->name, v[i]);
	mastodon *m = sm_calloc(1, sizeof *m);
	m->c = c;
	c->state = m;
	return conn_open(c->run->cfg, c->run->ws->dir, c->name, &m->k);
}

/* --- item records ------------------------------------------------------------------------ */

/* The thread and kind of a stored item; the open transaction shows this page's too. */
static void stored(mastodon *m, const char *id, char **thread, char **kind)
{
	json_t *rec = sm_store_item(m->c->run->st, id);
	const char *t = json_string_value(json_object_get(rec, "thread"));
	const char *k = json_string_value(json_object_get(rec, "kind"));
	*thread = t ? sm_strdup(t) : NULL;
	*kind = k ? sm_strdup(k) : NULL;
	json_decref(rec);
}

static int kind_rank(const char *kind)
{
	return !kind ? -1 : !strcmp(kind, "direct") ? 2 : !strcmp(kind, "mention") ? 1 : 0;
}

/* The kind a stream gives, unless the status is direct or was stored as more than that:
   the same status met in home and in mentions stays a mention. */
static const char *kind_of(stream *s, json_t *st, const char *id)
{
	char *thread, *kind;
	const char *k = types[s->type].kind, *vis = str(st, "visibility");
	if (vis && strcmp(vis, "direct") == 0)
		return "direct";
	stored(s->m, id, &thread, &kind);
	if (kind_rank(kind) > kind_rank(k))
		k = kind_rank(kind) == 2 ? "direct" : "mention";
	free(thread);
	free(kind);
	return k;
}

/* in_reply_to, and thread: the replied item's thread if stored, else the replied item. */
static void threading(stream *s, json_t *it, json_t *st, const char *id)
{
	const char *irt = str(st, "in_reply_to_id");
	if (!irt || !*irt) {
		json_object_set_new(it, "thread", json_string(id));
		return;
	}
	char *parent = sm_asprintf("%s:%s", s->m->c->name, irt), *thread, *kind;
	stored(s->m, parent, &thread, &kind);
	json_object_set_new(it, "thread", json_string(thread ? thread : parent));
	json_object_set_new(it, "in_reply_to", json_string(parent));
	free(parent);
	free(thread);
	free(kind);
}

/* {id "mastodon:ACCT@HOST", handle "@ACCT", name, url} */
static json_t *author(const conn *k, json_t *acc)
{
	const char *acct = str(acc, "acct"), *name = str(acc, "display_name");
	if (!acct || !*acct)
		return NULL;
	if (!name || !*name)
		name = str(acc, "username");
	char *aid = strchr(acct, '@') ? sm_asprintf("mastodon:%s", acct)
				      : sm_asprintf("mastodon:%s@%s", acct, k->host);
	char *handle = sm_asprintf("@%s", acct);
	json_t *a = json_pack("{s:s, s:s}", "id", aid, "handle", handle);
	if (name)
		json_object_set_new(a, "name", json_string(name));
	if (str(acc, "url"))
		json_object_set_new(a, "url", json_string(str(acc, "url")));
	free(aid);
	free(handle);
	return a;
}

static void set_time(json_t *it, const char *key, const char *value, const char *dflt)
{
	time_t t;
	char buf[SM_TIME_LEN];
	if (value && sm_date_parse(value, &t) == 0)
		json_object_set_new(it, key, json_string(sm_time_format(t, buf)));
	else if (dflt)
		json_object_set_new(it, key, json_string(dflt));
}

/* The values of one member of each object of an array: mentions' acct, tags' name. */
static void pluck(json_t *it, const char *key, json_t *arr, const char *member)
{
	size_t i;
	json_t *e, *out = json_array();
	json_array_foreach(arr, i, e)
		if (str(e, member))
			json_array_append_new(out, json_string(str(e, member)));
	if (json_array_size(out))
		json_object_set_new(it, key, out);
	else
		json_decref(out);
}

static void media(json_t *it, json_t *arr)
{
	size_t i;
	json_t *e, *out = json_array();
	json_array_foreach(arr, i, e) {
		const char *url = str(e, "url") ? str(e, "url") : str(e, "remote_url");
		json_t *m = json_object();
		if (url)
			json_object_set_new(m, "url", json_string(url));
		if (str(e, "type"))
			json_object_set_new(m, "type", json_string(str(e, "type")));
		if (str(e, "description"))
			json_object_set_new(m, "description", json_string(str(e, "description")));
		json_array_append_new(out, m);
	}
	if (json_array_size(out))
		json_object_set_new(it, "media", out);
	else
		json_decref(out);
}

static json_int_t count(json_t *st, const char *key)
{
	return json_integer_value(json_object_get(st, key));
}

/* author, text, lang, times, metrics */
static void content(stream *s, json_t *it, json_t *st)
{
	sm_chan *c = s->m->c;
	json_t *a = author(&s->m->k, json_object_get(st, "account"));
	const char *html = str(st, "content") ? str(st, "content") : "";
	if (a)
		json_object_set_new(it, "author", a);
	char *text = sm_html_to_text(html, strlen(html));
	json_object_set_new(it, "text", json_string(text));
	free(text);
	if (str(st, "language"))
		json_object_set_new(it, "lang", json_string(str(st, "language")));
	set_time(it, "created_at", str(st, "created_at"), c->run->now);
	set_time(it, "updated_at", str(st, "edited_at"), NULL);
	json_object_set_new(it, "fetched_at", json_string(c->run->now));
	json_object_set_new(it, "metrics", json_pack("{s:I, s:I, s:I}",
		"likes", count(st, "favourites_count"), "reposts", count(st, "reblogs_count"),
		"replies", count(st, "replies_count")));
}

/* What Mastodon has and the item record does not: documented in sm-item(5). */
static void extras(stream *s, json_t *it, json_t *st, json_t *booster)
{
	const char *cw = str(st, "spoiler_text");
	if (str(st, "visibility"))
		json_object_set_new(it, "visibility", json_string(str(st, "visibility")));
	pluck(it, "mentions", json_object_get(st, "mentions"), "acct");
	pluck(it, "hashtags", json_object_get(st, "tags"), "name");
	media(it, json_object_get(st, "media_attachments"));
	if (cw && *cw)
		json_object_set_new(it, "spoiler_text", json_string(cw));
	json_t *by = booster ? author(&s->m->k, booster) : NULL;
	if (by)
		json_object_set_new(it, "reposted_by", by);
}

static json_t *record(stream *s, const entry *e)
{
	sm_chan *c = s->m->c;
	json_t *st = e->status, *it = json_object();
	const char *ext = str(st, "id");
	char *id = sm_asprintf("%s:%s", c->name, ext);

	json_object_set_new(it, "id", json_string(id));
	json_object_set_new(it, "channel", json_string(c->name));
	json_object_set_new(it, "network", json_string("mastodon"));
	json_object_set_new(it, "kind", json_string(kind_of(s, st, id)));
	json_object_set_new(it, "ext_id", json_string(ext));
	if (str(st, "url") || str(st, "uri"))
		json_object_set_new(it, "url", json_string(str(st, "url") ? str(st, "url") : str(st, "uri")));
	threading(s, it, st, id);
	content(s, it, st);
	extras(s, it, st, e->booster);
	free(id);
	return it;
}

/* --- pages ------------------------------------------------------------------------------- */

static void request(stream *s, const char *min_id);

static void failed(stream *s, sm_http_req *req)
{
	sm_chan *c = s->m->c;
	char why[512];
	server_error(req, why, sizeof why);
	char *safe = sm_redact(why); /* a server may echo what it was sent */
	sm_store_note_error(c->run->st, c->name, s->name, safe);
	sm_chan_fail(c, req->temporary, "%s: %s", s->name, safe);
	free(safe);
}

static int entry_cmp(const void *a, const void *b)
{
	return id_cmp(((const entry *)a)->pid, ((const entry *)b)->pid);
}

/* The statuses of a page, oldest first; *top is the highest paging id, skipped ones too. */
static entry *entries(stream *s, json_t *list, size_t *n, const char **top)
{
	size_t i;
	json_t *el;
	entry *e = sm_calloc(json_array_size(list) + 1, sizeof *e);
	*n = 0;
	*top = NULL;
	json_array_foreach(list, i, el) {
		entry x = {str(el, "id"), el, NULL};
		if (s->type == T_MENTIONS) {
			const char *t = str(el, "type");
			x.status = t && !strcmp(t, "mention") ? json_object_get(el, "status") : NULL;
		} else if (s->type == T_CONVERSATIONS) {
			x.status = json_object_get(el, "last_status");
			x.pid = str(x.status, "id"); /* conversations are paged by their last status */
		} else if (json_is_object(json_object_get(el, "reblog"))) {
			x.booster = json_object_get(el, "account");
			x.status = json_object_get(el, "reblog");
		}
		if (!x.pid)
			continue;
		if (!*top || id_cmp(x.pid, *top) > 0)
			*top = x.pid;
		if (json_is_object(x.status) && str(x.status, "id"))
			e[(*n)++] = x;
	}
	qsort(e, *n, sizeof *e, entry_cmp);
	return e;
}

/* The URL of a Link header's relation rel, or NULL; malloc'd. */
static char *link_rel(const char *link, const char *rel)
{
	char *want = sm_asprintf("rel=\"%s\"", rel), *url = NULL;
	for (const char *p = link; p && !url && (p = strchr(p, '<'));) {
		const char *gt = strchr(p, '>');
		if (!gt)
			break;
		const char *end = strchr(gt, '<');
		char *params = sm_strndup(gt, end ? (size_t)(end - gt) : strlen(gt));
		if (strstr(params, want))
			url = sm_strndup(p + 1, (size_t)(gt - p - 1));
		free(params);
		p = end;
	}
	free(want);
	return url;
}

/* The newer end of a page as the server's Link rel="prev" gives it (min_id, or since_id
   on old servers): above ids the page filtered out too. */
static char *link_min_id(const char *link)
{
	char *url = link ? link_rel(link, "prev") : NULL, *id = NULL;
	const char *q = url ? strchr(url, '?') : NULL;
	for (const char *p = q; p && !id; p = strchr(p + 1, '&'))
		if (!strncmp(p + 1, "min_id=", 7) || !strncmp(p + 1, "since_id=", 9)) {
			const char *v = strchr(p, '=') + 1;
			id = sm_strndup(v, strcspn(v, "&#"));
		}
	free(url);
	if (id && !*id) {
		free(id);
		id = NULL;
	}
	return id;
}

static int put(stream *s, const entry *e, sm_buf *out)
{
	sm_chan *c = s->m->c;
	sm_item_row row;
	json_t *it = record(s, e);
	int rc = sm_item_flatten(it, &row);
	if (rc < 0) {
		sm_chan_fail(c, 0, "%s: status %s: %s", s->name, str(e->status, "id"), sm_errmsg());
		sm_store_rollback(c->run->st);
	} else
		rc = sm_chan_put(c, &row, out);
	sm_item_row_free(&row);
	json_decref(it);
	return rc;
}

/* A page's items and the stream's cursor, in one transaction. */
static int store(stream *s, const entry *e, size_t n, const char *cursor)
{
	sm_chan *c = s->m->c;
	sm_cursor cur = {NULL, NULL, (char *)cursor};
	sm_buf out = {0};
	int rc = sm_chan_begin(c);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = put(s, &e[i], &out);
	if (rc == 0 && sm_store_cursor_set(c->run->st, c->name, s->name, &cur) < 0) {
		sm_chan_fail(c, 1, "%s: %s", s->name, sm_errmsg());
		sm_store_rollback(c->run->st);
		rc = -1;
	}
	if (rc == 0)
		rc = sm_chan_commit(c, &out);
	sm_buf_free(&out);
	return rc;
}

/* Whether to ask for the page above: not on a first run (the newest page only), not when
   this one was empty or moved nothing; without a Link prev (search, some other servers),
   only when this page was full. */
static int more(stream *s, size_t len, int advanced, const char *prev)
{
	if (s->first || len == 0 || !advanced || (!prev && len < LIMIT))
		return 0;
	if (++s->pages < MAX_PAGES)
		return 1;
	sm_chan_warn(s->m->c, "%s: stopped after %d pages; the next run goes on", s->name, MAX_PAGES);
	return 0;
}

/* Store a page; the min_id of the next page to ask for, or NULL when done. */
static char *page(stream *s, sm_http_req *req)
{
	json_t *doc = json_loadb(req->body_in.s ? req->body_in.s : "", req->body_in.len, 0, NULL);
	json_t *list = s->type == T_SEARCH ? json_object_get(doc, "statuses") : doc;
	char *prev = link_min_id(sm_http_header(req, "Link")), *next = NULL;
	const char *top;
	size_t n;

	if (!json_is_array(list)) {
		sm_store_note_error(s->m->c->run->st, s->m->c->name, s->name, "not a list of statuses");
		sm_chan_fail(s->m->c, 0, "%s: %s: the answer is not a list of statuses", s->name, req->url);
		json_decref(doc);
		free(prev);
		return NULL;
	}
	entry *e = entries(s, list, &n, &top);
	if (prev && (!top || id_cmp(prev, top) > 0))
		top = prev;
	int advanced = top && (!s->cursor || id_cmp(top, s->cursor) > 0);
	if (store(s, e, n, advanced ? top : s->cursor) == 0 && advanced) {
		free(s->cursor);
		s->cursor = sm_strdup(top);
		if (more(s, json_array_size(list), advanced, prev))
			next = sm_strdup(s->cursor);
	}
	free(e);
	free(prev);
	json_decref(doc);
	return next;
}

static void done(sm_http_req *req)
{
	stream *s = req->data;
	char *next = NULL;
	s->busy = 0;
	if (req->failed)
		failed(s, req);
	else
		next = page(s, req);
	sm_http_req_free(req);
	if (next)
		request(s, next);
	free(next);
}

/* Ask for the page just above min_id, or the newest page when it is NULL. */
static void request(stream *s, const char *min_id)
{
	sm_chan *c = s->m->c;
	sm_buf b = {0};
	sm_buf_adds(&b, s->query);
	if (min_id) {
		sm_buf_adds(&b, "min_id=");
		add_escaped(&b, min_id);
	} else
		b.s[--b.len] = 0; /* the '&' */
	free(s->url);
	s->url = sm_buf_detach(&b);
	memset(&s->req, 0, sizeof s->req);
	s->req.url = s->url;
	s->req.headers = s->m->headers;
	s->req.done = done;
	s->req.data = s;
	if (sm_http_add(c->run->http, &s->req) < 0)
		sm_chan_fail(c, 0, "%s: %s", s->name, sm_errmsg());
	else
		s->busy = 1;
}

static char *query_url(const conn *k, int type, const char *arg)
{
	sm_buf b = {0};
	sm_buf_printf(&b, "%s%s", k->base, types[type].path);
	if (type == T_LIST || type == T_HASHTAG)
		add_escaped(&b, arg);
	sm_buf_printf(&b, "?%s", types[type].params);
	if (type == T_SEARCH) {
		add_escaped(&b, arg);
		sm_buf_addc(&b, '&');
	}
	sm_buf_printf(&b, "limit=%d&", LIMIT);
	return sm_buf_detach(&b);
}

static int start_stream(mastodon *m, const char *value)
{
	sm_chan *c = m->c;
	const char *arg;
	sm_cursor cur;
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->st[i].name, value) == 0)
			return 0; /* given twice: one stream */
	if (sm_store_cursor_get(c->run->st, c->name, value, &cur) < 0)
		return -1;
	stream *s = &m->st[m->n++];
	s->m = m;
	s->name = value;
	s->type = stream_type(value, &arg);
	s->query = query_url(&m->k, s->type, arg);
	s->cursor = cur.cursor;
	s->first = !s->cursor;
	cur.cursor = NULL;
	sm_cursor_free(&cur);
	request(s, s->cursor);
	return 0;
}

static int start(sm_chan *c)
{
	static const char *const dflt[] = {"mentions", NULL};
	mastodon *m = c->state;
	size_t n;
	const char *const *v = sm_config_get_all_sub(c->run->cfg, "channel", c->name, "fetch", &n);
	if (n == 0) {
		v = dflt;
		n = 1;
	}
	m->headers[0] = m->k.auth;
	m->headers[1] = "Accept: application/json";
	m->st = sm_calloc(n, sizeof *m->st);
	for (size_t i = 0; i < n; i++)
		if (start_stream(m, v[i]) < 0)
			return -1;
	return 0;
}

static int busy(sm_chan *c)
{
	mastodon *m = c->state;
	for (size_t i = 0; m && i < m->n; i++)
		if (m->st[i].busy)
			return 1;
	return 0;
}

static void mastodon_free(sm_chan *c)
{
	mastodon *m = c->state;
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		sm_http_req_free(&m->st[i].req);
		free(m->st[i].url);
		free(m->st[i].query);
		free(m->st[i].cursor);
	}
	free(m->st);
	conn_close(&m->k);
	free(m);
	c->state = NULL;
}

/* --- sending ----------------------------------------------------------------------------- */

/* What a reply answers; id NULL for a new post. */
typedef struct {
	char *id, *acct, *visibility;
} target;

static int domain_char(char ch) { return word_char(ch) || ch == '-' || ch == '.'; }

/* The end of a domain after '@': a dot that ends the sentence is not part of it. */
static const char *domain_end(const char *p)
{
	while (domain_char(*p) && !(*p == '.' && !word_char(p[1])))
		p++;
	return p;
}

/* Whether text mentions acct already (as @acct, or @acct@host for a local one). */
static int mentions(const char *text, const char *acct, const char *host)
{
	size_t n = strlen(acct), hn = strlen(host);
	for (const char *p = strchr(text, '@'); p; p = strchr(p + 1, '@')) {
		if ((p > text && (word_char(p[-1]) || p[-1] == '@')) || strncasecmp(p + 1, acct, n))
			continue;
		const char *q = p + 1 + n;
		if (*q == '@' && !strchr(acct, '@') && !strncasecmp(q + 1, host, hn))
			q += 1 + hn;
		if (domain_end(q) == q && *q != '@')
			return 1;
	}
	return 0;
}

static void sent_fail(sm_sent *r, int temporary, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void sent_fail(sm_sent *r, int temporary, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof r->error, fmt, ap);
	va_end(ap);
	r->failed = 1;
	r->temporary = temporary;
}

/* GET base + path; the answer as JSON, or NULL (with the request's error in req). */
static json_t *get_json(sm_sender *s, const conn *k, const char *path, sm_http_req *req)
{
	const char *hdrs[] = {k->auth, "Accept: application/json", NULL};
	char *url = sm_asprintf("%s%s", k->base, path);
	json_t *doc = NULL;
	memset(req, 0, sizeof *req);
	req->url = url;
	req->headers = hdrs;
	if (sm_http_add(s->http, req) < 0)
		snprintf(req->error, sizeof req->error, "%s", sm_errmsg());
	else {
		sm_http_run(s->http);
		if (!req->failed)
			doc = json_loadb(req->body_in.s ? req->body_in.s : "", req->body_in.len, 0, NULL);
	}
	req->url = NULL;
	req->headers = NULL;
	free(url);
	return doc;
}

/* Whether acct is the account that sends: a reply to oneself mentions no one. Unknown
   (0) when the server does not say; the post then tells of any problem with the token.
   An acct with a domain is another server's account, never ours: no request, which
   would count against the rate limit a burst of replies needs. */
static int is_self(sm_sender *s, const conn *k, const char *acct)
{
	sm_http_req req;
	if (strchr(acct, '@'))
		return 0;
	json_t *me = get_json(s, k, "/api/v1/accounts/verify_credentials", &req);
	const char *mine = str(me, "acct");
	int self = mine && strcasecmp(mine, acct) == 0;
	json_decref(me);
	sm_http_req_free(&req);
	return self;
}

/* Ask the server for the replied status's author and visibility. */
static void ask_status(sm_sender *s, const conn *k, target *t, sm_sent *r)
{
	sm_buf path = {0};
	sm_http_req req;
	sm_buf_adds(&path, "/api/v1/statuses/");
	add_escaped(&path, t->id);
	json_t *st = get_json(s, k, path.s, &req);
	const char *acct = str(json_object_get(st, "account"), "acct"), *vis = str(st, "visibility");
	char why[400];
	if (acct && vis) {
		t->acct = sm_strdup(acct);
		t->visibility = sm_strdup(vis);
	} else {
		if (req.failed || !req.status)
			server_error(&req, why, sizeof why);
		sent_fail(r, req.failed || !req.status ? req.temporary : 1, "the replied status %s: %s",
			  t->id, req.failed || !req.status ? why : "the answer is not a status");
	}
	json_decref(st);
	sm_http_req_free(&req);
	sm_buf_free(&path);
}

/* What the post replies to: a reply in this channel (from the replied item's record, else
   asked of the server); an item of another channel is answered with a new post. */
static void target_of(sm_sender *s, const conn *k, const sm_post *p, target *t, sm_sent *r)
{
	size_t n = strlen(s->name);
	memset(t, 0, sizeof *t);
	if (!p->reply_to || strncmp(p->reply_to, s->name, n) || p->reply_to[n] != ':' ||
	    !p->reply_to[n + 1])
		return;
	t->id = sm_strdup(p->reply_to + n + 1);
	const char *h = str(json_object_get(p->reply_item, "author"), "handle");
	const char *vis = str(p->reply_item, "visibility");
	if (h && h[0] == '@' && h[1] && vis) {
		t->acct = sm_strdup(h + 1);
		t->visibility = sm_strdup(vis);
	} else
		ask_status(s, k, t, r);
}

static void result(sm_http_req *req, sm_sent *r)
{
	if (req->failed) {
		server_error(req, r->error, sizeof r->error);
		r->failed = 1;
		r->temporary = req->temporary;
		return;
	}
	json_t *st = json_loadb(req->body_in.s ? req->body_in.s : "", req->body_in.len, 0, NULL);
	const char *id = str(st, "id"), *url = str(st, "url") ? str(st, "url") : str(st, "uri");
	if (id) {
		r->ext_id = sm_strdup(id);
		r->url = url ? sm_strdup(url) : NULL;
	} else /* it may have been posted: sending again with the key is safe */
		sent_fail(r, 1, "HTTP %ld: the answer is not a status", req->status);
	json_decref(st);
}

/* How private a visibility is: public 0, unlisted 1, private 2, direct 3 (unknown: 3). */
static int privacy(const char *v)
{
	static const char *const order[] = {"public", "unlisted", "private", "direct"};
	for (int i = 0; i < 4; i++)
		if (!strcmp(v, order[i]))
			return i;
	return 3;
}

/* The visibility of the post: the one asked for (the channel's), but a reply never more
   public than the status it answers (a reply to a direct message stays direct). */
static const char *visibility(const sm_post *p, const target *t)
{
	if (!p->visibility)
		return t->visibility ? t->visibility : "public";
	if (t->visibility && privacy(t->visibility) > privacy(p->visibility))
		return t->visibility;
	return p->visibility;
}

/* --- media ------------------------------------------------------------------------------- */

static void upload_fail(sm_sent *r, const sm_post_media *m, sm_http_req *req, const char *what)
{
	char why[400];
	if (req->failed)
		server_error(req, why, sizeof why);
	else
		snprintf(why, sizeof why, "HTTP %ld: %s", req->status, what);
	sent_fail(r, req->failed ? req->temporary : 1, "media '%s': %s", m->path ? m->path : m->name, why);
}

/* An upload the server is still processing: ask for it until it has a url (200 and a url;
   206 while processing), waiting longer each time, MEDIA_WAIT seconds at most. */
static int processed(sm_sender *s, const conn *k, const sm_post_media *m, const char *id, sm_sent *r)
{
	sm_buf path = {0};
	double waited = 0, wait = 0.25;
	int rc = -1;
	sm_buf_adds(&path, "/api/v1/media/");
	add_escaped(&path, id);
	for (;;) {
		sm_http_req req;
		struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
		nanosleep(&ts, NULL);
		waited += wait;
		json_t *a = get_json(s, k, path.s, &req);
		int done = !req.failed && req.status == 200 && str(a, "url");
		if (req.failed || (req.status != 200 && req.status != 206))
			upload_fail(r, m, &req, "the answer is not an attachment");
		else if (!done && waited >= MEDIA_WAIT)
			sent_fail(r, 1, "media '%s': the server is still processing it after %ds",
				  m->path ? m->path : m->name, MEDIA_WAIT);
		json_decref(a);
		sm_http_req_free(&req);
		if (done)
			rc = 0;
		if (done || r->failed)
			break;
		wait = wait * 2 > 4 ? 4 : wait * 2;
	}
	sm_buf_free(&path);
	return rc;
}

/* Upload one medium with its description; the attachment's id (malloc'd), or NULL with r
   failed. A 202 means the server processes it still: it is waited for. */
static char *upload(sm_sender *s, const conn *k, const sm_post_media *m, sm_sent *r)
{
	char boundary[48], *id = NULL;
	sm_buf body = {0};
	const char *alt = m->alt ? m->alt : "";
	sm_form_boundary(m->data, m->len, alt, boundary);
	sm_form_part(&body, boundary, "file", m->name, m->mime, m->data, m->len);
	if (*alt)
		sm_form_part(&body, boundary, "description", NULL, NULL, alt, strlen(alt));
	sm_form_end(&body, boundary);
	char *url = sm_asprintf("%s/api/v2/media", k->base);
	char *ctype = sm_asprintf("Content-Type: multipart/form-data; boundary=%s", boundary);
	/* no "Expect: 100-continue": the body goes at once */
	const char *hdrs[] = {k->auth, "Accept: application/json", ctype, "Expect:", NULL};
	/* sent again after a passing failure: an upload that got through is only orphaned */
	sm_http_req req = {.url = url, .body = body.s, .body_len = body.len, .headers = hdrs,
			   .idempotent = 1};
	if (sm_http_add(s->http, &req) < 0)
		sent_fail(r, 0, "media '%s': %s", m->path ? m->path : m->name, sm_errmsg());
	else {
		sm_http_run(s->http);
		json_t *a = req.failed ? NULL : json_loadb(req.body_in.s ? req.body_in.s : "", req.body_in.len, 0, NULL);
		if (!str(a, "id"))
			upload_fail(r, m, &req, "the answer is not an attachment");
		else if (req.status == 200 && str(a, "url"))
			id = sm_strdup(str(a, "id"));
		else if (processed(s, k, m, str(a, "id"), r) == 0)
			id = sm_strdup(str(a, "id"));
		json_decref(a);
	}
	sm_http_req_free(&req);
	sm_buf_free(&body);
	free(url);
	free(ctype);
	return id;
}

/* The status's media_ids: each medium uploaded (a dry run names the uploads it would make,
   each id shown as "<media N>"). 0, or -1 with r failed. */
static int upload_all(sm_sender *s, const conn *k, const sm_post *p, json_t *ids, sm_sent *r)
{
	for (size_t i = 0; i < p->nmedia; i++) {
		const sm_post_media *m = &p->media[i];
		char *id;
		if (p->dry_run) {
			char *url = sm_asprintf("%s/api/v2/media", k->base), *ph = sm_asprintf("<media %zu>", i + 1);
			sm_sent_preview_upload(r, "POST", url, m);
			json_array_append_new(ids, json_string(ph));
			free(url);
			free(ph);
		} else if ((id = upload(s, k, m, r))) {
			json_array_append_new(ids, json_string(id));
			free(id);
		} else
			return -1;
	}
	return 0;
}

static int post(sm_sender *s, const conn *k, const sm_post *p, const target *t, const char *text,
		sm_sent *r)
{
	json_t *ids = json_array();
	if (upload_all(s, k, p, ids, r) < 0) {
		json_decref(ids);
		return 0;
	}
	json_t *b = json_pack("{s:s, s:s}", "status", text, "visibility", visibility(p, t));
	if (json_array_size(ids))
		json_object_set(b, "media_ids", ids);
	json_decref(ids);
	if (t->id)
		json_object_set_new(b, "in_reply_to_id", json_string(t->id));
	if (p->lang)
		json_object_set_new(b, "language", json_string(p->lang));
	char *body = json_dumps(b, JSON_COMPACT), *url = sm_asprintf("%s/api/v1/statuses", k->base);
	char *key = sm_asprintf("Idempotency-Key: %s", p->key);
	const char *hdrs[] = {k->auth, "Accept: application/json",
			      "Content-Type: application/json; charset=utf-8", key, NULL};
	sm_http_req req = {.url = url, .body = body, .body_len = strlen(body), .headers = hdrs,
			   .idempotent = 1};
	if (p->dry_run) {
		sm_sent_preview(r, "POST", url, body, strlen(body));
		json_decref(b);
		free(body);
		free(url);
		free(key);
		return 0;
	}
	int rc = sm_http_add(s->http, &req);
	if (rc == 0) {
		sm_http_run(s->http);
		result(&req, r);
	}
	sm_http_req_free(&req);
	json_decref(b);
	free(body);
	free(url);
	free(key);
	return rc;
}

/* Problems of ours, before anything is sent: -1 with a message. */
static int check_post(sm_sender *s, const sm_post *p, long *max)
{
	char *key = sm_asprintf("channel.%s.max-chars", s->name);
	int rc = sm_config_int(s->cfg, key, MAX_CHARS, max);
	free(key);
	if (rc < 0)
		return -1;
	if (!p->key || !*p->key)
		return sm_error_code(SM_EX_USAGE, "channel '%s': a mastodon post needs a key (its "
				     "Idempotency-Key), so that it is never posted twice", s->name);
	for (const char *q = p->key; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			return sm_error_code(SM_EX_DATAERR, "channel '%s': the key holds a control "
					     "character", s->name);
	if (!p->text || !sm_utf8_valid(p->text, strlen(p->text), NULL))
		return sm_error_code(SM_EX_DATAERR, "channel '%s': the text is not UTF-8", s->name);
	for (size_t i = 0; i < p->nmedia; i++)
		if (p->media[i].alt && !sm_utf8_valid(p->media[i].alt, strlen(p->media[i].alt), NULL))
			return sm_error_code(SM_EX_DATAERR, "channel '%s': the alt text of '%s' is not UTF-8",
					     s->name, p->media[i].name);
	return 0;
}

/* The text as sent: a reply mentions the replied author (but not oneself), as Mastodon's
   clients do. */
static int compose(sm_sender *s, const sm_post *p, const conn *k, const target *t, long max,
		   char **text, sm_sent *r)
{
	if (!p->text[strspn(p->text, " \t\r\n")] && !p->nmedia) {
		sent_fail(r, 0, "the text is empty");
		return -1;
	}
	sm_media_limits ml;
	if (p->nmedia && sm_media_limits_of("mastodon", &ml) && ml.files && p->nmedia > (size_t)ml.files) {
		sent_fail(r, 0, "the post has %zu media files; a Mastodon status takes at most %d",
			  p->nmedia, ml.files);
		return -1;
	}
	*text = t->acct && !mentions(p->text, t->acct, k->host) && !is_self(s, k, t->acct)
			? sm_asprintf("@%s %s", t->acct, p->text) : sm_strdup(p->text);
	size_t n = sm_textlen_mastodon(*text);
	if ((long)n > max) {
		sent_fail(r, 0, "the text has %zu characters, more than the server's %ld", n, max);
		return -1;
	}
	return 0;
}

static int send_post(sm_sender *s, const sm_post *p, sm_sent *r)
{
	conn k;
	target t = {0};
	long max;
	char *text = NULL;
	int rc = 0;

	if (check_post(s, p, &max) < 0 || conn_open(s->cfg, s->ws->dir, s->name, &k) < 0)
		return -1;
	target_of(s, &k, p, &t, r);
	if (!r->failed && compose(s, p, &k, &t, max, &text, r) == 0)
		rc = post(s, &k, p, &t, text, r);
	free(text);
	free(t.id);
	free(t.acct);
	free(t.visibility);
	conn_close(&k);
	return rc;
}

const sm_adapter sm_adapter_mastodon = {
	.kind = "mastodon", .check = check, .start = start, .busy = busy,
	.free = mastodon_free, .send = send_post, .send_media = 1,
};
