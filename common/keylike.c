/* keylike.c - does an answer carry enough of an API key that it must not
 * leave the module? See keylike.h for the rule and doc/SECURITY.md for why.
 *
 * One pass over every byte: the comparisons below compile to flag
 * arithmetic, so the work depends on the length only, not on what the
 * answer holds or where a key-like part stands in it.
 */
#include <stdint.h>

#include "keyfmt.h"
#include "keylike.h"

/* 1 when c is in the key alphabet (A-Z a-z 0-9 - _), else 0. */
static unsigned in_alphabet(unsigned c)
{
	unsigned lower = c | 0x20u; /* 'A'-'Z' onto 'a'-'z'; no other byte lands there */

	return (unsigned)(lower - 'a' < 26u) | (unsigned)(c - '0' < 10u) | (unsigned)(c == '-') |
	       (unsigned)(c == '_');
}

/* c with A-Z made lower case, every other byte as it is. */
static unsigned to_lower(unsigned c)
{
	return c | ((unsigned)(c - 'A' < 26u) << 5);
}

int apk_key_like(const char *s, size_t len)
{
	/* the prefix (lower case), as the last four bytes seen would hold it */
	const uint32_t prefix = (uint32_t)to_lower((unsigned char)APK_KEY_PREFIX[0]) << 24 |
				(uint32_t)to_lower((unsigned char)APK_KEY_PREFIX[1]) << 16 |
				(uint32_t)to_lower((unsigned char)APK_KEY_PREFIX[2]) << 8 |
				(uint32_t)to_lower((unsigned char)APK_KEY_PREFIX[3]);
	uint32_t last4 = 0;
	size_t count = 0, i;
	unsigned has_prefix = 0;

	_Static_assert(APK_KEY_PREFIX_LEN == 4, "the prefix fills last4");
	for (i = 0; i < len; i++) {
		unsigned c = (unsigned char)s[i];

		count += in_alphabet(c);
		last4 = last4 << 8 | to_lower(c);
		has_prefix |= (unsigned)(last4 == prefix);
	}
	return (int)(has_prefix | (unsigned)(count >= APK_KEYLIKE_CHARS));
}
