/*
 * report_html.c - a report as one self-contained HTML page: its tables, and SVG charts
 * drawn here (bars for breakdowns, lines for time series, the target as a dashed line,
 * spikes marked). No script, font, style sheet or image is loaded from anywhere, and the
 * page says so to the browser (Content-Security-Policy), so it opens offline, mails as an
 * attachment and prints.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static const char *const palette[] = {"#0072b2", "#e69f00", "#009e73", "#cc79a7",
				      "#56b4e9", "#d55e00", "#6a3d9a", "#000000"};
enum { NPALETTE = sizeof palette / sizeof palette[0], W = 760, MAX_BARS = 30 };

/* Text for HTML: markup characters as entities, control characters made visible. */
static void esc(sm_buf *b, const char *s)
{
	sm_buf e = {0};
	sm_term_escape(&e, s ? s : "");
	for (size_t i = 0; i < e.len; i++)
		switch (e.s[i]) {
		case '&': sm_buf_adds(b, "&amp;"); break;
		case '<': sm_buf_adds(b, "&lt;"); break;
		case '>': sm_buf_adds(b, "&gt;"); break;
		case '"': sm_buf_adds(b, "&quot;"); break;
		case '\'': sm_buf_adds(b, "&#39;"); break;
		default: sm_buf_addc(b, e.s[i]);
		}
	sm_buf_free(&e);
}

static const sm_cell *cell(const sm_rtable *t, size_t r, int c) { return &t->cells[r * t->ncols + (size_t)c]; }

static void human(sm_buf *b, const sm_rtable *t, double v, int col)
{
	sm_cell c = {NULL, v, 0};
	sm_buf h = {0};
	sm_cell_human(&h, &c, t->cols[col].type);
	esc(b, h.s);
	sm_buf_free(&h);
}

/* A round step for about n ticks up to max: 1, 2, 5 times a power of ten (or of a minute,
   an hour, a day for durations). */
static double nice_step(double max, int n, int secs)
{
	static const double units[] = {60, 300, 600, 900, 1800, 3600, 7200, 4 * 3600, 6 * 3600,
				       12 * 3600, 86400, 2 * 86400, 7 * 86400};
	double raw = max / n;
	if (secs && raw >= 60) {
		for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
			if (units[i] >= raw)
				return units[i];
		return ceil(raw / (7 * 86400)) * 7 * 86400;
	}
	double p = pow(10, floor(log10(raw > 0 ? raw : 1)));
	double f = raw / p;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

static void legend(sm_buf *b, const char *const *names, size_t n, int y)
{
	double x = 10;
	for (size_t i = 0; i < n; i++) {
		sm_buf_printf(b, "<rect x=\"%.0f\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			      "<text x=\"%.0f\" y=\"%d\">", x, y - 9, palette[i % NPALETTE], x + 14, y);
		esc(b, names[i]);
		sm_buf_adds(b, "</text>");
		x += 24 + 7.0 * (double)strlen(names[i]);
	}
}

/* ---- bars ------------------------------------------------------------------------------- */

static void bars(sm_buf *b, const sm_rtable *t)
{
	const sm_chart *ch = &t->chart;
	size_t n = t->nrows < MAX_BARS ? t->nrows : MAX_BARS;
	double max = 0;
	for (size_t r = 0; r < n; r++)
		for (int v = 0; v < ch->nvalues; v++)
			if (!cell(t, r, ch->values[v])->null && cell(t, r, ch->values[v])->num > max)
				max = cell(t, r, ch->values[v])->num;
	if (t->cols[ch->values[0]].type == SM_RT_SHARE)
		max = 1;
	if (ch->has_target && ch->target > max)
		max = ch->target;
	if (max <= 0)
		max = 1;
	int bh = 12, gap = 8, top = ch->nvalues > 1 ? 26 : 8, left = 190, area = 460;
	int h = top + (int)n * (ch->nvalues * bh + gap) + 8;
	sm_buf_printf(b, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", W, h);
	esc(b, t->title);
	sm_buf_adds(b, "\">");
	if (ch->nvalues > 1) {
		const char *names[4];
		for (int v = 0; v < ch->nvalues; v++)
			names[v] = t->cols[ch->values[v]].name;
		legend(b, names, (size_t)ch->nvalues, 14);
	}
	for (size_t r = 0; r < n; r++) {
		int y = top + (int)r * (ch->nvalues * bh + gap);
		sm_buf lab = {0};
		sm_cell_human(&lab, cell(t, r, ch->x), t->cols[ch->x].type);
		sm_buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 8, y + ch->nvalues * bh / 2 + 4);
		if (lab.len > 28) { /* cut at a character's start */
			size_t cut = 27;
			while (cut > 0 && ((unsigned char)lab.s[cut] & 0xC0) == 0x80)
				cut--;
			lab.len = cut;
			lab.s[cut] = 0;
			sm_buf_adds(&lab, "\xe2\x80\xa6");
		}
		esc(b, lab.s);
		sm_buf_adds(b, "</text>");
		sm_buf_free(&lab);
		for (int v = 0; v < ch->nvalues; v++) {
			const sm_cell *c = cell(t, r, ch->values[v]);
			double w = c->null ? 0 : area * (c->num > 0 ? c->num : 0) / max;
			sm_buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>",
				      left, y + v * bh, w, bh - 2, palette[v]);
			esc(b, t->cols[ch->values[v]].name);
			sm_buf_adds(b, "</title></rect>");
			sm_buf_printf(b, "<text x=\"%.1f\" y=\"%d\" class=\"v\">", left + w + 4, y + v * bh + bh - 3);
			if (c->null)
				sm_buf_adds(b, "-");
			else
				human(b, t, c->num, ch->values[v]);
			sm_buf_adds(b, "</text>");
		}
	}
	if (ch->has_target) {
		double x = left + area * ch->target / max;
		sm_buf_printf(b, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"target\"/>", x, top - 4, x, h - 4);
	}
	sm_buf_adds(b, "</svg>\n");
	if (t->nrows > n)
		sm_buf_printf(b, "<p class=\"note\">The chart shows the first %zu of %zu rows.</p>\n", n, t->nrows);
}

