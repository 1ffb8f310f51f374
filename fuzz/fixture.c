/* fixture.c - fixed keys and a template database for the PAM fuzz target */
#include <gdbm.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "fixture.h"

#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

static void make_key(struct apk_key *k, unsigned char idseed, unsigned char secretseed)
{
	unsigned char idbin[APK_ID_BYTES];
	size_t i;

	for (i = 0; i < sizeof(idbin); i++)
		idbin[i] = (unsigned char)(idseed + 17 * i);
	memset(k, 0, sizeof(*k));
	sodium_bin2base64(k->id, sizeof(k->id), idbin, sizeof(idbin), B64);
	for (i = 0; i < sizeof(k->secret); i++)
		k->secret[i] = (unsigned char)(secretseed + 31 * i);
}

size_t fixture_record_key(char out[1 + APK_ID_LEN], const char *id)
{
	out[0] = 'k';
	memcpy(out + 1, id, APK_ID_LEN);
	return 1 + APK_ID_LEN;
}

int fixture_account_file(char *out, size_t outsz, const char *dir, uint32_t uid)
{
	int n = snprintf(out, outsz, "%s/u%lu", dir, (unsigned long)uid);

	return n > 0 && (size_t)n < outsz ? 0 : -1;
}

int fixture_init(struct fixture *f)
{
	struct passwd *pw;
	struct apk_meta meta;
	struct apk_record rec;
	static struct apk_index ix;
	size_t i;

	memset(f, 0, sizeof(*f));
	if (apk_crypto_init() != APK_OK || (pw = getpwuid(getuid())) == NULL ||
	    strlen(pw->pw_name) > APK_USER_MAX)
		return -1;
	f->uid = (uint32_t)pw->pw_uid;
	snprintf(f->user, sizeof(f->user), "%s", pw->pw_name);

	make_key(&f->key[0], 0x10, 0x40);
	make_key(&f->key[1], 0x10, 0x41); /* K0's id, another secret */
	make_key(&f->key[2], 0x90, 0x40); /* an id with no record */
	for (i = 0; i < FIX_NKEYS; i++)
		apk_key_format(&f->key[i], f->token[i]);
	for (i = 0; i < sizeof(f->hashkey); i++)
		f->hashkey[i] = (unsigned char)(0xC3 ^ (7 * i));
	apk_key_digest(f->hashkey, &f->key[0], f->d0);

	for (i = 0; i < sizeof(meta.hashkey); i++)
		meta.hashkey[i] = (unsigned char)(0x5A ^ (13 * i));
	if (apk_meta_encode(&meta, f->decoy_meta, sizeof(f->decoy_meta), &f->decoy_meta_len) != APK_OK)
		return -1;
	memcpy(meta.hashkey, f->hashkey, sizeof(meta.hashkey));
	memset(&rec, 0, sizeof(rec));
	memcpy(rec.id, f->key[0].id, sizeof(rec.id));
	rec.uid = f->uid;
	snprintf(rec.owner, sizeof(rec.owner), "%s", f->user);
	snprintf(rec.name, sizeof(rec.name), "fuzz-key");
	snprintf(rec.description, sizeof(rec.description), "the fuzz target's key");
	rec.created = 1700000000;
	memcpy(rec.digest, f->d0, sizeof(rec.digest));
	memset(&ix, 0, sizeof(ix));
	ix.n = 1;
	memcpy(ix.ids[0], f->key[0].id, sizeof(ix.ids[0]));
	if (apk_meta_encode(&meta, f->meta, sizeof(f->meta), &f->meta_len) != APK_OK ||
	    apk_record_encode(&rec, f->record, sizeof(f->record), &f->record_len) != APK_OK ||
	    apk_index_encode(&ix, f->index, sizeof(f->index), &f->index_len) != APK_OK)
		return -1;
	return 0;
}

static int store_one(GDBM_FILE db, const char *k, size_t klen, const unsigned char *v, size_t vlen)
{
	datum dk = { (char *)(uintptr_t)k, (int)klen };
	datum dv = { (char *)(uintptr_t)v, (int)vlen };

	return gdbm_store(db, dk, dv, GDBM_REPLACE) == 0 ? 0 : -1;
}

int fixture_write_file(const char *path, const unsigned char *meta, size_t meta_len,
		       const char *id, const unsigned char *record, size_t record_len,
		       const unsigned char *index, size_t index_len)
{
	char rk[1 + APK_ID_LEN];
	GDBM_FILE db;
	int rc = 0;

	unlink(path);
	db = gdbm_open(path, FIX_BLOCK_SIZE, GDBM_NEWDB | GDBM_NOLOCK | GDBM_NOMMAP, 0600, NULL);
	if (db == NULL)
		return -1;
	if (meta != NULL)
		rc |= store_one(db, FIX_KEY_META, 1, meta, meta_len);
	if (record != NULL && id != NULL)
		rc |= store_one(db, rk, fixture_record_key(rk, id), record, record_len);
	if (index != NULL)
		rc |= store_one(db, FIX_KEY_INDEX, 1, index, index_len);
	if (gdbm_close(db) != 0)
		rc = -1;
	return rc;
}

int fixture_write_template(const struct fixture *f, const char *dir)
{
	char path[PATH_MAX];
	int n;

	if (fixture_account_file(path, sizeof(path), dir, f->uid) != 0 ||
	    fixture_write_file(path, f->meta, f->meta_len, f->key[0].id, f->record,
			       f->record_len, f->index, f->index_len) != 0)
		return -1;
	n = snprintf(path, sizeof(path), "%s/%s", dir, FIX_DECOY);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	return fixture_write_file(path, f->decoy_meta, f->decoy_meta_len, NULL, NULL, 0, NULL, 0);
}
