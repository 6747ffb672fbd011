/*
 * report.h - the reporting area (sm-report): a report is one or more tables of typed cells
 * read from the store in one snapshot (report.c: the model, groups, samples and periods;
 * report_cases.c, report_items.c, report_drafts.c: the reports), written as an aligned
 * table, CSV, TSV, JSON lines, Markdown (report_out.c) or one HTML page with SVG charts
 * (report_html.c).
 */
#ifndef SM_REPORT_H
#define SM_REPORT_H

#include "smkit.h"

/* What rows are grouped by (--by). */
typedef enum {
	SM_BY_NONE, SM_BY_DAY, SM_BY_WEEK, SM_BY_MONTH, SM_BY_CHANNEL, SM_BY_NETWORK,
	SM_BY_TEAM, SM_BY_AGENT, SM_BY_TAG, SM_BY_N
} sm_by;
typedef enum { SM_FMT_TABLE, SM_FMT_CSV, SM_FMT_TSV, SM_FMT_JSONL, SM_FMT_HTML, SM_FMT_MD, SM_FMT_N } sm_format;

/* The types of a column: how a cell is written in each format. */
enum {
	SM_RT_TEXT,   /* a string */
	SM_RT_INT,    /* a count */
	SM_RT_REAL,   /* a number (a mean of counts...) */
	SM_RT_SECS,   /* a duration in seconds */
	SM_RT_SHARE,  /* a fraction, 0 to 1; a percentage for people */
	SM_RT_PCT,    /* a change in per cent, may be negative */
	SM_RT_BOOL,
	SM_RT_TIME,   /* RFC 3339 text */
	SM_RT_URL,    /* text that is a link in HTML and Markdown */
};
typedef struct {
	char *text; /* SM_RT_TEXT, _TIME, _URL; NULL is null */
	double num;
	int null;
} sm_cell;
typedef struct {
	const char *name; /* a static string: snake_case, the JSON key and CSV header */
	int type;
} sm_rcol;

enum { SM_CHART_NONE, SM_CHART_BARS, SM_CHART_LINES };
typedef struct {
	int kind;
	int x;          /* the column of the labels (bars) or periods (lines) */
	int series;     /* lines: the column naming each series, or -1 for one per value */
	int values[4];  /* the columns plotted */
	int nvalues;
	int prefix;     /* lines: a column whose value goes before the series name, or -1 */
	int marks;      /* lines: a boolean column marking points (spikes), or -1 */
	int has_target; /* a horizontal line: the target */
	double target;
	char target_label[96];
	int max_series; /* lines with a series column: the largest ones only */
} sm_chart;

/* A chart of kind over column x plotting the nvalues columns that follow (no series, marks,
   prefix or target). */
sm_chart sm_chart_of(int kind, int x, int nvalues, ...);

typedef struct {
	const char *name; /* for --table */
	char *title;
	sm_rcol *cols;
	size_t ncols;
	sm_cell *cells; /* nrows * ncols */
	size_t nrows, cap;
	sm_chart chart;
	const char *note; /* a line said under the table, or NULL */
} sm_rtable;

typedef struct {
	const char *name;
	char *title;     /* "sla by team, 2026-11-01 to 2026-11-23" */
	char generated[SM_TIME_LEN];
	sm_rtable *tables;
	size_t ntables;
	int broken;      /* audit --verify: the chain is broken */
} sm_report;

typedef struct {
	const char *name;
	time_t since, until, now; /* since/until: 0 when not given */
	sm_by by;                 /* SM_BY_NONE: the report's default */
	const char *channel, *team;
	int verify;               /* audit --verify */
} sm_report_opts;

// report.c: the model, and the reports by name
extern const char *const sm_by_names[SM_BY_N];
extern const char *const sm_format_names[SM_FMT_N];
int sm_by_parse(const char *s, sm_by *out);
int sm_format_parse(const char *s, sm_format *out);
/* The report names, NULL-terminated, and a line about each. */
extern const char *const sm_report_names[];
const char *sm_report_about(const char *name);
/* Check the options against the report (SM_EX_USAGE), read the store in one snapshot and
   build the report. */
int sm_report_run(sm_store *st, sm_config *cfg, const sm_report_opts *o, sm_report *r);
void sm_report_free(sm_report *r);

/* For the reports: tables, rows and cells. */
sm_rtable *sm_rtable_add(sm_report *r, const char *name, const sm_rcol *cols, size_t ncols);
sm_cell *sm_rtable_row(sm_rtable *t); /* a new row of null cells */
void sm_cell_text(sm_cell *c, const char *s); /* NULL: null */
void sm_cell_num(sm_cell *c, double v);
void sm_rtable_sort(sm_rtable *t, int (*cmp)(const sm_cell *a, const sm_cell *b, void *ctx), void *ctx);
int sm_rtable_col(const sm_rtable *t, const char *name); /* its index, or -1 */

