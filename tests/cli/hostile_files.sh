#!/bin/sh
# tests/cli/hostile_files.sh - apikeyctl and whatever sits at its paths.
#
# In a copy of a small database, one thing is planted at one path: the
# account's file u<uid>, its lock u<uid>.lock, its replacement u<uid>.new,
# the decoy, or the directory itself - a symlink, a hard link, a FIFO, a
# directory, a socket, a file with group or other bits, a file owned by
# another account (as root). Then every command runs (generate, list,
# rename, describe, delete --yes) and must refuse with one line on stderr,
# within seconds (a FIFO must not block it), and leave every file, link and
# mode as it was, the symlink's target included. Readers take no lock, so
# `list` may still work when the plant is at the lock or the replacement.
# Runs as root or not; the build under test is not setuid.
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/cli.sh"
cli_start hostile-files
tmpl=$work/template
db=$work/db
target=$work/target
out=$work/out
err=$work/err

mkdir -m 700 "$tmpl"
APIKEY_DB=$tmpl "$ctl" generate -q --name k1 >/dev/null &&
	APIKEY_DB=$tmpl "$ctl" generate -q --name k2 >/dev/null ||
	{ not_ok "a template database with two keys"; done_testing; exit 1; }
printf 'the target of a planted symlink: must never change\n' >"$target"
chmod 600 "$target"
target_sum=$(sha256sum <"$target")

# snapshot: every entry of the database directory and the directory itself:
# type, mode, links, owner, inode, size, modification time (ns), name, link
# target. A rewrite or rename changes the inode or the time.
snapshot() {
	find "$1" -printf '%y %m %n %u %i %s %T@ %P -> %l\n' 2>/dev/null | sort
}
fresh() { [ -d "$db" ] && chmod 700 "$db"; rm -rf "$db"; cp -a "$tmpl" "$db"; }
# Runs one command with a deadline; sets rc.
runit() {
	APIKEY_DB=$db timeout 10 "$ctl" "$@" >"$out" 2>"$err" </dev/null
	rc=$?
}

# plant PATH KIND: puts one hostile thing at $db/PATH (a fresh copy).
plant() {
	fresh
	case $2 in
	symlink) rm -f "$db/$1"; ln -s "$target" "$db/$1" ;;
	dangling) rm -f "$db/$1"; ln -s /nonexistent/x "$db/$1" ;;
	fifo) rm -f "$db/$1"; mkfifo -m 600 "$db/$1" ;;
	dir) rm -f "$db/$1"; mkdir -m 700 "$db/$1" ;;
	socket) rm -f "$db/$1"
		python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$db/$1" ;;
	hardlink) [ -e "$db/$1" ] || install -m 600 /dev/null "$db/$1"; ln "$db/$1" "$db/hardlink" ;;
	640 | 604) [ -e "$db/$1" ] || install -m 600 /dev/null "$db/$1"; chmod "$2" "$db/$1" ;;
	nobody) [ -e "$db/$1" ] || install -m 600 /dev/null "$db/$1"; chown nobody "$db/$1" ;;
	dirmode*) chmod "${2#dirmode}" "$db" ;;
	dirnobody) chown nobody "$db" ;;
	esac
}
describe_kind() {
	case $1 in
	symlink) echo "a symlink to a file" ;;
	dangling) echo "a dangling symlink" ;;
	fifo) echo "a FIFO" ;;
	dir) echo "a directory" ;;
	socket) echo "a socket" ;;
	hardlink) echo "a file with a second hard link" ;;
	640) echo "readable by its group" ;;
	604) echo "readable by others" ;;
	nobody) echo "owned by nobody" ;;
	dirmode*) echo "of mode ${1#dirmode}" ;;
	dirnobody) echo "owned by nobody" ;;
	esac
}

