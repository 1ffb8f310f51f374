#!/bin/sh
# tests/e2e/20_pamtester.sh - pam_apikey as an alternative to the password,
# through pamtester, the real libpam and the real pam_unix: with
# forward_pass, the key or the password at one prompt each work, nothing
# else does (Debian's pam-auth-update shape among them); without it, what is
# typed at the key prompt never reaches pam_unix.
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
e2e_begin pamtester

RHOST=apkt-rhost.invalid

e2e_install
e2e_syslog_start
e2e_add_user ALICE alice
e2e_add_user BOB bob

S_DONE=apkt-done-$$
S_SUFF=apkt-suff-$$
S_ONLY=apkt-only-$$
S_FAST=apkt-fast-$$
S_DEB=apkt-deb-$$
S_KEEP=apkt-keep-$$
e2e_pam_service "$S_DONE" <<EOF
auth    [success=done default=ignore] pam_apikey.so nodelay forward_pass
auth    required pam_unix.so try_first_pass nodelay
account required pam_unix.so
EOF
e2e_pam_service "$S_SUFF" <<EOF
auth    sufficient pam_apikey.so nodelay forward_pass
auth    required pam_unix.so try_first_pass nodelay
account required pam_unix.so
EOF
# common-auth as pam-auth-update writes it with pam_apikey first
# ("success=end" becomes the jump to pam_permit)
e2e_pam_service "$S_DEB" <<EOF
auth    [success=2 default=ignore] pam_apikey.so nodelay forward_pass
auth    [success=1 default=ignore] pam_unix.so nullok try_first_pass nodelay
auth    requisite pam_deny.so
auth    required pam_permit.so
account required pam_unix.so
EOF
# Without forward_pass. Debian's pam_unix takes any token an earlier module
# left, even without try_first_pass; pam_apikey leaves none.
e2e_pam_service "$S_KEEP" <<EOF
auth    [success=done default=ignore] pam_apikey.so nodelay
auth    required pam_unix.so nodelay
account required pam_unix.so
EOF
e2e_pam_service "$S_ONLY" <<EOF
auth    required pam_apikey.so
account required pam_unix.so
EOF
e2e_pam_service "$S_FAST" <<EOF
auth    required pam_apikey.so nodelay
account required pam_unix.so
EOF

# pam SERVICE USER VALUE: pamtester authenticate (and acct_mgmt), answering
# the one prompt with VALUE. Status in RC.
pam() {
	printf '%s\n' "$3" | timeout 30 pamtester -I rhost="$RHOST" "$1" "$2" \
		authenticate acct_mgmt >"$E2E_TMP/out" 2>"$E2E_TMP/err"
	RC=$?
}

# expect SERVICE USER VALUE WANT(0|fail) DESC
expect() {
	pam "$1" "$2" "$3"
	if { [ "$4" = 0 ] && [ "$RC" -eq 0 ]; } || { [ "$4" = fail ] && [ "$RC" -ne 0 ]; }; then
		tap_ok "$1: $5"
	else
		tap_not_ok "$1: $5"
		diag "pamtester exit status $RC, wanted $4"
		diag_file "$E2E_TMP/out"
		diag_file "$E2E_TMP/err"
	fi
}

e2e_generate KEY_A "$ALICE" --name deploy
e2e_generate KEY_B "$BOB" --name backup
ID_A=$(key_id "$KEY_A")

for s in "$S_DONE" "$S_SUFF" "$S_DEB"; do
	expect "$s" "$ALICE" "$KEY_A" 0 "$ALICE's key works"
	expect "$s" "$ALICE" "$ALICE_PW" 0 "$ALICE's password works"
	expect "$s" "$ALICE" "x$ALICE_PW" fail "a wrong password fails"
	expect "$s" "$ALICE" "$("$E2E_PY" "$E2E_LIB/keytool.py" forge "$KEY_A")" fail \
		"a wrong key with her key id fails"
	expect "$s" "$ALICE" "$KEY_B" fail "$BOB's key fails for $ALICE"
	expect "$s" "$BOB" "$KEY_A" fail "$ALICE's key fails for $BOB"
	expect "$s" "$BOB" "$ALICE_PW" fail "$ALICE's password fails for $BOB"
	expect "$s" "$ALICE" "" fail "an empty value fails"
	expect "$s" "apkt-nobody-$$" "$KEY_A" fail "a key for an unknown user fails"
done

# asked SERVICE USER VALUE DESC WANT: the prompts pamtester showed (on its
# standard error, before its own "pamtester: ..." messages; one line of
# answers given) are exactly WANT.
asked() {
	pam "$1" "$2" "$3"
	got=$(sed 's/pamtester: .*//' "$E2E_TMP/err" | tr -d '\n')
	tap_is "$1: $4" "$got" "$5"
}
asked "$S_DEB" "$ALICE" "$ALICE_PW" "the password is asked for once" "Password: "
asked "$S_DEB" "$ALICE" "$KEY_A" "the key is asked for once" "Password: "
asked "$S_DEB" "$ALICE" "$("$E2E_PY" "$E2E_LIB/keytool.py" forge "$KEY_A")" \
	"a wrong key goes no further: pam_unix asks for its own password" "Password: Password: "
