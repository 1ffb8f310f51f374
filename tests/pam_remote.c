/* pam_remote.c - the module asking apikeyd (common/verify_client.c, the
 * module's socket= path) against a scripted daemon in a child process,
 * through the real libpam (cmocka; no root needed): what the request
 * carries (user, service, PAM_RHOST, the key; nothing of an answer that is
 * not a key), what the module makes of each answer (an acceptance sets
 * PAM_APIKEY_ID and PAM_APIKEY_NAME and logs the name; a refusal logs its
 * reason), and that every failure of the daemon - none, silent, closing,
 * garbage, a forged acceptance, a value it never sends, a refused process -
 * is PAM_AUTHINFO_UNAVAIL with one log line, within the 3 s bound, never
 * success. The real daemon's side is tests/e2e/70_apikeyd.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "keyfmt.h"
#include "log_capture.h"
#include "pam_harness.h"
#include "test_db.h"
#include "verify_proto.h"

static struct test_db T;
static char conf[PATH_MAX], sock[PATH_MAX], my_key[APK_KEY_LEN + 1];
static char my_id[APK_ID_LEN + 1];

/* What the scripted daemon does with the one connection it takes. */
enum script { ANSWER, CLOSE, HANG };

struct daemon {
	pid_t pid;
	int from_child; /* the request as the child read it */
	unsigned char req[APK_VP_REQUEST_MAX + 1];
	size_t reqlen;
};

/* Starts the scripted daemon on sock: it accepts one connection, reads one
 * frame, sends it back to the parent, then answers with answer (n bytes),
 * closes, or hangs. Returns when it listens. */
static void daemon_start(struct daemon *d, enum script what, const unsigned char *answer, size_t n)
{
	struct sockaddr_un sa;
	int lfd, p[2], c;
	char ready;

	unlink(sock);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	assert_int_equal(pipe(p), 0);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	fflush(NULL);
	d->pid = fork();
	assert_true(d->pid >= 0);
	if (d->pid == 0) {
		unsigned char buf[APK_VP_REQUEST_MAX + 1];
		size_t got = 0;
		long whole = 0;
		ssize_t r;

		close(p[0]);
		if (write(p[1], "r", 1) != 1 || (c = accept(lfd, NULL, NULL)) < 0)
			_exit(1);
		while ((whole == 0 || got < (size_t)whole) &&
		       (r = read(c, buf + got, sizeof(buf) - got)) > 0) {
			got += (size_t)r;
			whole = apk_vp_frame_size(buf, got, APK_VP_REQUEST_MAX);
			if (whole < 0)
				break;
		}
		if (write(p[1], buf, got) != (ssize_t)got)
			_exit(1);
		close(p[1]);
		if (what == HANG)
			pause();
		if (what == ANSWER && write(c, answer, n) != (ssize_t)n)
			_exit(1);
		close(c);
		_exit(0);
	}
	close(lfd);
	close(p[1]);
	assert_int_equal(read(p[0], &ready, 1), 1);
	d->from_child = p[0];
}

/* Collects what the child read, and the child. */
static void daemon_end(struct daemon *d)
{
	ssize_t r;
	int status;

	kill(d->pid, SIGTERM);
	d->reqlen = 0;
	while ((r = read(d->from_child, d->req + d->reqlen, sizeof(d->req) - d->reqlen)) > 0)
		d->reqlen += (size_t)r;
	close(d->from_child);
	waitpid(d->pid, &status, 0);
	unlink(sock);
}

/* One login of the running account on service "remote" answered with
 * token; PAM_APIKEY_NAME into name (empty when unset); seconds taken. */
