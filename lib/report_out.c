/*
 * report_out.c - a report written for people (an aligned table fitted to the terminal,
 * Markdown) or for programs (CSV as RFC 4180 has it, TSV, JSON lines). Text from the store
 * never reaches a terminal or a Markdown page raw: control characters, bidi controls and
 * bytes that are not UTF-8 are written as visible escapes.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#include "report.h"

static int numeric(int type)
{
	return type == SM_RT_INT || type == SM_RT_REAL || type == SM_RT_SECS || type == SM_RT_SHARE ||
	       type == SM_RT_PCT;
}

/* ---- escapes ---------------------------------------------------------------------------- */

/* sm_term_escape (term.c): text safe for a terminal */

/* The columns text takes on a terminal. */
static size_t display_width(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t w = 0;
	while (*p) {
		utf8proc_int32_t c;
		utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);
		if (n < 0) {
			p++;
			w++;
			continue;
		}
		int cw = utf8proc_charwidth(c);
		w += cw > 0 ? (size_t)cw : 0;
		p += n;
	}
	return w;
}

/* The longest start of s that fits in width columns with a "…" after it. */
static void truncate_to(sm_buf *b, const char *s, size_t width)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t w = 0;
	while (*p) {
		utf8proc_int32_t c;
		utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);
		int cw = n < 0 ? 1 : utf8proc_charwidth(c);
		if (n < 0)
			n = 1;
		if (w + (size_t)(cw > 0 ? cw : 0) + 1 > width)
			break;
		sm_buf_add(b, p, (size_t)n);
		w += (size_t)(cw > 0 ? cw : 0);
		p += n;
	}
	sm_buf_adds(b, "\xe2\x80\xa6");
}

/* ---- cells ------------------------------------------------------------------------------ */

