/* unit_util.h - small helpers the unit_* programs share (static inline) */
#ifndef APK_UNIT_UTIL_H
#define APK_UNIT_UTIL_H

#include <stddef.h>

#include "keyfmt.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* 1 when the n bytes at p are all zero (a wiped output, say). */
static inline int all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

/* The group setup of a test that needs libsodium. */
static inline int crypto_setup(void **state)
{
	(void)state;
	return apk_crypto_init() == APK_OK ? 0 : -1;
}

#endif
