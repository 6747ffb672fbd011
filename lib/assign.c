/*
 * assign.c - sm-assign's decisions: the case an item belongs to (its thread, or for direct
 * messages and e-mail the conversation with one author), the team of a new case (the
 * rule's, else the policy's route-to, else the default team), its agent by the team's
 * strategy (round-robin, least-loaded within capacity, skills, sticky) or the team's
 * queue, and its due times in the policy's business hours. Runs inside the caller's
 * transaction.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "assign.h"

static const char *const strategies[] = {"round-robin", "least-loaded", "skills", "sticky", NULL};

static const char *str(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }
static const char *or_empty(const char *s) { return s ? s : ""; }

static int known_strategy(const char *s)
{
	for (int i = 0; strategies[i]; i++)
		if (!strcmp(strategies[i], s))
			return 1;
	return 0;
}

static size_t team_index(sm_assigner *a, const char *name)
{
	for (size_t i = 0; i < a->nteams; i++)
		if (!strcmp(a->teams[i].name, name))
			return i;
	a->teams = sm_realloc(a->teams, (a->nteams + 1) * sizeof *a->teams);
	memset(&a->teams[a->nteams], 0, sizeof *a->teams);
	a->teams[a->nteams].name = name;
	return a->nteams++;
}

static int load_team(sm_assigner *a, sm_team *t)
{
	sm_config *cfg = a->cfg;
	t->strategy = sm_config_get_sub(cfg, "team", t->name, "strategy");
	if (!t->strategy)
		t->strategy = a->default_strategy;
	if (!known_strategy(t->strategy))
		return sm_error_code(SM_EX_CONFIG, "team '%s': strategy is round-robin, least-loaded, "
				     "skills or sticky, not '%s'", t->name, t->strategy);
	t->email = sm_config_get_sub(cfg, "team", t->name, "email");
	t->webhook = sm_config_get_sub(cfg, "team", t->name, "webhook");
	t->escalate_to = sm_config_get_sub(cfg, "team", t->name, "escalate-to");
	t->skill_tags = sm_config_get_all_sub(cfg, "team", t->name, "skill-tag", &t->nskill_tags);
	return 0;
}

static int load_agents(sm_assigner *a)
{
	size_t n;
	const char *const *names = sm_config_subsections(a->cfg, "agent", &n);
	a->agents = sm_calloc(n + 1, sizeof *a->agents);
	for (size_t i = 0; i < n; i++) {
		sm_agent *ag = &a->agents[a->nagents++];
		char *key = sm_asprintf("agent.%s.capacity", names[i]);
		int rc = sm_config_int(a->cfg, key, 20, &ag->capacity);
		free(key);
		if (rc < 0)
			return -1;
		ag->name = names[i];
		ag->team = sm_config_get_sub(a->cfg, "agent", names[i], "team");
		ag->login = sm_config_get_sub(a->cfg, "agent", names[i], "login");
		ag->skills = sm_config_get_all_sub(a->cfg, "agent", names[i], "skill", &ag->nskills);
		if (ag->team) {
			size_t ti = team_index(a, ag->team); /* may move a->teams: index first */
			sm_team *t = &a->teams[ti];
			t->members = sm_realloc(t->members, (t->nmembers + 1) * sizeof *t->members);
			t->members[t->nmembers++] = i;
		}
	}
	return 0;
}

int sm_assigner_init(sm_assigner *a, sm_config *cfg, sm_store *st, const char *actor)
{
	size_t n;
	memset(a, 0, sizeof *a);
	a->cfg = cfg;
	a->st = st;
	a->actor = actor;
	a->now_t = sm_now();
	sm_time_format(a->now_t, a->now);
	a->default_team = sm_config_get(cfg, "assign.default-team");
	a->default_strategy = sm_config_get(cfg, "assign.strategy");
	if (!a->default_strategy)
		a->default_strategy = "least-loaded";
	if (sm_config_duration(cfg, "assign.sticky-window", 30 * 86400, &a->sticky_window) < 0 ||
	    sm_policies_load(cfg, &a->pol) < 0)
		return -1;
	const char *const *teams = sm_config_subsections(cfg, "team", &n);
	for (size_t i = 0; i < n; i++)
		team_index(a, teams[i]);
	if (a->default_team)
		team_index(a, a->default_team);
	if (load_agents(a) < 0)
		return -1;
	a->load = sm_calloc(a->nagents + 1, sizeof *a->load);
	a->away = sm_calloc(a->nagents + 1, sizeof *a->away);
	a->last = sm_calloc(a->nagents + 1, sizeof *a->last);
	for (size_t i = 0; i < a->nteams; i++)
		if (load_team(a, &a->teams[i]) < 0)
			return -1;
	return 0;
}

