/* pam_hostile_answers.c - what pam_apikey answers, through the real libpam
 * (cmocka; no root needed).
 *
 * The answers table row by row (right, wrong, unknown, deleted, another
 * account's and malformed keys, a key of an account since recreated,
 * unknown users, accounts without keys, databases missing, corrupt or
 * unsafe, PAM_IGNORE seen through the stack, the prompt, arguments it must
 * refuse, a failed conversation), the failure delay it asks libpam for, and
 * no descriptor left behind or leaked to a child.
 */
#include "hostile_harness.h"

#include <time.h>

/* what the final log check must cover at least (the tests make 73 logins) */
static struct log_floor log_floor = { 70, 65 };

/* ---- the answers table ------------------------------------------------------------- */

/* A service that tells PAM_IGNORE apart through the stack: ignore jumps
 * over pam_deny to pam_permit (PAM_SUCCESS); any other code ends the stack
 * with itself. */
static void probe_service(const char *name, const char *db, const char *args)
{
	char lines[PATH_MAX + 512];

	snprintf(lines, sizeof(lines),
		 "auth [ignore=1 default=die] %%M db=%s nodelay%s\n"
		 "auth requisite pam_deny.so\nauth required pam_permit.so\n", db, args);
	write_service(conf, name, lines);
}

