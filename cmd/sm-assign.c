/*
 * sm-assign - group items into cases, route each new case to a team and an agent, set its
 * due times; and the subcommands agents use on cases: list, take, set, set-agent.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assign.h"

static void usage(FILE *fp)
{
	fprintf(fp, "usage: sm-assign [--dir DIR] [--explain] [FILE]...\n"
		    "       sm-assign [--dir DIR] list [--mine | --agent A] [--team T] [--status S] [--overdue]\n"
		    "       sm-assign [--dir DIR] take CASE\n"
		    "       sm-assign [--dir DIR] set CASE status=S|assignee=A|priority=P|team=T...\n"
		    "       sm-assign [--dir DIR] set-agent AGENT away|back\n"
		    "       sm-assign [--dir DIR] forward CASE TEAM [-m NOTE]\n"
		    "       sm-assign [--dir DIR] escalate\n"
		    "       sm-assign [--dir DIR] --simulate --since T [--config FILE]\n"
		    "\n"
		    "Put items (JSON lines) into cases, one per conversation; route new cases to a\n"
		    "team and an agent; print the items with case, team, assignee, status and due.\n"
		    "\n"
		    "  -d, --dir DIR   the workspace (else $SM_DIR, else ~/.local/share/smkit)\n"
		    "  -e, --explain   add why each new case went to its agent (\"explain\")\n"
		    "      --simulate  replay the items taken since T under --config (default: the\n"
		    "                  workspace's), print real and simulated figures; write nothing\n"
		    "      --since T   the period to replay: 2026-11-01, 7d, 24h\n"
		    "      --config F  the config to try\n"
		    "  -h, --help      this help\n"
		    "      --version   print the version\n");
}

typedef struct {
	sm_workspace ws;
	sm_config *cfg;
	sm_store *st;
	sm_assigner a;
	const char *who, *login;
	sm_buf out;
	int n;
	int simulate;
	const char *since, *sim_config;
} ctx;

enum { BATCH = 500 };

static int flush(ctx *x)
{
	if (sm_store_commit(x->st) < 0)
		return -1;
	int rc = x->out.len ? sm_out_line(x->out.s, x->out.len - 1) : 0;
	sm_buf_reset(&x->out);
	x->n = 0;
	return rc;
}

static int each_item(json_t *item, const char *file, long lineno, void *data)
{
	ctx *x = data;
	json_t *ann;
	int is_new;
	if (x->n == 0) { /* a new transaction: what this process read may have changed */
		if (sm_store_begin(x->st) < 0)
			return -1;
		sm_assigner_forget(&x->a);
	}
	if (sm_store_put_item(x->st, item, &is_new) < 0) {
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", sm_errmsg());
		return sm_error_code(sm_errcode(), "%s:%ld: %s", file, lineno, msg);
	}
	if (sm_assign_item(&x->a, item, &ann) < 0) {
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", sm_errmsg());
		return sm_error_code(sm_errcode(), "%s:%ld: %s", file, lineno, msg);
	}
	if (ann)
		json_object_update(item, ann);
	json_decref(ann);
	char *s = json_dumps(item, JSON_COMPACT);
	sm_buf_adds(&x->out, s);
	sm_buf_addc(&x->out, '\n');
	free(s);
	return ++x->n >= BATCH ? flush(x) : 0;
}

static int filter(ctx *x, int explain, int nfiles, char **files)
{
	long handed;
	x->a.explain = explain;
	/* first what waited: capacity may have freed since the last run */
	if (sm_store_begin(x->st) < 0 || sm_assign_queue(&x->a, &handed) < 0 || sm_store_commit(x->st) < 0)
		return -1;
	if (sm_each_record(nfiles, files, SM_LOOP_ITEMS, each_item, x) < 0)
		return -1;
	return x->n ? flush(x) : 0;
}

