#!/bin/sh
# tests/ldap/acl.sh - the shipped access rules (doc/ldap/pam_apikey-acl.ldif)
# against a real slapd, with the example DIT: each identity binds and tries
# ldapadd, ldapmodify, ldapdelete, ldapmodrdn, ldapsearch and ldapcompare.
# An owner manages pamApiKey entries under their own entry and nowhere else;
# the hosts search and read them; the key administrators manage them;
# nobody else, anonymous included, sees anything of them.
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
. "$top/tests/ldap/lib/slapd.sh"

slapd_test_start

people=ou=people,$SLAPD_BASE
alice=$(ldap_dn alice)
bob=$(ldap_dn bob)
t=$SLAPD_DIR/t
mkdir "$t"
digest='{APK1}oKGio6SlpqeoqaqrrK2ur4e/ikkPmBwIpD9Yd4MY6Vyze2vF68EG7qbSMdn33PZr'
digest2='{APK1}AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'

# key PARENT ID: a pamApiKey entry's LDIF
key() {
	printf 'dn: apiKeyId=%s,%s\nobjectClass: pamApiKey\napiKeyId: %s\napiKeyDigest: %s\napiKeyCreated: 20260101000000Z\napiKeyName: laptop\n' \
		"$2" "$1" "$2" "$digest"
}
# modify DN ATTR VALUE: an LDIF that replaces ATTR of DN with VALUE
modify() { printf 'dn: %s\nchangetype: modify\nreplace: %s\n%s: %s\n' "$1" "$2" "$2" "$3"; }
# state: the whole DIT as the rootdn sees it (one hash)
state() { ldap_as root ldapsearch -LLL -o ldif-wrap=no -b "$SLAPD_BASE" '(objectClass=*)' '*' | sha256sum; }
# as WHO DESCRIPTION TOOL ARGS...: allowed
as() { who=$1 d=$2; shift 2; check "$d" quietly ldap_as "$who" "$@"; }
quietly() { "$@" >"$t/out" 2>&1; }
# refused WHO DESCRIPTION TOOL ARGS...: refused, and the directory unchanged
refused() {
	who=$1 d=$2
	shift 2
	before=$(state)
	if ldap_as "$who" "$@" >"$t/out" 2>&1; then
		not_ok "$d (it was allowed)"
		return
	fi
	after=$(state)
	check "$d" test "$before" = "$after"
}
# sees WHO BASE SCOPE FILTER: what WHO's search returns (DNs and values)
sees() { ldap_as "$1" ldapsearch -LLL -o ldif-wrap=no -b "$2" -s "$3" "$4" '*' 2>/dev/null; }
# reads WHO DN LINE: WHO's read of DN shows the LDIF line LINE
reads() { sees "$1" "$2" base '(objectClass=*)' | grep -qxF "$3"; }
# finds_digest WHO: WHO's search for keys under ou=people shows the digest
finds_digest() { sees "$1" "$people" sub '(objectClass=pamApiKey)' | grep -qxF "apiKeyDigest: $digest"; }
# sees_nothing WHO FILTER: WHO's subtree search from the base returns nothing
sees_nothing() { [ -z "$(sees "$1" "$SLAPD_BASE" sub "$2")" ]; }
# compares WHO DN ATTR:VALUE: ldapcompare answers (5 false, 6 true) rather than refusing
compares() { ldap_as "$1" ldapcompare "$2" "$3" >/dev/null 2>&1; rc=$?; [ $rc -eq 5 ] || [ $rc -eq 6 ]; }
nobody_answer() { ! compares "$@"; }

# ---- alice's own keys ----
k1=apiKeyId=AAAAaaaa1111,$alice
key "$alice" AAAAaaaa1111 >"$t/k1.ldif"
as alice "alice adds a pamApiKey entry under her own entry" ldapadd -f "$t/k1.ldif"
check "alice reads her key, digest included" reads alice "$k1" "apiKeyDigest: $digest"
cat >"$t/k1mod.ldif" <<EOD
dn: $k1
changetype: modify
replace: apiKeyDescription
apiKeyDescription: ssh from home
-
replace: apiKeyDisabled
apiKeyDisabled: TRUE
-
add: apiKeyService
apiKeyService: sshd
apiKeyService: sudo
EOD
as alice "alice changes her key (description, disabled, services)" ldapmodify -f "$t/k1mod.ldif"
check "... and the change is in the directory" reads root "$k1" "apiKeyService: sudo"

