/* record.c - the shared JSON-lines loop: good records, every malformed-line message, output. */
#include <stdlib.h>
#include <unistd.h>

#include "smkit.h"
#include "tap.h"

static int count;

static int each(json_t *rec, const char *file, long lineno, void *ctx)
{
	count++;
	return 0;
}

/* Run the loop over a file holding `data`; the error message, or "" if it succeeded. */
static const char *loop(const char *data, size_t len, int flags, int *code)
{
	static char path[] = "/tmp/sm-record-XXXXXX";
	static char msg[4096];
	strcpy(path, "/tmp/sm-record-XXXXXX");
	int fd = mkstemp(path);
	if (write(fd, data, len) != (ssize_t)len)
		return "write failed";
	close(fd);
	char *files[] = {path};
	count = 0;
	int rc = sm_each_record(1, files, flags, each, NULL);
	*code = rc < 0 ? sm_errcode() : 0;
	/* messages name the file: strip our temporary path to compare */
	const char *m = rc < 0 ? sm_errmsg() : "";
	if (strncmp(m, path, strlen(path)) == 0)
		snprintf(msg, sizeof msg, "FILE%s", m + strlen(path));
	else
		snprintf(msg, sizeof msg, "%s", m);
	unlink(path);
	return msg;
}

static void bad(const char *data, int flags, const char *want, const char *name)
{
	int code;
	tap_is(loop(data, strlen(data), flags, &code), want, name);
	tap_int(code, SM_EX_DATAERR, "exit status 65");
}

