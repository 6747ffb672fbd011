/*
 * http.c - transfers on libcurl's multi interface: many at once with a connection limit,
 * connection reuse per host, timeouts, redirects, compression, TLS verification (never
 * switched off), proxies from the environment, conditional GET, a body size limit;
 * retries with exponential backoff and jitter for passing failures, Retry-After and the
 * networks' rate-limit headers honoured by waiting before the limit is hit; a trace of
 * the headers with every secret shown as ***.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "smkit.h"

enum { MAX_HOSTS = 64 };

typedef struct {
	char host[256];
	long remaining; /* requests left in the window; -1 unknown */
	double reset;   /* monotonic time the window starts again */
} host_limit;

struct sm_http {
	CURLM *multi;
	sm_http_opts o;
	int active;
	sm_http_req **waiting; /* not started yet: their not_before is in the future */
	size_t nwaiting, capwaiting;
	host_limit limits[MAX_HOSTS];
	size_t nlimits;
	/* the last request given up for a wait beyond max_wait: how long, and whether it was
	   never sent (sm_http_hint) */
	double hint_wait;
	int hint_unsent;
};

double sm_monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int sm_http_new(const sm_http_opts *opts, sm_http **out)
{
	static int global;
	if (!global++ && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return sm_error("unable to initialise libcurl");
	sm_http *h = sm_calloc(1, sizeof *h);
	h->o = *opts;
	if (h->o.attempts < 1)
		h->o.attempts = 1;
	h->multi = curl_multi_init();
	curl_multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, opts->parallel);
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, opts->parallel);
	srandom((unsigned)(time(NULL) ^ (long)h));
	*out = h;
	return 0;
}

void sm_http_free(sm_http *h)
{
	if (!h)
		return;
	curl_multi_cleanup(h->multi);
	free(h->waiting);
	free(h);
}

static size_t on_body(char *p, size_t size, size_t n, void *data)
{
	sm_http_req *req = data;
	size_t len = size * n;
	if (req->max_size > 0 && (long long)(req->body_in.len + len) > req->max_size) {
		snprintf(req->error, sizeof req->error,
			 "response larger than %lld bytes (fetch.max-size)", req->max_size);
		return 0; /* ends the transfer with CURLE_WRITE_ERROR */
	}
	sm_buf_add(&req->body_in, p, len);
	return len;
}

/* The trace: header lines only, Authorization-like values and known secrets hidden. */
static int on_debug(CURL *e, curl_infotype type, char *data, size_t size, void *ctx)
{
	sm_http *h = ctx;
	const char *dir = type == CURLINFO_HEADER_OUT ? "> " : type == CURLINFO_HEADER_IN ? "< " : NULL;
	if (!dir || !h->o.trace)
		return 0;
	for (char *p = data, *end = data + size; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (n) {
			char *line = sm_strndup(p, n), *colon = strchr(line, ':');
			static const char *const hidden[] = {"authorization", "api-key", "cookie",
							     "set-cookie", "proxy-authorization", NULL};
			for (int i = 0; colon && hidden[i]; i++)
				if ((size_t)(colon - line) == strlen(hidden[i]) &&
				    strncasecmp(line, hidden[i], strlen(hidden[i])) == 0)
					strcpy(colon, ": ***");
			char *safe = sm_redact(line), *out = sm_asprintf("%s%s", dir, safe);
			h->o.trace(out, h->o.ctx);
			free(out);
			free(safe);
			free(line);
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

static struct curl_slist *add_header(struct curl_slist *l, const char *name, const char *value)
{
	char *line = sm_asprintf("%s: %s", name, value);
	l = curl_slist_append(l, line);
	free(line);
	return l;
}

static void set_options(sm_http *h, CURL *e, sm_http_req *req)
{
	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, req);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, req);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "smkit/" SM_VERSION);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FILETIME, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(h->o.timeout * 1000));
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(h->o.connect_timeout * 1000));
	if (h->o.max_size > 0)
		curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->o.max_size);
	if (h->o.cainfo)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->o.cainfo);
	if (h->o.trace) {
		curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_debug);
		curl_easy_setopt(e, CURLOPT_DEBUGDATA, h);
		curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
	}
	if (req->body) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	}
	if (req->method)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
}

