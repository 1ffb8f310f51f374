/* report.c - the table on stdout, bench.csv, and bench.png through gnuplot */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define CSV_NAME "bench.csv"
#define DAT_NAME "bench-plot.dat"
#define PNG_NAME "bench.png"

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static void pass_row(const char *what, const struct login_pass *p)
{
	int k;

	printf("%-20s  %7.1f (%7.1f)  %7.1f (%7.1f) %5.2fx ", what, p->permit.median_us,
	       p->permit.p90_us, p->userdb.median_us, p->userdb.p90_us,
	       ratio(p->userdb.median_us, p->permit.median_us));
	for (k = 0; k < LC_COUNT; k++)
		printf("  %7.1f (%7.1f) %5.2fx ", p->login[k].median_us, p->login[k].p90_us,
		       ratio(p->login[k].median_us, p->permit.median_us));
	printf("\n");
}

static void lookup_row(const char *what, const struct stats *lk)
{
	printf("  %-20s  known %.1f (%.1f), unknown %.1f (%.1f): a missing name costs %+.1f us\n",
	       what, lk[LK_KNOWN].median_us, lk[LK_KNOWN].p90_us, lk[LK_UNKNOWN].median_us,
	       lk[LK_UNKNOWN].p90_us, lk[LK_UNKNOWN].median_us - lk[LK_KNOWN].median_us);
}

/* The variants at the largest size: names from /etc/passwd only, and
 * the first login of a fresh process. */
static void report_pass_table(const struct bench_cfg *c, const struct bench_result *res)
{
	int k;

	printf("\nThe module's name lookup alone (getpwnam_r, same rounds), median (p90) us:\n");
	lookup_row("this system's NSS:", res->lookup);
	lookup_row("passwd: files only:", res->files.lookup);

	printf("\nAt %lu keys, two more kinds of run; median (p90) us, ratio to that run's "
	       "pam_permit:\n- passwd: files only: the rounds above again, in a process told by "
	       "glibc's\n  __nss_configure_lookup to read names from /etc/passwd alone;\n"
	       "- first login: each login the first of a fresh process (%lu each, interleaved) with "
	       "nothing\n  preloaded, that has looked the name up already, as sshd has: it loads the "
	       "module,\n  libsodium and libgdbm, as each sshd connection does.\n\n",
	       res->sz[c->nsizes - 1].keys, c->cold_reps);
	printf("%-20s  %-17s  %-24s", "run", "pam_permit", "pam_userdb");
	for (k = 0; k < LC_COUNT; k++)
		printf("  %-24s", login_class_name[k]);
	printf("\n");
	pass_row("passwd: files only", &res->files);
	pass_row("first login", &res->first);
}

/* The first line of the report: the right key against pam_permit, both
 * loaded already, and the first login of a fresh process beside it. */
