/*
 * rules.c - the rules file of sm-rules(5): deb822-style paragraphs compiled into a rule set,
 * and the rule set applied to one text: only the rules one of whose required words the text
 * holds are evaluated (plus those that name none), in file order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "match.h"

/* One field's value and where each of its lines began in the file. */
typedef struct {
	sm_buf v;
	struct { size_t off; int line, col; } seg[64];
	int nseg;
	char *name;
	int line;
} fieldval;

typedef struct {
	const char *name; /* the file name in messages */
	sm_config *cfg;
	sm_rules *r;
} loader;

static const char *const prio_names[] = {"", "low", "normal", "high", "urgent"};

const char *sm_priority_name(int p) { return p > 0 && p <= SM_PRIO_URGENT ? prio_names[p] : NULL; }

static int at(loader *ld, int line, int col, const char *fmt, const char *arg)
{
	char msg[1024];
	snprintf(msg, sizeof msg, fmt, arg);
	return sm_error_code(SM_EX_CONFIG, "%s:%d:%d: %s", ld->name, line, col, msg);
}

/* How many characters the UTF-8 bytes s[0..n) hold. */
static int chars(const char *s, size_t n)
{
	int c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* The file position of offset off in a field's value. */
static void where(const fieldval *f, size_t off, int *line, int *col)
{
	int k = 0;
	while (k + 1 < f->nseg && f->seg[k + 1].off <= off)
		k++;
	*line = f->seg[k].line;
	*col = f->seg[k].col + chars(f->v.s + f->seg[k].off, off - f->seg[k].off);
}

static void split_tags(sm_rule *rule, const char *v)
{
	while (*v) {
		size_t n = strcspn(v, ",");
		char *t = sm_strtrim(v, n);
		if (*t) {
			rule->tags = sm_realloc(rule->tags, (rule->ntags + 1) * sizeof *rule->tags);
			rule->tags[rule->ntags++] = t;
		} else
			free(t);
		v += n + (v[n] == ',');
	}
}

static int compile_match(loader *ld, sm_rule *rule, const fieldval *f)
{
	size_t off;
	int line, col;
	if (sm_query_parse(f->v.s, f->v.len, ld->cfg, ld->r->lex, &rule->q, &off) == 0)
		return 0;
	char msg[1024];
	snprintf(msg, sizeof msg, "%s", sm_errmsg());
	where(f, off, &line, &col);
	return at(ld, line, col, "%s", msg);
}

static int set_field(loader *ld, sm_rule *rule, fieldval *f, int *seen_match)
{
	const char *n = f->name, *v = f->v.s ? f->v.s : "";
	int vcol = f->seg[0].col;
	if (!strcasecmp(n, "Rule")) {
		if (rule->name)
			return at(ld, f->line, 1, "field '%s' given twice in one rule", n);
		if (!*v)
			return at(ld, f->line, vcol, "a rule needs a name%s", "");
		rule->name = sm_strdup(v);
		rule->line = f->line;
	} else if (!strcasecmp(n, "Match")) {
		if ((*seen_match)++)
			return at(ld, f->line, 1, "field '%s' given twice in one rule", n);
		rule->match = sm_strdup(v);
		return compile_match(ld, rule, f);
	} else if (!strcasecmp(n, "Tag") || !strcasecmp(n, "Tags")) {
		split_tags(rule, v);
	} else if (!strcasecmp(n, "Priority")) {
		for (int p = SM_PRIO_LOW; p <= SM_PRIO_URGENT; p++)
			if (!strcasecmp(v, prio_names[p]))
				rule->priority = p;
		if (!rule->priority)
			return at(ld, f->line, vcol, "priority is low, normal, high or urgent, not '%s'", v);
	} else if (!strcasecmp(n, "Team")) {
		free(rule->team);
		rule->team = sm_strdup(v);
	} else if (!strcasecmp(n, "Action")) {
		rule->action = !strcasecmp(v, "drop") ? SM_ACT_DROP : !strcasecmp(v, "stop") ? SM_ACT_STOP : -1;
		if (rule->action < 0)
			return at(ld, f->line, vcol, "action is drop or stop, not '%s'", v);
	} else if (!strcasecmp(n, "Test-Match") || !strcasecmp(n, "Test-No-Match")) {
		rule->tests = sm_realloc(rule->tests, (rule->ntests + 1) * sizeof *rule->tests);
		rule->tests[rule->ntests++] = (sm_rule_test){sm_strdup(v), !strcasecmp(n, "Test-Match"), f->line};
	} else
		return at(ld, f->line, 1, "unknown field '%s'", n);
	return 0;
}

/* A paragraph is done: check it and add it to the rule set. */
static int end_rule(loader *ld, sm_rule *rule, int first_line, int seen_match)
{
	sm_rules *r = ld->r;
	if (!rule->name)
		return at(ld, first_line, 1, "a rule needs a 'Rule:' field with its name%s", "");
	if (!seen_match)
		return at(ld, rule->line, 1, "rule '%s' has no 'Match:' field", rule->name);
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->rule[i].name, rule->name)) {
			char line[32];
			snprintf(line, sizeof line, "%d", r->rule[i].line);
			at(ld, rule->line, 1, "duplicate rule name '%s'", rule->name);
			char msg[1200];
			snprintf(msg, sizeof msg, "%s (first at line %s)", sm_errmsg(), line);
			return sm_error_code(SM_EX_CONFIG, "%s", msg);
		}
	r->rule = sm_realloc(r->rule, (r->n + 1) * sizeof *r->rule);
	r->rule[r->n++] = *rule;
	memset(rule, 0, sizeof *rule);
	return 0;
}

