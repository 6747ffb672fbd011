/*
 * publish.c - sending approved drafts exactly once.
 *
 * A draft goes approved -> sending -> published | failed. The move to sending is the
 * claim: made in one write transaction that checks the state it leaves, so of two
 * processes only one wins, and it records the claimer (host:pid:start time) and the time
 * the claim runs out (publish.lease). The network is asked outside any transaction; the
 * result is recorded in a second one. A process killed in between leaves the draft
 * sending: the next run, once the claim ran out (at once when the claimer is known dead
 * on this host), sends it again with the same key, which the adapter makes harmless:
 * Mastodon answers a repeated Idempotency-Key with the first status, Bluesky refuses a
 * second record under the same record key, Discourse looks for the post first, an outbox
 * finds the key in its file, e-mail looks for the Message-ID in the channel's sent-folder
 * (where each mail sent is copied). An interrupted mail of a channel without a sent
 * folder is not sent again but ends failed, with the Message-ID to look for: at most
 * once, never twice. So does a Mastodon post interrupted over an hour ago, longer than
 * Mastodon keeps an Idempotency-Key. The one window left: a mail the SMTP server accepted
 * whose copy was not yet in the sent folder when the process died is sent again.
 */
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assign.h"
#include "plan.h"
#include "publish.h"

static const char Q_DUE[] =
	"SELECT id FROM drafts WHERE ((state = 'approved' AND (scheduled_at IS NULL OR scheduled_at <= ?1)"
	" AND (next_attempt IS NULL OR next_attempt <= ?1)) OR state = 'sending')"
	" AND (?2 IS NULL OR channel = ?2) AND ((plan IS NOT NULL) = ?3)"
	" ORDER BY coalesce(scheduled_at, created_at), id";
static const char Q_CLAIM[] =
	"UPDATE drafts SET state = 'sending', lease_owner = ?2, lease_until = ?3, attempts = attempts + 1,"
	" send_key = ?4, approved_hash = ?5, updated_at = ?6 WHERE id = ?1 AND state = ?7";
static const char Q_OWNER[] = "SELECT state, coalesce(lease_owner, '') FROM drafts WHERE id = ?1";
static const char Q_DONE[] =
	"UPDATE drafts SET state = 'published', published_id = ?2, published_url = ?3, published_at = ?4,"
	" lease_owner = NULL, lease_until = NULL, next_attempt = NULL, reason = NULL, updated_at = ?4"
	" WHERE id = ?1";
static const char Q_RELEASE[] =
	"UPDATE drafts SET state = ?2, lease_owner = NULL, lease_until = NULL, attempts = max(attempts - 1, 0),"
	" updated_at = ?3 WHERE id = ?1 AND state = 'sending' AND lease_owner = ?4";
static const char Q_UNCOUNT[] = "UPDATE drafts SET attempts = max(attempts - 1, 0) WHERE id = ?1";
static const char Q_FAIL[] =
	"UPDATE drafts SET state = ?2, reason = ?3, next_attempt = ?4, lease_owner = NULL,"
	" lease_until = NULL, updated_at = ?5 WHERE id = ?1";

/* What one run keeps. */
typedef struct {
	const sm_workspace *ws;
	sm_config *cfg;
	sm_store *st;
	const char *who;
	const sm_publish_opts *o;
	sm_publish_stats *stats;
	sm_senders *senders;
	sm_plan_repo *plan; /* opened for the first draft with media */
	char owner[160], now[SM_TIME_LEN];
	double lease, retry;
	long max_attempts;
	int worst; /* the exit status so far */
} run;

