/* bench.h - the pam_apikey benchmark (make bench): what its parts share
 *
 * main.c       options, the order of the run, the exit code
 * fill.c       databases of synthetic keys, written through the store in bulk
 * logins.c     whole PAM logins, timed by bench-login (login.c) in a child
 * breakdown.c  where a login's time goes: each step of the module alone
 * cli.c        apikeyctl generate / rename / delete as whole processes
 * change.c     where a change's time goes: load, change, write and fsyncs
 * report.c     the headline, the tables, the CSV, the plot
 * restricted.c a key with every restriction against a plain one
 * files.c      copying, measuring and removing files and directories
 * mirror.c     writing the directory's mirror (mirror.h) for 50,000 accounts
 */
#ifndef APK_BENCH_H
#define APK_BENCH_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "apk_config.h"
#include "keyfmt.h"
#include "keyring.h"
#include "stats.h"
#include "store.h"

#define BENCH_MAX_SIZES 3
#define BENCH_LOCK_MS 5000
#define BENCH_NOUSER "apkbench-nouser"
/* The measured account's keys: all but one of what an account may hold. */
#define BENCH_REAL_KEYS (APK_MAX_KEYS_PER_USER - 1)

enum login_class { LC_RIGHT, LC_WRONG, LC_MALFORMED, LC_UNKNOWN, LC_COUNT };
/* getpwnam_r alone, of the measured account's name and of BENCH_NOUSER. */
enum lookup_class { LK_KNOWN, LK_UNKNOWN, LK_COUNT };
/* The three changes, then `apikeyctl --version`: the cost of a process alone. */
enum cli_op { CLI_GENERATE, CLI_RENAME, CLI_DELETE, CLI_VERSION, CLI_COUNT };
enum brk_part {
	BRK_BEGIN,      /* apk_store_begin: lock, open and decode the account's file */
	BRK_OPS,        /* apk_keyring_generate / apk_keyring_delete, in memory */
	BRK_COMMIT,     /* apk_store_save: write a new file, fsync it, rename, fsync the directory */
	BRK_TOTAL,      /* the three */
	BRK_FSYNC_FILE, /* alone: fsync of a fresh, unsynced copy of the account's file */
	BRK_FSYNC_DIR,  /* alone: a rename in the directory, then fsync of the directory */
	BRK_COUNT
};

/* A login's steps, timed alone (breakdown.c); LP_MODULE is the module's
 * pam_sm_authenticate whole, called directly; LP_LOGIN and LP_LOGIN_PERMIT
 * whole logins (pam_start_confdir + pam_authenticate + pam_end) of the
 * right key and of pam_permit in the benchmark's own process. LP_ONE_READ
 * is no step of the module: the account's file opened, checked and read
 * whole with one pread, what a format read in one call would cost in place
 * of the file's step and gdbm's. */
enum login_part {
	LP_MODULE, LP_VERIFY, LP_PARSE, LP_USER, LP_FETCH, LP_DIR, LP_HELPER, LP_FILE, LP_PROBE,
	LP_GDBM_OPEN, LP_META, LP_RECORD, LP_MIRROR, LP_DIGEST, LP_PERMIT, LP_LOG, LP_LASTUSED, LP_LU_FILE,
	LP_LU_FIND, LP_LU_WRITE, LP_EXPORT, LP_OPTIONS, LP_CRYPTO, LP_PROMPT, LP_ITEMS, LP_ESCAPE,
	LP_LOGIN, LP_LOGIN_PERMIT, LP_ONE_READ, LP_COUNT
};

extern const char *const login_part_name[LP_COUNT];
extern const char *const login_class_name[LC_COUNT];
extern const char *const lookup_class_name[LK_COUNT];
extern const char *const cli_op_name[CLI_COUNT];
extern const char *const brk_part_name[BRK_COUNT];

struct bench_cfg {
	int smoke;
	int keep;              /* keep the work directory */
	char out[PATH_MAX];    /* output directory */
	char module[PATH_MAX];
	char baseline[PATH_MAX]; /* --baseline: an earlier build of the module, or "" */
	char helper[PATH_MAX];
	char pamdir[PATH_MAX]; /* libpam's modules: pam_permit.so, pam_userdb.so */
	char login_bin[PATH_MAX];
	char plot_script[PATH_MAX];
	char work[PATH_MAX];   /* databases and service files, removed at the end */
	size_t nsizes;
	unsigned long sizes[BENCH_MAX_SIZES];
	unsigned long rounds, warmup, mem_rounds;
	unsigned long cold_reps; /* fresh processes for each first-login class */
	unsigned cli_reps, brk_reps;
};

/* The measured account and its keys (the right one and two variants). */
struct bench_keys {
	struct apk_account me;
	char right[APK_KEY_LEN + 1];
	char wrong[APK_KEY_LEN + 1];     /* the right id, another secret, a valid checksum */
	char malformed[APK_KEY_LEN + 1]; /* the right key with a broken checksum */
};

struct size_result {
	unsigned long keys;
	char db[PATH_MAX];     /* the database directory */
	double fill_s;         /* seconds to write this size's new synthetic keys */
	long long files;       /* account files (and the decoy) */
	long long db_bytes;    /* their sizes */
	long long db_alloc;    /* their allocated blocks, in bytes */
	double bytes_per_key;  /* db_bytes / keys */
	struct stats login[LC_COUNT];
	struct stats cli[CLI_COUNT];
	struct stats brk[BRK_COUNT];
};

/* The logins of one class of runs at the largest size. */
struct login_pass {
	struct stats permit;
	struct stats userdb;
	struct stats login[LC_COUNT];
	struct stats lookup[LK_COUNT]; /* not measured for the first logins */
};

