/*
 * simulate.c - sm-assign --simulate: what another config would have done. The period's
 * items are replayed on a scratch copy of the store, in the order and at the moments
 * sm-assign really took them (and with the resolutions agents really made), so an
 * unchanged config gives the real assignments back; nothing is written to the store.
 * Cases opened before the period are taken as they are now; what agents did by hand
 * other than resolving (take, set assignee, set-agent away) is not replayed.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assign.h"

/* items in the order sm-assign took them (by time, then as they were stored), and the
   resolutions among them */
static const char Q_STREAM[] =
	"SELECT ci.added_at, 0, items.record, NULL, items.rowid FROM case_items ci"
	" JOIN items ON items.id = ci.item_id WHERE ci.added_at >= ?1"
	" UNION ALL SELECT e.at, 1, NULL, c.conversation, e.id FROM case_events e"
	" JOIN cases c ON c.id = e.case_id"
	" WHERE e.what = 'status' AND e.new = 'resolved' AND e.at >= ?1 ORDER BY 1, 2, 5";
static const char Q_FORGET[] =
	"DELETE FROM case_events WHERE at >= ?1 OR case_id IN (SELECT id FROM cases WHERE opened_at >= ?1);"
	"DELETE FROM case_items WHERE added_at >= ?1 OR case_id IN (SELECT id FROM cases WHERE opened_at >= ?1);"
	"DELETE FROM forwards WHERE case_id IN (SELECT id FROM cases WHERE opened_at >= ?1);"
	"DELETE FROM cases WHERE opened_at >= ?1;"
	/* the assignment state as it was when the period began */
	"UPDATE agent_state SET last_assigned_at = (SELECT max(at) FROM case_events"
	" WHERE what IN ('assigned', 'taken') AND new = agent_state.agent);"
	"UPDATE team_state SET last_agent = (SELECT e.new FROM case_events e JOIN cases c"
	" ON c.id = e.case_id WHERE e.what = 'assigned' AND c.team = team_state.team"
	" ORDER BY e.at DESC, e.id DESC LIMIT 1);";
static const char Q_CASES[] =
	"SELECT count(*), sum(first_response_due < coalesce(first_response_at, ?2)),"
	" sum(queued_at IS NOT NULL OR id IN (SELECT case_id FROM case_events WHERE what = 'queued'))"
	" FROM cases WHERE opened_at >= ?1";
/* whole seconds: julianday's fractions of a day are not exact */
static const char Q_RESPONSE[] =
	"SELECT strftime('%s', first_response_at) - strftime('%s', opened_at) FROM cases"
	" WHERE opened_at >= ?1 AND first_response_at IS NOT NULL ORDER BY 1";
static const char Q_PER_AGENT[] =
	"SELECT new, count(*) FROM case_events WHERE what IN ('assigned', 'taken') AND at >= ?1"
	" AND new IS NOT NULL GROUP BY new ORDER BY new";

/* Forget the period in the copy: its cases, and what happened to older ones in it. */
static int forget(sqlite3 *db, const char *since)
{
	const char *sql = Q_FORGET, *tail;
	while (sql && *sql) {
		sqlite3_stmt *s;
		if (sqlite3_prepare_v2(db, sql, -1, &s, &tail) != SQLITE_OK)
			return sm_error("simulate: %s", sqlite3_errmsg(db));
		if (sqlite3_bind_parameter_count(s))
			sqlite3_bind_text(s, 1, since, -1, SQLITE_STATIC);
		int rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return sm_error("simulate: %s", sqlite3_errmsg(db));
		sql = tail;
	}
	return 0;
}

static void set_now(sm_assigner *a, const char *at)
{
	time_t t;
	if (sm_date_parse(at, &t) == 0) {
		a->now_t = t;
		sm_time_format(t, a->now);
	}
}

static int resolve(sm_assigner *a, const char *conversation)
{
	sm_case c;
	if (sm_case_find(a->st, conversation, &c) <= 0 || !strcmp(c.status, "resolved"))
		return 0;
	if (sm_case_set(a->st, c.id, "status", "resolved", "sm-assign", "status", "as really resolved", a->now) < 0)
		return -1;
	return sm_case_set(a->st, c.id, "resolved_at", a->now, "sm-assign", NULL, NULL, a->now);
}