static void note(run *r, int warning, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(run *r, int warning, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (r->o->note)
		r->o->note(warning, msg, r->o->ctx);
}

/* Of the statuses, the one that says most: a config to fix over refused over left for
   later over failed. */
static void worst(run *r, int status)
{
	static const int order[] = {0, SM_EX_DATAERR, SM_EX_TEMPFAIL, SM_EX_NOPERM, SM_EX_CONFIG};
	int a = 0, b = 0;
	for (int i = 0; i < 5; i++) {
		if (order[i] == r->worst)
			a = i;
		if (order[i] == status)
			b = i;
	}
	if (b > a)
		r->worst = status;
}

int sm_publish_allowed(sm_config *cfg, const char *agent, const char *login)
{
	size_t n;
	if (agent && sm_agent_has_role(cfg, agent, "publisher"))
		return 0;
	const char *const *logins = sm_config_get_all(cfg, "publish.login", &n);
	for (size_t i = 0; login && i < n; i++)
		if (!strcmp(logins[i], login))
			return 0;
	if (agent)
		return sm_error_code(SM_EX_NOPERM, "%s has not the publisher role", agent);
	return sm_error_code(SM_EX_NOPERM, "the login %s is no agent with the publisher role and "
			     "not named by publish.login", login ? login : "(unknown)");
}

/* The start time of a process, in clock ticks since boot (field 22 of /proc/PID/stat);
   0 if there is no such process or it is a zombie (dead, not yet reaped). */
static unsigned long long start_ticks(long pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')'); /* the command name may hold spaces */
	if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return 0;
	unsigned long long v = 0;
	for (int field = 2; *p; p++)
		if (*p == ' ' && ++field == 22) {
			v = strtoull(p + 1, NULL, 10);
			break;
		}
	return v;
}

static void set_owner(run *r)
{
	char host[64] = "";
	gethostname(host, sizeof host - 1);
	snprintf(r->owner, sizeof r->owner, "%s:%ld:%llu", host, (long)getpid(),
		 start_ticks((long)getpid()));
}

/* A claim made on this host by a process that is gone. */
static int owner_dead(const char *owner)
{
	char host[64] = "", mine[64] = "";
	long pid = 0;
	unsigned long long start = 0;
	gethostname(mine, sizeof mine - 1);
	if (sscanf(owner, "%63[^:]:%ld:%llu", host, &pid, &start) != 3 || strcmp(host, mine) || pid <= 0)
		return 0;
	if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		return 1;
	return start_ticks(pid) != start; /* a zombie, or the pid was reused */
}

/* The key a draft is sent with: the same for every try of the same approved text. */
static void send_key(const sm_draft *d, const char *hash, char out[48])
{
	char h[65];
	sm_buf b = {0};
	sm_buf_printf(&b, "smkit-publish-v1\x1f%lld\x1f%s\x1f%s", d->id, d->created_at, hash);
	sm_sha256_hex(b.s, b.len, h);
	sm_buf_free(&b);
	snprintf(out, 48, "smkit-%lld-%.24s", d->id, h);
}

static int audit(run *r, long long id, const char *action, const char *detail)
{
	char object[32];
	snprintf(object, sizeof object, "draft:%lld", id);
	return sm_audit(r->st, r->who, action, object, detail, r->now);
}

static int emit(run *r, long long id, json_t *extra)
{
	sm_draft d;
	int rc = sm_draft_get(r->st, id, &d);
	if (rc <= 0) {
		json_decref(extra);
		return rc;
	}
	json_t *rec = sm_draft_record(r->st, &d);
	if (extra)
		json_object_update(rec, extra);
	json_decref(extra);
	sm_draft_free(&d);
	rc = sm_out_record(rec);
	json_decref(rec);
	return rc;
}

/* A post's media files, as read for one send. */
typedef struct {
	sm_post_media *m;
	sm_buf *data;
	size_t n;
} post_media;

static void post_media_free(post_media *pm)
{
	for (size_t i = 0; i < pm->n; i++)
		sm_buf_free(&pm->data[i]);
	free(pm->data);
	free(pm->m);
	memset(pm, 0, sizeof *pm);
}

static int open_plan(run *r)
{
	sm_plan_conf pc;
	if (r->plan)
		return 0;
	int rc = sm_plan_conf_load(r->ws, r->cfg, NULL, &pc);
	if (rc == 0)
		rc = sm_plan_open(&pc, &r->plan);
	sm_plan_conf_free(&pc);
	return rc;
}

