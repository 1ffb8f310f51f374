#!/bin/sh
# tests/ldap/sync_restart.sh - apikeyd restarts its sync process when it
# dies, against a real slapd (tests/ldap/lib/slapd.sh, with syncprov) holding
# about 10,900 keys: kill -9 of the sync process, and a new one runs within
# the delay (its log line, apikeyd --status); the new process starts clean
# (no inherited signal mask or handler, not the listening socket) and the
# service keeps no copy of the host's password; a key deleted after the
# restart is refused within 5 s, a key added after it logs in (measured,
# printed); repeated kills: 1, 2, 4, 8 s between death and restart.
# Needs root (the local accounts, the host's account, /proc of another
# account's processes).
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
. "$top/tests/ldap/lib/mirror_host.sh"
# the host's password file is the host account's (mirror_host.sh): each
# sync process reads it itself
mirror_start "apikeyd's sync restarts" alice=10001

id_of() { printf '%s' "$1" | cut -c5-16; }
status() { "$apkd" --status --socket "$t/run/A.sock" >"$t/status" 2>&1; }
syncpid() { pgrep -P "$daemon" | head -n 1; }

# the directory: alice's key, and 10,900 keys of 109 accounts this host
# does not have (uidNumber 20000 and up), so that a refresh from nothing
# takes a while (loaded offline: slapadd)
key=$(as alice generate -q -n laptop 2>"$t/err")
"$B/tests/fleet_ldif" "$SLAPD_BASE" far 109 100 20000 "$t/far.keys" >"$t/bulk.ldif"
slapd_bulk_add "$t/bulk.ldif"

t0=$(ms)
start_daemon
wait_log "refresh done" 600
echo "# first refresh of the mirror (from nothing) done $(($(ms) - t0)) ms after the start: $(grep "refresh done" "$t/daemonA.log" | head -n 1 | sed 's/.*refresh done: //')"
status
check "apikeyd starts: its sync process runs, no restart yet" \
	sh -c 'grep -qx "fleet_process running" "$1" && grep -qx "fleet_restarts 0" "$1" &&
		grep -qx "fleet_last_end none" "$1" && grep -qx "fleet_keys 1" "$1"' - "$t/status"
login alice "$key"
check "alice's key logs in" test $? -eq 0

# ---- kill -9: another process within the delay ------------------------------
old=$(syncpid)
since=$(ms)
kill -9 "$old"
wait_log "sync process [0-9]* started (restart 1)" 50
rc=$?
took=$(($(ms) - since))
echo "# kill -9 of sync process $old -> restart 1 logged after $took ms"
check "kill -9 of the sync process: one line says how it ended and the delay" \
	grep -q "the sync process $old killed by signal 9 (Killed) after [0-9]* s: the mirror is not refreshed until another starts in 1 s" "$t/daemonA.log"
check "a new sync process starts within the delay (1 s; $took ms)" test $rc -eq 0 -a "$took" -lt 2500
new=$(syncpid)
status
check "apikeyd --status: running again, 1 restart, how the last one ended" \
	sh -c 'grep -qx "fleet_process running" "$1" && grep -qx "fleet_restarts 1" "$1" &&
		grep -qx "fleet_last_end killed by signal 9 (Killed)" "$1"' - "$t/status"

# the new process starts clean: no signal blocked, no handler of the
# service's (SIGHUP's reload, SIGCHLD's wake-up), not the listening socket
mask() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }
# (the service blocks SIGTERM, SIGINT, SIGHUP and SIGCHLD outside its poll)
check "the new process blocks no signal ($(mask "$new" SigBlk))" test "$(mask "$new" SigBlk)" = 0000000000000000
# caught: SIGINT (2) and SIGTERM (15) only, 0x4002; the service catches SIGHUP and SIGCHLD too
check "it catches SIGINT and SIGTERM only ($(mask "$new" SigCgt); the service: $(mask "$daemon" SigCgt))" \
	test "$(mask "$new" SigCgt)" = 0000000000004002
