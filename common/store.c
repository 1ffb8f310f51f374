/* store.c - opening an account's file and reading keys from it */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "safefile.h"
#include "store_internal.h"

enum apk_err store_gdbm_error(int gerr)
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

struct apk_store *store_alloc(void)
{
	struct apk_store *st = calloc(1, sizeof(*st));

	if (st != NULL) {
		st->dirfd = -1;
		st->lockfd = -1;
	}
	return st;
}

enum apk_err store_locate(struct apk_store *st, const char *dir, uint32_t uid)
{
	st->uid = uid;
	snprintf(st->base, sizeof(st->base), "u%" PRIu32, uid);
	snprintf(st->lockname, sizeof(st->lockname), "u%" PRIu32 ".lock", uid);
	snprintf(st->newname, sizeof(st->newname), "u%" PRIu32 ".new", uid);
	return safe_open_dir(dir, &st->dirfd);
}

enum apk_err store_gdbm_open(struct apk_store *st, int fd, int flags)
{
	gdbm_errno = GDBM_NO_ERROR;
	st->db = gdbm_fd_open(fd, st->base, STORE_BLOCK_SIZE,
			      flags | GDBM_NOLOCK | GDBM_CLOERROR, NULL);
	if (st->db == NULL)
		return gdbm_errno == GDBM_NO_ERROR ? APK_ERR_UNAVAIL : store_gdbm_error(gdbm_errno);
	return APK_OK;
}

enum apk_err store_open_file(struct apk_store *st)
{
	enum apk_err err;
	int fd = -1;

	err = safe_openat(st->dirfd, st->base, O_RDONLY, 0, &fd);
	if (err == APK_ERR_NOTFOUND) {
		st->decoy = 1;
		err = safe_openat(st->dirfd, STORE_DECOY, O_RDONLY, 0, &fd);
	}
	if (err != APK_OK)
		return err;
	/* read(2), not mmap: a login's cost must not grow with the file */
	return store_gdbm_open(st, fd, GDBM_READER | GDBM_NOMMAP);
}

void store_close(struct apk_store *st)
{
	if (st == NULL)
		return;
	if (st->db != NULL)
		gdbm_close(st->db);
	if (st->lockfd >= 0)
		close(st->lockfd); /* releases the flock */
	if (st->dirfd >= 0)
		close(st->dirfd);
	if (st->recs != NULL) {
		sodium_memzero(st->recs, st->ix.n * sizeof(*st->recs));
		free(st->recs);
	}
	sodium_memzero(st, sizeof(*st));
	free(st);
}

enum apk_err store_open_read(const char *dir, uint32_t uid, struct apk_store **out)
{
	struct apk_store *st;
	enum apk_err err;

	*out = NULL;
	if ((st = store_alloc()) == NULL)
		return APK_ERR_NOMEM;
	if ((err = store_locate(st, dir, uid)) != APK_OK || (err = store_open_file(st)) != APK_OK) {
		store_close(st);
		return err;
	}
	*out = st;
	return APK_OK;
}

/* Fetches key into a caller buffer; APK_ERR_NOTFOUND when absent. */
static enum apk_err fetch(struct apk_store *st, const char *kbuf, size_t klen,
			  unsigned char *buf, size_t bufsz, size_t *len)
{
	datum k = { (char *)(uintptr_t)kbuf, (int)klen }, v;
	enum apk_err err = APK_OK;

	gdbm_errno = GDBM_NO_ERROR;
	v = gdbm_fetch(st->db, k);
	if (v.dptr == NULL)
		return gdbm_errno == GDBM_ITEM_NOT_FOUND ? APK_ERR_NOTFOUND
							 : store_gdbm_error(gdbm_errno);
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

size_t store_record_key(char out[1 + APK_ID_LEN], const char *id)
{
	out[0] = STORE_KEY_RECORD;
	memcpy(out + 1, id, APK_ID_LEN);
	return 1 + APK_ID_LEN;
}

static enum apk_err file_meta(struct apk_store *st, struct apk_meta *meta)
{
	unsigned char buf[APK_RECORD_MAX];
	size_t len = 0;
	enum apk_err err = fetch(st, STORE_KEY_META, 1, buf, sizeof(buf), &len);

	if (err == APK_OK)
		err = meta_decode(buf, len, meta);
	else if (err == APK_ERR_NOTFOUND)
		err = APK_ERR_CORRUPT; /* every file has its header */
	sodium_memzero(buf, sizeof(buf));
	return err;
}

static enum apk_err file_record(struct apk_store *st, const char *id, struct apk_record *r)
{
	unsigned char buf[APK_RECORD_MAX];
	char k[1 + APK_ID_LEN];
	size_t len = 0;
	enum apk_err err = fetch(st, k, store_record_key(k, id), buf, sizeof(buf), &len);

	if (err == APK_OK) {
		err = record_decode(buf, len, r);
		/* The record must be the one its key names, in its owner's file. */
		if (err == APK_OK && (strcmp(r->id, id) != 0 || r->uid != st->uid || st->decoy))
			err = APK_ERR_CORRUPT;
	}
	sodium_memzero(buf, sizeof(buf));
	return err;
}

static enum apk_err file_index(struct apk_store *st, struct apk_index *ix)
{
	unsigned char buf[APK_INDEX_MAX];
	size_t len = 0;
	enum apk_err err = fetch(st, STORE_KEY_INDEX, 1, buf, sizeof(buf), &len);

	if (err == APK_ERR_NOTFOUND) {
		ix->n = 0;
		return APK_OK;
	}
	return err == APK_OK ? index_decode(buf, len, ix) : err;
}

enum apk_err store_load(struct apk_store *st)
{
	enum apk_err err;
	size_t i;

	if ((err = file_meta(st, &st->meta)) != APK_OK || (err = file_index(st, &st->ix)) != APK_OK)
		return err;
	if (st->decoy && st->ix.n != 0)
		return APK_ERR_CORRUPT;
	if ((st->recs = calloc(st->ix.n ? st->ix.n : 1, sizeof(*st->recs))) == NULL)
		return APK_ERR_NOMEM;
	for (i = 0; i < st->ix.n; i++) {
		err = file_record(st, st->ix.ids[i], &st->recs[i]);
		if (err == APK_ERR_NOTFOUND)
			err = APK_ERR_CORRUPT; /* the index names a record that is not there */
		if (err != APK_OK)
			return err;
	}
	return APK_OK;
}

/* ---- reads: from the file, or from memory during a change ---------- */

enum apk_err store_get_meta(struct apk_store *st, struct apk_meta *meta)
{
	if (st->changing) {
		*meta = st->meta;
		return APK_OK;
	}
	return file_meta(st, meta);
}

enum apk_err store_get_record(struct apk_store *st, const char *id, struct apk_record *r)
{
	size_t i;

	if (!apk_id_valid(id))
		return APK_ERR_NOTFOUND;
	if (!st->changing)
		return file_record(st, id, r);
	for (i = 0; i < st->ix.n; i++)
		if (strcmp(st->ix.ids[i], id) == 0) {
			*r = st->recs[i];
			return APK_OK;
		}
	return APK_ERR_NOTFOUND;
}

enum apk_err store_get_index(struct apk_store *st, struct apk_index *ix)
{
	if (st->changing) {
		memcpy(ix->ids, st->ix.ids, st->ix.n * sizeof(st->ix.ids[0]));
		ix->n = st->ix.n;
		return APK_OK;
	}
	return file_index(st, ix);
}
