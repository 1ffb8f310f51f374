/* test_mirror.h - a mirror of directory keys (DIR/fleet) in a test database,
 * built only through the writer's API (mirror.h), as apikeyd builds it */
#ifndef APK_TEST_MIRROR_H
#define APK_TEST_MIRROR_H

#include <stdint.h>

#include "keyring.h"
#include "mirror.h"
#include "test_db.h"

/* Adds a fresh directory key `name` of acct to the mirror of t (created
 * when missing; the account's mirrored keys read, the key appended, put
 * back whole, synced): its token in token, its record in *rec (may be NULL). */
enum apk_err test_mirror_generate(const struct test_db *t, const struct apk_account *acct,
				  const char *name, char token[APK_KEY_LEN + 1],
				  struct apk_record *rec);

/* The same with a host list (hosts: --hosts's text, NULL for none). */
enum apk_err test_mirror_generate_hosts(const struct test_db *t, const struct apk_account *acct,
					const char *name, const char *hosts,
					char token[APK_KEY_LEN + 1], struct apk_record *rec);

/* Adds the existing key token (a local one, say) to the mirror as a
 * directory key of acct. */
enum apk_err test_mirror_add_token(const struct test_db *t, const struct apk_account *acct,
				   const char *name, const char *token);

/* Replaces the whole of acct's mirrored keys with kr (apk_mirror_put). */
enum apk_err test_mirror_put(const struct test_db *t, uint32_t uid, const struct apk_keyring *kr);

/* Writes the mirror's state: in sync at synced, max_stale, host. */
enum apk_err test_mirror_state(const struct test_db *t, int64_t synced, uint32_t max_stale,
			       const char *host);

/* DIR/fleet/NAME in out. */
void test_mirror_path(const struct test_db *t, const char *name, char *out, size_t outsz);

#endif
