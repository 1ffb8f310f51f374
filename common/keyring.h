/* keyring.h - one account's keys: the operations apikeyctl offers, on an
 * open change (store_begin) or, for find/list, any store handle of that
 * account's file.
 * Every operation acts only on keys whose record and index belong to acct. */
#ifndef APK_KEYRING_H
#define APK_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include "apk_error.h"
#include "record.h"
#include "store.h"

struct apk_account {
	uint32_t uid;
	char name[APK_USER_MAX + 1];
};

/* Creates a key named name (NULL: the first free "key-N") with description
 * desc (NULL: empty), created at now. Writes the token (shown once) to
 * token_out and the stored record to rec_out (may be NULL). */
enum apk_err keyring_generate(struct apk_store *st, const struct apk_account *acct,
			      const char *name, const char *desc, int64_t now,
			      char token_out[APK_KEY_LEN + 1], struct apk_record *rec_out);

/* Finds the account's key by name, or by id. */
enum apk_err keyring_find(struct apk_store *st, const struct apk_account *acct,
			  const char *name_or_id, struct apk_record *r);

/* The account's keys in creation order; *recs is malloc'd (free it). */
enum apk_err keyring_list(struct apk_store *st, const struct apk_account *acct,
			  struct apk_record **recs, size_t *n);

enum apk_err keyring_rename(struct apk_store *st, const struct apk_account *acct,
			    const char *name_or_id, const char *newname);
enum apk_err keyring_describe(struct apk_store *st, const struct apk_account *acct,
			      const char *name_or_id, const char *desc);

/* Deletes every named key, or none if any is unknown (the unknown one is
 * reported through *bad, an index into names, when bad is not NULL). */
enum apk_err keyring_delete(struct apk_store *st, const struct apk_account *acct,
			    const char *const *names, size_t n, size_t *bad);

#endif
