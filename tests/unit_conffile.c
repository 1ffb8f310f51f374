/* unit_conffile.c - the administrator's file (common/conffile.c): parsing
 * pam_apikey.conf text, and which files are read at all (owner, mode, type,
 * symlinks, size). Linked with the common library alone: the parser needs
 * nothing of apikeyctl. The file checks run as any user: as root a root-owned
 * file is read and one owned by another account refused; as another user
 * that user's own file is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conffile.h"
#include "unit_util.h"

static char err[512];
static char dir[] = "/tmp/apk-conffile-XXXXXX";

static struct apk_conf parsed(const char *text)
{
	struct apk_conf p;

	err[0] = '\0';
	if (apk_conf_parse(text, strlen(text), &p, err, sizeof(err)) != APK_OK)
		fail_msg("refused: %s", err);
	return p;
}

/* Refused with the defaults left in *p and a message holding want. */
static void refused(const char *text, size_t len, const char *want)
{
	struct apk_conf p, defaults;

	apk_conf_defaults(&defaults);
	memset(&p, 0x5A, sizeof(p));
	err[0] = '\0';
	assert_int_equal(apk_conf_parse(text, len, &p, err, sizeof(err)), APK_ERR_INVALID);
	assert_memory_equal(&p, &defaults, sizeof(p));
	if (strstr(err, want) == NULL)
		fail_msg("'%s': message '%s' lacks '%s'", text, err, want);
	assert_null(strchr(err, '\n'));
}

static void refused_text(const char *text, const char *want)
{
	refused(text, strlen(text), want);
}

/* A comment one byte longer than the largest file (malloc'd, a string). */
static char *one_long_comment(void)
{
	char *big = malloc(APK_CONF_MAX_BYTES + 2);

	assert_non_null(big);
	memset(big, '#', APK_CONF_MAX_BYTES + 1);
	big[APK_CONF_MAX_BYTES + 1] = '\0';
	return big;
}

/* ---- parsing ------------------------------------------------------------- */

static void defaults(void **state)
{
	struct apk_conf p;

	(void)state;
	apk_conf_defaults(&p);
	assert_int_equal(p.max_keys, APK_MAX_KEYS_PER_USER);
	assert_int_equal(p.max_lifetime, 0);
	assert_int_equal(p.default_lifetime, 0);
	assert_int_equal(p.services.n, 0);
	p = parsed("");
	assert_int_equal(p.max_keys, APK_MAX_KEYS_PER_USER);
	p = parsed("# only a comment\n\n   \t\n");
	assert_int_equal(p.max_keys, APK_MAX_KEYS_PER_USER);
	assert_int_equal(p.max_lifetime, 0);
}

static void every_setting(void **state)
{
	struct apk_conf p;
	char text[APK_SERVICES_TEXT_MAX + 1];

	(void)state;
	p = parsed("# pam_apikey.conf\n"
		   "max_keys = 20\n"
		   "\tmax_lifetime=365   # a year\n"
		   "default_lifetime = 90\n"
		   "services = sshd, SUDO\n");
	assert_int_equal(p.max_keys, 20);
	assert_int_equal(p.max_lifetime, 365);
	assert_int_equal(p.default_lifetime, 90);
	assert_string_equal(apk_services_text(&p.services, text, sizeof(text)), "sshd,sudo");
	/* without a final newline; `all` */
	p = parsed("services = all");
	assert_int_equal(p.services.n, 0);
	p = parsed("max_keys = 1000");
	assert_int_equal(p.max_keys, 1000);
	p = parsed("default_lifetime = never");
	assert_int_equal(p.default_lifetime, 0);
	p = parsed("max_lifetime = 100000\ndefault_lifetime = 100000\n");
	assert_int_equal(p.default_lifetime, 100000);
}

static void default_lifetime_follows_max(void **state)
{
	struct apk_conf p;

	(void)state;
	p = parsed("max_lifetime = 30\n");
	assert_int_equal(p.default_lifetime, 30);
	p = parsed("default_lifetime = 7\nmax_lifetime = 30\n");
	assert_int_equal(p.default_lifetime, 7);
	refused_text("max_lifetime = 30\ndefault_lifetime = 31\n",
		     "line 2: default_lifetime is beyond max_lifetime (30 days, line 1)");
	refused_text("default_lifetime = never\nmax_lifetime = 30\n",
		     "line 1: default_lifetime is beyond max_lifetime");
}

