/* config.c - reading the workspace config through libgit2: values, multivars, units, errors. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smkit.h"
#include "tap.h"

static char path[] = "/tmp/sm-config-XXXXXX";

static int write_config(const char *text, mode_t mode)
{
	strcpy(path, "/tmp/sm-config-XXXXXX");
	int fd = mkstemp(path);
	if (write(fd, text, strlen(text)) < 0)
		return -1;
	close(fd);
	return chmod(path, mode);
}

int main(void)
{
	sm_config *cfg;
	size_t n;
	long l;
	double d;
	long long b;

	write_config("# comment\n[fetch]\n\tparallel = 7\n\ttimeout = 2m\n\tmax-size = 3K\n"
		     "[channel \"Blogs\"]\n\tkind = feed\n\turl = http://a/\n\turl = http://b/\n"
		     "[channel \"x\"]\n\tkind = exec ; trailing comment\n\tcommand = echo \"hi\"\n",
		     0600);
	tap_int(sm_config_open(path, &cfg), 0, "opens");
	tap_is(sm_config_get(cfg, "fetch.parallel"), "7", "plain value");
	tap_is(sm_config_get_sub(cfg, "channel", "Blogs", "kind"), "feed", "subsection keeps its case");
	tap_ok(sm_config_get_sub(cfg, "channel", "blogs", "kind") == NULL, "subsections are case-sensitive");
	const char *const *urls = sm_config_get_all_sub(cfg, "channel", "Blogs", "url", &n);
	tap_int((long)n, 2, "two urls");
	tap_is(urls[1], "http://b/", "second url in file order");
	const char *const *subs = sm_config_subsections(cfg, "channel", &n);
	tap_int((long)n, 2, "two channels");
	tap_is(subs[0], "Blogs", "first channel");
	tap_is(urls[0], "http://a/", "an earlier answer stays valid");
	tap_is(sm_config_get_sub(cfg, "channel", "x", "command"), "echo hi", "quotes and comments as git reads them");
	tap_int(sm_config_int(cfg, "fetch.parallel", 20, &l) == 0 && l == 7, 1, "integer");
	tap_int(sm_config_int(cfg, "fetch.nothing", 20, &l) == 0 && l == 20, 1, "integer default");
	tap_int(sm_config_duration(cfg, "fetch.timeout", 30, &d) == 0 && d == 120, 1, "duration 2m");
	tap_int(sm_config_bytes(cfg, "fetch.max-size", 0, &b) == 0 && b == 3072, 1, "size 3K");
	tap_int(sm_config_int(cfg, "fetch.timeout", 0, &l), -1, "2m is not an integer");
	tap_int(sm_errcode(), SM_EX_CONFIG, "exit status 78");
	tap_int(sm_config_has_literal_secret(cfg), 0, "no literal token");
	sm_config_free(cfg);
	unlink(path);

	/* found by tests/fuzz/fuzz-config: numbers no long can hold, infinity, not a number */
	write_config("[fetch]\n\tparallel = 1e81\n\tmax-size = 1e81\n\ttimeout = inf\n\tattempts = nan\n"
		     "\tmax-wait = 1e300d\n", 0600);
	tap_int(sm_config_open(path, &cfg), 0, "huge numbers: opens");
	tap_int(sm_config_int(cfg, "fetch.parallel", 20, &l), -1, "an integer over LONG_MAX is refused");
	tap_ok(strstr(sm_errmsg(), "bad value '1e81' for fetch.parallel") != NULL, "as a bad value");
	b = 1;
	tap_int(sm_config_bytes(cfg, "fetch.max-size", 0, &b), -1, "a size over LLONG_MAX is refused");
	tap_int(b >= 0, 1, "and no negative size is left");
	tap_int(sm_config_duration(cfg, "fetch.timeout", 30, &d), -1, "an infinite duration is refused");
	tap_int(sm_config_int(cfg, "fetch.attempts", 3, &l), -1, "nan is refused");
	tap_int(sm_config_duration(cfg, "fetch.max-wait", 30, &d), -1, "1e300 days is refused");
	sm_config_free(cfg);
	unlink(path);

	write_config("[fetch]\n\tparallel = 7\n[broken\n", 0600);
	tap_int(sm_config_open(path, &cfg), -1, "syntax error fails");
	tap_ok(strstr(sm_errmsg(), path) && strstr(sm_errmsg(), ":3"), "message names file and line");
	tap_int(sm_errcode(), SM_EX_CONFIG, "exit status 78");
	unlink(path);

	write_config("[channel \"m\"]\n\tkind = mastodon\n\ttoken = s3cret\n", 0644);
	tap_int(sm_config_open(path, &cfg), -1, "a readable literal token is refused");
	tap_ok(strstr(sm_errmsg(), "chmod 600") != NULL, "message says how to fix it");
	tap_ok(strstr(sm_errmsg(), "s3cret") == NULL, "message does not show the secret");
	tap_int(sm_errcode(), SM_EX_CONFIG, "exit status 78");
	chmod(path, 0600);
	tap_int(sm_config_open(path, &cfg), 0, "the same file at mode 600 is accepted");
	sm_config_free(cfg);
	unlink(path);

	/* a token in an included file: its mode is not checked, so it is refused outright */
	char inc[] = "/tmp/sm-config-inc-XXXXXX";
	int fd = mkstemp(inc);
	const char *incl = "[channel \"m\"]\n\ttoken = s3cret\n";
	if (write(fd, incl, strlen(incl)) < 0)
		return 1;
	close(fd);
	char *text = sm_asprintf("[include]\n\tpath = %s\n", inc);
	write_config(text, 0600);
	free(text);
	tap_int(sm_config_open(path, &cfg), -1, "a literal token in an included file is refused");
	tap_ok(strstr(sm_errmsg(), "included") != NULL && strstr(sm_errmsg(), "s3cret") == NULL,
	       "saying why, without the secret");
	unlink(path);
	unlink(inc);

	tap_int(sm_config_open("/nonexistent/config", &cfg), -1, "missing config fails");
	tap_int(sm_errcode(), SM_EX_CONFIG, "exit status 78");
	return tap_done();
}
