/* pam_hostile_files.c - pam_apikey and whatever sits at its database paths,
 * through the real libpam (cmocka; no root needed, a few extra cases when
 * root).
 *
 * What a careless administrator or another account can put in front of the
 * module: a FIFO, a directory, a socket, a symlink or a hard link at one of
 * its files, a file with the wrong mode, owner or contents, an unsafe
 * database directory or none at all, a writer holding the lock. Every such
 * database is refused (PAM_AUTHINFO_UNAVAIL) without blocking and without
 * a change to the directory; a lock and what sits beside it change nothing.
 */
#include "hostile_harness.h"

#include <grp.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

/* what the final log check must cover at least (the tests make about 47 logins) */
static struct log_floor log_floor = { 40, 40 };

/* The module refuses (PAM_AUTHINFO_UNAVAIL), never blocks, and creates or
 * changes nothing in the directory. */
static void expect_unavail(const char *what, const struct scratch *s, const char *db,
			   const char *user, const char *key)
{
	char before[8192], after[8192];
	int rc;

	dir_state(s->dir, before, sizeof(before));
	service("scratch", db, "nodelay");
	rc = auth_timeout("scratch", user, key, 10);
	dir_state(s->dir, after, sizeof(after));
	if (rc != PAM_AUTHINFO_UNAVAIL)
		print_message("# %s: got %d (%s)\n", what, rc,
			      rc >= 0 ? pam_strerror(NULL, rc) : "timeout");
	assert_int_equal(rc, PAM_AUTHINFO_UNAVAIL);
	if (strcmp(before, after) != 0)
		print_message("# %s: directory changed:\n#  %s\n#  %s\n", what, before, after);
	assert_string_equal(before, after);
}

/* ---- one file of the database -------------------------------------------------- */

enum plant {
	P_FIFO, P_DIRECTORY, P_SOCKET, P_SYMLINK_FIFO, P_SYMLINK_REAL, P_DANGLING, P_HARD_LINK,
	P_GROUP_READ, P_GROUP_WRITE, P_OTHER_READ, P_EMPTY, P_TRUNCATED, P_GARBAGE, P_NOBODY,
	P_COUNT
};

static const char *const plant_name[P_COUNT] = {
	"FIFO", "directory", "listening socket", "symlink to a FIFO", "symlink to the real file",
	"dangling symlink", "hard link", "readable by its group", "writable by its group",
	"readable by others", "empty", "truncated", "not a gdbm file", "owned by nobody",
};

/* Puts one hostile thing at target, a file of scratch s. Returns a
 * descriptor to close after the check (the listening socket), -1 when there
 * is none, or -2 when the thing cannot be planted here (nothing to check). */
static int plant(const struct scratch *s, const char *target, enum plant what)
{
	struct passwd *nobody = getpwnam("nobody");
	struct sockaddr_un sa;
	char path[PATH_MAX + 64];
	int fd;

	switch (what) {
	case P_FIFO:
		assert_int_equal(unlink(target), 0);
		assert_int_equal(mkfifo(target, 0600), 0);
		break;
	case P_DIRECTORY:
		assert_int_equal(unlink(target), 0);
		assert_int_equal(mkdir(target, 0700), 0);
		break;
	case P_SOCKET:
		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		if (strlen(target) >= sizeof(sa.sun_path))
			return -2;
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", target);
		assert_int_equal(unlink(target), 0);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		assert_true(fd >= 0);
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		assert_int_equal(listen(fd, 1), 0);
		return fd;
	case P_SYMLINK_FIFO:
		snprintf(path, sizeof(path), "%s/fifo", s->dir);
		assert_int_equal(mkfifo(path, 0600), 0);
		assert_int_equal(unlink(target), 0);
		assert_int_equal(symlink(path, target), 0);
		break;
	case P_SYMLINK_REAL:
		snprintf(path, sizeof(path), "%s.real", target);
		assert_int_equal(rename(target, path), 0);
		assert_int_equal(symlink(path, target), 0);
		break;
	case P_DANGLING:
		assert_int_equal(unlink(target), 0);
		assert_int_equal(symlink("/nonexistent/u0", target), 0);
		break;
	case P_HARD_LINK:
		snprintf(path, sizeof(path), "%s/hardlink", s->dir);
		assert_int_equal(link(target, path), 0);
		break;
	case P_GROUP_READ:
		assert_int_equal(chmod(target, 0640), 0);
		break;
	case P_GROUP_WRITE:
		assert_int_equal(chmod(target, 0620), 0);
		break;
	case P_OTHER_READ:
		assert_int_equal(chmod(target, 0604), 0);
		break;
	case P_EMPTY:
		assert_int_equal(truncate(target, 0), 0);
		break;
	case P_TRUNCATED:
		assert_int_equal(truncate(target, 1024), 0);
		break;
	case P_GARBAGE:
		assert_int_equal(unlink(target), 0);
		write_garbage(target);
		break;
	case P_NOBODY:
		if (getuid() != 0 || nobody == NULL)
			return -2;
		assert_int_equal(chown(target, nobody->pw_uid, (gid_t)-1), 0);
		break;
	case P_COUNT:
		fail();
	}
	return -1;
}

