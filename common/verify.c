/* verify.c - the one question the module asks: does this key log this user in? */
#include <pwd.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <sodium.h>

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

enum apk_err apk_verify(struct apk_keysource *keys, const char *user, const char *token,
			size_t len, struct apk_record *matched)
{
	struct apk_meta meta;
	struct apk_key key;
	struct apk_record rec;
	struct owner owner;
	unsigned char digest[APK_DIGEST_BYTES];
	int equal;
	enum apk_err err;

	memset(matched, 0, sizeof(*matched));
	/* The format and checksum first: a typo or a non-key never reaches the file. */
	if (apk_key_parse(token, len, &key) != APK_OK)
		return APK_ERR_BADKEY;
	memcpy(matched->id, key.id, sizeof(matched->id));

	/* An unknown user reads the decoy like an account without keys. */
	lookup_owner(user, &owner);
	err = apk_keysource_fetch(keys, owner.uid, key.id, &meta, &rec);
	if (err == APK_OK || err == APK_ERR_NOTFOUND) {
		/* Found or not (then rec is all zero and err says so), a digest is
		 * computed and compared, and ownership is decided after. */
		apk_key_digest(meta.hashkey, &key, digest);
		equal = apk_digest_equal(digest, rec.digest);
		if (!owner.known)
			err = APK_ERR_NOUSER;
		else if (err == APK_OK && equal && rec.uid == owner.uid &&
			 strcmp(rec.owner, owner.name) == 0)
			*matched = rec;
		else
			err = APK_ERR_NOMATCH;
	}
	apk_key_wipe(&key);
	sodium_memzero(digest, sizeof(digest));
	sodium_memzero(&meta, sizeof(meta));
	sodium_memzero(&rec, sizeof(rec));
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
