/* test_mirror.c - a mirror of directory keys in a test database, through mirror.h */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "fleet_digest.h"
#include "hosts.h"
#include "store.h"
#include "test_mirror.h"

void test_mirror_path(const struct test_db *t, const char *name, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/%s/%s", t->path, APK_MIRROR_SUBDIR, name);
}

enum apk_err test_mirror_put(const struct test_db *t, uint32_t uid, const struct apk_keyring *kr)
{
	enum apk_err err;
	int fd;

	if ((err = apk_mirror_open(t->path, &fd)) != APK_OK)
		return err;
	if ((err = apk_mirror_put(fd, uid, kr)) == APK_OK)
		err = apk_mirror_sync(fd);
	close(fd);
	return err;
}

/* A directory record of acct for key k named name (hosts: its --hosts
 * list, NULL for none) appended to the account's mirrored keys. */
static enum apk_err add(const struct test_db *t, const struct apk_account *acct, const char *name,
			const char *hosts, const struct apk_key *k, struct apk_record *out)
{
	struct apk_fleet_digest d;
	struct apk_keyring kr;
	struct apk_record r;
	char err[256];
	enum apk_err e;
	int fd;

	if ((e = apk_mirror_open(t->path, &fd)) != APK_OK)
		return e;
	e = apk_store_load_at(fd, acct->uid, &kr);
	close(fd);
	if (e != APK_OK)
		return e;
	memset(&r, 0, sizeof(r));
	memcpy(r.id, k->id, sizeof(r.id));
	r.uid = acct->uid;
	snprintf(r.owner, sizeof(r.owner), "%s", acct->name);
	snprintf(r.name, sizeof(r.name), "%s", name);
	r.created = (int64_t)time(NULL);
	if (hosts != NULL && apk_hosts_parse(&hosts, 1, &r.hosts, err, sizeof(err)) != APK_OK)
		e = APK_ERR_INVALID;
	apk_fleet_digest_make(k, &d);
	apk_mirror_record_digest(&r, &d);
	sodium_memzero(&d, sizeof(d));
	if (e == APK_OK)
		e = apk_keyring_append(&kr, &r);
	if (e == APK_OK)
		e = test_mirror_put(t, acct->uid, &kr);
	if (e == APK_OK && out != NULL)
		*out = r;
	apk_keyring_free(&kr);
	return e;
}

enum apk_err test_mirror_generate(const struct test_db *t, const struct apk_account *acct,
				  const char *name, char token[APK_KEY_LEN + 1],
				  struct apk_record *out)
{
	return test_mirror_generate_hosts(t, acct, name, NULL, token, out);
}

enum apk_err test_mirror_generate_hosts(const struct test_db *t, const struct apk_account *acct,
					const char *name, const char *hosts,
					char token[APK_KEY_LEN + 1], struct apk_record *out)
{
	struct apk_key k;
	enum apk_err e;

	apk_key_generate(&k);
	apk_key_format(&k, token);
	e = add(t, acct, name, hosts, &k, out);
	apk_key_wipe(&k);
	return e;
}

enum apk_err test_mirror_add_token(const struct test_db *t, const struct apk_account *acct,
				   const char *name, const char *token)
{
	struct apk_key k;
	enum apk_err e;

	if ((e = apk_key_parse(token, strlen(token), &k)) != APK_OK)
		return e;
	e = add(t, acct, name, NULL, &k, NULL);
	apk_key_wipe(&k);
	return e;
}

enum apk_err test_mirror_state(const struct test_db *t, int64_t synced, uint32_t max_stale,
			       const char *host)
{
	struct apk_mirror_state st;
	enum apk_err err;
	int fd;

	memset(&st, 0, sizeof(st));
	st.synced = synced;
	st.max_stale = max_stale;
	snprintf(st.host, sizeof(st.host), "%s", host);
	if ((err = apk_mirror_open(t->path, &fd)) != APK_OK)
		return err;
	err = apk_mirror_state_write(fd, &st);
	close(fd);
	return err;
}
