/*
 * sm-match - apply the monitoring rules (or one query) to items, store what they found and
 * print the matching items, as grep prints lines: exit 0 if something matched, 1 if not.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "match.h"

static void usage(FILE *fp)
{
	fprintf(fp, "usage: sm-match [--dir DIR] [-r RULES | -q QUERY] [-a] [-v] [-n] [-c] [FILE]...\n"
		    "       sm-match [--dir DIR] [-r RULES | -q QUERY] --stored [--since T] [-a] [-v] [-n] [-c]\n"
		    "       sm-match [--dir DIR] [-r RULES] --test\n"
		    "\n"
		    "Match items (JSON lines) against the rules, store the annotations, print the\n"
		    "matching items. Exit 0 if any item matched, 1 if none did.\n"
		    "\n"
		    "  -d, --dir DIR      the workspace (else $SM_DIR, else ~/.local/share/smkit)\n"
		    "  -r, --rules RULES  the rules file (default: the workspace's rules)\n"
		    "  -q, --query QUERY  match one query instead of the rules; nothing is added\n"
		    "  -a, --all          print every item, annotated where it matched\n"
		    "  -v, --invert       print the items that did not match\n"
		    "  -n, --dry-run      store nothing\n"
		    "  -c, --count        print how many items each rule matched instead\n"
		    "      --stored       match the items in the store instead of input\n"
		    "      --since T      with --stored: items created since T (2026-11-01, 7d, 24h)\n"
		    "      --test         run the rules' Test-Match and Test-No-Match lines (TAP)\n"
		    "  -h, --help         this help\n"
		    "      --version      print the version\n");
}

typedef struct {
	const char *dir, *rules, *query, *since;
	int all, invert, dry, count, stored, test;
} options;

static int parse_args(int argc, char **argv, options *o)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'},	 {"rules", required_argument, NULL, 'r'},
		{"query", required_argument, NULL, 'q'}, {"all", no_argument, NULL, 'a'},
		{"invert", no_argument, NULL, 'v'},	 {"dry-run", no_argument, NULL, 'n'},
		{"count", no_argument, NULL, 'c'},	 {"stored", no_argument, NULL, 'S'},
		{"since", required_argument, NULL, 's'}, {"test", no_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},	 {"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "d:r:q:avnch", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->dir = optarg; break;
		case 'r': o->rules = optarg; break;
		case 'q': o->query = optarg; break;
		case 'a': o->all = 1; break;
		case 'v': o->invert = 1; break;
		case 'n': o->dry = 1; break;
		case 'c': o->count = 1; break;
		case 'S': o->stored = 1; break;
		case 's': o->since = optarg; break;
		case 'T': o->test = 1; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("sm-match %s\n", SM_VERSION); exit(0);
		default: return -1;
		}
	}
	if ((o->rules && o->query) || (o->all && o->invert) || (o->since && !o->stored) ||
	    (o->test && (o->query || o->stored)) || (o->stored && optind < argc))
		return -1;
	return 0;
}

/* The config, when there is one: needed for from:GROUP, optional with -n and --test. */
static int open_config(const sm_workspace *ws, const options *o, sm_config **cfg)
{
	*cfg = NULL;
	if ((o->dry || o->test) && access(ws->config, F_OK) != 0)
		return 0;
	return sm_config_open(ws->config, cfg);
}

static int load_rules(const sm_workspace *ws, const options *o, sm_config *cfg, sm_rules **r)
{
	if (o->query)
		return sm_rules_query(o->query, cfg, r);
	const char *path = o->rules ? o->rules : ws->rules;
	return sm_rules_load(path, path, cfg, r);
}

static int run(sm_matcher *m, const options *o, const sm_workspace *ws, int nfiles, char **files)
{
	sm_store *st = NULL;
	char since[SM_TIME_LEN];
	int rc, failed = 0;

	if (o->test) {
		if (sm_matcher_test(m, o->rules ? o->rules : ws->rules, &failed) < 0)
			return -1;
		return failed ? SM_EX_NOMATCH : 0;
	}
	if ((!o->dry || o->stored) &&
	    sm_store_open(ws->store, o->dry ? SM_STORE_READONLY : SM_STORE_CREATE, &st) < 0)
		return -1;
	m->st = o->dry ? NULL : st;
	sm_matcher_init(m);
	if (o->stored) {
		time_t t;
		if (o->since && sm_time_arg(o->since, sm_now(), &t) < 0) {
			sm_store_close(st);
			return sm_error_code(SM_EX_USAGE, "--since: %s", sm_errmsg());
		}
		rc = sm_matcher_stored(m, st, o->since ? sm_time_format(t, since) : NULL);
	} else {
		sm_each_line_on_wait(sm_matcher_pause, m);
		rc = sm_each_line(nfiles, files, sm_matcher_line, m);
		sm_each_line_on_wait(NULL, NULL);
	}
	if (rc == 0)
		rc = sm_matcher_finish(m);
	else if (m->st)
		sm_store_rollback(m->st);
	sm_store_close(st);
	if (rc < 0)
		return -1;
	/* as grep: 0 when a line was selected (with -v, one that did not match) */
	return (o->invert ? m->nlines - m->nmatched : m->nmatched) > 0 ? 0 : SM_EX_NOMATCH;
}

int main(int argc, char **argv)
{
	options o = {0};
	sm_workspace ws = {0};
	sm_config *cfg = NULL;
	sm_rules *rules = NULL;
	sm_matcher m = {0};
	int rc;

	sm_setprog(argv[0]);
	if (parse_args(argc, argv, &o) < 0) {
		usage(stderr);
		return SM_EX_USAGE;
	}
	if (sm_workspace_find(o.dir, &ws) < 0 || open_config(&ws, &o, &cfg) < 0 ||
	    load_rules(&ws, &o, cfg, &rules) < 0)
		rc = -1;
	else {
		m.rules = rules;
		m.query_mode = o.query != NULL;
		m.all = o.all;
		m.invert = o.invert;
		m.count_only = o.count;
		m.use_prefilter = 1;
		rc = run(&m, &o, &ws, argc - optind, argv + optind);
	}
	if (rc < 0) {
		sm_warn("%s", sm_errmsg());
		rc = sm_errcode();
	}
	if (sm_out_close() < 0 && rc <= SM_EX_NOMATCH) {
		sm_warn("%s", sm_errmsg());
		rc = SM_EX_IOERR;
	}
	sm_matcher_free(&m);
	sm_rules_free(rules);
	sm_config_free(cfg);
	sm_workspace_free(&ws);
	return rc;
}
