/* keyring.c - one account's keys in memory: find, generate, rename, describe, delete */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "apk_config.h"
#include "keyring.h"

/* A generated id is 72 random bits: it meets one of at most a thousand ids
 * or names only when the random generator is broken. */
#define ID_TRIES 8

void apk_keyring_init(struct apk_keyring *kr)
{
	memset(kr, 0, sizeof(*kr));
	randombytes_buf(kr->meta.hashkey, sizeof(kr->meta.hashkey));
}

void apk_keyring_free(struct apk_keyring *kr)
{
	if (kr->recs != NULL) {
		sodium_memzero(kr->recs, kr->cap * sizeof(*kr->recs));
		free(kr->recs);
	}
	sodium_memzero(kr, sizeof(*kr));
}

enum apk_err apk_keyring_append(struct apk_keyring *kr, const struct apk_record *r)
{
	struct apk_record *grown;
	size_t cap;

	if (kr->n >= APK_MAX_INDEX_IDS)
		return APK_ERR_LIMIT;
	if (kr->n == kr->cap) {
		cap = kr->cap ? kr->cap * 2 : 8;
		/* a new block, the old one wiped: no copy of a record left behind */
		if ((grown = calloc(cap, sizeof(*grown))) == NULL)
			return APK_ERR_NOMEM;
		if (kr->recs != NULL) {
			memcpy(grown, kr->recs, kr->n * sizeof(*grown));
			sodium_memzero(kr->recs, kr->cap * sizeof(*kr->recs));
			free(kr->recs);
		}
		kr->recs = grown;
		kr->cap = cap;
	}
	kr->recs[kr->n++] = *r;
	return APK_OK;
}

int apk_keyring_owns(const struct apk_account *acct, const struct apk_record *r)
{
	return r->uid == acct->uid && strcmp(r->owner, acct->name) == 0;
}

struct apk_record *apk_keyring_find(const struct apk_keyring *kr, const struct apk_account *acct,
				    const char *word)
{
	size_t i;

	/* ids first: an id always means its key, even beside an older name equal to it */
	for (i = 0; i < kr->n; i++)
		if (strcmp(kr->recs[i].id, word) == 0 && apk_keyring_owns(acct, &kr->recs[i]))
			return &kr->recs[i];
	for (i = 0; i < kr->n; i++)
		if (strcmp(kr->recs[i].name, word) == 0 && apk_keyring_owns(acct, &kr->recs[i]))
			return &kr->recs[i];
	return NULL;
}

size_t apk_keyring_count(const struct apk_keyring *kr, const struct apk_account *acct)
{
	size_t i, n = 0;

	for (i = 0; i < kr->n; i++)
		n += apk_keyring_owns(acct, &kr->recs[i]) != 0;
	return n;
}

/* Whether word is the id or the name of any key in the file. */
static int id_taken(const struct apk_keyring *kr, const char *word)
{
	size_t i;

	for (i = 0; i < kr->n; i++)
		if (strcmp(kr->recs[i].id, word) == 0)
			return 1;
	return 0;
}

static int word_taken(const struct apk_keyring *kr, const char *word)
{
	size_t i;

	for (i = 0; i < kr->n; i++)
		if (strcmp(kr->recs[i].name, word) == 0)
			return 1;
	return id_taken(kr, word);
}

enum apk_err apk_keyring_name_free(const struct apk_keyring *kr, const struct apk_account *acct,
				   const char *name, const struct apk_record *self)
{
	size_t i;

	if (id_taken(kr, name))
		return APK_ERR_NAMEISID;
	for (i = 0; i < kr->n; i++)
		if (&kr->recs[i] != self && strcmp(kr->recs[i].name, name) == 0 &&
		    apk_keyring_owns(acct, &kr->recs[i]))
			return APK_ERR_EXISTS;
	return APK_OK;
}

/* Copies s into dst (size dstsz); APK_ERR_INVALID when it does not fit. */
static enum apk_err set_string(char *dst, size_t dstsz, const char *s)
{
	size_t len = strlen(s);

	if (len >= dstsz)
		return APK_ERR_INVALID;
	memcpy(dst, s, len + 1);
	return APK_OK;
}

/* A fresh key whose id is neither an id nor a name in kr. */
static enum apk_err new_key(const struct apk_keyring *kr, struct apk_key *key)
{
	int i;

	for (i = 0; i < ID_TRIES; i++) {
		do /* an id shown as "-..." would read as an option on a command line */
			apk_key_generate(key);
		while (key->id[0] == '-');
		if (!word_taken(kr, key->id))
			return APK_OK;
		apk_key_wipe(key);
	}
	return APK_ERR_NORANDOM;
}

enum apk_err apk_keyring_generate(struct apk_keyring *kr, const struct apk_account *acct,
				  const char *name, const char *desc, int64_t now,
				  char token_out[APK_KEY_LEN + 1], struct apk_record **added)
{
	return apk_keyring_generate_within(kr, acct, name, desc, now, APK_MAX_KEYS_PER_USER,
					   token_out, added);
}

enum apk_err apk_keyring_generate_within(struct apk_keyring *kr, const struct apk_account *acct,
					 const char *name, const char *desc, int64_t now,
					 size_t max_keys, char token_out[APK_KEY_LEN + 1],
					 struct apk_record **added)
{
	struct apk_record rec;
	struct apk_key key;
	unsigned i;
	enum apk_err err;

