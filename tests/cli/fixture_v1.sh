#!/bin/sh
# tests/cli/fixture_v1.sh - a database written by pam_apikey 0.1.0
# (tests/fixtures/v1) through list, a change and login: listed as 0.1.0
# listed it, changed like any other, and its keys still log in afterwards.
# The keys are root's: as another user apikeyctl may not touch them.
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/cli.sh"
cli_start fixture
fixture=$top/tests/fixtures/v1

if [ "$uid" -ne 0 ]; then
	ok "# SKIP the 0.1.0 fixture's keys are root's: apikeyctl needs root to list or change them"
	done_testing; exit
fi
cli_db
for f in u0 decoy; do
	install -m 600 "$fixture/$f" "$db/$f" || not_ok "copy $f"
done

# The fields 0.1.0 printed for each key, in order: later versions may add
# fields, never change or drop these.
same_as_010() { # LIST.JSON: 0 when its keys carry 0.1.0's fields and values
	python3 - "$fixture/list.json" "$1" <<'EOF'
import json, sys
old = json.load(open(sys.argv[1], encoding="utf-8"))
new = json.load(open(sys.argv[2], encoding="utf-8"))
if len(old) != len(new):
    sys.exit("%d keys, 0.1.0 had %d" % (len(new), len(old)))
for o, n in zip(old, new):
    for field, value in o.items():
        if n.get(field) != value:
            sys.exit("%s: %r, 0.1.0 had %r" % (field, n.get(field), value))
EOF
}

"$ctl" list --json >"$work/list.json" 2>"$work/err"
check "list --json of the 0.1.0 database exits 0" test $? -eq 0
check "it shows 0.1.0's keys with 0.1.0's names, ids, descriptions and times" same_as_010 "$work/list.json"
"$ctl" list >"$work/list.txt"
check "plain list shows the three names" \
	sh -c "grep -q '^laptop ' '$work/list.txt' && grep -q '^ci-deploy ' '$work/list.txt' && grep -q '^key-1 ' '$work/list.txt'"

check "a change (describe) is made on the 0.1.0 database" "$ctl" describe key-1 'changed after 0.1.0'
"$ctl" list --json >"$work/after.json"
check "the change shows, the other keys are as they were" python3 - "$fixture/list.json" "$work/after.json" <<'EOF'
import json, sys
old = json.load(open(sys.argv[1], encoding="utf-8"))
new = json.load(open(sys.argv[2], encoding="utf-8"))
assert [k["id"] for k in new] == [k["id"] for k in old], new
for o, n in zip(old, new):
    want = dict(o, description="changed after 0.1.0") if o["name"] == "key-1" else o
    for field, value in want.items():
        assert n.get(field) == value, (field, n.get(field), value)
EOF

# Every token still logs in through libpam, and every record is now written
# in the current version (the C test's DIR mode checks both).
"$B/tests/pam_fixture_v1" "$db" >"$work/pam.out" 2>&1; rc=$?
sed 's/^/# /' "$work/pam.out"
check "after the change every token logs in and every record is rewritten in the current version" \
	test $rc -eq 0
done_testing
