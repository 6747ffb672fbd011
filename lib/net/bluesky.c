/*
 * net/bluesky.c - the bluesky channel: notifications (mentions, replies, quotes), searches
 * and author feeds over XRPC, a page at a time, each page stored with its stream's cursor in
 * one transaction; a session kept outside the store (WS/sessions/NAME.json, mode 0600);
 * posts and replies with rich-text facets and images (each uploaded as a blob first, then
 * embedded with its alt text), under a record key derived from the draft's key so that a
 * second try never makes a second post.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utf8proc.h>

#include "../net.h"

#define DEFAULT_PDS "https://bsky.social"
#define APP_URL "https://bsky.app"
#define CDN_URL "https://cdn.bsky.app/img/feed_fullsize/plain"
#define EPOCH "1970-01-01T00:00:00.000000Z"
#define POST_NSID "app.bsky.feed.post"

enum { S_NOTIF, S_SEARCH, S_AUTHOR };
/* Each kind of stream: its XRPC query, the name messages use, the list in its answer. */
static const struct {
	const char *query, *what, *list;
} api[] = {
	[S_NOTIF] = {"app.bsky.notification.listNotifications?limit=%ld"
		     "&reasons=mention&reasons=reply&reasons=quote", "listNotifications", "notifications"},
	[S_SEARCH] = {"app.bsky.feed.searchPosts?sort=latest&limit=%ld&q=", "searchPosts", "posts"},
	[S_AUTHOR] = {"app.bsky.feed.getAuthorFeed?limit=%ld&actor=", "getAuthorFeed", "feed"},
};
enum { CREATE, REFRESH };
enum { MAX_GRAPHEMES = 300, MAX_BYTES = 3000, MAX_TAG = 64 };

typedef struct bsky bsky;

/*
 * One fetch value. The API pages newest first, so a stream walks down from the top until it
 * meets what an earlier run saw: `seen` is the newest time stored in full, `top` the newest of
 * the walk under way and `next` the API's cursor to go on with. A walk cut short (max-pages,
 * a crash) is taken up from `next` by the next run; `seen` moves only when a walk ends.
 */
typedef struct {
	bsky *b;
	const char *name, *arg; /* the fetch value (the cursor's source) and its argument */
	int type;
	sm_http_req req;
	char *url, *seen, *top, *next;
	int resumed, pages, busy, waiting, renewed, gen;
} stream;

struct bsky {
	sm_chan *c; /* NULL when sending */
	sm_config *cfg;
	const char *name, *dir;
	sm_http *http;
	char *pds, *ident, *password, *path;
	char *access, *refresh, *did, *handle, *auth_hdr, *refresh_hdr;
	const char *get_hdrs[3], *post_hdrs[4], *json_hdrs[3], *refresh_hdrs[3];
	int gen; /* counts sessions: a stream refused with an older one just tries again */
	sm_http_req auth;
	char *auth_url, *auth_body;
	int auth_busy, auth_step, auth_failed, auth_temporary;
	char auth_error[600];
	long page_size, max_pages;
	int no_resolve; /* the PDS has no resolveHandle: mentions stay plain text */
	stream *s;
	size_t n;
};

/* The outcome of one XRPC call. */
typedef struct {
	json_t *json; /* the answer, when it is a JSON object and the call succeeded */
	int failed, temporary;
	char error[64]; /* the XRPC error name */
	char msg[600];  /* what went wrong, for people */
} xres;

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int same(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static void replace(char **p, const char *v)
{
	free(*p);
	*p = v ? sm_strdup(v) : NULL;
}

static void wipe(char **p)
{
	if (*p)
		explicit_bzero(*p, strlen(*p));
	free(*p);
	*p = NULL;
}

static const char *get(bsky *b, const char *key)
{
	return sm_config_get_sub(b->cfg, "channel", b->name, key);
}

static char *xrpc_url(bsky *b, const char *nsid)
{
	return sm_asprintf("%s/xrpc/%s", b->pds, nsid);
}

static void add_escaped(sm_buf *u, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p))
			sm_buf_addc(u, (char)*p);
		else
			sm_buf_printf(u, "%%%02X", *p);
}

