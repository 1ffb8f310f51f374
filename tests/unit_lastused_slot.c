/* unit_lastused_slot.c - the last-use slot decoder, byte by byte
 *
 * Slots are built here by hand from FORMAT.md ("Last used": id, time,
 * service, remote host, and the check of tests/lib/slot_check.c), so a slot whose text no writer would
 * store still carries a valid check and reaches the text checks: controls,
 * invalid UTF-8, bidi and invisible characters, a field without its NUL,
 * bytes after the NUL. Each is foreign (reads as never); what a writer
 * stores reads back. No file: apk_lu_slot_decode on bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "lastused_format.h"
#include "slot_check.h"
#include "validate.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))
#define UID 1000u
#define INDEX 5u

static const char ID[] = "ImDQLMM7OjO0";

/* A slot of ID at time t; service and rhost as n bytes each (copied raw
 * into their NUL-padded fields of 64 and 152 bytes at 24 and 88), signed. */
static void build(unsigned char s[256], uint64_t t, const void *svc, size_t svc_n,
		  const void *host, size_t host_n)
{
	memset(s, 0, 256);
	memcpy(s, ID, 12);
	slot_put_be32(s + 16, (uint32_t)(t >> 32));
	slot_put_be32(s + 20, (uint32_t)t);
	memcpy(s + 24, svc, svc_n);
	memcpy(s + 88, host, host_n);
	slot_sign(s, UID, INDEX);
}

static enum apk_lu_slot decode(const unsigned char s[256], struct apk_lastused *lu)
{
	return apk_lu_slot_decode(s, UID, INDEX, ID, lu);
}

static void assert_foreign(const unsigned char s[256], const char *what)
{
	struct apk_lastused lu, zero;
	enum apk_lu_slot r;

	memset(&zero, 0, sizeof(zero));
	r = decode(s, &lu);
	if (r != APK_LU_SLOT_FOREIGN)
		fail_msg("%s: decoded as %d, not foreign", what, (int)r);
	assert_false(lu.used);
	assert_memory_equal(&lu, &zero, sizeof(lu)); /* nothing of it kept */
}

/* The layout here is the encoder's: the same bytes for the same login. */
static void hand_built_slot_is_the_encoders(void **state)
{
	unsigned char mine[256], theirs[256];
	struct apk_lastused lu;

	(void)state;
	assert_int_equal(APK_LU_SLOT, 256);
	apk_lu_fill(&lu, 1767225600, "sshd", "192.0.2.7");
	apk_lu_slot_encode(theirs, UID, INDEX, ID, &lu);
	build(mine, 1767225600, "sshd", 4, "192.0.2.7", 9);
	assert_memory_equal(mine, theirs, 256);
	memset(&lu, 0xAA, sizeof(lu));
	assert_int_equal(decode(mine, &lu), APK_LU_SLOT_OK);
	assert_true(lu.used);
	assert_int_equal(lu.time, 1767225600);
	assert_string_equal(lu.service, "sshd");
	assert_string_equal(lu.rhost, "192.0.2.7");
}

/* Texts no writer stores (apk_escape never leaves them): each one, in
 * either field, makes the slot foreign. */
static const struct {
	const char *what, *bytes;
} bad_text[] = {
	{ "ESC", "\x1b[2J" },                { "newline", "a\nb" },
	{ "tab", "\t" },                     { "DEL", "x\x7f" },
	{ "C1 NEL", "\xc2\x85" },            { "C1 CSI", "\xc2\x9b" "1m" },
	{ "byte 0xff", "\xff" },             { "cut sequence", "ab\xc3" },
	{ "stray continuation", "\x80" },    { "overlong /", "\xc0\xaf" },
	{ "overlong 3-byte", "\xe0\x80\xaf" }, { "surrogate", "\xed\xa0\x80" },
	{ "above U+10FFFF", "\xf4\x90\x80\x80" }, { "RLO", "\xe2\x80\xae" },
	{ "LRI", "\xe2\x81\xa6" },           { "line separator", "\xe2\x80\xa8" },
	{ "ZWSP", "\xe2\x80\x8b" },          { "ZWJ", "a\xe2\x80\x8d" "b" },
	{ "word joiner", "\xe2\x81\xa0" },   { "invisible plus", "\xe2\x81\xa4" },
	{ "BOM", "\xef\xbb\xbf" },           { "tag U+E0000", "\xf3\xa0\x80\x80" },
	{ "tag U+E0041", "\xf3\xa0\x81\x81" }, { "cancel tag", "\xf3\xa0\x81\xbf" },
	{ "soft hyphen", "\xc2\xad" },       { "VS16", "\xef\xb8\x8f" },
	{ "VS17", "\xf3\xa0\x84\x80" },      { "Hangul filler", "\xe3\x85\xa4" },
	{ "annotation anchor", "\xef\xbf\xb9" },
};

static void bad_text_is_foreign(void **state)
{
	unsigned char s[256];
	char what[128];
	size_t i, n;

	(void)state;
	for (i = 0; i < N_ELEM(bad_text); i++) {
		n = strlen(bad_text[i].bytes);
		build(s, 1767225600, bad_text[i].bytes, n, "192.0.2.7", 9);
		snprintf(what, sizeof(what), "service with %s", bad_text[i].what);
		assert_foreign(s, what);
		build(s, 1767225600, "sshd", 4, bad_text[i].bytes, n);
		snprintf(what, sizeof(what), "rhost with %s", bad_text[i].what);
		assert_foreign(s, what);
	}
}

