/* fuzz_pam.c - pam_sm_authenticate through real libpam, over a fuzzed database
 * and a fuzzed answer
 *
 * The module under test (pam_apikey.so beside this program, built with the
 * same sanitizers) is loaded by libpam from a private service directory
 * (pam_start_confdir); the database is a private 0700 directory holding the
 * template (fixture.h): the running account's file with K0 and the decoy.
 *
 * Input: a flag byte, then the parts it asks for:
 *   bits 0-1  the answer: K0 (the valid key), K1 (K0's id, another secret),
 *             K2 (a well-formed key without record), 3: fuzzed (u16 length)
 *   bits 2-3  PAM_USER: 0, 3 the running account, 1 "daemon" (no file of
 *             its own), 2 fuzzed (u8 length)
 *   bits 4-5  the database: 0 the template as built; otherwise one file of it,
 *             chosen by the next byte (0, 3 the account's file, 1 the decoy,
 *             2 daemon's file), is replaced by
 *               1 its template with patches (u16 offset, u8 length, bytes)...
 *               2 the rest of the input, as the whole file
 *               3 gdbm entries built from the rest of the input:
 *                 (u8 kind [u8 length, key], u16 length, value)...
 *                 kind 0 "m", 1 K0's record, 2 "i", 3 K2's record, 4 raw key
 *   bit 6     the service has nokeys_ignore
 *   bit 7     fuzzed PAM_RHOST (u8 length)
 *
 * Properties:
 *  - the answer is one of the codes the man page lists for these cases;
 *  - PAM_SUCCESS only for exactly K0, and only when the user's file still
 *    holds the fixed hash key, K0's digest and the user's name;
 *  - on the untouched template: PAM_SUCCESS exactly when the answer is K0
 *    and the user the running account;
 *  - every attempt is logged ("accepted key" / "refused key ... rhost"), no
 *    log line holds a control character or the secret part of any key;
 *  - no file descriptor is left open.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <gdbm.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "fixture.h"
#include "fuzz.h"
#include "pam_conv.h"

#define RESP_MAX 1024
#define LOG_LINES 8
#define LOG_LINE_MAX 2048
#define SECRET_OFF (APK_KEY_PREFIX_LEN + APK_ID_LEN)
#define IMG_MAX (1 << 20)

enum { DB_TEMPLATE, DB_PATCHED, DB_RAW, DB_ENTRIES };
enum { FILE_MINE, FILE_DECOY, FILE_OTHER, FILE_MINE2 };
enum { KIND_META, KIND_RECORD_K0, KIND_INDEX, KIND_RECORD_K2, KIND_RAW, KINDS };

static struct fixture F;
static char top[PATH_MAX], dbdir[PATH_MAX], confdir[PATH_MAX], modpath[PATH_MAX];
static char file_mine[PATH_MAX], file_decoy[PATH_MAX], file_other[PATH_MAX];
static unsigned char *tmpl_mine, *tmpl_decoy;
static size_t tmpl_mine_len, tmpl_decoy_len;
static uint32_t other_uid = 1;
static const char *const OTHER = "daemon";

/* ---- log capture: libpam's pam_syslog ends in syslog(3) --------------- */

static char log_lines[LOG_LINES][LOG_LINE_MAX];
static int nlog;

__attribute__((format(printf, 1, 0)))
static void capture(const char *fmt, va_list ap)
{
	if (nlog < LOG_LINES)
		vsnprintf(log_lines[nlog++], LOG_LINE_MAX, fmt, ap);
}

