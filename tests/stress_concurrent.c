/* stress_concurrent.c - several apikeyctl writers and key verifiers at once.
 *
 * For STRESS_SECONDS (default 8) three writer processes each run generate,
 * rename, describe and delete --yes on their own keys with the real
 * build/apikeyctl, and two verifier processes call apk_verify all the time.
 * Writers publish what happened in per-writer append-only logs:
 *   "V token"  after a generate returned 0 (the key is valid from now on)
 *   "P id"     before a delete starts (from now on either answer is right)
 *   "D id"     after that delete returned 0 (refused from now on)
 * Checked:
 *   - no valid key is ever refused: a key logged V, refused, and still not
 *     logged P after the refusal, was refused while nobody deleted it;
 *   - no deleted key is accepted once its D line was read;
 *   - readers never see a database that does not open or read back;
 *   - each writer reads its own writes (name, description, deletion);
 *   - every command succeeded, or failed only with "busy" (counted);
 *   - at the end the account holds exactly the keys the writers created and
 *     did not delete, each with the last name and description it was given.
 *
 * Env: STRESS_SECONDS (default 8), STRESS_SEED, STRESS_KEEP, APK_BUILD.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stress_util.h"
#include "write_all.h"

#define NWRITERS 3
#define NVERIFIERS 2
#define CMD_TIMEOUT_MS 60000
#define WRITER_KEYS_LOW 2
#define WRITER_KEYS_HIGH 15     /* 3 x 15 + 1 stays under the limit of 100 */
#define DESC_MAX 96

/* ---- what a writer or verifier reports back (a small file each) ---------- */

struct wstats {
	unsigned ok[4], busy, f_cmd, f_token, f_rw;
};

struct vstats {
	unsigned valid_ok, inconclusive, deleted_ok, snapshots;
	unsigned f_refused, f_accepted, f_db;
};

static const char *const op_names[4] = { "generate", "rename", "describe", "delete" };

/* dir/STEM<i>.EXT */
static void path_of(const struct stress_env *env, char *out, size_t outsz, const char *stem,
		    int i, const char *ext)
{
	int n = snprintf(out, outsz, "%s/%s%d.%s", env->dir, stem, i, ext);

	if (n < 0 || (size_t)n >= outsz) {
		fprintf(stderr, "path too long\n");
		_exit(2);
	}
}

static int save_blob(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc;

	if (fd < 0)
		return -1;
	rc = write_all(fd, buf, len);
	return close(fd) == 0 ? rc : -1;
}

