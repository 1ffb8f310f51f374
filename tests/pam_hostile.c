/* pam_hostile.c - pam_apikey against a hostile world, through the real libpam
 * (cmocka; no root needed, a few extra cases when root).
 *
 * What a remote guesser or a careless administrator can put in front of the
 * module: odd files and directories at the database path, a writer holding
 * the lock, crafted records, user names built to match another account,
 * every near-miss of a key, module arguments it must refuse. Also: the
 * answers table row by row, the failure delay, no leaked descriptor, and
 * nothing secret (nor raw control bytes) in any log line.
 *
 * The module's pam_syslog/pam_vsyslog and pam_fail_delay calls land in this
 * program's definitions below (an executable's symbols come first in the
 * module's lookup scope): every log line is captured, and the requested
 * delay is recorded before libpam's own pam_fail_delay is called.
 * Crafted records are written by build/tests/hostile_tool (FORMAT.md 3.1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <grp.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include <security/pam_ext.h>

#include "keyfmt.h"
#include "pam_harness.h"
#include "test_db.h"
#include "verify.h"

static struct test_db T;
static char conf[PATH_MAX];
static char my_key[APK_KEY_LEN + 1], other_key[APK_KEY_LEN + 1], fresh_key[APK_KEY_LEN + 1];
static const char *OTHER = "daemon";
static const char *nokeys_user; /* a real account without keys */

/* ---- captured log lines ------------------------------------------------ */

static char logbuf[1 << 20];
static size_t loglen;
static unsigned log_calls, log_multiline, log_ctl;

void pam_vsyslog(const pam_handle_t *pamh, int priority, const char *fmt, va_list args)
{
	char line[8192];
	size_t n, i;

	(void)pamh;
	(void)priority;
	if (vsnprintf(line, sizeof(line), fmt, args) < 0)
		return;
	log_calls++;
	n = strlen(line);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c == '\n')
			log_multiline++;
		else if (c < 0x20 || c == 0x7f)
			log_ctl++;
	}
	if (loglen + n + 2 < sizeof(logbuf)) {
		memcpy(logbuf + loglen, line, n);
		loglen += n;
		logbuf[loglen++] = '\n';
		logbuf[loglen] = '\0';
	}
}

void pam_syslog(const pam_handle_t *pamh, int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pam_vsyslog(pamh, priority, fmt, ap);
	va_end(ap);
}

/* ---- requested failure delays -------------------------------------------- */

static unsigned delay_calls, delay_usec;

int pam_fail_delay(pam_handle_t *pamh, unsigned int usec)
{
	static int (*real)(pam_handle_t *, unsigned int);

	delay_calls++;
	delay_usec = usec;
	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "pam_fail_delay");
	return real != NULL ? real(pamh, usec) : PAM_SYSTEM_ERR;
}

/* The application's PAM_FAIL_DELAY function: libpam hands it the
 * randomised delay instead of sleeping. */
static unsigned cb_calls, cb_delay;
static int cb_status;

static void delay_fn(int status, unsigned usec, void *appdata)
{
	(void)appdata;
	cb_calls++;
	cb_delay = usec;
	cb_status = status;
}

/* ---- secrets presented, to look for in the logs --------------------------- */

static char *secrets[512];
static size_t nsecrets;

static void remember(const char *s, size_t n)
{
	if (n >= 12 && nsecrets < sizeof(secrets) / sizeof(secrets[0]))
		secrets[nsecrets++] = strndup(s, n);
}

/* A response: a key-shaped one gives its secret part, anything else all of it. */
static void remember_response(const char *r)
{
	size_t n = strlen(r);

	if (n >= APK_KEY_PREFIX_LEN + APK_ID_LEN + 12 && strncmp(r, "apk_", 4) == 0)
		remember(r + APK_KEY_PREFIX_LEN + APK_ID_LEN,
			 n - APK_KEY_PREFIX_LEN - APK_ID_LEN > APK_SECRET_LEN
				 ? APK_SECRET_LEN : n - APK_KEY_PREFIX_LEN - APK_ID_LEN);
	else
		remember(r, n);
}

/* ---- running the module -------------------------------------------------- */

struct run_opts {
	const char *rhost;   /* NULL: a plain address */
	int delay_fn;        /* install the PAM_FAIL_DELAY function */
	int fds_check;       /* compare /proc/self/fd around pam_authenticate */
};

static int fd_set_of(unsigned char set[1024])
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int dfd;

	memset(set, 0, 1024);
	if (d == NULL)
		return -1;
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		long fd = strtol(de->d_name, NULL, 10);
		if (de->d_name[0] != '.' && fd >= 0 && fd < 1024 && fd != dfd)
			set[fd] = 1;
	}
	closedir(d);
	return 0;
}

static unsigned fd_new, fd_new_nocloexec, fd_new_db, fd_left;

static void fds_compare(const unsigned char before[1024], int after_end)
{
	unsigned char now[1024];
	char p[64], target[PATH_MAX];
	ssize_t n;
	int fd;

	assert_int_equal(fd_set_of(now), 0);
	for (fd = 0; fd < 1024; fd++) {
		if (!now[fd] || before[fd])
			continue;
		if (after_end) {
			fd_left++;
			continue;
		}
		fd_new++;
		if ((fcntl(fd, F_GETFD) & FD_CLOEXEC) == 0)
			fd_new_nocloexec++;
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		n = readlink(p, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			if (strncmp(target, T.dir, strlen(T.dir)) == 0)
				fd_new_db++;
			print_message("# new fd %d after pam_authenticate: %s\n", fd, target);
		}
	}
}

static int run(const char *svc, const char *user, const char *response, const struct run_opts *o,
	       struct conv_script *cs)
{
	struct pam_conv conv = { harness_conv, cs };
	unsigned char before[1024];
	pam_handle_t *pamh = NULL;
	int rc;