/* The draft's media, from the plan repository as the commit it was made from has them:
   only bytes whose SHA-256 the approvals are for are sent. */
static int load_media(run *r, const sm_draft *d, post_media *pm)
{
	memset(pm, 0, sizeof *pm);
	if (!d->nmedia)
		return 0;
	if (!*d->plan_commit)
		return sm_error_code(SM_EX_DATAERR, "draft %lld has media but no plan commit", d->id);
	if (open_plan(r) < 0)
		return -1;
	pm->m = sm_calloc(d->nmedia, sizeof *pm->m);
	pm->data = sm_calloc(d->nmedia, sizeof *pm->data);
	pm->n = d->nmedia;
	for (size_t i = 0; i < d->nmedia; i++) {
		const sm_draft_media *dm = &d->media[i];
		char blob[41], sha[65];
		int found = sm_plan_blob_at(r->plan, d->plan_commit, dm->path, blob);
		if (found < 0)
			return -1;
		if (!found || strcmp(blob, dm->blob))
			return sm_error_code(SM_EX_DATAERR, "media '%s' is not in the plan repository's "
					     "commit %.12s as it was when drafted", dm->path, d->plan_commit);
		if (sm_plan_blob(r->plan, blob, &pm->data[i]) < 0)
			return -1;
		sm_sha256_hex(pm->data[i].s ? pm->data[i].s : "", pm->data[i].len, sha);
		if (strcmp(sha, dm->sha256))
			return sm_error_code(SM_EX_DATAERR, "media '%s': its bytes are not those approved "
					     "(SHA-256 %.16s..., approved %.16s...)", dm->path, sha, dm->sha256);
		const char *slash = strrchr(dm->path, '/');
		pm->m[i] = (sm_post_media){(const unsigned char *)(pm->data[i].s ? pm->data[i].s : ""),
					   pm->data[i].len, dm->mime, dm->alt, slash ? slash + 1 : dm->path,
					   dm->path, dm->blob, dm->sha256, dm->width, dm->height};
	}
	return 0;
}

/* What to send: the draft's text, its media, its target and its key. */
static int make_post(run *r, const sm_draft *d, sm_post *p, json_t **item, post_media *pm)
{
	memset(p, 0, sizeof *p);
	*item = NULL;
	if (load_media(r, d, pm) < 0) {
		post_media_free(pm);
		return -1;
	}
	p->media = pm->m;
	p->nmedia = pm->n;
	*item = *d->reply_to ? sm_store_item(r->st, d->reply_to) : NULL;
	p->text = d->text;
	p->reply_to = *d->reply_to ? d->reply_to : NULL;
	p->reply_item = *item;
	p->key = d->send_key;
	p->dry_run = r->o->dry_run;
	/* a reply keeps the visibility of what it answers (a direct message stays direct) */
	p->visibility = *d->reply_to ? NULL : sm_config_get_sub(r->cfg, "channel", d->channel, "visibility");
	p->lang = sm_config_get_sub(r->cfg, "channel", d->channel, "lang");
	if (*item && json_string_value(json_object_get(*item, "lang")))
		p->lang = json_string_value(json_object_get(*item, "lang"));
	return 0;
}

typedef enum { SKIP, SEND, RECONCILE } what_to_do;

