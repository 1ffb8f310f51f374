#!/bin/sh
# tests/ldap/sync.sh - apikeyd keeps a host's mirror of the directory's keys,
# against a real slapd (tests/ldap/lib/slapd.sh, with syncprov): alice
# generates with apikeyctl --fleet; apikeyd --once, bound as host-a, writes
# the mirror of a database directory; the key logs in through pamtester
# (the real libpam, the module given db=) against that directory. Needs
# root: local accounts matching the directory (alice with uidNumber 10001,
# bob with another uid than the directory's), and the account apikeyd and
# pamtester run as (the database's owner, as pam-apikey is installed).
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
	echo "ok 1 # SKIP apikeyd's mirror: needs root (useradd)"
	echo "1..1"
	exit 0
fi
for p in "$ctl" "$apkd" "$module" "$B/tests/fleet_ldif" "$wrapper" /usr/bin/pamtester; do
	{ [ -n "$p" ] && [ -e "$p" ]; } || { echo "not ok 1 - ${p:-libpam_wrapper.so} missing (make all tests; make deps)"; echo "1..1"; exit 1; }
done

# the local accounts alice, bob and admin are this test's alone while it runs
exec 9>/tmp/apk-fleetctl-users.lock
flock 9
made='' pids=''
HOSTUSER=apkt-synchost
ON_EXIT='for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; for u in $made; do userdel "$u" 2>/dev/null; done'
. "$top/tests/ldap/lib/slapd.sh"
slapd_test_start
for u in alice bob $HOSTUSER; do
	if id "$u" >/dev/null 2>&1; then
		not_ok "local account $u is free for this test (it exists: remove it)"
		done_testing
		exit 1
	fi
done
# alice as the directory says (10001); bob with another uid than its 10002
useradd -M -d /nonexistent -s /bin/sh -u 10001 alice && made="$made alice"
useradd -M -d /nonexistent -s /bin/sh -u 10012 bob && made="$made bob"
useradd -r -M -d /nonexistent -s /usr/sbin/nologin $HOSTUSER && made="$made $HOSTUSER"

t=$SLAPD_DIR/t
mkdir "$t"
chmod 711 "$SLAPD_DIR"
chmod 755 "$t"
for u in alice bob; do
	install -o "$u" -m 600 "$(ldap_pwfile "$u")" "$t/$u.pw"
done
# two hosts on this machine, A and B: each its configuration, its
# database directory and its socket, bound as host-a and host-b
install -o $HOSTUSER -m 600 "$(ldap_pwfile host-a)" "$t/host-a.pw"
install -o $HOSTUSER -m 600 "$(ldap_pwfile host-b)" "$t/host-b.pw"
install -d -o $HOSTUSER -m 700 "$t/dbA" "$t/dbB" "$t/run"
# conf HOST [MAX_STALE]: a host's pam_apikey.conf (root's, as the real one is)
conf() {
	{
		echo "fleet_uri = $SLAPD_LDAPI"
		echo "fleet_base = $SLAPD_BASE"
		echo "fleet_bind_dn = $(ldap_dn "$1")"
		echo "fleet_bind_password_file = $t/$1.pw"
		echo "fleet_host_name = $1"
		echo "fleet_max_stale = ${2:-15m}"
		echo "fleet_refresh = 2s"   # in persist mode: how often local accounts are looked up again
	} >"$t/$1.conf"
	chmod 644 "$t/$1.conf"
}
conf host-a
conf host-b
# the users' own apikeyctl configuration: the people
printf 'fleet_uri = %s\nfleet_base = ou=people,%s\n' "$SLAPD_LDAPI" "$SLAPD_BASE" >"$t/user.conf"
chmod 644 "$t/user.conf"
as() { # WHO ARGS...: apikeyctl --fleet as WHO
	who=$1
	shift
	APIKEY_POLICY=$t/user.conf setpriv --reuid="$who" --regid="$who" --init-groups \
		"$ctl" --fleet --password-file "$t/$who.pw" "$@" </dev/null
}
host() { # ARGS...: a program as the host's account (the database's owner)
	setpriv --reuid=$HOSTUSER --regid=$HOSTUSER --clear-groups "$@"
}
mkdir "$t/pam.d"
for h in A B; do
	printf 'auth required %s db=%s nodelay\naccount required pam_permit.so\n' "$module" "$t/db$h" \
		>"$t/pam.d/apkt-sync-$(echo "$h" | tr AB ab)"   # libpam looks up service names in lower case
