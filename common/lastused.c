/* lastused.c - recording a login in u<uid>.used (the module) and reading
 * the slots back (the helper); no lock on either side */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lastused_format.h"
#include "safefile.h"

/* How often a reader rereads a torn slot before calling it never. A write
 * of one slot is one pwrite within one page: a reader that saw it half
 * done sees it whole on the next read. */
#define APK_LU_READ_TRIES 100

/* Directory entries read at a time while looking for an id. */
#define APK_LU_FIND_CHUNK 64

/* Exactly len bytes at off: read into rbuf, or (rbuf NULL) written from wbuf. */
static int io_all(int fd, void *rbuf, const void *wbuf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		off_t at = off + (off_t)done;
		ssize_t k = rbuf != NULL ? pread(fd, (char *)rbuf + done, len - done, at) :
					   pwrite(fd, (const char *)wbuf + done, len - done, at);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		done += (size_t)k;
	}
	return 0;
}

int apk_lu_pread(int fd, void *buf, size_t len, off_t off)
{
	return io_all(fd, buf, NULL, len, off);
}

int apk_lu_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	return io_all(fd, NULL, buf, len, off);
}

/* What a login's write reads first, in one pread: the header and as much
 * of the slot directory as one chunk, enough for a usual account's keys. */
struct lu_head {
	unsigned char b[APK_LU_HEADER + APK_LU_FIND_CHUNK * APK_LU_ENTRY];
	uint32_t entries; /* directory entries read with the header */
};

/* Opens dirfd/u<uid>.used (apk_safe_openat's checks; its fstat gives the
 * size) and reads its header and, when want_dir, the first chunk of its
 * directory in the same read: *fdp, *cap and head, or an error with
 * nothing open. */
static enum apk_err open_head(int dirfd, uint32_t uid, int flags, int want_dir, int *fdp,
			      uint32_t *cap, struct lu_head *head)
{
	struct stat st;
	char name[32];
	size_t len = APK_LU_HEADER;
	enum apk_err e;
	int fd;

	*fdp = -1;
	*cap = 0;
	head->entries = 0;
	apk_lu_name(uid, 0, name);
	e = apk_safe_openat_stat(dirfd, name, (flags & ~O_CREAT) | O_NOCTTY, 0, &fd, &st);
	if (e != APK_OK)
		return e;
	if (want_dir && st.st_size > (off_t)len)
		len = (size_t)st.st_size < sizeof(head->b) ? (size_t)st.st_size : sizeof(head->b);
	if ((size_t)st.st_size < APK_LU_HEADER || apk_lu_pread(fd, head->b, len, 0) != 0) {
		close(fd);
		return APK_ERR_CORRUPT;
	}
	e = apk_lu_header_decode(head->b, uid, st.st_size, cap);
	if (e != APK_OK) {
		close(fd);
		return e;
	}
	/* the size matched cap: the whole directory lies inside the file */
	head->entries = (uint32_t)((len - APK_LU_HEADER) / APK_LU_ENTRY);
	if (head->entries > *cap)
		head->entries = *cap;
	*fdp = fd;
	return APK_OK;
}

enum apk_err apk_lu_open(int dirfd, uint32_t uid, int flags, int *fdp, uint32_t *cap)
{
	struct lu_head head;

	return open_head(dirfd, uid, flags, 0, fdp, cap, &head);
}

/* Index of id among the k entries at chunk (first: the first's index). */
static int find_in(const unsigned char *chunk, uint32_t k, uint32_t first, const char *id,
		   uint32_t *index)
{
	char got[APK_ID_LEN + 1];
	uint32_t i;

	for (i = 0; i < k; i++)
		if (apk_lu_entry_id(chunk + (size_t)i * APK_LU_ENTRY, got) == 1 &&
		    strcmp(got, id) == 0) {
			*index = first + i;
			return 1;
		}
	return 0;
}

/* The slot of id, searched in the head's entries first (NULL: none read),
 * then in the rest of the directory, read a chunk at a time. */
static enum apk_err find_slot(int fd, uint32_t cap, const struct lu_head *head, const char *id,
			      uint32_t *index)
{
	unsigned char chunk[APK_LU_FIND_CHUNK * APK_LU_ENTRY];
	uint32_t first = 0, k;

	if (head != NULL) {
		if (find_in(head->b + APK_LU_HEADER, head->entries, 0, id, index))
			return APK_OK;
		first = head->entries;
	}
	for (; first < cap; first += k) {
		k = cap - first < APK_LU_FIND_CHUNK ? cap - first : APK_LU_FIND_CHUNK;
		if (apk_lu_pread(fd, chunk, (size_t)k * APK_LU_ENTRY,
			     (off_t)APK_LU_HEADER + (off_t)first * APK_LU_ENTRY) != 0)
			return APK_ERR_UNAVAIL;
		if (find_in(chunk, k, first, id, index))
			return APK_OK;
	}
	return APK_ERR_NOTFOUND;
}