/* Read a request's answer: the JSON object, or the network's error in words. */
static void xres_from(sm_http_req *req, const char *what, xres *x)
{
	json_t *j = req->body_in.len ? json_loadb(req->body_in.s, req->body_in.len, 0, NULL) : NULL;
	const char *name = str(j, "error"), *m = str(j, "message");

	memset(x, 0, sizeof *x);
	if (j && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	if (!req->failed && j) {
		x->json = j;
		return;
	}
	x->failed = 1;
	x->temporary = req->failed ? req->temporary : 1;
	snprintf(x->error, sizeof x->error, "%s", name ? name : "");
	if (!req->failed)
		snprintf(x->msg, sizeof x->msg, "%s: the answer is not a JSON object", what);
	else if (name)
		snprintf(x->msg, sizeof x->msg, "%s: %s: %s%s%s", what, req->error, name, m ? ": " : "",
			 m ? m : "");
	else
		snprintf(x->msg, sizeof x->msg, "%s: %s", what, req->error);
	json_decref(j);
}

static int token_error(const xres *x)
{
	return x->failed && (!strcmp(x->error, "ExpiredToken") || !strcmp(x->error, "InvalidToken"));
}

// --- configuration ----------------------------------------------------------------------

static int int_key(bsky *b, const char *key, long def, long lo, long hi, long *out)
{
	char *k = sm_asprintf("channel.%s.%s", b->name, key);
	int rc = sm_config_int(b->cfg, k, def, out);
	if (rc == 0 && (*out < lo || *out > hi))
		rc = sm_error_code(SM_EX_CONFIG, "channel '%s': %s must be from %ld to %ld", b->name,
				   key, lo, hi);
	free(k);
	return rc;
}

/* WS/sessions/NAME.json, the name's unusual bytes written as %XX. */
static char *session_path(const char *dir, const char *name)
{
	sm_buf p = {0};
	sm_buf_printf(&p, "%s/sessions/", dir);
	for (const unsigned char *s = (const unsigned char *)name; *s; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    *s == '-' || *s == '_' || (*s == '.' && s != (const unsigned char *)name))
			sm_buf_addc(&p, (char)*s);
		else
			sm_buf_printf(&p, "%%%02X", *s);
	sm_buf_adds(&p, ".json");
	return sm_buf_detach(&p);
}

static void set_headers(bsky *b)
{
	free(b->auth_hdr);
	free(b->refresh_hdr);
	b->auth_hdr = b->access ? sm_asprintf("Authorization: Bearer %s", b->access) : NULL;
	b->refresh_hdr = b->refresh ? sm_asprintf("Authorization: Bearer %s", b->refresh) : NULL;
	b->get_hdrs[0] = b->post_hdrs[0] = b->json_hdrs[0] = "Accept: application/json";
	b->refresh_hdrs[0] = "Accept: application/json";
	b->post_hdrs[1] = b->json_hdrs[1] = "Content-Type: application/json";
	b->get_hdrs[1] = b->post_hdrs[2] = b->auth_hdr;
	b->refresh_hdrs[1] = b->refresh_hdr;
}

/* What fetching and sending share: the PDS, the account, the app password. */
static int setup(bsky *b)
{
	const char *url = get(b, "url"), *id = get(b, "identifier");
	if (!url)
		url = DEFAULT_PDS;
	if (strncmp(url, "https://", 8) && strncmp(url, "http://", 7))
		return sm_error_code(SM_EX_CONFIG, "channel '%s': url '%s' is not http or https",
				     b->name, url);
	if (!id || !*id)
		return sm_error_code(SM_EX_CONFIG, "channel '%s': a bluesky channel needs an "
				     "identifier (a handle or DID)", b->name);
	b->pds = sm_strdup(url);
	for (size_t n = strlen(b->pds); n > 8 && b->pds[n - 1] == '/'; n--)
		b->pds[n - 1] = 0;
	b->ident = sm_strdup(id);
	if (int_key(b, "page-size", 50, 1, 100, &b->page_size) < 0 ||
	    int_key(b, "max-pages", 10, 1, 1000, &b->max_pages) < 0)
		return -1;
	b->path = session_path(b->dir, b->name);
	set_headers(b);
	return sm_secret(b->cfg, b->dir, "channel", b->name, &b->password);
}

static int stream_type(const char *v, int *type, const char **arg)
{
	if (strcmp(v, "notifications") == 0) {
		*type = S_NOTIF;
		*arg = NULL;
		return 0;
	}
	*type = strncmp(v, "search:", 7) == 0 ? S_SEARCH : strncmp(v, "author:", 7) == 0 ? S_AUTHOR : -1;
	*arg = v + 7;
	return *type >= 0 && **arg ? 0 : -1;
}

static int streams_setup(bsky *b)
{
	static const char *const dflt[] = {"notifications", NULL};
	size_t n;
	const char *const *v = sm_config_get_all_sub(b->cfg, "channel", b->name, "fetch", &n);
	if (n == 0) {
		v = dflt;
		n = 1;
	}
	b->s = sm_calloc(n, sizeof *b->s);
	for (size_t i = 0; i < n; i++) {
		int type, dup = 0;
		const char *arg;
		if (stream_type(v[i], &type, &arg) < 0)
			return sm_error_code(SM_EX_CONFIG, "channel '%s': fetch '%s' is not notifications, "
					     "search:QUERY or author:HANDLE", b->name, v[i]);
		for (size_t k = 0; k < b->n; k++)
			dup |= strcmp(b->s[k].name, v[i]) == 0;
		if (dup)
			continue;
		b->s[b->n] = (stream){.b = b, .name = v[i], .arg = arg, .type = type};
		b->n++;
	}
	return 0;
}

static void bsky_clear(bsky *b)
{
	for (size_t i = 0; i < b->n; i++) {
		stream *s = &b->s[i];
		sm_http_req_free(&s->req);
		free(s->url);
		free(s->seen);
		free(s->top);
		free(s->next);
	}
	free(b->s);
	sm_http_req_free(&b->auth);
	free(b->auth_url);
	wipe(&b->auth_body);
	wipe(&b->password);
	wipe(&b->access);
	wipe(&b->refresh);
	wipe(&b->auth_hdr);
	wipe(&b->refresh_hdr);
	free(b->pds);
	free(b->ident);
	free(b->path);
	free(b->did);
	free(b->handle);
}

// --- the session ------------------------------------------------------------------------

static int set_session(bsky *b, json_t *j)
{
	const char *a = str(j, "accessJwt"), *r = str(j, "refreshJwt"), *did = str(j, "did");
	if (!a || !r || !did)
		return -1;
	sm_secret_remember(a); /* never in a trace or a message */
	sm_secret_remember(r);
	wipe(&b->access);
	wipe(&b->refresh);
	b->access = sm_strdup(a);
	b->refresh = sm_strdup(r);
	replace(&b->did, did);
	replace(&b->handle, str(j, "handle"));
	b->gen++;
	set_headers(b);
	return 0;
}

static void warn(bsky *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(bsky *b, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	if (!b->c)
		return; /* a send has nobody to tell; its result says what matters */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	sm_chan_warn(b->c, "%s", msg);
}

/* The tokens of an earlier run, when they are for this PDS and account. */
static void load_session(bsky *b)
{
	struct stat st;
	int fd = open(b->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	json_t *j = NULL;
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && (st.st_mode & 077))
		warn(b, "'%s' is readable by others: not used, a new session replaces it", b->path);
	else if ((j = json_loadfd(fd, 0, NULL)) && str(j, "pds") && str(j, "identifier") &&
		 !strcmp(str(j, "pds"), b->pds) && !strcmp(str(j, "identifier"), b->ident))
		set_session(b, j);
	close(fd);
	json_decref(j);
}

static int save_session(bsky *b)
{
	char *dir = sm_asprintf("%s/sessions", b->dir), *text;
	json_t *j = json_pack("{s:s, s:s, s:s, s:s*, s:s, s:s}", "pds", b->pds, "identifier", b->ident,
			      "did", b->did, "handle", b->handle, "accessJwt", b->access,
			      "refreshJwt", b->refresh);
	int rc = -1;
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		sm_error("unable to create '%s': %s", dir, strerror(errno));
	else
		rc = sm_write_atomic(b->path, text, strlen(text), 0600);
	wipe(&text);
	free(dir);
	return rc;
}

static void resume_streams(bsky *b);

/* The session attempt ended; the streams waiting for it go on, or fail with it. */
static void auth_end(bsky *b, int failed, int temporary, const char *msg)
{
	b->auth_busy = 0;
	b->auth_failed = failed;
	b->auth_temporary = temporary;
	snprintf(b->auth_error, sizeof b->auth_error, "%s", msg ? msg : "");
	if (b->c)
		resume_streams(b);
}

static void auth_start(bsky *b, int step);

static void auth_done(sm_http_req *req)
{
	bsky *b = req->data;
	xres x;
	xres_from(req, b->auth_step == REFRESH ? "refreshSession" : "createSession", &x);
	sm_http_req_free(req);
	if (!x.failed && set_session(b, x.json) == 0) {
		if (save_session(b) < 0)
			warn(b, "the session is not kept for the next run: %s", sm_errmsg());
		auth_end(b, 0, 0, NULL);
	} else if (b->auth_step == REFRESH && !(x.failed && x.temporary))
		auth_start(b, CREATE); /* the refresh token is spent or refused: log in again */
	else if (!x.failed)
		auth_end(b, 1, 0, "createSession: the answer has no accessJwt, refreshJwt and did");
	else
		auth_end(b, 1, x.temporary, x.msg);
	json_decref(x.json);
}

/* Log in with the app password, or refresh the session; the streams wait for it. */
static void auth_start(bsky *b, int step)
{
	sm_http_req *r = &b->auth;
	sm_http_req_free(r);
	memset(r, 0, sizeof *r);
	free(b->auth_url);
	wipe(&b->auth_body);
	b->auth_step = step;
	b->auth_url = xrpc_url(b, step == REFRESH ? "com.atproto.server.refreshSession"
						  : "com.atproto.server.createSession");
	if (step == REFRESH) {
		r->method = "POST"; /* with no body: the refresh token is the input */
		r->headers = b->refresh_hdrs;
	} else {
		json_t *j = json_pack("{s:s, s:s}", "identifier", b->ident, "password", b->password);
		b->auth_body = json_dumps(j, JSON_COMPACT);
		json_decref(j);
		r->body = b->auth_body;
		r->body_len = strlen(b->auth_body);
		r->headers = b->json_hdrs;
		r->idempotent = 1; /* a second session does no harm */
	}
	r->url = b->auth_url;
	r->done = auth_done;
	r->data = b;
	b->auth_busy = 1;
	if (sm_http_add(b->http, r) < 0)
		auth_end(b, 1, 1, sm_errmsg());
}

static void renew(bsky *b)
{
	if (!b->auth_busy)
		auth_start(b, b->refresh ? REFRESH : CREATE);
}

// --- items ------------------------------------------------------------------------------

/* A time as "YYYY-MM-DDTHH:MM:SS.ffffffZ" in UTC, so that two compare as strings. */
static int norm_time(const char *s, char out[32])
{
	char base[SM_TIME_LEN], frac[7] = "000000";
	time_t t;
	if (!s || sm_date_parse(s, &t) < 0)
		return -1;
	const char *p = strpbrk(s, "Tt ");
	if (p && strlen(p) > 9 && p[9] == '.')
		for (int i = 0; i < 6 && p[10 + i] >= '0' && p[10 + i] <= '9'; i++)
			frac[i] = p[10 + i];
	sm_time_format(t, base);
	snprintf(out, 32, "%.19s.%sZ", base, frac);
	return 0;
}

/* https://bsky.app/profile/HANDLE/post/RKEY of a post's at:// URI. */
static char *post_url(const char *handle, const char *did, const char *uri)
{
	const char *who = handle && strcmp(handle, "handle.invalid") ? handle : did;
	const char *rkey = strrchr(uri, '/');
	if (!who || !rkey || !strstr(uri, "/" POST_NSID "/"))
		return NULL;
	return sm_asprintf("%s/profile/%s/post/%s", APP_URL, who, rkey + 1);
}

static void set_str(json_t *o, const char *key, const char *v)
{
	if (v)
		json_object_set_new(o, key, json_string(v));
}

static void set_ref(bsky *b, json_t *it, const char *key, const char *uri)
{
	char *id = sm_asprintf("%s:%s", b->name, uri);
	json_object_set_new(it, key, json_string(id));
	free(id);
}

static void add_author(json_t *it, json_t *au)
{
	const char *h = str(au, "handle"), *did = str(au, "did"), *name = str(au, "displayName");
	const char *who = h && strcmp(h, "handle.invalid") ? h : did;
	if (!who)
		return;
	char *id = sm_asprintf("bluesky:%s", who), *handle = sm_asprintf("@%s", who);
	json_t *a = json_pack("{s:s, s:s}", "id", id, "handle", handle);
	if (name && *name)
		set_str(a, "name", name);
	set_str(a, "did", did);
	json_object_set_new(it, "author", a);
	free(id);
	free(handle);
}

static void add_time(json_t *it, const char *when, const char *fallback, const char *now)
{
	char out[SM_TIME_LEN];
	time_t t;
	if ((when && sm_date_parse(when, &t) == 0) || (fallback && sm_date_parse(fallback, &t) == 0))
		json_object_set_new(it, "created_at", json_string(sm_time_format(t, out)));
	else
		json_object_set_new(it, "created_at", json_string(now));
}

static void add_metrics(json_t *it, json_t *post)
{
	static const char *const names[][2] = {
		{"likeCount", "likes"}, {"repostCount", "reposts"}, {"replyCount", "replies"}};
	json_t *m = json_object();
	for (int i = 0; i < 3; i++) {
		json_t *v = json_object_get(post, names[i][0]);
		if (json_is_integer(v))
			json_object_set(m, names[i][1], v);
	}
	if (json_object_size(m))
		json_object_set(it, "metrics", m);
	json_decref(m);
}

static void add_unique(json_t *a, const char *v)
{
	size_t i;
	json_t *e;
	if (!v || !*v)
		return;
	json_array_foreach(a, i, e) {
		if (strcmp(json_string_value(e), v) == 0)
			return;
	}
	json_array_append_new(a, json_string(v));
}

/* A mention as written (the handle, without '@'), else its DID. */
static void add_mention(json_t *a, const char *text, json_t *idx, const char *did)
{
	json_int_t s = json_integer_value(json_object_get(idx, "byteStart"));
	json_int_t e = json_integer_value(json_object_get(idx, "byteEnd"));
	size_t n = text ? strlen(text) : 0;
	if (s >= 0 && s + 1 < e && (size_t)e <= n && text[s] == '@' &&
	    sm_utf8_valid(text + s + 1, (size_t)(e - s - 1), NULL)) {
		char *h = sm_strndup(text + s + 1, (size_t)(e - s - 1));
		add_unique(a, h);
		free(h);
	} else
		add_unique(a, did);
}

/* The facets as "mentions", "hashtags" and "links"; the record's tags and link card too. */
static void add_facets(json_t *it, json_t *rec)
{
	json_t *m = json_array(), *h = json_array(), *l = json_array(), *f, *ft, *v;
	const char *text = str(rec, "text"), *ext;
	size_t i, k;
	json_array_foreach(json_object_get(rec, "facets"), i, f) {
		json_array_foreach(json_object_get(f, "features"), k, ft) {
			const char *type = str(ft, "$type"), *hash = type ? strrchr(type, '#') : NULL;
			if (hash && !strcmp(hash, "#mention"))
				add_mention(m, text, json_object_get(f, "index"), str(ft, "did"));
			else if (hash && !strcmp(hash, "#link"))
				add_unique(l, str(ft, "uri"));
			else if (hash && !strcmp(hash, "#tag"))
				add_unique(h, str(ft, "tag"));
		}
	}
	json_array_foreach(json_object_get(rec, "tags"), i, v) {
		add_unique(h, json_string_value(v));
	}
	ext = str(json_object_get(json_object_get(rec, "embed"), "external"), "uri");
	add_unique(l, ext);
	const char *names[] = {"mentions", "hashtags", "links"};
	json_t *arrays[] = {m, h, l};
	for (int j = 0; j < 3; j++) {
		if (json_array_size(arrays[j]))
			json_object_set(it, names[j], arrays[j]);
		json_decref(arrays[j]);
	}
}

/* Images of an embed: its view's URLs, else the CDN's URL of the record's blob. */
static void add_images(json_t *media, json_t *embed, const char *did)
{
	const char *type = str(embed, "$type");
	size_t i;
	json_t *im;
	if (type && !strncmp(type, "app.bsky.embed.recordWithMedia", 30)) {
		add_images(media, json_object_get(embed, "media"), did);
		return;
	}
	if (!type || strncmp(type, "app.bsky.embed.images", 21))
		return;
	json_array_foreach(json_object_get(embed, "images"), i, im) {
		const char *url = str(im, "fullsize"), *alt = str(im, "alt");
		const char *blob = str(json_object_get(json_object_get(im, "image"), "ref"), "$link");
		char *own = !url && blob && did ? sm_asprintf("%s/%s/%s@jpeg", CDN_URL, did, blob) : NULL;
		if (own)
			url = own;
		if (url) {
			json_t *o = json_pack("{s:s, s:s}", "type", "image", "url", url);
			if (alt && *alt)
				set_str(o, "alt", alt);
			json_array_append_new(media, o);
		}
		free(own);
	}
}

/* The URI of the post a record quotes, or NULL. */
static const char *quoted_uri(json_t *rec)
{
	json_t *quoted = json_object_get(json_object_get(rec, "embed"), "record");
	const char *uri = str(quoted, "uri"); /* app.bsky.embed.record */
	return uri ? uri : str(json_object_get(quoted, "record"), "uri"); /* recordWithMedia */
}

static void add_embeds(bsky *b, json_t *it, json_t *post, json_t *rec, const char *did)
{
	json_t *media = json_array(), *view = json_object_get(post, "embed");
	const char *quote = quoted_uri(rec);
	add_images(media, view ? view : json_object_get(rec, "embed"), did);
	if (json_array_size(media))
		json_object_set(it, "media", media);
	json_decref(media);
	if (quote)
		set_ref(b, it, "quote_of", quote);
}

static void add_thread(bsky *b, json_t *it, json_t *rec, const char *id)
{
	json_t *reply = json_object_get(rec, "reply");
	json_t *root = json_object_get(reply, "root"), *parent = json_object_get(reply, "parent");
	if (str(root, "uri"))
		set_ref(b, it, "thread", str(root, "uri"));
	else
		set_str(it, "thread", id);
	if (str(parent, "uri"))
		set_ref(b, it, "in_reply_to", str(parent, "uri"));
}

/* The item record of a post (a postView, or a notification: uri, cid, author, record). */
static json_t *item_record(bsky *b, json_t *post, const char *kind, const char *now)
{
	const char *uri = str(post, "uri"), *cid = str(post, "cid");
	json_t *rec = json_object_get(post, "record"), *au = json_object_get(post, "author");
	json_t *langs = json_object_get(rec, "langs"), *root;
	if (!uri || !json_is_object(rec))
		return NULL;
	char *id = sm_asprintf("%s:%s", b->name, uri);
	char *url = post_url(str(au, "handle"), str(au, "did"), uri);
	json_t *it = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s*}", "id", id, "channel", b->name,
			       "network", "bluesky", "kind", kind, "ext_id", uri, "url", url);
	add_thread(b, it, rec, id);
	add_author(it, au);
	set_str(it, "text", str(rec, "text") ? str(rec, "text") : "");
	set_str(it, "lang", json_string_value(json_array_get(langs, 0)));
	add_time(it, str(rec, "createdAt"), str(post, "indexedAt"), now);
	set_str(it, "fetched_at", now);
	add_metrics(it, post);
	set_str(it, "cid", cid);
	root = json_object_get(json_object_get(rec, "reply"), "root");
	if (str(root, "uri") && str(root, "cid"))
		json_object_set_new(it, "reply_root", json_pack("{s:s, s:s}", "uri", str(root, "uri"),
								"cid", str(root, "cid")));
	add_facets(it, rec);
	add_embeds(b, it, post, rec, str(au, "did"));
	free(id);
	free(url);
	return it;
}

