/* fixture.h - the fixed keys and database values the PAM fuzz target and the
 * corpus generator share, so that committed seeds match the harness.
 *
 * K0 is the one valid key: its record, owned by the running account, is in
 * the template database. K1 has K0's id and a valid checksum but another
 * secret; K2 is a well-formed key whose id has no record. The hash key is
 * fixed too, so K0's digest (D0) is known in advance. */
#ifndef APK_FUZZ_FIXTURE_H
#define APK_FUZZ_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "keyfmt.h"
#include "record.h"

#define FIX_NKEYS 3
#define FIX_VALUE_MAX APK_RECORD_MAX

struct fixture {
	char token[FIX_NKEYS][APK_KEY_LEN + 1];
	struct apk_key key[FIX_NKEYS];
	unsigned char hashkey[APK_HASHKEY_BYTES];
	unsigned char d0[APK_DIGEST_BYTES];
	uint32_t uid;                  /* the running account */
	char user[APK_USER_MAX + 1];
	/* Encoded values of the template database. */
	unsigned char meta[FIX_VALUE_MAX], record[FIX_VALUE_MAX], index[FIX_VALUE_MAX];
	size_t meta_len, record_len, index_len;
	unsigned char decoy_meta[FIX_VALUE_MAX];  /* the decoy's, another hash key */
	size_t decoy_meta_len;
};

/* Fills f for the running account (getuid()); 0, or -1 on failure. */
int fixture_init(struct fixture *f);

/* The store's layout (store.h): DIR/u<uid> per account, DIR/decoy read for
 * an account without a file; gdbm keys "m" (meta), "i" (index), "k" + id. */
#define FIX_DECOY "decoy"
#define FIX_KEY_META "m"
#define FIX_KEY_INDEX "i"
#define FIX_BLOCK_SIZE 1024
size_t fixture_record_key(char out[1 + APK_ID_LEN], const char *id);
/* DIR/u<uid> into out; -1 when it does not fit. */
int fixture_account_file(char *out, size_t outsz, const char *dir, uint32_t uid);

/* Writes the template database into dir through gdbm directly, files mode
 * 0600: the running account's file (meta, K0's record, index) and the decoy
 * (a meta of its own, no keys). 0, or -1. */
int fixture_write_template(const struct fixture *f, const char *dir);

/* Writes one gdbm file at path from the given meta/record/index values
 * (a NULL value is left out). 0, or -1. */
int fixture_write_file(const char *path, const unsigned char *meta, size_t meta_len,
		       const char *id, const unsigned char *record, size_t record_len,
		       const unsigned char *index, size_t index_len);

#endif
