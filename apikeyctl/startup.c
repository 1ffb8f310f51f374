/* startup.c - sanitising the process, finding the caller, dropping the caller's uid */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apk_config.h"
#include "startup.h"

static int fds_open(int *closed)
{
	int fd;

	*closed = 0;
	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		*closed |= 1 << fd;
		/* A closed 0-2 would let a later open() land there: fill it. */
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			return -1;
	}
	return 0;
}

int startup_sanitize(char *dbpath, size_t dbsz, int *closed_fds, char *err, size_t errsz)
{
	const struct rlimit nocore = { 0, 0 };
	const char *env;

	if (fds_open(closed_fds) != 0) {
		/* stderr may be the closed one; say nothing on it */
		snprintf(err, errsz, "cannot open /dev/null");
		return -1;
	}
	/* Descriptors the caller left open are not ours to use or leak. */
	close_range(3, ~0U, 0);
	/* A caller's small RLIMIT_FSIZE must give EFBIG, not a signal mid-write. */
	signal(SIGXFSZ, SIG_IGN);
	umask(077);
	if (setrlimit(RLIMIT_CORE, &nocore) != 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		snprintf(err, errsz, "cannot disable core dumps: %s", strerror(errno));
		return -1;
	}
	env = secure_getenv("APIKEY_DB");
	if (env != NULL && env[0] != '\0') {
		if (env[0] != '/' || strlen(env) >= dbsz) {
			snprintf(err, errsz, "APIKEY_DB must be an absolute path shorter than %zu bytes",
				 dbsz);
			return -1;
		}
		memcpy(dbpath, env, strlen(env) + 1);
	} else {
		snprintf(dbpath, dbsz, "%s", APK_DB_PATH);
	}
	if (clearenv() != 0) {
		snprintf(err, errsz, "cannot clear the environment");
		return -1;
	}
	return 0;
}

int startup_caller(struct apk_account *caller, char *err, size_t errsz)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	uid_t uid = getuid();

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || res == NULL) {
		snprintf(err, errsz, "your uid %u has no passwd entry", (unsigned)uid);
		return -1;
	}
	if (!apk_user_valid(pw.pw_name)) {
		snprintf(err, errsz, "your user name is not usable with API keys");
		return -1;
	}
	caller->uid = uid;
	snprintf(caller->name, sizeof(caller->name), "%s", pw.pw_name);
	return 0;
}

int startup_drop_privileges(char *err, size_t errsz)
{
	uid_t ruid, euid, suid;
	uid_t caller = getuid(), helper = geteuid();

	if (caller == helper)
		return 0; /* not setuid: nothing to give up */
	if (setresuid(helper, helper, helper) != 0) {
		snprintf(err, errsz, "cannot set user ids: %s", strerror(errno));
		return -1;
	}
	if (getresuid(&ruid, &euid, &suid) != 0 || ruid != helper || euid != helper ||
	    suid != helper) {
		snprintf(err, errsz, "user ids not as set");
		return -1;
	}
	/* The caller's uid must be gone for good. */
	if (setreuid(caller, caller) == 0 || seteuid(caller) == 0) {
		snprintf(err, errsz, "could regain the caller's uid");
		return -1;
	}
	/* setuid drops the dumpable flag again; keep it off in any case. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	return 0;
}
