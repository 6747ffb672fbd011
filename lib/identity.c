/*
 * identity.c - who is acting: the unix login mapped to an [agent] by its `login`, or with
 * `[security] identity = env` the agent named by $SM_USER; and what roles that agent has.
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smkit.h"

/* The login of the running user. */
static const char *login_name(void)
{
	struct passwd *pw = getpwuid(getuid());
	return pw ? pw->pw_name : NULL;
}

int sm_whoami(sm_config *cfg, const char **agent, const char **login)
{
	const char *mode = sm_config_get(cfg, "security.identity");
	size_t n;
	*agent = NULL;
	*login = login_name();
	if (mode && !strcmp(mode, "env")) {
		const char *u = getenv("SM_USER");
		if (!u || !*u)
			return 0; /* nobody in particular: enough for the automatic stages */
		*login = u;
	} else if (mode && strcmp(mode, "login"))
		return sm_error_code(SM_EX_CONFIG, "security.identity is login or env, not '%s'", mode);
	if (!*login)
		return sm_error_code(SM_EX_NOPERM, "who is running this? no login name for uid %d",
				     (int)getuid());
	const char *const *agents = sm_config_subsections(cfg, "agent", &n);
	for (size_t i = 0; i < n; i++) {
		const char *l = sm_config_get_sub(cfg, "agent", agents[i], "login");
		/* with identity = env, SM_USER names the agent itself */
		if ((l && !strcmp(l, *login)) || (mode && !strcmp(mode, "env") && !strcmp(agents[i], *login))) {
			*agent = agents[i];
			return 0;
		}
	}
	return 0; /* a login that is no agent: fine for the automatic stages */
}

int sm_agent_has_role(sm_config *cfg, const char *agent, const char *role)
{
	size_t n;
	const char *const *roles = sm_config_get_all_sub(cfg, "agent", agent, "role", &n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(roles[i], role) || (!strcmp(role, "agent") && !strcmp(roles[i], "admin")))
			return 1;
	return n == 0 && !strcmp(role, "agent"); /* an agent without a role is an agent */
}
