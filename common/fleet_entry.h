/* fleet_entry.h - a key as a directory entry's attributes (FORMAT.md 6.2),
 * both ways, without any LDAP library: common/fleet_ldap.c turns these
 * into and out of libldap's structures.
 *
 * Encoding writes what apikeyctl --fleet adds. Decoding takes what a server
 * sent, which is untrusted input: every value is checked as the record
 * decoder checks a stored field (record.c), and any attribute it does not
 * know, a value too long, a second value of a single-valued attribute, a
 * missing MUST attribute, or a restriction that is not canonical refuses
 * the whole entry, with a one-line reason.
 */
#ifndef APK_FLEET_ENTRY_H
#define APK_FLEET_ENTRY_H

#include <stddef.h>

#include "apk_error.h"
#include "fleet_digest.h"
#include "record.h"

#define FLEET_ATTRS_MAX 16  /* attributes of an entry */
#define FLEET_VALUES_MAX 64 /* values of one attribute (services, networks) */
#define FLEET_STORE 8192    /* bytes an encoded entry's values take at most */

/* One attribute and its values (not NUL-terminated when decoded). */
struct fleet_attr {
	const char *name;
	size_t n;
	const char *val[FLEET_VALUES_MAX];
	size_t len[FLEET_VALUES_MAX];
};

struct fleet_entry {
	size_t n;
	struct fleet_attr attr[FLEET_ATTRS_MAX];
	char store[FLEET_STORE]; /* encode: the values, each NUL-terminated */
	size_t used;
};

/* r (id, created, name, description, expires, disabled and each
 * restriction) and d into e, objectClass pamApiKey first. APK_ERR_INVALID
 * when a field of r fails validation. */
enum apk_err fleet_entry_encode(const struct apk_record *r, const struct apk_fleet_digest *d,
				struct fleet_entry *e);

/* Adds one attribute value (copied) to e: for fleet_ldap.c, which fills an
 * entry from a server's answer. APK_ERR_CORRUPT when e is full. */
enum apk_err fleet_entry_add(struct fleet_entry *e, const char *name, const char *v, size_t len);

/* e into *r and *d (owner and uid left to the caller); *r is a directory
 * record (record.h: its kind, salt and digest those of *d), ready for the
 * mirror (mirror.h) once its owner is set. APK_ERR_CORRUPT with
 * why (a line naming the attribute) for anything malformed; *r and *d are
 * then wiped. */
enum apk_err fleet_entry_decode(const struct fleet_entry *e, struct apk_record *r,
				struct apk_fleet_digest *d, char *why, size_t whysz);

/* The attributes a change to an existing key may set or remove (the name,
 * description, expiry, disabled flag and each restriction's: never the id,
 * digest or creation time) into names; returns how many (at most max). */
size_t fleet_entry_changeable(const char *names[], size_t max);

/* e's attribute named name (any case), NULL when it has none. */
const struct fleet_attr *fleet_entry_find(const struct fleet_entry *e, const char *name);

/* t as Generalized Time, YYYYMMDDHHMMSSZ (out: 16 bytes). */
void fleet_time_format(int64_t t, char out[16]);

/* Exactly YYYYMMDDHHMMSSZ, a real UTC date from 1970 to 9999; -1 else. */
int64_t fleet_time_parse(const char *v, size_t len);

#endif
