/* conffile.c - reading pam_apikey.conf: the file, its lines, its settings
 * (see conffile.h) */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apk_config.h"
#include "conffile.h"
#include "validate.h"

#define NAME_SHOWN 40 /* bytes of an unknown name quoted in a message */

/* What a value may be; numbers run from 1 to the setting's max. */
enum conf_type {
	CONF_NUMBER,         /* a number */
	CONF_DAYS,           /* a number of days */
	CONF_DAYS_OR_NEVER,  /* never (0) or a number of days */
	CONF_SECONDS,        /* a duration: N, Ns, Nm, Nh or Nd, in seconds */
	CONF_SECONDS_OR_ZERO, /* 0 or a duration */
	CONF_SERVICES,       /* a service list, as --service takes it */
	CONF_MECH,           /* a SASL mechanism: EXTERNAL or GSSAPI */
	CONF_HOST,           /* a host name: letters, digits, '-', '.' */
	CONF_URI,            /* an LDAP URI: ldapi://, ldaps:// or ldap:// */
	CONF_DN,             /* a distinguished name */
	CONF_PATH,           /* an absolute path */
};

static const char *const type_text[] = {
	[CONF_NUMBER] = "a number",
	[CONF_DAYS] = "a number of days",
	[CONF_DAYS_OR_NEVER] = "never or a number of days",
	[CONF_SECONDS] = "a duration (N, Ns, Nm, Nh or Nd)",
	[CONF_SECONDS_OR_ZERO] = "0 or a duration (N, Ns, Nm, Nh or Nd)",
	[CONF_MECH] = "EXTERNAL or GSSAPI",
	[CONF_HOST] = "a host name",
	[CONF_URI] = "an ldapi://, ldaps:// or ldap:// URI",
	[CONF_DN] = "a distinguished name",
	[CONF_PATH] = "an absolute path",
};

/* Every setting: a new one is a row here and a field of struct apk_conf. */
static const struct setting {
	const char *name;
	enum conf_type type;
	unsigned max;   /* numbers: the highest value */
	unsigned dflt;  /* numbers: the value when the setting is not given */
	size_t offset;  /* of its field in struct apk_conf */
} settings[] = {
	{ "max_keys", CONF_NUMBER, APK_CONF_MAX_KEYS, APK_MAX_KEYS_PER_USER,
	  offsetof(struct apk_conf, max_keys) },
	{ "max_lifetime", CONF_DAYS, APK_CONF_MAX_DAYS, 0, offsetof(struct apk_conf, max_lifetime) },
	{ "default_lifetime", CONF_DAYS_OR_NEVER, APK_CONF_MAX_DAYS, 0,
	  offsetof(struct apk_conf, default_lifetime) },
	{ "services", CONF_SERVICES, 0, 0, offsetof(struct apk_conf, services) },
	{ "verify_uid_min", CONF_NUMBER, APK_CONF_MAX_UID, APK_CONF_VERIFY_UID_MIN,
	  offsetof(struct apk_conf, verify_uid_min) },
	{ "verify_uid_max", CONF_NUMBER, APK_CONF_MAX_UID, APK_CONF_VERIFY_UID_MAX,
	  offsetof(struct apk_conf, verify_uid_max) },
	{ "fleet_uri", CONF_URI, 0, 0, offsetof(struct apk_conf, fleet_uri) },
	{ "fleet_base", CONF_DN, 0, 0, offsetof(struct apk_conf, fleet_base) },
	{ "fleet_tls_cacert", CONF_PATH, 0, 0, offsetof(struct apk_conf, fleet_tls_cacert) },
	{ "fleet_bind_dn", CONF_DN, 0, 0, offsetof(struct apk_conf, fleet_bind_dn) },
	{ "fleet_bind_password_file", CONF_PATH, 0, 0,
	  offsetof(struct apk_conf, fleet_bind_password_file) },
	{ "fleet_sasl_mech", CONF_MECH, 0, 0, offsetof(struct apk_conf, fleet_sasl_mech) },
	{ "fleet_keytab", CONF_PATH, 0, 0, offsetof(struct apk_conf, fleet_keytab) },
	{ "fleet_refresh", CONF_SECONDS, APK_CONF_MAX_SECONDS, APK_CONF_FLEET_REFRESH,
	  offsetof(struct apk_conf, fleet_refresh) },
	{ "fleet_max_stale", CONF_SECONDS_OR_ZERO, APK_CONF_MAX_SECONDS, APK_CONF_FLEET_MAX_STALE,
	  offsetof(struct apk_conf, fleet_max_stale) },
	{ "fleet_host_name", CONF_HOST, 0, 0, offsetof(struct apk_conf, fleet_host_name) },
};

