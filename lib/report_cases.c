/*
 * report_cases.c - the reports on cases: response (first-response and resolution times,
 * replies per case), sla (targets met and breached; the cases breached or due soon),
 * backlog (open and pending cases by age; the queue) and agents (each agent's figures).
 * A case is measured from its opening, or from the message that reopened it last: sm-assign
 * sets its due times and clears its first response then. Due times were computed in the
 * policy's business hours by sm-assign, so comparing them with the times of the answers is
 * the business-hours verdict; the durations reported are the time customers waited.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static const char Q_CASES[] =
	"SELECT id, channel, coalesce(team, ''), coalesce(assignee, ''), status, opened_at,"
	" first_response_at, first_response_due, resolved_at, resolution_due FROM cases"
	" WHERE (?1 IS NULL OR channel = ?1) AND (?2 IS NULL OR team = ?2)";
/* the start of a reopened case's current round: the message that reopened it (migration
   0010 indexes these events) */
static const char Q_REOPENED[] =
	"SELECT e.case_id, coalesce(i.created_at, e.at) FROM case_events e"
	" LEFT JOIN items i ON i.id = e.note WHERE e.what = 'reopened' ORDER BY e.id";
/* replies: items by the channel's own accounts in the case, and replies published by
   sm-publish that were not fetched back (yet) */
static const char Q_REPLIES[] =
	"SELECT ci.case_id FROM items i JOIN case_items ci ON ci.item_id = i.id"
	" WHERE i.author_id = ?1 AND i.channel = ?2";
static const char Q_PUBLISHED_REPLIES[] =
	"SELECT d.case_id FROM drafts d WHERE d.kind = 'reply' AND d.state = 'published'"
	" AND d.case_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM items i"
	" WHERE i.id = d.channel || ':' || d.published_id)";

enum { T_OPENED, T_START, T_FR_AT, T_FR_DUE, T_RES_AT, T_RES_DUE, NT };
typedef struct {
	long long id;
	int channel, team, agent; /* interned */
	char status;              /* n o p r */
	time_t t[NT];             /* 0: none */
	int replies;
} kase;
typedef struct {
	kase *c;
	size_t n;
	sm_groups names;          /* interned strings */
	long long max_id;
	long *by_id;              /* index + 1, by case id */
} cases;

static int intern(cases *cs, const unsigned char *s)
{
	const char *k = s ? (const char *)s : "";
	long i = sm_groups_find(&cs->names, k);
	if (i < 0) {
		sm_groups_get(&cs->names, k);
		i = (long)cs->names.n - 1;
	}
	return (int)i;
}

static const char *name(const cases *cs, int i) { return cs->names.keys[i]; }

static time_t col_time(sqlite3_stmt *s, int i)
{
	time_t t;
	const unsigned char *v = sqlite3_column_text(s, i);
	return v && sm_report_time((const char *)v, &t) == 0 ? t : 0;
}

static kase *case_of(cases *cs, long long id)
{
	return id > 0 && id <= cs->max_id && cs->by_id[id] ? &cs->c[cs->by_id[id] - 1] : NULL;
}

static int load_replies(sm_rctx *x, cases *cs)
{
	sm_selves self;
	sqlite3_stmt *s;
	int rc = sm_selves_load(x, &self);
	for (size_t i = 0; rc == 0 && i < self.n; i++) {
		if (!(s = sm_store_sql(x->st, Q_REPLIES))) {
			rc = -1;
			break;
		}
		sqlite3_bind_text(s, 1, self.author[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, self.channel[i], -1, SQLITE_STATIC);
		while (sqlite3_step(s) == SQLITE_ROW) {
			kase *k = case_of(cs, sqlite3_column_int64(s, 0));
			if (k)
				k->replies++;
		}
		sqlite3_reset(s);
	}
	sm_selves_free(&self);
	if (rc < 0 || !(s = sm_store_sql(x->st, Q_PUBLISHED_REPLIES)))
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		kase *k = case_of(cs, sqlite3_column_int64(s, 0));
		if (k)
			k->replies++;
	}
	sqlite3_reset(s);
	return 0;
}

