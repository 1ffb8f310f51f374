/* settings.h - what apikeyd takes from the configuration file
 * (pam_apikey.conf(5)): read at start, and again at each SIGHUP */
#ifndef APKD_SETTINGS_H
#define APKD_SETTINGS_H

#include <stddef.h>

#include "handler.h"

/* Reads the file at path and, only when it is safe and valid, puts its
 * settings in force in h (verify_uid_min, verify_uid_max). Returns 0, or -1
 * with h untouched and one line in err saying why. */
int settings_apply(const char *path, struct handler *h, char *err, size_t errsz);

/* SIGHUP: settings_apply again, as the account apikeyd now runs as, and one
 * log line: the settings now in force, or why the file was refused and the
 * old settings kept. arg is a struct settings_reload. */
struct settings_reload {
	const char *path;
	struct handler *h;
};
void settings_reload(void *arg);

#endif
