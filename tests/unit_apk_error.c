/* unit_apk_error.c - the error messages (common/apk_error.c): every error
 * has its own one-line, lower-case message, and no value outside the enum
 * reads as success */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "apk_error.h"

#define LAST APK_ERR_DIRECTORY /* the enum's last value */

static void every_error_has_its_own_message(void **state)
{
	int i, j;

	(void)state;
	for (i = APK_OK; i <= LAST; i++) {
		const char *m = apk_strerror((enum apk_err)i);

		assert_non_null(m);
		assert_true(strlen(m) > 0 && strlen(m) < 80);
		assert_false(isupper((unsigned char)m[0]));
		assert_null(strpbrk(m, "\n\r\t"));
		assert_string_not_equal(m, "unknown error");
		for (j = APK_OK; j < i; j++)
			assert_string_not_equal(m, apk_strerror((enum apk_err)j));
	}
}

static void only_ok_is_success(void **state)
{
	(void)state;
	assert_string_equal(apk_strerror(APK_OK), "success");
	assert_string_equal(apk_strerror((enum apk_err)(LAST + 1)), "unknown error");
	assert_string_equal(apk_strerror((enum apk_err)-1), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_error_has_its_own_message),
		cmocka_unit_test(only_ok_is_success),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
