/* store.c - the SQLite store: creation, WAL, migrations by user_version, items and cursors. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smkit.h"
#include "tap.h"

static char dir[] = "/tmp/sm-store-XXXXXX";

static const char *text(sm_store *st, const char *sql)
{
	static char buf[4096];
	sqlite3_stmt *s;
	strcpy(buf, "(none)");
	if (sqlite3_prepare_v2(sm_store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(buf, sizeof buf, "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return buf;
}

static void test_migrations(void)
{
	sm_migration m[] = {
		{"one", "CREATE TABLE a (x);"},
		{"two", "ALTER TABLE a ADD COLUMN y; INSERT INTO a VALUES (1, 2);"},
		{"three", "CREATE TABLE b (z); INSERT INTO nosuch VALUES (1);"},
	};
	char *path = sm_asprintf("%s/m.db", dir);
	sm_store *st;

	tap_int(sm_store_open(path, SM_STORE_CREATE | SM_STORE_NOMIGRATE, &st), 0, "creates a file");
	tap_int(sm_store_version(st), 0, "version 0 before migrating");
	tap_is(text(st, "PRAGMA journal_mode"), "wal", "WAL journal");
	tap_int(sm_store_migrate(st, m, 1), 0, "migrates to 1");
	tap_int(sm_store_version(st), 1, "version 1");
	tap_int(sm_store_migrate(st, m, 2), 0, "migrates from 1 to 2");
	tap_is(text(st, "SELECT y FROM a"), "2", "migration 2 ran");
	tap_int(sm_store_migrate(st, m, 2), 0, "nothing to do at 2");
	tap_is(text(st, "SELECT count(*) FROM a"), "1", "migration 2 ran once");
	tap_int(sm_store_migrate(st, m, 3), -1, "a failing migration fails");
	tap_int(sm_store_version(st), 2, "and leaves the version as it was");
	tap_is(text(st, "SELECT count(*) FROM sqlite_schema WHERE name = 'b'"), "0",
	       "and nothing of it behind");
	tap_is(text(st, "SELECT group_concat(name, ' ') FROM smkit_migrations"), "one two",
	       "the names of the migrations applied are recorded");
	sm_migration other[] = {{"one", "CREATE TABLE a (x);"}, {"deux", "CREATE TABLE c (x);"}};
	tap_int(sm_store_migrate(st, other, 2), -1, "a store another build's migrations made is refused");
	tap_int(sm_errcode(), SM_EX_CONFIG, "exit 78");
	tap_ok(strstr(sm_errmsg(), "migration 2 of the store is 'two', this build's is 'deux'") != NULL,
	       "naming the first that differs");
	sm_migration more[] = {{"one", ""}, {"deux", "CREATE TABLE c (x);"}, {"trois", "CREATE TABLE d (x);"}};
	tap_int(sm_store_migrate(st, more, 3), -1, "... also when this build has more to apply");
	tap_is(text(st, "SELECT count(*) FROM sqlite_schema WHERE name IN ('c', 'd')"), "0", "applying none");
	/* a store from before the names were kept: the version says which */
	sqlite3_exec(sm_store_db(st), "DROP TABLE smkit_migrations", NULL, NULL, NULL);
	tap_int(sm_store_migrate(st, m, 2), 0, "a store without the names: taken as its version says");
	tap_is(text(st, "SELECT group_concat(name, ' ') FROM smkit_migrations"), "one two", "and recorded");
	sqlite3_exec(sm_store_db(st), "PRAGMA user_version = 9", NULL, NULL, NULL);
	tap_int(sm_store_migrate(st, m, 2), -1, "a store of a newer smkit is refused");
	tap_ok(strstr(sm_errmsg(), "newer") != NULL, "saying so");
	sm_store_close(st);
	free(path);
}

