/* unit_mirror_apply.c - apikeyd's entries kept by entryUUID and written to
 * DIR/fleet (apikeyd/mirror_apply.c), without a directory: a refresh's
 * sweep and present states, deletes, an account whose uid is not the owner
 * entry's uidNumber, an owner entry missing, one id twice in an account, a
 * key broken by a change, and what each flush writes (only the accounts
 * that changed; the state after the data). The account is the one running
 * the test (NSS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include <cmocka.h>
#include <fcntl.h>
#include <malloc.h>
#include <sys/stat.h>
#include <pwd.h>
#include <sodium.h>
#include <unistd.h>

#include "../apikeyd/mirror_apply.h"
#include "test_db.h"

static const char good_digest[] =
	"{APK1}oKGio6SlpqeoqaqrrK2ur4e/ikkPmBwIpD9Yd4MY6Vyze2vF68EG7qbSMdn33PZr";

static struct test_db T;
static int fleetfd = -1;
static struct mirror_apply *M;
static struct fleet_entry E;
static char me[APK_USER_MAX + 1];
static uint32_t my_uid;
static char owner_dn[512], other_dn[512];

static const unsigned char *uuid(unsigned n)
{
	static unsigned char u[8][MIRROR_UUID_LEN];
	static unsigned next;
	unsigned char *p = u[next++ % 8];

	memset(p, 0, MIRROR_UUID_LEN);
	p[0] = (unsigned char)n;
	p[1] = (unsigned char)(n >> 8);
	p[15] = 0x5a;
	return p;
}

static void add(const char *name, const char *value)
{
	assert_int_equal(fleet_entry_add(&E, name, value, strlen(value)), APK_OK);
}

/* The owner entry at dn, with uidNumber uidnumber. */
static void owner(unsigned id, const char *dn, uint32_t uidnumber)
{
	char n[16];

	memset(&E, 0, sizeof(E));
	snprintf(n, sizeof(n), "%lu", (unsigned long)uidnumber);
	add("objectClass", "inetOrgPerson");
	add("objectClass", "posixAccount");
	add("uid", me);
	add("uidNumber", n);
	mirror_apply_entry(M, uuid(id), dn, &E);
}

/* A key entry apiKeyId=kid under parent, its digest digest. */
static void key(unsigned id, const char *kid, const char *parent, const char *digest)
{
	char dn[600];

	memset(&E, 0, sizeof(E));
	snprintf(dn, sizeof(dn), "apiKeyId=%s,%s", kid, parent);
	add("objectClass", "pamApiKey");
	add("apiKeyId", kid);
	add("apiKeyDigest", digest);
	add("apiKeyCreated", "20260101000000Z");
	add("apiKeyName", kid);
	mirror_apply_entry(M, uuid(id), dn, &E);
}

static struct mirror_counts flush_at(int64_t now)
{
	struct mirror_counts c;
	char err[256];

	assert_int_equal(mirror_apply_flush(M, now, &c, err, sizeof(err)), 0);
	return c;
}

static size_t files(void)
{
	uint32_t *uids;
	size_t n;

	assert_int_equal(apk_mirror_uids(fleetfd, &uids, &n), APK_OK);
	free(uids);
	return n;
}

static int64_t synced(void)
{
	struct apk_mirror_state st;

	assert_int_equal(apk_mirror_state_read(fleetfd, &st), APK_OK);
	return st.synced;
}

static int setup(void **state)
{
	struct apk_mirror_state st = { .max_stale = 900 };
	struct passwd *pw = getpwuid(geteuid());

	(void)state;
	assert_non_null(pw);
	snprintf(me, sizeof(me), "%s", pw->pw_name);
	my_uid = pw->pw_uid;
	snprintf(owner_dn, sizeof(owner_dn), "uid=%s,ou=people,dc=example,dc=org", me);
	snprintf(other_dn, sizeof(other_dn), "uid=%s,ou=other,dc=example,dc=org", me);
	snprintf(st.host, sizeof(st.host), "test-host");
	test_db_init(&T);
	assert_int_equal(apk_mirror_open(T.path, &fleetfd), APK_OK);
	M = mirror_apply_new(fleetfd, &st);
	assert_non_null(M);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mirror_apply_free(M);
	close(fleetfd);
	test_db_remove(&T);
	return 0;
}

