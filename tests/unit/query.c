/*
 * query.c - the query language case by case: every line of tests/data/queries.tsv is a
 * query, a text (or an item record) and whether the one must match the other. Each case
 * is run as a rule set of its own, then again inside one rule set holding every case (the
 * shared lexicon and candidate index), and the literal prefilter must pass every line that
 * matches.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "match.h"
#include "tap.h"

typedef struct {
	int line, expect;
	char *query, *text; /* decoded */
	int is_record;
} tcase;

static const char config_text[] = "[group \"super\"]\n"
				  "\tmember = mastodon:kunde@social.example\n"
				  "\tmember = feed:press@example.org\n";

static int hexval(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static void add_utf8(sm_buf *b, unsigned cp)
{
	char u[4];
	int n;
	if (cp < 0x80)
		u[0] = (char)cp, n = 1;
	else if (cp < 0x800)
		u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
	else if (cp < 0x10000)
		u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
		u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
	else
		u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
	sm_buf_add(b, u, (size_t)n);
}

/* \uXXXX (a surrogate pair too) at s, or -1; *len is what it took */
static long uescape(const char *s, size_t *len)
{
	if (s[0] != '\\' || s[1] != 'u')
		return -1;
	int v = hexval(s + 2, 4);
	if (v < 0)
		return -1;
	*len = 6;
	if (v >= 0xD800 && v < 0xDC00 && s[6] == '\\' && s[7] == 'u') {
		int lo = hexval(s + 8, 4);
		if (lo >= 0xDC00 && lo < 0xE000) {
			*len = 12;
			return 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
		}
	}
	return v;
}

/* all: \n \t \\ and \uXXXX; else only \uXXXX (a query's backslashes are its regex's) */
static char *decode(const char *s, int all)
{
	sm_buf b = {0};
	sm_buf_adds(&b, "");
	while (*s) {
		size_t n;
		long cp = uescape(s, &n);
		if (cp >= 0) {
			add_utf8(&b, (unsigned)cp);
			s += n;
		} else if (all && s[0] == '\\' && (s[1] == 'n' || s[1] == 't' || s[1] == '\\')) {
			sm_buf_addc(&b, s[1] == 'n' ? '\n' : s[1] == 't' ? '\t' : '\\');
			s += 2;
		} else
			sm_buf_addc(&b, *s++);
	}
	return sm_buf_detach(&b);
}

/* "#LONG rest": about 100 KB of filler words, then rest */
static char *long_text(const char *rest)
{
	sm_buf b = {0};
	while (b.len < 100 * 1024)
		sm_buf_adds(&b, "lorem ipsum dolor sit amet, consectetur adipiscing elit. ");
	sm_buf_adds(&b, rest);
	return sm_buf_detach(&b);
}

static int read_cases(const char *path, tcase **out, size_t *nout)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;
	int lineno = 0;
	tcase *c = NULL;
	if (!fp)
		return -1;
	while ((len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = 0;
		if (!*line || *line == '#')
			continue;
		char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
		c = sm_realloc(c, (n + 1) * sizeof *c);
		c[n] = (tcase){.line = lineno, .expect = -1};
		if (t2 && t1 == line + 1 && (*line == '0' || *line == '1')) {
			*t1 = *t2 = 0;
			c[n].expect = *line - '0';
			c[n].query = decode(t1 + 1, 0);
			c[n].is_record = t2[1] == '{';
			if (c[n].is_record)
				c[n].text = sm_strdup(t2 + 1);
			else {
				char *d = decode(t2 + 1, 1);
				c[n].text = strncmp(d, "#LONG ", 6) == 0 ? long_text(d + 6) : sm_strdup(d);
				free(d);
			}
		}
		n++;
	}
	free(line);
	fclose(fp);
	*out = c;
	*nout = n;
	return 0;
}

/* A short printable form for a test's name: escapes for controls, '#' escaped for TAP. */
static void show(sm_buf *b, const char *s)
{
	size_t chars = 0, n = strlen(s);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xC0) != 0x80 && ++chars > 48) {
			sm_buf_printf(b, "...(%zu bytes)", n);
			return;
		}
		if (c == '\n')
			sm_buf_adds(b, "\\n");
		else if (c == '\t')
			sm_buf_adds(b, "\\t");
		else if (c == '#')
			sm_buf_adds(b, "\\#");
		else
			sm_buf_addc(b, (char)c);
	}
}

static char *case_name(const tcase *c, const char *what)
{
	sm_buf b = {0};
	sm_buf_printf(&b, "line %d: ", c->line);
	show(&b, c->query);
	sm_buf_adds(&b, c->expect ? " matches " : " does not match ");
	sm_buf_adds(&b, "'");
	show(&b, c->text);
	sm_buf_adds(&b, "'");
	if (what)
		sm_buf_adds(&b, what);
	return sm_buf_detach(&b);
}

static json_t *item_of(const tcase *c)
{
	if (c->is_record)
		return json_loads(c->text, 0, NULL);
	return json_pack("{s:s}", "text", c->text);
}

