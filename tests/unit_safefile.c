/* unit_safefile.c - checked opens of the database directory and its files:
 * what is refused, and what is left alone */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safefile.h"
#include "test_db.h"

#define NOBODY_UID 65534

static struct test_db T;
static int dirfd_;

static int setup(void **state)
{
	(void)state;
	test_db_init(&T);
	return apk_safe_open_dir(T.path, &dirfd_) == APK_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	close(dirfd_);
	test_db_remove(&T);
	return 0;
}

static void make_file(const char *name, mode_t mode)
{
	int fd = openat(dirfd_, name, O_WRONLY | O_CREAT | O_EXCL, 0600);

	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static int exists(const char *name)
{
	struct stat st;

	return fstatat(dirfd_, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static enum apk_err open_check(const char *name)
{
	int fd = -2;
	enum apk_err err = apk_safe_openat(dirfd_, name, O_RDONLY, 0, &fd);

	if (err == APK_OK) {
		assert_true(fd >= 0);
		assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		close(fd);
	} else {
		assert_int_equal(fd, -1);
	}
	return err;
}

static void test_directory(void **state)
{
	char p[PATH_MAX];
	int fd = -2;

	(void)state;
	assert_int_equal(apk_safe_open_dir("relative", &fd), APK_ERR_UNAVAIL);
	assert_int_equal(fd, -1);
	assert_int_equal(apk_safe_open_dir(NULL, &fd), APK_ERR_UNAVAIL);
	snprintf(p, sizeof(p), "%s/missing", T.dir);
	assert_int_equal(apk_safe_open_dir(p, &fd), APK_ERR_UNAVAIL);
	/* group- or other-writable */
	snprintf(p, sizeof(p), "%s/open", T.dir);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(chmod(p, 0775), 0);
	assert_int_equal(apk_safe_open_dir(p, &fd), APK_ERR_UNSAFE);
	assert_int_equal(chmod(p, 0757), 0);
	assert_int_equal(apk_safe_open_dir(p, &fd), APK_ERR_UNSAFE);
	assert_int_equal(chmod(p, 0755), 0);
	assert_int_equal(apk_safe_open_dir(p, &fd), APK_OK);
	close(fd);
	/* a symlink to a good directory, and a file */
	snprintf(p, sizeof(p), "%s/link", T.dir);
	assert_int_equal(symlink(T.path, p), 0);
	assert_int_equal(apk_safe_open_dir(p, &fd), APK_ERR_UNSAFE);
	make_file("plain", 0600);
	snprintf(p, sizeof(p), "%s/plain", T.dir);
	assert_int_equal(apk_safe_open_dir(p, &fd), APK_ERR_UNSAFE);
}

static void test_files(void **state)
{
	(void)state;
	make_file("good", 0600);
	assert_int_equal(open_check("good"), APK_OK);
	assert_int_equal(open_check("absent"), APK_ERR_NOTFOUND);
	make_file("readable", 0640);
	assert_int_equal(open_check("readable"), APK_ERR_UNSAFE);
	make_file("world", 0604);
	assert_int_equal(open_check("world"), APK_ERR_UNSAFE);
	assert_int_equal(symlinkat("good", dirfd_, "symlink"), 0);
	assert_int_equal(open_check("symlink"), APK_ERR_UNSAFE);
	assert_int_equal(mkfifoat(dirfd_, "fifo", 0600), 0);
	assert_int_equal(open_check("fifo"), APK_ERR_UNSAFE);
	assert_int_equal(mkdirat(dirfd_, "subdir", 0700), 0);
	assert_int_equal(open_check("subdir"), APK_ERR_UNSAFE);
	assert_int_equal(linkat(dirfd_, "good", dirfd_, "hardlink", 0), 0);
	assert_int_equal(open_check("hardlink"), APK_ERR_UNSAFE);
	assert_int_equal(open_check("good"), APK_ERR_UNSAFE); /* two links now, both ways */
}

static void test_create(void **state)
{
	struct stat st;
	int fd = -1;

	(void)state;
	assert_int_equal(apk_safe_openat(dirfd_, "made", O_RDWR | O_CREAT | O_EXCL, 0600, &fd),
			 APK_OK);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	close(fd);
	assert_int_equal(apk_safe_openat(dirfd_, "made", O_RDWR | O_CREAT | O_EXCL, 0600, &fd),
			 APK_ERR_UNAVAIL);
}

static void test_owner(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		skip(); /* cmocka reports it; only root can give a file away */
		return;
	}
	make_file("theirs", 0600);
	assert_int_equal(fchownat(dirfd_, "theirs", NOBODY_UID, NOBODY_UID, 0), 0);
	assert_int_equal(open_check("theirs"), APK_ERR_UNSAFE);
	assert_int_equal(apk_safe_remove_stale(dirfd_, "theirs"), APK_ERR_UNSAFE);
	assert_true(exists("theirs"));
}

static void test_remove_stale(void **state)
{
	(void)state;
	assert_int_equal(apk_safe_remove_stale(dirfd_, "absent"), APK_OK);
	make_file("stale", 0600);
	assert_int_equal(apk_safe_remove_stale(dirfd_, "stale"), APK_OK);
	assert_false(exists("stale"));
	/* anything but a private plain file of ours stays */
	assert_int_equal(symlinkat("/etc/passwd", dirfd_, "link"), 0);
	assert_int_equal(apk_safe_remove_stale(dirfd_, "link"), APK_ERR_UNSAFE);
	assert_true(exists("link"));
	make_file("shared", 0644);
	assert_int_equal(apk_safe_remove_stale(dirfd_, "shared"), APK_ERR_UNSAFE);
	assert_true(exists("shared"));
	assert_int_equal(mkdirat(dirfd_, "dir", 0700), 0);
	assert_int_equal(apk_safe_remove_stale(dirfd_, "dir"), APK_ERR_UNSAFE);
	assert_true(exists("dir"));
	make_file("linked", 0600);
	assert_int_equal(linkat(dirfd_, "linked", dirfd_, "linked2", 0), 0);
	assert_int_equal(apk_safe_remove_stale(dirfd_, "linked"), APK_ERR_UNSAFE);
	assert_true(exists("linked"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_stale, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
