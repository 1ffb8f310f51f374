/* fleet_digest.h - the digest a directory entry keeps instead of a key
 *
 * A key kept in the directory (the apiKeyDigest attribute of a pamApiKey
 * entry, doc/ldap/) must verify on every host, so it cannot use the local
 * database's random hash key. Each entry carries its own random salt
 * instead, used as the BLAKE2b key (FORMAT.md section 6):
 *
 *   digest = BLAKE2b(out = 32, key = salt)("pam_apikey directory digest v1" || id || secret)
 *   value  = "{APK1}" base64(salt (16 bytes) || digest (32 bytes))
 *
 * base64 is RFC 4648 section 4 (A-Z a-z 0-9 + /); 48 bytes are exactly 64
 * characters, without padding, so a value is always 70 characters.
 */
#ifndef APK_FLEET_DIGEST_H
#define APK_FLEET_DIGEST_H

#include <stddef.h>

#include "apk_error.h"
#include "keyfmt.h"

#define APK_FLEET_SALT_BYTES 16
#define APK_FLEET_PREFIX "{APK1}"
#define APK_FLEET_PREFIX_LEN 6
#define APK_FLEET_B64_LEN 64 /* (16 + 32) / 3 * 4 */
#define APK_FLEET_VALUE_LEN (APK_FLEET_PREFIX_LEN + APK_FLEET_B64_LEN)

/* A decoded apiKeyDigest value. */
struct apk_fleet_digest {
	unsigned char salt[APK_FLEET_SALT_BYTES];
	unsigned char digest[APK_DIGEST_BYTES];
};

/* The digest of key under salt. */
void apk_fleet_digest_compute(const unsigned char salt[APK_FLEET_SALT_BYTES],
			      const struct apk_key *key, unsigned char out[APK_DIGEST_BYTES]);

/* A fresh salt from libsodium's generator and the key's digest under it
 * (apk_crypto_init first). */
void apk_fleet_digest_make(const struct apk_key *key, struct apk_fleet_digest *out);

/* 1 when key's digest under d's salt equals d's digest (constant time). */
int apk_fleet_digest_matches(const struct apk_fleet_digest *d, const struct apk_key *key);

/* Writes the attribute value and a NUL into out. */
void apk_fleet_digest_encode(const struct apk_fleet_digest *d, char out[APK_FLEET_VALUE_LEN + 1]);

/* Decodes exactly len bytes of an attribute value (no NUL needed; an
 * embedded one is refused). Anything but the prefix, exactly, followed by
 * exactly 64 base64 characters is APK_ERR_CORRUPT, and *out is wiped. */
enum apk_err apk_fleet_digest_decode(const char *value, size_t len, struct apk_fleet_digest *out);

#endif
