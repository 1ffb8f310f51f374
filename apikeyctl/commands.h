/* commands.h - apikeyctl's commands; each returns the process exit status */
#ifndef APKCTL_COMMANDS_H
#define APKCTL_COMMANDS_H

#include "args.h"
#include "keyring.h"
#include "conffile.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,  /* the command could not be carried out; nothing changed */
	EXIT_USAGE = 2, /* bad command line or invalid input; nothing changed */
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

int cmd_generate(const struct session *s, const struct apk_args *a);
int cmd_list(const struct session *s, const struct apk_args *a);
int cmd_rename(const struct session *s, const struct apk_args *a);
int cmd_describe(const struct session *s, const struct apk_args *a);
int cmd_delete(const struct session *s, const struct apk_args *a);
int cmd_edit(const struct session *s, const struct apk_args *a);
int cmd_disable(const struct session *s, const struct apk_args *a);
int cmd_enable(const struct session *s, const struct apk_args *a);
int cmd_rotate(const struct session *s, const struct apk_args *a);

#endif
