/* sync.c - the sync session: connect and bind as the host, search with
 * the Sync Request control, apply what comes back (sync.h) */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <lber.h>
#include <ldap.h>
#include <sodium.h>

#include "fleet_ldap.h"
#include "helper_uid.h"
#include "hosts.h"
#include "mirror_apply.h"
#include "sync.h"
#include "sync_control.h"

/* The entries searched for: the keys and the accounts that own them (for
 * their uidNumber), and only the attributes those need. */
#define SYNC_FILTER "(|(objectClass=pamApiKey)(objectClass=posixAccount))"
static const char *const sync_attrs[] = {
	"objectClass", "uid", "uidNumber", "apiKeyId", "apiKeyDigest", "apiKeyCreated",
	"apiKeyName", "apiKeyDescription", "apiKeyExpires", "apiKeyDisabled", "apiKeyService",
	"apiKeyNetwork", "apiKeyHost", NULL,
};

enum { GO_ON = 0, LOST = -1, ENDED = 1, RESTART = 2, NO_SYNC = 3 };

struct session {
	const struct apk_conf *c;
	const struct sync_secret *sec;
	struct mirror_apply *m;
	struct sync_report *rep;
	struct fleet_ldap fl;
	struct sync_cookie cookie;
	enum sync_mode mode;
	bool poll;         /* the server has no Content Sync */
	bool refreshing;   /* the current search's refresh phase */
	bool from_nothing; /* ... started without a cookie */
	bool present_done; /* ... had its present phase (a sweep done) */
	bool said_up;      /* "connected" logged, and nothing failed since */
	int msgid, hb_msgid;
	int64_t hb_sent, hb_deadline, hb_next;
	int64_t recheck_next; /* local accounts looked up again (fleet_refresh) */
	int64_t heard; /* when the server last showed this session in sync (epoch s) */
	unsigned hb_every;
	char who[2 * FLEET_DN_MAX]; /* fleet_keytab: whom the server bound (whoami) */
};

static struct session S;

static int64_t mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

static LDAP *ld_of(struct session *s)
{
	return (LDAP *)s->fl.ld;
}

/* ---- connecting ------------------------------------------------------------ */

