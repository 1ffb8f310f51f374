#!/bin/sh
# tests/cli/lifecycle.sh - a key's lifecycle through apikeyctl: --expires,
# --service and --from, edit, disable and enable, rotate, the list's STATUS,
# LAST USED, SERVICES and FROM, and the administrator's policy file
# (APIKEY_POLICY: a build run by its own user may be pointed at one).
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/cli.sh"
cli_start lifecycle
need_tool
cli_db
# no policy unless a test writes one here
policy=$work/pam_apikey.conf
export APIKEY_POLICY="$policy"

fresh_db() { rm -rf "$work/db"; cli_db; }
# jf NAME FIELD: my key NAME's FIELD in list --json, as JSON
jf() {
	"$ctl" list --json | python3 -c '
import json, sys
keys = {k["name"]: k for k in json.load(sys.stdin)}
print(json.dumps(keys[sys.argv[1]][sys.argv[2]]) if sys.argv[1] in keys else "NOKEY")' "$1" "$2"
}
# expires_in NAME LOW HIGH: NAME expires between LOW and HIGH (seconds since 1970)
expires_in() {
	"$ctl" list --json | python3 -c '
import calendar, json, sys, time
keys = {k["name"]: k for k in json.load(sys.stdin)}
e = keys[sys.argv[1]]["expires"]
t = calendar.timegm(time.strptime(e, "%Y-%m-%dT%H:%M:%SZ"))
sys.exit(0 if int(sys.argv[2]) <= t <= int(sys.argv[3]) else "%s expires %d, not in [%s, %s]" % (sys.argv[1], t, sys.argv[2], sys.argv[3]))' "$@"
}
id_of() { jf "$1" id | tr -d '"'; }
verifies() { "$tool" verify "$db" "$me" "$1" >/dev/null 2>&1; }
# err_says TEXT: the last refusal's message contains TEXT
err_says() { check "  ... and the message says '$1'" grep -qF -- "$1" "$work/err"; }

# ---- help ----
out=$("$ctl" --help)
for w in edit disable enable rotate --expires --service --from --overlap; do
	check "--help names $w" sh -c "echo \"\$1\" | grep -qe '$w'" sh "$out"
done

# ---- generate --expires ----
t0=$(date +%s)
"$ctl" generate -q --name short --expires 30s >/dev/null
t1=$(date +%s)
check "--expires 30s: the key expires 30 seconds from now" expires_in short $((t0 + 30)) $((t1 + 30))
"$ctl" generate -q --name hours --expires 12h >/dev/null
check "--expires 12h" expires_in hours $((t0 + 43200)) $(($(date +%s) + 43200))
"$ctl" generate -q --name weeks --expires 2w >/dev/null
check "--expires 2w" expires_in weeks $((t0 + 1209600)) $(($(date +%s) + 1209600))
"$ctl" generate -q --name day --expires 2099-01-01 >/dev/null
check "--expires YYYY-MM-DD: midnight UTC" test "$(jf day expires)" = '"2099-01-01T00:00:00Z"'
"$ctl" generate -q --name second --expires 2099-06-30T12:34:56Z >/dev/null
check "--expires YYYY-MM-DDTHH:MM:SSZ" test "$(jf second expires)" = '"2099-06-30T12:34:56Z"'
"$ctl" generate -q --name forever --expires never >/dev/null
check "--expires never: expires null" test "$(jf forever expires)" = null
check "no --expires and no policy: never" sh -c "'$ctl' generate -q --name plain >/dev/null && test \"\$('$ctl' list --json | python3 -c 'import json,sys; print([k for k in json.load(sys.stdin) if k[\"name\"]==\"plain\"][0][\"expires\"])')\" = None"
expect_fail 2 "--expires in the past is refused" "$ctl" generate --expires 2001-01-01
err_says "not in the future"
expect_fail 2 "--expires of a malformed time is refused" "$ctl" generate --expires tomorrow
expect_fail 2 "--expires 0s (not after now) is refused" "$ctl" generate --expires 0s
expect_fail 2 "--expires given twice is refused" "$ctl" generate --expires 1d --expires 2d

