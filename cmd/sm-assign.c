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

/* items per transaction: fewer commits (each rewrites the pages it touched), while the
   store stays locked to other writers for a fraction of a second only */
enum { BATCH = 5000 };

static int begin(ctx *x)
{
	return sm_store_begin(x->st) < 0 || sm_assigner_begin(&x->a) < 0 ? -1 : 0;
}

/* Print what out holds, and empty it. */
static int write_out(sm_buf *out, void *data)
{
	(void)data;
	int rc = fwrite(out->s, 1, out->len, stdout) == out->len ? 0
		 : sm_error_code(SM_EX_IOERR, "write error on standard output");
	sm_buf_reset(out);
	return rc;
}

/* Commit, then print: what is printed is in the store. */
static int flush(ctx *x)
{
	if (sm_assigner_end(&x->a) < 0 || sm_store_commit(x->st) < 0)
		return -1;
	x->n = 0;
	return x->out.len ? write_out(&x->out, NULL) : 0;
}

/* The message of the last error, with the place of the item. */
static int at_line(const char *file, long lineno)
{
	char msg[1024];
	snprintf(msg, sizeof msg, "%s", sm_errmsg());
	return sm_error_code(sm_errcode(), "%s:%ld: %s", file, lineno, msg);
}

static void warn_at(ctx *x, const char *file, long lineno)
{
	if (x->a.warning[0])
		sm_warn("%s:%ld: %s", file, lineno, x->a.warning);
}

/* The item with its case's members, through jansson. */
static int print_json(ctx *x, json_t *item, json_t *ann)
{
	if (ann)
		json_object_update(item, ann);
	char *s = json_dumps(item, JSON_COMPACT);
	if (!s)
		return sm_error("unable to encode an item");
	sm_buf_adds(&x->out, s);
	sm_buf_addc(&x->out, '\n');
	free(s);
	return 0;
}

/* A line the scanner leaves to jansson (or --explain, which builds a tree anyway). */
static int each_record(ctx *x, const char *line, size_t len, const char *file, long lineno)
{
	json_t *item = sm_record_parse(line, len, file, lineno, SM_LOOP_ITEMS), *ann;
	int is_new, rc;
	if (!item)
		return -1;
	if (!json_is_string(json_object_get(item, "id")) || !json_is_string(json_object_get(item, "channel")))
		rc = sm_error_code(SM_EX_DATAERR, "%s:%ld: an item needs an id and a channel", file, lineno);
	else if (sm_store_put_item(x->st, item, &is_new) < 0 || sm_assign_item(&x->a, item, &ann) < 0)
		rc = at_line(file, lineno);
	else {
		warn_at(x, file, lineno);
		rc = print_json(x, item, ann);
		json_decref(ann);
	}
	json_decref(item);
	return rc;
}

/* A line as the reading thread scanned it (sm_each_line_ahead): the item's fields, the
   row the store keeps, pointing into the line and the arena. */
typedef struct {
	sm_case_item in;
	sm_item_row row;
	unsigned has;
	int ok;
	sm_buf arena;
} scanned;

static void scan(void *slot, const char *line, size_t len)
{
	scanned *p = slot;
	p->ok = sm_case_item_line(&p->in, line, len, &p->arena, &p->row, &p->has) == 0;
}

static void scanned_free(void *slot) { sm_buf_free(&((scanned *)slot)->arena); }

/* One item: stored, put into its case, printed with it. The usual line is read and
   printed without a tree: scanned, stored as it came, its case's members spliced in. */
static int each_line(void *slot, const char *line, size_t len, const char *file, long lineno, void *data)
{
	ctx *x = data;
	scanned *p = slot;
	sm_case_item in = p->in;
	sm_item_row *row = &p->row;
	sm_case c;
	unsigned has = p->has;
	int is_new, rc;
	if (x->n == 0 && begin(x) < 0) /* what this process read may have changed */
		return -1;
	if (x->a.explain || !p->ok)
		rc = each_record(x, line, len, file, lineno);
	else if (!in.id || !in.channel)
		rc = sm_error_code(SM_EX_DATAERR, "%s:%ld: an item needs an id and a channel", file, lineno);
	else if (sm_store_put_row(x->st, row, &is_new) < 0 ||
		 (in.fresh = is_new, rc = sm_assign_case(&x->a, &in, &c, NULL)) < 0)
		rc = at_line(file, lineno);
	else {
		warn_at(x, file, lineno);
		if (rc == 0) /* in no case: printed as it came */
			sm_buf_add(&x->out, line, len), sm_buf_addc(&x->out, '\n');
		else if (sm_case_splice(&x->out, line, len, has, &in, &c) < 0) {
			json_t *item = sm_record_parse(line, len, file, lineno, SM_LOOP_ITEMS);
			json_t *ann = sm_case_annotations(&c, NULL);
			rc = item ? print_json(x, item, ann) : -1;
			json_decref(item);
			json_decref(ann);
		}
		rc = rc < 0 ? -1 : 0;
	}
	return rc < 0 ? -1 : ++x->n >= BATCH ? flush(x) : 0;
}

