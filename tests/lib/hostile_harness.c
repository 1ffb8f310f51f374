/* hostile_harness.c - what the pam_hostile_* programs share (hostile_harness.h) */
#include "hostile_harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

struct test_db T;
char conf[PATH_MAX];
char my_key[APK_KEY_LEN + 1], other_key[APK_KEY_LEN + 1], fresh_key[APK_KEY_LEN + 1];
const char *const OTHER = OTHER_USER;
const char *nokeys_user;
unsigned cb_calls, cb_delay, fd_new, fd_new_nocloexec, fd_new_db, fd_left;
int cb_status;

/* The application's PAM_FAIL_DELAY function: libpam hands it the
 * randomised delay instead of sleeping. */
static void delay_fn(int status, unsigned usec, void *appdata)
{
	(void)appdata;
	cb_calls++;
	cb_delay = usec;
	cb_status = status;
}

void make_fresh_key(char out[APK_KEY_LEN + 1])
{
	struct apk_key k;

	apk_key_generate(&k);
	apk_key_format(&k, out);
	apk_key_wipe(&k);
}

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

int run(const char *svc, const char *user, const char *response, const struct run_opts *o,
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
	logins++;
	if (o != NULL && o->fds_check)
		fds_compare(before, 0);
	pam_end(pamh, rc);
	if (o != NULL && o->fds_check)
		fds_compare(before, 1);
	return rc;
}

int auth(const char *svc, const char *user, const char *response)
{
	struct conv_script cs = { .response = NULL };

	return run(svc, user, response, NULL, &cs);
}

int auth_timeout(const char *svc, const char *user, const char *response, int seconds)
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

void service(const char *name, const char *db, const char *args)
{
	char lines[PATH_MAX + 4096];

	snprintf(lines, sizeof(lines), "auth required %%M db=%s %s\n", db, args);
	write_service(conf, name, lines);
}

static uid_t uid_of(const char *name)
{
	struct passwd *pw = getpwnam(name);

	assert_non_null(pw);
	return pw->pw_uid;
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

void write_garbage(const char *path)
{
	static const char junk[] = "GDBM? no: just a text file where the database should be\n";
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, junk, sizeof(junk) - 1), (ssize_t)sizeof(junk) - 1);
	assert_int_equal(close(fd), 0);
}

void scratch_new(struct scratch *s, int with_copy)
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

void dir_state(const char *dir, char *out, size_t outsz)
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

int craft(const char *db, const char *token, const char *mode)
{
	char cmd[PATH_MAX * 2 + 128];

	snprintf(cmd, sizeof(cmd), "'%s' craft '%s' %u '%.12s' %s", tool(), db,
		 (unsigned)getuid(), token + APK_KEY_PREFIX_LEN, mode);
	return system(cmd);
}

int hostile_setup(void **state)
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

int hostile_teardown(void **state)
{
	(void)state;
	test_db_remove(&T);
	return 0;
}

