#!/bin/sh
# tests/ldap/sync_poll.sh - apikeyd against a directory without Content Sync
# (a real slapd without the syncprov overlay): it says so once, polls every
# fleet_refresh, and the mirror follows: a new key logs in, a deleted one
# is refused within about fleet_refresh; apikeyd --once works the same.
# Needs root (the local account alice, the host's account:
# tests/ldap/lib/mirror_host.sh).
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
SLAPD_SYNCPROV=0
. "$top/tests/ldap/lib/mirror_host.sh"
mirror_start "apikeyd's polling" alice=10001

key=$(as alice generate -q -n laptop 2>"$t/err")
host "$apkd" --once --config "$t/host-a.conf" --db "$t/dbA" --foreground >"$t/once.out" 2>&1
rc=$?
check "apikeyd --once against a server without Content Sync: exit 0, polling said once, 1 key" \
	sh -c '[ "$1" -eq 0 ] && grep -c "offers no Content Sync" "$2" | grep -qx 1 &&
		grep -q "refresh done: 1 keys for 1 accounts" "$2"' - "$rc" "$t/once.out"
login alice "$key"
check "the key logs in" test $? -eq 0

# 3 keys of bob, who has no account on this host: skipped at every poll
"$B/tests/fleet_ldif" -A "$SLAPD_BASE" bob 1 3 10002 "$t/bob.keys" | ldap_as root ldapadd >/dev/null 2>>"$t/err"
start_daemon
wait_log "refresh done"
"$apkd" --status --socket "$t/run/A.sock" >"$t/status" 2>&1
check "apikeyd --status says poll" grep -qx "fleet_mode poll" "$t/status"
key2=$(as alice generate -q -n second 2>>"$t/err")
until_login 0 alice "$key2" 60
check "a new key logs in at the next poll ($took ms; fleet_refresh 2 s)" test $? -eq 0
ldap_as alice ldapdelete "apiKeyId=$(printf '%s' "$key2" | cut -c5-16),$(ldap_dn alice)" 2>>"$t/err"
until_login 1 alice "$key2" 60
rc=$?
echo "# polling every 2 s: ldapdelete -> refused in $took ms"
check "a deleted key is refused at the next poll ($took ms)" test $rc -eq 0 -a "$took" -lt 5000
login alice "$key"
check "the other key still logs in" test $? -eq 0
# each poll is a new connection and a full refresh: said once, not at each
polls() { grep -c "refresh done" "$t/daemonA.log"; }
wait_until 100 - sh -c '[ "$(grep -c "refresh done" "$1")" -ge 4 ]' - "$t/daemonA.log"
echo "# $(polls) polls: $(grep -c "connected to" "$t/daemonA.log") \"connected\" lines, $(grep -c "no such account" "$t/daemonA.log") for bob's keys (grep -c)"
check "$(polls) polls, each a new connection: \"connected\" logged once" \
	sh -c '[ "$2" -ge 4 ] && [ "$(grep -c "connected to" "$1")" -eq 1 ]' - "$t/daemonA.log" "$(polls)"
check "... bob's 3 keys (no account here) one line naming him and the count, not one a key or a poll" \
	sh -c '[ "$(grep -c "no such account on this host" "$1")" -eq 1 ] &&
		grep -q "skipped 3 keys of bob: no such account on this host" "$1"' - "$t/daemonA.log"
slapd_pause
wait_log "trying again" 100
slapd_resume
check "after an outage (slapd stopped, started again): \"connected\" logged again, once" \
	wait_until 100 - sh -c '[ "$(grep -c "connected to" "$1")" -eq 2 ]' - "$t/daemonA.log"
kill "$daemon"
wait "$daemon"
check "SIGTERM stops it (exit 0)" test $? -eq 0

done_testing
