/* unit_record.c - record, meta and index encodings: records of version 2
 * (with the lifecycle fields) and of version 1 (0.1.0's, read as keys
 * without restrictions)
 *
 * The tests find fields in an encoding by walking the TLVs themselves and
 * matching values, so most do not depend on tag numbers; tags 0x7E
 * (critical) and 0xFE (optional) are unassigned in FORMAT.md and serve as
 * the unknown ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "record.h"
#include "unit_util.h"
#include "when.h"

#define UNKNOWN_CRITICAL 0x7E
#define UNKNOWN_OPTIONAL 0xFE

/* ---- helpers ---------------------------------------------------------- */

struct field {
	unsigned int tag;
	size_t off;   /* of the tag byte */
	size_t n;     /* value length */
};

/* Walks an encoding independently of record.c; returns the field count. */
static size_t walk(const unsigned char *b, size_t len, struct field *f, size_t max)
{
	size_t pos = 1, k = 0;

	assert_true(len >= 1);
	assert_true(b[0] == APK_FORMAT_VERSION || b[0] == APK_RECORD_VERSION);
	while (pos < len) {
		assert_true(len - pos >= 3);
		assert_true(k < max);
		f[k].tag = b[pos];
		f[k].off = pos;
		f[k].n = ((size_t)b[pos + 1] << 8) | b[pos + 2];
		assert_true(f[k].n <= len - pos - 3);
		pos += 3 + f[k].n;
		k++;
	}
	assert_int_equal(pos, len);
	return k;
}

/* The field whose value is exactly v (n bytes); fails if not exactly one. */
static struct field find_value(const unsigned char *b, size_t len, const void *v, size_t n)
{
	struct field f[16], hit = { 0, 0, 0 };
	size_t k = walk(b, len, f, N_ELEM(f)), i, found = 0;

	for (i = 0; i < k; i++) {
		if (f[i].n == n && memcmp(b + f[i].off + 3, v, n) == 0) {
			hit = f[i];
			found++;
		}
	}
	assert_int_equal(found, 1);
	return hit;
}

/* Builds out = b with the bytes [off, off+cut) replaced by ins (m bytes). */
static size_t splice(const unsigned char *b, size_t len, size_t off, size_t cut,
		     const void *ins, size_t m, unsigned char *out, size_t outsz)
{
	assert_true(off + cut <= len);
	assert_true(len - cut + m <= outsz);
	memcpy(out, b, off);
	if (m > 0)
		memcpy(out + off, ins, m);
	memcpy(out + off + m, b + off + cut, len - off - cut);
	return len - cut + m;
}

/* Replaces one field's value (keeping its tag) with v of n bytes. */
static size_t replace_value(const unsigned char *b, size_t len, struct field f,
			    const void *v, size_t n, unsigned char *out, size_t outsz)
{
	unsigned char tlv[3 + 1100];

	assert_true(n <= 1100);
	tlv[0] = (unsigned char)f.tag;
	tlv[1] = (unsigned char)(n >> 8);
	tlv[2] = (unsigned char)n;
	memcpy(tlv + 3, v, n);
	return splice(b, len, f.off, 3 + f.n, tlv, 3 + n, out, outsz);
}

/* An exactly sized heap copy of b (len bytes), so that valgrind sees a
 * decoder's overreads. */
static unsigned char *exact_copy(const unsigned char *b, size_t len)
{
	unsigned char *c = malloc(len > 0 ? len : 1);

	assert_non_null(c);
	if (len > 0)
		memcpy(c, b, len);
	return c;
}

static enum apk_err decode_record_exact(const unsigned char *b, size_t len, struct apk_record *r)
{
	unsigned char *c = exact_copy(b, len);
	enum apk_err rc = apk_record_decode(c, len, r);

	free(c);
	return rc;
}

static void assert_record_rejected(const unsigned char *b, size_t len)
{
	struct apk_record r;

	memset(&r, 0xA5, sizeof r);
	assert_int_equal(decode_record_exact(b, len, &r), APK_ERR_CORRUPT);
	assert_true(all_zero(&r, sizeof r)); /* nothing half-decoded is left */
}

static void assert_record_equal(const struct apk_record *a, const struct apk_record *b)
{
	assert_string_equal(a->id, b->id);
	assert_int_equal(a->uid, b->uid);
	assert_string_equal(a->owner, b->owner);
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->description, b->description);
	assert_true(a->created == b->created);
	assert_memory_equal(a->digest, b->digest, APK_DIGEST_BYTES);
	assert_true(a->expires == b->expires);
	assert_int_equal(a->disabled, b->disabled);
	assert_memory_equal(&a->services, &b->services, sizeof a->services);
	assert_memory_equal(&a->networks, &b->networks, sizeof a->networks);
	assert_int_equal(a->kind, b->kind);
	assert_memory_equal(a->salt, b->salt, sizeof a->salt);
}

static void be(uint64_t v, unsigned char *o, size_t n)
{
	while (n-- > 0) {
		o[n] = (unsigned char)(v & 0xFF);
		v >>= 8;
	}
}

