/*
 * assign.c - sm-assign's decisions: the case an item belongs to (its thread, or for direct
 * messages and e-mail the conversation with one author), the team of a new case (the
 * rule's, else the policy's route-to, else the default team), its agent by the team's
 * strategy (round-robin, least-loaded within capacity, skills, sticky) or the team's
 * queue, and its due times in the business hours of the policy of that team. Runs inside
 * the caller's transaction.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "assign.h"

static const char *const strategies[] = {"round-robin", "least-loaded", "skills", "sticky", NULL};

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
	a->seen_version = -1;
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
	a->agent_dirty = sm_calloc(a->nagents + 1, 1);
	a->team_last = sm_calloc(a->nteams + 1, sizeof *a->team_last);
	a->team_dirty = sm_calloc(a->nteams + 1, 1);
	for (size_t i = 0; i < a->nteams; i++)
		if (load_team(a, &a->teams[i]) < 0)
			return -1;
	return 0;
}

void sm_assigner_forget(sm_assigner *a) { a->load_valid = 0; }

int sm_assigner_begin(sm_assigner *a)
{
	long long v = sm_store_data_version(a->st);
	if (v < 0)
		return -1;
	if (v != a->seen_version)
		sm_assigner_forget(a);
	a->seen_version = v;
	if (a->defer) /* the events, too, are written once per transaction */
		sm_case_defer(a->st);
	return 0;
}

static long agent_index(const sm_assigner *a, const char *name)
{
	for (size_t i = 0; name && i < a->nagents; i++)
		if (!strcmp(a->agents[i].name, name))
			return (long)i;
	return -1;
}

/* Write what defer kept back: each agent's last case, each team's last agent. */
int sm_assigner_end(sm_assigner *a)
{
	for (size_t i = 0; i < a->nagents; i++)
		if (a->agent_dirty[i]) {
			if (sm_agent_assigned(a->st, a->agents[i].name, a->last[i]) < 0)
				return -1;
			a->agent_dirty[i] = 0;
		}
	for (size_t i = 0; i < a->nteams; i++)
		if (a->team_dirty[i]) {
			if (sm_team_set_last(a->st, a->teams[i].name, a->agents[a->team_last[i]].name) < 0)
				return -1;
			a->team_dirty[i] = 0;
		}
	return 0;
}

static int note_load(const char *agent, long load, void *ctx)
{
	sm_assigner *a = ctx;
	long i = agent_index(a, agent);
	if (i >= 0)
		a->load[i] = load;
	return 0;
}

static int note_state(const char *agent, int away, const char *last, void *ctx)
{
	sm_assigner *a = ctx;
	long i = agent_index(a, agent);
	if (i >= 0) {
		a->away[i] = away;
		sm_case_copy(a->last[i], last, SM_TIME_LEN);
	}
	return 0;
}

static int note_team(const char *team, const char *agent, void *ctx)
{
	sm_assigner *a = ctx;
	const sm_team *t = sm_team_named(a, team);
	if (t)
		a->team_last[t - a->teams] = (int)agent_index(a, agent);
	return 0;
}

/* The agents' loads and states and the teams' last agents, read when nothing is known,
   then kept as this process assigns (what it kept back written first). */
static int agents_read(sm_assigner *a)
{
	if (a->load_valid)
		return 0;
	if (sm_assigner_end(a) < 0)
		return -1;
	memset(a->load, 0, (a->nagents + 1) * sizeof *a->load);
	memset(a->away, 0, (a->nagents + 1) * sizeof *a->away);
	memset(a->last, 0, (a->nagents + 1) * sizeof *a->last);
	for (size_t i = 0; i < a->nteams; i++)
		a->team_last[i] = -1;
	if (sm_agent_loads(a->st, note_load, a) < 0 || sm_agent_states(a->st, note_state, a) < 0 ||
	    sm_team_states(a->st, note_team, a) < 0)
		return -1;
	a->load_valid = 1;
	return 0;
}

