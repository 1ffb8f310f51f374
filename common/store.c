/* store.c - the gdbm key database, replaced whole on every change */
#include <errno.h>
#include <fcntl.h>
#include <gdbm.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "safefile.h"
#include "store.h"

#define LOCK_SUFFIX ".lock"
#define NEW_SUFFIX ".new"
#define KEY_META "m"
#define KEY_RECORD 'k'
#define KEY_INDEX 'u'

struct apk_store {
	GDBM_FILE db;
	int dirfd;
	int lockfd;   /* writers only */
	int newfd;    /* writers only: our own descriptor of base.new */
	char base[NAME_MAX + 1];
	char lockname[NAME_MAX + 1];
	char newname[NAME_MAX + 1];
};

static enum apk_err gdbm_to_apk(int gerr)
{
	switch (gerr) {
	case GDBM_MALLOC_ERROR:
		return APK_ERR_NOMEM;
	case GDBM_FILE_OPEN_ERROR:
	case GDBM_FILE_READ_ERROR:
	case GDBM_FILE_WRITE_ERROR:
	case GDBM_FILE_SEEK_ERROR:
	case GDBM_FILE_STAT_ERROR:
	case GDBM_FILE_SYNC_ERROR:
	case GDBM_FILE_TRUNCATE_ERROR:
	case GDBM_FILE_CLOSE_ERROR:
		return APK_ERR_UNAVAIL;
	default:
		return APK_ERR_CORRUPT;
	}
}

static struct apk_store *store_new(void)
{
	struct apk_store *st = calloc(1, sizeof(*st));

	if (st != NULL) {
		st->dirfd = -1;
		st->lockfd = -1;
		st->newfd = -1;
	}
	return st;
}

static enum apk_err store_names(struct apk_store *st, const char *path)
{
	const char *base;
	enum apk_err err = safe_open_dir(path, &st->dirfd, &base);

	if (err != APK_OK)
		return err;
	if (snprintf(st->base, sizeof(st->base), "%s", base) >= (int)sizeof(st->base) ||
	    snprintf(st->lockname, sizeof(st->lockname), "%s" LOCK_SUFFIX, base) >=
		    (int)sizeof(st->lockname) ||
	    snprintf(st->newname, sizeof(st->newname), "%s" NEW_SUFFIX, base) >=
		    (int)sizeof(st->newname))
		return APK_ERR_UNAVAIL;
	return APK_OK;
}

void store_close(struct apk_store *st)
{
	if (st == NULL)
		return;
	if (st->db != NULL)
		gdbm_close(st->db);
	if (st->newfd >= 0) {
		close(st->newfd);
		unlinkat(st->dirfd, st->newname, 0);
	}
	if (st->lockfd >= 0)
		close(st->lockfd); /* releases the flock */
	if (st->dirfd >= 0)
		close(st->dirfd);
	free(st);
}

/* gdbm takes ownership of fd (and closes it on error with GDBM_CLOERROR). */
static enum apk_err open_gdbm(struct apk_store *st, int fd, int flags)
{
	gdbm_errno = GDBM_NO_ERROR;
	st->db = gdbm_fd_open(fd, st->base, 0, flags | GDBM_NOLOCK | GDBM_CLOERROR, NULL);
	if (st->db == NULL)
		return gdbm_errno == GDBM_NO_ERROR ? APK_ERR_UNAVAIL : gdbm_to_apk(gdbm_errno);
	return APK_OK;
}

enum apk_err store_open_read(const char *path, struct apk_store **out)
{
	struct apk_store *st;
	enum apk_err err;
	int fd;

	*out = NULL;
	if ((st = store_new()) == NULL)
		return APK_ERR_NOMEM;
	if ((err = store_names(st, path)) != APK_OK ||
	    (err = safe_openat(st->dirfd, st->base, O_RDONLY, 0, &fd)) != APK_OK ||
	    (err = open_gdbm(st, fd, GDBM_READER | GDBM_NOMMAP)) != APK_OK) {
		store_close(st);
		return err;
	}
	*out = st;
	return APK_OK;
}

