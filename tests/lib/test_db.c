/* test_db.c - a private database in a temporary directory, filled through the store API */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test_db.h"
#include "verify.h"

void test_db_init(struct test_db *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/apk-test-XXXXXX");
	if (mkdtemp(t->dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	snprintf(t->path, sizeof(t->path), "%s", t->dir);
}

void test_db_remove(struct test_db *t)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", t->dir);
}

struct apk_account test_account(const char *name, long fake_uid)
{
	struct apk_account a;
	struct passwd *pw = getpwnam(name);

	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", name);
	a.uid = fake_uid >= 0 ? (uint32_t)fake_uid : (pw != NULL ? pw->pw_uid : 4000000000u);
	return a;
}

enum apk_err test_generate(const struct test_db *t, const struct apk_account *acct,
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

enum apk_err test_delete(const struct test_db *t, const struct apk_account *acct,
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

void account_file(const char *dir, uint32_t uid, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/u%u", dir, (unsigned)uid);
}

enum apk_err test_verify(const char *db, const char *user, const char *token, size_t len,
			 struct apk_record *matched)
{
	struct apk_keysource keys;
	enum apk_err err;

	apk_keysource_init(&keys, &apk_keysource_local, db);
	err = apk_verify(&keys, user, token, len, matched);
	apk_keysource_close(&keys);
	return err;
}

enum apk_err test_has_keys(const char *db, const char *user, int *has)
{
	struct apk_keysource keys;
	enum apk_err err;

	apk_keysource_init(&keys, &apk_keysource_local, db);
	err = apk_account_has_keys(&keys, user, has);
	apk_keysource_close(&keys);
	return err;
}
