/* record.c - encoding and decoding of records, the meta value and indexes
 *
 * value = version (1 byte) then TLV fields: tag (1), length (2, big-endian),
 * value. Tags with the high bit set are optional. Tag numbers and field
 * rules are in FORMAT.md. Integers are written and read byte by byte.
 */
#include <stdbool.h>
#include <string.h>

#include <sodium.h>

#include "record.h"
#include "restrict.h"
#include "when.h"

#define TAG_OPTIONAL 0x80u

/* Record fields: the first seven in every version, all mandatory. */
#define REC_ID 0x01u
#define REC_UID 0x02u
#define REC_OWNER 0x03u
#define REC_NAME 0x04u
#define REC_DESC 0x05u
#define REC_CREATED 0x06u
#define REC_DIGEST 0x07u
#define REC_ALL_V1 ((1u << REC_ID) | (1u << REC_UID) | (1u << REC_OWNER) | \
		    (1u << REC_NAME) | (1u << REC_DESC) | (1u << REC_CREATED) | \
		    (1u << REC_DIGEST))
/* The lifecycle fields: version 2 only, critical and mandatory there; the
 * restrictions' fields (0x0A and on) are restrict.c's, each mandatory from
 * the version that brought it. */
#define REC_EXPIRES 0x08u
#define REC_DISABLED 0x09u
#define REC_LIFECYCLE ((1u << REC_EXPIRES) | (1u << REC_DISABLED))
/* The salt of a directory key's digest: present only in a directory
 * record (the mirror's), critical so that no reader that does not know it
 * takes the digest for a local one; never in a version 1 record. */
#define REC_SALT 0x0Cu

/* The meta value and the index use tags of their own, so that a value of
 * one kind never decodes as another. */
#define META_HASHKEY 0x20u
#define INDEX_IDS 0x30u

#define TLV_HDR 3
#define TLV_MAXLEN 0xFFFFu
#define META_MAX APK_RECORD_MAX

/* ---- writing ---------------------------------------------------------- */

struct writer {
	unsigned char *buf;
	size_t size;
	size_t pos;
};

static bool w_begin(struct writer *w, unsigned char *buf, size_t bufsz, unsigned int version)
{
	w->buf = buf;
	w->size = bufsz;
	w->pos = 0;
	if (buf == NULL || bufsz < 1)
		return false;
	w->buf[w->pos++] = (unsigned char)version;
	return true;
}

/* Writes a TLV header after checking that it and n value bytes fit. */
static bool w_header(struct writer *w, unsigned int tag, size_t n)
{
	size_t room = w->size - w->pos;

	if (n > TLV_MAXLEN || room < TLV_HDR || room - TLV_HDR < n)
		return false;
	w->buf[w->pos++] = (unsigned char)tag;
	w->buf[w->pos++] = (unsigned char)(n >> 8);
	w->buf[w->pos++] = (unsigned char)(n & 0xFF);
	return true;
}

/* Only after w_header has reserved the room. */
static void w_bytes(struct writer *w, const void *v, size_t n)
{
	if (n > 0)
		memcpy(w->buf + w->pos, v, n);
	w->pos += n;
}

static bool w_tlv(struct writer *w, unsigned int tag, const void *v, size_t n)
{
	if (!w_header(w, tag, n))
		return false;
	w_bytes(w, v, n);
	return true;
}

static bool w_str(struct writer *w, unsigned int tag, const char *s)
{
	return w_tlv(w, tag, s, strlen(s));
}

static bool w_u32(struct writer *w, unsigned int tag, uint32_t v)
{
	unsigned char b[4];

	b[0] = (unsigned char)(v >> 24);
	b[1] = (unsigned char)(v >> 16);
	b[2] = (unsigned char)(v >> 8);
	b[3] = (unsigned char)v;
	return w_tlv(w, tag, b, sizeof b);
}

static bool w_u64(struct writer *w, unsigned int tag, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 7; i >= 0; i--) {
		b[i] = (unsigned char)(v & 0xFF);
		v >>= 8;
	}
	return w_tlv(w, tag, b, sizeof b);
}

/* ---- reading ---------------------------------------------------------- */

struct reader {
	const unsigned char *buf;
	size_t len;
	size_t pos;
	unsigned int version;
	unsigned char seen[256 / 8];
};

struct tlv {
	unsigned int tag;
	const unsigned char *v;
	size_t n;
};

/* A value of at most max bytes whose version byte is lo..hi. */
static bool r_begin(struct reader *r, const unsigned char *buf, size_t len, size_t max,
		    unsigned int lo, unsigned int hi)
{
	memset(r, 0, sizeof *r);
	if (buf == NULL || len < 1 || len > max || buf[0] < lo || buf[0] > hi)
		return false;
	r->version = buf[0];
	r->buf = buf;
	r->len = len;
	r->pos = 1;
	return true;
}

