/* gen_corpus.c - writes the seed corpus: a few valid and almost valid inputs
 * per fuzz target, in the input layout each target documents.
 *
 *   gen_corpus DIR     writes DIR/TARGET/seed-NAME files
 *
 * Seeds are deterministic but for the one database image built through the
 * store (its hash key is random). `make fuzz-corpus` runs this, then a short
 * fuzzing run, then libFuzzer's merge to keep only inputs adding coverage. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "keyring.h"
#include "lastused_format.h"
#include "store.h"
#include "verify_proto.h"

static const char *outdir;
static struct fixture F;

static void put(const char *target, const char *name, const void *data, size_t len)
{
	char path[PATH_MAX];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/seed-%s", outdir, target, name);
	if ((fp = fopen(path, "wb")) == NULL || fwrite(data, 1, len, fp) != len || fclose(fp) != 0) {
		perror(path);
		exit(1);
	}
}

static void puts_seed(const char *target, const char *name, const char *s)
{
	put(target, name, s, strlen(s));
}

/* ---- keyparse ------------------------------------------------------------ */

static void keyparse(void)
{
	char t[APK_KEY_LEN + 8];
	unsigned char synth[44];
	size_t i;

	puts_seed("keyparse", "k0", F.token[0]);
	puts_seed("keyparse", "k1", F.token[1]);
	puts_seed("keyparse", "k2", F.token[2]);
	puts_seed("keyparse", "prefix-only", "apk_");
	put("keyparse", "empty", "", 0);
	memcpy(t, F.token[0], APK_KEY_LEN + 1);
	put("keyparse", "short", t, APK_KEY_LEN - 1);
	t[APK_KEY_LEN] = 'A';
	put("keyparse", "long", t, APK_KEY_LEN + 1);
	t[APK_KEY_LEN] = '\n';
	put("keyparse", "newline", t, APK_KEY_LEN + 1);
	memcpy(t, F.token[0], APK_KEY_LEN + 1);
	t[30] = '\0';
	put("keyparse", "nul", t, APK_KEY_LEN);
	memcpy(t, F.token[0], APK_KEY_LEN + 1);
	t[0] = 'A', t[1] = 'P', t[2] = 'K';
	puts_seed("keyparse", "upper-prefix", t);
	memcpy(t, F.token[0], APK_KEY_LEN + 1);
	t[20] = '+', t[21] = '/';
	puts_seed("keyparse", "std-base64", t);
	memcpy(t, F.token[0], APK_KEY_LEN + 1);
	t[APK_KEY_LEN - 1] = t[APK_KEY_LEN - 1] == 'A' ? 'B' : 'A';
	puts_seed("keyparse", "bad-check", t);
	for (i = 0; i < sizeof(synth); i++)
		synth[i] = (unsigned char)(i * 37 + 11);
	put("keyparse", "synth", synth, sizeof(synth));
}

/* ---- record -------------------------------------------------------------- */

/* K0's record with every restriction (version 2), and as 0.1.0 wrote it:
 * version 1, without the four lifecycle fields the encoder writes last
 * (empty: 21 bytes). */
static void record_lifecycle(void)
{
	static const char *services = "sudo,sshd", *networks = "192.0.2.0/24,2001:db8::/32";
	static struct apk_record r;
	unsigned char b[FIX_VALUE_MAX];
	size_t n;

	if (apk_record_decode(F.record, F.record_len, &r) != APK_OK)
		exit(1);
	r.expires = 1798761600; /* 2027-01-01 */
	r.disabled = true;
	if (apk_services_parse(&services, 1, &r.services, NULL, 0) != APK_OK ||
	    apk_networks_parse(&networks, 1, &r.networks, NULL, 0) != APK_OK ||
	    apk_record_encode(&r, b, sizeof(b), &n) != APK_OK)
		exit(1);
	put("record", "record-restricted", b, n);
	memcpy(b, F.record, F.record_len);
	b[0] = APK_RECORD_VERSION_1;
	put("record", "record-v1", b, F.record_len - 21);
}

