/* fuzz.h - what every fuzz target shares: the libFuzzer entry points and one
 * way to report a broken property (print it, then abort so that libFuzzer,
 * or the plain replay driver, records the input as a crash). */
#ifndef APK_FUZZ_H
#define APK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, what)                                                    \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "%s:%d: property broken: %s (%s)\n",     \
				__FILE__, __LINE__, (what), #cond);              \
			abort();                                                  \
		}                                                                 \
	} while (0)

/* True when every byte of p[0..n) is zero. */
static inline int fuzz_all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	/* Each byte zero and equal to the next: all zero (memcmp is fast under ASan). */
	return n == 0 || (b[0] == 0 && memcmp(b, b + 1, n - 1) == 0);
}

/* err (errsz bytes) holds a message: not empty, NUL-terminated, one line
 * without control characters. */
static inline void fuzz_check_message(const char *err, size_t errsz)
{
	size_t i, n = strnlen(err, errsz);

	FUZZ_CHECK(n > 0 && n < errsz, "a refusal says why, NUL-terminated");
	for (i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)err[i] >= 0x20 && (unsigned char)err[i] != 0x7f,
			   "the message is one line without control characters");
}

/* out = a "/" b, which must fit. */
static inline void fuzz_path(char *out, size_t outsz, const char *a, const char *b)
{
	int n = snprintf(out, outsz, "%s/%s", a, b);

	FUZZ_CHECK(n > 0 && (size_t)n < outsz, "a path fits its buffer");
}

#endif
