/* logsink.c - a private /dev/log for the run
 *
 * Every login logs a line and every apikeyctl change another: tens of
 * thousands in a full run. They must not flood the machine's log (or a
 * test's syslog listener on a shared machine), yet the cost of sending them
 * belongs in the figures. So, when it can, the benchmark moves itself into
 * its own mount namespace (as root; otherwise inside a user namespace that
 * maps only its own uid and gid to themselves), binds a datagram socket of
 * its own over /dev/log there, and a child reads and counts what arrives.
 * Nothing outside the benchmark's process tree sees any of it. When that is
 * not possible the lines go to the system's /dev/log, and the note says so.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define DEVLOG "/dev/log"
#define SINK_NAME "log.sock"

static pid_t sink_pid = -1;
static int sink_result = -1; /* read end: the child writes its count here */
static volatile sig_atomic_t stopping;

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
	return close(fd) == 0 ? rc : -1;
}

static int enter_namespace(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (uid == 0)
		return unshare(CLONE_NEWNS);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
		return -1;
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if (write_file("/proc/self/uid_map", map) != 0 ||
	    write_file("/proc/self/setgroups", "deny\n") != 0)
		return -1;
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	return write_file("/proc/self/gid_map", map);
}

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/* The child: counts datagrams until SIGTERM, then reports the count. */
static void drain(int sock, int result)
{
	struct sigaction sa;
	char buf[4096], line[32];
	long count = 0;
	int n;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term; /* no SA_RESTART: recv returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	while (!stopping) {
		if (recv(sock, buf, sizeof(buf), 0) >= 0)
			count++;
		else if (errno != EINTR)
			break;
	}
	while (recv(sock, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		count++;
	n = snprintf(line, sizeof(line), "%ld\n", count);
	if (write(result, line, (size_t)n) != n)
		_exit(1);
	_exit(0);
}

void logsink_start(const char *work, char *note, size_t notesz)
{
	struct sockaddr_un sa;
	struct stat st;
	int sock, res[2];

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", work, SINK_NAME) >=
	    (int)sizeof(sa.sun_path)) {
		snprintf(note, notesz, "system /dev/log (work path too long for a socket)");
		return;
	}
	if (lstat(DEVLOG, &st) != 0) {
		snprintf(note, notesz, "no /dev/log here: log lines are dropped by libc");
		return;
	}
	if (enter_namespace() != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		snprintf(note, notesz, "system /dev/log (no private mount namespace: %s)",
			 strerror(errno));
		return;
	}
	if ((sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(sock, (struct sockaddr *)&sa, sizeof(sa)) != 0 || chmod(sa.sun_path, 0666) != 0 ||
	    mount(sa.sun_path, DEVLOG, NULL, MS_BIND, NULL) != 0 || pipe2(res, O_CLOEXEC) != 0) {
		snprintf(note, notesz, "system /dev/log (cannot bind a private one: %s)",
			 strerror(errno));
		if (sock >= 0)
			close(sock);
		return;
	}
	fflush(NULL);
	if ((sink_pid = fork()) == 0) {
		close(res[0]);
		drain(sock, res[1]);
	}
	close(sock);
	close(res[1]);
	if (sink_pid < 0) {
		close(res[0]);
		snprintf(note, notesz, "nowhere: /dev/log is private but its reader did not start");
		return;
	}
	sink_result = res[0];
	snprintf(note, notesz, "a private /dev/log read by the benchmark (mount namespace)");
}

long logsink_stop(void)
{
	char line[32];
	ssize_t n;
	long count = -1;

	if (sink_pid <= 0)
		return -1;
	kill(sink_pid, SIGTERM);
	while ((n = read(sink_result, line, sizeof(line) - 1)) < 0 && errno == EINTR)
		;
	if (n > 0) {
		line[n] = '\0';
		count = strtol(line, NULL, 10);
	}
	close(sink_result);
	while (waitpid(sink_pid, NULL, 0) < 0 && errno == EINTR)
		;
	sink_pid = -1;
	return count;
}
