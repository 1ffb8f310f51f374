/* server.h - the loop that serves the socket: many callers at once, each
 * with a deadline, in bounded memory */
#ifndef APKD_SERVER_H
#define APKD_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "handler.h"

/* At most this many connections are open at once (each holds one request
 * buffer, APK_VP_REQUEST_MAX bytes, 2,829): about 360 KiB in all. Further
 * callers wait in the listen queue (LISTEN_BACKLOG), not refused. */
#define SERVER_MAX_CONNS 128
/* A connection must deliver its whole request within this. */
#define SERVER_REQUEST_TIMEOUT_MS 2000

/* What the loop calls besides the requests (each may be NULL): reload at
 * SIGHUP, between two turns of the loop, keeping the socket and the
 * connections open; tick at every turn (and at once when a child process
 * ends, SIGCHLD), which returns the milliseconds until it wants to be
 * called again, or -1: not before something happens. */
struct server_hooks {
	void (*reload)(void *arg);
	void *reload_arg;
	int64_t (*tick)(void *arg);
	void *tick_arg;
};

/* Serves listening socket lfd until SIGTERM or SIGINT (or, with once,
 * until one connection is done): accepts, checks each peer (peer_allowed
 * with self and verify_gid), reads one request, answers it
 * (handle_request), closes; calls hooks (may be NULL) as above. Returns 0,
 * or -1 when the loop itself failed. */
int server_run(int lfd, const struct handler *h, uid_t self, gid_t verify_gid, bool once,
	       const struct server_hooks *hooks);

#endif
