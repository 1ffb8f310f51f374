/* fuzz_record.c - apk_record_decode, apk_meta_decode and apk_index_decode on arbitrary bytes
 *
 * Every input goes to all three decoders. Properties:
 *  - a rejected value leaves the output zeroed;
 *  - an accepted value is a well-formed TLV stream (checked here by a
 *    separate walker): version 1 (a record: 1, 2 or 3), no truncated field,
 *    no repeated tag, every mandatory tag of its version present, no unknown
 *    tag without the optional bit (a record of version 1 has no lifecycle
 *    field, one of version 2 no host list), a directory record's salt at
 *    most once and never in version 1;
 *  - an accepted record has canonical service and network lists and an
 *    expiry of never or up to 9999-12-31T23:59:59Z; a version 1 record
 *    decodes without restrictions;
 *  - an accepted value re-encodes, and the encoding decodes to exactly the
 *    same structure;
 *  - when the input is canonical (the encoder's tags in the encoder's order,
 *    nothing else, the encoder's version), the re-encoding is byte-for-byte
 *    the input; a version 1 or 2 record re-encodes as version 3.
 */
#include <string.h>

#include "fuzz.h"
#include "record.h"
#include "when.h"

#define TAG_OPTIONAL 0x80u

/* The tags FORMAT.md gives each kind of value, in the encoder's order. */
static const unsigned char record_tags[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
					     0x08, 0x09, 0x0A, 0x0B, 0x0D };
#define RECORD_TAGS_V1 7  /* the first seven: a version 1 record */
#define RECORD_TAGS_V2 11 /* and the lifecycle fields: version 2 */
#define RECORD_SALT 0x0C  /* a directory record's, after 0x0B (FORMAT.md 3.1.3) */
static const unsigned char meta_tags[] = { 0x20 };
static const unsigned char index_tags[] = { 0x30 };

struct walk {
	int ok;        /* a well-formed stream with exactly the known mandatory tags */
	int canonical; /* ...in the encoder's order and nothing else */
};

static int known(unsigned char tag, const unsigned char *tags, size_t ntags)
{
	return memchr(tags, tag, ntags) != NULL;
}

/* salt: whether RECORD_SALT may appear (once, not mandatory; in order
 * right after the version 2 fields). */
static struct walk walk_tlv(const uint8_t *p, size_t len, unsigned char version,
			   const unsigned char *tags, size_t ntags, int salt)
{
	struct walk w = { 0, 0 };
	unsigned char seen[256];
	size_t pos = 1, n, order = 0, mandatory = 0;
	int in_order = 1;

	if (len < 1 || p[0] != version)
		return w;
	memset(seen, 0, sizeof(seen));
	while (pos < len) {
		if (len - pos < 3)
			return w;
		n = ((size_t)p[pos + 1] << 8) | p[pos + 2];
		if (n > len - pos - 3 || seen[p[pos]])
			return w;
		seen[p[pos]] = 1;
		if (salt && p[pos] == RECORD_SALT) {
			if (order != RECORD_TAGS_V2)
				in_order = 0;
		} else if (known(p[pos], tags, ntags)) {
			mandatory++;
			if (order >= ntags || p[pos] != tags[order])
				in_order = 0;
			order++;
		} else if ((p[pos] & TAG_OPTIONAL) == 0) {
			return w;
		} else {
			in_order = 0;
		}
		pos += 3 + n;
	}
	w.ok = mandatory == ntags;
	w.canonical = w.ok && in_order;
	return w;
}

