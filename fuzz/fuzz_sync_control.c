/* fuzz_sync_control.c - RFC 4533's values as a server could send them to
 * apikeyd (apikeyd/sync_control.c)
 *
 * Input: one byte choosing the decoder (Sync State control, Sync Done
 * control, Sync Info message, or the Sync Request encoder with the rest as
 * its cookie), then the value. Properties:
 *  - refused: the output all zero (nothing allocated: ASan's leak check);
 *  - accepted: every field within its type (a state 0-3, a cookie at most
 *    SYNC_COOKIE_MAX bytes, no more UUIDs than 18-byte elements fit the
 *    value); the value written back canonically (DER, by this file's own
 *    writer) decodes to the same fields;
 *  - the same input gives the same answer;
 *  - the request encoder: a cookie within the bound encodes to
 *    SEQUENCE { ENUMERATED mode, OCTET STRING cookie } byte for byte.
 */
#include "../apikeyd/sync_control.h"
#include "fuzz.h"

#define MAX_IN 65536

static unsigned char out[MAX_IN + 64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* A DER tag and length at *n. */
static void put_head(unsigned char tag, size_t len, size_t *n)
{
	out[(*n)++] = tag;
	if (len < 0x80) {
		out[(*n)++] = (unsigned char)len;
	} else if (len < 0x100) {
		out[(*n)++] = 0x81;
		out[(*n)++] = (unsigned char)len;
	} else {
		FUZZ_CHECK(len < 0x10000, "the canonical writer's bound");
		out[(*n)++] = 0x82;
		out[(*n)++] = (unsigned char)(len >> 8);
		out[(*n)++] = (unsigned char)len;
	}
}

static size_t head_len(size_t len)
{
	return len < 0x80 ? 2 : len < 0x100 ? 3 : 4;
}

static void put_bytes(unsigned char tag, const void *p, size_t len, size_t *n)
{
	put_head(tag, len, n);
	memcpy(out + *n, p, len);
	*n += len;
}

static void put_bool(bool v, size_t *n)
{
	put_head(0x01, 1, n);
	out[(*n)++] = v ? 0xff : 0x00;
}

static size_t cookie_len(const struct sync_cookie *c)
{
	return c->set ? head_len(c->len) + c->len : 0;
}

static void state_case(const uint8_t *v, size_t len)
{
	struct sync_state s, s2;
	size_t body, n = 0;
	int rc = sync_state_decode(v, len, &s);

	FUZZ_CHECK(rc == sync_state_decode(v, len, &s2), "the same answer twice");
	if (rc != 0) {
		FUZZ_CHECK(rc == -1 && fuzz_all_zero(&s, sizeof(s)), "a refusal leaves nothing");
		return;
	}
	FUZZ_CHECK(s.state <= SYNC_DELETE && s.cookie.len <= SYNC_COOKIE_MAX &&
		   (s.cookie.set || s.cookie.len == 0), "the fields are in range");
	body = 3 + 18 + cookie_len(&s.cookie);
	put_head(0x30, body, &n);
	put_head(0x0a, 1, &n);
	out[n++] = (unsigned char)s.state;
	put_bytes(0x04, s.uuid, SYNC_UUID_LEN, &n);
	if (s.cookie.set)
		put_bytes(0x04, s.cookie.bytes, s.cookie.len, &n);
	FUZZ_CHECK(sync_state_decode(out, n, &s2) == 0 && memcmp(&s, &s2, sizeof(s)) == 0,
		   "the canonical form decodes to the same state");
}

static void done_case(const uint8_t *v, size_t len)
{
	struct sync_done d, d2;
	size_t n = 0;
	int rc = sync_done_decode(v, len, &d);

	FUZZ_CHECK(rc == sync_done_decode(v, len, &d2), "the same answer twice");
	if (rc != 0) {
		FUZZ_CHECK(rc == -1 && fuzz_all_zero(&d, sizeof(d)), "a refusal leaves nothing");
		return;
	}
	FUZZ_CHECK(d.cookie.len <= SYNC_COOKIE_MAX, "the cookie is in range");
	put_head(0x30, cookie_len(&d.cookie) + (d.refresh_deletes ? 3 : 0), &n);
	if (d.cookie.set)
		put_bytes(0x04, d.cookie.bytes, d.cookie.len, &n);
	if (d.refresh_deletes)
		put_bool(true, &n);
	FUZZ_CHECK(sync_done_decode(out, n, &d2) == 0 && memcmp(&d, &d2, sizeof(d)) == 0,
		   "the canonical form decodes to the same done");
}

static void info_canonical(const struct sync_info *i, size_t *n)
{
	size_t body, k, set = i->n * 18;
	bool flag = i->kind == SYNC_INFO_ID_SET ? i->refresh_deletes : !i->refresh_done;

	if (i->kind == SYNC_INFO_NEWCOOKIE) {
		put_bytes(0x80, i->cookie.bytes, i->cookie.len, n);
		return;
	}
	body = cookie_len(&i->cookie) + (flag ? 3 : 0);
	if (i->kind == SYNC_INFO_ID_SET)
		body += head_len(set) + set;
	put_head((unsigned char)(0xa0 | i->kind), body, n);
	if (i->cookie.set)
		put_bytes(0x04, i->cookie.bytes, i->cookie.len, n);
	if (flag)
		put_bool(i->kind == SYNC_INFO_ID_SET, n); /* TRUE deletes; FALSE not done */
	if (i->kind != SYNC_INFO_ID_SET)
		return;
	put_head(0x31, set, n);
	for (k = 0; k < i->n; k++)
		put_bytes(0x04, i->uuids[k], SYNC_UUID_LEN, n);
}

static void info_case(const uint8_t *v, size_t len)
{
	struct sync_info i, i2;
	size_t n = 0;
	int rc = sync_info_decode(v, len, &i), rc2 = sync_info_decode(v, len, &i2);

	FUZZ_CHECK(rc == rc2, "the same answer twice");
	sync_info_free(&i2);
	if (rc != 0) {
		FUZZ_CHECK(rc == -1 && fuzz_all_zero(&i, sizeof(i)), "a refusal leaves nothing");
		return;
	}
	FUZZ_CHECK(i.kind <= SYNC_INFO_ID_SET && i.cookie.len <= SYNC_COOKIE_MAX,
		   "the fields are in range");
	FUZZ_CHECK(i.n * 18 <= len && (i.kind == SYNC_INFO_ID_SET || i.n == 0),
		   "UUIDs only in a syncIdSet, no more than the value holds");
	FUZZ_CHECK(i.kind != SYNC_INFO_NEWCOOKIE || i.cookie.set, "a newcookie has its cookie");
	info_canonical(&i, &n);
	FUZZ_CHECK(sync_info_decode(out, n, &i2) == 0 && i2.kind == i.kind && i2.n == i.n &&
		   i2.refresh_done == i.refresh_done && i2.refresh_deletes == i.refresh_deletes &&
		   memcmp(&i2.cookie, &i.cookie, sizeof(i.cookie)) == 0 &&
		   (i.n == 0 || memcmp(i2.uuids, i.uuids, i.n * SYNC_UUID_LEN) == 0),
		   "the canonical form decodes to the same info");
	sync_info_free(&i2);
	sync_info_free(&i);
}

static void request_case(const uint8_t *v, size_t len, bool persist)
{
	static struct sync_cookie c;
	unsigned char *enc;
	size_t enclen, n = 0;
	enum sync_mode mode = persist ? SYNC_REFRESH_AND_PERSIST : SYNC_REFRESH_ONLY;
	int rc;

	memset(&c, 0, sizeof(c));
	c.set = len > 0;
	c.len = len;
	if (len <= SYNC_COOKIE_MAX)
		memcpy(c.bytes, v, len);
	rc = sync_request_encode(mode, &c, &enc, &enclen);
	if (len > SYNC_COOKIE_MAX) {
		FUZZ_CHECK(rc == -1 && enc == NULL, "a cookie over the bound is refused");
		return;
	}
	FUZZ_CHECK(rc == 0, "a cookie within the bound encodes");
	put_head(0x30, 3 + cookie_len(&c), &n);
	put_head(0x0a, 1, &n);
	out[n++] = (unsigned char)mode;
	if (c.set)
		put_bytes(0x04, c.bytes, c.len, &n);
	FUZZ_CHECK(enclen == n && memcmp(enc, out, n) == 0, "the request is DER, byte for byte");
	free(enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > MAX_IN)
		return 0;
	switch (data[0] % 5) {
	case 0: state_case(data + 1, size - 1); break;
	case 1: done_case(data + 1, size - 1); break;
	case 2: info_case(data + 1, size - 1); break;
	case 3: request_case(data + 1, size - 1, false); break;
	default: request_case(data + 1, size - 1, true); break;
	}
	return 0;
}
