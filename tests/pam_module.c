/* pam_module.c - pam_apikey through the real libpam: every return code and the
 * ways a key must not work (cmocka; no root needed) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>

#include "keyfmt.h"
#include "pam_harness.h"
#include "test_db.h"

static struct test_db T;
static char conf[PATH_MAX];
static char my_key[APK_KEY_LEN + 1], other_key[APK_KEY_LEN + 1], ghost_key[APK_KEY_LEN + 1];
static const char *OTHER = OTHER_USER;

static void service(const char *name, const char *args)
{
	char lines[2048];

	snprintf(lines, sizeof(lines), "auth required %%M db=%s nodelay %s\n", T.path, args);
	write_service(conf, name, lines);
}

static int setup(void **state)
{
	/* "daemon" as if deleted and recreated: same name, another uid */
	struct apk_account ghost = test_account(OTHER, 4242);

	(void)state;
	if (pam_fixture(&T, conf, my_key, other_key) != 0 ||
	    test_generate(&T, &ghost, "ghost", ghost_key) != APK_OK)
		return -1;
	service("plain", "");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_db_remove(&T);
	return 0;
}

static int auth(const char *svc, const char *user, const char *response)
{
	struct conv_script cs = { response, 0, "" };
	return pam_run(conf, svc, user, &cs);
}

static void right_key_succeeds(void **state)
{
	(void)state;
	assert_int_equal(auth("plain", me(), my_key), PAM_SUCCESS);
	assert_int_equal(auth("plain", OTHER, other_key), PAM_SUCCESS);
}

static void default_prompt_is_asked_once(void **state)
{
	struct conv_script cs = { my_key, 0, "" };

	(void)state;
	assert_int_equal(pam_run(conf, "plain", me(), &cs), PAM_SUCCESS);
	assert_int_equal(cs.prompts, 1);
	assert_string_equal(cs.last_prompt, "API key: ");
}

static void prompt_option_changes_prompt(void **state)
{
	struct conv_script cs = { my_key, 0, "" };

	(void)state;
	service("prompted", "[prompt=Access token: ]");
	assert_int_equal(pam_run(conf, "prompted", me(), &cs), PAM_SUCCESS);
	assert_string_equal(cs.last_prompt, "Access token: ");
}

static void another_accounts_key_is_refused(void **state)
{
	(void)state;
	assert_int_equal(auth("plain", me(), other_key), PAM_AUTH_ERR);
	assert_int_equal(auth("plain", OTHER, my_key), PAM_AUTH_ERR);
	if (strcmp(me(), "root") != 0)
		assert_int_equal(auth("plain", "root", my_key), PAM_AUTH_ERR);
}

static void recreated_account_key_is_refused(void **state)
{
	(void)state;
	/* issued to "daemon" with uid 4242; today's daemon has another uid */
	assert_int_equal(auth("plain", OTHER, ghost_key), PAM_AUTH_ERR);
}

static void wrong_secret_is_refused(void **state)
{
	struct apk_key k;
	char forged[APK_KEY_LEN + 1];

	(void)state;
	assert_int_equal(apk_key_parse(my_key, strlen(my_key), &k), APK_OK);
	k.secret[0] ^= 1; /* right id, valid checksum, wrong secret */
	apk_key_format(&k, forged);
	apk_key_wipe(&k);
	assert_int_equal(auth("plain", me(), forged), PAM_AUTH_ERR);
}

static void unknown_id_is_refused(void **state)
{
	struct apk_key k;
	char fresh[APK_KEY_LEN + 1];

	(void)state;
	apk_key_generate(&k);
	apk_key_format(&k, fresh);
	apk_key_wipe(&k);
	assert_int_equal(auth("plain", me(), fresh), PAM_AUTH_ERR);
}

static void malformed_keys_are_refused(void **state)
{
	char buf[1024];
	size_t n = strlen(my_key);

	(void)state;
	assert_int_equal(auth("plain", me(), ""), PAM_AUTH_ERR);
	snprintf(buf, sizeof(buf), "%s", my_key);
	buf[n - 1] = buf[n - 1] == 'A' ? 'B' : 'A'; /* checksum broken */
	assert_int_equal(auth("plain", me(), buf), PAM_AUTH_ERR);
	snprintf(buf, sizeof(buf), "%.*s", (int)n - 1, my_key); /* truncated */
	assert_int_equal(auth("plain", me(), buf), PAM_AUTH_ERR);
	snprintf(buf, sizeof(buf), "%sA", my_key); /* extended */
	assert_int_equal(auth("plain", me(), buf), PAM_AUTH_ERR);
	snprintf(buf, sizeof(buf), "%s", my_key);
	buf[0] = 'A'; /* prefix case-flipped */
	assert_int_equal(auth("plain", me(), buf), PAM_AUTH_ERR);
	memset(buf, 'a', 600); /* longer than PAM_MAX_RESP_SIZE */
	buf[600] = '\0';
	assert_int_equal(auth("plain", me(), buf), PAM_AUTH_ERR);
}

static void unknown_user(void **state)
{
	(void)state;
	assert_int_equal(auth("plain", "apk-no-such-user", my_key), PAM_USER_UNKNOWN);
	assert_int_equal(auth("plain", "bad\nname", my_key), PAM_USER_UNKNOWN);
}

static void deleted_key_is_refused(void **state)
{
	struct apk_account mine = test_account(me(), -1);
	char tok[APK_KEY_LEN + 1];

	(void)state;
	assert_int_equal(test_generate(&T, &mine, "shortlived", tok), APK_OK);
	assert_int_equal(auth("plain", me(), tok), PAM_SUCCESS);
	assert_int_equal(test_delete(&T, &mine, "shortlived"), APK_OK);
	assert_int_equal(auth("plain", me(), tok), PAM_AUTH_ERR);
	assert_int_equal(auth("plain", me(), my_key), PAM_SUCCESS);
}

