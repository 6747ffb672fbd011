/*
 * drafts.c - replies and posts waiting for approval: written by an agent, approved by N
 * distinct others as the first matching [policy] says (4-eyes, 6-eyes...), each approval
 * bound to a SHA-256 of the exact text, channel, target and time, so an edit voids it and
 * sm-publish can check that what it sends is what was approved. Every step is audited.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "drafts.h"

#define DRAFT_COLUMNS                                                                              \
	"id, kind, coalesce(reply_to, ''), coalesce(case_id, 0), channel, text, author, state,"    \
	" needs, coalesce(policy, ''), approver_role, coalesce(approver_team, ''),"               \
	" coalesce(scheduled_at, ''), coalesce(batch, ''), coalesce(plan, ''), coalesce(reason, ''),"\
	" created_at, coalesce(send_key, ''), coalesce(lease_owner, ''), coalesce(lease_until, ''),"  \
	" coalesce(next_attempt, ''), coalesce(published_id, ''), coalesce(published_url, ''),"   \
	" coalesce(published_at, ''), attempts, coalesce(plan_commit, '')"

static const char Q_GET[] = "SELECT " DRAFT_COLUMNS " FROM drafts WHERE id = ?1";
static const char Q_ADD[] =
	"INSERT INTO drafts (kind, reply_to, case_id, channel, text, author, state, needs, policy,"
	" approver_role, approver_team, scheduled_at, batch, plan, plan_blob, created_at, updated_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)";
/* the approvals that count: for this text, by someone who neither wrote nor edited it */
static const char Q_COUNT[] = "SELECT count(DISTINCT approver) FROM approvals WHERE draft_id = ?1"
			      " AND hash = ?2 AND approver != ?3 AND approver NOT IN (SELECT actor FROM audit"
			      " WHERE object = 'draft:' || ?1 AND action = 'edit')";
/* a failed draft revived: its approvals are void (each stays in the audit log) */
static const char Q_VOID[] = "DELETE FROM approvals WHERE draft_id = ?1";
static const char Q_EDITOR[] = "SELECT 1 FROM audit WHERE object = 'draft:' || ?1 AND action = 'edit'"
			       " AND actor = ?2";
static const char Q_MINE[] = "SELECT 1 FROM approvals WHERE draft_id = ?1 AND approver = ?2 AND hash = ?3";
static const char Q_APPROVE[] = "INSERT INTO approvals (draft_id, approver, hash, at) VALUES (?1, ?2, ?3, ?4)";
static const char Q_STATE[] = "UPDATE drafts SET state = ?2, reason = ?3, updated_at = ?4 WHERE id = ?1";
static const char Q_TEXT[] = "UPDATE drafts SET text = ?2, state = 'pending', reason = NULL, updated_at = ?3,"
			     " next_attempt = NULL, attempts = 0"
			     " WHERE id = ?1";
static const char Q_APPROVALS[] = "SELECT approver, at FROM approvals WHERE draft_id = ?1 AND hash = ?2"
				  " ORDER BY id";
static const char Q_ITEM_COLS[] = "SELECT channel, tags, priority, team FROM items WHERE id = ?1";
static const char Q_CASE_ITEM[] =
	"SELECT items.id FROM case_items JOIN items ON items.id = case_items.item_id"
	" WHERE case_items.case_id = ?1 ORDER BY items.created_at DESC, items.rowid DESC LIMIT 1";
static const char Q_CASE_TEAM[] = "SELECT team FROM cases WHERE id = ?1";
static const char Q_MEDIA[] = "SELECT path, blob, alt, mime, sha256, size, coalesce(width, 0),"
			      " coalesce(height, 0) FROM draft_media WHERE draft_id = ?1 ORDER BY position";
static const char Q_ADD_MEDIA[] =
	"INSERT INTO draft_media (draft_id, position, path, blob, alt, mime, size, sha256, width, height)"
	" VALUES (?1, (SELECT count(*) FROM draft_media WHERE draft_id = ?1), ?2, ?3, ?4, ?5, ?6, ?7,"
	" nullif(?8, 0), nullif(?9, 0))";

static char *col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return sm_strdup(t ? (const char *)t : "");
}

