/*
 * net/discourse.c - the discourse channel: a Discourse forum's latest posts and searches
 * through its JSON API. Each stream walks back a page at a time to its cursor (the highest
 * post id stored), every page committed with a cursor that says where the walk goes on;
 * threads and replies become the ids of the posts they point to. Sending posts a reply or
 * a new topic after looking for the same post made before: Discourse has no idempotency key.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../net.h"

/* pages one stream walks in one run; the cursor keeps the rest of the walk for the next */
enum { MAX_PAGES = 100 };

/* The forum and the account: what fetching and sending both need. */
typedef struct {
	char *base;  /* the forum's URL without a trailing slash */
	char *host;  /* its host (and port): the domain of author ids */
	char *user;  /* Api-Username, or NULL */
	char *key;   /* Api-Key, or NULL: read as a guest */
	char *hkey, *huser;
	const char *headers[5], *post_headers[6];
} forum;

typedef struct dchan dchan;
typedef struct stream stream;

/* A request that completes a page: a search hit's whole post, or a topic (for the ids of
   its first post and of the posts replied to). */
typedef struct {
	stream *s;
	sm_http_req req;
	char *url;
	long post;          /* a search hit's post, read whole; or 0 and: */
	long topic, number; /* the topic, and the post number wanted in it (0: the first) */
} lookup;

/* One fetch value: "latest" or "search:QUERY", its cursor's source. */
struct stream {
	dchan *d;
	const char *name;
	char *query;           /* search: the q parameter, escaped; NULL for latest */
	int first, resumed, busy, pages;
	long high, low, next;  /* the walk: the newest id stored, the id it goes back to, the
				  before= id (latest) or page (search) of the next request */
	long page_min, page_max, count;
	int more;
	char *url;
	sm_http_req req;
	/* the page being completed */
	json_t *posts;         /* its new posts, whole */
	json_t *topics;        /* search: its topics by id, for titles and slugs */
	lookup **lk;
	size_t nlk, started;
	int pending, phase, failed, temporary;
	char error[1024];
};

struct dchan {
	sm_chan *c;
	forum f;
	stream *st;
	size_t n;
	json_t *known;  /* "TOPIC/NUMBER": post id, learned this run */
	json_t *saved;  /* "TOPIC": its first post's id is in the store */
};

static long num(json_t *o, const char *key)
{
	return (long)json_integer_value(json_object_get(o, key));
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void add_escaped(sm_buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p))
			sm_buf_addc(b, (char)*p);
		else
			sm_buf_printf(b, "%%%02X", *p);
}

/* --- the forum and its key -------------------------------------------------------------- */

static int has_secret(sm_config *cfg, const char *name)
{
	static const char *const keys[] = {"token-cmd", "token-env", "token-file", "token", NULL};
	for (int i = 0; keys[i]; i++)
		if (sm_config_get_sub(cfg, "channel", name, keys[i]))
			return 1;
	return 0;
}

static void forum_headers(forum *f)
{
	int n = 0;
	f->headers[n++] = "Accept: application/json";
	if (f->key) {
		f->hkey = sm_asprintf("Api-Key: %s", f->key);
		f->huser = sm_asprintf("Api-Username: %s", f->user);
		f->headers[n++] = f->hkey;
		f->headers[n++] = f->huser;
	}
	memcpy(f->post_headers, f->headers, sizeof f->headers);
	f->post_headers[n] = "Content-Type: application/json";
}

static int forum_open(sm_config *cfg, const char *dir, const char *name, forum *f)
{
	const char *url = sm_config_get_sub(cfg, "channel", name, "url");
	const char *user = sm_config_get_sub(cfg, "channel", name, "username");
	memset(f, 0, sizeof *f);
	if (!url || (strncmp(url, "https://", 8) && strncmp(url, "http://", 7)))
		return sm_error_code(SM_EX_CONFIG, "channel '%s': a discourse channel needs the "
				     "forum's url (https://...)", name);
	f->base = sm_strdup(url);
	for (size_t n = strlen(f->base); n && f->base[n - 1] == '/';)
		f->base[--n] = 0;
	const char *h = strstr(url, "://") + 3, *at = strchr(h, '@');
	if (at && at < h + strcspn(h, "/?#"))
		h = at + 1; /* never a user:password@ in an author id */
	f->host = sm_strndup(h, strcspn(h, "/?#"));
	if (user && *user)
		f->user = sm_strdup(user);
	if (has_secret(cfg, name)) {
		if (sm_secret(cfg, dir, "channel", name, &f->key) < 0)
			return -1;
		if (!f->user)
			return sm_error_code(SM_EX_CONFIG, "channel '%s': an Api-Key needs a username "
					     "(Api-Username)", name);
	}
	forum_headers(f);
	return 0;
}

static void forum_close(forum *f)
{
	if (f->key)
		memset(f->key, 0, strlen(f->key));
	if (f->hkey)
		memset(f->hkey, 0, strlen(f->hkey));
	free(f->base);
	free(f->host);
	free(f->user);
	free(f->key);
	free(f->hkey);
	free(f->huser);
	memset(f, 0, sizeof *f);
}

