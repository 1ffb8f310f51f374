/* hostile_harness.h - what the pam_hostile_* programs share: pam_apikey
 * against a hostile world, through the real libpam (cmocka; no root
 * needed, a few extra cases when root).
 *
 * The module's pam_syslog/pam_vsyslog and pam_fail_delay calls land in the
 * definitions below (an executable's symbols come first in the module's
 * lookup scope): every log line is captured, and the requested delay is
 * recorded before libpam's own pam_fail_delay is called. Every response
 * presented is remembered, and each program ends with
 * no_secret_in_any_log_line: none of them in any log line.
 * Crafted records are written by build/tests/hostile_tool (FORMAT.md 3.1).
 *
 * Include it in exactly one file per program: it defines those three
 * functions (everything else is static inline).
 */
#ifndef APK_HOSTILE_HARNESS_H
#define APK_HOSTILE_HARNESS_H

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
#include <sys/stat.h>
#include <sys/wait.h>

#include <security/pam_ext.h>

#include "keyfmt.h"
#include "pam_harness.h"
#include "test_db.h"

static struct test_db T;
static char conf[PATH_MAX];
static char my_key[APK_KEY_LEN + 1], other_key[APK_KEY_LEN + 1];
static char fresh_key[APK_KEY_LEN + 1]; /* well-formed, an id nobody has */
static const char *OTHER = OTHER_USER;
static const char *nokeys_user; /* a real account without keys */

/* ---- captured log lines ------------------------------------------------ */

static char logbuf[1 << 20];
static size_t loglen;
static unsigned log_calls, log_multiline, log_ctl;
static unsigned logins; /* pam_authenticate calls that returned, in run() or auth_timeout() */

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

static inline void delay_fn(int status, unsigned usec, void *appdata)
{
	(void)appdata;
	cb_calls++;
	cb_delay = usec;
	cb_status = status;
}

/* ---- secrets presented, to look for in the logs --------------------------- */

static char *secrets[512];
static size_t nsecrets;

static inline void remember(const char *s, size_t n)
{
	if (n >= 12 && nsecrets < sizeof(secrets) / sizeof(secrets[0]))
		secrets[nsecrets++] = strndup(s, n);
}

/* A response: a key-shaped one gives its secret part, anything else all of it. */
static inline void remember_response(const char *r)
{
	size_t n = strlen(r);

	if (n >= APK_KEY_PREFIX_LEN + APK_ID_LEN + 12 && strncmp(r, "apk_", 4) == 0)
		remember(r + APK_KEY_PREFIX_LEN + APK_ID_LEN,
			 n - APK_KEY_PREFIX_LEN - APK_ID_LEN > APK_SECRET_LEN
				 ? APK_SECRET_LEN : n - APK_KEY_PREFIX_LEN - APK_ID_LEN);
	else
		remember(r, n);
}

/* A well-formed key with an id nobody has. */
static inline void make_fresh_key(char out[APK_KEY_LEN + 1])
{
	struct apk_key k;

	apk_key_generate(&k);
	apk_key_format(&k, out);
	apk_key_wipe(&k);
}

/* ---- running the module -------------------------------------------------- */

struct run_opts {
	const char *rhost;   /* NULL: a plain address */
	int delay_fn;        /* install the PAM_FAIL_DELAY function */
	int fds_check;       /* compare /proc/self/fd around pam_authenticate */
};

static inline int fd_set_of(unsigned char set[1024])
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

static inline void fds_compare(const unsigned char before[1024], int after_end)
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

static inline int run(const char *svc, const char *user, const char *response,
		      const struct run_opts *o, struct conv_script *cs)
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
	logins++;
	if (o != NULL && o->fds_check)
		fds_compare(before, 0);
	pam_end(pamh, rc);
	if (o != NULL && o->fds_check)
		fds_compare(before, 1);
	return rc;
}

static inline int auth(const char *svc, const char *user, const char *response)
{
	struct conv_script cs = { NULL, 0, "" };

	return run(svc, user, response, NULL, &cs);
}

struct log_report {
	unsigned calls, multiline, ctl, logins;
	size_t len;
};

/* The child's log lines go back to the parent through a pipe, so that the
 * final check sees every line. */
