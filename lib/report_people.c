/*
 * report_people.c - superusers: the authors of the super group ([group "super"], or the
 * group report.super-group names) and the authors whose replies answered others' questions
 * in community channels (the first response of a case, by someone other than the asker
 * and other than the channel's own accounts), with their contributions; and, for the
 * knowledge base, a Markdown page per super user linking each contribution.
 */
#include <ctype.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "assign.h"
#include "report.h"

static const char Q_HELPED[] =
	"SELECT i.author_id, c.id, c.channel, i.id FROM case_events e JOIN cases c ON c.id = e.case_id"
	" JOIN items i ON i.id = e.note WHERE e.what = 'first-response' AND i.author_id IS NOT NULL"
	" AND i.author_id != coalesce(c.author_id, '') AND i.created_at >= ?1 AND i.created_at < ?2"
	" AND (?3 IS NULL OR c.channel = ?3)";
static const char Q_MEMBER[] = "SELECT id FROM authors WHERE id = ?1 COLLATE NOCASE";
static const char Q_AUTHOR[] = "SELECT coalesce(handle, ''), coalesce(name, '') FROM authors WHERE id = ?1";
static const char Q_CONTRIB[] =
	"SELECT id, channel, url, coalesce(title, text, ''), created_at, coalesce(thread, id)"
	" FROM items WHERE author_id = ?1 AND created_at >= ?2 AND created_at < ?3"
	" AND (?4 IS NULL OR channel = ?4) ORDER BY created_at, rowid";
static const char Q_LAST[] = "SELECT max(created_at) FROM items WHERE author_id = ?1";

typedef struct {
	int super;
	long helped;
} person;

static const char *col(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);
	return v ? (const char *)v : "";
}

/* helpers: community cases whose first response was theirs; helped_items: those answers */
static int helpers(sm_rctx *x, sm_groups *people, sm_groups *helped_items)
{
	sm_selves self;
	sm_groups seen; /* author \037 case: a case counts once */
	sqlite3_stmt *s = sm_store_sql(x->st, Q_HELPED);
	if (!s || sm_selves_load(x, &self) < 0)
		return -1;
	sm_groups_init(&seen, 1);
	sqlite3_bind_text(s, 1, x->since, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, x->until, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, x->o->channel, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *author = col(s, 0), *channel = col(s, 2);
		if (!sm_community_channel(x->cfg, channel) || sm_selves_has(&self, channel, author))
			continue;
		char *key = sm_asprintf("%s\037%lld", author, (long long)sqlite3_column_int64(s, 1));
		if (sm_groups_find(&seen, key) < 0) {
			sm_groups_get(&seen, key);
			((person *)sm_groups_get(people, author))->helped++;
		}
		sm_groups_get(helped_items, col(s, 3));
		free(key);
	}
	sqlite3_reset(s);
	sm_groups_free(&seen);
	sm_selves_free(&self);
	return rc == SQLITE_DONE ? 0 : sm_store_fail(x->st, "helpers");
}

static int members(sm_rctx *x, sm_groups *people)
{
	const char *group = sm_config_get(x->cfg, "report.super-group");
	size_t n;
	const char *const *m = sm_config_get_all_sub(x->cfg, "group", group ? group : "super", "member", &n);
	for (size_t i = 0; i < n; i++) {
		sqlite3_stmt *s = sm_store_sql(x->st, Q_MEMBER);
		if (!s)
			return -1;
		sqlite3_bind_text(s, 1, m[i], -1, SQLITE_STATIC);
		int found = sqlite3_step(s) == SQLITE_ROW;
		char *id = sm_strdup(found ? col(s, 0) : m[i]); /* the stored spelling */
		sqlite3_reset(s);
		((person *)sm_groups_get(people, id))->super = 1;
		free(id);
	}
	return 0;
}

typedef struct {
	long contributions, threads;
} counts;

