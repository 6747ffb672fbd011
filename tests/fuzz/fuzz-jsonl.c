/*
 * fuzz-jsonl.c - the JSON-lines record reader: the line loop (sm_each_line_fp), jansson's
 * reading of a line (sm_record_parse) and the scanner that reads a line without a tree
 * (sm_item_check_line, sm_subject_from_line), which must never accept what jansson refuses
 * nor read a member differently; and the store's row spool written and read back.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "match.h"

static const char *const members[] = {
	"id", "channel", "network", "kind", "ext_id", "url", "thread", "in_reply_to", "text",
	"title", "lang", "created_at", "fetched_at", "updated_at", "in_reply_to_url",
};

/* The scanner read the line as an item: jansson must agree on every member it decoded. */
static void same_members(const char *line, size_t len, json_t *rec, const sm_jval *m)
{
	sm_buf b = {0};
	for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
		json_t *v = json_object_get(rec, members[i]);
		if (m[i].type != SM_JSTRING) {
			fuzz_check(!json_is_string(v), "'%s': a string to jansson only", members[i]);
			continue;
		}
		fuzz_check(json_is_string(v), "'%s': a string to the scanner only", members[i]);
		sm_buf_reset(&b);
		fuzz_check(sm_jstring(&m[i], &b) == 0, "'%s' not decoded", members[i]);
		fuzz_check(b.len == json_string_length(v) && memcmp(b.s, json_string_value(v), b.len) == 0,
			   "'%s' decoded differently: '%.*s'", members[i], (int)len, line);
	}
	sm_buf_free(&b);
}

/* The subject a query sees: the same from the line's bytes and from the tree. */
static void same_subject(const char *line, size_t len, json_t *rec)
{
	static sm_subject a, b;
	static sm_buf arena, raw_a, raw_b;
	if (sm_subject_from_line(&a, line, len, &arena, &raw_a) < 0)
		return;
	fuzz_check(sm_subject_from_item(&b, rec, &raw_b) == 0, "subject from the tree failed");
	fuzz_check(raw_a.len == raw_b.len && (!raw_a.len || !memcmp(raw_a.s, raw_b.s, raw_a.len)),
		   "raw text differs");
	fuzz_check(a.text.folded.len == b.text.folded.len &&
		   (!a.text.folded.len || !memcmp(a.text.folded.s, b.text.folded.s, a.text.folded.len)),
		   "folded text differs");
	fuzz_check(a.text.ntok == b.text.ntok, "token counts differ");
	const char *fa[] = {a.lang, a.channel, a.network, a.kind, a.author_id, a.author_handle, a.in_reply_to};
	const char *fb[] = {b.lang, b.channel, b.network, b.kind, b.author_id, b.author_handle, b.in_reply_to};
	for (int i = 0; i < 7; i++)
		fuzz_check((!fa[i] && !fb[i]) || (fa[i] && fb[i] && !strcmp(fa[i], fb[i])),
			   "subject field %d differs", i);
	fuzz_check(a.has_media == b.has_media, "has_media differs");
}

/* A row of the store spooled and read back is the same row. */
static void spool_round_trip(json_t *rec)
{
	sm_item_row row, back;
	if (sm_item_flatten(rec, &row) < 0)
		return;
	char *mem = NULL;
	size_t memlen = 0;
	FILE *w = open_memstream(&mem, &memlen);
	fuzz_check(sm_item_row_write(w, &row) == 0, "spool write");
	fclose(w);
	FILE *r = fmemopen(mem, memlen, "r");
	sm_buf buf = {0};
	fuzz_check(sm_item_row_read(r, &buf, &back) == 1, "spool read");
	for (int c = 0; c < SM_NCOLS; c++) {
		fuzz_check(!row.v[c] == !back.v[c], "column %d present on one side only", c);
		if (row.v[c])
			fuzz_check(row.len[c] == back.len[c] && memcmp(row.v[c], back.v[c], row.len[c]) == 0,
				   "column %d differs", c);
	}
	fuzz_check(sm_item_row_read(r, &buf, &back) == 0, "spool: more than one row");
	fclose(r);
	free(mem);
	sm_buf_free(&buf);
	sm_item_row_free(&row);
}

static int one_line(const char *line, size_t len, const char *file, long lineno, void *ctx)
{
	sm_jval m[SM_M_N], au[SM_A_N];
	int scanned = sm_item_check_line(line, len, m, au);
	json_t *rec = sm_record_parse(line, len, file, lineno, SM_LOOP_ITEMS);
	if (!rec) {
		const char *e = sm_errmsg();
		fuzz_check(sm_errcode() == SM_EX_DATAERR, "code %d for '%s'", sm_errcode(), e);
		fuzz_check(!strncmp(e, "fuzz:", 5), "message without its place: '%s'", e);
		/* the scanner does not look for repeats of members it was not asked for */
		fuzz_check(scanned < 0 || strstr(e, "duplicate object key"),
			   "the scanner accepts what jansson refuses (%s): '%.*s'", e, (int)len, line);
		(*(long *)ctx)++;
		return 0;
	}
	if (scanned == 0) {
		same_members(line, len, rec, m);
		same_subject(line, len, rec);
	}
	spool_round_trip(rec);
	json_decref(rec);
	return 0;
}

/* The lines as a reader of a file must see them: CR LF taken as LF, blank lines skipped. */
static void expected_lines(const char *p, size_t n, sm_buf *out)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t len = nl ? (size_t)(nl - p) : n, take = len;
		if (take && p[take - 1] == '\r')
			take--;
		if (take) {
			sm_buf_add(out, p, take);
			sm_buf_addc(out, '\n');
		}
		p += len + (nl != NULL);
		n -= len + (nl != NULL);
	}
}

static int collect_line(const char *line, size_t len, const char *file, long lineno, void *ctx)
{
	sm_buf_add(ctx, line, len);
	sm_buf_addc(ctx, '\n');
	return one_line(line, len, file, lineno, &(long){0});
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	if (fd < 0)
		fd = memfd_create("fuzz-jsonl", 0);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	lseek(fd, 0, SEEK_SET);
	FILE *fp = fdopen(dup(fd), "r");
	sm_buf got = {0}, want = {0};
	int rc = sm_each_line_fp(fp, "fuzz", collect_line, &got);
	fclose(fp);
	fuzz_check(rc == 0, "the line loop failed: %s", sm_errmsg());
	expected_lines((const char *)data, size, &want);
	fuzz_check(got.len == want.len && (!got.len || memcmp(got.s, want.s, got.len) == 0),
		   "the line loop saw other lines than the input has");
	sm_buf_free(&got);
	sm_buf_free(&want);
	return 0;
}
