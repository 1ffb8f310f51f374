/* unit_util.h - small helpers the unit_* programs share */
#ifndef APK_UNIT_UTIL_H
#define APK_UNIT_UTIL_H

#include <stddef.h>

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* 1 when the n bytes at p are all zero (a wiped output, say). */
int all_zero(const void *p, size_t n);

/* The group setup of a test that needs libsodium. */
int crypto_setup(void **state);

#endif
