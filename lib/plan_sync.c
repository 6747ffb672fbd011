/*
 * plan_sync.c - the reviewed branch made drafts (SPEC §4): each entry, one draft per channel
 * and occurrence; an entry changed by a later commit replaces its drafts not yet sent (their
 * approvals were for the old text), a deleted one withdraws them, a renamed one keeps them.
 * All in one transaction: two syncs at once make each draft once.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "drafts.h"
#include "plan.h"

static const char Q_SYNCED[] = "SELECT commit_id FROM plan_synced WHERE branch = ?1";
static const char Q_SET_SYNCED[] = "INSERT INTO plan_synced (branch, commit_id, at) VALUES (?1, ?2, ?3)"
				   " ON CONFLICT (branch) DO UPDATE SET commit_id = ?2, at = ?3";
static const char Q_ENTRY[] = "SELECT id FROM plan_entries WHERE path = ?1 AND deleted IS NULL";
static const char Q_NEW_ENTRY[] = "INSERT INTO plan_entries (path, created_at) VALUES (?1, ?2)";
static const char Q_LIVE[] = "SELECT id, path FROM plan_entries WHERE deleted IS NULL ORDER BY id";
static const char Q_DELETE[] = "UPDATE plan_entries SET deleted = ?2 WHERE id = ?1";
static const char Q_MOVE[] = "UPDATE plan_entries SET path = ?2 WHERE id = ?1";
static const char Q_DRAFTS[] = "SELECT id, state, channel, coalesce(scheduled_at, ''), coalesce(plan_version, ''),"
			       " text FROM drafts WHERE plan_entry = ?1 ORDER BY id";
static const char Q_MOVE_DRAFTS[] = "SELECT id FROM drafts WHERE plan_entry = ?1 AND state IN ('pending', 'approved')";
static const char Q_DRAFT_PATH[] = "UPDATE drafts SET plan = ?2 WHERE id = ?1";
static const char Q_MARK[] = "UPDATE drafts SET plan_entry = ?2, plan_commit = ?3, plan_version = ?4 WHERE id = ?1";
/* never a draft that is sending or published: only those still waiting */
static const char Q_VOID[] = "UPDATE drafts SET state = 'rejected', reason = ?2, updated_at = ?3"
			     " WHERE id = ?1 AND state IN ('pending', 'approved')";

typedef struct {
	sm_plan_repo *r;
	sm_config *cfg;
	sm_store *st;
	sm_policies pol;
	sm_plan_conf pc;
	const char *who, *now;
	time_t tnow;
	char commit[41];
	sm_plan_sync_stats *out;
} syncer;

/* What is there for one entry: its drafts as they are in the store. */
typedef struct {
	long long id;
	char *state, *channel, *at, *version, *text;
} have_draft;

static char *col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return sm_strdup(t ? (const char *)t : "");
}

static void note(syncer *x, long long id)
{
	x->out->drafts = sm_realloc(x->out->drafts, (x->out->ndrafts + 1) * sizeof *x->out->drafts);
	x->out->drafts[x->out->ndrafts++] = id;
}

/* Reject a waiting draft for the plan's reason; 1 if it was waiting, 0 if not, -1 error. */
static int void_draft(syncer *x, long long id, const char *action, const char *reason)
{
	sqlite3_stmt *s = sm_store_sql(x->st, Q_VOID);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, x->now, -1, SQLITE_STATIC);
	if (sm_store_done(x->st, s, "replace draft") < 0)
		return -1;
	if (sm_store_changes(x->st) == 0)
		return 0;
	char object[32];
	snprintf(object, sizeof object, "draft:%lld", id);
	note(x, id);
	return sm_audit(x->st, x->who, action, object, reason, x->now) < 0 ? -1 : 1;
}

static long long entry_id(syncer *x, const char *path)
{
	sqlite3_stmt *s = sm_store_sql(x->st, Q_ENTRY);
	long long id = 0;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (id || !(s = sm_store_sql(x->st, Q_NEW_ENTRY)))
		return id ? id : -1;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, x->now, -1, SQLITE_STATIC);
	return sm_store_done(x->st, s, "plan entry") < 0 ? -1 : sm_store_last_id(x->st);
}

