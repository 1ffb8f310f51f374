/* hostile_tool.c - a helper the hostile-use tests run (not a test itself)
 *
 *   hostile_tool noargv PROG [ENV...]     execve PROG with an empty argv
 *                                         (argc 0) and ENV as environment
 *   hostile_tool craft DIR UID ID MODE    rewrite record ID in account UID's
 *                                         file of database DIR (a private
 *                                         copy) by hand, bypassing the
 *                                         encoder's checks; MODE below
 *   hostile_tool verify DIR USER TOKEN    apk_verify; prints the outcome,
 *                                         exit 0 only when it is APK_OK
 *   hostile_tool hold FILE SECONDS        flock FILE (must exist), print
 *                                         "locked", sleep, exit
 *   hostile_tool used DIR UID ID TIME SERVICE RHOST
 *                                         record a login of key ID as the
 *                                         module does (apk_lastused_record;
 *                                         RHOST "-": unset); exit 0 when
 *                                         recorded
 *
 * craft writes the record's fields itself (FORMAT.md section 3.1) from the
 * record as it is, with one change:
 *   same            nothing changed (proves the hand encoding is right)
 *   name-esc        name with ESC [ 2 J
 *   name-nul        name with an embedded NUL byte
 *   desc-nl         description with a newline
 *   desc-esc        description with an OSC title sequence
 *   desc-bidi       description with U+202E
 *   desc-invisible  description with U+200B and a tag character, as 0.2.0
 *                   could store it
 *   desc-badutf8    description with a 0xFF byte
 *   owner-nl        owner name followed by a newline
 *   digest-empty    digest field of length 0
 *   digest-prefix   only the first 16 bytes of the right digest
 *   digest-short    the first 31 bytes
 *   digest-long     the right digest and one byte more
 *   digest-missing  no digest field
 *   digest-twice    a wrong digest, then the right one (a repeated tag)
 *   digest-zero     32 zero bytes
 *   digest-ff       32 0xff bytes
 *   critical-tag    an unknown critical field (tag 0x7e) added
 *   id-other        the id field names another id than the gdbm key
 *   uid-other       the uid field names another account than the file's
 *   trailing-byte   one byte after the last field
 *   name=WORD       name WORD, unchecked: a database written before names
 *                   and ids were kept apart may name a key with an id
 */
#include <errno.h>
#include <fcntl.h>
#include <gdbm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "keyfmt.h"
#include "lastused.h"
#include "record.h"
#include "store.h"
#include "test_db.h"
#include "verify.h"

struct buf {
	unsigned char b[4096];
	size_t n;
};

static void put_tlv(struct buf *o, unsigned tag, const void *v, size_t n)
{
	if (o->n + 3 + n > sizeof(o->b)) {
		fprintf(stderr, "hostile_tool: record too long\n");
		exit(2);
	}
	o->b[o->n++] = (unsigned char)tag;
	o->b[o->n++] = (unsigned char)(n >> 8);
	o->b[o->n++] = (unsigned char)n;
	if (n > 0)
		memcpy(o->b + o->n, v, n);
	o->n += n;
}

static void put_str(struct buf *o, unsigned tag, const char *s)
{
	put_tlv(o, tag, s, strlen(s));
}

static void put_be(struct buf *o, unsigned tag, uint64_t v, size_t width)
{
	unsigned char b[8];
	size_t i;

	for (i = 0; i < width; i++)
		b[i] = (unsigned char)(v >> (8 * (width - 1 - i)));
	put_tlv(o, tag, b, width);
}