void sm_assigner_forget(sm_assigner *a) { a->load_valid = 0; }

static int note_load(const char *agent, long load, void *ctx)
{
	sm_assigner *a = ctx;
	for (size_t i = 0; i < a->nagents; i++)
		if (!strcmp(a->agents[i].name, agent))
			a->load[i] = load;
	return 0;
}

static int note_state(const char *agent, int away, const char *last, void *ctx)
{
	sm_assigner *a = ctx;
	for (size_t i = 0; i < a->nagents; i++)
		if (!strcmp(a->agents[i].name, agent)) {
			a->away[i] = away;
			snprintf(a->last[i], SM_TIME_LEN, "%s", last);
		}
	return 0;
}

/* The agents' loads and states, read once per transaction, then kept as this process
   assigns (sm_assigner_forget when another may have changed them). */
static int agents_read(sm_assigner *a)
{
	if (a->load_valid)
		return 0;
	memset(a->load, 0, (a->nagents + 1) * sizeof *a->load);
	memset(a->away, 0, (a->nagents + 1) * sizeof *a->away);
	memset(a->last, 0, (a->nagents + 1) * sizeof *a->last);
	if (sm_agent_loads(a->st, note_load, a) < 0 || sm_agent_states(a->st, note_state, a) < 0)
		return -1;
	a->load_valid = 1;
	return 0;
}

void sm_assigner_free(sm_assigner *a)
{
	free(a->load);
	free(a->away);
	free(a->last);
	for (size_t i = 0; i < a->nteams; i++)
		free(a->teams[i].members);
	free(a->teams);
	free(a->agents);
	sm_policies_free(&a->pol);
	memset(a, 0, sizeof *a);
}

const sm_team *sm_team_named(const sm_assigner *a, const char *name)
{
	for (size_t i = 0; name && i < a->nteams; i++)
		if (!strcmp(a->teams[i].name, name))
			return &a->teams[i];
	return NULL;
}

const sm_agent *sm_agent_named(const sm_assigner *a, const char *name)
{
	for (size_t i = 0; name && i < a->nagents; i++)
		if (!strcmp(a->agents[i].name, name))
			return &a->agents[i];
	return NULL;
}

/* Direct messages and e-mail: one case per author until it is resolved; else the thread. */
static char *conversation(json_t *item)
{
	const char *kind = str(item, "kind"), *net = str(item, "network");
	const char *author = str(json_object_get(item, "author"), "id");
	if (author && ((kind && (!strcmp(kind, "direct") || !strcmp(kind, "email"))) ||
		       (net && !strcmp(net, "email"))))
		return sm_asprintf("dm:%s:%s", str(item, "channel"), author);
	const char *thread = str(item, "thread");
	return sm_strdup(thread ? thread : str(item, "id"));
}

/* Is the item one of ours: the channel's `self` accounts wrote it (a reply sent natively)? */
static int ours(sm_assigner *a, json_t *item)
{
	size_t n;
	json_t *au = json_object_get(item, "author");
	const char *id = str(au, "id"), *handle = str(au, "handle");
	const char *const *self = sm_config_get_all_sub(a->cfg, "channel", str(item, "channel"), "self", &n);
	for (size_t i = 0; i < n; i++)
		if ((id && !strcasecmp(self[i], id)) || (handle && !strcasecmp(self[i], handle)))
			return 1;
	return 0;
}

