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

int apk_pam_options_parse(int argc, const char **argv, struct apk_pam_options *opts,
			  const char **bad)
{
	const char *v;
	int i;

	opts->db = APK_DB_PATH;
	opts->prompt = "API key: ";
	opts->debug = opts->nodelay = opts->nokeys_ignore = false;
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
		else if (strcmp(a, "use_first_pass") == 0 || strcmp(a, "try_first_pass") == 0 ||
			 strcmp(a, "use_authtok") == 0)
			; /* pam_get_authtok reads these from our argv itself */
		else if ((v = value_of(a, "db")) != NULL && v[0] == '/' && strlen(v) < 4096)
			opts->db = v;
		else if ((v = value_of(a, "prompt")) != NULL && prompt_ok(v))
			opts->prompt = v;
		else {
			*bad = a;
			return -1;
		}
	}
	return 0;
}
