/* change.c - messages, held signals, one locked change, log lines (change.h) */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "apk_config.h"
#include "change.h"
#include "keysource.h"

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

int fail_err(enum apk_err err, const char *what)
{
	char shown[128];

	if (what != NULL)
		return fail(err == APK_ERR_INVALID ? EXIT_USAGE : EXIT_FAIL, "%s: %s",
			    apk_escape(what, shown, sizeof(shown)), apk_strerror(err));
	return fail(err == APK_ERR_INVALID ? EXIT_USAGE : EXIT_FAIL, "%s", apk_strerror(err));
}

int invalid_name(void)
{
	return fail(EXIT_USAGE, "invalid name: use 1-%d letters, digits, '.', '_' or '-'",
		    APK_NAME_MAX);
}

int invalid_description(void)
{
	return fail(EXIT_USAGE, "invalid description: at most %d characters of printable UTF-8, "
		    "no control or invisible characters", APK_DESC_MAX_CHARS);
}

static sigset_t unheld;
static int holds;

void hold_signals(void)
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

void release_signals(void)
{
	if (--holds == 0)
		sigprocmask(SIG_SETMASK, &unheld, NULL);
}

enum apk_err change_begin(const struct session *s, struct change *c)
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

enum apk_err change_end(struct change *c, enum apk_err err)
{
	if (err == APK_OK)
		err = apk_store_save(c->store, &c->kr);
	else
		apk_store_abandon(c->store);
	apk_keyring_free(&c->kr);
	release_signals();
	return err;
}

void log_change(const struct session *s, const char *what, const struct apk_record *r,
		const char *detail)
{
	char name[APK_NAME_MAX * 4 + 1];

	syslog(LOG_NOTICE, "%s by %s for %s: key %s (id %s)%s%s", what, s->caller.name,
	       s->target.name, apk_escape(r->name, name, sizeof(name)), r->id,
	       detail != NULL ? ": " : "", detail != NULL ? detail : "");
}

void log_refusal(const struct session *s, const char *what, const char *arg, enum apk_err err)
{
	char shown[128];

	syslog(LOG_NOTICE, "%s by %s for %s refused: %s: %s", what, s->caller.name,
	       s->target.name, apk_escape(arg, shown, sizeof(shown)), apk_strerror(err));
}

struct apk_record *change_find(const struct apk_keyring *kr, const struct session *s,
			       const char *word, enum apk_err *err)
{
	struct apk_record *r = apk_keyring_find(kr, &s->target, word);
	struct apk_keysource mirror;
	struct apk_keyring dir;

	*err = APK_OK;
	if (r != NULL)
		return r;
	*err = APK_ERR_NOTFOUND;
	apk_keysource_init(&mirror, &apk_keysource_mirror, s->dbdir);
	if (apk_keysource_list(&mirror, s->target.uid, &dir) == APK_OK &&
	    apk_keyring_find(&dir, &s->target, word) != NULL)
		*err = APK_ERR_DIRECTORY;
	apk_keyring_free(&dir);
	apk_keysource_close(&mirror);
	return NULL;
}

/* Copies the key each operand names (by id or name) into recs; *bad is
 * the first operand that names none. */
enum apk_err change_resolve(const struct apk_keyring *kr, const struct session *s,
			    const struct apk_args *a, struct apk_record *recs, size_t *bad)
{
	const struct apk_record *r;
	enum apk_err err;
	size_t i;

	for (i = 0; i < a->noperands; i++) {
		if ((r = change_find(kr, s, a->operands[i], &err)) == NULL) {
			*bad = i;
			return err;
		}
		recs[i] = *r;
	}
	return APK_OK;
}
