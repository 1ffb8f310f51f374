#!/bin/sh
# tests/ldap/gssapi_host.sh - apikeyd binds as the host by Kerberos: SASL
# GSSAPI with the host's keytab (fleet_sasl_mech = GSSAPI, fleet_keytab), as
# a FreeIPA- or AD-joined host does. A real MIT KDC (tests/ldap/lib/kdc.sh,
# realm APK.TEST) and a slapd that accepts GSSAPI (tests/ldap/lib/slapd.sh,
# SLAPD_GSSAPI=1, over StartTLS), with an olcAuthzRegexp added here that maps
# host/NAME.example.org to cn=NAME.example.org,ou=hosts, an entry that is a
# member of cn=apikey-hosts. Nothing runs kinit for the host and nothing
# fetches its tickets: apikeyd, as an unprivileged account, gets them from
# the keytab alone. Checked: alice's --fleet key mirrored and logging in
# through pamtester; a delete refused within 5 s; a reconnect after the
# host's tickets ran out (a 20 s lifetime) gets new ones from the keytab; a
# stale keytab, a missing or unreadable one, a principal mapped to no entry,
# and a host outside cn=apikey-hosts each mirror nothing, with the reason
# in one line, and never bind another way. The shared starts: alice, the
# hosts' account, host A's database, PAM service and daemon from
# tests/ldap/lib/mirror_host.sh (its host-a.conf replaced by a keytab's).
# Needs root (useradd).
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
. "$top/tests/ldap/lib/mirror_host.sh"
. "$top/tests/ldap/lib/kdc.sh"
SLAPD_TLS=1 SLAPD_GSSAPI=1 SLAPD_LOGLEVEL=stats
FLEET_EXIT=kdc_stop
# alice (uidNumber 10001 here as in the directory) and the hosts' account;
# host A's database directory $t/dbA, its PAM service and daemon
mirror_start "apikeyd with a host keytab" alice=10001
kdc_for_slapd
hdn() { echo "cn=$1,ou=hosts,$SLAPD_BASE"; }
# the hosts' entries: hosta in cn=apikey-hosts, hostz not; host principals
# of example.org mapped to them (the people's rule stays for alice)
{
	for h in hosta.example.org hostz.example.org; do
		printf 'dn: %s\nobjectClass: device\ncn: %s\n\n' "$(hdn $h)" "$h"
	done
	printf 'dn: cn=apikey-hosts,ou=groups,%s\nchangetype: modify\nadd: member\nmember: %s\n' \
		"$SLAPD_BASE" "$(hdn hosta.example.org)"
} >"$t/hosts.ldif"
printf 'dn: cn=config\nchangetype: modify\nadd: olcAuthzRegexp\nolcAuthzRegexp: {0}"^uid=host/([a-z0-9-]+\\.example\\.org)(,cn=[^,]+)?,cn=gssapi,cn=auth$" "cn=$1,ou=hosts,%s"\n' \
	"$SLAPD_BASE" >"$t/authz.ldif"
if ldap_as root ldapadd -c -f "$t/hosts.ldif" >"$t/hosts.out" 2>&1 &&
	ldap_as root ldapmodify -f "$t/authz.ldif" >"$t/authz.out" 2>&1; then
	ok "host entries hosta and hostz (only hosta in cn=apikey-hosts); host/*.example.org mapped to them"
else
	not_ok "host entries and the principal mapping are added"
	sed 's/^/# /' "$t/hosts.out" "$t/authz.out"
fi

# the host's keys: its keytab (pam-apikey's, here $HOSTUSER's, mode 0600);
# a stale one (the key before the last ktadd); other principals' keytabs
kadm() { kadmin.local -r "$KDC_REALM" -q "$1" >>"$KDC_DIR/kadmin.log" 2>&1; }
hp=host/hosta.example.org
kdc_principal "$hp" "$t/stale.keytab" && kadm "ktadd -k $t/hosta.keytab $hp@$KDC_REALM" &&
	kadm "modprinc -maxlife \"20 seconds\" $hp@$KDC_REALM" &&
	kdc_principal host/hostz.example.org "$t/hostz.keytab" &&
	kdc_principal svc/hosta.example.org "$t/unmapped.keytab"
check "keytabs: host/hosta (tickets for 20 s), a stale one of it, host/hostz, svc/hosta" test $? -eq 0
for k in hosta stale hostz unmapped; do
	chown $HOSTUSER "$t/$k.keytab" && chmod 600 "$t/$k.keytab"
done
install -o root -m 600 "$t/hosta.keytab" "$t/roots.keytab"

