/* cli.c - apikeyctl generate, rename and delete as whole processes
 *
 * Each is fork + exec of the built apikeyctl with APIKEY_DB naming the
 * database, timed until wait returns: start-up, the change with its copy
 * and fsyncs, the log line, exit. The three run in turn at every size in
 * every repetition, so the key they create is gone again afterwards; then
 * `apikeyctl --version`, what starting and ending the process costs alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define CLI_KEY "bench-cli"
#define CLI_KEY2 "bench-cli-renamed"
#define ERRFILE "apikeyctl.err"

static void show_errors(const char *errpath)
{
	char line[512];
	FILE *fp = fopen(errpath, "r");

	if (fp == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL)
		fprintf(stderr, "bench:   %s", line);
	fclose(fp);
}

/* Runs apikeyctl with args (NULL-terminated, at most 5) against db; 0 on exit 0. */
static int run_ctl(const struct bench_cfg *c, const char *db, const char *const *args,
		   uint64_t *ns)
{
	char bin[PATH_MAX], env[PATH_MAX + 16], errpath[PATH_MAX], argbuf[5][64];
	char *argv[7], *envp[2];
	uint64_t t0;
	int status, fd, i;
	pid_t pid;

	snprintf(bin, sizeof(bin), "%s", c->helper);
	argv[0] = bin;
	for (i = 0; i < 5 && args[i] != NULL; i++) {
		snprintf(argbuf[i], sizeof(argbuf[i]), "%s", args[i]);
		argv[i + 1] = argbuf[i];
	}
	argv[i + 1] = NULL;
	if (snprintf(env, sizeof(env), "APIKEY_DB=%s", db) >= (int)sizeof(env) ||
	    path_join(errpath, sizeof(errpath), c->work, ERRFILE) != 0)
		return -1;
	envp[0] = env;
	envp[1] = NULL;
	fflush(NULL);
	t0 = now_ns();
	if ((pid = fork()) == 0) {
		signal(SIGPIPE, SIG_DFL);
		if ((fd = open("/dev/null", O_RDWR)) < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0)
			_exit(127);
		if ((fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		execve(bin, argv, envp);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	if (child_wait(pid, &status) != 0)
		return -1;
	*ns = now_ns() - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench: FUNCTIONAL ERROR: apikeyctl %s on %s failed (status %d)\n",
			args[0], db, status);
		show_errors(errpath);
		return -1;
	}
	return 0;
}

int cli_measure(const struct bench_cfg *c, struct bench_result *res)
{
	static const char *const ops[CLI_COUNT][5] = {
		{ "generate", "--name", CLI_KEY, "-q", NULL },
		{ "rename", CLI_KEY, CLI_KEY2, NULL },
		{ "delete", CLI_KEY2, "--yes", NULL },
		{ "--version", NULL },
	};
	uint64_t *ns[BENCH_MAX_SIZES][CLI_COUNT];
	unsigned rep;
	size_t i;
	int op, rc = 0;

	memset(ns, 0, sizeof(ns));
	for (i = 0; i < c->nsizes; i++)
		for (op = 0; op < CLI_COUNT; op++)
			if ((ns[i][op] = calloc(c->cli_reps, sizeof(uint64_t))) == NULL)
				rc = -1;
	fprintf(stderr, "# apikeyctl: %u repetitions of generate, rename, delete, --version at "
		"each size\n",
		c->cli_reps);
	for (rep = 0; rep < c->cli_reps && rc == 0; rep++)
		for (i = 0; i < c->nsizes && rc == 0; i++)
			for (op = 0; op < CLI_COUNT && rc == 0; op++)
				rc = run_ctl(c, res->sz[i].db, ops[op], &ns[i][op][rep]);
	for (i = 0; i < c->nsizes; i++)
		for (op = 0; op < CLI_COUNT; op++) {
			if (rc == 0)
				stats_from_ns(ns[i][op], c->cli_reps, &res->sz[i].cli[op]);
			free(ns[i][op]);
		}
	return rc;
}
