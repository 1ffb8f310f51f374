/* verify_proto.c - encoding and decoding the verification service's frames
 * (see verify_proto.h) */
#include <string.h>

#include "validate.h"
#include "verify_proto.h"

static void put16(unsigned char *p, size_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static size_t get16(const unsigned char *p)
{
	return (size_t)p[0] << 8 | p[1];
}

static void header(unsigned char *buf, enum apk_vp_type type, size_t body)
{
	buf[0] = APK_VP_VERSION;
	buf[1] = (unsigned char)type;
	put16(buf + 2, body);
}

long apk_vp_frame_size(const unsigned char *buf, size_t len, size_t max)
{
	size_t whole;

	if (len >= 1 && buf[0] != APK_VP_VERSION)
		return -1;
	if (len >= 2 && buf[1] != APK_VP_VERIFY && buf[1] != APK_VP_STATUS)
		return -1;
	if (len < APK_VP_HEADER)
		return 0;
	whole = APK_VP_HEADER + get16(buf + 2);
	return whole > max ? -1 : (long)whole;
}

/* Appends a length-prefixed string at *at (room checked by the caller's
 * bounds). */
static void put_string(unsigned char *buf, size_t *at, const char *s, size_t n)
{
	put16(buf + *at, n);
	if (n > 0)
		memcpy(buf + *at + 2, s, n);
	*at += 2 + n;
}

enum apk_err apk_vp_encode_verify(const char *user, const char *service, const char *rhost,
				  const char *key, size_t key_len, bool want_has_keys,
				  unsigned char *buf, size_t bufsz, size_t *len)
{
	size_t nu, ns = service != NULL ? strnlen(service, APK_VP_ITEM_MAX + 1) : 0;
	size_t nr = rhost != NULL ? strnlen(rhost, APK_VP_ITEM_MAX + 1) : 0, at = APK_VP_HEADER;

	*len = 0;
	if (bufsz < APK_VP_REQUEST_MAX || !apk_user_valid(user) || ns > APK_VP_ITEM_MAX ||
	    nr > APK_VP_ITEM_MAX || key_len > APK_VP_KEY_MAX ||
	    (key_len > 0 && memchr(key, '\0', key_len) != NULL))
		return APK_ERR_INVALID;
	nu = strlen(user);
	buf[at++] = (unsigned char)((service != NULL ? APK_VP_HAS_SERVICE : 0) |
				    (rhost != NULL ? APK_VP_HAS_RHOST : 0) |
				    (want_has_keys ? APK_VP_WANT_HAS_KEYS : 0));
	put_string(buf, &at, user, nu);
	put_string(buf, &at, service, ns);
	put_string(buf, &at, rhost, nr);
	put_string(buf, &at, key, key_len);
	header(buf, APK_VP_VERIFY, at - APK_VP_HEADER);
	*len = at;
	return APK_OK;
}

void apk_vp_encode_status(unsigned char buf[APK_VP_HEADER])
{
	header(buf, APK_VP_STATUS, 0);
}

/* Takes the string at *at of the body ending at end: its length at most
 * max, no NUL in it. Moves its bytes one to the left over their length
 * field and NUL-terminates them there, so that the result is a C string
 * inside buf. NULL when malformed. */
static const char *take_string(unsigned char *buf, size_t *at, size_t end, size_t max,
			       size_t *n)
{
	unsigned char *s;

	if (end - *at < 2)
		return NULL;
	*n = get16(buf + *at);
	if (*n > max || end - *at - 2 < *n || memchr(buf + *at + 2, '\0', *n) != NULL)
		return NULL;
	s = buf + *at + 1;
	memmove(s, s + 1, *n);
	s[*n] = '\0';
	*at += 2 + *n;
	return (const char *)s;
}

enum apk_err apk_vp_decode_request(unsigned char *buf, size_t len, struct apk_vp_request *r)
{
	size_t at = APK_VP_HEADER, n;
	long whole = apk_vp_frame_size(buf, len, APK_VP_REQUEST_MAX);

	memset(r, 0, sizeof(*r));
	if (whole <= 0 || (size_t)whole != len)
		return APK_ERR_INVALID;
	r->type = (enum apk_vp_type)buf[1];
	if (r->type == APK_VP_STATUS)
		return len == APK_VP_HEADER ? APK_OK : APK_ERR_INVALID;
	if (len < at + 1)
		return APK_ERR_INVALID;
	r->flags = buf[at++];
	if (r->flags & ~(unsigned)(APK_VP_HAS_SERVICE | APK_VP_HAS_RHOST | APK_VP_WANT_HAS_KEYS))
		return APK_ERR_INVALID;
	r->user = take_string(buf, &at, len, APK_USER_MAX, &n);
	if (r->user == NULL || !apk_user_valid(r->user))
		return APK_ERR_INVALID;
	r->service = take_string(buf, &at, len, APK_VP_ITEM_MAX, &n);
	if (r->service == NULL || (!(r->flags & APK_VP_HAS_SERVICE) && n > 0))
		return APK_ERR_INVALID;
	if (!(r->flags & APK_VP_HAS_SERVICE))
		r->service = NULL;
	r->rhost = take_string(buf, &at, len, APK_VP_ITEM_MAX, &n);
	if (r->rhost == NULL || (!(r->flags & APK_VP_HAS_RHOST) && n > 0))
		return APK_ERR_INVALID;
	if (!(r->flags & APK_VP_HAS_RHOST))
		r->rhost = NULL;
	r->key = take_string(buf, &at, len, APK_VP_KEY_MAX, &r->key_len);
	if (r->key == NULL || at != len)
		return APK_ERR_INVALID;
	return APK_OK;
}

static void put64(unsigned char *p, int64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)((uint64_t)v >> (56 - 8 * i));
}

