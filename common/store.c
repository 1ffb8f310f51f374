/* store.c - reading an account's file: one record for the module, the whole keyring for the helper */
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

/* An open account file (or the decoy in its place). */
struct reader {
	GDBM_FILE db;
	uint32_t uid;
	int decoy;
};

enum apk_err apk_store_gdbm_error(int gerr)
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

void apk_store_name(struct apk_store_files *f, int dirfd, uint32_t uid)
{
	f->dirfd = dirfd;
	f->uid = uid;
	snprintf(f->base, sizeof(f->base), "u%" PRIu32, uid);
	snprintf(f->lockname, sizeof(f->lockname), "u%" PRIu32 ".lock", uid);
	snprintf(f->newname, sizeof(f->newname), "u%" PRIu32 ".new", uid);
}

enum apk_err apk_store_locate(struct apk_store_files *f, const char *dbdir, uint32_t uid)
{
	apk_store_name(f, -1, uid);
	return apk_safe_open_dir(dbdir, &f->dirfd);
}

void apk_store_release(struct apk_store_files *f)
{
	if (f->dirfd >= 0)
		close(f->dirfd);
	f->dirfd = -1;
}

size_t apk_store_record_key(char out[1 + APK_ID_LEN], const char *id)
{
	out[0] = APK_STORE_KEY_RECORD;
	memcpy(out + 1, id, APK_ID_LEN);
	return 1 + APK_ID_LEN;
}

/* Opens name read-only (checked). read(2), not mmap: a login's cost must
 * not grow with the file. */
static enum apk_err open_file(const struct apk_store_files *f, const char *name, GDBM_FILE *db)
{
	enum apk_err err;
	int fd;

	if ((err = apk_safe_openat(f->dirfd, name, O_RDONLY, 0, &fd)) != APK_OK)
		return err;
	gdbm_errno = GDBM_NO_ERROR;
	/* fd belongs to gdbm from here on, closed by it even on failure */
	*db = gdbm_fd_open(fd, name, APK_STORE_BLOCK_SIZE,
			   GDBM_READER | GDBM_NOMMAP | GDBM_NOLOCK | GDBM_CLOERROR, NULL);
	if (*db == NULL)
		return gdbm_errno == GDBM_NO_ERROR ? APK_ERR_UNAVAIL : apk_store_gdbm_error(gdbm_errno);
	return APK_OK;
}

