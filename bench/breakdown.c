/* breakdown.c - where a login's time goes
 *
 * In this process, on the largest database and the measured account, the
 * module's pam_sm_authenticate called directly (the built module, loaded
 * with dlopen) and each step it takes for a right key, timed alone with
 * the calls the module makes (the library is the same code, linked
 * statically here):
 *
 *   module     pam_sm_authenticate of the built module, whole, through a
 *              handle of this process (the steps below together)
 *   verify     apk_verify_set whole over every key source, as the module
 *              calls it: parse, user, fetch, mirror, digest, comparison
 *   parse      apk_key_parse: format and checksum
 *   user       getpwnam_r of the user (verify.c's lookup)
 *   fetch      apk_store_fetch whole: directory .. record, decoded and checked
 *   directory  apk_safe_open_dir + close: open, fstat, the owner check, which
 *              asks whether the owner is the helper account when it is not root
 *   helper     that question alone (apk_helper_uid_is: two stats while the
 *              answer NSS gave is kept, helper_uid.h; part of directory)
 *   file       apk_safe_openat + close of the account's file: open, fstat,
 *              the owner check (fstat of the directory)
 *   probe      the failing open of a name no file has, which keeps an account
 *              with a file as costly as one without (store.c)
 *   gdbm open  gdbm_fd_open + gdbm_close as the store opens: header and
 *              bucket directory read with read(2)
 *   meta       gdbm_fetch of the header record in that fresh handle: a
 *              bucket and the value read
 *   record     then gdbm_fetch of the key's record: a bucket and the value
 *              (meta and record are timed inside the gdbm open step, whose
 *              own figure leaves them out)
 *   mirror     the second source, the directory's mirror (keyset.h), as
 *              apk_verify_set consults it beside the local store: DIR/fleet
 *              looked for under the database directory the local source
 *              opened (opened and checked when there), its state file read,
 *              the account's file fetched (keysource.h)
 *   digest     apk_key_digest (BLAKE2b under the file's hash key)
 *   permit     apk_keyset_check of the record, as the module calls it: the
 *              record's source, expiry, services, networks, this host's name
 *   log line   pam_syslog of an attribution line as long as the module's,
 *              through a handle of this process: to the system's /dev/log
 *   last use   apk_lastused_record_at as the module calls it, whole, in the
 *              directory the key was read from (opened once a login)
 *   lu file    apk_lu_open + close: u<uid>.used opened, fstat, header read
 *   lu find    apk_lu_find_slot: the key's entry in the slot directory
 *   lu write   the slot encoded and written with one pwrite
 *   export     pam_putenv of PAM_APIKEY_ID and PAM_APIKEY_NAME
 *   options    apk_pam_options_parse of the benchmark's module arguments
 *   crypto     apk_crypto_init (libsodium, initialised already)
 *   prompt     pam_prompt through the handle and a conversation answering
 *              the key as bench-login's does; the answer wiped and freed
 *   items      pam_get_user, PAM_SERVICE and PAM_RHOST, the time
 *   escape     apk_escape of the user, the service and the remote host
 *   login      a whole login of the right key through libpam in this
 *              process (the largest size's service, as bench-login runs it)
 *   login permit  the same with pam_permit, loaded once beforehand as the
 *              module is: their difference is the module's share measured
 *              here, beside the module called directly
 *   one read   no step of the module: the account's file opened and checked
 *              as the file step, then read whole with one pread and closed,
 *              what a format read in one call (no gdbm) would cost in place
 *              of file + gdbm open + meta + record (doc/PERFORMANCE.md)
 *
 * Each round runs every step once in a fresh random order, as the logins
 * do; medians. The module's share of a login is the right key's login
 * minus pam_permit's, both preloaded, from the login rounds; the report
 * prints each whole minus its steps: what the module does between its
 * steps, and what libpam does around the module beyond what it does for
 * pam_permit.
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <sodium.h>

#include "../tests/lib/pam_conv.h"
#include "bench.h"
#include "helper_uid.h"
#include "keyset.h"
#include "keysource.h"
#include "lastused_format.h"
#include "pam_options.h"
#include "permit.h"
#include "safefile.h"
#include "store_internal.h"
#include "validate.h"
#include "verify.h"

const char *const login_part_name[LP_COUNT] = {
	"module", "verify", "parse", "user", "fetch", "directory", "helper", "file", "probe",
	"gdbm open", "meta", "record", "mirror", "digest", "permit", "log line", "last use",
	"lu file", "lu find", "lu write", "export", "options", "crypto", "prompt", "items",
	"escape", "login", "login permit", "one read",
};

#define RHOST "203.0.113.7" /* bench-login's */

