/* breakdown.c - where the time of a key change goes
 *
 * In this process, through the store API apikeyctl uses: store_begin (lock,
 * copy of the whole file, gdbm open of the copy), the keyring operation, and
 * store_commit (gdbm_sync, fsync, rename, fsync of the directory), for a
 * generate and for a delete. Then, to split store_begin and store_commit:
 * copy_file_range of the whole file alone and fsync of that copy alone.
 * Two figures for a redesign: an in-place gdbm change (open, one store,
 * gdbm_sync, close on the file itself, no copy) and a whole change in a file
 * that holds only one account's 100 keys (a file per account).
 */
#include <errno.h>
#include <fcntl.h>
#include <gdbm.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "bench.h"

#define BRK_KEY "bench-brk"
#define INPLACE_KEY "zbench-inplace"
#define SCRATCH "scratch.db"
#define SMALL_DB "one-account.db"
#define SMALL_KEYS 99 /* and the one each change adds: 100 */

static const struct apk_account small_acct = { 2000000000u - 1, "synthsmall" };

/* One generate (gen = 1) or delete change, timed in its three parts. */
static int change(const char *db, const struct apk_account *acct, int gen, uint64_t t[3])
{
	const char *name = BRK_KEY;
	char token[APK_KEY_LEN + 1];
	struct apk_store *st;
	uint64_t t0, t1, t2;
	enum apk_err err;

	t0 = now_ns();
	if ((err = store_begin(db, BENCH_LOCK_MS, &st)) == APK_OK) {
		t1 = now_ns();
		if (gen)
			err = keyring_generate(st, acct, name, NULL, (int64_t)time(NULL), token, NULL);
		else
			err = keyring_delete(st, acct, &name, 1, NULL);
		sodium_memzero(token, sizeof(token));
		t2 = now_ns();
		if (err == APK_OK)
			err = store_commit(st);
		else
			store_close(st);
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

/* copy_file_range of db to a fresh scratch file, then fsync of it. */
static int copy_and_fsync(const struct bench_cfg *c, const char *db, uint64_t *copy,
			  uint64_t *sync)
{
	char path[PATH_MAX];
	int in, out, rc = -1;
	uint64_t t0, t1;

	if (path_join(path, sizeof(path), c->work, SCRATCH) != 0 ||
	    (in = open(db, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if ((out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) >= 0) {
		t0 = now_ns();
		if (copy_range(in, out) == 0) {
			t1 = now_ns();
			if (fsync(out) == 0) {
				*copy = t1 - t0;
				*sync = now_ns() - t1;
				rc = 0;
			}
		}
		close(out);
		unlink(path);
	}
	close(in);
	return rc;
}

/* One record-sized value stored (or deleted) in place, then gdbm_sync. */
static int inplace(const char *db, int del, uint64_t *ns)
{
	char kbuf[] = INPLACE_KEY;
	unsigned char vbuf[160];
	datum k = { kbuf, (int)strlen(kbuf) }, v = { (char *)vbuf, (int)sizeof(vbuf) };
	uint64_t t0 = now_ns();
	GDBM_FILE g;
	int rc;

	randombytes_buf(vbuf, sizeof(vbuf));
	if ((g = gdbm_open(db, 0, GDBM_WRITER | GDBM_NOLOCK, 0600, NULL)) == NULL)
		return -1;
	rc = del ? gdbm_delete(g, k) : gdbm_store(g, k, v, GDBM_REPLACE);
	if (gdbm_sync(g) != 0)
		rc = -1;
	if (gdbm_close(g) != 0)
		rc = -1;
	if (ns != NULL)
		*ns = now_ns() - t0;
	return rc == 0 ? 0 : -1;
}

static void probe_reflink(const struct bench_cfg *c, const char *db, char *out, size_t outsz)
{
	char path[PATH_MAX];
	int in, dst;

	snprintf(out, outsz, "not probed");
	if (path_join(path, sizeof(path), c->work, SCRATCH) != 0 ||
	    (in = open(db, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	if ((dst = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) >= 0) {
		if (ioctl(dst, FICLONE, in) == 0)
			snprintf(out, outsz, "FICLONE works here (a copy can share blocks)");
		else
			snprintf(out, outsz, "FICLONE fails here (%s): every copy writes every byte",
				 strerror(errno));
		close(dst);
		unlink(path);
	}
	close(in);
}

struct samples {
	uint64_t *v[BRK_COUNT];
	size_t n[BRK_COUNT];
};

static void add(struct samples *s, int part, uint64_t ns)
{
	s->v[part][s->n[part]++] = ns;
}

/* Two changes (generate, delete), a raw copy + fsync and an in-place change. */
static int one_rep(const struct bench_cfg *c, const struct bench_keys *k, const char *db,
		   struct samples *s)
{
	uint64_t t[3], a, b;
	int gen, p;

	for (gen = 1; gen >= 0; gen--) {
		if (change(db, &k->me, gen, t) != 0)
			return -1;
		for (p = 0; p < 3; p++)
			add(s, p, t[p]);
		add(s, BRK_TOTAL, t[0] + t[1] + t[2]);
	}
	if (copy_and_fsync(c, db, &a, &b) != 0 || inplace(db, 0, &t[0]) != 0) {
		fprintf(stderr, "bench: raw copy or in-place change of %s failed\n", db);
		return -1;
	}
	add(s, BRK_COPY, a);
	add(s, BRK_FSYNC, b);
	add(s, BRK_INPLACE, t[0]);
	return 0;
}

static int small_changes(const struct bench_cfg *c, struct bench_result *res)
{
	char db[PATH_MAX];
	uint64_t *v, t[3];
	unsigned rep;
	size_t n = 0;
	int gen, rc = 0;

	if (path_join(db, sizeof(db), c->work, SMALL_DB) != 0 ||
	    fill_one_account(db, SMALL_KEYS) != 0 ||
	    (v = calloc(2 * (size_t)c->brk_reps, sizeof(*v))) == NULL)
		return -1;
	for (rep = 0; rep < c->brk_reps && rc == 0; rep++)
		for (gen = 1; gen >= 0 && rc == 0; gen--)
			if ((rc = change(db, &small_acct, gen, t)) == 0)
				v[n++] = t[0] + t[1] + t[2];
	if (rc == 0)
		stats_from_ns(v, n, &res->small_change);
	free(v);
	return rc;
}

int breakdown_measure(const struct bench_cfg *c, const struct bench_keys *k,
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
	probe_reflink(c, res->sz[c->nsizes - 1].db, res->reflink, sizeof(res->reflink));
	fprintf(stderr, "# breakdown: %u repetitions at each size\n", c->brk_reps);
	for (rep = 0; rep < c->brk_reps && rc == 0; rep++)
		for (i = 0; i < c->nsizes && rc == 0; i++)
			rc = one_rep(c, k, res->sz[i].db, &s[i]);
	for (i = 0; i < c->nsizes; i++) {
		if (rc == 0 && inplace(res->sz[i].db, 1, NULL) != 0)
			rc = -1; /* take the in-place key out again */
		for (p = 0; p < BRK_COUNT; p++) {
			if (rc == 0)
				stats_from_ns(s[i].v[p], s[i].n[p], &res->sz[i].brk[p]);
			free(s[i].v[p]);
		}
	}
	if (rc == 0)
		rc = small_changes(c, res);
	return rc;
}