asked "$S_DEB" "$ALICE" "${KEY_A#apk_}" \
	"a key without its prefix goes no further: pam_unix asks for its own password" \
	"Password: Password: "
asked "$S_DEB" "$ALICE" "$(printf '%s' "${KEY_A#apk_}" | tr 'a-zA-Z' 'A-Za-z')" \
	"a key typed with caps lock on goes no further" "Password: Password: "
asked "$S_KEEP" "$ALICE" "$ALICE_PW" \
	"without forward_pass the answer goes no further: pam_unix asks for its own" \
	"API key: Password: "
expect "$S_KEEP" "$ALICE" "$KEY_A" 0 "without forward_pass $ALICE's key works"
expect "$S_KEEP" "$ALICE" "$ALICE_PW" fail \
	"without forward_pass the password typed at the key prompt is not used"

# The password passed on is logged as refused, never shown.
log_mark
pam "$S_DEB" "$ALICE" "$ALICE_PW"
log_window "$E2E_TMP/window"
tap_one_line "$S_DEB: one authpriv line for the password passed on" "$E2E_TMP/window" \
	"pam_apikey\\($S_DEB:auth\\): refused key \\(id malformed\\) for user $ALICE service $S_DEB rhost $RHOST: not a valid API key \\(passed on to the next module\\)\$"

log_mark
pam "$S_DEB" "$ALICE" "apk-${KEY_A#apk_}"
log_window "$E2E_TMP/window"
tap_one_line "$S_DEB: one authpriv line for the key kept back" "$E2E_TMP/window" \
	"pam_apikey\\($S_DEB:auth\\): refused key \\(id malformed\\) for user $ALICE service $S_DEB rhost $RHOST: not a valid API key \\(not passed on to the next module\\)\$"

# Attribution through pamtester: user, service, rhost, key name and id.
log_mark
pam "$S_FAST" "$ALICE" "$KEY_A"
log_window "$E2E_TMP/window"
tap_one_line "$S_FAST: one authpriv line for the accepted key" "$E2E_TMP/window" \
	"pam_apikey\\($S_FAST:auth\\): accepted key deploy \\(id $ID_A\\) for user $ALICE service $S_FAST rhost $RHOST\$"
log_mark
pam "$S_FAST" "$BOB" "$KEY_A"
log_window "$E2E_TMP/window"
tap_one_line "$S_FAST: one authpriv line for the refused key" "$E2E_TMP/window" \
	"pam_apikey\\($S_FAST:auth\\): refused key \\(id $ID_A\\) for user $BOB service $S_FAST rhost $RHOST: [^ ]"

# A failure is delayed (2 s requested; libpam draws the actual delay from
# between half and one and a half times that, so at least 1 s); nodelay
# removes the delay.
t0=$(date +%s%N)
pam "$S_ONLY" "$ALICE" "$KEY_B"
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
if [ "$RC" -ne 0 ] && [ "$ms" -ge 950 ]; then
	tap_ok "$S_ONLY: a refused key takes the failure delay (${ms} ms)"
else
	tap_not_ok "$S_ONLY: a refused key takes the failure delay (${ms} ms, status $RC)"
fi
t0=$(date +%s%N)
pam "$S_FAST" "$ALICE" "$KEY_B"
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
if [ "$RC" -ne 0 ] && [ "$ms" -lt 500 ]; then
	tap_ok "$S_FAST: nodelay refuses without the delay (${ms} ms)"
else
	tap_not_ok "$S_FAST: nodelay refuses without the delay (${ms} ms, status $RC)"
fi

# An account deleted and created again under the same name but another uid
# does not inherit the old account's keys.
e2e_add_user CAROL carol
e2e_generate KEY_C "$CAROL" --name old
expect "$S_FAST" "$CAROL" "$KEY_C" 0 "$CAROL's key works"
old_uid=$(id -u "$CAROL")
new_uid=$((old_uid + 1000))
while getent passwd "$new_uid" >/dev/null; do new_uid=$((new_uid + 1)); done
userdel -r "$CAROL" >/dev/null 2>&1
useradd -m -u "$new_uid" -s /bin/sh -c "pam_apikey e2e test" "$CAROL" ||
	bail "useradd $CAROL again"
expect "$S_FAST" "$CAROL" "$KEY_C" fail "the key of a deleted $CAROL fails for a new $CAROL (uid $new_uid)"
run_cmd as_user "$CAROL" "$APKCTL" list --json
if grep -q "$(key_id "$KEY_C")" "$E2E_TMP/out"; then
	tap_not_ok "the new $CAROL does not see the old $CAROL's key"
else
	tap_ok "the new $CAROL does not see the old $CAROL's key"
fi
# Back to the old uid, so that the cleanup can delete the old key.
userdel -r "$CAROL" >/dev/null 2>&1
useradd -m -u "$old_uid" -s /bin/sh -c "pam_apikey e2e test" "$CAROL" ||
	bail "useradd $CAROL with the old uid"

tap_no_secret "no key, secret or password in any syslog line" "$E2E_SYSLOG"

e2e_end
