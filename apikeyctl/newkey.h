/* newkey.h - showing a new key once (generate, rotate) */
#ifndef APKCTL_NEWKEY_H
#define APKCTL_NEWKEY_H

#include <stdbool.h>

#include "record.h"
#include "session.h"
#include "settings.h"

/* EXIT_OK when standard output can take a key, else EXIT_FAIL after a
 * message: a key that cannot be shown must not be made. */
int newkey_output_ready(const struct session *s);

/* What generate checks before it makes a key, wherever the key is kept:
 * standard output can take it, --name and --description are valid, and
 * the settings parse against the policy at time now (into *ks). EXIT_OK,
 * or the status after one line on stderr. */
int newkey_checks(const struct session *s, const struct apk_args *a, int64_t now,
		  struct key_settings *ks);

/* What rotate checks before it makes a key, wherever the keys are kept:
 * standard output can take it, and --overlap (a duration or a time within
 * max_lifetime, never "never") gives the old key's expiry into
 * *old_expires (now without it). EXIT_OK, or the status after one line on
 * stderr. */
int newkey_rotate_checks(const struct session *s, const struct apk_args *a, int64_t now,
			 int64_t *old_expires);

/* Prints token (the key of rec) once: with its name, id and account and a
 * warning, or alone on a line when quiet. Wipes token. 0 when it reached
 * standard output, -1 when it could not be written (the caller takes the
 * key back: nobody can ever use it). */
int newkey_show(const struct session *s, const struct apk_record *rec, char *token, size_t tokensz,
		bool quiet);

#endif
