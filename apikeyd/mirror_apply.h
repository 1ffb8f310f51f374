/* mirror_apply.h - the directory's entries, as the sync session receives
 * them, kept in memory and written to this host's mirror (DIR/fleet,
 * common/mirror.h). Knows nothing of LDAP connections: sync.c feeds it.
 *
 * Two kinds of entries are kept, each by its entryUUID: pamApiKey entries
 * (a key, decoded at once by fleet_entry_decode) and posixAccount entries
 * (an owner: its DN and uidNumber). A key's owner is its parent entry,
 * uid=NAME,...; it is mirrored for the local account NAME (NSS) only when
 * that account exists here and its uid equals the owner entry's uidNumber.
 * Every entry that cannot be mirrored is skipped with one log line naming
 * its DN (once, not at every write), and the rest are applied.
 *
 * A key is kept as its encoded record (about 300 bytes with its RDN and
 * uuid), not decoded (a struct apk_record is 4 KB), grouped under its
 * parent DN; each parent maps to one local account, each local account to
 * one file.
 *
 * Writing (mirror_apply_flush): only what changed since the last flush is
 * looked at: each parent an entry was added to, changed in or deleted from
 * (every parent after a recheck or a full refresh) has its local account
 * looked up, and each local account such a parent maps to, or mapped to,
 * has its keys recomputed from what is kept; those whose keys changed (or
 * all of them, the first time) are replaced whole (apk_mirror_put),
 * accounts without keys any more removed (and, after a full refresh, any
 * file this process did not write), the lot made durable
 * (apk_mirror_sync), and only then the state file written with synced =
 * the time given: the state never says "in sync" about data that could
 * still be lost. A change's flush costs that change's accounts, whatever
 * the mirror's size.
 */
#ifndef APKD_MIRROR_APPLY_H
#define APKD_MIRROR_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "fleet_entry.h"
#include "mirror.h"

#define MIRROR_UUID_LEN 16

struct mirror_apply;

/* What a flush found, for the log and apikeyd --status. */
struct mirror_counts {
	size_t keys;     /* keys mirrored */
	size_t accounts; /* accounts with at least one */
	size_t skipped;  /* key entries skipped (malformed, no owner, duplicate) */
	size_t written;  /* account files replaced or removed by the last flush */
};

/* A new, empty set writing into fleetfd (apk_mirror_open's), whose state
 * file will carry st's max_stale and host. NULL when out of memory. */
struct mirror_apply *mirror_apply_new(int fleetfd, const struct apk_mirror_state *st);
void mirror_apply_free(struct mirror_apply *m);

/* A refresh begins: every kept entry is unmarked. */
void mirror_apply_refresh_begin(struct mirror_apply *m);
/* The refresh is over and every entry still there was sent or named
 * present: the unmarked ones are gone (a present phase, or a refresh from
 * nothing). */
void mirror_apply_sweep(struct mirror_apply *m);

/* The entry uuid (dn, its attributes e) was added or changed: kept (and
 * marked), replacing what uuid held. A malformed key is logged and kept as
 * skipped, so that a change that breaks a key removes the old one. */
void mirror_apply_entry(struct mirror_apply *m, const unsigned char uuid[MIRROR_UUID_LEN],
			const char *dn, const struct fleet_entry *e);
/* uuid is still there, unchanged (a present state, a syncIdSet). */
void mirror_apply_present(struct mirror_apply *m, const unsigned char uuid[MIRROR_UUID_LEN]);
/* uuid was deleted. */
void mirror_apply_delete(struct mirror_apply *m, const unsigned char uuid[MIRROR_UUID_LEN]);

/* Asks the next flush to look every account up again (NSS may have
 * changed: an account made, removed or renumbered here). Otherwise an
 * owner entry's local account is looked up once, when it arrives or after
 * a full refresh (mirror_apply_sweep), not at every flush. */
void mirror_apply_recheck(struct mirror_apply *m);

/* Whether anything changed since the last flush. */
int mirror_apply_dirty(const struct mirror_apply *m);

/* Writes the mirror as described above, the state with synced = now.
 * 0, or -1 with one line in err (the state file then untouched). */
int mirror_apply_flush(struct mirror_apply *m, int64_t now, struct mirror_counts *c, char *err,
		       size_t errsz);

/* Only the state file, synced = now: the mirror's data is already durable
 * and still what the directory holds (a live connection's heartbeat). */
int mirror_apply_touch(struct mirror_apply *m, int64_t now, char *err, size_t errsz);

#endif
