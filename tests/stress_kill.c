/* stress_kill.c - SIGKILL apikeyctl at random moments; the store must survive.
 *
 * Each iteration runs one of generate / rename / describe / delete --yes
 * with the real build/apikeyctl on a private database, SIGKILLs it and
 * reaps it. Half the kills come after a random delay drawn from 0 to 1.5
 * times that command's measured run time; the other half right after a
 * random one of the command's file events in the database directory
 * (inotify: open, read, write, create, rename, ...), which lands them in
 * the short moments that write the database, however short they are.
 * A child that exited 0 before the kill reported success, and its change
 * must be there; a killed child's change must be there entirely or not at
 * all. After every iteration:
 *   - the database opens (apk_store_load) and reads back;
 *   - every key whose generate reported success verifies (apk_verify) and
 *     carries the last name and description that reported success;
 *   - every key whose delete reported success is refused (APK_ERR_NOMATCH)
 *     and is gone from the account's index;
 *   - a key of a killed command is valid or refused, nothing else, and once
 *     observed it stays so; a killed two-key delete is all or nothing;
 *   - the account holds no key the test cannot account for;
 *   - after a command that exited 0, no stale file (u<uid>.new or other) is left.
 *
 * Env: STRESS_KILL_ITERS (default 500), STRESS_SEED, STRESS_KEEP, APK_BUILD.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stress_util.h"

#define CMD_TIMEOUT_MS 30000
#define LIVE_LOW 3              /* below: always generate */
#define LIVE_HIGH 40            /* at or above: always delete (limit is 100) */
#define DESC_MAX 96
#define MEASURE_RUNS 5

enum op { OP_GEN, OP_RENAME, OP_DESCRIBE, OP_DELETE, OP_COUNT };
static const char *const op_names[OP_COUNT] = { "generate", "rename", "describe", "delete" };

enum kstate {
	K_VALID,        /* generate reported success, or observed valid */
	K_REFUSED,      /* delete reported success, or observed refused */
	K_UNKNOWN_GEN,  /* printed by a generate that was killed */
	K_UNKNOWN_DEL,  /* named by a delete that was killed */
};

struct tkey {
	char token[APK_KEY_LEN + 1];
	char id[APK_ID_LEN + 1];
	char name[APK_NAME_MAX + 1];
	char alt_name[APK_NAME_MAX + 1];  /* "" unless a killed rename left it open */
	char desc[DESC_MAX];
	char alt_desc[DESC_MAX];
	bool desc_open;                   /* a killed describe left alt_desc possible */
	enum kstate st;
};

struct ctx {
	struct stress_env env;
	struct rng rng;
	struct tkey *keys;
	size_t nkeys, capkeys;
	/* names of killed generates whose key was not printed in full: such a
	 * key may exist, unverifiable; it is deleted when found */
	char pending[64][APK_NAME_MAX + 1];
	size_t npending;
	unsigned counter;
	int64_t median_us[OP_COUNT];
	unsigned median_events[OP_COUNT], median_changes[OP_COUNT];
	int ifd;                        /* inotify on the directory */
	bool broken;                    /* the database is damaged: stop */
	/* figures: kills by time [0] and by event [1] */
	unsigned runs[OP_COUNT], mid, after, mode_mid[2], mode_after[2];
	unsigned stale_new, stale_other, partial_out;
	unsigned orphans, reported_gen, reported_del;
	unsigned gen_settled[2], del_settled[2];   /* killed: [0] refused, [1] valid */
	unsigned verifies;
	/* failures per property */
	unsigned f_open, f_valid, f_refused, f_unknown, f_meta, f_token, f_stale;
	unsigned f_uncut, f_extra, f_setup;
};

