/*
 * jsonl.c - the one JSON-lines reader every command uses (sm_each_record), and record
 * output that treats a full disk or a closed pipe as an error, never as silent loss.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smkit.h"

json_t *sm_record_parse(const char *line, size_t len, const char *name, long lineno, int flags)
{
	size_t bad;
	json_error_t jerr;

	if (len > SM_MAX_LINE) {
		sm_error_code(SM_EX_DATAERR, "%s:%ld: line longer than 1 MiB", name, lineno);
		return NULL;
	}
	if (!sm_utf8_valid(line, len, &bad)) {
		sm_error_code(SM_EX_DATAERR, "%s:%ld: invalid UTF-8 at byte %zu", name, lineno, bad + 1);
		return NULL;
	}
	json_t *rec = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!rec) {
		/* jansson names its own flag here; say what is wrong instead */
		const char *why = strstr(jerr.text, "JSON_ALLOW_NUL") ? "\\u0000 in a string"
								       : jerr.text;
		sm_error_code(SM_EX_DATAERR, "%s:%ld:%d: not JSON: %s", name, lineno, jerr.column, why);
		return NULL;
	}
	if (!json_is_object(rec)) {
		json_decref(rec);
		sm_error_code(SM_EX_DATAERR, "%s:%ld: not an object", name, lineno);
		return NULL;
	}
	if ((flags & SM_LOOP_ITEMS) && sm_item_check(rec) < 0) {
		json_decref(rec);
		sm_error_code(SM_EX_DATAERR, "%s:%ld: %s", name, lineno, sm_errmsg());
		return NULL;
	}
	return rec;
}

/* Lines from a file descriptor, at most SM_MAX_LINE + 1 bytes of each kept in memory. */
typedef struct {
	int fd;
	char *buf;
	size_t start, end, cap;
	int eof;
} reader;

/* sm_each_line_on_wait */
static _Thread_local struct { int (*fn)(void *ctx); void *ctx; } on_wait;

void sm_each_line_on_wait(int (*fn)(void *ctx), void *ctx)
{
	on_wait.fn = fn;
	on_wait.ctx = ctx;
}

/* sm_each_line_cancellable */
static _Thread_local int cancellable;

void sm_each_line_cancellable(int on) { cancellable = on; }

/* Before a read that would wait: the callback (a stage that stores commits, so that it
   holds no lock while it waits, perhaps for the stage before, which may write the store
   meanwhile), then what was printed goes out, so the next stage can work on it during the
   pause. 0, or -2 when the callback failed (its error is set). */
static int before_wait(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	if (poll(&p, 1, 0) > 0)
		return 0;
	if (on_wait.fn && on_wait.fn(on_wait.ctx) < 0)
		return -2;
	fflush(stdout); /* an error stays set on stdout, and sm_finish reports it */
	return 0;
}

/* Returns 1 with the line and its length set (len > SM_MAX_LINE means too long), 0 at end,
   -1 on a read error, -2 when the on_wait callback failed. */
static int read_line(reader *r, char **line, size_t *len)
{
	size_t scan = r->start;
	for (;;) {
		char *nl = memchr(r->buf + scan, '\n', r->end - scan);
		if (nl || (r->eof && r->end > r->start)) {
			*line = r->buf + r->start;
			*len = nl ? (size_t)(nl - *line) : r->end - r->start;
			r->start = nl ? (size_t)(nl - r->buf) + 1 : r->end;
			if (*len && (*line)[*len - 1] == '\r')
				(*len)--;
			return 1;
		}
		if (r->eof)
			return 0;
		if (r->end - r->start > SM_MAX_LINE) {
			*line = r->buf + r->start;
			*len = r->end - r->start;
			return 1; /* too long: the caller stops here */
		}
		if (r->start > 0) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		}
		scan = r->end;
		if (before_wait(r->fd) < 0)
			return -2;
		int was = 0;
		if (cancellable)
			pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &was);
		ssize_t n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (cancellable)
			pthread_setcancelstate(was, NULL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return sm_error("read error: %s", strerror(errno));
		if (n == 0)
			r->eof = 1;
		r->end += (size_t)n;
	}
}

static int each_line(reader *r, const char *name, sm_line_fn fn, void *ctx)
{
	char *line = NULL;
	size_t len = 0;
	long lineno = 0;
	int rc = 0, got;

	while ((got = read_line(r, &line, &len)) > 0) {
		lineno++;
		if (len > SM_MAX_LINE) {
			rc = sm_error_code(SM_EX_DATAERR, "%s:%ld: line longer than 1 MiB", name, lineno);
			break;
		}
		if (len && (rc = fn(line, len, name, lineno, ctx)) < 0)
			break;
	}
	if (got == -1) {
		sm_error_code(SM_EX_IOERR, "%s: %s", name, sm_errmsg());
		rc = -1;
	} else if (got < 0)
		rc = -1;
	return rc < 0 ? -1 : 0;
}