static int print_case(const sm_case *c, void *data)
{
	int table = *(int *)data;
	if (table) { /* a conversation is named by the network: escaped, as every cell */
		char *cell[5] = {sm_term_cell(c->status, 0), sm_term_cell(c->team, 0),
				 sm_term_cell(c->assignee[0] ? c->assignee : "-", 0),
				 sm_term_cell(c->priority[0] ? c->priority : "-", 0), sm_term_cell(c->conversation, 0)};
		printf("%-6lld %-8s %-10s %-10s %-7s %-20s %s\n", c->id, cell[0], cell[1], cell[2], cell[3],
		       c->first_response_due[0] ? c->first_response_due : "-", cell[4]);
		for (int i = 0; i < 5; i++)
			free(cell[i]);
		return ferror(stdout) ? -1 : 0;
	}
	json_t *o = json_pack("{s:I,s:s,s:s,s:s?,s:s?,s:s?,s:s?,s:s,s:s?,s:s?,s:s?,s:s?}", "case",
			      (json_int_t)c->id, "conversation", c->conversation, "channel", c->channel,
			      "status", c->status, "team", *c->team ? c->team : NULL, "assignee",
			      *c->assignee ? c->assignee : NULL, "priority", *c->priority ? c->priority : NULL,
			      "opened_at", c->opened_at, "due", *c->first_response_due ? c->first_response_due : NULL,
			      "resolution_due", *c->resolution_due ? c->resolution_due : NULL,
			      "first_response_at", *c->first_response_at ? c->first_response_at : NULL,
			      "queued_at", *c->queued_at ? c->queued_at : NULL);
	int rc = sm_out_record(o);
	json_decref(o);
	return rc;
}

static int list(ctx *x, int argc, char **argv)
{
	static const struct option opts[] = {
		{"mine", no_argument, NULL, 'm'},	  {"agent", required_argument, NULL, 'a'},
		{"team", required_argument, NULL, 't'},	  {"status", required_argument, NULL, 's'},
		{"overdue", no_argument, NULL, 'o'},	  {NULL, 0, NULL, 0},
	};
	const char *agent = NULL, *team = NULL, *status = NULL;
	int c, overdue = 0, table = isatty(1);
	optind = 0; /* GNU getopt: start afresh after main's parse */
	while ((c = getopt_long(argc, argv, "ma:t:s:o", opts, NULL)) != -1)
		switch (c) {
		case 'm':
			if (!x->who)
				return sm_error_code(SM_EX_NOPERM, "--mine: you are no agent of this workspace");
			agent = x->who;
			break;
		case 'a': agent = optarg; break;
		case 't': team = optarg; break;
		case 's':
			status = optarg;
			if (strcmp(status, "new") && strcmp(status, "open") && strcmp(status, "pending") &&
			    strcmp(status, "resolved"))
				return sm_error_code(SM_EX_USAGE, "--status is new, open, pending or resolved");
			break;
		case 'o': overdue = 1; break;
		default: return sm_error_code(SM_EX_USAGE, "list: unknown option");
		}
	if (table)
		printf("%-6s %-8s %-10s %-10s %-7s %-20s %s\n", "CASE", "STATUS", "TEAM", "ASSIGNEE",
		       "PRIO", "DUE", "CONVERSATION");
	return sm_cases_list(x->st, agent, team, status, overdue ? x->a.now : NULL, print_case, &table);
}

static long long case_id(const char *s)
{
	char *end;
	long long id = strtoll(s, &end, 10);
	return *s && !*end && id > 0 ? id : -1;
}

