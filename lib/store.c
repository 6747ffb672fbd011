/*
 * store.c - the SQLite store: opening it (WAL, busy timeout, migrations to the schema
 * this build knows), and the statements for items, authors, channels and cursors.
 * All SQL of these tables lives here, as prepared statements.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <sqlite3.h>

#include "smkit.h"

enum {
	Q_ITEM_INSERT, Q_ITEM_UPDATE, Q_AUTHOR, Q_CURSOR_GET, Q_CURSOR_SET, Q_CURSOR_ERROR,
	Q_CHANNEL, Q_ANNOTATE, Q_EACH, Q_ITEM, Q_THREAD_FIND, Q_FTS, Q_FTS_BATCH, Q_MAX_ROWID,
	Q_DATA_VERSION, NQ
};

static const char *const sql[NQ] = {
	[Q_ITEM_INSERT] =
		"INSERT INTO items (id, channel, network, kind, ext_id, url, thread, in_reply_to,"
		" author_id, title, text, lang, created_at, fetched_at, record)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
		" ON CONFLICT (id) DO NOTHING",
	/* a known item: rewrite it only when something but fetched_at changed, keeping
	   the first fetched_at */
	[Q_ITEM_UPDATE] =
		"UPDATE items SET network = ?3, kind = ?4, ext_id = ?5, url = ?6, thread = ?7,"
		" in_reply_to = ?8, author_id = ?9, title = ?10, text = ?11, lang = ?12,"
		" created_at = ?13, record = json_set(?15, '$.fetched_at', fetched_at),"
		" updated_at = ?14"
		" WHERE id = ?1 AND record IS NOT ?15 AND json_remove(record, '$.fetched_at')"
		" IS NOT json_remove(?15, '$.fetched_at')",
	[Q_AUTHOR] =
		"INSERT INTO authors (id, network, handle, name, first_seen, last_seen)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (id) DO UPDATE SET"
		" handle = coalesce(excluded.handle, handle), name = coalesce(excluded.name, name),"
		" last_seen = max(last_seen, excluded.last_seen)",
	[Q_CURSOR_GET] =
		"SELECT etag, last_modified, cursor FROM cursors WHERE channel = ?1 AND source = ?2",
	[Q_CURSOR_SET] =
		"INSERT INTO cursors (channel, source, etag, last_modified, cursor, fetched_at, ok_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (channel, source) DO UPDATE SET"
		" etag = excluded.etag, last_modified = excluded.last_modified,"
		" cursor = excluded.cursor, fetched_at = excluded.fetched_at,"
		" ok_at = excluded.ok_at, error = NULL",
	[Q_CURSOR_ERROR] =
		"INSERT INTO cursors (channel, source, fetched_at, error) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT (channel, source) DO UPDATE SET"
		" fetched_at = excluded.fetched_at, error = excluded.error",
	/* only a change is written: re-matching unchanged items costs no write */
	[Q_ANNOTATE] =
		"UPDATE items SET tags = ?2, priority = ?3, team = ?4, rules = ?5, dropped = ?6,"
		" matched_at = ?7 WHERE id = ?1 AND (tags IS NOT ?2 OR priority IS NOT ?3"
		" OR team IS NOT ?4 OR rules IS NOT ?5 OR dropped IS NOT ?6)",
	[Q_EACH] =
		"SELECT rowid, record, tags, priority, team, rules, dropped FROM items"
		" WHERE rowid > ?1 AND (?2 IS NULL OR created_at >= ?2) ORDER BY rowid LIMIT ?3",
	[Q_ITEM] = "SELECT record FROM items WHERE id = ?1",
	/* the index of a new item: here, not in a trigger (see migration 0005) */
	[Q_FTS] = "INSERT INTO items_fts (rowid, title, text) VALUES (?1, ?2, ?3)",
	/* in a transaction, at commit: every item it added, in one statement, which FTS5 takes
	   as one batch of terms instead of a flush per row */
	[Q_FTS_BATCH] = "INSERT INTO items_fts (rowid, title, text) SELECT rowid, title, text"
			" FROM items WHERE rowid > ?1",
	[Q_MAX_ROWID] = "SELECT coalesce(max(rowid), 0) FROM items",
	[Q_DATA_VERSION] = "PRAGMA data_version",
	[Q_THREAD_FIND] = "SELECT record FROM items WHERE thread = ?1 AND json_extract(record, ?2) = ?3"
			  " ORDER BY rowid LIMIT 1",
	[Q_CHANNEL] =
		"INSERT INTO channels (name, kind) VALUES (?1, ?2)"
		" ON CONFLICT (name) DO UPDATE SET kind = excluded.kind WHERE kind IS NOT excluded.kind",
};