/* What the forum said of a failed request: "HTTP 422: Body is too short". */
static void answer_error(sm_http_req *req, char *out, size_t n)
{
	json_t *body = req->body_in.len ? json_loadb(req->body_in.s, req->body_in.len, 0, NULL) : NULL;
	json_t *errs = json_object_get(body, "errors"), *e;
	sm_buf b = {0};
	size_t i;
	json_array_foreach(errs, i, e)
		if (json_is_string(e))
			sm_buf_printf(&b, "%s%s", b.len ? "; " : "", json_string_value(e));
	if (!b.len && str(body, "error"))
		sm_buf_adds(&b, str(body, "error"));
	if (b.len && req->status)
		snprintf(out, n, "HTTP %ld: %s", req->status, b.s);
	else
		snprintf(out, n, "%s", req->error[0] ? req->error : "failed");
	sm_buf_free(&b);
	json_decref(body);
}

static json_t *answer_json(sm_http_req *req)
{
	if (!req->body_in.len)
		return NULL;
	json_t *v = json_loadb(req->body_in.s, req->body_in.len, 0, NULL);
	if (!json_is_object(v)) {
		json_decref(v);
		return NULL;
	}
	return v;
}

/* --- what is known of topics: post ids by topic and number ---------------------------------- */

static void learn(dchan *d, long topic, long number, long id)
{
	char k[48];
	if (topic <= 0 || number <= 0 || id <= 0)
		return;
	snprintf(k, sizeof k, "%ld/%ld", topic, number);
	json_object_set_new(d->known, k, json_integer(id));
}

static long known(dchan *d, long topic, long number)
{
	char k[48];
	snprintf(k, sizeof k, "%ld/%ld", topic, number);
	return (long)json_integer_value(json_object_get(d->known, k));
}

/* The first post of a topic: learned this run, or kept in the cursor "topic/ID". */
static long first_post(dchan *d, long topic)
{
	long id = known(d, topic, 1);
	char src[40];
	sm_cursor cur = {0};
	if (id)
		return id;
	snprintf(src, sizeof src, "topic/%ld", topic);
	if (sm_store_cursor_get(d->c->run->st, d->c->name, src, &cur) == 0 && cur.cursor &&
	    (id = atol(cur.cursor)) > 0) {
		learn(d, topic, 1, id);
		json_object_set_new(d->saved, src + 6, json_true());
	}
	sm_cursor_free(&cur);
	return id;
}

/* A post replied to, when it is stored: found by the thread and its post_number. */
static long stored_target(dchan *d, long first, long number)
{
	char *thread = sm_asprintf("%s:%ld", d->c->name, first);
	json_t *rec = sm_store_thread_find(d->c->run->st, thread, "$.post_number", number);
	const char *ext = json_string_value(json_object_get(rec, "ext_id"));
	long id = ext ? atol(ext) : 0;
	json_decref(rec);
	free(thread);
	return id;
}

/* The post number a post replies to: 0 for a topic's first post, 1 for a reply to the topic. */
static long reply_number(json_t *p)
{
	long n = num(p, "reply_to_post_number");
	return num(p, "post_number") <= 1 ? 0 : n > 0 ? n : 1;
}

/* Every first post not yet in the store, into this transaction's cursors. */
static int save_topics(dchan *d)
{
	const char *k;
	json_t *v;
	json_object_foreach(d->known, k, v) {
		char topic[24], src[40], id[24];
		const char *slash = strchr(k, '/');
		if (!slash || strcmp(slash, "/1") || (size_t)(slash - k) >= sizeof topic)
			continue;
		snprintf(topic, sizeof topic, "%.*s", (int)(slash - k), k);
		if (json_object_get(d->saved, topic))
			continue;
		snprintf(src, sizeof src, "topic/%s", topic);
		snprintf(id, sizeof id, "%lld", (long long)json_integer_value(v));
		sm_cursor cur = {NULL, NULL, id};
		if (sm_store_cursor_set(d->c->run->st, d->c->name, src, &cur) < 0)
			return -1;
		json_object_set_new(d->saved, topic, json_true());
	}
	return 0;
}

/* --- the item record ------------------------------------------------------------------- */

static void set_str(json_t *it, const char *key, const char *v)
{
	if (v && *v)
		json_object_set_new(it, key, json_string(v));
}

static void set_fmt(json_t *it, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_fmt(json_t *it, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s)
		json_object_set_new(it, key, json_string(s));
	free(s);
}

static json_t *author(dchan *d, json_t *p)
{
	const char *user = str(p, "username");
	if (!user || !*user)
		return NULL;
	json_t *a = json_object();
	set_fmt(a, "id", "discourse:%s@%s", user, d->f.host);
	set_fmt(a, "handle", "@%s", user);
	set_str(a, "name", str(p, "name"));
	return a;
}

/* Likes: like_count where the forum gives it, else the count of action 2 (like). */
static json_t *metrics(json_t *p)
{
	long likes = num(p, "like_count");
	json_t *a, *acts = json_object_get(p, "actions_summary");
	size_t i;
	if (!json_object_get(p, "like_count"))
		json_array_foreach(acts, i, a)
			if (num(a, "id") == 2)
				likes = num(a, "count");
	return json_pack("{s:I,s:I,s:I}", "likes", (json_int_t)likes, "reposts", (json_int_t)0,
			 "replies", (json_int_t)num(p, "reply_count"));
}