static void report_headline(const struct bench_cfg *c, const struct bench_result *res)
{
	const struct size_result *big = &res->sz[c->nsizes - 1];
	const struct login_pass *f = &res->first;

	printf("\nHeadline at %lu keys: a right-key login, pam_start_confdir + pam_authenticate + "
	       "pam_end, median\n  modules loaded (a server's logins one after another): "
	       "pam_apikey %.1f us, pam_permit %.1f us: %.2fx\n  first login of a fresh process "
	       "(each sshd connection): pam_apikey %.1f us, pam_permit %.1f us: %.2fx\n",
	       big->keys, big->login[LC_RIGHT].median_us, res->permit.median_us,
	       ratio(big->login[LC_RIGHT].median_us, res->permit.median_us),
	       f->login[LC_RIGHT].median_us, f->permit.median_us,
	       ratio(f->login[LC_RIGHT].median_us, f->permit.median_us));
	printf("  the databases are owned by %s\n", res->owner);
	printf("  the goal, pam_permit and this right key alone in %lu interleaved rounds, both "
	       "preloaded:\n    pam_apikey %.1f us, pam_permit %.1f us: %.2fx - %s (at most %.1fx)\n",
	       c->rounds, res->goal_right.median_us, res->goal_permit.median_us,
	       ratio(res->goal_right.median_us, res->goal_permit.median_us),
	       ratio(res->goal_right.median_us, res->goal_permit.median_us) <= BENCH_GOAL_RATIO
		       ? "MET" : "NOT MET", BENCH_GOAL_RATIO);
	if (res->goal_own.n > 0)
		printf("    in the same rounds, %lu keys owned by the benchmark's own uid: %.1f us, "
		       "%.2fx\n", res->sz[0].keys, res->goal_own.median_us,
		       ratio(res->goal_own.median_us, res->goal_permit.median_us));
	if (res->goal_base.n > 0)
		printf("    in the same rounds, the same key through --baseline's module (%s): "
		       "%.1f us, %.2fx;\n    this build's module against it: %+.1f us a login\n",
		       c->baseline, res->goal_base.median_us,
		       ratio(res->goal_base.median_us, res->goal_permit.median_us),
		       res->goal_right.median_us - res->goal_base.median_us);
	if (res->own.n > 0)
		printf("  the other layout, at %lu keys: owned by %s, pam_apikey %.1f us: %.2fx "
		       "(owned by %s: %.1f us, %.2fx)\n", res->sz[0].keys, "the benchmark's own uid",
		       res->own.median_us, ratio(res->own.median_us, res->permit.median_us),
		       APK_HELPER_USER, res->sz[0].login[LC_RIGHT].median_us,
		       ratio(res->sz[0].login[LC_RIGHT].median_us, res->permit.median_us));
	else
		printf("  the installed layout (databases owned by %s) was not measured: it needs "
		       "root and the account %s\n", APK_HELPER_USER, APK_HELPER_USER);
}

/* The breakdown's lines: depth, the step (or REST: what the whole above
 * it leaves once the steps one level below are taken away), what it is.
 * Depth 0 is the module's share of a login, measured in the login rounds. */
#define REST (-1)
static const struct {
	int depth, part;
	const char *what;
} breakdown_rows[] = {
	{ 1, LP_MODULE, "module: pam_sm_authenticate, called directly" },
	{ 2, LP_VERIFY, "verify: apk_verify_set whole" },
	{ 3, LP_PARSE, "parse: format and checksum" },
	{ 3, LP_USER, "user: getpwnam_r of the user" },
	{ 3, LP_FETCH, "fetch: apk_store_fetch whole" },
	{ 4, LP_DIR, "directory: open, fstat, owner" },
	{ 5, LP_HELPER, "of which: is the owner the helper account?" },
	{ 4, LP_FILE, "file: open, fstat, owner" },
	{ 4, LP_PROBE, "probe: the equal-work failed open" },
	{ 4, LP_GDBM_OPEN, "gdbm open: header and directory" },
	{ 4, LP_META, "meta: gdbm_fetch of the header" },
	{ 4, LP_RECORD, "record: gdbm_fetch of the key" },
	{ 4, REST, "[decoding, checks, closes]" },
	{ 3, LP_MIRROR, "mirror: DIR/fleet, its state, the fetch" },
	{ 3, LP_DIGEST, "digest: BLAKE2b of the secret" },
	{ 3, REST, "[comparison, wipes]" },
	{ 2, LP_PERMIT, "permit: apk_keyset_check of the record" },
	{ 2, LP_LOG, "log line: pam_syslog to /dev/log" },
	{ 2, LP_LASTUSED, "last use: apk_lastused_record_at whole" },
	{ 3, LP_LU_FILE, "file: open, fstat, header" },
	{ 3, LP_LU_FIND, "find: the key's slot (own pread here)" },
	{ 3, LP_LU_WRITE, "write: one pwrite of the slot" },
	{ 3, REST, "[checks, close]" },
	{ 2, LP_EXPORT, "export: PAM_APIKEY_ID and _NAME" },
	{ 2, LP_OPTIONS, "options: the module's arguments" },
	{ 2, LP_CRYPTO, "crypto: libsodium's initialisation" },
	{ 2, LP_PROMPT, "prompt: pam_prompt, the answer wiped" },
	{ 2, LP_ITEMS, "items: user, service, host, time" },
	{ 2, LP_ESCAPE, "escape: user, service, host" },
	{ 2, REST, "[the module between its steps]" },
	{ 1, REST, "[libpam around the module, beyond pam_permit]" },
};
#define N_ROWS (sizeof(breakdown_rows) / sizeof(breakdown_rows[0]))

