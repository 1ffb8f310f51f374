/* listener.c - the runtime directory and the listening socket */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "apk_config.h"
#include "listener.h"

/* Whether path's directory is the compiled runtime directory. */
static bool in_rundir(const char *path)
{
	size_t n = strlen(APK_RUNDIR);
	const char *rest = path + n;

	return strncmp(path, APK_RUNDIR, n) == 0 && rest[0] == '/' && strchr(rest + 1, '/') == NULL;
}

/* As root: APK_RUNDIR a real directory, owner:group, mode 0750. Whatever
 * directory is there is taken over only when its parent is root's and
 * nobody else may write it (so that only root made the directory: a
 * former helper account's uid, after the account was made again, say). */
static int make_rundir(uid_t owner, gid_t group, char *err, size_t errsz)
{
	char parent[sizeof(APK_RUNDIR)];
	struct stat st;
	char *slash;
	int fd;

	memcpy(parent, APK_RUNDIR, sizeof(parent));
	slash = strrchr(parent, '/');
	if (slash == NULL || slash == parent)
		snprintf(parent, sizeof(parent), "/");
	else
		*slash = '\0';
	if (stat(parent, &st) != 0 || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		snprintf(err, errsz, "%s is not root's alone: not making %s in it", parent,
			 APK_RUNDIR);
		return -1;
	}
	if (mkdir(APK_RUNDIR, 0750) != 0 && errno != EEXIST) {
		snprintf(err, errsz, "cannot make %s: %s", APK_RUNDIR, strerror(errno));
		return -1;
	}
	fd = open(APK_RUNDIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchown(fd, owner, group) != 0 || fchmod(fd, 0750) != 0) {
		snprintf(err, errsz, "%s: not a directory, or cannot be made %u:%u mode 0750: %s",
			 APK_RUNDIR, (unsigned)owner, (unsigned)group, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* A socket at path that nobody serves any more is removed; 0 when the
 * path is free after that. */
static int clear_stale(const struct sockaddr_un *sa, char *err, size_t errsz)
{
	struct stat st;
	int fd, live;

	if (lstat(sa->sun_path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errsz, "cannot use %s: %s", sa->sun_path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errsz, "%s exists and is not a socket", sa->sun_path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	live = fd >= 0 && connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	if (fd >= 0)
		close(fd);
	if (live) {
		snprintf(err, errsz, "another apikeyd already serves %s", sa->sun_path);
		return -1;
	}
	if (unlink(sa->sun_path) != 0) {
		snprintf(err, errsz, "cannot remove the stale socket %s: %s", sa->sun_path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

int listener_open(const char *path, uid_t owner, gid_t group, char *err, size_t errsz)
{
	struct sockaddr_un sa;
	bool root = geteuid() == 0;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errsz, "socket path too long: %s", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (root && in_rundir(path) && make_rundir(owner, group, err, errsz) != 0)
		return -1;
	if (clear_stale(&sa, err, errsz) != 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (const struct sockaddr *)&sa, sizeof(sa)) != 0) {
		snprintf(err, errsz, "cannot bind %s: %s", path, strerror(errno));
		goto fail;
	}
	if ((root && chown(path, owner, group) != 0) || chmod(path, 0660) != 0 ||
	    listen(fd, LISTEN_BACKLOG) != 0) {
		snprintf(err, errsz, "cannot set up %s: %s", path, strerror(errno));
		unlink(path);
		goto fail;
	}
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}
