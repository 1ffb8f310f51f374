/* mirror_tool.c - builds a mirror of directory keys for the shell tests
 * (not a test itself), only through mirror.h's writer API, as apikeyd does
 *
 *   mirror_tool key DIR USER NAME [HOSTS]   a new directory key NAME of
 *                                           USER (an account of this host)
 *                                           in DIR/fleet; prints its token
 *   mirror_tool state DIR SYNCED MAX_STALE HOST
 *                                           writes DIR/fleet/state (SYNCED
 *                                           "now": this second)
 *
 * Exit 0 on success, 1 on failure, 2 on a usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test_mirror.h"

static int key(char **argv, int argc)
{
	char token[APK_KEY_LEN + 1];
	struct test_db t;
	struct apk_account acct;
	enum apk_err err;

	if (apk_crypto_init() != APK_OK)
		return 1;
	memset(&t, 0, sizeof(t));
	snprintf(t.path, sizeof(t.path), "%s", argv[0]);
	acct = test_account(argv[1], -1);
	err = test_mirror_generate_hosts(&t, &acct, argv[2], argc > 3 ? argv[3] : NULL, token, NULL);
	if (err != APK_OK) {
		fprintf(stderr, "mirror_tool: %s\n", apk_strerror(err));
		return 1;
	}
	printf("%s\n", token);
	return 0;
}

static int state(char **argv)
{
	struct test_db t;
	int64_t synced = strcmp(argv[1], "now") == 0 ? (int64_t)time(NULL) : atoll(argv[1]);
	enum apk_err err;

	memset(&t, 0, sizeof(t));
	snprintf(t.path, sizeof(t.path), "%s", argv[0]);
	err = test_mirror_state(&t, synced, (uint32_t)strtoul(argv[2], NULL, 10), argv[3]);
	if (err != APK_OK) {
		fprintf(stderr, "mirror_tool: %s\n", apk_strerror(err));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "key") == 0)
		return key(argv + 2, argc - 2);
	if (argc == 6 && strcmp(argv[1], "state") == 0)
		return state(argv + 2);
	fprintf(stderr, "usage: mirror_tool key DIR USER NAME [HOSTS] | state DIR SYNCED MAX_STALE HOST\n");
	return 2;
}
