/* unit_mirror.c - DIR/fleet, the mirror of the directory's keys (mirror.h):
 * opening it, putting an account's keys (directory records only, whole
 * files, last-use slots), listing, the state file both ways */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lastused.h"
#include "mirror.h"
#include "store.h"
#include "test_db.h"
#include "test_mirror.h"
#include "unit_util.h"

static const struct apk_account alice = { 1000, "alice" };
static const struct apk_account bob = { 1001, "bob" };

static struct test_db T;

static int setup(void **state)
{
	(void)state;
	test_db_init(&T);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_db_remove(&T);
	return 0;
}

static int exists(const char *name)
{
	char p[PATH_MAX];
	struct stat st;

	test_mirror_path(&T, name, p, sizeof(p));
	return lstat(p, &st) == 0;
}

/* A directory record of acct with a fresh key. */
static void directory_record(const struct apk_account *acct, const char *name,
			     struct apk_record *r)
{
	struct apk_fleet_digest d;
	struct apk_key k;

	memset(r, 0, sizeof(*r));
	apk_key_generate(&k);
	memcpy(r->id, k.id, sizeof(r->id));
	r->uid = acct->uid;
	snprintf(r->owner, sizeof(r->owner), "%s", acct->name);
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->created = 1767225600;
	apk_fleet_digest_make(&k, &d);
	apk_mirror_record_digest(r, &d);
	apk_key_wipe(&k);
}

static void test_open_creates(void **state)
{
	char p[PATH_MAX];
	struct stat st;
	int fd, rd;

	(void)state;
	assert_int_equal(apk_mirror_open_read(T.path, &rd), APK_ERR_NOTFOUND);
	assert_int_equal(rd, -1);
	assert_int_equal(apk_mirror_open(T.path, &fd), APK_OK);
	snprintf(p, sizeof(p), "%s/%s", T.path, APK_MIRROR_SUBDIR);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(st.st_uid, geteuid());
	assert_true(exists("decoy")); /* what a login without a file reads */
	close(fd);
	/* a second open finds it as it is */
	assert_int_equal(apk_mirror_open(T.path, &fd), APK_OK);
	close(fd);
	assert_int_equal(apk_mirror_open_read(T.path, &rd), APK_OK);
	close(rd);
}

static void test_open_unsafe(void **state)
{
	char p[PATH_MAX], target[PATH_MAX];
	int fd;

	(void)state;
	snprintf(p, sizeof(p), "%s/%s", T.path, APK_MIRROR_SUBDIR);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(chmod(p, 0777), 0); /* writable by anyone */
	assert_int_equal(apk_mirror_open(T.path, &fd), APK_ERR_UNSAFE);
	assert_int_equal(apk_mirror_open_read(T.path, &fd), APK_ERR_UNSAFE);
	assert_int_equal(fd, -1);
	assert_int_equal(chmod(p, 0720), 0); /* writable by the group */
	assert_int_equal(apk_mirror_open_read(T.path, &fd), APK_ERR_UNSAFE);
	assert_int_equal(rmdir(p), 0);
	/* a symlink to a directory is not the mirror */
	snprintf(target, sizeof(target), "%s/elsewhere", T.path);
	assert_int_equal(mkdir(target, 0700), 0);
	assert_int_equal(symlink(target, p), 0);
	assert_int_equal(apk_mirror_open(T.path, &fd), APK_ERR_UNSAFE);
	assert_int_equal(apk_mirror_open_read(T.path, &fd), APK_ERR_UNSAFE);
}

