/* fuzz_lists.c - the service and network lists of a key (--service,
 * --from) and matching PAM_RHOST
 *
 * Input: the option values separated by newlines (at most 8; NUL bytes cut
 * a value short); the last one is also tried as PAM_RHOST and as a
 * service name. Properties:
 *  - an accepted list is canonical, and its text parses back to the same
 *    list;
 *  - every listed service is allowed, with any case;
 *  - every listed network's text parses back to it, and its own address
 *    matches the list; no PAM_RHOST and a host name match no list;
 *  - a refused list leaves the output zeroed, with a one-line message.
 */
#include "fuzz.h"
#include "networks.h"
#include "services.h"

#define MAX_ARGS 8
#define MAX_IN 4096

static void check_services(const char *const *args, size_t nargs)
{
	static struct apk_services s, again;
	static char text[APK_SERVICES_TEXT_MAX + 1], upper[APK_SERVICE_NAME_MAX + 1];
	const char *p = text;
	char err[256];
	size_t i, j;

	memset(err, 0, sizeof(err));
	if (apk_services_parse(args, nargs, &s, err, sizeof(err)) != APK_OK) {
		FUZZ_CHECK(fuzz_all_zero(&s, sizeof(s)), "a refused service list is zeroed");
		fuzz_check_message(err, sizeof(err));
		return;
	}
	FUZZ_CHECK(apk_services_canonical(&s), "an accepted service list is canonical");
	apk_services_text(&s, text, sizeof(text));
	FUZZ_CHECK(apk_services_parse(&p, s.n > 0 ? 1 : 0, &again, err, sizeof(err)) == APK_OK &&
		   memcmp(&s, &again, sizeof(s)) == 0, "the text of a list parses back to it");
	for (i = 0; i < s.n; i++) {
		for (j = 0; s.name[i][j] != '\0'; j++)
			upper[j] = s.name[i][j] >= 'a' && s.name[i][j] <= 'z' ?
				   (char)(s.name[i][j] - 32) : s.name[i][j];
		upper[j] = '\0';
		FUZZ_CHECK(apk_services_allow(&s, s.name[i]) && apk_services_allow(&s, upper),
			   "a listed service is allowed");
	}
	if (nargs > 0)
		(void)apk_services_allow(&s, args[nargs - 1]);
}

static void check_networks(const char *const *args, size_t nargs)
{
	static struct apk_networks s, one;
	char err[256], text[APK_NETWORK_TEXT_MAX + 1];
	const char *p = text;
	size_t i;

	memset(err, 0, sizeof(err));
	if (apk_networks_parse(args, nargs, &s, err, sizeof(err)) != APK_OK) {
		FUZZ_CHECK(fuzz_all_zero(&s, sizeof(s)), "a refused network list is zeroed");
		fuzz_check_message(err, sizeof(err));
		return;
	}
	FUZZ_CHECK(apk_networks_canonical(&s), "an accepted network list is canonical");
	for (i = 0; i < s.n; i++) {
		apk_network_text(&s.net[i], text, sizeof(text));
		FUZZ_CHECK(apk_networks_parse(&p, 1, &one, err, sizeof(err)) == APK_OK && one.n == 1 &&
			   memcmp(&one.net[0], &s.net[i], sizeof(one.net[0])) == 0,
			   "the text of a network parses back to it");
		*strchrnul(text, '/') = '\0';
		FUZZ_CHECK(apk_networks_match(&s, text) == APK_SOURCE_OK,
			   "a network's own address matches the list");
	}
	if (s.n > 0) {
		FUZZ_CHECK(apk_networks_match(&s, NULL) == APK_SOURCE_UNSET &&
			   apk_networks_match(&s, "") == APK_SOURCE_UNSET,
			   "no PAM_RHOST never matches a list");
		FUZZ_CHECK(apk_networks_match(&s, "localhost") == APK_SOURCE_NOT_ADDRESS,
			   "a host name never matches a list");
	}
	if (nargs > 0)
		(void)apk_networks_match(&s, args[nargs - 1]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[MAX_IN + 1];
	const char *args[MAX_ARGS];
	size_t n = size < MAX_IN ? size : MAX_IN, nargs = 0, i, start = 0;

	memcpy(buf, data, n);
	buf[n] = '\0';
	for (i = 0; i <= n && nargs < MAX_ARGS; i++) {
		if (i == n || buf[i] == '\n') {
			buf[i] = '\0';
			args[nargs++] = buf + start;
			start = i + 1;
		}
	}
	check_services(args, n > 0 ? nargs : 0);
	check_networks(args, n > 0 ? nargs : 0);
	return 0;
}
