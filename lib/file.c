/*
 * file.c - the files the toolkit writes beside its store: a scratch file in $TMPDIR, and a
 * file replaced whole or not at all (a new file beside it, written, synced, renamed over).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smkit.h"

/* base + six characters for mkstemp to fill in */
static char *template_of(const char *base)
{
	size_t n = strlen(base);
	char *t = sm_malloc(n + 7);
	memcpy(t, base, n);
	memset(t + n, 'X', 6);
	t[n + 6] = 0;
	return t;
}

int sm_tempfile(const char *name, char **path)
{
	const char *dir = getenv("TMPDIR");
	char *base = sm_asprintf("%s/%s-", dir && *dir ? dir : "/tmp", name);
	*path = template_of(base);
	free(base);
	int fd = mkstemp(*path);
	if (fd < 0) {
		int e = errno;
		sm_error_code(SM_EX_CANTCREAT, "unable to create a file in %s: %s",
			      dir && *dir ? dir : "/tmp", strerror(e));
		free(*path);
		*path = NULL;
	}
	return fd;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t k = write(fd, s, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

int sm_write_atomic(const char *path, const char *data, size_t len, int mode)
{
	char *base = sm_asprintf("%s.", path), *tmp = template_of(base);
	free(base);
	int fd = mkstemp(tmp), rc = 0;
	if (fd < 0) {
		rc = sm_error_code(SM_EX_CANTCREAT, "unable to create '%s': %s", path, strerror(errno));
		free(tmp);
		return rc;
	}
	if (mode < 0) { /* as a new file gets it */
		mode_t mask = umask(0);
		umask(mask);
		mode = (int)(0666 & ~mask);
	}
	if (fchmod(fd, (mode_t)mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0)
		rc = sm_error_code(SM_EX_IOERR, "unable to write '%s': %s", path, strerror(errno));
	if (close(fd) < 0 && rc == 0)
		rc = sm_error_code(SM_EX_IOERR, "unable to write '%s': %s", path, strerror(errno));
	/* a file that could not be written whole never replaces the one there */
	if (rc == 0 && rename(tmp, path) < 0)
		rc = sm_error_code(SM_EX_CANTCREAT, "unable to replace '%s': %s", path, strerror(errno));
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}
