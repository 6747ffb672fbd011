/*
 * matcher.c - one sm-match run: lines through the prefilter, the rules and the store,
 * printed as grep would (matching, all, or non-matching); stored items re-matched after
 * a rules change; and the rules' own Test- lines run as TAP.
 */
#include <stdlib.h>
#include <string.h>

#include "match.h"

enum { BATCH = 1000 };

void sm_matcher_init(sm_matcher *m)
{
	m->counts = sm_calloc(m->rules->n + 1, sizeof *m->counts);
	if (m->use_prefilter && !m->st)
		m->pf = sm_prefilter_new(m->rules);
	sm_time_format(sm_now(), m->now);
}

void sm_matcher_free(sm_matcher *m)
{
	sm_prefilter_free(m->pf);
	sm_text_free(&m->subj.text);
	sm_buf_free(&m->raw);
	sm_buf_free(&m->arena);
	sm_buf_free(&m->pending);
	sm_verdict_free(&m->v);
	free(m->counts);
}

static int emit(sm_matcher *m, const char *s, size_t len)
{
	if (m->count_only)
		return 0;
	if (m->st) { /* printed once the batch is committed */
		sm_buf_add(&m->pending, s, len);
		sm_buf_addc(&m->pending, '\n');
		return 0;
	}
	return sm_out_line(s, len);
}

static int flush(sm_matcher *m)
{
	if (m->st && m->in_tx) {
		if (sm_store_commit(m->st) < 0)
			return -1;
		m->in_tx = 0;
		m->batch = 0;
	}
	int rc = m->pending.len ? sm_out_line(m->pending.s, m->pending.len - 1) : 0;
	sm_buf_reset(&m->pending);
	return rc;
}

int sm_matcher_pause(void *ctx) { return flush(ctx); }

/* The annotations of the verdict as JSON texts (the store's form). */
static void annotation(sm_matcher *m, sm_annotation *a, char **tags, char **rules)
{
	json_t *t = json_array(), *r = json_array();
	for (size_t i = 0; i < m->v.nmatched; i++) {
		sm_rule *rule = &m->rules->rule[m->v.matched[i]];
		json_array_append_new(r, json_string(rule->name));
		for (size_t k = 0; k < rule->ntags; k++) {
			size_t j;
			json_t *x;
			json_array_foreach(t, j, x)
				if (!strcmp(json_string_value(x), rule->tags[k]))
					break;
			if (j == json_array_size(t))
				json_array_append_new(t, json_string(rule->tags[k]));
		}
	}
	*tags = json_array_size(t) ? json_dumps(t, JSON_COMPACT) : NULL;
	*rules = m->v.nmatched ? json_dumps(r, JSON_COMPACT) : NULL;
	json_decref(t);
	json_decref(r);
	a->tags = *tags;
	a->rules = *rules;
	a->priority = sm_priority_name(m->v.priority);
	a->team = m->v.team;
	a->dropped = m->v.dropped;
}

/* Put the annotations into a record (replacing earlier ones), as sm-item(5) shows them. */
void sm_annotate_record(json_t *rec, const sm_annotation *a)
{
	static const char *const keys[] = {"tags", "priority", "team", "rules"};
	for (int i = 0; i < 4; i++)
		json_object_del(rec, keys[i]);
	if (a->tags)
		json_object_set_new(rec, "tags", json_loads(a->tags, 0, NULL));
	if (a->priority)
		json_object_set_new(rec, "priority", json_string(a->priority));
	if (a->team)
		json_object_set_new(rec, "team", json_string(a->team));
	if (a->rules)
		json_object_set_new(rec, "rules", json_loads(a->rules, 0, NULL));
}

static int print_record(sm_matcher *m, json_t *rec, const sm_annotation *a)
{
	if (a && !m->query_mode)
		sm_annotate_record(rec, a);
	char *s = json_dumps(rec, JSON_COMPACT);
	if (!s)
		return sm_error("unable to encode a record");
	int rc = emit(m, s, strlen(s));
	free(s);
	return rc;
}

static void count(sm_matcher *m)
{
	for (size_t i = 0; i < m->v.nmatched; i++)
		m->counts[m->v.matched[i]]++;
	if (m->v.nmatched)
		m->nmatched++;
	m->nlines++;
}

static int store(sm_matcher *m, json_t *rec, const sm_annotation *a)
{
	int is_new;
	if (!m->in_tx) {
		if (sm_store_begin(m->st) < 0)
			return -1;
		m->in_tx = 1;
	}
	if (sm_store_put_item(m->st, rec, &is_new) < 0)
		return -1;
	if (!m->query_mode && sm_store_annotate(m->st, json_string_value(json_object_get(rec, "id")),
						a, NULL) < 0)
		return -1;
	return ++m->batch >= BATCH ? flush(m) : 0;
}

