/* helper_uid.c - the helper account's uid, kept while /etc/passwd is what
 * NSS answers from and has not changed (see helper_uid.h) */
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apk_config.h"
#include "helper_uid.h"

#define PASSWD_PATH "/etc/passwd"
#define NSSWITCH_PATH "/etc/nsswitch.conf"

enum {
	EMPTY, /* nothing known: read the files and ask NSS */
	KEPT,  /* while both files are unchanged, uid is NSS's answer */
	ASK,   /* the files are unchanged but NSS's answer is not /etc/passwd's:
		* ask NSS at every call */
};

static void id_of(const struct stat *st, struct apk_file_id *id)
{
	memset(id, 0, sizeof(*id));
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtime_s = (int64_t)st->st_mtim.tv_sec;
	id->mtime_ns = (int64_t)st->st_mtim.tv_nsec;
	id->ctime_s = (int64_t)st->st_ctim.tv_sec;
	id->ctime_ns = (int64_t)st->st_ctim.tv_nsec;
}

/* Whether path is still the file id describes: one stat. */
static int unchanged(const char *path, const struct apk_file_id *id)
{
	struct apk_file_id now;
	struct stat st;

	if (stat(path, &st) != 0)
		return 0;
	id_of(&st, &now);
	return memcmp(&now, id, sizeof(now)) == 0;
}

/* Whether the open fp is still the file id describes (read whole while
 * nobody wrote it). */
static int same_file(FILE *fp, const struct apk_file_id *id)
{
	struct apk_file_id now;
	struct stat st;

	if (fstat(fileno(fp), &st) != 0)
		return 0;
	id_of(&st, &now);
	return memcmp(&now, id, sizeof(now)) == 0;
}

/* Changed so recently that another write in the same timestamp tick could
 * go unseen. */
static int racy(const struct apk_file_id *id, int64_t now)
{
	return id->mtime_s >= now - APK_HELPER_RACY_S || id->ctime_s >= now - APK_HELPER_RACY_S;
}

/* One passwd: line: "files" first, no [action] after it. */
static int line_files_first(const char *p)
{
	p += strspn(p, " \t");
	if (strncmp(p, "files", 5) != 0 || (p[5] != '\0' && strchr(" \t\n", p[5]) == NULL))
		return 0;
	p += 5;
	p += strspn(p, " \t");
	return *p != '[';
}

/* Opens path for reading, and its identity as opened into id; NULL when
 * it cannot. */
static FILE *open_file(const char *path, struct apk_file_id *id)
{
	struct stat st;
	FILE *fp = fopen(path, "re");

	if (fp != NULL && fstat(fileno(fp), &st) != 0) {
		fclose(fp);
		return NULL;
	}
	if (fp != NULL)
		id_of(&st, id);
	return fp;
}

/* Reads nsswitch: its identity, and whether every passwd: line (there must
 * be one) asks files first. -1 when it cannot be read whole. */
static int read_nsswitch(const char *path, struct apk_file_id *id, int *files_first)
{
	char line[1024];
	int lines = 0, ok = 1, whole = 1;
	FILE *fp = open_file(path, id);

	*files_first = 0;
	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		const char *p = line + strspn(line, " \t");

		if (strchr(line, '\n') == NULL && !feof(fp))
			whole = 0; /* a line too long to judge */
		if (strncmp(p, "passwd:", 7) == 0) {
			lines++;
			ok = ok && line_files_first(p + 7);
		}
	}
	if (ferror(fp) || !same_file(fp, id)) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	*files_first = whole && lines > 0 && ok;
	return 0;
}

/* Reads passwd: its identity, and name's uid in it (*found 0 when absent).
 * -1 when it cannot be read whole. */
static int read_passwd(const char *path, const char *name, struct apk_file_id *id, int *found,
		       uid_t *uid)
{
	struct passwd pw, *res;
	char buf[4096];
	int err;
	FILE *fp = open_file(path, id);

	*found = 0;
	if (fp == NULL)
		return -1;
	while ((err = fgetpwent_r(fp, &pw, buf, sizeof(buf), &res)) == 0) {
		if (strcmp(pw.pw_name, name) == 0 && !*found) {
			*found = 1;
			*uid = pw.pw_uid;
		}
	}
	if (!same_file(fp, id))
		err = -1;
	fclose(fp);
	explicit_bzero(buf, sizeof(buf));
	/* ENOENT: the end of the file; anything else (ERANGE: a line too
	 * long) leaves the file unread */
	return err == ENOENT ? 0 : -1;
}

/* Asks NSS and reads both files; keeps what may be kept. NSS's answer. */
static int fill(struct apk_helper_cache *c, const char *passwd, const char *nsswitch,
		const char *name, apk_uid_lookup lookup, int64_t now, uid_t uid)
{
	uid_t in_file = 0, from_nss = 0;
	int files_first = 0, found = 0, known, readable;

	readable = read_nsswitch(nsswitch, &c->nsswitch, &files_first) == 0 &&
		   read_passwd(passwd, name, &c->passwd, &found, &in_file) == 0;
	c->lookups++;
	known = lookup(name, &from_nss) == 0;
	c->state = EMPTY;
	if (readable && !racy(&c->passwd, now) && !racy(&c->nsswitch, now)) {
		if (files_first && found && known && in_file == from_nss) {
			c->state = KEPT;
			c->uid = from_nss;
		} else {
			c->state = ASK;
		}
	}
	return known && from_nss == uid;
}

int apk_helper_uid_check(struct apk_helper_cache *c, const char *passwd, const char *nsswitch,
			 const char *name, apk_uid_lookup lookup, int64_t now, uid_t uid)
{
	uid_t from_nss;

	if (c->state != EMPTY && unchanged(passwd, &c->passwd) &&
	    unchanged(nsswitch, &c->nsswitch)) {
		if (c->state == KEPT)
			return c->uid == uid;
		c->lookups++;
		return lookup(name, &from_nss) == 0 && from_nss == uid;
	}
	return fill(c, passwd, nsswitch, name, lookup, now, uid);
}

static int nss_lookup(const char *name, uid_t *uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return -1;
	*uid = pw.pw_uid;
	return 0;
}

int apk_helper_uid_is(uid_t uid)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static struct apk_helper_cache cache;
	uid_t from_nss;
	int is;

	/* Never waited for: another thread checking at this moment (or a
	 * lock a fork copied held) means asking NSS, as without a cache. */
	if (pthread_mutex_trylock(&lock) != 0)
		return nss_lookup(APK_HELPER_USER, &from_nss) == 0 && from_nss == uid;
	is = apk_helper_uid_check(&cache, PASSWD_PATH, NSSWITCH_PATH, APK_HELPER_USER, nss_lookup,
				  (int64_t)time(NULL), uid);
	pthread_mutex_unlock(&lock);
	return is;
}
