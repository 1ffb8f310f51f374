/* fleet_conn.h - apikeyctl's work in the directory (--fleet), over the
 * connection of common/fleet_ldap.h (TLS or ldapi, never a password in the
 * clear): finds the caller's entry as nslcd and SSSD find it (uid=NAME of a
 * posixAccount under fleet_base, exactly one), binds as that entry with the
 * caller's password, and reads, adds, changes and deletes the pamApiKey
 * entries under the target's entry: the caller's own, or with --user
 * another account's, found the same way. Every operation runs as the
 * caller: the directory's access rules decide (an administrator's may
 * allow another's keys), apikeyctl never holds a host's credential. */
#ifndef APKCTL_FLEET_CONN_H
#define APKCTL_FLEET_CONN_H

#include <stddef.h>

#include "conffile.h"
#include "fleet_entry.h"
#include "fleet_ldap.h"

#define FLEET_KEYS_MAX 1000 /* entries read under one account, at most */

struct fleet_conn {
	struct fleet_ldap conn;
	char dn[FLEET_DN_MAX + 1];      /* the caller's entry: the bind */
	char keys_dn[FLEET_DN_MAX + 1]; /* the target's entry: the keys under it */
};

/* Connects (TLS as above) and finds user's entry: 0, or -1 with one line in
 * err. fleet_close after either. The keys are user's until fleet_target. */
int fleet_connect(const struct apk_conf *c, const char *user, struct fleet_conn *fc, char *err,
		  size_t errsz);

/* After the bind: the keys are target's, its entry found by uid under
 * fleet_base as the binding user sees it. 0, or -1 with one line in err. */
int fleet_target(const struct apk_conf *c, const char *target, struct fleet_conn *fc, char *err,
		 size_t errsz);

/* A simple bind as fc->dn with password (len bytes): 0, or -1. */
int fleet_bind(struct fleet_conn *fc, const char *password, size_t len, char *err, size_t errsz);

/* A Kerberos (SASL GSSAPI) bind as fc->dn with the caller's ticket: 0
 * bound, 1 no ticket (bind otherwise), -1 refused (fleet_ldap.h). */
int fleet_bind_ticket(struct fleet_conn *fc, char *err, size_t errsz);

/* Calls each(ctx, dn, entry) for every entry directly under fc->keys_dn that
 * is a pamApiKey, all its attributes in entry; stops when each returns
 * nonzero. 0, or -1 with one line in err (the directory's refusal, more
 * than FLEET_KEYS_MAX entries, an entry that does not fit). */
int fleet_each_key(struct fleet_conn *fc,
		   int (*each)(void *ctx, const char *dn, const struct fleet_entry *e), void *ctx,
		   char *err, size_t errsz);

/* Adds rec, a new key whose secret is token (its digest in the entry,
 * fleet_digest.h), as apiKeyId=ID,fc->keys_dn: 0, or -1 with one line in
 * err (a field that fails validation, or the directory's refusal). */
int fleet_add_key(struct fleet_conn *fc, const struct apk_record *rec, const char *token,
		  char *err, size_t errsz);

/* Replaces the changeable attributes (fleet_entry_changeable) of
 * apiKeyId=ID,fc->keys_dn with e's, removing those e lacks, in one modify:
 * 0, or -1 with the directory's refusal. */
int fleet_replace_key(struct fleet_conn *fc, const char *id, const struct fleet_entry *e,
		      char *err, size_t errsz);

/* Deletes apiKeyId=ID,fc->keys_dn: 0, or -1 with the directory's refusal. */
int fleet_delete_key(struct fleet_conn *fc, const char *id, char *err, size_t errsz);

void fleet_close(struct fleet_conn *fc);

#endif
