/* log.c - pam_syslog inside the module, syslog in the helper */
#include <stdarg.h>
#include <stddef.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "log.h"

void apk_log(pam_handle_t *pamh, int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (pamh != NULL)
		pam_vsyslog(pamh, prio, fmt, ap);
	else
		vsyslog(LOG_AUTHPRIV | prio, fmt, ap);
	va_end(ap);
}