/* Everything of plant(), in turn, at one file of a fresh copy of the
 * database (my account's file, or the decoy that an account without a
 * file reads): each is refused. */
static void unsafe_files(const char *which, int decoy)
{
	const char *user = decoy ? nokeys_user : me(), *key = decoy ? fresh_key : my_key;
	struct scratch s;
	char what[128];
	int p, fd;

	for (p = 0; p < P_COUNT; p++) {
		scratch_new(&s, 1);
		fd = plant(&s, decoy ? s.decoy : s.file, (enum plant)p);
		if (fd == -2) {
			print_message("# %s: %s not tried here\n", which, plant_name[p]);
			continue;
		}
		snprintf(what, sizeof(what), "%s: %s", which, plant_name[p]);
		expect_unavail(what, &s, s.db, user, key);
		if (fd >= 0)
			close(fd);
	}
}

static void unsafe_account_file(void **state)
{
	struct scratch s;

	(void)state;
	/* sanity: a good copy works, so each refusal is for its reason */
	scratch_new(&s, 1);
	service("scratch", s.db, "nodelay");
	assert_int_equal(auth_timeout("scratch", me(), my_key, 10), PAM_SUCCESS);
	unsafe_files("account file", 0);
}

static void unsafe_decoy(void **state)
{
	struct scratch s;

	(void)state;
	scratch_new(&s, 1);
	service("scratch", s.db, "nodelay");
	assert_int_equal(auth_timeout("scratch", nokeys_user, fresh_key, 10), PAM_AUTH_ERR);
	unsafe_files("decoy", 1);
}

/* ---- the database directory ------------------------------------------------------- */

static void unsafe_directory(void **state)
{
	static const struct {
		mode_t mode;
		const char *what;
	} modes[] = {
		{ 0770, "directory writable by its group" },
		{ 01777, "sticky directory writable by everyone" },
		{ 0777, "directory writable by everyone" },
		{ 0730, "directory writable by its group, not readable" },
		{ 0702, "directory writable by others, not readable" },
	};
	/* well-known places that are not a private database directory */
	static const char *const public_paths[] = { "/tmp", "/dev/null", "/etc/passwd" };
	struct passwd *nobody = getpwnam("nobody");
	struct scratch s, outer;
	char path[PATH_MAX + 64];
	size_t i;

	(void)state;
	scratch_new(&s, 1);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(chmod(s.dir, modes[i].mode), 0);
		expect_unavail(modes[i].what, &s, s.db, me(), my_key);
	}
	assert_int_equal(chmod(s.dir, 0700), 0);
	if (getuid() == 0 && nobody != NULL) {
		assert_int_equal(chown(s.dir, nobody->pw_uid, (gid_t)-1), 0);
		expect_unavail("directory owned by nobody", &s, s.db, me(), my_key);
		assert_int_equal(chown(s.dir, 0, (gid_t)-1), 0);
	} else {
		print_message("# not root: no directory owned by another account\n");
	}

	/* not a directory at all, at the path db= names */
	scratch_new(&outer, 0);
	snprintf(path, sizeof(path), "%s/fifo", outer.dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	expect_unavail("FIFO at the database path", &outer, path, me(), my_key);
	snprintf(path, sizeof(path), "%s/file", outer.dir);
	write_garbage(path);
	expect_unavail("regular file at the database path", &outer, path, me(), my_key);
	snprintf(path, sizeof(path), "%s/dangling", outer.dir);
	assert_int_equal(symlink("/nonexistent/db", path), 0);
	expect_unavail("dangling symlink at the database path", &outer, path, me(), my_key);
	snprintf(path, sizeof(path), "%s/missing", outer.dir);
	expect_unavail("nothing at the database path", &outer, path, me(), my_key);

	for (i = 0; i < sizeof(public_paths) / sizeof(public_paths[0]); i++) {
		service("scratch", public_paths[i], "nodelay");
		assert_int_equal(auth_timeout("scratch", me(), my_key, 10), PAM_AUTHINFO_UNAVAIL);
	}
}