	cs->response = response;
	cs->prompts = 0;
	cs->last_prompt[0] = '\0';
	if (response != NULL)
		remember_response(response);
	rc = pam_start_confdir(svc, user, &conv, conf, &pamh);
	if (rc != PAM_SUCCESS)
		return -1000 - rc;
	pam_set_item(pamh, PAM_RHOST, o != NULL && o->rhost != NULL ? o->rhost : "203.0.113.7");
	if (o != NULL && o->delay_fn) {
		union { void (*fn)(int, unsigned, void *); const void *p; } u;

		u.fn = delay_fn;
		pam_set_item(pamh, PAM_FAIL_DELAY, u.p);
	}
	if (o != NULL && o->fds_check)
		assert_int_equal(fd_set_of(before), 0);
	rc = pam_authenticate(pamh, 0);
	if (o != NULL && o->fds_check)
		fds_compare(before, 0);
	pam_end(pamh, rc);
	if (o != NULL && o->fds_check)
		fds_compare(before, 1);
	return rc;
}

static int auth(const char *svc, const char *user, const char *response)
{
	struct conv_script cs;

	return run(svc, user, response, NULL, &cs);
}

/* The same in a child, killed after `seconds`: a module that blocks (on a
 * FIFO, say) fails the test instead of hanging it. -1 on timeout. */
struct log_report {
	unsigned calls, multiline, ctl;
	size_t len;
};

/* The child's log lines go back to the parent through a pipe, so that the
 * final check sees every line. */
static void log_send(int fd, size_t mark)
{
	struct log_report r = { log_calls, log_multiline, log_ctl, loglen - mark };

	if (write(fd, &r, sizeof(r)) != (ssize_t)sizeof(r) ||
	    write(fd, logbuf + mark, r.len) != (ssize_t)r.len)
		_exit(120);
}

static void log_receive(int fd)
{
	struct log_report r;
	ssize_t n;
	size_t got = 0;

	if (read(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		return;
	log_calls += r.calls;
	log_multiline += r.multiline;
	log_ctl += r.ctl;
	while (got < r.len && loglen + 1 < sizeof(logbuf)) {
		size_t want = r.len - got;
		if (want > sizeof(logbuf) - loglen - 1)
			want = sizeof(logbuf) - loglen - 1;
		n = read(fd, logbuf + loglen, want);
		if (n <= 0)
			break;
		loglen += (size_t)n;
		got += (size_t)n;
	}
	logbuf[loglen] = '\0';
}

static int auth_timeout(const char *svc, const char *user, const char *response, int seconds)
{
	pid_t pid;
	int status, i, p[2], rc = -1;

	if (response != NULL)
		remember_response(response);
	assert_int_equal(pipe(p), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		size_t mark = loglen;

		close(p[0]);
		log_calls = log_multiline = log_ctl = 0;
		rc = auth(svc, user, response);
		log_send(p[1], mark);
		_exit(rc & 0x7f);
	}
	close(p[1]);
	for (i = 0; i < seconds * 100; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : -2;
			log_receive(p[0]);
			close(p[0]);
			return rc;
		}
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(p[0]);
	return -1;
}

static void service(const char *name, const char *db, const char *args)
{
	char lines[PATH_MAX + 4096];

	snprintf(lines, sizeof(lines), "auth required %%M db=%s %s\n", db, args);
	write_service(conf, name, lines);
}

/* ---- scratch database copies ---------------------------------------------- */

struct scratch {
	char dir[PATH_MAX];   /* the database directory */
	char db[PATH_MAX];    /* = dir, what db= names */
	char file[PATH_MAX + 32]; /* my account's file */
	char decoy[PATH_MAX + 32];
};

static uid_t uid_of(const char *name)
{
	struct passwd *pw = getpwnam(name);

	assert_non_null(pw);
	return pw->pw_uid;
}

/* dir/u<uid> (the store's layout, common/store.h) */
static void account_file(const char *dir, uid_t uid, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/u%u", dir, (unsigned)uid);
}

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0600);

	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	if (n != 0)
		print_message("# copy %s: %s\n", from, strerror(errno));
	assert_int_equal(n, 0);
	close(in);
	assert_int_equal(close(out), 0);
}

static void write_garbage(const char *path)
{
	static const char junk[] = "GDBM? no: just a text file where the database should be\n";
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, junk, sizeof(junk) - 1), (ssize_t)sizeof(junk) - 1);
	assert_int_equal(close(fd), 0);
}

/* A private database directory inside T.dir holding a copy of the test
 * database's files (or nothing). */
static void scratch_new(struct scratch *s, int with_copy)
{
	char from[PATH_MAX + 32], to[PATH_MAX + 32];
	const char *users[2];
	size_t i;

	users[0] = me();
	users[1] = OTHER;
	snprintf(s->dir, sizeof(s->dir), "%s/s-XXXXXX", T.dir);
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->db, sizeof(s->db), "%s", s->dir);
	account_file(s->dir, getuid(), s->file, sizeof(s->file));
	snprintf(s->decoy, sizeof(s->decoy), "%s/decoy", s->dir);
	if (!with_copy)
		return;
	for (i = 0; i < 2; i++) {
		account_file(T.dir, uid_of(users[i]), from, sizeof(from));
		account_file(s->dir, uid_of(users[i]), to, sizeof(to));
		copy_file(from, to);
	}
	snprintf(from, sizeof(from), "%s/decoy", T.dir);
	copy_file(from, s->decoy);
}

/* Every entry of dir with inode, type, mode, owner, size and mtime. */
static void dir_state(const char *dir, char *out, size_t outsz)
{
	struct dirent **list;
	struct stat st;
	char p[PATH_MAX + 300];
	size_t len = 0;
	int n, i;

	out[0] = '\0';
	n = scandir(dir, &list, NULL, alphasort);
	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, list[i]->d_name);
		if (lstat(p, &st) == 0 && len < outsz)
			len += (size_t)snprintf(out + len, outsz - len, "%s:%lu:%o:%u:%lld:%ld.%09ld;",
						list[i]->d_name, (unsigned long)st.st_ino,
						(unsigned)st.st_mode, (unsigned)st.st_uid,
						(long long)st.st_size, (long)st.st_mtim.tv_sec,
						st.st_mtim.tv_nsec);
		free(list[i]);
	}
	free(list);
}

