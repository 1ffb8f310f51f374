/* fuzz_lastused.c - the last-use file's header, directory entry and slot
 * decoders, and the slot writer, on arbitrary bytes (FORMAT.md, "Last used")
 *
 * Input (missing bytes are zero):
 *   0        flags: bit 0 signs the slot first with a valid check (the
 *            check of tests/lib/slot_check.c), so the text checks are
 *            reached, not only the checksum
 *   1-4      uid, 5-8 slot number, 9-16 file size (big-endian)
 *   17-80    header, 81-96 directory entry, 97-108 the id asked for
 *   109-364  slot
 *   365      n: the next n bytes are a login's service, the rest its
 *            remote host (each cut at its first NUL)
 * Properties:
 *  - header: accepted => cap 1..APK_LASTUSED_MAX_SLOTS, size exactly the file
 *    size for cap, every slot inside it and after the directory, and the
 *    header is what the encoder writes for (uid, cap); refused => cap 0;
 *  - entry: an id => a valid id that encodes back to the entry; free =>
 *    all zero; else neither, no id;
 *  - slot: empty exactly when all zero; torn exactly when the check does
 *    not match; accepted => a time > 0, texts apk_escape can have written
 *    (valid descriptions within the field sizes), and the slot is what the
 *    encoder writes for them; not accepted => the output zeroed;
 *  - writer: whatever service and host a login hands it, the slot written
 *    decodes to exactly what was filled, texts valid descriptions.
 */
#include <string.h>

#include <sodium.h>

#include "fuzz.h"
#include "lastused_format.h"
#include "slot_check.h"
#include "validate.h"

#define IN_MAX 4096

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void check_header(const uint8_t *h, uint32_t uid, int64_t size)
{
	unsigned char again[APK_LU_HEADER];
	uint32_t cap = 12345;
	size_t start, data;

	if (apk_lu_header_decode(h, uid, (off_t)size, &cap) != APK_OK) {
		FUZZ_CHECK(cap == 0, "a refused header gives no slot count");
		return;
	}
	FUZZ_CHECK(cap >= 1 && cap <= APK_LASTUSED_MAX_SLOTS, "an accepted header's count is in range");
	FUZZ_CHECK(size >= 0 && (uint64_t)size == apk_lu_file_size(cap),
		   "an accepted header's file is exactly as long as its count says");
	data = apk_lu_data_offset(cap);
	start = APK_LU_HEADER + (size_t)cap * APK_LU_ENTRY;
	FUZZ_CHECK(data >= start && data % APK_LU_SLOT == 0 && data + (size_t)cap * APK_LU_SLOT ==
		   (size_t)size, "every slot lies after the directory and inside the file");
	apk_lu_header_encode(again, uid, cap);
	FUZZ_CHECK(memcmp(again, h, APK_LU_HEADER) == 0, "an accepted header is the encoder's");
}

static void check_entry(const uint8_t *e)
{
	unsigned char again[APK_LU_ENTRY];
	char id[APK_ID_LEN + 1];
	int r = apk_lu_entry_id(e, id);

	if (r == 1) {
		FUZZ_CHECK(apk_id_valid(id), "an entry's id is valid");
		apk_lu_entry_encode(again, id);
		FUZZ_CHECK(memcmp(again, e, APK_LU_ENTRY) == 0, "an entry is the encoder's");
	} else if (r == 0) {
		FUZZ_CHECK(fuzz_all_zero(e, APK_LU_ENTRY) && id[0] == '\0', "a free entry is all zero");
	} else {
		FUZZ_CHECK(r == -1 && id[0] == '\0' && !fuzz_all_zero(e, APK_LU_ENTRY),
			   "a bad entry names no id");
	}
}

static int text_ok(const char *s, size_t max)
{
	return strlen(s) <= max && apk_desc_valid(s);
}

static void check_slot(const uint8_t *s, uint32_t uid, uint32_t index, const char *id)
{
	unsigned char check[16], again[APK_LU_SLOT];
	struct apk_lastused out;
	enum apk_lu_slot r;

	memset(&out, 0xA5, sizeof(out));
	r = apk_lu_slot_decode(s, uid, index, id, &out);
	slot_check(s, uid, index, check);
	FUZZ_CHECK((r == APK_LU_SLOT_EMPTY) == fuzz_all_zero(s, APK_LU_SLOT), "empty exactly when all zero");
	if (r != APK_LU_SLOT_EMPTY)
		FUZZ_CHECK((r == APK_LU_SLOT_TORN) == (memcmp(check, s + SLOT_CHECK_AT, 16) != 0),
			   "torn exactly when the check does not match");
	if (r != APK_LU_SLOT_OK) {
		FUZZ_CHECK(fuzz_all_zero(&out, sizeof(out)), "a slot not accepted reads as never");
		return;
	}
	FUZZ_CHECK(out.used && out.time > 0, "an accepted slot has a time");
	FUZZ_CHECK(text_ok(out.service, APK_LASTUSED_SERVICE_MAX) && text_ok(out.rhost, APK_LASTUSED_RHOST_MAX),
		   "an accepted slot's texts are what apk_escape writes");
	apk_lu_slot_encode(again, uid, index, id, &out);
	FUZZ_CHECK(memcmp(again, s, APK_LU_SLOT) == 0, "an accepted slot is the encoder's");
}

static void check_writer(const char *service, const char *rhost, uint32_t uid, uint32_t index,
			 const char *id, int64_t when)
{
	unsigned char s[APK_LU_SLOT];
	struct apk_lastused lu, back;

	apk_lu_fill(&lu, when, service, rhost);
	FUZZ_CHECK(text_ok(lu.service, APK_LASTUSED_SERVICE_MAX) && text_ok(lu.rhost, APK_LASTUSED_RHOST_MAX),
		   "a login's texts are stored escaped");
	apk_lu_slot_encode(s, uid, index, id, &lu);
	FUZZ_CHECK(apk_lu_slot_decode(s, uid, index, id, &back) == APK_LU_SLOT_OK &&
		   memcmp(&lu, &back, sizeof(lu)) == 0, "a slot written reads back as filled");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return sodium_init() < 0 ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t in[IN_MAX + 2];
	static char service[IN_MAX + 1], rhost[IN_MAX + 1];
	static char id[APK_ID_LEN + 1];
	uint32_t uid, index;
	uint64_t fsize;
	size_t n, svc_n;
	int64_t when;

	n = size < IN_MAX ? size : IN_MAX;
	memset(in, 0, sizeof(in));
	memcpy(in, data, n);
	uid = be32(in + 1);
	index = be32(in + 5);
	fsize = (uint64_t)be32(in + 9) << 32 | be32(in + 13);
	memcpy(id, in + 97, APK_ID_LEN);
	id[APK_ID_LEN] = '\0';
	if (in[0] & 1)
		slot_sign(in + 109, uid, index);

	check_header(in + 17, uid, (int64_t)fsize);
	check_entry(in + 81);
	check_slot(in + 109, uid, index, id);

	/* the rest: a login's service (n bytes) and remote host */
	svc_n = in[365];
	if (n > 366) {
		size_t rest = n - 366;

		if (svc_n > rest)
			svc_n = rest;
		memcpy(service, in + 366, svc_n);
		service[svc_n] = '\0';
		memcpy(rhost, in + 366 + svc_n, rest - svc_n);
		rhost[rest - svc_n] = '\0';
	} else {
		service[0] = rhost[0] = '\0';
	}
	when = (int64_t)(fsize & 0x7fffffffffffffffu);
	check_writer(service, rhost, uid, index, id, when > 0 ? when : 1);
	return 0;
}
