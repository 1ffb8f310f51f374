/* lastused_format.h - the byte layout of u<uid>.used (FORMAT.md, "Last used")
 *
 *   header     64 bytes at 0
 *   directory  cap entries of 16 bytes at 64: the id owning each slot
 *   slots      cap slots of 256 bytes at apk_lu_data_offset(cap), a multiple
 *              of 256, so no slot crosses a page
 *
 * Only lastused.c and apk_lastused_assign.c (and tests) include this. */
#ifndef APK_LASTUSED_FORMAT_H
#define APK_LASTUSED_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "apk_error.h"
#include "keyfmt.h"
#include "lastused.h"

#define APK_LU_MAGIC "apk-used"     /* 8 bytes, no NUL */
#define APK_LU_MAGIC_LEN 8
#define APK_LU_VERSION 1
#define APK_LU_HEADER 64
#define APK_LU_ENTRY 16
#define APK_LU_SLOT 256
#define APK_LU_MIN_SLOTS 8

/* Offsets inside a slot. */
#define APK_LU_S_ID 0
#define APK_LU_S_TIME 16
#define APK_LU_S_SERVICE 24
#define APK_LU_S_RHOST 88
#define APK_LU_S_CHECK 240
#define APK_LU_CHECK_LEN 16

/* The file name of uid's file ("u<uid>.used") or its replacement being
 * built ("u<uid>.used.new"); out holds at least 32 bytes. */
void apk_lu_name(uint32_t uid, int replacement, char out[32]);

size_t apk_lu_data_offset(uint32_t cap);
size_t apk_lu_file_size(uint32_t cap);

/* The slot count assignment gives n keys: a power of two >= max(n, 8). */
uint32_t apk_lu_cap_for(size_t n);

void apk_lu_header_encode(unsigned char h[APK_LU_HEADER], uint32_t uid, uint32_t cap);

/* APK_OK and *cap when h is a version-1 header of uid's file whose cap
 * (1..APK_LASTUSED_MAX_SLOTS) gives exactly size bytes; APK_ERR_CORRUPT
 * otherwise. The size check is what keeps every write inside the file. */
enum apk_err apk_lu_header_decode(const unsigned char h[APK_LU_HEADER], uint32_t uid, off_t size,
				  uint32_t *cap);

/* A directory entry: 1 and id when it names a key, 0 when free (all
 * zero), -1 when it is neither. */
int apk_lu_entry_id(const unsigned char e[APK_LU_ENTRY], char id[APK_ID_LEN + 1]);
void apk_lu_entry_encode(unsigned char e[APK_LU_ENTRY], const char *id);

/* A login as stored: service and rhost (NULL: "") escaped with apk_escape
 * and cut to fit. */
void apk_lu_fill(struct apk_lastused *lu, int64_t when, const char *service, const char *rhost);

/* Fills a whole slot (slot number index of uid's file) with lu as stored. */
void apk_lu_slot_encode(unsigned char s[APK_LU_SLOT], uint32_t uid, uint32_t index, const char *id,
			const struct apk_lastused *lu);

enum apk_lu_slot {
	APK_LU_SLOT_OK,       /* whole, checksummed, id's: *out filled */
	APK_LU_SLOT_EMPTY,    /* all zero: never written since assigned */
	APK_LU_SLOT_TORN,     /* the checksum does not match (a write in progress
			   * or cut, or garbage) */
	APK_LU_SLOT_FOREIGN,  /* whole, but another id's or malformed */
};

/* Decodes slot number index of uid's file for id; *out is "never" unless
 * APK_LU_SLOT_OK. */
enum apk_lu_slot apk_lu_slot_decode(const unsigned char s[APK_LU_SLOT], uint32_t uid,
				    uint32_t index, const char *id, struct apk_lastused *out);

/* ---- on an open file (lastused.c) -------------------------------------- */

/* Opens dirfd/u<uid>.used with flags through apk_safe_openat (O_NOFOLLOW and
 * its fstat checks; never O_CREAT here) and checks its header against its
 * size: *fd and *cap, or an error with nothing open. */
enum apk_err apk_lu_open(int dirfd, uint32_t uid, int flags, int *fd, uint32_t *cap);

/* The slot the directory assigns to id: APK_OK and *index, NOTFOUND, or
 * UNAVAIL when the directory cannot be read. */
enum apk_err apk_lu_find_slot(int fd, uint32_t cap, const char *id, uint32_t *index);

/* Reads and decodes slot index for id, reading again (a bounded number of
 * times) while a concurrent write leaves it torn. */
enum apk_lu_slot apk_lu_read_slot(int fd, uint32_t uid, uint32_t cap, uint32_t index,
				  const char *id, struct apk_lastused *out);

/* pread/pwrite of exactly len bytes: 0, or -1 (short or failed). */
int apk_lu_pread(int fd, void *buf, size_t len, off_t off);
int apk_lu_pwrite(int fd, const void *buf, size_t len, off_t off);

#endif