/* 1: one field in *t; 0: clean end; -1: truncated, overlong or repeated. */
static int r_next(struct reader *r, struct tlv *t)
{
	size_t left = r->len - r->pos;
	const unsigned char *p = r->buf + r->pos;

	if (left == 0)
		return 0;
	if (left < TLV_HDR)
		return -1;
	t->tag = p[0];
	t->n = ((size_t)p[1] << 8) | p[2];
	if (t->n > left - TLV_HDR)
		return -1;
	if (r->seen[t->tag / 8] & (1u << (t->tag % 8)))
		return -1;
	r->seen[t->tag / 8] |= (unsigned char)(1u << (t->tag % 8));
	t->v = p + TLV_HDR;
	r->pos += TLV_HDR + t->n;
	return 1;
}

/* A string of min..max bytes without NUL, copied and NUL-terminated. */
static bool r_str(const struct tlv *t, char *dst, size_t min, size_t max)
{
	if (t->n < min || t->n > max || memchr(t->v, '\0', t->n) != NULL)
		return false;
	if (t->n > 0)
		memcpy(dst, t->v, t->n);
	dst[t->n] = '\0';
	return true;
}

static bool r_u32(const struct tlv *t, uint32_t *v)
{
	if (t->n != 4)
		return false;
	*v = ((uint32_t)t->v[0] << 24) | ((uint32_t)t->v[1] << 16) |
	     ((uint32_t)t->v[2] << 8) | (uint32_t)t->v[3];
	return true;
}

static bool r_u64(const struct tlv *t, uint64_t *v)
{
	size_t i;

	if (t->n != 8)
		return false;
	*v = 0;
	for (i = 0; i < 8; i++)
		*v = (*v << 8) | t->v[i];
	return true;
}

/* ---- shared checks ---------------------------------------------------- */

/* s is NUL-terminated within its array of size sz. */
static bool terminated(const char *s, size_t sz)
{
	return strnlen(s, sz) < sz;
}

static bool expires_valid(int64_t t)
{
	return t == APK_WHEN_NEVER || (t > 0 && t <= APK_WHEN_LAST);
}

static bool restrictions_valid(const struct apk_record *r)
{
	size_t i;

	for (i = 0; i < APK_RESTRICTIONS; i++)
		if (!apk_restrictions[i].canonical(r))
			return false;
	return true;
}

static bool kind_valid(const struct apk_record *r)
{
	static const unsigned char zero[APK_FLEET_SALT_BYTES];

	return r->kind == APK_DIGEST_DIRECTORY ||
	       (r->kind == APK_DIGEST_LOCAL && memcmp(r->salt, zero, sizeof zero) == 0);
}

static bool record_fields_valid(const struct apk_record *r)
{
	return kind_valid(r) && apk_id_valid(r->id) && r->uid != APK_UID_INVALID && r->created >= 0 &&
	       terminated(r->owner, sizeof r->owner) && apk_user_valid(r->owner) &&
	       terminated(r->name, sizeof r->name) && apk_name_valid(r->name) &&
	       terminated(r->description, sizeof r->description) &&
	       apk_desc_stored_valid(r->description) && expires_valid(r->expires) &&
	       restrictions_valid(r);
}

static bool index_ids_valid(const struct apk_index *ix)
{
	size_t i, j;

	if (ix->n > APK_MAX_INDEX_IDS)
		return false;
	for (i = 0; i < ix->n; i++) {
		if (!apk_id_valid(ix->ids[i]))
			return false;
		for (j = 0; j < i; j++)
			if (memcmp(ix->ids[i], ix->ids[j], APK_ID_LEN) == 0)
				return false;
	}
	return true;
}

/* ---- records ---------------------------------------------------------- */

/* The salt field, once: *pending cleared. */
static bool w_salt(struct writer *w, const struct apk_record *r, bool *pending)
{
	*pending = false;
	return w_tlv(w, REC_SALT, r->salt, APK_FLEET_SALT_BYTES);
}

enum apk_err apk_record_encode(const struct apk_record *r, unsigned char *buf, size_t bufsz, size_t *len)
{
	unsigned char disabled, field[APK_RESTRICTION_FIELD_MAX];
	const struct apk_restriction *k;
	struct writer w;
	bool salt;

