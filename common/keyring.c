/* keyring.c - generate, find, list, rename, describe and delete one account's keys */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "apk_config.h"
#include "keyring.h"

/* A record is the account's when both its uid and its owner name match. */
static int owned_by(const struct apk_record *r, const struct apk_account *acct)
{
	return r->uid == acct->uid && strcmp(r->owner, acct->name) == 0;
}

enum apk_err keyring_list(struct apk_store *st, const struct apk_account *acct,
			  struct apk_record **recs, size_t *n)
{
	struct apk_index ix;
	struct apk_record *out;
	enum apk_err err;
	size_t i, m = 0;

	*recs = NULL;
	*n = 0;
	if ((err = store_get_index(st, &ix)) != APK_OK)
		return err;
	if ((out = calloc(ix.n ? ix.n : 1, sizeof(*out))) == NULL)
		return APK_ERR_NOMEM;
	for (i = 0; i < ix.n; i++) {
		err = store_get_record(st, ix.ids[i], &out[m]);
		if (err == APK_ERR_NOTFOUND)
			err = APK_ERR_CORRUPT; /* the index names a record that is not there */
		if (err != APK_OK) {
			free(out);
			return err;
		}
		if (owned_by(&out[m], acct)) /* never show another account's key */
			m++;
	}
	*recs = out;
	*n = m;
	return APK_OK;
}

enum apk_err keyring_find(struct apk_store *st, const struct apk_account *acct,
			  const char *name_or_id, struct apk_record *r)
{
	struct apk_record *recs;
	size_t n, i, hit = SIZE_MAX;
	enum apk_err err;

	if ((err = keyring_list(st, acct, &recs, &n)) != APK_OK)
		return err;
	for (i = 0; i < n && hit == SIZE_MAX; i++)
		if (strcmp(recs[i].name, name_or_id) == 0)
			hit = i;
	for (i = 0; i < n && hit == SIZE_MAX; i++)
		if (strcmp(recs[i].id, name_or_id) == 0)
			hit = i;
	if (hit != SIZE_MAX)
		*r = recs[hit];
	free(recs);
	return hit != SIZE_MAX ? APK_OK : APK_ERR_NOTFOUND;
}

static int name_taken(const struct apk_record *recs, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(recs[i].name, name) == 0)
			return 1;
	return 0;
}

enum apk_err keyring_generate(struct apk_store *st, const struct apk_account *acct,
			      const char *name, const char *desc, int64_t now,
			      char token_out[APK_KEY_LEN + 1], struct apk_record *rec_out)
{
	struct apk_record *recs = NULL, rec, probe;
	struct apk_meta meta;
	struct apk_key key;
	size_t n = 0;
	unsigned i;
	enum apk_err err;

	if ((name != NULL && !apk_name_valid(name)) || (desc != NULL && !apk_desc_valid(desc)) ||
	    !apk_user_valid(acct->name))
		return APK_ERR_INVALID;
	if ((err = keyring_list(st, acct, &recs, &n)) != APK_OK)
		return err;
	memset(&rec, 0, sizeof(rec));
	if (n >= APK_MAX_KEYS_PER_USER) {
		err = APK_ERR_LIMIT;
		goto out;
	}
	if (name != NULL) {
		if (name_taken(recs, n, name)) {
			err = APK_ERR_EXISTS;
			goto out;
		}
		snprintf(rec.name, sizeof(rec.name), "%s", name);
	} else {
		for (i = 1; ; i++) { /* the first free key-N; at most n + 1 tries */
			snprintf(rec.name, sizeof(rec.name), "key-%u", i);
			if (!name_taken(recs, n, rec.name))
				break;
		}
	}
	snprintf(rec.description, sizeof(rec.description), "%s", desc != NULL ? desc : "");
	snprintf(rec.owner, sizeof(rec.owner), "%s", acct->name);
	rec.uid = acct->uid;
	rec.created = now;

	if ((err = store_get_meta(st, &meta)) != APK_OK)
		goto out;
	for (i = 0; ; i++) { /* ids are 72 random bits: a clash is for tests to provoke */
		do /* an id shown as "-..." would read as an option on a command line */
			apk_key_generate(&key);
		while (key.id[0] == '-');
		err = store_get_record(st, key.id, &probe);
		if (err == APK_ERR_NOTFOUND)
			break;
		apk_key_wipe(&key);
		if (err != APK_OK)
			goto out;
		if (i == 8) {
			err = APK_ERR_CORRUPT;
			goto out;
		}
	}
	memcpy(rec.id, key.id, sizeof(rec.id));
	apk_key_digest(meta.hashkey, &key, rec.digest);
	err = store_put_record(st, &rec);
	if (err == APK_OK) {
		apk_key_format(&key, token_out);
		if (rec_out != NULL)
			*rec_out = rec;
	}
	apk_key_wipe(&key);
out:
	sodium_memzero(&meta, sizeof(meta));
	free(recs);
	return err;
}

enum apk_err keyring_rename(struct apk_store *st, const struct apk_account *acct,
			    const char *name_or_id, const char *newname)
{
	struct apk_record *recs, r;
	size_t n;
	enum apk_err err;

	if (!apk_name_valid(newname))
		return APK_ERR_INVALID;
	if ((err = keyring_find(st, acct, name_or_id, &r)) != APK_OK)
		return err;
	if (strcmp(r.name, newname) == 0)
		return APK_OK;
	if ((err = keyring_list(st, acct, &recs, &n)) != APK_OK)
		return err;
	err = name_taken(recs, n, newname) ? APK_ERR_EXISTS : APK_OK;
	free(recs);
	if (err != APK_OK)
		return err;
	snprintf(r.name, sizeof(r.name), "%s", newname);
	return store_put_record(st, &r);
}

enum apk_err keyring_describe(struct apk_store *st, const struct apk_account *acct,
			      const char *name_or_id, const char *desc)
{
	struct apk_record r;
	enum apk_err err;

	if (!apk_desc_valid(desc))
		return APK_ERR_INVALID;
	if ((err = keyring_find(st, acct, name_or_id, &r)) != APK_OK)
		return err;
	snprintf(r.description, sizeof(r.description), "%s", desc);
	return store_put_record(st, &r);
}

enum apk_err keyring_delete(struct apk_store *st, const struct apk_account *acct,
			    const char *const *names, size_t n, size_t *bad)
{
	char (*ids)[APK_ID_LEN + 1];
	struct apk_record r;
	enum apk_err err = APK_OK;
	size_t i;

	if ((ids = calloc(n ? n : 1, sizeof(*ids))) == NULL)
		return APK_ERR_NOMEM;
	/* Resolve every name first: one unknown name deletes nothing. */
	for (i = 0; i < n && err == APK_OK; i++) {
		err = keyring_find(st, acct, names[i], &r);
		if (err == APK_OK)
			memcpy(ids[i], r.id, sizeof(ids[i]));
		else if (bad != NULL)
			*bad = i;
	}
	for (i = 0; i < n && err == APK_OK; i++) {
		err = store_delete_record(st, ids[i]);
		if (err == APK_ERR_NOTFOUND)
			err = APK_OK; /* the same key named twice */
	}
	free(ids);
	return err;
}
