/* restrict.h - a key's restrictions: the lists a login is checked against
 * once the key's secret has matched (--service, --from), one table of them.
 *
 * Each kind of restriction is one row of apk_restrictions[] (restrict.c):
 * its name (the JSON member, the log word, the list's column in capitals),
 * its command-line option, its record tag and the record version that
 * brought it, and what it does with a key's record: parse the option's
 * values into it, say whether the stored value is canonical, show it as text
 * and item by item, encode and decode its record field, and check a login
 * against it. The value itself stays a field of struct apk_record, in the
 * type its own file defines (services.h, networks.h); an empty list means no
 * restriction. apikeyctl (arguments, settings, list, --json, log lines), the
 * record's encoding and the login check walk this table, so a new kind of
 * restriction is its type's file, a row here, its record tag (FORMAT.md)
 * and its tests. Three kinds: services (services.h), networks (networks.h),
 * hosts (hosts.h).
 *
 * The key's expiry and disabled flag are its lifecycle state, not a list:
 * they have their own commands and the list's STATUS column, and stay in
 * record.c, permit.c and apikeyctl's settings.
 */
#ifndef APK_RESTRICT_H
#define APK_RESTRICT_H

#include <stdbool.h>
#include <stddef.h>

#include "apk_error.h"
#include "hosts.h"
#include "networks.h"
#include "permit.h"
#include "services.h"

struct apk_record;

/* The longest list of any kind as text, and of every kind together (with
 * room for the log line's words between them). */
#define APK_MAX2(a, b) ((a) > (b) ? (a) : (b))
#define APK_RESTRICTION_TEXT_MAX \
	APK_MAX2(APK_MAX2(APK_SERVICES_TEXT_MAX, APK_NETWORKS_TEXT_MAX), APK_HOSTS_TEXT_MAX)
#define APK_RESTRICTIONS_TEXT_MAX (APK_RESTRICTIONS * (APK_RESTRICTION_TEXT_MAX + 32))
/* The longest encoded field of any kind: the service list's text, 16 IPv6
 * networks of 18 bytes, or the host list's text. */
#define APK_NETWORKS_FIELD_MAX (APK_NETWORKS_MAX * (2 + 16))
#define APK_RESTRICTION_FIELD_MAX \
	APK_MAX2(APK_MAX2(APK_SERVICES_TEXT_MAX, APK_NETWORKS_FIELD_MAX), APK_HOSTS_TEXT_MAX)

/* What a login offers to a key's restrictions. */
struct apk_attempt {
	const char *service; /* PAM_SERVICE, NULL when unset */
	const char *rhost;   /* PAM_RHOST, NULL when unset */
	const char *host;    /* this host's name (keyset.h), NULL when unknown */
};

struct apk_restriction {
	const char *name;       /* "services": JSON member, log word, column SERVICES */
	const char *option;     /* "service": --service LIST, repeatable */
	const char *unlimited;  /* the empty list's text: "all" */
	const char *attribute;  /* its directory attribute, one item a value (FORMAT.md 6.2) */
	unsigned tag;           /* its record field's tag (FORMAT.md): critical, below 32 */
	unsigned since;         /* the record version that brought it; older: empty */
	size_t offset, size;    /* its value in struct apk_record */
	/* The values of every --option given (args[0..nargs), in order) into
	 * r's value; APK_ERR_INVALID with one line in err. */
	enum apk_err (*parse)(const char *const *args, size_t nargs, struct apk_record *r,
			      char *err, size_t errsz);
	bool (*canonical)(const struct apk_record *r);
	size_t (*count)(const struct apk_record *r);   /* 0: no restriction */
	/* Item i (< count) as text in out (APK_RESTRICTION_TEXT_MAX + 1 bytes). */
	char *(*item)(const struct apk_record *r, size_t i, char *out, size_t outsz);
	/* The record field's value into out (APK_RESTRICTION_FIELD_MAX bytes);
	 * returns its length. */
	size_t (*encode)(const struct apk_record *r, unsigned char *out);
	/* The field's n bytes at v into r's (empty) value; false for anything
	 * malformed or not canonical. */
	bool (*decode)(const unsigned char *v, size_t n, struct apk_record *r);
	/* APK_PERMIT_OK when the attempt passes, else its refusal (permit.h). */
	enum apk_permit (*check)(const struct apk_record *r, const struct apk_attempt *a);
};

#define APK_RESTRICTIONS 3
extern const struct apk_restriction apk_restrictions[APK_RESTRICTIONS];

/* The kind whose record tag is tag; NULL for none. */
const struct apk_restriction *apk_restriction_by_tag(unsigned tag);

/* The kind whose option is option ("service"); NULL for none. */
const struct apk_restriction *apk_restriction_by_option(const char *option);

/* r's value of kind k as comma-separated text ("" when empty; cut to fit
 * outsz); returns out. */
char *apk_restriction_text(const struct apk_restriction *k, const struct apk_record *r, char *out,
			   size_t outsz);

/* Copies the value of kind k from one record to another. */
void apk_restriction_copy(const struct apk_restriction *k, struct apk_record *to,
			  const struct apk_record *from);

/* Whether r has any restriction at all. */
bool apk_restricted(const struct apk_record *r);

/* Every restriction of r against the attempt, in the table's order:
 * APK_PERMIT_OK when all let it through, else the first one's refusal. */
enum apk_permit apk_restrictions_check(const struct apk_record *r, const struct apk_attempt *a);

#endif
