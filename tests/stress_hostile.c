/* stress_hostile.c - apikeyctl under a hostile caller's limits and signals
 *
 * The real build/apikeyctl, on a private database, run as its caller may:
 *   - with RLIMIT_FSIZE around the account file's size (ulimit -f),
 *     RLIMIT_NOFILE from 3 to 12 (ulimit -n) and RLIMIT_AS from the least
 *     that runs `apikeyctl --version` upwards (ulimit -v);
 *   - with SIGINT, SIGTSTP or SIGHUP sent at a random moment: after a random
 *     delay, or right after a random one of the command's file events in the
 *     database directory (inside its write). A stopped apikeyctl is SIGCONTed.
 * Each of generate, rename, describe and delete --yes must complete (exit 0,
 * exactly its change) or fail (one line on stderr, nothing changed); a run
 * ended by the signal sent must leave its whole change or none of it, and a
 * generate so ended must not leave a key it never showed. After
 * every run: the account's keys read back, every key known to be valid
 * verifies, and no u<uid>.new is left (nothing was SIGKILLed).
 *
 * Env: STRESS_HOSTILE_SIGNALS (signal runs, default 240), STRESS_SEED,
 * APK_BUILD.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "keyfmt.h"
#include "store.h"
#include "verify.h"

#define MAXKEYS 64
#define FILLER "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod " \
	"tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis " \
	"nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat."
#define KEYS_LOW 3
#define KEYS_HIGH 16

/* ---- TAP ------------------------------------------------------------------ */

static int tap_n, tap_failed;

static void tap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		tap_failed++;
}

/* Failures are counted per property; the first few are described. */
static unsigned noted;

static void note(unsigned *counter, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(unsigned *counter, const char *fmt, ...)
{
	va_list ap;

	(*counter)++;
	if (noted++ >= 25)
		return;
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* ---- the run's world -------------------------------------------------------- */

static char prog[PATH_MAX], dir[PATH_MAX], db[PATH_MAX];
static char user[APK_USER_MAX + 1];
static uint32_t uid;
static uint64_t rng_state;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* What the test knows: keys whose generate reported success (valid until a
 * delete of theirs reports success or is seen to have happened). */
struct known {
	char token[APK_KEY_LEN + 1];
	char id[APK_ID_LEN + 1];
};
static struct known keys[MAXKEYS];
static size_t nkeys;

/* ---- reading the account back ------------------------------------------------ */

struct snap {
	size_t n;
	struct apk_record r[MAXKEYS * 2];
};

static enum apk_err snap_take(struct snap *s)
{
	static struct apk_index ix;
	struct apk_store *st = NULL;
	enum apk_err e;
	size_t i;

	s->n = 0;
	e = store_open_read(db, uid, &st);
	if (e == APK_ERR_NOTFOUND)
		return APK_OK;
	if (e != APK_OK)
		return e;
	e = store_get_index(st, &ix);
	for (i = 0; e == APK_OK && i < ix.n && i < sizeof(s->r) / sizeof(s->r[0]); i++)
		e = store_get_record(st, ix.ids[i], &s->r[i]);
	if (e == APK_OK)
		s->n = ix.n;
	store_close(st);
	return e;
}

static const struct apk_record *snap_id(const struct snap *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->r[i].id, id) == 0)
			return &s->r[i];
	return NULL;
}

static bool rec_equal(const struct apk_record *a, const struct apk_record *b)
{
	return strcmp(a->id, b->id) == 0 && a->uid == b->uid && strcmp(a->owner, b->owner) == 0 &&
	       strcmp(a->name, b->name) == 0 && strcmp(a->description, b->description) == 0 &&
	       a->created == b->created && memcmp(a->digest, b->digest, APK_DIGEST_BYTES) == 0;
}

static bool snap_equal(const struct snap *a, const struct snap *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (!rec_equal(&a->r[i], &b->r[i]))
			return false;
	return true;
}

/* ---- commands --------------------------------------------------------------- */

enum op { OP_GENERATE, OP_RENAME, OP_DESCRIBE, OP_DELETE };
static const char *const op_name[] = { "generate", "rename", "describe", "delete" };

