/* privdrop.c - valid fds 0-2, the caller's uid, and root given up for good
 * (apikeyctl at its set-user-ID start, apikeyd when root starts it) */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privdrop.h"

int reopen_closed_std_fds(int *closed)
{
	int fd;

	*closed = 0;
	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		*closed |= 1 << fd;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			return -1;
	}
	return 0;
}

/* Set-user-ID for this caller, or root running a set-user-ID binary (root
 * keeps uid 0 through exec, so only the file's mode tells). */
static int has_privilege_to_drop(void)
{
	struct stat st;

	if (geteuid() != getuid())
		return 1;
	if (getuid() != 0)
		return 0;
	return stat("/proc/self/exe", &st) != 0 || (st.st_mode & S_ISUID) != 0;
}

int become_account(const char *account, uid_t caller, char *err, size_t errsz)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	uid_t ru, eu, su;
	gid_t rg, eg, sg, caller_gid = getgid();

	if (geteuid() != 0) {
		snprintf(err, errsz, "cannot become %s: not running as root", account);
		return -1;
	}
	if (getpwnam_r(account, &pw, buf, sizeof(buf), &res) != 0 || res == NULL ||
	    pw.pw_uid == 0 || pw.pw_gid == 0) {
		snprintf(err, errsz, "no helper account %s (or it is root's)", account);
		return -1;
	}
	if (setgroups(0, NULL) != 0 || setresgid(pw.pw_gid, pw.pw_gid, pw.pw_gid) != 0 ||
	    setresuid(pw.pw_uid, pw.pw_uid, pw.pw_uid) != 0) {
		snprintf(err, errsz, "cannot become %s: %s", account, strerror(errno));
		return -1;
	}
	if (getresuid(&ru, &eu, &su) != 0 || ru != pw.pw_uid || eu != pw.pw_uid ||
	    su != pw.pw_uid || getresgid(&rg, &eg, &sg) != 0 || rg != pw.pw_gid ||
	    eg != pw.pw_gid || sg != pw.pw_gid || getgroups(0, NULL) != 0) {
		snprintf(err, errsz, "ids or groups not those of %s", account);
		return -1;
	}
	/* Gone for good: none of root's or the caller's ids comes back. */
	if (setuid(0) == 0 || seteuid(0) == 0 || setegid(0) == 0 ||
	    (caller != pw.pw_uid && (setreuid(caller, caller) == 0 || seteuid(caller) == 0)) ||
	    (caller_gid != pw.pw_gid && setegid(caller_gid) == 0)) {
		snprintf(err, errsz, "could regain root or the caller's ids");
		return -1;
	}
	return 0;
}

int drop_to_helper(const char *helper, uid_t *caller, char *err, size_t errsz)
{
	*caller = getuid();
	if (!has_privilege_to_drop())
		return 0;
	if (geteuid() != 0) {
		snprintf(err, errsz, "apikeyctl is set-user-ID, but not to root: reinstall it");
		return -1;
	}
	return become_account(helper, *caller, err, errsz) == 0 ? 1 : -1;
}

int drop_to_caller(uid_t *caller, char *err, size_t errsz)
{
	uid_t uid = getuid(), euid = geteuid(), ru, eu, su;
	gid_t gid = getgid(), egid = getegid(), rg, eg, sg;

	*caller = uid;
	if (setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0) {
		snprintf(err, errsz, "cannot give up set-user-ID: %s", strerror(errno));
		return -1;
	}
	if (getresuid(&ru, &eu, &su) != 0 || ru != uid || eu != uid || su != uid ||
	    getresgid(&rg, &eg, &sg) != 0 || rg != gid || eg != gid || sg != gid ||
	    (euid != uid && seteuid(euid) == 0) || (egid != gid && setegid(egid) == 0)) {
		snprintf(err, errsz, "could not give up set-user-ID for good");
		return -1;
	}
	return euid != uid || egid != gid;
}
