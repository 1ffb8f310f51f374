/* unit_lastused.c - the last-used file: record and read back, escaping and
 * caps, a bounded file, the files the module refuses, torn and foreign
 * slots, and prepare (create, assign, free, grow, shrink, replace, remove) */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "apk_config.h"
#include "lastused.h"
#include "lastused_format.h"
#include "safefile.h"
#include "unit_util.h"
#include "validate.h"

#define UID 4000001u

static char dir[PATH_MAX];

/* Valid ids (12 base64url characters), distinct. */
static const char *const ID[] = {
	"AAAAAAAAAAAA", "BBBBBBBBBBBB", "CCCCCCCCCCCC", "DDDDDDDDDDDD", "EEEEEEEEEEEE",
	"FFFFFFFFFFFF", "GGGGGGGGGGGG", "HHHHHHHHHHHH", "IIIIIIIIIIII", "JJJJJJJJJJJJ",
	"KKKKKKKKKKKK", "LLLLLLLLLLLL", "MMMMMMMMMMMM", "NNNNNNNNNNNN", "OOOOOOOOOOOO",
	"PPPPPPPPPPPP", "QQQQQQQQQQQQ", "RRRRRRRRRRRR", "SSSSSSSSSSSS", "TTTTTTTTTTTT",
	"-_-_-_-_-_-_", "0123456789ab",
};

/* ---- helpers ------------------------------------------------------------ */

/* dir/name; the last four results stay valid (two may be passed together). */
static const char *in_dir(const char *name)
{
	static char p[4][PATH_MAX];
	static unsigned next;
	char *out = p[next++ % 4];

	snprintf(out, PATH_MAX, "%s/%s", dir, name);
	return out;
}

static const char *used_path(void)
{
	char name[32];

	apk_lu_name(UID, 0, name);
	return in_dir(name);
}

/* The whole file at path (malloc'd, *len bytes); NULL when missing. */
static unsigned char *slurp(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *b;
	int fd = open(path, O_RDONLY | O_NOFOLLOW);

	if (fd < 0)
		return NULL;
	assert_int_equal(fstat(fd, &st), 0);
	b = malloc((size_t)st.st_size + 1);
	assert_non_null(b);
	assert_int_equal(read(fd, b, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return b;
}

static void spit(const char *path, const unsigned char *b, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, len), (ssize_t)len);
	close(fd);
}

/* The module's call for account UID in dir. */
static enum apk_err rec(const char *id, int64_t when, const char *service, const char *rhost)
{
	return apk_lastused_record(dir, UID, id, when, service, rhost);
}

static void prepare_n(size_t n)
{
	assert_int_equal(apk_lastused_assign(dir, UID, ID, n), APK_OK);
}

static struct apk_lastused read_one(const char *id)
{
	struct apk_lastused lu;

	assert_int_equal(apk_lastused_read(dir, UID, &id, 1, &lu), APK_OK);
	return lu;
}

static void assert_never(const char *id)
{
	struct apk_lastused lu = read_one(id);

	assert_false(lu.used);
	assert_int_equal(lu.time, 0);
}

static void assert_use(const char *id, int64_t t, const char *service, const char *rhost)
{
	struct apk_lastused lu = read_one(id);

	assert_true(lu.used);
	assert_int_equal(lu.time, t);
	assert_string_equal(lu.service, service);
	assert_string_equal(lu.rhost, rhost);
}

