/*
 * prefilter.c - can this raw JSON line match any rule? Before a line is parsed, its bytes
 * are scanned once (Aho-Corasick, ASCII case folded) for the ASCII core of every word the
 * rules name; then each rule one of whose words was seen is asked whether it could match
 * with just the words seen (a phrase needs all of its, AND both sides; NOT, fields and
 * regexes count as possible). It must never say no to a line that matches, so a line is
 * always passed on when it holds a \u escape or a character whose NFKC case folding yields
 * ASCII letters or digits or nothing at all (fullwidth letters, ligatures, ß, soft
 * hyphens...): those could form a word that the raw bytes do not show.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "match.h"

#define MAX_CP 0x20000 /* above: every character counts as one that could hide a word */
#define MAX_STATES (1 << 20)

#define ACCEPT 0x80000000u

struct sm_prefilter {
	uint8_t cls[256];    /* byte -> class; 0 for bytes in no literal */
	int nclass;
	uint32_t *next;      /* state * nclass + class -> state (a full DFA) */
	uint8_t *out;        /* state ends a literal */
	size_t nstates;
	uint32_t *dfa;       /* the same, state numbers premultiplied by nclass, ACCEPT set */
	uint8_t *suspicious; /* bitmap over code points */
	/* the words (lexicon ids) that end at each state, its own and its failure chain's */
	size_t *out_off, *out_len;
	int *outs;
	/* the rules, asked through the words they require (r->by_word) */
	sm_rules *rules;
	uint32_t *present, gen, *rstamp, rgen;
	int *hits;
	size_t nhits;
};

static uint8_t fold_byte(uint8_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/*
 * Mark the characters that could make a literal appear in folded text that the raw bytes
 * do not show: those that fold to nothing (they join their neighbours) and those that
 * fold to an ASCII character some literal holds (fullwidth ｓ, ß to ss, the ﬁ ligature).
 */
static void mark_suspicious(uint8_t *bm, const uint8_t *in_literal)
{
	for (utf8proc_int32_t c = 0x80; c < MAX_CP; c++) {
		utf8proc_int32_t dst[32];
		int last = 0;
		utf8proc_ssize_t n = utf8proc_decompose_char(c, dst, 32, UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |
							     UTF8PROC_CASEFOLD | UTF8PROC_IGNORE, &last);
		if (n > 0 && n <= 32) /* NFKC composes again: ö stays ö */
			n = utf8proc_normalize_utf32(dst, n, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
		int bad = n <= 0 || n > 32; /* nothing left (ignorable), or unknown */
		if (c == 0xDF) /* ß: the scan reads it as the ss it folds to */
			continue;
		for (utf8proc_ssize_t i = 0; i < n && i < 32 && !bad; i++)
			bad = dst[i] < 0x80 && in_literal[fold_byte((uint8_t)dst[i])];
		if (bad)
			bm[c >> 3] |= (uint8_t)(1u << (c & 7));
	}
}

/* The longest run of ASCII bytes in a folded word: what its raw form must contain. */
static int ascii_core(const char *s, size_t n, const char **core, size_t *len)
{
	size_t best = 0, bstart = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && (unsigned char)s[j] < 0x80)
			j++;
		if (j - i > best) {
			best = j - i;
			bstart = i;
		}
		i = j + 1;
	}
	*core = s + bstart;
	*len = best;
	return best > 0;
}

/* Build the trie of the literals, then turn it into a full DFA (failure links resolved). */
/* The trie's own word lists: which words end at which state. */
typedef struct {
	int *ids;
	size_t n, cap;
} idlist;

static void idlist_add(idlist *l, int id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->ids[i] == id)
			return;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 2;
		l->ids = sm_realloc(l->ids, l->cap * sizeof *l->ids);
	}
	l->ids[l->n++] = id;
}

static void trie(sm_prefilter *p, const char **lit, const size_t *len, const int *id, size_t n,
		 idlist *own)
{
	int nc = p->nclass;
	p->nstates = 1;
	for (size_t i = 0; i < n; i++) {
		uint32_t s = 0;
		for (size_t k = 0; k < len[i]; k++) {
			uint32_t *t = &p->next[s * (size_t)nc + p->cls[(uint8_t)lit[i][k]]];
			if (!*t)
				*t = (uint32_t)p->nstates++;
			s = *t;
		}
		p->out[s] = 1;
		idlist_add(&own[s], id[i]);
	}
}

/* Breadth first: a missing edge goes where the failure state's edge goes, and a state's
   words are its own and its failure state's (flattened into p->outs). */
