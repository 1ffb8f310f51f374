/* logins.c - whole PAM logins, timed by bench-login in a child process
 *
 * bench-login links only libpam; this process has libsodium and libgdbm
 * loaded already. Every class at every size, pam_permit and pam_userdb run
 * in rounds in one child, so noise on the machine hits them alike; the same child
 * times the module's name lookup alone (getpwnam_r), for the known and the
 * unknown name. In these rounds all three modules are loaded once before the
 * first login (bench-login -p): pam_apikey is linked -z nodelete and stays
 * loaded, and libpam would otherwise load and unload pam_permit and
 * pam_userdb at every login, so like is compared with like. Three more
 * kinds of run, at the largest size:
 * - files: the same cells again in a child told to read names from
 *   /etc/passwd only, so that what the system's NSS modules add for a
 *   missing name (on Debian 12, systemd's userdb probes) shows apart from
 *   the module's own work;
 * - first: each login the first of a fresh child with nothing preloaded,
 *   which loads the module, libsodium and libgdbm, as each sshd connection
 *   does (sshd re-executes itself per connection);
 * - memory: one child doing only successful logins against the largest
 *   database, one doing only pam_permit; each reports its VmHWM, the peak
 *   resident size since its exec (wait4's ru_maxrss would also count the
 *   pages it shared with this process between fork and exec).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <security/pam_appl.h>
#include <sodium.h>

#include "../tests/lib/write_all.h"
#include "bench.h"

#define PLAN_MAX 8192
#define OUT_MAX 8192
#define PERMIT_SERVICE "permit"
/* A second reference beside pam_permit, a module that also looks a user's
 * secret up in a database file: pam_userdb, a Berkeley DB of plain
 * passwords, written by db5.3_load (package db5.3-util). The password is the
 * benchmark's own, in a file of its work directory. */
#define USERDB_SERVICE "userdb"
#define USERDB_LOAD "db5.3_load"
#define USERDB_PASSWORD "apkbench-userdb-password"
#define RUN_FILES 1
#define RUN_PRELOAD 2

static const int class_expect[LC_COUNT] = { PAM_SUCCESS, PAM_AUTH_ERR, PAM_AUTH_ERR,
					    PAM_USER_UNKNOWN };

static int confdir(const struct bench_cfg *c, char *out, size_t outsz)
{
	return path_join(out, outsz, c->work, "pam.d");
}

/* A module of libpam's directory by its path, as the service files and
 * bench-login -p name it. */
static int pam_module(const struct bench_cfg *c, const char *name, char *out, size_t outsz)
{
	return path_join(out, outsz, c->pamdir, name);
}

static int write_service(const char *dir, const char *name, const char *line)
{
	char path[PATH_MAX];
	FILE *fp;
	int rc;

	if (path_join(path, sizeof(path), dir, name) != 0 || (fp = fopen(path, "w")) == NULL)
		return -1;
	rc = fputs(line, fp) >= 0 ? 0 : -1;
	return fclose(fp) == 0 ? rc : -1;
}

/* Writes work/userdb.db, holding user's name and USERDB_PASSWORD. */
static int userdb_create(const struct bench_cfg *c, const char *user)
{
	char text[PATH_MAX], db[PATH_MAX], line[256], prog[] = USERDB_LOAD;
	char o1[] = "-T", o2[] = "-t", o3[] = "hash", o4[] = "-f";
	char *argv[] = { prog, o1, o2, o3, o4, text, db, NULL };
	int status;
	pid_t pid;

	if (path_join(text, sizeof(text), c->work, "userdb.txt") != 0 ||
	    path_join(db, sizeof(db), c->work, "userdb.db") != 0)
		return -1;
	if (snprintf(line, sizeof(line), "%.64s\n%s\n", user, USERDB_PASSWORD) >= (int)sizeof(line) ||
	    write_service(c->work, "userdb.txt", line) != 0)
		return -1;
	fflush(NULL);
	if ((pid = fork()) == 0) {
		execvp(prog, argv);
		fprintf(stderr, "bench: cannot run %s (package db5.3-util): %s\n", prog,
			strerror(errno));
		_exit(127);
	}
	if (pid < 0 || child_wait(pid, &status) != 0)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench: %s could not write %s\n", prog, db);
		return -1;
	}
	return 0;
}

