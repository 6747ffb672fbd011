/*
 * plan_entry.c - a plan entry file (sm-plan(5)): a header block of "Field: value" lines
 * (At, Channels, Tags, Repeat, Until, Title, Media), a blank line, and the text, with
 * "--- NAME" lines opening a text of its own for a channel or a network.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plan.h"

void sm_plan_problem(sm_plan_problems *pr, const char *path, long line, const char *fmt, ...)
{
	va_list ap;
	sm_buf b = {0};
	char msg[1024];
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line > 0)
		sm_buf_printf(&b, "%s:%ld: %s", path, line, msg);
	else
		sm_buf_printf(&b, "%s: %s", path, msg);
	pr->msg = sm_realloc(pr->msg, (pr->n + 1) * sizeof *pr->msg);
	pr->msg[pr->n++] = sm_buf_detach(&b);
}

void sm_plan_problems_free(sm_plan_problems *pr)
{
	for (size_t i = 0; i < pr->n; i++)
		free(pr->msg[i]);
	free(pr->msg);
	memset(pr, 0, sizeof *pr);
}

void sm_plan_time_free(sm_plan_time *t)
{
	free(t->zone);
	memset(t, 0, sizeof *t);
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void sm_plan_entry_free(sm_plan_entry *e)
{
	free(e->path);
	sm_plan_time_free(&e->at);
	sm_plan_time_free(&e->until);
	free_list(e->channels, e->nchannels);
	free_list(e->tags, e->ntags);
	free(e->title);
	for (size_t i = 0; i < e->nmedia; i++) {
		free(e->media[i].path);
		free(e->media[i].alt);
	}
	free(e->media);
	free(e->text);
	for (size_t i = 0; i < e->nbodies; i++) {
		free(e->bodies[i].name);
		free(e->bodies[i].text);
	}
	free(e->bodies);
	memset(e, 0, sizeof *e);
}

/* --- times ------------------------------------------------------------------------------ */

static int num(const char **sp, int digits)
{
	int v = 0;
	for (int i = 0; i < digits; i++, (*sp)++) {
		if (!isdigit((unsigned char)**sp))
			return -1;
		v = v * 10 + (**sp - '0');
	}
	return v;
}

static int days_in(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0) ? 29 : d[m - 1];
}

/* +HH:MM, -HH:MM, +HHMM or Z: seconds east of UTC; -1 if not an offset. */
static int offset(const char **sp, long *off)
{
	const char *s = *sp;
	if (*s == 'Z' || *s == 'z') {
		*off = 0;
		*sp = s + 1;
		return 0;
	}
	if (*s != '+' && *s != '-')
		return -1;
	int sign = *s++ == '-' ? -1 : 1, h = num(&s, 2), m;
	if (*s == ':')
		s++;
	if (h < 0 || (m = num(&s, 2)) < 0 || h > 23 || m > 59)
		return -1;
	*off = sign * (h * 3600L + m * 60L);
	*sp = s;
	return 0;
}

int sm_plan_time_parse(const char *s, const char *default_zone, sm_plan_time *t, const char **why)
{
	memset(t, 0, sizeof *t);
	*why = "not a time like '2026-11-28 09:00 Europe/Berlin' or '2026-11-28T09:00:00+01:00'";
	while (*s == ' ' || *s == '\t')
		s++;
	t->year = num(&s, 4);
	if (t->year < 1970 || *s++ != '-' || (t->month = num(&s, 2)) < 1 || t->month > 12 || *s++ != '-' ||
	    (t->day = num(&s, 2)) < 1)
		return -1;
	if (t->day > days_in(t->year, t->month)) {
		*why = "no such day";
		return -1;
	}
	int rfc = *s == 'T' || *s == 't';
	if (rfc || (*s == ' ' && isdigit((unsigned char)s[1]))) {
		s++;
		if ((t->hour = num(&s, 2)) < 0 || t->hour > 23 || *s++ != ':' || (t->min = num(&s, 2)) < 0 ||
		    t->min > 59)
			return -1;
		if (*s == ':') { /* seconds: a plan is in minutes */
			s++;
			if (num(&s, 2) != 0) {
				*why = "a plan is in minutes: seconds must be :00";
				return -1;
			}
		}
		t->has_time = 1;
	}
	if (*s == ' ' || *s == '\t')
		while (*s == ' ' || *s == '\t')
			s++;
	else if (*s && !(t->has_time && (*s == 'Z' || *s == 'z' || *s == '+' || *s == '-')))
		return -1;
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0) {
		if (t->has_time && !default_zone) {
			*why = "no time zone: add one (Europe/Berlin, UTC, +01:00) or set plan.zone";
			return -1;
		}
		if (t->has_time)
			t->zone = sm_strdup(default_zone);
		return 0;
	}
	const char *z = s;
	if (offset(&z, &t->offset) == 0 && (size_t)(z - s) == len)
		return 0;
	t->zone = sm_strndup(s, len);
	if (strchr(t->zone, ' ') || sm_tz_check(t->zone) < 0) {
		*why = "unknown time zone";
		sm_plan_time_free(t);
		return -1;
	}
	return 0;
}

