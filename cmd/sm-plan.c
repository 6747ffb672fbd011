/*
 * sm-plan - the editorial plan, a git repository of post files: write an entry and commit
 * it (add), see the calendar (list, also as iCalendar), one entry (show), lint a revision
 * before it is merged (check), and make drafts of the reviewed branch (sync).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drafts.h"
#include "plan.h"

static void usage(FILE *fp)
{
	fprintf(fp, "usage: sm-plan [--dir DIR] [--repo PATH] add [-b|--branch BRANCH] [--at TIME]\n"
		    "                  [--channel C]... [--tag T]... [--repeat RULE] [--until DATE]\n"
		    "                  [--title T] [--media 'PATH | ALT']... [-m|--message TEXT]\n"
		    "                  [-M|--commit-message MESSAGE] ENTRY\n"
		    "       sm-plan [--dir DIR] list [--from T] [--to T] [--channel C] [-f|--format table|jsonl|ics]\n"
		    "       sm-plan [--dir DIR] show [--from T] [--to T] ENTRY\n"
		    "       sm-plan [--dir DIR] [--repo PATH] check [REV]\n"
		    "       sm-plan [--dir DIR] sync [-v]\n"
		    "\n"
		    "  -d, --dir DIR   the workspace (else $SM_DIR, else ~/.local/share/smkit)\n"
		    "      --repo PATH the plan repository (else plan.repo of the config)\n"
		    "  -h, --help      this help\n"
		    "      --version   print the version\n");
}

typedef struct {
	sm_workspace ws;
	sm_config *cfg;
	sm_store *st;
	sm_plan_conf pc;
	sm_plan_repo *repo;
	const char *who, *login, *repo_path;
	time_t tnow;
	char now[SM_TIME_LEN];
} ctx;

static void print_problems(const sm_plan_problems *pr)
{
	for (size_t i = 0; i < pr->n; i++)
		sm_warn("%s", pr->msg[i]);
}

static int open_repo(ctx *x)
{
	if (x->repo)
		return 0;
	if (sm_plan_open(&x->pc, &x->repo) < 0)
		return -1;
	return sm_plan_fetch(x->repo);
}

/* A time on the command line: a date, N[mhdw] back from now, or +N[mhdw] ahead. */
static int when(const char *opt, const char *s, time_t now, time_t *t)
{
	if (*s == '+') {
		time_t back;
		if (sm_time_arg(s + 1, now, &back) < 0 || !strchr("mhdw", s[strlen(s) - 1]))
			return sm_error_code(SM_EX_USAGE, "%s: '%s' is not a time (2026-12-01, +30d, 7d)", opt, s);
		*t = now + (now - back);
		return 0;
	}
	if (sm_time_arg(s, now, t) < 0)
		return sm_error_code(SM_EX_USAGE, "%s: %s", opt, sm_errmsg());
	return 0;
}

static void push(char ***v, size_t *n, const char *s)
{
	*v = sm_realloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = sm_strdup(s);
}

/* The entry file the options describe; NULL and problems if they do not make one. */
static char *entry_text(ctx *x, sm_plan_entry *e, const char *at, const char *repeat, const char *until,
			const char *text)
{
	const char *why;
	if (at && sm_plan_time_parse(at, x->pc.zone, &e->at, &why) < 0) {
		sm_error_code(SM_EX_USAGE, "--at: '%s': %s", at, why);
		return NULL;
	}
	if (repeat && sm_plan_repeat_parse(repeat, &e->repeat, &why) < 0) {
		sm_error_code(SM_EX_USAGE, "--repeat: '%s': %s", repeat, why);
		return NULL;
	}
	if (until && sm_plan_time_parse(until, "", &e->until, &why) < 0) {
		sm_error_code(SM_EX_USAGE, "--until: '%s': %s", until, why);
		return NULL;
	}
	e->text = sm_strdup(text ? text : "");
	char *file = sm_plan_entry_format(e);
	if (!at) { /* an At: line to fill in, in the editor */
		char *rest = strchr(file, '\n') + 1, *with = sm_asprintf("At: \n%s", rest);
		free(file);
		file = with;
	}
	return file;
}

