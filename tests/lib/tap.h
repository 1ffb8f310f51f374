/* tap.h - TAP output of the programs that do not use cmocka (the stress tests) */
#ifndef APK_TAP_H
#define APK_TAP_H

#include <stdbool.h>

/* A comment line "# ..." */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One test line; returns ok. */
bool tap_ok(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A check that cannot run here, said so in TAP. */
void tap_skip(const char *why);
/* The plan line; the exit status of the program: 0 when nothing failed. */
int tap_done(void);

/* A failure counter per checked property: counts one into *counter. Only
 * the first 30 failures since fail_note_reset are described, the rest are
 * counted. */
void fail_note(unsigned *counter, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fail_note_reset(void);

#endif
