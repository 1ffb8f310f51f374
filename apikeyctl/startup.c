/* startup.c - the database and configuration paths, the environment, the caller */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apk_config.h"
#include "startup.h"

int startup_dbdir(int ids_changed, char *dbdir, size_t dbsz, char *err, size_t errsz)
{
	const char *env = ids_changed ? NULL : secure_getenv("APIKEY_DB");

	if (env == NULL || env[0] == '\0') {
		snprintf(dbdir, dbsz, "%s", APK_DBDIR);
		return 0;
	}
	if (env[0] != '/' || strlen(env) >= dbsz) {
		snprintf(err, errsz, "APIKEY_DB must be an absolute path shorter than %zu bytes", dbsz);
		return -1;
	}
	memcpy(dbdir, env, strlen(env) + 1);
	return 0;
}

const char *startup_policy_path(int ids_changed)
{
	const char *env = ids_changed ? NULL : secure_getenv("APIKEY_POLICY");

	if (env == NULL || env[0] == '\0')
		return APK_POLICY_PATH;
	return env[0] == '/' ? env : NULL;
}

int startup_clear_environment(char *err, size_t errsz)
{
	if (clearenv() != 0) {
		snprintf(err, errsz, "cannot clear the environment");
		return -1;
	}
	return 0;
}

int startup_account(const char *user, struct apk_account *acct)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (!apk_user_valid(user) || getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 ||
	    res == NULL || strcmp(pw.pw_name, user) != 0)
		return -1;
	acct->uid = pw.pw_uid;
	snprintf(acct->name, sizeof(acct->name), "%s", pw.pw_name);
	return 0;
}

int startup_caller(uid_t uid, struct apk_account *caller, char *err, size_t errsz)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

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
