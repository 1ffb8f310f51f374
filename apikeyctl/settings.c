/* settings.c - --expires, --service and --from within the policy (settings.h) */
#include <stdio.h>
#include <string.h>

#include "change.h"
#include "output.h"
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
	char why[512];

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
	if (a->services.n > 0) {
		if (apk_services_parse(a->services.v, a->services.n, &out->services, why,
				       sizeof(why)) != APK_OK)
			return fail(EXIT_USAGE, "--service: %s", why);
		out->set_services = true;
	} else if (new_key) {
		out->services = p->services;
		out->set_services = true;
	}
	if (a->from.n > 0) {
		if (apk_networks_parse(a->from.v, a->from.n, &out->networks, why,
				       sizeof(why)) != APK_OK)
			return fail(EXIT_USAGE, "--from: %s", why);
		out->set_networks = true;
	} else if (new_key) {
		out->set_networks = true; /* anywhere */
	}
	return EXIT_OK;
}

void settings_apply(const struct key_settings *k, struct apk_record *r)
{
	if (k->set_expires)
		r->expires = k->expires;
	if (k->set_services)
		r->services = k->services;
	if (k->set_networks)
		r->networks = k->networks;
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
	char when[APK_TIME_ISO_LEN + 1], services[APK_SERVICES_TEXT_MAX + 1];
	char networks[NETWORKS_TEXT_MAX + 1];

	snprintf(out, outsz, "expires %s, services %s, from %s",
		 r->expires != 0 ? apk_time_iso(r->expires, when, sizeof(when)) : "never",
		 r->services.n > 0 ? apk_services_text(&r->services, services, sizeof(services))
				   : "all",
		 r->networks.n > 0 ? networks_text(&r->networks, networks, sizeof(networks))
				   : "any");
	return out;
}
