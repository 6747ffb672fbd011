/*
 * policy.c - the [policy "NAME"] sections: the first whose conditions (channel, team, tag,
 * priority, kind of draft) all hold decides the response targets, the business hours they
 * run in, where unrouted items go, and how many approvals a draft needs.
 */
#include <stdlib.h>
#include <string.h>

#include "smkit.h"

static int listed(const char *const *list, size_t n, const char *v)
{
	if (n == 0)
		return 1; /* no condition */
	for (size_t i = 0; v && i < n; i++)
		if (!strcmp(list[i], v))
			return 1;
	return 0;
}

static int any_tag(const sm_policy *p, const char *const *tags, size_t ntags)
{
	if (p->ntags == 0)
		return 1;
	for (size_t i = 0; i < ntags; i++)
		if (listed(p->tags, p->ntags, tags[i]))
			return 1;
	return 0;
}

const sm_policy *sm_policy_match(const sm_policies *ps, const sm_policy_subject *s)
{
	for (size_t i = 0; i < ps->n; i++) {
		const sm_policy *p = &ps->p[i];
		if (listed(p->channels, p->nchannels, s->channel) && listed(p->teams, p->nteams, s->team) &&
		    listed(p->priorities, p->npriorities, s->priority) &&
		    listed(p->kinds, p->nkinds, s->kind) && any_tag(p, s->tags, s->ntags))
			return p;
	}
	return NULL;
}

static int duration(sm_config *cfg, const char *name, const char *key, double *out)
{
	char *full = sm_asprintf("policy.%s.%s", name, key);
	int rc = sm_config_duration(cfg, full, 0, out);
	free(full);
	return rc;
}

static int load_one(sm_config *cfg, const char *name, sm_policy *p)
{
	const char *v;
	size_t nh;
	p->name = name;
	p->channels = sm_config_get_all_sub(cfg, "policy", name, "channel", &p->nchannels);
	p->teams = sm_config_get_all_sub(cfg, "policy", name, "team", &p->nteams);
	p->tags = sm_config_get_all_sub(cfg, "policy", name, "tag", &p->ntags);
	p->priorities = sm_config_get_all_sub(cfg, "policy", name, "priority", &p->npriorities);
	p->kinds = sm_config_get_all_sub(cfg, "policy", name, "kind", &p->nkinds);
	p->route_to = sm_config_get_sub(cfg, "policy", name, "route-to");
	p->approver_role = sm_config_get_sub(cfg, "policy", name, "approver-role");
	p->approver_team = sm_config_get_sub(cfg, "policy", name, "approver-team");
	char *key = sm_asprintf("policy.%s.approvals", name);
	int rc = sm_config_int(cfg, key, 1, &p->approvals);
	free(key);
	if (rc < 0 || duration(cfg, name, "first-response", &p->first_response) < 0 ||
	    duration(cfg, name, "resolution", &p->resolution) < 0 ||
	    duration(cfg, name, "community-window", &p->community_window) < 0)
		return -1;
	if (p->approvals < 0)
		return sm_error_code(SM_EX_CONFIG, "policy '%s': approvals must be 0 or more", name);
	v = sm_config_get_sub(cfg, "policy", name, "hours");
	if (sm_hours_parse(v ? v : "24/7 UTC", &p->hours) < 0) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s", sm_errmsg());
		return sm_error_code(SM_EX_CONFIG, "policy '%s': hours: %s", name, msg);
	}
	const char *const *days = sm_config_get_all_sub(cfg, "policy", name, "holiday", &nh);
	for (size_t i = 0; i < nh; i++)
		if (sm_hours_holiday(p->hours, days[i]) < 0) {
			char msg[512];
			snprintf(msg, sizeof msg, "%s", sm_errmsg());
			return sm_error_code(SM_EX_CONFIG, "policy '%s': holiday: %s", name, msg);
		}
	return 0;
}

int sm_policies_load(sm_config *cfg, sm_policies *ps)
{
	size_t n;
	const char *const *names = sm_config_subsections(cfg, "policy", &n);
	memset(ps, 0, sizeof *ps);
	ps->p = sm_calloc(n + 1, sizeof *ps->p);
	for (size_t i = 0; i < n; i++, ps->n++)
		if (load_one(cfg, names[i], &ps->p[i]) < 0) {
			ps->n++;
			sm_policies_free(ps);
			return -1;
		}
	return 0;
}

void sm_policies_free(sm_policies *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		sm_hours_free(ps->p[i].hours);
	free(ps->p);
	memset(ps, 0, sizeof *ps);
}
