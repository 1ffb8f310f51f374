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
	{ "policy", CMD_POLICY, 0, 0 },
	{ "help", CMD_HELP, 0, 0 },
	{ "version", CMD_VERSION, 0, 0 },
};

enum opt {
	OPT_USER, OPT_NAME, OPT_DESC, OPT_EXPIRES, OPT_RESTRICTION, OPT_OVERLAP,
	OPT_QUIET, OPT_JSON, OPT_YES, OPT_HELP, OPT_VERSION, OPT_FLEET, OPT_PASSWORD_FILE,
};

#define ANY_CMD 0u /* an option every command takes */
#define KEY_SETTINGS (BIT(CMD_GENERATE) | BIT(CMD_EDIT))

struct option_row {
	const char *longname;
	char shortname; /* 0: none */
	enum opt opt;
	bool has_value;
	unsigned cmds; /* BIT() of each command that takes it; ANY_CMD */
};

/* The row OPT_RESTRICTION stands for the option of every restriction
 * (restrict.h), --service and --from, in its place. */
static const struct option_row options[] = {
	{ "user", 'u', OPT_USER, true, ANY_CMD },
	{ "name", 'n', OPT_NAME, true, KEY_SETTINGS },
	{ "description", 'd', OPT_DESC, true, KEY_SETTINGS },
	{ "expires", 0, OPT_EXPIRES, true, KEY_SETTINGS },
	{ NULL, 0, OPT_RESTRICTION, true, KEY_SETTINGS },
	{ "overlap", 0, OPT_OVERLAP, true, BIT(CMD_ROTATE) },
	{ "quiet", 'q', OPT_QUIET, false, BIT(CMD_GENERATE) | BIT(CMD_ROTATE) },
	{ "json", 'j', OPT_JSON, false, BIT(CMD_LIST) | BIT(CMD_POLICY) },
	{ "yes", 'y', OPT_YES, false, BIT(CMD_DELETE) },
	{ "help", 'h', OPT_HELP, false, ANY_CMD },
	{ "version", 'V', OPT_VERSION, false, ANY_CMD },
	{ "fleet", 0, OPT_FLEET, false, ANY_CMD },
	{ "password-file", 0, OPT_PASSWORD_FILE, true, ANY_CMD },
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

/* How many long names options[i] stands for: each restriction's for the
 * OPT_RESTRICTION row, else its own. */
static size_t names_of(size_t i)
{
	return options[i].opt == OPT_RESTRICTION ? APK_RESTRICTIONS : 1;
}

/* The long name of options[i], or of restriction kind k for its
 * OPT_RESTRICTION row. */
static const char *long_name(size_t i, size_t k)
{
	return options[i].opt == OPT_RESTRICTION ? apk_restrictions[k].option : options[i].longname;
}

/* Finds the option named by arg ("--long", "--long=value" or "-s"): its row
 * in *which, and for a restriction's its kind in *kind. */
static int find_option(const char *arg, size_t *which, size_t *kind, const char **inline_value)
{
	const char *name;
	size_t i, k, n;

	*inline_value = NULL;
	*kind = 0;
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
		for (k = 0; k < names_of(i); k++) {
			name = long_name(i, k);
			n = strlen(name);
			if (strncmp(arg + 2, name, n) != 0)
				continue;
			if (arg[2 + n] == '\0' || (arg[2 + n] == '=' && options[i].has_value)) {
				*which = i;
				*kind = k;
				if (arg[2 + n] == '=')
					*inline_value = arg + 3 + n;
				return 0;
			}
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

/* Whether the command line gave option o (restriction kind k's for
 * OPT_RESTRICTION). */
static bool given(const struct apk_args *a, enum opt o, size_t k)
{
	switch (o) {
	case OPT_NAME: return a->name != NULL;
	case OPT_DESC: return a->description != NULL;
	case OPT_EXPIRES: return a->expires != NULL;
	case OPT_RESTRICTION: return a->restrictions[k].n > 0;
	case OPT_OVERLAP: return a->overlap != NULL;
	case OPT_QUIET: return a->quiet;
	case OPT_JSON: return a->json;
	case OPT_YES: return a->yes;
	case OPT_USER:
	case OPT_HELP:
	case OPT_VERSION:
	case OPT_FLEET:
	case OPT_PASSWORD_FILE:
		break;
	}
	return false;
}

/* Each option given is one the command takes: else "--quiet is for
 * 'generate' and 'rotate'". */
static int options_fit(const struct apk_args *a, char *err, size_t errsz)
{
	char cmds[128];
	size_t i, j, k, len;
	int shown;

	for (i = 0; i < NITEMS(options); i++) {
		for (k = 0; k < names_of(i); k++) {
			if (options[i].cmds == ANY_CMD || (options[i].cmds & BIT(a->cmd)) != 0 ||
			    !given(a, options[i].opt, k))
				continue;
			cmds[0] = '\0';
			for (j = 0, shown = 0; j < NITEMS(commands); j++) {
				if ((options[i].cmds & BIT(commands[j].cmd)) == 0)
					continue;
				len = strlen(cmds);
				snprintf(cmds + len, sizeof(cmds) - len, "%s'%s'",
					 shown++ ? " and " : "", commands[j].word);
			}
			return usage_error(err, errsz, "--%s is for %s", long_name(i, k), cmds);
		}
	}
	return 0;
}

/* edit was given something to change. */
static int edit_has_change(const struct apk_args *a, char *err, size_t errsz)
{
	char opts[128] = "--name, --description, --expires";
	size_t k, len;

	if (a->name != NULL || a->description != NULL || a->expires != NULL)
		return 0;
	for (k = 0; k < APK_RESTRICTIONS; k++) {
		if (a->restrictions[k].n > 0)
			return 0;
		len = strlen(opts);
		snprintf(opts + len, sizeof(opts) - len, ", --%s", apk_restrictions[k].option);
	}
	return usage_error(err, errsz, "'edit' needs at least one of %s", opts);
}

bool args_fleet_requested(int argc, char *const argv[])
{
	const char *value;
	size_t which, kind;
	int k;

	for (k = 1; k < argc && argv[k] != NULL && strcmp(argv[k], "--") != 0; k++) {
		if (argv[k][0] != '-' || argv[k][1] == '\0')
			continue;
		if (find_option(argv[k], &which, &kind, &value) != 0)
			return false; /* a usage error: args_parse says which */
		if (options[which].opt == OPT_FLEET)
			return true;
		if (options[which].has_value && value == NULL)
			k++; /* its value, whatever it looks like */
	}
	return false;
}

int args_parse(int argc, char *const argv[], struct apk_args *a, char *err, size_t errsz)
{
	const char *cmdword = NULL, *value;
	char shown[80];
	bool only_operands = false;
	size_t i, which, kind;
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
			if (find_option(arg, &which, &kind, &value) != 0)
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
			case OPT_RESTRICTION:
				if (add_value(&a->restrictions[kind], value, apk_restrictions[kind].option,
					      err, errsz) != 0)
					return -1;
				break;
			case OPT_PASSWORD_FILE:
				if (set_once(&a->password_file, value, "password-file", err, errsz) != 0)
					return -1;
				break;
			case OPT_FLEET: a->fleet = true; break;
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
	if (a->password_file != NULL && !a->fleet)
		return usage_error(err, errsz, "--password-file is for --fleet");
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
	if (a->cmd == CMD_EDIT)
		return edit_has_change(a, err, errsz);
	return 0;
}
