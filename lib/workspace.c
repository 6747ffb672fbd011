/* workspace.c - where the workspace is (--dir, $SM_DIR, the XDG default) and its files. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smkit.h"

static char *absolute(const char *dir)
{
	if (dir[0] == '/')
		return sm_strdup(dir);
	char *cwd = getcwd(NULL, 0);
	if (!cwd)
		return sm_strdup(dir);
	char *p = sm_asprintf("%s/%s", cwd, dir);
	free(cwd);
	return p;
}

int sm_workspace_find(const char *opt_dir, sm_workspace *ws)
{
	const char *env = getenv("SM_DIR");
	char *dir;

	memset(ws, 0, sizeof *ws);
	if (opt_dir && *opt_dir)
		dir = absolute(opt_dir);
	else if (env && *env)
		dir = absolute(env);
	else {
		const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
		if (xdg && *xdg)
			dir = sm_asprintf("%s/smkit", xdg);
		else if (home && *home)
			dir = sm_asprintf("%s/.local/share/smkit", home);
		else
			return sm_error_code(SM_EX_USAGE, "no workspace: use --dir or set SM_DIR");
	}
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = 0;
	ws->dir = dir;
	ws->config = sm_asprintf("%s/config", dir);
	ws->rules = sm_asprintf("%s/rules", dir);
	ws->store = sm_asprintf("%s/store.db", dir);
	ws->plan = sm_asprintf("%s/plan", dir);
	return 0;
}

/*
 * The config names the agents and their roles, so it must be the config of the store it
 * acts on: a directory of one's own whose store.db is a link to the team's store would
 * let its config make anyone an approver there. A store reached by a symbolic link must
 * be the store.db of this very directory; a store with other hard links is refused.
 */
int sm_workspace_check(const sm_workspace *ws)
{
	struct stat st;
	if (lstat(ws->store, &st) < 0)
		return 0; /* none yet: it will be made here */
	if (S_ISREG(st.st_mode) && st.st_nlink > 1)
		return sm_error_code(SM_EX_NOPERM, "'%s' has other names (hard links): a store "
				     "reached from another workspace's config is refused", ws->store);
	if (!S_ISLNK(st.st_mode))
		return 0;
	char *real = realpath(ws->store, NULL), *dir = realpath(ws->dir, NULL);
	char *want = dir ? sm_asprintf("%s/store.db", dir) : NULL;
	int same = real && want && !strcmp(real, want);
	if (!same)
		sm_error_code(SM_EX_NOPERM, "'%s' is a link to '%s', the store of another workspace: "
			      "its own config decides who may act on it; use --dir %.*s",
			      ws->store, real ? real : "?", real ? (int)(strrchr(real, '/') - real) : 1,
			      real ? real : ".");
	free(real), free(dir), free(want);
	return same ? 0 : -1;
}

void sm_workspace_free(sm_workspace *ws)
{
	free(ws->dir);
	free(ws->config);
	free(ws->rules);
	free(ws->store);
	free(ws->plan);
	memset(ws, 0, sizeof *ws);
}

const char *sm_workspace_part(const sm_workspace *ws, int part)
{
	static _Thread_local char buf[4096];
	switch (part) {
	case SM_WS_DIR: return ws->dir;
	case SM_WS_CONFIG: return ws->config;
	case SM_WS_RULES: return ws->rules;
	case SM_WS_STORE: return ws->store;
	case SM_WS_PLAN: return ws->plan;
	default: snprintf(buf, sizeof buf, "%s/templates", ws->dir); return buf;
	}
}

/* Write a new file from an embedded template; 1 if written, 0 if it existed. */
static int write_new(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (fd < 0 && errno == EEXIST)
		return 0;
	if (fd < 0)
		return sm_error_code(SM_EX_CANTCREAT, "unable to create '%s': %s", path, strerror(errno));
	size_t len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) < 0) {
		int e = errno;
		close(fd);
		unlink(path);
		return sm_error_code(SM_EX_CANTCREAT, "unable to write '%s': %s", path, strerror(e));
	}
	close(fd);
	return 1;
}

/* mkdir -p: 1 if path was created, 0 if it existed */
static int make_dir(const char *path)
{
	if (mkdir(path, 0777) == 0)
		return 1;
	if (errno == ENOENT) {
		char *parent = sm_strdup(path), *slash = strrchr(parent, '/');
		int rc = -1;
		if (slash && slash != parent) {
			*slash = 0;
			rc = make_dir(parent);
		}
		free(parent);
		if (rc >= 0 && mkdir(path, 0777) == 0)
			return 1;
	}
	if (errno == EEXIST)
		return 0;
	return sm_error_code(SM_EX_CANTCREAT, "unable to create '%s': %s", path, strerror(errno));
}

int sm_workspace_create(const sm_workspace *ws, int *created)
{
	int r[SM_WS_NPARTS];
	sm_config *cfg;
	sm_store *st;
	struct stat sb;

	*created = 0;
	if ((r[SM_WS_DIR] = make_dir(ws->dir)) < 0)
		return -1;
	/* the config holds no secret as written; group members (the team) may read it */
	if ((r[SM_WS_CONFIG] = write_new(ws->config, sm_embedded("share/config.example"), 0640)) < 0)
		return -1;
	if (sm_config_open(ws->config, &cfg) < 0)
		return -1;
	sm_config_free(cfg);
	if ((r[SM_WS_RULES] = write_new(ws->rules, sm_embedded("share/rules.example"), 0644)) < 0 ||
	    (r[SM_WS_TEMPLATES] = make_dir(sm_workspace_part(ws, SM_WS_TEMPLATES))) < 0)
		return -1;
	/* a team's workspace (group-writable): the team edits the templates too */
	if (r[SM_WS_TEMPLATES] > 0 && stat(ws->dir, &sb) == 0 && (sb.st_mode & S_IWGRP) &&
	    stat(sm_workspace_part(ws, SM_WS_TEMPLATES), &sb) == 0)
		chmod(sm_workspace_part(ws, SM_WS_TEMPLATES), (sb.st_mode & 07777) | S_IRWXG | S_ISGID);
	r[SM_WS_STORE] = stat(ws->store, &sb) < 0;
	if (sm_store_open(ws->store, SM_STORE_CREATE, &st) < 0)
		return -1;
	sm_store_close(st);
	if ((r[SM_WS_PLAN] = sm_plan_init(ws->plan, "main")) < 0)
		return -1;
	for (int i = 0; i < SM_WS_NPARTS; i++)
		if (r[i] > 0)
			*created |= 1 << i;
	return 0;
}
