/* apikeyd.c - the pam_apikey daemon: start-up order and dispatch
 *
 * Today it is the local verification service: a process that may not read
 * the key database (a web server's worker, as www-data) and is in the group
 * APK_VERIFY_GROUP asks it, over a Unix socket, whether a key logs a user
 * in; it answers yes or no, and nothing else (doc/SECURITY.md, "Non-root
 * callers"). The order: valid fds 0-2, the process hardened (no core
 * dumps), the options, the configuration, the socket made while still
 * root, root given up for the helper account for good (privdrop.c), the
 * database checked, then (unless --foreground) the terminal left. SIGHUP
 * rereads the configuration (settings.c); SIGTERM and SIGINT stop it. */
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "apk_config.h"
#include "conffile.h"
#include "daemon.h"
#include "handler.h"
#include "harden.h"
#include "listener.h"
#include "options.h"
#include "peer.h"
#include "privdrop.h"
#include "safefile.h"
#include "server.h"
#include "settings.h"
#include "sync.h"
#include "syncproc.h"
#include "verify_client.h"

static void usage(void)
{
	printf("Usage: apikeyd [--config FILE] [--db DIR] [--socket PATH] [--foreground] [--once]\n"
	       "       apikeyd --status [--db DIR] [--socket PATH]\n"
	       "Answers processes of the group %s (web servers and the like) whether\n"
	       "an API key logs a user in, for the pam_apikey module when it cannot read the\n"
	       "key database itself; with fleet_uri set, keeps this host's mirror of the\n"
	       "directory's keys.\n\n"
	       "  --config FILE   the configuration (default %s)\n"
	       "  --db DIR        the key database (default %s)\n"
	       "  --socket PATH   the socket (default: %s/verify.sock for the default\n"
	       "                  database, %s/verify-HASH.sock for another)\n"
	       "  --foreground    stay in the foreground, log to stderr too\n"
	       "  --once          serve one connection, then exit; with fleet_uri set:\n"
	       "                  refresh the directory's mirror once, then exit\n"
	       "  --status        ask the running daemon for its figures\n"
	       "  -h, --help      show this help\n"
	       "  -V, --version   show the version\n\n"
	       "Exit status: 0 success, 1 failure, 2 usage error, 3 (--status) not running.\n"
	       "See apikeyd(8).\n",
	       APK_VERIFY_GROUP, APK_POLICY_PATH, APK_DBDIR, APK_RUNDIR, APK_RUNDIR);
}

/* Set once the log is open: with --foreground it copies lines to stderr. */
static bool log_open, log_copies_to_stderr;

/* One line on stderr and in the log (once each), then the exit status. */
static int fail(int code, const char *what)
{
	if (!log_copies_to_stderr)
		fprintf(stderr, "apikeyd: %s\n", what);
	if (log_open)
		syslog(LOG_ERR, "%s", what);
	return code;
}

static int status(const struct apikeyd_options *o)
{
	unsigned char req[APK_VP_HEADER];
	struct apk_vp_answer a;
	char why[256];

	apk_vp_encode_status(req);
	if (apk_verify_ask(o->socket, APK_VP_STATUS, req, sizeof(req), APK_VERIFY_TIMEOUT_MS, &a,
			   why, sizeof(why)) != APK_OK) {
		fprintf(stderr, "apikeyd: no answer on %s: %s\n", o->socket, why);
		return EXIT_NOT_RUNNING;
	}
	if (a.status == APK_VP_PEER_REFUSED) {
		fprintf(stderr, "apikeyd: %s: only root, %s and the group %s may ask\n", o->socket,
			APK_HELPER_USER, APK_VERIFY_GROUP);
		return EXIT_FAIL;
	}
	fputs(a.text, stdout);
	return a.status == APK_VP_ANSWERED ? EXIT_OK : EXIT_FAIL;
}

/* The helper account's uid (owner of the socket and its directory) and
 * the verify group's gid; as root both must exist. Not root: the socket
 * is the process's own, and without the group only root and this account
 * may ask. */