struct sm_store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *q[NQ];
	struct { const char *sql; sqlite3_stmt *s; } *more; /* sm_store_sql's cache */
	size_t nmore;
	int in_tx;              /* between sm_store_begin and commit or rollback */
	unsigned long tx;       /* counts the transactions begun */
	sqlite3_int64 fts_from; /* the items above this rowid are indexed at commit */
	struct { sm_commit_fn fn; void *ctx; } hook[4]; /* sm_store_before_commit */
	int nhooks;
	struct checkpointer *ckpt; /* sm_store_checkpoint_behind */
};

/* sm_store_checkpoint_behind: a thread with a connection of its own that copies what the
   commits wrote into the WAL on into the database, woken by each commit. The writer starts
   the WAL again from its beginning only when a transaction begins with every frame copied;
   should that keep missing, the WAL grows (and every page read searches more of its index):
   past WAL_MAX_PAGES frames, the next transaction waits for the checkpoint to end first. */
enum { WAL_MAX_PAGES = 32768 };
struct checkpointer {
	sqlite3 *db;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_cond_t idle;         /* a checkpoint ended */
	unsigned long commits, done; /* commits signalled, and checkpointed up to */
	int stop, running;
	int wal_pages;               /* frames in the WAL after the writer's last commit */
};

static void *checkpoint_loop(void *arg)
{
	struct checkpointer *c = arg;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->stop && c->done == c->commits)
			pthread_cond_wait(&c->wake, &c->lock);
		if (c->stop)
			break;
		c->done = c->commits;
		c->running = 1;
		pthread_mutex_unlock(&c->lock);
		/* PASSIVE: never waits for the writer, takes what is committed */
		sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&c->lock);
		c->running = 0;
		pthread_cond_broadcast(&c->idle);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static void checkpointer_stop(sm_store *st)
{
	struct checkpointer *c = st->ckpt;
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->stop = 1;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	sqlite3_close(c->db);
	pthread_cond_destroy(&c->wake);
	pthread_cond_destroy(&c->idle);
	pthread_mutex_destroy(&c->lock);
	free(c);
	st->ckpt = NULL;
	sqlite3_wal_autocheckpoint(st->db, 1000); /* SQLite's default again */
}

static void checkpointer_wake(sm_store *st)
{
	struct checkpointer *c = st->ckpt;
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	c->commits++;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
}

/* The exit status a failed SQLite call deserves (SPEC §5). */
static int db_code(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL:
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_IOERR:
		return SM_EX_TEMPFAIL;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		return SM_EX_CANTCREAT;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return SM_EX_DATAERR;
	default:
		return SM_EX_SOFTWARE;
	}
}

/* An I/O error on a full file system (the -shm or -wal could not grow) says so. */
static const char *no_space(const char *path, int rc)
{
	char *dir = sm_strdup(path), *slash = strrchr(dir, '/');
	struct statvfs fs;
	int full = 0;
	if (slash)
		slash == dir ? (void)(dir[1] = 0) : (void)(*slash = 0);
	if ((rc & 0xff) == SQLITE_IOERR && statvfs(slash ? dir : ".", &fs) == 0)
		full = (unsigned long long)fs.f_bavail * fs.f_frsize < 1024 * 1024;
	free(dir);
	return full ? " (no space left on its file system)" : "";
}

