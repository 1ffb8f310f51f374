/* settings.h - a key's lifecycle settings from the command line (--expires
 * and each restriction's option, --service, --from), within the
 * administrator's policy */
#ifndef APKCTL_SETTINGS_H
#define APKCTL_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "args.h"
#include "conffile.h"
#include "record.h"

/* What a command sets; a field whose set flag is false stays as it is. */
struct key_settings {
	bool set_expires;
	int64_t expires;                  /* 0: never */
	bool set[APK_RESTRICTIONS];       /* apk_restrictions[i] is set, from values */
	struct apk_record values;         /* the restrictions' values (empty: none) */
};

/* Parses a's --expires and each restriction's option at time now. For a
 * new key (generate) whatever is not given comes from the policy: the
 * expiry default_lifetime days from now (or never), the services the
 * policy's, every other restriction none. An --expires in the past, beyond max_lifetime, or
 * never when max_lifetime is set is refused. Returns EXIT_OK, or EXIT_USAGE
 * after one line on stderr naming the option. */
int settings_parse(const struct apk_args *a, const struct apk_conf *p, int64_t now,
		   bool new_key, struct key_settings *out);

/* Copies the fields k sets into r. */
void settings_apply(const struct key_settings *k, struct apk_record *r);

/* The expiry of the key that replaces old (rotate) at time now: a key that
 * never expires is replaced by one that never does (default_lifetime when
 * the policy has a max_lifetime), one that expires by one of the same
 * lifetime (expiry less creation) from now, within max_lifetime. */
int64_t settings_rotated_expiry(const struct apk_record *old, const struct apk_conf *p,
				int64_t now);

/* "expires T|never" and each restriction, ", services LIST|all, from
 * LIST|any", for a log line. */
char *settings_describe(const struct apk_record *r, char *out, size_t outsz);

#endif
