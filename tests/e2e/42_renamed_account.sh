#!/bin/sh
# tests/e2e/42_renamed_account.sh - a key belongs to an account's name as
# well as its uid.
#
# An account renamed with `usermod -l` keeps its uid, and so its file of
# keys; the keys made under the old name must not log in the new name (the
# module compares the record's owner name with PAM_USER). Keys made under
# the new name do, and renaming the account back makes the old keys work
# again: only the name differed.
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
e2e_begin usermod pamtester

e2e_install
e2e_add_user OLD ren
NEW=apkt-rn2-$$
getent passwd "$NEW" >/dev/null && bail "account $NEW exists already"

S=apkt-ren-$$
e2e_pam_service "$S" <<EOF
auth    required pam_apikey.so nodelay
account required pam_permit.so
EOF

# login USER TOKEN: pamtester's exit status for TOKEN typed at the prompt.
login() {
	printf '%s\n' "$2" | pamtester "$S" "$1" authenticate >/dev/null 2>&1
	echo $?
}

e2e_generate KEY_OLD "$OLD" --name before-rename
tap_is "$OLD: the key logs in before the rename" "$(login "$OLD" "$KEY_OLD")" 0

uid=$(id -u "$OLD")
usermod -l "$NEW" "$OLD" >"$E2E_TMP/err" 2>&1 || { diag_file "$E2E_TMP/err"; bail "usermod -l $NEW $OLD"; }
# the new name first: its keys and the account go before the old group
E2E_USERS="$NEW $E2E_USERS"
tap_is "$NEW has $OLD's uid" "$(id -u "$NEW")" "$uid"
tap_is "$NEW: the key made as $OLD does not log in" "$(login "$NEW" "$KEY_OLD")" 1
run_cmd "$APKCTL" --user "$NEW" list --json
tap_is "$NEW: lists no key of $OLD's" "$(cat "$E2E_TMP/out")" "[]"

e2e_generate KEY_NEW "$NEW" --name after-rename
tap_is "$NEW: a key made as $NEW logs in" "$(login "$NEW" "$KEY_NEW")" 0
tap_run "$NEW: deletes that key" as_user "$NEW" "$APKCTL" delete --yes after-rename

usermod -l "$OLD" "$NEW" >"$E2E_TMP/err" 2>&1 || { diag_file "$E2E_TMP/err"; bail "usermod -l $OLD $NEW"; }
E2E_USERS=$(printf '%s\n' $E2E_USERS | grep -vx "$NEW" | tr '\n' ' ')
tap_is "$OLD again: the old key logs in" "$(login "$OLD" "$KEY_OLD")" 0

e2e_end