/* take, set, set-agent: one transaction each, then what waited may be handed out. */
static int change(ctx *x, int argc, char **argv)
{
	long long id = argc > 1 ? case_id(argv[1]) : -1;
	long handed;
	int rc = 0;
	if (strcmp(argv[0], "set-agent") && id < 0)
		return sm_error_code(SM_EX_USAGE, "%s needs a case number", argv[0]);
	if (sm_store_begin(x->st) < 0)
		return -1;
	if (!strcmp(argv[0], "take"))
		rc = argc == 2 ? sm_case_take(&x->a, id, x->who) : sm_error_code(SM_EX_USAGE, "take CASE");
	else if (!strcmp(argv[0], "set-agent"))
		rc = argc == 3 && (!strcmp(argv[2], "away") || !strcmp(argv[2], "back"))
			     ? sm_agent_mark(&x->a, argv[1], !strcmp(argv[2], "away"), x->who)
			     : sm_error_code(SM_EX_USAGE, "set-agent AGENT away|back");
	else if (argc < 3)
		rc = sm_error_code(SM_EX_USAGE, "set CASE FIELD=VALUE...");
	for (int i = 2; rc == 0 && !strcmp(argv[0], "set") && i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq)
			rc = sm_error_code(SM_EX_USAGE, "set: '%s' is not FIELD=VALUE", argv[i]);
		else {
			*eq = 0;
			rc = sm_case_update(&x->a, id, argv[i], eq + 1, x->who);
		}
	}
	if (rc == 0)
		rc = sm_assign_queue(&x->a, &handed);
	if (rc < 0) {
		sm_store_rollback(x->st);
		return -1;
	}
	return sm_store_commit(x->st);
}

/* forward CASE TEAM [-m NOTE]: the holder, or an admin, hands a case to another team. */
static int forward(ctx *x, int argc, char **argv)
{
	const char *note = NULL;
	int c;
	optind = 0; /* GNU getopt: start afresh after main's parse */
	while ((c = getopt(argc, argv, "m:")) != -1)
		if (c == 'm')
			note = optarg;
		else
			return sm_error_code(SM_EX_USAGE, "forward CASE TEAM [-m NOTE]");
	if (argc - optind != 2 || case_id(argv[optind]) < 0)
		return sm_error_code(SM_EX_USAGE, "forward CASE TEAM [-m NOTE]");
	long long id = case_id(argv[optind]);
	if (!x->who)
		return sm_error_code(SM_EX_NOPERM, "you are no agent of this workspace");
	if (sm_store_begin(x->st) < 0)
		return -1;
	int rc = sm_forward_case(&x->a, &x->ws, id, argv[optind + 1], note, x->who);
	/* the attempt is recorded even when it failed: commit, then report */
	char msg[1024];
	int code = sm_errcode();
	snprintf(msg, sizeof msg, "%s", sm_errmsg());
	if (sm_store_commit(x->st) < 0)
		return -1;
	return rc < 0 ? sm_error_code(code, "%s", msg) : 0;
}

static int escalate(ctx *x)
{
	sm_escalation e;
	if (sm_store_begin(x->st) < 0 || sm_escalate(&x->a, &x->ws, &e) < 0) {
		sm_store_rollback(x->st);
		return -1;
	}
	if (sm_store_commit(x->st) < 0)
		return -1;
	if (e.escalated || e.community || e.retried)
		sm_warn("%ld escalated, %ld community questions to staff, %ld forwards retried (%ld failed)",
			e.escalated, e.community, e.retried, e.failed);
	return e.failed ? sm_error_code(SM_EX_TEMPFAIL, "%ld forwards failed; the next escalate "
					"tries again", e.failed) : 0;
}

static int row(const char *what, double real, double sim, int table)
{
	if (table) {
		printf("%-24s %12.0f %12.0f\n", what, real, sim);
		return 0;
	}
	json_t *o = json_pack("{s:s,s:f,s:f}", "figure", what, "real", real, "simulated", sim);
	int rc = sm_out_record(o);
	json_decref(o);
	return rc;
}

static long long agent_cases(const sm_figures *f, const char *name)
{
	for (size_t i = 0; i < f->nagents; i++)
		if (!strcmp(f->agent[i].name, name))
			return f->agent[i].cases;
	return 0;
}

