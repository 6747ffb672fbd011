/*
 * net/feed.c - the feed channel: RSS, Atom and JSON Feed documents from http(s) and file
 * URLs, several per channel, with conditional GET; each URL's cursor (ETag, Last-Modified)
 * is written in the transaction that stores its items.
 */
#include <stdlib.h>
#include <string.h>

#include "../net.h"

typedef struct {
	sm_chan *c;
	sm_http_req req;
	sm_cursor cur;
	int busy;
} source;

typedef struct {
	source *src;
	size_t n;
} feed_state;

static int check(sm_chan *c)
{
	size_t n;
	const char *const *urls = sm_config_get_all_sub(c->run->cfg, "channel", c->name, "url", &n);
	if (n == 0)
		return sm_error_code(SM_EX_CONFIG, "channel '%s': a feed needs at least one url",
				     c->name);
	for (size_t i = 0; i < n; i++)
		if (strncmp(urls[i], "http://", 7) && strncmp(urls[i], "https://", 8) &&
		    strncmp(urls[i], "file://", 7))
			return sm_error_code(SM_EX_CONFIG, "channel '%s': url '%s' is not http, "
					     "https or file", c->name, urls[i]);
	return 0;
}

static void copy(json_t *to, json_t *from, const char *key)
{
	json_t *v = json_object_get(from, key);
	if (v && !json_is_null(v))
		json_object_set(to, key, v);
}

/* The item record of one feed entry, its fields in the order sm-item(5) shows. */
static json_t *item_record(sm_chan *c, source *s, sm_feed *f, json_t *e)
{
	const char *ext = json_string_value(json_object_get(e, "ext_id"));
	char *id = sm_asprintf("%s:%s", c->name, ext);
	json_t *it = json_object(), *a = json_object_get(e, "author");

	json_object_set_new(it, "id", json_string(id));
	json_object_set_new(it, "channel", json_string(c->name));
	json_object_set_new(it, "network", json_string("feed"));
	json_object_set_new(it, "kind", json_string("post"));
	copy(it, e, "ext_id");
	copy(it, e, "url");
	json_object_set_new(it, "thread", json_string(id));
	copy(it, e, "in_reply_to_url");
	if (json_is_object(a)) {
		json_t *au = json_object();
		const char *who = json_string_value(json_object_get(a, "email"));
		if (!who)
			who = json_string_value(json_object_get(a, "url"));
		if (!who)
			who = json_string_value(json_object_get(a, "name"));
		if (who) {
			char *aid = sm_asprintf("feed:%s", who);
			json_object_set_new(au, "id", json_string(aid));
			free(aid);
		}
		json_object_update(au, a);
		json_object_set_new(it, "author", au);
	}
	copy(it, e, "title");
	json_object_set_new(it, "text", json_string(json_string_value(json_object_get(e, "text"))
						    ? json_string_value(json_object_get(e, "text")) : ""));
	copy(it, e, "lang");
	if (!json_object_get(it, "lang") && f->lang)
		json_object_set_new(it, "lang", json_string(f->lang));
	copy(it, e, "created_at");
	if (!json_object_get(it, "created_at"))
		json_object_set_new(it, "created_at", json_string(c->run->now));
	copy(it, e, "updated_at");
	json_object_set_new(it, "fetched_at", json_string(c->run->now));
	copy(it, e, "categories");
	json_object_set_new(it, "feed", json_pack("{s:s, s:s?}", "url", s->req.url, "title", f->title));
	free(id);
	return it;
}

static void store(source *s, sm_feed *f)
{
	sm_chan *c = s->c;
	/* an ill-formed document may have been cut short on its way: its validators would
	   answer the next run with a 304 and the rest of it would never be read */
	sm_cursor cur = {f->bozo ? NULL : s->req.resp_etag, f->bozo ? NULL : s->req.resp_last_modified, NULL};
	sm_buf out = {0};
	size_t i;
	json_t *e;

	if (sm_chan_begin(c) < 0)
		return;
	json_array_foreach(f->items, i, e) {
		sm_item_row row;
		json_t *it = item_record(c, s, f, e);
		int rc = sm_item_flatten(it, &row);
		if (rc == 0)
			rc = sm_chan_put(c, &row, &out);
		sm_item_row_free(&row);
		json_decref(it);
		if (rc < 0) {
			sm_buf_free(&out);
			return;
		}
	}
	if (sm_store_cursor_set(c->run->st, c->name, s->req.url, &cur) < 0) {
		sm_chan_fail(c, 1, "%s", sm_errmsg());
		sm_store_rollback(c->run->st);
	} else
		sm_chan_commit(c, &out);
	sm_buf_free(&out);
}

