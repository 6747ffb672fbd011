/*
 * sm-approve - drafts and their approval: write a reply (or a bulk of them), approve or
 * reject others' drafts under the 4-eyes or 6-eyes rule of the matching policy, edit
 * (which voids the approvals), and verify the audit chain.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drafts.h"

static void usage(FILE *fp)
{
	fprintf(fp, "usage: sm-approve [--dir DIR] draft CASE|ITEM [-m TEXT] [--template NAME] [--at TIME]\n"
		    "                  [--channel C] [--batch B]\n"
		    "       sm-approve [--dir DIR] submit              draft records on stdin\n"
		    "       sm-approve [--dir DIR] list [--pending | --mine | --batch B]\n"
		    "       sm-approve [--dir DIR] show ID\n"
		    "       sm-approve [--dir DIR] ok ID... | ok -     ids, or draft records on stdin\n"
		    "       sm-approve [--dir DIR] reject ID -m REASON\n"
		    "       sm-approve [--dir DIR] edit ID [-m TEXT]\n"
		    "       sm-approve [--dir DIR] verify              the audit chain\n"
		    "\n"
		    "  -d, --dir DIR   the workspace (else $SM_DIR, else ~/.local/share/smkit)\n"
		    "  -h, --help      this help\n"
		    "      --version   print the version\n");
}

typedef struct {
	sm_workspace ws;
	sm_config *cfg;
	sm_store *st;
	sm_policies pol;
	const char *who, *login;
	char now[SM_TIME_LEN];
	const char *batch;
	long long *made; /* drafts submitted, printed once committed */
	size_t nmade;
} ctx;

static long long number(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	return *s && !*end && v > 0 ? v : -1;
}

static int print_draft(ctx *x, long long id, int table)
{
	sm_draft d;
	int rc = sm_draft_get(x->st, id, &d);
	if (rc <= 0)
		return rc < 0 ? -1 : sm_error_code(SM_EX_DATAERR, "no draft %lld", id);
	if (table) { /* the text, names and channel come from outside: escaped */
		char *line = sm_strndup(d.text, strcspn(d.text, "\n")), *text = sm_term_cell(line, 50),
		     *author = sm_term_cell(d.author, 0), *channel = sm_term_cell(d.channel, 0);
		printf("%-6lld %-9s %-10s %-12s %ld  %s\n", d.id, d.state, author, channel, d.needs, text);
		free(line), free(text), free(author), free(channel);
	} else {
		json_t *r = sm_draft_record(x->st, &d);
		rc = sm_out_record(r);
		json_decref(r);
	}
	sm_draft_free(&d);
	return rc < 0 ? -1 : 0;
}

/* The conversation a draft answers, quoted for the editor. */
static char *thread_comment(ctx *x, const char *item_id)
{
	sm_buf b = {0};
	json_t *item = item_id ? sm_store_item(x->st, item_id) : NULL;
	sm_buf_adds(&b, "Write the reply above. Lines starting with '#' are left out;\n"
			"an empty reply aborts the draft.\n");
	if (item) {
		const char *who = json_string_value(json_object_get(json_object_get(item, "author"), "handle"));
		const char *text = json_string_value(json_object_get(item, "text"));
		sm_buf_printf(&b, "\nReplying to %s on %s:\n\n", who ? who : item_id,
			      json_string_value(json_object_get(item, "channel")));
		for (const char *p = text ? text : ""; *p;) {
			size_t n = strcspn(p, "\n");
			sm_buf_printf(&b, "> %.*s\n", (int)n, p);
			p += n + (p[n] == '\n');
		}
	}
	json_decref(item);
	return sm_buf_detach(&b);
}

