/*
 * sm-report - reports on the store: volume, response times, SLAs, the backlog, agents,
 * topics, super users, approvals, publishing, a benchmark against competitors, the audit
 * log; as a table on a terminal, CSV, TSV or JSON lines for programs, Markdown, or one
 * self-contained HTML page with charts.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "report.h"

static void usage(FILE *fp)
{
	fprintf(fp, "usage: sm-report [--dir DIR] NAME [--since T] [--until T] [--by DIM] [--channel C]\n"
		    "                 [--team T] [-f FORMAT] [-o FILE] [--table TABLE] [--verify]\n"
		    "\n"
		    "Report on the store. NAME is one of:\n");
	for (int i = 0; sm_report_names[i]; i++)
		fprintf(fp, "  %-11s %s\n", sm_report_names[i], sm_report_about(sm_report_names[i]));
	fprintf(fp, "\n"
		    "  -d, --dir DIR      the workspace (else $SM_DIR, else ~/.local/share/smkit)\n"
		    "  -s, --since T      from T: 2026-11-01, 2026-11-01T08:00:00Z, 7d, 24h (default: all)\n"
		    "  -u, --until T      up to T, not including it (default: now)\n"
		    "  -b, --by DIM       rows by day, week, month, channel, network, team, agent or tag\n"
		    "  -c, --channel C    only channel C\n"
		    "  -t, --team T       only team T\n"
		    "  -f, --format F     table, csv, tsv, jsonl, html or md (default: table on a terminal,\n"
		    "                     else from the -o file's extension, else jsonl)\n"
		    "  -o, --output FILE  write FILE (replaced whole); superusers -f md: a directory\n"
		    "      --table TABLE  only this table of the report (csv, tsv, jsonl: else the first)\n"
		    "      --verify       audit: check the hash chain (exit 65 if broken)\n"
		    "  -h, --help         this help\n"
		    "      --version      print the version\n");
}

static int format_of_path(const char *path, sm_format *f)
{
	static const struct { const char *ext; sm_format f; } ext[] = {
		{".csv", SM_FMT_CSV}, {".tsv", SM_FMT_TSV}, {".jsonl", SM_FMT_JSONL}, {".json", SM_FMT_JSONL},
		{".html", SM_FMT_HTML}, {".htm", SM_FMT_HTML}, {".md", SM_FMT_MD}, {".txt", SM_FMT_TABLE},
	};
	const char *dot = path ? strrchr(path, '.') : NULL;
	for (size_t i = 0; dot && i < sizeof ext / sizeof ext[0]; i++)
		if (!strcmp(dot, ext[i].ext)) {
			*f = ext[i].f;
			return 1;
		}
	return 0;
}

static int terminal_width(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *c = getenv("COLUMNS");
	return c && atoi(c) > 0 ? atoi(c) : 80;
}

typedef struct {
	const char *dir, *since, *until, *by, *format, *output, *table;
	sm_report_opts o;
} args;

static int run(args *a, sm_workspace *ws, sm_config **cfg, sm_store **st, sm_report *r)
{
	sm_format f = SM_FMT_JSONL;
	a->o.now = sm_now();
	if ((a->since && sm_time_arg(a->since, a->o.now, &a->o.since) < 0) ||
	    (a->until && sm_time_arg(a->until, a->o.now, &a->o.until) < 0))
		return sm_error_code(SM_EX_USAGE, "%s", sm_errmsg());
	if (a->by && sm_by_parse(a->by, &a->o.by) < 0)
		return -1;
	if (a->format) {
		if (sm_format_parse(a->format, &f) < 0)
			return -1;
	} else if (!format_of_path(a->output, &f))
		f = !a->output && isatty(STDOUT_FILENO) ? SM_FMT_TABLE : SM_FMT_JSONL;
	if (sm_workspace_find(a->dir, ws) < 0 || sm_config_open(ws->config, cfg) < 0 ||
	    sm_store_open(ws->store, 0, st) < 0 || sm_report_run(*st, *cfg, &a->o, r) < 0)
		return -1;
	int rc;
	if (a->output && f == SM_FMT_MD && !strcmp(r->name, "superusers"))
		rc = sm_report_md_pages(r, a->output, NULL);
	else if (a->output)
		rc = sm_report_save(r, f, a->table, a->output);
	else
		rc = sm_report_write(r, f, a->table, stdout,
				     f == SM_FMT_TABLE && isatty(STDOUT_FILENO) ? terminal_width() : 0);
	if (rc == 0 && r->broken)
		return sm_error_code(SM_EX_DATAERR, "the audit chain is broken: %s",
				     r->tables[0].cells[2].text ? r->tables[0].cells[2].text : "?");
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'},	  {"since", required_argument, NULL, 's'},
		{"until", required_argument, NULL, 'u'},  {"by", required_argument, NULL, 'b'},
		{"channel", required_argument, NULL, 'c'}, {"team", required_argument, NULL, 't'},
		{"format", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},
		{"table", required_argument, NULL, 'T'},  {"verify", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},	  {"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	args a = {0};
	int c, rc;
	sm_workspace ws = {0};
	sm_config *cfg = NULL;
	sm_store *st = NULL;
	sm_report r = {0};

	sm_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "d:s:u:b:c:t:f:o:h", opts, NULL)) != -1)
		switch (c) {
		case 'd': a.dir = optarg; break;
		case 's': a.since = optarg; break;
		case 'u': a.until = optarg; break;
		case 'b': a.by = optarg; break;
		case 'c': a.o.channel = optarg; break;
		case 't': a.o.team = optarg; break;
		case 'f': a.format = optarg; break;
		case 'o': a.output = optarg; break;
		case 'T': a.table = optarg; break;
		case 'v': a.o.verify = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("sm-report %s\n", SM_VERSION); return 0;
		default: usage(stderr); return SM_EX_USAGE;
		}
	if (argc - optind != 1) {
		sm_warn("%s", argc == optind ? "which report? (sm-report --help lists them)"
					      : "one report at a time");
		return SM_EX_USAGE;
	}
	a.o.name = argv[optind];
	rc = run(&a, &ws, &cfg, &st, &r);
	rc = sm_finish(rc);
	sm_report_free(&r);
	sm_store_close(st);
	sm_config_free(cfg);
	sm_workspace_free(&ws);
	return rc;
}
