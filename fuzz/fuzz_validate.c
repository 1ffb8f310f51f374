/* fuzz_validate.c - the name, description and user validators, and apk_escape
 *
 * Input: one byte choosing apk_escape's output size, then the string (cut at
 * its first NUL). The validators are checked against references written
 * from validate.h (the description's UTF-8 against glibc's decoder); the
 * escaper against what its output may contain and against its inverse:
 *  - the output is NUL-terminated inside the buffer;
 *  - it holds no byte below 0x20 and no 0x7f, and is well-formed UTF-8
 *    without C1 controls, bidi controls, line/paragraph separators or
 *    invisible characters;
 *  - unescaping it gives back a prefix of the input (all of it when the
 *    buffer is large enough), cut only between characters;
 *  - a valid description without backslashes comes out unchanged.
 */
#include <locale.h>
#include <string.h>
#include <wchar.h>

#include "fuzz.h"
#include "validate.h"

#define MAX_IN 8192

static int name_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

static int ref_name_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > APK_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!name_char((unsigned char)s[i]))
			return 0;
	return 1;
}

static int ref_user_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > APK_USER_MAX || s[0] == '-' || s[0] == '$')
		return 0;
	for (i = 0; i < n; i++)
		if (!name_char((unsigned char)s[i]) && !(s[i] == '$' && i == n - 1))
			return 0;
	return 1;
}

/* C0, DEL, C1, Unicode's Bidi_Control characters, U+2028 and U+2029, and
 * the invisible ones: Unicode 15.1's Default_Ignorable_Code_Point and
 * U+FFF9-U+FFFB. */
