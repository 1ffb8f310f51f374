/* sync_control.c - RFC 4533's control and message values with liblber
 * (sync_control.h). Section 2 of the RFC gives the ASN.1:
 *
 *   syncRequestValue ::= SEQUENCE { mode ENUMERATED, cookie OCTET STRING
 *                                   OPTIONAL, reloadHint BOOLEAN DEFAULT FALSE }
 *   syncStateValue   ::= SEQUENCE { state ENUMERATED, entryUUID OCTET STRING
 *                                   (SIZE(16)), cookie OCTET STRING OPTIONAL }
 *   syncDoneValue    ::= SEQUENCE { cookie OCTET STRING OPTIONAL,
 *                                   refreshDeletes BOOLEAN DEFAULT FALSE }
 *   syncInfoValue    ::= CHOICE {
 *       newcookie      [0] OCTET STRING,
 *       refreshDelete  [1] SEQUENCE { cookie OPTIONAL, refreshDone BOOLEAN DEFAULT TRUE },
 *       refreshPresent [2] SEQUENCE { cookie OPTIONAL, refreshDone BOOLEAN DEFAULT TRUE },
 *       syncIdSet      [3] SEQUENCE { cookie OPTIONAL, refreshDeletes BOOLEAN
 *                                     DEFAULT FALSE, syncUUIDs SET OF OCTET STRING } }
 *
 * (implicit tags). The decoders walk the value element by element with
 * liblber's primitives, each element's tag and length checked first. */
#include <stdlib.h>
#include <string.h>

#include <lber.h>

#include "sync_control.h"

#define TAG_BOOLEAN ((ber_tag_t)0x01)
#define TAG_OCTETS ((ber_tag_t)0x04)
#define TAG_ENUM ((ber_tag_t)0x0a)
#define TAG_SEQUENCE ((ber_tag_t)0x30)
#define TAG_SET ((ber_tag_t)0x31)
#define TAG_NEWCOOKIE ((ber_tag_t)0x80)      /* [0] primitive */
#define TAG_REFRESH_DELETE ((ber_tag_t)0xa1) /* [1] constructed */
#define TAG_REFRESH_PRESENT ((ber_tag_t)0xa2)
#define TAG_ID_SET ((ber_tag_t)0xa3)

int sync_request_encode(enum sync_mode mode, const struct sync_cookie *cookie,
			unsigned char **out, size_t *outlen)
{
	struct berval cv, flat = { 0, NULL };
	BerElement *ber;
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	if (cookie != NULL && cookie->set && cookie->len > SYNC_COOKIE_MAX)
		return -1;
	if ((ber = ber_alloc_t(LBER_USE_DER)) == NULL)
		return -1;
	if (ber_printf(ber, "{e", (ber_int_t)mode) < 0)
		goto out;
	if (cookie != NULL && cookie->set) {
		cv.bv_val = (char *)(uintptr_t)cookie->bytes;
		cv.bv_len = cookie->len;
		if (ber_printf(ber, "O", &cv) < 0)
			goto out;
	}
	/* reloadHint FALSE is the default: DER leaves it out */
	if (ber_printf(ber, "N}") < 0 || ber_flatten2(ber, &flat, 0) != 0)
		goto out;
	if ((*out = malloc(flat.bv_len > 0 ? flat.bv_len : 1)) == NULL)
		goto out;
	memcpy(*out, flat.bv_val, flat.bv_len);
	*outlen = flat.bv_len;
	rc = 0;
out:
	ber_free(ber, 1);
	return rc;
}

/* Bytes left in ber's buffer. */
static ber_len_t left(BerElement *ber)
{
	ber_len_t n = 0;

	if (ber_get_option(ber, LBER_OPT_BER_REMAINING_BYTES, &n) != LBER_OPT_SUCCESS)
		return 0;
	return n;
}

/* The next element's tag, when there is one before end (bytes left at the
 * end of the element being read); LBER_DEFAULT else. */