	if (r == NULL || len == NULL || !record_fields_valid(r))
		return APK_ERR_INVALID;
	disabled = r->disabled ? 1 : 0;
	if (!w_begin(&w, buf, bufsz, APK_RECORD_VERSION) ||
	    !w_tlv(&w, REC_ID, r->id, APK_ID_LEN) ||
	    !w_u32(&w, REC_UID, r->uid) ||
	    !w_str(&w, REC_OWNER, r->owner) ||
	    !w_str(&w, REC_NAME, r->name) ||
	    !w_str(&w, REC_DESC, r->description) ||
	    !w_u64(&w, REC_CREATED, (uint64_t)r->created) ||
	    !w_tlv(&w, REC_DIGEST, r->digest, APK_DIGEST_BYTES) ||
	    !w_u64(&w, REC_EXPIRES, (uint64_t)r->expires) ||
	    !w_tlv(&w, REC_DISABLED, &disabled, 1))
		return APK_ERR_INVALID;
	/* in tag order: a directory record's salt among the restrictions */
	salt = r->kind == APK_DIGEST_DIRECTORY;
	for (k = apk_restrictions; k < apk_restrictions + APK_RESTRICTIONS; k++) {
		if (salt && k->tag > REC_SALT && !w_salt(&w, r, &salt))
			return APK_ERR_INVALID;
		if (!w_tlv(&w, k->tag, field, k->encode(r, field)))
			return APK_ERR_INVALID;
	}
	if (salt && !w_salt(&w, r, &salt))
		return APK_ERR_INVALID;
	*len = w.pos;
	return APK_OK;
}

static bool record_field(struct apk_record *r, const struct tlv *t)
{
	const struct apk_restriction *k;
	uint64_t u;

	switch (t->tag) {
	case REC_ID:
		return r_str(t, r->id, APK_ID_LEN, APK_ID_LEN) && apk_id_valid(r->id);
	case REC_UID:
		return r_u32(t, &r->uid) && r->uid != APK_UID_INVALID;
	case REC_OWNER:
		return r_str(t, r->owner, 1, APK_USER_MAX) && apk_user_valid(r->owner);
	case REC_NAME:
		return r_str(t, r->name, 1, APK_NAME_MAX) && apk_name_valid(r->name);
	case REC_DESC:
		/* as 0.2.0 may have stored it: apikeyctl checks a new one
		 * with apk_desc_valid, apk_escape shows an old one */
		return r_str(t, r->description, 0, APK_DESC_MAX_BYTES) &&
		       apk_desc_stored_valid(r->description);
	case REC_CREATED:
		if (!r_u64(t, &u) || u > (uint64_t)INT64_MAX)
			return false;
		r->created = (int64_t)u;
		return true;
	case REC_DIGEST:
		if (t->n != APK_DIGEST_BYTES)
			return false;
		memcpy(r->digest, t->v, APK_DIGEST_BYTES);
		return true;
	case REC_EXPIRES:
		if (!r_u64(t, &u) || u > (uint64_t)INT64_MAX || !expires_valid((int64_t)u))
			return false;
		r->expires = (int64_t)u;
		return true;
	case REC_DISABLED:
		if (t->n != 1 || t->v[0] > 1)
			return false;
		r->disabled = t->v[0] == 1;
		return true;
	case REC_SALT:
		if (t->n != APK_FLEET_SALT_BYTES)
			return false;
		memcpy(r->salt, t->v, APK_FLEET_SALT_BYTES);
		r->kind = APK_DIGEST_DIRECTORY;
		return true;
	default:
		if ((k = apk_restriction_by_tag(t->tag)) != NULL)
			return k->decode(t->v, t->n, r);
		return (t->tag & TAG_OPTIONAL) != 0; /* skip optional, refuse critical */
	}
}

/* The mandatory fields of a record of this version, as tag bits; the
 * fields that came in later versions in *later (a critical tag unknown to
 * this version). */
static unsigned int fields_of(unsigned int version, unsigned int *later)
{
	unsigned int want = REC_ALL_V1, bit;
	size_t i;

	*later = 0;
	if (version > APK_RECORD_VERSION_1)
		want |= REC_LIFECYCLE;
	else
		*later |= REC_LIFECYCLE;
	for (i = 0; i < APK_RESTRICTIONS; i++) {
		bit = 1u << apk_restrictions[i].tag;
		if (apk_restrictions[i].since <= version)
			want |= bit;
		else
			*later |= bit;
	}
	return want;
}

enum apk_err apk_record_decode(const unsigned char *buf, size_t len, struct apk_record *r)
{
	struct reader rd;
	struct tlv t;
	unsigned int have = 0, want, later;
	int more;