static int simulate(ctx *x, const char *since_arg, const char *config)
{
	sm_config *cfg = x->cfg;
	sm_figures was, would;
	char since[SM_TIME_LEN];
	time_t t;
	int table = isatty(1), rc;
	if (!since_arg || sm_time_arg(since_arg, sm_now(), &t) < 0)
		return sm_error_code(SM_EX_USAGE, "--simulate needs --since T (2026-11-01, 7d, 24h)");
	sm_time_format(t, since);
	if (config && sm_config_open(config, &cfg) < 0)
		return -1;
	rc = sm_simulate(x->st, cfg, since, &was, &would);
	if (rc == 0) {
		if (table)
			printf("%-24s %12s %12s\n", "SINCE " , "REAL", "SIMULATED");
		row("cases", (double)was.cases, (double)would.cases, table);
		row("first-response-breached", (double)was.breached, (double)would.breached, table);
		row("queued", (double)was.queued, (double)would.queued, table);
		row("median-first-response-s", was.median_response, would.median_response, table);
		for (size_t i = 0; i < x->a.nagents; i++) {
			char *what = sm_asprintf("agent %s", x->a.agents[i].name);
			row(what, (double)agent_cases(&was, x->a.agents[i].name),
			    (double)agent_cases(&would, x->a.agents[i].name), table);
			free(what);
		}
	}
	sm_figures_free(&was);
	sm_figures_free(&would);
	if (cfg != x->cfg)
		sm_config_free(cfg);
	return rc;
}

static int run(ctx *x, const char *dir, int explain, int argc, char **argv)
{
	static const char *const subs[] = {"list", "take", "set", "set-agent", "forward", "escalate", NULL};
	int sub = -1;
	for (int i = 0; argc > 0 && subs[i]; i++)
		if (!strcmp(argv[0], subs[i]))
			sub = i;
	if (sm_workspace_find(dir, &x->ws) < 0 || sm_workspace_check(&x->ws) < 0 ||
	    sm_config_open(x->ws.config, &x->cfg) < 0 ||
	    sm_store_open(x->ws.store, SM_STORE_CREATE, &x->st) < 0 ||
	    sm_whoami(x->cfg, &x->who, &x->login) < 0 ||
	    sm_assigner_init(&x->a, x->cfg, x->st, sub < 0 || sub == 5 ? "sm-assign"
						   : x->who ? x->who : x->login) < 0)
		return -1;
	if (x->simulate)
		return argc ? sm_error_code(SM_EX_USAGE, "--simulate reads the store, not files")
			    : simulate(x, x->since, x->sim_config);
	if (sub < 0)
		return filter(x, explain, argc, argv);
	if (sub == 0)
		return list(x, argc, argv);
	if (sub == 4)
		return forward(x, argc, argv);
	if (sub == 5)
		return argc == 1 ? escalate(x) : sm_error_code(SM_EX_USAGE, "escalate takes no argument");
	return change(x, argc, argv);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'}, {"explain", no_argument, NULL, 'e'},
		{"help", no_argument, NULL, 'h'},      {"version", no_argument, NULL, 'V'},
		{"simulate", no_argument, NULL, 'S'},  {"since", required_argument, NULL, 's'},
		{"config", required_argument, NULL, 'c'}, {NULL, 0, NULL, 0},
	};
	const char *dir = NULL;
	int c, explain = 0, rc;
	ctx x = {0};

	sm_setprog(argv[0]);
	/* options before a subcommand only: the subcommand parses its own */
	while ((c = getopt_long(argc, argv, "+d:eh", opts, NULL)) != -1)
		switch (c) {
		case 'd': dir = optarg; break;
		case 'e': explain = 1; break;
		case 'S': x.simulate = 1; break;
		case 's': x.since = optarg; break;
		case 'c': x.sim_config = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("sm-assign %s\n", SM_VERSION); return 0;
		default: usage(stderr); return SM_EX_USAGE;
		}
	rc = run(&x, dir, explain, argc - optind, argv + optind);
	if (rc < 0) {
		sm_warn("%s", sm_errmsg());
		rc = sm_errcode();
		if (x.st)
			sm_store_rollback(x.st);
	}
	if (sm_out_close() < 0 && rc == 0) {
		sm_warn("%s", sm_errmsg());
		rc = SM_EX_IOERR;
	}
	sm_buf_free(&x.out);
	sm_assigner_free(&x.a);
	sm_store_close(x.st);
	sm_config_free(x.cfg);
	sm_workspace_free(&x.ws);
	return rc;
}