/* In the claim's transaction: what to do with the draft, and the claim if anything. */
static what_to_do decide(run *r, long long id, int named, sm_draft *d)
{
	char why[512], hash[65], key[48];
	int rc = sm_draft_get(r->st, id, d);
	if (rc <= 0) {
		if (rc < 0)
			r->worst = -1;
		else {
			note(r, 0, "no draft %lld", id);
			worst(r, SM_EX_DATAERR);
		}
		return SKIP;
	}
	what_to_do w = SKIP;
	if (!strcmp(d->state, "approved")) {
		if (*d->scheduled_at && strcmp(d->scheduled_at, r->now) > 0) {
			if (named)
				note(r, 1, "draft %lld is not due until %s", id, d->scheduled_at);
			r->stats->skipped++;
			return SKIP;
		}
		if (!named && *d->next_attempt && strcmp(d->next_attempt, r->now) > 0)
			return SKIP;
		w = SEND;
	} else if (!strcmp(d->state, "sending")) {
		if (*d->lease_until && strcmp(d->lease_until, r->now) > 0 && !owner_dead(d->lease_owner)) {
			if (named)
				note(r, 1, "draft %lld is being sent by %s (until %s)", id, d->lease_owner,
				     d->lease_until);
			r->stats->skipped++;
			return SKIP;
		}
		w = RECONCILE;
	} else if (!strcmp(d->state, "published")) {
		if (named && emit(r, id, NULL) < 0)
			r->worst = -1;
		return SKIP;
	} else {
		if (named) {
			note(r, 0, "draft %lld is %s, not approved: not sent", id, d->state);
			r->stats->refused++;
			worst(r, SM_EX_NOPERM);
		}
		return SKIP;
	}
	/* only what was approved: the text now must be the text the approvals are for */
	if (sm_draft_releasable(r->st, id, why, sizeof why) != 1) {
		note(r, 0, "%s: not sent", why);
		r->stats->refused++;
		worst(r, SM_EX_NOPERM);
		return SKIP;
	}
	if (r->o->dry_run)
		return w;
	sm_draft_hash(d, hash);
	if (w == SEND) {
		send_key(d, hash, key);
		free(d->send_key);
		d->send_key = sm_strdup(key);
	} else if (!*d->send_key) { /* cannot be: a claim always sets it */
		send_key(d, hash, key);
		free(d->send_key);
		d->send_key = sm_strdup(key);
	}
	char until[SM_TIME_LEN];
	sm_time_format(sm_now() + (time_t)r->lease, until);
	sqlite3_stmt *s = sm_store_sql(r->st, Q_CLAIM);
	if (!s)
		return r->worst = -1, SKIP;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, r->owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, until, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, d->send_key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, r->now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, d->state, -1, SQLITE_STATIC);
	if (sm_store_done(r->st, s, "claim draft") < 0)
		return r->worst = -1, SKIP;
	if (sm_store_changes(r->st) != 1)
		return SKIP;
	if (w == RECONCILE) {
		char *detail = sm_asprintf("claimed by %s, which did not finish", d->lease_owner);
		int arc = audit(r, id, "reconcile", detail);
		free(detail);
		if (arc < 0)
			return r->worst = -1, SKIP;
	}
	return w;
}

/* In the result's transaction: is the draft still ours (nobody reconciled it meanwhile)? */
static int still_ours(run *r, long long id)
{
	sqlite3_stmt *s = sm_store_sql(r->st, Q_OWNER);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	int ours = sqlite3_step(s) == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(s, 0), "sending") &&
		   !strcmp((const char *)sqlite3_column_text(s, 1), r->owner);
	sqlite3_reset(s);
	return ours;
}

/* The case a published reply answers is pending now, and its first response is recorded. */
static int case_answered(run *r, const sm_draft *d)
{
	long long cid = d->case_id;
	sm_case c;
	if (!cid && *d->reply_to && (cid = sm_item_case(r->st, d->reply_to)) < 0)
		return -1;
	if (cid <= 0)
		return 0;
	int rc = sm_case_get(r->st, cid, &c);
	if (rc <= 0)
		return rc;
	char note_[64];
	snprintf(note_, sizeof note_, "draft:%lld", d->id);
	return sm_case_answered(r->st, &c, r->now, r->who, note_, r->now);
}

