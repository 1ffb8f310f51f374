/* settings.c - apikeyd's settings from the configuration file, at start and
 * at SIGHUP */
#include <limits.h>
#include <stdio.h>
#include <syslog.h>

#include "conffile.h"
#include "settings.h"

int settings_apply(const char *path, struct handler *h, char *err, size_t errsz)
{
	struct apk_conf conf;

	if (apk_conf_load(path, &conf, err, errsz) != APK_OK)
		return -1;
	h->uid_min = conf.verify_uid_min;
	h->uid_max = conf.verify_uid_max;
	return 0;
}

void settings_reload(void *arg)
{
	const struct settings_reload *r = arg;
	char err[PATH_MAX + 512];

	if (settings_apply(r->path, r->h, err, sizeof(err)) != 0) {
		syslog(LOG_ERR, "SIGHUP: %s; the settings in force stay (users with uids %u-%u)",
		       err, r->h->uid_min, r->h->uid_max);
		return;
	}
	syslog(LOG_INFO, "SIGHUP: reloaded %s (users with uids %u-%u)", r->path, r->h->uid_min,
	       r->h->uid_max);
}
