/* verify.c - the one question the module asks: does this key log this user in? */
#include <pwd.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <sodium.h>

#include "store.h"
#include "verify.h"

/* Never an account's uid ((uid_t)-1 is invalid): its file never exists, so
 * an unknown user reads the decoy like an account without keys. */
#define NO_ACCOUNT UINT32_MAX

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
	o->uid = NO_ACCOUNT;
	if (!apk_user_valid(user))
		return;
	if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return;
	if (strlen(pw.pw_name) >= sizeof(o->name) || strcmp(pw.pw_name, user) != 0 ||
	    pw.pw_uid == NO_ACCOUNT)
		return;
	o->known = 1;
	o->uid = pw.pw_uid;
	memcpy(o->name, pw.pw_name, strlen(pw.pw_name) + 1);
}

enum apk_err apk_verify(const char *dbpath, const char *user, const char *token,
			size_t len, struct apk_record *matched)
{
	struct apk_store *st = NULL;
	struct apk_meta meta;
	struct apk_key key;
	struct apk_record rec;
	struct owner owner;
	unsigned char digest[APK_DIGEST_BYTES];
	int found, equal;
	enum apk_err err;

	memset(matched, 0, sizeof(*matched));
	memset(&rec, 0, sizeof(rec));
	memset(&meta, 0, sizeof(meta));
	/* The format and checksum first: a typo or a non-key never reaches the file. */
	if ((err = apk_key_parse(token, len, &key)) != APK_OK)
		return APK_ERR_BADKEY;
	memcpy(matched->id, key.id, sizeof(matched->id));

	lookup_owner(user, &owner);
	err = store_open_read(dbpath, owner.uid, &st);
	if (err == APK_ERR_NOTFOUND) {
		/* Nobody ever had a key here: no file to read, but the same digest below. */
		found = 0;
	} else {
		if (err != APK_OK || (err = store_get_meta(st, &meta)) != APK_OK)
			goto out;
		err = store_get_record(st, key.id, &rec);
		if (err != APK_OK && err != APK_ERR_NOTFOUND)
			goto out;
		found = err == APK_OK;
	}
	if (!found) {
		/* Same work as a real record; 0xff bytes are never compared as a match below. */
		memset(rec.digest, 0xff, sizeof(rec.digest));
	}
	apk_key_digest(meta.hashkey, &key, digest);
	equal = apk_digest_equal(digest, rec.digest);

	if (!owner.known)
		err = APK_ERR_NOUSER;
	else if (found && equal && rec.uid == owner.uid && strcmp(rec.owner, owner.name) == 0) {
		*matched = rec;
		err = APK_OK;
	} else
		err = APK_ERR_NOMATCH;
out:
	store_close(st);
	apk_key_wipe(&key);
	sodium_memzero(digest, sizeof(digest));
	sodium_memzero(&meta, sizeof(meta));
	sodium_memzero(&rec, sizeof(rec));
	return err;
}

enum apk_err apk_account_has_keys(const char *dbpath, const char *user, int *has)
{
	struct apk_store *st = NULL;
	struct apk_index ix;
	struct owner owner;
	enum apk_err err;

	*has = 0;
	lookup_owner(user, &owner);
	if (!owner.known)
		return APK_ERR_NOUSER;
	err = store_open_read(dbpath, owner.uid, &st);
	if (err == APK_ERR_NOTFOUND)
		return APK_OK; /* no file at all: nobody has keys */
	if (err == APK_OK && (err = store_get_index(st, &ix)) == APK_OK)
		*has = ix.n > 0;
	store_close(st);
	return err;
}
