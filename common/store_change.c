/* store_change.c - changing an account's keys: lock, load, write a new
 * file, fsync, rename it over the old one */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lastused.h"
#include "safefile.h"
#include "store_internal.h"

struct apk_store_change {
	struct apk_store_files files;
	int lockfd;
};

static enum apk_err take_lock(struct apk_store_change *ch, int timeout_ms)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	int waited = 0;
	enum apk_err err;

	err = apk_safe_openat(ch->files.dirfd, ch->files.lockname, O_RDWR | O_CREAT, 0600,
			      &ch->lockfd);
	if (err != APK_OK)
		return err == APK_ERR_NOTFOUND ? APK_ERR_UNAVAIL : err;
	while (flock(ch->lockfd, LOCK_EX | LOCK_NB) != 0) {
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

	return gdbm_store(db, k, v, GDBM_INSERT) == 0 ? APK_OK : apk_store_gdbm_error(gdbm_errno);
}

/* Writes meta, every record and the index of kr into the empty database
 * db. Every value goes through its encoder, which validates every field. */
static enum apk_err write_all(const struct apk_keyring *kr, uint32_t uid, GDBM_FILE db)
{
	unsigned char buf[APK_INDEX_MAX > APK_RECORD_MAX ? APK_INDEX_MAX : APK_RECORD_MAX];
	char k[1 + APK_ID_LEN];
	struct apk_index *ix;
	size_t len, i;
	enum apk_err err;

	if (kr->n > APK_MAX_INDEX_IDS)
		return APK_ERR_LIMIT;
	if ((ix = malloc(sizeof(*ix))) == NULL)
		return APK_ERR_NOMEM;
	ix->n = kr->n;
	err = apk_meta_encode(&kr->meta, buf, sizeof(buf), &len);
	if (err == APK_OK)
		err = put_value(db, APK_STORE_KEY_META, 1, buf, len);
	for (i = 0; i < kr->n && err == APK_OK; i++) {
		if (kr->recs[i].uid != uid)
			err = APK_ERR_INVALID; /* a file holds one account's keys */
		else
			err = apk_record_encode(&kr->recs[i], buf, sizeof(buf), &len);
		if (err == APK_OK)
			err = put_value(db, k, apk_store_record_key(k, kr->recs[i].id), buf, len);
		memcpy(ix->ids[i], kr->recs[i].id, sizeof(ix->ids[i]));
	}
	/* apk_index_encode refuses an id twice; gdbm_store (GDBM_INSERT) did already */
	if (err == APK_OK && kr->n > 0) {
		err = apk_index_encode(ix, buf, sizeof(buf), &len);
		if (err == APK_OK)
			err = put_value(db, APK_STORE_KEY_INDEX, 1, buf, len);
	}
	sodium_memzero(buf, sizeof(buf));
	free(ix);
	return err;
}

/* Builds kr as a gdbm database in memory (gdbm fsyncs what it writes: in
 * memory that costs nothing) and returns the descriptor holding it in *mfd. */
static enum apk_err build_in_memory(const struct apk_store_files *f, const struct apk_keyring *kr,
				    int *mfd)
{
	GDBM_FILE db;
	enum apk_err err;
	int gfd;

	if ((*mfd = memfd_create("apk-store", MFD_CLOEXEC)) < 0)
		return errno == ENOMEM ? APK_ERR_NOMEM : APK_ERR_UNAVAIL;
	/* gdbm gets its own descriptor to close */
	if ((gfd = fcntl(*mfd, F_DUPFD_CLOEXEC, 0)) < 0)
		return APK_ERR_UNAVAIL;
	gdbm_errno = GDBM_NO_ERROR;
	db = gdbm_fd_open(gfd, f->newname, APK_STORE_BLOCK_SIZE,
			  GDBM_NEWDB | GDBM_NOLOCK | GDBM_NOMMAP | GDBM_CLOERROR, NULL);
	if (db == NULL)
		return gdbm_errno == GDBM_NO_ERROR ? APK_ERR_UNAVAIL : apk_store_gdbm_error(gdbm_errno);
	err = write_all(kr, f->uid, db);
	if (gdbm_close(db) != 0 && err == APK_OK)
		err = APK_ERR_UNAVAIL;
	return err;
}

/* Copies the whole of from into the empty file to. */
static enum apk_err copy_into(int from, int to)
{
	unsigned char buf[16384];
	off_t pos = 0;
	ssize_t n, w, done;

	for (;;) {
		n = pread(from, buf, sizeof(buf), pos);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (done = 0; done < n; done += w)
			if ((w = pwrite(to, buf + done, (size_t)(n - done), pos + done)) <= 0) {
				sodium_memzero(buf, sizeof(buf));
				return APK_ERR_UNAVAIL;
			}
		pos += n;
	}
	sodium_memzero(buf, sizeof(buf));
	return n == 0 ? APK_OK : APK_ERR_UNAVAIL;
}