# ---- generate --service and --from ----
"$ctl" generate -q --name svc --service SSHD,sudo --service login >/dev/null
check "--service is repeatable, stored lower-case and sorted" test "$(jf svc services)" = '["login", "sshd", "sudo"]'
"$ctl" generate -q --name nets --from 192.0.2.0/24,2001:db8::/32 --from 10.1.2.3 --from ::ffff:198.51.100.0/120 >/dev/null
check "--from is repeatable and canonical (IPv4 first, mapped as IPv4, single addresses bare)" \
	test "$(jf nets from)" = '["10.1.2.3", "192.0.2.0/24", "198.51.100.0/24", "2001:db8::/32"]'
"$ctl" generate -q --name everything --service all --from any >/dev/null
check "--service all and --from any: the empty lists" \
	test "$(jf everything services) $(jf everything from)" = "[] []"
expect_fail 2 "--service with a bad name is refused" "$ctl" generate --service 'ss hd'
expect_fail 2 "--service all with a name is refused" "$ctl" generate --service all,sshd
expect_fail 2 "--service with an empty item is refused" "$ctl" generate --service sshd,,sudo
expect_fail 2 "--service of a 33-character name is refused" "$ctl" generate --service "$(printf '%033d' 0)"
expect_fail 2 "17 services are refused" "$ctl" generate --service s1,s2,s3,s4,s5,s6,s7,s8 --service s9,s10,s11,s12,s13,s14,s15,s16,s17
err_says "--service"
"$ctl" generate -q --name sixteen --service s1,s2,s3,s4,s5,s6,s7,s8 --service s9,s10,s11,s12,s13,s14,s15,s16 >/dev/null
check "16 services are taken" test "$(jf sixteen services | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 16
expect_fail 2 "--from with a host name is refused" "$ctl" generate --from host.example.org
expect_fail 2 "--from with bits after the prefix is refused" "$ctl" generate --from 192.0.2.1/24
err_says "192.0.2.0/24"
expect_fail 2 "--from any with a network is refused" "$ctl" generate --from any,10.0.0.0/8
expect_fail 2 "--from with a prefix too long is refused" "$ctl" generate --from 10.0.0.0/33
expect_fail 2 "17 networks are refused" "$ctl" generate --from 10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4,10.0.0.5,10.0.0.6,10.0.0.7,10.0.0.8,10.0.0.9,10.0.0.10,10.0.0.11,10.0.0.12,10.0.0.13,10.0.0.14,10.0.0.15,10.0.0.16,10.0.0.17
err_says "--from"
expect_fail 2 "--overlap is not for generate" "$ctl" generate --overlap 1d
expect_fail 2 "--service is not for list" "$ctl" list --service sshd

# ---- list: STATUS, LAST USED, SERVICES, FROM ----
"$ctl" list >"$work/list"
head -1 "$work/list" >"$work/header"
check "the table's header: NAME ID CREATED STATUS LAST USED SERVICES FROM DESCRIPTION" \
	grep -Eq '^NAME +ID +CREATED +STATUS +LAST USED +SERVICES +FROM +DESCRIPTION$' "$work/header"
check "STATUS 'expires DATE' for a key that expires" grep -Eq '^day .* expires 2099-01-01 ' "$work/list"
check "STATUS 'active' for a key that never expires" grep -Eq '^forever .* active ' "$work/list"
check "LAST USED 'never' for a key never used" grep -Eq '^forever .* active +never ' "$work/list"
check "SERVICES shows a key's services, 'all' for the rest" \
	sh -c "grep -Eq '^svc .* login,sshd,sudo ' '$work/list' && grep -Eq '^forever .* never +all +any ' '$work/list'"
check "FROM shows a key's networks" grep -Eq '^nets .* 10\.1\.2\.3,192\.0\.2\.0/24,198\.51\.100\.0/24,2001:db8::/32 ' "$work/list"
check "list --json: disabled false, last_used null, services and from lists" \
	sh -c "'$ctl' list --json | python3 -c '
