/*
 * net.h - the network area: one fetch run over many channels (fetch.c), sending one post
 * or reply (send.c), and the adapters that know one kind of channel each (lib/net/NAME.c).
 */
#ifndef SM_NET_H
#define SM_NET_H

#include "smkit.h"

typedef struct {
	int verbose;   /* 1: a summary per channel; 2: also trace HTTP headers */
	long parallel; /* overrides fetch.parallel when > 0 */
	/* a message about one channel, for stderr: a failure, or a warning (-q hides those) */
	void (*note)(const char *channel, int warning, const char *msg, void *ctx);
	/* a new item, after it was committed; -1 stops the run (output error) */
	int (*emit)(const char *json, size_t len, void *ctx);
	/* progress: channels done of all, items new so far */
	void (*progress)(int done, int all, long n_new, void *ctx);
	void *ctx;
} sm_fetch_opts;

typedef struct sm_fetch sm_fetch;
typedef struct sm_chan sm_chan;

/* A file posted with the text (an image...), read from the plan repository. */
typedef struct {
	const unsigned char *data;
	size_t len;
	const char *mime;       /* from its first bytes: image/png... */
	const char *alt;        /* the description for those who cannot see it */
	const char *name;       /* the file name to send: the path's last part */
	const char *path, *blob, *sha256; /* where it is in the plan repository, and its digest */
	int width, height;      /* pixels, 0 when unknown */
} sm_post_media;

/* A post, or a reply, to send through a channel. */
typedef struct {
	const char *text;
	const char *reply_to;   /* the item replied to (CHANNEL:EXT_ID), or NULL for a new post */
	json_t *reply_item;     /* its record when the adapter needs more (thread, e-mail headers) */
	const char *key;        /* unique to the draft: Idempotency-Key, Bluesky record key,
				   e-mail Message-ID; sending twice with one key posts once */
	const char *visibility; /* mastodon: public, unlisted, private, direct */
	const char *lang;
	const char *subject;    /* e-mail; a reply's default is "Re: " and the original's */
	const char *to;         /* e-mail; a reply's default is the original's sender */
	int dry_run;            /* do what reading needs, but instead of sending fill r->preview */
	int reconcile;          /* a send with this key may have gone out: look for it first;
				   1 a try that failed, 2 a run that died while sending */
	const sm_post_media *media; /* in order; only adapters with send_media get any */
	size_t nmedia;
} sm_post;
typedef struct {
	char *ext_id, *url;     /* malloc'd, when sent */
	int failed, temporary;  /* temporary: worth trying again (timeout, 5xx, 429) */
	char error[512];
	/* a temporary failure because the network asked to wait longer than fetch.max-wait:
	   how long (seconds), and whether nothing was sent at all */
	double retry_in;
	int unsent;
	/* dry run: what would be sent, byte for byte (malloc'd) */
	char *preview_method, *preview_url, *preview;
	size_t preview_len;
	json_t *preview_uploads; /* the uploads that would come first: [{method, url, ...}] */
} sm_sent;

/* What a send runs with. */
typedef struct {
	const char *name;       /* the channel */
	const sm_workspace *ws;
	sm_config *cfg;
	sm_http *http;
	void *state;            /* the adapter's */
} sm_sender;

typedef struct {
	const char *kind;
	int (*check)(sm_chan *c);  /* config problems: -1 with SM_EX_CONFIG */
	int (*start)(sm_chan *c);  /* begin; -1 only for errors that stop the whole run */
	int (*busy)(sm_chan *c);   /* 1 while the channel is still under way */
	int (*finish)(sm_chan *c); /* after every transfer ended: store what was held back */
	void (*free)(sm_chan *c);
	/* send a post or reply: add requests to s->http, run it, fill r; NULL if it cannot */
	int (*send)(sm_sender *s, const sm_post *p, sm_sent *r);
	int send_only; /* nothing to fetch (an outbox): sm-fetch leaves it out */
	int send_media; /* send takes a post's media; others refuse a post with any */
} sm_adapter;

struct sm_chan {
	const char *name;
	const sm_adapter *ad;
	sm_fetch *run;
	int failed, temporary; /* some source failed; every failure so far was temporary */
	long n_new, n_known;
	void *state; /* the adapter's */
};

struct sm_fetch {
	const sm_workspace *ws;
	sm_config *cfg;
	sm_store *st;
	sm_http *http;
	const sm_fetch_opts *o;
	char now[SM_TIME_LEN];
	int fatal; /* an exit status that ends the whole run (store or output error), or 0 */
	sm_chan *chans;
	int nchans;
};

extern const sm_adapter sm_adapter_feed, sm_adapter_exec, sm_adapter_mastodon,
	sm_adapter_bluesky, sm_adapter_discourse, sm_adapter_email, sm_adapter_outbox;
/* The adapter of a kind of channel; NULL (with a message naming the kinds) if none. */
const sm_adapter *sm_adapter_for(const char *kind);

/* Run every channel named (all when n is 0). Returns the exit status SPEC §5 gives:
   0, 69, 75, or a fatal one; config errors are found before anything is fetched (78). */
int sm_fetch_run(const sm_workspace *ws, sm_config *cfg, sm_store *st, char **names, int n,
		 const sm_fetch_opts *o);

// fetch.c, for the adapters
/* A warning about the channel (an ill-formed feed read as far as it went). */
void sm_chan_warn(sm_chan *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A source of the channel failed; the message goes to the note callback. */
void sm_chan_fail(sm_chan *c, int temporary, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* In the open transaction: store one row, count it, keep it for output if new. */
int sm_chan_put(sm_chan *c, const sm_item_row *row, sm_buf *out);
/* Commit, then emit the new items in out. On a store error the run's fatal status is set. */
int sm_chan_commit(sm_chan *c, sm_buf *out);
int sm_chan_begin(sm_chan *c);
const char *sm_chan_get(sm_chan *c, const char *key); /* channel.NAME.KEY */

/* The HTTP options of the config: [fetch] parallel, timeout, connect-timeout, max-size,
   attempts, max-wait; [http] cainfo. */
int sm_http_opts_config(sm_config *cfg, sm_http_opts *o);

// send.c
/* Send a post or reply through the channel's adapter; 0 with r filled (r->failed says if
   the network refused it), -1 for a problem on our side (config, no such channel). */
int sm_net_send(const sm_workspace *ws, sm_config *cfg, const char *channel, const sm_post *p,
		sm_sent *r, void (*trace)(const char *line, void *ctx), void *ctx);
void sm_sent_free(sm_sent *r);
/* Many sends in one run share one HTTP handle, so that what a network said of its rate
   limit in one answer paces the next request. */
typedef struct sm_senders sm_senders;
int sm_senders_open(const sm_workspace *ws, sm_config *cfg,
		    void (*trace)(const char *line, void *ctx), void *ctx, sm_senders **out);
int sm_senders_send(sm_senders *ss, const char *channel, const sm_post *p, sm_sent *r);
void sm_senders_close(sm_senders *ss);
/* For the adapters: a dry run's preview of a request (copies). */
void sm_sent_preview(sm_sent *r, const char *method, const char *url, const char *body, size_t len);
/* ... and of an upload of a medium that would come before it. */
void sm_sent_preview_upload(sm_sent *r, const char *method, const char *url, const sm_post_media *m);

#endif
