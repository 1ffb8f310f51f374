/* pam_harness.c - running real libpam transactions against the built module */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pam_harness.h"

const char *built_path(const char *name, char path[PATH_MAX])
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

const char *module_path(void)
{
	static char path[PATH_MAX];
	return built_path("pam_apikey.so", path);
}

const char *spy_path(void)
{
	static char path[PATH_MAX];
	return built_path("tests/spy/pam_spy.so", path);
}

void write_service(const char *dir, const char *service, const char *lines)
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

int pam_run_conv(const char *confdir, const char *service, const char *user,
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

int pam_run(const char *confdir, const char *service, const char *user, struct conv_script *cs)
{
	struct pam_conv conv = { harness_conv, cs };

	cs->prompts = 0;
	cs->last_prompt[0] = '\0';
	cs->info[0] = '\0';
	return pam_run_conv(confdir, service, user, &conv);
}

const char *me(void)
{
	struct passwd *pw = getpwuid(getuid());
	return pw != NULL ? pw->pw_name : "root";
}

int pam_fixture(struct test_db *t, char conf[PATH_MAX], char mine[APK_KEY_LEN + 1],
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