import json, sys
for k in json.load(sys.stdin):
    assert k[\"disabled\"] is False and k[\"last_used\"] is None, k
    assert isinstance(k[\"services\"], list) and isinstance(k[\"from\"], list), k
    assert k[\"expires\"] is None or isinstance(k[\"expires\"], str), k
'"

# ---- edit ----
key=$("$ctl" generate -q --name ed --description first)
edid=$(id_of ed)
t0=$(date +%s)
check "edit --expires" "$ctl" edit ed --expires 60s
check "  ... sets the expiry" expires_in ed $((t0 + 60)) $(($(date +%s) + 60))
check "edit --service --from" "$ctl" edit ed --service sudo --service sshd --from 127.0.0.1
check "  ... sets both" test "$(jf ed services) $(jf ed from)" = '["sshd", "sudo"] ["127.0.0.1"]'
check "  ... and leaves the expiry" expires_in ed $((t0 + 60)) $(($(date +%s) + 60))
check "edit --description --name" "$ctl" edit ed --description second --name edited
check "  ... renames and describes, same id" \
	test "$(jf edited description) $(id_of edited)" = "\"second\" $edid"
check "edit by id, back to never, all, any" "$ctl" edit "$edid" --expires never --service all --from any
check "  ... clears every restriction" test "$(jf edited expires) $(jf edited services) $(jf edited from)" = "null [] []"
check "edit never changes the key: it still verifies" verifies "$key"
expect_fail 2 "edit without an option is a usage error" "$ctl" edit edited
expect_fail 2 "edit with an operand too many is a usage error" "$ctl" edit edited forever --expires 1d
expect_fail 1 "edit of a key that is not there" "$ctl" edit nosuch --expires 1d
expect_fail 1 "edit --name to a name in use" "$ctl" edit edited --name forever
expect_fail 1 "edit --name to one of the account's ids" "$ctl" edit edited --name "$(id_of forever)"
expect_fail 2 "edit --expires in the past" "$ctl" edit edited --expires 2020-02-02
expect_fail 2 "edit --from with a host name" "$ctl" edit edited --from localhost
expect_fail 2 "edit --name invalid" "$ctl" edit edited --name 'a b'
expect_fail 2 "edit -q is a usage error" "$ctl" edit edited --expires 1d -q

# ---- disable and enable ----
check "disable two keys" "$ctl" disable edited forever
check "  ... both show disabled" test "$(jf edited disabled) $(jf forever disabled)" = "true true"
check "  ... STATUS 'disabled'" sh -c "'$ctl' list | grep -Eq '^edited .* disabled '"
check "a disabled key still verifies: only the module's check refuses it" verifies "$key"
expect_fail 1 "enable with one name missing changes nothing" "$ctl" enable edited nosuch
check "  ... both still disabled" test "$(jf edited disabled) $(jf forever disabled)" = "true true"
err_says "nosuch"
check "enable by id and by name, one named twice" "$ctl" enable "$edid" forever edited
check "  ... both enabled" test "$(jf edited disabled) $(jf forever disabled)" = "false false"
expect_fail 1 "disable with one name missing changes nothing" "$ctl" disable plain nosuch
check "  ... plain still enabled" test "$(jf plain disabled)" = false
check "enable of an enabled key is no error" "$ctl" enable plain
expect_fail 2 "disable without a name is a usage error" "$ctl" disable

# ---- expired: second-long durations ----
"$ctl" generate -q --name brief --expires 1s >/dev/null
sleep 2
check "STATUS 'expired' once the second has passed" sh -c "'$ctl' list | grep -Eq '^brief .* expired '"

# ---- last used (the module's record, made here as it makes it) ----
check "every change prepares a slot: a login of a new key is recorded" \
	sh -c "'$tool' used '$db' '$uid' '$(id_of forever)' 1767225600 sshd 192.0.2.7 >/dev/null"
check "  ... list shows its time, service and remote host" \
	grep -Eq '^forever .* 2026-01-01T00:00:00Z sshd 192\.0\.2\.7 ' "$("$ctl" list >"$work/list"; echo "$work/list")"
check "  ... list --json has last_used {time, service, rhost}" \
	test "$(jf forever last_used)" = '{"time": "2026-01-01T00:00:00Z", "service": "sshd", "rhost": "192.0.2.7"}'
check "  ... the other keys stay never" test "$(jf plain last_used)" = null
"$tool" used "$db" "$uid" "$(id_of plain)" 1767225601 su - >/dev/null
check "a login without PAM_RHOST: rhost null, '-' in the table" \
	sh -c "test '$(jf plain last_used)' = '{\"time\": \"2026-01-01T00:00:01Z\", \"service\": \"su\", \"rhost\": null}' && '$ctl' list | grep -Eq '^plain .* 2026-01-01T00:00:01Z su - '"
"$tool" used "$db" "$uid" "$(id_of edited)" 1767225602 "$(printf 'ss\033[2Jhd')" "$(printf 'h\033]0;x\007 \\o')" >/dev/null
check "a recorded service or host with control bytes reaches no terminal raw" \
	sh -c "'$ctl' list | grep -q '^edited ' && ! '$ctl' list | LC_ALL=C grep -q '[[:cntrl:]]' && ! '$ctl' list --json | LC_ALL=C grep -q \"\$(printf '\\033')\""

# ---- rotate ----
"$ctl" delete --yes short hours weeks day second sixteen everything nets svc brief >/dev/null
old=$("$ctl" generate -q --name ci --description 'deploy bot' --service sshd --from 10.0.0.0/8 --expires 30d)
oldid=$(id_of ci)
"$tool" used "$db" "$uid" "$oldid" 1767225603 sshd 10.1.1.1 >/dev/null
t0=$(date +%s)
out=$("$ctl" rotate ci); rc=$?
t1=$(date +%s)
new=$(echo "$out" | grep -Eo 'apk_[A-Za-z0-9_-]{64}')
newid=$(id_of ci)
check "rotate prints the new key once, as generate does" \
	test $rc -eq 0 -a "$(echo "$out" | grep -c 'apk_')" -eq 1 -a -n "$(echo "$out" | grep 'cannot be shown again')" -a -n "$(echo "$out" | grep "\"ci\" (id $newid)")"
check "  ... the new key verifies and has another id" sh -c "'$tool' verify '$db' '$me' '$new' >/dev/null && test '$newid' != '$oldid'"
check "  ... the old key is ci.old" test "$(id_of ci.old)" = "$oldid"
check "  ... and keeps its last use; the new key has none" \
	test "$(jf ci.old last_used) $(jf ci last_used)" = '{"time": "2026-01-01T00:00:03Z", "service": "sshd", "rhost": "10.1.1.1"} null'
check "  ... and the new key has a slot too" sh -c "'$tool' used '$db' '$uid' '$(id_of ci)' 1767225604 sshd - >/dev/null"
check "  ... and expires now (no --overlap)" expires_in ci.old "$t0" "$t1"
check "  ... STATUS of ci.old: expired" sh -c "sleep 1; '$ctl' list | grep -Eq '^ci\.old .* expired '"
check "  ... the new key has the description, services and networks" \
	test "$(jf ci description) $(jf ci services) $(jf ci from)" = '"deploy bot" ["sshd"] ["10.0.0.0/8"]'
check "  ... and the same lifetime (30 days) from now" expires_in ci $((t0 + 2592000)) $((t1 + 2592000))
new2=$("$ctl" rotate "$newid" --overlap 60s -q); rc=$?
t2=$(date +%s)
check "rotate -q prints only the key" sh -c "test $rc -eq 0 && echo '$new2' | grep -Eqx 'apk_[A-Za-z0-9_-]{64}'"
check "  ... by id: the key so named is renamed ci.old-2" test "$(id_of ci.old-2)" = "$newid"
check "  ... --overlap 60s: ci.old-2 expires in a minute" expires_in ci.old-2 $((t1 + 60)) $((t2 + 60))
check "  ... and the newest key is ci, verifying" verifies "$new2"
check "  ... the keys in order" test "$(json_names)" = "forever plain edited ci.old ci.old-2 ci"
"$ctl" generate -q --name soon --expires 30s >/dev/null
t0=$(date +%s)
"$ctl" rotate soon --overlap 1h -q >/dev/null
check "rotate never extends the old key: an expiry sooner than the overlap stays" expires_in soon.old $((t0 - 2 + 30)) $((t0 + 30))
"$ctl" rename ci.old ci.old-3 >/dev/null
"$ctl" rotate ci -q >/dev/null
check "rotate takes the first free name: ci.old again" test "$(jf ci.old disabled)" = false
"$ctl" generate -q --name "$(printf 'x%.0s' $(seq 64))" >/dev/null
"$ctl" rotate "$(printf 'x%.0s' $(seq 64))" -q >/dev/null
check "rotate of a 64-character name: NAME.old cut to fit" \
	test "$(jf "$(printf 'x%.0s' $(seq 60)).old" disabled)" = false
expect_fail 2 "rotate --overlap never is refused" "$ctl" rotate ci --overlap never
expect_fail 2 "rotate --overlap in the past is refused" "$ctl" rotate ci --overlap 2001-01-01
expect_fail 1 "rotate of a key that is not there" "$ctl" rotate nosuch
expect_fail 2 "rotate without a name" "$ctl" rotate
expect_fail 2 "rotate --expires is a usage error" "$ctl" rotate ci --expires 1d
expect_fail 1 "rotate with standard output closed is refused before any change" sh -c "exec '$ctl' rotate ci >&-"
"$ctl" list --json >"$work/before.json"
"$ctl" rotate ci >/dev/full 2>"$work/err"; rc=$?
"$ctl" list --json >"$work/after.json"
check "rotate to a full standard output fails and is undone" \
	sh -c "test $rc -eq 1 && cmp -s '$work/before.json' '$work/after.json' && grep -q undone '$work/err'"

# ---- the administrator's policy ----
if [ "$uid" -ne 0 ]; then
	ok "# SKIP the policy file must be owned by root: these run as root (CI)"
	done_testing; exit
fi
write_policy() { printf '%s\n' "$@" >"$policy"; chown 0:0 "$policy"; chmod 644 "$policy"; }
fresh_db
write_policy "max_keys = 2"
"$ctl" generate -q >/dev/null && "$ctl" generate -q >/dev/null
expect_fail 1 "max_keys = 2: a third key is refused" "$ctl" generate
err_says "max_keys"
expect_fail 1 "max_keys = 2: rotate (one key more) is refused" "$ctl" rotate key-1
write_policy "max_keys = 3"
check "max_keys = 3: a third key is made" sh -c "'$ctl' generate -q >/dev/null"

fresh_db
write_policy "# a year at most" "max_lifetime = 1" "services = sshd, sudo"
t0=$(date +%s)
"$ctl" generate -q --name dflt >/dev/null
t1=$(date +%s)
check "max_lifetime without default_lifetime: a key without --expires lives max_lifetime" \
	expires_in dflt $((t0 + 86400)) $((t1 + 86400))
check "services: the default of a key without --service" test "$(jf dflt services)" = '["sshd", "sudo"]'
"$ctl" generate -q --name mine --service all --expires 12h >/dev/null
check "  ... --service all overrides it" test "$(jf mine services)" = '[]'
expect_fail 2 "max_lifetime = 1: --expires 2d is refused" "$ctl" generate --expires 2d
err_says "1 days"
expect_fail 2 "max_lifetime = 1: --expires never is refused" "$ctl" generate --expires never
expect_fail 2 "max_lifetime = 1: edit --expires never is refused" "$ctl" edit dflt --expires never
expect_fail 2 "max_lifetime = 1: edit --expires 25h is refused" "$ctl" edit dflt --expires 25h
check "max_lifetime = 1: --expires 23h is taken" "$ctl" edit dflt --expires 23h
expect_fail 2 "max_lifetime = 1: rotate --overlap 2d is refused" "$ctl" rotate dflt --overlap 2d

fresh_db
write_policy "default_lifetime = 2"
t0=$(date +%s)
"$ctl" generate -q --name two >/dev/null
check "default_lifetime = 2: a key without --expires lives 2 days" \
	expires_in two $((t0 + 172800)) $(($(date +%s) + 172800))
check "  ... --expires never is still allowed without max_lifetime" sh -c "'$ctl' generate -q --expires never >/dev/null"

write_policy "max_keys = 5" "bogus = 1" "max_lifetime = 3"
expect_fail 1 "a malformed policy: generate refused" "$ctl" generate
err_says "line 2"
err_says "$policy"
for cmd in "edit two --expires 1d" "disable two" "enable two" "rotate two" "rename two three" \
	   "describe two text" "delete --yes two"; do
	# shellcheck disable=SC2086 # the words of cmd are its arguments
	expect_fail 1 "a malformed policy: $cmd refused" "$ctl" $cmd
done
check "a malformed policy: list still works" sh -c "'$ctl' list | grep -q '^two '"
check "a malformed policy: list --json still works" sh -c "test \"\$('$ctl' list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')\" = 2"
write_policy "max_lifetime = 3" "default_lifetime = 7"
expect_fail 1 "default_lifetime beyond max_lifetime: changes refused" "$ctl" generate
err_says "line 2"

write_policy "max_keys = 5"
chown 1:1 "$policy"
expect_fail 1 "a policy not owned by root: changes refused" "$ctl" generate
err_says "not owned by root"
chown 0:0 "$policy"; chmod 664 "$policy"
expect_fail 1 "a policy its group may write: changes refused" "$ctl" generate
err_says "writable by its group or others"
chmod 646 "$policy"
expect_fail 1 "a policy others may write: changes refused" "$ctl" generate
check "an unsafe policy: list still works" sh -c "'$ctl' list >/dev/null"
chmod 644 "$policy"
mv "$policy" "$policy.real"; ln -s "$policy.real" "$policy"
expect_fail 1 "a policy that is a symbolic link: changes refused" "$ctl" generate
err_says "symbolic link"
rm -f "$policy" "$policy.real"
check "no policy file: the defaults (a key that never expires)" \
	sh -c "'$ctl' generate -q --name free >/dev/null && test \"\$('$ctl' list --json | python3 -c 'import json,sys; print([k for k in json.load(sys.stdin) if k[\"name\"]==\"free\"][0][\"expires\"])')\" = None"

# ---- a database written by 0.1.0 takes the lifecycle commands ----
fixture=$top/tests/fixtures/v1
fresh_db
for f in u0 decoy; do install -m 600 "$fixture/$f" "$db/$f"; done
check "0.1.0 database: list shows every key active, never used" \
	sh -c "'$ctl' list | awk 'NR > 1' | grep -Ev ' active +never ' | wc -l | grep -qx 0"
check "no key with services or networks: no SERVICES or FROM column" \
	sh -c "'$ctl' list | head -1 | grep -Eq '^NAME +ID +CREATED +STATUS +LAST USED +DESCRIPTION\$'"
check "0.1.0 database: list --json has the lifecycle fields, unrestricted" \
	sh -c "'$ctl' list --json | python3 -c '
import json, sys
keys = json.load(sys.stdin)
assert len(keys) == 3, keys
for k in keys:
    assert (k[\"expires\"], k[\"services\"], k[\"from\"], k[\"disabled\"], k[\"last_used\"]) == (None, [], [], False, None), k
'"
check "0.1.0 database: edit --expires --service" "$ctl" edit laptop --expires 1d --service sshd
check "0.1.0 database: disable" "$ctl" disable ci-deploy
check "  ... the change shows (only a version 2 record holds it)" \
	test "$(jf laptop services) $(jf ci-deploy disabled) $(jf key-1 disabled)" = '["sshd"] true false'

done_testing
