/* options.h - apikeyd's command line */
#ifndef APKD_OPTIONS_H
#define APKD_OPTIONS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/un.h>

/* Exit statuses: the conventional ones; --status 3 when no daemon answers
 * (as an LSB init script's status). */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_NOT_RUNNING = 3 };

struct apikeyd_options {
	char config[PATH_MAX];                              /* --config, default APK_POLICY_PATH */
	char db[PATH_MAX];                                  /* --db, default APK_DBDIR */
	char socket[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* --socket, else derived */
	bool foreground, once, status, help, version;
};

/* Fills o from argv: absolute paths only, each at most once; the socket
 * path, unless --socket names one, follows from --db
 * (apk_verify_socket_path). Returns 0, or -1 with a one-line message in err. */
int apikeyd_options_parse(int argc, char *argv[], struct apikeyd_options *o, char *err,
			  size_t errsz);

#endif
