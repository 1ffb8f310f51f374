/* slot_check.h - a last-use slot's check as FORMAT.md ("Last used") gives
 * it, written from the document, not from lastused_format.c: tests and the
 * fuzz target sign slots of their own with it. */
#ifndef APK_SLOT_CHECK_H
#define APK_SLOT_CHECK_H

#include <stdint.h>

#define SLOT_BYTES 256
#define SLOT_CHECK_AT 240

/* v as 4 bytes, big-endian, at p (the byte order of every number in the file). */
void slot_put_be32(unsigned char *p, uint32_t v);

/* BLAKE2b (16 bytes out, no key) of "pam_apikey last used v1", uid and
 * slot number index (big-endian, 4 bytes each) and bytes 0-239 of s. */
void slot_check(const unsigned char s[SLOT_BYTES], uint32_t uid, uint32_t index,
		unsigned char out[16]);

/* Writes that check into bytes 240-255 of s. */
void slot_sign(unsigned char s[SLOT_BYTES], uint32_t uid, uint32_t index);

#endif
