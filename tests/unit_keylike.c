/* unit_keylike.c - the rule that decides which forward_pass answers stay
 * in the module (common/keylike.h): every mangled form of a key is
 * key-like, ordinary passwords are not, the count's boundary, every byte
 * value, and the bound on what a forwarded answer can hold of a key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "keyfmt.h"
#include "keylike.h"
#include "unit_util.h"

#define BODY_LEN (APK_KEY_LEN - APK_KEY_PREFIX_LEN)

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int like(const char *s)
{
	return apk_key_like(s, strlen(s));
}

static int in_alphabet(int c)
{
	return c != '\0' && strchr(alphabet, c) != NULL;
}

static void new_token(char tok[APK_KEY_LEN + 1])
{
	struct apk_key k;

	apk_key_generate(&k);
	apk_key_format(&k, tok);
	apk_key_wipe(&k);
}

/* The claim of keylike.h and doc/SECURITY.md: an answer that is not
 * key-like holds at most 31 characters of a key, which leaves at least 13
 * secret characters (78 bits) unknown, and at least 21 (126 bits) when
 * those characters include the 8 of the checksum. */
static void test_bound(void **state)
{
	(void)state;
	assert_int_equal(APK_KEYLIKE_CHARS, 32);
	assert_true((APK_SECRET_LEN - (APK_KEYLIKE_CHARS - 1)) * 6 >= 78);
	assert_true((APK_SECRET_LEN - (APK_KEYLIKE_CHARS - 1 - APK_CHECK_LEN)) * 6 >= 126);
}

/* 31 characters of the alphabet are not key-like, 32 are: for each of the
 * 64 characters alone, and wherever they stand. */
static void test_count_boundary(void **state)
{
	char s[APK_KEYLIKE_CHARS + 1];
	size_t i;

	(void)state;
	for (i = 0; i < 64; i++) {
		memset(s, alphabet[i], APK_KEYLIKE_CHARS);
		assert_int_equal(apk_key_like(s, APK_KEYLIKE_CHARS - 1), 0);
		assert_int_equal(apk_key_like(s, APK_KEYLIKE_CHARS), 1);
	}
	/* the 32nd character is the last byte of a long answer */
	{
		char longer[300];

		memset(longer, '!', sizeof(longer));
		memset(longer, 'x', APK_KEYLIKE_CHARS - 1);
		assert_int_equal(apk_key_like(longer, sizeof(longer)), 0);
		longer[sizeof(longer) - 1] = 'Q';
		assert_int_equal(apk_key_like(longer, sizeof(longer)), 1);
	}
}

/* No byte outside the alphabet counts, and none stops the count: 32
 * alphabet characters with that byte between each pair are key-like,
 * and a long run of it alone is not. */
static void test_every_byte(void **state)
{
	char s[2 * APK_KEYLIKE_CHARS], only[200];
	int b;
	size_t i;

	(void)state;
	for (b = 0; b < 256; b++) {
		if (in_alphabet(b))
			continue;
		for (i = 0; i < APK_KEYLIKE_CHARS; i++) {
			s[2 * i] = alphabet[(i * 7) % 64];
			s[2 * i + 1] = (char)b;
		}
		assert_int_equal(apk_key_like(s, sizeof(s)), 1);
		assert_int_equal(apk_key_like(s, sizeof(s) - 3), 0); /* 30 of them */
		memset(only, b, sizeof(only));
		assert_int_equal(apk_key_like(only, sizeof(only)), 0);
	}
}

/* Only len bytes are read: a NUL inside is one more byte outside the
 * alphabet, and what follows len is not looked at. */
static void test_length_given(void **state)
{
	static const char s[] = "abcdefghijklmnop\0qrstuvwxyzABCDEFG";

	(void)state;
	assert_int_equal(apk_key_like(s, sizeof(s) - 1), 1);   /* 33 letters */
	assert_int_equal(apk_key_like(s, 16), 0);
	assert_int_equal(apk_key_like("apk_", 3), 0);
	assert_int_equal(apk_key_like("", 0), 0);
}

/* The prefix, in any case, anywhere, is key-like however short the rest;
 * near misses of it count only as characters. */
static void test_prefix(void **state)
{
	static const char *const kept[] = {
		"apk_", "APK_", "aPk_", "Apk_x", "my key: apk_abc", "apk apk_", "\napk_\n",
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxapk_",
	};
	static const char *const not_kept[] = {
		"apk", "apk-abc", "apk abc", "ap_k", "ap_", "a pk_", "pk_", "apk.",
		"\xc3\xa1pk_", "apk\0_",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(kept); i++)
		assert_int_equal(like(kept[i]), 1);
	for (i = 0; i < N_ELEM(not_kept); i++)
		assert_int_equal(like(not_kept[i]), 0);
}

