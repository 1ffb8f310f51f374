/* conffile.h - the administrator's file, /etc/security/pam_apikey.conf
 * (pam_apikey.conf(5)): read safely and parsed in one place for every
 * program that needs a setting from it, as pam_faillock's module and command
 * share faillock_config.c. apikeyctl reads it at each command; the module
 * needs none of its settings today and does not read it (the parser is in
 * the common library, without any tie to apikeyctl, for the day it does).
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
 *   verify_uid_min = UID   the lowest and highest uid of an account that
 *   verify_uid_max = UID   apikeyd answers for (for callers that are not
 *                          root: web servers and the like), 1-4294967294,
 *                          min <= max (defaults 1000 and 60000, Debian's
 *                          range for people's accounts); never root (0)
 *   fleet_uri = URI        the directory apikeyctl --fleet works on: ldapi://
 *                          (a local socket), ldaps:// or ldap:// (StartTLS,
 *                          never in the clear) (default: none, no --fleet)
 *   fleet_base = DN        where accounts are searched by uid
 *   fleet_tls_cacert = FILE
 *                          the CA that signs the server's certificate (an
 *                          absolute path); needed for ldaps:// and ldap://
 *   fleet_bind_dn = DN     apikeyd's mirror binds as this host entry, with
 *   fleet_bind_password_file = FILE
 *                          its password (both or neither)
 *   fleet_sasl_mech = EXTERNAL
 *                          or binds with SASL EXTERNAL (ldapi:// only)
 *   fleet_sasl_mech = GSSAPI
 *                          apikeyctl --fleet binds with the caller's
 *                          Kerberos ticket when there is one, else with
 *                          their password; apikeyd binds as above, or:
 *   fleet_keytab = FILE    apikeyd binds with SASL GSSAPI as the host's
 *                          principal, its key in this keytab (needs
 *                          fleet_sasl_mech GSSAPI; not with fleet_bind_dn)
 *   fleet_refresh = TIME   apikeyd's poll period where the server offers no
 *                          Content Sync: N (seconds), Ns, Nm, Nh or Nd, at
 *                          most 365d (default 5m)
 *   fleet_max_stale = TIME directory keys are refused once the mirror has not
 *                          been refreshed for this long; 0: never (default 15m)
 *   fleet_host_name = NAME this host's name for --hosts (default: gethostname)
 *
 * No file: the defaults. Anything else in the file (an unknown name, a bad
 * value, a setting given twice, a line without `=`, a control character or
 * a NUL, more than 64 KiB) makes the whole file malformed: every setting is
 * then the default and the caller decides (apikeyctl refuses every change
 * and still reads).
 *
 * A setting is one row of the table in conffile.c (its name, its type with
 * its bound and default, where its value goes) and one field below.
 */
#ifndef APK_CONFFILE_H
#define APK_CONFFILE_H

#include <stddef.h>

#include "apk_error.h"
#include "services.h"

#define APK_CONF_MAX_BYTES 65536      /* the largest file read */
#define APK_CONF_MAX_KEYS 1000        /* the highest max_keys (the index's bound) */
#define APK_CONF_MAX_DAYS 100000      /* the highest lifetime in days */
#define APK_CONF_MAX_UID 4294967294u  /* the highest verify_uid_min/max ((uid_t)-2) */
#define APK_CONF_VERIFY_UID_MIN 1000  /* the accounts apikeyd answers for, by default */
#define APK_CONF_VERIFY_UID_MAX 60000
#define APK_CONF_TEXT_MAX 1024        /* bytes of a text setting (a URI, a DN, a path) */
#define APK_CONF_MAX_SECONDS 31536000 /* the longest duration: 365 days */
#define APK_CONF_FLEET_REFRESH 300    /* apikeyd polls every 5 minutes by default */
#define APK_CONF_FLEET_MAX_STALE 900  /* a mirror is stale after 15 minutes by default */

struct apk_conf {
	unsigned max_keys;
	unsigned max_lifetime;              /* days; 0: no limit */
	unsigned default_lifetime;          /* days; 0: never */
	struct apk_services services;       /* empty: every service */
	unsigned verify_uid_min;            /* apikeyd: accounts it answers for */
	unsigned verify_uid_max;
	char fleet_uri[APK_CONF_TEXT_MAX + 1];        /* "": not set */
	char fleet_base[APK_CONF_TEXT_MAX + 1];
	char fleet_tls_cacert[APK_CONF_TEXT_MAX + 1];
	/* apikeyd's mirror of the directory's keys (every text field holds
	 * APK_CONF_TEXT_MAX bytes: the parser's one bound) */
	char fleet_bind_dn[APK_CONF_TEXT_MAX + 1];            /* "": not set */
	char fleet_bind_password_file[APK_CONF_TEXT_MAX + 1];
	char fleet_sasl_mech[APK_CONF_TEXT_MAX + 1];          /* "", EXTERNAL or GSSAPI */
	char fleet_keytab[APK_CONF_TEXT_MAX + 1];             /* "": none (GSSAPI: apikeyd's) */
	unsigned fleet_refresh;                               /* seconds between polls */
	unsigned fleet_max_stale;                             /* seconds; 0: never stale */
	char fleet_host_name[APK_CONF_TEXT_MAX + 1];          /* "": gethostname() */
};

/* Every setting at its default: the file's meaning when there is none. */
void apk_conf_defaults(struct apk_conf *c);

/* Parses a file's text (len bytes, not NUL-terminated) into *c. APK_OK,
 * or APK_ERR_INVALID with *c set to the defaults and err (errsz bytes) one
 * line "line N: what is wrong" (or "larger than 65536 bytes"). */
enum apk_err apk_conf_parse(const char *text, size_t len, struct apk_conf *c, char *err,
			    size_t errsz);

/* Reads the file at path into *c. No file (ENOENT): the defaults, APK_OK.
 * The file is opened with O_NOFOLLOW and O_NONBLOCK and must be a regular
 * file owned by root that neither its group nor others may write, else
 * APK_ERR_UNSAFE; APK_ERR_UNAVAIL when it cannot be read (or path is not
 * absolute); APK_ERR_NOMEM; APK_ERR_INVALID when it is malformed. On every error *c holds
 * the defaults and err one line starting with the path. */
enum apk_err apk_conf_load(const char *path, struct apk_conf *c, char *err, size_t errsz);

#endif
