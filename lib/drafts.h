/*
 * drafts.h - the approval area: drafts and their approvals (drafts.c), the editor and
 * canned answers a draft starts from (editor.c).
 */
#ifndef SM_DRAFTS_H
#define SM_DRAFTS_H

#include "smkit.h"

// drafts.c
/* A file a draft is posted with: a plan entry's Media line, as the reviewed commit had it. */
typedef struct {
	char *path, *blob, *alt, *mime, *sha256; /* path and blob in the plan repository */
	long long size;
	int width, height; /* 0: unknown */
} sm_draft_media;
typedef struct {
	long long id, case_id;
	char kind[8];
	char *reply_to, *channel, *text, *author, *state, *policy, *approver_role, *approver_team;
	char *scheduled_at, *batch, *plan, *reason, *created_at;
	long needs;
	/* sm-publish's: how sending went ("" when not yet) */
	char *send_key, *lease_owner, *lease_until, *next_attempt;
	char *published_id, *published_url, *published_at;
	long attempts;
	char *plan_commit; /* the reviewed commit a plan post was made from ("" if none) */
	sm_draft_media *media; /* in order */
	size_t nmedia;
} sm_draft;
/* What a new draft answers and says; reply_to or case_id, or neither for a post. A plan
   post (plan set) is made by whoever syncs the plan (role agent, publisher or admin) in
   the name of the entry's author, and its tags count in choosing the policy. */
typedef struct {
	const char *reply_to;
	long long case_id;
	const char *channel, *text, *at, *batch, *kind, *plan, *plan_blob;
	const char *author;           /* NULL: the acting agent */
	const char *const *tags;      /* besides the target item's */
	size_t ntags;
} sm_draft_spec;
int sm_draft_get(sm_store *st, long long id, sm_draft *d); /* 1, 0 none, -1 error */
void sm_draft_free(sm_draft *d);
/* SHA-256 of the text, channel, target and scheduled time, and of each medium's SHA-256
   and alt text: what an approval binds to. (A draft without media hashes as before.) */
void sm_draft_hash(const sm_draft *d, char out[65]);
/* Each checks the acting agent's rights (SM_EX_NOPERM with the reason) and audits. */
int sm_draft_create(sm_store *st, sm_config *cfg, const sm_policies *ps, const char *who,
		    const sm_draft_spec *spec, long long *id, const char *now);
void sm_draft_media_free(sm_draft_media *m, size_t n); /* the array and what it holds */
/* Attach a file to a new draft (the plan's sync, in its transaction), after the others. */
int sm_draft_add_media(sm_store *st, long long id, const sm_draft_media *m);
int sm_draft_approve(sm_store *st, sm_config *cfg, long long id, const char *who, const char *now);
int sm_draft_reject(sm_store *st, sm_config *cfg, long long id, const char *who, const char *reason,
		    const char *now);
/* A new text: the approvals so far are for the old one and no longer count. */
int sm_draft_edit(sm_store *st, sm_config *cfg, long long id, const char *who, const char *text,
		  const char *now);
/* 1 if the draft may be sent: approved, with enough approvals for what it says now;
   else 0 and why (sm-publish's check, against a store edited behind our back). */
int sm_draft_releasable(sm_store *st, long long id, char *why, size_t n);
json_t *sm_draft_record(sm_store *st, const sm_draft *d);
int sm_draft_may_write(sm_config *cfg, const char *who); /* an agent with the agent role */
int sm_draft_may_sync_plan(sm_config *cfg, const char *who); /* role agent or publisher */
int sm_draft_approved_by(sm_store *st, const sm_draft *d, const char *who); /* its text now */
/* Approvals that have no `approve` entry of their approver for their hash in the audit
   log (written into the store behind sm-approve's back): how many, the first in what. */
long sm_approvals_unaudited(sm_store *st, char *what, size_t n);
/* The whole check of sm-approve verify and sm-report audit --verify: the hash chain, then
   every approval's entry in it. 0 intact, 1 the chain broken, 2 approvals missing from
   it (what says where, or which), -1 error. */
int sm_audit_check(sm_store *st, long long *entries, char *what, size_t n);
char *sm_case_latest_item(sm_store *st, long long case_id); /* what a reply to it answers */
/* Draft ids by state, author, batch, and not yet approved by someone (NULLs: any). */
int sm_drafts_list(sm_store *st, const char *state, const char *author, const char *batch,
		   const char *not_approved_by, long long **ids, size_t *n);

// editor.c
/* Run $VISUAL or $EDITOR on a file holding text and the comment lines (each "# "-prefixed);
   the result without comment lines, trimmed; "" if the user left it empty. */
int sm_edit_text(const char *text, const char *comment, char **out);
/* A canned answer: {{author.name}}, {{channel}}... filled from the item record. */
char *sm_template_fill(const char *tpl, json_t *item);

#endif