static int record_published(run *r, const sm_draft *d, const sm_sent *res)
{
	sqlite3_stmt *s = sm_store_sql(r->st, Q_DONE);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, d->id);
	sqlite3_bind_text(s, 2, res->ext_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, res->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->now, -1, SQLITE_STATIC);
	if (sm_store_done(r->st, s, "record the post") < 0)
		return -1;
	char *detail = sm_asprintf("%s %s%s%s", d->channel, res->ext_id, res->url ? " " : "",
				   res->url ? res->url : "");
	int rc = audit(r, d->id, "published", detail);
	free(detail);
	if (rc == 0 && !strcmp(d->kind, "reply"))
		rc = case_answered(r, d);
	return rc;
}

/* A failure: permanent ends in failed; a passing one leaves the draft approved for a later
   attempt, until publish.attempts were made. The next attempt comes after the backoff, or
   when the network said it would take more (a rate limit, Retry-After); a draft held back
   by a rate limit before anything was sent has made no attempt. */
static int record_failure(run *r, const sm_draft *d, const sm_sent *res, int *failed)
{
	char next[SM_TIME_LEN] = "";
	const char *state = "failed";
	char reason[600];
	const char *error = res->error;
	int temporary = res->temporary;
	long made = d->attempts + (res->unsent ? 0 : 1);
	snprintf(reason, sizeof reason, "%s", error);
	*failed = 1;
	if (temporary && (res->unsent || made < r->max_attempts)) {
		double wait = r->retry;
		for (long i = 0; i < d->attempts && wait < 6 * 3600; i++)
			wait *= 2;
		if (wait > 6 * 3600)
			wait = 6 * 3600;
		if (res->retry_in > wait)
			wait = res->retry_in + 1;
		sm_time_format(sm_now() + (time_t)wait, next);
		state = "approved";
		*failed = 0;
	} else if (temporary)
		snprintf(reason, sizeof reason, "%s; gave up after %ld attempts", error, made);
	sqlite3_stmt *s = sm_store_sql(r->st, Q_FAIL);
	if (!s)
		return -1;
	if (res->unsent && !*failed) { /* the claim counted an attempt: none was made */
		sqlite3_stmt *u = sm_store_sql(r->st, Q_UNCOUNT);
		if (!u)
			return -1;
		sqlite3_bind_int64(u, 1, d->id);
		if (sm_store_done(r->st, u, "uncount attempt") < 0)
			return -1;
		s = sm_store_sql(r->st, Q_FAIL);
		if (!s)
			return -1;
	}
	sqlite3_bind_int64(s, 1, d->id);
	sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, *next ? next : NULL, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, r->now, -1, SQLITE_STATIC);
	if (sm_store_done(r->st, s, "record the failure") < 0)
		return -1;
	return audit(r, d->id, *failed ? "failed" : "retry", reason);
}

static int is_kind(run *r, const char *channel, const char *kind)
{
	const char *k = sm_config_get_sub(r->cfg, "channel", channel, "kind");
	return k && !strcmp(k, kind);
}

/* A sending draft that cannot be sent again safely, and why: Mastodon forgets an
   Idempotency-Key after an hour. (E-mail: the adapter looks in the sent folder, or
   refuses to send again when there is none.) */
static void cannot_ask(run *r, const sm_draft *d, char *why, size_t n)
{
	time_t until, now = sm_now();
	if (is_kind(r, d->channel, "mastodon") && sm_date_parse(d->lease_until, &until) == 0 &&
		 now - (until - (time_t)r->lease) > 55 * 60)
		snprintf(why, n, "sending was interrupted over an hour ago, longer than Mastodon keeps an "
			 "Idempotency-Key: look for the post on the account; revive it with sm-approve "
			 "edit if it is not there");
}

