/* lastused.h - each key's last successful login: when, through which PAM
 * service, from which remote host
 *
 * One file per account, DIR/u<uid>.used, beside the account's key file and
 * independent of it (a change of the key set renames u<uid>, never this
 * file). It holds a fixed-size slot per key; the module overwrites its
 * key's slot with one pwrite and never creates, grows, locks or waits.
 * The helper account creates the file and assigns the slots
 * (apk_lastused_assign, under the account's writer lock, for records
 * however they were written: the store's save calls it, and a writer that
 * puts records in the database by other means calls it the same way);
 * the module only
 * writes into an existing file. The byte layout is in FORMAT.md, section
 * "Last used"; common/lastused_format.c owns it.
 */
#ifndef APK_LASTUSED_H
#define APK_LASTUSED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apk_error.h"

/* Longest stored text (escaped with apk_escape, then cut to fit). */
#define APK_LASTUSED_SERVICE_MAX 63
#define APK_LASTUSED_RHOST_MAX 151

/* Most slots a file may have (above APK_MAX_INDEX_IDS). */
#define APK_LASTUSED_MAX_SLOTS 1024

struct apk_lastused {
	bool used;                               /* false: never (or unreadable) */
	int64_t time;                            /* seconds since 1970 UTC, > 0 */
	char service[APK_LASTUSED_SERVICE_MAX + 1];  /* escaped; "" when unknown */
	char rhost[APK_LASTUSED_RHOST_MAX + 1];      /* escaped; "" when unset */
};

/* ---- the module (root, in the login's process) ------------------------ */

/* Records a successful login of key id (12 characters) of account uid:
 * time when (> 0), service and rhost (NULL or any bytes: escaped and cut).
 * Best effort and bounded: opens DIR/u<uid>.used (O_NOFOLLOW, the checks of
 * apk_safe_openat; never O_CREAT, never waiting for a lease), checks its header
 * and size, finds the key's slot and pwrites it within the file. The caller
 * only logs the result and never fails a login for it:
 *   APK_OK            recorded
 *   APK_ERR_NOTFOUND  no file, or the key has no slot in it (skipped)
 *   APK_ERR_UNSAFE    the file failed a check: not written
 *   APK_ERR_CORRUPT   the header or size is not this format: not written
 *   APK_ERR_INVALID   a bad argument
 *   APK_ERR_UNAVAIL   the directory or an I/O call failed */
enum apk_err apk_lastused_record(const char *dir, uint32_t uid, const char *id, int64_t when,
				 const char *service, const char *rhost);

/* The same with the database directory already opened by apk_safe_open_dir. */
enum apk_err apk_lastused_record_at(int dirfd, uint32_t uid, const char *id, int64_t when,
				    const char *service, const char *rhost);

/* ---- the helper (the helper account, apikeyctl) ------------------------ */

/* Fills out[i] with the last use of ids[i] (i < n). Every entry reads as
 * never unless its slot is whole, checksummed and belongs to that id. A
 * slot being written at that moment is read again until it is whole.
 * APK_OK, or the reason nothing could be read (NOTFOUND: no file, UNSAFE,
 * CORRUPT, UNAVAIL, INVALID) with every entry never. No lock. */
enum apk_err apk_lastused_read(const char *dir, uint32_t uid, const char *const *ids, size_t n,
			       struct apk_lastused *out);

/* Makes DIR/u<uid>.used hold exactly one slot for each of ids[0..n), the
 * account's whole key set after a change: keeps the slots (and their
 * times) of ids still there, frees those of ids gone, assigns free slots
 * to new ids. Creates the file when missing, rebuilds it (a new file
 * renamed over the old one, the kept slots copied) when it must grow or
 * may shrink or is not valid, and removes it when n is 0. The caller holds
 * the account's writer lock (apk_store_begin's, or its own on
 * u<uid>.lock); a failure here must not fail the change (logins are then
 * not recorded until the next change). */
enum apk_err apk_lastused_assign(const char *dir, uint32_t uid, const char *const *ids, size_t n);

/* The same in the database directory dirfd, opened and checked already
 * (apk_safe_open_dir); APK_ERR_INVALID for a bad id set or dirfd < 0. */
enum apk_err apk_lastused_assign_at(int dirfd, uint32_t uid, const char *const *ids, size_t n);

/* The same, durable (a rebuilt file fsynced before its rename, the
 * directory after) or not (the mirror's bulk writes: apk_mirror_sync). */
enum apk_err apk_lastused_assign_how(int dirfd, uint32_t uid, const char *const *ids, size_t n,
				     bool durable);

#endif