/* The input pauses (a pipe): commit what is read so far rather than keep the store locked
   while waiting, perhaps for the stage before, which needs it to commit its own. */
static int input_waits(void *data)
{
	ctx *x = data;
	return x->n ? flush(x) : 0;
}

static int filter(ctx *x, int explain, int nfiles, char **files)
{
	long handed;
	x->a.explain = explain;
	x->a.defer = 1; /* the agents' state is written once per transaction */
	if (sm_store_checkpoint_behind(x->st) < 0)
		return -1;
	/* first what waited: capacity may have freed since the last run */
	if (begin(x) < 0 || sm_assign_queue(&x->a, &handed) < 0 || flush(x) < 0)
		return -1;
	/* the lines are read and scanned by a thread of their own meanwhile */
	sm_ahead ahead = {sizeof(scanned), scan, each_line, input_waits, scanned_free, x};
	int rc = sm_each_line_ahead(nfiles, files, &ahead);
	return rc < 0 ? -1 : x->n ? flush(x) : 0;
}

static int print_case(const sm_case *c, void *data)
{
	(void)data;
	/* a conversation is named by the network: escaped, as every cell */
	char *cell[5] = {sm_term_cell(c->status, 0), sm_term_cell(c->team, 0),
			 sm_term_cell(c->assignee[0] ? c->assignee : "-", 0),
			 sm_term_cell(c->priority[0] ? c->priority : "-", 0), sm_term_cell(c->conversation, 0)};
	printf("%-6lld %-8s %-10s %-10s %-7s %-20s %s\n", c->id, cell[0], cell[1], cell[2], cell[3],
	       c->first_response_due[0] ? c->first_response_due : "-", cell[4]);
	for (int i = 0; i < 5; i++)
		free(cell[i]);
	return ferror(stdout) ? sm_error_code(SM_EX_IOERR, "write error on standard output") : 0;
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
	if (!table) /* records: straight from the rows into the output */
		return sm_cases_json(x->st, agent, team, status, overdue ? x->a.now : NULL, &x->out,
				     write_out, NULL);
	printf("%-6s %-8s %-10s %-10s %-7s %-20s %s\n", "CASE", "STATUS", "TEAM", "ASSIGNEE",
	       "PRIO", "DUE", "CONVERSATION");
	return sm_cases_list(x->st, agent, team, status, overdue ? x->a.now : NULL, print_case, NULL);
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
	int rc = sm_case_forward(&x->a, &x->ws, id, argv[optind + 1], note, x->who);
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
	sm_escalation e = {0};
	if (sm_store_begin(x->st) < 0 || sm_escalate(&x->a, &x->ws, &e) < 0) {
		sm_store_rollback(x->st);
		sm_buf_free(&e.warnings);
		return -1;
	}
	for (char *l = e.warnings.s, *nl; l && (nl = strchr(l, '\n')); l = nl + 1) {
		*nl = 0;
		sm_warn("%s", l);
	}
	sm_buf_free(&e.warnings);
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
		/* every agent of either config: the workspace's, then those only --config has */
		size_t na, nb;
		const char *const *a = sm_config_subsections(x->cfg, "agent", &na);
		const char *const *b = sm_config_subsections(cfg, "agent", &nb);
		for (size_t i = 0; i < na + nb; i++) {
			const char *name = i < na ? a[i] : b[i - na];
			int seen = 0;
			for (size_t k = 0; i >= na && k < na; k++)
				seen |= !strcmp(a[k], name);
			if (seen)
				continue;
			char *what = sm_asprintf("agent %s", name);
			row(what, (double)agent_cases(&was, name), (double)agent_cases(&would, name), table);
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
	if (rc < 0 && x.st)
		sm_store_rollback(x.st);
	rc = sm_finish(rc);
	sm_buf_free(&x.out);
	sm_assigner_free(&x.a);
	sm_store_close(x.st);
	sm_config_free(x.cfg);
	sm_workspace_free(&x.ws);
	return rc;
}