static int accounts(uid_t *owner, gid_t *group, char *err, size_t errsz)
{
	struct passwd pw, *pres = NULL;
	struct group gr, *gres = NULL;
	char buf[4096];

	*owner = geteuid();
	*group = PEER_NO_GROUP;
	if (getgrnam_r(APK_VERIFY_GROUP, &gr, buf, sizeof(buf), &gres) == 0 && gres != NULL)
		*group = gr.gr_gid;
	if (geteuid() != 0)
		return 0;
	if (*group == PEER_NO_GROUP || *group == 0) {
		snprintf(err, errsz, "no group %s (make install and the package create it)",
			 APK_VERIFY_GROUP);
		return -1;
	}
	if (getpwnam_r(APK_HELPER_USER, &pw, buf, sizeof(buf), &pres) != 0 || pres == NULL ||
	    pw.pw_uid == 0) {
		snprintf(err, errsz, "no helper account %s", APK_HELPER_USER);
		return -1;
	}
	*owner = pw.pw_uid;
	return 0;
}

/* ---- the directory's mirror ----------------------------------------------
 *
 * The sync runs in a child process of its own, forked once the daemon is
 * the helper account (both processes are pam-apikey, never root): the
 * verify service is never blocked by the network (a directory that hangs
 * mid-answer, a reconnect's backoff), and parsing what the directory sends
 * happens in a process that shares no memory with the answers to callers
 * -- a fault there can neither read a key being verified nor change an
 * answer. The two share only the few numbers of struct sync_report (a
 * shared mapping the child writes and the service reads for --status). The
 * child dies with its parent (PR_SET_PDEATHSIG); if it dies alone, the
 * service logs it and starts another after a growing delay (syncproc.h);
 * meanwhile the mirror is not refreshed and goes stale after
 * fleet_max_stale (fails closed). doc/SECURITY.md, "The directory's mirror". */
static int64_t sync_tick(void *arg)
{
	return syncproc_tick(arg);
}

/* Whether this process (the helper account now) may open path: then each
 * sync process reads the host's password itself and the service keeps no
 * copy. */
