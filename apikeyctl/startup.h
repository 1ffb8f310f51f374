/* startup.h - what the setuid helper does before it looks at its arguments */
#ifndef APKCTL_STARTUP_H
#define APKCTL_STARTUP_H

#include <stddef.h>
#include <sys/types.h>

#include "keyring.h"

/* Makes fds 0-2 valid (opened on /dev/null when closed) and closes every
 * other descriptor, ignores SIGXFSZ, sets umask 077,
 * forbids core dumps and ptrace attach (not dumpable), reads APIKEY_DB
 * through secure_getenv (ignored when setuid) into dbpath, then clears
 * the whole environment. *closed_fds gets bit N set for each of fds 0-2
 * that was closed. Returns 0, or -1 with a message in err. */
int startup_sanitize(char *dbpath, size_t dbsz, int *closed_fds, char *err, size_t errsz);

/* The caller: getuid() and its passwd entry, and nothing else. */
int startup_caller(struct apk_account *caller, char *err, size_t errsz);

/* Becomes the effective user for good (real, effective and saved uids)
 * and checks that the caller's uid cannot be regained. */
int startup_drop_privileges(char *err, size_t errsz);

#endif