enum apk_err apk_store_write_file(const struct apk_store_files *f, const struct apk_keyring *kr,
				  const char *target, enum apk_store_write how)
{
	enum apk_err err;
	int fd = -1, mfd = -1;

	if ((err = apk_safe_remove_stale(f->dirfd, f->newname)) != APK_OK)
		return err;
	if ((err = build_in_memory(f, kr, &mfd)) != APK_OK)
		goto out;
	err = apk_safe_openat(f->dirfd, f->newname, O_RDWR | O_CREAT | O_EXCL, 0600, &fd);
	if (err != APK_OK) {
		err = err == APK_ERR_NOTFOUND ? APK_ERR_UNAVAIL : err;
		goto out;
	}
	/* 0600 whatever the umask */
	if (fchmod(fd, 0600) != 0)
		err = APK_ERR_UNAVAIL;
	if (err == APK_OK)
		err = copy_into(mfd, fd);
	/* durable: the new file is on disk before it replaces the old one, and
	 * the rename before we answer; bulk: apk_mirror_sync does both later */
	if (err == APK_OK && how == APK_STORE_DURABLE && fsync(fd) != 0)
		err = APK_ERR_UNAVAIL;
	if (err == APK_OK && renameat(f->dirfd, f->newname, f->dirfd, target) != 0)
		err = APK_ERR_UNAVAIL;
	if (err == APK_OK && how == APK_STORE_DURABLE && fsync(f->dirfd) != 0)
		err = APK_ERR_UNAVAIL;
out:
	if (mfd >= 0)
		close(mfd);
	if (fd >= 0)
		close(fd);
	if (err != APK_OK && fd >= 0)
		unlinkat(f->dirfd, f->newname, 0);
	return err;
}

enum apk_err apk_store_ensure_decoy(const struct apk_store_files *f)
{
	struct apk_keyring empty;
	enum apk_err err;

	if (faccessat(f->dirfd, APK_STORE_DECOY, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return APK_OK;
	if (errno != ENOENT)
		return APK_ERR_UNAVAIL;
	apk_keyring_init(&empty);
	err = apk_store_write_file(f, &empty, APK_STORE_DECOY, APK_STORE_DURABLE);
	apk_keyring_free(&empty);
	return err;
}

void apk_store_abandon(struct apk_store_change *ch)
{
	if (ch == NULL)
		return;
	if (ch->lockfd >= 0)
		close(ch->lockfd); /* releases the flock */
	apk_store_release(&ch->files);
	free(ch);
}

enum apk_err apk_store_begin(const char *dbdir, uint32_t uid, int lock_timeout_ms,
			     struct apk_keyring *kr, struct apk_store_change **out)
{
	struct apk_store_change *ch;
	enum apk_err err;

	*out = NULL;
	apk_keyring_init(kr);
	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		return APK_ERR_NOMEM;
	ch->lockfd = -1;
	if ((err = apk_store_locate(&ch->files, dbdir, uid)) != APK_OK ||
	    (err = take_lock(ch, lock_timeout_ms)) != APK_OK ||
	    (err = apk_store_ensure_decoy(&ch->files)) != APK_OK ||
	    /* everything decoded and checked: a damaged file is never built upon */
	    (err = apk_store_read_all(&ch->files, kr)) != APK_OK) {
		apk_store_abandon(ch);
		return err;
	}
	*out = ch;
	return APK_OK;
}

/* An account left without keys loses its file (it reads as the decoy). */
static enum apk_err remove_file(const struct apk_store_files *f, enum apk_store_write how)
{
	enum apk_err err = apk_safe_remove_stale(f->dirfd, f->newname);

	if (err != APK_OK)
		return err;
	if (unlinkat(f->dirfd, f->base, 0) != 0 && errno != ENOENT)
		return APK_ERR_UNAVAIL;
	if (how == APK_STORE_DURABLE && fsync(f->dirfd) != 0)
		return APK_ERR_UNAVAIL;
	return APK_OK;
}

/* Gives every key of the saved keyring its slot in the last-used file
 * (lastused.h), still under the writer's lock. Its failure does not undo
 * the change: logins are then not recorded until the next one. */
static void prepare_last_used(const struct apk_store_files *f, const struct apk_keyring *kr,
			      enum apk_store_write how)
{
	const char **ids;
	size_t i;

	if ((ids = calloc(kr->n + 1, sizeof(*ids))) == NULL)
		return;
	for (i = 0; i < kr->n; i++)
		ids[i] = kr->recs[i].id;
	(void)apk_lastused_assign_how(f->dirfd, f->uid, ids, kr->n, how == APK_STORE_DURABLE);
	free(ids);
}

enum apk_err apk_store_replace(const struct apk_store_files *f, const struct apk_keyring *kr,
			       enum apk_store_write how)
{
	enum apk_err err;

	err = kr->n > 0 ? apk_store_write_file(f, kr, f->base, how) : remove_file(f, how);
	if (err == APK_OK)
		prepare_last_used(f, kr, how);
	return err;
}

enum apk_err apk_store_save(struct apk_store_change *ch, const struct apk_keyring *kr)
{
	enum apk_err err = apk_store_replace(&ch->files, kr, APK_STORE_DURABLE);

	apk_store_abandon(ch);
	return err;
}
