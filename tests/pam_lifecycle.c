/* pam_lifecycle.c - a key's lifecycle fields enforced by pam_apikey through
 * the real libpam: each refusal with its log reason (expired, disabled,
 * service, source address, PAM_RHOST unset or a host name), a wrong secret
 * on a refused key still only "key does not match", the expiry warning
 * (warn=, PAM_SILENT), PAM_APIKEY_ID and PAM_APIKEY_NAME after a success
 * and only then, the key's last use recorded after a success and only then
 * (cmocka; no root needed).
 *
 * The module's log lines are captured (tests/lib/log_capture.c); each
 * login starts an empty log. Keys with restrictions are written through
 * the store and keyring API, as apikeyctl does (apk_store_save gives each
 * key its last-used slot).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "keyfmt.h"
#include "lastused.h"
#include "log_capture.h"
#include "pam_harness.h"
#include "record.h"
#include "test_db.h"

static struct test_db T;
static char conf[PATH_MAX];
static char plain_key[APK_KEY_LEN + 1], plain_id[APK_ID_LEN + 1];
static struct apk_account ME;

/* ---- the messages of one login ------------------------------------------------ */

/* What one login saw: the conversation (tests/lib/pam_conv.h: its answer
 * and the PAM_TEXT_INFO messages) and the environment the module left in
 * the handle. */
struct login {
	struct conv_script cs;
	char env_id[64], env_name[128];
	int has_id, has_name;
};

static void getenv_copy(pam_handle_t *pamh, const char *name, char *out, size_t outsz, int *has)
{
	const char *v = pam_getenv(pamh, name);

	*has = v != NULL;
	snprintf(out, outsz, "%s", v != NULL ? v : "");
}

/* One pam_authenticate of the running account through service svc with
 * PAM_RHOST rhost (NULL: unset) and flags; fills l and the log. */
static int login(const char *svc, const char *rhost, int flags, const char *token, struct login *l)
{
	struct pam_conv c = { harness_conv, &l->cs };
	pam_handle_t *pamh = NULL;
	int rc;

	memset(l, 0, sizeof(*l));
	l->cs.response = token;
	loglen = 0;
	logbuf[0] = '\0';
	if (pam_start_confdir(svc, me(), &c, conf, &pamh) != PAM_SUCCESS)
		return -1;
	if (rhost != NULL)
		pam_set_item(pamh, PAM_RHOST, rhost);
	rc = pam_authenticate(pamh, flags);
	getenv_copy(pamh, "PAM_APIKEY_ID", l->env_id, sizeof(l->env_id), &l->has_id);
	getenv_copy(pamh, "PAM_APIKEY_NAME", l->env_name, sizeof(l->env_name), &l->has_name);
	pam_end(pamh, rc);
	return rc;
}

/* ---- keys with restrictions ------------------------------------------------ */

struct restrictions {
	int64_t expires; /* 0: never */
	bool disabled;
	const char *services, *networks; /* comma-separated, NULL: none */
};

/* The recorded last use of key id. */
static struct apk_lastused last_use(const char *id)
{
	struct apk_lastused u;

	memset(&u, 0, sizeof(u));
	assert_int_equal(apk_lastused_read(T.path, ME.uid, &id, 1, &u), APK_OK);
	return u;
}

/* A new key of the running account named name with restrictions r; its
 * token in token and its id in id (when not NULL). */
static void make_key(const char *name, const struct restrictions *r, char token[APK_KEY_LEN + 1],
		     char id[APK_ID_LEN + 1])
{
	struct apk_store_change *ch;
	struct apk_keyring kr;
	struct apk_record *added = NULL;
	char err[256];

	assert_int_equal(apk_store_begin(T.path, ME.uid, 2000, &kr, &ch), APK_OK);
	assert_int_equal(apk_keyring_generate(&kr, &ME, name, NULL, (int64_t)time(NULL), token,
					      &added), APK_OK);
	added->expires = r->expires;
	added->disabled = r->disabled;
	if (r->services != NULL)
		assert_int_equal(apk_services_parse(&r->services, 1, &added->services, err,
						    sizeof(err)), APK_OK);
	if (r->networks != NULL)
		assert_int_equal(apk_networks_parse(&r->networks, 1, &added->networks, err,
						    sizeof(err)), APK_OK);
	if (id != NULL)
		snprintf(id, APK_ID_LEN + 1, "%s", added->id);
	assert_int_equal(apk_store_save(ch, &kr), APK_OK);
	apk_keyring_free(&kr);
}

