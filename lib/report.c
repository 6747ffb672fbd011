/*
 * report.c - what every report shares: tables of typed cells, groups of rows by a key,
 * samples for means and percentiles, periods (day, ISO week, month, in UTC), and the
 * reports by name, each read from the store in one read transaction (one snapshot).
 */
#include <math.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report.h"

const char *const sm_by_names[SM_BY_N] = {"", "day", "week", "month", "channel", "network",
					  "team", "agent", "tag"};
const char *const sm_format_names[SM_FMT_N] = {"table", "csv", "tsv", "jsonl", "html", "md"};

int sm_by_parse(const char *s, sm_by *out)
{
	for (int i = 1; i < SM_BY_N; i++)
		if (!strcmp(s, sm_by_names[i])) {
			*out = (sm_by)i;
			return 0;
		}
	return sm_error_code(SM_EX_USAGE, "--by is day, week, month, channel, network, team, agent "
			     "or tag, not '%s'", s);
}

int sm_format_parse(const char *s, sm_format *out)
{
	for (int i = 0; i < SM_FMT_N; i++)
		if (!strcmp(s, sm_format_names[i])) {
			*out = (sm_format)i;
			return 0;
		}
	return sm_error_code(SM_EX_USAGE, "-f is table, csv, tsv, jsonl, html or md, not '%s'", s);
}

int sm_by_is_time(sm_by by) { return by == SM_BY_DAY || by == SM_BY_WEEK || by == SM_BY_MONTH; }

sm_rcol sm_by_col(sm_by by)
{
	sm_rcol c = {sm_by_names[by], SM_RT_TEXT};
	if (sm_by_is_time(by))
		c.name = "period";
	return c;
}

/* ---- tables ----------------------------------------------------------------------------- */

sm_rtable *sm_rtable_add(sm_report *r, const char *name, const sm_rcol *cols, size_t ncols)
{
	r->tables = sm_realloc(r->tables, (r->ntables + 1) * sizeof *r->tables);
	sm_rtable *t = &r->tables[r->ntables++];
	memset(t, 0, sizeof *t);
	t->name = name;
	t->cols = sm_malloc(ncols * sizeof *cols);
	memcpy(t->cols, cols, ncols * sizeof *cols);
	t->ncols = ncols;
	t->chart.series = t->chart.marks = t->chart.prefix = -1;
	return t;
}

sm_cell *sm_rtable_row(sm_rtable *t)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->cells = sm_realloc(t->cells, t->cap * t->ncols * sizeof *t->cells);
	}
	sm_cell *row = &t->cells[t->nrows++ * t->ncols];
	for (size_t i = 0; i < t->ncols; i++)
		row[i] = (sm_cell){NULL, 0, 1};
	return row;
}

void sm_cell_text(sm_cell *c, const char *s)
{
	free(c->text);
	c->text = s ? sm_strdup(s) : NULL;
	c->null = s == NULL;
}

void sm_cell_num(sm_cell *c, double v)
{
	c->num = v;
	c->null = isnan(v) || isinf(v);
}

int sm_rtable_col(const sm_rtable *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, name))
			return (int)i;
	return -1;
}

/* a merge sort of whole rows: stable, and qsort has no context argument in C17 */
void sm_rtable_sort(sm_rtable *t, int (*cmp)(const sm_cell *a, const sm_cell *b, void *ctx), void *ctx)
{
	size_t n = t->nrows, w = t->ncols, rb = w * sizeof(sm_cell);
	if (n < 2)
		return;
	sm_cell *tmp = sm_malloc(n * rb), *a = t->cells, *b = tmp;
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid || j < hi) {
				int left = j >= hi || (i < mid && cmp(&a[i * w], &a[j * w], ctx) <= 0);
				memcpy(&b[k++ * w], &a[(left ? i++ : j++) * w], rb);
			}
		}
		sm_cell *s = a;
		a = b;
		b = s;
	}
	if (a != t->cells)
		memcpy(t->cells, a, n * rb);
	free(tmp);
}

