#!/bin/sh
# tests/ldap/daemon_verify.sh - directory keys through apikeyd's answers, as a
# web server's workers use them, against a real slapd
# (tests/ldap/lib/slapd.sh, with syncprov). alice generates with apikeyctl
# --fleet; apikeyd (as the database's owner, the account pam-apikey is when
# installed) mirrors it into DIR/fleet and answers on its socket; a caller
# that is not root and cannot enter the database directory (an account in
# the verify group, as www-data is once granted) logs in through pamtester
# and the module with socket=, so that every answer is apikeyd's. Checked:
# the directory key accepted and its last use recorded in the mirror; a
# local key accepted beside it; nokeys_ignore told that an account with
# directory keys only has keys; apiKeyHost refused after the secret
# matched; ldapdelete refused within 5 s (measured, printed); slapd
# stopped: refused with "directory mirror stale since ..." once
# fleet_max_stale passed, the same reason the module gives in-process,
# local keys untouched; slapd back: accepted again. One log line per
# attempt throughout.
#
# Needs root (useradd; tests/ldap/lib/mirror_host.sh sets host A up). The
# verify group is the build's (apikeyd --help names it); when the machine
# has none (no make install yet), it is made for the test and removed
# after, under the end-to-end tests' lock (/run/pam_apikey-e2e.lock, as
# tests/e2e/lib/common.sh takes it), since they install it too.
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
. "$top/tests/ldap/lib/mirror_host.sh"
made_group=''
# shellcheck disable=SC2016 # run by fleet_cleanup on exit
FLEET_EXIT='[ -z "$made_group" ] || flock -w 900 /run/pam_apikey-e2e.lock groupdel "$VG"'
mirror_start "directory keys through apikeyd" alice=10001 bob=10002
VG=$("$apkd" --help | sed -n 's/^Answers processes of the group \([^ ]*\) .*/\1/p')
[ -n "$VG" ] || { not_ok "apikeyd --help names its verify group"; done_testing; exit 1; }
# the web server's account and an account without keys
WEBUSER=apkt-dvweb NOKEYS=apkt-dvnone
for u in $WEBUSER $NOKEYS; do
	if id "$u" >/dev/null 2>&1; then
		not_ok "local account $u is free for this test (it exists: remove it)"
		done_testing
		exit 1
	fi
done
useradd -r -M -d /nonexistent -s /usr/sbin/nologin $WEBUSER && made="$made $WEBUSER"
useradd -M -d /nonexistent -s /bin/sh $NOKEYS && made="$made $NOKEYS"
if ! getent group "$VG" >/dev/null; then
	flock -w 900 /run/pam_apikey-e2e.lock groupadd --system "$VG" && made_group=1
fi
VGID=$(getent group "$VG" | cut -d: -f3)
# fleet_max_stale short for the outage below (heartbeats every second)
host_conf a 4s
# the web account reaches the socket (its directory), not the database
chmod 711 "$t/run"
sock=$t/run/A.sock
# the PAM services of the web account: apkt-dv-web (the module asks
# apikeyd at socket=, as a worker that cannot read the database does) and
# apkt-dv-nokeys (nokeys_ignore: an account without keys is not the
# module's to refuse, pam_permit decides); apkt-mirror-a (mirror_host.sh:
# the module in-process, as the database's owner) beside them
printf 'auth required %s db=%s socket=%s nodelay\naccount required pam_permit.so\n' \
	"$module" "$t/dbA" "$sock" >"$t/pam.d/apkt-dv-web"
printf 'auth [success=done ignore=ignore default=die] %s db=%s socket=%s nodelay nokeys_ignore\nauth required pam_permit.so\naccount required pam_permit.so\n' \
	"$module" "$t/dbA" "$sock" >"$t/pam.d/apkt-dv-nokeys"
