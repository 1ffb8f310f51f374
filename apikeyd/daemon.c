/* daemon.c - detaching from the terminal */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

int daemon_detach(char *err, size_t errsz)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0) {
		snprintf(err, errsz, "cannot fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0)
		_exit(0);
	if (setsid() < 0 || chdir("/") != 0 || (fd = open("/dev/null", O_RDWR)) < 0) {
		snprintf(err, errsz, "cannot detach: %s", strerror(errno));
		return -1;
	}
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}