/* The file with its header from the options, written in $EDITOR. */
static char *edit_entry(const char *file)
{
	char *out = NULL;
	if (sm_edit_text(file, "Write the post below the header, after a blank line. A line\n"
			       "'--- NETWORK' or '--- CHANNEL' starts a text of its own for it.\n"
			       "Lines starting with '# ' are left out; an empty file aborts.\n"
			       "See sm-plan(5).", &out) < 0)
		return NULL;
	if (!*out) {
		free(out);
		sm_error_code(SM_EX_DATAERR, "the entry is empty: aborted, nothing committed");
		return NULL;
	}
	char *with_nl = sm_asprintf("%s\n", out);
	free(out);
	return with_nl;
}

static int add(ctx *x, int argc, char **argv)
{
	static const struct option opts[] = {
		{"branch", required_argument, NULL, 'b'}, {"at", required_argument, NULL, 'a'},
		{"channel", required_argument, NULL, 'c'}, {"tag", required_argument, NULL, 't'},
		{"repeat", required_argument, NULL, 'r'}, {"until", required_argument, NULL, 'u'},
		{"title", required_argument, NULL, 'T'},  {"media", required_argument, NULL, 'p'},
		{"message", required_argument, NULL, 'm'}, {"commit-message", required_argument, NULL, 'M'},
		{NULL, 0, NULL, 0},
	};
	sm_plan_entry e = {0};
	sm_plan_problems pr = {0};
	const char *at = NULL, *repeat = NULL, *until = NULL, *text = NULL, *msg = NULL, *branch = NULL;
	char *file = NULL, *edited = NULL, commit[41];
	int c, rc = -1;
	optind = 0;
	while ((c = getopt_long(argc, argv, "b:m:M:", opts, NULL)) != -1)
		switch (c) {
		case 'b': branch = optarg; break;
		case 'a': at = optarg; break;
		case 'c': push(&e.channels, &e.nchannels, optarg); break;
		case 't': push(&e.tags, &e.ntags, optarg); break;
		case 'r': repeat = optarg; break;
		case 'u': until = optarg; break;
		case 'T': free(e.title); e.title = sm_strdup(optarg); break;
		case 'p': {
			const char *bar = strchr(optarg, '|'), *alt = bar ? bar + 1 + strspn(bar + 1, " ") : "";
			size_t n = bar ? (size_t)(bar - optarg) : strlen(optarg);
			while (n && optarg[n - 1] == ' ')
				n--;
			e.media = sm_realloc(e.media, (e.nmedia + 1) * sizeof *e.media);
			e.media[e.nmedia].path = sm_strndup(optarg, n);
			e.media[e.nmedia++].alt = sm_strdup(alt);
			break;
		}
		case 'm': text = optarg; break;
		case 'M': msg = optarg; break;
		default: sm_plan_entry_free(&e); return sm_error_code(SM_EX_USAGE, "add [options] ENTRY");
		}
	if (optind + 1 != argc) {
		sm_plan_entry_free(&e);
		return sm_error_code(SM_EX_USAGE, "add [options] ENTRY (a path in the plan repository)");
	}
	const char *path = argv[optind];
	if (sm_draft_may_write(x->cfg, x->who) < 0 || open_repo(x) < 0 ||
	    !(file = entry_text(x, &e, at, repeat, until, text)) || (!text && !(edited = edit_entry(file)))) {
		free(file);
		sm_plan_entry_free(&e);
		return -1;
	}
	const char *data = edited ? edited : file;
	sm_plan_entry parsed;
	sm_plan_lint l = {x->cfg, &x->pc, x->tnow};
	if (sm_plan_entry_parse(path, data, strlen(data), x->pc.zone, &parsed, &pr) < 0 ||
	    sm_plan_lint_entry(&l, &parsed, 1, NULL, NULL, &pr) < 0) {
		print_problems(&pr);
		rc = sm_error_code(SM_EX_DATAERR, "%s: not committed (%zu problem%s)", path, pr.n, pr.n == 1 ? "" : "s");
	} else {
		const char *email = sm_config_get_sub(x->cfg, "agent", x->who, "email");
		char *mail = email ? sm_strdup(email) : sm_asprintf("%s@localhost", x->who);
		char *message = msg ? sm_strdup(msg) : sm_asprintf("plan: %s\n\n%s\n", path, parsed.title ? parsed.title : "");
		const char *b = branch ? branch : sm_plan_branch(x->repo);
		rc = sm_plan_commit_file(x->repo, b, path, data, x->who, mail, message, commit);
		if (rc == 0) {
			json_t *r = json_pack("{s:s,s:s,s:s,s:s}", "entry", path, "branch", b, "commit", commit,
					      "author", x->who);
			rc = sm_out_record(r);
			json_decref(r);
		}
		free(mail);
		free(message);
	}
	sm_plan_entry_free(&parsed);
	sm_plan_entry_free(&e);
	sm_plan_problems_free(&pr);
	free(file);
	free(edited);
	return rc;
}