static void test_items(void)
{
	char *path = sm_asprintf("%s/s.db", dir);
	sm_store *st;
	int is_new = -1;
	sm_cursor c = {0}, set = {"\"abc\"", "Mon, 03 Apr 2023 01:02:03 GMT", NULL};

	tap_int(sm_store_open(path, SM_STORE_CREATE, &st), 0, "creates a store with the built-in schema");
	tap_ok(sm_store_version(st) >= 1, "at the newest version");
	json_t *it = json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s}}", "id", "c:1", "channel", "c",
			       "text", "kein Internet", "fetched_at", "2026-11-23T10:00:00Z", "author",
			       "id", "feed:a", "name", "A");
	sm_store_begin(st);
	tap_int(sm_store_put_item(st, it, &is_new), 0, "put");
	tap_int(is_new, 1, "new");
	sm_store_commit(st);
	json_object_set_new(it, "fetched_at", json_string("2026-11-24T10:00:00Z"));
	sm_store_put_item(st, it, &is_new);
	tap_int(is_new, 0, "known the second time");
	tap_is(text(st, "SELECT updated_at FROM items"), "(none)", "same content: not rewritten");
	json_object_set_new(it, "text", json_string("Störung behoben"));
	sm_store_put_item(st, it, &is_new);
	tap_is(text(st, "SELECT text FROM items"), "Störung behoben", "changed content: rewritten");
	tap_is(text(st, "SELECT fetched_at FROM items"), "2026-11-23T10:00:00Z", "first fetched_at kept");
	tap_is(text(st, "SELECT json_extract(record, '$.fetched_at') FROM items"),
	       "2026-11-23T10:00:00Z", "in the record too");
	tap_is(text(st, "SELECT count(*) FROM items_fts WHERE items_fts MATCH 'storung'"), "1",
	       "full-text index follows the update");
	tap_is(text(st, "SELECT count(*) FROM items_fts WHERE items_fts MATCH 'internet'"), "0",
	       "and forgets the old text");
	tap_is(text(st, "SELECT name FROM authors WHERE id = 'feed:a'"), "A", "author stored");
	json_decref(it);

	tap_int(sm_store_cursor_get(st, "c", "http://x/", &c), 0, "no cursor yet");
	tap_ok(c.etag == NULL, "empty");
	tap_int(sm_store_cursor_set(st, "c", "http://x/", &set), 0, "set cursor");
	sm_store_note_error(st, "c", "http://x/", "HTTP 500");
	sm_store_cursor_get(st, "c", "http://x/", &c);
	tap_is(c.etag, "\"abc\"", "etag back, an error noted later leaves it");
	tap_is(c.last_modified, set.last_modified, "last-modified back");
	tap_is(text(st, "SELECT error FROM cursors"), "HTTP 500", "error noted");
	sm_cursor_free(&c);
	tap_is(text(st, "PRAGMA integrity_check"), "ok", "integrity");
	sm_store_close(st);

	/* a second open finds it migrated and changes nothing */
	tap_int(sm_store_open(path, 0, &st), 0, "reopens");
	tap_is(text(st, "SELECT count(*) FROM items"), "1", "item still there");
	sm_store_close(st);
	tap_int(sm_store_open("/nonexistent/dir/s.db", SM_STORE_CREATE, &st), -1, "uncreatable store");
	tap_int(sm_errcode(), SM_EX_CANTCREAT, "exit status 73");
	free(path);
}

static int kept_back(sm_store *st, void *ctx)
{
	(void)st;
	return (*(int *)ctx)++, 0;
}

/* Work kept for the commit; commits checkpointed by a thread of their own. */
static void test_commits(void)
{
	char *path = sm_asprintf("%s/c.db", dir), *wal = sm_asprintf("%s-wal", path);
	sm_store *st;
	int ran = 0;
	tap_int(sm_store_open(path, SM_STORE_CREATE, &st), 0, "a store for commits");
	tap_int(sm_store_before_commit(st, kept_back, &ran), -1, "work for a commit, outside one: refused");
	struct stat db;
	off_t before = stat(path, &db) == 0 ? db.st_size : -1;
	tap_int(sm_store_checkpoint_behind(st), 0, "a checkpointing thread");
	for (int i = 0; i < 50; i++) {
		char id[32];
		snprintf(id, sizeof id, "c:%d", i);
		json_t *it = json_pack("{s:s,s:s,s:s}", "id", id, "channel", "c", "text", "eine Zeile Text");
		int is_new;
		sm_store_begin(st);
		sm_store_before_commit(st, kept_back, &ran);
		sm_store_before_commit(st, kept_back, &ran); /* the same twice: once */
		sm_store_put_item(st, it, &is_new);
		if (i == 7)
			sm_store_rollback(st);
		else
			sm_store_commit(st);
		json_decref(it);
	}
	tap_int(ran, 49, "the work ran once a commit, and not for the one rolled back");
	/* the thread copies the commits into the database while the store is open: the file
	   grows (its checkpoints once did nothing, the WAL grew to the size of every write and
	   was copied only when the store closed) */
	int grew = 0;
	for (int i = 0; i < 500 && !grew; i++) {
		grew = stat(path, &db) == 0 && db.st_size > before;
		if (!grew)
			usleep(10000);
	}
	tap_ok(grew, "checkpointed behind the commits, before the store closes");
	tap_is(text(st, "SELECT count(*) FROM items"), "49", "what was committed");
	sm_store_close(st);
	tap_ok(access(wal, F_OK) != 0, "closed: everything is in the database, no WAL left");
	tap_int(sm_store_open(path, 0, &st), 0, "reopens");
	tap_is(text(st, "SELECT count(*) FROM items_fts WHERE items_fts MATCH 'zeile'"), "49",
	       "the items, indexed");
	tap_is(text(st, "PRAGMA integrity_check"), "ok", "integrity");
	sm_store_close(st);
	free(wal);
	free(path);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	test_migrations();
	test_items();
	test_commits();
	char *cmd = sm_asprintf("rm -rf %s", dir);
	if (system(cmd) != 0)
		tap_ok(0, "clean up");
	free(cmd);
	return tap_done();
}
