/* fleet_conn.c - the caller's entry and the operations on their keys, over
 * the directory connection of common/fleet_ldap.c (fleet_conn.h) */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "fleet_conn.h"
#include "fleet_digest.h"
#include "keyfmt.h"
#include "validate.h"

int fleet_connect(const struct apk_conf *c, const char *user, struct fleet_conn *fc, char *err,
		  size_t errsz)
{
	memset(fc, 0, sizeof(*fc));
	if (fleet_ldap_open(&fc->conn, c, err, errsz) != 0 ||
	    fleet_ldap_find_uid(&fc->conn, c->fleet_base, user, fc->dn, sizeof(fc->dn), err,
				errsz) != 0)
		return -1;
	memcpy(fc->keys_dn, fc->dn, sizeof(fc->keys_dn));
	return 0;
}

int fleet_target(const struct apk_conf *c, const char *target, struct fleet_conn *fc, char *err,
		 size_t errsz)
{
	return fleet_ldap_find_uid(&fc->conn, c->fleet_base, target, fc->keys_dn,
				   sizeof(fc->keys_dn), err, errsz);
}

int fleet_bind(struct fleet_conn *fc, const char *password, size_t len, char *err, size_t errsz)
{
	return fleet_ldap_bind_simple(&fc->conn, fc->dn, password, len, err, errsz);
}

int fleet_bind_ticket(struct fleet_conn *fc, char *err, size_t errsz)
{
	return fleet_ldap_bind_gssapi(&fc->conn, fc->dn, err, errsz);
}

int fleet_each_key(struct fleet_conn *fc,
		   int (*each)(void *ctx, const char *dn, const struct fleet_entry *e), void *ctx,
		   char *err, size_t errsz)
{
	return fleet_ldap_search(&fc->conn, fc->keys_dn, 1, "(objectClass=pamApiKey)", FLEET_KEYS_MAX,
				 each, ctx, err, errsz);
}

/* apiKeyId=ID,fc->keys_dn into out: 0, or -1 (with one line in err) when ID is
 * not an id or the DN does not fit. */
static int key_dn(const struct fleet_conn *fc, const char *id, char *out, size_t outsz, char *err,
		  size_t errsz)
{
	int n;

	if (apk_id_valid(id)) {
		n = snprintf(out, outsz, "apiKeyId=%s,%s", id, fc->keys_dn);
		if (n > 0 && (size_t)n < outsz)
			return 0;
	}
	snprintf(err, errsz, "the key's DN does not fit");
	return -1;
}

int fleet_add_key(struct fleet_conn *fc, const struct apk_record *rec, const char *token,
		  char *err, size_t errsz)
{
	static struct fleet_entry e;
	struct apk_key key;
	struct apk_fleet_digest d;
	char dn[FLEET_DN_MAX + 64];
	enum apk_err rc;
	int added;

	if (key_dn(fc, rec->id, dn, sizeof(dn), err, errsz) != 0)
		return -1;
	rc = apk_key_parse(token, strlen(token), &key);
	if (rc == APK_OK) {
		apk_fleet_digest_make(&key, &d);
		apk_key_wipe(&key);
		rc = fleet_entry_encode(rec, &d, &e);
		sodium_memzero(&d, sizeof(d));
	}
	if (rc != APK_OK) {
		snprintf(err, errsz, "%s", apk_strerror(rc));
		return -1;
	}
	added = fleet_ldap_add(&fc->conn, dn, &e, err, errsz);
	sodium_memzero(&e, sizeof(e));
	return added;
}

int fleet_replace_key(struct fleet_conn *fc, const char *id, const struct fleet_entry *e,
		      char *err, size_t errsz)
{
	const char *names[FLEET_ATTRS_MAX];
	char dn[FLEET_DN_MAX + 64];
	size_t n = fleet_entry_changeable(names, FLEET_ATTRS_MAX);

	if (key_dn(fc, id, dn, sizeof(dn), err, errsz) != 0)
		return -1;
	return fleet_ldap_replace(&fc->conn, dn, names, n, e, err, errsz);
}

int fleet_delete_key(struct fleet_conn *fc, const char *id, char *err, size_t errsz)
{
	char dn[FLEET_DN_MAX + 64];

	if (key_dn(fc, id, dn, sizeof(dn), err, errsz) != 0)
		return -1;
	return fleet_ldap_delete(&fc->conn, dn, err, errsz);
}

void fleet_close(struct fleet_conn *fc)
{
	fleet_ldap_close(&fc->conn);
}