/* Groups: a string key to a zeroed block of `size` bytes, in the order first seen. */
typedef struct {
	char **keys;
	char *data;
	size_t n, cap, size;
	size_t *slot, nslots; /* open addressing: index + 1, 0 empty */
} sm_groups;
void sm_groups_init(sm_groups *g, size_t size);
void *sm_groups_get(sm_groups *g, const char *key); /* valid until the next get */
void *sm_groups_at(sm_groups *g, size_t i);
long sm_groups_find(const sm_groups *g, const char *key); /* -1 if absent */
/* Indexes in key order (periods sort as text); "(none)" last. malloc'd. */
size_t *sm_groups_sorted(const sm_groups *g);
void sm_groups_free(sm_groups *g);
/* The n-th group in the order idx gives, and a new row of t that starts with its key. */
void *sm_group_row(sm_groups *g, const size_t *idx, size_t n, sm_rtable *t, sm_cell **row);

/* A sample of values for means and percentiles. */
typedef struct {
	double *v, sum;
	size_t n, cap;
	int sorted;
} sm_sample;
void sm_sample_add(sm_sample *s, double v);
/* The mean; the median (the mean of the middle two of an even count); the nearest-rank
   percentile p (0 < p <= 100). The cell is null for an empty sample. */
void sm_sample_cells(sm_sample *s, sm_cell *mean, sm_cell *median, sm_cell *p90, sm_cell *p95);
double sm_sample_pct(sm_sample *s, double p);
void sm_sample_free(sm_sample *s);

/* Times as the store keeps them ("2026-11-23T09:58:00Z"; other forms parsed slowly). */
int sm_report_time(const char *s, time_t *t);
/* The period of a time: 2026-11-23, 2026-W48 (ISO week), 2026-11. */
void sm_period_key(sm_by by, time_t t, char out[16]);
/* Every period from the first to the last key, each entered in g. */
void sm_periods_fill(sm_groups *g, sm_by by, time_t first, time_t last);
int sm_by_is_time(sm_by by);

/* What a report needs to know besides the store. */
typedef struct {
	sm_store *st;
	sm_config *cfg;
	const sm_report_opts *o;
	sm_by by;
	char since[SM_TIME_LEN], until[SM_TIME_LEN], now[SM_TIME_LEN]; /* "" and "9999" when open */
	time_t first_data, last_data; /* the times seen, for filling periods */
} sm_rctx;
/* The key of a row under --by: the period of t (0: none), or the text itself ("(none)" for
   an empty one). */
const char *sm_rctx_key(sm_rctx *x, time_t t, const char *channel, const char *network,
			const char *team, const char *agent, char buf[16]);
void sm_rctx_seen(sm_rctx *x, time_t t);
/* Fill the periods between the first data (or --since) and now (or --until). */
void sm_rctx_fill(sm_rctx *x, sm_groups *g);
const char *sm_channel_network(sm_rctx *x, const char *channel); /* config kind, else stored */
/* The authors that are a channel's own accounts (channel.NAME.self: ids or handles, without
   regard to case), as stored author ids. */
typedef struct {
	char **channel, **author;
	size_t n;
} sm_selves;
int sm_selves_load(sm_rctx *x, sm_selves *s);
int sm_selves_has(const sm_selves *s, const char *channel, const char *author);
void sm_selves_free(sm_selves *s);
/* Call fn with each string of a JSON array of strings (tags, rules), decoded. */
int sm_json_strings(const char *arr, int (*fn)(const char *s, void *ctx), void *ctx);
/* the column of the dimension, named as --by names it */
sm_rcol sm_by_col(sm_by by);

// report_cases.c
int sm_report_response(sm_rctx *x, sm_report *r);
int sm_report_sla(sm_rctx *x, sm_report *r);
int sm_report_backlog(sm_rctx *x, sm_report *r);
int sm_report_agents(sm_rctx *x, sm_report *r);

// report_items.c
int sm_report_volume(sm_rctx *x, sm_report *r);
int sm_report_topics(sm_rctx *x, sm_report *r);
int sm_report_benchmark(sm_rctx *x, sm_report *r);

// report_people.c
int sm_report_superusers(sm_rctx *x, sm_report *r);
/* superusers -f md: a page per super user (and index.md) into dir, or all to fp. */
int sm_report_md_pages(const sm_report *r, const char *dir, FILE *fp);

// report_drafts.c
int sm_report_approvals(sm_rctx *x, sm_report *r);
int sm_report_publishing(sm_rctx *x, sm_report *r);
int sm_report_audit(sm_rctx *x, sm_report *r);

// report_out.c
/* Write the report: table, md (every table) or csv, tsv, jsonl (the table named, else the
   first). width: the terminal's columns for table (0: no limit). */
int sm_report_write(const sm_report *r, sm_format f, const char *table, FILE *fp, int width);
/* A cell as people read it: 1h 05m, 92.3%, 2026-11-23 09:58, -. */
void sm_cell_human(sm_buf *b, const sm_cell *c, int type);
/* Write to path through a temporary file renamed over it: nothing half-written is left. */
int sm_report_save(const sm_report *r, sm_format f, const char *table, const char *path);

// report_html.c
int sm_report_html(const sm_report *r, FILE *fp);
/* One chart as an SVG element. */
void sm_chart_svg(sm_buf *b, const sm_rtable *t);

#endif
