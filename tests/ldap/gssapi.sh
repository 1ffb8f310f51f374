#!/bin/sh
# tests/ldap/gssapi.sh - apikeyctl --fleet binds by Kerberos (SASL GSSAPI,
# fleet_sasl_mech = GSSAPI): a real MIT KDC started here
# (tests/ldap/lib/kdc.sh, realm APK.TEST) and a slapd that accepts GSSAPI
# with its keytab and maps alice@APK.TEST to alice's entry
# (tests/ldap/lib/slapd.sh, SLAPD_GSSAPI=1, over StartTLS). With a ticket,
# alice's commands bind as her with no password anywhere (no password file,
# standard input closed, no terminal), and slapd's log and the new entry's
# creatorsName say it was alice by GSSAPI; without one they take the
# password route; a ticket of another entry's is refused. Needs root
# (useradd).
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
B=${APK_BUILD:-$top/build}
ctl=$B/tests/apikeyctl

. "$top/tests/ldap/lib/fleet_users.sh"
. "$top/tests/ldap/lib/kdc.sh"
fleet_root_only "apikeyctl --fleet with Kerberos: needs root (useradd)"
fleet_need "$ctl"
SLAPD_TLS=1 SLAPD_GSSAPI=1 SLAPD_LOGLEVEL=stats
FLEET_EXIT=kdc_stop
fleet_start alice bob
kdc_for_slapd
fleet_pw alice
# alice's key, and (to be misused by her) bob's: the only way to their tickets
kdc_principal alice "$t/alice.keytab" && kdc_principal bob "$t/bob.keytab" &&
	chown alice "$t/alice.keytab" "$t/bob.keytab"
install -d -o alice -m 700 "$t/cc"   # alice's ticket caches
user_conf "$SLAPD_URI" "$SLAPD_CACERT" GSSAPI

# kinit_as CACHE PRINCIPAL: alice fills CACHE with PRINCIPAL's ticket (from
# its keytab) and the directory's service ticket, with the test realm's
# krb5.conf; apikeyctl --fleet gets KRB5CCNAME alone (no KRB5_CONFIG) and
# uses what the cache holds
kinit_as() {
	setpriv --reuid=alice --regid=alice --init-groups sh -c \
		'KRB5CCNAME=$1 kinit -k -t "$2" "$3" && KRB5CCNAME=$1 kvno -S ldap "$4"' \
		- "FILE:$1" "$t/$2.keytab" "$2@$KDC_REALM" "$SLAPD_SASL_HOST" >"$t/kinit.log" 2>&1
}
# ctl_as_alice CACHE ARGS...: apikeyctl --fleet run by alice with KRB5CCNAME
# CACHE, nothing else in the environment but the policy file, standard
# input closed, in a session of its own: no terminal to ask a password on
ctl_as_alice() {
	cc=$1
	shift
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin KRB5CCNAME="FILE:$cc" APIKEY_POLICY="$t/pam_apikey.conf" \
		setsid -w setpriv --reuid=alice --regid=alice --init-groups "$ctl" --fleet "$@" <&-
}
mark() { wc -l <"$SLAPD_LOG"; }
# binds MARK: alice's binds since MARK, "GSSAPI SIMPLE" (slapd's log: the
# result line of a bind names its DN and mechanism)
binds() {
	tail -n +"$(($1 + 1))" "$SLAPD_LOG" | awk '
		/ BIND dn="uid=alice,ou=people,dc=example,dc=org" mech=GSSAPI / { g++ }
		/ BIND dn="uid=alice,ou=people,dc=example,dc=org" mech=SIMPLE / { s++ }
		END { print g + 0, s + 0 }'
}

# ---- with a ticket: no password anywhere ----
kinit_as "$t/cc/alice" alice
check "alice holds a ticket for alice@$KDC_REALM and for ldap/$SLAPD_SASL_HOST" test $? -eq 0
m=$(mark)
key=$(ctl_as_alice "$t/cc/alice" generate -q -n kerberos 2>"$t/err")
rc=$?
check "with her ticket, generate --fleet prints a key (exit 0), with no password file, stdin closed, no terminal" \
	sh -c '[ "$1" -eq 0 ] && printf "%s" "$2" | grep -Eq "^apk_[A-Za-z0-9_-]{64}$" && ! [ -s "$3" ]' \
	- "$rc" "$key" "$t/err"
id=$(printf '%s' "$key" | cut -c5-16)
ctl_as_alice "$t/cc/alice" list >"$t/list" 2>>"$t/err"
check "list --fleet with her ticket shows it" \
	sh -c '[ "$1" -eq 0 ] && grep -q "^kerberos  *$2 " "$3"' - "$?" "$id" "$t/list"
check "slapd's log: alice bound by GSSAPI (twice), never with a password" test "$(binds "$m")" = "2 0"
creator=$(ldap_as root ldapsearch -LLL -o ldif-wrap=no -b "apiKeyId=$id,$(ldap_dn alice)" -s base creatorsName |
	sed -n 's/^creatorsName: //p')
check "the entry's creatorsName is alice's entry: the access rules saw her" \
	test "$creator" = "$(ldap_dn alice)"

# ---- no ticket: the password route ----
m=$(mark)
ctl_as_alice "$t/cc/none" --password-file "$t/alice.pw" list >"$t/list" 2>"$t/err"
check "without a ticket, list --fleet binds with --password-file (exit 0, the key listed)" \
	sh -c '[ "$1" -eq 0 ] && grep -q "^kerberos " "$2" && ! [ -s "$3" ]' - "$?" "$t/list" "$t/err"
check "slapd's log: that was a simple bind as alice, no GSSAPI" test "$(binds "$m")" = "0 1"
ctl_as_alice "$t/cc/none" list >"$t/list" 2>"$t/err"
check "without a ticket or password file, it asks for the password (none to ask on: exit 1, says so)" \
	sh -c '[ "$1" -eq 1 ] && grep -q "no terminal" "$2"' - "$?" "$t/err"

# ---- a ticket of another entry's ----
kinit_as "$t/cc/bob" bob
before=$(state)
m=$(mark)
ctl_as_alice "$t/cc/bob" generate -q -n not-mine >"$t/out" 2>"$t/err"
check "alice with bob's ticket: refused in one line naming both (exit 1), nothing printed or changed" \
	sh -c '[ "$1" -eq 1 ] && [ "$(wc -l <"$2")" -eq 1 ] && grep -q "ticket binds as dn:uid=bob,.* not as uid=alice," "$2" &&
		! [ -s "$3" ] && [ "$4" = "$5" ]' - "$?" "$t/err" "$t/out" "$before" "$(state)"
check "alice's keys: the one made with her ticket" test "$(key_names alice)" = "kerberos "
done_testing
