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

struct cp_range {
	uint32_t lo, hi;
};

static bool in_ranges(uint32_t c, const struct cp_range *r, size_t n)
{
	size_t i;

	for (i = 0; i < n && r[i].lo <= c; i++)
		if (c <= r[i].hi)
			return true;
	return false;
}

#define N_RANGES(a) (sizeof(a) / sizeof((a)[0]))

/* Control characters: what a description could never hold (0.1.0 on).
 * Ascending. */
static const struct cp_range controls[] = {
	{ 0x0000, 0x001F },   /* C0, tab and newline included */
	{ 0x007F, 0x009F },   /* DEL, C1 */
	{ 0x061C, 0x061C },   /* ARABIC LETTER MARK (bidi) */
	{ 0x200E, 0x200F },   /* LRM, RLM (bidi) */
	{ 0x2028, 0x202E },   /* LINE/PARAGRAPH SEPARATOR; LRE, RLE, PDF, LRO, RLO */
	{ 0x2066, 0x2069 },   /* LRI, RLI, FSI, PDI (bidi) */
};

/* Invisible characters (refused in a description from 0.3.0 on): Unicode's
 * Default_Ignorable_Code_Point (DerivedCoreProperties.txt, 15.1), the
 * characters a renderer is told to draw as nothing, reserved ones of those
 * blocks included, less the controls above; and the interlinear annotation
 * characters U+FFF9-U+FFFB, which can hide the text between them. Each
 * makes two different strings look alike (a host, a service, a user name)
 * or hides text: zero-width spaces and joiners, word joiner and invisible
 * operators, the byte order mark, tag characters, variation selectors,
 * fillers, the soft hyphen. The price: an emoji sequence built with ZWJ or
 * a variation selector (U+FE0F) is refused in a description; the emoji
 * alone is not. Ascending. */
static const struct cp_range invisible[] = {
	{ 0x00AD, 0x00AD },   /* SOFT HYPHEN */
	{ 0x034F, 0x034F },   /* COMBINING GRAPHEME JOINER */
	{ 0x115F, 0x1160 },   /* HANGUL CHOSEONG/JUNGSEONG FILLER */
	{ 0x17B4, 0x17B5 },   /* KHMER VOWEL INHERENT AQ, AA */
	{ 0x180B, 0x180F },   /* MONGOLIAN FREE VARIATION SELECTORS, VOWEL SEPARATOR */
	{ 0x200B, 0x200D },   /* ZERO WIDTH SPACE, NON-JOINER, JOINER */
	{ 0x2060, 0x2065 },   /* WORD JOINER, invisible operators, (reserved) */
	{ 0x206A, 0x206F },   /* deprecated format characters */
	{ 0x3164, 0x3164 },   /* HANGUL FILLER */
	{ 0xFE00, 0xFE0F },   /* VARIATION SELECTOR-1..16 */
	{ 0xFEFF, 0xFEFF },   /* ZERO WIDTH NO-BREAK SPACE (byte order mark) */
	{ 0xFFA0, 0xFFA0 },   /* HALFWIDTH HANGUL FILLER */
	{ 0xFFF0, 0xFFFB },   /* (reserved); INTERLINEAR ANNOTATION ANCHOR..TERMINATOR */
	{ 0x1BCA0, 0x1BCA3 }, /* SHORTHAND FORMAT controls */
	{ 0x1D173, 0x1D17A }, /* MUSICAL SYMBOL BEGIN BEAM..END PHRASE */
	{ 0xE0000, 0xE0FFF }, /* tag characters, VARIATION SELECTOR-17..256, (reserved) */
};

static bool control_cp(uint32_t c)
{
	return in_ranges(c, controls, N_RANGES(controls));
}

/* The one rule for text a person reads: a character that may not appear
 * in a description is escaped wherever text is shown or logged (apk_escape),
 * and the other way round. */
static bool forbidden_cp(uint32_t c)
{
	if (c < 0xAD) /* the common case: ASCII and Latin-1 */
		return c < 0x20 || (c >= 0x7F && c <= 0x9F);
	return control_cp(c) || in_ranges(c, invisible, N_RANGES(invisible));
}

bool apk_char_hidden(uint32_t c)
{
	return forbidden_cp(c);
}

size_t apk_utf8_char(const char *s, uint32_t *cp)
{
	return utf8_decode((const unsigned char *)s, cp);
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

/* Well-formed UTF-8 of at most APK_DESC_MAX_CHARS characters and
 * APK_DESC_MAX_BYTES bytes, none of them refused. */
static bool desc_check(const char *s, bool (*refused)(uint32_t))
{
	const unsigned char *p = (const unsigned char *)s;
	size_t chars = 0;

	if (s == NULL || strnlen(s, APK_DESC_MAX_BYTES + 1) > APK_DESC_MAX_BYTES)
		return false;
	while (*p != '\0') {
		uint32_t c;
		size_t n = utf8_decode(p, &c);

		if (n == 0 || refused(c) || ++chars > APK_DESC_MAX_CHARS)
			return false;
		p += n;
	}
	return true;
}

bool apk_desc_valid(const char *s)
{
	return desc_check(s, forbidden_cp);
}

bool apk_desc_stored_valid(const char *s)
{
	return desc_check(s, control_cp);
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
