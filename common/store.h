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
 * a deadline), copies u<uid> to u<uid>.new, changes the copy, fsyncs it and
 * renames it over u<uid>, then fsyncs the directory. A writer killed at any
 * instant leaves u<uid> as it was; the next writer removes the stale .new.
 * A change costs a copy of one account's file (at most
 * APK_MAX_KEYS_PER_USER keys), whatever the number of accounts.
 */
#ifndef APK_STORE_H
#define APK_STORE_H

#include <stdint.h>

#include "apk_error.h"
#include "record.h"

struct apk_store;

/* Opens the keys of account uid in the database directory dir for reading.
 * The directory must be owned by root, the helper account or the calling
 * euid and not writable by group or others; each file a regular file with
 * at most one link, such an owner and no group or other permission bits.
 * An account without a file reads as the decoy (no keys), so the caller
 * does the same work either way. APK_ERR_UNAVAIL when the directory is
 * missing, APK_ERR_NOTFOUND when neither file exists (nobody ever had a
 * key), APK_ERR_UNSAFE when a check fails, APK_ERR_CORRUPT when the file is
 * not a valid database. */
enum apk_err store_open_read(const char *dir, uint32_t uid, struct apk_store **out);

/* Starts a change of account uid's keys: lock (deadline in ms), copy to
 * u<uid>.new, open the copy. A missing file starts an empty one with a new
 * random hash key. Creates the decoy when it is missing. */
enum apk_err store_begin(const char *dir, uint32_t uid, int lock_timeout_ms,
			 struct apk_store **out);

/* Makes the change durable and visible (fsync, rename, fsync dir), then
 * releases everything; an account left without keys has its file removed.
 * On failure nothing changed. st is freed either way. */
enum apk_err store_commit(struct apk_store *st);

/* Closes a reader, or abandons a change (removes the .new file, unlocks). */
void store_close(struct apk_store *st);

/* Reads, on either kind of handle. A record whose uid is not the file's is
 * corruption; the decoy holds no records and an empty index. */
enum apk_err store_get_meta(struct apk_store *st, struct apk_meta *meta);
enum apk_err store_get_record(struct apk_store *st, const char *id, struct apk_record *r);
enum apk_err store_get_index(struct apk_store *st, struct apk_index *ix);

/* Writes, only inside a change, only records of the file's account.
 * store_put_record inserts or replaces the record and adds its id to the
 * index when new; store_delete_record removes both. */
enum apk_err store_put_record(struct apk_store *st, const struct apk_record *r);
enum apk_err store_delete_record(struct apk_store *st, const char *id);

#endif
