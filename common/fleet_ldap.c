/* fleet_ldap.c - connect under the transport rule, bind, search, add,
 * modify and delete, with libldap (fleet_ldap.h) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include <lber.h>
#include <ldap.h>
#include <sasl/sasl.h>

#include "fleet_ldap.h"
#include "validate.h"

#define NETWORK_TIMEOUT 10 /* seconds to connect */
#define OP_TIMEOUT 30      /* seconds an operation may take */

static int is_scheme(const char *uri, const char *scheme)
{
	return strncasecmp(uri, scheme, strlen(scheme)) == 0;
}

int fleet_ldap_usable(const struct apk_conf *c, char *err, size_t errsz)
{
	if (c->fleet_uri[0] == '\0' || c->fleet_base[0] == '\0') {
		snprintf(err, errsz, "no directory: pam_apikey.conf sets no fleet_uri or fleet_base");
		return -1;
	}
	if (!is_scheme(c->fleet_uri, "ldapi://") && c->fleet_tls_cacert[0] == '\0') {
		snprintf(err, errsz, "refused: fleet_uri is not ldapi:// and fleet_tls_cacert is not "
			 "set; a password is never sent without TLS");
		return -1;
	}
	return 0;
}

/* ld's last error as text. */
static const char *ld_error(LDAP *ld, int rc)
{
	int code = rc;

	if (rc == LDAP_OTHER && ld != NULL)
		ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &code);
	return ldap_err2string(code);
}

/* The one line for a TLS handshake that failed: the certificate, almost
 * always (libldap says no more than "Connect error"). */
static void tls_refused(const struct apk_conf *c, const char *how, char *err, size_t errsz)
{
	snprintf(err, errsz, "refused: %s with %s failed: the server's certificate is not signed by "
		 "fleet_tls_cacert %s or does not name the host in fleet_uri; a password is never "
		 "sent without TLS", how, c->fleet_uri, c->fleet_tls_cacert);
}

/* Whether ld's connection failed in TLS (libldap then leaves a message)
 * rather than before it (nothing to connect to: none). */
static int tls_failed(LDAP *ld)
{
	char *msg = NULL;
	int failed;

	ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &msg);
	failed = msg != NULL;
	ldap_memfree(msg);
	return failed;
}

static int tls_setup(LDAP *ld, const struct apk_conf *c, char *err, size_t errsz)
{
	int hard = LDAP_OPT_X_TLS_HARD, zero = 0, rc;

	/* a TLS context of this connection's own: fleet_tls_cacert alone,
	 * none of the CAs an ldap.conf names */
	if (ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, c->fleet_tls_cacert) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &hard) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero) != LDAP_OPT_SUCCESS) {
		snprintf(err, errsz, "cannot set up TLS with fleet_tls_cacert %s", c->fleet_tls_cacert);
		return -1;
	}
	if (is_scheme(c->fleet_uri, "ldaps://")) {
		/* connect now, so that a bad certificate is said as such */
		if ((rc = ldap_connect(ld)) == LDAP_SUCCESS)
			return 0;
		if (tls_failed(ld))
			tls_refused(c, "TLS", err, errsz);
		else
			snprintf(err, errsz, "cannot connect to %s: %s", c->fleet_uri, ld_error(ld, rc));
		return -1;
	}
	if ((rc = ldap_start_tls_s(ld, NULL, NULL)) == LDAP_SUCCESS)
		return 0;
	if (rc == LDAP_CONNECT_ERROR) /* StartTLS accepted, the handshake failed */
		tls_refused(c, "StartTLS", err, errsz);
	else if (rc == LDAP_SERVER_DOWN && !tls_failed(ld))
		snprintf(err, errsz, "cannot connect to %s: %s", c->fleet_uri, ld_error(ld, rc));
	else
		snprintf(err, errsz, "refused: StartTLS with %s failed (%s): the server offers no "
			 "TLS; a password is never sent without TLS", c->fleet_uri, ld_error(ld, rc));
	return -1;
}