static void record(void)
{
	unsigned char b[FIX_VALUE_MAX + 64];
	size_t n;

	put("record", "record", F.record, F.record_len);
	put("record", "meta", F.meta, F.meta_len);
	put("record", "index", F.index, F.index_len);
	/* An optional field the decoder must skip. */
	memcpy(b, F.record, F.record_len);
	n = F.record_len;
	b[n++] = 0x81, b[n++] = 0, b[n++] = 2, b[n++] = 'h', b[n++] = 'i';
	put("record", "record-optional", b, n);
	/* An unknown critical field. */
	b[F.record_len] = 0x08;
	put("record", "record-critical", b, n);
	/* The digest field cut off. */
	put("record", "record-truncated", F.record, F.record_len - 5);
	/* A version after the encoder's. */
	memcpy(b, F.record, F.record_len);
	b[0] = APK_RECORD_VERSION + 1;
	put("record", "record-v3", b, F.record_len);
	/* Two ids, then the same id twice. */
	memcpy(b, F.index, F.index_len);
	b[2] = 24;
	memcpy(b + F.index_len, F.token[2] + APK_KEY_PREFIX_LEN, APK_ID_LEN);
	put("record", "index-two", b, F.index_len + APK_ID_LEN);
	memcpy(b + F.index_len, F.index + 4, APK_ID_LEN);
	put("record", "index-dup", b, F.index_len + APK_ID_LEN);
	put("record", "index-empty", "\x01\x30\x00\x00", 4);
	put("record", "meta-short", F.meta, F.meta_len - 1);
	record_lifecycle();
}

/* ---- validate ------------------------------------------------------------ */

