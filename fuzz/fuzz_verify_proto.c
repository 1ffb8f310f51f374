/* fuzz_verify_proto.c - the verification service's frames (common/verify_proto.c):
 * the request decoder apikeyd runs on what a caller sends, and the answer
 * decoder the module runs on what comes back from the socket
 *
 * Input: a selector byte, then the bytes. Selector bits 0-1:
 *  0  a request frame: apk_vp_frame_size on it and its prefixes, then
 *     apk_vp_decode_request;
 *  1  a verify answer frame, 2 a status answer frame: apk_vp_decode_answer;
 *  3  a request's fields, user, service, rhost and key, separated by 0xff
 *     bytes (selector bit 2: a service, bit 3: an rhost, bit 4: want
 *     has_keys): apk_vp_encode_verify, then the decoder on what it wrote.
 * Properties:
 *  - apk_vp_frame_size agrees with itself on every prefix of a frame, and a
 *    request the decoder accepts is exactly one whole frame;
 *  - an accepted request: a valid user, service and rhost present exactly
 *    as their flags say, within their bounds, no NUL in any field, each a
 *    string inside the buffer; encoded again it is the same bytes (one
 *    encoding per request: nothing a decoder ignores can travel);
 *  - an accepted answer: only values the daemon sends (a known status, err,
 *    permit, has_keys; an id all zero or valid; a name and expiry only for
 *    an accepted key, then valid), and encoded again it is the same bytes;
 *  - a refusal is APK_ERR_INVALID, the answer then all zero but has_keys;
 *  - fields the encoder takes decode back to the same fields; the encoder
 *    refuses only what is out of bounds, an invalid user or a NUL in the key.
 */
#include "fuzz.h"
#include "validate.h"
#include "verify_proto.h"

static unsigned char frame[APK_VP_REQUEST_MAX + APK_VP_ANSWER_MAX];
static unsigned char again[APK_VP_REQUEST_MAX + APK_VP_ANSWER_MAX];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* s is a NUL-terminated string inside buf[0..len). */
static int inside(const char *s, const unsigned char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	return p >= buf && p < buf + len && memchr(p, '\0', (size_t)(buf + len - p)) != NULL;
}

static void frame_sizes(const uint8_t *d, size_t n, size_t max)
{
	long whole = apk_vp_frame_size(d, n, max), part;
	size_t k;

	FUZZ_CHECK(whole >= -1 && whole <= (long)max, "a frame size is -1, 0 or within max");
	FUZZ_CHECK(n < APK_VP_HEADER ? whole <= 0 : whole != 0, "0 only for a partial header");
	for (k = 0; k < n && k <= APK_VP_HEADER; k++) {
		part = apk_vp_frame_size(d, k, max);
		if (k < APK_VP_HEADER)
			FUZZ_CHECK(part == 0 || part == whole, "a partial header: wait, or the same refusal");
		else
			FUZZ_CHECK(part == whole, "a whole header says the same at any length");
	}
}

static void request(const uint8_t *d, size_t n)
{
	struct apk_vp_request r;
	enum apk_err err;
	size_t len = 0;

	if (n > APK_VP_REQUEST_MAX)
		return;
	frame_sizes(d, n, APK_VP_REQUEST_MAX);
	memcpy(frame, d, n);
	err = apk_vp_decode_request(frame, n, &r);
	if (err != APK_OK) {
		FUZZ_CHECK(err == APK_ERR_INVALID, "a refused request is APK_ERR_INVALID");
		return;
	}
	FUZZ_CHECK(apk_vp_frame_size(d, n, APK_VP_REQUEST_MAX) == (long)n, "one whole frame");
	if (r.type == APK_VP_STATUS) {
		apk_vp_encode_status(again);
		FUZZ_CHECK(n == APK_VP_HEADER && memcmp(again, d, n) == 0, "a status request is 4 bytes");
		return;
	}
	FUZZ_CHECK(r.type == APK_VP_VERIFY, "a known type");
	FUZZ_CHECK(inside(r.user, frame, n) && apk_user_valid(r.user) &&
		   strlen(r.user) <= APK_USER_MAX, "a valid user inside the frame");
	FUZZ_CHECK((r.service != NULL) == ((r.flags & APK_VP_HAS_SERVICE) != 0) &&
		   (r.rhost != NULL) == ((r.flags & APK_VP_HAS_RHOST) != 0),
		   "service and rhost present as their flags say");
	FUZZ_CHECK(r.service == NULL ||
		   (inside(r.service, frame, n) && strlen(r.service) <= APK_VP_ITEM_MAX),
		   "the service a bounded string inside the frame");
	FUZZ_CHECK(r.rhost == NULL || (inside(r.rhost, frame, n) && strlen(r.rhost) <= APK_VP_ITEM_MAX),
		   "the rhost a bounded string inside the frame");
	FUZZ_CHECK(inside(r.key, frame, n) && strlen(r.key) == r.key_len && r.key_len <= APK_VP_KEY_MAX,
		   "the key a bounded string inside the frame, no NUL in it");
	FUZZ_CHECK(apk_vp_encode_verify(r.user, r.service, r.rhost, r.key, r.key_len,
					(r.flags & APK_VP_WANT_HAS_KEYS) != 0, again, sizeof(again),
					&len) == APK_OK,
		   "an accepted request encodes");
	FUZZ_CHECK(len == n && memcmp(again, d, n) == 0, "to the same bytes");
}