/* Fetches key into a caller buffer; APK_ERR_NOTFOUND when absent. */
static enum apk_err fetch(const struct reader *rd, const char *kbuf, size_t klen,
			  unsigned char *buf, size_t bufsz, size_t *len)
{
	datum k = { (char *)(uintptr_t)kbuf, (int)klen }, v;
	enum apk_err err = APK_OK;

	gdbm_errno = GDBM_NO_ERROR;
	v = gdbm_fetch(rd->db, k);
	if (v.dptr == NULL)
		return gdbm_errno == GDBM_ITEM_NOT_FOUND ? APK_ERR_NOTFOUND
							 : apk_store_gdbm_error(gdbm_errno);
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

static enum apk_err read_meta(const struct reader *rd, struct apk_meta *meta)
{
	unsigned char buf[APK_RECORD_MAX];
	size_t len = 0;
	enum apk_err err = fetch(rd, APK_STORE_KEY_META, 1, buf, sizeof(buf), &len);

	if (err == APK_OK)
		err = apk_meta_decode(buf, len, meta);
	else if (err == APK_ERR_NOTFOUND)
		err = APK_ERR_CORRUPT; /* every file has its header */
	sodium_memzero(buf, sizeof(buf));
	return err;
}

/* The record stored under id; it must name that id and the file's account,
 * and the decoy holds none. */
static enum apk_err read_record(const struct reader *rd, const char *id, struct apk_record *r)
{
	unsigned char buf[APK_RECORD_MAX];
	char k[1 + APK_ID_LEN];
	size_t len = 0;
	enum apk_err err = fetch(rd, k, apk_store_record_key(k, id), buf, sizeof(buf), &len);

	if (err == APK_OK) {
		err = apk_record_decode(buf, len, r);
		if (err == APK_OK && (strcmp(r->id, id) != 0 || r->uid != rd->uid || rd->decoy))
			err = APK_ERR_CORRUPT;
	}
	sodium_memzero(buf, sizeof(buf));
	return err;
}

static enum apk_err read_index(const struct reader *rd, struct apk_index *ix)
{
	unsigned char buf[APK_INDEX_MAX];
	size_t len = 0;
	enum apk_err err = fetch(rd, APK_STORE_KEY_INDEX, 1, buf, sizeof(buf), &len);

	if (err == APK_ERR_NOTFOUND) {
		ix->n = 0;
		return APK_OK;
	}
	return err == APK_OK ? apk_index_decode(buf, len, ix) : err;
}

/* What a found record costs beyond a missing one: gdbm seeks to the value
 * and reads it (no mmap: see open_file), and we decode it. A miss does the
 * same with a stand-in of a usual size, so that an unknown id takes the time
 * of a wrong secret. gdbm seeks before each of its own reads, so moving the
 * file offset here changes nothing for it. */
static void miss_costs_a_record(const struct reader *rd)
{
	static const struct apk_record standin = {
		.id = "AAAAAAAAAAAA", .uid = 0, .owner = "standin", .name = "key-1",
		.description = "",
	};
	unsigned char buf[APK_RECORD_MAX], raw[APK_RECORD_MAX];
	struct apk_record r;
	size_t len = 0;
	int fd = gdbm_fdesc(rd->db);

	if (apk_record_encode(&standin, buf, sizeof(buf), &len) == APK_OK &&
	    lseek(fd, 0, SEEK_SET) == 0 && read(fd, raw, len) >= 0)
		(void)apk_record_decode(buf, len, &r);
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(&r, sizeof(r));
}

/* An account without a file costs a failed open before the decoy's: an
 * account with one looks up a name that is never there, for equal work. */
static void found_costs_a_miss(const struct apk_store_files *f)
{
	int fd = openat(f->dirfd, APK_STORE_NEVER, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd >= 0)
		close(fd);
}

enum apk_err apk_store_fetch_at(int dirfd, uint32_t uid, const char *id, struct apk_meta *meta,
				struct apk_record *rec)
{
	struct apk_store_files f;
	struct reader rd = { NULL, uid, 0 };
	enum apk_err err;

	memset(meta, 0, sizeof(*meta));
	memset(rec, 0, sizeof(*rec));
	apk_store_name(&f, dirfd, uid);
	err = open_file(&f, f.base, &rd.db);
	if (err == APK_ERR_NOTFOUND) {
		rd.decoy = 1;
		err = open_file(&f, APK_STORE_DECOY, &rd.db);
	} else if (err == APK_OK) {
		found_costs_a_miss(&f);
	}
	if (err != APK_OK)
		return err; /* NOTFOUND: no file at all, nobody ever had a key here */
	if ((err = read_meta(&rd, meta)) == APK_OK) {
		err = read_record(&rd, id, rec);
		if (err == APK_ERR_NOTFOUND)
			miss_costs_a_record(&rd);
	}
	gdbm_close(rd.db);
	if (err != APK_OK && err != APK_ERR_NOTFOUND)
		sodium_memzero(meta, sizeof(*meta));
	if (err != APK_OK)
		sodium_memzero(rec, sizeof(*rec));
	return err;
}

enum apk_err apk_store_fetch(const char *dbdir, uint32_t uid, const char *id,
			     struct apk_meta *meta, struct apk_record *rec)
{
	struct apk_store_files f;
	enum apk_err err;

	memset(meta, 0, sizeof(*meta));
	memset(rec, 0, sizeof(*rec));
	if ((err = apk_store_locate(&f, dbdir, uid)) != APK_OK)
		return err;
	err = apk_store_fetch_at(f.dirfd, uid, id, meta, rec);
	apk_store_release(&f);
	return err;
}

/* Every record the index names, in its order, into kr. */
static enum apk_err read_records(const struct reader *rd, struct apk_keyring *kr)
{
	struct apk_index *ix;
	struct apk_record r;
	enum apk_err err;
	size_t i;

	if ((ix = malloc(sizeof(*ix))) == NULL)
		return APK_ERR_NOMEM;
	err = read_index(rd, ix);
	for (i = 0; err == APK_OK && i < ix->n; i++) {
		err = read_record(rd, ix->ids[i], &r);
		if (err == APK_ERR_NOTFOUND)
			err = APK_ERR_CORRUPT; /* the index names a record that is not there */
		if (err == APK_OK)
			err = apk_keyring_append(kr, &r);
	}
	sodium_memzero(&r, sizeof(r));
	free(ix);
	return err;
}

enum apk_err apk_store_read_all(const struct apk_store_files *f, struct apk_keyring *kr)
{
	struct reader rd = { NULL, f->uid, 0 };
	struct apk_meta decoy_meta;
	enum apk_err err;

	apk_keyring_init(kr);
	err = open_file(f, f->base, &rd.db);
	if (err == APK_ERR_NOTFOUND) {
		/* No file: no keys, and a fresh hash key for the first. The decoy
		 * the module reads instead must pass the same checks. */
		rd.decoy = 1;
		err = open_file(f, APK_STORE_DECOY, &rd.db);
		if (err == APK_ERR_NOTFOUND)
			return APK_OK;
	}
	if (err != APK_OK)
		return err;
	if ((err = read_meta(&rd, rd.decoy ? &decoy_meta : &kr->meta)) == APK_OK)
		err = read_records(&rd, kr); /* the decoy's are corruption */
	gdbm_close(rd.db);
	sodium_memzero(&decoy_meta, sizeof(decoy_meta));
	if (err != APK_OK) {
		apk_keyring_free(kr);
		apk_keyring_init(kr);
	}
	return err;
}

enum apk_err apk_store_load_at(int dirfd, uint32_t uid, struct apk_keyring *kr)
{
	struct apk_store_files f;

	apk_store_name(&f, dirfd, uid);
	return apk_store_read_all(&f, kr);
}

enum apk_err apk_store_load(const char *dbdir, uint32_t uid, struct apk_keyring *kr)
{
	struct apk_store_files f;
	enum apk_err err;

	if ((err = apk_store_locate(&f, dbdir, uid)) != APK_OK) {
		apk_keyring_init(kr);
		return err;
	}
	err = apk_store_read_all(&f, kr);
	apk_store_release(&f);
	return err;
}
