/* breakdown.c - where a login's time goes
 *
 * In this process, on the largest database and the measured account, each
 * step the module takes for a right key, timed alone with the calls the
 * module makes (the library is the same code, linked statically here):
 *
 *   parse      apk_key_parse: format and checksum
 *   user       getpwnam_r of the user (verify.c's lookup)
 *   directory  apk_safe_open_dir + close: open, fstat, the owner check, which
 *              looks the helper account up when the directory is its
 *   helper     that lookup alone (getpwnam_r of pam-apikey; part of directory)
 *   file       apk_safe_openat + close of the account's file: open, fstat,
 *              the owner check (fstat of the directory), O_NONBLOCK cleared
 *   probe      the failing open of a name no file has, which keeps an account
 *              with a file as costly as one without (store.c)
 *   gdbm open  gdbm_fd_open + gdbm_close as the store opens: header and
 *              bucket directory read with read(2)
 *   meta       gdbm_fetch of the header record in that fresh handle: a
 *              bucket and the value read
 *   record     then gdbm_fetch of the key's record: a bucket and the value
 *              (meta and record are timed inside the gdbm open step, whose
 *              own figure leaves them out)
 *   digest     apk_key_digest (BLAKE2b under the file's hash key)
 *   fetch      apk_store_fetch whole: directory .. record, decoded and checked
 *   verify     apk_verify whole: parse, user, fetch, digest, comparison
 *   log line   pam_syslog of an attribution line as long as the module's,
 *              through a handle of this process: to the system's /dev/log
 *   options    apk_pam_options_parse of the benchmark's module arguments
 *   crypto     apk_crypto_init (libsodium, initialised already)
 *   prompt     pam_prompt through the handle and a conversation answering
 *              the key as bench-login's does; the answer wiped and freed
 *   escape     apk_escape of the user, the service and the remote host
 *
 * Each round runs every step once in a fresh random order, as the logins
 * do; medians. The module's share of a login is the right key's login
 * minus pam_permit's, both preloaded, from the login rounds; what verify
 * and the log line do not explain is the PAM glue (options, the
 * conversation, items, escaping) and the noise between two runs.
 */
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_appl.h>
#include <security/pam_ext.h>
#include <sodium.h>

#include "../tests/lib/pam_conv.h"
#include "bench.h"
#include "pam_options.h"
#include "safefile.h"
#include "store_internal.h"
#include "validate.h"
#include "verify.h"

const char *const login_part_name[LP_COUNT] = {
	"parse", "user", "directory", "helper", "file", "probe", "gdbm open",
	"meta", "record", "digest", "fetch", "verify", "log line", "options", "crypto",
	"prompt", "escape",
};

struct subject {
	const struct bench_keys *k;
	const char *db;
	char base[24];
	struct apk_key key;
	struct apk_meta meta;
	int dirfd, filefd;
	GDBM_FILE gdbm;
	pam_handle_t *pamh;
	struct conv_script cs; /* bench-login's conversation, answering the key */
};

static int lookup(const char *name)
{
	struct passwd pw, *found = NULL;
	char buf[4096];

	return getpwnam_r(name, &pw, buf, sizeof(buf), &found) == 0 && found != NULL ? 0 : -1;
}

static int fetch_raw(GDBM_FILE db, const char *kbuf, size_t klen)
{
	datum key = { (char *)(uintptr_t)kbuf, (int)klen }, v = gdbm_fetch(db, key);

	if (v.dptr == NULL)
		return -1;
	sodium_memzero(v.dptr, (size_t)v.dsize);
	free(v.dptr);
	return 0;
}

/* gdbm_fd_open as the store opens, the header and the record fetched in
 * the fresh handle: their times into t (the open's without them). */