static char *template_text(ctx *x, const char *name, const char *item_id)
{
	char *path = sm_asprintf("%s/templates/%s", x->ws.dir, name);
	FILE *fp = fopen(path, "r");
	sm_buf b = {0};
	char chunk[4096];
	size_t n;
	if (!fp) {
		sm_error_code(SM_EX_NOINPUT, "no template '%s' (%s)", name, path);
		free(path);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		sm_buf_add(&b, chunk, n);
	fclose(fp);
	free(path);
	json_t *item = item_id ? sm_store_item(x->st, item_id) : json_object();
	char *out = sm_template_fill(b.s ? b.s : "", item);
	json_decref(item);
	sm_buf_free(&b);
	return out;
}

static int draft(ctx *x, int argc, char **argv)
{
	static const struct option opts[] = {
		{"message", required_argument, NULL, 'm'}, {"template", required_argument, NULL, 't'},
		{"at", required_argument, NULL, 'a'},	   {"channel", required_argument, NULL, 'c'},
		{"batch", required_argument, NULL, 'b'},   {NULL, 0, NULL, 0},
	};
	sm_draft_spec spec = {0};
	const char *msg = NULL, *tpl = NULL, *at = NULL;
	char when[SM_TIME_LEN], *text = NULL, *item = NULL;
	long long id;
	int c, rc;
	optind = 0;
	while ((c = getopt_long(argc, argv, "m:t:a:c:b:", opts, NULL)) != -1)
		switch (c) {
		case 'm': msg = optarg; break;
		case 't': tpl = optarg; break;
		case 'a': at = optarg; break;
		case 'c': spec.channel = optarg; break;
		case 'b': spec.batch = optarg; break;
		default: return sm_error_code(SM_EX_USAGE, "draft CASE|ITEM [-m TEXT] [--template NAME] [--at TIME]");
		}
	if (optind + 1 != argc)
		return sm_error_code(SM_EX_USAGE, "draft CASE|ITEM [-m TEXT] [--template NAME] [--at TIME]");
	if (msg && tpl)
		return sm_error_code(SM_EX_USAGE, "-m and --template: one or the other");
	/* rights and the target before anyone writes a word in the editor */
	if (sm_draft_may_write(x->cfg, x->who) < 0)
		return -1;
	if (at) {
		time_t t;
		if (sm_date_parse(at, &t) < 0)
			return sm_error_code(SM_EX_USAGE, "--at: '%s' is not a time", at);
		spec.at = sm_time_format(t, when);
	}
	if ((spec.case_id = number(argv[optind])) > 0) {
		if (!(item = sm_case_latest_item(x->st, spec.case_id)))
			return sm_error_code(SM_EX_DATAERR, "no case %lld (or it has no items)", spec.case_id);
	} else {
		json_t *rec = sm_store_item(x->st, argv[optind]);
		if (!rec)
			return sm_error_code(SM_EX_DATAERR, "no item '%s' in the store", argv[optind]);
		json_decref(rec);
		item = sm_strdup(argv[optind]);
	}
	spec.reply_to = spec.case_id > 0 ? NULL : item;
	if (spec.case_id < 0)
		spec.case_id = 0;
	if (msg)
		text = sm_strdup(msg);
	else if (tpl && !(text = template_text(x, tpl, item))) {
		free(item);
		return -1;
	}
	if (!msg) { /* the editor, starting from the template if any, as git commit -t */
		char *comment = thread_comment(x, item), *edited = NULL;
		rc = sm_edit_text(text, comment, &edited);
		free(comment);
		free(text);
		text = edited;
		if (rc == 0 && !*text)
			rc = sm_error_code(SM_EX_DATAERR, "the draft is empty: aborted, nothing saved");
		if (rc < 0) {
			free(text);
			free(item);
			return -1;
		}
	}
	spec.text = text;
	if (sm_store_begin(x->st) < 0)
		rc = -1;
	else if ((rc = sm_draft_create(x->st, x->cfg, &x->pol, x->who, &spec, &id, x->now)) < 0 ||
		 (rc = sm_store_commit(x->st)) < 0)
		sm_store_rollback(x->st);
	if (rc == 0)
		rc = print_draft(x, id, 0);
	free(text);
	free(item);
	return rc;
}

static const char *jstr(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static int submit_one(json_t *rec, const char *file, long lineno, void *data)
{
	ctx *x = data;
	sm_draft_spec spec = {.reply_to = jstr(rec, "reply_to"), .channel = jstr(rec, "channel"),
			      .text = jstr(rec, "text"), .at = jstr(rec, "at"), .batch = jstr(rec, "batch")};
	json_t *cs = json_object_get(rec, "case");
	long long id;
	if (json_is_integer(cs))
		spec.case_id = json_integer_value(cs);
	if (!spec.batch)
		spec.batch = x->batch;
	char when[SM_TIME_LEN];
	if (spec.at) {
		time_t t;
		if (sm_date_parse(spec.at, &t) < 0)
			return sm_error_code(SM_EX_DATAERR, "%s:%ld: \"at\" is not a time: '%s'", file, lineno, spec.at);
		spec.at = sm_time_format(t, when);
	}
	if (!spec.reply_to && !spec.case_id && !spec.channel)
		return sm_error_code(SM_EX_DATAERR, "%s:%ld: a draft needs reply_to, case or channel", file, lineno);
	if (sm_draft_create(x->st, x->cfg, &x->pol, x->who, &spec, &id, x->now) < 0) {
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", sm_errmsg());
		return sm_error_code(sm_errcode(), "%s:%ld: %s", file, lineno, msg);
	}
	x->made = sm_realloc(x->made, (x->nmade + 1) * sizeof *x->made);
	x->made[x->nmade++] = id;
	return 0;
}

/* All or nothing: one transaction, and the records printed only once it is committed. */
static int submit(ctx *x, int argc, char **argv)
{
	char batch[64];
	snprintf(batch, sizeof batch, "%s-%s", x->now, x->who ? x->who : "?");
	x->batch = batch;
	if (sm_store_begin(x->st) < 0)
		return -1;
	if (sm_each_record(argc - 1, argv + 1, 0, submit_one, x) < 0 || sm_store_commit(x->st) < 0) {
		sm_store_rollback(x->st);
		return -1;
	}
	for (size_t i = 0; i < x->nmade; i++)
		if (print_draft(x, x->made[i], 0) < 0)
			return -1;
	return 0;
}

static int list(ctx *x, int argc, char **argv)
{
	static const struct option opts[] = {
		{"pending", no_argument, NULL, 'p'}, {"mine", no_argument, NULL, 'm'},
		{"batch", required_argument, NULL, 'b'}, {NULL, 0, NULL, 0},
	};
	const char *state = NULL, *author = NULL, *batch = NULL, *not_by = NULL;
	long long *ids;
	size_t n;
	int c, table = isatty(1), rc = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, "pmb:", opts, NULL)) != -1)
		switch (c) {
		case 'p': /* waiting for a decision, and not yet mine to give */
			state = "pending";
			not_by = x->who ? x->who : "";
			break;
		case 'm':
			if (!x->who)
				return sm_error_code(SM_EX_NOPERM, "--mine: you are no agent of this workspace");
			author = x->who;
			break;
		case 'b': batch = optarg; break;
		default: return sm_error_code(SM_EX_USAGE, "list [--pending | --mine | --batch B]");
		}
	if (sm_drafts_list(x->st, state, author, batch, NULL, &ids, &n) < 0)
		return -1;
	if (table)
		printf("%-6s %-9s %-10s %-12s %s  %s\n", "DRAFT", "STATE", "AUTHOR", "CHANNEL", "N", "TEXT");
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (not_by) { /* --pending: not my own, not approved by me as it reads now */
			sm_draft d;
			int skip = sm_draft_get(x->st, ids[i], &d) <= 0 || !strcmp(d.author, not_by) ||
				   sm_draft_approved_by(x->st, &d, not_by) == 1;
			if (d.text)
				sm_draft_free(&d);
			if (skip)
				continue;
		}
		rc = print_draft(x, ids[i], table);
	}
	free(ids);
	return rc;
}