/* One author's contributions, as rows of t; the counts. */
static int contributions(sm_rctx *x, const char *author, const sm_groups *helped_items,
			 sm_rtable *t, counts *c)
{
	sqlite3_stmt *s = sm_store_sql(x->st, Q_CONTRIB);
	sm_groups threads;
	int rc;
	if (!s)
		return -1;
	sm_groups_init(&threads, 1);
	sqlite3_bind_text(s, 1, author, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, x->since, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, x->until, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, x->o->channel, -1, SQLITE_STATIC);
	memset(c, 0, sizeof *c);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		sm_cell *row = sm_rtable_row(t);
		sm_cell_text(&row[0], author);
		sm_cell_text(&row[1], col(s, 4));
		sm_cell_text(&row[2], col(s, 1));
		sm_cell_text(&row[3], col(s, 0));
		sm_cell_text(&row[4], sqlite3_column_text(s, 2) ? col(s, 2) : NULL);
		sm_cell_num(&row[5], sm_groups_find(helped_items, col(s, 0)) >= 0);
		/* an excerpt: the first 200 bytes, cut at a character boundary */
		const char *txt = col(s, 3);
		size_t n = strlen(txt);
		if (n > 200) {
			n = 200;
			while (n > 0 && ((unsigned char)txt[n] & 0xC0) == 0x80)
				n--;
		}
		char *ex = sm_strndup(txt, n);
		sm_cell_text(&row[6], ex);
		free(ex);
		c->contributions++;
		sm_groups_get(&threads, col(s, 5));
	}
	sqlite3_reset(s);
	c->threads = (long)threads.n;
	sm_groups_free(&threads);
	return rc == SQLITE_DONE ? 0 : sm_store_fail(x->st, "contributions");
}

static int by_helped(const sm_cell *a, const sm_cell *b, void *ctx)
{
	(void)ctx;
	if (a[6].num != b[6].num)
		return a[6].num > b[6].num ? -1 : 1;
	if (a[4].num != b[4].num)
		return a[4].num > b[4].num ? -1 : 1;
	return strcmp(a[0].text, b[0].text);
}

static int person_row(sm_rctx *x, const char *id, const person *p, sm_rtable *t, sm_rtable *ct,
		      const sm_groups *helped_items)
{
	counts c;
	sqlite3_stmt *s = sm_store_sql(x->st, Q_AUTHOR);
	if (!s)
		return -1;
	sm_cell *row = sm_rtable_row(t);
	sm_cell_text(&row[0], id);
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		sm_cell_text(&row[1], *col(s, 0) ? col(s, 0) : NULL);
		sm_cell_text(&row[2], *col(s, 1) ? col(s, 1) : NULL);
	}
	sqlite3_reset(s);
	sm_cell_num(&row[3], p->super);
	sm_cell_num(&row[6], (double)p->helped);
	if (contributions(x, id, helped_items, ct, &c) < 0)
		return -1;
	row = &t->cells[(t->nrows - 1) * t->ncols]; /* contributions() added no row to t */
	sm_cell_num(&row[4], (double)c.contributions);
	sm_cell_num(&row[5], (double)c.threads);
	if (!(s = sm_store_sql(x->st, Q_LAST)))
		return -1;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		sm_cell_text(&row[7], col(s, 0));
	sqlite3_reset(s);
	return 0;
}