# conf NAME KEYTAB HOSTNAME: a host's pam_apikey.conf, $t/NAME.conf (host A's
# daemon reads $t/host-a.conf)
conf() {
	fleet_conf "$t/$1.conf" "fleet_uri=$SLAPD_URI" "fleet_base=$SLAPD_BASE" \
		"fleet_tls_cacert=$SLAPD_CACERT" "fleet_sasl_mech=GSSAPI" "fleet_keytab=$2" \
		"fleet_host_name=$3" "fleet_refresh=2s"
}
conf hosta "$t/hosta.keytab" hosta.example.org
mark() { wc -l <"$SLAPD_LOG"; }
# binds_since MARK DN: "GSSAPI SIMPLE" counts of binds as DN since MARK
binds_since() {
	tail -n +"$(($1 + 1))" "$SLAPD_LOG" | awk -v dn="$2" '
		index($0, " BIND dn=\"" dn "\" mech=GSSAPI ") { g++ }
		index($0, " BIND dn=\"" dn "\" mech=SIMPLE ") { s++ }
		END { print g + 0, s + 0 }'
}
# searches_since MARK: searches of the base since MARK (a host's sync)
searches_since() { tail -n +"$(($1 + 1))" "$SLAPD_LOG" | grep -c "SRCH base=\"$SLAPD_BASE\""; }
# as_requests: the tickets the KDC issued to host/hosta from its key (AS-REQ)
as_requests() { grep -c "AS_REQ.*ISSUE.*$hp@$KDC_REALM for krbtgt" "$KDC_DIR/kdc.log"; }

key=$(as alice generate -q -n laptop 2>"$t/err")
check "alice generates a directory key with --fleet" \
	sh -c 'printf "%s" "$1" | grep -Eq "^apk_[A-Za-z0-9_-]{64}$"' - "$key"

# ---- the host's keytab: --once ---------------------------------------------
m=$(mark)
host "$apkd" --once --config "$t/hosta.conf" --db "$t/dbA" --foreground >"$t/once.out" 2>&1
rc=$?
check "apikeyd --once with fleet_keytab, as an unprivileged account, no ticket beforehand: exit 0" test $rc -eq 0
check "it logs whom the server bound (whoami: hosta's entry, by GSSAPI) and the refresh's counts" \
	sh -c 'grep -q "connected to ldap://.* as cn=hosta.example.org,ou=hosts,dc=example,dc=org (SASL GSSAPI, fleet_keytab $2)" "$1" &&
		grep -q "refresh done: 1 keys for 1 accounts" "$1"' - "$t/once.out" "$t/hosta.keytab"
[ $rc -eq 0 ] || sed 's/^/# /' "$t/once.out"
check "slapd's log: hosta bound by GSSAPI once, never with a password" \
	test "$(binds_since "$m" "$(hdn hosta.example.org)")" = "1 0"
check "the KDC issued host/hosta a ticket from its key (an AS-REQ), none cached in a file" \
	sh -c '[ "$1" -ge 1 ] && ! ls /tmp/krb5cc_"$2"* >/dev/null 2>&1' - "$(as_requests)" "$(id -u $HOSTUSER)"
login alice "$key"
rc=$?
check "alice's directory key logs in through pamtester against the host's mirror" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/# /' "$t/login.out"

# ---- failures: one line, nothing mirrored, no other bind --------------------
# fails NAME KEYTAB HOSTNAME: --once with that keytab into a fresh database
# directory; $rc, its output in $t/NAME.out, slapd's log from $m
fails() {
	conf "$1" "$2" "$3"
	install -d -o $HOSTUSER -m 700 "$t/db-$1"
	m=$(mark)
	host "$apkd" --once --config "$t/$1.conf" --db "$t/db-$1" ${4:-} >"$t/$1.out" 2>&1
	rc=$?
}
# failed NAME PATTERN: exit 1, one line matching PATTERN, no mirror file, no
# search of the base (no fallback to another bind, nor to none)
failed() {
	[ "$rc" -eq 1 ] && [ "$(wc -l <"$t/$1.out")" -eq 1 ] && grep -q "$2" "$t/$1.out" &&
		! [ -e "$t/db-$1/fleet/u10001" ] && [ "$(searches_since "$m")" -eq 0 ] &&
		[ "$(tail -n +"$((m + 1))" "$SLAPD_LOG" | grep -c "mech=SIMPLE")" -eq 0 ]
}
fails stale "$t/stale.keytab" hosta.example.org
check "a stale keytab: exit 1, one line (the GSSAPI bind failed, the keytab named), nothing mirrored or searched" \
	failed stale "bind to ldap://.* failed: the Kerberos (GSSAPI) bind failed: .*(fleet_keytab $t/stale.keytab)"
sed 's/^/# /' "$t/stale.out"
fails missing "$t/none.keytab" hosta.example.org
check "a missing keytab: one line, nothing mirrored" \
	failed missing "cannot read fleet_keytab $t/none.keytab: No such file or directory"
