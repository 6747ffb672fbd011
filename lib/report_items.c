/*
 * report_items.c - the reports on items: volume (items in, matched, dropped), topics (tags
 * and rules a day, a week or a month, against the week before, with spikes over the
 * trailing days) and benchmark (own channels against competitors': posts, engagement,
 * replies received and answered). Items count by the time they were written (created_at).
 */
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* the team of an item: its case's, else the one its rule routed it to */
static const char Q_VOLUME[] =
	"SELECT created_at, channel, coalesce(network, ''), coalesce(team, ''), '', tags,"
	" rules IS NOT NULL, dropped FROM items"
	" WHERE created_at >= ?1 AND created_at < ?2 AND (?3 IS NULL OR channel = ?3)";
static const char Q_VOLUME_CASES[] =
	"SELECT i.created_at, i.channel, coalesce(i.network, ''), coalesce(c.team, i.team, ''),"
	" coalesce(c.assignee, ''), i.tags, i.rules IS NOT NULL, i.dropped FROM items i"
	" LEFT JOIN case_items ci ON ci.item_id = i.id LEFT JOIN cases c ON c.id = ci.case_id"
	" WHERE i.created_at >= ?1 AND i.created_at < ?2 AND (?3 IS NULL OR i.channel = ?3)"
	" AND (?4 IS NULL OR coalesce(c.team, i.team) = ?4)";

static sqlite3_stmt *items_query(sm_rctx *x, const char *plain, const char *joined, int join)
{
	sqlite3_stmt *s = sm_store_sql(x->st, join || x->o->team ? joined : plain);
	if (!s)
		return NULL;
	sqlite3_bind_text(s, 1, x->since, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, x->until, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, x->o->channel, -1, SQLITE_STATIC);
	if (join || x->o->team)
		sqlite3_bind_text(s, 4, x->o->team, -1, SQLITE_STATIC);
	return s;
}

static const char *text(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);
	return v ? (const char *)v : "";
}

/* ---- volume ----------------------------------------------------------------------------- */

typedef struct {
	long items, matched, dropped;
} vol_acc;
typedef struct {
	sm_groups *g;
	int matched, dropped, n;
} vol_tag;

static int count_tag(const char *tag, void *ctx)
{
	vol_tag *v = ctx;
	vol_acc *a = sm_groups_get(v->g, *tag ? tag : "(none)");
	a->items++;
	a->matched += v->matched;
	a->dropped += v->dropped;
	v->n++;
	return 0;
}

int sm_report_volume(sm_rctx *x, sm_report *r)
{
	sm_groups g;
	char buf[16];
	int rc;
	sm_groups_init(&g, sizeof(vol_acc));
	sqlite3_stmt *s = items_query(x, Q_VOLUME, Q_VOLUME_CASES, x->by == SM_BY_TEAM || x->by == SM_BY_AGENT);
	if (!s)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int matched = sqlite3_column_int(s, 6), dropped = sqlite3_column_int(s, 7);
		if (x->by == SM_BY_TAG) {
			vol_tag v = {&g, matched, dropped, 0};
			sm_json_strings(text(s, 5), count_tag, &v);
			if (!v.n)
				count_tag("", &v);
			continue;
		}
		time_t t = 0;
		if (sm_by_is_time(x->by) && sm_report_time(text(s, 0), &t) < 0)
			t = 0;
		vol_acc *a = sm_groups_get(&g, sm_rctx_key(x, t, text(s, 1), text(s, 2), text(s, 3), text(s, 4), buf));
		a->items++;
		a->matched += matched;
		a->dropped += dropped;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		sm_groups_free(&g);
		return sm_store_fail(x->st, "volume");
	}
	const sm_rcol cols[] = {sm_by_col(x->by), {"items", SM_RT_INT}, {"matched", SM_RT_INT},
				{"dropped", SM_RT_INT}};
	sm_rtable *t = sm_rtable_add(r, "volume", cols, 4);
	t->title = sm_strdup(x->by == SM_BY_TAG ? "Volume: items written in the period, once for each of their tags"
						: "Volume: items written in the period, matched by a rule, dropped by one");
	sm_rctx_fill(x, &g);
	size_t *idx = sm_groups_sorted(&g);
	for (size_t n = 0; n < g.n; n++) {
		sm_cell *row;
		vol_acc *a = sm_group_row(&g, idx, n, t, &row);
		sm_cell_num(&row[1], (double)a->items);
		sm_cell_num(&row[2], (double)a->matched);
		sm_cell_num(&row[3], (double)a->dropped);
	}
	free(idx);
	t->chart = sm_by_is_time(x->by) ? sm_chart_of(SM_CHART_LINES, 0, 3, 1, 2, 3)
					: sm_chart_of(SM_CHART_BARS, 0, 1, 1);
	sm_groups_free(&g);
	return 0;
}

