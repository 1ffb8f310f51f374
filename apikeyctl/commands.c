/* commands.c - generate, list, rename, describe and delete, each one change or none */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "apk_config.h"
#include "change.h"
#include "keyset.h"
#include "lastused.h"
#include "commands.h"
#include "newkey.h"
#include "output.h"
#include "settings.h"
#include "store.h"

/* The new key could not be shown: nobody can ever use it, so take it back. */
static int take_back_unshown_key(const struct session *s, const struct apk_record *rec)
{
	struct change c;
	enum apk_err err;

	if ((err = change_begin(s, &c)) == APK_OK)
		err = change_end(&c, apk_keyring_delete(&c.kr, rec->id));
	if (err != APK_OK)
		return fail(EXIT_FAIL, "could not write the key to standard output; "
			    "delete key %s and generate another", rec->id);
	log_change(s, "delete", rec, NULL);
	return fail(EXIT_FAIL, "could not write the key to standard output; it was deleted again");
}

static int generate(const struct session *s, const struct apk_args *a)
{
	struct change c;
	struct key_settings ks;
	struct apk_record rec, *added = NULL;
	char token[APK_KEY_LEN + 1], detail[APK_RESTRICTIONS_TEXT_MAX + 128];
	int64_t now = (int64_t)time(NULL);
	enum apk_err err;
	int status;

	if ((status = newkey_checks(s, a, now, &ks)) != EXIT_OK)
		return status;
	if ((err = change_begin(s, &c)) != APK_OK)
		return fail_err(err, NULL);
	err = apk_keyring_generate_within(&c.kr, &s->target, a->name, a->description, now,
					  s->policy.max_keys, token, &added);
	if (err == APK_OK) {
		settings_apply(&ks, added);
		rec = *added;
	}
	err = change_end(&c, err);
	if (err != APK_OK) {
		sodium_memzero(token, sizeof(token));
		if (err == APK_ERR_LIMIT)
			return fail(EXIT_FAIL, "%s already has %u keys, the most allowed (max_keys)",
				    s->target.name, s->policy.max_keys);
		return fail_err(err, a->name);
	}
	/* a key without restrictions is logged as before they existed */
	log_change(s, "generate", &rec,
		   rec.expires != 0 || apk_restricted(&rec)
		   ? settings_describe(&rec, detail, sizeof(detail)) : NULL);
	if (newkey_show(s, &rec, token, sizeof(token), a->quiet) != 0)
		return take_back_unshown_key(s, &rec);
	return EXIT_OK;
}

int cmd_generate(const struct session *s, const struct apk_args *a)
{
	int status;

	/* Held until the key is shown or taken back: a signal right after the
	 * commit must not leave a key nobody saw. */
	hold_signals();
	status = generate(s, a);
	release_signals();
	return status;
}

/* The last logins of recs[0..n), all of one source, from that source's
 * directory dir (never, when unknown). */
static void read_last_use(const char *dir, uint32_t uid, const struct apk_record *recs, size_t n,
			  struct apk_lastused *raw, struct last_use *used)
{
	const char **ids = calloc(n + 1, sizeof(*ids));
	size_t i;

	for (i = 0; i < n && ids != NULL; i++)
		ids[i] = recs[i].id;
	if (ids == NULL || n == 0 || apk_lastused_read(dir, uid, ids, n, raw) != APK_OK)
		memset(raw, 0, n * sizeof(*raw));
	for (i = 0; i < n; i++) {
		used[i].used = raw[i].used;
		used[i].time = raw[i].time;
		used[i].service = raw[i].service;
		used[i].rhost = raw[i].rhost;
	}
	free(ids);
}

/* The target's keys of one source appended to all (never another
 * account's); *dir the directory its last uses are in. */
static enum apk_err list_source(const struct session *s, const struct apk_keysource_ops *ops,
				struct apk_keyring *all, char *dir, size_t dirsz)
{
	struct apk_keysource src;
	struct apk_keyring kr;
	enum apk_err err;
	size_t i;

