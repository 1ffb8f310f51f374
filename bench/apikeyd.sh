#!/bin/sh
# bench/apikeyd.sh - what a login through apikeyd costs (make bench,
# make bench-smoke; doc/PERFORMANCE.md, "Callers that are not root")
#
#   bench/apikeyd.sh BUILD-DIR [--smoke]
#
# One scratch database with one key; apikeyd on it, run by the same account
# as the PAM caller (root runs both as nobody, with copies of the programs
# in the scratch directory: root's own logins never ask the daemon, and a
# daemon started by root would need the installed helper account).
# bench-login then times, in the same shuffled rounds, whole PAM logins
# (pam_start + pam_authenticate + pam_end, the module loaded once) of the
# right key and of a wrong one, in-process (db=) and through the daemon
# (socket=), and prints the ratio of the medians (goal: at most 2x); as
# root also another account's key and an account without keys, the equal
# work of the three failures in-process and through the daemon.
# Then 64 bench-login processes log in through the daemon at once, each
# ROUNDS times, and the refusals among them are counted (goal: none).
# Exit 0 when every login returned what it should (or, said why, when an
# account outside apikeyd's range runs it: nothing measured); 1 otherwise;
# 2 when something it needs is missing.
set -u
B=${1:?usage: bench/apikeyd.sh BUILD-DIR [--smoke]}
B=$(cd "$B" && pwd)
ROUNDS=2000 WARMUP=50 CROUNDS=200
[ "${2:-}" = --smoke ] && ROUNDS=40 WARMUP=5 CROUNDS=10
LOGIN=$B/bench/bench-login
MODULE=$B/pam_apikey.so
for f in "$LOGIN" "$MODULE" "$B/apikeyd" "$B/apikeyctl"; do
	[ -x "$f" ] || [ -f "$f" ] || { echo "bench-apikeyd: $f is not built" >&2; exit 2; }
done

W=$(mktemp -d /tmp/apk-bench-apikeyd.XXXXXX) || exit 2
PID=""
# (the daemon's pid is setpriv's, which execs it)
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE # (a reader gone, | head: the daemon still stops)
chmod 0755 "$W"
mkdir -m 0700 "$W/db" && mkdir -m 0755 "$W/pam.d" || exit 2
CONF=$W/apikeyd.conf # root's; for anyone else, none: the defaults
if [ "$(id -u)" -eq 0 ]; then
	# nobody asks, for `daemon` (uid 1), let in by this bench's configuration
	USER_=daemon
	echo "verify_uid_min = 1" >"$CONF" && chmod 0644 "$CONF"
	cp "$MODULE" "$LOGIN" "$B/apikeyd" "$W/" && chmod 0755 "$W/pam_apikey.so" "$W/bench-login" "$W/apikeyd" || exit 2
	MODULE=$W/pam_apikey.so LOGIN=$W/bench-login DAEMON=$W/apikeyd
	set -- setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups
else
	USER_=$(id -un)
	DAEMON=$B/apikeyd
	CONF=$W/none.conf
	uid=$(id -u)
	if [ "$uid" -lt 1000 ] || [ "$uid" -gt 60000 ]; then
		echo "apikeyd: not measured: uid $uid is outside apikeyd's default range" \
			"1000-60000 (run as root or as a person's account)"
		exit 0
	fi
	set --
fi
KEY=$(APIKEY_DB=$W/db "$B/apikeyctl" --user "$USER_" generate -q --name bench) ||
	{ echo "bench-apikeyd: cannot make a key" >&2; exit 1; }
# well-formed, the key's id, another secret: the work of a wrong secret
WRONG=$(python3 "$(dirname "$0")/../tests/e2e/lib/keytool.py" forge "$KEY") ||
	{ echo "bench-apikeyd: cannot forge a wrong key" >&2; exit 1; }
# As root, the two other failures the module decides alone, for its equal
# work through the daemon: another account's key (an id this one lacks) and
# an account without keys (sys, uid 3).
CLASSES=""
if [ "$#" -gt 0 ]; then
	OTHER=$(APIKEY_DB=$W/db "$B/apikeyctl" --user bin generate -q --name other) ||
		{ echo "bench-apikeyd: cannot make a second key" >&2; exit 1; }
	CLASSES="noid nokeys"
fi
mkdir -m 0755 "$W/run" || exit 2
[ "$#" -gt 0 ] && chown -R nobody: "$W/db" "$W/run"

SOCK=$W/run/verify.sock
"$@" "$DAEMON" --foreground --config "$CONF" --db "$W/db" --socket "$SOCK" \
	>"$W/apikeyd.log" 2>&1 &
