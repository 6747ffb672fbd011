/*
 * plan_list.c - the calendar: each occurrence of each entry of the reviewed branch, per
 * channel, with the state of its draft (planned while there is none yet, pending while not
 * approved, approved, sending, published, failed, rejected).
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

/* The draft of an occurrence: one sent first, else the newest (of any version). */
static const char Q_SLOT[] =
	"SELECT d.id, d.state, coalesce(d.plan_blob, ''), d.published_id, d.published_url, d.published_at"
	" FROM drafts d JOIN plan_entries p ON p.id = d.plan_entry"
	" WHERE p.path = ?1 AND p.deleted IS NULL AND d.channel = ?2 AND d.scheduled_at = ?3"
	" ORDER BY d.state IN ('sending', 'published') DESC, d.id DESC LIMIT 1";

static char *opt(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? sm_strdup((const char *)t) : NULL;
}

static void slot_state(sm_store *st, sm_plan_slot *sl)
{
	char at[SM_TIME_LEN];
	sqlite3_stmt *s = st ? sm_store_sql(st, Q_SLOT) : NULL;
	sl->state = NULL;
	if (s) {
		sqlite3_bind_text(s, 1, sl->entry, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, sl->channel, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, sm_time_format(sl->at, at), -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW) {
			const char *state = (const char *)sqlite3_column_text(s, 1);
			const char *blob = (const char *)sqlite3_column_text(s, 2);
			int sent = !strcmp(state, "sending") || !strcmp(state, "published");
			/* a draft of an older text is no state of this one, unless it went out */
			if (sent || !strcmp(blob, sl->blob)) {
				sl->draft = sqlite3_column_int64(s, 0);
				sl->state = sm_strdup(state);
				sl->published_id = opt(s, 3);
				sl->published_url = opt(s, 4);
				sl->published_at = opt(s, 5);
			}
		}
		sqlite3_reset(s);
	}
	if (!sl->state)
		sl->state = sm_strdup("planned");
}

/* The local time of an instant in the entry's zone (or offset), as At writes it. */
static char *local_text(const sm_plan_entry *e, time_t t)
{
	struct tm tm;
	sm_plan_time lt = e->at;
	if (e->at.zone) {
		sm_tz_use(e->at.zone);
		localtime_r(&t, &tm);
	} else {
		time_t shifted = t + e->at.offset;
		gmtime_r(&shifted, &tm);
	}
	lt.year = tm.tm_year + 1900;
	lt.month = tm.tm_mon + 1;
	lt.day = tm.tm_mday;
	lt.hour = tm.tm_hour;
	lt.min = tm.tm_min;
	return sm_plan_time_text(&lt);
}

static void add_slots(sm_config *cfg, sm_store *st, const sm_plan_range *rg, const sm_plan_entry *e,
		      const sm_plan_file *f, const char *commit, sm_plan_slot **slots, size_t *n)
{
	time_t *occ;
	size_t nocc;
	sm_plan_occurrences(e, rg->from, rg->to, 100000, &occ, &nocc);
	for (size_t c = 0; c < e->nchannels; c++) {
		if (rg->channel && strcmp(rg->channel, e->channels[c]))
			continue;
		const char *network = sm_plan_network(cfg, e->channels[c]);
		for (size_t k = 0; k < nocc; k++) {
			*slots = sm_realloc(*slots, (*n + 1) * sizeof **slots);
			sm_plan_slot *sl = &(*slots)[(*n)++];
			memset(sl, 0, sizeof *sl);
			sl->entry = sm_strdup(f->path);
			sl->channel = sm_strdup(e->channels[c]);
			sl->network = network ? sm_strdup(network) : NULL;
			sl->title = sm_strdup(e->title ? e->title : "");
			sl->text = sm_strdup(sm_plan_text_for(e, e->channels[c], network));
			sl->at = occ[k];
			sl->local = local_text(e, occ[k]);
			sl->commit = sm_strdup(commit);
			sl->blob = sm_strdup(f->blob);
			sl->tags = sm_calloc(e->ntags + 1, sizeof *sl->tags);
			for (size_t t = 0; t < e->ntags; t++)
				sl->tags[sl->ntags++] = sm_strdup(e->tags[t]);
			slot_state(st, sl);
		}
	}
	free(occ);
}

static int by_time(const void *a, const void *b)
{
	const sm_plan_slot *x = a, *y = b;
	int c = (x->at > y->at) - (x->at < y->at);
	if (!c)
		c = strcmp(x->entry, y->entry);
	return c ? c : strcmp(x->channel, y->channel);
}

int sm_plan_calendar(sm_plan_repo *r, sm_config *cfg, sm_store *st, const sm_plan_range *rg,
		     sm_plan_slot **slots, size_t *n, sm_plan_problems *pr)
{
	char commit[41];
	sm_plan_file *files = NULL;
	size_t nf = 0;
	sm_buf data = {0};
	*slots = NULL;
	*n = 0;
	int rc = sm_plan_resolve(r, NULL, commit);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	const char *zone = sm_config_get(cfg, "plan.zone");
	if ((rc = sm_plan_files(r, commit, &files, &nf)) < 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < nf; i++) {
		sm_plan_entry e;
		if (rg->entry && strcmp(rg->entry, files[i].path))
			continue;
		if ((rc = sm_plan_blob(r, files[i].blob, &data)) < 0)
			break;
		if (sm_plan_entry_parse(files[i].path, data.s ? data.s : "", data.len, zone, &e, pr) == 0)
			add_slots(cfg, st, rg, &e, &files[i], commit, slots, n);
		sm_plan_entry_free(&e);
	}
	sm_buf_free(&data);
	sm_plan_files_free(files, nf);
	if (*n)
		qsort(*slots, *n, sizeof **slots, by_time);
	return rc;
}

void sm_plan_slots_free(sm_plan_slot *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char **f[] = {&s[i].entry, &s[i].channel, &s[i].network, &s[i].title, &s[i].text, &s[i].state,
			      &s[i].local, &s[i].commit, &s[i].blob, &s[i].published_id, &s[i].published_url,
			      &s[i].published_at};
		for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
			free(*f[k]);
		for (size_t k = 0; k < s[i].ntags; k++)
			free(s[i].tags[k]);
		free(s[i].tags);
	}
	free(s);
}

json_t *sm_plan_slot_record(const sm_plan_slot *s)
{
	char at[SM_TIME_LEN];
	json_t *tags = json_array();
	for (size_t i = 0; i < s->ntags; i++)
		json_array_append_new(tags, json_string(s->tags[i]));
	json_t *r = json_pack("{s:s,s:s,s:s?,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:s}", "entry", s->entry, "channel",
			      s->channel, "network", s->network, "at", sm_time_format(s->at, at), "local", s->local,
			      "state", s->state, "title", s->title, "text", s->text, "tags", tags, "commit",
			      s->commit, "blob", s->blob);
	if (s->draft)
		json_object_set_new(r, "draft", json_integer(s->draft));
	if (s->published_id || s->published_url || s->published_at)
		json_object_set_new(r, "published", json_pack("{s:s?,s:s?,s:s?}", "ext_id", s->published_id,
							      "url", s->published_url, "at", s->published_at));
	return r;
}