static int load_blob(const char *path, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/* ---- the writers' logs, as read by verifiers and the parent --------------- */

struct seen_key {
	char token[APK_KEY_LEN + 1];
	char id[APK_ID_LEN + 1];
	bool pending;   /* a delete has started */
	bool deleted;   /* a delete returned 0 */
};

struct logview {
	int fd[NWRITERS];
	off_t off[NWRITERS];
	struct seen_key *k;
	size_t n, cap;
	unsigned bad_lines;
};

static struct seen_key *lv_find(struct logview *lv, const char *id)
{
	size_t i;

	for (i = lv->n; i-- > 0;)
		if (strcmp(lv->k[i].id, id) == 0)
			return &lv->k[i];
	return NULL;
}

static void lv_line(struct logview *lv, const char *line, size_t len)
{
	struct seen_key *k;
	char id[APK_ID_LEN + 1];

	if (len == 2 + APK_KEY_LEN && line[0] == 'V' && line[1] == ' ') {
		if (lv->n == lv->cap) {
			size_t ncap = lv->cap ? lv->cap * 2 : 1024;
			struct seen_key *nk = realloc(lv->k, ncap * sizeof *nk);

			if (nk == NULL) {
				fprintf(stderr, "out of memory\n");
				_exit(2);
			}
			lv->k = nk;
			lv->cap = ncap;
		}
		k = &lv->k[lv->n++];
		memset(k, 0, sizeof *k);
		memcpy(k->token, line + 2, APK_KEY_LEN);
		token_id(k->token, k->id);
		return;
	}
	if (len == 2 + APK_ID_LEN && (line[0] == 'P' || line[0] == 'D') && line[1] == ' ') {
		memcpy(id, line + 2, APK_ID_LEN);
		id[APK_ID_LEN] = '\0';
		k = lv_find(lv, id);
		if (k != NULL) {
			k->pending = true;
			if (line[0] == 'D')
				k->deleted = true;
			return;
		}
	}
	lv->bad_lines++;
}

/* Reads whatever complete lines the writers appended since last time. */
static void lv_refresh(struct logview *lv)
{
	char buf[8192];
	int w;

	for (w = 0; w < NWRITERS; w++) {
		for (;;) {
			ssize_t n = pread(lv->fd[w], buf, sizeof buf, lv->off[w]);
			size_t used = 0, i, start = 0;

			if (n <= 0)
				break;
			for (i = 0; i < (size_t)n; i++)
				if (buf[i] == '\n') {
					lv_line(lv, buf + start, i - start);
					start = i + 1;
					used = start;
				}
			if (used == 0)
				break;  /* only part of a line so far */
			lv->off[w] += (off_t)used;
		}
	}
}

static int lv_open(struct logview *lv, const struct stress_env *env)
{
	char p[PATH_MAX];
	int w;

	memset(lv, 0, sizeof *lv);
	for (w = 0; w < NWRITERS; w++) {
		path_of(env, p, sizeof p, "w", w, "log");
		lv->fd[w] = open(p, O_RDONLY | O_CLOEXEC);
		if (lv->fd[w] < 0)
			return -1;
	}
	return 0;
}

/* ---- a writer ------------------------------------------------------------- */

struct wkey {
	char token[APK_KEY_LEN + 1];
	char id[APK_ID_LEN + 1];
	char name[APK_NAME_MAX + 1];
	char desc[DESC_MAX];
	bool live;
};

static void log_line(int fd, char tag, const char *what)
{
	char line[2 + APK_KEY_LEN + 2];
	int n = snprintf(line, sizeof line, "%c %s\n", tag, what);

	/* One write per line on an O_APPEND file: readers see whole lines. */
	if (n < 0 || (size_t)n >= sizeof line || write_all(fd, line, (size_t)n) != 0) {
		fprintf(stderr, "cannot write the writer log\n");
		_exit(2);
	}
}

static int writer(const struct stress_env *env, int me, uint64_t seed, int64_t end)
{
	struct wkey *keys = NULL;
	size_t nkeys = 0, cap = 0, i;
	struct run_result *r = malloc(sizeof *r);
	struct wstats ws;
	struct rng rng = { seed ^ (0x1234567ULL * (uint64_t)(me + 1)) };
	unsigned step = 0;
	char p[PATH_MAX];
	FILE *f;
	int fd;

	memset(&ws, 0, sizeof ws);
	path_of(env, p, sizeof p, "w", me, "log");
	fd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0 || r == NULL)
		return 2;
	while (now_us() < end) {
		char newname[APK_NAME_MAX + 1] = "", desc[DESC_MAX] = "";
		const char *argv[STRESS_MAX_ARGS + 1], *ops[2];
		size_t live[WRITER_KEYS_HIGH + 8], nlive = 0, a = 0, nv = 0;
		struct wkey *v[2] = { NULL, NULL };
		struct apk_record m;
		enum apk_err e;
		int op;
		uint64_t x;

		for (i = 0; i < nkeys; i++)
			if (keys[i].live && nlive < sizeof live / sizeof live[0])
				live[nlive++] = i;
		x = rng_below(&rng, 100);
		if (nlive < WRITER_KEYS_LOW)
			op = 0;
		else if (nlive >= WRITER_KEYS_HIGH)
			op = 3;
		else
			op = x < 30 ? 0 : x < 55 ? 1 : x < 75 ? 2 : 3;
		step++;
		argv[a++] = "apikeyctl";
		argv[a++] = op_names[op];
		if (op == 0) {
			snprintf(newname, sizeof newname, "w%dk%u", me, step);
			argv[a++] = "--name";
			argv[a++] = newname;
			if (rng_below(&rng, 2)) {
				snprintf(desc, sizeof desc, "writer %d, step %u", me, step);
				argv[a++] = "--description";
				argv[a++] = desc;
			}
			argv[a++] = "-q";
		} else {
			v[0] = &keys[live[rng_below(&rng, nlive)]];
			nv = 1;
			if (op == 3 && nlive >= 2 && rng_below(&rng, 4) == 0) {
				do
					v[1] = &keys[live[rng_below(&rng, nlive)]];
				while (v[1] == v[0]);
				nv = 2;
			}
			for (i = 0; i < nv; i++)
				ops[i] = rng_below(&rng, 4) == 0 ? v[i]->id : v[i]->name;
			if (op == 1) {
				snprintf(newname, sizeof newname, "w%dr%u", me, step);
				ops[1] = newname;
				add_operands(argv, &a, ops, 2, NULL);
			} else if (op == 2) {
				snprintf(desc, sizeof desc, "writer %d described at step %u", me, step);
				ops[1] = desc;
				add_operands(argv, &a, ops, 2, NULL);
			} else {
				add_operands(argv, &a, ops, nv, "--yes");
				for (i = 0; i < nv; i++)
					log_line(fd, 'P', v[i]->id);
			}
		}
		argv[a] = NULL;

		if (run_cmd(env->prog, argv, -1, CMD_TIMEOUT_MS, r) != 0) {
			fail_note(&ws.f_cmd, "writer %d: cannot run apikeyctl: %s", me, strerror(errno));
			break;
		}
		if (run_busy(r)) {
			ws.busy++;
			continue;
		}
		if (!r->exited || r->code != 0) {
			fail_note(&ws.f_cmd, "writer %d: apikeyctl %s failed: %s %d%s: %s", me,
				  op_names[op], r->exited ? "exit" : "signal",
				  r->exited ? r->code : r->sig, r->timed_out ? " (deadline)" : "",
				  run_errline(r));
			continue;
		}
		ws.ok[op]++;
		switch (op) {
		case 0: {
			struct wkey *k;

			if (nkeys == cap) {
				size_t ncap = cap ? cap * 2 : 128;
				struct wkey *nk = realloc(keys, ncap * sizeof *nk);

				if (nk == NULL)
					return 2;
				keys = nk;
				cap = ncap;
			}
			k = &keys[nkeys];
			memset(k, 0, sizeof *k);
			if (!token_from_output(r->out, r->outlen, k->token)) {
				fail_note(&ws.f_token, "writer %d: generate -q exited 0 but printed "
					  "%zu bytes, not one key", me, r->outlen);
				break;
			}
			nkeys++;
			token_id(k->token, k->id);
			memcpy(k->name, newname, sizeof k->name);
			memcpy(k->desc, desc, sizeof k->desc);
			k->live = true;
			log_line(fd, 'V', k->token);
			e = verify_token(env, k->token, &m);
			if (e != APK_OK)
				fail_note(&ws.f_rw, "writer %d: key %s just generated: %s", me, k->id,
					  apk_strerror(e));
			break;
		}
		case 1:
		case 2:
			if (op == 1)
				memcpy(v[0]->name, newname, sizeof newname);
			else
				memcpy(v[0]->desc, desc, sizeof desc);
			e = verify_token(env, v[0]->token, &m);
			if (e != APK_OK || strcmp(m.name, v[0]->name) != 0 ||
			    strcmp(m.description, v[0]->desc) != 0)
				fail_note(&ws.f_rw, "writer %d: after %s of %s the key reads back as "
					  "%s \"%s\" \"%s\"", me, op_names[op], v[0]->id,
					  apk_strerror(e), e == APK_OK ? m.name : "",
					  e == APK_OK ? m.description : "");
			break;
		default:
			for (i = 0; i < nv; i++) {
				v[i]->live = false;
				log_line(fd, 'D', v[i]->id);
				e = verify_token(env, v[i]->token, &m);
				if (e != APK_ERR_NOMATCH)
					fail_note(&ws.f_rw, "writer %d: key %s just deleted: %s", me,
						  v[i]->id, apk_strerror(e));
			}
			break;
		}
	}
	close(fd);

	/* What this writer believes the account holds of its keys. */
	path_of(env, p, sizeof p, "w", me, "final");
	f = fopen(p, "w");
	if (f == NULL)
		return 2;
	for (i = 0; i < nkeys; i++)
		if (keys[i].live)
			fprintf(f, "%s\t%s\t%s\n", keys[i].token, keys[i].name, keys[i].desc);
	if (fclose(f) != 0)
		return 2;
	path_of(env, p, sizeof p, "w", me, "stats");
	if (save_blob(p, &ws, sizeof ws) != 0)
		return 2;
	free(keys);
	free(r);
	return 0;
}