static struct curl_slist *headers(sm_http_req *req)
{
	struct curl_slist *hdr = NULL;
	if (req->etag)
		hdr = add_header(hdr, "If-None-Match", req->etag);
	if (req->last_modified)
		hdr = add_header(hdr, "If-Modified-Since", req->last_modified);
	for (const char *const *l = req->headers; l && *l; l++)
		hdr = curl_slist_append(hdr, *l);
	if (!req->headers)
		hdr = add_header(hdr, "Accept", "application/rss+xml, application/atom+xml, "
						"application/feed+json, application/xml;q=0.9, "
						"application/json;q=0.9, text/xml;q=0.8, */*;q=0.5");
	if (req->body && !req->headers)
		hdr = add_header(hdr, "Content-Type", "application/json");
	return hdr;
}

/* The rate-limit state of the request's host. */
static host_limit *limit_of(sm_http *h, const char *url)
{
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	size_t n = strcspn(p, "/?#");
	if (n >= sizeof h->limits[0].host)
		n = sizeof h->limits[0].host - 1;
	for (size_t i = 0; i < h->nlimits; i++)
		if (strlen(h->limits[i].host) == n && strncmp(h->limits[i].host, p, n) == 0)
			return &h->limits[i];
	if (h->nlimits == MAX_HOSTS)
		return NULL;
	host_limit *l = &h->limits[h->nlimits++];
	memcpy(l->host, p, n);
	l->host[n] = 0;
	l->remaining = -1;
	return l;
}

static void wait_for(sm_http *h, sm_http_req *req)
{
	if (h->nwaiting == h->capwaiting) {
		h->capwaiting = h->capwaiting ? h->capwaiting * 2 : 16;
		h->waiting = sm_realloc(h->waiting, h->capwaiting * sizeof *h->waiting);
	}
	h->waiting[h->nwaiting++] = req;
}

/* A request that fails before it starts: its done callback runs from sm_http_wait, never
   from inside sm_http_add, whose caller may not be ready for it. */
static void refuse(sm_http *h, sm_http_req *req, int temporary, const char *why)
{
	req->failed = 1;
	req->temporary = temporary;
	snprintf(req->error, sizeof req->error, "%s", why);
	req->not_before = 0;
	wait_for(h, req);
}

static void start(sm_http *h, sm_http_req *req)
{
	host_limit *l = limit_of(h, req->url);
	if (l && l->remaining > 0)
		l->remaining--; /* counted before the answer says so: others run at the same time */
	req->attempts++;
	if (curl_multi_add_handle(h->multi, req->handle) != CURLM_OK) {
		refuse(h, req, 0, "unable to start the transfer");
		return;
	}
	h->active++;
}

/* Start now, or queue until not_before (and until the host's rate limit allows). */
static void schedule(sm_http *h, sm_http_req *req)
{
	host_limit *l = limit_of(h, req->url);
	double now = sm_monotonic();
	if (l && l->remaining == 0 && l->reset > now && l->reset > req->not_before) {
		if (l->reset - now > h->o.max_wait) { /* not this run: cron comes again */
			char why[128];
			h->hint_wait = l->reset - now;
			h->hint_unsent = 1;
			snprintf(why, sizeof why, "rate limited for %.0fs more, beyond fetch.max-wait",
				 l->reset - now);
			refuse(h, req, 1, why);
			return;
		}
		req->not_before = l->reset;
	}
	if (req->not_before <= now) {
		start(h, req);
		return;
	}
	wait_for(h, req);
}

void sm_http_hint(sm_http *h, double *wait, int *unsent)
{
	if (wait)
		*wait = h->hint_wait;
	if (unsent)
		*unsent = h->hint_unsent;
	h->hint_wait = 0;
	h->hint_unsent = 0;
}

int sm_http_add(sm_http *h, sm_http_req *req)
{
	CURL *e = curl_easy_init();
	if (!e)
		return sm_error("unable to create a transfer");
	req->handle = e;
	req->h = h;
	req->max_size = h->o.max_size;
	req->attempts = 0;
	set_options(h, e, req);
	req->hlist = headers(req);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, (struct curl_slist *)req->hlist);
	if (req->setup)
		req->setup(e, req);
	schedule(h, req);
	return 0;
}

const char *sm_http_header(sm_http_req *req, const char *name)
{
	struct curl_header *hv;
	if (!req->handle || curl_easy_header(req->handle, name, 0, CURLH_HEADER, -1, &hv) != CURLHE_OK ||
	    !*hv->value)
		return NULL;
	return hv->value;
}

