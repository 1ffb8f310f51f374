/* unit_keysource.c - where keys come from: every source of apk_keysources
 * answers fetch, has_keys and list as keysource.h says; the database
 * directory is opened once and lent to the last-use write, and a login's
 * sources (keyset.h) share that one opening */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "keyset.h"
#include "keysource.h"
#include "lastused.h"
#include "test_db.h"
#include "test_mirror.h"

static struct test_db T;
static struct apk_account alice, bob;
/* alice's two keys in the local store, and two in the mirror */
static char key1[APK_KEY_LEN + 1], key2[APK_KEY_LEN + 1];
static char mkey1[APK_KEY_LEN + 1], mkey2[APK_KEY_LEN + 1];
/* those of the source under test */
static char id1[APK_ID_LEN + 1], id2[APK_ID_LEN + 1];

static void id_of(const char *key, char id[APK_ID_LEN + 1])
{
	struct apk_key k;

	assert_int_equal(apk_key_parse(key, APK_KEY_LEN, &k), APK_OK);
	memcpy(id, k.id, APK_ID_LEN + 1);
	apk_key_wipe(&k);
}

/* alice has two keys in each source, bob (an account of this database
 * only) none. */
static int setup(void **state)
{
	(void)state;
	if (apk_crypto_init() != APK_OK)
		return -1;
	test_db_init(&T);
	alice = test_account("alice", 4100000);
	bob = test_account("bob", 4100001);
	if (test_generate(&T, &alice, "one", key1) != APK_OK ||
	    test_generate(&T, &alice, "two", key2) != APK_OK ||
	    test_mirror_generate(&T, &alice, "one", mkey1, NULL) != APK_OK ||
	    test_mirror_generate(&T, &alice, "two", mkey2, NULL) != APK_OK)
		return -1;
	return 0;
}

/* The ids of src's two keys into id1, id2. */
static void ids_of(const struct apk_keysource_ops *src)
{
	int mirror = src == &apk_keysource_mirror;

	assert_true(mirror || src == &apk_keysource_local); /* a new source: fill it above */
	id_of(mirror ? mkey1 : key1, id1);
	id_of(mirror ? mkey2 : key2, id2);
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 32];

	(void)state;
	/* a test that failed between moving the database aside and back */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s.moved'", T.path);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s.moved\n", T.path);
	test_db_remove(&T);
	return 0;
}

/* Runs check on a fresh handle of every source. */
static void each_source(void (*check)(struct apk_keysource *src))
{
	struct apk_keysource src;
	size_t i;

	assert_non_null(apk_keysources[0]);
	for (i = 0; apk_keysources[i] != NULL; i++) {
		ids_of(apk_keysources[i]);
		apk_keysource_init(&src, apk_keysources[i], T.path);
		check(&src);
		apk_keysource_close(&src);
	}
}

static int all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n-- > 0)
		if (*b++ != 0)
			return 0;
	return 1;
}

static void check_fetch(struct apk_keysource *src)
{
	struct apk_meta meta;
	struct apk_record rec;

	assert_int_equal(apk_keysource_fetch(src, alice.uid, id2, &meta, &rec), APK_OK);
	assert_string_equal(rec.id, id2);
	assert_int_equal(rec.uid, alice.uid);
	assert_string_equal(rec.name, "two");
	assert_false(all_zero(meta.hashkey, sizeof(meta.hashkey)));
	/* a missing id: no record, but a hash key to make a digest with */
	assert_int_equal(apk_keysource_fetch(src, alice.uid, "AAAAAAAAAAAA", &meta, &rec),
			 APK_ERR_NOTFOUND);
	assert_true(all_zero(&rec, sizeof(rec)));
	assert_false(all_zero(meta.hashkey, sizeof(meta.hashkey)));
	/* another account's id, an account without keys, no account at all */
	assert_int_equal(apk_keysource_fetch(src, bob.uid, id1, &meta, &rec), APK_ERR_NOTFOUND);
	assert_true(all_zero(&rec, sizeof(rec)));
	assert_false(all_zero(meta.hashkey, sizeof(meta.hashkey)));
	assert_int_equal(apk_keysource_fetch(src, APK_UID_INVALID, id1, &meta, &rec),
			 APK_ERR_NOTFOUND);
	assert_true(all_zero(&rec, sizeof(rec)));
}

static void fetch_found_and_missing(void **state)
{
	(void)state;
	each_source(check_fetch);
}