static void test_put_load(void **state)
{
	struct apk_keyring kr, back;
	struct apk_record r;
	struct apk_lastused lu[2];
	const char *ids[2];
	char p[PATH_MAX];
	int fd;
	size_t i;

	(void)state;
	assert_int_equal(apk_mirror_open(T.path, &fd), APK_OK);
	apk_keyring_init(&kr);
	directory_record(&alice, "laptop", &r);
	assert_int_equal(apk_keyring_append(&kr, &r), APK_OK);
	directory_record(&alice, "ci", &r);
	assert_int_equal(apk_keyring_append(&kr, &r), APK_OK);
	assert_int_equal(apk_mirror_put(fd, alice.uid, &kr), APK_OK);
	assert_int_equal(apk_mirror_sync(fd), APK_OK);
	assert_true(exists("u1000"));
	assert_false(exists("u1000.new"));
	/* the store's reader reads it, every record a directory record */
	assert_int_equal(apk_store_load_at(fd, alice.uid, &back), APK_OK);
	assert_int_equal(back.n, 2);
	for (i = 0; i < 2; i++) {
		assert_string_equal(back.recs[i].id, kr.recs[i].id);
		assert_int_equal(back.recs[i].kind, APK_DIGEST_DIRECTORY);
		assert_memory_equal(back.recs[i].salt, kr.recs[i].salt, APK_FLEET_SALT_BYTES);
		assert_memory_equal(back.recs[i].digest, kr.recs[i].digest, APK_DIGEST_BYTES);
		ids[i] = kr.recs[i].id;
	}
	apk_keyring_free(&back);
	/* each key has its last-use slot on this host: never used yet */
	snprintf(p, sizeof(p), "%s/%s", T.path, APK_MIRROR_SUBDIR);
	assert_int_equal(apk_lastused_read(p, alice.uid, ids, 2, lu), APK_OK);
	assert_false(lu[0].used);
	assert_false(lu[1].used);
	assert_int_equal(apk_lastused_record(p, alice.uid, ids[1], 1767225700, "sshd", NULL),
			 APK_OK);
	/* replaced whole: one key left, its last use kept */
	kr.n = 1;
	memmove(&kr.recs[0], &kr.recs[1], sizeof(kr.recs[0]));
	assert_int_equal(apk_mirror_put(fd, alice.uid, &kr), APK_OK);
	assert_int_equal(apk_store_load_at(fd, alice.uid, &back), APK_OK);
	assert_int_equal(back.n, 1);
	assert_string_equal(back.recs[0].id, ids[1]);
	apk_keyring_free(&back);
	assert_int_equal(apk_lastused_read(p, alice.uid, &ids[1], 1, lu), APK_OK);
	assert_true(lu[0].used && lu[0].time == 1767225700);
	/* empty: the file and its last-use file go */
	kr.n = 0;
	assert_int_equal(apk_mirror_put(fd, alice.uid, &kr), APK_OK);
	assert_false(exists("u1000"));
	assert_false(exists("u1000.used"));
	assert_int_equal(apk_store_load_at(fd, alice.uid, &back), APK_OK);
	assert_int_equal(back.n, 0);
	apk_keyring_free(&back);
	apk_keyring_free(&kr);
	close(fd);
}

/* Only directory records of the account named: anything else changes nothing. */
static void test_put_refuses(void **state)
{
	unsigned char before[65536], after[65536];
	struct apk_keyring kr, one;
	struct apk_record r, local;
	char p[PATH_MAX];
	size_t nb, na;
	FILE *fp;
	int fd;

	(void)state;
	assert_int_equal(apk_mirror_open(T.path, &fd), APK_OK);
	apk_keyring_init(&one);
	directory_record(&alice, "kept", &r);
	assert_int_equal(apk_keyring_append(&one, &r), APK_OK);
	assert_int_equal(apk_mirror_put(fd, alice.uid, &one), APK_OK);
	test_mirror_path(&T, "u1000", p, sizeof(p));
	fp = fopen(p, "rb");
	assert_non_null(fp);
	nb = fread(before, 1, sizeof(before), fp);
	fclose(fp);

	/* a local record */
	apk_keyring_init(&kr);
	directory_record(&alice, "local", &local);
	local.kind = APK_DIGEST_LOCAL;
	memset(local.salt, 0, sizeof(local.salt));
	assert_int_equal(apk_keyring_append(&kr, &local), APK_OK);
	assert_int_equal(apk_mirror_put(fd, alice.uid, &kr), APK_ERR_INVALID);
	apk_keyring_free(&kr);
	/* bob's record in alice's file */
	apk_keyring_init(&kr);
	directory_record(&bob, "bobs", &r);
	assert_int_equal(apk_keyring_append(&kr, &r), APK_OK);
	assert_int_equal(apk_mirror_put(fd, alice.uid, &kr), APK_ERR_INVALID);
	/* a uid that is no account */
	assert_int_equal(apk_mirror_put(fd, APK_UID_INVALID, &kr), APK_ERR_INVALID);
	apk_keyring_free(&kr);
	/* a record that fails validation (encoded: refused, old file kept) */
	apk_keyring_init(&kr);
	directory_record(&alice, "bad", &r);
	r.name[0] = '\0';
	assert_int_equal(apk_keyring_append(&kr, &r), APK_OK);
	assert_int_equal(apk_mirror_put(fd, alice.uid, &kr), APK_ERR_INVALID);
	apk_keyring_free(&kr);

	fp = fopen(p, "rb");
	assert_non_null(fp);
	na = fread(after, 1, sizeof(after), fp);
	fclose(fp);
	assert_int_equal(na, nb);
	assert_memory_equal(before, after, nb);
	assert_false(exists("u1000.new"));
	apk_keyring_free(&one);
	close(fd);
}