// --- fetching ---------------------------------------------------------------------------

static void stream_fail(stream *s, int temporary, const char *msg)
{
	sm_chan *c = s->b->c;
	char *safe = sm_redact(msg);
	sm_store_note_error(c->run->st, c->name, s->name, safe);
	sm_chan_fail(c, temporary, "%s: %s", s->name, safe);
	free(safe);
}

static char *page_url(stream *s)
{
	bsky *b = s->b;
	sm_buf u = {0};
	sm_buf_printf(&u, "%s/xrpc/", b->pds);
	sm_buf_printf(&u, api[s->type].query, b->page_size);
	if (s->arg)
		add_escaped(&u, s->arg);
	if (s->next) {
		sm_buf_adds(&u, "&cursor=");
		add_escaped(&u, s->next);
	}
	return sm_buf_detach(&u);
}

static void page_done(sm_http_req *req);

/* Ask for the stream's next page, once there is a session. */
static void request(stream *s)
{
	bsky *b = s->b;
	if (!b->access || b->auth_busy) {
		s->waiting = 1;
		if (!b->auth_busy)
			auth_start(b, CREATE);
		return;
	}
	free(s->url);
	s->url = page_url(s);
	memset(&s->req, 0, sizeof s->req);
	s->req.url = s->url;
	s->req.headers = b->get_hdrs;
	s->req.done = page_done;
	s->req.data = s;
	s->gen = b->gen;
	s->busy = 1;
	if (sm_http_add(b->http, &s->req) < 0) {
		s->busy = 0;
		stream_fail(s, 1, sm_errmsg());
	}
}

