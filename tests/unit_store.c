/* unit_store.c - the store in a temporary directory: load, save, fetch, the
 * decoy, the lock's deadline, a killed writer's .new, unsafe files */
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
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_db.h"
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

static void path_of(const char *name, char out[PATH_MAX])
{
	snprintf(out, PATH_MAX, "%s/%s", T.path, name);
}

static int exists(const char *name)
{
	char p[PATH_MAX];
	struct stat st;

	path_of(name, p);
	return lstat(p, &st) == 0;
}

/* The whole content of a database file, for "nothing changed". */
static size_t slurp(const char *name, unsigned char *buf, size_t size)
{
	char p[PATH_MAX];
	FILE *fp;
	size_t n;

	path_of(name, p);
	fp = fopen(p, "rb");
	assert_non_null(fp);
	n = fread(buf, 1, size, fp);
	fclose(fp);
	return n;
}

/* Copies the database file from to to (mode 0600). */
static void copy_file(const char *from, const char *to)
{
	static unsigned char buf[65536];
	char p[PATH_MAX];
	size_t n = slurp(from, buf, sizeof(buf));
	int fd;

	path_of(to, p);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, n), (ssize_t)n);
	close(fd);
}

/* The account file's bytes now, and later a check that they are the same. */
struct file_copy {
	unsigned char bytes[65536];
	size_t n;
};

static void remember(const char *name, struct file_copy *c)
{
	c->n = slurp(name, c->bytes, sizeof(c->bytes));
}

static void assert_unchanged(const char *name, const struct file_copy *c)
{
	static struct file_copy now;

	remember(name, &now);
	assert_int_equal(now.n, c->n);
	assert_memory_equal(now.bytes, c->bytes, c->n);
}

static char *id_of(const char *token, char id[APK_ID_LEN + 1])
{
	memcpy(id, token + APK_KEY_PREFIX_LEN, APK_ID_LEN);
	id[APK_ID_LEN] = '\0';
	return id;
}

/* ---- tests -------------------------------------------------------------- */

static void test_empty_directory_reads_as_no_keys(void **state)
{
	struct apk_keyring kr;
	struct apk_meta meta;
	struct apk_record r;

	(void)state;
	assert_int_equal(apk_store_load(T.path, alice.uid, &kr), APK_OK);
	assert_int_equal(kr.n, 0);
	apk_keyring_free(&kr);
	/* no file and no decoy: no such key, and nothing to hash with */
	assert_int_equal(apk_store_fetch(T.path, alice.uid, "AAAAAAAAAAAA", &meta, &r),
			 APK_ERR_NOTFOUND);
	assert_true(all_zero(&meta, sizeof(meta)));
	assert_true(all_zero(&r, sizeof(r)));
}