sm_chart sm_chart_of(int kind, int x, int nvalues, ...)
{
	sm_chart c = {.kind = kind, .x = x, .series = -1, .prefix = -1, .marks = -1, .nvalues = nvalues};
	va_list ap;
	va_start(ap, nvalues);
	for (int i = 0; i < nvalues && i < 4; i++)
		c.values[i] = va_arg(ap, int);
	va_end(ap);
	return c;
}

void sm_report_free(sm_report *r)
{
	for (size_t i = 0; i < r->ntables; i++) {
		sm_rtable *t = &r->tables[i];
		for (size_t k = 0; k < t->nrows * t->ncols; k++)
			free(t->cells[k].text);
		free(t->cells);
		free(t->cols);
		free(t->title);
	}
	free(r->tables);
	free(r->title);
	memset(r, 0, sizeof *r);
}

/* ---- groups ----------------------------------------------------------------------------- */

void sm_groups_init(sm_groups *g, size_t size)
{
	memset(g, 0, sizeof *g);
	g->size = size;
}

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

long sm_groups_find(const sm_groups *g, const char *key)
{
	if (!g->nslots)
		return -1;
	for (size_t i = hash(key) & (g->nslots - 1);; i = (i + 1) & (g->nslots - 1)) {
		if (!g->slot[i])
			return -1;
		if (!strcmp(g->keys[g->slot[i] - 1], key))
			return (long)(g->slot[i] - 1);
	}
}

static void rehash(sm_groups *g)
{
	free(g->slot);
	g->nslots = g->nslots ? 2 * g->nslots : 64;
	g->slot = sm_calloc(g->nslots, sizeof *g->slot);
	for (size_t k = 0; k < g->n; k++) {
		size_t i = hash(g->keys[k]) & (g->nslots - 1);
		while (g->slot[i])
			i = (i + 1) & (g->nslots - 1);
		g->slot[i] = k + 1;
	}
}

void *sm_groups_get(sm_groups *g, const char *key)
{
	long f = sm_groups_find(g, key);
	if (f >= 0)
		return g->data + (size_t)f * g->size;
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 16;
		g->keys = sm_realloc(g->keys, g->cap * sizeof *g->keys);
		g->data = sm_realloc(g->data, g->cap * g->size);
	}
	g->keys[g->n] = sm_strdup(key);
	memset(g->data + g->n * g->size, 0, g->size);
	g->n++;
	if (2 * g->n > g->nslots)
		rehash(g);
	else {
		size_t i = hash(key) & (g->nslots - 1);
		while (g->slot[i])
			i = (i + 1) & (g->nslots - 1);
		g->slot[i] = g->n;
	}
	return g->data + (g->n - 1) * g->size;
}

void *sm_groups_at(sm_groups *g, size_t i) { return g->data + i * g->size; }

static _Thread_local const sm_groups *sorting; /* qsort has no context argument */
static int by_key(const void *a, const void *b)
{
	const char *x = sorting->keys[*(const size_t *)a], *y = sorting->keys[*(const size_t *)b];
	int nx = !strcmp(x, "(none)"), ny = !strcmp(y, "(none)");
	return nx != ny ? nx - ny : strcmp(x, y);
}

size_t *sm_groups_sorted(const sm_groups *g)
{
	size_t *idx = sm_malloc((g->n + 1) * sizeof *idx);
	for (size_t i = 0; i < g->n; i++)
		idx[i] = i;
	sorting = g;
	qsort(idx, g->n, sizeof *idx, by_key);
	return idx;
}

void sm_groups_free(sm_groups *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->keys[i]);
	free(g->keys);
	free(g->data);
	free(g->slot);
	memset(g, 0, sizeof *g);
}

void *sm_group_row(sm_groups *g, const size_t *idx, size_t n, sm_rtable *t, sm_cell **row)
{
	*row = sm_rtable_row(t);
	sm_cell_text(&(*row)[0], g->keys[idx[n]]);
	return sm_groups_at(g, idx[n]);
}

/* ---- samples ---------------------------------------------------------------------------- */

