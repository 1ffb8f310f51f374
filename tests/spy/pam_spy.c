/* pam_spy.c - a PAM module for the tests: what reaches the modules stacked
 * around pam_apikey.
 *
 * Arguments (any combination):
 *   log=FILE      appends one line: "authtok VALUE" with the PAM_AUTHTOK the
 *                 earlier modules left, or "no authtok"
 *   set=VALUE     stores VALUE as PAM_AUTHTOK, as a module that asked for a
 *                 password would
 *   password=PW   a password check like pam_unix's: reads the token with
 *                 pam_get_authtok (so try_first_pass / use_first_pass given
 *                 here apply, and without a token it asks "Password: ") and
 *                 succeeds only when it equals PW
 * Without password= it returns PAM_IGNORE, leaving the stack's result to
 * the other modules. Built by the Makefile as a test artifact; never
 * installed. */
#include <stdio.h>
#include <string.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

static const char *value_of(int argc, const char **argv, const char *name)
{
	size_t n = strlen(name);
	int i;

	for (i = 0; i < argc; i++)
		if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=')
			return argv[i] + n + 1;
	return NULL;
}

static int record(pam_handle_t *pamh, const char *path)
{
	const void *tok = NULL;
	FILE *fp;

	if (pam_get_item(pamh, PAM_AUTHTOK, &tok) != PAM_SUCCESS)
		return PAM_SYSTEM_ERR;
	if ((fp = fopen(path, "a")) == NULL)
		return PAM_SYSTEM_ERR;
	if (tok != NULL)
		fprintf(fp, "authtok %s\n", (const char *)tok);
	else
		fputs("no authtok\n", fp);
	return fclose(fp) == 0 ? PAM_SUCCESS : PAM_SYSTEM_ERR;
}

__attribute__((visibility("default")))
int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const char *log = value_of(argc, argv, "log");
	const char *set = value_of(argc, argv, "set");
	const char *password = value_of(argc, argv, "password");
	const char *tok = NULL;
	int rc;

	(void)flags;
	if (log != NULL && (rc = record(pamh, log)) != PAM_SUCCESS)
		return rc;
	if (set != NULL && (rc = pam_set_item(pamh, PAM_AUTHTOK, set)) != PAM_SUCCESS)
		return rc;
	if (password == NULL)
		return PAM_IGNORE;
	if ((rc = pam_get_authtok(pamh, PAM_AUTHTOK, &tok, NULL)) != PAM_SUCCESS)
		return rc;
	return tok != NULL && strcmp(tok, password) == 0 ? PAM_SUCCESS : PAM_AUTH_ERR;
}

__attribute__((visibility("default")))
int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}
