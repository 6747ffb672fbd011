/*
 * fuzz.h - what the libFuzzer harnesses of tests/fuzz share: a check that stops the run
 * (a broken property is a crash to libFuzzer) and the input cut into parts.
 */
#ifndef SM_FUZZ_H
#define SM_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smkit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property that must hold for every input: print what broke and abort. */
#define fuzz_check(cond, ...)                                                                  \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "fuzz: %s:%d: %s: ", __FILE__, __LINE__, #cond);       \
			fprintf(stderr, __VA_ARGS__);                                          \
			fputc('\n', stderr);                                                   \
			abort();                                                               \
		}                                                                              \
	} while (0)

/* The input up to the first line that is exactly `sep` (*rest after it), or all of it. */
static inline size_t fuzz_split(const char *p, size_t n, const char *sep, const char **rest,
				size_t *nrest)
{
	size_t sl = strlen(sep);
	for (size_t i = 0; i + sl <= n; i++)
		if ((i == 0 || p[i - 1] == '\n') && memcmp(p + i, sep, sl) == 0 &&
		    (i + sl == n || p[i + sl] == '\n')) {
			*rest = p + i + sl + (i + sl < n);
			*nrest = n - (size_t)(*rest - p);
			return i;
		}
	*rest = NULL;
	*nrest = 0;
	return n;
}

#endif