static int load_media(sm_store *st, sm_draft *d)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_MEDIA);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, d->id);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		d->media = sm_realloc(d->media, (d->nmedia + 1) * sizeof *d->media);
		d->media[d->nmedia++] = (sm_draft_media){col(s, 0), col(s, 1), col(s, 2), col(s, 3), col(s, 4),
							 sqlite3_column_int64(s, 5), sqlite3_column_int(s, 6),
							 sqlite3_column_int(s, 7)};
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sm_store_fail(st, "read draft media");
}

int sm_draft_add_media(sm_store *st, long long id, const sm_draft_media *m)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_ADD_MEDIA);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, m->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, m->blob, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, m->alt, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, m->mime, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 6, m->size);
	sqlite3_bind_text(s, 7, m->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 8, m->width);
	sqlite3_bind_int(s, 9, m->height);
	return sm_store_done(st, s, "draft media");
}

int sm_draft_get(sm_store *st, long long id, sm_draft *d)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_GET);
	memset(d, 0, sizeof *d);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		d->id = sqlite3_column_int64(s, 0);
		char *kind = col(s, 1);
		snprintf(d->kind, sizeof d->kind, "%s", kind);
		free(kind);
		d->reply_to = col(s, 2);
		d->case_id = sqlite3_column_int64(s, 3);
		d->channel = col(s, 4);
		d->text = col(s, 5);
		d->author = col(s, 6);
		d->state = col(s, 7);
		d->needs = sqlite3_column_int(s, 8);
		d->policy = col(s, 9);
		d->approver_role = col(s, 10);
		d->approver_team = col(s, 11);
		d->scheduled_at = col(s, 12);
		d->batch = col(s, 13);
		d->plan = col(s, 14);
		d->reason = col(s, 15);
		d->created_at = col(s, 16);
		d->send_key = col(s, 17);
		d->lease_owner = col(s, 18);
		d->lease_until = col(s, 19);
		d->next_attempt = col(s, 20);
		d->published_id = col(s, 21);
		d->published_url = col(s, 22);
		d->published_at = col(s, 23);
		d->attempts = sqlite3_column_int(s, 24);
		d->plan_commit = col(s, 25);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW && load_media(st, d) < 0) {
		sm_draft_free(d);
		return -1;
	}
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : sm_store_fail(st, "read draft");
}

void sm_draft_free(sm_draft *d)
{
	char **f[] = {&d->reply_to, &d->channel, &d->text, &d->author, &d->state, &d->policy,
		      &d->approver_role, &d->approver_team, &d->scheduled_at, &d->batch, &d->plan,
		      &d->reason, &d->created_at, &d->send_key, &d->lease_owner, &d->lease_until,
		      &d->next_attempt, &d->published_id, &d->published_url, &d->published_at,
		      &d->plan_commit};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		free(*f[i]);
		*f[i] = NULL;
	}
	sm_draft_media_free(d->media, d->nmedia);
	d->media = NULL;
	d->nmedia = 0;
}

void sm_draft_media_free(sm_draft_media *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].path);
		free(m[i].blob);
		free(m[i].alt);
		free(m[i].mime);
		free(m[i].sha256);
	}
	free(m);
}

/* What an approval is bound to: the text, the channel, the target and the time, and what
   each medium is (its bytes' SHA-256) and says (its alt text). Without media the hash is
   what it always was, so the approvals given before media existed stand. */
void sm_draft_hash(const sm_draft *d, char out[65])
{
	sm_buf b = {0};
	sm_buf_printf(&b, "smkit-draft-v1\x1f%s\x1f%s\x1f%s\x1f%s", d->channel, d->reply_to ? d->reply_to : "",
		      d->scheduled_at ? d->scheduled_at : "", d->text);
	for (size_t i = 0; i < d->nmedia; i++)
		sm_buf_printf(&b, "\x1emedia\x1f%s\x1f%s", d->media[i].sha256, d->media[i].alt);
	sm_sha256_hex(b.s, b.len, out);
	sm_buf_free(&b);
}

