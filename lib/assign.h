/*
 * assign.h - the assignment area: cases in the store (cases.c) and the decisions of
 * sm-assign (assign.c): which case an item joins, which team and agent get a new case,
 * when its answer is due.
 */
#ifndef SM_ASSIGN_H
#define SM_ASSIGN_H

#include <string.h>

#include "smkit.h"

// cases.c: the SQL of cases, their items and history
typedef struct {
	long long id;
	char conversation[512], channel[128], status[16];
	char team[128], assignee[128], priority[16], author_id[256];
	char opened_at[SM_TIME_LEN], queued_at[SM_TIME_LEN], first_response_due[SM_TIME_LEN];
	char resolution_due[SM_TIME_LEN], first_response_at[SM_TIME_LEN], escalated_at[SM_TIME_LEN];
} sm_case;
/* Copy s (NULL reads as "") into a field of n bytes, cut if longer: without printf, as it is
   done for every field of every case read or opened. */
static inline void sm_case_copy(char *dst, const char *s, size_t n)
{
	size_t len = s ? strlen(s) : 0;
	if (len >= n)
		len = n - 1;
	if (len)
		memcpy(dst, s, len);
	dst[len] = 0;
}
#define SM_CASE_SET(field, s) sm_case_copy(field, s, sizeof(field))
/* The newest case of a conversation: 1 found, 0 none, -1 error. */
int sm_case_find(sm_store *st, const char *conversation, sm_case *c);
int sm_case_get(sm_store *st, long long id, sm_case *c);
/* An event of a case: who, what, the old and new values (NULL or "" for none), a note. */
typedef struct {
	const char *actor, *what, *old, *new_value, *note;
} sm_case_ev;
/* A new case with every field of c (status, team, assignee, queued_at, due times as they
   are set; an empty status is new), its event "opened" and up to three more that came
   with it (assigned, status...), audited as one entry; its id in c->id. */
int sm_case_open(sm_store *st, sm_case *c, const sm_case_ev *then, int nthen, const char *now);
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
/* Events of one case that happened together: a row each in case_events, and in the audit
   log one entry for each run of events by one actor, named for its first event, with the
   others after " | " ("opened -> CONV | assigned -> alice; least-loaded"). */
int sm_case_events(sm_store *st, long long id, const sm_case_ev *ev, int n, const char *now);
/* Until the transaction under way ends, keep its case events (and their audit entries) and
   write them as it commits, many a statement; nothing may read them meanwhile. */
void sm_case_defer(sm_store *st);
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
/* The agent who last had a case the author wrote in, opened since `since`; 1 found. */
int sm_author_last_agent(sm_store *st, const char *author, const char *since, char *out, size_t n);
long long sm_item_case(sm_store *st, const char *item_id); /* its case, 0 if none */
/* The newest case holding an item of this thread of the channel, 0 if none. */
long long sm_thread_case(sm_store *st, const char *channel, const char *thread);
json_t *sm_case_first_record(sm_store *st, long long id);   /* the item that opened it */
/* The cases not resolved (or in status), of an agent and team if given, overdue at a time
   if given, most urgent first. */
int sm_cases_list(sm_store *st, const char *agent, const char *team, const char *status,
		  const char *overdue_at, int (*fn)(const sm_case *c, void *ctx), void *ctx);
/* The same as JSON lines straight from the rows into out, which fn empties (it is called
   when out holds a good amount, and at the end). */
int sm_cases_json(sm_store *st, const char *agent, const char *team, const char *status,
		  const char *overdue_at, sm_buf *out, int (*fn)(sm_buf *out, void *ctx), void *ctx);
/* Every team's round-robin state: fn(team, last agent). */
int sm_team_states(sm_store *st, int (*fn)(const char *team, const char *agent, void *ctx), void *ctx);
/* The queued cases of a team, oldest first, at most max. */
int sm_team_queue(sm_store *st, const char *team, long long *ids, int max);