void sm_sample_add(sm_sample *s, double v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 8;
		s->v = sm_realloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = v;
	s->sum += v;
	s->sorted = 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void sort(sm_sample *s)
{
	if (!s->sorted)
		qsort(s->v, s->n, sizeof *s->v, cmp_double);
	s->sorted = 1;
}

double sm_sample_pct(sm_sample *s, double p)
{
	if (!s->n)
		return NAN;
	sort(s);
	double r = ceil(p / 100.0 * (double)s->n - 1e-9);
	size_t k = r < 1 ? 1 : (size_t)r;
	return s->v[(k > s->n ? s->n : k) - 1];
}

void sm_sample_cells(sm_sample *s, sm_cell *mean, sm_cell *median, sm_cell *p90, sm_cell *p95)
{
	if (!s->n)
		return; /* the cells stay null */
	sort(s);
	if (mean)
		sm_cell_num(mean, s->sum / (double)s->n);
	if (median)
		sm_cell_num(median, s->n % 2 ? s->v[s->n / 2] : (s->v[s->n / 2 - 1] + s->v[s->n / 2]) / 2);
	if (p90)
		sm_cell_num(p90, sm_sample_pct(s, 90));
	if (p95)
		sm_cell_num(p95, sm_sample_pct(s, 95));
}

void sm_sample_free(sm_sample *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* ---- times and periods ------------------------------------------------------------------ */

/* days since 1970-01-01 of a civil date (H. Hinnant's algorithm) */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static int digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

int sm_report_time(const char *s, time_t *t)
{
	int y, mo, d, h, mi, se;
	if (!s || !*s)
		return -1;
	if (strlen(s) == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' &&
	    s[16] == ':' && s[19] == 'Z' && digits(s, 4, &y) && digits(s + 5, 2, &mo) &&
	    digits(s + 8, 2, &d) && digits(s + 11, 2, &h) && digits(s + 14, 2, &mi) &&
	    digits(s + 17, 2, &se) && mo >= 1 && mo <= 12 && d >= 1 && d <= 31) {
		*t = (time_t)days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
		return 0;
	}
	return sm_date_parse(s, t);
}

void sm_period_key(sm_by by, time_t t, char out[16])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 16, by == SM_BY_MONTH ? "%Y-%m" : by == SM_BY_WEEK ? "%G-W%V" : "%Y-%m-%d", &tm);
}

/* The start of the period that holds t. */
static time_t period_start(sm_by by, time_t t)
{
	struct tm tm;
	time_t day = t - ((t % 86400) + 86400) % 86400;
	if (by == SM_BY_DAY)
		return day;
	gmtime_r(&day, &tm);
	if (by == SM_BY_WEEK)
		return day - (time_t)((tm.tm_wday + 6) % 7) * 86400;
	return day - (time_t)(tm.tm_mday - 1) * 86400;
}

void sm_periods_fill(sm_groups *g, sm_by by, time_t first, time_t last)
{
	char key[16];
	long n = 0;
	for (time_t t = period_start(by, first); t <= last && n < 100000; n++) {
		sm_period_key(by, t, key);
		sm_groups_get(g, key);
		if (by == SM_BY_MONTH) {
			struct tm tm;
			gmtime_r(&t, &tm);
			t += (time_t)(tm.tm_mon == 1 ? (tm.tm_year % 4 == 0 && (tm.tm_year % 100 != 0 ||
					(tm.tm_year + 1900) % 400 == 0) ? 29 : 28)
				      : (tm.tm_mon == 3 || tm.tm_mon == 5 || tm.tm_mon == 8 || tm.tm_mon == 10) ? 30 : 31) * 86400;
		} else
			t += by == SM_BY_WEEK ? 7 * 86400 : 86400;
	}
}

int sm_json_strings(const char *arr, int (*fn)(const char *s, void *ctx), void *ctx)
{
	size_t n = arr ? strlen(arr) : 0;
	sm_jval v = {arr, n, SM_JARRAY, 0}, e;
	const char *pos = NULL;
	sm_buf b = {0};
	int rc = 0;
	if (n < 2 || arr[0] != '[' || arr[n - 1] != ']')
		return 0;
	while (rc == 0 && sm_jnext(&v, &pos, &e)) {
		if (e.type != SM_JSTRING)
			continue;
		sm_buf_reset(&b);
		if (e.escaped ? sm_jstring(&e, &b) < 0 : (sm_buf_add(&b, e.p, e.n), 0))
			continue;
		sm_buf_addc(&b, 0);
		rc = fn(b.s, ctx);
	}
	sm_buf_free(&b);
	return rc;
}

