/*
 * caseops.c - what people do to cases, with the rights each needs: an agent takes a case
 * nobody holds; changes a case they hold (an admin, anyone's); marks themselves away.
 * Every change is recorded with who made it.
 */
#include <stdlib.h>
#include <string.h>

#include "assign.h"

static const char *const statuses[] = {"new", "open", "pending", "resolved", NULL};
static const char *const priorities[] = {"low", "normal", "high", "urgent", NULL};

static int one_of(const char *const *list, const char *v)
{
	for (int i = 0; list[i]; i++)
		if (!strcmp(list[i], v))
			return 1;
	return 0;
}

static int need_agent(const char *who)
{
	return who ? 0 : sm_error_code(SM_EX_NOPERM, "you are no agent of this workspace "
				      "(an [agent] whose login is yours, see sm-config(5))");
}

/* The case, for an agent: 0, or -1 (no such case, 65; no agent, 77). */
static int case_for(sm_assigner *a, long long id, const char *who, sm_case *c)
{
	int rc = sm_case_get(a->st, id, c);
	if (rc <= 0)
		return rc < 0 ? -1 : sm_error_code(SM_EX_DATAERR, "no case %lld", id);
	return need_agent(who);
}

int sm_case_take(sm_assigner *a, long long id, const char *who)
{
	sm_case c;
	if (case_for(a, id, who, &c) < 0)
		return -1;
	if (!strcmp(c.assignee, who))
		return 0;
	if (c.assignee[0])
		return sm_error_code(SM_EX_NOPERM, "case %lld is held by %s; an admin can reassign it "
				     "with 'sm-assign set %lld assignee=%s'", id, c.assignee, id, who);
	if (!strcmp(c.status, "resolved"))
		return sm_error_code(SM_EX_DATAERR, "case %lld is resolved", id);
	if (sm_case_set(a->st, id, "assignee", who, who, "taken", NULL, a->now) < 0 ||
	    sm_case_set(a->st, id, "queued_at", "", who, NULL, NULL, a->now) < 0 ||
	    sm_agent_assigned(a->st, who, a->now) < 0)
		return -1;
	return strcmp(c.status, "new") ? 0 : sm_case_set(a->st, id, "status", "open", who, "status", NULL, a->now);
}

static int check_value(sm_assigner *a, const char *key, const char *v)
{
	if (!strcmp(key, "status") && !one_of(statuses, v))
		return sm_error_code(SM_EX_USAGE, "status is new, open, pending or resolved, not '%s'", v);
	if (!strcmp(key, "priority") && *v && !one_of(priorities, v))
		return sm_error_code(SM_EX_USAGE, "priority is low, normal, high or urgent, not '%s'", v);
	if (!strcmp(key, "assignee") && *v && !sm_agent_named(a, v))
		return sm_error_code(SM_EX_USAGE, "no agent '%s' in the config", v);
	if (!strcmp(key, "team") && *v && !sm_team_named(a, v))
		return sm_error_code(SM_EX_USAGE, "no team '%s' in the config", v);
	if (strcmp(key, "status") && strcmp(key, "priority") && strcmp(key, "assignee") && strcmp(key, "team"))
		return sm_error_code(SM_EX_USAGE, "a case has status, assignee, priority and team, not '%s'", key);
	return 0;
}

/* Taken off its agent: the case waits in its team's queue again, from now. The queue of this
   command leaves it there (whoever took it off did not want it handed straight back); the
   next run hands it out. */
static int unassigned(sm_assigner *a, const sm_case *c, const char *who)
{
	a->hold = c->id;
	if (!strcmp(c->status, "open") &&
	    sm_case_set(a->st, c->id, "status", "new", who, "status", NULL, a->now) < 0)
		return -1;
	return c->team[0] ? sm_case_set(a->st, c->id, "queued_at", a->now, who, "queued", c->team, a->now) : 0;
}

int sm_case_update(sm_assigner *a, long long id, const char *key, const char *value, const char *who)
{
	sm_case c;
	if (case_for(a, id, who, &c) < 0 || check_value(a, key, value) < 0)
		return -1;
	int admin = sm_agent_has_role(a->cfg, who, "admin");
	if (c.assignee[0] && strcmp(c.assignee, who) && !admin)
		return sm_error_code(SM_EX_NOPERM, "case %lld is held by %s: only they or an admin may "
				     "change it", id, c.assignee);
	if (sm_case_set(a->st, id, key, value, who, key, NULL, a->now) < 0)
		return -1;
	if (!strcmp(key, "status") && !strcmp(value, "resolved"))
		return sm_case_set(a->st, id, "resolved_at", a->now, who, NULL, NULL, a->now);
	if (!strcmp(key, "status")) /* open again: no longer resolved */
		return sm_case_set(a->st, id, "resolved_at", "", who, NULL, NULL, a->now);
	if (!strcmp(key, "assignee") && *value)
		return sm_case_set(a->st, id, "queued_at", "", who, NULL, NULL, a->now) < 0 ||
			       (!strcmp(c.status, "new") &&
				sm_case_set(a->st, id, "status", "open", who, "status", NULL, a->now) < 0)
			       ? -1 : 0;
	if (!strcmp(key, "assignee") && c.assignee[0] && strcmp(c.status, "resolved"))
		return unassigned(a, &c, who);
	return 0;
}

int sm_case_forward(sm_assigner *a, const sm_workspace *ws, long long id, const char *team,
		    const char *note, const char *who)
{
	sm_case c;
	if (case_for(a, id, who, &c) < 0)
		return -1;
	const sm_agent *ag = sm_agent_named(a, who);
	int member = !c.assignee[0] && ag && ag->team && !strcmp(ag->team, c.team);
	if (strcmp(c.assignee, who) && !member && !sm_agent_has_role(a->cfg, who, "admin"))
		return sm_error_code(SM_EX_NOPERM, c.assignee[0] ? "case %lld is held by %s: only they or an "
				     "admin may forward it" : "case %lld waits in team %s's queue: only a member "
				     "or an admin may forward it", id, c.assignee[0] ? c.assignee : c.team);
	return sm_forward_case(a, ws, id, team, note, who);
}

int sm_agent_mark(sm_assigner *a, const char *agent, int away, const char *who)
{
	if (need_agent(who) < 0)
		return -1;
	if (!sm_agent_named(a, agent))
		return sm_error_code(SM_EX_USAGE, "no agent '%s' in the config", agent);
	if (strcmp(agent, who) && !sm_agent_has_role(a->cfg, who, "admin"))
		return sm_error_code(SM_EX_NOPERM, "only %s or an admin may mark %s away or back", agent, agent);
	return sm_agent_set_away(a->st, agent, away);
}
