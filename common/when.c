/* when.c - the WHEN of an expiry: parsing (see when.h) and the one UTC
 * time format shown back */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "validate.h"
#include "when.h"

#define SHOWN_MAX 80 /* bytes of the caller's text quoted in a message */

enum parsed { P_OK, P_MALFORMED, P_NO_SUCH_TIME, P_TOO_LATE };

/* n decimal digits at s, all of them. */
static bool fixed_digits(const char *s, size_t n, unsigned *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return true;
}

static bool leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(unsigned y, unsigned m)
{
	static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d, a valid date not before 1970. */
static int64_t days_since_epoch(unsigned y, unsigned m, unsigned d)
{
	int64_t days = 0;
	unsigned i;

	for (i = 1970; i < y; i++)
		days += leap(i) ? 366 : 365;
	for (i = 1; i < m; i++)
		days += month_days(y, i);
	return days + d - 1;
}

/* YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ. */
static enum parsed parse_utc(const char *s, int64_t *t)
{
	size_t n = strlen(s);
	unsigned y, mo, d, h = 0, mi = 0, se = 0;

	if (n != 10 && n != APK_TIME_ISO_LEN)
		return P_MALFORMED;
	if (!fixed_digits(s, 4, &y) || s[4] != '-' || !fixed_digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !fixed_digits(s + 8, 2, &d))
		return P_MALFORMED;
	if (n == APK_TIME_ISO_LEN &&
	    (s[10] != 'T' || !fixed_digits(s + 11, 2, &h) || s[13] != ':' ||
	     !fixed_digits(s + 14, 2, &mi) || s[16] != ':' || !fixed_digits(s + 17, 2, &se) ||
	     s[19] != 'Z'))
		return P_MALFORMED;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 ||
	    mi > 59 || se > 59)
		return P_NO_SUCH_TIME;
	*t = days_since_epoch(y, mo, d) * APK_SECONDS_PER_DAY + h * 3600 + mi * 60 + se;
	return P_OK;
}

static int64_t unit_seconds(char c)
{
	switch (c) {
	case 's': return 1;
	case 'm': return 60;
	case 'h': return 3600;
	case 'd': return APK_SECONDS_PER_DAY;
	case 'w': return 7 * APK_SECONDS_PER_DAY;
	default: return 0;
	}
}

/* N followed by a unit: now plus that many seconds. */
static enum parsed parse_duration(const char *s, int64_t now, int64_t *t)
{
	size_t len = strlen(s), i;
	int64_t n = 0, unit;

	if (len < 2 || (unit = unit_seconds(s[len - 1])) == 0 || (s[0] == '0' && len > 2))
		return P_MALFORMED;
	for (i = 0; i + 1 < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return P_MALFORMED;
		if (n > APK_WHEN_LAST / 10)
			return P_TOO_LATE;
		n = n * 10 + (s[i] - '0');
	}
	if (n > (APK_WHEN_LAST - now) / unit)
		return P_TOO_LATE;
	*t = now + n * unit;
	return P_OK;
}

char *apk_time_iso(int64_t t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (outsz == 0)
		return out;
	if (t < 0 || t > APK_WHEN_LAST || gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, outsz, "?");
	return out;
}

enum apk_err apk_when_parse(const char *text, int64_t now, unsigned max_days, int64_t *out,
			    char *err, size_t errsz)
{
	char shown[SHOWN_MAX], when[APK_TIME_ISO_LEN + 1];
	int64_t t = 0, limit = APK_WHEN_LAST;
	enum parsed p;

	if (text == NULL || out == NULL || now < 0 || now > APK_WHEN_LAST) {
		snprintf(err, errsz, "no time to parse, or the clock is out of range");
		return APK_ERR_INVALID;
	}
	apk_escape(text, shown, sizeof(shown));
	if (max_days > 0 && (int64_t)max_days <= (APK_WHEN_LAST - now) / APK_SECONDS_PER_DAY)
		limit = now + (int64_t)max_days * APK_SECONDS_PER_DAY;
	if (strcmp(text, "never") == 0) {
		if (max_days == 0) {
			*out = APK_WHEN_NEVER;
			return APK_OK;
		}
		snprintf(err, errsz, "never: keys may live at most %u days here (until %s)",
			 max_days, apk_time_iso(limit, when, sizeof(when)));
		return APK_ERR_INVALID;
	}
	p = text[0] >= '0' && text[0] <= '9' && strlen(text) >= 2 &&
	    unit_seconds(text[strlen(text) - 1]) != 0 ? parse_duration(text, now, &t)
						     : parse_utc(text, &t);
	switch (p) {
	case P_MALFORMED:
		snprintf(err, errsz, "'%s' is not a time: use never, a number followed by s, m, h, "
			 "d or w (90d), YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)", shown);
		return APK_ERR_INVALID;
	case P_NO_SUCH_TIME:
		snprintf(err, errsz, "'%s' is not a valid UTC date and time (1970-9999)", shown);
		return APK_ERR_INVALID;
	case P_TOO_LATE:
		snprintf(err, errsz, "'%s' is after %s, the latest time there is", shown,
			 apk_time_iso(APK_WHEN_LAST, when, sizeof(when)));
		return APK_ERR_INVALID;
	case P_OK:
		break;
	}
	if (t <= now) {
		snprintf(err, errsz, "'%s' is not in the future (now is %s)", shown,
			 apk_time_iso(now, when, sizeof(when)));
		return APK_ERR_INVALID;
	}
	if (t > limit) {
		snprintf(err, errsz, "'%s' is beyond the longest key lifetime allowed here, "
			 "%u days (until %s)", shown, max_days, apk_time_iso(limit, when, sizeof(when)));
		return APK_ERR_INVALID;
	}
	*out = t;
	return APK_OK;
}