/* The directory settings of apikeyctl --fleet: texts of their kind. */
static void fleet_settings(void **state)
{
	struct apk_conf p;
	char big[APK_CONF_TEXT_MAX + 32];

	(void)state;
	p = parsed("");
	assert_string_equal(p.fleet_uri, "");
	assert_string_equal(p.fleet_base, "");
	assert_string_equal(p.fleet_tls_cacert, "");
	p = parsed("fleet_uri = ldaps://ldap.example.org:636\n"
		   "fleet_base = ou=people, dc=example,dc=org\n"
		   "fleet_tls_cacert = /etc/ssl/certs/ca.pem  # the site's CA\n");
	assert_string_equal(p.fleet_uri, "ldaps://ldap.example.org:636");
	assert_string_equal(p.fleet_base, "ou=people, dc=example,dc=org");
	assert_string_equal(p.fleet_tls_cacert, "/etc/ssl/certs/ca.pem");
	p = parsed("fleet_uri = ldapi://%2Frun%2Fslapd%2Fldapi\n");
	assert_string_equal(p.fleet_uri, "ldapi://%2Frun%2Fslapd%2Fldapi");
	refused_text("fleet_uri = http://example.org\n", "line 1: fleet_uri must be an ldapi://");
	refused_text("fleet_uri = ldap://a ldap://b\n", "fleet_uri must be");
	refused_text("fleet_uri = ldap://\n", "fleet_uri must be");
	refused_text("fleet_base = example\n", "fleet_base must be a distinguished name");
	refused_text("fleet_tls_cacert = ca.pem\n", "fleet_tls_cacert must be an absolute path");
	refused_text("fleet_base = ou=\xc3\xa9\n", "fleet_base must be");
	refused_text("fleet_uri = ldapi:///\nfleet_uri = ldapi:///\n", "line 2: fleet_uri is already set");
	memset(big, 'a', sizeof(big));
	memcpy(big, "fleet_tls_cacert = /", 20);
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = '\0';
	refused_text(big, "fleet_tls_cacert must be");
}

/* apikeyd's settings: how it binds, how often it polls, when the mirror is
 * stale, the host's name; durations with their units. */