static bool readable_now(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* --once with fleet_uri: one refresh of the mirror, then the exit status. */
static int sync_one(const struct apk_conf *conf, const struct sync_secret *sec, const char *db)
{
	struct sync_report rep;
	char err[PATH_MAX + 512];

	memset(&rep, 0, sizeof(rep));
	if (geteuid() == 0 && become_account(APK_HELPER_USER, getuid(), err, sizeof(err)) != 0)
		return fail(EXIT_FAIL, err);
	if (sync_once(conf, sec, db, &rep, err, sizeof(err)) != 0)
		return fail(EXIT_FAIL, err);
	return EXIT_OK;
}

int main(int argc, char *argv[])
{
	struct apikeyd_options o;
	struct counters count;
	struct handler h = { 0 };
	struct settings_reload reload;
	static struct apk_conf conf;
	static struct sync_secret secret;
	static struct syncproc sp;
	struct server_hooks hooks = { settings_reload, NULL, NULL, NULL };
	struct sync_report *rep = NULL;
	char err[PATH_MAX + 512];
	uid_t owner;
	gid_t group;
	int closed, lfd, dirfd, rc;

	if (reopen_closed_std_fds(&closed) != 0)
		return EXIT_FAIL;
	if (apk_harden(err, sizeof(err)) != 0)
		return fail(EXIT_FAIL, err);
	if (apikeyd_options_parse(argc, argv, &o, err, sizeof(err)) != 0) {
		fprintf(stderr, "apikeyd: %s\nTry 'apikeyd --help'.\n", err);
		return EXIT_USAGE;
	}
	if (o.help || o.version) {
		if (o.help)
			usage();
		else
			printf("apikeyd %s\n", APK_VERSION);
		return EXIT_OK;
	}
	if (sodium_init() < 0)
		return fail(EXIT_FAIL, "libsodium failed to initialise");
	if (o.status)
		return status(&o);
	openlog("apikeyd", LOG_PID | (o.foreground ? LOG_PERROR : 0), LOG_AUTHPRIV);
	log_open = true;
	log_copies_to_stderr = o.foreground;
	if (settings_apply(o.config, &h, err, sizeof(err)) != 0 ||
	    apk_conf_load(o.config, &conf, err, sizeof(err)) != APK_OK)
		return fail(EXIT_FAIL, err);
	/* the host's password: read once, while still root */
	if (conf.fleet_uri[0] != '\0' && sync_secret_read(&conf, &secret, err, sizeof(err)) != 0)
		return fail(EXIT_FAIL, err);
	if (o.once && conf.fleet_uri[0] != '\0') {
		rc = sync_one(&conf, &secret, o.db);
		sync_secret_wipe(&secret);
		return rc;
	}
	if (accounts(&owner, &group, err, sizeof(err)) != 0)
		return fail(EXIT_FAIL, err);
	if ((lfd = listener_open(o.socket, owner, group, err, sizeof(err))) < 0)
		return fail(EXIT_FAIL, err);
	if (geteuid() == 0 && become_account(APK_HELPER_USER, getuid(), err, sizeof(err)) != 0) {
		unlink(o.socket);
		return fail(EXIT_FAIL, err);
	}
	if (apk_safe_open_dir(o.db, &dirfd) != APK_OK) {
		snprintf(err, sizeof(err), "cannot open the key database %s as %s", o.db,
			 geteuid() == owner ? "its owner" : "this account");
		unlink(o.socket);
		return fail(EXIT_FAIL, err);
	}
	close(dirfd);
	if (!o.foreground && daemon_detach(err, sizeof(err)) != 0) {
		unlink(o.socket);
		return fail(EXIT_FAIL, err);
	}
	memset(&count, 0, sizeof(count));
	count.started = time(NULL);
	h.db = o.db;
	h.socket = o.socket;
	h.count = &count;
	reload = (struct settings_reload){ o.config, &h };
	if (group == PEER_NO_GROUP)
		syslog(LOG_WARNING, "no group %s: only root and this account may ask", APK_VERIFY_GROUP);
	syslog(LOG_INFO, "serving %s on %s (users with uids %u-%u)", o.db, o.socket,
	       h.uid_min, h.uid_max);
	if (conf.fleet_uri[0] != '\0') {
		rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			   -1, 0);
		if (rep == MAP_FAILED) {
			unlink(o.socket);
			return fail(EXIT_FAIL, "cannot map the sync report");
		}
		memset(rep, 0, sizeof(*rep));
		h.sync = rep;
		/* the password: each sync process reads it when this account
		 * may; kept here only for a file root alone may read, for the
		 * processes started after a death (doc/SECURITY.md) */
		if (secret.len > 0 && readable_now(conf.fleet_bind_password_file))
			sync_secret_wipe(&secret);
		sp.conf = &conf;
		sp.db = o.db;
		sp.rep = rep;
		sp.secret = &secret;
		sp.log_options = LOG_PID | (o.foreground ? LOG_PERROR : 0);
		if (syncproc_start(&sp) < 0) {
			unlink(o.socket);
			return fail(EXIT_FAIL, "cannot fork the sync process");
		}
		h.proc = &sp;
		hooks.tick = sync_tick;
		hooks.tick_arg = &sp;
		syslog(LOG_INFO, "mirroring %s from %s (sync process %ld)", o.db, conf.fleet_uri,
		       (long)sp.pid);
	}
	hooks.reload_arg = &reload;
	rc = server_run(lfd, &h, geteuid(), group, o.once, &hooks);
	close(lfd);
	unlink(o.socket);
	if (h.proc != NULL)
		syncproc_stop(&sp);
	sync_secret_wipe(&secret);
	syslog(LOG_INFO, "stopped: %llu answered, %llu accepted, %llu refused peers",
	       (unsigned long long)count.answered, (unsigned long long)count.accepted,
	       (unsigned long long)count.refused_peers);
	return rc == 0 ? EXIT_OK : EXIT_FAIL;
}
