/* stress_util.c - what the stress tests share (stress_util.h) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stress_util.h"
#include "test_db.h"

int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void sleep_until_us(int64_t t)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(t / 1000000);
	ts.tv_nsec = (long)(t % 1000000) * 1000;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

void sleep_us(int64_t us)
{
	sleep_until_us(now_us() + us);
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	return n == 0 ? 0 : rng_next(r) % n;
}

long long env_num(const char *var, long long def)
{
	const char *s = getenv(var);
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return def;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0) {
		fprintf(stderr, "ignoring bad %s=%s\n", var, s);
		return def;
	}
	return v;
}

uint64_t stress_seed(void)
{
	long long v = env_num("STRESS_SEED", -1);
	uint64_t seed;

	if (v >= 0)
		seed = (uint64_t)v;
	else
		seed = ((uint64_t)time(NULL) * 1000003ULL ^ (uint64_t)getpid()) % 1000000000ULL;
	tap_diag("seed %" PRIu64 " (STRESS_SEED=%" PRIu64 " repeats the choices)", seed, seed);
	return seed;
}

int stress_setup(struct stress_env *env)
{
	const char *b = getenv("APK_BUILD");
	const char *tmp = getenv("TMPDIR");
	struct passwd *pw;
	int n;

	memset(env, 0, sizeof *env);
	n = snprintf(env->prog, sizeof env->prog, "%s/apikeyctl",
		     b != NULL && *b != '\0' ? b : "./build");
	if (n < 0 || (size_t)n >= sizeof env->prog || access(env->prog, X_OK) != 0) {
		tap_diag("apikeyctl not found or not executable: %s", env->prog);
		return -1;
	}
	pw = getpwuid(getuid());
	if (pw == NULL || strlen(pw->pw_name) > APK_USER_MAX) {
		tap_diag("no passwd entry for uid %u", (unsigned)getuid());
		return -1;
	}
	strcpy(env->user, pw->pw_name);
	env->uid = (uint32_t)getuid();
	if (apk_crypto_init() != APK_OK) {
		tap_diag("apk_crypto_init failed");
		return -1;
	}
	n = snprintf(env->dir, sizeof env->dir, "%s/apk-stress-XXXXXX",
		     tmp != NULL && *tmp == '/' ? tmp : "/tmp");
	if (n < 0 || (size_t)n >= sizeof env->dir || mkdtemp(env->dir) == NULL) {
		tap_diag("mkdtemp: %s", strerror(errno));
		return -1;
	}
	n = snprintf(env->db, sizeof env->db, "%s", env->dir); /* the database directory */
	if (n < 0 || (size_t)n >= sizeof env->db) {
		tap_diag("temporary directory path too long");
		return -1;
	}
	if (setenv("APIKEY_DB", env->db, 1) != 0) {
		tap_diag("setenv: %s", strerror(errno));
		return -1;
	}
	/* A reader of our output that goes away must not stop the cleanup. */
	signal(SIGPIPE, SIG_IGN);
	/* Sleeps as short as asked: the kill moments are in microseconds. */
	(void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	return 0;
}

void stress_cleanup(const struct stress_env *env)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int n;

	if (env->dir[0] == '\0')
		return;
	if (env_num("STRESS_KEEP", 0) != 0) {
		tap_diag("kept %s", env->dir);
		return;
	}
	d = opendir(env->dir);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			n = snprintf(p, sizeof p, "%s/%s", env->dir, de->d_name);
			if (n < 0 || (size_t)n >= sizeof p || unlink(p) != 0)
				tap_diag("unlink %s: %s", p, strerror(errno));
		}
		closedir(d);
	}
	if (rmdir(env->dir) != 0)
		tap_diag("rmdir %s: %s", env->dir, strerror(errno));
}

static void stress_on_sigchld(int sig)
{
	(void)sig;
}

