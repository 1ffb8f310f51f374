#!/bin/sh
# tests/cli/apikeyctl.sh - the apikeyctl command-line contract, as a user drives it
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/cli.sh"
cli_start cli
cli_db

# ---- help and usage ----
out=$("$ctl" --help); rc=$?
check "--help exits 0 and names every command" \
	test $rc -eq 0 -a -n "$(echo "$out" | grep generate)" -a -n "$(echo "$out" | grep delete)" \
	-a -n "$(echo "$out" | grep rename)" -a -n "$(echo "$out" | grep describe)"
check "--version prints the version" sh -c "'$ctl' --version | grep -Eq '^apikeyctl .* [0-9]+\.[0-9]+\.[0-9]+$'"
"$ctl" >/dev/null 2>"$work/err"; rc=$?
check "no command: exit 2 and one line" test $rc -eq 2 -a "$(wc -l <"$work/err")" -eq 1
"$ctl" frobnicate 2>/dev/null; check "unknown command: exit 2" test $? -eq 2
"$ctl" list --bogus 2>/dev/null; check "unknown option: exit 2" test $? -eq 2
"$ctl" rename onlyone 2>/dev/null; check "wrong arity: exit 2" test $? -eq 2

# ---- generate ----
out=$("$ctl" generate); rc=$?
key1=$(echo "$out" | grep -Eo 'apk_[A-Za-z0-9_-]{64}')
check "generate prints the key once, with a warning" \
	test $rc -eq 0 -a "$(echo "$out" | grep -c 'apk_')" -eq 1 -a -n "$(echo "$out" | grep 'cannot be shown again')"
check "the key is 68 characters of [A-Za-z0-9_-]" sh -c "echo '$key1' | grep -Eqx 'apk_[A-Za-z0-9_-]{64}'"
key2=$("$ctl" generate -q); rc=$?
check "generate -q prints only the key and a newline" \
	sh -c "test $rc -eq 0 && '$ctl' list >/dev/null && echo '$key2' | grep -Eqx 'apk_[A-Za-z0-9_-]{64}'"
check "-q output is exactly one line" test "$("$ctl" generate -q --name third | wc -l)" -eq 1
check "default names are key-1, key-2" test "$(json_names)" = "key-1 key-2 third"
check "keys differ" test "$key1" != "$key2"
"$ctl" rename key-2 key-3 && "$ctl" generate -q >/dev/null
check "default name skips names in use" test "$(json_names)" = "key-1 key-3 third key-2"
"$ctl" rename key-1 key-4 && "$ctl" generate -q >/dev/null
check "a freed default name is reused, never duplicated" test "$(json_names)" = "key-4 key-3 third key-2 key-1"
expect_fail 1 "generate with a name in use is refused" "$ctl" generate --name third
"$ctl" generate -q --name 'described' --description 'ünïcödé and "quotes"' >/dev/null
check "a UTF-8 description with quotes is stored" sh -c "'$ctl' list --json | python3 -c 'import json,sys; d={k[\"name\"]:k[\"description\"] for k in json.load(sys.stdin)}; sys.exit(d[\"described\"] != \"ünïcödé and \\\"quotes\\\"\")'"

# ---- list ----
out=$("$ctl" list)
check "list shows names and ids, never a key" \
	sh -c "echo '$out' | grep -q key-4 && ! echo '$out' | grep -q apk_"
check "list --json has name, id, description, created (ISO 8601 UTC)" \
	sh -c "'$ctl' list --json | python3 -c '
