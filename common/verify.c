/* verify.c - the one question the module asks: does this key log this user in? */
#include <pwd.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <sodium.h>

#include "fleet_digest.h"
#include "verify.h"

struct owner {
	int known;
	uid_t uid;
	char name[APK_USER_MAX + 1];
};

static void lookup_owner(const char *user, struct owner *o)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	memset(o, 0, sizeof(*o));
	o->uid = APK_UID_INVALID;
	if (!apk_user_valid(user))
		return;
	if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return;
	if (strlen(pw.pw_name) >= sizeof(o->name) || strcmp(pw.pw_name, user) != 0 ||
	    pw.pw_uid == APK_UID_INVALID)
		return;
	o->known = 1;
	o->uid = pw.pw_uid;
	memcpy(o->name, pw.pw_name, strlen(pw.pw_name) + 1);
}

/* The digest of key as a record of this kind is checked: under its file's
 * hash key (local) or its salt (directory). Either is one keyed BLAKE2b of
 * under 128 bytes: the same work. */
static void digest_of(enum apk_digest_kind kind, const struct apk_meta *meta,
		      const struct apk_record *rec, const struct apk_key *key,
		      unsigned char out[APK_DIGEST_BYTES])
{
	if (kind == APK_DIGEST_DIRECTORY)
		apk_fleet_digest_compute(rec->salt, key, out);
	else
		apk_key_digest(meta->hashkey, key, out);
}

/* Every source of srcs (n) fetched, each every time; the one record found,
 * with its hash key, into *meta and *rec and its source into *found.
 * APK_ERR_NOTFOUND: none (then *meta, *rec and *found are the first
 * source's, for a digest computed anyway); the id in two sources is
 * corruption (*dup set); a database error of any source is the answer. */
static enum apk_err fetch_all(struct apk_keysource *srcs, size_t n, uint32_t uid, const char *id,
			      struct apk_meta *meta, struct apk_record *rec,
			      struct apk_keysource **found, int *dup)
{
	struct apk_meta m[APK_KEYSET_MAX];
	struct apk_record r[APK_KEYSET_MAX];
	enum apk_err err = APK_ERR_NOTFOUND, e;
	size_t i, hits = 0, at = 0;

	*dup = 0;
	/* with no source (n == 0) the answers are zero records, never stack
	 * garbage: the caller computes a digest from them anyway */
	sodium_memzero(m, sizeof(m));
	sodium_memzero(r, sizeof(r));
	for (i = 0; i < n; i++) {
		e = apk_keysource_fetch(&srcs[i], uid, id, &m[i], &r[i]);
		if (e == APK_OK && hits++ == 0)
			at = i;
		else if (e != APK_OK && e != APK_ERR_NOTFOUND && err == APK_ERR_NOTFOUND)
			err = e;
	}
	if (hits > 1) {
		*dup = 1;
		err = APK_ERR_CORRUPT;
	} else if (err == APK_ERR_NOTFOUND && hits == 1) {
		err = APK_OK;
	}
	*meta = m[at];
	*rec = r[at];
	*found = &srcs[at];
	if (err != APK_OK && err != APK_ERR_NOTFOUND) {
		sodium_memzero(meta, sizeof(*meta));
		sodium_memzero(rec, sizeof(*rec));
	}
	sodium_memzero(m, sizeof(m));
	sodium_memzero(r, sizeof(r));
	return err;
}

static enum apk_err verify_in(struct apk_keysource *srcs, size_t n, const char *user,
			      const char *token, size_t len, struct apk_record *matched,
			      struct apk_keysource **from, int *dup)
{
	struct apk_meta meta;
	struct apk_key key;
	struct apk_record rec;
	struct apk_keysource *found = NULL;
	struct owner owner;
	unsigned char digest[APK_DIGEST_BYTES];
	int equal;
	enum apk_err err;

	memset(matched, 0, sizeof(*matched));
	*from = NULL;
	*dup = 0;
	/* The format and checksum first: a typo or a non-key never reaches the file. */
	if (apk_key_parse(token, len, &key) != APK_OK)
		return APK_ERR_BADKEY;
	memcpy(matched->id, key.id, sizeof(matched->id));

	/* An unknown user reads the decoy like an account without keys. */
	lookup_owner(user, &owner);
	err = fetch_all(srcs, n, owner.uid, key.id, &meta, &rec, &found, dup);
	if (err == APK_OK || err == APK_ERR_NOTFOUND) {
		/* Found or not (then rec is all zero and err says so), a digest is
		 * computed and compared, and ownership is decided after. */
		digest_of(err == APK_OK ? rec.kind : found->ops->kind, &meta, &rec, &key, digest);
		equal = apk_digest_equal(digest, rec.digest);
		if (!owner.known)
			err = APK_ERR_NOUSER;
		else if (err == APK_OK && equal && rec.uid == owner.uid &&
			 strcmp(rec.owner, owner.name) == 0) {
			*matched = rec;
			*from = found;
		} else
			err = APK_ERR_NOMATCH;
	}
	apk_key_wipe(&key);
	sodium_memzero(digest, sizeof(digest));
	sodium_memzero(&meta, sizeof(meta));
	sodium_memzero(&rec, sizeof(rec));
	return err;
}

enum apk_err apk_verify(struct apk_keysource *keys, const char *user, const char *token,
			size_t len, struct apk_record *matched)
{
	struct apk_keysource *from;
	int dup;

	return verify_in(keys, 1, user, token, len, matched, &from, &dup);
}

enum apk_err apk_verify_set(struct apk_keyset *ks, const char *user, const char *token,
			    size_t len, struct apk_record *matched)
{
	enum apk_err err;

	apk_keyset_read_state(ks);
	err = verify_in(ks->src, ks->n, user, token, len, matched, &ks->found, &ks->duplicate);
	return err;
}

enum apk_err apk_keyset_verify(struct apk_keyset *ks, const char *user, const char *token,
			       size_t len, int64_t now, const char *service, const char *rhost,
			       struct apk_record *matched, enum apk_permit *permit)
{
	enum apk_err err = apk_verify_set(ks, user, token, len, matched);

	*permit = err == APK_OK ? apk_keyset_check(ks, matched, now, service, rhost)
				: APK_PERMIT_OK;
	return err;
}

enum apk_err apk_account_has_keys(struct apk_keysource *keys, const char *user, int *has)
{
	struct owner owner;

	*has = 0;
	lookup_owner(user, &owner);
	if (!owner.known)
		return APK_ERR_NOUSER;
	return apk_keysource_has_keys(keys, owner.uid, has);
}

enum apk_err apk_account_has_keys_set(struct apk_keyset *ks, const char *user, int *has)
{
	enum apk_err err = APK_OK;
	size_t i;
	int one;

	*has = 0;
	for (i = 0; i < ks->n && err == APK_OK && !*has; i++)
		if ((err = apk_account_has_keys(&ks->src[i], user, &one)) == APK_OK)
			*has = one;
	return err;
}
