/* unit_sync_control.c - RFC 4533's values against bytes worked out by hand
 * from the ASN.1 of the RFC's section 2 (each array says how), and every
 * way a server's value can be malformed refused with nothing left behind */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../apikeyd/sync_control.h"
#include "unit_util.h"

/* the UUID 00 01 .. 0f, as its 16 bytes and as an OCTET STRING */
#define UUID_BYTES 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, \
		   0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f
#define UUID_OCTETS 0x04, 0x10, UUID_BYTES
static const unsigned char uuid0[16] = { UUID_BYTES };

static void assert_encodes(enum sync_mode mode, const char *cookie, const unsigned char *want,
			   size_t wantlen)
{
	struct sync_cookie c;
	unsigned char *out;
	size_t len;

	memset(&c, 0, sizeof(c));
	if (cookie != NULL) {
		c.set = true;
		c.len = strlen(cookie);
		memcpy(c.bytes, cookie, c.len);
	}
	assert_int_equal(sync_request_encode(mode, &c, &out, &len), 0);
	assert_int_equal(len, wantlen);
	assert_memory_equal(out, want, wantlen);
	free(out);
}

static void test_request(void **state)
{
	/* SEQUENCE(3) { ENUMERATED(1) 3 }: reloadHint FALSE left out (DER) */
	static const unsigned char persist[] = { 0x30, 0x03, 0x0a, 0x01, 0x03 };
	/* SEQUENCE(12) { ENUMERATED(1) 1, OCTET STRING(7) "rid=001" } */
	static const unsigned char only_cookie[] = { 0x30, 0x0c, 0x0a, 0x01, 0x01, 0x04, 0x07,
						     'r',  'i',  'd',  '=',  '0',  '0',  '1' };
	struct sync_cookie big;
	unsigned char *out;
	size_t len;

	(void)state;
	assert_encodes(SYNC_REFRESH_AND_PERSIST, NULL, persist, sizeof(persist));
	assert_encodes(SYNC_REFRESH_ONLY, "rid=001", only_cookie, sizeof(only_cookie));
	memset(&big, 0, sizeof(big));
	big.set = true;
	big.len = SYNC_COOKIE_MAX + 1;
	assert_int_equal(sync_request_encode(SYNC_REFRESH_ONLY, &big, &out, &len), -1);
	assert_null(out);
	/* a cookie of the greatest length: OCTET STRING with a two-byte length */
	big.len = SYNC_COOKIE_MAX;
	memset(big.bytes, 'x', sizeof(big.bytes));
	assert_int_equal(sync_request_encode(SYNC_REFRESH_ONLY, &big, &out, &len), 0);
	assert_int_equal(len, 4 + 3 + 4 + SYNC_COOKIE_MAX);
	assert_int_equal(out[0], 0x30);
	assert_int_equal(out[1], 0x82); /* 3 + 4 + 4096 = 4103 = 0x1007 */
	assert_int_equal(out[2], 0x10);
	assert_int_equal(out[3], 0x07);
	assert_int_equal(out[7], 0x04);
	assert_int_equal(out[8], 0x82);
	free(out);
}

static void test_state(void **state)
{
	/* SEQUENCE(21) { ENUMERATED(1) 1 (add), OCTET STRING(16) uuid } */
	static const unsigned char add[] = { 0x30, 0x15, 0x0a, 0x01, 0x01, UUID_OCTETS };
	/* SEQUENCE(24) { ENUMERATED 3 (delete), uuid, OCTET STRING(1) "c" } */
	static const unsigned char del_cookie[] = { 0x30, 0x18, 0x0a, 0x01, 0x03, UUID_OCTETS,
						    0x04, 0x01, 'c' };
	/* a long-form length is BER too: SEQUENCE(0x81 21) */
	static const unsigned char long_form[] = { 0x30, 0x81, 0x15, 0x0a, 0x01, 0x00, UUID_OCTETS };
	struct sync_state s;

	(void)state;
	assert_int_equal(sync_state_decode(add, sizeof(add), &s), 0);
	assert_int_equal(s.state, SYNC_ADD);
	assert_memory_equal(s.uuid, uuid0, 16);
	assert_false(s.cookie.set);
	assert_int_equal(sync_state_decode(del_cookie, sizeof(del_cookie), &s), 0);
	assert_int_equal(s.state, SYNC_DELETE);
	assert_true(s.cookie.set);
	assert_int_equal(s.cookie.len, 1);
	assert_int_equal(s.cookie.bytes[0], 'c');
	assert_int_equal(sync_state_decode(long_form, sizeof(long_form), &s), 0);
	assert_int_equal(s.state, SYNC_PRESENT);
}

