/* keysource.h - where keys come from: the one way the module (through
 * verify.c) reaches stored keys
 *
 * A source is a table of operations (struct apk_keysource_ops) and a handle
 * (struct apk_keysource) on the database directory it lives in. There are
 * two: the local store (apk_keysource_local: store.h's gdbm files in DIR)
 * and the mirror of the directory's keys (apk_keysource_mirror: the same
 * files in DIR/fleet, mirror.h). A login consults both (keyset.h).
 * apk_keysources lists every source, and the tests run over that list
 * (stress_timing's equal work among them), so a new source is tested by
 * adding it there. Last use (lastused.h) is not a source's business: it is
 * kept in the database directory for any record, whatever put it there.
 *
 * What every source must guarantee:
 *   - Equal work. fetch costs the same for a found record, a missing id, an
 *     account without keys and an unknown account (uid APK_UID_INVALID): no
 *     early return that a stopwatch could tell apart. stress_timing asserts
 *     it through the module for every source.
 *   - Nothing remote, nothing blocking on the login path. fetch and
 *     has_keys read local files only: no network, no lock, no wait for a
 *     writer (writers replace whole files; readers see the old one or the
 *     new one).
 *   - Checked input. Every record returned was decoded and validated
 *     (record.h), belongs to the uid asked for and is stored under the id
 *     asked for; anything else is APK_ERR_CORRUPT, never a record.
 *   - No secret kept. A source holds no key, digest or record between calls.
 */
#ifndef APK_KEYSOURCE_H
#define APK_KEYSOURCE_H

#include <stdint.h>

#include "apk_error.h"
#include "keyring.h"
#include "record.h"

struct apk_keysource;

struct apk_keysource_ops {
	const char *name;   /* for logs, test reports and the list's SOURCE column */
	const char *subdir; /* its directory under the database's, NULL: that one itself */
	enum apk_digest_kind kind; /* the only kind of record it holds (record.h) */

	/* The record of account uid with this id and the hash key its digest
	 * was made under. APK_OK: both filled. APK_ERR_NOTFOUND: no such
	 * record (or no such account), *rec zero and *meta a hash key to
	 * compute a digest with anyway (zero when there is none). A record
	 * of another kind than the source's is CORRUPT. Otherwise a database
	 * error (UNAVAIL, UNSAFE, CORRUPT, NOMEM), both zero. */
	enum apk_err (*fetch)(struct apk_keysource *src, uint32_t uid, const char *id,
			      struct apk_meta *meta, struct apk_record *rec);

	/* Whether account uid has at least one key here. */
	enum apk_err (*has_keys)(struct apk_keysource *src, uint32_t uid, int *has);

	/* Every key of account uid, in the order they were made, into kr
	 * (initialised here; apk_keyring_free it either way). */
	enum apk_err (*list)(struct apk_keysource *src, uint32_t uid, struct apk_keyring *kr);
};

/* A source on one database directory. Its directory (the database's, or
 * ops->subdir under it) is opened and checked (safefile.h) on first use,
 * once for the whole login, and lent to the last-use write
 * (apk_keysource_dir). A source with a subdirectory may be given a base:
 * another source on the same database directory, without a subdirectory,
 * whose opened and checked directory the subdirectory is then opened under
 * (keyset.c does it, so that a login opens and checks the database
 * directory once, not once a source). */
struct apk_keysource {
	const struct apk_keysource_ops *ops;
	const char *dbdir; /* absolute path; the caller's, kept while src is */
	int dirfd;         /* -1 until first use, or when it could not be opened */
	int tried;         /* opened, or failed to: dirstate says which */
	enum apk_err dirstate;
	struct apk_keysource *base; /* NULL, or as above; outlives src's use */
};

/* The local store: DIR/u<uid> gdbm files (store.h), local records only. */
extern const struct apk_keysource_ops apk_keysource_local;

/* The directory's keys mirrored on this host: DIR/fleet/u<uid> (mirror.h),
 * directory records only. No DIR/fleet: no keys (fetch NOTFOUND, list
 * empty). */
extern const struct apk_keysource_ops apk_keysource_mirror;

/* Every source, NULL-terminated. */
extern const struct apk_keysource_ops *const apk_keysources[];

/* The source of apk_keysources named name, or NULL. */
const struct apk_keysource_ops *apk_keysource_named(const char *name);

/* Nothing is opened here; no base. */
void apk_keysource_init(struct apk_keysource *src, const struct apk_keysource_ops *ops,
			const char *dbdir);

/* The source's checked directory, opened at the first call: APK_OK and
 * *dirfd (src's: not to be closed), or why it cannot be used (NOTFOUND: its
 * subdirectory does not exist). */
enum apk_err apk_keysource_dir(struct apk_keysource *src, int *dirfd);

/* The operations, through src->ops. */
enum apk_err apk_keysource_fetch(struct apk_keysource *src, uint32_t uid, const char *id,
				 struct apk_meta *meta, struct apk_record *rec);
enum apk_err apk_keysource_has_keys(struct apk_keysource *src, uint32_t uid, int *has);
enum apk_err apk_keysource_list(struct apk_keysource *src, uint32_t uid,
				struct apk_keyring *kr);

/* Closes the directory; src may be initialised again. */
void apk_keysource_close(struct apk_keysource *src);

#endif
