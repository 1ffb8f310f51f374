/* record.h - the versioned encoding of what the database holds (see FORMAT.md)
 *
 * Every value starts with a format version byte, then TLV fields:
 * tag (1 byte), length (2 bytes, big-endian), value. A tag with the high
 * bit set is optional and skipped when unknown; an unknown tag without it
 * makes the whole value invalid, so a later field that restricts a key
 * (an expiry, say) can never be ignored by an older reader.
 * Decoders validate every field; nothing read from the file is trusted.
 */
#ifndef APK_RECORD_H
#define APK_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apk_error.h"
#include "fleet_digest.h"
#include "hosts.h"
#include "keyfmt.h"
#include "networks.h"
#include "services.h"
#include "validate.h"

/* Version bytes: meta and index values are version 1; a key record is
 * version 1 (written by 0.1.0: no lifecycle fields, read as a key without
 * restrictions), version 2 (every lifecycle field present, no host list:
 * every host) or version 3 (the host list too), and apk_record_encode
 * always writes version 3. */
#define APK_FORMAT_VERSION 1
#define APK_RECORD_VERSION_1 1
#define APK_RECORD_VERSION_2 2
#define APK_RECORD_VERSION 3 /* the version apk_record_encode writes */
#define APK_RECORD_MAX 4096
#define APK_INDEX_MAX (1 + 3 + APK_MAX_INDEX_IDS * APK_ID_LEN)
#define APK_MAX_INDEX_IDS 1000 /* decoder bound, above any configured key limit */

/* What a record's digest was made under (FORMAT.md 3.1.3). */
enum apk_digest_kind {
	APK_DIGEST_LOCAL = 0,  /* the local digest under its file's hash key (FORMAT.md 2) */
	APK_DIGEST_DIRECTORY,  /* a directory entry's {APK1} digest under salt (FORMAT.md 6.3) */
};

/* One key as stored. No secret: only its keyed digest. */
struct apk_record {
	char id[APK_ID_LEN + 1];
	uint32_t uid;                        /* owner's uid at creation */
	char owner[APK_USER_MAX + 1];        /* owner's login name at creation */
	char name[APK_NAME_MAX + 1];
	char description[APK_DESC_MAX_BYTES + 1];
	int64_t created;                     /* seconds since the epoch, UTC */
	unsigned char digest[APK_DIGEST_BYTES];
	/* The lifecycle fields (version 2; a version 1 record has them all
	 * zero: no restriction). */
	int64_t expires;                     /* 0: never; else 1..APK_WHEN_LAST */
	bool disabled;
	struct apk_services services;        /* canonical; empty: every service */
	struct apk_networks networks;        /* canonical; empty: anywhere */
	struct apk_hosts hosts;              /* canonical; empty: every host (version 3) */
	/* A key of the directory, mirrored (mirror.h): the salt its digest was
	 * made under; all zero for a local key. */
	enum apk_digest_kind kind;
	unsigned char salt[APK_FLEET_SALT_BYTES];
};

/* The database header: format version and the keyed-hash key. */
struct apk_meta {
	unsigned char hashkey[APK_HASHKEY_BYTES];
};

/* The per-account index: the ids of the account's keys, in creation order. */
struct apk_index {
	size_t n;
	char ids[APK_MAX_INDEX_IDS][APK_ID_LEN + 1];
};

/* Encoders write into buf (size bufsz) and set *len; APK_ERR_INVALID if a
 * field fails validation or does not fit. */
enum apk_err apk_record_encode(const struct apk_record *r, unsigned char *buf, size_t bufsz, size_t *len);
enum apk_err apk_meta_encode(const struct apk_meta *m, unsigned char *buf, size_t bufsz, size_t *len);
enum apk_err apk_index_encode(const struct apk_index *ix, unsigned char *buf, size_t bufsz, size_t *len);

/* Decoders: APK_ERR_CORRUPT for anything malformed, truncated, oversized,
 * of another version, missing a mandatory field or failing validation. */
enum apk_err apk_record_decode(const unsigned char *buf, size_t len, struct apk_record *r);
enum apk_err apk_meta_decode(const unsigned char *buf, size_t len, struct apk_meta *m);
enum apk_err apk_index_decode(const unsigned char *buf, size_t len, struct apk_index *ix);

#endif
