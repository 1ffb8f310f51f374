/* apk_error.h - the one error enum shared by the store, the module and the helper */
#ifndef APK_ERROR_H
#define APK_ERROR_H

enum apk_err {
	APK_OK = 0,
	APK_ERR_NOMEM,     /* out of memory */
	APK_ERR_UNAVAIL,   /* database missing or unreadable, I/O error */
	APK_ERR_UNSAFE,    /* a path or file failed the ownership/mode/type checks */
	APK_ERR_CORRUPT,   /* a record or the database file is malformed */
	APK_ERR_BUSY,      /* another writer held the lock past the deadline */
	APK_ERR_NOTFOUND,  /* no such key (by name or id) */
	APK_ERR_EXISTS,    /* the name is already taken */
	APK_ERR_LIMIT,     /* too many keys for this account */
	APK_ERR_INVALID,   /* input failed validation */
	APK_ERR_BADKEY,    /* presented token is not a well-formed key */
	APK_ERR_NOUSER,    /* no such account */
	APK_ERR_NOMATCH,   /* well-formed key that does not authenticate this user */
	APK_ERR_NAMEISID,  /* the name is a key's id, which always means that key */
	APK_ERR_NORANDOM,  /* the random generator gave only ids already in use */
	APK_ERR_DIRECTORY, /* a key of the directory, mirrored here: changed only with --fleet */
};

/* A short, fixed, lower-case English phrase; never NULL. */
const char *apk_strerror(enum apk_err err);

#endif
