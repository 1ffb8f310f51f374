/* keyset.h - every place a login looks for keys: the key sources of one
 * database directory (keysource.h) consulted together, and what the
 * mirror's state file says (mirror.h)
 *
 * A login consults the local store and, when DIR/fleet exists, the mirror
 * of the directory's keys: both fetched on every login (verify.h,
 * apk_verify_set), so that the time a login takes does not tell which of
 * them holds a key. The same id in both is corruption. The mirror's state
 * file is read on every login too (when DIR/fleet exists): after a
 * directory key's secret matched, apk_keyset_permit refuses it while the
 * mirror is stale or its state is missing or invalid (fail closed); local
 * keys never depend on it. It also names this host for --hosts
 * (apk_keyset_host).
 *
 * The module in-process and apikeyd (answering a caller that may not read
 * the database) make one attempt the same way, through the same calls:
 *
 *   apk_keyset_init(&ks, dbdir, NULL);
 *   err = apk_keyset_verify(&ks, user, token, len, now, service, rhost, &rec, &permit);
 *   ... ks.duplicate: log APK_KEYSET_DUPLICATE_LOG; a refusal's reason:
 *       apk_keyset_reason; nokeys_ignore: apk_account_has_keys_set ...
 *   if (accepted) apk_keyset_record_use(&ks, &rec, now, service, rhost);
 *   apk_keyset_close(&ks);
 *
 * (apk_keyset_verify is in verify.c: apk_verify_set, then apk_keyset_check.)
 */
#ifndef APK_KEYSET_H
#define APK_KEYSET_H

#include <stddef.h>
#include <stdint.h>

#include "apk_error.h"
#include "keysource.h"
#include "mirror.h"
#include "permit.h"

#define APK_KEYSET_MAX 2

struct apk_keyset {
	size_t n;
	struct apk_keysource src[APK_KEYSET_MAX];
	/* After apk_verify_set: the source of the record that matched (NULL
	 * when none), and whether the id was found in more than one. */
	struct apk_keysource *found;
	int duplicate;
	/* The mirror's state, read by apk_keyset_read_state: APK_OK (state
	 * valid), APK_ERR_NOTFOUND with mirror 0 (no DIR/fleet), or why it
	 * cannot be used (NOTFOUND: no state file, CORRUPT, UNSAFE, ...). */
	int mirror;
	enum apk_err state_err;
	struct apk_mirror_state state;
};

/* Every source of apk_keysources on database directory dbdir, or only the
 * one given (only != NULL: the module's keys=NAME). Nothing is opened. */
void apk_keyset_init(struct apk_keyset *ks, const char *dbdir, const struct apk_keysource_ops *only);

/* Reads the mirror's state (once per login; apk_verify_set calls it). */
void apk_keyset_read_state(struct apk_keyset *ks);

/* This host's name for --hosts: the mirror state's when there is a mirror
 * (NULL when its state is missing or invalid: no --hosts key passes), else
 * gethostname(2)'s, lower case (NULL when it is not a valid name). */
const char *apk_keyset_host(const struct apk_keyset *ks, char *buf, size_t bufsz);

/* Everything that may refuse a matched key rec at now: its source (a
 * directory key while the mirror is stale or without a valid state:
 * APK_PERMIT_MIRROR_STALE, APK_PERMIT_MIRROR_STATE), then its lifecycle
 * and restrictions (permit.h) against service, rhost and this host. */
enum apk_permit apk_keyset_check(const struct apk_keyset *ks, const struct apk_record *rec,
				 int64_t now, const char *service, const char *rhost);

/* The log reason for permit p from apk_keyset_check: apk_permit_reason's,
 * with the time for a stale mirror ("directory mirror stale since
 * 2026-01-01T00:00:00Z"). Returns out. */
const char *apk_keyset_reason(const struct apk_keyset *ks, enum apk_permit p, char *out,
			      size_t outsz);

/* The same from the permit and the mirror's last sync time alone (0:
 * never), as apikeyd's answer carries them (verify_proto.h): the module
 * logs the same reason whether it checked in-process or asked apikeyd. */
const char *apk_permit_reason_synced(enum apk_permit p, int64_t synced, char *out, size_t outsz);

/* The line logged, with the key's id and the (escaped) user, when
 * apk_keyset_verify found the id in both sources (ks->duplicate). */
#define APK_KEYSET_DUPLICATE_LOG                                                            \
	"key id %s of user %s is in both the local database and the directory's mirror: " \
	"refused as corruption"

/* The last use of the accepted key rec (time now, service and rhost, each
 * NULL when unset) recorded in the directory of the source it was found in
 * (ks->found: the database's, or the mirror's for a directory key; opened
 * once for the attempt). Best effort: the login stands whatever this
 * returns (APK_OK, or why it was not recorded). */
enum apk_err apk_keyset_record_use(struct apk_keyset *ks, const struct apk_record *rec,
				   int64_t now, const char *service, const char *rhost);

void apk_keyset_close(struct apk_keyset *ks);

#endif