/* Each is refused and leaves *s zero. */
static void test_state_malformed(void **state)
{
	static const unsigned char bad[][32] = {
		/* state 4: no such state */
		{ 0x30, 0x15, 0x0a, 0x01, 0x04, UUID_OCTETS },
		/* a UUID of 15 bytes */
		{ 0x30, 0x14, 0x0a, 0x01, 0x01, 0x04, 0x0f, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
		  13, 14 },
		/* INTEGER where ENUMERATED belongs */
		{ 0x30, 0x15, 0x02, 0x01, 0x01, UUID_OCTETS },
		/* the enum in two bytes */
		{ 0x30, 0x16, 0x0a, 0x02, 0x00, 0x01, UUID_OCTETS },
		/* a SET, not a SEQUENCE */
		{ 0x31, 0x15, 0x0a, 0x01, 0x01, UUID_OCTETS },
		/* the sequence says more than there is */
		{ 0x30, 0x7f, 0x0a, 0x01, 0x01, UUID_OCTETS },
		/* an element after the cookie */
		{ 0x30, 0x1b, 0x0a, 0x01, 0x01, UUID_OCTETS, 0x04, 0x01, 'c', 0x01, 0x01, 0xff },
		/* the sequence ends inside the cookie */
		{ 0x30, 0x17, 0x0a, 0x01, 0x01, UUID_OCTETS, 0x04, 0x02, 'c', 'd' },
		/* no UUID */
		{ 0x30, 0x03, 0x0a, 0x01, 0x01 },
	};
	static const size_t len[] = { 23, 22, 23, 24, 23, 23, 29, 27, 5 };
	/* a byte after the whole value */
	static const unsigned char trailing[] = { 0x30, 0x15, 0x0a, 0x01, 0x01, UUID_OCTETS, 0x00 };
	struct sync_state s;
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(bad); i++) {
		memset(&s, 0xA5, sizeof(s));
		if (sync_state_decode(bad[i], len[i], &s) != -1)
			fail_msg("malformed state value %zu accepted", i);
		assert_true(all_zero(&s, sizeof(s)));
	}
	assert_int_equal(sync_state_decode(trailing, sizeof(trailing), &s), -1);
	assert_int_equal(sync_state_decode(trailing, 0, &s), -1);
	/* every truncation of a good value */
	for (i = 1; i < sizeof(trailing) - 1; i++)
		assert_int_equal(sync_state_decode(trailing, i, &s), -1);
}

static void test_state_cookie_bound(void **state)
{
	static unsigned char v[8 + 18 + 3 + 4 + SYNC_COOKIE_MAX + 1];
	static const unsigned char head[] = { 0x0a, 0x01, 0x01, UUID_OCTETS };
	struct sync_state s;
	size_t body, n, cookie;

	(void)state;
	for (cookie = SYNC_COOKIE_MAX; cookie <= SYNC_COOKIE_MAX + 1; cookie++) {
		body = sizeof(head) + 4 + cookie;
		n = 0;
		v[n++] = 0x30;
		v[n++] = 0x82;
		v[n++] = (unsigned char)(body >> 8);
		v[n++] = (unsigned char)body;
		memcpy(v + n, head, sizeof(head));
		n += sizeof(head);
		v[n++] = 0x04;
		v[n++] = 0x82;
		v[n++] = (unsigned char)(cookie >> 8);
		v[n++] = (unsigned char)cookie;
		memset(v + n, 'k', cookie);
		n += cookie;
		assert_int_equal(sync_state_decode(v, n, &s), cookie == SYNC_COOKIE_MAX ? 0 : -1);
	}
}

static void test_done(void **state)
{
	static const unsigned char empty_seq[] = { 0x30, 0x00 };
	static const unsigned char deletes[] = { 0x30, 0x03, 0x01, 0x01, 0xff };
	static const unsigned char both[] = { 0x30, 0x08, 0x04, 0x03, 'a', 'b', 'c', 0x01, 0x01, 0x00 };
	static const unsigned char wrong_order[] = { 0x30, 0x08, 0x01, 0x01, 0xff, 0x04, 0x03, 'a',
						     'b', 'c' };
	static const unsigned char bool_long[] = { 0x30, 0x04, 0x01, 0x02, 0x00, 0xff };
	struct sync_done d;

	(void)state;
	assert_int_equal(sync_done_decode(NULL, 0, &d), 0);
	assert_false(d.cookie.set);
	assert_false(d.refresh_deletes);
	assert_int_equal(sync_done_decode(empty_seq, sizeof(empty_seq), &d), 0);
	assert_false(d.refresh_deletes);
	assert_int_equal(sync_done_decode(deletes, sizeof(deletes), &d), 0);
	assert_true(d.refresh_deletes);
	assert_false(d.cookie.set);
	assert_int_equal(sync_done_decode(both, sizeof(both), &d), 0);
	assert_false(d.refresh_deletes);
	assert_true(d.cookie.set);
	assert_int_equal(d.cookie.len, 3);
	assert_memory_equal(d.cookie.bytes, "abc", 3);
	memset(&d, 0xA5, sizeof(d));
	assert_int_equal(sync_done_decode(wrong_order, sizeof(wrong_order), &d), -1);
	assert_true(all_zero(&d, sizeof(d)));
	assert_int_equal(sync_done_decode(bool_long, sizeof(bool_long), &d), -1);
}

