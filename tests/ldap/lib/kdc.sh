# shellcheck shell=sh disable=SC2034 # its variables are the sourcing test's
# tests/ldap/lib/kdc.sh - a real MIT Kerberos KDC for a test (sourced, not
# run): Debian's krb5kdc with a realm of its own, APK.TEST, its database,
# kdc.conf and krb5.conf in a directory the test names, on a free port of
# 127.0.0.1. Needs no root. Every Kerberos program the test runs after
# kdc_start uses this realm (KRB5_CONFIG, KRB5_KDC_PROFILE exported); no
# file of the machine's is read or written.
#
#   kdc_start DIR       makes the realm in DIR (created) and starts the KDC;
#                       0 once it hands out tickets (within 10 s)
#   kdc_principal NAME KEYTAB
#                       adds NAME@APK.TEST with a random key, written to
#                       KEYTAB (the only way to get its tickets)
#   kdc_stop            stops it (SIGTERM, then SIGKILL)
#   kdc_for_slapd       a TAP test's first check (tests/lib/tap.sh): the KDC
#                       started in $SLAPD_DIR/krb5 and slapd's service key
#                       (ldap/$SLAPD_SASL_HOST) in its keytab, or the test
#                       ends there
#
# Sets KDC_DIR, KDC_REALM, KDC_PORT, KDC_PID. A test stops it on exit
# (slapd.sh's ON_EXIT, say).

. "$top/tests/ldap/lib/wait.sh"

KDC_REALM=APK.TEST
KDC_BIN=${KDC_BIN:-/usr/sbin/krb5kdc}

kdc_fail() { echo "kdc.sh: $*" >&2; return 1; }

# kdc_files: kdc.conf and krb5.conf for KDC_PORT
kdc_files() {
	cat >"$KDC_DIR/kdc.conf" <<-EOF
	[kdcdefaults]
		kdc_ports = $KDC_PORT
		kdc_tcp_ports = $KDC_PORT
	[realms]
		$KDC_REALM = {
			database_name = $KDC_DIR/principal
			key_stash_file = $KDC_DIR/stash
			acl_file = $KDC_DIR/kadm5.acl
			kdc_ports = $KDC_PORT
			kdc_tcp_ports = $KDC_PORT
		}
	[logging]
		kdc = FILE:$KDC_DIR/kdc.log
	EOF
	cat >"$KDC_DIR/krb5.conf" <<-EOF
	[libdefaults]
		default_realm = $KDC_REALM
		dns_lookup_kdc = false
		dns_lookup_realm = false
		rdns = false
		dns_canonicalize_hostname = false
	[realms]
		$KDC_REALM = {
			kdc = 127.0.0.1:$KDC_PORT
		}
	[domain_realm]
		localhost = $KDC_REALM
	EOF
	chmod 644 "$KDC_DIR/krb5.conf"
}

kdc_start() {
	[ -x "$KDC_BIN" ] && command -v kadmin.local >/dev/null ||
		{ kdc_fail "$KDC_BIN or kadmin.local missing (make deps)"; return 1; }
	KDC_DIR=$1
	mkdir -p "$KDC_DIR" && chmod 755 "$KDC_DIR" || return 1
	export KRB5_CONFIG="$KDC_DIR/krb5.conf" KRB5_KDC_PROFILE="$KDC_DIR/kdc.conf"
	KDC_PORT=0
	kdc_files
	kdb5_util create -s -r "$KDC_REALM" -P "$(head -c 18 /dev/urandom | base64)" \
		>"$KDC_DIR/create.log" 2>&1 ||
		{ cat "$KDC_DIR/create.log" >&2; kdc_fail "kdb5_util could not make the realm"; return 1; }
	kdc_principal kdc-probe "$KDC_DIR/probe.keytab" || return 1
	# a free port can be taken between the probe and the bind: try again
	kd_tries=0
	while :; do
		kd_tries=$((kd_tries + 1))
		KDC_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') || return 1
		kdc_files
		"$KDC_BIN" -n -r "$KDC_REALM" -P "$KDC_DIR/kdc.pid" >>"$KDC_DIR/krb5kdc.log" 2>&1 </dev/null 8>&- 9>&- &
		KDC_PID=$!
		wait_until 100 "$KDC_PID" kdc_answers && return 0
		kdc_stop
		[ $kd_tries -lt 5 ] || { cat "$KDC_DIR/krb5kdc.log" "$KDC_DIR/kdc.log" >&2; kdc_fail "krb5kdc did not start"; return 1; }
	done
}

# kdc_answers: the KDC hands the probe principal a ticket
kdc_answers() {
	KRB5CCNAME="FILE:$KDC_DIR/probe.cc" kinit -k -t "$KDC_DIR/probe.keytab" "kdc-probe@$KDC_REALM" >/dev/null 2>&1
}

kdc_principal() {
	kadmin.local -r "$KDC_REALM" -q "addprinc -randkey $1@$KDC_REALM" >>"$KDC_DIR/kadmin.log" 2>&1 &&
		kadmin.local -r "$KDC_REALM" -q "ktadd -k $2 $1@$KDC_REALM" >>"$KDC_DIR/kadmin.log" 2>&1 &&
		[ -s "$2" ] || { cat "$KDC_DIR/kadmin.log" >&2; kdc_fail "kadmin.local could not add $1"; return 1; }
}

kdc_stop() {
	stop_pid "${KDC_PID:-}" 50
	KDC_PID=
}

kdc_for_slapd() {
	if kdc_start "$SLAPD_DIR/krb5" &&
		kdc_principal "ldap/$SLAPD_SASL_HOST" "$SLAPD_DIR/krb5/ldap.keytab"; then
		ok "a KDC for APK.TEST runs on 127.0.0.1:$KDC_PORT; slapd has the key of ldap/$SLAPD_SASL_HOST"
	else
		not_ok "a KDC for APK.TEST runs; slapd has its service key"
		done_testing
		exit 1
	fi
}