static struct tkey *add_key(struct ctx *c)
{
	if (c->nkeys == c->capkeys) {
		size_t ncap = c->capkeys ? c->capkeys * 2 : 256;
		struct tkey *k = realloc(c->keys, ncap * sizeof *k);

		if (k == NULL) {
			fprintf(stderr, "out of memory\n");
			exit(2);
		}
		c->keys = k;
		c->capkeys = ncap;
	}
	memset(&c->keys[c->nkeys], 0, sizeof c->keys[0]);
	return &c->keys[c->nkeys++];
}

static void add_pending(struct ctx *c, const char *name)
{
	if (c->npending < sizeof c->pending / sizeof c->pending[0])
		snprintf(c->pending[c->npending++], sizeof c->pending[0], "%s", name);
	else
		fail_note(&c->f_setup, "too many unresolved killed generates");
}

static size_t live_keys(const struct ctx *c, size_t *idx, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < c->nkeys; i++)
		if (c->keys[i].st == K_VALID) {
			if (n < max)
				idx[n] = i;
			n++;
		}
	return n;
}

/* The name or, one time in four, the id: the CLI accepts either. */
static const char *key_ref(struct ctx *c, const struct tkey *k)
{
	return rng_below(&c->rng, 4) == 0 ? k->id : k->name;
}

/* Files in the database directory other than the account's file, its
 * lock, its last-used file and the decoy: a stale u<uid>.new (saw_new) or
 * anything else (other; a killed change's u<uid>.used.new too). */
static void scan_dir(struct ctx *c, bool *saw_new, char *other, size_t othersz)
{
	char file[32], lock[32], tmp[32], used[32];
	struct dirent *de;
	DIR *d;

	*saw_new = false;
	other[0] = '\0';
	snprintf(file, sizeof file, "u%" PRIu32, c->env.uid);
	snprintf(lock, sizeof lock, "u%" PRIu32 ".lock", c->env.uid);
	snprintf(tmp, sizeof tmp, "u%" PRIu32 ".new", c->env.uid);
	snprintf(used, sizeof used, "u%" PRIu32 ".used", c->env.uid);
	d = opendir(c->env.db);
	if (d == NULL) {
		fail_note(&c->f_setup, "opendir %s: %s", c->env.db, strerror(errno));
		return;
	}
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name;

		if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || strcmp(n, "decoy") == 0 ||
		    strcmp(n, file) == 0 || strcmp(n, lock) == 0 || strcmp(n, used) == 0)
			continue;
		if (strcmp(n, tmp) == 0)
			*saw_new = true;
		else
			snprintf(other, othersz, "%s", n);
	}
	closedir(d);
}

static void check_files(struct ctx *c, bool after_success, const char *what)
{
	char other[256];
	bool saw_new;

	scan_dir(c, &saw_new, other, sizeof other);
	if (saw_new)
		c->stale_new++;
	if (other[0] != '\0')
		c->stale_other++;
	if (after_success && (saw_new || other[0] != '\0'))
		fail_note(&c->f_stale, "after a successful %s: stale %s left in the directory",
			  what, saw_new ? "u<uid>.new" : other);
}

static bool in_pending(const struct ctx *c, const char *name, size_t *at)
{
	size_t i;

	for (i = 0; i < c->npending; i++)
		if (strcmp(c->pending[i], name) == 0) {
			*at = i;
			return true;
		}
	return false;
}

static void drop_pending(struct ctx *c, size_t at)
{
	c->pending[at][0] = '\0';
	if (at + 1 < c->npending)
		memmove(c->pending[at], c->pending[at + 1],
			(c->npending - at - 1) * sizeof c->pending[0]);
	c->npending--;
}

/* A key observed valid: its record must carry the expected name and
 * description; an open alternative (killed rename/describe) is settled by
 * what the record shows. */
