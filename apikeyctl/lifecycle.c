/* lifecycle.c - edit, disable, enable and rotate: a key's restrictions and
 * its replacement, each one change or none */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "change.h"
#include "commands.h"
#include "newkey.h"
#include "output.h"
#include "settings.h"
#include "when.h"

/* Room for a log line's detail: the settings and two names. */
#define DETAIL_MAX (APK_RESTRICTIONS_TEXT_MAX + 4 * APK_NAME_MAX + 160)

int cmd_edit(const struct session *s, const struct apk_args *a)
{
	const char *key = a->operands[0];
	struct key_settings ks;
	struct change c;
	struct apk_record rec, *r;
	char detail[DETAIL_MAX];
	enum apk_err err = APK_OK;
	int status;

	if (a->name != NULL && !apk_name_valid(a->name))
		return invalid_name();
	if (a->description != NULL && !apk_desc_valid(a->description))
		return invalid_description();
	if ((status = settings_parse(a, &s->policy, (int64_t)time(NULL), false, &ks)) != EXIT_OK)
		return status;
	if ((err = change_begin(s, &c)) != APK_OK)
		return fail_err(err, NULL);
	r = change_find(&c.kr, s, key, &err);
	if (err == APK_OK && a->name != NULL)
		err = apk_keyring_rename(&c.kr, &s->target, r, a->name);
	if (err == APK_OK && a->description != NULL)
		err = apk_keyring_describe(r, a->description);
	if (err == APK_OK) {
		settings_apply(&ks, r);
		rec = *r;
	}
	err = change_end(&c, err);
	if (err != APK_OK) {
		log_refusal(s, "edit", key, err);
		return fail_err(err, err == APK_ERR_EXISTS || err == APK_ERR_NAMEISID ? a->name : key);
	}
	log_change(s, "edit", &rec, settings_describe(&rec, detail, sizeof(detail)));
	return EXIT_OK;
}

/* disable and enable: every key named, or none. */
static int set_disabled(const struct session *s, const struct apk_args *a, bool disabled)
{
	const char *what = disabled ? "disable" : "enable";
	struct apk_record *recs;
	struct change c;
	enum apk_err err;
	size_t i, j, bad = 0;

	if ((recs = calloc(a->noperands, sizeof(*recs))) == NULL)
		return fail_err(APK_ERR_NOMEM, NULL);
	if ((err = change_begin(s, &c)) != APK_OK) {
		free(recs);
		return fail_err(err, NULL);
	}
	err = change_resolve(&c.kr, s, a, recs, &bad);
	for (i = 0; i < a->noperands && err == APK_OK; i++)
		apk_keyring_set_disabled(apk_keyring_find(&c.kr, &s->target, recs[i].id), disabled);
	err = change_end(&c, err);
	if (err != APK_OK) {
		log_refusal(s, what, a->operands[bad], err);
		free(recs);
		return fail_err(err, err == APK_ERR_NOTFOUND || err == APK_ERR_DIRECTORY
					     ? a->operands[bad] : NULL);
	}
	for (i = 0; i < a->noperands; i++) {
		for (j = 0; j < i && strcmp(recs[j].id, recs[i].id) != 0; j++)
			;
		if (j == i) /* each key once, however often it was named */
			log_change(s, what, &recs[i], NULL);
	}
	free(recs);
	return EXIT_OK;
}

int cmd_disable(const struct session *s, const struct apk_args *a)
{
	return set_disabled(s, a, true);
}

int cmd_enable(const struct session *s, const struct apk_args *a)
{
	return set_disabled(s, a, false);
}

/* The new key of a rotation could not be shown: take the rotation back
 * (delete the new key, give the old one its name and expiry again) unless
 * another change has touched them since. */
static int take_back_rotation(const struct session *s, const struct apk_record *fresh,
			      const struct apk_record *renamed, const struct apk_record *before)
{
	struct apk_record *old;
	struct change c;
	enum apk_err err;

	if ((err = change_begin(s, &c)) == APK_OK) {
		err = apk_keyring_delete(&c.kr, fresh->id);
		old = apk_keyring_find(&c.kr, &s->target, renamed->id);
		if (err == APK_OK && (old == NULL || strcmp(old->name, renamed->name) != 0 ||
				      old->expires != renamed->expires))
			err = APK_ERR_BUSY;
		if (err == APK_OK && (err = apk_keyring_rename(&c.kr, &s->target, old,
							       before->name)) == APK_OK)
			old->expires = before->expires;
		err = change_end(&c, err);
	}
	if (err != APK_OK)
		return fail(EXIT_FAIL, "could not write the key to standard output; delete key %s, "
			    "and rename key %s back if you need it", fresh->id, renamed->id);
	log_change(s, "rotate undone", before, NULL);
	return fail(EXIT_FAIL, "could not write the key to standard output; the rotation was "
		    "undone");
}

static int rotate(const struct session *s, const struct apk_args *a)
{
	const char *key = a->operands[0];
	struct apk_record before, fresh, renamed, *r, *added = NULL, *old = NULL;
	struct change c;
	char token[APK_KEY_LEN + 1], detail[DETAIL_MAX], when[APK_TIME_ISO_LEN + 1];
	int64_t now = (int64_t)time(NULL), old_expires;
	enum apk_err err = APK_OK;
	int status;

	if ((status = newkey_rotate_checks(s, a, now, &old_expires)) != EXIT_OK)
		return status;
	if ((err = change_begin(s, &c)) != APK_OK)
		return fail_err(err, NULL);
	if ((r = change_find(&c.kr, s, key, &err)) != NULL) {
		before = *r;
		err = apk_keyring_rotate(&c.kr, &s->target, r, now, old_expires,
					 settings_rotated_expiry(r, &s->policy, now),
					 s->policy.max_keys, token, &added, &old);
	}
	if (err == APK_OK) {
		fresh = *added;
		renamed = *old;
	}
	err = change_end(&c, err);
	if (err != APK_OK) {
		sodium_memzero(token, sizeof(token));
		log_refusal(s, "rotate", key, err);
		if (err == APK_ERR_LIMIT)
			return fail(EXIT_FAIL, "%s already has %u keys, the most allowed (max_keys): "
				    "delete one to make room for the new key", s->target.name,
				    s->policy.max_keys);
		return fail_err(err, key);
	}
	snprintf(detail, sizeof(detail), "replaces id %s, now named %s and expiring %s; ",
		 renamed.id, renamed.name, apk_time_iso(renamed.expires, when, sizeof(when)));
	settings_describe(&fresh, detail + strlen(detail), sizeof(detail) - strlen(detail));
	log_change(s, "rotate", &fresh, detail);
	if (newkey_show(s, &fresh, token, sizeof(token), a->quiet) != 0)
		return take_back_rotation(s, &fresh, &renamed, &before);
	return EXIT_OK;
}

int cmd_rotate(const struct session *s, const struct apk_args *a)
{
	int status;

	hold_signals(); /* as generate: until the key is shown or taken back */
	status = rotate(s, a);
	release_signals();
	return status;
}
