/* unit_validate.c - names, descriptions, login names, escaping */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "validate.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers, written from the definitions, not from validate.c ------- */

/* UTF-8 encoding of a code point (RFC 3629 bit layout); returns length. */
static size_t enc_utf8(uint32_t c, unsigned char *o)
{
	if (c < 0x80) {
		o[0] = (unsigned char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (unsigned char)(0xC0 | (c >> 6));
		o[1] = (unsigned char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (c >> 12));
		o[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (c & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (c >> 18));
	o[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (c & 0x3F));
	return 4;
}

/* The controls a description could never hold (0.2.0's rule, which a
 * stored description is still read by), listed one by one. */
static int control_cp(uint32_t c)
{
	static const uint32_t single[] = { 0x7F, 0x061C, 0x200E, 0x200F, 0x202A, 0x202B,
					   0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068,
					   0x2069, 0x2028, 0x2029 };
	size_t i;

	if (c <= 0x1F || (c >= 0x80 && c <= 0x9F))
		return 1;
	for (i = 0; i < N_ELEM(single); i++)
		if (c == single[i])
			return 1;
	return 0;
}

/* Unicode 15.1's Default_Ignorable_Code_Point, as DerivedCoreProperties.txt
 * lists it, and the interlinear annotation characters U+FFF9-U+FFFB. */
static int invisible_cp(uint32_t c)
{
	static const uint32_t range[][2] = {
		{ 0x00AD, 0x00AD }, { 0x034F, 0x034F }, { 0x061C, 0x061C }, { 0x115F, 0x1160 },
		{ 0x17B4, 0x17B5 }, { 0x180B, 0x180D }, { 0x180E, 0x180E }, { 0x180F, 0x180F },
		{ 0x200B, 0x200F }, { 0x202A, 0x202E }, { 0x2060, 0x2064 }, { 0x2065, 0x2065 },
		{ 0x2066, 0x206F }, { 0x3164, 0x3164 }, { 0xFE00, 0xFE0F }, { 0xFEFF, 0xFEFF },
		{ 0xFFA0, 0xFFA0 }, { 0xFFF0, 0xFFF8 }, { 0x1BCA0, 0x1BCA3 },
		{ 0x1D173, 0x1D17A }, { 0xE0000, 0xE0000 }, { 0xE0001, 0xE0001 },
		{ 0xE0002, 0xE001F }, { 0xE0020, 0xE007F }, { 0xE0080, 0xE00FF },
		{ 0xE0100, 0xE01EF }, { 0xE01F0, 0xE0FFF },
		{ 0xFFF9, 0xFFFB },
	};
	size_t i;

	for (i = 0; i < N_ELEM(range); i++)
		if (c >= range[i][0] && c <= range[i][1])
			return 1;
	return 0;
}

/* The characters a description may not hold now. */
static int refused_cp(uint32_t c)
{
	return control_cp(c) || invisible_cp(c);
}

/* A string of n copies of the UTF-8 encoding of c (caller frees). */
static char *repeat_cp(uint32_t c, size_t n)
{
	unsigned char e[4];
	size_t l = enc_utf8(c, e), i;
	char *s = malloc(n * l + 1);

	assert_non_null(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * l, e, l);
	s[n * l] = '\0';
	return s;
}

/* Undoes apk_escape: \\ and \xHH. -1 on a malformed or cut escape. */
static int unescape(const char *s, char *out, size_t outsz)
{
	size_t o = 0;
	unsigned int v;

	while (*s != '\0') {
		if (o + 1 >= outsz)
			return -1;
		if (*s != '\\') {
			out[o++] = *s++;
			continue;
		}
		if (s[1] == '\\') {
			out[o++] = '\\';
			s += 2;
		} else if (s[1] == 'x' && strchr("0123456789abcdef", s[2]) && s[2] &&
			   strchr("0123456789abcdef", s[3]) && s[3]) {
			if (sscanf(s + 2, "%2x", &v) != 1)
				return -1;
			out[o++] = (char)v;
			s += 4;
		} else {
			return -1;
		}
	}
	out[o] = '\0';
	return 0;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* ---- names ------------------------------------------------------------ */

static void test_name(void **state)
{
	static const char *const good[] = { "a", "Z", "0", "key-1", "A.b_c-D", "...", "_",
					    "-", "build.2024-01_x" };
	static const char *const bad[] = { "", "a b", "a/b", "a:b", "a@b", "a\n", "\n",
					   "a\t", "a\x7f", "\xd0\xba\xd0\xbb", "caf\xc3\xa9",
					   "a,b", "a\"b", "a'b", "a\\b", "a$", " a", "a ",
					   "a\xc2\xa0" "b", "a\xe2\x80\xae" "b" };
	char s[APK_NAME_MAX + 2];
	size_t i, c;

	(void)state;
	for (i = 0; i < N_ELEM(good); i++)
		assert_true(apk_name_valid(good[i]));
	for (i = 0; i < N_ELEM(bad); i++)
		assert_false(apk_name_valid(bad[i]));
	assert_false(apk_name_valid(NULL));

	memset(s, 'x', APK_NAME_MAX);
	s[APK_NAME_MAX] = '\0';
	assert_true(apk_name_valid(s));                 /* 64 */
	s[APK_NAME_MAX] = 'x';
	s[APK_NAME_MAX + 1] = '\0';
	assert_false(apk_name_valid(s));                /* 65 */

	/* every byte value as the only character */
	for (c = 1; c < 256; c++) {
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
		s[0] = (char)c;
		s[1] = '\0';
		assert_int_equal(apk_name_valid(s), ok);
	}
}

/* ---- descriptions ----------------------------------------------------- */

static void test_desc_table(void **state)
{
	static const char *const good[] = {
		"", "hello world", "a.b,c;d:e!f?g'h\"i(j)k[l]m{n}o<p>q~r`s@t#u$v%w^x&y*z",
		"caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac", "\xf0\x9f\x98\x80",
		"\xc2\xa0",             /* U+00A0, first after C1 */
		"\xc2\xbf",
		"\xd8\x9b", "\xd8\x9d", /* U+061B, U+061D around ALM */
		"\xe2\x80\x90",         /* U+2010 */
		"\xe2\x80\xa7",         /* U+2027 */
		"\xe2\x80\xaf",         /* U+202F */
		"\xed\x9f\xbf",         /* U+D7FF */
		"\xee\x80\x80",         /* U+E000 */
		"\xef\xbf\xbd",         /* U+FFFD */
		"\xf4\x8f\xbf\xbf",     /* U+10FFFF */
		"\xf0\x90\x80\x80",     /* U+10000 */
		"\xe0\xa0\x80",         /* U+0800 */
		"\xdf\xbf",             /* U+07FF */
		/* next to the invisible characters */
		"\xc2\xac", "\xc2\xae",  /* U+00AC, U+00AE */
		"\xe2\x80\x8a",         /* U+200A */
		"\xe2\x81\x9f",         /* U+205F */
		"\xe2\x81\xb0",         /* U+2070 */
		"\xef\xbb\xbe",         /* U+FEFE */
		"\xef\xbf\xbc",         /* U+FFFC */
		"\xf3\x9f\xbf\xbf",     /* U+DFFFF */
		"\xf3\xa1\x80\x80",     /* U+E1000 */
		"~", " ",
	};
	static const char *const bad[] = {
		/* controls */
		"\x01", "\t", "\n", "\r", "\x1b[31m", "\x1f", "\x7f",
		"\xc2\x80", "\xc2\x85", "\xc2\x9b", "\xc2\x9f",
		/* bidi and separators */
		"\xd8\x9c", "\xe2\x80\x8e", "\xe2\x80\x8f", "\xe2\x80\xaa", "\xe2\x80\xab",
		"\xe2\x80\xac", "\xe2\x80\xad", "\xe2\x80\xae", "\xe2\x81\xa6", "\xe2\x81\xa7",
		"\xe2\x81\xa8", "\xe2\x81\xa9", "\xe2\x80\xa8", "\xe2\x80\xa9",
		/* invisible: ZWSP, ZWNJ, ZWJ; U+2060, U+2064, U+2065, U+206A, U+206F;
		 * BOM; U+E0000, U+E0001, U+E0020, U+E007F (tags); soft hyphen, CGJ,
		 * MVS, VS1, VS16, VS17, VS256, fillers, U+FFF9, U+FFFB, U+1D173 */
		"\xe2\x80\x8b", "\xe2\x80\x8c", "\xe2\x80\x8d", "\xe2\x81\xa0", "\xe2\x81\xa4",
		"\xe2\x81\xa5", "\xe2\x81\xaa", "\xe2\x81\xaf", "\xef\xbb\xbf",
		"\xf3\xa0\x80\x80", "\xf3\xa0\x80\x81", "\xf3\xa0\x80\xa0", "\xf3\xa0\x81\xbf",
		"\xc2\xad", "\xcd\x8f", "\xe1\xa0\x8e", "\xef\xb8\x80", "\xef\xb8\x8f",
		"\xf3\xa0\x84\x80", "\xf3\xa0\x87\xaf", "\xe1\x85\x9f", "\xe3\x85\xa4",
		"\xef\xbe\xa0", "\xef\xbf\xb9", "\xef\xbf\xbb", "\xf0\x9d\x85\xb3",
		/* overlong */
		"\xc0\x80", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xe0\x9f\xbf",
		"\xf0\x80\x80\xaf", "\xf0\x8f\xbf\xbf", "\xf8\x80\x80\x80\xaf",
		/* surrogates, encoded directly or as a CESU pair */
		"\xed\xa0\x80", "\xed\xad\xbf", "\xed\xbf\xbf", "\xed\xa0\xbd\xed\xb8\x80",
		/* above U+10FFFF and impossible bytes */
		"\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf7\xbf\xbf\xbf", "\xfe", "\xff",
		/* truncated or stray */
		"\xc3", "\xe2\x82", "\xf0\x9f\x98", "\x80", "\xbf", "\xc3\x28", "\xe2\x28\xa1",
		"\xe2\x82\x28", "\xf0\x28\x8c\xbc", "\xf0\x90\x28\xbc", "\xf0\x9f\x98\x28",
	};
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(good); i++) {
		assert_true(apk_desc_valid(good[i]));
		snprintf(buf, sizeof buf, "ok %s ok", good[i]);
		assert_true(apk_desc_valid(buf));
	}
	for (i = 0; i < N_ELEM(bad); i++) {
		assert_false(apk_desc_valid(bad[i]));
		snprintf(buf, sizeof buf, "ok %s ok", bad[i]); /* not only at the edges */
		assert_false(apk_desc_valid(buf));
	}
	assert_false(apk_desc_valid(NULL));
}

/* Every code point, one at a time, against the list of refused ones. */
static void test_desc_every_code_point(void **state)
{
	unsigned char s[5];
	uint32_t c;
	size_t n;

	(void)state;
	for (c = 1; c <= 0x10FFFF; c++) {
		n = enc_utf8(c, s);
		s[n] = '\0';
		if (c >= 0xD800 && c <= 0xDFFF)
			assert_false(apk_desc_valid((char *)s));
		else if (apk_desc_valid((char *)s) == refused_cp(c))
			fail_msg("U+%04X: valid=%d", (unsigned)c, apk_desc_valid((char *)s));
	}
}

/* A stored description (0.2.0's rule): only the controls are refused. */
static void test_desc_stored_every_code_point(void **state)
{
	unsigned char s[8];
	uint32_t c;
	size_t n;

	(void)state;
	for (c = 1; c <= 0x10FFFF; c++) {
		s[0] = 'x';
		n = enc_utf8(c, s + 1);
		s[1 + n] = '\0';
		if (c >= 0xD800 && c <= 0xDFFF)
			assert_false(apk_desc_stored_valid((char *)s));
		else if (apk_desc_stored_valid((char *)s) == control_cp(c))
			fail_msg("U+%04X: stored valid=%d", (unsigned)c,
				 apk_desc_stored_valid((char *)s));
	}
	assert_false(apk_desc_stored_valid(NULL));
	assert_false(apk_desc_stored_valid("\xc0\xaf"));
}

/* Every 2-byte string and every 3-byte string with an E0-EF lead: valid
 * exactly when it is the canonical encoding of an allowed code point. */
static int canonical(const unsigned char *s, size_t n)
{
	uint32_t c;
	unsigned char e[4];
	size_t i;

	if (n == 2 && (s[0] & 0xE0) == 0xC0)
		c = s[0] & 0x1Fu;
	else if (n == 3 && (s[0] & 0xF0) == 0xE0)
		c = s[0] & 0x0Fu;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3Fu);
	}
	if (c >= 0xD800 && c <= 0xDFFF)
		return 0;
	return enc_utf8(c, e) == n && memcmp(e, s, n) == 0 && !refused_cp(c);
}

static void test_desc_short_sequences(void **state)
{
	unsigned char s[4];
	unsigned int a, b, c;

	(void)state;
	for (a = 0x80; a < 0x100; a++) {
		for (b = 1; b < 0x100; b++) {
			s[0] = (unsigned char)a;
			s[1] = (unsigned char)b;
			s[2] = '\0';
			/* a non-ASCII lead followed by ASCII is never valid */
			if (apk_desc_valid((char *)s) != canonical(s, 2))
				fail_msg("%02x %02x", a, b);
		}
	}
	for (a = 0xE0; a < 0xF0; a++) {
		for (b = 0x70; b < 0xD0; b++) {
			for (c = 0x70; c < 0xD0; c++) {
				s[0] = (unsigned char)a;
				s[1] = (unsigned char)b;
				s[2] = (unsigned char)c;
				s[3] = '\0';
				if (apk_desc_valid((char *)s) != canonical(s, 3))
					fail_msg("%02x %02x %02x", a, b, c);
			}
		}
	}
}

static void test_desc_limits(void **state)
{
	/* one code point of each UTF-8 length */
	static const uint32_t cps[] = { 'a', 0xE9, 0x20AC, 0x1F600 };
	char *s;
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(cps); i++) {
		s = repeat_cp(cps[i], APK_DESC_MAX_CHARS);       /* 256 characters */
		assert_true(apk_desc_valid(s));
		free(s);
		s = repeat_cp(cps[i], APK_DESC_MAX_CHARS + 1);   /* 257 */
		assert_false(apk_desc_valid(s));
		free(s);
	}
	/* 256 four-byte characters are exactly the byte cap */
	s = repeat_cp(0x1F600, APK_DESC_MAX_CHARS);
	assert_int_equal(strlen(s), APK_DESC_MAX_BYTES);
	free(s);
	/* characters are counted, not bytes: 200 two-byte + 56 ASCII = 256 */
	s = malloc(APK_DESC_MAX_BYTES + 8);
	assert_non_null(s);
	for (i = 0; i < 200; i++)
		memcpy(s + 2 * i, "\xc3\xa9", 2);
	memset(s + 400, 'a', 56);
	s[456] = '\0';
	assert_true(apk_desc_valid(s));
	s[456] = 'a';
	s[457] = '\0';
	assert_false(apk_desc_valid(s));
	free(s);
	/* a long string is refused without being read to its end */
	s = malloc(100000);
	assert_non_null(s);
	memset(s, 'a', 99999);
	s[99999] = '\0';
	assert_false(apk_desc_valid(s));
	free(s);
}

