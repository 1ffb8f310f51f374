/* validate.c - names, descriptions, login names, and escaping for display
 *
 * The UTF-8 decoder is our own and strict (RFC 3629): no overlong forms, no
 * surrogates, nothing above U+10FFFF, no truncated sequences.
 */
#include <stdint.h>
#include <string.h>

#include "validate.h"

/* Decodes one well-formed UTF-8 sequence at p (NUL-terminated string).
 * Returns its length (1-4) and sets *cp, or 0 when p does not start a
 * well-formed sequence. A NUL is never a continuation byte, so a sequence
 * cut short by the end of the string is rejected without reading past it. */
static size_t utf8_decode(const unsigned char *p, uint32_t *cp)
{
	uint32_t c, min;
	size_t n, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	} else if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		n = 2; c = p[0] & 0x1F; min = 0x80;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		n = 3; c = p[0] & 0x0F; min = 0x800;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		n = 4; c = p[0] & 0x07; min = 0x10000;
	} else {
		return 0; /* continuation byte, C0/C1 lead (overlong), F5-FF */
	}
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* Code points that may not appear in a description and are escaped on
 * display: C0 controls, DEL, C1 controls, bidirectional formatting
 * characters, and the Unicode line and paragraph separators. */
static bool forbidden_cp(uint32_t c)
{
	return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) ||
	       c == 0x061C ||                   /* ARABIC LETTER MARK */
	       c == 0x200E || c == 0x200F ||    /* LRM, RLM */
	       c == 0x2028 || c == 0x2029 ||    /* LINE/PARAGRAPH SEPARATOR */
	       (c >= 0x202A && c <= 0x202E) ||  /* LRE, RLE, PDF, LRO, RLO */
	       (c >= 0x2066 && c <= 0x2069);    /* LRI, RLI, FSI, PDI */
}

static bool name_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool apk_name_valid(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (i >= APK_NAME_MAX || !name_char((unsigned char)s[i]))
			return false;
	return true;
}

bool apk_desc_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t chars = 0;

	if (s == NULL || strnlen(s, APK_DESC_MAX_BYTES + 1) > APK_DESC_MAX_BYTES)
		return false;
	while (*p != '\0') {
		uint32_t c;
		size_t n = utf8_decode(p, &c);

		if (n == 0 || forbidden_cp(c) || ++chars > APK_DESC_MAX_CHARS)
			return false;
		p += n;
	}
	return true;
}

bool apk_user_valid(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || s[0] == '-' || s[0] == '$')
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= APK_USER_MAX)
			return false;
		if (s[i] == '$' && s[i + 1] == '\0')
			continue; /* a trailing '$' (machine accounts) */
		if (!name_char((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* Appends the n bytes of piece if they fit with room for the final NUL. */
static bool put(char *out, size_t outsz, size_t *pos, const char *piece, size_t n)
{
	if (outsz - *pos <= n)
		return false;
	memcpy(out + *pos, piece, n);
	*pos += n;
	return true;
}

static bool put_hex(char *out, size_t outsz, size_t *pos, unsigned char b)
{
	static const char hex[] = "0123456789abcdef";
	char e[4] = { '\\', 'x', hex[b >> 4], hex[b & 0x0F] };

	return put(out, outsz, pos, e, sizeof e);
}

char *apk_escape(const char *s, char *out, size_t outsz)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t pos = 0, i;
	bool ok = true;

	if (out == NULL || outsz == 0)
		return out;
	while (ok && p != NULL && *p != '\0') {
		uint32_t c;
		size_t n = utf8_decode(p, &c);

		if (n == 0) {
			/* Not well-formed: escape this one byte, resync after it. */
			ok = put_hex(out, outsz, &pos, *p);
			n = 1;
		} else if (c == '\\') {
			ok = put(out, outsz, &pos, "\\\\", 2);
		} else if (forbidden_cp(c)) {
			/* Every byte of the character, or none of them. */
			ok = outsz - pos > 4 * n;
			for (i = 0; ok && i < n; i++)
				(void)put_hex(out, outsz, &pos, p[i]);
		} else {
			ok = put(out, outsz, &pos, (const char *)p, n);
		}
		p += n;
	}
	out[pos] = '\0';
	return out;
}
