/* fill.c - databases of synthetic keys, written through the store in bulk
 *
 * The store copies the whole file on every change, so keys are added many
 * to one change (store_begin ... store_commit). Synthetic accounts have
 * made-up uids far above any real one and names "synthN", with 1 to 100
 * keys each (spread evenly, about 50 on average); their records are built
 * like keyring_generate builds them: a fresh key, its digest under the
 * database's hash key. The measured account's key goes through
 * keyring_generate itself, so it is known and logs in for real.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "bench.h"

#define SYNTH_UID_BASE 2000000000u
#define SYNTH_DESC "synthetic benchmark key"
#define PROGRESS_EVERY 100000ul

struct filler {
	unsigned long account; /* the synthetic account being filled */
	unsigned left;         /* keys it still gets */
	unsigned next;         /* number of its next key name */
};

/* 1..100 keys, every count equally often over any 100 consecutive accounts. */
static unsigned keys_for(unsigned long account)
{
	return 1 + (unsigned)((account * 37u + 11u) % 100u);
}

struct filler *filler_new(void)
{
	struct filler *f = calloc(1, sizeof(*f));

	if (f != NULL) {
		f->left = keys_for(0);
		f->next = 1;
	}
	return f;
}

void filler_free(struct filler *f)
{
	free(f);
}

static enum apk_err put_synthetic(struct apk_store *st, const struct apk_meta *meta,
				  struct filler *f, int64_t now)
{
	struct apk_record r;
	struct apk_key key;
	enum apk_err err;

	if (f->left == 0) {
		f->account++;
		f->left = keys_for(f->account);
		f->next = 1;
	}
	memset(&r, 0, sizeof(r));
	do
		apk_key_generate(&key);
	while (key.id[0] == '-'); /* as keyring_generate */
	memcpy(r.id, key.id, sizeof(r.id));
	r.uid = SYNTH_UID_BASE + (uint32_t)f->account;
	snprintf(r.owner, sizeof(r.owner), "synth%lu", f->account);
	snprintf(r.name, sizeof(r.name), "key-%u", f->next);
	snprintf(r.description, sizeof(r.description), "%s", SYNTH_DESC);
	r.created = now;
	apk_key_digest(meta->hashkey, &key, r.digest);
	apk_key_wipe(&key);
	err = store_put_record(st, &r);
	if (err == APK_OK) {
		f->left--;
		f->next++;
	}
	return err;
}

/* Adds count synthetic keys to an open change. */
static enum apk_err add_synthetic(struct apk_store *st, struct filler *f, unsigned long count)
{
	struct apk_meta meta;
	int64_t now = (int64_t)time(NULL);
	enum apk_err err;
	unsigned long i;

	if ((err = store_get_meta(st, &meta)) != APK_OK)
		return err;
	for (i = 0; i < count && err == APK_OK; i++) {
		err = put_synthetic(st, &meta, f, now);
		if ((i + 1) % PROGRESS_EVERY == 0)
			fprintf(stderr, "#   %lu of %lu keys written\n", i + 1, count);
	}
	sodium_memzero(&meta, sizeof(meta));
	return err;
}

static int finish(struct apk_store *st, enum apk_err err, const char *db, uint64_t t0,
		  double *secs)
{
	if (err == APK_OK)
		err = store_commit(st);
	else
		store_close(st);
	if (err != APK_OK) {
		fprintf(stderr, "bench: filling %s: %s\n", db, apk_strerror(err));
		return -1;
	}
	*secs = (double)(now_ns() - t0) / 1e9;
	return 0;
}

int fill_first(const char *db, unsigned long want, struct filler *f, struct bench_keys *k,
	       double *secs)
{
	struct apk_store *st;
	uint64_t t0 = now_ns();
	enum apk_err err;

	if (want < 1)
		return -1;
	if ((err = store_begin(db, BENCH_LOCK_MS, &st)) != APK_OK) {
		fprintf(stderr, "bench: creating %s: %s\n", db, apk_strerror(err));
		return -1;
	}
	err = keyring_generate(st, &k->me, "bench-login", "benchmark login key",
			       (int64_t)time(NULL), k->right, NULL);
	if (err == APK_OK)
		err = add_synthetic(st, f, want - 1);
	return finish(st, err, db, t0, secs);
}

int fill_more(const char *from, const char *db, unsigned long have, unsigned long want,
	      struct filler *f, double *secs)
{
	struct apk_store *st;
	uint64_t t0;
	enum apk_err err;

	if (want < have || file_copy(from, db) != 0) {
		fprintf(stderr, "bench: cannot copy %s to %s\n", from, db);
		return -1;
	}
	t0 = now_ns();
	if ((err = store_begin(db, BENCH_LOCK_MS, &st)) != APK_OK) {
		fprintf(stderr, "bench: opening %s: %s\n", db, apk_strerror(err));
		return -1;
	}
	return finish(st, add_synthetic(st, f, want - have), db, t0, secs);
}

int fill_one_account(const char *db, unsigned n)
{
	struct apk_account acct;
	struct apk_store *st;
	char token[APK_KEY_LEN + 1];
	enum apk_err err;
	unsigned i;
	double secs;

	memset(&acct, 0, sizeof(acct));
	acct.uid = SYNTH_UID_BASE - 1;
	snprintf(acct.name, sizeof(acct.name), "synthsmall");
	if ((err = store_begin(db, BENCH_LOCK_MS, &st)) != APK_OK) {
		fprintf(stderr, "bench: creating %s: %s\n", db, apk_strerror(err));
		return -1;
	}
	for (i = 0; i < n && err == APK_OK; i++)
		err = keyring_generate(st, &acct, NULL, SYNTH_DESC, (int64_t)time(NULL), token, NULL);
	sodium_memzero(token, sizeof(token));
	return finish(st, err, db, now_ns(), &secs);
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
