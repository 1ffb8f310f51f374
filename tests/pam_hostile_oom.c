/* pam_hostile_oom.c - pam_apikey when memory runs out, through the real libpam
 *
 * This program replaces malloc, calloc and realloc (forwarding to glibc's
 * own): every allocation of the process goes through them, the module's,
 * libgdbm's, libpam's and libc's alike. During one pam_authenticate the Nth
 * allocation fails, for N = 1, 2, ... until a run makes fewer than N
 * allocations (nothing failed: the plain answer must come back). For each
 * kind of login:
 *   - a wrong key, an unknown key id, another account's key, an unknown user
 *     and an account without keys never succeed, whatever fails;
 *   - the right key succeeds under a failed allocation only when the failed
 *     call was neither the module's nor libgdbm's (those carry the answer:
 *     losing one must not turn into a yes);
 *   - some failure of the module's own allocations gives PAM_BUF_ERR;
 *   - every answer is one of the module's documented codes.
 * The distribution of answers is reported (# lines).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <sys/stat.h>

#include "keyfmt.h"
#include "pam_harness.h"
#include "test_db.h"

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);

static int armed;
static unsigned long fail_at, seen;
static void *fail_caller;
static void *frames[12];
static int nframes;

/* Under AddressSanitizer (make check-sanitize) its allocator owns malloc:
 * this program cannot replace it there and says so in main. */
#ifndef __SANITIZE_ADDRESS__
static int inject(void *caller)
{
	if (!armed)
		return 0;
	if (++seen != fail_at)
		return 0;
	fail_caller = caller;
	armed = 0; /* backtrace must not count, nor fail */
	nframes = backtrace(frames, 12);
	armed = 1;
	return 1;
}

void *malloc(size_t n)
{
	if (inject(__builtin_return_address(0))) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	if (inject(__builtin_return_address(0))) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	if (inject(__builtin_return_address(0))) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, n);
}
#endif

static struct test_db T;
static char conf[PATH_MAX];
static char my_key[APK_KEY_LEN + 1], other_key[APK_KEY_LEN + 1];
static char forged[APK_KEY_LEN + 1], fresh[APK_KEY_LEN + 1];
static const char *OTHER = OTHER_USER;

