/* fleet_ldap.h - the directory connection, the one place that knows
 * libldap: for apikeyctl --fleet (bound as a user) and apikeyd's mirror
 * (bound as the host). Linked only into the programs that talk LDAP, never
 * into the PAM module (the Makefile keeps it out of the common library).
 *
 * The transport rule, for every bind: fleet_uri is ldapi:// (a local
 * socket), ldaps://, or ldap:// upgraded with StartTLS before anything is
 * sent; for the last two the server's certificate is checked against
 * fleet_tls_cacert (required), and a failed check or a failed StartTLS is a
 * one-line error, never a fallback to the clear. Connecting and binding are
 * separate steps: fleet_ldap_open, then a bind (simple or SASL GSSAPI),
 * then the operations, then fleet_ldap_close.
 *
 * Every function that can fail returns 0, or -1 with one line in err. */
#ifndef APK_FLEET_LDAP_H
#define APK_FLEET_LDAP_H

#include <stddef.h>

#include "conffile.h"
#include "fleet_entry.h"

#define FLEET_DN_MAX 1024 /* bytes of an entry's DN */

struct fleet_ldap {
	void *ld; /* LDAP *: NULL when closed */
};

/* Whether c's settings allow a connection that may carry a password:
 * fleet_uri and fleet_base set, and fleet_tls_cacert for ldaps:// and
 * ldap://. */
int fleet_ldap_usable(const struct apk_conf *c, char *err, size_t errsz);

/* Connects to c->fleet_uri under the transport rule above (with
 * fleet_ldap_usable first); nothing is bound yet. fleet_ldap_close after
 * either result. */
int fleet_ldap_open(struct fleet_ldap *fl, const struct apk_conf *c, char *err, size_t errsz);

/* A simple bind as dn with password (len bytes, never empty: an empty one
 * would be an unauthenticated bind). */
int fleet_ldap_bind_simple(struct fleet_ldap *fl, const char *dn, const char *password,
			   size_t len, char *err, size_t errsz);

/* A SASL GSSAPI bind with the caller's Kerberos ticket (KRB5CCNAME or the
 * default cache), that must be dn's: 0 when bound as dn; 1 when there is
 * no ticket or no GSSAPI here or at the server (nothing was authenticated:
 * the caller may bind otherwise on the same connection); -1 with one line
 * in err when the server refused the ticket or it is another entry's. */
int fleet_ldap_bind_gssapi(struct fleet_ldap *fl, const char *dn, char *err, size_t errsz);

/* apikeyd's SASL GSSAPI bind as the host, with the credential the
 * Kerberos library finds (apikeyd: the host's keytab, KRB5_CLIENT_KTNAME):
 * 0 with the DN the server bound it as (whoami) in who; -1 with one line
 * in err when the bind failed (no fallback: nothing was authenticated and
 * the caller binds no other way) or the server mapped the principal to no
 * entry (an identity under cn=auth). */
int fleet_ldap_bind_gssapi_host(struct fleet_ldap *fl, char *who, size_t whosz, char *err,
				size_t errsz);

/* The DN of the one posixAccount with uid=user under base, as nslcd and
 * SSSD find an account (user escaped, RFC 4515), into dn. None, or more
 * than one, is an error. */
int fleet_ldap_find_uid(struct fleet_ldap *fl, const char *base, const char *user, char *dn,
			size_t dnsz, char *err, size_t errsz);

/* Searches base (only its children when onelevel, else its subtree) with
 * filter and calls each(ctx, dn, entry) for every entry found, at most max
 * (more is an error), all its attributes in entry (empty, n == 0, when they
 * do not fit a fleet_entry); stops when each returns nonzero. */
int fleet_ldap_search(struct fleet_ldap *fl, const char *base, int onelevel, const char *filter,
		      int max, int (*each)(void *ctx, const char *dn, const struct fleet_entry *e),
		      void *ctx, char *err, size_t errsz);

/* One search result entry msg (an LDAPMessage *, from a search of the
 * caller's own, e.g. apikeyd's sync) into e, every attribute and value;
 * -1 when they do not fit a fleet_entry. */
int fleet_ldap_read_entry(struct fleet_ldap *fl, void *msg, struct fleet_entry *e);

/* Adds e as the entry dn. */
int fleet_ldap_add(struct fleet_ldap *fl, const char *dn, const struct fleet_entry *e, char *err,
		   size_t errsz);

/* Replaces the attributes names[0..n-1] of the entry dn by e's values in
 * one modify, removing those e lacks. */
int fleet_ldap_replace(struct fleet_ldap *fl, const char *dn, const char *const names[], size_t n,
		       const struct fleet_entry *e, char *err, size_t errsz);

/* Deletes the entry dn. */
int fleet_ldap_delete(struct fleet_ldap *fl, const char *dn, char *err, size_t errsz);

/* Unbinds and closes; harmless when closed already. */
void fleet_ldap_close(struct fleet_ldap *fl);

#endif
