/* log.h - one logging call for the module (pam_syslog) and the helper (syslog) */
#ifndef APK_LOG_H
#define APK_LOG_H

#include <security/pam_modules.h>

/* With a PAM handle: pam_vsyslog. Without: vsyslog (the helper has called
 * openlog with LOG_AUTHPRIV). Callers escape untrusted strings first
 * (apk_escape); never pass a secret. */
void apk_log(pam_handle_t *pamh, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
