/*
 * err.c - the last error of a library call, as a message a command can print,
 * and allocation that never returns NULL (out of memory ends the process).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "smkit.h"

static _Thread_local char errmsg[4096];
static _Thread_local int errcode;
static const char *prog = "smkit";

static void verr(int code, const char *fmt, va_list ap)
{
	char tmp[sizeof errmsg];
	vsnprintf(tmp, sizeof tmp, fmt, ap); /* fmt may name errmsg itself */
	memcpy(errmsg, tmp, sizeof errmsg);
	errcode = code;
}

int sm_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(0, fmt, ap);
	va_end(ap);
	return -1;
}

int sm_error_code(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr(code, fmt, ap);
	va_end(ap);
	return -1;
}

const char *sm_errmsg(void) { return errmsg[0] ? errmsg : "unknown error"; }
int sm_errcode(void) { return errcode ? errcode : SM_EX_SOFTWARE; }

void sm_setprog(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	prog = slash ? slash + 1 : argv0;
}

const char *sm_prog(void) { return prog; }

void sm_warn(const char *fmt, ...)
{
	va_list ap;
	char line[8192];
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* messages quote posts, names and what servers said: nothing of it reaches the
	   terminal as a control sequence */
	sm_buf safe = {0};
	sm_buf_adds(&safe, "");
	sm_term_escapen(&safe, line, strlen(line), SM_TERM_KEEP_NL);
	fprintf(stderr, "%s: %s\n", prog, safe.s);
	sm_buf_free(&safe);
}

static void *oom(void)
{
	fprintf(stderr, "%s: out of memory\n", prog);
	exit(SM_EX_OSERR);
}

void *sm_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	return p ? p : oom();
}

void *sm_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	return p ? p : oom();
}

void *sm_realloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	return p ? p : oom();
}

char *sm_strdup(const char *s) { return sm_strndup(s, strlen(s)); }

char *sm_strndup(const char *s, size_t n)
{
	char *p = sm_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *sm_strtrim(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return sm_strndup(s, n);
}

char *sm_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	va_start(ap, fmt);
	int r = vasprintf(&p, fmt, ap);
	va_end(ap);
	return r < 0 ? oom() : p;
}
