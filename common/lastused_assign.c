/* lastused_assign.c - keeping u<uid>.used in step with the account's key
 * set: creating it, assigning and freeing slots, rebuilding and removing
 * it (the helper account, under the account's writer lock), whatever
 * wrote the records: the store's save calls it, and so can any writer of
 * an account's records */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h> /* renameat */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lastused_format.h"
#include "safefile.h"

/* Position of id in ids[0..n), or -1. */
static long find_id(const char *const *ids, size_t n, const char *id)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (strcmp(ids[k], id) == 0)
			return (long)k;
	return -1;
}

static enum apk_err check_ids(const char *const *ids, size_t n)
{
	size_t k;

	if (n > APK_LASTUSED_MAX_SLOTS)
		return APK_ERR_INVALID;
	for (k = 0; k < n; k++)
		if (!apk_id_valid(ids[k]) || find_id(ids, k, ids[k]) >= 0)
			return APK_ERR_INVALID;
	return APK_OK;
}

/* The cap of the file is right for n keys: enough slots, and not four
 * times too many (then it shrinks). */
static int cap_fits(uint32_t cap, size_t n)
{
	return cap >= n && !(cap > APK_LU_MIN_SLOTS && (size_t)cap >= 4 * n);
}

static off_t slot_off(uint32_t cap, uint32_t i)
{
	return (off_t)apk_lu_data_offset(cap) + (off_t)i * APK_LU_SLOT;
}

static off_t entry_off(uint32_t i)
{
	return (off_t)APK_LU_HEADER + (off_t)i * APK_LU_ENTRY;
}

/* Frees entry i (the entry first: a module looking for the old id no
 * longer finds it; then its slot is cleared). */
static int free_slot(int fd, uint32_t cap, uint32_t i, unsigned char *e)
{
	static const unsigned char zero[APK_LU_SLOT];

	memset(e, 0, APK_LU_ENTRY);
	return apk_lu_pwrite(fd, zero, APK_LU_ENTRY, entry_off(i)) == 0 &&
			       apk_lu_pwrite(fd, zero, APK_LU_SLOT, slot_off(cap, i)) == 0 ? 0 : -1;
}

/* Gives free entry i to id (the slot cleared first: a write that a module
 * made for a freed key's id reads as foreign, never as this key's). */
static int assign_slot(int fd, uint32_t cap, uint32_t i, const char *id, unsigned char *e)
{
	static const unsigned char zero[APK_LU_SLOT];

	apk_lu_entry_encode(e, id);
	return apk_lu_pwrite(fd, zero, APK_LU_SLOT, slot_off(cap, i)) == 0 &&
			       apk_lu_pwrite(fd, e, APK_LU_ENTRY, entry_off(i)) == 0 ? 0 : -1;
}

/* Keeps the entries of ids still wanted, frees the others (gone, invalid
 * or a second entry for one id) and assigns free entries to ids without
 * one. cap >= n. */
static enum apk_err update_in_place(int fd, uint32_t cap, const char *const *ids, size_t n)
{
	unsigned char *dir = malloc((size_t)cap * APK_LU_ENTRY);
	char id[APK_ID_LEN + 1];
	bool *have = calloc(n, sizeof(bool));
	enum apk_err e = APK_OK;
	uint32_t i, next = 0;
	size_t k;

	if (dir == NULL || have == NULL) {
		e = APK_ERR_NOMEM;
		goto out;
	}
	if (apk_lu_pread(fd, dir, (size_t)cap * APK_LU_ENTRY, APK_LU_HEADER) != 0) {
		e = APK_ERR_UNAVAIL;
		goto out;
	}
	for (i = 0; i < cap && e == APK_OK; i++) {
		unsigned char *ent = dir + (size_t)i * APK_LU_ENTRY;
		int r = apk_lu_entry_id(ent, id);
		long at = r == 1 ? find_id(ids, n, id) : -1;

		if (r == 0)
			continue;
		if (at >= 0 && !have[at])
			have[at] = true;
		else if (free_slot(fd, cap, i, ent) != 0)
			e = APK_ERR_UNAVAIL;
	}
	for (k = 0; k < n && e == APK_OK; k++) {
		if (have[k])
			continue;
		while (next < cap && apk_lu_entry_id(dir + (size_t)next * APK_LU_ENTRY, id) != 0)
			next++;
		if (next == cap)
			e = APK_ERR_CORRUPT;    /* cannot happen: cap >= n */
		else if (assign_slot(fd, cap, next, ids[k], dir + (size_t)next * APK_LU_ENTRY) != 0)
			e = APK_ERR_UNAVAIL;
	}
out:
	free(dir);
	free(have);
	return e;
}

/* The last use of ids[k] in the old file (oldfd, -1: none). */
static void old_use(int oldfd, uint32_t uid, uint32_t oldcap, const char *id,
		    struct apk_lastused *lu)
{
	uint32_t index;

	memset(lu, 0, sizeof(*lu));
	if (oldfd >= 0 && apk_lu_find_slot(oldfd, oldcap, id, &index) == APK_OK)
		(void)apk_lu_read_slot(oldfd, uid, oldcap, index, id, lu);
}