static void resume_streams(bsky *b)
{
	int failed = 0;
	for (size_t i = 0; i < b->n; i++) {
		stream *s = &b->s[i];
		if (!s->waiting)
			continue;
		s->waiting = 0;
		if (!b->auth_failed)
			request(s);
		else {
			char *safe = sm_redact(b->auth_error);
			sm_store_note_error(b->c->run->st, b->c->name, s->name, safe);
			free(safe);
			failed = 1;
		}
	}
	if (failed) /* once for the channel, not once per stream */
		sm_chan_fail(b->c, b->auth_temporary, "%s", b->auth_error);
}

/* A post of the account's own repo. */
static int ours(bsky *b, const char *uri)
{
	size_t n = strlen(b->did);
	return uri && !strncmp(uri, "at://", 5) && !strncmp(uri + 5, b->did, n) && uri[5 + n] == '/';
}

/*
 * What a post is to the account, as its notification's reason would say: a reply to one of
 * its posts, a mention of it, a quote of one of its posts, else a post. A post found by a
 * search and as a notification is then the same record, whichever stream comes last.
 */
static const char *post_kind(bsky *b, json_t *post)
{
	json_t *rec = json_object_get(post, "record"), *reply = json_object_get(rec, "reply"), *f, *ft;
	size_t i, k;
	if (!b->did || same(str(json_object_get(post, "author"), "did"), b->did))
		return "post";
	if (ours(b, str(json_object_get(reply, "parent"), "uri")) ||
	    ours(b, str(json_object_get(reply, "root"), "uri")))
		return "reply";
	json_array_foreach(json_object_get(rec, "facets"), i, f) {
		json_array_foreach(json_object_get(f, "features"), k, ft) {
			if (same(str(ft, "did"), b->did))
				return "mention";
		}
	}
	return ours(b, quoted_uri(rec)) ? "quote" : "post";
}