done
on=A
login() { # USER KEY: pamtester through the module reading host $on's database, from
	# $RHOST when set (PAM_RHOST); 0 when accepted
	printf '%s\n' "$2" | host env LD_PRELOAD="$sanpre$wrapper" ${sanpre:+ASAN_OPTIONS=detect_leaks=0} PAM_WRAPPER=1 \
		PAM_WRAPPER_SERVICE_DIR="$t/pam.d" timeout 20 pamtester ${RHOST:+-I "rhost=$RHOST"} \
		"apkt-sync-$(echo "$on" | tr AB ab)" "$1" authenticate \
		>"$t/login.out" 2>&1
}

key=$(as alice generate -q -n laptop 2>"$t/err")
check "alice generates a directory key" sh -c 'printf "%s" "$1" | grep -Eq "^apk_[A-Za-z0-9_-]{64}$"' - "$key"
login alice "$key"
check "before any sync the key does not log in on host-a" test $? -ne 0

host "$apkd" --once --config "$t/host-a.conf" --db "$t/dbA" --foreground >"$t/once.out" 2>&1
rc=$?
check "apikeyd --once refreshes host-a's mirror (exit 0)" test $rc -eq 0
check "it logs the connection and the refresh's counts" \
	sh -c 'grep -q "connected to ldapi://.* as cn=host-a," "$1" && grep -q "refresh done: 1 keys for 1 accounts" "$1"' - "$t/once.out"
login alice "$key"
rc=$?
check "alice's directory key logs in through pamtester against host-a's database" test $rc -eq 0
[ $rc -eq 0 ] || sed "s|^|# |" "$t/login.out" "$t/once.out"
login alice "apk_$(printf '%s' "$key" | cut -c5-16)AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
check "a wrong secret for the same id does not" test $? -ne 0

# bob: the directory's uidNumber (10002) is not the local uid (10012)
bkey=$(as bob generate -q -n bobs 2>>"$t/err")
host "$apkd" --once --config "$t/host-a.conf" --db "$t/dbA" --foreground >"$t/once2.out" 2>&1
check "a key whose owner's uidNumber differs from the local uid: skipped, one line naming its DN" \
	sh -c 'grep -c "skipped apiKeyId=.*,uid=bob,ou=people,.*uidNumber 10002 is not the local uid 10012" "$1" | grep -qx 1' - "$t/once2.out"
login bob "$bkey"
check "bob's key does not log in" test $? -ne 0
login alice "$key"
check "alice's key still does (the rest applied)" test $? -eq 0

# the state says "in sync" only once the data is written and durable: an
# account file that cannot be replaced (its .new a directory) fails the
# refresh, and the state file keeps its old time
synced() { sed -n 's/^synced //p' "$t/dbA/fleet/state"; }
before=$(synced)
sleep 1.1
mkdir "$t/dbA/fleet/u10001.new"
host "$apkd" --once --config "$t/host-a.conf" --db "$t/dbA" >"$t/unwritable.out" 2>&1
rc=$?
check "a mirror that cannot be written: exit 1, the reason named, the state's sync time unchanged" \
	sh -c '[ "$1" -eq 1 ] && grep -q "cannot write the mirror of uid 10001" "$2" && [ "$3" = "$4" ]' \
	- "$rc" "$t/unwritable.out" "$before" "$(synced)"
rmdir "$t/dbA/fleet/u10001.new"
host "$apkd" --once --config "$t/host-a.conf" --db "$t/dbA" >/dev/null 2>&1
check "once it can be written, the next refresh moves the sync time on" test "$(synced)" -gt "$before"