static int load_cases(sm_rctx *x, cases *cs, int replies)
{
	sqlite3_stmt *s = sm_store_sql(x->st, Q_CASES);
	size_t cap = 0;
	int rc;
	memset(cs, 0, sizeof *cs);
	sm_groups_init(&cs->names, 1);
	intern(cs, NULL);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, x->o->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, x->o->team, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cs->n == cap) {
			cap = cap ? 2 * cap : 1024;
			cs->c = sm_realloc(cs->c, cap * sizeof *cs->c);
		}
		kase *k = &cs->c[cs->n++];
		memset(k, 0, sizeof *k);
		k->id = sqlite3_column_int64(s, 0);
		k->channel = intern(cs, sqlite3_column_text(s, 1));
		k->team = intern(cs, sqlite3_column_text(s, 2));
		k->agent = intern(cs, sqlite3_column_text(s, 3));
		const unsigned char *st = sqlite3_column_text(s, 4);
		k->status = st ? (char)st[0] : 'n';
		k->t[T_OPENED] = k->t[T_START] = col_time(s, 5);
		k->t[T_FR_AT] = col_time(s, 6);
		k->t[T_FR_DUE] = col_time(s, 7);
		k->t[T_RES_AT] = col_time(s, 8);
		k->t[T_RES_DUE] = col_time(s, 9);
		if (k->id > cs->max_id)
			cs->max_id = k->id;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sm_store_fail(x->st, "read cases");
	cs->by_id = sm_calloc((size_t)cs->max_id + 1, sizeof *cs->by_id);
	for (size_t i = 0; i < cs->n; i++)
		cs->by_id[cs->c[i].id] = (long)i + 1;
	if (!(s = sm_store_sql(x->st, Q_REOPENED)))
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		kase *k = case_of(cs, sqlite3_column_int64(s, 0));
		time_t t = col_time(s, 1);
		if (k && t)
			k->t[T_START] = t;
	}
	sqlite3_reset(s);
	return replies ? load_replies(x, cs) : 0;
}

static void free_cases(cases *cs)
{
	free(cs->c);
	free(cs->by_id);
	sm_groups_free(&cs->names);
}

static int in_period(const sm_rctx *x, time_t t)
{
	return t && (!x->o->since || t >= x->o->since) && (!x->o->until || t < x->o->until);
}

static const char *key_of(sm_rctx *x, const cases *cs, const kase *k, time_t t, char buf[16])
{
	const char *ch = name(cs, k->channel);
	return sm_rctx_key(x, t, ch,
			   x->by == SM_BY_NETWORK ? sm_channel_network(x, ch) : NULL, name(cs, k->team),
			   name(cs, k->agent), buf);
}

/* The first-response and resolution targets: 1 met, 0 breached, -1 running or none; *at
   the time the verdict fell. A case resolved without an answer was answered then. */
static int verdict(const kase *k, int res, time_t now, time_t *at)
{
	time_t due = k->t[res ? T_RES_DUE : T_FR_DUE];
	time_t done = res ? k->t[T_RES_AT] : k->t[T_FR_AT] ? k->t[T_FR_AT] : k->t[T_RES_AT];
	if (!due)
		return -1;
	if (done && done <= due) {
		*at = done;
		return 1;
	}
	if (done || due <= now) {
		*at = due;
		return 0;
	}
	return -1;
}

/* The first policy with a first-response target: drawn on the response chart. */
static void policy_target(sm_rctx *x, sm_chart *ch)
{
	sm_policies ps;
	if (sm_policies_load(x->cfg, &ps) < 0)
		return;
	for (size_t i = 0; i < ps.n; i++)
		if (ps.p[i].first_response > 0) {
			ch->has_target = 1;
			ch->target = ps.p[i].first_response;
			snprintf(ch->target_label, sizeof ch->target_label,
				 "first-response target of policy %s (business hours)", ps.p[i].name);
			break;
		}
	sm_policies_free(&ps);
}

/* ---- response --------------------------------------------------------------------------- */

