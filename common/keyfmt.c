/* keyfmt.c - the API key token: generation, parsing, checksum, digest
 *
 * See keyfmt.h and FORMAT.md. Every buffer that holds secret bytes, or
 * hash state derived from them, is wiped before it goes out of scope.
 */
#include <string.h>

#include <sodium.h>

#include "keyfmt.h"

#define B64_VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING

/* Offsets of the parts inside the token. */
#define OFF_ID APK_KEY_PREFIX_LEN
#define OFF_SECRET (OFF_ID + APK_ID_LEN)
#define OFF_CHECK (OFF_SECRET + APK_SECRET_LEN)

/* The checksum is the first APK_CHECK_BYTES of a 16-byte BLAKE2b. */
#define CHECK_HASH_BYTES 16

static const char check_domain[] = "pam_apikey check";
static const char digest_domain[] = "pam_apikey digest v1";

static int b64url_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Strict decode of exactly len characters into exactly nbytes bytes. */
static int b64_decode_exact(const char *s, size_t len, unsigned char *bin, size_t nbytes)
{
	size_t got = 0;
	const char *end = NULL;

	if (sodium_base642bin(bin, nbytes, s, len, NULL, &got, &end, B64_VARIANT) != 0)
		return -1;
	if (end != s + len || got != nbytes)
		return -1;
	return 0;
}

/* check = BLAKE2b-128(check_domain || id characters || secret)[0..6) */
static void compute_check(const struct apk_key *key, unsigned char out[APK_CHECK_BYTES])
{
	crypto_generichash_state st;
	unsigned char h[CHECK_HASH_BYTES];

	crypto_generichash_init(&st, NULL, 0, sizeof h);
	crypto_generichash_update(&st, (const unsigned char *)check_domain,
				  sizeof check_domain - 1);
	crypto_generichash_update(&st, (const unsigned char *)key->id, APK_ID_LEN);
	crypto_generichash_update(&st, key->secret, APK_SECRET_BYTES);
	crypto_generichash_final(&st, h, sizeof h);
	memcpy(out, h, APK_CHECK_BYTES);
	sodium_memzero(h, sizeof h);
	sodium_memzero(&st, sizeof st);
}

enum apk_err apk_crypto_init(void)
{
	/* 0: initialised now, 1: already initialised, -1: failure. */
	if (sodium_init() < 0)
		return APK_ERR_UNAVAIL;
	return APK_OK;
}

void apk_key_generate(struct apk_key *key)
{
	unsigned char idbin[APK_ID_BYTES];

	randombytes_buf(idbin, sizeof idbin);
	sodium_bin2base64(key->id, sizeof key->id, idbin, sizeof idbin, B64_VARIANT);
	randombytes_buf(key->secret, sizeof key->secret);
	sodium_memzero(idbin, sizeof idbin);
}

void apk_key_format(const struct apk_key *key, char out[APK_KEY_LEN + 1])
{
	unsigned char check[APK_CHECK_BYTES];

	memcpy(out, APK_KEY_PREFIX, APK_KEY_PREFIX_LEN);
	memcpy(out + OFF_ID, key->id, APK_ID_LEN);
	/* Each call writes its part and a NUL that the next part overwrites. */
	sodium_bin2base64(out + OFF_SECRET, APK_SECRET_LEN + 1, key->secret,
			  APK_SECRET_BYTES, B64_VARIANT);
	compute_check(key, check);
	sodium_bin2base64(out + OFF_CHECK, APK_CHECK_LEN + 1, check, sizeof check,
			  B64_VARIANT);
	out[APK_KEY_LEN] = '\0';
	sodium_memzero(check, sizeof check);
}

enum apk_err apk_key_parse(const char *token, size_t len, struct apk_key *key)
{
	unsigned char idbin[APK_ID_BYTES];
	unsigned char given[APK_CHECK_BYTES];
	unsigned char want[APK_CHECK_BYTES];
	enum apk_err rc = APK_ERR_BADKEY;
	size_t i;

	if (key == NULL)
		return APK_ERR_BADKEY;
	apk_key_wipe(key);
	if (token == NULL || len != APK_KEY_LEN)
		goto out;
	if (memcmp(token, APK_KEY_PREFIX, APK_KEY_PREFIX_LEN) != 0)
		goto out;
	for (i = APK_KEY_PREFIX_LEN; i < APK_KEY_LEN; i++)
		if (!b64url_char((unsigned char)token[i]))
			goto out;
	if (b64_decode_exact(token + OFF_ID, APK_ID_LEN, idbin, sizeof idbin) != 0 ||
	    b64_decode_exact(token + OFF_SECRET, APK_SECRET_LEN, key->secret,
			     sizeof key->secret) != 0 ||
	    b64_decode_exact(token + OFF_CHECK, APK_CHECK_LEN, given, sizeof given) != 0)
		goto out;
	memcpy(key->id, token + OFF_ID, APK_ID_LEN);
	key->id[APK_ID_LEN] = '\0';
	compute_check(key, want);
	if (sodium_memcmp(given, want, sizeof want) != 0)
		goto out;
	rc = APK_OK;
out:
	sodium_memzero(idbin, sizeof idbin);
	sodium_memzero(given, sizeof given);
	sodium_memzero(want, sizeof want);
	if (rc != APK_OK)
		apk_key_wipe(key);
	return rc;
}

int apk_id_valid(const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; i < APK_ID_LEN; i++)
		if (!b64url_char((unsigned char)s[i]))
			return 0; /* also stops at a NUL before 12 characters */
	return s[APK_ID_LEN] == '\0';
}

void apk_key_digest_keyed(const unsigned char *hkey, size_t hkeylen, const char *domain,
			  const struct apk_key *key, unsigned char out[APK_DIGEST_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, hkey, hkeylen, APK_DIGEST_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)domain, strlen(domain));
	crypto_generichash_update(&st, (const unsigned char *)key->id, APK_ID_LEN);
	crypto_generichash_update(&st, key->secret, APK_SECRET_BYTES);
	crypto_generichash_final(&st, out, APK_DIGEST_BYTES);
	sodium_memzero(&st, sizeof st);
}

void apk_key_digest(const unsigned char hashkey[APK_HASHKEY_BYTES],
		    const struct apk_key *key, unsigned char out[APK_DIGEST_BYTES])
{
	apk_key_digest_keyed(hashkey, APK_HASHKEY_BYTES, digest_domain, key, out);
}

int apk_digest_equal(const unsigned char a[APK_DIGEST_BYTES],
		     const unsigned char b[APK_DIGEST_BYTES])
{
	return sodium_memcmp(a, b, APK_DIGEST_BYTES) == 0;
}

void apk_key_wipe(struct apk_key *key)
{
	if (key != NULL)
		sodium_memzero(key, sizeof *key);
}
