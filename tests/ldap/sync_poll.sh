#!/bin/sh
# tests/ldap/sync_poll.sh - apikeyd against a directory without Content Sync
# (a real slapd without the syncprov overlay): it says so once, polls every
# fleet_refresh, and the mirror follows: a new key logs in, a deleted one
# is refused within about fleet_refresh; apikeyd --once works the same.
# Needs root (the local account alice, the host's account).
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
B=${APK_BUILD:-$top/build}
ctl=$B/tests/apikeyctl
apkd=$B/apikeyd
module=$B/pam_apikey.so
wrapper=
for w in /usr/lib/*/libpam_wrapper.so; do [ -e "$w" ] && wrapper=$w; done
. "$top/tests/lib/san_preload.sh"
sanpre=$(san_preload "$module")

if [ "$(id -u)" -ne 0 ]; then
	echo "ok 1 # SKIP apikeyd's polling: needs root (useradd)"
	echo "1..1"
	exit 0
fi
for p in "$ctl" "$apkd" "$module" "$wrapper" /usr/bin/pamtester; do
	{ [ -n "$p" ] && [ -e "$p" ]; } || { echo "not ok 1 - ${p:-libpam_wrapper.so} missing (make all tests; make deps)"; echo "1..1"; exit 1; }
done

exec 9>/tmp/apk-fleetctl-users.lock
flock 9
made='' pids=''
HOSTUSER=apkt-synchost
ON_EXIT='for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; for u in $made; do userdel "$u" 2>/dev/null; done'
SLAPD_SYNCPROV=0
. "$top/tests/ldap/lib/slapd.sh"
slapd_test_start
for u in alice $HOSTUSER; do
	if id "$u" >/dev/null 2>&1; then
		not_ok "local account $u is free for this test (it exists: remove it)"
		done_testing
		exit 1
	fi
done
useradd -M -d /nonexistent -s /bin/sh -u 10001 alice && made="$made alice"
useradd -r -M -d /nonexistent -s /usr/sbin/nologin $HOSTUSER && made="$made $HOSTUSER"

t=$SLAPD_DIR/t
mkdir "$t"
chmod 711 "$SLAPD_DIR"
chmod 755 "$t"
install -o alice -m 600 "$(ldap_pwfile alice)" "$t/alice.pw"
install -o $HOSTUSER -m 600 "$(ldap_pwfile host-a)" "$t/host-a.pw"
install -d -o $HOSTUSER -m 700 "$t/db" "$t/run"
{
	echo "fleet_uri = $SLAPD_LDAPI"
	echo "fleet_base = $SLAPD_BASE"
	echo "fleet_bind_dn = $(ldap_dn host-a)"
	echo "fleet_bind_password_file = $t/host-a.pw"
	echo "fleet_host_name = host-a"
	echo "fleet_refresh = 2s"
} >"$t/host.conf"
printf 'fleet_uri = %s\nfleet_base = ou=people,%s\n' "$SLAPD_LDAPI" "$SLAPD_BASE" >"$t/user.conf"
chmod 644 "$t/host.conf" "$t/user.conf"
as_alice() {
	APIKEY_POLICY=$t/user.conf setpriv --reuid=alice --regid=alice --init-groups \
		"$ctl" --fleet --password-file "$t/alice.pw" "$@" </dev/null
}
host() { setpriv --reuid=$HOSTUSER --regid=$HOSTUSER --clear-groups "$@"; }
mkdir "$t/pam.d"
printf 'auth required %s db=%s nodelay\naccount required pam_permit.so\n' "$module" "$t/db" \
	>"$t/pam.d/apkt-poll"
login() { # USER KEY: 0 when accepted on this host
	printf '%s\n' "$2" | host env LD_PRELOAD="$sanpre$wrapper" ${sanpre:+ASAN_OPTIONS=detect_leaks=0} PAM_WRAPPER=1 \
		PAM_WRAPPER_SERVICE_DIR="$t/pam.d" timeout 20 pamtester apkt-poll "$1" authenticate \
		>"$t/login.out" 2>&1
}
ms() { date +%s%3N; }
until_login() { # WANT USER KEY TENTHS: as tests/ldap/sync.sh's; time in $took
	t0=$(ms)
	i=0
	while :; do
		login "$2" "$3"
		r=$?
		took=$(($(ms) - t0))
		if { [ "$1" -eq 0 ] && [ $r -eq 0 ]; } || { [ "$1" -eq 1 ] && [ $r -ne 0 ]; }; then
			return 0
		fi
		[ $i -lt "$4" ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

key=$(as_alice generate -q -n laptop 2>"$t/err")
host "$apkd" --once --config "$t/host.conf" --db "$t/db" --foreground >"$t/once.out" 2>&1
rc=$?
check "apikeyd --once against a server without Content Sync: exit 0, polling said once, 1 key" \
	sh -c '[ "$1" -eq 0 ] && grep -c "offers no Content Sync" "$2" | grep -qx 1 &&
		grep -q "refresh done: 1 keys for 1 accounts" "$2"' - "$rc" "$t/once.out"
login alice "$key"
check "the key logs in" test $? -eq 0

setpriv --reuid=$HOSTUSER --regid=$HOSTUSER --clear-groups "$apkd" --foreground \
	--config "$t/host.conf" --db "$t/db" --socket "$t/run/a.sock" >"$t/daemon.log" 2>&1 &
daemon=$!
pids="$pids $daemon"
i=0
while ! grep -q "refresh done" "$t/daemon.log" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
"$apkd" --status --socket "$t/run/a.sock" >"$t/status" 2>&1
check "apikeyd --status says poll" grep -qx "fleet_mode poll" "$t/status"
key2=$(as_alice generate -q -n second 2>>"$t/err")
until_login 0 alice "$key2" 60
check "a new key logs in at the next poll ($took ms; fleet_refresh 2 s)" test $? -eq 0
ldap_as alice ldapdelete "apiKeyId=$(printf '%s' "$key2" | cut -c5-16),$(ldap_dn alice)" 2>>"$t/err"
until_login 1 alice "$key2" 60
rc=$?
echo "# polling every 2 s: ldapdelete -> refused in $took ms"
check "a deleted key is refused at the next poll ($took ms)" test $rc -eq 0 -a "$took" -lt 5000
login alice "$key"
check "the other key still logs in" test $? -eq 0
check "each poll is a new connection, logged" sh -c '[ "$(grep -c "connected to" "$1")" -ge 2 ]' - "$t/daemon.log"
kill "$daemon"
wait "$daemon"
check "SIGTERM stops it (exit 0)" test $? -eq 0

done_testing
