/*
 * plan.c - the editorial plan: a git repository of plain-text post files, read and
 * written through libgit2. Only committed trees are read, never a worktree, so what is
 * uncommitted or on another branch cannot reach a draft.
 */
#include <fnmatch.h>
#include <ftw.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plan.h"

static int group_writable(const char *p, const struct stat *st, int type, struct FTW *f)
{
	if (type == FTW_D)
		chmod(p, (st->st_mode & 07777) | S_IRWXG | S_ISGID);
	return 0;
}

int sm_plan_init(const char *path, const char *branch)
{
	git_repository *repo = NULL;
	git_repository_init_options opts;
	int rc;

	git_libgit2_init();
	git_repository_init_options_init(&opts, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	if (git_repository_open_ext(&repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) == 0) {
		git_repository_free(repo);
		git_libgit2_shutdown();
		return 0;
	}
	opts.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
	opts.initial_head = branch;
	/* in a team's workspace (a group-writable directory) the team commits to the plan */
	char *parent = sm_strdup(path), *slash = strrchr(parent, '/');
	struct stat d;
	if (slash)
		*slash = 0;
	int shared = stat(slash && slash != parent ? parent : ".", &d) == 0 && (d.st_mode & S_IWGRP);
	free(parent);
	if (shared)
		opts.mode = GIT_REPOSITORY_INIT_SHARED_GROUP;
	rc = git_repository_init_ext(&repo, path, &opts);
	if (rc == 0 && shared) /* libgit2 leaves some directories (objects, refs) 755 */
		nftw(path, group_writable, 16, FTW_PHYS);
	if (rc < 0) {
		const git_error *e = git_error_last();
		sm_error_code(SM_EX_CANTCREAT, "unable to create plan repository '%s': %s", path,
			      e ? e->message : "unknown error");
	}
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc < 0 ? -1 : 1;
}

struct sm_plan_repo {
	git_repository *git;
	char *path, *branch, *remote, *pattern;
};

/* The message of libgit2's last error, as an smkit error with the given code. */
static int git_fail(int code, const char *what)
{
	const git_error *e = git_error_last();
	return sm_error_code(code, "plan repository: %s: %s", what, e && e->message ? e->message : "failed");
}

int sm_plan_conf_load(const sm_workspace *ws, sm_config *cfg, const char *path, sm_plan_conf *pc)
{
	const char *v;
	memset(pc, 0, sizeof *pc);
	v = path ? path : sm_config_get(cfg, "plan.repo");
	pc->repo = !v ? sm_strdup(ws->plan) : v[0] == '/' || path ? sm_strdup(v) : sm_asprintf("%s/%s", ws->dir, v);
	pc->branch = sm_strdup((v = sm_config_get(cfg, "plan.branch")) ? v : "main");
	pc->remote = (v = sm_config_get(cfg, "plan.remote")) && *v ? sm_strdup(v) : NULL;
	pc->pattern = sm_strdup((v = sm_config_get(cfg, "plan.pattern")) ? v : "*.txt");
	pc->zone = (v = sm_config_get(cfg, "plan.zone")) ? sm_strdup(v) : NULL;
	if (pc->zone && sm_tz_check(pc->zone) < 0)
		return sm_error_code(SM_EX_CONFIG, "plan.zone: unknown time zone '%s'", pc->zone);
	if (!*pc->branch || strchr(pc->branch, ' ') || strstr(pc->branch, ".."))
		return sm_error_code(SM_EX_CONFIG, "plan.branch: '%s' is no branch name", pc->branch);
	if (sm_config_duration(cfg, "plan.horizon", 14 * 86400.0, &pc->horizon) < 0 ||
	    sm_config_duration(cfg, "plan.grace", 3600.0, &pc->grace) < 0)
		return -1;
	return 0;
}

void sm_plan_conf_free(sm_plan_conf *pc)
{
	free(pc->repo);
	free(pc->branch);
	free(pc->remote);
	free(pc->pattern);
	free(pc->zone);
	memset(pc, 0, sizeof *pc);
}

int sm_plan_open(const sm_plan_conf *pc, sm_plan_repo **out)
{
	sm_plan_repo *r = sm_calloc(1, sizeof *r);
	git_libgit2_init();
	*out = NULL;
	if (git_repository_open_ext(&r->git, pc->repo, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) < 0) {
		const git_error *e = git_error_last();
		sm_error_code(SM_EX_CONFIG, "no plan repository at '%s' (plan.repo; sm-init makes one): %s",
			      pc->repo, e && e->message ? e->message : "not a git repository");
		free(r);
		git_libgit2_shutdown();
		return -1;
	}
	r->path = sm_strdup(pc->repo);
	r->branch = sm_strdup(pc->branch);
	r->remote = pc->remote ? sm_strdup(pc->remote) : NULL;
	r->pattern = sm_strdup(pc->pattern);
	*out = r;
	return 0;
}

void sm_plan_close(sm_plan_repo *r)
{
	if (!r)
		return;
	git_repository_free(r->git);
	free(r->path);
	free(r->branch);
	free(r->remote);
	free(r->pattern);
	free(r);
	git_libgit2_shutdown();
}

const char *sm_plan_branch(const sm_plan_repo *r) { return r->branch; }

/* Where a branch is read from: the local branch, or the copy fetched from the remote. */
static char *tracking(const sm_plan_repo *r, const char *branch)
{
	return r->remote ? sm_asprintf("refs/remotes/smkit-plan/%s", branch) : sm_asprintf("refs/heads/%s", branch);
}

static int fetch_branch(sm_plan_repo *r, const char *branch, int must)
{
	git_remote *rm = NULL;
	char *spec = sm_asprintf("+refs/heads/%s:refs/remotes/smkit-plan/%s", branch, branch);
	char *specs[] = {spec};
	git_strarray refspecs = {specs, 1};
	int rc = git_remote_create_anonymous(&rm, r->git, r->remote);
	if (rc == 0)
		rc = git_remote_fetch(rm, &refspecs, NULL, "sm-plan: fetch");
	git_remote_free(rm);
	free(spec);
	if (rc < 0 && must)
		return git_fail(SM_EX_UNAVAILABLE, "fetching from the remote");
	return 0;
}

int sm_plan_fetch(sm_plan_repo *r) { return r->remote ? fetch_branch(r, r->branch, 1) : 0; }

static int ref_id(sm_plan_repo *r, const char *ref, git_oid *id)
{
	int rc = git_reference_name_to_id(id, r->git, ref);
	return rc == 0 ? 0 : rc == GIT_ENOTFOUND ? 1 : git_fail(SM_EX_SOFTWARE, ref);
}

int sm_plan_resolve(sm_plan_repo *r, const char *rev, char out[41])
{
	git_oid id;
	if (!rev) {
		char *ref = tracking(r, r->branch);
		int rc = ref_id(r, ref, &id);
		free(ref);
		if (rc != 0)
			return rc;
	} else {
		git_object *o = NULL, *c = NULL;
		if (git_revparse_single(&o, r->git, rev) < 0) {
			if (!strcmp(rev, "HEAD") && git_repository_head_unborn(r->git) == 1)
				return 1;
			return sm_error_code(SM_EX_USAGE, "plan repository: no revision '%s'", rev);
		}
		int rc = git_object_peel(&c, o, GIT_OBJECT_COMMIT);
		git_object_free(o);
		if (rc < 0)
			return sm_error_code(SM_EX_USAGE, "plan repository: '%s' is no commit", rev);
		git_oid_cpy(&id, git_object_id(c));
		git_object_free(c);
	}
	git_oid_tostr(out, 41, &id);
	return 0;
}

static int commit_tree(sm_plan_repo *r, const char *commit, git_commit **c, git_tree **t)
{
	git_oid id;
	*c = NULL;
	*t = NULL;
	if (git_oid_fromstr(&id, commit) < 0 || git_commit_lookup(c, r->git, &id) < 0 ||
	    git_commit_tree(t, *c) < 0) {
		git_commit_free(*c);
		*c = NULL;
		return git_fail(SM_EX_SOFTWARE, commit);
	}
	return 0;
}

typedef struct {
	sm_plan_repo *r;
	sm_plan_file *files;
	size_t n;
} walk_ctx;

static int walk_one(const char *root, const git_tree_entry *te, void *data)
{
	walk_ctx *w = data;
	if (git_tree_entry_type(te) != GIT_OBJECT_BLOB)
		return 0;
	char *path = sm_asprintf("%s%s", root, git_tree_entry_name(te));
	if (fnmatch(w->r->pattern, path, 0) != 0) {
		free(path);
		return 0;
	}
	w->files = sm_realloc(w->files, (w->n + 1) * sizeof *w->files);
	w->files[w->n].path = path;
	git_oid_tostr(w->files[w->n++].blob, 41, git_tree_entry_id(te));
	return 0;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const sm_plan_file *)a)->path, ((const sm_plan_file *)b)->path);
}

