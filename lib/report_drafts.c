/*
 * report_drafts.c - the reports on drafts and the audit log: approvals (drafts submitted,
 * approved, rejected, pending; approvals and rejections given; the time from a draft to
 * the approval that released it), publishing (replies and posts published, failed,
 * waiting; the editorial plan's occurrences ahead) and audit (the log, or its chain check).
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "drafts.h"
#include "report.h"

/* --team: drafts answering a case of the team (posts have no team) */
static const char Q_DRAFTS[] =
	"SELECT d.id, d.channel, d.author, d.state, d.needs, d.created_at,"
	" (SELECT max(a.at) FROM approvals a WHERE a.draft_id = d.id) FROM drafts d"
	" WHERE d.created_at >= ?1 AND d.created_at < ?2 AND (?3 IS NULL OR d.channel = ?3)"
	" AND (?4 IS NULL OR d.case_id IN (SELECT id FROM cases WHERE team = ?4))";
static const char Q_GIVEN[] =
	"SELECT a.approver, a.at, d.channel, d.created_at FROM approvals a JOIN drafts d ON d.id = a.draft_id"
	" WHERE a.at >= ?1 AND a.at < ?2 AND (?3 IS NULL OR d.channel = ?3)"
	" AND (?4 IS NULL OR d.case_id IN (SELECT id FROM cases WHERE team = ?4))";
static const char Q_REJECTED[] =
	"SELECT au.actor, au.at, d.channel FROM audit au"
	" JOIN drafts d ON d.id = CAST(substr(au.object, 7) AS INTEGER)"
	" WHERE au.action = 'reject' AND au.object LIKE 'draft:%' AND au.at >= ?1 AND au.at < ?2"
	" AND (?3 IS NULL OR d.channel = ?3)"
	" AND (?4 IS NULL OR d.case_id IN (SELECT id FROM cases WHERE team = ?4))";

static const char *col(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);
	return v ? (const char *)v : "";
}

static time_t tcol(sqlite3_stmt *s, int i)
{
	time_t t;
	return sm_report_time(col(s, i), &t) == 0 ? t : 0;
}

static sqlite3_stmt *period_query(sm_rctx *x, const char *sql, int team)
{
	sqlite3_stmt *s = sm_store_sql(x->st, sql);
	if (!s)
		return NULL;
	sqlite3_bind_text(s, 1, x->since, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, x->until, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, x->o->channel, -1, SQLITE_STATIC);
	if (team)
		sqlite3_bind_text(s, 4, x->o->team, -1, SQLITE_STATIC);
	return s;
}

/* ---- approvals -------------------------------------------------------------------------- */

typedef struct {
	long submitted, approved, rejected, pending, given, rejections;
	sm_sample tta;
} appr_acc;

static int released(const char *state)
{
	return !strcmp(state, "approved") || !strcmp(state, "sending") || !strcmp(state, "published") ||
	       !strcmp(state, "failed");
}

static int drafts_pass(sm_rctx *x, sm_groups *g)
{
	char buf[16];
	int rc;
	sqlite3_stmt *s = period_query(x, Q_DRAFTS, 1);
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *state = col(s, 3);
		time_t created = tcol(s, 5), last = tcol(s, 6);
		appr_acc *a = sm_groups_get(g, sm_rctx_key(x, created, col(s, 1), NULL, NULL, col(s, 2), buf));
		a->submitted++;
		if (released(state))
			a->approved++;
		else if (!strcmp(state, "rejected"))
			a->rejected++;
		else
			a->pending++;
		/* time to approval by draft, except under --by agent: by approver (below) */
		if (x->by != SM_BY_AGENT && released(state) && sqlite3_column_int(s, 4) > 0 && last && created)
			sm_sample_add(&a->tta, last > created ? (double)(last - created) : 0);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sm_store_fail(x->st, "drafts");
}

static int decisions_pass(sm_rctx *x, sm_groups *g)
{
	char buf[16];
	int rc;
	sqlite3_stmt *s = period_query(x, Q_GIVEN, 1);
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		time_t at = tcol(s, 1), created = tcol(s, 3);
		appr_acc *a = sm_groups_get(g, sm_rctx_key(x, at, col(s, 2), NULL, NULL, col(s, 0), buf));
		a->given++;
		if (x->by == SM_BY_AGENT && at && created)
			sm_sample_add(&a->tta, at > created ? (double)(at - created) : 0);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE || !(s = period_query(x, Q_REJECTED, 1)))
		return rc != SQLITE_DONE ? sm_store_fail(x->st, "approvals") : -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		((appr_acc *)sm_groups_get(g, sm_rctx_key(x, tcol(s, 1), col(s, 2), NULL, NULL, col(s, 0), buf)))
			->rejections++;
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sm_store_fail(x->st, "rejections");
}