/* token with its secret changed: the right id and checksum, a wrong secret. */
static void wrong_secret(const char *token, char out[APK_KEY_LEN + 1])
{
	struct apk_key k;

	assert_int_equal(apk_key_parse(token, strlen(token), &k), APK_OK);
	k.secret[0] ^= 1;
	apk_key_format(&k, out);
	apk_key_wipe(&k);
}

/* The login was refused, for reason, with no environment set. */
static void refused(int rc, const struct login *l, const char *reason)
{
	char want[256];

	snprintf(want, sizeof(want), ": %s\n", reason);
	assert_int_equal(rc, PAM_AUTH_ERR);
	if (strstr(logbuf, want) == NULL || strstr(logbuf, "refused key (id ") == NULL)
		fail_msg("no refusal for \"%s\" in the log:\n%s", reason, logbuf);
	assert_false(l->has_id);
	assert_false(l->has_name);
}

static void accepted(int rc, const struct login *l)
{
	assert_int_equal(rc, PAM_SUCCESS);
	if (strstr(logbuf, "accepted key ") == NULL)
		fail_msg("no acceptance in the log:\n%s", logbuf);
	assert_true(l->has_id);
	assert_true(l->has_name);
}

static void service(const char *name, const char *args)
{
	char lines[1024];

	snprintf(lines, sizeof(lines), "auth required %%M db=%s nodelay %s\n", T.path, args);
	write_service(conf, name, lines);
}

static int setup(void **state)
{
	(void)state;
	if (pam_fixture(&T, conf, plain_key, NULL) != 0)
		return -1;
	memcpy(plain_id, plain_key + APK_KEY_PREFIX_LEN, APK_ID_LEN);
	ME = test_account(me(), -1);
	service("sshd", "");
	service("su", "");
	service("quiet", "warn=0");
	service("early", "warn=30");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_db_remove(&T);
	return 0;
}

/* ---- the tests -------------------------------------------------------------- */

static void plain_key_sets_its_id_and_name(void **state)
{
	struct login l;

	(void)state;
	accepted(login("su", NULL, 0, plain_key, &l), &l);
	assert_int_equal(strncmp(l.env_id, plain_key + APK_KEY_PREFIX_LEN, APK_ID_LEN), 0);
	assert_int_equal(strlen(l.env_id), APK_ID_LEN);
	assert_string_equal(l.env_name, "mine");
	assert_string_equal(l.cs.info, ""); /* no expiry, no warning */
}

static void expiry_counts_to_the_second(void **state)
{
	struct restrictions r = { (int64_t)time(NULL) + 2, false, NULL, NULL };
	char tok[APK_KEY_LEN + 1], id[APK_ID_LEN + 1];
	struct login l;

	(void)state;
	make_key("brief", &r, tok, id);
	accepted(login("su", NULL, 0, tok, &l), &l);
	assert_string_equal(l.env_id, id);
	assert_string_equal(l.env_name, "brief");
	while ((int64_t)time(NULL) < r.expires)
		usleep(50 * 1000);
	refused(login("su", NULL, 0, tok, &l), &l, "key expired");
}

static void disabled_key_is_refused(void **state)
{
	struct restrictions r = { 0, true, NULL, NULL };
	char tok[APK_KEY_LEN + 1];
	struct login l;

	(void)state;
	make_key("off", &r, tok, NULL);
	refused(login("su", "127.0.0.1", 0, tok, &l), &l, "key disabled");
}

static void only_the_listed_services(void **state)
{
	struct restrictions r = { 0, false, "sshd,login", NULL };
	char tok[APK_KEY_LEN + 1];
	struct login l;

	(void)state;
	make_key("ssh-only", &r, tok, NULL);
	accepted(login("sshd", NULL, 0, tok, &l), &l);
	accepted(login("SSHD", NULL, 0, tok, &l), &l); /* libpam lower-cases it: sshd */
	refused(login("su", NULL, 0, tok, &l), &l, "service not allowed for this key");
	refused(login("quiet", NULL, 0, tok, &l), &l, "service not allowed for this key");
}

