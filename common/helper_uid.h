/* helper_uid.h - is this uid the helper account's (APK_HELPER_USER)?
 * Answered as NSS answers it, without asking NSS at every login.
 *
 * The answer NSS gave (getpwnam_r) is kept only while it cannot differ from
 * what NSS would say now:
 *   - /etc/nsswitch.conf's passwd line asks "files" first, with no action
 *     after it, and /etc/passwd holds the account with the uid NSS gave
 *     (so NSS's answer is /etc/passwd's, and nothing after "files" is asked);
 *   - /etc/passwd and /etc/nsswitch.conf are the files they were then:
 *     device, inode, size, modification and change times, checked with one
 *     stat(2) each at every call (a change by rename or in place, a removed
 *     or renumbered account, shows in them);
 *   - /etc/passwd had not changed in the last APK_HELPER_RACY_S seconds when
 *     it was read (a second write within the same timestamp tick could not
 *     show in the times).
 * Otherwise NSS is asked at every call, as before there was a cache. The
 * cache is per process and guarded by a mutex (a threaded server may call
 * the module from several threads). */
#ifndef APK_HELPER_UID_H
#define APK_HELPER_UID_H

#include <stdint.h>
#include <sys/types.h>

#define APK_HELPER_RACY_S 2

/* Whether uid is the helper account's uid. */
int apk_helper_uid_is(uid_t uid);

/* ---- the same with every input named, for the tests ------------------- */

/* The NSS lookup: 0 and *uid when name exists, -1 when not or on error. */
typedef int (*apk_uid_lookup)(const char *name, uid_t *uid);

struct apk_helper_cache {
	int state;                  /* 0: empty; else see helper_uid.c */
	uid_t uid;
	struct apk_file_id {
		dev_t dev;
		ino_t ino;
		off_t size;
		int64_t mtime_s, mtime_ns, ctime_s, ctime_ns;
	} passwd, nsswitch;
	unsigned long lookups;      /* NSS lookups made (for the tests) */
};

/* Whether uid is name's, with passwd and nsswitch as the two files, lookup
 * as NSS and now as the time (seconds since 1970) for the racy check. */
int apk_helper_uid_check(struct apk_helper_cache *c, const char *passwd, const char *nsswitch,
			 const char *name, apk_uid_lookup lookup, int64_t now, uid_t uid);

#endif