	if (r == NULL)
		return APK_ERR_INVALID;
	memset(r, 0, sizeof *r);
	if (!r_begin(&rd, buf, len, APK_RECORD_MAX, APK_RECORD_VERSION_1, APK_RECORD_VERSION))
		goto bad;
	want = fields_of(rd.version, &later);
	while ((more = r_next(&rd, &t)) > 0) {
		/* a lifecycle field in a version 1 record is an unknown critical tag */
		if (t.tag < 32 && (later & (1u << t.tag)) != 0)
			goto bad;
		if (!record_field(r, &t))
			goto bad;
		if (t.tag < 32)
			have |= 1u << t.tag;
	}
	if (more < 0 || (have & want) != want)
		goto bad;
	/* a salt in a version 1 record is an unknown critical tag too: 0.1.0 wrote none */
	if (rd.version == APK_RECORD_VERSION_1 && r->kind != APK_DIGEST_LOCAL)
		goto bad;
	return APK_OK;
bad:
	memset(r, 0, sizeof *r);
	return APK_ERR_CORRUPT;
}

/* ---- meta ------------------------------------------------------------- */

enum apk_err apk_meta_encode(const struct apk_meta *m, unsigned char *buf, size_t bufsz, size_t *len)
{
	struct writer w;

	if (m == NULL || len == NULL)
		return APK_ERR_INVALID;
	if (!w_begin(&w, buf, bufsz, APK_FORMAT_VERSION) ||
	    !w_tlv(&w, META_HASHKEY, m->hashkey, APK_HASHKEY_BYTES))
		return APK_ERR_INVALID;
	*len = w.pos;
	return APK_OK;
}

enum apk_err apk_meta_decode(const unsigned char *buf, size_t len, struct apk_meta *m)
{
	struct reader rd;
	struct tlv t;
	bool have = false;
	int more;

	if (m == NULL)
		return APK_ERR_INVALID;
	sodium_memzero(m, sizeof *m);
	if (!r_begin(&rd, buf, len, META_MAX, APK_FORMAT_VERSION, APK_FORMAT_VERSION))
		goto bad;
	while ((more = r_next(&rd, &t)) > 0) {
		if (t.tag == META_HASHKEY) {
			if (t.n != APK_HASHKEY_BYTES)
				goto bad;
			memcpy(m->hashkey, t.v, APK_HASHKEY_BYTES);
			have = true;
		} else if ((t.tag & TAG_OPTIONAL) == 0) {
			goto bad;
		}
	}
	if (more < 0 || !have)
		goto bad;
	return APK_OK;
bad:
	sodium_memzero(m, sizeof *m);
	return APK_ERR_CORRUPT;
}

/* ---- index ------------------------------------------------------------ */

enum apk_err apk_index_encode(const struct apk_index *ix, unsigned char *buf, size_t bufsz, size_t *len)
{
	struct writer w;
	size_t i;

	if (ix == NULL || len == NULL || !index_ids_valid(ix))
		return APK_ERR_INVALID;
	if (!w_begin(&w, buf, bufsz, APK_FORMAT_VERSION) || !w_header(&w, INDEX_IDS, ix->n * APK_ID_LEN))
		return APK_ERR_INVALID;
	for (i = 0; i < ix->n; i++)
		w_bytes(&w, ix->ids[i], APK_ID_LEN);
	*len = w.pos;
	return APK_OK;
}

static bool index_ids(struct apk_index *ix, const struct tlv *t)
{
	size_t i;

	if (t->n % APK_ID_LEN != 0 || t->n / APK_ID_LEN > APK_MAX_INDEX_IDS)
		return false;
	ix->n = t->n / APK_ID_LEN;
	for (i = 0; i < ix->n; i++) {
		memcpy(ix->ids[i], t->v + i * APK_ID_LEN, APK_ID_LEN);
		ix->ids[i][APK_ID_LEN] = '\0';
	}
	return index_ids_valid(ix);
}

enum apk_err apk_index_decode(const unsigned char *buf, size_t len, struct apk_index *ix)
{
	struct reader rd;
	struct tlv t;
	bool have = false;
	int more;

	if (ix == NULL)
		return APK_ERR_INVALID;
	memset(ix, 0, sizeof *ix);
	if (!r_begin(&rd, buf, len, APK_INDEX_MAX, APK_FORMAT_VERSION, APK_FORMAT_VERSION))
		goto bad;
	while ((more = r_next(&rd, &t)) > 0) {
		if (t.tag == INDEX_IDS) {
			if (!index_ids(ix, &t))
				goto bad;
			have = true;
		} else if ((t.tag & TAG_OPTIONAL) == 0) {
			goto bad;
		}
	}
	if (more < 0 || !have)
		goto bad;
	return APK_OK;
bad:
	memset(ix, 0, sizeof *ix);
	return APK_ERR_CORRUPT;
}