# try PATH WHAT KIND READERS: each command against a fresh plant; with
# READERS "all" every command, with "writers" the writers' three kinds of
# change (a reader never opens the lock or the replacement).
try() {
	if [ "$4" = all ]; then
		cmds="generate|list|rename k1 renamed|describe k1 changed|delete k2 --yes"
	else
		cmds="generate|rename k1 renamed|delete k2 --yes"
	fi
	old_ifs=$IFS
	IFS='|'
	# shellcheck disable=SC2086
	set -- "$1" "$2" "$3" $cmds
	IFS=$old_ifs
	p=$1 what=$2 kind=$3
	shift 3
	for c in "$@"; do
		[ "$c" = generate ] && c="generate -q --name planted"
		plant "$p" "$kind"
		before=$(snapshot "$db")
		# shellcheck disable=SC2086
		runit $c
		after=$(snapshot "$db")
		word=${c%% *}
		lines=$(wc -l <"$err")
		if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$lines" -eq 1 ] &&
			grep -q '^apikeyctl: ' "$err"; then
			verdict=0
		else
			verdict=1
		fi
		if [ "$verdict" -eq 0 ] && [ "$before" = "$after" ] &&
			[ "$(sha256sum <"$target")" = "$target_sum" ]; then
			ok "$what is $(describe_kind "$kind"): $word refused, nothing touched"
		else
			not_ok "$what is $(describe_kind "$kind"): $word refused, nothing touched (status $rc, $lines stderr lines)"
			sed 's/^/#   stderr: /' "$err"
			if [ "$before" != "$after" ]; then
				printf '%s\n' "$before" >"$work/b"
				printf '%s\n' "$after" >"$work/a"
				diff "$work/b" "$work/a" | grep '^[<>]' | sed 's/^/#   changed: /'
			fi
			[ "$(sha256sum <"$target")" = "$target_sum" ] || echo "#   the symlink's target changed"
		fi
	done
}

kinds="symlink dangling fifo dir socket hardlink 640 604"
[ "$uid" -eq 0 ] && id nobody >/dev/null 2>&1 && kinds="$kinds nobody"

# ---- the account's file, its lock, its replacement ----------------------------
for k in $kinds; do try "u$uid" "the account's file" "$k" all; done
for k in $kinds; do try "u$uid.lock" "the lock" "$k" writers; done
for k in $kinds; do try "u$uid.new" "the replacement file" "$k" writers; done

# ---- the decoy, for an account without a file -----------------------------------
# (an account with a file never reads it; the first key of a new account does)
fresh
rm -f "$db/u$uid"
cp -a "$db" "$work/nofile"
tmpl_saved=$tmpl
tmpl=$work/nofile
for kind in symlink fifo dir mode; do
	fresh
	rm -f "$db/decoy"
	case $kind in
	symlink) ln -s "$target" "$db/decoy" ;;
	fifo) mkfifo -m 600 "$db/decoy" ;;
	dir) mkdir -m 700 "$db/decoy" ;;
	mode) cp -p "$tmpl_saved/decoy" "$db/decoy"; chmod 644 "$db/decoy" ;;
	esac
	before=$(snapshot "$db")
	runit generate -q --name first
	after=$(snapshot "$db")
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$(wc -l <"$err")" -eq 1 ] &&
		[ "$before" = "$after" ] && [ "$(sha256sum <"$target")" = "$target_sum" ]; then
		ok "decoy is a $kind: a first key is refused, nothing touched"
	else
		not_ok "decoy is a $kind: a first key is refused, nothing touched (status $rc)"
		sed 's/^/#   stderr: /' "$err"
	fi
	runit list
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$(wc -l <"$err")" -eq 1 ]; then
		ok "decoy is a $kind: list for an account without a file refuses"
	else
		not_ok "decoy is a $kind: list for an account without a file refuses (status $rc)"
	fi
done
tmpl=$tmpl_saved

# ---- the directory -------------------------------------------------------------------
for mode in 770 730 777 1777 702; do
	try . "the database directory" "dirmode$mode" all
done
if [ "$uid" -eq 0 ] && id nobody >/dev/null 2>&1; then
	try . "the database directory" dirnobody all
fi
# A symlink at the path APIKEY_DB names, to a good database directory.
fresh
mv "$db" "$work/real"
ln -s "$work/real" "$db"
before=$(snapshot "$work/real")
runit list
check "the database path is a symlink to a directory: list refuses (status $rc)" \
	test "$rc" -ne 0 -a "$rc" -ne 124
runit generate -q
check "the database path is a symlink to a directory: generate refuses, nothing touched (status $rc)" \
	test "$rc" -ne 0 -a "$rc" -ne 124 -a "$before" = "$(snapshot "$work/real")"
rm -f "$db"
rm -rf "$work/real"
mkfifo -m 600 "$db"
runit generate -q
check "the database path is a FIFO: generate refuses at once (status $rc)" \
	test "$rc" -ne 0 -a "$rc" -ne 124 -a -p "$db"
rm -f "$db"
printf 'x\n' >"$db"
runit list
check "the database path is a file: list refuses (status $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
rm -f "$db"
runit generate -q
check "no database directory: generate refuses and creates none (status $rc)" \
	test "$rc" -ne 0 -a ! -e "$db"
done_testing