static void validate(void)
{
	static const struct {
		const char *name, *s;
	} v[] = {
		{ "name", "\x50key-1" },
		{ "name-chars", "\x50" "a.b_c-D9" },
		{ "name-long", "\x50" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
		{ "user-machine", "\x50host$" },
		{ "user-dash", "\x50-root" },
		{ "desc-utf8", "\x50\xc3\xbc" "n\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 \"quotes\"" },
		{ "desc-emoji", "\x50\xf0\x9f\x94\x91 key" },
		{ "desc-rlo", "\x50" "abc\xe2\x80\xae" "def" },
		{ "desc-lsep", "\x50" "a\xe2\x80\xa8" "b" },
		{ "desc-c1", "\x50" "a\xc2\x85" "b" },
		{ "desc-zwsp", "\x50" "a\xe2\x80\x8b" "b\xe2\x80\x8d" },
		{ "desc-wj-bom", "\x50\xe2\x81\xa0" "a\xe2\x81\xa4\xef\xbb\xbf" },
		{ "desc-tags", "\x50" "a\xf3\xa0\x80\x81\xf3\xa0\x81\xbf" },
		{ "desc-vs-shy", "\x50\xe2\x9d\xa4\xef\xb8\x8f\xc2\xad\xf3\xa0\x84\x80" },
		{ "desc-esc", "\x50" "a\x1b[31mred" },
		{ "desc-newline", "\x50line1\nline2\r\t" },
		{ "overlong", "\x50\xc0\x80\xe0\x80\xaf" },
		{ "surrogate", "\x50\xed\xa0\x80" },
		{ "above-max", "\x50\xf4\x90\x80\x80" },
		{ "truncated-seq", "\x50" "ab\xe2\x82" },
		{ "backslash", "\x50" "a\\x41\\" },
		{ "del", "\x50" "a\x7f" },
		{ "tiny-out", "\x05\xe2\x80\xae\xc3\xbc" },
		{ "one-byte-out", "\x01" "abc" },
		{ "cut-utf8", "\x04" "ab\xc3\xbc" },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		puts_seed("validate", v[i].name, v[i].s);
	put("validate", "zero-out", "\x00" "abc", 4);
}

/* ---- when and lists --------------------------------------------------------- */

/* when: now 2026-01-01T00:00:00Z and max_days (big-endian) before the text. */
static void when(void)
{
	static const struct {
		const char *name, *text;
		unsigned max_days;
	} w[] = {
		{ "never", "never", 0 }, { "never-limited", "never", 30 }, { "days", "90d", 0 },
		{ "weeks-limited", "5w", 30 }, { "seconds", "30s", 0 }, { "date", "2027-03-01", 0 },
		{ "time", "2026-06-30T12:34:56Z", 365 }, { "leap", "2028-02-29", 0 },
		{ "past", "2025-12-31", 0 }, { "overflow", "99999999999999999999w", 0 },
	};
	unsigned char b[64] = { 0, 0, 0, 0, 0x69, 0x55, 0xb9, 0x00 };
	size_t i, n;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		b[8] = (unsigned char)(w[i].max_days >> 24), b[9] = (unsigned char)(w[i].max_days >> 16);
		b[10] = (unsigned char)(w[i].max_days >> 8), b[11] = (unsigned char)w[i].max_days;
		n = strlen(w[i].text);
		memcpy(b + 12, w[i].text, n);
		put("when", w[i].name, b, 12 + n);
	}
}

/* lists: option values separated by newlines, the last also a PAM_RHOST. */
static void lists(void)
{
	puts_seed("lists", "services", "sshd,sudo\nlogin\nSSHD");
	puts_seed("lists", "all", "all");
	puts_seed("lists", "v4", "192.0.2.0/24,10.1.2.3\n192.0.2.77");
	puts_seed("lists", "v6", "2001:db8::/32,::1\n2001:db8::5");
	puts_seed("lists", "mapped", "::ffff:192.0.2.0/120\n::ffff:192.0.2.9");
	puts_seed("lists", "host-bits", "192.0.2.1/24");
	puts_seed("lists", "any-mixed", "any,10.0.0.0/8");
	puts_seed("lists", "hostname", "0.0.0.0/0,::/0\nhost.example.com");
}

/* conffile: pam_apikey.conf text. */
static void conffile(void)
{
	puts_seed("conffile", "all", "# limits\nmax_keys = 20\nmax_lifetime = 365\n"
		  "default_lifetime = 90\nservices = sshd, sudo\n");
	puts_seed("conffile", "never", "default_lifetime = never\nservices = all");
	puts_seed("conffile", "beyond", "max_lifetime = 30\ndefault_lifetime = 31\n");
	puts_seed("conffile", "twice", "max_keys = 1\nmax_keys = 2\n");
	puts_seed("conffile", "crlf", "max_keys = 5\r\n");
}

/* ---- args ---------------------------------------------------------------- */

static void args(void)
{
	static const struct {
		const char *name;
		const char *line; /* arguments separated by '|' */
		unsigned char flags;
	} v[] = {
		{ "generate", "generate", 0 },
		{ "generate-all", "generate|--name|k1|--description|some text|-q", 0 },
		{ "generate-inline", "--name=k1|generate|--description=x y", 0 },
		{ "list-json", "list|--json", 0 },
		{ "rename", "rename|old|new", 0 },
		{ "describe", "describe|k|text", 0 },
		{ "delete", "delete|a|b|--yes", 0 },
		{ "delete-dashdash", "delete|--|-x|--yes", 0 },
		{ "user", "--user|root|list", 0 },
		{ "user-after", "list|-u|daemon", 0 },
		{ "help", "--help|list", 0 },
		{ "version", "-V", 0 },
		{ "twice", "generate|--name|a|--name|b", 0 },
		{ "unknown", "frobnicate|--bogus", 0 },
		{ "no-value", "generate|--name", 0 },
		{ "json-elsewhere", "rename|a|b|--json", 0 },
		{ "bundled", "-qj|generate", 0 },
		{ "long-arg", "generate|--name", 1 },
		{ "too-long-arg", "generate|--name", 3 },
	};
	char buf[512];
	size_t i, n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		buf[0] = (char)200;
		buf[1] = (char)v[i].flags;
		n = strlen(v[i].line);
		memcpy(buf + 2, v[i].line, n);
		for (size_t j = 2; j < n + 2; j++)
			if (buf[j] == '|')
				buf[j] = '\0';
		put("args", v[i].name, buf, n + 2);
	}
	/* delete with 101 operands: one too many */
	n = 0;
	buf[n++] = 40, buf[n++] = 0;
	memcpy(buf + n, "delete", 7);
	n += 7;
	for (i = 0; i < 101; i++) {
		buf[n++] = 'x';
		buf[n++] = '\0';
	}
	put("args", "too-many", buf, n - 1);
}