struct cmd {
	enum op op;
	char id[APK_ID_LEN + 1]; /* the key acted on (not generate) */
	char value[400];         /* new name, description, or generate's name */
	const char *argv[8];
};

/* Is `after` exactly `before` with the command's change made? */
static bool changed_as_asked(const struct cmd *c, const struct snap *before, const struct snap *after)
{
	const struct apk_record *r;
	size_t i, j;

	switch (c->op) {
	case OP_GENERATE:
		if (after->n != before->n + 1)
			return false;
		for (i = 0; i < before->n; i++)
			if (!rec_equal(&before->r[i], &after->r[i]))
				return false;
		r = &after->r[before->n];
		return strcmp(r->name, c->value) == 0 && r->description[0] == '\0' && r->uid == uid &&
		       snap_id(before, r->id) == NULL;
	case OP_RENAME:
	case OP_DESCRIBE:
		if (after->n != before->n)
			return false;
		for (i = 0; i < before->n; i++) {
			struct apk_record want = before->r[i];

			if (strcmp(want.id, c->id) == 0) {
				if (c->op == OP_RENAME)
					snprintf(want.name, sizeof(want.name), "%s", c->value);
				else
					snprintf(want.description, sizeof(want.description), "%s", c->value);
			}
			if (!rec_equal(&want, &after->r[i]))
				return false;
		}
		return true;
	case OP_DELETE:
		if (after->n + 1 != before->n)
			return false;
		for (i = j = 0; i < before->n; i++) {
			if (strcmp(before->r[i].id, c->id) == 0)
				continue;
			if (!rec_equal(&before->r[i], &after->r[j++]))
				return false;
		}
		return true;
	}
	return false;
}

static void cmd_pick(struct cmd *c, const struct snap *s, unsigned serial)
{
	const struct apk_record *r;
	size_t k = 0;

	if (s->n < KEYS_LOW)
		c->op = OP_GENERATE;
	else if (s->n >= KEYS_HIGH)
		c->op = OP_DELETE;
	else
		c->op = (enum op)(rng() % 4);
	memset(c->argv, 0, sizeof(c->argv));
	c->argv[k++] = "apikeyctl";
	c->argv[k++] = op_name[c->op];
	if (c->op == OP_GENERATE) {
		snprintf(c->value, sizeof(c->value), "gen-%u", serial);
		c->argv[k++] = "-q";
		c->argv[k++] = "--name";
		c->argv[k++] = c->value;
		return;
	}
	r = &s->r[rng() % s->n];
	snprintf(c->id, sizeof(c->id), "%s", r->id);
	if (c->op == OP_RENAME)
		snprintf(c->value, sizeof(c->value), "name-%u", serial);
	else if (c->op == OP_DESCRIBE) /* long ones: the account's file grows past a block */
		snprintf(c->value, sizeof(c->value), "description %u, \303\251t\303\251 %.*s", serial,
			 (int)(rng() % 200), FILLER);
	if (c->op == OP_DELETE)
		c->argv[k++] = "--yes";
	c->argv[k++] = "--"; /* an id may start with '-' */
	c->argv[k++] = c->id;
	if (c->op != OP_DELETE)
		c->argv[k++] = c->value;
}

/* ---- running apikeyctl --------------------------------------------------------- */

enum lim { L_NONE, L_FSIZE, L_NOFILE, L_AS };

struct how {
	enum lim lim;
	rlim_t limit;
	int sig;            /* 0: none */
	int64_t delay_us;   /* >= 0: send after this long */
	unsigned at_event;  /* > 0: send after this many file events (ifd) */
	int ifd;
};

struct outcome {
	bool exited, signaled, timed_out;
	int code, sig;
	unsigned stops;
	char out[4096], err[4096];
};