/* ---- a verifier ----------------------------------------------------------- */

/* The index of a random key of the view that is deleted (deleted) or
 * valid and not being deleted (!deleted); lv->n when there is none. An
 * index, not a pointer: lv_refresh may move the array. */
static size_t pick(const struct logview *lv, struct rng *rng, bool deleted)
{
	size_t i, start;

	if (lv->n == 0)
		return 0;
	start = (size_t)rng_below(rng, lv->n);
	for (i = 0; i < lv->n; i++) {
		const struct seen_key *k = &lv->k[(start + i) % lv->n];

		if (deleted ? k->deleted : !k->pending)
			return (start + i) % lv->n;
	}
	return lv->n;
}

static int verifier(const struct stress_env *env, int me, uint64_t seed, int64_t end,
		    const char *base_token)
{
	struct rng rng = { seed ^ (0xabcdef1ULL * (uint64_t)(me + 11)) };
	struct logview lv;
	struct vstats vs;
	struct apk_record m;
	char p[PATH_MAX];
	unsigned round = 0;

	memset(&vs, 0, sizeof vs);
	if (lv_open(&lv, env) != 0)
		return 2;
	while (now_us() < end) {
		bool base;
		enum apk_err e;
		size_t k;

		lv_refresh(&lv);
		/* A key known valid; every fourth round the parent's, which
		 * nobody deletes. */
		k = pick(&lv, &rng, false);
		base = k == lv.n || round % 4 == 0;
		e = verify_token(env, base ? base_token : lv.k[k].token, &m);
		if (e == APK_OK) {
			vs.valid_ok++;
		} else if (e == APK_ERR_NOMATCH && !base) {
			lv_refresh(&lv);
			if (lv.k[k].pending)
				vs.inconclusive++;  /* its delete started meanwhile */
			else
				fail_note(&vs.f_refused, "verifier %d: key %s, valid and not being "
					  "deleted, was refused", me, lv.k[k].id);
		} else if (e == APK_ERR_NOMATCH) {
			fail_note(&vs.f_refused, "verifier %d: the parent's key was refused", me);
		} else {
			fail_note(&vs.f_db, "verifier %d: apk_verify of a valid key: %s", me,
				  apk_strerror(e));
		}
		/* A key whose delete returned before we looked. */
		k = pick(&lv, &rng, true);
		if (k < lv.n) {
			e = verify_token(env, lv.k[k].token, &m);
			if (e == APK_ERR_NOMATCH)
				vs.deleted_ok++;
			else if (e == APK_OK)
				fail_note(&vs.f_accepted, "verifier %d: key %s accepted after its "
					  "delete returned", me, lv.k[k].id);
			else
				fail_note(&vs.f_db, "verifier %d: apk_verify of a deleted key: %s", me,
					  apk_strerror(e));
		}
		/* Now and then the whole account: index and records agree. */
		if (round % 16 == 0) {
			struct snapshot s;

			e = snapshot_take(env->db, env->uid, &s);
			if (e != APK_OK)
				fail_note(&vs.f_db, "verifier %d: reading the account back: %s", me,
					  apk_strerror(e));
			else
				vs.snapshots++;
			snapshot_free(&s);
		}
		round++;
		sleep_us((int64_t)rng_below(&rng, 300));
	}
	if (lv.bad_lines > 0)
		fail_note(&vs.f_db, "verifier %d: %u unreadable log lines", me, lv.bad_lines);
	path_of(env, p, sizeof p, "v", me, "stats");
	if (save_blob(p, &vs, sizeof vs) != 0)
		return 2;
	free(lv.k);
	return 0;
}