/* The post of a page's entry (NULL: not one to store), its kind and the time it sorts by. */
static json_t *entry_post(stream *s, json_t *e, const char **kind, char t[32])
{
	json_t *post = e, *why;
	const char *when = str(e, "indexedAt"), *type;
	*kind = "post";
	if (s->type == S_NOTIF) {
		*kind = str(e, "reason");
		if (!*kind || (strcmp(*kind, "mention") && strcmp(*kind, "reply") && strcmp(*kind, "quote")))
			post = NULL;
	} else if (s->type == S_AUTHOR) {
		post = json_object_get(e, "post");
		when = str(post, "indexedAt");
		if ((why = json_object_get(e, "reason"))) { /* a repost (someone else's post) or a pin */
			type = str(why, "$type");
			when = type && strstr(type, "reasonRepost") ? str(why, "indexedAt") : NULL;
			post = NULL;
		}
	}
	if (post && s->type != S_NOTIF)
		*kind = post_kind(s->b, post);
	if (norm_time(when, t) < 0)
		t[0] = 0;
	return post;
}

static int put_post(stream *s, json_t *post, const char *kind, sm_buf *out)
{
	sm_chan *c = s->b->c;
	sm_item_row row;
	json_t *it = item_record(s->b, post, kind, c->run->now);
	int rc = 0;
	if (!it)
		return 0;
	if (sm_item_flatten(it, &row) < 0)
		sm_chan_warn(c, "%s: %s: %s", s->name, str(post, "uri"), sm_errmsg());
	else
		rc = sm_chan_put(c, &row, out);
	sm_item_row_free(&row);
	json_decref(it);
	return rc;
}

/* In the page's transaction: the walk goes on from next, or it ended and seen moves up. */
static int save_cursor(stream *s, int reached, const char *next)
{
	sm_chan *c = s->b->c;
	if (reached) {
		if (s->top && (!s->seen || strcmp(s->top, s->seen) > 0))
			replace(&s->seen, s->top);
		if (!s->seen)
			replace(&s->seen, EPOCH); /* an empty stream: all that comes later is new */
		replace(&s->top, NULL);
		replace(&s->next, NULL);
	} else
		replace(&s->next, next);
	json_t *j = json_pack("{s:s*, s:s*, s:s*}", "seen", s->seen, "top", s->top, "next", s->next);
	char *text = json_dumps(j, JSON_COMPACT);
	sm_cursor cur = {NULL, NULL, text};
	int rc = sm_store_cursor_set(c->run->st, c->name, s->name, &cur);
	json_decref(j);
	free(text);
	if (rc < 0) {
		sm_chan_fail(c, 1, "%s", sm_errmsg());
		sm_store_rollback(c->run->st);
	}
	return rc;
}

/* Store a page with the cursor; 1 if the walk reached what was seen before, 0, or -1. */
static int store_page(stream *s, json_t *list, const char *next)
{
	sm_chan *c = s->b->c;
	sm_buf out = {0};
	int reached = !s->seen || !next || json_array_size(list) == 0, rc = 0;
	size_t i;
	json_t *e;
	if (sm_chan_begin(c) < 0)
		return -1;
	json_array_foreach(list, i, e) {
		char t[32];
		const char *kind;
		json_t *post = entry_post(s, e, &kind, t);
		if (t[0] && (!s->top || strcmp(t, s->top) > 0))
			replace(&s->top, t);
		if (t[0] && s->seen && strcmp(t, s->seen) < 0) {
			reached = 1; /* older than the last walk's top: stored then */
			continue;
		}
		if (post && (rc = put_post(s, post, kind, &out)) < 0)
			break;
	}
	if (rc == 0 && (rc = save_cursor(s, reached, next)) == 0)
		rc = sm_chan_commit(c, &out);
	sm_buf_free(&out);
	return rc < 0 ? -1 : reached;
}

/* After a stored page: the next one, a fresh walk after a resumed one, or the end. */
static void go_on(stream *s, int reached)
{
	if (reached && !s->resumed)
		return;
	if (reached)
		s->resumed = 0; /* the walk of an earlier run is complete: now the newest */
	if (++s->pages < s->b->max_pages)
		request(s);
	else if (!reached)
		sm_chan_warn(s->b->c, "%s: %ld pages read (max-pages), the rest on the next run",
			     s->name, s->b->max_pages);
}

static void page_done(sm_http_req *req)
{
	stream *s = req->data;
	bsky *b = s->b;
	xres x;
	json_t *list;
	s->busy = 0;
	xres_from(req, api[s->type].what, &x);
	sm_http_req_free(req);
	list = json_object_get(x.json, api[s->type].list);
	if (token_error(&x) && s->renewed++ < 2) {
		if (s->gen != b->gen) /* renewed since this was sent */
			request(s);
		else {
			s->waiting = 1;
			renew(b);
		}
	} else if (x.failed)
		stream_fail(s, x.temporary, x.msg);
	else if (!json_is_array(list))
		stream_fail(s, 1, "the answer has no list of posts");
	else {
		int reached = store_page(s, list, str(x.json, "cursor"));
		s->renewed = 0;
		if (reached >= 0)
			go_on(s, reached);
	}
	json_decref(x.json);
}

static int load_cursor(stream *s)
{
	sm_chan *c = s->b->c;
	sm_cursor cur = {0};
	json_t *j;
	if (sm_store_cursor_get(c->run->st, c->name, s->name, &cur) < 0)
		return -1;
	j = cur.cursor ? json_loads(cur.cursor, 0, NULL) : NULL;
	replace(&s->seen, str(j, "seen"));
	replace(&s->top, str(j, "top"));
	replace(&s->next, str(j, "next"));
	s->resumed = s->next != NULL;
	json_decref(j);
	sm_cursor_free(&cur);
	return 0;
}

static int bsky_check(sm_chan *c)
{
	bsky *b = sm_calloc(1, sizeof *b);
	c->state = b;
	b->c = c;
	b->cfg = c->run->cfg;
	b->name = c->name;
	b->dir = c->run->ws->dir;
	return setup(b) < 0 || streams_setup(b) < 0 ? -1 : 0;
}

static int bsky_start(sm_chan *c)
{
	bsky *b = c->state;
	b->http = c->run->http;
	load_session(b);
	for (size_t i = 0; i < b->n; i++)
		if (load_cursor(&b->s[i]) < 0)
			return -1;
	for (size_t i = 0; i < b->n; i++)
		request(&b->s[i]);
	return 0;
}

static int bsky_busy(sm_chan *c)
{
	bsky *b = c->state;
	if (!b)
		return 0;
	if (b->auth_busy)
		return 1;
	for (size_t i = 0; i < b->n; i++)
		if (b->s[i].busy || b->s[i].waiting)
			return 1;
	return 0;
}

static void bsky_free(sm_chan *c)
{
	if (!c->state)
		return;
	bsky_clear(c->state);
	free(c->state);
	c->state = NULL;
}