int sm_report_approvals(sm_rctx *x, sm_report *r)
{
	sm_groups g;
	sm_groups_init(&g, sizeof(appr_acc));
	int rc = drafts_pass(x, &g) < 0 || decisions_pass(x, &g) < 0 ? -1 : 0;
	const sm_rcol cols[] = {
		sm_by_col(x->by), {"submitted", SM_RT_INT}, {"approved", SM_RT_INT}, {"rejected", SM_RT_INT},
		{"pending", SM_RT_INT}, {"approvals_given", SM_RT_INT}, {"rejections_given", SM_RT_INT},
		{"tta_mean", SM_RT_SECS}, {"tta_median", SM_RT_SECS}, {"tta_p90", SM_RT_SECS},
	};
	sm_rtable *t = sm_rtable_add(r, "approvals", cols, sizeof cols / sizeof cols[0]);
	t->title = sm_strdup(x->by == SM_BY_AGENT
				     ? "Approvals by agent: drafts they wrote (submitted, and what became of them), "
				       "approvals and rejections they gave, time from a draft to their approval (tta)"
				     : "Approvals: drafts submitted in the period and what became of them, approvals "
				       "and rejections given, time to the approval that released a draft (tta)");
	sm_rctx_fill(x, &g);
	size_t *idx = sm_groups_sorted(&g);
	for (size_t n = 0; n < g.n; n++) {
		sm_cell *row;
		appr_acc *a = sm_group_row(&g, idx, n, t, &row);
		long v[] = {a->submitted, a->approved, a->rejected, a->pending, a->given, a->rejections};
		for (int i = 0; i < 6; i++)
			sm_cell_num(&row[1 + i], (double)v[i]);
		sm_sample_cells(&a->tta, &row[7], &row[8], &row[9], NULL);
		sm_sample_free(&a->tta);
	}
	free(idx);
	t->chart = sm_by_is_time(x->by) ? sm_chart_of(SM_CHART_LINES, 0, 3, 1, 2, 3)
					: sm_chart_of(SM_CHART_BARS, 0, 2, 5, 6);
	sm_groups_free(&g);
	return rc;
}

/* ---- publishing ------------------------------------------------------------------------- */

static const char Q_PUBLISHED[] =
	"SELECT kind, channel, author, published_at FROM drafts WHERE state = 'published'"
	" AND published_at >= ?1 AND published_at < ?2 AND (?3 IS NULL OR channel = ?3)"
	" AND (?4 IS NULL OR case_id IN (SELECT id FROM cases WHERE team = ?4))";
static const char Q_FAILED[] =
	"SELECT kind, channel, author, updated_at FROM drafts WHERE state = 'failed'"
	" AND updated_at >= ?1 AND updated_at < ?2 AND (?3 IS NULL OR channel = ?3)"
	" AND (?4 IS NULL OR case_id IN (SELECT id FROM cases WHERE team = ?4))";
static const char Q_WAITING[] =
	"SELECT kind, channel, author, coalesce(scheduled_at, updated_at) FROM drafts"
	" WHERE state IN ('approved', 'sending') AND (?3 IS NULL OR channel = ?3)"
	" AND (?4 IS NULL OR case_id IN (SELECT id FROM cases WHERE team = ?4))";
static const char Q_AHEAD[] =
	"SELECT id, channel, scheduled_at, state, plan FROM drafts WHERE kind = 'post'"
	" AND plan IS NOT NULL AND scheduled_at > ?1 AND state != 'published'"
	" AND (?2 IS NULL OR channel = ?2) ORDER BY scheduled_at, id";

typedef struct {
	long n[5]; /* replies, posts published; failed; waiting */
} pub_acc;

static int pub_pass(sm_rctx *x, sm_groups *g, const char *sql, int what)
{
	char buf[16];
	int rc;
	sqlite3_stmt *s = period_query(x, sql, 1);
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *ch = col(s, 1);
		const char *key = what == 3 && sm_by_is_time(x->by) ? NULL
				  : sm_rctx_key(x, tcol(s, 3), ch, x->by == SM_BY_NETWORK ? sm_channel_network(x, ch) : NULL,
						NULL, col(s, 2), buf);
		if (!key)
			continue; /* waiting drafts have no period */
		pub_acc *a = sm_groups_get(g, key);
		a->n[what == 0 && !strcmp(col(s, 0), "post") ? 1 : what]++;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sm_store_fail(x->st, "publishing");
}