static int decide(sm_matcher *m, json_t *rec, const char *line, size_t len, const sm_annotation *a)
{
	int matched = m->v.nmatched > 0;
	if (m->v.dropped)
		return 0;
	if (m->invert ? matched : !(matched || m->all))
		return 0;
	if (matched && !m->query_mode)
		return print_record(m, rec, a);
	return emit(m, line, len); /* nothing added: the bytes as they came */
}

/* Rules applied to the parsed record (what storing needs). */
static int line_parsed(sm_matcher *m, json_t *rec, const char *line, size_t len,
		       const char *file, long lineno)
{
	sm_annotation a = {0};
	char *tags = NULL, *rules = NULL;
	int rc = 0;
	if (sm_subject_from_item(&m->subj, rec, &m->raw) < 0)
		return sm_error_code(SM_EX_DATAERR, "%s:%ld: %s", file, lineno, sm_errmsg());
	sm_rules_apply(m->rules, &m->subj, &m->v);
	count(m);
	annotation(m, &a, &tags, &rules);
	if (m->st) {
		if (!json_is_string(json_object_get(rec, "id")) ||
		    !json_is_string(json_object_get(rec, "channel")))
			rc = sm_error_code(SM_EX_DATAERR, "%s:%ld: an item to store needs an id and a "
					   "channel (or use -n)", file, lineno);
		else
			rc = store(m, rec, &a);
	}
	if (rc == 0)
		rc = decide(m, rec, line, len, &a);
	free(tags);
	free(rules);
	return rc;
}

static void add_json_string(sm_buf *b, const char *key, const char *v)
{
	json_t *j = json_string(v);
	char *enc = json_dumps(j, JSON_ENCODE_ANY);
	sm_buf_printf(b, ",\"%s\":%s", key, enc);
	free(enc);
	json_decref(j);
}

/* Print a line that has no annotations yet with them added before its closing brace:
   every other byte stays as it came. */
static int splice(sm_matcher *m, const char *line, size_t len, const sm_annotation *a)
{
	size_t end = len;
	while (end > 0 && line[end - 1] != '}')
		end--;
	sm_buf_reset(&m->arena);
	sm_buf_add(&m->arena, line, end - 1);
	size_t mark = m->arena.len;
	if (a->tags)
		sm_buf_printf(&m->arena, ",\"tags\":%s", a->tags);
	if (a->priority)
		add_json_string(&m->arena, "priority", a->priority);
	if (a->team)
		add_json_string(&m->arena, "team", a->team);
	if (a->rules)
		sm_buf_printf(&m->arena, ",\"rules\":%s", a->rules);
	/* an empty object "{}" takes no comma before its first member */
	const char *open = memchr(line, '{', end);
	if (open && strspn(open + 1, " \t\r\n") >= (size_t)(line + end - 1 - open - 1) &&
	    m->arena.len > mark)
		memmove(m->arena.s + mark, m->arena.s + mark + 1, m->arena.len-- - mark - 1);
	sm_buf_addc(&m->arena, '}');
	return emit(m, m->arena.s, m->arena.len);
}

/*
 * Rules applied to the line's bytes (-n: nothing to store): no tree is built unless the
 * record must be printed with annotations added.
 */
static int line_scanned(sm_matcher *m, const char *line, size_t len, const char *file,
			long lineno)
{
	sm_annotation a = {0};
	char *tags = NULL, *rules = NULL;
	sm_rules_apply(m->rules, &m->subj, &m->v);
	count(m);
	int matched = m->v.nmatched > 0, rc = 0;
	if (m->count_only || m->v.dropped || (m->invert ? matched : !(matched || m->all)))
		return 0;
	if (!matched || m->query_mode)
		return emit(m, line, len);
	annotation(m, &a, &tags, &rules);
	if (!m->subj.annotated)
		rc = splice(m, line, len, &a);
	else {
		json_t *rec = sm_record_parse(line, len, file, lineno, SM_LOOP_ITEMS);
		rc = rec ? print_record(m, rec, &a) : -1;
		json_decref(rec);
	}
	free(tags);
	free(rules);
	return rc;
}

int sm_matcher_line(const char *line, size_t len, const char *file, long lineno, void *ctx)
{
	sm_matcher *m = ctx;

	if (m->pf && !sm_prefilter_maybe(m->pf, line, len)) {
		/* it cannot match, but it must be a good item all the same */
		sm_jval mm[SM_M_N], au[SM_A_N];
		if (sm_item_check_line(line, len, mm, au) < 0) {
			json_t *rec = sm_record_parse(line, len, file, lineno, SM_LOOP_ITEMS);
			if (!rec)
				return -1;
			json_decref(rec); /* the scanner was stricter than jansson: go on */
		}
		m->v.nmatched = 0;
		m->v.dropped = 0;
		count(m);
		return m->invert || m->all ? emit(m, line, len) : 0;
	}
	if (!m->st && sm_subject_from_line(&m->subj, line, len, &m->arena, &m->raw) == 0)
		return line_scanned(m, line, len, file, lineno);
	json_t *rec = sm_record_parse(line, len, file, lineno, SM_LOOP_ITEMS);
	if (!rec)
		return -1;
	int rc = line_parsed(m, rec, line, len, file, lineno);
	json_decref(rec);
	return rc;
}

