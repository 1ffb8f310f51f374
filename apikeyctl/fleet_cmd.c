/* fleet_cmd.c - generate, list, delete, edit, rename, describe, disable
 * and enable with --fleet: the caller's keys
 * as entries under their own directory entry (fleet_conn.h), with the same
 * output, --json and exit statuses as the local commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "change.h"
#include "commands.h"
#include "fleet_conn.h"
#include "fleet_digest.h"
#include "fleet_entry.h"
#include "fleet_open.h"
#include "fleet_rotate.h"
#include "newkey.h"
#include "output.h"
#include "settings.h"

static int make_key(const struct session *s, const struct apk_args *a, struct fleet_conn *fc,
		    struct collected *c, const struct key_settings *ks, int64_t now);

static int generate(const struct session *s, const struct apk_args *a, struct fleet_conn *fc,
		    struct collected *c)
{
	struct key_settings ks;
	int64_t now = (int64_t)time(NULL);
	int status;

	if ((status = newkey_checks(s, a, now, &ks)) != EXIT_OK)
		return status;
	if ((status = fleet_open(s, a, fc, c)) != EXIT_OK)
		return status;
	/* Held until the key is shown or taken back: a signal right after the
	 * add must not leave a key nobody saw. */
	hold_signals();
	status = make_key(s, a, fc, c, &ks, now);
	release_signals();
	return status;
}

static int make_key(const struct session *s, const struct apk_args *a, struct fleet_conn *fc,
		    struct collected *c, const struct key_settings *ks, int64_t now)
{
	struct apk_record rec, *added = NULL;
	char token[APK_KEY_LEN + 1], err[FLEET_DN_MAX + 512];
	char detail[APK_RESTRICTIONS_TEXT_MAX + 128];
	enum apk_err rc;

	/* the keyring of the directory's keys picks the id and the default
	 * name, and applies max_keys, exactly as for local keys */
	rc = apk_keyring_generate_within(&c->kr, &s->target, a->name, a->description, now,
					 s->policy.max_keys, token, &added);
	if (rc == APK_ERR_LIMIT)
		return fail(EXIT_FAIL, "%s already has %u keys in the directory, the most allowed "
			    "(max_keys)", s->target.name, s->policy.max_keys);
	if (rc != APK_OK)
		return fail_err(rc, a->name);
	settings_apply(ks, added);
	rec = *added;
	if (fleet_add_key(fc, &rec, token, err, sizeof(err)) != 0) {
		sodium_memzero(token, sizeof(token));
		return fail(EXIT_FAIL, "%s", err);
	}
	log_change(s, "fleet generate", &rec,
		   rec.expires != 0 || apk_restricted(&rec)
		   ? settings_describe(&rec, detail, sizeof(detail)) : NULL);
	if (newkey_show(s, &rec, token, sizeof(token), a->quiet) == 0)
		return EXIT_OK;
	/* nobody saw it: nobody can ever use it, take it back */
	if (fleet_delete_key(fc, rec.id, err, sizeof(err)) != 0)
		return fail(EXIT_FAIL, "could not write the key to standard output; delete "
			    "directory key %s and generate another", rec.id);
	log_change(s, "fleet delete", &rec, NULL);
	return fail(EXIT_FAIL, "could not write the key to standard output; it was deleted again");
}

static int list(const struct session *s, const struct apk_args *a, struct fleet_conn *fc,
		struct collected *c)
{
	int status;

	if ((status = fleet_open(s, a, fc, c)) != EXIT_OK)
		return status;
	/* last use is each host's own (apikeyd): none is known here */
	if (a->json)
		print_json(stdout, c->kr.recs, NULL, c->kr.n);
	else
		print_table(stdout, c->kr.recs, NULL, c->kr.n, (int64_t)time(NULL));
	return fflush(stdout) == 0 ? EXIT_OK : fail(EXIT_FAIL, "write error");
}

static int delete(const struct session *s, const struct apk_args *a, struct fleet_conn *fc,
		  struct collected *c)
{
	struct apk_record *recs;
	char err[FLEET_DN_MAX + 512];
	size_t i, j, done = 0;
	int status;

	if (!a->yes && !isatty(STDIN_FILENO))
		return fail(EXIT_FAIL, "not deleting without confirmation: no terminal (use --yes)");
	if ((status = fleet_open(s, a, fc, c)) != EXIT_OK)
		return status;
	if ((recs = calloc(a->noperands, sizeof(*recs))) == NULL)
		return fail_err(APK_ERR_NOMEM, NULL);
	for (i = 0; i < a->noperands; i++) {
		const struct apk_record *r = apk_keyring_find(&c->kr, &s->target, a->operands[i]);

		if (r == NULL) {
			log_refusal(s, "fleet delete", a->operands[i], APK_ERR_NOTFOUND);
			free(recs);
			return fail_err(APK_ERR_NOTFOUND, a->operands[i]);
		}
		recs[i] = *r;
	}
	if (!a->yes && !confirm_delete(s, recs, a->noperands)) {
		free(recs);
		return fail(EXIT_FAIL, "nothing deleted");
	}
	for (i = 0; i < a->noperands; i++) {
		for (j = 0; j < i && strcmp(recs[j].id, recs[i].id) != 0; j++)
			;
		if (j < i)
			continue; /* each key once, however often it was named */
		if (fleet_delete_key(fc, recs[i].id, err, sizeof(err)) != 0) {
			free(recs);
			return fail(EXIT_FAIL, "%s (%zu key%s deleted before)", err, done,
				    done == 1 ? "" : "s");
		}
		log_change(s, "fleet delete", &recs[i], NULL);
		done++;
	}
	free(recs);
	return EXIT_OK;
}