static int ahead(sm_rctx *x, sm_report *r)
{
	const sm_rcol cols[] = {
		{"draft", SM_RT_INT}, {"channel", SM_RT_TEXT}, {"scheduled_at", SM_RT_TIME},
		{"state", SM_RT_TEXT}, {"plan", SM_RT_TEXT},
	};
	sm_rtable *t = sm_rtable_add(r, "ahead", cols, sizeof cols / sizeof cols[0]);
	t->title = sm_strdup("The editorial plan ahead: posts scheduled after now, not published yet");
	sqlite3_stmt *s = sm_store_sql(x->st, Q_AHEAD);
	int rc;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, x->now, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, x->o->channel, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sm_cell *row = sm_rtable_row(t);
		sm_cell_num(&row[0], (double)sqlite3_column_int64(s, 0));
		for (int i = 1; i < 5; i++)
			sm_cell_text(&row[i], col(s, i));
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sm_store_fail(x->st, "plan ahead");
}

int sm_report_publishing(sm_rctx *x, sm_report *r)
{
	sm_groups g;
	int timed = sm_by_is_time(x->by);
	sm_groups_init(&g, sizeof(pub_acc));
	int rc = pub_pass(x, &g, Q_PUBLISHED, 0) < 0 || pub_pass(x, &g, Q_FAILED, 2) < 0 ||
			 pub_pass(x, &g, Q_WAITING, 3) < 0 ? -1 : 0;
	const sm_rcol cols[] = {
		sm_by_col(x->by), {"replies", SM_RT_INT}, {"posts", SM_RT_INT}, {"failed", SM_RT_INT},
		{"waiting", SM_RT_INT},
	};
	sm_rtable *t = sm_rtable_add(r, "publishing", cols, timed ? 4 : 5);
	t->title = sm_strdup(timed ? "Publishing: replies and posts published, drafts that failed for good"
				   : "Publishing: replies and posts published, drafts that failed for good; "
				     "waiting: approved and not sent yet (now)");
	sm_rctx_fill(x, &g);
	size_t *idx = sm_groups_sorted(&g);
	for (size_t n = 0; n < g.n; n++) {
		sm_cell *row;
		pub_acc *a = sm_group_row(&g, idx, n, t, &row);
		for (int i = 0; i < (timed ? 3 : 4); i++)
			sm_cell_num(&row[1 + i], (double)a->n[i]);
	}
	free(idx);
	t->chart = timed ? sm_chart_of(SM_CHART_LINES, 0, 3, 1, 2, 3) : sm_chart_of(SM_CHART_BARS, 0, 2, 1, 2);
	sm_groups_free(&g);
	return rc < 0 ? -1 : ahead(x, r);
}

/* ---- audit ------------------------------------------------------------------------------ */

static const char Q_AUDIT[] =
	"SELECT seq, at, actor, action, object, detail FROM audit WHERE at >= ?1 AND at < ?2 ORDER BY seq";

int sm_report_audit(sm_rctx *x, sm_report *r)
{
	if (x->o->verify) {
		long long entries;
		char what[512];
		int rc = sm_audit_check(x->st, &entries, what, sizeof what);
		if (rc < 0)
			return -1;
		const sm_rcol cols[] = {{"entries", SM_RT_INT}, {"intact", SM_RT_BOOL}, {"problem", SM_RT_TEXT}};
		sm_rtable *t = sm_rtable_add(r, "verify", cols, 3);
		t->title = sm_strdup("The audit log's hash chain, recomputed from the first entry");
		sm_cell *row = sm_rtable_row(t);
		sm_cell_num(&row[0], (double)entries);
		sm_cell_num(&row[1], rc == 0);
		sm_cell_text(&row[2], rc ? what : NULL);
		r->broken = rc > 0;
		return 0;
	}
	const sm_rcol cols[] = {
		{"seq", SM_RT_INT}, {"at", SM_RT_TIME}, {"actor", SM_RT_TEXT}, {"action", SM_RT_TEXT},
		{"object", SM_RT_TEXT}, {"detail", SM_RT_TEXT},
	};
	sm_rtable *t = sm_rtable_add(r, "audit", cols, 6);
	t->title = sm_strdup("The audit log: every change to a case or a draft, in order");
	sqlite3_stmt *s = period_query(x, Q_AUDIT, 0);
	int rc;
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sm_cell *row = sm_rtable_row(t);
		sm_cell_num(&row[0], (double)sqlite3_column_int64(s, 0));
		for (int i = 1; i < 6; i++)
			sm_cell_text(&row[i], (const char *)sqlite3_column_text(s, i));
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sm_store_fail(x->st, "audit");
}
