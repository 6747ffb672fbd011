/*
 * plan.h - the editorial plan: a git repository of post files (plan.c), the entry format
 * (plan_entry.c), when an entry falls due (plan_when.c), the lint (plan_check.c), the
 * calendar and its iCalendar form (plan_list.c, plan_ics.c), writing an entry (plan_add.c)
 * and turning the reviewed branch into drafts (plan_sync.c).
 */
#ifndef SM_PLAN_H
#define SM_PLAN_H

#include "smkit.h"

// plan_entry.c: one entry file, a header block and a body, as an e-mail
enum { SM_PLAN_ONCE, SM_PLAN_DAILY, SM_PLAN_WEEKLY, SM_PLAN_MONTHLY };
/* A local time: a date and a clock time in a zone (an IANA name), or at a fixed offset. */
typedef struct {
	int year, month, day, hour, min;
	char *zone;  /* NULL: at offset seconds east of UTC */
	long offset;
	int has_time; /* Until may be a date only */
} sm_plan_time;
typedef struct {
	int freq;      /* SM_PLAN_* */
	int interval;  /* every N days, weeks, months */
	unsigned days; /* weekly: bit 0 Sunday ... 6 Saturday; monthly: bit N day N; 0: At's */
} sm_plan_repeat;
typedef struct {
	char *path, *alt;
	long line;
} sm_plan_media;
typedef struct {
	char *name; /* a channel or a network the text is for */
	char *text;
	long line;
} sm_plan_body;
typedef struct {
	char *path;
	sm_plan_time at;
	char **channels, **tags;
	size_t nchannels, ntags;
	sm_plan_repeat repeat;
	sm_plan_time until; /* year 0: none; zone "": At's */
	char *title;        /* Title:, else the text's first line */
	sm_plan_media *media;
	size_t nmedia;
	char *text;         /* for every channel without a body of its own */
	sm_plan_body *bodies;
	size_t nbodies;
	/* the lines of the fields, for messages */
	long at_line, channels_line, repeat_line, until_line, text_line;
} sm_plan_entry;
/* The problems found in entries, each "FILE:LINE: what". */
typedef struct {
	char **msg;
	size_t n;
} sm_plan_problems;
void sm_plan_problem(sm_plan_problems *pr, const char *path, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void sm_plan_problems_free(sm_plan_problems *pr);
/* Parse an entry; the problems of its form go to pr. 0 if it parsed (e may be used),
   -1 if not. default_zone is [plan] zone for an At without one (may be NULL). */
int sm_plan_entry_parse(const char *path, const char *data, size_t len, const char *default_zone,
			sm_plan_entry *e, sm_plan_problems *pr);
void sm_plan_entry_free(sm_plan_entry *e);
/* The text for a channel of the given network: its own body, else the network's, else the
   entry's. */
const char *sm_plan_text_for(const sm_plan_entry *e, const char *channel, const char *network);
/* The entry written back as a file (for add). */
char *sm_plan_entry_format(const sm_plan_entry *e);
/* "2026-11-28 09:00 Europe/Berlin" / "2026-11-28T09:00:00+01:00" */
int sm_plan_time_parse(const char *s, const char *default_zone, sm_plan_time *t, const char **why);
char *sm_plan_time_text(const sm_plan_time *t);
void sm_plan_time_free(sm_plan_time *t);
int sm_plan_repeat_parse(const char *s, sm_plan_repeat *r, const char **why);
char *sm_plan_repeat_text(const sm_plan_repeat *r);

// plan_when.c: the instants an entry falls due
/* The instant of a local time (a time the clock skips moves on by the gap). */
time_t sm_plan_instant(const sm_plan_time *t);
/* The occurrences in [from, to), oldest first, at most max; *n of them in *out (malloc'd). */
int sm_plan_occurrences(const sm_plan_entry *e, time_t from, time_t to, size_t max, time_t **out,
			size_t *n);
/* The end of Until: (its date's last minute, in At's zone unless it names one); -1: none. */
time_t sm_plan_until(const sm_plan_entry *e);

// plan.c: the plan repository, read and written through libgit2
/* Create an empty repository at path whose first branch is `branch`; 1 if created, 0 if
   one exists already, -1 on error. (Also in smkit.h, for sm-init.) */
int sm_plan_init(const char *path, const char *branch);
typedef struct sm_plan_repo sm_plan_repo;
/* The [plan] section: repo (a path, relative to the workspace), branch (the reviewed one),
   remote (a repository whose branch is the reviewed one), pattern (which files are entries),
   zone, horizon, grace. path overrides repo (sm-plan --repo). */
typedef struct {
	char *repo, *branch, *remote, *pattern, *zone;
	double horizon, grace;
} sm_plan_conf;
int sm_plan_conf_load(const sm_workspace *ws, sm_config *cfg, const char *path, sm_plan_conf *pc);
void sm_plan_conf_free(sm_plan_conf *pc);
int sm_plan_open(const sm_plan_conf *pc, sm_plan_repo **out);
void sm_plan_close(sm_plan_repo *r);
/* Bring the reviewed branch from the remote, when there is one. */
int sm_plan_fetch(sm_plan_repo *r);
/* The commit a revision names (40 hex digits in out); 0, 1 if there is none (an empty
   repository), -1 on error. NULL: the reviewed branch. */
int sm_plan_resolve(sm_plan_repo *r, const char *rev, char out[41]);
/* A file of an entry tree: its path and blob. */
typedef struct {
	char *path;
	char blob[41];
} sm_plan_file;
/* The entry files (those the pattern names) of a commit, in path order. */
int sm_plan_files(sm_plan_repo *r, const char *commit, sm_plan_file **files, size_t *n);
void sm_plan_files_free(sm_plan_file *files, size_t n);
/* The contents of a blob. */
int sm_plan_blob(sm_plan_repo *r, const char *blob, sm_buf *out);
/* The blob of a path in a commit: 1 and its id, 0 if there is no such file, -1 error. */
int sm_plan_blob_at(sm_plan_repo *r, const char *commit, const char *path, char out[41]);
/* The renames from commit a to commit b (git's rename detection): old and new paths. */
int sm_plan_renames(sm_plan_repo *r, const char *a, const char *b, char ***from, char ***to, size_t *n);
/* Who wrote the entry as it is in commit: the author of the commit that brought its blob
   (through merges, to the branch it was written on). "Name <email>", malloc'd. */
char *sm_plan_author(sm_plan_repo *r, const char *commit, const char *path, const char *blob);
/* Write a file on a branch (made from the reviewed one if missing) as one commit by the
   given author; the branch's worktree, if checked out, follows. 0, or -1. */
int sm_plan_commit_file(sm_plan_repo *r, const char *branch, const char *path, const char *data,
			const char *name, const char *email, const char *message, char commit[41]);
const char *sm_plan_branch(const sm_plan_repo *r);

// plan_check.c: lint, as a CI runs it before a merge
typedef struct {
	sm_config *cfg;
	const sm_plan_conf *pc;
	time_t now;
} sm_plan_lint;
/* The problems of one entry against the channels of the config: unknown channel, a text
   over its network's limit, a missing alt text or media file, and (new: not on the reviewed
   branch as it is) no time still to come. exists(path) says if a media file is there. */
int sm_plan_lint_entry(const sm_plan_lint *l, const sm_plan_entry *e, int is_new,
		       int (*exists)(const char *path, void *ctx), void *ctx, sm_plan_problems *pr);
/* Lint every entry of a revision (NULL: HEAD); *entries counts them. */
int sm_plan_check(sm_plan_repo *r, const sm_plan_lint *l, const char *rev, size_t *entries,
		  sm_plan_problems *pr);
/* The network of a channel: channel.NAME.network, else its kind; NULL if no channel. */
const char *sm_plan_network(sm_config *cfg, const char *channel);

// plan_list.c: the calendar, each occurrence of each channel with its draft's state
typedef struct {
	char *entry, *channel, *network, *title, *text, *state, *local, *commit, *blob;
	char **tags;
	size_t ntags;
	time_t at;
	long long draft;
	char *published_id, *published_url, *published_at;
} sm_plan_slot;
typedef struct {
	time_t from, to;
	const char *channel; /* NULL: all */
	const char *entry;   /* NULL: all */
} sm_plan_range;
int sm_plan_calendar(sm_plan_repo *r, sm_config *cfg, sm_store *st, const sm_plan_range *rg,
		     sm_plan_slot **slots, size_t *n, sm_plan_problems *pr);
void sm_plan_slots_free(sm_plan_slot *s, size_t n);
json_t *sm_plan_slot_record(const sm_plan_slot *s);

// plan_ics.c: the calendar as an iCalendar file (RFC 5545)
int sm_plan_ics(FILE *fp, const sm_plan_slot *s, size_t n, time_t now, const char *name);

// plan_sync.c: the reviewed branch made drafts (SPEC §4)
typedef struct {
	long created, replaced, withdrawn, unchanged, renamed, broken;
	char commit[41];        /* the reviewed commit synced */
	long long *drafts;      /* the drafts made or changed, in order */
	size_t ndrafts;
	sm_plan_problems problems; /* the entries that do not parse, "FILE:LINE: what" */
} sm_plan_sync_stats;
/* Make the drafts of the reviewed branch's entries: one per channel and occurrence within
   [plan] horizon (and not more than [plan] grace in the past); an entry changed since
   replaces its drafts not yet sent (rejected, "replaced by COMMIT"), a deleted one
   withdraws them; drafts sending or published are never touched. who is the acting
   agent (role agent, publisher or admin); each draft's author is the entry's. */
int sm_plan_sync(const sm_workspace *ws, sm_config *cfg, sm_store *st, const char *who,
		 const char *now, sm_plan_sync_stats *out);
void sm_plan_sync_stats_free(sm_plan_sync_stats *s);

#endif