static void check_meta(struct ctx *c, struct tkey *k, const struct apk_record *rec)
{
	if (strcmp(rec->name, k->name) != 0) {
		if (k->alt_name[0] != '\0' && strcmp(rec->name, k->alt_name) == 0)
			memcpy(k->name, k->alt_name, sizeof k->name);
		else
			fail_note(&c->f_meta, "key %s named \"%s\", expected \"%s\"%s%s", k->id,
				  rec->name, k->name, k->alt_name[0] ? " or " : "", k->alt_name);
	}
	k->alt_name[0] = '\0';
	if (strcmp(rec->description, k->desc) != 0) {
		if (k->desc_open && strcmp(rec->description, k->alt_desc) == 0)
			memcpy(k->desc, k->alt_desc, sizeof k->desc);
		else
			fail_note(&c->f_meta, "key %s described \"%s\", expected \"%s\"", k->id,
				  rec->description, k->desc);
	}
	k->desc_open = false;
}

static void delete_orphans(struct ctx *c, const char *const *ids, size_t n);

/* The state after an iteration: see the top of the file. */
static void check_state(struct ctx *c)
{
	const char *orphan_ids[64];
	char orphan_buf[64][APK_ID_LEN + 1];
	struct snapshot s;
	struct apk_record m;
	bool *seen = NULL;
	int del_outcome = -1;   /* of the killed delete's keys: 1 valid, 0 refused */
	size_t i, at, norphans = 0;
	enum apk_err e;

	e = snapshot_take(c->env.db, c->env.uid, &s);
	if (e != APK_OK) {
		fail_note(&c->f_open, "the database does not open or read back: %s", apk_strerror(e));
		c->broken = true;
		return;
	}
	if (s.n > 0) {
		seen = calloc(s.n, sizeof *seen);
		if (seen == NULL) {
			fprintf(stderr, "out of memory\n");
			exit(2);
		}
	}
	for (i = 0; i < c->nkeys; i++) {
		struct tkey *k = &c->keys[i];
		const struct apk_record *rec = snapshot_find_id(&s, k->id);
		int now_valid;

		e = verify_token(&c->env, k->token, &m);
		c->verifies++;
		if (rec != NULL)
			seen[rec - s.r] = true;
		if (e != APK_OK && e != APK_ERR_NOMATCH) {
			unsigned *f = k->st == K_VALID ? &c->f_valid :
				      k->st == K_REFUSED ? &c->f_refused : &c->f_unknown;

			fail_note(f, "key %s (%s): apk_verify says \"%s\"", k->id, k->name,
				  apk_strerror(e));
			c->broken = true;       /* the database is damaged: stop there */
			continue;
		}
		now_valid = e == APK_OK;
		if (now_valid != (rec != NULL))
			fail_note(&c->f_open, "key %s: apk_verify %s but the index %s it", k->id,
				  now_valid ? "accepts" : "refuses", rec ? "lists" : "lacks");
		switch (k->st) {
		case K_VALID:
			if (!now_valid)
				fail_note(&c->f_valid, "key %s (%s), whose generate reported success, "
					  "is refused", k->id, k->name);
			break;
		case K_REFUSED:
			if (now_valid)
				fail_note(&c->f_refused, "key %s (%s), whose delete reported success, "
					  "is accepted", k->id, k->name);
			break;
		case K_UNKNOWN_DEL:
			if (del_outcome >= 0 && del_outcome != now_valid)
				fail_note(&c->f_unknown, "a killed delete of two keys was half done");
			del_outcome = now_valid;
			c->del_settled[now_valid]++;
			k->st = now_valid ? K_VALID : K_REFUSED;
			break;
		case K_UNKNOWN_GEN:
			c->gen_settled[now_valid]++;
			k->st = now_valid ? K_VALID : K_REFUSED;
			break;
		}
		if (k->st == K_VALID && rec != NULL)
			check_meta(c, k, rec);
	}
	/* Whatever else the account holds must be a killed generate's key. */
	for (i = 0; i < s.n; i++) {
		if (seen[i])
			continue;
		if (in_pending(c, s.r[i].name, &at) && norphans < 64) {
			memcpy(orphan_buf[norphans], s.r[i].id, sizeof orphan_buf[0]);
			orphan_ids[norphans] = orphan_buf[norphans];
			norphans++;
			drop_pending(c, at);
			c->orphans++;
		} else {
			fail_note(&c->f_extra, "unexpected key %s named \"%s\" in the database",
				  s.r[i].id, s.r[i].name);
		}
	}
	/* A killed generate that left nothing can never add it later. */
	c->npending = 0;
	free(seen);
	snapshot_free(&s);
	if (norphans > 0)
		delete_orphans(c, orphan_ids, norphans);
}

