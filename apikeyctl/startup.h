/* startup.h - what the helper does after giving up root (privdrop.h) and
 * hardening its process (harden.h), before it looks at its arguments */
#ifndef APKCTL_STARTUP_H
#define APKCTL_STARTUP_H

#include <stddef.h>
#include <sys/types.h>

#include "keyring.h"

/* The database directory: the compiled-in path, or for a build run by its
 * own user (ids_changed 0) APIKEY_DB when set, read through secure_getenv.
 * Returns 0, or -1 with a message in err. */
int startup_dbdir(int ids_changed, char *dbdir, size_t dbsz, char *err, size_t errsz);

/* The administrator's file, pam_apikey.conf: the compiled-in path, or for
 * a build run by its own user (ids_changed 0) APIKEY_POLICY when set, read
 * through secure_getenv (a set-user-ID caller never picks the file). Call
 * before the environment is cleared. NULL when APIKEY_POLICY is set but not
 * an absolute path. */
const char *startup_policy_path(int ids_changed);

/* Clears the whole environment. Returns 0, or -1 with a message in err. */
int startup_clear_environment(char *err, size_t errsz);

/* The caller: uid (recorded from getuid() before the ids changed) and its
 * passwd entry, and nothing else. */
int startup_caller(uid_t uid, struct apk_account *caller, char *err, size_t errsz);

/* The account named user (--user) through NSS, exactly that name (no
 * alias, no case folding): uid and name into *acct. -1 when the name is
 * not valid or no account has it. */
int startup_account(const char *user, struct apk_account *acct);

#endif
