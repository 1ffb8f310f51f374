#!/bin/sh
# tests/ldap/fleetctl.sh - apikeyctl --fleet against a real slapd
# (tests/ldap/lib/slapd.sh): alice, bob and admin, accounts both in
# /etc/passwd (made here, removed on exit) and in the example DIT, manage
# keys under their directory entries, bound as themselves over ldapi with
# the passwords the library drew; admin (cn=apikey-admins) manages alice's
# with --user, bob cannot. Needs root (useradd, a set-user-ID copy).
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
B=${APK_BUILD:-$top/build}
# the tests' apikeyctl: --fleet executes the build tree's apikeyctl-fleet
ctl=$B/tests/apikeyctl
fleet=$B/apikeyctl-fleet
check_digest=$B/tests/fleet_digest_check

. "$top/tests/ldap/lib/fleet_users.sh"
fleet_root_only "apikeyctl --fleet: needs root (useradd, a set-user-ID copy)"
fleet_need "$ctl" "$fleet" "$check_digest"
fleet_start alice bob admin
for u in alice bob admin; do fleet_pw "$u"; done
printf 'not the password' >"$t/wrong.pw" && chown alice "$t/wrong.pw" && chmod 600 "$t/wrong.pw"
user_conf "$SLAPD_LDAPI"
keys_of() { # WHO: the pamApiKey entries under WHO's entry, as root sees them
	ldap_as root ldapsearch -LLL -o ldif-wrap=no -b "$(ldap_dn "$1")" -s one '(objectClass=pamApiKey)' "${2:-*}"
}

# generate
key=$(as alice generate -q -n laptop -d "from home" --service sshd --from 192.0.2.0/24 2>"$t/err")
rc=$?
check "alice generates a directory key (exit 0, the key printed once)" \
	sh -c '[ "$1" -eq 0 ] && printf "%s" "$2" | grep -Eq "^apk_[A-Za-z0-9_-]{64}$"' - "$rc" "$key"
id=$(printf '%s' "$key" | cut -c5-16)
keys_of alice >"$t/entries"
check "the entry is apiKeyId=ID under alice's DN with name, description, services and networks" \
	sh -c 'grep -qx "dn: apiKeyId=$1,$2" "$3" && grep -qx "apiKeyName: laptop" "$3" &&
		grep -qx "apiKeyDescription: from home" "$3" && grep -qx "apiKeyService: sshd" "$3" &&
		grep -qx "apiKeyNetwork: 192.0.2.0/24" "$3" && grep -Eqx "apiKeyCreated: [0-9]{14}Z" "$3"' \
	- "$id" "$(ldap_dn alice)" "$t/entries"
digest=$(sed -n 's/^apiKeyDigest: //p' "$t/entries")
check "its digest verifies the printed key (fleet_digest.c)" \
	sh -c 'printf "%s\n%s\n" "$2" "$3" | "$1"' - "$check_digest" "$key" "$digest"
key2=$(as alice generate -q 2>>"$t/err")
keys_of alice apiKeyName >"$t/names"
check "a second key without --name is named key-1" grep -qx "apiKeyName: key-1" "$t/names"
printf '%s\n%s\n' "$key2" "$digest" | "$check_digest"
check "the first key's digest does not verify the second key" test $? -eq 1

# list
as alice list >"$t/list" 2>>"$t/err"
check "list --fleet shows both keys in the table" \
	sh -c 'head -1 "$1" | grep -q "^NAME" && grep -q "^laptop  *$2 " "$1" && grep -q "^key-1 " "$1"' - "$t/list" "$id"
as alice list --json >"$t/json" 2>>"$t/err"
check "list --fleet --json shows the key with its restrictions" \
	python3 -c 'import json,sys; k={x["name"]: x for x in json.load(open(sys.argv[1]))}; l=k["laptop"];
assert l["id"]==sys.argv[2] and l["owner"]=="alice" and l["services"]==["sshd"] and l["from"]==["192.0.2.0/24"] and l["description"]=="from home"' \
	"$t/json" "$id"
as bob list >"$t/bob.list" 2>>"$t/err"
check "bob's list shows none of alice's keys" sh -c '! grep -q "$1" "$2"' - "$id" "$t/bob.list"