/* Row i's figure: its step's median, or for a REST row its parent's (the
 * nearest row above one level up; the share at depth 0) minus the steps
 * between them at its own depth. */
static double row_value(const struct stats *p, double share, size_t i)
{
	int d = breakdown_rows[i].depth;
	double left = share;
	size_t j = i;

	if (breakdown_rows[i].part != REST)
		return p[breakdown_rows[i].part].median_us;
	while (j-- > 0 && breakdown_rows[j].depth >= d)
		if (breakdown_rows[j].depth == d && breakdown_rows[j].part != REST)
			left -= p[breakdown_rows[j].part].median_us;
	if (j < N_ROWS) /* a parent row was found */
		left += p[breakdown_rows[j].part].median_us - share;
	return left;
}

/* Where the module's share of a login goes: the steps alone, and what is
 * left of each whole once its steps are taken away. */
static void report_breakdown(const struct bench_cfg *c, const struct bench_result *res)
{
	const struct size_result *big = &res->sz[c->nsizes - 1];
	const struct stats *p = res->part;
	double share = res->goal_right.median_us - res->goal_permit.median_us;
	size_t i;
	int d, part;

	printf("\nWhere a login's time goes at %lu keys (each step alone in one process, %lu "
	       "rounds in random\norder; median (p90) us; a line in brackets is a whole minus its "
	       "steps; the share from the\ngoal's rounds above):\n\n%-50s %7.1f\n", big->keys,
	       c->rounds, "the module's share: right key - pam_permit", share);
	for (i = 0; i < N_ROWS; i++) {
		d = breakdown_rows[i].depth;
		part = breakdown_rows[i].part;
		printf("%*s%-*s %7.1f", 2 * d, "", 50 - 2 * d, breakdown_rows[i].what,
		       row_value(p, share, i));
		if (part != REST)
			printf(" (%7.1f)", p[part].p90_us);
		printf("\n");
	}
	printf("\nThe same logins in this process, among the steps: right key %.1f (%.1f), pam_permit "
	       "%.1f (%.1f);\ntheir difference, the module's share here: %.1f us (the module called "
	       "directly: %.1f)\n", p[LP_LOGIN].median_us, p[LP_LOGIN].p90_us,
	       p[LP_LOGIN_PERMIT].median_us, p[LP_LOGIN_PERMIT].p90_us,
	       p[LP_LOGIN].median_us - p[LP_LOGIN_PERMIT].median_us, p[LP_MODULE].median_us);
	/* what gdbm costs: the decision for a one-read format rests on this */
	double via_gdbm = p[LP_FILE].median_us + p[LP_GDBM_OPEN].median_us +
			  p[LP_META].median_us + p[LP_RECORD].median_us;
	printf("\nThe account's file through gdbm (file, gdbm open, meta, record): %.1f us; the "
	       "same file\nopened, checked and read whole with one pread: %.1f (%.1f) us. A "
	       "format read in one call\nwould save about %.1f us, %.0f%% of the module's share.\n",
	       via_gdbm, p[LP_ONE_READ].median_us, p[LP_ONE_READ].p90_us,
	       via_gdbm - p[LP_ONE_READ].median_us,
	       share > 0 ? 100.0 * (via_gdbm - p[LP_ONE_READ].median_us) / share : 0.0);
}

