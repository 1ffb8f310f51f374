/* commands.c - generate, list, rename, describe and delete, each one change or none */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "apk_config.h"
#include "commands.h"
#include "output.h"
#include "store.h"

int fail(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("apikeyctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

static int fail_err(enum apk_err err, const char *what)
{
	char shown[128];

	if (what != NULL)
		return fail(err == APK_ERR_INVALID ? EXIT_USAGE : EXIT_FAIL, "%s: %s",
			    apk_escape(what, shown, sizeof(shown)), apk_strerror(err));
	return fail(err == APK_ERR_INVALID ? EXIT_USAGE : EXIT_FAIL, "%s", apk_strerror(err));
}

/* A change runs with the terminal's signals held, so a ^C or ^Z lands
 * before it starts or after it is committed (and, for generate, after its
 * key is shown), never in between. Holds nest; the outermost restores. */
static sigset_t unheld;
static int holds;

static void hold_signals(void)
{
	sigset_t block;

	if (holds++ > 0)
		return;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGQUIT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTSTP);
	sigaddset(&block, SIGPIPE);
	sigprocmask(SIG_BLOCK, &block, &unheld);
}

static void release_signals(void)
{
	if (--holds == 0)
		sigprocmask(SIG_SETMASK, &unheld, NULL);
}

/* One change of the target's keys: signals held, the account locked, its
 * keyring loaded; change_end saves it or leaves everything as it was. */
struct change {
	struct apk_store_change *store;
	struct apk_keyring kr;
};

static enum apk_err change_begin(const struct session *s, struct change *c)
{
	enum apk_err err;

	hold_signals();
	err = apk_store_begin(s->dbdir, s->target.uid, APK_LOCK_TIMEOUT_MS, &c->kr, &c->store);
	if (err != APK_OK) {
		apk_keyring_free(&c->kr);
		release_signals();
	}
	return err;
}

/* Saves when err is APK_OK, abandons otherwise; returns the outcome. */
static enum apk_err change_end(struct change *c, enum apk_err err)
{
	if (err == APK_OK)
		err = apk_store_save(c->store, &c->kr);
	else
		apk_store_abandon(c->store);
	apk_keyring_free(&c->kr);
	release_signals();
	return err;
}

static void log_change(const struct session *s, const char *what, const struct apk_record *r)
{
	char name[APK_NAME_MAX * 4 + 1];

	syslog(LOG_NOTICE, "%s by %s for %s: key %s (id %s)", what, s->caller.name,
	       s->target.name, apk_escape(r->name, name, sizeof(name)), r->id);
}

static void log_refusal(const struct session *s, const char *what, const char *arg,
			enum apk_err err)
{
	char shown[128];

	syslog(LOG_NOTICE, "%s by %s for %s refused: %s: %s", what, s->caller.name,
	       s->target.name, apk_escape(arg, shown, sizeof(shown)), apk_strerror(err));
}

static int invalid_name(void)
{
	return fail(EXIT_USAGE, "invalid name: use 1-%d letters, digits, '.', '_' or '-'",
		    APK_NAME_MAX);
}

static int invalid_description(void)
{
	return fail(EXIT_USAGE, "invalid description: at most %d characters of printable UTF-8, "
		    "no control characters", APK_DESC_MAX_CHARS);
}

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
	log_change(s, "delete", rec);
	return fail(EXIT_FAIL, "could not write the key to standard output; it was deleted again");
}