typedef struct {
	long cases, answered, resolved, replies;
	sm_sample frt, res;
} resp_acc;

int sm_report_response(sm_rctx *x, sm_report *r)
{
	cases cs;
	sm_groups g;
	char buf[16];
	sm_groups_init(&g, sizeof(resp_acc));
	int rc = load_cases(x, &cs, 1);
	for (size_t i = 0; rc == 0 && i < cs.n; i++) {
		kase *k = &cs.c[i];
		if (!in_period(x, k->t[T_START]))
			continue;
		resp_acc *a = sm_groups_get(&g, key_of(x, &cs, k, k->t[T_START], buf));
		a->cases++;
		a->replies += k->replies;
		if (k->t[T_FR_AT]) {
			a->answered++;
			sm_sample_add(&a->frt, k->t[T_FR_AT] > k->t[T_START] ? (double)(k->t[T_FR_AT] - k->t[T_START]) : 0);
		}
		if (k->t[T_RES_AT]) {
			a->resolved++;
			sm_sample_add(&a->res, k->t[T_RES_AT] > k->t[T_START] ? (double)(k->t[T_RES_AT] - k->t[T_START]) : 0);
		}
	}
	const sm_rcol cols[] = {
		sm_by_col(x->by), {"cases", SM_RT_INT}, {"answered", SM_RT_INT},
		{"frt_mean", SM_RT_SECS}, {"frt_median", SM_RT_SECS}, {"frt_p90", SM_RT_SECS},
		{"frt_p95", SM_RT_SECS}, {"resolved", SM_RT_INT}, {"res_mean", SM_RT_SECS},
		{"res_median", SM_RT_SECS}, {"res_p90", SM_RT_SECS}, {"res_p95", SM_RT_SECS},
		{"replies", SM_RT_INT}, {"replies_per_case", SM_RT_REAL},
	};
	sm_rtable *t = sm_rtable_add(r, "response", cols, sizeof cols / sizeof cols[0]);
	t->title = sm_strdup("Response: first-response time (frt) and resolution time (res) of the "
			     "cases opened in the period");
	sm_rctx_fill(x, &g);
	size_t *idx = sm_groups_sorted(&g);
	for (size_t n = 0; rc == 0 && n < g.n; n++) {
		sm_cell *row;
		resp_acc *a = sm_group_row(&g, idx, n, t, &row);
		sm_cell_num(&row[1], (double)a->cases);
		sm_cell_num(&row[2], (double)a->answered);
		sm_sample_cells(&a->frt, &row[3], &row[4], &row[5], &row[6]);
		sm_cell_num(&row[7], (double)a->resolved);
		sm_sample_cells(&a->res, &row[8], &row[9], &row[10], &row[11]);
		sm_cell_num(&row[12], (double)a->replies);
		if (a->cases)
			sm_cell_num(&row[13], (double)a->replies / (double)a->cases);
	}
	for (size_t n = 0; n < g.n; n++) {
		resp_acc *a = sm_groups_at(&g, n);
		sm_sample_free(&a->frt);
		sm_sample_free(&a->res);
	}
	t->chart = sm_chart_of(sm_by_is_time(x->by) ? SM_CHART_LINES : SM_CHART_BARS, 0, 2, 4, 5);
	policy_target(x, &t->chart);
	free(idx);
	sm_groups_free(&g);
	free_cases(&cs);
	return rc;
}

/* ---- sla -------------------------------------------------------------------------------- */

typedef struct {
	long due[2], met[2];
} sla_acc;

static const char Q_AT_RISK[] =
	"SELECT id, channel, coalesce(team, ''), coalesce(assignee, ''), status, first_response_at,"
	" first_response_due, resolution_due, conversation FROM cases WHERE status != 'resolved'"
	" AND ((first_response_at IS NULL AND first_response_due <= ?1) OR resolution_due <= ?1)"
	" AND (?2 IS NULL OR channel = ?2) AND (?3 IS NULL OR team = ?3)"
	" ORDER BY id";

