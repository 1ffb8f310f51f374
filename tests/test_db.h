/* test_db.h - a private database in a temporary directory, filled through the store API */
#ifndef APK_TEST_DB_H
#define APK_TEST_DB_H

#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "keyring.h"
#include "store.h"

struct test_db {
	char dir[PATH_MAX];
	char path[PATH_MAX];
};

static inline void test_db_init(struct test_db *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/apk-test-XXXXXX");
	if (mkdtemp(t->dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	snprintf(t->path, sizeof(t->path), "%s", t->dir); /* the database directory */
}

static inline void test_db_remove(struct test_db *t)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", t->dir);
}

/* An account by name (uid from the passwd file), or made up with uid. */
static inline struct apk_account test_account(const char *name, long fake_uid)
{
	struct apk_account a;
	struct passwd *pw = getpwnam(name);

	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", name);
	a.uid = fake_uid >= 0 ? (uint32_t)fake_uid : (pw != NULL ? pw->pw_uid : 4000000000u);
	return a;
}

/* Generates a key for acct; returns the enum and the token. */
static inline enum apk_err test_generate(const struct test_db *t, const struct apk_account *acct,
				  const char *name, char token[APK_KEY_LEN + 1])
{
	struct apk_store_change *ch;
	struct apk_keyring kr;
	enum apk_err err = apk_store_begin(t->path, acct->uid, 2000, &kr, &ch);

	if (err == APK_OK) {
		err = apk_keyring_generate(&kr, acct, name, NULL, (int64_t)time(NULL), token, NULL);
		err = err == APK_OK ? apk_store_save(ch, &kr) : (apk_store_abandon(ch), err);
	}
	apk_keyring_free(&kr);
	return err;
}

static inline enum apk_err test_delete(const struct test_db *t, const struct apk_account *acct,
				const char *name)
{
	struct apk_store_change *ch;
	struct apk_keyring kr;
	struct apk_record *r;
	enum apk_err err = apk_store_begin(t->path, acct->uid, 2000, &kr, &ch);

	if (err == APK_OK) {
		r = apk_keyring_find(&kr, acct, name);
		err = r != NULL ? apk_keyring_delete(&kr, r->id) : APK_ERR_NOTFOUND;
		err = err == APK_OK ? apk_store_save(ch, &kr) : (apk_store_abandon(ch), err);
	}
	apk_keyring_free(&kr);
	return err;
}

/* The file holding uid's keys (the store's layout, see store.h). */
static inline void test_account_file(const struct test_db *t, uint32_t uid, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/u%u", t->path, (unsigned)uid);
}

#endif