int logins_setup(const struct bench_cfg *c, const struct bench_keys *k,
		 const struct bench_result *res)
{
	char dir[PATH_MAX], name[64], line[2 * PATH_MAX], permit[PATH_MAX], userdb[PATH_MAX];
	size_t i;

	if (confdir(c, dir, sizeof(dir)) != 0 || mkdir(dir, 0700) != 0 ||
	    pam_module(c, "pam_permit.so", permit, sizeof(permit)) != 0 ||
	    pam_module(c, "pam_userdb.so", userdb, sizeof(userdb)) != 0)
		return -1;
	/* A PAM service line splits at white space: so would these paths. */
	if (strpbrk(c->module, " \t\n") != NULL || strpbrk(c->work, " \t\n") != NULL ||
	    strpbrk(c->baseline, " \t\n") != NULL ||
	    strpbrk(c->pamdir, " \t\n") != NULL) {
		fprintf(stderr, "bench: the module and output paths must not contain white space\n");
		return -1;
	}
	/* libpam reads "other" on every pam_start and logs an error when it is
	 * missing: an empty one keeps that line out of every login alike. */
	if (write_service(dir, "other", "# no default stack\n") != 0 ||
	    snprintf(line, sizeof(line), "auth required %s\n", permit) >= (int)sizeof(line) ||
	    write_service(dir, PERMIT_SERVICE, line) != 0 || userdb_create(c, k->me.name) != 0 ||
	    snprintf(line, sizeof(line), "auth required %s db=%s/userdb crypt=none\n", userdb,
		     c->work) >= (int)sizeof(line) ||
	    write_service(dir, USERDB_SERVICE, line) != 0)
		return -1;
	for (i = 0; i < c->nsizes; i++) {
		snprintf(name, sizeof(name), "apk-%lu", res->sz[i].keys);
		if (snprintf(line, sizeof(line), "auth required %s db=%s nodelay\n", c->module,
			     res->sz[i].db) >= (int)sizeof(line) ||
		    write_service(dir, name, line) != 0)
			return -1;
	}
	if (res->own_db[0] != '\0') {
		if (snprintf(line, sizeof(line), "auth required %s db=%s nodelay\n", c->module,
			     res->own_db) >= (int)sizeof(line) ||
		    write_service(dir, BENCH_OWN_SERVICE, line) != 0)
			return -1;
	}
	/* --baseline: the earlier module on the largest database, for the goal */
	if (c->baseline[0] != '\0') {
		if (snprintf(line, sizeof(line), "auth required %s db=%s nodelay\n", c->baseline,
			     res->sz[c->nsizes - 1].db) >= (int)sizeof(line) ||
		    write_service(dir, BENCH_BASE_SERVICE, line) != 0)
			return -1;
	}
	return 0;
}

static const char *class_user(const struct bench_keys *k, int cls)
{
	return cls == LC_UNKNOWN ? BENCH_NOUSER : k->me.name;
}

static const char *class_key(const struct bench_keys *k, int cls)
{
	return cls == LC_WRONG ? k->wrong : cls == LC_MALFORMED ? k->malformed : k->right;
}

/* Appends one plan line; -1 when it does not fit. */
static int plan_add(char *plan, size_t *len, const char *label, const char *service,
		    const char *user, int expect, const char *response)
{
	int n = snprintf(plan + *len, PLAN_MAX - *len, "%s %s %s %d %s\n", label, service, user,
			 expect, response);

	if (n < 0 || (size_t)n >= PLAN_MAX - *len)
		return -1;
	*len += (size_t)n;
	return 0;
}

/* The two references, a cell each. */
static int plan_permit(char *plan, size_t *len, const struct bench_keys *k)
{
	return plan_add(plan, len, PERMIT_SERVICE, PERMIT_SERVICE, k->me.name, PAM_SUCCESS, "-");
}