static int show(ctx *x, int argc, char **argv)
{
	long long id = argc == 2 ? number(argv[1]) : -1;
	sm_draft d;
	if (id < 0)
		return sm_error_code(SM_EX_USAGE, "show ID");
	int rc = sm_draft_get(x->st, id, &d);
	if (rc <= 0)
		return rc < 0 ? -1 : sm_error_code(SM_EX_DATAERR, "no draft %lld", id);
	json_t *r = sm_draft_record(x->st, &d);
	long have = (long)json_array_size(json_object_get(r, "approvals"));
	/* for the text as it is now (an approved draft changed behind our back needs them again);
	   a rejected one needs nothing more */
	json_object_set_new(r, "still_needed", json_integer(!strcmp(d.state, "rejected") || d.needs <= have
								? 0 : d.needs - have));
	json_object_set_new(r, "approver_role", json_string(d.approver_role));
	if (*d.approver_team)
		json_object_set_new(r, "approver_team", json_string(d.approver_team));
	json_t *item = *d.reply_to ? sm_store_item(x->st, d.reply_to) : NULL;
	if (item)
		json_object_set_new(r, "replying_to", item);
	rc = sm_out_record(r);
	json_decref(r);
	sm_draft_free(&d);
	return rc;
}

static int ok_one(json_t *rec, const char *file, long lineno, void *data)
{
	ctx *x = data;
	json_t *id = json_object_get(rec, "draft");
	const char *seen = json_string_value(json_object_get(rec, "hash"));
	if (!json_is_integer(id))
		return sm_error_code(SM_EX_DATAERR, "%s:%ld: not a draft record (no \"draft\" number)", file, lineno);
	if (seen) { /* what the approver was shown must be what it says now */
		sm_draft d;
		char now[65];
		if (sm_draft_get(x->st, json_integer_value(id), &d) > 0) {
			sm_draft_hash(&d, now);
			sm_draft_free(&d);
			if (strcmp(now, seen))
				return sm_error_code(SM_EX_DATAERR, "%s:%ld: draft %lld changed since this record "
						     "was made: look at it again", file, lineno,
						     (long long)json_integer_value(id));
		}
	}
	x->made = sm_realloc(x->made, (x->nmade + 1) * sizeof *x->made);
	x->made[x->nmade++] = json_integer_value(id);
	return 0;
}

