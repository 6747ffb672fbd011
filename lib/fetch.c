/*
 * fetch.c - one fetch run: every channel at once through its adapter, items committed
 * before their cursor moves and before they are printed, one failing channel never
 * stopping the others, and the exit status that says what happened.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

/* Every kind of channel there is. */
static const sm_adapter *const adapters[] = {
	&sm_adapter_feed, &sm_adapter_exec, &sm_adapter_mastodon, &sm_adapter_bluesky,
	&sm_adapter_discourse, &sm_adapter_email, &sm_adapter_outbox,
};
#define NADAPTERS (sizeof adapters / sizeof adapters[0])

const char *sm_chan_get(sm_chan *c, const char *key)
{
	return sm_config_get_sub(c->run->cfg, "channel", c->name, key);
}

static void note(sm_chan *c, int warning, const char *fmt, va_list ap)
{
	char msg[2048];
	vsnprintf(msg, sizeof msg, fmt, ap);
	char *safe = sm_redact(msg); /* a server may echo a token back in its error */
	if (c->run->o->note)
		c->run->o->note(c->name, warning, safe, c->run->o->ctx);
	free(safe);
}

void sm_chan_warn(sm_chan *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	note(c, 1, fmt, ap);
	va_end(ap);
}

static void summary(sm_chan *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	note(c, 0, fmt, ap);
	va_end(ap);
}

void sm_chan_fail(sm_chan *c, int temporary, const char *fmt, ...)
{
	va_list ap;
	c->temporary = c->failed ? c->temporary && temporary : temporary;
	c->failed = 1;
	va_start(ap, fmt);
	note(c, 0, fmt, ap);
	va_end(ap);
}

/* A store error ends the run: every later write would fail the same way. */
static int store_failed(sm_chan *c)
{
	if (!c->run->fatal)
		c->run->fatal = sm_errcode();
	sm_chan_fail(c, 1, "%s", sm_errmsg());
	sm_store_rollback(c->run->st);
	return -1;
}

int sm_chan_begin(sm_chan *c)
{
	if (c->run->fatal)
		return -1;
	return sm_store_begin(c->run->st) < 0 ? store_failed(c) : 0;
}

int sm_chan_put(sm_chan *c, const sm_item_row *row, sm_buf *out)
{
	int is_new;
	if (sm_store_put_row(c->run->st, row, &is_new) < 0)
		return store_failed(c);
	if (is_new) {
		c->n_new++;
		sm_buf_add(out, row->v[SM_COL_RECORD], row->len[SM_COL_RECORD]);
		sm_buf_addc(out, '\n');
	} else
		c->n_known++;
	return 0;
}

int sm_chan_commit(sm_chan *c, sm_buf *out)
{
	sm_fetch *run = c->run;
	if (sm_store_commit(run->st) < 0)
		return store_failed(c);
	for (char *p = out->s, *nl; p && (nl = memchr(p, '\n', out->s + out->len - p)); p = nl + 1)
		if (run->o->emit && run->o->emit(p, (size_t)(nl - p), run->o->ctx) < 0) {
			run->fatal = sm_errcode();
			sm_buf_reset(out);
			return -1;
		}
	sm_buf_reset(out);
	return 0;
}

const sm_adapter *sm_adapter_for(const char *kind)
{
	for (size_t i = 0; i < NADAPTERS; i++)
		if (strcmp(adapters[i]->kind, kind) == 0)
			return adapters[i];
	sm_buf kinds = {0};
	for (size_t i = 0; i < NADAPTERS; i++)
		sm_buf_printf(&kinds, "%s%s", kinds.len ? ", " : "", adapters[i]->kind);
	sm_error_code(SM_EX_CONFIG, "unknown kind '%s' (%s)", kind, kinds.s);
	sm_buf_free(&kinds);
	return NULL;
}

/* Set up the channels to run, and check their config before anything is fetched. */
static int setup(sm_fetch *run, char **names, int n)
{
	size_t all;
	const char *const *subs = sm_config_subsections(run->cfg, "channel", &all);
	for (int i = 0; i < n; i++) {
		size_t k;
		for (k = 0; k < all && strcmp(subs[k], names[i]) != 0; k++)
			;
		if (k == all)
			return sm_error_code(SM_EX_CONFIG, "unknown channel '%s'", names[i]);
	}
	run->chans = sm_calloc(all + 1, sizeof *run->chans);
	for (size_t k = 0; k < all; k++) {
		int wanted = n == 0;
		for (int i = 0; i < n; i++)
			wanted |= strcmp(subs[k], names[i]) == 0;
		if (!wanted)
			continue;
		sm_chan *c = &run->chans[run->nchans++];
		c->name = subs[k];
		c->run = run;
		const char *kind = sm_chan_get(c, "kind");
		if (!kind)
			return sm_error_code(SM_EX_CONFIG, "channel '%s' has no kind", c->name);
		if (!(c->ad = sm_adapter_for(kind))) {
			char msg[1024];
			snprintf(msg, sizeof msg, "%s", sm_errmsg());
			return sm_error_code(SM_EX_CONFIG, "channel '%s': %s", c->name, msg);
		}
		if (c->ad->check(c) < 0)
			return -1;
		if (c->ad->send_only && n > 0)
			return sm_error_code(SM_EX_USAGE, "channel '%s' is an %s: it is only sent to, "
					     "there is nothing to fetch", c->name, kind);
		if (c->ad->send_only)
			memset(&run->chans[--run->nchans], 0, sizeof *c);
	}
	return 0;
}