static enum apk_err take_lock(struct apk_store *st, int timeout_ms)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	int waited = 0;
	enum apk_err err;

	err = safe_openat(st->dirfd, st->lockname, O_RDWR | O_CREAT, 0600, &st->lockfd);
	if (err != APK_OK)
		return err;
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

static enum apk_err copy_all(int from, int to)
{
	char buf[65536];
	ssize_t n;

	for (;;) {
		n = copy_file_range(from, NULL, to, NULL, 1 << 30, 0);
		if (n == 0)
			return APK_OK;
		if (n < 0)
			break;
	}
	if (errno != EXDEV && errno != ENOSYS && errno != EOPNOTSUPP && errno != EINVAL)
		return APK_ERR_UNAVAIL;
	/* Fall back to plain reads; nothing was copied when copy_file_range fails at once. */
	if (lseek(from, 0, SEEK_SET) != 0 || lseek(to, 0, SEEK_SET) != 0 || ftruncate(to, 0) != 0)
		return APK_ERR_UNAVAIL;
	while ((n = read(from, buf, sizeof(buf))) > 0) {
		char *p = buf;
		while (n > 0) {
			ssize_t w = write(to, p, (size_t)n);
			if (w <= 0)
				return APK_ERR_UNAVAIL;
			p += w;
			n -= w;
		}
	}
	return n == 0 ? APK_OK : APK_ERR_UNAVAIL;
}

static enum apk_err put_meta_new(struct apk_store *st)
{
	struct apk_meta meta;
	unsigned char buf[256];
	size_t len;
	datum k = { (char *)(uintptr_t)KEY_META, 1 }, v;
	enum apk_err err;

	randombytes_buf(meta.hashkey, sizeof(meta.hashkey));
	err = meta_encode(&meta, buf, sizeof(buf), &len);
	sodium_memzero(&meta, sizeof(meta));
	if (err != APK_OK)
		return err;
	v.dptr = (char *)buf;
	v.dsize = (int)len;
	err = gdbm_store(st->db, k, v, GDBM_INSERT) == 0 ? APK_OK : gdbm_to_apk(gdbm_errno);
	sodium_memzero(buf, sizeof(buf));
	return err;
}

enum apk_err store_begin(const char *path, int lock_timeout_ms, struct apk_store **out)
{
	struct apk_store *st;
	enum apk_err err;
	int oldfd = -1, gfd;
	int fresh;

	*out = NULL;
	if ((st = store_new()) == NULL)
		return APK_ERR_NOMEM;
	if ((err = store_names(st, path)) != APK_OK || (err = take_lock(st, lock_timeout_ms)) != APK_OK)
		goto fail;
	/* A writer killed earlier may have left base.new behind: we hold the lock, it is ours. */
	if (unlinkat(st->dirfd, st->newname, 0) != 0 && errno != ENOENT) {
		err = APK_ERR_UNAVAIL;
		goto fail;
	}
	err = safe_openat(st->dirfd, st->newname, O_RDWR | O_CREAT | O_EXCL, 0600, &st->newfd);
	if (err != APK_OK)
		goto fail;
	if (fchmod(st->newfd, 0600) != 0) {
		err = APK_ERR_UNAVAIL;
		goto fail;
	}
	err = safe_openat(st->dirfd, st->base, O_RDONLY, 0, &oldfd);
	if (err == APK_ERR_UNAVAIL && errno == ENOENT) {
		fresh = 1;
	} else if (err != APK_OK) {
		goto fail;
	} else {
		fresh = 0;
		err = copy_all(oldfd, st->newfd);
		close(oldfd);
		if (err != APK_OK)
			goto fail;
	}
	/* gdbm reads from the current offset: rewind what the copy moved. */
	if (lseek(st->newfd, 0, SEEK_SET) != 0 || (gfd = dup(st->newfd)) < 0) {
		err = APK_ERR_UNAVAIL;
		goto fail;
	}
	fcntl(gfd, F_SETFD, FD_CLOEXEC);
	if ((err = open_gdbm(st, gfd, fresh ? GDBM_NEWDB : GDBM_WRITER)) != APK_OK)
		goto fail;
	if (fresh && (err = put_meta_new(st)) != APK_OK)
		goto fail;
	*out = st;
	return APK_OK;
fail:
	store_close(st);
	return err;
}

