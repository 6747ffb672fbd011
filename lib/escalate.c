/*
 * escalate.c - what cron runs after the pipeline: forwards that failed are tried again;
 * cases past their due time move to their team's escalate-to (a team, or an agent: the
 * lead) and the team is told; community questions nobody answered within the policy's
 * community-window are handed to staff.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "assign.h"

/* what list --overdue shows, not escalated yet: a first response due (new, open) or a
   resolution due (pending too) */
static const char Q_OVERDUE[] =
	"SELECT id FROM cases WHERE status != 'resolved' AND escalated_at IS NULL"
	" AND team IS NOT NULL AND ((status IN ('new', 'open') AND first_response_at IS NULL"
	" AND first_response_due < ?1) OR resolution_due < ?1)"
	" ORDER BY coalesce(first_response_due, '9999'), id";
/* community questions waiting for the community, and since when: since the question,
   or since the asker wrote again after an answer (its event "community" pending -> new) */
static const char Q_COMMUNITY[] =
	"SELECT c.id, coalesce((SELECT max(e.at) FROM case_events e WHERE e.case_id = c.id"
	" AND e.what = 'community' AND e.old = 'pending'), c.opened_at) FROM cases c"
	" WHERE c.status = 'new' AND c.team IS NULL ORDER BY c.opened_at, c.id";

static int ids(sm_store *st, const char *sql, const char *arg, long long **out, size_t *n)
{
	sqlite3_stmt *s = sm_store_sql(st, sql);
	*out = NULL;
	*n = 0;
	if (!s)
		return -1;
	if (arg)
		sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		*out = sm_realloc(*out, (*n + 1) * sizeof **out);
		(*out)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	return 0;
}

/* Move a case to another team (its strategy picks the agent; the policy of that team sets
   new due times when `due` is set) or to a named agent. */
static int move(sm_assigner *a, sm_case *c, const char *to, const char *why, int due)
{
	const sm_team *t = sm_team_named(a, to);
	if (sm_agent_named(a, to) && !t) {
		sm_assigner_forget(a); /* the lead's load grew */
		return sm_case_set(a->st, c->id, "assignee", to, "sm-assign", "escalated", why, a->now);
	}
	if (sm_case_set(a->st, c->id, "team", to, "sm-assign", "escalated", why, a->now) < 0 ||
	    sm_case_set(a->st, c->id, "assignee", "", "sm-assign", NULL, NULL, a->now) < 0 ||
	    sm_case_set(a->st, c->id, "status", "new", "sm-assign", NULL, NULL, a->now) < 0 ||
	    sm_case_set(a->st, c->id, "queued_at", a->now, "sm-assign", NULL, NULL, a->now) < 0)
		return -1;
	snprintf(c->team, sizeof c->team, "%s", to);
	c->assignee[0] = 0;
	if (due) { /* handed to staff: their targets run from now */
		json_t *item = sm_case_first_record(a->st, c->id);
		sm_case_item in = {0};
		if (item)
			sm_case_item_json(&in, item);
		const sm_policy *p = sm_assign_policy(a, c->channel, to, c->priority[0] ? c->priority : NULL,
						      in.tags, in.ntags);
		json_decref(item);
		sm_case_due(a, c, p, a->now_t);
		if (sm_case_set(a->st, c->id, "first_response_due", c->first_response_due, "sm-assign", NULL,
				NULL, a->now) < 0 ||
		    sm_case_set(a->st, c->id, "resolution_due", c->resolution_due, "sm-assign", NULL, NULL,
				a->now) < 0)
			return -1;
	}
	long handed;
	return sm_assign_queue(a, &handed);
}

/* Tell the team (the new one) by its e-mail and webhook, if it has them. */
static void notify(sm_assigner *a, const sm_workspace *ws, const sm_case *c, const char *why,
		   sm_escalation *e)
{
	const sm_team *t = sm_team_named(a, c->team);
	if (t && (t->email || t->webhook) && sm_forward_case(a, ws, c->id, c->team, why, "sm-assign") < 0)
		e->failed++;
}