static void check_record(const uint8_t *data, size_t size)
{
	static struct apk_record r, again;
	static unsigned char buf[APK_RECORD_MAX];
	size_t len = 0;
	struct walk w1 = walk_tlv(data, size, APK_RECORD_VERSION_1, record_tags, RECORD_TAGS_V1, 0);
	struct walk w2 = walk_tlv(data, size, APK_RECORD_VERSION_2, record_tags, RECORD_TAGS_V2, 1);
	struct walk w3 = walk_tlv(data, size, APK_RECORD_VERSION, record_tags, sizeof(record_tags), 1);
	struct walk w = size > 0 && data[0] == APK_RECORD_VERSION_1 ? w1
			: size > 0 && data[0] == APK_RECORD_VERSION_2 ? w2 : w3;

	if (apk_record_decode(data, size, &r) != APK_OK) {
		FUZZ_CHECK(fuzz_all_zero(&r, sizeof(r)), "rejected record leaves the output zeroed");
		return;
	}
	FUZZ_CHECK(w.ok, "accepted record is a well-formed TLV stream with every field");
	FUZZ_CHECK(apk_id_valid(r.id) && apk_user_valid(r.owner) && apk_name_valid(r.name) &&
		   apk_desc_stored_valid(r.description) && r.created >= 0 && r.uid != 0xFFFFFFFFu,
		   "accepted record has valid fields");
	FUZZ_CHECK(r.expires >= 0 && r.expires <= APK_WHEN_LAST && apk_services_canonical(&r.services) &&
		   apk_networks_canonical(&r.networks), "accepted record has valid lifecycle fields");
	if (data[0] == APK_RECORD_VERSION_1)
		FUZZ_CHECK(r.expires == 0 && !r.disabled && r.services.n == 0 && r.networks.n == 0,
			   "a version 1 record has no restriction");
	FUZZ_CHECK(apk_record_encode(&r, buf, sizeof(buf), &len) == APK_OK, "accepted record re-encodes");
	FUZZ_CHECK(buf[0] == APK_RECORD_VERSION, "a record is written in the current version");
	if (data[0] != APK_RECORD_VERSION)
		FUZZ_CHECK(r.hosts.n == 0, "a record before version 3 is for every host");
	/* a version 1 record gains its four lifecycle fields, empty: 3 + 8, 3 + 1, 3, 3
	 * bytes; one before version 3 an empty host list, 3 bytes */
	FUZZ_CHECK(len <= size + (data[0] == APK_RECORD_VERSION_1 ? 21 : 0) +
				 (data[0] != APK_RECORD_VERSION ? 3 : 0),
		   "re-encoding is no longer than the input");
	FUZZ_CHECK(apk_record_decode(buf, len, &again) == APK_OK &&
		   memcmp(&r, &again, sizeof(r)) == 0, "re-encoded record decodes identically");
	if (w.canonical && data[0] == APK_RECORD_VERSION)
		FUZZ_CHECK(len == size && memcmp(buf, data, size) == 0,
			   "canonical record round-trips byte for byte");
}

static void check_meta(const uint8_t *data, size_t size)
{
	struct apk_meta m, again;
	unsigned char buf[APK_RECORD_MAX];
	size_t len = 0;
	struct walk w = walk_tlv(data, size, APK_FORMAT_VERSION, meta_tags, sizeof(meta_tags), 0);

	if (apk_meta_decode(data, size, &m) != APK_OK) {
		FUZZ_CHECK(fuzz_all_zero(&m, sizeof(m)), "rejected meta leaves the output zeroed");
		return;
	}
	FUZZ_CHECK(w.ok, "accepted meta is a well-formed TLV stream with the hash key");
	FUZZ_CHECK(apk_meta_encode(&m, buf, sizeof(buf), &len) == APK_OK, "accepted meta re-encodes");
	FUZZ_CHECK(len <= size, "re-encoding is no longer than the input");
	FUZZ_CHECK(apk_meta_decode(buf, len, &again) == APK_OK && memcmp(&m, &again, sizeof(m)) == 0,
		   "re-encoded meta decodes identically");
	if (w.canonical)
		FUZZ_CHECK(len == size && memcmp(buf, data, size) == 0,
			   "canonical meta round-trips byte for byte");
}

static void check_index(const uint8_t *data, size_t size)
{
	static struct apk_index ix, again;
	static unsigned char buf[APK_INDEX_MAX];
	size_t len = 0, i, j;
	struct walk w = walk_tlv(data, size, APK_FORMAT_VERSION, index_tags, sizeof(index_tags), 0);

	if (apk_index_decode(data, size, &ix) != APK_OK) {
		FUZZ_CHECK(fuzz_all_zero(&ix, sizeof(ix)), "rejected index leaves the output zeroed");
		return;
	}
	FUZZ_CHECK(w.ok, "accepted index is a well-formed TLV stream with the ids");
	FUZZ_CHECK(ix.n <= APK_MAX_INDEX_IDS, "accepted index holds at most the maximum ids");
	for (i = 0; i < ix.n; i++) {
		FUZZ_CHECK(apk_id_valid(ix.ids[i]), "accepted index holds valid ids");
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(ix.ids[i], ix.ids[j]) != 0, "accepted index has no duplicate");
	}
	FUZZ_CHECK(apk_index_encode(&ix, buf, sizeof(buf), &len) == APK_OK, "accepted index re-encodes");
	FUZZ_CHECK(len <= size, "re-encoding is no longer than the input");
	FUZZ_CHECK(apk_index_decode(buf, len, &again) == APK_OK && memcmp(&ix, &again, sizeof(ix)) == 0,
		   "re-encoded index decodes identically");
	if (w.canonical)
		FUZZ_CHECK(len == size && memcmp(buf, data, size) == 0,
			   "canonical index round-trips byte for byte");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_record(data, size);
	check_meta(data, size);
	check_index(data, size);
	return 0;
}
