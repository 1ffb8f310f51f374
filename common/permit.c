/* permit.c - a key's lifecycle fields against one login (see permit.h) */
#include "permit.h"
#include "when.h"

enum apk_permit apk_permit_check(const struct apk_record *r, int64_t now, const char *service,
				 const char *rhost)
{
	if (r->disabled)
		return APK_PERMIT_DISABLED;
	if (r->expires != APK_WHEN_NEVER && now >= r->expires)
		return APK_PERMIT_EXPIRED;
	if (!apk_services_allow(&r->services, service))
		return APK_PERMIT_SERVICE;
	switch (apk_networks_match(&r->networks, rhost)) {
	case APK_SOURCE_OK:
		return APK_PERMIT_OK;
	case APK_SOURCE_UNSET:
		return APK_PERMIT_NO_RHOST;
	case APK_SOURCE_NOT_ADDRESS:
		return APK_PERMIT_RHOST_NOT_ADDRESS;
	case APK_SOURCE_NOT_LISTED:
		break;
	}
	return APK_PERMIT_SOURCE;
}

const char *apk_permit_reason(enum apk_permit p)
{
	switch (p) {
	case APK_PERMIT_OK:
		return "";
	case APK_PERMIT_DISABLED:
		return "key disabled";
	case APK_PERMIT_EXPIRED:
		return "key expired";
	case APK_PERMIT_SERVICE:
		return "service not allowed for this key";
	case APK_PERMIT_NO_RHOST:
		return "source address not allowed for this key (no remote host given)";
	case APK_PERMIT_RHOST_NOT_ADDRESS:
		return "source address not allowed for this key (the remote host is a name, "
		       "not an address)";
	case APK_PERMIT_SOURCE:
		break;
	}
	return "source address not allowed for this key";
}

bool apk_expires_within(const struct apk_record *r, int64_t now, unsigned days)
{
	if (days == 0 || r->expires == APK_WHEN_NEVER || now >= r->expires)
		return false;
	return r->expires - now <= (int64_t)days * APK_SECONDS_PER_DAY;
}
