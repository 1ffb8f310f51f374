/* unit_pam_options.c - the module's arguments (common/pam_options.c): every
 * option, its defaults, strict values, and every refusal naming the
 * argument it refused (cmocka) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "apk_config.h"
#include "pam_options.h"
#include "unit_util.h"

static struct apk_pam_options opts;
static const char *bad;

/* Parses the NULL-terminated list of arguments. */
static int parse_list(const char **args)
{
	int n = 0;

	while (args[n] != NULL)
		n++;
	memset(&opts, 0x5a, sizeof(opts)); /* nothing may be left unset */
	bad = "unset";
	return apk_pam_options_parse(n, args, &opts, &bad);
}

#define PARSE(...) parse_list((const char *[]){ __VA_ARGS__, NULL })

/* The arguments are refused, and bad names the one expected. */
#define REFUSED(want, ...)                                \
	do {                                              \
		assert_int_equal(PARSE(__VA_ARGS__), -1); \
		assert_non_null(bad);                     \
		assert_string_equal(bad, want);           \
	} while (0)

static void no_arguments_give_the_defaults(void **state)
{
	(void)state;
	memset(&opts, 0x5a, sizeof(opts));
	bad = "unset";
	assert_int_equal(apk_pam_options_parse(0, NULL, &opts, &bad), 0);
	assert_null(bad);
	assert_string_equal(opts.db, APK_DBDIR);
	assert_string_equal(opts.prompt, "API key: ");
	assert_int_equal(opts.source, APK_ASK);
	assert_false(opts.debug);
	assert_false(opts.nodelay);
	assert_false(opts.nokeys_ignore);
	assert_int_equal(opts.warn_days, 7);
}

static void each_flag_sets_only_itself(void **state)
{
	(void)state;
	assert_int_equal(PARSE("debug"), 0);
	assert_true(opts.debug);
	assert_false(opts.nodelay);
	assert_false(opts.nokeys_ignore);
	assert_int_equal(PARSE("nodelay"), 0);
	assert_true(opts.nodelay);
	assert_false(opts.debug);
	assert_false(opts.nokeys_ignore);
	assert_int_equal(PARSE("nokeys_ignore"), 0);
	assert_true(opts.nokeys_ignore);
	assert_false(opts.debug);
	assert_false(opts.nodelay);
	assert_int_equal(opts.source, APK_ASK);
	assert_int_equal(PARSE("debug", "nodelay", "nokeys_ignore", "debug"), 0);
	assert_true(opts.debug && opts.nodelay && opts.nokeys_ignore);
	assert_null(bad);
}

static void db_must_be_absolute_and_bounded(void **state)
{
	char longest[4200], too_long[4200];

	(void)state;
	assert_int_equal(PARSE("db=/srv/keys"), 0);
	assert_string_equal(opts.db, "/srv/keys");
	assert_int_equal(PARSE("db=/a", "db=/b"), 0); /* the last one counts */
	assert_string_equal(opts.db, "/b");
	/* 4095 bytes of path is the most */
	memcpy(longest, "db=/", 4);
	memset(longest + 4, 'k', 4094);
	longest[4 + 4094] = '\0';
	assert_int_equal(PARSE(longest), 0);
	assert_int_equal(strlen(opts.db), 4095);
	snprintf(too_long, sizeof(too_long), "%sk", longest);
	REFUSED(too_long, too_long);
	REFUSED("db=keys", "db=keys");
	REFUSED("db=", "db=");
	REFUSED("db", "db");
	REFUSED("db=./keys", "nodelay", "db=./keys");
}

/* keys=NAME names a source of apk_keysources; the default is every source (NULL). */
static void keys_name_a_known_source(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(PARSE("nodelay"), 0);
	assert_null(opts.keys);
	for (i = 0; apk_keysources[i] != NULL; i++) {
		char arg[64];
		const char *argv[] = { arg };

		snprintf(arg, sizeof(arg), "keys=%s", apk_keysources[i]->name);
		assert_int_equal(apk_pam_options_parse(1, argv, &opts, &bad), 0);
		assert_ptr_equal(opts.keys, apk_keysources[i]);
	}
	assert_int_equal(PARSE("keys=local"), 0);
	assert_ptr_equal(opts.keys, &apk_keysource_local);
	REFUSED("keys=ldap", "keys=ldap");
	REFUSED("keys=", "keys=");
	REFUSED("keys", "keys");
	REFUSED("keys=LOCAL", "keys=LOCAL");
}

static void socket_must_be_absolute_and_fit(void **state)
{
	char longest[200], too_long[200];

	(void)state;
	assert_int_equal(PARSE("debug"), 0);
	assert_null(opts.socket);
	assert_int_equal(PARSE("socket=/run/x/verify.sock"), 0);
	assert_string_equal(opts.socket, "/run/x/verify.sock");
	/* 107 bytes of path is the most a Unix socket takes */
	memcpy(longest, "socket=/", 8);
	memset(longest + 8, 's', 106);
	longest[8 + 106] = '\0';
	assert_int_equal(PARSE(longest), 0);
	assert_int_equal(strlen(opts.socket), 107);
	snprintf(too_long, sizeof(too_long), "%ss", longest);
	REFUSED(too_long, too_long);
	REFUSED("socket=verify.sock", "socket=verify.sock");
	REFUSED("socket=", "socket=");
	REFUSED("socket", "socket");
}

