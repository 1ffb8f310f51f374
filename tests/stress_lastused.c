/* stress_lastused.c - the last-used file under concurrent writers, readers
 * and a helper, and under SIGKILL at random moments; and what one record
 * costs next to one login.
 *
 * 1. Concurrency. WRITERS processes loop apk_lastused_record over KEYS keys,
 *    each write self-describing: the time encodes the writer and its
 *    counter, the service names the writer, the remote host repeats both.
 *    The parent reads all keys in a loop. Every read is either "never"
 *    (only until the key's first write has been seen) or one whole write
 *    (service, host and time agree): never a mix, never garbage. A second
 *    round adds a helper process running apk_lastused_assign with the key set
 *    cycling through KEYS + 10, KEYS + 7 and KEYS keys (the file rebuilt,
 *    grown and shrunk, slots of other keys freed and assigned in place):
 *    the KEYS keys, once used, stay used and whole.
 * 2. Kill. A writer child is SIGKILLed after a random delay, ITERS times;
 *    after each, the file has its size, its header parses and every slot
 *    reads whole or empty on the first read (none torn), and a slot read
 *    right after the kill stays what it is. Then a prepare child
 *    (cycling sets as above) is SIGKILLed at random: the file is always there
 *    and parses, the kept keys keep their slots and their last use, and
 *    the next prepare succeeds and leaves no stale file.
 * 3. Figures: the median of one apk_lastused_record (opening the directory,
 *    and with it open), next to one whole login through libpam with the
 *    built module (pam_harness.h). Printed, not asserted.
 *
 * Env: STRESS_LASTUSED_ITERS (kills per kind, default 150), STRESS_SEED.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stress_util.h"

#include "lastused.h"
#include "lastused_format.h"
#include "pam_harness.h"
#include "safefile.h"

#define UID 4000002u
#define KEYS 4
#define EXTRA 10
#define WRITERS 3
#define ROUND_MS 1500
#define T0 1000000000LL          /* times: T0 + writer * WSTEP + counter */
#define WSTEP 10000000LL

static char dir[PATH_MAX];
static char ids[KEYS + EXTRA][APK_ID_LEN + 1];
static const char *idp[KEYS + EXTRA];

static void make_ids(void)
{
	size_t i;

	for (i = 0; i < KEYS + EXTRA; i++) {
		snprintf(ids[i], sizeof(ids[i]), "stressKey%03zu", i);
		idp[i] = ids[i];
	}
}

/* The write number c of writer w. */
static void record_nth(unsigned w, unsigned c, const char *id)
{
	char service[16], rhost[48];

	snprintf(service, sizeof(service), "w%u", w);
	snprintf(rhost, sizeof(rhost), "h%u-%u", w, c);
	(void)apk_lastused_record(dir, UID, id, T0 + (int64_t)w * WSTEP + c, service, rhost);
}

/* A used slot is one whole write of record_nth. */
static bool whole_write(const struct apk_lastused *lu)
{
	char service[16];
	unsigned w, c;
	int end = 0;

	if (sscanf(lu->rhost, "h%u-%u%n", &w, &c, &end) != 2 || lu->rhost[end] != '\0')
		return false;
	snprintf(service, sizeof(service), "w%u", w);
	return strcmp(service, lu->service) == 0 && lu->time == T0 + (int64_t)w * WSTEP + c;
}

static pid_t spawn_writer(unsigned w, int64_t until_us)
{
	pid_t pid = fork();
	unsigned c = 0;

	if (pid != 0)
		return pid;
	while (until_us < 0 || now_us() < until_us) {
		record_nth(w, c, ids[c % KEYS]);
		c++;
	}
	_exit(0);
}

