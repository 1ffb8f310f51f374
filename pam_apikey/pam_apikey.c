/* pam_apikey.c - the PAM entry points: authenticate a user with one of their API keys
 *
 * The module asks for the key through the conversation and never stores
 * it as PAM_AUTHTOK: no module stacked after this one receives a key.
 * try_first_pass and use_first_pass only read a token an earlier module
 * stored; forward_pass hands on an answer that is not key-like (keylike.h:
 * a password typed at the one prompt) and nothing else. Once a key's secret has
 * matched, its record decides whether this login may use it (expiry,
 * disabled, services, source networks, hosts; a directory key also the
 * mirror's freshness, keyset.h); a login it lets through sets
 * PAM_APIKEY_ID and PAM_APIKEY_NAME, may warn of a near expiry and is
 * recorded as the key's last use (lastused.c). Everything but the PAM glue lives in
 * common/: option parsing (pam_options.c), the verification itself
 * (verify.c) and the record's verdict (permit.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include <sodium.h>

#include "keyfmt.h"
#include "keylike.h"
#include "keyset.h"
#include "pam_options.h"
#include "permit.h"
#include "validate.h"
#include "verify.h"
#include "verify_client.h"
#include "when.h"

#define FAIL_DELAY_USEC 2000000u
/* Built with -fvisibility=hidden: only these leave the module. */
#define APK_EXPORT __attribute__((visibility("default")))

/* Who is logging in from where, when: as PAM gave it (service and rhost
 * NULL when unset), and escaped for the log lines. */
struct attempt {
	struct apk_keyset *keys; /* where the user's keys come from */
	const char *user, *service, *rhost;
	int flags;   /* pam_sm_authenticate's: PAM_SILENT */
	int64_t now; /* the one time every check of this attempt uses */
	char euser[APK_USER_MAX * 4 + 1], esvc[256], erhost[256];
	/* Not root and no way into the database (or socket=): apikeyd is asked
	 * at this socket, and does the checks and the last use itself. */
	bool remote;
	char socket[APK_PAM_SOCKET_MAX];
};

/* One place maps our errors and the record's verdict to PAM's. Nothing but
 * APK_OK with APK_PERMIT_OK is success; a key whose record refuses this
 * login is PAM_AUTH_ERR. */
