/* pam_mirror.c - directory keys through pam_apikey and the real libpam:
 * the mirror (DIR/fleet, built only through mirror.h's writer API, as
 * apikeyd builds it) read beside the local store on every login; a stale
 * mirror, a missing or garbage state file, --hosts, the same id in both
 * places and a record of the wrong kind in either, each refused with its
 * log reason while local keys go on working (cmocka; no root needed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcntl.h>
#include <sys/stat.h>

#include "keyfmt.h"
#include "lastused.h"
#include "log_capture.h"
#include "mirror.h"
#include "pam_harness.h"
#include "record.h"
#include "test_db.h"
#include "test_mirror.h"
#include "when.h"

#define HOST "test-host.example.org"

static struct test_db T;
static char conf[PATH_MAX];
static char local_key[APK_KEY_LEN + 1], dir_key[APK_KEY_LEN + 1];
static struct apk_account ME;

/* One pam_authenticate of the running account through service "sshd". */
static int login(const char *token)
{
	struct conv_script cs = { .response = token };
	struct pam_conv c = { harness_conv, &cs };
	pam_handle_t *pamh = NULL;
	int rc;

	loglen = 0;
	logbuf[0] = '\0';
	if (pam_start_confdir("sshd", me(), &c, conf, &pamh) != PAM_SUCCESS)
		return -1;
	pam_set_item(pamh, PAM_RHOST, "192.0.2.1");
	rc = pam_authenticate(pamh, 0);
	pam_end(pamh, rc);
	return rc;
}

static void accepted(int rc)
{
	if (rc != PAM_SUCCESS || strstr(logbuf, "accepted key ") == NULL)
		fail_msg("not accepted (%d):\n%s", rc, logbuf);
}

/* Refused with code want and reason on the refusal's line. */
static void refused_with(int rc, int want, const char *reason)
{
	char line[256];

	snprintf(line, sizeof(line), ": %s", reason);
	if (rc != want || strstr(logbuf, "refused key (id ") == NULL || strstr(logbuf, line) == NULL)
		fail_msg("wanted %d \"%s\", got %d:\n%s", want, reason, rc, logbuf);
	assert_null(strstr(logbuf, "accepted key"));
}

static void set_state(int64_t synced, uint32_t max_stale, const char *host)
{
	assert_int_equal(test_mirror_state(&T, synced, max_stale, host), APK_OK);
}

static void wrong_secret(const char *token, char out[APK_KEY_LEN + 1])
{
	struct apk_key k;

	assert_int_equal(apk_key_parse(token, strlen(token), &k), APK_OK);
	k.secret[3] ^= 1;
	apk_key_format(&k, out);
	apk_key_wipe(&k);
}

static void run(const char *cmd)
{
	if (system(cmd) != 0)
		fail_msg("failed: %s", cmd);
}

/* A local key "mine" and a directory key "laptop" of the running account,
 * a fresh mirror state naming this host HOST. */
static int setup(void **state)
{
	char lines[PATH_MAX + 64];

	(void)state;
	if (pam_fixture(&T, conf, local_key, NULL) != 0)
		return -1;
	ME = test_account(me(), -1);
	if (test_mirror_generate(&T, &ME, "laptop", dir_key, NULL) != APK_OK ||
	    test_mirror_state(&T, (int64_t)time(NULL), 900, HOST) != APK_OK)
		return -1;
	snprintf(lines, sizeof(lines), "auth required %%M db=%s nodelay\n", T.path);
	write_service(conf, "sshd", lines);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_db_remove(&T);
	return 0;
}

static void directory_key_logs_in(void **state)
{
	char fleet[PATH_MAX + 8], id[APK_ID_LEN + 1];
	const char *ids[] = { id };
	struct apk_lastused lu;

	(void)state;
	accepted(login(dir_key));
	assert_non_null(strstr(logbuf, "accepted key laptop (id "));
	accepted(login(local_key)); /* and the local key beside it */
	/* the directory key's last use is this host's, in the mirror */
	memcpy(id, dir_key + APK_KEY_PREFIX_LEN, APK_ID_LEN);
	id[APK_ID_LEN] = '\0';
	snprintf(fleet, sizeof(fleet), "%s/fleet", T.path);
	assert_int_equal(apk_lastused_read(fleet, ME.uid, ids, 1, &lu), APK_OK);
	assert_true(lu.used);
	assert_string_equal(lu.service, "sshd");
	/* no mirror at all: local keys only, directory keys unknown */
	snprintf(fleet, sizeof(fleet), "rm -rf '%s/fleet'", T.path);
	run(fleet);
	accepted(login(local_key));
	refused_with(login(dir_key), PAM_AUTH_ERR, "key does not match");
}

static void wrong_directory_key_refused(void **state)
{
	char wrong[APK_KEY_LEN + 1];

	(void)state;
	wrong_secret(dir_key, wrong);
	refused_with(login(wrong), PAM_AUTH_ERR, "key does not match");
	/* a wrong secret is that, whatever the mirror's state */
	set_state(1, 60, HOST);
	refused_with(login(wrong), PAM_AUTH_ERR, "key does not match");
}

/* After fleet_max_stale without a sync, directory keys are refused with
 * their own reason; local keys are untouched; max_stale 0 never goes stale. */
