/* pam_fixture_v1.c - a database written by pam_apikey 0.1.0 (tests/fixtures/v1)
 * still logs in through the real libpam (cmocka; any uid: the keys are
 * root's, and logging in as root needs no privilege here).
 *
 *   pam_fixture_v1        copies the fixture to a private directory, checks
 *                         that its records are version 1 and that every
 *                         token logs in and a forged one does not
 *   pam_fixture_v1 DIR    the same logins against DIR, a copy of the
 *                         fixture that tests/cli/fixture_v1.sh has changed
 *                         with apikeyctl; its records must now all be of the
 *                         version the encoder writes
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <fcntl.h>
#include <gdbm.h>

#include "keyfmt.h"
#include "pam_harness.h"
#include "record.h"

#define FIXTURE_KEYS 3

static char dbdir[PATH_MAX];
static char conf[PATH_MAX];
static char tokens[FIXTURE_KEYS][APK_KEY_LEN + 1];
static int changed; /* DIR given: the copy has been through a change */
static struct test_db scratch;

static const char *top(void)
{
	const char *t = getenv("APK_TOP");
	return t != NULL ? t : ".";
}

/* tests/fixtures/v1/NAME, copied to dir with mode 0600. */
static int copy_fixture_file(const char *name, const char *dir)
{
	char src[PATH_MAX], dst[PATH_MAX], buf[4096];
	FILE *in, *out;
	size_t n;
	int fd, ok = 1;

	snprintf(src, sizeof(src), "%s/tests/fixtures/v1/%s", top(), name);
	snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	if ((in = fopen(src, "rb")) == NULL)
		return -1;
	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || (out = fdopen(fd, "wb")) == NULL) {
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			ok = 0;
	fclose(in);
	return fclose(out) == 0 && ok ? 0 : -1;
}

static int read_tokens(void)
{
	char path[PATH_MAX], line[256];
	FILE *fp;
	int i = 0;

	snprintf(path, sizeof(path), "%s/tests/fixtures/v1/tokens.txt", top());
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (i < FIXTURE_KEYS && fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strlen(line) != APK_KEY_LEN)
			break;
		memcpy(tokens[i++], line, APK_KEY_LEN + 1);
	}
	fclose(fp);
	return i == FIXTURE_KEYS ? 0 : -1;
}

static int setup(void **state)
{
	char lines[PATH_MAX + 64];

	(void)state;
	if (apk_crypto_init() != APK_OK || read_tokens() != 0)
		return -1;
	test_db_init(&scratch);
	if (!changed) {
		snprintf(dbdir, sizeof(dbdir), "%s", scratch.path);
		if (copy_fixture_file("u0", dbdir) != 0 || copy_fixture_file("decoy", dbdir) != 0)
			return -1;
	}
	snprintf(conf, sizeof(conf), "%s/pam.d", scratch.dir);
	if (mkdir(conf, 0700) != 0)
		return -1;
	snprintf(lines, sizeof(lines), "auth required %%M db=%s nodelay\n", dbdir);
	write_service(conf, "fixture", lines);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_db_remove(&scratch);
	return 0;
}

static int auth(const char *user, const char *token)
{
	struct conv_script cs = { .response = token };
	return pam_run(conf, "fixture", user, &cs);
}

/* The version byte of every key record in the account file ("k" + id keys),
 * and how many there are. */
static void record_versions(unsigned char versions[FIXTURE_KEYS], int *n)
{
	char path[PATH_MAX];
	GDBM_FILE db;
	datum k, next, v;

	snprintf(path, sizeof(path), "%s/u0", dbdir);
	db = gdbm_open(path, 0, GDBM_READER | GDBM_NOLOCK, 0, NULL);
	assert_non_null(db);
	*n = 0;
	for (k = gdbm_firstkey(db); k.dptr != NULL; k = next) {
		if (k.dsize == 1 + APK_ID_LEN && k.dptr[0] == 'k') {
			v = gdbm_fetch(db, k);
			assert_non_null(v.dptr);
			assert_true(v.dsize > 0);
			assert_true(*n < FIXTURE_KEYS);
			versions[(*n)++] = (unsigned char)v.dptr[0];
			free(v.dptr);
		}
		next = gdbm_nextkey(db, k);
		free(k.dptr);
	}
	gdbm_close(db);
}

static void records_have_the_expected_version(void **state)
{
	unsigned char versions[FIXTURE_KEYS];
	int i, n;

	(void)state;
	record_versions(versions, &n);
	assert_int_equal(n, FIXTURE_KEYS);
	for (i = 0; i < n; i++)
		assert_int_equal(versions[i], changed ? APK_RECORD_VERSION : 1);
}

static void every_token_logs_in(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < FIXTURE_KEYS; i++)
		assert_int_equal(auth("root", tokens[i]), PAM_SUCCESS);
}

static void a_forged_token_is_refused(void **state)
{
	struct apk_key k;
	char forged[APK_KEY_LEN + 1];

	(void)state;
	assert_int_equal(apk_key_parse(tokens[0], APK_KEY_LEN, &k), APK_OK);
	k.secret[0] ^= 1; /* the right id, a valid checksum, a wrong secret */
	apk_key_format(&k, forged);
	apk_key_wipe(&k);
	assert_int_equal(auth("root", forged), PAM_AUTH_ERR);
}

static void the_keys_are_roots_only(void **state)
{
	(void)state;
	assert_int_equal(auth(OTHER_USER, tokens[0]), PAM_AUTH_ERR);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(records_have_the_expected_version),
		cmocka_unit_test(every_token_logs_in),
		cmocka_unit_test(a_forged_token_is_refused),
		cmocka_unit_test(the_keys_are_roots_only),
	};

	if (argc > 2) {
		fprintf(stderr, "usage: pam_fixture_v1 [DIR]\n");
		return 2;
	}
	if (argc == 2) {
		if (snprintf(dbdir, sizeof(dbdir), "%s", argv[1]) >= (int)sizeof(dbdir))
			return 2;
		changed = 1;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