static void links(sm_prefilter *p, idlist *own)
{
	int nc = p->nclass;
	uint32_t *queue = sm_malloc(p->nstates * sizeof *queue), *fail = sm_calloc(p->nstates, sizeof *fail);
	size_t head = 0, tail = 0;
	for (int c = 1; c < nc; c++)
		if (p->next[c])
			queue[tail++] = p->next[c];
	while (head < tail) {
		uint32_t s = queue[head++];
		p->out[s] |= p->out[fail[s]];
		for (size_t i = 0; i < own[fail[s]].n; i++)
			idlist_add(&own[s], own[fail[s]].ids[i]);
		for (int c = 1; c < nc; c++) {
			uint32_t *t = &p->next[s * (size_t)nc + c];
			if (*t) {
				fail[*t] = p->next[fail[s] * (size_t)nc + c];
				queue[tail++] = *t;
			} else
				*t = p->next[fail[s] * (size_t)nc + c];
		}
	}
	free(queue);
	free(fail);
	size_t total = 0;
	for (size_t i = 0; i < p->nstates; i++)
		total += own[i].n;
	p->outs = sm_malloc((total + 1) * sizeof *p->outs);
	p->out_off = sm_calloc(p->nstates, sizeof *p->out_off);
	p->out_len = sm_calloc(p->nstates, sizeof *p->out_len);
	total = 0;
	for (size_t i = 0; i < p->nstates; i++) {
		p->out_off[i] = total;
		p->out_len[i] = own[i].n;
		if (own[i].n)
			memcpy(p->outs + total, own[i].ids, own[i].n * sizeof *p->outs);
		total += own[i].n;
	}
}

static int build(sm_prefilter *p, const char **lit, const size_t *len, const int *id, size_t n)
{
	size_t total = 1;
	for (size_t i = 0; i < n; i++)
		total += len[i];
	if (total > MAX_STATES)
		return -1;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < len[i]; k++) {
			uint8_t c = fold_byte((uint8_t)lit[i][k]);
			if (!p->cls[c])
				p->cls[c] = (uint8_t)++p->nclass;
		}
	p->nclass++;
	for (int c = 'A'; c <= 'Z'; c++)
		p->cls[c] = p->cls[c + 32];
	int nc = p->nclass;
	p->next = sm_calloc(total * (size_t)nc, sizeof *p->next);
	p->out = sm_calloc(total, 1);
	idlist *own = sm_calloc(total, sizeof *own);
	trie(p, lit, len, id, n, own);
	links(p, own);
	for (size_t i = 0; i < total; i++)
		free(own[i].ids);
	free(own);
	/* the scanning form: no multiply, no second load to see if a literal ended */
	p->dfa = sm_malloc(p->nstates * (size_t)nc * sizeof *p->dfa);
	for (size_t i = 0; i < p->nstates * (size_t)nc; i++)
		p->dfa[i] = p->next[i] * (uint32_t)nc | (p->out[p->next[i]] ? ACCEPT : 0);
	return 0;
}

/* The state of a scan: which words were seen, which rules were asked. */
static void scan_state(sm_prefilter *p, sm_rules *r, size_t nw)
{
	p->rules = r;
	p->present = sm_calloc(nw + 1, sizeof *p->present);
	p->rstamp = sm_calloc(r->n + 1, sizeof *p->rstamp);
	p->hits = sm_calloc(nw + 1, sizeof *p->hits);
}

sm_prefilter *sm_prefilter_new(sm_rules *r)
{
	size_t nw = sm_lexicon_size(r->lex), n = 0;
	const char **lit = sm_calloc(nw + 1, sizeof *lit);
	size_t *len = sm_calloc(nw + 1, sizeof *len);
	int *id = sm_calloc(nw + 1, sizeof *id);
	sm_prefilter *p = NULL;

	if (r->nalways > 0) /* some rule must see every text */
		goto out;
	for (size_t w = 0; w < nw; w++) { /* every word of every rule */
		const char *word = sm_lexicon_word(r->lex, (int)w, NULL);
		if (!ascii_core(word, strlen(word), &lit[n], &len[n]))
			goto out; /* a word with no ASCII at all: no prefilter */
		id[n++] = (int)w;
	}
	p = sm_calloc(1, sizeof *p);
	if (build(p, lit, len, id, n) < 0) {
		sm_prefilter_free(p);
		p = NULL;
		goto out;
	}
	scan_state(p, r, nw);
	uint8_t in_literal[256] = {0};
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < len[i]; k++)
			in_literal[fold_byte((uint8_t)lit[i][k])] = 1;
	p->suspicious = sm_calloc(MAX_CP / 8, 1);
	mark_suspicious(p->suspicious, in_literal);
out:
	free(lit);
	free(len);
	free(id);
	return p;
}

void sm_prefilter_free(sm_prefilter *p)
{
	if (!p)
		return;
	free(p->next);
	free(p->out);
	free(p->dfa);
	free(p->outs);
	free(p->out_off);
	free(p->out_len);
	free(p->present);
	free(p->rstamp);
	free(p->hits);
	free(p->suspicious);
	free(p);
}

