/* verify_proto.h - the verification service's wire format (apikeyd(8)):
 * one request, one answer, one connection. Both ends build it from this
 * file alone; every field is bounded and validated on decode.
 *
 * A frame: version (1 byte, APK_VP_VERSION), type (1 byte), body length (2
 * bytes, big-endian), body. Nothing may follow the body.
 *
 * Verify request body (type APK_VP_VERIFY): flags (1 byte: APK_VP_HAS_SERVICE,
 * APK_VP_HAS_RHOST, APK_VP_WANT_HAS_KEYS), then four strings, each a length
 * (2 bytes, big-endian) and its bytes, no NUL among them: user (a valid
 * login name), service, rhost (each at most APK_VP_ITEM_MAX, empty unless
 * its flag is set), key (0..APK_VP_KEY_MAX bytes:
 * what was typed, checked by the daemon as the module would).
 * Status request (type APK_VP_STATUS): an empty body.
 *
 * Answer body (the same type as the request): status (1 byte, enum
 * apk_vp_status); for a verify answer with APK_VP_ANSWERED: err (1 byte, one
 * of the apk_err values apk_verify returns), permit (1 byte, enum
 * apk_permit), has_keys (1 byte: 0, 1, or 2 unknown), a time (8 bytes,
 * big-endian), id (12 bytes, all zero when none), name length (1 byte) and
 * name. A name is sent only for an accepted key, and the time is its
 * expiry (0: none); for a key refused as APK_PERMIT_MIRROR_STALE the time
 * is the mirror's last sync (0: never), for its log reason; otherwise 0.
 * A status answer's body: the status byte, then text lines.
 */
#ifndef APK_VERIFY_PROTO_H
#define APK_VERIFY_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apk_error.h"
#include "permit.h"
#include "record.h"

#define APK_VP_VERSION 1
#define APK_VP_HEADER 4
#define APK_VP_ITEM_MAX 1024 /* a PAM_SERVICE or PAM_RHOST */
#define APK_VP_KEY_MAX 512   /* PAM_MAX_RESP_SIZE: a longer answer is no key */
#define APK_VP_REQUEST_MAX                                                          \
	(APK_VP_HEADER + 1 + 4 * 2 + APK_USER_MAX + 2 * APK_VP_ITEM_MAX + APK_VP_KEY_MAX)
#define APK_VP_STATUS_TEXT_MAX 2048
#define APK_VP_ANSWER_MAX (APK_VP_HEADER + 1 + APK_VP_STATUS_TEXT_MAX)

enum apk_vp_type { APK_VP_VERIFY = 1, APK_VP_STATUS = 2 };

#define APK_VP_HAS_SERVICE 0x01
#define APK_VP_HAS_RHOST 0x02
#define APK_VP_WANT_HAS_KEYS 0x04

enum apk_vp_status {
	APK_VP_ANSWERED = 0,     /* the key was checked: err and permit say how */
	APK_VP_BAD_REQUEST = 1,  /* the frame failed validation */
	APK_VP_PEER_REFUSED = 2, /* the caller may not ask (not in the group) */
	APK_VP_USER_REFUSED = 3, /* the caller may not ask about this user */
};

/* A verify request as decoded: pointers into the frame's buffer (the
 * strings NUL-terminated in place by apk_vp_decode_request). */
struct apk_vp_request {
	enum apk_vp_type type;
	unsigned flags;
	const char *user, *service, *rhost; /* service, rhost NULL when absent */
	const char *key;
	size_t key_len;
};

struct apk_vp_answer {
	enum apk_vp_status status;
	enum apk_err err;
	enum apk_permit permit;
	int has_keys; /* 0, 1, or -1 unknown */
	int64_t expires; /* an accepted key's expiry */
	int64_t synced;  /* APK_PERMIT_MIRROR_STALE: the mirror's last sync */
	char id[APK_ID_LEN + 1];
	char name[APK_NAME_MAX + 1];
	char text[APK_VP_STATUS_TEXT_MAX + 1]; /* a status answer's lines */
};

/* How many bytes the frame starting at buf (len bytes so far) needs in all:
 * 0 when the header is not complete yet, -1 when the header is invalid or
 * the whole would exceed max. */
long apk_vp_frame_size(const unsigned char *buf, size_t len, size_t max);

/* A verify request into buf (bufsz >= APK_VP_REQUEST_MAX), its length in
 * *len; service and rhost may be NULL. APK_ERR_INVALID when a field is out
 * of bounds or holds a NUL. */
enum apk_err apk_vp_encode_verify(const char *user, const char *service, const char *rhost,
				  const char *key, size_t key_len, bool want_has_keys,
				  unsigned char *buf, size_t bufsz, size_t *len);
/* A status request (4 bytes). */
void apk_vp_encode_status(unsigned char buf[APK_VP_HEADER]);

/* Decodes the complete frame buf (len bytes, as apk_vp_frame_size said) in
 * place. APK_ERR_INVALID for anything malformed: a bad version, type,
 * length, flag, bound, NUL, an invalid user name, bytes after the body. */
enum apk_err apk_vp_decode_request(unsigned char *buf, size_t len, struct apk_vp_request *r);

/* An answer of type type into buf (bufsz >= APK_VP_ANSWER_MAX), its length
 * in *len. */
enum apk_err apk_vp_encode_answer(enum apk_vp_type type, const struct apk_vp_answer *a,
				  unsigned char *buf, size_t bufsz, size_t *len);

/* Decodes a complete answer frame to a request of type type. APK_ERR_INVALID
 * for anything malformed or any value the daemon never sends (an id that is
 * neither valid nor all zero; a name or an expiry for a key it refused, a
 * time for any other refusal than a stale mirror's, a negative time), *a
 * then all zero but has_keys -1. */
enum apk_err apk_vp_decode_answer(enum apk_vp_type type, const unsigned char *buf, size_t len,
				  struct apk_vp_answer *a);

#endif
