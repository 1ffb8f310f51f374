/* fleet_entry.c - record <-> directory entry attributes, validated both ways
 * (fleet_entry.h) */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fleet_entry.h"
#include "restrict.h"
#include "validate.h"
#include "when.h"

#define TIME_LEN 15

void fleet_time_format(int64_t t, char out[16])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, 16, "%Y%m%d%H%M%SZ", &tm) != TIME_LEN)
		out[0] = '\0';
}

int64_t fleet_time_parse(const char *v, size_t len)
{
	struct tm tm, back;
	int f[6], widths[6] = { 4, 2, 2, 2, 2, 2 };
	size_t i, j, pos = 0;
	time_t t;

	if (len != TIME_LEN || v[TIME_LEN - 1] != 'Z')
		return -1;
	for (i = 0; i < 6; i++) {
		f[i] = 0;
		for (j = 0; j < (size_t)widths[i]; j++, pos++) {
			if (v[pos] < '0' || v[pos] > '9')
				return -1;
			f[i] = f[i] * 10 + (v[pos] - '0');
		}
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = f[0] - 1900;
	tm.tm_mon = f[1] - 1;
	tm.tm_mday = f[2];
	tm.tm_hour = f[3];
	tm.tm_min = f[4];
	tm.tm_sec = f[5];
	if (f[0] < 1970 || f[1] < 1 || f[1] > 12 || f[2] < 1 || f[3] > 23 || f[4] > 59 || f[5] > 59)
		return -1;
	t = timegm(&tm);
	/* no 30 February: the date must come back as written */
	if (t < 0 || gmtime_r(&t, &back) == NULL || back.tm_mday != f[2] || back.tm_mon != f[1] - 1)
		return -1;
	return (int64_t)t;
}

enum apk_err fleet_entry_add(struct fleet_entry *e, const char *name, const char *v, size_t len)
{
	struct fleet_attr *a = NULL;
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strcasecmp(e->attr[i].name, name) == 0)
			a = &e->attr[i];
	if (a == NULL) { /* the name is copied too: a server's answer is freed */
		if (e->n == FLEET_ATTRS_MAX || strlen(name) >= FLEET_STORE - e->used)
			return APK_ERR_CORRUPT;
		a = &e->attr[e->n++];
		memset(a, 0, sizeof(*a));
		a->name = memcpy(e->store + e->used, name, strlen(name) + 1);
		e->used += strlen(name) + 1;
	}
	if (a->n == FLEET_VALUES_MAX || len >= FLEET_STORE - e->used)
		return APK_ERR_CORRUPT;
	memcpy(e->store + e->used, v, len);
	e->store[e->used + len] = '\0';
	a->val[a->n] = e->store + e->used;
	a->len[a->n++] = len;
	e->used += len + 1;
	return APK_OK;
}

size_t fleet_entry_changeable(const char *names[], size_t max)
{
	static const char *const fixed[] = { "apiKeyName", "apiKeyDescription", "apiKeyExpires",
					     "apiKeyDisabled" };
	size_t i, n = 0;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]) && n < max; i++)
		names[n++] = fixed[i];
	for (i = 0; i < APK_RESTRICTIONS && n < max; i++)
		names[n++] = apk_restrictions[i].attribute;
	return n;
}

const struct fleet_attr *fleet_entry_find(const struct fleet_entry *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strcasecmp(e->attr[i].name, name) == 0)
			return &e->attr[i];
	return NULL;
}

static enum apk_err add_text(struct fleet_entry *e, const char *name, const char *v)
{
	return fleet_entry_add(e, name, v, strlen(v));
}

enum apk_err fleet_entry_encode(const struct apk_record *r, const struct apk_fleet_digest *d,
				struct fleet_entry *e)
{
	char digest[APK_FLEET_VALUE_LEN + 1], when[16], item[APK_RESTRICTION_TEXT_MAX + 1];
	enum apk_err err;
	size_t k, i;

	memset(e, 0, sizeof(*e));
	if (!apk_id_valid(r->id) || !apk_name_valid(r->name) ||
	    !apk_desc_stored_valid(r->description) || r->created <= 0 ||
	    r->created > APK_WHEN_LAST || r->expires < 0 || r->expires > APK_WHEN_LAST)
		return APK_ERR_INVALID;
	apk_fleet_digest_encode(d, digest);
	fleet_time_format(r->created, when);
	err = add_text(e, "objectClass", "pamApiKey");
	if (err == APK_OK)
		err = add_text(e, "apiKeyId", r->id);
	if (err == APK_OK)
		err = add_text(e, "apiKeyDigest", digest);
	if (err == APK_OK)
		err = add_text(e, "apiKeyCreated", when);
	if (err == APK_OK)
		err = add_text(e, "apiKeyName", r->name);
	if (err == APK_OK && r->description[0] != '\0')
		err = add_text(e, "apiKeyDescription", r->description);
	if (err == APK_OK && r->expires != 0) {
		fleet_time_format(r->expires, when);
		err = add_text(e, "apiKeyExpires", when);
	}
	if (err == APK_OK && r->disabled)
		err = add_text(e, "apiKeyDisabled", "TRUE");
	for (k = 0; k < APK_RESTRICTIONS && err == APK_OK; k++) {
		if (!apk_restrictions[k].canonical(r))
			return APK_ERR_INVALID;
		for (i = 0; i < apk_restrictions[k].count(r) && err == APK_OK; i++)
			err = add_text(e, apk_restrictions[k].attribute,
				       apk_restrictions[k].item(r, i, item, sizeof(item)));
	}
	memset(digest, 0, sizeof(digest));
	return err == APK_OK ? APK_OK : APK_ERR_INVALID;
}