static void set_text(json_t *it, json_t *p)
{
	const char *cooked = str(p, "cooked"), *raw = str(p, "raw");
	if (cooked) {
		char *t = sm_html_to_text(cooked, strlen(cooked));
		json_object_set_new(it, "text", json_string(t));
		free(t);
	} else
		json_object_set_new(it, "text", json_string(raw ? raw : ""));
}

static void set_time(json_t *it, const char *key, const char *v, const char *def)
{
	time_t t;
	char out[SM_TIME_LEN];
	if (v && sm_date_parse(v, &t) == 0)
		json_object_set_new(it, key, json_string(sm_time_format(t, out)));
	else if (def)
		json_object_set_new(it, key, json_string(def));
}

/* Where the post is, who wrote it and what it answers: the fields before the text. */
static void record_head(dchan *d, json_t *it, json_t *p)
{
	const char *ch = d->c->name, *slug = str(p, "topic_slug");
	long id = num(p, "id"), topic = num(p, "topic_id"), n = num(p, "post_number");
	long first = n == 1 ? id : known(d, topic, 1), to = reply_number(p);

	set_fmt(it, "id", "%s:%ld", ch, id);
	set_str(it, "channel", ch);
	set_str(it, "network", "discourse");
	set_str(it, "kind", n == 1 ? "topic" : "forum-post");
	set_fmt(it, "ext_id", "%ld", id);
	if (slug && *slug)
		set_fmt(it, "url", "%s/t/%s/%ld/%ld", d->f.base, slug, topic, n);
	else
		set_fmt(it, "url", "%s/t/%ld/%ld", d->f.base, topic, n);
	if (first)
		set_fmt(it, "thread", "%s:%ld", ch, first);
	else
		set_fmt(it, "thread", "%s:topic-%ld", ch, topic);
	if (to && known(d, topic, to))
		set_fmt(it, "in_reply_to", "%s:%ld", ch, known(d, topic, to));
	json_t *a = author(d, p);
	if (a)
		json_object_set_new(it, "author", a);
}

static json_t *record(dchan *d, json_t *p)
{
	json_t *it = json_object(), *v;
	record_head(d, it, p);
	set_str(it, "title", str(p, "topic_title"));
	set_text(it, p);
	set_str(it, "lang", str(p, "locale"));
	set_time(it, "created_at", str(p, "created_at"), d->c->run->now);
	if (str(p, "updated_at") && str(p, "created_at") && strcmp(str(p, "updated_at"), str(p, "created_at")))
		set_time(it, "updated_at", str(p, "updated_at"), NULL); /* edited */
	set_str(it, "fetched_at", d->c->run->now);
	json_object_set_new(it, "metrics", metrics(p));
	json_object_set_new(it, "topic_id", json_integer(num(p, "topic_id")));
	json_object_set_new(it, "post_number", json_integer(num(p, "post_number")));
	if (num(p, "reply_to_post_number") > 0)
		json_object_set_new(it, "reply_to_post_number", json_integer(num(p, "reply_to_post_number")));
	if (json_is_integer(v = json_object_get(p, "category_id")))
		json_object_set(it, "category_id", v);
	return it;
}

/* --- one stream: pages, their lookups, and the commit --------------------------------------- */

static void request_page(stream *s);
static void advance(stream *s);

static void page_reset(stream *s)
{
	for (size_t i = 0; i < s->nlk; i++) {
		sm_http_req_free(&s->lk[i]->req);
		free(s->lk[i]->url);
		free(s->lk[i]);
	}
	free(s->lk);
	s->lk = NULL;
	s->nlk = s->started = 0;
	json_array_clear(s->posts);
	json_object_clear(s->topics);
	s->pending = s->phase = s->failed = s->temporary = 0;
	s->error[0] = 0;
}

/* The stream ends for this run: its cursor stays where the last commit put it. */
static void stream_fail(stream *s, int temporary, const char *msg)
{
	sm_chan *c = s->d->c;
	sm_store_note_error(c->run->st, c->name, s->name, msg);
	sm_chan_fail(c, temporary, "%s: %s", s->name, msg);
	s->busy = 0;
	page_reset(s);
}

static void request_failed(stream *s, sm_http_req *req)
{
	char msg[768], err[512];
	answer_error(req, err, sizeof err);
	snprintf(msg, sizeof msg, "%s: %s", req->url, err);
	stream_fail(s, req->temporary, msg);
}

static void finished_one(stream *s)
{
	if (--s->pending == 0)
		advance(s);
}

static void lookup_done(sm_http_req *req);

/* Start the lookups added since the last call; advance when none is left under way. */
static void start_lookups(stream *s)
{
	s->pending++; /* held while adding: a transfer may end before the loop does */
	for (; s->started < s->nlk; s->started++) {
		lookup *l = s->lk[s->started];
		l->req.url = l->url;
		l->req.headers = s->d->f.headers;
		l->req.done = lookup_done;
		l->req.data = l;
		s->pending++;
		if (sm_http_add(s->d->c->run->http, &l->req) < 0) {
			s->failed = 1;
			snprintf(s->error, sizeof s->error, "%s: %s", l->url, sm_errmsg());
			s->pending--;
		}
	}
	finished_one(s);
}

