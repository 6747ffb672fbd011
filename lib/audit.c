/*
 * audit.c - the audit log: every change to a case or a draft appended with the hash of
 * the entry before it, so that altering, inserting, deleting or reordering an entry is
 * found by recomputing the chain. It shows tampering; it cannot stop a writer of the
 * store from rewriting the whole chain from the point it changed (see smkit(7)).
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "smkit.h"

static const char Q_LAST[] = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1";
static const char Q_ADD[] = "INSERT INTO audit (seq, at, actor, action, object, detail, prev, hash)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char Q_ALL[] = "SELECT seq, at, actor, action, object, coalesce(detail, ''), prev, hash"
			    " FROM audit ORDER BY seq";
static const char Q_ADD_MANY[] = "INSERT INTO audit (seq, at, actor, action, object, detail, prev, hash)"
				 " VALUES " SM_ROWS_VALUES("(?, ?, ?, ?, ?, ?, ?, ?)");
/* the entries of a transaction sm_audit_defer was called in */
static _Thread_local sm_rows kept = {.one = Q_ADD, .many = Q_ADD_MANY, .types = "itttttt" "t", .what = "audit"};
static const char GENESIS[] = "0000000000000000000000000000000000000000000000000000000000000000";

/* The hash of an entry: its fields and the previous hash, separated so none can shift. */
static void entry_hash(long long seq, const char *at, const char *actor, const char *action,
		       const char *object, const char *detail, const char *prev, char out[65])
{
	/* "%lld\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", put together without printf: it is done
	   for every change to a case */
	char num[24], stack[512];
	const char *f[7] = {num, at, actor, action, object, detail ? detail : "", prev};
	size_t len[7], total = 6;
	sm_fmt_ll(num, seq);
	for (int i = 0; i < 7; i++)
		total += len[i] = strlen(f[i]);
	char *b = total <= sizeof stack ? stack : sm_malloc(total), *p = b;
	for (int i = 0; i < 7; i++) {
		if (i)
			*p++ = '\x1f';
		memcpy(p, f[i], len[i]);
		p += len[i];
	}
	sm_sha256_hex(b, total, out);
	if (b != stack)
		free(b);
}

/* One entry now: seq, at, actor, action, object, detail, prev, hash. */
static int add(sm_store *st, const char *const *v)
{
	struct sqlite3_stmt *s = sm_store_sql(st, Q_ADD);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, strtoll(v[0], NULL, 10));
	for (int i = 1; i < 8; i++)
		sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_STATIC);
	return sm_store_done(st, s, "audit");
}

void sm_audit_defer(sm_store *st) { sm_rows_defer(&kept, st); }

int sm_audit(sm_store *st, const char *actor, const char *action, const char *object,
	     const char *detail, const char *now)
{
	/* the chain's end, kept while this transaction lasts: nobody else can append then */
	static _Thread_local struct { sm_store *st; unsigned long tx; long long seq; char hash[65]; } last;
	struct sqlite3_stmt *s;
	char prev[65], hash[65];
	long long seq = 1;
	unsigned long tx = sm_store_tx(st);
	if (tx && last.st == st && last.tx == tx) {
		seq = last.seq + 1;
		memcpy(prev, last.hash, sizeof prev);
	} else {
		if (!(s = sm_store_sql(st, Q_LAST)))
			return -1;
		snprintf(prev, sizeof prev, "%s", GENESIS);
		if (sqlite3_step(s) == SQLITE_ROW) {
			seq = sqlite3_column_int64(s, 0) + 1;
			snprintf(prev, sizeof prev, "%s", (const char *)sqlite3_column_text(s, 1));
		}
		sqlite3_reset(s);
	}
	entry_hash(seq, now, actor, action, object, detail, prev, hash);
	char num[24];
	sm_fmt_ll(num, seq);
	const char *v[8] = {num, now, actor, action, object, detail, prev, hash};
	if ((sm_rows_deferred(&kept, st) ? sm_rows_add(&kept, st, v) : add(st, v)) < 0) {
		last.st = NULL;
		return -1;
	}
	last.st = st;
	last.tx = tx;
	last.seq = seq;
	memcpy(last.hash, hash, sizeof last.hash);
	return 0;
}

int sm_audit_verify(sm_store *st, long long *entries, char *what, size_t n)
{
	if (sm_rows_kept(&kept, st) && sm_rows_flush(&kept, st) < 0)
		return -1;
	struct sqlite3_stmt *s = sm_store_sql(st, Q_ALL);
	char prev[65], hash[65];
	long long expect = 1;
	int rc = 0;
	*entries = 0;
	what[0] = 0;
	if (!s)
		return -1;
	snprintf(prev, sizeof prev, "%s", GENESIS);
	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		long long seq = sqlite3_column_int64(s, 0);
		const char *f[7];
		for (int i = 0; i < 7; i++)
			f[i] = (const char *)sqlite3_column_text(s, i + 1);
		entry_hash(seq, f[0], f[1], f[2], f[3], f[4], f[5], hash);
		if (seq != expect)
			snprintf(what, n, "entry %lld: expected entry %lld here (deleted, inserted or "
				 "reordered)", seq, expect);
		else if (strcmp(f[5], prev))
			snprintf(what, n, "entry %lld: it does not follow entry %lld (inserted, deleted "
				 "or reordered)", seq, seq - 1);
		else if (strcmp(f[6], hash))
			snprintf(what, n, "entry %lld: altered (%s %s by %s at %s)", seq, f[2], f[3], f[1], f[0]);
		rc = what[0] ? 1 : 0;
		snprintf(prev, sizeof prev, "%s", f[6]);
		expect = seq + 1;
		(*entries)++;
	}
	sqlite3_reset(s);
	return rc;
}

static const char Q_HEAD[] = "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1";

int sm_audit_head(sm_store *st, char out[65])
{
	sqlite3_stmt *s = sm_store_sql(st, Q_HEAD);
	out[0] = 0;
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(out, 65, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sm_store_fail(st, "read the audit log");
}