import json, re, sys
keys = json.load(sys.stdin)
assert len(keys) == 6, keys
for k in keys:
    assert set((\"name\", \"id\", \"description\", \"created\")) <= set(k), k
    assert re.fullmatch(r\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\", k[\"created\"]), k
    assert re.fullmatch(r\"[A-Za-z0-9_-]{12}\", k[\"id\"]), k
    assert \"apk_\" not in json.dumps(k)
'"
check "the id is the one inside the key" sh -c "'$ctl' list | grep -q '$(echo "$key1" | cut -c5-16)'"

# ---- rename and describe ----
id3=$("$ctl" list --json | python3 -c 'import json,sys; print([k["id"] for k in json.load(sys.stdin) if k["name"]=="key-3"][0])')
check "rename by name" "$ctl" rename key-4 laptop
check "rename by id" "$ctl" rename "$id3" phone
check "describe by name" "$ctl" describe phone "my phone"
check "describe by id" "$ctl" describe "$id3" "my old phone"
check "renamed and described keys show so" sh -c "'$ctl' list | grep phone | grep -q 'my old phone'"
expect_fail 1 "rename onto a name in use is refused" "$ctl" rename phone laptop
expect_fail 1 "rename of an unknown key is refused" "$ctl" rename nosuch other
expect_fail 2 "rename to a name with a space is refused" "$ctl" rename phone "my phone"
expect_fail 2 "rename to an empty name is refused" "$ctl" rename phone ""
expect_fail 2 "rename to a 65-character name is refused" "$ctl" rename phone "$(printf '%065d' 0)"
check "a 64-character name is accepted" "$ctl" rename phone "$(printf '%064d' 0)"
"$ctl" rename "$(printf '%064d' 0)" phone
expect_fail 2 "a name with a newline is refused" "$ctl" rename phone "$(printf 'a\nb')"
expect_fail 2 "a name with non-ASCII is refused" "$ctl" rename phone "ph\303\266ne"
expect_fail 2 "a description with a newline is refused" "$ctl" describe phone "$(printf 'a\nb')"
expect_fail 2 "a description with ESC is refused" "$ctl" describe phone "$(printf 'a\033[31mred')"
expect_fail 2 "a description with invalid UTF-8 is refused" "$ctl" describe phone "$(printf 'a\377b')"
expect_fail 2 "a description with a zero-width space is refused" "$ctl" describe phone "$(printf 'a\342\200\213b')"
expect_fail 2 "a description with a tag character is refused" "$ctl" generate --description "$(printf 'a\363\240\201\241')"
expect_fail 2 "a description with a byte order mark is refused" "$ctl" edit phone --description "$(printf '\357\273\277x')"
expect_fail 2 "a description with a bidi override is refused" "$ctl" describe phone "$(printf 'a\342\200\256b')"
expect_fail 2 "a 257-character description is refused" "$ctl" describe phone "$(printf '%0257d' 0)"
check "a 256-character description is accepted" "$ctl" describe phone "$(printf '%0256d' 0)"
expect_fail 2 "generate with a bad name is refused" "$ctl" generate --name "a/b"

# ---- delete ----
expect_fail 1 "delete without a terminal and without --yes deletes nothing" "$ctl" delete phone </dev/null
expect_fail 1 "delete with one unknown name deletes nothing" "$ctl" delete phone nosuch --yes
check "delete of two keys at once" "$ctl" delete phone laptop --yes
check "both are gone, the others stay" test "$(json_names)" = "third key-2 key-1 described"
if command -v script >/dev/null; then
	before=$(digest)
	printf 'n\n' | script -qec "'$ctl' delete third" /dev/null >"$work/tty" 2>&1
	check "answering no at the terminal deletes nothing" \
		sh -c "test '$before' = '$(digest)' && grep -q 'third' '$work/tty' && grep -q 'nothing deleted' '$work/tty'"
	printf 'y\n' | script -qec "'$ctl' delete third" /dev/null >"$work/tty" 2>&1
	check "answering yes at the terminal deletes" test "$(json_names)" = "key-2 key-1 described"
else
	ok "# SKIP script(1) missing: no terminal confirmation test"
fi

# ---- names and ids never overlap ----
# id_named NAME: the id of my key NAME
id_named() { "$ctl" list --json | python3 -c 'import json,sys; print([k["id"] for k in json.load(sys.stdin) if k["name"]==sys.argv[1]][0])' "$1"; }
"$ctl" generate -q --name leaked >/dev/null && "$ctl" generate -q --name other >/dev/null
lid=$(id_named leaked)
oid=$(id_named other)
expect_fail 1 "rename to another key's id is refused" "$ctl" rename other -- "$lid"
expect_fail 1 "rename to the key's own id is refused" "$ctl" rename leaked -- "$lid"
expect_fail 1 "generate --name with a key's id is refused" "$ctl" generate -q --name "$lid"
"$ctl" rename other -- "$lid" 2>"$work/err"
check "the refusal names the id and says why" grep -q "^apikeyctl: $lid: a key's id cannot be a name\$" "$work/err"
check "a 12-character name like an id stays valid" "$ctl" rename other build-server
check "generate with a 12-character name" sh -c "'$ctl' generate -q --name build-client >/dev/null"
# A database written before this rule: key "other" named with leaked's id.
need_tool
"$tool" craft "$db" "$uid" "$oid" "name=$lid"
check "the hand-made database holds a name equal to an id" sh -c "'$ctl' list | grep -q '^$lid '"
"$ctl" describe -- "$lid" "by the id" && "$ctl" list --json >"$work/json"
check "describe: an id means its key, not a key of that name" python3 -c '
import json, sys
k = {x["id"]: x for x in json.load(open(sys.argv[1]))}
sys.exit(not (k[sys.argv[2]]["description"] == "by the id" and k[sys.argv[3]]["description"] == ""))' "$work/json" "$lid" "$oid"
"$ctl" rename -- "$lid" renamed-leaked
check "rename: an id means its key" test "$(id_named renamed-leaked)" = "$lid"
"$ctl" rename renamed-leaked leaked
"$ctl" delete --yes -- "$lid"
check "delete: an id means its key; the key named like it stays" \
	sh -c "! '$ctl' list | grep -q ' $lid ' && '$ctl' list | grep -q '^$lid .* $oid '"
"$ctl" delete --yes -- "$oid" build-client
check "back to the keys before" test "$(json_names)" = "key-2 key-1 described"

# ---- the per-account limit ----
i=0; while [ $i -lt 97 ]; do "$ctl" generate -q --name "bulk-$i" >/dev/null || break; i=$((i + 1)); done
check "100 keys fit" test "$("$ctl" list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" -eq 100
expect_fail 1 "the 101st key is refused" "$ctl" generate -q

# ---- identity ----
APIKEY_DB=relative/db "$ctl" list 2>/dev/null
check "a relative APIKEY_DB is refused" test $? -ne 0
if [ "$(id -u)" -eq 0 ]; then
	check "root may act for another user" sh -c "'$ctl' --user daemon generate -q --name daemons >/dev/null"
	check "--user also after the command" sh -c "'$ctl' list --user daemon | grep -q daemons"
	check "another user's keys are not in mine" sh -c "! '$ctl' list | grep -q daemons"
	expect_fail 2 "--user with an unknown account is refused" "$ctl" --user apk-no-such-user list
	# an unprivileged caller (this build is not setuid: its own database)
	nb=$(mktemp -d /tmp/apk-cli-nobody.XXXXXX); chown nobody "$nb"
	trap 'rm -rf "$work" "$nb"' EXIT
	runas() { setpriv --reuid=nobody --regid=nogroup --clear-groups env APIKEY_DB="$nb" "$ctl" "$@"; }
	runas generate -q >/dev/null
	runas --user root list >"$work/out" 2>"$work/err"; rc=$?
	check "a user naming another account is refused" sh -c "test $rc -ne 0 && grep -q 'only root' '$work/err'"
	runas --user nobody list >/dev/null 2>&1
	check "a user may name their own account" test $? -eq 0
	check "the user's key is listed as theirs" sh -c "setpriv --reuid=nobody --regid=nogroup --clear-groups env APIKEY_DB='$nb' '$ctl' list --json | grep -q '\"owner\": \"nobody\"'"
else
	ok "# SKIP --user tests need root to switch accounts"
fi
done_testing