static void answers_table(void **state)
{
	struct scratch missing, garbage, open_mode;
	char forged[APK_KEY_LEN + 1], fresh[APK_KEY_LEN + 1], ghost_key[APK_KEY_LEN + 1];
	char shortlived[APK_KEY_LEN + 1], bad[APK_KEY_LEN + 2], long_answer[601];
	/* OTHER as if deleted and recreated: same name, another uid */
	struct apk_account ghost = test_account(OTHER, 4242), mine = test_account(me(), -1);
	struct apk_key k;
	struct conv_script cs;
	static const char *const bad_args[] = {
		"frobnicate", "db=", "db", "db=keys", "DB=/tmp/x", "nodelay=1", "debug=yes", "prompt=",
		"nokeys_ignore=0", "prompt", "=", "use_first_pass=1",
		"prompt=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	size_t i;
	int rc;

	(void)state;
	assert_int_equal(apk_key_parse(my_key, APK_KEY_LEN, &k), APK_OK);
	k.secret[5] ^= 0x10;
	apk_key_format(&k, forged);
	apk_key_wipe(&k);
	make_fresh_key(fresh);

	/* one module, required: pam_authenticate returns its code */
	assert_int_equal(auth("plain", me(), my_key), PAM_SUCCESS);
	assert_int_equal(auth("plain", OTHER, other_key), PAM_SUCCESS);
	assert_int_equal(auth("plain", me(), forged), PAM_AUTH_ERR);
	assert_int_equal(auth("plain", me(), fresh), PAM_AUTH_ERR);
	assert_int_equal(auth("plain", me(), other_key), PAM_AUTH_ERR);
	assert_int_equal(auth("plain", OTHER, my_key), PAM_AUTH_ERR);
	if (strcmp(me(), "root") != 0)
		assert_int_equal(auth("plain", "root", my_key), PAM_AUTH_ERR);
	assert_int_equal(test_generate(&T, &ghost, "ghost", ghost_key), APK_OK);
	assert_int_equal(auth("plain", OTHER, ghost_key), PAM_AUTH_ERR);
	/* a deleted key, while the account's others keep working */
	assert_int_equal(test_generate(&T, &mine, "shortlived", shortlived), APK_OK);
	assert_int_equal(auth("plain", me(), shortlived), PAM_SUCCESS);
	assert_int_equal(test_delete(&T, &mine, "shortlived"), APK_OK);
	assert_int_equal(auth("plain", me(), shortlived), PAM_AUTH_ERR);
	assert_int_equal(auth("plain", me(), my_key), PAM_SUCCESS);
	/* malformed: not a key, empty, checksum broken, truncated, extended,
	 * prefix case-flipped, longer than PAM_MAX_RESP_SIZE */
	assert_int_equal(auth("plain", me(), "apk_not-a-key"), PAM_AUTH_ERR);
	assert_int_equal(auth("plain", me(), ""), PAM_AUTH_ERR);
	memcpy(bad, my_key, sizeof(my_key));
	bad[APK_KEY_LEN - 1] = bad[APK_KEY_LEN - 1] == 'A' ? 'B' : 'A';
	assert_int_equal(auth("plain", me(), bad), PAM_AUTH_ERR);
	memcpy(bad, my_key, APK_KEY_LEN - 1);
	bad[APK_KEY_LEN - 1] = '\0';
	assert_int_equal(auth("plain", me(), bad), PAM_AUTH_ERR);
	snprintf(bad, sizeof(bad), "%sA", my_key);
	assert_int_equal(auth("plain", me(), bad), PAM_AUTH_ERR);
	snprintf(bad, sizeof(bad), "A%s", my_key + 1);
	assert_int_equal(auth("plain", me(), bad), PAM_AUTH_ERR);
	memset(long_answer, 'a', sizeof(long_answer) - 1);
	long_answer[sizeof(long_answer) - 1] = '\0';
	assert_int_equal(auth("plain", me(), long_answer), PAM_AUTH_ERR);
	assert_int_equal(auth("plain", "apk-no-such-user", my_key), PAM_USER_UNKNOWN);
	assert_int_equal(auth("plain", "apk-no-such-user", fresh), PAM_USER_UNKNOWN);
	assert_int_equal(auth("plain", "bad\nname", my_key), PAM_USER_UNKNOWN);
	assert_int_equal(auth("plain", nokeys_user, fresh), PAM_AUTH_ERR);
	assert_int_equal(auth("plain", nokeys_user, my_key), PAM_AUTH_ERR);

	scratch_new(&missing, 0);
	snprintf(missing.db, sizeof(missing.db), "%s/missing", missing.dir);
	scratch_new(&garbage, 1);
	assert_int_equal(unlink(garbage.file), 0);
	assert_int_equal(unlink(garbage.decoy), 0);
	write_garbage(garbage.file);
	write_garbage(garbage.decoy);
	scratch_new(&open_mode, 1);
	assert_int_equal(chmod(open_mode.file, 0604), 0);
	assert_int_equal(chmod(open_mode.decoy, 0604), 0);
	service("missing", missing.db, "nodelay");
	service("garbage", garbage.db, "nodelay");
	service("openmode", open_mode.db, "nodelay");
	assert_int_equal(auth("missing", me(), my_key), PAM_AUTHINFO_UNAVAIL);
	assert_int_equal(auth("garbage", me(), my_key), PAM_AUTHINFO_UNAVAIL);
	assert_int_equal(auth("openmode", me(), my_key), PAM_AUTHINFO_UNAVAIL);
	/* a malformed key is refused before the database is looked at */
	assert_int_equal(auth("missing", me(), "apk_not-a-key"), PAM_AUTH_ERR);

	/* PAM_IGNORE, seen through the stack: only for an account without
	 * keys and with nokeys_ignore, whatever the answer */
	probe_service("probe", T.path, " nokeys_ignore");
	probe_service("strict", T.path, "");
	assert_int_equal(auth("probe", nokeys_user, my_key), PAM_SUCCESS);
	assert_int_equal(auth("probe", nokeys_user, "not a key"), PAM_SUCCESS);
	assert_int_equal(auth("probe", nokeys_user, ""), PAM_SUCCESS);
	assert_int_equal(auth("strict", nokeys_user, my_key), PAM_AUTH_ERR);
	assert_int_equal(auth("strict", nokeys_user, "not a key"), PAM_AUTH_ERR);
	assert_int_equal(auth("probe", OTHER, my_key), PAM_AUTH_ERR);
	assert_int_equal(auth("probe", OTHER, "not a key"), PAM_AUTH_ERR);
	probe_service("probe-missing", missing.db, " nokeys_ignore");
	probe_service("probe-garbage", garbage.db, " nokeys_ignore");
	probe_service("probe-openmode", open_mode.db, " nokeys_ignore");
	assert_int_equal(auth("probe", nokeys_user, fresh), PAM_SUCCESS);      /* ignored */
	assert_int_equal(auth("probe", me(), fresh), PAM_AUTH_ERR);
	assert_int_equal(auth("probe", me(), forged), PAM_AUTH_ERR);
	assert_int_equal(auth("probe", "apk-no-such-user", fresh), PAM_USER_UNKNOWN);
	/* never ignored when the database cannot be trusted (CVE-2025-23013) */
	assert_int_equal(auth("probe-missing", nokeys_user, fresh), PAM_AUTHINFO_UNAVAIL);
	assert_int_equal(auth("probe-garbage", nokeys_user, fresh), PAM_AUTHINFO_UNAVAIL);
	assert_int_equal(auth("probe-openmode", nokeys_user, fresh), PAM_AUTHINFO_UNAVAIL);

	/* bad arguments: PAM_SERVICE_ERR before any prompt */
	for (i = 0; i < sizeof(bad_args) / sizeof(bad_args[0]); i++) {
		service("badarg", T.path, bad_args[i]);
		rc = run("badarg", me(), my_key, NULL, &cs);
		if (rc != PAM_SERVICE_ERR)
			print_message("# argument '%s': got %d\n", bad_args[i], rc);
		assert_int_equal(rc, PAM_SERVICE_ERR);
		assert_int_equal(cs.prompts, 0);
	}
	/* a conversation that fails: what pam_get_authtok says, never success */
	rc = run("plain", me(), NULL, NULL, &cs);
	assert_true(rc == PAM_CONV_ERR || rc == PAM_AUTHTOK_ERR);
}

/* One hidden prompt, "API key: " unless the prompt= argument says otherwise. */
static void the_prompt(void **state)
{
	struct conv_script cs;

	(void)state;
	assert_int_equal(run("plain", me(), my_key, NULL, &cs), PAM_SUCCESS);
	assert_int_equal(cs.prompts, 1);
	assert_string_equal(cs.last_prompt, "API key: ");
	service("prompted", T.path, "nodelay [prompt=Access token: ]");
	assert_int_equal(run("prompted", me(), my_key, NULL, &cs), PAM_SUCCESS);
	assert_int_equal(cs.prompts, 1);
	assert_string_equal(cs.last_prompt, "Access token: ");
}

/* ---- the failure delay ---------------------------------------------------------------- */

static void failure_delay(void **state)
{
	struct run_opts o = { NULL, 1, 0 };
	struct conv_script cs;
	struct timespec t0, t1;
	char fresh[APK_KEY_LEN + 1];
	const char *users[] = { NULL, NULL, "apk-no-such-user", NULL };
	const char *resps[4];
	long ms;
	size_t i;
	int rc;

	(void)state;
	make_fresh_key(fresh);
	users[0] = me();
	users[1] = me();
	users[3] = nokeys_user;
	resps[0] = fresh;
	resps[1] = "apk_malformed";
	resps[2] = my_key;
	resps[3] = fresh;
	service("slow", T.path, "");
	for (i = 0; i < 4; i++) {
		delay_calls = cb_calls = 0;
		rc = run("slow", users[i], resps[i], &o, &cs);
		assert_int_not_equal(rc, PAM_SUCCESS);
		assert_int_equal(delay_calls, 1);
		assert_int_equal(delay_usec, 2000000);
		assert_int_equal(cb_calls, 1);
		assert_int_equal(cb_status, rc);
		/* libpam randomises the largest request by up to +-50% */
		assert_in_range(cb_delay, 1000000, 3000000);
		delay_calls = cb_calls = 0;
		rc = run("plain", users[i], resps[i], &o, &cs);
		assert_int_not_equal(rc, PAM_SUCCESS);
		assert_int_equal(delay_calls, 0);
		assert_int_equal(cb_delay, 0);
	}
	/* the real thing, once each way: a failure waits, a success does not */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(auth("slow", me(), fresh), PAM_AUTH_ERR);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	print_message("# a failed login without nodelay took %ld ms\n", ms);
	assert_true(ms >= 950);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(auth("slow", me(), my_key), PAM_SUCCESS);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms < 900);
}

