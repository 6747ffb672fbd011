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

/*
 * The fast path: ASCII and the Latin-1 letters U+00C0..U+00FF, none followed by a
 * combining mark (which could compose with it). There folding is a table: capitals to
 * small letters, ß to ss; NFKC changes nothing. Returns 0 if s needs utf8proc.
 */
static int fold_latin1(const char *str, size_t n, sm_buf *out)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t start = out->len;
	sm_buf_grow(out, 2 * n); /* ß becomes ss: never more than twice as long */
	unsigned char *o = (unsigned char *)out->s + out->len;
	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];
		if (c < 0x80) {
			*o++ = (unsigned char)(c - 'A' < 26u ? c + 32 : c);
			continue;
		}
		if (c != 0xC3 || i + 1 >= n || s[i + 1] < 0x80 || s[i + 1] > 0xBF ||
		    (i + 2 < n && (s[i + 2] == 0xCC || s[i + 2] == 0xCD))) {
			out->len = start;
			return 0;
		}
		unsigned d = s[++i];
		if (d == 0x9F) { /* ß */
			*o++ = 's';
			*o++ = 's';
		} else {
			*o++ = 0xC3; /* À..Þ to à..þ, but × stays */
			*o++ = (unsigned char)(d >= 0x80 && d <= 0x9E && d != 0x97 ? d + 0x20 : d);
		}
	}
	out->len = (size_t)(o - (unsigned char *)out->s);
	out->s[out->len] = 0;
	return 1;
}

int sm_fold(const char *s, size_t n, sm_buf *out)
{
	static _Thread_local utf8proc_int32_t *cp;
	static _Thread_local size_t cap;

	if (fold_latin1(s, n, out))
		return 0;
	utf8proc_ssize_t len = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n,
						  cp, (utf8proc_ssize_t)cap, FOLD);
	if (len > (utf8proc_ssize_t)cap) { /* too small: grow, then again */
		cap = (size_t)len + 64;
		cp = sm_realloc(cp, cap * sizeof *cp);
		len = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, cp,
					 (utf8proc_ssize_t)cap, FOLD);
	}
	/* reencode writes UTF-8 into the same buffer: it fits, 4 bytes per code point */
	if (len >= 0)
		len = utf8proc_reencode(cp, len, FOLD);
	if (len < 0)
		return sm_error("%s", utf8proc_errmsg(len));
	sm_buf_add(out, cp, (size_t)len);
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