static void test_uids(void **state)
{
	static const uint32_t want[] = { 0, 7, 1000, 1001, 4294967294u };
	struct apk_keyring kr;
	struct apk_record r;
	struct apk_account a;
	uint32_t *uids;
	char p[PATH_MAX];
	size_t n, i;
	int fd;

	(void)state;
	assert_int_equal(apk_mirror_open(T.path, &fd), APK_OK);
	assert_int_equal(apk_mirror_uids(fd, &uids, &n), APK_OK);
	assert_int_equal(n, 0);
	free(uids);
	for (i = N_ELEM(want); i-- > 0;) { /* put in reverse: listed sorted */
		a.uid = want[i];
		snprintf(a.name, sizeof(a.name), "user%zu", i);
		apk_keyring_init(&kr);
		directory_record(&a, "k", &r);
		assert_int_equal(apk_keyring_append(&kr, &r), APK_OK);
		assert_int_equal(apk_mirror_put(fd, a.uid, &kr), APK_OK);
		apk_keyring_free(&kr);
	}
	/* names that are not an account's file are not listed */
	{
		static const char *others[] = { "u01", "u", "u12x", "u4294967295", "u99999999999",
						"x1", "u5.new" };
		for (i = 0; i < N_ELEM(others); i++) {
			test_mirror_path(&T, others[i], p, sizeof(p));
			FILE *fp = fopen(p, "w");
			assert_non_null(fp);
			fclose(fp);
		}
	}
	assert_int_equal(apk_mirror_uids(fd, &uids, &n), APK_OK);
	assert_int_equal(n, N_ELEM(want));
	for (i = 0; i < n; i++)
		assert_int_equal(uids[i], want[i]);
	free(uids);
	close(fd);
}

static void test_state_roundtrip(void **state)
{
	struct apk_mirror_state st, back;
	char buf[APK_MIRROR_STATE_MAX];
	size_t len;
	int fd;

	(void)state;
	assert_int_equal(apk_mirror_open(T.path, &fd), APK_OK);
	assert_int_equal(apk_mirror_state_read(fd, &back), APK_ERR_NOTFOUND);
	memset(&st, 0, sizeof(st));
	st.synced = 1767225600;
	st.max_stale = 900;
	snprintf(st.host, sizeof(st.host), "web-1.example.org");
	assert_int_equal(apk_mirror_state_write(fd, &st), APK_OK);
	memset(&back, 0xA5, sizeof(back));
	assert_int_equal(apk_mirror_state_read(fd, &back), APK_OK);
	assert_true(back.synced == st.synced);
	assert_int_equal(back.max_stale, 900);
	assert_string_equal(back.host, "web-1.example.org");
	assert_false(exists("state.new"));
	/* the exact bytes, as FORMAT.md shows them */
	len = apk_mirror_state_encode(&st, buf, sizeof(buf));
	assert_int_equal(len, strlen("pam_apikey mirror 1\nsynced 1767225600\nmax_stale 900\n"
				     "host web-1.example.org\n"));
	assert_memory_equal(buf, "pam_apikey mirror 1\nsynced 1767225600\nmax_stale 900\n"
			    "host web-1.example.org\n", len);
	/* extremes */
	st.synced = 0;
	st.max_stale = UINT32_MAX;
	memset(st.host, 'a', 255);
	st.host[255] = '\0';
	assert_int_equal(apk_mirror_state_write(fd, &st), APK_OK);
	assert_int_equal(apk_mirror_state_read(fd, &back), APK_OK);
	assert_int_equal(back.max_stale, UINT32_MAX);
	assert_int_equal(strlen(back.host), 255);
	/* invalid states are not written */
	snprintf(st.host, sizeof(st.host), "Web-1");
	assert_int_equal(apk_mirror_state_write(fd, &st), APK_ERR_INVALID);
	st.host[0] = '\0';
	assert_int_equal(apk_mirror_state_write(fd, &st), APK_ERR_INVALID);
	snprintf(st.host, sizeof(st.host), "h");
	st.synced = -1;
	assert_int_equal(apk_mirror_state_write(fd, &st), APK_ERR_INVALID);
	assert_int_equal(apk_mirror_state_read(fd, &back), APK_OK);
	assert_int_equal(strlen(back.host), 255); /* the last good one stands */
	close(fd);
}

