/* pam_options.h - the module's arguments, parsed strictly */
#ifndef APK_PAM_OPTIONS_H
#define APK_PAM_OPTIONS_H

#include <stdbool.h>

struct apk_pam_options {
	const char *db;      /* db=DIR (absolute), default APK_DB_PATH */
	const char *prompt;  /* prompt=TEXT, default "API key: " */
	bool debug;          /* debug */
	bool nodelay;        /* nodelay: no pam_fail_delay */
	bool nokeys_ignore;  /* nokeys_ignore: PAM_IGNORE for an account without keys */
};

/* Fills opts from argv. Returns 0, or -1 with *bad set to the offending
 * argument (unknown option, missing or invalid value). use_first_pass,
 * try_first_pass and use_authtok are accepted: pam_get_authtok acts on them. */
int apk_pam_options_parse(int argc, const char **argv, struct apk_pam_options *opts,
			  const char **bad);

#endif
