/* unit_verify_proto.c - the verification service's frames
 * (common/verify_proto.c): round trips, and every malformed request or
 * answer refused, byte by byte, without reading past the frame; the socket
 * path each --db gets (common/verify_client.c) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apk_config.h"
#include "keyset.h"
#include "verify_client.h"
#include "verify_proto.h"

static const char KEY[] = "apk_AAAAAAAAAAAABBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBCCCCCCCC";

static size_t encode(const char *user, const char *svc, const char *rhost, const char *key,
		     unsigned char *buf)
{
	size_t n = 0;

	assert_int_equal(apk_vp_encode_verify(user, svc, rhost, key, strlen(key), true, buf,
					      APK_VP_REQUEST_MAX, &n),
			 APK_OK);
	return n;
}

static void a_request_round_trips(void **state)
{
	unsigned char buf[APK_VP_REQUEST_MAX];
	struct apk_vp_request r;
	size_t n;

	(void)state;
	n = encode("alice", "apache2", "192.0.2.1", KEY, buf);
	assert_int_equal(apk_vp_frame_size(buf, n, sizeof(buf)), (long)n);
	assert_int_equal(apk_vp_frame_size(buf, 3, sizeof(buf)), 0); /* header not whole */
	assert_int_equal(apk_vp_decode_request(buf, n, &r), APK_OK);
	assert_int_equal(r.type, APK_VP_VERIFY);
	assert_string_equal(r.user, "alice");
	assert_string_equal(r.service, "apache2");
	assert_string_equal(r.rhost, "192.0.2.1");
	assert_int_equal(r.key_len, strlen(KEY));
	assert_memory_equal(r.key, KEY, r.key_len);
	assert_true(r.flags & APK_VP_WANT_HAS_KEYS);
	/* unset service and rhost stay unset (NULL), not empty */
	n = encode("bob", NULL, NULL, "", buf);
	assert_int_equal(apk_vp_decode_request(buf, n, &r), APK_OK);
	assert_null(r.service);
	assert_null(r.rhost);
	assert_int_equal(r.key_len, 0);
	/* set but empty is not unset */
	n = encode("bob", "", "", "x", buf);
	assert_int_equal(apk_vp_decode_request(buf, n, &r), APK_OK);
	assert_string_equal(r.service, "");
	assert_string_equal(r.rhost, "");
}

