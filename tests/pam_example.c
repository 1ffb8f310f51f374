/* pam_example.c - the README's C example (doc/examples/check_key.c), built
 * against the real libpam, authenticates through the module: the right key
 * is accepted, a wrong one or another account's refused (cmocka; no root
 * needed: its service "myapp" comes from a private directory). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pam_harness.h"

static struct test_db T;
static char conf[PATH_MAX];
static char my_key[APK_KEY_LEN + 1], other_key[APK_KEY_LEN + 1];

static int setup(void **state)
{
	char lines[PATH_MAX + 128];

	(void)state;
	if (pam_fixture(&T, conf, my_key, other_key) != 0)
		return -1;
	snprintf(lines, sizeof(lines), "auth required %%M db=%s nodelay\n"
		 "account required pam_permit.so\n", T.path);
	write_service(conf, "myapp", lines);
	return setenv("APK_PAM_CONFDIR", conf, 1);
}

static int teardown(void **state)
{
	(void)state;
	test_db_remove(&T);
	return 0;
}

/* build/examples/check_key USER (NULL: no argument) with input on its
 * standard input: its exit status. */
static int check_key(const char *user, const char *input)
{
	char prog[PATH_MAX];
	int p[2], status;
	ssize_t w;
	pid_t pid;

	built_path("examples/check_key", prog);
	assert_int_equal(pipe(p), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[1]);
		if (dup2(p[0], 0) < 0)
			_exit(126);
		execl(prog, "check_key", user, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	/* a usage error exits without reading: the pipe may be closed first */
	w = write(p[1], input, strlen(input));
	assert_true(w == (ssize_t)strlen(input) || (w < 0 && errno == EPIPE));
	close(p[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void right_key_is_accepted(void **state)
{
	char line[APK_KEY_LEN + 2];

	(void)state;
	snprintf(line, sizeof(line), "%s\n", my_key);
	assert_int_equal(check_key(me(), line), 0);
	assert_int_equal(check_key(OTHER_USER, other_key), 0);
}

static void wrong_key_is_refused(void **state)
{
	char forged[APK_KEY_LEN + 1];
	struct apk_key k;

	(void)state;
	assert_int_equal(apk_key_parse(my_key, APK_KEY_LEN, &k), APK_OK);
	k.secret[0] ^= 1;
	apk_key_format(&k, forged);
	apk_key_wipe(&k);
	assert_int_equal(check_key(me(), forged), 1);
	assert_int_equal(check_key(me(), other_key), 1);
	assert_int_equal(check_key(me(), "not a key\n"), 1);
}

static void usage_errors(void **state)
{
	(void)state;
	assert_int_equal(check_key(NULL, my_key), 2);
	assert_int_equal(check_key(me(), ""), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(right_key_is_accepted),
		cmocka_unit_test(wrong_key_is_refused),
		cmocka_unit_test(usage_errors),
	};
	signal(SIGPIPE, SIG_IGN); /* a closed pipe is EPIPE, checked in check_key */
	return cmocka_run_group_tests(tests, setup, teardown);
}