static void rule_free(sm_rule *rule)
{
	free(rule->name);
	free(rule->match);
	for (size_t i = 0; i < rule->ntags; i++)
		free(rule->tags[i]);
	free(rule->tags);
	free(rule->team);
	for (size_t i = 0; i < rule->ntests; i++)
		free(rule->tests[i].text);
	free(rule->tests);
	sm_query_free(rule->q);
}

typedef struct {
	loader *ld;
	sm_rule rule;
	fieldval f;
	int have_field, in_para, first_line, seen_match;
} para;

static int flush_field(para *pp)
{
	if (!pp->have_field)
		return 0;
	pp->have_field = 0;
	int rc = set_field(pp->ld, &pp->rule, &pp->f, &pp->seen_match);
	sm_buf_free(&pp->f.v);
	free(pp->f.name);
	pp->f.name = NULL;
	return rc;
}

static int end_para(para *pp)
{
	if (flush_field(pp) < 0)
		return -1;
	if (pp->in_para && end_rule(pp->ld, &pp->rule, pp->first_line, pp->seen_match) < 0)
		return -1;
	pp->in_para = pp->seen_match = 0;
	return 0;
}


static int field_line(para *pp, const char *s, size_t n, int lineno)
{
	const char *colon = memchr(s, ':', n);
	size_t k = 0;
	while (s + k < (colon ? colon : s + n) &&
	       (s[k] == '-' || (s[k] >= 'A' && s[k] <= 'Z') || (s[k] >= 'a' && s[k] <= 'z') ||
		(s[k] >= '0' && s[k] <= '9')))
		k++;
	if (!colon || s + k != colon || k == 0)
		return at(pp->ld, lineno, 1, "expected 'Field: value'%s", "");
	if (flush_field(pp) < 0)
		return -1;
	if (!pp->in_para) {
		pp->in_para = 1;
		pp->first_line = lineno;
	}
	const char *v = colon + 1, *end = s + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	pp->f.name = sm_strndup(s, k);
	pp->f.line = lineno;
	pp->f.nseg = 1;
	pp->f.seg[0].off = 0;
	pp->f.seg[0].line = lineno;
	pp->f.seg[0].col = 1 + chars(s, (size_t)(v - s));
	char *val = sm_strtrim(v, (size_t)(end - v));
	sm_buf_adds(&pp->f.v, val);
	free(val);
	pp->have_field = 1;
	return 0;
}