/* Runs argv without a kill; it must succeed within the deadline. */
static bool run_uncut(struct ctx *c, const char *const argv[], struct run_result *r)
{
	if (run_cmd(c->env.prog, argv, -1, CMD_TIMEOUT_MS, r) != 0) {
		fail_note(&c->f_setup, "cannot run %s: %s", c->env.prog, strerror(errno));
		return false;
	}
	if (r->timed_out) {
		fail_note(&c->f_uncut, "apikeyctl %s did not finish in %d ms", argv[1], CMD_TIMEOUT_MS);
		return false;
	}
	if (!r->exited || r->code != 0) {
		fail_note(&c->f_uncut, "apikeyctl %s (not killed) failed: %s %d: %s", argv[1],
			  r->exited ? "exit" : "signal", r->exited ? r->code : r->sig,
			  run_errline(r));
		return false;
	}
	return true;
}

static void delete_orphans(struct ctx *c, const char *const *ids, size_t n)
{
	const char *argv[STRESS_MAX_ARGS + 1];
	struct run_result *r = malloc(sizeof *r);
	size_t i, done = 0;

	if (r == NULL)
		exit(2);
	while (done < n) {
		size_t k = 0;

		argv[k++] = "apikeyctl";
		argv[k++] = "delete";
		argv[k++] = "--yes";
		argv[k++] = "--";       /* an id may begin with '-' */
		for (i = done; i < n && k < STRESS_MAX_ARGS; i++)
			argv[k++] = ids[i];
		argv[k] = NULL;
		done = i;
		if (run_uncut(c, argv, r))
			check_files(c, true, "delete");
	}
	free(r);
}

/* One command, killed as kw says (NULL: not killed). Returns true when it
 * exited 0 by itself. */
