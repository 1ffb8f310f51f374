#!/bin/sh
# tests/e2e/45_privileges.sh - what the installed set-user-ID root apikeyctl
# is while it runs, seen from outside through /proc.
#
# The helper is made to wait: the test holds the account's lock as the
# helper account, so a writer waits for it (up to about 5 s) and can be
# inspected. Checked:
#   - started by a user in adm and in a throwaway group, and by root: real,
#     effective, saved and fs uid and gid are the helper account's, no
#     supplementary groups, umask 077 even when started under umask 000;
#   - started with an extra inherited descriptor: only 0, 1, 2 and its own
#     files are open (close_range);
#   - started by root with fd 1 or 2 closed: that fd is /dev/null while it
#     runs (the helper's own reopening: glibc only does it for set-user-ID
#     callers, and root is not one);
#   - after changes by that user and by root, every file of the database is
#     owned by the helper account and its group (or root), never the
#     caller's group;
#   - root's APIKEY_DB is ignored by the installed helper;
#   - argv[0] "" (what the kernel makes of an empty argv) is refused.
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
e2e_begin pgrep groupadd groupdel usermod perl

TOOL=$APK_BUILD/tests/hostile_tool
[ -x "$TOOL" ] || bail "$TOOL is not built (make tests)"
e2e_install
HUID=$(id -u "$HELPER_USER")
HGID=$(id -g "$HELPER_USER")

# A throwaway group, removed at exit with everything else.
XGROUP=apkt-grp-$$
groupadd "$XGROUP" || bail "groupadd $XGROUP"
trap 'groupdel "$XGROUP" 2>/dev/null; e2e_cleanup' EXIT
e2e_add_user BOB bob
usermod -a -G "adm,$XGROUP" "$BOB" || bail "usermod $BOB"
BUID=$(id -u "$BOB")
BGID=$(id -g "$BOB")
XGID=$(getent group "$XGROUP" | cut -d: -f3)
LOCK=$DBDIR/u$BUID.lock
# A lock file is never removed; one left by a deleted account with BOB's
# uid would keep its old owner. BOB is new: start from a fresh one.
rm -f "$LOCK"
: >"$E2E_TMP/since"
sleep 1
e2e_generate KEY_B "$BOB" --name first

groups_of_bob=" $(as_user "$BOB" id -G) "
case $groups_of_bob in
*" 4 "*) case $groups_of_bob in
	*" $XGID "*) tap_ok "$BOB runs in adm and $XGROUP ($groups_of_bob)" ;;
	*) tap_not_ok "$BOB runs in adm and $XGROUP ($groups_of_bob)" ;;
	esac ;;
*) tap_not_ok "$BOB runs in adm and $XGROUP ($groups_of_bob)" ;;
esac

# waiting TAG CMD...: starts CMD (which runs apikeyctl with TAG as its last
# argument) in the background while the lock is held; sets
# PID to the waiting apikeyctl's pid, WAITER to the background job.
waiting() {
	tag=$1
	shift
	e2e_hold_lock "$LOCK" 8 || { diag_file "$E2E_TMP/hold"; bail "could not hold $LOCK"; }
	("$@" >"$E2E_TMP/w.out" 2>"$E2E_TMP/w.err" 9>&-; echo $? >"$E2E_TMP/w.rc") &
	WAITER=$!
	PID=""
	i=0
	while [ -z "$PID" ] && [ $i -lt 30 ]; do
		sleep 0.1
		PID=$(pgrep -n -f -- " $tag\$")
		i=$((i + 1))
	done
	sleep 0.3 # past the start-up, waiting on the lock
}

# done_waiting: the waiter gave up ("busy"); the holder is stopped.
done_waiting() {
	wait "$WAITER"
	e2e_stop_pid "$HOLDER"
}

# ids_are WHO PID: Uid, Gid, Groups and Umask of PID.
ids_are() {
	who=$1 pid=$2
	st=/proc/$pid/status
	tap_is "$who: real, effective, saved and fs uid are $HELPER_USER's" \
		"$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$st")" "$HUID $HUID $HUID $HUID"
	tap_is "$who: real, effective, saved and fs gid are $HELPER_USER's" \
		"$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "$st")" "$HGID $HGID $HGID $HGID"
	tap_is "$who: no supplementary groups" \
		"$(awk '/^Groups:/ { $1 = ""; print }' "$st" | tr -d ' ')" ""
	tap_is "$who: umask 077, though started under umask 000" \
		"$(awk '/^Umask:/ { print $2 }' "$st")" "0077"
}

# fds_of PID: "N -> target" for each open descriptor of PID.
fds_of() {
	for f in /proc/"$1"/fd/*; do
		printf '%s -> %s\n' "${f##*/}" "$(readlink "$f")"
	done | sort -n
}

# ---- a user in extra groups, with an extra descriptor ------------------------

tag=bob$$
waiting "$tag" as_user "$BOB" sh -c \
	"umask 000; exec '$APKCTL' generate -q --name $tag 7</etc/hostname"
