/* unit_fleet_digest.c - the directory's digest: computation, attribute value, strict decoding */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "fleet_digest.h"
#include "unit_util.h"

/* The fixed vectors were computed independently of this code, with Python's
 * hashlib (BLAKE2b with key=, RFC 7693) and base64 (RFC 4648 section 4):
 *
 *   import hashlib, base64
 *   ident, secret = b"ImDQLMM7OjO0", bytes(range(1, 34))
 *   for salt in (bytes(range(0xa0, 0xb0)), bytes(16)):
 *       d = hashlib.blake2b(b"pam_apikey directory digest v1" + ident + secret,
 *                           key=salt, digest_size=32).digest()
 *       print(d.hex(), "{APK1}" + base64.b64encode(salt + d).decode())
 */
static const char vec_id[] = "ImDQLMM7OjO0";
static const char vec1_digest_hex[] =
	"87bf8a490f981c08a43f58778318e95cb37b6bc5ebc106eea6d231d9f7dcf66b";
static const char vec1_value[] =
	"{APK1}oKGio6SlpqeoqaqrrK2ur4e/ikkPmBwIpD9Yd4MY6Vyze2vF68EG7qbSMdn33PZr";
static const char vec2_value[] =
	"{APK1}AAAAAAAAAAAAAAAAAAAAAEPPOQYO1lSByXEaz8ZwBcYcdFGpuRwLRE/ebwcvDdsO";

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void vec_key(struct apk_key *k)
{
	memset(k, 0, sizeof *k);
	memcpy(k->id, vec_id, APK_ID_LEN);
	for (size_t i = 0; i < APK_SECRET_BYTES; i++)
		k->secret[i] = (unsigned char)(i + 1);
}

static void vec1_salt(unsigned char salt[APK_FLEET_SALT_BYTES])
{
	for (size_t i = 0; i < APK_FLEET_SALT_BYTES; i++)
		salt[i] = (unsigned char)(0xa0 + i);
}

/* Decodes and asserts refusal, and that the output was wiped. */
static void assert_refused(const char *value, size_t len)
{
	struct apk_fleet_digest d;

	memset(&d, 0xA5, sizeof d);
	assert_int_equal(apk_fleet_digest_decode(value, len, &d), APK_ERR_CORRUPT);
	assert_true(all_zero(&d, sizeof d));
}

static void test_constants(void **state)
{
	(void)state;
	assert_int_equal((APK_FLEET_SALT_BYTES + APK_DIGEST_BYTES) % 3, 0);
	assert_int_equal(APK_FLEET_B64_LEN, (APK_FLEET_SALT_BYTES + APK_DIGEST_BYTES) / 3 * 4);
	assert_int_equal(APK_FLEET_VALUE_LEN, 70);
	assert_int_equal(strlen(vec1_value), APK_FLEET_VALUE_LEN);
}

static void test_vector_digest(void **state)
{
	struct apk_key k;
	unsigned char salt[APK_FLEET_SALT_BYTES], out[APK_DIGEST_BYTES];
	unsigned char want[APK_DIGEST_BYTES];

	(void)state;
	vec_key(&k);
	vec1_salt(salt);
	assert_int_equal(sodium_hex2bin(want, sizeof want, vec1_digest_hex,
					strlen(vec1_digest_hex), NULL, NULL, NULL), 0);
	apk_fleet_digest_compute(salt, &k, out);
	assert_memory_equal(out, want, sizeof want);
}

static void test_vector_encode(void **state)
{
	struct apk_key k;
	struct apk_fleet_digest d;
	char value[APK_FLEET_VALUE_LEN + 1];

	(void)state;
	vec_key(&k);
	vec1_salt(d.salt);
	apk_fleet_digest_compute(d.salt, &k, d.digest);
	memset(value, 'x', sizeof value);
	apk_fleet_digest_encode(&d, value);
	assert_string_equal(value, vec1_value);

	memset(d.salt, 0, sizeof d.salt);
	apk_fleet_digest_compute(d.salt, &k, d.digest);
	apk_fleet_digest_encode(&d, value);
	assert_string_equal(value, vec2_value);
}