static void duration(sm_buf *b, double v)
{
	long s = lround(fabs(v));
	if (v < 0)
		sm_buf_addc(b, '-');
	if (s >= 86400)
		sm_buf_printf(b, "%ldd %02ldh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		sm_buf_printf(b, "%ldh %02ldm", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		sm_buf_printf(b, "%ldm %02lds", s / 60, s % 60);
	else
		sm_buf_printf(b, "%lds", s);
}

void sm_cell_human(sm_buf *b, const sm_cell *c, int type)
{
	if (c->null) {
		sm_buf_adds(b, "-");
		return;
	}
	switch (type) {
	case SM_RT_INT: sm_buf_printf(b, "%.0f", c->num); break;
	case SM_RT_REAL: sm_buf_printf(b, "%.2f", c->num); break;
	case SM_RT_SECS: duration(b, c->num); break;
	case SM_RT_SHARE: sm_buf_printf(b, "%.1f%%", 100 * c->num); break;
	case SM_RT_PCT: sm_buf_printf(b, "%+.0f%%", c->num); break;
	case SM_RT_BOOL: sm_buf_adds(b, c->num ? "yes" : "no"); break;
	case SM_RT_TIME: {
		/* 2026-11-23T09:58:00Z as 2026-11-23 09:58:00 */
		size_t n = strlen(c->text);
		if (n == 20 && c->text[10] == 'T' && c->text[19] == 'Z') {
			sm_buf_printf(b, "%.10s %.8s", c->text, c->text + 11);
			break;
		}
		sm_term_escape(b, c->text);
		break;
	}
	default: sm_term_escape(b, c->text);
	}
}

/* A number for programs: rounded as the type says, without trailing zeros. */
static void machine_num(sm_buf *b, double v, int type)
{
	double scale = type == SM_RT_SECS || type == SM_RT_PCT ? 10 : type == SM_RT_INT ? 1 : 10000;
	v = round(v * scale) / scale;
	if (v == 0)
		v = 0; /* no -0 */
	sm_buf_printf(b, "%.15g", v);
}

/* ---- the table for people --------------------------------------------------------------- */

static int out(FILE *fp, const sm_buf *b)
{
	if (b->len && fwrite(b->s, 1, b->len, fp) != b->len)
		return sm_error_code(SM_EX_IOERR, "write error: %s", strerror(errno));
	return 0;
}

static void pad(sm_buf *b, size_t n)
{
	while (n--)
		sm_buf_addc(b, ' ');
}

/* Shrink the widest text columns until the row fits the terminal (none below 8). */
static void fit(const sm_rtable *t, size_t *w, int width)
{
	if (width <= 0)
		return;
	for (;;) {
		size_t total = 0, widest = t->ncols;
		for (size_t i = 0; i < t->ncols; i++) {
			total += w[i] + (i ? 2 : 0);
			if ((t->cols[i].type == SM_RT_TEXT || t->cols[i].type == SM_RT_URL) && w[i] > 8 &&
			    (widest == t->ncols || w[i] > w[widest]))
				widest = i;
		}
		if (total <= (size_t)width || widest == t->ncols)
			return;
		size_t over = total - (size_t)width;
		w[widest] = w[widest] - 8 > over ? w[widest] - over : 8;
	}
}

static void table_text(sm_buf *b, const sm_rtable *t, int width)
{
	size_t nc = t->ncols, nr = t->nrows;
	char **cell = sm_calloc((nr + 1) * nc, sizeof *cell);
	size_t *w = sm_calloc(nc, sizeof *w);
	for (size_t c = 0; c < nc; c++) {
		cell[c] = sm_strdup(t->cols[c].name);
		w[c] = strlen(cell[c]);
	}
	for (size_t r = 0; r < nr; r++)
		for (size_t c = 0; c < nc; c++) {
			sm_buf v = {0};
			sm_cell_human(&v, &t->cells[r * nc + c], t->cols[c].type);
			cell[(r + 1) * nc + c] = sm_buf_detach(&v);
			size_t dw = display_width(cell[(r + 1) * nc + c]);
			if (dw > w[c])
				w[c] = dw;
		}
	fit(t, w, width);
	if (t->title) {
		sm_term_escape(b, t->title);
		sm_buf_addc(b, '\n');
	}
	for (size_t r = 0; r <= nr; r++) {
		for (size_t c = 0; c < nc; c++) {
			const char *s = cell[r * nc + c];
			size_t dw = display_width(s);
			sm_buf cut = {0};
			if (dw > w[c]) {
				truncate_to(&cut, s, w[c]);
				s = cut.s;
				dw = display_width(s);
			}
			int right = r > 0 && numeric(t->cols[c].type);
			if (c)
				pad(b, 2);
			if (right)
				pad(b, w[c] - dw);
			sm_buf_adds(b, s);
			if (!right && c + 1 < nc)
				pad(b, w[c] - dw);
			sm_buf_free(&cut);
		}
		sm_buf_addc(b, '\n');
	}
	if (!nr)
		sm_buf_adds(b, "(none)\n");
	if (t->note)
		sm_buf_printf(b, "(%s)\n", t->note);
	for (size_t i = 0; i < (nr + 1) * nc; i++)
		free(cell[i]);
	free(cell);
	free(w);
}

/* ---- Markdown --------------------------------------------------------------------------- */

static void md_cell(sm_buf *b, const char *s)
{
	sm_buf e = {0};
	sm_term_escape(&e, s);
	for (size_t i = 0; i < e.len; i++) {
		if (strchr("\\`*_[]<>|", e.s[i]))
			sm_buf_addc(b, '\\');
		sm_buf_addc(b, e.s[i]);
	}
	sm_buf_free(&e);
}

static void md_table(sm_buf *b, const sm_rtable *t)
{
	sm_buf_adds(b, "## ");
	md_cell(b, t->title ? t->title : t->name);
	sm_buf_adds(b, "\n\n|");
	for (size_t c = 0; c < t->ncols; c++)
		sm_buf_printf(b, " %s |", t->cols[c].name);
	sm_buf_adds(b, "\n|");
	for (size_t c = 0; c < t->ncols; c++)
		sm_buf_adds(b, numeric(t->cols[c].type) ? " ---: |" : " --- |");
	sm_buf_addc(b, '\n');
	for (size_t r = 0; r < t->nrows; r++) {
		sm_buf_addc(b, '|');
		for (size_t c = 0; c < t->ncols; c++) {
			sm_buf v = {0};
			sm_cell_human(&v, &t->cells[r * t->ncols + c], t->cols[c].type);
			sm_buf_addc(b, ' ');
			/* sm_cell_human escaped the text already: escape markup only */
			for (size_t i = 0; i < v.len; i++) {
				if (strchr("`*_[]<>|", v.s[i]))
					sm_buf_addc(b, '\\');
				sm_buf_addc(b, v.s[i]);
			}
			sm_buf_adds(b, " |");
			sm_buf_free(&v);
		}
		sm_buf_addc(b, '\n');
	}
	if (!t->nrows)
		sm_buf_adds(b, "\nNone.\n");
	if (t->note) {
		sm_buf_adds(b, "\n*");
		md_cell(b, t->note);
		sm_buf_adds(b, "*\n");
	}
	sm_buf_addc(b, '\n');
}

/* ---- CSV, TSV, JSON lines --------------------------------------------------------------- */

static void csv_field(sm_buf *b, const char *s)
{
	size_t n = strlen(s);
	if (!strpbrk(s, ",\"\r\n") && !(n && (s[0] == ' ' || s[n - 1] == ' '))) {
		sm_buf_add(b, s, n);
		return;
	}
	sm_buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			sm_buf_addc(b, '"');
		sm_buf_addc(b, *s);
	}
	sm_buf_addc(b, '"');
}