/* The case alone: its verdict, and the prefilter on its line. */
static void run_alone(const tcase *c, sm_config *cfg, sm_subject *s, sm_buf *raw)
{
	sm_rules *r;
	sm_verdict v = {0};
	char *name = case_name(c, NULL);
	json_t *item = item_of(c);
	int got = -1;
	if (!item) {
		tap_ok(0, name);
		printf("#   the record is not JSON\n");
	} else if (sm_rules_query(c->query, strstr(c->query, "from:") ? cfg : NULL, &r) < 0) {
		tap_ok(0, name);
		printf("#   %s\n", sm_errmsg());
	} else {
		if (sm_subject_from_item(s, item, raw) == 0)
			got = sm_rules_apply(r, s, &v);
		tap_ok(got == c->expect, name);
		if (got != c->expect)
			printf("#   got %s\n", got < 0 ? sm_errmsg() : got ? "a match" : "no match");
		sm_prefilter *pf = sm_prefilter_new(r);
		if (pf && (got == 1 || c->expect == 1)) {
			char *line = c->is_record ? sm_strdup(c->text) : json_dumps(item, JSON_COMPACT);
			char *pname = case_name(c, ", the prefilter passes its line");
			tap_ok(sm_prefilter_maybe(pf, line, strlen(line)) == 1, pname);
			free(pname);
			free(line);
		}
		sm_prefilter_free(pf);
		sm_rules_free(r);
	}
	sm_verdict_free(&v);
	json_decref(item);
	free(name);
}

/* Every case as one rule of a single rule set: rule "cN" must match as the case did alone. */
static void run_together(const tcase *c, size_t n, sm_config *cfg, sm_subject *s, sm_buf *raw)
{
	sm_buf text = {0};
	sm_rules *r;
	size_t *rule_of = sm_calloc(n + 1, sizeof *rule_of), nr = 0;
	for (size_t i = 0; i < n; i++) {
		sm_rules *one;
		rule_of[i] = (size_t)-1;
		if (c[i].expect < 0 || sm_rules_query(c[i].query, cfg, &one) < 0)
			continue;
		sm_rules_free(one);
		sm_buf_printf(&text, "Rule: c%d\nMatch: %s\n\n", c[i].line, c[i].query);
		rule_of[i] = nr++;
	}
	if (sm_rules_parse(text.s, text.len, "all", cfg, &r) < 0) {
		tap_ok(0, "every case's query in one rule set");
		printf("#   %s\n", sm_errmsg());
		goto out;
	}
	tap_int((long)r->n, (long)nr, "every case's query in one rule set");
	for (size_t i = 0; i < n; i++) {
		if (rule_of[i] == (size_t)-1)
			continue;
		sm_verdict v = {0};
		json_t *item = item_of(&c[i]);
		int got = 0;
		if (item && sm_subject_from_item(s, item, raw) == 0) {
			sm_rules_apply(r, s, &v);
			for (size_t k = 0; k < v.nmatched; k++)
				got |= v.matched[k] == rule_of[i];
		}
		char *name = case_name(&c[i], ", among all the rules");
		tap_ok(got == c[i].expect, name);
		free(name);
		sm_verdict_free(&v);
		json_decref(item);
	}
	sm_rules_free(r);
out:
	sm_buf_free(&text);
	free(rule_of);
}

int main(void)
{
	const char *src = getenv("SM_SRC");
	char *path = sm_asprintf("%s/tests/data/queries.tsv", src && *src ? src : ".");
	char cfgpath[] = "/tmp/sm-query-XXXXXX";
	tcase *c = NULL;
	size_t n = 0, ncases = 0;
	sm_config *cfg = NULL;
	sm_subject s = {0};
	sm_buf raw = {0};

	if (read_cases(path, &c, &n) < 0) {
		printf("Bail out! unable to read %s\n", path);
		return 1;
	}
	int fd = mkstemp(cfgpath);
	if (fd < 0 || write(fd, config_text, sizeof config_text - 1) < 0 || close(fd) < 0 ||
	    sm_config_open(cfgpath, &cfg) < 0) {
		printf("Bail out! unable to write a config: %s\n", sm_errmsg());
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (c[i].expect < 0) {
			char name[64];
			snprintf(name, sizeof name, "line %d: EXPECT<TAB>QUERY<TAB>TEXT", c[i].line);
			tap_ok(0, name);
			continue;
		}
		ncases++;
		run_alone(&c[i], cfg, &s, &raw);
	}
	tap_ok(ncases >= 180, "the table has at least 180 cases");
	sm_rules *r = NULL;
	tap_int(sm_rules_query("kein (internet", NULL, &r), -1, "a bad query is refused");
	tap_is(sm_errmsg(), "query:1:6: unbalanced '('", "its message gives the column");
	tap_int(sm_errcode(), SM_EX_USAGE, "with the usage exit status");
	tap_int(sm_rules_query("from:super", NULL, &r), -1, "from: without a config is refused");
	tap_ok(r == NULL, "and gives no rule set");
	run_together(c, n, cfg, &s, &raw);

	for (size_t i = 0; i < n; i++) {
		free(c[i].query);
		free(c[i].text);
	}
	free(c);
	sm_text_free(&s.text);
	sm_buf_free(&raw);
	sm_config_free(cfg);
	unlink(cfgpath);
	free(path);
	return tap_done();
}