int sm_report_superusers(sm_rctx *x, sm_report *r)
{
	sm_groups people, helped_items;
	sm_groups_init(&people, sizeof(person));
	sm_groups_init(&helped_items, 1);
	int rc = members(x, &people) < 0 || helpers(x, &people, &helped_items) < 0 ? -1 : 0;
	const sm_rcol cols[] = {
		{"author", SM_RT_TEXT}, {"handle", SM_RT_TEXT}, {"name", SM_RT_TEXT}, {"super", SM_RT_BOOL},
		{"contributions", SM_RT_INT}, {"threads", SM_RT_INT}, {"helped", SM_RT_INT},
		{"last_activity", SM_RT_TIME},
	};
	const sm_rcol ccols[] = {
		{"author", SM_RT_TEXT}, {"at", SM_RT_TIME}, {"channel", SM_RT_TEXT}, {"item", SM_RT_TEXT},
		{"url", SM_RT_URL}, {"helped", SM_RT_BOOL}, {"text", SM_RT_TEXT},
	};
	sm_rtable *t = sm_rtable_add(r, "superusers", cols, sizeof cols / sizeof cols[0]);
	sm_rtable *ct = sm_rtable_add(r, "contributions", ccols, sizeof ccols / sizeof ccols[0]);
	t = &r->tables[0]; /* the array moved */
	t->title = sm_strdup("Super users: the super group, and who answered others' questions in community "
			     "channels (helped: threads); contributions and threads in the period");
	ct->title = sm_strdup("Their contributions in the period (helped: it answered someone's question)");
	size_t *idx = sm_groups_sorted(&people);
	for (size_t n = 0; rc == 0 && n < people.n; n++)
		rc = person_row(x, people.keys[idx[n]], sm_groups_at(&people, idx[n]), t, ct, &helped_items);
	free(idx);
	sm_rtable_sort(t, by_helped, NULL);
	t->chart = sm_chart_of(SM_CHART_BARS, 0, 2, 6, 4);
	sm_groups_free(&people);
	sm_groups_free(&helped_items);
	return rc;
}

/* ---- Markdown pages --------------------------------------------------------------------- */

/* Markdown text: what would be markup escaped, control characters made visible */
static void md_text(sm_buf *b, const char *s)
{
	sm_buf raw = {0};
	sm_term_escape(&raw, s ? s : "");
	for (size_t i = 0; i < raw.len; i++) {
		char c = raw.s[i];
		if (strchr("\\`*_[]<>|#!", c))
			sm_buf_addc(b, '\\');
		sm_buf_addc(b, c);
	}
	sm_buf_free(&raw);
}

/* a link target: http(s) only, with what ends a Markdown link percent-encoded */
static int md_url(sm_buf *b, const char *u)
{
	if (!u || (strncmp(u, "https://", 8) && strncmp(u, "http://", 7)))
		return 0;
	for (; *u; u++)
		if ((unsigned char)*u <= ' ' || strchr("()<>[]\"'\\`", *u) || (unsigned char)*u == 0x7f)
			sm_buf_printf(b, "%%%02X", (unsigned char)*u);
		else
			sm_buf_addc(b, *u);
	return 1;
}

static char *slug(const char *id, sm_groups *used)
{
	sm_buf b = {0};
	for (const char *p = id; *p && b.len < 60; p++)
		sm_buf_addc(&b, isalnum((unsigned char)*p) || *p == '.' || *p == '_' || *p == '-'
					? (char)tolower((unsigned char)*p) : '-');
	if (!b.len || b.s[0] == '.')
		sm_buf_adds(&b, "author");
	char *base = sm_buf_detach(&b), *s = sm_strdup(base);
	for (int i = 2; sm_groups_find(used, s) >= 0; i++) {
		free(s);
		s = sm_asprintf("%s-%d", base, i);
	}
	sm_groups_get(used, s);
	free(base);
	return s;
}