static void at_risk_row(sm_rtable *t, sqlite3_stmt *s, const char *target, const char *due, time_t now)
{
	time_t d;
	if (sm_report_time(due, &d) < 0)
		return;
	sm_cell *row = sm_rtable_row(t);
	sm_cell_num(&row[0], (double)sqlite3_column_int64(s, 0));
	for (int i = 1; i <= 4; i++)
		sm_cell_text(&row[i], (const char *)sqlite3_column_text(s, i));
	sm_cell_text(&row[5], target);
	sm_cell_text(&row[6], due);
	sm_cell_text(&row[7], d <= now ? "breached" : "due-soon");
	sm_cell_num(&row[8], (double)(now - d));
	sm_cell_text(&row[9], (const char *)sqlite3_column_text(s, 8));
}

/* the most overdue first; then by case */
static int by_due(const sm_cell *a, const sm_cell *b, void *ctx)
{
	(void)ctx;
	int c = strcmp(a[6].text, b[6].text);
	return c ? c : a[0].num < b[0].num ? -1 : a[0].num > b[0].num;
}

static int at_risk(sm_rctx *x, sm_report *r)
{
	double soon;
	char limit[SM_TIME_LEN];
	if (sm_config_duration(x->cfg, "report.due-soon", 3600, &soon) < 0)
		return -1;
	const sm_rcol cols[] = {
		{"case", SM_RT_INT}, {"channel", SM_RT_TEXT}, {"team", SM_RT_TEXT}, {"assignee", SM_RT_TEXT},
		{"status", SM_RT_TEXT}, {"target", SM_RT_TEXT}, {"due", SM_RT_TIME}, {"state", SM_RT_TEXT},
		{"overdue", SM_RT_SECS}, {"conversation", SM_RT_TEXT},
	};
	sm_rtable *t = sm_rtable_add(r, "breached", cols, sizeof cols / sizeof cols[0]);
	t->title = sm_asprintf("Cases breached now, or due within %.0f minutes (report.due-soon)", soon / 60);
	t->note = "overdue: how long past the due time; negative: the time left";
	sqlite3_stmt *s = sm_store_sql(x->st, Q_AT_RISK);
	if (!s)
		return -1;
	sm_time_format(x->o->now + (time_t)soon, limit);
	sqlite3_bind_text(s, 1, limit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, x->o->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, x->o->team, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *fr_at = (const char *)sqlite3_column_text(s, 5);
		const char *fr_due = (const char *)sqlite3_column_text(s, 6);
		const char *res_due = (const char *)sqlite3_column_text(s, 7);
		if (!fr_at && fr_due && strcmp(fr_due, limit) <= 0)
			at_risk_row(t, s, "first-response", fr_due, x->o->now);
		if (res_due && strcmp(res_due, limit) <= 0)
			at_risk_row(t, s, "resolution", res_due, x->o->now);
	}
	sqlite3_reset(s);
	sm_rtable_sort(t, by_due, NULL);
	return rc == SQLITE_DONE ? 0 : sm_store_fail(x->st, "cases at risk");
}

