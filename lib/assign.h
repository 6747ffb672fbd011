/*
 * assign.h - the assignment area: cases in the store (cases.c) and the decisions of
 * sm-assign (assign.c): which case an item joins, which team and agent get a new case,
 * when its answer is due.
 */
#ifndef SM_ASSIGN_H
#define SM_ASSIGN_H

#include "smkit.h"

// cases.c: the SQL of cases, their items and history
typedef struct {
	long long id;
	char conversation[512], channel[128], status[16];
	char team[128], assignee[128], priority[16], author_id[256];
	char opened_at[SM_TIME_LEN], queued_at[SM_TIME_LEN], first_response_due[SM_TIME_LEN];
	char resolution_due[SM_TIME_LEN], first_response_at[SM_TIME_LEN], escalated_at[SM_TIME_LEN];
} sm_case;
/* The newest case of a conversation: 1 found, 0 none, -1 error. */
int sm_case_find(sm_store *st, const char *conversation, sm_case *c);
int sm_case_get(sm_store *st, long long id, sm_case *c);
/* A new case (status new); its id in c->id. */
int sm_case_open(sm_store *st, sm_case *c, const char *now);
/* Put an item in a case: 1 added, 0 it is in a case already (*in_case set), -1 error. */
int sm_case_add_item(sm_store *st, long long case_id, const char *item_id, const char *now,
		     long long *in_case);
/* Set one column (status, assignee, team, priority, queued_at, first_response_at,
   first_response_due, resolution_due, resolved_at, escalated_at) and record the event. */
int sm_case_set(sm_store *st, long long id, const char *column, const char *value,
		const char *actor, const char *what, const char *note, const char *now);
/* The same when the old value is known already (no read of the case). */
int sm_case_change(sm_store *st, long long id, const char *column, const char *old,
		   const char *value, const char *actor, const char *what, const char *note,
		   const char *now);
int sm_case_event(sm_store *st, long long id, const char *actor, const char *what,
		  const char *old, const char *new_value, const char *note, const char *now);
/* An answer of ours went out at `at` (a reply seen by sm-fetch, or published): the first
   response is recorded if none was, and a new or open case becomes pending. */
int sm_case_answered(sm_store *st, sm_case *c, const char *at, const char *actor,
		     const char *note, const char *now);
long sm_agent_load(sm_store *st, const char *agent); /* open and pending cases */
int sm_agent_states(sm_store *st, int (*fn)(const char *agent, int away, const char *last, void *ctx),
		    void *ctx);
/* Every agent's load in one pass: fn(agent, load) for those with any. */
int sm_agent_loads(sm_store *st, int (*fn)(const char *agent, long load, void *ctx), void *ctx);
int sm_agent_away(sm_store *st, const char *agent);  /* 1 away, 0 not, -1 error */
int sm_agent_set_away(sm_store *st, const char *agent, int away);
int sm_agent_assigned(sm_store *st, const char *agent, const char *now);
const char *sm_agent_last_assigned(sm_store *st, const char *agent, char out[SM_TIME_LEN]);
int sm_team_last(sm_store *st, const char *team, char *out, size_t n);
int sm_team_set_last(sm_store *st, const char *team, const char *agent);
/* The agent who last had a case of this author, opened since `since`; 1 found. */
int sm_author_last_agent(sm_store *st, const char *author, const char *since, char *out, size_t n);
long long sm_item_case(sm_store *st, const char *item_id); /* its case, 0 if none */
json_t *sm_case_first_record(sm_store *st, long long id);   /* the item that opened it */
/* The cases not resolved (or in status), of an agent and team if given, overdue at a time
   if given, most urgent first. */
int sm_cases_list(sm_store *st, const char *agent, const char *team, const char *status,
		  const char *overdue_at, int (*fn)(const sm_case *c, void *ctx), void *ctx);
/* The queued cases of a team, oldest first, at most max. */
int sm_team_queue(sm_store *st, const char *team, long long *ids, int max);

// assign.c: the decisions
typedef struct {
	const char *name, *team, *login;
	long capacity;
	const char *const *skills;
	size_t nskills;
} sm_agent;
typedef struct {
	const char *name, *strategy, *email, *webhook, *escalate_to;
	const char *const *skill_tags; /* tags whose items need an agent with that skill */
	size_t nskill_tags;
	size_t *members; /* indexes into the agents */
	size_t nmembers;
} sm_team;
typedef struct {
	sm_config *cfg;
	sm_store *st;
	sm_policies pol;
	sm_agent *agents;
	size_t nagents;
	sm_team *teams;
	size_t nteams;
	const char *default_team, *default_strategy;
	double sticky_window;
	const char *actor; /* recorded in the case events */
	char now[SM_TIME_LEN];
	time_t now_t;
	int explain;       /* add "explain" to each assignment */
	/* per agent, read once per transaction and kept as this process assigns */
	long *load;        /* open and pending cases */
	int *away;
	char (*last)[SM_TIME_LEN]; /* last assigned */
	int load_valid;
} sm_assigner;
/* Forget what was read of the store (agents' loads): call when a transaction begins. */
void sm_assigner_forget(sm_assigner *a);
int sm_assigner_init(sm_assigner *a, sm_config *cfg, sm_store *st, const char *actor);
void sm_assigner_free(sm_assigner *a);
const sm_team *sm_team_named(const sm_assigner *a, const char *name);
const sm_agent *sm_agent_named(const sm_assigner *a, const char *name);
/*
 * Put one item (stored already) into its case: found, reopened or opened, and a new case
 * routed to a team and an agent (or the team's queue) with its due times. *out gets the
 * annotations for the printed record: case, assignee, status, due (and explain).
 */
int sm_assign_item(sm_assigner *a, json_t *item, json_t **out);
/* Hand the queued cases to agents that have room now, oldest first. */
int sm_assign_queue(sm_assigner *a, long *handed);
int sm_community_channel(sm_config *cfg, const char *channel); /* channel.NAME.community */

// caseops.c: what people do to cases, with the rights each needs
int sm_case_take(sm_assigner *a, long long id, const char *who);
/* key: status, assignee, priority, team; the holder or an admin only (SM_EX_NOPERM). */
int sm_case_update(sm_assigner *a, long long id, const char *key, const char *value, const char *who);
int sm_agent_mark(sm_assigner *a, const char *agent, int away, const char *who);

// forward.c: handing a case to another team by e-mail and/or webhook
/* Forward to the team's email (through [assign] forward-channel) and webhook; every attempt
   recorded. -1 if one failed (SM_EX_TEMPFAIL or SM_EX_UNAVAILABLE): escalate retries it. */
int sm_forward_case(sm_assigner *a, const sm_workspace *ws, long long id, const char *team,
		    const char *note, const char *by);
/* Try the forwards that failed again. */
int sm_forward_retry(sm_assigner *a, const sm_workspace *ws, long *retried, long *failed);

// escalate.c: what cron runs after the pipeline
typedef struct {
	long escalated, community, retried, failed;
} sm_escalation;
int sm_escalate(sm_assigner *a, const sm_workspace *ws, sm_escalation *e);

// simulate.c: sm-assign --simulate
typedef struct {
	long long cases, breached, queued;
	double median_response; /* seconds to the first response; -1 if none */
	struct { char name[128]; long long cases; } *agent;
	size_t nagents;
} sm_figures;
/* Replay the items taken since `since` under cfg on a scratch copy; the real figures and
   the simulated ones. The store is not changed. */
int sm_simulate(sm_store *real, sm_config *cfg, const char *since, sm_figures *was, sm_figures *would);
void sm_figures_free(sm_figures *f);

#endif