static void test_save_then_load_and_fetch(void **state)
{
	struct apk_store_change *ch;
	struct apk_keyring kr, back;
	struct apk_meta meta, decoy_meta;
	struct apk_record r;
	char t1[APK_KEY_LEN + 1], t2[APK_KEY_LEN + 1], id[APK_ID_LEN + 1];
	size_t i;

	(void)state;
	assert_int_equal(apk_store_begin(T.path, alice.uid, 1000, &kr, &ch), APK_OK);
	assert_true(exists("decoy") && exists("u1000.lock") && !exists("u1000"));
	assert_int_equal(apk_keyring_generate(&kr, &alice, "one", "first", 5, t1, NULL), APK_OK);
	assert_int_equal(apk_keyring_generate(&kr, &alice, "two", NULL, 6, t2, NULL), APK_OK);
	assert_int_equal(apk_store_save(ch, &kr), APK_OK);
	assert_true(exists("u1000") && !exists("u1000.new"));

	assert_int_equal(apk_store_load(T.path, alice.uid, &back), APK_OK);
	assert_int_equal(back.n, 2);
	assert_memory_equal(back.meta.hashkey, kr.meta.hashkey, sizeof(kr.meta.hashkey));
	for (i = 0; i < 2; i++)
		assert_memory_equal(&back.recs[i], &kr.recs[i], sizeof(kr.recs[i]));
	apk_keyring_free(&back);

	/* the module's read: the header and one record */
	assert_int_equal(apk_store_fetch(T.path, alice.uid, id_of(t2, id), &meta, &r), APK_OK);
	assert_memory_equal(meta.hashkey, kr.meta.hashkey, sizeof(meta.hashkey));
	assert_memory_equal(&r, &kr.recs[1], sizeof(r));
	assert_int_equal(apk_store_fetch(T.path, alice.uid, "AAAAAAAAAAAA", &meta, &r),
			 APK_ERR_NOTFOUND);
	assert_memory_equal(meta.hashkey, kr.meta.hashkey, sizeof(meta.hashkey));
	assert_true(all_zero(&r, sizeof(r)));

	/* an account without a file: the decoy's header, its own, no key */
	assert_int_equal(apk_store_fetch(T.path, bob.uid, id, &decoy_meta, &r), APK_ERR_NOTFOUND);
	assert_false(all_zero(&decoy_meta, sizeof(decoy_meta)));
	assert_memory_not_equal(decoy_meta.hashkey, kr.meta.hashkey, sizeof(meta.hashkey));
	assert_int_equal(apk_store_load(T.path, bob.uid, &back), APK_OK);
	assert_int_equal(back.n, 0);
	apk_keyring_free(&back);
	apk_keyring_free(&kr);
}

static void test_no_keys_no_file(void **state)
{
	struct apk_store_change *ch;
	struct apk_keyring kr;
	char t[APK_KEY_LEN + 1];

	(void)state;
	assert_int_equal(test_generate(&T, &alice, "only", t), APK_OK);
	assert_true(exists("u1000"));
	assert_int_equal(apk_store_begin(T.path, alice.uid, 1000, &kr, &ch), APK_OK);
	assert_int_equal(apk_keyring_delete(&kr, kr.recs[0].id), APK_OK);
	assert_int_equal(apk_store_save(ch, &kr), APK_OK);
	apk_keyring_free(&kr);
	assert_false(exists("u1000"));
	assert_true(exists("decoy"));
}

static void test_abandon_changes_nothing(void **state)
{
	static struct file_copy before;
	struct apk_store_change *ch;
	struct apk_keyring kr;
	char t[APK_KEY_LEN + 1];

	(void)state;
	assert_int_equal(test_generate(&T, &alice, "kept", t), APK_OK);
	remember("u1000", &before);
	assert_int_equal(apk_store_begin(T.path, alice.uid, 1000, &kr, &ch), APK_OK);
	assert_int_equal(apk_keyring_generate(&kr, &alice, "dropped", NULL, 1, t, NULL), APK_OK);
	apk_store_abandon(ch);
	apk_keyring_free(&kr);
	assert_unchanged("u1000", &before);
	/* the lock was released: the next change does not wait */
	assert_int_equal(apk_store_begin(T.path, alice.uid, 0, &kr, &ch), APK_OK);
	assert_int_equal(kr.n, 1);
	apk_store_abandon(ch);
	apk_keyring_free(&kr);
}

static void test_lock_deadline(void **state)
{
	struct apk_store_change *ch, *other;
	struct apk_keyring kr, kr2;

	(void)state;
	assert_int_equal(apk_store_begin(T.path, alice.uid, 1000, &kr, &ch), APK_OK);
	assert_int_equal(apk_store_begin(T.path, alice.uid, 50, &kr2, &other), APK_ERR_BUSY);
	assert_null(other);
	apk_keyring_free(&kr2);
	/* another account's lock is another file */
	assert_int_equal(apk_store_begin(T.path, bob.uid, 0, &kr2, &other), APK_OK);
	apk_store_abandon(other);
	apk_keyring_free(&kr2);
	apk_store_abandon(ch);
	apk_keyring_free(&kr);
}