// --- sending: text, facets, record key --------------------------------------------------

static int refuse(sm_sent *r, int temporary, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int refuse(sm_sent *r, int temporary, const char *fmt, ...)
{
	va_list ap;
	r->failed = 1;
	r->temporary = temporary;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof r->error, fmt, ap);
	va_end(ap);
	return -1;
}

/* The code point at s[i] (-1 if ill-formed) and its length in bytes. */
static size_t cp_at(const char *s, size_t n, size_t i, utf8proc_int32_t *c)
{
	utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
					      (utf8proc_ssize_t)(n - i), c);
	if (k <= 0) {
		*c = -1;
		return 1;
	}
	return (size_t)k;
}

/* The start of the code point before s[i]. */
static size_t cp_before(const char *s, size_t i)
{
	while (i > 0 && ((unsigned char)s[--i] & 0xC0) == 0x80)
		;
	return i;
}

static int is_space(utf8proc_int32_t c)
{
	if (c == ' ' || (c >= '\t' && c <= '\r'))
		return 1;
	utf8proc_category_t k = c < 0x80 ? UTF8PROC_CATEGORY_CN : utf8proc_category(c);
	return k == UTF8PROC_CATEGORY_ZS || k == UTF8PROC_CATEGORY_ZL || k == UTF8PROC_CATEGORY_ZP;
}

static int is_punct(utf8proc_int32_t c)
{
	utf8proc_category_t k = utf8proc_category(c);
	return k >= UTF8PROC_CATEGORY_PC && k <= UTF8PROC_CATEGORY_PO;
}

static int check_text(const char *text, sm_sent *r)
{
	size_t n = strlen(text), g;
	if (!sm_utf8_valid(text, n, NULL))
		return refuse(r, 0, "the text is not valid UTF-8");
	if (n == 0)
		return refuse(r, 0, "the text is empty");
	if (n > MAX_BYTES)
		return refuse(r, 0, "the text has %zu bytes, Bluesky takes at most %d", n, MAX_BYTES);
	if ((g = sm_textlen_graphemes(text, n)) > MAX_GRAPHEMES)
		return refuse(r, 0, "the text has %zu characters, Bluesky takes at most %d", g,
			      MAX_GRAPHEMES);
	return 0;
}

/* A facet may start at s[i]: at the start, after white space (or '(' for some). */
static int word_start(const char *s, size_t i, int paren)
{
	utf8proc_int32_t c;
	if (i == 0)
		return 1;
	size_t j = cp_before(s, i);
	cp_at(s, i, j, &c);
	return is_space(c) || (paren && c == '(');
}

static int alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The end of "@handle.domain" at s[i] ('@'), or i when there is none. */
static size_t mention_end(const char *s, size_t n, size_t i)
{
	size_t j = i + 1;
	while (j < n && (alnum(s[j]) || s[j] == '.' || s[j] == '-'))
		j++;
	while (j > i + 1 && (s[j - 1] == '.' || s[j - 1] == '-'))
		j--;
	if (j == i + 1 || !alnum(s[i + 1]) || !memchr(s + i + 1, '.', j - i - 1))
		return i;
	for (size_t k = i + 2; k < j; k++)
		if (s[k] == '.' && (s[k - 1] == '.' || s[k - 1] == '-' || s[k + 1] == '-'))
			return i;
	return j;
}

/* The end of an http(s) URL at s[i], trailing punctuation left out, or i. */
static size_t link_end(const char *s, size_t n, size_t i)
{
	size_t j = i, scheme = !strncmp(s + i, "https://", 8) ? 8 : !strncmp(s + i, "http://", 7) ? 7 : 0;
	utf8proc_int32_t c;
	if (!scheme)
		return i;
	while (j < n) {
		size_t k = cp_at(s, n, j, &c);
		if (is_space(c))
			break;
		j += k;
	}
	while (j > i && s[j - 1] && strchr(".,;:!?\"'", s[j - 1]))
		j--;
	if (j > i && s[j - 1] == ')' && !memchr(s + i, '(', j - i))
		j--;
	return j > i + scheme ? j : i;
}

static int tag_stop(utf8proc_int32_t c)
{
	return is_space(c) || c == 0xAD || c == 0x2060 || (c >= 0x200A && c <= 0x200D) || c == 0x20E2;
}

/* The end of "#tag" at s[i] ('#'), trailing punctuation left out, or i. */
static size_t tag_end(const char *s, size_t n, size_t i)
{
	size_t j = i + 1;
	int word = 0;
	utf8proc_int32_t c;
	while (j < n) {
		size_t k = cp_at(s, n, j, &c);
		if (tag_stop(c))
			break;
		j += k;
	}
	while (j > i + 1 && (cp_at(s, n, cp_before(s, j), &c), is_punct(c)))
		j = cp_before(s, j);
	for (size_t k = i + 1; k < j;) { /* not only digits: "#1" is no tag */
		k += cp_at(s, n, k, &c);
		word |= !is_punct(c) && utf8proc_category(c) != UTF8PROC_CATEGORY_ND;
	}
	cp_at(s, n, i + 1, &c);
	if (!word || c == 0xFE0F || sm_textlen_graphemes(s + i + 1, j - i - 1) > MAX_TAG || j - i - 1 > 640)
		return i;
	return j;
}

static json_t *facet(size_t start, size_t end, const char *type, const char *key, const char *v)
{
	char *t = sm_asprintf("app.bsky.richtext.facet#%s", type);
	json_t *f = json_pack("{s:{s:I, s:I}, s:[{s:s, s:s}]}", "index", "byteStart", (json_int_t)start,
			      "byteEnd", (json_int_t)end, "features", "$type", t, key, v);
	free(t);
	return f;
}

static void call(bsky *b, const char *url, const char *body, int idempotent, const char *what,
		 xres *x);

/* The DID of a handle, or NULL when the PDS cannot tell (then the mention stays plain text). */
static char *resolve_handle(bsky *b, const char *handle)
{
	sm_buf u = {0};
	xres x;
	if (b->no_resolve)
		return NULL;
	sm_buf_printf(&u, "%s/xrpc/com.atproto.identity.resolveHandle?handle=", b->pds);
	add_escaped(&u, handle);
	call(b, u.s, NULL, 1, "resolveHandle", &x);
	b->no_resolve = x.failed && !strcmp(x.error, "MethodNotImplemented");
	char *did = !x.failed && str(x.json, "did") ? sm_strdup(str(x.json, "did")) : NULL;
	json_decref(x.json);
	sm_buf_free(&u);
	return did;
}

static void add_mention_facet(bsky *b, json_t *facets, const char *s, size_t i, size_t j)
{
	char *handle = sm_strndup(s + i + 1, j - i - 1), *did = resolve_handle(b, handle);
	if (did)
		json_array_append_new(facets, facet(i, j, "mention", "did", did));
	free(did);
	free(handle);
}

