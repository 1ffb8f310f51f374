/* policy.h - the administrator's policy for keys, /etc/security/pam_apikey.conf
 * (pam_apikey.conf(5)); read by apikeyctl only, never by the module: what
 * the module enforces is in each key's record.
 *
 * The file is `name = value` lines in the way of faillock.conf: `#` starts
 * a comment (to the end of the line), blank lines are ignored, spaces and
 * tabs around names and values too. Every setting is optional, at most once:
 *
 *   max_keys = N           keys per account, 1-1000 (default: the build's
 *                          APK_MAX_KEYS_PER_USER, 100)
 *   max_lifetime = DAYS    the longest lifetime of a key, 1-100000 days:
 *                          an expiry later than that, or never, is refused
 *                          (default: no limit)
 *   default_lifetime = DAYS | never
 *                          the expiry of a key made without --expires
 *                          (default: max_lifetime when it is set, else never);
 *                          must be within max_lifetime
 *   services = LIST        the services of a key made without --service, as
 *                          --service takes them, spaces after the commas
 *                          allowed (default: all)
 *
 * No file: the defaults. Anything else in the file (an unknown name, a bad
 * value, a setting given twice, a line without `=`, a control character or
 * a NUL, more than 64 KiB) makes the whole file malformed; the caller then
 * refuses every change (and may still read).
 */
#ifndef APK_POLICY_H
#define APK_POLICY_H

#include <stddef.h>

#include "apk_error.h"
#include "services.h"

#define APK_POLICY_MAX_BYTES 65536      /* the largest policy file read */
#define APK_POLICY_MAX_KEYS 1000        /* the highest max_keys (the index's bound) */
#define APK_POLICY_MAX_DAYS 100000      /* the highest lifetime in days */

struct apk_policy {
	unsigned max_keys;
	unsigned max_lifetime;              /* days; 0: no limit */
	unsigned default_lifetime;          /* days; 0: never */
	struct apk_services services;       /* empty: every service */
};

/* The policy with no file. */
void policy_defaults(struct apk_policy *p);

/* Parses a policy file's text (len bytes, not NUL-terminated) into *p.
 * APK_OK, or APK_ERR_INVALID with *p set to the defaults and err (errsz
 * bytes) one line "line N: what is wrong". */
enum apk_err policy_parse(const char *text, size_t len, struct apk_policy *p, char *err,
			  size_t errsz);

/* Reads the policy at path into *p. No file (ENOENT): the defaults, APK_OK.
 * The file is opened with O_NOFOLLOW and O_NONBLOCK and must be a regular
 * file owned by root that neither its group nor others may write, else
 * APK_ERR_UNSAFE; APK_ERR_UNAVAIL when it cannot be read; APK_ERR_INVALID
 * when it is malformed. On every error *p holds the defaults and err one
 * line starting with the path. */
enum apk_err policy_load(const char *path, struct apk_policy *p, char *err, size_t errsz);

/* Where the policy is: the build's APK_POLICY_PATH, or $APIKEY_POLICY for
 * a test build run without privilege (read with secure_getenv, so never for
 * a set-user-ID process, whose caller must not pick the file). Call before
 * the environment is cleared. NULL when $APIKEY_POLICY is set but not an
 * absolute path. */
const char *policy_path(void);

#endif