int fleet_ldap_open(struct fleet_ldap *fl, const struct apk_conf *c, char *err, size_t errsz)
{
	struct timeval net = { NETWORK_TIMEOUT, 0 }, op = { OP_TIMEOUT, 0 };
	int v3 = LDAP_VERSION3;
	LDAP *ld = NULL;

	fl->ld = NULL;
	if (fleet_ldap_usable(c, err, errsz) != 0)
		return -1;
	if (ldap_initialize(&ld, c->fleet_uri) != LDAP_SUCCESS || ld == NULL) {
		snprintf(err, errsz, "fleet_uri %s is not a usable LDAP URI", c->fleet_uri);
		return -1;
	}
	fl->ld = ld;
	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &net) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &op) != LDAP_OPT_SUCCESS) {
		snprintf(err, errsz, "cannot set the LDAP connection's options");
		return -1;
	}
	if (!is_scheme(c->fleet_uri, "ldapi://") && tls_setup(ld, c, err, errsz) != 0)
		return -1;
	return 0;
}

int fleet_ldap_bind_simple(struct fleet_ldap *fl, const char *dn, const char *password,
			   size_t len, char *err, size_t errsz)
{
	struct berval cred;
	int rc;

	if (len == 0) { /* an empty password is an unauthenticated bind: never */
		snprintf(err, errsz, "an empty password is refused");
		return -1;
	}
	cred.bv_val = (char *)(uintptr_t)password;
	cred.bv_len = len;
	rc = ldap_sasl_bind_s(fl->ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
	if (rc == LDAP_SUCCESS)
		return 0;
	snprintf(err, errsz, "the directory refused the bind as %s: %s", dn, ld_error(fl->ld, rc));
	return -1;
}

/* The SASL library's questions: none has an answer but its default (the
 * authorization identity: none, the ticket's own). */
static int sasl_defaults(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	sasl_interact_t *q;

	(void)ld;
	(void)flags;
	(void)defaults;
	for (q = in; q->id != SASL_CB_LIST_END; q++) {
		q->result = "";
		q->len = 0;
	}
	return LDAP_SUCCESS;
}

/* Whether the identity whoami reports ("dn:DN") is dn, as the server
 * normalizes both. */
static int bound_as(LDAP *ld, const char *dn, char *who, size_t whosz)
{
	struct berval *id = NULL;
	char *mine = NULL, *theirs = NULL;
	int same = 0;

	snprintf(who, whosz, "(unknown)");
	if (ldap_whoami_s(ld, &id, NULL, NULL) != LDAP_SUCCESS || id == NULL)
		return 0;
	snprintf(who, whosz, "%.*s", (int)id->bv_len, id->bv_val);
	if (id->bv_len > 3 && strncmp(id->bv_val, "dn:", 3) == 0 && strlen(who) == id->bv_len &&
	    ldap_dn_normalize(who + 3, LDAP_DN_FORMAT_LDAP, &theirs, LDAP_DN_FORMAT_LDAPV3) ==
		    LDAP_SUCCESS &&
	    ldap_dn_normalize(dn, LDAP_DN_FORMAT_LDAP, &mine, LDAP_DN_FORMAT_LDAPV3) == LDAP_SUCCESS)
		same = strcasecmp(mine, theirs) == 0;
	ldap_memfree(mine);
	ldap_memfree(theirs);
	ber_bvfree(id);
	return same;
}

static int gssapi_bind(struct fleet_ldap *fl)
{
	return ldap_sasl_interactive_bind_s(fl->ld, NULL, "GSSAPI", NULL, NULL, LDAP_SASL_QUIET,
					    sasl_defaults, NULL);
}

int fleet_ldap_bind_gssapi(struct fleet_ldap *fl, const char *dn, char *err, size_t errsz)
{
	char who[FLEET_DN_MAX + 8];
	int rc;

	rc = gssapi_bind(fl);
	/* no ticket, no GSSAPI mechanism here, or the server offers none */
	if (rc == LDAP_LOCAL_ERROR || rc == LDAP_AUTH_UNKNOWN || rc == LDAP_NOT_SUPPORTED ||
	    rc == LDAP_STRONG_AUTH_NOT_SUPPORTED)
		return 1;
	if (rc != LDAP_SUCCESS) {
		snprintf(err, errsz, "the directory refused the Kerberos (GSSAPI) bind: %s",
			 ld_error(fl->ld, rc));
		return -1;
	}
	if (bound_as(fl->ld, dn, who, sizeof(who)))
		return 0;
	snprintf(err, errsz, "refused: the Kerberos ticket binds as %s, not as %s", who, dn);
	return -1;
}

/* libldap's diagnostic text for the last operation (the SASL library's
 * or the server's: bytes from elsewhere), printable ASCII only, into out;
 * "" when there is none. */
static void diagnostic(LDAP *ld, char *out, size_t outsz)
{
	char *msg = NULL;
	size_t i;

	out[0] = '\0';
	if (ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &msg) != LDAP_OPT_SUCCESS || msg == NULL)
		return;
	for (i = 0; msg[i] != '\0' && i + 1 < outsz; i++)
		out[i] = msg[i] >= 0x20 && msg[i] <= 0x7e ? msg[i] : '?';
	out[i] = '\0';
	ldap_memfree(msg);
}

