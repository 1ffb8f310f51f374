/* fleet_open.h - what every --fleet command does first: connect, bind as
 * the caller, and read the target's keys (the caller's, or --user's) from
 * the directory into a keyring, as the local commands read the database */
#ifndef APKCTL_FLEET_OPEN_H
#define APKCTL_FLEET_OPEN_H

#include "args.h"
#include "fleet_conn.h"
#include "keyring.h"
#include "session.h"

/* The target's directory keys, decoded; entries that fail are skipped
 * with a warning. */
struct collected {
	const struct apk_account *acct;
	struct apk_keyring kr;
	enum apk_err err;
};

/* Reads a's --password-file (with the caller's ids, before anything else),
 * connects, finds the caller's entry, asks for the password on the
 * terminal when no file was given, binds, finds the target's entry (when
 * it is not the caller) and reads its keys into *c. EXIT_OK, or the status
 * after one line on stderr (and a log line for a refusal). fleet_done
 * after either. */
int fleet_open(const struct session *s, const struct apk_args *a, struct fleet_conn *fc,
	       struct collected *c);

void fleet_done(struct fleet_conn *fc, struct collected *c);

/* "fleet generate", "fleet list", ...: a command's name in log lines. */
const char *fleet_command_word(enum apk_cmd cmd);

#endif
