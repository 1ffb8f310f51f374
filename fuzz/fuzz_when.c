/* fuzz_when.c - apk_when_parse and apk_time_iso
 *
 * Input: 8 bytes of now (big-endian, reduced to 0..APK_WHEN_LAST), 4 bytes
 * of max_days (big-endian), then the text (cut at its first NUL).
 * Properties:
 *  - accepted: never only without a limit; otherwise a time after now, not
 *    after APK_WHEN_LAST nor after now + max_days days; a text of the
 *    YYYY-MM-DDTHH:MM:SSZ form is shown back exactly as given, a
 *    YYYY-MM-DD one as that day at 00:00:00;
 *  - refused: the output untouched, one printable line of message;
 *  - the same call gives the same answer (no hidden state).
 */
#include "fuzz.h"
#include "when.h"

#define MAX_IN 256

static uint64_t be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[MAX_IN + 1], err[256], shown[APK_TIME_ISO_LEN + 1];
	int64_t now, t = -7, again = -7;
	unsigned max_days;
	size_t n;
	enum apk_err rc;

	if (size < 12)
		return 0;
	now = (int64_t)(be(data, 8) % (uint64_t)(APK_WHEN_LAST + 1));
	max_days = (unsigned)be(data + 8, 4);
	n = size - 12 < MAX_IN ? size - 12 : MAX_IN;
	memcpy(text, data + 12, n);
	text[n] = '\0';

	memset(err, 0, sizeof(err));
	rc = apk_when_parse(text, now, max_days, &t, err, sizeof(err));
	FUZZ_CHECK(apk_when_parse(text, now, max_days, &again, err, sizeof(err)) == rc && again == t,
		   "the same call gives the same answer");
	if (rc != APK_OK) {
		FUZZ_CHECK(rc == APK_ERR_INVALID && t == -7, "a refusal leaves the output untouched");
		fuzz_check_message(err, sizeof(err));
		return 0;
	}
	if (t == APK_WHEN_NEVER) {
		FUZZ_CHECK(max_days == 0 && strcmp(text, "never") == 0, "never only without a limit");
		return 0;
	}
	FUZZ_CHECK(t > now && t <= APK_WHEN_LAST, "an accepted time is after now, before 10000");
	if (max_days > 0)
		FUZZ_CHECK(t - now <= (int64_t)max_days * APK_SECONDS_PER_DAY,
			   "an accepted time is within the longest lifetime");
	apk_time_iso(t, shown, sizeof(shown));
	if (strlen(text) == APK_TIME_ISO_LEN && text[4] == '-')
		FUZZ_CHECK(strcmp(shown, text) == 0, "a UTC time is shown as given");
	if (strlen(text) == 10 && text[4] == '-')
		FUZZ_CHECK(memcmp(shown, text, 10) == 0 && strcmp(shown + 10, "T00:00:00Z") == 0,
			   "a UTC date is shown as its midnight");
	return 0;
}