static pid_t spawn_helper(int64_t until_us)
{
	pid_t pid = fork();
	unsigned round = 0;

	if (pid != 0)
		return pid;
	while (until_us < 0 || now_us() < until_us) {
		/* 14 keys: grown to 16 slots; 11: three freed in place; 4:
		 * shrunk to 8 slots (then grown again) */
		static const size_t sets[3] = { KEYS + EXTRA, KEYS + EXTRA - 3, KEYS };
		size_t n = sets[round++ % 3];

		if (apk_lastused_assign(dir, UID, idp, n) != APK_OK)
			_exit(3);
	}
	_exit(0);
}

/* The file prepared for the KEYS keys, or a failed check saying before what. */
static bool start_with_keys(const char *what)
{
	if (apk_lastused_assign(dir, UID, idp, KEYS) == APK_OK)
		return true;
	tap_ok(false, "prepare before %s", what);
	return false;
}

static bool reap(pid_t pid)
{
	int st;

	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* ---- 1. concurrency -------------------------------------------------------- */

static void concurrency(bool with_helper)
{
	struct apk_lastused lu[KEYS];
	bool seen[KEYS] = { false };
	unsigned reads = 0, used = 0, mixed = 0, lost = 0, failed = 0;
	int64_t until = now_us() + ROUND_MS * 1000;
	pid_t pids[WRITERS + 1];
	bool ok = true;
	unsigned w;
	size_t i;

	if (!start_with_keys("the concurrency round"))
		return;
	for (w = 0; w < WRITERS; w++)
		pids[w] = spawn_writer(w, until);
	if (with_helper)
		pids[WRITERS] = spawn_helper(until);
	while (now_us() < until) {
		enum apk_err e = apk_lastused_read(dir, UID, idp, KEYS, lu);

		if (e != APK_OK) {
			failed++;
			if (failed <= 3)
				tap_diag("read: %s", apk_strerror(e));
			continue;
		}
		reads++;
		for (i = 0; i < KEYS; i++) {
			if (!lu[i].used) {
				if (seen[i])
					lost++;
				continue;
			}
			used++;
			seen[i] = true;
			if (!whole_write(&lu[i])) {
				mixed++;
				if (mixed <= 3)
					tap_diag("not a whole write: time %" PRId64
						 " service \"%s\" rhost \"%s\"", lu[i].time,
						 lu[i].service, lu[i].rhost);
			}
		}
	}
	for (w = 0; w < WRITERS + (with_helper ? 1 : 0); w++)
		ok = reap(pids[w]) && ok;
	tap_diag("%u reads of %d keys (%u used slots) while %d writers%s ran", reads, KEYS, used,
		 WRITERS, with_helper ? " and a helper" : "");
	tap_ok(ok, "writers%s exited cleanly", with_helper ? " and helper" : "");
	tap_ok(failed == 0 && reads > 0, "every read succeeded (%u failed)", failed);
	tap_ok(used > 0 && mixed == 0, "every used slot read is one whole write (%u mixed)", mixed);
	tap_ok(lost == 0, "a key once used never reads as never again (%u times)", lost);
}

/* ---- 2. kills ----------------------------------------------------------------- */

/* The file as a reader finds it with nobody writing: it opens, its size and
 * header agree, and each key of ids[0..n) has a slot that reads whole or
 * empty on the first read. Fills lu (never when empty). */
static bool file_parses(size_t n, struct apk_lastused *lu, const char **why)
{
	unsigned char s[APK_LU_SLOT];
	uint32_t cap, index;
	int dfd, fd;
	size_t i;
	bool ok = true;

	*why = "";
	if (apk_safe_open_dir(dir, &dfd) != APK_OK) {
		*why = "directory";
		return false;
	}
	if (apk_lu_open(dfd, UID, O_RDONLY, &fd, &cap) != APK_OK) {
		close(dfd);
		*why = "the file does not open or its header or size is wrong";
		return false;
	}
	close(dfd);
	for (i = 0; i < n && ok; i++) {
		enum apk_lu_slot r;

		if (apk_lu_find_slot(fd, cap, ids[i], &index) != APK_OK) {
			*why = "a key lost its slot";
			ok = false;
			break;
		}
		off_t at = (off_t)apk_lu_data_offset(cap) + (off_t)index * APK_LU_SLOT;

		if (apk_lu_pread(fd, s, sizeof(s), at) != 0) {
			*why = "read";
			ok = false;
			break;
		}
		r = apk_lu_slot_decode(s, UID, index, ids[i], &lu[i]);
		if (r != APK_LU_SLOT_OK && r != APK_LU_SLOT_EMPTY) {
			*why = r == APK_LU_SLOT_TORN ? "a torn slot" : "a foreign slot";
			ok = false;
		}
	}
	close(fd);
	return ok;
}

/* SIGKILLs pid after delay_us and reaps it; then file_parses, counting a
 * failure in *bad (the first few described). */
static bool killed_then_parses(pid_t pid, int64_t delay_us, struct apk_lastused *lu, unsigned *bad)
{
	const char *why;

	sleep_us(delay_us);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (file_parses(KEYS, lu, &why))
		return true;
	if ((*bad)++ < 3)
		tap_diag("after a kill: %s", why);
	return false;
}

static bool same_use(const struct apk_lastused *a, const struct apk_lastused *b)
{
	return a->used == b->used && a->time == b->time && strcmp(a->service, b->service) == 0 &&
	       strcmp(a->rhost, b->rhost) == 0;
}

static void kill_writers(struct rng *rng, unsigned iters)
{
	struct apk_lastused lu[KEYS], again[KEYS];
	unsigned i, bad = 0, unsound = 0, used = 0;
	size_t k;

	if (!start_with_keys("the writer kills"))
		return;
	for (i = 0; i < iters; i++) {
		pid_t pid = spawn_writer(0, -1);

		if (!killed_then_parses(pid, (int64_t)rng_below(rng, 3000), lu, &bad))
			continue;
		for (k = 0; k < KEYS; k++) {
			used += lu[k].used;
			if (lu[k].used && !whole_write(&lu[k]))
				unsound++;
		}
		/* what a reader sees after the kill is settled: the API agrees */
		if (apk_lastused_read(dir, UID, idp, KEYS, again) != APK_OK)
			bad++;
		else
			for (k = 0; k < KEYS; k++)
				if (!same_use(&lu[k], &again[k]))
					unsound++;
	}
	tap_diag("%u writers killed at random moments; %u used slots checked", iters, used);
	tap_ok(bad == 0, "after every writer kill the file parses, no slot torn (%u bad)", bad);
	tap_ok(unsound == 0 && used > 0, "every slot left is one whole write (%u not)", unsound);
}

static void kill_helpers(struct rng *rng, unsigned iters)
{
	struct apk_lastused want[KEYS], lu[KEYS];
	unsigned i, bad = 0, changed = 0, after = 0;
	char tmp[32], tmppath[PATH_MAX + 32];
	const char *why;
	struct stat st;
	int64_t t;
	size_t k;

	if (!start_with_keys("the helper kills"))
		return;
	for (k = 0; k < KEYS; k++)
		record_nth(7, (unsigned)k, ids[k]);
	if (apk_lastused_read(dir, UID, idp, KEYS, want) != APK_OK) {
		tap_ok(false, "read before the helper kills");
		return;
	}
	/* how long one prepare takes, to spread the kills over it */
	t = now_us();
	for (i = 0; i < 10; i++)
		(void)apk_lastused_assign(dir, UID, idp, i % 2 == 0 ? KEYS + EXTRA : KEYS);
	t = (now_us() - t) / 10 + 1;
	tap_diag("one prepare that rebuilds the file takes about %" PRId64 " us", t);
	for (i = 0; i < iters; i++) {
		pid_t pid = spawn_helper(-1);

		if (!killed_then_parses(pid, (int64_t)rng_below(rng, (uint64_t)t * 3), lu, &bad))
			continue;
		for (k = 0; k < KEYS; k++)
			if (!same_use(&lu[k], &want[k]))
				changed++;
	}
	if (apk_lastused_assign(dir, UID, idp, KEYS) != APK_OK)
		after++;
	apk_lu_name(UID, 1, tmp);
	snprintf(tmppath, sizeof(tmppath), "%s/%s", dir, tmp);
	if (lstat(tmppath, &st) == 0)
		after++;
	if (!file_parses(KEYS, lu, &why))
		after++;
	tap_diag("%u helpers killed at random moments in prepare", iters);
	tap_ok(bad == 0, "after every helper kill the file is there and parses (%u not)", bad);
	tap_ok(changed == 0, "the kept keys keep their last use (%u changed)", changed);
	tap_ok(after == 0, "the next prepare succeeds and leaves no stale file");
}

/* ---- 3. figures ---------------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static double median_us(int64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_i64);
	return (double)v[n / 2];
}

#define BENCH_N 2000
#define LOGIN_N 300

static void figures(void)
{
	static int64_t rec[BENCH_N], rec_at[BENCH_N], login[LOGIN_N];
	struct conv_script cs;
	struct test_db t;
	char conf[PATH_MAX], key[APK_KEY_LEN + 1], lines[PATH_MAX + 64];
	int dfd, rc = PAM_SUCCESS;
	size_t i;
	bool ok = true;

	if (apk_lastused_assign(dir, UID, idp, KEYS) != APK_OK ||
	    apk_safe_open_dir(dir, &dfd) != APK_OK) {
		tap_ok(false, "bench setup");
		return;
	}
	for (i = 0; i < BENCH_N; i++) {
		int64_t a = now_us();

		ok = apk_lastused_record(dir, UID, ids[i % KEYS], T0 + (int64_t)i, "sshd",
				     "203.0.113.7") == APK_OK && ok;
		rec[i] = now_us() - a;
		a = now_us();
		ok = apk_lastused_record_at(dfd, UID, ids[i % KEYS], T0 + (int64_t)i, "sshd",
					"203.0.113.7") == APK_OK && ok;
		rec_at[i] = now_us() - a;
	}
	close(dfd);
	if (pam_fixture(&t, conf, key, NULL) != 0) {
		tap_ok(false, "login fixture");
		return;
	}
	snprintf(lines, sizeof(lines), "auth required %%M db=%s nodelay\n", t.path);
	write_service(conf, "bench", lines);
	for (i = 0; i < LOGIN_N && rc == PAM_SUCCESS; i++) {
		int64_t a = now_us();

		cs.response = key;
		rc = pam_run(conf, "bench", me(), &cs);
		login[i] = now_us() - a;
	}
	test_db_remove(&t);
	tap_ok(ok && rc == PAM_SUCCESS, "records and logins for the figures succeeded");
	if (rc == PAM_SUCCESS) {
		double r = median_us(rec, BENCH_N), ra = median_us(rec_at, BENCH_N);
		double l = median_us(login, LOGIN_N);

		tap_diag("figure: one apk_lastused_record %.0f us (%.0f us with the directory "
			 "open), "
			 "one whole login through libpam %.0f us: a record adds %.0f%% "
			 "(medians of %d and %d)", r, ra, l, 100.0 * r / l, BENCH_N, LOGIN_N);
	}
}

int main(void)
{
	struct rng rng;
	unsigned iters = (unsigned)env_num("STRESS_LASTUSED_ITERS", 150);

	make_ids();
	rng.s = stress_seed();
	if (apk_crypto_init() != APK_OK)
		return 2;
	snprintf(dir, sizeof(dir), "/tmp/apk-lastused-stress-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		tap_ok(false, "mkdtemp: %s", strerror(errno));
		return tap_done();
	}
	concurrency(false);
	concurrency(true);
	kill_writers(&rng, iters);
	kill_helpers(&rng, iters);
	figures();
	{
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			tap_diag("could not remove %s", dir);
	}
	return tap_done();
}