/* ---- pam ------------------------------------------------------------------ */

static size_t read_file(const char *path, unsigned char *buf, size_t bufsz)
{
	FILE *fp = fopen(path, "rb");
	size_t n;

	if (fp == NULL) {
		perror(path);
		exit(1);
	}
	n = fread(buf, 1, bufsz, fp);
	fclose(fp);
	return n;
}

/* An entry for the gdbm-entries mode. */
static size_t entry(unsigned char *out, unsigned kind, const unsigned char *v, size_t vlen)
{
	out[0] = (unsigned char)kind;
	out[1] = (unsigned char)(vlen >> 8);
	out[2] = (unsigned char)vlen;
	memcpy(out + 3, v, vlen);
	return 3 + vlen;
}

/* Whole-file and patch seeds from the template and from the store. */
static void pam_images(void)
{
	static unsigned char img[2 + 65536];
	char dir[] = "/tmp/apk-corpus-XXXXXX", path[PATH_MAX], cmd[PATH_MAX + 16];
	char token[APK_KEY_LEN + 1];
	struct apk_account acct;
	struct apk_store_change *ch;
	struct apk_keyring kr;
	size_t n;
	const unsigned char *d0;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	if (fixture_write_template(&F, dir) != 0) {
		fprintf(stderr, "gen_corpus: cannot write the template\n");
		exit(1);
	}
	/* The account's file whole (raw mode), cut short, and patched in K0's digest. */
	if (fixture_account_file(path, sizeof(path), dir, F.uid) != 0) {
		fprintf(stderr, "gen_corpus: path too long\n");
		exit(1);
	}
	img[0] = 0x20, img[1] = 0;
	n = read_file(path, img + 2, sizeof(img) - 2);
	put("pam", "raw-template", img, 2 + n);
	put("pam", "raw-truncated", img, 2 + n / 2);
	d0 = memmem(img + 2, n, F.d0, sizeof(F.d0));
	if (d0 != NULL) {
		size_t off = (size_t)(d0 - (img + 2)) + 5;
		unsigned char p[] = { 0x10, 0, (unsigned char)(off >> 8), (unsigned char)off, 1, 0x00 };
		put("pam", "patch-digest", p, sizeof(p));
	}
	/* The same file as daemon's, and the decoy with K0's record in it. */
	img[1] = 2;
	put("pam", "raw-as-other", img, 2 + n);
	img[1] = 1;
	put("pam", "raw-as-decoy", img, 2 + n);
	/* An account's file as the store writes it, with one random key. */
	acct.uid = F.uid;
	snprintf(acct.name, sizeof(acct.name), "%s", F.user);
	unlink(path);
	if (apk_store_begin(dir, F.uid, 2000, &kr, &ch) != APK_OK ||
	    apk_keyring_generate(&kr, &acct, "stored", "from the store", (int64_t)time(NULL), token,
				 NULL) != APK_OK ||
	    apk_store_save(ch, &kr) != APK_OK) {
		fprintf(stderr, "gen_corpus: cannot build a database through the store\n");
		exit(1);
	}
	apk_keyring_free(&kr);
	img[1] = 0;
	n = read_file(path, img + 2, sizeof(img) - 2);
	put("pam", "raw-store", img, 2 + n);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "gen_corpus: could not remove %s\n", dir);
}

