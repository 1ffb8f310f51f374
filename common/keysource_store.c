/* keysource_store.c - the store's account files (store.h) as key sources:
 * the local store in the database directory, and the mirror of the
 * directory's keys in DIR/fleet (mirror.h), which has the same files */
#include <string.h>

#include "keysource.h"
#include "mirror.h"
#include "store.h"

static enum apk_err store_fetch(struct apk_keysource *src, uint32_t uid, const char *id,
				struct apk_meta *meta, struct apk_record *rec)
{
	enum apk_err err;
	int dirfd;

	if ((err = apk_keysource_dir(src, &dirfd)) != APK_OK) {
		memset(meta, 0, sizeof(*meta));
		memset(rec, 0, sizeof(*rec));
		return err; /* NOTFOUND: no DIR/fleet, a host without a mirror */
	}
	return apk_store_fetch_at(dirfd, uid, id, meta, rec);
}

static enum apk_err store_list(struct apk_keysource *src, uint32_t uid, struct apk_keyring *kr)
{
	enum apk_err err;
	int dirfd;

	if ((err = apk_keysource_dir(src, &dirfd)) != APK_OK) {
		apk_keyring_init(kr);
		return err == APK_ERR_NOTFOUND ? APK_OK : err; /* no mirror: no keys */
	}
	return apk_store_load_at(dirfd, uid, kr);
}

static enum apk_err store_has_keys(struct apk_keysource *src, uint32_t uid, int *has)
{
	struct apk_keyring kr;
	enum apk_err err = apk_keysource_list(src, uid, &kr);

	*has = err == APK_OK && kr.n > 0;
	apk_keyring_free(&kr);
	return err;
}

const struct apk_keysource_ops apk_keysource_local = {
	.name = "local",
	.subdir = NULL,
	.kind = APK_DIGEST_LOCAL,
	.fetch = store_fetch,
	.has_keys = store_has_keys,
	.list = store_list,
};

const struct apk_keysource_ops apk_keysource_mirror = {
	.name = "directory",
	.subdir = APK_MIRROR_SUBDIR,
	.kind = APK_DIGEST_DIRECTORY,
	.fetch = store_fetch,
	.has_keys = store_has_keys,
	.list = store_list,
};