static int continuation(para *pp, const char *s, size_t n, int lineno)
{
	if (!pp->have_field)
		return at(pp->ld, lineno, 1, "a continuation line must follow a field%s", "");
	size_t k = 0;
	while (k < n && (s[k] == ' ' || s[k] == '\t'))
		k++;
	if (k == n || (n - k == 1 && s[k] == '.'))
		return 0;
	sm_buf_addc(&pp->f.v, ' ');
	if (pp->f.nseg < 64) {
		pp->f.seg[pp->f.nseg].off = pp->f.v.len;
		pp->f.seg[pp->f.nseg].line = lineno;
		pp->f.seg[pp->f.nseg++].col = 1 + chars(s, k);
	}
	char *val = sm_strtrim(s + k, n - k);
	sm_buf_adds(&pp->f.v, val);
	free(val);
	return 0;
}

static int parse(loader *ld, const char *text, size_t len)
{
	para pp = {.ld = ld};
	int lineno = 0, rc = 0;
	for (const char *p = text, *end = text + len; p < end && rc == 0;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *s = p;
		p += n + (nl != NULL);
		lineno++;
		if (n && s[n - 1] == '\r')
			n--;
		size_t k = 0;
		while (k < n && (s[k] == ' ' || s[k] == '\t'))
			k++;
		if (k == n)
			rc = end_para(&pp);
		else if (s[0] == '#')
			continue;
		else if (k > 0)
			rc = continuation(&pp, s, n, lineno);
		else
			rc = field_line(&pp, s, n, lineno);
	}
	if (rc == 0)
		rc = end_para(&pp);
	sm_buf_free(&pp.f.v);
	free(pp.f.name);
	rule_free(&pp.rule);
	return rc;
}

/* For each word of the lexicon, the rules that need it; and the rules that need none. */
static void index_rules(sm_rules *r)
{
	size_t nw = sm_lexicon_size(r->lex);
	r->by_word = sm_calloc(nw + 1, sizeof *r->by_word);
	r->nby_word = sm_calloc(nw + 1, sizeof *r->nby_word);
	r->always = sm_calloc(r->n + 1, sizeof *r->always);
	r->stamp = sm_calloc(r->n + 1, sizeof *r->stamp);
	r->cand = sm_calloc(r->n + 1, sizeof *r->cand);
	for (size_t i = 0; i < r->n; i++) {
		const int *ids;
		size_t n;
		if (sm_query_required(r->rule[i].q, &ids, &n) < 0) {
			r->always[r->nalways++] = i;
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			size_t w = (size_t)ids[k], m = r->nby_word[w];
			if (m && r->by_word[w][m - 1] == i)
				continue;
			r->by_word[w] = sm_realloc(r->by_word[w], (m + 1) * sizeof **r->by_word);
			r->by_word[w][r->nby_word[w]++] = i;
		}
	}
}

static sm_rules *rules_new(void)
{
	sm_rules *r = sm_calloc(1, sizeof *r);
	r->lex = sm_lexicon_new();
	return r;
}

int sm_rules_parse(const char *text, size_t len, const char *name, sm_config *cfg, sm_rules **out)
{
	loader ld = {name, cfg, rules_new()};
	*out = NULL;
	if (parse(&ld, text, len) < 0) {
		sm_rules_free(ld.r);
		return -1;
	}
	index_rules(ld.r);
	*out = ld.r;
	return 0;
}

