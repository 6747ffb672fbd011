/*
 * sm-fetch - fetch every channel (or the named ones) at once, store what is new, print
 * the new items as JSON lines. Exit 0 when every channel was fetched, 75 when some failed
 * for a passing reason, 69 when some failed otherwise, 78 on a config error.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"

static void usage(FILE *fp)
{
	fprintf(fp, "usage: sm-fetch [--dir DIR] [-c CHANNEL]... [-j N] [-q] [-v]\n"
		    "\n"
		    "Fetch the workspace's channels concurrently, store new items and print\n"
		    "them as JSON lines.\n"
		    "\n"
		    "  -d, --dir DIR          the workspace (else $SM_DIR, else ~/.local/share/smkit)\n"
		    "  -c, --channel CHANNEL  fetch only this channel (repeatable)\n"
		    "  -j, --parallel N       at most N connections at once (fetch.parallel)\n"
		    "  -q, --quiet            no progress line, no warnings about ill-formed feeds\n"
		    "  -v, --verbose          a summary line per channel on stderr; twice: also\n"
		    "                         the HTTP headers sent and received, secrets as ***\n"
		    "  -h, --help             this help\n"
		    "      --version          print the version\n");
}

typedef struct {
	int quiet, progress_shown;
} ui;

static void note(const char *channel, int warning, const char *msg, void *ctx)
{
	ui *u = ctx;
	if (warning && u->quiet)
		return;
	if (u->progress_shown) {
		fputs("\r\033[K", stderr);
		u->progress_shown = 0;
	}
	sm_warn("%s: %s", channel, msg);
}

static void progress(int done, int all, long n_new, void *ctx)
{
	ui *u = ctx;
	fprintf(stderr, "\r\033[K%s: %d/%d channels, %ld new", sm_prog(), done, all, n_new);
	u->progress_shown = 1;
}

static int emit(const char *json, size_t len, void *ctx) { return sm_out_line(json, len); }

static int fetch(const char *dir, char **names, int n, sm_fetch_opts *o)
{
	sm_workspace ws;
	sm_config *cfg = NULL;
	sm_store *st = NULL;
	int rc = -1;

	if (sm_workspace_find(dir, &ws) == 0 && sm_config_open(ws.config, &cfg) == 0 &&
	    sm_store_open(ws.store, SM_STORE_CREATE, &st) == 0)
		rc = sm_fetch_run(&ws, cfg, st, names, n, o);
	if (rc < 0) {
		sm_warn("%s", sm_errmsg());
		rc = sm_errcode();
	}
	sm_store_close(st);
	sm_config_free(cfg);
	sm_workspace_free(&ws);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'},	    {"channel", required_argument, NULL, 'c'},
		{"parallel", required_argument, NULL, 'j'}, {"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},	    {"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},	    {NULL, 0, NULL, 0},
	};
	const char *dir = NULL;
	char **names = NULL;
	int n = 0, c, quiet = 0;
	ui u = {0};
	sm_fetch_opts o = {.note = note, .emit = emit, .ctx = &u};
	char *end;

	sm_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "d:c:j:qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'c':
			names = sm_realloc(names, (size_t)(n + 1) * sizeof *names);
			names[n++] = optarg;
			break;
		case 'j':
			o.parallel = strtol(optarg, &end, 10);
			if (*end || o.parallel < 1) {
				sm_warn("-j needs a number of at least 1, not '%s'", optarg);
				return SM_EX_USAGE;
			}
			break;
		case 'q': quiet = 1; break;
		case 'v': o.verbose++; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("sm-fetch %s\n", SM_VERSION); return 0;
		default: usage(stderr); return SM_EX_USAGE;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return SM_EX_USAGE;
	}
	u.quiet = quiet;
	if (!quiet && isatty(2))
		o.progress = progress;
	int rc = fetch(dir, names, n, &o);
	if (u.progress_shown)
		fputs("\r\033[K", stderr);
	if (sm_out_close() < 0) {
		sm_warn("%s", sm_errmsg());
		rc = SM_EX_IOERR;
	}
	free(names);
	return rc;
}