	snprintf(dir, dirsz, "%s%s%s", s->dbdir, ops->subdir != NULL ? "/" : "",
		 ops->subdir != NULL ? ops->subdir : "");
	apk_keysource_init(&src, ops, s->dbdir);
	err = apk_keysource_list(&src, s->target.uid, &kr);
	apk_keysource_close(&src);
	for (i = 0; i < kr.n && err == APK_OK; i++)
		if (apk_keyring_owns(&s->target, &kr.recs[i]))
			err = apk_keyring_append(all, &kr.recs[i]);
	apk_keyring_free(&kr);
	return err;
}

/* The keys of every source (the local store's, then the directory's
 * mirrored here), each with its last use on this host. */
int cmd_list(const struct session *s, const struct apk_args *a)
{
	struct apk_keyring kr;
	struct apk_lastused *raw = NULL;
	struct last_use *used = NULL;
	char dir[APK_KEYSET_MAX][4096];
	size_t start[APK_KEYSET_MAX + 1], i, n = 0;
	enum apk_err err = APK_OK;

	apk_keyring_init(&kr);
	for (i = 0; i < APK_KEYSET_MAX && apk_keysources[i] != NULL && err == APK_OK; i++) {
		start[i] = kr.n;
		err = list_source(s, apk_keysources[i], &kr, dir[i], sizeof(dir[i]));
		n = i + 1;
	}
	start[n] = kr.n;
	if (err == APK_OK) {
		raw = calloc(kr.n + 1, sizeof(*raw));
		used = calloc(kr.n + 1, sizeof(*used));
		if (raw == NULL || used == NULL)
			err = APK_ERR_NOMEM;
	}
	if (err != APK_OK) {
		free(raw);
		free(used);
		apk_keyring_free(&kr);
		return fail_err(err, NULL);
	}
	for (i = 0; i < n; i++)
		read_last_use(dir[i], s->target.uid, kr.recs + start[i], start[i + 1] - start[i],
			      raw + start[i], used + start[i]);
	if (a->json)
		print_json(stdout, kr.recs, used, kr.n);
	else
		print_table(stdout, kr.recs, used, kr.n, (int64_t)time(NULL));
	free(raw);
	free(used);
	apk_keyring_free(&kr);
	return fflush(stdout) == 0 ? EXIT_OK : fail(EXIT_FAIL, "write error");
}

/* rename and describe: one field of one key, each with its own rule. */
struct field {
	const char *what; /* the command, as logged */
	bool (*valid)(const char *value);
	int (*invalid)(void);
	enum apk_err (*set)(const struct apk_keyring *kr, const struct apk_account *acct,
			    struct apk_record *r, const char *value);
};

static enum apk_err set_description(const struct apk_keyring *kr, const struct apk_account *acct,
				    struct apk_record *r, const char *value)
{
	(void)kr;
	(void)acct;
	return apk_keyring_describe(r, value);
}

static const struct field rename_field = { "rename", apk_name_valid, invalid_name,
					   apk_keyring_rename };
static const struct field describe_field = { "describe", apk_desc_valid, invalid_description,
					     set_description };

/* Finds the key by id or name, changes one field, saves. */
static int change_field(const struct session *s, const struct field *f, const char *key,
			const char *value)
{
	struct change c;
	struct apk_record rec, *r;
	enum apk_err err;

	if (!f->valid(value))
		return f->invalid();
	if ((err = change_begin(s, &c)) != APK_OK)
		return fail_err(err, NULL);
	if ((r = change_find(&c.kr, s, key, &err)) != NULL &&
	    (err = f->set(&c.kr, &s->target, r, value)) == APK_OK)
		rec = *r;
	err = change_end(&c, err);
	if (err != APK_OK) {
		log_refusal(s, f->what, key, err);
		return fail_err(err, err == APK_ERR_EXISTS || err == APK_ERR_NAMEISID ? value : key);
	}
	log_change(s, f->what, &rec, NULL);
	return EXIT_OK;
}