/* Replay: every item at the moment it was really taken; a new moment is a new run, which
   first hands out the queue, as a real run does. */
static int replay(sm_store *real, sm_assigner *a, const char *since)
{
	sqlite3_stmt *s = sm_store_sql(real, Q_STREAM);
	char run[SM_TIME_LEN] = "";
	long handed;
	int rc = 0;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, since, -1, SQLITE_STATIC);
	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		const char *at = (const char *)sqlite3_column_text(s, 0);
		set_now(a, at);
		if (sqlite3_column_int(s, 1)) { /* as `set status=resolved` does: then the queue */
			rc = resolve(a, (const char *)sqlite3_column_text(s, 3));
			if (rc == 0)
				rc = sm_assign_queue(a, &handed);
			continue;
		}
		if (strcmp(run, at)) {
			snprintf(run, sizeof run, "%s", at);
			rc = sm_assign_queue(a, &handed);
		}
		json_t *item = json_loads((const char *)sqlite3_column_text(s, 2), 0, NULL), *out = NULL;
		if (rc == 0 && item)
			rc = sm_assign_item(a, item, &out);
		json_decref(item);
		json_decref(out);
	}
	sqlite3_reset(s);
	return rc;
}

static void figures(sm_store *st, const char *since, const char *now, sm_figures *f)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_CASES);
	memset(f, 0, sizeof *f);
	f->median_response = -1;
	if (s) {
		sqlite3_bind_text(s, 1, since, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW) {
			f->cases = sqlite3_column_int64(s, 0);
			f->breached = sqlite3_column_int64(s, 1);
			f->queued = sqlite3_column_int64(s, 2);
		}
		sqlite3_reset(s);
	}
	double *v = NULL;
	size_t n = 0;
	if ((s = sm_store_sql(st, Q_RESPONSE))) {
		sqlite3_bind_text(s, 1, since, -1, SQLITE_STATIC);
		while (sqlite3_step(s) == SQLITE_ROW) {
			v = sm_realloc(v, (n + 1) * sizeof *v);
			v[n++] = sqlite3_column_double(s, 0);
		}
		sqlite3_reset(s);
	}
	if (n) /* of an even count, the mean of the middle two, rounded to a second */
		f->median_response = n % 2 ? v[n / 2] : floor((v[n / 2 - 1] + v[n / 2]) / 2 + 0.5);
	free(v);
	if ((s = sm_store_sql(st, Q_PER_AGENT))) {
		sqlite3_bind_text(s, 1, since, -1, SQLITE_STATIC);
		while (sqlite3_step(s) == SQLITE_ROW) {
			f->agent = sm_realloc(f->agent, (f->nagents + 1) * sizeof *f->agent);
			snprintf(f->agent[f->nagents].name, sizeof f->agent[0].name, "%s", sqlite3_column_text(s, 0));
			f->agent[f->nagents++].cases = sqlite3_column_int64(s, 1);
		}
		sqlite3_reset(s);
	}
}

int sm_simulate(sm_store *real, sm_config *cfg, const char *since, sm_figures *was, sm_figures *would)
{
	char *path = NULL, now[SM_TIME_LEN];
	int fd = sm_tempfile("smkit-simulate", &path), rc = -1;
	sm_store *copy = NULL;
	sm_assigner a;
	sm_time_format(sm_now(), now);
	if (fd < 0)
		return -1;
	close(fd);
	if (sm_store_copy(real, path) == 0 && sm_store_open(path, 0, &copy) == 0 &&
	    forget(sm_store_db(copy), since) == 0 && sm_assigner_init(&a, cfg, copy, "sm-assign") == 0) {
		if (sm_store_begin(copy) == 0) {
			rc = replay(real, &a, since);
			figures(copy, since, now, would);
			sm_store_rollback(copy);
		}
		sm_assigner_free(&a);
	}
	figures(real, since, now, was);
	sm_store_close(copy);
	unlink(path);
	char *wal = sm_asprintf("%s-wal", path), *shm = sm_asprintf("%s-shm", path);
	unlink(wal);
	unlink(shm);
	free(wal);
	free(shm);
	free(path);
	return rc;
}

void sm_figures_free(sm_figures *f)
{
	free(f->agent);
	memset(f, 0, sizeof *f);
}