/* ---- lines ------------------------------------------------------------------------------ */

typedef struct {
	char *name;
	double *y; /* per period, NAN: none */
	int *mark;
	double total;
} series;

static long index_of(char **list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return (long)i;
	return -1;
}

static int by_total(const void *a, const void *b)
{
	const series *x = a, *y = b;
	return x->total < y->total ? 1 : x->total > y->total ? -1 : strcmp(x->name, y->name);
}

/* The periods (x) and the series of the chart, the largest ones first. */
static size_t collect(const sm_rtable *t, char ***xs, size_t *nx, series **out)
{
	const sm_chart *ch = &t->chart;
	series *s = NULL;
	size_t ns = 0;
	*xs = NULL;
	*nx = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		const char *x = cell(t, r, ch->x)->text ? cell(t, r, ch->x)->text : "";
		if (index_of(*xs, *nx, x) < 0) {
			*xs = sm_realloc(*xs, (*nx + 1) * sizeof **xs);
			(*xs)[(*nx)++] = sm_strdup(x);
		}
	}
	for (size_t r = 0; r < t->nrows; r++) {
		long xi = index_of(*xs, *nx, cell(t, r, ch->x)->text ? cell(t, r, ch->x)->text : "");
		int nv = ch->series >= 0 ? 1 : ch->nvalues;
		for (int v = 0; v < nv; v++) {
			char *name;
			if (ch->series >= 0)
				name = sm_asprintf("%s%s%s", ch->prefix >= 0 ? cell(t, r, ch->prefix)->text : "",
						   ch->prefix >= 0 ? " " : "", cell(t, r, ch->series)->text ? cell(t, r, ch->series)->text : "");
			else
				name = sm_strdup(t->cols[ch->values[v]].name);
			size_t k = 0;
			while (k < ns && strcmp(s[k].name, name))
				k++;
			if (k == ns) {
				s = sm_realloc(s, (ns + 1) * sizeof *s);
				s[ns].name = name;
				s[ns].y = sm_malloc((*nx + 1) * sizeof(double));
				s[ns].mark = sm_calloc(*nx + 1, sizeof(int));
				s[ns].total = 0;
				for (size_t i = 0; i < *nx; i++)
					s[ns].y[i] = ch->series >= 0 ? 0 : NAN; /* a series row absent: none that day */
				ns++;
			} else
				free(name);
			const sm_cell *c = cell(t, r, ch->values[ch->series >= 0 ? 0 : v]);
			s[k].y[xi] = c->null ? NAN : c->num;
			s[k].total += c->null ? 0 : fabs(c->num);
			if (ch->marks >= 0 && !cell(t, r, ch->marks)->null && cell(t, r, ch->marks)->num)
				s[k].mark[xi] = 1;
		}
	}
	if (ch->series >= 0)
		qsort(s, ns, sizeof *s, by_total);
	*out = s;
	return ns;
}