static const sm_policy *policy_for(sm_assigner *a, json_t *item, const char *team)
{
	json_t *tags = json_object_get(item, "tags"), *t;
	const char *list[64];
	size_t i, n = 0;
	json_array_foreach(tags, i, t)
		if (n < 64 && json_is_string(t))
			list[n++] = json_string_value(t);
	sm_policy_subject s = {str(item, "channel"), team, str(item, "priority"), NULL, list, n};
	return sm_policy_match(&a->pol, &s);
}

/* What sm-assign knows of one candidate agent, for the choice and for --explain. */
typedef struct {
	const sm_agent *ag;
	long load;
	int away, skilled, eligible;
	char last[SM_TIME_LEN];
	const char *why; /* why not eligible */
} cand;

static int has_skill(const sm_agent *ag, const char *skill)
{
	for (size_t i = 0; i < ag->nskills; i++)
		if (!strcasecmp(ag->skills[i], skill))
			return 1;
	return 0;
}

/* The skills strategy: the item's language and the tags the team says need a skill. */
static int skilled(const sm_team *t, const sm_agent *ag, json_t *item)
{
	const char *lang = item ? str(item, "lang") : NULL;
	if (lang) {
		char base[16];
		snprintf(base, sizeof base, "%.*s", (int)strcspn(lang, "-_"), lang);
		if (!has_skill(ag, base))
			return 0;
	}
	json_t *tags = item ? json_object_get(item, "tags") : NULL, *tag;
	size_t i;
	json_array_foreach(tags, i, tag)
		for (size_t k = 0; k < t->nskill_tags; k++)
			if (json_is_string(tag) && !strcmp(t->skill_tags[k], json_string_value(tag)) &&
			    !has_skill(ag, t->skill_tags[k]))
				return 0;
	return 1;
}

static int candidates(sm_assigner *a, const sm_team *t, json_t *item, cand *c)
{
	for (size_t i = 0; i < t->nmembers; i++) {
		cand *x = &c[i];
		memset(x, 0, sizeof *x);
		x->ag = &a->agents[t->members[i]];
		if (agents_read(a) < 0)
			return -1;
		size_t k = (size_t)(x->ag - a->agents);
		x->away = a->away[k];
		x->load = a->load[k];
		snprintf(x->last, sizeof x->last, "%s", a->last[k]);
		x->skilled = strcmp(t->strategy, "skills") || skilled(t, x->ag, item);
		x->why = x->away ? "away" : x->load >= x->ag->capacity ? "at capacity"
			 : !x->skilled ? "lacks a skill the item needs" : NULL;
		x->eligible = x->why == NULL;
	}
	return 0;
}

/* Fewest open cases; on a tie, who waited longest since their last case. */
static int least_loaded(const cand *c, size_t n)
{
	int best = -1;
	for (size_t i = 0; i < n; i++) {
		if (!c[i].eligible)
			continue;
		if (best < 0 || c[i].load < c[best].load ||
		    (c[i].load == c[best].load && strcmp(c[i].last, c[best].last) < 0))
			best = (int)i;
	}
	return best;
}

static int round_robin(sm_assigner *a, const sm_team *t, const cand *c, size_t n)
{
	char last[128] = "";
	size_t start = 0;
	if (sm_team_last(a->st, t->name, last, sizeof last) > 0)
		for (size_t i = 0; i < n; i++)
			if (!strcmp(c[i].ag->name, last))
				start = i + 1;
	for (size_t k = 0; k < n; k++)
		if (c[(start + k) % n].eligible)
			return (int)((start + k) % n);
	return -1;
}

static int sticky(sm_assigner *a, json_t *item, const cand *c, size_t n, const char **reason)
{
	char since[SM_TIME_LEN], prev[128];
	const char *author = item ? str(json_object_get(item, "author"), "id") : NULL;
	sm_time_format(a->now_t - (time_t)a->sticky_window, since);
	if (author && sm_author_last_agent(a->st, author, since, prev, sizeof prev) > 0)
		for (size_t i = 0; i < n; i++)
			if (!strcmp(c[i].ag->name, prev) && c[i].eligible) {
				*reason = "served this author before, within assign.sticky-window";
				return (int)i;
			}
	*reason = "no available agent served this author recently: the least loaded";
	return least_loaded(c, n);
}

