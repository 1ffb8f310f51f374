/* main.c - make bench: what a key login and a key change cost, how they
 * grow from 1,000 to 1,000,000 keys, and where a login's time goes
 *
 *   bench --out DIR --module SO --pamdir DIR --helper APIKEYCTL
 *         --login BENCH-LOGIN --plot PLOT.GP [--smoke] [--keep]
 *         [--sizes N,N,N] [--rounds N]
 *
 * No root needed. Exit 0 when every measurement ran and every login and
 * change did what it must; 1 on any functional error (the right key
 * refused, a change failing, ...); 2 on a usage error. Each login and each
 * change logs its line to the system's log, as it would in production.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "bench.h"

const char *const login_class_name[LC_COUNT] = { "right_key", "wrong_key", "malformed_key",
						 "unknown_user" };
const char *const lookup_class_name[LK_COUNT] = { "lookup_known", "lookup_unknown" };
const char *const cli_op_name[CLI_COUNT] = { "generate", "rename", "delete", "version" };
const char *const brk_part_name[BRK_COUNT] = { "begin", "ops", "commit", "total",
					       "fsync_file", "fsync_dir" };

static void defaults(struct bench_cfg *c, int smoke)
{
	c->smoke = smoke;
	if (smoke) {
		c->nsizes = 1;
		c->sizes[0] = 1000;
		c->rounds = 40;
		c->warmup = 5;
		c->cli_reps = 3;
		c->brk_reps = 2;
		c->mem_rounds = 20;
		c->cold_reps = 10;
	} else {
		c->nsizes = 3;
		c->sizes[0] = 1000;
		c->sizes[1] = 100000;
		c->sizes[2] = 1000000;
		c->rounds = 2000;
		c->warmup = 50;
		c->cli_reps = 21;
		c->brk_reps = 11;
		c->mem_rounds = 200;
		c->cold_reps = 300;
	}
}

static int parse_sizes(const char *s, struct bench_cfg *c)
{
	unsigned long prev = 0, v;
	char *end;

	c->nsizes = 0;
	for (;;) {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (end == s || errno != 0 || v <= prev || v < BENCH_REAL_KEYS || v > 10000000ul ||
		    c->nsizes == BENCH_MAX_SIZES)
			return -1;
		c->sizes[c->nsizes++] = prev = v;
		if (*end == '\0')
			return 0;
		if (*end != ',')
			return -1;
		s = end + 1;
	}
}

static int absolute(const char *in, char *out)
{
	if (realpath(in, out) == NULL) {
		fprintf(stderr, "bench: %s: %s\n", in, strerror(errno));
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct bench_cfg *c)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },    { "module", required_argument, NULL, 'm' },
		{ "helper", required_argument, NULL, 'h' }, { "login", required_argument, NULL, 'l' },
		{ "plot", required_argument, NULL, 'p' },   { "sizes", required_argument, NULL, 's' },
		{ "rounds", required_argument, NULL, 'r' }, { "smoke", no_argument, NULL, 'S' },
		{ "keep", no_argument, NULL, 'k' },         { "pamdir", required_argument, NULL, 'd' },
		{ "baseline", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *module = NULL, *helper = NULL, *login = NULL, *plot = NULL;
	const char *pamdir = NULL, *baseline = "";
	const char *sizes = NULL, *rounds = NULL;
	int o, i, smoke = 0;
	char *end;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--smoke") == 0)
			smoke = 1;
	defaults(c, smoke);
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'o')
			out = optarg;
		else if (o == 'm')
			module = optarg;
		else if (o == 'h')
			helper = optarg;
		else if (o == 'l')
			login = optarg;
		else if (o == 'p')
			plot = optarg;
		else if (o == 's')
			sizes = optarg;
		else if (o == 'r')
			rounds = optarg;
		else if (o == 'k')
			c->keep = 1;
		else if (o == 'd')
			pamdir = optarg;
		else if (o == 'b')
			baseline = optarg;
		else if (o != 'S') /* --smoke: read above, before the defaults */
			return -1;
	}
	if (optind != argc || !out || !module || !helper || !login || !plot || !pamdir)
		return -1;
	if (sizes != NULL && parse_sizes(sizes, c) != 0)
		return -1;
	if (rounds != NULL) {
		errno = 0;
		c->rounds = strtoul(rounds, &end, 10);
		if (end == rounds || *end != '\0' || errno != 0 || c->rounds == 0 ||
		    c->rounds > 100000ul)
			return -1;
	}
	if (absolute(out, c->out) != 0 || absolute(module, c->module) != 0 ||
	    absolute(helper, c->helper) != 0 || absolute(login, c->login_bin) != 0 ||
	    absolute(plot, c->plot_script) != 0 || absolute(pamdir, c->pamdir) != 0)
		return -1;
	c->baseline[0] = '\0';
	if (baseline[0] != '\0' && absolute(baseline, c->baseline) != 0)
		return -1;
	return 0;
}

static int who(struct bench_keys *k)
{
	struct passwd *pw = getpwuid(getuid());

	memset(k, 0, sizeof(*k));
	if (pw == NULL || !apk_user_valid(pw->pw_name) ||
	    strlen(pw->pw_name) >= sizeof(k->me.name)) {
		fprintf(stderr, "bench: the current uid has no usable account name\n");
		return -1;
	}
	k->me.uid = pw->pw_uid;
	snprintf(k->me.name, sizeof(k->me.name), "%s", pw->pw_name);
	if (getpwnam(BENCH_NOUSER) != NULL) {
		fprintf(stderr, "bench: an account named %s exists: it must not\n", BENCH_NOUSER);
		return -1;
	}
	return 0;
}

