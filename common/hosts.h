/* hosts.h - the hosts a key may be used on (--hosts LIST)
 *
 * LIST is comma-separated, the option repeatable; each item is a shell
 * pattern (fnmatch(3): * ? [...]) on this host's name, 1-255 of
 * a-z 0-9 . _ - * ? [ ] ! (upper case is taken as lower: host names are
 * not case-sensitive), at most 16 distinct patterns and 1,024 bytes in
 * all. `all` alone means every host and is the empty list. The canonical
 * list is lower-case, sorted (byte order), without duplicates, and kept as
 * its text ("db-?.example.org,web-*.example.org").
 *
 * The name a login is checked against is this host's: the mirror's state
 * file says it when there is a mirror (mirror.h), else gethostname(2), in
 * lower case. An empty or invalid name matches no pattern (fail closed).
 */
#ifndef APK_HOSTS_H
#define APK_HOSTS_H

#include <stdbool.h>
#include <stddef.h>

#include "apk_error.h"

#define APK_HOSTS_MAX 16
#define APK_HOST_PATTERN_MAX 255
#define APK_HOST_NAME_MAX 255
#define APK_HOSTS_TEXT_MAX 1024

struct apk_hosts {
	size_t n;                           /* 0: every host */
	char text[APK_HOSTS_TEXT_MAX + 1];  /* the canonical list, comma-separated */
};

/* Parses the values of every --hosts option given (args[0..nargs), in
 * order) into the canonical list *out. APK_ERR_INVALID with one line in err
 * (and *out emptied) for an empty item, a bad pattern, `all` with a
 * pattern, more than 16 patterns or 1,024 bytes. No argument: every host. */
enum apk_err apk_hosts_parse(const char *const *args, size_t nargs, struct apk_hosts *out,
			     char *err, size_t errsz);

/* h is in canonical form (what a decoder checks of a stored list). */
bool apk_hosts_canonical(const struct apk_hosts *h);

/* Pattern i (< h->n) into out (APK_HOST_PATTERN_MAX + 1 bytes); returns out. */
char *apk_hosts_item(const struct apk_hosts *h, size_t i, char *out, size_t outsz);

/* Whether the list lets host (this host's name) in: always for the empty
 * list; otherwise when a pattern matches it (fnmatch, no regard to case).
 * NULL or an invalid name never matches a non-empty list. */
bool apk_hosts_allow(const struct apk_hosts *h, const char *host);

/* 1-255 of a-z 0-9 . _ - (a host name as this host calls itself, lower case). */
bool apk_host_name_valid(const char *name);

/* This host's name for the check when there is no mirror: gethostname(2),
 * lower-cased, into out (APK_HOST_NAME_MAX + 1 bytes); "" when it is not a
 * valid name. Returns out. */
char *apk_host_name_local(char *out, size_t outsz);

#endif
