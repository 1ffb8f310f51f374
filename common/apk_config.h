/* apk_config.h - build-time settings
 *
 * The Makefile is the one place that sets the version and the defaults a
 * site may change (DBDIR, HELPER_USER, MAX_KEYS, POLICY, RUNDIR, VERIFY_GROUP); it passes them to
 * every compile, and to the man pages. A compile without them is refused
 * rather than given a second copy of the defaults.
 */
#ifndef APK_CONFIG_H
#define APK_CONFIG_H

#if !defined(APK_VERSION) || !defined(APK_DBDIR) || !defined(APK_HELPER_USER) || \
	!defined(APK_MAX_KEYS_PER_USER) || !defined(APK_POLICY_PATH)
#error "build with the Makefile, which sets APK_VERSION, APK_DBDIR, APK_HELPER_USER, APK_MAX_KEYS_PER_USER and APK_POLICY_PATH"
#endif
#if !defined(APK_RUNDIR) || !defined(APK_VERIFY_GROUP)
#error "build with the Makefile, which sets APK_RUNDIR and APK_VERIFY_GROUP"
#endif

/* How long a writer waits for another writer's lock before "busy". */
#ifndef APK_LOCK_TIMEOUT_MS
#define APK_LOCK_TIMEOUT_MS 5000
#endif

#endif