/* After the rename: a login recorded in the old file while the new one
 * was being built is carried over, unless the new slot is as recent. */
static void carry_late_logins(int oldfd, int newfd, uint32_t uid, uint32_t oldcap, uint32_t cap,
			      const char *const *ids, size_t n)
{
	unsigned char s[APK_LU_SLOT];
	struct apk_lastused was, now;
	uint32_t k;

	for (k = 0; k < n; k++) {
		old_use(oldfd, uid, oldcap, ids[k], &was);
		if (!was.used)
			continue;
		(void)apk_lu_read_slot(newfd, uid, cap, k, ids[k], &now);
		if (now.used && now.time >= was.time)
			continue;
		apk_lu_slot_encode(s, uid, k, ids[k], &was);
		(void)apk_lu_pwrite(newfd, s, sizeof(s), slot_off(cap, k));
	}
}

/* Writes a new file for ids (slot k for ids[k], the old file's times
 * copied), renames it over u<uid>.used and syncs the directory. */
static enum apk_err rebuild(int dirfd, uint32_t uid, const char *const *ids, size_t n, int oldfd,
			    uint32_t oldcap, bool durable)
{
	uint32_t cap = apk_lu_cap_for(n), k;
	size_t size = apk_lu_file_size(cap);
	unsigned char *buf = calloc(1, size);
	char name[32], tmp[32];
	struct apk_lastused lu;
	enum apk_err e;
	int fd = -1;

	if (buf == NULL)
		return APK_ERR_NOMEM;
	apk_lu_name(uid, 0, name);
	apk_lu_name(uid, 1, tmp);
	apk_lu_header_encode(buf, uid, cap);
	for (k = 0; k < n; k++) {
		apk_lu_entry_encode(buf + entry_off(k), ids[k]);
		old_use(oldfd, uid, oldcap, ids[k], &lu);
		if (lu.used)
			apk_lu_slot_encode(buf + slot_off(cap, k), uid, k, ids[k], &lu);
	}
	e = apk_safe_openat(dirfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOCTTY, 0600, &fd);
	if (e == APK_OK && (apk_lu_pwrite(fd, buf, size, 0) != 0 || (durable && fsync(fd) != 0) ||
			    renameat(dirfd, tmp, dirfd, name) != 0))
		e = APK_ERR_UNAVAIL;
	if (e == APK_OK) {
		if (durable)
			(void)fsync(dirfd);
		if (oldfd >= 0)
			carry_late_logins(oldfd, fd, uid, oldcap, cap, ids, n);
	} else if (fd >= 0) {
		(void)unlinkat(dirfd, tmp, 0);
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return e;
}

enum apk_err apk_lastused_assign_at(int dirfd, uint32_t uid, const char *const *ids, size_t n)
{
	return apk_lastused_assign_how(dirfd, uid, ids, n, true);
}

enum apk_err apk_lastused_assign_how(int dirfd, uint32_t uid, const char *const *ids, size_t n,
				     bool durable)
{
	enum apk_err e;
	uint32_t cap = 0;
	int fd = -1;
	char name[32], tmp[32];

	e = check_ids(ids, n);
	if (e != APK_OK)
		return e;
	if (dirfd < 0)
		return APK_ERR_INVALID;
	apk_lu_name(uid, 0, name);
	apk_lu_name(uid, 1, tmp);
	/* Under the account's lock a replacement is always a killed helper's
	 * leftover. Removing a name in our own directory follows nothing,
	 * whatever it is. */
	if (unlinkat(dirfd, tmp, 0) != 0 && errno != ENOENT)
		return APK_ERR_UNAVAIL;
	if (n == 0) {
		/* No keys, no file. */
		if (unlinkat(dirfd, name, 0) != 0 && errno != ENOENT)
			e = APK_ERR_UNAVAIL;
		return e;
	}
	e = apk_lu_open(dirfd, uid, O_RDWR, &fd, &cap);
	if (e == APK_OK && cap_fits(cap, n)) {
		e = update_in_place(fd, cap, ids, n);
	} else if (e == APK_OK || e == APK_ERR_NOTFOUND || e == APK_ERR_CORRUPT ||
		   e == APK_ERR_UNSAFE) {
		/* Missing, the wrong size for n, or not a file we may trust or
		 * read: a fresh one replaces it (rename follows no link). */
		e = rebuild(dirfd, uid, ids, n, fd, cap, durable);
	}
	if (fd >= 0)
		close(fd);
	return e;
}

enum apk_err apk_lastused_assign(const char *dir, uint32_t uid, const char *const *ids, size_t n)
{
	enum apk_err e;
	int dirfd;

	e = check_ids(ids, n);
	if (e != APK_OK)
		return e;
	e = apk_safe_open_dir(dir, &dirfd);
	if (e != APK_OK)
		return e;
	e = apk_lastused_assign_at(dirfd, uid, ids, n);
	close(dirfd);
	return e;
}