/* A dry run: the request that would be made, as a record. */
static int preview(run *r, const sm_draft *d)
{
	sm_post p;
	sm_sent res = {0};
	json_t *item;
	post_media pm;
	char hash[65], key[48];
	sm_draft_hash(d, hash);
	send_key(d, hash, key);
	int rc = make_post(r, d, &p, &item, &pm);
	p.key = key;
	if (rc == 0)
		rc = sm_senders_send(r->senders, d->channel, &p, &res);
	json_decref(item);
	post_media_free(&pm);
	if (rc < 0) {
		note(r, 0, "draft %lld: %s", d->id, sm_errmsg());
		worst(r, sm_errcode() == SM_EX_CONFIG ? SM_EX_CONFIG : SM_EX_DATAERR);
		return 0;
	}
	json_t *x;
	if (res.failed)
		x = json_pack("{s:{s:s}}", "would_send", "error", res.error);
	else if (res.preview)
		x = json_pack("{s:{s:s, s:s, s:s%}}", "would_send", "method", res.preview_method, "url",
			      res.preview_url, "body", res.preview, res.preview_len);
	else
		x = json_pack("{s:{s:s}}", "would_send", "error", "the adapter made no request");
	if (res.preview_uploads) /* before the request: the uploads it needs */
		json_object_set(json_object_get(x, "would_send"), "uploads", res.preview_uploads);
	sm_sent_free(&res);
	return emit(r, d->id, x);
}

/* The channel's config is wrong (a token variable not set in cron's environment, a channel
   gone): that is ours to fix, not the draft's fault. The claim is given back, the draft as
   it was (approved, or sending to be reconciled), the attempt not counted. */
static int release(run *r, const sm_draft *d, const char *state, const char *error)
{
	note(r, 0, "draft %lld: %s: not sent", d->id, error);
	worst(r, SM_EX_CONFIG);
	r->stats->skipped++;
	if (sm_store_begin(r->st) < 0)
		return -1;
	sqlite3_stmt *s = sm_store_sql(r->st, Q_RELEASE);
	if (!s) {
		sm_store_rollback(r->st);
		return -1;
	}
	sqlite3_bind_int64(s, 1, d->id);
	sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, r->now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->owner, -1, SQLITE_STATIC);
	if (sm_store_done(r->st, s, "give the claim back") < 0 || sm_store_commit(r->st) < 0) {
		sm_store_rollback(r->st);
		return -1;
	}
	return 0;
}

static int publish_one(run *r, long long id, int named)
{
	sm_draft d;
	if (sm_store_begin(r->st) < 0)
		return -1;
	what_to_do w = decide(r, id, named, &d);
	if (r->worst < 0 || (w != SKIP && !r->o->dry_run && sm_store_commit(r->st) < 0)) {
		sm_store_rollback(r->st);
		sm_draft_free(&d);
		return -1;
	}
	if (w == SKIP || r->o->dry_run)
		sm_store_rollback(r->st);
	if (w == SKIP) {
		sm_draft_free(&d);
		return 0;
	}
	if (r->o->dry_run) {
		int rc = preview(r, &d);
		sm_draft_free(&d);
		return rc;
	}
	/* the claim is ours: ask the network */
	sm_sent res = {0};
	int rc = 0, failed = 0;
	char why[400] = "";
	if (w == RECONCILE) {
		r->stats->reconciled++;
		cannot_ask(r, &d, why, sizeof why);
		note(r, 1, "draft %lld: a run that was sending it did not finish: %s", id,
		     *why ? "not sent again" : "looking whether it went out");
	}
	if (*why) {
		res.failed = 1;
		snprintf(res.error, sizeof res.error, "%s", why);
	} else {
		sm_post p;
		json_t *item;
		post_media pm;
		rc = make_post(r, &d, &p, &item, &pm);
		/* any earlier attempt may have gone out (an answer lost): look first */
		p.reconcile = w == RECONCILE ? 2 : d.attempts > 0;
		if (rc == 0)
			rc = sm_senders_send(r->senders, d.channel, &p, &res);
		json_decref(item);
		post_media_free(&pm);
		if (rc < 0 && sm_errcode() == SM_EX_CONFIG) {
			char error[512];
			snprintf(error, sizeof error, "%s", sm_errmsg());
			sm_time_format(sm_now(), r->now);
			rc = release(r, &d, w == RECONCILE ? "sending" : "approved", error);
			sm_sent_free(&res);
			sm_draft_free(&d);
			return rc;
		}
		if (rc < 0) { /* a problem of the draft (no recipient, not UTF-8): it fails with it */
			res.failed = 1;
			res.temporary = 0;
			snprintf(res.error, sizeof res.error, "%s", sm_errmsg());
			rc = 0;
		}
	}
	sm_time_format(sm_now(), r->now);
	if (sm_store_begin(r->st) < 0) {
		sm_sent_free(&res);
		sm_draft_free(&d);
		return -1;
	}
	int ours = still_ours(r, id);
	if (ours == 1 && !res.failed)
		rc = record_published(r, &d, &res);
	else if (ours == 1)
		rc = record_failure(r, &d, &res, &failed);
	else if (ours == 0)
		note(r, 1, "draft %lld: another run took it over while this one was sending", id);
	else
		rc = -1;
	if (rc < 0 || sm_store_commit(r->st) < 0) {
		sm_store_rollback(r->st);
		sm_sent_free(&res);
		sm_draft_free(&d);
		return -1;
	}
	if (ours == 1) {
		if (!res.failed)
			r->stats->published++;
		else if (failed) {
			r->stats->failed++;
			worst(r, SM_EX_DATAERR);
			note(r, 0, "draft %lld: %s: %s", id, d.channel, res.error);
		} else {
			r->stats->retry++;
			worst(r, SM_EX_TEMPFAIL);
			note(r, 1, "draft %lld: %s: %s; tried again later", id, d.channel, res.error);
		}
		rc = emit(r, id, NULL);
	}
	sm_sent_free(&res);
	sm_draft_free(&d);
	return rc;
}

