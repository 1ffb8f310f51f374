/* server.c - a poll loop over non-blocking sockets, one request a connection */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "ratelog.h"
#include "server.h"
#include "verify_proto.h"

struct conn {
	int fd; /* -1: a free slot */
	bool allowed;
	struct peer peer;
	int64_t deadline;
	size_t got;
	unsigned char buf[APK_VP_REQUEST_MAX];
};

static struct conn conns[SERVER_MAX_CONNS];
static volatile sig_atomic_t stop, reload;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else if (sig != SIGCHLD) /* SIGCHLD only wakes the poll up: the tick reaps */
		stop = 1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void conn_close(const struct handler *h, struct conn *c)
{
	close(c->fd);
	c->fd = -1;
	sodium_memzero(c->buf, c->got);
	c->got = 0;
	h->count->open--;
}

/* The answer to what c holds (a whole frame, or len -1: a bad header),
 * sent without waiting, then the connection closed. */
static void conn_answer(const struct handler *h, struct conn *c, long len)
{
	unsigned char out[APK_VP_ANSWER_MAX];
	size_t n;

	if (!c->allowed) {
		h->count->refused_peers++;
		ratelog(LOG_WARNING, "refused a caller not in the verify group: pid %ld uid %ld gid %ld",
			(long)c->peer.pid, (long)c->peer.uid, (long)c->peer.gid);
	} else if (len < 0) {
		ratelog(LOG_NOTICE, "refused a malformed request from pid %ld uid %ld",
			(long)c->peer.pid, (long)c->peer.uid);
	}
	n = handle_request(h, c->allowed, c->buf, len, out, sizeof(out));
	c->got = 0;
	if (n > 0 && send(c->fd, out, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		ratelog(LOG_NOTICE, "could not answer pid %ld", (long)c->peer.pid);
	sodium_memzero(out, sizeof(out));
	conn_close(h, c);
}

/* Reads what c's peer sent; answers once the frame is whole or bad. */
static void conn_read(const struct handler *h, struct conn *c)
{
	ssize_t r;
	size_t want;
	long whole;

	for (;;) {
		whole = apk_vp_frame_size(c->buf, c->got, sizeof(c->buf));
		if (whole < 0 || (whole > 0 && c->got >= (size_t)whole)) {
			/* more than one frame is not a request */
			conn_answer(h, c, whole < 0 || c->got > (size_t)whole ? -1 : whole);
			return;
		}
		/* one byte past the frame, to see whether more follows */
		want = whole > 0 && (size_t)whole < sizeof(c->buf) ? (size_t)whole + 1 : sizeof(c->buf);
		r = recv(c->fd, c->buf + c->got, want - c->got, MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r <= 0) { /* gone before a whole request */
			conn_close(h, c);
			return;
		}
		c->got += (size_t)r;
	}
}

static void accept_all(int lfd, const struct handler *h, uid_t self, gid_t verify_gid)
{
	struct conn *c;
	size_t i;
	int fd;

	for (i = 0; i < SERVER_MAX_CONNS; i++) {
		c = &conns[i];
		if (c->fd >= 0)
			continue;
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				ratelog(LOG_ERR, "accept: %s", strerror(errno));
			return;
		}
		c->fd = fd;
		c->got = 0;
		c->deadline = now_ms() + SERVER_REQUEST_TIMEOUT_MS;
		c->allowed = peer_allowed(fd, self, verify_gid, &c->peer);
		h->count->open++;
	}
}

static void handle_signals(sigset_t *during_poll)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, during_poll);
	sigdelset(during_poll, SIGTERM);
	sigdelset(during_poll, SIGINT);
	sigdelset(during_poll, SIGHUP);
	sigdelset(during_poll, SIGCHLD);
}

int server_run(int lfd, const struct handler *h, uid_t self, gid_t verify_gid, bool once,
	       const struct server_hooks *hooks)
{
	struct pollfd pfd[SERVER_MAX_CONNS + 1];
	size_t slot[SERVER_MAX_CONNS + 1], i, n;
	sigset_t during_poll;
	struct timespec ts;
	int64_t now, next, wait;
	uint64_t done_before;
	int r;

	for (i = 0; i < SERVER_MAX_CONNS; i++)
		conns[i].fd = -1;
	handle_signals(&during_poll);
	while (!stop) {
		if (reload) { /* between requests: none sees half the settings */
			reload = 0;
			if (hooks != NULL && hooks->reload != NULL)
				hooks->reload(hooks->reload_arg);
		}
		n = 0;
		now = now_ms();
		next = now + 60000;
		if (hooks != NULL && hooks->tick != NULL && (wait = hooks->tick(hooks->tick_arg)) >= 0 &&
		    now + wait < next)
			next = now + wait;
		for (i = 0; i < SERVER_MAX_CONNS; i++) {
			if (conns[i].fd < 0)
				continue;
			if (conns[i].deadline <= now) {
				h->count->timed_out++;
				conn_close(h, &conns[i]);
				continue;
			}
			if (conns[i].deadline < next)
				next = conns[i].deadline;
			pfd[n] = (struct pollfd){ conns[i].fd, POLLIN, 0 };
			slot[n++] = i;
		}
		if (h->count->open < SERVER_MAX_CONNS) /* full: callers wait in the queue */
			pfd[n++] = (struct pollfd){ lfd, POLLIN, 0 };
		ts.tv_sec = (time_t)((next - now) / 1000);
		ts.tv_nsec = (long)((next - now) % 1000) * 1000000;
		r = ppoll(pfd, n, &ts, &during_poll);
		if (r < 0 && errno != EINTR) {
			syslog(LOG_ERR, "poll: %s", strerror(errno));
			return -1;
		}
		if (r <= 0)
			continue;
		done_before = h->count->answered + h->count->status + h->count->bad_requests +
			      h->count->refused_peers + h->count->refused_users;
		for (i = 0; i < n; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == lfd)
				accept_all(lfd, h, self, verify_gid);
			else if (conns[slot[i]].fd == pfd[i].fd)
				conn_read(h, &conns[slot[i]]);
		}
		if (once && h->count->answered + h->count->status + h->count->bad_requests +
				    h->count->refused_peers + h->count->refused_users !=
			    done_before)
			break;
	}
	for (i = 0; i < SERVER_MAX_CONNS; i++)
		if (conns[i].fd >= 0)
			conn_close(h, &conns[i]);
	return 0;
}