static void axes(sm_buf *b, const sm_rtable *t, char **xs, size_t nx, double max, int col,
		 int left, int top, int pw, int ph)
{
	int secs = t->cols[col].type == SM_RT_SECS;
	double step = nice_step(max, 5, secs);
	for (double v = 0; v <= max + step / 1000; v += step) {
		double y = top + ph - ph * v / max;
		sm_buf_printf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>"
			      "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" class=\"v\">", left, y, left + pw, y,
			      left - 6, y + 4);
		human(b, t, v, col);
		sm_buf_adds(b, "</text>");
	}
	size_t every = nx > 8 ? (nx + 7) / 8 : 1;
	/* every so many periods, and the last; none too close before the last */
	for (size_t i = 0; i < nx; i++) {
		if (i != nx - 1 && (i % every || (i && i + every > nx - 1)))
			continue;
		double x = left + (nx > 1 ? pw * (double)i / (double)(nx - 1) : pw / 2.0);
		sm_buf_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"v\">", x, top + ph + 16);
		esc(b, xs[i]);
		sm_buf_adds(b, "</text>");
	}
}

static void lines(sm_buf *b, const sm_rtable *t)
{
	const sm_chart *ch = &t->chart;
	char **xs;
	size_t nx;
	series *s;
	size_t ns = collect(t, &xs, &nx, &s);
	size_t shown = ch->max_series && ns > (size_t)ch->max_series ? (size_t)ch->max_series : ns;
	int left = 72, top = 30, pw = W - left - 44, ph = 200, col = ch->values[0];
	double max = 0;
	for (size_t k = 0; k < shown; k++)
		for (size_t i = 0; i < nx; i++)
			if (!isnan(s[k].y[i]) && s[k].y[i] > max)
				max = s[k].y[i];
	if (t->cols[col].type == SM_RT_SHARE)
		max = 1;
	if (ch->has_target && ch->target > max)
		max = ch->target;
	max = max > 0 ? ceil(max / nice_step(max, 5, t->cols[col].type == SM_RT_SECS)) *
				nice_step(max, 5, t->cols[col].type == SM_RT_SECS) : 1;
	sm_buf_printf(b, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", W, top + ph + 30);
	esc(b, t->title);
	sm_buf_adds(b, "\">");
	const char **names = sm_calloc(shown + 1, sizeof *names);
	for (size_t k = 0; k < shown; k++)
		names[k] = s[k].name;
	legend(b, names, shown, 14);
	free(names);
	axes(b, t, xs, nx, max, col, left, top, pw, ph);
	for (size_t k = 0; k < shown; k++) {
		int open = 0;
		for (size_t i = 0; i < nx; i++) {
			double x = left + (nx > 1 ? pw * (double)i / (double)(nx - 1) : pw / 2.0);
			if (isnan(s[k].y[i])) {
				if (open)
					sm_buf_adds(b, "\"/>");
				open = 0;
				continue;
			}
			double y = top + ph - ph * s[k].y[i] / max;
			if (!open)
				sm_buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
					      palette[k % NPALETTE]);
			sm_buf_printf(b, "%s%.1f,%.1f", open ? " " : "", x, y);
			open = 1;
		}
		if (open)
			sm_buf_adds(b, "\"/>");
		for (size_t i = 0; i < nx; i++) {
			if (isnan(s[k].y[i]))
				continue;
			double x = left + (nx > 1 ? pw * (double)i / (double)(nx - 1) : pw / 2.0);
			double y = top + ph - ph * s[k].y[i] / max;
			if (s[k].mark[i])
				sm_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" class=\"mark\"><title>spike: ", x, y);
			else if (nx <= 62)
				sm_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"><title>", x, y,
					      palette[k % NPALETTE]);
			else
				continue;
			esc(b, s[k].name);
			sm_buf_adds(b, " ");
			esc(b, xs[i]);
			sm_buf_adds(b, ": ");
			human(b, t, s[k].y[i], col);
			sm_buf_adds(b, "</title></circle>");
		}
	}
	if (ch->has_target) {
		double y = top + ph - ph * ch->target / max;
		sm_buf_printf(b, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"target\"/>"
			      "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" class=\"tl\">", left, y, left + pw, y,
			      left + pw, y - 4);
		esc(b, ch->target_label);
		sm_buf_adds(b, "</text>");
	}
	sm_buf_adds(b, "</svg>\n");
	if (shown < ns)
		sm_buf_printf(b, "<p class=\"note\">The chart shows the %zu largest of %zu series.</p>\n", shown, ns);
	for (size_t k = 0; k < ns; k++) {
		free(s[k].name);
		free(s[k].y);
		free(s[k].mark);
	}
	free(s);
	for (size_t i = 0; i < nx; i++)
		free(xs[i]);
	free(xs);
}