static lookup *lookup_add(stream *s, char *url)
{
	lookup *l = sm_calloc(1, sizeof *l);
	l->s = s;
	l->url = url;
	s->lk = sm_realloc(s->lk, (s->nlk + 1) * sizeof *s->lk);
	s->lk[s->nlk++] = l;
	return l;
}

static void want_post(stream *s, long id)
{
	lookup_add(s, sm_asprintf("%s/posts/%ld.json", s->d->f.base, id))->post = id;
}

/* The topic around post number (0: its start), unless it is asked for already. */
static void want_topic(stream *s, long topic, long number)
{
	for (size_t i = 0; i < s->nlk; i++)
		if (!s->lk[i]->post && s->lk[i]->topic == topic && (s->lk[i]->number == number || !number))
			return;
	lookup *l = lookup_add(s, number ? sm_asprintf("%s/t/%ld/%ld.json", s->d->f.base, topic, number)
					 : sm_asprintf("%s/t/%ld.json", s->d->f.base, topic));
	l->topic = topic;
	l->number = number;
}

/* What the page's posts point to and nobody knows yet: posts replied to (from the store,
   else a topic around them), then first posts (from the cursors, else the topic). */
static void plan_topics(stream *s)
{
	dchan *d = s->d;
	size_t i;
	json_t *p;
	json_array_foreach(s->posts, i, p)
		learn(d, num(p, "topic_id"), num(p, "post_number"), num(p, "id"));
	json_array_foreach(s->posts, i, p) {
		long topic = num(p, "topic_id"), to = reply_number(p), first;
		if (to <= 1 || known(d, topic, to))
			continue;
		if ((first = first_post(d, topic)))
			learn(d, topic, to, stored_target(d, first, to));
		if (!known(d, topic, to))
			want_topic(s, topic, to);
	}
	json_array_foreach(s->posts, i, p)
		if (num(p, "post_number") > 1 && !first_post(d, num(p, "topic_id")))
			want_topic(s, num(p, "topic_id"), 0);
}

/* A topic's answer: its first post (the head of its stream) and the posts it shows. */
static void take_topic(dchan *d, json_t *t)
{
	json_t *ps = json_object_get(t, "post_stream"), *p;
	json_t *ids = json_object_get(ps, "stream");
	long topic = num(t, "id");
	size_t i;
	if (json_array_size(ids))
		learn(d, topic, 1, (long)json_integer_value(json_array_get(ids, 0)));
	json_array_foreach(json_object_get(ps, "posts"), i, p)
		learn(d, num(p, "topic_id") ? num(p, "topic_id") : topic, num(p, "post_number"),
		      num(p, "id"));
}

/* A search hit's whole post, with the title and slug of its topic from the search. */
static void take_post(stream *s, json_t *p)
{
	char k[24];
	snprintf(k, sizeof k, "%ld", num(p, "topic_id"));
	json_t *t = json_object_get(s->topics, k);
	if (!str(p, "topic_title") && str(t, "title"))
		json_object_set(p, "topic_title", json_object_get(t, "title"));
	if (!str(p, "topic_slug") && str(t, "slug"))
		json_object_set(p, "topic_slug", json_object_get(t, "slug"));
	if (num(p, "id") > 0)
		json_array_append(s->posts, p);
}

/* A lookup that failed: a post or topic gone or hidden is done without; others end the page. */
static void lookup_failed(lookup *l, sm_http_req *req)
{
	stream *s = l->s;
	char err[512];
	answer_error(req, err, sizeof err);
	if (req->status == 403 || req->status == 404 || req->status == 410) {
		if (!l->post) /* record_head falls back to CHANNEL:topic-ID, no in_reply_to */
			sm_chan_warn(s->d->c, "%s: %s: %s; what topic %ld's posts answer stays "
				     "unknown", s->name, l->url, err, l->topic);
		return;
	}
	s->temporary = s->failed ? s->temporary && req->temporary : req->temporary;
	s->failed = 1;
	snprintf(s->error, sizeof s->error, "%s: %s", l->url, err);
}

static void lookup_done(sm_http_req *req)
{
	lookup *l = req->data;
	stream *s = l->s;
	json_t *body = req->failed ? NULL : answer_json(req);
	if (req->failed)
		lookup_failed(l, req);
	else if (!body) {
		s->failed = 1;
		snprintf(s->error, sizeof s->error, "%s: the answer is not a JSON object", l->url);
	} else if (l->post)
		take_post(s, body);
	else
		take_topic(s->d, body);
	json_decref(body);
	sm_http_req_free(req);
	finished_one(s);
}

/* Store one post of the page, unless it is a small action or a whisper (staff only). */
static int put_post(stream *s, json_t *p, sm_buf *out)
{
	sm_chan *c = s->d->c;
	long type = num(p, "post_type");
	sm_item_row row;
	if (type == 3 || type == 4 || num(p, "topic_id") <= 0 || num(p, "post_number") <= 0)
		return 0;
	json_t *it = record(s->d, p);
	int rc = sm_item_flatten(it, &row);
	if (rc < 0) {
		sm_chan_fail(c, 0, "%s: post %ld: %s", s->name, num(p, "id"), sm_errmsg());
		sm_store_rollback(c->run->st);
	} else
		rc = sm_chan_put(c, &row, out);
	sm_item_row_free(&row);
	json_decref(it);
	return rc;
}