static int setup(void **state)
{
	struct apk_key k;
	char lines[PATH_MAX + 128];

	(void)state;
	nframes = backtrace(frames, 12); /* loads what backtrace needs, now */
	if (pam_fixture(&T, conf, my_key, other_key) != 0)
		return -1;
	if (apk_key_parse(my_key, APK_KEY_LEN, &k) != APK_OK)
		return -1;
	k.secret[3] ^= 0x01;
	apk_key_format(&k, forged);
	apk_key_generate(&k);
	apk_key_format(&k, fresh);
	apk_key_wipe(&k);
	snprintf(lines, sizeof(lines), "auth required %%M db=%s nodelay\n", T.path);
	write_service(conf, "plain", lines);
	write_service(conf, "other", "auth required pam_deny.so\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_db_remove(&T);
	return 0;
}

static char fail_obj[64], fail_trace[512];

static const char *object_of(void *addr);

/* Where the failed allocation came from, while the module is still loaded. */
static void describe_failure(void)
{
	size_t len = 0;
	int i;

	snprintf(fail_obj, sizeof(fail_obj), "%s", object_of(fail_caller));
	fail_trace[0] = '\0';
	for (i = 1; i < nframes && len < sizeof(fail_trace); i++) {
		Dl_info info;
		const char *o = object_of(frames[i]);

		if (dladdr(frames[i], &info) != 0 && info.dli_sname != NULL)
			len += (size_t)snprintf(fail_trace + len, sizeof(fail_trace) - len, " %s:%s", o,
						info.dli_sname);
		else
			len += (size_t)snprintf(fail_trace + len, sizeof(fail_trace) - len, " %s", o);
	}
}

static int one_login(const char *user, const char *response, unsigned long n)
{
	struct conv_script cs = { .response = response };
	struct pam_conv conv = { harness_conv, &cs };
	pam_handle_t *pamh = NULL;
	int rc;

	rc = pam_start_confdir("plain", user, &conv, conf, &pamh);
	if (rc != PAM_SUCCESS)
		return -1000 - rc;
	pam_set_item(pamh, PAM_RHOST, "203.0.113.7");
	seen = 0;
	fail_at = n;
	fail_caller = NULL;
	armed = 1;
	rc = pam_authenticate(pamh, 0);
	armed = 0;
	if (seen >= n && n > 0)
		describe_failure();
	pam_end(pamh, rc);
	return rc;
}

static const char *object_of(void *addr)
{
	Dl_info info;
	const char *slash;

	if (addr == NULL || dladdr(addr, &info) == 0 || info.dli_fname == NULL)
		return "?";
	slash = strrchr(info.dli_fname, '/');
	return slash != NULL ? slash + 1 : info.dli_fname;
}

static int documented(int rc)
{
	switch (rc) {
	case PAM_SUCCESS: case PAM_AUTH_ERR: case PAM_USER_UNKNOWN: case PAM_AUTHINFO_UNAVAIL:
	case PAM_BUF_ERR: case PAM_CONV_ERR: case PAM_AUTHTOK_ERR: case PAM_SERVICE_ERR:
	case PAM_SYSTEM_ERR: case PAM_IGNORE:
		return 1;
	default:
		return 0;
	}
}

struct tally {
	unsigned runs, buf_err, module_buf_err;
	unsigned by_code[64];
};

/* Fails allocation N = 1, 2, ... of one kind of login; checks each answer. */
static void sweep(const char *what, const char *user, const char *response, int want,
		  struct tally *t)
{
	unsigned long n;
	int rc, plain = one_login(user, response, 0);
	char line[512];
	size_t len;
	int i;

	memset(t, 0, sizeof(*t));
	assert_int_equal(plain, want);
	for (n = 1; n < 100000; n++) {
		const char *obj;

		rc = one_login(user, response, n);
		if (seen < n) { /* nothing failed this time: the plain answer */
			assert_int_equal(rc, want);
			break;
		}
		t->runs++;
		obj = fail_obj;
		if (rc >= 0 && rc < 64)
			t->by_code[rc]++;
		if (rc == PAM_BUF_ERR) {
			t->buf_err++;
			/* the module's own, or gdbm's reading the database for it */
			if (strstr(obj, "pam_apikey") != NULL || strstr(obj, "libgdbm") != NULL)
				t->module_buf_err++;
		}
		if (getenv("HOSTILE_OOM_VERBOSE") != NULL ||
		    !documented(rc) || (rc == PAM_SUCCESS && want != PAM_SUCCESS) ||
		    (rc == PAM_SUCCESS && (strstr(obj, "pam_apikey") != NULL ||
					   strstr(obj, "libgdbm") != NULL)))
			print_message("# %s: allocation %lu (called from %s) failed: %s (%d);%s\n",
				      what, n, obj, pam_strerror(NULL, rc), rc, fail_trace);
		assert_true(documented(rc));
		if (want != PAM_SUCCESS)
			assert_int_not_equal(rc, PAM_SUCCESS);
		else if (rc == PAM_SUCCESS)
			assert_true(strstr(obj, "pam_apikey") == NULL && strstr(obj, "libgdbm") == NULL);
	}
	assert_true(n < 100000);
	len = (size_t)snprintf(line, sizeof(line), "# %s: %u allocations failed in turn:", what,
			       t->runs);
	for (i = 0; i < 64 && len < sizeof(line); i++)
		if (t->by_code[i] > 0)
			len += (size_t)snprintf(line + len, sizeof(line) - len, " %s x%u",
						pam_strerror(NULL, i), t->by_code[i]);
	print_message("%s\n", line);
}

static void right_key(void **state)
{
	struct tally t;

	(void)state;
	sweep("right key", me(), my_key, PAM_SUCCESS, &t);
	assert_true(t.runs > 0);
	assert_true(t.buf_err > 0);
	assert_true(t.module_buf_err > 0);
}

static void wrong_secret(void **state)
{
	struct tally t;

	(void)state;
	sweep("wrong secret", me(), forged, PAM_AUTH_ERR, &t);
	assert_true(t.buf_err > 0);
}

static void unknown_key_id(void **state)
{
	struct tally t;

	(void)state;
	sweep("unknown key id", me(), fresh, PAM_AUTH_ERR, &t);
}

static void another_accounts_key(void **state)
{
	struct tally t;

	(void)state;
	sweep("another account's key", me(), other_key, PAM_AUTH_ERR, &t);
	sweep("my key for another account", OTHER, my_key, PAM_AUTH_ERR, &t);
}

static void unknown_user(void **state)
{
	struct tally t;

	(void)state;
	sweep("unknown user", "apk-no-such-user", my_key, PAM_USER_UNKNOWN, &t);
}

static void account_without_keys(void **state)
{
	struct tally t;

	(void)state;
	sweep("account without keys", strcmp(me(), "root") == 0 ? "bin" : "root", fresh,
	      PAM_AUTH_ERR, &t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(right_key),
		cmocka_unit_test(wrong_secret),
		cmocka_unit_test(unknown_key_id),
		cmocka_unit_test(another_accounts_key),
		cmocka_unit_test(unknown_user),
		cmocka_unit_test(account_without_keys),
	};
#ifdef __SANITIZE_ADDRESS__
	printf("ok 1 # SKIP allocation failure injection: not under AddressSanitizer\n");
	return 0;
#endif
	/* A module that blocks (on a FIFO, say) must fail this program, not hang it. */
	alarm(180);
	return cmocka_run_group_tests(tests, setup, teardown);
}