static long approvals_of(sm_store *st, const sm_draft *d, const char *hash)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_COUNT);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, d->id);
	sqlite3_bind_text(s, 2, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, d->author, -1, SQLITE_STATIC);
	long n = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	return n;
}

static int audit_draft(sm_store *st, long long id, const char *who, const char *action,
		       const char *detail, const char *now)
{
	char object[32];
	snprintf(object, sizeof object, "draft:%lld", id);
	return sm_audit(st, who, action, object, detail, now);
}

static int set_state(sm_store *st, long long id, const char *state, const char *reason, const char *now)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_STATE);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
	return sm_store_done(st, s, "draft state");
}

/* What a policy looks at: the target item's channel, tags, priority and team (or the case's). */
typedef struct {
	char *channel, *tags, *priority, *team;
} target_info;

static void target(sm_store *st, const char *item, long long case_id, target_info *t)
{
	sqlite3_stmt *s;
	memset(t, 0, sizeof *t);
	if (item && (s = sm_store_sql(st, Q_ITEM_COLS))) {
		sqlite3_bind_text(s, 1, item, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW) {
			t->channel = col(s, 0);
			t->tags = col(s, 1);
			t->priority = col(s, 2);
			t->team = col(s, 3);
		}
		sqlite3_reset(s);
	}
	if (case_id && (s = sm_store_sql(st, Q_CASE_TEAM))) {
		sqlite3_bind_int64(s, 1, case_id);
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0)) {
			free(t->team);
			t->team = col(s, 0);
		}
		sqlite3_reset(s);
	}
}

static const sm_policy *policy_of(const sm_policies *ps, const target_info *t, const char *channel,
				  const char *kind, const sm_draft_spec *spec)
{
	const char *tags[64];
	size_t n = 0;
	json_t *arr = t->tags && *t->tags ? json_loads(t->tags, 0, NULL) : NULL, *v;
	size_t i;
	json_array_foreach(arr, i, v)
		if (n < 64 && json_is_string(v))
			tags[n++] = json_string_value(v);
	for (i = 0; i < spec->ntags && n < 64; i++)
		tags[n++] = spec->tags[i];
	sm_policy_subject s = {channel, t->team && *t->team ? t->team : NULL,
			       t->priority && *t->priority ? t->priority : NULL, kind, tags, n};
	const sm_policy *p = sm_policy_match(ps, &s);
	json_decref(arr); /* the tag strings are only needed during the match */
	return p;
}

/* The item a reply to a case answers: its newest. */
char *sm_case_latest_item(sm_store *st, long long case_id)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_CASE_ITEM);
	char *id = NULL;
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, case_id);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = col(s, 0);
	sqlite3_reset(s);
	return id;
}

static int need_agent(sm_config *cfg, const char *who)
{
	size_t n;
	const char *const *agents = sm_config_subsections(cfg, "agent", &n);
	for (size_t i = 0; who && i < n; i++)
		if (!strcmp(agents[i], who))
			return 0;
	return sm_error_code(SM_EX_NOPERM, who ? "'%s' is no agent of this workspace"
					       : "you are no agent of this workspace%s", who ? who : "");
}

int sm_draft_may_write(sm_config *cfg, const char *who)
{
	if (need_agent(cfg, who) < 0)
		return -1;
	if (!sm_agent_has_role(cfg, who, "agent"))
		return sm_error_code(SM_EX_NOPERM, "%s may not write drafts (role agent)", who);
	return 0;
}

/* Plan posts are written in the plan repository and reviewed there; syncing them into
   drafts is for an agent, a publisher (cron's) or an admin. */
int sm_draft_may_sync_plan(sm_config *cfg, const char *who)
{
	size_t n;
	const char *const *logins = sm_config_get_all(cfg, "publish.login", &n);
	for (size_t i = 0; who && i < n; i++) /* cron's login, which publishes the plan */
		if (!strcmp(logins[i], who))
			return 0;
	if (need_agent(cfg, who) < 0)
		return -1;
	if (!sm_agent_has_role(cfg, who, "agent") && !sm_agent_has_role(cfg, who, "publisher"))
		return sm_error_code(SM_EX_NOPERM, "%s may not make drafts of the plan (role agent or "
				     "publisher)", who);
	return 0;
}

