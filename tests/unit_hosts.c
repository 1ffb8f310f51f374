/* unit_hosts.c - a key's host list (--hosts): parsing, canonical form,
 * matching this host's name, and the host name itself */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hosts.h"
#include "unit_util.h"

static struct apk_hosts parse_ok(const char *const *args, size_t n)
{
	struct apk_hosts h;
	char err[256] = "";

	assert_int_equal(apk_hosts_parse(args, n, &h, err, sizeof(err)), APK_OK);
	assert_true(apk_hosts_canonical(&h));
	return h;
}

static void test_parse_canonical(void **state)
{
	const char *one[] = { "Web-*.Example.ORG,db-?.example.org" };
	const char *two[] = { "web-*.example.org", "db-?.example.org,web-*.example.org" };
	const char *all[] = { "all" };
	struct apk_hosts h;
	char item[APK_HOST_PATTERN_MAX + 1];

	(void)state;
	h = parse_ok(one, 1);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.text, "db-?.example.org,web-*.example.org");
	assert_string_equal(apk_hosts_item(&h, 0, item, sizeof(item)), "db-?.example.org");
	assert_string_equal(apk_hosts_item(&h, 1, item, sizeof(item)), "web-*.example.org");
	/* repeated options, a pattern given twice: kept once */
	h = parse_ok(two, 2);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.text, "db-?.example.org,web-*.example.org");
	h = parse_ok(all, 1);
	assert_int_equal(h.n, 0);
	assert_string_equal(h.text, "");
	h = parse_ok(NULL, 0);
	assert_int_equal(h.n, 0);
}

static void test_parse_bad(void **state)
{
	static const char *bad[] = {
		"", ",", "a,", ",a", "a,,b", "all,web-1", "web 1", "web/1", "web-1\n", "web\\1",
		"caf\xc3\xa9", "a{b,c}",
	};
	char long_pattern[APK_HOST_PATTERN_MAX + 2], many[16 * 4 + 8] = "", err[256];
	const char *arg;
	struct apk_hosts h;
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(bad); i++) {
		arg = bad[i];
		err[0] = '\0';
		memset(&h, 0xA5, sizeof(h));
		assert_int_equal(apk_hosts_parse(&arg, 1, &h, err, sizeof(err)), APK_ERR_INVALID);
		assert_true(err[0] != '\0' && strchr(err, '\n') == NULL); /* one line */
		assert_true(all_zero(&h, sizeof(h)));
	}
	memset(long_pattern, 'a', APK_HOST_PATTERN_MAX + 1);
	long_pattern[APK_HOST_PATTERN_MAX + 1] = '\0';
	arg = long_pattern;
	assert_int_equal(apk_hosts_parse(&arg, 1, &h, err, sizeof(err)), APK_ERR_INVALID);
	long_pattern[APK_HOST_PATTERN_MAX] = '\0'; /* 255: fits */
	assert_int_equal(apk_hosts_parse(&arg, 1, &h, err, sizeof(err)), APK_OK);
	/* 17 patterns */
	for (i = 0; i < 17; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "%sh%zu", i ? "," : "", i);
	arg = many;
	assert_int_equal(apk_hosts_parse(&arg, 1, &h, err, sizeof(err)), APK_ERR_INVALID);
	many[strrchr(many, ',') - many] = '\0'; /* 16: fits */
	assert_int_equal(apk_hosts_parse(&arg, 1, &h, err, sizeof(err)), APK_OK);
	assert_int_equal(h.n, 16);
}

/* More than 1,024 bytes in all, though each pattern and the count fit. */
static void test_parse_total(void **state)
{
	char a[5][APK_HOST_PATTERN_MAX + 1], err[256];
	const char *args[5];
	struct apk_hosts h;
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++) {
		memset(a[i], 'a' + (int)i, 204);
		a[i][204] = '\0';
		args[i] = a[i];
	}
	/* 5 x 204 + 4 commas = 1024: fits */
	assert_int_equal(apk_hosts_parse(args, 5, &h, err, sizeof(err)), APK_OK);
	assert_int_equal(strlen(h.text), 1024);
	a[4][204] = 'e';
	a[4][205] = '\0';
	assert_int_equal(apk_hosts_parse(args, 5, &h, err, sizeof(err)), APK_ERR_INVALID);
}