/* The facets of a text: mentions, links and tags, at UTF-8 byte offsets. */
static json_t *make_facets(bsky *b, const char *s)
{
	json_t *facets = json_array();
	size_t n = strlen(s), i = 0, j;
	while (i < n) {
		char *v = NULL;
		if (s[i] == '@' && word_start(s, i, 1) && (j = mention_end(s, n, i)) > i)
			add_mention_facet(b, facets, s, i, j);
		else if (s[i] == 'h' && word_start(s, i, 1) && (j = link_end(s, n, i)) > i) {
			v = sm_strndup(s + i, j - i);
			json_array_append_new(facets, facet(i, j, "link", "uri", v));
		} else if (s[i] == '#' && word_start(s, i, 0) && (j = tag_end(s, n, i)) > i) {
			v = sm_strndup(s + i + 1, j - i - 1);
			json_array_append_new(facets, facet(i, j, "tag", "tag", v));
		} else
			j = i + 1;
		free(v);
		i = j;
	}
	return facets;
}

/* A TID-shaped record key from the draft's key: 64 bits of its SHA-1, top bit clear,
   in base32-sortable; the same draft always gets the same key. */
static void make_rkey(const char *key, char out[14])
{
	static const char b32[] = "234567abcdefghijklmnopqrstuvwxyz";
	char hex[41];
	sm_sha1_hex(key, strlen(key), hex);
	hex[16] = 0;
	unsigned long long v = strtoull(hex, NULL, 16) & 0x7fffffffffffffffULL;
	for (int i = 12; i >= 0; i--, v >>= 5)
		out[i] = b32[v & 31];
	out[13] = 0;
}

// --- sending: the calls -----------------------------------------------------------------

/* Make sure of a session, synchronously: refresh it, else log in again. */
static int renew_sync(bsky *b)
{
	b->auth_failed = 0;
	renew(b);
	sm_http_run(b->http);
	return b->auth_failed || !b->access ? -1 : 0;
}

/* One XRPC call run to its end; an expired session is renewed and the call made again.
   A body of len bytes is JSON, or of the given type (a blob). */
static void call_raw(bsky *b, const char *url, const char *body, size_t len, const char *type,
		     int idempotent, const char *what, xres *x)
{
	char *ctype = type ? sm_asprintf("Content-Type: %s", type) : NULL;
	for (int tries = 0;; tries++) {
		const char *raw_hdrs[] = {"Accept: application/json", ctype, b->auth_hdr, "Expect:", NULL};
		sm_http_req req = {.url = url, .body = body, .body_len = len, .idempotent = idempotent,
				   .headers = type ? raw_hdrs : body ? b->post_hdrs : b->get_hdrs};
		if (sm_http_add(b->http, &req) == 0)
			sm_http_run(b->http);
		else {
			req.failed = req.temporary = 1;
			snprintf(req.error, sizeof req.error, "%s", sm_errmsg());
		}
		xres_from(&req, what, x);
		sm_http_req_free(&req);
		if (tries || !token_error(x))
			break;
		if (renew_sync(b) < 0) {
			x->temporary = b->auth_temporary;
			snprintf(x->msg, sizeof x->msg, "%s", b->auth_error);
			break;
		}
	}
	free(ctype);
}

static void call(bsky *b, const char *url, const char *body, int idempotent, const char *what,
		 xres *x)
{
	call_raw(b, url, body, body ? strlen(body) : 0, NULL, idempotent, what, x);
}

static int session_for_send(bsky *b, sm_sent *r)
{
	load_session(b);
	if (!b->access && renew_sync(b) < 0)
		return refuse(r, b->auth_temporary, "%s", b->auth_error);
	return 0;
}

/* The post replied to, as the AppView shows it (for its cid and thread root). */
static int lookup_post(bsky *b, const char *reply_to, const char *uri, json_t **post, sm_sent *r)
{
	sm_buf u = {0};
	xres x;
	sm_buf_printf(&u, "%s/xrpc/app.bsky.feed.getPosts?uris=", b->pds);
	add_escaped(&u, uri);
	call(b, u.s, NULL, 1, "getPosts", &x);
	sm_buf_free(&u);
	if (x.failed)
		return refuse(r, x.temporary, "cannot reply to '%s': %s", reply_to, x.msg);
	json_t *p = json_array_get(json_object_get(x.json, "posts"), 0);
	if (!str(p, "cid") || strcmp(str(p, "uri") ? str(p, "uri") : "", uri)) {
		json_decref(x.json);
		return refuse(r, 0, "cannot reply to '%s': the post is gone", reply_to);
	}
	*post = json_incref(p);
	json_decref(x.json);
	return 0;
}

static json_t *strong_ref(const char *uri, const char *cid)
{
	return json_pack("{s:s, s:s}", "uri", uri, "cid", cid);
}

/* The reply's {root, parent}: from the replied item as fetched, else from the AppView. */
static int reply_refs(bsky *b, const sm_post *p, json_t **reply, sm_sent *r)
{
	const char *uri = str(p->reply_item, "ext_id"), *cid = str(p->reply_item, "cid");
	json_t *root = json_object_get(p->reply_item, "reply_root"), *looked = NULL, *parent;
	if (!uri && strstr(p->reply_to, ":at://"))
		uri = strstr(p->reply_to, ":at://") + 1;
	if (!uri || strncmp(uri, "at://", 5))
		return refuse(r, 0, "cannot reply to '%s': not a Bluesky post", p->reply_to);
	if (!cid) {
		if (lookup_post(b, p->reply_to, uri, &looked, r) < 0)
			return -1;
		cid = str(looked, "cid");
		root = json_object_get(json_object_get(json_object_get(looked, "record"), "reply"), "root");
	}
	parent = strong_ref(uri, cid);
	*reply = json_pack("{s:o, s:o}", "root", str(root, "uri") && str(root, "cid")
				     ? strong_ref(str(root, "uri"), str(root, "cid")) : json_incref(parent),
			   "parent", parent);
	json_decref(looked);
	return 0;
}

/* Our record under rkey exists (a send before this one got through). */
static int record_exists(bsky *b, const char *rkey)
{
	sm_buf u = {0};
	xres x;
	sm_buf_printf(&u, "%s/xrpc/com.atproto.repo.getRecord?repo=", b->pds);
	add_escaped(&u, b->did);
	sm_buf_printf(&u, "&collection=%s&rkey=%s", POST_NSID, rkey);
	call(b, u.s, NULL, 1, "getRecord", &x);
	int found = !x.failed && str(x.json, "uri");
	json_decref(x.json);
	sm_buf_free(&u);
	return found;
}

static void sent(bsky *b, const char *uri, sm_sent *r)
{
	r->ext_id = sm_strdup(uri);
	r->url = post_url(b->handle, b->did, uri);
}

/* What createRecord said: sent, sent before (the record key exists), or refused. */
static void send_result(bsky *b, xres *x, const char *rkey, sm_sent *r)
{
	if (!x->failed && str(x->json, "uri"))
		sent(b, str(x->json, "uri"), r);
	else if (!x->failed)
		refuse(r, 1, "createRecord: the answer has no uri");
	else if (rkey && (!strcmp(x->error, "InvalidSwap") || strstr(x->msg, "already exists") ||
			  (x->temporary && record_exists(b, rkey)))) {
		char *uri = sm_asprintf("at://%s/%s/%s", b->did, POST_NSID, rkey);
		sent(b, uri, r);
		free(uri);
	} else
		refuse(r, x->temporary, "%s", x->msg);
}

