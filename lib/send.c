/*
 * send.c - sending one post or reply through the adapter of a channel: what sm-publish
 * and forwarding build on. The adapter makes the requests; this runs them to the end.
 */
#include <stdlib.h>
#include <string.h>

#include "net.h"

int sm_net_send(const sm_workspace *ws, sm_config *cfg, const char *channel, const sm_post *p,
		sm_sent *r, void (*trace)(const char *line, void *ctx), void *ctx)
{
	sm_http_opts o;
	sm_sender s = {.name = channel, .ws = ws, .cfg = cfg};
	const char *kind = sm_config_get_sub(cfg, "channel", channel, "kind");
	const sm_adapter *ad;

	memset(r, 0, sizeof *r);
	if (!kind)
		return sm_error_code(SM_EX_CONFIG, "no channel '%s' (or it has no kind)", channel);
	if (!(ad = sm_adapter_for(kind)))
		return -1;
	if (!ad->send)
		return sm_error_code(SM_EX_CONFIG, "channel '%s': a %s channel cannot send", channel, kind);
	if (sm_http_opts_config(cfg, &o) < 0)
		return -1;
	o.trace = trace;
	o.ctx = ctx;
	if (sm_http_new(&o, &s.http) < 0)
		return -1;
	int rc = ad->send(&s, p, r);
	sm_http_free(s.http);
	if (r->failed) { /* the network's words may hold what we sent it */
		char *safe = sm_redact(r->error);
		snprintf(r->error, sizeof r->error, "%s", safe);
		free(safe);
	}
	return rc;
}

void sm_sent_free(sm_sent *r)
{
	free(r->ext_id);
	free(r->url);
	r->ext_id = r->url = NULL;
}
