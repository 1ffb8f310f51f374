/* safefile.c - checked opens of the database directory and files */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper_uid.h"
#include "safefile.h"

/* dirfd: the directory a file is in (from apk_safe_open_dir, which trusted
 * its owner), or -1 for the directory itself. A file owned by its
 * directory's owner needs no account lookup; the helper account's uid is
 * NSS's answer, kept while it cannot have changed (helper_uid.h). The
 * answers are alternatives, asked in the order that costs an installed
 * login least: its files belong to the directory's owner, pam-apikey. */
static int owner_trusted(uid_t uid, int dirfd)
{
	struct stat dst;

	if (uid == 0)
		return 1;
	if (dirfd >= 0 && fstat(dirfd, &dst) == 0 && dst.st_uid == uid)
		return 1;
	if (uid == geteuid())
		return 1;
	return apk_helper_uid_is(uid);
}

/* at: the directory name is in (AT_FDCWD for an absolute path). */
static enum apk_err open_checked_dir(int at, const char *name, int *dirfd)
{
	struct stat st;
	int fd;

	*dirfd = -1;
	/* The last component must be the directory itself, not a symlink to one. */
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			return APK_ERR_UNSAFE;
		if (errno == ENOENT && at != AT_FDCWD)
			return APK_ERR_NOTFOUND;
		return errno == ENOMEM ? APK_ERR_NOMEM : APK_ERR_UNAVAIL;
	}
	if (fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode) || !owner_trusted(st.st_uid, -1) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		close(fd);
		return APK_ERR_UNSAFE;
	}
	*dirfd = fd;
	return APK_OK;
}

enum apk_err apk_safe_open_dir(const char *dir, int *dirfd)
{
	*dirfd = -1;
	if (dir == NULL || dir[0] != '/' || strlen(dir) >= PATH_MAX)
		return APK_ERR_UNAVAIL;
	return open_checked_dir(AT_FDCWD, dir, dirfd);
}

enum apk_err apk_safe_open_subdir(int dirfd, const char *name, int *subfd)
{
	*subfd = -1;
	if (dirfd < 0 || name == NULL || name[0] == '\0' || strchr(name, '/') != NULL)
		return APK_ERR_INVALID;
	return open_checked_dir(dirfd, name, subfd);
}

enum apk_err apk_safe_openat(int dirfd, const char *name, int flags, int mode, int *fdp)
{
	struct stat st;

	return apk_safe_openat_stat(dirfd, name, flags, mode, fdp, &st);
}

enum apk_err apk_safe_openat_stat(int dirfd, const char *name, int flags, int mode, int *fdp,
				  struct stat *stp)
{
	struct stat st;
	int fd;

	*fdp = -1;
	memset(stp, 0, sizeof(*stp));
	fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENXIO)
			return APK_ERR_UNSAFE; /* a symlink, or a FIFO/socket */
		if (errno == ENOENT)
			return APK_ERR_NOTFOUND;
		return errno == ENOMEM ? APK_ERR_NOMEM : APK_ERR_UNAVAIL;
	}
	/* nlink 0: a writer replaced the file between our open and fstat; what
	 * we hold is still a whole earlier version. Two or more: a hard link. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink > 1 ||
	    !owner_trusted(st.st_uid, dirfd) || (st.st_mode & 077) != 0) {
		close(fd);
		return APK_ERR_UNSAFE;
	}
	/* O_NONBLOCK stays: it kept the open from waiting on a FIFO or a lease,
	 * and reads and writes of a regular file ignore it (two system calls a
	 * login saved). */
	*fdp = fd;
	*stp = st;
	return APK_OK;
}

enum apk_err apk_safe_remove_stale(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? APK_OK : APK_ERR_UNAVAIL;
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1 || !owner_trusted(st.st_uid, dirfd) ||
	    (st.st_mode & 077) != 0)
		return APK_ERR_UNSAFE;
	if (unlinkat(dirfd, name, 0) != 0 && errno != ENOENT)
		return APK_ERR_UNAVAIL;
	return APK_OK;
}
