/* keysource.c - a source's handle on its database directory, and the list
 * of sources */
#include <string.h>
#include <unistd.h>

#include "keysource.h"
#include "safefile.h"

const struct apk_keysource_ops *const apk_keysources[] = { &apk_keysource_local, NULL };

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
}

enum apk_err apk_keysource_dir(struct apk_keysource *src, int *dirfd)
{
	if (!src->tried) {
		src->tried = 1;
		src->dirstate = apk_safe_open_dir(src->dbdir, &src->dirfd);
	}
	*dirfd = src->dirfd;
	return src->dirstate;
}

enum apk_err apk_keysource_fetch(struct apk_keysource *src, uint32_t uid, const char *id,
				 struct apk_meta *meta, struct apk_record *rec)
{
	return src->ops->fetch(src, uid, id, meta, rec);
}

enum apk_err apk_keysource_has_keys(struct apk_keysource *src, uint32_t uid, int *has)
{
	return src->ops->has_keys(src, uid, has);
}

enum apk_err apk_keysource_list(struct apk_keysource *src, uint32_t uid, struct apk_keyring *kr)
{
	return src->ops->list(src, uid, kr);
}

void apk_keysource_close(struct apk_keysource *src)
{
	if (src->dirfd >= 0)
		close(src->dirfd);
	src->dirfd = -1;
	src->tried = 0;
	src->dirstate = APK_ERR_UNAVAIL;
}
