/* fuzz_args.c - apikeyctl's argument parser (args_parse) on arbitrary command lines
 *
 * Input: one byte giving the error buffer's size, one flag byte (bit 0: pad
 * the last argument to APK_ARG_MAX bytes, bit 1: one byte more), then the
 * arguments separated by NUL bytes (argv[0] is "apikeyctl"). Properties:
 *  - a usage error is one non-empty line of printable text, NUL-terminated
 *    inside the buffer, and nothing is written past it;
 *  - an argument longer than APK_ARG_MAX is always a usage error;
 *  - a success names a command with the right number of operands, options
 *    only where that command takes them, and every value and operand
 *    points into argv (an operand starting with '-' only after "--");
 *  - parsing the same line twice gives the same answer.
 */
#include <string.h>

#include "args.h"
#include "fuzz.h"
#include "validate.h"

#define MAX_ARGS 300
#define ERR_MAX 256

static char *argv_store[MAX_ARGS + 2];
static char argbuf[APK_ARG_MAX * 2 + 8192];

/* Which argv element p points into (value after "--opt=" included); -1 if none. */
static int points_into(const char *p, int argc, char *const argv[])
{
	int k;

	for (k = 0; k < argc; k++)
		if (p >= argv[k] && p <= argv[k] + strlen(argv[k]))
			return k;
	return -1;
}

/* Whether a gives any restriction's option (--service, --from). */
static bool restricted(const struct apk_args *a)
{
	size_t r;

	for (r = 0; r < APK_RESTRICTIONS; r++)
		if (a->restrictions[r].n > 0)
			return true;
	return false;
}

static void check_arity(const struct apk_args *a)
{
	size_t n = a->noperands;

	switch (a->cmd) {
	case CMD_GENERATE:
	case CMD_LIST:
	case CMD_POLICY:
		FUZZ_CHECK(n == 0, "generate, list and policy take no operand");
		break;
	case CMD_RENAME:
	case CMD_DESCRIBE:
		FUZZ_CHECK(n == 2, "rename and describe take two operands");
		break;
	case CMD_DELETE:
	case CMD_DISABLE:
	case CMD_ENABLE:
		FUZZ_CHECK(n >= 1 && n <= ARGS_MAX_OPERANDS, "delete, disable, enable take 1 to 100 operands");
		break;
	case CMD_EDIT:
	case CMD_ROTATE:
		FUZZ_CHECK(n == 1, "edit and rotate take one operand");
		break;
	case CMD_HELP:
	case CMD_VERSION:
		break;
	default:
		FUZZ_CHECK(0, "a successful parse names a command");
	}
	if (a->cmd == CMD_HELP || a->cmd == CMD_VERSION)
		return;
	FUZZ_CHECK((a->name == NULL && a->description == NULL && a->expires == NULL &&
		    !restricted(a)) || a->cmd == CMD_GENERATE || a->cmd == CMD_EDIT,
		   "--name, --description, --expires and the restrictions only with generate and edit");
	FUZZ_CHECK(a->cmd != CMD_EDIT || a->name != NULL || a->description != NULL ||
		   a->expires != NULL || restricted(a),
		   "edit changes something");
	FUZZ_CHECK(!a->quiet || a->cmd == CMD_GENERATE || a->cmd == CMD_ROTATE,
		   "--quiet only with generate and rotate");
	FUZZ_CHECK(a->overlap == NULL || a->cmd == CMD_ROTATE, "--overlap only with rotate");
	FUZZ_CHECK(!a->json || a->cmd == CMD_LIST || a->cmd == CMD_POLICY, "--json only with list and policy");
	FUZZ_CHECK(!a->yes || a->cmd == CMD_DELETE, "--yes only with delete");
	FUZZ_CHECK(a->password_file == NULL || a->fleet, "--password-file only with --fleet");
}

