/*
 * jparse.c - the floor of JSON-lines ingest: jansson parses every line of a file and frees
 * it, nothing else (json_loadb + json_decref, with the flags smkit's record reader uses).
 * Prints the number of lines parsed; exits 65 at the first line that is not JSON.
 *
 * usage: jparse FILE      (built by tests/bench/ingest: cc -O2 jparse.c -ljansson)
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

int main(int argc, char **argv)
{
	FILE *fp = argc == 2 ? fopen(argv[1], "r") : NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long n = 0;
	json_error_t err;

	if (!fp) {
		fprintf(stderr, argc == 2 ? "jparse: unable to open '%s'\n" : "usage: jparse FILE\n",
			argv[1]);
		return 66;
	}
	while ((len = getline(&line, &cap, fp)) > 0) {
		json_t *j = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
		if (!j) {
			fprintf(stderr, "jparse: %s:%ld: %s\n", argv[1], n + 1, err.text);
			return 65;
		}
		json_decref(j);
		n++;
	}
	free(line);
	fclose(fp);
	printf("%ld\n", n);
	return 0;
}
