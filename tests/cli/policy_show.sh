#!/bin/sh
# tests/cli/policy_show.sh - `apikeyctl policy [--json]`: the administrator's
# limits, read only, as the Cockpit page reads them (pam_apikey.conf(5)).
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/cli.sh"
cli_start policy-show
cli_db
policy=$work/pam_apikey.conf
export APIKEY_POLICY="$policy"

# pj: policy --json, checked to be one JSON object and printed canonically
pj() { "$ctl" policy --json | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))'; }

check "--help names the policy command" sh -c "'$ctl' --help | grep -q '^  policy '"
check "no policy file: the defaults as JSON" test "$(pj)" = \
	'{"default_lifetime": null, "max_keys": 100, "max_lifetime": null, "services": []}'
check "no policy file: the defaults as text" test "$("$ctl" policy | tr -s ' ' | tr '\n' ';')" = \
	'max_keys 100;max_lifetime none;default_lifetime never;services all;'
expect_fail 2 "policy takes no operand" "$ctl" policy extra
expect_fail 2 "policy takes no --yes" "$ctl" policy --yes
expect_fail 2 "list options stay list's: generate --json is refused" "$ctl" generate --json
check "policy changes nothing: the database stays empty" test -z "$(db_state)"

if [ "$uid" -ne 0 ]; then
	ok "# SKIP a policy file must be owned by root: these run as root (CI)"
	done_testing; exit
fi
write_policy() { printf '%s\n' "$@" >"$policy"; chown 0:0 "$policy"; chmod 644 "$policy"; }
write_policy "max_keys = 7" "max_lifetime = 365" "default_lifetime = 90" "services = sudo, SSHD"
check "a policy file: its limits as JSON (services canonical)" test "$(pj)" = \
	'{"default_lifetime": 90, "max_keys": 7, "max_lifetime": 365, "services": ["sshd", "sudo"]}'
check "  ... and as text" test "$("$ctl" policy | tr -s ' ' | tr '\n' ';')" = \
	'max_keys 7;max_lifetime 365 days;default_lifetime 90 days;services sshd,sudo;'
write_policy "max_lifetime = 30"
check "max_lifetime alone: default_lifetime is max_lifetime" test "$(pj)" = \
	'{"default_lifetime": 30, "max_keys": 100, "max_lifetime": 30, "services": []}'
write_policy "max_keys = 5" "bogus = 1"
expect_fail 1 "a malformed policy: policy fails" "$ctl" policy --json
check "  ... with the file and the line in its one message" \
	sh -c "grep -qF '$policy' '$work/err' && grep -q 'line 2' '$work/err'"
check "  ... and prints nothing on standard output" test ! -s "$work/out"
chmod 666 "$policy"
expect_fail 1 "an unsafe policy: policy fails" "$ctl" policy
done_testing
