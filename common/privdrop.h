/* privdrop.h - a privileged start, before anything else runs (apikeyctl, apikeyd) */
#ifndef APK_PRIVDROP_H
#define APK_PRIVDROP_H

#include <stddef.h>
#include <sys/types.h>

/* Opens /dev/null on each of fds 0-2 that is closed, so that no file opened
 * later lands there. *closed gets bit N set for each fd N that was closed.
 * Returns 0, or -1 (with nothing said: stderr may be the bad one). */
int reopen_closed_std_fds(int *closed);

/* For a process whose effective uid is root: becomes the account named
 * account for good (no supplementary groups, real, effective and saved
 * gid and uid the account's) and checks that neither root nor caller (a
 * uid) nor the process's former real gid can be regained. Returns 0, or -1
 * with a message in err (the caller must then exit). */
int become_account(const char *account, uid_t caller, char *err, size_t errsz);

/* Records the caller (getuid()) in *caller, then, when the process has
 * privilege to give up (set-user-ID for this caller, or root running a
 * set-user-ID binary), becomes the account named helper for good: no
 * supplementary groups, real, effective and saved gid and uid the
 * account's (become_account). A build run by its own user changes nothing.
 * Returns 1 when the ids changed, 0 when they did not, or -1 with a message in err (the
 * caller must then exit). */
int drop_to_helper(const char *helper, uid_t *caller, char *err, size_t errsz);

/* apikeyctl --fleet, which needs no privilege: records the caller
 * (getuid()) in *caller and sets the real, effective and saved gid and uid
 * to the real ones (the supplementary groups are the caller's already),
 * then checks them, and that a former effective uid other than the
 * caller's cannot be regained. Returns 1 when the ids changed, 0 when
 * there was nothing to give up, -1 with a message in err. */
int drop_to_caller(uid_t *caller, char *err, size_t errsz);

#endif