/* ---- topics ----------------------------------------------------------------------------- */

/* the partial index of migration 0010 holds exactly these rows: matched items */
static const char Q_TOPICS[] =
	"SELECT created_at, tags, rules FROM items WHERE rules IS NOT NULL"
	" AND created_at >= ?1 AND created_at < ?2 AND (?3 IS NULL OR channel = ?3)";
static const char Q_TOPICS_TEAM[] =
	"SELECT i.created_at, i.tags, i.rules FROM items i LEFT JOIN case_items ci ON ci.item_id = i.id"
	" LEFT JOIN cases c ON c.id = ci.case_id WHERE i.rules IS NOT NULL"
	" AND i.created_at >= ?1 AND i.created_at < ?2 AND (?3 IS NULL OR i.channel = ?3)"
	" AND (?4 IS NULL OR coalesce(c.team, i.team) = ?4)";
static const char Q_TOPICS_SPAN[] =
	"SELECT min(created_at), max(created_at) FROM items WHERE rules IS NOT NULL"
	" AND created_at >= ?1 AND created_at < ?2";

typedef struct {
	sm_groups topics; /* "tag\037name" -> the topic's counts */
	long first, ndays; /* day numbers (days since 1970) */
	long day;         /* of the row at hand */
	const char *kind;
} topic_scan;
typedef struct {
	int *count; /* ndays */
	long total;
} topic;

static int count_topic(const char *name, void *ctx)
{
	topic_scan *ts = ctx;
	char key[512];
	snprintf(key, sizeof key, "%s\037%s", ts->kind, name);
	topic *tp = sm_groups_get(&ts->topics, key);
	if (!tp->count)
		tp->count = sm_calloc((size_t)ts->ndays, sizeof *tp->count);
	if (ts->day >= 0 && ts->day < ts->ndays) {
		tp->count[ts->day]++;
		tp->total++;
	}
	return 0;
}

/* Which names count: tags and rules once per item (a rule that names a tag twice...). */
static int scan_topics(sm_rctx *x, topic_scan *ts, time_t from)
{
	char from_s[SM_TIME_LEN];
	time_t lo, hi;
	sm_time_format(from, from_s);
	sqlite3_stmt *s = sm_store_sql(x->st, Q_TOPICS_SPAN);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, from_s, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, x->until, -1, SQLITE_STATIC);
	int have = sqlite3_step(s) == SQLITE_ROW && sm_report_time(text(s, 0), &lo) == 0 &&
		   sm_report_time(text(s, 1), &hi) == 0;
	sqlite3_reset(s);
	if (!have)
		return 0; /* no matched item: no rows */
	time_t end = x->o->until ? x->o->until - 1 : x->o->now;
	if (hi > end)
		end = hi;
	ts->first = (long)((lo < from ? from : lo) / 86400);
	if (x->o->since)
		ts->first = (long)(from / 86400);
	ts->ndays = (long)(end / 86400) - ts->first + 1;
	if (!(s = x->o->team ? sm_store_sql(x->st, Q_TOPICS_TEAM) : sm_store_sql(x->st, Q_TOPICS)))
		return -1;
	sqlite3_bind_text(s, 1, from_s, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, x->until, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, x->o->channel, -1, SQLITE_STATIC);
	if (x->o->team)
		sqlite3_bind_text(s, 4, x->o->team, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		time_t t;
		if (sm_report_time(text(s, 0), &t) < 0)
			continue;
		ts->day = (long)(t / 86400) - ts->first;
		sm_rctx_seen(x, t);
		ts->kind = "tag";
		sm_json_strings(text(s, 1), count_topic, ts);
		ts->kind = "rule";
		sm_json_strings(text(s, 2), count_topic, ts);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sm_store_fail(x->st, "topics");
}

typedef struct {
	double k;
	long window, min;
} spike_rule;

/* Is day d a spike: above the mean of the window before it by k standard deviations? */
static int spike(const topic *tp, long d, const spike_rule *sr, double *mean, double *sd)
{
	double sum = 0, sq = 0;
	for (long i = d - sr->window; i < d; i++) {
		double c = i >= 0 ? tp->count[i] : 0;
		sum += c;
		sq += c * c;
	}
	*mean = sum / (double)sr->window;
	double var = sq / (double)sr->window - *mean * *mean;
	*sd = var > 0 ? sqrt(var) : 0;
	return tp->count[d] >= sr->min && tp->count[d] > *mean + sr->k * *sd + 1e-9;
}

