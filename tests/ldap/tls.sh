#!/bin/sh
# tests/ldap/tls.sh - apikeyctl --fleet's transport against a real slapd
# offering TLS (tests/ldap/lib/slapd.sh, SLAPD_TLS=1: a throwaway CA, a
# certificate for 127.0.0.1): over ldaps:// and over ldap:// with StartTLS,
# with fleet_tls_cacert the CA, alice's key is made and listed, her binds
# only ever inside TLS (slapd's own log); another CA, a certificate for
# another name, a CA directory an ldap.conf names, and a server offering no
# StartTLS are each refused in one line, and the server sees no bind and no
# search. Needs root (useradd).
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
B=${APK_BUILD:-$top/build}
ctl=$B/tests/apikeyctl
fleet=$B/apikeyctl-fleet

. "$top/tests/ldap/lib/fleet_users.sh"
fleet_root_only "apikeyctl --fleet over TLS: needs root (useradd)"
fleet_need "$ctl" "$fleet" "$(command -v openssl || echo openssl)"
SLAPD_TLS=1 SLAPD_LOGLEVEL=stats
fleet_start alice
fleet_pw alice
tls_ca "$t" other                                              # a CA the server does not use
tls_cert "$SLAPD_DIR/tls" ca wrongname DNS:ldap.example.org   # the right CA, another name
ldaps_host=${SLAPD_LDAPS#ldaps://}
# slapd's log (stats): mark, then what the TCP connections did since
mark() { wc -l <"$SLAPD_LOG"; }
# tcp_log MARK: the log's lines since MARK of connections over TCP (not
# ldapi); two passes: slapd's threads may log a connection's first
# operation before its ACCEPT
tcp_log() {
	tail -n +"$(($1 + 1))" "$SLAPD_LOG" >"$t/log.part"
	awk 'NR == FNR { if (/ ACCEPT from IP=/) tcp[$3] = 1; next } ($3 in tcp)' "$t/log.part" "$t/log.part"
}
# binds MARK: "TLS CLEAR": alice's simple binds since MARK inside TLS (on a
# connection that established it, after its StartTLS if any), and not
binds() {
	tcp_log "$1" >"$t/log.tcp"
	awk 'NR == FNR { if (/ TLS established/) tls[$3] = 1
			if (/ op=[0-9]+ STARTTLS$/) { split($4, o, "="); st[$3] = o[2] + 0 }
			next }
		/ BIND dn="uid=alice,.*" method=128/ { split($4, o, "=")
			if (($3 in tls) && (!($3 in st) || o[2] + 0 > st[$3])) t++; else c++ }
		END { print t + 0, c + 0 }' "$t/log.tcp" "$t/log.tcp"
}
# ops MARK: the binds, searches, compares and changes over TCP since MARK
ops() { tcp_log "$1" | grep -E ' op=[0-9]+ (BIND|SRCH|CMP|ADD|MOD|MODRDN|DEL) '; }
# refused WHAT MESSAGE: the last run failed with one line saying MESSAGE,
# printed nothing, changed nothing, and the server saw no operation
refused() {
	check "$1: exit 1, one line: $2" \
		sh -c '[ "$1" -eq 1 ] && [ "$(wc -l <"$2")" -eq 1 ] && grep -q "$3" "$2" && ! [ -s "$4" ]' \
		- "$rc" "$t/err" "$2" "$t/out"
	check "$1: no bind, no search, no change reached the server" \
		sh -c '[ -z "$1" ] && [ "$2" = "$3" ]' - "$(ops "$m")" "$before" "$(state)"
}
notsigned="certificate is not signed by fleet_tls_cacert"

# ---- the success path: ldaps:// ----
user_conf "$SLAPD_LDAPS" "$SLAPD_CACERT"
m=$(mark)
key=$(as alice generate -q -n over-ldaps 2>"$t/err")
rc=$?
check "ldaps:// with fleet_tls_cacert the server's CA: generate --fleet prints a key (exit 0)" \
	sh -c '[ "$1" -eq 0 ] && printf "%s" "$2" | grep -Eq "^apk_[A-Za-z0-9_-]{64}$"' - "$rc" "$key"
check "... and its entry is under alice's" test "$(key_names alice)" = "over-ldaps "
as alice list >"$t/list" 2>>"$t/err"
check "list --fleet over ldaps:// shows it" \
	sh -c '[ "$1" -eq 0 ] && grep -q "^over-ldaps  *$2 " "$3"' - "$?" "$(printf '%s' "$key" | cut -c5-16)" "$t/list"
check "slapd saw alice's binds (2) over ldaps:// inside TLS, none in the clear" test "$(binds "$m")" = "2 0"