static void test_flush_writes_changed_accounts_then_state(void **state)
{
	struct mirror_counts c;

	(void)state;
	owner(1, owner_dn, my_uid);
	key(2, "AAAAAAAAAAA1", owner_dn, good_digest);
	key(3, "AAAAAAAAAAA2", owner_dn, good_digest);
	assert_true(mirror_apply_dirty(M));
	c = flush_at(1000);
	assert_int_equal(c.keys, 2);
	assert_int_equal(c.accounts, 1);
	assert_int_equal(c.skipped, 0);
	assert_int_equal(c.written, 1);
	assert_int_equal(files(), 1);
	assert_int_equal(synced(), 1000);
	assert_false(mirror_apply_dirty(M));
	/* nothing changed: no file written, only the state's time */
	mirror_apply_recheck(M);
	c = flush_at(1001);
	assert_int_equal(c.written, 0);
	assert_int_equal(c.keys, 2);
	assert_int_equal(synced(), 1001);
	assert_int_equal(mirror_apply_touch(M, 1002, (char[64]){ 0 }, 64), 0);
	assert_int_equal(synced(), 1002);
}

static void test_sweep_and_present(void **state)
{
	struct mirror_counts c;

	(void)state;
	owner(1, owner_dn, my_uid);
	key(2, "AAAAAAAAAAA1", owner_dn, good_digest);
	key(3, "AAAAAAAAAAA2", owner_dn, good_digest);
	flush_at(1000);
	/* a refresh naming the owner and key 2 present, key 3 not at all */
	mirror_apply_refresh_begin(M);
	mirror_apply_present(M, uuid(1));
	mirror_apply_present(M, uuid(2));
	mirror_apply_sweep(M);
	c = flush_at(1001);
	assert_int_equal(c.keys, 1);
	/* a refresh that sends nothing: everything is gone, the file removed */
	mirror_apply_refresh_begin(M);
	mirror_apply_sweep(M);
	c = flush_at(1002);
	assert_int_equal(c.keys, 0);
	assert_int_equal(c.accounts, 0);
	assert_int_equal(files(), 0);
}

static void test_delete_removes_the_file(void **state)
{
	struct mirror_counts c;

	(void)state;
	owner(1, owner_dn, my_uid);
	key(2, "AAAAAAAAAAA1", owner_dn, good_digest);
	flush_at(1000);
	assert_int_equal(files(), 1);
	mirror_apply_delete(M, uuid(2));
	c = flush_at(1001);
	assert_int_equal(c.keys, 0);
	assert_int_equal(c.written, 1);
	assert_int_equal(files(), 0);
}

static void test_uidnumber_must_be_the_local_uid(void **state)
{
	struct mirror_counts c;

	(void)state;
	owner(1, owner_dn, my_uid + 1);
	key(2, "AAAAAAAAAAA1", owner_dn, good_digest);
	c = flush_at(1000);
	assert_int_equal(c.keys, 0);
	assert_int_equal(c.skipped, 1);
	assert_int_equal(files(), 0);
	/* the owner entry corrected: mirrored */
	owner(1, owner_dn, my_uid);
	c = flush_at(1001);
	assert_int_equal(c.keys, 1);
	assert_int_equal(files(), 1);
	/* the owner entry gone: skipped again, the file removed */
	mirror_apply_delete(M, uuid(1));
	c = flush_at(1002);
	assert_int_equal(c.keys, 0);
	assert_int_equal(files(), 0);
}

static void test_parent_must_be_an_account(void **state)
{
	struct mirror_counts c;

	(void)state;
	owner(1, owner_dn, my_uid);
	key(2, "AAAAAAAAAAA1", "ou=people,dc=example,dc=org", good_digest);
	key(3, "AAAAAAAAAAA2", "uid=nosuchuser-apkt,ou=people,dc=example,dc=org", good_digest);
	c = flush_at(1000);
	assert_int_equal(c.keys, 0);
	assert_int_equal(c.skipped, 2);
}

static void test_duplicate_id_skips_every_copy(void **state)
{
	struct mirror_counts c;

	(void)state;
	owner(1, owner_dn, my_uid);
	owner(2, other_dn, my_uid);
	key(3, "AAAAAAAAAAA1", owner_dn, good_digest);
	key(4, "AAAAAAAAAAA1", other_dn, good_digest);
	key(5, "AAAAAAAAAAA2", owner_dn, good_digest);
	c = flush_at(1000);
	assert_int_equal(c.keys, 1);
	assert_int_equal(c.skipped, 2);
	/* one copy deleted: the other is mirrored */
	mirror_apply_delete(M, uuid(4));
	c = flush_at(1001);
	assert_int_equal(c.keys, 2);
	assert_int_equal(c.skipped, 0);
}

