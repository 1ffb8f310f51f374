/* fleet_digest.c - the digest a directory entry keeps instead of a key
 *
 * See fleet_digest.h and FORMAT.md section 6. The hash state, which is
 * derived from the secret, is wiped before it goes out of scope.
 */
#include <string.h>

#include <sodium.h>

#include "fleet_digest.h"

#define B64_VARIANT sodium_base64_VARIANT_ORIGINAL_NO_PADDING
#define PACKED_BYTES (APK_FLEET_SALT_BYTES + APK_DIGEST_BYTES)

static const char fleet_domain[] = "pam_apikey directory digest v1";

/* RFC 4648 section 4. Checked here: libsodium's decoder alone lets some
 * bytes above 0x7F through. */
static int b64_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/';
}

static int b64_all(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!b64_char((unsigned char)s[i]))
			return 0;
	return 1;
}

void apk_fleet_digest_compute(const unsigned char salt[APK_FLEET_SALT_BYTES],
			      const struct apk_key *key, unsigned char out[APK_DIGEST_BYTES])
{
	apk_key_digest_keyed(salt, APK_FLEET_SALT_BYTES, fleet_domain, key, out);
}

void apk_fleet_digest_make(const struct apk_key *key, struct apk_fleet_digest *out)
{
	randombytes_buf(out->salt, sizeof out->salt);
	apk_fleet_digest_compute(out->salt, key, out->digest);
}

int apk_fleet_digest_matches(const struct apk_fleet_digest *d, const struct apk_key *key)
{
	unsigned char mine[APK_DIGEST_BYTES];
	int eq;

	apk_fleet_digest_compute(d->salt, key, mine);
	eq = apk_digest_equal(mine, d->digest);
	sodium_memzero(mine, sizeof mine);
	return eq;
}

void apk_fleet_digest_encode(const struct apk_fleet_digest *d, char out[APK_FLEET_VALUE_LEN + 1])
{
	unsigned char packed[PACKED_BYTES];

	memcpy(packed, d->salt, APK_FLEET_SALT_BYTES);
	memcpy(packed + APK_FLEET_SALT_BYTES, d->digest, APK_DIGEST_BYTES);
	memcpy(out, APK_FLEET_PREFIX, APK_FLEET_PREFIX_LEN);
	sodium_bin2base64(out + APK_FLEET_PREFIX_LEN, APK_FLEET_B64_LEN + 1, packed,
			  sizeof packed, B64_VARIANT);
}

enum apk_err apk_fleet_digest_decode(const char *value, size_t len, struct apk_fleet_digest *out)
{
	unsigned char packed[PACKED_BYTES];
	const char *b64 = value + APK_FLEET_PREFIX_LEN;
	const char *end = NULL;
	size_t got = 0;

	if (len != APK_FLEET_VALUE_LEN || memcmp(value, APK_FLEET_PREFIX, APK_FLEET_PREFIX_LEN) != 0 ||
	    !b64_all(b64, APK_FLEET_B64_LEN) ||
	    sodium_base642bin(packed, sizeof packed, b64, APK_FLEET_B64_LEN, NULL, &got, &end,
			      B64_VARIANT) != 0 ||
	    end != b64 + APK_FLEET_B64_LEN || got != sizeof packed) {
		sodium_memzero(out, sizeof *out);
		return APK_ERR_CORRUPT;
	}
	memcpy(out->salt, packed, APK_FLEET_SALT_BYTES);
	memcpy(out->digest, packed + APK_FLEET_SALT_BYTES, APK_DIGEST_BYTES);
	return APK_OK;
}
