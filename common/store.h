/* store.h - the key database: a directory of small gdbm files, one per
 * account, each replaced whole on every change
 *
 *   DIR/u<uid>       that account's keys          (gdbm)
 *   DIR/u<uid>.lock  its writers' lock            (flock, empty)
 *   DIR/u<uid>.new   the replacement being built  (gdbm, one writer)
 *   DIR/decoy        an account file with no keys, read in place of a
 *                    missing one so that every login does the same work
 *
 * gdbm keys in an account file:
 *   "m"        -> struct apk_meta   (format version, this file's hash key)
 *   "i"        -> struct apk_index  (the account's ids, in creation order)
 *   "k" + id   -> struct apk_record (one key; its uid must be the file's)
 *
 * Readers open a file read-only without locks: it is never written in
 * place. A writer takes an exclusive lock on u<uid>.lock (waiting at most
 * a deadline), reads the whole file into a keyring (keyring.h), and saves
 * the changed keyring as a new file u<uid>.new, fsyncs it and renames it
 * over u<uid>, then fsyncs the directory. A writer killed at any instant
 * leaves u<uid> as it was; the next writer removes the stale .new. A change
 * costs one account's file (at most APK_MAX_KEYS_PER_USER keys), whatever
 * the number of accounts. An account left without keys loses its file.
 *
 * The directory must be owned by root, the helper account or the calling
 * euid and not writable by group or others; each file a regular file with
 * at most one link, such an owner and no group or other permission bits
 * (safefile.h). Errors: APK_ERR_UNAVAIL when the directory is missing or
 * unreadable, APK_ERR_UNSAFE when a check fails, APK_ERR_CORRUPT when a file
 * is not a valid database, APK_ERR_NOMEM.
 */
#ifndef APK_STORE_H
#define APK_STORE_H

#include <stdint.h>

#include "apk_error.h"
#include "keyring.h"
#include "record.h"

/* The module's read: the header of account uid's file and the record with
 * this id. An account without a file reads the decoy (no keys), and a
 * missing record costs what a found one does, so that every answer takes
 * the same work. APK_OK: both filled. APK_ERR_NOTFOUND: no such record;
 * *meta is the decoy's when the account has no file (zero when there is no
 * decoy either), *rec is zero. A record whose uid is not the file's, or
 * whose id is not the one it is stored under, is corruption. */
enum apk_err apk_store_fetch(const char *dbdir, uint32_t uid, const char *id,
			     struct apk_meta *meta, struct apk_record *rec);
/* The same in the database directory dirfd, opened and checked already
 * (apk_safe_open_dir; the key source's, keysource.h). */
enum apk_err apk_store_fetch_at(int dirfd, uint32_t uid, const char *id, struct apk_meta *meta,
				struct apk_record *rec);

/* Reads account uid's whole keyring without a lock, every record decoded
 * and checked (for showing keys). An account without a file reads as an
 * empty keyring. kr is initialised here; apk_keyring_free it either way. */
enum apk_err apk_store_load(const char *dbdir, uint32_t uid, struct apk_keyring *kr);
enum apk_err apk_store_load_at(int dirfd, uint32_t uid, struct apk_keyring *kr);

/* A change of one account's keys, from apk_store_begin to apk_store_save
 * or apk_store_abandon. */
struct apk_store_change;

/* Locks account uid's keys (waiting at most lock_timeout_ms: then
 * APK_ERR_BUSY) and loads them into kr as apk_store_load does. Creates the
 * decoy when it is missing. On failure nothing is held. */
enum apk_err apk_store_begin(const char *dbdir, uint32_t uid, int lock_timeout_ms,
			     struct apk_keyring *kr, struct apk_store_change **out);

/* Makes kr the account's keys, durably (new file, fsync, rename, fsync of
 * the directory; no keys: the file is removed), gives each of them a slot
 * in the last-used file (apk_lastused_assign; its failure is not the
 * change's), then unlocks. On failure nothing changed. ch is freed either
 * way. */
enum apk_err apk_store_save(struct apk_store_change *ch, const struct apk_keyring *kr);

/* Ends a change without saving: unlocks. NULL is allowed. */
void apk_store_abandon(struct apk_store_change *ch);

#endif
