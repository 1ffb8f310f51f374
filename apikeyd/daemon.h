/* daemon.h - the boring parts of being a daemon */
#ifndef APKD_DAEMON_H
#define APKD_DAEMON_H

#include <stddef.h>

/* Leaves the foreground: forks (the parent exits 0 at once: every check
 * that can fail has run before), starts a new session, changes to /, and
 * puts fds 0-2 on /dev/null. Returns 0 in the child, -1 with a message in
 * err. */
int daemon_detach(char *err, size_t errsz);

#endif
