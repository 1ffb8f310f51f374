/* fleet_rotate.c - rotate with --fleet: the local rotate's semantics and
 * output (lifecycle.c), as two directory operations (fleet_rotate.h)
 *
 * The keyring of the directory's keys makes the rotation in memory exactly
 * as for local keys (apk_keyring_rotate: a new key with the name and the
 * settings, the old one renamed NAME.old and expiring now or after
 * --overlap). It is then written in two operations, the new key's add
 * first, then the old key's modify, so that a failure never leaves the
 * owner without a working key: when the add fails nothing changed; when the
 * modify fails the new key is deleted again and nothing is shown (and if
 * that delete fails too, the error names the new key's id to delete). The
 * new key is printed only once both are done; when it cannot be printed,
 * both are taken back. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "change.h"
#include "fleet_rotate.h"
#include "newkey.h"
#include "settings.h"
#include "when.h"

#define DETAIL_MAX (APK_RESTRICTIONS_TEXT_MAX + 4 * APK_NAME_MAX + 160)

/* The old key as it was (before) written back, and the new one deleted:
 * for a rotation that must not stand. 0, or -1 with err. */
static int undo(const struct session *s, struct fleet_conn *fc, const struct apk_record *fresh,
		const struct apk_record *before, char *err, size_t errsz)
{
	static struct fleet_entry e;
	struct apk_fleet_digest none;

	memset(&none, 0, sizeof(none));
	if (before != NULL && (fleet_entry_encode(before, &none, &e) != APK_OK ||
			       fleet_replace_key(fc, before->id, &e, err, errsz) != 0))
		return -1;
	if (fleet_delete_key(fc, fresh->id, err, errsz) != 0)
		return -1;
	log_change(s, "fleet rotate undone", before != NULL ? before : fresh, NULL);
	return 0;
}

static int write_rotation(const struct session *s, const struct apk_args *a,
			  struct fleet_conn *fc, struct collected *c, int64_t now,
			  int64_t old_expires)
{
	static struct fleet_entry e;
	struct apk_record before, fresh, renamed, *r, *added = NULL, *old = NULL;
	struct apk_fleet_digest none;
	char token[APK_KEY_LEN + 1], err[FLEET_DN_MAX + 512], undo_err[FLEET_DN_MAX + 512];
	char detail[DETAIL_MAX], when[APK_TIME_ISO_LEN + 1];
	const char *key = a->operands[0];
	enum apk_err rc;

	if ((r = apk_keyring_find(&c->kr, &s->target, key)) == NULL) {
		log_refusal(s, "fleet rotate", key, APK_ERR_NOTFOUND);
		return fail_err(APK_ERR_NOTFOUND, key);
	}
	before = *r;
	rc = apk_keyring_rotate(&c->kr, &s->target, r, now, old_expires,
				settings_rotated_expiry(r, &s->policy, now), s->policy.max_keys,
				token, &added, &old);
	if (rc != APK_OK) {
		sodium_memzero(token, sizeof(token));
		log_refusal(s, "fleet rotate", key, rc);
		if (rc == APK_ERR_LIMIT)
			return fail(EXIT_FAIL, "%s already has %u keys in the directory, the most "
				    "allowed (max_keys): delete one to make room for the new key",
				    s->target.name, s->policy.max_keys);
		return fail_err(rc, key);
	}
	fresh = *added;
	renamed = *old;
	if (fleet_add_key(fc, &fresh, token, err, sizeof(err)) != 0) {
		sodium_memzero(token, sizeof(token));
		return fail(EXIT_FAIL, "%s", err);
	}
	memset(&none, 0, sizeof(none));
	if (fleet_entry_encode(&renamed, &none, &e) != APK_OK ||
	    fleet_replace_key(fc, renamed.id, &e, err, sizeof(err)) != 0) {
		sodium_memzero(token, sizeof(token));
		if (undo(s, fc, &fresh, NULL, undo_err, sizeof(undo_err)) != 0)
			return fail(EXIT_FAIL, "%s; the new key could not be deleted again: delete "
				    "directory key %s", err, fresh.id);
		return fail(EXIT_FAIL, "%s; nothing changed (the new key was deleted again)", err);
	}
	snprintf(detail, sizeof(detail), "replaces id %s, now named %s and expiring %s; ",
		 renamed.id, renamed.name, apk_time_iso(renamed.expires, when, sizeof(when)));
	settings_describe(&fresh, detail + strlen(detail), sizeof(detail) - strlen(detail));
	log_change(s, "fleet rotate", &fresh, detail);
	if (newkey_show(s, &fresh, token, sizeof(token), a->quiet) == 0)
		return EXIT_OK;
	/* nobody saw it: nobody can ever use it, take the rotation back */
	if (undo(s, fc, &fresh, &before, undo_err, sizeof(undo_err)) != 0)
		return fail(EXIT_FAIL, "could not write the key to standard output; delete "
			    "directory key %s, and rename directory key %s back if you need it",
			    fresh.id, renamed.id);
	return fail(EXIT_FAIL, "could not write the key to standard output; the rotation was "
		    "undone");
}

int fleet_rotate(const struct session *s, const struct apk_args *a, struct fleet_conn *fc,
		 struct collected *c)
{
	int64_t now = (int64_t)time(NULL), old_expires;
	int status;

	if ((status = newkey_rotate_checks(s, a, now, &old_expires)) != EXIT_OK)
		return status;
	if ((status = fleet_open(s, a, fc, c)) != EXIT_OK)
		return status;
	hold_signals(); /* as generate: until the key is shown or taken back */
	status = write_rotation(s, a, fc, c, now, old_expires);
	release_signals();
	return status;
}
