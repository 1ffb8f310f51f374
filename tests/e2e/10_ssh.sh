#!/bin/sh
# tests/e2e/10_ssh.sh - real ssh logins with an API key.
#
# A private OpenSSH server on 127.0.0.1 (a high port, its own host key and
# config, UsePAM) is started through a symlink named sshd-apikey-test, so its
# PAM service is /etc/pam.d/sshd-apikey-test: pam_apikey alone decides. Test
# accounts make their own keys with the installed setuid apikeyctl; ssh logs
# in with sshpass (keyboard-interactive, then password authentication through
# PAM) and runs `id -un`. Every login, accepted or refused, must have left
# one authpriv line from the module naming user, service, rhost and key.
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
# shellcheck source=tests/e2e/lib/sshd.sh
. "$(dirname "$0")/lib/sshd.sh"
e2e_begin ssh ssh-keygen sshpass /usr/sbin/sshd

SERVICE=sshd-apikey-test

e2e_install
e2e_syslog_start
e2e_add_user ALICE alice
e2e_add_user BOB bob

e2e_pam_service "$SERVICE" <<EOF
# pam_apikey end-to-end test: an API key is the only way in.
auth     required pam_apikey.so
account  required pam_unix.so
session  required pam_unix.so
password required pam_deny.so
EOF

# ---- the server ----------------------------------------------------------------

sshd_start "$SERVICE" "$ALICE $BOB"

# ssh_login MODE USER SECRET: logs in with keyboard-interactive (MODE kbd,
# answering the module's "API key" prompt) or password authentication
# (MODE password) and runs `id -un`. Output in $E2E_TMP/out, status in RC.
ssh_login() {
	case $1 in
	kbd) prompt="API key" method=keyboard-interactive ;;
	password) prompt="assword" method=password ;;
	esac
	SSHPASS=$3 run_cmd timeout 60 sshpass -P "$prompt" -e \
		ssh -F /dev/null -p "$SSH_PORT" -l "$2" \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o GlobalKnownHostsFile=/dev/null -o LogLevel=ERROR \
		-o PreferredAuthentications="$method" -o NumberOfPasswordPrompts=1 \
		-o PubkeyAuthentication=no -o GSSAPIAuthentication=no \
		-o IdentityAgent=none -o ControlPath=none -o ConnectTimeout=20 \
		127.0.0.1 id -un
}

# sshd's own name for the method, in its Accepted/Failed lines.
sshd_method() {
	case $1 in
	kbd) echo "keyboard-interactive/pam" ;;
	password) echo "password" ;;
	esac
}

module_re() { # the start of the module's lines for SERVICE
	echo "pam_apikey\\($SERVICE:auth\\): "
}

# expect_accepted MODE USER TOKEN KEYNAME
expect_accepted() {
	mode=$1 user=$2 id=$(key_id "$3") name=$4
	what="$mode: $user logs in with their key $name"
	log_mark
	sshd_mark=$(wc -l <"$SSHD_LOG")
	ssh_login "$mode" "$user" "$3"
	log_window "$E2E_TMP/window"
	if [ "$RC" -eq 0 ] && [ "$(cat "$E2E_TMP/out")" = "$user" ]; then
		tap_ok "$what; id -un prints $user"
	else
		tap_not_ok "$what; id -un prints $user"
		diag "exit status $RC"
		diag_file "$E2E_TMP/out"
		diag_file "$E2E_TMP/err"
		tail -n +"$((sshd_mark + 1))" "$SSHD_LOG" | sed -n '1,20s/^/#   sshd: /p'
	fi
	tap_one_line "$mode: one authpriv line: accepted key $name (id $id) for $user, service, rhost" \
		"$E2E_TMP/window" \
		"$(module_re)accepted key $name \\(id $id\\) for user $user service $SERVICE rhost 127\\.0\\.0\\.1\$"
	tail -n +"$((sshd_mark + 1))" "$SSHD_LOG" >"$E2E_TMP/sshd.window"
	n=$(count_re "$E2E_TMP/sshd.window" "Accepted $(sshd_method "$mode") for $user from 127\\.0\\.0\\.1")
	tap_is "$mode: sshd accepted $user by $(sshd_method "$mode")" "$n" 1
}

