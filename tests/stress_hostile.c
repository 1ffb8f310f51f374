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
 * STRESS_KEEP, APK_BUILD.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stress_util.h"

#define MAXKEYS 64
#define FILLER "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod " \
	"tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis " \
	"nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat."
#define KEYS_LOW 3
#define KEYS_HIGH 16

/* ---- the run's world -------------------------------------------------------- */

static struct stress_env env;
static struct rng rng;

/* What the test knows: keys whose generate reported success (valid until a
 * delete of theirs reports success or is seen to have happened). */
struct known {
	char token[APK_KEY_LEN + 1];
	char id[APK_ID_LEN + 1];
};
static struct known keys[MAXKEYS];
static size_t nkeys;

/* ---- reading the account back ------------------------------------------------ */

/* The account's keys; an account without a file has none. */
static enum apk_err snap_take(struct snapshot *s)
{
	return snapshot_take(env.db, env.uid, s);
}

static bool rec_equal(const struct apk_record *a, const struct apk_record *b)
{
	return strcmp(a->id, b->id) == 0 && a->uid == b->uid && strcmp(a->owner, b->owner) == 0 &&
	       strcmp(a->name, b->name) == 0 && strcmp(a->description, b->description) == 0 &&
	       a->created == b->created && memcmp(a->digest, b->digest, APK_DIGEST_BYTES) == 0;
}

static bool snap_equal(const struct snapshot *a, const struct snapshot *b)
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
static bool changed_as_asked(const struct cmd *c, const struct snapshot *before,
			     const struct snapshot *after)
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
		return strcmp(r->name, c->value) == 0 && r->description[0] == '\0' &&
		       r->uid == env.uid && snapshot_find_id(before, r->id) == NULL;
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

