/* verify_client.c - one request to the verification service, bounded in time */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "apk_config.h"
#include "keyset.h"
#include "validate.h"
#include "verify_client.h"

enum apk_err apk_verify_socket_path(const char *db, char *out, size_t outsz)
{
	unsigned char h[8];
	char hex[2 * sizeof(h) + 1];
	int n;

	if (strcmp(db, APK_DBDIR) == 0) {
		n = snprintf(out, outsz, "%s/verify.sock", APK_RUNDIR);
	} else {
		crypto_generichash(h, sizeof(h), (const unsigned char *)db, strlen(db), NULL, 0);
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		n = snprintf(out, outsz, "%s/verify-%s.sock", APK_RUNDIR, hex);
	}
	return n > 0 && (size_t)n < outsz && (size_t)n < sizeof(((struct sockaddr_un *)0)->sun_path)
		       ? APK_OK
		       : APK_ERR_INVALID;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until the deadline: 1 ready, 0 timed out, -1 error. */
static int wait_for(int fd, short events, int64_t deadline)
{
	struct pollfd p = { fd, events, 0 };
	int64_t left;
	int r;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return 0;
		r = poll(&p, 1, (int)left);
		if (r > 0)
			return 1;
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* Connects, retrying while the listen queue is full (EAGAIN), until the
 * deadline. */
static int connect_by(int fd, const struct sockaddr_un *sa, int64_t deadline, char *why,
		      size_t whysz)
{
	for (;;) {
		if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
			return 0;
		if (errno != EAGAIN && errno != EINTR) {
			snprintf(why, whysz, "cannot connect: %s", strerror(errno));
			return -1;
		}
		if (now_ms() >= deadline) {
			snprintf(why, whysz, "timed out connecting");
			return -1;
		}
		if (errno == EAGAIN)
			usleep(5000);
	}
}

static int send_all(int fd, const unsigned char *p, size_t n, int64_t deadline, char *why,
		    size_t whysz)
{
	ssize_t w;

	while (n > 0) {
		if (wait_for(fd, POLLOUT, deadline) != 1) {
			snprintf(why, whysz, "timed out sending");
			return -1;
		}
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (w <= 0) {
			snprintf(why, whysz, "cannot send: %s", w < 0 ? strerror(errno) : "closed");
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads one whole answer frame into buf; its length, or -1. */
static long receive(int fd, unsigned char *buf, size_t bufsz, int64_t deadline, char *why,
		    size_t whysz)
{
	size_t got = 0;
	long whole = 0;
	ssize_t r;

	while (whole == 0 || got < (size_t)whole) {
		if (wait_for(fd, POLLIN, deadline) != 1) {
			snprintf(why, whysz, "timed out waiting for the answer");
			return -1;
		}
		r = recv(fd, buf + got, (whole > 0 ? (size_t)whole : bufsz) - got, 0);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0) {
			snprintf(why, whysz, "%s", r < 0 ? strerror(errno) : "closed before answering");
			return -1;
		}
		got += (size_t)r;
		whole = apk_vp_frame_size(buf, got, bufsz);
		if (whole < 0) {
			snprintf(why, whysz, "malformed answer");
			return -2;
		}
	}
	return whole;
}

enum apk_err apk_verify_ask(const char *path, enum apk_vp_type type, const unsigned char *req,
			    size_t reqlen, unsigned timeout_ms, struct apk_vp_answer *a,
			    char *why, size_t whysz)
{
	struct sockaddr_un sa;
	unsigned char buf[APK_VP_ANSWER_MAX];
	int64_t deadline = now_ms() + timeout_ms;
	enum apk_err err = APK_ERR_UNAVAIL;
	long n;
	int fd;

	memset(a, 0, sizeof(*a));
	snprintf(why, whysz, "no answer");
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(why, whysz, "socket path too long");
		return APK_ERR_UNAVAIL;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(why, whysz, "cannot make a socket: %s", strerror(errno));
		return APK_ERR_UNAVAIL;
	}
	if (connect_by(fd, &sa, deadline, why, whysz) == 0 &&
	    send_all(fd, req, reqlen, deadline, why, whysz) == 0) {
		n = receive(fd, buf, sizeof(buf), deadline, why, whysz);
		if (n == -2) {
			err = APK_ERR_CORRUPT;
		} else if (n > 0) {
			err = apk_vp_decode_answer(type, buf, (size_t)n, a) == APK_OK ? APK_OK
										 : APK_ERR_CORRUPT;
			if (err != APK_OK)
				snprintf(why, whysz, "malformed answer");
		}
	}
	close(fd);
	sodium_memzero(buf, sizeof(buf));
	return err;
}

bool apk_verify_through_daemon(const char *db, const char *socket, char *path, size_t pathsz)
{
	if (socket != NULL)
		return (size_t)snprintf(path, pathsz, "%s", socket) < pathsz;
	if (geteuid() == 0 || faccessat(AT_FDCWD, db, X_OK, AT_EACCESS) == 0 || errno != EACCES)
		return false;
	return apk_verify_socket_path(db, path, pathsz) == APK_OK;
}

enum apk_err apk_verify_remote(const char *path, const char *user, const char *service,
			       const char *rhost, const char *token, size_t len,
			       bool want_has_keys, struct apk_record *rec, struct apk_remote *r)
{
	unsigned char req[APK_VP_REQUEST_MAX];
	struct apk_vp_answer a;
	struct apk_key key;
	char why[128];
	size_t n;
	enum apk_err err;

	memset(rec, 0, sizeof(*rec));
	memset(r, 0, sizeof(*r));
	r->permit = APK_PERMIT_OK;
	r->has_keys = -1;
	/* The token's id (public) for the log line, whatever the daemon says.
	 * An answer that is not a key (a password typed at the prompt) never
	 * leaves this process: the daemon is asked with nothing instead, which
	 * it refuses as no key after the same round trip. */
	if (apk_key_parse(token, len, &key) == APK_OK)
		memcpy(rec->id, key.id, sizeof(rec->id));
	else
		len = 0;
	apk_key_wipe(&key);
	if (apk_vp_encode_verify(user, service, rhost, token, len, want_has_keys, req,
				 sizeof(req), &n) != APK_OK) {
		if (!apk_user_valid(user)) /* as in-process: no such user */
			return APK_ERR_NOUSER;
		snprintf(r->why, sizeof(r->why), "PAM_SERVICE or PAM_RHOST longer than %d bytes",
			 APK_VP_ITEM_MAX);
		return APK_ERR_UNAVAIL;
	}
	err = apk_verify_ask(path, APK_VP_VERIFY, req, n, APK_VERIFY_TIMEOUT_MS, &a, why,
			     sizeof(why));
	sodium_memzero(req, sizeof(req));
	if (err != APK_OK) {
		snprintf(r->why, sizeof(r->why), "verification service %s: %s", path, why);
		return APK_ERR_UNAVAIL;
	}
	switch (a.status) {
	case APK_VP_ANSWERED:
		break;
	case APK_VP_PEER_REFUSED:
		snprintf(r->why, sizeof(r->why),
			 "verification service refused this process (not in group %s)",
			 APK_VERIFY_GROUP);
		return APK_ERR_UNAVAIL;
	case APK_VP_USER_REFUSED:
		snprintf(r->why, sizeof(r->why),
			 "verification service does not answer for this user (root, or a uid "
			 "outside verify_uid_min-verify_uid_max)");
		return APK_ERR_NOMATCH;
	case APK_VP_BAD_REQUEST:
	default:
		snprintf(r->why, sizeof(r->why), "verification service refused the request");
		return APK_ERR_UNAVAIL;
	}
	if (a.id[0] != '\0')
		memcpy(rec->id, a.id, sizeof(rec->id));
	r->permit = a.permit;
	r->has_keys = a.has_keys;
	if (a.err == APK_OK && a.permit == APK_PERMIT_MIRROR_STALE)
		apk_permit_reason_synced(a.permit, a.synced, r->why, sizeof(r->why));
	if (a.err == APK_OK && a.permit == APK_PERMIT_OK) {
		memcpy(rec->name, a.name, sizeof(rec->name));
		rec->expires = a.expires;
	}
	return a.err;
}