/* What is left in a pipe whose writer is gone (a few lines at most). */
static void slurp(int fd, char *buf, size_t sz)
{
	size_t len = 0;
	ssize_t n;

	while (len + 1 < sz && (n = read(fd, buf + len, sz - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fd);
}

static unsigned drain_events(int ifd)
{
	char buf[4096] __attribute__((aligned(8)));
	unsigned count = 0;
	ssize_t n;

	while ((n = read(ifd, buf, sizeof(buf))) > 0) {
		size_t off = 0;

		while (off + sizeof(struct inotify_event) <= (size_t)n) {
			struct inotify_event ev;

			memcpy(&ev, buf + off, sizeof(ev));
			off += sizeof(ev) + ev.len;
			count++;
		}
	}
	return count;
}

static int run(const struct cmd *c, const struct how *h, struct outcome *o)
{
	int64_t t0, deadline;
	unsigned events = 0;
	bool sent = h->sig == 0;
	int status = 0, po[2], pe[2];
	pid_t pid;

	memset(o, 0, sizeof(*o));
	/* pipes, not files: RLIMIT_FSIZE must not cut the messages short */
	if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0)
		return -1;
	if (h->ifd >= 0)
		drain_events(h->ifd);
	fflush(NULL);
	t0 = now_us();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct rlimit rl;
		int in = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		if (in < 0 || dup2(in, 0) < 0 || dup2(po[1], 1) < 0 || dup2(pe[1], 2) < 0)
			_exit(126);
		close(in);
		rl.rlim_cur = rl.rlim_max = h->limit;
		if ((h->lim == L_FSIZE && setrlimit(RLIMIT_FSIZE, &rl) != 0) ||
		    (h->lim == L_NOFILE && setrlimit(RLIMIT_NOFILE, &rl) != 0) ||
		    (h->lim == L_AS && setrlimit(RLIMIT_AS, &rl) != 0))
			_exit(125);
		execv(prog, (char *const *)(uintptr_t)c->argv);
		_exit(127);
	}
	setpgid(pid, pid);
	close(po[1]);
	close(pe[1]);
	deadline = t0 + 30 * 1000000;
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG | WUNTRACED);

		if (w == pid && WIFSTOPPED(status)) {
			o->stops++;
			usleep(1000);
			kill(pid, SIGCONT);
			continue;
		}
		if (w == pid)
			break;
		if (!sent && h->delay_us >= 0 && now_us() - t0 >= h->delay_us) {
			kill(pid, h->sig);
			sent = true;
		}
		if (!sent && h->at_event > 0) {
			events += drain_events(h->ifd);
			if (events >= h->at_event) {
				kill(pid, h->sig);
				sent = true;
			}
			continue; /* spin: the signal lands within microseconds */
		}
		if (now_us() > deadline) {
			o->timed_out = true;
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(sent ? 500 : 50);
	}
	if (WIFEXITED(status)) {
		o->exited = true;
		o->code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		o->signaled = true;
		o->sig = WTERMSIG(status);
	}
	slurp(po[0], o->out, sizeof(o->out));
	slurp(pe[0], o->err, sizeof(o->err));
	return 0;
}

static unsigned lines_of(const char *s)
{
	unsigned n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* ---- after every run ------------------------------------------------------------- */

static unsigned f_outcome, f_halfway, f_reread, f_verify, f_stale, f_timeout, f_message, f_lost;
static unsigned n_done, n_failed, n_killed_before, n_killed_after, n_stops;

static bool stale_new(void)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/u%u.new", db, (unsigned)uid);
	return access(p, F_OK) == 0;
}

static void forget(const char *id)
{
	size_t i;

	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i].id, id) == 0) {
			keys[i] = keys[--nkeys];
			return;
		}
}