PID=$!
i=0
while ! "$@" "$DAEMON" --status --socket "$SOCK" >/dev/null 2>&1; do
	i=$((i + 1))
	[ "$i" -lt 50 ] || { cat "$W/apikeyd.log" >&2; echo "bench-apikeyd: apikeyd did not start" >&2; exit 1; }
	sleep 0.1
done
printf 'auth required %s nodelay db=%s\n' "$MODULE" "$W/db" >"$W/pam.d/inproc"
printf 'auth required %s nodelay db=%s socket=%s\n' "$MODULE" "$W/db" "$SOCK" >"$W/pam.d/daemon"
chmod 0644 "$W"/pam.d/*

# the plan on stdin: keys stay off the command line
printf '%s\n' "inproc_right inproc $USER_ 0 $KEY" "daemon_right daemon $USER_ 0 $KEY" \
	"inproc_wrong inproc $USER_ 7 $WRONG" "daemon_wrong daemon $USER_ 7 $WRONG" >"$W/plan"
if [ -n "$CLASSES" ]; then
	printf '%s\n' "inproc_noid inproc $USER_ 7 $OTHER" "daemon_noid daemon $USER_ 7 $OTHER" \
		"inproc_nokeys inproc sys 7 $WRONG" "daemon_nokeys daemon sys 7 $WRONG" >>"$W/plan"
fi
chmod 0600 "$W/plan"
"$@" "$LOGIN" -p "$MODULE" "$W/pam.d" "$ROUNDS" "$WARMUP" <"$W/plan" >"$W/same-rounds" ||
	{ cat "$W/same-rounds"; echo "bench-apikeyd: a login returned what it should not" >&2; exit 1; }
med() { awk -v l="$1" '$1 == l { print $3 }' "$W/same-rounds"; }
echo "apikeyd: a login through the daemon against one in-process, the same $ROUNDS rounds"
echo "  (medians; whole PAM logins, module loaded once; p90 in brackets)"
for c in right wrong; do
	ip=$(med "inproc_$c") dm=$(med "daemon_$c")
	printf '  %-10s in-process %8.1f us (%s)  through apikeyd %8.1f us (%s)  ratio %.2fx (goal <= 2x)\n' \
		"$c key" "$ip" "$(awk -v l="inproc_$c" '$1 == l { print $4 }' "$W/same-rounds")" \
		"$dm" "$(awk -v l="daemon_$c" '$1 == l { print $4 }' "$W/same-rounds")" \
		"$(awk -v a="$dm" -v b="$ip" 'BEGIN { print a / b }')"
done

if [ -n "$CLASSES" ]; then
	echo "apikeyd: equal work, the three failures the module decides alone (medians, same rounds)"
	for where in inproc daemon; do
		a=$(med "${where}_wrong") b=$(med "${where}_noid") c=$(med "${where}_nokeys")
		printf '  %-10s wrong secret %7.1f us  unknown id %7.1f us  no keys %7.1f us  spread %.1f us\n' \
			"$where" "$a" "$b" "$c" "$(printf '%s\n' "$a" "$b" "$c" | sort -n |
				awk 'NR == 1 { lo = $1 } { hi = $1 } END { print hi - lo }')"
	done
else
	echo "apikeyd: equal work across the failures: measured as root only (another account's key)"
fi

# 64 callers at once, as a web server's worker pool
printf '%s\n' "daemon_right daemon $USER_ 0 $KEY" >"$W/plan1"
chmod 0600 "$W/plan1"
n=0 pids=""
while [ "$n" -lt 64 ]; do
	"$@" "$LOGIN" -p "$MODULE" "$W/pam.d" "$CROUNDS" 0 <"$W/plan1" >"$W/c.$n" 2>&1 &
	pids="$pids $!"
	n=$((n + 1))
done
wait_all=0
for j in $pids; do
	wait "$j" || wait_all=1
done
total=$(cat "$W"/c.* | awk '$1 == "daemon_right" { s += $2 } END { print s + 0 }')
refused=$(cat "$W"/c.* | awk '$1 == "daemon_right" { s += $7 } END { print s + 0 }')
p90=$(cat "$W"/c.* | awk '$1 == "daemon_right" && $4 > m { m = $4 } END { print m + 0 }')
echo "apikeyd: 64 concurrent callers, $CROUNDS logins each: $total logins, $refused refused" \
	"(goal 0); worst caller's p90 ${p90} us"
"$@" "$DAEMON" --status --socket "$SOCK" | grep -E '^(answered|accepted|refused_keys|timed_out) '

. "$(dirname "$0")/web.sh"
[ "$total" -eq $((64 * CROUNDS)) ] && [ "$refused" -eq 0 ] && [ "$wait_all" -eq 0 ] &&
	[ "$WEB_OK" -eq 1 ]
