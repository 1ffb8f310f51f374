/* policy.c - reading the administrator's policy, pam_apikey.conf (see policy.h) */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apk_config.h"
#include "policy.h"
#include "validate.h"

#define NAME_SHOWN 40 /* bytes of an unknown name quoted in a message */

enum setting { S_MAX_KEYS, S_MAX_LIFETIME, S_DEFAULT_LIFETIME, S_SERVICES, S_COUNT };

static const char *const setting_name[S_COUNT] = {
	"max_keys", "max_lifetime", "default_lifetime", "services",
};

/* What parsing has seen: the line of each setting (0: not given). */
struct parse_state {
	unsigned line_of[S_COUNT];
	bool default_never;
};

void policy_defaults(struct apk_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->max_keys = APK_MAX_KEYS_PER_USER;
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

/* One setting's value (n bytes at v, trimmed, without NUL). */
static bool set_value(enum setting s, const char *v, size_t n, unsigned line,
		      struct apk_policy *p, struct parse_state *st, char *err, size_t errsz)
{
	char text[APK_SERVICES_TEXT_MAX * 4 + 64], why[256];
	const char *arg = text;

	switch (s) {
	case S_MAX_KEYS:
		if (parse_number(v, n, APK_POLICY_MAX_KEYS, &p->max_keys))
			return true;
		snprintf(err, errsz, "line %u: max_keys must be a number from 1 to %d", line,
			 APK_POLICY_MAX_KEYS);
		return false;
	case S_MAX_LIFETIME:
		if (parse_number(v, n, APK_POLICY_MAX_DAYS, &p->max_lifetime))
			return true;
		snprintf(err, errsz, "line %u: max_lifetime must be a number of days from 1 to %d",
			 line, APK_POLICY_MAX_DAYS);
		return false;
	case S_DEFAULT_LIFETIME:
		if (n == 5 && memcmp(v, "never", 5) == 0) {
			st->default_never = true;
			p->default_lifetime = 0;
			return true;
		}
		if (parse_number(v, n, APK_POLICY_MAX_DAYS, &p->default_lifetime))
			return true;
		snprintf(err, errsz, "line %u: default_lifetime must be never or a number of days "
			 "from 1 to %d", line, APK_POLICY_MAX_DAYS);
		return false;
	case S_SERVICES:
		if (n >= sizeof(text)) {
			snprintf(err, errsz, "line %u: services: the list is too long", line);
			return false;
		}
		copy_list(v, n, text);
		if (apk_services_parse(&arg, 1, &p->services, why, sizeof(why)) == APK_OK)
			return true;
		snprintf(err, errsz, "line %u: services: %s", line, why);
		return false;
	case S_COUNT:
		break;
	}
	return false;
}

/* One line (n bytes at s, no newline). */
static bool parse_line(const char *s, size_t n, unsigned line, struct apk_policy *p,
		       struct parse_state *st, char *err, size_t errsz)
{
	const char *eq, *name, *value, *hash;
	size_t nn, vn, i;
	char shown[NAME_SHOWN];

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
	for (i = 0; i < S_COUNT; i++)
		if (strlen(setting_name[i]) == nn && memcmp(setting_name[i], name, nn) == 0)
			break;
	if (i == S_COUNT) {
		char raw[NAME_SHOWN];

		snprintf(raw, sizeof(raw), "%.*s", (int)(nn < sizeof(raw) - 1 ? nn : sizeof(raw) - 1),
			 name);
		apk_escape(raw, shown, sizeof(shown));
		snprintf(err, errsz, "line %u: unknown setting '%s'", line, shown);
		return false;
	}
	if (st->line_of[i] != 0) {
		snprintf(err, errsz, "line %u: %s is already set on line %u", line, setting_name[i],
			 st->line_of[i]);
		return false;
	}
	if (vn == 0) {
		snprintf(err, errsz, "line %u: %s has no value", line, setting_name[i]);
		return false;
	}
	st->line_of[i] = line;
	return set_value((enum setting)i, value, vn, line, p, st, err, errsz);
}

enum apk_err policy_parse(const char *text, size_t len, struct apk_policy *p, char *err,
			  size_t errsz)
{
	struct parse_state st;
	const char *nl;
	size_t pos = 0, n;
	unsigned line = 0;

	policy_defaults(p);
	memset(&st, 0, sizeof(st));
	if (text == NULL && len > 0)
		goto bad_call;
	if (len > APK_POLICY_MAX_BYTES) {
		snprintf(err, errsz, "larger than %d bytes", APK_POLICY_MAX_BYTES);
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
		if (!parse_line(text + pos, n, line, p, &st, err, errsz))
			goto bad;
		pos += n + (nl != NULL);
	}
	if (p->max_lifetime > 0 && st.line_of[S_DEFAULT_LIFETIME] == 0)
		p->default_lifetime = p->max_lifetime;
	if (p->max_lifetime > 0 && (st.default_never || p->default_lifetime > p->max_lifetime)) {
		snprintf(err, errsz, "line %u: default_lifetime is beyond max_lifetime (%u days, "
			 "line %u)", st.line_of[S_DEFAULT_LIFETIME], p->max_lifetime,
			 st.line_of[S_MAX_LIFETIME]);
		goto bad;
	}
	return APK_OK;
bad_call:
	snprintf(err, errsz, "no policy text");
bad:
	policy_defaults(p);
	return APK_ERR_INVALID;
}

/* Opens path as policy_load describes; APK_ERR_NOTFOUND when it is missing. */
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
	else if (sb.st_size > APK_POLICY_MAX_BYTES)
		snprintf(why, whysz, "larger than %d bytes", APK_POLICY_MAX_BYTES);
	else
		return APK_OK;
	return APK_ERR_UNSAFE;
}

enum apk_err policy_load(const char *path, struct apk_policy *p, char *err, size_t errsz)
{
	static char text[APK_POLICY_MAX_BYTES + 1];
	char why[256];
	size_t len = 0;
	ssize_t got;
	enum apk_err rc;
	int fd = -1;

	policy_defaults(p);
	if (path == NULL || path[0] != '/') {
		snprintf(err, errsz, "the policy file must be given by an absolute path");
		return APK_ERR_UNAVAIL;
	}
	rc = open_checked(path, &fd, why, sizeof(why));
	if (rc == APK_ERR_NOTFOUND)
		return APK_OK;
	if (rc != APK_OK)
		goto out;
	/* read to the end: a file that grows past the limit is refused */
	while (len <= APK_POLICY_MAX_BYTES &&
	       (got = read(fd, text + len, APK_POLICY_MAX_BYTES + 1 - len)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			snprintf(why, sizeof(why), "%s", strerror(errno));
			rc = APK_ERR_UNAVAIL;
			goto out;
		}
		len += (size_t)got;
	}
	rc = policy_parse(text, len, p, why, sizeof(why));
out:
	if (fd >= 0)
		close(fd);
	if (rc != APK_OK) {
		snprintf(err, errsz, "%s: %s", path, why);
		policy_defaults(p);
	}
	return rc;
}

const char *policy_path(void)
{
	const char *env = secure_getenv("APIKEY_POLICY");

	if (env == NULL || env[0] == '\0')
		return APK_POLICY_PATH;
	return env[0] == '/' ? env : NULL;
}