static json_t *explain(const sm_team *t, const cand *c, size_t n, int win, const char *reason)
{
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *sk = json_array();
		for (size_t k = 0; k < c[i].ag->nskills; k++)
			json_array_append_new(sk, json_string(c[i].ag->skills[k]));
		json_array_append_new(list, json_pack("{s:s,s:I,s:I,s:o,s:b,s:b,s:s?}", "agent",
						      c[i].ag->name, "load", (json_int_t)c[i].load,
						      "capacity", (json_int_t)c[i].ag->capacity, "skills", sk,
						      "away", c[i].away, "eligible", c[i].eligible, "why_not",
						      c[i].why));
	}
	return json_pack("{s:s,s:s,s:o,s:s?,s:s}", "team", t->name, "strategy", t->strategy,
			 "candidates", list, "chosen", win >= 0 ? c[win].ag->name : NULL, "reason", reason);
}

/* The agent for a case of team t (or -1: the case waits in the team's queue). */
static int choose(sm_assigner *a, const sm_team *t, json_t *item, const char **name, json_t **why)
{
	cand *c = sm_calloc(t->nmembers + 1, sizeof *c);
	const char *reason;
	int win;
	if (candidates(a, t, item, c) < 0) {
		free(c);
		return -1;
	}
	if (!strcmp(t->strategy, "round-robin")) {
		win = round_robin(a, t, c, t->nmembers);
		reason = "the next available agent after the last one served, in the team's order";
	} else if (!strcmp(t->strategy, "sticky"))
		win = sticky(a, item, c, t->nmembers, &reason);
	else {
		win = least_loaded(c, t->nmembers);
		reason = !strcmp(t->strategy, "skills")
				 ? "has the skills the item needs, and the fewest open cases of those who do"
				 : "the fewest open cases under capacity (on a tie, the longest without a case)";
	}
	if (win < 0)
		reason = t->nmembers ? "every agent is away, at capacity or without the skills: queued"
				     : "the team has no agents: queued";
	*name = win >= 0 ? c[win].ag->name : NULL;
	if (why)
		*why = explain(t, c, t->nmembers, win, reason);
	free(c);
	return 0;
}

/* Assign the case to the agent the team's strategy picks, or queue it. */
static int give(sm_assigner *a, sm_case *c, const sm_team *t, json_t *item, json_t **why)
{
	const char *agent = NULL;
	if (choose(a, t, item, &agent, why) < 0)
		return -1;
	if (!agent)
		return c->queued_at[0] ? 0 : sm_case_set(a->st, c->id, "queued_at", a->now, a->actor,
							 "queued", t->name, a->now);
	/* the case is at hand: its old values need no read */
	if (sm_case_change(a->st, c->id, "assignee", c->assignee, agent, a->actor, "assigned",
			   t->strategy, a->now) < 0 ||
	    sm_case_change(a->st, c->id, "status", c->status, "open", a->actor, "status", NULL, a->now) < 0 ||
	    (c->queued_at[0] &&
	     sm_case_change(a->st, c->id, "queued_at", NULL, "", a->actor, NULL, NULL, a->now) < 0) ||
	    sm_agent_assigned(a->st, agent, a->now) < 0 || sm_team_set_last(a->st, t->name, agent) < 0)
		return -1;
	snprintf(c->assignee, sizeof c->assignee, "%s", agent);
	snprintf(c->status, sizeof c->status, "open");
	c->queued_at[0] = 0;
	const sm_agent *ag = sm_agent_named(a, agent);
	if (a->load_valid && ag) {
		a->load[ag - a->agents]++;
		snprintf(a->last[ag - a->agents], SM_TIME_LEN, "%s", a->now);
	}
	return 0;
}

