/*
 * query.c - the monitoring query language of sm-rules(5): words, "phrases", prefix*,
 * #tags, @mentions, /regex/, AND (or nothing), OR, NOT or -, ( ), a NEAR/n b and fields.
 * A query is parsed once into a tree whose words live in a lexicon shared by a rule set;
 * evaluating it asks the lexicon what the text held.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "match.h"

enum { N_WORD, N_PHRASE, N_REGEX, N_FIELD, N_AND, N_OR, N_NOT, N_NEAR };
enum { F_LANG, F_CHANNEL, F_NETWORK, F_KIND, F_AUTHOR, F_FROM, F_HAS_LINK, F_HAS_QUESTION,
       F_HAS_MEDIA, F_IS_REPLY };

typedef struct node {
	int type;
	struct node *l, *r;
	int *ids; /* N_WORD: one lexicon id; N_PHRASE: one per word */
	size_t nids;
	int dist;  /* N_NEAR */
	int field; /* N_FIELD */
	char *value;
	const char *const *members; /* from:GROUP, owned by the config */
	size_t nmembers;
	pcre2_code *re;
	pcre2_match_data *md;
} node;

struct sm_query {
	node *root;
	int *req; /* required lexicon ids, or NULL */
	size_t nreq;
	int has_req;
};

enum { T_END, T_LPAREN, T_RPAREN, T_OR, T_AND, T_NOT, T_NEAR, T_PHRASE, T_REGEX, T_TERM };

typedef struct {
	const char *q;
	size_t len, i;
	int tok;      /* the current token */
	size_t start; /* its offset */
	const char *text;
	size_t tlen;
	int dist;
	sm_config *cfg;
	sm_lexicon *lex;
	size_t errpos;
} parser;

static int fail(parser *p, size_t at, const char *fmt, const char *arg)
{
	p->errpos = at;
	return sm_error(fmt, arg);
}

