/* fuzz_keyparse.c - apk_key_parse and apk_id_valid on arbitrary bytes
 *
 * Properties:
 *  - whatever the input, a rejected token leaves the key wiped, and an
 *    accepted one is 68 bytes that apk_key_format spells back identically;
 *  - apk_id_valid agrees with a plain reading of the format, and
 *    apk_key_like with a plain reading of its rule (keylike.h); an
 *    accepted token is key-like;
 *  - a token built from the input's bytes parses back to the same id and
 *    secret, and changing any one of its characters, cutting it short,
 *    lengthening it or embedding a NUL makes it fail (the checksum covers
 *    the id and the secret; 2^-48 chance of a false alarm per input).
 */
#include <string.h>

#include <sodium.h>

#include "fuzz.h"
#include "keyfmt.h"
#include "keylike.h"

static int b64url(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static int reference_id_valid(const char *s)
{
	size_t i;

	for (i = 0; i < APK_ID_LEN; i++)
		if (!b64url((unsigned char)s[i]))
			return 0;
	return s[APK_ID_LEN] == '\0';
}

/* keylike.h's rule read plainly: "apk_" in any case somewhere, or 32
 * key-alphabet bytes in all. */
static int reference_key_like(const uint8_t *s, size_t len)
{
	size_t i, count = 0;

	for (i = 0; i < len; i++)
		count += b64url(s[i]) ? 1 : 0;
	if (count >= APK_KEYLIKE_CHARS)
		return 1;
	for (i = 0; i + 4 <= len; i++)
		if ((s[i] == 'a' || s[i] == 'A') && (s[i + 1] == 'p' || s[i + 1] == 'P') &&
		    (s[i + 2] == 'k' || s[i + 2] == 'K') && s[i + 3] == '_')
			return 1;
	return 0;
}

/* Parses data as given and checks the accept/reject properties. */
static void parse_raw(const uint8_t *data, size_t size)
{
	struct apk_key key;
	char again[APK_KEY_LEN + 1];

	FUZZ_CHECK(apk_key_like((const char *)data, size) == reference_key_like(data, size),
		   "apk_key_like agrees with its rule");
	memset(&key, 0xA5, sizeof(key));
	if (apk_key_parse((const char *)data, size, &key) != APK_OK) {
		FUZZ_CHECK(fuzz_all_zero(&key, sizeof(key)), "rejected token leaves the key wiped");
		return;
	}
	FUZZ_CHECK(size == APK_KEY_LEN, "accepted token has the key length");
	FUZZ_CHECK(memcmp(data, APK_KEY_PREFIX, APK_KEY_PREFIX_LEN) == 0, "accepted token has the prefix");
	FUZZ_CHECK(reference_id_valid(key.id), "accepted token yields a valid id");
	FUZZ_CHECK(apk_key_like((const char *)data, size), "accepted token is key-like");
	apk_key_format(&key, again);
	FUZZ_CHECK(memcmp(again, data, APK_KEY_LEN) == 0, "accepted token formats back identically");
	apk_key_wipe(&key);
}

static void id_valid(const uint8_t *data, size_t size)
{
	char s[APK_ID_LEN + 2];
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;

	memcpy(s, data, n);
	s[n] = '\0';
	FUZZ_CHECK(apk_id_valid(s) == reference_id_valid(s), "apk_id_valid agrees with the format");
}

static void must_reject(const char *token, size_t len, const char *what)
{
	struct apk_key key;

	FUZZ_CHECK(apk_key_parse(token, len, &key) == APK_ERR_BADKEY, what);
	FUZZ_CHECK(fuzz_all_zero(&key, sizeof(key)), "rejected token leaves the key wiped");
}

/* Layout: 9 id bytes, 33 secret bytes, position, replacement character. */
static void synthesised(const uint8_t *data, size_t size)
{
	struct apk_key key, back;
	char token[APK_KEY_LEN + 2];
	size_t pos;
	unsigned char c;

	if (size < APK_ID_BYTES + APK_SECRET_BYTES + 2)
		return;
	memset(&key, 0, sizeof(key));
	sodium_bin2base64(key.id, sizeof(key.id), data, APK_ID_BYTES,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	memcpy(key.secret, data + APK_ID_BYTES, APK_SECRET_BYTES);
	pos = data[APK_ID_BYTES + APK_SECRET_BYTES] % APK_KEY_LEN;
	c = data[APK_ID_BYTES + APK_SECRET_BYTES + 1];

	apk_key_format(&key, token);
	FUZZ_CHECK(strlen(token) == APK_KEY_LEN, "formatted token has the key length");
	FUZZ_CHECK(apk_key_parse(token, APK_KEY_LEN, &back) == APK_OK, "a formatted key parses");
	FUZZ_CHECK(memcmp(back.id, key.id, sizeof(key.id)) == 0 &&
		   memcmp(back.secret, key.secret, sizeof(key.secret)) == 0,
		   "a formatted key parses back to its id and secret");

	must_reject(token, APK_KEY_LEN - 1, "a token one character short is rejected");
	must_reject(token, pos, "a truncated token is rejected");
	token[APK_KEY_LEN] = (char)c;
	must_reject(token, APK_KEY_LEN + 1, "a token one character long is rejected");
	token[APK_KEY_LEN] = '\0';
	if ((unsigned char)token[pos] != c) {
		token[pos] = (char)c;
		must_reject(token, APK_KEY_LEN, "a token with one character changed is rejected");
	}
	token[pos] = '\0';
	must_reject(token, APK_KEY_LEN, "a token with an embedded NUL is rejected");
	apk_key_wipe(&key);
	apk_key_wipe(&back);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (apk_crypto_init() != APK_OK)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_raw(data, size);
	id_valid(data, size);
	synthesised(data, size);
	return 0;
}