static void host_settings(void **state)
{
	struct apk_conf p;

	(void)state;
	p = parsed("");
	assert_string_equal(p.fleet_bind_dn, "");
	assert_string_equal(p.fleet_bind_password_file, "");
	assert_string_equal(p.fleet_sasl_mech, "");
	assert_string_equal(p.fleet_host_name, "");
	assert_int_equal(p.fleet_refresh, 300);
	assert_int_equal(p.fleet_max_stale, 900);
	p = parsed("fleet_bind_dn = cn=host-a,ou=hosts,dc=example,dc=org\n"
		   "fleet_bind_password_file = /etc/pam_apikey/host.pw\n"
		   "fleet_refresh = 30s\n"
		   "fleet_max_stale = 2h\n"
		   "fleet_host_name = web-1.example.org\n");
	assert_string_equal(p.fleet_bind_dn, "cn=host-a,ou=hosts,dc=example,dc=org");
	assert_string_equal(p.fleet_bind_password_file, "/etc/pam_apikey/host.pw");
	assert_int_equal(p.fleet_refresh, 30);
	assert_int_equal(p.fleet_max_stale, 7200);
	assert_string_equal(p.fleet_host_name, "web-1.example.org");
	p = parsed("fleet_uri = ldapi:///\nfleet_sasl_mech = EXTERNAL\nfleet_max_stale = 0\n"
		   "fleet_refresh = 1d\n");
	assert_string_equal(p.fleet_sasl_mech, "EXTERNAL");
	assert_int_equal(p.fleet_max_stale, 0);
	assert_int_equal(p.fleet_refresh, 86400);
	assert_int_equal(parsed("fleet_refresh = 7\n").fleet_refresh, 7);
	assert_int_equal(parsed("fleet_refresh = 5m\n").fleet_refresh, 300);
	assert_int_equal(parsed("fleet_max_stale = 365d\n").fleet_max_stale, 31536000);
	refused_text("fleet_max_stale = 366d\n", "line 1: fleet_max_stale must be 0 or a duration");
	refused_text("fleet_refresh = 0\n", "line 1: fleet_refresh must be a duration");
	refused_text("fleet_refresh = 5 m\n", "fleet_refresh must be");
	refused_text("fleet_refresh = m\n", "fleet_refresh must be");
	refused_text("fleet_refresh = 05m\n", "fleet_refresh must be");
	refused_text("fleet_refresh = 5w\n", "fleet_refresh must be");
	refused_text("fleet_refresh = -5\n", "fleet_refresh must be");
	refused_text("fleet_refresh = 99999999999h\n", "fleet_refresh must be");
	refused_text("fleet_max_stale = 00\n", "fleet_max_stale must be");
	refused_text("fleet_sasl_mech = external\n",
		     "line 1: fleet_sasl_mech must be EXTERNAL or GSSAPI");
	refused_text("fleet_sasl_mech = gssapi\n", "fleet_sasl_mech must be EXTERNAL or GSSAPI");
	refused_text("fleet_sasl_mech = GSS-SPNEGO\n", "fleet_sasl_mech must be EXTERNAL or GSSAPI");
	/* GSSAPI is the people's (apikeyctl --fleet): any URI, with or without
	 * the host's own DN */
	p = parsed("fleet_uri = ldaps://ldap.example.org\nfleet_sasl_mech = GSSAPI\n");
	assert_string_equal(p.fleet_sasl_mech, "GSSAPI");
	p = parsed("fleet_uri = ldap://ldap.example.org\nfleet_sasl_mech = GSSAPI\n"
		   "fleet_bind_dn = cn=h,dc=x\nfleet_bind_password_file = /h.pw\n");
	assert_string_equal(p.fleet_sasl_mech, "GSSAPI");
	assert_string_equal(p.fleet_bind_dn, "cn=h,dc=x");
	refused_text("fleet_sasl_mech = GSSAPI\nfleet_bind_dn = cn=h,dc=x\n",
		     "line 2: fleet_bind_dn needs fleet_bind_password_file too");
	refused_text("fleet_host_name = web_1\n", "line 1: fleet_host_name must be a host name");
	refused_text("fleet_host_name = .example.org\n", "fleet_host_name must be a host name");
	refused_text("fleet_host_name = a b\n", "fleet_host_name must be a host name");
	refused_text("fleet_bind_password_file = host.pw\n",
		     "fleet_bind_password_file must be an absolute path");
	/* both ways to bind, or half of one */
	refused_text("fleet_bind_dn = cn=h,dc=x\n",
		     "line 1: fleet_bind_dn needs fleet_bind_password_file too");
	refused_text("fleet_bind_password_file = /h.pw\n",
		     "line 1: fleet_bind_password_file needs fleet_bind_dn too");
	refused_text("fleet_uri = ldapi:///\nfleet_bind_dn = cn=h,dc=x\n"
		     "fleet_bind_password_file = /h.pw\nfleet_sasl_mech = EXTERNAL\n",
		     "line 4: fleet_sasl_mech and fleet_bind_dn (line 2) are two ways to bind");
	refused_text("fleet_uri = ldaps://ldap.example.org\nfleet_sasl_mech = EXTERNAL\n",
		     "line 2: fleet_sasl_mech EXTERNAL needs an ldapi:// fleet_uri");
	refused_text("fleet_sasl_mech = EXTERNAL\n", "needs an ldapi:// fleet_uri");
	/* apikeyd by Kerberos: the host's keytab, with GSSAPI, instead of a DN */
	p = parsed("fleet_uri = ldaps://ldap.example.org\nfleet_sasl_mech = GSSAPI\n"
		   "fleet_keytab = /etc/pam_apikey/host.keytab\n");
	assert_string_equal(p.fleet_keytab, "/etc/pam_apikey/host.keytab");
	assert_string_equal(parsed("").fleet_keytab, "");
	refused_text("fleet_keytab = /h.keytab\n", "line 1: fleet_keytab needs fleet_sasl_mech GSSAPI");
	refused_text("fleet_uri = ldapi:///\nfleet_sasl_mech = EXTERNAL\nfleet_keytab = /h.keytab\n",
		     "line 3: fleet_keytab needs fleet_sasl_mech GSSAPI");
	refused_text("fleet_keytab = h.keytab\n", "line 1: fleet_keytab must be an absolute path");
	refused_text("fleet_sasl_mech = GSSAPI\nfleet_keytab = /h.keytab\n"
		     "fleet_bind_dn = cn=h,dc=x\nfleet_bind_password_file = /h.pw\n",
		     "line 3: fleet_keytab and fleet_bind_dn (line 2) are two ways to bind");
}