#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

/* What parsing has seen: the line of each setting (0: not given). */
struct parse_state {
	unsigned line_of[NSETTINGS];
};

static void *field(struct apk_conf *c, const struct setting *s)
{
	return (char *)c + s->offset;
}

void apk_conf_defaults(struct apk_conf *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < NSETTINGS; i++)
		if (settings[i].type <= CONF_SECONDS_OR_ZERO)
			*(unsigned *)field(c, &settings[i]) = settings[i].dflt;
}

/* The line that set the field at offset (0: none). */
static unsigned line_of(const struct parse_state *st, size_t offset)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++)
		if (settings[i].offset == offset)
			return st->line_of[i];
	return 0;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* s (n bytes) without leading and trailing spaces and tabs. */
static const char *trim(const char *s, size_t *n)
{
	while (*n > 0 && blank(s[0])) {
		s++;
		(*n)--;
	}
	while (*n > 0 && blank(s[*n - 1]))
		(*n)--;
	return s;
}

/* A decimal number 1..max: digits only, no leading zero. */
static bool parse_number(const char *v, size_t n, unsigned max, unsigned *out)
{
	unsigned long x = 0;
	size_t i;

	if (n == 0 || n > 10 || v[0] == '0')
		return false;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (unsigned long)(v[i] - '0');
	}
	if (x > max)
		return false;
	*out = (unsigned)x;
	return true;
}

/* A duration: a number of seconds, or of minutes, hours or days with the
 * unit after it (5m), 1..max seconds; "0" too when zero is allowed. */
static bool parse_seconds(const char *v, size_t n, unsigned max, bool zero, unsigned *out)
{
	static const struct { char unit; unsigned long secs; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
	};
	unsigned long mult = 1;
	unsigned x;
	size_t i;

	if (zero && n == 1 && v[0] == '0') {
		*out = 0;
		return true;
	}
	for (i = 0; n > 1 && i < sizeof(units) / sizeof(units[0]); i++) {
		if (v[n - 1] == units[i].unit) {
			mult = units[i].secs;
			n--;
			break;
		}
	}
	if (!parse_number(v, n, max, &x) || (unsigned long)x * mult > max)
		return false;
	*out = (unsigned)(x * mult);
	return true;
}

/* The list at v (n bytes) into out (n + 1 bytes at least), without the
 * spaces and tabs around its commas: "sshd, sudo" is "sshd,sudo". */
static void copy_list(const char *v, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (blank(v[i])) {
			size_t j = i;

			while (j < n && blank(v[j]))
				j++;
			if ((o > 0 && out[o - 1] == ',') || (j < n && v[j] == ',')) {
				i = j - 1;
				continue;
			}
		}
		out[o++] = v[i];
	}
	out[o] = '\0';
}

static bool set_services(const struct setting *s, const char *v, size_t n, unsigned line,
			 struct apk_conf *c, char *err, size_t errsz)
{
	char text[APK_SERVICES_TEXT_MAX * 4 + 64], why[256];
	const char *arg = text;

	if (n >= sizeof(text)) {
		snprintf(err, errsz, "line %u: %s: the list is too long", line, s->name);
		return false;
	}
	copy_list(v, n, text);
	if (apk_services_parse(&arg, 1, field(c, s), why, sizeof(why)) == APK_OK)
		return true;
	snprintf(err, errsz, "line %u: %s: %s", line, s->name, why);
	return false;
}

static bool has_prefix(const char *v, size_t n, const char *prefix)
{
	return n > strlen(prefix) && strncasecmp(v, prefix, strlen(prefix)) == 0;
}

/* A host name as --hosts patterns match it: letters, digits, '-' and '.',
 * at most 253 bytes, neither starting nor ending with '.' or '-'. */