static int failn(parser *p, size_t at, const char *fmt, const char *s, size_t n)
{
	char *arg = sm_strndup(s, n);
	fail(p, at, fmt, arg);
	free(arg);
	return -1;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* The next token of the query into p->tok. */
static int lex(parser *p)
{
	const char *q = p->q;
	while (p->i < p->len && is_space(q[p->i]))
		p->i++;
	p->start = p->i;
	if (p->i >= p->len)
		return p->tok = T_END;
	char c = q[p->i];
	if (c == '(' || c == ')') {
		p->i++;
		return p->tok = c == '(' ? T_LPAREN : T_RPAREN;
	}
	if (c == '"' || c == '/') {
		size_t j = p->i + 1;
		while (j < p->len && q[j] != c)
			j += (c == '/' && q[j] == '\\' && j + 1 < p->len) ? 2 : 1;
		if (j >= p->len)
			return fail(p, p->i, c == '"' ? "unterminated phrase%s" : "unterminated /regex/%s", "");
		p->text = q + p->i + 1;
		p->tlen = j - p->i - 1;
		p->i = j + 1;
		return p->tok = c == '"' ? T_PHRASE : T_REGEX;
	}
	if (c == '-') {
		if (p->i + 1 >= p->len || is_space(q[p->i + 1]) || q[p->i + 1] == ')')
			return fail(p, p->i, "'-' needs something after it%s", "");
		p->i++;
		return p->tok = T_NOT;
	}
	size_t j = p->i;
	while (j < p->len && !is_space(q[j]) && q[j] != '(' && q[j] != ')' && q[j] != '"')
		j++;
	p->text = q + p->i;
	p->tlen = j - p->i;
	p->i = j;
	if (p->tlen == 2 && memcmp(p->text, "OR", 2) == 0)
		return p->tok = T_OR;
	if (p->tlen == 3 && memcmp(p->text, "AND", 3) == 0)
		return p->tok = T_AND;
	if (p->tlen == 3 && memcmp(p->text, "NOT", 3) == 0)
		return p->tok = T_NOT;
	if (p->tlen >= 4 && memcmp(p->text, "NEAR", 4) == 0) {
		char *end;
		if (p->tlen < 6 || p->text[4] != '/' || !isdigit((unsigned char)p->text[5]))
			return fail(p, p->start, "NEAR needs a distance, as in NEAR/3%s", "");
		p->dist = (int)strtol(p->text + 5, &end, 10);
		if (end != p->text + p->tlen || p->dist < 1 || p->dist > 1000)
			return fail(p, p->start, "NEAR needs a distance from 1 to 1000, as in NEAR/3%s", "");
		return p->tok = T_NEAR;
	}
	return p->tok = T_TERM;
}

static node *new_node(int type)
{
	node *n = sm_calloc(1, sizeof *n);
	n->type = type;
	return n;
}

static void free_node(node *n)
{
	if (!n)
		return;
	free_node(n->l);
	free_node(n->r);
	free(n->ids);
	free(n->value);
	if (n->md)
		pcre2_match_data_free(n->md);
	if (n->re)
		pcre2_code_free(n->re);
	free(n);
}

static int lex_kind(int tok_kind)
{
	return tok_kind == SM_TOK_TAG ? SM_LEX_TAG : tok_kind == SM_TOK_MENTION ? SM_LEX_MENTION
										 : SM_LEX_WORD;
}

/* Words of s as the text will hold them: one node for one word, a phrase for several. */
static node *words(parser *p, const char *s, size_t n, int force_kind, int prefix, size_t at)
{
	sm_text t = {0};
	node *nd = NULL;
	if (sm_text_add(&t, s, n) < 0) {
		fail(p, at, "%s", sm_errmsg());
		goto out;
	}
	if (t.ntok == 0) {
		failn(p, at, "'%s' has no letters, digits or symbols to match", s, n);
		goto out;
	}
	if (prefix && (t.ntok != 1 || t.tok[0].kind != SM_TOK_WORD)) {
		fail(p, at, "a prefix* must be one word%s", "");
		goto out;
	}
	nd = new_node(t.ntok == 1 ? N_WORD : N_PHRASE);
	nd->nids = t.ntok;
	nd->ids = sm_calloc(t.ntok, sizeof *nd->ids);
	for (size_t i = 0; i < t.ntok; i++) {
		int kind = prefix ? SM_LEX_PREFIX : force_kind >= 0 ? force_kind : lex_kind(t.tok[i].kind);
		nd->ids[i] = sm_lexicon_add(p->lex, kind, t.folded.s + t.tok[i].off, t.tok[i].len);
	}
out:
	sm_text_free(&t);
	return nd;
}

static const struct { const char *name; int field; } fields[] = {
	{"lang", F_LANG}, {"channel", F_CHANNEL}, {"network", F_NETWORK}, {"kind", F_KIND},
	{"author", F_AUTHOR}, {"from", F_FROM}, {"has", -1}, {"is", -2},
};

static node *field(parser *p, const char *name, size_t nlen, const char *v, size_t vlen)
{
	int f = -100;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (strlen(fields[i].name) == nlen && strncasecmp(fields[i].name, name, nlen) == 0)
			f = fields[i].field;
	char *value = sm_strndup(v, vlen);
	node *n = NULL;
	if (f == -100)
		failn(p, p->start, "unknown field '%s:'", name, nlen);
	else if (vlen == 0)
		failn(p, p->start, "'%s' needs a value", name, nlen + 1);
	else if (f == -1 && strcasecmp(value, "link") && strcasecmp(value, "question") &&
		 strcasecmp(value, "media"))
		fail(p, p->start, "has: takes link, question or media, not '%s'", value);
	else if (f == -2 && strcasecmp(value, "reply"))
		fail(p, p->start, "is: takes reply, not '%s'", value);
	else {
		n = new_node(N_FIELD);
		n->field = f == -1 ? (tolower(value[0]) == 'l' ? F_HAS_LINK : tolower(value[0]) == 'q'
						      ? F_HAS_QUESTION : F_HAS_MEDIA)
			   : f == -2 ? F_IS_REPLY : f;
		n->value = value;
		value = NULL;
		if (n->field == F_FROM) {
			n->members = p->cfg ? sm_config_get_all_sub(p->cfg, "group", n->value, "member",
								    &n->nmembers) : NULL;
			if (n->nmembers == 0) {
				fail(p, p->start, "from:%s names a group with no member in the config "
					"([group \"NAME\"] member = ...)", n->value);
				free_node(n);
				n = NULL;
			}
		}
	}
	free(value);
	return n;
}

static node *regex(parser *p)
{
	int err;
	PCRE2_SIZE off;
	node *n = new_node(N_REGEX);
	n->re = pcre2_compile((PCRE2_SPTR)p->text, p->tlen, PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS,
			      &err, &off, NULL);
	if (!n->re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(err, msg, sizeof msg);
		fail(p, (size_t)(p->text - p->q) + off, "bad /regex/: %s", (char *)msg);
		free_node(n);
		return NULL;
	}
	pcre2_jit_compile(n->re, PCRE2_JIT_COMPLETE); /* faster where it works; fine where not */
	n->md = pcre2_match_data_create_from_pattern(n->re, NULL);
	return n;
}

/* @name or @name@server, as the tokenizer reads it in a text ("@service," is @service). */
static node *mention(parser *p, const char *w, size_t n, size_t at)
{
	sm_text t = {0};
	node *nd = NULL;
	if (sm_text_add(&t, w, n) < 0)
		fail(p, at, "%s", sm_errmsg());
	else if (t.ntok != 1 || t.tok[0].kind != SM_TOK_MENTION)
		failn(p, at, "'%s' is not an @mention", w, n);
	else {
		nd = new_node(N_WORD);
		nd->nids = 1;
		nd->ids = sm_calloc(1, sizeof *nd->ids);
		nd->ids[0] = sm_lexicon_add(p->lex, SM_LEX_MENTION, t.folded.s + t.tok[0].off,
					    t.tok[0].len);
	}
	sm_text_free(&t);
	return nd;
}

static node *term(parser *p)
{
	const char *w = p->text;
	size_t n = p->tlen, at = p->start;
	const char *colon = memchr(w, ':', n);
	if (colon && colon > w && !(colon + 2 < w + n && colon[1] == '/' && colon[2] == '/')) {
		size_t k = 0;
		while (w + k < colon && isalpha((unsigned char)w[k]))
			k++;
		if (w + k == colon)
			return field(p, w, k, colon + 1, n - k - 1);
	}
	if ((w[0] == '#' || w[0] == '@') && n > 1 && w[n - 1] == '*')
		return failn(p, at, "a prefix* cannot be a #tag or an @mention: '%s'", w, n), NULL;
	if (w[0] == '#' && n > 1)
		return words(p, w + 1, n - 1, SM_LEX_TAG, 0, at);
	if (w[0] == '@' && n > 1)
		return mention(p, w, n, at);
	if (n > 1 && w[n - 1] == '*')
		return words(p, w, n - 1, -1, 1, at);
	return words(p, w, n, SM_LEX_WORD, 0, at);
}

static node *parse_or(parser *p);

static node *primary(parser *p)
{
	node *n = NULL;
	size_t at = p->start;
	switch (p->tok) {
	case T_LPAREN:
		if (lex(p) < 0 || !(n = parse_or(p)))
			return NULL;
		if (p->tok != T_RPAREN) {
			free_node(n);
			fail(p, at, "unbalanced '('%s", "");
			return NULL;
		}
		break;
	case T_PHRASE:
		n = words(p, p->text, p->tlen, -1, 0, at);
		break;
	case T_REGEX:
		n = regex(p);
		break;
	case T_TERM:
		n = term(p);
		break;
	case T_RPAREN:
		fail(p, at, "unbalanced ')'%s", "");
		return NULL;
	case T_END:
		fail(p, at, "the query ends where a word was expected%s", "");
		return NULL;
	case T_NOT:
		fail(p, at, "NEAR/n needs a word or phrase after it, not NOT; write -(a NEAR/3 b)%s", "");
		return NULL;
	default:
		failn(p, at, "'%s' needs a word before it", p->q + at, p->i - at);
		return NULL;
	}
	if (n && lex(p) < 0) {
		free_node(n);
		return NULL;
	}
	return n;
}

static int positional(const node *n)
{
	return n->type == N_WORD || n->type == N_PHRASE ||
	       (n->type == N_OR && positional(n->l) && positional(n->r));
}

static node *binary(int type, node *l, node *r)
{
	node *n = new_node(type);
	n->l = l;
	n->r = r;
	return n;
}

static node *near(parser *p)
{
	node *l = primary(p);
	while (l && p->tok == T_NEAR) {
		size_t at = p->start;
		int dist = p->dist;
		if (lex(p) < 0) {
			free_node(l);
			return NULL;
		}
		node *r = primary(p);
		if (!r) {
			free_node(l);
			return NULL;
		}
		l = binary(N_NEAR, l, r);
		l->dist = dist;
		if (!positional(l->l) || !positional(l->r)) {
			free_node(l);
			fail(p, at, "NEAR needs words or phrases on both sides%s", "");
			return NULL;
		}
	}
	return l;
}

/* NOT applies to what follows up to the next AND or OR: -a NEAR/2 b is -(a NEAR/2 b). */
static node *unary(parser *p)
{
	if (p->tok != T_NOT)
		return near(p);
	size_t at = p->start;
	if (lex(p) < 0)
		return NULL;
	if (p->tok == T_END || p->tok == T_RPAREN || p->tok == T_OR || p->tok == T_AND) {
		fail(p, at, "NOT needs something after it%s", "");
		return NULL;
	}
	node *x = unary(p);
	return x ? binary(N_NOT, x, NULL) : NULL;
}

static int starts_term(int tok)
{
	return tok == T_LPAREN || tok == T_PHRASE || tok == T_REGEX || tok == T_TERM || tok == T_NOT;
}

static node *parse_and(parser *p)
{
	node *l = unary(p);
	while (l && (p->tok == T_AND || starts_term(p->tok))) {
		if (p->tok == T_AND && lex(p) < 0) {
			free_node(l);
			return NULL;
		}
		node *r = unary(p);
		if (!r) {
			free_node(l);
			return NULL;
		}
		l = binary(N_AND, l, r);
	}
	return l;
}

static node *parse_or(parser *p)
{
	node *l = parse_and(p);
	while (l && p->tok == T_OR) {
		if (lex(p) < 0) {
			free_node(l);
			return NULL;
		}
		node *r = parse_and(p);
		if (!r) {
			free_node(l);
			return NULL;
		}
		l = binary(N_OR, l, r);
	}
	return l;
}

/* How rare a required set is likely to be: its shortest word's length (longer words are
   rarer), so AND keeps the side that fewer texts hold. */
static size_t rarity(sm_lexicon *lx, const int *ids, size_t n)
{
	size_t best = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(sm_lexicon_word(lx, ids[i], NULL));
		if (len < best)
			best = len;
	}
	return n ? best : 0;
}