static void bad_arguments_fail_closed(void **state)
{
	(void)state;
	service("unknownopt", "frobnicate");
	assert_int_equal(auth("unknownopt", me(), my_key), PAM_SERVICE_ERR);
	service("relativedb", "db=keys");
	assert_int_equal(auth("relativedb", me(), my_key), PAM_SERVICE_ERR);
	service("emptyprompt", "prompt=");
	assert_int_equal(auth("emptyprompt", me(), my_key), PAM_SERVICE_ERR);
}

static void conversation_failure_is_not_success(void **state)
{
	int rc;

	(void)state;
	rc = auth("plain", me(), NULL);
	assert_int_not_equal(rc, PAM_SUCCESS);
}

/* A database the module must not trust or cannot read: PAM_AUTHINFO_UNAVAIL. */
static void unusable_database(void **state)
{
	char path[PATH_MAX + 32], file[PATH_MAX + 32], moved[PATH_MAX + 32];
	char lines[PATH_MAX + 128];
	int fd;

	(void)state;
	test_account_file(&T, test_account(me(), -1).uid, file, sizeof(file));
	snprintf(moved, sizeof(moved), "%s.saved", file);

	snprintf(path, sizeof(path), "%s/missing", T.dir);
	snprintf(lines, sizeof(lines), "auth required %%M nodelay db=%s\n", path);
	write_service(conf, "missing", lines);
	assert_int_equal(auth("missing", me(), my_key), PAM_AUTHINFO_UNAVAIL);

	/* the account's file replaced by garbage */
	assert_int_equal(rename(file, moved), 0);
	fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "this is not a gdbm file at all, not even close\n", 47), 47);
	close(fd);
	assert_int_equal(auth("plain", me(), my_key), PAM_AUTHINFO_UNAVAIL);
	/* ... by a symlink to the real one */
	assert_int_equal(unlink(file), 0);
	assert_int_equal(symlink(moved, file), 0);
	assert_int_equal(auth("plain", me(), my_key), PAM_AUTHINFO_UNAVAIL);
	assert_int_equal(unlink(file), 0);
	assert_int_equal(rename(moved, file), 0);

	/* the real file, but readable by others */
	assert_int_equal(chmod(file, 0644), 0);
	assert_int_equal(auth("plain", me(), my_key), PAM_AUTHINFO_UNAVAIL);
	assert_int_equal(chmod(file, 0600), 0);

	/* a hard link to it */
	assert_int_equal(link(file, moved), 0);
	assert_int_equal(auth("plain", me(), my_key), PAM_AUTHINFO_UNAVAIL);
	assert_int_equal(unlink(moved), 0);

	/* its directory writable by others */
	assert_int_equal(chmod(T.dir, 0777), 0);
	assert_int_equal(auth("plain", me(), my_key), PAM_AUTHINFO_UNAVAIL);
	assert_int_equal(chmod(T.dir, 0700), 0);

	assert_int_equal(auth("plain", me(), my_key), PAM_SUCCESS);
}

/* nokeys_ignore: PAM_IGNORE for an account with no keys, never success.
 * Told apart through the stack: ignore jumps over pam_deny to pam_permit. */
static void nokeys_ignore_option(void **state)
{
	char lines[2048];
	const char *nokeys = strcmp(me(), "root") == 0 ? "bin" : "root";

	(void)state;
	snprintf(lines, sizeof(lines),
		 "auth [ignore=1 default=die] %%M db=%s nodelay nokeys_ignore\n"
		 "auth requisite pam_deny.so\n"
		 "auth required pam_permit.so\n", T.path);
	write_service(conf, "ignoring", lines);
	snprintf(lines, sizeof(lines),
		 "auth [ignore=1 default=die] %%M db=%s nodelay\n"
		 "auth requisite pam_deny.so\n"
		 "auth required pam_permit.so\n", T.path);
	write_service(conf, "strict", lines);
	/* no keys: ignored with the option, refused without */
	assert_int_equal(auth("ignoring", nokeys, my_key), PAM_SUCCESS);
	assert_int_equal(auth("ignoring", nokeys, "not a key"), PAM_SUCCESS);
	assert_int_equal(auth("ignoring", nokeys, ""), PAM_SUCCESS);
	assert_int_equal(auth("strict", nokeys, my_key), PAM_AUTH_ERR);
	assert_int_equal(auth("strict", nokeys, "not a key"), PAM_AUTH_ERR);
	/* an account that has keys: a wrong one is refused either way */
	assert_int_equal(auth("ignoring", OTHER, my_key), PAM_AUTH_ERR);
	assert_int_equal(auth("ignoring", OTHER, "not a key"), PAM_AUTH_ERR);
	/* an unknown user is not "an account without keys" */
	assert_int_equal(auth("ignoring", "apk-no-such-user", my_key), PAM_USER_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(right_key_succeeds),
		cmocka_unit_test(default_prompt_is_asked_once),
		cmocka_unit_test(prompt_option_changes_prompt),
		cmocka_unit_test(another_accounts_key_is_refused),
		cmocka_unit_test(recreated_account_key_is_refused),
		cmocka_unit_test(wrong_secret_is_refused),
		cmocka_unit_test(unknown_id_is_refused),
		cmocka_unit_test(malformed_keys_are_refused),
		cmocka_unit_test(unknown_user),
		cmocka_unit_test(deleted_key_is_refused),
		cmocka_unit_test(bad_arguments_fail_closed),
		cmocka_unit_test(conversation_failure_is_not_success),
		cmocka_unit_test(unusable_database),
		cmocka_unit_test(nokeys_ignore_option),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
