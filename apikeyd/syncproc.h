/* syncproc.h - the mirror's sync process, seen from the verify service:
 * started, watched, and started again when it dies
 *
 * The sync (sync.h) runs in a child process of its own (apikeyd.c says
 * why). When it ends while the daemon runs -- killed, crashed, or exited
 * with a failure -- the service logs one line with how it ended and the
 * delay, and starts another after that delay: 1 s, then twice as long each
 * time up to SYNCPROC_DELAY_MAX, back to 1 s once a process had run for
 * SYNCPROC_HEALTHY. Meanwhile the mirror keeps its last state (and goes
 * stale after fleet_max_stale, as in an outage). apikeyd --status shows
 * the restarts (handler.c).
 *
 * Each child starts clean: the signal mask and every handler back to the
 * defaults before its own are set, every descriptor above 2 closed (the
 * listening socket, callers' connections, the log's: reopened), the host's
 * password read by the child itself from fleet_bind_password_file unless
 * the service had to keep it (a file only root may read: see
 * doc/SECURITY.md). */
#ifndef APKD_SYNCPROC_H
#define APKD_SYNCPROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "conffile.h"
#include "sync.h"

#define SYNCPROC_DELAY_MAX 60 /* seconds before a restart, at most */
#define SYNCPROC_HEALTHY 60   /* seconds a process must run for the delay to start at 1 s again */

struct syncproc {
	/* what --status shows */
	pid_t pid;            /* the running process; -1: none now */
	unsigned restarts;    /* processes started after the first */
	char last_end[96];    /* how the last one ended; "" none yet */
	int64_t restart_at;   /* when the next one starts (monotonic ms); -1: none due */
	/* set by the caller before syncproc_start */
	const struct apk_conf *conf;
	const char *db;
	struct sync_report *rep;     /* shared with the children (MAP_SHARED) */
	const struct sync_secret *secret; /* len 0: each child reads the file itself */
	int log_options;             /* openlog's, for the child to reopen the log */
	/* the supervisor's own */
	unsigned delay;       /* seconds before the next restart */
	int64_t started;      /* when the running process started (monotonic ms) */
};

/* The delay (s) before a restart, after a process ran ran_ms, when the
 * delay due was delay: 1 after a healthy run, else delay; *next is the one
 * due after that (twice, at most SYNCPROC_DELAY_MAX). */
unsigned syncproc_delay(unsigned delay, int64_t ran_ms, unsigned *next);

/* Monotonic milliseconds. */
int64_t syncproc_now(void);

/* Forks the first process (sp's caller fields set; the rest zeroed here):
 * its pid, or -1 when fork failed. */
pid_t syncproc_start(struct syncproc *sp);

/* Reaps a process that ended (one log line, a restart scheduled) and
 * starts the next when due. Returns the milliseconds until it has more to
 * do (a restart due), or -1: nothing until a child ends (SIGCHLD). */
int64_t syncproc_tick(struct syncproc *sp);

/* Stops the running process (SIGTERM) and waits for it; no restart after. */
void syncproc_stop(struct syncproc *sp);

#endif
