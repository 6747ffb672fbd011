/*
 * cases.c - the SQL of cases: finding and opening them, their items, every change with
 * who made it and when, and the agents' and teams' assignment state.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "assign.h"

/* read_row's order; NULL reads as "" */
#define CASE_COLUMNS                                                                               \
	"id, conversation, channel, status, team, assignee, priority, author_id, opened_at,"      \
	" queued_at, first_response_due, resolution_due, first_response_at, escalated_at"

/* the case not resolved (the unique index of 0003), else the newest resolved (0009's) */
static const char Q_FIND[] = "SELECT " CASE_COLUMNS " FROM cases WHERE conversation = ?1"
			     " AND status != 'resolved' UNION ALL SELECT * FROM (SELECT " CASE_COLUMNS
			     " FROM cases WHERE conversation = ?1 AND status = 'resolved'"
			     " ORDER BY id DESC LIMIT 1) LIMIT 1";
static const char Q_GET[] = "SELECT " CASE_COLUMNS " FROM cases WHERE id = ?1";
static const char Q_OPEN[] =
	"INSERT INTO cases (conversation, channel, author_id, team, assignee, priority, status,"
	" opened_at, queued_at, first_response_due, resolution_due, updated_at) VALUES (?1, ?2,"
	" nullif(?3, ''), nullif(?4, ''), nullif(?5, ''), nullif(?6, ''), ?7, ?8, nullif(?9, ''),"
	" nullif(?10, ''), nullif(?11, ''), ?12)";
static const char Q_THREAD_CASE[] =
	"SELECT ci.case_id FROM items i JOIN case_items ci ON ci.item_id = i.id"
	" WHERE i.thread = ?1 AND i.channel = ?2 ORDER BY ci.case_id DESC LIMIT 1";
static const char Q_ADD[] = "INSERT INTO case_items (item_id, case_id, added_at) VALUES (?1, ?2, ?3)"
			    " ON CONFLICT (item_id) DO NOTHING";
static const char Q_ITEM_CASE[] = "SELECT case_id FROM case_items WHERE item_id = ?1";
static const char Q_FIRST_RECORD[] =
	"SELECT items.record FROM case_items JOIN items ON items.id = case_items.item_id"
	" WHERE case_items.case_id = ?1 ORDER BY case_items.added_at, items.rowid LIMIT 1";
static const char Q_EVENT[] = "INSERT INTO case_events (case_id, at, actor, what, old, new, note)"
			      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char Q_EVENT_MANY[] = "INSERT INTO case_events (case_id, at, actor, what, old, new, note)"
				   " VALUES " SM_ROWS_VALUES("(?, ?, ?, ?, ?, ?, ?)");
/* the events of a transaction sm_case_defer was called in */
static _Thread_local sm_rows kept = {.one = Q_EVENT, .many = Q_EVENT_MANY, .types = "itttttt", .what = "case event"};
static const char Q_LOAD[] = "SELECT count(*) FROM cases WHERE assignee = ?1"
			     " AND status IN ('open', 'pending')";
static const char Q_AWAY[] = "SELECT away FROM agent_state WHERE agent = ?1";
static const char Q_SET_AWAY[] = "INSERT INTO agent_state (agent, away) VALUES (?1, ?2)"
				 " ON CONFLICT (agent) DO UPDATE SET away = excluded.away";
static const char Q_ASSIGNED[] = "INSERT INTO agent_state (agent, last_assigned_at) VALUES (?1, ?2)"
				 " ON CONFLICT (agent) DO UPDATE SET last_assigned_at = excluded.last_assigned_at";
static const char Q_LAST_ASSIGNED[] = "SELECT last_assigned_at FROM agent_state WHERE agent = ?1";
static const char Q_TEAM_LAST[] = "SELECT last_agent FROM team_state WHERE team = ?1";
static const char Q_TEAM_SET[] = "INSERT INTO team_state (team, last_agent) VALUES (?1, ?2)"
				 " ON CONFLICT (team) DO UPDATE SET last_agent = excluded.last_agent";
/* the author's cases, found through their items (items_author): no index on cases for it */
static const char Q_AUTHOR_LAST[] =
	"SELECT c.assignee FROM items i JOIN case_items ci ON ci.item_id = i.id"
	" JOIN cases c ON c.id = ci.case_id WHERE i.author_id = ?1 AND c.assignee IS NOT NULL"
	" AND c.opened_at >= ?2 ORDER BY c.id DESC LIMIT 1";