web() { setpriv --reuid=$WEBUSER --regid="$VGID" --clear-groups "$@"; }
# login and until_login (mirror_host.sh) as the web account through the
# service $svc; every line the module logs into $t/login.out (pam_wrapper)
login_as=web svc=apkt-dv-web
export PAM_WRAPPER_DEBUGLEVEL=2
# in_process USER KEY: the same login through the module in-process
in_process() { login_as=host svc=apkt-mirror-a; login "$@"; r=$?; login_as=web svc=apkt-dv-web; return $r; }
# one_line PATTERN [FILE]: the login (the module's log through pam_wrapper,
# $t/login.out) logged one attempt line (accepted or refused key), and it
# matches PATTERN (grep -E)
one_line() {
	[ "$(grep -Ec 'SYSLOG\([0-9]\): (accepted|refused) key' "${2:-$t/login.out}")" -eq 1 ] &&
		grep -Eq "SYSLOG\([0-9]\): $1" "${2:-$t/login.out}"
}
id_of() { printf '%s' "$1" | cut -c5-16; }
# wrong KEY: a well-formed key with KEY's id and another secret (its
# checksum right, FORMAT.md: so that it reaches the key's record)
wrong() {
	python3 -c '
import base64, hashlib, os, sys
kid = sys.argv[1][4:16]
sec = os.urandom(33)
chk = hashlib.blake2b(b"pam_apikey check" + kid.encode() + sec, digest_size=16).digest()[:6]
b64 = lambda b: base64.urlsafe_b64encode(b).decode()
print("apk_" + kid + b64(sec) + b64(chk))' "$1"
}

# ---- the keys: two of alice's and one of bob's in the directory, and a
# local key of alice's in the database -----------------------------------
dkey=$(as alice generate -q -n web 2>"$t/err")
dkey2=$(as alice generate -q -n web2 2>>"$t/err")
bkey=$(as bob generate -q -n bobs 2>>"$t/err")
check "alice and bob generate directory keys with apikeyctl --fleet" \
	sh -c 'for k; do printf "%s" "$k" | grep -Eq "^apk_[A-Za-z0-9_-]{64}$" || exit 1; done' - \
	"$dkey" "$dkey2" "$bkey"
# (apikeyctl as root makes it in a database of root's, handed to the host after)
chown root: "$t/dbA"
lkey=$(APIKEY_DB=$t/dbA "$ctl" --user alice generate -q -n here 2>>"$t/err")
chown -R $HOSTUSER: "$t/dbA"
check "alice has a local key in host A's database" \
	sh -c 'printf "%s" "$1" | grep -Eq "^apk_[A-Za-z0-9_-]{64}$"' - "$lkey"
[ -s "$t/err" ] && sed 's/^/# /' "$t/err"

# ---- apikeyd: mirrors the directory and answers on its socket ------------
start_daemon
check "apikeyd mirrors alice's and bob's keys (3 keys, 2 accounts)" \
	wait_log "refresh done: 3 keys for 2 accounts" 150
# as apikeyd started by root makes it (pam-apikey:VERIFY_GROUP, 0660)
wait_until 50 "$daemon" test -S "$sock"
chgrp "$VG" "$sock"
check "the web account cannot enter the database directory (the module must ask apikeyd)" \
	sh -c '! setpriv --reuid="$1" --regid="$2" --clear-groups test -x "$3"' - $WEBUSER "$VGID" "$t/dbA"

login alice "$dkey"
rc=$?
check "a directory key logs in through apikeyd, asked by the web account" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/# /' "$t/login.out" "$t/daemonA.log"
check "... one log line: accepted, with the key's name and id" \
	one_line "accepted key web \(id $(id_of "$dkey")\) for user alice service apkt-dv-web"
# (apikeyctl, as root, reads a copy of the database: the live one is the host's)
cp -a "$t/dbA" "$t/dbcopy" && chown -R root: "$t/dbcopy"
APIKEY_DB=$t/dbcopy "$ctl" --user alice list --json >"$t/list.json" 2>&1
check "its last use is recorded in the mirror, this host's: service apkt-dv-web" \
	python3 -c '
import json, sys
keys = {k["name"]: k for k in json.load(open(sys.argv[1]))}
u = keys["web"]["last_used"]
sys.exit(0 if keys["web"]["source"] == "directory" and u and u["service"] == "apkt-dv-web" else 1)' "$t/list.json"
login alice "$(wrong "$dkey")"
rc=$?
check "a wrong secret for the directory key's id is refused, one line" \
	test $rc -ne 0
check "... one line: key does not match" one_line "refused key \(id $(id_of "$dkey")\) for user alice .*: key does not match"
login alice "$lkey"
rc=$?
check "alice's local key logs in through apikeyd beside it" test $rc -eq 0
check "... one line, accepted" one_line "accepted key here \(id $(id_of "$lkey")\)"
login bob "$dkey"
check "alice's directory key does not log bob in" test $? -ne 0
login bob "$bkey"
check "bob's directory key logs him in" test $? -eq 0