# ---- the hosts ----
for h in host-a host-b; do
	check "$h (in apikey-hosts) finds alice's key with (objectClass=pamApiKey), digest included" finds_digest "$h"
	check "$h reads the key's restrictions" reads "$h" "$k1" "apiKeyDisabled: TRUE"
	refused "$h" "$h cannot change alice's key" ldapmodify -f "$t/k1mod.ldif"
	modify "$k1" apiKeyDisabled FALSE >"$t/enable.ldif"
	refused "$h" "$h cannot enable alice's disabled key" ldapmodify -f "$t/enable.ldif"
	refused "$h" "$h cannot delete alice's key" ldapdelete "$k1"
	modify "$k1" apiKeyDigest "$digest2" >"$t/digest.ldif"
	refused "$h" "$h cannot replace alice's key's digest with one of its own" ldapmodify -f "$t/digest.ldif"
	refused "$h" "$h cannot rename alice's key (modrdn)" ldapmodrdn -r "$k1" apiKeyId=HHHHhhhh1111
	refused "$h" "$h cannot move alice's key under bob's entry" ldapmodrdn -s "$bob" "$k1" apiKeyId=AAAAaaaa1111
	key "$alice" HHHHhhhh0000 >"$t/hostadd.ldif"
	refused "$h" "$h cannot add a key under alice's entry" ldapadd -f "$t/hostadd.ldif"
done

# ---- bob, anonymous ----
for who in bob anonymous; do
	check "$who finds no pamApiKey entry (objectClass, apiKeyId, apiKeyName, apiKeyDigest filters)" \
		sees_nothing "$who" '(|(objectClass=pamApiKey)(apiKeyId=*)(apiKeyName=*)(apiKeyDigest=*))'
	check "$who reads nothing of alice's key by its DN" test -z "$(sees "$who" "$k1" base '(objectClass=*)')"
	check "$who gets no compare answer on alice's key's name" nobody_answer "$who" "$k1" apiKeyName:laptop
	check "$who gets no compare answer on alice's key's id" nobody_answer "$who" "$k1" apiKeyId:AAAAaaaa1111
	refused "$who" "$who cannot change alice's key" ldapmodify -f "$t/enable.ldif"
	refused "$who" "$who cannot delete alice's key" ldapdelete "$k1"
	refused "$who" "$who cannot replace alice's key's digest" ldapmodify -f "$t/digest.ldif"
	key "$alice" BBBBbbbb0000 >"$t/badd.ldif"
	refused "$who" "$who cannot add a key under alice's entry" ldapadd -f "$t/badd.ldif"
done
check "a bound user (bob) still reads alice's account entry (the DIT's own rule)" reads bob "$alice" "uid: alice"
refused bob "bob cannot move alice's key under his own entry" ldapmodrdn -s "$bob" "$k1" apiKeyId=AAAAaaaa1111
key "$bob" BBBBbbbb1111 >"$t/b1.ldif"
as bob "bob adds a key under his own entry" ldapadd -f "$t/b1.ldif"
check "alice finds no key of bob's" test -z "$(sees alice "$bob" sub '(objectClass=pamApiKey)')"
b1=apiKeyId=BBBBbbbb1111,$bob
modify "$b1" apiKeyDisabled TRUE >"$t/b1mod.ldif"
refused alice "alice cannot disable bob's key" ldapmodify -f "$t/b1mod.ldif"
modify "$b1" apiKeyName stolen >"$t/b1mod.ldif"
refused alice "alice cannot change bob's key's name" ldapmodify -f "$t/b1mod.ldif"
refused alice "alice cannot delete bob's key" ldapdelete "$b1"

