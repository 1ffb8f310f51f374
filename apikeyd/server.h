/* server.h - the loop that serves the socket: many callers at once, each
 * with a deadline, in bounded memory */
#ifndef APKD_SERVER_H
#define APKD_SERVER_H

#include <stdbool.h>
#include <sys/types.h>

#include "handler.h"

/* At most this many connections are open at once (each holds one request
 * buffer, APK_VP_REQUEST_MAX bytes, 2,829): about 360 KiB in all. Further
 * callers wait in the listen queue (LISTEN_BACKLOG), not refused. */
#define SERVER_MAX_CONNS 128
/* A connection must deliver its whole request within this. */
#define SERVER_REQUEST_TIMEOUT_MS 2000

/* Serves listening socket lfd until SIGTERM or SIGINT (or, with once,
 * until one connection is done): accepts, checks each peer (peer_allowed
 * with self and verify_gid), reads one request, answers it
 * (handle_request), closes. At SIGHUP it calls on_reload(reload_arg)
 * (unless NULL) between two turns of the loop, keeping the socket and the
 * connections open. Returns 0, or -1 when the loop itself failed. */
int server_run(int lfd, const struct handler *h, uid_t self, gid_t verify_gid, bool once,
	       void (*on_reload)(void *), void *reload_arg);

#endif
