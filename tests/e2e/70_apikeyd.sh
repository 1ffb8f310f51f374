#!/bin/sh
# tests/e2e/70_apikeyd.sh - API keys for PAM callers that are not root, through
# the installed apikeyd and pam_apikey.so (issue 17; doc/SECURITY.md,
# "Callers that are not root").
#
# Two daemons run in the foreground as root (each becomes the helper account
# at once), each on a scratch database: A on the socket its --db derives (in
# the runtime directory it makes), B on an explicit --socket in a directory
# anyone may enter. A throwaway account WEB in the verify group runs pamtester
# (a PAM service file of this script's) and logs in with keys; OUT, not in the
# group, is refused by the daemon itself (B's socket made reachable on
# purpose, so that only the daemon's SO_PEERCRED check stands in the way).
# Then the failures: daemon stopped, hung, killed mid-request; garbage frames,
# a flood of 10,000 bad requests, a 1 MB key field - each a clear refusal, the
# daemon still answering, the database unchanged. SIGHUP: a new verify_uid
# range in force at once (the socket kept), a malformed or unsafe file refused
# with one line and the old range kept.
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
e2e_begin pamtester usermod
e2e_install
e2e_syslog_start
[ -x "$APIKEYD" ] || bail "$APIKEYD is not installed"
getent group "$VERIFY_GROUP" >/dev/null || bail "no group $VERIFY_GROUP after make install"
CTL=$APK_BUILD/apikeyctl # a build run by root: it takes APIKEY_DB
[ -x "$CTL" ] || bail "$CTL is not built"

e2e_add_user ALICE alice
e2e_add_user BOB bob
e2e_add_user WEB web
e2e_add_user OUT out
usermod -a -G "$VERIFY_GROUP" "$WEB" || bail "usermod -G $VERIFY_GROUP $WEB"

# A scratch tree the helper account can reach: databases (the account's,
# mode 0700), B's socket directory (anyone may enter), the raw client.
D=$(mktemp -d /tmp/apkt-apikeyd.XXXXXX) || bail "mktemp"
# (the daemons stop first: they are in E2E_PIDS)
trap 'e2e_cleanup; rm -rf "$D"' EXIT
chmod 0755 "$D"
mkdir -m 0700 "$D/db" "$D/db2" && mkdir -m 0755 "$D/pub" || bail "mkdir"
chown "$HELPER_USER:" "$D/pub"
cp "$E2E_LIB/verify_raw.py" "$D/verify_raw.py" && chmod 0644 "$D/verify_raw.py"
RAW="$E2E_PY $D/verify_raw.py"
CONF=$D/pam_apikey.conf
: >"$CONF" && chmod 0644 "$CONF" # the defaults: uids 1000-60000

# sgen VAR DB USER ARG...: a key made in a scratch database (as root, then
# handed to the helper account as the installed tools leave it).
sgen() {
	var=$1 db=$2 u=$3
	shift 3
	tok=$(APIKEY_DB=$db "$CTL" --user "$u" generate -q "$@" 2>"$E2E_TMP/err") ||
		{ diag_file "$E2E_TMP/err"; bail "generate $* for $u"; }
	chown -R "$HELPER_USER:" "$db"
	e2e_secret "$tok"
	eval "$var=\$tok"
}
sgen K_OK "$D/db" "$ALICE" --name web
sgen K_SSHD "$D/db" "$ALICE" --name sshonly --service sshd
sgen K_NET "$D/db" "$ALICE" --name lan --from 198.51.100.0/24
sgen K_EXP "$D/db" "$ALICE" --name brief --expires 1s
sgen K_DEL "$D/db" "$ALICE" --name gone
sgen K_BOB "$D/db" "$BOB" --name bobs
sgen K_ROOT "$D/db" root --name rootkey
sgen K_LOW "$D/db" daemon --name lowuid
sgen K_HIGH "$D/db" nobody --name highuid
sgen K_B "$D/db2" "$ALICE" --name onB
APIKEY_DB=$D/db "$CTL" --user "$ALICE" delete --yes gone >/dev/null 2>&1 || bail "delete gone"
chown -R "$HELPER_USER:" "$D/db"
ID_OK=$(key_id "$K_OK")