/* The lexicon ids one of which must be in a matching text; 0 if none can be named. */
static int required(const node *n, sm_lexicon *lx, int **ids, size_t *nids)
{
	int *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	switch (n->type) {
	case N_WORD:
	case N_PHRASE: { /* a phrase holds all its words: its longest is the rarest */
		size_t best = 0;
		for (size_t i = 1; i < n->nids; i++)
			if (strlen(sm_lexicon_word(lx, n->ids[i], NULL)) >
			    strlen(sm_lexicon_word(lx, n->ids[best], NULL)))
				best = i;
		*ids = sm_malloc(sizeof **ids);
		(*ids)[0] = n->ids[best];
		*nids = 1;
		return 1;
	}
	case N_AND:
	case N_NEAR: {
		int ha = required(n->l, lx, &a, &na), hb = required(n->r, lx, &b, &nb);
		size_t ra = ha ? rarity(lx, a, na) : 0, rb = hb ? rarity(lx, b, nb) : 0;
		if (ha && (!hb || ra > rb || (ra == rb && na <= nb))) {
			free(b);
			*ids = a;
			*nids = na;
		} else {
			free(a);
			*ids = b;
			*nids = nb;
		}
		return ha || hb;
	}
	case N_OR:
		if (!required(n->l, lx, &a, &na) || !required(n->r, lx, &b, &nb)) {
			free(a);
			free(b);
			return 0;
		}
		a = sm_realloc(a, (na + nb) * sizeof *a);
		memcpy(a + na, b, nb * sizeof *b);
		free(b);
		*ids = a;
		*nids = na + nb;
		return 1;
	default:
		return 0;
	}
}

