/* stress_util.h - what the store stress tests share: a seeded generator, a
 * private temporary directory, running build/apikeyctl with a deadline (and
 * optionally SIGKILLing it after a delay or at its n-th file event in the
 * database directory), and reading the store back. */
#ifndef APK_STRESS_UTIL_H
#define APK_STRESS_UTIL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/inotify.h>
#include <sys/resource.h>

#include "apk_error.h"
#include "keyfmt.h"
#include "record.h"
#include "store.h"
#include "verify.h"

#include "tap.h"

#define STRESS_MAX_ARGS 16
#define STRESS_OUT_MAX 16384
#define STRESS_ERR_MAX 2048

/* ---- time and randomness ----------------------------------------------- */

int64_t now_us(void);

void sleep_until_us(int64_t t);

void sleep_us(int64_t us);

/* splitmix64: small, seedable, good enough to pick operations and delays. */
struct rng {
	uint64_t s;
};

/* Uniform in [0, n); n > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);

/* A non-negative integer from the environment, or def. */
long long env_num(const char *var, long long def);

/* STRESS_SEED when set, else something new every run; printed either way. */
uint64_t stress_seed(void);

/* ---- environment of the run ---------------------------------------------- */

struct stress_env {
	char prog[PATH_MAX];      /* apikeyctl */
	char dir[PATH_MAX];       /* private temporary directory */
	char db[PATH_MAX];        /* the database directory: dir itself */
	char user[APK_USER_MAX + 1];
	uint32_t uid;
};

/* Finds apikeyctl ($APK_BUILD/apikeyctl, else ./build/apikeyctl), makes a
 * private directory and points APIKEY_DB into it. 0 or -1 (reported). */
int stress_setup(struct stress_env *env);

/* Removes the (flat) temporary directory unless STRESS_KEEP is set. */
void stress_cleanup(const struct stress_env *env);

/* ---- running apikeyctl --------------------------------------------------- */

struct run_result {
	bool exited;            /* WIFEXITED */
	int code;               /* its exit status */
	bool signaled;          /* WIFSIGNALED */
	int sig;
	bool timed_out;         /* ran past the deadline and was killed for it */
	int64_t dur_us;         /* fork to exit */
	unsigned events;        /* inotify events seen meanwhile (run_kill.ifd) */
	unsigned changes;       /* those of them that change a file (STRESS_CHANGES) */
	unsigned stops;         /* times it stopped (SIGTSTP) and was continued */
	char out[STRESS_OUT_MAX + 1];
	size_t outlen;
	char err[STRESS_ERR_MAX + 1];
	size_t errlen;
};

/* SIGCHLD stays blocked except inside ppoll, so a child's exit wakes the
 * wait below without a race. Call once per process before run_cmd. */
void run_init(void);

/* How to interrupt the child (run_cmd_kill): a signal when and as said, a
 * resource limit set in it. */
struct run_kill {
	int64_t after_us;       /* >= 0: the signal that long after the fork */
	int ifd;                /* >= 0: an inotify descriptor watching the database
				 * directory; its events while the child runs are
				 * counted in run_result.events */
	unsigned at_event;      /* > 0 (with ifd): the signal at that event of the
				 * child's ... (meanwhile the events are read as they
				 * come; UINT_MAX: only that, no signal) */
	bool changes_only;      /* ... counting only STRESS_CHANGES events ... */
	int64_t extra_us;       /* ... plus this delay */
	int sig;                /* the signal: 0 for SIGKILL */
	bool limited;           /* set resource (RLIMIT_*) to limit in the child */
	int resource;
	rlim_t limit;
};

/* Events that change something in the directory. */
#define STRESS_CHANGES (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | \
			IN_MOVED_FROM | IN_MOVED_TO)

/* Runs prog with argv (NULL-terminated, argv[0] included) in a process
 * group of its own, stdin on /dev/null, stdout and stderr captured through
 * pipes, and interrupts it as kw says (NULL: never), whether or not it has
 * exited by then; a child that stops is continued. Any child still running
 * after timeout_ms is SIGKILLed and reported as timed out. Returns 0, or -1
 * when it could not be started. */
int run_cmd_kill(const char *prog, const char *const argv[],
		 const struct run_kill *kw, int timeout_ms, struct run_result *r);

/* run_cmd_kill without a kill (kill_after_us < 0) or after a delay. */
int run_cmd(const char *prog, const char *const argv[], int64_t kill_after_us,
	    int timeout_ms, struct run_result *r);

/* Appends n operands to argv at *k. A key id may begin with '-' (it is
 * base64url), so when any operand does, the options (opts, may be NULL)
 * go first and "--" ends them; otherwise the options follow the operands,
 * as in the usage line "delete NAME... [--yes]". */
void add_operands(const char **argv, size_t *k, const char *const *ops, size_t n,
		  const char *opts);

/* The first line of the child's stderr, for messages. */
const char *run_errline(struct run_result *r);

/* Exit status 1 with "busy" on stderr: the lock deadline passed. */
bool run_busy(const struct run_result *r);

/* True when out is exactly one well-formed key and a newline; the key is
 * copied to token. */
bool token_from_output(const char *out, size_t len, char token[APK_KEY_LEN + 1]);

/* The 12-character id inside a token. */
void token_id(const char *token, char id[APK_ID_LEN + 1]);

/* ---- reading the store back ---------------------------------------------- */

struct snapshot {
	size_t n;
	struct apk_record *r;   /* n records, the index's order */
};

void snapshot_free(struct snapshot *s);

/* All of uid's records through the store API: the whole keyring must load
 * (header, index, every record the index names, each owned by uid), and
 * the module's read of the same account (its file or the decoy) must work. */
enum apk_err snapshot_take(const char *db, uint32_t uid, struct snapshot *s);

const struct apk_record *snapshot_find_id(const struct snapshot *s, const char *id);

/* apk_verify for the run's user, and a check that an accepted key's
 * record is the token's own. */
enum apk_err verify_token(const struct stress_env *env, const char *token,
			  struct apk_record *matched);

#endif
