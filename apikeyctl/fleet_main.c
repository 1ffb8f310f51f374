/* fleet_main.c - apikeyctl-fleet: the --fleet commands, as the caller
 *
 * Not set-user-ID: `apikeyctl --fleet ...` gives up set-user-ID for the
 * caller's own ids and executes this program (fleet_exec.h), which alone
 * links libldap (common/fleet_ldap.c). It binds to the directory as the
 * caller; the directory's access rules decide what they may do. Should it
 * ever start with ids other than the caller's, it gives them up first, as
 * apikeyctl does. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "apk_config.h"
#include "args.h"
#include "change.h"
#include "commands.h"
#include "conffile.h"
#include "harden.h"
#include "privdrop.h"
#include "startup.h"
#include "usage.h"

int main(int argc, char *argv[])
{
	static char policy_error[PATH_MAX + 512];
	const char *policy;
	struct apk_args args;
	struct session c;
	char err[512];
	uid_t caller;
	int ids_changed;

	memset(&c, 0, sizeof(c));
	if (reopen_closed_std_fds(&c.closed_fds) != 0)
		return EXIT_FAIL; /* stderr may be the bad one: say nothing */
	if ((ids_changed = drop_to_caller(&caller, err, sizeof(err))) < 0)
		return fail(EXIT_FAIL, "%s", err);
	if (argc < 1 || argv[0] == NULL || argv[0][0] == '\0')
		return fail(EXIT_USAGE, "refused: empty argument list");
	if (apk_harden(err, sizeof(err)) != 0)
		return fail(EXIT_FAIL, "%s", err);
	if ((policy = startup_policy_path(ids_changed)) == NULL)
		return fail(EXIT_FAIL, "APIKEY_POLICY must be an absolute path");
	if (apk_conf_load(policy, &c.policy, policy_error, sizeof(policy_error)) != APK_OK)
		c.policy_error = policy_error;
	openlog("apikeyctl", LOG_PID, LOG_AUTHPRIV);
	c.dbdir = APK_DBDIR; /* not opened: the keys are the directory's */
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
	if (!args.fleet)
		return fail(EXIT_USAGE, "apikeyctl-fleet runs only --fleet commands "
			    "(apikeyctl --fleet COMMAND)");
	/* --user NAME: any caller may ask; the directory's rules decide */
	c.target = c.caller;
	if (args.user != NULL && strcmp(args.user, c.caller.name) != 0 &&
	    startup_account(args.user, &c.target) != 0)
		return fail(EXIT_USAGE, "no such user: %s",
			    apk_escape(args.user, err, sizeof(err)));
	return cmd_fleet(&c, &args);
}