static int forbidden(wchar_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x061C || c == 0x200E ||
	       c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0x2028 || c == 0x2029 || c == 0x00AD || c == 0x034F || c == 0x115F ||
	       c == 0x1160 || c == 0x17B4 || c == 0x17B5 || (c >= 0x180B && c <= 0x180F) ||
	       (c >= 0x200B && c <= 0x200F) || (c >= 0x2060 && c <= 0x206F) || c == 0x3164 ||
	       (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFEFF || c == 0xFFA0 ||
	       (c >= 0xFFF0 && c <= 0xFFFB) || (c >= 0x1BCA0 && c <= 0x1BCA3) ||
	       (c >= 0x1D173 && c <= 0x1D17A) || (c >= 0xE0000 && c <= 0xE0FFF);
}

/* Length of the well-formed UTF-8 character at s (glibc, capped at
 * U+10FFFF), or 0 when s does not start one. */
static size_t ref_char(const char *s, size_t left, wchar_t *wc)
{
	mbstate_t st;
	size_t n;

	memset(&st, 0, sizeof(st));
	n = mbrtowc(wc, s, left, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0 || (unsigned long)*wc > 0x10FFFF)
		return 0;
	return n;
}

static int ref_desc_valid(const char *s)
{
	size_t n = strlen(s), pos = 0, chars = 0, k;
	wchar_t wc;

	if (n > APK_DESC_MAX_BYTES)
		return 0;
	while (pos < n) {
		if ((k = ref_char(s + pos, n - pos, &wc)) == 0 || forbidden(wc))
			return 0;
		pos += k;
		chars++;
	}
	return chars <= APK_DESC_MAX_CHARS;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Undoes apk_escape into raw (at least strlen(out) + 1 bytes); returns the
 * length, or (size_t)-1 when out holds a malformed escape. */
static size_t unescape(const char *out, char *raw)
{
	size_t i = 0, n = 0;

	while (out[i] != '\0') {
		if (out[i] != '\\') {
			raw[n++] = out[i++];
		} else if (out[i + 1] == '\\') {
			raw[n++] = '\\';
			i += 2;
		} else if (out[i + 1] == 'x' && hexval(out[i + 2]) >= 0 && hexval(out[i + 3]) >= 0) {
			raw[n++] = (char)(hexval(out[i + 2]) * 16 + hexval(out[i + 3]));
			i += 4;
		} else {
			return (size_t)-1;
		}
	}
	raw[n] = '\0';
	return n;
}

/* The output shows nothing but printable text: checked with glibc's decoder. */
static void check_printable(const char *out, size_t n)
{
	size_t pos = 0, k;
	wchar_t wc;

	while (pos < n) {
		FUZZ_CHECK((unsigned char)out[pos] >= 0x20 && (unsigned char)out[pos] != 0x7F,
			   "escaped output holds no control byte");
		k = ref_char(out + pos, n - pos, &wc);
		FUZZ_CHECK(k > 0, "escaped output is well-formed UTF-8");
		FUZZ_CHECK(!forbidden(wc), "escaped output holds no control or bidi character");
		pos += k;
	}
}

/* Whether a cut after n bytes of s falls between two characters as
 * apk_escape sees them (a malformed byte is a character of its own). */
static int at_boundary(const char *s, size_t n)
{
	size_t pos = 0, len = strlen(s), k;
	wchar_t wc;

	while (pos < n) {
		k = ref_char(s + pos, len - pos, &wc);
		pos += k == 0 ? 1 : k;
	}
	return pos == n;
}

static void check_escape(const char *s, size_t outsz)
{
	static char out[MAX_IN * 4 + 8], raw[MAX_IN * 4 + 8];
	size_t len = strlen(s), olen, rlen;
	char *ret;

	memset(out, 0x7F, outsz + 1);
	ret = apk_escape(s, out, outsz);
	FUZZ_CHECK(ret == out, "apk_escape returns its buffer");
	if (outsz == 0) {
		FUZZ_CHECK((unsigned char)out[0] == 0x7F, "a zero-size buffer is not written");
		return;
	}
	olen = strnlen(out, outsz);
	FUZZ_CHECK(olen < outsz, "escaped output is NUL-terminated inside the buffer");
	FUZZ_CHECK((unsigned char)out[outsz] == 0x7F, "nothing is written past the buffer");
	check_printable(out, olen);
	rlen = unescape(out, raw);
	FUZZ_CHECK(rlen != (size_t)-1, "escaped output holds only well-formed escapes");
	FUZZ_CHECK(rlen <= len && memcmp(raw, s, rlen) == 0, "unescaping gives a prefix of the input");
	FUZZ_CHECK(at_boundary(s, rlen), "output is cut only between characters");
	if (outsz > 4 * len)
		FUZZ_CHECK(rlen == len, "a large enough buffer holds all of the input");
	if (ref_desc_valid(s) && strchr(s, '\\') == NULL && outsz > len)
		FUZZ_CHECK(strcmp(out, s) == 0, "a valid description is shown unchanged");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char s[MAX_IN + 1];
	size_t n, outsz;
	char nul_out[1];

	if (size < 1)
		return 0;
	outsz = data[0];
	n = size - 1 < MAX_IN ? size - 1 : MAX_IN;
	memcpy(s, data + 1, n);
	s[n] = '\0';

	FUZZ_CHECK(apk_name_valid(s) == ref_name_valid(s), "apk_name_valid agrees with validate.h");
	FUZZ_CHECK(apk_user_valid(s) == ref_user_valid(s), "apk_user_valid agrees with validate.h");
	FUZZ_CHECK(apk_desc_valid(s) == ref_desc_valid(s), "apk_desc_valid agrees with validate.h");
	FUZZ_CHECK(!apk_desc_valid(s) || apk_desc_stored_valid(s),
		   "a description valid now is valid as stored");
	check_escape(s, outsz);
	check_escape(s, MAX_IN * 4 + 1);
	nul_out[0] = 'x';
	FUZZ_CHECK(apk_escape(NULL, nul_out, 1) == nul_out && nul_out[0] == '\0', "NULL gives \"\"");
	return 0;
}
