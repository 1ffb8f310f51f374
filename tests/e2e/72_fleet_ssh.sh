#!/bin/sh
# tests/e2e/72_fleet_ssh.sh - a directory key logs in on host A through a
# real sshd (issue 16, section 4).
#
# A real slapd (tests/ldap/lib/slapd.sh); alice (the directory's uidNumber
# 10001, a local account of that uid) generates a key with apikeyctl --fleet,
# bound as herself; the installed apikeyd --once, started by root (it
# becomes the helper account), bound as host-a, writes the mirror into a
# scratch database directory; a private sshd (tests/e2e/lib/sshd.sh) whose
# PAM service reads that directory with the installed module's db= lets her
# in with the key (keyboard-interactive), runs `id -un`. A wrong secret for
# the same id is refused; the key deleted in the directory and the mirror
# refreshed: refused.
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
# shellcheck source=tests/e2e/lib/sshd.sh
. "$(dirname "$0")/lib/sshd.sh"
e2e_begin ssh ssh-keygen sshpass /usr/sbin/sshd /usr/sbin/slapd ldapdelete
e2e_install
[ -x "$APIKEYD" ] || bail "$APIKEYD is not installed"
CTL=$APK_BUILD/tests/apikeyctl
[ -x "$CTL" ] || bail "$CTL is not built (make tests)"
SERVICE=apkt-fleet-ssh

# the local account alice is this test's alone (tests/ldap use it too)
exec 8>/tmp/apk-fleetctl-users.lock
flock 8
id alice >/dev/null 2>&1 && bail "local account alice is free for this test (it exists: remove it)"
D=$(mktemp -d /tmp/apkt-fleetssh.XXXXXX) || bail "mktemp"
made=''
ON_EXIT='e2e_cleanup; [ -z "$made" ] || userdel alice; rm -rf "$D"'
trap 'eval "$ON_EXIT"' EXIT
top=$APK_TOP
# shellcheck source=tests/ldap/lib/slapd.sh
. "$APK_TOP/tests/ldap/lib/slapd.sh"
slapd_start >"$E2E_TMP/slapd.err" 2>&1 || { diag_file "$E2E_TMP/slapd.err"; bail "slapd did not start"; }
chmod 711 "$SLAPD_DIR"
useradd -M -d /nonexistent -s /bin/sh -u 10001 alice || bail "useradd alice"
made=1

chmod 0755 "$D"
install -o alice -m 600 "$(ldap_pwfile alice)" "$D/alice.pw"
install -o "$HELPER_USER" -m 600 "$(ldap_pwfile host-a)" "$D/host-a.pw"
install -d -o "$HELPER_USER" -m 700 "$D/db"
{
	echo "fleet_uri = $SLAPD_LDAPI"
	echo "fleet_base = $SLAPD_BASE"
	echo "fleet_bind_dn = $(ldap_dn host-a)"
	echo "fleet_bind_password_file = $D/host-a.pw"
	echo "fleet_host_name = host-a"
} >"$D/host-a.conf"
printf 'fleet_uri = %s\nfleet_base = ou=people,%s\n' "$SLAPD_LDAPI" "$SLAPD_BASE" >"$D/user.conf"
chmod 644 "$D/host-a.conf" "$D/user.conf"

KEY=$(APIKEY_POLICY=$D/user.conf setpriv --reuid=alice --regid=alice --init-groups \
	"$CTL" --fleet --password-file "$D/alice.pw" generate -q -n ssh </dev/null 2>"$E2E_TMP/err")
key_wellformed "$KEY" || { diag_file "$E2E_TMP/err"; bail "alice: apikeyctl --fleet generate"; }
e2e_secret "$KEY"
tap_ok "alice generates a key in the directory with apikeyctl --fleet (bound as herself)"

# refresh: host A's mirror, by the installed apikeyd (root -> helper account)
refresh() { "$APIKEYD" --once --foreground --config "$D/host-a.conf" --db "$D/db" >"$E2E_TMP/once" 2>&1 9>&-; }
refresh
tap_check "the installed apikeyd --once mirrors it into host A's database directory" \
	"$(grep -q 'refresh done: 1 keys for 1 accounts' "$E2E_TMP/once"; echo $?)"
tap_is "the mirror is the helper account's" "$(stat -c %U "$D/db/fleet/u10001" 2>&1)" "$HELPER_USER"

e2e_pam_service "$SERVICE" <<EOF
# pam_apikey end-to-end test: host A's mirror of the directory's keys
auth     required pam_apikey.so db=$D/db
account  required pam_unix.so
session  required pam_unix.so
password required pam_deny.so
EOF
sshd_start "$SERVICE" alice
diag "sshd $SERVICE (pid $SSHD_PID) on 127.0.0.1 port $SSH_PORT"

ssh_login() { # SECRET: keyboard-interactive as alice, runs id -un; RC, out
	SSHPASS=$1 run_cmd timeout 60 sshpass -P "API key" -e \
		ssh -F /dev/null -p "$SSH_PORT" -l alice \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o GlobalKnownHostsFile=/dev/null -o LogLevel=ERROR \
		-o PreferredAuthentications=keyboard-interactive -o NumberOfPasswordPrompts=1 \
		-o PubkeyAuthentication=no -o GSSAPIAuthentication=no \
		-o IdentityAgent=none -o ControlPath=none -o ConnectTimeout=20 \
		127.0.0.1 id -un
}
accepted() { grep -c "Accepted keyboard-interactive/pam for alice from 127.0.0.1" "$SSHD_LOG"; }

ssh_login "$KEY"
tap_is "alice's directory key logs in on host A through sshd; id -un prints alice" \
	"$RC $(cat "$E2E_TMP/out")" "0 alice"
[ "$RC" -eq 0 ] || { diag_file "$E2E_TMP/err"; diag_file "$SSHD_LOG"; }
tap_is "sshd accepted alice by keyboard-interactive/pam" "$(accepted)" 1

FORGED=$(printf '%s' "$KEY" | cut -c1-16)AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
ssh_login "$FORGED"
tap_is "the same id with a wrong secret is refused (no new Accepted line)" \
	"$([ "$RC" -ne 0 ] && echo refused) $(accepted)" "refused 1"

ldap_as alice ldapdelete "apiKeyId=$(key_id "$KEY"),$(ldap_dn alice)" 2>"$E2E_TMP/err" ||
	{ diag_file "$E2E_TMP/err"; bail "ldapdelete as alice"; }
refresh
ssh_login "$KEY"
tap_is "deleted in the directory and the mirror refreshed: the key is refused over ssh" \
	"$([ "$RC" -ne 0 ] && echo refused) $(accepted)" "refused 1"

tap_no_secret "no key or secret in sshd's log" "$SSHD_LOG"
tap_no_secret "no key or secret in apikeyd's output" "$E2E_TMP/once"
e2e_end