// caseitem.c: what sm-assign reads of an item (from jansson, or a line's bytes)
enum { SM_CI_MAXTAGS = 64 };
typedef struct {
	const char *id, *channel, *network, *kind, *thread, *in_reply_to;
	const char *author_id, *author_handle, *team, *priority, *lang, *created_at;
	const char *tags[SM_CI_MAXTAGS];
	size_t ntags;
	int fresh; /* stored just now for the first time: it is in no case yet */
} sm_case_item;
void sm_case_item_json(sm_case_item *it, json_t *item);
/* The members sm-assign prints that a line has already (the bits of *has). */
enum { SM_CI_HAS_TEAM = 1, SM_CI_HAS_PRINTED = 2 /* case, status, assignee, due or explain */ };
/*
 * From a line: the item's fields (copied into arena, or pointing into the line), the row
 * the store keeps (the record as it came) and what the line has of the members sm-assign
 * adds. -1: the line must be read with jansson (sm_record_parse says why, if it is bad).
 */
int sm_case_item_line(sm_case_item *it, const char *line, size_t len, sm_buf *arena,
		      sm_item_row *row, unsigned *has);
/* Append the line with case, status, team, assignee and due added before its closing brace,
   and a newline; -1 (nothing appended) when a member must be replaced: use jansson. */
int sm_case_splice(sm_buf *out, const char *line, size_t len, unsigned has, const sm_case_item *it,
		   const sm_case *c);

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
	char *name;
	const char *const *self; /* channel.NAME.self: our own accounts */
	size_t nself;
	int community;
} sm_channel_info;
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
	/* per agent and team, read from the store once and kept as this process assigns, for
	   as long as no other process commits (sm_assigner_begin) */
	long *load;        /* open and pending cases */
	int *away;
	char (*last)[SM_TIME_LEN]; /* last assigned */
	int *team_last;    /* per team: the agent (index) who got its last case, -1 none */
	unsigned char *agent_dirty, *team_dirty; /* last / team_last not written yet */
	int load_valid;
	long long seen_version; /* the store's data_version when they were read */
	int defer;         /* agents' and teams' state written by sm_assigner_end only */
	long long hold;    /* a case sm_assign_queue leaves queued (one just unassigned) */
	sm_channel_info *chan; /* channels looked up so far */
	size_t nchan;
	char warning[512]; /* set by sm_assign_case: a case that went somewhere unexpected */
} sm_assigner;
/* Forget what was read of the store (agents' loads). */
void sm_assigner_forget(sm_assigner *a);
/* A transaction began: forget what was read if another process has committed since. */
int sm_assigner_begin(sm_assigner *a);
/* Before committing (with defer set): write the agents' and teams' state kept back. */
int sm_assigner_end(sm_assigner *a);
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
/* The same without jansson: 1 the item is in case c (as it is now), 0 it is in none (our
   own post that answers nothing), -1 error. *why gets --explain's record if why is given. */
int sm_assign_case(sm_assigner *a, const sm_case_item *in, sm_case *c, json_t **why);
/* What sm-assign adds to a printed item: case, status, team, assignee, due (explain). */
json_t *sm_case_annotations(const sm_case *c, json_t *why);
/* Hand the queued cases to agents that have room now, oldest first. */
int sm_assign_queue(sm_assigner *a, long *handed);
int sm_community_channel(sm_config *cfg, const char *channel); /* channel.NAME.community */
/* The policy for an item of the channel, team, priority and tags given. */
const sm_policy *sm_assign_policy(sm_assigner *a, const char *channel, const char *team,
				  const char *priority, const char *const *tags, size_t ntags);
/* Set the due times of c from the policy, counted from t (not recorded as events). */
int sm_case_due(sm_assigner *a, sm_case *c, const sm_policy *p, time_t t);

// caseops.c: what people do to cases, with the rights each needs
int sm_case_take(sm_assigner *a, long long id, const char *who);
/* key: status, assignee, priority, team; the holder or an admin only (SM_EX_NOPERM). */
int sm_case_update(sm_assigner *a, long long id, const char *key, const char *value, const char *who);
int sm_agent_mark(sm_assigner *a, const char *agent, int away, const char *who);
/* sm_forward_case for an agent: the holder, a member of the team whose queue it waits in,
   or an admin (else SM_EX_NOPERM). */
int sm_case_forward(sm_assigner *a, const sm_workspace *ws, long long id, const char *team,
		    const char *note, const char *who);

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
	sm_buf warnings; /* lines: a case that could not go where the config sends it */
} sm_escalation;
/* e must be zeroed (or hold a former run's warnings, which it frees) before; free
   e->warnings after. */
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