static void check_list(struct apk_keysource *src)
{
	struct apk_keyring kr;
	int has = -1;

	assert_int_equal(apk_keysource_list(src, alice.uid, &kr), APK_OK);
	assert_int_equal(kr.n, 2);
	assert_string_equal(kr.recs[0].id, id1); /* in the order they were made */
	assert_string_equal(kr.recs[1].id, id2);
	apk_keyring_free(&kr);
	assert_int_equal(apk_keysource_list(src, bob.uid, &kr), APK_OK);
	assert_int_equal(kr.n, 0);
	apk_keyring_free(&kr);
	assert_int_equal(apk_keysource_has_keys(src, alice.uid, &has), APK_OK);
	assert_int_equal(has, 1);
	assert_int_equal(apk_keysource_has_keys(src, bob.uid, &has), APK_OK);
	assert_int_equal(has, 0);
}

static void list_and_has_keys(void **state)
{
	(void)state;
	each_source(check_list);
}

/* Opened once: the directory the key was read from is the one the last use
 * is written to, even when the path names another directory by then. */
static void check_dir_lent(struct apk_keysource *src)
{
	char moved[PATH_MAX + 8], movedsrc[PATH_MAX + 16];
	struct apk_meta meta;
	struct apk_record rec;
	struct apk_lastused lu;
	const char *ids[] = { id1, id2 };
	int fd1 = -1, fd2 = -1;

	assert_int_equal(apk_keysource_fetch(src, alice.uid, id1, &meta, &rec), APK_OK);
	assert_int_equal(apk_keysource_dir(src, &fd1), APK_OK);
	snprintf(moved, sizeof(moved), "%s.moved", T.path);
	assert_int_equal(rename(T.path, moved), 0);
	assert_int_equal(mkdir(T.path, 0700), 0); /* an empty database at the old path */
	snprintf(movedsrc, sizeof(movedsrc), "%s%s%s", moved, src->ops->subdir ? "/" : "",
		 src->ops->subdir ? src->ops->subdir : "");
	assert_int_equal(apk_keysource_dir(src, &fd2), APK_OK);
	assert_int_equal(fd1, fd2);
	assert_int_equal(apk_keysource_fetch(src, alice.uid, id2, &meta, &rec), APK_OK);
	assert_int_equal(apk_lastused_record_at(fd1, alice.uid, id1, 1234567, "sshd", "192.0.2.1"),
			 APK_OK);
	assert_int_equal(apk_lastused_read(movedsrc, alice.uid, ids, 1, &lu), APK_OK);
	assert_true(lu.used);
	assert_int_equal(lu.time, 1234567);
	assert_string_equal(lu.service, "sshd");
	assert_int_equal(rmdir(T.path), 0);
	assert_int_equal(rename(moved, T.path), 0);
}

static void directory_opened_once_and_lent(void **state)
{
	(void)state;
	each_source(check_dir_lent);
}

/* A login's sources share one opening of the database directory: the
 * mirror is DIR/fleet under the directory the local store opened and
 * checked, even when the path names another directory by then. Both are
 * read in one checked directory, opened and checked once a login (not
 * once a source). */
static void sources_share_the_database_directory(void **state)
{
	char moved[PATH_MAX + 8];
	struct apk_keyset ks;
	struct apk_meta meta;
	struct apk_record rec;
	size_t i, local = APK_KEYSET_MAX, mirror = APK_KEYSET_MAX;
	int fd = -1;

	(void)state;
	apk_keyset_init(&ks, T.path, NULL);
	for (i = 0; i < ks.n; i++) {
		if (ks.src[i].ops == &apk_keysource_local)
			local = i;
		else if (ks.src[i].ops == &apk_keysource_mirror)
			mirror = i;
	}
	assert_true(local < ks.n && mirror < ks.n);
	assert_int_equal(apk_keysource_dir(&ks.src[local], &fd), APK_OK);
	snprintf(moved, sizeof(moved), "%s.moved", T.path);
	assert_int_equal(rename(T.path, moved), 0);
	assert_int_equal(mkdir(T.path, 0700), 0); /* an empty database, no fleet/, at the path */
	id_of(mkey1, id1);
	assert_int_equal(apk_keysource_fetch(&ks.src[mirror], alice.uid, id1, &meta, &rec),
			 APK_OK);
	assert_string_equal(rec.id, id1);
	assert_int_equal(rec.uid, alice.uid);
	/* the last-use write goes to the mirror's directory, the moved one's fleet/ */
	assert_int_equal(apk_keysource_dir(&ks.src[mirror], &fd), APK_OK);
	assert_true(fd >= 0);
	apk_keyset_close(&ks);
	/* a source given alone (keys=NAME) opens the path it is given */
	apk_keyset_init(&ks, T.path, &apk_keysource_mirror);
	assert_int_equal(apk_keysource_fetch(&ks.src[0], alice.uid, id1, &meta, &rec),
			 APK_ERR_NOTFOUND);
	assert_true(all_zero(&rec, sizeof(rec)));
	apk_keyset_close(&ks);
	assert_int_equal(rmdir(T.path), 0);
	assert_int_equal(rename(moved, T.path), 0);
}

/* A directory that fails its checks fails every operation, and the handle
 * keeps that answer for the rest of its login. */