static int generate(const struct session *s, const struct apk_args *a)
{
	struct change c;
	struct apk_record rec, *added = NULL;
	char token[APK_KEY_LEN + 1];
	enum apk_err err;

	if ((s->closed_fds & (1 << STDOUT_FILENO)) ||
	    (fcntl(STDOUT_FILENO, F_GETFL) & O_ACCMODE) == O_RDONLY)
		return fail(EXIT_FAIL, "standard output is not writable: the new key would be lost");
	if (a->name != NULL && !apk_name_valid(a->name))
		return invalid_name();
	if (a->description != NULL && !apk_desc_valid(a->description))
		return invalid_description();
	if ((err = change_begin(s, &c)) != APK_OK)
		return fail_err(err, NULL);
	err = apk_keyring_generate(&c.kr, &s->target, a->name, a->description,
				   (int64_t)time(NULL), token, &added);
	if (err == APK_OK)
		rec = *added;
	err = change_end(&c, err);
	if (err != APK_OK) {
		sodium_memzero(token, sizeof(token));
		if (err == APK_ERR_LIMIT)
			return fail(EXIT_FAIL, "%s already has %d keys, the most allowed",
				    s->target.name, APK_MAX_KEYS_PER_USER);
		return fail_err(err, a->name);
	}
	log_change(s, "generate", &rec);
	if (a->quiet)
		printf("%s\n", token);
	else
		printf("New API key \"%s\" (id %s) for %s:\n\n    %s\n\n"
		       "Copy it now: it is stored only as a one-way hash and cannot be shown again.\n",
		       rec.name, rec.id, s->target.name, token);
	sodium_memzero(token, sizeof(token));
	if (fflush(stdout) != 0 || ferror(stdout))
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

int cmd_list(const struct session *s, const struct apk_args *a)
{
	struct apk_keyring kr;
	size_t i, n = 0;
	enum apk_err err;

	if ((err = apk_store_load(s->dbdir, s->target.uid, &kr)) != APK_OK) {
		apk_keyring_free(&kr);
		return fail_err(err, NULL);
	}
	for (i = 0; i < kr.n; i++) /* never show another account's key */
		if (apk_keyring_owns(&s->target, &kr.recs[i]))
			kr.recs[n++] = kr.recs[i];
	if (a->json)
		print_json(stdout, kr.recs, n);
	else
		print_table(stdout, kr.recs, n);
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
	if ((r = apk_keyring_find(&c.kr, &s->target, key)) == NULL)
		err = APK_ERR_NOTFOUND;
	else if ((err = f->set(&c.kr, &s->target, r, value)) == APK_OK)
		rec = *r;
	err = change_end(&c, err);
	if (err != APK_OK) {
		log_refusal(s, f->what, key, err);
		return fail_err(err, err == APK_ERR_EXISTS || err == APK_ERR_NAMEISID ? value : key);
	}
	log_change(s, f->what, &rec);
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

/* Asks on the terminal; 1 only for an answer starting with y or Y. */
static int confirm(const struct session *s, const struct apk_record *recs, size_t n)
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

/* Copies the key each operand names (by id or name) into recs; *bad is
 * the first operand that names none. */
static enum apk_err resolve(const struct apk_keyring *kr, const struct session *s,
			    const struct apk_args *a, struct apk_record *recs, size_t *bad)
{
	const struct apk_record *r;
	size_t i;

	for (i = 0; i < a->noperands; i++) {
		if ((r = apk_keyring_find(kr, &s->target, a->operands[i])) == NULL) {
			*bad = i;
			return APK_ERR_NOTFOUND;
		}
		recs[i] = *r;
	}
	return APK_OK;
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
			err = resolve(&shown_kr, s, a, shown, &bad);
		apk_keyring_free(&shown_kr);
		if (err != APK_OK) {
			status = fail_err(err, err == APK_ERR_NOTFOUND ? a->operands[bad] : NULL);
			goto out;
		}
		if (!confirm(s, shown, a->noperands)) {
			status = fail(EXIT_FAIL, "nothing deleted");
			goto out;
		}
	}
	if ((err = change_begin(s, &c)) != APK_OK) {
		status = fail_err(err, NULL);
		goto out;
	}
	err = resolve(&c.kr, s, a, recs, &bad);
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
			status = fail_err(err, err == APK_ERR_NOTFOUND ? a->operands[bad] : NULL);
		goto out;
	}
	for (i = 0; i < a->noperands; i++) {
		for (j = 0; j < i && strcmp(recs[j].id, recs[i].id) != 0; j++)
			;
		if (j == i) /* each key once, however often it was named */
			log_change(s, "delete", &recs[i]);
	}
	status = EXIT_OK;
out:
	free(shown);
	free(recs);
	return status;
}
