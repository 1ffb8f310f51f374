/* services.h - the PAM services a key may be used for (--service LIST)
 *
 * LIST is comma-separated, the option repeatable; each name is 1-32 of
 * A-Z a-z 0-9 . _ - (a file name in /etc/pam.d), at most 16 distinct
 * names. `all` alone means every service and is the empty list. libpam
 * lower-cases a service name in pam_start, so names are stored lower-case:
 * the canonical list is lower-case, sorted (byte order) and without
 * duplicates. A name given twice is kept once; `all` together with a name
 * is refused.
 */
#ifndef APK_SERVICES_H
#define APK_SERVICES_H

#include <stdbool.h>
#include <stddef.h>

#include "apk_error.h"

#define APK_SERVICES_MAX 16
#define APK_SERVICE_NAME_MAX 32
/* The longest canonical list as text: 16 names and 15 commas. */
#define APK_SERVICES_TEXT_MAX (APK_SERVICES_MAX * (APK_SERVICE_NAME_MAX + 1) - 1)

struct apk_services {
	size_t n; /* 0: every service */
	char name[APK_SERVICES_MAX][APK_SERVICE_NAME_MAX + 1];
};

/* Parses the values of every --service option given (args[0..nargs), in
 * order) into the canonical list *out. APK_ERR_INVALID with one line in err
 * (and *out emptied) for an empty item, a bad name, `all` with a name, or
 * more than 16 names. No argument at all is the empty list (every service). */
enum apk_err apk_services_parse(const char *const *args, size_t nargs, struct apk_services *out,
				char *err, size_t errsz);

/* s is in canonical form: n <= 16, every name valid and lower-case, in
 * strictly increasing order. What a decoder checks of a stored list. */
bool apk_services_canonical(const struct apk_services *s);

/* The list as comma-separated text ("" for every service) in out (at least
 * APK_SERVICES_TEXT_MAX + 1 bytes to hold any list; cut to fit otherwise).
 * Returns out. */
char *apk_services_text(const struct apk_services *s, char *out, size_t outsz);

/* Whether the list lets service (PAM_SERVICE) in: always for the empty
 * list; otherwise only a name on the list, compared without regard to
 * ASCII case. NULL never matches a non-empty list. */
bool apk_services_allow(const struct apk_services *s, const char *service);

#endif