void sm_assigner_free(sm_assigner *a)
{
	free(a->load);
	free(a->away);
	free(a->last);
	free(a->agent_dirty);
	free(a->team_last);
	free(a->team_dirty);
	for (size_t i = 0; i < a->nteams; i++)
		free(a->teams[i].members);
	free(a->teams);
	free(a->agents);
	for (size_t i = 0; i < a->nchan; i++)
		free(a->chan[i].name);
	free(a->chan);
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
	long i = agent_index(a, name);
	return i < 0 ? NULL : &a->agents[i];
}

/* A community channel: customers help customers first, staff after (sm_escalate). */
int sm_community_channel(sm_config *cfg, const char *channel)
{
	const char *v = sm_config_get_sub(cfg, "channel", channel, "community");
	return v && (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"));
}

/* What the config says of a channel, looked up once per channel. */
static const sm_channel_info *channel_info(sm_assigner *a, const char *name)
{
	for (size_t i = 0; i < a->nchan; i++)
		if (!strcmp(a->chan[i].name, name))
			return &a->chan[i];
	a->chan = sm_realloc(a->chan, (a->nchan + 1) * sizeof *a->chan);
	sm_channel_info *c = &a->chan[a->nchan++];
	c->name = sm_strdup(name);
	c->self = sm_config_get_all_sub(a->cfg, "channel", name, "self", &c->nself);
	c->community = sm_community_channel(a->cfg, name);
	return c;
}

/* Direct messages and e-mail: one case per author until it is resolved; else the thread. */
static int is_dm(const sm_case_item *in)
{
	return in->author_id && ((in->kind && (!strcmp(in->kind, "direct") || !strcmp(in->kind, "email"))) ||
				 (in->network && !strcmp(in->network, "email")));
}

static char *conversation(const sm_case_item *in)
{
	if (is_dm(in))
		return sm_asprintf("dm:%s:%s", in->channel, in->author_id);
	return sm_strdup(in->thread ? in->thread : in->id);
}

/* Is the item one of ours: the channel's `self` accounts wrote it (a reply sent natively)? */
static int ours(sm_assigner *a, const sm_case_item *in)
{
	const sm_channel_info *c = channel_info(a, in->channel);
	for (size_t i = 0; i < c->nself; i++)
		if ((in->author_id && !strcasecmp(c->self[i], in->author_id)) ||
		    (in->author_handle && !strcasecmp(c->self[i], in->author_handle)))
			return 1;
	return 0;
}

const sm_policy *sm_assign_policy(sm_assigner *a, const char *channel, const char *team,
				  const char *priority, const char *const *tags, size_t ntags)
{
	sm_policy_subject s = {channel, team, priority, NULL, tags, ntags};
	return sm_policy_match(&a->pol, &s);
}

static const sm_policy *policy_for(sm_assigner *a, const sm_case_item *in, const char *team)
{
	return sm_assign_policy(a, in->channel, team, in->priority, in->tags, in->ntags);
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
static int skilled(const sm_team *t, const sm_agent *ag, const sm_case_item *in)
{
	if (in && in->lang) {
		char base[16];
		snprintf(base, sizeof base, "%.*s", (int)strcspn(in->lang, "-_"), in->lang);
		if (!has_skill(ag, base))
			return 0;
	}
	for (size_t i = 0; in && i < in->ntags; i++)
		for (size_t k = 0; k < t->nskill_tags; k++)
			if (!strcmp(t->skill_tags[k], in->tags[i]) && !has_skill(ag, t->skill_tags[k]))
				return 0;
	return 1;
}

static int candidates(sm_assigner *a, const sm_team *t, const sm_case_item *in, cand *c)
{
	if (agents_read(a) < 0)
		return -1;
	for (size_t i = 0; i < t->nmembers; i++) {
		cand *x = &c[i];
		size_t k = t->members[i];
		memset(x, 0, sizeof *x);
		x->ag = &a->agents[k];
		x->away = a->away[k];
		x->load = a->load[k];
		memcpy(x->last, a->last[k], sizeof x->last);
		x->skilled = strcmp(t->strategy, "skills") || skilled(t, x->ag, in);
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
	int last = a->team_last[t - a->teams];
	size_t start = 0;
	for (size_t i = 0; last >= 0 && i < n; i++)
		if (c[i].ag == &a->agents[last])
			start = i + 1;
	for (size_t k = 0; k < n; k++)
		if (c[(start + k) % n].eligible)
			return (int)((start + k) % n);
	return -1;
}

static int sticky(sm_assigner *a, const sm_case_item *in, const cand *c, size_t n, const char **reason)
{
	char since[SM_TIME_LEN], prev[128];
	sm_time_format(a->now_t - (time_t)a->sticky_window, since);
	if (in && in->author_id && sm_author_last_agent(a->st, in->author_id, since, prev, sizeof prev) > 0)
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

/* The agent for a case of team t (or NULL: the case waits in the team's queue). */
static int choose(sm_assigner *a, const sm_team *t, const sm_case_item *in, const char **name, json_t **why)
{
	cand stack[16], *c = t->nmembers <= 16 ? stack : sm_calloc(t->nmembers, sizeof *c);
	const char *reason;
	int win, rc = candidates(a, t, in, c);
	if (rc == 0) {
		if (!strcmp(t->strategy, "round-robin")) {
			win = round_robin(a, t, c, t->nmembers);
			reason = "the next available agent after the last one served, in the team's order";
		} else if (!strcmp(t->strategy, "sticky"))
			win = sticky(a, in, c, t->nmembers, &reason);
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
	}
	if (c != stack)
		free(c);
	return rc;
}

/* The agent got a case of team t: what this process keeps, and (unless deferred) the store. */
static int note_assigned(sm_assigner *a, const sm_team *t, const char *agent)
{
	long i = agent_index(a, agent);
	if (i < 0)
		return 0;
	memcpy(a->last[i], a->now, SM_TIME_LEN);
	a->team_last[t - a->teams] = (int)i;
	if (a->load_valid)
		a->load[i]++;
	a->agent_dirty[i] = a->team_dirty[t - a->teams] = 1;
	return a->defer ? 0 : sm_assigner_end(a);
}

/* Assign a case that exists to the agent the team's strategy picks, or queue it. */
static int give(sm_assigner *a, sm_case *c, const sm_team *t, const sm_case_item *in, json_t **why)
{
	const char *agent = NULL;
	if (choose(a, t, in, &agent, why) < 0)
		return -1;
	if (!agent) {
		if (c->queued_at[0])
			return 0;
		memcpy(c->queued_at, a->now, SM_TIME_LEN);
		return sm_case_change(a->st, c->id, "queued_at", NULL, a->now, a->actor, "queued", t->name, a->now);
	}
	/* the case is at hand: its old values need no read */
	if (sm_case_change(a->st, c->id, "assignee", c->assignee, agent, a->actor, "assigned",
			   t->strategy, a->now) < 0 ||
	    sm_case_change(a->st, c->id, "status", c->status, "open", a->actor, "status", NULL, a->now) < 0 ||
	    (c->queued_at[0] &&
	     sm_case_change(a->st, c->id, "queued_at", NULL, "", a->actor, NULL, NULL, a->now) < 0))
		return -1;
	SM_CASE_SET(c->assignee, agent);
	SM_CASE_SET(c->status, "open");
	c->queued_at[0] = 0;
	return note_assigned(a, t, agent);
}

/* The item's own time: when the customer wrote, not when we fetched it. */
static time_t written(sm_assigner *a, const sm_case_item *in)
{
	time_t t;
	return in->created_at && sm_date_parse(in->created_at, &t) == 0 && t <= a->now_t ? t : a->now_t;
}

int sm_case_due(sm_assigner *a, sm_case *c, const sm_policy *p, time_t t)
{
	c->first_response_due[0] = c->resolution_due[0] = 0;
	if (p && p->first_response > 0)
		sm_time_format(sm_hours_add(p->hours, t, p->first_response), c->first_response_due);
	if (p && p->resolution > 0)
		sm_time_format(sm_hours_add(p->hours, t, p->resolution), c->resolution_due);
	return 0;
}

/* New due times for a case that exists (reopened, handed to staff). */
static int set_due(sm_assigner *a, sm_case *c, const sm_policy *p, time_t t)
{
	sm_case_due(a, c, p, t);
	return sm_case_set(a->st, c->id, "first_response_due", c->first_response_due, a->actor, NULL,
			   NULL, a->now) < 0 ? -1
		: sm_case_set(a->st, c->id, "resolution_due", c->resolution_due, a->actor, NULL, NULL, a->now);
}

/* The team of a new case: the rule's, else the route-to of the policy for the item, else the
   default team. One the config does not know goes to the default team, with a warning. */
static const char *route(sm_assigner *a, const sm_case_item *in)
{
	const char *team = in->team;
	const sm_policy *p = NULL;
	char from[192];
	if (!team && (p = policy_for(a, in, NULL)))
		team = p->route_to;
	if (!team || sm_team_named(a, team))
		return team ? team : a->default_team;
	if (p)
		snprintf(from, sizeof from, "the route-to of policy '%s'", p->name);
	else
		snprintf(from, sizeof from, "the item's team");
	if (a->default_team)
		snprintf(a->warning, sizeof a->warning, "%s, '%s', is no team of the config: the case "
			 "goes to the default team '%s'", from, team, a->default_team);
	else
		snprintf(a->warning, sizeof a->warning, "%s, '%s', is no team of the config and there "
			 "is no [assign] default-team: nobody serves the case", from, team);
	return a->default_team ? a->default_team : team;
}

static int open_case(sm_assigner *a, const sm_case_item *in, const char *conv, sm_case *c, json_t **why)
{
	memset(c, 0, sizeof *c);
	SM_CASE_SET(c->conversation, conv);
	SM_CASE_SET(c->channel, in->channel);
	SM_CASE_SET(c->author_id, or_empty(in->author_id));
	SM_CASE_SET(c->priority, or_empty(in->priority));
	sm_time_format(written(a, in), c->opened_at);
	if (channel_info(a, in->channel)->community) { /* the community answers first */
		sm_case_ev wait = {"sm-assign", "community", NULL, NULL, "waiting for the community to answer"};
		return sm_case_open(a->st, c, &wait, 1, a->now);
	}
	const char *team = route(a, in), *agent = NULL;
	const sm_team *t = sm_team_named(a, team);
	SM_CASE_SET(c->team, or_empty(team));
	if (!team)
		snprintf(a->warning, sizeof a->warning, "no rule, policy route-to or [assign] default-team "
			 "names a team: the case waits with none");
	sm_case_due(a, c, policy_for(a, in, team), written(a, in));
	/* decided before it is written: the case goes into the store once, as it will be */
	if (t && choose(a, t, in, &agent, why) < 0)
		return -1;
	SM_CASE_SET(c->status, agent ? "open" : "new");
	SM_CASE_SET(c->assignee, or_empty(agent));
	if (t && !agent)
		memcpy(c->queued_at, a->now, SM_TIME_LEN);
	/* the opening, and then the assignment or the wait in the queue: one audit entry */
	sm_case_ev then[2] = {{a->actor, "assigned", NULL, agent, t ? t->strategy : NULL},
			      {a->actor, "status", "new", "open", NULL}};
	if (!agent)
		then[0] = (sm_case_ev){a->actor, "queued", NULL, a->now, t ? t->name : NULL};
	return sm_case_open(a->st, c, then, agent ? 2 : t ? 1 : 0, a->now) < 0 ? -1
	       : agent ? note_assigned(a, t, agent) : 0;
}

/* In a community channel, while the community has it, someone other than the asker wrote:
   the community answered. */
static int community_answer(sm_assigner *a, const sm_case_item *in, const sm_case *c)
{
	return !c->team[0] && !strcmp(c->status, "new") && channel_info(a, c->channel)->community &&
	       in->author_id && strcmp(in->author_id, c->author_id) != 0;
}

/* Someone wrote in a case that was answered: it needs us again. */
static int written_back(sm_assigner *a, const sm_case_item *in, sm_case *c, json_t **why)
{
	const sm_team *t = sm_team_named(a, c->team);
	if (c->assignee[0]) {
		SM_CASE_SET(c->status, "open");
		return sm_case_change(a->st, c->id, "status", "pending", "open", a->actor, "status",
				      "the customer wrote", a->now);
	}
	if (!c->team[0] && (!in->author_id || strcmp(in->author_id, c->author_id)))
		return 0; /* the community talking among itself after an answer */
	/* nobody holds it: back to the team's queue, or to the community for a new window (from
	   its event "community", see sm_escalate) */
	SM_CASE_SET(c->status, "new");
	if (sm_case_change(a->st, c->id, "status", "pending", "new", a->actor, "status",
			   t ? "the customer wrote" : "the asker wrote again", a->now) < 0)
		return -1;
	if (!t)
		return sm_case_event(a->st, c->id, a->actor, "community", "pending", "new",
				     "waiting for the community to answer again", a->now);
	return give(a, c, t, in, why);
}

/* A customer wrote again in a resolved thread: the case is theirs to answer again. */
static int reopen(sm_assigner *a, const sm_case_item *in, sm_case *c, json_t **why)
{
	const sm_team *t = sm_team_named(a, c->team);
	const char *status = c->assignee[0] ? "open" : "new";
	if (sm_case_set(a->st, c->id, "status", status, a->actor, "reopened", in->id, a->now) < 0 ||
	    sm_case_set(a->st, c->id, "resolved_at", "", a->actor, NULL, NULL, a->now) < 0 ||
	    sm_case_set(a->st, c->id, "escalated_at", "", a->actor, NULL, NULL, a->now) < 0 ||
	    sm_case_set(a->st, c->id, "first_response_at", "", a->actor, NULL, NULL, a->now) < 0 ||
	    set_due(a, c, policy_for(a, in, c->team[0] ? c->team : NULL), written(a, in)) < 0)
		return -1;
	SM_CASE_SET(c->status, status);
	c->first_response_at[0] = 0;
	sm_assigner_forget(a); /* an assigned case is open again: its agent's load grew */
	return !c->assignee[0] && t ? give(a, c, t, in, why) : 0;
}

/* Our reply in a direct-message conversation: the customer's case (that conversation is
   keyed by the customer, not by us), found by the item answered or by the thread. */
static int reply_case(sm_assigner *a, const sm_case_item *in, sm_case *c)
{
	long long id = in->in_reply_to ? sm_item_case(a->st, in->in_reply_to) : 0;
	if (id == 0 && in->thread)
		id = sm_thread_case(a->st, in->channel, in->thread);
	if (id <= 0)
		return id < 0 ? -1 : 0;
	return sm_case_get(a->st, id, c);
}

json_t *sm_case_annotations(const sm_case *c, json_t *why)
{
	json_t *o = json_pack("{s:I,s:s,s:s?,s:s?,s:s?}", "case", (json_int_t)c->id, "status", c->status,
			      "team", c->team[0] ? c->team : NULL, "assignee",
			      c->assignee[0] ? c->assignee : NULL, "due",
			      c->first_response_due[0] ? c->first_response_due : NULL);
	if (why)
		json_object_set_new(o, "explain", why);
	return o;
}

int sm_assign_case(sm_assigner *a, const sm_case_item *in, sm_case *c, json_t **why)
{
	long long in_case = 0;
	int rc = 0, found;

	a->warning[0] = 0;
	if (why)
		*why = NULL;
	if (!in->id || !in->channel)
		return sm_error_code(SM_EX_DATAERR, "an item needs an id and a channel");
	if (!in->fresh && (in_case = sm_item_case(a->st, in->id)) < 0)
		return -1;
	if (in_case) /* seen before: say where it is, change nothing */
		return sm_case_get(a->st, in_case, c) <= 0 ? -1 : 1;
	char *conv = conversation(in);
	int mine = ours(a, in), dm = !strncmp(conv, "dm:", 3);
	found = mine && dm ? reply_case(a, in, c) : sm_case_find(a->st, conv, c);
	if (found < 0)
		rc = -1;
	else if (mine) {
		if (found && strcmp(c->status, "resolved")) {
			char at[SM_TIME_LEN];
			rc = sm_case_answered(a->st, c, sm_time_format(written(a, in), at), a->actor, in->id, a->now);
		} else
			found = 0; /* our own post that answers nothing: no case */
	} else if (found && !strcmp(c->status, "resolved") && !dm)
		rc = reopen(a, in, c, why);
	else if (!found || !strcmp(c->status, "resolved")) {
		rc = open_case(a, in, conv, c, why);
		found = 1;
	} else if (community_answer(a, in, c)) {
		char at[SM_TIME_LEN];
		rc = sm_case_answered(a->st, c, sm_time_format(written(a, in), at), a->actor, in->id, a->now);
	} else if (!strcmp(c->status, "pending"))
		rc = written_back(a, in, c, why);
	if (rc == 0 && found)
		rc = sm_case_add_item(a->st, c->id, in->id, a->now, &in_case) < 0 ? -1 : 0;
	free(conv);
	return rc < 0 ? -1 : found;
}

int sm_assign_item(sm_assigner *a, json_t *item, json_t **out)
{
	sm_case_item in;
	sm_case c;
	json_t *why = NULL;
	sm_case_item_json(&in, item);
	int rc = sm_assign_case(a, &in, &c, a->explain ? &why : NULL);
	*out = rc > 0 ? sm_case_annotations(&c, why) : NULL;
	if (rc <= 0)
		json_decref(why);
	return rc < 0 ? -1 : 0;
}

/* Is there an agent in the team who could take some case now? */
static int has_room(sm_assigner *a, const sm_team *t)
{
	for (size_t i = 0; i < t->nmembers; i++) {
		size_t k = t->members[i];
		if (!a->away[k] && a->load[k] < a->agents[k].capacity)
			return 1;
	}
	return 0;
}

/* One team's queue, oldest first. A case nobody can take now (skills) does not hold back
   the ones behind it; when nobody has room at all, the rest wait too. */
static int team_queue(sm_assigner *a, const sm_team *t, long *handed)
{
	enum { MAX = 256 };
	long long ids[MAX];
	int n = sm_team_queue(a->st, t->name, ids, MAX);
	if (n < 0)
		return -1;
	for (int k = 0; k < n; k++) {
		sm_case c;
		sm_case_item in;
		if (agents_read(a) < 0)
			return -1;
		if (!has_room(a, t))
			break;
		if (ids[k] == a->hold)
			continue;
		if (sm_case_get(a->st, ids[k], &c) <= 0)
			return -1;
		json_t *item = sm_case_first_record(a->st, c.id);
		if (item)
			sm_case_item_json(&in, item);
		int rc = give(a, &c, t, item ? &in : NULL, NULL);
		json_decref(item);
		if (rc < 0)
			return -1;
		*handed += c.assignee[0] != 0;
	}
	return 0;
}

int sm_assign_queue(sm_assigner *a, long *handed)
{
	const char *actor = a->actor;
	int rc = 0;
	*handed = 0;
	a->actor = "sm-assign"; /* the queue's decisions are the automatic stage's */
	sm_assigner_forget(a);  /* it follows changes that freed capacity: read loads anew */
	for (size_t i = 0; rc == 0 && i < a->nteams; i++)
		if (a->teams[i].nmembers)
			rc = team_queue(a, &a->teams[i], handed);
	a->actor = actor;
	return rc;
}
