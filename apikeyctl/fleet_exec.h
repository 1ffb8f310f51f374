/* fleet_exec.h - apikeyctl --fleet hands over to apikeyctl-fleet, the
 * unprivileged program that alone links libldap (doc/SECURITY.md): the
 * set-user-ID apikeyctl loads no directory library, so none of their
 * constructors ever runs as root. */
#ifndef APKCTL_FLEET_EXEC_H
#define APKCTL_FLEET_EXEC_H

#include <stddef.h>

/* The fleet program's path, compiled in (the Makefile's LIBEXECDIR); the
 * tests' build of apikeyctl names the build tree's. */
#ifndef APK_FLEET_PROG
#error "APK_FLEET_PROG (the path of apikeyctl-fleet) is set by the Makefile"
#endif

/* Executes APK_FLEET_PROG with argv (argv[0] its path, the rest as given)
 * and a new environment holding only KRB5CCNAME (the caller's Kerberos
 * ticket cache, for a GSSAPI bind) and, when ids_changed is 0 (a build run
 * by its own user, as startup_policy_path decides), APIKEY_POLICY. Each of
 * fds 0-2 whose bit is set in closed_fds (reopen_closed_std_fds) is closed
 * again first, so that the program sees what the caller gave (a closed
 * standard output must refuse a new key, never swallow it). The process
 * must already run with the caller's ids alone (drop_to_caller). Returns
 * only on failure, with one line in err. */
int fleet_exec(int ids_changed, int closed_fds, char *const argv[], char *err, size_t errsz);

#endif
