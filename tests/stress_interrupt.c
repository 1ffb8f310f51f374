/* stress_interrupt.c - apikeyctl interrupted at random moments: the store
 * must survive every kind of interruption.
 *
 * The real build/apikeyctl, on a private database, runs generate, rename,
 * describe and delete --yes (of one key or two, named by name or by id)
 * picked at random, each interrupted by one kind, a phase each:
 *   - SIGKILL (STRESS_KILL_ITERS runs, default 500);
 *   - SIGINT, SIGTSTP or SIGHUP (STRESS_HOSTILE_SIGNALS runs, default 240;
 *     a stopped apikeyctl is SIGCONTed);
 *   - RLIMIT_FSIZE around the account file's size (ulimit -f), RLIMIT_NOFILE
 *     from 3 to 12 (ulimit -n), RLIMIT_AS from the least that runs
 *     `apikeyctl --version` upwards (ulimit -v).
 * A signal comes after a random delay drawn from 0 to 1.5 times the
 * command's measured run time, or right after a random one of the
 * command's file events in the database directory (inotify: open, read,
 * write, create, rename, ...), which lands it inside the short moments
 * that write the database, however short they are.
 *
 * Each run must complete (exit 0, exactly its change, a generate's key on
 * stdout), fail (one line on stderr, nothing changed; never under SIGKILL
 * alone: a command that exits by itself there must succeed) or be ended
 * by the signal sent, leaving its whole change or none of it. A generate
 * ended by a terminal signal never stores a key it did not show; one
 * SIGKILLed may, and that key is deleted. After every run: the account's
 * keys read back, every key known valid verifies, every deleted key stays
 * refused (apk_verify agrees with the index), and no u<uid>.new or other
 * stray file is left (after SIGKILL: after a command that succeeded).
 *
 * Env: STRESS_KILL_ITERS, STRESS_HOSTILE_SIGNALS, STRESS_SEED, STRESS_KEEP,
 * APK_BUILD.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stress_util.h"
#include "test_db.h"

#define CMD_TIMEOUT_MS 30000
#define MAXKEYS 4096
#define MEASURE_RUNS 5
#define KEYS_LOW 3   /* below: always generate */
#define KEYS_HIGH 16 /* at or above: always delete */
#define FILLER "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod " \
	"tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis " \
	"nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat."

static struct stress_env env;
static struct rng rng;
static int ifd = -1; /* inotify on the database directory */

/* ---- what the test knows ------------------------------------------------------- */

/* Every key whose token was shown: valid while the index lists it, refused
 * for good once a run removed it. */
struct known {
	char token[APK_KEY_LEN + 1];
	char id[APK_ID_LEN + 1];
	bool deleted;
};
static struct known keys[MAXKEYS];
static size_t nkeys;

/* ---- commands ---------------------------------------------------------------- */

enum op { OP_GENERATE, OP_RENAME, OP_DESCRIBE, OP_DELETE, OP_COUNT };
static const char *const op_name[OP_COUNT] = { "generate", "rename", "describe", "delete" };

/* Each command's typical run: time, directory events, changing events. */
static int64_t median_us[OP_COUNT];
static unsigned median_events[OP_COUNT], median_changes[OP_COUNT];

struct cmd {
	enum op op;
	size_t nids;               /* keys acted on (not generate): 1, or 2 for a delete */
	char id[2][APK_ID_LEN + 1];
	char ref[2][APK_NAME_MAX + 1]; /* each named by its name or its id */
	char value[400];           /* new name or description; generate's name */
	char desc[400];            /* generate's description */
	const char *argv[STRESS_MAX_ARGS + 1];
};

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