int sm_rules_load(const char *path, const char *name, sm_config *cfg, sm_rules **out)
{
	FILE *fp = fopen(path, "r");
	sm_buf b = {0};
	char chunk[65536];
	size_t n;
	*out = NULL;
	if (!fp)
		return sm_error_code(SM_EX_NOINPUT, "unable to read rules '%s': %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		sm_buf_add(&b, chunk, n);
	fclose(fp);
	size_t bad;
	int rc;
	if (b.len && !sm_utf8_valid(b.s, b.len, &bad)) {
		int line = 1;
		size_t bol = 0;
		for (size_t i = 0; i < bad; i++)
			if (b.s[i] == '\n') {
				line++;
				bol = i + 1;
			}
		rc = sm_error_code(SM_EX_CONFIG, "%s:%d:%d: invalid UTF-8", name, line,
				   1 + chars(b.s + bol, bad - bol));
	}
	else
		rc = sm_rules_parse(b.s ? b.s : "", b.len, name, cfg, out);
	sm_buf_free(&b);
	return rc;
}

int sm_rules_query(const char *q, sm_config *cfg, sm_rules **out)
{
	sm_rules *r = rules_new();
	size_t off;
	*out = NULL;
	r->rule = sm_calloc(1, sizeof *r->rule);
	r->rule[0].name = sm_strdup("query");
	r->rule[0].match = sm_strdup(q);
	r->n = 1;
	if (sm_query_parse(q, strlen(q), cfg, r->lex, &r->rule[0].q, &off) < 0) {
		char msg[1024];
		snprintf(msg, sizeof msg, "%s", sm_errmsg());
		sm_rules_free(r);
		return sm_error_code(SM_EX_USAGE, "query:1:%d: %s", 1 + chars(q, off), msg);
	}
	index_rules(r);
	*out = r;
	return 0;
}

void sm_rules_free(sm_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		rule_free(&r->rule[i]);
	free(r->rule);
	if (r->by_word)
		for (size_t w = 0; w < sm_lexicon_size(r->lex); w++)
			free(r->by_word[w]);
	free(r->by_word);
	free(r->nby_word);
	free(r->always);
	free(r->stamp);
	free(r->cand);
	sm_lexicon_free(r->lex);
	free(r);
}

static int by_index(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/* The rules worth evaluating for the text the lexicon has just scanned, in file order. */
static void candidates(sm_rules *r)
{
	size_t nh;
	const int *hits = sm_lexicon_hits(r->lex, &nh);
	r->gen++;
	r->ncand = 0;
	for (size_t i = 0; i < r->nalways; i++) {
		r->stamp[r->always[i]] = r->gen;
		r->cand[r->ncand++] = r->always[i];
	}
	for (size_t h = 0; h < nh; h++)
		for (size_t k = 0; k < r->nby_word[hits[h]]; k++) {
			size_t i = r->by_word[hits[h]][k];
			if (r->stamp[i] != r->gen) {
				r->stamp[i] = r->gen;
				r->cand[r->ncand++] = i;
			}
		}
	if (r->ncand > 1)
		qsort(r->cand, r->ncand, sizeof *r->cand, by_index);
}

int sm_rules_apply(sm_rules *r, const sm_subject *s, sm_verdict *v)
{
	v->nmatched = 0;
	v->priority = SM_PRIO_NONE;
	v->dropped = 0;
	v->team = NULL;
	sm_lexicon_scan(r->lex, &s->text);
	candidates(r);
	for (size_t c = 0; c < r->ncand; c++) {
		sm_rule *rule = &r->rule[r->cand[c]];
		if (!sm_query_eval(rule->q, r->lex, s))
			continue;
		if (v->nmatched == v->cap) {
			v->cap = v->cap ? v->cap * 2 : 8;
			v->matched = sm_realloc(v->matched, v->cap * sizeof *v->matched);
		}
		v->matched[v->nmatched++] = r->cand[c];
		if (rule->priority > v->priority)
			v->priority = rule->priority;
		if (!v->team && rule->team)
			v->team = rule->team;
		if (rule->action == SM_ACT_DROP)
			v->dropped = 1;
		if (rule->action != SM_ACT_NONE)
			break;
	}
	return v->nmatched > 0;
}

void sm_verdict_free(sm_verdict *v)
{
	free(v->matched);
	memset(v, 0, sizeof *v);
}