static void page(sm_buf *b, const sm_report *r, const sm_cell *u)
{
	const sm_rtable *ct = &r->tables[1];
	sm_buf_adds(b, "# ");
	md_text(b, u[2].text ? u[2].text : u[1].text ? u[1].text : u[0].text);
	sm_buf_adds(b, "\n\n");
	sm_buf_adds(b, "- Author: `");
	md_text(b, u[0].text);
	sm_buf_adds(b, "`\n");
	if (u[1].text) {
		sm_buf_adds(b, "- Handle: ");
		md_text(b, u[1].text);
		sm_buf_addc(b, '\n');
	}
	sm_buf_printf(b, "- %s\n", u[3].num ? "In the super group" : "Not in the super group");
	sm_buf_printf(b, "- %.0f contributions in %.0f threads; answered others' questions in %.0f threads\n",
		      u[4].num, u[5].num, u[6].num);
	if (u[7].text)
		sm_buf_printf(b, "- Last active: %s\n", u[7].text);
	sm_buf_adds(b, "\n## Contributions\n\n");
	long n = 0;
	for (size_t i = 0; i < ct->nrows; i++) {
		const sm_cell *c = &ct->cells[i * ct->ncols];
		if (strcmp(c[0].text, u[0].text))
			continue;
		sm_buf_printf(b, "- %s, %s: ", c[1].text ? c[1].text : "?", c[2].text ? c[2].text : "?");
		sm_buf excerpt = {0};
		md_text(&excerpt, c[6].text && *c[6].text ? c[6].text : c[3].text);
		for (size_t k = 0; k < excerpt.len; k++) /* one line per contribution */
			if (excerpt.s[k] == '\n')
				excerpt.s[k] = ' ';
		sm_buf link = {0};
		if (md_url(&link, c[4].text))
			sm_buf_printf(b, "[%s](%s)", excerpt.s ? excerpt.s : "", link.s);
		else
			sm_buf_adds(b, excerpt.s ? excerpt.s : "");
		sm_buf_adds(b, c[5].num ? " *(answered a question)*\n" : "\n");
		sm_buf_free(&excerpt);
		sm_buf_free(&link);
		n++;
	}
	if (!n)
		sm_buf_adds(b, "None in the period.\n");
	sm_buf_printf(b, "\n*%s, %s.*\n", r->title, r->generated);
}

static int write_file(const char *dir, const char *name, const sm_buf *b)
{
	char *path = sm_asprintf("%s/%s", dir, name);
	int rc = sm_write_atomic(path, b->s ? b->s : "", b->len, -1);
	free(path);
	return rc;
}

int sm_report_md_pages(const sm_report *r, const char *dir, FILE *fp)
{
	const sm_rtable *t = &r->tables[0];
	sm_groups used;
	sm_buf index = {0};
	int rc = 0;
	if (dir && mkdir(dir, 0777) < 0 && errno != EEXIST)
		return sm_error_code(SM_EX_CANTCREAT, "unable to create '%s': %s", dir, strerror(errno));
	sm_groups_init(&used, 1);
	sm_groups_get(&used, "index");
	sm_buf_printf(&index, "# Super users\n\n%s, %s.\n\n", r->title, r->generated);
	for (size_t i = 0; rc == 0 && i < t->nrows; i++) {
		const sm_cell *u = &t->cells[i * t->ncols];
		sm_buf b = {0};
		page(&b, r, u);
		char *name = slug(u[0].text, &used), *file = sm_asprintf("%s.md", name);
		sm_buf_adds(&index, "- [");
		md_text(&index, u[2].text ? u[2].text : u[1].text ? u[1].text : u[0].text);
		sm_buf_printf(&index, "](%s): %.0f contributions, helped in %.0f threads\n", file, u[4].num, u[6].num);
		if (dir)
			rc = write_file(dir, file, &b);
		else if (fprintf(fp, "%s%s", i ? "\n---\n\n" : "", b.s) < 0)
			rc = sm_error_code(SM_EX_IOERR, "write error");
		sm_buf_free(&b);
		free(name);
		free(file);
	}
	if (!t->nrows)
		sm_buf_adds(&index, "None in the period.\n");
	if (rc == 0 && dir)
		rc = write_file(dir, "index.md", &index);
	else if (rc == 0 && !t->nrows && fputs(index.s, fp) < 0)
		rc = sm_error_code(SM_EX_IOERR, "write error");
	sm_buf_free(&index);
	sm_groups_free(&used);
	return rc;
}
