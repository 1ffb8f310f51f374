/* unit_keyfmt.c - the key token: format, parsing, checksum, digest */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "keyfmt.h"
#include "unit_util.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Characters that are never part of a token, to substitute as well. */
static const char foreign[] = { '=', '+', '/', '.', ' ', '\t', '\n', '\0',
				'~', '*', '\\', (char)0x80, (char)0xC3, (char)0xFF };

static int in_alphabet(char c)
{
	return c != '\0' && strchr(alphabet, c) != NULL;
}

/* Parses and asserts failure, and that the output key was wiped. */
static void assert_rejected(const char *tok, size_t len)
{
	struct apk_key k;

	memset(&k, 0xA5, sizeof k);
	assert_int_equal(apk_key_parse(tok, len, &k), APK_ERR_BADKEY);
	assert_true(all_zero(&k, sizeof k));
}

static void new_token(struct apk_key *k, char tok[APK_KEY_LEN + 1])
{
	apk_key_generate(k);
	apk_key_format(k, tok);
}

static void test_init_idempotent(void **state)
{
	(void)state;
	assert_int_equal(apk_crypto_init(), APK_OK);
	assert_int_equal(apk_crypto_init(), APK_OK);
}

static void test_constants(void **state)
{
	(void)state;
	/* Unpadded base64 of n bytes is 4n/3 characters when 3 divides n. */
	assert_int_equal(APK_ID_BYTES % 3, 0);
	assert_int_equal(APK_SECRET_BYTES % 3, 0);
	assert_int_equal(APK_CHECK_BYTES % 3, 0);
	assert_int_equal(APK_ID_LEN, APK_ID_BYTES / 3 * 4);
	assert_int_equal(APK_SECRET_LEN, APK_SECRET_BYTES / 3 * 4);
	assert_int_equal(APK_CHECK_LEN, APK_CHECK_BYTES / 3 * 4);
	assert_int_equal(APK_KEY_LEN, 68);
	assert_int_equal(strlen(APK_KEY_PREFIX), APK_KEY_PREFIX_LEN);
}

static void test_roundtrip(void **state)
{
	struct apk_key k, p;
	char tok[APK_KEY_LEN + 1], again[APK_KEY_LEN + 1];
	int n;
	size_t i;

	(void)state;
	for (n = 0; n < 500; n++) {
		memset(tok, 'X', sizeof tok);
		new_token(&k, tok);
		assert_int_equal(strlen(tok), APK_KEY_LEN);
		assert_memory_equal(tok, APK_KEY_PREFIX, APK_KEY_PREFIX_LEN);
		for (i = APK_KEY_PREFIX_LEN; i < APK_KEY_LEN; i++)
			assert_true(in_alphabet(tok[i]));
		assert_true(apk_id_valid(k.id));
		assert_int_equal(apk_key_parse(tok, strlen(tok), &p), APK_OK);
		assert_string_equal(p.id, k.id);
		assert_memory_equal(p.secret, k.secret, APK_SECRET_BYTES);
		apk_key_format(&p, again);
		assert_string_equal(again, tok);
	}
}

