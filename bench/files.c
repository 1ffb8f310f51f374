/* files.c - copying, measuring and removing the benchmark's files */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

int path_join(char *out, size_t outsz, const char *dir, const char *name)
{
	int n = snprintf(out, outsz, "%s/%s", dir, name);

	return n > 0 && (size_t)n < outsz ? 0 : -1;
}

int copy_range(int from, int to)
{
	ssize_t n;

	while ((n = copy_file_range(from, NULL, to, NULL, (size_t)1 << 30, 0)) > 0)
		;
	return n == 0 ? 0 : -1;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

static int copy_at(int fromdir, int todir, const char *name)
{
	int in, out, rc = -1;

	if ((in = openat(fromdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	out = openat(todir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out >= 0) {
		rc = copy_range(in, out);
		if (close(out) != 0)
			rc = -1;
	}
	close(in);
	return rc;
}

int dir_copy(const char *from, const char *to)
{
	struct dirent *e;
	DIR *d;
	int todir, rc = 0;

	if ((todir = open(to, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	if ((d = opendir(from)) == NULL) {
		close(todir);
		return -1;
	}
	while (rc == 0 && (e = readdir(d)) != NULL)
		if (e->d_type == DT_REG && !has_suffix(e->d_name, ".lock") &&
		    !has_suffix(e->d_name, ".new"))
			rc = copy_at(dirfd(d), todir, e->d_name);
	closedir(d);
	/* One flush for all, so that no later measured fsync pays for these. */
	if (rc == 0 && syncfs(todir) != 0)
		rc = -1;
	close(todir);
	return rc;
}

int dir_usage(const char *dir, long long *files, long long *bytes, long long *alloc)
{
	struct dirent *e;
	struct stat st;
	DIR *d;
	int rc = 0;

	*files = *bytes = *alloc = 0;
	if ((d = opendir(dir)) == NULL)
		return -1;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || has_suffix(e->d_name, ".lock"))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			rc = -1;
		} else if (S_ISREG(st.st_mode)) {
			(*files)++;
			*bytes += (long long)st.st_size;
			*alloc += (long long)st.st_blocks * 512;
		}
	}
	closedir(d);
	return rc;
}

int dir_chown(const char *dir, uid_t uid, gid_t gid)
{
	struct dirent *e;
	DIR *d;
	int rc = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while (rc == 0 && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    fchownat(dirfd(d), e->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
			rc = -1;
	if (rc == 0 && fchown(dirfd(d), uid, gid) != 0)
		rc = -1;
	closedir(d);
	return rc;
}

static int remove_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (type == FTW_DP)
		return rmdir(path) == 0 ? 0 : -1;
	return unlink(path) == 0 ? 0 : -1;
}

int tree_remove(const char *dir)
{
	/* FTW_MOUNT: never into anything mounted below dir. */
	if (nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0) {
		fprintf(stderr, "bench: cannot remove %s: %s\n", dir, strerror(errno));
		return -1;
	}
	return 0;
}

int child_wait(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}