/* ok ID... | ok -: one approval each, all in one transaction: one refused, none given. */
static int ok(ctx *x, int argc, char **argv)
{
	if (argc < 2)
		return sm_error_code(SM_EX_USAGE, "ok ID... | ok - (draft records on stdin)");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-")) {
			if (sm_each_record(0, NULL, 0, ok_one, x) < 0)
				return -1;
			continue;
		}
		long long id = number(argv[i]);
		if (id < 0)
			return sm_error_code(SM_EX_USAGE, "'%s' is not a draft number", argv[i]);
		x->made = sm_realloc(x->made, (x->nmade + 1) * sizeof *x->made);
		x->made[x->nmade++] = id;
	}
	if (sm_store_begin(x->st) < 0)
		return -1;
	for (size_t i = 0; i < x->nmade; i++)
		if (sm_draft_approve(x->st, x->cfg, x->made[i], x->who, x->now) < 0) {
			sm_store_rollback(x->st);
			return -1;
		}
	if (sm_store_commit(x->st) < 0)
		return -1;
	for (size_t i = 0; i < x->nmade; i++)
		if (print_draft(x, x->made[i], 0) < 0)
			return -1;
	return 0;
}

/* reject ID -m REASON, edit ID [-m TEXT] */
static int decide(ctx *x, int argc, char **argv)
{
	const char *msg = NULL;
	int c, rc;
	char *text = NULL;
	optind = 0;
	while ((c = getopt(argc, argv, "m:")) != -1)
		if (c == 'm')
			msg = optarg;
		else
			return sm_error_code(SM_EX_USAGE, "%s ID -m TEXT", argv[0]);
	long long id = optind + 1 == argc ? number(argv[optind]) : -1;
	if (id < 0)
		return sm_error_code(SM_EX_USAGE, "%s ID -m %s", argv[0], !strcmp(argv[0], "reject") ? "REASON" : "TEXT");
	int edit = !strcmp(argv[0], "edit");
	if (edit && !msg) {
		sm_draft d;
		if (sm_draft_get(x->st, id, &d) <= 0)
			return sm_error_code(SM_EX_DATAERR, "no draft %lld", id);
		char *comment = thread_comment(x, *d.reply_to ? d.reply_to : NULL);
		rc = sm_edit_text(d.text, comment, &text);
		free(comment);
		sm_draft_free(&d);
		if (rc < 0)
			return -1;
		if (!*text) {
			free(text);
			return sm_error_code(SM_EX_DATAERR, "the draft is empty: aborted, nothing changed");
		}
		msg = text;
	}
	if (sm_store_begin(x->st) < 0) {
		free(text);
		return -1;
	}
	rc = edit ? sm_draft_edit(x->st, x->cfg, id, x->who, msg, x->now)
		  : sm_draft_reject(x->st, x->cfg, id, x->who, msg, x->now);
	if (rc < 0 || sm_store_commit(x->st) < 0)
		sm_store_rollback(x->st);
	else
		rc = print_draft(x, id, 0);
	free(text);
	return rc < 0 ? -1 : 0;
}