static bool host_name(const char *v, size_t n)
{
	size_t i;

	if (n == 0 || n > 253 || v[0] == '.' || v[0] == '-' || v[n - 1] == '.' || v[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
		      (v[i] >= '0' && v[i] <= '9') || v[i] == '-' || v[i] == '.'))
			return false;
	return true;
}

/* A URI, DN, path, mechanism or host name: printable ASCII without spaces (a DN may have them),
 * of its kind, copied NUL-terminated into its field. */
static bool set_text(const struct setting *s, const char *v, size_t n, struct apk_conf *c)
{
	size_t i;

	if (n > APK_CONF_TEXT_MAX)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e ||
		    (v[i] == ' ' && s->type != CONF_DN))
			return false;
	if (s->type == CONF_URI && !has_prefix(v, n, "ldapi://") && !has_prefix(v, n, "ldaps://") &&
	    !has_prefix(v, n, "ldap://"))
		return false;
	if (s->type == CONF_PATH && v[0] != '/')
		return false;
	if (s->type == CONF_DN && memchr(v, '=', n) == NULL)
		return false;
	if (s->type == CONF_MECH && !(n == 8 && memcmp(v, "EXTERNAL", 8) == 0) &&
	    !(n == 6 && memcmp(v, "GSSAPI", 6) == 0))
		return false;
	if (s->type == CONF_HOST && !host_name(v, n))
		return false;
	memcpy(field(c, s), v, n);
	((char *)field(c, s))[n] = '\0';
	return true;
}

/* One setting's value (n bytes at v, trimmed, without NUL). */
static bool set_value(const struct setting *s, const char *v, size_t n, unsigned line,
		      struct apk_conf *c, char *err, size_t errsz)
{
	unsigned *u = field(c, s);

	if (s->type == CONF_SERVICES)
		return set_services(s, v, n, line, c, err, errsz);
	if (s->type == CONF_SECONDS || s->type == CONF_SECONDS_OR_ZERO) {
		if (parse_seconds(v, n, s->max, s->type == CONF_SECONDS_OR_ZERO, u))
			return true;
		snprintf(err, errsz, "line %u: %s must be %s, at most %u seconds", line, s->name,
			 type_text[s->type], s->max);
		return false;
	}
	if (s->type >= CONF_MECH) {
		if (set_text(s, v, n, c))
			return true;
		snprintf(err, errsz, "line %u: %s must be %s", line, s->name, type_text[s->type]);
		return false;
	}
	if (s->type == CONF_DAYS_OR_NEVER && n == 5 && memcmp(v, "never", 5) == 0) {
		*u = 0;
		return true;
	}
	if (parse_number(v, n, s->max, u))
		return true;
	snprintf(err, errsz, "line %u: %s must be %s from 1 to %u", line, s->name,
		 type_text[s->type], s->max);
	return false;
}

/* One line (n bytes at s, no newline). */
static bool parse_line(const char *s, size_t n, unsigned line, struct apk_conf *c,
		       struct parse_state *st, char *err, size_t errsz)
{
	const char *eq, *name, *value, *hash;
	size_t nn, vn, i;
	char raw[NAME_SHOWN], shown[NAME_SHOWN];

	for (i = 0; i < n; i++) {
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f) {
			snprintf(err, errsz, "line %u: a control character (byte %u)", line,
				 (unsigned)(unsigned char)s[i]);
			return false;
		}
	}
	if ((hash = memchr(s, '#', n)) != NULL)
		n = (size_t)(hash - s);
	s = trim(s, &n);
	if (n == 0)
		return true;
	if ((eq = memchr(s, '=', n)) == NULL) {
		snprintf(err, errsz, "line %u: not a 'name = value' line", line);
		return false;
	}
	nn = (size_t)(eq - s);
	name = trim(s, &nn);
	vn = n - (size_t)(eq + 1 - s);
	value = trim(eq + 1, &vn);
	for (i = 0; i < NSETTINGS; i++)
		if (strlen(settings[i].name) == nn && memcmp(settings[i].name, name, nn) == 0)
			break;
	if (i == NSETTINGS) {
		snprintf(raw, sizeof(raw), "%.*s", (int)(nn < sizeof(raw) - 1 ? nn : sizeof(raw) - 1),
			 name);
		snprintf(err, errsz, "line %u: unknown setting '%s'", line,
			 apk_escape(raw, shown, sizeof(shown)));
		return false;
	}
	if (st->line_of[i] != 0) {
		snprintf(err, errsz, "line %u: %s is already set on line %u", line, settings[i].name,
			 st->line_of[i]);
		return false;
	}
	if (vn == 0) {
		snprintf(err, errsz, "line %u: %s has no value", line, settings[i].name);
		return false;
	}
	st->line_of[i] = line;
	return set_value(&settings[i], value, vn, line, c, err, errsz);
}