/* ---- the parent ------------------------------------------------------------ */

struct expect {
	char token[APK_KEY_LEN + 1];
	char id[APK_ID_LEN + 1];
	char name[APK_NAME_MAX + 1];
	char desc[DESC_MAX];
	bool found;
};

/* Reads a writer's final file into ex (appending); -1 on a malformed line. */
static int load_final(const char *path, struct expect **ex, size_t *n, size_t *cap)
{
	char line[512];
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		char *t1 = strchr(line, '\t'), *t2, *nl;
		struct expect *e;

		t2 = t1 != NULL ? strchr(t1 + 1, '\t') : NULL;
		nl = strchr(line, '\n');
		if (t1 == NULL || t2 == NULL || nl == NULL || t1 - line != APK_KEY_LEN ||
		    (size_t)(t2 - t1 - 1) > APK_NAME_MAX || (size_t)(nl - t2 - 1) >= DESC_MAX) {
			rc = -1;
			break;
		}
		*t1 = *t2 = *nl = '\0';
		if (*n == *cap) {
			size_t ncap = *cap ? *cap * 2 : 64;
			struct expect *ne = realloc(*ex, ncap * sizeof *ne);

			if (ne == NULL) {
				rc = -1;
				break;
			}
			*ex = ne;
			*cap = ncap;
		}
		e = &(*ex)[(*n)++];
		memset(e, 0, sizeof *e);
		memcpy(e->token, line, APK_KEY_LEN);
		token_id(e->token, e->id);
		snprintf(e->name, sizeof e->name, "%s", t1 + 1);
		snprintf(e->desc, sizeof e->desc, "%s", t2 + 1);
	}
	fclose(f);
	return rc;
}