# bob cannot delete alice's key
before=$(state)
as bob delete --yes "$id" >/dev/null 2>"$t/bob.err"
rc=$?
check "bob's delete --fleet of alice's key id fails (exit 1: not one of his keys)" \
	sh -c '[ "$1" -eq 1 ] && grep -q "^apikeyctl: $2: " "$3"' - "$rc" "$id" "$t/bob.err"
ldap_as bob ldapdelete "apiKeyId=$id,$(ldap_dn alice)" >/dev/null 2>"$t/bob.ldap"
check "bob's own bind deleting the entry is refused by the directory" grep -q "Insufficient access" "$t/bob.ldap"
check "alice's key is still there, the directory unchanged" test "$before" = "$(state)"

# a wrong password
APIKEY_POLICY=$t/pam_apikey.conf setpriv --reuid=alice --regid=alice --init-groups \
	"$ctl" --fleet --password-file "$t/wrong.pw" generate -q >"$t/out" 2>"$t/err2" </dev/null
rc=$?
check "a wrong password: exit 1, the directory's refusal named, no key printed" \
	sh -c '[ "$1" -eq 1 ] && grep -q "refused the bind as uid=alice,.*Invalid credentials" "$2" && ! [ -s "$3" ]' \
	- "$rc" "$t/err2" "$t/out"
check "a wrong password changes nothing" test "$before" = "$(state)"

# no password in the clear
user_conf "$SLAPD_URI"
as alice list >/dev/null 2>"$t/err3"
check "plain ldap:// without fleet_tls_cacert is refused before any connection" \
	grep -q "a password is never sent without TLS" "$t/err3"
user_conf "$SLAPD_URI" /etc/ssl/certs/ca-certificates.crt
as alice generate -q >"$t/out" 2>"$t/err3"
rc=$?
check "ldap:// whose server offers no StartTLS is refused, never a bind in the clear" \
	sh -c '[ "$1" -eq 1 ] && grep -q "StartTLS .* failed" "$2" && ! [ -s "$3" ]' - "$rc" "$t/err3" "$t/out"
check "nothing changed" test "$before" = "$(state)"
user_conf "$SLAPD_LDAPI"

# changes, each written back as local mode makes it
attr() { keys_of alice "$1" | sed -n "s/^$1: //p" | sort | tr '\n' ' '; }
as alice edit laptop --expires 2030-01-01 --service sudo,sshd --from any -d "edited" 2>"$t/err4"
check "edit --fleet sets expiry, services, networks and description in the entry" \
	sh -c '[ "$1" -eq 0 ] && [ "$2" = "20300101000000Z " ] && [ "$3" = "sshd sudo " ] && [ -z "$4" ] &&
		[ "$5" = "edited " ]' - "$?" "$(attr apiKeyExpires)" "$(attr apiKeyService)" \
	"$(attr apiKeyNetwork)" "$(attr apiKeyDescription)"
as alice disable laptop key-1 2>>"$t/err4"
check "disable --fleet sets apiKeyDisabled on both keys" \
	sh -c '[ "$1" -eq 0 ] && [ "$2" = "TRUE TRUE " ]' - "$?" "$(attr apiKeyDisabled)"
as alice list --json >"$t/json" 2>>"$t/err4"
check "list --fleet --json shows them disabled" \
	python3 -c 'import json,sys; assert all(k["disabled"] for k in json.load(open(sys.argv[1])))' "$t/json"
as alice enable key-1 2>>"$t/err4"
check "enable --fleet removes apiKeyDisabled from that key only" \
	sh -c '[ "$1" -eq 0 ] && [ "$2" = "TRUE " ]' - "$?" "$(attr apiKeyDisabled)"
as alice rename key-1 laptop >/dev/null 2>"$t/err5"
check "rename --fleet to a name taken refuses (exit 1) and changes nothing" \
	sh -c '[ "$1" -eq 1 ] && grep -q "^apikeyctl: laptop: " "$2" && [ "$3" = "key-1 laptop " ]' \
	- "$?" "$t/err5" "$(attr apiKeyName)"
as alice rename key-1 'bad name' >/dev/null 2>"$t/err5"
check "rename --fleet to an invalid name is a usage error (exit 2)" test "$?" -eq 2
as alice rename key-1 spare 2>>"$t/err4" && as alice describe spare "second key" 2>>"$t/err4"
check "rename and describe --fleet" \
	sh -c '[ "$1" = "laptop spare " ] && [ "$2" = "edited second key " ]' - "$(attr apiKeyName)" \
	"$(attr apiKeyDescription)"
