/* apikeyctl.c - manage your API keys: start-up, who is asking, and dispatch
 *
 * Installed set-user-ID root. The order matters: make fds 0-2 valid,
 * record the caller from getuid() and give up root for the helper account
 * for good (privdrop.c), then harden the process, clear the environment,
 * and only then look at the arguments. With --fleet it gives up
 * set-user-ID for the caller's own ids instead and executes
 * apikeyctl-fleet (fleet_exec.h): this program never links libldap. */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "apk_config.h"
#include "args.h"
#include "change.h"
#include "harden.h"
#include "commands.h"
#include "conffile.h"
#include "privdrop.h"
#include "fleet_exec.h"
#include "startup.h"
#include "usage.h"

static int lookup_target(const struct apk_account *caller, const char *user,
			 struct apk_account *target)
{
	char shown[80];

	if (user == NULL || strcmp(user, caller->name) == 0) {
		*target = *caller;
		return EXIT_OK;
	}
	if (caller->uid != 0) {
		syslog(LOG_WARNING, "refused: %s (uid %u) asked for the keys of %s",
		       caller->name, (unsigned)caller->uid, apk_escape(user, shown, sizeof(shown)));
		return fail(EXIT_FAIL, "only root may manage another user's keys");
	}
	if (startup_account(user, target) != 0)
		return fail(EXIT_USAGE, "no such user: %s", apk_escape(user, shown, sizeof(shown)));
	return EXIT_OK;
}

int main(int argc, char *argv[])
{
	static char dbdir[PATH_MAX], policy_error[PATH_MAX + 512];
	const char *policy;
	struct apk_args args;
	struct session c;
	char err[512];
	uid_t caller;
	int status, ids_changed;
	bool fleet;

	memset(&c, 0, sizeof(c));
	if (reopen_closed_std_fds(&c.closed_fds) != 0)
		return EXIT_FAIL; /* stderr may be the bad one: say nothing */
	/* --fleet needs no privilege: back to the caller's own ids at once,
	 * before anything the caller controls is read; else the helper's */
	fleet = args_fleet_requested(argc, argv);
	ids_changed = fleet ? drop_to_caller(&caller, err, sizeof(err))
			    : drop_to_helper(APK_HELPER_USER, &caller, err, sizeof(err));
	if (ids_changed < 0)
		return fail(EXIT_FAIL, "%s", err);
	/* argc 0 (CVE-2021-4034) reaches us as argc 1, argv[0] "" on Linux 5.18+ */
	if (argc < 1 || argv[0] == NULL || argv[0][0] == '\0')
		return fail(EXIT_USAGE, "refused: empty argument list");
	if (apk_harden(err, sizeof(err)) != 0)
		return fail(EXIT_FAIL, "%s", err);
	/* --fleet: apikeyctl-fleet does the rest, with the caller's ids alone
	 * and nothing of this process but its arguments */
	if (fleet) {
		fleet_exec(ids_changed, c.closed_fds, argv, err, sizeof(err));
		return fail(EXIT_FAIL, "%s", err);
	}
	if (startup_dbdir(ids_changed, dbdir, sizeof(dbdir), err, sizeof(err)) != 0)
		return fail(EXIT_FAIL, "%s", err);
	/* as the database: only a build run by its own user may be pointed elsewhere */
	if ((policy = startup_policy_path(ids_changed)) == NULL)
		return fail(EXIT_FAIL, "APIKEY_POLICY must be an absolute path");
	if (apk_conf_load(policy, &c.policy, policy_error, sizeof(policy_error)) != APK_OK)
		c.policy_error = policy_error;
	if (startup_clear_environment(err, sizeof(err)) != 0)
		return fail(EXIT_FAIL, "%s", err);
	openlog("apikeyctl", LOG_PID, LOG_AUTHPRIV);
	c.dbdir = dbdir;
	if (startup_caller(caller, &c.caller, err, sizeof(err)) != 0)
		return fail(EXIT_FAIL, "%s", err);
	if (apk_crypto_init() != APK_OK)
		return fail(EXIT_FAIL, "cannot initialise libsodium");

	if (args_parse(argc, argv, &args, err, sizeof(err)) != 0)
		return fail(EXIT_USAGE, "%s", err);
	if (args.cmd == CMD_HELP) {
		usage();
		return EXIT_OK;
	}
	if (args.cmd == CMD_VERSION) {
		printf("apikeyctl (pam_apikey) %s\n", APK_VERSION);
		return EXIT_OK;
	}
	if (args.fleet) /* "--name --fleet": not the option */
		return fail(EXIT_USAGE, "--fleet may not be an option's value");
	if ((status = lookup_target(&c.caller, args.user, &c.target)) != EXIT_OK)
		return status;
	if (args.cmd == CMD_POLICY)
		return cmd_policy(&c, &args);
	/* a policy that cannot be read refuses every change; reading goes on */
	if (c.policy_error != NULL && args.cmd != CMD_LIST)
		return fail(EXIT_FAIL, "no change while the policy is unusable: %s", c.policy_error);

	switch (args.cmd) {
	case CMD_GENERATE: return cmd_generate(&c, &args);
	case CMD_LIST: return cmd_list(&c, &args);
	case CMD_RENAME: return cmd_rename(&c, &args);
	case CMD_DESCRIBE: return cmd_describe(&c, &args);
	case CMD_DELETE: return cmd_delete(&c, &args);
	case CMD_EDIT: return cmd_edit(&c, &args);
	case CMD_DISABLE: return cmd_disable(&c, &args);
	case CMD_ENABLE: return cmd_enable(&c, &args);
	case CMD_ROTATE: return cmd_rotate(&c, &args);
	default: return fail(EXIT_USAGE, "no command given (try 'apikeyctl --help')");
	}
}
