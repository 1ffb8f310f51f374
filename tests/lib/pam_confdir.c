/* pam_confdir.c - pam_start for a program linked with -Wl,--wrap=pam_start
 * (the C example doc/examples/check_key.c, as its test builds it): the
 * service files come from $APK_PAM_CONFDIR, a test's private directory,
 * never from /etc/pam.d. */
#include <stdlib.h>

#include <security/pam_appl.h>

int __wrap_pam_start(const char *service, const char *user, const struct pam_conv *conv,
		     pam_handle_t **pamh);

int __wrap_pam_start(const char *service, const char *user, const struct pam_conv *conv,
		     pam_handle_t **pamh)
{
	const char *dir = getenv("APK_PAM_CONFDIR");

	if (dir == NULL)
		return PAM_SYSTEM_ERR;
	return pam_start_confdir(service, user, conv, dir, pamh);
}
