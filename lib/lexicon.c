/*
 * lexicon.c - every word, hashtag, mention and prefix that a rule set names, in one hash
 * table, so that each token of a text is looked up once however many rules there are.
 * A scan records which entries a text holds, and at which word positions.
 */
#include <stdlib.h>
#include <string.h>

#include "match.h"

typedef struct {
	char *s;
	uint32_t len;
	uint8_t kind;
} entry;

typedef struct {
	uint32_t *p;
	size_t n, cap;
} posv;

struct sm_lexicon {
	entry *e;
	size_t n, cap;
	int32_t *table; /* open addressing: entry ids, -1 empty */
	size_t tcap;
	uint32_t *stamp, gen; /* stamp[id] == gen: seen in the last scan */
	posv *pos;
	int *hits;
	size_t nhits, hcap;
	uint32_t prefix_lens[64]; /* distinct byte lengths of the prefixes, ascending */
	size_t nprefix_lens;
};

static uint64_t hash(int kind, const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)kind;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

sm_lexicon *sm_lexicon_new(void)
{
	sm_lexicon *lex = sm_calloc(1, sizeof *lex);
	lex->tcap = 256;
	lex->table = sm_malloc(lex->tcap * sizeof *lex->table);
	memset(lex->table, 0xff, lex->tcap * sizeof *lex->table);
	return lex;
}

void sm_lexicon_free(sm_lexicon *lex)
{
	if (!lex)
		return;
	for (size_t i = 0; i < lex->n; i++) {
		free(lex->e[i].s);
		free(lex->pos[i].p);
	}
	free(lex->e);
	free(lex->pos);
	free(lex->stamp);
	free(lex->table);
	free(lex->hits);
	free(lex);
}

static int find(const sm_lexicon *lex, int kind, const char *s, size_t n)
{
	size_t mask = lex->tcap - 1;
	for (size_t i = hash(kind, s, n) & mask;; i = (i + 1) & mask) {
		int32_t id = lex->table[i];
		if (id < 0)
			return -1;
		const entry *e = &lex->e[id];
		if (e->kind == kind && e->len == n && memcmp(e->s, s, n) == 0)
			return id;
	}
}

static void insert(sm_lexicon *lex, int id)
{
	size_t mask = lex->tcap - 1;
	const entry *e = &lex->e[id];
	size_t i = hash(e->kind, e->s, e->len) & mask;
	while (lex->table[i] >= 0)
		i = (i + 1) & mask;
	lex->table[i] = id;
}

static void grow_table(sm_lexicon *lex)
{
	free(lex->table);
	lex->tcap *= 2;
	lex->table = sm_malloc(lex->tcap * sizeof *lex->table);
	memset(lex->table, 0xff, lex->tcap * sizeof *lex->table);
	for (size_t i = 0; i < lex->n; i++)
		insert(lex, (int)i);
}

static void note_prefix_len(sm_lexicon *lex, uint32_t len)
{
	size_t i = 0;
	while (i < lex->nprefix_lens && lex->prefix_lens[i] < len)
		i++;
	if (i < lex->nprefix_lens && lex->prefix_lens[i] == len)
		return;
	if (lex->nprefix_lens == sizeof lex->prefix_lens / sizeof lex->prefix_lens[0])
		return; /* longer prefixes than that are looked up through the longest kept */
	memmove(lex->prefix_lens + i + 1, lex->prefix_lens + i,
		(lex->nprefix_lens - i) * sizeof *lex->prefix_lens);
	lex->prefix_lens[i] = len;
	lex->nprefix_lens++;
}

