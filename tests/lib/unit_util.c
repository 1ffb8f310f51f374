/* unit_util.c - small helpers the unit_* programs share */
#include "keyfmt.h"
#include "unit_util.h"

int all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

int crypto_setup(void **state)
{
	(void)state;
	return apk_crypto_init() == APK_OK ? 0 : -1;
}
