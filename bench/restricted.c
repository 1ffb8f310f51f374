/* restricted.c - what a key's restrictions cost a login: one key with every
 * restriction set (an expiry, 16 services, 16 networks, the login's own
 * last of each) against a plain key of the same account file, in the same
 * rounds of one bench-login child; the ratio of the medians is printed in
 * the run (the target: at most 1.1).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <security/pam_appl.h>
#include <sodium.h>

#include "bench.h"
#include "when.h"

#define RESTRICTED_SERVICE "zz-restricted"
#define RESTRICTED_RATIO_MAX 1.1

/* 15 services, then the bench's own (sorted last); 15 IPv4 networks, then
 * the one holding bench-login's PAM_RHOST 203.0.113.7 (sorted last). */
static int restrictions(struct apk_record *r)
{
	char svc[APK_SERVICES_MAX][16], net[APK_NETWORKS_MAX][24], err[256];
	const char *sv[APK_SERVICES_MAX], *nv[APK_NETWORKS_MAX];
	int i;

	for (i = 0; i < APK_SERVICES_MAX - 1; i++) {
		snprintf(svc[i], sizeof(svc[i]), "svc-%02d", i);
		snprintf(net[i], sizeof(net[i]), "10.%d.0.0/16", i);
		sv[i] = svc[i];
		nv[i] = net[i];
	}
	sv[i] = RESTRICTED_SERVICE;
	nv[i] = "203.0.113.0/24";
	r->expires = (int64_t)time(NULL) + 365 * (int64_t)APK_SECONDS_PER_DAY;
	if (apk_services_parse(sv, APK_SERVICES_MAX, &r->services, err, sizeof(err)) != APK_OK ||
	    apk_networks_parse(nv, APK_NETWORKS_MAX, &r->networks, err, sizeof(err)) != APK_OK) {
		fprintf(stderr, "bench: %s\n", err);
		return -1;
	}
	return 0;
}

/* work/restricted: the measured account's plain and restricted keys, and
 * the service that reads them. */
static int restricted_setup(const struct bench_cfg *c, const struct bench_keys *k,
			    char plain[APK_KEY_LEN + 1], char all[APK_KEY_LEN + 1])
{
	struct apk_store_change *ch;
	struct apk_keyring kr;
	struct apk_record *r = NULL;
	char db[PATH_MAX], svc[PATH_MAX];
	int64_t now = (int64_t)time(NULL);
	enum apk_err err;
	FILE *fp;

	if (path_join(db, sizeof(db), c->work, "restricted") != 0 || mkdir(db, 0700) != 0 ||
	    apk_store_begin(db, k->me.uid, BENCH_LOCK_MS, &kr, &ch) != APK_OK)
		return -1;
	err = apk_keyring_generate(&kr, &k->me, "plain", NULL, now, plain, NULL);
	if (err == APK_OK)
		err = apk_keyring_generate(&kr, &k->me, "restricted", NULL, now, all, &r);
	if (err == APK_OK && restrictions(r) != 0)
		err = APK_ERR_INVALID;
	err = err == APK_OK ? apk_store_save(ch, &kr) : (apk_store_abandon(ch), err);
	apk_keyring_free(&kr);
	if (err != APK_OK || path_join(svc, sizeof(svc), c->work, "pam.d/" RESTRICTED_SERVICE) != 0 ||
	    (fp = fopen(svc, "w")) == NULL)
		return -1;
	fprintf(fp, "auth required %s db=%s nodelay\n", c->module, db);
	return fclose(fp) == 0 ? 0 : -1;
}

int restricted_measure(const struct bench_cfg *c, const struct bench_keys *k,
		       struct bench_result *res)
{
	char plain[APK_KEY_LEN + 1], all[APK_KEY_LEN + 1], plan[1024];
	double ratio;
	int n, rc = -1;

	if (restricted_setup(c, k, plain, all) != 0) {
		fprintf(stderr, "bench: FUNCTIONAL ERROR: could not set up the restricted key\n");
		goto out;
	}
	n = snprintf(plan, sizeof(plan), "%s %s %s %d %s\n%s %s %s %d %s\n", BENCH_PLAIN_LABEL,
		     RESTRICTED_SERVICE, k->me.name, PAM_SUCCESS, plain, BENCH_RESTRICTED_LABEL,
		     RESTRICTED_SERVICE, k->me.name, PAM_SUCCESS, all);
	fprintf(stderr, "# restrictions: a plain and a fully restricted key, 2 cells x %lu rounds\n",
		c->rounds);
	if (n < 0 || (size_t)n >= sizeof(plan) ||
	    logins_run_plan(c, plan, (size_t)n, 2, c->rounds, c->warmup, 0, res) != 0)
		goto out;
	ratio = res->restricted.median_us / res->plain.median_us;
	printf("restricted key: %.1f us, plain key %.1f us (medians): %.3fx - %s (at most %.1fx)\n",
	       res->restricted.median_us, res->plain.median_us, ratio,
	       ratio <= RESTRICTED_RATIO_MAX ? "PASS" : "MISS", RESTRICTED_RATIO_MAX);
	rc = 0;
out:
	sodium_memzero(plain, sizeof(plain));
	sodium_memzero(all, sizeof(all));
	sodium_memzero(plan, sizeof(plan));
	return rc;
}