int sync_secret_read(const struct apk_conf *c, struct sync_secret *s, char *err, size_t errsz)
{
	const char *path = c->fleet_bind_password_file;
	struct stat st;
	ssize_t r;
	size_t n = 0;
	int fd;

	memset(s, 0, sizeof(*s));
	if (c->fleet_bind_dn[0] == '\0')
		return 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0) {
		snprintf(err, errsz, "cannot read fleet_bind_password_file %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0 ||
	    !(st.st_uid == 0 || st.st_uid == geteuid() || apk_helper_uid_is(st.st_uid))) {
		close(fd);
		snprintf(err, errsz, "fleet_bind_password_file %s must be a regular file owned by root "
			 "or the helper account that neither its group nor others may read", path);
		return -1;
	}
	while (n < sizeof(s->pw) && (r = read(fd, s->pw + n, sizeof(s->pw) - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n == 0 || n > SYNC_PASSWORD_MAX || memchr(s->pw, '\0', n) != NULL) {
		sync_secret_wipe(s);
		snprintf(err, errsz, "fleet_bind_password_file %s is empty, longer than %d bytes, "
			 "holds a NUL or cannot be read", path, SYNC_PASSWORD_MAX);
		return -1;
	}
	s->len = n;
	return 0;
}

void sync_secret_wipe(struct sync_secret *s)
{
	sodium_memzero(s, sizeof(*s));
}

/* ---- Kerberos: the host's keytab ------------------------------------------
 *
 * With fleet_keytab, this process alone (the sync process, pam-apikey) is
 * given MIT krb5's client keytab (KRB5_CLIENT_KTNAME) and a credential
 * cache in its own memory (KRB5CCNAME): the GSSAPI bind finds no ticket
 * there the first time, and the library gets one from the keytab; when
 * the tickets run out it gets new ones the same way, at the next bind
 * after a reconnect. No file holds a ticket, nothing runs kinit. */
#define SYNC_CCACHE "MEMORY:apikeyd-sync"

static int keytab_setup(const struct apk_conf *c, char *err, size_t errsz)
{
	char name[APK_CONF_TEXT_MAX + 8];

	if (c->fleet_keytab[0] == '\0')
		return 0;
	snprintf(name, sizeof(name), "FILE:%s", c->fleet_keytab);
	if (setenv("KRB5_CLIENT_KTNAME", name, 1) != 0 || setenv("KRB5CCNAME", SYNC_CCACHE, 1) != 0) {
		snprintf(err, errsz, "cannot set up Kerberos for fleet_keytab %s", c->fleet_keytab);
		return -1;
	}
	return 0;
}

/* The keytab is there and this process may read it, a regular file (not
 * a symbolic link) owned by root, the helper account or this process's
 * user, that others may neither read nor write and its group not write:
 * one line naming it otherwise (never its content). */
static int keytab_usable(const char *path, char *err, size_t errsz)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0) {
		snprintf(err, errsz, "cannot read fleet_keytab %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 027) != 0 ||
	    !(st.st_uid == 0 || st.st_uid == geteuid() || apk_helper_uid_is(st.st_uid))) {
		close(fd);
		snprintf(err, errsz, "fleet_keytab %s must be a regular file owned by root or the "
			 "helper account that others may not read and its group not write", path);
		return -1;
	}
	close(fd);
	if (st.st_size == 0) {
		snprintf(err, errsz, "fleet_keytab %s is empty", path);
		return -1;
	}
	return 0;
}

static int bind_host(struct session *s, char *err, size_t errsz)
{
	const struct apk_conf *c = s->c;
	size_t n;
	int rc;

	if (c->fleet_keytab[0] != '\0') {
		/* GSSAPI or nothing: no other bind is tried after a failure */
		if (keytab_usable(c->fleet_keytab, err, errsz) != 0)
			return -1;
		if (fleet_ldap_bind_gssapi_host(&s->fl, s->who, sizeof(s->who), err, errsz) == 0)
			return 0;
		n = strlen(err);
		if (n + 1 < errsz)
			snprintf(err + n, errsz - n, " (fleet_keytab %s)", c->fleet_keytab);
		return -1;
	}

	if (strcasecmp(c->fleet_sasl_mech, "EXTERNAL") == 0) {
		/* an empty authorization identity, sent: the one the server
		 * derives from the socket's credentials (RFC 4422 EXTERNAL) */
		struct berval none = { 0, (char *)(uintptr_t)"" };

		rc = ldap_sasl_bind_s(ld_of(s), NULL, "EXTERNAL", &none, NULL, NULL, NULL);
		if (rc == LDAP_SUCCESS)
			return 0;
		snprintf(err, errsz, "the directory refused the SASL EXTERNAL bind: %s",
			 ldap_err2string(rc));
		return -1;
	}
	if (c->fleet_bind_dn[0] == '\0' || s->sec->len == 0) {
		snprintf(err, errsz, "no host credential: apikeyd binds with fleet_bind_dn and "
			 "fleet_bind_password_file, fleet_sasl_mech EXTERNAL, or fleet_keytab "
			 "with fleet_sasl_mech GSSAPI");
		return -1;
	}
	return fleet_ldap_bind_simple(&s->fl, c->fleet_bind_dn, s->sec->pw, s->sec->len, err,
				      errsz);
}

static int connect_bind(struct session *s, char *err, size_t errsz)
{
	char why[APK_CONF_TEXT_MAX + 1024];

	if (fleet_ldap_open(&s->fl, s->c, why, sizeof(why)) != 0) {
		snprintf(err, errsz, "cannot connect to %s: %s", s->c->fleet_uri, why);
		fleet_ldap_close(&s->fl);
		return -1;
	}
	if (bind_host(s, why, sizeof(why)) != 0) {
		snprintf(err, errsz, "bind to %s failed: %s", s->c->fleet_uri, why);
		fleet_ldap_close(&s->fl);
		return -1;
	}
	/* once per change of state: not at every poll's new connection */
	if (s->said_up)
		return 0;
	s->said_up = true;
	if (s->c->fleet_keytab[0] != '\0')
		syslog(LOG_INFO, "connected to %s as %s (SASL GSSAPI, fleet_keytab %s)",
		       s->c->fleet_uri, s->who, s->c->fleet_keytab);
	else
		syslog(LOG_INFO, "connected to %s as %s", s->c->fleet_uri,
		       s->c->fleet_bind_dn[0] != '\0' ? s->c->fleet_bind_dn : "SASL EXTERNAL");
	return 0;
}

/* The search, with the Sync Request control for mode unless polling. */
static int start_search(struct session *s, enum sync_mode mode, char *err, size_t errsz)
{
	LDAPControl ctl, *ctls[2] = { &ctl, NULL };
	unsigned char *val = NULL;
	size_t len = 0;
	int rc;

	s->mode = mode;
	s->refreshing = true;
	s->present_done = false;
	s->from_nothing = s->poll || !s->cookie.set;
	s->hb_msgid = -1;
	mirror_apply_refresh_begin(s->m);
	if (!s->poll) {
		if (sync_request_encode(mode, s->cookie.set ? &s->cookie : NULL, &val, &len) != 0) {
			snprintf(err, errsz, "cannot encode the Sync Request control");
			return -1;
		}
		memset(&ctl, 0, sizeof(ctl));
		ctl.ldctl_oid = (char *)(uintptr_t)SYNC_REQUEST_OID;
		ctl.ldctl_value.bv_val = (char *)val;
		ctl.ldctl_value.bv_len = len;
		ctl.ldctl_iscritical = 1;
	}
	rc = ldap_search_ext(ld_of(s), s->c->fleet_base, LDAP_SCOPE_SUBTREE, SYNC_FILTER,
			     (char **)(uintptr_t)sync_attrs,
			     0, s->poll ? NULL : ctls, NULL, NULL, 0, &s->msgid);
	free(val);
	if (rc != LDAP_SUCCESS) {
		snprintf(err, errsz, "cannot search %s: %s", s->c->fleet_base, ldap_err2string(rc));
		return -1;
	}
	return 0;
}

/* ---- what the server sends ---------------------------------------------- */

static void keep_cookie(struct session *s, const struct sync_cookie *c)
{
	if (c->set)
		memcpy(&s->cookie, c, sizeof(s->cookie));
}

static void report(struct session *s, const struct mirror_counts *mc, int64_t synced)
{
	s->rep->synced = synced;
	s->rep->keys = (int64_t)mc->keys;
	s->rep->accounts = (int64_t)mc->accounts;
	s->rep->skipped = (int64_t)mc->skipped;
}

/* Writes what changed; the state's sync time is when the server was last
 * heard on this session, never the time of a write made for local reasons
 * (a recheck of the accounts while the server is silent). */
static int flush(struct session *s, bool log_done, char *err, size_t errsz)
{
	struct mirror_counts mc;
	struct timespec t0, t1;
	int64_t now = s->heard;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (mirror_apply_flush(s->m, now, &mc, err, errsz) != 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	report(s, &mc, now);
	if (log_done)
		syslog(LOG_INFO, "refresh done: %zu keys for %zu accounts mirrored, %zu skipped, "
		       "%zu account files written (in %ld ms)", mc.keys, mc.accounts, mc.skipped,
		       mc.written, (long)((t1.tv_sec - t0.tv_sec) * 1000 +
					 (t1.tv_nsec - t0.tv_nsec) / 1000000));
	return 0;
}

/* The refresh phase is over (sweep: whatever was not sent or named present
 * is gone), the mirror written. */
static int refresh_done(struct session *s, bool sweep, char *err, size_t errsz)
{
	if ((sweep || s->from_nothing) && !s->present_done)
		mirror_apply_sweep(s->m);
	s->refreshing = false;
	s->hb_next = mono() + s->hb_every;
	s->recheck_next = mono() + s->c->fleet_refresh;
	return flush(s, true, err, errsz);
}

/* The entry's own identity in poll mode: its DN, lower-cased, hashed. */
static void dn_uuid(const char *dn, unsigned char uuid[MIRROR_UUID_LEN])
{
	char low[FLEET_DN_MAX];
	size_t i;

	for (i = 0; i < sizeof(low) && dn[i] != '\0'; i++)
		low[i] = dn[i] >= 'A' && dn[i] <= 'Z' ? (char)(dn[i] - 'A' + 'a') : dn[i];
	crypto_generichash(uuid, MIRROR_UUID_LEN, (const unsigned char *)low, i, NULL, 0);
}

static int on_entry(struct session *s, LDAPMessage *msg, char *err, size_t errsz)
{
	static struct fleet_entry e;
	LDAPControl **ctls = NULL;
	struct sync_state st;
	char *dn;
	int i, found = 0;

	if ((dn = ldap_get_dn(ld_of(s), msg)) == NULL)
		return GO_ON;
	memset(&st, 0, sizeof(st));
	st.state = SYNC_ADD;
	if (!s->poll) {
		if (ldap_get_entry_controls(ld_of(s), msg, &ctls) == LDAP_SUCCESS && ctls != NULL)
			for (i = 0; ctls[i] != NULL && !found; i++)
				if (strcmp(ctls[i]->ldctl_oid, SYNC_STATE_OID) == 0)
					found = sync_state_decode(ctls[i]->ldctl_value.bv_val,
								  ctls[i]->ldctl_value.bv_len, &st) == 0;
		ldap_controls_free(ctls);
		if (!found) {
			snprintf(err, errsz, "the directory sent an entry without a valid Sync State");
			ldap_memfree(dn);
			return LOST;
		}
		keep_cookie(s, &st.cookie);
	} else {
		dn_uuid(dn, st.uuid);
	}
	if (st.state == SYNC_DELETE) {
		mirror_apply_delete(s->m, st.uuid);
	} else if (st.state == SYNC_PRESENT) {
		mirror_apply_present(s->m, st.uuid);
	} else {
		if (fleet_ldap_read_entry(&s->fl, msg, &e) != 0)
			e.n = 0; /* too large: refused as such */
		mirror_apply_entry(s->m, st.uuid, dn, &e);
		sodium_memzero(&e, sizeof(e));
	}
	ldap_memfree(dn);
	return GO_ON;
}

static int on_info(struct session *s, LDAPMessage *msg, char *err, size_t errsz)
{
	struct berval *data = NULL;
	struct sync_info in;
	char *oid = NULL;
	size_t i;
	int r = GO_ON;

	if (ldap_parse_intermediate(ld_of(s), msg, &oid, &data, NULL, 0) != LDAP_SUCCESS)
		return GO_ON;
	if (oid == NULL || strcmp(oid, SYNC_INFO_OID) != 0 || data == NULL) {
		ldap_memfree(oid);
		ber_bvfree(data);
		return GO_ON;
	}
	if (sync_info_decode(data->bv_val, data->bv_len, &in) != 0) {
		snprintf(err, errsz, "the directory sent a malformed Sync Info message");
		ldap_memfree(oid);
		ber_bvfree(data);
		return LOST;
	}
	keep_cookie(s, &in.cookie);
	switch (in.kind) {
	case SYNC_INFO_NEWCOOKIE:
		break;
	case SYNC_INFO_REFRESH_PRESENT:
	case SYNC_INFO_REFRESH_DELETE:
		/* the end of a present phase: what was not named is gone */
		if (s->refreshing && in.kind == SYNC_INFO_REFRESH_PRESENT && !s->present_done) {
			mirror_apply_sweep(s->m);
			s->present_done = true;
		}
		if (s->refreshing && in.refresh_done && refresh_done(s, false, err, errsz) != 0)
			r = LOST;
		break;
	case SYNC_INFO_ID_SET:
		for (i = 0; i < in.n; i++) {
			if (in.refresh_deletes)
				mirror_apply_delete(s->m, in.uuids[i]);
			else
				mirror_apply_present(s->m, in.uuids[i]);
		}
		break;
	}
	sync_info_free(&in);
	ldap_memfree(oid);
	ber_bvfree(data);
	return r;
}

static int on_result(struct session *s, LDAPMessage *msg, char *err, size_t errsz)
{
	LDAPControl **ctls = NULL;
	struct sync_done done;
	char *text = NULL;
	int code = LDAP_OTHER, i, hb = ldap_msgid(msg) == s->hb_msgid;

	memset(&done, 0, sizeof(done));
	if (ldap_parse_result(ld_of(s), msg, &code, NULL, &text, NULL, &ctls, 0) != LDAP_SUCCESS) {
		snprintf(err, errsz, "the directory sent an unreadable search result");
		return LOST;
	}
	for (i = 0; ctls != NULL && ctls[i] != NULL; i++)
		if (!hb && strcmp(ctls[i]->ldctl_oid, SYNC_DONE_OID) == 0 &&
		    sync_done_decode(ctls[i]->ldctl_value.bv_val, ctls[i]->ldctl_value.bv_len,
				     &done) == 0)
			keep_cookie(s, &done.cookie);
	ldap_controls_free(ctls);
	if (hb) { /* the server answered on this connection: in sync as of then */
		s->hb_msgid = -1;
		ldap_memfree(text);
		if (code != LDAP_SUCCESS) {
			snprintf(err, errsz, "the directory refused the heartbeat: %s",
				 ldap_err2string(code));
			return LOST;
		}
		if (mirror_apply_dirty(s->m))
			return GO_ON; /* the next flush writes the state */
		if (s->hb_sent > s->heard)
			s->heard = s->hb_sent;
		if (mirror_apply_touch(s->m, s->heard, err, errsz) != 0)
			return LOST;
		s->rep->synced = s->heard;
		return GO_ON;
	}
	if (code == SYNC_REFRESH_REQUIRED) {
		syslog(LOG_NOTICE, "the directory cannot resume from this host's cookie: refreshing "
		       "from nothing");
		memset(&s->cookie, 0, sizeof(s->cookie));
		ldap_memfree(text);
		return RESTART;
	}
	if (!s->poll && s->refreshing &&
	    (code == LDAP_UNAVAILABLE_CRITICAL_EXTENSION || code == LDAP_UNWILLING_TO_PERFORM ||
	     code == LDAP_PROTOCOL_ERROR)) {
		syslog(LOG_NOTICE, "%s offers no Content Sync (%s): polling every %u s",
		       s->c->fleet_uri, ldap_err2string(code), s->c->fleet_refresh);
		ldap_memfree(text);
		return NO_SYNC;
	}
	if (code != LDAP_SUCCESS) {
		snprintf(err, errsz, "the directory ended the search: %s%s%s", ldap_err2string(code),
			 text != NULL && text[0] != '\0' ? ": " : "", text != NULL ? text : "");
		ldap_memfree(text);
		return LOST;
	}
	ldap_memfree(text);
	if (s->refreshing) /* refreshOnly or a plain search: the whole answer */
		return refresh_done(s, !done.refresh_deletes, err, errsz) == 0 ? ENDED : LOST;
	snprintf(err, errsz, "the directory ended the persistent search");
	return LOST;
}

/* Waits for and handles what the server sends until the search ends (its
 * status) or the connection is lost or *stop is set (GO_ON). */
static int receive(struct session *s, volatile sig_atomic_t *stop, char *err, size_t errsz)
{
	static const char *const attrs[] = { LDAP_NO_ATTRS, NULL };
	struct timeval tv;
	LDAPMessage *msg;
	int64_t now;
	int rc, r;

	while (stop == NULL || !*stop) {
		now = mono();
		if (!s->refreshing && s->mode == SYNC_REFRESH_AND_PERSIST) {
			if (s->hb_msgid >= 0 && now >= s->hb_deadline) {
				snprintf(err, errsz, "no answer from %s for %d s", s->c->fleet_uri,
					 SYNC_HEARTBEAT_WAIT);
				return LOST;
			}
			/* NSS may have changed: a local account made, removed or
			 * renumbered is seen within fleet_refresh */
			if (now >= s->recheck_next) {
				s->recheck_next = now + s->c->fleet_refresh;
				mirror_apply_recheck(s->m);
			}
			if (s->hb_msgid < 0 && now >= s->hb_next) {
				s->hb_sent = (int64_t)time(NULL);
				s->hb_deadline = now + SYNC_HEARTBEAT_WAIT;
				s->hb_next = now + s->hb_every;
				if (ldap_search_ext(ld_of(s), "", LDAP_SCOPE_BASE, "(objectClass=*)",
						    (char **)(uintptr_t)attrs, 0, NULL, NULL, NULL, 1,
						    &s->hb_msgid) != LDAP_SUCCESS) {
					snprintf(err, errsz, "the connection to %s is lost",
						 s->c->fleet_uri);
					return LOST;
				}
			}
		}
		/* changes waiting to be written: only what is there already */
		tv.tv_sec = !s->refreshing && mirror_apply_dirty(s->m) ? 0 : 1;
		tv.tv_usec = 0;
		msg = NULL;
		rc = ldap_result(ld_of(s), LDAP_RES_ANY, LDAP_MSG_ONE, &tv, &msg);
		if (rc < 0) {
			snprintf(err, errsz, "the connection to %s is lost", s->c->fleet_uri);
			return LOST;
		}
		if (rc == 0) {
			if (!s->refreshing && mirror_apply_dirty(s->m) && flush(s, false, err, errsz) != 0)
				return LOST;
			continue;
		}
		if (ldap_msgid(msg) == s->msgid) /* the search's own: the server is there now */
			s->heard = (int64_t)time(NULL);
		switch (ldap_msgtype(msg)) {
		case LDAP_RES_SEARCH_ENTRY:
			r = ldap_msgid(msg) == s->msgid ? on_entry(s, msg, err, errsz) : GO_ON;
			break;
		case LDAP_RES_INTERMEDIATE:
			r = on_info(s, msg, err, errsz);
			break;
		case LDAP_RES_SEARCH_RESULT:
			r = on_result(s, msg, err, errsz);
			break;
		default:
			r = GO_ON;
		}
		ldap_msgfree(msg);
		if (r != GO_ON)
			return r;
	}
	return GO_ON;
}

/* ---- the whole ------------------------------------------------------------ */

/* Sleeps seconds, or less when *stop is set. */
static void nap(unsigned seconds, volatile sig_atomic_t *stop)
{
	struct timespec ts = { 0, 200000000 };
	unsigned i;

	for (i = 0; i < seconds * 5 && !*stop; i++)
		nanosleep(&ts, NULL);
}

static int session_init(struct session *s, const struct apk_conf *c,
			const struct sync_secret *sec, const char *db, struct sync_report *rep,
			volatile sig_atomic_t *stop, int *fleetfd, char *err, size_t errsz)
{
	struct apk_mirror_state st;
	enum apk_err rc;

	memset(s, 0, sizeof(*s));
	memset(&st, 0, sizeof(st));
	s->c = c;
	s->sec = sec;
	s->rep = rep;
	s->msgid = s->hb_msgid = -1;
	st.max_stale = c->fleet_max_stale;
	if (c->fleet_host_name[0] != '\0' && strlen(c->fleet_host_name) < sizeof(st.host))
		memcpy(st.host, c->fleet_host_name, strlen(c->fleet_host_name) + 1);
	else if (c->fleet_host_name[0] == '\0')
		apk_host_name_local(st.host, sizeof(st.host));
	if (!apk_host_name_valid(st.host)) {
		snprintf(err, errsz, "this host's name is not usable for --hosts: set fleet_host_name");
		return -1;
	}
	if (keytab_setup(c, err, errsz) != 0)
		return -1;
	s->hb_every = SYNC_HEARTBEAT;
	if (c->fleet_max_stale != 0 && c->fleet_max_stale / 4 < s->hb_every)
		s->hb_every = c->fleet_max_stale / 4 > 0 ? c->fleet_max_stale / 4 : 1;
	if ((rc = apk_mirror_open(db, fleetfd)) != APK_OK) {
		snprintf(err, errsz, "cannot open the mirror in %s: %s", db, apk_strerror(rc));
		return -1;
	}
	/* one writer: the directory itself locked while this session lives
	 * (a restarted daemon's sync waits for its predecessor's to go) */
	while (flock(*fleetfd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK || stop == NULL || *stop) {
			close(*fleetfd);
			snprintf(err, errsz, "another apikeyd keeps the mirror in %s", db);
			return -1;
		}
		nap(1, stop);
	}
	if ((s->m = mirror_apply_new(*fleetfd, &st)) == NULL) {
		close(*fleetfd);
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	return 0;
}

static void session_end(struct session *s, int fleetfd)
{
	fleet_ldap_close(&s->fl);
	mirror_apply_free(s->m);
	close(fleetfd);
	sodium_memzero(s, sizeof(*s));
}

int sync_once(const struct apk_conf *c, const struct sync_secret *sec, const char *db,
	      struct sync_report *rep, char *err, size_t errsz)
{
	struct session *s = &S;
	int fleetfd, r;

	if (session_init(s, c, sec, db, rep, NULL, &fleetfd, err, errsz) != 0)
		return -1;
	r = connect_bind(s, err, errsz) == 0 ? RESTART : LOST;
	while (r == RESTART || r == NO_SYNC) {
		if (r == NO_SYNC)
			s->poll = true;
		r = start_search(s, SYNC_REFRESH_ONLY, err, errsz) == 0 ? receive(s, NULL, err, errsz)
									 : LOST;
	}
	session_end(s, fleetfd);
	return r == ENDED ? 0 : -1;
}

int sync_run(const struct apk_conf *c, const struct sync_secret *sec, const char *db,
	     struct sync_report *rep, volatile sig_atomic_t *stop, char *err, size_t errsz)
{
	struct session *s = &S;
	unsigned backoff = 1;
	char why[2048];
	int fleetfd, r;

	if (session_init(s, c, sec, db, rep, stop, &fleetfd, err, errsz) != 0)
		return *stop ? 0 : -1;
	while (!*stop) {
		rep->mode = s->poll ? SYNC_POLL : SYNC_PERSIST;
		s->refreshing = true;
		r = connect_bind(s, why, sizeof(why)) == 0 ? RESTART : LOST;
		rep->connected = r == RESTART;
		while (r == RESTART || r == NO_SYNC) {
			if (r == NO_SYNC)
				s->poll = true;
			rep->mode = s->poll ? SYNC_POLL : SYNC_PERSIST;
			r = start_search(s, s->poll ? SYNC_REFRESH_ONLY : SYNC_REFRESH_AND_PERSIST, why,
					 sizeof(why)) == 0
				    ? receive(s, stop, why, sizeof(why))
				    : LOST;
			if (r == ENDED || (r == GO_ON && !s->refreshing))
				backoff = 1;
		}
		fleet_ldap_close(&s->fl);
		rep->connected = 0;
		if (*stop)
			break;
		if (r == ENDED) { /* a poll: the next one in fleet_refresh */
			nap(c->fleet_refresh, stop);
			continue;
		}
		if (!s->refreshing)
			backoff = 1; /* it worked for a while */
		s->said_up = false;
		syslog(LOG_WARNING, "%s; trying again in %u s", why, backoff);
		nap(backoff, stop);
		backoff = backoff * 2 > SYNC_BACKOFF_MAX ? SYNC_BACKOFF_MAX : backoff * 2;
	}
	session_end(s, fleetfd);
	return 0;
}
