/* output.h - how apikeyctl shows keys: a table for people, JSON for programs */
#ifndef APKCTL_OUTPUT_H
#define APKCTL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "record.h"

/* A key's last successful login, as the list shows it. */
struct last_use {
	bool used;           /* false: never (or not known) */
	int64_t time;
	const char *service; /* "" or NULL when not known */
	const char *rhost;   /* "" or NULL when unset */
};

/* ISO 8601 UTC, "2026-11-26T12:00:00Z"; out must hold 21 bytes. */
void format_utc(int64_t t, char out[32]);

/* s as a JSON string, escaped as list --json escapes every text. */
void json_string(FILE *fp, const char *s);

/* Columns NAME, ID, CREATED, STATUS (active, expires DATE, expired,
 * disabled, at time now), SOURCE (local or directory: the record's kind)
 * when both are listed, LAST USED (on this host), then one for each
 * restriction (restrict.h: SERVICES, FROM, HOSTS) that any key has, then
 * DESCRIPTION; every field escaped. used[i] is recs[i]'s last login (used
 * NULL: never, for all). */
void print_table(FILE *fp, const struct apk_record *recs, const struct last_use *used, size_t n,
		 int64_t now);

/* A JSON array of {"name","id","description","created","owner","uid",
 * "source" ("local" or "directory"), "expires" (ISO 8601 or null), an
 * array for each restriction ("services": [] = all, "from": [] = any,
 * "hosts": [] = all), "disabled","last_used" (null or
 * {"time","service","rhost"}: on this host)}. */
void print_json(FILE *fp, const struct apk_record *recs, const struct last_use *used, size_t n);

#endif