typedef int (*sm_authenticate_fn)(pam_handle_t *, int, int, const char **);

struct subject {
	const struct bench_keys *k;
	const char *db;
	char base[24];
	struct apk_key key;
	struct apk_meta meta;
	int dirfd, filefd;
	int lufd;          /* u<uid>.used, open for the find and write steps */
	uid_t dirowner;    /* the database directory's owner */
	uint32_t lucap;
	struct apk_record rec; /* the right key's record (no secret in it) */
	struct apk_keyset ks;  /* every source, the mirror's state read: the permit step's */
	GDBM_FILE gdbm;
	void *module;      /* the built module, dlopened */
	sm_authenticate_fn authenticate;
	char dbarg[PATH_MAX + 4];
	const char *argv[2]; /* the service file's arguments: db=DIR nodelay */
	char service[64];    /* the largest size's service (logins.c) */
	char confdir[PATH_MAX];
	pam_handle_t *pamh;
	struct conv_script cs; /* bench-login's conversation, answering the key */
	unsigned char whole[APK_STORE_BLOCK_SIZE * 64]; /* the one-read step's buffer */
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
	db = gdbm_fd_open(fd, s->base, APK_STORE_BLOCK_SIZE,
			  GDBM_READER | GDBM_NOMMAP | GDBM_NOLOCK | GDBM_CLOERROR, NULL);
	if (db == NULL)
		return -1;
	t1 = now_ns();
	rc = fetch_raw(db, APK_STORE_KEY_META, 1);
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

/* pam_start_confdir + pam_authenticate + pam_end of service, as
 * bench-login times a login; 0 on success. */
static int whole_login(struct subject *s, const char *service)
{
	struct conv_script cs;
	struct pam_conv conv = { harness_conv, &cs };
	pam_handle_t *pamh = NULL;
	int rc;

	memset(&cs, 0, sizeof(cs));
	cs.response = s->k->right;
	if (pam_start_confdir(service, s->k->me.name, &conv, s->confdir, &pamh) != PAM_SUCCESS)
		return -1;
	pam_set_item(pamh, PAM_RHOST, RHOST);
	rc = pam_authenticate(pamh, 0);
	pam_end(pamh, rc);
	return rc == PAM_SUCCESS ? 0 : -1;
}

/* One step; 0 when it did what the module's does. */
static int step(struct subject *s, int part)
{
	static const char *argv[] = { "db=/var/lib/pam_apikey", "nodelay" };
	struct apk_pam_options opts;
	struct apk_lastused lu;
	struct apk_keyset keys;
	struct apk_meta meta;
	unsigned char slot[APK_LU_SLOT];
	const void *item = NULL;
	const char *user = NULL;
	uint32_t cap, index = 0;
	struct apk_record rec;
	unsigned char digest[APK_DIGEST_BYTES];
	char ename[256], e1[512], e2[512], e3[256], *resp = NULL;
	const char *bad = NULL;
	enum apk_err err;
	struct stat st;
	int fd, rc = 0;

	switch (part) {
	case LP_MODULE:
		rc = s->authenticate(s->pamh, 0, 2, s->argv) == PAM_SUCCESS ? 0 : -1;
		break;
	case LP_LOGIN:
	case LP_LOGIN_PERMIT:
		rc = whole_login(s, part == LP_LOGIN ? s->service : "permit");
		break;
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
		(void)apk_helper_uid_is(s->dirowner); /* yes or no, as the owner check asks */
		break;
	case LP_FILE:
		if ((rc = apk_safe_openat(s->dirfd, s->base, O_RDONLY, 0, &fd) == APK_OK ? 0 : -1) == 0)
			close(fd);
		break;
	case LP_ONE_READ:
		if ((rc = apk_safe_openat_stat(s->dirfd, s->base, O_RDONLY, 0, &fd, &st) == APK_OK
				  ? 0 : -1) == 0) {
			rc = st.st_size > 0 && st.st_size <= (off_t)sizeof(s->whole) &&
					     pread(fd, s->whole, (size_t)st.st_size, 0) == st.st_size
				     ? 0 : -1;
			sodium_memzero(s->whole, sizeof(s->whole));
			close(fd);
		}
		break;
	case LP_PROBE:
		fd = openat(s->dirfd, APK_STORE_NEVER, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
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
		apk_keyset_init(&keys, s->db, NULL);
		err = apk_verify_set(&keys, s->k->me.name, s->k->right, APK_KEY_LEN, &rec);
		apk_keyset_close(&keys);
		rc = err == APK_OK ? 0 : -1;
		sodium_memzero(&rec, sizeof(rec));
		break;
	case LP_MIRROR:
		/* the mirror's part of apk_verify_set: DIR/fleet under the database
		 * directory the local source opened (s->ks's), its state, its
		 * fetch; found or not, as the bench's database has it (not) */
		apk_keyset_init(&keys, s->db, &apk_keysource_mirror);
		keys.src[0].base = &s->ks.src[0];
		apk_keyset_read_state(&keys);
		err = apk_keysource_fetch(&keys.src[0], s->k->me.uid, s->key.id, &meta, &rec);
		apk_keyset_close(&keys);
		rc = err == APK_OK || err == APK_ERR_NOTFOUND ? 0 : -1;
		sodium_memzero(&meta, sizeof(meta));
		sodium_memzero(&rec, sizeof(rec));
		break;
	case LP_PERMIT:
		rc = apk_keyset_check(&s->ks, &s->rec, (int64_t)time(NULL), "apk-1000000",
				      RHOST) == APK_PERMIT_OK ? 0 : -1;
		break;
	case LP_LASTUSED:
		rc = apk_lastused_record_at(s->dirfd, s->k->me.uid, s->key.id, (int64_t)time(NULL),
					    "apk-1000000", RHOST) == APK_OK ? 0 : -1;
		break;
	case LP_LU_FILE:
		if ((rc = apk_lu_open(s->dirfd, s->k->me.uid, O_RDWR, &fd, &cap) == APK_OK ? 0 : -1) ==
		    0)
			close(fd);
		break;
	case LP_LU_FIND:
		rc = apk_lu_find_slot(s->lufd, s->lucap, s->key.id, &index) == APK_OK ? 0 : -1;
		break;
	case LP_LU_WRITE:
		(void)apk_lu_find_slot(s->lufd, s->lucap, s->key.id, &index); /* not timed: see lu find */
		apk_lu_fill(&lu, (int64_t)time(NULL), "apk-1000000", RHOST);
		apk_lu_slot_encode(slot, s->k->me.uid, index, s->key.id, &lu);
		rc = apk_lu_pwrite(s->lufd, slot, sizeof(slot),
				   (off_t)apk_lu_data_offset(s->lucap) + (off_t)index * APK_LU_SLOT);
		break;
	case LP_EXPORT:
		snprintf(e1, sizeof(e1), "PAM_APIKEY_ID=%s", s->rec.id);
		snprintf(e2, sizeof(e2), "PAM_APIKEY_NAME=%s", s->rec.name);
		rc = pam_putenv(s->pamh, e1) == PAM_SUCCESS && pam_putenv(s->pamh, e2) == PAM_SUCCESS
			     ? 0 : -1;
		break;
	case LP_ITEMS:
		rc = pam_get_user(s->pamh, &user, NULL) == PAM_SUCCESS &&
				     pam_get_item(s->pamh, PAM_SERVICE, &item) == PAM_SUCCESS &&
				     pam_get_item(s->pamh, PAM_RHOST, &item) == PAM_SUCCESS &&
				     time(NULL) > 0 ? 0 : -1;
		break;
	case LP_LOG:
		memset(ename, 'n', 16);
		ename[16] = '\0';
		pam_syslog(s->pamh, LOG_INFO,
			   "accepted key %s (id %s) for user %s service %s rhost %s", ename,
			   s->key.id, s->k->me.name, "apk-1000000", RHOST);
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
		apk_escape(RHOST, e3, sizeof(e3));
		break;
	}
	return rc;
}

/* The built module, loaded as libpam would (its symbols its own), and its
 * entry point. */
static int module_load(const struct bench_cfg *c, struct subject *s)
{
	void *sym;

	char permit[PATH_MAX];

	/* pam_permit stays loaded too, as bench-login -p keeps it */
	if (path_join(permit, sizeof(permit), c->pamdir, "pam_permit.so") != 0 ||
	    dlopen(permit, RTLD_NOW | RTLD_NODELETE) == NULL) {
		fprintf(stderr, "bench: cannot load pam_permit.so: %s\n", dlerror());
		return -1;
	}
	if ((s->module = dlopen(c->module, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		fprintf(stderr, "bench: cannot load %s: %s\n", c->module, dlerror());
		return -1;
	}
	if ((sym = dlsym(s->module, "pam_sm_authenticate")) == NULL)
		return -1;
	memcpy(&s->authenticate, &sym, sizeof(s->authenticate));
	snprintf(s->dbarg, sizeof(s->dbarg), "db=%s", s->db);
	s->argv[0] = s->dbarg;
	s->argv[1] = "nodelay";
	return 0;
}

static int subject_open(const struct bench_cfg *c, const struct bench_keys *k, const char *db,
			struct subject *s)
{
	struct pam_conv conv = { harness_conv, &s->cs };
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->cs.response = k->right;
	s->k = k;
	s->db = db;
	s->dirfd = s->filefd = s->lufd = -1;
	snprintf(s->base, sizeof(s->base), "u%lu", (unsigned long)k->me.uid);
	if (apk_key_parse(k->right, APK_KEY_LEN, &s->key) != APK_OK ||
	    apk_store_fetch(db, k->me.uid, s->key.id, &s->meta, &s->rec) != APK_OK ||
	    apk_safe_open_dir(db, &s->dirfd) != APK_OK ||
	    apk_safe_openat(s->dirfd, s->base, O_RDONLY, 0, &s->filefd) != APK_OK ||
	    fstat(s->dirfd, &st) != 0 ||
	    apk_lu_open(s->dirfd, k->me.uid, O_RDWR, &s->lufd, &s->lucap) != APK_OK ||
	    module_load(c, s) != 0)
		return -1;
	apk_keyset_init(&s->ks, db, NULL);
	apk_keyset_read_state(&s->ks); /* opens the database directory, then DIR/fleet */
	s->dirowner = st.st_uid;
	s->gdbm = gdbm_fd_open(dup(s->filefd), s->base, APK_STORE_BLOCK_SIZE,
			       GDBM_READER | GDBM_NOMMAP | GDBM_NOLOCK | GDBM_CLOERROR, NULL);
	if (s->gdbm == NULL || path_join(s->confdir, sizeof(s->confdir), c->work, "pam.d") != 0)
		return -1;
	if (pam_start_confdir("permit", k->me.name, &conv, s->confdir, &s->pamh) != PAM_SUCCESS)
		return -1;
	return pam_set_item(s->pamh, PAM_RHOST, RHOST) == PAM_SUCCESS ? 0 : -1;
}

static void subject_close(struct subject *s)
{
	if (s->pamh != NULL)
		pam_end(s->pamh, PAM_SUCCESS);
	if (s->gdbm != NULL)
		gdbm_close(s->gdbm);
	if (s->filefd >= 0)
		close(s->filefd);
	if (s->lufd >= 0)
		close(s->lufd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	apk_keyset_close(&s->ks);
	/* the module stays loaded (it is linked -z nodelete) */
	apk_key_wipe(&s->key);
	sodium_memzero(&s->meta, sizeof(s->meta));
	sodium_memzero(&s->rec, sizeof(s->rec));
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
	s.dirfd = s.filefd = s.lufd = -1;
	fprintf(stderr, "# a login's steps alone: %d steps x %lu rounds\n", LP_COUNT, reps);
	if (ns == NULL || subject_open(c, k, db, &s) != 0 ||
	    snprintf(s.service, sizeof(s.service), "apk-%lu", res->sz[c->nsizes - 1].keys) < 0) {
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