/* A writer killed before its rename leaves u<uid>.new: the next one removes it. */
static void test_stale_new_is_removed(void **state)
{
	char p[PATH_MAX], t[APK_KEY_LEN + 1];
	struct apk_keyring kr;
	int fd;

	(void)state;
	path_of("u1000.new", p);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "half a file", 11), 11);
	close(fd);
	assert_int_equal(test_generate(&T, &alice, "after", t), APK_OK);
	assert_false(exists("u1000.new"));
	assert_int_equal(apk_store_load(T.path, alice.uid, &kr), APK_OK);
	assert_int_equal(kr.n, 1);
	apk_keyring_free(&kr);
}

/* A .new that is not a plain file of ours is not removed, and nothing changes. */
static void test_unsafe_stale_new(void **state)
{
	char p[PATH_MAX], t[APK_KEY_LEN + 1];
	struct stat st;

	(void)state;
	assert_int_equal(test_generate(&T, &alice, "first", t), APK_OK);
	path_of("u1000.new", p);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_int_equal(test_generate(&T, &alice, "second", t), APK_ERR_UNSAFE);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(test_delete(&T, &alice, "first"), APK_ERR_UNSAFE);
}

static void test_unsafe_account_file(void **state)
{
	char p[PATH_MAX], t[APK_KEY_LEN + 1], id[APK_ID_LEN + 1];
	struct apk_keyring kr;
	struct apk_store_change *ch;
	struct apk_meta meta;
	struct apk_record r;

	(void)state;
	assert_int_equal(test_generate(&T, &alice, "k", t), APK_OK);
	path_of("u1000", p);
	assert_int_equal(chmod(p, 0640), 0);
	assert_int_equal(apk_store_load(T.path, alice.uid, &kr), APK_ERR_UNSAFE);
	assert_int_equal(kr.n, 0);
	apk_keyring_free(&kr);
	assert_int_equal(apk_store_fetch(T.path, alice.uid, id_of(t, id), &meta, &r),
			 APK_ERR_UNSAFE);
	assert_true(all_zero(&meta, sizeof(meta)) && all_zero(&r, sizeof(r)));
	assert_int_equal(apk_store_begin(T.path, alice.uid, 1000, &kr, &ch), APK_ERR_UNSAFE);
	apk_keyring_free(&kr);
	assert_int_equal(chmod(p, 0600), 0);

	/* a symlink in its place */
	assert_int_equal(rename(p, "/tmp/apk-unit-store-moved") == 0 ? 0 : -1, 0);
	assert_int_equal(symlink("/tmp/apk-unit-store-moved", p), 0);
	assert_int_equal(apk_store_fetch(T.path, alice.uid, id, &meta, &r), APK_ERR_UNSAFE);
	assert_int_equal(apk_store_load(T.path, alice.uid, &kr), APK_ERR_UNSAFE);
	apk_keyring_free(&kr);
	unlink(p);
	unlink("/tmp/apk-unit-store-moved");
}

static void test_unsafe_or_missing_directory(void **state)
{
	struct apk_keyring kr;
	struct apk_store_change *ch;
	struct apk_meta meta;
	struct apk_record r;
	char missing[PATH_MAX];

	(void)state;
	assert_int_equal(chmod(T.path, 0770), 0);
	assert_int_equal(apk_store_load(T.path, alice.uid, &kr), APK_ERR_UNSAFE);
	apk_keyring_free(&kr);
	assert_int_equal(apk_store_fetch(T.path, alice.uid, "AAAAAAAAAAAA", &meta, &r),
			 APK_ERR_UNSAFE);
	assert_int_equal(apk_store_begin(T.path, alice.uid, 0, &kr, &ch), APK_ERR_UNSAFE);
	apk_keyring_free(&kr);
	assert_false(exists("decoy"));
	assert_int_equal(chmod(T.path, 0700), 0);

	path_of("nowhere", missing);
	assert_int_equal(apk_store_load(missing, alice.uid, &kr), APK_ERR_UNAVAIL);
	apk_keyring_free(&kr);
	assert_int_equal(apk_store_fetch(missing, alice.uid, "AAAAAAAAAAAA", &meta, &r),
			 APK_ERR_UNAVAIL);
	assert_int_equal(apk_store_load("relative/dir", alice.uid, &kr), APK_ERR_UNAVAIL);
	apk_keyring_free(&kr);
}

