/* safefile.h - opening the database directory and its files without trusting them
 *
 * A trusted owner is root, the helper account (APK_HELPER_USER) or the
 * calling process's effective uid. The directory must be a real directory
 * with a trusted owner and no write permission for group or others. Files
 * are opened relative to it (dirfd: from apk_safe_open_dir) with
 * O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK and then fstat-checked: a regular file,
 * at most one link (none: replaced since), a trusted owner (or the
 * directory's), no group or other permission bits. */
#ifndef APK_SAFEFILE_H
#define APK_SAFEFILE_H

#include <sys/stat.h>

#include "apk_error.h"

/* Opens the directory at the absolute path dir and checks it; its last
 * component must not be a symlink. */
enum apk_err apk_safe_open_dir(const char *dir, int *dirfd);

/* Opens the directory dirfd/name (not a symlink) and checks it as
 * apk_safe_open_dir checks the database directory. APK_ERR_NOTFOUND when it
 * does not exist. */
enum apk_err apk_safe_open_subdir(int dirfd, const char *name, int *subfd);

/* Opens dirfd/name with flags (O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK added, and
 * left: a regular file ignores O_NONBLOCK) and checks the result; mode is
 * used with O_CREAT. APK_ERR_NOTFOUND when it
 * does not exist, APK_ERR_UNAVAIL when it cannot be opened,
 * APK_ERR_UNSAFE when a check fails. */
enum apk_err apk_safe_openat(int dirfd, const char *name, int flags, int mode, int *fd);

/* The same, and the fstat it checked in *st (zero unless APK_OK): a caller
 * that needs the size asks no second time. */
enum apk_err apk_safe_openat_stat(int dirfd, const char *name, int flags, int mode, int *fd,
				  struct stat *st);

/* Removes dirfd/name, a file a killed writer left behind, if it passes the
 * same checks as an opened file (a regular file, one link, a trusted owner,
 * no group or other bits); APK_OK when it does not exist, APK_ERR_UNSAFE
 * (and nothing removed) when it is anything else. */
enum apk_err apk_safe_remove_stale(int dirfd, const char *name);

#endif
