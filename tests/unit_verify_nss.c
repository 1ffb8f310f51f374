/* unit_verify_nss.c - a key logs in only the account name NSS gives back
 * for PAM_USER, not a name NSS merely resolves to that account.
 *
 * sssd and winbind (case_sensitive = false) fold case: PAM_USER "ALICE"
 * resolves to alice's entry, whose pw_name is "alice"; an NSS alias does the
 * same with another name. getpwnam_r is wrapped here (-Wl,--wrap, see the
 * Makefile): asked for such an alias it answers with the running account's
 * entry, as those modules do, and is asked for anything else as usual.
 */
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_db.h"
#include "verify.h"

int __real_getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len,
		      struct passwd **res);
int __wrap_getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len,
		      struct passwd **res);

static struct test_db T;
static struct apk_account mine;
static char my_key[APK_KEY_LEN + 1];
static char my_name[APK_USER_MAX + 1];
static const char *alias;      /* the name answered with my entry */
static unsigned alias_answers; /* how often it was */

int __wrap_getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len,
		      struct passwd **res)
{
	if (alias != NULL && strcmp(name, alias) == 0) {
		alias_answers++;
		return __real_getpwnam_r(my_name, pw, buf, len, res);
	}
	return __real_getpwnam_r(name, pw, buf, len, res);
}

static int setup(void **state)
{
	struct passwd *pw = getpwuid(getuid());

	(void)state;
	if (pw == NULL || apk_crypto_init() != APK_OK)
		return -1;
	snprintf(my_name, sizeof(my_name), "%s", pw->pw_name);
	test_db_init(&T);
	mine = test_account(my_name, -1);
	return test_generate(&T, &mine, "mine", my_key) == APK_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	test_db_remove(&T);
	return 0;
}

static enum apk_err verify_as(const char *user)
{
	struct apk_record r;

	return test_verify(T.path, user, my_key, strlen(my_key), &r);
}

/* The alias resolves (the wrapped lookup answered with my entry) and yet
 * my key does not log it in, nor does it count as an account with keys. */
static void refused_for(const char *name)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int has = 1;

	alias = name;
	assert_int_equal(getpwnam_r(name, &pw, buf, sizeof(buf), &res), 0);
	assert_non_null(res);
	assert_string_equal(pw.pw_name, my_name); /* NSS says: my account */
	alias_answers = 0;
	assert_int_equal(verify_as(name), APK_ERR_NOUSER);
	assert_true(alias_answers > 0); /* asked, and answered with my entry */
	alias_answers = 0;
	assert_int_equal(test_has_keys(T.path, name, &has), APK_ERR_NOUSER);
	assert_int_equal(has, 0);
	assert_true(alias_answers > 0);
	alias = NULL;
	assert_int_equal(verify_as(my_name), APK_OK); /* the name itself still logs in */
}

static void case_folded_name_is_refused(void **state)
{
	char upper[APK_USER_MAX + 1];
	size_t i;

	(void)state;
	for (i = 0; my_name[i] != '\0'; i++)
		upper[i] = (char)(my_name[i] >= 'a' && my_name[i] <= 'z' ? my_name[i] - 'a' + 'A'
									 : my_name[i]);
	upper[i] = '\0';
	assert_string_not_equal(upper, my_name);
	refused_for(upper);
}

static void alias_name_is_refused(void **state)
{
	(void)state;
	refused_for("apk-alias-of-me");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(case_folded_name_is_refused),
		cmocka_unit_test(alias_name_is_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