/* Runs one command as h says and checks everything; false on a failure. */
static void one(const struct cmd *c, const struct how *h, const char *what)
{
	struct snap before, after;
	struct outcome o;
	struct apk_record m;
	bool done, none;
	size_t i;

	if (snap_take(&before) != APK_OK) {
		note(&f_reread, "%s: the database did not read back before the run", what);
		return;
	}
	if (run(c, h, &o) != 0) {
		note(&f_outcome, "%s: could not start apikeyctl", what);
		return;
	}
	n_stops += o.stops;
	if (o.timed_out)
		note(&f_timeout, "%s %s: still running after 30 s", what, op_name[c->op]);
	if (snap_take(&after) != APK_OK) {
		note(&f_reread, "%s %s: the account's keys no longer read back", what, op_name[c->op]);
		return;
	}
	done = changed_as_asked(c, &before, &after);
	none = snap_equal(&before, &after);
	if (stale_new())
		note(&f_stale, "%s %s: u%u.new left behind", what, op_name[c->op], (unsigned)uid);
	if (o.exited && o.code == 0) {
		n_done++;
		if (!done)
			note(&f_outcome, "%s %s: exit 0 but not exactly its change", what, op_name[c->op]);
	} else if (o.exited) {
		n_failed++;
		if (!none)
			note(&f_halfway, "%s %s: exit %d but the keys changed", what, op_name[c->op], o.code);
		if (lines_of(o.err) != 1)
			note(&f_message, "%s %s: exit %d with %u stderr lines: %.200s", what,
			     op_name[c->op], o.code, lines_of(o.err), o.err);
	} else if (o.signaled && o.sig == h->sig) {
		if (done && c->op == OP_GENERATE &&
		    (strlen(o.out) != APK_KEY_LEN + 1 ||
		     strncmp(o.out + 4, after.r[before.n].id, APK_ID_LEN) != 0))
			note(&f_lost, "%s generate: ended by the signal after storing its key, never shown",
			     what);
		if (done)
			n_killed_after++;
		else if (none)
			n_killed_before++;
		else
			note(&f_halfway, "%s %s: ended by signal %d half-way", what, op_name[c->op], o.sig);
	} else {
		note(&f_outcome, "%s %s: ended by signal %d (sent %d), stderr %.200s", what,
		     op_name[c->op], o.signaled ? o.sig : -1, h->sig, o.err);
	}
	/* what the test knows, brought up to date */
	if (c->op == OP_GENERATE && done && ((o.exited && o.code == 0) || o.signaled)) {
		const struct apk_record *r = &after.r[before.n];

		if (strlen(o.out) != APK_KEY_LEN + 1 || strncmp(o.out + 4, r->id, APK_ID_LEN) != 0) {
			if (!o.signaled)
				note(&f_outcome, "%s generate: exit 0 without its key on stdout", what);
		} else if (nkeys < MAXKEYS) {
			memcpy(keys[nkeys].token, o.out, APK_KEY_LEN);
			keys[nkeys].token[APK_KEY_LEN] = '\0';
			snprintf(keys[nkeys].id, sizeof(keys[nkeys].id), "%s", r->id);
			nkeys++;
		}
	}
	for (i = 0; i < nkeys; i++) {
		if (snap_id(&after, keys[i].id) == NULL) {
			if (c->op == OP_DELETE && strcmp(c->id, keys[i].id) == 0) {
				forget(keys[i].id);
				i--;
				continue;
			}
			note(&f_verify, "%s %s: key %s vanished", what, op_name[c->op], keys[i].id);
			forget(keys[i].id);
			i--;
			continue;
		}
		if (apk_verify(db, user, keys[i].token, APK_KEY_LEN, &m) != APK_OK)
			note(&f_verify, "%s %s: key %s no longer verifies", what, op_name[c->op], keys[i].id);
	}
}

/* ---- main ---------------------------------------------------------------------------- */

static void setup(void)
{
	const char *b = getenv("APK_BUILD"), *seed = getenv("STRESS_SEED");
	struct passwd *pw = getpwuid(getuid());

	snprintf(prog, sizeof(prog), "%s/apikeyctl", b != NULL ? b : "build");
	if (pw == NULL || apk_crypto_init() != APK_OK || access(prog, X_OK) != 0) {
		tap(false, "set up (%s)", prog);
		printf("1..%d\n", tap_n);
		exit(1);
	}
	snprintf(user, sizeof(user), "%s", pw->pw_name);
	uid = (uint32_t)getuid();
	snprintf(dir, sizeof(dir), "/tmp/apk-stress-hostile-XXXXXX");
	if (mkdtemp(dir) == NULL)
		exit(1);
	snprintf(db, sizeof(db), "%s/db", dir);
	if (mkdir(db, 0700) != 0 || setenv("APIKEY_DB", db, 1) != 0)
		exit(1);
	rng_state = seed != NULL ? strtoull(seed, NULL, 10) : (uint64_t)time(NULL) ^ (uint64_t)getpid();
	printf("# seed %llu (STRESS_SEED)\n", (unsigned long long)rng_state);
	signal(SIGPIPE, SIG_IGN);
}