static void test_vector_decode_and_match(void **state)
{
	struct apk_key k, other;
	struct apk_fleet_digest d;
	unsigned char salt[APK_FLEET_SALT_BYTES];

	(void)state;
	vec_key(&k);
	vec1_salt(salt);
	assert_int_equal(apk_fleet_digest_decode(vec1_value, APK_FLEET_VALUE_LEN, &d), APK_OK);
	assert_memory_equal(d.salt, salt, sizeof salt);
	assert_true(apk_fleet_digest_matches(&d, &k));

	/* one secret bit, one id character, or the salt of the other vector: no match */
	other = k;
	other.secret[APK_SECRET_BYTES - 1] ^= 1;
	assert_false(apk_fleet_digest_matches(&d, &other));
	other = k;
	other.id[0] = 'J';
	assert_false(apk_fleet_digest_matches(&d, &other));
	assert_int_equal(apk_fleet_digest_decode(vec2_value, APK_FLEET_VALUE_LEN, &d), APK_OK);
	assert_true(apk_fleet_digest_matches(&d, &k));
	memcpy(d.salt, salt, sizeof salt);
	assert_false(apk_fleet_digest_matches(&d, &k));
}

/* The local digest is a different hash: the same key and the same 32-byte
 * key material never give the same value. */
static void test_differs_from_local_digest(void **state)
{
	struct apk_key k;
	unsigned char hashkey[APK_HASHKEY_BYTES] = { 0 }, local[APK_DIGEST_BYTES];
	struct apk_fleet_digest d;

	(void)state;
	vec_key(&k);
	memset(d.salt, 0, sizeof d.salt);
	apk_fleet_digest_compute(d.salt, &k, d.digest);
	apk_key_digest(hashkey, &k, local);
	assert_memory_not_equal(local, d.digest, sizeof local);
}

/* Two digests of the same key share nothing a reader can compare. */
static void test_fresh_salts(void **state)
{
	struct apk_key k;
	struct apk_fleet_digest a, b;
	char va[APK_FLEET_VALUE_LEN + 1], vb[APK_FLEET_VALUE_LEN + 1];

	(void)state;
	apk_key_generate(&k);
	apk_fleet_digest_make(&k, &a);
	apk_fleet_digest_make(&k, &b);
	assert_memory_not_equal(a.salt, b.salt, sizeof a.salt);
	assert_memory_not_equal(a.digest, b.digest, sizeof a.digest);
	apk_fleet_digest_encode(&a, va);
	apk_fleet_digest_encode(&b, vb);
	assert_string_not_equal(va, vb);
	assert_true(apk_fleet_digest_matches(&a, &k));
	assert_true(apk_fleet_digest_matches(&b, &k));
	apk_key_wipe(&k);
}

static void test_roundtrip_random(void **state)
{
	(void)state;
	for (int i = 0; i < 1000; i++) {
		struct apk_key k;
		struct apk_fleet_digest d, back;
		char v[APK_FLEET_VALUE_LEN + 1];

		apk_key_generate(&k);
		apk_fleet_digest_make(&k, &d);
		apk_fleet_digest_encode(&d, v);
		assert_int_equal(strlen(v), APK_FLEET_VALUE_LEN);
		assert_int_equal(apk_fleet_digest_decode(v, strlen(v), &back), APK_OK);
		assert_memory_equal(&back, &d, sizeof d);
		assert_true(apk_fleet_digest_matches(&back, &k));
		apk_key_wipe(&k);
	}
}

/* Every byte value at every position: only base64 characters after the
 * prefix decode; any other byte, and any change of the prefix, is refused. */