int sm_query_parse(const char *q, size_t len, sm_config *cfg, sm_lexicon *lx, sm_query **out,
		   size_t *erroff)
{
	parser p = {.q = q, .len = len, .cfg = cfg, .lex = lx};
	node *root = NULL;
	*out = NULL;
	if (lex(&p) >= 0) {
		if (p.tok == T_END)
			fail(&p, 0, "empty query%s", "");
		else if ((root = parse_or(&p)) && p.tok != T_END) {
			failn(&p, p.start, p.tok == T_RPAREN ? "unbalanced ')'%s" : "'%s' cannot stand here",
			      q + p.start, p.tok == T_RPAREN ? 0 : p.i - p.start);
			free_node(root);
			root = NULL;
		}
	}
	if (!root) {
		*erroff = p.errpos;
		return -1;
	}
	sm_query *qq = sm_calloc(1, sizeof *qq);
	qq->root = root;
	qq->has_req = required(root, lx, &qq->req, &qq->nreq);
	*out = qq;
	return 0;
}

void sm_query_free(sm_query *q)
{
	if (!q)
		return;
	free_node(q->root);
	free(q->req);
	free(q);
}

int sm_query_required(sm_query *q, const int **ids, size_t *n)
{
	*ids = q->req;
	*n = q->nreq;
	return q->has_req ? 0 : -1;
}

