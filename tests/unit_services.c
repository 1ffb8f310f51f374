/* unit_services.c - the service list of a key (common/services.c): parsing
 * into canonical form, what is refused, the canonical check, matching */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "services.h"
#include "unit_util.h"

static char err[512];

/* Parses the given option values; returns the list as text. */
static const char *parsed(const char *const *args, size_t nargs)
{
	static struct apk_services s;
	static char text[APK_SERVICES_TEXT_MAX + 1];

	err[0] = '\0';
	if (apk_services_parse(args, nargs, &s, err, sizeof(err)) != APK_OK)
		fail_msg("refused: %s", err);
	assert_true(apk_services_canonical(&s));
	return apk_services_text(&s, text, sizeof(text));
}

static const char *parsed1(const char *arg)
{
	return parsed(&arg, 1);
}

static void refused(const char *const *args, size_t nargs, const char *want)
{
	struct apk_services s;

	memset(&s, 0x5A, sizeof(s));
	err[0] = '\0';
	assert_int_equal(apk_services_parse(args, nargs, &s, err, sizeof(err)), APK_ERR_INVALID);
	assert_true(all_zero(&s, sizeof(s)));
	assert_non_null(strstr(err, want));
	assert_null(strchr(err, '\n'));
}

static void refused1(const char *arg, const char *want)
{
	refused(&arg, 1, want);
}

static void canonical_form(void **state)
{
	static const char *const twice[] = { "sudo,sshd", "login", "SSHD" };

	(void)state;
	assert_string_equal(parsed1("sshd"), "sshd");
	assert_string_equal(parsed1("sudo,sshd,su"), "sshd,su,sudo");
	assert_string_equal(parsed1("sshd,sshd,SSHD,Sshd"), "sshd");
	assert_string_equal(parsed1("My.Service_2-x"), "my.service_2-x");
	assert_string_equal(parsed(twice, N_ELEM(twice)), "login,sshd,sudo");
}

static void all_is_the_empty_list(void **state)
{
	static const char *const alls[] = { "all", "all" };

	(void)state;
	assert_string_equal(parsed1("all"), "");
	assert_string_equal(parsed1("ALL"), "");
	assert_string_equal(parsed(alls, 2), "");
	assert_string_equal(parsed(NULL, 0), "");
}

static void bad_lists_are_refused(void **state)
{
	static const char *const mixed[] = { "sshd", "all" };
	char longest[APK_SERVICE_NAME_MAX + 1], too_long[APK_SERVICE_NAME_MAX + 2];

	(void)state;
	refused1("", "empty");
	refused1(",", "empty");
	refused1("sshd,", "empty");
	refused1(",sshd", "empty");
	refused1("sshd,,su", "empty");
	refused1("ss hd", "A-Z a-z 0-9 . _ -");
	refused1("sshd ", "A-Z a-z 0-9 . _ -");
	refused1("ssh/d", "A-Z a-z 0-9 . _ -");
	refused1("ss\xc3\xa9", "A-Z a-z 0-9 . _ -");
	refused1("a\tb", "a\\x09b");
	refused1("all,sshd", "cannot be combined");
	refused(mixed, 2, "cannot be combined");
	memset(longest, 'a', APK_SERVICE_NAME_MAX);
	longest[APK_SERVICE_NAME_MAX] = '\0';
	assert_string_equal(parsed1(longest), longest);
	memset(too_long, 'a', APK_SERVICE_NAME_MAX + 1);
	too_long[APK_SERVICE_NAME_MAX + 1] = '\0';
	refused1(too_long, "at most 32 characters");
}

static void at_most_sixteen(void **state)
{
	char list[512] = "", item[8], text[APK_SERVICES_TEXT_MAX + 1];
	int i;

	(void)state;
	for (i = 0; i < APK_SERVICES_MAX; i++) {
		snprintf(item, sizeof(item), "%ss%02d", i > 0 ? "," : "", i);
		strcat(list, item);
	}
	snprintf(text, sizeof(text), "%s", parsed1(list));
	assert_string_equal(text, list);
	strcat(list, ",s00"); /* a duplicate does not count */
	assert_string_equal(parsed1(list), text);
	strcat(list, ",s16");
	refused1(list, "at most 16 services");
}

static void the_canonical_check(void **state)
{
	struct apk_services s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_true(apk_services_canonical(&s));
	s.n = 2;
	strcpy(s.name[0], "sshd");
	strcpy(s.name[1], "sudo");
	assert_true(apk_services_canonical(&s));
	strcpy(s.name[1], "sshd"); /* duplicate */
	assert_false(apk_services_canonical(&s));
	strcpy(s.name[0], "sudo"); /* out of order */
	strcpy(s.name[1], "sshd");
	assert_false(apk_services_canonical(&s));
	strcpy(s.name[0], "SSHD"); /* upper case */
	strcpy(s.name[1], "sudo");
	assert_false(apk_services_canonical(&s));
	strcpy(s.name[0], "all"); /* the keyword is never a name */
	assert_false(apk_services_canonical(&s));
	strcpy(s.name[0], ""); /* empty */
	assert_false(apk_services_canonical(&s));
	strcpy(s.name[0], "a b");
	assert_false(apk_services_canonical(&s));
	memset(s.name[0], 'a', sizeof(s.name[0])); /* unterminated */
	assert_false(apk_services_canonical(&s));
	s.n = APK_SERVICES_MAX + 1;
	assert_false(apk_services_canonical(&s));
	assert_false(apk_services_canonical(NULL));
}

static void matching(void **state)
{
	struct apk_services s;
	const char *list = "sshd,sudo";

	(void)state;
	assert_int_equal(apk_services_parse(NULL, 0, &s, err, sizeof(err)), APK_OK);
	assert_true(apk_services_allow(&s, "sshd"));
	assert_true(apk_services_allow(&s, "anything at all"));
	assert_true(apk_services_allow(&s, NULL));
	assert_int_equal(apk_services_parse(&list, 1, &s, err, sizeof(err)), APK_OK);
	assert_true(apk_services_allow(&s, "sshd"));
	assert_true(apk_services_allow(&s, "sudo"));
	assert_true(apk_services_allow(&s, "SSHD"));
	assert_false(apk_services_allow(&s, "su"));
	assert_false(apk_services_allow(&s, "ssh"));
	assert_false(apk_services_allow(&s, "sshd2"));
	assert_false(apk_services_allow(&s, "sshd "));
	assert_false(apk_services_allow(&s, ""));
	assert_false(apk_services_allow(&s, "all"));
	assert_false(apk_services_allow(&s, NULL));
}

static void text_is_cut_to_fit(void **state)
{
	struct apk_services s;
	const char *list = "aaaa,bbbb";
	char small[7], none[1] = { 'x' };

	(void)state;
	assert_int_equal(apk_services_parse(&list, 1, &s, err, sizeof(err)), APK_OK);
	assert_string_equal(apk_services_text(&s, small, sizeof(small)), "aaaa");
	apk_services_text(&s, none, 0);
	assert_int_equal(none[0], 'x');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(canonical_form),
		cmocka_unit_test(all_is_the_empty_list),
		cmocka_unit_test(bad_lists_are_refused),
		cmocka_unit_test(at_most_sixteen),
		cmocka_unit_test(the_canonical_check),
		cmocka_unit_test(matching),
		cmocka_unit_test(text_is_cut_to_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