/* apikeyd's range of accounts it answers for: defaults, bounds, order. */
static void verify_uid_range(void **state)
{
	struct apk_conf p;

	(void)state;
	p = parsed("");
	assert_int_equal(p.verify_uid_min, 1000);
	assert_int_equal(p.verify_uid_max, 60000);
	p = parsed("verify_uid_min = 1\nverify_uid_max = 4294967294\n");
	assert_int_equal(p.verify_uid_min, 1);
	assert_true(p.verify_uid_max == 4294967294u);
	p = parsed("verify_uid_min = 5000\nverify_uid_max = 5000\n");
	assert_int_equal(p.verify_uid_min, 5000);
	refused_text("verify_uid_min = 0\n", "verify_uid_min must be a number from 1 to 4294967294");
	refused_text("verify_uid_max = 4294967295\n", "verify_uid_max must be a number from 1");
	refused_text("verify_uid_min = -1\n", "verify_uid_min must be");
	refused_text("verify_uid_min = 2000\nverify_uid_max = 1999\n",
		     "line 2: verify_uid_min (2000) is above verify_uid_max (1999)");
	refused_text("verify_uid_max = 999\n", "line 1: verify_uid_min (1000) is above verify_uid_max (999)");
}

static void malformed_lines_are_named(void **state)
{
	(void)state;
	refused_text("max_keys = 20\nbogus = 1\n", "line 2: unknown setting 'bogus'");
	refused_text("Max_Keys = 20\n", "line 1: unknown setting 'Max_Keys'");
	refused_text("max_keys 20\n", "line 1: not a 'name = value' line");
	refused_text("\n\nmax_keys =\n", "line 3: max_keys has no value");
	refused_text("max_keys = 20\nmax_keys = 30\n", "line 2: max_keys is already set on line 1");
	refused_text("= 20\n", "line 1: unknown setting ''");
	refused_text("max_keys = 0\n", "line 1: max_keys must be a number from 1 to 1000");
	refused_text("max_keys = 1001\n", "max_keys must be");
	refused_text("max_keys = 020\n", "max_keys must be");
	refused_text("max_keys = -5\n", "max_keys must be");
	refused_text("max_keys = +5\n", "max_keys must be");
	refused_text("max_keys = 5 5\n", "max_keys must be");
	refused_text("max_keys = 99999999999999999999\n", "max_keys must be");
	refused_text("max_keys = 0x10\n", "max_keys must be");
	refused_text("max_lifetime = 100001\n", "max_lifetime must be a number of days from 1 to 100000");
	refused_text("max_lifetime = 30d\n", "max_lifetime must be");
	refused_text("max_lifetime = never\n", "max_lifetime must be");
	refused_text("default_lifetime = Never\n", "default_lifetime must be never or a number");
	refused_text("services = sshd,,su\n", "line 1: services: ");
	refused_text("services = all,sshd\n", "cannot be combined");
	refused_text("services = a b\n", "A-Z a-z 0-9");
	refused_text("services = sshd ,, su\n", "empty");
	refused_text("max_keys = 20\r\n", "line 1: a control character (byte 13)");
	refused_text("max_keys = 20\n\x1b[2J\n", "line 2: a control character");
	refused("max_keys = 20\nmax_\0keys = 1\n", 27, "line 2: a NUL byte");
	refused_text("bogus\x1b]0;x\x07 = 1\n", "control character");
	refused_text("b\xc3\xa9gus = 1\n", "unknown setting 'b\xc3\xa9gus'");
}

/* A comment may hold any byte but a control character. */
static void comments_are_ignored(void **state)
{
	struct apk_conf p;

	(void)state;
	p = parsed("services = sshd # and \xff, = # max_keys = 3\n#max_keys = 5\n");
	assert_int_equal(p.services.n, 1);
	assert_int_equal(p.max_keys, APK_MAX_KEYS_PER_USER);
}

static void a_long_file_is_refused(void **state)
{
	char *big = one_long_comment();

	(void)state;
	refused(big, APK_CONF_MAX_BYTES + 1, "larger than 65536 bytes");
	assert_int_equal(apk_conf_parse(big, APK_CONF_MAX_BYTES, &(struct apk_conf){ 0 }, err,
				      sizeof(err)), APK_OK);
	free(big);
}

/* ---- files ----------------------------------------------------------------- */

static void path_of(const char *name, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/%s", dir, name);
}

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[256];
	int fd;

	path_of(name, path, sizeof(path));
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static enum apk_err load(const char *name, struct apk_conf *p)
{
	char path[256];

	path_of(name, path, sizeof(path));
	memset(p, 0x5A, sizeof(*p));
	err[0] = '\0';
	return apk_conf_load(path, p, err, sizeof(err));
}

static void assert_defaults(const struct apk_conf *p)
{
	struct apk_conf d;

	apk_conf_defaults(&d);
	assert_memory_equal(p, &d, sizeof(d));
}

