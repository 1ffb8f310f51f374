/* fleet_ldif - a tool for the directory tests and bench/fleet.sh, not a test:
 * writes many accounts and their keys as LDIF, fast, with keys the caller
 * knows.
 *
 *   fleet_ldif [-A] [-p PASSWD] BASE PREFIX ACCOUNTS KEYS FIRST_UID KEYFILE
 *
 * Accounts PREFIX0, PREFIX1, ... (ACCOUNTS of them, at most 1,000,000) are
 * uid=NAME,ou=people,BASE with uidNumber FIRST_UID + i; each gets KEYS
 * pamApiKey entries (at most 100) named k0, k1, ..., every one a fresh key
 * whose apiKeyDigest is made as apikeyctl --fleet makes it (fleet_digest.c).
 * The LDIF goes to standard output, for ldapadd or slapadd (the account
 * entries first, each followed by its keys). KEYFILE (created mode 0600,
 * never overwritten) gets one line per key: NAME ID KEY.
 *   -A         no account entries, only keys: the accounts exist already
 *              (PREFIX is then a whole name and ACCOUNTS must be 1)
 *   -p PASSWD  also writes the accounts as passwd(5) lines to PASSWD (for
 *              nss_wrapper: a host that knows them without useradd)
 * Exit 0, 2 on a usage error, 1 when a write fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fleet_digest.h"
#include "keyfmt.h"

#define USAGE "usage: fleet_ldif [-A] [-p PASSWD] BASE PREFIX ACCOUNTS KEYS FIRST_UID KEYFILE\n"

static int number(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return s[0] >= '0' && s[0] <= '9' && *end == '\0' && errno == 0 && *out <= max ? 0 : -1;
}

static FILE *create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	return fd < 0 ? NULL : fdopen(fd, "w");
}

static void account(FILE *out, const char *dn, const char *name, unsigned long uid)
{
	fprintf(out,
		"dn: %s\nobjectClass: inetOrgPerson\nobjectClass: posixAccount\nuid: %s\n"
		"cn: %s\nsn: %s\nuidNumber: %lu\ngidNumber: %lu\nhomeDirectory: /nonexistent\n\n",
		dn, name, name, name, uid, uid);
}

/* One key under dn: its entry to out, NAME ID KEY to keys. */
static void key_entry(FILE *out, FILE *keys, const char *dn, const char *name, unsigned long k)
{
	struct apk_key key;
	struct apk_fleet_digest d;
	char token[APK_KEY_LEN + 1], value[APK_FLEET_VALUE_LEN + 1];

	apk_key_generate(&key);
	apk_key_format(&key, token);
	apk_fleet_digest_make(&key, &d);
	apk_fleet_digest_encode(&d, value);
	fprintf(out,
		"dn: apiKeyId=%s,%s\nobjectClass: pamApiKey\napiKeyId: %s\napiKeyDigest: %s\n"
		"apiKeyCreated: 20260101000000Z\napiKeyName: k%lu\n\n",
		key.id, dn, key.id, value, k);
	fprintf(keys, "%s %s %s\n", name, key.id, token);
	apk_key_wipe(&key);
}

int main(int argc, char *argv[])
{
	unsigned long accounts, keys_each, first_uid, i, k;
	const char *passwd_path = NULL;
	FILE *keys, *passwd = NULL;
	bool with_accounts = true;
	char name[128], dn[512];
	int c;

	while ((c = getopt(argc, argv, "Ap:")) != -1) {
		switch (c) {
		case 'A': with_accounts = false; break;
		case 'p': passwd_path = optarg; break;
		default: fputs(USAGE, stderr); return 2;
		}
	}
	argv += optind;
	if (argc - optind != 6 || number(argv[2], 1000000, &accounts) != 0 || accounts == 0 ||
	    number(argv[3], 100, &keys_each) != 0 || number(argv[4], 4000000000ul, &first_uid) != 0 ||
	    strlen(argv[0]) > 200 || strlen(argv[1]) > 32 || (!with_accounts && accounts != 1)) {
		fputs(USAGE, stderr);
		return 2;
	}
	if (apk_crypto_init() != APK_OK) {
		fputs("fleet_ldif: libsodium does not initialise\n", stderr);
		return 1;
	}
	if ((keys = create(argv[5])) == NULL ||
	    (passwd_path != NULL && (passwd = create(passwd_path)) == NULL)) {
		fprintf(stderr, "fleet_ldif: cannot create %s: %s\n",
			keys == NULL ? argv[5] : passwd_path, strerror(errno));
		return 1;
	}
	for (i = 0; i < accounts; i++) {
		if (with_accounts)
			snprintf(name, sizeof(name), "%s%lu", argv[1], i);
		else
			snprintf(name, sizeof(name), "%s", argv[1]);
		snprintf(dn, sizeof(dn), "uid=%s,ou=people,%s", name, argv[0]);
		if (with_accounts)
			account(stdout, dn, name, first_uid + i);
		if (passwd != NULL)
			fprintf(passwd, "%s:x:%lu:%lu::/nonexistent:/bin/false\n", name,
				first_uid + i, first_uid + i);
		for (k = 0; k < keys_each; k++)
			key_entry(stdout, keys, dn, name, k);
	}
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(keys) != 0 ||
	    (passwd != NULL && fclose(passwd) != 0)) {
		fprintf(stderr, "fleet_ldif: write failed: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}