void run_init(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = stress_on_sigchld;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

static void run_drain(int *fd, char *buf, size_t cap, size_t *len)
{
	char scratch[4096];
	ssize_t k;

	for (;;) {
		if (*len < cap)
			k = read(*fd, buf + *len, cap - *len);
		else
			k = read(*fd, scratch, sizeof scratch);
		if (k > 0) {
			if (*len < cap)
				*len += (size_t)k;
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN)
			return;
		close(*fd);     /* end of file, or an error: done with it */
		*fd = -1;
		return;
	}
}

/* Reads every queued inotify event, counting them into r (may be NULL). */
static void run_drain_events(int ifd, struct run_result *r)
{
	char buf[4096];

	for (;;) {
		ssize_t k = read(ifd, buf, sizeof buf);
		struct inotify_event ev;
		size_t off = 0;

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		while (r != NULL && off + sizeof ev <= (size_t)k) {
			memcpy(&ev, buf + off, sizeof ev);
			off += sizeof ev + ev.len;
			r->events++;
			if (ev.mask & STRESS_CHANGES)
				r->changes++;
		}
	}
}

int run_cmd_kill(const char *prog, const char *const argv[],
		 const struct run_kill *kw, int timeout_ms, struct run_result *r)
{
	int outp[2], errp[2], status = 0;
	int ifd = kw != NULL ? kw->ifd : -1, sig = kw != NULL && kw->sig != 0 ? kw->sig : SIGKILL;
	bool reaped = false, kill_sent = false;
	sigset_t waitmask;
	int64_t t0, deadline;
	pid_t pid;

	memset(r, 0, sizeof *r);
	if (pipe2(outp, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(errp, O_CLOEXEC) != 0) {
		close(outp[0]);
		close(outp[1]);
		return -1;
	}
	sigprocmask(SIG_SETMASK, NULL, &waitmask);
	sigdelset(&waitmask, SIGCHLD);
	if (ifd >= 0)
		run_drain_events(ifd, NULL);    /* the test's own reads */
	fflush(NULL);
	t0 = now_us();
	pid = fork();
	if (pid < 0) {
		close(outp[0]);
		close(outp[1]);
		close(errp[0]);
		close(errp[1]);
		return -1;
	}
	if (pid == 0) {
		char *av[STRESS_MAX_ARGS + 1];
		size_t n = 0;
		int fd = open("/dev/null", O_RDONLY);
		struct rlimit rl;

		while (n < STRESS_MAX_ARGS && argv[n] != NULL)
			n++;
		memcpy(av, argv, n * sizeof av[0]);     /* execv wants char *const[] */
		av[n] = NULL;
		sigprocmask(SIG_SETMASK, &waitmask, NULL);
		signal(SIGPIPE, SIG_DFL);
		setpgid(0, 0);
		if (fd < 0 || dup2(fd, 0) < 0 || dup2(outp[1], 1) < 0 || dup2(errp[1], 2) < 0)
			_exit(126);
		rl.rlim_cur = rl.rlim_max = kw != NULL ? kw->limit : 0;
		if (kw != NULL && kw->limited && setrlimit(kw->resource, &rl) != 0)
			_exit(125);
		execv(prog, av);
		_exit(127);
	}
	setpgid(pid, pid);
	close(outp[1]);
	close(errp[1]);
	fcntl(outp[0], F_SETFL, O_NONBLOCK);
	fcntl(errp[0], F_SETFL, O_NONBLOCK);
	if (kw != NULL && kw->after_us >= 0) {
		sleep_until_us(t0 + kw->after_us);
		kill(pid, sig);
		kill_sent = true;
	}
	deadline = t0 + (int64_t)timeout_ms * 1000;
	for (;;) {
		struct pollfd pf[3];
		struct timespec ts;
		nfds_t nf = 0;
		int64_t left;

		if (!reaped) {
			pid_t w = waitpid(pid, &status, WNOHANG | WUNTRACED);

			if (w == pid && WIFSTOPPED(status)) {
				r->stops++;
				sleep_us(1000);
				kill(pid, SIGCONT);
				continue;
			}
			if (w == pid) {
				reaped = true;
				r->dur_us = now_us() - t0;
			}
		}
		if (ifd >= 0) {
			run_drain_events(ifd, r);
			if (!kill_sent && kw->at_event > 0 &&
			    (kw->changes_only ? r->changes : r->events) >= kw->at_event) {
				if (kw->extra_us > 0)
					sleep_us(kw->extra_us);
				kill(pid, sig);
				kill_sent = true;
			}
		}
		if (outp[0] >= 0)
			run_drain(&outp[0], r->out, STRESS_OUT_MAX, &r->outlen);
		if (errp[0] >= 0)
			run_drain(&errp[0], r->err, STRESS_ERR_MAX, &r->errlen);
		if (reaped && outp[0] < 0 && errp[0] < 0)
			break;
		left = deadline - now_us();
		if (left <= 0) {
			if (!r->timed_out && !reaped) {
				r->timed_out = true;
				kill(pid, SIGKILL);
				deadline = now_us() + 5000000;  /* grace to reap it */
				continue;
			}
			/* Killed (or exited) but the pipes stay open: a grandchild. */
			if (!reaped) {
				waitpid(pid, &status, 0);
				reaped = true;
				r->dur_us = now_us() - t0;
			}
			if (outp[0] >= 0)
				close(outp[0]);
			if (errp[0] >= 0)
				close(errp[0]);
			r->timed_out = true;
			break;
		}
		if (left > 100000)
			left = 100000;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left * 1000;
		if (outp[0] >= 0) {
			pf[nf].fd = outp[0];
			pf[nf].events = POLLIN;
			nf++;
		}
		if (errp[0] >= 0) {
			pf[nf].fd = errp[0];
			pf[nf].events = POLLIN;
			nf++;
		}
		if (ifd >= 0 && !reaped) {
			if (!kill_sent && kw->at_event > 0)
				continue;       /* spin: kill within microseconds of the event */
			pf[nf].fd = ifd;
			pf[nf].events = POLLIN;
			nf++;
		}
		(void)ppoll(nf > 0 ? pf : NULL, nf, &ts, &waitmask);
	}
	if (ifd >= 0)
		run_drain_events(ifd, r);
	r->out[r->outlen] = '\0';
	r->err[r->errlen] = '\0';
	if (WIFEXITED(status)) {
		r->exited = true;
		r->code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		r->signaled = true;
		r->sig = WTERMSIG(status);
	}
	return 0;
}

int run_cmd(const char *prog, const char *const argv[], int64_t kill_after_us,
	    int timeout_ms, struct run_result *r)
{
	struct run_kill kw = { .after_us = kill_after_us, .ifd = -1 };

	return run_cmd_kill(prog, argv, kill_after_us >= 0 ? &kw : NULL, timeout_ms, r);
}

void add_operands(const char **argv, size_t *k, const char *const *ops, size_t n,
		  const char *opts)
{
	bool dash = false;
	size_t i;

	for (i = 0; i < n; i++)
		if (ops[i][0] == '-')
			dash = true;
	if (dash) {
		if (opts != NULL)
			argv[(*k)++] = opts;
		argv[(*k)++] = "--";
	}
	for (i = 0; i < n; i++)
		argv[(*k)++] = ops[i];
	if (!dash && opts != NULL)
		argv[(*k)++] = opts;
}

const char *run_errline(struct run_result *r)
{
	char *nl = strchr(r->err, '\n');

	if (nl != NULL)
		*nl = '\0';
	return r->errlen > 0 ? r->err : "(no message)";
}

bool run_busy(const struct run_result *r)
{
	return r->exited && r->code != 0 && strstr(r->err, "busy") != NULL;
}

bool token_from_output(const char *out, size_t len, char token[APK_KEY_LEN + 1])
{
	struct apk_key k;

	if (len != APK_KEY_LEN + 1 || out[APK_KEY_LEN] != '\n')
		return false;
	if (apk_key_parse(out, APK_KEY_LEN, &k) != APK_OK)
		return false;
	apk_key_wipe(&k);
	memcpy(token, out, APK_KEY_LEN);
	token[APK_KEY_LEN] = '\0';
	return true;
}

void token_id(const char *token, char id[APK_ID_LEN + 1])
{
	memcpy(id, token + APK_KEY_PREFIX_LEN, APK_ID_LEN);
	id[APK_ID_LEN] = '\0';
}

void snapshot_free(struct snapshot *s)
{
	free(s->r);
	s->r = NULL;
	s->n = 0;
}

enum apk_err snapshot_take(const char *db, uint32_t uid, struct snapshot *s)
{
	struct apk_keyring kr;
	struct apk_meta meta;
	struct apk_record probe;
	enum apk_err e;

	s->n = 0;
	s->r = NULL;
	e = apk_store_load(db, uid, &kr);
	if (e == APK_OK) {
		e = apk_store_fetch(db, uid, "AAAAAAAAAAAA", &meta, &probe);
		if (e == APK_ERR_NOTFOUND || e == APK_OK)
			e = APK_OK;
		memset(&meta, 0, sizeof meta);
	}
	if (e == APK_OK && kr.n > 0) {
		s->r = calloc(kr.n, sizeof *s->r);
		if (s->r == NULL)
			e = APK_ERR_NOMEM;
		else
			memcpy(s->r, kr.recs, kr.n * sizeof *s->r);
	}
	if (e == APK_OK)
		s->n = kr.n;
	apk_keyring_free(&kr);
	return e;
}

const struct apk_record *snapshot_find_id(const struct snapshot *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->r[i].id, id) == 0)
			return &s->r[i];
	return NULL;
}

enum apk_err verify_token(const struct stress_env *env, const char *token,
			  struct apk_record *matched)
{
	char id[APK_ID_LEN + 1];
	enum apk_err e;

	e = test_verify(env->db, env->user, token, APK_KEY_LEN, matched);
	token_id(token, id);
	if (e == APK_OK && strcmp(matched->id, id) != 0)
		return APK_ERR_CORRUPT;
	return e;
}