static ber_tag_t next_tag(BerElement *ber, ber_len_t end, ber_len_t *len)
{
	ber_len_t rem = left(ber);

	if (rem <= end)
		return LBER_DEFAULT;
	return ber_peek_tag(ber, len);
}

/* Enters a constructed element tagged want; *end: the bytes left once it
 * is read. Its length must fit within the enclosing end. */
static int enter(BerElement *ber, ber_tag_t want, ber_len_t outer_end, ber_len_t *end)
{
	ber_len_t len = 0, rem;

	if (ber_skip_tag(ber, &len) != want)
		return -1;
	rem = left(ber);
	if (len > rem || rem - len < outer_end)
		return -1;
	*end = rem - len;
	return 0;
}

/* A one-byte ENUMERATED or BOOLEAN tagged want. */
static int small_int(BerElement *ber, ber_tag_t want, ber_len_t end, ber_int_t *v)
{
	ber_len_t len = 0;

	if (next_tag(ber, end, &len) != want || len != 1 || ber_get_int(ber, v) != want ||
	    left(ber) < end)
		return -1;
	return 0;
}

static int boolean(BerElement *ber, ber_len_t end, bool *v)
{
	ber_int_t b = 0;

	if (small_int(ber, TAG_BOOLEAN, end, &b) != 0)
		return -1;
	*v = b != 0;
	return 0;
}

/* An OCTET STRING (or implicitly tagged one) of at most max bytes into out. */
static int octets(BerElement *ber, ber_tag_t want, ber_len_t end, size_t max, unsigned char *out,
		  size_t *outlen)
{
	struct berval bv = { 0, NULL };
	ber_len_t len = 0;

	if (next_tag(ber, end, &len) != want || len > max || len > left(ber) - end)
		return -1;
	if (ber_get_stringbv(ber, &bv, LBER_BV_NOTERM) != want || bv.bv_len != len ||
	    left(ber) < end)
		return -1;
	if (len > 0)
		memcpy(out, bv.bv_val, len);
	*outlen = len;
	return 0;
}

static int cookie_of(BerElement *ber, ber_tag_t want, ber_len_t end, struct sync_cookie *c)
{
	if (octets(ber, want, end, SYNC_COOKIE_MAX, c->bytes, &c->len) != 0)
		return -1;
	c->set = true;
	return 0;
}

/* An optional cookie: read when the next element is an OCTET STRING. */
static int optional_cookie(BerElement *ber, ber_len_t end, struct sync_cookie *c)
{
	ber_len_t len;

	if (next_tag(ber, end, &len) != TAG_OCTETS)
		return 0;
	return cookie_of(ber, TAG_OCTETS, end, c);
}

/* An optional BOOLEAN, *v untouched when absent. */
static int optional_boolean(BerElement *ber, ber_len_t end, bool *v)
{
	ber_len_t len;

	if (next_tag(ber, end, &len) != TAG_BOOLEAN)
		return 0;
	return boolean(ber, end, v);
}

static BerElement *reader(const void *value, size_t len)
{
	struct berval bv;

	if (value == NULL || len == 0)
		return NULL;
	bv.bv_val = (char *)(uintptr_t)value;
	bv.bv_len = len;
	return ber_init(&bv); /* a copy */
}

int sync_state_decode(const void *value, size_t len, struct sync_state *s)
{
	BerElement *ber = reader(value, len);
	ber_len_t end;
	ber_int_t state = -1;
	size_t ulen = 0;
	int ok;

	memset(s, 0, sizeof(*s));
	if (ber == NULL)
		return -1;
	ok = enter(ber, TAG_SEQUENCE, 0, &end) == 0 && end == 0 &&
	     small_int(ber, TAG_ENUM, end, &state) == 0 && state >= SYNC_PRESENT &&
	     state <= SYNC_DELETE &&
	     octets(ber, TAG_OCTETS, end, SYNC_UUID_LEN, s->uuid, &ulen) == 0 &&
	     ulen == SYNC_UUID_LEN && optional_cookie(ber, end, &s->cookie) == 0 && left(ber) == 0;
	ber_free(ber, 1);
	if (!ok) {
		memset(s, 0, sizeof(*s));
		return -1;
	}
	s->state = (enum sync_state_kind)state;
	return 0;
}