as alice edit laptop --service all 2>>"$t/err4"
check "edit --fleet --service all removes apiKeyService" sh -c '[ -z "$1" ]' - "$(attr apiKeyService)"
before=$(state)
as bob disable "$id" >/dev/null 2>"$t/bob.err"
check "bob's disable --fleet of alice's key id fails and changes nothing" \
	sh -c '[ "$1" -eq 1 ] && [ "$2" = "$3" ]' - "$?" "$before" "$(state)"

# a closed standard output: no key made that nobody could see
as alice generate -q -n unseen >&- 2>"$t/err4"
check "generate --fleet with standard output closed refuses (exit 1) and adds nothing" \
	sh -c '[ "$1" -eq 1 ] && grep -q "standard output is not writable" "$2" && [ "$3" = "$4" ]' \
	- "$?" "$t/err4" "$before" "$(state)"

# rotate: a new key with the name, the old one renamed NAME.old and expiring
digest_of() { keys_of alice '*' | awk -v n="$1" '/^dn: /{d=""; m=0} /^apiKeyDigest: /{d=$2} $0=="apiKeyName: "n{m=1} m && d!=""{print d; exit}'; }
id_of() { keys_of alice | awk -v n="$1" '/^apiKeyId: /{i=$2} $0=="apiKeyName: "n{print i; exit}'; }
as alice enable laptop 2>>"$t/err4"
newkey=$(as alice rotate -q laptop 2>"$t/err4")
rc=$?
check "rotate --fleet -q prints one new key (exit 0)" \
	sh -c '[ "$1" -eq 0 ] && printf "%s" "$2" | grep -Eq "^apk_[A-Za-z0-9_-]{64}$"' - "$rc" "$newkey"
newid=$(printf '%s' "$newkey" | cut -c5-16)
check "the new key is named laptop, with a new id; the old one ($id) is laptop.old" \
	sh -c '[ "$1" = "$2" ] && [ "$1" != "$3" ] && [ "$4" = "$3" ]' - "$(id_of laptop)" "$newid" "$id" \
	"$(id_of laptop.old)"
check "the new key verifies by the new entry's digest" \
	sh -c 'printf "%s\n%s\n" "$2" "$3" | "$1"' - "$check_digest" "$newkey" "$(digest_of laptop)"
check "the old key still verifies by laptop.old's digest" \
	sh -c 'printf "%s\n%s\n" "$2" "$3" | "$1"' - "$check_digest" "$key" "$(digest_of laptop.old)"
as alice list --json >"$t/json" 2>>"$t/err4"
check "laptop.old expires now, laptop keeps the old key's description, enabled" \
	python3 -c 'import json,sys,datetime as d; k={x["name"]: x for x in json.load(open(sys.argv[1]))}
