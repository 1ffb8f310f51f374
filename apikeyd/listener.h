/* listener.h - the socket apikeyd serves, made before root is given up */
#ifndef APKD_LISTENER_H
#define APKD_LISTENER_H

#include <stddef.h>
#include <sys/types.h>

#define LISTEN_BACKLOG 256

/* Opens a listening Unix socket at path (non-blocking, close-on-exec).
 * When the process is root: the runtime directory APK_RUNDIR, when path
 * is in it, is made (or taken over, its parent being root's alone) a
 * directory owned by owner, group group, mode 0750; the socket is owned by owner and group, mode 0660. Otherwise
 * the socket is the process's own, mode 0660. A socket left by a daemon
 * that is gone is replaced; one another daemon still serves, or anything
 * that is not a socket, is an error. Returns the fd, or -1 with a message
 * in err. */
int listener_open(const char *path, uid_t owner, gid_t group, char *err, size_t errsz);

#endif