static int make_dir(void **state)
{
	(void)state;
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[64];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void no_file_gives_the_defaults(void **state)
{
	struct apk_conf p;

	(void)state;
	assert_int_equal(load("missing.conf", &p), APK_OK);
	assert_defaults(&p);
	assert_int_equal(apk_conf_load("relative.conf", &p, err, sizeof(err)), APK_ERR_UNAVAIL);
	assert_int_equal(apk_conf_load(NULL, &p, err, sizeof(err)), APK_ERR_UNAVAIL);
}

/* Root's file is read; anyone else's is refused, whoever runs the test. */
static void only_a_root_owned_file_is_read(void **state)
{
	struct apk_conf p;
	struct passwd *nobody = getpwnam("nobody");
	char path[256];

	(void)state;
	write_file("mine.conf", "max_keys = 7\n", 0644);
	if (geteuid() == 0) {
		assert_int_equal(load("mine.conf", &p), APK_OK);
		assert_int_equal(p.max_keys, 7);
		assert_non_null(nobody);
		path_of("mine.conf", path, sizeof(path));
		assert_int_equal(chown(path, nobody->pw_uid, (gid_t)-1), 0);
	}
	assert_int_equal(load("mine.conf", &p), APK_ERR_UNSAFE);
	assert_defaults(&p);
	assert_non_null(strstr(err, "mine.conf: not owned by root"));
}

static void a_writable_file_is_refused(void **state)
{
	struct apk_conf p;

	(void)state;
	if (geteuid() != 0) {
		/* not root: the owner check refuses first; shown by the test above */
		write_file("group.conf", "max_keys = 7\n", 0664);
		assert_int_equal(load("group.conf", &p), APK_ERR_UNSAFE);
		return;
	}
	write_file("group.conf", "max_keys = 7\n", 0664);
	assert_int_equal(load("group.conf", &p), APK_ERR_UNSAFE);
	assert_non_null(strstr(err, "writable by its group or others"));
	assert_defaults(&p);
	write_file("other.conf", "max_keys = 7\n", 0602);
	assert_int_equal(load("other.conf", &p), APK_ERR_UNSAFE);
	assert_non_null(strstr(err, "writable by its group or others"));
	write_file("readonly.conf", "max_keys = 7\n", 0444);  /* read-only for all: fine */
	assert_int_equal(load("readonly.conf", &p), APK_OK);
	assert_int_equal(p.max_keys, 7);
}

static void links_fifos_and_directories_are_refused(void **state)
{
	struct apk_conf p;
	char path[256], target[256];

	(void)state;
	write_file("real.conf", "max_keys = 7\n", 0644);
	path_of("real.conf", target, sizeof(target));
	path_of("link.conf", path, sizeof(path));
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(load("link.conf", &p), APK_ERR_UNSAFE);
	assert_non_null(strstr(err, "a symbolic link"));
	assert_defaults(&p);
	path_of("fifo.conf", path, sizeof(path));
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(load("fifo.conf", &p), APK_ERR_UNSAFE);   /* and does not block */
	assert_non_null(strstr(err, "not a regular file"));
	path_of("dir.conf", path, sizeof(path));
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(load("dir.conf", &p), APK_ERR_UNSAFE);
	assert_non_null(strstr(err, "not a regular file"));
}

static void a_malformed_file_names_path_and_line(void **state)
{
	struct apk_conf p;

	(void)state;
	if (geteuid() != 0) {
		write_file("bad.conf", "max_keys = 7\nnope\n", 0644);
		assert_int_equal(load("bad.conf", &p), APK_ERR_UNSAFE); /* not root's */
		return;
	}
	write_file("bad.conf", "max_keys = 7\nnope\n", 0644);
	assert_int_equal(load("bad.conf", &p), APK_ERR_INVALID);
	assert_defaults(&p);
	assert_non_null(strstr(err, "/bad.conf: line 2: not a 'name = value' line"));
	{
		char *big = one_long_comment();

		write_file("big.conf", big, 0644);
		free(big);
	}
	assert_int_equal(load("big.conf", &p), APK_ERR_UNSAFE);
	assert_non_null(strstr(err, "larger than 65536 bytes"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(every_setting),
		cmocka_unit_test(default_lifetime_follows_max),
		cmocka_unit_test(verify_uid_range),
		cmocka_unit_test(fleet_settings),
		cmocka_unit_test(host_settings),
		cmocka_unit_test(malformed_lines_are_named),
		cmocka_unit_test(comments_are_ignored),
		cmocka_unit_test(a_long_file_is_refused),
		cmocka_unit_test(no_file_gives_the_defaults),
		cmocka_unit_test(only_a_root_owned_file_is_read),
		cmocka_unit_test(a_writable_file_is_refused),
		cmocka_unit_test(links_fifos_and_directories_are_refused),
		cmocka_unit_test(a_malformed_file_names_path_and_line),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
