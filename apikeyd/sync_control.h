/* sync_control.h - RFC 4533 (LDAP Content Synchronization) on the wire:
 * the Sync Request control apikeyd sends, and the Sync State and Sync Done
 * controls and Sync Info messages a server sends back, encoded and decoded
 * with liblber. Debian 12's libldap-dev ships no ldap_sync.h, so this file
 * is the project's own; it has no other job and knows nothing of LDAP
 * connections.
 *
 * Everything decoded comes from the network: lengths are checked against
 * what holds them, a UUID is exactly 16 bytes, a cookie at most
 * SYNC_COOKIE_MAX bytes, every tag the one RFC 4533 puts there, and
 * nothing may follow the value. Anything else is refused (-1) and leaves
 * the output empty.
 */
#ifndef APKD_SYNC_CONTROL_H
#define APKD_SYNC_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYNC_REQUEST_OID "1.3.6.1.4.1.4203.1.9.1.1"
#define SYNC_STATE_OID "1.3.6.1.4.1.4203.1.9.1.2"
#define SYNC_DONE_OID "1.3.6.1.4.1.4203.1.9.1.3"
#define SYNC_INFO_OID "1.3.6.1.4.1.4203.1.9.1.4"
/* The result code a server gives when the cookie is too old to resume
 * from (e-syncRefreshRequired): refresh from nothing. */
#define SYNC_REFRESH_REQUIRED 4096

#define SYNC_UUID_LEN 16
#define SYNC_COOKIE_MAX 4096 /* bytes of a cookie kept; a longer one is refused */

enum sync_mode { SYNC_REFRESH_ONLY = 1, SYNC_REFRESH_AND_PERSIST = 3 };
enum sync_state_kind { SYNC_PRESENT = 0, SYNC_ADD = 1, SYNC_MODIFY = 2, SYNC_DELETE = 3 };
enum sync_info_kind {
	SYNC_INFO_NEWCOOKIE = 0,
	SYNC_INFO_REFRESH_DELETE = 1,
	SYNC_INFO_REFRESH_PRESENT = 2,
	SYNC_INFO_ID_SET = 3,
};

struct sync_cookie {
	bool set;
	size_t len;
	unsigned char bytes[SYNC_COOKIE_MAX];
};

/* The Sync State control of one search result entry. */
struct sync_state {
	enum sync_state_kind state;
	unsigned char uuid[SYNC_UUID_LEN];
	struct sync_cookie cookie;
};

/* The Sync Done control of the search's end. */
struct sync_done {
	struct sync_cookie cookie;
	bool refresh_deletes;
};

/* A Sync Info message. refresh_done: refreshDelete and refreshPresent
 * (default TRUE); refresh_deletes: syncIdSet (default FALSE); uuids: the
 * syncIdSet's, n of them (malloc'd; sync_info_free). */
struct sync_info {
	enum sync_info_kind kind;
	struct sync_cookie cookie;
	bool refresh_done, refresh_deletes;
	size_t n;
	unsigned char (*uuids)[SYNC_UUID_LEN];
};

/* The Sync Request control's value for mode, with cookie when cookie->set,
 * into a malloc'd buffer (*out, *outlen; the caller frees it). 0, or -1
 * (out of memory, a cookie too long). */
int sync_request_encode(enum sync_mode mode, const struct sync_cookie *cookie,
			unsigned char **out, size_t *outlen);

/* The value (len bytes) of a Sync State control. 0, or -1 with *s zeroed. */
int sync_state_decode(const void *value, size_t len, struct sync_state *s);

/* The value of a Sync Done control (an empty value: every field its
 * default). 0, or -1 with *d zeroed. */
int sync_done_decode(const void *value, size_t len, struct sync_done *d);

/* The value of a Sync Info intermediate response. 0, or -1 with *i
 * zeroed and nothing allocated. */
int sync_info_decode(const void *value, size_t len, struct sync_info *i);

void sync_info_free(struct sync_info *i);

#endif
