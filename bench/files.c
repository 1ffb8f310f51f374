/* files.c - copying and removing the benchmark's files */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>
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

int file_copy(const char *from, const char *to)
{
	int in, out, rc = -1;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out >= 0) {
		rc = copy_range(in, out) == 0 && fsync(out) == 0 ? 0 : -1;
		if (close(out) != 0)
			rc = -1;
	}
	close(in);
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
	if (nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0) {
		fprintf(stderr, "bench: cannot remove %s: %m\n", dir);
		return -1;
	}
	return 0;
}
