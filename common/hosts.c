/* hosts.c - the host list of a key: parsing, canonical form, matching */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hosts.h"
#include "validate.h"

#define SHOWN_MAX 80 /* bytes of the caller's text quoted in a message */

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool apk_host_name_valid(const char *name)
{
	size_t i;

	for (i = 0; name[i] != '\0'; i++)
		if (i == APK_HOST_NAME_MAX || !name_char(name[i]))
			return false;
	return i > 0;
}

/* n bytes at p: 1-255 of the name's characters and * ? [ ] ! , lower case. */
static bool pattern_valid(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > APK_HOST_PATTERN_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!name_char(p[i]) && strchr("*?[]!", p[i]) == NULL)
			return false;
	return true;
}

/* The patterns of h's text: start and length of item i. */
static bool nth(const struct apk_hosts *h, size_t i, const char **p, size_t *n)
{
	const char *s = h->text, *comma;

	for (;;) {
		comma = strchr(s, ',');
		*n = comma != NULL ? (size_t)(comma - s) : strlen(s);
		if (i == 0) {
			*p = s;
			return true;
		}
		if (comma == NULL)
			return false;
		s = comma + 1;
		i--;
	}
}

char *apk_hosts_item(const struct apk_hosts *h, size_t i, char *out, size_t outsz)
{
	const char *p;
	size_t n;

	if (outsz == 0)
		return out;
	out[0] = '\0';
	if (i < h->n && nth(h, i, &p, &n))
		snprintf(out, outsz, "%.*s", (int)n, p);
	return out;
}

/* Items of a candidate list, for sorting: at most APK_HOSTS_MAX. */
struct items {
	size_t n;
	char item[APK_HOSTS_MAX][APK_HOST_PATTERN_MAX + 1];
};

static bool insert_sorted(struct items *s, const char *item)
{
	size_t i = 0;
	int c = 1;

	while (i < s->n && (c = strcmp(s->item[i], item)) < 0)
		i++;
	if (i < s->n && c == 0)
		return true;
	if (s->n == APK_HOSTS_MAX)
		return false;
	memmove(s->item[i + 1], s->item[i], (s->n - i) * sizeof(s->item[0]));
	snprintf(s->item[i], sizeof(s->item[i]), "%s", item);
	s->n++;
	return true;
}

static bool parse_one(const char *arg, struct items *s, bool *all, char *err, size_t errsz)
{
	char shown[SHOWN_MAX], item[APK_HOST_PATTERN_MAX + 1];
	const char *p = arg, *end;
	size_t len, i;

	apk_escape(arg, shown, sizeof(shown));
	for (;;) {
		end = strchr(p, ',');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (len == 0) {
			snprintf(err, errsz, "'%s': an empty host pattern", shown);
			return false;
		}
		if (len > APK_HOST_PATTERN_MAX) {
			snprintf(err, errsz, "'%s': a host pattern has at most %d characters", shown,
				 APK_HOST_PATTERN_MAX);
			return false;
		}
		for (i = 0; i < len; i++)
			item[i] = lower(p[i]);
		item[len] = '\0';
		if (!pattern_valid(item, len)) {
			snprintf(err, errsz,
				 "'%s': a host pattern is made of A-Z a-z 0-9 . _ - and * ? [ ] !",
				 shown);
			return false;
		}
		if (strcmp(item, "all") == 0) {
			*all = true;
		} else if (!insert_sorted(s, item)) {
			snprintf(err, errsz, "'%s': at most %d host patterns", shown, APK_HOSTS_MAX);
			return false;
		}
		if (end == NULL)
			return true;
		p = end + 1;
	}
}

enum apk_err apk_hosts_parse(const char *const *args, size_t nargs, struct apk_hosts *out,
			     char *err, size_t errsz)
{
	static struct items s; /* 4 KB: not on a small stack */
	bool all = false;
	size_t i, pos = 0, len;

	if (out == NULL || (args == NULL && nargs > 0)) {
		snprintf(err, errsz, "no host list to parse");
		return APK_ERR_INVALID;
	}
	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	for (i = 0; i < nargs; i++) {
		if (args[i] == NULL) {
			snprintf(err, errsz, "no host list to parse");
			goto bad;
		}
		if (!parse_one(args[i], &s, &all, err, errsz))
			goto bad;
	}
	if (all && s.n > 0) {
		snprintf(err, errsz, "'all' (every host) cannot be combined with host patterns");
		goto bad;
	}
	for (i = 0; i < s.n; i++) {
		len = strlen(s.item[i]);
		if (pos + (i > 0) + len > APK_HOSTS_TEXT_MAX) {
			snprintf(err, errsz, "the host patterns take at most %d bytes in all",
				 APK_HOSTS_TEXT_MAX);
			goto bad;
		}
		if (i > 0)
			out->text[pos++] = ',';
		memcpy(out->text + pos, s.item[i], len);
		pos += len;
	}
	out->n = s.n;
	return APK_OK;
bad:
	memset(out, 0, sizeof(*out));
	return APK_ERR_INVALID;
}

bool apk_hosts_canonical(const struct apk_hosts *h)
{
	const char *p, *prev = NULL;
	size_t i, n, prevn = 0, count = 0, len;

	if (h == NULL || h->n > APK_HOSTS_MAX)
		return false;
	len = strnlen(h->text, sizeof(h->text));
	if (len == sizeof(h->text) || (h->n == 0) != (len == 0))
		return false;
	for (i = 0; i < h->n; i++) {
		if (!nth(h, i, &p, &n) || !pattern_valid(p, n) || (n == 3 && memcmp(p, "all", 3) == 0))
			return false;
		if (prev != NULL) {
			int c = memcmp(prev, p, prevn < n ? prevn : n);

			if (c > 0 || (c == 0 && prevn >= n))
				return false;
		}
		prev = p;
		prevn = n;
		count++;
	}
	/* nothing after the last item */
	return count == h->n && (h->n == 0 || prev + prevn == h->text + len);
}

bool apk_hosts_allow(const struct apk_hosts *h, const char *host)
{
	char pat[APK_HOST_PATTERN_MAX + 1];
	size_t i;

	if (h->n == 0)
		return true;
	if (host == NULL || !apk_host_name_valid(host))
		return false;
	for (i = 0; i < h->n; i++)
		if (fnmatch(apk_hosts_item(h, i, pat, sizeof(pat)), host, FNM_CASEFOLD) == 0)
			return true;
	return false;
}

char *apk_host_name_local(char *out, size_t outsz)
{
	char name[APK_HOST_NAME_MAX + 2];
	size_t i;

	if (outsz == 0)
		return out;
	out[0] = '\0';
	if (gethostname(name, sizeof(name)) != 0)
		return out;
	name[sizeof(name) - 1] = '\0';
	for (i = 0; name[i] != '\0'; i++)
		name[i] = lower(name[i]);
	if (apk_host_name_valid(name))
		snprintf(out, outsz, "%s", name);
	return out;
}