	if (apk_keyring_count(kr, acct) >= max_keys)
		return APK_ERR_LIMIT;
	memset(&rec, 0, sizeof(rec));
	if (name != NULL) {
		if ((err = apk_keyring_name_free(kr, acct, name, NULL)) != APK_OK ||
		    (err = set_string(rec.name, sizeof(rec.name), name)) != APK_OK)
			return err;
	} else {
		for (i = 1; ; i++) { /* the first free key-N; at most n + 1 tries */
			snprintf(rec.name, sizeof(rec.name), "key-%u", i);
			if (apk_keyring_name_free(kr, acct, rec.name, NULL) == APK_OK)
				break;
		}
	}
	if ((err = set_string(rec.description, sizeof(rec.description),
			      desc != NULL ? desc : "")) != APK_OK ||
	    (err = set_string(rec.owner, sizeof(rec.owner), acct->name)) != APK_OK)
		return err;
	rec.uid = acct->uid;
	rec.created = now;
	if ((err = new_key(kr, &key)) != APK_OK)
		return err;
	memcpy(rec.id, key.id, sizeof(rec.id));
	apk_key_digest(kr->meta.hashkey, &key, rec.digest);
	if ((err = apk_keyring_append(kr, &rec)) == APK_OK) {
		apk_key_format(&key, token_out);
		if (added != NULL)
			*added = &kr->recs[kr->n - 1];
	}
	apk_key_wipe(&key);
	sodium_memzero(&rec, sizeof(rec));
	return err;
}

enum apk_err apk_keyring_rename(const struct apk_keyring *kr, const struct apk_account *acct,
				struct apk_record *r, const char *newname)
{
	enum apk_err err;

	if (strcmp(r->name, newname) == 0)
		return APK_OK;
	if ((err = apk_keyring_name_free(kr, acct, newname, r)) != APK_OK)
		return err;
	return set_string(r->name, sizeof(r->name), newname);
}

enum apk_err apk_keyring_describe(struct apk_record *r, const char *desc)
{
	return set_string(r->description, sizeof(r->description), desc);
}

/* The first free of BASE.old, BASE.old-2, ... for acct's key self, BASE
 * being self's name cut short to leave room for the suffix. At most one
 * candidate per key in kr is taken, so the search ends. */
static enum apk_err old_name(const struct apk_keyring *kr, const struct apk_account *acct,
			     const struct apk_record *self, char out[APK_NAME_MAX + 1])
{
	char suffix[32];
	size_t i, len, room;

	for (i = 1; i <= kr->n + 1; i++) {
		if (i == 1)
			snprintf(suffix, sizeof(suffix), ".old");
		else
			snprintf(suffix, sizeof(suffix), ".old-%zu", i);
		len = strlen(self->name);
		room = APK_NAME_MAX - strlen(suffix);
		if (len > room)
			len = room;
		snprintf(out, APK_NAME_MAX + 1, "%.*s%s", (int)len, self->name, suffix);
		if (apk_keyring_name_free(kr, acct, out, self) == APK_OK)
			return APK_OK;
	}
	return APK_ERR_EXISTS;
}

enum apk_err apk_keyring_rotate(struct apk_keyring *kr, const struct apk_account *acct,
				struct apk_record *old, int64_t now, int64_t old_expires,
				int64_t new_expires, size_t max_keys,
				char token_out[APK_KEY_LEN + 1], struct apk_record **added,
				struct apk_record **renamed)
{
	char name[APK_NAME_MAX + 1], id[APK_ID_LEN + 1], was_name[APK_NAME_MAX + 1];
	struct apk_record *fresh = NULL;
	int64_t was_expires = old->expires;
	enum apk_err err;

	if (apk_keyring_count(kr, acct) >= max_keys)
		return APK_ERR_LIMIT;
	if ((err = old_name(kr, acct, old, name)) != APK_OK)
		return err;
	memcpy(id, old->id, sizeof(id));
	memcpy(was_name, old->name, sizeof(was_name));
	/* the old key gives up its name first, so that the new one may take it */
	memcpy(old->name, name, sizeof(old->name));
	if (old->expires == 0 || old_expires < old->expires)
		old->expires = old_expires;
	err = apk_keyring_generate_within(kr, acct, was_name, NULL, now, max_keys, token_out, &fresh);
	old = apk_keyring_find(kr, acct, id); /* kr->recs may have moved */
	if (err != APK_OK) {
		memcpy(old->name, was_name, sizeof(old->name));
		old->expires = was_expires;
		return err;
	}
	memcpy(fresh->description, old->description, sizeof(fresh->description));
	fresh->services = old->services;
	fresh->networks = old->networks;
	fresh->expires = new_expires;
	fresh->disabled = false;
	if (added != NULL)
		*added = fresh;
	if (renamed != NULL)
		*renamed = old;
	return APK_OK;
}

void apk_keyring_set_disabled(struct apk_record *r, bool disabled)
{
	r->disabled = disabled;
}

enum apk_err apk_keyring_delete(struct apk_keyring *kr, const char *id)
{
	size_t i;

	for (i = 0; i < kr->n; i++)
		if (strcmp(kr->recs[i].id, id) == 0)
			break;
	if (i == kr->n)
		return APK_ERR_NOTFOUND;
	memmove(&kr->recs[i], &kr->recs[i + 1], (kr->n - i - 1) * sizeof(kr->recs[0]));
	kr->n--;
	sodium_memzero(&kr->recs[kr->n], sizeof(kr->recs[0]));
	return APK_OK;
}