static int range_opts(ctx *x, int argc, char **argv, sm_plan_range *rg, const char **format)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'F'}, {"to", required_argument, NULL, 'T'},
		{"channel", required_argument, NULL, 'c'}, {"format", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	int c, to_set = 0;
	rg->from = x->tnow;
	optind = 0;
	while ((c = getopt_long(argc, argv, format ? "c:f:" : "", opts, NULL)) != -1)
		switch (c) {
		case 'F': if (when("--from", optarg, x->tnow, &rg->from) < 0) return -1; break;
		case 'T': if (when("--to", optarg, x->tnow, &rg->to) < 0) return -1; to_set = 1; break;
		case 'c': rg->channel = optarg; break;
		case 'f':
			if (strcmp(optarg, "table") && strcmp(optarg, "jsonl") && strcmp(optarg, "ics"))
				return sm_error_code(SM_EX_USAGE, "-f: table, jsonl or ics, not '%s'", optarg);
			*format = optarg;
			break;
		default: return sm_error_code(SM_EX_USAGE, "%s", format ? "list [--from T] [--to T] [--channel C] [-f table|jsonl|ics]"
							      : "show [--from T] [--to T] ENTRY");
		}
	if (!to_set)
		rg->to = rg->from + 30 * 86400;
	if (rg->to <= rg->from)
		return sm_error_code(SM_EX_USAGE, "--to must come after --from");
	return 0;
}

static const char *shown_state(const char *state) { return !strcmp(state, "pending") ? "not approved" : state; }

static int list(ctx *x, int argc, char **argv)
{
	sm_plan_range rg = {0};
	sm_plan_problems pr = {0};
	sm_plan_slot *s;
	size_t n;
	const char *format = isatty(1) ? "table" : "jsonl";
	if (range_opts(x, argc, argv, &rg, &format) < 0)
		return -1;
	if (optind != argc)
		return sm_error_code(SM_EX_USAGE, "list takes no arguments besides its options");
	if (open_repo(x) < 0 || sm_plan_calendar(x->repo, x->cfg, x->st, &rg, &s, &n, &pr) < 0)
		return -1;
	int rc = 0;
	if (!strcmp(format, "ics"))
		rc = sm_plan_ics(stdout, s, n, x->tnow, "smkit plan");
	else if (!strcmp(format, "table"))
		printf("%-31s %-16s %-13s %-24s %s\n", "AT", "CHANNEL", "STATE", "ENTRY", "TITLE");
	for (size_t i = 0; rc == 0 && i < n && strcmp(format, "ics"); i++) {
		if (!strcmp(format, "table")) { /* names and titles from the plan: escaped */
			char *ch = sm_term_cell(s[i].channel, 0), *en = sm_term_cell(s[i].entry, 0),
			     *ti = sm_term_cell(s[i].title, 40);
			printf("%-31s %-16s %-13s %-24s %s\n", s[i].local, ch, shown_state(s[i].state), en, ti);
			free(ch), free(en), free(ti);
			continue;
		}
		json_t *r = sm_plan_slot_record(&s[i]);
		rc = sm_out_record(r);
		json_decref(r);
	}
	sm_plan_slots_free(s, n);
	print_problems(&pr); /* entries that do not parse are left out: say which */
	sm_plan_problems_free(&pr);
	return rc;
}