/* The item's own time: when the customer wrote, not when we fetched it. */
static time_t written(sm_assigner *a, json_t *item)
{
	time_t t;
	const char *at = str(item, "created_at");
	return at && sm_date_parse(at, &t) == 0 && t <= a->now_t ? t : a->now_t;
}

/* The due times of an inquiry written at t, under the policy. */
static int set_due(sm_assigner *a, sm_case *c, const sm_policy *p, time_t t)
{
	char due[SM_TIME_LEN] = "";
	if (p && p->first_response > 0)
		sm_time_format(sm_hours_add(p->hours, t, p->first_response), due);
	if (sm_case_set(a->st, c->id, "first_response_due", due, a->actor, NULL, NULL, a->now) < 0)
		return -1;
	snprintf(c->first_response_due, sizeof c->first_response_due, "%s", due);
	due[0] = 0;
	if (p && p->resolution > 0)
		sm_time_format(sm_hours_add(p->hours, t, p->resolution), due);
	return sm_case_set(a->st, c->id, "resolution_due", due, a->actor, NULL, NULL, a->now);
}

/* One of our own accounts wrote in the conversation: the case is answered. */
static int answered(sm_assigner *a, json_t *item, sm_case *c)
{
	char at[SM_TIME_LEN];
	sm_time_format(written(a, item), at);
	return sm_case_answered(a->st, c, at, a->actor, str(item, "id"), a->now);
}

