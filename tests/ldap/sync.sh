#!/bin/sh
# tests/ldap/sync.sh - apikeyd keeps a host's mirror of the directory's keys,
# against a real slapd (tests/ldap/lib/slapd.sh, with syncprov): alice
# generates with apikeyctl --fleet; apikeyd --once, bound as host-a, writes
# the mirror of a database directory; the key logs in through pamtester
# (the real libpam, the module given db=) against that directory. Needs
# root: local accounts matching the directory (alice with uidNumber 10001,
# bob with another uid than the directory's), and the account apikeyd and
# pamtester run as (the database's owner, as pam-apikey is installed):
# tests/ldap/lib/mirror_host.sh.
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
. "$top/tests/ldap/lib/mirror_host.sh"
# alice as the directory says (10001); bob with another uid than its 10002;
# two hosts on this machine, A and B: each its configuration, its database
# directory and its socket, bound as host-a and host-b
mirror_start "apikeyd's mirror" alice=10001 bob=10012 -- A B

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
host_conf a 4s
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

# disabled, expiry, services, networks, hosts, each set with ldapmodify
# (as alice): refused within 5 s on both hosts; undone: accepted again.
# change WHAT LDIF REFUSED ACCEPTED: LDIF (the lines after "changetype:
# modify") applied to alice's first key with ldapmodify as alice; then, from
# just before it, the key refused on each host of REFUSED and accepted on
# each of ACCEPTED (A, B), each within 5 s: one check, the times printed.
# An empty LDIF changes nothing in the directory (a login's RHOST did).
change() {
	since=$(ms) ch_ok=0 ch_times=
	if [ -n "$2" ]; then
		printf 'dn: apiKeyId=%s,%s\nchangetype: modify\n%s\n' "$(id_of "$key")" "$(ldap_dn alice)" "$2" |
			ldap_as alice ldapmodify >/dev/null 2>>"$t/err" || ch_ok=1
	fi
	for ch_h in $3; do
		on=$ch_h
		{ until_login 1 alice "$key" 50 && [ "$took" -lt 5000 ]; } || ch_ok=1
		ch_times="$ch_times, refused on host $ch_h in $took ms"
	done
	for ch_h in $4; do
		on=$ch_h
		{ until_login 0 alice "$key" 50 && [ "$took" -lt 5000 ]; } || ch_ok=1
		ch_times="$ch_times, accepted on host $ch_h after $took ms"
	done
	on=A since=
	echo "# $1 ->${ch_times#,} (from just before the ldapmodify)"
	check "$1:${ch_times#,}" test $ch_ok -eq 0
}
ldif_set() { printf 'replace: %s\n%s: %s' "$1" "$1" "$2"; } # ATTR VALUE
ldif_del() { printf 'delete: %s' "$1"; }                      # ATTR
change "apiKeyDisabled TRUE" "$(ldif_set apiKeyDisabled TRUE)" "A B" ""
change "apiKeyDisabled deleted (enabled again)" "$(ldif_del apiKeyDisabled)" "" "A B"
change "apiKeyExpires set in the past (2020)" "$(ldif_set apiKeyExpires 20200101000000Z)" "A B" ""
change "apiKeyExpires deleted" "$(ldif_del apiKeyExpires)" "" "A B"
change "apiKeyService apkt-other (a service neither host's login uses)" \
	"$(ldif_set apiKeyService apkt-other)" "A B" ""
change "apiKeyService deleted" "$(ldif_del apiKeyService)" "" "A B"
RHOST=198.51.100.7
change "apiKeyNetwork 192.0.2.0/24, the login from 198.51.100.7" "$(ldif_set apiKeyNetwork 192.0.2.0/24)" "A B" ""
RHOST=192.0.2.7
change "apiKeyNetwork 192.0.2.0/24, the login from 192.0.2.7 (inside it)" "" "" "A B"
RHOST=
change "apiKeyNetwork deleted, the login without a remote host" "$(ldif_del apiKeyNetwork)" "" "A B"
# hosts: first naming host B only (refused on A: A applies it), then host A
# only: refused on B and accepted on A again (A has the change)
change "apiKeyHost host-b" "$(ldif_set apiKeyHost host-b)" A B
change "apiKeyHost host-a" "$(ldif_set apiKeyHost host-a)" B A
change "apiKeyHost deleted" "$(ldif_del apiKeyHost)" "" "A B"

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
unknown=$(grep -c "no such account on this host" "$t/daemonA.log")
echo "# the refresh's log lines for the 10,000 keys of 100 accounts unknown here: $unknown (grep -c)"
check "those 10,000 keys: one line per account, naming it with its count ($unknown lines)" \
	sh -c '[ "$2" -eq 100 ] && [ "$(grep -c "skipped 100 keys of far[0-9]*: no such account on this host" "$1")" -eq 100 ]' \
	- "$t/daemonA.log" "$unknown"
login alice "$key3"
check "the key deleted while apikeyd was down is refused" test $? -ne 0
login alice "$key"
check "alice's first key logs in" test $? -eq 0
# host B's sync process killed: another starts (tests/ldap/sync_restart.sh
# tests the restarts)
sync_b=$(pgrep -P "$daemonB")
kill -9 $sync_b
wait_log "the sync process $sync_b killed by signal 9" 50 B &&
	wait_log "sync process [0-9]* started (restart 1)" 50 B
check "host B's sync process killed: logged, and another one started" test $? -eq 0
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
fleet_conf "$t/external.conf" "fleet_uri=$SLAPD_LDAPI" "fleet_base=$SLAPD_BASE" fleet_sasl_mech=EXTERNAL \
	fleet_host_name=host-a
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
