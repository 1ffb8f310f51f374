/* args.h - apikeyctl's command line, parsed without trusting it */
#ifndef APKCTL_ARGS_H
#define APKCTL_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "restrict.h"

enum apk_cmd {
	CMD_NONE,
	CMD_HELP,
	CMD_VERSION,
	CMD_GENERATE,
	CMD_LIST,
	CMD_RENAME,
	CMD_DESCRIBE,
	CMD_DELETE,
	CMD_EDIT,
	CMD_DISABLE,
	CMD_ENABLE,
	CMD_ROTATE,
	CMD_POLICY,
};

#define ARGS_MAX_OPERANDS 100
#define ARGS_MAX_LISTS 64 /* a restriction's option given at most this often */

/* The values of a repeatable option, in the order given. */
struct args_list {
	size_t n;
	const char *v[ARGS_MAX_LISTS];
};

struct apk_args {
	enum apk_cmd cmd;
	const char *user;        /* --user USER */
	const char *name;        /* generate, edit --name NAME */
	const char *description; /* generate, edit --description TEXT */
	const char *expires;     /* generate, edit --expires WHEN */
	const char *overlap;     /* rotate --overlap WHEN */
	/* generate, edit: the values of apk_restrictions[i]'s option, --service
	 * LIST, --from LIST (each repeatable) */
	struct args_list restrictions[APK_RESTRICTIONS];
	bool quiet;              /* generate, rotate -q */
	bool json;               /* list, policy --json */
	bool yes;                /* delete --yes */
	bool fleet;              /* --fleet: the caller's keys in the directory */
	const char *password_file; /* --fleet --password-file FILE */
	size_t noperands;
	const char *operands[ARGS_MAX_OPERANDS];
};

/* Parses argv (argv[0] skipped). Options may come before or after the
 * command; "--" ends options. Returns 0, or -1 with a one-line message in
 * err (no trailing newline) for a usage error: an unknown option or
 * command, a value missing, an option given twice (a restriction's,
 * --service or --from, may be repeated), an option the command does not take, the wrong number
 * of operands, edit without any option to change. Every argument longer
 * than APK_ARG_MAX bytes is refused. Values are checked by the commands. */
int args_parse(int argc, char *const argv[], struct apk_args *a, char *err, size_t errsz);

/* Whether argv holds --fleet as an option, found exactly as args_parse
 * finds options (an option's value or anything after "--" is not one); for
 * main, which must give up set-user-ID before it parses anything. */
bool args_fleet_requested(int argc, char *const argv[]);

#endif
