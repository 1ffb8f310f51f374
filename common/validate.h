/* validate.h - what names, descriptions and user names may contain, and
 * escaping of anything shown to a terminal or written to a log */
#ifndef APK_VALIDATE_H
#define APK_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APK_NAME_MAX 64           /* characters of a key name */
#define APK_DESC_MAX_CHARS 256    /* characters of a description */
#define APK_DESC_MAX_BYTES 1024   /* its UTF-8 bytes at most */
#define APK_USER_MAX 256          /* bytes of a login name */
#define APK_ARG_MAX 4096          /* any single command-line argument */
#define APK_UID_INVALID 0xFFFFFFFFu /* (uid_t)-1: never an account's uid */

/* 1-64 of [A-Za-z0-9._-]. */
bool apk_name_valid(const char *s);

/* 0-256 characters of well-formed UTF-8 without control characters
 * (C0, DEL, C1), bidirectional formatting characters, the line and
 * paragraph separators U+2028/U+2029, or invisible characters (Unicode's
 * Default_Ignorable_Code_Point: zero-width spaces and joiners, U+2060-2064,
 * U+FEFF, tag characters U+E0000-E007F, variation selectors, the soft
 * hyphen, fillers; and U+FFF9-FFFB). What a description typed now may hold:
 * exactly what apk_escape shows raw. */
bool apk_desc_valid(const char *s);

/* The same without the invisible characters' rule: a description as
 * stored by 0.2.0 and earlier, which refused only the controls, is still
 * read (it is shown escaped, and a new one is checked by apk_desc_valid). */
bool apk_desc_stored_valid(const char *s);

/* The one rule behind apk_desc_valid and apk_escape, for other output
 * formats (apikeyctl's JSON): true for a code point that is a control, a
 * bidirectional formatting, line or paragraph separator, or an invisible
 * character, which is never shown raw. */
bool apk_char_hidden(uint32_t c);

/* The character at s (not at its NUL): its length (1-4) with its code
 * point in *cp, or 0 when s does not start well-formed UTF-8. */
size_t apk_utf8_char(const char *s, uint32_t *cp);

/* A login name we are willing to look up: 1-256 bytes, printable ASCII
 * letters, digits, '.', '_', '-' (not first) and a trailing '$'. */
bool apk_user_valid(const char *s);

/* Copies s into out (size outsz, always NUL-terminated when outsz > 0)
 * escaping every byte that is not printable ASCII or part of well-formed
 * UTF-8 as \xHH (lower-case hex), and backslash as \\. Well-formed
 * characters that apk_desc_valid refuses (C0 controls including newline
 * and tab, DEL, C1, bidi controls, U+2028/U+2029, invisible characters)
 * are escaped byte by byte as \xHH too, so the output is always one line
 * of visible text.
 * Truncates to fit, never inside an escape or a UTF-8 character. A NULL s
 * gives "". Returns out. */
char *apk_escape(const char *s, char *out, size_t outsz);

#endif