static void check_success(const struct apk_args *a, int argc, char *const argv[])
{
	size_t i, r;
	int k, dashdash;

	FUZZ_CHECK(a->noperands <= ARGS_MAX_OPERANDS, "at most ARGS_MAX_OPERANDS operands");
	check_arity(a);
	FUZZ_CHECK(a->user == NULL || points_into(a->user, argc, argv) > 0, "--user value from argv");
	FUZZ_CHECK(a->name == NULL || points_into(a->name, argc, argv) > 0, "--name value from argv");
	FUZZ_CHECK(a->description == NULL || points_into(a->description, argc, argv) > 0,
		   "--description value from argv");
	FUZZ_CHECK(a->expires == NULL || points_into(a->expires, argc, argv) > 0,
		   "--expires value from argv");
	FUZZ_CHECK(a->overlap == NULL || points_into(a->overlap, argc, argv) > 0,
		   "--overlap value from argv");
	for (r = 0; r < APK_RESTRICTIONS; r++) {
		FUZZ_CHECK(a->restrictions[r].n <= ARGS_MAX_LISTS,
			   "at most ARGS_MAX_LISTS values of a list option");
		for (i = 0; i < a->restrictions[r].n; i++)
			FUZZ_CHECK(points_into(a->restrictions[r].v[i], argc, argv) > 0,
				   "a restriction's value from argv");
	}
	for (i = 0; i < a->noperands; i++) {
		for (k = 1; k < argc; k++)
			if (a->operands[i] == argv[k])
				break;
		FUZZ_CHECK(k < argc, "every operand is an argv element");
		if (a->operands[i][0] == '-' && a->operands[i][1] != '\0') {
			for (dashdash = 0; dashdash < k; dashdash++)
				if (strcmp(argv[dashdash], "--") == 0)
					break;
			FUZZ_CHECK(dashdash < k, "an operand looking like an option only after --");
		}
	}
}

static void check_error(const char *err, size_t errsz)
{
	size_t n = strnlen(err, errsz), i;

	FUZZ_CHECK(n < errsz, "usage error is NUL-terminated inside the buffer");
	FUZZ_CHECK(errsz == 1 || n > 0, "usage error says something");
	FUZZ_CHECK((unsigned char)err[errsz] == 0xEE, "nothing is written past the error buffer");
	for (i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)err[i] >= 0x20 && (unsigned char)err[i] != 0x7F,
			   "usage error is one line of printable text");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct apk_args a, b;
	char err[ERR_MAX + 1], err2[ERR_MAX + 1];
	size_t errsz, pos = 0, n, i, padto = 0;
	int argc = 1, rc, too_long = 0;

	if (size < 2 || size > sizeof(argbuf) - APK_ARG_MAX - 2)
		return 0;
	errsz = (size_t)data[0] % ERR_MAX + 1;
	if (data[1] & 1)
		padto = APK_ARG_MAX + (data[1] & 2 ? 1 : 0);
	memcpy(argbuf, data + 2, size - 2);
	argbuf[size - 2] = '\0';
	argv_store[0] = (char *)(uintptr_t)"apikeyctl";
	while (pos <= size - 2 && argc < MAX_ARGS) {
		argv_store[argc++] = argbuf + pos;
		pos += strlen(argbuf + pos) + 1;
	}
	if (padto > 0) {
		/* The last argument is the tail of argbuf: room is reserved. */
		char *last = argv_store[argc - 1];
		n = strlen(last);
		if (n < padto)
			memset(last + n, 'a', padto - n);
		last[padto > n ? padto : n] = '\0';
	}
	argv_store[argc] = NULL;
	for (i = 1; i < (size_t)argc; i++)
		if (strlen(argv_store[i]) > APK_ARG_MAX)
			too_long = 1;

	memset(err, 0xEE, sizeof(err));
	rc = args_parse(argc, argv_store, &a, err, errsz);
	FUZZ_CHECK(rc == 0 || rc == -1, "args_parse returns 0 or -1");
	if (rc == 0) {
		FUZZ_CHECK(!too_long, "an argument over APK_ARG_MAX is refused");
		check_success(&a, argc, argv_store);
	} else {
		check_error(err, errsz);
	}
	memset(err2, 0xEE, sizeof(err2));
	FUZZ_CHECK(args_parse(argc, argv_store, &b, err2, errsz) == rc, "parsing is repeatable");
	if (rc == 0)
		FUZZ_CHECK(memcmp(&a, &b, sizeof(a)) == 0, "parsing is repeatable");
	else
		FUZZ_CHECK(strcmp(err, err2) == 0, "parsing is repeatable");
	return 0;
}
