/* verify.h - does this token authenticate this user? (the module's work) */
#ifndef APK_VERIFY_H
#define APK_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "apk_error.h"
#include "keyset.h"
#include "keysource.h"
#include "permit.h"
#include "record.h"

/* APK_OK only when token (len bytes) is a well-formed key whose record in
 * the key source keys belongs to user: the record's uid and owner name
 * both equal getpwnam(user)'s, and its digest matches. matched then holds
 * the record (no secret in it). Otherwise: APK_ERR_BADKEY (checked before
 * the database is opened), APK_ERR_NOUSER, APK_ERR_NOMATCH (unknown id,
 * another account's key, wrong secret), or a database error (UNAVAIL,
 * UNSAFE, CORRUPT, NOMEM). An account without keys, an unknown id and a
 * wrong secret do the same work (the source's fetch, keysource.h, and a
 * digest always computed and compared); an unknown user adds only its
 * lookup. The source is opened only after the key parsed.
 * Whenever the token parsed, matched->id holds its (public) id, for logs. */
enum apk_err apk_verify(struct apk_keysource *keys, const char *user, const char *token,
			size_t len, struct apk_record *matched);

/* The same over every source of a login (keyset.h): each source fetched
 * every time; a record's digest computed by its kind (record.h: under its
 * file's hash key, or a directory record's salt), and a missing one's as
 * the first source's kind, so that every answer takes the same work;
 * the same id in two sources is APK_ERR_CORRUPT (ks->duplicate set). The
 * mirror's state is read first (apk_keyset_read_state). On APK_OK
 * ks->found is the source of the matched record. */
enum apk_err apk_verify_set(struct apk_keyset *ks, const char *user, const char *token,
			    size_t len, struct apk_record *matched);

/* One attempt as the module makes it in-process and apikeyd for a caller:
 * apk_verify_set, then, for a key whose secret matched, apk_keyset_check
 * (the mirror's freshness for a directory key, then the record's
 * lifecycle and restrictions) at now against service and rhost (NULL when
 * unset) into *permit (APK_PERMIT_OK when the key did not match). Returns
 * apk_verify_set's error; accepted only when APK_OK with APK_PERMIT_OK. */
enum apk_err apk_keyset_verify(struct apk_keyset *ks, const char *user, const char *token,
			       size_t len, int64_t now, const char *service, const char *rhost,
			       struct apk_record *matched, enum apk_permit *permit);

/* Whether user has any key in keys (for the module's nokeys_ignore option only). */
enum apk_err apk_account_has_keys(struct apk_keysource *keys, const char *user, int *has);
/* The same in any source of ks. */
enum apk_err apk_account_has_keys_set(struct apk_keyset *ks, const char *user, int *has);

#endif
