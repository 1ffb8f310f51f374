/* pam_options.h - the module's arguments, parsed strictly */
#ifndef APK_PAM_OPTIONS_H
#define APK_PAM_OPTIONS_H

#include <stdbool.h>

#include "keysource.h"

/* Where the module takes the answer from. At most one of the options. */
enum apk_answer_source {
	APK_ASK,            /* default: ask through the conversation, keep the answer */
	APK_TRY_FIRST_PASS, /* try_first_pass: an earlier module's PAM_AUTHTOK, else ask */
	APK_USE_FIRST_PASS, /* use_first_pass or use_authtok: an earlier module's only */
	APK_FORWARD_PASS,   /* forward_pass: ask; an answer that is no key goes on as PAM_AUTHTOK */
};

struct apk_pam_options {
	const char *db;      /* db=DIR (absolute), default APK_DBDIR */
	const struct apk_keysource_ops *keys; /* keys=NAME (apk_keysources); NULL: every source */
	const char *socket;  /* socket=PATH (absolute): always ask apikeyd there; default NULL */
	const char *prompt;  /* prompt=TEXT, default "API key: " ("Password: " with forward_pass) */
	enum apk_answer_source source;
	bool debug;          /* debug */
	bool nodelay;        /* nodelay: no pam_fail_delay */
	bool nokeys_ignore;  /* nokeys_ignore: PAM_IGNORE for an account without keys */
	unsigned warn_days;  /* warn=DAYS (0-APK_WARN_DAYS_MAX, 0: off), default APK_WARN_DAYS */
};

/* The longest socket= path (a Unix socket's sun_path, NUL included). */
#define APK_PAM_SOCKET_MAX 108

/* warn=DAYS: after a login with a key expiring within DAYS days, say when. */
#define APK_WARN_DAYS 7
#define APK_WARN_DAYS_MAX 3650

/* Fills opts from argv. Returns 0, or -1 with *bad set to the offending
 * argument: an unknown option, a missing or invalid value (warn= takes a
 * decimal integer 0-3650 without sign, spaces or leading zeros), or a second,
 * different answer source (forward_pass with try_first_pass, say). */
int apk_pam_options_parse(int argc, const char **argv, struct apk_pam_options *opts,
			  const char **bad);

#endif