# ---- the success path: ldap:// and StartTLS ----
user_conf "$SLAPD_URI" "$SLAPD_CACERT"
m=$(mark)
key=$(as alice generate -q -n over-starttls 2>"$t/err")
rc=$?
check "ldap:// with StartTLS and fleet_tls_cacert: generate --fleet prints a key (exit 0)" \
	sh -c '[ "$1" -eq 0 ] && printf "%s" "$2" | grep -Eq "^apk_[A-Za-z0-9_-]{64}$"' - "$rc" "$key"
as alice list >"$t/list" 2>>"$t/err"
check "list --fleet over StartTLS shows both keys" \
	sh -c '[ "$1" -eq 0 ] && grep -q "^over-ldaps " "$2" && grep -q "^over-starttls  *$3 " "$2"' \
	- "$?" "$t/list" "$(printf '%s' "$key" | cut -c5-16)"
check "slapd saw StartTLS on each connection, then alice's binds (2) inside TLS, none in the clear" \
	sh -c '[ "$1" = "2 0" ] && [ "$2" -eq 2 ]' - "$(binds "$m")" "$(tcp_log "$m" | grep -c ' STARTTLS$')"

# ---- a CA that did not sign the server's certificate ----
before=$(state)
for uri in "$SLAPD_LDAPS" "$SLAPD_URI"; do
	user_conf "$uri" "$t/other.crt"
	m=$(mark)
	as alice generate -q -n never >"$t/out" 2>"$t/err"
	rc=$?
	refused "${uri%%:*}:// with another CA" "$notsigned"
done

# ---- a CA directory named by an ldap.conf widens nothing: fleet_tls_cacert alone ----
mkdir "$t/cadir" && cp "$SLAPD_CACERT" "$t/cadir/" && chmod -R a+rX "$t/cadir"
printf 'TLS_CACERTDIR %s\n' "$t/cadir" >"$t/ldap.conf" && chmod 644 "$t/ldap.conf"
user_conf "$SLAPD_LDAPS" "$t/other.crt"
m=$(mark)
env -u LDAPNOINIT LDAPCONF="$t/ldap.conf" APIKEY_POLICY="$t/pam_apikey.conf" \
	setpriv --reuid=alice --regid=alice --init-groups \
	"$fleet" --fleet --password-file "$t/alice.pw" generate -q -n never >"$t/out" 2>"$t/err" </dev/null
rc=$?
refused "an ldap.conf's TLS_CACERTDIR holding the server's CA, fleet_tls_cacert another" "$notsigned"

# ---- the right CA, a certificate for another name ----
ldap_as root ldapmodify >"$t/modify.log" 2>&1 <<EOL
dn: cn=config
changetype: modify
replace: olcTLSCertificateFile
olcTLSCertificateFile: $SLAPD_DIR/tls/wrongname.crt
-
replace: olcTLSCertificateKeyFile
olcTLSCertificateKeyFile: $SLAPD_DIR/tls/wrongname.key
EOL
check "slapd now presents a certificate for ldap.example.org from the same CA" \
	sh -c 'echo | openssl s_client -connect "$1" -CAfile "$2" -verify_return_error 2>/dev/null |
		openssl x509 -noout -ext subjectAltName | grep -q "DNS:ldap.example.org"' - "$ldaps_host" "$SLAPD_CACERT"
for uri in "$SLAPD_LDAPS" "$SLAPD_URI"; do
	user_conf "$uri" "$SLAPD_CACERT"
	m=$(mark)
	as alice list >"$t/out" 2>"$t/err"
	rc=$?
	refused "${uri%%:*}:// to a certificate for another name" "does not name the host in fleet_uri"
done

# ---- a server that offers no StartTLS: never a bind in the clear ----
slapd_tls_off
check "slapd runs again without TLS (StartTLS refused by the server)" \
	sh -c '! ldapwhoami -ZZ -x -H "$1" >/dev/null 2>&1 && ldapwhoami -x -H "$1" >/dev/null' - "$SLAPD_URI"
user_conf "$SLAPD_URI" "$SLAPD_CACERT"
m=$(mark)
as alice generate -q -n never >"$t/out" 2>"$t/err"
rc=$?
refused "ldap:// to a server offering no StartTLS" "StartTLS .* failed .*the server offers no TLS"
check "... though it asked the server for StartTLS (and was told no)" \
	sh -c 'printf "%s\n" "$1" | grep -q " EXT oid=1.3.6.1.4.1.1466.20037$"' - "$(tcp_log "$m")"
check "alice's keys are the two made over TLS" test "$(key_names alice)" = "over-ldaps over-starttls "
done_testing