static bool acted_on(const struct cmd *c, const char *id)
{
	size_t i;

	for (i = 0; i < c->nids; i++)
		if (strcmp(c->id[i], id) == 0)
			return true;
	return false;
}

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
		return strcmp(r->name, c->value) == 0 && strcmp(r->description, c->desc) == 0 &&
		       r->uid == env.uid && snapshot_find_id(before, r->id) == NULL;
	case OP_RENAME:
	case OP_DESCRIBE:
		if (after->n != before->n)
			return false;
		for (i = 0; i < before->n; i++) {
			struct apk_record want = before->r[i];

			if (acted_on(c, want.id)) {
				if (c->op == OP_RENAME)
					snprintf(want.name, sizeof(want.name), "%s", c->value);
				else
					snprintf(want.description, sizeof(want.description), "%s",
						 c->value);
			}
			if (!rec_equal(&want, &after->r[i]))
				return false;
		}
		return true;
	case OP_DELETE:
	case OP_COUNT:
		if (after->n + c->nids != before->n)
			return false;
		for (i = j = 0; i < before->n; i++) {
			if (acted_on(c, before->r[i].id))
				continue;
			if (!rec_equal(&before->r[i], &after->r[j++]))
				return false;
		}
		return true;
	}
	return false;
}

/* A key of the account to act on, as c's n-th operand: its name or, one
 * time in four, its id (the CLI takes either). */
static void pick_key(struct cmd *c, const struct snapshot *s, size_t n)
{
	const struct apk_record *r;

	do
		r = &s->r[rng_below(&rng, s->n)];
	while (n == 1 && strcmp(r->id, c->id[0]) == 0);
	snprintf(c->id[n], sizeof(c->id[n]), "%s", r->id);
	snprintf(c->ref[n], sizeof(c->ref[n]), "%s", rng_below(&rng, 4) == 0 ? r->id : r->name);
}

/* Fills argv for c (its op, ids and values set). */
static void cmd_argv(struct cmd *c)
{
	const char *ops[2];
	size_t k = 0;

	c->argv[k++] = "apikeyctl";
	c->argv[k++] = op_name[c->op];
	if (c->op == OP_GENERATE) {
		c->argv[k++] = "-q";
		c->argv[k++] = "--name";
		c->argv[k++] = c->value;
		if (c->desc[0] != '\0') {
			c->argv[k++] = "--description";
			c->argv[k++] = c->desc;
		}
	} else if (c->op == OP_DELETE) {
		ops[0] = c->ref[0];
		ops[1] = c->ref[1];
		add_operands(c->argv, &k, ops, c->nids, "--yes");
	} else {
		ops[0] = c->ref[0];
		ops[1] = c->value;
		add_operands(c->argv, &k, ops, 2, NULL);
	}
	c->argv[k] = NULL;
}

/* A command of kind op (OP_COUNT: picked by how many keys there are) for
 * the account as it is now. */
static void cmd_pick(struct cmd *c, enum op op, const struct snapshot *s)
{
	static unsigned serial; /* numbers the names and descriptions set */
	uint64_t x = rng_below(&rng, 100);
	bool any = op == OP_COUNT;

	memset(c, 0, sizeof(*c));
	serial++;
	if (op == OP_COUNT)
		op = s->n < KEYS_LOW ? OP_GENERATE : s->n >= KEYS_HIGH ? OP_DELETE :
		     x < 30 ? OP_GENERATE : x < 55 ? OP_RENAME : x < 75 ? OP_DESCRIBE : OP_DELETE;
	c->op = s->n == 0 ? OP_GENERATE : op;
	if (c->op == OP_GENERATE) {
		snprintf(c->value, sizeof(c->value), "gen-%u", serial);
		if (rng_below(&rng, 2) == 0)
			snprintf(c->desc, sizeof(c->desc), "made at step %u", serial);
	} else {
		c->nids = any && c->op == OP_DELETE && s->n >= 2 && rng_below(&rng, 5) == 0 ? 2 : 1;
		pick_key(c, s, 0);
		if (c->nids == 2)
			pick_key(c, s, 1);
		if (c->op == OP_RENAME) /* long descriptions: the account's file grows past a block */
			snprintf(c->value, sizeof(c->value), "name-%u", serial);
		else if (c->op == OP_DESCRIBE)
			snprintf(c->value, sizeof(c->value), "description %u, \303\251t\303\251 %.*s",
				 serial, (int)rng_below(&rng, 200), FILLER);
	}
	cmd_argv(c);
}

/* ---- one run and its judgement ----------------------------------------------------- */

/* What a phase counts: failures per property, outcomes. */
static unsigned f_outcome, f_message, f_halfway, f_reread, f_verify, f_stale, f_timeout, f_lost;
static unsigned n_done, n_failed, n_ended_before, n_ended_after, n_stops, n_mid, n_after, n_orphans;