/* Whether dn ends in ",cn=auth" (any case): an identity the server made
 * from the SASL name because no rule mapped it to an entry. */
static int unmapped(const char *dn)
{
	size_t n = strlen(dn);

	return n >= 8 && strcasecmp(dn + n - 8, ",cn=auth") == 0;
}

int fleet_ldap_bind_gssapi_host(struct fleet_ldap *fl, char *who, size_t whosz, char *err,
				size_t errsz)
{
	char diag[512], raw[FLEET_DN_MAX + 1];
	struct berval *id = NULL;
	int rc;

	snprintf(who, whosz, "(unknown)");
	rc = gssapi_bind(fl);
	if (rc != LDAP_SUCCESS) {
		diagnostic(fl->ld, diag, sizeof(diag));
		snprintf(err, errsz, "the Kerberos (GSSAPI) bind failed: %s%s%s%s",
			 ld_error(fl->ld, rc), diag[0] != '\0' ? " (" : "", diag,
			 diag[0] != '\0' ? ")" : "");
		return -1;
	}
	/* the identity the server made of the principal, which its rules
	 * see: it must be a DN, one a rule mapped to an entry */
	rc = ldap_whoami_s(fl->ld, &id, NULL, NULL);
	if (rc != LDAP_SUCCESS || id == NULL) {
		ber_bvfree(id);
		snprintf(err, errsz, "the directory does not say who the Kerberos bind is (whoami: %s)",
			 ld_error(fl->ld, rc));
		return -1;
	}
	if (id->bv_len <= 3 || id->bv_len - 3 > FLEET_DN_MAX || strncmp(id->bv_val, "dn:", 3) != 0 ||
	    memchr(id->bv_val, '\0', id->bv_len) != NULL) {
		snprintf(err, errsz, "refused: the Kerberos bind's identity is not a DN of at most "
			 "%d bytes", FLEET_DN_MAX);
		ber_bvfree(id);
		return -1;
	}
	memcpy(raw, id->bv_val + 3, id->bv_len - 3);
	raw[id->bv_len - 3] = '\0';
	ber_bvfree(id);
	apk_escape(raw, who, whosz); /* the server's bytes: shown escaped */
	if (unmapped(raw)) {
		snprintf(err, errsz, "refused: the directory maps this host's principal to no entry "
			 "(whoami: dn:%s): map it to the host's entry (OpenLDAP: olcAuthzRegexp)", who);
		return -1;
	}
	return 0;
}

/* "(&(objectClass=posixAccount)(uid=NAME))", NAME escaped (RFC 4515). */
static int user_filter(const char *user, char *out, size_t outsz)
{
	size_t o;
	const unsigned char *p;

	o = (size_t)snprintf(out, outsz, "(&(objectClass=posixAccount)(uid=");
	for (p = (const unsigned char *)user; *p != '\0' && o + 4 < outsz; p++) {
		if (*p == '*' || *p == '(' || *p == ')' || *p == '\\' || *p < 0x20 || *p > 0x7e)
			o += (size_t)snprintf(out + o, outsz - o, "\\%02x", *p);
		else
			out[o++] = (char)*p;
	}
	if (*p != '\0' || o + 3 > outsz)
		return -1;
	memcpy(out + o, "))", 3);
	return 0;
}

