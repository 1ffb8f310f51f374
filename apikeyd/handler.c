/* handler.c - a verify or status request answered */
#include <pwd.h>
#include <sys/wait.h>
#include <syslog.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "apk_config.h"
#include "handler.h"
#include "keyset.h"
#include "permit.h"
#include "validate.h"
#include "verify.h"
#include "verify_proto.h"

/* Whether the account user may be asked about: an unknown name may (the
 * verification then says "no such user" with the same work as in-process);
 * a known one only with a uid within the range, never root. */
static bool user_in_range(const struct handler *h, const char *user)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return true;
	return pw.pw_uid != 0 && pw.pw_uid >= h->uid_min && pw.pw_uid <= h->uid_max;
}

/* The module's own sequence (common/: apk_keyset_verify over every key
 * source, the mirror's freshness and the record's restrictions, the last
 * use into the directory the key came from), for a caller that may not read
 * the database. The module writes the attempt's log line from the answer;
 * only the corruption a caller cannot see is logged here. */
static void verify(const struct handler *h, const struct apk_vp_request *r,
		   struct apk_vp_answer *a)
{
	struct apk_keyset ks;
	struct apk_record rec;
	char euser[APK_USER_MAX * 4 + 1];
	int64_t now = (int64_t)time(NULL);
	int has = 0;

	apk_keyset_init(&ks, h->db, NULL);
	a->status = APK_VP_ANSWERED;
	a->has_keys = -1;
	a->err = apk_keyset_verify(&ks, r->user, r->key, r->key_len, now, r->service, r->rhost,
				   &rec, &a->permit);
	if (ks.duplicate)
		syslog(LOG_ERR, APK_KEYSET_DUPLICATE_LOG, rec.id,
		       apk_escape(r->user, euser, sizeof(euser)));
	memcpy(a->id, rec.id, sizeof(a->id));
	if (a->err == APK_OK && a->permit == APK_PERMIT_OK) {
		/* best effort, as in-process: the login stands whatever happens */
		apk_keyset_record_use(&ks, &rec, now, r->service, r->rhost);
		memcpy(a->name, rec.name, sizeof(a->name));
		a->expires = rec.expires;
		h->count->accepted++;
	} else {
		if (a->err == APK_OK && a->permit == APK_PERMIT_MIRROR_STALE)
			a->synced = ks.state.synced;
		h->count->refused_keys++;
		if ((r->flags & APK_VP_WANT_HAS_KEYS) &&
		    apk_account_has_keys_set(&ks, r->user, &has) == APK_OK)
			a->has_keys = has;
	}
	apk_keyset_close(&ks);
	h->count->answered++;
	sodium_memzero(&rec, sizeof(rec));
}

/* The mirror's lines of the status, after len bytes of text. */
static void sync_status(const struct handler *h, char *text, size_t size)
{
	const struct sync_report *r = h->sync;
	const struct syncproc *p = h->proc;
	size_t len = strlen(text);
	int64_t synced;
	bool running = p != NULL && p->pid > 0;

	if (r == NULL) {
		snprintf(text + len, size - len, "fleet_mode off\n");
		return;
	}
	synced = r->synced;
	snprintf(text + len, size - len,
		 "fleet_mode %s\nfleet_process %s\nfleet_connected %s\nfleet_last_sync %lld\n"
		 "fleet_keys %lld\nfleet_accounts %lld\nfleet_skipped %lld\nfleet_lag_seconds %lld\n"
		 "fleet_restarts %u\nfleet_last_end %s\n",
		 r->mode == SYNC_POLL ? "poll" : "persist", running ? "running" : "restarting",
		 running && r->connected ? "yes" : "no",
		 (long long)synced, (long long)r->keys, (long long)r->accounts,
		 (long long)r->skipped, synced > 0 ? (long long)(time(NULL) - synced) : -1LL,
		 p != NULL ? p->restarts : 0, p != NULL && p->last_end[0] != '\0' ? p->last_end : "none");
}

static void status(const struct handler *h, struct apk_vp_answer *a)
{
	const struct counters *c = h->count;

	h->count->status++;
	a->status = APK_VP_ANSWERED;
	snprintf(a->text, sizeof(a->text),
		 "apikeyd %s\npid %ld\ndatabase %s\nsocket %s\nverify_uid_min %u\n"
		 "verify_uid_max %u\nuptime_seconds %lld\nanswered %llu\naccepted %llu\n"
		 "refused_keys %llu\nrefused_users %llu\nrefused_peers %llu\nbad_requests %llu\n"
		 "timed_out %llu\nstatus_requests %llu\nopen_connections %u\n",
		 APK_VERSION, (long)getpid(), h->db, h->socket, h->uid_min, h->uid_max,
		 (long long)(time(NULL) - c->started), (unsigned long long)c->answered,
		 (unsigned long long)c->accepted, (unsigned long long)c->refused_keys,
		 (unsigned long long)c->refused_users, (unsigned long long)c->refused_peers,
		 (unsigned long long)c->bad_requests, (unsigned long long)c->timed_out,
		 (unsigned long long)c->status, c->open);
	sync_status(h, a->text, sizeof(a->text));
}

size_t handle_request(const struct handler *h, bool allowed, unsigned char *req, long len,
		      unsigned char *out, size_t outsz)
{
	struct apk_vp_request r;
	struct apk_vp_answer a;
	enum apk_vp_type type = len >= 2 && req[1] == APK_VP_STATUS ? APK_VP_STATUS : APK_VP_VERIFY;
	size_t n = 0;

	memset(&a, 0, sizeof(a));
	if (!allowed) {
		a.status = APK_VP_PEER_REFUSED;
	} else if (len < 0 || apk_vp_decode_request(req, (size_t)len, &r) != APK_OK) {
		a.status = APK_VP_BAD_REQUEST;
		h->count->bad_requests++;
	} else if (r.type == APK_VP_STATUS) {
		status(h, &a);
	} else if (!user_in_range(h, r.user)) {
		a.status = APK_VP_USER_REFUSED;
		h->count->refused_users++;
	} else {
		verify(h, &r, &a);
	}
	if (len > 0)
		sodium_memzero(req, (size_t)len);
	if (apk_vp_encode_answer(type, &a, out, outsz, &n) != APK_OK)
		n = 0;
	sodium_memzero(&a, sizeof(a));
	return n;
}
