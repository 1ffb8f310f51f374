/* test_db.h - a private database in a temporary directory, filled through the store API */
#ifndef APK_TEST_DB_H
#define APK_TEST_DB_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "keyring.h"
#include "store.h"

struct test_db {
	char dir[PATH_MAX];  /* the temporary directory */
	char path[PATH_MAX]; /* the database directory: dir itself */
};

/* Makes the directory (aborts when it cannot); removes it with all it holds. */
void test_db_init(struct test_db *t);
void test_db_remove(struct test_db *t);

/* An account by name (uid from the passwd file), or made up with fake_uid >= 0. */
struct apk_account test_account(const char *name, long fake_uid);

/* Generates key `name` for acct (its token in token), or deletes it, through
 * the store API. */
enum apk_err test_generate(const struct test_db *t, const struct apk_account *acct,
			   const char *name, char token[APK_KEY_LEN + 1]);
enum apk_err test_delete(const struct test_db *t, const struct apk_account *acct,
			 const char *name);

/* apk_verify and apk_account_has_keys through the local key source on
 * database directory db, opened and closed for the one call. */
enum apk_err test_verify(const char *db, const char *user, const char *token, size_t len,
			 struct apk_record *matched);
enum apk_err test_has_keys(const char *db, const char *user, int *has);

/* DIR/u<uid>: the file holding uid's keys in database directory dir
 * (the store's layout, see store.h). */
void account_file(const char *dir, uint32_t uid, char *out, size_t outsz);

#endif