int cmd_rename(const struct session *s, const struct apk_args *a)
{
	return change_field(s, &rename_field, a->operands[0], a->operands[1]);
}

int cmd_describe(const struct session *s, const struct apk_args *a)
{
	return change_field(s, &describe_field, a->operands[0], a->operands[1]);
}

int confirm_delete(const struct session *s, const struct apk_record *recs, size_t n)
{
	char line[64], name[APK_NAME_MAX * 4 + 1];
	size_t i;

	fprintf(stderr, "Delete %zu API key%s of %s?\n", n, n == 1 ? "" : "s", s->target.name);
	for (i = 0; i < n; i++)
		fprintf(stderr, "  %s (id %s)\n", apk_escape(recs[i].name, name, sizeof(name)),
			recs[i].id);
	fprintf(stderr, "Keys deleted cannot be recovered. Delete? [y/N] ");
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

/* The keys to delete are shown and confirmed without holding the writer
 * lock (a prompt left open must not stall everyone else's changes); the
 * change then resolves the names again and deletes only if they still
 * name the confirmed keys. */
int cmd_delete(const struct session *s, const struct apk_args *a)
{
	struct apk_keyring shown_kr;
	struct change c;
	struct apk_record *shown = NULL, *recs = NULL;
	enum apk_err err;
	size_t i, j, bad = 0;
	int status = EXIT_FAIL;

	if (!a->yes && !isatty(STDIN_FILENO))
		return fail(EXIT_FAIL, "not deleting without confirmation: no terminal (use --yes)");
	shown = calloc(a->noperands, sizeof(*shown));
	recs = calloc(a->noperands, sizeof(*recs));
	if (shown == NULL || recs == NULL) {
		status = fail_err(APK_ERR_NOMEM, NULL);
		goto out;
	}
	if (!a->yes) {
		if ((err = apk_store_load(s->dbdir, s->target.uid, &shown_kr)) == APK_OK)
			err = change_resolve(&shown_kr, s, a, shown, &bad);
		apk_keyring_free(&shown_kr);
		if (err != APK_OK) {
			status = fail_err(err, err == APK_ERR_NOTFOUND || err == APK_ERR_DIRECTORY
						       ? a->operands[bad] : NULL);
			goto out;
		}
		if (!confirm_delete(s, shown, a->noperands)) {
			status = fail(EXIT_FAIL, "nothing deleted");
			goto out;
		}
	}
	if ((err = change_begin(s, &c)) != APK_OK) {
		status = fail_err(err, NULL);
		goto out;
	}
	err = change_resolve(&c.kr, s, a, recs, &bad);
	for (i = 0; i < a->noperands && err == APK_OK; i++)
		if (!a->yes && strcmp(recs[i].id, shown[i].id) != 0)
			err = APK_ERR_BUSY; /* reported below */
	for (i = 0; i < a->noperands && err == APK_OK; i++)
		(void)apk_keyring_delete(&c.kr, recs[i].id); /* not found: named twice */
	err = change_end(&c, err);
	if (err != APK_OK) {
		log_refusal(s, "delete", a->operands[bad], err);
		if (err == APK_ERR_BUSY && !a->yes)
			status = fail(EXIT_FAIL, "the keys changed while you were confirming; "
				      "nothing deleted");
		else
			status = fail_err(err, err == APK_ERR_NOTFOUND || err == APK_ERR_DIRECTORY
						       ? a->operands[bad] : NULL);
		goto out;
	}
	for (i = 0; i < a->noperands; i++) {
		for (j = 0; j < i && strcmp(recs[j].id, recs[i].id) != 0; j++)
			;
		if (j == i) /* each key once, however often it was named */
			log_change(s, "delete", &recs[i], NULL);
	}
	status = EXIT_OK;
out:
	free(shown);
	free(recs);
	return status;
}