void __syslog_chk(int pri, int flag, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void __vsyslog_chk(int pri, int flag, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
void syslog(int pri, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vsyslog(int pri, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

void __syslog_chk(int pri, int flag, const char *fmt, ...)
{
	va_list ap;

	(void)pri;
	(void)flag;
	va_start(ap, fmt);
	capture(fmt, ap);
	va_end(ap);
}

void __vsyslog_chk(int pri, int flag, const char *fmt, va_list ap)
{
	(void)pri;
	(void)flag;
	capture(fmt, ap);
}

void syslog(int pri, const char *fmt, ...)
{
	va_list ap;

	(void)pri;
	va_start(ap, fmt);
	capture(fmt, ap);
	va_end(ap);
}

void vsyslog(int pri, const char *fmt, va_list ap)
{
	(void)pri;
	capture(fmt, ap);
}

/* ---- one PAM transaction ------------------------------------------------ */

static int authenticate(const char *service, const char *user, const char *answer,
			const char *rhost)
{
	struct conv_script cs = { .response = answer };
	struct pam_conv c = { harness_conv, &cs };
	pam_handle_t *pamh = NULL;
	int rc;

	rc = pam_start_confdir(service, user, &c, confdir, &pamh);
	FUZZ_CHECK(rc == PAM_SUCCESS, "pam_start_confdir works");
	pam_set_item(pamh, PAM_RHOST, rhost);
	rc = pam_authenticate(pamh, 0);
	pam_end(pamh, rc);
	return rc;
}

/* ---- building the database ---------------------------------------------- */

static void write_file(const char *path, const unsigned char *img, size_t len)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	FUZZ_CHECK(fd >= 0, "a database file can be created");
	FUZZ_CHECK(len == 0 || write(fd, img, len) == (ssize_t)len, "a database file is written");
	close(fd);
}

static void write_patched(const char *path, const unsigned char *tmpl, size_t tlen,
			  const uint8_t *p, size_t len)
{
	static unsigned char img[IMG_MAX];
	size_t off, n;

	memcpy(img, tmpl, tlen);
	while (len >= 3) {
		off = (((size_t)p[0] << 8) | p[1]) % tlen;
		n = p[2];
		p += 3;
		len -= 3;
		if (n > len)
			n = len;
		memcpy(img + off, p, n < tlen - off ? n : tlen - off);
		p += n;
		len -= n;
	}
	write_file(path, img, tlen);
}

static void write_entries(const char *path, const uint8_t *p, size_t len)
{
	char k[256];
	size_t klen, vlen;
	datum dk, dv;
	GDBM_FILE db;

	unlink(path);
	db = gdbm_open(path, FIX_BLOCK_SIZE, GDBM_NEWDB | GDBM_NOLOCK | GDBM_NOMMAP, 0600, NULL);
	FUZZ_CHECK(db != NULL, "gdbm creates a database file");
	while (len >= 1) {
		unsigned kind = p[0] % KINDS;

		p++, len--;
		switch (kind) {
		case KIND_META: k[0] = 'm'; klen = 1; break;
		case KIND_RECORD_K0: klen = fixture_record_key(k, F.key[0].id); break;
		case KIND_INDEX: k[0] = 'i'; klen = 1; break;
		case KIND_RECORD_K2: klen = fixture_record_key(k, F.key[2].id); break;
		default:
			if (len < 1)
				goto out;
			klen = p[0] < len - 1 ? p[0] : len - 1;
			memcpy(k, p + 1, klen);
			p += 1 + klen, len -= 1 + klen;
		}
		if (len < 2)
			break;
		vlen = ((size_t)p[0] << 8) | p[1];
		p += 2, len -= 2;
		if (vlen > len)
			vlen = len;
		dk.dptr = k;
		dk.dsize = (int)klen;
		dv.dptr = (char *)(uintptr_t)p;
		dv.dsize = (int)vlen;
		(void)gdbm_store(db, dk, dv, GDBM_REPLACE);
		p += vlen, len -= vlen;
	}
out:
	FUZZ_CHECK(gdbm_close(db) == 0, "gdbm writes a database file");
}

/* Puts the template back, then replaces the chosen file as the input says. */
static void build_db(int mode, unsigned which, const uint8_t *p, size_t len)
{
	const char *path = which == FILE_DECOY ? file_decoy : which == FILE_OTHER ? file_other
										 : file_mine;
	const unsigned char *tmpl = which == FILE_DECOY ? tmpl_decoy : tmpl_mine;
	size_t tlen = which == FILE_DECOY ? tmpl_decoy_len : tmpl_mine_len;

	write_file(file_mine, tmpl_mine, tmpl_mine_len);
	write_file(file_decoy, tmpl_decoy, tmpl_decoy_len);
	unlink(file_other);
	switch (mode) {
	case DB_PATCHED: write_patched(path, tmpl, tlen, p, len); break;
	case DB_RAW: write_file(path, p, len); break;
	case DB_ENTRIES: write_entries(path, p, len); break;
	default: break;
	}
}

static unsigned char *read_file(const char *path, size_t *len)
{
	static unsigned char img[IMG_MAX];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*len = 0;
	if (fd < 0)
		return img;
	n = read(fd, img, sizeof(img));
	close(fd);
	FUZZ_CHECK(n >= 0, "a database file can be read back");
	*len = (size_t)n;
	return img;
}

static int contains(const unsigned char *hay, size_t n, const void *needle, size_t m)
{
	return memmem(hay, n, needle, m) != NULL;
}

/* ---- checks -------------------------------------------------------------- */

static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	FUZZ_CHECK(fd >= 0, "/dev/null opens");
	close(fd);
	return fd;
}

/* Whether s holds the secret part of fixed key k (then a log may too). */
static int holds_secret(const char *s, int k)
{
	return memmem(s, strlen(s), F.token[k] + SECRET_OFF, APK_SECRET_LEN) != NULL;
}

static void check_logs(int rc, const char *user, const char *rhost)
{
	int i, k, found = 0;
	size_t j, n;
	const char *want = rc == PAM_SUCCESS ? "accepted key" : "refused key";

	for (i = 0; i < nlog; i++) {
		n = strlen(log_lines[i]);
		for (j = 0; j < n; j++)
			FUZZ_CHECK((unsigned char)log_lines[i][j] >= 0x20 &&
				   (unsigned char)log_lines[i][j] != 0x7F,
				   "no log line holds a control character");
		for (k = 0; k < FIX_NKEYS; k++)
			FUZZ_CHECK(!holds_secret(log_lines[i], k) || holds_secret(user, k) ||
				   holds_secret(rhost, k), "no log line holds a secret");
		if (strstr(log_lines[i], want) != NULL && strstr(log_lines[i], " rhost ") != NULL)
			found = 1;
	}
	FUZZ_CHECK(found, "every attempt is logged with its outcome");
}

static void check_outcome(int rc, int mode, int nokeys, const char *user, const char *answer)
{
	int is_k0 = strcmp(answer, F.token[0]) == 0, is_me = strcmp(user, F.user) == 0;
	char path[PATH_MAX];
	const unsigned char *img;
	struct passwd *pw;
	size_t len;

	FUZZ_CHECK(rc == PAM_SUCCESS || rc == PAM_AUTH_ERR || rc == PAM_USER_UNKNOWN ||
		   rc == PAM_AUTHINFO_UNAVAIL || (nokeys && rc == PAM_PERM_DENIED),
		   "the module answers with a documented code");
	if (rc == PAM_SUCCESS) {
		FUZZ_CHECK(is_k0, "only the valid key authenticates");
		pw = getpwnam(user);
		FUZZ_CHECK(pw != NULL, "only a known user authenticates");
		FUZZ_CHECK(fixture_account_file(path, sizeof(path), dbdir, (uint32_t)pw->pw_uid) == 0,
			   "a path fits its buffer");
		img = read_file(path, &len);
		FUZZ_CHECK(contains(img, len, F.hashkey, sizeof(F.hashkey)) &&
			   contains(img, len, F.d0, sizeof(F.d0)) &&
			   contains(img, len, user, strlen(user)),
			   "success needs the hash key, K0's digest and the owner in the user's file");
	}
	if (mode == DB_TEMPLATE)
		FUZZ_CHECK((rc == PAM_SUCCESS) == (is_k0 && is_me),
			   "on the intact database exactly K0 of its owner authenticates");
}

/* ---- set-up -------------------------------------------------------------- */

static void cleanup(void)
{
	char p[PATH_MAX];

	unlink(file_mine);
	unlink(file_decoy);
	unlink(file_other);
	fuzz_path(p, sizeof(p), confdir, "plain");
	unlink(p);
	fuzz_path(p, sizeof(p), confdir, "nokeys");
	unlink(p);
	rmdir(confdir);
	rmdir(dbdir);
	rmdir(top);
}

static void write_service(const char *name, const char *db, const char *extra)
{
	char p[PATH_MAX];
	FILE *fp;

	fuzz_path(p, sizeof(p), confdir, name);
	FUZZ_CHECK((fp = fopen(p, "w")) != NULL, "the service file can be written");
	fprintf(fp, "auth required %s db=%s nodelay%s\n", modpath, db, extra);
	FUZZ_CHECK(fclose(fp) == 0, "the service file can be written");
}

static void find_module(void)
{
	const char *env = getenv("APK_FUZZ_MODULE");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env != NULL) {
		FUZZ_CHECK(strlen(env) < sizeof(modpath), "APK_FUZZ_MODULE fits");
		memcpy(modpath, env, strlen(env) + 1);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	FUZZ_CHECK(n > 0, "/proc/self/exe names this program");
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	FUZZ_CHECK(slash != NULL, "/proc/self/exe names this program");
	*slash = '\0';
	fuzz_path(modpath, sizeof(modpath), exe, "pam_apikey.so");
}

static unsigned char *keep(const char *path, size_t *len)
{
	const unsigned char *img = read_file(path, len);
	unsigned char *copy;

	FUZZ_CHECK(*len > 0 && (copy = malloc(*len)) != NULL, "the template is kept");
	memcpy(copy, img, *len);
	return copy;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct passwd *pw;

	(void)argc;
	(void)argv;
	FUZZ_CHECK(fixture_init(&F) == 0, "the fixture builds");
	if ((pw = getpwnam(OTHER)) != NULL)
		other_uid = (uint32_t)pw->pw_uid;
	FUZZ_CHECK(other_uid != F.uid, "daemon is another account");
	find_module();
	/* Keep the module loaded for good: its coverage counters must stay mapped
	 * while libpam opens and closes it on every transaction. */
	if (dlopen(modpath, RTLD_NOW | RTLD_NODELETE) == NULL) {
		fprintf(stderr, "fuzz_pam: cannot load %s: %s\n", modpath, dlerror());
		abort();
	}
	fuzz_path(top, sizeof(top), "/tmp", "apk-fuzz-XXXXXX");
	FUZZ_CHECK(mkdtemp(top) != NULL, "a private directory is created");
	fuzz_path(dbdir, sizeof(dbdir), top, "db");
	fuzz_path(confdir, sizeof(confdir), top, "pam.d");
	FUZZ_CHECK(mkdir(dbdir, 0700) == 0 && mkdir(confdir, 0700) == 0, "directories are created");
	FUZZ_CHECK(fixture_account_file(file_mine, sizeof(file_mine), dbdir, F.uid) == 0 &&
		   fixture_account_file(file_other, sizeof(file_other), dbdir, other_uid) == 0,
		   "a path fits its buffer");
	fuzz_path(file_decoy, sizeof(file_decoy), dbdir, FIX_DECOY);
	atexit(cleanup);
	write_service("plain", dbdir, "");
	write_service("nokeys", dbdir, " nokeys_ignore");

	FUZZ_CHECK(fixture_write_template(&F, dbdir) == 0, "the template database is written");
	tmpl_mine = keep(file_mine, &tmpl_mine_len);
	tmpl_decoy = keep(file_decoy, &tmpl_decoy_len);

	/* The harness itself must work before it can find anything. */
	FUZZ_CHECK(authenticate("plain", F.user, F.token[0], "-") == PAM_SUCCESS,
		   "harness: K0 authenticates its owner");
	FUZZ_CHECK(authenticate("plain", F.user, F.token[1], "-") == PAM_AUTH_ERR,
		   "harness: K1 is refused");
	FUZZ_CHECK(authenticate("plain", OTHER, F.token[0], "-") == PAM_AUTH_ERR,
		   "harness: K0 is refused for another account");
	nlog = 0;
	return 0;
}

/* Takes a u8- or u16-length-prefixed string from the input into out. */
static int take(const uint8_t **p, size_t *len, int wide, char *out, size_t outsz)
{
	size_t n, hdr = wide ? 2 : 1;

	if (*len < hdr)
		return -1;
	n = wide ? (((size_t)(*p)[0] << 8) | (*p)[1]) : (*p)[0];
	*p += hdr, *len -= hdr;
	if (n > *len)
		n = *len;
	if (n > outsz - 1)
		n = outsz - 1;
	memcpy(out, *p, n);
	out[n] = '\0'; /* an embedded NUL cuts it, as C strings through PAM would */
	*p += n, *len -= n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char answer[RESP_MAX + 1], user[APK_USER_MAX * 2], rhost[256];
	const uint8_t *p = data + 1;
	size_t len = size - 1;
	unsigned flags, which, file = FILE_MINE;
	int mode, nokeys, rc, fd_before;

	if (size < 1)
		return 0;
	flags = data[0];
	which = flags & 3;
	if (which < 3)
		snprintf(answer, sizeof(answer), "%s", F.token[which]);
	else if (take(&p, &len, 1, answer, sizeof(answer)) != 0)
		return 0;
	switch ((flags >> 2) & 3) {
	case 1: snprintf(user, sizeof(user), "%s", OTHER); break;
	case 2: if (take(&p, &len, 0, user, sizeof(user)) != 0) return 0; break;
	default: snprintf(user, sizeof(user), "%s", F.user); break;
	}
	mode = (flags >> 4) & 3;
	nokeys = (flags >> 6) & 1;
	snprintf(rhost, sizeof(rhost), "203.0.113.7");
	if ((flags & 0x80) && take(&p, &len, 0, rhost, sizeof(rhost)) != 0)
		return 0;
	if (mode != DB_TEMPLATE) {
		if (len < 1)
			return 0;
		file = p[0] & 3;
		p++, len--;
	}
	build_db(mode, file, p, len);

	fd_before = lowest_free_fd();
	nlog = 0;
	rc = authenticate(nokeys ? "nokeys" : "plain", user, answer, rhost);
	FUZZ_CHECK(lowest_free_fd() == fd_before, "no file descriptor is left open");
	check_outcome(rc, mode, nokeys, user, answer);
	check_logs(rc, user, rhost);
	return 0;
}
