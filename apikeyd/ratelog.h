/* ratelog.h - log lines a hostile caller can provoke, bounded */
#ifndef APKD_RATELOG_H
#define APKD_RATELOG_H

/* At most RATELOG_BURST lines each RATELOG_WINDOW seconds go to syslog;
 * the rest are counted and reported in one line when the next window
 * opens. A flood of bad requests cannot flood the log. */
#define RATELOG_BURST 20
#define RATELOG_WINDOW 10

void ratelog(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