static int stored_item(const char *record, const sm_annotation *old, void *ctx)
{
	sm_matcher *m = ctx;
	sm_annotation a = {0};
	char *tags = NULL, *rules = NULL;
	int changed = 0, rc = 0;
	json_t *rec = json_loads(record, 0, NULL);
	if (!rec)
		return sm_error_code(SM_EX_DATAERR, "a stored record is not JSON");
	if (sm_subject_from_item(&m->subj, rec, &m->raw) < 0) {
		json_decref(rec);
		return -1;
	}
	sm_rules_apply(m->rules, &m->subj, &m->v);
	count(m);
	annotation(m, &a, &tags, &rules);
	if (m->st && !m->query_mode) {
		if (!m->in_tx && sm_store_begin(m->st) < 0)
			rc = -1;
		m->in_tx = 1;
		if (rc == 0)
			rc = sm_store_annotate(m->st, json_string_value(json_object_get(rec, "id")), &a, &changed);
		m->nchanged += changed;
		if (rc == 0 && ++m->batch >= BATCH)
			rc = flush(m);
	}
	(void)old;
	if (rc == 0 && !m->v.dropped && (m->invert ? !m->v.nmatched : m->v.nmatched || m->all))
		rc = print_record(m, rec, m->v.nmatched ? &a : NULL);
	free(tags);
	free(rules);
	json_decref(rec);
	return rc;
}

int sm_matcher_stored(sm_matcher *m, sm_store *st, const char *since)
{
	int rc = sm_store_each_item(st, since, stored_item, m);
	if (rc < 0 && m->st && m->in_tx) {
		sm_store_rollback(m->st);
		m->in_tx = 0;
	}
	return rc;
}

int sm_matcher_finish(sm_matcher *m)
{
	if (flush(m) < 0) {
		if (m->st)
			sm_store_rollback(m->st);
		return -1;
	}
	if (!m->count_only)
		return 0;
	if (m->query_mode) {
		char line[32];
		int n = snprintf(line, sizeof line, "%ld", m->nmatched);
		return sm_out_line(line, (size_t)n);
	}
	for (size_t i = 0; i < m->rules->n; i++) {
		char *line = sm_asprintf("%s\t%ld", m->rules->rule[i].name, m->counts[i]);
		int rc = sm_out_line(line, strlen(line));
		free(line);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* A Test- line is a text, or an item record when it starts with '{'. */
static int test_subject(sm_matcher *m, const char *text, json_t **rec)
{
	if (text[0] == '{') {
		json_error_t e;
		*rec = json_loads(text, 0, &e);
		if (!json_is_object(*rec))
			return sm_error("not an item record: %s", e.text);
	} else
		*rec = json_pack("{s:s}", "text", text);
	return sm_subject_from_item(&m->subj, *rec, &m->raw);
}

int sm_matcher_test(sm_matcher *m, const char *rules_name, int *failed)
{
	int n = 0;
	*failed = 0;
	for (size_t i = 0; i < m->rules->n; i++) {
		sm_rule *rule = &m->rules->rule[i];
		for (size_t k = 0; k < rule->ntests; k++) {
			sm_rule_test *t = &rule->tests[k];
			json_t *rec = NULL;
			int got = -1;
			if (test_subject(m, t->text, &rec) == 0) {
				sm_lexicon_scan(m->rules->lex, &m->subj.text);
				got = sm_query_eval(rule->q, m->rules->lex, &m->subj);
			}
			json_decref(rec);
			int ok = got == t->expect;
			*failed += !ok;
			char *line;
			n++;
			if (ok)
				line = sm_asprintf("ok %d - %s: %s '%s'", n, rule->name,
						   t->expect ? "matches" : "does not match", t->text);
			else
				line = sm_asprintf("not ok %d - %s: %s '%s' # %s, at %s:%d", n, rule->name,
						   t->expect ? "matches" : "does not match", t->text,
						   got < 0 ? sm_errmsg() : got ? "it matched" : "it did not match",
						   rules_name, t->line);
			int rc = sm_out_line(line, strlen(line));
			free(line);
			if (rc < 0)
				return -1;
		}
	}
	char plan[32];
	int len = snprintf(plan, sizeof plan, "1..%d", n);
	return sm_out_line(plan, (size_t)len);
}