int sm_draft_create(sm_store *st, sm_config *cfg, const sm_policies *ps, const char *who,
		    const sm_draft_spec *spec, long long *id, const char *now)
{
	target_info t;
	char *reply_to = spec->reply_to ? sm_strdup(spec->reply_to) : NULL;
	int rc = -1;
	if ((spec->plan ? sm_draft_may_sync_plan(cfg, who) : sm_draft_may_write(cfg, who)) < 0) {
		free(reply_to);
		return -1;
	}
	if (!reply_to && spec->case_id && !(reply_to = sm_case_latest_item(st, spec->case_id)))
		return sm_error_code(SM_EX_DATAERR, "no case %lld (or it has no items)", spec->case_id);
	target(st, reply_to, spec->case_id, &t);
	const char *channel = spec->channel ? spec->channel : t.channel;
	const char *kind = spec->kind ? spec->kind : reply_to ? "reply" : "post";
	if (reply_to && !t.channel)
		rc = sm_error_code(SM_EX_DATAERR, "no item '%s' in the store", reply_to);
	else if (!channel || !*channel)
		rc = sm_error_code(SM_EX_USAGE, "a post needs a channel");
	else if (!spec->text || !*spec->text)
		rc = sm_error_code(SM_EX_DATAERR, "an empty draft");
	else {
		/* a reply sent on another channel takes the stricter of the two channels' policies:
		   --channel cannot be a way around a policy */
		const sm_policy *p = policy_of(ps, &t, channel, kind, spec);
		const sm_policy *q = t.channel && strcmp(t.channel, channel) ? policy_of(ps, &t, t.channel, kind, spec)
									   : NULL;
		if (!p || (q && q->approvals > p->approvals))
			p = q ? q : p;
		long needs = p ? p->approvals : 1; /* no policy: four eyes */
		sqlite3_stmt *s = sm_store_sql(st, Q_ADD);
		if (s) {
			sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 2, reply_to, -1, SQLITE_STATIC);
			if (spec->case_id)
				sqlite3_bind_int64(s, 3, spec->case_id);
			sqlite3_bind_text(s, 4, channel, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 5, spec->text, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 6, spec->author ? spec->author : who, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 7, needs ? "pending" : "approved", -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 8, needs);
			sqlite3_bind_text(s, 9, p ? p->name : NULL, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 10, p && p->approver_role ? p->approver_role : "approver", -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 11, p ? p->approver_team : NULL, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 12, spec->at, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 13, spec->batch, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 14, spec->plan, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 15, spec->plan_blob, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, 16, now, -1, SQLITE_STATIC);
			rc = sm_store_done(st, s, "draft");
		}
		if (rc == 0) {
			*id = sm_store_last_id(st);
			char *detail = sm_asprintf("%s on %s%s%s%s%s%s%s; needs %ld (policy %s)", kind, channel,
						   reply_to ? " to " : "", reply_to ? reply_to : "",
						   spec->plan ? " from the plan entry " : "", spec->plan ? spec->plan : "",
						   spec->author ? " by " : "", spec->author ? spec->author : "",
						   needs, p ? p->name : "none");
			rc = audit_draft(st, *id, who, "draft", detail, now);
			free(detail);
		}
	}
	free(reply_to);
	free(t.channel);
	free(t.tags);
	free(t.priority);
	free(t.team);
	return rc;
}