// --- sending: images ---------------------------------------------------------------------

/* What Bluesky would refuse, found before anything is uploaded: for good. */
static int check_media(const sm_post *p, sm_sent *r)
{
	sm_media_limits ml; /* app.bsky.embed.images: 4 images of 1,000,000 bytes at most */
	if (!p->nmedia || !sm_media_limits_of("bluesky", &ml))
		return 0;
	if (p->nmedia > (size_t)ml.files)
		return refuse(r, 0, "the post has %zu images; a Bluesky post takes at most %d", p->nmedia,
			      ml.files);
	for (size_t i = 0; i < p->nmedia; i++) {
		const sm_post_media *m = &p->media[i];
		const char *name = m->path ? m->path : m->name;
		if (ml.images_only && strncmp(m->mime, "image/", 6))
			return refuse(r, 0, "media '%s' is %s: a Bluesky post takes images only", name, m->mime);
		if ((long long)m->len > ml.bytes)
			return refuse(r, 0, "media '%s' has %zu bytes; a Bluesky image may have at most "
				      "%lld (app.bsky.embed.images): make it smaller", name, m->len, ml.bytes);
		if (m->alt && !sm_utf8_valid(m->alt, strlen(m->alt), NULL))
			return refuse(r, 0, "media '%s': the alt text is not valid UTF-8", name);
	}
	return 0;
}

/* uploadBlob: the image's bytes as they are, with their type; the PDS's blob ref
   {"$type": "blob", "ref": {"$link": CID}, "mimeType", "size"}, or NULL with r failed. */
static json_t *upload_blob(bsky *b, const sm_post_media *m, sm_sent *r)
{
	char *url = xrpc_url(b, "com.atproto.repo.uploadBlob");
	xres x;
	/* again after a passing failure: a blob no record refers to is dropped by the PDS */
	call_raw(b, url, (const char *)m->data, m->len, m->mime, 1, "uploadBlob", &x);
	free(url);
	json_t *blob = json_object_get(x.json, "blob");
	if (x.failed)
		refuse(r, x.temporary, "media '%s': %s", m->path ? m->path : m->name, x.msg);
	else if (!str(json_object_get(blob, "ref"), "$link") || !str(blob, "mimeType"))
		refuse(r, 1, "media '%s': uploadBlob: the answer has no blob ref", m->path ? m->path : m->name);
	else
		json_incref(blob);
	json_t *out = r->failed ? NULL : blob;
	json_decref(x.json);
	return out;
}

/* The app.bsky.embed.images of the post's images, each uploaded first (a dry run names the
   uploads, each blob's CID shown as "<blob N>"); NULL with r failed. */
static json_t *images_embed(bsky *b, const sm_post *p, sm_sent *r)
{
	json_t *images = json_array();
	for (size_t i = 0; i < p->nmedia && !r->failed; i++) {
		const sm_post_media *m = &p->media[i];
		json_t *blob;
		if (p->dry_run) {
			char *url = xrpc_url(b, "com.atproto.repo.uploadBlob"), *ph = sm_asprintf("<blob %zu>", i + 1);
			sm_sent_preview_upload(r, "POST", url, m);
			blob = json_pack("{s:s, s:{s:s}, s:s, s:I}", "$type", "blob", "ref", "$link", ph,
					 "mimeType", m->mime, "size", (json_int_t)m->len);
			free(url);
			free(ph);
		} else if (!(blob = upload_blob(b, m, r)))
			break;
		json_t *img = json_pack("{s:s, s:o}", "alt", m->alt ? m->alt : "", "image", blob);
		if (m->width > 0 && m->height > 0)
			json_object_set_new(img, "aspectRatio", json_pack("{s:i, s:i}", "width", m->width,
									  "height", m->height));
		json_array_append_new(images, img);
	}
	if (r->failed) {
		json_decref(images);
		return NULL;
	}
	return json_pack("{s:s, s:o}", "$type", "app.bsky.embed.images", "images", images);
}

static json_t *post_record(bsky *b, const sm_post *p, json_t *reply, json_t *embed)
{
	char now[SM_TIME_LEN];
	json_t *rec = json_pack("{s:s, s:s, s:s}", "$type", POST_NSID, "text", p->text, "createdAt",
				sm_time_format(sm_now(), now));
	json_t *facets = make_facets(b, p->text);
	if (json_array_size(facets))
		json_object_set(rec, "facets", facets);
	json_decref(facets);
	if (p->lang && *p->lang)
		json_object_set_new(rec, "langs", json_pack("[s]", p->lang));
	if (reply)
		json_object_set(rec, "reply", reply);
	if (embed)
		json_object_set(rec, "embed", embed);
	return rec;
}

static void create_post(bsky *b, const sm_post *p, json_t *reply, json_t *embed, sm_sent *r)
{
	char rkey[14], *url = xrpc_url(b, "com.atproto.repo.createRecord"), *body;
	xres x;
	if (p->key)
		make_rkey(p->key, rkey);
	json_t *in = json_pack("{s:s, s:s, s:s*, s:o}", "repo", b->did, "collection", POST_NSID,
			       "rkey", p->key ? rkey : NULL, "record", post_record(b, p, reply, embed));
	body = json_dumps(in, JSON_COMPACT);
	json_decref(in);
	if (p->dry_run) {
		sm_sent_preview(r, "POST", url, body, strlen(body));
		free(body);
		free(url);
		return;
	}
	/* with a record key a second try is harmless: the PDS refuses a second record */
	call(b, url, body, p->key != NULL, "createRecord", &x);
	send_result(b, &x, p->key ? rkey : NULL, r);
	json_decref(x.json);
	free(body);
	free(url);
}

static int bsky_send(sm_sender *snd, const sm_post *p, sm_sent *r)
{
	bsky b = {.cfg = snd->cfg, .name = snd->name, .dir = snd->ws->dir, .http = snd->http};
	json_t *reply = NULL, *embed = NULL;
	int rc = 0;
	if (setup(&b) < 0)
		rc = -1;
	else if (check_text(p->text ? p->text : "", r) == 0 && check_media(p, r) == 0 &&
		 session_for_send(&b, r) == 0 && (!p->reply_to || reply_refs(&b, p, &reply, r) == 0) &&
		 (!p->nmedia || (embed = images_embed(&b, p, r))))
		create_post(&b, p, reply, embed, r);
	json_decref(reply);
	json_decref(embed);
	bsky_clear(&b);
	return rc;
}

const sm_adapter sm_adapter_bluesky = {
	.kind = "bluesky", .check = bsky_check, .start = bsky_start, .busy = bsky_busy,
	.free = bsky_free, .send = bsky_send, .send_media = 1,
};
