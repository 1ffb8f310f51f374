/* fill.c - databases of synthetic keys, written through the store API
 *
 * A database is a directory with one file per account, and a change
 * rewrites one account's file: each account's keys go in with one change
 * (apk_store_begin ... apk_store_save). Synthetic accounts have made-up uids far
 * above any real one and names "synthN", with 1 to 100 keys each (every
 * count equally often, about 50 on average); their records are built as
 * apk_keyring_generate builds them: a fresh key, its digest under the hash key
 * of the account's file. The measured account (the caller) gets its keys
 * through apk_keyring_generate itself: one known key that logs in for real, and
 * as many more as leave room for exactly one, so that every measured change
 * rewrites the largest file an account can have.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "apk_config.h"
#include "bench.h"

#define SYNTH_UID_BASE 2000000000u
#define SYNTH_DESC "synthetic benchmark key"
#define PROGRESS_EVERY 100000ul

struct filler {
	unsigned long account; /* the synthetic account being filled */
	unsigned done;         /* keys it already has */
	unsigned long written; /* keys written since the last progress line */
};

/* 1..100 keys, every count equally often over any 100 consecutive accounts. */
static unsigned keys_for(unsigned long account)
{
	return 1 + (unsigned)((account * 37u + 11u) % 100u);
}

struct filler *filler_new(void)
{
	return calloc(1, sizeof(struct filler));
}

void filler_free(struct filler *f)
{
	free(f);
}

static void synthetic_record(const struct apk_meta *meta, unsigned long account, unsigned number,
			     int64_t now, struct apk_record *r)
{
	struct apk_key key;

	memset(r, 0, sizeof(*r));
	do
		apk_key_generate(&key);
	while (key.id[0] == '-'); /* as apk_keyring_generate */
	memcpy(r->id, key.id, sizeof(r->id));
	r->uid = SYNTH_UID_BASE + (uint32_t)account;
	snprintf(r->owner, sizeof(r->owner), "synth%lu", account);
	snprintf(r->name, sizeof(r->name), "key-%u", number);
	snprintf(r->description, sizeof(r->description), "%s", SYNTH_DESC);
	r->created = now;
	apk_key_digest(meta->hashkey, &key, r->digest);
	apk_key_wipe(&key);
}

static int finish(struct apk_store_change *ch, struct apk_keyring *kr, enum apk_err err,
		  const char *dir, const char *what)
{
	if (err == APK_OK)
		err = apk_store_save(ch, kr);
	else
		apk_store_abandon(ch);
	apk_keyring_free(kr);
	if (err != APK_OK) {
		fprintf(stderr, "bench: FUNCTIONAL ERROR: %s in %s: %s\n", what, dir,
			apk_strerror(err));
		return -1;
	}
	return 0;
}

/* Gives the current synthetic account n more keys, in one change. */
static int put_account(const char *dir, const struct filler *f, unsigned n)
{
	struct apk_store_change *ch;
	struct apk_keyring kr;
	struct apk_record r;
	int64_t now = (int64_t)time(NULL);
	enum apk_err err;
	unsigned i;

	err = apk_store_begin(dir, SYNTH_UID_BASE + (uint32_t)f->account, BENCH_LOCK_MS, &kr, &ch);
	if (err != APK_OK) {
		apk_keyring_free(&kr);
		fprintf(stderr, "bench: FUNCTIONAL ERROR: apk_store_begin in %s: %s\n", dir,
			apk_strerror(err));
		return -1;
	}
	for (i = 0; i < n && err == APK_OK; i++) {
		synthetic_record(&kr.meta, f->account, f->done + i + 1, now, &r);
		err = apk_keyring_append(&kr, &r);
	}
	sodium_memzero(&r, sizeof(r));
	return finish(ch, &kr, err, dir, "adding synthetic keys");
}

static int add_synthetic(const char *dir, struct filler *f, unsigned long count)
{
	unsigned n;

	while (count > 0) {
		n = keys_for(f->account) - f->done;
		if (n > count)
			n = (unsigned)count;
		if (put_account(dir, f, n) != 0)
			return -1;
		count -= n;
		f->done += n;
		if (f->done == keys_for(f->account)) {
			f->account++;
			f->done = 0;
		}
		if ((f->written += n) >= PROGRESS_EVERY) {
			fprintf(stderr, "#   %lu keys to go\n", count);
			f->written = 0;
		}
	}
	return 0;
}

int fill_first(const char *dir, unsigned long want, struct filler *f, struct bench_keys *k,
	       double *secs)
{
	struct apk_store_change *ch;
	struct apk_keyring kr;
	char token[APK_KEY_LEN + 1];
	uint64_t t0 = now_ns();
	int64_t now = (int64_t)time(NULL);
	enum apk_err err;
	unsigned i;

	if (want < BENCH_REAL_KEYS)
		return -1;
	if ((err = apk_store_begin(dir, k->me.uid, BENCH_LOCK_MS, &kr, &ch)) != APK_OK) {
		apk_keyring_free(&kr);
		fprintf(stderr, "bench: FUNCTIONAL ERROR: apk_store_begin in %s: %s\n", dir,
			apk_strerror(err));
		return -1;
	}
	err = apk_keyring_generate(&kr, &k->me, "bench-login", "benchmark login key", now,
				   k->right, NULL);
	for (i = 1; i < BENCH_REAL_KEYS && err == APK_OK; i++)
		err = apk_keyring_generate(&kr, &k->me, NULL, SYNTH_DESC, now, token, NULL);
	sodium_memzero(token, sizeof(token));
	if (finish(ch, &kr, err, dir, "generating the measured account's keys") != 0 ||
	    add_synthetic(dir, f, want - BENCH_REAL_KEYS) != 0)
		return -1;
	*secs = (double)(now_ns() - t0) / 1e9;
	return 0;
}

int fill_more(const char *from, const char *dir, unsigned long have, unsigned long want,
	      struct filler *f, double *secs)
{
	uint64_t t0;

	if (want < have || dir_copy(from, dir) != 0) {
		fprintf(stderr, "bench: cannot copy %s to %s\n", from, dir);
		return -1;
	}
	t0 = now_ns();
	if (add_synthetic(dir, f, want - have) != 0)
		return -1;
	*secs = (double)(now_ns() - t0) / 1e9;
	return 0;
}

int keys_derive(struct bench_keys *k)
{
	struct apk_key key;
	size_t last = APK_KEY_LEN - 1;

	if (apk_key_parse(k->right, APK_KEY_LEN, &key) != APK_OK)
		return -1;
	randombytes_buf(key.secret, sizeof(key.secret));
	apk_key_format(&key, k->wrong);
	apk_key_wipe(&key);
	memcpy(k->malformed, k->right, sizeof(k->malformed));
	/* Another base64url character in the checksum: the checksum no longer matches. */
	k->malformed[last] = k->malformed[last] == 'A' ? 'B' : 'A';
	if (apk_key_parse(k->malformed, APK_KEY_LEN, &key) != APK_ERR_BADKEY ||
	    apk_key_parse(k->wrong, APK_KEY_LEN, &key) != APK_OK ||
	    memcmp(k->wrong, k->right, APK_KEY_PREFIX_LEN + APK_ID_LEN) != 0 ||
	    strcmp(k->wrong, k->right) == 0) {
		apk_key_wipe(&key);
		return -1;
	}
	apk_key_wipe(&key);
	return 0;
}