struct bench_result {
	struct size_result sz[BENCH_MAX_SIZES];
	struct stats permit;           /* all three modules preloaded in these rounds */
	struct stats userdb;           /* pam_userdb: a Berkeley DB of plain passwords */
	struct stats lookup[LK_COUNT]; /* with the system's NSS, among the logins */
	struct stats part[LP_COUNT];   /* a login's steps alone, at the largest size */
	struct login_pass files;       /* a second run, names from /etc/passwd only */
	struct login_pass first;       /* each the first login of a fresh process */
	struct stats plain, restricted; /* restricted.c's two cells */
	unsigned long mem_keys;
	long hwm_permit_kb, hwm_login_kb; /* VmHWM of a child doing only those logins */
	char owner[96];                   /* who owns the databases, as the table says */
	/* The other layout: the smallest database again, owned by the
	 * benchmark's own uid, when the others were given to the helper
	 * account (own_db "" when not: not root, or no such account). */
	char own_db[PATH_MAX];
	struct stats own;                 /* the right key there, in the main rounds */
	struct stats goal_permit, goal_right, goal_own; /* logins_goal's rounds */
	struct stats goal_base; /* there, the right key through --baseline's module */
};

/* fill.c */
struct filler;
struct filler *filler_new(void);
void filler_free(struct filler *f);
/* Fills the empty directory dir: the measured account's keys (the known
 * one into k), then synthetic keys up to want in all. */
int fill_first(const char *dir, unsigned long want, struct filler *f, struct bench_keys *k,
	       double *secs);
/* Copies the database from into the empty directory dir, then adds
 * synthetic keys from have up to want. */
int fill_more(const char *from, const char *dir, unsigned long have, unsigned long want,
	      struct filler *f, double *secs);
/* Derives the wrong and malformed keys from the right one. */
int keys_derive(struct bench_keys *k);

/* logins.c */
/* The service files, and pam_userdb's database for the measured account. */
int logins_setup(const struct bench_cfg *c, const struct bench_keys *k,
		 const struct bench_result *res);
int logins_measure(const struct bench_cfg *c, const struct bench_keys *k, struct bench_result *res);
int logins_memory(const struct bench_cfg *c, const struct bench_keys *k, struct bench_result *res);
/* The logins at the largest size again, glibc told to read /etc/passwd only. */
int logins_files(const struct bench_cfg *c, const struct bench_keys *k, struct bench_result *res);
/* Each login the first of a fresh bench-login process. */
int logins_first(const struct bench_cfg *c, const struct bench_keys *k, struct bench_result *res);

/* The labels of restricted.c's cells. */
#define BENCH_PLAIN_LABEL "plain-key"
#define BENCH_RESTRICTED_LABEL "restricted-key"
/* The right key in the database owned by the benchmark's own uid. */
#define BENCH_OWN_LABEL "right_key_own_layout"
#define BENCH_OWN_SERVICE "apk-own"
/* The right key at the largest size through --baseline's module. */
#define BENCH_BASE_LABEL "right_key_baseline"
#define BENCH_BASE_SERVICE "apk-baseline"
/* Runs a plan of cells lines in one bench-login child (preload: the
 * modules loaded before the first login); its figures into res. */
int logins_run_plan(const struct bench_cfg *c, char *plan, size_t len, size_t cells,
		    unsigned long rounds, unsigned long warmup, int preload,
		    struct bench_result *res);
/* The goal (doc/PERFORMANCE.md): pam_permit and the right key at the
 * largest size alone in their rounds, both preloaded, so that no other
 * cell's work (pam_userdb's Berkeley DB, NSS's probes for a missing name)
 * stands between them; into goal_permit, goal_right (and goal_own). */
int logins_goal(const struct bench_cfg *c, const struct bench_keys *k, struct bench_result *res);
#define BENCH_GOAL_RATIO 1.5

/* restricted.c: measures and prints the cost of a key's restrictions. */
int restricted_measure(const struct bench_cfg *c, const struct bench_keys *k,
		       struct bench_result *res);

/* mirror.c: prints what the initial mirror and a full refresh cost. */
int mirror_measure(const struct bench_cfg *c);

/* cli.c */
int cli_measure(const struct bench_cfg *c, struct bench_result *res);

/* change.c */
int change_measure(const struct bench_cfg *c, const struct bench_keys *k,
		   struct bench_result *res);

/* breakdown.c */
int breakdown_measure(const struct bench_cfg *c, const struct bench_keys *k,
		      struct bench_result *res);

/* report.c */
void report_table(const struct bench_cfg *c, const struct bench_result *res);
int report_csv(const struct bench_cfg *c, const struct bench_result *res);
int report_plot(const struct bench_cfg *c, const struct bench_result *res);

/* files.c */
int path_join(char *out, size_t outsz, const char *dir, const char *name);
int copy_range(int from, int to);            /* copy_file_range to the end */
/* Copies every regular file of from (not *.lock, *.new) into the empty
 * directory to, as new 0600 files; then syncs the file system. */
int dir_copy(const char *from, const char *to);
/* Regular files in dir (not *.lock): count, sum of sizes, of allocations. */
int dir_usage(const char *dir, long long *files, long long *bytes, long long *alloc);
/* Gives dir and the files in it to uid:gid. */
int dir_chown(const char *dir, uid_t uid, gid_t gid);
int tree_remove(const char *dir);
/* waitpid, retried on EINTR: 0 with *status, or -1. */
int child_wait(pid_t pid, int *status);

#endif
