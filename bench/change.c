/* change.c - where the time of a key change goes
 *
 * In this process, through the store API apikeyctl uses, on the measured
 * account (which holds all but one of the keys an account may have):
 * apk_store_begin (lock, open and decode the account's file), the keyring
 * operation (in memory), and apk_store_save (write a new file, which gdbm
 * fsyncs as it closes; rename; fsync of the directory), for a generate and a delete.
 * Then the two fsyncs alone, in the same directory: fsync of a fresh,
 * unsynced copy of the account's file, and a rename followed by fsync of
 * the directory. What commit costs beyond them is gdbm writing the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "bench.h"

#define BRK_KEY "bench-brk"
#define SCRATCH "bench-scratch"
#define SCRATCH2 "bench-scratch2"

/* One generate (gen = 1) or delete change, timed in its three parts. */
static int change(const char *db, const struct apk_account *acct, int gen, uint64_t t[3])
{
	const char *name = BRK_KEY;
	char token[APK_KEY_LEN + 1];
	struct apk_store_change *ch;
	struct apk_keyring kr;
	struct apk_record *r;
	uint64_t t0, t1, t2;
	enum apk_err err;

	t0 = now_ns();
	if ((err = apk_store_begin(db, acct->uid, BENCH_LOCK_MS, &kr, &ch)) == APK_OK) {
		t1 = now_ns();
		if (gen)
			err = apk_keyring_generate(&kr, acct, name, NULL, (int64_t)time(NULL), token,
						   NULL);
		else if ((r = apk_keyring_find(&kr, acct, name)) == NULL)
			err = APK_ERR_NOTFOUND;
		else
			err = apk_keyring_delete(&kr, r->id);
		sodium_memzero(token, sizeof(token));
		t2 = now_ns();
		if (err == APK_OK)
			err = apk_store_save(ch, &kr);
		else
			apk_store_abandon(ch);
		apk_keyring_free(&kr);
		t[0] = t1 - t0;
		t[1] = t2 - t1;
		t[2] = now_ns() - t2;
	}
	if (err != APK_OK) {
		fprintf(stderr, "bench: FUNCTIONAL ERROR: %s in %s: %s\n", gen ? "generate" : "delete",
			db, apk_strerror(err));
		return -1;
	}
	return 0;
}

/* The two fsyncs of a commit, alone, next to the account's file. */
static int fsyncs(const char *db, uint32_t uid, uint64_t *file, uint64_t *dir)
{
	char name[32];
	int dfd, in, out = -1, rc = -1;
	uint64_t t0;

	snprintf(name, sizeof(name), "u%u", (unsigned)uid);
	if ((dfd = open(db, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	if ((in = openat(dfd, name, O_RDONLY | O_CLOEXEC)) >= 0 &&
	    (out = openat(dfd, SCRATCH, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) >= 0 &&
	    copy_range(in, out) == 0) {
		t0 = now_ns();
		if (fsync(out) == 0) {
			*file = now_ns() - t0;
			t0 = now_ns();
			if (renameat(dfd, SCRATCH, dfd, SCRATCH2) == 0 && fsync(dfd) == 0) {
				*dir = now_ns() - t0;
				rc = 0;
			}
		}
	}
	if (out >= 0)
		close(out);
	if (in >= 0)
		close(in);
	unlinkat(dfd, SCRATCH, 0);
	unlinkat(dfd, SCRATCH2, 0);
	close(dfd);
	return rc;
}

struct samples {
	uint64_t *v[BRK_COUNT];
	size_t n[BRK_COUNT];
};

static void add(struct samples *s, int part, uint64_t ns)
{
	s->v[part][s->n[part]++] = ns;
}

/* A generate and a delete, then the fsyncs alone. */
static int one_rep(const struct bench_keys *k, const char *db, struct samples *s)
{
	uint64_t t[3], f, d;
	int gen, p;

	for (gen = 1; gen >= 0; gen--) {
		if (change(db, &k->me, gen, t) != 0)
			return -1;
		for (p = 0; p < 3; p++)
			add(s, p, t[p]);
		add(s, BRK_TOTAL, t[0] + t[1] + t[2]);
	}
	if (fsyncs(db, k->me.uid, &f, &d) != 0) {
		fprintf(stderr, "bench: timing the fsyncs alone in %s failed: %s\n", db,
			strerror(errno));
		return -1;
	}
	add(s, BRK_FSYNC_FILE, f);
	add(s, BRK_FSYNC_DIR, d);
	return 0;
}

int change_measure(const struct bench_cfg *c, const struct bench_keys *k,
		   struct bench_result *res)
{
	struct samples s[BENCH_MAX_SIZES];
	unsigned rep;
	size_t i;
	int p, rc = 0;

	memset(s, 0, sizeof(s));
	for (i = 0; i < c->nsizes; i++)
		for (p = 0; p < BRK_COUNT; p++)
			if ((s[i].v[p] = calloc(2 * (size_t)c->brk_reps, sizeof(uint64_t))) == NULL)
				rc = -1;
	fprintf(stderr, "# a change's parts: %u repetitions at each size\n", c->brk_reps);
	for (rep = 0; rep < c->brk_reps && rc == 0; rep++)
		for (i = 0; i < c->nsizes && rc == 0; i++)
			rc = one_rep(k, res->sz[i].db, &s[i]);
	for (i = 0; i < c->nsizes; i++)
		for (p = 0; p < BRK_COUNT; p++) {
			if (rc == 0)
				stats_from_ns(s[i].v[p], s[i].n[p], &res->sz[i].brk[p]);
			free(s[i].v[p]);
		}
	return rc;
}
