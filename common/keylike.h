/* keylike.h - does an answer carry enough of an API key that it must not
 * leave the module?
 *
 * forward_pass passes an answer that is not a key on to the next module
 * of the stack as PAM_AUTHTOK, and that module (pam_sss, pam_ldap,
 * pam_krb5) may send it to a server. A key mangled on its way into the
 * answer — the prefix cut or mistyped, caps lock on, spaces, line breaks
 * or other characters inserted, only its last part pasted — is no key to
 * apk_key_parse but still carries its secret. apk_key_like says keep it.
 *
 * The rule (doc/SECURITY.md, "The key stays in the module", has the
 * reasoning and the cost for passwords): an answer is key-like when
 *   - it holds the prefix "apk_" in any case, or
 *   - it holds at least APK_KEYLIKE_CHARS characters of the key alphabet
 *     (A-Z a-z 0-9 - _) in all, wherever they stand: nothing between them
 *     (a space, a line break, a separator, a typo) and no change of case
 *     lowers the count.
 * An answer that is not key-like holds at most APK_KEYLIKE_CHARS - 1 = 31
 * characters of a key: at least 13 of the 44 secret characters (78 bits)
 * stay unknown, and at least 21 (126 bits) when the answer includes the
 * 8 checksum characters that would let the rest be searched offline.
 */
#ifndef APK_KEYLIKE_H
#define APK_KEYLIKE_H

#include <stddef.h>

#define APK_KEYLIKE_CHARS 32

/* 1 when the len bytes at s are key-like, else 0. Linear in len, reads
 * every byte whatever it finds (no early exit, no branch on the bytes),
 * allocates nothing; a NUL byte is one more character outside the
 * alphabet. */
int apk_key_like(const char *s, size_t len);

#endif
