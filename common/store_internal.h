/* store_internal.h - what store.c (reading) and store_change.c (changing)
 * share; nothing outside the store includes it */
#ifndef APK_STORE_INTERNAL_H
#define APK_STORE_INTERNAL_H

#include <gdbm.h>

#include "store.h"

#define STORE_DECOY "decoy"
#define STORE_KEY_META "m"
#define STORE_KEY_INDEX "i"
#define STORE_KEY_RECORD 'k'
#define STORE_BLOCK_SIZE 1024 /* account files are small */

struct apk_store {
	GDBM_FILE db;      /* readers: the account's file (or the decoy) */
	uint32_t uid;
	int decoy;         /* readers: the account has no file */
	int dirfd;
	char base[24];     /* u<uid> */
	char lockname[24]; /* u<uid>.lock */
	char newname[24];  /* u<uid>.new */

	/* A change holds the whole account in memory and writes it anew. */
	int changing;
	int lockfd;
	struct apk_meta meta;
	struct apk_index ix;
	struct apk_record *recs; /* recs[i] is the record of ix.ids[i] */
};

struct apk_store *store_alloc(void);
/* Fills the names for uid and opens the (checked) directory. */
enum apk_err store_locate(struct apk_store *st, const char *dir, uint32_t uid);
/* Opens the account's file for reading, or the decoy (st->decoy set). */
enum apk_err store_open_file(struct apk_store *st);
/* Reads meta, index and every record of st->db into memory. */
enum apk_err store_load(struct apk_store *st);
/* gdbm_fd_open with our flags; fd belongs to gdbm from then on. */
enum apk_err store_gdbm_open(struct apk_store *st, int fd, int flags);
enum apk_err store_gdbm_error(int gerr);
size_t store_record_key(char out[1 + APK_ID_LEN], const char *id);

#endif