/* Copies the one value of a into out (outsz bytes, NUL added); false when
 * there are more values, a NUL in it, or it does not fit. */
static bool single(const struct fleet_attr *a, char *out, size_t outsz)
{
	if (a->n != 1 || a->len[0] >= outsz || memchr(a->val[0], '\0', a->len[0]) != NULL)
		return false;
	memcpy(out, a->val[0], a->len[0]);
	out[a->len[0]] = '\0';
	return true;
}

/* A time attribute: one valid value, from 1 to APK_WHEN_LAST. */
static bool time_value(const struct fleet_attr *a, int64_t *out)
{
	if (a->n != 1)
		return false;
	*out = fleet_time_parse(a->val[0], a->len[0]);
	return *out > 0 && *out <= APK_WHEN_LAST;
}

/* A restriction's values, one item each, into r: the list they make must
 * be canonical and keep every value (no duplicate, no "all"). */
static bool restriction_values(const struct apk_restriction *k, const struct fleet_attr *a,
			       struct apk_record *r)
{
	static char items[FLEET_VALUES_MAX][APK_RESTRICTION_TEXT_MAX + 1];
	const char *args[FLEET_VALUES_MAX];
	char err[256];
	size_t i;

	for (i = 0; i < a->n; i++) {
		if (a->len[i] == 0 || a->len[i] > APK_RESTRICTION_TEXT_MAX ||
		    memchr(a->val[i], '\0', a->len[i]) != NULL || memchr(a->val[i], ',', a->len[i]) != NULL)
			return false;
		memcpy(items[i], a->val[i], a->len[i]);
		items[i][a->len[i]] = '\0';
		args[i] = items[i];
	}
	return k->parse(args, a->n, r, err, sizeof(err)) == APK_OK && k->canonical(r) &&
	       k->count(r) == a->n;
}

enum apk_err fleet_entry_decode(const struct fleet_entry *e, struct apk_record *r,
				struct apk_fleet_digest *d, char *why, size_t whysz)
{
	char flag[8];
	bool seen_class = false, seen_digest = false, seen_created = false;
	const struct fleet_attr *a;
	size_t i, j, k;
	bool ok;

	memset(r, 0, sizeof(*r));
	memset(d, 0, sizeof(*d));
	for (i = 0; i < e->n; i++) {
		a = &e->attr[i];
		for (j = 0; j < i && strcasecmp(e->attr[j].name, a->name) != 0; j++)
			;
		if (j < i || a->n == 0) { /* the same attribute twice, or no value */
			ok = false;
		} else if (strcasecmp(a->name, "objectClass") == 0) {
			for (j = 0, ok = true; j < a->n; j++)
				if (a->len[j] == 9 && strncasecmp(a->val[j], "pamApiKey", 9) == 0)
					seen_class = true;
		} else if (strcasecmp(a->name, "apiKeyId") == 0) {
			ok = single(a, r->id, sizeof(r->id)) && apk_id_valid(r->id);
		} else if (strcasecmp(a->name, "apiKeyDigest") == 0) {
			ok = seen_digest = a->n == 1 &&
				apk_fleet_digest_decode(a->val[0], a->len[0], d) == APK_OK;
		} else if (strcasecmp(a->name, "apiKeyCreated") == 0) {
			ok = seen_created = time_value(a, &r->created);
		} else if (strcasecmp(a->name, "apiKeyName") == 0) {
			ok = single(a, r->name, sizeof(r->name)) && apk_name_valid(r->name);
		} else if (strcasecmp(a->name, "apiKeyDescription") == 0) {
			ok = single(a, r->description, sizeof(r->description)) &&
			     r->description[0] != '\0' && apk_desc_stored_valid(r->description);
		} else if (strcasecmp(a->name, "apiKeyExpires") == 0) {
			ok = time_value(a, &r->expires);
		} else if (strcasecmp(a->name, "apiKeyDisabled") == 0) {
			ok = single(a, flag, sizeof(flag)) &&
			     (strcmp(flag, "TRUE") == 0 || strcmp(flag, "FALSE") == 0);
			r->disabled = ok && strcmp(flag, "TRUE") == 0;
		} else {
			for (k = 0; k < APK_RESTRICTIONS &&
				    strcasecmp(a->name, apk_restrictions[k].attribute) != 0; k++)
				;
			/* an attribute not known here may restrict the key:
			 * refuse rather than ignore it */
			ok = k < APK_RESTRICTIONS && restriction_values(&apk_restrictions[k], a, r);
		}
		if (!ok) {
			char shown[64];

			snprintf(why, whysz, "attribute %s: not a valid value",
				 apk_escape(a->name, shown, sizeof(shown)));
			goto bad;
		}
	}
	if (!seen_class || r->id[0] == '\0' || !seen_digest || !seen_created || r->name[0] == '\0') {
		snprintf(why, whysz, "not a pamApiKey entry with an id, digest, created and name");
		goto bad;
	}
	/* a directory key: checked under its entry's salt (record.h) */
	r->kind = APK_DIGEST_DIRECTORY;
	memcpy(r->salt, d->salt, sizeof(r->salt));
	memcpy(r->digest, d->digest, sizeof(r->digest));
	return APK_OK;
bad:
	memset(r, 0, sizeof(*r));
	memset(d, 0, sizeof(*d));
	return APK_ERR_CORRUPT;
}
