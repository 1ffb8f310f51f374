/* pam_authtok.c - what pam_apikey leaves to the rest of the auth stack
 * (cmocka; no root needed)
 *
 * Through the real libpam, with the spy module (tests/spy/pam_spy.c)
 * stacked around pam_apikey: before it to leave a token as an earlier
 * module would, after it to record PAM_AUTHTOK and to check a password as
 * pam_unix with try_first_pass does. The conversation counts its prompts.
 *   - By default the answer never becomes PAM_AUTHTOK: a right key, a wrong
 *     key and a password all leave the next module nothing.
 *   - try_first_pass uses an earlier token and asks again when it is wrong
 *     or absent; use_first_pass (and use_authtok) never ask, and without an
 *     earlier token return PAM_AUTHTOK_RECOVERY_ERR.
 *   - forward_pass asks once; a password goes on to the next module, which
 *     logs in with it without a second prompt; a key, right or wrong, and
 *     every mangled form of one (common/keylike.h: prefix cut or mistyped,
 *     caps lock, spaces, line breaks or a typo inside, only its last part,
 *     inside other text) never reach the next module, and the log line says
 *     which way the answer went; ordinary passwords, with spaces or
 *     without, go on; a passphrase the rule keeps back is asked for again
 *     by the next module.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <ctype.h>
#include <sys/stat.h>

#include "keyfmt.h"
#include "keylike.h"
#include "log_capture.h"
#include "pam_harness.h"
#include "test_db.h"

#define PASSWORD "correct-horse-battery-staple" /* no space: it is a module argument */
/* Five long diceware words: key-like (37 letters), the rule's cost. */
#define LONG_PASSPHRASE "stumble-voucher-gladly-entrance-bountiful"
#define NOTE_PASSED_ON "(passed on to the next module)\n"
#define NOTE_KEPT_BACK "(not passed on to the next module)\n"

static struct test_db T;
static char conf[PATH_MAX], spylog[PATH_MAX + 16];
static char my_key[APK_KEY_LEN + 1], other_key[APK_KEY_LEN + 1];
static char forged[APK_KEY_LEN + 1]; /* my key's id, a valid checksum, a wrong secret */
static char typo[APK_KEY_LEN + 1];   /* my key with its last character changed */
static char seen[4096];              /* what the spy recorded in the last run */
static const char *nokeys_user;      /* a real account without keys */

/* ---- the stacks -------------------------------------------------------- */

/* DIR/NAME from lines in which %M is the module, %S the spy, %D the
 * database directory and %L the spy's log. */
