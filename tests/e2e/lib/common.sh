# tests/e2e/lib/common.sh - shared by the end-to-end scripts (sourced, never run)
# shellcheck shell=sh disable=SC2034
#
# The end-to-end tests use the real system as root: they install with
# `make install`, create throwaway accounts, write /etc/pam.d service files,
# start an sshd, and listen on /dev/log. Everything a script creates is
# registered here and undone by one EXIT trap, also when a test fails or the
# script is interrupted.
#
# A script does:  . "$(dirname "$0")/lib/common.sh"; e2e_begin; ...; e2e_end
# and speaks TAP on stdout ("ok N - ...", "not ok N - ..."); diagnostics go
# to stdout prefixed with "# ".

: "${APK_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${APK_BUILD:=$APK_TOP/build}"
E2E_LIB=$APK_TOP/tests/e2e/lib
unset APIKEY_DB

T_N=0
T_FAILED=0

# ---- TAP -------------------------------------------------------------------

tap_ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
tap_not_ok() { T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1)); echo "not ok $T_N - $*"; }
tap_skip() { T_N=$((T_N + 1)); echo "ok $T_N # SKIP $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/#   /'; }
diag_file() { [ -s "$1" ] && sed -n '1,40s/^/#   /p' "$1"; return 0; }

# tap_check DESC CONDITION-STATUS: ok when the status is 0.
tap_check() {
	if [ "$2" -eq 0 ]; then tap_ok "$1"; else tap_not_ok "$1"; fi
}

# tap_is DESC GOT WANT
tap_is() {
	if [ "$2" = "$3" ]; then
		tap_ok "$1"
	else
		tap_not_ok "$1"
		diag "got:  '$2'" "want: '$3'"
	fi
}

# run_cmd CMD...: runs CMD with stdout in $E2E_TMP/out, stderr in
# $E2E_TMP/err; sets RC.
run_cmd() {
	"$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err" </dev/null
	RC=$?
	return 0
}

# tap_run DESC CMD...: ok when CMD exits 0.
tap_run() {
	d=$1
	shift
	run_cmd "$@"
	if [ "$RC" -eq 0 ]; then
		tap_ok "$d"
	else
		tap_not_ok "$d"
		diag "exit status $RC: $*"
		diag_file "$E2E_TMP/out"
		diag_file "$E2E_TMP/err"
	fi
}

# tap_refused DESC CMD...: ok when CMD exits non-zero with exactly one line
# on stderr (the apikeyctl contract for every refusal).
tap_refused() {
	d=$1
	shift
	run_cmd "$@"
	lines=$(wc -l <"$E2E_TMP/err")
	if [ "$RC" -ne 0 ] && [ "$lines" -eq 1 ]; then
		tap_ok "$d"
	else
		tap_not_ok "$d"
		diag "exit status $RC (want non-zero), $lines line(s) on stderr (want 1): $*"
		diag_file "$E2E_TMP/out"
		diag_file "$E2E_TMP/err"
	fi
}

# bail REASON: fails the script now (cleanup still runs).
bail() {
	tap_not_ok "$*"
	echo "1..$T_N"
	exit 1
}

e2e_end() {
	# The accounts' keys go first (the accounts themselves at exit).
	if [ -n "$E2E_USERS" ]; then
		left=""
		for u in $E2E_USERS; do
			e2e_delete_keys "$u"
			if ! json=$("$APKCTL" --user "$u" list --json 2>&1) ||
				printf '%s' "$json" | grep -q '"id"'; then
				left="$left $u"
			fi
		done
		tap_is "the test accounts' keys are deleted" "$left" ""
	fi
	echo "1..$T_N"
	[ "$T_FAILED" -eq 0 ] && exit 0
	exit 1
}

# ---- start and cleanup -----------------------------------------------------

E2E_USERS=""
E2E_PAMFILES=""
E2E_PIDS=""
E2E_TMP=""
E2E_SYSLOG_PID=""
E2E_DEVLOG_SAVED=""
E2E_DEVLOG_INODE=""
E2E_MADE_RUNSSHD=0

# e2e_begin TOOL...: root check, tools, private temp dir, the cleanup trap.
e2e_begin() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "ok 1 # SKIP skipped: needs root"
		echo "1..1"
		exit 0
	fi
	miss=""
	for tool in make install useradd userdel chpasswd runuser setpriv logger flock \
		sha256sum stat timeout "$@"; do
		command -v "$tool" >/dev/null 2>&1 || miss="$miss $tool"
	done
	E2E_PY=/usr/bin/python3
	[ -x "$E2E_PY" ] || miss="$miss python3"
	if [ -n "$miss" ]; then
		echo "not ok 1 - missing tools:$miss (run: make deps)"
		echo "1..1"
		exit 1
	fi
	# One end-to-end script at a time: they share /dev/log, /run/sshd and
	# the installed files. Long-running children get fd 9 closed.
	exec 9>/run/pam_apikey-e2e.lock
	flock -w 900 9 || {
		echo "not ok 1 - another end-to-end run holds /run/pam_apikey-e2e.lock"
		exit 1
	}
	E2E_TMP=$(mktemp -d /tmp/apkt-e2e.XXXXXX) || {
		echo "not ok 1 - mktemp"
		exit 1
	}
	chmod 0700 "$E2E_TMP"
	: >"$E2E_TMP/secrets"
	: >"$E2E_TMP/users"
	trap e2e_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	cd / || exit 1
	e2e_install_vars
}

