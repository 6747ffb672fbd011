/*
 * plan.c - the editorial plan: a git repository of plain-text post files, read and
 * written through libgit2.
 */
#include <git2.h>
#include <string.h>

#include "smkit.h"

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
	rc = git_repository_init_ext(&repo, path, &opts);
	if (rc < 0) {
		const git_error *e = git_error_last();
		sm_error_code(SM_EX_CANTCREAT, "unable to create plan repository '%s': %s", path,
			      e ? e->message : "unknown error");
	}
	git_repository_free(repo);
	git_libgit2_shutdown();
	return rc < 0 ? -1 : 1;
}
