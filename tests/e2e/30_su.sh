#!/bin/sh
# tests/e2e/30_su.sh - `su` from one account to another with the target's key.
#
# su's PAM service name is fixed ("su"), so the test does not edit
# /etc/pam.d/su: it runs su in a private mount namespace where a copy with
# pam_apikey added (as the example in doc/pam.d/su does) is bind-mounted over
# it. Nothing outside that namespace ever sees the change, even if the test
# is killed.
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
e2e_begin su unshare mount awk

e2e_install
e2e_syslog_start
e2e_add_user ALICE alice
e2e_add_user BOB bob

# /etc/pam.d/su with our line after pam_rootok (root needs nothing), so that
# a key of the target account is enough and its password still works, both
# at su's one prompt (forward_pass).
SU_PAM=$E2E_TMP/su.pam
LINE="auth [success=done default=ignore] pam_apikey.so forward_pass"
awk -v line="$LINE" '
	{ print }
	!done && $1 == "auth" && $0 ~ /pam_rootok\.so/ { print line; done = 1 }
	END { if (!done) exit 1 }' /etc/pam.d/su >"$SU_PAM" ||
	{ echo "$LINE"; cat /etc/pam.d/su; } >"$SU_PAM"
chmod 0644 "$SU_PAM"
su_before=$(sha256sum </etc/pam.d/su)

# su_as FROM TO SECRET: FROM runs `su TO -c 'id -un'` and answers the prompt
# with SECRET on standard input (su's conversation reads it from there when
# there is no terminal). Output in $E2E_TMP/out, status in RC.
su_as() {
	printf '%s\n' "$3" | timeout 30 unshare --mount --propagation private -- \
		sh -c 'mount --bind "$1" /etc/pam.d/su && cd / &&
			exec runuser -u "$2" -- su -c "id -un" "$3"' \
		sh "$SU_PAM" "$1" "$2" >"$E2E_TMP/out" 2>"$E2E_TMP/err"
	RC=$?
}

# su_plain FROM TO SECRET: the same with the system's /etc/pam.d/su.
su_plain() {
	printf '%s\n' "$3" | (cd / && timeout 30 runuser -u "$1" -- su -c "id -un" "$2") \
		>"$E2E_TMP/out" 2>"$E2E_TMP/err"
	RC=$?
}

became() { # DESC USER: ok when the last su printed USER and exited 0
	if [ "$RC" -eq 0 ] && [ "$(cat "$E2E_TMP/out")" = "$2" ]; then
		tap_ok "$1"
	else
		tap_not_ok "$1"
		diag "exit status $RC"
		diag_file "$E2E_TMP/out"
		diag_file "$E2E_TMP/err"
	fi
}
refused() { # DESC USER: ok when the last su failed and printed nothing of USER
	if [ "$RC" -ne 0 ] && ! grep -q "$2" "$E2E_TMP/out"; then
		tap_ok "$1"
	else
		tap_not_ok "$1"
		diag "exit status $RC"
		diag_file "$E2E_TMP/out"
	fi
}

e2e_generate KEY_A "$ALICE" --name shell
e2e_generate KEY_B "$BOB" --name handover
ID_B=$(key_id "$KEY_B")

log_mark
su_as "$ALICE" "$BOB" "$KEY_B"
log_window "$E2E_TMP/window"
became "$ALICE runs su $BOB with $BOB's key and becomes $BOB" "$BOB"
tap_one_line "one authpriv line: accepted key handover (id $ID_B) for $BOB, service su" \
	"$E2E_TMP/window" \
	"pam_apikey\\(su:auth\\): accepted key handover \\(id $ID_B\\) for user $BOB service su rhost "

su_as "$BOB" "$ALICE" "$KEY_A"
became "$BOB runs su $ALICE with $ALICE's key and becomes $ALICE" "$ALICE"

log_mark
su_as "$ALICE" "$BOB" "$KEY_A"
log_window "$E2E_TMP/window"
refused "$ALICE cannot su to $BOB with her own key" "$BOB"
tap_one_line "one authpriv line: refused key (id $(key_id "$KEY_A")) for $BOB, service su" \
	"$E2E_TMP/window" \
	"pam_apikey\\(su:auth\\): refused key \\(id $(key_id "$KEY_A")\\) for user $BOB service su rhost "

su_as "$ALICE" "$BOB" "$("$E2E_PY" "$E2E_LIB/keytool.py" forge "$KEY_B")"
refused "$ALICE cannot su to $BOB with a wrong key of his id" "$BOB"

su_as "$ALICE" "$BOB" "$BOB_PW"
became "$BOB's password still works through su's usual stack" "$BOB"

# Without pam_apikey in its stack (the system's own /etc/pam.d/su), the key
# is only a wrong password: the acceptance above was the module's doing.
su_plain "$ALICE" "$BOB" "$KEY_B"
refused "with the system's unchanged /etc/pam.d/su, $BOB's key is just a wrong password" "$BOB"
tap_is "/etc/pam.d/su itself was never changed" "$(sha256sum </etc/pam.d/su)" "$su_before"

tap_no_secret "no key, secret or password in any syslog line" "$E2E_SYSLOG"

e2e_end