/* ---- descriptors ------------------------------------------------------------------------ */

static void no_descriptor_leaks(void **state)
{
	struct run_opts o = { NULL, 0, 1 };
	struct conv_script cs;
	struct scratch fifo, missing;
	char fresh[APK_KEY_LEN + 1];

	(void)state;
	make_fresh_key(fresh);
	scratch_new(&fifo, 1);
	assert_int_equal(unlink(fifo.file), 0);
	assert_int_equal(mkfifo(fifo.file, 0600), 0);
	scratch_new(&missing, 0);
	snprintf(missing.db, sizeof(missing.db), "%s/missing", missing.dir);
	service("fifo", fifo.db, "nodelay");
	service("missing2", missing.db, "nodelay");
	fd_new = fd_new_nocloexec = fd_new_db = fd_left = 0;
	assert_int_equal(run("plain", me(), my_key, &o, &cs), PAM_SUCCESS);
	assert_int_equal(run("plain", me(), fresh, &o, &cs), PAM_AUTH_ERR);
	assert_int_equal(run("plain", me(), "apk_bad", &o, &cs), PAM_AUTH_ERR);
	assert_int_equal(run("plain", "apk-no-such-user", my_key, &o, &cs), PAM_USER_UNKNOWN);
	assert_int_equal(run("plain", nokeys_user, fresh, &o, &cs), PAM_AUTH_ERR);
	assert_int_equal(run("fifo", me(), my_key, &o, &cs), PAM_AUTHINFO_UNAVAIL);
	assert_int_equal(run("missing2", me(), my_key, &o, &cs), PAM_AUTHINFO_UNAVAIL);
	assert_int_equal(fd_new_nocloexec, 0);
	assert_int_equal(fd_new_db, 0);
	assert_int_equal(fd_new, 0);
	assert_int_equal(fd_left, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(answers_table),
		cmocka_unit_test(the_prompt),
		cmocka_unit_test(failure_delay),
		cmocka_unit_test(no_descriptor_leaks),
		cmocka_unit_test_prestate(no_secret_in_any_log_line, &log_floor),
	};
	return cmocka_run_group_tests(tests, hostile_setup, hostile_teardown);
}