/* ---- login names ------------------------------------------------------ */

static void test_user(void **state)
{
	static const char *const good[] = { "root", "alice", "a", "_apt", "systemd-network",
					    "user.name", "host$", "A1", "a-", "x_y.z-w$",
					    "0", "1000" };
	static const char *const bad[] = { "", "-x", "-", "$", "a b", "a:b", "a/b", "a$b",
					   "a$$", "$a", "caf\xc3\xa9", "a\n", "root\x7f",
					   " root", "root ", "a,b", "a@b", "a+b", "a\\b",
					   "a\xe2\x80\xae" };
	char s[APK_USER_MAX + 2];
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(good); i++)
		assert_true(apk_user_valid(good[i]));
	for (i = 0; i < N_ELEM(bad); i++)
		assert_false(apk_user_valid(bad[i]));
	assert_false(apk_user_valid(NULL));

	memset(s, 'u', APK_USER_MAX);
	s[APK_USER_MAX] = '\0';
	assert_true(apk_user_valid(s));                 /* 256 bytes */
	s[APK_USER_MAX - 1] = '$';
	assert_true(apk_user_valid(s));                 /* 256 with the '$' */
	s[APK_USER_MAX - 1] = 'u';
	s[APK_USER_MAX] = 'u';
	s[APK_USER_MAX + 1] = '\0';
	assert_false(apk_user_valid(s));                /* 257 */
}

