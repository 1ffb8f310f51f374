/* replay_main.c - runs a fuzz target once over each file named on the command
 * line, for compilers without libFuzzer (gcc). Options ("-...") are ignored,
 * so the command line is the same as libFuzzer's. A broken property aborts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static unsigned char *read_all(const char *path, size_t *len)
{
	unsigned char *buf = NULL, *bigger;
	size_t cap = 0, n = 0, got;
	FILE *fp = fopen(path, "rb");

	if (fp == NULL)
		return NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((bigger = realloc(buf, cap)) == NULL)
				break;
			buf = bigger;
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (got == 0) {
			if (ferror(fp))
				break;
			fclose(fp);
			*len = n;
			return buf;
		}
	}
	free(buf);
	fclose(fp);
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned char *data, *exact;
	size_t len = 0;
	int i, runs = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		if ((data = read_all(argv[i], &len)) == NULL) {
			fprintf(stderr, "replay: cannot read %s\n", argv[i]);
			return 2;
		}
		/* An exact-size copy, so that reading one byte too far is caught. */
		if ((exact = malloc(len ? len : 1)) == NULL)
			return 2;
		if (len > 0)
			memcpy(exact, data, len);
		free(data);
		fprintf(stderr, "Running: %s\n", argv[i]);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
		runs++;
	}
	fprintf(stderr, "replay: executed %d inputs\n", runs);
	return 0;
}
