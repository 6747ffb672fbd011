/*
 * plan.c - the editorial plan: a git repository of plain-text post files, read and
 * written through libgit2.
 */
#include <ftw.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "smkit.h"

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