o=d.datetime.strptime(k["laptop.old"]["expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=d.timezone.utc)
assert abs((o - d.datetime.now(d.timezone.utc)).total_seconds()) < 120
assert k["laptop"]["description"] == "edited" and not k["laptop"]["disabled"]' "$t/json"
as alice rotate spare --overlap 7d >"$t/rot" 2>>"$t/err4"
check "rotate --fleet without -q says what the local rotate says; --overlap 7d: spare.old expires in 7 days" \
	sh -c '[ "$1" -eq 0 ] && grep -q "^New API key \"spare\" (id [A-Za-z0-9_-]*) for alice:" "$2" &&
		[ "$(date -u -d "$3" +%F)" = "$(date -u -d "+7 days" +%F)" ]' \
	- "$?" "$t/rot" "$(keys_of alice | awk '/^apiKeyName: /{n=$2} /^apiKeyExpires: /{e=$2} /^$/{if (n=="spare.old") print substr(e,1,8); n=""} END{if (n=="spare.old") print substr(e,1,8)}')"
before=$(state)
as alice rotate nosuchkey >/dev/null 2>"$t/err4"
check "rotate --fleet of a key that does not exist: exit 1, one line, nothing changed" \
	sh -c '[ "$1" -eq 1 ] && [ "$(wc -l <"$2")" -eq 1 ] && [ "$3" = "$4" ]' - "$?" "$t/err4" "$before" "$(state)"
as alice policy >/dev/null 2>"$t/err4"
check "policy --fleet is refused with exit 3 and one line" \
	sh -c '[ "$1" -eq 3 ] && [ "$(wc -l <"$2")" -eq 1 ]' - "$?" "$t/err4"

# --user: the directory's rules decide; admin is in cn=apikey-admins
akey=$(as admin generate -q -n from-admin --user alice 2>"$t/err9")
check "admin generates a key for alice with --user (exit 0), under alice's entry" \
	sh -c '[ "$1" -eq 0 ] && [ -n "$2" ] && [ -n "$3" ]' - "$?" "$akey" "$(id_of from-admin)"
check "... and it verifies by its digest" \
	sh -c 'printf "%s\n%s\n" "$2" "$3" | "$1"' - "$check_digest" "$akey" "$(digest_of from-admin)"
as admin list --user alice >"$t/alist" 2>>"$t/err9"
check "admin lists alice's keys with --user" \
	sh -c '[ "$1" -eq 0 ] && grep -q "^from-admin " "$2" && grep -q "^laptop " "$2" && grep -q "^laptop.old " "$2"' \
	- "$?" "$t/alist"
as admin list --user alice --json >"$t/ajson" 2>>"$t/err9"
check "the keys' owner is alice" \
	python3 -c 'import json,sys; assert {k["owner"] for k in json.load(open(sys.argv[1]))} == {"alice"}' "$t/ajson"
before=$(state)
as bob generate -q --user alice >"$t/out" 2>"$t/bob.err"
check "bob's generate --user alice: the directory's refusal in one line, exit 1, nothing changed" \
	sh -c '[ "$1" -eq 1 ] && [ "$(wc -l <"$2")" -eq 1 ] && grep -q "refused to add .*Insufficient access" "$2" &&
		! [ -s "$3" ] && [ "$4" = "$5" ]' - "$?" "$t/bob.err" "$t/out" "$before" "$(state)"
as bob list --user alice >"$t/bob.list" 2>"$t/bob.err"
check "bob's list --user alice shows none of her keys (the directory shows him none)" \
	sh -c '[ "$1" -eq 0 ] && ! grep -q "laptop\|from-admin" "$2"' - "$?" "$t/bob.list"
as bob delete --yes --user alice from-admin >/dev/null 2>"$t/bob.err"
check "bob's delete --user alice fails (exit 1) and changes nothing" \
	sh -c '[ "$1" -eq 1 ] && [ "$2" = "$3" ]' - "$?" "$before" "$(state)"
as bob rotate --user alice laptop >/dev/null 2>"$t/bob.err"
check "bob's rotate --user alice fails (exit 1) and changes nothing" \
	sh -c '[ "$1" -eq 1 ] && [ "$2" = "$3" ]' - "$?" "$before" "$(state)"
as admin list --user nosuchuser >/dev/null 2>"$t/err9"
check "--user naming no account: exit 2, one line" \
	sh -c '[ "$1" -eq 2 ] && grep -q "no such user: nosuchuser" "$2"' - "$?" "$t/err9"
as admin delete --yes --user alice from-admin 2>>"$t/err9"
check "admin deletes alice's key with --user" \
	sh -c '[ "$1" -eq 0 ] && [ -z "$2" ]' - "$?" "$(id_of from-admin)"

# set-user-ID: given up for the caller's ids before apikeyctl-fleet runs
mkdir "$t/suid" && chmod 755 "$t/suid"
cp "$ctl" "$t/suid/apikeyctl" && chown root:root "$t/suid/apikeyctl" && chmod 4755 "$t/suid/apikeyctl"
check "the set-user-ID apikeyctl loads no libldap, libgnutls, libp11-kit or libsasl2 (ldd)" \
	sh -c 'ldd "$1" >"$2" && grep -q libsodium "$2" && ! grep -Eq "libldap|liblber|libgnutls|libp11-kit|libsasl2" "$2"' \
	- "$t/suid/apikeyctl" "$t/ldd"
printf 'secret' >"$t/root.pw" && chmod 600 "$t/root.pw"
setpriv --reuid=alice --regid=alice --init-groups "$t/suid/apikeyctl" --fleet list \
	--password-file "$t/root.pw" >/dev/null 2>"$t/err5" </dev/null
check "--fleet run set-user-ID root gives it up first: a root-only password file is refused" \
	grep -q "cannot read the password file $t/root.pw: Permission denied" "$t/err5"
setpriv --reuid=alice --regid=alice --init-groups "$t/suid/apikeyctl" --fleet list \
	--password-file "$t/alice.pw" >/dev/null 2>"$t/err5" </dev/null
check "... and a password file only alice may read is read (the installed policy names no directory here)" \
	sh -c '[ -s "$1" ] && ! grep -q "cannot read the password file" "$1"' - "$t/err5"
# apikeyctl-fleet caught while it runs: its --help written into a pipe
# that is full already, so that it waits in write(2) until read
mkfifo "$t/full" && exec 3<>"$t/full"
head -c 65536 /dev/zero >&3
env -i KRB5CCNAME=FILE:/tmp/krb5cc_fleetctl LD_LIBRARY_PATH=/nonexistent HOME=/root \
	LDAPCONF=/nonexistent APIKEY_POLICY=$t/pam_apikey.conf \
	setpriv --reuid=alice --regid=alice --init-groups "$t/suid/apikeyctl" --fleet --help >&3 2>&1 &
pid=$!
for _ in $(seq 50); do
	[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$fleet" ] && grep -q '^State:.*S' "/proc/$pid/status" && break
	sleep 0.1
done
uid_alice=$(id -u alice)
gid_alice=$(id -g alice)
check "the set-user-ID apikeyctl executed apikeyctl-fleet (the build's, compiled in)" \
	test "$(readlink "/proc/$pid/exe")" = "$fleet"
check "apikeyctl-fleet runs with alice's real, effective, saved and file-system uid and gid" \
	sh -c 'grep -q "^Uid:	$2	$2	$2	$2$" "$1" && grep -q "^Gid:	$3	$3	$3	$3$" "$1"' \
	- "/proc/$pid/status" "$uid_alice" "$gid_alice"
# AT_SECURE (auxv type 23) is 1 when a program starts with euid other than
# its uid: 0 means the libraries' constructors ran without privilege
check "apikeyctl-fleet started without privilege: AT_SECURE 0 (its constructors never ran as root)" \
	sh -c 'od -An -tu8 -w16 -v "$1" | awk "\$1 == 23 { found = 1; if (\$2 != 0) exit 1 } END { exit !found }"' \
	- "/proc/$pid/auxv"
check "its environment is KRB5CCNAME alone (no LD_*, LDAP*, HOME; APIKEY_POLICY ignored when set-user-ID)" \
	test "$(tr '\0' '\n' <"/proc/$pid/environ")" = "KRB5CCNAME=FILE:/tmp/krb5cc_fleetctl"
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
exec 3<&-

# an entry the directory holds but apikeyctl cannot trust
ldap_as root ldapadd >/dev/null <<EOL
dn: apiKeyId=AAAAAAAAAAAA,$(ldap_dn alice)
objectClass: pamApiKey
apiKeyId: AAAAAAAAAAAA
apiKeyDigest: $digest
apiKeyCreated: 20260101000000Z
apiKeyName: bad name!
EOL
as alice list >"$t/list" 2>"$t/err6"
check "list --fleet skips a malformed entry, says so, and shows the others" \
	sh -c '[ "$1" -eq 0 ] && grep -q "skipping directory entry apiKeyId=AAAAAAAAAAAA,.*apiKeyName" "$2" &&
		grep -q "^laptop " "$3" && ! grep -q AAAAAAAAAAAA "$3"' - "$?" "$t/err6" "$t/list"

# delete
as alice delete laptop >/dev/null 2>"$t/err7"
check "delete --fleet without --yes and no terminal refuses" \
	sh -c '[ "$1" -eq 1 ] && grep -q "no terminal" "$2"' - "$?" "$t/err7"
as alice delete --yes laptop spare laptop.old spare.old >/dev/null 2>"$t/err8"
check "delete --fleet --yes removes the four entries" \
	sh -c '[ "$1" -eq 0 ] && ! grep -q "^apiKeyName: laptop\|^apiKeyName: spare" "$2"' - "$?" "$(keys_of alice apiKeyName >"$t/names"; echo "$t/names")"
done_testing
