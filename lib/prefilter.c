/*
 * prefilter.c - can this raw JSON line match any rule? Before a line is parsed, its bytes
 * are scanned once (Aho-Corasick, ASCII case folded) for the ASCII core of every word the
 * rules require. It must never say no to a line that matches, so a line is always passed
 * on when it holds a \u escape or a character whose NFKC case folding yields ASCII letters
 * or digits or nothing at all (fullwidth letters, ligatures, ß, soft hyphens...): those
 * could form a word that the raw bytes do not show.
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
static int build(sm_prefilter *p, const char **lit, const size_t *len, size_t n)
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
	}
	/* breadth first: a missing edge goes where the failure state's edge goes */
	uint32_t *queue = sm_malloc(p->nstates * sizeof *queue), *fail = sm_calloc(p->nstates, sizeof *fail);
	size_t head = 0, tail = 0;
	for (int c = 1; c < nc; c++)
		if (p->next[c])
			queue[tail++] = p->next[c];
	while (head < tail) {
		uint32_t s = queue[head++];
		p->out[s] |= p->out[fail[s]];
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
	/* the scanning form: no multiply, no second load to see if a literal ended */
	p->dfa = sm_malloc(p->nstates * (size_t)nc * sizeof *p->dfa);
	for (size_t i = 0; i < p->nstates * (size_t)nc; i++)
		p->dfa[i] = p->next[i] * (uint32_t)nc | (p->out[p->next[i]] ? ACCEPT : 0);
	return 0;
}

sm_prefilter *sm_prefilter_new(sm_rules *r)
{
	size_t nw = sm_lexicon_size(r->lex), n = 0;
	const char **lit = sm_calloc(nw + 1, sizeof *lit);
	size_t *len = sm_calloc(nw + 1, sizeof *len);
	sm_prefilter *p = NULL;

	if (r->nalways > 0) /* some rule must see every text */
		goto out;
	for (size_t w = 0; w < nw; w++) {
		if (!r->nby_word[w])
			continue;
		const char *word = sm_lexicon_word(r->lex, (int)w, NULL);
		if (!ascii_core(word, strlen(word), &lit[n], &len[n]))
			goto out; /* a word with no ASCII at all: no prefilter */
		n++;
	}
	p = sm_calloc(1, sizeof *p);
	if (build(p, lit, len, n) < 0) {
		sm_prefilter_free(p);
		p = NULL;
		goto out;
	}
	uint8_t in_literal[256] = {0};
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < len[i]; k++)
			in_literal[fold_byte((uint8_t)lit[i][k])] = 1;
	p->suspicious = sm_calloc(MAX_CP / 8, 1);
	mark_suspicious(p->suspicious, in_literal);
out:
	free(lit);
	free(len);
	return p;
}

void sm_prefilter_free(sm_prefilter *p)
{
	if (!p)
		return;
	free(p->next);
	free(p->out);
	free(p->dfa);
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

int sm_prefilter_maybe(const sm_prefilter *p, const char *line, size_t len)
{
	const unsigned char *s = (const unsigned char *)line;
	const uint32_t *dfa = p->dfa;
	const uint8_t *cls = p->cls;
	uint32_t st = 0;
	for (size_t i = 0; i < len; i++) {
		st = dfa[st + cls[s[i]]];
		if (st & ACCEPT)
			return 1;
	}
	return hides_words(p, s, len);
}