static void cmd_pick(struct cmd *c, const struct snapshot *s, unsigned serial)
{
	const struct apk_record *r;
	size_t k = 0;

	if (s->n < KEYS_LOW)
		c->op = OP_GENERATE;
	else if (s->n >= KEYS_HIGH)
		c->op = OP_DELETE;
	else
		c->op = (enum op)rng_below(&rng, 4);
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
	r = &s->r[rng_below(&rng, s->n)];
	snprintf(c->id, sizeof(c->id), "%s", r->id);
	if (c->op == OP_RENAME)
		snprintf(c->value, sizeof(c->value), "name-%u", serial);
	else if (c->op == OP_DESCRIBE) /* long ones: the account's file grows past a block */
		snprintf(c->value, sizeof(c->value), "description %u, \303\251t\303\251 %.*s", serial,
			 (int)rng_below(&rng, 200), FILLER);
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
		execv(env.prog, (char *const *)(uintptr_t)c->argv);
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

	snprintf(p, sizeof(p), "%s/u%u.new", env.db, (unsigned)env.uid);
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

/* Judges one run of c from its outcome and the account's keys before and
 * after it, and brings what the test knows up to date. */
static void judge(const struct cmd *c, const struct how *h, const struct outcome *o,
		  const struct snapshot *before, const struct snapshot *after, const char *what)
{
	const char *op = op_name[c->op];
	struct apk_record m;
	bool done = changed_as_asked(c, before, after), none = snap_equal(before, after);
	size_t i;

	if (stale_new())
		fail_note(&f_stale, "%s %s: u%u.new left behind", what, op, (unsigned)env.uid);
	if (o->exited && o->code == 0) {
		n_done++;
		if (!done)
			fail_note(&f_outcome, "%s %s: exit 0 but not exactly its change", what, op);
	} else if (o->exited) {
		n_failed++;
		if (!none)
			fail_note(&f_halfway, "%s %s: exit %d but the keys changed", what, op, o->code);
		if (lines_of(o->err) != 1)
			fail_note(&f_message, "%s %s: exit %d with %u stderr lines: %.200s", what, op,
				  o->code, lines_of(o->err), o->err);
	} else if (o->signaled && o->sig == h->sig) {
		if (done && c->op == OP_GENERATE &&
		    (strlen(o->out) != APK_KEY_LEN + 1 ||
		     strncmp(o->out + 4, after->r[before->n].id, APK_ID_LEN) != 0))
			fail_note(&f_lost,
				  "%s generate: ended by the signal after storing its key, never shown",
				  what);
		if (done)
			n_killed_after++;
		else if (none)
			n_killed_before++;
		else
			fail_note(&f_halfway, "%s %s: ended by signal %d half-way", what, op, o->sig);
	} else {
		fail_note(&f_outcome, "%s %s: ended by signal %d (sent %d), stderr %.200s", what, op,
			  o->signaled ? o->sig : -1, h->sig, o->err);
	}
	/* what the test knows, brought up to date */
	if (c->op == OP_GENERATE && done && ((o->exited && o->code == 0) || o->signaled)) {
		const struct apk_record *r = &after->r[before->n];

		if (strlen(o->out) != APK_KEY_LEN + 1 || strncmp(o->out + 4, r->id, APK_ID_LEN) != 0) {
			if (!o->signaled)
				fail_note(&f_outcome, "%s generate: exit 0 without its key on stdout",
					  what);
		} else if (nkeys < MAXKEYS) {
			memcpy(keys[nkeys].token, o->out, APK_KEY_LEN);
			keys[nkeys].token[APK_KEY_LEN] = '\0';
			snprintf(keys[nkeys].id, sizeof(keys[nkeys].id), "%s", r->id);
			nkeys++;
		}
	}
	for (i = 0; i < nkeys; i++) {
		if (snapshot_find_id(after, keys[i].id) == NULL) {
			if (c->op != OP_DELETE || strcmp(c->id, keys[i].id) != 0)
				fail_note(&f_verify, "%s %s: key %s vanished", what, op, keys[i].id);
			forget(keys[i].id);
			i--;
			continue;
		}
		if (verify_token(&env, keys[i].token, &m) != APK_OK)
			fail_note(&f_verify, "%s %s: key %s no longer verifies", what, op, keys[i].id);
	}
}

/* Runs one command as h says and checks everything. */
static void one(const struct cmd *c, const struct how *h, const char *what)
{
	struct snapshot before, after;
	struct outcome o;

	if (snap_take(&before) != APK_OK) {
		fail_note(&f_reread, "%s: the database did not read back before the run", what);
		return;
	}
	if (run(c, h, &o) != 0) {
		fail_note(&f_outcome, "%s: could not start apikeyctl", what);
		snapshot_free(&before);
		return;
	}
	n_stops += o.stops;
	if (o.timed_out)
		fail_note(&f_timeout, "%s %s: still running after 30 s", what, op_name[c->op]);
	if (snap_take(&after) != APK_OK) {
		fail_note(&f_reread, "%s %s: the account's keys no longer read back", what,
			  op_name[c->op]);
		snapshot_free(&before);
		return;
	}
	judge(c, h, &o, &before, &after, what);
	snapshot_free(&before);
	snapshot_free(&after);
}

/* Picks a command for the account as it is now and runs it as h says. */
static void pick_and_run(const struct how *h, const char *what)
{
	static unsigned serial; /* numbers the names and descriptions set */
	struct snapshot s;
	struct cmd c;

	snap_take(&s);
	cmd_pick(&c, &s, serial++);
	snapshot_free(&s);
	one(&c, h, what);
}

/* How a command is run: with one resource limit (L_NONE: none), no signal. */
static struct how limited(enum lim lim, rlim_t limit)
{
	struct how h;

	memset(&h, 0, sizeof(h));
	h.lim = lim;
	h.limit = limit;
	h.delay_us = -1;
	h.ifd = -1;
	return h;
}

/* ---- the phases ------------------------------------------------------------------- */

static void report(const char *phase)
{
	tap_ok(f_outcome == 0, "%s: every command completed with its change or failed cleanly",
	       phase);
	tap_ok(f_message == 0, "%s: every failure said so in one line", phase);
	tap_ok(f_halfway == 0, "%s: nothing was ever half-changed", phase);
	tap_ok(f_reread == 0, "%s: the database always read back", phase);
	tap_ok(f_verify == 0, "%s: every known key kept verifying", phase);
	tap_ok(f_stale == 0, "%s: no u<uid>.new was ever left behind", phase);
	tap_ok(f_timeout == 0, "%s: no command hung", phase);
	tap_ok(f_lost == 0, "%s: no generate stored a key it did not show", phase);
	/* a phase in which every command failed would prove nothing */
	tap_ok(n_done > 0, "%s: some commands completed (%u)", phase, n_done);
	printf("# %s: %u done, %u failed, %u ended by the signal before their change, %u after it,"
	       " %u stops continued\n", phase, n_done, n_failed, n_killed_before, n_killed_after,
	       n_stops);
	f_outcome = f_message = f_halfway = f_reread = f_verify = f_stale = f_timeout = f_lost = 0;
	n_done = n_failed = n_killed_before = n_killed_after = n_stops = 0;
	fail_note_reset();
}

/* The file size of the account's file now. */
static off_t account_size(void)
{
	char p[PATH_MAX + 32];
	struct stat st;

	snprintf(p, sizeof(p), "%s/u%u", env.db, (unsigned)env.uid);
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

/* A few keys to start with, with long descriptions: a file of several blocks. */
static void start_keys(void)
{
	struct how h = limited(L_NONE, 0);
	struct cmd c;
	unsigned i;

	for (i = 0; i < KEYS_LOW + 2; i++) {
		memset(&c, 0, sizeof(c));
		c.op = OP_GENERATE;
		snprintf(c.value, sizeof(c.value), "start-%u", i);
		c.argv[0] = "apikeyctl", c.argv[1] = "generate", c.argv[2] = "-q";
		c.argv[3] = "--name", c.argv[4] = c.value;
		one(&c, &h, "setup");
	}
	for (i = 0; i < nkeys; i++) {
		memset(&c, 0, sizeof(c));
		c.op = OP_DESCRIBE;
		snprintf(c.id, sizeof(c.id), "%s", keys[i].id);
		snprintf(c.value, sizeof(c.value), "start %u %s", i, FILLER);
		c.argv[0] = "apikeyctl", c.argv[1] = "describe", c.argv[2] = "--";
		c.argv[3] = c.id, c.argv[4] = c.value;
		one(&c, &h, "setup");
	}
	tap_ok(nkeys == KEYS_LOW + 2 && f_outcome == 0, "%zu keys to start with, %lld bytes", nkeys,
	       (long long)account_size());
}

/* ulimit -f: from 4 KiB below the account file's size up, by 256 bytes. */
static void fsize_limits(void)
{
	off_t size = account_size();
	rlim_t low = (rlim_t)(size > 4096 ? size - 4096 : 0);
	unsigned i, k, runs = 0;

	for (k = 0; k <= 24; k++)
		for (i = 0; i < 3; i++) {
			struct how h = limited(L_FSIZE, low + (rlim_t)k * 256);

			pick_and_run(&h, "RLIMIT_FSIZE");
			runs++;
		}
	printf("# RLIMIT_FSIZE from %lld bytes up by 256, the account's file being %lld bytes at first:"
	       " %u runs\n", (long long)low, (long long)size, runs);
	report("ulimit -f");
}

/* ulimit -n: 3 to 12 descriptors. */
static void nofile_limits(void)
{
	unsigned i, k;

	for (k = 3; k <= 12; k++)
		for (i = 0; i < 4; i++) {
			struct how h = limited(L_NOFILE, k);

			pick_and_run(&h, "RLIMIT_NOFILE");
		}
	report("ulimit -n");
}

/* ulimit -v: from the least address space that runs --version up. */
static void as_limits(void)
{
	rlim_t as0;
	struct how hv;
	struct outcome o;
	struct cmd v;
	unsigned k;

	if (getenv("APK_SANITIZER") != NULL) {
		/* ASan reserves terabytes of shadow memory: no RLIMIT_AS leaves room */
		tap_skip("ulimit -v: not under a sanitizer");
		return;
	}
	as0 = least_as();
	hv = limited(L_AS, as0 - (1 << 14));

	/* Below that, start-up itself fails: ld.so cannot map a library
	 * (one line, exit 127), or glibc's NSS crashes in getpwuid_r
	 * when an allocation fails (SIGSEGV, before any change). */
	memset(&v, 0, sizeof(v));
	v.argv[0] = "apikeyctl";
	v.argv[1] = "--version";
	run(&v, &hv, &o);
	printf("# RLIMIT_AS: --version runs from %llu KiB; 16 KiB less: %s %d %.100s\n",
	       (unsigned long long)(as0 >> 10), o.signaled ? "signal" : "exit",
	       o.signaled ? o.sig : o.code, o.err);
	for (k = 0; k < 80; k++) {
		struct how h = limited(L_AS, as0 + ((rlim_t)k << 14)); /* 16 KiB more each time */

		pick_and_run(&h, "RLIMIT_AS");
	}
	report("ulimit -v");
}

/* SIGINT, SIGTSTP or SIGHUP after a random delay (up to 1.5 times a
 * typical run) or right after a random one of the first 12 file events. */
static void signals(long long nsig)
{
	static const int sigs[3] = { SIGINT, SIGTSTP, SIGHUP };
	static const char *const sig_names[3] = { "SIGINT", "SIGTSTP", "SIGHUP" };
	struct how h = limited(L_NONE, 0);
	int64_t typical, t0 = now_us();
	unsigned i, which;
	int ifd;

	pick_and_run(&h, "timing");
	typical = now_us() - t0;
	if (typical < 2000)
		typical = 2000;
	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ifd < 0 || inotify_add_watch(ifd, env.db, IN_ALL_EVENTS) < 0) {
		tap_ok(false, "inotify on the database directory");
	} else {
		for (i = 0; i < (unsigned)nsig; i++) {
			h = limited(L_NONE, 0);
			h.ifd = ifd;
			which = (unsigned)rng_below(&rng, 3);
			h.sig = sigs[which];
			if (rng_below(&rng, 2))
				h.delay_us = (int64_t)rng_below(&rng, (uint64_t)(typical * 3 / 2));
			else
				h.at_event = 1 + (unsigned)rng_below(&rng, 12);
			pick_and_run(&h, sig_names[which]);
		}
	}
	if (ifd >= 0)
		close(ifd);
	report("signals");
}

int main(void)
{
	long long nsig = env_num("STRESS_HOSTILE_SIGNALS", 240);

	if (stress_setup(&env) != 0) {
		tap_ok(false, "set up");
		return tap_done();
	}
	rng.s = stress_seed();
	start_keys();
	fsize_limits();
	nofile_limits();
	as_limits();
	signals(nsig > 0 ? nsig : 240);
	stress_cleanup(&env);
	return tap_done();
}