/* Does `to` name a team or an agent? If not, say where it was named (`where`). */
static int known(sm_assigner *a, const char *to, const char *where, long long id, sm_escalation *e)
{
	if (sm_team_named(a, to) || sm_agent_named(a, to))
		return 1;
	sm_buf_printf(&e->warnings, "%s '%s' is neither a team nor an agent of the config: case %lld "
		      "stays where it is\n", where, to, id);
	return 0;
}

static int overdue(sm_assigner *a, const sm_workspace *ws, sm_escalation *e)
{
	long long *list;
	size_t n;
	if (ids(a->st, Q_OVERDUE, a->now, &list, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		sm_case c;
		if (sm_case_get(a->st, list[i], &c) <= 0)
			continue;
		const sm_team *t = sm_team_named(a, c.team);
		int first = !c.first_response_at[0] && c.first_response_due[0] &&
			    strcmp(c.first_response_due, a->now) < 0 && strcmp(c.status, "pending");
		char *why = sm_asprintf("%s overdue since %s", first ? "first response" : "resolution",
					first ? c.first_response_due : c.resolution_due);
		int rc = sm_case_set(a->st, c.id, "escalated_at", a->now, "sm-assign", "overdue", why, a->now);
		if (rc == 0 && t && t->escalate_to) {
			char *where = sm_asprintf("team '%s': escalate-to", t->name);
			if (known(a, t->escalate_to, where, c.id, e))
				rc = move(a, &c, t->escalate_to, why, 0);
			free(where);
		}
		if (rc < 0) {
			free(why);
			free(list);
			return -1;
		}
		notify(a, ws, &c, why, e);
		e->escalated++;
		free(why);
	}
	free(list);
	return 0;
}

/* The community questions and when their window began. */
static int waiting(sm_store *st, long long **out, time_t **since, size_t *n)
{
	sqlite3_stmt *s = sm_store_sql(st, Q_COMMUNITY);
	*out = NULL;
	*since = NULL;
	*n = 0;
	if (!s)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		time_t t;
		if (sm_date_parse((const char *)sqlite3_column_text(s, 1), &t) < 0)
			continue;
		*out = sm_realloc(*out, (*n + 1) * sizeof **out);
		*since = sm_realloc(*since, (*n + 1) * sizeof **since);
		(*since)[*n] = t;
		(*out)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	return 0;
}

/* Community questions older than the window, answered by nobody: to staff. */
static int community(sm_assigner *a, sm_escalation *e)
{
	long long *list;
	time_t *from;
	size_t n;
	if (waiting(a->st, &list, &from, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		sm_case c;
		time_t since = from[i];
		if (sm_case_get(a->st, list[i], &c) <= 0 || !sm_community_channel(a->cfg, c.channel))
			continue;
		sm_policy_subject s = {c.channel, NULL, c.priority[0] ? c.priority : NULL, NULL, NULL, 0};
		const sm_policy *p = sm_policy_match(&a->pol, &s);
		double window = p && p->community_window > 0 ? p->community_window : 4 * 3600;
		const char *to = p && p->route_to ? p->route_to : a->default_team;
		if ((double)(a->now_t - since) < window)
			continue;
		if (!to) {
			sm_buf_printf(&e->warnings, "channel '%s': neither a policy's route-to nor [assign] "
				      "default-team names the team for its questions: case %lld waits\n",
				      c.channel, c.id);
			continue;
		}
		char *where = p && p->route_to ? sm_asprintf("policy '%s': route-to", p->name)
					       : sm_strdup("[assign] default-team");
		int ok = known(a, to, where, c.id, e);
		free(where);
		if (!ok)
			continue;
		if (move(a, &c, to, "no one in the community answered within the window", 1) < 0) {
			free(list);
			free(from);
			return -1;
		}
		e->community++;
	}
	free(list);
	free(from);
	return 0;
}

int sm_escalate(sm_assigner *a, const sm_workspace *ws, sm_escalation *e)
{
	sm_buf_free(&e->warnings);
	memset(e, 0, sizeof *e);
	if (sm_forward_retry(a, ws, &e->retried, &e->failed) < 0)
		return -1;
	return overdue(a, ws, e) < 0 || community(a, e) < 0 ? -1 : 0;
}