static void answer(enum apk_vp_type type, const uint8_t *d, size_t n)
{
	struct apk_vp_answer a;
	enum apk_err err;
	size_t len = 0;

	if (n > APK_VP_ANSWER_MAX + 1)
		return;
	frame_sizes(d, n, APK_VP_ANSWER_MAX);
	err = apk_vp_decode_answer(type, d, n, &a);
	if (err != APK_OK) {
		FUZZ_CHECK(err == APK_ERR_INVALID, "a refused answer is APK_ERR_INVALID");
		FUZZ_CHECK(a.has_keys == -1, "has_keys unknown");
		a.has_keys = 0;
		FUZZ_CHECK(fuzz_all_zero(&a, sizeof(a)), "a refused answer leaves nothing behind");
		return;
	}
	FUZZ_CHECK(a.status <= APK_VP_USER_REFUSED, "a known status");
	if (type == APK_VP_VERIFY && a.status == APK_VP_ANSWERED) {
		FUZZ_CHECK(a.permit <= APK_PERMIT_LAST && a.has_keys >= -1 && a.has_keys <= 1,
			   "a known permit and has_keys");
		FUZZ_CHECK(fuzz_all_zero(a.id, sizeof(a.id)) || apk_id_valid(a.id),
			   "no id, or a valid one");
		if (a.err == APK_OK && a.permit == APK_PERMIT_OK)
			FUZZ_CHECK(apk_id_valid(a.id) && apk_name_valid(a.name) && a.expires >= 0,
				   "an accepted key: its valid id, name and expiry");
		else
			FUZZ_CHECK(a.name[0] == '\0' && a.expires == 0,
				   "a refused key: no name, no expiry");
		FUZZ_CHECK(a.synced >= 0 &&
				   (a.synced == 0 ||
				    (a.err == APK_OK && a.permit == APK_PERMIT_MIRROR_STALE)),
			   "a sync time only for a stale mirror's refusal, never negative");
	}
	FUZZ_CHECK(apk_vp_encode_answer(type, &a, again, sizeof(again), &len) == APK_OK,
		   "an accepted answer encodes");
	FUZZ_CHECK(len == n && memcmp(again, d, n) == 0, "to the same bytes");
}

/* Selector 3: fields from the input, encoded, decoded. */
static void fields(unsigned sel, const uint8_t *d, size_t n)
{
	static char f[4][APK_VP_REQUEST_MAX + 1];
	size_t flen[4] = { 0, 0, 0, 0 }, i = 0, k, len;
	struct apk_vp_request r;
	enum apk_err err;
	int fits;

	if (n > APK_VP_REQUEST_MAX)
		return;
	for (k = 0; k < n; k++) {
		if (d[k] == 0xff && i < 3)
			i++;
		else
			f[i][flen[i]++] = (char)d[k];
	}
	for (i = 0; i < 4; i++)
		f[i][flen[i]] = '\0';
	/* what the encoder sees of the C strings: up to their first NUL */
	for (i = 0; i < 3; i++)
		flen[i] = strlen(f[i]);
	err = apk_vp_encode_verify(f[0], (sel & 4) ? f[1] : NULL, (sel & 8) ? f[2] : NULL, f[3],
				   flen[3], (sel & 16) != 0, frame, APK_VP_REQUEST_MAX, &len);
	fits = apk_user_valid(f[0]) && (!(sel & 4) || flen[1] <= APK_VP_ITEM_MAX) &&
	       (!(sel & 8) || flen[2] <= APK_VP_ITEM_MAX) && flen[3] <= APK_VP_KEY_MAX &&
	       memchr(f[3], '\0', flen[3]) == NULL;
	FUZZ_CHECK((err == APK_OK) == (fits != 0), "the encoder refuses only what does not fit");
	if (err != APK_OK) {
		FUZZ_CHECK(err == APK_ERR_INVALID && len == 0, "a refusal is APK_ERR_INVALID");
		return;
	}
	FUZZ_CHECK(len <= APK_VP_REQUEST_MAX && apk_vp_frame_size(frame, len, APK_VP_REQUEST_MAX) ==
		   (long)len, "one whole frame within the bound");
	FUZZ_CHECK(apk_vp_decode_request(frame, len, &r) == APK_OK, "what the encoder wrote decodes");
	FUZZ_CHECK(r.type == APK_VP_VERIFY && strcmp(r.user, f[0]) == 0, "the same user");
	FUZZ_CHECK((sel & 4) ? r.service != NULL && strcmp(r.service, f[1]) == 0 : r.service == NULL,
		   "the same service");
	FUZZ_CHECK((sel & 8) ? r.rhost != NULL && strcmp(r.rhost, f[2]) == 0 : r.rhost == NULL,
		   "the same rhost");
	FUZZ_CHECK(r.key_len == flen[3] && memcmp(r.key, f[3], flen[3]) == 0, "the same key");
	FUZZ_CHECK(((r.flags & APK_VP_WANT_HAS_KEYS) != 0) == ((sel & 16) != 0),
		   "the same has_keys wish");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] & 3) {
	case 0: request(data + 1, size - 1); break;
	case 1: answer(APK_VP_VERIFY, data + 1, size - 1); break;
	case 2: answer(APK_VP_STATUS, data + 1, size - 1); break;
	default: fields(data[0], data + 1, size - 1); break;
	}
	return 0;
}