static json_t *strings(char **v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *entry_record(ctx *x, const sm_plan_entry *e, const char *commit, const char *blob)
{
	char first[SM_TIME_LEN], *at = sm_plan_time_text(&e->at);
	json_t *r = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "entry", e->path, "commit", commit, "blob", blob,
			      "at", at, "first", sm_time_format(sm_plan_instant(&e->at), first), "channels",
			      strings(e->channels, e->nchannels), "tags", strings(e->tags, e->ntags));
	free(at);
	if (e->repeat.freq) {
		char *rep = sm_plan_repeat_text(&e->repeat);
		json_object_set_new(r, "repeat", json_string(rep));
		free(rep);
	}
	if (e->until.year) {
		char *u = sm_plan_time_text(&e->until);
		json_object_set_new(r, "until", json_string(u));
		free(u);
	}
	json_object_set_new(r, "title", json_string(e->title ? e->title : ""));
	json_t *media = json_array(), *texts = json_object();
	for (size_t i = 0; i < e->nmedia; i++)
		json_array_append_new(media, json_pack("{s:s,s:s}", "path", e->media[i].path, "alt", e->media[i].alt));
	json_object_set_new(r, "media", media);
	for (size_t i = 0; i < e->nchannels; i++)
		json_object_set_new(texts, e->channels[i],
				    json_string(sm_plan_text_for(e, e->channels[i], sm_plan_network(x->cfg, e->channels[i]))));
	json_object_set_new(r, "texts", texts);
	return r;
}

static int show(ctx *x, int argc, char **argv)
{
	sm_plan_range rg = {0};
	sm_plan_problems pr = {0};
	sm_plan_entry e;
	sm_buf data = {0};
	char commit[41], blob[41];
	memset(&e, 0, sizeof e);
	if (range_opts(x, argc, argv, &rg, NULL) < 0)
		return -1;
	if (optind + 1 != argc)
		return sm_error_code(SM_EX_USAGE, "show [--from T] [--to T] ENTRY");
	rg.entry = argv[optind];
	if (open_repo(x) < 0)
		return -1;
	int rc = sm_plan_resolve(x->repo, NULL, commit);
	if (rc == 0 && (rc = sm_plan_blob_at(x->repo, commit, rg.entry, blob)) == 1)
		rc = sm_plan_blob(x->repo, blob, &data);
	else if (rc >= 0)
		rc = sm_error_code(SM_EX_DATAERR, "no entry '%s' on the reviewed branch '%s'", rg.entry,
				   sm_plan_branch(x->repo));
	if (rc == 0 && sm_plan_entry_parse(rg.entry, data.s ? data.s : "", data.len, x->pc.zone, &e, &pr) < 0) {
		print_problems(&pr);
		rc = sm_error_code(SM_EX_DATAERR, "%s: the entry has problems (sm-plan check)", rg.entry);
	} else if (rc == 0) {
		sm_plan_slot *s;
		size_t n;
		json_t *r = entry_record(x, &e, commit, blob), *occ = json_array();
		if (sm_plan_calendar(x->repo, x->cfg, x->st, &rg, &s, &n, &pr) == 0) {
			for (size_t i = 0; i < n; i++) {
				json_t *o = sm_plan_slot_record(&s[i]);
				json_t *keep = json_pack("{s:O,s:O,s:O,s:O}", "channel", json_object_get(o, "channel"),
							 "at", json_object_get(o, "at"), "local", json_object_get(o, "local"),
							 "state", json_object_get(o, "state"));
				if (json_object_get(o, "draft"))
					json_object_set(keep, "draft", json_object_get(o, "draft"));
				json_array_append_new(occ, keep);
				json_decref(o);
			}
			sm_plan_slots_free(s, n);
		}
		json_object_set_new(r, "occurrences", occ);
		rc = sm_out_record(r);
		json_decref(r);
	}
	sm_plan_entry_free(&e);
	sm_plan_problems_free(&pr);
	sm_buf_free(&data);
	return rc < 0 ? -1 : 0;
}