static void test_state_decode_bad(void **state)
{
	static const char *bad[] = {
		"",
		"pam_apikey mirror 1\n",
		"pam_apikey mirror 2\nsynced 1\nmax_stale 1\nhost h\n",
		"pam_apikey mirror 1\nsynced 1\nmax_stale 1\nhost h",        /* no last newline */
		"pam_apikey mirror 1\nsynced 1\nmax_stale 1\nhost h\n\n",    /* a byte more */
		"pam_apikey mirror 1\nsynced 01\nmax_stale 1\nhost h\n",     /* leading zero */
		"pam_apikey mirror 1\nsynced -1\nmax_stale 1\nhost h\n",
		"pam_apikey mirror 1\nsynced +1\nmax_stale 1\nhost h\n",
		"pam_apikey mirror 1\nsynced \nmax_stale 1\nhost h\n",
		"pam_apikey mirror 1\nsynced 253402300800\nmax_stale 1\nhost h\n", /* after 9999 */
		"pam_apikey mirror 1\nsynced 1\nmax_stale 4294967296\nhost h\n",  /* > 32 bits */
		"pam_apikey mirror 1\nsynced 99999999999999999999999\nmax_stale 1\nhost h\n",
		"pam_apikey mirror 1\nsynced 1\nmax_stale 1\nhost \n",          /* empty host */
		"pam_apikey mirror 1\nsynced 1\nmax_stale 1\nhost Web\n",       /* upper case */
		"pam_apikey mirror 1\nsynced 1\nmax_stale 1\nhost a b\n",
		"pam_apikey mirror 1\nsynced 1\nmax_stale 1\nhost a*\n",        /* a pattern */
		"pam_apikey mirror 1\nmax_stale 1\nsynced 1\nhost h\n",         /* order */
		"pam_apikey mirror 1\nsynced  1\nmax_stale 1\nhost h\n",
		"pam_apikey mirror 1\nsynced 1\r\nmax_stale 1\nhost h\n",
		"pam_apikey mirror 1\nsynced 1\nmax_stale 1\nhost h\nextra 1\n",
		"pam_apikey mirror 1\nsynced 1\nmax_stale 1\n",
	};
	struct apk_mirror_state st;
	char nul[] = "pam_apikey mirror 1\nsynced 1\nmax_stale 1\nhost h\0x\n";
	char big[600];
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(bad); i++) {
		memset(&st, 0xA5, sizeof(st));
		assert_int_equal(apk_mirror_state_decode(bad[i], strlen(bad[i]), &st),
				 APK_ERR_CORRUPT);
		assert_true(all_zero(&st, sizeof(st)));
	}
	assert_int_equal(apk_mirror_state_decode(nul, sizeof(nul) - 1, &st), APK_ERR_CORRUPT);
	/* a host name of 256 bytes, one too many */
	i = (size_t)snprintf(big, sizeof(big), "pam_apikey mirror 1\nsynced 1\nmax_stale 1\nhost ");
	memset(big + i, 'a', 256);
	big[i + 256] = '\n';
	big[i + 257] = '\0';
	assert_int_equal(apk_mirror_state_decode(big, i + 257, &st), APK_ERR_CORRUPT);
	/* the good one, to show the cases above fail for their one fault */
	assert_int_equal(apk_mirror_state_decode(bad[4], strlen(bad[4]) - 1, &st), APK_OK);
	assert_string_equal(st.host, "h");
}

/* The file is checked as the store's files are: mode, links, symlinks. */
static void test_state_file_checks(void **state)
{
	struct apk_mirror_state st;
	char p[PATH_MAX], q[PATH_MAX];
	int fd;

	(void)state;
	assert_int_equal(test_mirror_state(&T, 1767225600, 60, "h"), APK_OK);
	assert_int_equal(apk_mirror_open(T.path, &fd), APK_OK);
	test_mirror_path(&T, "state", p, sizeof(p));
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(apk_mirror_state_read(fd, &st), APK_ERR_UNSAFE);
	assert_int_equal(chmod(p, 0600), 0);
	test_mirror_path(&T, "state2", q, sizeof(q));
	assert_int_equal(link(p, q), 0);
	assert_int_equal(apk_mirror_state_read(fd, &st), APK_ERR_UNSAFE);
	assert_int_equal(unlink(q), 0);
	assert_int_equal(apk_mirror_state_read(fd, &st), APK_OK);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(symlink(q, p), 0);
	assert_int_equal(apk_mirror_state_read(fd, &st), APK_ERR_UNSAFE);
	close(fd);
}

static void test_stale(void **state)
{
	struct apk_mirror_state st = { 1000, 60, "h" };

	(void)state;
	assert_false(apk_mirror_stale(&st, 1000));
	assert_false(apk_mirror_stale(&st, 1060)); /* exactly max_stale: not yet */
	assert_true(apk_mirror_stale(&st, 1061));
	assert_false(apk_mirror_stale(&st, 999));  /* the clock went back */
	st.max_stale = 0;                          /* never stale */
	assert_false(apk_mirror_stale(&st, INT64_C(253402300799)));
	st.max_stale = UINT32_MAX;
	st.synced = 0;
	assert_false(apk_mirror_stale(&st, UINT32_MAX));
	assert_true(apk_mirror_stale(&st, (int64_t)UINT32_MAX + 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_unsafe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_roundtrip, setup, teardown),
		cmocka_unit_test(test_state_decode_bad),
		cmocka_unit_test_setup_teardown(test_state_file_checks, setup, teardown),
		cmocka_unit_test(test_stale),
	};

	return cmocka_run_group_tests(tests, crypto_setup, NULL);
}
