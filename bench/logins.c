/* logins.c - whole PAM logins, timed by bench-login in a child process
 *
 * bench-login links only libpam, so a login there loads the module, libsodium
 * and libgdbm as in a fresh sshd connection; this process has them all loaded
 * already. Every class at every size and pam_permit run round-robin in one
 * child, so noise on the machine hits them alike. Peak memory comes from
 * two further children: one doing only successful logins against the
 * largest database, one doing only pam_permit; each reports its VmHWM, the
 * peak resident size since its exec (wait4's ru_maxrss would also count the
 * pages it shared with this process between fork and exec).
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

#include "bench.h"

#define PLAN_MAX 8192
#define OUT_MAX 8192
#define PERMIT_SERVICE "permit"

static const int class_expect[LC_COUNT] = { PAM_SUCCESS, PAM_AUTH_ERR, PAM_AUTH_ERR,
					    PAM_USER_UNKNOWN };

static int confdir(const struct bench_cfg *c, char *out, size_t outsz)
{
	return path_join(out, outsz, c->work, "pam.d");
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

int logins_setup(const struct bench_cfg *c, const struct bench_result *res)
{
	char dir[PATH_MAX], name[64], line[2 * PATH_MAX];
	size_t i;

	if (confdir(c, dir, sizeof(dir)) != 0 || mkdir(dir, 0700) != 0)
		return -1;
	/* A PAM service line splits at white space: so would these paths. */
	if (strpbrk(c->module, " \t\n") != NULL || strpbrk(c->work, " \t\n") != NULL) {
		fprintf(stderr, "bench: the module and output paths must not contain white space\n");
		return -1;
	}
	/* libpam reads "other" on every pam_start and logs an error when it is
	 * missing: an empty one keeps that line out of every login alike. */
	if (write_service(dir, "other", "# no default stack\n") != 0 ||
	    write_service(dir, PERMIT_SERVICE, "auth required pam_permit.so\n") != 0)
		return -1;
	for (i = 0; i < c->nsizes; i++) {
		snprintf(name, sizeof(name), "apk-%lu", res->sz[i].keys);
		if (snprintf(line, sizeof(line), "auth required %s db=%s nodelay\n", c->module,
			     res->sz[i].db) >= (int)sizeof(line) ||
		    write_service(dir, name, line) != 0)
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

static int plan_class(char *plan, size_t *len, const struct bench_keys *k, int cls,
		      unsigned long keys)
{
	char label[64], service[64];

	snprintf(label, sizeof(label), "%s@%lu", login_class_name[cls], keys);
	snprintf(service, sizeof(service), "apk-%lu", keys);
	return plan_add(plan, len, label, service, class_user(k, cls), class_expect[cls],
			class_key(k, cls));
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Runs bench-login with plan; its output into out.
 * Returns its exit status, or -1 when it could not run. */
static int run_child(const struct bench_cfg *c, const char *plan, size_t planlen,
		     unsigned long rounds, unsigned long warmup, char *out, size_t outsz)
{
	char bin[PATH_MAX], dir[PATH_MAX], r[32], w[32];
	char *argv[5];
	int in[2], outp[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (confdir(c, dir, sizeof(dir)) != 0 || pipe2(in, O_CLOEXEC) != 0)
		return -1;
	if (pipe2(outp, O_CLOEXEC) != 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	snprintf(r, sizeof(r), "%lu", rounds);
	snprintf(w, sizeof(w), "%lu", warmup);
	snprintf(bin, sizeof(bin), "%s", c->login_bin);
	argv[0] = bin;
	argv[1] = dir;
	argv[2] = r;
	argv[3] = w;
	argv[4] = NULL;
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

	if (strcmp(label, "permit") == 0)
		return &res->permit;
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
		    unsigned long rounds, unsigned long warmup, struct bench_result *res, long *hwm)
{
	char out[OUT_MAX];
	int st = run_child(c, plan, len, rounds, warmup, out, sizeof(out));

	sodium_memzero(plan, PLAN_MAX);
	if (st != 0 && st != 3) {
		fprintf(stderr, "bench: bench-login failed (status %d)\n", st);
		return -1;
	}
	*hwm = -1;
	return parse(out, res, cells, hwm) == 0 && st == 0 ? 0 : -1;
}

int logins_measure(const struct bench_cfg *c, const struct bench_keys *k, struct bench_result *res)
{
	char plan[PLAN_MAX];
	size_t len = 0, i, cells = 1;
	long hwm;
	int cls;

	if (plan_add(plan, &len, "permit", PERMIT_SERVICE, k->me.name, PAM_SUCCESS, "-") != 0)
		return -1;
	for (i = 0; i < c->nsizes; i++)
		for (cls = 0; cls < LC_COUNT; cls++, cells++)
			if (plan_class(plan, &len, k, cls, res->sz[i].keys) != 0)
				return -1;
	fprintf(stderr, "# logins: %zu cells x %lu rounds (+%lu warm-up), round-robin\n", cells,
		c->rounds, c->warmup);
	return run_plan(c, plan, len, cells, c->rounds, c->warmup, res, &hwm);
}

int logins_memory(const struct bench_cfg *c, const struct bench_keys *k, struct bench_result *res)
{
	const struct size_result *big = &res->sz[c->nsizes - 1];
	struct bench_result scratch;
	char plan[PLAN_MAX];
	size_t len = 0;

	memcpy(&scratch, res, sizeof(scratch)); /* figures from these runs are not kept */
	res->mem_keys = big->keys;
	if (plan_add(plan, &len, "permit", PERMIT_SERVICE, k->me.name, PAM_SUCCESS, "-") != 0 ||
	    run_plan(c, plan, len, 1, c->mem_rounds, 0, &scratch, &res->hwm_permit_kb) != 0)
		return -1;
	len = 0;
	if (plan_class(plan, &len, k, LC_RIGHT, big->keys) != 0 ||
	    run_plan(c, plan, len, 1, c->mem_rounds, 0, &scratch, &res->hwm_login_kb) != 0)
		return -1;
	return res->hwm_permit_kb > 0 && res->hwm_login_kb > 0 ? 0 : -1;
}
