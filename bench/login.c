/* login.c - bench-login: times whole PAM logins, round-robin over a plan
 *
 *   bench-login [-f] [-p MODULE]... CONFDIR ROUNDS WARMUP < PLAN
 *
 * PLAN has one cell a line: LABEL SERVICE USER EXPECT RESPONSE, separated by
 * single spaces; EXPECT is the PAM code the login must return; RESPONSE is
 * what the conversation answers ("-": no prompt expected, the conversation
 * fails if asked). A cell whose SERVICE is "-" is no login but a name
 * lookup alone, getpwnam_r(USER), timed the same way; its code is 0 when
 * the name exists, PAM_USER_UNKNOWN when it does not, PAM_SYSTEM_ERR on an
 * error: what the module's own lookup costs, apart from the rest of it.
 * With -f, this process asks glibc (__nss_configure_lookup) to look
 * names up in /etc/passwd and /etc/group only, whatever nsswitch.conf says.
 * Each -p MODULE is loaded once before any login with RTLD_NODELETE, as
 * LD_PRELOAD would: libpam's dlopen at every pam_start and dlclose at every
 * pam_end then find it loaded, so no login pays for loading a module
 * (pam_apikey is linked -z nodelete and stays loaded anyway; pam_permit
 * and pam_userdb are not). The caller names each module by the path its
 * service file uses.
 * Before timing anything it looks each cell's user up once, as sshd does
 * before it starts PAM: a first login here finds glibc's NSS set up, as
 * one in sshd does. The plan comes on stdin so that keys stay off the command
 * line. Each round runs every cell once, in an order shuffled afresh each
 * round, so machine noise, and what a cell leaves behind for the next (the
 * references load and unload their libraries at every login), falls on
 * every cell alike; WARMUP rounds are not counted.
 * One login is pam_start_confdir + pam_authenticate + pam_end, timed whole.
 *
 * Prints one line a cell: LABEL N MEDIAN_US P90_US MIN_US MEAN_US BAD FIRST_BAD
 * (BAD: logins whose code differed from EXPECT; FIRST_BAD: the first such
 * code, or 0), then "vmhwm KB": the peak resident size of this program
 * since its exec (VmHWM; ru_maxrss would include the forking parent's).
 * Exit 0 when every login returned what it should, 3 when some did not,
 * 2 on a usage or set-up error.
 *
 * It links libpam and libc only: without -p, its first login loads the
 * module and the libraries it needs, as each sshd connection does.
 */
#include <dlfcn.h>
#include <errno.h>
#include <nss.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "../tests/lib/pam_conv.h"
#include "stats.h"

#define MAX_CELLS 32
#define FIELD_MAX 512
#define ROUNDS_MAX 1000000ul
#define USAGE "usage: bench-login [-f] [-p MODULE]... CONFDIR ROUNDS WARMUP < PLAN\n"

struct cell {
	char label[64];
	char service[128];
	char user[128];
	char response[FIELD_MAX + 1];
	int expect;
	size_t bad;
	int first_bad;
	uint64_t *ns;
};

/* xorshift64: the order of the cells, nothing secret. */
static uint64_t next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* A fresh random permutation of 0..n-1 into order (Fisher-Yates). */
static void shuffle(size_t *order, size_t n, uint64_t *state)
{
	size_t i, j, t;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n; i > 1; i--) {
		j = (size_t)(next_random(state) % i);
		t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
}

/* The name lookup alone, as the module makes it. */
static int lookup(const struct cell *c)
{
	struct passwd pw, *found = NULL;
	char buf[16384];
	int err = getpwnam_r(c->user, &pw, buf, sizeof(buf), &found);

	if (found != NULL)
		return PAM_SUCCESS;
	return err == 0 || err == ENOENT || err == ESRCH ? PAM_USER_UNKNOWN : PAM_SYSTEM_ERR;
}

static int login(const char *confdir, struct cell *c)
{
	struct conv_script cs = { .response = strcmp(c->response, "-") == 0 ? NULL : c->response };
	struct pam_conv conv = { harness_conv, &cs };
	pam_handle_t *pamh = NULL;
	int rc;

	if (strcmp(c->service, "-") == 0)
		return lookup(c);
	rc = pam_start_confdir(c->service, c->user, &conv, confdir, &pamh);
	if (rc != PAM_SUCCESS)
		return rc;
	pam_set_item(pamh, PAM_RHOST, "203.0.113.7");
	rc = pam_authenticate(pamh, 0);
	pam_end(pamh, rc);
	return rc;
}