static bool iteration(struct ctx *c, enum op op, const struct run_kill *kw, struct run_result *r)
{
	char newname[APK_NAME_MAX + 1], desc[DESC_MAX];
	const char *argv[STRESS_MAX_ARGS + 1], *ops[2];
	size_t live[128], nlive, k = 0, nvict = 0;
	struct tkey *vict[2] = { NULL, NULL };
	struct run_kill count_only = { -1, c->ifd, UINT_MAX, false, 0 };
	bool killed, ok;

	nlive = live_keys(c, live, 128);
	if (nlive > 128)
		nlive = 128;
	if (op != OP_GEN && nlive == 0)
		op = OP_GEN;
	c->counter++;
	argv[k++] = "apikeyctl";
	argv[k++] = op_names[op];
	desc[0] = '\0';
	newname[0] = '\0';
	switch (op) {
	case OP_GEN:
		snprintf(newname, sizeof newname, "k%u", c->counter);
		argv[k++] = "--name";
		argv[k++] = newname;
		if (rng_below(&c->rng, 2) == 0) {
			snprintf(desc, sizeof desc, "made by stress_kill, step %u", c->counter);
			argv[k++] = "--description";
			argv[k++] = desc;
		}
		argv[k++] = "-q";
		break;
	case OP_RENAME:
	case OP_DESCRIBE:
		vict[0] = &c->keys[live[rng_below(&c->rng, nlive)]];
		nvict = 1;
		if (op == OP_RENAME)
			snprintf(newname, sizeof newname, "r%u", c->counter);
		else
			snprintf(desc, sizeof desc, "described at step %u", c->counter);
		ops[0] = key_ref(c, vict[0]);
		ops[1] = op == OP_RENAME ? newname : desc;
		add_operands(argv, &k, ops, 2, NULL);
		break;
	case OP_DELETE:
	case OP_COUNT:
		op = OP_DELETE;
		vict[0] = &c->keys[live[rng_below(&c->rng, nlive)]];
		nvict = 1;
		if (nlive >= 2 && rng_below(&c->rng, 5) == 0) {
			do
				vict[1] = &c->keys[live[rng_below(&c->rng, nlive)]];
			while (vict[1] == vict[0]);
			nvict = 2;
		}
		ops[0] = key_ref(c, vict[0]);
		if (nvict == 2)
			ops[1] = key_ref(c, vict[1]);
		add_operands(argv, &k, ops, nvict, "--yes");
		break;
	}
	argv[k] = NULL;
	c->runs[op]++;

	/* Not killed (kw NULL), its events are still counted as a killing run
	 * counts them (reading each at once: a slower reader sees fewer, merged). */
	if (run_cmd_kill(c->env.prog, argv, kw != NULL ? kw : &count_only, CMD_TIMEOUT_MS, r) != 0) {
		fail_note(&c->f_setup, "cannot run %s: %s", c->env.prog, strerror(errno));
		return false;
	}
	killed = r->signaled && r->sig == SIGKILL && !r->timed_out && kw != NULL;
	ok = r->exited && r->code == 0;
	if (killed) {
		c->mid++;
		c->mode_mid[kw->at_event > 0]++;
	} else if (r->exited && kw != NULL) {
		c->after++;
		c->mode_after[kw->at_event > 0]++;
	}
	if (!killed && !ok)
		fail_note(&c->f_uncut, "apikeyctl %s (not killed) failed: %s %d%s: %s", op_names[op],
			  r->exited ? "exit" : "signal", r->exited ? r->code : r->sig,
			  r->timed_out ? " (deadline)" : "", run_errline(r));

	/* What the outcome lets us expect; a command that neither succeeded
	 * nor was cleanly killed is treated as undecided, like a killed one. */
	switch (op) {
	case OP_GEN: {
		char token[APK_KEY_LEN + 1];
		struct tkey *nk;

		if (token_from_output(r->out, r->outlen, token)) {
			nk = add_key(c);
			memcpy(nk->token, token, sizeof nk->token);
			token_id(token, nk->id);
			snprintf(nk->name, sizeof nk->name, "%s", newname);
			snprintf(nk->desc, sizeof nk->desc, "%s", desc);
			nk->st = ok ? K_VALID : K_UNKNOWN_GEN;
			if (ok)
				c->reported_gen++;
		} else {
			if (ok)
				fail_note(&c->f_token, "generate -q exited 0 but printed %zu bytes, "
					  "not one 68-character key and a newline", r->outlen);
			else if (r->outlen > 0)
				c->partial_out++;
			add_pending(c, newname);
		}
		break;
	}
	case OP_RENAME:
		if (ok)
			memcpy(vict[0]->name, newname, sizeof newname);
		else
			memcpy(vict[0]->alt_name, newname, sizeof newname);
		break;
	case OP_DESCRIBE:
		if (ok) {
			memcpy(vict[0]->desc, desc, sizeof desc);
		} else {
			memcpy(vict[0]->alt_desc, desc, sizeof desc);
			vict[0]->desc_open = true;
		}
		break;
	case OP_DELETE:
	case OP_COUNT:
		for (k = 0; k < nvict; k++)
			vict[k]->st = ok ? K_REFUSED : K_UNKNOWN_DEL;
		if (ok)
			c->reported_del += (unsigned)nvict;
		break;
	}
	check_files(c, ok, op_names[op]);
	check_state(c);
	return ok;
}

static enum op pick_op(struct ctx *c)
{
	size_t dummy[1];
	size_t nlive = live_keys(c, dummy, 0);
	uint64_t x;