static void pam(void)
{
	static unsigned char b[3 * FIX_VALUE_MAX + 64];
	size_t n;

	put("pam", "k0", "\x00", 1);
	put("pam", "k1", "\x01", 1);
	put("pam", "k2", "\x02", 1);
	put("pam", "k0-daemon", "\x04", 1);
	put("pam", "k0-daemon-nokeys", "\x44", 1);
	put("pam", "k1-nokeys", "\x41", 1);
	/* A fuzzed answer (u16 length): K0 with its last character changed. */
	b[0] = 0x03, b[1] = 0, b[2] = APK_KEY_LEN;
	memcpy(b + 3, F.token[0], APK_KEY_LEN);
	b[2 + APK_KEY_LEN] = b[2 + APK_KEY_LEN] == 'A' ? 'B' : 'A';
	put("pam", "answer-typo", b, 3 + APK_KEY_LEN);
	/* A fuzzed user with a newline, a fuzzed rhost with an escape sequence. */
	put("pam", "user-newline", "\x08\x09root\nfake", 11);
	put("pam", "rhost-escape", "\x80\x06\x1b[2Jxx", 8);
	/* Template patches: the gdbm header of the account's file and the decoy's. */
	put("pam", "patch-header", "\x10\x00\x00\x00\x04\xff\xff\xff\xff", 9);
	put("pam", "patch-blocksize", "\x10\x00\x00\x08\x02\x00\x01", 7);
	put("pam", "patch-decoy", "\x14\x01\x00\x10\x02\x00\x00", 7);
	/* gdbm entries in the account's file: the template's values, then variations. */
	n = 0;
	b[n++] = 0x30, b[n++] = 0;
	n += entry(b + n, 0, F.meta, F.meta_len);
	n += entry(b + n, 1, F.record, F.record_len);
	n += entry(b + n, 2, F.index, F.index_len);
	put("pam", "entries", b, n);
	n = 0;
	b[n++] = 0x30, b[n++] = 0;
	n += entry(b + n, 1, F.record, F.record_len);
	n += entry(b + n, 2, F.index, F.index_len);
	put("pam", "entries-no-meta", b, n);
	n = 0;
	b[n++] = 0x30, b[n++] = 0;
	n += entry(b + n, 0, F.meta, F.meta_len);
	n += entry(b + n, 1, F.record, F.record_len);
	put("pam", "entries-no-index", b, n);
	n = 0;
	b[n++] = 0x34, b[n++] = 2; /* daemon's file holds K0's record; user daemon */
	n += entry(b + n, 0, F.meta, F.meta_len);
	n += entry(b + n, 1, F.record, F.record_len);
	n += entry(b + n, 2, F.index, F.index_len);
	put("pam", "entries-other", b, n);
	n = 0;
	b[n++] = 0x32, b[n++] = 0; /* K2, whose id holds K0's record */
	n += entry(b + n, 0, F.meta, F.meta_len);
	n += entry(b + n, 3, F.record, F.record_len);
	put("pam", "entries-k2-slot", b, n);
	n = 0;
	b[n++] = 0x34, b[n++] = 1; /* the decoy with keys; user daemon */
	n += entry(b + n, 0, F.meta, F.meta_len);
	n += entry(b + n, 1, F.record, F.record_len);
	n += entry(b + n, 2, F.index, F.index_len);
	put("pam", "entries-decoy", b, n);
	pam_images();
}

/* ---- lastused -------------------------------------------------------------- */

/* The layout fuzz_lastused.c documents: flags, uid, slot number, file size,
 * header, directory entry, id, slot, then a login's service length, service
 * and remote host. */
struct lu_seed {
	unsigned char b[366 + 64];
	size_t n;
};

