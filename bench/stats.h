/* stats.h - clock and summary statistics for the benchmark (libc only:
 * bench-login links it without the project's libraries) */
#ifndef APK_BENCH_STATS_H
#define APK_BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

struct stats {
	size_t n;         /* samples; 0 when not measured */
	double median_us;
	double p90_us;
	double min_us;
	double mean_us;
};

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);

/* Summarises n samples in nanoseconds (sorts ns in place). n may be 0. */
void stats_from_ns(uint64_t *ns, size_t n, struct stats *out);

#endif
