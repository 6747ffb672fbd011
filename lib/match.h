/*
 * match.h - the match area: folded text (fold.c), the query language (query.c), rules files
 * (rules.c), a compiled set of rules with its word index (ruleset.c) and the raw-line
 * literal prefilter (prefilter.c). Used by sm-match; later by anything that filters items.
 */
#ifndef SM_MATCH_H
#define SM_MATCH_H

#include "smkit.h"

// fold.c
enum { SM_TOK_WORD, SM_TOK_TAG, SM_TOK_MENTION, SM_TOK_SYMBOL };
#define SM_FIELD_GAP 1000 /* positions between title and text: no phrase spans both */
typedef struct {
	uint32_t off, len, pos;
	uint8_t kind;
} sm_token;
typedef struct {
	sm_buf folded; /* the folded text of every field added, joined by '\n' */
	sm_token *tok;
	size_t ntok, cap;
	uint32_t next_pos;
	int has_link, has_question;
} sm_text;
/* Append the NFKC-casefolded form of s to out. */
int sm_fold(const char *s, size_t n, sm_buf *out);
int sm_text_add(sm_text *t, const char *s, size_t n);
void sm_text_reset(sm_text *t);
void sm_text_free(sm_text *t);

// query.c
/* What a query is matched against: an item's fields and its folded text. */
typedef struct {
	const char *lang, *channel, *network, *kind, *author_id, *author_handle, *in_reply_to;
	int has_media;
	int annotated;     /* the record has tags, priority, team or rules already */
	const char *raw;   /* title and text as they came, for /regex/ */
	size_t raw_len;
	sm_text text;      /* title and text folded */
} sm_subject;
// subject.c
/* Fill a subject from an item record (pointers into it; text folded into s->text). */
int sm_subject_from_item(sm_subject *s, json_t *item, sm_buf *raw);
/* The same from the bytes of a line, without jansson; -1 if the line is not a valid item
   (then parse it with sm_record_parse to learn why). Strings are copied into arena. */
int sm_subject_from_line(sm_subject *s, const char *line, size_t len, sm_buf *arena, sm_buf *raw);

typedef struct sm_query sm_query;
typedef struct sm_lexicon sm_lexicon;
/*
 * Parse a query. groups is the config (for from:GROUP), may be NULL. Words are entered in
 * the lexicon lex (shared by all queries of a rule set). On error: -1, sm_errmsg() is the
 * reason and *errcol the 1-based column in q.
 */
int sm_query_parse(const char *q, size_t len, sm_config *groups, sm_lexicon *lex,
		   sm_query **out, size_t *erroff);
void sm_query_free(sm_query *q);
/* Ids (in lex) of words one of which must be in a text the query matches; -1 if none can
   be named (the query must be tried on every text). Array owned by q. */
int sm_query_required(sm_query *q, const int **ids, size_t *n);
/* Could it match a text holding the words whose present[id] == gen? (NOT, fields and
   regexes count as true: a no is never wrong.) */
int sm_query_may_match(sm_query *q, const uint32_t *present, uint32_t gen);
/* Every lexicon id the query names; malloc'd array, its length returned. */
size_t sm_query_words(sm_query *q, int **ids);
/* 1 if the subject matches; the lexicon must have been run over the subject's text. */
int sm_query_eval(sm_query *q, sm_lexicon *lex, const sm_subject *s);

// lexicon.c: every word, tag, mention and prefix of a rule set, looked up once per text
sm_lexicon *sm_lexicon_new(void);
void sm_lexicon_free(sm_lexicon *lex);
enum { SM_LEX_WORD, SM_LEX_TAG, SM_LEX_MENTION, SM_LEX_PREFIX };
int sm_lexicon_add(sm_lexicon *lex, int kind, const char *folded, size_t len);
size_t sm_lexicon_size(sm_lexicon *lex);
const char *sm_lexicon_word(sm_lexicon *lex, int id, int *kind);
/* Look every token of t up; afterwards sm_lexicon_seen/positions answer for t. */
void sm_lexicon_scan(sm_lexicon *lex, const sm_text *t);
int sm_lexicon_seen(sm_lexicon *lex, int id);
const uint32_t *sm_lexicon_positions(sm_lexicon *lex, int id, size_t *n);
/* Entries seen by the last scan. */
const int *sm_lexicon_hits(sm_lexicon *lex, size_t *n);

