/*
 * publish.h - the publishing area (publish.c): sending approved drafts through the
 * adapters of their channels exactly once, what sm-publish runs.
 */
#ifndef SM_PUBLISH_H
#define SM_PUBLISH_H

#include "drafts.h"
#include "net.h"

typedef struct {
	int dry_run;            /* print what would be sent, send and change nothing */
	int plan;               /* the editorial plan's drafts (else every other draft) */
	const char *channel;    /* only this channel's drafts, or NULL */
	const long long *ids;   /* the named drafts (due or not yet: each is looked at) */
	size_t nids;
	void (*trace)(const char *line, void *ctx); /* HTTP trace (-v -v) */
	void (*note)(int warning, const char *msg, void *ctx); /* for stderr */
	void *ctx;
} sm_publish_opts;

typedef struct {
	long published, failed, retry, refused, skipped, reconciled;
} sm_publish_stats;

/* May this agent (or login, for cron) publish: the publisher role, or a login named by
   publish.login. 0, or -1 with SM_EX_NOPERM and why. */
int sm_publish_allowed(sm_config *cfg, const char *agent, const char *login);

/*
 * Send the due approved drafts (or the named ones). Each is claimed (approved -> sending,
 * with a lease), sent, and recorded (published | failed, or approved again with the time of
 * the next attempt after a passing failure); a sending draft whose claim ran out is
 * reconciled with the network before anything is sent again. One result record per draft
 * looked at goes to stdout. Returns 0, or the exit status of the worst thing that happened
 * (78 a channel's config is wrong: its drafts stay as they were, 77 a draft refused, 75 one
 * left for a later attempt, 65 one failed), -1 on a fault.
 */
int sm_publish_run(const sm_workspace *ws, sm_config *cfg, sm_store *st, const char *who,
		   const sm_publish_opts *o, sm_publish_stats *stats);

#endif