/* 1 when this page ends the walk back to the cursor. */
static int walk_done(stream *s)
{
	if (s->first || s->count == 0 || s->page_min <= s->low)
		return 1;
	if (s->query)
		return !s->more;
	return s->next && s->page_min >= s->next; /* no way further back */
}

/* The cursor after this page: "HIGH" when the walk is done, else "HIGH NEXT LOW". */
static int save_cursor(stream *s, int done)
{
	char text[80];
	long next = s->query ? (s->next > 1 ? s->next : 1) + 1 : s->page_min;
	sm_cursor cur = {NULL, NULL, text};
	if (done)
		snprintf(text, sizeof text, "%ld", s->high);
	else
		snprintf(text, sizeof text, "%ld %ld %ld", s->high, next, s->low);
	s->next = next;
	return sm_store_cursor_set(s->d->c->run->st, s->d->c->name, s->name, &cur);
}

/* The next page, a new walk from the newest when a resumed one is done, or the end (also
   after MAX_PAGES: the cursor says where the next run goes on). */
static void go_on(stream *s, int done)
{
	page_reset(s);
	if (s->pages >= MAX_PAGES && (!done || s->resumed)) {
		sm_chan_warn(s->d->c, "%s: %d pages read, the next run goes on", s->name, MAX_PAGES);
		s->busy = 0;
	} else if (!done)
		request_page(s);
	else if (s->resumed) {
		s->resumed = 0;
		s->low = s->high;
		s->next = 0;
		request_page(s);
	} else
		s->busy = 0;
}

static void store_page(stream *s)
{
	sm_chan *c = s->d->c;
	sm_buf out = {0};
	size_t i;
	json_t *p;
	int done = walk_done(s);

	if (sm_chan_begin(c) < 0)
		goto stop;
	json_array_foreach(s->posts, i, p)
		if (put_post(s, p, &out) < 0)
			goto stop;
	if (save_topics(s->d) < 0 || save_cursor(s, done) < 0) {
		sm_chan_fail(c, 1, "%s: %s", s->name, sm_errmsg());
		sm_store_rollback(c->run->st);
		goto stop;
	}
	if (sm_chan_commit(c, &out) < 0)
		goto stop;
	sm_buf_free(&out);
	go_on(s, done);
	return;
stop:
	sm_buf_free(&out);
	s->busy = 0;
	page_reset(s);
}

static int newest_first(const void *a, const void *b)
{
	long x = num(*(json_t *const *)a, "id"), y = num(*(json_t *const *)b, "id");
	return x < y ? 1 : x > y ? -1 : 0;
}

/* The page's posts newest first, as the forum lists them (search hits arrive in any order). */
static void sort_posts(stream *s)
{
	size_t n = json_array_size(s->posts);
	json_t **v = sm_calloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(s->posts, i));
	qsort(v, n, sizeof *v, newest_first);
	json_array_clear(s->posts);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(s->posts, v[i]);
	free(v);
}

/* Every lookup of a phase has ended: look up what the posts point to, then store. */
static void advance(stream *s)
{
	if (s->failed) {
		char msg[sizeof s->error]; /* stream_fail clears s->error */
		memcpy(msg, s->error, sizeof msg);
		stream_fail(s, s->temporary, msg);
	} else if (s->phase == 0) {
		s->phase = 1;
		sort_posts(s);
		plan_topics(s);
		start_lookups(s);
	} else
		store_page(s);
}

/* The ids of a page: its range, and whether a post is new. */
static void page_range(stream *s, json_t *list)
{
	size_t i;
	json_t *p;
	s->count = (long)json_array_size(list);
	s->page_min = s->page_max = 0;
	json_array_foreach(list, i, p) {
		long id = num(p, "id");
		if (!s->page_min || id < s->page_min)
			s->page_min = id;
		if (id > s->page_max)
			s->page_max = id;
	}
	if (s->page_max > s->high)
		s->high = s->page_max;
}

static int is_new(stream *s, json_t *p)
{
	return num(p, "id") > 0 && (s->first || num(p, "id") > s->low);
}

static int read_latest(stream *s, json_t *body)
{
	json_t *list = json_object_get(body, "latest_posts"), *p;
	size_t i;
	if (!json_is_array(list))
		return sm_error("%s: the answer has no latest_posts", s->url);
	page_range(s, list);
	json_array_foreach(list, i, p)
		if (is_new(s, p))
			json_array_append(s->posts, p);
	return 0;
}

static int read_search(stream *s, json_t *body)
{
	json_t *hits = json_object_get(body, "posts"), *g = json_object_get(body, "grouped_search_result");
	json_t *p;
	size_t i;
	if (!json_is_array(hits))
		return sm_error("%s: the answer has no posts (not a Discourse 2.x search)", s->url);
	page_range(s, hits);
	s->more = json_is_true(json_object_get(g, "more_full_page_results")) ||
		  json_is_true(json_object_get(g, "more_posts"));
	json_array_foreach(json_object_get(body, "topics"), i, p) {
		char k[24];
		snprintf(k, sizeof k, "%ld", num(p, "id"));
		json_object_set(s->topics, k, p);
	}
	json_array_foreach(hits, i, p)
		if (is_new(s, p))
			want_post(s, num(p, "id"));
	return 0;
}

