/*
 * plan_check.c - the lint of plan entries (sm-plan check), as a CI job runs it before a
 * merge: channels the workspace knows, each text within its network's limit as that network
 * counts, alt text for every picture and media each channel can send, and no new entry
 * whose time is gone already.
 */
#include <stdlib.h>
#include <string.h>

#include "plan.h"

const char *sm_plan_network(sm_config *cfg, const char *channel)
{
	const char *n = sm_config_get_sub(cfg, "channel", channel, "network");
	return n && *n ? n : sm_config_get_sub(cfg, "channel", channel, "kind");
}

static const char *network_name(const char *network)
{
	return !strcmp(network, "mastodon") ? "Mastodon" : !strcmp(network, "bluesky") ? "Bluesky" : "X";
}

/* The limit of a channel: the network's, or a Mastodon server's own (max-chars). */
static long limit_of(sm_config *cfg, const char *channel, const char *network)
{
	long limit = sm_textlen_limit(network);
	if (limit && !strcmp(network, "mastodon")) {
		char *key = sm_asprintf("channel.%s.max-chars", channel);
		if (sm_config_int(cfg, key, limit, &limit) < 0)
			limit = sm_textlen_limit(network);
		free(key);
	}
	return limit;
}

/* The line a channel's text starts on: its own section's, its network's, or the body's. */
static long text_line(const sm_plan_entry *e, const char *channel, const char *network)
{
	long line = e->text_line;
	for (size_t i = 0; i < e->nbodies; i++) {
		if (!strcmp(e->bodies[i].name, channel))
			return e->bodies[i].line;
		if (network && !strcmp(e->bodies[i].name, network))
			line = e->bodies[i].line;
	}
	return line;
}

static void check_texts(const sm_plan_lint *l, const sm_plan_entry *e, sm_plan_problems *pr)
{
	for (size_t i = 0; i < e->nchannels; i++) {
		const char *c = e->channels[i], *network = sm_plan_network(l->cfg, c);
		if (!network) {
			sm_plan_problem(pr, e->path, e->channels_line, "unknown channel '%s' (no [channel \"%s\"] "
					"in the config)", c, c);
			continue;
		}
		const char *text = sm_plan_text_for(e, c, network);
		long limit = limit_of(l->cfg, c, network), line = text_line(e, c, network);
		if (!text || !*text) {
			sm_plan_problem(pr, e->path, line, "no text for channel '%s'", c);
			continue;
		}
		size_t len = limit ? sm_textlen(network, text) : 0;
		if (limit && (long)len > limit)
			sm_plan_problem(pr, e->path, line, "the text for '%s' has %zu %s, %s takes %ld", c, len,
					!strcmp(network, "bluesky") ? "characters (graphemes)"
					: !strcmp(network, "mastodon") ? "characters" : "weighted characters",
					network_name(network), limit);
	}
	for (size_t b = 0; b < e->nbodies; b++) {
		size_t i = 0;
		for (; i < e->nchannels; i++) {
			const char *n = sm_plan_network(l->cfg, e->channels[i]);
			if (!strcmp(e->bodies[b].name, e->channels[i]) || (n && !strcmp(e->bodies[b].name, n)))
				break;
		}
		if (i == e->nchannels)
			sm_plan_problem(pr, e->path, e->bodies[b].line, "a text for '%s', which is neither a "
					"channel of the entry nor the network of one", e->bodies[b].name);
	}
}

int sm_plan_lint_entry(const sm_plan_lint *l, const sm_plan_entry *e, int is_new,
		       int (*exists)(const char *path, void *ctx), void *ctx, sm_plan_problems *pr)
{
	size_t before = pr->n;
	check_texts(l, e, pr);
	for (size_t i = 0; i < e->nmedia; i++) {
		const sm_plan_media *m = &e->media[i];
		if (!*m->alt)
			sm_plan_problem(pr, e->path, m->line, "Media: '%s' has no alt text (Media: PATH | ALT TEXT)",
					m->path);
		if (exists && !exists(m->path, ctx))
			sm_plan_problem(pr, e->path, m->line, "Media: '%s' is not in the repository", m->path);
	}
	if (is_new) {
		time_t *occ = NULL;
		size_t n = 0;
		/* a new or changed entry must still have a time to come */
		sm_plan_occurrences(e, l->now, l->now + 10L * 366 * 86400, 1, &occ, &n);
		free(occ);
		if (n == 0) {
			char *at = sm_plan_time_text(e->repeat.freq && e->until.year ? &e->until : &e->at);
			int until = e->repeat.freq && e->until.year;
			sm_plan_problem(pr, e->path, until ? e->until_line : e->at_line, "%s: %s is in the past",
					until ? "Until" : "At", at);
			free(at);
		}
	}
	return pr->n > before ? -1 : 0;
}