static int gdbm_steps(struct subject *s, uint64_t t[3])
{
	char kbuf[1 + APK_ID_LEN];
	uint64_t t0 = now_ns(), t1, t2;
	GDBM_FILE db;
	int fd, rc;

	/* A fresh descriptor at offset 0, as the module's (gdbm reads its
	 * header from where the descriptor stands). */
	if ((fd = dup(s->filefd)) < 0 || lseek(fd, 0, SEEK_SET) != 0)
		return fd >= 0 ? (close(fd), -1) : -1;
	db = gdbm_fd_open(fd, s->base, STORE_BLOCK_SIZE,
			  GDBM_READER | GDBM_NOMMAP | GDBM_NOLOCK | GDBM_CLOERROR, NULL);
	if (db == NULL)
		return -1;
	t1 = now_ns();
	rc = fetch_raw(db, STORE_KEY_META, 1);
	t2 = now_ns();
	if (rc == 0)
		rc = fetch_raw(db, kbuf, apk_store_record_key(kbuf, s->key.id));
	t[LP_RECORD - LP_GDBM_OPEN] = now_ns() - t2;
	t[LP_META - LP_GDBM_OPEN] = t2 - t1;
	t2 = now_ns();
	gdbm_close(db);
	t[0] = (t1 - t0) + (now_ns() - t2);
	return rc;
}