static char *header_dup(sm_http_req *req, const char *name)
{
	const char *v = sm_http_header(req, name);
	return v ? sm_strdup(v) : NULL;
}

static int temporary_code(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

/* Seconds from a Retry-After or reset header: delta seconds, epoch seconds or a date. */
static double seconds_until(const char *v)
{
	char *end;
	double d = strtod(v, &end);
	time_t t;
	if (end != v && *end == 0)
		return d > 1e9 ? d - (double)time(NULL) : d;
	if (sm_date_parse(v, &t) == 0)
		return (double)(t - time(NULL));
	return -1;
}

/* What the answer says of the host's rate limit (Mastodon, Bluesky, X). */
static void learn_limits(sm_http *h, sm_http_req *req)
{
	static const char *const names[][2] = {
		{"X-RateLimit-Remaining", "X-RateLimit-Reset"},
		{"RateLimit-Remaining", "RateLimit-Reset"},
		{"x-rate-limit-remaining", "x-rate-limit-reset"},
	};
	host_limit *l = limit_of(h, req->url);
	if (!l)
		return;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *rem = sm_http_header(req, names[i][0]), *reset = sm_http_header(req, names[i][1]);
		if (!rem)
			continue;
		l->remaining = strtol(rem, NULL, 10);
		double s = reset ? seconds_until(reset) : -1;
		l->reset = sm_monotonic() + (s > 0 ? s : 1);
		return;
	}
}

/* What went wrong, in the words of the config key that decides it where there is one. */
static void failure_text(sm_http_req *req, CURLcode rc)
{
	const sm_http_opts *o = &req->h->o;
	long sent = 0; /* the request's bytes: 0 if no connection was made (or reused) */
	curl_easy_getinfo(req->handle, CURLINFO_REQUEST_SIZE, &sent);
	if (rc == CURLE_OPERATION_TIMEDOUT && sent <= 0 && strncmp(req->url, "file:", 5))
		snprintf(req->error, sizeof req->error, "no connection within %gs (fetch.connect-timeout)",
			 o->connect_timeout);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(req->error, sizeof req->error, "no complete answer within %gs (fetch.timeout)",
			 o->timeout);
	else if (rc == CURLE_FILESIZE_EXCEEDED)
		snprintf(req->error, sizeof req->error, "response larger than %lld bytes (fetch.max-size)",
			 req->max_size);
	else
		snprintf(req->error, sizeof req->error, "%s", curl_easy_strerror(rc));
}

static void classify(sm_http_req *req, CURLcode rc)
{
	CURL *e = req->handle;
	char *url = NULL;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &req->status);
	curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &url);
	free(req->final_url);
	req->final_url = sm_strdup(url ? url : req->url);
	if (strncmp(req->final_url, "file:", 5) == 0 && rc == CURLE_OK)
		req->status = 200;
	if (rc != CURLE_OK) {
		req->failed = 1;
		req->temporary = temporary_code(rc);
		if (!req->error[0])
			failure_text(req, rc);
	} else if (req->status == 304 || req->status < 300 || strncmp(req->url, "http", 4) != 0) {
		req->failed = 0;
	} else {
		req->failed = 1;
		/* 501 (a method the server lacks) and 505 will not change by asking again */
		req->temporary = (req->status >= 500 && req->status != 501 && req->status != 505) ||
				 req->status == 429 || req->status == 408;
		snprintf(req->error, sizeof req->error, "HTTP %ld", req->status);
	}
}

/* A passing failure is tried again after a backoff: 1 s, 2 s, 4 s... with jitter, or
   what Retry-After says; a POST only when it is idempotent. 1 if queued again. */
static int retry(sm_http *h, sm_http_req *req)
{
	int most = req->max_attempts > 0 ? req->max_attempts : h->o.attempts;
	if (!req->failed || !req->temporary || req->attempts >= most ||
	    (req->body && !req->idempotent))
		return 0;
	const char *ra = sm_http_header(req, "Retry-After");
	double wait = ra ? seconds_until(ra) : -1;
	if (wait < 0) {
		double base = (double)(1 << (req->attempts - 1));
		wait = base * (0.5 + (double)random() / RAND_MAX); /* jitter: 0.5x to 1.5x */
	}
	if (wait > h->o.max_wait) {
		snprintf(req->error + strlen(req->error), sizeof req->error - strlen(req->error),
			 ", retry after %.0fs is beyond fetch.max-wait", wait);
		h->hint_wait = wait;
		h->hint_unsent = 0;
		return 0;
	}
	curl_multi_remove_handle(h->multi, req->handle);
	sm_buf_reset(&req->body_in);
	req->failed = req->temporary = 0;
	req->error[0] = 0;
	req->not_before = sm_monotonic() + wait;
	schedule(h, req);
	return 1;
}

