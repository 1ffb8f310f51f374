/* store.h - the key database: one gdbm file, replaced whole on every change
 *
 * gdbm keys:  "m"             -> struct apk_meta   (format version, hash key)
 *             "k" + id        -> struct apk_record
 *             "u" + uid (BE4) -> struct apk_index  (that account's ids)
 *
 * Readers open the file read-only without locks: it is never written in
 * place. A writer takes an exclusive lock on PATH.lock (waiting at most a
 * deadline), copies PATH to PATH.new, changes the copy, fsyncs it and renames
 * it over PATH, then fsyncs the directory. A writer killed at any instant
 * leaves PATH as it was; the next writer removes the stale PATH.new.
 */
#ifndef APK_STORE_H
#define APK_STORE_H

#include <stdint.h>

#include "apk_error.h"
#include "record.h"

struct apk_store;

/* Opens PATH for reading. The file must be a regular file with one link,
 * owned by root, the helper account or the calling euid, with no group or
 * other permission bits; its directory must not be writable by others.
 * APK_ERR_UNAVAIL when missing, APK_ERR_UNSAFE when a check fails,
 * APK_ERR_CORRUPT when it is not a valid database. */
enum apk_err store_open_read(const char *path, struct apk_store **out);

/* Starts a change: lock (deadline in ms), copy to PATH.new, open the copy.
 * A missing PATH starts an empty database with a new random hash key. */
enum apk_err store_begin(const char *path, int lock_timeout_ms, struct apk_store **out);

/* Makes the change durable and visible (fsync, rename, fsync dir), then
 * releases everything. On failure nothing changed. st is freed either way. */
enum apk_err store_commit(struct apk_store *st);

/* Closes a reader, or abandons a change (removes PATH.new, unlocks). */
void store_close(struct apk_store *st);

/* Reads, on either kind of handle. */
enum apk_err store_get_meta(struct apk_store *st, struct apk_meta *meta);
enum apk_err store_get_record(struct apk_store *st, const char *id, struct apk_record *r);
enum apk_err store_get_index(struct apk_store *st, uint32_t uid, struct apk_index *ix);

/* Writes, only inside a change. store_put_record inserts or replaces the
 * record and adds its id to the owner's index when new; store_delete_record
 * removes both. */
enum apk_err store_put_record(struct apk_store *st, const struct apk_record *r);
enum apk_err store_delete_record(struct apk_store *st, const char *id);

#endif