int sm_each_line_fp(FILE *fp, const char *name, sm_line_fn fn, void *ctx)
{
	reader r = {.fd = fileno(fp), .cap = SM_MAX_LINE + 65536};
	volatile int rc;
	r.buf = sm_malloc(r.cap);
	pthread_cleanup_push(free, r.buf); /* a reader cancelled in its read */
	rc = each_line(&r, name, fn, ctx);
	pthread_cleanup_pop(1);
	return rc;
}

static void close_file(void *fp) { fclose(fp); }

int sm_each_line(int nfiles, char **files, sm_line_fn fn, void *ctx)
{
	if (nfiles == 0)
		return sm_each_line_fp(stdin, "stdin", fn, ctx);
	for (int i = 0; i < nfiles; i++) {
		if (strcmp(files[i], "-") == 0) {
			if (sm_each_line_fp(stdin, "stdin", fn, ctx) < 0)
				return -1;
			continue;
		}
		FILE *fp = fopen(files[i], "r");
		if (!fp)
			return sm_error_code(SM_EX_NOINPUT, "unable to open '%s': %s", files[i],
					     strerror(errno));
		volatile int rc;
		pthread_cleanup_push(close_file, fp);
		rc = sm_each_line_fp(fp, files[i], fn, ctx);
		pthread_cleanup_pop(1);
		if (rc < 0)
			return -1;
	}
	return 0;
}

typedef struct {
	int flags;
	sm_record_fn fn;
	void *ctx;
} record_loop;

static int parse_line(const char *line, size_t len, const char *name, long lineno, void *ctx)
{
	record_loop *rl = ctx;
	json_t *rec = sm_record_parse(line, len, name, lineno, rl->flags);
	if (!rec)
		return -1;
	int rc = rl->fn(rec, name, lineno, rl->ctx);
	json_decref(rec);
	return rc;
}

int sm_each_record_fp(FILE *fp, const char *name, int flags, sm_record_fn fn, void *ctx)
{
	record_loop rl = {flags, fn, ctx};
	return sm_each_line_fp(fp, name, parse_line, &rl);
}

int sm_each_record(int nfiles, char **files, int flags, sm_record_fn fn, void *ctx)
{
	record_loop rl = {flags, fn, ctx};
	return sm_each_line(nfiles, files, parse_line, &rl);
}

static int out_error(void)
{
	return sm_error_code(SM_EX_IOERR, "write error on standard output: %s", strerror(errno));
}

/* Records read on a terminal: a string may hold C1 controls or bidirectional overrides
   raw (JSON escapes only C0), so there they are written as \u escapes, the same JSON. */
static int on_terminal(void)
{
	static int tty = -1;
	if (tty < 0)
		tty = isatty(STDOUT_FILENO);
	return tty;
}

static int out_safe(const char *s, size_t len)
{
	sm_buf b = {0};
	sm_term_escapen(&b, s, len, SM_TERM_JSON);
	int rc = b.len && fwrite(b.s, 1, b.len, stdout) != b.len ? -1 : 0;
	sm_buf_free(&b);
	return rc;
}

int sm_out_line(const char *s, size_t len)
{
	if (on_terminal() ? out_safe(s, len) < 0 : fwrite(s, 1, len, stdout) != len)
		return out_error();
	if (putchar('\n') == EOF)
		return out_error();
	return 0;
}

int sm_out_record(json_t *rec)
{
	if (on_terminal()) {
		char *s = json_dumps(rec, JSON_COMPACT);
		int rc = s ? sm_out_line(s, strlen(s)) : out_error();
		free(s);
		return rc;
	}
	if (json_dumpf(rec, stdout, JSON_COMPACT) < 0 || putchar('\n') == EOF)
		return out_error();
	return 0;
}

int sm_finish(int rc)
{
	if (rc < 0) {
		sm_warn("%s", sm_errmsg());
		rc = sm_errcode();
	}
	if (sm_out_close() < 0 && rc == 0) {
		sm_warn("%s", sm_errmsg());
		rc = SM_EX_IOERR;
	}
	return rc;
}

int sm_out_close(void)
{
	errno = 0;
	int err = fflush(stdout) != 0 || ferror(stdout);
	if (fclose(stdout) != 0)
		err = 1;
	if (err)
		return out_error();
	return 0;
}
