/* output.h - how apikeyctl shows keys: a table for people, JSON for programs */
#ifndef APKCTL_OUTPUT_H
#define APKCTL_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "record.h"

/* ISO 8601 UTC, "2026-11-26T12:00:00Z"; out must hold 21 bytes. */
void format_utc(int64_t t, char out[32]);

/* Columns NAME, ID, CREATED, DESCRIPTION; every field escaped. */
void print_table(FILE *fp, const struct apk_record *recs, size_t n);

/* A JSON array of {"name","id","description","created","owner","uid"}. */
void print_json(FILE *fp, const struct apk_record *recs, size_t n);

#endif
