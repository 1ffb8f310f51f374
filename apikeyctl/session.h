/* session.h - who runs apikeyctl, for whose keys, in which database and
 * under which policy; and the exit statuses every command returns */
#ifndef APKCTL_SESSION_H
#define APKCTL_SESSION_H

#include "conffile.h"
#include "keyring.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,  /* the command could not be carried out; nothing changed */
	EXIT_USAGE = 2, /* bad command line or invalid input; nothing changed */
	EXIT_UNSUPPORTED = 3, /* not available with --fleet (yet); nothing changed */
};

/* Who asks, for whose keys, in which database. */
struct session {
	const char *dbdir;
	struct apk_account caller; /* who runs us: getuid() */
	struct apk_account target; /* whose keys: the caller, or --user for root */
	int closed_fds;            /* bit N: fd N was closed when we started */
	struct apk_conf policy;    /* the administrator's pam_apikey.conf (conffile.h) */
	const char *policy_error;  /* why it is unusable (every change refused); NULL: fine */
};

#endif
