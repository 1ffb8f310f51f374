/* pam_options.c - parsing of the module's arguments; anything unknown is an error */
#include <string.h>

#include "apk_config.h"
#include "pam_options.h"

#define PROMPT_MAX 128

static const char *value_of(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return strncmp(arg, name, n) == 0 && arg[n] == '=' ? arg + n + 1 : NULL;
}

static int prompt_ok(const char *p)
{
	size_t n = strlen(p);

	if (n == 0 || n > PROMPT_MAX)
		return 0;
	for (; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* warn=DAYS: decimal digits only, no leading zero (but "0" itself), at most
 * APK_WARN_DAYS_MAX. 0 and *days set, or -1. */
static int days_of(const char *v, unsigned *days)
{
	unsigned n = 0;
	size_t i;

	if (v[0] == '\0' || (v[0] == '0' && v[1] != '\0'))
		return -1;
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9' || i >= 4)
			return -1;
		n = n * 10 + (unsigned)(v[i] - '0');
	}
	if (n > APK_WARN_DAYS_MAX)
		return -1;
	*days = n;
	return 0;
}

/* The answer source an argument names; APK_ASK when it names none. */
static enum apk_answer_source source_of(const char *arg)
{
	if (strcmp(arg, "try_first_pass") == 0)
		return APK_TRY_FIRST_PASS;
	if (strcmp(arg, "use_first_pass") == 0 || strcmp(arg, "use_authtok") == 0)
		return APK_USE_FIRST_PASS;
	if (strcmp(arg, "forward_pass") == 0)
		return APK_FORWARD_PASS;
	return APK_ASK;
}

int apk_pam_options_parse(int argc, const char **argv, struct apk_pam_options *opts,
			  const char **bad)
{
	enum apk_answer_source src;
	const char *v;
	int i;

	opts->db = APK_DBDIR;
	opts->keys = NULL; /* every source */
	opts->socket = NULL;
	opts->prompt = NULL;
	opts->source = APK_ASK;
	opts->debug = opts->nodelay = opts->nokeys_ignore = false;
	opts->warn_days = APK_WARN_DAYS;
	*bad = NULL;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (a == NULL) {
			*bad = "(null)";
			return -1;
		}
		if (strcmp(a, "debug") == 0)
			opts->debug = true;
		else if (strcmp(a, "nodelay") == 0)
			opts->nodelay = true;
		else if (strcmp(a, "nokeys_ignore") == 0)
			opts->nokeys_ignore = true;
		else if ((src = source_of(a)) != APK_ASK &&
			 (opts->source == APK_ASK || opts->source == src))
			opts->source = src;
		else if ((v = value_of(a, "db")) != NULL && v[0] == '/' && strlen(v) < 4096)
			opts->db = v;
		else if ((v = value_of(a, "keys")) != NULL && apk_keysource_named(v) != NULL)
			opts->keys = apk_keysource_named(v);
		else if ((v = value_of(a, "socket")) != NULL && v[0] == '/' &&
			 strlen(v) < APK_PAM_SOCKET_MAX)
			opts->socket = v;
		else if ((v = value_of(a, "prompt")) != NULL && prompt_ok(v))
			opts->prompt = v;
		else if ((v = value_of(a, "warn")) != NULL && days_of(v, &opts->warn_days) == 0)
			continue;
		else {
			*bad = a;
			return -1;
		}
	}
	if (opts->prompt == NULL)
		opts->prompt = opts->source == APK_FORWARD_PASS ? "Password: " : "API key: ";
	return 0;
}
