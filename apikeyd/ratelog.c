/* ratelog.c - syslog with a budget per window */
#include <stdarg.h>
#include <syslog.h>
#include <time.h>

#include "ratelog.h"

void ratelog(int priority, const char *fmt, ...)
{
	static time_t window;
	static unsigned used, dropped;
	struct timespec ts;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec - window >= RATELOG_WINDOW) {
		if (dropped > 0)
			syslog(LOG_NOTICE, "%u similar lines left out in %d seconds", dropped,
			       RATELOG_WINDOW);
		window = ts.tv_sec;
		used = dropped = 0;
	}
	if (used >= RATELOG_BURST) {
		dropped++;
		return;
	}
	used++;
	va_start(ap, fmt);
	vsyslog(priority, fmt, ap);
	va_end(ap);
}
