/* lifecycle_tool.c - a helper the end-to-end lifecycle test runs (not a
 * test itself): sets a key's restrictions through the store and keyring
 * API, as apikeyctl's edit does, until the end-to-end test can use that.
 *
 *   lifecycle_tool restrict DIR USER NAME SERVICES NETWORKS
 *       key NAME of account USER in database DIR gets the service list
 *       SERVICES and the network list NETWORKS (comma-separated, "all" and
 *       "any" for none), parsed as --service and --from are
 *
 * Run it as the account that owns the database (the helper account), so
 * that the file it writes keeps that owner. Exit 0 on success; 1 with one
 * line on stderr otherwise.
 */
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "keyring.h"
#include "store.h"

static int restrict_key(const char *dir, const char *user, const char *name,
			const char *services, const char *networks)
{
	struct apk_store_change *ch;
	struct apk_keyring kr;
	struct apk_account acct;
	struct apk_record *r;
	struct passwd *pw = getpwnam(user);
	char err[256] = "";
	enum apk_err e;

	if (pw == NULL || strlen(user) >= sizeof(acct.name)) {
		fprintf(stderr, "lifecycle_tool: no such user: %s\n", user);
		return 1;
	}
	memset(&acct, 0, sizeof(acct));
	acct.uid = pw->pw_uid;
	memcpy(acct.name, user, strlen(user) + 1);
	if ((e = apk_store_begin(dir, acct.uid, 5000, &kr, &ch)) != APK_OK) {
		apk_keyring_free(&kr);
		fprintf(stderr, "lifecycle_tool: %s: %s\n", dir, apk_strerror(e));
		return 1;
	}
	if ((r = apk_keyring_find(&kr, &acct, name)) == NULL)
		e = APK_ERR_NOTFOUND;
	else if ((e = apk_services_parse(&services, 1, &r->services, err, sizeof(err))) == APK_OK)
		e = apk_networks_parse(&networks, 1, &r->networks, err, sizeof(err));
	e = e == APK_OK ? apk_store_save(ch, &kr) : (apk_store_abandon(ch), e);
	apk_keyring_free(&kr);
	if (e != APK_OK) {
		fprintf(stderr, "lifecycle_tool: %s: %s\n", name, err[0] != '\0' ? err : apk_strerror(e));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[1], "restrict") == 0)
		return restrict_key(argv[2], argv[3], argv[4], argv[5], argv[6]);
	fprintf(stderr, "usage: lifecycle_tool restrict DIR USER NAME SERVICES NETWORKS\n");
	return 2;
}