static void test_canonical_refuses(void **state)
{
	struct apk_hosts h;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_true(apk_hosts_canonical(&h));
	h.n = 1;
	assert_false(apk_hosts_canonical(&h)); /* a count without text */
	snprintf(h.text, sizeof(h.text), "b,a");
	h.n = 2;
	assert_false(apk_hosts_canonical(&h)); /* not sorted */
	snprintf(h.text, sizeof(h.text), "a,a");
	assert_false(apk_hosts_canonical(&h)); /* twice */
	snprintf(h.text, sizeof(h.text), "a,B");
	assert_false(apk_hosts_canonical(&h)); /* upper case */
	snprintf(h.text, sizeof(h.text), "a,b,c");
	assert_false(apk_hosts_canonical(&h)); /* more items than n */
	snprintf(h.text, sizeof(h.text), "a");
	assert_false(apk_hosts_canonical(&h)); /* fewer */
	snprintf(h.text, sizeof(h.text), "a,all");
	assert_false(apk_hosts_canonical(&h));
	snprintf(h.text, sizeof(h.text), "a,");
	assert_false(apk_hosts_canonical(&h));
	snprintf(h.text, sizeof(h.text), "a,b");
	assert_true(apk_hosts_canonical(&h));
	snprintf(h.text, sizeof(h.text), "ab,b"); /* byte order: "ab" < "b" */
	assert_true(apk_hosts_canonical(&h));
	snprintf(h.text, sizeof(h.text), "a,ab"); /* a prefix first */
	assert_true(apk_hosts_canonical(&h));
	snprintf(h.text, sizeof(h.text), "ab,a");
	assert_false(apk_hosts_canonical(&h));
	h.n = APK_HOSTS_MAX + 1;
	assert_false(apk_hosts_canonical(&h));
	memset(h.text, 'a', sizeof(h.text)); /* no terminator */
	h.n = 1;
	assert_false(apk_hosts_canonical(&h));
}

static void test_allow(void **state)
{
	const char *arg = "web-*.example.org,db-[0-9].example.org";
	struct apk_hosts h = parse_ok(&arg, 1), none;

	(void)state;
	assert_true(apk_hosts_allow(&h, "web-1.example.org"));
	assert_true(apk_hosts_allow(&h, "web-.example.org"));
	assert_true(apk_hosts_allow(&h, "db-7.example.org"));
	assert_false(apk_hosts_allow(&h, "db-x.example.org"));
	assert_false(apk_hosts_allow(&h, "web-1.example.org.evil"));
	assert_false(apk_hosts_allow(&h, "mail.example.org"));
	/* host names are not case-sensitive; an invalid or missing name never matches */
	assert_true(apk_hosts_allow(&h, "web-1.example.org"));
	assert_false(apk_hosts_allow(&h, "WEB-1.example.org")); /* not a valid stored name */
	assert_false(apk_hosts_allow(&h, NULL));
	assert_false(apk_hosts_allow(&h, ""));
	assert_false(apk_hosts_allow(&h, "web-1.example.org\n"));
	memset(&none, 0, sizeof(none)); /* every host */
	assert_true(apk_hosts_allow(&none, NULL));
	assert_true(apk_hosts_allow(&none, "anything"));
}

static void test_host_name(void **state)
{
	char name[APK_HOST_NAME_MAX + 1], big[300];

	(void)state;
	assert_true(apk_host_name_valid("web-1.example.org"));
	assert_true(apk_host_name_valid("a_b"));
	assert_false(apk_host_name_valid(""));
	assert_false(apk_host_name_valid("Web"));
	assert_false(apk_host_name_valid("a b"));
	assert_false(apk_host_name_valid("a*"));
	memset(big, 'a', 255);
	big[255] = '\0';
	assert_true(apk_host_name_valid(big));
	big[255] = 'a';
	big[256] = '\0';
	assert_false(apk_host_name_valid(big));
	/* this machine's name: valid and lower case, or "" */
	apk_host_name_local(name, sizeof(name));
	assert_true(name[0] == '\0' || apk_host_name_valid(name));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_canonical),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_total),
		cmocka_unit_test(test_canonical_refuses),
		cmocka_unit_test(test_allow),
		cmocka_unit_test(test_host_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
