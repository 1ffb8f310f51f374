/* pam_wipe.c - pam_apikey wipes the answer before it frees it, through the
 * real libpam (cmocka; no root needed)
 *
 * The conversation hands the module one malloc'd answer; the module frees
 * it with free(), which is this program's (an executable's symbols come
 * first in the module's lookup scope): it looks at the bytes of that one
 * buffer before passing it to glibc. Every way the module asks is tried:
 * the default prompt, forward_pass with a key and with a password, and
 * try_first_pass without an earlier token. Under AddressSanitizer (make
 * check-sanitize), whose allocator owns free(), the program says it skips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <stdio.h>

#include "keyfmt.h"
#include "pam_harness.h"
#include "test_db.h"

static const char *watched;
static size_t watched_len;
static int watched_freed, watched_wiped;

#ifndef __SANITIZE_ADDRESS__
extern void __libc_free(void *p);

void free(void *p)
{
	if (p != NULL && p == watched) {
		const unsigned char *b = p;
		size_t i;

		watched_wiped = 1;
		for (i = 0; i < watched_len; i++)
			if (b[i] != 0)
				watched_wiped = 0;
		watched_freed = 1;
		watched = NULL;
	}
	__libc_free(p);
}
#endif

static struct test_db T;
static char conf[PATH_MAX];
static char my_key[APK_KEY_LEN + 1];

/* harness_conv, remembering the buffer of the one answer it gives. */
static int watching_conv(int n, const struct pam_message **msg, struct pam_response **resp,
			 void *data)
{
	int rc = harness_conv(n, msg, resp, data);

	if (rc == PAM_SUCCESS && n == 1 && (*resp)[0].resp != NULL) {
		watched = (*resp)[0].resp;
		watched_len = strlen(watched);
	}
	return rc;
}

static void service(const char *name, const char *args)
{
	char lines[PATH_MAX + 128];

	snprintf(lines, sizeof(lines), "auth required %%M db=%s nodelay %s\n", T.path, args);
	write_service(conf, name, lines);
}

static int setup(void **state)
{
	(void)state;
	if (pam_fixture(&T, conf, my_key, NULL) != 0)
		return -1;
	service("ask", "");
	service("forward", "forward_pass");
	service("try", "try_first_pass");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_db_remove(&T);
	return 0;
}

/* One login answered with answer: the answer was freed, and wiped first. */
static void answer_wiped(const char *svc, const char *answer, int want)
{
	struct conv_script cs = { .response = answer };
	struct pam_conv conv = { watching_conv, &cs };

	watched = NULL;
	watched_freed = watched_wiped = 0;
	assert_int_equal(pam_run_conv(conf, svc, me(), &conv), want);
	assert_int_equal(cs.prompts, 1);
	assert_true(watched_freed);
	assert_true(watched_wiped);
}

static void default_prompt(void **state)
{
	(void)state;
	answer_wiped("ask", my_key, PAM_SUCCESS);
	answer_wiped("ask", "correct horse battery staple", PAM_AUTH_ERR);
}

static void forward_pass(void **state)
{
	(void)state;
	answer_wiped("forward", my_key, PAM_SUCCESS);
	/* passed on as PAM_AUTHTOK: libpam keeps its own copy, ours is wiped */
	answer_wiped("forward", "correct horse battery staple", PAM_AUTH_ERR);
}

static void try_first_pass_asking(void **state)
{
	(void)state;
	answer_wiped("try", my_key, PAM_SUCCESS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_prompt),
		cmocka_unit_test(forward_pass),
		cmocka_unit_test(try_first_pass_asking),
	};
#ifdef __SANITIZE_ADDRESS__
	printf("ok 1 # SKIP the answer's wipe: AddressSanitizer owns free()\n");
	return 0;
#endif
	return cmocka_run_group_tests(tests, setup, teardown);
}
