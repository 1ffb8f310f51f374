/* commands.h - apikeyctl's commands; each returns the process exit status */
#ifndef APKCTL_COMMANDS_H
#define APKCTL_COMMANDS_H

#include "args.h"
#include "session.h"

int cmd_generate(const struct session *s, const struct apk_args *a);
int cmd_list(const struct session *s, const struct apk_args *a);
int cmd_rename(const struct session *s, const struct apk_args *a);
int cmd_describe(const struct session *s, const struct apk_args *a);
int cmd_delete(const struct session *s, const struct apk_args *a);
int cmd_edit(const struct session *s, const struct apk_args *a);
int cmd_disable(const struct session *s, const struct apk_args *a);
int cmd_enable(const struct session *s, const struct apk_args *a);
int cmd_rotate(const struct session *s, const struct apk_args *a);
int cmd_policy(const struct session *s, const struct apk_args *a);

/* Asks on the terminal whether to delete recs (n of them, listed);
 * 1 only for an answer starting with y or Y. */
int confirm_delete(const struct session *s, const struct apk_record *recs, size_t n);

/* Every command with --fleet (fleet_cmd.c): generate, list, delete, edit,
 * rename, describe, disable and enable on the caller's keys in the
 * directory; rotate, policy and --user are refused with EXIT_UNSUPPORTED. */
int cmd_fleet(const struct session *s, const struct apk_args *a);

#endif
