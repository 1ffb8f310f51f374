/* options.c - parsing apikeyd's command line */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "apk_config.h"
#include "options.h"
#include "validate.h"
#include "verify_client.h"

/* An absolute path into out (outsz bytes), given at most once. */
static int take_path(const char *opt, const char *arg, bool *seen, char *out, size_t outsz,
		     char *err, size_t errsz)
{
	char shown[128];

	if (*seen) {
		snprintf(err, errsz, "%s given twice", opt);
		return -1;
	}
	*seen = true;
	if (arg[0] != '/' || strlen(arg) >= outsz) {
		snprintf(err, errsz, "%s must be an absolute path shorter than %zu bytes: %s", opt,
			 outsz, apk_escape(arg, shown, sizeof(shown)));
		return -1;
	}
	memcpy(out, arg, strlen(arg) + 1);
	return 0;
}

int apikeyd_options_parse(int argc, char *argv[], struct apikeyd_options *o, char *err,
			  size_t errsz)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "socket", required_argument, NULL, 's' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "once", no_argument, NULL, '1' },
		{ "status", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	bool seen_config = false, seen_db = false, seen_socket = false;
	char shown[128];
	int c, r = 0;

	memset(o, 0, sizeof(*o));
	snprintf(o->config, sizeof(o->config), "%s", APK_POLICY_PATH);
	snprintf(o->db, sizeof(o->db), "%s", APK_DBDIR);
	opterr = 0;
	optind = 1;
	while (r == 0 && (c = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			r = take_path("--config", optarg, &seen_config, o->config,
				      sizeof(o->config), err, errsz);
			break;
		case 'd':
			r = take_path("--db", optarg, &seen_db, o->db, sizeof(o->db), err, errsz);
			break;
		case 's':
			r = take_path("--socket", optarg, &seen_socket, o->socket,
				      sizeof(o->socket), err, errsz);
			break;
		case 'f': o->foreground = true; break;
		case '1': o->once = true; break;
		case 'S': o->status = true; break;
		case 'h': o->help = true; break;
		case 'V': o->version = true; break;
		default:
			snprintf(err, errsz, "unknown or incomplete option: %s",
				 apk_escape(argv[optind - 1], shown, sizeof(shown)));
			r = -1;
		}
	}
	if (r == 0 && optind < argc) {
		snprintf(err, errsz, "unexpected argument: %s",
			 apk_escape(argv[optind], shown, sizeof(shown)));
		r = -1;
	}
	if (r == 0 && o->status && (o->once || o->foreground)) {
		snprintf(err, errsz, "--status asks a running daemon; it takes no --once or --foreground");
		r = -1;
	}
	if (r == 0 && !seen_socket &&
	    apk_verify_socket_path(o->db, o->socket, sizeof(o->socket)) != APK_OK) {
		snprintf(err, errsz, "no socket path for this --db: give --socket");
		r = -1;
	}
	return r;
}