static int login(const char *token, char name[128], double *secs)
{
	struct conv_script cs;
	struct pam_conv c = { harness_conv, &cs };
	pam_handle_t *pamh = NULL;
	struct timespec t0, t1;
	const char *v;
	int rc;

	memset(&cs, 0, sizeof(cs));
	cs.response = token;
	loglen = 0;
	logbuf[0] = '\0';
	name[0] = '\0';
	if (pam_start_confdir("remote", me(), &c, conf, &pamh) != PAM_SUCCESS)
		return -1;
	pam_set_item(pamh, PAM_RHOST, "192.0.2.44");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = pam_authenticate(pamh, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if ((v = pam_getenv(pamh, "PAM_APIKEY_NAME")) != NULL)
		snprintf(name, 128, "%s", v);
	pam_end(pamh, rc);
	return rc;
}

/* An answer to a verify request. */
static size_t answer(const struct apk_vp_answer *a, unsigned char *buf)
{
	size_t n = 0;

	assert_int_equal(apk_vp_encode_answer(APK_VP_VERIFY, a, buf, APK_VP_ANSWER_MAX, &n), APK_OK);
	return n;
}

static struct apk_vp_answer accepted(void)
{
	struct apk_vp_answer a;

	memset(&a, 0, sizeof(a));
	a.status = APK_VP_ANSWERED;
	a.err = APK_OK;
	a.permit = APK_PERMIT_OK;
	a.has_keys = 1;
	memcpy(a.id, my_id, sizeof(a.id));
	snprintf(a.name, sizeof(a.name), "web");
	return a;
}

/* The module's one log line holds want. */
static void logged(const char *want)
{
	if (strstr(logbuf, want) == NULL)
		fail_msg("no \"%s\" in the log:\n%s", want, logbuf);
	assert_int_equal(log_calls >= 1, 1);
}

static void an_acceptance_sets_the_environment(void **state)
{
	struct apk_vp_answer a = accepted();
	struct apk_vp_request r;
	struct daemon d;
	unsigned char buf[APK_VP_ANSWER_MAX];
	char name[128], want[256];
	double secs;

	(void)state;
	daemon_start(&d, ANSWER, buf, answer(&a, buf));
	assert_int_equal(login(my_key, name, &secs), PAM_SUCCESS);
	daemon_end(&d);
	assert_string_equal(name, "web");
	snprintf(want, sizeof(want), "accepted key web (id %s) for user %s service remote rhost 192.0.2.44",
		 my_id, me());
	logged(want);
	/* the request: the user, the service, PAM_RHOST and the key, as given */
	assert_int_equal(apk_vp_decode_request(d.req, d.reqlen, &r), APK_OK);
	assert_string_equal(r.user, me());
	assert_string_equal(r.service, "remote");
	assert_string_equal(r.rhost, "192.0.2.44");
	assert_int_equal(r.key_len, APK_KEY_LEN);
	assert_memory_equal(r.key, my_key, APK_KEY_LEN);
}

/* A password typed at the key prompt never leaves the process. */
static void an_answer_that_is_no_key_is_not_sent(void **state)
{
	struct apk_vp_answer a;
	struct apk_vp_request r;
	struct daemon d;
	unsigned char buf[APK_VP_ANSWER_MAX];
	char name[128];
	double secs;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.status = APK_VP_ANSWERED;
	a.err = APK_ERR_BADKEY;
	daemon_start(&d, ANSWER, buf, answer(&a, buf));
	assert_int_equal(login("correct horse battery staple", name, &secs), PAM_AUTH_ERR);
	daemon_end(&d);
	assert_int_equal(apk_vp_decode_request(d.req, d.reqlen, &r), APK_OK);
	assert_int_equal(r.key_len, 0);
	assert_null(memmem(d.req, d.reqlen, "horse", 5));
	logged("refused key (id malformed)");
}

/* Each refusal the daemon gives becomes the module's, with its reason. */
static void refusals_keep_their_reason(void **state)
{
	struct apk_vp_answer a;
	struct daemon d;
	unsigned char buf[APK_VP_ANSWER_MAX];
	char name[128];
	double secs;

	(void)state;
	a = accepted();
	a.permit = APK_PERMIT_SERVICE;
	a.name[0] = '\0'; /* as apikeyd refuses a key: its id, no name, no expiry */
	daemon_start(&d, ANSWER, buf, answer(&a, buf));
	assert_int_equal(login(my_key, name, &secs), PAM_AUTH_ERR);
	daemon_end(&d);
	assert_string_equal(name, "");
	logged("service not allowed for this key");
	memset(&a, 0, sizeof(a));
	a.status = APK_VP_USER_REFUSED;
	daemon_start(&d, ANSWER, buf, answer(&a, buf));
	assert_int_equal(login(my_key, name, &secs), PAM_AUTH_ERR);
	daemon_end(&d);
	logged("verification service does not answer for this user");
}

/* Every way the daemon can fail: unavailable, one line, in bounded time. */
static void every_failure_is_unavailable(void **state)
{
	static const struct {
		const char *what;
		enum script script;
		int forge; /* 0: raw bytes below; 1 name; 2 error; 3 peer refused */
		const char *raw;
	} cases[] = {
		{ "garbage", ANSWER, 0, "HTTP/1.1 200 OK\r\n\r\n" },
		{ "closed without answering", CLOSE, 0, "" },
		{ "an acceptance with a name no key can have", ANSWER, 1, NULL },
		{ "an error apk_verify never gives", ANSWER, 2, NULL },
		{ "this process refused", ANSWER, 3, NULL },
		{ "no answer at all", HANG, 0, "" },
	};
	unsigned char buf[APK_VP_ANSWER_MAX];
	struct apk_vp_answer a;
	struct daemon d;
	char name[128];
	double secs;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = accepted();
		n = 0;
		if (cases[i].forge == 0) {
			n = strlen(cases[i].raw);
			memcpy(buf, cases[i].raw, n);
		} else {
			if (cases[i].forge == 3)
				a.status = APK_VP_PEER_REFUSED;
			n = answer(&a, buf);
			if (cases[i].forge == 1) /* "web" becomes "w\neb": one byte changed */
				buf[n - 2] = '\n';
			if (cases[i].forge == 2)
				buf[APK_VP_HEADER + 1] = APK_ERR_EXISTS;
		}
		daemon_start(&d, cases[i].script, buf, n);
		if (login(my_key, name, &secs) != PAM_AUTHINFO_UNAVAIL)
			fail_msg("%s: not PAM_AUTHINFO_UNAVAIL", cases[i].what);
		daemon_end(&d);
		if (name[0] != '\0')
			fail_msg("%s: PAM_APIKEY_NAME set", cases[i].what);
		if (secs > 4.0)
			fail_msg("%s: took %.1f s", cases[i].what, secs);
		logged("refused key (id ");
	}
	/* and with no daemon at all */
	unlink(sock);
	assert_int_equal(login(my_key, name, &secs), PAM_AUTHINFO_UNAVAIL);
	logged("verification service");
}

static int setup(void **state)
{
	char lines[PATH_MAX + 128];

	(void)state;
	if (pam_fixture(&T, conf, my_key, NULL) != 0)
		return -1;
	snprintf(my_id, sizeof(my_id), "%.12s", my_key + APK_KEY_PREFIX_LEN);
	snprintf(sock, sizeof(sock), "%s/verify.sock", T.dir);
	snprintf(lines, sizeof(lines), "auth required %%M nodelay socket=%s\n", sock);
	write_service(conf, "remote", lines);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_db_remove(&T);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_acceptance_sets_the_environment),
		cmocka_unit_test(an_answer_that_is_no_key_is_not_sent),
		cmocka_unit_test(refusals_keep_their_reason),
		cmocka_unit_test(every_failure_is_unavailable),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
