/* pam_hostile_invisible.c - invisible characters (zero-width spaces and
 * joiners, word joiner and invisible operators, the byte order mark, tag
 * characters, variation selectors, fillers, the soft hyphen) in what a
 * login hands pam_apikey, through the real libpam (cmocka; no root needed).
 *
 * Each one, in the user name, the service name and PAM_RHOST, comes out as
 * \xHH in the module's log line, in the key's last-use slot, and in
 * `apikeyctl list` and `list --json` of that slot; a description 0.2.0
 * stored with such characters still logs in and is listed escaped (\xHH
 * in the table, \uXXXX in JSON).
 */
#include "hostile_harness.h"

#include "lastused.h"

/* The ends of each range validate.c escapes for being invisible. */
static const struct {
	const char *cp, *utf8;
} samples[] = {
	{ "U+200B", "\xe2\x80\x8b" },     { "U+200C", "\xe2\x80\x8c" },
	{ "U+200D", "\xe2\x80\x8d" },     { "U+2060", "\xe2\x81\xa0" },
	{ "U+2064", "\xe2\x81\xa4" },     { "U+2065", "\xe2\x81\xa5" },
	{ "U+206A", "\xe2\x81\xaa" },     { "U+206F", "\xe2\x81\xaf" },
	{ "U+FEFF", "\xef\xbb\xbf" },     { "U+E0000", "\xf3\xa0\x80\x80" },
	{ "U+E0001", "\xf3\xa0\x80\x81" }, { "U+E0041", "\xf3\xa0\x81\x81" },
	{ "U+E007F", "\xf3\xa0\x81\xbf" }, { "U+00AD", "\xc2\xad" },
	{ "U+034F", "\xcd\x8f" },         { "U+115F", "\xe1\x85\x9f" },
	{ "U+1160", "\xe1\x85\xa0" },     { "U+17B4", "\xe1\x9e\xb4" },
	{ "U+17B5", "\xe1\x9e\xb5" },     { "U+180B", "\xe1\xa0\x8b" },
	{ "U+180E", "\xe1\xa0\x8e" },     { "U+180F", "\xe1\xa0\x8f" },
	{ "U+3164", "\xe3\x85\xa4" },     { "U+FE00", "\xef\xb8\x80" },
	{ "U+FE0F", "\xef\xb8\x8f" },     { "U+FFA0", "\xef\xbe\xa0" },
	{ "U+FFF0", "\xef\xbf\xb0" },     { "U+FFF9", "\xef\xbf\xb9" },
	{ "U+FFFB", "\xef\xbf\xbb" },     { "U+1BCA0", "\xf0\x9b\xb2\xa0" },
	{ "U+1BCA3", "\xf0\x9b\xb2\xa3" }, { "U+1D173", "\xf0\x9d\x85\xb3" },
	{ "U+1D17A", "\xf0\x9d\x85\xba" }, { "U+E0100", "\xf3\xa0\x84\x80" },
	{ "U+E01EF", "\xf3\xa0\x87\xaf" }, { "U+E0FFF", "\xf3\xa0\xbf\xbf" },
};
#define N_SAMPLES (sizeof(samples) / sizeof(samples[0]))

/* what the final log check must cover at least (two logins per sample) */
static struct log_floor log_floor = { 2 * N_SAMPLES, 2 * N_SAMPLES };

/* pre, the character of sample i, post: as given (raw) and as every byte of
 * the character escaped \xHH (esc); json: esc as a JSON string's content. */
struct text {
	char raw[64], esc[128], json[192];
};

static void text_of(size_t i, const char *pre, const char *post, struct text *t)
{
	const unsigned char *p = (const unsigned char *)samples[i].utf8;
	size_t n = 0, j = 0;

	snprintf(t->raw, sizeof(t->raw), "%s%s%s", pre, samples[i].utf8, post);
	n = (size_t)snprintf(t->esc, sizeof(t->esc), "%s", pre);
	for (; *p != '\0'; p++)
		n += (size_t)snprintf(t->esc + n, sizeof(t->esc) - n, "\\x%02x", *p);
	snprintf(t->esc + n, sizeof(t->esc) - n, "%s", post);
	for (n = 0; t->esc[n] != '\0'; n++) {
		if (t->esc[n] == '\\')
			t->json[j++] = '\\';
		t->json[j++] = t->esc[n];
	}
	t->json[j] = '\0';
}

/* The log lines from mark on hold want and not the raw character of sample i. */
static void log_shows(size_t mark, size_t i, const char *want)
{
	if (strstr(logbuf + mark, want) == NULL ||
	    memmem(logbuf + mark, loglen - mark, samples[i].utf8, strlen(samples[i].utf8)) != NULL)
		fail_msg("%s: want \"%s\" and no raw character in the log:\n%s", samples[i].cp,
			 want, logbuf + mark);
}

/* What `apikeyctl ARGS` (the build's, on database db) prints, in out. */
static void apikeyctl(const char *db, const char *args, char *out, size_t outsz)
{
	char ctl[PATH_MAX], cmd[3 * PATH_MAX];
	size_t n;
	FILE *fp;

	snprintf(cmd, sizeof(cmd), "APIKEY_DB='%s' '%s' %s 2>&1", db, built_path("apikeyctl", ctl),
		 args);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	n = fread(out, 1, outsz - 1, fp);
	out[n] = '\0';
	assert_int_equal(pclose(fp), 0);
}