static int verify(ctx *x)
{
	long long n;
	char what[512], head[65];
	int rc = sm_audit_check(x->st, &n, what, sizeof what);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return sm_error_code(SM_EX_DATAERR, "the audit chain is broken at %s", what);
	if (rc == 2)
		return sm_error_code(SM_EX_DATAERR, "the chain is intact, but %s", what);
	if (sm_audit_head(x->st, head) < 0)
		return -1;
	sm_warn("%lld audit entries, the chain is intact; its last hash is %s (keep it elsewhere: "
		"a chain rewritten from some entry on ends in another)", n, *head ? head : "(none)");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},   {NULL, 0, NULL, 0},
	};
	static const char *const subs[] = {"draft", "submit", "list", "show", "ok", "reject", "edit",
					   "verify", NULL};
	const char *dir = NULL;
	int c, sub = -1, rc;
	ctx x = {0};

	sm_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "+d:h", opts, NULL)) != -1)
		switch (c) {
		case 'd': dir = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("sm-approve %s\n", SM_VERSION); return 0;
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
	sm_time_format(sm_now(), x.now);
	if (sm_workspace_find(dir, &x.ws) < 0 || sm_workspace_check(&x.ws) < 0 ||
	    sm_config_open(x.ws.config, &x.cfg) < 0 ||
	    sm_store_open(x.ws.store, SM_STORE_CREATE, &x.st) < 0 ||
	    sm_whoami(x.cfg, &x.who, &x.login) < 0 || sm_policies_load(x.cfg, &x.pol) < 0)
		rc = -1;
	else
		switch (sub) {
		case 0: rc = draft(&x, argc, argv); break;
		case 1: rc = submit(&x, argc, argv); break;
		case 2: rc = list(&x, argc, argv); break;
		case 3: rc = show(&x, argc, argv); break;
		case 4: rc = ok(&x, argc, argv); break;
		case 5: case 6: rc = decide(&x, argc, argv); break;
		default: rc = argc == 1 ? verify(&x) : sm_error_code(SM_EX_USAGE, "verify takes no argument");
		}
	rc = sm_finish(rc);
	free(x.made);
	sm_policies_free(&x.pol);
	sm_store_close(x.st);
	sm_config_free(x.cfg);
	sm_workspace_free(&x.ws);
	return rc;
}
