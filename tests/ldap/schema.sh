#!/bin/sh
# tests/ldap/schema.sh - the pamApiKey schema (doc/ldap/): its two forms say
# the same, and a real slapd holds entries to it: a key entry stands alone,
# every MUST attribute is required, single-valued attributes take one value,
# times and the Boolean are checked, ids and names are case-exact.
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
. "$top/tests/ldap/lib/slapd.sh"

slapd_test_start
t=$SLAPD_DIR/t
mkdir "$t"
alice=$(ldap_dn alice)
quietly() { "$@" >"$t/out" 2>&1; }

# ---- the .schema form and the cn=config form say the same ----
# definitions FILE: each olcAttributeTypes/olcObjectClasses value of a
# cn=config LDIF, unfolded, without its {n}, white space squeezed, sorted
definitions() {
	sed -e '/^#/d' "$1" | sed -e ':a' -e '$!N' -e 's/\n //' -e 'ta' -e 'P' -e 'D' |
		sed -n 's/^olc\(AttributeTypes\|ObjectClasses\): *\({[0-9]*}\)\?//p' |
		tr -s " \t" "  " | sed 's/ *$//' | sort
}
printf 'include %s/core.schema\ninclude %s/doc/ldap/pam_apikey.schema\n' "$SLAPD_SCHEMAS" "$top" >"$t/slapd.conf"
mkdir "$t/conv"
check "slaptest converts pam_apikey.schema into a cn=config" \
	quietly slaptest -f "$t/slapd.conf" -F "$t/conv"
conv=$(ls "$t/conv/cn=config/cn=schema/"*pam_apikey.ldif 2>/dev/null)
definitions "$top/doc/ldap/pam_apikey.ldif" >"$t/ldif.defs"
definitions "${conv:-/dev/null}" >"$t/schema.defs"
check "pam_apikey.ldif holds 10 attribute types and 1 object class" \
	test "$(grep -c . "$t/ldif.defs")" -eq 11
check "pam_apikey.schema, converted by slaptest, defines exactly what pam_apikey.ldif does" \
	cmp -s "$t/ldif.defs" "$t/schema.defs"
check "the slapd loaded from pam_apikey.ldif publishes pamApiKey in its subschema" \
	sh -c "ldapsearch -x -LLL -o ldif-wrap=no -H '$SLAPD_URI' -b cn=Subschema -s base objectClasses | grep -q \"NAME 'pamApiKey'.*STRUCTURAL\""

# ---- entries ----
key() { # key ID [extra LDIF lines]: alice's key entry, the MUST attributes and more
	printf 'dn: apiKeyId=%s,%s\nobjectClass: pamApiKey\napiKeyId: %s\n' "$1" "$alice" "$1"
	printf 'apiKeyDigest: {APK1}oKGio6SlpqeoqaqrrK2ur4e/ikkPmBwIpD9Yd4MY6Vyze2vF68EG7qbSMdn33PZr\n'
	printf 'apiKeyCreated: 20260101000000Z\napiKeyName: laptop\n'
	shift
	for l in "$@"; do printf '%s\n' "$l"; done
}
# without ATTR: drops ATTR's lines from stdin
without() { grep -v "^$1:"; }
# exists ID: alice has a key entry of that id (read as the rootdn)
exists() { [ -n "$(ldap_as root ldapsearch -LLL -b "apiKeyId=$1,$alice" -s base dn 2>/dev/null)" ]; }
# added DESCRIPTION FILE: the rootdn (above every access rule) adds it
added() { check "$1" quietly ldap_as root ldapadd -f "$2"; }
# refused DESCRIPTION ID FILE REASON: the schema refuses it, saying REASON
# (slapd's "additional info"), and nothing is added
refused() {
	if ldap_as root ldapadd -f "$3" >"$t/out" 2>&1; then
		not_ok "$1 (it was added)"
	elif exists "$2"; then
		not_ok "$1 (refused, but the entry is there)"
	else
		check "$1" grep -qF "additional info: $4" "$t/out"
	fi
}

key FULLfull0000 'apiKeyDescription: ssh from home, über alles' 'apiKeyExpires: 20270101000000Z' \
	'apiKeyDisabled: FALSE' 'apiKeyService: sshd' 'apiKeyService: sudo' 'apiKeyNetwork: 192.0.2.0/24' \
	'apiKeyNetwork: 2001:db8::/32' 'apiKeyHost: web-*.example.org' 'apiKeyHost: db1.example.org' >"$t/full.ldif"
added "an entry with every attribute (pamApiKey alone, structural) is valid" "$t/full.ldif"
key MINImini0000 >"$t/min.ldif"
added "an entry with only the MUST attributes is valid" "$t/min.ldif"
# (an entry without apiKeyId gets it from its RDN, as LDAP adds every RDN value)
for a in apiKeyDigest apiKeyCreated apiKeyName; do
	key MISSmiss0000 | without $a >"$t/x.ldif"
	refused "an entry without $a is refused" MISSmiss0000 "$t/x.ldif" "object class 'pamApiKey' requires attribute '$a'"
