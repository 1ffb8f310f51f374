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

static enum apk_err change_begin(const struct ctl *c, struct apk_store **st)
{
	enum apk_err err;

	hold_signals();
	err = store_begin(c->db, c->target.uid, APK_LOCK_TIMEOUT_MS, st);
	if (err != APK_OK)
		release_signals();
	return err;
}

/* Commits when err is APK_OK, abandons otherwise; returns the outcome. */
static enum apk_err change_end(struct apk_store *st, enum apk_err err)
{
	if (err == APK_OK)
		err = store_commit(st);
	else
		store_close(st);
	release_signals();
	return err;
}

static void log_change(const struct ctl *c, const char *what, const struct apk_record *r)
{
	char name[APK_NAME_MAX * 4 + 1];

	syslog(LOG_NOTICE, "%s by %s for %s: key %s (id %s)", what, c->caller.name,
	       c->target.name, apk_escape(r->name, name, sizeof(name)), r->id);
}

static void log_refusal(const struct ctl *c, const char *what, const char *arg, enum apk_err err)
{
	char shown[128];

	syslog(LOG_NOTICE, "%s by %s for %s refused: %s: %s", what, c->caller.name,
	       c->target.name, apk_escape(arg, shown, sizeof(shown)), apk_strerror(err));
}

/* The key could not be shown: nobody can ever use it, so take it back. */
static int unprinted(const struct ctl *c, const struct apk_record *rec)
{
	struct apk_store *st;
	const char *id = rec->id;
	enum apk_err err;

	if ((err = change_begin(c, &st)) == APK_OK)
		err = change_end(st, keyring_delete(st, &c->target, &id, 1, NULL));
	if (err != APK_OK)
		return fail(EXIT_FAIL, "could not write the key to standard output; "
			    "delete key %s and generate another", rec->id);
	log_change(c, "delete", rec);
	return fail(EXIT_FAIL, "could not write the key to standard output; it was deleted again");
}

static int generate(const struct ctl *c, const struct apk_args *a)
{
	struct apk_store *st;
	struct apk_record rec;
	char token[APK_KEY_LEN + 1];
	enum apk_err err;

	if ((c->closed_fds & (1 << STDOUT_FILENO)) ||
	    (fcntl(STDOUT_FILENO, F_GETFL) & O_ACCMODE) == O_RDONLY)
		return fail(EXIT_FAIL, "standard output is not writable: the new key would be lost");
	if (a->name != NULL && !apk_name_valid(a->name))
		return fail(EXIT_USAGE, "invalid name: use 1-%d letters, digits, '.', '_' or '-'",
			    APK_NAME_MAX);
	if (a->description != NULL && !apk_desc_valid(a->description))
		return fail(EXIT_USAGE, "invalid description: at most %d characters of printable "
			    "UTF-8, no control characters", APK_DESC_MAX_CHARS);
	if ((err = change_begin(c, &st)) != APK_OK)
		return fail_err(err, NULL);
	err = keyring_generate(st, &c->target, a->name, a->description, (int64_t)time(NULL),
			       token, &rec);
	err = change_end(st, err);
	if (err != APK_OK) {
		sodium_memzero(token, sizeof(token));
		if (err == APK_ERR_LIMIT)
			return fail(EXIT_FAIL, "%s already has %d keys, the most allowed",
				    c->target.name, APK_MAX_KEYS_PER_USER);
		return fail_err(err, a->name);
	}
	log_change(c, "generate", &rec);
	if (a->quiet)
		printf("%s\n", token);
	else
		printf("New API key \"%s\" (id %s) for %s:\n\n    %s\n\n"
		       "Copy it now: it is stored only as a one-way hash and cannot be shown again.\n",
		       rec.name, rec.id, c->target.name, token);
	sodium_memzero(token, sizeof(token));
	if (fflush(stdout) != 0 || ferror(stdout))
		return unprinted(c, &rec);
	return EXIT_OK;
}

int cmd_generate(const struct ctl *c, const struct apk_args *a)
{
	int status;

	/* Held until the key is shown or taken back: a signal right after the
	 * commit must not leave a key nobody saw. */
	hold_signals();
	status = generate(c, a);
	release_signals();
	return status;
}

int cmd_list(const struct ctl *c, const struct apk_args *a)
{
	struct apk_store *st;
	struct apk_record *recs;
	size_t n;
	enum apk_err err;

	err = store_open_read(c->db, c->target.uid, &st);
	if (err == APK_ERR_NOTFOUND) {
		recs = NULL; /* no account file yet: nobody has keys */
		n = 0;
	} else if (err != APK_OK) {
		return fail_err(err, NULL);
	} else {
		err = keyring_list(st, &c->target, &recs, &n);
		store_close(st);
		if (err != APK_OK)
			return fail_err(err, NULL);
	}
	if (a->json)
		print_json(stdout, recs, n);
	else
		print_table(stdout, recs, n);
	free(recs);
	return fflush(stdout) == 0 ? EXIT_OK : fail(EXIT_FAIL, "write error");
}

