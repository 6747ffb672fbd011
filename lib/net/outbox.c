/*
 * outbox.c - the outbox channel kind: a post is appended as one JSON line to a file
 * (`path`, relative to the workspace). It is how the whole pipeline is tried without an
 * account (the demo), and how a site generator or another program can pick up what was
 * approved. Sending is exactly once: under a lock, a line with the post's key already in
 * the file is the post sent before, so sending again only reports it. Media are listed,
 * not copied: each file's path, git blob and SHA-256 in the plan repository, type and alt.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "net.h"

static const char *path_of(sm_config *cfg, const char *name)
{
	return sm_config_get_sub(cfg, "channel", name, "path");
}

static int ob_check(sm_chan *c)
{
	if (!path_of(c->run->cfg, c->name))
		return sm_error_code(SM_EX_CONFIG, "channel '%s': an outbox needs path (the file "
				     "posts are appended to)", c->name);
	return 0;
}

/* Nothing to fetch: an outbox only sends. */
static int ob_start(sm_chan *c) { return 0; }
static int ob_busy(sm_chan *c) { return 0; }
static void ob_free(sm_chan *c) {}

/* The line number and the line that holds key, if any. */
static long find_key(FILE *f, const char *key, long *lines)
{
	char *line = NULL;
	size_t cap = 0;
	long n = 0, found = 0;
	while (getline(&line, &cap, f) > 0) {
		n++;
		json_t *o = json_loads(line, 0, NULL);
		const char *k = json_string_value(json_object_get(o, "key"));
		if (k && !strcmp(k, key))
			found = n;
		json_decref(o);
	}
	free(line);
	*lines = n;
	return found;
}

static void sent(sm_sent *r, const char *file, long n)
{
	r->ext_id = sm_asprintf("%ld", n);
	r->url = sm_asprintf("file://%s#%ld", file, n);
}

static int ob_send(sm_sender *s, const sm_post *p, sm_sent *r)
{
	const char *rel = path_of(s->cfg, s->name);
	if (!rel)
		return sm_error_code(SM_EX_CONFIG, "channel '%s': an outbox needs path", s->name);
	if (!p->key || !*p->key)
		return sm_error_code(SM_EX_USAGE, "channel '%s': a post needs a key", s->name);
	char *file = rel[0] == '/' ? sm_strdup(rel) : sm_asprintf("%s/%s", s->ws->dir, rel);
	char now[SM_TIME_LEN];
	json_t *rec = json_pack("{s:s, s:s, s:s?, s:s, s:s}", "key", p->key, "channel", s->name,
				"reply_to", p->reply_to, "text", p->text ? p->text : "", "at",
				sm_time_format(sm_now(), now));
	if (p->nmedia) {
		json_t *media = json_array();
		for (size_t i = 0; i < p->nmedia; i++) {
			const sm_post_media *m = &p->media[i];
			json_array_append_new(media, json_pack("{s:s?, s:s?, s:s?, s:s, s:I, s:s}", "path", m->path,
							       "blob", m->blob, "sha256", m->sha256, "type", m->mime,
							       "bytes", (json_int_t)m->len, "alt", m->alt ? m->alt : ""));
		}
		json_object_set_new(rec, "media", media);
	}
	char *line = json_dumps(rec, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(rec);
	sm_buf b = {0};
	sm_buf_printf(&b, "%s\n", line);
	free(line);
	int rc = 0;
	if (p->dry_run) {
		char *url = sm_asprintf("file://%s", file);
		sm_sent_preview(r, "APPEND", url, b.s, b.len);
		free(url);
		goto out;
	}
	int fd = open(file, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		r->failed = 1;
		r->temporary = errno == ENOSPC || errno == EINTR;
		snprintf(r->error, sizeof r->error, "%s: %s", file, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	FILE *f = fdopen(dup(fd), "r");
	long lines = 0, at = f ? find_key(f, p->key, &lines) : 0;
	if (f)
		fclose(f);
	off_t end = lseek(fd, 0, SEEK_END);
	if (at) /* sent before: report it */
		sent(r, file, at);
	else if (write(fd, b.s, b.len) != (ssize_t)b.len || fsync(fd) < 0) {
		r->failed = 1;
		r->temporary = 1;
		snprintf(r->error, sizeof r->error, "%s: %s", file, strerror(errno));
		/* a short write leaves a partial line: take it back */
		if (end >= 0 && ftruncate(fd, end) < 0)
			snprintf(r->error, sizeof r->error, "%s: %s, and a partial line is left",
				 file, strerror(errno));
	} else
		sent(r, file, lines + 1);
	close(fd); /* releases the lock */
out:
	sm_buf_free(&b);
	free(file);
	return rc;
}

const sm_adapter sm_adapter_outbox = {
	.kind = "outbox", .check = ob_check, .start = ob_start, .busy = ob_busy,
	.free = ob_free, .send = ob_send, .send_only = 1, .send_media = 1,
};