/* Does the line hold a character that could fold into a word the bytes do not show? */
static int hides_words(const sm_prefilter *p, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ULL)
				break;
			i += 8;
		}
		if (i >= n)
			break;
		if (s[i] < 0x80) {
			if (s[i] == '\\' && i + 1 < n && s[i + 1] == 'u')
				return 1;
			i++;
			continue;
		}
		utf8proc_int32_t c;
		utf8proc_ssize_t k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(n - i), &c);
		if (k <= 0 || c >= MAX_CP || (p->suspicious[c >> 3] & (1u << (c & 7))))
			return 1;
		i += (size_t)k;
	}
	return 0;
}

/* Could a rule one of whose required words was seen match with just the words seen?
   (A rule that matches holds one of its required words, so it is reached.) */
static int some_rule(sm_prefilter *p)
{
	const sm_rules *rs = p->rules;
	if (++p->rgen == 0) {
		memset(p->rstamp, 0, rs->n * sizeof *p->rstamp);
		p->rgen = 1;
	}
	for (size_t h = 0; h < p->nhits; h++) {
		size_t w = (size_t)p->hits[h];
		for (size_t k = 0; k < rs->nby_word[w]; k++) {
			size_t r = rs->by_word[w][k];
			if (p->rstamp[r] == p->rgen)
				continue;
			p->rstamp[r] = p->rgen;
			if (sm_query_may_match(p->rules->rule[r].q, p->present, p->gen))
				return 1;
		}
	}
	return 0;
}

/* Words end at this (premultiplied) state: note each once. */
static void note_words(sm_prefilter *p, uint32_t st)
{
	size_t state = st / (uint32_t)p->nclass;
	for (size_t k = 0; k < p->out_len[state]; k++) {
		int w = p->outs[p->out_off[state] + k];
		if (p->present[w] != p->gen) {
			p->present[w] = p->gen;
			p->hits[p->nhits++] = w;
		}
	}
}

/* Feed one string value (from just after its opening quote) through the automaton; the
   offset after its closing quote. Escapes are fed as they are written: the letters of
   \n or \t can only add hits, never hide one (\u escapes are dealt with before). */
static size_t scan_value(sm_prefilter *p, const unsigned char *s, size_t i, size_t len)
{
	const uint32_t *dfa = p->dfa;
	const uint8_t *cls = p->cls;
	uint32_t st = 0;
	for (; i < len && s[i] != '"'; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			st = dfa[st + cls[s[i]]] & ~ACCEPT;
			i++;
		} else if (s[i] == 0xC3 && i + 1 < len && s[i + 1] == 0x9F) {
			/* ß folds to ss: read it so, rather than parse every line that has one */
			st = dfa[st + cls['s']];
			if (st & ACCEPT)
				note_words(p, st &= ~ACCEPT);
			i++;
			st = dfa[st + cls['s']];
			if (st & ACCEPT)
				note_words(p, st &= ~ACCEPT);
			continue;
		}
		st = dfa[st + cls[s[i]]];
		if (st & ACCEPT)
			note_words(p, st &= ~ACCEPT);
	}
	return i + 1;
}

/* At a quote: the length of the member name "text" or "title" that starts here, else 0. */
static size_t field_key(const unsigned char *s, size_t left)
{
	if (left >= 6 && !memcmp(s, "\"text\"", 6))
		return 6;
	if (left >= 7 && !memcmp(s, "\"title\"", 7))
		return 7;
	return 0;
}

static size_t skip_blanks(const unsigned char *s, size_t i, size_t len)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}

/* Words only match in "title" and "text": scan every value of a member so named, at any
   depth (more than needed, never less). 1 if one of them could hide a word. */
static int scan_fields(sm_prefilter *p, const unsigned char *s, size_t len)
{
	for (const unsigned char *q = s; (q = memchr(q, '"', len - (size_t)(q - s)));) {
		size_t k = field_key(q, len - (size_t)(q - s)), i = (size_t)(q - s) + (k ? k : 1);
		q = s + i;
		if (!k || (i = skip_blanks(s, i, len)) >= len || s[i] != ':')
			continue;
		if ((i = skip_blanks(s, i + 1, len)) >= len || s[i] != '"')
			continue;
		size_t end = scan_value(p, s, i + 1, len);
		if (hides_words(p, s + i + 1, (end > len ? len : end) - i - 1))
			return 1;
		q = s + (end > len ? len : end);
	}
	return 0;
}

/* A \u escape anywhere: it could hide a word, or the name of a member. */
static int has_u_escape(const unsigned char *s, size_t len)
{
	for (const unsigned char *b = s; (b = memchr(b, '\\', len - (size_t)(b - s))); b += 2)
		if ((size_t)(b - s) + 1 >= len || b[1] == 'u')
			return 1;
	return 0;
}

int sm_prefilter_maybe(sm_prefilter *p, const char *line, size_t len)
{
	const unsigned char *s = (const unsigned char *)line;
	if (has_u_escape(s, len))
		return 1;
	if (++p->gen == 0) {
		memset(p->present, 0, sm_lexicon_size(p->rules->lex) * sizeof *p->present);
		p->gen = 1;
	}
	p->nhits = 0;
	if (scan_fields(p, s, len))
		return 1;
	return p->nhits && some_rule(p);
}
