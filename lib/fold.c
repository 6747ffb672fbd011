/*
 * fold.c - text as the query language sees it: NFKC with Unicode case folding and default
 * ignorables removed (utf8proc), cut into word tokens with positions, hashtags and
 * mentions marked. Pure ASCII, the common case, takes a path without utf8proc.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "match.h"

static const utf8proc_option_t FOLD = UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
				      UTF8PROC_CASEFOLD | UTF8PROC_IGNORE;

static int is_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

int sm_fold(const char *s, size_t n, sm_buf *out)
{
	if (is_ascii(s, n)) {
		sm_buf_grow(out, n);
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];
			out->s[out->len + i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		out->len += n;
		out->s[out->len] = 0;
		return 0;
	}
	utf8proc_int32_t *cp = NULL;
	utf8proc_ssize_t len = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n,
						  NULL, 0, FOLD);
	if (len < 0)
		return sm_error("%s", utf8proc_errmsg(len));
	/* reencode writes UTF-8 into the same buffer: room for 4 bytes per code point */
	cp = sm_malloc(((size_t)len + 1) * sizeof *cp);
	len = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, cp, len, FOLD);
	if (len >= 0)
		len = utf8proc_reencode(cp, len, FOLD);
	if (len < 0) {
		free(cp);
		return sm_error("%s", utf8proc_errmsg(len));
	}
	sm_buf_add(out, cp, (size_t)len);
	free(cp);
	return 0;
}

/* What a code point is to the tokenizer. */
enum { C_OTHER, C_WORD, C_SYMBOL };

static int class_of(utf8proc_int32_t c)
{
	if (c < 0x80) {
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '_')
			return C_WORD;
		return C_OTHER;
	}
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO: case UTF8PROC_CATEGORY_PC:
		return C_WORD;
	case UTF8PROC_CATEGORY_SO:
		return C_SYMBOL;
	default:
		return C_OTHER;
	}
}

/* Decode one code point at s[i]; returns its length (1 for a bad byte, read as U+FFFD). */
static size_t next_cp(const char *s, size_t n, size_t i, utf8proc_int32_t *c)
{
	if ((unsigned char)s[i] < 0x80) {
		*c = (unsigned char)s[i];
		return 1;
	}
	utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
					      (utf8proc_ssize_t)(n - i), c);
	if (k <= 0) {
		*c = 0xFFFD;
		return 1;
	}
	return (size_t)k;
}

static void add_token(sm_text *t, size_t off, size_t len, int kind)
{
	if (t->ntok == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->tok = sm_realloc(t->tok, t->cap * sizeof *t->tok);
	}
	t->tok[t->ntok++] = (sm_token){(uint32_t)off, (uint32_t)len, t->next_pos++, (uint8_t)kind};
}

/* The end of a mention's handle: word characters, with '.', '-' and '@' inside. */
static size_t mention_end(const char *s, size_t n, size_t i)
{
	size_t end = i;
	while (i < n) {
		utf8proc_int32_t c;
		size_t k = next_cp(s, n, i, &c);
		if (class_of(c) == C_WORD) {
			i += k;
			end = i;
		} else if ((c == '.' || c == '-' || c == '@') && i + 1 < n) {
			i += k;
		} else
			break;
	}
	return end;
}

/* Cut the folded text s[from..n) into tokens. */
static void tokenize(sm_text *t, size_t from)
{
	const char *s = t->folded.s;
	size_t n = t->folded.len, i = from;

	while (i < n) {
		utf8proc_int32_t c;
		size_t k = next_cp(s, n, i, &c);
		int cls = class_of(c);
		if ((c == '#' || c == '@') && i + 1 < n) {
			utf8proc_int32_t d;
			next_cp(s, n, i + 1, &d);
			if (class_of(d) == C_WORD) {
				size_t start = i + 1, end = start;
				if (c == '@')
					end = mention_end(s, n, start);
				else
					while (end < n && (next_cp(s, n, end, &d), class_of(d) == C_WORD))
						end += next_cp(s, n, end, &d);
				add_token(t, start, end - start, c == '#' ? SM_TOK_TAG : SM_TOK_MENTION);
				i = end;
				continue;
			}
		}
		if (cls == C_SYMBOL) {
			add_token(t, i, k, SM_TOK_SYMBOL);
			i += k;
		} else if (cls == C_WORD) {
			size_t start = i;
			while (i < n && (k = next_cp(s, n, i, &c), class_of(c) == C_WORD))
				i += k;
			add_token(t, start, i - start, SM_TOK_WORD);
		} else {
			if (c == '?' || c == 0xBF || c == 0x61F) /* ? ¿ ؟ */
				t->has_question = 1;
			i += k;
		}
	}
}

static int has_link(const char *s, size_t n)
{
	return memmem(s, n, "http://", 7) || memmem(s, n, "https://", 8) || memmem(s, n, "www.", 4);
}

int sm_text_add(sm_text *t, const char *s, size_t n)
{
	size_t from = t->folded.len;
	if (from) {
		sm_buf_addc(&t->folded, '\n');
		from++;
		t->next_pos += SM_FIELD_GAP; /* no phrase or NEAR across two fields */
	}
	if (sm_fold(s, n, &t->folded) < 0)
		return -1;
	if (!t->has_link)
		t->has_link = has_link(t->folded.s + from, t->folded.len - from);
	tokenize(t, from);
	return 0;
}

void sm_text_reset(sm_text *t)
{
	sm_buf_reset(&t->folded);
	t->ntok = 0;
	t->next_pos = 0;
	t->has_link = t->has_question = 0;
}

void sm_text_free(sm_text *t)
{
	sm_buf_free(&t->folded);
	free(t->tok);
	memset(t, 0, sizeof *t);
}
