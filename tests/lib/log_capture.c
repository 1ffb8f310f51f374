/* log_capture.c - the module's log lines and failure delays, captured (log_capture.h) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "keyfmt.h"
#include "log_capture.h"

char logbuf[1 << 20];
size_t loglen;
unsigned log_calls, log_multiline, log_ctl, logins, delay_calls, delay_usec;

static char *secrets[512];
static size_t nsecrets;

void pam_vsyslog(const pam_handle_t *pamh, int priority, const char *fmt, va_list args)
{
	char line[8192];
	size_t n, i;

	(void)pamh;
	(void)priority;
	if (vsnprintf(line, sizeof(line), fmt, args) < 0)
		return;
	log_calls++;
	n = strlen(line);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c == '\n')
			log_multiline++;
		else if (c < 0x20 || c == 0x7f)
			log_ctl++;
	}
	if (loglen + n + 2 < sizeof(logbuf)) {
		memcpy(logbuf + loglen, line, n);
		loglen += n;
		logbuf[loglen++] = '\n';
		logbuf[loglen] = '\0';
	}
}

void pam_syslog(const pam_handle_t *pamh, int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pam_vsyslog(pamh, priority, fmt, ap);
	va_end(ap);
}

int pam_fail_delay(pam_handle_t *pamh, unsigned int usec)
{
	static int (*real)(pam_handle_t *, unsigned int);

	delay_calls++;
	delay_usec = usec;
	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "pam_fail_delay");
	return real != NULL ? real(pamh, usec) : PAM_SYSTEM_ERR;
}

static void remember(const char *s, size_t n)
{
	if (n >= 12 && nsecrets < sizeof(secrets) / sizeof(secrets[0]))
		secrets[nsecrets++] = strndup(s, n);
}

void remember_response(const char *r)
{
	size_t n = strlen(r);

	if (n >= APK_KEY_PREFIX_LEN + APK_ID_LEN + 12 && strncmp(r, "apk_", 4) == 0)
		remember(r + APK_KEY_PREFIX_LEN + APK_ID_LEN,
			 n - APK_KEY_PREFIX_LEN - APK_ID_LEN > APK_SECRET_LEN
				 ? APK_SECRET_LEN : n - APK_KEY_PREFIX_LEN - APK_ID_LEN);
	else
		remember(r, n);
}

struct log_report {
	unsigned calls, multiline, ctl, logins;
	size_t len;
};

void log_send(int fd, size_t mark)
{
	struct log_report r = { log_calls, log_multiline, log_ctl, logins, loglen - mark };

	if (write(fd, &r, sizeof(r)) != (ssize_t)sizeof(r) ||
	    write(fd, logbuf + mark, r.len) != (ssize_t)r.len)
		_exit(120);
}

void log_receive(int fd)
{
	struct log_report r;
	ssize_t n;
	size_t got = 0;

	if (read(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		return;
	log_calls += r.calls;
	log_multiline += r.multiline;
	log_ctl += r.ctl;
	logins += r.logins;
	while (got < r.len && loglen + 1 < sizeof(logbuf)) {
		size_t want = r.len - got;
		if (want > sizeof(logbuf) - loglen - 1)
			want = sizeof(logbuf) - loglen - 1;
		n = read(fd, logbuf + loglen, want);
		if (n <= 0)
			break;
		loglen += (size_t)n;
		got += (size_t)n;
	}
	logbuf[loglen] = '\0';
}

void no_secret_in_any_log_line(void **state)
{
	const struct log_floor *want = *state;
	size_t i;

	print_message("# %u log lines of %u logins checked for %zu secrets\n", log_calls, logins,
		      nsecrets);
	assert_true(logins >= want->logins);
	assert_true(log_calls >= logins);
	assert_true(nsecrets >= want->secrets);
	for (i = 0; i < nsecrets; i++) {
		if (strstr(logbuf, secrets[i]) != NULL)
			print_message("# logged: %s\n", secrets[i]);
		assert_null(strstr(logbuf, secrets[i]));
	}
	assert_int_equal(log_multiline, 0);
	assert_int_equal(log_ctl, 0);
	for (i = 0; i < nsecrets; i++)
		free(secrets[i]);
}
