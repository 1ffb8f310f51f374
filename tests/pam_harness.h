/* pam_harness.h - running real libpam transactions against the built module
 * (pam_start_confdir with a private service directory; no root needed) */
#ifndef APK_PAM_HARNESS_H
#define APK_PAM_HARNESS_H

#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "keyfmt.h"
#include "test_db.h"

#define OTHER_USER "daemon" /* a second real account on every Debian system */

/* What the conversation saw and answered. */
struct conv_script {
	const char *response; /* answer to every hidden prompt (NULL: fail the conversation) */
	int prompts;          /* how many prompts were asked */
	char last_prompt[256];
};

static inline int harness_conv(int n, const struct pam_message **msg, struct pam_response **resp,
			void *data)
{
	struct conv_script *cs = data;
	struct pam_response *r;
	int i;

	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	if ((r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF && msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
			continue;
		cs->prompts++;
		snprintf(cs->last_prompt, sizeof(cs->last_prompt), "%s", msg[i]->msg);
		if (cs->response == NULL) {
			free(r);
			return PAM_CONV_ERR;
		}
		r[i].resp = strdup(cs->response);
	}
	*resp = r;
	return PAM_SUCCESS;
}

/* A file the build made, as an absolute path in path: $APK_BUILD/NAME,
 * else ./build/NAME. */
static inline const char *built_path(const char *name, char path[PATH_MAX])
{
	char rel[PATH_MAX];
	const char *b = getenv("APK_BUILD");

	snprintf(rel, sizeof(rel), "build/%s", name);
	if (b != NULL)
		snprintf(path, PATH_MAX, "%s/%s", b, name);
	else if (realpath(rel, path) == NULL)
		snprintf(path, PATH_MAX, "%s", rel);
	return path;
}

/* The module under test. */
static inline const char *module_path(void)
{
	static char path[PATH_MAX];
	return built_path("pam_apikey.so", path);
}

/* The test module that records what reaches the rest of the stack (tests/spy). */
static inline const char *spy_path(void)
{
	static char path[PATH_MAX];
	return built_path("tests/spy/pam_spy.so", path);
}

/* Writes DIR/SERVICE with the given lines (each "%M" replaced by the module path). */
static inline void write_service(const char *dir, const char *service, const char *lines)
{
	char path[PATH_MAX];
	const char *p;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, service);
	if ((fp = fopen(path, "w")) == NULL) {
		perror(path);
		abort();
	}
	for (p = lines; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 'M') {
			fputs(module_path(), fp);
			p++;
		} else {
			fputc(*p, fp);
		}
	}
	fclose(fp);
}

/* One pam_authenticate (and pam_setcred after a success) with the given
 * conversation; returns its code. */
static inline int pam_run_conv(const char *confdir, const char *service, const char *user,
			       const struct pam_conv *conv)
{
	pam_handle_t *pamh = NULL;
	int rc, rc2;

	rc = pam_start_confdir(service, user, conv, confdir, &pamh);
	if (rc != PAM_SUCCESS)
		return -1000 - rc;
	pam_set_item(pamh, PAM_RHOST, "203.0.113.7");
	rc = pam_authenticate(pamh, 0);
	if (rc == PAM_SUCCESS) {
		rc2 = pam_setcred(pamh, PAM_ESTABLISH_CRED);
		if (rc2 != PAM_SUCCESS)
			rc = -2000 - rc2;
	}
	pam_end(pamh, rc);
	return rc;
}

/* One pam_authenticate answered by cs; returns its code and fills cs. */
static inline int pam_run(const char *confdir, const char *service, const char *user,
		   struct conv_script *cs)
{
	struct pam_conv conv = { harness_conv, cs };

	cs->prompts = 0;
	cs->last_prompt[0] = '\0';
	return pam_run_conv(confdir, service, user, &conv);
}

/* The name of the account running the test. */
static inline const char *me(void)
{
	struct passwd *pw = getpwuid(getuid());
	return pw != NULL ? pw->pw_name : "root";
}

/* What every PAM test program starts from: libsodium ready, a private
 * database t holding key "mine" of the running account (its token in mine)
 * and, unless theirs is NULL, key "theirs" of OTHER_USER (its token in
 * theirs), and an empty service directory conf = t->dir/pam.d.
 * 0, or -1 when any of it failed. */
static inline int pam_fixture(struct test_db *t, char conf[PATH_MAX], char mine[APK_KEY_LEN + 1],
			      char theirs[APK_KEY_LEN + 1])
{
	struct apk_account me_acct, other;

	if (apk_crypto_init() != APK_OK)
		return -1;
	test_db_init(t);
	snprintf(conf, PATH_MAX, "%s/pam.d", t->dir);
	if (mkdir(conf, 0700) != 0)
		return -1;
	me_acct = test_account(me(), -1);
	if (test_generate(t, &me_acct, "mine", mine) != APK_OK)
		return -1;
	if (theirs == NULL)
		return 0;
	other = test_account(OTHER_USER, -1);
	return test_generate(t, &other, "theirs", theirs) == APK_OK ? 0 : -1;
}

#endif