static const char Q_QUEUE[] = "SELECT id FROM cases WHERE team = ?1 AND status = 'new'"
			      " AND assignee IS NULL AND queued_at IS NOT NULL ORDER BY queued_at, id LIMIT ?2";

/* The columns sm_case_set may change: a fixed list, so no SQL is ever built from input. */
static const struct { const char *column, *sql; } setters[] = {
	{"status", "UPDATE cases SET status = ?2, updated_at = ?3 WHERE id = ?1"},
	{"assignee", "UPDATE cases SET assignee = nullif(?2, ''), updated_at = ?3 WHERE id = ?1"},
	{"team", "UPDATE cases SET team = nullif(?2, ''), updated_at = ?3 WHERE id = ?1"},
	{"priority", "UPDATE cases SET priority = nullif(?2, ''), updated_at = ?3 WHERE id = ?1"},
	{"queued_at", "UPDATE cases SET queued_at = nullif(?2, ''), updated_at = ?3 WHERE id = ?1"},
	{"first_response_at", "UPDATE cases SET first_response_at = nullif(?2, ''), updated_at = ?3 WHERE id = ?1"},
	{"first_response_due", "UPDATE cases SET first_response_due = nullif(?2, ''), updated_at = ?3 WHERE id = ?1"},
	{"resolution_due", "UPDATE cases SET resolution_due = nullif(?2, ''), updated_at = ?3 WHERE id = ?1"},
	{"resolved_at", "UPDATE cases SET resolved_at = nullif(?2, ''), updated_at = ?3 WHERE id = ?1"},
	{"escalated_at", "UPDATE cases SET escalated_at = nullif(?2, ''), updated_at = ?3 WHERE id = ?1"},
};

static void text_col(sqlite3_stmt *s, int i, char *out, size_t n)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	size_t len = t ? (size_t)sqlite3_column_bytes(s, i) : 0;
	if (len >= n)
		len = n - 1;
	if (len)
		memcpy(out, t, len);
	out[len] = 0;
}

static void read_row(sqlite3_stmt *s, sm_case *c)
{
	c->id = sqlite3_column_int64(s, 0);
	text_col(s, 1, c->conversation, sizeof c->conversation);
	text_col(s, 2, c->channel, sizeof c->channel);
	text_col(s, 3, c->status, sizeof c->status);
	text_col(s, 4, c->team, sizeof c->team);
	text_col(s, 5, c->assignee, sizeof c->assignee);
	text_col(s, 6, c->priority, sizeof c->priority);
	text_col(s, 7, c->author_id, sizeof c->author_id);
	text_col(s, 8, c->opened_at, sizeof c->opened_at);
	text_col(s, 9, c->queued_at, sizeof c->queued_at);
	text_col(s, 10, c->first_response_due, sizeof c->first_response_due);
	text_col(s, 11, c->resolution_due, sizeof c->resolution_due);
	text_col(s, 12, c->first_response_at, sizeof c->first_response_at);
	text_col(s, 13, c->escalated_at, sizeof c->escalated_at);
}

/* One case: 1 read, 0 none, -1 error. */
static int read_case(sm_store *st, sqlite3_stmt *s, sm_case *c)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_row(s, c);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : sm_store_fail(st, "read case");
}

int sm_case_find(sm_store *st, const char *conversation, sm_case *c)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_FIND);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, conversation, -1, SQLITE_STATIC);
	return read_case(st, s, c);
}

int sm_case_get(sm_store *st, long long id, sm_case *c)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_GET);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	return read_case(st, s, c);
}

int sm_case_open(sm_store *st, sm_case *c, const sm_case_ev *then, int nthen, const char *now)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_OPEN);
	if (!s)
		return -1;
	if (!c->status[0])
		SM_CASE_SET(c->status, "new");
	if (!c->opened_at[0])
		memcpy(c->opened_at, now, SM_TIME_LEN);
	const char *v[] = {c->conversation, c->channel, c->author_id, c->team, c->assignee, c->priority,
			   c->status, c->opened_at, c->queued_at, c->first_response_due, c->resolution_due, now};
	for (int i = 0; i < (int)(sizeof v / sizeof v[0]); i++)
		sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_STATIC);
	if (sm_store_done(st, s, "open case") < 0)
		return -1;
	c->id = sm_store_last_id(st);
	sm_case_ev ev[4] = {{"sm-assign", "opened", NULL, c->conversation, NULL}};
	int n = 1;
	for (int i = 0; i < nthen && n < 4; i++)
		ev[n++] = then[i];
	return sm_case_events(st, c->id, ev, n, now);
}

