/*
 * secret.c - credentials: from token-cmd (a command that prints the secret, as git's
 * credential helpers or `pass show`), token-env, token-file or a literal token. Every
 * secret read is remembered so that messages and traces can show *** in its place.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "smkit.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char **known;
static size_t nknown;

static void remember(const char *s)
{
	if (strlen(s) < 4) /* too short to tell from ordinary text; still never printed by us */
		return;
	pthread_mutex_lock(&lock);
	known = sm_realloc(known, (nknown + 1) * sizeof *known);
	known[nknown++] = sm_strdup(s);
	pthread_mutex_unlock(&lock);
}

void sm_secret_remember(const char *secret) { remember(secret); }

char *sm_redact(const char *s)
{
	sm_buf b = {0};
	pthread_mutex_lock(&lock);
	while (*s) {
		size_t best = 0;
		for (size_t i = 0; i < nknown; i++) {
			size_t n = strlen(known[i]);
			if (n > best && strncmp(s, known[i], n) == 0)
				best = n;
		}
		if (best) {
			sm_buf_adds(&b, "***");
			s += best;
		} else
			sm_buf_addc(&b, *s++);
	}
	pthread_mutex_unlock(&lock);
	return sm_buf_detach(&b);
}

static char *trim(char *s)
{
	size_t n = strcspn(s, "\r\n"); /* the first line only */
	s[n] = 0;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = 0;
	return s;
}

/* Run a token-cmd; its first line of output is the secret. */
static int from_command(const char *cmd, const char *dir, const char *what, char **out)
{
	int p[2], status;
	pid_t pid;
	sm_buf b = {0};
	char chunk[4096];

	if (pipe(p) < 0)
		return sm_error_code(SM_EX_OSERR, "%s: pipe: %s", what, strerror(errno));
	if ((pid = fork()) < 0)
		return sm_error_code(SM_EX_OSERR, "%s: fork: %s", what, strerror(errno));
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		if (dir && chdir(dir) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	for (ssize_t n; (n = read(p[0], chunk, sizeof chunk)) != 0;) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || b.len > 65536)
			break;
		sm_buf_add(&b, chunk, (size_t)n);
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		sm_buf_free(&b);
		return sm_error_code(SM_EX_CONFIG, "%s: token-cmd failed (exit status %d)", what,
				     WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
	*out = trim(sm_buf_detach(&b));
	return 0;
}

static int from_file(const char *path, const char *dir, const char *what, char **out)
{
	char *full = path[0] == '/' || !dir ? sm_strdup(path) : sm_asprintf("%s/%s", dir, path);
	struct stat st;
	int fd = open(full, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		sm_error_code(SM_EX_CONFIG, "%s: unable to read token-file '%s': %s", what, full, strerror(e));
		free(full);
		return -1;
	}
	if (st.st_mode & 077) {
		close(fd);
		sm_error_code(SM_EX_CONFIG, "%s: token-file '%s' is readable by others; run "
			      "'chmod 600 %s'", what, full, full);
		free(full);
		return -1;
	}
	char buf[65536];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	free(full);
	if (n < 0)
		return sm_error_code(SM_EX_CONFIG, "%s: unable to read token-file", what);
	buf[n] = 0;
	*out = sm_strdup(trim(buf));
	return 0;
}

int sm_secret(sm_config *cfg, const char *dir, const char *section, const char *sub, char **out)
{
	const char *cmd = sm_config_get_sub(cfg, section, sub, "token-cmd");
	const char *env = sm_config_get_sub(cfg, section, sub, "token-env");
	const char *file = sm_config_get_sub(cfg, section, sub, "token-file");
	const char *lit = sm_config_get_sub(cfg, section, sub, "token");
	char *what = sm_asprintf("%s '%s'", section, sub);
	int rc = 0;

	*out = NULL;
	if (cmd)
		rc = from_command(cmd, dir, what, out);
	else if (env) {
		const char *v = getenv(env);
		if (!v || !*v)
			rc = sm_error_code(SM_EX_CONFIG, "%s: token-env names %s, which is not set", what, env);
		else
			*out = sm_strdup(v);
	} else if (file)
		rc = from_file(file, dir, what, out);
	else if (lit)
		*out = sm_strdup(lit);
	else
		rc = sm_error_code(SM_EX_CONFIG, "%s needs a secret: token-cmd, token-env, token-file "
				   "or token", what);
	if (rc == 0 && !**out) {
		free(*out);
		*out = NULL;
		rc = sm_error_code(SM_EX_CONFIG, "%s: the secret is empty", what);
	}
	free(what);
	if (rc == 0)
		remember(*out);
	return rc;
}
