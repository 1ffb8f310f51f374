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

enum apk_err apk_store_gdbm_error(int gerr);
size_t apk_store_record_key(char out[1 + APK_ID_LEN], const char *id);

#endif