int sm_report_sla(sm_rctx *x, sm_report *r)
{
	cases cs;
	sm_groups g;
	char buf[16];
	sm_groups_init(&g, sizeof(sla_acc));
	int rc = load_cases(x, &cs, 0);
	for (size_t i = 0; rc == 0 && i < cs.n; i++)
		for (int res = 0; res < 2; res++) {
			time_t at;
			int v = verdict(&cs.c[i], res, x->o->now, &at);
			if (v < 0 || !in_period(x, at))
				continue;
			sla_acc *a = sm_groups_get(&g, key_of(x, &cs, &cs.c[i], at, buf));
			a->due[res]++;
			a->met[res] += v;
		}
	const sm_rcol cols[] = {
		sm_by_col(x->by), {"frt_due", SM_RT_INT}, {"frt_met", SM_RT_INT}, {"frt_breached", SM_RT_INT},
		{"frt_met_share", SM_RT_SHARE}, {"res_due", SM_RT_INT}, {"res_met", SM_RT_INT},
		{"res_breached", SM_RT_INT}, {"res_met_share", SM_RT_SHARE},
	};
	sm_rtable *t = sm_rtable_add(r, "sla", cols, sizeof cols / sizeof cols[0]);
	t->title = sm_strdup("SLA: first-response (frt) and resolution (res) targets whose verdict "
			     "fell in the period, met or breached, in business hours");
	sm_rctx_fill(x, &g);
	size_t *idx = sm_groups_sorted(&g);
	for (size_t n = 0; n < g.n; n++) {
		sm_cell *row;
		sla_acc *a = sm_group_row(&g, idx, n, t, &row);
		for (int res = 0; res < 2; res++) {
			sm_cell_num(&row[1 + 4 * res], (double)a->due[res]);
			sm_cell_num(&row[2 + 4 * res], (double)a->met[res]);
			sm_cell_num(&row[3 + 4 * res], (double)(a->due[res] - a->met[res]));
			if (a->due[res])
				sm_cell_num(&row[4 + 4 * res], (double)a->met[res] / (double)a->due[res]);
		}
	}
	free(idx);
	double target = 90; /* read below; used even when an earlier step failed */
	if (rc == 0 && sm_config_duration(x->cfg, "report.sla-target", 90, &target) < 0)
		rc = -1;
	t->chart = sm_chart_of(sm_by_is_time(x->by) ? SM_CHART_LINES : SM_CHART_BARS, 0, 2, 4, 8);
	t->chart.has_target = 1;
	t->chart.target = target / 100;
	snprintf(t->chart.target_label, sizeof t->chart.target_label, "target %g%% (report.sla-target)", target);
	if (rc == 0)
		rc = at_risk(x, r);
	sm_groups_free(&g);
	free_cases(&cs);
	return rc;
}

/* ---- backlog ---------------------------------------------------------------------------- */

static const double ages[] = {3600, 4 * 3600, 86400, 3 * 86400, 7 * 86400};
enum { NAGES = sizeof ages / sizeof ages[0] + 1 };
typedef struct {
	long open, pending, age[NAGES];
} backlog_acc;

static const char Q_QUEUE[] =
	"SELECT id, coalesce(team, ''), channel, coalesce(priority, ''), queued_at, conversation"
	" FROM cases WHERE status = 'new' AND assignee IS NULL AND queued_at IS NOT NULL"
	" AND (?1 IS NULL OR channel = ?1) AND (?2 IS NULL OR team = ?2) ORDER BY queued_at, id";

static int queue(sm_rctx *x, sm_report *r)
{
	const sm_rcol cols[] = {
		{"case", SM_RT_INT}, {"team", SM_RT_TEXT}, {"channel", SM_RT_TEXT}, {"priority", SM_RT_TEXT},
		{"queued_at", SM_RT_TIME}, {"waiting", SM_RT_SECS}, {"conversation", SM_RT_TEXT},
	};
	sm_rtable *t = sm_rtable_add(r, "queue", cols, sizeof cols / sizeof cols[0]);
	t->title = sm_strdup("The queue: cases waiting for an agent with room, oldest first");
	sqlite3_stmt *s = sm_store_sql(x->st, Q_QUEUE);
	int rc;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, x->o->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, x->o->team, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sm_cell *row = sm_rtable_row(t);
		sm_cell_num(&row[0], (double)sqlite3_column_int64(s, 0));
		for (int i = 1; i <= 4; i++)
			sm_cell_text(&row[i], (const char *)sqlite3_column_text(s, i));
		time_t q = col_time(s, 4);
		if (q)
			sm_cell_num(&row[5], (double)(x->o->now - q));
		sm_cell_text(&row[6], (const char *)sqlite3_column_text(s, 5));
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sm_store_fail(x->st, "queue");
}

