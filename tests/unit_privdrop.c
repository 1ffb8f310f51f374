/* unit_privdrop.c - the helper's privileged start (common/privdrop.c) on
 * its own: each case runs in a child process that first takes the ids a
 * set-user-ID root exec would give it, calls drop_to_helper with "nobody"
 * standing in for the helper account, then reports what /proc/self/status
 * and the set*id calls show. Also fds 0-2 reopened on /dev/null. The cases
 * that change ids need root and say SKIP without it.
 * TAP on stdout. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "privdrop.h"

#define STANDIN "nobody"
#define CALLER_UID 4242
#define CALLER_GID 4243
#define EXTRA_GID 4244
#define SECBIT_NO_SETUID_FIXUP_ (1 << 2) /* linux/securebits.h */
#define ARG_SETUID_COPY "--root-runs-setuid-copy"

/* What a child found, one bit a check. */
enum {
	F_DROP = 1 << 0,    /* drop_to_helper returned 1 */
	F_CALLER = 1 << 1,  /* the caller's uid was recorded */
	F_UID = 1 << 2,     /* Uid: helper's in all four fields */
	F_GID = 1 << 3,     /* Gid: helper's in all four fields */
	F_GROUPS = 1 << 4,  /* Groups: empty */
	F_NOROOT = 1 << 5,  /* setuid(0), seteuid(0), setegid(0), setgroups fail */
	F_NOCALLER = 1 << 6 /* the caller's uid and gid cannot be regained */
};
static const char *const check_names[] = {
	"drop_to_helper changes the ids", "records the caller's uid",
	"real, effective, saved and fs uid are the helper's",
	"real, effective, saved and fs gid are the helper's", "no supplementary groups",
	"root cannot be regained", "the caller's uid and gid cannot be regained",
};

static int n_test, n_failed;
static uid_t h_uid;
static gid_t h_gid;

static void tap(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", ++n_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		n_failed++;
}

static void skip(const char *why)
{
	printf("ok %d # SKIP %s\n", ++n_test, why);
	fflush(stdout);
}

/* 1 when /proc/self/status has line "KEY:" followed by exactly want
 * (fields separated by tabs; "" for an empty line). */
static int status_is(const char *key, const char *want)
{
	char line[512], got[512];
	size_t klen = strlen(key);
	FILE *f = fopen("/proc/self/status", "r");
	int found = 0;

	if (f == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, klen) != 0 || line[klen] != ':')
			continue;
		const char *v = line + klen + 1;
		size_t o = 0;
		/* normalise: one space between fields, none at either end */
		for (; *v != '\0' && *v != '\n' && o + 1 < sizeof(got); v++) {
			if (*v == '\t' || *v == ' ') {
				if (o > 0 && got[o - 1] != ' ')
					got[o++] = ' ';
			} else {
				got[o++] = *v;
			}
		}
		while (o > 0 && got[o - 1] == ' ')
			o--;
		got[o] = '\0';
		found = strcmp(got, want) == 0 ? 1 : -1;
	}
	fclose(f);
	return found == 1;
}

/* The checks after a drop to the stand-in; caller/cgid: the ids before. */
static int inspect(int rc, uid_t recorded, uid_t caller, gid_t cgid)
{
	char ids[128];
	int got = 0;

	if (rc == 1)
		got |= F_DROP;
	if (recorded == caller)
		got |= F_CALLER;
	snprintf(ids, sizeof(ids), "%u %u %u %u", (unsigned)h_uid, (unsigned)h_uid,
		 (unsigned)h_uid, (unsigned)h_uid);
	if (status_is("Uid", ids))
		got |= F_UID;
	snprintf(ids, sizeof(ids), "%u %u %u %u", (unsigned)h_gid, (unsigned)h_gid,
		 (unsigned)h_gid, (unsigned)h_gid);
	if (status_is("Gid", ids))
		got |= F_GID;
	if (status_is("Groups", ""))
		got |= F_GROUPS;
	if (setuid(0) != 0 && seteuid(0) != 0 && setegid(0) != 0 && setgroups(0, NULL) != 0)
		got |= F_NOROOT;
	if ((caller == h_uid || (setreuid(caller, caller) != 0 && seteuid(caller) != 0)) &&
	    (cgid == h_gid || setegid(cgid) != 0))
		got |= F_NOCALLER;
	return got;
}