# ---- persist: apikeyd --foreground follows each change --------------------
# a short fleet_max_stale (heartbeats every second) for the outage below
conf host-a 4s
start_daemon() { # [B]: host A's (or B's) apikeyd, its pid in $daemon (or $daemonB)
	h=${1:-A}
	: >"$t/daemon$h.log"
	# not through host(): $! must be apikeyd's pid (setpriv executes it)
	setpriv --reuid=$HOSTUSER --regid=$HOSTUSER --clear-groups "$apkd" --foreground \
		--config "$t/host-$(echo "$h" | tr AB ab).conf" --db "$t/db$h" --socket "$t/run/$h.sock" \
		>"$t/daemon$h.log" 2>&1 &
	if [ "$h" = A ]; then daemon=$!; else daemonB=$!; fi
	pids="$pids $!"
}
wait_log() { # PATTERN [TENTHS [HOST]]: until host A's (HOST's) log has it (default 10 s)
	i=0
	while ! grep -q "$1" "$t/daemon${3:-A}.log" && [ $i -lt "${2:-100}" ]; do sleep 0.1; i=$((i + 1)); done
	grep -q "$1" "$t/daemon${3:-A}.log"
}
ms() { date +%s%3N; }
# until_login WANT USER KEY TENTHS: until the login's outcome is WANT (0
# accepted, 1 refused), trying every 0.1 s at most TENTHS times; the time
# it took in $took (ms), from $since when set
until_login() {
	t0=${since:-$(ms)}
	i=0
	while :; do
		login "$2" "$3"
		r=$?
		if { [ "$1" -eq 0 ] && [ $r -eq 0 ]; } || { [ "$1" -eq 1 ] && [ $r -ne 0 ]; }; then
			took=$(($(ms) - t0))
			return 0
		fi
		took=$(($(ms) - t0))
		[ $i -lt "$4" ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}
id_of() { printf '%s' "$1" | cut -c5-16; }
start_daemon
start_daemon B
wait_log "refresh done" 100 B
check "apikeyd --foreground connects and refreshes, for host A and host B side by side" \
	sh -c 'grep -q "refresh done" "$1" && grep -q "refresh done" "$2" &&
		grep -q "as cn=host-a," "$1" && grep -q "as cn=host-b," "$2"' - "$t/daemonA.log" "$t/daemonB.log"
check "apikeyd --status: persist mode, connected, 1 key of 1 account, its last sync and lag" \
	sh -c '"$1" --status --socket "$2" >"$3" && grep -qx "fleet_mode persist" "$3" &&
		grep -qx "fleet_connected yes" "$3" && grep -qx "fleet_keys 1" "$3" &&
		grep -qx "fleet_accounts 1" "$3" && grep -Eqx "fleet_lag_seconds [0-9]+" "$3" &&
		grep -Eqx "fleet_last_sync [1-9][0-9]*" "$3"' - "$apkd" "$t/run/A.sock" "$t/status"

# nothing changes for longer than fleet_max_stale (4 s): the heartbeats
# keep the connected host fresh
sleep 6
login alice "$key"
check "a quiet but connected host stays fresh past fleet_max_stale (heartbeats)" test $? -eq 0

# a new key arrives; a deleted one is refused within 5 s
key2=$(as alice generate -q -n second 2>>"$t/err")
since=$(ms)
until_login 0 alice "$key2" 50
rcA=$? tookA=$took
on=B
until_login 0 alice "$key2" 50
rc=$?
on=A
check "a key generated while apikeyd runs logs in within 5 s on host A ($tookA ms) and host B ($took ms)" \
	test $rcA -eq 0 -a $rc -eq 0
since=$(ms)
ldap_as alice ldapdelete "apiKeyId=$(id_of "$key2"),$(ldap_dn alice)" 2>>"$t/err"
until_login 1 alice "$key2" 50
rcA=$? tookA=$took
on=B
until_login 1 alice "$key2" 50
rc=$?
on=A
since=
echo "# ldapdelete of the key (as alice) -> refused on host A in $tookA ms, on host B in $took ms (from just before the ldapdelete)"
check "a key deleted with ldapdelete is refused within 5 s on both hosts ($tookA ms, $took ms)" \
	test $rcA -eq 0 -a $rc -eq 0 -a "$tookA" -lt 5000 -a "$took" -lt 5000
login alice "$key"
check "alice's other key still logs in" test $? -eq 0
on=B
login alice "$key"
rc=$?
on=A
check "... on host B too" test $rc -eq 0

# bob's local uid made the directory's: his key is mirrored within
# fleet_refresh (2 s), without a change in the directory
usermod -u 10002 bob
until_login 0 bob "$bkey" 100
check "bob's local uid renumbered to the directory's uidNumber: his key logs in ($took ms)" test $? -eq 0

# disabled with ldapmodify: refused; enabled again: accepted
printf 'dn: apiKeyId=%s,%s\nchangetype: modify\nreplace: apiKeyDisabled\napiKeyDisabled: TRUE\n' \
	"$(id_of "$key")" "$(ldap_dn alice)" | ldap_as alice ldapmodify >/dev/null 2>>"$t/err"
until_login 1 alice "$key" 50
rc=$?
echo "# ldapmodify apiKeyDisabled: TRUE -> refused on host-a in $took ms"
check "a key disabled with ldapmodify is refused within 5 s ($took ms)" test $rc -eq 0 -a "$took" -lt 5000
printf 'dn: apiKeyId=%s,%s\nchangetype: modify\ndelete: apiKeyDisabled\n' \
	"$(id_of "$key")" "$(ldap_dn alice)" | ldap_as alice ldapmodify >/dev/null 2>>"$t/err"
until_login 0 alice "$key" 50
check "enabled again: it logs in again ($took ms)" test $? -eq 0

# expiry, services, networks, hosts, each set with ldapmodify (as alice):
# refused within 5 s on both hosts; the attribute deleted again: accepted
# modify ATTR [VALUE]: replace ATTR of alice's first key (no VALUE: delete it)
modify() {
	if [ $# -gt 1 ]; then
		printf 'dn: apiKeyId=%s,%s\nchangetype: modify\nreplace: %s\n%s: %s\n' \
			"$(id_of "$key")" "$(ldap_dn alice)" "$1" "$1" "$2"
	else
		printf 'dn: apiKeyId=%s,%s\nchangetype: modify\ndelete: %s\n' "$(id_of "$key")" "$(ldap_dn alice)" "$1"
	fi | ldap_as alice ldapmodify >/dev/null 2>>"$t/err"
}
# refused_both WHAT: alice's first key refused on host A and on host B, from
# just before the ldapmodify ($since), each within 5 s; measured, printed
refused_both() {
	until_login 1 alice "$key" 50
	rcA=$? tookA=$took
	on=B
	until_login 1 alice "$key" 50
	rc=$?
	on=A
	echo "# $1 -> refused on host A in $tookA ms, on host B in $took ms (from just before the ldapmodify)"
	check "$1: refused within 5 s on both hosts ($tookA ms, $took ms)" \
		test $rcA -eq 0 -a $rc -eq 0 -a "$tookA" -lt 5000 -a "$took" -lt 5000
}
accepted_both() { # WHAT: alice's first key logs in again on host A and host B
	since=
	until_login 0 alice "$key" 50
	rcA=$?
	on=B
	until_login 0 alice "$key" 50
	rc=$?
	on=A
	check "$1: accepted again on both hosts" test $rcA -eq 0 -a $rc -eq 0
}
since=$(ms)
modify apiKeyExpires 20200101000000Z
refused_both "apiKeyExpires set in the past (2020)"
modify apiKeyExpires
accepted_both "apiKeyExpires deleted"

since=$(ms)
modify apiKeyService apkt-other
refused_both "apiKeyService apkt-other (a service neither host's login uses)"
modify apiKeyService
accepted_both "apiKeyService deleted"

since=$(ms)
modify apiKeyNetwork 192.0.2.0/24
RHOST=198.51.100.7
refused_both "apiKeyNetwork 192.0.2.0/24, the login from 198.51.100.7"
RHOST=192.0.2.7
accepted_both "apiKeyNetwork 192.0.2.0/24, the login from 192.0.2.7 (inside it)"
RHOST=
modify apiKeyNetwork
accepted_both "apiKeyNetwork deleted, the login without a remote host"

# hosts: first naming host B only (refused on A: A applies it), then host A
# only: refused on B within 5 s and accepted on A again (A has the change)
since=$(ms)
modify apiKeyHost host-b
until_login 1 alice "$key" 50
rc=$?
since=
on=B
login alice "$key"
rcB=$?
on=A
check "apiKeyHost host-b: refused on host A ($took ms), accepted on host B" test $rc -eq 0 -a $rcB -eq 0
since=$(ms)
modify apiKeyHost host-a
on=B
until_login 1 alice "$key" 50
rc=$? tookB=$took
on=A
until_login 0 alice "$key" 50
rcA=$?
since=
echo "# ldapmodify apiKeyHost: host-a -> refused on host B in $tookB ms, accepted on host A after $took ms"
check "apiKeyHost host-a: refused on host B within 5 s ($tookB ms), accepted on host A ($took ms)" \
	test $rc -eq 0 -a "$tookB" -lt 5000 -a $rcA -eq 0 -a "$took" -lt 5000
modify apiKeyHost
accepted_both "apiKeyHost deleted"

# bad entries (added as the rootdn, as a broken tool or a careless
# administrator would): skipped with one line each, the rest applied
key3=$(as alice generate -q -n third 2>>"$t/err")
id3=$(id_of "$key3")
until_login 0 alice "$key3" 50
digest3=$(ldap_as root ldapsearch -LLL -o ldif-wrap=no -b "apiKeyId=$id3,$(ldap_dn alice)" -s base \
	'(objectClass=*)' apiKeyDigest | sed -n 's/^apiKeyDigest: //p')
{
	printf 'dn: apiKeyId=gArBaGe00001,%s\nobjectClass: pamApiKey\napiKeyId: gArBaGe00001\n' "$(ldap_dn alice)"
	printf 'apiKeyDigest: not a digest\napiKeyCreated: 20260101000000Z\napiKeyName: garbage\n\n'
	printf 'dn: apiKeyId=hUgEhUgE0001,%s\nobjectClass: pamApiKey\napiKeyId: hUgEhUgE0001\n' "$(ldap_dn alice)"
	printf 'apiKeyDigest: %s\napiKeyCreated: 20260101000000Z\napiKeyName: huge\n' "$digest3"
	printf 'apiKeyDescription: %s\n\n' "$(head -c 1000000 /dev/zero | tr '\0' x)"
	printf 'dn: ou=other,%s\nobjectClass: organizationalUnit\nou: other\n\n' "$SLAPD_BASE"
	printf 'dn: uid=alice,ou=other,%s\nobjectClass: account\nobjectClass: posixAccount\n' "$SLAPD_BASE"
	printf 'uid: alice\ncn: alice\nuidNumber: 10001\ngidNumber: 10001\nhomeDirectory: /home/alice\n\n'
	printf 'dn: apiKeyId=%s,uid=alice,ou=other,%s\nobjectClass: pamApiKey\napiKeyId: %s\n' "$id3" "$SLAPD_BASE" "$id3"
	printf 'apiKeyDigest: %s\napiKeyCreated: 20260101000000Z\napiKeyName: copy\n' "$digest3"
} | ldap_as root ldapadd >/dev/null 2>>"$t/err"
until_login 1 alice "$key3" 50
check "a second entry with the same id in alice's account: that id is refused ($took ms)" test $? -eq 0
check "one line for the garbage digest, one for the 1 MB description, one for each entry with the duplicated id, each naming its DN" \
	sh -c 'grep -c "skipped apiKeyId=gArBaGe00001,uid=alice,ou=people,.*: " "$1" | grep -qx 1 &&
		grep -c "skipped apiKeyId=hUgEhUgE0001,uid=alice,ou=people,.*: too large" "$1" | grep -qx 1 &&
		grep -c "skipped apiKeyId=$2,uid=alice,ou=other,.*another key of the account has the id" "$1" | grep -qx 1 &&
		grep -c "skipped apiKeyId=$2,uid=alice,ou=people,.*another key of the account has the id" "$1" | grep -qx 1' \
	- "$t/daemonA.log" "$id3"
login alice "$key"
check "the rest applied: alice's first key still logs in" test $? -eq 0
ldap_as root ldapdelete "apiKeyId=$id3,uid=alice,ou=other,$SLAPD_BASE" 2>>"$t/err"
until_login 0 alice "$key3" 50
check "the copy deleted: the key logs in again ($took ms)" test $? -eq 0

# an outage: still accepted until fleet_max_stale (4 s), then refused as
# stale; the directory back: accepted again without restarting apikeyd
slapd_pause
login alice "$key"
check "slapd stopped: a mirrored key still logs in at first" test $? -eq 0
until_login 1 alice "$key" 150
rc=$?
echo "# slapd stopped -> the key refused after $took ms (fleet_max_stale 4 s, heartbeat 1 s)"
check "refused once the mirror is older than fleet_max_stale (after $took ms; at most 4 s + 2 heartbeats)" \
	test $rc -eq 0 -a "$took" -lt 7500
PAM_WRAPPER_DEBUGLEVEL=2 login alice "$key"
check "the module's reason: directory mirror stale since ..." grep -q "directory mirror stale since" "$t/login.out"
on=B
login alice "$key"
rc=$?
on=A
check "host B (fleet_max_stale 15m) still accepts it meanwhile" test $rc -eq 0
slapd_resume
until_login 0 alice "$key" 700
rc=$?
echo "# slapd back -> accepted again in $took ms"
check "slapd back: accepted again without restarting apikeyd ($took ms)" test $rc -eq 0
check "it is the same apikeyd" kill -0 "$daemon"

# a server that hangs with the connection open (SIGSTOP): the heartbeats go
# unanswered, the sync time stops, the key is refused as stale; SIGCONT:
# accepted again
kill -STOP "$SLAPD_PID"
until_login 1 alice "$key" 150
rc=$?
echo "# slapd hung (SIGSTOP) -> the key refused after $took ms"
check "slapd hung with the connection open: refused as stale (after $took ms)" test $rc -eq 0 -a "$took" -lt 7500
PAM_WRAPPER_DEBUGLEVEL=2 login alice "$key"
check "with the stale reason" grep -q "directory mirror stale since" "$t/login.out"
kill -CONT "$SLAPD_PID"
until_login 0 alice "$key" 700
rc=$?
echo "# slapd continued -> accepted again in $took ms"
check "slapd continued: accepted again without restarting apikeyd ($took ms)" test $rc -eq 0

# kill -9 in the middle of a refresh: a key deleted meanwhile is refused
# after the restart, and the mirror is complete
kill -9 "$daemon"
wait "$daemon" 2>/dev/null
b=1
while [ $b -le 900 ]; do
	printf 'dn: apiKeyId=bulk%08d,%s\nobjectClass: pamApiKey\napiKeyId: bulk%08d\napiKeyDigest: %s\napiKeyCreated: 20260101000000Z\napiKeyName: bulk-%d\n\n' \
		"$b" "$(ldap_dn alice)" "$b" "$digest3" "$b"
	b=$((b + 1))
done >"$t/bulk.ldif"
# and 10,000 keys of 100 accounts this host does not have (uidNumber 20000
# and up), so that the refresh takes a while: loaded offline (slapadd)
"$B/tests/fleet_ldif" "$SLAPD_BASE" far 100 100 20000 "$t/far.keys" >>"$t/bulk.ldif"
slapd_bulk_add "$t/bulk.ldif"
start_daemon
wait_log "connected to" 100
sleep 0.2
kill -9 "$daemon"
wait "$daemon" 2>/dev/null
if grep -q "refresh done" "$t/daemonA.log"; then
	echo "# apikeyd was killed after its refresh was written"
else
	echo "# apikeyd was killed in its refresh of 10,902 keys, before it was written"
fi
ldap_as alice ldapdelete "apiKeyId=$id3,$(ldap_dn alice)" 2>>"$t/err"
start_daemon
check "restarted after kill -9: the refresh completes with every key (900 + alice's + bob's)" \
	wait_log "refresh done: 902 keys for 2 accounts mirrored, 1000. skipped" 300
login alice "$key3"
check "the key deleted while apikeyd was down is refused" test $? -ne 0
login alice "$key"
check "alice's first key logs in" test $? -eq 0
# host B's sync process killed: its --status says so (the mirror is no
# longer refreshed and goes stale after fleet_max_stale)
sync_b=$(pgrep -P "$daemonB")
kill -9 $sync_b
sleep 0.5
"$apkd" --status --socket "$t/run/B.sock" >"$t/statusB" 2>&1
check "host B's sync process killed: --status says fleet_process ended, not connected" \
	sh -c 'grep -qx "fleet_process ended" "$1" && grep -qx "fleet_connected no" "$1"' - "$t/statusB"
kill "$daemon" "$daemonB"
wait "$daemon"
rcA=$?
wait "$daemonB"
check "SIGTERM stops both apikeyd and their sync processes (exit 0)" test $rcA -eq 0 -a $? -eq 0

# SASL EXTERNAL over ldapi: the server knows the host by its socket's
# credentials, mapped (olcAuthzRegexp, added here as cn=config's rootdn) to
# host-a's entry; no DN, no password file
printf 'dn: cn=config\nchangetype: modify\nadd: olcAuthzRegexp\nolcAuthzRegexp: "^gidNumber=[0-9]+\\+uidNumber=%s,cn=peercred,cn=external,cn=auth$" "%s"\n' \
	"$(id -u $HOSTUSER)" "$(ldap_dn host-a)" | ldap_as root ldapmodify >"$t/authz.out" 2>&1
{
	echo "fleet_uri = $SLAPD_LDAPI"
	echo "fleet_base = $SLAPD_BASE"
	echo "fleet_sasl_mech = EXTERNAL"
	echo "fleet_host_name = host-a"
} >"$t/external.conf"
chmod 644 "$t/external.conf"
install -d -o $HOSTUSER -m 700 "$t/dbX"
host "$apkd" --once --config "$t/external.conf" --db "$t/dbX" --foreground >"$t/external.out" 2>&1
rc=$?
check "fleet_sasl_mech EXTERNAL: --once binds by the socket's credentials and mirrors alice's key" \
	sh -c '[ "$1" -eq 0 ] && grep -q "connected to ldapi://.* as SASL EXTERNAL" "$2" &&
		grep -q "refresh done: [1-9][0-9]* keys for 2 accounts" "$2" && [ -s "$3/fleet/u10001" ]' \
	- "$rc" "$t/external.out" "$t/dbX"
[ $rc -eq 0 ] || sed 's/^/# /' "$t/authz.out" "$t/external.out"

# a failure is one clear line and exit 1
printf 'not the password' >"$t/wrong.pw" && chown $HOSTUSER "$t/wrong.pw" && chmod 600 "$t/wrong.pw"
sed "s|$t/host-a.pw|$t/wrong.pw|" "$t/host-a.conf" >"$t/bad.conf" && chmod 644 "$t/bad.conf"
host "$apkd" --once --config "$t/bad.conf" --db "$t/dbA" >"$t/bad.out" 2>&1
rc=$?
check "a refused bind: --once exits 1 with one line naming it" \
	sh -c '[ "$1" -eq 1 ] && [ "$(wc -l <"$2")" -eq 1 ] && grep -q "bind to .* failed: .*Invalid credentials" "$2"' - "$rc" "$t/bad.out"

grep "refresh done" "$t/daemonA.log" | sed "s|^|# |"; done_testing
