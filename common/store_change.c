/* store_change.c - changing an account's keys: lock, load, write a new
 * file, fsync, rename it over the old one */
#include <errno.h>
#include <fcntl.h>
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

/* Writes kr as a new file at newname and renames it to target. newname is
 * ours while we hold the lock; a stale one from a writer that was killed is
 * removed first. */
static enum apk_err write_file_as(const struct apk_store_files *f, const struct apk_keyring *kr,
				  const char *target)
{
	GDBM_FILE db;
	enum apk_err err;
	int fd, gfd;

	if ((err = apk_safe_remove_stale(f->dirfd, f->newname)) != APK_OK)
		return err;
	err = apk_safe_openat(f->dirfd, f->newname, O_RDWR | O_CREAT | O_EXCL, 0600, &fd);
	if (err != APK_OK)
		return err == APK_ERR_NOTFOUND ? APK_ERR_UNAVAIL : err;
	/* 0600 whatever the umask; gdbm gets its own descriptor to close */
	if (fchmod(fd, 0600) != 0 || (gfd = dup(fd)) < 0) {
		err = APK_ERR_UNAVAIL;
		goto out;
	}
	fcntl(gfd, F_SETFD, FD_CLOEXEC);
	gdbm_errno = GDBM_NO_ERROR;
	db = gdbm_fd_open(gfd, f->newname, APK_STORE_BLOCK_SIZE,
			  GDBM_NEWDB | GDBM_NOLOCK | GDBM_NOMMAP | GDBM_CLOERROR, NULL);
	if (db == NULL) {
		err = gdbm_errno == GDBM_NO_ERROR ? APK_ERR_UNAVAIL : apk_store_gdbm_error(gdbm_errno);
		goto out;
	}
	err = write_all(kr, f->uid, db);
	/* gdbm_close syncs the file to disk (fsync) before it returns, as
	 * documented: once it succeeds the new file is durable and can replace
	 * the old one. */
	if (gdbm_close(db) != 0 && err == APK_OK)
		err = APK_ERR_UNAVAIL;
	if (err == APK_OK &&
	    (renameat(f->dirfd, f->newname, f->dirfd, target) != 0 || fsync(f->dirfd) != 0))
		err = APK_ERR_UNAVAIL;
out:
	close(fd);
	if (err != APK_OK)
		unlinkat(f->dirfd, f->newname, 0);
	return err;
}

/* Every reader of an account without a file reads the decoy: one with no
 * keys and a hash key of its own. Made by the first writer that misses it. */
static enum apk_err ensure_decoy(const struct apk_store_files *f)
{
	struct apk_keyring empty;
	enum apk_err err;

	if (faccessat(f->dirfd, APK_STORE_DECOY, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return APK_OK;
	if (errno != ENOENT)
		return APK_ERR_UNAVAIL;
	apk_keyring_init(&empty);
	err = write_file_as(f, &empty, APK_STORE_DECOY);
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
	    (err = ensure_decoy(&ch->files)) != APK_OK ||
	    /* everything decoded and checked: a damaged file is never built upon */
	    (err = apk_store_read_all(&ch->files, kr)) != APK_OK) {
		apk_store_abandon(ch);
		return err;
	}
	*out = ch;
	return APK_OK;
}

/* An account left without keys loses its file (it reads as the decoy). */
static enum apk_err remove_file(const struct apk_store_files *f)
{
	enum apk_err err = apk_safe_remove_stale(f->dirfd, f->newname);

	if (err != APK_OK)
		return err;
	if (unlinkat(f->dirfd, f->base, 0) != 0 && errno != ENOENT)
		return APK_ERR_UNAVAIL;
	return fsync(f->dirfd) == 0 ? APK_OK : APK_ERR_UNAVAIL;
}

/* Gives every key of the saved keyring its slot in the last-used file
 * (lastused.h), still under the lock. Its failure does not undo the change:
 * logins are then not recorded until the next one. */
static void prepare_last_used(const struct apk_store_change *ch, const struct apk_keyring *kr)
{
	const char **ids;
	size_t i;

	if ((ids = calloc(kr->n + 1, sizeof(*ids))) == NULL)
		return;
	for (i = 0; i < kr->n; i++)
		ids[i] = kr->recs[i].id;
	(void)apk_lastused_assign_at(ch->files.dirfd, ch->files.uid, ids, kr->n);
	free(ids);
}

enum apk_err apk_store_save(struct apk_store_change *ch, const struct apk_keyring *kr)
{
	enum apk_err err;

	err = kr->n > 0 ? write_file_as(&ch->files, kr, ch->files.base) : remove_file(&ch->files);
	if (err == APK_OK)
		prepare_last_used(ch, kr);
	apk_store_abandon(ch);
	return err;
}
