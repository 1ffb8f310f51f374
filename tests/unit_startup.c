/* unit_startup.c - where the helper finds its files (apikeyctl/startup.c):
 * the compiled-in pam_apikey.conf, or APIKEY_POLICY for a build run by its
 * own user, never for one whose ids changed (set-user-ID). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../apikeyctl/startup.h"
#include "apk_config.h"

static void the_policy_path_comes_from_the_build(void **state)
{
	(void)state;
	unsetenv("APIKEY_POLICY");
	assert_string_equal(startup_policy_path(0), APK_POLICY_PATH);
	setenv("APIKEY_POLICY", "/tmp/x.conf", 1);   /* not set-user-ID: a test may pick it */
	assert_string_equal(startup_policy_path(0), "/tmp/x.conf");
	setenv("APIKEY_POLICY", "x.conf", 1);
	assert_null(startup_policy_path(0));
	setenv("APIKEY_POLICY", "", 1);
	assert_string_equal(startup_policy_path(0), APK_POLICY_PATH);
	unsetenv("APIKEY_POLICY");
}

/* A helper whose ids changed reads the installed file, whatever is set. */
static void a_set_user_id_helper_ignores_the_environment(void **state)
{
	(void)state;
	setenv("APIKEY_POLICY", "/tmp/x.conf", 1);
	assert_string_equal(startup_policy_path(1), APK_POLICY_PATH);
	setenv("APIKEY_POLICY", "x.conf", 1);
	assert_string_equal(startup_policy_path(1), APK_POLICY_PATH);
	unsetenv("APIKEY_POLICY");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_policy_path_comes_from_the_build),
		cmocka_unit_test(a_set_user_id_helper_ignores_the_environment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