void report_table(const struct bench_cfg *c, const struct bench_result *res)
{
	const struct size_result *z;
	size_t i;
	int k;

	printf("\npam_apikey benchmark (%s run)\n", c->smoke ? "smoke" : "full");
	report_headline(c, res);
	printf("\nLogins with pam_apikey, pam_permit and pam_userdb loaded before the first "
	       "(bench-login -p);\nmodule with nodelay; median (p90) in microseconds over %lu "
	       "interleaved rounds;\nratio = median / pam_permit's median.\n\n", c->rounds);
	printf("pam_permit: %.1f (%.1f) us; for reference, pam_userdb (Berkeley DB, plain "
	       "password): %.1f (%.1f) us %.2fx\n\n", res->permit.median_us, res->permit.p90_us,
	       res->userdb.median_us, res->userdb.p90_us,
	       ratio(res->userdb.median_us, res->permit.median_us));
	printf("%10s", "keys");
	for (k = 0; k < LC_COUNT; k++)
		printf("  %-24s", login_class_name[k]);
	printf("\n");
	for (i = 0; i < c->nsizes; i++) {
		z = &res->sz[i];
		printf("%10lu", z->keys);
		for (k = 0; k < LC_COUNT; k++)
			printf("  %7.1f (%7.1f) %5.2fx ", z->login[k].median_us, z->login[k].p90_us,
			       ratio(z->login[k].median_us, res->permit.median_us));
		printf("\n");
	}
	z = &res->sz[c->nsizes - 1];
	printf("Growth: a right key at %lu keys costs %.2fx what it costs at %lu; a wrong key "
	       "%.2fx a right one.\n", z->keys,
	       ratio(z->login[LC_RIGHT].median_us, res->sz[0].login[LC_RIGHT].median_us),
	       res->sz[0].keys, ratio(z->login[LC_WRONG].median_us, z->login[LC_RIGHT].median_us));
	report_breakdown(c, res);
	report_pass_table(c, res);

	printf("\napikeyctl as a whole process (fork, exec, change with its fsyncs, exit), on an "
	       "account with %d keys\n(the change rewrites its file): median (p90) of %u, ms\n\n",
	       BENCH_REAL_KEYS, c->cli_reps);
	printf("%10s  %-17s  %-17s  %-17s  %-17s\n", "keys", "generate", "rename", "delete",
	       "--version (no change)");
	for (i = 0; i < c->nsizes; i++) {
		z = &res->sz[i];
		printf("%10lu", z->keys);
		for (k = 0; k < CLI_COUNT; k++)
			printf("  %7.2f (%7.2f)", z->cli[k].median_us / 1e3, z->cli[k].p90_us / 1e3);
		printf("\n");
	}

	printf("\nWhere a change's time goes (in process, store API, same account; median of %u "
	       "generate + %u delete\nchanges, ms): begin = lock + open and decode the account's "
	       "file, ops = keyring operation in\nmemory, commit = write a new file (gdbm syncs it as it closes) + "
	       "rename + fsync of the directory;\nalone, in the same directory: fsync of "
	       "a fresh copy of the account's file, rename + fsync of\nthe directory.\n\n",
	       c->brk_reps, c->brk_reps);
	printf("%10s", "keys");
	for (k = 0; k < BRK_COUNT; k++)
		printf("  %10s", brk_part_name[k]);
	printf("\n");
	for (i = 0; i < c->nsizes; i++) {
		z = &res->sz[i];
		printf("%10lu", z->keys);
		for (k = 0; k < BRK_COUNT; k++)
			printf("  %10.2f", z->brk[k].median_us / 1e3);
		printf("\n");
	}

	printf("\nThe database after filling (a directory, a file per account; owned by %s):\n\n",
	       res->owner);
	printf("%10s  %8s  %12s  %9s  %12s  %9s  %8s\n", "keys", "files", "bytes", "bytes/key",
	       "allocated", "alloc/key", "fill s");
	for (i = 0; i < c->nsizes; i++) {
		z = &res->sz[i];
		printf("%10lu  %8lld  %12lld  %9.1f  %12lld  %9.1f  %8.1f\n", z->keys, z->files,
		       z->db_bytes, z->bytes_per_key, z->db_alloc, (double)z->db_alloc / (double)z->keys,
		       z->fill_s);
	}
	printf("\nPeak memory (VmHWM of a child doing %lu logins of one kind): pam_permit only "
	       "%ld kB; right key at %lu keys %ld kB; difference %ld kB\n", c->mem_rounds,
	       res->hwm_permit_kb, res->mem_keys, res->hwm_login_kb,
	       res->hwm_login_kb - res->hwm_permit_kb);
}