/* A file holds one account's keys: another account's file in its place is corrupt. */
static void test_another_accounts_file(void **state)
{
	char t[APK_KEY_LEN + 1], id[APK_ID_LEN + 1];
	struct apk_keyring kr;
	struct apk_meta meta;
	struct apk_record r;

	(void)state;
	assert_int_equal(test_generate(&T, &alice, "a", t), APK_OK);
	copy_file("u1000", "u1001");
	assert_int_equal(apk_store_load(T.path, bob.uid, &kr), APK_ERR_CORRUPT);
	apk_keyring_free(&kr);
	assert_int_equal(apk_store_fetch(T.path, bob.uid, id_of(t, id), &meta, &r),
			 APK_ERR_CORRUPT);
	assert_true(all_zero(&meta, sizeof(meta)) && all_zero(&r, sizeof(r)));
}

/* The decoy holds no keys: one with a record is corrupt for every reader. */
static void test_decoy_with_a_key(void **state)
{
	char t[APK_KEY_LEN + 1], id[APK_ID_LEN + 1];
	struct apk_keyring kr;
	struct apk_meta meta;
	struct apk_record r;

	(void)state;
	assert_int_equal(test_generate(&T, &alice, "a", t), APK_OK);
	copy_file("u1000", "decoy");
	assert_int_equal(apk_store_fetch(T.path, bob.uid, id_of(t, id), &meta, &r),
			 APK_ERR_CORRUPT);
	assert_int_equal(apk_store_load(T.path, bob.uid, &kr), APK_ERR_CORRUPT);
	apk_keyring_free(&kr);
}

/* Only what the encoder accepts is written: a bad record changes nothing. */
static void test_save_refuses_what_cannot_be_written(void **state)
{
	static struct file_copy before;
	struct apk_store_change *ch;
	struct apk_keyring kr;
	char t[APK_KEY_LEN + 1];

	(void)state;
	assert_int_equal(test_generate(&T, &alice, "good", t), APK_OK);
	remember("u1000", &before);

	assert_int_equal(apk_store_begin(T.path, alice.uid, 1000, &kr, &ch), APK_OK);
	snprintf(kr.recs[0].name, sizeof(kr.recs[0].name), "bad name");
	assert_int_equal(apk_store_save(ch, &kr), APK_ERR_INVALID);
	apk_keyring_free(&kr);

	assert_int_equal(apk_store_begin(T.path, alice.uid, 1000, &kr, &ch), APK_OK);
	assert_int_equal(apk_keyring_generate(&kr, &bob, "bobs", NULL, 1, t, NULL), APK_OK);
	assert_int_equal(apk_store_save(ch, &kr), APK_ERR_INVALID); /* another uid's key */
	apk_keyring_free(&kr);

	assert_unchanged("u1000", &before);
	assert_false(exists("u1000.new"));
}

static void test_new_files_are_private(void **state)
{
	char p[PATH_MAX], t[APK_KEY_LEN + 1];
	struct stat st;
	mode_t old = umask(0);

	(void)state;
	assert_int_equal(test_generate(&T, &alice, "k", t), APK_OK);
	umask(old);
	path_of("u1000", p);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	path_of("decoy", p);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_directory_reads_as_no_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_then_load_and_fetch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_keys_no_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abandon_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_new_is_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_stale_new, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_account_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_or_missing_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_another_accounts_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decoy_with_a_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_refuses_what_cannot_be_written, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_new_files_are_private, setup, teardown),
	};

	return cmocka_run_group_tests(tests, crypto_setup, NULL);
}