static int plan_userdb(char *plan, size_t *len, const struct bench_keys *k)
{
	return plan_add(plan, len, USERDB_SERVICE, USERDB_SERVICE, k->me.name, PAM_SUCCESS,
			USERDB_PASSWORD);
}

/* The lookup alone: service "-" (see login.c). */
static int plan_lookups(char *plan, size_t *len, const struct bench_keys *k)
{
	if (plan_add(plan, len, lookup_class_name[LK_KNOWN], "-", k->me.name, PAM_SUCCESS, "-") != 0)
		return -1;
	return plan_add(plan, len, lookup_class_name[LK_UNKNOWN], "-", BENCH_NOUSER,
			PAM_USER_UNKNOWN, "-");
}

static int plan_class(char *plan, size_t *len, const struct bench_keys *k, int cls,
		      unsigned long keys)
{
	char label[64], service[64];

	snprintf(label, sizeof(label), "%s@%lu", login_class_name[cls], keys);
	snprintf(service, sizeof(service), "apk-%lu", keys);
	return plan_add(plan, len, label, service, class_user(k, cls), class_expect[cls],
			class_key(k, cls));
}

/* One round of cells: both references, every class at sizes from..last,
 * the two lookups alone. The number of cells into *cells. */
static int plan_rounds(char *plan, size_t *len, const struct bench_keys *k,
		       const struct bench_cfg *c, const struct bench_result *res, size_t from,
		       size_t *cells)
{
	size_t i;
	int cls;

	if (plan_permit(plan, len, k) != 0 || plan_userdb(plan, len, k) != 0)
		return -1;
	for (i = from; i < c->nsizes; i++)
		for (cls = 0; cls < LC_COUNT; cls++)
			if (plan_class(plan, len, k, cls, res->sz[i].keys) != 0)
				return -1;
	*cells = 2 + (c->nsizes - from) * LC_COUNT + LK_COUNT;
	if (from == 0 && res->own_db[0] != '\0') {
		if (plan_add(plan, len, BENCH_OWN_LABEL, BENCH_OWN_SERVICE, k->me.name, PAM_SUCCESS,
			     k->right) != 0)
			return -1;
		(*cells)++;
	}
	return plan_lookups(plan, len, k);
}

/* Runs bench-login with plan; its output into out. RUN_FILES: names from
 * /etc/passwd only; RUN_PRELOAD: the three modules loaded before the first
 * login. Returns its exit status, or -1 when it could not run. */
