/* verify_client.h - asking the verification service (apikeyd) one question
 * over its Unix socket, within a deadline: what the module does when it
 * cannot read the database itself, and what `apikeyd --status` does. */
#ifndef APK_VERIFY_CLIENT_H
#define APK_VERIFY_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "apk_error.h"
#include "verify_proto.h"

/* The whole exchange's bound: connect, send and receive. */
#define APK_VERIFY_TIMEOUT_MS 3000

/* The socket of the service serving database directory db: for the
 * build's database (APK_DBDIR), APK_RUNDIR/verify.sock; for any other,
 * APK_RUNDIR/verify-HASH.sock, HASH 16 hex digits of the BLAKE2b hash of
 * db's path. apikeyd and the module derive it alike, so that two daemons
 * with different --db run side by side and a module line's db= finds its
 * own. APK_ERR_INVALID when it does not fit in outsz. */
enum apk_err apk_verify_socket_path(const char *db, char *out, size_t outsz);

/* Sends the request (reqlen bytes) to the socket at path and reads the
 * answer to a request of type type into *a, all within timeout_ms. APK_OK
 * with *a decoded; otherwise APK_ERR_UNAVAIL (no service, refused,
 * timed out, closed early) or APK_ERR_CORRUPT (an answer not in the
 * format), with why (whysz bytes) a short phrase for the log. Never
 * blocks past the deadline; never raises SIGPIPE. */
enum apk_err apk_verify_ask(const char *path, enum apk_vp_type type, const unsigned char *req,
			    size_t reqlen, unsigned timeout_ms, struct apk_vp_answer *a,
			    char *why, size_t whysz);

/* Whether the module asks the daemon rather than reading the database: when
 * socket (the module's socket= option) is set, always, at that path; else
 * when the process is not root and may not enter the database directory db
 * (EACCES), at apk_verify_socket_path(db). path (pathsz bytes) gets the
 * socket. Root, or a database directory this process may enter or that
 * does not exist, is verified in-process as before. */
bool apk_verify_through_daemon(const char *db, const char *socket, char *path, size_t pathsz);

/* What the module learns from the daemon about one attempt. */
struct apk_remote {
	enum apk_permit permit; /* the record's verdict, when the key matched */
	int has_keys;           /* for nokeys_ignore: 0, 1, or -1 unknown */
	char why[160];          /* a refusal's reason when the daemon gave none
				 * of apk_verify's (service down, user refused),
				 * or a stale mirror's with its time (as in-process:
				 * apk_permit_reason_synced) */
};

/* The module's check through the daemon at path: the same answer
 * apk_verify and apk_permit_check give in-process. rec gets the key's id
 * (whenever the token had one), and for an accepted key its name and
 * expiry; nothing else of a record ever crosses the socket. Returns
 * apk_verify's error; APK_ERR_UNAVAIL when the daemon cannot be asked, is
 * not answering in time, answers garbage or refuses this process;
 * APK_ERR_NOMATCH when it refuses the user (root, outside its range); in
 * both cases r->why says why. Only a well-formed key is sent (anything
 * else as an empty key, refused alike); the request is wiped. */
enum apk_err apk_verify_remote(const char *path, const char *user, const char *service,
			       const char *rhost, const char *token, size_t len,
			       bool want_has_keys, struct apk_record *rec, struct apk_remote *r);

#endif
