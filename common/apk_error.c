/* apk_error.c - messages for enum apk_err */
#include "apk_error.h"

const char *apk_strerror(enum apk_err err)
{
	switch (err) {
	case APK_OK: return "success";
	case APK_ERR_NOMEM: return "out of memory";
	case APK_ERR_UNAVAIL: return "key database unavailable";
	case APK_ERR_UNSAFE: return "key database has unsafe ownership, mode or type";
	case APK_ERR_CORRUPT: return "key database is corrupt";
	case APK_ERR_BUSY: return "key database is busy, try again";
	case APK_ERR_NOTFOUND: return "no such key";
	case APK_ERR_EXISTS: return "a key with that name already exists";
	case APK_ERR_LIMIT: return "too many keys for this account";
	case APK_ERR_INVALID: return "invalid input";
	case APK_ERR_BADKEY: return "not a valid API key";
	case APK_ERR_NOUSER: return "no such user";
	case APK_ERR_NOMATCH: return "key does not match";
	case APK_ERR_NAMEISID: return "a key's id cannot be a name";
	case APK_ERR_NORANDOM: return "the random generator repeats itself";
	case APK_ERR_DIRECTORY: return "managed in the directory; use --fleet";
	}
	return "unknown error";
}
