/* logsink.c - a private /dev/log for the run
 *
 * Every login logs a line and every apikeyctl change another: tens of
 * thousands in a full run. They must not flood the machine's log (or a
 * test's syslog listener on a shared machine), yet the cost of sending them
 * belongs in the figures. So, when it can, the benchmark moves itself into
 * a mount namespace of its own (as root; otherwise inside a user namespace
 * that maps only its own uid and gid to themselves) and gives it a /dev of
 * its own: a tmpfs whose entries are symlinks to the real /dev (bound at
 * WORK/hostdev), except /dev/log, a datagram socket that a child of ours
 * reads and counts. Binding a socket over the real /dev/log would not do:
 * when something outside removes and recreates /dev/log, the bind goes and
 * the lines reach whoever made the new one. Nothing outside the benchmark's
 * process tree sees any of this; the mounts go with the namespace. When it
 * is not possible the lines go to the system's /dev/log, and the note says so.
 */
#include <dirent.h>
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

#define DEV "/dev"
#define DEVLOG "/dev/log"
#define HOSTDEV "hostdev"

static pid_t sink_pid = -1;
static int sink_result = -1; /* read end: the child writes its count here */
static char hostdev[PATH_MAX];
static volatile sig_atomic_t stopping;

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
	return close(fd) == 0 ? rc : -1;
}

/* 0: in a namespace of our own; -1: still where we were; -2: in a user
 * namespace whose ids could not be mapped, where nothing would work. */
static int enter_namespace(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (uid == 0)
		return unshare(CLONE_NEWNS) == 0 ? 0 : -1;
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
		return -1;
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
	if (write_file("/proc/self/uid_map", map) != 0 ||
	    write_file("/proc/self/setgroups", "deny\n") != 0)
		return -2;
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
	return write_file("/proc/self/gid_map", map) == 0 ? 0 : -2;
}

/* Takes back whatever private_dev managed to mount. */
static void undo_private_dev(void)
{
	umount2(DEV, MNT_DETACH);
	umount2(hostdev, MNT_DETACH);
	rmdir(hostdev);
	hostdev[0] = '\0';
}

/* /dev becomes a tmpfs of symlinks into the real one, without "log". */
static int private_dev(void)
{
	char target[PATH_MAX], link[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int rc = 0;

	if (mkdir(hostdev, 0700) != 0)
		return -1;
	if (mount(DEV, hostdev, NULL, MS_BIND | MS_REC, NULL) != 0 ||
	    mount("tmpfs", DEV, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755") != 0 ||
	    (d = opendir(hostdev)) == NULL) {
		undo_private_dev();
		return -1;
	}
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    strcmp(e->d_name, "log") == 0)
			continue;
		if (path_join(target, sizeof(target), hostdev, e->d_name) != 0 ||
		    path_join(link, sizeof(link), DEV, e->d_name) != 0 || symlink(target, link) != 0)
			rc = -1;
	}
	closedir(d);
	if (rc != 0)
		undo_private_dev();
	return rc;
}

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/* The child: counts datagrams until SIGTERM, then reports the count.
 * SIGTERM is blocked on entry and unblocked once handled (old: the mask). */
static void drain(int sock, int result, const sigset_t *old)
{
	struct sigaction sa;
	char buf[4096], line[32];
	long count = 0;
	int n;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term; /* no SA_RESTART: recv returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigprocmask(SIG_SETMASK, old, NULL);
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

int logsink_start(const char *work, char *note, size_t notesz)
{
	struct sockaddr_un sa;
	sigset_t term, old;
	int sock = -1, res[2], ns;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", DEVLOG);
	if (path_join(hostdev, sizeof(hostdev), work, HOSTDEV) != 0)
		return -1;
	if ((ns = enter_namespace()) == -2) {
		fprintf(stderr, "bench: in a new user namespace whose ids cannot be mapped: %s\n",
			strerror(errno));
		return -1;
	}
	if (ns != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		hostdev[0] = '\0';
		snprintf(note, notesz, "the system's /dev/log (no private mount namespace: %s)",
			 strerror(errno));
		return 0;
	}
	/* From here on every mount is ours alone. */
	if (private_dev() != 0) {
		snprintf(note, notesz, "the system's /dev/log (no private /dev: %s)", strerror(errno));
		return 0;
	}
	if ((sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(sock, (struct sockaddr *)&sa, sizeof(sa)) != 0 || chmod(DEVLOG, 0666) != 0 ||
	    pipe2(res, O_CLOEXEC) != 0) {
		snprintf(note, notesz, "nowhere (no socket for the private /dev/log: %s)",
			 strerror(errno));
		if (sock >= 0)
			close(sock);
		return 0;
	}
	/* SIGTERM held until the child has its handler: it must not die uncounted. */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &old);
	fflush(NULL);
	if ((sink_pid = fork()) == 0) {
		close(res[0]);
		drain(sock, res[1], &old);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(sock);
	close(res[1]);
	if (sink_pid < 0) {
		close(res[0]);
		snprintf(note, notesz, "nowhere (the private /dev/log's reader did not start)");
		return 0;
	}
	sink_result = res[0];
	snprintf(note, notesz, "a private /dev/log, read by the benchmark");
	return 0;
}

long logsink_stop(void)
{
	char line[32];
	ssize_t n = 0;
	long count = -1;

	if (sink_pid > 0) {
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
	}
	/* The real /dev must be gone from the work directory before it is removed. */
	if (hostdev[0] != '\0' && umount2(hostdev, MNT_DETACH) != 0 && errno != EINVAL)
		fprintf(stderr, "bench: cannot unmount %s: %s\n", hostdev, strerror(errno));
	return count;
}
