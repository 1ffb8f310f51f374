/* fleet_password.h - the caller's directory password (--fleet): read from
 * --password-file (its whole content, as ldapsearch -y reads it) or asked
 * once on the terminal without echo. Only ever after apikeyctl has given
 * up set-user-ID (privdrop.h, drop_to_caller): the caller's own ids read
 * what the caller names. */
#ifndef APKCTL_FLEET_PASSWORD_H
#define APKCTL_FLEET_PASSWORD_H

#include <stddef.h>

#define FLEET_PASSWORD_MAX 1024

/* The file's content into out (NUL added), its length in *len: 0, or -1
 * with one line in err (cannot be read, longer than FLEET_PASSWORD_MAX,
 * holds a NUL). */
int fleet_password_file(const char *path, char *out, size_t outsz, size_t *len, char *err,
			size_t errsz);

/* Asks on /dev/tty ("LDAP password for DN: "), echo off, one line without
 * its newline: 0, or -1 with one line in err (no terminal). */
int fleet_password_ask(const char *dn, char *out, size_t outsz, size_t *len, char *err,
		       size_t errsz);

#endif