static int due_ids(run *r, long long **ids, size_t *n)
{
	sqlite3_stmt *s = sm_store_sql(r->st, Q_DUE);
	*ids = NULL;
	*n = 0;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, r->now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->o->channel, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, r->o->plan ? 1 : 0);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*ids = sm_realloc(*ids, (*n + 1) * sizeof **ids);
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sm_store_fail(r->st, "list due drafts");
}

int sm_publish_run(const sm_workspace *ws, sm_config *cfg, sm_store *st, const char *who,
		   const sm_publish_opts *o, sm_publish_stats *stats)
{
	run r = {.ws = ws, .cfg = cfg, .st = st, .who = who, .o = o, .stats = stats};
	long long *ids = NULL;
	size_t n = 0;
	memset(stats, 0, sizeof *stats);
	set_owner(&r);
	sm_time_format(sm_now(), r.now);
	if (sm_config_duration(cfg, "publish.lease", 600, &r.lease) < 0 ||
	    sm_config_duration(cfg, "publish.retry", 60, &r.retry) < 0 ||
	    sm_config_int(cfg, "publish.attempts", 10, &r.max_attempts) < 0)
		return -1;
	if (r.lease < 1 || r.max_attempts < 1)
		return sm_error_code(SM_EX_CONFIG, "publish.lease and publish.attempts must be positive");
	if (sm_senders_open(ws, cfg, o->trace, o->ctx, &r.senders) < 0)
		return -1;
	if (o->nids == 0 && due_ids(&r, &ids, &n) < 0) {
		sm_senders_close(r.senders);
		return -1;
	}
	const long long *list = o->nids ? o->ids : ids;
	size_t count = o->nids ? o->nids : n;
	for (size_t i = 0; i < count && r.worst >= 0; i++) {
		if (o->channel && o->nids) { /* named, and a channel: only its drafts */
			sm_draft d;
			int in = sm_draft_get(st, list[i], &d) > 0 && !strcmp(d.channel, o->channel);
			sm_draft_free(&d);
			if (!in)
				continue;
		}
		sm_time_format(sm_now(), r.now);
		if (publish_one(&r, list[i], o->nids > 0) < 0)
			r.worst = -1;
	}
	free(ids);
	sm_senders_close(r.senders);
	sm_plan_close(r.plan);
	return r.worst;
}
