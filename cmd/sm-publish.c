/*
 * sm-publish - send the approved drafts whose time has come, exactly once, through the
 * adapters of their channels; print each draft's result.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan.h"
#include "publish.h"

static void usage(FILE *fp)
{
	fprintf(fp, "usage: sm-publish [--dir DIR] [-n] [-v] [--channel C] [--plan] [ID... | -]\n"
		    "\n"
		    "Sends every approved draft that is due (or the drafts named, by number or as\n"
		    "draft records on stdin with -) and prints each one's result record.\n"
		    "\n"
		    "  -n, --dry-run     print what would be sent, byte for byte; send nothing\n"
		    "  -c, --channel C   only drafts of channel C\n"
		    "      --plan        sync the editorial plan (sm-plan sync), then publish its drafts\n"
		    "  -v, --verbose     say what was done; twice: trace the HTTP requests\n"
		    "  -q, --quiet       no warnings, only errors\n"
		    "  -d, --dir DIR     the workspace (else $SM_DIR, else ~/.local/share/smkit)\n"
		    "  -h, --help        this help\n"
		    "      --version     print the version\n"
		    "\n"
		    "exit: 0 done, 65 a draft failed, 75 one is left for a later attempt,\n"
		    "      77 a draft or the user may not publish, 78 config error\n");
}

typedef struct {
	int verbose, quiet;
	long long *ids;
	size_t nids;
} ctx;

static void on_note(int warning, const char *msg, void *data)
{
	ctx *x = data;
	if (!warning || !x->quiet)
		sm_warn("%s", msg);
}

static void on_trace(const char *line, void *data)
{
	(void)data;
	fprintf(stderr, "%s\n", line);
}

static int add_id(ctx *x, long long id)
{
	x->ids = sm_realloc(x->ids, (x->nids + 1) * sizeof *x->ids);
	x->ids[x->nids++] = id;
	return 0;
}

static int from_record(json_t *rec, const char *file, long lineno, void *data)
{
	json_t *id = json_object_get(rec, "draft");
	if (!json_is_integer(id) || json_integer_value(id) <= 0)
		return sm_error_code(SM_EX_DATAERR, "%s:%ld: not a draft record (no \"draft\" number)",
				     file, lineno);
	return add_id(data, json_integer_value(id));
}

/* --plan: the entries of the reviewed branch made drafts (sm-plan sync); an entry with a
   problem gets none and is named, the others are published all the same. */
static int sync_plan(const sm_workspace *ws, sm_config *cfg, sm_store *st, const char *who,
		     int verbose)
{
	sm_plan_sync_stats s;
	char now[SM_TIME_LEN];
	if (sm_plan_sync(ws, cfg, st, who, sm_time_format(sm_now(), now), &s) < 0)
		return -1;
	for (size_t i = 0; i < s.problems.n; i++)
		sm_warn("plan: %s", s.problems.msg[i]);
	if (verbose && *s.commit)
		sm_warn("plan %.12s: %ld drafts created, %ld replaced, %ld withdrawn, %ld unchanged",
			s.commit, s.created, s.replaced, s.withdrawn, s.unchanged);
	sm_plan_sync_stats_free(&s);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'}, {"dry-run", no_argument, NULL, 'n'},
		{"channel", required_argument, NULL, 'c'}, {"plan", no_argument, NULL, 'P'},
		{"verbose", no_argument, NULL, 'v'}, {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *dir = NULL, *agent = NULL, *login = NULL;
	sm_publish_opts o = {0};
	sm_publish_stats stats;
	ctx x = {0};
	sm_workspace ws = {0};
	sm_config *cfg = NULL;
	sm_store *st = NULL;
	int c, rc = 0;

	sm_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "d:nc:vqh", opts, NULL)) != -1)
		switch (c) {
		case 'd': dir = optarg; break;
		case 'n': o.dry_run = 1; break;
		case 'c': o.channel = optarg; break;
		case 'P': o.plan = 1; break;
		case 'v': x.verbose++; break;
		case 'q': x.quiet = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("sm-publish %s\n", SM_VERSION); return 0;
		default: usage(stderr); return SM_EX_USAGE;
		}
	for (int i = optind; i < argc && rc == 0; i++) {
		char *end;
		long long id = strtoll(argv[i], &end, 10);
		if (!strcmp(argv[i], "-"))
			rc = sm_each_record(0, NULL, 0, from_record, &x);
		else if (!*argv[i] || *end || id <= 0)
			rc = sm_error_code(SM_EX_USAGE, "'%s' is not a draft number", argv[i]);
		else
			add_id(&x, id);
	}
	o.ids = x.ids;
	o.nids = x.nids;
	o.note = on_note;
	o.trace = x.verbose > 1 ? on_trace : NULL;
	o.ctx = &x;
	if (rc == 0 && (sm_workspace_find(dir, &ws) < 0 || sm_workspace_check(&ws) < 0 ||
			sm_config_open(ws.config, &cfg) < 0 ||
			sm_store_open(ws.store, SM_STORE_CREATE, &st) < 0 ||
			sm_whoami(cfg, &agent, &login) < 0 ||
			(!o.dry_run && sm_publish_allowed(cfg, agent, login) < 0)))
		rc = -1;
	if (rc == 0 && o.plan && !o.dry_run) /* the reviewed branch first: what it says now */
		rc = sync_plan(&ws, cfg, st, agent ? agent : login, x.verbose);
	if (rc == 0) {
		rc = sm_publish_run(&ws, cfg, st, agent ? agent : login, &o, &stats);
		if (rc >= 0 && x.verbose)
			sm_warn("%ld published, %ld failed, %ld left for later, %ld refused, %ld reconciled",
				stats.published, stats.failed, stats.retry, stats.refused, stats.reconciled);
	}
	rc = sm_finish(rc);
	free(x.ids);
	sm_store_close(st);
	sm_config_free(cfg);
	sm_workspace_free(&ws);
	return rc;
}
