/* slot_check.c - a last-use slot's check, from FORMAT.md */
#include <sodium.h>

#include "slot_check.h"

void slot_put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

void slot_check(const unsigned char s[SLOT_BYTES], uint32_t uid, uint32_t index,
		unsigned char out[16])
{
	static const char domain[] = "pam_apikey last used v1";
	crypto_generichash_state st;
	unsigned char num[8];

	slot_put_be32(num, uid);
	slot_put_be32(num + 4, index);
	crypto_generichash_init(&st, NULL, 0, 16);
	crypto_generichash_update(&st, (const unsigned char *)domain, sizeof(domain) - 1);
	crypto_generichash_update(&st, num, sizeof(num));
	crypto_generichash_update(&st, s, SLOT_CHECK_AT);
	crypto_generichash_final(&st, out, 16);
}

void slot_sign(unsigned char s[SLOT_BYTES], uint32_t uid, uint32_t index)
{
	slot_check(s, uid, index, s + SLOT_CHECK_AT);
}
