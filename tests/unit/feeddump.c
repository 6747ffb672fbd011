/*
 * feeddump.c - a test helper, not a test: parses feed documents with sm_feed_parse and
 * prints each result as a JSON line, for tests/0140-feed-corpus.t.
 *   feeddump [-b BASE] [-t CONTENT-TYPE] FILE   one document
 *   feeddump -l        documents named on stdin, one "FILE<TAB>BASE<TAB>TYPE" per line
 *   feeddump -H        a JSON array of HTML strings on stdin, their sm_html_to_text as one
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smkit.h"

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	sm_buf b = {0};
	char chunk[65536];
	size_t n;

	if (!fp)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		sm_buf_add(&b, chunk, n);
	fclose(fp);
	*len = b.len;
	return sm_buf_detach(&b);
}

static void dump(const char *path, const char *base, const char *type)
{
	json_t *o = json_object();
	size_t len = 0;
	char *data = slurp(path, &len), *line;
	sm_feed f;

	json_object_set_new(o, "file", json_string(path));
	if (!data) {
		json_object_set_new(o, "ok", json_false());
		json_object_set_new(o, "error", json_string("cannot read file"));
	} else if (sm_feed_parse(data, len, base, type, &f) < 0) {
		json_object_set_new(o, "ok", json_false());
		json_object_set_new(o, "error", json_string(sm_errmsg()));
	} else {
		json_object_set_new(o, "ok", json_true());
		json_object_set_new(o, "format", str_or_null(f.format));
		json_object_set_new(o, "title", str_or_null(f.title));
		json_object_set_new(o, "link", str_or_null(f.link));
		json_object_set_new(o, "lang", str_or_null(f.lang));
		json_object_set_new(o, "bozo", json_boolean(f.bozo));
		json_object_set_new(o, "bozo_msg", str_or_null(f.bozo_msg));
		json_object_set(o, "items", f.items);
		sm_feed_free(&f);
	}
	line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	puts(line);
	fflush(stdout);
	free(line);
	free(data);
	json_decref(o);
}

/* "FILE\tBASE\tTYPE" lines; empty fields are NULL */
static void dump_list(void)
{
	char *line = NULL, *field[3];
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, stdin)) > 0) {
		char *p = line;

		line[strcspn(line, "\r\n")] = '\0';
		for (int i = 0; i < 3; i++) {
			field[i] = p ? strsep(&p, "\t") : NULL;
			if (field[i] && !*field[i])
				field[i] = NULL;
		}
		if (field[0])
			dump(field[0], field[1], field[2]);
	}
	free(line);
}

static int html_list(void)
{
	json_error_t err;
	json_t *in = json_loadf(stdin, 0, &err), *out = json_array(), *v;
	size_t i;
	char *s;

	if (!json_is_array(in)) {
		fprintf(stderr, "feeddump: -H wants a JSON array of strings\n");
		return 2;
	}
	json_array_foreach(in, i, v) {
		s = sm_html_to_text(json_string_value(v) ? json_string_value(v) : "",
				    json_string_length(v));
		json_array_append_new(out, json_string(s));
		free(s);
	}
	s = json_dumps(out, JSON_COMPACT | JSON_ENSURE_ASCII);
	puts(s);
	free(s);
	json_decref(in);
	json_decref(out);
	return 0;
}

int main(int argc, char **argv)
{
	const char *base = NULL, *type = NULL;
	int c;

	while ((c = getopt(argc, argv, "b:t:lH")) != -1) {
		switch (c) {
		case 'b':
			base = optarg;
			break;
		case 't':
			type = optarg;
			break;
		case 'l':
			dump_list();
			return 0;
		case 'H':
			return html_list();
		default:
			fprintf(stderr, "usage: feeddump [-b BASE] [-t TYPE] FILE | -l | -H\n");
			return 2;
		}
	}
	for (int i = optind; i < argc; i++)
		dump(argv[i], base, type);
	return 0;
}
