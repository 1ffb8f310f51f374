/* newkey.c - a new key shown once, or reported as not shown (newkey.h) */
#include <fcntl.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

#include <sodium.h>

#include "change.h"
#include "newkey.h"
#include "when.h"

int newkey_output_ready(const struct session *s)
{
	if ((s->closed_fds & (1 << STDOUT_FILENO)) ||
	    (fcntl(STDOUT_FILENO, F_GETFL) & O_ACCMODE) == O_RDONLY)
		return fail(EXIT_FAIL, "standard output is not writable: the new key would be lost");
	return EXIT_OK;
}

int newkey_checks(const struct session *s, const struct apk_args *a, int64_t now,
		  struct key_settings *ks)
{
	int status;

	if ((status = newkey_output_ready(s)) != EXIT_OK)
		return status;
	if (a->name != NULL && !apk_name_valid(a->name))
		return invalid_name();
	if (a->description != NULL && !apk_desc_valid(a->description))
		return invalid_description();
	return settings_parse(a, &s->policy, now, true, ks);
}

int newkey_rotate_checks(const struct session *s, const struct apk_args *a, int64_t now,
			 int64_t *old_expires)
{
	char why[512];
	int status;

	*old_expires = now;
	if ((status = newkey_output_ready(s)) != EXIT_OK)
		return status;
	if (a->overlap != NULL && strcmp(a->overlap, "never") == 0)
		return fail(EXIT_USAGE, "--overlap: the old key must stop: give a duration (7d) "
			    "or a time, not never");
	if (a->overlap != NULL &&
	    apk_when_parse(a->overlap, now, s->policy.max_lifetime, old_expires, why,
			   sizeof(why)) != APK_OK)
		return fail(EXIT_USAGE, "--overlap: %s", why);
	return EXIT_OK;
}

int newkey_show(const struct session *s, const struct apk_record *rec, char *token, size_t tokensz,
		bool quiet)
{
	if (quiet)
		printf("%s\n", token);
	else
		printf("New API key \"%s\" (id %s) for %s:\n\n    %s\n\n"
		       "Copy it now: it is stored only as a one-way hash and cannot be shown again.\n",
		       rec->name, rec->id, s->target.name, token);
	sodium_memzero(token, tokensz);
	return fflush(stdout) != 0 || ferror(stdout) ? -1 : 0;
}