/* ---- the context of one report ---------------------------------------------------------- */

void sm_rctx_seen(sm_rctx *x, time_t t)
{
	if (!x->first_data || t < x->first_data)
		x->first_data = t;
	if (!x->last_data || t > x->last_data)
		x->last_data = t;
}

const char *sm_rctx_key(sm_rctx *x, time_t t, const char *channel, const char *network,
			const char *team, const char *agent, char buf[16])
{
	const char *k = NULL;
	switch (x->by) {
	case SM_BY_DAY:
	case SM_BY_WEEK:
	case SM_BY_MONTH:
		if (!t)
			return "(none)";
		sm_rctx_seen(x, t);
		sm_period_key(x->by, t, buf);
		return buf;
	case SM_BY_CHANNEL: k = channel; break;
	case SM_BY_NETWORK: k = network; break;
	case SM_BY_TEAM: k = team; break;
	case SM_BY_AGENT: k = agent; break;
	default: k = NULL;
	}
	return k && *k ? k : "(none)";
}

void sm_rctx_fill(sm_rctx *x, sm_groups *g)
{
	if (!sm_by_is_time(x->by) || !x->first_data)
		return;
	time_t first = x->first_data, last = x->o->until ? x->o->until - 1 : x->o->now;
	if (x->o->since && x->o->since > first)
		first = x->o->since;
	if (x->o->until && x->o->until - 1 < last)
		last = x->o->until - 1;
	if (x->o->now < last && !x->o->until)
		last = x->o->now;
	if (x->last_data > last)
		last = x->last_data;
	sm_periods_fill(g, x->by, first, last);
}

static const char Q_CHANNEL_KIND[] = "SELECT kind FROM channels WHERE name = ?1";

const char *sm_channel_network(sm_rctx *x, const char *channel)
{
	static _Thread_local char kind[64];
	const char *k = sm_config_get_sub(x->cfg, "channel", channel, "kind");
	if (k)
		return k;
	sqlite3_stmt *s = sm_store_sql(x->st, Q_CHANNEL_KIND);
	kind[0] = 0;
	if (s) {
		sqlite3_bind_text(s, 1, channel, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
			snprintf(kind, sizeof kind, "%s", (const char *)sqlite3_column_text(s, 0));
		sqlite3_reset(s);
	}
	return kind;
}

/* The stored authors a self value names: by id or handle, without regard to case. */
static const char Q_SELF[] = "SELECT id FROM authors WHERE id = ?1 COLLATE NOCASE"
			     " OR handle = ?1 COLLATE NOCASE";

int sm_selves_load(sm_rctx *x, sm_selves *s)
{
	size_t nch, nself;
	memset(s, 0, sizeof *s);
	const char *const *chans = sm_config_subsections(x->cfg, "channel", &nch);
	for (size_t i = 0; i < nch; i++) {
		const char *const *self = sm_config_get_all_sub(x->cfg, "channel", chans[i], "self", &nself);
		for (size_t k = 0; k < nself; k++) {
			sqlite3_stmt *q = sm_store_sql(x->st, Q_SELF);
			if (!q)
				return -1;
			sqlite3_bind_text(q, 1, self[k], -1, SQLITE_STATIC);
			int rc;
			while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
				s->channel = sm_realloc(s->channel, (s->n + 1) * sizeof *s->channel);
				s->author = sm_realloc(s->author, (s->n + 1) * sizeof *s->author);
				s->channel[s->n] = sm_strdup(chans[i]);
				s->author[s->n++] = sm_strdup((const char *)sqlite3_column_text(q, 0));
			}
			sqlite3_reset(q);
			if (rc != SQLITE_DONE)
				return sm_store_fail(x->st, "own accounts");
		}
	}
	return 0;
}