e2e_cleanup() {
	set +e
	for pid in $E2E_PIDS; do
		e2e_stop_pid "$pid"
	done
	for u in $E2E_USERS; do
		e2e_remove_user "$u"
	done
	for f in $E2E_PAMFILES; do
		rm -f "$f"
	done
	e2e_syslog_stop
	if [ "$E2E_MADE_RUNSSHD" -eq 1 ]; then
		rmdir /run/sshd 2>/dev/null
	fi
	[ -n "$E2E_TMP" ] && rm -rf "$E2E_TMP"
}

# e2e_stop_pid PID: stops a process we started, and its descendants first
# (an sshd's connection processes), so that each parent reaps its children:
# TERM, then KILL after 3 s.
e2e_stop_pid() {
	for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		e2e_stop_pid "$child"
	done
	kill -TERM "$1" 2>/dev/null || return 0
	i=0
	while kill -0 "$1" 2>/dev/null && [ "$i" -lt 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# ---- the installed system ---------------------------------------------------

# Reads the install paths from the Makefile itself (default PREFIX).
make_var() {
	printf 'e2e-print-%%:\n\t@echo $($*)\n' |
		make -s --no-print-directory -C "$APK_TOP" -f Makefile -f - "e2e-print-$1"
}

e2e_install_vars() {
	PAMDIR=$(make_var PAMDIR)
	BINDIR=$(make_var BINDIR)
	MANDIR=$(make_var MANDIR)
	COMPDIR=$(make_var COMPDIR)
	DOCDIR=$(make_var DOCDIR)
	DBDIR=$(make_var DBDIR)
	HELPER_USER=$(make_var HELPER_USER)
	APKCTL=$BINDIR/apikeyctl
	SBINDIR=$(make_var SBINDIR)
	APIKEYD=$SBINDIR/apikeyd
	FLEETCTL=$(make_var LIBEXECDIR)/apikeyctl-fleet
	VERIFY_GROUP=$(make_var VERIFY_GROUP)
	RUNDIR=$(make_var RUNDIR)
	E2E_MARKER=/run/pam_apikey-e2e.installed
	[ -n "$PAMDIR" ] && [ -n "$BINDIR" ] && [ -n "$DBDIR" ] ||
		bail "could not read the install paths from the Makefile"
}

e2e_is_installed() {
	cmp -s "$APK_BUILD/pam_apikey.so" "$PAMDIR/pam_apikey.so" &&
		cmp -s "$APK_BUILD/apikeyctl" "$APKCTL" &&
		cmp -s "$APK_BUILD/apikeyd" "$APIKEYD" &&
		cmp -s "$APK_BUILD/apikeyctl-fleet" "$FLEETCTL" &&
		[ "$(stat -c '%U %G %a' "$APKCTL")" = "root root 4711" ] &&
		[ -e "$DBDIR" ]
}

# e2e_install: `make install` with the default PREFIX unless this build is
# installed already. When nothing was installed before, leaves a marker so
# that the last script can test `make uninstall` on the real system.
e2e_install() {
	[ -f "$APK_BUILD/pam_apikey.so" ] && [ -f "$APK_BUILD/apikeyctl" ] ||
		bail "nothing built: run make first"
	e2e_is_installed && return 0
	fresh=0
	[ -e "$PAMDIR/pam_apikey.so" ] || [ -e "$APKCTL" ] || fresh=1
	if ! make -C "$APK_TOP" install >"$E2E_TMP/install.log" 2>&1; then
		diag_file "$E2E_TMP/install.log"
		bail "make install"
	fi
	[ "$fresh" -eq 1 ] && : >"$E2E_MARKER"
	e2e_is_installed || bail "make install did not install this build"
}

# e2e_hold_lock FILE SECONDS: holds FILE (a lock file) with flock as the
# helper account for SECONDS, in the background (HOLDER: its pid, stopped
# at exit at the latest); fails when it was not held within 5 s.
e2e_hold_lock() {
	: >"$E2E_TMP/hold"
	setpriv --reuid="$HELPER_USER" --regid="$(id -g "$HELPER_USER")" --clear-groups \
		"$APK_BUILD/tests/hostile_tool" hold "$1" "$2" >"$E2E_TMP/hold" 2>&1 9>&- &
	HOLDER=$!
	E2E_PIDS="$E2E_PIDS $HOLDER"
	i=0
	while ! grep -q locked "$E2E_TMP/hold" && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q locked "$E2E_TMP/hold"
}

# db_files: the regular files of the key database directory.
db_files() {
	if [ -d "$DBDIR" ]; then
		find "$DBDIR" -type f | sort
	fi
}

# db_state: a fingerprint of the stored keys: for every database file but the
# (empty) lock files, its name, inode, size, mtime, owner, mode and content.
# Any change, even one rewriting the same bytes through rename, shows.
db_state() {
	db_files | grep -v '\.lock$' | while read -r f; do
		printf '%s %s %s\n' "$f" "$(stat -c '%i %s %Y %U %a' "$f")" \
			"$(sha256sum <"$f" | cut -d' ' -f1)"
	done
	return 0
}

# ---- accounts and keys ------------------------------------------------------

# e2e_add_user VAR NAME: creates account apkt-NAME-PID with a random password;
# sets VAR to the login name and VAR_PW to the password.
e2e_add_user() {
	login=apkt-$2-$$
	[ "${#login}" -le 32 ] || bail "login name $login too long"
	if getent passwd "$login" >/dev/null; then
		bail "account $login exists already"
	fi
	useradd -m -s /bin/sh -c "pam_apikey e2e test" "$login" >"$E2E_TMP/err" 2>&1 || {
		diag_file "$E2E_TMP/err"
		bail "useradd $login"
	}
	E2E_USERS="$E2E_USERS $login"
	printf '%s\n' "$login" >>"$E2E_TMP/users"
	pw="Pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
	printf '%s:%s\n' "$login" "$pw" | chpasswd || bail "chpasswd $login"
	printf '%s\n' "$pw" >>"$E2E_TMP/secrets"
	eval "$1=\$login; ${1}_PW=\$pw"
}

# e2e_remove_user LOGIN: deletes the account's keys (as root, through the
# installed helper), its processes (by pid), the account and its home.
e2e_remove_user() {
	e2e_delete_keys "$1"
	for pid in $(ps -o pid= -u "$1" 2>/dev/null); do
		kill -KILL "$pid" 2>/dev/null
	done
	if getent passwd "$1" >/dev/null; then
		userdel -r "$1" >/dev/null 2>&1 || userdel -f -r "$1" >/dev/null 2>&1 ||
			echo "# cleanup: userdel $1 failed" >&2
	fi
	if getent group "$1" >/dev/null; then
		groupdel "$1" >/dev/null 2>&1
	fi
	return 0
}

# e2e_delete_keys LOGIN: deletes all of LOGIN's keys (as root).
e2e_delete_keys() {
	if [ -x "$APKCTL" ] && getent passwd "$1" >/dev/null; then
		ids=$(e2e_key_ids "$1")
		if [ -n "$ids" ]; then
			# shellcheck disable=SC2086
			"$APKCTL" --user "$1" delete --yes $ids >/dev/null 2>&1 ||
				echo "# cleanup: could not delete the keys of $1" >&2
		fi
	fi
	return 0
}

# e2e_key_ids LOGIN: the ids of LOGIN's keys, as root sees them.
e2e_key_ids() {
	"$APKCTL" --user "$1" list --json 2>/dev/null |
		grep -o '"id"[[:space:]]*:[[:space:]]*"[A-Za-z0-9_-]*"' |
		sed 's/.*"\([A-Za-z0-9_-]*\)"$/\1/'
}

# as_user LOGIN CMD...: runs CMD as LOGIN (real and effective ids), from /.
as_user() {
	u=$1
	shift
	(cd / && exec runuser -u "$u" -- "$@")
}

# e2e_secret TOKEN: remembers a token (and its secret part) so that the logs
# can be searched for it.
e2e_secret() {
	[ -n "$1" ] || return 0
	printf '%s\n' "$1" >>"$E2E_TMP/secrets"
	s=$(key_secret "$1")
	[ -n "$s" ] && printf '%s\n' "$s" >>"$E2E_TMP/secrets"
	return 0
}

# Parts of a token: apk_ + id (12) + secret (44) + checksum (8).
key_id() { printf '%s' "$1" | cut -c5-16; }
key_secret() { printf '%s' "$1" | cut -c17-60; }
key_wellformed() { printf '%s' "$1" | grep -Eqx 'apk_[A-Za-z0-9_-]{64}'; }

# e2e_generate VAR LOGIN [ARG...]: LOGIN runs the installed setuid
# `apikeyctl generate -q ARG...`; sets VAR to the printed key.
e2e_generate() {
	var=$1
	u=$2
	shift 2
	run_cmd as_user "$u" "$APKCTL" generate -q "$@"
	tok=$(cat "$E2E_TMP/out")
	if [ "$RC" -ne 0 ] || ! key_wellformed "$tok"; then
		diag "exit status $RC"
		diag_file "$E2E_TMP/err"
		bail "$u: apikeyctl generate -q $* printed no key"
	fi
	e2e_secret "$tok"
	eval "$var=\$tok"
}

# ---- PAM service files ------------------------------------------------------

# e2e_pam_service NAME < CONTENT: writes /etc/pam.d/NAME, removed at exit.
e2e_pam_service() {
	f=/etc/pam.d/$1
	if [ -e "$f" ]; then
		echo "# replacing leftover $f"
	fi
	E2E_PAMFILES="$E2E_PAMFILES $f"
	cat >"$f" || bail "cannot write $f"
	chmod 0644 "$f"
}

# ---- syslog -----------------------------------------------------------------

# e2e_syslog_start: our own receiver on /dev/log for the length of the
# script; a /dev/log that exists is moved aside and put back at exit.
e2e_syslog_start() {
	E2E_SYSLOG=$E2E_TMP/syslog
	: >"$E2E_SYSLOG"
	E2E_SYNC_N=0
	if [ -S /dev/log ] && ! "$E2E_PY" -c 'import socket
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).connect("/dev/log")' 2>/dev/null; then
		echo "# removing a dead /dev/log socket (nothing listens on it)"
		rm -f /dev/log
	fi
	for f in /dev/log.apkt-saved.*; do
		[ -e "$f" ] && echo "# leftover from an interrupted run: $f"
	done
	if [ -e /dev/log ] || [ -L /dev/log ]; then
		E2E_DEVLOG_SAVED=/dev/log.apkt-saved.$$
		mv /dev/log "$E2E_DEVLOG_SAVED" || bail "cannot move /dev/log aside"
		echo "# /dev/log moved aside to $E2E_DEVLOG_SAVED for the test"
	fi
	"$E2E_PY" "$E2E_LIB/syslog_listener.py" /dev/log "$E2E_SYSLOG" \
		2>"$E2E_TMP/listener.err" 9>&- &
	E2E_SYSLOG_PID=$!
	i=0
	while [ ! -S /dev/log ] && [ "$i" -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -S /dev/log ] || {
		diag_file "$E2E_TMP/listener.err"
		bail "syslog listener did not start"
	}
	E2E_DEVLOG_INODE=$(stat -c %i /dev/log)
	log_sync || bail "syslog listener does not receive"
}

e2e_syslog_stop() {
	[ -n "$E2E_SYSLOG_PID" ] && e2e_stop_pid "$E2E_SYSLOG_PID"
	E2E_SYSLOG_PID=""
	if [ -n "$E2E_DEVLOG_INODE" ] && [ -S /dev/log ] &&
		[ "$(stat -c %i /dev/log)" = "$E2E_DEVLOG_INODE" ]; then
		rm -f /dev/log
	fi
	E2E_DEVLOG_INODE=""
	if [ -n "$E2E_DEVLOG_SAVED" ]; then
		if [ -e /dev/log ] || [ -L /dev/log ]; then
			echo "# cleanup: /dev/log exists again; the original is $E2E_DEVLOG_SAVED" >&2
		else
			mv "$E2E_DEVLOG_SAVED" /dev/log
		fi
		E2E_DEVLOG_SAVED=""
	fi
}

# log_sync: returns once everything logged before the call is in $E2E_SYSLOG
# (one socket, one queue: our marker arrives after all earlier messages).
log_sync() {
	E2E_SYNC_N=$((E2E_SYNC_N + 1))
	tag="apkt-e2e-sync-$$-$E2E_SYNC_N"
	logger -u /dev/log -t apkt-e2e "$tag" 2>/dev/null || return 1
	i=0
	while ! grep -qF "$tag" "$E2E_SYSLOG"; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || return 1
		sleep 0.1
	done
	return 0
}

# log_mark: starts a window; log_window FILE: writes the lines logged since
# that name one of this script's accounts (other programs running on the
# machine, such as other test suites, log to /dev/log too).
log_mark() {
	log_sync
	E2E_MARK=$(wc -l <"$E2E_SYSLOG")
}
log_window() {
	log_sync
	tail -n +"$((E2E_MARK + 1))" "$E2E_SYSLOG" | grep -v 'apkt-e2e-sync-' |
		grep -F -f "$E2E_TMP/users" >"$1"
}

# count_re FILE ERE: number of lines of FILE matching ERE.
count_re() {
	grep -cE -- "$2" "$1" 2>/dev/null
	return 0
}

# tap_one_line DESC FILE ERE: exactly one authpriv (facility 10) line of FILE
# matches ERE.
tap_one_line() {
	n=$(count_re "$2" "^10 [0-7] .*$3")
	if [ "$n" -eq 1 ]; then
		tap_ok "$1"
	else
		tap_not_ok "$1"
		diag "$n authpriv line(s) match (want 1): $3" "logged in the window:"
		diag_file "$2"
	fi
}

# change DESC ERE CMD...: CMD succeeds (tap_run) and writes exactly one authpriv line
# from apikeyctl matching ERE.
change() {
	desc=$1
	re=$2
	shift 2
	log_mark
	tap_run "$desc" "$@"
	log_window "$E2E_TMP/window"
	tap_one_line "$desc: one authpriv line from apikeyctl" "$E2E_TMP/window" \
		"apikeyctl(\\[[0-9]+\\])?: $re\$"
	n=$(count_re "$E2E_TMP/window" "apikeyctl(\\[[0-9]+\\])?: ")
	tap_is "$desc: no other apikeyctl line" "$n" 1
}

# tap_examples DESC DIR: every example PAM file of doc/pam.d and web server
# site of doc/web is in DIR, byte for byte.
tap_examples() {
	ok=0
	n=0
	for f in "$APK_TOP"/doc/pam.d/* "$APK_TOP"/doc/web/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		cmp -s "$f" "$2/$(basename "$f")" || {
			diag "not in $2: $f"
			ok=1
		}
	done
	[ "$n" -gt 0 ] || ok=1
	tap_check "$1 ($n)" "$ok"
}

# tap_no_secret DESC FILE...: no remembered key, secret or password in FILEs.
tap_no_secret() {
	d=$1
	shift
	if grep -qF -f "$E2E_TMP/secrets" "$@" 2>/dev/null; then
		tap_not_ok "$d"
		diag "a secret was found in: $*"
	else
		tap_ok "$d"
	fi
}