char *sm_plan_time_text(const sm_plan_time *t)
{
	if (!t->has_time && t->zone && *t->zone)
		return sm_asprintf("%04d-%02d-%02d %s", t->year, t->month, t->day, t->zone);
	if (!t->has_time)
		return sm_asprintf("%04d-%02d-%02d", t->year, t->month, t->day);
	if (t->zone && !*t->zone)
		return sm_asprintf("%04d-%02d-%02d %02d:%02d", t->year, t->month, t->day, t->hour, t->min);
	if (t->zone)
		return sm_asprintf("%04d-%02d-%02d %02d:%02d %s", t->year, t->month, t->day, t->hour, t->min,
				   t->zone);
	if (t->offset == 0)
		return sm_asprintf("%04d-%02d-%02dT%02d:%02d:00Z", t->year, t->month, t->day, t->hour, t->min);
	long o = labs(t->offset);
	return sm_asprintf("%04d-%02d-%02dT%02d:%02d:00%c%02ld:%02ld", t->year, t->month, t->day, t->hour,
			   t->min, t->offset < 0 ? '-' : '+', o / 3600, o % 3600 / 60);
}

/* --- Repeat ----------------------------------------------------------------------------- */

static const char *const day_names[] = {"sunday", "monday", "tuesday", "wednesday", "thursday",
					"friday", "saturday"};

static int weekday(const char *w, size_t n)
{
	for (int i = 0; i < 7; i++)
		if (n >= 2 && n <= strlen(day_names[i]) && !strncasecmp(w, day_names[i], n))
			return i;
	return -1;
}

static int word_is(const char *w, size_t n, const char *a, const char *b)
{
	return (strlen(a) == n && !strncasecmp(w, a, n)) || (b && strlen(b) == n && !strncasecmp(w, b, n));
}

/* "daily", "weekly on Mon, Thu", "monthly on 1, 15", "every 2 weeks on Tue" */
int sm_plan_repeat_parse(const char *s, sm_plan_repeat *r, const char **why)
{
	char *copy = sm_strdup(s), *save = NULL;
	int state = 0, rc = 0; /* 0 start, 1 after every, 2 after every N, 3 unit seen, 4 after on */
	memset(r, 0, sizeof *r);
	r->interval = 1;
	*why = "not a repetition like 'daily', 'weekly on Mon, Thu', 'monthly', 'every 2 weeks'";
	for (char *w = strtok_r(copy, " ,\t", &save); w && rc == 0; w = strtok_r(NULL, " ,\t", &save)) {
		size_t n = strlen(w);
		if (state == 0 && word_is(w, n, "every", NULL))
			state = 1;
		else if (state == 1 && isdigit((unsigned char)*w)) {
			char *end;
			long v = strtol(w, &end, 10);
			if (*end || v < 1 || v > 1000)
				rc = -1;
			r->interval = (int)v;
			state = 2;
		} else if ((state == 0 && word_is(w, n, "daily", NULL)) ||
			   (state && state < 3 && word_is(w, n, "day", "days")))
			r->freq = SM_PLAN_DAILY, state = 3;
		else if ((state == 0 && word_is(w, n, "weekly", NULL)) ||
			 (state && state < 3 && word_is(w, n, "week", "weeks")))
			r->freq = SM_PLAN_WEEKLY, state = 3;
		else if ((state == 0 && word_is(w, n, "monthly", NULL)) ||
			 (state && state < 3 && word_is(w, n, "month", "months")))
			r->freq = SM_PLAN_MONTHLY, state = 3;
		else if (state == 3 && r->freq != SM_PLAN_DAILY && word_is(w, n, "on", NULL))
			state = 4;
		else if (state == 4 && r->freq == SM_PLAN_WEEKLY && weekday(w, n) >= 0)
			r->days |= 1u << weekday(w, n);
		else if (state == 4 && r->freq == SM_PLAN_MONTHLY && isdigit((unsigned char)*w)) {
			char *end;
			long v = strtol(w, &end, 10);
			if (*end || v < 1 || v > 31)
				rc = -1, *why = "a day of the month is 1 to 31";
			else
				r->days |= 1u << v;
		} else
			rc = -1;
	}
	if (rc == 0 && (state < 3 || (state == 4 && !r->days)))
		rc = -1;
	free(copy);
	return rc;
}