static void not_modified(source *s)
{
	sm_chan *c = s->c;
	sm_cursor cur = {s->req.resp_etag ? s->req.resp_etag : s->cur.etag,
			 s->req.resp_last_modified ? s->req.resp_last_modified : s->cur.last_modified,
			 NULL};
	sm_buf none = {0};
	if (sm_chan_begin(c) < 0)
		return;
	if (sm_store_cursor_set(c->run->st, c->name, s->req.url, &cur) < 0) {
		sm_chan_fail(c, 1, "%s", sm_errmsg());
		sm_store_rollback(c->run->st);
		return;
	}
	sm_chan_commit(c, &none);
}

static void failed(source *s, int temporary, const char *msg)
{
	sm_store_note_error(s->c->run->st, s->c->name, s->req.url, msg);
	sm_chan_fail(s->c, temporary, "%s: %s", s->req.url, msg);
}

static void done(sm_http_req *req)
{
	source *s = req->data;
	sm_feed f = {0};

	s->busy = 0;
	if (req->failed)
		failed(s, req->temporary, req->error);
	else if (req->status == 304)
		not_modified(s);
	else if (sm_feed_parse(req->body_in.s ? req->body_in.s : "", req->body_in.len, req->final_url,
			       req->content_type, &f) < 0) {
		/* the type the server claimed tells a login page or an error page at once */
		char *msg = sm_asprintf("%s (Content-Type: %s)", sm_errmsg(),
					req->content_type ? req->content_type : "none");
		failed(s, 0, msg);
		free(msg);
	}
	else {
		if (f.bozo)
			sm_chan_warn(s->c, "%s: ill-formed feed (%s), read what could be read",
				     req->url, f.bozo_msg ? f.bozo_msg : "unknown error");
		store(s, &f);
	}
	sm_feed_free(&f);
	sm_http_req_free(req);
}

static int start(sm_chan *c)
{
	feed_state *fs = sm_calloc(1, sizeof *fs);
	const char *const *urls = sm_config_get_all_sub(c->run->cfg, "channel", c->name, "url", &fs->n);
	c->state = fs;
	fs->src = sm_calloc(fs->n, sizeof *fs->src);
	for (size_t i = 0; i < fs->n; i++) {
		source *s = &fs->src[i];
		s->c = c;
		s->req.url = urls[i];
		s->req.data = s;
		s->req.done = done;
		if (sm_store_cursor_get(c->run->st, c->name, urls[i], &s->cur) < 0)
			return -1;
		s->req.etag = s->cur.etag;
		s->req.last_modified = s->cur.last_modified;
		if (sm_http_add(c->run->http, &s->req) < 0)
			sm_chan_fail(c, 0, "%s: %s", urls[i], sm_errmsg());
		else
			s->busy = 1;
	}
	return 0;
}

static int busy(sm_chan *c)
{
	feed_state *fs = c->state;
	if (!fs)
		return 0;
	for (size_t i = 0; i < fs->n; i++)
		if (fs->src[i].busy)
			return 1;
	return 0;
}

static void feed_free(sm_chan *c)
{
	feed_state *fs = c->state;
	if (!fs)
		return;
	for (size_t i = 0; i < fs->n; i++) {
		sm_http_req_free(&fs->src[i].req);
		sm_cursor_free(&fs->src[i].cur);
	}
	free(fs->src);
	free(fs);
	c->state = NULL;
}

const sm_adapter sm_adapter_feed = {
	.kind = "feed", .check = check, .start = start, .busy = busy, .free = feed_free,
};
