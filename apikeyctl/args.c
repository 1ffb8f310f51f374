/* args.c - apikeyctl's argument parser: options anywhere, strict arity */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "validate.h"

#define BIT(c) (1u << (c))

static const struct {
	const char *word;
	enum apk_cmd cmd;
	size_t min, max; /* operands */
} commands[] = {
	{ "generate", CMD_GENERATE, 0, 0 },
	{ "list", CMD_LIST, 0, 0 },
	{ "rename", CMD_RENAME, 2, 2 },
	{ "describe", CMD_DESCRIBE, 2, 2 },
	{ "delete", CMD_DELETE, 1, ARGS_MAX_OPERANDS },
	{ "edit", CMD_EDIT, 1, 1 },
	{ "disable", CMD_DISABLE, 1, ARGS_MAX_OPERANDS },
	{ "enable", CMD_ENABLE, 1, ARGS_MAX_OPERANDS },
	{ "rotate", CMD_ROTATE, 1, 1 },
	{ "help", CMD_HELP, 0, 0 },
	{ "version", CMD_VERSION, 0, 0 },
};

enum opt {
	OPT_USER, OPT_NAME, OPT_DESC, OPT_EXPIRES, OPT_SERVICE, OPT_FROM, OPT_OVERLAP,
	OPT_QUIET, OPT_JSON, OPT_YES, OPT_HELP, OPT_VERSION,
};

#define ANY_CMD 0u /* an option every command takes */
#define KEY_SETTINGS (BIT(CMD_GENERATE) | BIT(CMD_EDIT))

static const struct {
	const char *longname;
	char shortname; /* 0: none */
	enum opt opt;
	bool has_value;
	unsigned cmds; /* BIT() of each command that takes it; ANY_CMD */
} options[] = {
	{ "user", 'u', OPT_USER, true, ANY_CMD },
	{ "name", 'n', OPT_NAME, true, KEY_SETTINGS },
	{ "description", 'd', OPT_DESC, true, KEY_SETTINGS },
	{ "expires", 0, OPT_EXPIRES, true, KEY_SETTINGS },
	{ "service", 0, OPT_SERVICE, true, KEY_SETTINGS },
	{ "from", 0, OPT_FROM, true, KEY_SETTINGS },
	{ "overlap", 0, OPT_OVERLAP, true, BIT(CMD_ROTATE) },
	{ "quiet", 'q', OPT_QUIET, false, BIT(CMD_GENERATE) | BIT(CMD_ROTATE) },
	{ "json", 'j', OPT_JSON, false, BIT(CMD_LIST) },
	{ "yes", 'y', OPT_YES, false, BIT(CMD_DELETE) },
	{ "help", 'h', OPT_HELP, false, ANY_CMD },
	{ "version", 'V', OPT_VERSION, false, ANY_CMD },
};

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))
/* Arguments are echoed in messages only escaped and shortened. */
#define SHOW(s) apk_escape((s), shown, sizeof(shown))

__attribute__((format(printf, 3, 4)))
static int usage_error(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return -1;
}

/* Finds the option named by arg ("--long", "--long=value" or "-s"). */
static int find_option(const char *arg, size_t *which, const char **inline_value)
{
	size_t i, n;

	*inline_value = NULL;
	if (arg[1] != '-') {
		if (arg[2] != '\0')
			return -1; /* no bundled short options */
		for (i = 0; i < NITEMS(options); i++)
			if (options[i].shortname != 0 && options[i].shortname == arg[1]) {
				*which = i;
				return 0;
			}
		return -1;
	}
	for (i = 0; i < NITEMS(options); i++) {
		n = strlen(options[i].longname);
		if (strncmp(arg + 2, options[i].longname, n) != 0)
			continue;
		if (arg[2 + n] == '\0' || (arg[2 + n] == '=' && options[i].has_value)) {
			*which = i;
			if (arg[2 + n] == '=')
				*inline_value = arg + 3 + n;
			return 0;
		}
	}
	return -1;
}

static int set_once(const char **slot, const char *value, const char *name, char *err, size_t errsz)
{
	if (*slot != NULL)
		return usage_error(err, errsz, "option --%s given twice", name);
	*slot = value;
	return 0;
}

static int add_value(struct args_list *l, const char *value, const char *name, char *err,
		     size_t errsz)
{
	if (l->n >= ARGS_MAX_LISTS)
		return usage_error(err, errsz, "option --%s given more than %d times", name,
				   ARGS_MAX_LISTS);
	l->v[l->n++] = value;
	return 0;
}

/* Whether the command line gave option o. */
static bool given(const struct apk_args *a, enum opt o)
{
	switch (o) {
	case OPT_NAME: return a->name != NULL;
	case OPT_DESC: return a->description != NULL;
	case OPT_EXPIRES: return a->expires != NULL;
	case OPT_SERVICE: return a->services.n > 0;
	case OPT_FROM: return a->from.n > 0;
	case OPT_OVERLAP: return a->overlap != NULL;
	case OPT_QUIET: return a->quiet;
	case OPT_JSON: return a->json;
	case OPT_YES: return a->yes;
	case OPT_USER:
	case OPT_HELP:
	case OPT_VERSION:
		break;
	}
	return false;
}

