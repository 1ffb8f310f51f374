#!/bin/sh
# tools/install-helper.sh - the work behind `make install` and `make uninstall`
#
#   tools/install-helper.sh install
#   tools/install-helper.sh uninstall
#
# The Makefile passes every path in the environment: DESTDIR (may be empty),
# PAMDIR BINDIR MANDIR COMPDIR DOCDIR DBDIR HELPER_USER MODULE HELPER MANPAGES
# (the directory of the built man pages) SBINDIR DAEMON VERIFY_GROUP
# LIBEXECDIR FLEETCTL.
#
# install puts in place: the module, apikeyctl set-user-ID root (owner
# root:root, mode 4711; it gives up root for HELPER_USER at once, and
# HELPER_USER can write neither it nor its directory), the database directory DBDIR
# owned by HELPER_USER with mode 0700 (only when missing; an existing one and
# its keys are never touched), the man
# pages, the bash completion and the example PAM files. It creates HELPER_USER
# as a system account when missing; an existing one it uses only when
# pam_apikey made it or the admin adopts it (PAM_APIKEY_ADOPT_ACCOUNT names
# it), and otherwise refuses before changing anything. It installs apikeyd
# (the verification service for PAM callers that are not root) in SBINDIR
# and creates VERIFY_GROUP, the group an admin adds such callers to, as an
# empty system group when missing. apikeyctl-fleet (FLEETCTL), which
# `apikeyctl --fleet` executes with the caller's ids, goes in LIBEXECDIR,
# mode 0755, not set-user-ID, at the path compiled into apikeyctl. A staged install
# (DESTDIR set) by a user other than root creates no account and changes no
# owner; it says what the packager must do instead.
#
# uninstall removes exactly the files install put, never the database
# directory, its keys, the account or its record, or the group.
set -eu

prog=install-helper
die() { echo "$prog: $*" >&2; exit 1; }
say() { echo "$prog: $*"; }

top=$(cd "$(dirname "$0")/.." && pwd)
doc=$top/doc

