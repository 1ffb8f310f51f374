/* fleet_digest_check - a tool for tests/ldap/fleetctl.sh, not a test: reads
 * a key (line 1) and an apiKeyDigest value (line 2) on standard input and
 * exits 0 when the value is a valid digest of that key (fleet_digest.c), 1
 * when it is not, 2 for unusable input. */
#include <stdio.h>
#include <string.h>

#include "fleet_digest.h"

int main(void)
{
	char token[256], value[256];
	struct apk_key key;
	struct apk_fleet_digest d;

	if (apk_crypto_init() != APK_OK || fgets(token, sizeof(token), stdin) == NULL ||
	    fgets(value, sizeof(value), stdin) == NULL)
		return 2;
	token[strcspn(token, "\n")] = '\0';
	value[strcspn(value, "\n")] = '\0';
	if (apk_key_parse(token, strlen(token), &key) != APK_OK ||
	    apk_fleet_digest_decode(value, strlen(value), &d) != APK_OK)
		return 2;
	return apk_fleet_digest_matches(&d, &key) ? 0 : 1;
}