/* What a writer stores instead reads back as it was stored. */
static void escaped_text_reads_back(void **state)
{
	static const char *const good[] = { "", "sshd", "caf\xc3\xa9", "\xf0\x9f\x94\x91",
					    "\\x1b[2J", "a\\xe2\\x80\\x8bb", "\\\\", "2001:db8::7" };
	struct apk_lastused lu;
	unsigned char s[256];
	size_t i, n;

	(void)state;
	for (i = 0; i < N_ELEM(good); i++) {
		n = strlen(good[i]);
		build(s, 1767225600, good[i], n, good[i], n);
		assert_int_equal(decode(s, &lu), APK_LU_SLOT_OK);
		assert_string_equal(lu.service, good[i]);
		assert_string_equal(lu.rhost, good[i]);
	}
}

/* The fields' framing: text, then at least one NUL, then only NULs. */
static void field_framing(void **state)
{
	unsigned char s[256], text[160];
	struct apk_lastused lu;

	(void)state;
	memset(text, 'a', sizeof(text));
	/* the longest texts: 63 and 151 bytes, then the NUL */
	build(s, 1767225600, text, APK_LASTUSED_SERVICE_MAX, text, APK_LASTUSED_RHOST_MAX);
	assert_int_equal(decode(s, &lu), APK_LU_SLOT_OK);
	assert_int_equal(strlen(lu.service), APK_LASTUSED_SERVICE_MAX);
	assert_int_equal(strlen(lu.rhost), APK_LASTUSED_RHOST_MAX);
	/* one byte more: no NUL left in the field (the text runs on) */
	build(s, 1767225600, text, APK_LASTUSED_SERVICE_MAX + 1, "h", 1);
	assert_foreign(s, "service without its NUL");
	build(s, 1767225600, "sshd", 4, text, APK_LASTUSED_RHOST_MAX + 1);
	assert_foreign(s, "rhost without its NUL");
	/* a byte after the NUL */
	build(s, 1767225600, "ab\0c", 4, "h", 1);
	assert_foreign(s, "service with a byte after its NUL");
	build(s, 1767225600, "sshd", 4, "h\0\0\0\0\0\0x", 8);
	assert_foreign(s, "rhost with a byte after its NUL");
	build(s, 1767225600, "sshd", 4, "h", 1);
	s[88 + APK_LASTUSED_RHOST_MAX] = 'z'; /* the field's last byte */
	slot_sign(s, UID, INDEX);
	assert_foreign(s, "rhost with its last byte set");
}

/* The rest of the slot: id, its padding, the time, the check. */
static void other_fields(void **state)
{
	unsigned char s[256];
	struct apk_lastused lu;

	(void)state;
	memset(s, 0, sizeof(s));
	assert_int_equal(decode(s, &lu), APK_LU_SLOT_EMPTY);
	build(s, 0, "sshd", 4, "h", 1);
	assert_foreign(s, "time 0");
	build(s, (uint64_t)INT64_MAX + 1, "sshd", 4, "h", 1);
	assert_foreign(s, "time above INT64_MAX");
	build(s, 1, "sshd", 4, "h", 1);
	assert_int_equal(decode(s, &lu), APK_LU_SLOT_OK);
	s[12] = 1; /* the id's padding */
	slot_sign(s, UID, INDEX);
	assert_foreign(s, "id padding");
	build(s, 1, "sshd", 4, "h", 1);
	s[0] = 'J'; /* another key's */
	slot_sign(s, UID, INDEX);
	assert_foreign(s, "another id");
	build(s, 1, "sshd", 4, "h", 1);
	s[255] ^= 1;
	assert_int_equal(decode(s, &lu), APK_LU_SLOT_TORN);
	assert_false(lu.used);
	build(s, 1, "sshd", 4, "h", 1);
	assert_int_equal(apk_lu_slot_decode(s, UID, INDEX + 1, ID, &lu), APK_LU_SLOT_TORN);
	assert_int_equal(apk_lu_slot_decode(s, UID + 1, INDEX, ID, &lu), APK_LU_SLOT_TORN);
}

/* Whatever a login hands the writer, the slot it writes reads back as the
 * escaped text it was filled with. */
static void any_login_text_reads_back(void **state)
{
	unsigned char s[256], raw[200];
	struct apk_lastused lu, back;
	size_t i, j;

	(void)state;
	for (i = 0; i < N_ELEM(bad_text); i++) {
		apk_lu_fill(&lu, 1767225600, bad_text[i].bytes, bad_text[i].bytes);
		apk_lu_slot_encode(s, UID, INDEX, ID, &lu);
		assert_int_equal(decode(s, &back), APK_LU_SLOT_OK);
		assert_memory_equal(&lu, &back, sizeof(lu));
	}
	for (i = 0; i < 2000; i++) {
		for (j = 0; j + 1 < sizeof(raw); j++)
			raw[j] = (unsigned char)(1 + (i * 131 + j * j * 7) % 255);
		raw[sizeof(raw) - 1] = '\0';
		apk_lu_fill(&lu, 1, (char *)raw + i % 100, (char *)raw + i % 50);
		apk_lu_slot_encode(s, UID, INDEX, ID, &lu);
		assert_int_equal(decode(s, &back), APK_LU_SLOT_OK);
		assert_memory_equal(&lu, &back, sizeof(lu));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hand_built_slot_is_the_encoders),
		cmocka_unit_test(bad_text_is_foreign),
		cmocka_unit_test(escaped_text_reads_back),
		cmocka_unit_test(field_framing),
		cmocka_unit_test(other_fields),
		cmocka_unit_test(any_login_text_reads_back),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
