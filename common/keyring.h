/* keyring.h - one account's keys as a value, and what apikeyctl does to them
 *
 * A keyring is plain data: the account file's header (its hash key) and
 * its records in creation order. The store (store.h) loads and saves it
 * whole; the functions here only read and change the value in memory, and
 * never touch a file.
 *
 * Within an account a word means exactly one key: names and ids never
 * overlap. A name equal to one of the keyring's ids is refused
 * (apk_keyring_name_free), a new id is never equal to one of its names
 * (apk_keyring_generate), and apk_keyring_find tries ids before names, so
 * that even a database written before this rule, holding a name equal to an
 * id, gives the id's key.
 *
 * Names, descriptions and login names are validated where they enter (the
 * command line) and where they are written (apk_record_encode), not here.
 */
#ifndef APK_KEYRING_H
#define APK_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include "apk_error.h"
#include "record.h"

struct apk_account {
	uint32_t uid;
	char name[APK_USER_MAX + 1];
};

struct apk_keyring {
	struct apk_meta meta;     /* the file's header: its hash key */
	size_t n;                 /* records in use */
	size_t cap;               /* records allocated */
	struct apk_record *recs;  /* in creation order */
};

/* An empty keyring with a fresh random hash key (a new account file's). */
void apk_keyring_init(struct apk_keyring *kr);

/* Wipes and frees the records; kr is then empty (apk_keyring_init again to reuse). */
void apk_keyring_free(struct apk_keyring *kr);

/* Appends a copy of r, as read from a file: APK_ERR_LIMIT above the
 * decoder's bound, APK_ERR_NOMEM. No check of its fields or of overlap. */
enum apk_err apk_keyring_append(struct apk_keyring *kr, const struct apk_record *r);

/* A record belongs to acct when both its uid and its owner name match; a
 * key made before the account was renamed belongs to nobody. */
int apk_keyring_owns(const struct apk_account *acct, const struct apk_record *r);

/* acct's key with id word, else acct's key named word; NULL when none.
 * The pointer is into kr and valid until kr changes. */
struct apk_record *apk_keyring_find(const struct apk_keyring *kr, const struct apk_account *acct,
				    const char *word);

/* How many of the keyring's keys belong to acct. */
size_t apk_keyring_count(const struct apk_keyring *kr, const struct apk_account *acct);

/* Whether name may be given to key self (NULL: a new key) of acct: APK_OK,
 * APK_ERR_NAMEISID when it is one of the keyring's ids (any key's, self's
 * too), APK_ERR_EXISTS when another of acct's keys has it. The check every
 * command that sets a name makes. */
enum apk_err apk_keyring_name_free(const struct apk_keyring *kr, const struct apk_account *acct,
				   const char *name, const struct apk_record *self);

/* Creates a key for acct named name (NULL: the first free "key-N") with
 * description desc (NULL: empty), created at now, with an id that is none
 * of the keyring's ids or names. Writes the token (shown once) to
 * token_out; *added (may be NULL) points at the new record in kr.
 * APK_ERR_LIMIT at APK_MAX_KEYS_PER_USER keys of acct, APK_ERR_NORANDOM
 * when the random generator keeps giving ids in use, or as
 * apk_keyring_name_free. */
enum apk_err apk_keyring_generate(struct apk_keyring *kr, const struct apk_account *acct,
				  const char *name, const char *desc, int64_t now,
				  char token_out[APK_KEY_LEN + 1], struct apk_record **added);

/* apk_keyring_generate with the limit max_keys (the administrator's
 * policy) in place of APK_MAX_KEYS_PER_USER: APK_ERR_LIMIT when acct holds
 * max_keys keys or more. The new key has no lifecycle restriction; the
 * caller sets them on *added. */
enum apk_err apk_keyring_generate_within(struct apk_keyring *kr, const struct apk_account *acct,
					 const char *name, const char *desc, int64_t now,
					 size_t max_keys, char token_out[APK_KEY_LEN + 1],
					 struct apk_record **added);

/* Replaces acct's key old (from apk_keyring_find) with a new one, as one
 * change of kr:
 *  - the old key is renamed to the first free of NAME.old, NAME.old-2,
 *    NAME.old-3, ... (NAME its name, cut short so that the new name fits
 *    APK_NAME_MAX) and expires at old_expires, or at its own expiry when
 *    that is earlier: rotating never lets a key live longer;
 *  - a new key (a fresh id and secret, created at now) takes the name NAME,
 *    the old key's description, services and networks, expires at
 *    new_expires (0: never) and is enabled.
 * The new key's token goes to token_out; *added and *renamed point at the
 * new and the old record in kr (valid until kr changes). APK_ERR_LIMIT when
 * acct already holds max_keys keys, else as apk_keyring_generate; on any
 * error kr is as it was. */
enum apk_err apk_keyring_rotate(struct apk_keyring *kr, const struct apk_account *acct,
				struct apk_record *old, int64_t now, int64_t old_expires,
				int64_t new_expires, size_t max_keys,
				char token_out[APK_KEY_LEN + 1], struct apk_record **added,
				struct apk_record **renamed);

/* Sets r's disabled flag. */
void apk_keyring_set_disabled(struct apk_record *r, bool disabled);

/* Gives acct's key r (from apk_keyring_find) the name newname, as
 * apk_keyring_name_free allows; renaming a key to its own name is no change. */
enum apk_err apk_keyring_rename(const struct apk_keyring *kr, const struct apk_account *acct,
				struct apk_record *r, const char *newname);

/* Sets r's description; APK_ERR_INVALID when it does not fit the record. */
enum apk_err apk_keyring_describe(struct apk_record *r, const char *desc);

/* Removes the key with this id; APK_ERR_NOTFOUND when there is none. */
enum apk_err apk_keyring_delete(struct apk_keyring *kr, const char *id);

#endif