/* ---- escaping --------------------------------------------------------- */

struct esc_case {
	const char *in;
	const char *out;
};

static void test_escape_table(void **state)
{
	static const struct esc_case cases[] = {
		{ "", "" },
		{ "plain text 123", "plain text 123" },
		{ "a\\b", "a\\\\b" },
		{ "\\x41", "\\\\x41" },
		{ "line\nnext", "line\\x0anext" },
		{ "tab\there", "tab\\x09here" },
		{ "\r", "\\x0d" },
		{ "\x1b[31mred", "\\x1b[31mred" },
		{ "\x01\x1f\x7f", "\\x01\\x1f\\x7f" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "\xe6\x97\xa5", "\xe6\x97\xa5" },
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },
		{ "\xff", "\\xff" },
		{ "ab\xc3", "ab\\xc3" },
		{ "\xc3(", "\\xc3(" },
		{ "\xc0\xaf", "\\xc0\\xaf" },
		{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },
		{ "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },
		{ "\xe2\x82\xe2\x82\xac", "\\xe2\\x82\xe2\x82\xac" }, /* resync */
		{ "\xc2\x85", "\\xc2\\x85" },                       /* NEL */
		{ "\xc2\x9b" "1m", "\\xc2\\x9b" "1m" },             /* CSI */
		{ "a\xe2\x80\xae" "b", "a\\xe2\\x80\\xae" "b" },     /* RLO */
		{ "\xe2\x81\xa6", "\\xe2\\x81\\xa6" },               /* LRI */
		{ "\xd8\x9c", "\\xd8\\x9c" },                        /* ALM */
		{ "\xe2\x80\x8f", "\\xe2\\x80\\x8f" },               /* RLM */
		{ "x\xe2\x80\xa8y", "x\\xe2\\x80\\xa8y" },           /* LS */
		{ "\xe2\x80\xa9", "\\xe2\\x80\\xa9" },               /* PS */
		{ "a\xe2\x80\x8b" "b", "a\\xe2\\x80\\x8b" "b" },     /* ZWSP */
		{ "\xe2\x80\x8d", "\\xe2\\x80\\x8d" },               /* ZWJ */
		{ "\xe2\x81\xa0", "\\xe2\\x81\\xa0" },               /* WORD JOINER */
		{ "\xe2\x81\xa4", "\\xe2\\x81\\xa4" },               /* INVISIBLE PLUS */
		{ "\xef\xbb\xbf", "\\xef\\xbb\\xbf" },               /* BOM */
		{ "\xf3\xa0\x80\x80", "\\xf3\\xa0\\x80\\x80" },   /* U+E0000 */
		{ "\xf3\xa0\x81\xbf", "\\xf3\\xa0\\x81\\xbf" },   /* CANCEL TAG */
		{ "\xc2\xad", "\\xc2\\xad" },                        /* SOFT HYPHEN */
		{ "\xe1\xa0\x8e", "\\xe1\\xa0\\x8e" },               /* MVS */
		{ "\xef\xb8\x8f", "\\xef\\xb8\\x8f" },               /* VS16 */
		{ "\xe3\x85\xa4", "\\xe3\\x85\\xa4" },               /* HANGUL FILLER */
		{ "\xef\xbf\xb9", "\\xef\\xbf\\xb9" },               /* IAA */
		{ "\xc2\xa0\xc2\xac\xc2\xae", "\xc2\xa0\xc2\xac\xc2\xae" }, /* NBSP, NOT, (R): shown */
	};
	char out[256];
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(cases); i++) {
		assert_ptr_equal(apk_escape(cases[i].in, out, sizeof out), out);
		assert_string_equal(out, cases[i].out);
	}
	assert_ptr_equal(apk_escape(NULL, out, sizeof out), out);
	assert_string_equal(out, "");
}