static int craft(const char *db, const char *uidstr, const char *id, const char *mode)
{
	struct apk_meta meta;
	struct apk_record r;
	struct buf o;
	unsigned char dig[APK_DIGEST_BYTES + 1];
	char s[APK_DESC_MAX_BYTES + 64], key[1 + APK_ID_LEN], file[4096];
	uint32_t uid = (uint32_t)strtoul(uidstr, NULL, 10);
	const char *idf = id;
	size_t diglen = APK_DIGEST_BYTES;
	int twice = 0, nodigest = 0, critical = 0, trailing = 0, namelen = -1;
	enum apk_err err;
	GDBM_FILE g;
	datum k, v;

	if ((err = apk_store_fetch(db, uid, id, &meta, &r)) != APK_OK) {
		fprintf(stderr, "hostile_tool: %s: record %s: %s\n", db, id, apk_strerror(err));
		return 1;
	}
	memset(&meta, 0, sizeof(meta));
	memcpy(dig, r.digest, APK_DIGEST_BYTES);
	dig[APK_DIGEST_BYTES] = 0x42;

	if (strcmp(mode, "same") == 0) {
	} else if (strcmp(mode, "name-esc") == 0) {
		snprintf(r.name, sizeof(r.name), "evil\033[2Jname");
	} else if (strcmp(mode, "name-nul") == 0) {
		memcpy(r.name, "ab\0cd", 6);
		namelen = 5;
	} else if (strcmp(mode, "desc-nl") == 0) {
		snprintf(r.description, sizeof(r.description), "line one\nline two");
	} else if (strcmp(mode, "desc-esc") == 0) {
		snprintf(r.description, sizeof(r.description), "x\033]0;pwned\007y");
	} else if (strcmp(mode, "desc-bidi") == 0) {
		snprintf(r.description, sizeof(r.description), "abc\342\200\256def");
	} else if (strcmp(mode, "desc-invisible") == 0) {
		snprintf(r.description, sizeof(r.description), "a\342\200\213b\363\240\201\241");
	} else if (strcmp(mode, "desc-badutf8") == 0) {
		snprintf(r.description, sizeof(r.description), "a\377b");
	} else if (strcmp(mode, "owner-nl") == 0) {
		snprintf(s, sizeof(s), "%s\n", r.owner);
		snprintf(r.owner, sizeof(r.owner), "%s", s);
	} else if (strcmp(mode, "digest-empty") == 0) {
		diglen = 0;
	} else if (strcmp(mode, "digest-prefix") == 0) {
		diglen = 16;
	} else if (strcmp(mode, "digest-short") == 0) {
		diglen = APK_DIGEST_BYTES - 1;
	} else if (strcmp(mode, "digest-long") == 0) {
		diglen = APK_DIGEST_BYTES + 1;
	} else if (strcmp(mode, "digest-missing") == 0) {
		nodigest = 1;
	} else if (strcmp(mode, "digest-twice") == 0) {
		twice = 1;
	} else if (strcmp(mode, "digest-zero") == 0) {
		memset(dig, 0, APK_DIGEST_BYTES);
	} else if (strcmp(mode, "digest-ff") == 0) {
		memset(dig, 0xff, APK_DIGEST_BYTES);
	} else if (strcmp(mode, "critical-tag") == 0) {
		critical = 1;
	} else if (strcmp(mode, "id-other") == 0) {
		idf = strcmp(id, "AAAAAAAAAAAA") != 0 ? "AAAAAAAAAAAA" : "BBBBBBBBBBBB";
	} else if (strcmp(mode, "uid-other") == 0) {
		r.uid++;
	} else if (strcmp(mode, "trailing-byte") == 0) {
		trailing = 1;
	} else if (strncmp(mode, "name=", 5) == 0) {
		snprintf(r.name, sizeof(r.name), "%s", mode + 5);
	} else {
		fprintf(stderr, "hostile_tool: unknown craft mode %s\n", mode);
		return 2;
	}

	o.n = 0;
	o.b[o.n++] = APK_FORMAT_VERSION;
	put_tlv(&o, 0x01, idf, APK_ID_LEN);
	put_be(&o, 0x02, r.uid, 4);
	put_str(&o, 0x03, r.owner);
	if (namelen >= 0)
		put_tlv(&o, 0x04, r.name, (size_t)namelen);
	else
		put_str(&o, 0x04, r.name);
	put_str(&o, 0x05, r.description);
	put_be(&o, 0x06, (uint64_t)r.created, 8);
	if (twice) {
		unsigned char wrong[APK_DIGEST_BYTES];

		memcpy(wrong, dig, sizeof(wrong));
		wrong[0] ^= 0x80;
		put_tlv(&o, 0x07, wrong, sizeof(wrong));
	}
	if (!nodigest)
		put_tlv(&o, 0x07, dig, diglen);
	if (critical)
		put_tlv(&o, 0x7e, "x", 1);
	if (trailing)
		o.b[o.n++] = 0;

	snprintf(file, sizeof(file), "%s/u%u", db, (unsigned)uid);
	g = gdbm_open(file, 0, GDBM_WRITER | GDBM_NOLOCK, 0600, NULL);
	if (g == NULL) {
		fprintf(stderr, "hostile_tool: gdbm_open %s: %s\n", file, gdbm_strerror(gdbm_errno));
		return 1;
	}
	key[0] = 'k';
	memcpy(key + 1, id, APK_ID_LEN);
	k.dptr = key;
	k.dsize = (int)sizeof(key);
	v.dptr = (char *)o.b;
	v.dsize = (int)o.n;
	if (gdbm_store(g, k, v, GDBM_REPLACE) != 0 || gdbm_close(g) != 0) {
		fprintf(stderr, "hostile_tool: gdbm_store: %s\n", gdbm_strerror(gdbm_errno));
		return 1;
	}
	return 0;
}

static int verify(const char *db, const char *user, const char *token)
{
	struct apk_record r;
	enum apk_err err;

	if (apk_crypto_init() != APK_OK)
		return 2;
	err = test_verify(db, user, token, strlen(token), &r);
	printf("%s\n", apk_strerror(err));
	return err == APK_OK ? 0 : 1;
}

static int hold(const char *path, const char *secs)
{
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		fprintf(stderr, "hostile_tool: lock %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("locked\n");
	fflush(stdout);
	sleep((unsigned)atoi(secs));
	return 0;
}

static int used(char **argv)
{
	enum apk_err err;

	err = apk_lastused_record(argv[0], (uint32_t)strtoul(argv[1], NULL, 10), argv[2],
				  (int64_t)strtoll(argv[3], NULL, 10), argv[4],
				  strcmp(argv[5], "-") == 0 ? NULL : argv[5]);
	printf("%s\n", apk_strerror(err));
	return err == APK_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "noargv") == 0) {
		char *empty[] = { NULL };

		execve(argv[2], empty, argv + 3);
		fprintf(stderr, "hostile_tool: execve %s: %s\n", argv[2], strerror(errno));
		return 127;
	}
	if (argc == 6 && strcmp(argv[1], "craft") == 0)
		return craft(argv[2], argv[3], argv[4], argv[5]);
	if (argc == 5 && strcmp(argv[1], "verify") == 0)
		return verify(argv[2], argv[3], argv[4]);
	if (argc == 4 && strcmp(argv[1], "hold") == 0)
		return hold(argv[2], argv[3]);
	if (argc == 8 && strcmp(argv[1], "used") == 0)
		return used(argv + 2);
	fprintf(stderr, "usage: hostile_tool noargv|craft|verify|hold|used ...\n");
	return 2;
}
