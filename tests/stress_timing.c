/* stress_timing.c - equal work: can a remote guesser tell the failures apart by time?
 *
 * Through the real libpam (nodelay, so the 2 s failure delay does not hide
 * anything), times pam_authenticate for four kinds of failed login, each
 * with a well-formed key (right format and checksum):
 *   unknown user      an account that does not exist
 *   no keys           a real account that has no key
 *   unknown key id    my account, an id it does not have
 *   wrong secret      my account, my key's id, another secret
 * plus, for reference only, a malformed key (refused before any database
 * access, by design cheaper) and the right key. Classes are interleaved in
 * a random order each round (STRESS_SEED repeats it), STRESS_TIMING_N
 * rounds (default and minimum 2000). It reports, per class, the quantiles,
 * and per pair of the four classes the Kolmogorov-Smirnov distance D against
 * the critical value at alpha = 0.001 and the difference of medians.
 *
 * It ASSERTS that the module's own work is the same for the three failures
 * it decides alone (no keys, unknown key id, wrong secret): for each pair,
 * the median of the per-round differences (the two logins of a round run
 * next to each other, so a machine that slows down for a while slows both)
 * is at most MEDIAN_TOLERANCE of the smaller class median or
 * MEDIAN_FLOOR_US, whichever is larger. An unknown
 * user is not among them: the account lookup (NSS) takes its own time
 * before the module does anything, and the report shows how much.
 * It fails too when a login gives another answer than its class's, the
 * prompts differ, or too few timings were taken. All of it runs once for
 * every key source (keysource.h's apk_keysources) with my key in that
 * source, the module reading every source as a login does (the local store
 * and the directory's mirror side by side, keyset.h): each must keep the
 * work equal, a key in one must cost what a key in the other does, and a
 * source added there without a way to fill it here (fillers below) fails.
 *
 * The module's log lines are swallowed here (pam_syslog and pam_vsyslog
 * below), formatted but not sent: no flood on /dev/log.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <security/pam_ext.h>

#include "keyfmt.h"
#include "keysource.h"
#include "pam_harness.h"
#include "test_mirror.h"
#include "stress_util.h"
#include "test_db.h"

void pam_vsyslog(const pam_handle_t *pamh, int priority, const char *fmt, va_list args)
{
	char line[2048];

	(void)pamh;
	(void)priority;
	(void)vsnprintf(line, sizeof(line), fmt, args);
}

void pam_syslog(const pam_handle_t *pamh, int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pam_vsyslog(pamh, priority, fmt, ap);
	va_end(ap);
}

enum { C_NOUSER, C_NOKEYS, C_NOID, C_WRONG, C_MALFORMED, C_RIGHT, NCLASS };
#define NEQUAL 4 /* the first four are compared */
#define MODULE_FIRST C_NOKEYS /* from here to NEQUAL: equal work asserted */
#define MEDIAN_TOLERANCE 0.02
#define MEDIAN_FLOOR_US 1.0