/* Runs fn in a child; returns its exit status (or 255 when it died). */
static int in_child(int (*fn)(void))
{
	int st;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return 255;
	return WEXITSTATUS(st);
}

/* One TAP line per check in want: passes when the child's bit is set. */
static void report(const char *who, int got, int want)
{
	size_t i;

	for (i = 0; i < sizeof(check_names) / sizeof(check_names[0]); i++)
		if (want & (1 << i))
			tap((got & (1 << i)) != 0, "%s: %s", who, check_names[i]);
}

/* ---- the cases ---------------------------------------------------------- */

/* The ids a set-user-ID root exec gives a caller in adm and another group. */
static int become_setuid_caller(uid_t uid, gid_t gid)
{
	const gid_t groups[] = { 4, EXTRA_GID };

	return setgroups(2, groups) == 0 && setresgid(gid, gid, gid) == 0 &&
	       setresuid(uid, 0, 0) == 0 ? 0 : -1;
}

/* The caller the next child plays. */
static uid_t caller_uid;
static gid_t caller_gid;

static int setuid_caller_drops(void)
{
	char err[256];
	uid_t rec = 0;
	int rc;

	if (become_setuid_caller(caller_uid, caller_gid) != 0)
		return 0;
	rc = drop_to_helper(STANDIN, &rec, err, sizeof(err));
	return inspect(rc, rec, caller_uid, caller_gid);
}

/* Refusals: drop_to_helper must return -1; bit 0 set when it did, bit 1
 * when the process still has euid 0 (nothing half-done that hides it). */
static int refused(const char *helper)
{
	char err[256];
	uid_t rec;

	if (become_setuid_caller(CALLER_UID, CALLER_GID) != 0)
		return 0;
	return (drop_to_helper(helper, &rec, err, sizeof(err)) == -1) |
	       (geteuid() == 0) << 1;
}
static int missing_helper(void) { return refused("apkt-no-such-account"); }
static int root_as_helper(void) { return refused("root"); }

/* Capabilities kept through setresuid (SECBIT_NO_SETUID_FIXUP, which only
 * root can set): the ids look right, root can be regained, and the drop
 * must say so. */
static int caps_kept(void)
{
	char err[256];
	uid_t rec;

	if (become_setuid_caller(CALLER_UID, CALLER_GID) != 0 ||
	    prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP_, 0, 0, 0) != 0)
		return 0;
	return drop_to_helper(STANDIN, &rec, err, sizeof(err)) == -1 &&
	       strstr(err, "regain") != NULL;
}

/* Installed set-user-ID to an account that is not root (the old layout). */
static int setuid_not_root(void)
{
	char err[256];
	uid_t rec;

	if (setgroups(0, NULL) != 0 || setresgid(CALLER_GID, CALLER_GID, CALLER_GID) != 0 ||
	    setresuid(CALLER_UID, h_uid, h_uid) != 0)
		return 0;
	return drop_to_helper(STANDIN, &rec, err, sizeof(err)) == -1 &&
	       strstr(err, "not to root") != NULL;
}

/* A build run by its own user: nothing changes, the caller is recorded. */
static int own_build(void)
{
	char err[256];
	uid_t rec = (uid_t)-1, before = getuid();
	gid_t gid = getgid();

	if (drop_to_helper(STANDIN, &rec, err, sizeof(err)) != 0 || rec != before)
		return 0;
	return getuid() == before && geteuid() == before && getgid() == gid;
}

/* Root runs a copy of this program made set-user-ID root: root too becomes
 * the helper (the copy reports through its exit status). */
static int root_setuid_copy(char *self_copy)
{
	static char arg[] = ARG_SETUID_COPY;
	char *argv[] = { self_copy, arg, NULL };
	const gid_t groups[] = { 4, EXTRA_GID };
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		if (setgroups(2, groups) != 0)
			_exit(0);
		execv(self_copy, argv);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return 0;
	return WEXITSTATUS(st);
}

/* In the set-user-ID copy, run by root. */
static int as_setuid_copy(void)
{
	char err[256];
	uid_t rec = 1;

	int rc = drop_to_helper(STANDIN, &rec, err, sizeof(err));

	return inspect(rc, rec, 0, 0);
}

/* Closes fds 1 and 2 (stdout saved on 9 to report), reopens them: bit 0
 * when the function succeeded and said 1 and 2 were closed, bit 1 when both
 * are /dev/null, open for writing, bit 2 when a new file lands above 2. */