/* Each option given is one the command takes: else "--quiet is for
 * 'generate' and 'rotate'". */
static int options_fit(const struct apk_args *a, char *err, size_t errsz)
{
	char cmds[128];
	size_t i, j, len;
	int k;

	for (i = 0; i < NITEMS(options); i++) {
		if (options[i].cmds == ANY_CMD || (options[i].cmds & BIT(a->cmd)) != 0 ||
		    !given(a, options[i].opt))
			continue;
		cmds[0] = '\0';
		for (j = 0, k = 0; j < NITEMS(commands); j++) {
			if ((options[i].cmds & BIT(commands[j].cmd)) == 0)
				continue;
			len = strlen(cmds);
			snprintf(cmds + len, sizeof(cmds) - len, "%s'%s'", k++ ? " and " : "",
				 commands[j].word);
		}
		return usage_error(err, errsz, "--%s is for %s", options[i].longname, cmds);
	}
	return 0;
}

int args_parse(int argc, char *const argv[], struct apk_args *a, char *err, size_t errsz)
{
	const char *cmdword = NULL, *value;
	char shown[80];
	bool only_operands = false;
	size_t i, which;
	int k;

	memset(a, 0, sizeof(*a));
	for (k = 1; k < argc; k++) {
		const char *arg = argv[k];

		if (arg == NULL || strnlen(arg, APK_ARG_MAX + 1) > APK_ARG_MAX)
			return usage_error(err, errsz, "argument too long");
		if (!only_operands && strcmp(arg, "--") == 0) {
			only_operands = true;
			continue;
		}
		if (!only_operands && arg[0] == '-' && arg[1] != '\0') {
			if (find_option(arg, &which, &value) != 0)
				return usage_error(err, errsz, "unknown option '%s'", SHOW(arg));
			if (options[which].has_value && value == NULL) {
				if (k + 1 >= argc)
					return usage_error(err, errsz, "option '%s' needs a value", SHOW(arg));
				value = argv[++k];
				if (strnlen(value, APK_ARG_MAX + 1) > APK_ARG_MAX)
					return usage_error(err, errsz, "argument too long");
			}
			switch (options[which].opt) {
			case OPT_USER:
				if (set_once(&a->user, value, "user", err, errsz) != 0)
					return -1;
				break;
			case OPT_NAME:
				if (set_once(&a->name, value, "name", err, errsz) != 0)
					return -1;
				break;
			case OPT_DESC:
				if (set_once(&a->description, value, "description", err, errsz) != 0)
					return -1;
				break;
			case OPT_EXPIRES:
				if (set_once(&a->expires, value, "expires", err, errsz) != 0)
					return -1;
				break;
			case OPT_OVERLAP:
				if (set_once(&a->overlap, value, "overlap", err, errsz) != 0)
					return -1;
				break;
			case OPT_SERVICE:
				if (add_value(&a->services, value, "service", err, errsz) != 0)
					return -1;
				break;
			case OPT_FROM:
				if (add_value(&a->from, value, "from", err, errsz) != 0)
					return -1;
				break;
			case OPT_QUIET: a->quiet = true; break;
			case OPT_JSON: a->json = true; break;
			case OPT_YES: a->yes = true; break;
			case OPT_HELP: a->cmd = CMD_HELP; break;
			case OPT_VERSION: if (a->cmd != CMD_HELP) a->cmd = CMD_VERSION; break;
			}
			continue;
		}
		if (cmdword == NULL) {
			cmdword = arg;
			continue;
		}
		if (a->noperands >= ARGS_MAX_OPERANDS)
			return usage_error(err, errsz, "too many arguments");
		a->operands[a->noperands++] = arg;
	}
	if (a->cmd == CMD_HELP || a->cmd == CMD_VERSION)
		return 0;
	if (cmdword == NULL)
		return usage_error(err, errsz, "no command given (try 'apikeyctl --help')");
	for (i = 0; i < NITEMS(commands); i++)
		if (strcmp(cmdword, commands[i].word) == 0)
			break;
	if (i == NITEMS(commands))
		return usage_error(err, errsz, "unknown command '%s' (try 'apikeyctl --help')", SHOW(cmdword));
	a->cmd = commands[i].cmd;
	if (a->noperands < commands[i].min || a->noperands > commands[i].max)
		return usage_error(err, errsz, "wrong number of arguments for '%s' (try 'apikeyctl --help')",
				   SHOW(cmdword));
	if (options_fit(a, err, errsz) != 0)
		return -1;
	if (a->cmd == CMD_EDIT && a->name == NULL && a->description == NULL && a->expires == NULL &&
	    a->services.n == 0 && a->from.n == 0)
		return usage_error(err, errsz, "'edit' needs at least one of --name, --description, "
				   "--expires, --service, --from");
	return 0;
}
