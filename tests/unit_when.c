/* unit_when.c - WHEN (common/when.c): never, durations, UTC dates and
 * times, and what is refused: junk, overflow, impossible dates, the past,
 * beyond the longest lifetime allowed */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "unit_util.h"
#include "when.h"

#define NOW INT64_C(1767225600) /* 2026-01-01T00:00:00Z */
#define DAY INT64_C(86400)

static char err[512];

static int64_t ok_when(const char *text, int64_t now, unsigned max_days)
{
	int64_t t = -1;

	err[0] = '\0';
	if (apk_when_parse(text, now, max_days, &t, err, sizeof(err)) != APK_OK)
		fail_msg("'%s' refused: %s", text, err);
	return t;
}

/* Refused, *out untouched, one line naming what was wrong (want in it). */
static void bad_when(const char *text, int64_t now, unsigned max_days, const char *want)
{
	int64_t t = 12345;

	err[0] = '\0';
	assert_int_equal(apk_when_parse(text, now, max_days, &t, err, sizeof(err)), APK_ERR_INVALID);
	assert_true(t == 12345);
	assert_non_null(strstr(err, want));
	assert_null(strchr(err, '\n'));
}

static void never_is_zero(void **state)
{
	(void)state;
	assert_true(ok_when("never", NOW, 0) == APK_WHEN_NEVER);
}

static void durations_count_from_now(void **state)
{
	(void)state;
	assert_true(ok_when("30s", NOW, 0) == NOW + 30);
	assert_true(ok_when("1s", NOW, 0) == NOW + 1);
	assert_true(ok_when("5m", NOW, 0) == NOW + 300);
	assert_true(ok_when("12h", NOW, 0) == NOW + 12 * 3600);
	assert_true(ok_when("90d", NOW, 0) == NOW + 90 * DAY);
	assert_true(ok_when("2w", NOW, 0) == NOW + 14 * DAY);
	assert_true(ok_when("1000000s", 0, 0) == 1000000);
}

static void utc_dates_and_times(void **state)
{
	(void)state;
	assert_true(ok_when("2026-01-02", NOW, 0) == NOW + DAY);
	assert_true(ok_when("2026-01-01T00:00:01Z", NOW, 0) == NOW + 1);
	assert_true(ok_when("2027-03-01", NOW, 0) == INT64_C(1803859200));
	/* leap years: 2028 is one, 2100 is not, 2400 is */
	assert_true(ok_when("2028-02-29", NOW, 0) == INT64_C(1835395200));
	assert_true(ok_when("2028-03-01", NOW, 0) - ok_when("2028-02-28", NOW, 0) == 2 * DAY);
	assert_true(ok_when("2100-03-01", NOW, 0) - ok_when("2100-02-28", NOW, 0) == DAY);
	assert_true(ok_when("2400-02-29", NOW, 0) > 0);
	assert_true(ok_when("2038-01-19T03:14:08Z", NOW, 0) == INT64_C(2147483648));
	assert_true(ok_when("9999-12-31T23:59:59Z", NOW, 0) == APK_WHEN_LAST);
	assert_true(ok_when("9999-12-31", NOW, 0) == APK_WHEN_LAST - DAY + 1);
}

static void junk_is_refused(void **state)
{
	static const char *const junk[] = {
		"", "Never", "NEVER", "never ", " never", "nev", "d", "90", "90D", "90 d", " 90d",
		"90d ", "+90d", "-90d", "0x10d", "9.5d", "90dd", "1y", "1M", "00d", "01d", "1e3s",
		"2026-1-01", "2026-01-1", "26-01-01", "2026/01/02", "2026-01-02 ", "2026-01-02T",
		"2026-01-02t00:00:00z", "2026-01-02T00:00:00", "2026-01-02T00:00Z",
		"2026-01-02T00:00:00+00:00", "2026-01-02T00:00:00.5Z", "20260102", "+2026-01-02",
		"2026-01-02Z", "2026-01-02T1:00:00Z", "１d", "2026-01-0２",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(junk); i++)
		bad_when(junk[i], NOW, 0, "is not a time");
}

static void impossible_dates_are_refused(void **state)
{
	static const char *const bad[] = {
		"2026-02-29", "2100-02-29", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00",
		"2026-01-32", "2026-01-02T24:00:00Z", "2026-01-02T23:60:00Z", "2026-01-02T23:59:60Z",
		"1969-12-31", "0000-01-01",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(bad); i++)
		bad_when(bad[i], NOW, 0, "is not a valid UTC date");
}