/* May `who` decide on draft d? 0, or -1 with the reason (SM_EX_NOPERM). */
static int may_decide(sm_store *st, sm_config *cfg, const sm_draft *d, const char *who, const char *hash)
{
	if (need_agent(cfg, who) < 0)
		return -1;
	if (!strcmp(who, d->author))
		return sm_error_code(SM_EX_NOPERM, "draft %lld: %s wrote it, someone else must decide",
				     d->id, who);
	sqlite3_stmt *e = sm_store_sql(st, Q_EDITOR);
	if (!e)
		return -1;
	sqlite3_bind_int64(e, 1, d->id);
	sqlite3_bind_text(e, 2, who, -1, SQLITE_STATIC);
	int edited = sqlite3_step(e) == SQLITE_ROW;
	sqlite3_reset(e);
	if (edited)
		return sm_error_code(SM_EX_NOPERM, "draft %lld: %s edited it, someone else must decide",
				     d->id, who);
	if (!sm_agent_has_role(cfg, who, d->approver_role))
		return sm_error_code(SM_EX_NOPERM, "draft %lld: deciding needs the role '%s', which %s "
				     "does not have", d->id, d->approver_role, who);
	const char *team = sm_config_get_sub(cfg, "agent", who, "team");
	if (*d->approver_team && (!team || strcmp(team, d->approver_team)))
		return sm_error_code(SM_EX_NOPERM, "draft %lld: only team '%s' may decide", d->id,
				     d->approver_team);
	sqlite3_stmt *s = sm_store_sql(st, Q_MINE);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, d->id);
	sqlite3_bind_text(s, 2, who, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, hash, -1, SQLITE_STATIC);
	int again = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	if (again)
		return sm_error_code(SM_EX_NOPERM, "draft %lld: %s approved it already; it needs "
				     "someone else", d->id, who);
	return 0;
}

static int pending(const sm_draft *d)
{
	return !strcmp(d->state, "pending") ? 0
		: sm_error_code(SM_EX_DATAERR, "draft %lld is %s, not pending", d->id, d->state);
}

int sm_draft_approve(sm_store *st, sm_config *cfg, long long id, const char *who, const char *now)
{
	sm_draft d;
	char hash[65];
	int rc = sm_draft_get(st, id, &d);
	if (rc <= 0)
		return rc < 0 ? -1 : sm_error_code(SM_EX_DATAERR, "no draft %lld", id);
	sm_draft_hash(&d, hash);
	rc = pending(&d) < 0 || may_decide(st, cfg, &d, who, hash) < 0 ? -1 : 0;
	sqlite3_stmt *s = rc == 0 ? sm_store_sql(st, Q_APPROVE) : NULL;
	if (rc == 0 && s) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, who, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
		rc = sm_store_done(st, s, "approval");
	} else if (rc == 0)
		rc = -1;
	long have = rc == 0 ? approvals_of(st, &d, hash) : -1;
	if (rc == 0 && have >= d.needs)
		rc = set_state(st, id, "approved", NULL, now);
	if (rc == 0) {
		char *detail = sm_asprintf("%ld of %ld; %s", have, d.needs, hash);
		rc = audit_draft(st, id, who, "approve", detail, now);
		free(detail);
	}
	sm_draft_free(&d);
	return rc;
}

int sm_draft_reject(sm_store *st, sm_config *cfg, long long id, const char *who, const char *reason,
		    const char *now)
{
	sm_draft d;
	char hash[65];
	if (!reason || !*reason)
		return sm_error_code(SM_EX_USAGE, "a rejection needs a reason: -m REASON");
	int rc = sm_draft_get(st, id, &d);
	if (rc <= 0)
		return rc < 0 ? -1 : sm_error_code(SM_EX_DATAERR, "no draft %lld", id);
	sm_draft_hash(&d, hash);
	rc = pending(&d) < 0 || may_decide(st, cfg, &d, who, hash) < 0 ? -1 : 0;
	if (rc == 0)
		rc = set_state(st, id, "rejected", reason, now);
	if (rc == 0)
		rc = audit_draft(st, id, who, "reject", reason, now);
	sm_draft_free(&d);
	return rc;
}

