#!/bin/sh
# tests/e2e/47_policy.sh - the administrator's policy, /etc/security/pam_apikey.conf,
# as the installed set-user-ID apikeyctl reads it.
#
#   - its limits bind a user: max_lifetime refuses --expires never and a later
#     time, and gives a key made without --expires its default expiry;
#   - a user cannot point the helper at another policy with APIKEY_POLICY,
#     and neither can root (the installed helper ignores the variable);
#   - a malformed file refuses every change naming the line, and list works;
#   - a file the helper account cannot read refuses every change.
# The file as it was before the test is put back at the end.
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
e2e_begin

POLICY=$(make_var POLICY)
[ -n "$POLICY" ] || POLICY=/etc/security/pam_apikey.conf
SAVED=""
restore_policy() {
	if [ -n "$SAVED" ]; then
		cp -p "$SAVED" "$POLICY"
	else
		rm -f "$POLICY"
	fi
}
trap 'restore_policy; e2e_cleanup' EXIT
if [ -e "$POLICY" ]; then
	SAVED=$E2E_TMP/policy.saved
	cp -p "$POLICY" "$SAVED" || bail "cannot save $POLICY"
fi
write_policy() { # MODE LINE...
	mode=$1
	shift
	mkdir -p "$(dirname "$POLICY")"
	printf '%s\n' "$@" >"$POLICY" && chown 0:0 "$POLICY" && chmod "$mode" "$POLICY" ||
		bail "cannot write $POLICY"
}

e2e_install
e2e_add_user ALICE pol

write_policy 0644 "# written by tests/e2e/47_policy.sh" "max_lifetime = 1"
run_cmd as_user "$ALICE" "$APKCTL" generate -q --expires never
tap_is "max_lifetime = 1: a user's --expires never is refused (status 2)" "$RC" 2
grep -q "1 days" "$E2E_TMP/err"
tap_check "... and the message names the limit" $?
run_cmd as_user "$ALICE" "$APKCTL" generate -q --expires 2d
tap_is "max_lifetime = 1: --expires 2d is refused (status 2)" "$RC" 2

# A lax policy of root's own making: an empty file, which sets no limit.
lax=$E2E_TMP/lax.conf
: >"$lax"
chmod 0644 "$lax"
chmod 0711 "$E2E_TMP"
run_cmd as_user "$ALICE" env APIKEY_POLICY="$lax" "$APKCTL" generate -q --expires never
tap_is "a user's APIKEY_POLICY is ignored: --expires never still refused" "$RC" 2
run_cmd env APIKEY_POLICY="$lax" "$APKCTL" --user "$ALICE" generate -q --expires never
tap_is "root's APIKEY_POLICY is ignored by the installed helper too" "$RC" 2
chmod 0700 "$E2E_TMP"

e2e_generate KEY "$ALICE" --name within
now=$(date +%s)
exp=$("$APKCTL" --user "$ALICE" list --json | "$E2E_PY" -c '
import calendar, json, sys, time
k = [k for k in json.load(sys.stdin) if k["name"] == "within"][0]
print(calendar.timegm(time.strptime(k["expires"], "%Y-%m-%dT%H:%M:%SZ")))')
[ -n "$exp" ] && [ "$exp" -gt "$now" ] && [ "$exp" -le $((now + 86400)) ]
tap_check "a key made without --expires expires within max_lifetime (in $((exp - now)) s)" $?

write_policy 0644 "max_lifetime = 1" "max_keys = many"
before=$(db_state)
run_cmd as_user "$ALICE" "$APKCTL" generate -q
tap_is "a malformed policy: generate refused (status 1)" "$RC" 1
grep -q "line 2" "$E2E_TMP/err"
tap_check "... the message names the line" $?
run_cmd as_user "$ALICE" "$APKCTL" disable within
tap_is "a malformed policy: disable refused (status 1)" "$RC" 1
tap_is "... and nothing changed" "$(db_state)" "$before"
run_cmd as_user "$ALICE" "$APKCTL" list
tap_is "a malformed policy: list works" "$RC" 0

write_policy 0600 "max_lifetime = 1"
run_cmd as_user "$ALICE" "$APKCTL" generate -q
tap_is "a policy the helper account cannot read: changes refused (status 1)" "$RC" 1
diag_file "$E2E_TMP/err"

restore_policy
if [ -z "$SAVED" ]; then
	run_cmd as_user "$ALICE" "$APKCTL" edit within --expires never
	tap_is "no policy file: edit --expires never works again" "$RC" 0
else
	tap_skip "the machine had a policy file of its own, put back as it was"
fi

e2e_end
