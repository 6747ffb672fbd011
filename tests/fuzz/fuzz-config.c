/*
 * fuzz-config.c - the workspace config (config.c through libgit2, and what is read out of
 * it: numbers, durations, sizes, policies with their business hours, identities). The
 * input is written to a file at mode 600, as sm-init leaves a config with a secret, and
 * opened as every command opens it. Nothing that runs a command (token-cmd) is read.
 */
#include <fcntl.h>
#include <unistd.h>

#include <git2.h>

#include "fuzz.h"

static const char *const numbers[] = {"fetch.parallel", "fetch.attempts", NULL};
static const char *const durations[] = {"fetch.timeout", "fetch.connect-timeout", "fetch.max-wait",
					"fetch.exec-timeout", "assign.sticky-window", NULL};
static const char *const sections[] = {"channel", "agent", "team", "policy", "group", NULL};

static void read_all(sm_config *cfg)
{
	long l;
	double d;
	long long ll;
	size_t n, m;
	for (int i = 0; numbers[i]; i++)
		sm_config_int(cfg, numbers[i], 1, &l);
	for (int i = 0; durations[i]; i++)
		sm_config_duration(cfg, durations[i], 1, &d);
	sm_config_bytes(cfg, "fetch.max-size", 1, &ll);
	for (int s = 0; sections[s]; s++) {
		const char *const *subs = sm_config_subsections(cfg, sections[s], &n);
		for (size_t i = 0; i < n; i++) {
			fuzz_check(subs[i], "a NULL subsection");
			char *key = sm_asprintf("%s.%s.capacity", sections[s], subs[i]);
			sm_config_int(cfg, key, 20, &l);
			free(key);
			const char *const *all = sm_config_get_all_sub(cfg, sections[s], subs[i], "role", &m);
			fuzz_check(!all[m], "the list of values is not NULL-terminated");
			sm_agent_has_role(cfg, subs[i], "approver");
			(void)sm_config_get_sub(cfg, sections[s], subs[i], "kind");
		}
	}
	sm_policies ps;
	if (sm_policies_load(cfg, &ps) == 0) {
		const char *tags[] = {"outage"};
		sm_policy_subject subj = {.channel = "support", .team = "tech", .priority = "high",
					  .kind = "reply", .tags = tags, .ntags = 1};
		const sm_policy *p = sm_policy_match(&ps, &subj);
		if (p && p->hours) {
			time_t t = sm_hours_add(p->hours, 1795000000, 3600);
			(void)sm_hours_between(p->hours, 1795000000, t);
		}
		sm_policies_free(&ps);
	}
	const char *agent, *login;
	setenv("SM_USER", "alice", 1);
	sm_whoami(cfg, &agent, &login);
	(void)sm_config_has_literal_secret(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!*path) {
		git_libgit2_init(); /* held for the whole run: not set up and torn down each time */
		char dir[] = "/tmp/fuzz-config.XXXXXX";
		if (!mkdtemp(dir))
			abort();
		snprintf(path, sizeof path, "%s/config", dir);
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	sm_config *cfg;
	if (sm_config_open(path, &cfg) < 0) {
		fuzz_check(sm_errcode() == SM_EX_CONFIG, "code %d: %s", sm_errcode(), sm_errmsg());
		return 0;
	}
	read_all(cfg);
	sm_config_free(cfg);
	return 0;
}
