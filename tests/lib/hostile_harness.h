/* hostile_harness.h - what the pam_hostile_* programs share: pam_apikey
 * against a hostile world, through the real libpam (cmocka; no root
 * needed, a few extra cases when root). Log lines are captured
 * (log_capture.h); crafted records are written by build/tests/hostile_tool
 * (FORMAT.md 3.1). */
#ifndef APK_HOSTILE_HARNESS_H
#define APK_HOSTILE_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keyfmt.h"
#include "log_capture.h"
#include "pam_harness.h"
#include "test_db.h"

/* The database of hostile_setup: my_key of the running account, other_key
 * of OTHER; conf its service directory with services "plain" (nodelay) and
 * "debugging" (nodelay debug). */
extern struct test_db T;
extern char conf[PATH_MAX];
extern char my_key[APK_KEY_LEN + 1], other_key[APK_KEY_LEN + 1];
extern char fresh_key[APK_KEY_LEN + 1]; /* well-formed, an id nobody has */
extern const char *const OTHER;
extern const char *nokeys_user; /* a real account without keys */

/* What the PAM_FAIL_DELAY function of run() was handed. */
extern unsigned cb_calls, cb_delay;
extern int cb_status;
/* Descriptors found by run()'s fds_check: new after pam_authenticate, of
 * them without FD_CLOEXEC, of them into T.dir, and left after pam_end. */
extern unsigned fd_new, fd_new_nocloexec, fd_new_db, fd_left;

/* A well-formed key with an id nobody has. */
void make_fresh_key(char out[APK_KEY_LEN + 1]);

struct run_opts {
	const char *rhost;   /* NULL: a plain address */
	int delay_fn;        /* install the PAM_FAIL_DELAY function */
	int fds_check;       /* compare /proc/self/fd around pam_authenticate */
};

/* One pam_authenticate of user on service svc (in conf) answered with
 * response (remembered for the final log check; NULL: the conversation
 * fails); o may be NULL. */
int run(const char *svc, const char *user, const char *response, const struct run_opts *o,
	struct conv_script *cs);
int auth(const char *svc, const char *user, const char *response);

/* auth in a child, killed after `seconds`: a module that blocks (on a
 * FIFO, say) fails the test instead of hanging it. -1 on timeout. */
int auth_timeout(const char *svc, const char *user, const char *response, int seconds);

/* Service `name` in conf: pam_apikey with db=DB and args. */
void service(const char *name, const char *db, const char *args);

/* A private database directory inside T.dir holding a copy of the test
 * database's files (or nothing). */
struct scratch {
	char dir[PATH_MAX];   /* the database directory */
	char db[PATH_MAX];    /* = dir, what db= names */
	char file[PATH_MAX + 32]; /* my account's file */
	char decoy[PATH_MAX + 32];
};
void scratch_new(struct scratch *s, int with_copy);

/* A text file where a database file should be. */
void write_garbage(const char *path);

/* Every entry of dir with inode, type, mode, owner, size and mtime. */
void dir_state(const char *dir, char *out, size_t outsz);

/* build/tests/hostile_tool craft DB <uid> <token's id> MODE: its exit status. */
int craft(const char *db, const char *token, const char *mode);

/* The group setup and teardown of every pam_hostile_* program. */
int hostile_setup(void **state);
int hostile_teardown(void **state);

#endif