static void stack(const char *name, const char *lines)
{
	char out[8192];
	size_t n = 0;
	const char *p;

	for (p = lines; *p != '\0' && n + PATH_MAX + 1 < sizeof(out); p++) {
		const char *sub = NULL;

		if (p[0] == '%' && p[1] == 'S')
			sub = spy_path();
		else if (p[0] == '%' && p[1] == 'D')
			sub = T.path;
		else if (p[0] == '%' && p[1] == 'L')
			sub = spylog;
		if (sub != NULL) {
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s", sub);
			p++;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
	write_service(conf, name, out); /* replaces %M */
}

/* One login of user through service, each prompt answered with answer;
 * its code, the prompts asked in *prompts and what the spy saw in seen. */
static int login_as(const char *service, const char *user, const char *answer, int *prompts)
{
	struct conv_script cs = { .response = answer };
	FILE *fp;
	size_t n = 0;
	int rc;

	if ((fp = fopen(spylog, "w")) != NULL)
		fclose(fp);
	loglen = 0;
	logbuf[0] = '\0';
	rc = pam_run(conf, service, user, &cs);
	*prompts = cs.prompts;
	if ((fp = fopen(spylog, "r")) != NULL) {
		n = fread(seen, 1, sizeof(seen) - 1, fp);
		fclose(fp);
	}
	seen[n] = '\0';
	return rc;
}

static int login(const char *service, const char *answer, int *prompts)
{
	return login_as(service, me(), answer, prompts);
}

/* "authtok VALUE\n" as the spy writes it. */
static const char *authtok_line(const char *value)
{
	static char line[512];

	snprintf(line, sizeof(line), "authtok %s\n", value);
	return line;
}

static int setup(void **state)
{
	struct apk_key k;
	char lines[2048];
	size_t n;

	(void)state;
	if (pam_fixture(&T, conf, my_key, other_key) != 0)
		return -1;
	snprintf(spylog, sizeof(spylog), "%s/spy.log", T.dir);
	if (apk_key_parse(my_key, APK_KEY_LEN, &k) != APK_OK)
		return -1;
	k.secret[5] ^= 0x10;
	apk_key_format(&k, forged);
	apk_key_wipe(&k);
	n = strlen(my_key);
	snprintf(typo, sizeof(typo), "%s", my_key);
	typo[n - 1] = typo[n - 1] == 'A' ? 'B' : 'A';
	if (apk_key_parse(typo, n, &k) == APK_OK) /* the checksum must catch it */
		return -1;
	nokeys_user = strcmp(me(), "root") == 0 ? "bin" : "root";

	/* pam_apikey, then the spy recording what it left */
	stack("ask", "auth required %M db=%D nodelay\n"
		     "auth optional %S log=%L\n");
	stack("forward", "auth required %M db=%D nodelay forward_pass\n"
			 "auth optional %S log=%L\n");
	/* an earlier module left a token (set=), pam_apikey reads it */
	snprintf(lines, sizeof(lines),
		 "auth optional %%S set=%s\n"
		 "auth required %%M db=%%D nodelay try_first_pass\n"
		 "auth optional %%S log=%%L\n", my_key);
	stack("try-right", lines);
	snprintf(lines, sizeof(lines),
		 "auth optional %%S set=%s\n"
		 "auth required %%M db=%%D nodelay try_first_pass\n"
		 "auth optional %%S log=%%L\n", forged);
	stack("try-wrong", lines);
	stack("try-password", "auth optional %S set=" PASSWORD "\n"
			      "auth required %M db=%D nodelay try_first_pass\n");
	stack("try-none", "auth required %M db=%D nodelay try_first_pass\n"
			  "auth optional %S log=%L\n");
	snprintf(lines, sizeof(lines),
		 "auth optional %%S set=%s\n"
		 "auth required %%M db=%%D nodelay use_first_pass\n", my_key);
	stack("use-right", lines);
	snprintf(lines, sizeof(lines),
		 "auth optional %%S set=%s\n"
		 "auth required %%M db=%%D nodelay use_first_pass\n", forged);
	stack("use-wrong", lines);
	stack("use-none", "auth required %M db=%D nodelay use_first_pass\n");
	stack("authtok-none", "auth required %M db=%D nodelay use_authtok\n");
	/* Debian's shape (pam-auth-update's success=end): a key or the password
	 * at one prompt, the spy standing in for pam_unix try_first_pass. */
	stack("one-prompt", "auth [success=2 default=ignore] %M db=%D nodelay forward_pass\n"
			    "auth [success=1 default=ignore] %S log=%L password=" PASSWORD
			    " try_first_pass\n"
			    "auth requisite pam_deny.so\n"
			    "auth required pam_permit.so\n");
	stack("one-prompt-long",
	      "auth [success=2 default=ignore] %M db=%D nodelay forward_pass\n"
	      "auth [success=1 default=ignore] %S log=%L password=" LONG_PASSPHRASE " try_first_pass\n"
	      "auth requisite pam_deny.so\n"
	      "auth required pam_permit.so\n");
	stack("one-prompt-ignore",
	      "auth [success=2 ignore=ignore default=die] %M db=%D nodelay forward_pass nokeys_ignore\n"
	      "auth [success=1 default=ignore] %S log=%L password=" PASSWORD " try_first_pass\n"
	      "auth requisite pam_deny.so\n"
	      "auth required pam_permit.so\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_db_remove(&T);
	return 0;
}

/* ---- by default nothing is left for the next module ---------------------- */

static void default_mode_never_sets_authtok(void **state)
{
	const char *answers[] = { my_key, other_key, forged, typo, PASSWORD, "" };
	const int want[] = { PAM_SUCCESS, PAM_AUTH_ERR, PAM_AUTH_ERR, PAM_AUTH_ERR,
			     PAM_AUTH_ERR, PAM_AUTH_ERR };
	size_t i;
	int prompts;

	(void)state;
	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		assert_int_equal(login("ask", answers[i], &prompts), want[i]);
		assert_int_equal(prompts, 1);
		assert_string_equal(seen, "no authtok\n");
	}
}

/* Two pam_apikey lines: the second, with use_first_pass, gets nothing from
 * the first, which asked. */
static void second_module_gets_nothing_from_the_first(void **state)
{
	int prompts;

	(void)state;
	stack("twice", "auth optional %M db=%D nodelay\n"
		       "auth required %M db=%D nodelay use_first_pass\n");
	assert_int_equal(login("twice", my_key, &prompts), PAM_AUTHTOK_RECOVERY_ERR);
	assert_int_equal(prompts, 1);
}

/* ---- try_first_pass ------------------------------------------------------ */

static void try_first_pass_uses_an_earlier_token(void **state)
{
	int prompts;

	(void)state;
	/* a right earlier token: no prompt (the conversation would fail) */
	assert_int_equal(login("try-right", NULL, &prompts), PAM_SUCCESS);
	assert_int_equal(prompts, 0);
	assert_string_equal(seen, authtok_line(my_key)); /* the earlier module's, untouched */
}

static void try_first_pass_asks_again_after_a_wrong_token(void **state)
{
	int prompts;

	(void)state;
	assert_int_equal(login("try-wrong", my_key, &prompts), PAM_SUCCESS);
	assert_int_equal(prompts, 1);
	/* the typed key did not replace the earlier token */
	assert_string_equal(seen, authtok_line(forged));
	assert_int_equal(login("try-wrong", other_key, &prompts), PAM_AUTH_ERR);
	assert_int_equal(prompts, 1);
	/* an earlier password is no key: asked too */
	assert_int_equal(login("try-password", my_key, &prompts), PAM_SUCCESS);
	assert_int_equal(prompts, 1);
	assert_int_equal(login("try-password", NULL, &prompts), PAM_CONV_ERR);
	assert_int_equal(prompts, 1);
}

static void try_first_pass_asks_without_a_token(void **state)
{
	int prompts;

	(void)state;
	assert_int_equal(login("try-none", my_key, &prompts), PAM_SUCCESS);
	assert_int_equal(prompts, 1);
	assert_string_equal(seen, "no authtok\n");
	assert_int_equal(login("try-none", forged, &prompts), PAM_AUTH_ERR);
	assert_int_equal(prompts, 1);
	assert_string_equal(seen, "no authtok\n");
}

/* ---- use_first_pass, use_authtok ----------------------------------------- */

static void use_first_pass_never_asks(void **state)
{
	int prompts;

	(void)state;
	assert_int_equal(login("use-right", my_key, &prompts), PAM_SUCCESS);
	assert_int_equal(prompts, 0);
	assert_int_equal(login("use-wrong", my_key, &prompts), PAM_AUTH_ERR);
	assert_int_equal(prompts, 0);
}

static void use_first_pass_without_a_token_fails(void **state)
{
	int prompts;

	(void)state;
	/* the conversation would give the right key: never asked */
	assert_int_equal(login("use-none", my_key, &prompts), PAM_AUTHTOK_RECOVERY_ERR);
	assert_int_equal(prompts, 0);
	assert_int_equal(login("authtok-none", my_key, &prompts), PAM_AUTHTOK_RECOVERY_ERR);
	assert_int_equal(prompts, 0);
}

/* ---- forward_pass -------------------------------------------------------- */

static void forward_pass_password_logs_in_with_one_prompt(void **state)
{
	int prompts;

	(void)state;
	assert_int_equal(login("one-prompt", PASSWORD, &prompts), PAM_SUCCESS);
	assert_int_equal(prompts, 1);
	assert_string_equal(seen, authtok_line(PASSWORD));
	assert_int_equal(login("one-prompt", "not " PASSWORD, &prompts), PAM_AUTH_ERR);
	assert_int_equal(prompts, 1);
	assert_string_equal(seen, authtok_line("not " PASSWORD));
}

static void forward_pass_right_key_logs_in(void **state)
{
	struct conv_script cs = { .response = my_key };
	int prompts;

	(void)state;
	assert_int_equal(login("one-prompt", my_key, &prompts), PAM_SUCCESS);
	assert_int_equal(prompts, 1);
	assert_string_equal(seen, ""); /* success ended the stack: the next module never ran */
	assert_int_equal(pam_run(conf, "one-prompt", me(), &cs), PAM_SUCCESS);
	assert_string_equal(cs.last_prompt, "Password: ");
}

static void forward_pass_never_forwards_a_key(void **state)
{
	const char *keys[] = { my_key, other_key, forged, typo };
	char spaced[APK_KEY_LEN + 2];
	size_t i;
	int prompts;

	(void)state;
	/* the next module asks for its own password: a second prompt, no token */
	assert_int_equal(login("one-prompt", forged, &prompts), PAM_AUTH_ERR);
	assert_int_equal(prompts, 2);
	assert_string_equal(seen, "no authtok\n");
	/* the spy runs after every answer here: a key never reaches it */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		assert_int_equal(login("forward", keys[i], &prompts),
				 i == 0 ? PAM_SUCCESS : PAM_AUTH_ERR);
		assert_int_equal(prompts, 1);
		assert_string_equal(seen, "no authtok\n");
	}
	snprintf(spaced, sizeof(spaced), "%s ", my_key);
	assert_int_equal(login("forward", spaced, &prompts), PAM_AUTH_ERR);
	assert_string_equal(seen, "no authtok\n");
	for (i = 0; spaced[i] != '\0'; i++) /* caps lock on */
		spaced[i] = (char)(islower((unsigned char)spaced[i]) ? toupper((unsigned char)spaced[i])
								     : tolower((unsigned char)spaced[i]));
	assert_int_equal(login("forward", spaced, &prompts), PAM_AUTH_ERR);
	assert_string_equal(seen, "no authtok\n");
	/* what is not a key goes on */
	assert_int_equal(login("forward", PASSWORD, &prompts), PAM_AUTH_ERR);
	assert_string_equal(seen, authtok_line(PASSWORD));
}

/* 1 when the log of the last login ends with note. */
static int log_ends_with(const char *note)
{
	size_t n = strlen(note);

	return loglen >= n && strcmp(logbuf + loglen - n, note) == 0;
}

/* flip: caps lock (swap case), upper or lower: each letter of s in place. */
static void recase(char *s, int flip)
{
	for (; *s != '\0'; s++) {
		int c = (unsigned char)*s;

		if (flip == 0)
			*s = (char)(islower(c) ? toupper(c) : tolower(c));
		else
			*s = (char)(flip > 0 ? toupper(c) : tolower(c));
	}
}

#define N_MANGLED 25

/* Every mangled form of key (a whole token) in out[]: none of them is a
 * key apk_key_parse takes, each still carries most of its secret. */
static size_t mangle(const char *key, char out[N_MANGLED][256])
{
	const char *body = key + APK_KEY_PREFIX_LEN;
	size_t n = 0, i, k;

	snprintf(out[n++], 256, "%s", body);                      /* prefix cut */
	snprintf(out[n++], 256, "apk-%s", body);                  /* wrong separator */
	snprintf(out[n++], 256, "apk %s", body);                  /* space for _ */
	snprintf(out[n++], 256, "apk.%s", body);
	snprintf(out[n++], 256, "ap_%s", body);                   /* a letter lost */
	snprintf(out[n++], 256, "pk_%s", body);
	snprintf(out[n++], 256, "%s", key + APK_KEY_LEN - 44);    /* the last 44 */
	snprintf(out[n++], 256, "%s", key + APK_KEY_LEN - APK_KEYLIKE_CHARS);
	snprintf(out[n++], 256, "%.32s", body);                   /* id and 20 secret */
	snprintf(out[n++], 256, "%.40s", key);                    /* cut short */
	snprintf(out[n++], 256, "%.24s", key);                    /* the prefix, 20 more */
	snprintf(out[n++], 256, "  %s  ", key);                   /* spaces around */
	snprintf(out[n++], 256, "\t%s\n", body);
	snprintf(out[n++], 256, "key: %s (new)", key);            /* inside other text */
	snprintf(out[n++], 256, "my key is %s, thanks", body);
	snprintf(out[n++], 256, "%.30s\n%s", body, body + 30);    /* newline inside */
	snprintf(out[n++], 256, "%.20s %s", body, body + 20);     /* space inside */
	snprintf(out[n++], 256, "%.31s!%s", body, body + 32);     /* a typo: '!' */
	snprintf(out[n++], 256, "%.31s\xc3\xa9%s", body, body + 32); /* a typo: 'é' */
	for (i = 0, k = 0; body[i] != '\0'; i++) {               /* in groups of 4 */
		if (i > 0 && i % 4 == 0)
			out[n][k++] = ' ';
		out[n][k++] = body[i];
	}
	out[n++][k] = '\0';
	snprintf(out[n], 256, "%s", key);                         /* caps lock on */
	recase(out[n++], 0);
	snprintf(out[n], 256, "%s", body);
	recase(out[n++], 0);
	snprintf(out[n], 256, "%s", body);                        /* all upper */
	recase(out[n++], 1);
	snprintf(out[n], 256, "%s", body);                        /* all lower */
	recase(out[n++], -1);
	snprintf(out[n], 256, "%s", key + APK_KEY_LEN - 44);      /* last 44, lower */
	recase(out[n++], -1);
	return n;
}

/* The spy after pam_apikey sees none of the mangled forms of either key,
 * and the refusal's log line says the answer went no further. */
static void forward_pass_keeps_every_mangled_key(void **state)
{
	const char *keys[] = { my_key, other_key };
	char forms[N_MANGLED][256];
	struct apk_key k;
	size_t i, j, n;
	int prompts;

	(void)state;
	for (j = 0; j < sizeof(keys) / sizeof(keys[0]); j++) {
		n = mangle(keys[j], forms);
		assert_int_equal(n, N_MANGLED);
		for (i = 0; i < n; i++) {
			assert_int_not_equal(apk_key_parse(forms[i], strlen(forms[i]), &k), APK_OK);
			assert_int_equal(login("forward", forms[i], &prompts), PAM_AUTH_ERR);
			assert_int_equal(prompts, 1);
			if (strcmp(seen, "no authtok\n") != 0)
				fail_msg("key %zu, form %zu reached the next module", j, i);
			if (!log_ends_with(NOTE_KEPT_BACK))
				fail_msg("key %zu, form %zu: no \"not passed on\" in the log", j, i);
		}
	}
}

/* Ordinary passwords go on to the next module as they were typed. */
static void forward_pass_passes_on_ordinary_passwords(void **state)
{
	static const char *const passwords[] = {
		"hunter2",
		"Tr0ub4dor&3",
		PASSWORD,
		"correct horse battery staple",
		"Correct Horse Battery Staple 1987!",
		"  spaces around and inside  ",
		"my dog's name is Rex, born 2019",
		"apk",
		"x7Kq9mZ2pL4vN8rT1wY6bH3jF5dS0gA", /* 31 characters of the alphabet */
		"\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c \xd0\xbe\xd1\x87\xd0\xb5\xd0"
		"\xbd\xd1\x8c \xd0\xb4\xd0\xbb\xd0\xb8\xd0\xbd\xd0\xbd\xd1\x8b\xd0\xb9 \xd0\xbf"
		"\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c",
	};
	size_t i;
	int prompts;

	(void)state;
	for (i = 0; i < sizeof(passwords) / sizeof(passwords[0]); i++) {
		assert_int_equal(login("forward", passwords[i], &prompts), PAM_AUTH_ERR);
		assert_int_equal(prompts, 1);
		assert_string_equal(seen, authtok_line(passwords[i]));
		assert_true(log_ends_with(NOTE_PASSED_ON));
	}
}

/* The rule's cost: a passphrase of 32 key characters or more is kept back
 * like a key; the next module, finding no token, asks for the password
 * again (a second prompt) and logs in with it. */
static void forward_pass_long_passphrase_is_asked_again(void **state)
{
	int prompts;

	(void)state;
	assert_int_equal(login("one-prompt-long", LONG_PASSPHRASE, &prompts), PAM_SUCCESS);
	assert_int_equal(prompts, 2);
	assert_string_equal(seen, "no authtok\n");
	assert_non_null(strstr(logbuf, "not a valid API key " NOTE_KEPT_BACK));
	/* the same stack passes a shorter password on: one prompt */
	assert_int_equal(login("one-prompt-long", PASSWORD, &prompts), PAM_AUTH_ERR);
	assert_string_equal(seen, authtok_line(PASSWORD));
}

static void forward_pass_account_without_keys(void **state)
{
	int prompts;

	(void)state;
	/* refused here, checked by the next module */
	assert_int_equal(login_as("forward", nokeys_user, PASSWORD, &prompts), PAM_AUTH_ERR);
	assert_string_equal(seen, authtok_line(PASSWORD));
	/* nokeys_ignore: PAM_IGNORE (default=die would stop a refusal), still forwarded */
	assert_int_equal(login_as("one-prompt-ignore", nokeys_user, PASSWORD, &prompts),
			 PAM_SUCCESS);
	assert_int_equal(prompts, 1);
	assert_string_equal(seen, authtok_line(PASSWORD));
	/* an account with keys and a wrong password: refused, not ignored */
	assert_int_equal(login("one-prompt-ignore", PASSWORD, &prompts), PAM_AUTH_ERR);
	assert_string_equal(seen, "");
}

static void forward_pass_prompt_option(void **state)
{
	struct conv_script cs = { .response = my_key };

	(void)state;
	stack("forward-prompt", "auth required %M db=%D nodelay forward_pass [prompt=Key or password: ]\n");
	assert_int_equal(pam_run(conf, "forward-prompt", me(), &cs), PAM_SUCCESS);
	assert_string_equal(cs.last_prompt, "Key or password: ");
	assert_int_equal(pam_run(conf, "ask", me(), &cs), PAM_SUCCESS);
	assert_string_equal(cs.last_prompt, "API key: ");
}

static void conflicting_answer_options_fail_closed(void **state)
{
	int prompts;

	(void)state;
	stack("conflict", "auth required %M db=%D nodelay forward_pass try_first_pass\n");
	assert_int_equal(login("conflict", my_key, &prompts), PAM_SERVICE_ERR);
	assert_int_equal(prompts, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_mode_never_sets_authtok),
		cmocka_unit_test(second_module_gets_nothing_from_the_first),
		cmocka_unit_test(try_first_pass_uses_an_earlier_token),
		cmocka_unit_test(try_first_pass_asks_again_after_a_wrong_token),
		cmocka_unit_test(try_first_pass_asks_without_a_token),
		cmocka_unit_test(use_first_pass_never_asks),
		cmocka_unit_test(use_first_pass_without_a_token_fails),
		cmocka_unit_test(forward_pass_password_logs_in_with_one_prompt),
		cmocka_unit_test(forward_pass_right_key_logs_in),
		cmocka_unit_test(forward_pass_never_forwards_a_key),
		cmocka_unit_test(forward_pass_keeps_every_mangled_key),
		cmocka_unit_test(forward_pass_passes_on_ordinary_passwords),
		cmocka_unit_test(forward_pass_long_passphrase_is_asked_again),
		cmocka_unit_test(forward_pass_account_without_keys),
		cmocka_unit_test(forward_pass_prompt_option),
		cmocka_unit_test(conflicting_answer_options_fail_closed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