int sm_draft_edit(sm_store *st, sm_config *cfg, long long id, const char *who, const char *text,
		  const char *now)
{
	sm_draft d;
	int rc = sm_draft_get(st, id, &d);
	if (rc <= 0)
		return rc < 0 ? -1 : sm_error_code(SM_EX_DATAERR, "no draft %lld", id);
	rc = need_agent(cfg, who);
	if (rc == 0 && strcmp(who, d.author) && !sm_agent_has_role(cfg, who, "admin"))
		rc = sm_error_code(SM_EX_NOPERM, "draft %lld is %s's: only they or an admin may edit it",
				   id, d.author);
	if (rc == 0 && (!strcmp(d.state, "published") || !strcmp(d.state, "sending")))
		rc = sm_error_code(SM_EX_DATAERR, "draft %lld is %s: it can no longer change", id, d.state);
	/* only what was committed on the reviewed branch is published: a plan post changes there */
	if (rc == 0 && *d.plan)
		rc = sm_error_code(SM_EX_DATAERR, "draft %lld comes from the plan entry %s: change the "
				   "entry in the plan repository instead", id, d.plan);
	if (rc == 0 && (!text || !*text))
		rc = sm_error_code(SM_EX_DATAERR, "an empty draft");
	/* the same text: the approvals stand, unless the draft failed: then it is revived,
	   pending again with its approvals void (each stays in the audit log) */
	int revive = rc == 0 && !strcmp(text, d.text) && !strcmp(d.state, "failed");
	if (rc == 0 && !strcmp(text, d.text) && !revive) {
		sm_draft_free(&d);
		return 0;
	}
	sqlite3_stmt *q = rc == 0 && revive ? sm_store_sql(st, Q_VOID) : NULL;
	if (q) {
		sqlite3_bind_int64(q, 1, id);
		rc = sm_store_done(st, q, "void approvals");
	} else if (revive)
		rc = -1;
	sqlite3_stmt *s = rc == 0 ? sm_store_sql(st, Q_TEXT) : NULL;
	if (s) {
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
		rc = sm_store_done(st, s, "edit draft");
	} else if (rc == 0)
		rc = -1;
	/* an edit leaves the approvals recorded, bound to the old text's hash: they no longer count */
	if (rc == 0 && d.needs == 0)
		rc = set_state(st, id, "approved", NULL, now);
	if (rc == 0 && revive)
		rc = audit_draft(st, id, who, "revive", "failed; its approvals are void", now);
	else if (rc == 0) {
		char hash[65];
		free(d.text);
		d.text = sm_strdup(text);
		sm_draft_hash(&d, hash);
		rc = audit_draft(st, id, who, "edit", hash, now);
	}
	sm_draft_free(&d);
	return rc;
}

int sm_draft_releasable(sm_store *st, long long id, char *why, size_t n)
{
	sm_draft d;
	char hash[65];
	int rc = sm_draft_get(st, id, &d);
	if (rc <= 0) {
		snprintf(why, n, "no draft %lld", id);
		return rc < 0 ? -1 : 0;
	}
	sm_draft_hash(&d, hash);
	long have = approvals_of(st, &d, hash);
	if (strcmp(d.state, "approved") && strcmp(d.state, "sending"))
		snprintf(why, n, "draft %lld is %s", id, d.state);
	else if (have < d.needs)
		snprintf(why, n, "draft %lld: %ld of %ld approvals are for what it says now: it was "
			 "changed after it was approved", id, have < 0 ? 0 : have, d.needs);
	else
		why[0] = 0;
	sm_draft_free(&d);
	return why[0] ? 0 : 1;
}