#define SAMPLE_EXPIRES INT64_C(0x1122334455) /* 4301-12-26, before 9999 */
static const char *sample_services = "sudo,sshd";
static const char *sample_networks = "2001:db8::/32,192.0.2.0/24";
static const char *sample_hosts = "web-*.example.org,db-?.example.org";
#define SAMPLE_HOSTS_TEXT "db-?.example.org,web-*.example.org"
/* the network field's bytes for sample_networks */
static const unsigned char sample_net_bytes[] = {
	4, 24, 192, 0, 2, 0,
	6, 32, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* A record whose every field has a value no other field shares. */
static void sample(struct apk_record *r)
{
	struct apk_key k;

	memset(r, 0, sizeof *r);
	apk_key_generate(&k);
	memcpy(r->id, k.id, sizeof r->id);
	apk_key_wipe(&k);
	r->uid = 0x01020304u;
	snprintf(r->owner, sizeof r->owner, "alice");
	snprintf(r->name, sizeof r->name, "deploy-key.1");
	snprintf(r->description, sizeof r->description, "CI runner \xe2\x80\x94 caf\xc3\xa9 \xf0\x9f\x98\x80");
	r->created = (int64_t)0x0102030405060708;
	randombytes_buf(r->digest, sizeof r->digest);
	r->expires = SAMPLE_EXPIRES;
	r->disabled = true;
	assert_int_equal(apk_services_parse(&sample_services, 1, &r->services, NULL, 0), APK_OK);
	assert_int_equal(apk_networks_parse(&sample_networks, 1, &r->networks, NULL, 0), APK_OK);
	assert_int_equal(apk_hosts_parse(&sample_hosts, 1, &r->hosts, NULL, 0), APK_OK);
}

/* The name, owner and description as long as they may be (the description
 * 1024 bytes, 256 characters). */
static void longest_strings(struct apk_record *r)
{
	size_t i;

	memset(r->name, 'n', APK_NAME_MAX);
	r->name[APK_NAME_MAX] = '\0';
	memset(r->owner, 'o', APK_USER_MAX);
	r->owner[APK_USER_MAX] = '\0';
	for (i = 0; i < APK_DESC_MAX_CHARS; i++)
		memcpy(r->description + 4 * i, "\xf0\x9f\x98\x80", 4);
	r->description[APK_DESC_MAX_BYTES] = '\0';
}

static size_t encode_sample(struct apk_record *r, unsigned char *buf, size_t bufsz)
{
	size_t len = 0;

	sample(r);
	assert_int_equal(apk_record_encode(r, buf, bufsz, &len), APK_OK);
	assert_true(len > 0 && len <= bufsz);
	return len;
}

static uint64_t rng_state = 0x2545F4914F6CDD1Du;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

/* ---- records: good encodings ------------------------------------------ */

static void test_record_roundtrip(void **state)
{
	struct apk_record r, d;
	unsigned char buf[APK_RECORD_MAX];
	size_t len;

	(void)state;
	len = encode_sample(&r, buf, sizeof buf);
	memset(&d, 0xA5, sizeof d);
	assert_int_equal(decode_record_exact(buf, len, &d), APK_OK);
	assert_record_equal(&r, &d);
}

static void test_record_layout(void **state)
{
	struct apk_record r;
	unsigned char buf[APK_RECORD_MAX], v[8];
	struct field f[16];
	size_t len, k, i, j;

	(void)state;
	len = encode_sample(&r, buf, sizeof buf);
	assert_int_equal(buf[0], APK_RECORD_VERSION);
	assert_int_equal(APK_RECORD_VERSION, 3);
	k = walk(buf, len, f, N_ELEM(f));
	assert_int_equal(k, 12);                    /* twelve fields, nothing else */
	for (i = 0; i < k; i++) {
		assert_true(f[i].tag != 0 && f[i].tag < 0x80); /* all critical */
		for (j = 0; j < i; j++)
			assert_int_not_equal(f[i].tag, f[j].tag);
	}
	/* each value is where expected; integers are big-endian */
	find_value(buf, len, r.id, APK_ID_LEN);
	be(r.uid, v, 4);
	assert_int_equal(find_value(buf, len, v, 4).n, 4);
	assert_memory_equal(v, "\x01\x02\x03\x04", 4);
	be((uint64_t)r.created, v, 8);
	assert_memory_equal(v, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	find_value(buf, len, v, 8);
	find_value(buf, len, r.owner, strlen(r.owner));   /* no NUL stored */
	find_value(buf, len, r.name, strlen(r.name));
	find_value(buf, len, r.description, strlen(r.description));
	find_value(buf, len, r.digest, APK_DIGEST_BYTES);
	/* the lifecycle fields: expiry, disabled flag, canonical lists */
	be((uint64_t)SAMPLE_EXPIRES, v, 8);
	find_value(buf, len, v, 8);
	find_value(buf, len, "\x01", 1);
	find_value(buf, len, "sshd,sudo", 9);
	find_value(buf, len, sample_net_bytes, sizeof sample_net_bytes);
	assert_int_equal(find_value(buf, len, SAMPLE_HOSTS_TEXT, strlen(SAMPLE_HOSTS_TEXT)).tag, 0x0D);
}

static void test_record_extremes(void **state)
{
	struct apk_record r, d;
	unsigned char buf[APK_RECORD_MAX];
	size_t len, i;
	const uint32_t uids[] = { 0, 1, 1000, 0x7FFFFFFFu, 0xFFFFFFFEu };
	const int64_t times[] = { 0, 1, 1700000000, INT64_MAX };

	(void)state;
	sample(&r);
	longest_strings(&r);
	assert_int_equal(apk_record_encode(&r, buf, sizeof buf, &len), APK_OK);
	assert_true(len <= APK_RECORD_MAX);
	assert_int_equal(decode_record_exact(buf, len, &d), APK_OK);
	assert_record_equal(&r, &d);

	sample(&r);
	r.description[0] = '\0';                        /* empty description */
	for (i = 0; i < N_ELEM(uids); i++) {
		r.uid = uids[i];
		r.created = times[i % N_ELEM(times)];
		assert_int_equal(apk_record_encode(&r, buf, sizeof buf, &len), APK_OK);
		assert_int_equal(decode_record_exact(buf, len, &d), APK_OK);
		assert_record_equal(&r, &d);
	}
	r.created = INT64_MAX;
	assert_int_equal(apk_record_encode(&r, buf, sizeof buf, &len), APK_OK);
	assert_int_equal(decode_record_exact(buf, len, &d), APK_OK);
	assert_true(d.created == INT64_MAX);
}

/* Fields may come in any order. */
static void test_record_field_order(void **state)
{
	struct apk_record r, d;
	unsigned char buf[APK_RECORD_MAX], rev[APK_RECORD_MAX];
	struct field f[16];
	size_t len, k, i, pos = 1;

	(void)state;
	len = encode_sample(&r, buf, sizeof buf);
	k = walk(buf, len, f, N_ELEM(f));
	rev[0] = buf[0];
	for (i = k; i-- > 0;) {
		memcpy(rev + pos, buf + f[i].off, 3 + f[i].n);
		pos += 3 + f[i].n;
	}
	assert_int_equal(pos, len);
	assert_int_equal(decode_record_exact(rev, len, &d), APK_OK);
	assert_record_equal(&r, &d);
}

/* ---- records: bad encodings ------------------------------------------- */

static void test_record_truncations(void **state)
{
	struct apk_record r;
	unsigned char buf[APK_RECORD_MAX];
	size_t len, l;

	(void)state;
	len = encode_sample(&r, buf, sizeof buf);
	for (l = 0; l < len; l++)
		assert_record_rejected(buf, l);
	assert_int_equal(apk_record_decode(NULL, 0, &r), APK_ERR_CORRUPT);
	assert_int_equal(apk_record_decode(NULL, len, &r), APK_ERR_CORRUPT);
}

static void test_record_trailing_bytes(void **state)
{
	struct apk_record r;
	unsigned char buf[APK_RECORD_MAX + 8];
	size_t len;

	(void)state;
	len = encode_sample(&r, buf, sizeof buf);
	memcpy(buf + len, "\x01\x00", 2);
	assert_record_rejected(buf, len + 1);          /* a tag without length */
	assert_record_rejected(buf, len + 2);
	buf[len] = UNKNOWN_OPTIONAL;                   /* optional, but cut */
	buf[len + 1] = 0;
	buf[len + 2] = 5;
	assert_record_rejected(buf, len + 3);
}

static void test_record_version(void **state)
{
	struct apk_record r;
	unsigned char buf[APK_RECORD_MAX];
	size_t len;
	unsigned int v;

	(void)state;
	len = encode_sample(&r, buf, sizeof buf);
	/* version 1 with the lifecycle fields is refused too (see below) */
	for (v = 0; v < 256; v++) {
		if (v == APK_RECORD_VERSION)
			continue;
		buf[0] = (unsigned char)v;
		assert_record_rejected(buf, len);
	}
}

static void test_record_length_overflow(void **state)
{
	struct apk_record r;
	unsigned char buf[APK_RECORD_MAX], bad[APK_RECORD_MAX];
	struct field f[16];
	size_t len, k, i;
	static const size_t deltas[] = { 1, 2, 3, 255, 256 };
	size_t d;

	(void)state;
	len = encode_sample(&r, buf, sizeof buf);
	k = walk(buf, len, f, N_ELEM(f));
	for (i = 0; i < k; i++) {
		size_t lens[N_ELEM(deltas) + 2];

		for (d = 0; d < N_ELEM(deltas); d++)
			lens[d] = f[i].n + deltas[d];
		lens[N_ELEM(deltas)] = 0xFFFF;
		lens[N_ELEM(deltas) + 1] = 0x8000;
		for (d = 0; d < N_ELEM(lens); d++) {
			memcpy(bad, buf, len);
			bad[f[i].off + 1] = (unsigned char)(lens[d] >> 8);
			bad[f[i].off + 2] = (unsigned char)lens[d];
			assert_record_rejected(bad, len);
		}
	}
	/* an encoding longer than APK_RECORD_MAX, padded with an optional field */
	{
		unsigned char *big = calloc(1, APK_RECORD_MAX + 64);
		size_t pad = APK_RECORD_MAX + 1 - len - 3;
		struct apk_record dr;

		assert_non_null(big);
		memcpy(big, buf, len);
		big[len] = UNKNOWN_OPTIONAL;
		big[len + 1] = (unsigned char)(pad >> 8);
		big[len + 2] = (unsigned char)pad;
		assert_int_equal(apk_record_decode(big, APK_RECORD_MAX + 1, &dr), APK_ERR_CORRUPT);
		/* the same padding one byte shorter fits and is skipped */
		pad--;
		big[len + 1] = (unsigned char)(pad >> 8);
		big[len + 2] = (unsigned char)pad;
		assert_int_equal(apk_record_decode(big, APK_RECORD_MAX, &dr), APK_OK);
		assert_record_equal(&r, &dr);
		free(big);
	}
}

static void test_record_missing_field(void **state)
{
	struct apk_record r;
	unsigned char buf[APK_RECORD_MAX], bad[APK_RECORD_MAX];
	struct field f[16];
	size_t len, k, i, n;

	(void)state;
	len = encode_sample(&r, buf, sizeof buf);
	k = walk(buf, len, f, N_ELEM(f));
	for (i = 0; i < k; i++) {
		n = splice(buf, len, f[i].off, 3 + f[i].n, NULL, 0, bad, sizeof bad);
		assert_record_rejected(bad, n);
	}
	assert_record_rejected((const unsigned char *)"\x01", 1); /* version only */
}

static void test_record_duplicate_field(void **state)
{
	struct apk_record r;
	unsigned char buf[APK_RECORD_MAX], bad[APK_RECORD_MAX + 2048];
	struct field f[16];
	size_t len, k, i, n;

	(void)state;
	len = encode_sample(&r, buf, sizeof buf);
	k = walk(buf, len, f, N_ELEM(f));
	for (i = 0; i < k; i++) {
		/* the same field again at the end, identical */
		n = splice(buf, len, len, 0, buf + f[i].off, 3 + f[i].n, bad, sizeof bad);
		assert_record_rejected(bad, n);
		/* and at the start */
		n = splice(buf, len, 1, 0, buf + f[i].off, 3 + f[i].n, bad, sizeof bad);
		assert_record_rejected(bad, n);
	}
	/* an unknown optional field twice */
	memcpy(bad, buf, len);
	memcpy(bad + len, "\xfe\x00\x01X\xfe\x00\x01Y", 8);
	assert_record_rejected(bad, len + 8);
}

static void test_record_unknown_tags(void **state)
{
	struct apk_record r, d;
	unsigned char buf[APK_RECORD_MAX], mod[APK_RECORD_MAX + 512];
	unsigned char tlv[3 + 300];
	struct field f[16];
	size_t len, k, i, n, vlen;
	static const size_t vlens[] = { 0, 1, 300 };

	(void)state;
	len = encode_sample(&r, buf, sizeof buf);
	k = walk(buf, len, f, N_ELEM(f));
	for (i = 0; i < k; i++) {
		assert_int_not_equal(f[i].tag, UNKNOWN_CRITICAL);
		assert_int_not_equal(f[i].tag, UNKNOWN_OPTIONAL);
	}
	for (vlen = 0; vlen < N_ELEM(vlens); vlen++) {
		memset(tlv + 3, 0xEE, vlens[vlen]);
		tlv[1] = (unsigned char)(vlens[vlen] >> 8);
		tlv[2] = (unsigned char)vlens[vlen];
		/* at every field boundary, including the start and the end */
		for (i = 0; i <= k; i++) {
			size_t at = i < k ? f[i].off : len;

			tlv[0] = UNKNOWN_OPTIONAL;
			n = splice(buf, len, at, 0, tlv, 3 + vlens[vlen], mod, sizeof mod);
			memset(&d, 0, sizeof d);
			assert_int_equal(decode_record_exact(mod, n, &d), APK_OK);
			assert_record_equal(&r, &d);

			tlv[0] = UNKNOWN_CRITICAL;
			n = splice(buf, len, at, 0, tlv, 3 + vlens[vlen], mod, sizeof mod);
			assert_record_rejected(mod, n);
		}
	}
	/* every unassigned tag value: optional skipped, critical refused */
	for (i = 0; i < 256; i++) {
		size_t j, known = 0;

		for (j = 0; j < k; j++)
			known |= f[j].tag == i;
		if (known)
			continue;
		tlv[0] = (unsigned char)i;
		tlv[1] = 0;
		tlv[2] = 0;
		n = splice(buf, len, len, 0, tlv, 3, mod, sizeof mod);
		if (i & 0x80) {
			assert_int_equal(decode_record_exact(mod, n, &d), APK_OK);
		} else {
			assert_record_rejected(mod, n);
		}
	}
}

/* Fixed-size fields one byte short or long. */
static void test_record_field_sizes(void **state)
{
	struct apk_record r;
	unsigned char buf[APK_RECORD_MAX], bad[APK_RECORD_MAX], v[64];
	struct field f;
	size_t len, n;

	(void)state;
	len = encode_sample(&r, buf, sizeof buf);
	{
		struct {
			const void *val;
			size_t n;
		} fixed[6];
		unsigned char u[4], t[8], e[8];
		size_t i;

		be(r.uid, u, 4);
		be((uint64_t)r.created, t, 8);
		be((uint64_t)r.expires, e, 8);
		fixed[0].val = r.id; fixed[0].n = APK_ID_LEN;
		fixed[1].val = u; fixed[1].n = 4;
		fixed[2].val = t; fixed[2].n = 8;
		fixed[3].val = r.digest; fixed[3].n = APK_DIGEST_BYTES;
		fixed[4].val = e; fixed[4].n = 8;
		fixed[5].val = "\x01"; fixed[5].n = 1;
		for (i = 0; i < N_ELEM(fixed); i++) {
			f = find_value(buf, len, fixed[i].val, fixed[i].n);
			memcpy(v, fixed[i].val, fixed[i].n);
			v[fixed[i].n] = 'A';                  /* 'A' keeps an id's alphabet */
			if (fixed[i].n > 1) {
				n = replace_value(buf, len, f, v, fixed[i].n - 1, bad, sizeof bad);
				assert_record_rejected(bad, n);
			}
			n = replace_value(buf, len, f, v, fixed[i].n + 1, bad, sizeof bad);
			assert_record_rejected(bad, n);
			n = replace_value(buf, len, f, v, 0, bad, sizeof bad);
			assert_record_rejected(bad, n);
		}
	}
}

/* A record with each of the n strings vals as field f's value is refused. */
static void assert_values_rejected(const unsigned char *buf, size_t len, struct field f,
				   const char *const *vals, size_t n)
{
	unsigned char bad[APK_RECORD_MAX + 1100];
	size_t i, m;

	for (i = 0; i < n; i++) {
		m = replace_value(buf, len, f, vals[i], strlen(vals[i]), bad, sizeof bad);
		assert_record_rejected(bad, m);
	}
}

/* Field values that are the right size but not valid. */
static void test_record_bad_values(void **state)
{
	struct apk_record r;
	unsigned char buf[APK_RECORD_MAX], bad[APK_RECORD_MAX + 1100];
	struct field f;
	size_t len, n, i;
	char s[1100];
	static const char *const bad_ids[] = { "AAAAAAAAAAA=", "AAAAAAAAAA+A", "AAAA AAAAAAA",
					       "AAAAAAAAAAA\n", "AAAAAAAAAA\xc3\xa9" };
	static const char *const bad_names[] = { "a b", "a/b", "caf\xc3\xa9", "a\n", "" };
	static const char *const bad_owners[] = { "-root", "a b", "a:b", "", "$" };
	static const char *const bad_descs[] = { "a\nb", "\x1b[2J", "\xc0\xaf", "\xed\xa0\x80",
						 "\xe2\x80\xae", "\xff", "\xc2\x85", "x\xe2\x80\xa8" };
	static const unsigned char bad_uid[4] = { 0xFF, 0xFF, 0xFF, 0xFF };
	static const unsigned char neg_time[8] = { 0x80, 0, 0, 0, 0, 0, 0, 0 };
	static const unsigned char minus_one[8] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	unsigned char t[8], u[4];

	(void)state;
	len = encode_sample(&r, buf, sizeof buf);
	f = find_value(buf, len, r.id, APK_ID_LEN);
	for (i = 0; i < N_ELEM(bad_ids); i++)
		assert_int_equal(strlen(bad_ids[i]), APK_ID_LEN); /* the right size */
	assert_values_rejected(buf, len, f, bad_ids, N_ELEM(bad_ids));
	f = find_value(buf, len, r.name, strlen(r.name));
	assert_values_rejected(buf, len, f, bad_names, N_ELEM(bad_names));
	memset(s, 'n', APK_NAME_MAX + 1);                    /* 65 characters */
	n = replace_value(buf, len, f, s, APK_NAME_MAX + 1, bad, sizeof bad);
	assert_record_rejected(bad, n);
	n = replace_value(buf, len, f, s, APK_NAME_MAX, bad, sizeof bad); /* 64 is fine */
	assert_int_equal(decode_record_exact(bad, n, &r), APK_OK);

	len = encode_sample(&r, buf, sizeof buf);
	f = find_value(buf, len, r.owner, strlen(r.owner));
	assert_values_rejected(buf, len, f, bad_owners, N_ELEM(bad_owners));
	memset(s, 'o', APK_USER_MAX + 1);
	n = replace_value(buf, len, f, s, APK_USER_MAX + 1, bad, sizeof bad);
	assert_record_rejected(bad, n);

	f = find_value(buf, len, r.description, strlen(r.description));
	assert_values_rejected(buf, len, f, bad_descs, N_ELEM(bad_descs));
	for (i = 0; i <= APK_DESC_MAX_CHARS; i++)            /* 257 two-byte characters */
		memcpy(s + 2 * i, "\xc3\xa9", 2);
	n = replace_value(buf, len, f, s, 2 * (APK_DESC_MAX_CHARS + 1), bad, sizeof bad);
	assert_record_rejected(bad, n);
	n = replace_value(buf, len, f, s, 2 * APK_DESC_MAX_CHARS, bad, sizeof bad);
	assert_int_equal(decode_record_exact(bad, n, &r), APK_OK);

	len = encode_sample(&r, buf, sizeof buf);
	be(r.uid, u, 4);
	n = replace_value(buf, len, find_value(buf, len, u, 4), bad_uid, 4, bad, sizeof bad);
	assert_record_rejected(bad, n);
	be((uint64_t)r.created, t, 8);
	f = find_value(buf, len, t, 8);
	n = replace_value(buf, len, f, neg_time, 8, bad, sizeof bad);
	assert_record_rejected(bad, n);
	n = replace_value(buf, len, f, minus_one, 8, bad, sizeof bad);
	assert_record_rejected(bad, n);
}

/* A NUL anywhere inside a stored string is corruption. */
static void test_record_embedded_nul(void **state)
{
	struct apk_record r;
	unsigned char buf[APK_RECORD_MAX], bad[APK_RECORD_MAX];
	const char *strs[4];
	size_t len, i, j, vo;
	struct field f;

	(void)state;
	len = encode_sample(&r, buf, sizeof buf);
	strs[0] = r.id;
	strs[1] = r.owner;
	strs[2] = r.name;
	strs[3] = r.description;
	for (i = 0; i < N_ELEM(strs); i++) {
		f = find_value(buf, len, strs[i], strlen(strs[i]));
		vo = f.off + 3;
		for (j = 0; j < f.n; j++) {
			memcpy(bad, buf, len);
			bad[vo + j] = '\0';
			assert_record_rejected(bad, len);
		}
	}
}

/* Random damage never crashes, and whatever decodes is valid. */
static void test_record_random_damage(void **state)
{
	struct apk_record r, d;
	unsigned char buf[APK_RECORD_MAX], bad[APK_RECORD_MAX];
	size_t len, n, i, flips;
	int round, decoded = 0;

	(void)state;
	len = encode_sample(&r, buf, sizeof buf);
	for (round = 0; round < 30000; round++) {
		memcpy(bad, buf, len);
		n = len;
		flips = 1 + rng() % 4;
		for (i = 0; i < flips; i++) {
			size_t at = rng() % len;

			if (rng() % 2)
				bad[at] ^= (unsigned char)(1u << (rng() % 8));
			else
				bad[at] = (unsigned char)rng();
		}
		if (rng() % 4 == 0)
			n = rng() % len; /* and sometimes cut */
		if (decode_record_exact(bad, n, &d) == APK_OK) {
			decoded++;
			assert_true(apk_id_valid(d.id));
			assert_true(apk_name_valid(d.name));
			assert_true(apk_desc_stored_valid(d.description));
			assert_true(apk_user_valid(d.owner));
			assert_true(d.uid != 0xFFFFFFFFu);
			assert_true(d.created >= 0);
			assert_true(d.expires >= 0 && d.expires <= APK_WHEN_LAST);
			assert_true(apk_services_canonical(&d.services));
			assert_true(apk_networks_canonical(&d.networks));
		} else {
			assert_true(all_zero(&d, sizeof d));
		}
	}
	/* some flips land in values and still decode (a digest byte, say) */
	assert_true(decoded > 0);
	/* pure noise */
	for (round = 0; round < 5000; round++) {
		n = rng() % 64;
		for (i = 0; i < n; i++)
			bad[i] = (unsigned char)rng();
		if (n > 0)
			bad[0] = round % 2 ? APK_RECORD_VERSION_1 : APK_RECORD_VERSION;
		assert_record_rejected(bad, n);
	}
}

/* ---- records: the lifecycle fields and version 1 ---------------------- */

/* The field of the sample's encoding whose value is v (n bytes), cut out. */
static size_t cut_value(unsigned char *buf, size_t len, const void *v, size_t n)
{
	unsigned char tmp[APK_RECORD_MAX];
	struct field f = find_value(buf, len, v, n);

	len = splice(buf, len, f.off, 3 + f.n, NULL, 0, tmp, sizeof tmp);
	memcpy(buf, tmp, len);
	return len;
}

/* The sample as 0.1.0 wrote it: version 1, without the lifecycle fields.
 * *r is the sample (with its lifecycle fields set). */
static size_t encode_sample_v1(struct apk_record *r, unsigned char buf[APK_RECORD_MAX])
{
	struct field f[16];
	unsigned char e[8];
	size_t len = encode_sample(r, buf, APK_RECORD_MAX);

	be((uint64_t)r->expires, e, 8);
	len = cut_value(buf, len, e, 8);
	len = cut_value(buf, len, "\x01", 1);
	len = cut_value(buf, len, "sshd,sudo", 9);
	len = cut_value(buf, len, sample_net_bytes, sizeof sample_net_bytes);
	len = cut_value(buf, len, SAMPLE_HOSTS_TEXT, strlen(SAMPLE_HOSTS_TEXT));
	buf[0] = APK_RECORD_VERSION_1;
	assert_int_equal(walk(buf, len, f, N_ELEM(f)), 7);
	return len;
}

/* A version 1 record is a key without restrictions. */
static void test_record_v1_reads_unrestricted(void **state)
{
	struct apk_record r, d, want;
	unsigned char buf[APK_RECORD_MAX], again[APK_RECORD_MAX];
	size_t len, n;

	(void)state;
	len = encode_sample_v1(&r, buf);
	memset(&d, 0xA5, sizeof d);
	assert_int_equal(decode_record_exact(buf, len, &d), APK_OK);
	want = r;
	want.expires = 0;
	want.disabled = false;
	memset(&want.services, 0, sizeof want.services);
	memset(&want.networks, 0, sizeof want.networks);
	memset(&want.hosts, 0, sizeof want.hosts);
	assert_record_equal(&want, &d);
	/* written again, it is version 2 with every lifecycle field, empty */
	assert_int_equal(apk_record_encode(&d, again, sizeof again, &n), APK_OK);
	assert_int_equal(again[0], APK_RECORD_VERSION);
	assert_int_equal(decode_record_exact(again, n, &r), APK_OK);
	assert_record_equal(&want, &r);
	/* the truncations of a version 1 record are refused like any other */
	for (n = 0; n < len; n++)
		assert_record_rejected(buf, n);
}

/* A lifecycle field in a version 1 record is an unknown critical field:
 * refused, so that a record claiming to be 0.1.0's cannot carry a
 * restriction an old reader would ignore, nor one a new reader would read. */
static void test_record_v1_with_lifecycle_field(void **state)
{
	struct apk_record r;
	unsigned char buf[APK_RECORD_MAX], v1[APK_RECORD_MAX], bad[APK_RECORD_MAX];
	struct field f[16];
	size_t len, v1len, k, i, j, n;

	(void)state;
	len = encode_sample(&r, buf, sizeof buf);
	v1len = encode_sample_v1(&r, v1);
	k = walk(buf, len, f, N_ELEM(f));
	for (i = 0; i < k; i++) {
		struct field g[16];
		size_t k1 = walk(v1, v1len, g, N_ELEM(g)), present = 0;

		for (j = 0; j < k1; j++)
			present |= g[j].tag == f[i].tag;
		if (present)
			continue; /* one of the seven */
		n = splice(v1, v1len, v1len, 0, buf + f[i].off, 3 + f[i].n, bad, sizeof bad);
		assert_record_rejected(bad, n);
	}
	/* and a version 2 record without them all is refused (every one is
	 * mandatory: test_record_missing_field) */
	memcpy(bad, v1, v1len);
	bad[0] = APK_RECORD_VERSION;
	assert_record_rejected(bad, v1len);
}

/* Lifecycle values that are the right shape but not valid or not canonical. */
static void test_record_lifecycle_bad_values(void **state)
{
	struct apk_record r, d;
	unsigned char buf[APK_RECORD_MAX], bad[APK_RECORD_MAX + 1100], e[8], v[64];
	struct field f;
	size_t len, n, i;
	static const uint64_t bad_expiry[] = { (uint64_t)-1, (uint64_t)INT64_MIN, (uint64_t)INT64_MAX,
					       (uint64_t)APK_WHEN_LAST + 1 };
	static const char *const bad_services[] = {
		"sudo,sshd", "sshd,sshd", "SSHD", "sshd,Sudo", "sshd,", ",sshd", ",", "sshd,,sudo",
		"all", "ss hd", "ssh/d", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	static const struct {
		unsigned char b[40];
		size_t n;
	} bad_nets[] = {
		{ { 4, 24, 192, 0, 2, 1 }, 6 },                          /* host bits */
		{ { 4, 33, 192, 0, 2, 0 }, 6 },                          /* prefix too long */
		{ { 5, 24, 192, 0, 2, 0 }, 6 },                          /* no such family */
		{ { 4, 24, 192, 0, 2 }, 5 },                             /* cut entry */
		{ { 4 }, 1 },
		{ { 4, 24, 192, 0, 2, 0, 4, 8, 10, 0, 0, 0 }, 12 },      /* out of order */
		{ { 4, 24, 192, 0, 2, 0, 4, 24, 192, 0, 2, 0 }, 12 },    /* duplicate */
		{ { 6, 129, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 18 },
		{ { 6, 120, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 0 }, 18 }, /* mapped */
		{ { 6, 32, 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0 }, 10 },      /* IPv6 cut short */
	};

	(void)state;
	len = encode_sample(&r, buf, sizeof buf);
	be((uint64_t)r.expires, e, 8);
	f = find_value(buf, len, e, 8);
	for (i = 0; i < N_ELEM(bad_expiry); i++) {
		be(bad_expiry[i], v, 8);
		n = replace_value(buf, len, f, v, 8, bad, sizeof bad);
		assert_record_rejected(bad, n);
	}
	be(0, v, 8);                                            /* never */
	n = replace_value(buf, len, f, v, 8, bad, sizeof bad);
	assert_int_equal(decode_record_exact(bad, n, &d), APK_OK);
	assert_true(d.expires == 0);
	be((uint64_t)APK_WHEN_LAST, v, 8);                      /* the last second there is */
	n = replace_value(buf, len, f, v, 8, bad, sizeof bad);
	assert_int_equal(decode_record_exact(bad, n, &d), APK_OK);
	assert_true(d.expires == APK_WHEN_LAST);

	f = find_value(buf, len, "\x01", 1);
	for (i = 2; i < 256; i++) {
		v[0] = (unsigned char)i;
		n = replace_value(buf, len, f, v, 1, bad, sizeof bad);
		assert_record_rejected(bad, n);
	}
	n = replace_value(buf, len, f, "\x00", 1, bad, sizeof bad);
	assert_int_equal(decode_record_exact(bad, n, &d), APK_OK);
	assert_false(d.disabled);

	f = find_value(buf, len, "sshd,sudo", 9);
	assert_values_rejected(buf, len, f, bad_services, N_ELEM(bad_services));
	n = replace_value(buf, len, f, "sshd\0", 5, bad, sizeof bad);   /* embedded NUL */
	assert_record_rejected(bad, n);
	n = replace_value(buf, len, f, "", 0, bad, sizeof bad);         /* every service */
	assert_int_equal(decode_record_exact(bad, n, &d), APK_OK);
	assert_int_equal(d.services.n, 0);

	f = find_value(buf, len, sample_net_bytes, sizeof sample_net_bytes);
	for (i = 0; i < N_ELEM(bad_nets); i++) {
		n = replace_value(buf, len, f, bad_nets[i].b, bad_nets[i].n, bad, sizeof bad);
		assert_record_rejected(bad, n);
	}
	n = replace_value(buf, len, f, "", 0, bad, sizeof bad);         /* anywhere */
	assert_int_equal(decode_record_exact(bad, n, &d), APK_OK);
	assert_int_equal(d.networks.n, 0);
}

/* The largest record there can be fits APK_RECORD_MAX and round-trips. */
static void test_record_lifecycle_extremes(void **state)
{
	struct apk_record r, d;
	unsigned char buf[APK_RECORD_MAX], bad[APK_RECORD_MAX + 64];
	char list[APK_SERVICES_TEXT_MAX + 4] = "" /* room for ",zz" below */, net[64];
	const char *p = list;
	const char *nets[APK_NETWORKS_MAX];
	char netbuf[APK_NETWORKS_MAX][64];
	size_t len, i, n;
	struct field f;

	(void)state;
	sample(&r);
	longest_strings(&r);
	for (i = 0; i < APK_SERVICES_MAX; i++) {               /* 16 names of 32 characters */
		snprintf(net, sizeof net, "%s%02zu%030d", i > 0 ? "," : "", i, 0);
		strcat(list, net);
	}
	assert_int_equal(strlen(list), APK_SERVICES_TEXT_MAX);
	assert_int_equal(apk_services_parse(&p, 1, &r.services, NULL, 0), APK_OK);
	for (i = 0; i < APK_NETWORKS_MAX; i++) {               /* 16 IPv6 networks */
		snprintf(netbuf[i], sizeof netbuf[i], "2001:db8:%zx::/48", i);
		nets[i] = netbuf[i];
	}
	assert_int_equal(apk_networks_parse(nets, APK_NETWORKS_MAX, &r.networks, NULL, 0), APK_OK);
	assert_int_equal(r.networks.n, APK_NETWORKS_MAX);
	r.expires = APK_WHEN_LAST;
	assert_int_equal(apk_record_encode(&r, buf, sizeof buf, &len), APK_OK);
	assert_true(len <= APK_RECORD_MAX);
	assert_int_equal(decode_record_exact(buf, len, &d), APK_OK);
	assert_record_equal(&r, &d);
	/* a seventeenth name or network is refused in a stored record too */
	f = find_value(buf, len, list, strlen(list));
	memcpy(list + strlen(list), ",zz", 4);
	n = replace_value(buf, len, f, list, strlen(list), bad, sizeof bad);
	assert_record_rejected(bad, n);
	len = encode_sample(&r, buf, sizeof buf);
	f = find_value(buf, len, sample_net_bytes, sizeof sample_net_bytes);
	{
		unsigned char many[(APK_NETWORKS_MAX + 1) * 6];

		for (i = 0; i <= APK_NETWORKS_MAX; i++) {
			unsigned char one[6] = { 4, 32, 10, 0, 0, (unsigned char)i };

			memcpy(many + 6 * i, one, 6);
		}
		n = replace_value(buf, len, f, many, 6 * APK_NETWORKS_MAX, bad, sizeof bad);
		assert_int_equal(decode_record_exact(bad, n, &d), APK_OK);
		assert_int_equal(d.networks.n, APK_NETWORKS_MAX);
		n = replace_value(buf, len, f, many, sizeof many, bad, sizeof bad);
		assert_record_rejected(bad, n);
	}
}

/* ---- record encoder --------------------------------------------------- */

/* apk_record_encode refuses r and leaves *len as it was. */
static void assert_encode_refused(const struct apk_record *r)
{
	unsigned char buf[APK_RECORD_MAX];
	size_t len = 12345;

	assert_int_equal(apk_record_encode(r, buf, sizeof buf, &len), APK_ERR_INVALID);
	assert_int_equal(len, 12345);
}

/* A description 0.2.0 stored with an invisible character (it refused only
 * the controls) still decodes and encodes back: the account stays readable,
 * apikeyctl shows it escaped, and only a description typed now must pass
 * apk_desc_valid. */
static void test_record_description_stored_by_0_2(void **state)
{
	static const char *const old[] = { "a\xe2\x80\x8b" "b", "\xef\xbb\xbf",
					   "flag \xf3\xa0\x81\xa7\xf3\xa0\x81\xbf",
					   "\xe2\x9d\xa4\xef\xb8\x8f" };
	unsigned char buf[APK_RECORD_MAX];
	struct apk_record r, d;
	size_t len, i;

	(void)state;
	for (i = 0; i < N_ELEM(old); i++) {
		sample(&r);
		snprintf(r.description, sizeof r.description, "%s", old[i]);
		assert_false(apk_desc_valid(r.description));
		assert_int_equal(apk_record_encode(&r, buf, sizeof buf, &len), APK_OK);
		assert_int_equal(decode_record_exact(buf, len, &d), APK_OK);
		assert_string_equal(d.description, old[i]);
	}
}

static void test_record_encode_invalid(void **state)
{
	struct apk_record r;
	unsigned char buf[APK_RECORD_MAX];
	size_t len = 12345;
	size_t i;
	static const char *const bad_names[] = { "", "a b", "x/y", "\xc3\xa9" };
	static const char *const bad_descs[] = { "a\nb", "\xff", "\xe2\x80\xae" };
	static const char *const bad_owners[] = { "", "-x", "a b" };
	/* strings that fill their array without a terminating NUL */
	static const struct {
		size_t off, size;
		char fill;
	} unterminated[] = {
		{ offsetof(struct apk_record, name), sizeof r.name, 'a' },
		{ offsetof(struct apk_record, owner), sizeof r.owner, 'a' },
		{ offsetof(struct apk_record, description), sizeof r.description, 'a' },
		{ offsetof(struct apk_record, id), sizeof r.id, 'A' },
	};

	(void)state;
	for (i = 0; i < N_ELEM(bad_names); i++) {
		sample(&r);
		snprintf(r.name, sizeof r.name, "%s", bad_names[i]);
		assert_encode_refused(&r);
	}
	for (i = 0; i < N_ELEM(bad_descs); i++) {
		sample(&r);
		snprintf(r.description, sizeof r.description, "%s", bad_descs[i]);
		assert_encode_refused(&r);
	}
	for (i = 0; i < N_ELEM(bad_owners); i++) {
		sample(&r);
		snprintf(r.owner, sizeof r.owner, "%s", bad_owners[i]);
		assert_encode_refused(&r);
	}
	sample(&r);
	r.id[3] = '=';
	assert_encode_refused(&r);
	sample(&r);
	r.id[11] = '\0';
	assert_encode_refused(&r);
	sample(&r);
	r.uid = 0xFFFFFFFFu;
	assert_encode_refused(&r);
	sample(&r);
	r.created = -1;
	assert_encode_refused(&r);
	sample(&r);
	r.expires = -1;
	assert_encode_refused(&r);
	sample(&r);
	r.expires = APK_WHEN_LAST + 1;
	assert_encode_refused(&r);
	sample(&r);                                   /* lists not in canonical form */
	memcpy(r.services.name[0], "sudo", 5);
	memcpy(r.services.name[1], "sshd", 5);
	assert_encode_refused(&r);
	sample(&r);
	r.services.n = APK_SERVICES_MAX + 1;
	assert_encode_refused(&r);
	sample(&r);
	r.networks.net[0].addr[3] = 1;                /* host bits */
	assert_encode_refused(&r);
	sample(&r);
	r.networks.n = APK_NETWORKS_MAX + 1;
	assert_encode_refused(&r);
	for (i = 0; i < N_ELEM(unterminated); i++) {
		sample(&r);
		memset((char *)&r + unterminated[i].off, unterminated[i].fill, unterminated[i].size);
		assert_encode_refused(&r);
	}
	assert_int_equal(apk_record_encode(NULL, buf, sizeof buf, &len), APK_ERR_INVALID);
	sample(&r);
	assert_int_equal(apk_record_encode(&r, NULL, sizeof buf, &len), APK_ERR_INVALID);
	assert_int_equal(apk_record_encode(&r, buf, sizeof buf, NULL), APK_ERR_INVALID);
	assert_int_equal(len, 12345);
}

/* Every buffer size below what is needed fails without writing past it. */
static void test_record_encode_bufsz(void **state)
{
	struct apk_record r;
	unsigned char buf[APK_RECORD_MAX], *b;
	size_t need, sz, len, i;

	(void)state;
	need = encode_sample(&r, buf, sizeof buf);
	for (sz = 0; sz <= need; sz++) {
		b = malloc(sz + 16);
		assert_non_null(b);
		memset(b, 0x5A, sz + 16);
		len = 0;
		if (sz < need) {
			assert_int_equal(apk_record_encode(&r, b, sz, &len), APK_ERR_INVALID);
		} else {
			assert_int_equal(apk_record_encode(&r, b, sz, &len), APK_OK);
			assert_int_equal(len, need);
			assert_memory_equal(b, buf, need);
		}
		for (i = sz; i < sz + 16; i++)
			assert_int_equal(b[i], 0x5A);
		free(b);
	}
}

/* ---- meta ------------------------------------------------------------- */

static void test_meta(void **state)
{
	struct apk_meta m, d;
	unsigned char buf[256], bad[256], *b;
	struct field f[8];
	size_t len, l, n, k, sz;

	(void)state;
	randombytes_buf(m.hashkey, sizeof m.hashkey);
	assert_int_equal(apk_meta_encode(&m, buf, sizeof buf, &len), APK_OK);
	k = walk(buf, len, f, N_ELEM(f));
	assert_int_equal(k, 1);
	assert_true(f[0].tag < 0x80);
	assert_int_equal(f[0].n, APK_HASHKEY_BYTES);
	assert_memory_equal(buf + 4, m.hashkey, APK_HASHKEY_BYTES);
	assert_int_equal(apk_meta_decode(buf, len, &d), APK_OK);
	assert_memory_equal(d.hashkey, m.hashkey, APK_HASHKEY_BYTES);

	for (l = 0; l < len; l++) {                     /* every truncation */
		b = malloc(l + 1);
		assert_non_null(b);
		memcpy(b, buf, l);
		memset(&d, 0xA5, sizeof d);
		assert_int_equal(apk_meta_decode(b, l, &d), APK_ERR_CORRUPT);
		assert_true(all_zero(&d, sizeof d));
		free(b);
	}
	memcpy(bad, buf, len);                          /* wrong version */
	bad[0] = APK_FORMAT_VERSION + 1;
	assert_int_equal(apk_meta_decode(bad, len, &d), APK_ERR_CORRUPT);
	/* 31 and 33 byte keys */
	n = replace_value(buf, len, f[0], m.hashkey, APK_HASHKEY_BYTES - 1, bad, sizeof bad);
	assert_int_equal(apk_meta_decode(bad, n, &d), APK_ERR_CORRUPT);
	n = replace_value(buf, len, f[0], buf + 3, APK_HASHKEY_BYTES + 1, bad, sizeof bad);
	assert_int_equal(apk_meta_decode(bad, n, &d), APK_ERR_CORRUPT);
	/* duplicated */
	n = splice(buf, len, len, 0, buf + 1, len - 1, bad, sizeof bad);
	assert_int_equal(apk_meta_decode(bad, n, &d), APK_ERR_CORRUPT);
	/* unknown optional skipped, unknown critical refused */
	n = splice(buf, len, len, 0, "\xfe\x00\x02hi", 5, bad, sizeof bad);
	assert_int_equal(apk_meta_decode(bad, n, &d), APK_OK);
	assert_memory_equal(d.hashkey, m.hashkey, APK_HASHKEY_BYTES);
	n = splice(buf, len, 1, 0, "\x7e\x00\x02hi", 5, bad, sizeof bad);
	assert_int_equal(apk_meta_decode(bad, n, &d), APK_ERR_CORRUPT);
	/* trailing garbage */
	n = splice(buf, len, len, 0, "\x00", 1, bad, sizeof bad);
	assert_int_equal(apk_meta_decode(bad, n, &d), APK_ERR_CORRUPT);
	/* buffer sizes */
	for (sz = 0; sz <= len; sz++) {
		b = malloc(sz + 8);
		assert_non_null(b);
		memset(b, 0x5A, sz + 8);
		assert_int_equal(apk_meta_encode(&m, b, sz, &l), sz < len ? APK_ERR_INVALID : APK_OK);
		for (n = sz; n < sz + 8; n++)
			assert_int_equal(b[n], 0x5A);
		free(b);
	}
	sodium_memzero(&m, sizeof m);
	sodium_memzero(buf, sizeof buf);
}

/* A value of one kind never decodes as another. */
static void test_kinds_distinct(void **state)
{
	struct apk_record r;
	struct apk_meta m;
	struct apk_index *ix = calloc(1, sizeof *ix);
	unsigned char rb[APK_RECORD_MAX], mb[256], ib[256];
	size_t rl, ml, il;

	(void)state;
	assert_non_null(ix);
	rl = encode_sample(&r, rb, sizeof rb);
	randombytes_buf(m.hashkey, sizeof m.hashkey);
	assert_int_equal(apk_meta_encode(&m, mb, sizeof mb, &ml), APK_OK);
	ix->n = 1;
	memcpy(ix->ids[0], r.id, sizeof r.id);
	assert_int_equal(apk_index_encode(ix, ib, sizeof ib, &il), APK_OK);

	assert_int_equal(apk_meta_decode(rb, rl, &m), APK_ERR_CORRUPT);
	assert_int_equal(apk_index_decode(rb, rl, ix), APK_ERR_CORRUPT);
	assert_int_equal(apk_record_decode(mb, ml, &r), APK_ERR_CORRUPT);
	assert_int_equal(apk_index_decode(mb, ml, ix), APK_ERR_CORRUPT);
	assert_int_equal(apk_record_decode(ib, il, &r), APK_ERR_CORRUPT);
	assert_int_equal(apk_meta_decode(ib, il, &m), APK_ERR_CORRUPT);
	free(ix);
}

/* A version 2 record (0.2.0's, before --hosts) reads as a key for every
 * host; carrying a host list makes it invalid (an unknown critical tag). */
static void test_record_v2_reads_every_host(void **state)
{
	struct apk_record r, d;
	unsigned char buf[APK_RECORD_MAX], v2[APK_RECORD_MAX];
	size_t len, n;

	(void)state;
	len = encode_sample(&r, buf, sizeof buf);
	memcpy(v2, buf, len);
	n = cut_value(v2, len, SAMPLE_HOSTS_TEXT, strlen(SAMPLE_HOSTS_TEXT));
	v2[0] = APK_RECORD_VERSION_2;
	assert_int_equal(decode_record_exact(v2, n, &d), APK_OK);
	assert_int_equal(d.hosts.n, 0);
	assert_true(apk_hosts_allow(&d.hosts, "anything"));
	/* the version 3 record without it is refused (mandatory there) */
	v2[0] = APK_RECORD_VERSION;
	assert_record_rejected(v2, n);
	/* and the version 2 record with it */
	buf[0] = APK_RECORD_VERSION_2;
	assert_record_rejected(buf, len);
}

/* ---- directory records: the salt (FORMAT.md 3.1.3) ------------------- */

static void directory_sample(struct apk_record *r)
{
	sample(r);
	r->kind = APK_DIGEST_DIRECTORY;
	randombytes_buf(r->salt, sizeof r->salt);
}

/* A directory record carries its salt in one more field, critical (an
 * older reader refuses the record rather than take the digest for a local
 * one); a local record has none, and decodes as local. */
static void test_record_directory_roundtrip(void **state)
{
	struct apk_record r, d, local;
	unsigned char buf[APK_RECORD_MAX], lbuf[APK_RECORD_MAX];
	struct field f;
	size_t len, llen;

	(void)state;
	directory_sample(&r);
	assert_int_equal(apk_record_encode(&r, buf, sizeof buf, &len), APK_OK);
	memset(&d, 0xA5, sizeof d);
	assert_int_equal(decode_record_exact(buf, len, &d), APK_OK);
	assert_record_equal(&r, &d);
	assert_int_equal(d.kind, APK_DIGEST_DIRECTORY);
	assert_memory_equal(d.salt, r.salt, sizeof r.salt);
	f = find_value(buf, len, r.salt, sizeof r.salt);
	assert_int_equal(f.tag & 0x80, 0); /* critical */
	assert_int_equal(f.tag, 0x0C);
	/* written in tag order: after the networks (0x0B), before the hosts (0x0D) */
	assert_true(f.off < find_value(buf, len, SAMPLE_HOSTS_TEXT, strlen(SAMPLE_HOSTS_TEXT)).off);
	assert_true(f.off > find_value(buf, len, sample_net_bytes, sizeof sample_net_bytes).off);
	/* the same record as a local one: exactly that field less */
	local = r;
	local.kind = APK_DIGEST_LOCAL;
	memset(local.salt, 0, sizeof local.salt);
	assert_int_equal(apk_record_encode(&local, lbuf, sizeof lbuf, &llen), APK_OK);
	assert_int_equal(llen + 3 + APK_FLEET_SALT_BYTES, len);
	assert_int_equal(decode_record_exact(lbuf, llen, &d), APK_OK);
	assert_int_equal(d.kind, APK_DIGEST_LOCAL);
	assert_true(all_zero(d.salt, sizeof d.salt));
	/* a reader that does not know the tag (every reader before it) refuses
	 * the record: shown with the tag replaced by the unknown critical one */
	buf[f.off] = UNKNOWN_CRITICAL;
	assert_record_rejected(buf, len);
}

static void test_record_directory_bad(void **state)
{
	struct apk_record r;
	unsigned char buf[APK_RECORD_MAX], bad[APK_RECORD_MAX], v1[APK_RECORD_MAX];
	unsigned char salt[APK_FLEET_SALT_BYTES + 1] = { 0 };
	struct field f;
	size_t len, n, v1len;

	(void)state;
	directory_sample(&r);
	assert_int_equal(apk_record_encode(&r, buf, sizeof buf, &len), APK_OK);
	f = find_value(buf, len, r.salt, sizeof r.salt);
	/* a salt of another size */
	n = replace_value(buf, len, f, salt, APK_FLEET_SALT_BYTES - 1, bad, sizeof bad);
	assert_record_rejected(bad, n);
	n = replace_value(buf, len, f, salt, APK_FLEET_SALT_BYTES + 1, bad, sizeof bad);
	assert_record_rejected(bad, n);
	n = replace_value(buf, len, f, salt, 0, bad, sizeof bad);
	assert_record_rejected(bad, n);
	/* twice */
	n = splice(buf, len, len, 0, buf + f.off, 3 + f.n, bad, sizeof bad);
	assert_record_rejected(bad, n);
	/* in a version 1 record (0.1.0 wrote none) */
	v1len = encode_sample_v1(&r, v1);
	n = splice(v1, v1len, v1len, 0, buf + f.off, 3 + f.n, bad, sizeof bad);
	assert_record_rejected(bad, n);
	/* the encoder: a local record with a salt, a kind that is neither */
	directory_sample(&r);
	r.kind = APK_DIGEST_LOCAL;
	assert_int_equal(apk_record_encode(&r, buf, sizeof buf, &len), APK_ERR_INVALID);
	r.kind = (enum apk_digest_kind)7;
	assert_int_equal(apk_record_encode(&r, buf, sizeof buf, &len), APK_ERR_INVALID);
}

/* ---- index ------------------------------------------------------------ */

static void fill_index(struct apk_index *ix, size_t n)
{
	struct apk_key k;
	size_t i;

	ix->n = n;
	for (i = 0; i < n; i++) {
		apk_key_generate(&k);
		memcpy(ix->ids[i], k.id, sizeof ix->ids[i]);
	}
	apk_key_wipe(&k);
}

static void assert_index_equal(const struct apk_index *a, const struct apk_index *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++)
		assert_string_equal(a->ids[i], b->ids[i]);
}

static void test_index_roundtrip(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 7, 100, APK_MAX_INDEX_IDS };
	struct apk_index *ix = calloc(1, sizeof *ix), *d = calloc(1, sizeof *d);
	unsigned char *buf = malloc(APK_INDEX_MAX);
	struct field f[4];
	size_t i, j, len;

	(void)state;
	assert_non_null(ix);
	assert_non_null(d);
	assert_non_null(buf);
	for (i = 0; i < N_ELEM(sizes); i++) {
		fill_index(ix, sizes[i]);
		assert_int_equal(apk_index_encode(ix, buf, APK_INDEX_MAX, &len), APK_OK);
		assert_int_equal(walk(buf, len, f, N_ELEM(f)), 1);
		assert_true(f[0].tag < 0x80);
		assert_int_equal(f[0].n, sizes[i] * APK_ID_LEN);
		for (j = 0; j < sizes[i]; j++)        /* concatenated, in order */
			assert_memory_equal(buf + 4 + j * APK_ID_LEN, ix->ids[j], APK_ID_LEN);
		memset(d, 0xA5, sizeof *d);
		assert_int_equal(apk_index_decode(buf, len, d), APK_OK);
		assert_index_equal(ix, d);
	}
	free(ix);
	free(d);
	free(buf);
}

static void test_index_encode_invalid(void **state)
{
	struct apk_index *ix = calloc(1, sizeof *ix);
	unsigned char *buf = malloc(APK_INDEX_MAX + 64);
	size_t len = 777, sz, need, i;

	(void)state;
	assert_non_null(ix);
	assert_non_null(buf);
	fill_index(ix, 3);
	memcpy(ix->ids[2], ix->ids[0], sizeof ix->ids[0]);    /* duplicate */
	assert_int_equal(apk_index_encode(ix, buf, APK_INDEX_MAX, &len), APK_ERR_INVALID);
	fill_index(ix, 3);
	ix->ids[1][5] = '+';                                  /* bad id */
	assert_int_equal(apk_index_encode(ix, buf, APK_INDEX_MAX, &len), APK_ERR_INVALID);
	fill_index(ix, 3);
	ix->ids[1][12] = 'A';                                 /* unterminated */
	assert_int_equal(apk_index_encode(ix, buf, APK_INDEX_MAX, &len), APK_ERR_INVALID);
	fill_index(ix, 3);
	ix->n = APK_MAX_INDEX_IDS + 1;                        /* too many */
	assert_int_equal(apk_index_encode(ix, buf, APK_INDEX_MAX + 64, &len), APK_ERR_INVALID);
	ix->n = (size_t)-1;
	assert_int_equal(apk_index_encode(ix, buf, APK_INDEX_MAX + 64, &len), APK_ERR_INVALID);
	assert_int_equal(len, 777);
	{
		/* n one above the bound is refused even when the memory right
		 * after the full array would read as one more valid id */
		unsigned char *raw = calloc(1, sizeof *ix + 16);
		struct apk_index *full = (void *)raw;

		assert_non_null(raw);
		assert_int_equal(offsetof(struct apk_index, ids) + sizeof full->ids, sizeof *full);
		fill_index(full, APK_MAX_INDEX_IDS);
		memcpy(raw + sizeof *full, "zzzzzzzzzzzz", APK_ID_LEN + 1);
		full->n = APK_MAX_INDEX_IDS + 1;
		assert_int_equal(apk_index_encode(full, buf, APK_INDEX_MAX + 64, &len), APK_ERR_INVALID);
		full->n = APK_MAX_INDEX_IDS;
		assert_int_equal(apk_index_encode(full, buf, APK_INDEX_MAX + 64, &len), APK_OK);
		assert_int_equal(len, APK_INDEX_MAX);
		free(raw);
	}
	fill_index(ix, 5);
	assert_int_equal(apk_index_encode(ix, buf, APK_INDEX_MAX, &need), APK_OK);
	for (sz = 0; sz < need; sz++) {
		memset(buf, 0x5A, APK_INDEX_MAX + 64);
		assert_int_equal(apk_index_encode(ix, buf, sz, &len), APK_ERR_INVALID);
		for (i = sz; i < APK_INDEX_MAX + 64; i++)
			assert_int_equal(buf[i], 0x5A);
	}
	free(ix);
	free(buf);
}

static enum apk_err decode_index_exact(const unsigned char *b, size_t len, struct apk_index *ix)
{
	unsigned char *c = exact_copy(b, len);
	enum apk_err rc;

	memset(ix, 0xA5, sizeof *ix);
	rc = apk_index_decode(c, len, ix);
	free(c);
	if (rc != APK_OK)
		assert_int_equal(ix->n, 0);
	return rc;
}

static void test_index_decode_bad(void **state)
{
	struct apk_index *ix = calloc(1, sizeof *ix), *d = calloc(1, sizeof *d);
	unsigned char *buf = malloc(APK_INDEX_MAX + 64), *bad = malloc(APK_INDEX_MAX + 64);
	struct field f[4];
	size_t len, l, n, i;
	unsigned int v;
	unsigned char longer[5 * APK_ID_LEN];

	(void)state;
	assert_non_null(ix);
	assert_non_null(d);
	assert_non_null(buf);
	assert_non_null(bad);
	fill_index(ix, 4);
	assert_int_equal(apk_index_encode(ix, buf, APK_INDEX_MAX, &len), APK_OK);
	walk(buf, len, f, N_ELEM(f));

	for (l = 0; l < len; l++)                               /* truncations */
		assert_int_equal(decode_index_exact(buf, l, d), APK_ERR_CORRUPT);
	for (v = 0; v < 256; v++) {                             /* versions */
		if (v == APK_FORMAT_VERSION)
			continue;
		memcpy(bad, buf, len);
		bad[0] = (unsigned char)v;
		assert_int_equal(decode_index_exact(bad, len, d), APK_ERR_CORRUPT);
	}
	/* ids length not a multiple of 12: drop or add 1..11 bytes */
	for (i = 1; i < APK_ID_LEN; i++) {
		n = replace_value(buf, len, f[0], buf + 4, 4 * APK_ID_LEN - i, bad, APK_INDEX_MAX);
		assert_int_equal(decode_index_exact(bad, n, d), APK_ERR_CORRUPT);
		memcpy(longer, buf + 4, 4 * APK_ID_LEN);
		memset(longer + 4 * APK_ID_LEN, 'A', i);
		n = replace_value(buf, len, f[0], longer, 4 * APK_ID_LEN + i, bad, APK_INDEX_MAX);
		assert_int_equal(decode_index_exact(bad, n, d), APK_ERR_CORRUPT);
	}
	/* a duplicate id, at every pair of positions */
	for (i = 0; i < 4; i++) {
		for (l = 0; l < 4; l++) {
			if (i == l)
				continue;
			memcpy(bad, buf, len);
			memcpy(bad + 4 + l * APK_ID_LEN, bad + 4 + i * APK_ID_LEN, APK_ID_LEN);
			assert_int_equal(decode_index_exact(bad, len, d), APK_ERR_CORRUPT);
		}
	}
	/* a character outside the alphabet (or a NUL) in any id */
	for (i = 0; i < 4 * APK_ID_LEN; i++) {
		static const char junk[] = { '=', '+', '/', ' ', '\0', '\n', (char)0xC3 };

		memcpy(bad, buf, len);
		bad[4 + i] = junk[i % sizeof junk];
		assert_int_equal(decode_index_exact(bad, len, d), APK_ERR_CORRUPT);
	}
	/* missing, duplicated, unknown critical, unknown optional */
	assert_int_equal(decode_index_exact((const unsigned char *)"\x01", 1, d), APK_ERR_CORRUPT);
	n = splice(buf, len, len, 0, buf + 1, len - 1, bad, APK_INDEX_MAX + 64);
	assert_int_equal(decode_index_exact(bad, n, d), APK_ERR_CORRUPT);
	n = splice(buf, len, len, 0, "\x7e\x00\x00", 3, bad, APK_INDEX_MAX + 64);
	assert_int_equal(decode_index_exact(bad, n, d), APK_ERR_CORRUPT);
	n = splice(buf, len, 1, 0, "\xfe\x00\x01x", 4, bad, APK_INDEX_MAX + 64);
	assert_int_equal(decode_index_exact(bad, n, d), APK_OK);
	assert_index_equal(ix, d);
	/* length field overflowing the value */
	memcpy(bad, buf, len);
	bad[3] = (unsigned char)(bad[3] + APK_ID_LEN);
	assert_int_equal(decode_index_exact(bad, len, d), APK_ERR_CORRUPT);
	free(ix);
	free(d);
	free(buf);
	free(bad);
}

/* More ids than APK_MAX_INDEX_IDS are refused (the value is then also
 * longer than APK_INDEX_MAX: either check must catch it). */
static void test_index_too_many(void **state)
{
	size_t n = APK_MAX_INDEX_IDS + 1, len = 4 + n * APK_ID_LEN, i;
	unsigned char *buf = malloc(len), hdr[4];
	struct apk_index *ix = calloc(1, sizeof *ix);

	(void)state;
	assert_non_null(buf);
	assert_non_null(ix);
	fill_index(ix, 1);
	assert_int_equal(apk_index_encode(ix, hdr, sizeof hdr, &i), APK_ERR_INVALID);
	assert_int_equal(apk_index_encode(ix, buf, len, &i), APK_OK);   /* learn the tag */
	buf[2] = (unsigned char)((n * APK_ID_LEN) >> 8);
	buf[3] = (unsigned char)(n * APK_ID_LEN);
	for (i = 0; i < n; i++) {                 /* distinct valid ids */
		char id[APK_ID_LEN + 1];

		snprintf(id, sizeof id, "id%010zu", i);
		memcpy(buf + 4 + i * APK_ID_LEN, id, APK_ID_LEN);
	}
	assert_int_equal(decode_index_exact(buf, len, ix), APK_ERR_CORRUPT);
	/* the same with one id fewer is fine */
	buf[2] = (unsigned char)(((n - 1) * APK_ID_LEN) >> 8);
	buf[3] = (unsigned char)((n - 1) * APK_ID_LEN);
	assert_int_equal(decode_index_exact(buf, len - APK_ID_LEN, ix), APK_OK);
	assert_int_equal(ix->n, APK_MAX_INDEX_IDS);
	free(buf);
	free(ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_roundtrip),
		cmocka_unit_test(test_record_layout),
		cmocka_unit_test(test_record_extremes),
		cmocka_unit_test(test_record_field_order),
		cmocka_unit_test(test_record_truncations),
		cmocka_unit_test(test_record_trailing_bytes),
		cmocka_unit_test(test_record_version),
		cmocka_unit_test(test_record_length_overflow),
		cmocka_unit_test(test_record_missing_field),
		cmocka_unit_test(test_record_duplicate_field),
		cmocka_unit_test(test_record_unknown_tags),
		cmocka_unit_test(test_record_field_sizes),
		cmocka_unit_test(test_record_bad_values),
		cmocka_unit_test(test_record_embedded_nul),
		cmocka_unit_test(test_record_random_damage),
		cmocka_unit_test(test_record_v1_reads_unrestricted),
		cmocka_unit_test(test_record_v1_with_lifecycle_field),
		cmocka_unit_test(test_record_lifecycle_bad_values),
		cmocka_unit_test(test_record_lifecycle_extremes),
		cmocka_unit_test(test_record_encode_invalid),
		cmocka_unit_test(test_record_description_stored_by_0_2),
		cmocka_unit_test(test_record_encode_bufsz),
		cmocka_unit_test(test_record_v2_reads_every_host),
		cmocka_unit_test(test_record_directory_roundtrip),
		cmocka_unit_test(test_record_directory_bad),
		cmocka_unit_test(test_meta),
		cmocka_unit_test(test_kinds_distinct),
		cmocka_unit_test(test_index_roundtrip),
		cmocka_unit_test(test_index_encode_invalid),
		cmocka_unit_test(test_index_decode_bad),
		cmocka_unit_test(test_index_too_many),
	};

	return cmocka_run_group_tests(tests, crypto_setup, NULL);
}