int sync_done_decode(const void *value, size_t len, struct sync_done *d)
{
	BerElement *ber;
	ber_len_t end;
	int ok;

	memset(d, 0, sizeof(*d));
	if (len == 0)
		return 0;
	if ((ber = reader(value, len)) == NULL)
		return -1;
	ok = enter(ber, TAG_SEQUENCE, 0, &end) == 0 && end == 0 &&
	     optional_cookie(ber, end, &d->cookie) == 0 &&
	     optional_boolean(ber, end, &d->refresh_deletes) == 0 && left(ber) == 0;
	ber_free(ber, 1);
	if (!ok) {
		memset(d, 0, sizeof(*d));
		return -1;
	}
	return 0;
}

/* The syncUUIDs SET OF: each exactly 16 bytes, up to end. */
static int uuid_set(BerElement *ber, ber_len_t outer_end, struct sync_info *i)
{
	unsigned char (*grown)[SYNC_UUID_LEN];
	size_t cap = 0, ulen;
	ber_len_t end, len;

	if (enter(ber, TAG_SET, outer_end, &end) != 0)
		return -1;
	while (next_tag(ber, end, &len) != LBER_DEFAULT) {
		if (i->n == cap) {
			/* each takes 18 bytes on the wire: never more than the value holds */
			cap = cap == 0 ? 64 : cap * 2;
			if ((grown = realloc(i->uuids, cap * SYNC_UUID_LEN)) == NULL)
				return -1;
			i->uuids = grown;
		}
		if (octets(ber, TAG_OCTETS, end, SYNC_UUID_LEN, i->uuids[i->n], &ulen) != 0 ||
		    ulen != SYNC_UUID_LEN)
			return -1;
		i->n++;
	}
	return left(ber) == end ? 0 : -1;
}

static int info_body(BerElement *ber, ber_tag_t tag, struct sync_info *i)
{
	ber_len_t end;

	switch (tag) {
	case TAG_NEWCOOKIE:
		i->kind = SYNC_INFO_NEWCOOKIE;
		return cookie_of(ber, TAG_NEWCOOKIE, 0, &i->cookie);
	case TAG_REFRESH_DELETE:
	case TAG_REFRESH_PRESENT:
		i->kind = tag == TAG_REFRESH_DELETE ? SYNC_INFO_REFRESH_DELETE
						    : SYNC_INFO_REFRESH_PRESENT;
		i->refresh_done = true;
		if (enter(ber, tag, 0, &end) != 0 || end != 0)
			return -1;
		return optional_cookie(ber, end, &i->cookie) == 0 &&
		       optional_boolean(ber, end, &i->refresh_done) == 0 && left(ber) == end ? 0 : -1;
	case TAG_ID_SET:
		i->kind = SYNC_INFO_ID_SET;
		if (enter(ber, tag, 0, &end) != 0 || end != 0)
			return -1;
		return optional_cookie(ber, end, &i->cookie) == 0 &&
		       optional_boolean(ber, end, &i->refresh_deletes) == 0 &&
		       uuid_set(ber, end, i) == 0 && left(ber) == end ? 0 : -1;
	default:
		return -1;
	}
}

int sync_info_decode(const void *value, size_t len, struct sync_info *i)
{
	BerElement *ber = reader(value, len);
	ber_len_t tlen = 0;
	int ok;

	memset(i, 0, sizeof(*i));
	if (ber == NULL)
		return -1;
	ok = info_body(ber, ber_peek_tag(ber, &tlen), i) == 0 && left(ber) == 0;
	ber_free(ber, 1);
	if (!ok) {
		sync_info_free(i);
		return -1;
	}
	return 0;
}

void sync_info_free(struct sync_info *i)
{
	free(i->uuids);
	memset(i, 0, sizeof(*i));
}