int sm_lexicon_add(sm_lexicon *lex, int kind, const char *s, size_t n)
{
	int id = find(lex, kind, s, n);
	if (id >= 0)
		return id;
	if (kind == SM_LEX_PREFIX && lex->nprefix_lens == 64)
		return sm_error("too many different prefix lengths");
	if (lex->n == lex->cap) {
		lex->cap = lex->cap ? lex->cap * 2 : 64;
		lex->e = sm_realloc(lex->e, lex->cap * sizeof *lex->e);
		lex->pos = sm_realloc(lex->pos, lex->cap * sizeof *lex->pos);
		lex->stamp = sm_realloc(lex->stamp, lex->cap * sizeof *lex->stamp);
	}
	id = (int)lex->n++;
	lex->e[id] = (entry){sm_strndup(s, n), (uint32_t)n, (uint8_t)kind};
	lex->pos[id] = (posv){0};
	lex->stamp[id] = 0;
	if (kind == SM_LEX_PREFIX)
		note_prefix_len(lex, (uint32_t)n);
	if (lex->n * 2 > lex->tcap)
		grow_table(lex);
	else
		insert(lex, id);
	return id;
}

size_t sm_lexicon_size(sm_lexicon *lex) { return lex->n; }

const char *sm_lexicon_word(sm_lexicon *lex, int id, int *kind)
{
	if (kind)
		*kind = lex->e[id].kind;
	return lex->e[id].s;
}

static void hit(sm_lexicon *lex, int id, uint32_t pos)
{
	posv *v = &lex->pos[id];
	if (lex->stamp[id] != lex->gen) {
		lex->stamp[id] = lex->gen;
		v->n = 0;
		if (lex->nhits == lex->hcap) {
			lex->hcap = lex->hcap ? lex->hcap * 2 : 64;
			lex->hits = sm_realloc(lex->hits, lex->hcap * sizeof *lex->hits);
		}
		lex->hits[lex->nhits++] = id;
	}
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 4;
		v->p = sm_realloc(v->p, v->cap * sizeof *v->p);
	}
	v->p[v->n++] = pos;
}

static void look(sm_lexicon *lex, int kind, const char *s, size_t n, uint32_t pos)
{
	int id = find(lex, kind, s, n);
	if (id >= 0)
		hit(lex, id, pos);
}

void sm_lexicon_scan(sm_lexicon *lex, const sm_text *t)
{
	if (++lex->gen == 0) { /* wrapped: forget every stamp */
		memset(lex->stamp, 0, lex->n * sizeof *lex->stamp);
		lex->gen = 1;
	}
	lex->nhits = 0;
	if (lex->n == 0)
		return;
	for (size_t i = 0; i < t->ntok; i++) {
		const sm_token *k = &t->tok[i];
		const char *s = t->folded.s + k->off;
		if (k->kind == SM_TOK_MENTION) {
			look(lex, SM_LEX_MENTION, s, k->len, k->pos);
			const char *at = memchr(s, '@', k->len); /* @name@server also is @name */
			if (at)
				look(lex, SM_LEX_MENTION, s, (size_t)(at - s), k->pos);
			continue;
		}
		look(lex, SM_LEX_WORD, s, k->len, k->pos);
		if (k->kind == SM_TOK_TAG)
			look(lex, SM_LEX_TAG, s, k->len, k->pos);
		for (size_t j = 0; j < lex->nprefix_lens && lex->prefix_lens[j] <= k->len; j++) {
			uint32_t l = lex->prefix_lens[j];
			if (l == k->len || ((unsigned char)s[l] & 0xC0) != 0x80) /* whole characters */
				look(lex, SM_LEX_PREFIX, s, l, k->pos);
		}
	}
}

int sm_lexicon_seen(sm_lexicon *lex, int id) { return lex->stamp[id] == lex->gen; }

const uint32_t *sm_lexicon_positions(sm_lexicon *lex, int id, size_t *n)
{
	*n = lex->stamp[id] == lex->gen ? lex->pos[id].n : 0;
	return lex->pos[id].p;
}

const int *sm_lexicon_hits(sm_lexicon *lex, size_t *n)
{
	*n = lex->nhits;
	return lex->hits;
}
