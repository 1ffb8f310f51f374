/* write_all.h - a whole buffer to a descriptor (tests and bench) */
#ifndef APK_WRITE_ALL_H
#define APK_WRITE_ALL_H

#include <stddef.h>

/* Writes all len bytes of buf to fd, again after EINTR: 0, or -1. */
int write_all(int fd, const void *buf, size_t len);

#endif