char *sm_plan_repeat_text(const sm_plan_repeat *r)
{
	static const char *const unit[] = {"", "day", "week", "month"}, *const every[] = {"", "daily", "weekly", "monthly"};
	static const char *const abbr[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	sm_buf b = {0};
	if (r->interval > 1)
		sm_buf_printf(&b, "every %d %ss", r->interval, unit[r->freq]);
	else
		sm_buf_adds(&b, every[r->freq]);
	const char *sep = " on ";
	for (int d = r->freq == SM_PLAN_WEEKLY ? 0 : 1; r->days && d < (r->freq == SM_PLAN_WEEKLY ? 7 : 32); d++)
		if (r->days & (1u << d)) {
			if (r->freq == SM_PLAN_WEEKLY)
				sm_buf_printf(&b, "%s%s", sep, abbr[d]);
			else
				sm_buf_printf(&b, "%s%d", sep, d);
			sep = ", ";
		}
	return sm_buf_detach(&b);
}

/* --- the file --------------------------------------------------------------------------- */

/* Split a comma-separated list into trimmed, non-empty words. */
static void split_list(const char *v, char ***out, size_t *n)
{
	for (const char *p = v; *p;) {
		size_t k = strcspn(p, ",");
		char *w = sm_strtrim(p, k);
		if (*w) {
			*out = sm_realloc(*out, (*n + 1) * sizeof **out);
			(*out)[(*n)++] = w;
		} else
			free(w);
		p += k + (p[k] == ',');
	}
}

typedef struct {
	const char *path;
	sm_plan_entry *e;
	sm_plan_problems *pr;
	const char *zone;
	unsigned seen;
	int bad;
} parser;

enum { F_AT, F_CHANNELS, F_TAGS, F_REPEAT, F_UNTIL, F_TITLE, F_MEDIA, F_N };
static const char *const fields[F_N] = {"At", "Channels", "Tags", "Repeat", "Until", "Title", "Media"};

static void problem(parser *ps, long line, const char *fmt, const char *a)
{
	sm_plan_problem(ps->pr, ps->path, line, fmt, a);
	ps->bad = 1;
}

static void media(parser *ps, const char *v, long line)
{
	sm_plan_entry *e = ps->e;
	const char *bar = strchr(v, '|');
	char *path = sm_strtrim(v, bar ? (size_t)(bar - v) : strlen(v));
	if (!*path) {
		free(path);
		problem(ps, line, "Media: no file named%s", "");
		return;
	}
	e->media = sm_realloc(e->media, (e->nmedia + 1) * sizeof *e->media);
	e->media[e->nmedia].path = path;
	e->media[e->nmedia].alt = bar ? sm_strtrim(bar + 1, strlen(bar + 1)) : sm_strdup("");
	e->media[e->nmedia++].line = line;
}

static void field(parser *ps, const char *name, size_t nlen, const char *v, long line)
{
	sm_plan_entry *e = ps->e;
	const char *why;
	int f = 0, rc;
	while (f < F_N && !(strlen(fields[f]) == nlen && !strncasecmp(fields[f], name, nlen)))
		f++;
	if (f == F_N && nlen == 7 && !strncasecmp(name, "Channel", 7))
		f = F_CHANNELS;
	if (f == F_N) {
		char *n = sm_strndup(name, nlen);
		if (strncasecmp(n, "X-", 2)) /* X-anything: the team's own fields */
			problem(ps, line, "unknown field '%s' (At, Channels, Tags, Repeat, Until, Title, Media, "
				"X-...)", n);
		free(n);
		return;
	}
	if (f != F_MEDIA && (ps->seen & (1u << f))) {
		problem(ps, line, "%s: given twice", fields[f]);
		return;
	}
	ps->seen |= 1u << f;
	switch (f) {
	case F_AT:
		e->at_line = line;
		rc = sm_plan_time_parse(v, ps->zone, &e->at, &why);
		if (rc == 0 && !e->at.has_time)
			rc = -1, why = "no time of day";
		if (rc < 0) {
			sm_plan_problem(ps->pr, ps->path, line, "At: '%s': %s", v, why);
			ps->bad = 1;
		}
		break;
	case F_CHANNELS:
		e->channels_line = line;
		split_list(v, &e->channels, &e->nchannels);
		if (!e->nchannels)
			problem(ps, line, "Channels: none named%s", "");
		break;
	case F_TAGS: split_list(v, &e->tags, &e->ntags); break;
	case F_REPEAT:
		e->repeat_line = line;
		if (sm_plan_repeat_parse(v, &e->repeat, &why) < 0) {
			sm_plan_problem(ps->pr, ps->path, line, "Repeat: '%s': %s", v, why);
			ps->bad = 1;
		}
		break;
	case F_UNTIL:
		e->until_line = line;
		/* "" for a time without a zone: At's, whatever comes first */
		if (sm_plan_time_parse(v, "", &e->until, &why) < 0) {
			sm_plan_problem(ps->pr, ps->path, line, "Until: '%s': %s", v, why);
			ps->bad = 1;
		}
		break;
	case F_TITLE: free(e->title); e->title = sm_strdup(v); break;
	default: media(ps, v, line);
	}
}

/* The text of lines [a, b) of the body, blank lines at either end left out. */
static char *section(char **lines, long a, long b)
{
	sm_buf t = {0};
	while (a < b && !lines[a][strspn(lines[a], " \t")])
		a++;
	while (b > a && !lines[b - 1][strspn(lines[b - 1], " \t")])
		b--;
	for (long i = a; i < b; i++)
		sm_buf_printf(&t, "%s%s", lines[i], i + 1 < b ? "\n" : "");
	return t.s ? sm_buf_detach(&t) : sm_strdup("");
}

/* "--- NAME": a text for a channel or network of its own. */
static int marker(const char *line, char **name)
{
	if (strncmp(line, "--- ", 4))
		return 0;
	const char *n = line + 4;
	size_t k = strlen(n);
	while (k && n[k - 1] == ' ')
		k--;
	if (!k || strcspn(n, " \t") < k)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (!(isalnum((unsigned char)n[i]) || strchr("_.-", n[i])))
			return 0;
	*name = sm_strndup(n, k);
	return 1;
}

static void body(parser *ps, char **lines, long first, long nlines)
{
	sm_plan_entry *e = ps->e;
	long start = first;
	char *name = NULL, *next;
	for (long i = first; i <= nlines; i++) {
		if (i < nlines && !marker(lines[i], &next))
			continue;
		char *text = section(lines, start, i);
		if (!name) {
			e->text = text;
			e->text_line = start + 1;
		} else {
			for (size_t k = 0; k < e->nbodies; k++)
				if (!strcmp(e->bodies[k].name, name))
					problem(ps, start, "a second text for '%s'", name);
			e->bodies = sm_realloc(e->bodies, (e->nbodies + 1) * sizeof *e->bodies);
			e->bodies[e->nbodies++] = (sm_plan_body){name, text, start};
			if (!*text)
				problem(ps, start, "the text for '%s' is empty", name);
		}
		if (i < nlines)
			name = next;
		start = i + 1;
	}
}

/* The file's lines, without their ends (a CR before LF is dropped), in lines[0..n). */
static char **split_lines(const char *data, size_t len, long *n)
{
	char **lines = NULL;
	*n = 0;
	for (size_t i = 0; i < len;) {
		size_t k = 0;
		while (i + k < len && data[i + k] != '\n')
			k++;
		size_t end = k && data[i + k - 1] == '\r' ? k - 1 : k;
		lines = sm_realloc(lines, (size_t)(*n + 1) * sizeof *lines);
		lines[(*n)++] = sm_strndup(data + i, end);
		i += k + 1;
	}
	return lines;
}

static void check_required(parser *ps, long nlines)
{
	sm_plan_entry *e = ps->e;
	if (!(ps->seen & (1u << F_AT)))
		problem(ps, 1, "no At: field (when to post)%s", "");
	if (!(ps->seen & (1u << F_CHANNELS)))
		problem(ps, 1, "no Channels: field (where to post)%s", "");
	if (ps->seen & (1u << F_UNTIL) && !(ps->seen & (1u << F_REPEAT)))
		problem(ps, e->until_line, "Until: without Repeat:%s", "");
	if (!ps->bad && e->repeat.freq && e->until.year) {
		if (sm_plan_until(e) < sm_plan_instant(&e->at))
			problem(ps, e->until_line, "Until: before At:%s", "");
	}
	if (!e->text || (!*e->text && !e->nbodies))
		problem(ps, e->text_line && e->text_line <= nlines ? e->text_line : nlines, "no text to post%s", "");
	if (!e->title && e->text)
		e->title = sm_strndup(e->text, strcspn(e->text, "\n"));
}

int sm_plan_entry_parse(const char *path, const char *data, size_t len, const char *default_zone,
			sm_plan_entry *e, sm_plan_problems *pr)
{
	parser ps = {path, e, pr, default_zone, 0, 0};
	long n, i = 0;
	size_t bad;
	memset(e, 0, sizeof *e);
	e->path = sm_strdup(path);
	const char *nul = memchr(data, 0, len); /* a NUL would cut a line short unseen */
	if (!sm_utf8_valid(data, len, &bad) || nul) {
		long line = 1;
		if (nul)
			bad = (size_t)(nul - data);
		for (size_t k = 0; k < bad; k++)
			line += data[k] == '\n';
		sm_plan_problem(pr, path, line, nul ? "a NUL byte: not a text file" : "not valid UTF-8");
		return -1;
	}
	char **lines = split_lines(data, len, &n);
	for (; i < n && *lines[i]; i++) {
		if (lines[i][0] == '#')
			continue;
		const char *colon = strchr(lines[i], ':');
		if (lines[i][0] == ' ' || lines[i][0] == '\t' || !colon || colon == lines[i] ||
		    strcspn(lines[i], " \t") < (size_t)(colon - lines[i])) {
			problem(&ps, i + 1, "a broken header: '%s' is not a 'Field: value' line (a blank line "
				"ends the header)", lines[i]);
			continue;
		}
		sm_buf v = {0}; /* the value, with its continuation lines */
		sm_buf_adds(&v, colon + 1);
		long at = i + 1;
		while (i + 1 < n && (lines[i + 1][0] == ' ' || lines[i + 1][0] == '\t') && lines[i + 1][1])
			sm_buf_printf(&v, " %s", lines[++i]);
		char *value = sm_strtrim(v.s, v.len);
		field(&ps, lines[at - 1], (size_t)(colon - lines[at - 1]), value, at);
		free(value);
		sm_buf_free(&v);
	}
	body(&ps, lines, i + 1 < n ? i + 1 : n, n);
	check_required(&ps, n);
	for (long k = 0; k < n; k++)
		free(lines[k]);
	free(lines);
	return ps.bad ? -1 : 0;
}

const char *sm_plan_text_for(const sm_plan_entry *e, const char *channel, const char *network)
{
	const char *by_network = NULL;
	for (size_t i = 0; i < e->nbodies; i++) {
		if (channel && !strcmp(e->bodies[i].name, channel))
			return e->bodies[i].text;
		if (network && !strcmp(e->bodies[i].name, network))
			by_network = e->bodies[i].text;
	}
	return by_network ? by_network : e->text;
}

static void join(sm_buf *b, const char *field_name, char **v, size_t n)
{
	if (!n)
		return;
	sm_buf_printf(b, "%s: ", field_name);
	for (size_t i = 0; i < n; i++)
		sm_buf_printf(b, "%s%s", i ? ", " : "", v[i]);
	sm_buf_addc(b, '\n');
}

char *sm_plan_entry_format(const sm_plan_entry *e)
{
	sm_buf b = {0};
	char *at = sm_plan_time_text(&e->at);
	sm_buf_printf(&b, "At: %s\n", at);
	free(at);
	join(&b, "Channels", e->channels, e->nchannels);
	join(&b, "Tags", e->tags, e->ntags);
	if (e->repeat.freq) {
		char *r = sm_plan_repeat_text(&e->repeat);
		sm_buf_printf(&b, "Repeat: %s\n", r);
		free(r);
	}
	if (e->until.year) {
		char *u = sm_plan_time_text(&e->until);
		sm_buf_printf(&b, "Until: %s\n", u);
		free(u);
	}
	if (e->title)
		sm_buf_printf(&b, "Title: %s\n", e->title);
	for (size_t i = 0; i < e->nmedia; i++)
		sm_buf_printf(&b, "Media: %s | %s\n", e->media[i].path, e->media[i].alt);
	sm_buf_printf(&b, "\n%s\n", e->text ? e->text : "");
	for (size_t i = 0; i < e->nbodies; i++)
		sm_buf_printf(&b, "\n--- %s\n%s\n", e->bodies[i].name, e->bodies[i].text);
	return sm_buf_detach(&b);
}
