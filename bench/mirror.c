/* mirror.c - what writing the directory's mirror costs (mirror.h): the
 * initial mirror of 100,000 keys over 50,000 accounts (2,000 accounts in
 * --smoke), each account's file put through apk_mirror_put, then one
 * apk_mirror_sync, timed apart; and the whole again on the full mirror
 * (every file replaced), as a full refresh does it */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "bench.h"
#include "mirror.h"

#define MIRROR_ACCOUNTS 50000u
#define MIRROR_ACCOUNTS_SMOKE 2000u
#define MIRROR_KEYS_EACH 2u
#define MIRROR_UID0 200000u

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Account uid's keys: fresh directory records. */
static void keys_of(uint32_t uid, struct apk_keyring *kr)
{
	struct apk_fleet_digest d;
	struct apk_record r;
	struct apk_key k;
	unsigned i;

	kr->n = 0;
	for (i = 0; i < MIRROR_KEYS_EACH; i++) {
		memset(&r, 0, sizeof(r));
		apk_key_generate(&k);
		memcpy(r.id, k.id, sizeof(r.id));
		r.uid = uid;
		snprintf(r.owner, sizeof(r.owner), "user%u", (unsigned)uid);
		snprintf(r.name, sizeof(r.name), "key-%u", i + 1);
		r.created = 1767225600;
		apk_fleet_digest_make(&k, &d);
		apk_mirror_record_digest(&r, &d);
		apk_key_wipe(&k);
		(void)apk_keyring_append(kr, &r);
	}
}

/* One pass: every account put, then synced. */
static int pass(int fd, unsigned accounts, struct apk_keyring *kr, double *put, double *sync)
{
	double t0, t1;
	unsigned a;

	*put = 0;
	for (a = 0; a < accounts; a++) {
		keys_of(MIRROR_UID0 + a, kr); /* not timed: the daemon's decoding */
		t0 = now_s();
		if (apk_mirror_put(fd, MIRROR_UID0 + a, kr) != APK_OK) {
			fprintf(stderr, "bench: FUNCTIONAL ERROR: apk_mirror_put of uid %u failed\n",
				MIRROR_UID0 + a);
			return -1;
		}
		*put += now_s() - t0;
	}
	t0 = now_s();
	if (apk_mirror_sync(fd) != APK_OK) {
		fprintf(stderr, "bench: FUNCTIONAL ERROR: apk_mirror_sync failed\n");
		return -1;
	}
	t1 = now_s();
	*sync = t1 - t0;
	return 0;
}

int mirror_measure(const struct bench_cfg *c)
{
	unsigned accounts = c->smoke ? MIRROR_ACCOUNTS_SMOKE : MIRROR_ACCOUNTS;
	struct apk_keyring kr;
	char dir[PATH_MAX];
	double put, sync;
	int fd, failed = 0;

	if (path_join(dir, sizeof(dir), c->work, "mirror") != 0 || mkdir(dir, 0700) != 0 ||
	    apk_mirror_open(dir, &fd) != APK_OK) {
		fprintf(stderr, "bench: FUNCTIONAL ERROR: cannot make the mirror in %s\n", dir);
		return -1;
	}
	apk_keyring_init(&kr);
	if (pass(fd, accounts, &kr, &put, &sync) == 0)
		printf("mirror (apk_mirror_put, mirror.h): initial mirror of %u keys over %u accounts: "
		       "puts %.2f s (%.0f accounts/s), one apk_mirror_sync %.2f s, in all %.2f s\n",
		       accounts * MIRROR_KEYS_EACH, accounts, put, accounts / put, sync, put + sync);
	else
		failed = 1;
	if (!failed && pass(fd, accounts, &kr, &put, &sync) == 0)
		printf("mirror (apk_mirror_put, mirror.h): every file replaced again: "
		       "puts %.2f s, apk_mirror_sync %.2f s, in all %.2f s\n",
		       put, sync, put + sync);
	else
		failed = 1;
	apk_keyring_free(&kr);
	close(fd);
	return failed ? -1 : 0;
}