static int bind_done(syncer *x, const char *sql, long long id, const char *v, const char *what)
{
	sqlite3_stmt *s = sm_store_sql(x->st, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, v, -1, SQLITE_STATIC);
	return sm_store_done(x->st, s, what);
}

/* A file renamed since the last sync keeps its entry, and its waiting drafts follow. */
static int follow_renames(syncer *x, const char *last)
{
	char **from, **to;
	size_t n;
	if (sm_plan_renames(x->r, last, x->commit, &from, &to, &n) < 0)
		return 0; /* the last commit is gone (history rewritten): nothing to follow */
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		sqlite3_stmt *s = sm_store_sql(x->st, Q_ENTRY);
		long long id = 0, taken = 0;
		if (!s)
			rc = -1;
		for (int k = 0; rc == 0 && k < 2; k++) {
			sqlite3_bind_text(s, 1, k ? to[i] : from[i], -1, SQLITE_STATIC);
			if (sqlite3_step(s) == SQLITE_ROW)
				*(k ? &taken : &id) = sqlite3_column_int64(s, 0);
			sqlite3_reset(s);
		}
		if (rc < 0 || !id || taken)
			continue;
		rc = bind_done(x, Q_MOVE, id, to[i], "rename plan entry");
		long long *ids = NULL;
		size_t nids = 0;
		if (rc == 0 && (s = sm_store_sql(x->st, Q_MOVE_DRAFTS))) {
			sqlite3_bind_int64(s, 1, id);
			while (sqlite3_step(s) == SQLITE_ROW) {
				ids = sm_realloc(ids, (nids + 1) * sizeof *ids);
				ids[nids++] = sqlite3_column_int64(s, 0);
			}
			sqlite3_reset(s);
		}
		char *detail = sm_asprintf("%s renamed %s in %s", from[i], to[i], x->commit);
		for (size_t k = 0; rc == 0 && k < nids; k++) {
			char object[32];
			snprintf(object, sizeof object, "draft:%lld", ids[k]);
			rc = bind_done(x, Q_DRAFT_PATH, ids[k], to[i], "rename draft");
			if (rc == 0)
				rc = sm_audit(x->st, x->who, "rename", object, detail, x->now);
		}
		free(detail);
		free(ids);
		x->out->renamed++;
	}
	for (size_t i = 0; i < n; i++) {
		free(from[i]);
		free(to[i]);
	}
	free(from);
	free(to);
	return rc;
}

/* The agent the author of a commit is: agent.NAME.email, else the agent of that name. */
static char *agent_of(sm_config *cfg, const char *sig)
{
	size_t n;
	const char *const *agents = sm_config_subsections(cfg, "agent", &n);
	const char *lt = strrchr(sig, '<');
	for (int pass = 0; lt && pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			const char *email = sm_config_get_sub(cfg, "agent", agents[i], "email");
			size_t len = strlen(agents[i]);
			if (pass == 0 && email && !strncasecmp(lt + 1, email, strlen(email)) &&
			    lt[1 + strlen(email)] == '>')
				return sm_strdup(agents[i]);
			if (pass == 1 && (size_t)(lt - sig) == len + 1 && !strncmp(sig, agents[i], len))
				return sm_strdup(agents[i]);
		}
	return sm_strdup(sig);
}

/* What an entry's drafts are made from: its blob and its media files' blobs. (v2: the
   drafts of an entry with media carry them; those made before, without, are replaced.) */
static void version_of(syncer *x, const sm_plan_entry *e, const char *blob, char out[65])
{
	sm_buf b = {0};
	sm_buf_printf(&b, "smkit-plan-v%d\x1f%s", e->nmedia ? 2 : 1, blob);
	for (size_t i = 0; i < e->nmedia; i++) {
		char mb[41];
		int found = sm_plan_blob_at(x->r, x->commit, e->media[i].path, mb);
		sm_buf_printf(&b, "\x1f%s\x1f%s", e->media[i].path, found == 1 ? mb : "-");
	}
	sm_sha256_hex(b.s, b.len, out);
	sm_buf_free(&b);
}

