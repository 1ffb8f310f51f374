/* apk_config.h - build-time settings (the Makefile may override each) */
#ifndef APK_CONFIG_H
#define APK_CONFIG_H

#ifndef APK_VERSION
#define APK_VERSION "0.1.0"
#endif

/* The key database: a private directory with one file per account. */
#ifndef APK_DB_PATH
#define APK_DB_PATH "/var/lib/pam_apikey"
#endif

/* The dedicated system account apikeyctl is setuid to; it owns the database. */
#ifndef APK_HELPER_USER
#define APK_HELPER_USER "pam-apikey"
#endif

/* Most keys one account may hold. A site may change it at build time. */
#ifndef APK_MAX_KEYS_PER_USER
#define APK_MAX_KEYS_PER_USER 100
#endif

/* How long a writer waits for another writer's lock before "busy". */
#ifndef APK_LOCK_TIMEOUT_MS
#define APK_LOCK_TIMEOUT_MS 5000
#endif

#endif