int sm_report_backlog(sm_rctx *x, sm_report *r)
{
	cases cs;
	sm_groups g;
	char buf[16];
	sm_groups_init(&g, sizeof(backlog_acc));
	int rc = load_cases(x, &cs, 0);
	for (size_t i = 0; rc == 0 && i < cs.n; i++) {
		kase *k = &cs.c[i];
		if (k->status == 'r')
			continue;
		backlog_acc *a = sm_groups_get(&g, key_of(x, &cs, k, k->t[T_START], buf));
		if (k->status == 'p')
			a->pending++;
		else
			a->open++;
		double age = (double)(x->o->now - k->t[T_START]);
		int b = 0;
		while (b < NAGES - 1 && age >= ages[b])
			b++;
		a->age[b]++;
	}
	const sm_rcol cols[] = {
		sm_by_col(x->by), {"open", SM_RT_INT}, {"pending", SM_RT_INT}, {"total", SM_RT_INT},
		{"age_0_1h", SM_RT_INT}, {"age_1_4h", SM_RT_INT}, {"age_4_24h", SM_RT_INT},
		{"age_1_3d", SM_RT_INT}, {"age_3_7d", SM_RT_INT}, {"age_7d_plus", SM_RT_INT},
	};
	sm_rtable *t = sm_rtable_add(r, "backlog", cols, sizeof cols / sizeof cols[0]);
	t->title = sm_strdup("Backlog: cases not resolved (open: new or open), by age since opened or reopened");
	size_t *idx = sm_groups_sorted(&g);
	for (size_t n = 0; n < g.n; n++) {
		sm_cell *row;
		backlog_acc *a = sm_group_row(&g, idx, n, t, &row);
		sm_cell_num(&row[1], (double)a->open);
		sm_cell_num(&row[2], (double)a->pending);
		sm_cell_num(&row[3], (double)(a->open + a->pending));
		for (int b = 0; b < NAGES; b++)
			sm_cell_num(&row[4 + b], (double)a->age[b]);
	}
	free(idx);
	t->chart = sm_chart_of(SM_CHART_BARS, 0, 1, 3);
	if (rc == 0)
		rc = queue(x, r);
	sm_groups_free(&g);
	free_cases(&cs);
	return rc;
}

/* ---- agents ----------------------------------------------------------------------------- */

typedef struct {
	long cases, resolved, replies, approvals, load, fr_due, fr_met;
	sm_sample frt;
} agent_acc;

static const char Q_AGENT_REPLIES[] =
	"SELECT author, count(*) FROM drafts WHERE kind = 'reply' AND state = 'published'"
	" AND published_at >= ?1 AND published_at < ?2 AND (?3 IS NULL OR channel = ?3) GROUP BY author";
static const char Q_AGENT_APPROVALS[] =
	"SELECT a.approver, count(*) FROM approvals a JOIN drafts d ON d.id = a.draft_id"
	" WHERE a.at >= ?1 AND a.at < ?2 AND (?3 IS NULL OR d.channel = ?3) GROUP BY a.approver";
static const char Q_AWAY[] = "SELECT agent FROM agent_state WHERE away";

static int count_by_agent(sm_rctx *x, sm_groups *g, const char *sql, size_t offset)
{
	sqlite3_stmt *s = sm_store_sql(x->st, sql);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, x->since, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, x->until, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, x->o->channel, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW)
		*(long *)((char *)sm_groups_get(g, (const char *)sqlite3_column_text(s, 0)) + offset) +=
			(long)sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	return 0;
}

static void agent_rows(sm_rctx *x, sm_groups *g, sm_rtable *t, const sm_groups *away)
{
	size_t *idx = sm_groups_sorted(g);
	for (size_t n = 0; n < g->n; n++) {
		const char *name = g->keys[idx[n]];
		const char *team = sm_config_get_sub(x->cfg, "agent", name, "team");
		if (!strcmp(name, "(none)") || (x->o->team && (!team || strcmp(team, x->o->team))))
			continue;
		agent_acc *a = sm_groups_at(g, idx[n]);
		char *key = sm_asprintf("agent.%s.capacity", name);
		long cap = 20;
		sm_config_int(x->cfg, key, 20, &cap);
		free(key);
		sm_cell *row = sm_rtable_row(t);
		sm_cell_text(&row[0], name);
		sm_cell_text(&row[1], team);
		sm_cell_num(&row[2], (double)a->cases);
		sm_cell_num(&row[3], (double)a->resolved);
		sm_cell_num(&row[4], (double)a->replies);
		sm_sample_cells(&a->frt, NULL, &row[5], NULL, NULL);
		if (a->fr_due)
			sm_cell_num(&row[6], (double)a->fr_met / (double)a->fr_due);
		sm_cell_num(&row[7], (double)a->approvals);
		sm_cell_num(&row[8], (double)a->load);
		sm_cell_num(&row[9], (double)cap);
		if (cap > 0)
			sm_cell_num(&row[10], (double)a->load / (double)cap);
		sm_cell_num(&row[11], sm_groups_find(away, name) >= 0);
	}
	free(idx);
}