static inline void log_send(int fd, size_t mark)
{
	struct log_report r = { log_calls, log_multiline, log_ctl, logins, loglen - mark };

	if (write(fd, &r, sizeof(r)) != (ssize_t)sizeof(r) ||
	    write(fd, logbuf + mark, r.len) != (ssize_t)r.len)
		_exit(120);
}

static inline void log_receive(int fd)
{
	struct log_report r;
	ssize_t n;
	size_t got = 0;

	if (read(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		return;
	log_calls += r.calls;
	log_multiline += r.multiline;
	log_ctl += r.ctl;
	logins += r.logins;
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

/* auth in a child, killed after `seconds`: a module that blocks (on a
 * FIFO, say) fails the test instead of hanging it. -1 on timeout. */
static inline int auth_timeout(const char *svc, const char *user, const char *response,
			       int seconds)
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
		log_calls = log_multiline = log_ctl = logins = 0;
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

static inline void service(const char *name, const char *db, const char *args)
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

static inline uid_t uid_of(const char *name)
{
	struct passwd *pw = getpwnam(name);

	assert_non_null(pw);
	return pw->pw_uid;
}

/* dir/u<uid> (the store's layout, common/store.h) */
static inline void account_file(const char *dir, uid_t uid, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/u%u", dir, (unsigned)uid);
}

static inline void copy_file(const char *from, const char *to)
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

static inline void write_garbage(const char *path)
{
	static const char junk[] = "GDBM? no: just a text file where the database should be\n";
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, junk, sizeof(junk) - 1), (ssize_t)sizeof(junk) - 1);
	assert_int_equal(close(fd), 0);
}

/* A private database directory inside T.dir holding a copy of the test
 * database's files (or nothing). */
static inline void scratch_new(struct scratch *s, int with_copy)
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
static inline void dir_state(const char *dir, char *out, size_t outsz)
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

static inline const char *tool(void)
{
	static char path[PATH_MAX];
	const char *b = getenv("APK_BUILD");

	snprintf(path, sizeof(path), "%s/tests/hostile_tool", b != NULL ? b : "build");
	return path;
}

static inline int craft(const char *db, const char *token, const char *mode)
{
	char cmd[PATH_MAX * 2 + 128];

	snprintf(cmd, sizeof(cmd), "'%s' craft '%s' %u '%.12s' %s", tool(), db,
		 (unsigned)getuid(), token + APK_KEY_PREFIX_LEN, mode);
	return system(cmd);
}

/* ---- setup ----------------------------------------------------------------- */

/* The group setup of every pam_hostile_* program. */
static inline int hostile_setup(void **state)
{
	(void)state;
	/* A module that blocks (on a FIFO, say) must fail the program, not hang it. */
	alarm(180);
	if (pam_fixture(&T, conf, my_key, other_key) != 0)
		return -1;
	make_fresh_key(fresh_key);
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

static inline int hostile_teardown(void **state)
{
	(void)state;
	test_db_remove(&T);
	return 0;
}

/* ---- the last test of every program ----------------------------------------- */

/* How much the final log check must cover, so that it cannot pass on next
 * to nothing: each program passes its own as the test's state. */
struct log_floor {
	unsigned logins; /* pam_authenticate calls that returned */
	size_t secrets;  /* responses of 12 bytes or more presented */
};

/* The last test of every program (cmocka_unit_test_prestate, a struct
 * log_floor): everything the program presented, against everything it
 * logged. No secret, no line break, no control byte, and at least one line
 * for every login. */
static inline void no_secret_in_any_log_line(void **state)
{
	const struct log_floor *want = *state;
	size_t i;

	print_message("# %u log lines of %u logins checked for %zu secrets\n", log_calls, logins,
		      nsecrets);
	assert_true(logins >= want->logins);
	assert_true(log_calls >= logins);
	assert_true(nsecrets >= want->secrets);
	for (i = 0; i < nsecrets; i++) {
		if (strstr(logbuf, secrets[i]) != NULL)
			print_message("# logged: %s\n", secrets[i]);
		assert_null(strstr(logbuf, secrets[i]));
	}
	assert_int_equal(log_multiline, 0);
	assert_int_equal(log_ctl, 0);
	for (i = 0; i < nsecrets; i++)
		free(secrets[i]);
}

#endif