int main(void)
{
	int code;

	const char *good = "{\"a\":1}\n\n{\"b\":2}\r\n{\"c\":3}";
	tap_is(loop(good, strlen(good), 0, &code), "", "good lines, CRLF, no final newline");
	tap_int(count, 3, "three records, blank line skipped");
	bad("{\"a\":1}\n{\"a\":\n", 0, "FILE:2:5: not JSON: unexpected token near end of file", "not JSON");
	bad("{}\n[1,2]\n", 0, "FILE:2: not an object", "an array is not an object");
	bad("\"text\"\n", 0, "FILE:1: not an object", "a string is not an object");
	bad("{\"a\":1,\"a\":2}\n", 0, "FILE:1:10: not JSON: duplicate object key near '\"a\"'", "duplicate key");
	bad("{}\n{}\n{\"text\":\"\xc3\x28\"}\n", 0, "FILE:3: invalid UTF-8 at byte 10", "invalid UTF-8");
	bad("{\"text\":\"\xed\xa0\x80\"}\n", 0, "FILE:1: invalid UTF-8 at byte 10", "UTF-8 surrogate");
	bad("{\"text\":\"\xc0\xaf\"}\n", 0, "FILE:1: invalid UTF-8 at byte 10", "overlong UTF-8");
	bad("{\"text\":5}\n", SM_LOOP_ITEMS, "FILE:1: field 'text' must be a string", "wrong-typed text");
	bad("{\"author\":\"x\"}\n", SM_LOOP_ITEMS, "FILE:1: field 'author' must be an object", "wrong-typed author");
	bad("{\"author\":{\"name\":1}}\n", SM_LOOP_ITEMS, "FILE:1: field 'author.name' must be a string", "wrong-typed author.name");
	bad("{\"metrics\":{\"likes\":\"many\"}}\n", SM_LOOP_ITEMS, "FILE:1: field 'metrics.likes' must be an integer", "wrong-typed metric");
	bad("{\"text\":\"\\u0000\"}\n", 0, "FILE:1:16: not JSON: \\u0000 in a string", "NUL escape");
	tap_is(loop("{\"text\":5}\n", 11, 0, &code), "", "wrong types pass when the records are not items");

	/* a line over 1 MiB: the loop stops there without reading it all into memory */
	size_t big = SM_MAX_LINE + 10;
	char *data = malloc(big + 20);
	memcpy(data, "{}\n{\"text\":\"", 12);
	memset(data + 12, 'x', big);
	memcpy(data + 12 + big, "\"}\n", 3);
	tap_is(loop(data, big + 15, 0, &code), "FILE:2: line longer than 1 MiB", "line over 1 MiB");
	tap_int(code, SM_EX_DATAERR, "exit status 65");
	/* exactly 1 MiB is still accepted */
	memcpy(data, "{\"t\":\"", 6);
	memset(data + 6, 'y', SM_MAX_LINE - 8);
	memcpy(data + SM_MAX_LINE - 2, "\"}\n", 3);
	tap_is(loop(data, SM_MAX_LINE + 1, 0, &code), "", "a line of exactly 1 MiB");
	free(data);

	char *files[] = {"/nonexistent/x.jsonl"};
	tap_int(sm_each_record(1, files, 0, each, NULL), -1, "missing file fails");
	tap_int(sm_errcode(), SM_EX_NOINPUT, "missing file: exit status 66");

	/* the item row spool round-trips, absent columns included */
	json_t *it = json_pack("{s:s,s:s,s:s,s:{s:s}}", "id", "c:1", "channel", "c", "text", "h\xc3\xa9",
			       "author", "id", "feed:a");
	sm_item_row row, back;
	sm_buf b = {0};
	FILE *fp = tmpfile();
	tap_int(sm_item_flatten(it, &row), 0, "flatten");
	tap_int(sm_item_row_write(fp, &row) == 0 && sm_item_row_write(fp, &row) == 0, 1, "spool write");
	rewind(fp);
	tap_int(sm_item_row_read(fp, &b, &back), 1, "spool read");
	tap_is(back.v[SM_COL_TEXT], "h\xc3\xa9", "text column back");
	tap_is(back.v[SM_COL_AUTHOR_ID], "feed:a", "author column back");
	tap_ok(back.v[SM_COL_URL] == NULL, "absent column stays absent");
	tap_is(back.v[SM_COL_RECORD], row.v[SM_COL_RECORD], "record back");
	tap_int(sm_item_row_read(fp, &b, &back), 1, "second row");
	tap_int(sm_item_row_read(fp, &b, &back), 0, "end of spool");
	fclose(fp);
	sm_buf_free(&b);
	sm_item_row_free(&row);
	json_decref(it);

	/* found by tests/fuzz/fuzz-jsonl: the scanner must refuse the numbers jansson refuses,
	   so that sm-match -n and sm-match agree on a line */
	sm_jval m[SM_M_N], au[SM_A_N];
	const char *const numbers[][2] = {
		{"{\"id\":\"a\",\"n\":99999999999999999999}", "20 digits"},
		{"{\"id\":\"a\",\"n\":9223372036854775808}", "LLONG_MAX + 1"},
		{"{\"id\":\"a\",\"n\":-9223372036854775809}", "LLONG_MIN - 1"},
		{"{\"id\":\"a\",\"n\":[1,{\"x\":27777777777777777777777}]}", "nested, too big"},
		{"{\"id\":\"a\",\"n\":1e400}", "a real over DBL_MAX"},
		{"{\"id\":\"a\",\"n\":-1.5E+309}", "a negative real over DBL_MAX"},
	};
	for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
		const char *l = numbers[i][0];
		json_t *r = sm_record_parse(l, strlen(l), "x", 1, SM_LOOP_ITEMS);
		tap_ok(!r, numbers[i][1]);
		json_decref(r);
		char *name = sm_asprintf("%s: the scanner refuses it too", numbers[i][1]);
		tap_int(sm_item_check_line(l, strlen(l), m, au), -1, name);
		free(name);
	}
	const char *const fine[] = {"{\"n\":9223372036854775807}", "{\"n\":-9223372036854775808}",
				    "{\"n\":1.7976931348623157e308}", "{\"n\":1e-400}", "{\"n\":0.5e1}",
				    "{\"n\":123456789012345678901234567890.5}"};
	for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
		json_t *r = sm_record_parse(fine[i], strlen(fine[i]), "x", 1, SM_LOOP_ITEMS);
		char *name = sm_asprintf("%s: read by both", fine[i]);
		tap_ok(r && sm_item_check_line(fine[i], strlen(fine[i]), m, au) == 0, name);
		free(name);
		json_decref(r);
	}
	return tap_done();
}
