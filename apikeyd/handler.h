/* handler.h - one request, its answer: what the module would have done
 * in-process, for a caller that may not read the database */
#ifndef APKD_HANDLER_H
#define APKD_HANDLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "peer.h"
#include "sync.h"
#include "syncproc.h"

/* What apikeyd can honestly report (apikeyd --status). */
struct counters {
	time_t started;
	uint64_t answered;      /* verify requests answered */
	uint64_t accepted;      /* of them, keys that logged in */
	uint64_t refused_keys;  /* of them, keys refused (any reason) */
	uint64_t refused_users; /* requests about an account outside the range */
	uint64_t refused_peers; /* connections from processes not granted */
	uint64_t bad_requests;  /* frames that failed validation */
	uint64_t timed_out;     /* connections closed at their deadline */
	uint64_t status;        /* status requests answered */
	unsigned open;          /* connections open now */
};

struct handler {
	const char *db, *socket;
	unsigned uid_min, uid_max; /* verify_uid_min, verify_uid_max */
	struct counters *count;
	const struct sync_report *sync; /* the mirror's sync process; NULL: none */
	const struct syncproc *proc;    /* that process, its restarts */
};

/* The answer to the frame req (len bytes; a whole frame as
 * apk_vp_frame_size measured it, or -1 for a header that failed it) from
 * a peer that allowed says may ask, into out (outsz >= APK_VP_ANSWER_MAX).
 * Returns the answer's length. A verify request is checked exactly as the
 * module checks in-process, through the same calls (keyset.h: every key
 * source of db, local and the directory's mirror; apk_keyset_verify, then
 * the last use recorded where the key came from), unless its user is
 * outside the range (root never). req is wiped. */
size_t handle_request(const struct handler *h, bool allowed, unsigned char *req, long len,
		      unsigned char *out, size_t outsz);

#endif
