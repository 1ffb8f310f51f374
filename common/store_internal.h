/* store_internal.h - what store.c (reading) and store_change.c (changing)
 * share, and the benchmark that times the store's steps alone */
#ifndef APK_STORE_INTERNAL_H
#define APK_STORE_INTERNAL_H

#include <gdbm.h>

#include "store.h"

#define APK_STORE_DECOY "decoy"
#define APK_STORE_NEVER "u.none" /* a name no file has: the store never writes it */
#define APK_STORE_KEY_META "m"
#define APK_STORE_KEY_INDEX "i"
#define APK_STORE_KEY_RECORD 'k'
#define APK_STORE_BLOCK_SIZE 1024 /* account files are small */

/* One account's files in the (checked) database directory. */
struct apk_store_files {
	int dirfd;
	uint32_t uid;
	char base[24];     /* u<uid> */
	char lockname[24]; /* u<uid>.lock */
	char newname[24];  /* u<uid>.new */
};

/* Fills the names for uid in the directory dirfd (borrowed, not closed). */
void apk_store_name(struct apk_store_files *f, int dirfd, uint32_t uid);
/* Fills the names for uid and opens the checked directory (dirfd -1 on failure). */
enum apk_err apk_store_locate(struct apk_store_files *f, const char *dbdir, uint32_t uid);
void apk_store_release(struct apk_store_files *f);

/* Reads the account's whole file into kr (initialised here); an account
 * without a file reads as an empty keyring with a fresh hash key. */
enum apk_err apk_store_read_all(const struct apk_store_files *f, struct apk_keyring *kr);

/* How a file is replaced: durable (the new file fsynced before its
 * rename, the directory after: the local store, every change) or bulk
 * (rename only: the mirror, made durable all at once by apk_mirror_sync).
 * Either way a reader sees the old file or the new one, whole. */
enum apk_store_write { APK_STORE_DURABLE, APK_STORE_BULK };

/* Writes kr as f's newname (a killed writer's stale one removed first),
 * built in memory and copied, and renames it to target. */
enum apk_err apk_store_write_file(const struct apk_store_files *f, const struct apk_keyring *kr,
				  const char *target, enum apk_store_write how);

/* Makes kr the account's keys (no keys: its file removed) and gives each
 * its last-use slot (apk_lastused_assign; its failure is not the change's). */
enum apk_err apk_store_replace(const struct apk_store_files *f, const struct apk_keyring *kr,
			       enum apk_store_write how);

/* Every reader of an account without a file reads the decoy: one with no
 * keys and a hash key of its own. Made (durably) by the first writer that
 * misses it. */
enum apk_err apk_store_ensure_decoy(const struct apk_store_files *f);

enum apk_err apk_store_gdbm_error(int gerr);
size_t apk_store_record_key(char out[1 + APK_ID_LEN], const char *id);

#endif