/* How apikeyd binds to the directory: a DN with its password file, both or
 * neither; or SASL EXTERNAL over ldapi:// instead; or SASL GSSAPI with the
 * host's keytab (fleet_keytab, which needs fleet_sasl_mech GSSAPI). GSSAPI
 * is also how people bind (apikeyctl --fleet, with their Kerberos ticket)
 * and then goes with a host DN too. */
static bool host_relations(const struct apk_conf *c, const struct parse_state *st, char *err,
			   size_t errsz)
{
	unsigned dn = line_of(st, offsetof(struct apk_conf, fleet_bind_dn));
	unsigned pw = line_of(st, offsetof(struct apk_conf, fleet_bind_password_file));
	unsigned mech = line_of(st, offsetof(struct apk_conf, fleet_sasl_mech));
	unsigned kt = line_of(st, offsetof(struct apk_conf, fleet_keytab));

	if ((dn == 0) != (pw == 0)) {
		snprintf(err, errsz, "line %u: %s needs %s too", dn > pw ? dn : pw,
			 dn != 0 ? "fleet_bind_dn" : "fleet_bind_password_file",
			 dn != 0 ? "fleet_bind_password_file" : "fleet_bind_dn");
		return false;
	}
	if (kt != 0 && strcmp(c->fleet_sasl_mech, "GSSAPI") != 0) {
		snprintf(err, errsz, "line %u: fleet_keytab needs fleet_sasl_mech GSSAPI", kt);
		return false;
	}
	if (kt != 0 && dn != 0) {
		snprintf(err, errsz, "line %u: fleet_keytab and fleet_bind_dn (line %u) are two "
			 "ways to bind: set one", kt > dn ? kt : dn, kt > dn ? dn : kt);
		return false;
	}
	if (strcmp(c->fleet_sasl_mech, "EXTERNAL") != 0)
		return true;
	if (mech != 0 && dn != 0) {
		snprintf(err, errsz, "line %u: fleet_sasl_mech and fleet_bind_dn (line %u) are two "
			 "ways to bind: set one", mech > dn ? mech : dn, mech > dn ? dn : mech);
		return false;
	}
	if (mech != 0 && strncasecmp(c->fleet_uri, "ldapi://", 8) != 0) {
		snprintf(err, errsz, "line %u: fleet_sasl_mech EXTERNAL needs an ldapi:// fleet_uri",
			 mech);
		return false;
	}
	return true;
}

/* The rules between settings, once every line is read. */
static bool relations(struct apk_conf *c, const struct parse_state *st, char *err, size_t errsz)
{
	unsigned max_line = line_of(st, offsetof(struct apk_conf, max_lifetime));
	unsigned default_line = line_of(st, offsetof(struct apk_conf, default_lifetime));

	if (c->verify_uid_min > c->verify_uid_max) {
		unsigned a = line_of(st, offsetof(struct apk_conf, verify_uid_min));
		unsigned b = line_of(st, offsetof(struct apk_conf, verify_uid_max));
		snprintf(err, errsz, "line %u: verify_uid_min (%u) is above verify_uid_max (%u)",
			 a > b ? a : b, c->verify_uid_min, c->verify_uid_max);
		return false;
	}
	if (!host_relations(c, st, err, errsz))
		return false;
	if (c->max_lifetime == 0)
		return true;
	if (default_line == 0)
		c->default_lifetime = c->max_lifetime;
	if (c->default_lifetime > 0 && c->default_lifetime <= c->max_lifetime)
		return true;
	snprintf(err, errsz, "line %u: default_lifetime is beyond max_lifetime (%u days, line %u)",
		 default_line, c->max_lifetime, max_line);
	return false;
}

