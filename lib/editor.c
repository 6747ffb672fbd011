/*
 * editor.c - writing a draft as `git commit` writes a message: $VISUAL or $EDITOR on a file
 * that quotes the conversation under comment lines; and canned answers whose {{fields}}
 * are filled from the item answered.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drafts.h"

static char *strip(const char *s)
{
	sm_buf b = {0};
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, "\n");
		/* our comments are "# ..." or "#": a line like "#störung behoben" is a hashtag */
		if (!(p[0] == '#' && (n == 1 || p[1] == ' ')))
			sm_buf_printf(&b, "%.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
	char *t = sm_buf_detach(&b), *start = t;
	while (*start == '\n' || *start == ' ' || *start == '\t')
		start++;
	size_t len = strlen(start);
	while (len && (start[len - 1] == '\n' || start[len - 1] == ' ' || start[len - 1] == '\t'))
		len--;
	char *out = sm_strndup(start, len);
	free(t);
	return out;
}

int sm_edit_text(const char *text, const char *comment, char **out)
{
	char *path;
	const char *ed = getenv("VISUAL");
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	int fd = sm_tempfile("smkit-draft", &path);
	if (fd < 0)
		return -1;
	FILE *fp = fdopen(fd, "w");
	fprintf(fp, "%s\n", text ? text : "");
	for (const char *p = comment; p && *p;) {
		size_t n = strcspn(p, "\n");
		fprintf(fp, "# %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
	if (fclose(fp) != 0) {
		unlink(path);
		sm_error_code(SM_EX_IOERR, "unable to write '%s'", path);
		free(path);
		return -1;
	}
	/* as git does: the editor command is shell, the file its last argument */
	char *cmd = sm_asprintf("%s \"$@\"", ed);
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, ed, path, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	free(cmd);
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		unlink(path);
		free(path);
		return sm_error_code(SM_EX_SOFTWARE, "the editor '%s' failed; nothing was saved", ed);
	}
	sm_buf b = {0};
	char chunk[4096];
	size_t n;
	fp = fopen(path, "r");
	while (fp && (n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		sm_buf_add(&b, chunk, n);
	if (fp)
		fclose(fp);
	unlink(path);
	free(path);
	*out = strip(b.s ? b.s : "");
	sm_buf_free(&b);
	return 0;
}

/* {{a.b}}: the string (or number) at that path of the item, else left empty. */
static void field(sm_buf *b, json_t *item, const char *path, size_t n)
{
	char *p = sm_strndup(path, n), *save = NULL;
	json_t *v = item;
	for (char *k = strtok_r(p, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
		v = json_object_get(v, k);
	if (json_is_string(v))
		sm_buf_adds(b, json_string_value(v));
	else if (json_is_integer(v))
		sm_buf_printf(b, "%lld", (long long)json_integer_value(v));
	free(p);
}

char *sm_template_fill(const char *tpl, json_t *item)
{
	sm_buf b = {0};
	for (const char *p = tpl; *p;) {
		const char *open = strstr(p, "{{"), *close = open ? strstr(open + 2, "}}") : NULL;
		if (!close) {
			sm_buf_adds(&b, p);
			break;
		}
		sm_buf_add(&b, p, (size_t)(open - p));
		const char *k = open + 2;
		while (*k == ' ')
			k++;
		size_t n = (size_t)(close - k);
		while (n && k[n - 1] == ' ')
			n--;
		field(&b, item, k, n);
		p = close + 2;
	}
	return sm_buf_detach(&b);
}