/* A symlink at the path db= names, even to a good database directory:
 * refused like a symlink at any other path of the database. */
static void symlink_at_database_path(void **state)
{
	struct scratch s, outer;
	char path[PATH_MAX + 64];
	int rc;

	(void)state;
	scratch_new(&outer, 0);
	scratch_new(&s, 1);
	snprintf(path, sizeof(path), "%s/link", outer.dir);
	assert_int_equal(symlink(s.dir, path), 0);
	service("scratch", path, "nodelay");
	rc = auth_timeout("scratch", me(), my_key, 10);
	if (rc != PAM_AUTHINFO_UNAVAIL)
		print_message("# symlink at the database path: got %d (%s): followed\n", rc,
			      rc >= 0 ? pam_strerror(NULL, rc) : "timeout");
	assert_int_equal(rc, PAM_AUTHINFO_UNAVAIL);
}

/* A database the caller cannot read: PAM_AUTHINFO_UNAVAIL. As root the
 * transaction is started, then the child becomes nobody. */
static void unreadable_database(void **state)
{
	struct passwd *nobody = getpwnam("nobody");
	struct scratch s;
	pid_t pid;
	int status;

	(void)state;
	scratch_new(&s, 1);
	service("scratch", s.db, "nodelay");
	if (getuid() != 0) {
		assert_int_equal(chmod(s.file, 0000), 0);
		assert_int_equal(auth_timeout("scratch", me(), my_key, 10), PAM_AUTHINFO_UNAVAIL);
		assert_int_equal(chmod(s.file, 0600), 0);
		assert_int_equal(chmod(s.dir, 0000), 0);
		assert_int_equal(auth_timeout("scratch", me(), my_key, 10), PAM_AUTHINFO_UNAVAIL);
		assert_int_equal(chmod(s.dir, 0700), 0);
		return;
	}
	assert_non_null(nobody);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct conv_script cs = { .response = my_key };
		struct pam_conv conv = { harness_conv, &cs };
		pam_handle_t *pamh = NULL;
		int rc;

		if (pam_start_confdir("scratch", me(), &conv, conf, &pamh) != PAM_SUCCESS)
			_exit(100);
		if (setgroups(0, NULL) != 0 ||
		    setresgid(nobody->pw_gid, nobody->pw_gid, nobody->pw_gid) != 0 ||
		    setresuid(nobody->pw_uid, nobody->pw_uid, nobody->pw_uid) != 0)
			_exit(101);
		rc = pam_authenticate(pamh, 0);
		_exit(rc & 0x7f);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), PAM_AUTHINFO_UNAVAIL);
}

/* ---- the writer's files ----------------------------------------------------------- */

/* The module is a reader: a writer's lock, or anything at u<uid>.lock and
 * u<uid>.new, changes nothing for a login, and a login creates no file. */
static void logins_ignore_the_writer_lock(void **state)
{
	struct scratch s;
	char lock[PATH_MAX + 32], newp[PATH_MAX + 32], before[8192], after[8192];
	struct timespec t0, t1;
	int fd;

	(void)state;
	scratch_new(&s, 1);
	service("scratch", s.db, "nodelay");
	dir_state(s.dir, before, sizeof(before));
	assert_int_equal(auth_timeout("scratch", me(), my_key, 10), PAM_SUCCESS);
	assert_int_equal(auth_timeout("scratch", me(), "apk_wrong", 10), PAM_AUTH_ERR);
	dir_state(s.dir, after, sizeof(after));
	assert_string_equal(before, after); /* no lock, no .new, no decoy made */

	snprintf(lock, sizeof(lock), "%s.lock", s.file);
	fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(auth_timeout("scratch", me(), my_key, 10), PAM_SUCCESS);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 1000);
	close(fd);

	assert_int_equal(unlink(lock), 0);
	assert_int_equal(mkfifo(lock, 0600), 0);
	snprintf(newp, sizeof(newp), "%s.new", s.file);
	assert_int_equal(symlink("/etc/passwd", newp), 0);
	assert_int_equal(auth_timeout("scratch", me(), my_key, 10), PAM_SUCCESS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unsafe_account_file),
		cmocka_unit_test(unsafe_decoy),
		cmocka_unit_test(unsafe_directory),
		cmocka_unit_test(symlink_at_database_path),
		cmocka_unit_test(unreadable_database),
		cmocka_unit_test(logins_ignore_the_writer_lock),
		cmocka_unit_test_prestate(no_secret_in_any_log_line, &log_floor),
	};
	return cmocka_run_group_tests(tests, hostile_setup, hostile_teardown);
}
