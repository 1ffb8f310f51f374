/* when.h - the WHEN of an expiry (--expires, --overlap): text to a time
 *
 *   never                    no expiry
 *   N followed by s m h d w  that many seconds, minutes, hours, days or
 *                            weeks from now (90d, 12h, 30s)
 *   YYYY-MM-DD               midnight UTC at the start of that day
 *   YYYY-MM-DDTHH:MM:SSZ     that second, UTC
 *
 * Nothing else: no spaces, no sign, no leading zero in N, upper-case T and
 * Z, a real calendar date (leap years counted) between 1970 and 9999, hours
 * 00-23, minutes and seconds 00-59. A time not after now is refused, and so
 * is one (or never) beyond the longest lifetime allowed.
 */
#ifndef APK_WHEN_H
#define APK_WHEN_H

#include <stddef.h>
#include <stdint.h>

#include "apk_error.h"

#define APK_WHEN_NEVER 0                  /* what never parses to */
#define APK_WHEN_LAST INT64_C(253402300799) /* 9999-12-31T23:59:59Z, the latest time */
#define APK_TIME_ISO_LEN 20               /* "YYYY-MM-DDTHH:MM:SSZ" */
#define APK_SECONDS_PER_DAY 86400

/* Parses text at time now (seconds since the epoch, 0..APK_WHEN_LAST).
 * max_days is the longest lifetime allowed, 0 for no limit: then every
 * time up to APK_WHEN_LAST and never are allowed, else only times at most
 * now + max_days days. On success *out is the time (> now) or
 * APK_WHEN_NEVER. Otherwise APK_ERR_INVALID, *out untouched and one line in
 * err (errsz bytes; the limit named when it is what refused the time). */
enum apk_err apk_when_parse(const char *text, int64_t now, unsigned max_days, int64_t *out,
			    char *err, size_t errsz);

/* t (0..APK_WHEN_LAST) as YYYY-MM-DDTHH:MM:SSZ in out (at least
 * APK_TIME_ISO_LEN + 1 bytes); "?" when t is out of range. Returns out. */
char *apk_time_iso(int64_t t, char *out, size_t outsz);

#endif