# ---- alice, nowhere but under her own entry ----
key "$bob" AAAAaaaa3333 >"$t/x.ldif"
refused alice "alice cannot add a key under bob's entry" ldapadd -f "$t/x.ldif"
key "$people" AAAAaaaa3333 >"$t/x.ldif"
refused alice "alice cannot add a key directly under ou=people" ldapadd -f "$t/x.ldif"
key "$(ldap_dn host-a)" AAAAaaaa3333 >"$t/x.ldif"
refused alice "alice cannot add a key under a host's entry" ldapadd -f "$t/x.ldif"
key "$SLAPD_BASE" AAAAaaaa3333 >"$t/x.ldif"
refused alice "alice cannot add a key under the base" ldapadd -f "$t/x.ldif"
key "$k1" AAAAaaaa3333 >"$t/x.ldif"
refused alice "alice cannot add a key under her own key" ldapadd -f "$t/x.ldif"
printf 'dn: ou=stuff,%s\nobjectClass: organizationalUnit\nou: stuff\n' "$alice" >"$t/x.ldif"
refused alice "alice cannot add an entry of another class under her entry" ldapadd -f "$t/x.ldif"
printf 'dn: apiKeyId=AAAAaaaa3333,%s\nobjectClass: device\nobjectClass: extensibleObject\ncn: x\napiKeyId: AAAAaaaa3333\napiKeyDigest: %s\n' \
	"$alice" "$digest" >"$t/x.ldif"
refused alice "alice cannot add an apiKeyId entry that is not a pamApiKey under her entry" ldapadd -f "$t/x.ldif"
modify "$alice" uidNumber 0 >"$t/x.ldif"
refused alice "alice cannot change her own entry's uidNumber" ldapmodify -f "$t/x.ldif"
modify "$alice" cn mallory >"$t/x.ldif"
refused alice "alice cannot change her own entry's cn" ldapmodify -f "$t/x.ldif"

# ---- the key administrators ----
key "$bob" DDDDdddd0000 >"$t/d.ldif"
as admin "admin (in apikey-admins) adds a key under bob's entry" ldapadd -f "$t/d.ldif"
check "admin reads bob's keys, digest included" reads admin "$b1" "apiKeyDigest: $digest"
modify "$b1" apiKeyDisabled TRUE >"$t/d.ldif"
as admin "admin disables bob's key" ldapmodify -f "$t/d.ldif"
as admin "admin deletes a key of bob's" ldapdelete "apiKeyId=DDDDdddd0000,$bob"
modify "$bob" uidNumber 0 >"$t/x.ldif"
refused admin "admin cannot change bob's account entry (only keys)" ldapmodify -f "$t/x.ldif"

# ---- alice renames and deletes ----
as alice "alice renames her key's entry (modrdn to another id) under her entry" \
	ldapmodrdn -r "$k1" apiKeyId=AAAAaaaa2222
as alice "alice deletes her key" ldapdelete "apiKeyId=AAAAaaaa2222,$alice"
check "host-a no longer finds it" test -z "$(sees host-a "$alice" sub '(objectClass=pamApiKey)')"
check "host-a still finds bob's" finds_digest host-a


# ---- more keys than slapd's default size limit (500) ----
# pam_apikey-limits.ldif: the hosts get them all, or a host would mirror
# a part of the fleet's keys and miss the rest
gen=${APK_BUILD:-$top/build}/tests/fleet_ldif
if [ -x "$gen" ]; then
	"$gen" "$SLAPD_BASE" many 6 100 30000 "$t/many.keys" >"$t/many.ldif" &&
		ldap_as root ldapadd -f "$t/many.ldif" >"$t/out" 2>&1
	check "600 keys of 6 more accounts are added" test $? -eq 0
	count() { ldap_as "$1" ldapsearch -LLL -b "$people" '(objectClass=pamApiKey)' 1.1 2>/dev/null | grep -c '^dn:'; }
	check "host-a finds all 601 keys in one search: no size limit for the hosts" test "$(count host-a)" -eq 601
	check "admin, not a host, keeps slapd's limit: 500 of them" test "$(count admin)" -eq 500
else
	not_ok "$gen missing (make tests)"
fi
done_testing