/* rename and describe: find by name or id, change one field, commit. */
static int change_field(const struct ctl *c, const char *what, const char *key, const char *value)
{
	struct apk_store *st;
	struct apk_record rec;
	enum apk_err err;
	int is_rename = strcmp(what, "rename") == 0;

	if (is_rename ? !apk_name_valid(value) : !apk_desc_valid(value))
		return fail(EXIT_USAGE, is_rename
			    ? "invalid name: use 1-64 letters, digits, '.', '_' or '-'"
			    : "invalid description: at most 256 characters of printable UTF-8, "
			      "no control characters");
	if ((err = change_begin(c, &st)) != APK_OK)
		return fail_err(err, NULL);
	err = is_rename ? keyring_rename(st, &c->target, key, value)
			: keyring_describe(st, &c->target, key, value);
	if (err == APK_OK)
		err = keyring_find(st, &c->target, is_rename ? value : key, &rec);
	err = change_end(st, err);
	if (err != APK_OK) {
		log_refusal(c, what, key, err);
		return fail_err(err, err == APK_ERR_EXISTS ? value : key);
	}
	log_change(c, what, &rec);
	return EXIT_OK;
}

int cmd_rename(const struct ctl *c, const struct apk_args *a)
{
	return change_field(c, "rename", a->operands[0], a->operands[1]);
}

int cmd_describe(const struct ctl *c, const struct apk_args *a)
{
	return change_field(c, "describe", a->operands[0], a->operands[1]);
}

/* Asks on the terminal; 1 only for an answer starting with y or Y. */
static int confirm(const struct ctl *c, const struct apk_record *recs, size_t n)
{
	char line[64], name[APK_NAME_MAX * 4 + 1];
	size_t i;

	fprintf(stderr, "Delete %zu API key%s of %s?\n", n, n == 1 ? "" : "s", c->target.name);
	for (i = 0; i < n; i++)
		fprintf(stderr, "  %s (id %s)\n", apk_escape(recs[i].name, name, sizeof(name)),
			recs[i].id);
	fprintf(stderr, "Keys deleted cannot be recovered. Delete? [y/N] ");
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

/* Resolves every name (or id) to the account's key; *bad names the first unknown. */
static enum apk_err resolve(struct apk_store *st, const struct ctl *c, const struct apk_args *a,
			    struct apk_record *recs, size_t *bad)
{
	enum apk_err err = APK_OK;
	size_t i;

	for (i = 0; i < a->noperands && err == APK_OK; i++) {
		err = keyring_find(st, &c->target, a->operands[i], &recs[i]);
		*bad = i;
	}
	return err;
}

/* The keys to delete are shown and confirmed without holding the writer
 * lock (a prompt left open must not stall everyone else's changes); the
 * change then resolves the names again and deletes only if they still
 * name the confirmed keys. */
int cmd_delete(const struct ctl *c, const struct apk_args *a)
{
	struct apk_store *st;
	struct apk_record *shown = NULL, *recs = NULL;
	const char **ids = NULL;
	enum apk_err err;
	size_t i, j, bad = 0;
	int status = EXIT_FAIL;

	if (!a->yes && !isatty(STDIN_FILENO))
		return fail(EXIT_FAIL, "not deleting without confirmation: no terminal (use --yes)");
	shown = calloc(a->noperands, sizeof(*shown));
	recs = calloc(a->noperands, sizeof(*recs));
	ids = calloc(a->noperands, sizeof(*ids));
	if (shown == NULL || recs == NULL || ids == NULL) {
		status = fail_err(APK_ERR_NOMEM, NULL);
		goto out;
	}
	if (!a->yes) {
		if ((err = store_open_read(c->db, c->target.uid, &st)) != APK_OK) {
			status = fail_err(err, err == APK_ERR_NOTFOUND ? a->operands[0] : NULL);
			goto out;
		}
		err = resolve(st, c, a, shown, &bad);
		store_close(st);
		if (err != APK_OK) {
			status = fail_err(err, err == APK_ERR_NOTFOUND ? a->operands[bad] : NULL);
			goto out;
		}
		if (!confirm(c, shown, a->noperands)) {
			status = fail(EXIT_FAIL, "nothing deleted");
			goto out;
		}
	}
	if ((err = change_begin(c, &st)) != APK_OK) {
		status = fail_err(err, NULL);
		goto out;
	}
	err = resolve(st, c, a, recs, &bad);
	for (i = 0; i < a->noperands && err == APK_OK; i++) {
		if (!a->yes && strcmp(recs[i].id, shown[i].id) != 0)
			err = APK_ERR_BUSY; /* reported below */
		ids[i] = recs[i].id;
	}
	if (err == APK_OK)
		err = keyring_delete(st, &c->target, ids, a->noperands, &bad);
	err = change_end(st, err);
	if (err != APK_OK) {
		log_refusal(c, "delete", a->operands[bad], err);
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
			log_change(c, "delete", &recs[i]);
	}
	status = EXIT_OK;
out:
	free(shown);
	free(recs);
	free(ids);
	return status;
}