static void overflow_is_refused(void **state)
{
	(void)state;
	bad_when("9223372036854775807s", NOW, 0, "latest time");
	bad_when("99999999999999999999999999w", NOW, 0, "latest time");
	bad_when("15250284452w", NOW, 0, "latest time"); /* w * 604800 overflows int64 */
	bad_when("400000000000d", NOW, 0, "latest time");
	/* exactly up to 9999-12-31T23:59:59Z, not a second more */
	assert_true(ok_when("1s", APK_WHEN_LAST - 1, 0) == APK_WHEN_LAST);
	bad_when("2s", APK_WHEN_LAST - 1, 0, "latest time");
}

static void the_past_is_refused(void **state)
{
	(void)state;
	bad_when("0s", NOW, 0, "not in the future");
	bad_when("0d", NOW, 0, "not in the future");
	bad_when("2026-01-01", NOW, 0, "not in the future");
	bad_when("2025-12-31T23:59:59Z", NOW, 0, "not in the future");
	bad_when("2026-01-01T00:00:00Z", NOW, 0, "2026-01-01T00:00:00Z");
}

static void the_longest_lifetime_is_enforced(void **state)
{
	(void)state;
	assert_true(ok_when("30d", NOW, 30) == NOW + 30 * DAY);
	assert_true(ok_when("2026-01-31", NOW, 30) == NOW + 30 * DAY);
	bad_when("31d", NOW, 30, "30 days (until 2026-01-31T00:00:00Z)");
	bad_when("2026-01-31T00:00:01Z", NOW, 30, "longest key lifetime");
	bad_when("5w", NOW, 30, "30 days");
	bad_when("never", NOW, 30, "at most 30 days");
	/* a limit past the year 9999 allows everything up to it, but not never */
	assert_true(ok_when("9999-12-31", NOW, 4000000000u) > 0);
	bad_when("never", NOW, 4000000000u, "at most 4000000000 days");
}

static void the_message_escapes_what_it_quotes(void **state)
{
	(void)state;
	bad_when("\x1b[2J1d", NOW, 0, "\\x1b[2J1d");
}

static void bad_calls_are_refused(void **state)
{
	int64_t t = 7;

	(void)state;
	assert_int_equal(apk_when_parse(NULL, NOW, 0, &t, err, sizeof(err)), APK_ERR_INVALID);
	assert_int_equal(apk_when_parse("1d", -1, 0, &t, err, sizeof(err)), APK_ERR_INVALID);
	assert_int_equal(apk_when_parse("1d", APK_WHEN_LAST + 1, 0, &t, err, sizeof(err)),
			 APK_ERR_INVALID);
	assert_true(t == 7);
}

static void times_are_shown_in_utc(void **state)
{
	char out[APK_TIME_ISO_LEN + 1], tiny[5];

	(void)state;
	assert_string_equal(apk_time_iso(NOW, out, sizeof(out)), "2026-01-01T00:00:00Z");
	assert_string_equal(apk_time_iso(0, out, sizeof(out)), "1970-01-01T00:00:00Z");
	assert_string_equal(apk_time_iso(APK_WHEN_LAST, out, sizeof(out)), "9999-12-31T23:59:59Z");
	assert_string_equal(apk_time_iso(-1, out, sizeof(out)), "?");
	assert_string_equal(apk_time_iso(APK_WHEN_LAST + 1, out, sizeof(out)), "?");
	assert_string_equal(apk_time_iso(NOW, tiny, sizeof(tiny)), "?");
}

/* Every time the parser gives back is shown as the text it came from. */
static void parse_and_show_agree(void **state)
{
	static const char *const times[] = {
		"2026-01-01T00:00:01Z", "2026-02-28T23:59:59Z", "2028-02-29T12:00:00Z",
		"2031-12-31T23:59:59Z", "2100-03-01T00:00:00Z", "9999-12-31T23:59:59Z",
	};
	char out[APK_TIME_ISO_LEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(times); i++)
		assert_string_equal(apk_time_iso(ok_when(times[i], NOW, 0), out, sizeof(out)), times[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(never_is_zero),
		cmocka_unit_test(durations_count_from_now),
		cmocka_unit_test(utc_dates_and_times),
		cmocka_unit_test(junk_is_refused),
		cmocka_unit_test(impossible_dates_are_refused),
		cmocka_unit_test(overflow_is_refused),
		cmocka_unit_test(the_past_is_refused),
		cmocka_unit_test(the_longest_lifetime_is_enforced),
		cmocka_unit_test(the_message_escapes_what_it_quotes),
		cmocka_unit_test(bad_calls_are_refused),
		cmocka_unit_test(times_are_shown_in_utc),
		cmocka_unit_test(parse_and_show_agree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