static int db_error(sm_store *st, const char *what)
{
	int rc = sqlite3_extended_errcode(st->db);
	return sm_error_code(db_code(rc), "%s: %s: %s%s", st->path, what, sqlite3_errmsg(st->db),
			     no_space(st->path, rc));
}

static sqlite3_stmt *stmt(sm_store *st, int q)
{
	if (!st->q[q] && sqlite3_prepare_v3(st->db, sql[q], -1, SQLITE_PREPARE_PERSISTENT,
					    &st->q[q], NULL) != SQLITE_OK) {
		db_error(st, "prepare");
		return NULL;
	}
	sqlite3_reset(st->q[q]);
	sqlite3_clear_bindings(st->q[q]);
	return st->q[q];
}

static int exec(sm_store *st, const char *s, const char *what)
{
	return sqlite3_exec(st->db, s, NULL, NULL, NULL) == SQLITE_OK ? 0 : db_error(st, what);
}

int sm_store_version(sm_store *st)
{
	sqlite3_stmt *s;
	int v = -1;
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* A migration's name as recorded: its file name without the directory. */
static const char *base_name(const char *name)
{
	const char *slash = strrchr(name, '/');
	return slash ? slash + 1 : name;
}

static int record_name(sm_store *st, int position, const char *name)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO smkit_migrations (position, name) VALUES (?1, ?2)",
			       -1, &s, NULL) != SQLITE_OK)
		return db_error(st, "migrations");
	sqlite3_bind_int(s, 1, position);
	sqlite3_bind_text(s, 2, base_name(name), -1, SQLITE_STATIC);
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : db_error(st, "migrations");
	sqlite3_finalize(s);
	return rc;
}

/* Without writing: 1 when the store has the names of its v migrations and they are this
   build's, 0 when it lacks some (check_names writes them), -1 when one is not this build's. */
static int names_match(sm_store *st, const sm_migration *m, int v)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT position, name FROM smkit_migrations ORDER BY position",
			       -1, &s, NULL) != SQLITE_OK)
		return 0; /* no table yet */
	int k = 0, rc = 1;
	while (rc == 1 && sqlite3_step(s) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 1);
		if (sqlite3_column_int(s, 0) != k || k >= v || strcmp(name ? name : "", base_name(m[k].name)))
			rc = sm_error_code(SM_EX_CONFIG, "%s: migration %d of the store is '%s', this build's "
					   "is '%s': the store was made by another build of smkit",
					   st->path, k + 1, name ? name : "", k < v ? base_name(m[k].name) : "none");
		k++;
	}
	sqlite3_finalize(s);
	return rc == 1 && k < v ? 0 : rc;
}