// rules.c: the rules file (deb822 paragraphs), compiled
enum { SM_PRIO_NONE, SM_PRIO_LOW, SM_PRIO_NORMAL, SM_PRIO_HIGH, SM_PRIO_URGENT };
enum { SM_ACT_NONE, SM_ACT_DROP, SM_ACT_STOP };
typedef struct {
	char *text;
	int expect; /* 1 Test-Match, 0 Test-No-Match */
	int line;
} sm_rule_test;
typedef struct {
	char *name;
	char *match;
	char **tags;
	size_t ntags;
	int priority, action;
	char *team;
	sm_rule_test *tests;
	size_t ntests;
	int line; /* of its Rule: field */
	sm_query *q;
} sm_rule;
typedef struct {
	sm_rule *rule;
	size_t n;
	sm_lexicon *lex;
	/* candidate selection: for each lexicon id the rules that name it as required */
	size_t **by_word, *nby_word;
	size_t *always, nalways; /* rules tried on every text */
	size_t *stamp, *cand;
	size_t gen, ncand;
} sm_rules;
/* Parse and compile a rules file; errors are "NAME:LINE:COL: reason" with SM_EX_CONFIG. */
int sm_rules_load(const char *path, const char *name, sm_config *cfg, sm_rules **out);
int sm_rules_parse(const char *text, size_t len, const char *name, sm_config *cfg, sm_rules **out);
/* One rule from a single query (sm-match -q). */
int sm_rules_query(const char *q, sm_config *cfg, sm_rules **out);
void sm_rules_free(sm_rules *r);
const char *sm_priority_name(int p);

/* The outcome of the rules for one subject. */
typedef struct {
	size_t *matched; /* indexes of the rules that matched, in order */
	size_t nmatched, cap;
	int priority, dropped;
	const char *team;
} sm_verdict;
int sm_rules_apply(sm_rules *r, const sm_subject *s, sm_verdict *v);
void sm_verdict_free(sm_verdict *v);

// prefilter.c: does a raw line hold any literal a rule needs? (Aho-Corasick over bytes)
typedef struct sm_prefilter sm_prefilter;
/* NULL when the rules cannot be prefiltered (a rule needs every text); never wrong. */
sm_prefilter *sm_prefilter_new(sm_rules *r);
void sm_prefilter_free(sm_prefilter *p);
/* 0 only if no line with these bytes can match any rule. */
int sm_prefilter_maybe(sm_prefilter *p, const char *line, size_t len);

// matcher.c: one sm-match run
typedef struct {
	/* set by the caller before sm_matcher_init */
	sm_rules *rules;
	sm_store *st;      /* where items and annotations go; NULL with -n */
	int query_mode;    /* -q: no annotations are added, matching lines pass unchanged */
	int all, invert, count_only, use_prefilter;
	/* results */
	long nlines, nmatched, nchanged, *counts; /* counts per rule */
	/* internal */
	sm_prefilter *pf;
	sm_subject subj;
	sm_verdict v;
	sm_buf raw, pending, arena;
	int in_tx, batch;
	char now[SM_TIME_LEN];
} sm_matcher;
void sm_matcher_init(sm_matcher *m);
void sm_matcher_free(sm_matcher *m);
int sm_matcher_line(const char *line, size_t len, const char *file, long lineno, void *ctx);
int sm_matcher_stored(sm_matcher *m, sm_store *st, const char *since);
int sm_matcher_finish(sm_matcher *m); /* commit, print what waits, or the counts (-c) */
/* The input pauses (sm_each_line_on_wait): commit what is stored, print what waited. */
int sm_matcher_pause(void *m);
/* Run every rule's Test- lines as TAP on stdout; *failed counts the failures. */
int sm_matcher_test(sm_matcher *m, const char *rules_name, int *failed);
void sm_annotate_record(json_t *rec, const sm_annotation *a);

#endif
