/* unit_syncproc.c - apikeyd's supervision of its sync process
 * (apikeyd/syncproc.c): the delays between restarts, and real children
 * (fork) that end and are started again, each clean. The sync itself is
 * this file's stand-in: it reports, by its exit status, whether the child
 * it runs in inherited anything of the parent's. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../apikeyd/syncproc.h"

static int inherited_fd = -1; /* the parent's, open at the fork */
static int secret_reads;      /* in the child: stand-in reads of the password file */
static int reads_expected = 1; /* set before the fork: 0 when the service keeps the password */
static size_t len_expected;    /* the password's length the sync must get */

/* ---- stand-ins for sync.c -------------------------------------------- */

int sync_secret_read(const struct apk_conf *c, struct sync_secret *s, char *err, size_t errsz)
{
	(void)c;
	(void)err;
	(void)errsz;
	memset(s, 0, sizeof(*s));
	memcpy(s->pw, "read-by-the-child", 17);
	s->len = 17;
	secret_reads++;
	return 0;
}

void sync_secret_wipe(struct sync_secret *s)
{
	memset(s, 0, sizeof(*s));
}

/* 0 (the child exits 0) when the child is clean: no signal blocked,
 * SIGHUP ignored and SIGCHLD at its default (the parent caught both),
 * the parent's descriptor closed, the password read here (or, when the
 * service kept one, that one and no read); else -1 (exit 1). */
int sync_run(const struct apk_conf *c, const struct sync_secret *sec, const char *db,
	     struct sync_report *rep, volatile sig_atomic_t *stop, char *err, size_t errsz)
{
	struct sigaction hup, chld;
	sigset_t now;
	int sig, blocked = 0;

	(void)c;
	(void)db;
	(void)rep;
	(void)stop;
	snprintf(err, errsz, "not clean");
	sigprocmask(SIG_SETMASK, NULL, &now);
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(&now, sig) == 1)
			blocked++;
	sigaction(SIGHUP, NULL, &hup);
	sigaction(SIGCHLD, NULL, &chld);
	if (blocked == 0 && hup.sa_handler == SIG_IGN && chld.sa_handler == SIG_DFL &&
	    fcntl(inherited_fd, F_GETFD) < 0 && secret_reads == reads_expected && sec != NULL &&
	    sec->len == len_expected)
		return 0;
	return -1;
}

/* ---- the tests ------------------------------------------------------------ */

static void test_delays_double_to_the_cap(void **state)
{
	unsigned d = 1, next, seen[9], i;
	const unsigned want[9] = { 1, 2, 4, 8, 16, 32, 60, 60, 60 };

	(void)state;
	for (i = 0; i < 9; i++) {
		seen[i] = syncproc_delay(d, 1000, &next);
		d = next;
	}
	assert_memory_equal(seen, want, sizeof(want));
}

static void test_healthy_run_resets(void **state)
{
	unsigned next;

	(void)state;
	/* a process that ran a minute: 1 s again, whatever was due */
	assert_int_equal(syncproc_delay(60, (int64_t)SYNCPROC_HEALTHY * 1000, &next), 1);
	assert_int_equal(next, 2);
	/* just under a minute: the delay due */
	assert_int_equal(syncproc_delay(16, (int64_t)SYNCPROC_HEALTHY * 1000 - 1, &next), 16);
	assert_int_equal(next, 32);
	/* 0 (none yet) counts as 1 */
	assert_int_equal(syncproc_delay(0, 0, &next), 1);
}

static void on_parent_signal(int sig)
{
	(void)sig;
}

/* Calls the tick until a process is running again after a death, at most
 * seconds; returns the tick's first answer after the death. */
static int64_t tick_until_restart(struct syncproc *sp, unsigned restarts, int seconds)
{
	struct timespec ts = { 0, 20000000 };
	int64_t first = -2, w;
	int i;

	for (i = 0; i < seconds * 50 && sp->restarts < restarts; i++) {
		w = syncproc_tick(sp);
		if (first == -2 && sp->pid < 0)
			first = w;
		nanosleep(&ts, NULL);
	}
	return first;
}

static void test_children_restarted_clean(void **state)
{
	static struct apk_conf conf;
	static struct sync_secret none;
	struct sync_report *rep;
	struct syncproc sp;
	struct sigaction sa;
	sigset_t block, old;
	int64_t t0, waited;
	int fds[2];

	(void)state;
	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(rep != MAP_FAILED);
	memset(rep, 0, sizeof(*rep));
	/* what the service has at a fork: handlers, a mask, a descriptor */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_parent_signal;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	assert_int_equal(pipe(fds), 0);
	inherited_fd = fds[0];

	reads_expected = 1;
	len_expected = 17;
	memset(&sp, 0, sizeof(sp));
	sp.conf = &conf;
	sp.db = "/nonexistent";
	sp.rep = rep;
	sp.secret = &none; /* len 0: the child reads the file */
	sp.log_options = LOG_PID;
	assert_true(syncproc_start(&sp) > 0);
	assert_int_equal(sp.restarts, 0);

	/* the stand-in ends at once: exit 0 when it was clean */
	t0 = syncproc_now();
	assert_true(tick_until_restart(&sp, 1, 5) > 0); /* a restart was due, not at once */
	waited = syncproc_now() - t0;
	assert_int_equal(sp.restarts, 1);
	assert_true(sp.pid > 0);
	assert_string_equal(sp.last_end, "exited with status 0");
	assert_true(waited >= 1000); /* the first delay: 1 s */

	/* the second death: 2 s */
	t0 = syncproc_now();
	tick_until_restart(&sp, 2, 6);
	waited = syncproc_now() - t0;
	assert_int_equal(sp.restarts, 2);
	assert_string_equal(sp.last_end, "exited with status 0");
	assert_true(waited >= 2000);

	/* killed: said so; stopping leaves nothing due */
	syncproc_stop(&sp);
	assert_int_equal(sp.pid, -1);
	assert_int_equal(syncproc_tick(&sp), -1);
	assert_int_equal(sp.restarts, 2);

	close(fds[0]);
	close(fds[1]);
	sigprocmask(SIG_SETMASK, &old, NULL);
	munmap(rep, sizeof(*rep));
}

/* A password file only root may read: the service keeps the copy read at
 * start, and each child binds with it, reading nothing. */
static void test_kept_password_reaches_each_child(void **state)
{
	static struct apk_conf conf;
	static struct sync_secret kept;
	struct sync_report *rep;
	struct syncproc sp;
	int fds[2];

	(void)state;
	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(rep != MAP_FAILED);
	memset(rep, 0, sizeof(*rep));
	assert_int_equal(pipe(fds), 0);
	inherited_fd = fds[0];
	memcpy(kept.pw, "kept-by-the-service-at-start", 28);
	kept.len = 28;
	reads_expected = 0;
	len_expected = 28;
	memset(&sp, 0, sizeof(sp));
	sp.conf = &conf;
	sp.db = "/nonexistent";
	sp.rep = rep;
	sp.secret = &kept;
	sp.log_options = LOG_PID;
	assert_true(syncproc_start(&sp) > 0);
	tick_until_restart(&sp, 1, 5);
	assert_int_equal(sp.restarts, 1);
	assert_string_equal(sp.last_end, "exited with status 0");
	syncproc_stop(&sp);
	close(fds[0]);
	close(fds[1]);
	munmap(rep, sizeof(*rep));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delays_double_to_the_cap),
		cmocka_unit_test(test_healthy_run_resets),
		cmocka_unit_test(test_children_restarted_clean),
		cmocka_unit_test(test_kept_password_reaches_each_child),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