enum apk_err store_commit(struct apk_store *st)
{
	enum apk_err err = APK_ERR_UNAVAIL;
	int rc;

	if (st->newfd < 0 || st->db == NULL) {
		store_close(st);
		return APK_ERR_INVALID;
	}
	rc = gdbm_sync(st->db);
	gdbm_close(st->db);
	st->db = NULL;
	if (rc == 0 && fsync(st->newfd) == 0 &&
	    renameat(st->dirfd, st->newname, st->dirfd, st->base) == 0) {
		close(st->newfd);
		st->newfd = -1; /* renamed: nothing to remove */
		err = fsync(st->dirfd) == 0 ? APK_OK : APK_ERR_UNAVAIL;
	}
	store_close(st);
	return err;
}

/* ---- reads ---------------------------------------------------------- */

/* Fetches key into a caller buffer; APK_ERR_NOTFOUND when absent. */
static enum apk_err fetch(struct apk_store *st, const char *kbuf, size_t klen,
			  unsigned char *buf, size_t bufsz, size_t *len)
{
	datum k = { (char *)(uintptr_t)kbuf, (int)klen }, v;
	enum apk_err err = APK_OK;

	gdbm_errno = GDBM_NO_ERROR;
	v = gdbm_fetch(st->db, k);
	if (v.dptr == NULL)
		return gdbm_errno == GDBM_ITEM_NOT_FOUND ? APK_ERR_NOTFOUND : gdbm_to_apk(gdbm_errno);
	if (v.dsize < 0 || (size_t)v.dsize > bufsz)
		err = APK_ERR_CORRUPT;
	else {
		memcpy(buf, v.dptr, (size_t)v.dsize);
		*len = (size_t)v.dsize;
	}
	sodium_memzero(v.dptr, v.dsize > 0 ? (size_t)v.dsize : 0);
	free(v.dptr);
	return err;
}

static size_t record_key(char out[1 + APK_ID_LEN], const char *id)
{
	out[0] = KEY_RECORD;
	memcpy(out + 1, id, APK_ID_LEN);
	return 1 + APK_ID_LEN;
}

static size_t index_key(char out[5], uint32_t uid)
{
	out[0] = KEY_INDEX;
	out[1] = (char)(uid >> 24);
	out[2] = (char)(uid >> 16);
	out[3] = (char)(uid >> 8);
	out[4] = (char)uid;
	return 5;
}

enum apk_err store_get_meta(struct apk_store *st, struct apk_meta *meta)
{
	unsigned char buf[256];
	size_t len = 0;
	enum apk_err err = fetch(st, KEY_META, 1, buf, sizeof(buf), &len);

	if (err == APK_OK)
		err = meta_decode(buf, len, meta);
	else if (err == APK_ERR_NOTFOUND)
		err = APK_ERR_CORRUPT; /* every database has its header */
	sodium_memzero(buf, sizeof(buf));
	return err;
}

enum apk_err store_get_record(struct apk_store *st, const char *id, struct apk_record *r)
{
	unsigned char buf[APK_RECORD_MAX];
	char k[1 + APK_ID_LEN];
	size_t len = 0;
	enum apk_err err;

	if (!apk_id_valid(id))
		return APK_ERR_NOTFOUND;
	err = fetch(st, k, record_key(k, id), buf, sizeof(buf), &len);
	if (err == APK_OK) {
		err = record_decode(buf, len, r);
		/* The record must be the one its key names. */
		if (err == APK_OK && strcmp(r->id, id) != 0)
			err = APK_ERR_CORRUPT;
	}
	sodium_memzero(buf, sizeof(buf));
	return err;
}