static void the_encoder_refuses_what_the_daemon_would(void **state)
{
	unsigned char buf[APK_VP_REQUEST_MAX];
	char big[APK_VP_ITEM_MAX + 2], key[APK_VP_KEY_MAX + 2];
	size_t n;

	(void)state;
	memset(big, 'h', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	assert_int_equal(apk_vp_encode_verify("a:b", NULL, NULL, "k", 1, false, buf, sizeof(buf), &n),
			 APK_ERR_INVALID);
	assert_int_equal(apk_vp_encode_verify("alice", big, NULL, "k", 1, false, buf, sizeof(buf), &n),
			 APK_ERR_INVALID);
	assert_int_equal(apk_vp_encode_verify("alice", NULL, big, "k", 1, false, buf, sizeof(buf), &n),
			 APK_ERR_INVALID);
	assert_int_equal(apk_vp_encode_verify("alice", NULL, NULL, key, strlen(key), false, buf,
					      sizeof(buf), &n),
			 APK_ERR_INVALID);
	assert_int_equal(apk_vp_encode_verify("alice", NULL, NULL, "a\0b", 3, false, buf, sizeof(buf),
					      &n),
			 APK_ERR_INVALID);
	/* the largest request fits the daemon's buffer exactly */
	big[APK_VP_ITEM_MAX] = '\0';
	key[APK_VP_KEY_MAX] = '\0';
	n = encode("alice", big, big, key, buf);
	assert_true(n <= APK_VP_REQUEST_MAX);
}

/* Every truncation of a good request, and every single byte of it changed
 * to each value, is either refused or decodes to fields within bounds. */
static void every_mangled_request_is_refused_or_bounded(void **state)
{
	unsigned char good[APK_VP_REQUEST_MAX], buf[APK_VP_REQUEST_MAX];
	struct apk_vp_request r;
	size_t n, i, cut;
	unsigned v;

	(void)state;
	n = encode("alice", "sshd", "::1", KEY, good);
	for (cut = 0; cut < n; cut++) {
		memcpy(buf, good, n);
		assert_int_equal(apk_vp_decode_request(buf, cut, &r), APK_ERR_INVALID);
	}
	memcpy(buf, good, n);
	buf[n] = 'x'; /* a byte after the frame */
	assert_int_equal(apk_vp_decode_request(buf, n + 1, &r), APK_ERR_INVALID);
	for (i = 0; i < n; i++) {
		for (v = 0; v < 256; v++) {
			if (v == good[i])
				continue;
			memcpy(buf, good, n);
			buf[i] = (unsigned char)v;
			if (apk_vp_decode_request(buf, n, &r) != APK_OK)
				continue;
			assert_true(strlen(r.user) <= APK_USER_MAX);
			assert_true(r.service == NULL || strlen(r.service) <= APK_VP_ITEM_MAX);
			assert_true(r.rhost == NULL || strlen(r.rhost) <= APK_VP_ITEM_MAX);
			assert_true(r.key_len <= APK_VP_KEY_MAX);
		}
	}
	/* a header that promises more than the daemon reads: refused at once */
	buf[0] = APK_VP_VERSION;
	buf[1] = APK_VP_VERIFY;
	buf[2] = 0xff;
	buf[3] = 0xff;
	assert_int_equal(apk_vp_frame_size(buf, 4, APK_VP_REQUEST_MAX), -1);
	buf[0] = 'G'; /* "GET / HTTP/1.1" */
	assert_int_equal(apk_vp_frame_size(buf, 1, APK_VP_REQUEST_MAX), -1);
	buf[0] = APK_VP_VERSION;
	buf[1] = 9;
	assert_int_equal(apk_vp_frame_size(buf, 2, APK_VP_REQUEST_MAX), -1);
}

static void a_status_request_is_four_bytes(void **state)
{
	unsigned char buf[8];
	struct apk_vp_request r;

	(void)state;
	apk_vp_encode_status(buf);
	assert_int_equal(apk_vp_decode_request(buf, APK_VP_HEADER, &r), APK_OK);
	assert_int_equal(r.type, APK_VP_STATUS);
	buf[3] = 1;
	buf[4] = 0;
	assert_int_equal(apk_vp_decode_request(buf, APK_VP_HEADER + 1, &r), APK_ERR_INVALID);
}

static void an_answer_round_trips(void **state)
{
	unsigned char buf[APK_VP_ANSWER_MAX];
	struct apk_vp_answer in, out;
	size_t n;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.status = APK_VP_ANSWERED;
	in.err = APK_OK;
	in.permit = APK_PERMIT_OK;
	in.has_keys = -1;
	in.expires = INT64_C(1767225600);
	memcpy(in.id, "AAAAAAAAAAAA", APK_ID_LEN + 1);
	memcpy(in.name, "web", 4);
	assert_int_equal(apk_vp_encode_answer(APK_VP_VERIFY, &in, buf, sizeof(buf), &n), APK_OK);
	assert_int_equal(apk_vp_decode_answer(APK_VP_VERIFY, buf, n, &out), APK_OK);
	assert_int_equal(out.err, APK_OK);
	assert_int_equal(out.has_keys, -1);
	assert_true(out.expires == in.expires);
	assert_string_equal(out.id, in.id);
	assert_string_equal(out.name, "web");
	/* an answer to another type of request is not this one's */
	assert_int_equal(apk_vp_decode_answer(APK_VP_STATUS, buf, n, &out), APK_ERR_INVALID);
	/* a refusal carries nothing but its status */
	in.status = APK_VP_USER_REFUSED;
	assert_int_equal(apk_vp_encode_answer(APK_VP_VERIFY, &in, buf, sizeof(buf), &n), APK_OK);
	assert_int_equal(n, APK_VP_HEADER + 1);
	assert_int_equal(apk_vp_decode_answer(APK_VP_VERIFY, buf, n, &out), APK_OK);
	assert_int_equal(out.status, APK_VP_USER_REFUSED);
	assert_string_equal(out.name, "");
}

/* What the module acts on is only ever what the daemon may send: an
 * acceptance without a valid id and name, an unknown error or verdict, a
 * stray byte, each is garbage (and the module fails closed on it). */
static void a_forged_answer_is_refused(void **state)
{
	unsigned char good[APK_VP_ANSWER_MAX], buf[APK_VP_ANSWER_MAX];
	struct apk_vp_answer in, out;
	size_t n, cut;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.status = APK_VP_ANSWERED;
	in.err = APK_ERR_NOMATCH;
	in.has_keys = 1;
	memcpy(in.id, "AAAAAAAAAAAA", APK_ID_LEN + 1);
	assert_int_equal(apk_vp_encode_answer(APK_VP_VERIFY, &in, good, sizeof(good), &n), APK_OK);
	for (cut = 0; cut < n; cut++)
		assert_int_equal(apk_vp_decode_answer(APK_VP_VERIFY, good, cut, &out), APK_ERR_INVALID);
	memcpy(buf, good, n);
	buf[APK_VP_HEADER + 1] = APK_ERR_EXISTS; /* never from apk_verify */
	assert_int_equal(apk_vp_decode_answer(APK_VP_VERIFY, buf, n, &out), APK_ERR_INVALID);
	memcpy(buf, good, n);
	buf[APK_VP_HEADER + 2] = 200; /* no such verdict */
	assert_int_equal(apk_vp_decode_answer(APK_VP_VERIFY, buf, n, &out), APK_ERR_INVALID);
	memcpy(buf, good, n);
	buf[APK_VP_HEADER] = 7; /* no such status */
	assert_int_equal(apk_vp_decode_answer(APK_VP_VERIFY, buf, n, &out), APK_ERR_INVALID);
	/* "accepted" with no name, or an id that is no id */
	memcpy(buf, good, n);
	buf[APK_VP_HEADER + 1] = APK_OK;
	assert_int_equal(apk_vp_decode_answer(APK_VP_VERIFY, buf, n, &out), APK_ERR_INVALID);
	memcpy(buf, good, n);
	buf[APK_VP_HEADER + 12] = '/';
	assert_int_equal(apk_vp_decode_answer(APK_VP_VERIFY, buf, n, &out), APK_ERR_INVALID);
	/* found by fuzz/fuzz_verify_proto.c: no id with bytes after its NUL;
	 * a refused key with an expiry or a name; and what is refused is wiped */
	memcpy(buf, good, n);
	memset(buf + APK_VP_HEADER + 12, 0, APK_ID_LEN);
	buf[APK_VP_HEADER + 12 + 5] = 'A';
	assert_int_equal(apk_vp_decode_answer(APK_VP_VERIFY, buf, n, &out), APK_ERR_INVALID);
	assert_string_equal(out.id, "");
	memcpy(buf, good, n);
	buf[APK_VP_HEADER + 11] = 1; /* the expiry's last byte */
	assert_int_equal(apk_vp_decode_answer(APK_VP_VERIFY, buf, n, &out), APK_ERR_INVALID);
	assert_true(out.expires == 0 && out.has_keys == -1 && out.err == APK_OK);
	in.err = APK_OK;
	in.permit = APK_PERMIT_EXPIRED;
	memcpy(in.name, "web", 4);
	assert_int_equal(apk_vp_encode_answer(APK_VP_VERIFY, &in, buf, sizeof(buf), &n), APK_OK);
	assert_int_equal(apk_vp_decode_answer(APK_VP_VERIFY, buf, n, &out), APK_ERR_INVALID);
	assert_string_equal(out.name, "");
}

/* A key refused for a stale mirror carries the mirror's last sync in the
 * time field, so that the module's line says since when, as in-process;
 * no other refusal carries a time, and a negative one is garbage. */
static void a_stale_refusal_carries_its_sync_time(void **state)
{
	unsigned char buf[APK_VP_ANSWER_MAX];
	struct apk_vp_answer in, out;
	char why[160];
	size_t n;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.status = APK_VP_ANSWERED;
	in.err = APK_OK;
	in.permit = APK_PERMIT_MIRROR_STALE;
	in.has_keys = 1;
	in.synced = INT64_C(1767225600); /* 2026-01-01T00:00:00Z */
	memcpy(in.id, "AAAAAAAAAAAA", APK_ID_LEN + 1);
	assert_int_equal(apk_vp_encode_answer(APK_VP_VERIFY, &in, buf, sizeof(buf), &n), APK_OK);
	assert_int_equal(apk_vp_decode_answer(APK_VP_VERIFY, buf, n, &out), APK_OK);
	assert_int_equal(out.permit, APK_PERMIT_MIRROR_STALE);
	assert_true(out.synced == in.synced && out.expires == 0);
	assert_string_equal(out.name, "");
	/* the same time with any other verdict is one the daemon never sends */
	buf[APK_VP_HEADER + 2] = APK_PERMIT_MIRROR_STATE;
	assert_int_equal(apk_vp_decode_answer(APK_VP_VERIFY, buf, n, &out), APK_ERR_INVALID);
	buf[APK_VP_HEADER + 2] = APK_PERMIT_MIRROR_STALE;
	buf[APK_VP_HEADER + 4] = 0x80; /* negative */
	assert_int_equal(apk_vp_decode_answer(APK_VP_VERIFY, buf, n, &out), APK_ERR_INVALID);
	/* the module's reason from it: the in-process one (keyset.h) */
	assert_string_equal(apk_permit_reason_synced(APK_PERMIT_MIRROR_STALE, in.synced, why,
						     sizeof(why)),
			    "directory mirror stale since 2026-01-01T00:00:00Z");
	assert_string_equal(apk_permit_reason_synced(APK_PERMIT_MIRROR_STALE, 0, why, sizeof(why)),
			    "directory mirror stale since never");
}

static void each_database_has_its_own_socket(void **state)
{
	char a[108], b[108], c[108];

	(void)state;
	assert_int_equal(apk_verify_socket_path(APK_DBDIR, a, sizeof(a)), APK_OK);
	assert_string_equal(a, APK_RUNDIR "/verify.sock");
	assert_int_equal(apk_verify_socket_path("/srv/hostA/keys", b, sizeof(b)), APK_OK);
	assert_int_equal(apk_verify_socket_path("/srv/hostB/keys", c, sizeof(c)), APK_OK);
	assert_string_not_equal(b, c);
	assert_string_not_equal(a, b);
	assert_int_equal(strncmp(b, APK_RUNDIR "/verify-", strlen(APK_RUNDIR "/verify-")), 0);
	assert_int_equal(apk_verify_socket_path("/srv/hostA/keys", c, sizeof(c)), APK_OK);
	assert_string_equal(b, c); /* the module and the daemon derive the same */
	assert_int_equal(apk_verify_socket_path("/srv/hostA/keys", c, 10), APK_ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_request_round_trips),
		cmocka_unit_test(the_encoder_refuses_what_the_daemon_would),
		cmocka_unit_test(every_mangled_request_is_refused_or_bounded),
		cmocka_unit_test(a_status_request_is_four_bytes),
		cmocka_unit_test(an_answer_round_trips),
		cmocka_unit_test(a_forged_answer_is_refused),
		cmocka_unit_test(a_stale_refusal_carries_its_sync_time),
		cmocka_unit_test(each_database_has_its_own_socket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