int fleet_ldap_find_uid(struct fleet_ldap *fl, const char *base, const char *user, char *dn,
			size_t dnsz, char *err, size_t errsz)
{
	char filter[3 * APK_USER_MAX + 64], *attrs[] = { (char *)(uintptr_t)LDAP_NO_ATTRS, NULL };
	struct timeval tv = { OP_TIMEOUT, 0 };
	LDAPMessage *res = NULL, *e;
	char *found;
	int rc, n;

	if (strlen(user) > APK_USER_MAX || user_filter(user, filter, sizeof(filter)) != 0) {
		snprintf(err, errsz, "the user name cannot be searched for");
		return -1;
	}
	rc = ldap_search_ext_s(fl->ld, base, LDAP_SCOPE_SUBTREE, filter, attrs, 0, NULL, NULL,
			       &tv, 2, &res);
	n = rc == LDAP_SUCCESS ? ldap_count_entries(fl->ld, res) : -1;
	if (rc == LDAP_SIZELIMIT_EXCEEDED || n > 1) {
		snprintf(err, errsz, "more than one entry for uid=%s under %s", user, base);
	} else if (rc != LDAP_SUCCESS) {
		snprintf(err, errsz, "cannot search %s for uid=%s: %s", base, user,
			 ld_error(fl->ld, rc));
	} else if (n == 0) {
		snprintf(err, errsz, "no entry for uid=%s under %s", user, base);
	} else if ((e = ldap_first_entry(fl->ld, res)) == NULL ||
		   (found = ldap_get_dn(fl->ld, e)) == NULL) {
		snprintf(err, errsz, "the directory sent an entry without a DN");
	} else {
		n = snprintf(dn, dnsz, "%s", found);
		ldap_memfree(found);
		ldap_msgfree(res);
		if (n > 0 && (size_t)n < dnsz)
			return 0;
		snprintf(err, errsz, "the DN of uid=%s is longer than %zu bytes", user, dnsz - 1);
		return -1;
	}
	ldap_msgfree(res);
	return -1;
}

static int read_entry(LDAP *ld, LDAPMessage *m, struct fleet_entry *e)
{
	BerElement *ber = NULL;
	struct berval **vals;
	char *a;
	size_t i;
	int bad = 0;

	memset(e, 0, sizeof(*e));
	for (a = ldap_first_attribute(ld, m, &ber); a != NULL && !bad;
	     a = ldap_next_attribute(ld, m, ber)) {
		vals = ldap_get_values_len(ld, m, a);
		for (i = 0; vals != NULL && vals[i] != NULL && !bad; i++)
			bad = fleet_entry_add(e, a, vals[i]->bv_val, vals[i]->bv_len) != APK_OK;
		ldap_value_free_len(vals);
		ldap_memfree(a);
	}
	ber_free(ber, 0);
	return bad ? -1 : 0;
}

int fleet_ldap_search(struct fleet_ldap *fl, const char *base, int onelevel, const char *filter,
		      int max, int (*each)(void *ctx, const char *dn, const struct fleet_entry *e),
		      void *ctx, char *err, size_t errsz)
{
	static struct fleet_entry entry;
	struct timeval tv = { OP_TIMEOUT, 0 };
	LDAPMessage *res = NULL, *m;
	char *dn;
	int rc, stop = 0;

	rc = ldap_search_ext_s(fl->ld, base, onelevel ? LDAP_SCOPE_ONELEVEL : LDAP_SCOPE_SUBTREE,
			       filter, NULL, 0, NULL, NULL, &tv, max, &res);
	if (rc != LDAP_SUCCESS) {
		ldap_msgfree(res);
		if (rc == LDAP_SIZELIMIT_EXCEEDED)
			snprintf(err, errsz, "more than %d entries under %s", max, base);
		else
			snprintf(err, errsz, "the directory refused the search under %s: %s", base,
				 ld_error(fl->ld, rc));
		return -1;
	}
	for (m = ldap_first_entry(fl->ld, res); m != NULL && !stop;
	     m = ldap_next_entry(fl->ld, m)) {
		if ((dn = ldap_get_dn(fl->ld, m)) == NULL)
			continue;
		if (read_entry(fl->ld, m, &entry) != 0)
			entry.n = 0; /* too big: each() refuses an empty entry */
		stop = each(ctx, dn, &entry);
		ldap_memfree(dn);
	}
	memset(&entry, 0, sizeof(entry));
	ldap_msgfree(res);
	return 0;
}