/* ---- the log line -------------------------------------------------------------- */

static void log_line_escapes_invisible_characters(void **state)
{
	struct run_opts o = { NULL, 0, 0 };
	struct conv_script cs;
	struct text user, svc, host;
	char want[512];
	size_t i, mark;

	(void)state;
	for (i = 0; i < N_SAMPLES; i++) {
		text_of(i, "x", "y", &user);
		mark = loglen;
		assert_int_equal(run("plain", user.raw, my_key, NULL, &cs), PAM_USER_UNKNOWN);
		snprintf(want, sizeof(want), "for user %s service plain ", user.esc);
		log_shows(mark, i, want);

		text_of(i, "s", "", &svc);
		text_of(i, "192.0.2.1", "", &host);
		service(svc.raw, T.path, "nodelay");
		o.rhost = host.raw;
		mark = loglen;
		assert_int_equal(run(svc.raw, me(), my_key, &o, &cs), PAM_SUCCESS);
		snprintf(want, sizeof(want), "for user %s service %s rhost %s", me(), svc.esc,
			 host.esc);
		log_shows(mark, i, want);
	}
	assert_int_equal(log_multiline, 0);
	assert_int_equal(log_ctl, 0);
}

/* ---- the last-use slot and apikeyctl list ------------------------------------------ */

static void last_use_and_list_escape_invisible_characters(void **state)
{
	static char out[65536];
	const char *id = my_key + APK_KEY_PREFIX_LEN;
	char idbuf[APK_ID_LEN + 1], want[512];
	struct run_opts o = { NULL, 0, 0 };
	struct conv_script cs;
	struct apk_lastused u;
	struct text svc, host;
	size_t i;

	(void)state;
	memcpy(idbuf, id, APK_ID_LEN);
	idbuf[APK_ID_LEN] = '\0';
	id = idbuf;
	for (i = 0; i < N_SAMPLES; i++) {
		text_of(i, "v", "", &svc);
		text_of(i, "h", "", &host);
		service(svc.raw, T.path, "nodelay");
		o.rhost = host.raw;
		assert_int_equal(run(svc.raw, me(), my_key, &o, &cs), PAM_SUCCESS);

		assert_int_equal(apk_lastused_read(T.path, (uint32_t)getuid(), &id, 1, &u), APK_OK);
		assert_true(u.used);
		assert_string_equal(u.service, svc.esc);
		assert_string_equal(u.rhost, host.esc);

		apikeyctl(T.path, "list", out, sizeof(out));
		snprintf(want, sizeof(want), " %s %s ", svc.esc, host.esc);
		if (strstr(out, want) == NULL || strstr(out, samples[i].utf8) != NULL)
			fail_msg("%s: list shows no \"%s\":\n%s", samples[i].cp, want, out);
		apikeyctl(T.path, "list --json", out, sizeof(out));
		snprintf(want, sizeof(want), "\"service\": \"%s\", \"rhost\": \"%s\"", svc.json,
			 host.json);
		if (strstr(out, want) == NULL || strstr(out, samples[i].utf8) != NULL)
			fail_msg("%s: list --json shows no %s:\n%s", samples[i].cp, want, out);
	}
}

/* ---- a description stored by 0.2.0 ----------------------------------------------------- */

/* 0.2.0 refused only controls in a description: one with U+200B and a tag
 * character still decodes, the key logs in, and list shows it escaped. */
static void description_stored_by_0_2_is_read_and_escaped(void **state)
{
	static char out[65536];
	struct scratch s;

	(void)state;
	scratch_new(&s, 1);
	assert_int_equal(craft(s.db, my_key, "desc-invisible"), 0);
	service("crafted", s.db, "nodelay");
	assert_int_equal(auth("crafted", me(), my_key), PAM_SUCCESS);
	apikeyctl(s.db, "list", out, sizeof(out));
	if (strstr(out, " a\\xe2\\x80\\x8bb\\xf3\\xa0\\x81\\xa1\n") == NULL ||
	    strstr(out, "\xe2\x80\x8b") != NULL)
		fail_msg("list shows no escaped description:\n%s", out);
	/* JSON: the same text for a reader, \u escapes (U+E0061 as a
	 * surrogate pair) for a terminal */
	apikeyctl(s.db, "list --json", out, sizeof(out));
	if (strstr(out, "\"description\": \"a\\u200bb\\udb40\\udc61\"") == NULL ||
	    strstr(out, "\xe2\x80\x8b") != NULL)
		fail_msg("list --json shows no escaped description:\n%s", out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(log_line_escapes_invisible_characters),
		cmocka_unit_test(last_use_and_list_escape_invisible_characters),
		cmocka_unit_test(description_stored_by_0_2_is_read_and_escaped),
		cmocka_unit_test_prestate(no_secret_in_any_log_line, &log_floor),
	};
	return cmocka_run_group_tests(tests, hostile_setup, hostile_teardown);
}