int sm_selves_has(const sm_selves *s, const char *channel, const char *author)
{
	for (size_t i = 0; author && i < s->n; i++)
		if (!strcmp(s->author[i], author) && (!channel || !strcmp(s->channel[i], channel)))
			return 1;
	return 0;
}

void sm_selves_free(sm_selves *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->channel[i]);
		free(s->author[i]);
	}
	free(s->channel);
	free(s->author);
	memset(s, 0, sizeof *s);
}

/* ---- the reports by name ---------------------------------------------------------------- */

#define BIT(b) (1u << (b))
#define TIME_BY (BIT(SM_BY_DAY) | BIT(SM_BY_WEEK) | BIT(SM_BY_MONTH))
enum { F_PERIOD = 1, F_CHANNEL = 2, F_TEAM = 4, F_VERIFY = 8 };

static const struct {
	const char *name, *about;
	int (*fn)(sm_rctx *x, sm_report *r);
	sm_by def;
	unsigned by;   /* the dimensions it takes */
	int flags;     /* the options it takes */
} reports[] = {
	{"volume", "items in, matched and dropped", sm_report_volume, SM_BY_DAY,
	 TIME_BY | BIT(SM_BY_CHANNEL) | BIT(SM_BY_NETWORK) | BIT(SM_BY_TEAM) | BIT(SM_BY_AGENT) | BIT(SM_BY_TAG),
	 F_PERIOD | F_CHANNEL | F_TEAM},
	{"response", "first-response and resolution times, replies per case", sm_report_response,
	 SM_BY_TEAM, TIME_BY | BIT(SM_BY_CHANNEL) | BIT(SM_BY_NETWORK) | BIT(SM_BY_TEAM) | BIT(SM_BY_AGENT),
	 F_PERIOD | F_CHANNEL | F_TEAM},
	{"sla", "targets due, met and breached; the cases breached or about to be", sm_report_sla,
	 SM_BY_TEAM, TIME_BY | BIT(SM_BY_CHANNEL) | BIT(SM_BY_NETWORK) | BIT(SM_BY_TEAM) | BIT(SM_BY_AGENT),
	 F_PERIOD | F_CHANNEL | F_TEAM},
	{"backlog", "open and pending cases by age; the queue", sm_report_backlog, SM_BY_TEAM,
	 BIT(SM_BY_CHANNEL) | BIT(SM_BY_NETWORK) | BIT(SM_BY_TEAM) | BIT(SM_BY_AGENT), F_CHANNEL | F_TEAM},
	{"agents", "each agent's cases, replies, response, SLA, approvals and load", sm_report_agents,
	 SM_BY_AGENT, BIT(SM_BY_AGENT), F_PERIOD | F_CHANNEL | F_TEAM},
	{"topics", "tags and rules over time, week on week, spikes", sm_report_topics, SM_BY_DAY,
	 TIME_BY, F_PERIOD | F_CHANNEL | F_TEAM},
	{"superusers", "the community's helpers and their contributions", sm_report_superusers,
	 SM_BY_NONE, 0, F_PERIOD | F_CHANNEL},
	{"approvals", "drafts submitted, approved, rejected; time to approval", sm_report_approvals,
	 SM_BY_AGENT, TIME_BY | BIT(SM_BY_CHANNEL) | BIT(SM_BY_AGENT), F_PERIOD | F_CHANNEL | F_TEAM},
	{"publishing", "replies and posts published and failed; the plan ahead", sm_report_publishing,
	 SM_BY_CHANNEL, TIME_BY | BIT(SM_BY_CHANNEL) | BIT(SM_BY_NETWORK) | BIT(SM_BY_AGENT),
	 F_PERIOD | F_CHANNEL | F_TEAM},
	{"benchmark", "own channels against competitors'", sm_report_benchmark, SM_BY_CHANNEL,
	 TIME_BY | BIT(SM_BY_CHANNEL) | BIT(SM_BY_NETWORK), F_PERIOD | F_CHANNEL},
	{"audit", "the audit log; --verify checks its hash chain", sm_report_audit, SM_BY_NONE, 0,
	 F_PERIOD | F_VERIFY},
};
enum { NREPORTS = sizeof reports / sizeof reports[0] };

