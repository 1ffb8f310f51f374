/* fuzz_conffile.c - apk_conf_parse, the administrator's pam_apikey.conf
 * (common/conffile.c)
 *
 * Input: the file's bytes. Properties:
 *  - accepted: max_keys 1-1000, lifetimes within 100000 days, the default
 *    lifetime within the longest (and not never when there is a longest),
 *    a canonical service list; durations within 365 days, a bind DN with
 *    its password file, SASL EXTERNAL alone and over ldapi://, a host name
 *    of letters, digits, '-' and '.';
 *  - refused: the settings hold exactly the defaults, and the message is one
 *    printable line naming the line ("line N: ...") or the size;
 *  - the same text gives the same answer.
 */
#include <strings.h>

#include "conffile.h"
#include "fuzz.h"

/* A refusal names the line, or says the text is too large. */
static void check_message(const char *err, size_t errsz)
{
	fuzz_check_message(err, errsz);
	FUZZ_CHECK(strncmp(err, "line ", 5) == 0 || strncmp(err, "larger than", 11) == 0,
		   "a refusal names the line");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct apk_conf p, again, defaults;
	char err[512], err2[512];
	enum apk_err rc;

	memset(err, 0, sizeof(err));
	rc = apk_conf_parse((const char *)data, size, &p, err, sizeof(err));
	FUZZ_CHECK(apk_conf_parse((const char *)data, size, &again, err2, sizeof(err2)) == rc &&
		   memcmp(&p, &again, sizeof(p)) == 0, "the same text gives the same answer");
	if (rc != APK_OK) {
		FUZZ_CHECK(rc == APK_ERR_INVALID, "a refusal is APK_ERR_INVALID");
		apk_conf_defaults(&defaults);
		FUZZ_CHECK(memcmp(&p, &defaults, sizeof(p)) == 0, "a refusal leaves the defaults");
		check_message(err, sizeof(err));
		return 0;
	}
	FUZZ_CHECK(p.max_keys >= 1 && p.max_keys <= APK_CONF_MAX_KEYS, "max_keys in range");
	FUZZ_CHECK(p.max_lifetime <= APK_CONF_MAX_DAYS && p.default_lifetime <= APK_CONF_MAX_DAYS,
		   "lifetimes in range");
	if (p.max_lifetime > 0)
		FUZZ_CHECK(p.default_lifetime > 0 && p.default_lifetime <= p.max_lifetime,
			   "the default lifetime is within the longest");
	FUZZ_CHECK(apk_services_canonical(&p.services), "the service list is canonical");
	FUZZ_CHECK(p.fleet_refresh >= 1 && p.fleet_refresh <= APK_CONF_MAX_SECONDS &&
		   p.fleet_max_stale <= APK_CONF_MAX_SECONDS, "durations in range");
	FUZZ_CHECK((p.fleet_bind_dn[0] == '\0') == (p.fleet_bind_password_file[0] == '\0'),
		   "a bind DN comes with its password file");
	FUZZ_CHECK(p.fleet_sasl_mech[0] == '\0' || strcmp(p.fleet_sasl_mech, "GSSAPI") == 0 ||
		   (strcmp(p.fleet_sasl_mech, "EXTERNAL") == 0 && p.fleet_bind_dn[0] == '\0' &&
		    strncasecmp(p.fleet_uri, "ldapi://", 8) == 0),
		   "SASL EXTERNAL alone, over ldapi://");
	FUZZ_CHECK(p.fleet_keytab[0] == '\0' ||
		   (strcmp(p.fleet_sasl_mech, "GSSAPI") == 0 && p.fleet_bind_dn[0] == '\0'),
		   "a host keytab only with GSSAPI, never beside a bind DN");
	FUZZ_CHECK(strspn(p.fleet_host_name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
						"0123456789-.") == strlen(p.fleet_host_name),
		   "a host name of its alphabet");
	return 0;
}