static void tsv_field(sm_buf *b, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '\t': sm_buf_adds(b, "\\t"); break;
		case '\n': sm_buf_adds(b, "\\n"); break;
		case '\r': sm_buf_adds(b, "\\r"); break;
		case '\\': sm_buf_adds(b, "\\\\"); break;
		default: sm_buf_addc(b, *s);
		}
}

static void json_text(sm_buf *b, const char *s)
{
	sm_buf_addc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			sm_buf_printf(b, "\\%c", c);
		else if (c == '\n')
			sm_buf_adds(b, "\\n");
		else if (c == '\t')
			sm_buf_adds(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			sm_buf_printf(b, "\\u%04x", c);
		else
			sm_buf_addc(b, (char)c);
	}
	sm_buf_addc(b, '"');
}

/* A cell's value for programs, as text ("" for null); *quote: it is a JSON string. */
static void machine_value(sm_buf *b, const sm_cell *c, int type, int *quote)
{
	*quote = 0;
	if (c->null)
		return;
	if (type == SM_RT_BOOL)
		sm_buf_adds(b, c->num ? "true" : "false");
	else if (numeric(type))
		machine_num(b, c->num, type);
	else {
		sm_buf_adds(b, c->text);
		*quote = 1;
	}
}

static void pipe_row(sm_buf *b, const sm_rtable *t, size_t r, sm_format f)
{
	sm_buf v = {0};
	if (f == SM_FMT_JSONL)
		sm_buf_addc(b, '{');
	for (size_t c = 0; c < t->ncols; c++) {
		int quote;
		const sm_cell *cell = &t->cells[r * t->ncols + c];
		sm_buf_reset(&v);
		machine_value(&v, cell, t->cols[c].type, &quote);
		if (f == SM_FMT_JSONL) {
			sm_buf_printf(b, "%s\"%s\":", c ? "," : "", t->cols[c].name);
			if (cell->null)
				sm_buf_adds(b, "null");
			else if (quote)
				json_text(b, v.s ? v.s : "");
			else
				sm_buf_add(b, v.s, v.len);
			continue;
		}
		if (c)
			sm_buf_addc(b, f == SM_FMT_CSV ? ',' : '\t');
		(f == SM_FMT_CSV ? csv_field : tsv_field)(b, v.s ? v.s : "");
	}
	sm_buf_adds(b, f == SM_FMT_JSONL ? "}\n" : f == SM_FMT_CSV ? "\r\n" : "\n");
	sm_buf_free(&v);
}