done
for l in 'apiKeyDigest: {APK1}AAAAAAAAAAAAAAAAAAAAAEPPOQYO1lSByXEaz8ZwBcYcdFGpuRwLRE/ebwcvDdsO' \
	'apiKeyCreated: 20250101000000Z' 'apiKeyName: desktop'; do
	key TWICtwic0000 "$l" >"$t/x.ldif"
	refused "a second value of ${l%%:*} (single-valued) is refused" TWICtwic0000 "$t/x.ldif" "${l%%:*}: multiple values"
done
# two_values ATTR V1 V2: an entry with both is refused
two_values() {
	key TWICtwic0000 "$1: $2" "$1: $3" >"$t/x.ldif"
	refused "a second value of $1 (single-valued) is refused" TWICtwic0000 "$t/x.ldif" "$1: multiple values"
}
two_values apiKeyDescription a b
two_values apiKeyExpires 20280101000000Z 20290101000000Z
two_values apiKeyDisabled TRUE FALSE
key TWICtwic0000 'apiKeyId: TWICtwic0001' >"$t/x.ldif"
refused "a second value of apiKeyId is refused" TWICtwic0000 "$t/x.ldif" "apiKeyId: multiple values"
printf 'dn: apiKeyId=MINImini0000,%s\nchangetype: modify\nadd: apiKeyName\napiKeyName: second\n' "$alice" >"$t/x.ldif"
check "a second apiKeyName added by ldapmodify is refused" sh -c "! ldapmodify -Q -Y EXTERNAL -H '$SLAPD_LDAPI' -f '$t/x.ldif' >/dev/null 2>&1"
check "... and the entry keeps its one name" test "$(ldap_as root ldapsearch -LLL -b "apiKeyId=MINImini0000,$alice" -s base apiKeyName | grep -c '^apiKeyName:')" -eq 1
key SYNTsynt0000 | without apiKeyCreated >"$t/x.ldif"
echo 'apiKeyCreated: 2026-01-01' >>"$t/x.ldif"
refused "apiKeyCreated that is not a Generalized Time is refused" SYNTsynt0000 "$t/x.ldif" "apiKeyCreated: value #0 invalid per syntax"
key SYNTsynt0000 'apiKeyExpires: tomorrow' >"$t/x.ldif"
refused "apiKeyExpires that is not a Generalized Time is refused" SYNTsynt0000 "$t/x.ldif" "apiKeyExpires: value #0 invalid per syntax"
key SYNTsynt0000 'apiKeyDisabled: yes' >"$t/x.ldif"
refused "apiKeyDisabled that is not TRUE or FALSE is refused" SYNTsynt0000 "$t/x.ldif" "apiKeyDisabled: value #0 invalid per syntax"
key SYNTsynt0000 'apiKeyService: sshé' >"$t/x.ldif"
refused "a non-ASCII apiKeyService (IA5 String) is refused" SYNTsynt0000 "$t/x.ldif" "apiKeyService: value #0 invalid per syntax"
printf 'dn: apiKeyId=AUXIauxi0000,%s\nobjectClass: device\nobjectClass: pamApiKey\ncn: x\napiKeyId: AUXIauxi0000\n' "$alice" >"$t/x.ldif"
refused "pamApiKey is structural: it does not combine with another structural class" AUXIauxi0000 "$t/x.ldif" "invalid structural object class chain"

# ---- case-exact ids ----
key CASEcase0000 >"$t/x.ldif"
added "an id" "$t/x.ldif"
key casecase0000 >"$t/x.ldif"
added "the same id in other case is another entry" "$t/x.ldif"
check "a search for one id finds that entry only" \
	test "$(ldap_as root ldapsearch -LLL -b "$alice" '(apiKeyId=casecase0000)' dn | grep -c '^dn:')" -eq 1
check "a search for apiKeyName in other case finds nothing (case-exact)" \
	test -z "$(ldap_as root ldapsearch -LLL -b "$alice" '(apiKeyName=LAPTOP)' dn)"
check "a search for apiKeyService in other case finds it (case-ignore)" \
	test -n "$(ldap_as root ldapsearch -LLL -b "$alice" '(apiKeyService=SSHD)' dn)"
check "apiKeyExpires orders: (apiKeyExpires<=20270101000000Z) finds the key" \
	test -n "$(ldap_as root ldapsearch -LLL -b "$alice" '(apiKeyExpires<=20270101000000Z)' dn)"
check "the digest has no equality rule: a filter on its value matches nothing" \
	test -z "$(ldap_as root ldapsearch -LLL -b "$alice" '(apiKeyDigest={APK1}oKGio6SlpqeoqaqrrK2ur4e/ikkPmBwIpD9Yd4MY6Vyze2vF68EG7qbSMdn33PZr)' dn 2>/dev/null)"

done_testing