static int check(ctx *x, int argc, char **argv)
{
	sm_plan_problems pr = {0};
	size_t n;
	if (argc > 2)
		return sm_error_code(SM_EX_USAGE, "check [REV]");
	sm_plan_lint l = {x->cfg, &x->pc, x->tnow};
	if (open_repo(x) < 0 || sm_plan_check(x->repo, &l, argc == 2 ? argv[1] : NULL, &n, &pr) < 0)
		return -1;
	print_problems(&pr);
	int rc = pr.n ? sm_error_code(SM_EX_DATAERR, "%zu problem%s in %zu entr%s", pr.n, pr.n == 1 ? "" : "s", n,
				      n == 1 ? "y" : "ies") : 0;
	sm_plan_problems_free(&pr);
	return rc;
}

static int sync_plan(ctx *x, int argc, char **argv)
{
	sm_plan_sync_stats s;
	int verbose = argc == 2 && !strcmp(argv[1], "-v");
	if (argc > 1 && !verbose)
		return sm_error_code(SM_EX_USAGE, "sync [-v]");
	if (sm_plan_sync(&x->ws, x->cfg, x->st, x->who, x->now, &s) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < s.ndrafts; i++) {
		sm_draft d;
		if (sm_draft_get(x->st, s.drafts[i], &d) <= 0)
			continue;
		json_t *r = sm_draft_record(x->st, &d);
		rc = sm_out_record(r);
		json_decref(r);
		sm_draft_free(&d);
	}
	print_problems(&s.problems);
	if (verbose && *s.commit)
		sm_warn("%.12s: %ld created, %ld replaced, %ld withdrawn, %ld unchanged, %ld renamed", s.commit,
			s.created, s.replaced, s.withdrawn, s.unchanged, s.renamed);
	if (rc == 0 && s.broken)
		rc = sm_error_code(SM_EX_DATAERR, "%ld entr%s with problems got no drafts (sm-plan check)", s.broken,
				   s.broken == 1 ? "y" : "ies");
	sm_plan_sync_stats_free(&s);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'}, {"repo", required_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},      {"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	static const char *const subs[] = {"add", "list", "show", "check", "sync", NULL};
	const char *dir = NULL;
	int c, sub = -1, rc;
	ctx x = {0};

	sm_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "+d:h", opts, NULL)) != -1)
		switch (c) {
		case 'd': dir = optarg; break;
		case 'R': x.repo_path = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("sm-plan %s\n", SM_VERSION); return 0;
		default: usage(stderr); return SM_EX_USAGE;
		}
	argc -= optind;
	argv += optind;
	for (int i = 0; argc > 0 && subs[i]; i++)
		if (!strcmp(argv[0], subs[i]))
			sub = i;
	if (sub < 0) {
		usage(stderr);
		return SM_EX_USAGE;
	}
	x.tnow = sm_now();
	sm_time_format(x.tnow, x.now);
	if (sm_workspace_find(dir, &x.ws) < 0 || sm_config_open(x.ws.config, &x.cfg) < 0 ||
	    sm_whoami(x.cfg, &x.who, &x.login) < 0 || sm_plan_conf_load(&x.ws, x.cfg, x.repo_path, &x.pc) < 0 ||
	    (sub != 3 && sm_store_open(x.ws.store, SM_STORE_CREATE, &x.st) < 0))
		rc = -1;
	else
		switch (sub) {
		case 0: rc = add(&x, argc, argv); break;
		case 1: rc = list(&x, argc, argv); break;
		case 2: rc = show(&x, argc, argv); break;
		case 3: rc = check(&x, argc, argv); break;
		default: rc = sync_plan(&x, argc, argv);
		}
	rc = sm_finish(rc);
	sm_plan_close(x.repo);
	sm_plan_conf_free(&x.pc);
	sm_store_close(x.st);
	sm_config_free(x.cfg);
	sm_workspace_free(&x.ws);
	return rc;
}
