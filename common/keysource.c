/* keysource.c - a source's handle on its database directory, and the list
 * of sources */
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "keysource.h"
#include "safefile.h"

const struct apk_keysource_ops *const apk_keysources[] = { &apk_keysource_local,
							   &apk_keysource_mirror, NULL };

const struct apk_keysource_ops *apk_keysource_named(const char *name)
{
	size_t i;

	for (i = 0; apk_keysources[i] != NULL; i++)
		if (strcmp(apk_keysources[i]->name, name) == 0)
			return apk_keysources[i];
	return NULL;
}

void apk_keysource_init(struct apk_keysource *src, const struct apk_keysource_ops *ops,
			const char *dbdir)
{
	src->ops = ops;
	src->dbdir = dbdir;
	src->dirfd = -1;
	src->tried = 0;
	src->dirstate = APK_ERR_UNAVAIL;
	src->base = NULL;
}

enum apk_err apk_keysource_dir(struct apk_keysource *src, int *dirfd)
{
	int top;

	if (!src->tried) {
		src->tried = 1;
		if (src->ops->subdir != NULL && src->base != NULL) {
			/* the database directory as the base opened and checked it:
			 * the same checks, made once a login */
			src->dirstate = apk_keysource_dir(src->base, &top);
			if (src->dirstate == APK_OK)
				src->dirstate = apk_safe_open_subdir(top, src->ops->subdir,
								     &src->dirfd);
		} else {
			src->dirstate = apk_safe_open_dir(src->dbdir, &src->dirfd);
			if (src->dirstate == APK_OK && src->ops->subdir != NULL) {
				top = src->dirfd;
				src->dirstate = apk_safe_open_subdir(top, src->ops->subdir,
								     &src->dirfd);
				close(top);
			}
		}
	}
	*dirfd = src->dirfd;
	return src->dirstate;
}

enum apk_err apk_keysource_fetch(struct apk_keysource *src, uint32_t uid, const char *id,
				 struct apk_meta *meta, struct apk_record *rec)
{
	enum apk_err err = src->ops->fetch(src, uid, id, meta, rec);

	/* A record of the other kind is a file out of place (a salted record
	 * in the local store, an unsalted one in the mirror): never checked
	 * the other way. */
	if (err == APK_OK && rec->kind != src->ops->kind) {
		sodium_memzero(meta, sizeof(*meta));
		sodium_memzero(rec, sizeof(*rec));
		err = APK_ERR_CORRUPT;
	}
	return err;
}

enum apk_err apk_keysource_has_keys(struct apk_keysource *src, uint32_t uid, int *has)
{
	return src->ops->has_keys(src, uid, has);
}

enum apk_err apk_keysource_list(struct apk_keysource *src, uint32_t uid, struct apk_keyring *kr)
{
	enum apk_err err = src->ops->list(src, uid, kr);
	size_t i;

	for (i = 0; err == APK_OK && i < kr->n; i++)
		if (kr->recs[i].kind != src->ops->kind) {
			apk_keyring_free(kr);
			apk_keyring_init(kr);
			err = APK_ERR_CORRUPT;
		}
	return err;
}

void apk_keysource_close(struct apk_keysource *src)
{
	if (src->dirfd >= 0)
		close(src->dirfd);
	src->dirfd = -1;
	src->tried = 0;
	src->dirstate = APK_ERR_UNAVAIL;
}