int sm_case_add_item(sm_store *st, long long case_id, const char *item_id, const char *now,
		     long long *in_case)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_ADD);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, item_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, case_id);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	if (sm_store_done(st, s, "add item to case") < 0)
		return -1;
	if (sm_store_changes(st) > 0)
		return 1;
	if (!(s = sm_store_sql(st, Q_ITEM_CASE)))
		return -1;
	sqlite3_bind_text(s, 1, item_id, -1, SQLITE_STATIC);
	*in_case = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return 0;
}

int sm_case_answered(sm_store *st, sm_case *c, const char *at, const char *actor,
		     const char *note, const char *now)
{
	if (!c->first_response_at[0]) { /* the case is at hand: its old values need no read */
		if (sm_case_change(st, c->id, "first_response_at", NULL, at, actor, "first-response", note, now) < 0)
			return -1;
		SM_CASE_SET(c->first_response_at, at);
	}
	if ((!strcmp(c->status, "open") || !strcmp(c->status, "new")) &&
	    sm_case_change(st, c->id, "status", c->status, "pending", actor, "status", NULL, now) < 0)
		return -1;
	if (strcmp(c->status, "resolved"))
		SM_CASE_SET(c->status, "pending");
	return 0;
}

void sm_case_defer(sm_store *st)
{
	sm_rows_defer(&kept, st);
	sm_audit_defer(st);
}

/* The row of one event (kept for the commit when deferred). */
static int put_event(sm_store *st, const char *num, long long id, const sm_case_ev *e, const char *now)
{
	const char *v[7] = {num, now, e->actor, e->what, e->old && *e->old ? e->old : NULL,
			    e->new_value && *e->new_value ? e->new_value : NULL, e->note};
	if (sm_rows_deferred(&kept, st))
		return sm_rows_add(&kept, st, v);
	sqlite3_stmt *s = sm_store_sql(st, Q_EVENT);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	for (int i = 1; i < 7; i++)
		sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_STATIC);
	return sm_store_done(st, s, "case event");
}

/* An event as the audit says it: "old -> new; note", after " | what" for all but the
   first of an entry (put together without printf: it is done for every change). */
static void event_text(sm_buf *b, const sm_case_ev *e, int first)
{
	const char *o = e->old ? e->old : "", *n = e->new_value ? e->new_value : "";
	if (!first) {
		sm_buf_adds(b, " | ");
		sm_buf_adds(b, e->what);
		if (*o)
			sm_buf_addc(b, ' ');
	}
	sm_buf_adds(b, o);
	if (*o || *n)
		sm_buf_add(b, " -> ", 4);
	sm_buf_adds(b, n);
	if (e->note) {
		sm_buf_add(b, "; ", 2);
		sm_buf_adds(b, e->note);
	}
}

int sm_case_events(sm_store *st, long long id, const sm_case_ev *ev, int n, const char *now)
{
	char num[24], object[32];
	sm_fmt_ll(num, id);
	memcpy(object, "case:", 5);
	memcpy(object + 5, num, strlen(num) + 1);
	static _Thread_local sm_buf detail;
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++)
		rc = put_event(st, num, id, &ev[i], now);
	/* every change to a case is in the audit chain too: those of one actor together */
	for (int i = 0, j; i < n && rc == 0; i = j) {
		sm_buf_reset(&detail);
		event_text(&detail, &ev[i], 1);
		for (j = i + 1; j < n && !strcmp(ev[j].actor, ev[i].actor); j++)
			event_text(&detail, &ev[j], 0);
		sm_buf_addc(&detail, 0);
		rc = sm_audit(st, ev[i].actor, ev[i].what, object, detail.s, now);
	}
	return rc;
}

int sm_case_event(sm_store *st, long long id, const char *actor, const char *what,
		  const char *old, const char *new_value, const char *note, const char *now)
{
	sm_case_ev e = {actor, what, old, new_value, note};
	return sm_case_events(st, id, &e, 1, now);
}

static const char *old_value(const sm_case *c, const char *column)
{
	return !strcmp(column, "status") ? c->status : !strcmp(column, "assignee") ? c->assignee
	       : !strcmp(column, "team") ? c->team : !strcmp(column, "priority") ? c->priority : NULL;
}

int sm_case_set(sm_store *st, long long id, const char *column, const char *value,
		const char *actor, const char *what, const char *note, const char *now)
{
	sm_case c;
	if (what && sm_case_get(st, id, &c) <= 0) /* the old value, for the event */
		return sm_error_code(SM_EX_DATAERR, "no case %lld", id);
	return sm_case_change(st, id, column, what ? old_value(&c, column) : NULL, value, actor,
			      what, note, now);
}

