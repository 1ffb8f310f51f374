/* mirror_state.c - DIR/fleet/state: when the mirror was last in sync, how
 * long it may lag, this host's name (FORMAT.md section 8), both ways */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hosts.h"
#include "mirror.h"
#include "safefile.h"
#include "when.h"

#define STATE_MAGIC "pam_apikey mirror 1\n"
#define STATE_NEW "state.new"

int apk_mirror_stale(const struct apk_mirror_state *st, int64_t now)
{
	return st->max_stale != 0 && now > st->synced && now - st->synced > (int64_t)st->max_stale;
}

static int state_valid(const struct apk_mirror_state *st)
{
	return st->synced >= 0 && st->synced <= APK_WHEN_LAST &&
	       strnlen(st->host, sizeof(st->host)) < sizeof(st->host) &&
	       apk_host_name_valid(st->host);
}

size_t apk_mirror_state_encode(const struct apk_mirror_state *st, char *out, size_t outsz)
{
	int n;

	if (!state_valid(st))
		return 0;
	n = snprintf(out, outsz, STATE_MAGIC "synced %" PRId64 "\nmax_stale %" PRIu32 "\nhost %s\n",
		     st->synced, st->max_stale, st->host);
	return n > 0 && (size_t)n < outsz ? (size_t)n : 0;
}

/* One line "word VALUE\n" at *p (before end): VALUE's bytes and length. */
static int line(const char **p, const char *end, const char *word, const char **v, size_t *n)
{
	size_t wl = strlen(word);
	const char *nl;

	if ((size_t)(end - *p) < wl + 1 || memcmp(*p, word, wl) != 0 || (*p)[wl] != ' ')
		return 0;
	*v = *p + wl + 1;
	if ((nl = memchr(*v, '\n', (size_t)(end - *v))) == NULL)
		return 0;
	*n = (size_t)(nl - *v);
	*p = nl + 1;
	return 1;
}

/* Decimal digits only, no leading zero (but "0"), at most max. */
static int number(const char *v, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 20 || (v[0] == '0' && n > 1))
		return 0;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return 0;
		if (x > (max - (uint64_t)(v[i] - '0')) / 10)
			return 0;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return 1;
}

enum apk_err apk_mirror_state_decode(const char *buf, size_t len, struct apk_mirror_state *st)
{
	const char *p = buf, *end = buf + len, *v;
	size_t n, ml = strlen(STATE_MAGIC);
	uint64_t x;

	memset(st, 0, sizeof(*st));
	if (len > APK_MIRROR_STATE_MAX || len < ml || memcmp(buf, STATE_MAGIC, ml) != 0)
		goto bad;
	p += ml;
	if (!line(&p, end, "synced", &v, &n) || !number(v, n, (uint64_t)APK_WHEN_LAST, &x))
		goto bad;
	st->synced = (int64_t)x;
	if (!line(&p, end, "max_stale", &v, &n) || !number(v, n, UINT32_MAX, &x))
		goto bad;
	st->max_stale = (uint32_t)x;
	if (!line(&p, end, "host", &v, &n) || n >= sizeof(st->host) || memchr(v, '\0', n) != NULL)
		goto bad;
	memcpy(st->host, v, n);
	if (p != end || !state_valid(st))
		goto bad;
	return APK_OK;
bad:
	memset(st, 0, sizeof(*st));
	return APK_ERR_CORRUPT;
}

enum apk_err apk_mirror_state_read(int fleetfd, struct apk_mirror_state *st)
{
	char buf[APK_MIRROR_STATE_MAX + 1];
	enum apk_err err;
	ssize_t n;
	size_t len = 0;
	int fd;

	memset(st, 0, sizeof(*st));
	if ((err = apk_safe_openat(fleetfd, APK_MIRROR_STATE, O_RDONLY, 0, &fd)) != APK_OK)
		return err;
	/* one byte more than a state may have, to tell an oversized file */
	while (len < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return APK_ERR_UNAVAIL;
		}
		len += (size_t)n;
	}
	close(fd);
	return apk_mirror_state_decode(buf, len, st);
}

enum apk_err apk_mirror_state_write(int fleetfd, const struct apk_mirror_state *st)
{
	char buf[APK_MIRROR_STATE_MAX];
	size_t len = apk_mirror_state_encode(st, buf, sizeof(buf));
	enum apk_err err;
	int fd;

	if (len == 0)
		return APK_ERR_INVALID;
	if ((err = apk_safe_remove_stale(fleetfd, STATE_NEW)) != APK_OK)
		return err;
	err = apk_safe_openat(fleetfd, STATE_NEW, O_WRONLY | O_CREAT | O_EXCL, 0600, &fd);
	if (err != APK_OK)
		return err == APK_ERR_NOTFOUND ? APK_ERR_UNAVAIL : err;
	if (fchmod(fd, 0600) != 0 || write(fd, buf, len) != (ssize_t)len || fsync(fd) != 0 ||
	    renameat(fleetfd, STATE_NEW, fleetfd, APK_MIRROR_STATE) != 0 || fsync(fleetfd) != 0)
		err = APK_ERR_UNAVAIL;
	close(fd);
	if (err != APK_OK)
		unlinkat(fleetfd, STATE_NEW, 0);
	return err;
}