static void lu_be(unsigned char *p, uint64_t v, size_t bytes)
{
	size_t i;

	for (i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
}

/* A file of 8 slots of uid 1000 whose slot 3 is key id's last login
 * through sshd from 192.0.2.7; the same login's texts after it. */
static void lu_valid(struct lu_seed *q, const char *id)
{
	struct apk_lastused lu;

	memset(q, 0, sizeof(*q));
	lu_be(q->b + 1, 1000, 4);
	lu_be(q->b + 5, 3, 4);
	lu_be(q->b + 9, apk_lu_file_size(8), 8);
	apk_lu_header_encode(q->b + 17, 1000, 8);
	apk_lu_entry_encode(q->b + 81, id);
	memcpy(q->b + 97, id, APK_ID_LEN);
	apk_lu_fill(&lu, 1767225600, "sshd", "192.0.2.7");
	apk_lu_slot_encode(q->b + 109, 1000, 3, id, &lu);
	q->b[365] = 4;
	memcpy(q->b + 366, "sshd192.0.2.7", 13);
	q->n = 366 + 13;
}

/* The slot's service or host field (at 24 or 88 in the slot) set to text,
 * raw; flags 1: fuzz_lastused signs it. */
static void lu_text(struct lu_seed *q, size_t at, const char *text, size_t len)
{
	memset(q->b + 109 + at, 0, at == 24 ? 64 : 152);
	memcpy(q->b + 109 + at, text, len);
	q->b[0] = 1;
}

static void lastused(void)
{
	const char *id = F.token[0] + APK_KEY_PREFIX_LEN;
	struct lu_seed q;

	lu_valid(&q, id);
	put("lastused", "valid", q.b, q.n);
	q.b[109 + 30] ^= 1;
	put("lastused", "torn", q.b, q.n);
	lu_valid(&q, id);
	memset(q.b + 81, 0, 16 + 12 + 256);
	put("lastused", "empty-slot", q.b, q.n);
	lu_valid(&q, id);
	lu_text(&q, 24, "\x1b[2J", 4);
	put("lastused", "service-esc", q.b, q.n);
	lu_valid(&q, id);
	lu_text(&q, 88, "192.0.2.7\xe2\x80\x8b", 12);
	memcpy(q.b + 366, "ss\xe2\x80\x8bhd\xf3\xa0\x81\xa1h", 13);
	put("lastused", "rhost-zwsp", q.b, q.n);
	lu_valid(&q, id);
	lu_text(&q, 88, "a\xff\xc0\xaf", 4);
	put("lastused", "rhost-bad-utf8", q.b, q.n);
	lu_valid(&q, id);
	memset(q.b + 109 + 24, 'a', 64);
	q.b[0] = 1;
	put("lastused", "service-unterminated", q.b, q.n);
	lu_valid(&q, id);
	lu_text(&q, 88, "h\0x", 3);
	put("lastused", "rhost-after-nul", q.b, q.n);
	lu_valid(&q, id);
	lu_be(q.b + 9, apk_lu_file_size(8) + 1, 8);
	put("lastused", "header-size", q.b, q.n);
	lu_valid(&q, id);
	apk_lu_header_encode(q.b + 17, 1000, APK_LASTUSED_MAX_SLOTS);
	lu_be(q.b + 9, apk_lu_file_size(APK_LASTUSED_MAX_SLOTS), 8);
	put("lastused", "header-max", q.b, q.n);
}

/* ---- verify_proto: frames as the module and apikeyd make them -------------- */

/* A seed: the selector byte sel, then b (n bytes). */
static void vp_put(const char *name, unsigned char sel, const unsigned char *b, size_t n)
{
	static unsigned char s[1 + APK_VP_REQUEST_MAX];

	s[0] = sel;
	memcpy(s + 1, b, n);
	put("verify_proto", name, s, n + 1);
}

/* An answer to a verify request as apikeyd's handler fills it in. */
static void vp_answer(const char *name, enum apk_vp_status st, enum apk_err err,
		      enum apk_permit permit, int has_keys, const char *id, const char *key_name,
		      int64_t expires)
{
	unsigned char b[APK_VP_ANSWER_MAX];
	struct apk_vp_answer a;
	size_t n;

	memset(&a, 0, sizeof(a));
	a.status = st;
	a.err = err;
	a.permit = permit;
	a.has_keys = has_keys;
	a.expires = expires;
	snprintf(a.id, sizeof(a.id), "%s", id);
	snprintf(a.name, sizeof(a.name), "%s", key_name);
	if (apk_vp_encode_answer(APK_VP_VERIFY, &a, b, sizeof(b), &n) != APK_OK) {
		fprintf(stderr, "gen_corpus: answer %s does not encode\n", name);
		exit(1);
	}
	vp_put(name, 1, b, n);
}

static void vp_request(const char *name, const char *user, const char *svc, const char *rhost,
		       const char *key, bool want_has_keys)
{
	unsigned char b[APK_VP_REQUEST_MAX];
	size_t n;

	if (apk_vp_encode_verify(user, svc, rhost, key, strlen(key), want_has_keys, b, sizeof(b),
				 &n) != APK_OK) {
		fprintf(stderr, "gen_corpus: request %s does not encode\n", name);
		exit(1);
	}
	vp_put(name, 0, b, n);
}

static void verify_proto(void)
{
	const char *status_text = "apikeyd 0.2.0\npid 4242\ndatabase /var/lib/pam_apikey\n"
				  "socket /run/pam_apikey/verify.sock\nverify_uid_min 1000\n"
				  "verify_uid_max 60000\nuptime_seconds 12\nanswered 3\naccepted 1\n";
	char id[APK_ID_LEN + 1], fields[APK_VP_REQUEST_MAX];
	unsigned char b[APK_VP_ANSWER_MAX];
	int n;

	memcpy(id, F.token[0] + APK_KEY_PREFIX_LEN, APK_ID_LEN);
	id[APK_ID_LEN] = '\0';
	/* requests: mod_authnz_pam's and auth_pam's, a bare one, a password */
	vp_request("request-apache", "alice", "apikey-http", "192.0.2.7", F.token[0], true);
	vp_request("request-nginx-v6", "alice", "nginx", "2001:db8::7", F.token[1], true);
	vp_request("request-bare", "bob", NULL, NULL, F.token[2], false);
	vp_request("request-password", "www-data", "apikey-http", "", "correct horse", true);
	vp_request("request-empty-key", "alice", "", NULL, "", false);
	apk_vp_encode_status(b);
	vp_put("request-status", 0, b, APK_VP_HEADER);
	/* answers to a verify request */
	vp_answer("answer-accepted", APK_VP_ANSWERED, APK_OK, APK_PERMIT_OK, -1, id, "web-api",
		  1900000000);
	vp_answer("answer-accepted-never", APK_VP_ANSWERED, APK_OK, APK_PERMIT_OK, -1, id, "ci", 0);
	vp_answer("answer-nomatch", APK_VP_ANSWERED, APK_ERR_NOMATCH, APK_PERMIT_OK, 1, id, "", 0);
	vp_answer("answer-expired", APK_VP_ANSWERED, APK_OK, APK_PERMIT_EXPIRED, -1, id, "", 0);
	vp_answer("answer-service", APK_VP_ANSWERED, APK_OK, APK_PERMIT_SERVICE, -1, id, "", 0);
	vp_answer("answer-nouser", APK_VP_ANSWERED, APK_ERR_NOUSER, APK_PERMIT_OK, 0, "", "", 0);
	vp_answer("answer-badkey", APK_VP_ANSWERED, APK_ERR_BADKEY, APK_PERMIT_OK, -1, "", "", 0);
	vp_answer("answer-peer-refused", APK_VP_PEER_REFUSED, APK_OK, APK_PERMIT_OK, -1, "", "", 0);
	vp_answer("answer-user-refused", APK_VP_USER_REFUSED, APK_OK, APK_PERMIT_OK, -1, "", "", 0);
	vp_answer("answer-bad-request", APK_VP_BAD_REQUEST, APK_OK, APK_PERMIT_OK, -1, "", "", 0);
	/* the answer to a status request */
	n = (int)strlen(status_text);
	b[0] = APK_VP_VERSION;
	b[1] = APK_VP_STATUS;
	b[2] = (unsigned char)((n + 1) >> 8);
	b[3] = (unsigned char)(n + 1);
	b[4] = APK_VP_ANSWERED;
	memcpy(b + 5, status_text, (size_t)n);
	vp_put("answer-status", 2, b, (size_t)n + 5);
	/* fields for the encoder: user, service, rhost, key */
	n = snprintf(fields, sizeof(fields), "alice\xff" "apikey-http\xff" "192.0.2.7\xff%s",
		     F.token[0]);
	vp_put("fields-all", 3 | 4 | 8 | 16, (const unsigned char *)fields, (size_t)n);
	vp_put("fields-no-service", 3 | 8, (const unsigned char *)fields, (size_t)n);
	n = snprintf(fields, sizeof(fields), "root:x\xff\xff\xff%s", F.token[1]);
	vp_put("fields-bad-user", 3 | 4, (const unsigned char *)fields, (size_t)n);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus DIR\n");
		return 2;
	}
	outdir = argv[1];
	if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
		perror(outdir);
		return 1;
	}
	if (fixture_init(&F) != 0) {
		fprintf(stderr, "gen_corpus: cannot build the fixture\n");
		return 1;
	}
	keyparse();
	record();
	validate();
	args();
	pam();
	when();
	lists();
	conffile();
	lastused();
	verify_proto();
	return 0;
}