int sm_report_agents(sm_rctx *x, sm_report *r)
{
	cases cs;
	sm_groups g, away;
	size_t n;
	sm_groups_init(&g, sizeof(agent_acc));
	sm_groups_init(&away, 1);
	const char *const *names = sm_config_subsections(x->cfg, "agent", &n);
	for (size_t i = 0; i < n; i++)
		sm_groups_get(&g, names[i]);
	/* the agents' cases of any team: --team picks agents, not cases */
	sm_report_opts o = *x->o;
	const sm_report_opts *orig = x->o;
	o.team = NULL;
	x->o = &o;
	int rc = load_cases(x, &cs, 0);
	x->o = orig;
	for (size_t i = 0; rc == 0 && i < cs.n; i++) {
		kase *k = &cs.c[i];
		time_t at;
		if (!*name(&cs, k->agent))
			continue;
		agent_acc *a = sm_groups_get(&g, name(&cs, k->agent));
		if (k->status == 'o' || k->status == 'p')
			a->load++;
		if (in_period(x, k->t[T_START])) {
			a->cases++;
			if (k->t[T_FR_AT])
				sm_sample_add(&a->frt, k->t[T_FR_AT] > k->t[T_START] ? (double)(k->t[T_FR_AT] - k->t[T_START]) : 0);
		}
		if (in_period(x, k->t[T_RES_AT]))
			a->resolved++;
		int v = verdict(k, 0, x->o->now, &at);
		if (v >= 0 && in_period(x, at)) {
			a->fr_due++;
			a->fr_met += v;
		}
	}
	if (rc == 0)
		rc = count_by_agent(x, &g, Q_AGENT_REPLIES, offsetof(agent_acc, replies));
	if (rc == 0)
		rc = count_by_agent(x, &g, Q_AGENT_APPROVALS, offsetof(agent_acc, approvals));
	sqlite3_stmt *s = rc == 0 ? sm_store_sql(x->st, Q_AWAY) : NULL;
	if (s) {
		while (sqlite3_step(s) == SQLITE_ROW)
			sm_groups_get(&away, (const char *)sqlite3_column_text(s, 0));
		sqlite3_reset(s);
	} else
		rc = -1;
	const sm_rcol cols[] = {
		{"agent", SM_RT_TEXT}, {"team", SM_RT_TEXT}, {"cases", SM_RT_INT}, {"resolved", SM_RT_INT},
		{"replies", SM_RT_INT}, {"frt_median", SM_RT_SECS}, {"frt_met_share", SM_RT_SHARE},
		{"approvals", SM_RT_INT}, {"load", SM_RT_INT}, {"capacity", SM_RT_INT},
		{"load_share", SM_RT_SHARE}, {"away", SM_RT_BOOL},
	};
	sm_rtable *t = sm_rtable_add(r, "agents", cols, sizeof cols / sizeof cols[0]);
	t->title = sm_strdup("Agents: cases opened and resolved in the period, replies published, "
			     "approvals given; load now against capacity");
	if (rc == 0)
		agent_rows(x, &g, t, &away);
	t->chart = sm_chart_of(SM_CHART_BARS, 0, 2, 8, 9);
	for (size_t i = 0; i < g.n; i++)
		sm_sample_free(&((agent_acc *)sm_groups_at(&g, i))->frt);
	sm_groups_free(&g);
	sm_groups_free(&away);
	free_cases(&cs);
	return rc;
}