enum apk_err apk_conf_parse(const char *text, size_t len, struct apk_conf *c, char *err,
			    size_t errsz)
{
	struct parse_state st;
	const char *nl;
	size_t pos = 0, n;
	unsigned line = 0;

	apk_conf_defaults(c);
	memset(&st, 0, sizeof(st));
	if (text == NULL && len > 0) {
		snprintf(err, errsz, "no text");
		goto bad;
	}
	if (len > APK_CONF_MAX_BYTES) {
		snprintf(err, errsz, "larger than %d bytes", APK_CONF_MAX_BYTES);
		goto bad;
	}
	while (pos < len) {
		line++;
		nl = memchr(text + pos, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
		if (memchr(text + pos, '\0', n) != NULL) {
			snprintf(err, errsz, "line %u: a NUL byte", line);
			goto bad;
		}
		if (!parse_line(text + pos, n, line, c, &st, err, errsz))
			goto bad;
		pos += n + (nl != NULL);
	}
	if (relations(c, &st, err, errsz))
		return APK_OK;
bad:
	apk_conf_defaults(c);
	return APK_ERR_INVALID;
}

/* Opens path as apk_conf_load describes; APK_ERR_NOTFOUND when it is missing. */
static enum apk_err open_checked(const char *path, int *fd, char *why, size_t whysz)
{
	struct stat sb;

	*fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (*fd < 0) {
		if (errno == ENOENT)
			return APK_ERR_NOTFOUND;
		snprintf(why, whysz, "%s", errno == ELOOP ? "a symbolic link" : strerror(errno));
		return errno == ELOOP ? APK_ERR_UNSAFE : APK_ERR_UNAVAIL;
	}
	if (fstat(*fd, &sb) != 0) {
		snprintf(why, whysz, "%s", strerror(errno));
		return APK_ERR_UNAVAIL;
	}
	if (!S_ISREG(sb.st_mode))
		snprintf(why, whysz, "not a regular file");
	else if (sb.st_uid != 0)
		snprintf(why, whysz, "not owned by root");
	else if ((sb.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		snprintf(why, whysz, "writable by its group or others");
	else if (sb.st_size > APK_CONF_MAX_BYTES)
		snprintf(why, whysz, "larger than %d bytes", APK_CONF_MAX_BYTES);
	else
		return APK_OK;
	return APK_ERR_UNSAFE;
}

enum apk_err apk_conf_load(const char *path, struct apk_conf *c, char *err, size_t errsz)
{
	char why[256], *text = NULL;
	size_t len = 0;
	ssize_t got;
	enum apk_err rc;
	int fd = -1;

	apk_conf_defaults(c);
	if (path == NULL || path[0] != '/') {
		snprintf(err, errsz, "the configuration file must be given by an absolute path");
		return APK_ERR_UNAVAIL;
	}
	rc = open_checked(path, &fd, why, sizeof(why));
	if (rc == APK_ERR_NOTFOUND)
		return APK_OK;
	if (rc != APK_OK)
		goto out;
	/* on the heap, not in a static buffer: a module's threads may each read it */
	if ((text = malloc(APK_CONF_MAX_BYTES + 1)) == NULL) {
		snprintf(why, sizeof(why), "%s", apk_strerror(APK_ERR_NOMEM));
		rc = APK_ERR_NOMEM;
		goto out;
	}
	/* read to the end: a file that grows past the limit is refused */
	while (len <= APK_CONF_MAX_BYTES &&
	       (got = read(fd, text + len, APK_CONF_MAX_BYTES + 1 - len)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			snprintf(why, sizeof(why), "%s", strerror(errno));
			rc = APK_ERR_UNAVAIL;
			goto out;
		}
		len += (size_t)got;
	}
	rc = apk_conf_parse(text, len, c, why, sizeof(why));
out:
	free(text);
	if (fd >= 0)
		close(fd);
	if (rc != APK_OK) {
		snprintf(err, errsz, "%s: %s", path, why);
		apk_conf_defaults(c);
	}
	return rc;
}