static const char *const class_name[NCLASS] = {
	"unknown user", "no keys", "unknown key id", "wrong secret", "malformed key*", "right key*",
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double quantile(const double *sorted, size_t n, double q)
{
	size_t i = (size_t)(q * (double)(n - 1) + 0.5);

	return sorted[i < n ? i : n - 1];
}

/* (The test programs are not linked with libm.) */
static double square_root(double x)
{
	double y = x > 1 ? x : 1;
	int i;

	for (i = 0; i < 60; i++)
		y = 0.5 * (y + x / y);
	return y;
}

/* Two-sample Kolmogorov-Smirnov distance of two sorted samples. */
static double ks_distance(const double *a, size_t na, const double *b, size_t nb)
{
	size_t i = 0, j = 0;
	double d = 0, fa, fb;

	while (i < na && j < nb) {
		double x = a[i] <= b[j] ? a[i] : b[j];

		while (i < na && a[i] <= x)
			i++;
		while (j < nb && b[j] <= x)
			j++;
		fa = (double)i / (double)na;
		fb = (double)j / (double)nb;
		if (fa - fb > d)
			d = fa - fb;
		if (fb - fa > d)
			d = fb - fa;
	}
	return d;
}

/* How each source of apk_keysources gets the test's database: my key in
 * that source (its token into my_key), another key of mine in the other,
 * a mirror in sync, and the service directory conf. A source added there
 * without a way to be filled here fails this test. */
static int fill_with_my_key(struct test_db *T, char *conf, char *my_key, int in_mirror)
{
	char other[APK_KEY_LEN + 1];
	struct apk_account acct;

	if (pam_fixture(T, conf, in_mirror ? other : my_key, NULL) != 0)
		return -1;
	acct = test_account(me(), -1);
	if (test_mirror_generate(T, &acct, in_mirror ? "mine" : "elsewhere",
				 in_mirror ? my_key : other, NULL) != APK_OK)
		return -1;
	return test_mirror_state(T, (int64_t)time(NULL), 0, "timing") == APK_OK ? 0 : -1;
}

static int fill_local(struct test_db *T, char *conf, char *my_key)
{
	return fill_with_my_key(T, conf, my_key, 0);
}

static int fill_directory(struct test_db *T, char *conf, char *my_key)
{
	return fill_with_my_key(T, conf, my_key, 1);
}

static const struct {
	const char *name;
	int (*fill)(struct test_db *T, char *conf, char *my_key);
} fillers[] = {
	{ "local", fill_local },
	{ "directory", fill_directory },
};

static int (*filler_of(const char *name))(struct test_db *, char *, char *)
{
	size_t i;

	for (i = 0; i < sizeof(fillers) / sizeof(fillers[0]); i++)
		if (strcmp(fillers[i].name, name) == 0)
			return fillers[i].fill;
	return NULL;
}

/* The whole measurement through the module reading keys from source src. */
static void time_source(const struct apk_keysource_ops *src, long long n, struct rng *rng)
{
	struct test_db T;
	char conf[PATH_MAX], lines[PATH_MAX + 128], my_key[APK_KEY_LEN + 1];
	char wrong[APK_KEY_LEN + 1], prompt0[256] = "";
	const char *user[NCLASS], *resp[NCLASS];
	int want[NCLASS], order[NCLASS];
	double *t[NCLASS], *diffs, paired[3];
	bool sanitized = getenv("APK_SANITIZER") != NULL;
	char what[256];
	unsigned bad_answer[NCLASS] = { 0 }, bad_prompt = 0;
	struct apk_key k;
	size_t r, i, c, d;
	struct timespec t0, t1;
	int (*fill)(struct test_db *, char *, char *) = filler_of(src->name);

	printf("# ---- source %s: my key there, the module reading every source\n", src->name);
	memset(&T, 0, sizeof(T));
	if (fill == NULL || fill(&T, conf, my_key) != 0) {
		tap_ok(false, "source %s: libsodium initialises and a test database is filled",
		       src->name);
		if (T.dir[0] != '\0')
			test_db_remove(&T);
		return;
	}
	snprintf(lines, sizeof(lines), "auth required %%M db=%s nodelay\n", T.path);
	write_service(conf, "timing", lines);
	write_service(conf, "other", "auth required pam_deny.so\n");

	/* the three well-formed keys that are not mine: another secret for my
	 * id, and a fresh key (an id nobody has) */
	apk_key_parse(my_key, APK_KEY_LEN, &k);
	k.secret[7] ^= 0x40;
	apk_key_format(&k, wrong);
	apk_key_generate(&k);
	{
		static char fresh[APK_KEY_LEN + 1];

		apk_key_format(&k, fresh);
		resp[C_NOUSER] = fresh;
		resp[C_NOKEYS] = fresh;
		resp[C_NOID] = fresh;
	}
	apk_key_wipe(&k);
	resp[C_WRONG] = wrong;
	resp[C_MALFORMED] = "apk_not-a-key-at-all";
	resp[C_RIGHT] = my_key;
	user[C_NOUSER] = "apk-no-such-user";
	user[C_NOKEYS] = strcmp(me(), "root") == 0 ? "bin" : "root";
	user[C_NOID] = me();
	user[C_WRONG] = me();
	user[C_MALFORMED] = me();
	user[C_RIGHT] = me();
	want[C_NOUSER] = PAM_USER_UNKNOWN;
	want[C_NOKEYS] = want[C_NOID] = want[C_WRONG] = want[C_MALFORMED] = PAM_AUTH_ERR;
	want[C_RIGHT] = PAM_SUCCESS;

	if ((diffs = calloc((size_t)n, sizeof(double))) == NULL)
		abort();
	for (c = 0; c < NCLASS; c++) {
		t[c] = calloc((size_t)n, sizeof(double));
		if (t[c] == NULL)
			abort();
		order[c] = (int)c;
	}
	for (r = 0; r < (size_t)n; r++) {
		for (c = NCLASS - 1; c > 0; c--) { /* a fresh random order each round */
			size_t j = (size_t)rng_below(rng, c + 1);
			int tmp = order[c];
			order[c] = order[j];
			order[j] = tmp;
		}
		for (i = 0; i < NCLASS; i++) {
			struct conv_script cs = { .response = NULL };
			struct pam_conv conv = { harness_conv, &cs };
			pam_handle_t *pamh = NULL;
			int rc;

			c = (size_t)order[i];
			cs.response = resp[c];
			if (pam_start_confdir("timing", user[c], &conv, conf, &pamh) != PAM_SUCCESS) {
				bad_answer[c]++;
				continue;
			}
			pam_set_item(pamh, PAM_RHOST, "203.0.113.7");
			clock_gettime(CLOCK_MONOTONIC, &t0);
			rc = pam_authenticate(pamh, 0);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			pam_end(pamh, rc);
			t[c][r] = (double)(t1.tv_sec - t0.tv_sec) * 1e6 +
				  (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
			if (rc != want[c])
				bad_answer[c]++;
			if (prompt0[0] == '\0')
				snprintf(prompt0, sizeof(prompt0), "%s", cs.last_prompt);
			if (cs.prompts != 1 || strcmp(cs.last_prompt, prompt0) != 0)
				bad_prompt++;
		}
	}

	for (c = 0; c < NCLASS; c++)
		tap_ok(bad_answer[c] == 0, "%s: %s: %lld logins, each answered %s (%u other answers)",
		       src->name, class_name[c], n, pam_strerror(NULL, want[c]), bad_answer[c]);
	tap_ok(bad_prompt == 0 && strcmp(prompt0, "API key: ") == 0,
	       "%s: every class was asked the same one prompt \"%s\"", src->name, prompt0);
	tap_ok(n >= 2000, "%s: at least 2000 timings per class (%lld)", src->name, n);

	/* per pair of module classes, the median of the per-round differences */
	for (c = MODULE_FIRST, i = 0; c < NEQUAL; c++)
		for (d = c + 1; d < NEQUAL; d++, i++) {
			for (r = 0; r < (size_t)n; r++)
				diffs[r] = t[d][r] - t[c][r];
			qsort(diffs, (size_t)n, sizeof(double), cmp_double);
			paired[i] = quantile(diffs, (size_t)n, 0.5);
		}
	printf("# pam_authenticate time in microseconds, %lld interleaved logins per class\n", n);
	printf("# %-16s %9s %9s %9s %9s %9s\n", "class", "p10", "p25", "median", "p75", "p90");
	for (c = 0; c < NCLASS; c++) {
		qsort(t[c], (size_t)n, sizeof(double), cmp_double);
		printf("# %-16s %9.1f %9.1f %9.1f %9.1f %9.1f\n", class_name[c],
		       quantile(t[c], (size_t)n, 0.10), quantile(t[c], (size_t)n, 0.25),
		       quantile(t[c], (size_t)n, 0.5), quantile(t[c], (size_t)n, 0.75),
		       quantile(t[c], (size_t)n, 0.90));
	}
	printf("# (* reference classes: a malformed key is refused before the database\n"
	       "#  is read, by design; a right key is not a failure)\n");
	{
		double crit = 1.949 * square_root(2.0 / (double)n); /* alpha = 0.001, equal sizes */
		unsigned separable = 0;

		printf("# pairs of failure classes: Kolmogorov-Smirnov D (critical %.3f at alpha 0.001),"
		       " difference of medians\n", crit);
		for (c = 0; c < NEQUAL; c++)
			for (d = c + 1; d < NEQUAL; d++) {
				double D = ks_distance(t[c], (size_t)n, t[d], (size_t)n);
				double mc = quantile(t[c], (size_t)n, 0.5), md = quantile(t[d], (size_t)n, 0.5);

				if (D > crit)
					separable++;
				printf("# %-16s vs %-16s D = %.3f  %-14s medians differ by %+.1f us (%+.1f%%)\n",
				       class_name[c], class_name[d], D,
				       D > crit ? "SEPARABLE" : "not separable", md - mc,
				       mc > 0 ? 100.0 * (md - mc) / mc : 0.0);
			}
		for (c = MODULE_FIRST, i = 0; c < NEQUAL; c++)
			for (d = c + 1; d < NEQUAL; d++, i++) {
				double mc = quantile(t[c], (size_t)n, 0.5), md = quantile(t[d], (size_t)n, 0.5);
				double low = mc < md ? mc : md;
				double diff = paired[i] < 0 ? -paired[i] : paired[i];
				double allowed = low * MEDIAN_TOLERANCE > MEDIAN_FLOOR_US
						 ? low * MEDIAN_TOLERANCE : MEDIAN_FLOOR_US;

				snprintf(what, sizeof(what), "%s: equal work: %s (median %.1f us) and %s "
					 "(%.1f us): per-round difference %+.2f us, at most %.2f (%.0f%% "
					 "or %.1f us)", src->name, class_name[c], mc, class_name[d], md,
					 paired[i],
					 allowed, 100 * MEDIAN_TOLERANCE, MEDIAN_FLOOR_US);
				if (sanitized) { /* its checks cost what they cost, not the module */
					tap_diag("%s", what);
					tap_skip("equal work is a claim about the plain build, not one "
						 "under a sanitizer");
				} else {
					tap_ok(diff <= allowed, "%s", what);
				}
			}
		printf("# verdict: %u of %d pairs statistically separable at alpha 0.001%s\n", separable,
		       NEQUAL * (NEQUAL - 1) / 2,
		       separable ? " (a difference exists; its size above says whether it matters "
				   "next to network jitter and the 2 s failure delay)" : "");
	}
	for (c = 0; c < NCLASS; c++)
		free(t[c]);
	free(diffs);
	test_db_remove(&T);
}

int main(void)
{
	struct rng rng;
	long long n = 2000;
	const char *env = getenv("STRESS_TIMING_N");
	size_t i;

	if (env != NULL && atoll(env) > n)
		n = atoll(env);
	rng.s = stress_seed();
	for (i = 0; apk_keysources[i] != NULL; i++)
		time_source(apk_keysources[i], n, &rng);
	tap_ok(i > 0, "every key source timed (%zu)", i);
	return tap_done();
}