static void csv_stats(FILE *fp, const char *section, unsigned long keys, const char *measure,
		      const struct stats *s, double scale, const char *unit, double r)
{
	fprintf(fp, "%s,%lu,%s,%s,%.3f,%.3f,%zu,%.4f\n", section, keys, measure, unit,
		s->median_us / scale, s->p90_us / scale, s->n, r);
}

static void csv_pass(FILE *fp, const char *section, unsigned long keys,
		     const struct login_pass *p)
{
	int k;

	csv_stats(fp, section, 0, "pam_permit", &p->permit, 1, "us", 1);
	csv_stats(fp, section, 0, "pam_userdb", &p->userdb, 1, "us",
		  ratio(p->userdb.median_us, p->permit.median_us));
	for (k = 0; k < LC_COUNT; k++)
		csv_stats(fp, section, keys, login_class_name[k], &p->login[k], 1, "us",
			  ratio(p->login[k].median_us, p->permit.median_us));
}

int report_csv(const struct bench_cfg *c, const struct bench_result *res)
{
	const struct size_result *z;
	char path[PATH_MAX];
	FILE *fp;
	size_t i;
	int k;

	if (path_join(path, sizeof(path), c->out, CSV_NAME) != 0 || (fp = fopen(path, "w")) == NULL)
		return -1;
	fprintf(fp, "section,keys,measure,unit,median,p90,samples,ratio_to_permit\n");
	csv_stats(fp, "login", 0, "pam_permit", &res->permit, 1, "us", 1);
	csv_stats(fp, "login", 0, "pam_userdb", &res->userdb, 1, "us",
		  ratio(res->userdb.median_us, res->permit.median_us));
	for (i = 0; i < c->nsizes; i++) {
		z = &res->sz[i];
		for (k = 0; k < LC_COUNT; k++)
			csv_stats(fp, "login", z->keys, login_class_name[k], &z->login[k], 1, "us",
				  ratio(z->login[k].median_us, res->permit.median_us));
		for (k = 0; k < CLI_COUNT; k++)
			csv_stats(fp, "apikeyctl", z->keys, cli_op_name[k], &z->cli[k], 1e3, "ms", 0);
		for (k = 0; k < BRK_COUNT; k++)
			csv_stats(fp, "change", z->keys, brk_part_name[k], &z->brk[k], 1e3, "ms", 0);
		fprintf(fp, "db,%lu,files,count,%lld,%lld,1,0\n", z->keys, z->files, z->files);
		fprintf(fp, "db,%lu,bytes,bytes,%lld,%lld,1,0\n", z->keys, z->db_bytes, z->db_bytes);
		fprintf(fp, "db,%lu,allocated,bytes,%lld,%lld,1,0\n", z->keys, z->db_alloc,
			z->db_alloc);
		fprintf(fp, "db,%lu,bytes_per_key,bytes,%.1f,%.1f,1,0\n", z->keys, z->bytes_per_key,
			z->bytes_per_key);
		fprintf(fp, "db,%lu,fill,s,%.2f,%.2f,1,0\n", z->keys, z->fill_s, z->fill_s);
	}
	for (k = 0; k < LK_COUNT; k++)
		csv_stats(fp, "lookup", 0, lookup_class_name[k], &res->lookup[k], 1, "us", 0);
	csv_stats(fp, "goal", 0, "pam_permit", &res->goal_permit, 1, "us", 1);
	csv_stats(fp, "goal", res->sz[c->nsizes - 1].keys, login_class_name[LC_RIGHT],
		  &res->goal_right, 1, "us", ratio(res->goal_right.median_us,
						   res->goal_permit.median_us));
	if (res->goal_base.n > 0)
		csv_stats(fp, "goal", res->sz[c->nsizes - 1].keys, BENCH_BASE_LABEL,
			  &res->goal_base, 1, "us", ratio(res->goal_base.median_us,
							  res->goal_permit.median_us));
	if (res->own.n > 0)
		csv_stats(fp, "login_own_layout", res->sz[0].keys, login_class_name[LC_RIGHT],
			  &res->own, 1, "us", ratio(res->own.median_us, res->permit.median_us));
	for (k = 0; k < LP_COUNT; k++)
		csv_stats(fp, "login_step", res->sz[c->nsizes - 1].keys, login_part_name[k],
			  &res->part[k], 1, "us", 0);
	csv_pass(fp, "login_files_only", res->sz[c->nsizes - 1].keys, &res->files);
	for (k = 0; k < LK_COUNT; k++)
		csv_stats(fp, "lookup_files_only", 0, lookup_class_name[k], &res->files.lookup[k], 1,
			  "us", 0);
	csv_pass(fp, "login_first_of_process", res->sz[c->nsizes - 1].keys, &res->first);
	fprintf(fp, "memory,0,peak_rss_pam_permit,kB,%ld,%ld,%lu,0\n", res->hwm_permit_kb,
		res->hwm_permit_kb, c->mem_rounds);
	fprintf(fp, "memory,%lu,peak_rss_right_key,kB,%ld,%ld,%lu,0\n", res->mem_keys,
		res->hwm_login_kb, res->hwm_login_kb, c->mem_rounds);
	if (fclose(fp) != 0)
		return -1;
	printf("\nCSV: %s\n", path);
	return 0;
}