/* Where the directory puts id: its slot's offset in the file. */
static off_t slot_of(const char *id)
{
	size_t len, i;
	unsigned char *b = slurp(used_path(), &len);
	uint32_t cap;
	off_t off = -1;

	assert_non_null(b);
	assert_int_equal(apk_lu_header_decode(b, UID, (off_t)len, &cap), APK_OK);
	for (i = 0; i < cap; i++)
		if (memcmp(b + APK_LU_HEADER + i * APK_LU_ENTRY, id, APK_ID_LEN) == 0)
			off = (off_t)apk_lu_data_offset(cap) + (off_t)i * APK_LU_SLOT;
	free(b);
	assert_true(off >= 0);
	return off;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/apk-lastused-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- record and read ------------------------------------------------------ */

static void round_trip(void **state)
{
	(void)state;
	prepare_n(3);
	assert_never(ID[0]);
	assert_never(ID[1]);
	assert_int_equal(rec(ID[0], 1767225600, "sshd", "192.0.2.1"), APK_OK);
	assert_use(ID[0], 1767225600, "sshd", "192.0.2.1");
	assert_never(ID[1]);
	assert_int_equal(rec(ID[1], 1767225601, "sudo", NULL), APK_OK);
	assert_int_equal(rec(ID[0], 1767229200, "su", "2001:db8::7"), APK_OK);
	assert_use(ID[0], 1767229200, "su", "2001:db8::7");
	assert_use(ID[1], 1767225601, "sudo", "");
	assert_never(ID[2]);
}

static void read_many_in_order(void **state)
{
	struct apk_lastused lu[4];
	const char *want[4] = { ID[2], ID[5], ID[0], ID[1] };

	(void)state;
	prepare_n(3);
	assert_int_equal(rec(ID[2], 30, "c", "h2"), APK_OK);
	assert_int_equal(rec(ID[0], 10, "a", "h0"), APK_OK);
	/* ID[5] has no slot: never, and the others still read */
	assert_int_equal(apk_lastused_read(dir, UID, want, 4, lu), APK_OK);
	assert_true(lu[0].used && lu[0].time == 30);
	assert_string_equal(lu[0].rhost, "h2");
	assert_false(lu[1].used);
	assert_true(lu[2].used && lu[2].time == 10);
	assert_string_equal(lu[2].service, "a");
	assert_false(lu[3].used);
}

static void bad_arguments(void **state)
{
	const char *bad = "short";
	struct apk_lastused lu;

	(void)state;
	prepare_n(1);
	assert_int_equal(rec("AAAA", 5, "s", "h"), APK_ERR_INVALID);
	assert_int_equal(rec("AAAAAAAAAAA!", 5, "s", "h"), APK_ERR_INVALID);
	assert_int_equal(rec(ID[0], 0, "s", "h"), APK_ERR_INVALID);
	assert_int_equal(rec(ID[0], -5, "s", "h"), APK_ERR_INVALID);
	assert_int_equal(apk_lastused_record("relative/dir", UID, ID[0], 5, "s", "h"),
			 APK_ERR_UNAVAIL);
	assert_int_equal(apk_lastused_read(dir, UID, &bad, 1, &lu), APK_ERR_INVALID);
	assert_false(lu.used);
	assert_never(ID[0]);
}

/* ---- escaping and caps ---------------------------------------------------- */

static void control_bytes_escaped(void **state)
{
	struct apk_lastused lu;

	(void)state;
	prepare_n(1);
	assert_int_equal(rec(ID[0], 7, "ss\x1bh\n", "a\\b\tc\x7f"), APK_OK);
	lu = read_one(ID[0]);
	/* escape: \x1b, newline \x0a, backslash doubled, tab \x09, DEL \x7f */
	assert_string_equal(lu.service, "ss\\x1bh\\x0a");
	assert_string_equal(lu.rhost, "a\\\\b\\x09c\\x7f");
	/* malformed UTF-8 byte by byte; a well-formed character kept */
	assert_int_equal(rec(ID[0], 8, "\xc3(", "h\xc3\xa9t\xe2\x80\xae"),
			 APK_OK);
	lu = read_one(ID[0]);
	assert_string_equal(lu.service, "\\xc3(");
	assert_string_equal(lu.rhost, "h\xc3\xa9t\\xe2\\x80\\xae");  /* U+202E escaped */
}

static void long_text_capped(void **state)
{
	char big[1025], ctl[1025];
	struct apk_lastused lu;
	size_t i, len;

	(void)state;
	prepare_n(1);
	memset(big, 'r', 1024);
	big[1024] = '\0';
	memset(ctl, '\x01', 1024);
	ctl[1024] = '\0';
	assert_int_equal(rec(ID[0], 9, big, big), APK_OK);
	lu = read_one(ID[0]);
	assert_int_equal(strlen(lu.service), APK_LASTUSED_SERVICE_MAX);
	assert_int_equal(strlen(lu.rhost), APK_LASTUSED_RHOST_MAX);
	assert_memory_equal(lu.rhost, big, APK_LASTUSED_RHOST_MAX);
	/* 1 KB of control bytes: cut between escapes, never inside one */
	assert_int_equal(rec(ID[0], 10, ctl, ctl), APK_OK);
	lu = read_one(ID[0]);
	len = strlen(lu.rhost);
	assert_true(len > APK_LASTUSED_RHOST_MAX - 4 && len <= APK_LASTUSED_RHOST_MAX);
	assert_int_equal(len % 4, 0);
	for (i = 0; i < len; i += 4)
		assert_memory_equal(lu.rhost + i, "\\x01", 4);
	assert_true(apk_desc_valid(lu.rhost));
	assert_true(apk_desc_valid(lu.service));
}

/* ---- a bounded file ------------------------------------------------------- */

static void many_records_never_grow(void **state)
{
	struct stat before, after;
	char rhost[64];
	int i;

	(void)state;
	prepare_n(3);
	assert_int_equal(stat(used_path(), &before), 0);
	for (i = 1; i <= 20000; i++) {
		snprintf(rhost, sizeof(rhost), "198.51.100.%d", i % 256);
		assert_int_equal(rec(ID[i % 3], i, "sshd", rhost), APK_OK);
	}
	assert_int_equal(stat(used_path(), &after), 0);
	assert_int_equal(after.st_size, before.st_size);
	assert_int_equal(after.st_size, (off_t)apk_lu_file_size(APK_LU_MIN_SLOTS));
	assert_true(after.st_blocks <= before.st_blocks);
	assert_use(ID[20000 % 3], 20000, "sshd", "198.51.100.32");
}

/* An account with the most keys (more directory entries than the write's
 * first read brings, APK_LU_FIND_CHUNK): every key's use lands in its own
 * slot, the last ones found past that read, and an id without a slot is
 * still not found. */
static void full_account_every_slot(void **state)
{
	char ids[APK_MAX_KEYS_PER_USER][APK_ID_LEN + 1];
	const char *p[APK_MAX_KEYS_PER_USER];
	struct apk_lastused lu[APK_MAX_KEYS_PER_USER];
	int i;

	(void)state;
	for (i = 0; i < APK_MAX_KEYS_PER_USER; i++) {
		snprintf(ids[i], sizeof(ids[i]), "key%09d", i);
		p[i] = ids[i];
	}
	assert_int_equal(apk_lastused_assign(dir, UID, p, APK_MAX_KEYS_PER_USER), APK_OK);
	for (i = 0; i < APK_MAX_KEYS_PER_USER; i++)
		assert_int_equal(rec(ids[i], 1000 + i, "sshd", "192.0.2.9"), APK_OK);
	assert_int_equal(rec(ID[0], 5000, "sshd", "192.0.2.9"), APK_ERR_NOTFOUND);
	assert_int_equal(apk_lastused_read(dir, UID, p, APK_MAX_KEYS_PER_USER, lu), APK_OK);
	for (i = 0; i < APK_MAX_KEYS_PER_USER; i++) {
		assert_true(lu[i].used);
		assert_int_equal(lu[i].time, 1000 + i);
	}
}

/* A file the helper account cut short, or whose header claims more slots
 * than it has: nothing is written, and above all it does not grow. */
static void short_file_not_written(void **state)
{
	unsigned char *b, *after;
	size_t len, len2, cut;
	uint32_t i;

	(void)state;
	prepare_n(3);
	b = slurp(used_path(), &len);
	assert_non_null(b);
	cut = apk_lu_data_offset(APK_LU_MIN_SLOTS) + APK_LU_SLOT; /* the first slot only */
	assert_int_equal(truncate(used_path(), (off_t)cut), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(rec(ID[i], 5, "s", "h"), APK_ERR_CORRUPT);
	after = slurp(used_path(), &len2);
	assert_int_equal(len2, cut);
	assert_memory_equal(after, b, cut);
	free(after);

	/* a header saying 1024 slots, the id in the last entry, on a small file */
	{
		size_t small = apk_lu_data_offset(APK_LASTUSED_MAX_SLOTS);
		unsigned char *f = calloc(1, small);

		assert_non_null(f);
		apk_lu_header_encode(f, UID, APK_LASTUSED_MAX_SLOTS);
		apk_lu_entry_encode(f + APK_LU_HEADER + (APK_LASTUSED_MAX_SLOTS - 1) * APK_LU_ENTRY, ID[0]);
		spit(used_path(), f, small);
		assert_int_equal(rec(ID[0], 5, "s", "h"), APK_ERR_CORRUPT);
		after = slurp(used_path(), &len2);
		assert_int_equal(len2, small);
		free(after);
		free(f);
	}
	/* one byte too many is refused as well */
	spit(used_path(), b, len);
	assert_int_equal(truncate(used_path(), (off_t)len + 1), 0);
	assert_int_equal(rec(ID[0], 5, "s", "h"), APK_ERR_CORRUPT);
	free(b);
}

/* ---- files the module refuses ------------------------------------------------ */

/* Writes a valid file for UID at path (as prepare would, elsewhere). */
static unsigned char *valid_file_bytes(size_t *len)
{
	unsigned char *b;

	prepare_n(2);
	b = slurp(used_path(), len);
	assert_non_null(b);
	return b;
}

/* u<uid>.used made a symlink to victim, a well-formed file of the same
 * account (trusted owner, mode 0600) holding b: only O_NOFOLLOW stands
 * between a write and it. */
static unsigned char *symlink_to_victim(char victim[PATH_MAX], size_t *len)
{
	unsigned char *b = valid_file_bytes(len);

	snprintf(victim, PATH_MAX, "%s/victim", dir);
	spit(victim, b, *len);
	assert_int_equal(unlink(used_path()), 0);
	assert_int_equal(symlink(victim, used_path()), 0);
	return b;
}

static void assert_file_is(const char *path, const unsigned char *b, size_t len)
{
	size_t len2;
	unsigned char *now = slurp(path, &len2);

	assert_non_null(now);
	assert_int_equal(len2, len);
	assert_memory_equal(now, b, len);
	free(now);
}

static void symlink_not_followed(void **state)
{
	char victim[PATH_MAX];
	unsigned char *b;
	size_t len;
	struct apk_lastused lu;
	const char *id = ID[0];

	(void)state;
	b = symlink_to_victim(victim, &len);
	assert_int_equal(rec(ID[0], 5, "sshd", "h"), APK_ERR_UNSAFE);
	assert_file_is(victim, b, len);
	assert_int_equal(apk_lastused_read(dir, UID, &id, 1, &lu), APK_ERR_UNSAFE);
	assert_false(lu.used);
	/* the database directory itself as a symlink */
	{
		char link[PATH_MAX + 8];

		snprintf(link, sizeof(link), "%s.link", dir);
		unlink(link);
		assert_int_equal(symlink(dir, link), 0);
		assert_int_equal(apk_lastused_record(link, UID, ID[0], 5, "sshd", "h"),
				 APK_ERR_UNSAFE);
		unlink(link);
	}
	assert_file_is(victim, b, len);
	free(b);
}

static void bad_mode_or_links_refused(void **state)
{
	static const mode_t modes[] = { 0620, 0602, 0640, 0604, 0610, 0601 };
	unsigned char *b;
	size_t len, i;

	(void)state;
	b = valid_file_bytes(&len);
	for (i = 0; i < N_ELEM(modes); i++) {
		assert_int_equal(chmod(used_path(), modes[i]), 0);
		assert_int_equal(rec(ID[0], 5, "s", "h"), APK_ERR_UNSAFE);
		assert_file_is(used_path(), b, len);
	}
	assert_int_equal(chmod(used_path(), 0600), 0);
	/* a second hard link: the file may be something else's too */
	assert_int_equal(link(used_path(), in_dir("other-name")), 0);
	assert_int_equal(rec(ID[0], 5, "s", "h"), APK_ERR_UNSAFE);
	assert_file_is(used_path(), b, len);
	assert_int_equal(unlink(in_dir("other-name")), 0);
	/* a FIFO in its place: refused without blocking */
	assert_int_equal(unlink(used_path()), 0);
	assert_int_equal(mkfifo(used_path(), 0600), 0);
	assert_int_equal(rec(ID[0], 5, "s", "h"), APK_ERR_UNSAFE);
	/* a directory in its place */
	assert_int_equal(unlink(used_path()), 0);
	assert_int_equal(mkdir(used_path(), 0700), 0);
	assert_int_not_equal(rec(ID[0], 5, "s", "h"), APK_OK);
	assert_int_equal(rmdir(used_path()), 0);
	/* a group-writable database directory */
	spit(used_path(), b, len);
	assert_int_equal(chmod(dir, 0770), 0);
	assert_int_equal(rec(ID[0], 5, "s", "h"), APK_ERR_UNSAFE);
	assert_int_equal(chmod(dir, 0700), 0);
	assert_file_is(used_path(), b, len);
	free(b);
}

static void wrong_owner_refused(void **state)
{
	unsigned char *b;
	size_t len;

	(void)state;
	b = valid_file_bytes(&len);
	assert_int_equal(chown(used_path(), 65534, 65534), 0); /* nobody */
	assert_int_equal(rec(ID[0], 5, "s", "h"), APK_ERR_UNSAFE);
	assert_file_is(used_path(), b, len);
	free(b);
}

/* Slots are assigned for ids however their records were written: here no
 * key file exists at all, only the directory a writer opened (as a daemon
 * mirroring records would), and a login is recorded and read back. */
static void assign_at_needs_no_store(void **state)
{
	const char *none = NULL;
	int dirfd;
	struct stat st;

	(void)state;
	assert_int_equal(apk_safe_open_dir(dir, &dirfd), APK_OK);
	assert_int_equal(apk_lastused_assign_at(dirfd, UID, ID, 3), APK_OK);
	assert_int_equal(apk_lastused_record_at(dirfd, UID, ID[2], 77, "sshd", "192.0.2.7"), APK_OK);
	assert_use(ID[2], 77, "sshd", "192.0.2.7");
	assert_never(ID[0]);
	assert_int_equal(apk_lastused_assign_at(dirfd, UID, ID + 2, 1), APK_OK); /* 0, 1 gone */
	assert_use(ID[2], 77, "sshd", "192.0.2.7");
	assert_int_equal(apk_lastused_record_at(dirfd, UID, ID[0], 78, "s", "h"), APK_ERR_NOTFOUND);
	assert_int_equal(apk_lastused_assign_at(-1, UID, ID, 1), APK_ERR_INVALID);
	assert_int_equal(apk_lastused_assign_at(dirfd, UID, &none, 1), APK_ERR_INVALID);
	assert_int_equal(apk_lastused_assign_at(dirfd, UID, ID, 0), APK_OK); /* no keys, no file */
	assert_int_equal(lstat(used_path(), &st), -1);
	close(dirfd);
}

/* A process holding a lease on the file (its owner can take one) would
 * make an ordinary open wait for it up to lease-break-time (45 s): the
 * module's open does not wait, and skips the record. */
/* As installed: the directory and the file belong to the helper account,
 * the module runs as root and writes the slot. */
static void helper_owned_file_written_by_root(void **state)
{
	struct passwd *pw = getpwnam(APK_HELPER_USER);
	struct stat st;

	(void)state;
	assert_non_null(pw);
	prepare_n(2);
	assert_int_equal(chown(dir, pw->pw_uid, pw->pw_gid), 0);
	assert_int_equal(chown(used_path(), pw->pw_uid, pw->pw_gid), 0);
	assert_int_equal(rec(ID[1], 42, "sshd", "192.0.2.9"), APK_OK);
	assert_use(ID[1], 42, "sshd", "192.0.2.9");
	assert_int_equal(stat(used_path(), &st), 0);
	assert_int_equal(st.st_uid, pw->pw_uid);
}

static void lease_holder_not_waited_for(void **state)
{
	struct timespec a = { 0, 0 }, b = { 0, 0 };
	enum apk_err e = APK_OK;
	int p[2], st;
	pid_t pid;
	char c;

	(void)state;
	prepare_n(1);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(used_path(), O_RDONLY);

		signal(SIGIO, SIG_IGN);
		alarm(60);      /* never outlives a test that went wrong */
		if (fd < 0 || fcntl(fd, F_SETLEASE, F_RDLCK) != 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	c = 0;
	if (read(p[0], &c, 1) == 1) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		e = rec(ID[0], 5, "s", "h");
		clock_gettime(CLOCK_MONOTONIC, &b);
	}
	close(p[0]);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(c, 'x');       /* the child holds a lease */
	assert_int_not_equal(e, APK_OK);
	assert_true(b.tv_sec - a.tv_sec < 2);
	assert_int_equal(rec(ID[0], 6, "s", "h"), APK_OK);
	assert_use(ID[0], 6, "s", "h");
}

static void missing_file_skipped(void **state)
{
	struct stat st;
	struct apk_lastused lu;
	const char *id = ID[0];

	(void)state;
	assert_int_equal(rec(ID[0], 5, "s", "h"), APK_ERR_NOTFOUND);
	assert_int_equal(lstat(used_path(), &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(apk_lastused_read(dir, UID, &id, 1, &lu), APK_ERR_NOTFOUND);
	assert_false(lu.used);
	/* an id without a slot in an existing file: skipped, file unchanged */
	{
		unsigned char *b;
		size_t len;

		b = valid_file_bytes(&len);
		assert_int_equal(rec(ID[7], 5, "s", "h"), APK_ERR_NOTFOUND);
		assert_file_is(used_path(), b, len);
		free(b);
	}
}

static void other_accounts_file_refused(void **state)
{
	char name[32], mine[PATH_MAX];
	unsigned char *b;
	size_t len;

	(void)state;
	b = valid_file_bytes(&len);
	snprintf(mine, sizeof(mine), "%s", used_path());
	apk_lu_name(UID + 1, 0, name);
	assert_int_equal(rename(mine, in_dir(name)), 0);
	assert_int_equal(apk_lastused_record(dir, UID + 1, ID[0], 5, "s", "h"), APK_ERR_CORRUPT);
	assert_file_is(in_dir(name), b, len);
	free(b);
}

/* ---- torn and foreign slots -------------------------------------------------- */

static void torn_slot_reads_never(void **state)
{
	unsigned char one[APK_LU_SLOT], two[APK_LU_SLOT], mix[APK_LU_SLOT];
	off_t off;
	int fd;

	(void)state;
	prepare_n(2);
	off = slot_of(ID[0]);
	fd = open(used_path(), O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(rec(ID[0], 111, "sshd", "10.0.0.1"), APK_OK);
	assert_int_equal(pread(fd, one, APK_LU_SLOT, off), APK_LU_SLOT);
	assert_int_equal(rec(ID[0], 222, "login", "tty7"), APK_OK);
	assert_int_equal(pread(fd, two, APK_LU_SLOT, off), APK_LU_SLOT);
	/* the first half of one write, the second of the other */
	memcpy(mix, two, APK_LU_SLOT / 2);
	memcpy(mix + APK_LU_SLOT / 2, one + APK_LU_SLOT / 2, APK_LU_SLOT / 2);
	assert_int_equal(pwrite(fd, mix, APK_LU_SLOT, off), APK_LU_SLOT);
	assert_never(ID[0]);
	/* a write cut short: the start of a slot over zeros */
	memset(mix, 0, APK_LU_SLOT);
	memcpy(mix, two, 100);
	assert_int_equal(pwrite(fd, mix, APK_LU_SLOT, off), APK_LU_SLOT);
	assert_never(ID[0]);
	/* one flipped bit anywhere */
	memcpy(mix, two, APK_LU_SLOT);
	mix[APK_LU_S_RHOST + 1] ^= 0x01;
	assert_int_equal(pwrite(fd, mix, APK_LU_SLOT, off), APK_LU_SLOT);
	assert_never(ID[0]);
	/* whole again */
	assert_int_equal(pwrite(fd, two, APK_LU_SLOT, off), APK_LU_SLOT);
	assert_use(ID[0], 222, "login", "tty7");
	/* another key's whole slot copied into this one */
	assert_int_equal(rec(ID[1], 333, "su", "x"), APK_OK);
	assert_int_equal(pread(fd, one, APK_LU_SLOT, slot_of(ID[1])), APK_LU_SLOT);
	assert_int_equal(pwrite(fd, one, APK_LU_SLOT, off), APK_LU_SLOT);
	assert_never(ID[0]);
	assert_use(ID[1], 333, "su", "x");
	close(fd);
}

/* A slot freed with its key and given to a new key never shows the old
 * key's login, even when a module writes the old key's slot late. */
static void reused_slot_starts_never(void **state)
{
	const char *set[2] = { ID[0], ID[1] };
	unsigned char late[APK_LU_SLOT];
	off_t off;
	int fd;

	(void)state;
	assert_int_equal(apk_lastused_assign(dir, UID, set, 2), APK_OK);
	assert_int_equal(rec(ID[1], 500, "sshd", "old"), APK_OK);
	off = slot_of(ID[1]);
	fd = open(used_path(), O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, late, APK_LU_SLOT, off), APK_LU_SLOT);
	set[1] = ID[2];  /* ID[1] deleted, ID[2] generated */
	assert_int_equal(apk_lastused_assign(dir, UID, set, 2), APK_OK);
	assert_int_equal(slot_of(ID[2]), off);          /* the freed slot, reused */
	assert_never(ID[2]);
	assert_never(ID[1]);                            /* no slot any more */
	assert_int_equal(rec(ID[1], 600, "sshd", "old"), APK_ERR_NOTFOUND);
	/* the module found ID[1]'s slot just before the change, writes after */
	assert_int_equal(pwrite(fd, late, APK_LU_SLOT, off), APK_LU_SLOT);
	assert_never(ID[2]);
	assert_int_equal(rec(ID[2], 700, "su", "new"), APK_OK);
	assert_use(ID[2], 700, "su", "new");
	close(fd);
}

/* ---- prepare ------------------------------------------------------------------ */

static void prepare_creates_private_file(void **state)
{
	struct stat st;
	size_t len;
	unsigned char *b;
	uint32_t cap;

	(void)state;
	prepare_n(3);
	assert_int_equal(lstat(used_path(), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	b = slurp(used_path(), &len);
	assert_int_equal(apk_lu_header_decode(b, UID, (off_t)len, &cap), APK_OK);
	assert_int_equal(cap, APK_LU_MIN_SLOTS);
	free(b);
	/* prepare again with the same set changes nothing */
	b = slurp(used_path(), &len);
	prepare_n(3);
	assert_file_is(used_path(), b, len);
	free(b);
}

static void prepare_grows_and_shrinks_keeping_times(void **state)
{
	struct stat st;
	size_t i;

	(void)state;
	prepare_n(3);
	for (i = 0; i < 3; i++)
		assert_int_equal(rec(ID[i], 100 + (int64_t)i, "sshd", ID[i]),
				 APK_OK);
	prepare_n(20);  /* more keys than slots: a bigger file */
	assert_int_equal(stat(used_path(), &st), 0);
	assert_int_equal(st.st_size, (off_t)apk_lu_file_size(32));
	for (i = 0; i < 3; i++)
		assert_use(ID[i], 100 + (int64_t)i, "sshd", ID[i]);
	for (i = 3; i < 20; i++)
		assert_never(ID[i]);
	assert_int_equal(rec(ID[19], 119, "su", "x"), APK_OK);
	/* keep ID[1], ID[19]: 32 slots for 2 keys is too many */
	{
		const char *set[2] = { ID[19], ID[1] };

		assert_int_equal(apk_lastused_assign(dir, UID, set, 2), APK_OK);
	}
	assert_int_equal(stat(used_path(), &st), 0);
	assert_int_equal(st.st_size, (off_t)apk_lu_file_size(APK_LU_MIN_SLOTS));
	assert_use(ID[1], 101, "sshd", ID[1]);
	assert_use(ID[19], 119, "su", "x");
	assert_never(ID[0]);
	/* no leftover replacement file */
	{
		char tmp[32];

		apk_lu_name(UID, 1, tmp);
		assert_int_equal(lstat(in_dir(tmp), &st), -1);
	}
}

static void prepare_removes_file_for_no_keys(void **state)
{
	struct stat st;
	char tmp[32];
	unsigned char junk[8] = { 0 };

	(void)state;
	prepare_n(2);
	apk_lu_name(UID, 1, tmp);
	spit(in_dir(tmp), junk, sizeof(junk));  /* a killed prepare's leftover */
	assert_int_equal(apk_lastused_assign(dir, UID, ID, 0), APK_OK);
	assert_int_equal(lstat(used_path(), &st), -1);
	assert_int_equal(lstat(in_dir(tmp), &st), -1);
	assert_int_equal(apk_lastused_assign(dir, UID, ID, 0), APK_OK);   /* already gone */
}

static void prepare_refuses_bad_sets(void **state)
{
	const char *dup[3] = { ID[0], ID[1], ID[0] };
	const char *bad[2] = { ID[0], "not an id!!!" };
	struct stat st;

	(void)state;
	assert_int_equal(apk_lastused_assign(dir, UID, dup, 3), APK_ERR_INVALID);
	assert_int_equal(apk_lastused_assign(dir, UID, bad, 2), APK_ERR_INVALID);
	assert_int_equal(lstat(used_path(), &st), -1);
}

/* prepare replaces what it cannot use - a symlink, a damaged file, a
 * killed prepare's leftover - by a fresh file, writing through nothing. */
static void prepare_replaces_bad_files(void **state)
{
	char victim[PATH_MAX], tmp[32];
	unsigned char junk[100];
	struct stat st;
	unsigned char *b;
	size_t len;

	(void)state;
	b = symlink_to_victim(victim, &len);
	prepare_n(2);
	assert_int_equal(lstat(used_path(), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_file_is(victim, b, len);
	/* garbage */
	memset(junk, 'x', sizeof(junk));
	spit(used_path(), junk, sizeof(junk));
	prepare_n(2);
	assert_int_equal(rec(ID[1], 9, "s", "h"), APK_OK);
	assert_use(ID[1], 9, "s", "h");
	/* a stale replacement: removed whether the file is rebuilt or not */
	apk_lu_name(UID, 1, tmp);
	spit(in_dir(tmp), junk, sizeof(junk));
	prepare_n(3);
	assert_int_equal(lstat(in_dir(tmp), &st), -1);
	spit(in_dir(tmp), junk, sizeof(junk));
	prepare_n(12);
	assert_int_equal(lstat(in_dir(tmp), &st), -1);
	assert_use(ID[1], 9, "s", "h");
	/* a directory entry the helper never wrote (invalid id) is freed */
	{
		int fd = open(used_path(), O_RDWR);
		uint32_t i;
		unsigned char e[APK_LU_ENTRY];

		assert_true(fd >= 0);
		memset(e, '!', APK_ID_LEN);
		memset(e + APK_ID_LEN, 0, APK_LU_ENTRY - APK_ID_LEN);
		for (i = 0; i < 16; i++) {
			unsigned char cur[APK_LU_ENTRY];

			off_t at = APK_LU_HEADER + (off_t)i * APK_LU_ENTRY;

			assert_int_equal(pread(fd, cur, APK_LU_ENTRY, at), APK_LU_ENTRY);
			if (all_zero(cur, APK_LU_ENTRY)) {
				assert_int_equal(pwrite(fd, e, APK_LU_ENTRY, APK_LU_HEADER + i * APK_LU_ENTRY),
						 APK_LU_ENTRY);
				break;
			}
		}
		close(fd);
		prepare_n(13);
		assert_int_equal(rec(ID[12], 10, "s", "h"), APK_OK);
		assert_use(ID[12], 10, "s", "h");
		free(b);
		b = slurp(used_path(), &len);
		assert_null(memmem(b, len, e, APK_ID_LEN));
	}
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(round_trip),
		T(read_many_in_order),
		T(bad_arguments),
		T(control_bytes_escaped),
		T(long_text_capped),
		T(many_records_never_grow),
		T(full_account_every_slot),
		T(short_file_not_written),
		T(symlink_not_followed),
		T(bad_mode_or_links_refused),
		T(lease_holder_not_waited_for),
		T(missing_file_skipped),
		T(other_accounts_file_refused),
		T(torn_slot_reads_never),
		T(reused_slot_starts_never),
		T(prepare_creates_private_file),
		T(assign_at_needs_no_store),
		T(prepare_grows_and_shrinks_keeping_times),
		T(prepare_removes_file_for_no_keys),
		T(prepare_refuses_bad_sets),
		T(prepare_replaces_bad_files),
#undef T
	};
	/* chown to another account needs root (CI runs as root); the second
	 * group the helper account too (make install creates it). cmocka's own
	 * skip() prints "not ok", so skips are reported here in TAP. */
	const struct CMUnitTest root_tests[] = {
		cmocka_unit_test_setup_teardown(wrong_owner_refused, setup, teardown),
	};
	const struct CMUnitTest helper_tests[] = {
		cmocka_unit_test_setup_teardown(helper_owned_file_written_by_root, setup, teardown),
	};
	int root = geteuid() == 0, helper = root && getpwnam(APK_HELPER_USER) != NULL;
	int rc;

	if (apk_crypto_init() != APK_OK)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (root)
		rc |= cmocka_run_group_tests(root_tests, NULL, NULL);
	else
		printf("ok %zu # SKIP %s: chown needs root\n", N_ELEM(tests) + 1,
		       root_tests[0].name);
	if (helper)
		rc |= cmocka_run_group_tests(helper_tests, NULL, NULL);
	else
		printf("ok %zu # SKIP %s: needs root and the account %s\n", N_ELEM(tests) + 2,
		       helper_tests[0].name, APK_HELPER_USER);
	return rc;
}