/* One named key changed in memory as the local command changes it. */
static enum apk_err change_one(const struct session *s, const struct apk_args *a,
			       struct apk_keyring *kr, struct apk_record *r,
			       const struct key_settings *ks, const char **what)
{
	enum apk_err err = APK_OK;

	switch (a->cmd) {
	case CMD_RENAME:
		*what = a->operands[1];
		return apk_keyring_rename(kr, &s->target, r, a->operands[1]);
	case CMD_DESCRIBE:
		return apk_keyring_describe(r, a->operands[1]);
	case CMD_DISABLE:
	case CMD_ENABLE:
		apk_keyring_set_disabled(r, a->cmd == CMD_DISABLE);
		return APK_OK;
	default: /* CMD_EDIT */
		*what = a->name;
		if (a->name != NULL)
			err = apk_keyring_rename(kr, &s->target, r, a->name);
		if (err == APK_OK && a->description != NULL)
			err = apk_keyring_describe(r, a->description);
		if (err == APK_OK)
			settings_apply(ks, r);
		return err;
	}
}

/* edit, rename, describe, disable and enable: every named key is changed in
 * memory first (so that a bad name or a taken one changes nothing), then
 * written back, one modify operation a key. */
static int change_keys(const struct session *s, const struct apk_args *a, struct fleet_conn *fc,
		       struct collected *c)
{
	static struct fleet_entry e;
	struct key_settings ks;
	struct apk_fleet_digest none;
	struct apk_record *recs, *r;
	char err[FLEET_DN_MAX + 512], detail[APK_RESTRICTIONS_TEXT_MAX + 128];
	size_t i, j, n, done = 0;
	const char *what = NULL;
	enum apk_err rc = APK_OK;
	int status;

	memset(&ks, 0, sizeof(ks));
	n = a->cmd == CMD_DISABLE || a->cmd == CMD_ENABLE ? a->noperands : 1;
	if ((a->cmd == CMD_RENAME && !apk_name_valid(a->operands[1])) ||
	    (a->name != NULL && !apk_name_valid(a->name)))
		return invalid_name();
	if ((a->cmd == CMD_DESCRIBE && !apk_desc_valid(a->operands[1])) ||
	    (a->description != NULL && !apk_desc_valid(a->description)))
		return invalid_description();
	if (a->cmd == CMD_EDIT &&
	    (status = settings_parse(a, &s->policy, (int64_t)time(NULL), false, &ks)) != EXIT_OK)
		return status;
	if ((status = fleet_open(s, a, fc, c)) != EXIT_OK)
		return status;
	if ((recs = calloc(n, sizeof(*recs))) == NULL)
		return fail_err(APK_ERR_NOMEM, NULL);
	for (i = 0; i < n && rc == APK_OK; i++) {
		what = a->operands[i];
		if ((r = apk_keyring_find(&c->kr, &s->target, a->operands[i])) == NULL)
			rc = APK_ERR_NOTFOUND;
		else if ((rc = change_one(s, a, &c->kr, r, &ks, &what)) == APK_OK)
			recs[i] = *r;
	}
	if (rc != APK_OK) {
		log_refusal(s, fleet_command_word(a->cmd), a->operands[i - 1], rc);
		free(recs);
		return fail_err(rc, what != NULL ? what : a->operands[i - 1]);
	}
	/* the last state of each key, once: a key named twice is written once */
	memset(&none, 0, sizeof(none));
	for (i = 0; i < n; i++) {
		for (j = 0; j < i && strcmp(recs[j].id, recs[i].id) != 0; j++)
			;
		if (j < i)
			continue;
		recs[i] = *apk_keyring_find(&c->kr, &s->target, recs[i].id);
		if (fleet_entry_encode(&recs[i], &none, &e) != APK_OK ||
		    fleet_replace_key(fc, recs[i].id, &e, err, sizeof(err)) != 0) {
			free(recs);
			return fail(EXIT_FAIL, "%s (%zu key%s changed before)", err, done,
				    done == 1 ? "" : "s");
		}
		log_change(s, fleet_command_word(a->cmd), &recs[i],
			   a->cmd == CMD_EDIT ? settings_describe(&recs[i], detail, sizeof(detail))
					      : NULL);
		done++;
	}
	free(recs);
	return EXIT_OK;
}

int cmd_fleet(const struct session *s, const struct apk_args *a)
{
	struct fleet_conn fc = { 0 };
	struct collected c;
	int status;

	if (a->cmd == CMD_POLICY)
		return fail(EXIT_UNSUPPORTED, "policy is not available with --fleet");
	if (s->policy_error != NULL && a->cmd != CMD_LIST)
		return fail(EXIT_FAIL, "no change while the policy is unusable: %s", s->policy_error);
	memset(&c, 0, sizeof(c));
	apk_keyring_init(&c.kr);
	if (a->cmd == CMD_GENERATE)
		status = generate(s, a, &fc, &c);
	else if (a->cmd == CMD_LIST)
		status = list(s, a, &fc, &c);
	else if (a->cmd == CMD_DELETE)
		status = delete(s, a, &fc, &c);
	else if (a->cmd == CMD_ROTATE)
		status = fleet_rotate(s, a, &fc, &c);
	else
		status = change_keys(s, a, &fc, &c);
	fleet_done(&fc, &c);
	return status;
}