int sm_plan_files(sm_plan_repo *r, const char *commit, sm_plan_file **files, size_t *n)
{
	git_commit *c;
	git_tree *t;
	walk_ctx w = {r, NULL, 0};
	*files = NULL;
	*n = 0;
	if (commit_tree(r, commit, &c, &t) < 0)
		return -1;
	int rc = git_tree_walk(t, GIT_TREEWALK_PRE, walk_one, &w);
	git_tree_free(t);
	git_commit_free(c);
	if (rc < 0) {
		sm_plan_files_free(w.files, w.n);
		return git_fail(SM_EX_SOFTWARE, "reading the tree");
	}
	if (w.n)
		qsort(w.files, w.n, sizeof *w.files, by_path);
	*files = w.files;
	*n = w.n;
	return 0;
}

void sm_plan_files_free(sm_plan_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(files[i].path);
	free(files);
}

int sm_plan_blob(sm_plan_repo *r, const char *blob, sm_buf *out)
{
	git_oid id;
	git_blob *b;
	if (git_oid_fromstr(&id, blob) < 0 || git_blob_lookup(&b, r->git, &id) < 0)
		return git_fail(SM_EX_SOFTWARE, blob);
	sm_buf_reset(out);
	sm_buf_add(out, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
	sm_buf_addc(out, 0);
	out->len--;
	git_blob_free(b);
	return 0;
}

static int blob_in(git_tree *t, const char *path, git_oid *id)
{
	git_tree_entry *te;
	if (git_tree_entry_bypath(&te, t, path) < 0)
		return 0;
	/* a symbolic link is a blob too, holding the path it names: never a file of the plan */
	int blob = git_tree_entry_type(te) == GIT_OBJECT_BLOB &&
		   git_tree_entry_filemode(te) != GIT_FILEMODE_LINK;
	if (blob)
		git_oid_cpy(id, git_tree_entry_id(te));
	git_tree_entry_free(te);
	return blob;
}

int sm_plan_blob_at(sm_plan_repo *r, const char *commit, const char *path, char out[41])
{
	git_commit *c;
	git_tree *t;
	git_oid id;
	if (commit_tree(r, commit, &c, &t) < 0)
		return -1;
	int found = blob_in(t, path, &id);
	if (found)
		git_oid_tostr(out, 41, &id);
	git_tree_free(t);
	git_commit_free(c);
	return found;
}

int sm_plan_renames(sm_plan_repo *r, const char *a, const char *b, char ***from, char ***to, size_t *n)
{
	git_commit *ca, *cb;
	git_tree *ta, *tb;
	git_diff *diff = NULL;
	*from = *to = NULL;
	*n = 0;
	if (commit_tree(r, a, &ca, &ta) < 0)
		return -1;
	if (commit_tree(r, b, &cb, &tb) < 0) {
		git_tree_free(ta);
		git_commit_free(ca);
		return -1;
	}
	git_diff_find_options fo;
	git_diff_find_options_init(&fo, GIT_DIFF_FIND_OPTIONS_VERSION);
	fo.flags = GIT_DIFF_FIND_RENAMES;
	int rc = git_diff_tree_to_tree(&diff, r->git, ta, tb, NULL);
	if (rc == 0)
		rc = git_diff_find_similar(diff, &fo);
	for (size_t i = 0; rc == 0 && i < git_diff_num_deltas(diff); i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		if (d->status != GIT_DELTA_RENAMED)
			continue;
		*from = sm_realloc(*from, (*n + 1) * sizeof **from);
		*to = sm_realloc(*to, (*n + 1) * sizeof **to);
		(*from)[*n] = sm_strdup(d->old_file.path);
		(*to)[(*n)++] = sm_strdup(d->new_file.path);
	}
	git_diff_free(diff);
	git_tree_free(ta);
	git_tree_free(tb);
	git_commit_free(ca);
	git_commit_free(cb);
	return rc < 0 ? git_fail(SM_EX_SOFTWARE, "comparing commits") : 0;
}

char *sm_plan_author(sm_plan_repo *r, const char *commit, const char *path, const char *blob)
{
	git_commit *c;
	git_tree *t;
	git_oid want, id;
	char *who = NULL;
	if (git_oid_fromstr(&want, blob) < 0 || commit_tree(r, commit, &c, &t) < 0)
		return NULL;
	git_tree_free(t);
	/* down the history, into whichever parent had the same file, to the commit that made it */
	for (int steps = 0; c && steps < 100000; steps++) {
		git_commit *next = NULL;
		for (unsigned i = 0; !next && i < git_commit_parentcount(c); i++) {
			git_commit *p;
			if (git_commit_parent(&p, c, i) < 0)
				continue;
			if (git_commit_tree(&t, p) == 0 && blob_in(t, path, &id) && git_oid_equal(&id, &want))
				next = p;
			else
				git_commit_free(p);
			git_tree_free(t);
			t = NULL;
		}
		if (!next) {
			const git_signature *s = git_commit_author(c);
			who = sm_asprintf("%s <%s>", s->name, s->email);
		}
		git_commit_free(c);
		c = next;
	}
	return who;
}

/* After a commit on the branch the worktree has checked out: the worktree and index follow,
   leaving alone what the user changed (git's safe checkout). */
static int follow_worktree(sm_plan_repo *r, const char *ref, git_tree *old)
{
	git_reference *head = NULL;
	int rc = 0;
	if (git_repository_is_bare(r->git) || git_reference_lookup(&head, r->git, "HEAD") < 0)
		return 0;
	const char *target = git_reference_symbolic_target(head);
	if (target && !strcmp(target, ref)) {
		git_checkout_options co;
		git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
		co.checkout_strategy = GIT_CHECKOUT_SAFE;
		co.baseline = old;
		if (git_checkout_head(r->git, &co) < 0)
			rc = git_fail(SM_EX_CANTCREAT, "the commit is made, but the worktree could not follow it");
	}
	git_reference_free(head);
	return rc;
}

static int push_update(const char *refname, const char *status, void *data)
{
	if (status)
		snprintf(data, 256, "%s: %s", refname, status);
	return 0;
}

/* The commit pushed to the remote's branch (it must move forward only). */
static int push(sm_plan_repo *r, const char *branch, const git_oid *id)
{
	git_remote *rm = NULL;
	git_reference *tmp = NULL;
	char refused[256] = "", *spec = sm_asprintf("refs/smkit-plan/push:refs/heads/%s", branch);
	char *specs[] = {spec};
	git_strarray refspecs = {specs, 1};
	git_push_options po;
	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	po.callbacks.push_update_reference = push_update;
	po.callbacks.payload = refused;
	int rc = git_reference_create(&tmp, r->git, "refs/smkit-plan/push", id, 1, "sm-plan: push");
	if (rc == 0)
		rc = git_remote_create_anonymous(&rm, r->git, r->remote);
	if (rc == 0)
		rc = git_remote_push(rm, &refspecs, &po);
	if (rc < 0)
		rc = git_fail(SM_EX_TEMPFAIL, "pushing to the remote");
	else if (*refused)
		rc = sm_error_code(SM_EX_TEMPFAIL, "plan repository: the remote refused %s (it moved "
				   "meanwhile: try again)", refused);
	if (tmp)
		git_reference_delete(tmp);
	git_reference_free(tmp);
	git_remote_free(rm);
	free(spec);
	return rc;
}

/* The empty tree: what the first commit of a branch starts from. */
static int empty_tree(sm_plan_repo *r, git_tree **out)
{
	git_treebuilder *tb = NULL;
	git_oid id;
	int rc = git_treebuilder_new(&tb, r->git, NULL);
	if (rc == 0 && (rc = git_treebuilder_write(&id, tb)) == 0)
		rc = git_tree_lookup(out, r->git, &id);
	git_treebuilder_free(tb);
	return rc;
}

static int new_tree(sm_plan_repo *r, git_tree *base, const char *path, const char *data, git_oid *tree)
{
	git_tree_update up = {.action = GIT_TREE_UPDATE_UPSERT, .filemode = GIT_FILEMODE_BLOB, .path = path};
	int rc = git_blob_create_from_buffer(&up.id, r->git, data, strlen(data));
	if (rc == 0)
		rc = git_tree_create_updated(tree, r->git, base, 1, &up);
	return rc;
}

int sm_plan_commit_file(sm_plan_repo *r, const char *branch, const char *path, const char *data,
			const char *name, const char *email, const char *message, char commit[41])
{
	char *ref = tracking(r, branch), *reviewed = tracking(r, r->branch), *local = sm_asprintf("refs/heads/%s", branch);
	git_oid base_id, tree_id, id, old;
	git_commit *base = NULL;
	git_tree *base_tree = NULL, *tree = NULL;
	git_signature *sig = NULL;
	int rc, had_branch;

	if (r->remote && (fetch_branch(r, r->branch, 1) < 0 || fetch_branch(r, branch, 0) < 0)) {
		rc = -1;
		goto out;
	}
	had_branch = ref_id(r, ref, &base_id) == 0;
	rc = had_branch || ref_id(r, reviewed, &base_id) == 0 ? git_commit_lookup(&base, r->git, &base_id) : 0;
	if (rc == 0)
		rc = base ? git_commit_tree(&base_tree, base) : empty_tree(r, &base_tree);
	if (rc < 0) {
		rc = git_fail(SM_EX_SOFTWARE, "reading the branch");
		goto out;
	}
	if (blob_in(base_tree, path, &id)) {
		rc = sm_error_code(SM_EX_CANTCREAT, "%s exists on branch '%s': change it with git", path, branch);
		goto out;
	}
	if ((rc = new_tree(r, base_tree, path, data, &tree_id)) < 0 ||
	    (rc = git_tree_lookup(&tree, r->git, &tree_id)) < 0 ||
	    (rc = git_signature_new(&sig, name, email, sm_now(), 0)) < 0 ||
	    (rc = git_commit_create(&id, r->git, NULL, sig, sig, "UTF-8", message, tree, base ? 1 : 0,
				    (const git_commit **)&base)) < 0) {
		rc = git_fail(SM_EX_CANTCREAT, "making the commit");
		goto out;
	}
	if (r->remote) {
		git_reference *tr = NULL;
		if ((rc = push(r, branch, &id)) == 0 &&
		    git_reference_create(&tr, r->git, ref, &id, 1, "sm-plan: pushed") < 0)
			rc = git_fail(SM_EX_SOFTWARE, ref);
		git_reference_free(tr);
	} else {
		git_reference *nr = NULL;
		/* only if the branch is where it was when we read it: a commit in between is kept */
		git_oid_cpy(&old, &base_id);
		if (git_reference_create_matching(&nr, r->git, local, &id, had_branch, had_branch ? &old : NULL,
						  "sm-plan add") < 0)
			rc = git_fail(SM_EX_TEMPFAIL, "moving the branch (did it change meanwhile?)");
		git_reference_free(nr);
		if (rc == 0)
			rc = follow_worktree(r, local, base_tree);
	}
	if (rc == 0)
		git_oid_tostr(commit, 41, &id);
out:
	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(base_tree);
	git_commit_free(base);
	free(ref);
	free(reviewed);
	free(local);
	return rc < 0 ? -1 : 0;
}