# nokeys_ignore through apikeyd: an account with directory keys only has
# keys (a wrong key refused); an account with none is not the module's
svc=apkt-dv-nokeys
login bob "$(wrong "$bkey")"
rc1=$?
login $NOKEYS "$(wrong "$bkey")"
rc2=$?
svc=apkt-dv-web
check "nokeys_ignore: bob (directory keys only) is refused a wrong key, an account without keys passes on" \
	test $rc1 -ne 0 -a $rc2 -eq 0

# ---- a restriction after the secret matched: apiKeyHost -----------------
modify() { # KEY ATTR [VALUE]: replace ATTR of alice's KEY (no VALUE: delete it)
	if [ $# -gt 2 ]; then
		printf 'dn: apiKeyId=%s,%s\nchangetype: modify\nreplace: %s\n%s: %s\n' \
			"$(id_of "$1")" "$(ldap_dn alice)" "$2" "$2" "$3"
	else
		printf 'dn: apiKeyId=%s,%s\nchangetype: modify\ndelete: %s\n' "$(id_of "$1")" "$(ldap_dn alice)" "$2"
	fi | ldap_as alice ldapmodify >/dev/null 2>>"$t/err"
}
since=$(ms)
modify "$dkey2" apiKeyHost host-b
until_login 1 alice "$dkey2" 50
rc=$?
since=
echo "# ldapmodify apiKeyHost: host-b -> refused through apikeyd on host-a in $took ms"
check "apiKeyHost host-b: refused through apikeyd on host-a within 5 s ($took ms)" test $rc -eq 0 -a "$took" -lt 5000
check "... one line, the reason: host not allowed for this key" \
	one_line "refused key \(id $(id_of "$dkey2")\) for user alice service apkt-dv-web rhost -: host not allowed for this key"
modify "$dkey2" apiKeyHost
until_login 0 alice "$dkey2" 50
check "apiKeyHost deleted: accepted again ($took ms)" test $? -eq 0

# ---- ldapdelete: refused within 5 s ---------------------------------------
since=$(ms)
ldap_as alice ldapdelete "apiKeyId=$(id_of "$dkey"),$(ldap_dn alice)" 2>>"$t/err"
until_login 1 alice "$dkey" 50
rc=$?
since=
echo "# ldapdelete of the key (as alice) -> refused through apikeyd in $took ms (from just before the ldapdelete)"
check "a key deleted with ldapdelete is refused through apikeyd within 5 s ($took ms)" \
	test $rc -eq 0 -a "$took" -lt 5000
check "... one line, refused" one_line "refused key \(id $(id_of "$dkey")\) for user alice"
login alice "$dkey2"
check "alice's other directory key still logs in" test $? -eq 0

# ---- an outage: stale after fleet_max_stale (4 s) ------------------------
slapd_pause
since=$(ms)
until_login 1 alice "$dkey2" 150
rc=$?
since=
echo "# slapd stopped -> the directory key refused through apikeyd after $took ms (fleet_max_stale 4 s)"
check "slapd stopped: the directory key is refused through apikeyd once the mirror is stale ($took ms)" \
	test $rc -eq 0 -a "$took" -lt 7500
login alice "$dkey2"
cp "$t/login.out" "$t/stale-web.out"
check "... one line, the reason: directory mirror stale since <the last sync>" \
	one_line "refused key \(id $(id_of "$dkey2")\) for user alice .*: directory mirror stale since 20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z" \
	"$t/stale-web.out"
in_process alice "$dkey2"
reason() { sed -n 's/.*refused key (id [^)]*) for user alice service [^ ]* rhost -: //p' "$1"; }
check "... the reason the module gives in-process: $(reason "$t/login.out")" \
	test -n "$(reason "$t/login.out")" -a "$(reason "$t/login.out")" = "$(reason "$t/stale-web.out")"
login alice "$lkey"
check "the local key still logs in through apikeyd while the mirror is stale" test $? -eq 0
slapd_resume
until_login 0 alice "$dkey2" 700
rc=$?
echo "# slapd back -> the directory key accepted through apikeyd again in $took ms"
check "slapd back: accepted through apikeyd again, the same apikeyd ($took ms)" \
	sh -c '[ "$1" -eq 0 ] && kill -0 "$2"' - $rc "$daemon"

kill "$daemon"
wait "$daemon"
check "SIGTERM stops apikeyd (exit 0)" test $? -eq 0
done_testing