static int names_count(sm_store *st)
{
	sqlite3_stmt *s;
	int n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM smkit_migrations", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* The names of the migrations applied are recorded (smkit_migrations): the version alone
   (user_version, their count) would take a store made by a build with other migrations
   for one of this build's, and apply the wrong ones to it. A store from before the table
   gets it, with the names this build gives its first migrations, which is what its
   version said. Run in a write transaction; -1 when the store's names are not this
   build's. */
static int check_names(sm_store *st, const sm_migration *m, int v)
{
	if (exec(st, "CREATE TABLE IF NOT EXISTS smkit_migrations (position INTEGER PRIMARY KEY,"
		     " name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT"
		     " (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))", "migrations") < 0)
		return -1;
	int rc = names_match(st, m, v);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	/* a store from before the names were kept: those its version counts */
	for (int k = names_count(st); rc == 0 && k < v; k++)
		rc = record_name(st, k, m[k].name);
	return rc;
}

int sm_store_migrate(sm_store *st, const sm_migration *m, int n)
{
	int v = sm_store_version(st);
	if (v > n)
		return sm_error_code(SM_EX_CONFIG, "%s: store is of a newer smkit (version %d, this "
				     "build knows %d)", st->path, v, n);
	for (int first = 1; first || v < n; first = 0) {
		/* the usual store: migrated, with the names of this build's migrations */
		if (first && v == n) {
			int match = names_match(st, m, v);
			if (match != 0)
				return match < 0 ? -1 : 0;
		}
		/* a plain transaction: the tables sm_store_begin looks at may not exist yet */
		if (exec(st, "BEGIN IMMEDIATE", "begin") < 0)
			return -1;
		v = sm_store_version(st); /* another process may have migrated meanwhile */
		int rc = check_names(st, m, v);
		if (rc == 0 && v < n) {
			char *pragma = sm_asprintf("PRAGMA user_version = %d", v + 1);
			rc = exec(st, m[v].sql, m[v].name);
			if (rc == 0)
				rc = record_name(st, v, m[v].name);
			if (rc == 0)
				rc = exec(st, pragma, m[v].name);
			free(pragma);
		}
		if (rc < 0) {
			sm_store_rollback(st);
			return -1;
		}
		if (exec(st, "COMMIT", "commit") < 0)
			return -1;
		v = sm_store_version(st);
	}
	return 0;
}

/* The migrations compiled into this build: schema.sql, then share/migrations/ in order. */
static int builtin_migrations(sm_migration *m, int max)
{
	int n = 0;
	m[n].name = "share/schema.sql";
	m[n++].sql = sm_embedded("share/schema.sql");
	for (const char *name; n < max && (name = sm_embedded_nth("share/migrations/", n - 1));) {
		m[n].name = name;
		m[n++].sql = sm_embedded(name);
	}
	return n;
}

/* A store to write must be writable, and so must its directory (the WAL and its index
   are files beside it); SQLite would open it read-only and fail later, less clearly. */
static int writable(sm_store *st)
{
	char *dir = sm_strdup(st->path), *slash = strrchr(dir, '/');
	const char *what = NULL;
	int err = 0;
	if (slash)
		slash == dir ? (void)(dir[1] = 0) : (void)(*slash = 0);
	if (access(st->path, W_OK) < 0 && errno != ENOENT)
		err = errno, what = "";
	else if (access(slash ? dir : ".", W_OK) < 0)
		err = errno, what = "its directory: ";
	else if (sqlite3_db_readonly(st->db, "main") == 1)
		what = "", err = EROFS;
	free(dir);
	if (!what)
		return 0;
	return sm_error_code(SM_EX_CANTCREAT, "store '%s' cannot be written: %s%s", st->path, what,
			     strerror(err));
}

/*
 * A new store takes its access from its directory: the owner reads and writes; the group
 * reads if the directory lets it read, writes if it may write there (a team's workspace,
 * 2770); others never (it holds customer data). It joins the directory's group where the
 * creator may. SQLite gives the -wal and -shm files the store's mode.
 */
static void new_store_mode(const char *path)
{
	char *dir = sm_strdup(path), *slash = strrchr(dir, '/');
	struct stat d, f;
	if (slash)
		slash == dir ? (void)(dir[1] = 0) : (void)(*slash = 0);
	if (stat(slash ? dir : ".", &d) == 0 && stat(path, &f) == 0) {
		if (f.st_gid != d.st_gid && chown(path, (uid_t)-1, d.st_gid) < 0)
			d.st_mode &= ~(mode_t)S_IRWXG; /* another group: it gets nothing */
		chmod(path, (mode_t)(S_IRUSR | S_IWUSR | (d.st_mode & S_IRGRP) | (d.st_mode & S_IWGRP)));
	}
	free(dir);
}

/* Before SQLite's first use: no count of the memory it holds, which nothing here reads
   and which takes a lock for every allocation (4.5% of sm-assign's instructions). */
static pthread_once_t configured = PTHREAD_ONCE_INIT;
static void configure_sqlite(void) { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

int sm_store_open(const char *path, int flags, sm_store **out)
{
	sm_migration m[64];
	struct stat before;
	int created = (flags & SM_STORE_CREATE) && stat(path, &before) < 0 && errno == ENOENT;
	int oflags = flags & SM_STORE_READONLY ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
	if (flags & SM_STORE_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	sm_store *st = sm_calloc(1, sizeof *st);
	st->path = sm_strdup(path);
	*out = NULL;
	pthread_once(&configured, configure_sqlite);
	if (sqlite3_open_v2(path, &st->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		int rc = sqlite3_extended_errcode(st->db);
		sm_error_code(db_code(rc) == SM_EX_SOFTWARE ? SM_EX_CANTCREAT : db_code(rc),
			      "unable to open store '%s': %s", path, sqlite3_errmsg(st->db));
		sm_store_close(st);
		return -1;
	}
	sqlite3_busy_timeout(st->db, 60000);
	sqlite3_extended_result_codes(st->db, 1);
	if (created)
		new_store_mode(path);
	if ((!(flags & SM_STORE_READONLY) && writable(st) < 0) ||
	    (!(flags & SM_STORE_READONLY) && exec(st, "PRAGMA journal_mode = WAL", "journal") < 0) ||
	    exec(st, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
			  " PRAGMA cache_size = -32768", "pragma") < 0 ||
	    (!(flags & (SM_STORE_READONLY | SM_STORE_NOMIGRATE)) &&
	     sm_store_migrate(st, m, builtin_migrations(m, 64)) < 0)) {
		sm_store_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

void sm_store_close(sm_store *st)
{
	if (!st)
		return;
	checkpointer_stop(st);
	for (int i = 0; i < NQ; i++)
		sqlite3_finalize(st->q[i]);
	for (size_t i = 0; i < st->nmore; i++)
		sqlite3_finalize(st->more[i].s);
	free(st->more);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

void *sm_store_db(sm_store *st) { return st->db; }

static int step_done(sm_store *st, sqlite3_stmt *s, const char *what);

/* Before a transaction: a WAL grown past its bound waits for the checkpoint under way. */
static void checkpointer_wait(sm_store *st)
{
	struct checkpointer *c = st->ckpt;
	if (!c || c->wal_pages < WAL_MAX_PAGES)
		return;
	pthread_mutex_lock(&c->lock);
	while (c->running || c->done != c->commits)
		pthread_cond_wait(&c->idle, &c->lock);
	pthread_mutex_unlock(&c->lock);
}

/* after each commit, in the writer's thread: how long the WAL is */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	(void)db;
	(void)name;
	((struct checkpointer *)arg)->wal_pages = pages;
	return SQLITE_OK;
}

int sm_store_begin(sm_store *st)
{
	checkpointer_wait(st);
	if (exec(st, "BEGIN IMMEDIATE", "begin") < 0)
		return -1;
	sqlite3_stmt *s = stmt(st, Q_MAX_ROWID);
	if (!s || sqlite3_step(s) != SQLITE_ROW) {
		if (s)
			sqlite3_reset(s);
		sm_store_rollback(st);
		return db_error(st, "begin");
	}
	st->fts_from = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	static _Atomic unsigned long txs; /* unique in the process: a store at a reused address
					     never sees an older store's number */
	st->in_tx = 1;
	st->tx = ++txs;
	st->nhooks = 0;
	return 0;
}

unsigned long sm_store_tx(sm_store *st) { return st->in_tx ? st->tx : 0; }

int sm_store_before_commit(sm_store *st, sm_commit_fn fn, void *ctx)
{
	for (int i = 0; i < st->nhooks; i++)
		if (st->hook[i].fn == fn && st->hook[i].ctx == ctx)
			return 0;
	if (!st->in_tx || st->nhooks == (int)(sizeof st->hook / sizeof st->hook[0]))
		return sm_error("%s: no room for work at commit", st->path);
	st->hook[st->nhooks].fn = fn;
	st->hook[st->nhooks++].ctx = ctx;
	return 0;
}

int sm_store_commit(sm_store *st)
{
	/* what modules kept back, first: it may add rows to index */
	for (int i = 0; i < st->nhooks; i++)
		if (st->hook[i].fn(st, st->hook[i].ctx) < 0)
			return -1;
	st->nhooks = 0;
	sqlite3_stmt *s = st->in_tx ? stmt(st, Q_FTS_BATCH) : NULL;
	if (st->in_tx) {
		if (!s)
			return -1;
		sqlite3_bind_int64(s, 1, st->fts_from);
		if (step_done(st, s, "index items") < 0)
			return -1;
	}
	st->in_tx = 0;
	if (exec(st, "COMMIT", "commit") < 0)
		return -1;
	checkpointer_wake(st);
	return 0;
}

int sm_store_checkpoint_behind(sm_store *st)
{
	struct checkpointer *c = sm_calloc(1, sizeof *c);
	if (st->ckpt) {
		free(c);
		return 0;
	}
	if (sqlite3_open_v2(st->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		sqlite3_close(c->db);
		free(c);
		return sm_error_code(SM_EX_CANTCREAT, "unable to open store '%s' to checkpoint", st->path);
	}
	/* a connection knows the store is in WAL mode only once it has read it: until then its
	   checkpoints do nothing at all (and report 0, with -1 frames) */
	if (sqlite3_exec(c->db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_close(c->db);
		free(c);
		return 0; /* the commits checkpoint as they did */
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	pthread_cond_init(&c->idle, NULL);
	if (pthread_create(&c->thread, NULL, checkpoint_loop, c) != 0) {
		sqlite3_close(c->db);
		pthread_cond_destroy(&c->wake);
		pthread_cond_destroy(&c->idle);
		pthread_mutex_destroy(&c->lock);
		free(c);
		return 0; /* the commits checkpoint as they did */
	}
	st->ckpt = c;
	sqlite3_wal_autocheckpoint(st->db, 0);
	sqlite3_wal_hook(st->db, wal_hook, c);
	return 0;
}

void sm_store_rollback(sm_store *st)
{
	st->in_tx = 0;
	st->nhooks = 0;
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static void bind_col(sqlite3_stmt *s, int i, const sm_item_row *row, int col)
{
	if (row->v[col])
		sqlite3_bind_text(s, i, row->v[col], (int)row->len[col], SQLITE_STATIC);
}

static int step_done(sm_store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : db_error(st, what);
}

static int put_author(sm_store *st, const sm_item_row *row)
{
	sqlite3_stmt *s = stmt(st, Q_AUTHOR);
	if (!s)
		return -1;
	bind_col(s, 1, row, SM_COL_AUTHOR_ID);
	bind_col(s, 2, row, SM_COL_NETWORK);
	bind_col(s, 3, row, SM_COL_AUTHOR_HANDLE);
	bind_col(s, 4, row, SM_COL_AUTHOR_NAME);
	bind_col(s, 5, row, SM_COL_CREATED_AT);
	return step_done(st, s, "author");
}

static void bind_item(sqlite3_stmt *s, const sm_item_row *row)
{
	static const int order[] = {
		SM_COL_ID, SM_COL_CHANNEL, SM_COL_NETWORK, SM_COL_KIND, SM_COL_EXT_ID, SM_COL_URL,
		SM_COL_THREAD, SM_COL_IN_REPLY_TO, SM_COL_AUTHOR_ID, SM_COL_TITLE, SM_COL_TEXT,
		SM_COL_LANG, SM_COL_CREATED_AT, SM_COL_FETCHED_AT, SM_COL_RECORD,
	};
	for (int i = 0; i < (int)(sizeof order / sizeof order[0]); i++)
		bind_col(s, i + 1, row, order[i]);
}

int sm_store_put_row(sm_store *st, const sm_item_row *row, int *is_new)
{
	sqlite3_stmt *s;
	char now[SM_TIME_LEN];

	if (row->v[SM_COL_AUTHOR_ID] && put_author(st, row) < 0)
		return -1;
	if (!(s = stmt(st, Q_ITEM_INSERT)))
		return -1;
	bind_item(s, row);
	if (!row->v[SM_COL_FETCHED_AT])
		sqlite3_bind_text(s, 14, sm_time_format(sm_now(), now), -1, SQLITE_TRANSIENT);
	if (step_done(st, s, "insert item") < 0)
		return -1;
	*is_new = sqlite3_changes(st->db) > 0;
	if (*is_new) {
		if (st->in_tx) /* indexed with the others at commit */
			return 0;
		if (!(s = stmt(st, Q_FTS)))
			return -1;
		sqlite3_bind_int64(s, 1, sqlite3_last_insert_rowid(st->db));
		bind_col(s, 2, row, SM_COL_TITLE);
		bind_col(s, 3, row, SM_COL_TEXT);
		return step_done(st, s, "index item");
	}
	if (!(s = stmt(st, Q_ITEM_UPDATE)))
		return -1;
	bind_item(s, row);
	sqlite3_bind_text(s, 14, sm_time_format(sm_now(), now), -1, SQLITE_TRANSIENT);
	return step_done(st, s, "update item");
}

int sm_store_put_item(sm_store *st, json_t *item, int *is_new)
{
	sm_item_row row;
	if (sm_item_flatten(item, &row) < 0)
		return -1;
	int rc = sm_store_put_row(st, &row, is_new);
	sm_item_row_free(&row);
	return rc;
}

static char *col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? sm_strdup((const char *)t) : NULL;
}

int sm_store_cursor_get(sm_store *st, const char *channel, const char *source, sm_cursor *c)
{
	sqlite3_stmt *s = stmt(st, Q_CURSOR_GET);
	memset(c, 0, sizeof *c);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, source, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		c->etag = col_dup(s, 0);
		c->last_modified = col_dup(s, 1);
		c->cursor = col_dup(s, 2);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_error(st, "cursor");
}

int sm_store_cursor_set(sm_store *st, const char *channel, const char *source, const sm_cursor *c)
{
	char now[SM_TIME_LEN];
	sqlite3_stmt *s = stmt(st, Q_CURSOR_SET);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, c->etag, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, c->last_modified, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, c->cursor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, sm_time_format(sm_now(), now), -1, SQLITE_TRANSIENT);
	return step_done(st, s, "cursor");
}

int sm_store_note_error(sm_store *st, const char *channel, const char *source, const char *err)
{
	char now[SM_TIME_LEN];
	sqlite3_stmt *s = stmt(st, Q_CURSOR_ERROR);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, sm_time_format(sm_now(), now), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, err, -1, SQLITE_STATIC);
	return step_done(st, s, "cursor error");
}

int sm_store_channel_seen(sm_store *st, const char *channel, const char *kind)
{
	sqlite3_stmt *s = stmt(st, Q_CHANNEL);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, kind, -1, SQLITE_STATIC);
	return step_done(st, s, "channel");
}

void sm_cursor_free(sm_cursor *c)
{
	free(c->etag);
	free(c->last_modified);
	free(c->cursor);
	memset(c, 0, sizeof *c);
}

int sm_store_annotate(sm_store *st, const char *id, const sm_annotation *a, int *changed)
{
	char now[SM_TIME_LEN];
	sqlite3_stmt *s = stmt(st, Q_ANNOTATE);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, a->tags, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, a->priority, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, a->team, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, a->rules, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, a->dropped);
	sqlite3_bind_text(s, 7, sm_time_format(sm_now(), now), -1, SQLITE_TRANSIENT);
	if (step_done(st, s, "annotate") < 0)
		return -1;
	if (changed)
		*changed = sqlite3_changes(st->db) > 0;
	return 0;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* Batches of rows, so the callback may write to the store between them. */
int sm_store_each_item(sm_store *st, const char *since, sm_item_fn fn, void *ctx)
{
	enum { BATCH = 2000 };
	sqlite3_int64 last = 0;
	for (;;) {
		sqlite3_stmt *s = stmt(st, Q_EACH);
		if (!s)
			return -1;
		sqlite3_bind_int64(s, 1, last);
		sqlite3_bind_text(s, 2, since, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, BATCH);
		/* copy the batch out before calling back: the statement must be reset first */
		size_t n = 0;
		struct row { sqlite3_int64 rowid; char *c[6]; int dropped; } *rows = sm_calloc(BATCH, sizeof *rows);
		int rc;
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			rows[n].rowid = sqlite3_column_int64(s, 0);
			for (int i = 0; i < 5; i++)
				rows[n].c[i] = col_text(s, i + 1) ? sm_strdup(col_text(s, i + 1)) : NULL;
			rows[n++].dropped = sqlite3_column_int(s, 6);
		}
		sqlite3_reset(s);
		int err = rc != SQLITE_DONE ? db_error(st, "read items") : 0;
		for (size_t i = 0; i < n && !err; i++) {
			sm_annotation a = {rows[i].c[1], rows[i].c[2], rows[i].c[3], rows[i].c[4], rows[i].dropped};
			err = fn(rows[i].c[0], &a, ctx);
		}
		for (size_t i = 0; i < n; i++)
			for (int k = 0; k < 5; k++)
				free(rows[i].c[k]);
		if (n)
			last = rows[n - 1].rowid;
		free(rows);
		if (err)
			return -1;
		if (n < BATCH)
			return 0;
	}
}

sqlite3_stmt *sm_store_sql(sm_store *st, const char *text)
{
	for (size_t i = 0; i < st->nmore; i++)
		if (st->more[i].sql == text) {
			sqlite3_reset(st->more[i].s);
			sqlite3_clear_bindings(st->more[i].s);
			return st->more[i].s;
		}
	sqlite3_stmt *s;
	if (sqlite3_prepare_v3(st->db, text, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
		db_error(st, "prepare");
		return NULL;
	}
	st->more = sm_realloc(st->more, (st->nmore + 1) * sizeof *st->more);
	st->more[st->nmore].sql = text;
	st->more[st->nmore++].s = s;
	return s;
}

int sm_store_done(sm_store *st, sqlite3_stmt *s, const char *what)
{
	return step_done(st, s, what);
}

int sm_store_fail(sm_store *st, const char *what) { return db_error(st, what); }

long long sm_store_data_version(sm_store *st)
{
	sqlite3_stmt *s = stmt(st, Q_DATA_VERSION);
	if (!s)
		return -1;
	long long v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_reset(s);
	return v < 0 ? db_error(st, "data_version") : v;
}

long long sm_store_last_id(sm_store *st) { return sqlite3_last_insert_rowid(st->db); }
int sm_store_changes(sm_store *st) { return sqlite3_changes(st->db); }

int sm_store_copy(sm_store *st, const char *path)
{
	sqlite3 *to;
	if (sqlite3_open(path, &to) != SQLITE_OK) {
		sqlite3_close(to);
		return sm_error_code(SM_EX_CANTCREAT, "unable to create '%s'", path);
	}
	sqlite3_backup *b = sqlite3_backup_init(to, "main", st->db, "main");
	int rc = b ? sqlite3_backup_step(b, -1) : SQLITE_ERROR;
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE)
		sm_error_code(SM_EX_CANTCREAT, "unable to copy the store: %s", sqlite3_errmsg(to));
	sqlite3_close(to);
	return rc == SQLITE_DONE ? 0 : -1;
}

json_t *sm_store_item(sm_store *st, const char *id)
{
	sqlite3_stmt *s = stmt(st, Q_ITEM);
	json_t *rec = NULL;
	if (!s)
		return NULL;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		rec = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL);
	sqlite3_reset(s);
	return rec;
}

json_t *sm_store_thread_find(sm_store *st, const char *thread, const char *path, long long value)
{
	sqlite3_stmt *s = stmt(st, Q_THREAD_FIND);
	json_t *rec = NULL;
	if (!s)
		return NULL;
	sqlite3_bind_text(s, 1, thread, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, value);
	if (sqlite3_step(s) == SQLITE_ROW)
		rec = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL);
	sqlite3_reset(s);
	return rec;
}