lsock=$(awk -v p="$t/run/A.sock" '$NF == p { print $7 }' /proc/net/unix | sort -u)
inodes() { for f in /proc/$1/fd/*; do readlink "$f"; done 2>/dev/null | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | sort -u; }
inodes "$daemon" >"$t/parent.inodes"
inodes "$new" >"$t/child.inodes"
printf '%s\n' $lsock | sort -u >"$t/listen.inodes"
check "the service holds its listening socket; the new sync process does not" \
	sh -c '[ -s "$1" ] && [ -n "$(comm -12 "$1" "$2")" ] && [ -z "$(comm -12 "$1" "$3")" ]' \
	- "$t/listen.inodes" "$t/parent.inodes" "$t/child.inodes"
# the host's password: in the sync process's memory (it binds with it), not
# in the service's (it reads no more than its mode at start, then wipes it)
# Mappings over 256 MB are skipped: a sanitizer build's shadow memory
# (terabytes, holding no data of the program's) would take minutes to read
# and grep's line buffer would exhaust memory; every byte that is not
# printable becomes a line break, so no line is longer than the text in it.
inmem() { # PID FILE: whether FILE's bytes are in PID's writable memory
	grep -E '^[0-9a-f]+-[0-9a-f]+ rw' "/proc/$1/maps" | while read -r range rest; do
		s=$((0x${range%-*})) e=$((0x${range#*-}))
		[ $((e - s)) -le $((256 << 20)) ] || continue
		dd if="/proc/$1/mem" bs=4096 skip=$((s / 4096)) count=$(((e - s) / 4096)) 2>/dev/null
	done | tr -c '[:print:]' '\n' | grep -qF "$(cat "$2")"
}
inmem "$new" "$t/host-a.pw"
rcc=$?
inmem "$daemon" "$t/host-a.pw"
check "the host's password is in the sync process's memory and not in the service's" \
	test $rcc -eq 0 -a $? -ne 0

# just after a restart (the new process's first refresh under way): a key
# deleted is refused, a key added logs in, within 5 s
since=$(ms)
ldap_as alice ldapdelete "apiKeyId=$(id_of "$key"),$(ldap_dn alice)" 2>>"$t/err"
until_login 1 alice "$key" 100
rc=$?
echo "# restart 1, then ldapdelete -> refused in $took ms (from just before the ldapdelete)"
check "a key deleted with ldapdelete after the restart is refused within 5 s ($took ms)" \
	test $rc -eq 0 -a "$took" -lt 5000
old=$(syncpid)
kill -9 "$old"
wait_log "sync process [0-9]* started (restart 2)" 50
since=$(ms)
key2=$(as alice generate -q -n after 2>>"$t/err")
echo "# (the generate took $(($(ms) - since)) ms)"
until_login 0 alice "$key2" 100
rc=$?
echo "# restart 2, then apikeyctl --fleet generate -> logs in after $took ms (from just before the generate)"
check "a key generated after a restart logs in within 5 s ($took ms)" test $rc -eq 0 -a "$took" -lt 5000

# ---- repeated kills: the delay doubles --------------------------------------
for r in 3 4; do
	old=$(syncpid)
	since=$(ms)
	kill -9 "$old"
	wait_log "sync process [0-9]* started (restart $r)" 200
	echo "# restart $r: $(($(ms) - since)) ms after the kill"
	eval "took$r=$(($(ms) - since))"
done
grep -o "another starts in [0-9]* s" "$t/daemonA.log" | sed 's/[^0-9]//g' | tr '\n' ' ' >"$t/delays"
echo "# delays logged: $(cat "$t/delays")"
check "kills in a row: the delays logged grow 1, 2, 4, 8 s" test "$(cat "$t/delays")" = "1 2 4 8 "
check "... and are kept: restart 3 after at least 4 s ($took3 ms), restart 4 after at least 8 s ($took4 ms)" \
	test "$took3" -ge 4000 -a "$took4" -ge 8000
status
check "apikeyd --status counts 4 restarts" grep -qx "fleet_restarts 4" "$t/status"
PAM_WRAPPER_DEBUGLEVEL=2 login alice "$key2"
rc=$?
check "alice's new key still logs in" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/# /' "$t/login.out"

kill "$daemon"
wait "$daemon"
check "SIGTERM stops apikeyd and its sync process (exit 0, no sync process left)" \
	sh -c '[ "$1" -eq 0 ] && ! pgrep -u "$2" -x apikeyd >/dev/null' - $? "$HOSTUSER"
grep -E "refresh done|sync process|started" "$t/daemonA.log" | sed "s|^|# |"
done_testing