/* Spans [start, end] of word positions where a positional node matched. */
typedef struct {
	uint32_t (*s)[2];
	size_t n, cap;
} spans;

static void span_add(spans *sp, uint32_t a, uint32_t b)
{
	if (sp->n == sp->cap) {
		sp->cap = sp->cap ? sp->cap * 2 : 16;
		sp->s = sm_realloc(sp->s, sp->cap * sizeof *sp->s);
	}
	sp->s[sp->n][0] = a;
	sp->s[sp->n++][1] = b;
}

static int has_pos(const uint32_t *p, size_t n, uint32_t want)
{
	size_t lo = 0, hi = n; /* positions are ascending */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (p[mid] < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && p[lo] == want;
}

static void collect(const node *n, sm_lexicon *lx, spans *sp)
{
	size_t np;
	if (n->type == N_OR) {
		collect(n->l, lx, sp);
		collect(n->r, lx, sp);
		return;
	}
	const uint32_t *p0 = sm_lexicon_positions(lx, n->ids[0], &np);
	for (size_t i = 0; i < np; i++) {
		size_t k;
		for (k = 1; k < n->nids; k++) {
			size_t nk;
			const uint32_t *pk = sm_lexicon_positions(lx, n->ids[k], &nk);
			if (!has_pos(pk, nk, p0[i] + (uint32_t)k))
				break;
		}
		if (k == n->nids)
			span_add(sp, p0[i], p0[i] + (uint32_t)n->nids - 1);
	}
}

/* Within dist words: "a NEAR/1 b" is "a b" or "b a". */
static int near_eval(const node *n, sm_lexicon *lx)
{
	spans a = {0}, b = {0};
	int hit = 0;
	collect(n->l, lx, &a);
	if (a.n)
		collect(n->r, lx, &b);
	for (size_t i = 0; i < a.n && !hit; i++)
		for (size_t j = 0; j < b.n && !hit; j++) {
			uint32_t gap = b.s[j][0] > a.s[i][1] ? b.s[j][0] - a.s[i][1]
				       : a.s[i][0] > b.s[j][1] ? a.s[i][0] - b.s[j][1] : 0;
			hit = gap >= 1 && gap <= (uint32_t)n->dist;
		}
	free(a.s);
	free(b.s);
	return hit;
}

static int str_eq(const char *a, const char *b) { return a && b && strcasecmp(a, b) == 0; }

static int author_is(const sm_subject *s, const char *v)
{
	const char *h = s->author_handle, *id = s->author_id;
	size_t vl;
	if (*v == '@')
		v++;
	vl = strlen(v);
	if (h && *h == '@')
		h++;
	if (str_eq(h, v) || str_eq(id, v))
		return 1;
	if (id && strchr(id, ':') && str_eq(strchr(id, ':') + 1, v)) /* network:handle */
		return 1;
	/* a handle without its server: kunde matches kunde@social.example */
	return h && strncasecmp(h, v, vl) == 0 && h[vl] == '@';
}

static int field_eval(const node *n, const sm_subject *s)
{
	size_t vl = strlen(n->value);
	switch (n->field) {
	case F_LANG:
		return s->lang && strncasecmp(s->lang, n->value, vl) == 0 &&
		       (s->lang[vl] == 0 || s->lang[vl] == '-' || s->lang[vl] == '_');
	case F_CHANNEL: return s->channel && strcmp(s->channel, n->value) == 0;
	case F_NETWORK: return str_eq(s->network, n->value);
	case F_KIND: return str_eq(s->kind, n->value);
	case F_AUTHOR: return author_is(s, n->value);
	case F_FROM:
		for (size_t i = 0; i < n->nmembers; i++)
			if (str_eq(s->author_id, n->members[i]))
				return 1;
		return 0;
	case F_HAS_LINK: return s->text.has_link;
	case F_HAS_QUESTION: return s->text.has_question;
	case F_HAS_MEDIA: return s->has_media;
	case F_IS_REPLY: return s->in_reply_to && *s->in_reply_to;
	}
	return 0;
}

static int eval(const node *n, sm_lexicon *lx, const sm_subject *s)
{
	switch (n->type) {
	case N_WORD: return sm_lexicon_seen(lx, n->ids[0]);
	case N_PHRASE: {
		spans sp = {0};
		collect(n, lx, &sp);
		free(sp.s);
		return sp.n > 0;
	}
	case N_REGEX:
		return pcre2_match(n->re, (PCRE2_SPTR)(s->raw ? s->raw : ""), s->raw_len, 0, 0, n->md,
				   NULL) >= 0;
	case N_FIELD: return field_eval(n, s);
	case N_AND: return eval(n->l, lx, s) && eval(n->r, lx, s);
	case N_OR: return eval(n->l, lx, s) || eval(n->r, lx, s);
	case N_NOT: return !eval(n->l, lx, s);
	case N_NEAR: return near_eval(n, lx);
	}
	return 0;
}

int sm_query_eval(sm_query *q, sm_lexicon *lx, const sm_subject *s) { return eval(q->root, lx, s); }

/* Could the query match a text that holds (at least) the words present says, judged on
   the words alone? NOT, fields and regexes are taken as true: never a wrong no. */
static int may(const node *n, const uint32_t *present, uint32_t gen)
{
	switch (n->type) {
	case N_WORD:
	case N_PHRASE:
		for (size_t i = 0; i < n->nids; i++)
			if (present[n->ids[i]] != gen)
				return 0;
		return 1;
	case N_AND:
	case N_NEAR: return may(n->l, present, gen) && may(n->r, present, gen);
	case N_OR: return may(n->l, present, gen) || may(n->r, present, gen);
	default: return 1;
	}
}

int sm_query_may_match(sm_query *q, const uint32_t *present, uint32_t gen)
{
	return may(q->root, present, gen);
}

static void words_of(const node *n, int **ids, size_t *len, size_t *cap)
{
	if (!n)
		return;
	for (size_t i = 0; (n->type == N_WORD || n->type == N_PHRASE) && i < n->nids; i++) {
		if (*len == *cap) {
			*cap = *cap ? *cap * 2 : 8;
			*ids = sm_realloc(*ids, *cap * sizeof **ids);
		}
		(*ids)[(*len)++] = n->ids[i];
	}
	words_of(n->l, ids, len, cap);
	words_of(n->r, ids, len, cap);
}

size_t sm_query_words(sm_query *q, int **ids)
{
	size_t len = 0, cap = 0;
	*ids = NULL;
	words_of(q->root, ids, &len, &cap);
	return len;
}