static void check_unsafe(struct apk_keysource *src)
{
	struct apk_meta meta;
	struct apk_record rec;
	struct apk_keyring kr;
	int fd = 0, has = -1;

	assert_int_equal(chmod(T.path, 0777), 0);
	assert_int_equal(apk_keysource_fetch(src, alice.uid, id1, &meta, &rec), APK_ERR_UNSAFE);
	assert_true(all_zero(&rec, sizeof(rec)));
	assert_int_equal(chmod(T.path, 0700), 0);
	assert_int_equal(apk_keysource_list(src, alice.uid, &kr), APK_ERR_UNSAFE);
	apk_keyring_free(&kr);
	assert_int_equal(apk_keysource_has_keys(src, alice.uid, &has), APK_ERR_UNSAFE);
	assert_int_equal(has, 0);
	assert_int_equal(apk_keysource_dir(src, &fd), APK_ERR_UNSAFE);
	assert_int_equal(fd, -1);
}

static void unsafe_directory_refused(void **state)
{
	(void)state;
	each_source(check_unsafe);
}

/* A host without DIR/fleet: the mirror has no keys, and that is no error. */
static void no_mirror_no_keys(void **state)
{
	char cmd[PATH_MAX + 32];
	struct apk_keysource src;
	struct apk_keyring kr;
	struct apk_meta meta;
	struct apk_record rec;
	int has = -1;

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/fleet'", T.path);
	assert_int_equal(system(cmd), 0);
	id_of(key1, id1);
	apk_keysource_init(&src, &apk_keysource_mirror, T.path);
	assert_int_equal(apk_keysource_fetch(&src, alice.uid, id1, &meta, &rec), APK_ERR_NOTFOUND);
	assert_true(all_zero(&rec, sizeof(rec)));
	assert_int_equal(apk_keysource_list(&src, alice.uid, &kr), APK_OK);
	assert_int_equal(kr.n, 0);
	apk_keyring_free(&kr);
	assert_int_equal(apk_keysource_has_keys(&src, alice.uid, &has), APK_OK);
	assert_int_equal(has, 0);
	apk_keysource_close(&src);
}

/* Each source holds one kind of record: an account file moved from one
 * to the other is corruption there, fetched or listed. */
static void wrong_kind_is_corrupt(void **state)
{
	char from[PATH_MAX], to[PATH_MAX], cmd[3 * PATH_MAX];
	struct apk_keysource src;
	struct apk_keyring kr;
	struct apk_meta meta;
	struct apk_record rec;
	size_t i;

	(void)state;
	for (i = 0; apk_keysources[i] != NULL; i++) {
		const struct apk_keysource_ops *ops = apk_keysources[i];
		int mirror = ops == &apk_keysource_mirror;

		/* alice's file of the other source, in place of this one's */
		snprintf(from, sizeof(from), "%s/%su%u", T.path, mirror ? "" : "fleet/",
			 (unsigned)alice.uid);
		snprintf(to, sizeof(to), "%s/%su%u", T.path, mirror ? "fleet/" : "",
			 (unsigned)alice.uid);
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s.save' && cp '%s' '%s'", to, to, from, to);
		assert_int_equal(system(cmd), 0);
		id_of(mirror ? key1 : mkey1, id1); /* an id the moved file holds */
		apk_keysource_init(&src, ops, T.path);
		assert_int_equal(apk_keysource_fetch(&src, alice.uid, id1, &meta, &rec),
				 APK_ERR_CORRUPT);
		assert_true(all_zero(&rec, sizeof(rec)));
		assert_true(all_zero(&meta, sizeof(meta)));
		assert_int_equal(apk_keysource_list(&src, alice.uid, &kr), APK_ERR_CORRUPT);
		assert_int_equal(kr.n, 0);
		apk_keyring_free(&kr);
		apk_keysource_close(&src);
		snprintf(cmd, sizeof(cmd), "mv '%s.save' '%s'", to, to);
		assert_int_equal(system(cmd), 0);
	}
}

static void sources_named(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; apk_keysources[i] != NULL; i++)
		assert_ptr_equal(apk_keysource_named(apk_keysources[i]->name), apk_keysources[i]);
	assert_ptr_equal(apk_keysource_named("local"), &apk_keysource_local);
	assert_ptr_equal(apk_keysource_named("directory"), &apk_keysource_mirror);
	assert_null(apk_keysource_named("nowhere"));
	assert_null(apk_keysource_named(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(fetch_found_and_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(list_and_has_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(directory_opened_once_and_lent, setup, teardown),
		cmocka_unit_test_setup_teardown(sources_share_the_database_directory, setup,
						teardown),
		cmocka_unit_test_setup_teardown(unsafe_directory_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(no_mirror_no_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(wrong_kind_is_corrupt, setup, teardown),
		cmocka_unit_test(sources_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
