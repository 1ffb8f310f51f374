/* fleet_exec.c - the hand-over to apikeyctl-fleet (fleet_exec.h) */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fleet_exec.h"

#define ENV_VALUE_MAX PATH_MAX /* bytes of a variable passed on */

/* "NAME=value" into out when value is set and not too long: 1, else 0. */
static int pass_on(const char *name, const char *value, char *out, size_t outsz)
{
	int n;

	if (value == NULL || value[0] == '\0' || strlen(value) >= ENV_VALUE_MAX)
		return 0;
	n = snprintf(out, outsz, "%s=%s", name, value);
	return n > 0 && (size_t)n < outsz;
}

int fleet_exec(int ids_changed, int closed_fds, char *const argv[], char *err, size_t errsz)
{
	static char prog[] = APK_FLEET_PROG;
	static char krb5[ENV_VALUE_MAX + 16], policy[ENV_VALUE_MAX + 16];
	char *env[3], **args;
	size_t n = 0, argc;
	int fd;

	/* The ids are the caller's alone by now, so what is passed on is the
	 * caller's own and gives them nothing; the rest (LD_*, LDAP*, HOME
	 * and its ldaprc, locale, ...) stays behind, so that apikeyctl
	 * --fleet behaves as the administrator configured it. getenv, not
	 * secure_getenv: glibc's secure mode lasts for the process, though
	 * the privilege is gone. */
	if (pass_on("KRB5CCNAME", getenv("KRB5CCNAME"), krb5, sizeof(krb5)))
		env[n++] = krb5;
	if (!ids_changed && pass_on("APIKEY_POLICY", getenv("APIKEY_POLICY"), policy, sizeof(policy)))
		env[n++] = policy;
	env[n] = NULL;
	for (argc = 0; argv[argc] != NULL; argc++)
		;
	if ((args = calloc(argc + 1, sizeof(*args))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	memcpy(args, argv, argc * sizeof(*args));
	args[0] = prog;
	for (fd = 0; fd <= 2; fd++)
		if (closed_fds & (1 << fd))
			close(fd);
	execve(prog, args, env);
	snprintf(err, errsz, "cannot run %s: %s", APK_FLEET_PROG, strerror(errno));
	free(args);
	return -1;
}
