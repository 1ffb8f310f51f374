/* bench.h - the pam_apikey benchmark (make bench): what its parts share
 *
 * main.c       options, the order of the run, the targets, the exit code
 * fill.c       databases of synthetic keys, written through the store in bulk
 * logins.c     whole PAM logins, timed by bench-login (login.c) in a child
 * cli.c        apikeyctl generate / rename / delete as whole processes
 * breakdown.c  where a change's time goes: copy, fsync, gdbm, commit
 * logsink.c    a private /dev/log, so the run's log lines go nowhere else
 * report.c     the table, the CSV, the plot
 * targets.c    issue 5's targets as ratios, PASS or MISS
 * files.c      copying and removing files
 */
#ifndef APK_BENCH_H
#define APK_BENCH_H

#include <limits.h>
#include <stddef.h>

#include "keyfmt.h"
#include "keyring.h"
#include "stats.h"

#define BENCH_MAX_SIZES 3
#define BENCH_LOCK_MS 5000
#define BENCH_NOUSER "apkbench-nouser"

enum login_class { LC_RIGHT, LC_WRONG, LC_MALFORMED, LC_UNKNOWN, LC_COUNT };
enum cli_op { CLI_GENERATE, CLI_RENAME, CLI_DELETE, CLI_COUNT };
enum brk_part {
	BRK_BEGIN,   /* store_begin: lock, copy the file, open the copy */
	BRK_OPS,     /* keyring_generate / keyring_delete on the copy */
	BRK_COMMIT,  /* store_commit: gdbm_sync, fsync, rename, fsync of the directory */
	BRK_TOTAL,   /* the three */
	BRK_COPY,    /* copy_file_range of the whole file alone */
	BRK_FSYNC,   /* fsync of that fresh copy alone */
	BRK_INPLACE, /* gdbm_open + one store + gdbm_sync + close on the file itself */
	BRK_COUNT
};

extern const char *const login_class_name[LC_COUNT];
extern const char *const cli_op_name[CLI_COUNT];
extern const char *const brk_part_name[BRK_COUNT];

struct bench_cfg {
	int smoke;
	int keep;              /* keep the work directory */
	char out[PATH_MAX];    /* output directory */
	char module[PATH_MAX];
	char helper[PATH_MAX];
	char login_bin[PATH_MAX];
	char plot_script[PATH_MAX];
	char work[PATH_MAX];   /* databases and service files, removed at the end */
	size_t nsizes;
	unsigned long sizes[BENCH_MAX_SIZES];
	unsigned long rounds, warmup, mem_rounds;
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
	char db[PATH_MAX];
	double fill_s;         /* seconds to write this size's new synthetic keys */
	long long file_bytes;
	double bytes_per_key;
	struct stats login[LC_COUNT];
	struct stats cli[CLI_COUNT];
	struct stats brk[BRK_COUNT];
};

struct bench_result {
	struct size_result sz[BENCH_MAX_SIZES];
	struct stats permit;
	struct stats small_change; /* a whole change in a file holding one account's 100 keys */
	unsigned long mem_keys;
	long hwm_permit_kb, hwm_login_kb; /* VmHWM of a child doing only those logins */
	char reflink[128];
	char logsink[160];
};

/* fill.c */
struct filler;
struct filler *filler_new(void);
void filler_free(struct filler *f);
/* Creates db holding the measured account's key (into k) and synthetic keys up to want. */
int fill_first(const char *db, unsigned long want, struct filler *f, struct bench_keys *k,
	       double *secs);
/* Copies from into db, then adds synthetic keys from have up to want. */
int fill_more(const char *from, const char *db, unsigned long have, unsigned long want,
	      struct filler *f, double *secs);
/* A database with one account holding n keys (for the small-file figure). */
int fill_one_account(const char *db, unsigned n);
/* Derives the wrong and malformed keys from the right one. */
int keys_derive(struct bench_keys *k);

/* logins.c */
int logins_setup(const struct bench_cfg *c, const struct bench_result *res);
int logins_measure(const struct bench_cfg *c, const struct bench_keys *k, struct bench_result *res);
int logins_memory(const struct bench_cfg *c, const struct bench_keys *k, struct bench_result *res);

/* cli.c */
int cli_measure(const struct bench_cfg *c, struct bench_result *res);

/* breakdown.c */
int breakdown_measure(const struct bench_cfg *c, const struct bench_keys *k,
		      struct bench_result *res);

/* logsink.c: when it can, moves this process tree into its own mount
 * namespace with a private socket bound over /dev/log and a child draining
 * it; describes what it did in note. logsink_stop returns the lines drained. */
void logsink_start(const char *work, char *note, size_t notesz);
long logsink_stop(void);

/* report.c */
void report_table(const struct bench_cfg *c, const struct bench_result *res);
int report_csv(const struct bench_cfg *c, const struct bench_result *res);
int report_plot(const struct bench_cfg *c, const struct bench_result *res);

/* targets.c: prints each target PASS or MISS; returns the misses. */
int targets_report(const struct bench_cfg *c, const struct bench_result *res);

/* files.c */
int file_copy(const char *from, const char *to);  /* new 0600 file, fsynced */
int copy_range(int from, int to);                   /* copy_file_range to the end */
int tree_remove(const char *dir);
int path_join(char *out, size_t outsz, const char *dir, const char *name);

#endif
