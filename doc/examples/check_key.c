/* check_key.c - an application that authenticates a user's API key through PAM
 *
 *   cc -o check_key check_key.c -lpam
 *   check_key USER < KEYFILE
 *
 * Exit status 0 when the key on standard input is one of USER's keys and
 * the account may log in, 1 when it is not, 2 on a usage error. It uses
 * the PAM service "myapp" (/etc/pam.d/myapp, see the README, "Using it"). */
#define _DEFAULT_SOURCE /* explicit_bzero, strdup */
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Answers each hidden prompt with the key appdata points to. */
static int conv(int n, const struct pam_message **msg, struct pam_response **resp,
		void *appdata)
{
	struct pam_response *r;
	int i;

	if (n <= 0 || (r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_CONV_ERR;
	for (i = 0; i < n; i++) {
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF)
			continue;
		if ((r[i].resp = strdup(*(const char **)appdata)) == NULL) {
			while (i-- > 0)
				free(r[i].resp);
			free(r);
			return PAM_CONV_ERR;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

/* 1 when key is one of user's keys and the account may log in. */
static int check_key(const char *user, const char *key, const char *client)
{
	struct pam_conv c = { conv, &key };
	pam_handle_t *pamh = NULL;
	int rc = pam_start("myapp", user, &c, &pamh);

	if (rc != PAM_SUCCESS)
		return 0;
	rc = pam_set_item(pamh, PAM_RHOST, client); /* for the log line */
	if (rc == PAM_SUCCESS)
		rc = pam_authenticate(pamh, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
	if (rc == PAM_SUCCESS)
		rc = pam_acct_mgmt(pamh, PAM_SILENT);
	pam_end(pamh, rc);
	return rc == PAM_SUCCESS;
}

int main(int argc, char **argv)
{
	char key[512]; /* a key is 68 characters */
	int ok;

	if (argc != 2) {
		fprintf(stderr, "usage: check_key USER < KEYFILE\n");
		return 2;
	}
	if (fgets(key, sizeof(key), stdin) == NULL) {
		fprintf(stderr, "check_key: no key on standard input\n");
		return 2;
	}
	key[strcspn(key, "\n")] = '\0';
	ok = check_key(argv[1], key, "localhost");
	explicit_bzero(key, sizeof(key));
	return ok ? 0 : 1;
}