static void cleanup(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
}

static void report(const char *phase)
{
	tap(f_outcome == 0, "%s: every command completed with its change or failed cleanly", phase);
	tap(f_message == 0, "%s: every failure said so in one line", phase);
	tap(f_halfway == 0, "%s: nothing was ever half-changed", phase);
	tap(f_reread == 0, "%s: the database always read back", phase);
	tap(f_verify == 0, "%s: every known key kept verifying", phase);
	tap(f_stale == 0, "%s: no u<uid>.new was ever left behind", phase);
	tap(f_timeout == 0, "%s: no command hung", phase);
	tap(f_lost == 0, "%s: no generate stored a key it did not show", phase);
	printf("# %s: %u done, %u failed, %u ended by the signal before their change, %u after it,"
	       " %u stops continued\n", phase, n_done, n_failed, n_killed_before, n_killed_after,
	       n_stops);
	f_outcome = f_message = f_halfway = f_reread = f_verify = f_stale = f_timeout = f_lost = 0;
	n_done = n_failed = n_killed_before = n_killed_after = n_stops = 0;
	noted = 0;
}

/* The file size of the account's file now. */
static off_t account_size(void)
{
	char p[PATH_MAX + 32];
	struct stat st;

	snprintf(p, sizeof(p), "%s/u%u", db, (unsigned)uid);
	return stat(p, &st) == 0 ? st.st_size : 0;
}

