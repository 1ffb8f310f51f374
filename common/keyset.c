/* keyset.c - the sources a login consults together, and the mirror's state
 * (see keyset.h) */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hosts.h"
#include "keyset.h"
#include "lastused.h"
#include "restrict.h"
#include "safefile.h"
#include "when.h"

void apk_keyset_init(struct apk_keyset *ks, const char *dbdir, const struct apk_keysource_ops *only)
{
	struct apk_keysource *base = NULL;
	size_t i;

	memset(ks, 0, sizeof(*ks));
	ks->state_err = APK_ERR_NOTFOUND;
	if (only != NULL) {
		apk_keysource_init(&ks->src[ks->n++], only, dbdir);
		return;
	}
	for (i = 0; ks->n < APK_KEYSET_MAX && apk_keysources[i] != NULL; i++)
		apk_keysource_init(&ks->src[ks->n++], apk_keysources[i], dbdir);
	/* A source in a subdirectory (the mirror) opens it under the database
	 * directory another source (the local store) opened and checked: the
	 * directory is opened and checked once a login (keysource.h). */
	for (i = 0; i < ks->n; i++)
		if (ks->src[i].ops->subdir == NULL)
			base = &ks->src[i];
	for (i = 0; base != NULL && i < ks->n; i++)
		if (ks->src[i].ops->subdir != NULL)
			ks->src[i].base = base;
}

void apk_keyset_read_state(struct apk_keyset *ks)
{
	struct apk_keysource *m = NULL;
	size_t i;
	int fd;

	memset(&ks->state, 0, sizeof(ks->state));
	ks->mirror = 0;
	ks->state_err = APK_ERR_NOTFOUND;
	for (i = 0; i < ks->n; i++)
		if (ks->src[i].ops == &apk_keysource_mirror)
			m = &ks->src[i];
	if (m == NULL) /* keys=local: the mirror is not read, not there */
		return;
	ks->state_err = apk_keysource_dir(m, &fd);
	if (ks->state_err == APK_ERR_NOTFOUND)
		return; /* no DIR/fleet: no mirror */
	ks->mirror = 1;
	if (ks->state_err == APK_OK)
		ks->state_err = apk_mirror_state_read(fd, &ks->state);
}

const char *apk_keyset_host(const struct apk_keyset *ks, char *buf, size_t bufsz)
{
	if (ks->mirror)
		return ks->state_err == APK_OK ? ks->state.host : NULL;
	apk_host_name_local(buf, bufsz);
	return buf[0] != '\0' ? buf : NULL;
}

enum apk_permit apk_keyset_check(const struct apk_keyset *ks, const struct apk_record *rec,
				 int64_t now, const char *service, const char *rhost)
{
	char name[APK_HOST_NAME_MAX + 1];
	struct apk_attempt a = { service, rhost, NULL };

	if (rec->kind == APK_DIGEST_DIRECTORY) {
		if (ks->state_err != APK_OK)
			return APK_PERMIT_MIRROR_STATE;
		if (apk_mirror_stale(&ks->state, now))
			return APK_PERMIT_MIRROR_STALE;
	}
	a.host = apk_keyset_host(ks, name, sizeof(name));
	return apk_permit_check_attempt(rec, now, &a);
}

const char *apk_permit_reason_synced(enum apk_permit p, int64_t synced, char *out, size_t outsz)
{
	char iso[32];

	if (p == APK_PERMIT_MIRROR_STALE) {
		apk_time_iso(synced, iso, sizeof(iso));
		snprintf(out, outsz, "%s since %s", apk_permit_reason(p), synced > 0 ? iso : "never");
	} else {
		snprintf(out, outsz, "%s", apk_permit_reason(p));
	}
	return out;
}

const char *apk_keyset_reason(const struct apk_keyset *ks, enum apk_permit p, char *out,
			      size_t outsz)
{
	return apk_permit_reason_synced(p, ks->state.synced, out, outsz);
}

enum apk_err apk_keyset_record_use(struct apk_keyset *ks, const struct apk_record *rec,
				   int64_t now, const char *service, const char *rhost)
{
	int dirfd;
	enum apk_err e = ks->found != NULL ? apk_keysource_dir(ks->found, &dirfd) : APK_ERR_NOTFOUND;

	if (e == APK_OK)
		e = apk_lastused_record_at(dirfd, rec->uid, rec->id, now, service, rhost);
	return e;
}

void apk_keyset_close(struct apk_keyset *ks)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		apk_keysource_close(&ks->src[i]);
	ks->found = NULL;
}
