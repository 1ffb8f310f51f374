/* permit.c - a key's lifecycle fields and restrictions against one login
 * (see permit.h) */
#include "permit.h"
#include "restrict.h"
#include "when.h"

enum apk_permit apk_permit_check_attempt(const struct apk_record *r, int64_t now,
					 const struct apk_attempt *a)
{
	if (r->disabled)
		return APK_PERMIT_DISABLED;
	if (r->expires != APK_WHEN_NEVER && now >= r->expires)
		return APK_PERMIT_EXPIRED;
	return apk_restrictions_check(r, a);
}

enum apk_permit apk_permit_check(const struct apk_record *r, int64_t now, const char *service,
				 const char *rhost)
{
	const struct apk_attempt a = { service, rhost, NULL };

	return apk_permit_check_attempt(r, now, &a);
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
	case APK_PERMIT_HOST:
		return "host not allowed for this key";
	case APK_PERMIT_MIRROR_STALE:
		return "directory mirror stale";
	case APK_PERMIT_MIRROR_STATE:
		return "directory mirror state missing or invalid";
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
