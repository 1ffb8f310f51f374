/* keyfmt.h - the API key token: generation, parsing, checksum, digest
 *
 * A key is one printable token (see FORMAT.md):
 *
 *   apk_ IIIIIIIIIIII SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS CCCCCCCC
 *   prefix  id (12)          secret (44)                         check (8)
 *
 * each part unpadded base64url (A-Z a-z 0-9 - _), 68 characters in all.
 * id = 9 random bytes (public, finds the record), secret = 33 random bytes
 * (264 bits), check = first 6 bytes of a 16-byte BLAKE2b over a domain
 * string, the 12 id characters and the secret (FORMAT.md has the details).
 */
#ifndef APK_KEYFMT_H
#define APK_KEYFMT_H

#include <stddef.h>

#include "apk_error.h"

#define APK_KEY_PREFIX "apk_"
#define APK_KEY_PREFIX_LEN 4
#define APK_ID_BYTES 9
#define APK_ID_LEN 12
#define APK_SECRET_BYTES 33
#define APK_SECRET_LEN 44
#define APK_CHECK_BYTES 6
#define APK_CHECK_LEN 8
#define APK_KEY_LEN (APK_KEY_PREFIX_LEN + APK_ID_LEN + APK_SECRET_LEN + APK_CHECK_LEN)
#define APK_DIGEST_BYTES 32
#define APK_HASHKEY_BYTES 32

/* A parsed key. The secret must be wiped with apk_key_wipe() after use. */
struct apk_key {
	char id[APK_ID_LEN + 1];
	unsigned char secret[APK_SECRET_BYTES];
};

/* Must be called once before anything else here (wraps sodium_init);
 * APK_ERR_UNAVAIL when libsodium cannot initialise. */
enum apk_err apk_crypto_init(void);

/* A fresh random key from libsodium's generator. */
void apk_key_generate(struct apk_key *key);

/* Writes the token and a NUL into out (APK_KEY_LEN + 1 bytes). */
void apk_key_format(const struct apk_key *key, char out[APK_KEY_LEN + 1]);

/* Parses exactly len bytes (no NUL needed, an embedded NUL is rejected).
 * APK_ERR_BADKEY for anything that is not a key with a correct checksum;
 * on failure *key is wiped. Touches no database. */
enum apk_err apk_key_parse(const char *token, size_t len, struct apk_key *key);

/* True when s is a syntactically valid key id (12 base64url characters). */
int apk_id_valid(const char *s);

/* Keyed BLAKE2b-256 of (domain || id || secret) under hkey (hkeylen bytes,
 * at least 16): the one digest of a key, whoever keeps it. The hash state,
 * derived from the secret, is wiped. */
void apk_key_digest_keyed(const unsigned char *hkey, size_t hkeylen, const char *domain,
			  const struct apk_key *key, unsigned char out[APK_DIGEST_BYTES]);

/* apk_key_digest_keyed under the database's hash key and the local domain. */
void apk_key_digest(const unsigned char hashkey[APK_HASHKEY_BYTES],
		    const struct apk_key *key, unsigned char out[APK_DIGEST_BYTES]);

/* Constant-time comparison of two digests; 1 when equal. */
int apk_digest_equal(const unsigned char a[APK_DIGEST_BYTES],
		     const unsigned char b[APK_DIGEST_BYTES]);

void apk_key_wipe(struct apk_key *key);

#endif
