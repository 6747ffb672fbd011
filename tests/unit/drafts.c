/* drafts.c - the approval library: drafts and approvals bound to a hash, what sm-publish
   may release (sm_draft_releasable) after the store was changed behind its back, the audit
   chain against altered, deleted, inserted and swapped entries, the editor and templates. */
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drafts.h"
#include "tap.h"

static char dir[] = "/tmp/sm-drafts-XXXXXX";
static const char NOW[] = "2026-11-23T10:00:00Z";
static sm_store *st;
static sm_config *cfg;
static sm_policies pol;

static int sql(const char *q)
{
	char *err = NULL;
	int rc = sqlite3_exec(sm_store_db(st), q, NULL, NULL, &err);
	if (rc != SQLITE_OK)
		printf("# sql: %s: %s\n", q, err ? err : "?");
	sqlite3_free(err);
	return rc == SQLITE_OK ? 0 : -1;
}

static const char *text(const char *q)
{
	static char buf[4096];
	sqlite3_stmt *s;
	strcpy(buf, "(none)");
	if (sqlite3_prepare_v2(sm_store_db(st), q, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_text(s, 0))
		snprintf(buf, sizeof buf, "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return buf;
}

static void setup(void)
{
	char *path = sm_asprintf("%s/config", dir);
	FILE *fp = fopen(path, "w");
	fputs("[agent \"alice\"]\n\tteam = support\n"
	      "[agent \"bob\"]\n\trole = approver\n"
	      "[agent \"carol\"]\n\trole = approver\n"
	      "[agent \"dave\"]\n\trole = approver\n"
	      "[policy \"press\"]\n\ttag = press\n\tapprovals = 2\n",
	      fp);
	fclose(fp);
	if (sm_config_open(path, &cfg) < 0 || sm_policies_load(cfg, &pol) < 0)
		printf("# config: %s\n", sm_errmsg());
	free(path);
	path = sm_asprintf("%s/store.db", dir);
	tap_int(sm_store_open(path, SM_STORE_CREATE, &st), 0, "a store");
	free(path);
	const char *items[] = {"s:1", "s:2"};
	for (int i = 0; i < 2; i++) {
		json_t *it = json_pack("{s:s,s:s,s:s,s:{s:s,s:s},s:s}", "id", items[i], "channel", "support",
				       "text", "kein Internet", "author", "id", "k", "name", "Kunde",
				       "created_at", "2026-11-23T09:00:00Z");
		int is_new;
		sm_store_put_item(st, it, &is_new);
		json_decref(it);
	}
	sql("UPDATE items SET tags = '[\"press\"]' WHERE id = 's:2'");
}

static long long create(const char *who, const char *reply_to, const char *text_, const char *at)
{
	sm_draft_spec spec = {.reply_to = reply_to, .text = text_, .at = at};
	long long id = -1;
	sm_store_begin(st);
	if (sm_draft_create(st, cfg, &pol, who, &spec, &id, NOW) < 0) {
		printf("# create: %s\n", sm_errmsg());
		sm_store_rollback(st);
		return -1;
	}
	sm_store_commit(st);
	return id;
}

static int approve(long long id, const char *who)
{
	sm_store_begin(st);
	int rc = sm_draft_approve(st, cfg, id, who, NOW);
	if (rc < 0)
		sm_store_rollback(st);
	else
		sm_store_commit(st);
	return rc;
}

/* releasable ID WHY-SUBSTRING: 1 or 0, and the reason must hold the substring when 0 */
static void releasable(long long id, int want, const char *why_has, const char *name)
{
	char why[512] = "unset";
	int got = sm_draft_releasable(st, id, why, sizeof why);
	tap_int(got, want, name);
	if (want)
		tap_is(why, "", "  and no reason");
	else {
		tap_ok(why_has && strstr(why, why_has) != NULL, "  and says why");
		if (!why_has || !strstr(why, why_has))
			printf("#   why: '%s', want it to contain '%s'\n", why, why_has ? why_has : "");
	}
}

static void test_hash(void)
{
	sm_draft d = {.channel = "support", .reply_to = "s:1", .scheduled_at = "", .text = "Hallo"};
	char h0[65], h[65];
	sm_draft_hash(&d, h0);
	tap_int((long)strlen(h0), 64, "hash: 64 hex digits");
	d.text = "Hallo!";
	sm_draft_hash(&d, h);
	tap_ok(strcmp(h, h0) != 0, "hash: the text is in it");
	d.text = "Hallo";
	d.channel = "other";
	sm_draft_hash(&d, h);
	tap_ok(strcmp(h, h0) != 0, "hash: the channel is in it");
	d.channel = "support";
	d.reply_to = "s:2";
	sm_draft_hash(&d, h);
	tap_ok(strcmp(h, h0) != 0, "hash: the target is in it");
	d.reply_to = "s:1";
	d.scheduled_at = "2026-11-24T07:00:00Z";
	sm_draft_hash(&d, h);
	tap_ok(strcmp(h, h0) != 0, "hash: the time is in it");
	d.scheduled_at = "";
	d.author = "someone";
	d.state = "approved";
	sm_draft_hash(&d, h);
	tap_is(h, h0, "hash: not the author or the state");
	/* a field's end cannot move: "a" + "bc" is not "ab" + "c" */
	sm_draft a = {.channel = "sup", .reply_to = "port", .scheduled_at = "", .text = "x"};
	sm_draft b = {.channel = "support", .reply_to = "", .scheduled_at = "", .text = "x"};
	sm_draft_hash(&a, h0);
	sm_draft_hash(&b, h);
	tap_ok(strcmp(h, h0) != 0, "hash: fields are separated");
	/* what drafts without media hashed to before there were media: approvals stay valid */
	sm_draft v = {.channel = "support", .reply_to = "s:1", .scheduled_at = "", .text = "Hallo"};
	char want[65];
	const char v1[] = "smkit-draft-v1\x1fsupport\x1fs:1\x1f\x1fHallo";
	sm_sha256_hex(v1, sizeof v1 - 1, want);
	sm_draft_hash(&v, h0);
	tap_is(h0, want, "hash: a draft without media hashes as it always did");
	/* each medium's bytes (its SHA-256) and alt text are in it */
	sm_draft_media m = {.path = "img/a.png", .blob = "b1", .alt = "A red poster", .mime = "image/png",
			    .sha256 = "aa", .size = 10};
	struct {
		char *sha256, *alt, *path;
		const char *what;
		int same;
	} cases[] = {{"aa", "A red poster", "img/a.png", "a medium is in it", 0},
		     {"bb", "A red poster", "img/a.png", "the medium's bytes are in it", 0},
		     {"aa", "A blue poster", "img/a.png", "the medium's alt text is in it", 0},
		     {"aa", "A red poster", "img/b.png", "not where the medium lies (the same bytes moved)", 1}};
	v.media = &m;
	v.nmedia = 1;
	sm_draft_hash(&v, h0); /* the first case against the hash without media, the others against this */
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		m.sha256 = cases[i].sha256;
		m.alt = cases[i].alt;
		m.path = cases[i].path;
		sm_draft_hash(&v, h);
		char msg[120];
		snprintf(msg, sizeof msg, "hash: %s", cases[i].what);
		tap_ok((strcmp(h, i ? h0 : want) == 0) == cases[i].same, msg);
	}
}

static void test_releasable(void)
{
	long long d1 = create("alice", "s:1", "Wir kümmern uns.", NULL);
	tap_ok(d1 > 0, "a draft");
	releasable(d1, 0, "is pending", "pending: not releasable");
	tap_int(approve(d1, "alice"), -1, "the author may not approve");
	tap_int(sm_errcode(), SM_EX_NOPERM, "  exit status 77");
	tap_int(approve(d1, "bob"), 0, "bob approves");
	releasable(d1, 1, NULL, "approved: releasable");
	tap_int(approve(d1, "carol"), -1, "an approved draft takes no more approvals");

	/* the text changed behind sm-approve's back */
	char q[256];
	snprintf(q, sizeof q, "UPDATE drafts SET text = 'Wir kümmern uns nicht.' WHERE id = %lld", d1);
	sql(q);
	releasable(d1, 0, "changed after it was approved", "text tampered: not releasable");
	snprintf(q, sizeof q, "UPDATE drafts SET text = 'Wir kümmern uns.' WHERE id = %lld", d1);
	sql(q);
	releasable(d1, 1, NULL, "text restored: releasable again");
	snprintf(q, sizeof q, "UPDATE drafts SET channel = 'elsewhere' WHERE id = %lld", d1);
	sql(q);
	releasable(d1, 0, "0 of 1 approvals", "channel tampered: not releasable");
	snprintf(q, sizeof q, "UPDATE drafts SET channel = 'support', reply_to = 's:2' WHERE id = %lld", d1);
	sql(q);
	releasable(d1, 0, "changed after it was approved", "target tampered: not releasable");
	snprintf(q, sizeof q, "UPDATE drafts SET reply_to = 's:1', scheduled_at = '2026-11-23T11:00:00Z'"
			      " WHERE id = %lld", d1);
	sql(q);
	releasable(d1, 0, "changed after it was approved", "time tampered: not releasable");
	snprintf(q, sizeof q, "UPDATE drafts SET scheduled_at = NULL WHERE id = %lld", d1);
	sql(q);
	releasable(d1, 1, NULL, "all restored: releasable");
	snprintf(q, sizeof q, "UPDATE drafts SET state = 'sending' WHERE id = %lld", d1);
	sql(q);
	releasable(d1, 1, NULL, "sending (a claimed send): still releasable");
	snprintf(q, sizeof q, "UPDATE drafts SET state = 'published' WHERE id = %lld", d1);
	sql(q);
	releasable(d1, 0, "is published", "published: not again");
	snprintf(q, sizeof q, "UPDATE drafts SET state = 'rejected' WHERE id = %lld", d1);
	sql(q);
	releasable(d1, 0, "is rejected", "rejected: no");
	/* the author's own approval, written into the store, does not count */
	long long d2 = create("alice", "s:1", "Zweiter.", NULL);
	char h[65];
	sm_draft d;
	sm_draft_get(st, d2, &d);
	sm_draft_hash(&d, h);
	sm_draft_free(&d);
	snprintf(q, sizeof q, "INSERT INTO approvals (draft_id, approver, hash, at) VALUES (%lld, 'alice', '%s', '%s');"
			      "UPDATE drafts SET state = 'approved' WHERE id = %lld", d2, h, NOW, d2);
	sql(q);
	releasable(d2, 0, "0 of 1", "the author's own approval row: not releasable");
	/* state set to approved without enough approvals: not releasable */
	long long d3 = create("alice", "s:2", "Presse.", NULL);
	tap_int(approve(d3, "bob"), 0, "press: one approval");
	releasable(d3, 0, "is pending", "press, 1 of 2: not releasable");
	snprintf(q, sizeof q, "UPDATE drafts SET state = 'approved' WHERE id = %lld", d3);
	sql(q);
	releasable(d3, 0, "1 of 2 approvals", "press, 1 of 2, state forced to approved: not releasable");
	tap_int(approve(d3, "carol"), -1, "an approved draft takes no approval");
	snprintf(q, sizeof q, "UPDATE drafts SET state = 'pending' WHERE id = %lld", d3);
	sql(q);
	tap_int(approve(d3, "carol"), 0, "press: the second approval");
	releasable(d3, 1, NULL, "press, 2 of 2: releasable");
	/* an edit voids the approvals; approving the new text releases it again */
	sm_store_begin(st);
	tap_int(sm_draft_edit(st, cfg, d3, "alice", "Presse, neu.", NOW), 0, "edit");
	sm_store_commit(st);
	releasable(d3, 0, "is pending", "edited: not releasable");
	approve(d3, "bob");
	approve(d3, "dave");
	releasable(d3, 1, NULL, "approved again by two: releasable");
	/* a draft with a time, approved, then the time moved */
	long long d4 = create("alice", "s:1", "Später.", "2026-11-24T07:00:00Z");
	approve(d4, "bob");
	releasable(d4, 1, NULL, "scheduled and approved: releasable");
	snprintf(q, sizeof q, "UPDATE drafts SET scheduled_at = '2026-11-23T10:00:00Z' WHERE id = %lld", d4);
	sql(q);
	releasable(d4, 0, "changed after it was approved", "its time moved: not releasable");
	releasable(9999, 0, "no draft 9999", "no such draft");
	/* what it cannot see: the store is trusted; a writer of it sets needs to 0 (smkit(7)) */
	long long d5 = create("alice", "s:2", "Ohne Freigabe.", NULL);
	snprintf(q, sizeof q, "UPDATE drafts SET needs = 0, state = 'approved' WHERE id = %lld", d5);
	sql(q);
	releasable(d5, 1, NULL, "limit: needs set to 0 in the store is releasable with no approval");
}

static int verify(char *what, size_t n)
{
	long long entries;
	return sm_audit_verify(st, &entries, what, n);
}

/* verify_says NAME WANT-SUBSTRING: the chain is broken and the message names the entry */
static void broken(const char *name, const char *has)
{
	char what[512];
	tap_int(verify(what, sizeof what), 1, name);
	tap_ok(strstr(what, has) != NULL, "  and names the entry");
	if (!strstr(what, has))
		printf("#   what: '%s', want it to contain '%s'\n", what, has);
}

static void test_audit(void)
{
	char what[512], *copy = sm_asprintf("%s/intact.db", dir), *q;
	long long entries;
	tap_int(sm_audit_verify(st, &entries, what, sizeof what), 0, "audit: the chain is intact");
	tap_ok(entries >= 10, "audit: every step was logged");
	tap_is(what, "", "audit: nothing to say");
	tap_is(text("SELECT prev FROM audit WHERE seq = 1"),
	       "0000000000000000000000000000000000000000000000000000000000000000", "audit: the first follows zeros");
	tap_is(text("SELECT count(*) FROM audit a JOIN audit b ON b.seq = a.seq + 1 WHERE b.prev != a.hash"), "0",
	       "audit: each entry holds the hash of the one before");
	q = sm_asprintf("VACUUM INTO '%s'", copy);
	tap_int(sql(q), 0, "audit: a copy of the intact store");
	free(q);
	q = sm_asprintf("ATTACH '%s' AS good", copy);
	sql(q);
	free(q);
#define RESTORE() sql("DELETE FROM audit; INSERT INTO audit SELECT * FROM good.audit")

	sql("UPDATE audit SET detail = 'forged' WHERE seq = 3");
	broken("an altered detail", "entry 3: altered");
	RESTORE();
	tap_int(verify(what, sizeof what), 0, "restored: intact");
	sql("UPDATE audit SET actor = 'mallory' WHERE seq = 4");
	broken("an altered actor", "entry 4: altered (draft draft:3 by mallory");
	RESTORE();
	sql("UPDATE audit SET at = '2020-01-01T00:00:00Z' WHERE seq = 2");
	broken("an altered time", "entry 2: altered");
	RESTORE();
	sql("DELETE FROM audit WHERE seq = 5");
	broken("a deleted entry", "entry 6: expected entry 5 here");
	RESTORE();
	sql("DELETE FROM audit WHERE seq = 1");
	broken("the first entry deleted", "entry 2: expected entry 1 here");
	RESTORE();
	/* inserted in the middle, with its own hash right: the entry after it no longer follows */
	{
		char prev[65], h[65];
		snprintf(prev, sizeof prev, "%s", text("SELECT hash FROM audit WHERE seq = 4"));
		sql("UPDATE audit SET seq = seq + 1000 WHERE seq >= 5; UPDATE audit SET seq = seq - 999 WHERE seq > 1000");
		char *line = sm_asprintf("5\x1f%s\x1f" "carol\x1f" "approve\x1f" "draft:3\x1f" "2 of 2\x1f%s", NOW, prev);
		sm_sha256_hex(line, strlen(line), h);
		free(line);
		q = sm_asprintf("INSERT INTO audit VALUES (5, '%s', 'carol', 'approve', 'draft:3', '2 of 2', '%s', '%s')",
				NOW, prev, h);
		sql(q);
		free(q);
		broken("an entry inserted", "entry 6: it does not follow entry 5");
	}
	RESTORE();
	/* two entries swapped */
	sql("UPDATE audit SET seq = -1 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = 4;"
	    " UPDATE audit SET seq = 4 WHERE seq = -1");
	broken("two entries swapped", "entry 3: it does not follow entry 2");
	RESTORE();
	/* swapped with their numbers: the order by seq is the same, the hashes are not */
	sql("UPDATE audit SET seq = -1 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = 4;"
	    " UPDATE audit SET seq = 4 WHERE seq = -1;"
	    " UPDATE audit SET seq = -3 WHERE seq = 3; UPDATE audit SET seq = -4 WHERE seq = 4;"
	    " UPDATE audit SET seq = 3 WHERE seq = -4; UPDATE audit SET seq = 4 WHERE seq = -3");
	tap_int(verify(what, sizeof what), 0, "swapped twice: intact again");
	sql("UPDATE audit SET prev = (SELECT hash FROM audit WHERE seq = 1) WHERE seq = 3");
	broken("a prev pointing further back", "entry 3: it does not follow entry 2");
	RESTORE();
	tap_int(verify(what, sizeof what), 0, "restored at last: intact");
	sql("DETACH good");
	unlink(copy);
	free(copy);
}

static void test_audit_appends(void)
{
	char what[512];
	long long before, after;
	sm_audit_verify(st, &before, what, sizeof what);
	sm_store_begin(st);
	tap_int(sm_audit(st, "lena", "note", "case:1", "line one\nline two", NOW), 0, "audit: append");
	tap_int(sm_audit(st, "lena", "note", "case:1", NULL, NOW), 0, "audit: a NULL detail");
	sm_store_commit(st);
	tap_int(sm_audit_verify(st, &after, what, sizeof what), 0, "audit: still intact");
	tap_int((long)(after - before), 2, "audit: two more");
}

static void test_editor(void)
{
	char *out = NULL, *ed = sm_asprintf("%s/ed", dir), *seen = sm_asprintf("%s/seen", dir);
	FILE *fp = fopen(ed, "w");
	fprintf(fp, "#!/bin/sh\ncp \"$1\" '%s'\nprintf '\\n  Neu\\n# weg\\nzwei\\n\\n' >> \"$1\"\n", seen);
	fclose(fp);
	chmod(ed, 0755);
	unsetenv("VISUAL");
	setenv("EDITOR", ed, 1);
	tap_int(sm_edit_text("Alt", "Kommentar\nzweite Zeile", &out), 0, "editor: runs");
	tap_is(out, "Alt\n\n  Neu\nzwei", "editor: without the '#' lines, trimmed at both ends, blank lines within kept");
	free(out);
	fp = fopen(seen, "r");
	char buf[256] = "";
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = 0;
	fclose(fp);
	tap_is(buf, "Alt\n# Kommentar\n# zweite Zeile\n", "editor: the file it was given");
	setenv("EDITOR", "false", 1);
	out = NULL;
	tap_int(sm_edit_text("x", NULL, &out), -1, "editor: a failing one");
	tap_int(sm_errcode(), SM_EX_SOFTWARE, "  exit status 70");
	setenv("EDITOR", "sh -c ': > \"$1\"' --", 1);
	tap_int(sm_edit_text("x", "c", &out), 0, "editor: emptied");
	tap_is(out, "", "  gives the empty string");
	free(out);
	unsetenv("EDITOR");
	unlink(ed);
	unlink(seen);
	free(ed);
	free(seen);
}

static void test_template(void)
{
	json_t *it = json_pack("{s:s,s:{s:s,s:s},s:i}", "channel", "support", "author", "name", "Kunde",
			       "handle", "@k", "n", 42);
	char *s = sm_template_fill("Hallo {{author.name}} ({{ author.handle }}) auf {{channel}}: {{n}}"
				   "{{missing}}{{author.none.deeper}}. {{ offen", it);
	tap_is(s, "Hallo Kunde (@k) auf support: 42. {{ offen", "template: fields, spaces, missing, unclosed");
	free(s);
	s = sm_template_fill("ohne", NULL);
	tap_is(s, "ohne", "template: no item");
	free(s);
	json_decref(it);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	setup();
	test_hash();
	test_releasable();
	test_audit();
	test_audit_appends();
	test_editor();
	test_template();
	sm_policies_free(&pol);
	sm_store_close(st);
	sm_config_free(cfg);
	char *cmd = sm_asprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_ok(0, "clean up");
	free(cmd);
	return tap_done();
}