static int spike_config(sm_rctx *x, spike_rule *sr)
{
	const char *k = sm_config_get(x->cfg, "report.spike-k");
	double w;
	char *end;
	sr->k = k ? strtod(k, &end) : 3;
	if (k && (end == k || *end || sr->k < 0))
		return sm_error_code(SM_EX_CONFIG, "report.spike-k: '%s' is not a number of standard "
				     "deviations", k);
	if (sm_config_duration(x->cfg, "report.spike-window", 28 * 86400, &w) < 0 ||
	    sm_config_int(x->cfg, "report.spike-min", 3, &sr->min) < 0)
		return -1;
	sr->window = (long)(w / 86400);
	if (sr->window < 1)
		return sm_error_code(SM_EX_CONFIG, "report.spike-window: at least a day");
	return 0;
}

/* The period of day d, and the first day of the same period a step (week, month) before. */
static long period_of(sm_by by, long day, char key[16])
{
	sm_period_key(by, (time_t)day * 86400, key);
	return day;
}

static void topic_rows(sm_rctx *x, topic_scan *ts, const spike_rule *sr, sm_rtable *t)
{
	long out_first = x->o->since ? (long)(x->o->since / 86400) - ts->first : 0;
	size_t *idx = sm_groups_sorted(&ts->topics);
	char key[16], prev_key[16];
	for (long d = out_first < 0 ? 0 : out_first; d < ts->ndays;) {
		/* the days of this period: d .. e */
		period_of(x->by, d + ts->first, key);
		long e = d;
		while (e + 1 < ts->ndays && (period_of(x->by, e + 1 + ts->first, prev_key), !strcmp(prev_key, key)))
			e++;
		for (size_t n = 0; n < ts->topics.n; n++) {
			topic *tp = sm_groups_at(&ts->topics, idx[n]);
			long count = 0, prev = 0, spikes = 0;
			double mean = 0, sd = 0;
			for (long i = d; i <= e; i++) {
				count += tp->count[i];
				spikes += spike(tp, i, sr, &mean, &sd);
			}
			/* the period before: a week for days and weeks, the month before for months */
			long pf = x->by == SM_BY_MONTH ? 0 : d - 7, pl = x->by == SM_BY_MONTH ? -1 : e - 7;
			if (x->by == SM_BY_MONTH && d > 0) {
				char pk[16];
				period_of(SM_BY_MONTH, d - 1 + ts->first, pk);
				pl = d - 1;
				pf = pl;
				while (pf > 0 && (period_of(SM_BY_MONTH, pf - 1 + ts->first, prev_key), !strcmp(prev_key, pk)))
					pf--;
			}
			for (long i = pf < 0 ? 0 : pf; i <= pl; i++)
				prev += tp->count[i];
			if (!count && !prev)
				continue;
			const char *kn = ts->topics.keys[idx[n]], *sep = strchr(kn, '\037');
			sm_cell *row = sm_rtable_row(t);
			sm_cell_text(&row[0], key);
			char kind[8];
			snprintf(kind, sizeof kind, "%.*s", (int)(sep - kn), kn);
			sm_cell_text(&row[1], kind);
			sm_cell_text(&row[2], sep + 1);
			sm_cell_num(&row[3], (double)count);
			sm_cell_num(&row[4], (double)prev);
			if (prev)
				sm_cell_num(&row[5], 100.0 * (double)(count - prev) / (double)prev);
			if (x->by == SM_BY_DAY) {
				sm_cell_num(&row[6], mean);
				sm_cell_num(&row[7], sd);
				sm_cell_num(&row[8], spikes > 0);
			} else
				sm_cell_num(&row[6], (double)spikes);
		}
		d = e + 1;
	}
	free(idx);
}