json_t *sm_draft_record(sm_store *st, const sm_draft *d)
{
	char hash[65];
	json_t *approvals = json_array();
	sm_draft_hash(d, hash);
	sqlite3_stmt *s = sm_store_sql(st, Q_APPROVALS);
	if (s) {
		sqlite3_bind_int64(s, 1, d->id);
		sqlite3_bind_text(s, 2, hash, -1, SQLITE_STATIC);
		while (sqlite3_step(s) == SQLITE_ROW)
			json_array_append_new(approvals, json_pack("{s:s,s:s}", "by", sqlite3_column_text(s, 0),
								   "at", sqlite3_column_text(s, 1)));
		sqlite3_reset(s);
	}
	json_t *r = json_pack("{s:I,s:s,s:s?,s:s,s:s,s:s,s:s,s:I,s:o,s:s?}", "draft", (json_int_t)d->id,
			      "kind", d->kind, "reply_to", *d->reply_to ? d->reply_to : NULL, "channel",
			      d->channel, "text", d->text, "author", d->author, "state", d->state, "needs",
			      (json_int_t)d->needs, "approvals", approvals, "scheduled_at",
			      *d->scheduled_at ? d->scheduled_at : NULL);
	if (d->case_id)
		json_object_set_new(r, "case", json_integer(d->case_id));
	if (*d->batch)
		json_object_set_new(r, "batch", json_string(d->batch));
	if (*d->policy)
		json_object_set_new(r, "policy", json_string(d->policy));
	if (*d->reason)
		json_object_set_new(r, "reason", json_string(d->reason));
	if (*d->plan)
		json_object_set_new(r, "plan", json_string(d->plan));
	if (d->nmedia) {
		json_t *media = json_array();
		for (size_t i = 0; i < d->nmedia; i++) {
			const sm_draft_media *m = &d->media[i];
			json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s}", "path", m->path, "alt", m->alt,
					      "type", m->mime, "bytes", (json_int_t)m->size, "sha256", m->sha256);
			if (m->width && m->height) {
				json_object_set_new(o, "width", json_integer(m->width));
				json_object_set_new(o, "height", json_integer(m->height));
			}
			json_array_append_new(media, o);
		}
		json_object_set_new(r, "media", media);
	}
	if (*d->published_at)
		json_object_set_new(r, "published", json_pack("{s:s, s:s?, s:s}", "ext_id", d->published_id,
							      "url", *d->published_url ? d->published_url : NULL,
							      "at", d->published_at));
	if (d->attempts)
		json_object_set_new(r, "attempts", json_integer(d->attempts));
	if (*d->next_attempt && !strcmp(d->state, "approved"))
		json_object_set_new(r, "next_attempt", json_string(d->next_attempt));
	json_object_set_new(r, "hash", json_string(hash));
	json_object_set_new(r, "created_at", json_string(d->created_at));
	return r;
}

static const char Q_LIST[] =
	"SELECT id FROM drafts WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR author = ?2)"
	" AND (?3 IS NULL OR batch = ?3) AND (?4 IS NULL OR id NOT IN (SELECT draft_id FROM approvals"
	" WHERE approver = ?4)) ORDER BY id";

int sm_drafts_list(sm_store *st, const char *state, const char *author, const char *batch,
		   const char *not_approved_by, long long **ids, size_t *n)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_LIST);
	*ids = NULL;
	*n = 0;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, author, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, batch, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, not_approved_by, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*ids = sm_realloc(*ids, (*n + 1) * sizeof **ids);
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sm_store_fail(st, "list drafts");
}

int sm_draft_approved_by(sm_store *st, const sm_draft *d, const char *who)
{
	char hash[65];
	sm_draft_hash(d, hash);
	sqlite3_stmt *s = sm_store_sql(st, Q_MINE);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, d->id);
	sqlite3_bind_text(s, 2, who, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, hash, -1, SQLITE_STATIC);
	int yes = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return yes;
}

static const char Q_UNAUDITED[] =
	"SELECT count(*), min(draft_id), min(approver) FROM approvals WHERE NOT EXISTS (SELECT 1 FROM audit"
	" WHERE audit.object = 'draft:' || approvals.draft_id AND audit.action = 'approve'"
	" AND audit.actor = approvals.approver AND audit.detail LIKE '%; ' || approvals.hash)";

long sm_approvals_unaudited(sm_store *st, char *what, size_t n)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_UNAUDITED);
	if (!s)
		return -1;
	long count = -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		count = (long)sqlite3_column_int64(s, 0);
		if (count > 0)
			snprintf(what, n, "draft %lld, by %s", (long long)sqlite3_column_int64(s, 1),
				 (const char *)sqlite3_column_text(s, 2));
	}
	sqlite3_reset(s);
	return count < 0 ? sm_store_fail(st, "check the approvals") : count;
}

int sm_audit_check(sm_store *st, long long *entries, char *what, size_t n)
{
	char first[256];
	int rc = sm_audit_verify(st, entries, what, n);
	if (rc != 0)
		return rc < 0 ? -1 : 1;
	long forged = sm_approvals_unaudited(st, first, sizeof first);
	if (forged < 0)
		return -1;
	if (forged > 0) {
		snprintf(what, n, "%ld approval%s not in it (the first: %s): written into the store "
			 "behind sm-approve's back", forged, forged == 1 ? " is" : "s are", first);
		return 2;
	}
	return 0;
}