int sm_http_opts_config(sm_config *cfg, sm_http_opts *o)
{
	long attempts;
	memset(o, 0, sizeof *o);
	o->cainfo = sm_config_get(cfg, "http.cainfo");
	if (sm_config_int(cfg, "fetch.parallel", 20, &o->parallel) < 0 ||
	    sm_config_duration(cfg, "fetch.timeout", 30, &o->timeout) < 0 ||
	    sm_config_duration(cfg, "fetch.connect-timeout", 10, &o->connect_timeout) < 0 ||
	    sm_config_bytes(cfg, "fetch.max-size", 16 << 20, &o->max_size) < 0 ||
	    sm_config_int(cfg, "fetch.attempts", 3, &attempts) < 0 ||
	    sm_config_duration(cfg, "fetch.max-wait", 60, &o->max_wait) < 0)
		return -1;
	o->attempts = (int)attempts;
	if (o->parallel < 1 || attempts < 1)
		return sm_error_code(SM_EX_CONFIG, "fetch.parallel and fetch.attempts must be at least 1");
	return 0;
}

static void trace(const char *line, void *ctx)
{
	sm_fetch *run = ctx;
	if (run->o->note)
		run->o->note("http", 1, line, run->o->ctx);
}

static int http_setup(sm_fetch *run)
{
	sm_http_opts ho;
	if (sm_http_opts_config(run->cfg, &ho) < 0)
		return -1;
	if (run->o->parallel > 0)
		ho.parallel = run->o->parallel;
	if (run->o->verbose > 1) {
		ho.trace = trace;
		ho.ctx = run;
	}
	return sm_http_new(&ho, &run->http);
}

static int busy_count(sm_fetch *run)
{
	int busy = 0;
	for (int i = 0; i < run->nchans; i++)
		busy += run->chans[i].ad->busy(&run->chans[i]);
	return busy;
}

static int status(sm_fetch *run)
{
	int failed = 0, permanent = 0;
	for (int i = 0; i < run->nchans; i++) {
		sm_chan *c = &run->chans[i];
		failed |= c->failed;
		permanent |= c->failed && !c->temporary;
		if (run->o->verbose)
			summary(c, "%ld new, %ld known%s", c->n_new, c->n_known,
				     c->failed ? ", failed" : "");
	}
	if (run->fatal)
		return run->fatal;
	return !failed ? 0 : permanent ? SM_EX_UNAVAILABLE : SM_EX_TEMPFAIL;
}

static void run_all(sm_fetch *run)
{
	long n_new = 0;
	for (int i = 0; i < run->nchans && !run->fatal; i++) {
		sm_chan *c = &run->chans[i];
		if (sm_store_channel_seen(run->st, c->name, c->ad->kind) < 0 || c->ad->start(c) < 0)
			store_failed(c);
	}
	for (int busy; (busy = busy_count(run)) > 0;) {
		sm_http_wait(run->http, 1000);
		if (run->o->progress) {
			n_new = 0;
			for (int i = 0; i < run->nchans; i++)
				n_new += run->chans[i].n_new;
			run->o->progress(run->nchans - busy, run->nchans, n_new, run->o->ctx);
		}
	}
	for (int i = 0; i < run->nchans; i++)
		if (!run->fatal && run->chans[i].ad->finish)
			run->chans[i].ad->finish(&run->chans[i]);
}

int sm_fetch_run(const sm_workspace *ws, sm_config *cfg, sm_store *st, char **names, int n,
		 const sm_fetch_opts *o)
{
	sm_fetch run = {.ws = ws, .cfg = cfg, .st = st, .o = o};
	int rc;

	sm_time_format(sm_now(), run.now);
	if (setup(&run, names, n) < 0 || http_setup(&run) < 0)
		rc = -1;
	else {
		run_all(&run);
		rc = status(&run);
	}
	for (int i = 0; i < run.nchans; i++)
		if (run.chans[i].ad && run.chans[i].ad->free)
			run.chans[i].ad->free(&run.chans[i]);
	free(run.chans);
	sm_http_free(run.http);
	return rc;
}