static void page_done(sm_http_req *req)
{
	stream *s = req->data;
	json_t *body;
	if (req->failed) {
		request_failed(s, req);
		return;
	}
	if (!(body = answer_json(req))) {
		char msg[600];
		snprintf(msg, sizeof msg, "%s: the answer is not a JSON object", s->url);
		stream_fail(s, 0, msg);
		return;
	}
	sm_http_req_free(req);
	s->pages++;
	int rc = s->query ? read_search(s, body) : read_latest(s, body);
	json_decref(body);
	if (rc < 0) {
		char msg[600];
		snprintf(msg, sizeof msg, "%s", sm_errmsg());
		stream_fail(s, 0, msg);
		return;
	}
	start_lookups(s); /* phase 0: a search's hits; then advance() goes on */
}

static void request_page(stream *s)
{
	const char *base = s->d->f.base;
	sm_http_req_free(&s->req);
	free(s->url);
	if (!s->query)
		s->url = s->next ? sm_asprintf("%s/posts.json?before=%ld", base, s->next)
				 : sm_asprintf("%s/posts.json", base);
	else
		s->url = s->next > 1 ? sm_asprintf("%s/search.json?q=%s&page=%ld", base, s->query, s->next)
				     : sm_asprintf("%s/search.json?q=%s", base, s->query);
	memset(&s->req, 0, sizeof s->req);
	s->req.url = s->url;
	s->req.headers = s->d->f.headers;
	s->req.done = page_done;
	s->req.data = s;
	s->busy = 1;
	if (sm_http_add(s->d->c->run->http, &s->req) < 0) {
		char msg[600];
		snprintf(msg, sizeof msg, "%s: %s", s->url, sm_errmsg());
		stream_fail(s, 0, msg);
	}
}

/* --- the adapter ----------------------------------------------------------------------- */

static const char *const default_fetch[] = {"latest", NULL};

static const char *const *fetch_values(sm_chan *c, size_t *n)
{
	const char *const *v = sm_config_get_all_sub(c->run->cfg, "channel", c->name, "fetch", n);
	if (*n)
		return v;
	*n = 1;
	return default_fetch;
}

static int check(sm_chan *c)
{
	size_t n;
	const char *const *v = fetch_values(c, &n);
	const char *cat = sm_chan_get(c, "category");
	dchan *d = sm_calloc(1, sizeof *d);
	c->state = d;
	d->c = c;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i], "latest") && (strncmp(v[i], "search:", 7) || !v[i][7]))
			return sm_error_code(SM_EX_CONFIG, "channel '%s': unknown fetch '%s' (latest, "
					     "search:QUERY)", c->name, v[i]);
		for (size_t k = 0; k < i; k++)
			if (strcmp(v[k], v[i]) == 0) /* one cursor: two walks would race for it */
				return sm_error_code(SM_EX_CONFIG, "channel '%s': fetch '%s' is given "
						     "twice", c->name, v[i]);
	}
	if (cat && (!*cat || cat[strspn(cat, "0123456789")]))
		return sm_error_code(SM_EX_CONFIG, "channel '%s': category '%s' is not a category id "
				     "(a number)", c->name, cat);
	return forum_open(c->run->cfg, c->run->ws->dir, c->name, &d->f);
}

/* Where the stream's last run left it: none (the first run), done, or in the middle. */
static int stream_open(stream *s)
{
	sm_cursor cur = {0};
	if (sm_store_cursor_get(s->d->c->run->st, s->d->c->name, s->name, &cur) < 0)
		return -1;
	long h, nx, l;
	int k = cur.cursor ? sscanf(cur.cursor, "%ld %ld %ld", &h, &nx, &l) : 0;
	if (k == 3) {
		s->high = h, s->next = nx, s->low = l;
		s->resumed = 1;
	} else if (k >= 1)
		s->high = s->low = h;
	else
		s->first = 1;
	sm_cursor_free(&cur);
	return 0;
}

static void stream_init(dchan *d, stream *s, const char *name)
{
	s->d = d;
	s->name = name;
	s->posts = json_array();
	s->topics = json_object();
	if (strncmp(name, "search:", 7) == 0) {
		sm_buf q = {0};
		add_escaped(&q, name + 7);
		if (!strstr(name + 7, "order:"))
			add_escaped(&q, " order:latest");
		s->query = sm_buf_detach(&q);
	}
}

static int start(sm_chan *c)
{
	dchan *d = c->state;
	size_t n;
	const char *const *v = fetch_values(c, &n);
	d->known = json_object();
	d->saved = json_object();
	d->st = sm_calloc(n, sizeof *d->st);
	d->n = n;
	for (size_t i = 0; i < n; i++)
		stream_init(d, &d->st[i], v[i]);
	for (size_t i = 0; i < n; i++) {
		if (stream_open(&d->st[i]) < 0)
			return -1;
		request_page(&d->st[i]);
	}
	return 0;
}

static int busy(sm_chan *c)
{
	dchan *d = c->state;
	for (size_t i = 0; d && i < d->n; i++)
		if (d->st[i].busy)
			return 1;
	return 0;
}

static void dc_free(sm_chan *c)
{
	dchan *d = c->state;
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		stream *s = &d->st[i];
		page_reset(s);
		sm_http_req_free(&s->req);
		free(s->url);
		free(s->query);
		json_decref(s->posts);
		json_decref(s->topics);
	}
	free(d->st);
	json_decref(d->known);
	json_decref(d->saved);
	forum_close(&d->f);
	free(d);
	c->state = NULL;
}

