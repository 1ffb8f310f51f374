/* mirror.h - DIR/fleet: this host's mirror of the directory's keys (written by apikeyd only)
 *
 *   DIR/fleet/u<uid>       that account's directory keys, in the store's
 *                          format (store.h), every record a directory record
 *                          (record.h: kind APK_DIGEST_DIRECTORY, its salt)
 *   DIR/fleet/u<uid>.new   its replacement being built
 *   DIR/fleet/u<uid>.used  their last use on this host (lastused.h)
 *   DIR/fleet/decoy        read in place of a missing account file
 *   DIR/fleet/state        when the mirror was last in sync, how long it may
 *                          lag, this host's name (FORMAT.md section 8)
 *
 * The directory is owned by the writer (pam-apikey), mode 0700, and checked
 * as the store checks its own. Files are replaced whole (new file, rename),
 * so a reader (the module, through apk_keysource_mirror) sees an account's
 * old keys or its new ones, never a mix. A put does not fsync: the writer
 * calls apk_mirror_sync once for a batch of puts, before the state file
 * says the mirror is in sync.
 */
#ifndef APK_MIRROR_H
#define APK_MIRROR_H

#include <stddef.h>
#include <stdint.h>

#include "apk_error.h"
#include "fleet_digest.h"
#include "keyring.h"
#include "record.h"

#define APK_MIRROR_SUBDIR "fleet"
#define APK_MIRROR_STATE "state"
#define APK_MIRROR_HOST_MAX 255

struct apk_mirror_state {
	int64_t synced;      /* last time known in sync with the directory (epoch s); 0: never */
	uint32_t max_stale;  /* seconds; 0: never stale */
	char host[256];      /* this host's name, for --hosts (lower case) */
};

/* Opens DIR/fleet (creating it, 0700, owned by the caller, when missing), checked as the store checks its directory. */
enum apk_err apk_mirror_open(const char *dbdir, int *fleetfd);
/* Makes kr (every record a directory record of account uid) that account's mirrored keys, replacing its file whole (new file, rename; an empty kr removes it) and assigning last-use slots; no fsync here (apk_mirror_sync). */
enum apk_err apk_mirror_put(int fleetfd, uint32_t uid, const struct apk_keyring *kr);
/* The uids that have a mirrored file (sorted, malloc'd). */
enum apk_err apk_mirror_uids(int fleetfd, uint32_t **uids, size_t *n);
/* Makes every put so far durable (syncfs or fsync of each file and the directory). */
enum apk_err apk_mirror_sync(int fleetfd);
/* Replace / read the state file. */
enum apk_err apk_mirror_state_write(int fleetfd, const struct apk_mirror_state *st);
enum apk_err apk_mirror_state_read(int fleetfd, struct apk_mirror_state *st);

/* ---- beyond the writer's API ------------------------------------------ */

/* Opens the existing DIR/fleet for reading, checked as apk_mirror_open
 * checks it; creates nothing. APK_ERR_NOTFOUND when there is no mirror. */
enum apk_err apk_mirror_open_read(const char *dbdir, int *fleetfd);
/* The same under the database directory dirfd (apk_safe_open_dir's). */
enum apk_err apk_mirror_open_at(int dirfd, int *fleetfd);

/* Makes r a directory record with the salt and digest of d (the decoded
 * apiKeyDigest, fleet_digest.h). */
void apk_mirror_record_digest(struct apk_record *r, const struct apk_fleet_digest *d);

/* Whether the mirror is too old to trust at now: max_stale is not 0 and
 * now - synced > max_stale (a sync time in the future is not stale). */
int apk_mirror_stale(const struct apk_mirror_state *st, int64_t now);

/* The state file's bytes (FORMAT.md section 8) into out (at most
 * APK_MIRROR_STATE_MAX bytes): its length, 0 when st is not valid. */
#define APK_MIRROR_STATE_MAX 512
size_t apk_mirror_state_encode(const struct apk_mirror_state *st, char *out, size_t outsz);
/* len bytes of a state file into st: APK_ERR_CORRUPT (st zeroed) for
 * anything but exactly that format. */
enum apk_err apk_mirror_state_decode(const char *buf, size_t len, struct apk_mirror_state *st);

#endif
