/* harden.c - a privileged program's process, hardened before it reads anything */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harden.h"

int apk_harden(char *err, size_t errsz)
{
	const struct rlimit nocore = { 0, 0 };

	/* Descriptors the caller left open are not ours to use or leak. */
	close_range(3, ~0U, 0);
	/* A caller's small RLIMIT_FSIZE must give EFBIG, not a signal mid-write. */
	signal(SIGXFSZ, SIG_IGN);
	umask(077);
	if (setrlimit(RLIMIT_CORE, &nocore) != 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		snprintf(err, errsz, "cannot disable core dumps: %s", strerror(errno));
		return -1;
	}
	return 0;
}