static void only_the_listed_networks(void **state)
{
	struct restrictions r = { 0, false, NULL, "127.0.0.1,192.0.2.0/24,2001:db8::/32" };
	char tok[APK_KEY_LEN + 1];
	struct login l;

	(void)state;
	make_key("netted", &r, tok, NULL);
	accepted(login("sshd", "127.0.0.1", 0, tok, &l), &l);
	accepted(login("sshd", "192.0.2.200", 0, tok, &l), &l);
	accepted(login("sshd", "2001:db8:1::5", 0, tok, &l), &l);
	accepted(login("sshd", "::ffff:127.0.0.1", 0, tok, &l), &l);   /* IPv4-mapped */
	accepted(login("sshd", "::FFFF:192.0.2.9", 0, tok, &l), &l);
	refused(login("sshd", "127.0.0.2", 0, tok, &l), &l, "source address not allowed for this key");
	refused(login("sshd", "198.51.100.1", 0, tok, &l), &l,
		"source address not allowed for this key");
	refused(login("sshd", "2001:db9::1", 0, tok, &l), &l,
		"source address not allowed for this key");
	refused(login("sshd", "::ffff:127.0.0.2", 0, tok, &l), &l,
		"source address not allowed for this key");
	refused(login("sshd", "::1", 0, tok, &l), &l, "source address not allowed for this key");
	/* fail closed: no address to check, and the log says why */
	refused(login("sshd", NULL, 0, tok, &l), &l,
		"source address not allowed for this key (no remote host given)");
	refused(login("sshd", "", 0, tok, &l), &l,
		"source address not allowed for this key (no remote host given)");
	refused(login("sshd", "localhost", 0, tok, &l), &l,
		"source address not allowed for this key (the remote host is a name, not an address)");
	refused(login("sshd", "host.example.org", 0, tok, &l), &l,
		"source address not allowed for this key (the remote host is a name, not an address)");
	/* a key without networks logs in from anywhere, or nowhere named */
	accepted(login("sshd", NULL, 0, plain_key, &l), &l);
	accepted(login("sshd", "host.example.org", 0, plain_key, &l), &l);
}

/* A wrong secret is "key does not match", whatever the key's state. */
static void wrong_secret_on_a_refused_key_does_not_match(void **state)
{
	struct restrictions expired = { (int64_t)time(NULL) + 1, false, NULL, NULL };
	struct restrictions off = { 0, true, "sudo", "10.0.0.0/8" };
	char tok1[APK_KEY_LEN + 1], tok2[APK_KEY_LEN + 1], bad[APK_KEY_LEN + 1];
	struct login l;

	(void)state;
	make_key("gone", &expired, tok1, NULL);
	make_key("everything-off", &off, tok2, NULL);
	while ((int64_t)time(NULL) < expired.expires)
		usleep(50 * 1000);
	refused(login("su", NULL, 0, tok1, &l), &l, "key expired");
	wrong_secret(tok1, bad);
	refused(login("su", NULL, 0, bad, &l), &l, "key does not match");
	assert_null(strstr(logbuf, "expired"));
	wrong_secret(tok2, bad);
	refused(login("su", NULL, 0, bad, &l), &l, "key does not match");
	assert_null(strstr(logbuf, "not allowed"));
	assert_null(strstr(logbuf, "disabled"));
}

