/* pam_hostile_records.c - pam_apikey and records crafted by hand into its
 * database, through the real libpam (cmocka; no root needed).
 *
 * build/tests/hostile_tool rewrites one record of a private copy of the
 * database, bypassing the encoder's checks (FORMAT.md 3.1): control bytes
 * in the name or the description, a malformed digest, an unknown critical
 * field, another id. Each is refused (PAM_AUTHINFO_UNAVAIL for a record
 * that does not decode, PAM_AUTH_ERR for a digest that is merely wrong),
 * the unchanged hand encoding is accepted, and one bad record locks out no
 * other account.
 */
#include "hostile_harness.h"

/* what the final log check must cover at least (19 records, two logins each) */
static struct log_floor log_floor = { 38, 38 };

static void crafted_records(void **state)
{
	static const struct {
		const char *mode;
		int want;
	} cases[] = {
		{ "same", PAM_SUCCESS },
		{ "name-esc", PAM_AUTHINFO_UNAVAIL },
		{ "name-nul", PAM_AUTHINFO_UNAVAIL },
		{ "desc-nl", PAM_AUTHINFO_UNAVAIL },
		{ "desc-esc", PAM_AUTHINFO_UNAVAIL },
		{ "desc-bidi", PAM_AUTHINFO_UNAVAIL },
		{ "desc-badutf8", PAM_AUTHINFO_UNAVAIL },
		{ "owner-nl", PAM_AUTHINFO_UNAVAIL },
		{ "digest-empty", PAM_AUTHINFO_UNAVAIL },
		{ "digest-prefix", PAM_AUTHINFO_UNAVAIL },
		{ "digest-short", PAM_AUTHINFO_UNAVAIL },
		{ "digest-long", PAM_AUTHINFO_UNAVAIL },
		{ "digest-missing", PAM_AUTHINFO_UNAVAIL },
		{ "digest-twice", PAM_AUTHINFO_UNAVAIL },
		{ "critical-tag", PAM_AUTHINFO_UNAVAIL },
		{ "id-other", PAM_AUTHINFO_UNAVAIL },
		{ "trailing-byte", PAM_AUTHINFO_UNAVAIL },
		{ "digest-zero", PAM_AUTH_ERR },
		{ "digest-ff", PAM_AUTH_ERR },
	};
	struct scratch s;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		scratch_new(&s, 1);
		assert_int_equal(craft(s.db, my_key, cases[i].mode), 0);
		service("crafted", s.db, "nodelay");
		rc = auth_timeout("crafted", me(), my_key, 10);
		if (rc != cases[i].want)
			print_message("# crafted record %s: got %d, want %d\n", cases[i].mode, rc,
				      cases[i].want);
		assert_int_equal(rc, cases[i].want);
		/* one bad record locks out nobody else */
		assert_int_equal(auth_timeout("crafted", OTHER, other_key, 10), PAM_SUCCESS);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crafted_records),
		cmocka_unit_test_prestate(no_secret_in_any_log_line, &log_floor),
	};
	return cmocka_run_group_tests(tests, hostile_setup, hostile_teardown);
}
