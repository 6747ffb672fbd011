/*
 * rows.c - rows kept back while a transaction lasts and written before it commits, many to
 * an INSERT statement: sm-assign records thousands of case events and audit entries a
 * transaction, and one statement a row costs more than the rows themselves.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "smkit.h"

_Static_assert(SM_ROWS_MANY == 32, "SM_ROWS_VALUES repeats a row 32 times");

/* Write `n` kept rows from `first` with the statement for n rows. */
static int write_rows(sm_rows *r, sm_store *st, const char *sql, size_t first, size_t n)
{
	sqlite3_stmt *s = sm_store_sql(st, sql);
	if (!s)
		return -1;
	int p = 1;
	for (size_t i = first; i < first + n; i++)
		for (int c = 0; r->types[c]; c++, p++) {
			long off = r->off[i * r->ncols + (size_t)c];
			const char *v = off < 0 ? NULL : r->text.s + off;
			if (!v)
				sqlite3_bind_null(s, p);
			else if (r->types[c] == 'i')
				sqlite3_bind_int64(s, p, strtoll(v, NULL, 10));
			else
				sqlite3_bind_text(s, p, v, -1, SQLITE_STATIC);
		}
	return sm_store_done(st, s, r->what);
}

int sm_rows_flush(sm_rows *r, sm_store *st)
{
	size_t i = 0;
	int rc = 0;
	if (r->st == st && r->tx == sm_store_tx(st))
		for (; rc == 0 && i < r->n; i += i + SM_ROWS_MANY <= r->n ? SM_ROWS_MANY : 1)
			rc = i + SM_ROWS_MANY <= r->n ? write_rows(r, st, r->many, i, SM_ROWS_MANY)
						      : write_rows(r, st, r->one, i, 1);
	r->n = 0;
	r->text.len = 0;
	return rc;
}

static int flush_hook(sm_store *st, void *ctx) { return sm_rows_flush(ctx, st); }

int sm_rows_add(sm_rows *r, sm_store *st, const char *const *v)
{
	unsigned long tx = sm_store_tx(st);
	if (r->st != st || r->tx != tx) { /* rows of a transaction that did not commit: gone */
		r->st = st;
		r->tx = tx;
		r->n = 0;
		r->text.len = 0;
	}
	if (!r->ncols)
		r->ncols = (int)strlen(r->types);
	if ((r->n + 1) * (size_t)r->ncols > r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64 * (size_t)r->ncols;
		r->off = sm_realloc(r->off, r->cap * sizeof *r->off);
	}
	for (int c = 0; c < r->ncols; c++) {
		r->off[r->n * (size_t)r->ncols + (size_t)c] = v[c] ? (long)r->text.len : -1;
		if (v[c])
			sm_buf_add(&r->text, v[c], strlen(v[c]) + 1);
	}
	r->n++;
	return sm_store_before_commit(st, flush_hook, r);
}

int sm_rows_kept(const sm_rows *r, sm_store *st)
{
	return r->st == st && r->tx == sm_store_tx(st) && r->n > 0;
}

void sm_rows_defer(sm_rows *r, sm_store *st)
{
	r->defer_st = st;
	r->defer_tx = sm_store_tx(st);
}

int sm_rows_deferred(const sm_rows *r, sm_store *st)
{
	return r->defer_tx && r->defer_st == st && r->defer_tx == sm_store_tx(st);
}