/* A key with every mangling the review listed, and more. */
static void test_mangled_keys(void **state)
{
	char tok[APK_KEY_LEN + 1], body[BODY_LEN + 1], s[512];
	size_t i, n;
	int round;

	(void)state;
	for (round = 0; round < 100; round++) {
		new_token(tok);
		memcpy(body, tok + APK_KEY_PREFIX_LEN, BODY_LEN + 1);

		assert_int_equal(like(tok), 1);
		assert_int_equal(like(body), 1);                          /* prefix cut */
		snprintf(s, sizeof(s), "apk-%s", body);                    /* wrong separator */
		assert_int_equal(like(s), 1);
		snprintf(s, sizeof(s), "apk %s", body);                    /* space for _ */
		assert_int_equal(like(s), 1);
		snprintf(s, sizeof(s), "ap_%s", body);                     /* letter lost */
		assert_int_equal(like(s), 1);
		assert_int_equal(like(tok + APK_KEY_LEN - 44), 1);        /* last 44 */
		assert_int_equal(like(tok + APK_KEY_LEN - APK_KEYLIKE_CHARS), 1);
		snprintf(s, sizeof(s), "%.*s", APK_KEYLIKE_CHARS, body);   /* first 32 */
		assert_int_equal(like(s), 1);
		snprintf(s, sizeof(s), "  %s\t\n", tok);                   /* around it */
		assert_int_equal(like(s), 1);
		snprintf(s, sizeof(s), "my new key is \"%s\", thanks!", body);
		assert_int_equal(like(s), 1);
		snprintf(s, sizeof(s), "%.30s\n%s", body, body + 30);      /* line break */
		assert_int_equal(like(s), 1);
		snprintf(s, sizeof(s), "%.20s %s", body, body + 20);       /* space inside */
		assert_int_equal(like(s), 1);
		snprintf(s, sizeof(s), "%.31s!%s", body, body + 32);       /* a typo: '!' */
		assert_int_equal(like(s), 1);
		for (i = 0, n = 0; body[i] != '\0'; i++) {                  /* groups of 4 */
			if (i > 0 && i % 4 == 0)
				s[n++] = (i / 4) % 2 ? ' ' : '.';
			s[n++] = body[i];
		}
		s[n] = '\0';
		assert_int_equal(like(s), 1);
		for (i = 0; body[i] != '\0'; i++)                           /* caps lock */
			s[i] = (char)(body[i] >= 'a' && body[i] <= 'z' ? body[i] - 32
				    : body[i] >= 'A' && body[i] <= 'Z' ? body[i] + 32 : body[i]);
		s[i] = '\0';
		assert_int_equal(like(s), 1);
		for (i = 0; body[i] != '\0'; i++)                           /* all upper */
			s[i] = (char)(body[i] >= 'a' && body[i] <= 'z' ? body[i] - 32 : body[i]);
		assert_int_equal(like(s), 1);
		for (i = 0; body[i] != '\0'; i++)                           /* all lower */
			s[i] = (char)(body[i] >= 'A' && body[i] <= 'Z' ? body[i] + 32 : body[i]);
		assert_int_equal(like(s), 1);
	}
}

/* Every piece of a key's body: 32 characters or more is key-like, with
 * any byte outside the alphabet put between its characters; what is not
 * key-like holds at most 31 of them. */
static void test_every_piece_of_a_key(void **state)
{
	char tok[APK_KEY_LEN + 1], s[3 * BODY_LEN + 1];
	const char *body = tok + APK_KEY_PREFIX_LEN;
	size_t start, len, i, n;
	uint32_t r;

	(void)state;
	new_token(tok);
	for (start = 0; start < BODY_LEN; start++)
		for (len = 1; start + len <= BODY_LEN; len++) {
			assert_int_equal(apk_key_like(body + start, len), len >= APK_KEYLIKE_CHARS);
			for (i = 0, n = 0; i < len; i++) {
				r = randombytes_uniform(256);
				s[n++] = body[start + i];
				if (r < 128 && !in_alphabet((int)r))
					s[n++] = (char)r;
			}
			assert_int_equal(apk_key_like(s, n), len >= APK_KEYLIKE_CHARS);
		}
}

/* Ordinary passwords go on; the cost of the rule is shown beside them:
 * 32 letters, digits, '-' or '_' in all are kept back. */
static void test_passwords(void **state)
{
	static const char *const forwarded[] = {
		"hunter2",
		"Tr0ub4dor&3",
		"correct horse battery staple",
		"correct-horse-battery-staple",
		"Correct Horse Battery Staple 1987!",
		"P@ssw0rd! P@ssw0rd! P@ssw0rd!",
		"  spaces around and inside  ",
		"my dog's name is Rex, born 2019",
		"\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c \xd0\xbe\xd1\x87\xd0\xb5\xd0\xbd\xd1\x8c "
		"\xd0\xb4\xd0\xbb\xd0\xb8\xd0\xbd\xd0\xbd\xd1\x8b\xd0\xb9 \xd0\xb8 \xd1\x81\xd0\xb5\xd0\xba"
		"\xd1\x80\xd0\xb5\xd1\x82\xd0\xbd\xd1\x8b\xd0\xb9 \xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c",
		"x7Kq9mZ2pL4vN8rT1wY6bH3jF5dS0gA", /* 31: the longest random one that goes on */
		"apk",
		"",
	};
	static const char *const kept_back[] = {
		"the quick brown fox jumps over the lazy dog",  /* 35 letters */
		"stumble-voucher-gladly-entrance-bountiful",     /* five long diceware words */
		"x7Kq9mZ2pL4vN8rT1wY6bH3jF5dS0gAe",             /* 32 from a password manager */
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(forwarded); i++)
		assert_int_equal(like(forwarded[i]), 0);
	for (i = 0; i < N_ELEM(kept_back); i++)
		assert_int_equal(like(kept_back[i]), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_count_boundary),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_length_given),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_mangled_keys),
		cmocka_unit_test(test_every_piece_of_a_key),
		cmocka_unit_test(test_passwords),
	};
	return cmocka_run_group_tests(tests, crypto_setup, NULL);
}
