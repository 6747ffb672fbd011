/*
 * sm-init - create a workspace: config, rules, store, templates/ and the plan repository.
 * It never overwrites: a second run changes nothing and says so.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "smkit.h"

static void usage(FILE *fp)
{
	fprintf(fp, "usage: sm-init [--dir DIR] [-q] [DIR]\n"
		    "\n"
		    "Create an smkit workspace (config, rules, store.db, templates/, plan/)\n"
		    "in DIR, else --dir, $SM_DIR or ${XDG_DATA_HOME:-~/.local/share}/smkit.\n"
		    "\n"
		    "  -d, --dir DIR   the workspace directory\n"
		    "  -q, --quiet     say nothing unless something fails\n"
		    "  -h, --help      this help\n"
		    "      --version   print the version\n");
}

static void report(int quiet, const char *what)
{
	if (!quiet)
		sm_warn("created %s", what);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'}, {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},      {"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *dir = NULL;
	int quiet = 0, c, created = 0;
	sm_workspace ws;

	sm_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "d:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("sm-init %s\n", SM_VERSION); return 0;
		default: usage(stderr); return SM_EX_USAGE;
		}
	}
	if (optind < argc)
		dir = argv[optind++];
	if (optind < argc) {
		usage(stderr);
		return SM_EX_USAGE;
	}
	if (sm_workspace_find(dir, &ws) < 0 || sm_workspace_create(&ws, &created) < 0) {
		sm_warn("%s", sm_errmsg());
		sm_workspace_free(&ws);
		return sm_errcode();
	}
	for (int i = 0; i < SM_WS_NPARTS; i++)
		if (created & (1 << i))
			report(quiet, sm_workspace_part(&ws, i));
	if (!created && !quiet)
		sm_warn("%s: workspace exists, nothing changed", ws.dir);
	sm_workspace_free(&ws);
	return 0;
}
