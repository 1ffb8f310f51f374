/* settings.c - --expires and the restrictions' options within the policy (settings.h) */
#include <stdio.h>
#include <string.h>

#include "change.h"
#include "settings.h"
#include "when.h"

/* now plus days days, at most the latest time there is. */
static int64_t days_from(int64_t now, unsigned days)
{
	int64_t t = now + (int64_t)days * APK_SECONDS_PER_DAY;

	return t > APK_WHEN_LAST ? APK_WHEN_LAST : t;
}

int settings_parse(const struct apk_args *a, const struct apk_conf *p, int64_t now,
		   bool new_key, struct key_settings *out)
{
	const struct apk_restriction *k;
	char why[512];
	size_t i;

	memset(out, 0, sizeof(*out));
	if (a->expires != NULL) {
		if (apk_when_parse(a->expires, now, p->max_lifetime, &out->expires, why,
				   sizeof(why)) != APK_OK)
			return fail(EXIT_USAGE, "--expires: %s", why);
		out->set_expires = true;
	} else if (new_key) {
		out->expires = p->default_lifetime > 0 ? days_from(now, p->default_lifetime) : 0;
		out->set_expires = true;
	}
	if (new_key)
		out->values.services = p->services; /* unless --service says otherwise */
	for (i = 0; i < APK_RESTRICTIONS; i++) {
		k = &apk_restrictions[i];
		if (a->restrictions[i].n > 0 &&
		    k->parse(a->restrictions[i].v, a->restrictions[i].n, &out->values, why,
			     sizeof(why)) != APK_OK)
			return fail(EXIT_USAGE, "--%s: %s", k->option, why);
		out->set[i] = a->restrictions[i].n > 0 || new_key;
	}
	return EXIT_OK;
}

void settings_apply(const struct key_settings *k, struct apk_record *r)
{
	if (k->set_expires)
		r->expires = k->expires;
	size_t i;

	for (i = 0; i < APK_RESTRICTIONS; i++)
		if (k->set[i])
			apk_restriction_copy(&apk_restrictions[i], r, &k->values);
}

int64_t settings_rotated_expiry(const struct apk_record *old, const struct apk_conf *p,
				int64_t now)
{
	int64_t life, t;

	if (old->expires == 0 || old->expires <= old->created) {
		if (p->max_lifetime == 0)
			return 0;
		return days_from(now, p->default_lifetime);
	}
	life = old->expires - old->created;
	t = life > APK_WHEN_LAST - now ? APK_WHEN_LAST : now + life;
	if (p->max_lifetime > 0 && t > days_from(now, p->max_lifetime))
		t = days_from(now, p->max_lifetime);
	return t;
}

char *settings_describe(const struct apk_record *r, char *out, size_t outsz)
{
	char when[APK_TIME_ISO_LEN + 1], text[APK_RESTRICTION_TEXT_MAX + 1];
	const struct apk_restriction *k;
	size_t len;

	snprintf(out, outsz, "expires %s",
		 r->expires != 0 ? apk_time_iso(r->expires, when, sizeof(when)) : "never");
	for (k = apk_restrictions; k < apk_restrictions + APK_RESTRICTIONS; k++) {
		len = strlen(out);
		snprintf(out + len, outsz - len, ", %s %s", k->name,
			 k->count(r) > 0 ? apk_restriction_text(k, r, text, sizeof(text))
					 : k->unlimited);
	}
	return out;
}