/* Output properties on random bytes: one line of allowed text, and the
 * escaping undoes exactly to the input. */
static void test_escape_random(void **state)
{
	unsigned char in[61];
	char out[4 * sizeof in + 1], back[sizeof in + 1];
	size_t n, i;
	int round;

	(void)state;
	for (round = 0; round < 20000; round++) {
		n = rng() % (sizeof in);
		for (i = 0; i < n; i++) {
			uint32_t r = rng();
			/* bias towards UTF-8 lead and continuation bytes */
			in[i] = (unsigned char)(r & 1 ? 0x80 | (r >> 8) : r >> 8);
			if (in[i] == 0)
				in[i] = '\\';
		}
		in[n] = '\0';
		apk_escape((char *)in, out, sizeof out);
		assert_null(strchr(out, '\n'));
		for (i = 0; out[i] != '\0'; i++)
			assert_true((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
		assert_true(apk_desc_valid(out));
		assert_int_equal(unescape(out, back, sizeof back), 0);
		assert_string_equal(back, (char *)in);
	}
}

/* Every code point between two letters: shown as it is, or, exactly when a
 * description may not hold it, every byte as \xHH. */
static void test_escape_every_code_point(void **state)
{
	unsigned char in[8], e[4];
	char out[32], want[32];
	uint32_t c;
	size_t n, i, w;

	(void)state;
	for (c = 1; c <= 0x10FFFF; c++) {
		if ((c >= 0xD800 && c <= 0xDFFF) || c == '\\')
			continue;
		n = enc_utf8(c, e);
		in[0] = 'x';
		memcpy(in + 1, e, n);
		in[1 + n] = 'y';
		in[2 + n] = '\0';
		w = 0;
		want[w++] = 'x';
		for (i = 0; i < n; i++) {
			if (refused_cp(c))
				w += (size_t)snprintf(want + w, sizeof want - w, "\\x%02x", e[i]);
			else
				want[w++] = (char)e[i];
		}
		want[w++] = 'y';
		want[w] = '\0';
		apk_escape((char *)in, out, sizeof out);
		if (strcmp(out, want) != 0)
			fail_msg("U+%04X: escaped as \"%s\"", (unsigned)c, out);
	}
}

/* Truncation: always terminated, a prefix of the full output, never
 * inside an escape or a character. */
static void test_escape_truncation(void **state)
{
	static const char in[] = "ab\\c\n\xc3\xa9\xff\xe2\x80\xae" "d\xf0\x9f\x98\x80" "e"
				 "\xf3\xa0\x80\x81" "f";
	char full[128], out[128], back[128];
	size_t sz, len, fulllen;

	(void)state;
	apk_escape(in, full, sizeof full);
	fulllen = strlen(full);
	assert_true(fulllen > sizeof in);
	for (sz = 1; sz <= fulllen + 1; sz++) {
		memset(out, 'Z', sizeof out);
		apk_escape(in, out, sz);
		len = strlen(out);
		assert_true(len < sz);
		assert_int_equal(out[sz], 'Z');       /* nothing written past sz */
		assert_memory_equal(out, full, len);
		assert_true(apk_desc_valid(out));       /* no cut character */
		assert_int_equal(unescape(out, back, sizeof back), 0); /* no cut escape */
		assert_memory_equal(back, in, strlen(back));
		/* it stops only because the next unit does not fit */
		if (len < fulllen)
			assert_true(sz - 1 - len < 4 * 4); /* longest unit: 4 escaped bytes */
	}
	assert_string_equal(out, full);
	memset(out, 'Z', sizeof out);
	apk_escape(in, out, 0);                       /* no room at all: untouched */
	assert_int_equal(out[0], 'Z');
	assert_null(apk_escape(in, NULL, 10));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_desc_table),
		cmocka_unit_test(test_desc_every_code_point),
		cmocka_unit_test(test_desc_stored_every_code_point),
		cmocka_unit_test(test_desc_short_sequences),
		cmocka_unit_test(test_desc_limits),
		cmocka_unit_test(test_user),
		cmocka_unit_test(test_escape_table),
		cmocka_unit_test(test_escape_every_code_point),
		cmocka_unit_test(test_escape_random),
		cmocka_unit_test(test_escape_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
