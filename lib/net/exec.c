/*
 * net/exec.c - the exec channel: any script becomes a channel. Its command runs through
 * /bin/sh -c in its own process group; the item records it prints are checked and spooled
 * as they arrive (on a thread of their own, so other channels go on), and stored only when
 * the command exits 0, in batches, so memory does not grow with the number of items.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../net.h"

extern char **environ;

enum { BATCH = 20000 };

typedef struct {
	sm_chan *c;
	const char *command;
	double timeout;
	pthread_t thread;
	int started;
	atomic_int busy, timed_out;
	pid_t pid;
	time_t deadline;
	FILE *spool;
	long rows;
	int failed, temporary;
	char error[1024];
	char *prefix; /* "CHANNEL:" */
} exec_state;

static int check(sm_chan *c)
{
	double t;
	if (!sm_chan_get(c, "command"))
		return sm_error_code(SM_EX_CONFIG, "channel '%s': an exec channel needs a command",
				     c->name);
	char *key = sm_asprintf("channel.%s.timeout", c->name);
	int rc = sm_config_duration(c->run->cfg, key, 0, &t);
	free(key);
	return rc;
}

static void set_default(json_t *rec, const char *key, const char *value)
{
	json_t *v = json_object_get(rec, key);
	if (!v || json_is_null(v))
		json_object_set_new(rec, key, json_string(value));
}

/* Make a script's record an item of this channel: id, channel and the defaults. */
static int normalize(exec_state *x, json_t *rec, const char *file, long lineno)
{
	const char *ext = json_string_value(json_object_get(rec, "ext_id"));
	const char *id = json_string_value(json_object_get(rec, "id"));
	size_t pl = strlen(x->prefix);

	if (!ext && id)
		ext = strncmp(id, x->prefix, pl) == 0 ? id + pl : id;
	if (!ext || !*ext)
		return sm_error_code(SM_EX_DATAERR, "%s:%ld: item has no ext_id or id", file, lineno);
	char *full = sm_asprintf("%s%s", x->prefix, ext);
	json_object_set_new(rec, "ext_id", json_string(ext));
	json_object_set_new(rec, "id", json_string(full));
	json_object_set_new(rec, "channel", json_string(x->c->name));
	set_default(rec, "network", "exec");
	set_default(rec, "kind", "post");
	set_default(rec, "thread", full);
	set_default(rec, "created_at", x->c->run->now);
	json_object_set_new(rec, "fetched_at", json_string(x->c->run->now));
	json_t *a = json_object_get(rec, "author");
	const char *handle = json_string_value(json_object_get(a, "handle"));
	if (json_is_object(a) && !json_object_get(a, "id") && handle) {
		char *aid = sm_asprintf("%s:%s", json_string_value(json_object_get(rec, "network")),
					handle[0] == '@' ? handle + 1 : handle);
		json_object_set_new(a, "id", json_string(aid));
		free(aid);
	}
	free(full);
	return 0;
}

static int on_record(json_t *rec, const char *file, long lineno, void *ctx)
{
	exec_state *x = ctx;
	sm_item_row row;
	if (normalize(x, rec, file, lineno) < 0 || sm_item_flatten(rec, &row) < 0)
		return -1;
	int rc = sm_item_row_write(x->spool, &row);
	sm_item_row_free(&row);
	if (rc < 0)
		return sm_error_code(SM_EX_TEMPFAIL, "%s", sm_errmsg());
	x->rows++;
	return 0;
}

/* The environment of the command: ours, with SM_DIR and SM_CHANNEL set. */
static char **command_env(exec_state *x)
{
	size_t n = 0, k = 0;
	while (environ[n])
		n++;
	char **env = sm_calloc(n + 3, sizeof *env);
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "SM_DIR=", 7) && strncmp(environ[i], "SM_CHANNEL=", 11))
			env[k++] = sm_strdup(environ[i]);
	env[k++] = sm_asprintf("SM_DIR=%s", x->c->run->ws->dir);
	env[k++] = sm_asprintf("SM_CHANNEL=%s", x->c->name);
	return env;
}

static void env_free(char **env)
{
	for (char **e = env; *e; e++)
		free(*e);
	free(env);
}

