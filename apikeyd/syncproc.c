/* syncproc.c - the mirror's sync process: started, watched, restarted
 * with a growing delay (syncproc.h) */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "options.h"
#include "syncproc.h"

static volatile sig_atomic_t sync_stop;

static void on_sync_signal(int sig)
{
	(void)sig;
	sync_stop = 1;
}

int64_t syncproc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

unsigned syncproc_delay(unsigned delay, int64_t ran_ms, unsigned *next)
{
	if (delay < 1 || ran_ms >= (int64_t)SYNCPROC_HEALTHY * 1000)
		delay = 1;
	if (delay > SYNCPROC_DELAY_MAX)
		delay = SYNCPROC_DELAY_MAX;
	*next = delay * 2 > SYNCPROC_DELAY_MAX ? SYNCPROC_DELAY_MAX : delay * 2;
	return delay;
}

/* The child: a clean process (signals, descriptors, log), the password
 * read here unless the service kept it, then the sync until SIGTERM. */
static void child(const struct syncproc *sp, pid_t parent)
{
	static struct sync_secret own;
	const struct sync_secret *sec = sp->secret;
	struct sigaction sa;
	sigset_t none;
	char err[PATH_MAX + 512];
	int sig, rc;

	/* no handler of the service's (SIGHUP's reload, SIGCHLD's wake-up) */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL); /* EINVAL for the C library's own: fine */
	sa.sa_handler = on_sync_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(EXIT_OK);
	/* the service blocks SIGTERM, SIGINT, SIGHUP and SIGCHLD outside its poll */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* the listening socket, callers' connections: not this process's */
	closelog();
	close_range(3, ~0U, 0);
	openlog("apikeyd", sp->log_options, LOG_AUTHPRIV);
	if (sec == NULL || sec->len == 0) {
		if (sync_secret_read(sp->conf, &own, err, sizeof(err)) != 0) {
			syslog(LOG_ERR, "mirror: %s", err);
			_exit(EXIT_FAIL);
		}
		sec = &own;
	}
	rc = sync_run(sp->conf, sec, sp->db, sp->rep, &sync_stop, err, sizeof(err));
	sync_secret_wipe(&own);
	if (rc != 0) {
		syslog(LOG_ERR, "mirror: %s", err);
		_exit(EXIT_FAIL);
	}
	_exit(EXIT_OK);
}

static pid_t spawn(struct syncproc *sp)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0)
		child(sp, parent);
	if (pid > 0) {
		sp->pid = pid;
		sp->started = syncproc_now();
	}
	return pid;
}

pid_t syncproc_start(struct syncproc *sp)
{
	sp->pid = -1;
	sp->restarts = 0;
	sp->last_end[0] = '\0';
	sp->restart_at = -1;
	sp->delay = 1;
	return spawn(sp);
}

/* How a process ended, in words. */
static void describe(int wst, char *out, size_t outsz)
{
	if (WIFSIGNALED(wst))
		snprintf(out, outsz, "killed by signal %d (%s)", WTERMSIG(wst),
			 strsignal(WTERMSIG(wst)));
	else if (WIFEXITED(wst))
		snprintf(out, outsz, "exited with status %d", WEXITSTATUS(wst));
	else
		snprintf(out, outsz, "ended (wait status %#x)", (unsigned)wst);
}

int64_t syncproc_tick(struct syncproc *sp)
{
	int64_t now = syncproc_now(), ran;
	unsigned delay;
	pid_t ended;
	int wst;

	if (sp->pid > 0) {
		ended = waitpid(sp->pid, &wst, WNOHANG);
		if (ended < 0 && errno == ECHILD)
			wst = 0; /* reaped elsewhere: gone all the same */
		else if (ended != sp->pid)
			return -1;
		ran = now - sp->started;
		describe(wst, sp->last_end, sizeof(sp->last_end));
		delay = syncproc_delay(sp->delay, ran, &sp->delay);
		syslog(LOG_ERR, "the sync process %ld %s after %lld s: the mirror is not refreshed "
		       "until another starts in %u s", (long)sp->pid, sp->last_end,
		       (long long)(ran / 1000), delay);
		sp->pid = -1;
		sp->rep->connected = 0; /* it may have died connected */
		sp->restart_at = now + (int64_t)delay * 1000;
	}
	if (sp->restart_at < 0)
		return -1;
	if (now < sp->restart_at)
		return sp->restart_at - now;
	if (spawn(sp) < 0) {
		delay = syncproc_delay(sp->delay, 0, &sp->delay);
		syslog(LOG_ERR, "cannot fork the sync process: %s; trying again in %u s",
		       strerror(errno), delay);
		sp->restart_at = now + (int64_t)delay * 1000;
		return (int64_t)delay * 1000;
	}
	sp->restarts++;
	sp->restart_at = -1;
	syslog(LOG_NOTICE, "sync process %ld started (restart %u)", (long)sp->pid, sp->restarts);
	return -1;
}

void syncproc_stop(struct syncproc *sp)
{
	int wst;

	sp->restart_at = -1;
	if (sp->pid <= 0)
		return;
	kill(sp->pid, SIGTERM);
	if (waitpid(sp->pid, &wst, 0) == sp->pid && !(WIFEXITED(wst) && WEXITSTATUS(wst) == 0))
		syslog(LOG_ERR, "the sync process ended abnormally");
	sp->pid = -1;
}