static int media_here(const char *path, void *ctx)
{
	syncer *x = ctx;
	char blob[41];
	return sm_plan_blob_at(x->r, x->commit, path, blob) == 1;
}

static int load_drafts(syncer *x, long long entry, have_draft **out, size_t *n)
{
	sqlite3_stmt *s = sm_store_sql(x->st, Q_DRAFTS);
	*out = NULL;
	*n = 0;
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, entry);
	while (sqlite3_step(s) == SQLITE_ROW) {
		*out = sm_realloc(*out, (*n + 1) * sizeof **out);
		(*out)[(*n)++] = (have_draft){sqlite3_column_int64(s, 0), col(s, 1), col(s, 2), col(s, 3),
					      col(s, 4), col(s, 5)};
	}
	sqlite3_reset(s);
	return 0;
}

static void free_drafts(have_draft *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].state);
		free(h[i].channel);
		free(h[i].at);
		free(h[i].version);
		free(h[i].text);
	}
	free(h);
}

static int waiting(const have_draft *h) { return !strcmp(h->state, "pending") || !strcmp(h->state, "approved"); }
static int gone_out(const have_draft *h) { return !strcmp(h->state, "sending") || !strcmp(h->state, "published"); }

/* Is there a draft for this occurrence already: of this version in any state (one
   rejected or failed is not made again), or of any version sent? */
static int covered(have_draft *h, size_t n, const char *channel, const char *at, const char *version)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(h[i].channel, channel) && !strcmp(h[i].at, at) &&
		    (!strcmp(h[i].version, version) || gone_out(&h[i])))
			return 1;
	return 0;
}

/* The entry's media files as the reviewed commit has them: read from the repository
   (never the worktree), their type from their first bytes. */
static int entry_media(syncer *x, const sm_plan_entry *e, sm_draft_media **out)
{
	sm_buf data = {0};
	int rc = 0;
	*out = sm_calloc(e->nmedia ? e->nmedia : 1, sizeof **out);
	for (size_t i = 0; rc == 0 && i < e->nmedia; i++) {
		sm_draft_media *m = &(*out)[i];
		char blob[41], sha[65];
		sm_media_kind k;
		int found = sm_plan_blob_at(x->r, x->commit, e->media[i].path, blob);
		if (found == 0)
			rc = sm_error_code(SM_EX_DATAERR, "%s: Media: '%s' is not in %s", e->path,
					   e->media[i].path, x->commit);
		if (found < 0 || rc < 0 || sm_plan_blob(x->r, blob, &data) < 0) {
			rc = -1;
			break;
		}
		sm_sha256_hex(data.s ? data.s : "", data.len, sha);
		sm_media_sniff(data.s ? data.s : "", data.len, &k);
		*m = (sm_draft_media){sm_strdup(e->media[i].path), sm_strdup(blob), sm_strdup(e->media[i].alt),
				      sm_strdup(k.mime), sm_strdup(sha), (long long)data.len, k.width, k.height};
	}
	sm_buf_free(&data);
	return rc;
}

static int make_draft(syncer *x, const sm_plan_entry *e, const sm_plan_file *f, long long entry,
		      const char *version, const char *channel, const char *at, char **author,
		      sm_draft_media **media)
{
	const char *network = sm_plan_network(x->cfg, channel);
	if (!*author) {
		char *sig = sm_plan_author(x->r, x->commit, f->path, f->blob);
		*author = agent_of(x->cfg, sig ? sig : "unknown <>");
		free(sig);
	}
	sm_draft_spec spec = {.kind = "post", .channel = channel, .text = sm_plan_text_for(e, channel, network),
			      .at = at, .plan = f->path, .plan_blob = f->blob, .author = *author,
			      .tags = (const char *const *)e->tags, .ntags = e->ntags};
	long long id;
	if (sm_draft_create(x->st, x->cfg, &x->pol, x->who, &spec, &id, x->now) < 0)
		return -1;
	sqlite3_stmt *s = sm_store_sql(x->st, Q_MARK);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, entry);
	sqlite3_bind_text(s, 3, x->commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, version, -1, SQLITE_STATIC);
	if (sm_store_done(x->st, s, "plan draft") < 0)
		return -1;
	if (e->nmedia && !*media && entry_media(x, e, media) < 0)
		return -1;
	for (size_t i = 0; i < e->nmedia; i++)
		if (sm_draft_add_media(x->st, id, &(*media)[i]) < 0)
			return -1;
	note(x, id);
	x->out->created++;
	return 0;
}