static void finish(sm_http *h, sm_http_req *req, CURLcode rc)
{
	h->active--;
	classify(req, rc);
	learn_limits(h, req);
	if (retry(h, req))
		return;
	free(req->resp_etag);
	free(req->resp_last_modified);
	free(req->content_type);
	req->resp_etag = header_dup(req, "ETag");
	req->resp_last_modified = header_dup(req, "Last-Modified");
	req->content_type = header_dup(req, "Content-Type");
	curl_multi_remove_handle(h->multi, req->handle);
	if (req->done)
		req->done(req);
}

/* Start what waited long enough; the milliseconds until the next one may start. */
static long start_due(sm_http *h, long timeout_ms)
{
	double now = sm_monotonic(), next = now + (double)timeout_ms / 1000;
	size_t k = 0;
	/* the list may grow while done callbacks add requests: take it as it is now */
	size_t n = h->nwaiting;
	sm_http_req **due = sm_malloc((n + 1) * sizeof *due);
	size_t ndue = 0;
	for (size_t i = 0; i < n; i++) {
		sm_http_req *req = h->waiting[i];
		if (req->not_before <= now)
			due[ndue++] = req;
		else {
			if (req->not_before < next)
				next = req->not_before;
			h->waiting[k++] = req;
		}
	}
	if (h->nwaiting > n) /* added meanwhile: keep them after the ones still waiting */
		memmove(h->waiting + k, h->waiting + n, (h->nwaiting - n) * sizeof *h->waiting);
	h->nwaiting = k + (h->nwaiting - n);
	for (size_t i = 0; i < ndue; i++) {
		if (due[i]->failed) { /* refused before it started */
			if (due[i]->done)
				due[i]->done(due[i]);
		} else
			start(h, due[i]);
	}
	free(due);
	long ms = (long)((next - now) * 1000) + 1;
	return ms < 0 ? 0 : ms;
}

int sm_http_wait(sm_http *h, int timeout_ms)
{
	int still, left, ended = 0;
	CURLMsg *m;

	long wait = start_due(h, timeout_ms);
	curl_multi_perform(h->multi, &still);
	while ((m = curl_multi_info_read(h->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		sm_http_req *req = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&req);
		finish(h, req, m->data.result);
		ended++;
	}
	/* something ended: let the caller look before waiting again. Otherwise wait, even
	   with no transfer under way (exec channels wake us up when they end) */
	if (!ended)
		curl_multi_poll(h->multi, NULL, 0, (int)wait, NULL);
	return h->active + (int)h->nwaiting;
}

void sm_http_run(sm_http *h)
{
	while (sm_http_wait(h, 1000) > 0)
		;
}

void sm_http_wakeup(sm_http *h) { curl_multi_wakeup(h->multi); }

void sm_http_req_free(sm_http_req *req)
{
	if (req->handle)
		curl_easy_cleanup(req->handle);
	curl_slist_free_all(req->hlist);
	sm_buf_free(&req->body_in);
	free(req->resp_etag);
	free(req->resp_last_modified);
	free(req->content_type);
	free(req->final_url);
	req->handle = req->hlist = NULL;
	req->resp_etag = req->resp_last_modified = req->content_type = req->final_url = NULL;
}

char *sm_link_next(const char *link)
{
	/* <https://x/api?max_id=1>; rel="next", <...>; rel="prev" */
	for (const char *p = link; p && (p = strchr(p, '<'));) {
		const char *gt = strchr(p, '>');
		if (!gt)
			return NULL;
		const char *end = strchr(gt, ',');
		size_t n = end ? (size_t)(end - gt) : strlen(gt);
		char *params = sm_strndup(gt, n);
		int next = strstr(params, "rel=\"next\"") || strstr(params, "rel=next");
		free(params);
		if (next)
			return sm_strndup(p + 1, (size_t)(gt - p - 1));
		p = end;
	}
	return NULL;
}