/* One step; 0 when it did what the module's does. */
static int step(struct subject *s, int part)
{
	static const char *argv[] = { "db=/var/lib/pam_apikey", "nodelay" };
	struct apk_pam_options opts;
	struct apk_record rec;
	unsigned char digest[APK_DIGEST_BYTES];
	char ename[256], e1[512], e2[256], e3[256], *resp = NULL;
	const char *bad = NULL;
	enum apk_err err;
	int fd, rc = 0;

	switch (part) {
	case LP_PARSE:
		rc = apk_key_parse(s->k->right, APK_KEY_LEN, &s->key) == APK_OK ? 0 : -1;
		break;
	case LP_USER:
		rc = lookup(s->k->me.name);
		break;
	case LP_DIR:
		if ((rc = apk_safe_open_dir(s->db, &fd) == APK_OK ? 0 : -1) == 0)
			close(fd);
		break;
	case LP_HELPER:
		(void)lookup(APK_HELPER_USER); /* found or not, as the owner check makes it */
		break;
	case LP_FILE:
		if ((rc = apk_safe_openat(s->dirfd, s->base, O_RDONLY, 0, &fd) == APK_OK ? 0 : -1) == 0)
			close(fd);
		break;
	case LP_PROBE:
		fd = openat(s->dirfd, STORE_NEVER, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		rc = fd < 0 ? 0 : (close(fd), -1);
		break;
	case LP_DIGEST:
		apk_key_digest(s->meta.hashkey, &s->key, digest);
		sodium_memzero(digest, sizeof(digest));
		break;
	case LP_FETCH:
		err = apk_store_fetch(s->db, s->k->me.uid, s->key.id, &s->meta, &rec);
		rc = err == APK_OK ? 0 : -1;
		sodium_memzero(&rec, sizeof(rec));
		break;
	case LP_VERIFY:
		err = apk_verify(s->db, s->k->me.name, s->k->right, APK_KEY_LEN, &rec);
		rc = err == APK_OK ? 0 : -1;
		sodium_memzero(&rec, sizeof(rec));
		break;
	case LP_LOG:
		memset(ename, 'n', 16);
		ename[16] = '\0';
		pam_syslog(s->pamh, LOG_INFO,
			   "accepted key %s (id %s) for user %s service %s rhost %s", ename,
			   s->key.id, s->k->me.name, "apk-1000000", "203.0.113.7");
		break;
	case LP_OPTIONS:
		rc = apk_pam_options_parse(2, argv, &opts, &bad);
		break;
	case LP_CRYPTO:
		rc = apk_crypto_init() == APK_OK ? 0 : -1;
		break;
	case LP_PROMPT:
		rc = pam_prompt(s->pamh, PAM_PROMPT_ECHO_OFF, &resp, "%s", "API key: ") ==
				     PAM_SUCCESS && resp != NULL ? 0 : -1;
		if (resp != NULL) {
			sodium_memzero(resp, strlen(resp));
			free(resp);
		}
		break;
	case LP_ESCAPE:
		apk_escape(s->k->me.name, e1, sizeof(e1));
		apk_escape("apk-1000000", e2, sizeof(e2));
		apk_escape("203.0.113.7", e3, sizeof(e3));
		break;
	}
	return rc;
}

static int subject_open(const struct bench_cfg *c, const struct bench_keys *k, const char *db,
			struct subject *s)
{
	struct pam_conv conv = { harness_conv, &s->cs };
	struct apk_record rec;
	char confdir[PATH_MAX];

	memset(s, 0, sizeof(*s));
	s->cs.response = k->right;
	s->k = k;
	s->db = db;
	s->dirfd = s->filefd = -1;
	snprintf(s->base, sizeof(s->base), "u%lu", (unsigned long)k->me.uid);
	if (apk_key_parse(k->right, APK_KEY_LEN, &s->key) != APK_OK ||
	    apk_store_fetch(db, k->me.uid, s->key.id, &s->meta, &rec) != APK_OK ||
	    apk_safe_open_dir(db, &s->dirfd) != APK_OK ||
	    apk_safe_openat(s->dirfd, s->base, O_RDONLY, 0, &s->filefd) != APK_OK)
		return -1;
	sodium_memzero(&rec, sizeof(rec));
	s->gdbm = gdbm_fd_open(dup(s->filefd), s->base, STORE_BLOCK_SIZE,
			       GDBM_READER | GDBM_NOMMAP | GDBM_NOLOCK | GDBM_CLOERROR, NULL);
	if (s->gdbm == NULL || path_join(confdir, sizeof(confdir), c->work, "pam.d") != 0)
		return -1;
	return pam_start_confdir("permit", k->me.name, &conv, confdir, &s->pamh) == PAM_SUCCESS
		       ? 0
		       : -1;
}

static void subject_close(struct subject *s)
{
	if (s->pamh != NULL)
		pam_end(s->pamh, PAM_SUCCESS);
	if (s->gdbm != NULL)
		gdbm_close(s->gdbm);
	if (s->filefd >= 0)
		close(s->filefd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	apk_key_wipe(&s->key);
	sodium_memzero(&s->meta, sizeof(s->meta));
}

int breakdown_measure(const struct bench_cfg *c, const struct bench_keys *k,
		      struct bench_result *res)
{
	const char *db = res->sz[c->nsizes - 1].db;
	unsigned long reps = c->rounds, r;
	uint64_t *ns = calloc(LP_COUNT * reps, sizeof(uint64_t)), t0, t[3];
	uint32_t order[LP_COUNT];
	struct subject s;
	int i, j, part, err, rc = -1;

	memset(&s, 0, sizeof(s));
	s.dirfd = s.filefd = -1;
	fprintf(stderr, "# a login's steps alone: %d steps x %lu rounds\n", LP_COUNT, reps);
	if (ns == NULL || subject_open(c, k, db, &s) != 0) {
		fprintf(stderr, "bench: FUNCTIONAL ERROR: cannot set up the login's steps in %s\n",
			db);
		goto out;
	}
	for (r = 0; r < reps; r++) {
		for (i = 0; i < LP_COUNT; i++)
			order[i] = (uint32_t)i;
		for (i = LP_COUNT - 1; i > 0; i--) { /* Fisher-Yates */
			j = (int)randombytes_uniform((uint32_t)i + 1);
			part = (int)order[i];
			order[i] = order[j];
			order[j] = (uint32_t)part;
		}
		for (i = 0; i < LP_COUNT; i++) {
			part = (int)order[i];
			if (part == LP_META || part == LP_RECORD)
				continue; /* timed in LP_GDBM_OPEN's step */
			t0 = now_ns();
			err = part == LP_GDBM_OPEN ? gdbm_steps(&s, t) : step(&s, part);
			if (part != LP_GDBM_OPEN)
				t[0] = now_ns() - t0;
			if (err != 0) {
				fprintf(stderr, "bench: FUNCTIONAL ERROR: login step %s failed\n",
					login_part_name[part]);
				goto out;
			}
			ns[(size_t)part * reps + r] = t[0];
			if (part == LP_GDBM_OPEN) {
				ns[(size_t)LP_META * reps + r] = t[LP_META - LP_GDBM_OPEN];
				ns[(size_t)LP_RECORD * reps + r] = t[LP_RECORD - LP_GDBM_OPEN];
			}
		}
	}
	for (i = 0; i < LP_COUNT; i++)
		stats_from_ns(ns + (size_t)i * reps, reps, &res->part[i]);
	rc = 0;
out:
	subject_close(&s);
	free(ns);
	return rc;
}
