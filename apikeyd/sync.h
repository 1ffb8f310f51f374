/* sync.h - the sync session: this host's mirror of the directory's keys,
 * kept by RFC 4533 Content Sync (or by polling where the server has none)
 *
 * Bound as the host (fleet_bind_dn and its password file, SASL EXTERNAL
 * over ldapi, or SASL GSSAPI with the host's keytab, fleet_keytab, whose
 * whoami identity must be an entry), it searches fleet_base for the pamApiKey entries
 * and the posixAccount entries that own them, with the Sync Request
 * control: refreshAndPersist, resuming with the cookie after a reconnect
 * (kept in memory only: a restart refreshes from nothing, so the mirror is
 * rebuilt whole from the directory). e-syncRefreshRequired: refresh from
 * nothing. A server that refuses the control: a full search every
 * fleet_refresh (poll mode). A lost connection: reconnect after 1 s, then
 * twice as long each time up to 60 s, back to 1 s after a refresh.
 *
 * What is received goes to mirror_apply.c, which writes DIR/fleet after
 * the refresh phase and after each batch of persist changes. Every
 * fleet_refresh, the local accounts are looked up again (NSS: an account
 * made, removed or renumbered here since), as if something had changed. While the
 * persist search is alive, a heartbeat (a base search of the root DSE on
 * the same connection, every SYNC_HEARTBEAT seconds or a quarter of
 * fleet_max_stale, whichever is shorter) proves the server still answers
 * on it; each answer writes the state file with synced = when the
 * heartbeat was sent, so a quiet but connected host does not go stale. No
 * answer within SYNC_HEARTBEAT_WAIT seconds: the connection is dropped and
 * the sync time stops advancing, so fleet_max_stale counts from the last
 * moment this host was known in sync.
 */
#ifndef APKD_SYNC_H
#define APKD_SYNC_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "conffile.h"

#define SYNC_HEARTBEAT 30      /* seconds between heartbeats, at most */
#define SYNC_HEARTBEAT_WAIT 10 /* seconds a heartbeat's answer may take */
#define SYNC_BACKOFF_MAX 60    /* seconds between two connection attempts, at most */

enum sync_mode_now { SYNC_NONE = 0, SYNC_PERSIST = 1, SYNC_POLL = 2 };

/* What the session reports (apikeyd --status): written by the sync
 * process only, read by the verify service, plain numbers. */
struct sync_report {
	volatile int mode;         /* enum sync_mode_now */
	volatile int connected;    /* a session is up now */
	volatile int64_t synced;   /* last successful sync (epoch s); 0: never */
	volatile int64_t keys, accounts, skipped;
};

/* The host's directory password (fleet_bind_password_file), read once at
 * start, before root is given up, and kept for every reconnect. */
#define SYNC_PASSWORD_MAX 1024
struct sync_secret {
	size_t len; /* 0: none (SASL EXTERNAL or GSSAPI) */
	char pw[SYNC_PASSWORD_MAX + 1];
};

/* Reads fleet_bind_password_file (when fleet_bind_dn is set) into s: the
 * whole file is the password, as ldapsearch -y reads it. The file must be
 * a regular file (not a symbolic link) owned by root, the helper account
 * or the caller, that neither its group nor others may read, at most
 * SYNC_PASSWORD_MAX bytes, no NUL. 0, or -1 with one line naming it. */
int sync_secret_read(const struct apk_conf *c, struct sync_secret *s, char *err, size_t errsz);
void sync_secret_wipe(struct sync_secret *s);

/* One full refresh (refreshOnly, or a plain search), written to db's
 * mirror: 0, or -1 with one line in err. */
int sync_once(const struct apk_conf *c, const struct sync_secret *sec, const char *db,
	      struct sync_report *rep, char *err, size_t errsz);

/* Keeps db's mirror in sync until *stop is set; returns 0 then, or -1 with
 * one line in err when the mirror itself cannot be opened. */
int sync_run(const struct apk_conf *c, const struct sync_secret *sec, const char *db,
	     struct sync_report *rep, volatile sig_atomic_t *stop, char *err, size_t errsz);

#endif
