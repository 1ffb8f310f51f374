#!/bin/sh
# tests/cli/mirror.sh - apikeyctl and the directory's keys mirrored on this
# host (DIR/fleet, built by tests/mirror_tool through mirror.h as apikeyd
# builds it): list shows them with a SOURCE column when local keys are
# listed too and a "source" member always, their last use this host's; a
# local command naming one refuses with one line and changes nothing;
# --hosts on a local key.
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/cli.sh"
cli_start mirror
cli_db
export APIKEY_POLICY=/nonexistent/pam_apikey.conf
mt=$B/tests/mirror_tool
[ -x "$mt" ] || { not_ok "$mt is built (make tests)"; done_testing; exit 1; }

# jf NAME FIELD: key NAME's FIELD in list --json, as JSON
jf() {
	"$ctl" list --json | python3 -c '
import json, sys
keys = {k["name"]: k for k in json.load(sys.stdin)}
print(json.dumps(keys[sys.argv[1]][sys.argv[2]]) if sys.argv[1] in keys else "NOKEY")' "$1" "$2"
}
# is GOT WANT DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3"; echo "#   got:  $1"; echo "#   want: $2"; fi
}
# the whole tree, mirror included (db_state skips nothing but locks)
tree_digest() { (cd "$db" && find . -type f ! -name '*.lock' | sort | xargs -r sha256sum) | sha256sum; }

# ---- directory keys only ----
dkey=$("$mt" key "$db" "$me" laptop) && [ -n "$dkey" ]
check "mirror_tool makes a directory key" [ -n "$dkey" ]
"$mt" state "$db" now 900 test-host.example.org
out=$("$ctl" list)
check "list shows the directory key" sh -c "printf '%s\n' \"\$1\" | grep -q '^laptop '" _ "$out"
check "no SOURCE column when every key is of one source" \
	sh -c "! printf '%s\n' \"\$1\" | head -1 | grep -q SOURCE" _ "$out"
check "list --json: \"source\": \"directory\"" [ "$(jf laptop source)" = '"directory"' ]

# ---- and a local one ----
"$ctl" generate -n mine -q >/dev/null
out=$("$ctl" list)
check "SOURCE column when both are listed" sh -c "printf '%s\n' \"\$1\" | head -1 | grep -q ' SOURCE '" _ "$out"
check "the local key's row says local" \
	sh -c "printf '%s\n' \"\$1\" | grep '^mine ' | grep -q ' local '" _ "$out"
check "the directory key's row says directory" \
	sh -c "printf '%s\n' \"\$1\" | grep '^laptop ' | grep -q ' directory '" _ "$out"
is "$(jf mine source)" '"local"' "list --json: \"source\": \"local\""
is "$("$ctl" list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 2 \
	"list --json: both keys"

# ---- last use: this host's, in the mirror ----
did=$(jf laptop id | tr -d '"')
"$B/tests/hostile_tool" used "$db/fleet" "$uid" "$did" 1767225600 sshd 192.0.2.9 >/dev/null
is "$(jf laptop last_used)" '{"time": "2026-01-01T00:00:00Z", "service": "sshd", "rhost": "192.0.2.9"}' \
	"a directory key's last use is read from the mirror"
is "$(jf mine last_used)" null "the local key's is its own"

# ---- local commands refuse a directory key, by name or id ----
# refused KEY COMMAND...: one line "KEY: managed in the directory; use
# --fleet", status 1, nothing changed, the mirror included
refused() {
	key=$1; shift
	tree_before=$(tree_digest)
	expect_fail 1 "$*: refused" "$@"
	check "  ... with '$key: managed in the directory; use --fleet'" \
		grep -qxF "apikeyctl: $key: managed in the directory; use --fleet" "$work/err"
	check "  ... and nothing changed, mirror included" [ "$tree_before" = "$(tree_digest)" ]
}
refused laptop "$ctl" edit laptop --description x
refused laptop "$ctl" rename laptop other
refused laptop "$ctl" describe laptop x
refused laptop "$ctl" disable laptop
refused laptop "$ctl" enable laptop
refused laptop "$ctl" rotate laptop
refused laptop "$ctl" delete --yes laptop
refused laptop "$ctl" delete --yes mine laptop
refused "$did" "$ctl" disable -- "$did"   # "--": an id may begin with "-"
refused "$did" "$ctl" delete --yes -- "$did"
# a name that is nowhere is still "no such key"
expect_fail 1 "disable nowhere: refused" "$ctl" disable nowhere
check "  ... as no such key" grep -q "nowhere: no such key" "$work/err"

# ---- --hosts on a local key ----
"$ctl" generate -n web -q --hosts 'Web-*.example.org,db-1' >/dev/null
is "$(jf web hosts)" '["db-1", "web-*.example.org"]' "--hosts: canonical (lower case, sorted)"
check "list shows a HOSTS column" sh -c "\"\$1\" list | head -1 | grep -q HOSTS" _ "$ctl"
expect_fail 2 "--hosts 'a b': refused" "$ctl" generate -n bad --hosts 'a b'
expect_fail 2 "--hosts all,x: refused" "$ctl" generate -n bad --hosts all,x
"$ctl" edit web --hosts all >/dev/null
is "$(jf web hosts)" '[]' "edit --hosts all: every host"

done_testing
