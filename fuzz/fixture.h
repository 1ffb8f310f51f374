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
};

/* Fills f for the running account (getuid()); 0, or -1 on failure. */
int fixture_init(struct fixture *f);

/* gdbm keys of the store's layout (store.h): "m", "k" + id, "u" + uid (BE4). */
size_t fixture_record_key(char out[1 + APK_ID_LEN], const char *id);
size_t fixture_index_key(char out[5], uint32_t uid);

/* Writes the template database (meta, K0's record, the account's index) to
 * path, mode 0600, through gdbm directly. 0, or -1. */
int fixture_write_template(const struct fixture *f, const char *path);

#endif
