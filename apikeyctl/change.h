/* change.h - what every command that changes keys shares: messages, the
 * terminal's signals held, one locked change of the target's keyring, and
 * the log lines */
#ifndef APKCTL_CHANGE_H
#define APKCTL_CHANGE_H

#include "args.h"
#include "keyring.h"
#include "session.h"
#include "store.h"

/* "apikeyctl: MESSAGE" on stderr, one line; returns status. */
int fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* err as a message ("WHAT: reason" when what is not NULL, escaped); exit 2
 * for APK_ERR_INVALID, else 1. */
int fail_err(enum apk_err err, const char *what);

/* The messages for a name or description that is not valid; EXIT_USAGE. */
int invalid_name(void);
int invalid_description(void);

/* The terminal's signals (INT, QUIT, TERM, HUP, TSTP, PIPE) held, so that
 * one lands before a change starts or after it is committed, never in
 * between. Holds nest; the outermost release restores the mask. */
void hold_signals(void);
void release_signals(void);

/* One change of the target's keys: signals held, the account locked, its
 * keyring loaded; change_end saves it or leaves everything as it was. */
struct change {
	struct apk_store_change *store;
	struct apk_keyring kr;
};

enum apk_err change_begin(const struct session *s, struct change *c);

/* Saves when err is APK_OK, abandons otherwise; returns the outcome. */
enum apk_err change_end(struct change *c, enum apk_err err);

/* The target's local key named word (by id or name, apk_keyring_find); NULL
 * with *err APK_ERR_DIRECTORY when word names one of the target's keys in
 * the directory's mirror instead (changed only with --fleet), else
 * APK_ERR_NOTFOUND. */
struct apk_record *change_find(const struct apk_keyring *kr, const struct session *s,
			       const char *word, enum apk_err *err);

/* Copies the key each operand of a names (by id or name) into recs
 * (a->noperands of them); APK_ERR_NOTFOUND (or APK_ERR_DIRECTORY, as
 * change_find) with *bad the first operand that names none. */
enum apk_err change_resolve(const struct apk_keyring *kr, const struct session *s,
			    const struct apk_args *a, struct apk_record *recs, size_t *bad);

/* "WHAT by CALLER for USER: key NAME (id ID)[: DETAIL]" at LOG_NOTICE. */
void log_change(const struct session *s, const char *what, const struct apk_record *r,
		const char *detail);

/* "WHAT by CALLER for USER refused: ARG: reason" at LOG_NOTICE. */
void log_refusal(const struct session *s, const char *what, const char *arg, enum apk_err err);

#endif