/* --- sending ---------------------------------------------------------------------------- */

/* What a post answers: a topic and a post in it, or a new topic's title and category. */
typedef struct {
	long topic, number;
	const char *title, *category;
} target;

typedef struct {
	sm_http_req req;
	double wait; /* Retry-After, seconds; -1 if none */
} call_t;

/* Retry-After: delta seconds or an HTTP date. */
static void call_done(sm_http_req *req)
{
	call_t *k = req->data;
	const char *ra = sm_http_header(req, "Retry-After");
	char *end;
	time_t t;
	k->wait = ra ? strtod(ra, &end) : -1;
	if (ra && (end == ra || *end))
		k->wait = sm_date_parse(ra, &t) == 0 ? (double)(t - time(NULL)) : -1;
}

/* One request run to its end: 0 with the answer's object in *out, or -1 with r failed. */
static int call(sm_sender *s, forum *f, const char *url, const char *body, json_t **out,
		sm_sent *r, double *wait)
{
	call_t k = {.wait = -1};
	int rc = -1;
	*out = NULL;
	k.req.url = url;
	k.req.headers = body ? f->post_headers : f->headers;
	k.req.body = body;
	k.req.body_len = body ? strlen(body) : 0;
	k.req.done = call_done;
	k.req.data = &k;
	r->failed = 1;
	r->temporary = 1;
	if (sm_http_add(s->http, &k.req) < 0) {
		snprintf(r->error, sizeof r->error, "%s: %s", url, sm_errmsg());
		return -1;
	}
	sm_http_run(s->http);
	if (k.req.failed) {
		r->temporary = k.req.temporary;
		answer_error(&k.req, r->error, sizeof r->error);
	} else if (!(*out = answer_json(&k.req)))
		snprintf(r->error, sizeof r->error, "%s: the answer is not a JSON object", url);
	else
		rc = r->failed = r->temporary = 0;
	if (wait)
		*wait = k.wait;
	sm_http_req_free(&k.req);
	return rc;
}

/* Text as Discourse keeps it: line ends as \n, no blanks around. */
static char *normal_text(const char *s)
{
	sm_buf b = {0};
	s += strspn(s, " \t\r\n");
	for (; *s; s++)
		if (*s != '\r')
			sm_buf_addc(&b, *s);
	while (b.len && strchr(" \t\n", b.s[b.len - 1]))
		b.len--;
	sm_buf_addc(&b, 0); /* the end, where the trimming left it */
	return sm_buf_detach(&b);
}

/* A post of ours in list whose raw is the text (for a new topic: one that starts a topic;
   not compared by title, which Discourse may have prettified). Strict: a reply must answer
   the same post too, so that two drafts with one text (bulk replies) to two posts of a topic
   are two posts; loose (a send that may have gone out before) any of ours with the text. */
static json_t *mine_in(forum *f, json_t *list, const char *text, const target *t, int strict)
{
	char *want = normal_text(text);
	json_t *p, *found = NULL;
	size_t i;
	json_array_foreach(list, i, p) {
		const char *raw = str(p, "raw"), *user = str(p, "username");
		if (!raw || !user || strcasecmp(user, f->user) || (!t->topic && num(p, "post_number") != 1) ||
		    (strict && t->topic && reply_number(p) != t->number))
			continue;
		char *have = normal_text(raw);
		int same = strcmp(have, want) == 0;
		free(have);
		if (same) {
			found = json_incref(p);
			break;
		}
	}
	free(want);
	return found;
}

/* Our post with this text made before (a send that crashed or was not answered): in the
   topic's first posts and its last ones, or for a new topic in the latest posts. 0 with
   *found (or NULL), -1 with r failed. */
static int find_mine(sm_sender *s, forum *f, const sm_post *p, const target *t, int strict,
		     json_t **found, sm_sent *r)
{
	json_t *body;
	char *url = t->topic ? sm_asprintf("%s/t/%ld.json?include_raw=1", f->base, t->topic)
			     : sm_asprintf("%s/posts.json", f->base);
	int rc = call(s, f, url, NULL, &body, r, NULL);
	free(url);
	*found = NULL;
	if (rc < 0)
		return -1;
	json_t *posts = t->topic ? json_object_get(json_object_get(body, "post_stream"), "posts")
				 : json_object_get(body, "latest_posts");
	long last = num(json_array_get(posts, json_array_size(posts) - 1), "post_number");
	long highest = num(body, "highest_post_number");
	*found = mine_in(f, posts, p->text, t, strict);
	json_decref(body);
	if (*found || !t->topic || highest <= last)
		return 0;
	url = sm_asprintf("%s/t/%ld/%ld.json?include_raw=1", f->base, t->topic, highest);
	rc = call(s, f, url, NULL, &body, r, NULL);
	free(url);
	if (rc == 0)
		*found = mine_in(f, json_object_get(json_object_get(body, "post_stream"), "posts"),
				 p->text, t, strict);
	json_decref(body);
	return rc;
}