static void prompt_is_printable_and_bounded(void **state)
{
	char longest[200], too_long[200];

	(void)state;
	assert_int_equal(PARSE("prompt=Token: "), 0);
	assert_string_equal(opts.prompt, "Token: ");
	snprintf(longest, sizeof(longest), "prompt=%0128d", 0);
	assert_int_equal(PARSE(longest), 0);
	assert_int_equal(strlen(opts.prompt), 128);
	snprintf(too_long, sizeof(too_long), "prompt=%0129d", 0);
	REFUSED(too_long, too_long);
	REFUSED("prompt=", "prompt=");
	REFUSED("prompt", "prompt");
	REFUSED("prompt=Key:\n", "prompt=Key:\n");
	REFUSED("prompt=\x1b[2JKey: ", "prompt=\x1b[2JKey: ");
	REFUSED("prompt=Key\x7f: ", "prompt=Key\x7f: ");
	/* bytes above 0x7f (UTF-8) are text */
	assert_int_equal(PARSE("prompt=Clé API : "), 0);
	assert_string_equal(opts.prompt, "Clé API : ");
}

static void warn_takes_a_plain_number_of_days(void **state)
{
	const char *const bad_values[] = {
		"warn=", "warn", "warn=-1", "warn=+7", "warn=07", "warn=00", "warn= 7", "warn=7 ",
		"warn=7d", "warn=0x7", "warn=3651", "warn=10000", "warn=99999999999999999999",
		"warn=4294967303", "warn=1e3", "WARN=7",
	};
	size_t i;

	(void)state;
	assert_int_equal(PARSE("warn=0"), 0);
	assert_int_equal(opts.warn_days, 0);
	assert_int_equal(PARSE("warn=1"), 0);
	assert_int_equal(opts.warn_days, 1);
	assert_int_equal(PARSE("warn=30"), 0);
	assert_int_equal(opts.warn_days, 30);
	assert_int_equal(PARSE("warn=3650"), 0);
	assert_int_equal(opts.warn_days, 3650);
	assert_int_equal(PARSE("warn=3", "warn=14"), 0); /* the last one counts */
	assert_int_equal(opts.warn_days, 14);
	assert_int_equal(PARSE("debug"), 0);
	assert_int_equal(opts.warn_days, 7);
	for (i = 0; i < N_ELEM(bad_values); i++)
		REFUSED(bad_values[i], "debug", bad_values[i]);
}

static void answer_sources(void **state)
{
	(void)state;
	assert_int_equal(PARSE("try_first_pass"), 0);
	assert_int_equal(opts.source, APK_TRY_FIRST_PASS);
	assert_string_equal(opts.prompt, "API key: ");
	assert_int_equal(PARSE("use_first_pass"), 0);
	assert_int_equal(opts.source, APK_USE_FIRST_PASS);
	assert_int_equal(PARSE("use_authtok"), 0); /* the same as use_first_pass */
	assert_int_equal(opts.source, APK_USE_FIRST_PASS);
	assert_int_equal(PARSE("use_first_pass", "use_authtok", "use_first_pass"), 0);
	assert_int_equal(opts.source, APK_USE_FIRST_PASS);
	assert_int_equal(PARSE("forward_pass", "forward_pass"), 0);
	assert_int_equal(opts.source, APK_FORWARD_PASS);
}

static void forward_pass_asks_for_a_password_unless_told(void **state)
{
	(void)state;
	assert_int_equal(PARSE("forward_pass"), 0);
	assert_string_equal(opts.prompt, "Password: ");
	assert_int_equal(PARSE("forward_pass", "prompt=Key or password: "), 0);
	assert_string_equal(opts.prompt, "Key or password: ");
	assert_int_equal(PARSE("prompt=Key or password: ", "forward_pass"), 0);
	assert_string_equal(opts.prompt, "Key or password: ");
}

static void two_answer_sources_are_refused(void **state)
{
	(void)state;
	REFUSED("try_first_pass", "forward_pass", "try_first_pass");
	REFUSED("forward_pass", "try_first_pass", "forward_pass");
	REFUSED("use_first_pass", "try_first_pass", "use_first_pass");
	REFUSED("use_authtok", "forward_pass", "use_authtok");
	REFUSED("try_first_pass", "use_authtok", "nodelay", "try_first_pass");
}

static void unknown_arguments_are_refused_by_name(void **state)
{
	const char *const unknown[] = {
		"frobnicate", "Debug", "debug=1", "nodelay ", " nodelay", "nokeys_ignore=0",
		"try_first_pass=1", "forward_pass=yes", "forwardpass", "use_first_pass_",
		"DB=/srv", "db =/srv", "prompt =x", "", "=", "-debug",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(unknown); i++)
		REFUSED(unknown[i], "debug", unknown[i], "nodelay");
}

static void the_first_bad_argument_is_named(void **state)
{
	(void)state;
	REFUSED("one", "debug", "one", "two");
}

static void a_null_argument_is_refused(void **state)
{
	const char *args[] = { "debug", NULL };

	(void)state;
	assert_int_equal(apk_pam_options_parse(2, args, &opts, &bad), -1);
	assert_string_equal(bad, "(null)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_arguments_give_the_defaults),
		cmocka_unit_test(each_flag_sets_only_itself),
		cmocka_unit_test(db_must_be_absolute_and_bounded),
		cmocka_unit_test(keys_name_a_known_source),
		cmocka_unit_test(socket_must_be_absolute_and_fit),
		cmocka_unit_test(prompt_is_printable_and_bounded),
		cmocka_unit_test(warn_takes_a_plain_number_of_days),
		cmocka_unit_test(answer_sources),
		cmocka_unit_test(forward_pass_asks_for_a_password_unless_told),
		cmocka_unit_test(two_answer_sources_are_refused),
		cmocka_unit_test(unknown_arguments_are_refused_by_name),
		cmocka_unit_test(the_first_bad_argument_is_named),
		cmocka_unit_test(a_null_argument_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