const char *const sm_report_names[] = {"volume", "response", "sla", "backlog", "agents", "topics",
				       "superusers", "approvals", "publishing", "benchmark", "audit", NULL};

static int find(const char *name)
{
	for (int i = 0; i < (int)NREPORTS; i++)
		if (!strcmp(reports[i].name, name))
			return i;
	return -1;
}

const char *sm_report_about(const char *name)
{
	int i = find(name);
	return i < 0 ? NULL : reports[i].about;
}

static int check(int i, const sm_report_opts *o)
{
	const char *name = reports[i].name;
	int f = reports[i].flags;
	if (o->by && !(reports[i].by & BIT(o->by)))
		return sm_error_code(SM_EX_USAGE, "%s: --by %s is not one of its breakdowns (see sm-report(1))",
				     name, sm_by_names[o->by]);
	if ((o->since || o->until) && !(f & F_PERIOD))
		return sm_error_code(SM_EX_USAGE, "%s is as of now: --since and --until do not apply", name);
	if (o->channel && !(f & F_CHANNEL))
		return sm_error_code(SM_EX_USAGE, "%s: --channel does not apply", name);
	if (o->team && !(f & F_TEAM))
		return sm_error_code(SM_EX_USAGE, "%s: --team does not apply", name);
	if (o->verify && !(f & F_VERIFY))
		return sm_error_code(SM_EX_USAGE, "%s: --verify is an option of audit only", name);
	if (o->since && o->until && o->until <= o->since)
		return sm_error_code(SM_EX_USAGE, "--until must be after --since");
	return 0;
}

static char *title(const sm_report_opts *o, sm_by by, const char *name)
{
	char a[SM_TIME_LEN], b[SM_TIME_LEN];
	sm_buf t = {0};
	sm_buf_adds(&t, name);
	if (by)
		sm_buf_printf(&t, " by %s", sm_by_names[by]);
	if (o->channel)
		sm_buf_printf(&t, ", channel %s", o->channel);
	if (o->team)
		sm_buf_printf(&t, ", team %s", o->team);
	/* a date for midnight, else the time */
	if (o->since)
		sm_buf_printf(&t, ", %.*s", o->since % 86400 ? 20 : 10, sm_time_format(o->since, a));
	else
		sm_buf_adds(&t, ", from the beginning");
	if (o->until)
		sm_buf_printf(&t, " to %.*s", o->until % 86400 ? 20 : 10, sm_time_format(o->until, b));
	else
		sm_buf_adds(&t, " to now");
	return sm_buf_detach(&t);
}

int sm_report_run(sm_store *st, sm_config *cfg, const sm_report_opts *o, sm_report *r)
{
	int i = find(o->name);
	memset(r, 0, sizeof *r);
	if (i < 0)
		return sm_error_code(SM_EX_USAGE, "no report '%s' (volume, response, sla, backlog, agents, "
				     "topics, superusers, approvals, publishing, benchmark, audit)", o->name);
	if (check(i, o) < 0)
		return -1;
	sm_rctx x = {st, cfg, o, o->by ? o->by : reports[i].def, "", "9999", "", 0, 0};
	if (o->since)
		sm_time_format(o->since, x.since);
	if (o->until)
		sm_time_format(o->until, x.until);
	sm_time_format(o->now, x.now);
	r->name = reports[i].name;
	sm_time_format(o->now, r->generated);
	/* "by X" when there is a choice */
	r->title = title(o, reports[i].by & (reports[i].by - 1) ? x.by : SM_BY_NONE, r->name);
	/* one snapshot: every table of the report sees the same store */
	sqlite3_stmt *begin = sm_store_sql(st, "BEGIN"), *end = sm_store_sql(st, "COMMIT");
	if (!begin || !end || sqlite3_step(begin) != SQLITE_DONE) {
		sm_report_free(r);
		return begin && end ? sm_store_fail(st, "begin") : -1;
	}
	sqlite3_reset(begin);
	int rc = reports[i].fn(&x, r);
	sqlite3_step(end);
	sqlite3_reset(end);
	if (rc < 0)
		sm_report_free(r);
	return rc;
}