static void stale_mirror_refused(void **state)
{
	int64_t now = (int64_t)time(NULL), synced = now - 1000;
	char iso[APK_TIME_ISO_LEN + 1], reason[128];

	(void)state;
	set_state(synced, 900, HOST);
	apk_time_iso(synced, iso, sizeof(iso));
	snprintf(reason, sizeof(reason), "directory mirror stale since %s", iso);
	refused_with(login(dir_key), PAM_AUTH_ERR, reason);
	accepted(login(local_key));
	set_state(synced, 1100, HOST); /* within the bound */
	accepted(login(dir_key));
	set_state(synced, 0, HOST); /* never stale */
	accepted(login(dir_key));
	set_state(0, 900, HOST); /* never synced */
	refused_with(login(dir_key), PAM_AUTH_ERR, "directory mirror stale since never");
}

/* No state file, or one that is not the format: directory keys refused
 * (fail closed), local keys untouched. */
static void missing_or_garbage_state_refused(void **state)
{
	static const char *garbage[] = {
		"", "pam_apikey mirror 1\nsynced 1\n", "\x00\x01\x02garbage",
		"pam_apikey mirror 1\nsynced 99999999999999\nmax_stale 0\nhost test-host.example.org\n",
	};
	char p[PATH_MAX];
	size_t i;
	int fd;

	(void)state;
	test_mirror_path(&T, "state", p, sizeof(p));
	assert_int_equal(unlink(p), 0);
	refused_with(login(dir_key), PAM_AUTH_ERR, "directory mirror state missing or invalid");
	accepted(login(local_key));
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, garbage[i], strlen(garbage[i]) + (i == 2 ? 8 : 0)),
				 (ssize_t)(strlen(garbage[i]) + (i == 2 ? 8 : 0)));
		close(fd);
		refused_with(login(dir_key), PAM_AUTH_ERR,
			     "directory mirror state missing or invalid");
		accepted(login(local_key));
	}
	/* a good state file readable by others is not trusted either */
	set_state((int64_t)time(NULL), 900, HOST);
	assert_int_equal(chmod(p, 0644), 0);
	refused_with(login(dir_key), PAM_AUTH_ERR, "directory mirror state missing or invalid");
	assert_int_equal(chmod(p, 0600), 0);
	accepted(login(dir_key));
}

/* --hosts: checked against the mirror state's host name, after the
 * secret matched. */
static void hosts_checked_after_match(void **state)
{
	char other[APK_KEY_LEN + 1], here[APK_KEY_LEN + 1], wrong[APK_KEY_LEN + 1];

	(void)state;
	assert_int_equal(test_mirror_generate_hosts(&T, &ME, "other", "web-*.example.org,db-1",
						     other, NULL), APK_OK);
	assert_int_equal(test_mirror_generate_hosts(&T, &ME, "here", "db-*,TEST-*.example.org",
						     here, NULL), APK_OK);
	refused_with(login(other), PAM_AUTH_ERR, "host not allowed for this key");
	accepted(login(here));
	/* a wrong secret never reaches the host check */
	wrong_secret(other, wrong);
	refused_with(login(wrong), PAM_AUTH_ERR, "key does not match");
	/* the name is the state's: renamed, the keys follow */
	set_state((int64_t)time(NULL), 900, "web-3.example.org");
	accepted(login(other));
	refused_with(login(here), PAM_AUTH_ERR, "host not allowed for this key");
}

/* The same id in the local store and the mirror: neither is believed. */
static void same_id_in_both_refused(void **state)
{
	(void)state;
	assert_int_equal(test_mirror_add_token(&T, &ME, "copy", local_key), APK_OK);
	refused_with(login(local_key), PAM_AUTHINFO_UNAVAIL, "key database is corrupt");
	assert_non_null(strstr(logbuf, "is in both the local database and the directory's mirror"));
	accepted(login(dir_key)); /* the other keys are not affected */
}

/* An account file of the mirror (salted records) in the local store, or
 * one of the local store (unsalted) in the mirror: corruption, never a
 * digest checked the other way. */
static void wrong_kind_refused(void **state)
{
	char cmd[3 * PATH_MAX];

	(void)state;
	/* the mirror's file moved into the local store */
	snprintf(cmd, sizeof(cmd), "mv '%s/u%u' '%s/u%u.save' && mv '%s/fleet/u%u' '%s/u%u'",
		 T.path, (unsigned)ME.uid, T.path, (unsigned)ME.uid, T.path, (unsigned)ME.uid,
		 T.path, (unsigned)ME.uid);
	run(cmd);
	refused_with(login(dir_key), PAM_AUTHINFO_UNAVAIL, "key database is corrupt");
	/* the local store's file moved into the mirror */
	snprintf(cmd, sizeof(cmd), "rm '%s/u%u' && mv '%s/u%u.save' '%s/fleet/u%u'", T.path,
		 (unsigned)ME.uid, T.path, (unsigned)ME.uid, T.path, (unsigned)ME.uid);
	run(cmd);
	refused_with(login(local_key), PAM_AUTHINFO_UNAVAIL, "key database is corrupt");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(directory_key_logs_in, setup, teardown),
		cmocka_unit_test_setup_teardown(wrong_directory_key_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_mirror_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_or_garbage_state_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(hosts_checked_after_match, setup, teardown),
		cmocka_unit_test_setup_teardown(same_id_in_both_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(wrong_kind_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
