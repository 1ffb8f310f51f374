/* fleet_password.c - the password from a file or the terminal (fleet_password.h) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "fleet_password.h"

int fleet_password_file(const char *path, char *out, size_t outsz, size_t *len, char *err,
			size_t errsz)
{
	ssize_t r;
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0) {
		snprintf(err, errsz, "cannot read the password file %s: %s", path, strerror(errno));
		return -1;
	}
	while (n < outsz && (r = read(fd, out + n, outsz - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errsz, "cannot read the password file %s: %s", path,
				 strerror(errno));
			close(fd);
			sodium_memzero(out, outsz);
			return -1;
		}
		n += (size_t)r;
	}
	close(fd);
	if (n >= outsz || n > FLEET_PASSWORD_MAX || memchr(out, '\0', n) != NULL) {
		sodium_memzero(out, outsz);
		snprintf(err, errsz, "the password file %s is longer than %d bytes or holds a NUL",
			 path, FLEET_PASSWORD_MAX);
		return -1;
	}
	out[n] = '\0';
	*len = n;
	return 0;
}

int fleet_password_ask(const char *dn, char *out, size_t outsz, size_t *len, char *err,
		       size_t errsz)
{
	struct termios old, quiet;
	FILE *tty;
	int ok;

	if ((tty = fopen("/dev/tty", "r+ce")) == NULL) {
		snprintf(err, errsz, "no terminal to ask your directory password on: "
			 "use --password-file FILE");
		return -1;
	}
	setvbuf(tty, NULL, _IONBF, 0);
	if (tcgetattr(fileno(tty), &old) != 0) {
		fclose(tty);
		snprintf(err, errsz, "cannot turn off the terminal's echo");
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	fprintf(tty, "LDAP password for %s: ", dn);
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	ok = fgets(out, (int)outsz, tty) != NULL;
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	if (!ok) {
		sodium_memzero(out, outsz);
		snprintf(err, errsz, "no password given");
		return -1;
	}
	*len = strcspn(out, "\n");
	out[*len] = '\0';
	return 0;
}
