/*
 * send.c - sending posts and replies through the adapters of their channels: what
 * sm-publish and forwarding build on. The adapter makes the requests; this runs them to
 * the end, on one HTTP handle per run so rate limits learnt from one answer pace the next.
 */
#include <stdlib.h>
#include <string.h>

#include "net.h"

struct sm_senders {
	const sm_workspace *ws;
	sm_config *cfg;
	sm_http *http;
};

int sm_senders_open(const sm_workspace *ws, sm_config *cfg,
		    void (*trace)(const char *line, void *ctx), void *ctx, sm_senders **out)
{
	sm_http_opts o;
	*out = NULL;
	if (sm_http_opts_config(cfg, &o) < 0)
		return -1;
	o.trace = trace;
	o.ctx = ctx;
	sm_senders *ss = sm_calloc(1, sizeof *ss);
	ss->ws = ws;
	ss->cfg = cfg;
	if (sm_http_new(&o, &ss->http) < 0) {
		free(ss);
		return -1;
	}
	*out = ss;
	return 0;
}

void sm_senders_close(sm_senders *ss)
{
	if (!ss)
		return;
	sm_http_free(ss->http);
	free(ss);
}

int sm_senders_send(sm_senders *ss, const char *channel, const sm_post *p, sm_sent *r)
{
	sm_sender s = {.name = channel, .ws = ss->ws, .cfg = ss->cfg, .http = ss->http};
	const char *kind = sm_config_get_sub(ss->cfg, "channel", channel, "kind");
	const sm_adapter *ad;

	memset(r, 0, sizeof *r);
	if (!kind)
		return sm_error_code(SM_EX_CONFIG, "no channel '%s' (or it has no kind)", channel);
	if (!(ad = sm_adapter_for(kind)))
		return -1;
	if (!ad->send)
		return sm_error_code(SM_EX_CONFIG, "channel '%s': a %s channel cannot send", channel, kind);
	if (p->nmedia && !ad->send_media) { /* the network refused it, as it were: for good */
		r->failed = 1;
		snprintf(r->error, sizeof r->error, "the post has %zu media file%s and a %s channel "
			 "cannot send media yet", p->nmedia, p->nmedia == 1 ? "" : "s", kind);
		return 0;
	}
	sm_http_hint(ss->http, NULL, NULL);
	int rc = ad->send(&s, p, r);
	double wait;
	int unsent;
	sm_http_hint(ss->http, &wait, &unsent);
	if (r->failed && r->temporary && wait > 0) {
		r->retry_in = wait;
		r->unsent = unsent;
	}
	if (r->failed) { /* the network's words may hold what we sent it */
		char *safe = sm_redact(r->error);
		snprintf(r->error, sizeof r->error, "%s", safe);
		free(safe);
	}
	return rc;
}

int sm_net_send(const sm_workspace *ws, sm_config *cfg, const char *channel, const sm_post *p,
		sm_sent *r, void (*trace)(const char *line, void *ctx), void *ctx)
{
	sm_senders *ss;
	memset(r, 0, sizeof *r);
	if (sm_senders_open(ws, cfg, trace, ctx, &ss) < 0)
		return -1;
	int rc = sm_senders_send(ss, channel, p, r);
	sm_senders_close(ss);
	return rc;
}

void sm_sent_preview(sm_sent *r, const char *method, const char *url, const char *body, size_t len)
{
	free(r->preview_method);
	free(r->preview_url);
	free(r->preview);
	r->preview_method = sm_strdup(method);
	r->preview_url = sm_strdup(url);
	r->preview = sm_malloc(len + 1);
	memcpy(r->preview, body, len);
	r->preview[len] = 0;
	r->preview_len = len;
}

void sm_sent_preview_upload(sm_sent *r, const char *method, const char *url, const sm_post_media *m)
{
	if (!r->preview_uploads)
		r->preview_uploads = json_array();
	json_array_append_new(r->preview_uploads,
			      json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s}", "method", method, "url", url,
					"path", m->path ? m->path : m->name, "file", m->name, "type", m->mime,
					"bytes", (json_int_t)m->len, "sha256", m->sha256 ? m->sha256 : "",
					"alt", m->alt ? m->alt : ""));
}

void sm_sent_free(sm_sent *r)
{
	json_decref(r->preview_uploads);
	r->preview_uploads = NULL;
	free(r->ext_id);
	free(r->url);
	free(r->preview_method);
	free(r->preview_url);
	free(r->preview);
	r->ext_id = r->url = r->preview_method = r->preview_url = r->preview = NULL;
}
