/* args.h - apikeyctl's command line, parsed without trusting it */
#ifndef APKCTL_ARGS_H
#define APKCTL_ARGS_H

#include <stdbool.h>
#include <stddef.h>

enum apk_cmd {
	CMD_NONE,
	CMD_HELP,
	CMD_VERSION,
	CMD_GENERATE,
	CMD_LIST,
	CMD_RENAME,
	CMD_DESCRIBE,
	CMD_DELETE,
};

#define ARGS_MAX_OPERANDS 100

struct apk_args {
	enum apk_cmd cmd;
	const char *user;        /* --user USER */
	const char *name;        /* generate --name NAME */
	const char *description; /* generate --description TEXT */
	bool quiet;              /* generate -q */
	bool json;               /* list --json */
	bool yes;                /* delete --yes */
	size_t noperands;
	const char *operands[ARGS_MAX_OPERANDS];
};

/* Parses argv (argv[0] skipped). Options may come before or after the
 * command; "--" ends options. Returns 0, or -1 with a one-line message in
 * err (no trailing newline) for a usage error. Every argument longer than
 * APK_ARG_MAX bytes is refused. Values are checked by the commands. */
int args_parse(int argc, char *const argv[], struct apk_args *a, char *err, size_t errsz);

#endif
