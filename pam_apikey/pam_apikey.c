/* pam_apikey.c - the PAM entry points: authenticate a user with one of their API keys
 *
 * Everything but the PAM glue lives in common/: option parsing
 * (pam_options.c) and the verification itself (verify.c). */
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include <sodium.h>

#include "keyfmt.h"
#include "log.h"
#include "pam_options.h"
#include "validate.h"
#include "verify.h"

#define FAIL_DELAY_USEC 2000000u
#define RESPONSE_MAX 512 /* PAM_MAX_RESP_SIZE */
/* Built with -fvisibility=hidden: only these leave the module. */
#define APK_EXPORT __attribute__((visibility("default")))

/* One place maps our errors to PAM's. Nothing but APK_OK is success. */
static int pam_code(enum apk_err err)
{
	switch (err) {
	case APK_OK:
		return PAM_SUCCESS;
	case APK_ERR_NOUSER:
		return PAM_USER_UNKNOWN;
	case APK_ERR_NOMEM:
		return PAM_BUF_ERR;
	case APK_ERR_UNAVAIL:
	case APK_ERR_UNSAFE:
	case APK_ERR_CORRUPT:
	case APK_ERR_BUSY:
		return PAM_AUTHINFO_UNAVAIL;
	default:
		return PAM_AUTH_ERR;
	}
}

/* A PAM item, escaped into buf for a log line; "-" when unset. */
static void item_str(pam_handle_t *pamh, int type, char *buf, size_t bufsz)
{
	const void *v = NULL;

	if (pam_get_item(pamh, type, &v) != PAM_SUCCESS || v == NULL)
		v = "-";
	apk_escape(v, buf, bufsz);
}

APK_EXPORT int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct apk_pam_options opts;
	struct apk_record rec;
	const char *user = NULL, *token = NULL, *bad = NULL;
	char euser[APK_USER_MAX * 4 + 1], esvc[256], erhost[256], ename[APK_NAME_MAX * 4 + 1];
	enum apk_err err;
	size_t len;
	int ret = PAM_AUTH_ERR, has = 0;

	(void)flags;
	memset(&rec, 0, sizeof(rec));
	if (apk_pam_options_parse(argc, argv, &opts, &bad) != 0) {
		char ebad[256];
		pam_syslog(pamh, LOG_ERR, "bad module argument: %s",
			   apk_escape(bad, ebad, sizeof(ebad)));
		return PAM_SERVICE_ERR;
	}
	if (sodium_init() < 0) {
		pam_syslog(pamh, LOG_ERR, "libsodium failed to initialise");
		return PAM_SERVICE_ERR;
	}
	ret = pam_get_user(pamh, &user, NULL);
	if (ret != PAM_SUCCESS || user == NULL) {
		pam_syslog(pamh, LOG_NOTICE, "cannot determine the user: %s", pam_strerror(pamh, ret));
		return ret == PAM_CONV_AGAIN ? PAM_INCOMPLETE
		       : ret == PAM_SUCCESS ? PAM_USER_UNKNOWN : ret;
	}
	if (!opts.nodelay)
		pam_fail_delay(pamh, FAIL_DELAY_USEC);

	ret = pam_get_authtok(pamh, PAM_AUTHTOK, &token, opts.prompt);
	if (ret != PAM_SUCCESS || token == NULL) {
		pam_syslog(pamh, LOG_NOTICE, "cannot read the API key: %s", pam_strerror(pamh, ret));
		return ret == PAM_CONV_AGAIN ? PAM_INCOMPLETE
		       : ret == PAM_SUCCESS ? PAM_AUTH_ERR : ret;
	}

	apk_escape(user, euser, sizeof(euser));
	item_str(pamh, PAM_SERVICE, esvc, sizeof(esvc));
	item_str(pamh, PAM_RHOST, erhost, sizeof(erhost));

	len = strnlen(token, RESPONSE_MAX + 1);
	err = len > RESPONSE_MAX ? APK_ERR_BADKEY : apk_verify(opts.db, user, token, len, &rec);
	ret = pam_code(err);
	if (opts.debug) {
		char edb[512];
		pam_syslog(pamh, LOG_DEBUG, "user %s, database %s: %s", euser,
			   apk_escape(opts.db, edb, sizeof(edb)), apk_strerror(err));
	}
	/* nokeys_ignore: an account without keys is not ours to refuse, whatever
	 * was typed. Never success: the rest of the stack decides. */
	if (ret == PAM_AUTH_ERR && opts.nokeys_ignore &&
	    apk_account_has_keys(opts.db, user, &has) == APK_OK && !has)
		ret = PAM_IGNORE;

	if (ret == PAM_SUCCESS) {
		pam_syslog(pamh, LOG_INFO, "accepted key %s (id %s) for user %s service %s rhost %s",
			   apk_escape(rec.name, ename, sizeof(ename)), rec.id, euser, esvc, erhost);
	} else {
		pam_syslog(pamh, LOG_NOTICE,
			   "refused key (id %s) for user %s service %s rhost %s: %s",
			   rec.id[0] != '\0' ? rec.id : "malformed", euser, esvc, erhost,
			   apk_strerror(err));
	}
	sodium_memzero(&rec, sizeof(rec));
	return ret;
}

APK_EXPORT int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}