static int write_dat(const struct bench_cfg *c, const struct bench_result *res, const char *path)
{
	const struct size_result *z;
	FILE *fp = fopen(path, "w");
	size_t i;
	int k;

	if (fp == NULL)
		return -1;
	fprintf(fp, "# keys right wrong malformed unknown permit (us) generate rename delete "
		    "(ms) commit fsync_file fsync_dir (ms)\n");
	for (i = 0; i < c->nsizes; i++) {
		z = &res->sz[i];
		fprintf(fp, "%lu", z->keys);
		for (k = 0; k < LC_COUNT; k++)
			fprintf(fp, " %.3f", z->login[k].median_us);
		fprintf(fp, " %.3f", res->permit.median_us);
		for (k = 0; k < CLI_VERSION; k++)
			fprintf(fp, " %.3f", z->cli[k].median_us / 1e3);
		fprintf(fp, " %.3f %.3f %.3f\n", z->brk[BRK_COMMIT].median_us / 1e3,
			z->brk[BRK_FSYNC_FILE].median_us / 1e3, z->brk[BRK_FSYNC_DIR].median_us / 1e3);
	}
	return fclose(fp) == 0 ? 0 : -1;
}

int report_plot(const struct bench_cfg *c, const struct bench_result *res)
{
	char dat[PATH_MAX], png[PATH_MAX], expr[3 * PATH_MAX], script[PATH_MAX];
	char prog[] = "gnuplot", opt[] = "-e";
	char *argv[5];
	int status;
	pid_t pid;

	if (path_join(dat, sizeof(dat), c->out, DAT_NAME) != 0 ||
	    path_join(png, sizeof(png), c->out, PNG_NAME) != 0 || write_dat(c, res, dat) != 0)
		return -1;
	if (snprintf(expr, sizeof(expr), "datafile='%s'; outfile='%s'; title='%s run'", dat, png,
		     c->smoke ? "smoke" : "full") >= (int)sizeof(expr) ||
	    strchr(c->out, '\'') != NULL)
		return -1;
	snprintf(script, sizeof(script), "%s", c->plot_script);
	argv[0] = prog;
	argv[1] = opt;
	argv[2] = expr;
	argv[3] = script;
	argv[4] = NULL;
	unlink(png); /* a stale plot must not pass for this run's */
	fflush(NULL);
	if ((pid = fork()) == 0) {
		signal(SIGPIPE, SIG_DFL);
		execvp(prog, argv);
		fprintf(stderr, "bench: cannot run gnuplot (package gnuplot-nox): %s\n",
			strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		return -1;
	if (child_wait(pid, &status) != 0)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || access(png, R_OK) != 0) {
		fprintf(stderr, "bench: gnuplot did not write %s\n", png);
		return -1;
	}
	printf("Plot: %s\n", png);
	return 0;
}
