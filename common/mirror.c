/* mirror.c - DIR/fleet, the mirror of the directory's keys: opening it,
 * replacing an account's file, listing and syncing (mirror.h); the state
 * file is mirror_state.c's */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mirror.h"
#include "safefile.h"
#include "store_internal.h"

enum apk_err apk_mirror_open_at(int dirfd, int *fleetfd)
{
	return apk_safe_open_subdir(dirfd, APK_MIRROR_SUBDIR, fleetfd);
}

enum apk_err apk_mirror_open_read(const char *dbdir, int *fleetfd)
{
	enum apk_err err;
	int dirfd;

	*fleetfd = -1;
	if ((err = apk_safe_open_dir(dbdir, &dirfd)) != APK_OK)
		return err;
	err = apk_mirror_open_at(dirfd, fleetfd);
	close(dirfd);
	return err;
}

enum apk_err apk_mirror_open(const char *dbdir, int *fleetfd)
{
	struct apk_store_files decoy;
	enum apk_err err;
	int dirfd;

	*fleetfd = -1;
	if ((err = apk_safe_open_dir(dbdir, &dirfd)) != APK_OK)
		return err;
	if (mkdirat(dirfd, APK_MIRROR_SUBDIR, 0700) != 0 && errno != EEXIST)
		err = APK_ERR_UNAVAIL;
	else if ((err = apk_mirror_open_at(dirfd, fleetfd)) == APK_OK && fsync(dirfd) != 0)
		err = APK_ERR_UNAVAIL;
	close(dirfd);
	if (err != APK_OK)
		goto fail;
	/* The decoy a login without a mirrored file reads (equal work). */
	apk_store_name(&decoy, *fleetfd, 0);
	if ((err = apk_store_ensure_decoy(&decoy)) == APK_OK)
		return APK_OK;
fail:
	if (*fleetfd >= 0)
		close(*fleetfd);
	*fleetfd = -1;
	return err;
}

enum apk_err apk_mirror_put(int fleetfd, uint32_t uid, const struct apk_keyring *kr)
{
	struct apk_store_files f;
	size_t i;

	if (fleetfd < 0 || uid == APK_UID_INVALID)
		return APK_ERR_INVALID;
	/* Only directory keys here: a local digest in the mirror would be
	 * checked under a salt of zeros (and the reader refuses it). */
	for (i = 0; i < kr->n; i++)
		if (kr->recs[i].kind != APK_DIGEST_DIRECTORY || kr->recs[i].uid != uid)
			return APK_ERR_INVALID;
	apk_store_name(&f, fleetfd, uid);
	return apk_store_replace(&f, kr, APK_STORE_BULK);
}

/* "u" and a uid in decimal as apk_store_name writes it: no sign, no
 * leading zero, nothing after. */
static int uid_of(const char *name, uint32_t *uid)
{
	uint64_t v = 0;
	const char *p = name + 1;

	if (name[0] != 'u' || *p == '\0' || (p[0] == '0' && p[1] != '\0'))
		return 0;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = v * 10 + (uint64_t)(*p - '0');
		if (v >= APK_UID_INVALID)
			return 0;
	}
	*uid = (uint32_t)v;
	return 1;
}

static int cmp_uid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

enum apk_err apk_mirror_uids(int fleetfd, uint32_t **uids, size_t *n)
{
	struct dirent *de;
	uint32_t *v = NULL, *bigger, uid;
	size_t cap = 0;
	DIR *d;
	int fd;

	*uids = NULL;
	*n = 0;
	if ((fd = openat(fleetfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return APK_ERR_UNAVAIL;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return APK_ERR_UNAVAIL;
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (!uid_of(de->d_name, &uid))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((bigger = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				closedir(d);
				*n = 0;
				return APK_ERR_NOMEM;
			}
			v = bigger;
		}
		v[(*n)++] = uid;
		errno = 0;
	}
	if (errno != 0) {
		free(v);
		closedir(d);
		*n = 0;
		return APK_ERR_UNAVAIL;
	}
	closedir(d);
	if (*n > 0)
		qsort(v, *n, sizeof(*v), cmp_uid);
	*uids = v;
	return APK_OK;
}

enum apk_err apk_mirror_sync(int fleetfd)
{
	/* One call for every file of the file system the puts went to, then
	 * the directory (syncfs covers it; the fsync says so for certain). */
	if (syncfs(fleetfd) != 0 || fsync(fleetfd) != 0)
		return APK_ERR_UNAVAIL;
	return APK_OK;
}

void apk_mirror_record_digest(struct apk_record *r, const struct apk_fleet_digest *d)
{
	r->kind = APK_DIGEST_DIRECTORY;
	memcpy(r->salt, d->salt, sizeof(r->salt));
	memcpy(r->digest, d->digest, sizeof(r->digest));
}
