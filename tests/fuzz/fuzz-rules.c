/*
 * fuzz-rules.c - the rules file and the query language (rules.c, query.c, lexicon.c,
 * fold.c, prefilter.c). The input is a rules file, then a line "----", then texts or item
 * records one per line. The rules are loaded as sm-match loads them; each text is matched,
 * and two things must hold: the candidate index picks every rule that a plain walk over
 * all the rules finds, and the literal prefilter never refuses a line that matches.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "match.h"

static sm_config *groups(void)
{
	static sm_config *cfg;
	if (!cfg) {
		char path[] = "/tmp/fuzz-rules-config.XXXXXX";
		int fd = mkstemp(path);
		static const char text[] = "[group \"super\"]\n\tmember = mastodon:kunde@social.example\n"
					   "[group \"press\"]\n\tmember = feed:press@example.org\n";
		if (fd < 0 || write(fd, text, sizeof text - 1) != sizeof text - 1 ||
		    sm_config_open(path, &cfg) < 0)
			abort();
		close(fd);
		unlink(path);
	}
	return cfg;
}

/* What the rules say about a subject when every rule is tried in order. */
static size_t walk(sm_rules *r, const sm_subject *s, size_t *matched)
{
	size_t n = 0;
	sm_lexicon_scan(r->lex, &s->text);
	for (size_t i = 0; i < r->n; i++) {
		if (!sm_query_eval(r->rule[i].q, r->lex, s))
			continue;
		matched[n++] = i;
		if (r->rule[i].action != SM_ACT_NONE)
			break;
	}
	return n;
}

static void try_text(sm_rules *r, sm_prefilter *pf, const char *p, size_t n)
{
	static sm_subject s;
	static sm_buf raw;
	sm_verdict v = {0};
	json_t *item = NULL;
	if (!sm_utf8_valid(p, n, NULL))
		return;
	if (n && p[0] == '{')
		item = sm_record_parse(p, n, "fuzz", 1, SM_LOOP_ITEMS);
	if (!item) {
		char *text = sm_strndup(p, n);
		item = json_pack("{s:s,s:s,s:s}", "text", text, "channel", "c", "network", "feed");
		free(text);
		if (!item)
			return; /* a NUL inside */
	}
	if (sm_subject_from_item(&s, item, &raw) == 0) {
		size_t *want = sm_calloc(r->n + 1, sizeof *want), nwant;
		sm_rules_apply(r, &s, &v);
		nwant = walk(r, &s, want);
		fuzz_check(v.nmatched == nwant, "the index found %zu rules, the walk %zu", v.nmatched, nwant);
		for (size_t i = 0; i < nwant; i++)
			fuzz_check(v.matched[i] == want[i], "rule %zu where the walk has %zu", v.matched[i], want[i]);
		free(want);
		if (pf && v.nmatched) {
			int flags[] = {JSON_COMPACT, JSON_COMPACT | JSON_ENSURE_ASCII};
			for (int k = 0; k < 2; k++) {
				char *line = json_dumps(item, flags[k]);
				fuzz_check(sm_prefilter_maybe(pf, line, strlen(line)),
					   "the prefilter refuses a line that matches rule '%s': %s",
					   r->rule[v.matched[0]].name, line);
				free(line);
			}
		}
	}
	sm_verdict_free(&v);
	json_decref(item);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	const char *rest;
	size_t nrest, nrules = fuzz_split((const char *)data, size, "----", &rest, &nrest);
	sm_rules *r;
	char path[64];

	if (fd < 0)
		fd = memfd_create("fuzz-rules", 0);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, nrules, 0) != (ssize_t)nrules)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (sm_rules_load(path, "rules", groups(), &r) < 0) {
		const char *e = sm_errmsg();
		fuzz_check(!strncmp(e, "rules:", 6), "message without its place: '%s'", e);
		fuzz_check(sm_errcode() == SM_EX_CONFIG, "code %d: %s", sm_errcode(), e);
		return 0;
	}
	sm_prefilter *pf = sm_prefilter_new(r);
	while (rest && nrest) {
		const char *nl = memchr(rest, '\n', nrest);
		size_t len = nl ? (size_t)(nl - rest) : nrest;
		try_text(r, pf, rest, len);
		rest += len + (nl != NULL);
		nrest -= len + (nl != NULL);
	}
	/* each rule's own query once more through the -q path */
	for (size_t i = 0; i < r->n && i < 4; i++) {
		sm_rules *one;
		if (sm_rules_query(r->rule[i].match, groups(), &one) == 0)
			sm_rules_free(one);
	}
	sm_prefilter_free(pf);
	sm_rules_free(r);
	return 0;
}