fails roots "$t/roots.keytab" hosta.example.org
check "a keytab the host's account cannot read (root's, 0600): one line, nothing mirrored" \
	failed roots "cannot read fleet_keytab $t/roots.keytab: Permission denied"
chmod 644 "$t/unmapped.keytab"
fails open "$t/unmapped.keytab" hosta.example.org
check "a keytab others may read: refused in one line, nothing mirrored" \
	failed open "fleet_keytab $t/unmapped.keytab must be a regular file owned by root or the helper account that others may not read"
chmod 600 "$t/unmapped.keytab"
fails unmapped "$t/unmapped.keytab" hosta.example.org
check "a principal the server maps to no entry (svc/hosta): refused after whoami, one line, nothing mirrored" \
	failed unmapped "the directory maps this host's principal to no entry (whoami: dn:uid=svc/hosta.example.org,.*cn=gssapi,cn=auth)"
sed 's/^/# /' "$t/unmapped.out"
fails hostz "$t/hostz.keytab" hosta.example.org --foreground
check "a host outside cn=apikey-hosts (hostz): bound as its entry (said), no key readable, nothing mirrored" \
	sh -c '[ "$1" -eq 0 ] && grep -q "as cn=hostz.example.org,ou=hosts,dc=example,dc=org (SASL GSSAPI" "$2" &&
		grep -q "refresh done: 0 keys for 0 accounts" "$2" && ! [ -e "$3/fleet/u10001" ]' \
	- "$rc" "$t/hostz.out" "$t/db-hostz"
[ $rc -eq 0 ] || sed 's/^/# /' "$t/hostz.out"

# ---- the daemon: backoff, then persist, renewal, a delete -------------------
# a stale keytab first: the failure logged and tried again later, never bound
conf host-a "$t/stale.keytab" hosta.example.org
m=$(mark)
start_daemon
wait_log "trying again in 2 s" 60
check "apikeyd with a stale keytab: the bind's failure logged, tried again with a longer wait, never connected" \
	sh -c 'grep -q "Kerberos (GSSAPI) bind failed: .*; trying again in 1 s" "$1" &&
		grep -q "trying again in 2 s" "$1" && ! grep -q "connected to" "$1" && [ "$2" -eq 0 ]' \
	- "$t/daemonA.log" "$(searches_since "$m")"
kill "$daemon"
wait "$daemon"

conf host-a "$t/hosta.keytab" hosta.example.org
start_daemon
wait_log "refresh done" 100
before=$(as_requests)
check "apikeyd --foreground with the keytab: connected as hosta's entry, refreshed" \
	sh -c 'grep -q "as cn=hosta.example.org,ou=hosts,.*(SASL GSSAPI" "$1" && grep -q "refresh done: 1 keys" "$1"' \
	- "$t/daemonA.log"
login alice "$key"
check "alice's key logs in" test $? -eq 0
# the host's tickets last 20 s: past them, a reconnect needs new ones, got
# from the keytab by the library (nothing here runs kinit)
sleep 22
slapd_pause
slapd_resume
refreshes() { [ "$(grep -c "refresh done" "$t/daemonA.log")" -ge 2 ]; }
wait_until 200 "$daemon" refreshes
check "after its tickets ran out and slapd restarted: connected again by GSSAPI, new tickets got from the keytab (an AS-REQ since)" \
	sh -c '[ "$(grep -c "as cn=hosta.example.org,ou=hosts,.*(SASL GSSAPI" "$1")" -eq 2 ] &&
		[ "$(grep -c "refresh done: 1 keys" "$1")" -eq 2 ] && [ "$2" -gt "$3" ]' \
	- "$t/daemonA.log" "$(as_requests)" "$before"
[ "$(grep -c "refresh done" "$t/daemonA.log")" -ge 2 ] || sed 's/^/# /' "$t/daemonA.log"

id=$(printf '%s' "$key" | cut -c5-16)
since=$(ms)
as alice delete --yes -- "$id" >/dev/null 2>>"$t/err"
del=$?
until_login 1 alice "$key" 50
rc=$?
since=
check "alice deletes the key with --fleet: refused on the host within 5 s (${took} ms)" \
	test $del -eq 0 -a $rc -eq 0 -a "$took" -le 5000
[ $rc -eq 0 ] && [ "$took" -le 5000 ] || sed 's/^/# /' "$t/daemonA.log" "$t/err" "$t/login.out"
check "the host's apikeyd runs as its unprivileged account, not root" \
	test "$(ps -o uid= -p "$daemon" | tr -d ' ')" = "$(id -u $HOSTUSER)"
kill "$daemon"
wait "$daemon"
check "SIGTERM stops it (exit 0)" test $? -eq 0
done_testing
