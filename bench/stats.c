/* stats.c - clock and summary statistics for the benchmark */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stats.h"

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void stats_from_ns(uint64_t *ns, size_t n, struct stats *out)
{
	double sum = 0;
	size_t i, rank;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return;
	qsort(ns, n, sizeof(*ns), cmp_u64);
	for (i = 0; i < n; i++)
		sum += (double)ns[i];
	out->n = n;
	out->median_us = (n % 2 ? (double)ns[n / 2] : ((double)ns[n / 2 - 1] + (double)ns[n / 2]) / 2) / 1e3;
	rank = (n * 9 + 9) / 10; /* nearest rank: ceil(0.9 n) */
	out->p90_us = (double)ns[rank - 1] / 1e3;
	out->min_us = (double)ns[0] / 1e3;
	out->mean_us = sum / (double)n / 1e3;
}
