/* unit_verify.c - the module's question, asked directly: does this key log
 * this user in? A database in a temporary directory, real accounts. */
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "test_db.h"
#include "unit_util.h"
#include "verify.h"

#define OTHER_USER "daemon" /* a second real account on every Debian system */

static struct test_db T;
static struct apk_account mine, other;
static char my_key[APK_KEY_LEN + 1], other_key[APK_KEY_LEN + 1];

static const char *me(void)
{
	struct passwd *pw = getpwuid(getuid());

	return pw != NULL ? pw->pw_name : "root";
}

static int setup(void **state)
{
	(void)state;
	if (apk_crypto_init() != APK_OK)
		return -1;
	test_db_init(&T);
	mine = test_account(me(), -1);
	other = test_account(OTHER_USER, -1);
	if (test_generate(&T, &mine, "mine", my_key) != APK_OK ||
	    test_generate(&T, &other, "theirs", other_key) != APK_OK)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_db_remove(&T);
	return 0;
}

static enum apk_err verify(const char *user, const char *token, struct apk_record *r)
{
	return test_verify(T.path, user, token, strlen(token), r);
}

static void test_right_key(void **state)
{
	struct apk_record r;

	(void)state;
	assert_int_equal(verify(mine.name, my_key, &r), APK_OK);
	assert_string_equal(r.name, "mine");
	assert_int_equal(r.uid, mine.uid);
	assert_memory_equal(r.id, my_key + APK_KEY_PREFIX_LEN, APK_ID_LEN);
}

static void test_wrong_secret(void **state)
{
	struct apk_record r;
	struct apk_key k;
	char forged[APK_KEY_LEN + 1];

	(void)state;
	assert_int_equal(apk_key_parse(my_key, APK_KEY_LEN, &k), APK_OK);
	k.secret[0] ^= 1;
	apk_key_format(&k, forged);
	apk_key_wipe(&k);
	assert_int_equal(verify(mine.name, forged, &r), APK_ERR_NOMATCH);
	/* the id is reported for the log, nothing else */
	assert_memory_equal(r.id, forged + APK_KEY_PREFIX_LEN, APK_ID_LEN);
	assert_string_equal(r.name, "");
}

static void test_unknown_id_and_other_accounts(void **state)
{
	struct apk_record r;
	struct apk_key k;
	char fresh[APK_KEY_LEN + 1];

	(void)state;
	apk_key_generate(&k);
	apk_key_format(&k, fresh);
	apk_key_wipe(&k);
	assert_int_equal(verify(mine.name, fresh, &r), APK_ERR_NOMATCH);
	assert_int_equal(verify(mine.name, other_key, &r), APK_ERR_NOMATCH);
	assert_int_equal(verify(OTHER_USER, my_key, &r), APK_ERR_NOMATCH);
	assert_int_equal(verify(OTHER_USER, other_key, &r), APK_OK);
	/* an account without keys reads the decoy */
	assert_int_equal(verify("bin", my_key, &r), APK_ERR_NOMATCH);
}

static void test_malformed_and_unknown_user(void **state)
{
	struct apk_record r;
	char typo[APK_KEY_LEN + 1];

	(void)state;
	memcpy(typo, my_key, sizeof(typo));
	typo[20] = typo[20] == 'A' ? 'B' : 'A';
	assert_int_equal(verify(mine.name, typo, &r), APK_ERR_BADKEY);
	assert_int_equal(verify(mine.name, "apk_short", &r), APK_ERR_BADKEY);
	assert_int_equal(test_verify(T.path, mine.name, my_key, APK_KEY_LEN - 1, &r),
			 APK_ERR_BADKEY);
	assert_int_equal(verify("apk-no-such-user", my_key, &r), APK_ERR_NOUSER);
	assert_int_equal(verify("bad user\n", my_key, &r), APK_ERR_NOUSER);
}

/* The record's owner name must be the user's: a key made for an account
 * that was since renamed (same uid, another name) logs nobody in. */
static void test_owner_name_must_match(void **state)
{
	struct apk_account renamed = mine;
	char key[APK_KEY_LEN + 1];
	struct apk_record r;

	(void)state;
	snprintf(renamed.name, sizeof(renamed.name), "%s", "formername");
	assert_int_equal(test_generate(&T, &renamed, "before", key), APK_OK);
	assert_int_equal(verify(mine.name, key, &r), APK_ERR_NOMATCH);
	assert_int_equal(test_delete(&T, &renamed, "before"), APK_OK);
}

static void test_database_problems(void **state)
{
	struct apk_record r;
	char missing[PATH_MAX];

	(void)state;
	snprintf(missing, sizeof(missing), "%s/nowhere", T.dir);
	assert_int_equal(test_verify(missing, mine.name, my_key, APK_KEY_LEN, &r), APK_ERR_UNAVAIL);
	assert_int_equal(test_verify("relative", mine.name, my_key, APK_KEY_LEN, &r),
			 APK_ERR_UNAVAIL);
}

static void test_account_has_keys(void **state)
{
	int has = -1;

	(void)state;
	assert_int_equal(test_has_keys(T.path, mine.name, &has), APK_OK);
	assert_int_equal(has, 1);
	assert_int_equal(test_has_keys(T.path, "bin", &has), APK_OK);
	assert_int_equal(has, 0);
	assert_int_equal(test_has_keys(T.path, "apk-no-such-user", &has), APK_ERR_NOUSER);
	assert_int_equal(has, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_right_key),
		cmocka_unit_test(test_wrong_secret),
		cmocka_unit_test(test_unknown_id_and_other_accounts),
		cmocka_unit_test(test_malformed_and_unknown_user),
		cmocka_unit_test(test_owner_name_must_match),
		cmocka_unit_test(test_database_problems),
		cmocka_unit_test(test_account_has_keys),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