static void test_info(void **state)
{
	/* [0] "abc" */
	static const unsigned char newcookie[] = { 0x80, 0x03, 'a', 'b', 'c' };
	/* [1] {}: refreshDone defaults to TRUE */
	static const unsigned char del_done[] = { 0xa1, 0x00 };
	/* [2] { refreshDone FALSE } */
	static const unsigned char present_more[] = { 0xa2, 0x03, 0x01, 0x01, 0x00 };
	/* [3] { BOOLEAN TRUE, SET(36) { uuid, uuid' } }: 3 + 2 + 36 = 41 */
	static const unsigned char idset[] = { 0xa3, 0x29, 0x01, 0x01, 0xff, 0x31, 0x24,
					       UUID_OCTETS, 0x04, 0x10, 0xff, 0x01, 0x02, 0x03,
					       0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
					       0x0c, 0x0d, 0x0e, 0x0f };
	/* [3] { "k", SET {} }: 3 + 2 = 5 */
	static const unsigned char idset_empty[] = { 0xa3, 0x05, 0x04, 0x01, 'k', 0x31, 0x00 };
	struct sync_info i;

	(void)state;
	assert_int_equal(sync_info_decode(newcookie, sizeof(newcookie), &i), 0);
	assert_int_equal(i.kind, SYNC_INFO_NEWCOOKIE);
	assert_true(i.cookie.set);
	assert_memory_equal(i.cookie.bytes, "abc", 3);
	sync_info_free(&i);
	assert_int_equal(sync_info_decode(del_done, sizeof(del_done), &i), 0);
	assert_int_equal(i.kind, SYNC_INFO_REFRESH_DELETE);
	assert_true(i.refresh_done);
	assert_false(i.cookie.set);
	sync_info_free(&i);
	assert_int_equal(sync_info_decode(present_more, sizeof(present_more), &i), 0);
	assert_int_equal(i.kind, SYNC_INFO_REFRESH_PRESENT);
	assert_false(i.refresh_done);
	sync_info_free(&i);
	assert_int_equal(sync_info_decode(idset, sizeof(idset), &i), 0);
	assert_int_equal(i.kind, SYNC_INFO_ID_SET);
	assert_true(i.refresh_deletes);
	assert_int_equal(i.n, 2);
	assert_memory_equal(i.uuids[0], uuid0, 16);
	assert_int_equal(i.uuids[1][0], 0xff);
	assert_int_equal(i.uuids[1][15], 0x0f);
	sync_info_free(&i);
	assert_int_equal(sync_info_decode(idset_empty, sizeof(idset_empty), &i), 0);
	assert_int_equal(i.n, 0);
	assert_false(i.refresh_deletes);
	assert_true(i.cookie.set);
	sync_info_free(&i);
}

static void test_info_malformed(void **state)
{
	static const unsigned char bad[][48] = {
		/* [4]: no such choice */
		{ 0xa4, 0x00 },
		/* [0] constructed */
		{ 0xa0, 0x03, 0x04, 0x01, 'a' },
		/* [1] primitive */
		{ 0x81, 0x00 },
		/* syncIdSet without its SET */
		{ 0xa3, 0x03, 0x01, 0x01, 0xff },
		/* a UUID of 17 bytes in the SET */
		{ 0xa3, 0x15, 0x31, 0x13, 0x04, 0x11, UUID_BYTES, 0x10 },
		/* the SET says more than its sequence holds */
		{ 0xa3, 0x14, 0x31, 0x14, UUID_OCTETS },
		/* an INTEGER in the SET */
		{ 0xa3, 0x05, 0x31, 0x03, 0x02, 0x01, 0x01 },
		/* something after the SET */
		{ 0xa3, 0x17, 0x31, 0x12, UUID_OCTETS, 0x01, 0x01, 0xff },
		/* refreshDone, then a cookie (wrong order) */
		{ 0xa2, 0x06, 0x01, 0x01, 0x00, 0x04, 0x01, 'c' },
		/* a second newcookie after the first */
		{ 0x80, 0x01, 'a', 0x80, 0x01, 'b' },
	};
	static const size_t len[] = { 2, 5, 2, 5, 23, 22, 7, 25, 8, 6 };
	struct sync_info i;
	size_t k;

	(void)state;
	for (k = 0; k < N_ELEM(bad); k++) {
		memset(&i, 0xA5, sizeof(i));
		if (sync_info_decode(bad[k], len[k], &i) != -1)
			fail_msg("malformed info value %zu accepted", k);
		assert_true(all_zero(&i, sizeof(i)));
	}
	assert_int_equal(sync_info_decode(NULL, 0, &i), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_state_malformed),
		cmocka_unit_test(test_state_cookie_bound),
		cmocka_unit_test(test_done),
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_info_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