enum apk_err apk_lu_find_slot(int fd, uint32_t cap, const char *id, uint32_t *index)
{
	return find_slot(fd, cap, NULL, id, index);
}

enum apk_lu_slot apk_lu_read_slot(int fd, uint32_t uid, uint32_t cap, uint32_t index,
				  const char *id, struct apk_lastused *out)
{
	unsigned char s[APK_LU_SLOT];
	off_t off = (off_t)apk_lu_data_offset(cap) + (off_t)index * APK_LU_SLOT;
	enum apk_lu_slot r = APK_LU_SLOT_TORN;
	int tries;

	memset(out, 0, sizeof(*out));
	for (tries = 0; tries < APK_LU_READ_TRIES && r == APK_LU_SLOT_TORN; tries++) {
		if (tries > 0)
			sched_yield();
		if (apk_lu_pread(fd, s, sizeof(s), off) != 0)
			return APK_LU_SLOT_TORN;
		r = apk_lu_slot_decode(s, uid, index, id, out);
	}
	return r;
}

enum apk_err apk_lastused_record_at(int dirfd, uint32_t uid, const char *id, int64_t when,
				    const char *service, const char *rhost)
{
	unsigned char slot[APK_LU_SLOT];
	struct apk_lastused lu;
	struct lu_head head;
	uint32_t cap, index = 0;
	enum apk_err e;
	int fd;

	if (dirfd < 0 || !apk_id_valid(id) || when <= 0)
		return APK_ERR_INVALID;
	/* Read and write, never create: the helper made the file. One read
	 * brings the header and, for up to APK_LU_FIND_CHUNK keys, every
	 * entry of the directory. */
	e = open_head(dirfd, uid, O_RDWR, 1, &fd, &cap, &head);
	if (e != APK_OK)
		return e;
	e = find_slot(fd, cap, &head, id, &index);
	if (e == APK_OK) {
		apk_lu_fill(&lu, when, service, rhost);
		apk_lu_slot_encode(slot, uid, index, id, &lu);
		/* One write of one whole slot, inside the file (index < cap and
		 * the size was checked against cap). */
		if (apk_lu_pwrite(fd, slot, sizeof(slot),
			      (off_t)apk_lu_data_offset(cap) + (off_t)index * APK_LU_SLOT) != 0)
			e = APK_ERR_UNAVAIL;
	}
	close(fd);
	return e;
}

enum apk_err apk_lastused_record(const char *dir, uint32_t uid, const char *id, int64_t when,
				 const char *service, const char *rhost)
{
	enum apk_err e;
	int dirfd;

	e = apk_safe_open_dir(dir, &dirfd);
	if (e != APK_OK)
		return e;
	e = apk_lastused_record_at(dirfd, uid, id, when, service, rhost);
	close(dirfd);
	return e;
}

enum apk_err apk_lastused_read(const char *dir, uint32_t uid, const char *const *ids, size_t n,
			       struct apk_lastused *out)
{
	uint32_t cap, index;
	enum apk_err e;
	int dirfd, fd;
	size_t i;

	if (n > 0)
		memset(out, 0, n * sizeof(*out));
	for (i = 0; i < n; i++)
		if (!apk_id_valid(ids[i]))
			return APK_ERR_INVALID;
	e = apk_safe_open_dir(dir, &dirfd);
	if (e != APK_OK)
		return e;
	e = apk_lu_open(dirfd, uid, O_RDONLY, &fd, &cap);
	close(dirfd);
	if (e != APK_OK)
		return e;
	for (i = 0; i < n && e == APK_OK; i++) {
		e = apk_lu_find_slot(fd, cap, ids[i], &index);
		if (e == APK_OK)
			(void)apk_lu_read_slot(fd, uid, cap, index, ids[i], &out[i]);
		else if (e == APK_ERR_NOTFOUND)
			e = APK_OK;     /* no slot yet: never */
	}
	close(fd);
	if (e != APK_OK && n > 0)
		memset(out, 0, n * sizeof(*out));
	return e;
}
