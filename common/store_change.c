/* store_change.c - changing an account's keys: lock, load, change in
 * memory, write a new file, fsync, rename over the old one */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "safefile.h"
#include "store_internal.h"

static enum apk_err take_lock(struct apk_store *st, int timeout_ms)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	int waited = 0;
	enum apk_err err;

	err = safe_openat(st->dirfd, st->lockname, O_RDWR | O_CREAT, 0600, &st->lockfd);
	if (err != APK_OK)
		return err == APK_ERR_NOTFOUND ? APK_ERR_UNAVAIL : err;
	while (flock(st->lockfd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return APK_ERR_UNAVAIL;
		if (waited >= timeout_ms)
			return APK_ERR_BUSY;
		nanosleep(&nap, NULL);
		waited += 10;
	}
	return APK_OK;
}

static enum apk_err put_value(GDBM_FILE db, const char *kbuf, size_t klen,
			      const unsigned char *vbuf, size_t vlen)
{
	datum k = { (char *)(uintptr_t)kbuf, (int)klen };
	datum v = { (char *)(uintptr_t)vbuf, (int)vlen };

	return gdbm_store(db, k, v, GDBM_INSERT) == 0 ? APK_OK : store_gdbm_error(gdbm_errno);
}

/* Writes meta, every record and the index into the empty database db. */
static enum apk_err write_all(struct apk_store *st, GDBM_FILE db)
{
	unsigned char buf[APK_INDEX_MAX > APK_RECORD_MAX ? APK_INDEX_MAX : APK_RECORD_MAX];
	char k[1 + APK_ID_LEN];
	size_t len, i;
	enum apk_err err;

	err = meta_encode(&st->meta, buf, sizeof(buf), &len);
	if (err == APK_OK)
		err = put_value(db, STORE_KEY_META, 1, buf, len);
	for (i = 0; i < st->ix.n && err == APK_OK; i++) {
		err = record_encode(&st->recs[i], buf, sizeof(buf), &len);
		if (err == APK_OK)
			err = put_value(db, k, store_record_key(k, st->recs[i].id), buf, len);
	}
	if (err == APK_OK && st->ix.n > 0) {
		err = index_encode(&st->ix, buf, sizeof(buf), &len);
		if (err == APK_OK)
			err = put_value(db, STORE_KEY_INDEX, 1, buf, len);
	}
	sodium_memzero(buf, sizeof(buf));
	return err;
}

/* Writes what st holds as a new file at newname and renames it to target.
 * newname is ours while we hold the lock; a stale one from a writer that
 * was killed is removed first. */
static enum apk_err write_file_as(struct apk_store *st, const char *target)
{
	GDBM_FILE db;
	enum apk_err err;
	int fd, gfd;

	if ((err = safe_remove_stale(st->dirfd, st->newname)) != APK_OK)
		return err;
	err = safe_openat(st->dirfd, st->newname, O_RDWR | O_CREAT | O_EXCL, 0600, &fd);
	if (err != APK_OK)
		return err == APK_ERR_NOTFOUND ? APK_ERR_UNAVAIL : err;
	/* 0600 whatever the umask; gdbm gets its own descriptor to close */
	if (fchmod(fd, 0600) != 0 || (gfd = dup(fd)) < 0) {
		err = APK_ERR_UNAVAIL;
		goto out;
	}
	fcntl(gfd, F_SETFD, FD_CLOEXEC);
	gdbm_errno = GDBM_NO_ERROR;
	db = gdbm_fd_open(gfd, st->newname, STORE_BLOCK_SIZE,
			  GDBM_NEWDB | GDBM_NOLOCK | GDBM_NOMMAP | GDBM_CLOERROR, NULL);
	if (db == NULL) {
		err = gdbm_errno == GDBM_NO_ERROR ? APK_ERR_UNAVAIL : store_gdbm_error(gdbm_errno);
		goto out;
	}
	err = write_all(st, db);
	/* gdbm_close syncs the file to disk (fsync) before it returns, as
	 * documented: once it succeeds the new file is durable and can replace
	 * the old one. */
	if (gdbm_close(db) != 0 && err == APK_OK)
		err = APK_ERR_UNAVAIL;
	if (err == APK_OK &&
	    (renameat(st->dirfd, st->newname, st->dirfd, target) != 0 || fsync(st->dirfd) != 0))
		err = APK_ERR_UNAVAIL;
out:
	close(fd);
	if (err != APK_OK)
		unlinkat(st->dirfd, st->newname, 0);
	return err;
}

/* Every reader of an account without a file reads the decoy: one with no
 * keys and a hash key of its own. Made by the first writer that misses it. */
static enum apk_err ensure_decoy(struct apk_store *st)
{
	struct apk_store decoy;
	enum apk_err err;