int sm_report_topics(sm_rctx *x, sm_report *r)
{
	spike_rule sr;
	topic_scan ts = {0};
	if (spike_config(x, &sr) < 0)
		return -1;
	sm_groups_init(&ts.topics, sizeof(topic));
	/* the trailing window and the week before reach back from --since */
	long back = sr.window > 31 ? sr.window : 31;
	time_t from = x->o->since ? x->o->since - (time_t)back * 86400 : 0;
	int rc = scan_topics(x, &ts, from);
	static const sm_rcol day_cols[] = {
		{"period", SM_RT_TEXT}, {"kind", SM_RT_TEXT}, {"topic", SM_RT_TEXT}, {"count", SM_RT_INT},
		{"previous", SM_RT_INT}, {"change", SM_RT_PCT}, {"mean", SM_RT_REAL}, {"sd", SM_RT_REAL},
		{"spike", SM_RT_BOOL},
	};
	static const sm_rcol period_cols[] = {
		{"period", SM_RT_TEXT}, {"kind", SM_RT_TEXT}, {"topic", SM_RT_TEXT}, {"count", SM_RT_INT},
		{"previous", SM_RT_INT}, {"change", SM_RT_PCT}, {"spike_days", SM_RT_INT},
	};
	int daily = x->by == SM_BY_DAY;
	sm_rtable *t = sm_rtable_add(r, "topics", daily ? day_cols : period_cols, daily ? 9 : 7);
	t->title = sm_asprintf("Topics: items a %s with each tag and rule; previous: %s; spike: above "
			       "the mean of the %ld days before by %g standard deviations (at least %ld)",
			       sm_by_names[x->by], x->by == SM_BY_MONTH ? "the month before" : "the week before",
			       sr.window, sr.k, sr.min);
	if (rc == 0 && ts.ndays > 0)
		topic_rows(x, &ts, &sr, t);
	t->chart = sm_chart_of(SM_CHART_LINES, 0, 1, 3);
	t->chart.series = 2;
	t->chart.prefix = 1;
	t->chart.marks = daily ? 8 : -1;
	t->chart.max_series = 8;
	for (size_t i = 0; i < ts.topics.n; i++)
		free(((topic *)sm_groups_at(&ts.topics, i))->count);
	sm_groups_free(&ts.topics);
	return rc;
}

/* ---- benchmark -------------------------------------------------------------------------- */

static const char Q_BENCH[] =
	"SELECT id, channel, coalesce(author_id, ''), in_reply_to, created_at,"
	" json_extract(record, '$.metrics.likes'), json_extract(record, '$.metrics.reposts'),"
	" json_extract(record, '$.metrics.replies') FROM items"
	" WHERE created_at >= ?1 AND created_at < ?2 AND (?3 IS NULL OR channel = ?3)"
	" ORDER BY created_at, rowid";

typedef struct {
	char *id, *channel, *author, *in_reply_to;
	time_t at;
	double likes, reposts, replies;
	int role; /* 1 post, 2 reply received */
	int answered;
} bitem;
typedef struct {
	long posts, received, answered;
	double likes, reposts, replies;
	int competitor;
	char channel[128];
} bench_acc;

static int competitor(sm_config *cfg, const char *channel)
{
	const char *v = sm_config_get_sub(cfg, "channel", channel, "competitor");
	return v && (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "on"));
}

static bench_acc *bench_group(sm_rctx *x, sm_groups *g, const bitem *it)
{
	char key[300], buf[16];
	const char *p = sm_by_is_time(x->by) ? sm_rctx_key(x, it->at, NULL, NULL, NULL, NULL, buf) : "";
	snprintf(key, sizeof key, "%s\037%s", p, it->channel);
	bench_acc *a = sm_groups_get(g, key);
	if (!a->channel[0]) {
		snprintf(a->channel, sizeof a->channel, "%s", it->channel);
		a->competitor = competitor(x->cfg, it->channel);
	}
	return a;
}

static int load_bench(sm_rctx *x, bitem **out, size_t *n)
{
	sqlite3_stmt *s = sm_store_sql(x->st, Q_BENCH);
	size_t cap = 0;
	int rc;
	*out = NULL;
	*n = 0;
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, x->since, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, x->until, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, x->o->channel, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 256;
			*out = sm_realloc(*out, cap * sizeof **out);
		}
		bitem *it = &(*out)[(*n)++];
		memset(it, 0, sizeof *it);
		it->id = sm_strdup(text(s, 0));
		it->channel = sm_strdup(text(s, 1));
		it->author = sm_strdup(text(s, 2));
		it->in_reply_to = sqlite3_column_text(s, 3) ? sm_strdup(text(s, 3)) : NULL;
		if (sm_report_time(text(s, 4), &it->at) < 0)
			it->at = 0;
		it->likes = sqlite3_column_double(s, 5);
		it->reposts = sqlite3_column_double(s, 6);
		it->replies = sqlite3_column_double(s, 7);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : sm_store_fail(x->st, "benchmark");
}