/* The token's parts, recomputed here from the definition in FORMAT.md. */
static void test_token_layout(void **state)
{
	struct apk_key k;
	char tok[APK_KEY_LEN + 1];
	unsigned char buf[16 + APK_ID_LEN + APK_SECRET_BYTES];
	unsigned char h[16], bin[APK_SECRET_BYTES];
	char enc[APK_SECRET_LEN + 1];
	size_t binlen;
	int n;

	(void)state;
	for (n = 0; n < 50; n++) {
		new_token(&k, tok);
		assert_memory_equal(tok + 4, k.id, APK_ID_LEN);

		assert_int_equal(sodium_base642bin(bin, sizeof bin, tok + 16, APK_SECRET_LEN,
						   NULL, &binlen, NULL,
						   sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
		assert_int_equal(binlen, APK_SECRET_BYTES);
		assert_memory_equal(bin, k.secret, APK_SECRET_BYTES);

		/* check = BLAKE2b-128("pam_apikey check" || id || secret)[0..6) */
		memcpy(buf, "pam_apikey check", 16);
		memcpy(buf + 16, k.id, APK_ID_LEN);
		memcpy(buf + 16 + APK_ID_LEN, k.secret, APK_SECRET_BYTES);
		assert_int_equal(crypto_generichash(h, sizeof h, buf, sizeof buf, NULL, 0), 0);
		sodium_bin2base64(enc, APK_CHECK_LEN + 1, h, APK_CHECK_BYTES,
				  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		assert_memory_equal(tok + 60, enc, APK_CHECK_LEN);
	}
}

static void test_no_nul_needed(void **state)
{
	struct apk_key k, p;
	char buf[APK_KEY_LEN + 8];

	(void)state;
	new_token(&k, buf);
	memcpy(buf + APK_KEY_LEN, "garbage", 8); /* what follows len is ignored */
	assert_int_equal(apk_key_parse(buf, APK_KEY_LEN, &p), APK_OK);
	assert_string_equal(p.id, k.id);
}

static void test_every_substitution_rejected(void **state)
{
	struct apk_key k;
	char tok[APK_KEY_LEN + 1], bad[APK_KEY_LEN + 1];
	size_t pos, c;
	int tried = 0;

	(void)state;
	new_token(&k, tok);
	for (pos = 0; pos < APK_KEY_LEN; pos++) {
		for (c = 0; c < sizeof alphabet - 1 + sizeof foreign; c++) {
			char ch = c < sizeof alphabet - 1 ? alphabet[c]
							  : foreign[c - (sizeof alphabet - 1)];
			if (ch == tok[pos])
				continue;
			memcpy(bad, tok, sizeof bad);
			bad[pos] = ch;
			assert_rejected(bad, APK_KEY_LEN);
			tried++;
		}
	}
	/* every position, against every other character */
	assert_int_equal(tried, APK_KEY_LEN * (int)(sizeof alphabet - 1 + sizeof foreign - 1));
}

static void test_truncated_and_extended(void **state)
{
	struct apk_key k;
	char tok[APK_KEY_LEN + 1], longer[APK_KEY_LEN + 2];
	size_t len, c;

	(void)state;
	new_token(&k, tok);
	for (len = 0; len < APK_KEY_LEN; len++)
		assert_rejected(tok, len);
	/* every suffix dropped too: the tail without its start */
	for (len = 1; len < APK_KEY_LEN; len++)
		assert_rejected(tok + len, APK_KEY_LEN - len);
	for (c = 0; c < sizeof alphabet - 1; c++) {
		memcpy(longer, tok, APK_KEY_LEN);
		longer[APK_KEY_LEN] = alphabet[c];
		longer[APK_KEY_LEN + 1] = '\0';
		assert_rejected(longer, APK_KEY_LEN + 1);
		longer[0] = alphabet[c];
		memcpy(longer + 1, tok, APK_KEY_LEN + 1);
		assert_rejected(longer, APK_KEY_LEN + 1);
	}
	/* surrounding whitespace is not trimmed */
	snprintf(longer, sizeof longer, "%s\n", tok);
	assert_rejected(longer, APK_KEY_LEN + 1);
	snprintf(longer, sizeof longer, " %s", tok);
	assert_rejected(longer, APK_KEY_LEN + 1);
	assert_rejected(tok, SIZE_MAX);
	assert_rejected(NULL, APK_KEY_LEN);
	assert_rejected(NULL, 0);
}

static void test_case_flipped(void **state)
{
	struct apk_key k;
	char tok[APK_KEY_LEN + 1], bad[APK_KEY_LEN + 1];
	size_t pos, i;
	int flipped = 0;

	(void)state;
	new_token(&k, tok);
	for (pos = 0; pos < APK_KEY_LEN; pos++) {
		char c = tok[pos];

		memcpy(bad, tok, sizeof bad);
		if (c >= 'a' && c <= 'z')
			bad[pos] = (char)(c - 'a' + 'A');
		else if (c >= 'A' && c <= 'Z')
			bad[pos] = (char)(c - 'A' + 'a');
		else
			continue;
		assert_rejected(bad, APK_KEY_LEN);
		flipped++;
	}
	assert_true(flipped >= 3); /* at least "apk" */
	memcpy(bad, tok, sizeof bad);
	for (i = 0; i < APK_KEY_LEN; i++)
		if (bad[i] >= 'a' && bad[i] <= 'z')
			bad[i] = (char)(bad[i] - 'a' + 'A');
	assert_rejected(bad, APK_KEY_LEN);
}

static void test_nul_embedded(void **state)
{
	struct apk_key k;
	char tok[APK_KEY_LEN + 1], bad[APK_KEY_LEN + 1];
	size_t pos;

	(void)state;
	new_token(&k, tok);
	for (pos = 0; pos < APK_KEY_LEN; pos++) {
		memcpy(bad, tok, sizeof bad);
		bad[pos] = '\0';
		assert_rejected(bad, APK_KEY_LEN);
	}
}

static void test_wrong_prefix(void **state)
{
	static const char *const prefixes[] = { "APK_", "apk-", "apk.", "xpk_", "pak_",
						"apk ", "ap_k", "_apk", "key_" };
	struct apk_key k;
	char tok[APK_KEY_LEN + 1], bad[APK_KEY_LEN + 1];
	size_t i;

	(void)state;
	new_token(&k, tok);
	for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		memcpy(bad, tok, sizeof bad);
		memcpy(bad, prefixes[i], APK_KEY_PREFIX_LEN);
		assert_rejected(bad, APK_KEY_LEN);
	}
	/* no prefix at all, padded to the right length with valid characters */
	memcpy(bad, tok + APK_KEY_PREFIX_LEN, APK_KEY_LEN - APK_KEY_PREFIX_LEN);
	memcpy(bad + APK_KEY_LEN - APK_KEY_PREFIX_LEN, "AAAA", 5);
	assert_rejected(bad, APK_KEY_LEN);
}

/* A token with the right shape and a checksum made for another secret. */
static void test_swapped_parts(void **state)
{
	struct apk_key a, b;
	char ta[APK_KEY_LEN + 1], tb[APK_KEY_LEN + 1], bad[APK_KEY_LEN + 1];

	(void)state;
	new_token(&a, ta);
	new_token(&b, tb);
	memcpy(bad, ta, sizeof bad);
	memcpy(bad + 60, tb + 60, APK_CHECK_LEN);            /* b's checksum */
	assert_rejected(bad, APK_KEY_LEN);
	memcpy(bad, ta, sizeof bad);
	memcpy(bad + 4, tb + 4, APK_ID_LEN);                 /* b's id */
	assert_rejected(bad, APK_KEY_LEN);
	memcpy(bad, ta, sizeof bad);
	memcpy(bad + 16, tb + 16, APK_SECRET_LEN);           /* b's secret */
	assert_rejected(bad, APK_KEY_LEN);
}

static void test_keys_differ(void **state)
{
	enum { N = 64 };
	struct apk_key k[N];
	char tok[N][APK_KEY_LEN + 1];
	int i, j;

	(void)state;
	for (i = 0; i < N; i++)
		new_token(&k[i], tok[i]);
	/* every byte of the secret and every id character is random: over
	 * 64 keys each position takes more than one value */
	for (j = 0; j < APK_SECRET_BYTES; j++) {
		for (i = 1; i < N && k[i].secret[j] == k[0].secret[j]; i++)
			;
		assert_true(i < N);
	}
	for (j = 0; j < APK_ID_LEN; j++) {
		for (i = 1; i < N && k[i].id[j] == k[0].id[j]; i++)
			;
		assert_true(i < N);
	}
	for (i = 0; i < N; i++) {
		assert_false(all_zero(k[i].secret, APK_SECRET_BYTES));
		for (j = 0; j < i; j++) {
			assert_string_not_equal(k[i].id, k[j].id);
			assert_memory_not_equal(k[i].secret, k[j].secret, APK_SECRET_BYTES);
			assert_string_not_equal(tok[i], tok[j]);
		}
	}
}

static void reference_digest(const unsigned char hk[APK_HASHKEY_BYTES],
			     const struct apk_key *k, unsigned char out[APK_DIGEST_BYTES])
{
	static const char dom[] = "pam_apikey digest v1";
	unsigned char buf[sizeof dom - 1 + APK_ID_LEN + APK_SECRET_BYTES];

	memcpy(buf, dom, sizeof dom - 1);
	memcpy(buf + sizeof dom - 1, k->id, APK_ID_LEN);
	memcpy(buf + sizeof dom - 1 + APK_ID_LEN, k->secret, APK_SECRET_BYTES);
	assert_int_equal(crypto_generichash(out, APK_DIGEST_BYTES, buf, sizeof buf,
					    hk, APK_HASHKEY_BYTES), 0);
}

static void test_digest(void **state)
{
	unsigned char hk[APK_HASHKEY_BYTES], hk2[APK_HASHKEY_BYTES];
	unsigned char d[APK_DIGEST_BYTES], d2[APK_DIGEST_BYTES], ref[APK_DIGEST_BYTES];
	struct apk_key k, k2;
	char tok[APK_KEY_LEN + 1];
	size_t i;

	(void)state;
	randombytes_buf(hk, sizeof hk);
	new_token(&k, tok);
	apk_key_digest(hk, &k, d);
	apk_key_digest(hk, &k, d2);
	assert_memory_equal(d, d2, sizeof d);
	reference_digest(hk, &k, ref);
	assert_memory_equal(d, ref, sizeof d);

	/* the parsed token gives the same digest as the generated key */
	assert_int_equal(apk_key_parse(tok, APK_KEY_LEN, &k2), APK_OK);
	apk_key_digest(hk, &k2, d2);
	assert_memory_equal(d, d2, sizeof d);

	for (i = 0; i < APK_HASHKEY_BYTES; i++) {       /* every hash-key byte */
		memcpy(hk2, hk, sizeof hk);
		hk2[i] ^= 0x01;
		apk_key_digest(hk2, &k, d2);
		assert_memory_not_equal(d, d2, sizeof d);
	}
	for (i = 0; i < APK_ID_LEN; i++) {              /* every id character */
		k2 = k;
		k2.id[i] = k.id[i] == 'A' ? 'B' : 'A';
		apk_key_digest(hk, &k2, d2);
		assert_memory_not_equal(d, d2, sizeof d);
	}
	for (i = 0; i < APK_SECRET_BYTES; i++) {        /* every secret byte */
		k2 = k;
		k2.secret[i] ^= 0x80;
		apk_key_digest(hk, &k2, d2);
		assert_memory_not_equal(d, d2, sizeof d);
	}
	apk_key_wipe(&k2);
}

static void test_digest_equal(void **state)
{
	unsigned char a[APK_DIGEST_BYTES], b[APK_DIGEST_BYTES];
	size_t i;

	(void)state;
	randombytes_buf(a, sizeof a);
	memcpy(b, a, sizeof a);
	assert_int_equal(apk_digest_equal(a, b), 1);
	for (i = 0; i < APK_DIGEST_BYTES; i++) {
		memcpy(b, a, sizeof a);
		b[i] ^= 0x01;
		assert_int_equal(apk_digest_equal(a, b), 0);
		b[i] ^= 0x81;
		assert_int_equal(apk_digest_equal(a, b), 0);
	}
}

static void test_id_valid(void **state)
{
	static const char *const good[] = {
		"AAAAAAAAAAAA", "abcdefghijkl", "0123456789-_", "____________",
		"------------", "zZ09-_aA9z8y",
	};
	static const char *const bad[] = {
		"", "AAAAAAAAAAA", "AAAAAAAAAAAAA", "AAAAAAAAAAA=", "AAAAAAAAAAA+",
		"AAAAAAAAAAA/", "AAAAA AAAAAA", "AAAAAAAAAAA\n", "AAAAAAAAAA.A",
		"\xC3\xA9" "AAAAAAAAAA", "AAAAAAAAAAAA ", " AAAAAAAAAAA",
	};
	char id[APK_ID_LEN + 1];
	struct apk_key k;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_true(apk_id_valid(good[i]));
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(apk_id_valid(bad[i]));
	assert_false(apk_id_valid(NULL));
	for (i = 0; i < APK_ID_LEN; i++) { /* a NUL inside */
		memcpy(id, "AAAAAAAAAAAA", sizeof id);
		id[i] = '\0';
		assert_false(apk_id_valid(id));
	}
	apk_key_generate(&k);
	assert_true(apk_id_valid(k.id));
	apk_key_wipe(&k);
}

static void test_wipe(void **state)
{
	struct apk_key k;

	(void)state;
	apk_key_generate(&k);
	assert_false(all_zero(&k, sizeof k));
	apk_key_wipe(&k);
	assert_true(all_zero(&k, sizeof k));
	apk_key_wipe(NULL); /* harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_idempotent),
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_token_layout),
		cmocka_unit_test(test_no_nul_needed),
		cmocka_unit_test(test_every_substitution_rejected),
		cmocka_unit_test(test_truncated_and_extended),
		cmocka_unit_test(test_case_flipped),
		cmocka_unit_test(test_nul_embedded),
		cmocka_unit_test(test_wrong_prefix),
		cmocka_unit_test(test_swapped_parts),
		cmocka_unit_test(test_keys_differ),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_digest_equal),
		cmocka_unit_test(test_id_valid),
		cmocka_unit_test(test_wipe),
	};

	return cmocka_run_group_tests(tests, crypto_setup, NULL);
}