int sm_case_change(sm_store *st, long long id, const char *column, const char *old,
		   const char *value, const char *actor, const char *what, const char *note,
		   const char *now)
{
	const char *sql = NULL;
	for (size_t i = 0; i < sizeof setters / sizeof setters[0]; i++)
		if (!strcmp(setters[i].column, column))
			sql = setters[i].sql;
	if (!sql)
		return sm_error_code(SM_EX_USAGE, "a case has no field '%s'", column);
	sqlite3_stmt *s = sm_store_sql(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, value ? value : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, now, -1, SQLITE_STATIC);
	if (sm_store_done(st, s, "update case") < 0)
		return -1;
	return what ? sm_case_event(st, id, actor, what, old, value, note, now) : 0;
}

static long one_long(sm_store *st, const char *sql, const char *arg)
{
	sqlite3_stmt *s = sm_store_sql(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
	long v = sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return v;
}

long sm_agent_load(sm_store *st, const char *agent) { return one_long(st, Q_LOAD, agent); }
int sm_agent_away(sm_store *st, const char *agent) { return (int)one_long(st, Q_AWAY, agent); }

static int exec2(sm_store *st, const char *sql, const char *a, const char *b, int ib, const char *what)
{
	sqlite3_stmt *s = sm_store_sql(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(s, 2, b, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int(s, 2, ib);
	return sm_store_done(st, s, what);
}

int sm_agent_set_away(sm_store *st, const char *agent, int away)
{
	return exec2(st, Q_SET_AWAY, agent, NULL, away, "agent state");
}

int sm_agent_assigned(sm_store *st, const char *agent, const char *now)
{
	return exec2(st, Q_ASSIGNED, agent, now, 0, "agent state");
}

int sm_team_set_last(sm_store *st, const char *team, const char *agent)
{
	return exec2(st, Q_TEAM_SET, team, agent, 0, "team state");
}

static int one_text(sm_store *st, const char *sql, const char *a, const char *b, char *out, size_t n)
{
	sqlite3_stmt *s = sm_store_sql(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(s, 2, b, -1, SQLITE_STATIC);
	int found = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0);
	if (found)
		text_col(s, 0, out, n);
	sqlite3_reset(s);
	return found;
}

const char *sm_agent_last_assigned(sm_store *st, const char *agent, char out[SM_TIME_LEN])
{
	return one_text(st, Q_LAST_ASSIGNED, agent, NULL, out, SM_TIME_LEN) > 0 ? out : "";
}

int sm_team_last(sm_store *st, const char *team, char *out, size_t n)
{
	return one_text(st, Q_TEAM_LAST, team, NULL, out, n);
}

int sm_author_last_agent(sm_store *st, const char *author, const char *since, char *out, size_t n)
{
	return one_text(st, Q_AUTHOR_LAST, author, since, out, n);
}

int sm_team_queue(sm_store *st, const char *team, long long *ids, int max)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_QUEUE);
	int n = 0;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, team, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, max);
	while (n < max && sqlite3_step(s) == SQLITE_ROW)
		ids[n++] = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return n;
}

long long sm_item_case(sm_store *st, const char *item_id)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_ITEM_CASE);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, item_id, -1, SQLITE_STATIC);
	long long id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return id;
}

long long sm_thread_case(sm_store *st, const char *channel, const char *thread)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_THREAD_CASE);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, thread, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, channel, -1, SQLITE_STATIC);
	long long id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return id;
}

json_t *sm_case_first_record(sm_store *st, long long id)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_FIRST_RECORD);
	json_t *rec = NULL;
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		rec = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL);
	sqlite3_reset(s);
	return rec;
}

/* The cases sm-assign list shows; NULL filters match anything, no SQL is built. Those not
   resolved come in the order of the partial index cases_open_due (migration 0009). */
#define LIST_FILTERS                                                                               \
	" AND (?1 IS NULL OR assignee = ?1) AND (?2 IS NULL OR team = ?2)"                         \
	" AND (?4 IS NULL OR (status IN ('new', 'open') AND first_response_at IS NULL"             \
	"      AND first_response_due < ?4) OR (status != 'resolved' AND resolution_due < ?4))"   \
	" ORDER BY coalesce(first_response_due, '9999'), id"
static const char Q_LIST[] = "SELECT " CASE_COLUMNS " FROM cases WHERE status != 'resolved'"
			     LIST_FILTERS;
static const char Q_LIST_STATUS[] = "SELECT " CASE_COLUMNS " FROM cases WHERE status = ?3" LIST_FILTERS;