/* A community channel: customers help customers first, staff after (sm_escalate). */
int sm_community_channel(sm_config *cfg, const char *channel)
{
	const char *v = sm_config_get_sub(cfg, "channel", channel, "community");
	return v && (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"));
}

static int open_case(sm_assigner *a, json_t *item, const char *conv, sm_case *c, json_t **why)
{
	const char *team = str(item, "team");
	const sm_policy *p = policy_for(a, item, team);
	if (!team && p && p->route_to)
		team = p->route_to;
	if (!team)
		team = a->default_team;
	if (!p)
		p = policy_for(a, item, team);
	memset(c, 0, sizeof *c);
	snprintf(c->conversation, sizeof c->conversation, "%s", conv);
	snprintf(c->channel, sizeof c->channel, "%s", str(item, "channel"));
	snprintf(c->author_id, sizeof c->author_id, "%s", or_empty(str(json_object_get(item, "author"), "id")));
	snprintf(c->team, sizeof c->team, "%s", team ? team : "");
	snprintf(c->priority, sizeof c->priority, "%s", or_empty(str(item, "priority")));
	sm_time_format(written(a, item), c->opened_at);
	if (sm_community_channel(a->cfg, c->channel)) { /* the community answers first */
		c->team[0] = 0;
		if (sm_case_open(a->st, c, a->now) < 0)
			return -1;
		return sm_case_event(a->st, c->id, "sm-assign", "community", NULL, NULL,
				     "waiting for the community to answer", a->now);
	}
	if (sm_case_open(a->st, c, a->now) < 0 || set_due(a, c, p, written(a, item)) < 0)
		return -1;
	const sm_team *t = sm_team_named(a, team);
	return t ? give(a, c, t, item, why) : 0;
}

/* In a community channel, someone other than the asker answered: the community did. */
static int community_answer(sm_assigner *a, json_t *item, const sm_case *c)
{
	const char *author = str(json_object_get(item, "author"), "id");
	return sm_community_channel(a->cfg, c->channel) && !c->first_response_at[0] && author &&
	       strcmp(author, c->author_id) != 0;
}

/* A customer wrote again in a resolved thread: the case is theirs to answer again. */
static int reopen(sm_assigner *a, json_t *item, sm_case *c, json_t **why)
{
	const sm_team *t = sm_team_named(a, c->team);
	const char *status = c->assignee[0] ? "open" : "new";
	if (sm_case_set(a->st, c->id, "status", status, a->actor, "reopened", str(item, "id"), a->now) < 0 ||
	    sm_case_set(a->st, c->id, "resolved_at", "", a->actor, NULL, NULL, a->now) < 0 ||
	    sm_case_set(a->st, c->id, "escalated_at", "", a->actor, NULL, NULL, a->now) < 0 ||
	    sm_case_set(a->st, c->id, "first_response_at", "", a->actor, NULL, NULL, a->now) < 0 ||
	    set_due(a, c, policy_for(a, item, c->team), written(a, item)) < 0)
		return -1;
	snprintf(c->status, sizeof c->status, "%s", status);
	c->first_response_at[0] = 0;
	sm_assigner_forget(a); /* an assigned case is open again: its agent's load grew */
	return !c->assignee[0] && t ? give(a, c, t, item, why) : 0;
}

static json_t *annotations(const sm_case *c, json_t *why)
{
	json_t *o = json_pack("{s:I,s:s,s:s?,s:s?,s:s?}", "case", (json_int_t)c->id, "status", c->status,
			      "team", c->team[0] ? c->team : NULL, "assignee",
			      c->assignee[0] ? c->assignee : NULL, "due",
			      c->first_response_due[0] ? c->first_response_due : NULL);
	if (why)
		json_object_set_new(o, "explain", why);
	return o;
}

int sm_assign_item(sm_assigner *a, json_t *item, json_t **out)
{
	const char *id = str(item, "id");
	sm_case c;
	json_t *why = NULL;
	long long in_case;
	int rc = 0;

	*out = NULL;
	if (!id || !str(item, "channel"))
		return sm_error_code(SM_EX_DATAERR, "an item needs an id and a channel");
	if ((in_case = sm_item_case(a->st, id)) < 0)
		return -1;
	if (in_case) { /* seen before: say where it is, change nothing */
		if (sm_case_get(a->st, in_case, &c) <= 0)
			return -1;
		*out = annotations(&c, NULL);
		return 0;
	}
	char *conv = conversation(item);
	int found = sm_case_find(a->st, conv, &c), dm = !strncmp(conv, "dm:", 3);
	if (found < 0)
		rc = -1;
	else if (ours(a, item)) {
		if (found && strcmp(c.status, "resolved"))
			rc = answered(a, item, &c);
		else
			found = 0; /* our own post that answers nothing: no case */
	} else if (found && !strcmp(c.status, "resolved") && !dm)
		rc = reopen(a, item, &c, a->explain ? &why : NULL);
	else if (!found || !strcmp(c.status, "resolved")) {
		rc = open_case(a, item, conv, &c, a->explain ? &why : NULL);
		found = 1;
	} else if (community_answer(a, item, &c)) {
		rc = answered(a, item, &c);
	} else if (!strcmp(c.status, "pending")) { /* someone wrote back: it needs us again */
		rc = sm_case_set(a->st, c.id, "status", "open", a->actor, "status", "the customer wrote", a->now);
		snprintf(c.status, sizeof c.status, "open");
	}
	if (rc == 0 && found)
		rc = sm_case_add_item(a->st, c.id, id, a->now, &in_case) < 0 ? -1 : 0;
	if (rc == 0 && found)
		*out = annotations(&c, why);
	else
		json_decref(why);
	free(conv);
	return rc;
}

int sm_assign_queue(sm_assigner *a, long *handed)
{
	const char *actor = a->actor;
	int rc = 0;
	*handed = 0;
	a->actor = "sm-assign"; /* the queue's decisions are the automatic stage's */
	sm_assigner_forget(a);  /* it follows changes that freed capacity: read loads anew */
	for (size_t i = 0; i < a->nteams; i++) {
		const sm_team *t = &a->teams[i];
		long long ids[256];
		int n = t->nmembers ? sm_team_queue(a->st, t->name, ids, 256) : 0;
		for (int k = 0; k < n; k++) {
			sm_case c;
			if (n < 0 || sm_case_get(a->st, ids[k], &c) <= 0) {
				rc = -1;
				break;
			}
			json_t *item = sm_case_first_record(a->st, c.id);
			rc = give(a, &c, t, item, NULL);
			json_decref(item);
			if (rc < 0 || !c.assignee[0])
				break; /* an error, or nobody has room: the rest wait too */
			(*handed)++;
		}
		if (rc < 0)
			break;
	}
	a->actor = actor;
	return rc;
}