static int pam_code(enum apk_err err, enum apk_permit permit)
{
	switch (err) {
	case APK_OK:
		return permit == APK_PERMIT_OK ? PAM_SUCCESS : PAM_AUTH_ERR;
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

/* PAM_CONV_AGAIN asks the application to call again: PAM_INCOMPLETE. */
static int pam_read_code(int ret, int when_null)
{
	return ret == PAM_CONV_AGAIN ? PAM_INCOMPLETE : ret == PAM_SUCCESS ? when_null : ret;
}

/* A string PAM item as PAM holds it, or NULL when unset; its escaped form
 * in buf for a log line ("-" when unset). */
static const char *item_str(pam_handle_t *pamh, int type, char *buf, size_t bufsz)
{
	const void *v = NULL;

	if (pam_get_item(pamh, type, &v) != PAM_SUCCESS)
		v = NULL;
	apk_escape(v != NULL ? v : "-", buf, bufsz);
	return v;
}

/* Wipes and frees an answer the conversation gave us. */
static void forget(char **answer)
{
	if (*answer != NULL) {
		sodium_memzero(*answer, strlen(*answer));
		free(*answer);
		*answer = NULL;
	}
}

/* One answer to a hidden prompt, in *answer (the caller forgets it), or a
 * PAM failure code with *answer NULL. Nothing is stored in the handle. */
static int ask(pam_handle_t *pamh, const char *prompt, char **answer)
{
	int ret;

	*answer = NULL;
	ret = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, answer, "%s", prompt);
	if (ret == PAM_SUCCESS && *answer != NULL)
		return PAM_SUCCESS;
	forget(answer); /* a failed conversation may still have answered */
	ret = pam_read_code(ret, PAM_CONV_ERR);
	pam_syslog(pamh, LOG_NOTICE, "cannot read the API key: %s", pam_strerror(pamh, ret));
	return ret;
}

/* The token an earlier module of the stack stored, or NULL. It belongs to
 * libpam: read, never changed. */
static const char *earlier_token(pam_handle_t *pamh)
{
	const void *tok = NULL;

	return pam_get_item(pamh, PAM_AUTHTOK, &tok) == PAM_SUCCESS ? tok : NULL;
}

/* forward_pass keeps every key attempt to itself: any answer that is
 * key-like (keylike.h: the prefix in any case, or 32 characters of the key
 * alphabet in all). That is every well-formed key, and also a key with its
 * prefix cut or mistyped, caps lock on, spaces or separators inserted, or
 * only its last part, each of which still carries most of its secret. */
static int key_attempt(const char *answer)
{
	return apk_key_like(answer, strlen(answer));
}

/* Sets PAM_APIKEY_ID and PAM_APIKEY_NAME for the session to come: a PAM
 * code. The id and name were validated when decoded; checked again here,
 * as they go into an environment. Both or neither. */
static int export_key(pam_handle_t *pamh, const struct apk_record *rec)
{
	char var[sizeof("PAM_APIKEY_NAME=") + APK_NAME_MAX];
	int ret;

	if (!apk_id_valid(rec->id) || !apk_name_valid(rec->name))
		return PAM_SYSTEM_ERR;
	snprintf(var, sizeof(var), "PAM_APIKEY_ID=%s", rec->id);
	if ((ret = pam_putenv(pamh, var)) != PAM_SUCCESS)
		return ret == PAM_BUF_ERR ? ret : PAM_SYSTEM_ERR;
	snprintf(var, sizeof(var), "PAM_APIKEY_NAME=%s", rec->name);
	if ((ret = pam_putenv(pamh, var)) != PAM_SUCCESS) {
		pam_putenv(pamh, "PAM_APIKEY_ID"); /* no half-set environment */
		return ret == PAM_BUF_ERR ? ret : PAM_SYSTEM_ERR;
	}
	return PAM_SUCCESS;
}

/* After a login: "This API key expires on YYYY-MM-DD HH:MM UTC." when
 * the key expires within warn= days, unless PAM_SILENT. Never fails. */
static void warn_expiry(pam_handle_t *pamh, const struct apk_pam_options *opts,
			const struct attempt *a, const struct apk_record *rec)
{
	char iso[APK_TIME_ISO_LEN + 1];

	if ((a->flags & PAM_SILENT) || !apk_expires_within(rec, a->now, opts->warn_days))
		return;
	apk_time_iso(rec->expires, iso, sizeof(iso)); /* YYYY-MM-DDTHH:MM:SSZ */
	if (pam_info(pamh, "This API key expires on %.10s %.5s UTC.", iso, iso + 11) !=
	    PAM_SUCCESS && opts->debug)
		pam_syslog(pamh, LOG_DEBUG, "cannot show the expiry warning");
}

/* After a login: the key's last use (time, service, PAM_RHOST) into its
 * slot, in the directory the key was read from (opened once: the
 * database's, or the mirror's for a directory key).
 * Best effort: one pwrite into an existing file, no lock, no wait;
 * whatever happens the login stands, and only debug logs it. */
static void record_use(pam_handle_t *pamh, const struct apk_pam_options *opts,
		       const struct attempt *a, const struct apk_record *rec)
{
	enum apk_err e = apk_keyset_record_use(a->keys, rec, a->now, a->service, a->rhost);

	if (opts->debug)
		pam_syslog(pamh, LOG_DEBUG, "last use of key %s: %s", rec->id,
			   e == APK_OK ? "recorded" : apk_strerror(e));
}

/* What a refusal's log line adds under forward_pass: where the answer went. */
#define NOTE_PASSED_ON " (passed on to the next module)"
#define NOTE_KEPT_BACK " (not passed on to the next module)"

/* nokeys_ignore: whether the account has no key at all, as the key source
 * (or, for a remote attempt, the daemon's answer rem) says; unknown is no. */
static bool account_without_keys(const struct attempt *a, const struct apk_remote *rem)
{
	int has = 0;

	if (a->remote)
		return rem != NULL && rem->has_keys == 0;
	return apk_account_has_keys_set(a->keys, a->user, &has) == APK_OK && !has;
}

/* The PAM code for err and the record's verdict permit, after
 * nokeys_ignore, and the one log line every attempt gets. rec: the matched
 * record, or only the id presented (empty when the answer was no key);
 * note: appended to a refusal's line ("" or a NOTE_*); rem: what apikeyd
 * said (NULL in-process, or when it was not asked); reason: the refusal's
 * reason in-process when the record's verdict is not enough (NULL). A success also sets the
 * session's environment (export_key: a failure there fails the login), may
 * warn of the key's expiry and, in-process, records the key's last use
 * (apikeyd records it itself). */
static int outcome(pam_handle_t *pamh, const struct apk_pam_options *opts,
		   const struct attempt *a, enum apk_err err, enum apk_permit permit,
		   const struct apk_record *rec, const char *note, const struct apk_remote *rem,
		   const char *reason)
{
	char ename[APK_NAME_MAX * 4 + 1];
	int ret = pam_code(err, permit);
	const char *why = rem != NULL && rem->why[0] != '\0' ? rem->why : reason;

	if (opts->debug) {
		char edb[512];
		pam_syslog(pamh, LOG_DEBUG, "user %s, database %s%s%s: %s", a->euser,
			   apk_escape(opts->db, edb, sizeof(edb)), a->remote ? " through " : "",
			   a->remote ? a->socket : "", apk_strerror(err));
	}
	/* nokeys_ignore: an account without keys is not ours to refuse, whatever
	 * was typed. Never success: the rest of the stack decides. */
	if (ret == PAM_AUTH_ERR && opts->nokeys_ignore && account_without_keys(a, rem))
		ret = PAM_IGNORE;

	if (ret == PAM_SUCCESS && (ret = export_key(pamh, rec)) != PAM_SUCCESS) {
		pam_syslog(pamh, LOG_ERR,
			   "refused key (id %s) for user %s service %s rhost %s: "
			   "cannot set PAM_APIKEY_ID and PAM_APIKEY_NAME: %s",
			   rec->id, a->euser, a->esvc, a->erhost, pam_strerror(pamh, ret));
		return ret;
	}
	if (ret == PAM_SUCCESS) {
		pam_syslog(pamh, LOG_INFO, "accepted key %s (id %s) for user %s service %s rhost %s",
			   apk_escape(rec->name, ename, sizeof(ename)), rec->id, a->euser, a->esvc,
			   a->erhost);
		warn_expiry(pamh, opts, a, rec);
		if (!a->remote)
			record_use(pamh, opts, a, rec);
	} else {
		pam_syslog(pamh, LOG_NOTICE,
			   "refused key (id %s) for user %s service %s rhost %s: %s%s",
			   rec->id[0] != '\0' ? rec->id : "malformed", a->euser, a->esvc, a->erhost,
			   why != NULL      ? why
			   : err != APK_OK ? apk_strerror(err)
					   : apk_permit_reason(permit),
			   note);
	}
	return ret;
}

/* token checked as a key of the user: a PAM code (note: outcome's). Only
 * a key whose secret matched has its record asked whether it lets this
 * login through: a wrong secret is "key does not match" whatever the key's
 * state, and costs what it did before there were restrictions. */
static int check(pam_handle_t *pamh, const struct apk_pam_options *opts,
		 const struct attempt *a, const char *token, const char *note)
{
	struct apk_record rec;
	struct apk_remote rem;
	size_t len = strnlen(token, PAM_MAX_RESP_SIZE + 1);
	enum apk_err err = APK_ERR_BADKEY;
	enum apk_permit permit = APK_PERMIT_OK;
	char reason[128];
	int ret;

	memset(&rec, 0, sizeof(rec));
	if (a->remote) {
		/* too long to be a key: asked with nothing, which the daemon
		 * refuses as no key, as in-process (and nokeys_ignore learns) */
		err = apk_verify_remote(a->socket, a->user, a->service, a->rhost, token,
					len <= PAM_MAX_RESP_SIZE ? len : 0, opts->nokeys_ignore,
					&rec, &rem);
		permit = rem.permit;
	} else if (len <= PAM_MAX_RESP_SIZE) {
		/* the same calls as apikeyd's (apikeyd/handler.c) */
		err = apk_keyset_verify(a->keys, a->user, token, len, a->now, a->service,
					a->rhost, &rec, &permit);
		if (a->keys->duplicate)
			pam_syslog(pamh, LOG_ERR, APK_KEYSET_DUPLICATE_LOG, rec.id, a->euser);
	}
	ret = outcome(pamh, opts, a, err, permit, &rec, note, a->remote ? &rem : NULL,
		      err == APK_OK && permit != APK_PERMIT_OK && !a->remote
			      ? apk_keyset_reason(a->keys, permit, reason, sizeof(reason))
			      : NULL);
	sodium_memzero(&rec, sizeof(rec));
	return ret;
}

/* forward_pass: a key attempt is checked here and goes no further; any
 * other answer becomes PAM_AUTHTOK, for the next module to check as the
 * password, and is refused here. */
static int check_or_forward(pam_handle_t *pamh, const struct apk_pam_options *opts,
			    const struct attempt *a, const char *answer)
{
	struct apk_record none;
	struct apk_remote rem;
	int ret;

	if (key_attempt(answer))
		return check(pamh, opts, a, answer, NOTE_KEPT_BACK);
	ret = pam_set_item(pamh, PAM_AUTHTOK, answer);
	if (ret != PAM_SUCCESS) {
		pam_syslog(pamh, LOG_ERR, "cannot pass the answer on: %s", pam_strerror(pamh, ret));
		return ret;
	}
	memset(&none, 0, sizeof(none));
	/* remote nokeys_ignore: the daemon is asked about nothing, for has_keys */
	if (a->remote && opts->nokeys_ignore)
		apk_verify_remote(a->socket, a->user, a->service, a->rhost, "", 0, true, &none,
				  &rem);
	rem.why[0] = '\0'; /* the line says what became of the answer, not of this */
	memset(&none, 0, sizeof(none));
	return outcome(pamh, opts, a, APK_ERR_BADKEY, APK_PERMIT_OK, &none, NOTE_PASSED_ON,
		       a->remote && opts->nokeys_ignore ? &rem : NULL, NULL);
}

/* The answer (asked for, or an earlier module's token) checked: a PAM code. */
static int authenticate(pam_handle_t *pamh, const struct apk_pam_options *opts,
			const struct attempt *a)
{
	const char *earlier;
	char *answer = NULL;
	int ret;

	switch (opts->source) {
	case APK_USE_FIRST_PASS:
		if ((earlier = earlier_token(pamh)) == NULL) {
			pam_syslog(pamh, LOG_NOTICE, "no token from an earlier module for user %s",
				   a->euser);
			return PAM_AUTHTOK_RECOVERY_ERR;
		}
		return check(pamh, opts, a, earlier, "");
	case APK_TRY_FIRST_PASS:
		/* A wrong earlier token asks again; any other answer stands. */
		if ((earlier = earlier_token(pamh)) != NULL &&
		    (ret = check(pamh, opts, a, earlier, "")) != PAM_AUTH_ERR)
			return ret;
		break;
	case APK_ASK:
	case APK_FORWARD_PASS:
		break;
	}
	if ((ret = ask(pamh, opts->prompt, &answer)) != PAM_SUCCESS)
		return ret;
	if (opts->source == APK_FORWARD_PASS)
		ret = check_or_forward(pamh, opts, a, answer);
	else
		ret = check(pamh, opts, a, answer, "");
	forget(&answer);
	return ret;
}

APK_EXPORT int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct apk_pam_options opts;
	struct apk_keyset keys;
	struct attempt a;
	const char *bad = NULL;
	int ret;

	if (apk_pam_options_parse(argc, argv, &opts, &bad) != 0) {
		char ebad[256];
		pam_syslog(pamh, LOG_ERR, "bad module argument: %s",
			   apk_escape(bad, ebad, sizeof(ebad)));
		return PAM_SERVICE_ERR;
	}
	if (apk_crypto_init() != APK_OK) {
		pam_syslog(pamh, LOG_ERR, "libsodium failed to initialise");
		return PAM_SERVICE_ERR;
	}
	ret = pam_get_user(pamh, &a.user, NULL);
	if (ret != PAM_SUCCESS || a.user == NULL) {
		pam_syslog(pamh, LOG_NOTICE, "cannot determine the user: %s", pam_strerror(pamh, ret));
		return pam_read_code(ret, PAM_USER_UNKNOWN);
	}
	if (!opts.nodelay)
		pam_fail_delay(pamh, FAIL_DELAY_USEC);
	apk_escape(a.user, a.euser, sizeof(a.euser));
	a.service = item_str(pamh, PAM_SERVICE, a.esvc, sizeof(a.esvc));
	a.rhost = item_str(pamh, PAM_RHOST, a.erhost, sizeof(a.erhost));
	a.flags = flags;
	a.now = (int64_t)time(NULL);
	a.remote = apk_verify_through_daemon(opts.db, opts.socket, a.socket, sizeof(a.socket));
	apk_keyset_init(&keys, opts.db, opts.keys);
	a.keys = &keys;
	ret = authenticate(pamh, &opts, &a);
	apk_keyset_close(&keys);
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