/* One entry file of the reviewed commit: keep, replace and make its drafts. */
static int sync_entry(syncer *x, const sm_plan_file *f)
{
	sm_plan_entry e;
	sm_plan_problems pr = {0};
	sm_buf data = {0};
	have_draft *h = NULL;
	size_t nh = 0, nocc = 0;
	time_t *occ = NULL;
	char version[65], *author = NULL, *reason = NULL;
	sm_draft_media *media = NULL;
	long long entry = entry_id(x, f->path);
	memset(&e, 0, sizeof e);
	int rc = entry < 0 || sm_plan_blob(x->r, f->blob, &data) < 0 ? -1 : 0, ok = 0;
	if (rc == 0) {
		sm_plan_lint l = {x->cfg, &x->pc, x->tnow};
		ok = sm_plan_entry_parse(f->path, data.s ? data.s : "", data.len, x->pc.zone, &e, &pr) == 0 &&
		     sm_plan_lint_entry(&l, &e, 0, media_here, x, &pr) == 0;
		if (ok) {
			version_of(x, &e, f->blob, version);
			sm_plan_occurrences(&e, x->tnow - (time_t)x->pc.grace, x->tnow + (time_t)x->pc.horizon,
					    10000, &occ, &nocc);
		}
		rc = load_drafts(x, entry, &h, &nh);
	}
	if (!ok && rc == 0) {
		sm_plan_problems *all = &x->out->problems;
		x->out->broken++;
		all->msg = sm_realloc(all->msg, (all->n + pr.n) * sizeof *all->msg);
		for (size_t i = 0; i < pr.n; i++)
			all->msg[all->n++] = sm_strdup(pr.msg[i]);
	}
	/* the drafts of this version, for what it says now, stay; the others are replaced */
	for (size_t i = 0; rc == 0 && i < nh; i++) {
		if (!waiting(&h[i]))
			continue;
		const char *want = ok ? sm_plan_text_for(&e, h[i].channel, sm_plan_network(x->cfg, h[i].channel)) : NULL;
		if (ok && !strcmp(h[i].version, version) && want && !strcmp(want, h[i].text))
			continue;
		if (!reason)
			reason = ok ? sm_asprintf("replaced by %s (%s changed)", x->commit, f->path)
				    : sm_asprintf("replaced by %s (%s has problems: sm-plan check)", x->commit, f->path);
		int v = void_draft(x, h[i].id, "replace", reason);
		rc = v < 0 ? -1 : 0;
		x->out->replaced += v > 0;
	}
	for (size_t c = 0; ok && rc == 0 && c < e.nchannels; c++)
		for (size_t k = 0; rc == 0 && k < nocc; k++) {
			char at[SM_TIME_LEN];
			sm_time_format(occ[k], at);
			if (covered(h, nh, e.channels[c], at, version))
				x->out->unchanged++;
			else
				rc = make_draft(x, &e, f, entry, version, e.channels[c], at, &author, &media);
		}
	sm_draft_media_free(media, e.nmedia);
	sm_plan_entry_free(&e);
	sm_plan_problems_free(&pr);
	free_drafts(h, nh);
	free(occ);
	free(author);
	free(reason);
	sm_buf_free(&data);
	return rc;
}