static void sent(forum *f, json_t *post, sm_sent *r)
{
	const char *slug = str(post, "topic_slug");
	long id = num(post, "id"), topic = num(post, "topic_id"), n = num(post, "post_number");
	if (id <= 0) {
		r->failed = 1;
		r->temporary = 0;
		snprintf(r->error, sizeof r->error, "the forum holds the post for a moderator (%s)",
			 str(post, "action") ? str(post, "action") : "no post id in its answer");
		return;
	}
	r->ext_id = sm_asprintf("%ld", id);
	r->url = slug && *slug ? sm_asprintf("%s/t/%s/%ld/%ld", f->base, slug, topic, n)
			       : sm_asprintf("%s/t/%ld/%ld", f->base, topic, n);
}

static char *create_body(const sm_post *p, const target *t)
{
	json_t *o = json_pack("{s:s}", "raw", p->text);
	if (t->topic) {
		json_object_set_new(o, "topic_id", json_integer(t->topic));
		json_object_set_new(o, "reply_to_post_number", json_integer(t->number));
	} else {
		json_object_set_new(o, "title", json_string(t->title));
		if (t->category)
			json_object_set_new(o, "category", json_integer(atol(t->category)));
	}
	char *body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return body;
}

/* The topic and post number of the item replied to: from its record, else from the forum. */
static int reply_target(sm_sender *s, forum *f, const sm_post *p, target *t, sm_sent *r)
{
	json_t *it = p->reply_item, *post;
	size_t pl = strlen(s->name);
	const char *ext = strncmp(p->reply_to, s->name, pl) == 0 && p->reply_to[pl] == ':'
				  ? p->reply_to + pl + 1 : strrchr(p->reply_to, ':');
	t->topic = num(it, "topic_id");
	t->number = num(it, "post_number");
	if (t->topic > 0 && t->number > 0)
		return 0;
	if (ext && *ext == ':')
		ext++;
	if (!ext || !*ext || ext[strspn(ext, "0123456789")])
		return sm_error_code(SM_EX_DATAERR, "channel '%s': '%s' is not a post of a discourse "
				     "channel", s->name, p->reply_to);
	char *url = sm_asprintf("%s/posts/%s.json", f->base, ext);
	int rc = call(s, f, url, NULL, &post, r, NULL);
	free(url);
	t->topic = num(post, "topic_id");
	t->number = num(post, "post_number");
	json_decref(post);
	if (rc == 0 && (t->topic <= 0 || t->number <= 0)) {
		r->failed = 1;
		r->temporary = 0;
		snprintf(r->error, sizeof r->error, "post %s: the forum did not say its topic", ext);
	}
	return 0;
}

static void pause_for(double seconds)
{
	struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
	while (nanosleep(&ts, &ts) < 0)
		;
}

/* Look for the post made before, else post; a passing failure (429, 5xx, no answer) is
   tried again, looking first, so a post that was made but not answered is not made twice. */
static void send_tries(sm_sender *s, forum *f, const sm_post *p, const target *t, sm_sent *r)
{
	sm_http_opts o;
	json_t *post;
	if (sm_http_opts_config(s->cfg, &o) < 0)
		o.attempts = 1;
	for (int i = 1;; i++) {
		double wait = -1;
		/* before the first try of a fresh send only a post of the same draft counts */
		if (find_mine(s, f, p, t, i == 1 && !p->reconcile, &post, r) < 0)
			return;
		if (!post) {
			char *body = create_body(p, t), *url = sm_asprintf("%s/posts.json", f->base);
			call(s, f, url, body, &post, r, &wait);
			free(body);
			free(url);
		}
		if (post) {
			sent(f, post, r);
			json_decref(post);
			return;
		}
		if (!r->temporary || i >= o.attempts)
			return;
		if (wait < 0)
			wait = (double)(1 << (i - 1));
		if (wait > o.max_wait) {
			size_t n = strlen(r->error);
			snprintf(r->error + n, sizeof r->error - n,
				 ", retry after %.0fs is beyond fetch.max-wait", wait);
			return;
		}
		pause_for(wait);
	}
}

static int dc_send(sm_sender *s, const sm_post *p, sm_sent *r)
{
	forum f;
	target t = {0};
	int rc = forum_open(s->cfg, s->ws->dir, s->name, &f);
	if (rc == 0 && !f.key)
		rc = sm_error_code(SM_EX_CONFIG, "channel '%s': sending needs a token (the Api-Key) "
				   "and a username", s->name);
	if (rc == 0 && p->reply_to)
		rc = reply_target(s, &f, p, &t, r);
	else if (rc == 0) {
		t.title = p->subject;
		t.category = sm_config_get_sub(s->cfg, "channel", s->name, "category");
		if (!t.title || !*t.title)
			rc = sm_error_code(SM_EX_DATAERR, "channel '%s': a new topic needs a subject "
					   "(its title)", s->name);
	}
	if (rc == 0 && !r->failed && p->dry_run) {
		char *body = create_body(p, &t), *url = sm_asprintf("%s/posts.json", f.base);
		sm_sent_preview(r, "POST", url, body, strlen(body));
		free(body);
		free(url);
	} else if (rc == 0 && !r->failed)
		send_tries(s, &f, p, &t, r);
	forum_close(&f);
	return rc;
}

const sm_adapter sm_adapter_discourse = {
	.kind = "discourse", .check = check, .start = start, .busy = busy, .free = dc_free,
	.send = dc_send,
};