if [ -n "$PID" ]; then
	ids_are "started by $BOB" "$PID"
	fds_of "$PID" >"$E2E_TMP/fds"
	diag "open in the waiting helper:" "$(cat "$E2E_TMP/fds")"
	tap_is "started with fd 7 open on /etc/hostname: it is closed" \
		"$(grep -c -e '-> /etc/hostname$' -e '^7 ' "$E2E_TMP/fds")" 0
	tap_is "only fds 0-2 and the database's own files are open" \
		"$(grep -v -e '^[012] ' -e "-> $DBDIR" "$E2E_TMP/fds")" ""
else
	tap_not_ok "a waiting apikeyctl started by $BOB was found"
fi
done_waiting
grep -q busy "$E2E_TMP/w.err"
tap_check "the waiting generate gave up ('busy')" $?
diag_file "$E2E_TMP/w.err"

# ---- root, with fd 2 and then fd 1 closed -----------------------------------------

# (a describe: a generate with stdout closed refuses before it waits)
for fd in 2 1; do
	tag=root$fd$$
	waiting "$tag" sh -c "umask 000; exec '$APKCTL' --user '$BOB' describe first $tag $fd>&-"
	if [ -n "$PID" ]; then
		[ "$fd" -eq 2 ] && ids_are "started by root" "$PID"
		tap_is "started by root with fd $fd closed: fd $fd is /dev/null while it runs" \
			"$(readlink "/proc/$PID/fd/$fd")" /dev/null
		tap_is "... open for writing" \
			"$(awk '/^flags:/ { print substr($2, length($2)) % 4 }' "/proc/$PID/fdinfo/$fd")" 1
	else
		tap_not_ok "a waiting apikeyctl started by root was found"
	fi
	done_waiting
done

# ---- the owners of the database's files ------------------------------------------------

run_cmd as_user "$BOB" sh -c "umask 000; exec '$APKCTL' generate -q --name second"
tap_is "$BOB generates a key" "$RC" 0
e2e_secret "$(cat "$E2E_TMP/out")"
run_cmd "$APKCTL" --user "$BOB" describe second "set by root"
tap_is "root describes $BOB's key" "$RC" 0
run_cmd as_user "$BOB" "$APKCTL" rename first renamed
tap_is "$BOB renames a key" "$RC" 0
tap_is "$BOB's files are $HELPER_USER:$HELPER_USER" \
	"$(find "$DBDIR" -name "u$BUID*" ! \( -user "$HUID" -group "$HGID" \) -printf '%u:%g %p\n')" ""
# (files older than this test may come from an earlier install, when the
# helper kept the caller's group)
tap_is "every file in $DBDIR made or changed since this test began is $HELPER_USER:$HELPER_USER or root's" \
	"$(find "$DBDIR" -newer "$E2E_TMP/since" ! \( -user "$HUID" -group "$HGID" \) \
		! \( -user 0 -group 0 \) -printf '%u:%g %p\n')" ""
tap_is "none of them has $BOB's group, adm or $XGROUP" \
	"$(find "$DBDIR" -newer "$E2E_TMP/since" \( -group "$BGID" -o -group 4 -o -group "$XGID" \) \
		-printf '%g %p\n')" ""

# ---- root's APIKEY_DB ----------------------------------------------------------------------

evil=$E2E_TMP/evil
mkdir -m 0777 "$evil"
chmod 0711 "$E2E_TMP"
run_cmd env APIKEY_DB="$evil" "$APKCTL" --user "$BOB" generate -q --name by-root
chmod 0700 "$E2E_TMP"
tok=$(cat "$E2E_TMP/out")
e2e_secret "$tok"
tap_is "root's APIKEY_DB: the installed helper still works" "$RC" 0
tap_is "root's APIKEY_DB is ignored: nothing in it" "$(ls -A "$evil")" ""
"$APKCTL" --user "$BOB" list --json | grep -q '"by-root"'
tap_check "root's APIKEY_DB is ignored: the key is in $DBDIR" $?

# ---- what the kernel lets through for an empty argv ----------------------------------------

before=$(db_state)
run_cmd as_user "$BOB" "$TOOL" noargv "$APKCTL" generate
tap_is "an empty argv: refused (status $RC)" "$(cat "$E2E_TMP/err")" \
	"apikeyctl: refused: empty argument list"
run_cmd as_user "$BOB" perl -e 'exec { $ARGV[0] } "", "generate", "-q" or exit 127' "$APKCTL"
tap_is "argv[0] \"\" with a command after it: refused (status $RC)" "$(cat "$E2E_TMP/err")" \
	"apikeyctl: refused: empty argument list"
tap_is "... and nothing changed" "$(db_state)" "$before"

# ---- the unit case that needs the installed account ---------------------------------------
# unit_lastused's helper_owned_file_written_by_root (root writes a last-use
# file owned by the helper account) skips in tests/run.sh's unit pass when
# the account does not exist yet, as on a fresh machine: here it does.
CMOCKA_MESSAGE_OUTPUT=TAP "$APK_BUILD/tests/unit_lastused" >"$E2E_TMP/unit" 2>&1
rc=$?
grep -Eq '^ok [0-9]+ - helper_owned_file_written_by_root$' "$E2E_TMP/unit" && [ "$rc" -eq 0 ]
ran=$?
tap_check "unit_lastused with the account installed: helper_owned_file_written_by_root ran and passed (status $rc)" $ran
[ "$ran" -eq 0 ] || diag_file "$E2E_TMP/unit"

e2e_end
