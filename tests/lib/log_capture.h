/* log_capture.h - every log line and failure delay the module asks libpam
 * for, captured in the test program.
 *
 * log_capture.c defines pam_syslog, pam_vsyslog and pam_fail_delay: an
 * executable's symbols come first in the module's lookup scope, so every
 * log line lands in logbuf, and the requested delay is recorded before
 * libpam's own pam_fail_delay is called. Every response presented is
 * remembered (remember_response), and each pam_hostile_* program ends with
 * no_secret_in_any_log_line: none of them in any log line. */
#ifndef APK_LOG_CAPTURE_H
#define APK_LOG_CAPTURE_H

#include <stddef.h>

extern char logbuf[1 << 20];
extern size_t loglen;
extern unsigned log_calls, log_multiline, log_ctl;
extern unsigned logins; /* pam_authenticate calls that returned, counted by the harness */
extern unsigned delay_calls, delay_usec; /* pam_fail_delay calls, the last request */

/* A response presented: a key-shaped one gives its secret part, anything
 * else all of it (12 bytes or more). */
void remember_response(const char *r);

/* A child's log lines go back to the parent through a pipe (from mark in
 * logbuf on), so that the final check sees every line. */
void log_send(int fd, size_t mark);
void log_receive(int fd);

/* How much the final log check must cover, so that it cannot pass on next
 * to nothing: each program passes its own as the test's state. */
struct log_floor {
	unsigned logins; /* pam_authenticate calls that returned */
	size_t secrets;  /* responses of 12 bytes or more presented */
};

/* The last test of every program (cmocka_unit_test_prestate, a struct
 * log_floor): everything the program presented, against everything it
 * logged. No secret, no line break, no control byte, and at least one line
 * for every login. */
void no_secret_in_any_log_line(void **state);

#endif