static const sm_rtable *pick(const sm_report *r, const char *name)
{
	if (!name)
		return r->ntables ? &r->tables[0] : NULL;
	for (size_t i = 0; i < r->ntables; i++)
		if (!strcmp(r->tables[i].name, name))
			return &r->tables[i];
	sm_buf names = {0};
	for (size_t i = 0; i < r->ntables; i++)
		sm_buf_printf(&names, "%s%s", i ? ", " : "", r->tables[i].name);
	sm_error_code(SM_EX_USAGE, "%s has no table '%s' (its tables: %s)", r->name, name, names.s);
	sm_buf_free(&names);
	return NULL;
}

static int write_pipe(const sm_report *r, sm_format f, const char *name, FILE *fp)
{
	const sm_rtable *t = pick(r, name);
	sm_buf b = {0};
	if (!t)
		return name ? -1 : 0;
	if (f != SM_FMT_JSONL) {
		for (size_t c = 0; c < t->ncols; c++)
			sm_buf_printf(&b, "%s%s", c ? (f == SM_FMT_CSV ? "," : "\t") : "", t->cols[c].name);
		sm_buf_adds(&b, f == SM_FMT_CSV ? "\r\n" : "\n");
	}
	int rc = 0;
	for (size_t r2 = 0; rc == 0 && r2 < t->nrows; r2++) {
		pipe_row(&b, t, r2, f);
		if (b.len > 65536) { /* keep the buffer small for long tables */
			rc = out(fp, &b);
			sm_buf_reset(&b);
		}
	}
	if (rc == 0)
		rc = out(fp, &b);
	sm_buf_free(&b);
	return rc;
}

int sm_report_write(const sm_report *r, sm_format f, const char *table, FILE *fp, int width)
{
	sm_buf b = {0};
	sm_report view;
	int rc = 0;
	if (table && !(f == SM_FMT_MD && !strcmp(r->name, "superusers"))) { /* that table alone */
		const sm_rtable *t = pick(r, table);
		if (!t)
			return -1;
		view = *r;
		view.tables = (sm_rtable *)t;
		view.ntables = 1;
		r = &view;
		table = NULL;
	}
	if (f == SM_FMT_HTML)
		rc = sm_report_html(r, fp);
	else if (f == SM_FMT_CSV || f == SM_FMT_TSV || f == SM_FMT_JSONL)
		rc = write_pipe(r, f, table, fp);
	else if (f == SM_FMT_MD && !strcmp(r->name, "superusers"))
		rc = sm_report_md_pages(r, NULL, fp);
	else if (f == SM_FMT_MD) {
		sm_buf_adds(&b, "# ");
		md_cell(&b, r->title);
		sm_buf_printf(&b, "\n\nMade by sm-report at %s.\n\n", r->generated);
		for (size_t i = 0; i < r->ntables; i++)
			md_table(&b, &r->tables[i]);
		rc = out(fp, &b);
	} else {
		sm_term_escape(&b, r->title);
		sm_buf_adds(&b, "\n\n");
		for (size_t i = 0; i < r->ntables; i++) {
			if (i)
				sm_buf_addc(&b, '\n');
			table_text(&b, &r->tables[i], width);
		}
		rc = out(fp, &b);
	}
	sm_buf_free(&b);
	return rc;
}

int sm_report_save(const sm_report *r, sm_format f, const char *table, const char *path)
{
	char *data = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&data, &len);
	if (!fp)
		return sm_error_code(SM_EX_OSERR, "out of memory");
	int rc = sm_report_write(r, f, table, fp, 0);
	if (fclose(fp) != 0 && rc == 0)
		rc = sm_error_code(SM_EX_OSERR, "out of memory");
	if (rc == 0)
		rc = sm_write_atomic(path, data, len, -1);
	free(data);
	return rc;
}
