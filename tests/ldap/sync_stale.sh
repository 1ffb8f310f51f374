#!/bin/sh
# tests/ldap/sync_stale.sh - apikeyd resumes with a cookie the directory
# cannot serve: a real slapd whose syncprov is set to answer such a cookie
# with e-syncRefreshRequired (olcSpReloadHint TRUE, no session log: RFC
# 4533 section 3.4; OpenLDAP 2.5's syncprov sends it, "sync cookie is
# stale", when the cookie's CSN is older than every entry's, the consumer
# having sent no reloadHint). The directory is reloaded while apikeyd is
# away (stopped, dumped with slapcat, a key deleted and one added, loaded
# again with slapadd: every entry gets a new entryCSN, as a provider rebuilt
# from a dump does); apikeyd reconnects with its cookie, is told to refresh,
# and refreshes from nothing: its mirror then holds exactly the directory's
# keys, the one deleted while it was away refused. Needs root
# (tests/ldap/lib/mirror_host.sh).
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
SLAPD_LOGLEVEL=${SLAPD_LOGLEVEL:-stats} SLAPD_RELOADHINT=1
. "$top/tests/ldap/lib/mirror_host.sh"
mirror_start "apikeyd told to refresh" alice=10001

id_of() { printf '%s' "$1" | cut -c5-16; }
k1=$(as alice generate -q -n one 2>"$t/err")
k2=$(as alice generate -q -n two 2>>"$t/err")
start_daemon
wait_log "refresh done"
k3=$(as alice generate -q -n three 2>>"$t/err")   # a change while connected: the cookie moves on
until_login 0 alice "$k3" 50
rc=$?
login alice "$k2"
check "persisting: alice's keys log in on host A (the third, made while connected, after $took ms)" \
	test $rc -eq 0 -a $? -eq 0

# apikeyd away: the directory stopped, dumped, the second key deleted and a
# fourth added, and loaded again from nothing (new entryCSNs, contextCSN
# from them: slapadd -w)
slapd_pause
slapcat -n1 -F "$SLAPD_DIR/config" -o ldif-wrap=no -l "$t/dump.ldif" 2>"$t/slapcat.err"
awk -v gone="dn: apiKeyId=$(id_of "$k2"),$(ldap_dn alice)" '
	BEGIN { RS = "" }
	{ n = split($0, l, "\n")
	  if (tolower(l[1]) == tolower(gone)) next
	  for (i = 1; i <= n; i++) if (l[i] !~ /^(entryCSN|contextCSN): /) print l[i]
	  print "" }' "$t/dump.ldif" >"$t/reload.ldif"
"$B/tests/fleet_ldif" -A "$SLAPD_BASE" alice 1 1 10001 "$t/k4.keys" >>"$t/reload.ldif"
k4=$(awk '{ print $3 }' "$t/k4.keys")
check "the dump less the second key, and a fourth key, to load" \
	sh -c '[ "$(grep -c "^dn: apiKeyId=" "$1")" -eq 3 ] && ! grep -q "^entryCSN" "$1" && [ -n "$2" ]' \
	- "$t/reload.ldif" "$k4"
rm -f "$SLAPD_DIR"/db/*.mdb
# syncprov looks for an entry as old as the cookie through the entryCSN
# index, whose keys are whole seconds: the new CSNs a second later
sleep 1.1
SLAPD_BULK_CSN=1 slapd_bulk_add "$t/reload.ldif"
check "slapd runs again on the reloaded directory" slapd_answers

check "apikeyd reconnects with its cookie and is told to refresh from nothing" \
	wait_log "cannot resume from this host's cookie: refreshing from nothing" 300
check "slapd sent e-syncRefreshRequired (4096): the cookie is stale" \
	grep -q "SEARCH RESULT .*err=4096 .*text=sync cookie is stale" "$SLAPD_LOG"
until_login 1 alice "$k2" 100
check "the key deleted while apikeyd was away is refused ($took ms)" test $? -eq 0
until_login 0 alice "$k4" 100
check "the key added while it was away logs in ($took ms)" test $? -eq 0
login alice "$k1"
rc=$?
login alice "$k3"
check "the others still log in" test $rc -eq 0 -a $? -eq 0

# the mirror holds exactly the directory's keys: ids, as apikeyctl reads
# the mirror (list --json, as root) and as the directory has them
dir_ids() { ldap_as root ldapsearch -LLL -b "$(ldap_dn alice)" -s one '(objectClass=pamApiKey)' apiKeyId |
	sed -n 's/^apiKeyId: //p' | LC_ALL=C sort | tr '\n' ' '; }
mirror_ids() { # as apikeyctl lists them, run as root on a copy of the mirror (root's)
	rm -rf "$t/dbcopy" && cp -r "$t/dbA" "$t/dbcopy" &&
		APIKEY_DB=$t/dbcopy "$ctl" list --user alice --json >"$t/list.json" 2>>"$t/err" &&
		python3 -c 'import json, sys
print(" ".join(sorted(k["id"] for k in json.load(open(sys.argv[1])) if k["source"] == "directory")), end=" ")' \
			"$t/list.json"
}
want=$(for k in "$k1" "$k3" "$k4"; do id_of "$k"; done | LC_ALL=C sort | tr '\n' ' ')
got_m=$(mirror_ids) got_d=$(dir_ids)
check "the mirror holds exactly the directory's keys: $want" test "$got_m" = "$want" -a "$got_d" = "$want"
[ "$got_m" = "$want" ] && [ "$got_d" = "$want" ] || echo "# the mirror's: $got_m; the directory's: $got_d"
check "... and says so: 3 keys of 1 account, fresh" \
	sh -c '"$1" --status --socket "$2" >"$3" && grep -qx "fleet_keys 3" "$3" && grep -qx "fleet_accounts 1" "$3" &&
		grep -qx "fleet_connected yes" "$3"' - "$apkd" "$t/run/A.sock" "$t/status"
check "it was told once, and did not reconnect in a loop" \
	test "$(grep -c "cannot resume from this host's cookie" "$t/daemonA.log")" -eq 1
[ "$failures" -eq 0 ] || { sed "s/^/# /" "$t/daemonA.log" "$t/err" "$t/list.json"; grep -i "sync\|SRCH\|SEARCH RESULT\|conn=.* fd=.* ACCEPT" "$SLAPD_LOG" | tail -60 | sed "s/^/# /"; }
kill "$daemon"
wait "$daemon"
check "SIGTERM stops it (exit 0)" test $? -eq 0
done_testing
