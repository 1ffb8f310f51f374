/* unit_helper_uid.c - the helper account's uid is NSS's answer, kept only
 * while /etc/passwd (files first in nsswitch.conf) gives the same and
 * neither file has changed: a removed, renumbered or replaced account is
 * seen at the next call */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "helper_uid.h"
#include "test_db.h"

#define NAME "pam-apikey"
#define LINE(uid) NAME ":x:" #uid ":" #uid "::/nonexistent:/usr/sbin/nologin\n"

static struct test_db T;
static char passwd[PATH_MAX], nsswitch[PATH_MAX];
static struct apk_helper_cache cache;
static int nss_known;   /* what the stand-in for NSS answers */
static uid_t nss_uid;

static int fake_nss(const char *name, uid_t *uid)
{
	if (strcmp(name, NAME) != 0 || !nss_known)
		return -1;
	*uid = nss_uid;
	return 0;
}

/* Long after the files were written: past the racy window. */
static int64_t later(void)
{
	return (int64_t)time(NULL) + 10 * APK_HELPER_RACY_S;
}

static int check(uid_t uid)
{
	return apk_helper_uid_check(&cache, passwd, nsswitch, NAME, fake_nss, later(), uid);
}

/* As the shadow tools write: a new file renamed over the old one. Its
 * modification time is set back a year, so that a later write within the
 * same clock tick still changes it. */
static void replace(const char *path, const char *text)
{
	struct timespec old[2] = { { time(NULL) - 365 * 86400, 0 },
				   { time(NULL) - 365 * 86400, 0 } };
	char tmp[PATH_MAX + 8];
	FILE *fp;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fp = fopen(tmp, "w");
	assert_non_null(fp);
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(utimensat(AT_FDCWD, tmp, old, 0), 0);
	assert_int_equal(rename(tmp, path), 0);
}

/* As an editor writing in place: same inode. */
static void overwrite(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(close(fd), 0);
}

static int setup(void **state)
{
	(void)state;
	test_db_init(&T);
	snprintf(passwd, sizeof(passwd), "%s/passwd", T.path);
	snprintf(nsswitch, sizeof(nsswitch), "%s/nsswitch.conf", T.path);
	replace(passwd, "root:x:0:0:root:/root:/bin/sh\n" LINE(990));
	replace(nsswitch, "# comment\npasswd:         files systemd\ngroup: files\n");
	memset(&cache, 0, sizeof(cache));
	nss_known = 1;
	nss_uid = 990;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_db_remove(&T);
	return 0;
}

static void kept_while_unchanged(void **state)
{
	(void)state;
	assert_true(check(990));
	assert_int_equal(cache.lookups, 1);
	assert_true(check(990));
	assert_false(check(991));
	assert_false(check(0));
	assert_int_equal(cache.lookups, 1); /* answered without NSS */
}

/* The account removed and its uid given to someone else: never trusted
 * once, whether passwd was replaced or edited in place. */
static void removed_account_seen_at_once(void **state)
{
	(void)state;
	assert_true(check(990));
	nss_known = 0;
	replace(passwd, "root:x:0:0:root:/root:/bin/sh\nmallory:x:990:990::/home/m:/bin/sh\n");
	assert_false(check(990));
	assert_int_equal(cache.lookups, 2);
}

static void edited_in_place_seen(void **state)
{
	(void)state;
	assert_true(check(990));
	nss_known = 0;
	/* the same length: only the times tell */
	overwrite(passwd, "root:x:0:0:root:/root:/bin/sh\n"
			  "pam-apikex:x:990:990::/nonexistent:/usr/sbin/nologin\n");
	assert_false(check(990));
}

static void renumbered_account_seen(void **state)
{
	(void)state;
	assert_true(check(990));
	nss_uid = 995;
	replace(passwd, "root:x:0:0:root:/root:/bin/sh\n" LINE(995));
	assert_false(check(990));
	assert_true(check(995));
	assert_true(check(995));
	assert_int_equal(cache.lookups, 2);
}

/* NSS answers from elsewhere than /etc/passwd: asked at every call. */
static void nss_disagreeing_asked_every_time(void **state)
{
	(void)state;
	nss_uid = 980;
	assert_false(check(990));
	assert_true(check(980));
	assert_true(check(980));
	assert_int_equal(cache.lookups, 3);
	nss_known = 0;
	assert_false(check(980));
}

static void not_in_passwd_asked_every_time(void **state)
{
	(void)state;
	replace(passwd, "root:x:0:0:root:/root:/bin/sh\n");
	assert_true(check(990));
	assert_true(check(990));
	assert_int_equal(cache.lookups, 2);
	nss_known = 0;
	assert_false(check(990));
}

/* Another source before files, an action after it, compat, or no passwd
 * line: NSS's answer may come from elsewhere, so it is never kept. */
static void files_not_first_asked_every_time(void **state)
{
	static const char *const conf[] = {
		"passwd: sss files\n",
		"passwd: files [NOTFOUND=return] ldap\n",
		"passwd:files[SUCCESS=continue] ldap\n",
		"passwd: compat\n",
		"passwd: filesystem\n",
		"group: files\n",
		"passwd: files\npasswd: ldap files\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(conf) / sizeof(conf[0]); i++) {
		memset(&cache, 0, sizeof(cache));
		replace(nsswitch, conf[i]);
		assert_true(check(990));
		assert_true(check(990));
		assert_int_equal(cache.lookups, 2);
	}
}

static void nsswitch_change_seen(void **state)
{
	(void)state;
	assert_true(check(990));
	replace(nsswitch, "passwd: ldap files\n");
	nss_uid = 980;
	assert_false(check(990));
	assert_true(check(980));
	assert_int_equal(cache.lookups, 3);
}

/* Files changed within the last seconds may change again unseen in the
 * same timestamp tick: not kept until they are older. */
static void fresh_files_not_kept(void **state)
{
	int64_t now = (int64_t)time(NULL);

	(void)state;
	assert_true(apk_helper_uid_check(&cache, passwd, nsswitch, NAME, fake_nss, now, 990));
	assert_true(apk_helper_uid_check(&cache, passwd, nsswitch, NAME, fake_nss, now, 990));
	assert_int_equal(cache.lookups, 2);
}

static void missing_files_ask_nss(void **state)
{
	(void)state;
	assert_int_equal(unlink(passwd), 0);
	assert_true(check(990));
	assert_true(check(990));
	assert_int_equal(cache.lookups, 2);
	nss_known = 0;
	assert_false(check(990));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(kept_while_unchanged),
		T(removed_account_seen_at_once),
		T(edited_in_place_seen),
		T(renumbered_account_seen),
		T(nss_disagreeing_asked_every_time),
		T(not_in_passwd_asked_every_time),
		T(files_not_first_asked_every_time),
		T(nsswitch_change_seen),
		T(fresh_files_not_kept),
		T(missing_files_ask_nss),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