void sm_chart_svg(sm_buf *b, const sm_rtable *t)
{
	if (!t->nrows || t->chart.kind == SM_CHART_NONE)
		return;
	if (t->chart.kind == SM_CHART_BARS)
		bars(b, t);
	else
		lines(b, t);
}

/* ---- the page --------------------------------------------------------------------------- */

static const char STYLE[] =
	"body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;"
	"color:#1a1a1a;background:#fff;margin:24px auto;max-width:1100px;padding:0 16px}"
	"h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}"
	".meta,.note{color:#555;font-size:12px}"
	"table{border-collapse:collapse;margin:8px 0;font-size:13px}"
	"th,td{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top;white-space:nowrap}"
	"th{background:#f2f2f2;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}"
	"tbody tr:nth-child(even){background:#fafafa}"
	".chart{width:100%;max-width:760px;height:auto;display:block;margin:8px 0}"
	".chart text{font-size:11px;fill:#333}.chart .v{fill:#555}"
	".grid{stroke:#e5e5e5}.target{stroke:#d55e00;stroke-width:1.5;stroke-dasharray:6 4}"
	".tl{fill:#d55e00}.mark{fill:#d55e00;stroke:#fff;stroke-width:1}"
	".wrap{overflow-x:auto}"
	"@media print{body{margin:0;max-width:none}section{break-inside:avoid-page}"
	"tbody tr:nth-child(even){background:none}.wrap{overflow:visible}}";

static int numeric(int type)
{
	return type == SM_RT_INT || type == SM_RT_REAL || type == SM_RT_SECS || type == SM_RT_SHARE ||
	       type == SM_RT_PCT;
}

static void html_table(sm_buf *b, const sm_rtable *t)
{
	sm_buf_adds(b, "<div class=\"wrap\"><table><thead><tr>");
	for (size_t c = 0; c < t->ncols; c++)
		sm_buf_printf(b, "<th>%s</th>", t->cols[c].name);
	sm_buf_adds(b, "</tr></thead><tbody>\n");
	for (size_t r = 0; r < t->nrows; r++) {
		sm_buf_adds(b, "<tr>");
		for (size_t c = 0; c < t->ncols; c++) {
			const sm_cell *x = cell(t, r, (int)c);
			sm_buf h = {0};
			sm_cell_human(&h, x, t->cols[c].type);
			sm_buf_adds(b, numeric(t->cols[c].type) ? "<td class=\"n\">" : "<td>");
			if (t->cols[c].type == SM_RT_URL && !x->null &&
			    (!strncmp(x->text, "https://", 8) || !strncmp(x->text, "http://", 7))) {
				sm_buf_adds(b, "<a href=\"");
				esc(b, x->text);
				sm_buf_adds(b, "\">");
				esc(b, h.s);
				sm_buf_adds(b, "</a>");
			} else
				esc(b, h.s);
			sm_buf_adds(b, "</td>");
			sm_buf_free(&h);
		}
		sm_buf_adds(b, "</tr>\n");
	}
	sm_buf_adds(b, "</tbody></table></div>\n");
	if (!t->nrows)
		sm_buf_adds(b, "<p class=\"note\">None.</p>\n");
}

int sm_report_html(const sm_report *r, FILE *fp)
{
	sm_buf b = {0};
	sm_buf_adds(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
			"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
			"style-src 'unsafe-inline'\">\n"
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	esc(&b, r->title);
	sm_buf_printf(&b, "</title>\n<style>%s</style>\n</head><body>\n<header><h1>", STYLE);
	esc(&b, r->title);
	sm_buf_printf(&b, "</h1><p class=\"meta\">Made by sm-report %s at %s (UTC).</p></header>\n",
		      SM_VERSION, r->generated);
	for (size_t i = 0; i < r->ntables; i++) {
		const sm_rtable *t = &r->tables[i];
		sm_buf_printf(&b, "<section id=\"%s\"><h2>", t->name);
		esc(&b, t->title ? t->title : t->name);
		sm_buf_adds(&b, "</h2>\n");
		sm_chart_svg(&b, t);
		html_table(&b, t);
		if (t->note) {
			sm_buf_adds(&b, "<p class=\"note\">");
			esc(&b, t->note);
			sm_buf_adds(&b, "</p>\n");
		}
		sm_buf_adds(&b, "</section>\n");
	}
	sm_buf_adds(&b, "</body></html>\n");
	int rc = fwrite(b.s, 1, b.len, fp) == b.len ? 0 : sm_error_code(SM_EX_IOERR, "write error");
	sm_buf_free(&b);
	return rc;
}