# start_daemon NAME ARG...: apikeyd --foreground ARG... as root; its pid in
# PID_NAME, its stderr in $D/NAME.log; waits for its socket ($2 after --socket,
# else the one --status finds).
start_daemon() {
	n=$1
	shift
	"$APIKEYD" --foreground --config "$CONF" "$@" >"$D/$n.log" 2>&1 9>&- &
	eval "PID_$n=\$!"
	E2E_PIDS="$E2E_PIDS $!"
	i=0
	while ! "$APIKEYD" --status "$@" >/dev/null 2>&1 && [ "$i" -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	"$APIKEYD" --status "$@" >/dev/null 2>&1
}
start_daemon A --db "$D/db" || { diag_file "$D/A.log"; bail "apikeyd A did not start"; }
SOCK_A=$("$APIKEYD" --status --db "$D/db" | sed -n 's/^socket //p')
SOCK_B=$D/pub/verify.sock
start_daemon B --db "$D/db2" --socket "$SOCK_B" || { diag_file "$D/B.log"; bail "apikeyd B did not start"; }

# ---- what started -----------------------------------------------------------
tap_is "A's socket follows from its --db, in $RUNDIR" \
	"$(dirname "$SOCK_A") $(basename "$SOCK_A" | sed 's/verify-[0-9a-f]\{16\}\.sock/HASH/')" \
	"$RUNDIR HASH"
tap_is "$RUNDIR is $HELPER_USER:$VERIFY_GROUP, mode 750" \
	"$(stat -c '%U:%G %a' "$RUNDIR")" "$HELPER_USER:$VERIFY_GROUP 750"
tap_is "the socket is $HELPER_USER:$VERIFY_GROUP, mode 660" \
	"$(stat -c '%U:%G %a' "$SOCK_A")" "$HELPER_USER:$VERIFY_GROUP 660"
ids=$(awk '/^Uid:|^Gid:/ { printf "%s %s %s %s ", $2, $3, $4, $5 } /^Groups:/ { printf "[%s]", $2 }' \
	"/proc/$PID_A/status")
h=$(id -u "$HELPER_USER") g=$(id -g "$HELPER_USER")
tap_is "apikeyd started by root runs as $HELPER_USER alone (uids, gids, no groups)" \
	"$ids" "$h $h $h $h $g $g $g $g []"
tap_is "apikeyd cannot dump core" "$(awk '/^Max core/ { print $5 }' "/proc/$PID_A/limits")" 0
run_cmd "$APIKEYD" --foreground --config "$CONF" --db "$D/db"
tap_is "a second daemon on a socket that is served is refused" \
	"$RC $(grep -c 'another apikeyd already serves' "$E2E_TMP/err")" "1 1"

# ---- logins through the daemon -----------------------------------------------
S_SOCK=apkt-web-$$
S_AUTO=apkt-auto-$$
S_B=apkt-b-$$
e2e_pam_service "$S_SOCK" <<EOF
auth    required pam_apikey.so nodelay socket=$SOCK_A
account required pam_permit.so
EOF
# no option: not root and no way into db= sends the module to its daemon
e2e_pam_service "$S_AUTO" <<EOF
auth    required pam_apikey.so nodelay db=$D/db
account required pam_permit.so
EOF
e2e_pam_service "$S_B" <<EOF
auth    required pam_apikey.so nodelay socket=$SOCK_B
account required pam_permit.so
EOF

# web AS SERVICE USER VALUE [RHOST]: pamtester as account AS (with its
# groups); status in RC, its messages in $E2E_TMP/err; seconds in SECS.
web() {
	t0=$(date +%s.%N)
	printf '%s\n' "$4" | timeout 30 setpriv --reuid="$1" --regid="$(id -g "$1")" --init-groups \
		pamtester -I rhost="${5:-192.0.2.7}" "$2" "$3" authenticate \
		>"$E2E_TMP/out" 2>"$E2E_TMP/err"
	RC=$?
	SECS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
}
PAM_FAIL="Authentication failure"
PAM_UNAVAIL="Authentication service cannot retrieve authentication info"
# expect DESC WANT(ok|fail|unavail) AS SERVICE USER VALUE [RHOST]
expect() {
	d=$1 want=$2
	shift 2
	web "$@"
	case $want in
	ok) [ "$RC" -eq 0 ] ;;
	fail) [ "$RC" -ne 0 ] && grep -q "$PAM_FAIL" "$E2E_TMP/err" ;;
	unavail) [ "$RC" -ne 0 ] && grep -q "$PAM_UNAVAIL" "$E2E_TMP/err" ;;
	esac
	ok=$?
	tap_check "$d" "$ok"
	[ "$ok" -eq 0 ] || { diag "pamtester status $RC, want $want"; diag_file "$E2E_TMP/err"; }
}
# seconds_between SECS LOW HIGH: 0 when LOW <= SECS < HIGH
seconds_between() {
	awk -v s="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(s >= lo && s < hi) }'
}
# db_sums DIR: every file of DIR with its checksum
db_sums() {
	for f in "$1"/*; do printf '%s %s\n' "$f" "$(sha256sum <"$f")"; done
}

log_mark
expect "$WEB (in $VERIFY_GROUP) logs $ALICE in with her key" ok "$WEB" "$S_SOCK" "$ALICE" "$K_OK"
log_window "$E2E_TMP/window"
tap_one_line "one log line: the key's name and id, user, service, rhost" "$E2E_TMP/window" \
	"pam_apikey\\($S_SOCK:auth\\): accepted key web \\(id $ID_OK\\) for user $ALICE service $S_SOCK rhost 192\\.0\\.2\\.7\$"
expect "with no module option, the module finds A through db=" ok "$WEB" "$S_AUTO" "$ALICE" "$K_OK"
last=$(APIKEY_DB=$D/db "$CTL" --user "$ALICE" list --json | "$E2E_PY" -c '
import json, sys
for k in json.load(sys.stdin):
    if k["name"] == "web":
        u = k.get("last_used") or {}
        print(u.get("service"), u.get("rhost"))')
tap_is "the daemon recorded the last use (service, rhost)" "$last" "$S_AUTO 192.0.2.7"

db_before=$(db_sums "$D/db")
log_mark
expect "a wrong key is refused" fail "$WEB" "$S_SOCK" "$ALICE" \
	"$("$E2E_PY" "$E2E_LIB/keytool.py" forge "$K_OK")"
expect "another user's key is refused" fail "$WEB" "$S_SOCK" "$ALICE" "$K_BOB"
expect "a deleted key is refused" fail "$WEB" "$S_SOCK" "$ALICE" "$K_DEL"
sleep 1
expect "an expired key is refused" fail "$WEB" "$S_SOCK" "$ALICE" "$K_EXP"
expect "a key limited to sshd is refused for this service" fail "$WEB" "$S_SOCK" "$ALICE" "$K_SSHD"
expect "a key limited to another network is refused" fail "$WEB" "$S_SOCK" "$ALICE" "$K_NET"
expect "B's key is refused by A (each daemon its own database)" fail "$WEB" "$S_SOCK" "$ALICE" "$K_B"
expect "root is refused, even with root's key" fail "$WEB" "$S_SOCK" root "$K_ROOT"
expect "a uid below verify_uid_min (daemon, 1) is refused" fail "$WEB" "$S_SOCK" daemon "$K_LOW"
expect "a uid above verify_uid_max (nobody) is refused" fail "$WEB" "$S_SOCK" nobody "$K_HIGH"
log_window "$E2E_TMP/window"
tap_one_line "the sshd-only key: its reason logged" "$E2E_TMP/window" \
	"refused key \\(id $(key_id "$K_SSHD")\\) for user $ALICE service $S_SOCK rhost 192\\.0\\.2\\.7: service not allowed for this key"
tap_one_line "the expired key: its reason logged" "$E2E_TMP/window" \
	"refused key \\(id $(key_id "$K_EXP")\\) .*: key expired"
tap_one_line "the key of another network: its reason logged" "$E2E_TMP/window" \
	"refused key \\(id $(key_id "$K_NET")\\) .* rhost 192\\.0\\.2\\.7: source address not allowed"
n=$(grep -c "pam_apikey($S_SOCK:auth): refused key" "$E2E_TMP/window")
tap_is "one refusal line for each of the 10 refused attempts" "$n" 10
log_sync
tail -n +"$((E2E_MARK + 1))" "$E2E_SYSLOG" |
	grep -q "refused key (id $(key_id "$K_ROOT")) for user root .*: verification service does not answer for this user"
tap_check "root's refusal says the daemon does not answer for that user" $?
db_after=$(db_sums "$D/db")
tap_is "the refused attempts changed nothing in the database" "$db_after" "$db_before"
expect "the network-limited key logs in from its network" ok "$WEB" "$S_SOCK" "$ALICE" "$K_NET" \
	198.51.100.4
expect "B's key logs in through B" ok "$WEB" "$S_B" "$ALICE" "$K_B"

# ---- a worker pool: 64 callers at once ---------------------------------------
# 64 pamtester processes as WEB, started together, each logging ALICE in
# through A: every one accepted (no refusal, no timeout), one line each.
status_of() { "$APIKEYD" --status --db "$D/db" | sed -n "s/^$1 //p"; }
to_before=$(status_of timed_out)
log_mark
n=0 pids=""
while [ "$n" -lt 64 ]; do
	(
		printf '%s\n' "$K_OK" | timeout 60 setpriv --reuid="$WEB" --regid="$(id -g "$WEB")" \
			--init-groups pamtester -I rhost=192.0.2.7 "$S_SOCK" "$ALICE" authenticate \
			>/dev/null 2>&1
		echo "$?" >"$D/pool.$n"
	) &
	pids="$pids $!"
	n=$((n + 1))
done
# shellcheck disable=SC2086 # the pids
wait $pids
tap_is "64 callers at once: all 64 accepted" "$(cat "$D"/pool.* | grep -cx 0)" 64
log_window "$E2E_TMP/window"
tap_is "... 64 accepted lines, no refusal line" \
	"$(count_re "$E2E_TMP/window" "pam_apikey\\($S_SOCK:auth\\): accepted key web ") $(count_re "$E2E_TMP/window" "pam_apikey\\($S_SOCK:auth\\): refused")" \
	"64 0"
tap_is "... and apikeyd timed none of them out" "$(status_of timed_out)" "$to_before"

# ---- callers the admin did not grant -----------------------------------------
expect "$OUT (not in the group) cannot reach A's socket: unavailable" unavail \
	"$OUT" "$S_SOCK" "$ALICE" "$K_OK"
chmod 0666 "$SOCK_B" # B's socket open to anyone: the daemon's own check remains
log_mark
expect "$OUT is refused by the daemon itself, even with a right key" unavail \
	"$OUT" "$S_B" "$ALICE" "$K_B"
log_sync
grep -q "apikeyd\\[$PID_B\\]: refused a caller not in the verify group: pid [0-9]* uid $(id -u "$OUT")" \
	"$E2E_SYSLOG"
tap_check "the daemon logs the refused caller with its uid" $?
tail -n +"$((E2E_MARK + 1))" "$E2E_SYSLOG" | grep -q "verification service refused this process"
tap_check "the module's line says the process was refused" $?
run_cmd setpriv --reuid="$OUT" --regid="$(id -g "$OUT")" --init-groups "$APIKEYD" --status \
	--socket "$SOCK_B"
tap_is "--status is refused to $OUT (status 1)" "$RC" 1
run_cmd setpriv --reuid="$WEB" --regid="$(id -g "$WEB")" --init-groups "$APIKEYD" --status \
	--db "$D/db"
tap_is "--status answers $WEB, counting the 3 users refused" \
	"$RC $(grep -c '^refused_users 3$' "$E2E_TMP/out")" "0 1"

# ---- hostile callers (as WEB, who may ask) -----------------------------------
asweb() { setpriv --reuid="$WEB" --regid="$(id -g "$WEB")" --init-groups "$@"; }
db_before=$(db_sums "$D/db")
run_cmd asweb $RAW garbage "$SOCK_A"
bad=$(grep -vc '^answered 1$\|^closed$' "$E2E_TMP/out")
tap_is "12 garbage frames: each refused as a bad request (or closed)" \
	"$(wc -l <"$E2E_TMP/out") $bad" "12 0"
[ "$bad" -eq 0 ] || diag_file "$E2E_TMP/out"
run_cmd asweb $RAW big "$SOCK_A"
tap_is "a 1 MB key field: a bad request" "$(cat "$E2E_TMP/out")" "answered 1"
big=$(head -c 1048576 /dev/zero | tr '\0' k)
expect "a 1 MB answer through the module: refused" fail "$WEB" "$S_SOCK" "$ALICE" "$big"
run_cmd asweb timeout 300 $RAW flood "$SOCK_A" 10000 "$ALICE"
tap_is "a flood of 10,000 bad requests: every one refused, none accepted" \
	"$(awk '{ print $4, $8, $2 + $6 }' "$E2E_TMP/out")" "0 0 10000"
[ "$RC" -eq 0 ] || diag_file "$E2E_TMP/err"
kill -0 "$PID_A"
tap_check "the daemon is still running" $?
db_after=$(db_sums "$D/db")
tap_is "nothing the hostile callers did changed the database" "$db_after" "$db_before"
expect "after all that, a right key still logs in" ok "$WEB" "$S_SOCK" "$ALICE" "$K_OK"
lines=$(grep -c "apikeyd\\[$PID_A\\]: refused a malformed request" "$E2E_SYSLOG")
if [ "$lines" -ge 1 ] && [ "$lines" -le 200 ]; then
	tap_ok "the daemon's log stays bounded under the flood ($lines lines for 5,000 bad frames)"
else
	tap_not_ok "the daemon's log stays bounded under the flood ($lines lines)"
fi

# ---- the daemon hung, killed mid-request, gone -------------------------------
kill -STOP "$PID_A"
log_mark
expect "daemon hung: unavailable" unavail "$WEB" "$S_SOCK" "$ALICE" "$K_OK"
seconds_between "$SECS" 2.5 5
tap_check "... within the module's 3 s bound (took ${SECS}s)" $?
log_window "$E2E_TMP/window"
tap_one_line "... one log line, naming the key" "$E2E_TMP/window" \
	"refused key \\(id $ID_OK\\) for user $ALICE .*: verification service .*: timed out"
# a request in flight when the daemon dies
log_mark
(
	web "$WEB" "$S_SOCK" "$ALICE" "$K_OK"
	echo "$RC" >"$D/inflight.rc"
) &
inflight=$!
sleep 1
kill -KILL "$PID_A"
wait "$inflight"
RC=$(cat "$D/inflight.rc")
if [ "$RC" -ne 0 ] && grep -q "$PAM_UNAVAIL" "$E2E_TMP/err"; then
	tap_ok "killed mid-request: unavailable"
else
	tap_not_ok "killed mid-request: unavailable"
	diag_file "$E2E_TMP/err"
fi
log_window "$E2E_TMP/window"
tap_is "... one log line from the module, naming the key" \
	"$(count_re "$E2E_TMP/window" "^10 [0-7] .*pam_apikey\\(") $(count_re "$E2E_TMP/window" "refused key \\(id $ID_OK\\) for user $ALICE .*: verification service ")" \
	"1 1"
wait "$PID_A" 2>/dev/null
log_mark
expect "daemon gone (its socket left behind): unavailable" unavail "$WEB" "$S_SOCK" "$ALICE" "$K_OK"
seconds_between "$SECS" 0 1
tap_check "... at once (${SECS}s)" $?
log_window "$E2E_TMP/window"
tap_is "... one log line from the module, naming the key and the service's failure" \
	"$(count_re "$E2E_TMP/window" "^10 [0-7] .*pam_apikey\\(") $(count_re "$E2E_TMP/window" "refused key \\(id $ID_OK\\) for user $ALICE .*: verification service ")" \
	"1 1"
start_daemon A --db "$D/db"
tap_check "a new daemon replaces the socket the killed one left" $?
expect "and logs in again" ok "$WEB" "$S_SOCK" "$ALICE" "$K_OK"

# ---- SIGHUP: the configuration read again, the socket kept -------------------
# hup: SIGHUP to A, then its one new "SIGHUP:" line (stderr copy of the log) in HUP_LINE
hup() {
	before=$(grep -c 'SIGHUP: ' "$D/A.log")
	kill -HUP "$PID_A"
	i=0
	while [ "$(grep -c 'SIGHUP: ' "$D/A.log")" -le "$before" ] && [ "$i" -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	HUP_LINE=$(grep 'SIGHUP: ' "$D/A.log" | tail -n +"$((before + 1))")
}
sock_inode=$(stat -c %i "$SOCK_A")
a_uid=$(id -u "$ALICE")
printf 'verify_uid_min = 1\nverify_uid_max = %s\n' "$((a_uid - 1))" >"$CONF"
hup
tap_is "SIGHUP: one line, the file reloaded and the range now in force" "$HUP_LINE" \
	"apikeyd[$PID_A]: SIGHUP: reloaded $CONF (users with uids 1-$((a_uid - 1)))"
kill -0 "$PID_A"
tap_check "... the daemon still runs (same pid)" $?
tap_is "... its socket is the same" "$(stat -c %i "$SOCK_A" 2>/dev/null)" "$sock_inode"
expect "verify_uid_max below $ALICE's uid: her key is now refused" fail "$WEB" "$S_SOCK" "$ALICE" "$K_OK"
expect "verify_uid_min 1: daemon's key (uid 1) is now accepted" ok "$WEB" "$S_SOCK" daemon "$K_LOW"
run_cmd "$APIKEYD" --status --db "$D/db"
tap_is "--status shows the reloaded range" \
	"$(grep '^verify_uid_m' "$E2E_TMP/out" | tr '\n' ' ')" \
	"verify_uid_min 1 verify_uid_max $((a_uid - 1)) "
printf 'verify_uid_min = 1\nverify_uid_max = many\n' >"$CONF"
hup
case $HUP_LINE in
"apikeyd[$PID_A]: SIGHUP: $CONF: line 2: "*"; the settings in force stay (users with uids 1-$((a_uid - 1)))")
	tap_ok "SIGHUP with a malformed file: one line saying why, the old settings kept" ;;
*)
	tap_not_ok "SIGHUP with a malformed file: one line saying why, the old settings kept"
	diag "got: $HUP_LINE" ;;
esac
expect "... $ALICE is still refused" fail "$WEB" "$S_SOCK" "$ALICE" "$K_OK"
expect "... daemon still accepted" ok "$WEB" "$S_SOCK" daemon "$K_LOW"
: >"$CONF" && chmod 0666 "$CONF"
hup
case $HUP_LINE in
*"SIGHUP: $CONF: writable by its group or others; the settings in force stay"*)
	tap_ok "SIGHUP with a file others may write: refused, the old settings kept" ;;
*)
	tap_not_ok "SIGHUP with a file others may write: refused, the old settings kept"
	diag "got: $HUP_LINE" ;;
esac
expect "... $ALICE is still refused" fail "$WEB" "$S_SOCK" "$ALICE" "$K_OK"
chmod 0644 "$CONF"
hup
tap_is "SIGHUP with the file fixed (empty): the defaults" "$HUP_LINE" \
	"apikeyd[$PID_A]: SIGHUP: reloaded $CONF (users with uids 1000-60000)"
expect "... $ALICE logs in again" ok "$WEB" "$S_SOCK" "$ALICE" "$K_OK"
expect "... daemon is refused again" fail "$WEB" "$S_SOCK" daemon "$K_LOW"

kill -TERM "$PID_A"
wait "$PID_A"
rc=$?
tap_is "SIGTERM: the daemon exits 0 and removes its socket" "$rc $(ls "$SOCK_A" 2>/dev/null)" "0 "

e2e_end