/* The account must hold exactly the expected keys, each as last set. */
static unsigned check_final(const struct stress_env *env, struct expect *ex, size_t nex,
			    struct logview *lv, unsigned *ndeleted)
{
	unsigned fails = 0;
	struct snapshot s;
	struct apk_record m;
	enum apk_err e;
	size_t i;

	*ndeleted = 0;
	e = snapshot_take(env->db, env->uid, &s);
	if (e != APK_OK) {
		fail_note(&fails, "final: the database does not read back: %s", apk_strerror(e));
		return fails;
	}
	for (i = 0; i < nex; i++) {
		const struct apk_record *rec = snapshot_find_id(&s, ex[i].id);

		e = verify_token(env, ex[i].token, &m);
		if (rec == NULL || e != APK_OK)
			fail_note(&fails, "final: key %s (%s) lost: %s", ex[i].id, ex[i].name,
				  rec == NULL ? "not in the index" : apk_strerror(e));
		else if (strcmp(rec->name, ex[i].name) != 0 ||
			 strcmp(rec->description, ex[i].desc) != 0)
			fail_note(&fails, "final: key %s is \"%s\" \"%s\", last set \"%s\" \"%s\"",
				  ex[i].id, rec->name, rec->description, ex[i].name, ex[i].desc);
	}
	for (i = 0; i < s.n; i++) {
		size_t j;

		for (j = 0; j < nex; j++)
			if (strcmp(ex[j].id, s.r[i].id) == 0)
				break;
		if (j == nex)
			fail_note(&fails, "final: unexpected key %s (%s) in the database",
				  s.r[i].id, s.r[i].name);
	}
	for (i = 0; i < lv->n; i++) {
		if (!lv->k[i].deleted)
			continue;
		(*ndeleted)++;
		e = verify_token(env, lv->k[i].token, &m);
		if (e != APK_ERR_NOMATCH)
			fail_note(&fails, "final: deleted key %s: %s", lv->k[i].id,
				  e == APK_OK ? "accepted" : apk_strerror(e));
	}
	snapshot_free(&s);
	return fails;
}

/* Waits for every child until deadline; kills the late ones. Returns the
 * number that did not exit 0 in time. */