# expect_refused MODE USER TOKEN WHAT ID-IN-LOG: ID-IN-LOG is the key id the
# module must name, "malformed", or "" when sshd itself refuses before PAM.
expect_refused() {
	mode=$1 user=$2 tok=$3 what="$mode: $4 is refused for $2" logid=$5
	log_mark
	sshd_mark=$(wc -l <"$SSHD_LOG")
	ssh_login "$mode" "$user" "$tok"
	log_window "$E2E_TMP/window"
	tail -n +"$((sshd_mark + 1))" "$SSHD_LOG" >"$E2E_TMP/sshd.window"
	failed=$(count_re "$E2E_TMP/sshd.window" "Failed $(sshd_method "$mode") for $user from 127\\.0\\.0\\.1")
	# (sshd drops an empty password without a "Failed password" line)
	[ -n "$logid" ] || failed=1
	accepted=$(count_re "$E2E_TMP/window" "accepted key")
	sshd_ok=$(count_re "$E2E_TMP/sshd.window" "Accepted ")
	if [ "$RC" -ne 0 ] && ! grep -q "$user" "$E2E_TMP/out" &&
		[ "$failed" -ge 1 ] && [ "$accepted" -eq 0 ] && [ "$sshd_ok" -eq 0 ]; then
		tap_ok "$what"
	else
		tap_not_ok "$what"
		diag "exit status $RC, sshd 'Failed' lines: $failed, 'Accepted' lines: $sshd_ok," \
			"module 'accepted' lines: $accepted"
		diag_file "$E2E_TMP/out"
		diag_file "$E2E_TMP/err"
		sed -n '1,20s/^/#   sshd: /p' "$E2E_TMP/sshd.window"
	fi
	if [ -n "$logid" ]; then
		tap_one_line "$mode: one authpriv line: refused key (id $logid) for $user, service, rhost" \
			"$E2E_TMP/window" \
			"$(module_re)refused key \\(id $logid\\) for user $user service $SERVICE rhost 127\\.0\\.0\\.1: [^ ]"
	fi
}

diag "sshd $SERVICE (pid $SSHD_PID) on 127.0.0.1 port $SSH_PORT"

# ---- the keys ------------------------------------------------------------------

e2e_generate KEY_A "$ALICE" --name laptop
e2e_generate KEY_B "$BOB" --name ci
e2e_generate KEY_GONE "$ALICE" --name gone
run_cmd as_user "$ALICE" "$APKCTL" delete gone --yes
tap_is "$ALICE deletes her key 'gone'" "$RC" 0
run_cmd as_user "$ALICE" "$APKCTL" list
if grep -q "$(key_id "$KEY_GONE")" "$E2E_TMP/out"; then
	tap_not_ok "the deleted key is no longer listed"
else
	tap_ok "the deleted key is no longer listed"
fi

# Well-formed keys that are not Alice's: her id with another secret (a correct
# checksum, computed as keyfmt.c does: the tool checks that on a real key
# first), and a key from another database whose id is unknown here.
if "$E2E_PY" "$E2E_LIB/keytool.py" verify "$KEY_A"; then
	tap_ok "the test's checksum computation reproduces a real key's checksum"
else
	tap_not_ok "the test's checksum computation reproduces a real key's checksum"
fi
KEY_FORGED=$("$E2E_PY" "$E2E_LIB/keytool.py" forge "$KEY_A")
KEY_BADSUM=$("$E2E_PY" "$E2E_LIB/keytool.py" badsum "$KEY_A")
mkdir -m 0700 "$E2E_TMP/other.db"
run_cmd env APIKEY_DB="$E2E_TMP/other.db" "$APK_BUILD/apikeyctl" generate -q
KEY_OTHERDB=$(cat "$E2E_TMP/out")
key_wellformed "$KEY_OTHERDB" || {
	diag_file "$E2E_TMP/err"
	bail "no key from a scratch database"
}
for k in "$KEY_FORGED" "$KEY_BADSUM" "$KEY_OTHERDB"; do
	e2e_secret "$k"
done

# ---- logins --------------------------------------------------------------------

for mode in kbd password; do
	expect_accepted "$mode" "$ALICE" "$KEY_A" laptop
	expect_accepted "$mode" "$BOB" "$KEY_B" ci
	expect_refused "$mode" "$ALICE" "$KEY_B" "$BOB's key" "$(key_id "$KEY_B")"
	expect_refused "$mode" "$ALICE" "$KEY_FORGED" "her key id with a wrong secret" "$(key_id "$KEY_A")"
	expect_refused "$mode" "$ALICE" "$KEY_OTHERDB" "a key unknown here" "$(key_id "$KEY_OTHERDB")"
	expect_refused "$mode" "$ALICE" "$KEY_GONE" "her deleted key" "$(key_id "$KEY_GONE")"
	expect_refused "$mode" "$ALICE" "$KEY_BADSUM" "her key with a bad checksum" malformed
	expect_refused "$mode" "$ALICE" "$ALICE_PW" "her password (no pam_unix here)" malformed
	if [ "$mode" = kbd ]; then
		expect_refused "$mode" "$ALICE" "" "an empty key" malformed
	else
		# sshd turns an empty password away itself (PermitEmptyPasswords no).
		expect_refused "$mode" "$ALICE" "" "an empty key" ""
	fi
done

tap_no_secret "no key, secret or password in any syslog line" "$E2E_SYSLOG"
tap_no_secret "no key, secret or password in sshd's log" "$SSHD_LOG"

e2e_stop_pid "$SSHD_PID"
if kill -0 "$SSHD_PID" 2>/dev/null; then
	tap_not_ok "the test sshd is stopped"
else
	tap_ok "the test sshd is stopped"
fi

e2e_end