	if (nlive < LIVE_LOW)
		return OP_GEN;
	if (nlive >= LIVE_HIGH)
		return OP_DELETE;
	x = rng_below(&c->rng, 100);
	if (x < 30)
		return OP_GEN;
	if (x < 55)
		return OP_RENAME;
	if (x < 75)
		return OP_DESCRIBE;
	return OP_DELETE;
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

/* Runs each command a few times without killing it: a baseline that must
 * work, and each command's typical run time for drawing kill moments. */
static bool measure(struct ctx *c, struct run_result *r)
{
	static const enum op order[] = { OP_GEN, OP_RENAME, OP_DESCRIBE, OP_DELETE };
	int64_t d[OP_COUNT][MEASURE_RUNS + 1];
	unsigned ev[OP_COUNT][MEASURE_RUNS + 1], ch[OP_COUNT][MEASURE_RUNS + 1];
	size_t i, j;
	unsigned before = c->f_uncut + c->f_token + c->f_valid + c->f_open + c->f_setup;

	for (i = 0; i < MEASURE_RUNS + 1; i++) /* one more generate: deletes need keys */
		if (iteration(c, OP_GEN, NULL, r)) {
			d[OP_GEN][i] = r->dur_us;
			ev[OP_GEN][i] = r->events;
			ch[OP_GEN][i] = r->changes;
		}
	for (j = 1; j < sizeof order / sizeof order[0]; j++)
		for (i = 0; i < MEASURE_RUNS; i++)
			if (iteration(c, order[j], NULL, r)) {
				d[order[j]][i] = r->dur_us;
				ev[order[j]][i] = r->events;
				ch[order[j]][i] = r->changes;
			}
	if (c->f_uncut + c->f_token + c->f_valid + c->f_open + c->f_setup != before)
		return false;
	for (j = 0; j < OP_COUNT; j++) {
		qsort(d[j], MEASURE_RUNS, sizeof d[j][0], cmp_i64);
		qsort(ev[j], MEASURE_RUNS, sizeof ev[j][0], cmp_uns);
		qsort(ch[j], MEASURE_RUNS, sizeof ch[j][0], cmp_uns);
		c->median_changes[j] = ch[j][MEASURE_RUNS / 2];
		c->median_us[j] = d[j][MEASURE_RUNS / 2];
		c->median_events[j] = ev[j][MEASURE_RUNS / 2];
	}
	tap_diag("typical run (us / directory events / changes): generate %" PRId64 "/%u/%u, "
		 "rename %" PRId64 "/%u/%u, describe %" PRId64 "/%u/%u, delete %" PRId64 "/%u/%u",
		 c->median_us[OP_GEN], c->median_events[OP_GEN], c->median_changes[OP_GEN],
		 c->median_us[OP_RENAME], c->median_events[OP_RENAME], c->median_changes[OP_RENAME],
		 c->median_us[OP_DESCRIBE], c->median_events[OP_DESCRIBE],
		 c->median_changes[OP_DESCRIBE], c->median_us[OP_DELETE],
		 c->median_events[OP_DELETE], c->median_changes[OP_DELETE]);
	return true;
}

int main(void)
{
	struct ctx *c = calloc(1, sizeof *c);
	struct run_result *r = malloc(sizeof *r);
	long long iters = env_num("STRESS_KILL_ITERS", 500);
	unsigned sum_runs = 0;
	int64_t t0 = now_us();
	double frac;
	long long i, done;

	if (c == NULL || r == NULL)
		return 2;
	/* A backstop: each command has its own deadline, the whole run this. */
	alarm((unsigned)(600 + iters));
	run_init();
	if (stress_setup(&c->env) != 0) {
		tap_ok(false, "setup: apikeyctl, user and a private directory");
		stress_cleanup(&c->env);
		return tap_done();
	}
	c->rng.s = stress_seed();
	c->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (c->ifd < 0 || inotify_add_watch(c->ifd, c->env.dir, IN_ALL_EVENTS) < 0) {
		tap_ok(false, "setup: inotify on %s: %s", c->env.dir, strerror(errno));
		stress_cleanup(&c->env);
		return tap_done();
	}
	tap_diag("apikeyctl %s, database %s, %lld iterations", c->env.prog, c->env.db, iters);

	if (!tap_ok(measure(c, r), "baseline: each command run to completion succeeds and verifies")) {
		stress_cleanup(&c->env);
		return tap_done();
	}
	for (done = 0; done < iters && !c->broken; done++) {
		enum op op = pick_op(c);
		struct run_kill kw = { -1, c->ifd, 0, false, 0 };

		if (rng_below(&c->rng, 2) == 0 || c->median_events[op] == 0) {
			kw.after_us = (int64_t)rng_below(&c->rng, (uint64_t)c->median_us[op] * 3 / 2 + 1);
		} else {
			kw.changes_only = c->median_changes[op] > 0 && rng_below(&c->rng, 2) == 0;
			kw.at_event = 1 + (unsigned)rng_below(&c->rng, kw.changes_only ?
							       c->median_changes[op] :
							       c->median_events[op]);
			/* half at once, half a little later */
			kw.extra_us = rng_below(&c->rng, 2) ? 0 : (int64_t)rng_below(&c->rng, 200);
		}
		iteration(c, op, &kw, r);
	}
	for (i = 0; i < OP_COUNT; i++)
		sum_runs += c->runs[i];
	frac = c->mid + c->after > 0 ? (double)c->mid / (c->mid + c->after) : 0.0;
	tap_diag("%u commands (generate %u, rename %u, describe %u, delete %u) in %.1f s",
		 sum_runs, c->runs[OP_GEN], c->runs[OP_RENAME], c->runs[OP_DESCRIBE],
		 c->runs[OP_DELETE], (double)(now_us() - t0) / 1e6);
	tap_diag("kills: %u mid-command, %u after exit (%.0f%% mid-command); by time %u/%u, "
		 "by file event %u/%u", c->mid, c->after, frac * 100.0, c->mode_mid[0],
		 c->mode_after[0], c->mode_mid[1], c->mode_after[1]);
	tap_diag("stale u<uid>.new seen %u times, other stale files %u times, "
		 "partial output of killed generate %u", c->stale_new, c->stale_other, c->partial_out);
	tap_diag("killed generates: %u printed a key that was stored, %u printed one that was not, "
		 "%u stored one unprinted (deleted here); killed deletes of keys: %u done, %u not; "
		 "%u apk_verify calls", c->gen_settled[1], c->gen_settled[0], c->orphans,
		 c->del_settled[0], c->del_settled[1], c->verifies);

	tap_ok(c->f_setup == 0, "the harness ran every command");
	if (c->broken)
		tap_diag("stopped after iteration %lld: the database is broken", done);
	tap_ok(c->f_open == 0, "the database opened and read back after each iteration (%lld)",
	       done);
	tap_ok(c->f_valid == 0, "keys whose generate reported success (%u) verified after every "
	       "later iteration", c->reported_gen);
	tap_ok(c->f_refused == 0, "keys whose delete reported success (%u) were refused after every "
	       "later iteration", c->reported_del);
	tap_ok(c->f_unknown == 0, "keys of killed commands were valid or refused, all-or-nothing");
	tap_ok(c->f_meta == 0, "reported renames and descriptions stayed; killed ones old or new");
	tap_ok(c->f_token == 0, "every generate that exited 0 printed one full 68-character key");
	tap_ok(c->f_uncut == 0, "every command that was not killed succeeded in time");
	tap_ok(c->f_stale == 0, "no stale file survived a successful command (.new seen %u times)",
	       c->stale_new);
	tap_ok(c->f_extra == 0, "the account held no key the test cannot account for");
	tap_ok(frac >= 0.30, "%.0f%% of kills landed while the command ran (need 30%%)", frac * 100.0);

	close(c->ifd);
	stress_cleanup(&c->env);
	free(c->keys);
	free(c);
	free(r);
	return tap_done();
}