/* The time the warning names, worked out here from the stored expiry. */
static void warning_for(int64_t t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char when[32];

	gmtime_r(&tt, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	snprintf(out, outsz, "This API key expires on %s UTC.\n", when);
}

static void near_expiry_is_announced(void **state)
{
	struct restrictions soon = { (int64_t)time(NULL) + 3 * 86400 + 123, false, NULL, NULL };
	struct restrictions later = { (int64_t)time(NULL) + 20 * 86400, false, NULL, NULL };
	char tok[APK_KEY_LEN + 1], tok_later[APK_KEY_LEN + 1], want[128];
	struct login l;

	(void)state;
	make_key("soon", &soon, tok, NULL);
	make_key("later", &later, tok_later, NULL);
	warning_for(soon.expires, want, sizeof(want));
	accepted(login("su", NULL, 0, tok, &l), &l);
	assert_string_equal(l.cs.info, want);
	/* PAM_SILENT, warn=0: nothing said, the login the same */
	accepted(login("su", NULL, PAM_SILENT, tok, &l), &l);
	assert_string_equal(l.cs.info, "");
	accepted(login("quiet", NULL, 0, tok, &l), &l);
	assert_string_equal(l.cs.info, "");
	/* 20 days ahead: only with warn=30 */
	accepted(login("su", NULL, 0, tok_later, &l), &l);
	assert_string_equal(l.cs.info, "");
	warning_for(later.expires, want, sizeof(want));
	accepted(login("early", NULL, 0, tok_later, &l), &l);
	assert_string_equal(l.cs.info, want);
	/* a refused key is never announced */
	refused(login("early", NULL, 0, "apk_not-a-key", &l), &l, "not a valid API key");
	assert_string_equal(l.cs.info, "");
}

static void last_use_is_recorded_on_success_only(void **state)
{
	struct restrictions ssh_only = { 0, false, "sshd", NULL };
	char tok[APK_KEY_LEN + 1], id[APK_ID_LEN + 1], bad[APK_KEY_LEN + 1];
	struct apk_lastused u;
	struct login l;
	int64_t t0;

	(void)state;
	make_key("used", &ssh_only, tok, id);
	assert_false(last_use(id).used);
	/* refusals leave it as it was: the service, a wrong secret */
	refused(login("su", "192.0.2.1", 0, tok, &l), &l, "service not allowed for this key");
	wrong_secret(tok, bad);
	refused(login("sshd", "192.0.2.1", 0, bad, &l), &l, "key does not match");
	assert_false(last_use(id).used);

	t0 = (int64_t)time(NULL);
	accepted(login("sshd", "2001:db8::7", 0, tok, &l), &l);
	u = last_use(id);
	assert_true(u.used);
	assert_in_range(u.time, t0, (int64_t)time(NULL));
	assert_string_equal(u.service, "sshd");
	assert_string_equal(u.rhost, "2001:db8::7");

	/* a refusal after it changes nothing */
	refused(login("su", "198.51.100.1", 0, tok, &l), &l, "service not allowed for this key");
	u = last_use(id);
	assert_string_equal(u.service, "sshd");
	assert_string_equal(u.rhost, "2001:db8::7");
	/* the next success replaces it; an unset PAM_RHOST is stored empty */
	accepted(login("sshd", NULL, 0, tok, &l), &l);
	u = last_use(id);
	assert_true(u.used);
	assert_string_equal(u.rhost, "");
}

/* A login whose last use cannot be recorded stands: no slot (a key whose
 * change was not followed by apk_lastused_assign), or no file at all. */
static void login_stands_when_last_use_cannot_be_recorded(void **state)
{
	struct restrictions none = { 0, false, NULL, NULL };
	char tok[APK_KEY_LEN + 1], id[APK_ID_LEN + 1], path[PATH_MAX];
	const char *only_plain = plain_id;
	struct login l;

	(void)state;
	make_key("slotless", &none, tok, id);
	/* slots for the plain key alone: this key has none */
	assert_int_equal(apk_lastused_assign(T.path, ME.uid, &only_plain, 1), APK_OK);
	assert_false(last_use(id).used);
	accepted(login("sshd", "192.0.2.1", 0, tok, &l), &l);
	assert_false(last_use(id).used);
	snprintf(path, sizeof(path), "%s/u%u.used", T.path, (unsigned)ME.uid);
	assert_int_equal(unlink(path), 0);
	accepted(login("sshd", "192.0.2.1", 0, tok, &l), &l);
	accepted(login("sshd", "192.0.2.1", 0, plain_key, &l), &l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_key_sets_its_id_and_name),
		cmocka_unit_test(expiry_counts_to_the_second),
		cmocka_unit_test(disabled_key_is_refused),
		cmocka_unit_test(only_the_listed_services),
		cmocka_unit_test(only_the_listed_networks),
		cmocka_unit_test(wrong_secret_on_a_refused_key_does_not_match),
		cmocka_unit_test(near_expiry_is_announced),
		cmocka_unit_test(last_use_is_recorded_on_success_only),
		cmocka_unit_test(login_stands_when_last_use_cannot_be_recorded),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
