/*
 * http.c - transfers on libcurl's multi interface: many at once with a connection limit,
 * connection reuse per host, timeouts, redirects, compression, TLS verification (never
 * switched off), proxies from the environment, conditional GET and a body size limit.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "smkit.h"

struct sm_http {
	CURLM *multi;
	sm_http_opts o;
	int running;
};

int sm_http_new(const sm_http_opts *opts, sm_http **out)
{
	static int global;
	if (!global++ && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return sm_error("unable to initialise libcurl");
	sm_http *h = sm_calloc(1, sizeof *h);
	h->o = *opts;
	h->multi = curl_multi_init();
	curl_multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, opts->parallel);
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, opts->parallel);
	*out = h;
	return 0;
}

void sm_http_free(sm_http *h)
{
	if (!h)
		return;
	curl_multi_cleanup(h->multi);
	free(h);
}

static size_t on_body(char *p, size_t size, size_t n, void *data)
{
	sm_http_req *req = data;
	size_t len = size * n;
	if (req->max_size > 0 && (long long)(req->body.len + len) > req->max_size) {
		snprintf(req->error, sizeof req->error,
			 "response larger than %lld bytes (fetch.max-size)", req->max_size);
		return 0; /* ends the transfer with CURLE_WRITE_ERROR */
	}
	sm_buf_add(&req->body, p, len);
	return len;
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
}

int sm_http_add(sm_http *h, sm_http_req *req)
{
	CURL *e = curl_easy_init();
	struct curl_slist *hdr = NULL;

	if (!e)
		return sm_error("unable to create a transfer");
	req->handle = e;
	req->max_size = h->o.max_size;
	set_options(h, e, req);
	if (req->etag)
		hdr = add_header(hdr, "If-None-Match", req->etag);
	if (req->last_modified)
		hdr = add_header(hdr, "If-Modified-Since", req->last_modified);
	hdr = add_header(hdr, "Accept", "application/rss+xml, application/atom+xml, "
					"application/feed+json, application/xml;q=0.9, "
					"application/json;q=0.9, text/xml;q=0.8, */*;q=0.5");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdr);
	req->headers = hdr;
	if (curl_multi_add_handle(h->multi, e) != CURLM_OK) {
		curl_slist_free_all(hdr);
		curl_easy_cleanup(e);
		req->handle = req->headers = NULL;
		return sm_error("unable to start '%s'", req->url);
	}
	h->running++;
	return 0;
}

static char *header(CURL *e, const char *name)
{
	struct curl_header *hv;
	if (curl_easy_header(e, name, 0, CURLH_HEADER, -1, &hv) != CURLHE_OK || !*hv->value)
		return NULL;
	return sm_strdup(hv->value);
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

/* Fill in the results of an ended transfer and classify it. */
static void finish(sm_http_req *req, CURLcode rc)
{
	CURL *e = req->handle;
	char *url = NULL;

	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &req->status);
	curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &url);
	req->final_url = sm_strdup(url ? url : req->url);
	if (strncmp(req->final_url, "file:", 5) == 0 && rc == CURLE_OK)
		req->status = 200;
	req->resp_etag = header(e, "ETag");
	req->resp_last_modified = header(e, "Last-Modified");
	req->content_type = header(e, "Content-Type");
	if (rc != CURLE_OK) {
		req->failed = 1;
		req->temporary = temporary_code(rc);
		if (!req->error[0])
			snprintf(req->error, sizeof req->error, "%s", curl_easy_strerror(rc));
	} else if (req->status == 304 || (req->status >= 200 && req->status < 300)) {
		req->failed = 0;
	} else {
		req->failed = 1;
		req->temporary = req->status >= 500 || req->status == 429 || req->status == 408;
		snprintf(req->error, sizeof req->error, "HTTP %ld", req->status);
	}
}

int sm_http_wait(sm_http *h, int timeout_ms)
{
	int still, left, ended = 0;
	CURLMsg *m;

	curl_multi_perform(h->multi, &still);
	while ((m = curl_multi_info_read(h->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		CURL *e = m->easy_handle;
		sm_http_req *req = NULL;
		curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&req);
		finish(req, m->data.result);
		curl_multi_remove_handle(h->multi, e);
		h->running--;
		if (req->done)
			req->done(req);
		ended++;
	}
	/* something ended: let the caller look before waiting again. Otherwise wait, even
	   with no transfer under way (exec channels wake us up when they end) */
	if (!ended)
		curl_multi_poll(h->multi, NULL, 0, timeout_ms, NULL);
	return h->running;
}

void sm_http_wakeup(sm_http *h) { curl_multi_wakeup(h->multi); }

void sm_http_req_free(sm_http_req *req)
{
	if (req->handle)
		curl_easy_cleanup(req->handle);
	curl_slist_free_all(req->headers);
	sm_buf_free(&req->body);
	free(req->resp_etag);
	free(req->resp_last_modified);
	free(req->content_type);
	free(req->final_url);
	req->handle = req->headers = NULL;
	req->resp_etag = req->resp_last_modified = req->content_type = req->final_url = NULL;
}