/* posts, the replies they received, and which of those the channel's account answered */
static void classify(sm_rctx *x, bitem *it, size_t n, const sm_selves *self, sm_groups *g)
{
	sm_groups ids;
	sm_groups_init(&ids, sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		size_t nself;
		sm_config_get_all_sub(x->cfg, "channel", it[i].channel, "self", &nself);
		int own = sm_selves_has(self, it[i].channel, it[i].author);
		if (!it[i].in_reply_to && (nself == 0 || own))
			it[i].role = 1;
		else if (it[i].in_reply_to && !own) {
			long p = sm_groups_find(&ids, it[i].in_reply_to);
			if (p >= 0 && it[*(size_t *)sm_groups_at(&ids, (size_t)p)].role == 1)
				it[i].role = 2;
		} else if (it[i].in_reply_to && own) {
			long p = sm_groups_find(&ids, it[i].in_reply_to);
			if (p >= 0)
				it[*(size_t *)sm_groups_at(&ids, (size_t)p)].answered = 1;
		}
		*(size_t *)sm_groups_get(&ids, it[i].id) = i;
	}
	sm_groups_free(&ids);
	for (size_t i = 0; i < n; i++) {
		bench_acc *a = bench_group(x, g, &it[i]);
		if (it[i].role == 1) {
			a->posts++;
			a->likes += it[i].likes;
			a->reposts += it[i].reposts;
			a->replies += it[i].replies;
		} else if (it[i].role == 2) {
			a->received++;
			a->answered += it[i].answered;
		}
	}
}

int sm_report_benchmark(sm_rctx *x, sm_report *r)
{
	bitem *it;
	size_t n;
	sm_selves self;
	sm_groups g;
	sm_groups_init(&g, sizeof(bench_acc));
	int rc = load_bench(x, &it, &n);
	if (rc == 0)
		rc = sm_selves_load(x, &self);
	if (rc == 0) {
		classify(x, it, n, &self, &g);
		sm_selves_free(&self);
	}
	int timed = sm_by_is_time(x->by);
	const sm_rcol all[] = {
		{"period", SM_RT_TEXT}, {"channel", SM_RT_TEXT}, {"side", SM_RT_TEXT}, {"posts", SM_RT_INT},
		{"likes", SM_RT_INT}, {"reposts", SM_RT_INT}, {"replies", SM_RT_INT},
		{"engagement_per_post", SM_RT_REAL}, {"replies_received", SM_RT_INT}, {"answered", SM_RT_INT},
		{"response_share", SM_RT_SHARE},
	};
	const sm_rcol *cols = timed ? all : all + 1;
	sm_rtable *t = sm_rtable_add(r, "benchmark", cols, timed ? 11 : 10);
	t->title = sm_strdup("Benchmark: own channels and competitors' (competitor = true): posts, their "
			     "likes, reposts and replies, replies received and the share answered");
	size_t *idx = sm_groups_sorted(&g);
	for (size_t k = 0; k < g.n; k++) {
		bench_acc *a = sm_groups_at(&g, idx[k]);
		sm_cell *row = sm_rtable_row(t);
		int c = 0;
		if (timed) {
			const char *key = g.keys[idx[k]];
			char p[16];
			snprintf(p, sizeof p, "%.*s", (int)strcspn(key, "\037"), key);
			sm_cell_text(&row[c++], p);
		}
		sm_cell_text(&row[c++], a->channel);
		sm_cell_text(&row[c++], a->competitor ? "competitor" : "own");
		sm_cell_num(&row[c++], (double)a->posts);
		sm_cell_num(&row[c++], a->likes);
		sm_cell_num(&row[c++], a->reposts);
		sm_cell_num(&row[c++], a->replies);
		if (a->posts)
			sm_cell_num(&row[c], (a->likes + a->reposts + a->replies) / (double)a->posts);
		c++;
		sm_cell_num(&row[c++], (double)a->received);
		sm_cell_num(&row[c++], (double)a->answered);
		if (a->received)
			sm_cell_num(&row[c], (double)a->answered / (double)a->received);
	}
	free(idx);
	t->chart = timed ? sm_chart_of(SM_CHART_LINES, 0, 1, 7) : sm_chart_of(SM_CHART_BARS, 0, 1, 6);
	if (timed) {
		t->chart.series = 1;
		t->chart.max_series = 8;
	}
	for (size_t i = 0; i < n; i++) {
		free(it[i].id);
		free(it[i].channel);
		free(it[i].author);
		free(it[i].in_reply_to);
	}
	free(it);
	sm_groups_free(&g);
	return rc;
}