static int64_t get64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

/* The answer's verify fields: status, err, permit, has_keys, a time, id,
 * name length. */
#define VERIFY_FIXED (1 + 1 + 1 + 1 + 8 + APK_ID_LEN + 1)

/* A matched key refused for a stale mirror: the time is the last sync. */
static bool stale(enum apk_err err, enum apk_permit permit)
{
	return err == APK_OK && permit == APK_PERMIT_MIRROR_STALE;
}

enum apk_err apk_vp_encode_answer(enum apk_vp_type type, const struct apk_vp_answer *a,
				  unsigned char *buf, size_t bufsz, size_t *len)
{
	unsigned char *b = buf + APK_VP_HEADER;
	size_t n, body = 1;

	*len = 0;
	if (bufsz < APK_VP_ANSWER_MAX)
		return APK_ERR_INVALID;
	b[0] = (unsigned char)a->status;
	if (type == APK_VP_STATUS) {
		n = strnlen(a->text, APK_VP_STATUS_TEXT_MAX);
		memcpy(b + 1, a->text, n);
		body += n;
	} else if (a->status == APK_VP_ANSWERED) {
		n = strnlen(a->name, APK_NAME_MAX + 1);
		if (n > APK_NAME_MAX)
			return APK_ERR_INVALID;
		b[1] = (unsigned char)a->err;
		b[2] = (unsigned char)a->permit;
		b[3] = (unsigned char)(a->has_keys < 0 ? 2 : a->has_keys != 0);
		put64(b + 4, stale(a->err, a->permit) ? a->synced : a->expires);
		memset(b + 12, 0, APK_ID_LEN);
		memcpy(b + 12, a->id, strnlen(a->id, APK_ID_LEN));
		b[12 + APK_ID_LEN] = (unsigned char)n;
		memcpy(b + VERIFY_FIXED, a->name, n);
		body = VERIFY_FIXED + n;
	}
	header(buf, type, body);
	*len = APK_VP_HEADER + body;
	return APK_OK;
}