typedef struct {
	sm_plan_repo *r;
	const char *commit;
} at_commit;

static int in_commit(const char *path, void *ctx)
{
	at_commit *a = ctx;
	char blob[41];
	return sm_plan_blob_at(a->r, a->commit, path, blob) == 1;
}

/* The media of an entry against what each of its channels takes: how many, which types,
   how big (read from the commit). */
static void lint_media(const sm_plan_lint *l, const sm_plan_entry *e, at_commit *ac, sm_plan_problems *pr)
{
	sm_buf data = {0};
	for (size_t c = 0; e->nmedia && c < e->nchannels; c++) {
		const char *network = sm_plan_network(l->cfg, e->channels[c]);
		sm_media_limits ml;
		if (!network || !sm_media_limits_of(network, &ml))
			continue;
		if (!ml.sends) {
			sm_plan_problem(pr, e->path, e->media[0].line, "Media: channel '%s' (%s) cannot send "
					"media yet", e->channels[c], network);
			continue;
		}
		if (ml.files && e->nmedia > (size_t)ml.files)
			sm_plan_problem(pr, e->path, e->media[ml.files].line, "Media: %zu files; a post on "
					"'%s' (%s) takes at most %d", e->nmedia, e->channels[c], network, ml.files);
		for (size_t i = 0; (ml.bytes || ml.images_only) && i < e->nmedia; i++) {
			char blob[41];
			sm_media_kind k;
			if (sm_plan_blob_at(ac->r, ac->commit, e->media[i].path, blob) != 1 ||
			    sm_plan_blob(ac->r, blob, &data) < 0)
				continue; /* not there: said already */
			sm_media_sniff(data.s ? data.s : "", data.len, &k);
			if (ml.images_only && strncmp(k.mime, "image/", 6))
				sm_plan_problem(pr, e->path, e->media[i].line, "Media: '%s' is %s; '%s' (%s) takes "
						"images only", e->media[i].path, k.mime, e->channels[c], network);
			else if (ml.bytes && (long long)data.len > ml.bytes)
				sm_plan_problem(pr, e->path, e->media[i].line, "Media: '%s' has %zu bytes; '%s' (%s) "
						"takes at most %lld", e->media[i].path, data.len, e->channels[c],
						network, ml.bytes);
		}
	}
	sm_buf_free(&data);
}

/* Is the file new or changed against the reviewed branch (a rename is not a change)? */
static int is_new(sm_plan_repo *r, const char *reviewed, const sm_plan_file *f, char **from, char **to,
		  size_t nren)
{
	const char *old = f->path;
	char blob[41];
	if (!*reviewed)
		return 1;
	for (size_t i = 0; i < nren; i++)
		if (!strcmp(to[i], f->path))
			old = from[i];
	return sm_plan_blob_at(r, reviewed, old, blob) != 1 || strcmp(blob, f->blob);
}

int sm_plan_check(sm_plan_repo *r, const sm_plan_lint *l, const char *rev, size_t *entries, sm_plan_problems *pr)
{
	char commit[41], reviewed[41] = "", **from = NULL, **to = NULL;
	size_t n = 0, nren = 0;
	sm_plan_file *files = NULL;
	sm_buf data = {0};
	*entries = 0;
	int rc = sm_plan_resolve(r, rev ? rev : "HEAD", commit);
	if (rc != 0)
		return rc < 0 ? -1 : 0; /* an empty repository has nothing wrong */
	if ((rc = sm_plan_resolve(r, NULL, reviewed)) < 0)
		return -1;
	if (rc == 1)
		reviewed[0] = 0;
	if (*reviewed && strcmp(reviewed, commit) && sm_plan_renames(r, reviewed, commit, &from, &to, &nren) < 0)
		nren = 0;
	rc = sm_plan_files(r, commit, &files, &n);
	at_commit ac = {r, commit};
	for (size_t i = 0; rc == 0 && i < n; i++) {
		sm_plan_entry e;
		if ((rc = sm_plan_blob(r, files[i].blob, &data)) < 0)
			break;
		if (sm_plan_entry_parse(files[i].path, data.s ? data.s : "", data.len, l->pc->zone, &e, pr) == 0) {
			sm_plan_lint_entry(l, &e, is_new(r, reviewed, &files[i], from, to, nren), in_commit, &ac, pr);
			lint_media(l, &e, &ac, pr);
		}
		sm_plan_entry_free(&e);
		(*entries)++;
	}
	for (size_t i = 0; i < nren; i++) {
		free(from[i]);
		free(to[i]);
	}
	free(from);
	free(to);
	sm_buf_free(&data);
	sm_plan_files_free(files, n);
	return rc;
}
