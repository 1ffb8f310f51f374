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
# Needs root (useradd). The verify group is the build's (apikeyd --help
# names it); when the machine has none (no make install yet), it is made
# for the test and removed after, under the end-to-end lock, as the
# end-to-end and package tests change it under that lock.
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
B=${APK_BUILD:-$top/build}
ctl=$B/tests/apikeyctl
apkd=$B/apikeyd
module=$B/pam_apikey.so
wrapper=
for w in /usr/lib/*/libpam_wrapper.so; do [ -e "$w" ] && wrapper=$w; done
. "$top/tests/lib/san_preload.sh"
sanpre=$(san_preload "$module")

if [ "$(id -u)" -ne 0 ]; then
	echo "ok 1 # SKIP directory keys through apikeyd: needs root (useradd)"
	echo "1..1"
	exit 0
fi
for p in "$ctl" "$apkd" "$module" "$wrapper" /usr/bin/pamtester; do
	{ [ -n "$p" ] && [ -e "$p" ]; } || { echo "not ok 1 - ${p:-libpam_wrapper.so} missing (make all tests; make deps)"; echo "1..1"; exit 1; }
done
VG=$("$apkd" --help | sed -n 's/^Answers processes of the group \([^ ]*\) .*/\1/p')
[ -n "$VG" ] || { echo "not ok 1 - apikeyd --help names its verify group"; echo "1..1"; exit 1; }

# the local accounts alice and bob are this test's alone while it runs
exec 9>/tmp/apk-fleetctl-users.lock
flock 9
made='' pids='' made_group=''
HOSTUSER=apkt-dvhost WEBUSER=apkt-dvweb NOKEYS=apkt-dvnone
ON_EXIT='for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; for u in $made; do userdel "$u" 2>/dev/null; done; [ -z "$made_group" ] || flock /tmp/e2e.lock groupdel "$VG"'
. "$top/tests/ldap/lib/slapd.sh"
slapd_test_start
for u in alice bob $HOSTUSER $WEBUSER $NOKEYS; do
	if id "$u" >/dev/null 2>&1; then
		not_ok "local account $u is free for this test (it exists: remove it)"
		done_testing
		exit 1
	fi
done
if ! getent group "$VG" >/dev/null; then
	flock /tmp/e2e.lock groupadd --system "$VG" && made_group=1
fi
VGID=$(getent group "$VG" | cut -d: -f3)
# alice and bob as the directory says (10001, 10002)
useradd -M -d /nonexistent -s /bin/sh -u 10001 alice && made="$made alice"
useradd -M -d /nonexistent -s /bin/sh -u 10002 bob && made="$made bob"
useradd -M -d /nonexistent -s /bin/sh $NOKEYS && made="$made $NOKEYS"
useradd -r -M -d /nonexistent -s /usr/sbin/nologin $HOSTUSER && made="$made $HOSTUSER"
useradd -r -M -d /nonexistent -s /usr/sbin/nologin $WEBUSER && made="$made $WEBUSER"

t=$SLAPD_DIR/t
mkdir "$t"
chmod 711 "$SLAPD_DIR"
chmod 755 "$t"
for u in alice bob; do
	install -o "$u" -m 600 "$(ldap_pwfile "$u")" "$t/$u.pw"
done
install -o $HOSTUSER -m 600 "$(ldap_pwfile host-a)" "$t/host-a.pw"
install -d -m 700 "$t/db"   # root's while the local key is made, then the host's
install -d -o $HOSTUSER -m 711 "$t/run"
# host A's pam_apikey.conf (root's, as the real one is); fleet_max_stale
# short for the outage below (heartbeats every second)
{
	echo "fleet_uri = $SLAPD_LDAPI"
	echo "fleet_base = $SLAPD_BASE"
	echo "fleet_bind_dn = $(ldap_dn host-a)"
	echo "fleet_bind_password_file = $t/host-a.pw"
	echo "fleet_host_name = host-a"
	echo "fleet_max_stale = 4s"
	echo "fleet_refresh = 2s"
} >"$t/host-a.conf"
chmod 644 "$t/host-a.conf"
printf 'fleet_uri = %s\nfleet_base = ou=people,%s\n' "$SLAPD_LDAPI" "$SLAPD_BASE" >"$t/user.conf"
chmod 644 "$t/user.conf"
as() { # WHO ARGS...: apikeyctl --fleet as WHO
	who=$1
	shift
	APIKEY_POLICY=$t/user.conf setpriv --reuid="$who" --regid="$who" --init-groups \
		"$ctl" --fleet --password-file "$t/$who.pw" "$@" </dev/null
}
sock=$t/run/A.sock
# the PAM services: web (the module asks apikeyd at socket=, as a worker
# that cannot read the database does), web-nokeys (nokeys_ignore: an
# account without keys is not the module's to refuse, pam_permit decides),
# local (the module in-process, run as the database's owner)
mkdir "$t/pam.d"
printf 'auth required %s db=%s socket=%s nodelay\naccount required pam_permit.so\n' \
	"$module" "$t/db" "$sock" >"$t/pam.d/apkt-dv-web"
printf 'auth [success=done ignore=ignore default=die] %s db=%s socket=%s nodelay nokeys_ignore\nauth required pam_permit.so\naccount required pam_permit.so\n' \
	"$module" "$t/db" "$sock" >"$t/pam.d/apkt-dv-nokeys"
