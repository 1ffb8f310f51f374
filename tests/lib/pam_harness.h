/* pam_harness.h - real libpam transactions against the built module
 * (pam_start_confdir with a private service directory; no root needed) */
#ifndef APK_PAM_HARNESS_H
#define APK_PAM_HARNESS_H

#include <limits.h>

#include <security/pam_appl.h>

#include "keyfmt.h"
#include "pam_conv.h"
#include "test_db.h"

#define OTHER_USER "daemon" /* a second real account on every Debian system */

/* A file the build made, as an absolute path in path: $APK_BUILD/NAME, else ./build/NAME. */
const char *built_path(const char *name, char path[PATH_MAX]);
/* The module under test, and the test module that records what reaches the
 * rest of the stack (tests/spy). */
const char *module_path(void);
const char *spy_path(void);

/* Writes DIR/SERVICE with the given lines (each "%M" replaced by module_path()). */
void write_service(const char *dir, const char *service, const char *lines);

/* One pam_authenticate (and pam_setcred after a success) with the given
 * conversation and PAM_RHOST 203.0.113.7; returns its code, -1000 - code
 * when pam_start failed, -2000 - code when pam_setcred did. */
int pam_run_conv(const char *confdir, const char *service, const char *user,
		 const struct pam_conv *conv);
/* The same answered by cs (its counts reset first). */
int pam_run(const char *confdir, const char *service, const char *user, struct conv_script *cs);

/* The name of the account running the test. */
const char *me(void);

/* What every PAM test program starts from: libsodium ready, a private
 * database t holding key "mine" of the running account (its token in mine)
 * and, unless theirs is NULL, key "theirs" of OTHER_USER (its token in
 * theirs), and an empty service directory conf = t->dir/pam.d.
 * 0, or -1 when any of it failed. */
int pam_fixture(struct test_db *t, char conf[PATH_MAX], char mine[APK_KEY_LEN + 1],
		char theirs[APK_KEY_LEN + 1]);

#endif