enum apk_err store_get_index(struct apk_store *st, uint32_t uid, struct apk_index *ix)
{
	unsigned char buf[APK_INDEX_MAX];
	char k[5];
	size_t len = 0;
	enum apk_err err = fetch(st, k, index_key(k, uid), buf, sizeof(buf), &len);

	if (err == APK_ERR_NOTFOUND) {
		ix->n = 0;
		return APK_OK;
	}
	return err == APK_OK ? index_decode(buf, len, ix) : err;
}

/* ---- writes --------------------------------------------------------- */

static enum apk_err put(struct apk_store *st, const char *kbuf, size_t klen,
			const unsigned char *vbuf, size_t vlen)
{
	datum k = { (char *)(uintptr_t)kbuf, (int)klen };
	datum v = { (char *)(uintptr_t)vbuf, (int)vlen };

	if (st->newfd < 0)
		return APK_ERR_INVALID;
	return gdbm_store(st->db, k, v, GDBM_REPLACE) == 0 ? APK_OK : gdbm_to_apk(gdbm_errno);
}

static enum apk_err put_index(struct apk_store *st, uint32_t uid, const struct apk_index *ix)
{
	unsigned char buf[APK_INDEX_MAX];
	char k[5];
	datum dk;
	size_t len;
	enum apk_err err;

	index_key(k, uid);
	if (ix->n == 0) {
		dk.dptr = k;
		dk.dsize = 5;
		return gdbm_delete(st->db, dk) == 0 || gdbm_errno == GDBM_ITEM_NOT_FOUND
			       ? APK_OK : gdbm_to_apk(gdbm_errno);
	}
	if ((err = index_encode(ix, buf, sizeof(buf), &len)) != APK_OK)
		return err;
	return put(st, k, 5, buf, len);
}

enum apk_err store_put_record(struct apk_store *st, const struct apk_record *r)
{
	struct apk_index ix;
	struct apk_record old;
	unsigned char buf[APK_RECORD_MAX];
	char k[1 + APK_ID_LEN];
	size_t len;
	enum apk_err err;

	if (st->newfd < 0)
		return APK_ERR_INVALID;
	if ((err = record_encode(r, buf, sizeof(buf), &len)) != APK_OK)
		return err;
	err = store_get_record(st, r->id, &old);
	if (err == APK_OK) {
		if (old.uid != r->uid || strcmp(old.owner, r->owner) != 0)
			return APK_ERR_INVALID; /* a key never changes owner */
	} else if (err == APK_ERR_NOTFOUND) {
		if ((err = store_get_index(st, r->uid, &ix)) != APK_OK)
			return err;
		if (ix.n >= APK_MAX_INDEX_IDS)
			return APK_ERR_LIMIT;
		memcpy(ix.ids[ix.n], r->id, APK_ID_LEN + 1);
		ix.n++;
		if ((err = put_index(st, r->uid, &ix)) != APK_OK)
			return err;
	} else {
		return err;
	}
	return put(st, k, record_key(k, r->id), buf, len);
}

enum apk_err store_delete_record(struct apk_store *st, const char *id)
{
	struct apk_index ix;
	struct apk_record r;
	char k[1 + APK_ID_LEN];
	datum dk;
	size_t i, j;
	enum apk_err err;

	if (st->newfd < 0)
		return APK_ERR_INVALID;
	if ((err = store_get_record(st, id, &r)) != APK_OK)
		return err;
	if ((err = store_get_index(st, r.uid, &ix)) != APK_OK)
		return err;
	for (i = j = 0; i < ix.n; i++)
		if (strcmp(ix.ids[i], id) != 0)
			memcpy(ix.ids[j++], ix.ids[i], APK_ID_LEN + 1);
	ix.n = j;
	if ((err = put_index(st, r.uid, &ix)) != APK_OK)
		return err;
	dk.dptr = k;
	dk.dsize = (int)record_key(k, id);
	return gdbm_delete(st->db, dk) == 0 ? APK_OK : gdbm_to_apk(gdbm_errno);
}