DESTDIR=${DESTDIR:-}
for var in PAMDIR BINDIR MANDIR COMPDIR DOCDIR DBDIR HELPER_USER MODULE HELPER MANPAGES \
	SBINDIR DAEMON VERIFY_GROUP LIBEXECDIR FLEETCTL; do
	eval "val=\${$var:-}"
	[ -n "$val" ] || die "$var is not set (run this through make install)"
	case $var in
	*DIR)
		case $val in
		/*) ;;
		*) die "$var must be an absolute path, not '$val'" ;;
		esac ;;
	esac
done
case $HELPER_USER in
root | "" | *[!A-Za-z0-9._-]*) die "refusing helper account name '$HELPER_USER'" ;;
esac
case $VERIFY_GROUP in
root | "" | *[!A-Za-z0-9._-]*) die "refusing verify group name '$VERIFY_GROUP'" ;;
esac

# The files install puts, as "mode source directory". Documentation is
# written separately; whatever is missing is reported once, at the end.
man1=$MANDIR/man1
man5=$MANDIR/man5
man8=$MANDIR/man8
examples=$DOCDIR/examples

# STAGED=1 (with DESTDIR): a package build, where id -u may say 0 (root, or
# fakeroot) but the target system is not this one: files only, as an
# unprivileged staged install; the package's maintainer scripts do the rest.
if [ "$(id -u)" -eq 0 ] && [ "${STAGED:-0}" != 1 ]; then
	privileged=1
else
	privileged=0
fi

# mkdir_p DIR: creates DESTDIR-prefixed DIR (and parents) with mode 0755,
# leaving existing directories exactly as they are.
mkdir_p() {
	[ -d "$DESTDIR$1" ] || install -d -m 0755 "$DESTDIR$1"
}

missing=""
# put MODE SOURCE DIRECTORY: installs SOURCE into DIRECTORY under its own name.
put() {
	if [ ! -f "$2" ]; then
		missing="$missing $2"
		return 0
	fi
	mkdir_p "$3"
	install -m "$1" "$2" "$DESTDIR$3/$(basename "$2")"
	say "installed $DESTDIR$3/$(basename "$2")"
}

# How the install came by the account: "made ENTRY" or "adopted ENTRY",
# ENTRY its passwd line as it was then (the package's postinst keeps the
# same record, and its purge deletes only a made account). Root's, beside
# the database directory, which the account owns and could rewrite.
record=$DBDIR.account
comment="pam_apikey key database"

create_account() {
	if getent passwd "$HELPER_USER" >/dev/null; then
		return 0
	fi
	shell=/usr/sbin/nologin
	[ -x "$shell" ] || shell=/sbin/nologin
	[ -x "$shell" ] || shell=/bin/false
	useradd --system --no-create-home --home-dir "$DBDIR" --shell "$shell" \
		--comment "$comment" "$HELPER_USER" ||
		die "could not create the system account $HELPER_USER"
	say "created system account $HELPER_USER"
}

# made_by_pam_apikey ENTRY: the account has what pam_apikey's installers
# give the account they create (create_account, the package's postinst):
# the comment, the database directory as home, a shell that refuses logins.
made_by_pam_apikey() {
	IFS=: read -r _ _ _ _ gecos home shell <<EOF
$1
EOF
	[ "${gecos%%,*}" = "$comment" ] && [ "$home" = "$DBDIR" ] &&
		case $shell in /usr/sbin/nologin | /sbin/nologin | /bin/false) true ;; *) false ;; esac
}

# claim_account: the existing account becomes the database's owner only
# when it is the one recorded, pam_apikey made it, or the admin adopts it
# (PAM_APIKEY_ADOPT_ACCOUNT=HELPER_USER); otherwise the install stops before
# it changes anything. A staged install (DESTDIR) writes no record.
claim_account() {
	entry=$(getent passwd "$HELPER_USER")
	recorded=$(cat "$record" 2>/dev/null || true)
	if [ "$recorded" = "made $entry" ] || [ "$recorded" = "adopted $entry" ]; then
		return 0
	fi
	if made_by_pam_apikey "$entry"; then
		how=made
	elif [ "${PAM_APIKEY_ADOPT_ACCOUNT:-}" = "$HELPER_USER" ]; then
		how=adopted
	else
		die "refusing the existing account $HELPER_USER (uid $(id -u "$HELPER_USER")," \
			"home $(echo "$entry" | cut -d: -f6)): pam_apikey did not make it, and it would" \
			"own the key database, able to add keys to any account; delete or rename it," \
			"or adopt it: make install PAM_APIKEY_ADOPT_ACCOUNT=$HELPER_USER"
	fi
	[ -z "$DESTDIR" ] || return 0
	mkdir_p "$(dirname "$record")"
	{ printf '%s %s\n' "$how" "$entry" >"$record.new" && mv "$record.new" "$record"; } ||
		die "cannot write $record"
	say "the account $HELPER_USER owns the database ($how; recorded in $record)"
}

# The group whose members (web servers' workers, say) apikeyd answers:
# created empty; the admin grants a caller with adduser USER VERIFY_GROUP.
create_verify_group() {
	if getent group "$VERIFY_GROUP" >/dev/null; then
		[ "$(getent group "$VERIFY_GROUP" | cut -d: -f3)" -ne 0 ] ||
			die "group $VERIFY_GROUP has gid 0; refusing to install"
		return 0
	fi
	groupadd --system "$VERIFY_GROUP" || die "could not create the system group $VERIFY_GROUP"
	say "created system group $VERIFY_GROUP (empty)"
}

# The account must exist and must not be root in disguise (uid or group 0).
check_account() {
	uid=$(id -u "$HELPER_USER" 2>/dev/null) || die "no account $HELPER_USER"
	[ "$uid" -ne 0 ] || die "account $HELPER_USER has uid 0; refusing to install"
	[ "$(id -g "$HELPER_USER")" -ne 0 ] ||
		die "account $HELPER_USER has group 0; refusing to install"
}

# helper_cannot_write PATH: dies when HELPER_USER could write PATH (tried
# as that account, with no groups but its own).
helper_cannot_write() {
	if setpriv --reuid="$HELPER_USER" --regid="$(id -g "$HELPER_USER")" --clear-groups \
		test -w "$1"; then
		die "$1 is writable by $HELPER_USER: it could replace a set-user-ID root program"
	fi
}

install_helper() {
	src=$HELPER
	[ -f "$src" ] || die "$src is missing: run make first"
	mkdir_p "$BINDIR"
	dst=$DESTDIR$BINDIR/apikeyctl
	if [ "$privileged" -eq 1 ]; then
		# install copies, then chowns, then sets the mode (chown would
		# clear a setuid bit set earlier). Execute only: callers need
		# nothing more.
		install -o root -g root -m 4711 "$src" "$dst"
		got=$(stat -c '%U %G %a' "$dst")
		[ "$got" = "root root 4711" ] || die "$dst is '$got', expected 'root root 4711'"
		if getent passwd "$HELPER_USER" >/dev/null; then
			helper_cannot_write "$dst"
			helper_cannot_write "$(dirname "$dst")"
		fi
		say "installed $dst (set-user-ID root, mode 4711; runs as $HELPER_USER)"
	else
		install -m 0755 "$src" "$dst"
		say "installed $dst (mode 0755: not root, ownership left to the packager)"
	fi
}

# apikeyctl-fleet: whoever can replace it runs code as every user of
# apikeyctl --fleet, so, like apikeyctl, HELPER_USER may write neither it
# nor its directory.
install_fleetctl() {
	[ -f "$FLEETCTL" ] || die "$FLEETCTL is missing: run make first"
	put 0755 "$FLEETCTL" "$LIBEXECDIR"
	if [ "$privileged" -eq 1 ] && getent passwd "$HELPER_USER" >/dev/null; then
		helper_cannot_write "$DESTDIR$LIBEXECDIR/apikeyctl-fleet"
		helper_cannot_write "$DESTDIR$LIBEXECDIR"
	fi
}

# make_private_dir DIR: creates DESTDIR-prefixed DIR owned by the helper
# account with mode 0700 when missing; an existing one is only checked.
make_private_dir() {
	dir=$DESTDIR$1
	if [ -e "$dir" ] || [ -L "$dir" ]; then
		if [ ! -d "$dir" ] || [ -L "$dir" ]; then
			die "$dir exists and is not a directory"
		fi
		got=$(stat -c '%U %a' "$dir")
		if [ "$privileged" -eq 1 ] && [ "$got" != "$HELPER_USER 700" ]; then
			echo "$prog: warning: $dir is '$got', expected '$HELPER_USER 700';" \
				"left as it is (the module refuses an unsafe database)" >&2
		fi
		return 0
	fi
	mkdir_p "$(dirname "$1")"
	if [ "$privileged" -eq 1 ]; then
		install -d -o "$HELPER_USER" -g "$(id -g "$HELPER_USER")" -m 0700 "$dir"
	else
		install -d -m 0700 "$dir"
	fi
	say "created $dir (mode 0700)"
}

# The database is the directory DBDIR, of per-account files.
install_dbdir() {
	make_private_dir "$DBDIR"
}

packager_notes() {
	cat <<EOF
$prog: staged install as an unprivileged user: no account created, no owner set.
$prog: the package must, on the target system:
$prog:   useradd --system --no-create-home --home-dir $DBDIR --shell /usr/sbin/nologin \\
$prog:     --comment "$comment" $HELPER_USER   (when missing; not another program's account)
$prog:   groupadd --system $VERIFY_GROUP   (when missing)
$prog:   chown root:root $BINDIR/apikeyctl && chmod 4711 $BINDIR/apikeyctl
$prog:   chown $HELPER_USER:$HELPER_USER $DBDIR && chmod 0700 $DBDIR
EOF
}

do_install() {
	if [ "$privileged" -eq 0 ] && [ -z "$DESTDIR" ]; then
		die "installing to the system needs root (or set DESTDIR for a staged install)"
	fi
	[ -f "$MODULE" ] || die "$MODULE is missing: run make first"

	if [ "$privileged" -eq 1 ]; then
		create_account
		check_account
		claim_account
		create_verify_group
	fi

	put 0644 "$MODULE" "$PAMDIR"
	install_helper
	install_dbdir
	[ -f "$DAEMON" ] || die "$DAEMON is missing: run make first"
	put 0755 "$DAEMON" "$SBINDIR"
	install_fleetctl

	put 0644 "$MANPAGES/apikeyctl.1" "$man1"
	put 0644 "$MANPAGES/pam_apikey.conf.5" "$man5"
	put 0644 "$MANPAGES/pam_apikey.8" "$man8"
	put 0644 "$MANPAGES/apikeyd.8" "$man8"
	put 0644 "$doc/bash-completion/apikeyctl" "$COMPDIR"
	n=0
	# the PAM files, and the web server sites that use apikey-http
	for f in "$doc"/pam.d/* "$doc"/web/*; do
		[ -f "$f" ] || continue
		put 0644 "$f" "$examples"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || missing="$missing $doc/pam.d/*"

	[ "$privileged" -eq 1 ] || packager_notes
	if [ -n "$missing" ]; then
		die "incomplete install, missing:$missing"
	fi
	return 0
}

# rm_file PATH: removes one file we installed, saying so.
rm_file() {
	if [ -e "$DESTDIR$1" ] || [ -L "$DESTDIR$1" ]; then
		rm -f "$DESTDIR$1"
		say "removed $DESTDIR$1"
	fi
}

do_uninstall() {
	rm_file "$PAMDIR/pam_apikey.so"
	rm_file "$BINDIR/apikeyctl"
	rm_file "$SBINDIR/apikeyd"
	rm_file "$LIBEXECDIR/apikeyctl-fleet"
	rm_file "$man1/apikeyctl.1"
	rm_file "$man5/pam_apikey.conf.5"
	rm_file "$man8/pam_apikey.8"
	rm_file "$man8/apikeyd.8"
	rm_file "$COMPDIR/apikeyctl"
	for f in "$doc"/pam.d/* "$doc"/web/*; do
		[ -f "$f" ] || continue
		rm_file "$examples/$(basename "$f")"
	done
	# Our own documentation and program directories, only when nothing else
	# is in them.
	for d in "$examples" "$DOCDIR" "$LIBEXECDIR"; do
		if [ -d "$DESTDIR$d" ]; then
			rmdir "$DESTDIR$d" 2>/dev/null ||
				echo "$prog: warning: $DESTDIR$d is not empty; left in place" >&2
		fi
	done
	say "left in place: $DESTDIR$DBDIR (the key database), the account $HELPER_USER" \
		"and the group $VERIFY_GROUP"
}

case ${1:-} in
install) do_install ;;
uninstall) do_uninstall ;;
*) die "usage: $0 install|uninstall" ;;
esac