/* The entries no longer on the reviewed branch: their waiting drafts are withdrawn. */
static int withdraw_gone(syncer *x, const sm_plan_file *files, size_t nfiles)
{
	sqlite3_stmt *s = sm_store_sql(x->st, Q_LIVE);
	long long *gone = NULL;
	size_t ngone = 0;
	int rc = 0;
	if (!s)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(s, 1);
		size_t i = 0;
		while (i < nfiles && strcmp(files[i].path, path))
			i++;
		if (i == nfiles) {
			gone = sm_realloc(gone, (ngone + 1) * sizeof *gone);
			gone[ngone++] = sqlite3_column_int64(s, 0);
		}
	}
	sqlite3_reset(s);
	char *reason = sm_asprintf("withdrawn: the entry was deleted in %s", x->commit);
	for (size_t g = 0; rc == 0 && g < ngone; g++) {
		have_draft *h;
		size_t nh;
		rc = load_drafts(x, gone[g], &h, &nh);
		for (size_t i = 0; rc == 0 && i < nh; i++) {
			int v = waiting(&h[i]) ? void_draft(x, h[i].id, "withdraw", reason) : 0;
			rc = v < 0 ? -1 : 0;
			x->out->withdrawn += v > 0;
		}
		free_drafts(h, nh);
		if (rc == 0)
			rc = bind_done(x, Q_DELETE, gone[g], x->commit, "delete plan entry");
	}
	free(reason);
	free(gone);
	return rc;
}

static int last_synced(syncer *x, char out[41])
{
	sqlite3_stmt *s = sm_store_sql(x->st, Q_SYNCED);
	out[0] = 0;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, x->pc.branch, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(out, 41, "%s", sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	return 0;
}

static int run(syncer *x)
{
	sm_plan_file *files = NULL;
	size_t n = 0;
	char last[41];
	int found = sm_plan_resolve(x->r, NULL, x->commit);
	if (found < 0 || sm_store_begin(x->st) < 0)
		return -1;
	int rc = last_synced(x, last);
	if (rc == 0 && found == 1) { /* no reviewed branch (yet) */
		if (*last)
			rc = sm_error_code(SM_EX_CONFIG, "the reviewed branch '%s' is gone from the plan "
					   "repository (last synced: %s); nothing was withdrawn", x->pc.branch, last);
		sm_store_rollback(x->st);
		return rc;
	}
	snprintf(x->out->commit, sizeof x->out->commit, "%s", x->commit);
	if (rc == 0 && *last && strcmp(last, x->commit))
		rc = follow_renames(x, last);
	if (rc == 0)
		rc = sm_plan_files(x->r, x->commit, &files, &n);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = sync_entry(x, &files[i]);
	if (rc == 0)
		rc = withdraw_gone(x, files, n);
	sqlite3_stmt *s = rc == 0 ? sm_store_sql(x->st, Q_SET_SYNCED) : NULL;
	if (s) {
		sqlite3_bind_text(s, 1, x->pc.branch, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, x->commit, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, x->now, -1, SQLITE_STATIC);
		rc = sm_store_done(x->st, s, "plan synced");
	} else
		rc = -1;
	sm_plan_files_free(files, n);
	if (rc < 0 || sm_store_commit(x->st) < 0) {
		sm_store_rollback(x->st);
		return -1;
	}
	return 0;
}

int sm_plan_sync(const sm_workspace *ws, sm_config *cfg, sm_store *st, const char *who, const char *now,
		 sm_plan_sync_stats *out)
{
	syncer x = {.cfg = cfg, .st = st, .who = who, .now = now, .out = out};
	memset(out, 0, sizeof *out);
	if (sm_date_parse(now, &x.tnow) < 0)
		return sm_error_code(SM_EX_SOFTWARE, "sync: '%s' is not a time", now);
	if (sm_draft_may_sync_plan(cfg, who) < 0)
		return -1;
	int rc = sm_plan_conf_load(ws, cfg, NULL, &x.pc);
	if (rc == 0 && (rc = sm_policies_load(cfg, &x.pol)) == 0) {
		rc = sm_plan_open(&x.pc, &x.r);
		if (rc == 0 && (rc = sm_plan_fetch(x.r)) == 0)
			rc = run(&x);
		sm_plan_close(x.r);
		sm_policies_free(&x.pol);
	}
	sm_plan_conf_free(&x.pc);
	if (rc < 0) { /* nothing was committed: nothing to report */
		char msg[1024];
		int code = sm_errcode();
		snprintf(msg, sizeof msg, "%s", sm_errmsg());
		sm_plan_sync_stats_free(out);
		sm_error_code(code, "%s", msg);
	}
	return rc;
}

void sm_plan_sync_stats_free(sm_plan_sync_stats *s)
{
	free(s->drafts);
	sm_plan_problems_free(&s->problems);
	memset(s, 0, sizeof *s);
}