static int spawn(exec_state *x, int *fd)
{
	char **env = command_env(x);
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int p[2];
	char *argv[] = {"sh", "-c", (char *)x->command, NULL};

	if (pipe(p) < 0 || fcntl(p[0], F_SETFD, FD_CLOEXEC) < 0 || fcntl(p[1], F_SETFD, FD_CLOEXEC) < 0) {
		env_free(env);
		return sm_error("pipe: %s", strerror(errno));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addchdir_np(&fa, x->c->run->ws->dir);
	posix_spawnattr_init(&at);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	int rc = posix_spawn(&x->pid, "/bin/sh", &fa, &at, argv, env);
	env_free(env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		return sm_error("unable to run /bin/sh: %s", strerror(rc));
	}
	*fd = p[0];
	return 0;
}

static void fail(exec_state *x, int temporary, const char *msg)
{
	if (x->failed)
		return;
	x->failed = 1;
	x->temporary = temporary;
	snprintf(x->error, sizeof x->error, "%s", msg);
}

static void judge(exec_state *x, int wstatus)
{
	char msg[128];
	if (x->timed_out) {
		snprintf(msg, sizeof msg, "command timed out after %.0fs", x->timeout);
		fail(x, 1, msg);
	} else if (WIFSIGNALED(wstatus)) {
		snprintf(msg, sizeof msg, "command killed by signal %d", WTERMSIG(wstatus));
		fail(x, 0, msg);
	} else if (WEXITSTATUS(wstatus) != 0) {
		snprintf(msg, sizeof msg, "command exited with status %d", WEXITSTATUS(wstatus));
		fail(x, WEXITSTATUS(wstatus) == SM_EX_TEMPFAIL, msg);
	}
}

static void *run(void *arg)
{
	exec_state *x = arg;
	int fd, wstatus = 0;

	if (spawn(x, &fd) < 0) {
		fail(x, 0, sm_errmsg());
		atomic_store(&x->busy, 0);
		sm_http_wakeup(x->c->run->http);
		return NULL;
	}
	FILE *fp = fdopen(fd, "r");
	if (sm_each_record_fp(fp, "command", SM_LOOP_ITEMS, on_record, x) < 0) {
		fail(x, sm_errcode() == SM_EX_TEMPFAIL, sm_errmsg());
		kill(-x->pid, SIGKILL); /* it may be blocked writing what nobody reads now */
	}
	fclose(fp);
	while (waitpid(x->pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	judge(x, wstatus);
	if (!x->failed && (fflush(x->spool) != 0 || ferror(x->spool)))
		fail(x, 1, "unable to write spool");
	atomic_store(&x->busy, 0);
	sm_http_wakeup(x->c->run->http);
	return NULL;
}

static int start(sm_chan *c)
{
	exec_state *x = sm_calloc(1, sizeof *x);
	char *key = sm_asprintf("channel.%s.timeout", c->name);
	double def;
	c->state = x;
	x->c = c;
	x->command = sm_chan_get(c, "command");
	x->prefix = sm_asprintf("%s:", c->name);
	if (sm_config_duration(c->run->cfg, "fetch.exec-timeout", 600, &def) < 0 ||
	    sm_config_duration(c->run->cfg, key, def, &x->timeout) < 0) {
		free(key);
		sm_chan_fail(c, 0, "%s", sm_errmsg());
		return 0;
	}
	free(key);
	x->deadline = time(NULL) + (time_t)x->timeout;
	if (!(x->spool = tmpfile())) {
		sm_chan_fail(c, 1, "unable to create a spool file: %s", strerror(errno));
		return 0;
	}
	atomic_store(&x->busy, 1);
	if (pthread_create(&x->thread, NULL, run, x) != 0) {
		atomic_store(&x->busy, 0);
		sm_chan_fail(c, 1, "unable to start a thread");
		return 0;
	}
	x->started = 1;
	return 0;
}

static int busy(sm_chan *c)
{
	exec_state *x = c->state;
	if (!x || !atomic_load(&x->busy))
		return 0;
	if (time(NULL) >= x->deadline && !atomic_load(&x->timed_out) && x->pid > 0) {
		atomic_store(&x->timed_out, 1);
		kill(-x->pid, SIGKILL);
	}
	return 1;
}

/* Store the spooled rows, BATCH to a transaction; each batch is printed once committed. */
static int ingest(exec_state *x)
{
	sm_buf row_buf = {0}, out = {0};
	sm_item_row row;
	int got = 1;

	rewind(x->spool);
	while (got > 0) {
		if (sm_chan_begin(x->c) < 0)
			break;
		for (int n = 0; n < BATCH && (got = sm_item_row_read(x->spool, &row_buf, &row)) > 0; n++)
			if (sm_chan_put(x->c, &row, &out) < 0) {
				got = -2;
				break;
			}
		if (got == -1) {
			sm_store_rollback(x->c->run->st);
			sm_chan_fail(x->c, 1, "%s", sm_errmsg());
		}
		if (got < 0 || sm_chan_commit(x->c, &out) < 0)
			break;
	}
	sm_buf_free(&row_buf);
	sm_buf_free(&out);
	return got == 0 ? 0 : -1;
}

static int finish(sm_chan *c)
{
	exec_state *x = c->state;
	if (!x || !x->started)
		return 0;
	pthread_join(x->thread, NULL);
	x->started = 0;
	if (x->failed) {
		sm_store_note_error(c->run->st, c->name, "", x->error);
		sm_chan_fail(c, x->temporary, "%s", x->error);
		return 0;
	}
	if (ingest(x) < 0)
		return -1;
	sm_cursor none = {0};
	return sm_store_cursor_set(c->run->st, c->name, "", &none);
}

static void exec_free(sm_chan *c)
{
	exec_state *x = c->state;
	if (!x)
		return;
	if (x->started) {
		kill(-x->pid, SIGKILL);
		pthread_join(x->thread, NULL);
	}
	if (x->spool)
		fclose(x->spool);
	free(x->prefix);
	free(x);
	c->state = NULL;
}

const sm_adapter sm_adapter_exec = {
	.kind = "exec", .check = check, .start = start, .busy = busy, .finish = finish,
	.free = exec_free,
};