static void test_broken_change_removes_the_key(void **state)
{
	struct mirror_counts c;

	(void)state;
	owner(1, owner_dn, my_uid);
	key(2, "AAAAAAAAAAA1", owner_dn, good_digest);
	c = flush_at(1000);
	assert_int_equal(c.keys, 1);
	key(2, "AAAAAAAAAAA1", owner_dn, "{APK1}garbage");
	c = flush_at(1001);
	assert_int_equal(c.keys, 0);
	assert_int_equal(c.skipped, 1);
	assert_int_equal(files(), 0);
	/* an entry too large to read (no attribute at all): the same */
	key(2, "AAAAAAAAAAA1", owner_dn, good_digest);
	assert_int_equal(flush_at(1002).keys, 1);
	memset(&E, 0, sizeof(E));
	mirror_apply_entry(M, uuid(2), "apiKeyId=AAAAAAAAAAA1,uid=x,dc=example,dc=org", &E);
	c = flush_at(1003);
	assert_int_equal(c.keys, 0);
	assert_int_equal(c.skipped, 1);
}

static void test_unwritable_account_keeps_the_state(void **state)
{
	char err[256];
	struct mirror_counts c;
	char name[32];

	(void)state;
	owner(1, owner_dn, my_uid);
	key(2, "AAAAAAAAAAA1", owner_dn, good_digest);
	flush_at(1000);
	snprintf(name, sizeof(name), "u%lu.new", (unsigned long)my_uid);
	assert_int_equal(mkdirat(fleetfd, name, 0700), 0);
	key(3, "AAAAAAAAAAA2", owner_dn, good_digest);
	assert_int_equal(mirror_apply_flush(M, 1001, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot write the mirror of uid"));
	assert_int_equal(synced(), 1000);
	assert_int_equal(unlinkat(fleetfd, name, AT_REMOVEDIR), 0);
	c = flush_at(1002);
	assert_int_equal(c.keys, 2);
	assert_int_equal(synced(), 1002);
}

/* Up to n local accounts with distinct uids (NSS), their names and uids. */
static size_t local_accounts(char names[][APK_USER_MAX + 1], uint32_t *uids, size_t n)
{
	struct passwd *pw;
	size_t got = 0, i;

	setpwent();
	while (got < n && (pw = getpwent()) != NULL) {
		if (!apk_user_valid(pw->pw_name) || getpwnam(pw->pw_name) == NULL)
			continue;
		for (i = 0; i < got && uids[i] != pw->pw_uid; i++)
			;
		if (i < got)
			continue;
		snprintf(names[got], APK_USER_MAX + 1, "%s", pw->pw_name);
		uids[got++] = pw->pw_uid;
	}
	endpwent();
	return got;
}

static ino_t inode_of(uint32_t uid)
{
	char name[32];
	struct stat st;

	snprintf(name, sizeof(name), "u%lu", (unsigned long)uid);
	assert_int_equal(fstatat(fleetfd, name, &st, AT_SYMLINK_NOFOLLOW), 0);
	return st.st_ino;
}

static int has_file(uint32_t uid)
{
	char name[32];
	struct stat st;

	snprintf(name, sizeof(name), "u%lu", (unsigned long)uid);
	return fstatat(fleetfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* A change writes its own account's file and no other: the work of a
 * flush follows what changed, not the mirror's size. */
static void test_change_writes_only_its_account(void **state)
{
	char names[3][APK_USER_MAX + 1], dn[3][512], kid[16];
	uint32_t uids[3];
	ino_t before[3];
	struct mirror_counts c;
	size_t i;

	(void)state;
	assert_int_equal(local_accounts(names, uids, 3), 3);
	for (i = 0; i < 3; i++) {
		snprintf(dn[i], sizeof(dn[i]), "uid=%s,ou=people,dc=example,dc=org", names[i]);
		owner((unsigned)(10 + i), dn[i], uids[i]);
		snprintf(kid, sizeof(kid), "BBBBBBBBBB%zu1", i);
		key((unsigned)(20 + i), kid, dn[i], good_digest);
		snprintf(kid, sizeof(kid), "BBBBBBBBBB%zu2", i);
		key((unsigned)(30 + i), kid, dn[i], good_digest);
	}
	c = flush_at(1000);
	assert_int_equal(c.written, 3);
	assert_int_equal(c.keys, 6);
	assert_int_equal(c.accounts, 3);
	for (i = 0; i < 3; i++)
		before[i] = inode_of(uids[i]);
	/* a key of the second account changed (its name): that file alone */
	memset(&E, 0, sizeof(E));
	add("objectClass", "pamApiKey");
	add("apiKeyId", "BBBBBBBBBB11");
	add("apiKeyDigest", good_digest);
	add("apiKeyCreated", "20260101000000Z");
	add("apiKeyName", "renamed");
	{
		char kdn[600];

		snprintf(kdn, sizeof(kdn), "apiKeyId=BBBBBBBBBB11,%s", dn[1]);
		mirror_apply_entry(M, uuid(21), kdn, &E);
	}
	c = flush_at(1001);
	assert_int_equal(c.written, 1);
	assert_int_equal(c.keys, 6);
	assert_true(inode_of(uids[0]) == before[0]);
	assert_true(inode_of(uids[1]) != before[1]);
	assert_true(inode_of(uids[2]) == before[2]);
	/* the same entry sent again, unchanged: nothing written */
	{
		char kdn[600];

		snprintf(kdn, sizeof(kdn), "apiKeyId=BBBBBBBBBB11,%s", dn[1]);
		mirror_apply_entry(M, uuid(21), kdn, &E);
	}
	before[1] = inode_of(uids[1]);
	c = flush_at(1002);
	assert_int_equal(c.written, 0);
	assert_true(inode_of(uids[1]) == before[1]);
	/* the third account's keys deleted: its file alone removed */
	mirror_apply_delete(M, uuid(22));
	mirror_apply_delete(M, uuid(32));
	c = flush_at(1003);
	assert_int_equal(c.written, 1);
	assert_int_equal(c.keys, 4);
	assert_int_equal(c.accounts, 2);
	assert_false(has_file(uids[2]));
	assert_true(inode_of(uids[0]) == before[0]);
	assert_true(inode_of(uids[1]) == before[1]);
}

/* A new process (a restart, kill -9 before) on the mirror an earlier one
 * left: its first refresh rewrites what the directory has and removes the
 * accounts and keys gone meanwhile, before the state says in sync. */
static void test_restart_removes_what_is_gone(void **state)
{
	char names[2][APK_USER_MAX + 1], dn[2][512];
	struct apk_mirror_state st = { .max_stale = 900 };
	uint32_t uids[2];
	struct mirror_counts c;

	(void)state;
	assert_int_equal(local_accounts(names, uids, 2), 2);
	snprintf(dn[0], sizeof(dn[0]), "uid=%s,ou=people,dc=example,dc=org", names[0]);
	snprintf(dn[1], sizeof(dn[1]), "uid=%s,ou=people,dc=example,dc=org", names[1]);
	owner(1, dn[0], uids[0]);
	owner(2, dn[1], uids[1]);
	key(3, "CCCCCCCCCCC1", dn[0], good_digest);
	key(4, "CCCCCCCCCCC2", dn[0], good_digest);
	key(5, "CCCCCCCCCCC3", dn[1], good_digest);
	c = flush_at(1000);
	assert_int_equal(c.keys, 3);
	/* killed; meanwhile one key of the first account and every key of the
	 * second are deleted in the directory */
	mirror_apply_free(M);
	snprintf(st.host, sizeof(st.host), "test-host");
	M = mirror_apply_new(fleetfd, &st);
	assert_non_null(M);
	mirror_apply_refresh_begin(M);
	owner(1, dn[0], uids[0]);
	owner(2, dn[1], uids[1]);
	key(3, "CCCCCCCCCCC1", dn[0], good_digest);
	mirror_apply_sweep(M);
	assert_int_equal(synced(), 1000);
	c = flush_at(1001);
	assert_int_equal(c.keys, 1);
	assert_int_equal(c.accounts, 1);
	assert_int_equal(c.written, 2);
	assert_true(has_file(uids[0]));
	assert_false(has_file(uids[1]));
	assert_int_equal(synced(), 1001);
}

/* What is kept per key while the mirror runs (every key of a refresh):
 * its record encoded, not a decoded struct apk_record of 4 KB. */
static void test_kept_memory_per_key(void **state)
{
	struct mallinfo2 before, after;
	struct mirror_counts c;
	char kid[16];
	unsigned i;

	(void)state;
	owner(1, owner_dn, my_uid);
	before = mallinfo2();
	for (i = 0; i < 400; i++) {
		snprintf(kid, sizeof(kid), "DDDDDDDDD%03u", i);
		key(1000 + i, kid, owner_dn, good_digest);
	}
	c = flush_at(1000);
	assert_int_equal(c.keys, 400);
	after = mallinfo2();
	printf("# kept: %zu bytes a key\n", (after.uordblks - before.uordblks) / 400);
	assert_true((after.uordblks - before.uordblks) / 400 < 512);
}

static int crypto_setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flush_writes_changed_accounts_then_state, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sweep_and_present, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_removes_the_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uidnumber_must_be_the_local_uid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parent_must_be_an_account, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_id_skips_every_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_change_removes_the_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_account_keeps_the_state, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_change_writes_only_its_account, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_removes_what_is_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kept_memory_per_key, setup, teardown),
	};

	return cmocka_run_group_tests(tests, crypto_setup, NULL);
}
