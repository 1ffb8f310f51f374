/* lifecycle_tool.c - a helper the end-to-end lifecycle test runs (not a
 * test itself): sets a key's restrictions through the store and keyring
 * API, as apikeyctl's edit does, until the end-to-end test can use that.
 *
 *   lifecycle_tool restrict DIR USER NAME SERVICES NETWORKS
 *       key NAME of account USER in database DIR gets the service list
 *       SERVICES and the network list NETWORKS (comma-separated, "all" and
 *       "any" for none), parsed as --service and --from are, and every
 *       key of the account its last-used slot, as apikeyctl does after a
 *       change
 *   lifecycle_tool lastused DIR USER NAME
 *       prints the recorded last use of key NAME: "TIME SERVICE RHOST"
 *       (RHOST "-" when it was unset), or "never"
 *
 * Run it as the account that owns the database (the helper account), so
 * that the file it writes keeps that owner. Exit 0 on success; 1 with one
 * line on stderr otherwise.
 */
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "keyring.h"
#include "lastused.h"
#include "store.h"

/* acct from the passwd file; -1 with one line on stderr. */
static int account(const char *user, struct apk_account *acct)
{
	struct passwd *pw = getpwnam(user);

	if (pw == NULL || strlen(user) >= sizeof(acct->name)) {
		fprintf(stderr, "lifecycle_tool: no such user: %s\n", user);
		return -1;
	}
	memset(acct, 0, sizeof(*acct));
	acct->uid = pw->pw_uid;
	memcpy(acct->name, user, strlen(user) + 1);
	return 0;
}

/* Every key of kr a last-used slot. */
static enum apk_err give_slots(const char *dir, uint32_t uid, const struct apk_keyring *kr)
{
	const char *ids[APK_MAX_INDEX_IDS];
	size_t i;

	for (i = 0; i < kr->n && i < APK_MAX_INDEX_IDS; i++)
		ids[i] = kr->recs[i].id;
	return apk_lastused_prepare(dir, uid, ids, i);
}

static int restrict_key(const char *dir, const char *user, const char *name,
			const char *services, const char *networks)
{
	struct apk_store_change *ch;
	struct apk_keyring kr;
	struct apk_account acct;
	struct apk_record *r;
	char err[256] = "";
	enum apk_err e;

	if (account(user, &acct) != 0)
		return 1;
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
	if (e == APK_OK)
		e = give_slots(dir, acct.uid, &kr);
	apk_keyring_free(&kr);
	if (e != APK_OK) {
		fprintf(stderr, "lifecycle_tool: %s: %s\n", name, err[0] != '\0' ? err : apk_strerror(e));
		return 1;
	}
	return 0;
}

static int show_last_use(const char *dir, const char *user, const char *name)
{
	struct apk_keyring kr;
	struct apk_account acct;
	struct apk_lastused u;
	struct apk_record *r;
	const char *id;
	enum apk_err e;

	if (account(user, &acct) != 0)
		return 1;
	if ((e = apk_store_load(dir, acct.uid, &kr)) == APK_OK &&
	    (r = apk_keyring_find(&kr, &acct, name)) != NULL) {
		id = r->id;
		e = apk_lastused_read(dir, acct.uid, &id, 1, &u);
	} else if (e == APK_OK) {
		e = APK_ERR_NOTFOUND;
	}
	apk_keyring_free(&kr);
	if (e != APK_OK) {
		fprintf(stderr, "lifecycle_tool: %s: %s\n", name, apk_strerror(e));
		return 1;
	}
	if (u.used)
		printf("%lld %s %s\n", (long long)u.time, u.service, u.rhost[0] ? u.rhost : "-");
	else
		printf("never\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[1], "restrict") == 0)
		return restrict_key(argv[2], argv[3], argv[4], argv[5], argv[6]);
	if (argc == 5 && strcmp(argv[1], "lastused") == 0)
		return show_last_use(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: lifecycle_tool restrict DIR USER NAME SERVICES NETWORKS\n"
			"       lifecycle_tool lastused DIR USER NAME\n");
	return 2;
}
