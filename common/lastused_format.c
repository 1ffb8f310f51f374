/* lastused_format.c - encoding and checking the header, directory entries
 * and slots of u<uid>.used (FORMAT.md, "Last used") */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "lastused_format.h"
#include "validate.h"

_Static_assert(APK_LU_S_SERVICE + APK_LASTUSED_SERVICE_MAX + 1 == APK_LU_S_RHOST, "slot layout");
_Static_assert(APK_LU_S_RHOST + APK_LASTUSED_RHOST_MAX + 1 == APK_LU_S_CHECK, "slot layout");
_Static_assert(APK_LU_S_CHECK + APK_LU_CHECK_LEN == APK_LU_SLOT, "slot layout");

/* The checksum's domain string: 23 ASCII bytes, no NUL. */
static const char check_domain[] = "pam_apikey last used v1";

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be64(unsigned char *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static uint64_t get_be64(const unsigned char *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

static int all_zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

void apk_lu_name(uint32_t uid, int replacement, char out[32])
{
	snprintf(out, 32, "u%lu.used%s", (unsigned long)uid, replacement ? ".new" : "");
}

size_t apk_lu_data_offset(uint32_t cap)
{
	size_t end = APK_LU_HEADER + (size_t)cap * APK_LU_ENTRY;

	return (end + APK_LU_SLOT - 1) / APK_LU_SLOT * APK_LU_SLOT;
}

size_t apk_lu_file_size(uint32_t cap)
{
	return apk_lu_data_offset(cap) + (size_t)cap * APK_LU_SLOT;
}

uint32_t apk_lu_cap_for(size_t n)
{
	uint32_t cap = APK_LU_MIN_SLOTS;

	while (cap < n && cap < APK_LASTUSED_MAX_SLOTS)
		cap *= 2;
	return cap;
}

void apk_lu_header_encode(unsigned char h[APK_LU_HEADER], uint32_t uid, uint32_t cap)
{
	memset(h, 0, APK_LU_HEADER);
	memcpy(h, APK_LU_MAGIC, APK_LU_MAGIC_LEN);
	h[8] = APK_LU_VERSION;
	put_be32(h + 12, uid);
	put_be32(h + 16, cap);
}

enum apk_err apk_lu_header_decode(const unsigned char h[APK_LU_HEADER], uint32_t uid, off_t size,
				  uint32_t *cap)
{
	uint32_t c = get_be32(h + 16);

	*cap = 0;
	if (memcmp(h, APK_LU_MAGIC, APK_LU_MAGIC_LEN) != 0 || h[8] != APK_LU_VERSION ||
	    !all_zero(h + 9, 3) || !all_zero(h + 20, APK_LU_HEADER - 20) ||
	    get_be32(h + 12) != uid ||
	    c < 1 || c > APK_LASTUSED_MAX_SLOTS)
		return APK_ERR_CORRUPT;
	/* The file is exactly as long as its header says: every slot offset
	 * computed from cap then lies inside it, and a write never grows it. */
	if (size < 0 || (uint64_t)size != (uint64_t)apk_lu_file_size(c))
		return APK_ERR_CORRUPT;
	*cap = c;
	return APK_OK;
}

int apk_lu_entry_id(const unsigned char e[APK_LU_ENTRY], char id[APK_ID_LEN + 1])
{
	id[0] = '\0';
	if (all_zero(e, APK_LU_ENTRY))
		return 0;
	memcpy(id, e, APK_ID_LEN);
	id[APK_ID_LEN] = '\0';
	if (!all_zero(e + APK_ID_LEN, APK_LU_ENTRY - APK_ID_LEN) || !apk_id_valid(id)) {
		id[0] = '\0';
		return -1;
	}
	return 1;
}

void apk_lu_entry_encode(unsigned char e[APK_LU_ENTRY], const char *id)
{
	memset(e, 0, APK_LU_ENTRY);
	memcpy(e, id, APK_ID_LEN);
}

static void slot_check(const unsigned char s[APK_LU_SLOT], uint32_t uid, uint32_t index,
		       unsigned char out[APK_LU_CHECK_LEN])
{
	crypto_generichash_state st;
	unsigned char num[8];

	put_be32(num, uid);
	put_be32(num + 4, index);
	crypto_generichash_init(&st, NULL, 0, APK_LU_CHECK_LEN);
	crypto_generichash_update(&st, (const unsigned char *)check_domain,
				  sizeof(check_domain) - 1);
	crypto_generichash_update(&st, num, sizeof(num));
	crypto_generichash_update(&st, s, APK_LU_S_CHECK);
	crypto_generichash_final(&st, out, APK_LU_CHECK_LEN);
}

void apk_lu_fill(struct apk_lastused *lu, int64_t when, const char *service, const char *rhost)
{
	memset(lu, 0, sizeof(*lu));
	lu->used = true;
	lu->time = when;
	apk_escape(service, lu->service, sizeof(lu->service));
	apk_escape(rhost, lu->rhost, sizeof(lu->rhost));
}

/* Copies text (cut to fsz - 1 bytes) into a NUL-padded field of fsz bytes. */
static void put_text(unsigned char *field, size_t fsz, const char *text)
{
	memset(field, 0, fsz);
	memcpy(field, text, strnlen(text, fsz - 1));
}

/* A field written by put_text: text, then only NULs (at least one), and
 * text that apk_escape can have produced (one line, no control). */
static int get_text(const unsigned char *field, size_t fsz, char *out)
{
	size_t len = strnlen((const char *)field, fsz);

	if (len == fsz || !all_zero(field + len, fsz - len))
		return 0;
	memcpy(out, field, len);
	out[len] = '\0';
	return apk_desc_valid(out);
}

void apk_lu_slot_encode(unsigned char s[APK_LU_SLOT], uint32_t uid, uint32_t index, const char *id,
			const struct apk_lastused *lu)
{
	memset(s, 0, APK_LU_SLOT);
	memcpy(s + APK_LU_S_ID, id, APK_ID_LEN);
	put_be64(s + APK_LU_S_TIME, (uint64_t)lu->time);
	put_text(s + APK_LU_S_SERVICE, APK_LASTUSED_SERVICE_MAX + 1, lu->service);
	put_text(s + APK_LU_S_RHOST, APK_LASTUSED_RHOST_MAX + 1, lu->rhost);
	slot_check(s, uid, index, s + APK_LU_S_CHECK);
}

enum apk_lu_slot apk_lu_slot_decode(const unsigned char s[APK_LU_SLOT], uint32_t uid,
				    uint32_t index, const char *id, struct apk_lastused *out)
{
	unsigned char check[APK_LU_CHECK_LEN];
	uint64_t t;

	memset(out, 0, sizeof(*out));
	if (all_zero(s, APK_LU_SLOT))
		return APK_LU_SLOT_EMPTY;
	slot_check(s, uid, index, check);
	if (sodium_memcmp(check, s + APK_LU_S_CHECK, APK_LU_CHECK_LEN) != 0)
		return APK_LU_SLOT_TORN;
	t = get_be64(s + APK_LU_S_TIME);
	if (memcmp(s + APK_LU_S_ID, id, APK_ID_LEN) != 0 ||
	    !all_zero(s + APK_ID_LEN, APK_LU_S_TIME - APK_ID_LEN) || t == 0 || t > INT64_MAX ||
	    !get_text(s + APK_LU_S_SERVICE, APK_LASTUSED_SERVICE_MAX + 1, out->service) ||
	    !get_text(s + APK_LU_S_RHOST, APK_LASTUSED_RHOST_MAX + 1, out->rhost)) {
		memset(out, 0, sizeof(*out));
		return APK_LU_SLOT_FOREIGN;
	}
	out->time = (int64_t)t;
	out->used = true;
	return APK_LU_SLOT_OK;
}
