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
check "each poll is a new connection, logged" sh -c '[ "$(grep -c "connected to" "$1")" -ge 2 ]' - "$t/daemonA.log"
kill "$daemon"
wait "$daemon"
check "SIGTERM stops it (exit 0)" test $? -eq 0

done_testing