static const char *tool(void)
{
	static char path[PATH_MAX];
	const char *b = getenv("APK_BUILD");

	snprintf(path, sizeof(path), "%s/tests/hostile_tool", b != NULL ? b : "build");
	return path;
}

static int craft(const char *db, const char *token, const char *mode)
{
	char cmd[PATH_MAX * 2 + 128];

	snprintf(cmd, sizeof(cmd), "'%s' craft '%s' %u '%.12s' %s", tool(), db,
		 (unsigned)getuid(), token + APK_KEY_PREFIX_LEN, mode);
	return system(cmd);
}

/* ---- setup ----------------------------------------------------------------- */

static int setup(void **state)
{
	struct apk_account mine, other;
	struct apk_key k;

	(void)state;
	if (apk_crypto_init() != APK_OK)
		return -1;
	test_db_init(&T);
	snprintf(conf, sizeof(conf), "%s/pam.d", T.dir);
	if (mkdir(conf, 0700) != 0)
		return -1;
	mine = test_account(me(), -1);
	other = test_account(OTHER, -1);
	if (test_generate(&T, &mine, "mine", my_key) != APK_OK ||
	    test_generate(&T, &other, "theirs", other_key) != APK_OK)
		return -1;
	apk_key_generate(&k);
	apk_key_format(&k, fresh_key);
	apk_key_wipe(&k);
	remember_response(my_key);
	remember_response(other_key);
	nokeys_user = strcmp(me(), "root") == 0 ? "bin" : "root";
	write_service(conf, "other", "auth required pam_deny.so\n"); /* libpam logs its absence */
	service("plain", T.path, "nodelay");
	service("debugging", T.path, "nodelay debug");
	if (access(tool(), X_OK) != 0) {
		fprintf(stderr, "# %s missing: run make tests\n", tool());
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_db_remove(&T);
	return 0;
}

/* ---- files and paths ---------------------------------------------------------- */

/* The module refuses (PAM_AUTHINFO_UNAVAIL), never blocks, and creates or
 * changes nothing in the directory. */
static void expect_unavail(const char *what, const struct scratch *s, const char *db,
			   const char *user, const char *key)
{
	char before[8192], after[8192];
	int rc;

	dir_state(s->dir, before, sizeof(before));
	service("scratch", db, "nodelay");
	rc = auth_timeout("scratch", user, key, 10);
	dir_state(s->dir, after, sizeof(after));
	if (rc != PAM_AUTHINFO_UNAVAIL)
		print_message("# %s: got %d (%s)\n", what, rc,
			      rc >= 0 ? pam_strerror(NULL, rc) : "timeout");
	assert_int_equal(rc, PAM_AUTHINFO_UNAVAIL);
	if (strcmp(before, after) != 0)
		print_message("# %s: directory changed:\n#  %s\n#  %s\n", what, before, after);
	assert_string_equal(before, after);
}

/* Something planted at one file of the database (my account's file, or the
 * decoy that an account without a file reads) is refused. */
static void unsafe_files(const char *which, int decoy)
{
	const char *user = decoy ? nokeys_user : me(), *key = decoy ? fresh_key : my_key;
	struct passwd *nobody = getpwnam("nobody");
	struct sockaddr_un sa;
	struct scratch s;
	char path[PATH_MAX + 64], what[128];
	const char *target;
	int fd;

#define PLANT(desc) snprintf(what, sizeof(what), "%s: %s", which, desc)
	scratch_new(&s, 1);
	target = decoy ? s.decoy : s.file;
	assert_int_equal(unlink(target), 0);
	assert_int_equal(mkfifo(target, 0600), 0);
	PLANT("FIFO");
	expect_unavail(what, &s, s.db, user, key);

	scratch_new(&s, 1);
	assert_int_equal(unlink(target = decoy ? s.decoy : s.file), 0);
	assert_int_equal(mkdir(target, 0700), 0);
	PLANT("directory");
	expect_unavail(what, &s, s.db, user, key);

	scratch_new(&s, 1);
	assert_int_equal(unlink(target = decoy ? s.decoy : s.file), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	if (strlen(target) < sizeof(sa.sun_path)) {
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", target);
		assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		assert_int_equal(listen(fd, 1), 0);
		PLANT("listening socket");
		expect_unavail(what, &s, s.db, user, key);
	}
	close(fd);

	scratch_new(&s, 1);
	target = decoy ? s.decoy : s.file;
	snprintf(path, sizeof(path), "%s/fifo", s.dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(unlink(target), 0);
	assert_int_equal(symlink(path, target), 0);
	PLANT("symlink to a FIFO");
	expect_unavail(what, &s, s.db, user, key);

	scratch_new(&s, 1);
	target = decoy ? s.decoy : s.file;
	snprintf(path, sizeof(path), "%s.real", target);
	assert_int_equal(rename(target, path), 0);
	assert_int_equal(symlink(path, target), 0);
	PLANT("symlink to the real file");
	expect_unavail(what, &s, s.db, user, key);

	scratch_new(&s, 1);
	target = decoy ? s.decoy : s.file;
	assert_int_equal(unlink(target), 0);
	assert_int_equal(symlink("/nonexistent/u0", target), 0);
	PLANT("dangling symlink");
	expect_unavail(what, &s, s.db, user, key);

	scratch_new(&s, 1);
	target = decoy ? s.decoy : s.file;
	snprintf(path, sizeof(path), "%s/hardlink", s.dir);
	assert_int_equal(link(target, path), 0);
	PLANT("hard link");
	expect_unavail(what, &s, s.db, user, key);

	scratch_new(&s, 1);
	target = decoy ? s.decoy : s.file;
	assert_int_equal(chmod(target, 0640), 0);
	PLANT("readable by its group");
	expect_unavail(what, &s, s.db, user, key);
	assert_int_equal(chmod(target, 0620), 0);
	PLANT("writable by its group");
	expect_unavail(what, &s, s.db, user, key);
	assert_int_equal(chmod(target, 0604), 0);
	PLANT("readable by others");
	expect_unavail(what, &s, s.db, user, key);

	scratch_new(&s, 1);
	target = decoy ? s.decoy : s.file;
	assert_int_equal(truncate(target, 0), 0);
	PLANT("empty");
	expect_unavail(what, &s, s.db, user, key);

	scratch_new(&s, 1);
	target = decoy ? s.decoy : s.file;
	assert_int_equal(truncate(target, 1024), 0);
	PLANT("truncated");
	expect_unavail(what, &s, s.db, user, key);

	scratch_new(&s, 1);
	target = decoy ? s.decoy : s.file;
	assert_int_equal(unlink(target), 0);
	write_garbage(target);
	PLANT("not a gdbm file");
	expect_unavail(what, &s, s.db, user, key);

	if (getuid() == 0 && nobody != NULL) {
		scratch_new(&s, 1);
		target = decoy ? s.decoy : s.file;
		assert_int_equal(chown(target, nobody->pw_uid, (gid_t)-1), 0);
		PLANT("owned by nobody");
		expect_unavail(what, &s, s.db, user, key);
	}
#undef PLANT
}

static void unsafe_account_file(void **state)
{
	struct scratch s;

	(void)state;
	/* sanity: a good copy works, so each refusal is for its reason */
	scratch_new(&s, 1);
	service("scratch", s.db, "nodelay");
	assert_int_equal(auth_timeout("scratch", me(), my_key, 10), PAM_SUCCESS);
	unsafe_files("account file", 0);
}

static void unsafe_decoy(void **state)
{
	struct scratch s;

	(void)state;
	scratch_new(&s, 1);
	service("scratch", s.db, "nodelay");
	assert_int_equal(auth_timeout("scratch", nokeys_user, fresh_key, 10), PAM_AUTH_ERR);
	unsafe_files("decoy", 1);
}

/* A symlink at the path db= names, even to a good database directory:
 * refused like a symlink at any other path of the database. */
static void symlink_at_database_path(void **state)
{
	struct scratch s, outer;
	char path[PATH_MAX + 64];
	int rc;

	(void)state;
	scratch_new(&outer, 0);
	scratch_new(&s, 1);
	snprintf(path, sizeof(path), "%s/link", outer.dir);
	assert_int_equal(symlink(s.dir, path), 0);
	service("scratch", path, "nodelay");
	rc = auth_timeout("scratch", me(), my_key, 10);
	if (rc != PAM_AUTHINFO_UNAVAIL)
		print_message("# symlink at the database path: got %d (%s): followed\n", rc,
			      rc >= 0 ? pam_strerror(NULL, rc) : "timeout");
	assert_int_equal(rc, PAM_AUTHINFO_UNAVAIL);
}

static void unsafe_directory(void **state)
{
	struct passwd *nobody = getpwnam("nobody");
	struct scratch s, outer;
	char path[PATH_MAX + 64];

	(void)state;
	scratch_new(&s, 1);
	assert_int_equal(chmod(s.dir, 0770), 0);
	expect_unavail("directory writable by its group", &s, s.db, me(), my_key);
	assert_int_equal(chmod(s.dir, 01777), 0);
	expect_unavail("sticky directory writable by everyone", &s, s.db, me(), my_key);
	assert_int_equal(chmod(s.dir, 0730), 0);
	expect_unavail("directory writable by its group, not readable", &s, s.db, me(), my_key);
	assert_int_equal(chmod(s.dir, 0702), 0);
	expect_unavail("directory writable by others, not readable", &s, s.db, me(), my_key);
	assert_int_equal(chmod(s.dir, 0700), 0);
	if (getuid() == 0 && nobody != NULL) {
		assert_int_equal(chown(s.dir, nobody->pw_uid, (gid_t)-1), 0);
		expect_unavail("directory owned by nobody", &s, s.db, me(), my_key);
		assert_int_equal(chown(s.dir, 0, (gid_t)-1), 0);
	} else {
		print_message("# not root: no directory owned by another account\n");
	}

	/* not a directory at all, at the path db= names */
	scratch_new(&outer, 0);
	snprintf(path, sizeof(path), "%s/fifo", outer.dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	expect_unavail("FIFO at the database path", &outer, path, me(), my_key);
	snprintf(path, sizeof(path), "%s/file", outer.dir);
	write_garbage(path);
	expect_unavail("regular file at the database path", &outer, path, me(), my_key);
	snprintf(path, sizeof(path), "%s/dangling", outer.dir);
	assert_int_equal(symlink("/nonexistent/db", path), 0);
	expect_unavail("dangling symlink at the database path", &outer, path, me(), my_key);
	snprintf(path, sizeof(path), "%s/missing", outer.dir);
	expect_unavail("nothing at the database path", &outer, path, me(), my_key);

	/* well-known places that are not a private database directory */
	service("scratch", "/tmp", "nodelay");
	assert_int_equal(auth_timeout("scratch", me(), my_key, 10), PAM_AUTHINFO_UNAVAIL);
	service("scratch", "/dev/null", "nodelay");
	assert_int_equal(auth_timeout("scratch", me(), my_key, 10), PAM_AUTHINFO_UNAVAIL);
	service("scratch", "/etc/passwd", "nodelay");
	assert_int_equal(auth_timeout("scratch", me(), my_key, 10), PAM_AUTHINFO_UNAVAIL);
}

/* A database the caller cannot read: PAM_AUTHINFO_UNAVAIL. As root the
 * transaction is started, then the child becomes nobody. */
static void unreadable_database(void **state)
{
	struct passwd *nobody = getpwnam("nobody");
	struct scratch s;
	pid_t pid;
	int status;

	(void)state;
	scratch_new(&s, 1);
	service("scratch", s.db, "nodelay");
	if (getuid() != 0) {
		assert_int_equal(chmod(s.file, 0000), 0);
		assert_int_equal(auth_timeout("scratch", me(), my_key, 10), PAM_AUTHINFO_UNAVAIL);
		assert_int_equal(chmod(s.file, 0600), 0);
		assert_int_equal(chmod(s.dir, 0000), 0);
		assert_int_equal(auth_timeout("scratch", me(), my_key, 10), PAM_AUTHINFO_UNAVAIL);
		assert_int_equal(chmod(s.dir, 0700), 0);
		return;
	}
	assert_non_null(nobody);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct conv_script cs = { my_key, 0, "" };
		struct pam_conv conv = { harness_conv, &cs };
		pam_handle_t *pamh = NULL;
		int rc;

		if (pam_start_confdir("scratch", me(), &conv, conf, &pamh) != PAM_SUCCESS)
			_exit(100);
		if (setgroups(0, NULL) != 0 || setresgid(nobody->pw_gid, nobody->pw_gid, nobody->pw_gid) != 0 ||
		    setresuid(nobody->pw_uid, nobody->pw_uid, nobody->pw_uid) != 0)
			_exit(101);
		rc = pam_authenticate(pamh, 0);
		_exit(rc & 0x7f);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), PAM_AUTHINFO_UNAVAIL);
}

/* The module is a reader: a writer's lock, or anything at u<uid>.lock and
 * u<uid>.new, changes nothing for a login, and a login creates no file. */
static void logins_ignore_the_writer_lock(void **state)
{
	struct scratch s;
	char lock[PATH_MAX + 32], newp[PATH_MAX + 32], before[8192], after[8192];
	struct timespec t0, t1;
	int fd;

	(void)state;
	scratch_new(&s, 1);
	service("scratch", s.db, "nodelay");
	dir_state(s.dir, before, sizeof(before));
	assert_int_equal(auth_timeout("scratch", me(), my_key, 10), PAM_SUCCESS);
	assert_int_equal(auth_timeout("scratch", me(), "apk_wrong", 10), PAM_AUTH_ERR);
	dir_state(s.dir, after, sizeof(after));
	assert_string_equal(before, after); /* no lock, no .new, no decoy made */

	snprintf(lock, sizeof(lock), "%s.lock", s.file);
	fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(auth_timeout("scratch", me(), my_key, 10), PAM_SUCCESS);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 1000);
	close(fd);

	assert_int_equal(unlink(lock), 0);
	assert_int_equal(mkfifo(lock, 0600), 0);
	snprintf(newp, sizeof(newp), "%s.new", s.file);
	assert_int_equal(symlink("/etc/passwd", newp), 0);
	assert_int_equal(auth_timeout("scratch", me(), my_key, 10), PAM_SUCCESS);
}

/* ---- user names ------------------------------------------------------------------ */

static void hostile_user_names(void **state)
{
	const char *bases[2];
	char names[32][512];
	size_t i, n = 0, b;
	int rc;

	(void)state;
	bases[0] = me();
	bases[1] = OTHER;
	assert_int_equal(auth("plain", bases[0], my_key), PAM_SUCCESS);
	assert_int_equal(auth("plain", bases[1], other_key), PAM_SUCCESS);
	for (b = 0; b < 2; b++) {
		const char *u = bases[b], *key = b == 0 ? my_key : other_key;
		char upper[256];

		n = 0;
		snprintf(names[n++], 512, "%s:", u);
		snprintf(names[n++], 512, "%s\n", u);
		snprintf(names[n++], 512, "%s ", u);
		snprintf(names[n++], 512, " %s", u);
		snprintf(names[n++], 512, "%s\t", u);
		snprintf(names[n++], 512, "%s\r", u);
		snprintf(names[n++], 512, "-%s", u);
		snprintf(names[n++], 512, "+%s", u);
		snprintf(names[n++], 512, "%s:x:0:0::/:/bin/sh", u);
		snprintf(names[n++], 512, "%s/", u);
		snprintf(names[n++], 512, "../%s", u);
		snprintf(names[n++], 512, "%s\n%s", u, u);
		snprintf(names[n++], 512, "%s\033[2K", u);
		snprintf(names[n++], 512, "%s$", u);
		snprintf(names[n++], 512, "%s%%n%%s", u);
		snprintf(names[n++], 512, "%s\302\240", u); /* no-break space */
		snprintf(names[n++], 512, "%.*s", 300,
			 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
		memset(names[n], 'x', 300);
		memcpy(names[n], u, strlen(u));
		names[n++][300] = '\0';
		snprintf(upper, sizeof(upper), "%s", u);
		for (i = 0; upper[i] != '\0'; i++)
			if (upper[i] >= 'a' && upper[i] <= 'z')
				upper[i] = (char)(upper[i] - 'a' + 'A');
		snprintf(names[n++], 512, "%s", upper);
		snprintf(names[n++], 512, "%%s%%n%%x");
		snprintf(names[n++], 512, "%s", "");
		for (i = 0; i < n; i++) {
			rc = auth_timeout("plain", names[i], key, 10);
			if (rc != PAM_USER_UNKNOWN && rc != PAM_AUTH_ERR)
				print_message("# user name %zu based on %s: got %d\n", i, u, rc);
			assert_true(rc == PAM_USER_UNKNOWN || rc == PAM_AUTH_ERR);
		}
	}
}

/* ---- the presented key -------------------------------------------------------------- */

static void expect_refused(const char *what, const char *response)
{
	struct conv_script cs;
	int rc = run("debugging", me(), response, NULL, &cs);

	if (rc != PAM_AUTH_ERR)
		print_message("# %s: got %d\n", what, rc);
	assert_int_equal(rc, PAM_AUTH_ERR);
	assert_int_equal(cs.prompts, 1);
}

static void near_miss_keys(void **state)
{
	char buf[70000], what[64];
	struct apk_record rec;
	struct apk_key k;
	size_t n = strlen(my_key), i;

	(void)state;
	assert_int_equal(auth("debugging", me(), my_key), PAM_SUCCESS);
	for (i = 1; i < n; i += (i < 8 || i > n - 8) ? 1 : 7) {
		snprintf(buf, sizeof(buf), "%.*s", (int)i, my_key);
		snprintf(what, sizeof(what), "first %zu characters", i);
		expect_refused(what, buf);
	}
	for (i = 0; i < n; i++) { /* one character's case flipped, anywhere */
		char c = my_key[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			continue;
		snprintf(buf, sizeof(buf), "%s", my_key);
		buf[i] = (char)(c ^ 0x20);
		snprintf(what, sizeof(what), "case of character %zu flipped", i);
		expect_refused(what, buf);
	}
	snprintf(buf, sizeof(buf), "%s", my_key);
	for (i = 0; i < n; i++)
		if ((buf[i] >= 'a' && buf[i] <= 'z') || (buf[i] >= 'A' && buf[i] <= 'Z'))
			buf[i] = (char)(buf[i] ^ 0x20);
	expect_refused("every letter's case flipped", buf);
	snprintf(buf, sizeof(buf), "%s", my_key);
	for (i = 0; i < n; i++)
		buf[i] = buf[i] == '-' ? '+' : buf[i] == '_' ? '/' : buf[i];
	if (strcmp(buf, my_key) != 0)
		expect_refused("standard base64 alphabet", buf);
	snprintf(buf, sizeof(buf), "APK_%s", my_key + 4);
	expect_refused("upper-case prefix", buf);
	snprintf(buf, sizeof(buf), "%s\n", my_key);
	expect_refused("key and a newline", buf);
	snprintf(buf, sizeof(buf), "%s\r\n", my_key);
	expect_refused("key and CR LF", buf);
	snprintf(buf, sizeof(buf), " %s", my_key);
	expect_refused("a space and the key", buf);
	snprintf(buf, sizeof(buf), "%s ", my_key);
	expect_refused("the key and a space", buf);
	snprintf(buf, sizeof(buf), "%s%s", my_key, my_key);
	expect_refused("the key twice", buf);
	snprintf(buf, sizeof(buf), "%s=", my_key);
	expect_refused("the key with base64 padding", buf);
	snprintf(buf, sizeof(buf), "%s", my_key + 4);
	expect_refused("the key without its prefix", buf);
	snprintf(buf, sizeof(buf), "%.60s%.8s", other_key, my_key + 60);
	expect_refused("another key's id and secret with this checksum", buf);
	snprintf(buf, sizeof(buf), "%.16s%s", my_key, other_key + 16);
	expect_refused("this id with another key's secret and checksum", buf);
	expect_refused("a password typed at the key prompt", "correct horse battery staple");
	/* responses at and over PAM_MAX_RESP_SIZE, starting with the right key */
	for (i = 0; i < 4; i++) {
		size_t len = i == 0 ? 512 : i == 1 ? 513 : i == 2 ? 4096 : 65536;
		memset(buf, 'A', len);
		memcpy(buf, my_key, n);
		buf[len] = '\0';
		snprintf(what, sizeof(what), "%zu-byte response", len);
		expect_refused(what, buf);
	}
	/* an embedded NUL: the conversation gives C strings, so check the
	 * length-counted parser and verifier directly */
	memcpy(buf, my_key, n);
	for (i = 4; i < n; i += 9) {
		char save = buf[i];
		buf[i] = '\0';
		assert_int_equal(apk_key_parse(buf, n, &k), APK_ERR_BADKEY);
		assert_int_equal(apk_verify(T.path, me(), buf, n, &rec), APK_ERR_BADKEY);
		buf[i] = save;
	}
	assert_int_equal(apk_verify(T.path, me(), buf, n, &rec), APK_OK);
	assert_int_equal(auth("debugging", me(), my_key), PAM_SUCCESS);
}

/* ---- crafted records --------------------------------------------------------------- */

static void crafted_records(void **state)
{
	static const struct {
		const char *mode;
		int want;
	} cases[] = {
		{ "same", PAM_SUCCESS },
		{ "name-esc", PAM_AUTHINFO_UNAVAIL },
		{ "name-nul", PAM_AUTHINFO_UNAVAIL },
		{ "desc-nl", PAM_AUTHINFO_UNAVAIL },
		{ "desc-esc", PAM_AUTHINFO_UNAVAIL },
		{ "desc-bidi", PAM_AUTHINFO_UNAVAIL },
		{ "desc-badutf8", PAM_AUTHINFO_UNAVAIL },
		{ "owner-nl", PAM_AUTHINFO_UNAVAIL },
		{ "digest-empty", PAM_AUTHINFO_UNAVAIL },
		{ "digest-prefix", PAM_AUTHINFO_UNAVAIL },
		{ "digest-short", PAM_AUTHINFO_UNAVAIL },
		{ "digest-long", PAM_AUTHINFO_UNAVAIL },
		{ "digest-missing", PAM_AUTHINFO_UNAVAIL },
		{ "digest-twice", PAM_AUTHINFO_UNAVAIL },
		{ "critical-tag", PAM_AUTHINFO_UNAVAIL },
		{ "id-other", PAM_AUTHINFO_UNAVAIL },
		{ "trailing-byte", PAM_AUTHINFO_UNAVAIL },
		{ "digest-zero", PAM_AUTH_ERR },
		{ "digest-ff", PAM_AUTH_ERR },
	};
	struct scratch s;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		scratch_new(&s, 1);
		assert_int_equal(craft(s.db, my_key, cases[i].mode), 0);
		service("crafted", s.db, "nodelay");
		rc = auth_timeout("crafted", me(), my_key, 10);
		if (rc != cases[i].want)
			print_message("# crafted record %s: got %d, want %d\n", cases[i].mode, rc,
				      cases[i].want);
		assert_int_equal(rc, cases[i].want);
		/* one bad record locks out nobody else */
		assert_int_equal(auth_timeout("crafted", OTHER, other_key, 10), PAM_SUCCESS);
	}
}

/* ---- the answers table ------------------------------------------------------------- */

static void answers_table(void **state)
{
	struct scratch missing, garbage, open_mode;
	char forged[APK_KEY_LEN + 1], fresh[APK_KEY_LEN + 1], lines[PATH_MAX + 512];
	struct apk_key k;
	struct conv_script cs;
	static const char *const bad_args[] = {
		"frobnicate", "db=", "db", "DB=/tmp/x", "nodelay=1", "debug=yes",
		"nokeys_ignore=0", "prompt", "=", "use_first_pass=1",
		"prompt=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	size_t i;
	int rc;

	(void)state;
	assert_int_equal(apk_key_parse(my_key, APK_KEY_LEN, &k), APK_OK);
	k.secret[5] ^= 0x10;
	apk_key_format(&k, forged);
	apk_key_generate(&k);
	apk_key_format(&k, fresh);
	apk_key_wipe(&k);

	/* one module, required: pam_authenticate returns its code */
	assert_int_equal(auth("plain", me(), my_key), PAM_SUCCESS);
	assert_int_equal(auth("plain", me(), forged), PAM_AUTH_ERR);
	assert_int_equal(auth("plain", me(), fresh), PAM_AUTH_ERR);
	assert_int_equal(auth("plain", me(), "apk_not-a-key"), PAM_AUTH_ERR);
	assert_int_equal(auth("plain", me(), other_key), PAM_AUTH_ERR);
	assert_int_equal(auth("plain", "apk-no-such-user", my_key), PAM_USER_UNKNOWN);
	assert_int_equal(auth("plain", "apk-no-such-user", fresh), PAM_USER_UNKNOWN);
	assert_int_equal(auth("plain", nokeys_user, fresh), PAM_AUTH_ERR);
	assert_int_equal(auth("plain", nokeys_user, my_key), PAM_AUTH_ERR);

	scratch_new(&missing, 0);
	snprintf(missing.db, sizeof(missing.db), "%s/missing", missing.dir);
	scratch_new(&garbage, 1);
	assert_int_equal(unlink(garbage.file), 0);
	assert_int_equal(unlink(garbage.decoy), 0);
	write_garbage(garbage.file);
	write_garbage(garbage.decoy);
	scratch_new(&open_mode, 1);
	assert_int_equal(chmod(open_mode.file, 0604), 0);
	assert_int_equal(chmod(open_mode.decoy, 0604), 0);
	service("missing", missing.db, "nodelay");
	service("garbage", garbage.db, "nodelay");
	service("openmode", open_mode.db, "nodelay");
	assert_int_equal(auth("missing", me(), my_key), PAM_AUTHINFO_UNAVAIL);
	assert_int_equal(auth("garbage", me(), my_key), PAM_AUTHINFO_UNAVAIL);
	assert_int_equal(auth("openmode", me(), my_key), PAM_AUTHINFO_UNAVAIL);
	/* a malformed key is refused before the database is looked at */
	assert_int_equal(auth("missing", me(), "apk_not-a-key"), PAM_AUTH_ERR);

	/* PAM_IGNORE, seen through the stack: ignore jumps over pam_deny to
	 * pam_permit (PAM_SUCCESS); any other code ends the stack with itself */
#define PROBE "auth [ignore=1 default=die] %%M db=%s nodelay nokeys_ignore\n" \
	      "auth requisite pam_deny.so\nauth required pam_permit.so\n"
	snprintf(lines, sizeof(lines), PROBE, T.path);
	write_service(conf, "probe", lines);
	snprintf(lines, sizeof(lines), PROBE, missing.db);
	write_service(conf, "probe-missing", lines);
	snprintf(lines, sizeof(lines), PROBE, garbage.db);
	write_service(conf, "probe-garbage", lines);
	snprintf(lines, sizeof(lines), PROBE, open_mode.db);
	write_service(conf, "probe-openmode", lines);
	assert_int_equal(auth("probe", nokeys_user, fresh), PAM_SUCCESS);      /* ignored */
	assert_int_equal(auth("probe", me(), fresh), PAM_AUTH_ERR);
	assert_int_equal(auth("probe", me(), forged), PAM_AUTH_ERR);
	assert_int_equal(auth("probe", "apk-no-such-user", fresh), PAM_USER_UNKNOWN);
	/* never ignored when the database cannot be trusted (CVE-2025-23013) */
	assert_int_equal(auth("probe-missing", nokeys_user, fresh), PAM_AUTHINFO_UNAVAIL);
	assert_int_equal(auth("probe-garbage", nokeys_user, fresh), PAM_AUTHINFO_UNAVAIL);
	assert_int_equal(auth("probe-openmode", nokeys_user, fresh), PAM_AUTHINFO_UNAVAIL);

	/* bad arguments: PAM_SERVICE_ERR before any prompt */
	for (i = 0; i < sizeof(bad_args) / sizeof(bad_args[0]); i++) {
		service("badarg", T.path, bad_args[i]);
		rc = run("badarg", me(), my_key, NULL, &cs);
		if (rc != PAM_SERVICE_ERR)
			print_message("# argument '%s': got %d\n", bad_args[i], rc);
		assert_int_equal(rc, PAM_SERVICE_ERR);
		assert_int_equal(cs.prompts, 0);
	}
	/* a conversation that fails: what pam_get_authtok says, never success */
	rc = run("plain", me(), NULL, NULL, &cs);
	assert_true(rc == PAM_CONV_ERR || rc == PAM_AUTHTOK_ERR);
}

/* ---- the failure delay ---------------------------------------------------------------- */

static void failure_delay(void **state)
{
	struct run_opts o = { NULL, 1, 0 };
	struct conv_script cs;
	struct timespec t0, t1;
	char fresh[APK_KEY_LEN + 1];
	const char *users[] = { NULL, NULL, "apk-no-such-user", NULL };
	const char *resps[4];
	struct apk_key k;
	long ms;
	size_t i;
	int rc;

	(void)state;
	apk_key_generate(&k);
	apk_key_format(&k, fresh);
	apk_key_wipe(&k);
	users[0] = me();
	users[1] = me();
	users[3] = nokeys_user;
	resps[0] = fresh;
	resps[1] = "apk_malformed";
	resps[2] = my_key;
	resps[3] = fresh;
	service("slow", T.path, "");
	for (i = 0; i < 4; i++) {
		delay_calls = cb_calls = 0;
		rc = run("slow", users[i], resps[i], &o, &cs);
		assert_int_not_equal(rc, PAM_SUCCESS);
		assert_int_equal(delay_calls, 1);
		assert_int_equal(delay_usec, 2000000);
		assert_int_equal(cb_calls, 1);
		assert_int_equal(cb_status, rc);
		/* libpam randomises the largest request by up to +-50% */
		assert_in_range(cb_delay, 1000000, 3000000);
		delay_calls = cb_calls = 0;
		rc = run("plain", users[i], resps[i], &o, &cs);
		assert_int_not_equal(rc, PAM_SUCCESS);
		assert_int_equal(delay_calls, 0);
		assert_int_equal(cb_delay, 0);
	}
	/* the real thing, once each way: a failure waits, a success does not */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(auth("slow", me(), fresh), PAM_AUTH_ERR);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	print_message("# a failed login without nodelay took %ld ms\n", ms);
	assert_true(ms >= 950);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(auth("slow", me(), my_key), PAM_SUCCESS);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms < 900);
}

/* ---- descriptors ------------------------------------------------------------------------ */

static void no_descriptor_leaks(void **state)
{
	struct run_opts o = { NULL, 0, 1 };
	struct conv_script cs;
	struct scratch fifo, missing;
	char fresh[APK_KEY_LEN + 1];
	struct apk_key k;

	(void)state;
	apk_key_generate(&k);
	apk_key_format(&k, fresh);
	apk_key_wipe(&k);
	scratch_new(&fifo, 1);
	assert_int_equal(unlink(fifo.file), 0);
	assert_int_equal(mkfifo(fifo.file, 0600), 0);
	scratch_new(&missing, 0);
	snprintf(missing.db, sizeof(missing.db), "%s/missing", missing.dir);
	service("fifo", fifo.db, "nodelay");
	service("missing2", missing.db, "nodelay");
	fd_new = fd_new_nocloexec = fd_new_db = fd_left = 0;
	assert_int_equal(run("plain", me(), my_key, &o, &cs), PAM_SUCCESS);
	assert_int_equal(run("plain", me(), fresh, &o, &cs), PAM_AUTH_ERR);
	assert_int_equal(run("plain", me(), "apk_bad", &o, &cs), PAM_AUTH_ERR);
	assert_int_equal(run("plain", "apk-no-such-user", my_key, &o, &cs), PAM_USER_UNKNOWN);
	assert_int_equal(run("plain", nokeys_user, fresh, &o, &cs), PAM_AUTH_ERR);
	assert_int_equal(run("fifo", me(), my_key, &o, &cs), PAM_AUTHINFO_UNAVAIL);
	assert_int_equal(run("missing2", me(), my_key, &o, &cs), PAM_AUTHINFO_UNAVAIL);
	assert_int_equal(fd_new_nocloexec, 0);
	assert_int_equal(fd_new_db, 0);
	assert_int_equal(fd_new, 0);
	assert_int_equal(fd_left, 0);
}

/* ---- log lines ------------------------------------------------------------------------------ */

static void log_lines_are_escaped(void **state)
{
	struct run_opts o = { "evil\nhost\033[2J", 0, 0 };
	struct conv_script cs;
	unsigned before;
	size_t mark;

	(void)state;
	before = log_calls;
	mark = loglen;
	assert_int_equal(run("plain", "evil\nuser", my_key, NULL, &cs), PAM_USER_UNKNOWN);
	if (log_calls - before != 1)
		print_message("# logged:\n%s", logbuf + mark);
	assert_int_equal(log_calls - before, 1);
	assert_non_null(strstr(logbuf + mark, "evil\\x0auser"));
	before = log_calls;
	mark = loglen;
	assert_int_equal(run("plain", me(), my_key, &o, &cs), PAM_SUCCESS);
	assert_int_equal(log_calls - before, 1);
	assert_non_null(strstr(logbuf + mark, "evil\\x0ahost\\x1b[2J"));
	before = log_calls;
	assert_int_equal(run("plain", me(), "apk_\n\033[31mred", &o, &cs), PAM_AUTH_ERR);
	assert_int_equal(log_calls - before, 1);
	assert_int_equal(log_multiline, 0);
	assert_int_equal(log_ctl, 0);
}

/* Runs last: everything this program presented, against everything logged. */
static void no_secret_in_any_log_line(void **state)
{
	size_t i;

	(void)state;
	assert_true(log_calls > 50);
	assert_true(nsecrets > 50);
	for (i = 0; i < nsecrets; i++) {
		if (strstr(logbuf, secrets[i]) != NULL)
			print_message("# logged: %s\n", secrets[i]);
		assert_null(strstr(logbuf, secrets[i]));
	}
	assert_int_equal(log_multiline, 0);
	assert_int_equal(log_ctl, 0);
	print_message("# %u log lines checked for %zu secrets\n", log_calls, nsecrets);
	for (i = 0; i < nsecrets; i++)
		free(secrets[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unsafe_account_file),
		cmocka_unit_test(unsafe_decoy),
		cmocka_unit_test(unsafe_directory),
		cmocka_unit_test(symlink_at_database_path),
		cmocka_unit_test(unreadable_database),
		cmocka_unit_test(logins_ignore_the_writer_lock),
		cmocka_unit_test(hostile_user_names),
		cmocka_unit_test(near_miss_keys),
		cmocka_unit_test(crafted_records),
		cmocka_unit_test(answers_table),
		cmocka_unit_test(failure_delay),
		cmocka_unit_test(no_descriptor_leaks),
		cmocka_unit_test(log_lines_are_escaped),
		cmocka_unit_test(no_secret_in_any_log_line),
	};
	/* A module that blocks (on a FIFO, say) must fail this program, not hang it. */
	alarm(180);
	return cmocka_run_group_tests(tests, setup, teardown);
}