static void test_every_substitution(void **state)
{
	char v[APK_FLEET_VALUE_LEN];
	struct apk_fleet_digest d;

	(void)state;
	for (size_t pos = 0; pos < APK_FLEET_VALUE_LEN; pos++) {
		for (int c = 0; c < 256; c++) {
			int in_b64 = c != 0 && strchr(b64_alphabet, c) != NULL;

			if (c == (unsigned char)vec1_value[pos])
				continue;
			memcpy(v, vec1_value, sizeof v);
			v[pos] = (char)c;
			if (pos >= APK_FLEET_PREFIX_LEN && in_b64)
				assert_int_equal(apk_fleet_digest_decode(v, sizeof v, &d), APK_OK);
			else
				assert_refused(v, sizeof v);
		}
	}
}

static void test_wrong_prefix(void **state)
{
	static const char *const bad[] = {
		"{apk1}oKGio6SlpqeoqaqrrK2ur4e/ikkPmBwIpD9Yd4MY6Vyze2vF68EG7qbSMdn33PZr",
		"{APK2}oKGio6SlpqeoqaqrrK2ur4e/ikkPmBwIpD9Yd4MY6Vyze2vF68EG7qbSMdn33PZr",
		"{SSHA}oKGio6SlpqeoqaqrrK2ur4e/ikkPmBwIpD9Yd4MY6Vyze2vF68EG7qbSMdn33PZr",
		"APK1}oKGio6SlpqeoqaqrrK2ur4e/ikkPmBwIpD9Yd4MY6Vyze2vF68EG7qbSMdn33PZrA",
		"oKGio6SlpqeoqaqrrK2ur4e/ikkPmBwIpD9Yd4MY6Vyze2vF68EG7qbSMdn33PZrAAAAAA",
	};

	(void)state;
	for (size_t i = 0; i < N_ELEM(bad); i++) {
		assert_int_equal(strlen(bad[i]), APK_FLEET_VALUE_LEN);
		assert_refused(bad[i], strlen(bad[i]));
	}
}

/* Too short, too long, padded, base64url, white space: refused. */
static void test_wrong_lengths_and_encodings(void **state)
{
	char v[APK_FLEET_VALUE_LEN + 8];
	size_t len;

	(void)state;
	for (len = 0; len < APK_FLEET_VALUE_LEN; len++)
		assert_refused(vec1_value, len);
	memcpy(v, vec1_value, APK_FLEET_VALUE_LEN);
	for (size_t extra = 1; extra <= 4; extra++) {
		v[APK_FLEET_VALUE_LEN + extra - 1] = 'A';
		assert_refused(v, APK_FLEET_VALUE_LEN + extra);
	}
	v[APK_FLEET_VALUE_LEN] = '\n';
	assert_refused(v, APK_FLEET_VALUE_LEN + 1);
	v[APK_FLEET_VALUE_LEN] = '=';
	assert_refused(v, APK_FLEET_VALUE_LEN + 1);
	/* 47 bytes of salt and digest with their padding, 70 characters in all */
	assert_refused("{APK1}oKGio6SlpqeoqaqrrK2ur4e/ikkPmBwIpD9Yd4MY6Vyze2vF68EG7qbSMdn33PY=", 70);
	/* the same bytes in base64url (RFC 4648 section 5) */
	assert_refused("{APK1}oKGio6SlpqeoqaqrrK2ur4e_ikkPmBwIpD9Yd4MY6Vyze2vF68EG7qbSMdn33PZr", 70);
	/* a space where the prefix ends */
	assert_refused("{APK1} KGio6SlpqeoqaqrrK2ur4e/ikkPmBwIpD9Yd4MY6Vyze2vF68EG7qbSMdn33PZr", 70);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_vector_digest),
		cmocka_unit_test(test_vector_encode),
		cmocka_unit_test(test_vector_decode_and_match),
		cmocka_unit_test(test_differs_from_local_digest),
		cmocka_unit_test(test_fresh_salts),
		cmocka_unit_test(test_roundtrip_random),
		cmocka_unit_test(test_every_substitution),
		cmocka_unit_test(test_wrong_prefix),
		cmocka_unit_test(test_wrong_lengths_and_encodings),
	};

	return cmocka_run_group_tests(tests, crypto_setup, NULL);
}
