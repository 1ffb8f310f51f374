/* harden.h - what apikeyctl and apikeyd do to their own process first */
#ifndef APK_HARDEN_H
#define APK_HARDEN_H

#include <stddef.h>

/* Closes every descriptor above 2, ignores SIGXFSZ, sets umask 077, and
 * forbids core dumps and ptrace attach (RLIMIT_CORE 0, not dumpable): no
 * secret a process holds ends in a core file. Returns 0, or -1 with a
 * message in err. */
int apk_harden(char *err, size_t errsz);

#endif