static int run_child(const struct bench_cfg *c, const char *plan, size_t planlen,
		     unsigned long rounds, unsigned long warmup, int how, char *out, size_t outsz)
{
	char bin[PATH_MAX], dir[PATH_MAX], r[32], w[32], f[] = "-f", p[] = "-p";
	char permit[PATH_MAX], userdb[PATH_MAX], module[PATH_MAX], baseline[PATH_MAX];
	char *argv[14];
	int in[2], outp[2], status, a = 0;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (confdir(c, dir, sizeof(dir)) != 0 ||
	    pam_module(c, "pam_permit.so", permit, sizeof(permit)) != 0 ||
	    pam_module(c, "pam_userdb.so", userdb, sizeof(userdb)) != 0 ||
	    pipe2(in, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(outp, O_CLOEXEC) != 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	snprintf(r, sizeof(r), "%lu", rounds);
	snprintf(w, sizeof(w), "%lu", warmup);
	snprintf(bin, sizeof(bin), "%s", c->login_bin);
	snprintf(module, sizeof(module), "%s", c->module);
	snprintf(baseline, sizeof(baseline), "%s", c->baseline);
	argv[a++] = bin;
	if (how & RUN_FILES)
		argv[a++] = f;
	if (how & RUN_PRELOAD) {
		argv[a++] = p;
		argv[a++] = permit;
		argv[a++] = p;
		argv[a++] = userdb;
		argv[a++] = p;
		argv[a++] = module;
		if (baseline[0] != '\0') {
			argv[a++] = p;
			argv[a++] = baseline;
		}
	}
	argv[a++] = dir;
	argv[a++] = r;
	argv[a++] = w;
	argv[a] = NULL;
	fflush(NULL);
	if ((pid = fork()) == 0) {
		signal(SIGPIPE, SIG_DFL);
		if (dup2(in[0], 0) < 0 || dup2(outp[1], 1) < 0)
			_exit(2);
		execv(bin, argv);
		_exit(2);
	}
	close(in[0]);
	close(outp[1]);
	if (pid > 0)
		write_all(in[1], plan, planlen);
	close(in[1]);
	while (pid > 0 && got + 1 < outsz && (n = read(outp[0], out + got, outsz - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += (size_t)n;
	}
	out[got] = '\0';
	close(outp[0]);
	if (pid < 0)
		return -1;
	if (child_wait(pid, &status) != 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Where a result line's figures go; NULL for an unknown label. */
static struct stats *slot(struct bench_result *res, const char *label)
{
	unsigned long keys;
	size_t i, len;
	int cls;

	if (strcmp(label, PERMIT_SERVICE) == 0)
		return &res->permit;
	if (strcmp(label, USERDB_SERVICE) == 0)
		return &res->userdb;
	if (strcmp(label, BENCH_PLAIN_LABEL) == 0)
		return &res->plain;
	if (strcmp(label, BENCH_RESTRICTED_LABEL) == 0)
		return &res->restricted;
	if (strcmp(label, BENCH_OWN_LABEL) == 0)
		return &res->own;
	if (strcmp(label, BENCH_BASE_LABEL) == 0)
		return &res->goal_base;
	for (cls = 0; cls < LK_COUNT; cls++)
		if (strcmp(label, lookup_class_name[cls]) == 0)
			return &res->lookup[cls];
	for (cls = 0; cls < LC_COUNT; cls++) {
		len = strlen(login_class_name[cls]);
		if (strncmp(label, login_class_name[cls], len) != 0 || label[len] != '@')
			continue;
		keys = strtoul(label + len + 1, NULL, 10);
		for (i = 0; i < BENCH_MAX_SIZES; i++)
			if (res->sz[i].keys == keys)
				return &res->sz[i].login[cls];
	}
	return NULL;
}

/* Files each result line, and the peak memory into *hwm; -1 on a malformed
 * line or any login that returned another code than the one it must. */
static int parse(char *out, struct bench_result *res, size_t want, long *hwm)
{
	char label[64];
	struct stats s;
	size_t bad, lines = 0;
	int first_bad, rc = 0;
	char *line, *save = NULL;

	for (line = strtok_r(out, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		struct stats *dst;

		memset(&s, 0, sizeof(s));
		if (sscanf(line, "vmhwm %ld", hwm) == 1)
			continue;
		if (sscanf(line, "%63s %zu %lf %lf %lf %lf %zu %d", label, &s.n, &s.median_us,
			   &s.p90_us, &s.min_us, &s.mean_us, &bad, &first_bad) != 8 ||
		    (dst = slot(res, label)) == NULL) {
			fprintf(stderr, "bench: bench-login printed an unexpected line\n");
			return -1;
		}
		*dst = s;
		lines++;
		if (bad > 0) {
			fprintf(stderr, "bench: FUNCTIONAL ERROR: %s: %zu logins (warm-up included) "
				"returned %d, not the code they must\n", label, bad, first_bad);
			rc = -1;
		}
	}
	if (lines != want) {
		fprintf(stderr, "bench: bench-login reported %zu cells of %zu\n", lines, want);
		return -1;
	}
	return rc;
}

static int run_plan(const struct bench_cfg *c, char *plan, size_t len, size_t cells,
		    unsigned long rounds, unsigned long warmup, int how, struct bench_result *res,
		    long *hwm)
{
	char out[OUT_MAX];
	int st = run_child(c, plan, len, rounds, warmup, how, out, sizeof(out));

	sodium_memzero(plan, PLAN_MAX);
	if (st != 0 && st != 3) {
		fprintf(stderr, "bench: bench-login failed (status %d)\n", st);
		return -1;
	}
	*hwm = -1;
	return parse(out, res, cells, hwm) == 0 && st == 0 ? 0 : -1;
}

int logins_run_plan(const struct bench_cfg *c, char *plan, size_t len, size_t cells,
		    unsigned long rounds, unsigned long warmup, int preload,
		    struct bench_result *res)
{
	char buf[PLAN_MAX];
	long hwm;

	if (len >= PLAN_MAX)
		return -1;
	memcpy(buf, plan, len);
	sodium_memzero(plan, len);
	return run_plan(c, buf, len, cells, rounds, warmup, preload ? RUN_PRELOAD : 0, res, &hwm);
}

/* The goal's rounds: pam_permit and the right key at the largest size
 * (and in the other layout, when there is one; and through --baseline's
 * module, when given) alone, interleaved. */
int logins_goal(const struct bench_cfg *c, const struct bench_keys *k, struct bench_result *res)
{
	struct bench_result *scratch = malloc(sizeof(*scratch));
	const struct size_result *big = &res->sz[c->nsizes - 1];
	char plan[PLAN_MAX];
	size_t len = 0, cells = 2;
	long hwm;
	int rc = -1;

	if (scratch == NULL)
		return -1;
	memcpy(scratch, res, sizeof(*scratch));
	if (plan_permit(plan, &len, k) != 0 || plan_class(plan, &len, k, LC_RIGHT, big->keys) != 0)
		goto out;
	if (res->own_db[0] != '\0') {
		if (plan_add(plan, &len, BENCH_OWN_LABEL, BENCH_OWN_SERVICE, k->me.name, PAM_SUCCESS,
			     k->right) != 0)
			goto out;
		cells++;
	}
	if (c->baseline[0] != '\0') {
		if (plan_add(plan, &len, BENCH_BASE_LABEL, BENCH_BASE_SERVICE, k->me.name,
			     PAM_SUCCESS, k->right) != 0)
			goto out;
		cells++;
	}
	fprintf(stderr, "# the goal: pam_permit and the right key alone, modules preloaded: %zu "
		"cells x %lu rounds\n", cells, c->rounds);
	if (run_plan(c, plan, len, cells, c->rounds, c->warmup, RUN_PRELOAD, scratch, &hwm) == 0) {
		res->goal_permit = scratch->permit;
		res->goal_right = scratch->sz[c->nsizes - 1].login[LC_RIGHT];
		res->goal_own = scratch->own;
		res->goal_base = scratch->goal_base;
		rc = 0;
	}
out:
	free(scratch);
	return rc;
}

int logins_measure(const struct bench_cfg *c, const struct bench_keys *k, struct bench_result *res)
{
	char plan[PLAN_MAX];
	size_t len = 0, cells;
	long hwm;

	if (plan_rounds(plan, &len, k, c, res, 0, &cells) != 0)
		return -1;
	fprintf(stderr, "# logins, modules preloaded: %zu cells x %lu rounds (+%lu warm-up), "
		"round-robin\n", cells, c->rounds, c->warmup);
	return run_plan(c, plan, len, cells, c->rounds, c->warmup, RUN_PRELOAD, res, &hwm);
}

/* Keeps what a run of the largest size's cells found. */
static void keep_pass(const struct bench_cfg *c, const struct bench_result *from,
		      struct login_pass *to)
{
	to->permit = from->permit;
	to->userdb = from->userdb;
	memcpy(to->login, from->sz[c->nsizes - 1].login, sizeof(to->login));
	memcpy(to->lookup, from->lookup, sizeof(to->lookup));
}

int logins_files(const struct bench_cfg *c, const struct bench_keys *k, struct bench_result *res)
{
	struct bench_result *scratch = malloc(sizeof(*scratch));
	char plan[PLAN_MAX];
	size_t len = 0, cells;
	long hwm;
	int rc = -1;

	if (scratch == NULL)
		return -1;
	memcpy(scratch, res, sizeof(*scratch));
	if (plan_rounds(plan, &len, k, c, res, c->nsizes - 1, &cells) != 0)
		goto out;
	fprintf(stderr, "# logins, modules preloaded, passwd: files only: %zu cells x %lu rounds "
		"(+%lu warm-up)\n", cells, c->rounds, c->warmup);
	if (run_plan(c, plan, len, cells, c->rounds, c->warmup, RUN_FILES | RUN_PRELOAD, scratch,
		     &hwm) == 0) {
		keep_pass(c, scratch, &res->files);
		rc = 0;
	}
out:
	free(scratch);
	return rc;
}

/* The cells of the first-login runs: the classes, then the references. */
#define FIRST_PERMIT LC_COUNT
#define FIRST_USERDB (LC_COUNT + 1)
#define FIRST_CELLS (LC_COUNT + 2)

/* Plans cell i alone, at the largest size; where its figures will land in
 * scratch into *cell. */
static int plan_first(char *plan, size_t *len, const struct bench_keys *k,
		      const struct bench_cfg *c, int i, struct bench_result *scratch,
		      const struct stats **cell)
{
	struct size_result *big = &scratch->sz[c->nsizes - 1];

	*len = 0;
	if (i == FIRST_PERMIT) {
		*cell = &scratch->permit;
		return plan_permit(plan, len, k);
	}
	if (i == FIRST_USERDB) {
		*cell = &scratch->userdb;
		return plan_userdb(plan, len, k);
	}
	*cell = &big->login[i];
	return plan_class(plan, len, k, i, big->keys);
}

int logins_first(const struct bench_cfg *c, const struct bench_keys *k, struct bench_result *res)
{
	const unsigned long reps = c->cold_reps;
	struct bench_result *scratch = malloc(sizeof(*scratch));
	uint64_t *ns = calloc(FIRST_CELLS * reps, sizeof(uint64_t));
	const struct stats *cell;
	char plan[PLAN_MAX];
	unsigned long rep;
	size_t len;
	long hwm;
	int j, i, rc = -1;

	if (scratch == NULL || ns == NULL)
		goto out;
	memcpy(scratch, res, sizeof(*scratch));
	fprintf(stderr, "# first logins: %lu fresh processes for each of %d cells, interleaved\n",
		reps, FIRST_CELLS);
	for (rep = 0; rep < reps; rep++) {
		for (j = 0; j < FIRST_CELLS; j++) {
			i = (int)((j + rep) % FIRST_CELLS); /* one cell later each round */
			if (plan_first(plan, &len, k, c, i, scratch, &cell) != 0 ||
			    run_plan(c, plan, len, 1, 1, 0, 0, scratch, &hwm) != 0 || cell->n != 1)
				goto out;
			ns[(size_t)i * reps + rep] = (uint64_t)(cell->median_us * 1e3);
		}
	}
	for (i = 0; i < LC_COUNT; i++)
		stats_from_ns(ns + (size_t)i * reps, reps, &res->first.login[i]);
	stats_from_ns(ns + (size_t)FIRST_PERMIT * reps, reps, &res->first.permit);
	stats_from_ns(ns + (size_t)FIRST_USERDB * reps, reps, &res->first.userdb);
	rc = 0;
out:
	free(scratch);
	free(ns);
	return rc;
}

int logins_memory(const struct bench_cfg *c, const struct bench_keys *k, struct bench_result *res)
{
	const struct size_result *big = &res->sz[c->nsizes - 1];
	struct bench_result scratch;
	char plan[PLAN_MAX];
	size_t len = 0;

	memcpy(&scratch, res, sizeof(scratch)); /* figures from these runs are not kept */
	res->mem_keys = big->keys;
	if (plan_permit(plan, &len, k) != 0 ||
	    run_plan(c, plan, len, 1, c->mem_rounds, 0, 0, &scratch, &res->hwm_permit_kb) != 0)
		return -1;
	len = 0;
	if (plan_class(plan, &len, k, LC_RIGHT, big->keys) != 0 ||
	    run_plan(c, plan, len, 1, c->mem_rounds, 0, 0, &scratch, &res->hwm_login_kb) != 0)
		return -1;
	return res->hwm_permit_kb > 0 && res->hwm_login_kb > 0 ? 0 : -1;
}
