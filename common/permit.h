/* permit.h - whether a key's record lets a login through, once its secret
 * has matched: its lifecycle fields (see FORMAT.md) and its restrictions
 * (restrict.h) against the time, the PAM service and PAM_RHOST; and whether it expires soon (for a warning).
 * Pure functions of their arguments.
 */
#ifndef APK_PERMIT_H
#define APK_PERMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "record.h"

enum apk_permit {
	APK_PERMIT_OK,
	APK_PERMIT_DISABLED,        /* the key is disabled */
	APK_PERMIT_EXPIRED,         /* now is at or after its expiry */
	APK_PERMIT_SERVICE,         /* the PAM service is not on its list */
	APK_PERMIT_NO_RHOST,        /* it has networks and PAM_RHOST is unset */
	APK_PERMIT_RHOST_NOT_ADDRESS, /* it has networks and PAM_RHOST is a host name */
	APK_PERMIT_SOURCE,          /* PAM_RHOST is outside every one of its networks */
	APK_PERMIT_HOST,            /* this host's name matches none of its host patterns */
	APK_PERMIT_MIRROR_STALE,    /* a directory key, and the mirror is stale (keyset.h) */
	APK_PERMIT_MIRROR_STATE,    /* a directory key, and the mirror's state is missing or invalid */
};
#define APK_PERMIT_LAST APK_PERMIT_MIRROR_STATE

struct apk_attempt;

/* Checks, in this order: disabled, expired (expires != 0 and now >=
 * expires), then each restriction in the table's order (restrict.h):
 * service (PAM_SERVICE, NULL when unset), source (PAM_RHOST, NULL when
 * unset), host (this host's name, NULL when unknown); the first that
 * refuses is the answer. */
enum apk_permit apk_permit_check_attempt(const struct apk_record *r, int64_t now,
					 const struct apk_attempt *a);

/* The same with this host's name unknown (a key with --hosts is refused). */
enum apk_permit apk_permit_check(const struct apk_record *r, int64_t now, const char *service,
				 const char *rhost);

/* The reason for a log line: "key disabled", "key expired", "service not
 * allowed for this key", "source address not allowed for this key" (with
 * why, for an unset PAM_RHOST or a host name), "host not allowed for this
 * key", "directory mirror stale" (keyset.h adds since when), "directory
 * mirror state missing or invalid"; "" for APK_PERMIT_OK. */
const char *apk_permit_reason(enum apk_permit p);

/* Whether r expires after now but within days days (at most days * 86400
 * seconds ahead). Never for days 0, a key without expiry or one already
 * expired. */
bool apk_expires_within(const struct apk_record *r, int64_t now, unsigned days);

#endif