int fleet_ldap_read_entry(struct fleet_ldap *fl, void *msg, struct fleet_entry *e)
{
	return read_entry(fl->ld, msg, e);
}

/* One attribute's values as libldap's modification of op, in mod, its
 * value array in bv and bvp (NULL-terminated; no value: an empty one). */
static void set_mod(LDAPMod *mod, int op, const char *name, const struct fleet_attr *a,
		    struct berval *bv, struct berval **bvp)
{
	size_t j;

	for (j = 0; a != NULL && j < a->n; j++) {
		bv[j].bv_val = (char *)(uintptr_t)a->val[j];
		bv[j].bv_len = a->len[j];
		bvp[j] = &bv[j];
	}
	bvp[j] = NULL;
	mod->mod_op = op | LDAP_MOD_BVALUES;
	mod->mod_type = (char *)(uintptr_t)name;
	mod->mod_bvalues = bvp;
}

static struct berval mod_bv[FLEET_ATTRS_MAX][FLEET_VALUES_MAX];
static struct berval *mod_bvp[FLEET_ATTRS_MAX][FLEET_VALUES_MAX + 1];

int fleet_ldap_add(struct fleet_ldap *fl, const char *dn, const struct fleet_entry *e, char *err,
		   size_t errsz)
{
	LDAPMod mods[FLEET_ATTRS_MAX], *modp[FLEET_ATTRS_MAX + 1];
	size_t i;
	int rc;

	for (i = 0; i < e->n && i < FLEET_ATTRS_MAX; i++) {
		set_mod(&mods[i], LDAP_MOD_ADD, e->attr[i].name, &e->attr[i], mod_bv[i], mod_bvp[i]);
		modp[i] = &mods[i];
	}
	modp[i] = NULL;
	rc = ldap_add_ext_s(fl->ld, dn, modp, NULL, NULL);
	if (rc == LDAP_SUCCESS)
		return 0;
	snprintf(err, errsz, "the directory refused to add %s: %s", dn, ld_error(fl->ld, rc));
	return -1;
}

int fleet_ldap_replace(struct fleet_ldap *fl, const char *dn, const char *const names[], size_t n,
		       const struct fleet_entry *e, char *err, size_t errsz)
{
	LDAPMod mods[FLEET_ATTRS_MAX], *modp[FLEET_ATTRS_MAX + 1];
	size_t i;
	int rc;

	for (i = 0; i < n && i < FLEET_ATTRS_MAX; i++) {
		set_mod(&mods[i], LDAP_MOD_REPLACE, names[i], fleet_entry_find(e, names[i]),
			mod_bv[i], mod_bvp[i]);
		modp[i] = &mods[i];
	}
	modp[i] = NULL;
	rc = ldap_modify_ext_s(fl->ld, dn, modp, NULL, NULL);
	if (rc == LDAP_SUCCESS)
		return 0;
	snprintf(err, errsz, "the directory refused to change %s: %s", dn, ld_error(fl->ld, rc));
	return -1;
}

int fleet_ldap_delete(struct fleet_ldap *fl, const char *dn, char *err, size_t errsz)
{
	int rc = ldap_delete_ext_s(fl->ld, dn, NULL, NULL);

	if (rc == LDAP_SUCCESS)
		return 0;
	snprintf(err, errsz, "the directory refused to delete %s: %s", dn, ld_error(fl->ld, rc));
	return -1;
}

void fleet_ldap_close(struct fleet_ldap *fl)
{
	if (fl->ld != NULL)
		ldap_unbind_ext_s(fl->ld, NULL, NULL);
	fl->ld = NULL;
}
