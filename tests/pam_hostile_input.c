/* pam_hostile_input.c - pam_apikey and what a remote guesser sends, through
 * the real libpam (cmocka; no root needed).
 *
 * User names built to match another account (a suffix, a prefix, a
 * delimiter, another case, format directives, overlong ones), every
 * near-miss of a right key (cut short, extended, a case flipped, another
 * alphabet, spliced from two keys, oversized, an embedded NUL), and control
 * bytes in the user, the remote host and the key: no login succeeds, and
 * every log line comes out escaped.
 */
#include "hostile_harness.h"

#include "test_db.h"
#include "verify.h"

/* what the final log check must cover at least (the tests make about 140 logins) */
static struct log_floor log_floor = { 100, 100 };

/* ---- user names ------------------------------------------------------------------ */

static void hostile_user_names(void **state)
{
	const char *bases[2];
	char names[32][512];
	size_t i, n = 0, b;
	int rc;

	(void)state;
	bases[0] = me();
	bases[1] = OTHER;
	assert_int_equal(auth("plain", bases[0], my_key), PAM_SUCCESS);
	assert_int_equal(auth("plain", bases[1], other_key), PAM_SUCCESS);
	for (b = 0; b < 2; b++) {
		const char *u = bases[b], *key = b == 0 ? my_key : other_key;
		char upper[256];

		n = 0;
		snprintf(names[n++], 512, "%s:", u);
		snprintf(names[n++], 512, "%s\n", u);
		snprintf(names[n++], 512, "%s ", u);
		snprintf(names[n++], 512, " %s", u);
		snprintf(names[n++], 512, "%s\t", u);
		snprintf(names[n++], 512, "%s\r", u);
		snprintf(names[n++], 512, "-%s", u);
		snprintf(names[n++], 512, "+%s", u);
		snprintf(names[n++], 512, "%s:x:0:0::/:/bin/sh", u);
		snprintf(names[n++], 512, "%s/", u);
		snprintf(names[n++], 512, "../%s", u);
		snprintf(names[n++], 512, "%s\n%s", u, u);
		snprintf(names[n++], 512, "%s\033[2K", u);
		snprintf(names[n++], 512, "%s$", u);
		snprintf(names[n++], 512, "%s%%n%%s", u);
		snprintf(names[n++], 512, "%s\302\240", u); /* no-break space */
		snprintf(names[n++], 512, "%.*s", 300,
			 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
		memset(names[n], 'x', 300);
		memcpy(names[n], u, strlen(u));
		names[n++][300] = '\0';
		snprintf(upper, sizeof(upper), "%s", u);
		for (i = 0; upper[i] != '\0'; i++)
			if (upper[i] >= 'a' && upper[i] <= 'z')
				upper[i] = (char)(upper[i] - 'a' + 'A');
		snprintf(names[n++], 512, "%s", upper);
		snprintf(names[n++], 512, "%%s%%n%%x");
		snprintf(names[n++], 512, "%s", "");
		for (i = 0; i < n; i++) {
			rc = auth_timeout("plain", names[i], key, 10);
			if (rc != PAM_USER_UNKNOWN && rc != PAM_AUTH_ERR)
				print_message("# user name %zu based on %s: got %d\n", i, u, rc);
			assert_true(rc == PAM_USER_UNKNOWN || rc == PAM_AUTH_ERR);
		}
	}
}

/* ---- the presented key -------------------------------------------------------------- */

static void expect_refused(const char *what, const char *response)
{
	struct conv_script cs;
	int rc = run("debugging", me(), response, NULL, &cs);

	if (rc != PAM_AUTH_ERR)
		print_message("# %s: got %d\n", what, rc);
	assert_int_equal(rc, PAM_AUTH_ERR);
	assert_int_equal(cs.prompts, 1);
}

static void near_miss_keys(void **state)
{
	char buf[70000], what[64];
	struct apk_record rec;
	struct apk_key k;
	size_t n = strlen(my_key), i;

	(void)state;
	assert_int_equal(auth("debugging", me(), my_key), PAM_SUCCESS);
	for (i = 1; i < n; i += (i < 8 || i > n - 8) ? 1 : 7) {
		snprintf(buf, sizeof(buf), "%.*s", (int)i, my_key);
		snprintf(what, sizeof(what), "first %zu characters", i);
		expect_refused(what, buf);
	}
	for (i = 0; i < n; i++) { /* one character's case flipped, anywhere */
		char c = my_key[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			continue;
		snprintf(buf, sizeof(buf), "%s", my_key);
		buf[i] = (char)(c ^ 0x20);
		snprintf(what, sizeof(what), "case of character %zu flipped", i);
		expect_refused(what, buf);
	}
	snprintf(buf, sizeof(buf), "%s", my_key);
	for (i = 0; i < n; i++)
		if ((buf[i] >= 'a' && buf[i] <= 'z') || (buf[i] >= 'A' && buf[i] <= 'Z'))
			buf[i] = (char)(buf[i] ^ 0x20);
	expect_refused("every letter's case flipped", buf);
	snprintf(buf, sizeof(buf), "%s", my_key);
	for (i = 0; i < n; i++)
		buf[i] = buf[i] == '-' ? '+' : buf[i] == '_' ? '/' : buf[i];
	if (strcmp(buf, my_key) != 0)
		expect_refused("standard base64 alphabet", buf);
	snprintf(buf, sizeof(buf), "APK_%s", my_key + 4);
	expect_refused("upper-case prefix", buf);
	snprintf(buf, sizeof(buf), "%s\n", my_key);
	expect_refused("key and a newline", buf);
	snprintf(buf, sizeof(buf), "%s\r\n", my_key);
	expect_refused("key and CR LF", buf);
	snprintf(buf, sizeof(buf), " %s", my_key);
	expect_refused("a space and the key", buf);
	snprintf(buf, sizeof(buf), "%s ", my_key);
	expect_refused("the key and a space", buf);
	snprintf(buf, sizeof(buf), "%s%s", my_key, my_key);
	expect_refused("the key twice", buf);
	snprintf(buf, sizeof(buf), "%s=", my_key);
	expect_refused("the key with base64 padding", buf);
	snprintf(buf, sizeof(buf), "%s", my_key + 4);
	expect_refused("the key without its prefix", buf);
	snprintf(buf, sizeof(buf), "%.60s%.8s", other_key, my_key + 60);
	expect_refused("another key's id and secret with this checksum", buf);
	snprintf(buf, sizeof(buf), "%.16s%s", my_key, other_key + 16);
	expect_refused("this id with another key's secret and checksum", buf);
	expect_refused("a password typed at the key prompt", "correct horse battery staple");
	/* responses at and over PAM_MAX_RESP_SIZE, starting with the right key */
	for (i = 0; i < 4; i++) {
		size_t len = i == 0 ? 512 : i == 1 ? 513 : i == 2 ? 4096 : 65536;
		memset(buf, 'A', len);
		memcpy(buf, my_key, n);
		buf[len] = '\0';
		snprintf(what, sizeof(what), "%zu-byte response", len);
		expect_refused(what, buf);
	}
	/* an embedded NUL: the conversation gives C strings, so check the
	 * length-counted parser and verifier directly */
	memcpy(buf, my_key, n);
	for (i = 4; i < n; i += 9) {
		char save = buf[i];
		buf[i] = '\0';
		assert_int_equal(apk_key_parse(buf, n, &k), APK_ERR_BADKEY);
		assert_int_equal(test_verify(T.path, me(), buf, n, &rec), APK_ERR_BADKEY);
		buf[i] = save;
	}
	assert_int_equal(test_verify(T.path, me(), buf, n, &rec), APK_OK);
	assert_int_equal(auth("debugging", me(), my_key), PAM_SUCCESS);
}

/* ---- log lines ------------------------------------------------------------------------------ */

static void log_lines_are_escaped(void **state)
{
	struct run_opts o = { "evil\nhost\033[2J", 0, 0 };
	struct conv_script cs;
	unsigned before;
	size_t mark;

	(void)state;
	before = log_calls;
	mark = loglen;
	assert_int_equal(run("plain", "evil\nuser", my_key, NULL, &cs), PAM_USER_UNKNOWN);
	if (log_calls - before != 1)
		print_message("# logged:\n%s", logbuf + mark);
	assert_int_equal(log_calls - before, 1);
	assert_non_null(strstr(logbuf + mark, "evil\\x0auser"));
	before = log_calls;
	mark = loglen;
	assert_int_equal(run("plain", me(), my_key, &o, &cs), PAM_SUCCESS);
	assert_int_equal(log_calls - before, 1);
	assert_non_null(strstr(logbuf + mark, "evil\\x0ahost\\x1b[2J"));
	before = log_calls;
	assert_int_equal(run("plain", me(), "apk_\n\033[31mred", &o, &cs), PAM_AUTH_ERR);
	assert_int_equal(log_calls - before, 1);
	assert_int_equal(log_multiline, 0);
	assert_int_equal(log_ctl, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hostile_user_names),
		cmocka_unit_test(near_miss_keys),
		cmocka_unit_test(log_lines_are_escaped),
		cmocka_unit_test_prestate(no_secret_in_any_log_line, &log_floor),
	};
	return cmocka_run_group_tests(tests, hostile_setup, hostile_teardown);
}