printf 'auth required %s db=%s nodelay\naccount required pam_permit.so\n' \
	"$module" "$t/db" >"$t/pam.d/apkt-dv-local"
svc=apkt-dv-web
# login USER KEY: pamtester through service $svc as the web account (its
# group the verify group: apikeyd answers it) or, for apkt-dv-local, as the
# database's owner; the module's log (pam_wrapper) in $t/login.out; 0 when
# accepted
login() {
	if [ "$svc" = apkt-dv-local ]; then who=$HOSTUSER gid=$(id -g $HOSTUSER); else who=$WEBUSER gid=$VGID; fi
	printf '%s\n' "$2" | setpriv --reuid=$who --regid="$gid" --clear-groups env \
		LD_PRELOAD="$sanpre$wrapper" ${sanpre:+ASAN_OPTIONS=detect_leaks=0} PAM_WRAPPER=1 \
		PAM_WRAPPER_SERVICE_DIR="$t/pam.d" PAM_WRAPPER_DEBUGLEVEL=2 timeout 20 \
		pamtester "$svc" "$1" authenticate >"$t/login.out" 2>&1
}
# one_line PATTERN [FILE]: the login (the module's log through pam_wrapper,
# $t/login.out) logged one attempt line (accepted or refused key), and it
# matches PATTERN (grep -E)
one_line() {
	[ "$(grep -Ec 'SYSLOG\([0-9]\): (accepted|refused) key' "${2:-$t/login.out}")" -eq 1 ] &&
		grep -Eq "SYSLOG\([0-9]\): $1" "${2:-$t/login.out}"
}
ms() { date +%s%3N; }
# until_login WANT USER KEY TENTHS: until the outcome is WANT (0 accepted, 1
# refused), every 0.1 s at most TENTHS times; the time in $took (ms) from
# $since when set
until_login() {
	t0=${since:-$(ms)}
	i=0
	while :; do
		login "$2" "$3"
		r=$?
		took=$(($(ms) - t0))
		if { [ "$1" -eq 0 ] && [ $r -eq 0 ]; } || { [ "$1" -eq 1 ] && [ $r -ne 0 ]; }; then
			return 0
		fi
		[ $i -lt "$4" ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
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
wait_log() { # PATTERN [TENTHS]: until apikeyd's log has it (default 10 s)
	i=0
	while ! grep -q "$1" "$t/daemon.log" && [ $i -lt "${2:-100}" ]; do sleep 0.1; i=$((i + 1)); done
	grep -q "$1" "$t/daemon.log"
}

# ---- the keys: two of alice's and one of bob's in the directory, and a
# local key of alice's in the database -----------------------------------
dkey=$(as alice generate -q -n web 2>"$t/err")
dkey2=$(as alice generate -q -n web2 2>>"$t/err")
bkey=$(as bob generate -q -n bobs 2>>"$t/err")
check "alice and bob generate directory keys with apikeyctl --fleet" \
	sh -c 'for k; do printf "%s" "$k" | grep -Eq "^apk_[A-Za-z0-9_-]{64}$" || exit 1; done' - \
	"$dkey" "$dkey2" "$bkey"
lkey=$(APIKEY_DB=$t/db "$ctl" --user alice generate -q -n here 2>>"$t/err")
chown -R $HOSTUSER: "$t/db"
check "alice has a local key in host A's database" \
	sh -c 'printf "%s" "$1" | grep -Eq "^apk_[A-Za-z0-9_-]{64}$"' - "$lkey"
[ -s "$t/err" ] && sed 's/^/# /' "$t/err"

# ---- apikeyd: mirrors the directory and answers on its socket ------------
: >"$t/daemon.log"
setpriv --reuid=$HOSTUSER --regid=$HOSTUSER --clear-groups "$apkd" --foreground \
	--config "$t/host-a.conf" --db "$t/db" --socket "$sock" >"$t/daemon.log" 2>&1 &
daemon=$!
pids="$pids $daemon"
check "apikeyd mirrors alice's and bob's keys (3 keys, 2 accounts)" \
	wait_log "refresh done: 3 keys for 2 accounts" 150
# as apikeyd started by root makes it (pam-apikey:VERIFY_GROUP, 0660)
i=0
while [ ! -S "$sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
chgrp "$VG" "$sock"
check "the web account cannot enter the database directory (the module must ask apikeyd)" \
	sh -c '! setpriv --reuid="$1" --regid="$2" --clear-groups test -x "$3"' - $WEBUSER "$VGID" "$t/db"

login alice "$dkey"
rc=$?
check "a directory key logs in through apikeyd, asked by the web account" test $rc -eq 0
[ $rc -eq 0 ] || sed 's/^/# /' "$t/login.out" "$t/daemon.log"
check "... one log line: accepted, with the key's name and id" \
	one_line "accepted key web \(id $(id_of "$dkey")\) for user alice service apkt-dv-web"
# (apikeyctl, as root, reads a copy of the database: the live one is the host's)
cp -a "$t/db" "$t/dbcopy" && chown -R root: "$t/dbcopy"
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
svc=apkt-dv-local
login alice "$dkey2"
svc=apkt-dv-web
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
pids=
done_testing