static int fill_all(const struct bench_cfg *c, struct bench_keys *k, struct bench_result *res)
{
	struct filler *f = filler_new();
	struct size_result *z;
	char name[64];
	size_t i;
	int rc = f != NULL ? 0 : -1;

	for (i = 0; i < c->nsizes && rc == 0; i++) {
		z = &res->sz[i];
		z->keys = c->sizes[i];
		snprintf(name, sizeof(name), "keys-%lu", z->keys);
		if (path_join(z->db, sizeof(z->db), c->work, name) != 0 || mkdir(z->db, 0700) != 0) {
			fprintf(stderr, "bench: cannot make %s\n", name);
			rc = -1;
			break;
		}
		fprintf(stderr, "# filling %s\n", name);
		rc = i == 0 ? fill_first(z->db, z->keys, f, k, &z->fill_s)
			    : fill_more(res->sz[i - 1].db, z->db, res->sz[i - 1].keys, z->keys, f,
					&z->fill_s);
		if (rc == 0 && dir_usage(z->db, &z->files, &z->db_bytes, &z->db_alloc) != 0)
			rc = -1;
		if (rc == 0) {
			z->bytes_per_key = (double)z->db_bytes / (double)z->keys;
			fprintf(stderr, "#   %.1f s; %lld files, %lld bytes, %.1f bytes a key\n",
				z->fill_s, z->files, z->db_bytes, z->bytes_per_key);
		}
	}
	filler_free(f);
	return rc == 0 ? keys_derive(k) : rc;
}

/* Run as root, gives the databases to the helper account, when there is
 * one, as an installation has them: then each login makes the owner
 * checks a production login makes (root's own files need no lookup). The
 * smallest database is copied first and the copy kept as root's, so that
 * the logins measure both layouts in the same rounds. */
static int give_to_helper(const struct bench_cfg *c, struct bench_result *res)
{
	struct passwd *pw;
	size_t i;

	snprintf(res->owner, sizeof(res->owner), "the benchmark's own uid %lu",
		 (unsigned long)geteuid());
	res->own_db[0] = '\0';
	if (geteuid() != 0 || (pw = getpwnam(APK_HELPER_USER)) == NULL)
		return 0;
	if (path_join(res->own_db, sizeof(res->own_db), c->work, "own-layout") != 0 ||
	    mkdir(res->own_db, 0700) != 0 || dir_copy(res->sz[0].db, res->own_db) != 0) {
		fprintf(stderr, "bench: cannot copy %s for the other layout\n", res->sz[0].db);
		return -1;
	}
	for (i = 0; i < c->nsizes; i++)
		if (dir_chown(res->sz[i].db, pw->pw_uid, pw->pw_gid) != 0) {
			fprintf(stderr, "bench: cannot give %s to %s\n", res->sz[i].db,
				APK_HELPER_USER);
			return -1;
		}
	snprintf(res->owner, sizeof(res->owner), "%s, as installed", APK_HELPER_USER);
	return 0;
}

static int measure(const struct bench_cfg *c, struct bench_keys *k, struct bench_result *res)
{
	int failed = 0;

	if (fill_all(c, k, res) != 0 || give_to_helper(c, res) != 0 ||
	    logins_setup(c, k, res) != 0) {
		fprintf(stderr, "bench: FUNCTIONAL ERROR: could not set up the databases\n");
		return -1;
	}
	if (logins_measure(c, k, res) != 0 || logins_goal(c, k, res) != 0 ||
	    logins_files(c, k, res) != 0 ||
	    logins_first(c, k, res) != 0 || restricted_measure(c, k, res) != 0)
		failed = 1;
	if (cli_measure(c, res) != 0)
		failed = 1;
	if (change_measure(c, k, res) != 0)
		failed = 1;
	if (breakdown_measure(c, k, res) != 0)
		failed = 1;
	if (mirror_measure(c) != 0)
		failed = 1;
	fprintf(stderr, "# peak memory: %lu logins in each of two children\n", c->mem_rounds);
	if (logins_memory(c, k, res) != 0)
		failed = 1;
	return failed ? -1 : 0;
}

int main(int argc, char **argv)
{
	static struct bench_cfg cfg;
	static struct bench_result res;
	struct bench_keys keys;
	int failed;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* A child that dies early must not kill us through the plan's pipe;
	 * each child gets the default back before its exec. */
	signal(SIGPIPE, SIG_IGN);
	if (parse_args(argc, argv, &cfg) != 0) {
		fprintf(stderr, "usage: bench --out DIR --module SO --pamdir DIR --helper APIKEYCTL "
				"--login BENCH-LOGIN --plot PLOT.GP [--smoke] [--keep] [--baseline SO] "
				"[--sizes N,N,N] [--rounds N]\n");
		return 2;
	}
	if (who(&keys) != 0 || apk_crypto_init() != APK_OK)
		return 1;
	if (path_join(cfg.work, sizeof(cfg.work), cfg.out, "work.XXXXXX") != 0 ||
	    mkdtemp(cfg.work) == NULL) {
		fprintf(stderr, "bench: cannot make a work directory in %s\n", cfg.out);
		return 1;
	}
	fprintf(stderr, "# work directory %s\n", cfg.work);

	failed = measure(&cfg, &keys, &res) != 0;
	sodium_memzero(&keys, sizeof(keys));

	if (res.sz[0].login[LC_RIGHT].n > 0) { /* the logins ran: there is something to report */
		report_table(&cfg, &res);
		if (report_csv(&cfg, &res) != 0 || report_plot(&cfg, &res) != 0) {
			fprintf(stderr, "bench: could not write the CSV or the plot\n");
			failed = 1;
		}
	}
	if (!cfg.keep && tree_remove(cfg.work) != 0)
		failed = 1;
	if (failed)
		fprintf(stderr, "bench: FAILED: see the errors above\n");
	return failed ? 1 : 0;
}