/* The least RLIMIT_AS (a multiple of 16 KiB) with which --version runs. */
static rlim_t least_as(void)
{
	struct cmd v;
	struct how h = { L_AS, 0, 0, -1, 0, -1 };
	struct outcome o;
	rlim_t lo = 1, hi = 65536; /* units of 16 KiB: up to 1 GiB */

	memset(&v, 0, sizeof(v));
	v.argv[0] = "apikeyctl";
	v.argv[1] = "--version";
	while (lo < hi) {
		rlim_t mid = (lo + hi) / 2;

		h.limit = mid << 14;
		if (run(&v, &h, &o) == 0 && o.exited && o.code == 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo << 14;
}

int main(void)
{
	struct cmd c;
	struct how h;
	unsigned serial = 0, i, k, runs;
	long long nsig = 240;
	const char *env = getenv("STRESS_HOSTILE_SIGNALS");
	rlim_t as0;
	off_t size;
	int sigs[3] = { SIGINT, SIGTSTP, SIGHUP };
	int64_t typical;

	setup();
	if (env != NULL && atoll(env) > 0)
		nsig = atoll(env);

	/* a few keys to start with */
	memset(&h, 0, sizeof(h));
	h.ifd = -1;
	h.delay_us = -1;
	for (i = 0; i < KEYS_LOW + 2; i++) {
		struct snap s;

		snap_take(&s);
		memset(&c, 0, sizeof(c));
		cmd_pick(&c, &s, serial++);
		c.op = OP_GENERATE;
		snprintf(c.value, sizeof(c.value), "start-%u", i);
		c.argv[1] = "generate", c.argv[2] = "-q", c.argv[3] = "--name", c.argv[4] = c.value;
		c.argv[5] = NULL;
		one(&c, &h, "setup");
	}
	for (i = 0; i < nkeys; i++) { /* long descriptions: a file of several blocks */
		memset(&c, 0, sizeof(c));
		c.op = OP_DESCRIBE;
		snprintf(c.id, sizeof(c.id), "%s", keys[i].id);
		snprintf(c.value, sizeof(c.value), "start %u %s", i, FILLER);
		c.argv[0] = "apikeyctl", c.argv[1] = "describe", c.argv[2] = "--";
		c.argv[3] = c.id, c.argv[4] = c.value;
		one(&c, &h, "setup");
	}
	tap(nkeys == KEYS_LOW + 2 && f_outcome == 0, "%zu keys to start with, %lld bytes", nkeys,
	    (long long)account_size());

	/* ---- ulimit -f ---- */
	size = account_size();
	runs = 0;
	for (k = 0; k <= 24; k++) {
		for (i = 0; i < 3; i++) {
			struct snap s;

			snap_take(&s);
			cmd_pick(&c, &s, serial++);
			memset(&h, 0, sizeof(h));
			h.ifd = -1;
			h.delay_us = -1;
			h.lim = L_FSIZE;
			h.limit = (rlim_t)(size > 4096 ? size - 4096 : 0) + (rlim_t)k * 256;
			one(&c, &h, "RLIMIT_FSIZE");
			runs++;
		}
	}
	printf("# RLIMIT_FSIZE from %lld bytes up by 256, the account's file being %lld bytes at first:"
	       " %u runs\n", (long long)(size > 4096 ? size - 4096 : 0), (long long)size, runs);
	report("ulimit -f");

	/* ---- ulimit -n ---- */
	for (k = 3; k <= 12; k++)
		for (i = 0; i < 4; i++) {
			struct snap s;

			snap_take(&s);
			cmd_pick(&c, &s, serial++);
			memset(&h, 0, sizeof(h));
			h.ifd = -1;
			h.delay_us = -1;
			h.lim = L_NOFILE;
			h.limit = k;
			one(&c, &h, "RLIMIT_NOFILE");
		}
	report("ulimit -n");

	/* ---- ulimit -v ---- */
	as0 = least_as();
	{
		/* Below that, start-up itself fails: ld.so cannot map a library
		 * (one line, exit 127), or glibc's NSS crashes in getpwuid_r
		 * when an allocation fails (SIGSEGV, before any change). */
		struct cmd v;
		struct outcome o;
		struct how hv = { L_AS, as0 - (1 << 14), 0, -1, 0, -1 };

		memset(&v, 0, sizeof(v));
		v.argv[0] = "apikeyctl";
		v.argv[1] = "--version";
		run(&v, &hv, &o);
		printf("# RLIMIT_AS: --version runs from %llu KiB; 16 KiB less: %s %d %.100s\n",
		       (unsigned long long)(as0 >> 10), o.signaled ? "signal" : "exit",
		       o.signaled ? o.sig : o.code, o.err);
	}
	for (k = 0; k < 80; k++) {
		struct snap s;

		snap_take(&s);
		cmd_pick(&c, &s, serial++);
		memset(&h, 0, sizeof(h));
		h.ifd = -1;
		h.delay_us = -1;
		h.lim = L_AS;
		h.limit = as0 + ((rlim_t)k << 14); /* 16 KiB more each time */
		one(&c, &h, "RLIMIT_AS");
	}
	report("ulimit -v");

	/* ---- signals ---- */
	{
		int64_t t0 = now_us();
		struct snap s;

		snap_take(&s);
		cmd_pick(&c, &s, serial++);
		memset(&h, 0, sizeof(h));
		h.ifd = -1;
		h.delay_us = -1;
		one(&c, &h, "timing");
		typical = now_us() - t0;
		if (typical < 2000)
			typical = 2000;
	}
	h.ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (h.ifd < 0 || inotify_add_watch(h.ifd, db, IN_ALL_EVENTS) < 0) {
		tap(false, "inotify on the database directory");
	} else {
		for (i = 0; i < (unsigned)nsig; i++) {
			struct snap s;
			int ifd = h.ifd;

			snap_take(&s);
			cmd_pick(&c, &s, serial++);
			memset(&h, 0, sizeof(h));
			h.ifd = ifd;
			h.sig = sigs[rng() % 3];
			if (rng() % 2) {
				h.delay_us = (int64_t)(rng() % (uint64_t)(typical * 3 / 2));
			} else {
				h.delay_us = -1;
				h.at_event = 1 + (unsigned)(rng() % 12);
			}
			one(&c, &h, h.sig == SIGINT ? "SIGINT" : h.sig == SIGTSTP ? "SIGTSTP" : "SIGHUP");
		}
		close(h.ifd);
	}
	report("signals");
	cleanup();
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