	if (faccessat(st->dirfd, STORE_DECOY, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return APK_OK;
	if (errno != ENOENT)
		return APK_ERR_UNAVAIL;
	memset(&decoy, 0, sizeof(decoy));
	decoy.dirfd = st->dirfd;
	memcpy(decoy.newname, st->newname, sizeof(decoy.newname));
	randombytes_buf(decoy.meta.hashkey, sizeof(decoy.meta.hashkey));
	err = write_file_as(&decoy, STORE_DECOY);
	sodium_memzero(&decoy, sizeof(decoy));
	return err;
}

enum apk_err store_begin(const char *dir, uint32_t uid, int lock_timeout_ms,
			 struct apk_store **out)
{
	struct apk_store *st;
	enum apk_err err;

	*out = NULL;
	if ((st = store_alloc()) == NULL)
		return APK_ERR_NOMEM;
	if ((err = store_locate(st, dir, uid)) != APK_OK ||
	    (err = take_lock(st, lock_timeout_ms)) != APK_OK ||
	    (err = ensure_decoy(st)) != APK_OK)
		goto fail;
	err = store_open_file(st);
	if (err == APK_OK && !st->decoy) {
		/* Everything is decoded and checked: a damaged file is never built upon. */
		err = store_load(st);
	} else if (err == APK_OK || err == APK_ERR_NOTFOUND) {
		/* The account's first key: a new file with its own hash key. */
		st->decoy = 0;
		st->ix.n = 0;
		randombytes_buf(st->meta.hashkey, sizeof(st->meta.hashkey));
		err = (st->recs = calloc(1, sizeof(*st->recs))) != NULL ? APK_OK : APK_ERR_NOMEM;
	}
	if (st->db != NULL) {
		gdbm_close(st->db);
		st->db = NULL;
	}
	if (err != APK_OK)
		goto fail;
	st->changing = 1;
	*out = st;
	return APK_OK;
fail:
	store_close(st);
	return err;
}

/* An account left without keys loses its file (it reads as the decoy). */
static enum apk_err remove_file(struct apk_store *st)
{
	enum apk_err err = safe_remove_stale(st->dirfd, st->newname);

	if (err != APK_OK)
		return err;
	if (unlinkat(st->dirfd, st->base, 0) != 0 && errno != ENOENT)
		return APK_ERR_UNAVAIL;
	return fsync(st->dirfd) == 0 ? APK_OK : APK_ERR_UNAVAIL;
}

enum apk_err store_commit(struct apk_store *st)
{
	enum apk_err err = APK_ERR_INVALID;

	if (st->changing)
		err = st->ix.n > 0 ? write_file_as(st, st->base) : remove_file(st);
	store_close(st);
	return err;
}

enum apk_err store_put_record(struct apk_store *st, const struct apk_record *r)
{
	unsigned char probe[APK_RECORD_MAX];
	struct apk_record *grown;
	size_t i, len;
	enum apk_err err;

	if (!st->changing || r->uid != st->uid)
		return APK_ERR_INVALID;
	if ((err = record_encode(r, probe, sizeof(probe), &len)) != APK_OK)
		return err; /* what cannot be written is refused now, not at commit */
	for (i = 0; i < st->ix.n; i++)
		if (strcmp(st->ix.ids[i], r->id) == 0) {
			if (strcmp(st->recs[i].owner, r->owner) != 0)
				return APK_ERR_INVALID; /* a key never changes owner */
			st->recs[i] = *r;
			return APK_OK;
		}
	if (st->ix.n >= APK_MAX_INDEX_IDS)
		return APK_ERR_LIMIT;
	if ((grown = realloc(st->recs, (st->ix.n + 1) * sizeof(*grown))) == NULL)
		return APK_ERR_NOMEM;
	st->recs = grown;
	st->recs[st->ix.n] = *r;
	memcpy(st->ix.ids[st->ix.n], r->id, APK_ID_LEN + 1);
	st->ix.n++;
	return APK_OK;
}

enum apk_err store_delete_record(struct apk_store *st, const char *id)
{
	size_t i;

	if (!st->changing)
		return APK_ERR_INVALID;
	for (i = 0; i < st->ix.n; i++)
		if (strcmp(st->ix.ids[i], id) == 0)
			break;
	if (i == st->ix.n)
		return APK_ERR_NOTFOUND;
	memmove(&st->recs[i], &st->recs[i + 1], (st->ix.n - i - 1) * sizeof(st->recs[0]));
	memmove(&st->ix.ids[i], &st->ix.ids[i + 1], (st->ix.n - i - 1) * sizeof(st->ix.ids[0]));
	st->ix.n--;
	sodium_memzero(&st->recs[st->ix.n], sizeof(st->recs[0]));
	return APK_OK;
}