static sqlite3_stmt *list_query(sm_store *st, const char *agent, const char *team, const char *status,
				const char *overdue_at)
{
	sqlite3_stmt *s = sm_store_sql(st, status ? Q_LIST_STATUS : Q_LIST);
	if (!s)
		return NULL;
	sqlite3_bind_text(s, 1, agent, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, team, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, overdue_at, -1, SQLITE_STATIC);
	return s;
}

int sm_cases_list(sm_store *st, const char *agent, const char *team, const char *status,
		  const char *overdue_at, int (*fn)(const sm_case *c, void *ctx), void *ctx)
{
	sqlite3_stmt *s = list_query(st, agent, team, status, overdue_at);
	sm_case c;
	int rc;
	if (!s)
		return -1;
	/* read all first: the callback may use the store, which this statement would hold */
	sm_case *all = NULL;
	size_t n = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		read_row(s, &c);
		all = sm_realloc(all, (n + 1) * sizeof *all);
		all[n++] = c;
	}
	sqlite3_reset(s);
	rc = rc == SQLITE_DONE ? 0 : sm_store_fail(st, "list cases");
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = fn(&all[i], ctx);
	free(all);
	return rc;
}

/* A text column as a JSON member: null when NULL or empty. */
static void json_col(sm_buf *b, const char *key, size_t klen, sqlite3_stmt *s, int i)
{
	const char *t = (const char *)sqlite3_column_text(s, i);
	int n = sqlite3_column_bytes(s, i);
	sm_buf_add(b, key, klen);
	if (t && n > 0)
		sm_buf_json_str(b, t, (size_t)n);
	else
		sm_buf_add(b, "null", 4);
}

int sm_cases_json(sm_store *st, const char *agent, const char *team, const char *status,
		  const char *overdue_at, sm_buf *out, int (*fn)(sm_buf *out, void *ctx), void *ctx)
{
#define KEY(k) "," k ":", sizeof "," k ":" - 1
	sqlite3_stmt *s = list_query(st, agent, team, status, overdue_at);
	int rc = 0, step = SQLITE_DONE;
	if (!s)
		return -1;
	while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
		sm_buf_printf(out, "{\"case\":%lld", (long long)sqlite3_column_int64(s, 0));
		json_col(out, KEY("\"conversation\""), s, 1);
		json_col(out, KEY("\"channel\""), s, 2);
		json_col(out, KEY("\"status\""), s, 3);
		json_col(out, KEY("\"team\""), s, 4);
		json_col(out, KEY("\"assignee\""), s, 5);
		json_col(out, KEY("\"priority\""), s, 6);
		json_col(out, KEY("\"opened_at\""), s, 8);
		json_col(out, KEY("\"due\""), s, 10);
		json_col(out, KEY("\"resolution_due\""), s, 11);
		json_col(out, KEY("\"first_response_at\""), s, 12);
		json_col(out, KEY("\"queued_at\""), s, 9);
		sm_buf_add(out, "}\n", 2);
		if (out->len >= 1 << 16)
			rc = fn(out, ctx);
	}
#undef KEY
	if (rc == 0 && step != SQLITE_DONE)
		rc = sm_store_fail(st, "list cases");
	sqlite3_reset(s);
	return rc == 0 && out->len ? fn(out, ctx) : rc;
}

static const char Q_TEAMS[] = "SELECT team, last_agent FROM team_state WHERE last_agent IS NOT NULL";

int sm_team_states(sm_store *st, int (*fn)(const char *team, const char *agent, void *ctx), void *ctx)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_TEAMS);
	int rc;
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn((const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1), ctx);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sm_store_fail(st, "team states");
}

static const char Q_LOADS[] = "SELECT assignee, count(*) FROM cases WHERE assignee IS NOT NULL"
			      " AND status IN ('open', 'pending') GROUP BY assignee";

int sm_agent_loads(sm_store *st, int (*fn)(const char *agent, long load, void *ctx), void *ctx)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_LOADS);
	int rc;
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn((const char *)sqlite3_column_text(s, 0), (long)sqlite3_column_int64(s, 1), ctx);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sm_store_fail(st, "agent loads");
}

static const char Q_STATES[] = "SELECT agent, away, coalesce(last_assigned_at, '') FROM agent_state";

int sm_agent_states(sm_store *st, int (*fn)(const char *agent, int away, const char *last, void *ctx),
		    void *ctx)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_STATES);
	int rc;
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn((const char *)sqlite3_column_text(s, 0), sqlite3_column_int(s, 1),
		   (const char *)sqlite3_column_text(s, 2), ctx);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sm_store_fail(st, "agent states");
}