static void remember_key(const char *token, bool deleted)
{
	if (nkeys == MAXKEYS) {
		fail_note(&f_outcome, "more than %d keys to remember", MAXKEYS);
		return;
	}
	memcpy(keys[nkeys].token, token, APK_KEY_LEN);
	keys[nkeys].token[APK_KEY_LEN] = '\0';
	token_id(token, keys[nkeys].id);
	keys[nkeys++].deleted = deleted;
}

/* Files in the database directory other than the account's file, its
 * lock, its last-used file and the decoy (a killed change's u<uid>.new or
 * u<uid>.used.new, say): the name of one, or "" when there is none. */
static void stray_file(char *out, size_t outsz)
{
	char file[32], lock[32], used[32];
	struct dirent *de;
	DIR *d = opendir(env.db);

	out[0] = '\0';
	snprintf(file, sizeof file, "u%" PRIu32, env.uid);
	snprintf(lock, sizeof lock, "u%" PRIu32 ".lock", env.uid);
	snprintf(used, sizeof used, "u%" PRIu32 ".used", env.uid);
	if (d == NULL) {
		snprintf(out, outsz, "(opendir: %s)", strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
		    strcmp(de->d_name, "decoy") != 0 && strcmp(de->d_name, file) != 0 &&
		    strcmp(de->d_name, lock) != 0 && strcmp(de->d_name, used) != 0)
			snprintf(out, outsz, "%s", de->d_name);
	closedir(d);
}

static unsigned lines_of(const char *s)
{
	unsigned n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static void one(const struct cmd *c, const struct run_kill *kw, const char *what);

/* Every key the test knows, against the index after a run of c: apk_verify
 * accepts exactly those listed, a listed key was not deleted before, and a
 * key goes only when c removed it. */
static void check_keys(const struct cmd *c, const struct snapshot *after, const char *what)
{
	struct apk_record m;
	enum apk_err e;
	size_t i;

	for (i = 0; i < nkeys; i++) {
		bool listed = snapshot_find_id(after, keys[i].id) != NULL;

		e = verify_token(&env, keys[i].token, &m);
		if (e != APK_OK && e != APK_ERR_NOMATCH) {
			fail_note(&f_verify, "%s %s: key %s: apk_verify says \"%s\"", what,
				  op_name[c->op], keys[i].id, apk_strerror(e));
			continue;
		}
		if ((e == APK_OK) != listed)
			fail_note(&f_verify, "%s %s: key %s: apk_verify %s but the index %s it", what,
				  op_name[c->op], keys[i].id, e == APK_OK ? "accepts" : "refuses",
				  listed ? "lists" : "lacks");
		if (keys[i].deleted && listed)
			fail_note(&f_verify, "%s %s: deleted key %s is back", what, op_name[c->op],
				  keys[i].id);
		if (!keys[i].deleted && !listed) {
			if (c->op != OP_DELETE || !acted_on(c, keys[i].id))
				fail_note(&f_verify, "%s %s: key %s vanished", what, op_name[c->op],
					  keys[i].id);
			keys[i].deleted = true;
		}
	}
}

/* Judges one run of c from its outcome and the account's keys before and
 * after it, and brings what the test knows up to date. */
static void judge(const struct cmd *c, const struct run_kill *kw, const struct run_result *o,
		  const struct snapshot *before, const struct snapshot *after, const char *what)
{
	const char *op = op_name[c->op];
	int sig = kw->sig != 0 ? kw->sig : SIGKILL;
	bool uncut = kw->at_event == UINT_MAX; /* counted, not interrupted */
	/* only a SIGKILL leaves files behind, or keeps a generate from showing its key */
	bool sigkill = !kw->limited && !uncut && sig == SIGKILL;
	bool may_fail = kw->limited || (!uncut && sig != SIGKILL);
	bool ended = !kw->limited && !uncut && o->signaled && o->sig == sig && !o->timed_out;
	bool done = changed_as_asked(c, before, after), none = snap_equal(before, after);
	bool ok = o->exited && o->code == 0, shown = false;
	char token[APK_KEY_LEN + 1], stray[256];

	stray_file(stray, sizeof(stray));
	if (stray[0] != '\0' && (ok || !sigkill))
		fail_note(&f_stale, "%s %s: %s left in the database directory", what, op, stray);
	if (ok) {
		n_done++;
		if (!done)
			fail_note(&f_outcome, "%s %s: exit 0 but not exactly its change", what, op);
	} else if (o->exited) {
		n_failed++;
		if (!may_fail)
			fail_note(&f_outcome, "%s %s: not killed, yet exit %d: %.200s", what, op,
				  o->code, o->err);
		if (!none)
			fail_note(&f_halfway, "%s %s: exit %d but the keys changed", what, op, o->code);
		if (lines_of(o->err) != 1)
			fail_note(&f_message, "%s %s: exit %d with %u stderr lines: %.200s", what, op,
				  o->code, lines_of(o->err), o->err);
	} else if (ended) {
		if (done)
			n_ended_after++;
		else if (none)
			n_ended_before++;
		else
			fail_note(&f_halfway, "%s %s: ended by signal %d half-way", what, op, o->sig);
	} else {
		fail_note(&f_outcome, "%s %s: ended by signal %d%s, stderr %.200s", what, op,
			  o->signaled ? o->sig : -1, o->timed_out ? " at the deadline" : "", o->err);
	}
	if (sigkill && ended)
		n_mid++;
	else if (sigkill)
		n_after++;
	if (c->op == OP_GENERATE) {
		if (token_from_output(o->out, o->outlen, token)) {
			shown = done && strncmp(token + APK_KEY_PREFIX_LEN, after->r[before->n].id,
						APK_ID_LEN) == 0;
			if (done && !shown)
				fail_note(&f_outcome, "%s generate: showed a key that is not the one "
					  "stored", what);
			remember_key(token, !shown); /* shown but not stored: refused for good */
		} else if (ok) {
			fail_note(&f_outcome, "%s generate: exit 0 but printed %zu bytes, not one "
				  "68-character key and a newline", what, o->outlen);
		}
	}
	check_keys(c, after, what);
	if (c->op == OP_GENERATE && done && !shown) {
		struct cmd del;

		if (!sigkill || !ended) {
			fail_note(&f_lost, "%s generate: stored a key it never showed", what);
			return;
		}
		/* SIGKILLed between storing its key and showing it: delete it */
		memset(&del, 0, sizeof(del));
		del.op = OP_DELETE;
		del.nids = 1;
		snprintf(del.id[0], sizeof(del.id[0]), "%s", after->r[before->n].id);
		snprintf(del.ref[0], sizeof(del.ref[0]), "%s", del.id[0]);
		cmd_argv(&del);
		n_orphans++;
		one(&del, NULL, "orphan");
	}
}

/* Runs c interrupted as kw says (NULL: not at all) and checks everything;
 * the result (for its timing) stays in *last. */
static struct run_result last;

static void one(const struct cmd *c, const struct run_kill *kw, const char *what)
{
	struct run_kill count_only = { .after_us = -1, .ifd = ifd, .at_event = UINT_MAX };
	struct snapshot before, after;

	if (snapshot_take(env.db, env.uid, &before) != APK_OK) {
		fail_note(&f_reread, "%s: the database did not read back before the run", what);
		return;
	}
	if (run_cmd_kill(env.prog, c->argv, kw != NULL ? kw : &count_only, CMD_TIMEOUT_MS,
			 &last) != 0) {
		fail_note(&f_outcome, "%s: could not start apikeyctl: %s", what, strerror(errno));
		snapshot_free(&before);
		return;
	}
	n_stops += last.stops;
	if (last.timed_out)
		fail_note(&f_timeout, "%s %s: still running after %d ms", what, op_name[c->op],
			  CMD_TIMEOUT_MS);
	if (snapshot_take(env.db, env.uid, &after) != APK_OK) {
		fail_note(&f_reread, "%s %s: the account's keys no longer read back", what,
			  op_name[c->op]);
		snapshot_free(&before);
		return;
	}
	judge(c, kw != NULL ? kw : &count_only, &last, &before, &after, what);
	snapshot_free(&before);
	snapshot_free(&after);
}

/* A random moment of a command op's run to send sig at: after a delay (up
 * to 1.5 times its typical run) or at one of its file events. */
static struct run_kill moment(enum op op, int sig)
{
	struct run_kill kw = { .after_us = -1, .ifd = ifd, .sig = sig };

	if (rng_below(&rng, 2) == 0 || median_events[op] == 0) {
		kw.after_us = (int64_t)rng_below(&rng, (uint64_t)median_us[op] * 3 / 2 + 1);
	} else {
		kw.changes_only = median_changes[op] > 0 && rng_below(&rng, 2) == 0;
		kw.at_event = 1 + (unsigned)rng_below(&rng, kw.changes_only ? median_changes[op] :
							      median_events[op]);
		/* half at once, half a little later */
		kw.extra_us = rng_below(&rng, 2) ? 0 : (int64_t)rng_below(&rng, 200);
	}
	return kw;
}

/* Picks a command (op, or OP_COUNT for any) for the account as it is now
 * and runs it interrupted as kw says or, with sig, by sig at a random
 * moment of its run. */
static void pick_and_run(enum op op, const struct run_kill *kw, int sig, const char *what)
{
	struct snapshot s;
	struct run_kill at;
	struct cmd c;

	if (snapshot_take(env.db, env.uid, &s) != APK_OK) {
		fail_note(&f_reread, "%s: the database did not read back", what);
		return;
	}
	cmd_pick(&c, op, &s);
	snapshot_free(&s);
	if (sig != 0) {
		at = moment(c.op, sig);
		kw = &at;
	}
	one(&c, kw, what);
}

/* An interruption by a resource limit alone. */
static struct run_kill limited(int resource, rlim_t limit)
{
	struct run_kill kw = { .after_us = -1, .ifd = -1, .limited = true, .resource = resource,
			       .limit = limit };
	return kw;
}

/* ---- the phases --------------------------------------------------------------------- */

static bool report(const char *phase)
{
	bool clean = f_outcome + f_message + f_halfway + f_reread + f_verify + f_stale + f_timeout +
		     f_lost == 0 && n_done > 0;

	tap_ok(f_outcome == 0, "%s: every command completed with its change, failed cleanly or "
	       "was ended by the signal", phase);
	tap_ok(f_message == 0, "%s: every failure said so in one line", phase);
	tap_ok(f_halfway == 0, "%s: nothing was ever half-changed", phase);
	tap_ok(f_reread == 0, "%s: the database always read back", phase);
	tap_ok(f_verify == 0, "%s: every known key kept verifying, every deleted one refused",
	       phase);
	tap_ok(f_stale == 0, "%s: no stray file was left%s", phase,
	       strcmp(phase, "SIGKILL") == 0 ? " by a command that succeeded" : "");
	tap_ok(f_timeout == 0, "%s: no command hung", phase);
	tap_ok(f_lost == 0, "%s: no generate stored a key it did not show%s", phase,
	       n_orphans > 0 ? " (but SIGKILLed ones, deleted here)" : "");
	/* a phase in which every command failed would prove nothing */
	tap_ok(n_done > 0, "%s: some commands completed (%u)", phase, n_done);
	tap_diag("%s: %u done, %u failed, %u ended by the signal before their change, %u after "
		 "it, %u stops continued, %u orphans deleted", phase, n_done, n_failed,
		 n_ended_before, n_ended_after, n_stops, n_orphans);
	f_outcome = f_message = f_halfway = f_reread = f_verify = f_stale = f_timeout = f_lost = 0;
	n_done = n_failed = n_ended_before = n_ended_after = n_stops = n_orphans = 0;
	fail_note_reset();
	return clean;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int cmp_uns(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return (x > y) - (x < y);
}


/* Runs each command a few times without interrupting it: a baseline that
 * must work, and each command's typical run for drawing the moments. */
static void measure(void)
{
	static const enum op order[] = { OP_GENERATE, OP_RENAME, OP_DESCRIBE, OP_DELETE };
	int64_t d[OP_COUNT][MEASURE_RUNS + 1];
	unsigned ev[OP_COUNT][MEASURE_RUNS + 1], ch[OP_COUNT][MEASURE_RUNS + 1];
	size_t i, j;

	for (j = 0; j < OP_COUNT; j++) /* one more generate: deletes need keys */
		for (i = 0; i < MEASURE_RUNS + (order[j] == OP_GENERATE); i++) {
			pick_and_run(order[j], NULL, 0, "baseline");
			d[order[j]][i] = last.dur_us;
			ev[order[j]][i] = last.events;
			ch[order[j]][i] = last.changes;
		}
	for (j = 0; j < OP_COUNT; j++) {
		qsort(d[j], MEASURE_RUNS, sizeof d[j][0], cmp_i64);
		qsort(ev[j], MEASURE_RUNS, sizeof ev[j][0], cmp_uns);
		qsort(ch[j], MEASURE_RUNS, sizeof ch[j][0], cmp_uns);
		median_us[j] = d[j][MEASURE_RUNS / 2];
		median_events[j] = ev[j][MEASURE_RUNS / 2];
		median_changes[j] = ch[j][MEASURE_RUNS / 2];
	}
	tap_diag("typical run (us / directory events / changes): generate %" PRId64 "/%u/%u, "
		 "rename %" PRId64 "/%u/%u, describe %" PRId64 "/%u/%u, delete %" PRId64 "/%u/%u",
		 median_us[OP_GENERATE], median_events[OP_GENERATE], median_changes[OP_GENERATE],
		 median_us[OP_RENAME], median_events[OP_RENAME], median_changes[OP_RENAME],
		 median_us[OP_DESCRIBE], median_events[OP_DESCRIBE], median_changes[OP_DESCRIBE],
		 median_us[OP_DELETE], median_events[OP_DELETE], median_changes[OP_DELETE]);
}

/* A few keys with long descriptions: a file of several blocks. */
static void start_keys(void)
{
	struct snapshot s;
	struct cmd c;
	char p[PATH_MAX + 32];
	struct stat st = { 0 };
	size_t i;

	while (snapshot_take(env.db, env.uid, &s) == APK_OK && s.n < KEYS_LOW + 2) {
		snapshot_free(&s);
		pick_and_run(OP_GENERATE, NULL, 0, "setup");
	}
	for (i = 0; i < s.n; i++) {
		memset(&c, 0, sizeof(c));
		c.op = OP_DESCRIBE;
		c.nids = 1;
		snprintf(c.id[0], sizeof(c.id[0]), "%s", s.r[i].id);
		snprintf(c.ref[0], sizeof(c.ref[0]), "%s", s.r[i].id);
		snprintf(c.value, sizeof(c.value), "start %zu %s", i, FILLER);
		cmd_argv(&c);
		one(&c, NULL, "setup");
	}
	account_file(env.db, env.uid, p, sizeof(p));
	if (stat(p, &st) != 0)
		st.st_size = -1;
	tap_ok(s.n == KEYS_LOW + 2 && st.st_size > 0, "%zu keys to start with, %lld bytes", s.n,
	       (long long)st.st_size);
	snapshot_free(&s);
}


static void kills(long long iters)
{
	long long i;
	double frac;

	for (i = 0; i < iters; i++)
		pick_and_run(OP_COUNT, NULL, SIGKILL, "SIGKILL");
	pick_and_run(OP_COUNT, NULL, 0, "SIGKILL"); /* it clears what the last kill left */
	frac = n_mid + n_after > 0 ? (double)n_mid / (n_mid + n_after) : 0.0;
	tap_ok(frac >= 0.30, "SIGKILL: %.0f%% of kills landed while the command ran (%u of %u, "
	       "need 30%%)", frac * 100.0, n_mid, n_mid + n_after);
	report("SIGKILL");
}

static void signals(long long nsig)
{
	static const int sigs[3] = { SIGINT, SIGTSTP, SIGHUP };
	static const char *const sig_names[3] = { "SIGINT", "SIGTSTP", "SIGHUP" };
	long long i;

	for (i = 0; i < nsig; i++) {
		unsigned which = (unsigned)rng_below(&rng, 3);

		pick_and_run(OP_COUNT, NULL, sigs[which], sig_names[which]);
	}
	report("signals");
}

/* ulimit -f: from 4 KiB below the account file's size up, by 256 bytes. */
static void fsize_limits(void)
{
	char p[PATH_MAX + 32];
	struct stat st;
	off_t size;
	rlim_t low;
	unsigned i, k;

	account_file(env.db, env.uid, p, sizeof(p));
	size = stat(p, &st) == 0 ? st.st_size : 0;
	low = (rlim_t)(size > 4096 ? size - 4096 : 0);
	for (k = 0; k <= 24; k++)
		for (i = 0; i < 3; i++) {
			struct run_kill kw = limited(RLIMIT_FSIZE, low + (rlim_t)k * 256);

			pick_and_run(OP_COUNT, &kw, 0, "RLIMIT_FSIZE");
		}
	tap_diag("RLIMIT_FSIZE from %lld bytes up by 256, the account's file being %lld bytes at "
		 "first: 75 runs", (long long)low, (long long)size);
	report("ulimit -f");
}

/* ulimit -n: 3 to 12 descriptors. */
static void nofile_limits(void)
{
	unsigned i, k;

	for (k = 3; k <= 12; k++)
		for (i = 0; i < 4; i++) {
			struct run_kill kw = limited(RLIMIT_NOFILE, k);

			pick_and_run(OP_COUNT, &kw, 0, "RLIMIT_NOFILE");
		}
	report("ulimit -n");
}

/* apikeyctl --version with RLIMIT_AS at limit: 0 when it ran. */
static int version_with_as(rlim_t limit)
{
	static const char *const argv[] = { "apikeyctl", "--version", NULL };
	struct run_kill kw = limited(RLIMIT_AS, limit);

	return run_cmd_kill(env.prog, argv, &kw, CMD_TIMEOUT_MS, &last) == 0 && last.exited &&
	       last.code == 0 ? 0 : -1;
}

/* ulimit -v: from the least address space that runs --version up. */
static void as_limits(void)
{
	rlim_t lo = 1, hi = 65536; /* units of 16 KiB: up to 1 GiB */
	unsigned k;

	if (getenv("APK_SANITIZER") != NULL) {
		/* ASan reserves terabytes of shadow memory: no RLIMIT_AS leaves room */
		tap_skip("ulimit -v: not under a sanitizer");
		return;
	}
	while (lo < hi) {
		rlim_t mid = (lo + hi) / 2;

		if (version_with_as(mid << 14) == 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	/* Below that, start-up itself fails: ld.so cannot map a library
	 * (one line, exit 127), or glibc's NSS crashes in getpwuid_r
	 * when an allocation fails (SIGSEGV, before any change). */
	version_with_as((lo - 1) << 14);
	tap_diag("RLIMIT_AS: --version runs from %llu KiB; 16 KiB less: %s %d %.100s",
		 (unsigned long long)(lo << 4), last.signaled ? "signal" : "exit",
		 last.signaled ? last.sig : last.code, last.err);
	for (k = 0; k < 80; k++) {
		struct run_kill kw = limited(RLIMIT_AS, (lo + k) << 14); /* 16 KiB more each time */

		pick_and_run(OP_COUNT, &kw, 0, "RLIMIT_AS");
	}
	report("ulimit -v");
}

int main(void)
{
	long long iters = env_num("STRESS_KILL_ITERS", 500);
	long long nsig = env_num("STRESS_HOSTILE_SIGNALS", 240);

	/* A backstop: each command has its own deadline, the whole run this. */
	alarm((unsigned)(900 + iters + nsig));
	run_init();
	if (stress_setup(&env) != 0) {
		tap_ok(false, "setup: apikeyctl, user and a private directory");
		stress_cleanup(&env);
		return tap_done();
	}
	rng.s = stress_seed();
	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ifd < 0 || inotify_add_watch(ifd, env.dir, IN_ALL_EVENTS) < 0) {
		tap_ok(false, "setup: inotify on %s: %s", env.dir, strerror(errno));
		stress_cleanup(&env);
		return tap_done();
	}
	tap_diag("apikeyctl %s, database %s", env.prog, env.db);
	measure();
	if (!report("baseline")) {
		stress_cleanup(&env);
		return tap_done();
	}
	start_keys();
	kills(iters);
	signals(nsig);
	fsize_limits();
	nofile_limits();
	as_limits();
	close(ifd);
	stress_cleanup(&env);
	return tap_done();
}