/* VmHWM from /proc/self/status in kB, or -1. */
static long vmhwm_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *fp = fopen("/proc/self/status", "r");

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(fp);
	return kb;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	return s[0] >= '0' && s[0] <= '9' && *end == '\0' && errno == 0 && *v <= max ? 0 : -1;
}

/* Copies the next space-separated field of *p into out (size outsz). */
static int field(char **p, char *out, size_t outsz)
{
	size_t len = strcspn(*p, " \n");

	if (len == 0 || len >= outsz)
		return -1;
	memcpy(out, *p, len);
	out[len] = '\0';
	*p += len;
	if (**p == ' ')
		(*p)++;
	return 0;
}

static int read_plan(struct cell *cells, size_t *n)
{
	char line[1024], expect[16];
	unsigned long e;
	char *p;

	*n = 0;
	while (fgets(line, sizeof(line), stdin) != NULL) {
		struct cell *c = &cells[*n];

		if (*n == MAX_CELLS || strchr(line, '\n') == NULL)
			return -1;
		p = line;
		if (field(&p, c->label, sizeof(c->label)) != 0 ||
		    field(&p, c->service, sizeof(c->service)) != 0 ||
		    field(&p, c->user, sizeof(c->user)) != 0 ||
		    field(&p, expect, sizeof(expect)) != 0 ||
		    field(&p, c->response, sizeof(c->response)) != 0 || *p != '\n' ||
		    parse_ulong(expect, 255, &e) != 0)
			return -1;
		c->expect = (int)e;
		(*n)++;
	}
	explicit_bzero(line, sizeof(line));
	return *n > 0 ? 0 : -1;
}

/* Options: -f (names from /etc/passwd only), -p MODULE (loaded for good).
 * The index of the first operand, or -1. */
static int options(int argc, char **argv)
{
	int o;

	while ((o = getopt(argc, argv, "fp:")) != -1) {
		if (o == 'f') {
			if (__nss_configure_lookup("passwd", "files") != 0 ||
			    __nss_configure_lookup("group", "files") != 0) {
				fprintf(stderr, "bench-login: glibc refused passwd: files\n");
				return -1;
			}
		} else if (o == 'p') {
			if (dlopen(optarg, RTLD_NOW | RTLD_NODELETE) == NULL) {
				fprintf(stderr, "bench-login: cannot load %s: %s\n", optarg, dlerror());
				return -1;
			}
		} else {
			return -1;
		}
	}
	return optind;
}

int main(int argc, char **argv)
{
	static struct cell cells[MAX_CELLS];
	size_t order[MAX_CELLS];
	uint64_t state = now_ns() | 1;
	unsigned long rounds, warmup, r;
	size_t n, i, k, failed = 0;
	struct stats s;
	uint64_t t0;
	int rc, op = options(argc, argv);

	if (op < 0 || argc - op != 3 || parse_ulong(argv[op + 1], ROUNDS_MAX, &rounds) != 0 ||
	    rounds == 0 || parse_ulong(argv[op + 2], ROUNDS_MAX, &warmup) != 0) {
		fprintf(stderr, USAGE);
		return 2;
	}
	if (read_plan(cells, &n) != 0) {
		fprintf(stderr, "bench-login: bad plan on stdin\n");
		return 2;
	}
	for (i = 0; i < n; i++)
		if ((cells[i].ns = calloc(rounds, sizeof(uint64_t))) == NULL) {
			fprintf(stderr, "bench-login: out of memory\n");
			return 2;
		}
	for (i = 0; i < n; i++)
		(void)lookup(&cells[i]);
	for (r = 0; r < warmup + rounds; r++) {
		shuffle(order, n, &state);
		for (k = 0; k < n; k++) {
			struct cell *c = &cells[order[k]];

			t0 = now_ns();
			rc = login(argv[op], c);
			if (r >= warmup)
				c->ns[r - warmup] = now_ns() - t0;
			if (rc != c->expect && c->bad++ == 0)
				c->first_bad = rc;
		}
	}
	for (i = 0; i < n; i++) {
		stats_from_ns(cells[i].ns, rounds, &s);
		printf("%s %zu %.3f %.3f %.3f %.3f %zu %d\n", cells[i].label, s.n, s.median_us,
		       s.p90_us, s.min_us, s.mean_us, cells[i].bad, cells[i].first_bad);
		failed += cells[i].bad;
		free(cells[i].ns);
	}
	explicit_bzero(cells, sizeof(cells));
	printf("vmhwm %ld\n", vmhwm_kb());
	return fflush(stdout) == 0 && failed == 0 ? 0 : 3;
}