static int reopen_case(void)
{
	char link[64];
	int closed = -1, got = 0, fd, wr = 1;
	ssize_t n;

	close(1);
	close(2);
	if (reopen_closed_std_fds(&closed) == 0 && closed == 6)
		got |= 1;
	for (fd = 1; fd <= 2; fd++) {
		char path[32];

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = '\0';
		if (strcmp(link, "/dev/null") != 0 || (fcntl(fd, F_GETFL) & O_ACCMODE) != O_WRONLY)
			wr = 0;
	}
	if (wr)
		got |= 2;
	fd = open("/dev/null", O_RDONLY);
	if (fd > 2)
		got |= 4;
	return got;
}

/* None closed: nothing replaced, nothing reported. */
static int reopen_none_case(void)
{
	struct stat before, after;
	int closed = -1;

	if (fstat(1, &before) != 0 || reopen_closed_std_fds(&closed) != 0 || fstat(1, &after) != 0)
		return 0;
	return closed == 0 && before.st_ino == after.st_ino && before.st_dev == after.st_dev;
}

/* Copies /proc/self/exe to DIR/copy, mode 4755 (root's); returns 0. */
static int make_setuid_copy(const char *dir, char *out, size_t outsz)
{
	char buf[65536];
	ssize_t n;
	int in, o, rc = 0;

	snprintf(out, outsz, "%s/copy", dir);
	in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	o = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
	if (in < 0 || o < 0)
		rc = -1;
	while (rc == 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(o, buf, (size_t)n) != n)
			rc = -1;
	if (in >= 0)
		close(in);
	if (o >= 0 && (close(o) != 0 || chmod(out, 04755) != 0))
		rc = -1;
	return rc;
}

int main(int argc, char *argv[])
{
	const int all = F_DROP | F_CALLER | F_UID | F_GID | F_GROUPS | F_NOROOT | F_NOCALLER;
	struct passwd *pw = getpwnam(STANDIN);
	char dir[] = "/tmp/apk-privdrop.XXXXXX", copy[PATH_MAX];
	int got;

	if (pw != NULL) {
		h_uid = pw->pw_uid;
		h_gid = pw->pw_gid;
	}
	/* (_exit: no exit-time work, such as a leak checker's, as the helper) */
	if (argc == 2 && strcmp(argv[1], ARG_SETUID_COPY) == 0)
		_exit(as_setuid_copy());

	got = in_child(reopen_case);
	tap((got & 1) != 0, "closed fds 1 and 2 are reported as closed");
	tap((got & 2) != 0, "closed fds 1 and 2 are reopened on /dev/null for writing");
	tap((got & 4) != 0, "a file opened afterwards does not land on 0-2");
	tap(in_child(reopen_none_case) == 1, "open fds 0-2 are left alone");

	if (geteuid() != 0) {
		tap(own_build() == 1, "a build run by its own user changes no id");
		skip("changing ids needs root");
		printf("1..%d\n", n_test);
		return n_failed != 0;
	}
	if (pw == NULL || h_uid == 0 || h_gid == 0) {
		tap(0, "the stand-in helper account %s exists and is not root", STANDIN);
		printf("1..%d\n", n_test);
		return 1;
	}
	caller_uid = CALLER_UID;
	caller_gid = CALLER_GID;
	report("a user in adm and another group", in_child(setuid_caller_drops), all);
	caller_uid = h_uid;
	caller_gid = h_gid;
	report("the helper account itself", in_child(setuid_caller_drops), all);
	if (mkdtemp(dir) != NULL && make_setuid_copy(dir, copy, sizeof(copy)) == 0)
		report("root running it set-user-ID", root_setuid_copy(copy), all);
	else
		tap(0, "a set-user-ID copy of this test in %s", dir);
	unlink(copy);
	rmdir(dir);
	got = in_child(missing_helper);
	tap(got == 3, "no helper account: refused, still euid 0 (nothing half-done)");
	got = in_child(root_as_helper);
	tap(got == 3, "a helper account that is root: refused");
	tap(in_child(caps_kept) == 1,
	    "capabilities kept through setresuid (root regainable): refused");
	tap(in_child(setuid_not_root) == 1,
	    "set-user-ID to an account other than root: refused");
	tap(in_child(own_build) == 1, "root running a build that is not set-user-ID changes no id");
	printf("1..%d\n", n_test);
	return n_failed != 0;
}