static unsigned reap_all(pid_t *pids, int n, int64_t deadline)
{
	unsigned bad = 0;
	int left = n, i, st;

	while (left > 0) {
		pid_t w = waitpid(-1, &st, WNOHANG);

		if (w > 0) {
			for (i = 0; i < n; i++)
				if (pids[i] == w) {
					pids[i] = 0;
					left--;
					if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
						tap_diag("child %d ended with status 0x%x", i, (unsigned)st);
						bad++;
					}
				}
			continue;
		}
		if (now_us() > deadline) {
			for (i = 0; i < n; i++)
				if (pids[i] > 0) {
					tap_diag("child %d still running at the deadline: killed", i);
					kill(pids[i], SIGKILL);
					waitpid(pids[i], &st, 0);
					pids[i] = 0;
					bad++;
				}
			break;
		}
		sleep_us(10000);
	}
	return bad;
}

int main(void)
{
	struct stress_env env;
	struct run_result *r = malloc(sizeof *r);
	long long secs = env_num("STRESS_SECONDS", 8);
	struct wstats ws, wsum;
	struct vstats vs, vsum;
	pid_t pids[NWRITERS + NVERIFIERS];
	char base_token[APK_KEY_LEN + 1], p[PATH_MAX];
	struct expect *ex = NULL;
	size_t nex = 0, capex = 0;
	struct logview lv;
	unsigned bad_children, final_fails, ndeleted, min_ok = UINT_MAX, min_checks = UINT_MAX;
	unsigned missing = 0, j;
	const char *const base_argv[] = { "apikeyctl", "generate", "--name", "base",
					  "--description", "the parent's key", "-q", NULL };
	struct apk_record m;
	uint64_t seed;
	int64_t t0, end;
	int i;

	if (r == NULL)
		return 2;
	run_init();
	if (stress_setup(&env) != 0) {
		tap_ok(false, "setup: apikeyctl, user and a private directory");
		stress_cleanup(&env);
		return tap_done();
	}
	seed = stress_seed();
	if (secs < 1)
		secs = 1;
	alarm((unsigned)secs + 600);    /* a backstop; children have their own */
	tap_diag("apikeyctl %s, database %s, %d writers and %d verifiers for %lld s", env.prog,
		 env.db, NWRITERS, NVERIFIERS, secs);

	/* Baseline: one key made before the crowd arrives; it must stay. */
	if (!tap_ok(run_cmd(env.prog, base_argv, -1, CMD_TIMEOUT_MS, r) == 0 && r->exited &&
		    r->code == 0 && token_from_output(r->out, r->outlen, base_token) &&
		    verify_token(&env, base_token, &m) == APK_OK,
		    "baseline: generate -q prints a key that verifies")) {
		tap_diag("apikeyctl said: %s", run_errline(r));
		stress_cleanup(&env);
		return tap_done();
	}
	for (i = 0; i < NWRITERS; i++) {
		int fd;

		path_of(&env, p, sizeof p, "w", i, "log");
		fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || close(fd) != 0) {
			tap_ok(false, "setup: writer logs");
			stress_cleanup(&env);
			return tap_done();
		}
	}

	fflush(NULL);
	t0 = now_us();
	end = t0 + secs * 1000000;
	for (i = 0; i < NWRITERS + NVERIFIERS; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			tap_diag("fork: %s", strerror(errno));
			pids[i] = 0;
			continue;
		}
		if (pids[i] == 0) {
			alarm((unsigned)secs + 300);  /* never outlive a stuck parent */
			if (i < NWRITERS)
				_exit(writer(&env, i, seed, end));
			_exit(verifier(&env, i - NWRITERS, seed, end, base_token));
		}
	}
	bad_children = reap_all(pids, NWRITERS + NVERIFIERS, end + 240 * 1000000LL);
	for (i = 0; i < NWRITERS + NVERIFIERS; i++)
		if (pids[i] != 0)
			bad_children++;    /* fork failed */
	tap_diag("all done in %.1f s", (double)(now_us() - t0) / 1e6);

	memset(&wsum, 0, sizeof wsum);
	memset(&vsum, 0, sizeof vsum);
	for (i = 0; i < NWRITERS; i++) {
		unsigned okn = 0;

		path_of(&env, p, sizeof p, "w", i, "stats");
		if (load_blob(p, &ws, sizeof ws) != 0) {
			missing++;
			continue;
		}
		for (j = 0; j < 4; j++) {
			wsum.ok[j] += ws.ok[j];
			okn += ws.ok[j];
		}
		if (okn < min_ok)
			min_ok = okn;
		wsum.busy += ws.busy;
		wsum.f_cmd += ws.f_cmd;
		wsum.f_token += ws.f_token;
		wsum.f_rw += ws.f_rw;
		path_of(&env, p, sizeof p, "w", i, "final");
		if (load_final(p, &ex, &nex, &capex) != 0)
			missing++;
	}
	for (i = 0; i < NVERIFIERS; i++) {
		path_of(&env, p, sizeof p, "v", i, "stats");
		if (load_blob(p, &vs, sizeof vs) != 0) {
			missing++;
			continue;
		}
		if (vs.valid_ok < min_checks)
			min_checks = vs.valid_ok;
		vsum.valid_ok += vs.valid_ok;
		vsum.inconclusive += vs.inconclusive;
		vsum.deleted_ok += vs.deleted_ok;
		vsum.snapshots += vs.snapshots;
		vsum.f_refused += vs.f_refused;
		vsum.f_accepted += vs.f_accepted;
		vsum.f_db += vs.f_db;
	}
	tap_diag("writers: %u generate, %u rename, %u describe, %u delete succeeded; %u busy",
		 wsum.ok[0], wsum.ok[1], wsum.ok[2], wsum.ok[3], wsum.busy);
	tap_diag("verifiers: %u valid keys accepted, %u deleted keys refused, %u refused while "
		 "their delete ran (not counted), %u account read-backs; failures: %u valid "
		 "refused, %u deleted accepted, %u database errors", vsum.valid_ok,
		 vsum.deleted_ok, vsum.inconclusive, vsum.snapshots, vsum.f_refused,
		 vsum.f_accepted, vsum.f_db);

	/* The parent's key is expected too, unchanged. */
	if (nex == capex) {
		struct expect *ne = realloc(ex, (capex + 1) * sizeof *ne);

		if (ne == NULL)
			return 2;
		ex = ne;
		capex++;
	}
	memset(&ex[nex], 0, sizeof ex[nex]);
	memcpy(ex[nex].token, base_token, sizeof base_token);
	token_id(base_token, ex[nex].id);
	strcpy(ex[nex].name, "base");
	strcpy(ex[nex].desc, "the parent's key");
	nex++;
	if (lv_open(&lv, &env) != 0)
		return 2;
	lv_refresh(&lv);
	final_fails = check_final(&env, ex, nex, &lv, &ndeleted);

	tap_ok(bad_children == 0 && missing == 0,
	       "every writer and verifier finished in time and reported");
	tap_ok(wsum.f_cmd == 0 && wsum.f_token == 0,
	       "every writer command succeeded or was busy (%u busy)", wsum.busy);
	tap_ok(wsum.f_rw == 0, "each writer read back its own changes at once");
	tap_ok(vsum.f_refused == 0, "no valid key was refused (%u checks)", vsum.valid_ok);
	tap_ok(vsum.f_accepted == 0, "no deleted key was accepted after its delete returned "
	       "(%u checks)", vsum.deleted_ok);
	tap_ok(vsum.f_db == 0 && lv.bad_lines == 0, "readers always found a database that opens "
	       "and reads back");
	tap_ok(final_fails == 0, "at the end the account holds exactly the %zu expected keys, "
	       "as last set; the %u deleted ones are refused", nex, ndeleted);
	tap_ok(missing == 0 && min_ok >= 5 && min_checks >= 20 && vsum.deleted_ok >= 5,
	       "real work was done concurrently (least busy writer %u commands, verifier %u checks)",
	       min_ok == UINT_MAX ? 0 : min_ok, min_checks == UINT_MAX ? 0 : min_checks);

	free(lv.k);
	free(ex);
	free(r);
	stress_cleanup(&env);
	return tap_done();
}
