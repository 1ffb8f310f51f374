/* keysource_local.c - the local store (store.h) as a key source */
#include <string.h>

#include "keysource.h"
#include "store.h"

static enum apk_err local_fetch(struct apk_keysource *src, uint32_t uid, const char *id,
				struct apk_meta *meta, struct apk_record *rec)
{
	enum apk_err err;
	int dirfd;

	if ((err = apk_keysource_dir(src, &dirfd)) != APK_OK) {
		memset(meta, 0, sizeof(*meta));
		memset(rec, 0, sizeof(*rec));
		return err;
	}
	return apk_store_fetch_at(dirfd, uid, id, meta, rec);
}

static enum apk_err local_list(struct apk_keysource *src, uint32_t uid, struct apk_keyring *kr)
{
	enum apk_err err;
	int dirfd;

	if ((err = apk_keysource_dir(src, &dirfd)) != APK_OK) {
		apk_keyring_init(kr);
		return err;
	}
	return apk_store_load_at(dirfd, uid, kr);
}

static enum apk_err local_has_keys(struct apk_keysource *src, uint32_t uid, int *has)
{
	struct apk_keyring kr;
	enum apk_err err = local_list(src, uid, &kr);

	*has = err == APK_OK && kr.n > 0;
	apk_keyring_free(&kr);
	return err;
}

const struct apk_keysource_ops apk_keysource_local = {
	.name = "local",
	.fetch = local_fetch,
	.has_keys = local_has_keys,
	.list = local_list,
};