/* The errors apk_verify gives the daemon to send; nothing else is read. */
static bool err_known(unsigned v)
{
	switch (v) {
	case APK_OK: case APK_ERR_NOMEM: case APK_ERR_UNAVAIL: case APK_ERR_UNSAFE:
	case APK_ERR_CORRUPT: case APK_ERR_BUSY: case APK_ERR_BADKEY: case APK_ERR_NOUSER:
	case APK_ERR_NOMATCH:
		return true;
	default:
		return false;
	}
}

static const unsigned char zero_id[APK_ID_LEN];

static enum apk_err decode_verify(const unsigned char *b, size_t n, struct apk_vp_answer *a)
{
	size_t name_len;

	if (n < VERIFY_FIXED || !err_known(b[1]) || b[2] > APK_PERMIT_LAST || b[3] > 2)
		return APK_ERR_INVALID;
	a->err = (enum apk_err)b[1];
	a->permit = (enum apk_permit)b[2];
	a->has_keys = b[3] == 2 ? -1 : b[3];
	a->expires = get64(b + 4);
	if (stale(a->err, a->permit)) {
		a->synced = a->expires;
		a->expires = 0;
	}
	name_len = b[12 + APK_ID_LEN];
	if (name_len > APK_NAME_MAX || n != VERIFY_FIXED + name_len)
		return APK_ERR_INVALID;
	memcpy(a->id, b + 12, APK_ID_LEN);
	memcpy(a->name, b + VERIFY_FIXED, name_len);
	/* no id is twelve zero bytes, nothing after a NUL */
	if (a->id[0] != '\0' ? !apk_id_valid(a->id) : memcmp(b + 12, zero_id, APK_ID_LEN) != 0)
		return APK_ERR_INVALID;
	/* Accepted: the key's id and name must be what the module exports;
	 * refused: no name, no expiry, as the daemon sends it. */
	if (a->err == APK_OK && a->permit == APK_PERMIT_OK) {
		if (!apk_id_valid(a->id) || !apk_name_valid(a->name) || a->expires < 0 ||
		    strlen(a->name) != name_len)
			return APK_ERR_INVALID;
	} else if (name_len != 0 || a->expires != 0 || a->synced < 0) {
		return APK_ERR_INVALID;
	}
	return APK_OK;
}

static enum apk_err decode_answer(enum apk_vp_type type, const unsigned char *buf, size_t len,
				  struct apk_vp_answer *a)
{
	long whole = apk_vp_frame_size(buf, len, APK_VP_ANSWER_MAX);
	const unsigned char *b = buf + APK_VP_HEADER;
	size_t n;

	memset(a, 0, sizeof(*a));
	a->has_keys = -1;
	if (whole <= 0 || (size_t)whole != len || buf[1] != type || len < APK_VP_HEADER + 1)
		return APK_ERR_INVALID;
	n = len - APK_VP_HEADER;
	if (b[0] > APK_VP_USER_REFUSED)
		return APK_ERR_INVALID;
	a->status = (enum apk_vp_status)b[0];
	if (type == APK_VP_STATUS) {
		if (n - 1 > APK_VP_STATUS_TEXT_MAX || memchr(b + 1, '\0', n - 1) != NULL)
			return APK_ERR_INVALID;
		memcpy(a->text, b + 1, n - 1);
		return APK_OK;
	}
	if (a->status != APK_VP_ANSWERED)
		return n == 1 ? APK_OK : APK_ERR_INVALID;
	return decode_verify(b, n, a);
}

enum apk_err apk_vp_decode_answer(enum apk_vp_type type, const unsigned char *buf, size_t len,
				  struct apk_vp_answer *a)
{
	enum apk_err err = decode_answer(type, buf, len, a);

	if (err != APK_OK) { /* nothing of a refused answer is left to be used */
		memset(a, 0, sizeof(*a));
		a->has_keys = -1;
	}
	return err;
}
