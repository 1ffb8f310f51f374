/* services.c - the service list of a key: parsing, canonical form, matching */
#include <stdio.h>
#include <string.h>

#include "services.h"
#include "validate.h"

#define SHOWN_MAX 80 /* bytes of the caller's text quoted in a message */

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool has_upper(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			return true;
	return false;
}

/* 1-32 of A-Z a-z 0-9 . _ - */
static bool service_name_valid(const char *s)
{
	return strlen(s) <= APK_SERVICE_NAME_MAX && apk_name_valid(s);
}

/* Adds name (valid, lower-case) at its sorted place unless it is there;
 * false when the list is full. */
static bool insert_sorted(struct apk_services *s, const char *name)
{
	size_t i = 0;
	int c = 1;

	while (i < s->n && (c = strcmp(s->name[i], name)) < 0)
		i++;
	if (i < s->n && c == 0)
		return true;
	if (s->n == APK_SERVICES_MAX)
		return false;
	memmove(s->name[i + 1], s->name[i], (s->n - i) * sizeof(s->name[0]));
	memset(s->name[i], 0, sizeof(s->name[i]));
	memcpy(s->name[i], name, strlen(name));
	s->n++;
	return true;
}

/* One comma-separated option value into s; *all set when it names `all`. */
static bool parse_one(const char *arg, struct apk_services *s, bool *all, char *err, size_t errsz)
{
	char shown[SHOWN_MAX], item[APK_SERVICE_NAME_MAX + 1];
	const char *p = arg, *end;
	size_t len, i;

	apk_escape(arg, shown, sizeof(shown));
	for (;;) {
		end = strchr(p, ',');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (len == 0) {
			snprintf(err, errsz, "'%s': an empty service name", shown);
			return false;
		}
		if (len > APK_SERVICE_NAME_MAX) {
			snprintf(err, errsz, "'%s': a service name has at most %d characters",
				 shown, APK_SERVICE_NAME_MAX);
			return false;
		}
		for (i = 0; i < len; i++)
			item[i] = lower(p[i]);
		item[len] = '\0';
		if (!service_name_valid(item)) {
			snprintf(err, errsz, "'%s': a service name is made of A-Z a-z 0-9 . _ -", shown);
			return false;
		}
		if (strcmp(item, "all") == 0) {
			*all = true;
		} else if (!insert_sorted(s, item)) {
			snprintf(err, errsz, "'%s': at most %d services", shown, APK_SERVICES_MAX);
			return false;
		}
		if (end == NULL)
			return true;
		p = end + 1;
	}
}

enum apk_err apk_services_parse(const char *const *args, size_t nargs, struct apk_services *out,
				char *err, size_t errsz)
{
	bool all = false;
	size_t i;

	if (out == NULL || (args == NULL && nargs > 0)) {
		snprintf(err, errsz, "no service list to parse");
		return APK_ERR_INVALID;
	}
	memset(out, 0, sizeof(*out));
	for (i = 0; i < nargs; i++) {
		if (args[i] == NULL) {
			snprintf(err, errsz, "no service list to parse");
			goto bad;
		}
		if (!parse_one(args[i], out, &all, err, errsz))
			goto bad;
	}
	if (all && out->n > 0) {
		snprintf(err, errsz, "'all' (every service) cannot be combined with service names");
		goto bad;
	}
	return APK_OK;
bad:
	memset(out, 0, sizeof(*out));
	return APK_ERR_INVALID;
}

bool apk_services_canonical(const struct apk_services *s)
{
	size_t i;

	if (s == NULL || s->n > APK_SERVICES_MAX)
		return false;
	for (i = 0; i < s->n; i++) {
		if (strnlen(s->name[i], sizeof(s->name[i])) == sizeof(s->name[i]) ||
		    !service_name_valid(s->name[i]) || has_upper(s->name[i]) ||
		    strcmp(s->name[i], "all") == 0)
			return false;
		if (i > 0 && strcmp(s->name[i - 1], s->name[i]) >= 0)
			return false;
	}
	return true;
}

char *apk_services_text(const struct apk_services *s, char *out, size_t outsz)
{
	size_t i, pos = 0, len;

	if (outsz == 0)
		return out;
	out[0] = '\0';
	for (i = 0; i < s->n; i++) {
		len = strlen(s->name[i]);
		if (pos + (i > 0) + len >= outsz)
			break;
		if (i > 0)
			out[pos++] = ',';
		memcpy(out + pos, s->name[i], len + 1);
		pos += len;
	}
	return out;
}

bool apk_services_allow(const struct apk_services *s, const char *service)
{
	size_t i, j;

	if (s->n == 0)
		return true;
	if (service == NULL)
		return false;
	for (i = 0; i < s->n; i++) {
		for (j = 0; s->name[i][j] != '\0' && lower(service[j]) == s->name[i][j]; j++)
			;
		if (s->name[i][j] == '\0' && service[j] == '\0')
			return true;
	}
	return false;
}
