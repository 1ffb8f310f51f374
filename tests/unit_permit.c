/* unit_permit.c - a key's lifecycle fields against one login
 * (common/permit.c): each refusal and its reason, their order, and the
 * expiry warning window */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "permit.h"
#include "unit_util.h"
#include "when.h"

#define NOW INT64_C(1767225600) /* 2026-01-01T00:00:00Z */
#define DAY INT64_C(86400)

/* A record with the given lists (NULL: none) and expiry. */
static struct apk_record rec(const char *services, const char *networks, int64_t expires)
{
	struct apk_record r;

	memset(&r, 0, sizeof(r));
	assert_int_equal(apk_services_parse(&services, services != NULL, &r.services, NULL, 0), APK_OK);
	assert_int_equal(apk_networks_parse(&networks, networks != NULL, &r.networks, NULL, 0), APK_OK);
	r.expires = expires;
	return r;
}

static void no_restriction_lets_anything_in(void **state)
{
	struct apk_record r = rec(NULL, NULL, 0);

	(void)state;
	assert_int_equal(apk_permit_check(&r, NOW, "sshd", "192.0.2.1"), APK_PERMIT_OK);
	assert_int_equal(apk_permit_check(&r, NOW, NULL, NULL), APK_PERMIT_OK);
	assert_int_equal(apk_permit_check(&r, APK_WHEN_LAST, "su", "host.example"), APK_PERMIT_OK);
}

static void disabled(void **state)
{
	struct apk_record r = rec(NULL, NULL, 0);

	(void)state;
	r.disabled = true;
	assert_int_equal(apk_permit_check(&r, NOW, "sshd", "192.0.2.1"), APK_PERMIT_DISABLED);
	assert_string_equal(apk_permit_reason(APK_PERMIT_DISABLED), "key disabled");
}

static void expiry_is_exclusive(void **state)
{
	struct apk_record r = rec(NULL, NULL, NOW + 1);

	(void)state;
	assert_int_equal(apk_permit_check(&r, NOW, "sshd", NULL), APK_PERMIT_OK);
	assert_int_equal(apk_permit_check(&r, NOW + 1, "sshd", NULL), APK_PERMIT_EXPIRED);
	assert_int_equal(apk_permit_check(&r, NOW + 2, "sshd", NULL), APK_PERMIT_EXPIRED);
	assert_string_equal(apk_permit_reason(APK_PERMIT_EXPIRED), "key expired");
}

static void services(void **state)
{
	struct apk_record r = rec("sshd,sudo", NULL, 0);

	(void)state;
	assert_int_equal(apk_permit_check(&r, NOW, "sshd", NULL), APK_PERMIT_OK);
	assert_int_equal(apk_permit_check(&r, NOW, "sudo", NULL), APK_PERMIT_OK);
	assert_int_equal(apk_permit_check(&r, NOW, "su", NULL), APK_PERMIT_SERVICE);
	assert_int_equal(apk_permit_check(&r, NOW, NULL, NULL), APK_PERMIT_SERVICE);
	assert_string_equal(apk_permit_reason(APK_PERMIT_SERVICE), "service not allowed for this key");
}

static void sources(void **state)
{
	struct apk_record r = rec(NULL, "127.0.0.1,2001:db8::/32", 0);

	(void)state;
	assert_int_equal(apk_permit_check(&r, NOW, "sshd", "127.0.0.1"), APK_PERMIT_OK);
	assert_int_equal(apk_permit_check(&r, NOW, "sshd", "::ffff:127.0.0.1"), APK_PERMIT_OK);
	assert_int_equal(apk_permit_check(&r, NOW, "sshd", "2001:db8::7"), APK_PERMIT_OK);
	assert_int_equal(apk_permit_check(&r, NOW, "sshd", "127.0.0.2"), APK_PERMIT_SOURCE);
	assert_int_equal(apk_permit_check(&r, NOW, "sshd", NULL), APK_PERMIT_NO_RHOST);
	assert_int_equal(apk_permit_check(&r, NOW, "sshd", ""), APK_PERMIT_NO_RHOST);
	assert_int_equal(apk_permit_check(&r, NOW, "sshd", "localhost"),
			 APK_PERMIT_RHOST_NOT_ADDRESS);
	assert_string_equal(apk_permit_reason(APK_PERMIT_SOURCE),
			    "source address not allowed for this key");
	assert_non_null(strstr(apk_permit_reason(APK_PERMIT_NO_RHOST),
			       "source address not allowed for this key (no remote host"));
	assert_non_null(strstr(apk_permit_reason(APK_PERMIT_RHOST_NOT_ADDRESS),
			       "source address not allowed for this key (the remote host is a name"));
	assert_string_equal(apk_permit_reason(APK_PERMIT_OK), "");
}

/* Disabled, then expired, then service, then source. */
static void order_of_refusals(void **state)
{
	struct apk_record r = rec("sshd", "10.0.0.0/8", NOW);

	(void)state;
	r.disabled = true;
	assert_int_equal(apk_permit_check(&r, NOW, "su", "localhost"), APK_PERMIT_DISABLED);
	r.disabled = false;
	assert_int_equal(apk_permit_check(&r, NOW, "su", "localhost"), APK_PERMIT_EXPIRED);
	r.expires = 0;
	assert_int_equal(apk_permit_check(&r, NOW, "su", "localhost"), APK_PERMIT_SERVICE);
	assert_int_equal(apk_permit_check(&r, NOW, "sshd", "localhost"),
			 APK_PERMIT_RHOST_NOT_ADDRESS);
	assert_int_equal(apk_permit_check(&r, NOW, "sshd", "10.1.1.1"), APK_PERMIT_OK);
}

static void expiry_warning_window(void **state)
{
	struct apk_record r = rec(NULL, NULL, NOW + 7 * DAY);

	(void)state;
	assert_true(apk_expires_within(&r, NOW, 7));
	assert_true(apk_expires_within(&r, NOW + 7 * DAY - 1, 7));
	assert_false(apk_expires_within(&r, NOW - 1, 7));       /* 7 days and a second */
	assert_false(apk_expires_within(&r, NOW, 6));
	assert_false(apk_expires_within(&r, NOW, 0));           /* warn=0: off */
	assert_false(apk_expires_within(&r, NOW + 7 * DAY, 7)); /* expired: no warning */
	assert_true(apk_expires_within(&r, NOW, 4000000000u));
	r.expires = 0;                                          /* never */
	assert_false(apk_expires_within(&r, NOW, 4000000000u));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_restriction_lets_anything_in),
		cmocka_unit_test(disabled),
		cmocka_unit_test(expiry_is_exclusive),
		cmocka_unit_test(services),
		cmocka_unit_test(sources),
		cmocka_unit_test(order_of_refusals),
		cmocka_unit_test(expiry_warning_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
