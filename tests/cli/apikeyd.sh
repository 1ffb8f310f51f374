#!/bin/sh
# tests/cli/apikeyd.sh - apikeyd's command line, start-up checks and --once,
# on a scratch database, as an account that is not root (the build runs as
# the caller; root runs it as nobody, so that it serves as that account
# instead of becoming the helper account, which the end-to-end test covers):
# --help, --version, every usage error (status 2, one line), --status with
# no daemon (3), a bad configuration, a missing database, a path that is no
# socket, a second daemon on a served socket (1, one line each, nothing left
# behind), --once serving one connection and exiting 0, SIGTERM removing the
# socket.
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/cli.sh"
cli_start apikeyd
apkd=$B/apikeyd
[ -x "$apkd" ] || { not_ok "$apkd is built"; done_testing; exit 1; }
chmod 0755 "$work"
mkdir -m 0700 "$work/db" "$work/run"
if [ "$uid" -eq 0 ]; then
	cp "$apkd" "$work/apikeyd" && chmod 0755 "$work/apikeyd" && apkd=$work/apikeyd
	chown nobody: "$work/db" "$work/run"
	as() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }
else
	as() { "$@"; }
fi
# bg CMD...: as, in the background, $! the program itself (exec in the subshell)
bg() { (if [ "$uid" -eq 0 ]; then exec setpriv --reuid=nobody --regid="$(id -g nobody)" \
	--clear-groups "$@"; else exec "$@"; fi) & }
sock=$work/run/v.sock
none=$work/none.conf

# one_line STATUS DESC CMD...: CMD exits STATUS with one line on stderr
one_line() {
	want=$1 desc=$2
	shift 2
	as "$@" >"$work/out" 2>"$work/err" </dev/null
	rc=$?
	lines=$(wc -l <"$work/err")
	if [ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ]; then
		ok "$desc"
	else
		not_ok "$desc"
		echo "# status $rc (want $want), $lines line(s) on stderr:"
		sed 's/^/#   /' "$work/err"
	fi
}

as "$apkd" --help >"$work/out" 2>&1
check "--help: status 0, usage and the exit statuses" \
	grep -q "^Usage: apikeyd .*--once" "$work/out"
check "--help names the man page" grep -q "apikeyd(8)" "$work/out"
as "$apkd" --version >"$work/out" 2>&1
check "--version" grep -qx "apikeyd [0-9.]*" "$work/out"
for bad in "--bogus" "--db" "--db relative/dir" "--db /a --db /b" "--socket x.sock" "extra" \
	"--status --once" "--status --foreground"; do
	# shellcheck disable=SC2086 # the words are the arguments
	as "$apkd" $bad >"$work/out" 2>"$work/err"
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q "^apikeyd: " "$work/err" && [ ! -s "$work/out" ]; then
		ok "usage error '$bad': status 2"
	else
		not_ok "usage error '$bad': status 2 (got $rc)"
		sed 's/^/#   /' "$work/err"
	fi
done
one_line 3 "--status with no daemon: status 3" "$apkd" --status --socket "$sock"
printf 'verify_uid_min = 0\n' >"$work/bad.conf"
chmod 0644 "$work/bad.conf"
one_line 1 "a bad configuration stops the start" \
	"$apkd" --foreground --config "$work/bad.conf" --db "$work/db" --socket "$sock"
# (a file only root may have written is read: the caller's own is unsafe)
if [ "$uid" -eq 0 ]; then
	check "... naming the setting" grep -q "line 1: verify_uid_min must be" "$work/err"
else
	check "... naming why" grep -q "bad.conf: not owned by root" "$work/err"
fi
one_line 1 "a missing database stops the start" \
	"$apkd" --foreground --config "$none" --db "$work/nodb" --socket "$sock"
check "... and leaves no socket behind" [ ! -e "$sock" ]
: >"$work/run/file"
[ "$uid" -eq 0 ] && chown nobody "$work/run/file"
one_line 1 "a path that is not a socket is never replaced" \
	"$apkd" --foreground --config "$none" --db "$work/db" --socket "$work/run/file"
check "... the file is still there" [ -f "$work/run/file" ]

bg "$apkd" --foreground --once --config "$none" --db "$work/db" --socket "$sock" \
	>"$work/once.log" 2>&1
pid=$!
i=0
while [ ! -S "$sock" ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
one_line 1 "a second daemon on a served socket is refused" \
	"$apkd" --foreground --config "$none" --db "$work/db" --socket "$sock"
# that refusal's probe was a connection without a request: --once serves
# the next whole one
as "$apkd" --status --socket "$sock" >"$work/out" 2>&1
check "--status answers: the database and socket" \
	grep -qx "database $work/db" "$work/out"
check "... and the counts" grep -qx "status_requests 1" "$work/out"
i=0
while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$pid" 2>/dev/null; then
	not_ok "--once exits after one request"
	kill "$pid"
else
	wait "$pid"
	check "--once exits 0 after one request" [ $? -eq 0 ]
fi
check "... and removes its socket" [ ! -e "$sock" ]

bg "$apkd" --foreground --config "$none" --db "$work/db" --socket "$sock" >"$work/d.log" 2>&1
pid=$!
i=0
while ! as "$apkd" --status --socket "$sock" >/dev/null 2>&1 && [ "$i" -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -TERM "$pid"
wait "$pid"
check "SIGTERM: exit 0" [ $? -eq 0 ]
check "... the socket removed" [ ! -e "$sock" ]
check "... the counts logged as it stops" grep -q "stopped: " "$work/d.log"
done_testing
