# shellcheck shell=sh
# tests/ldap/lib/wait.sh - the one way the directory tests wait for a
# server they started, or for anything else (sourced, not run).
#
#   wait_until TENTHS PID CMD...
#                       runs CMD every 0.1 s until it succeeds, at most
#                       TENTHS times, giving up at once when process PID has
#                       ended (PID "-": no process to watch); returns CMD's
#                       last status (run once more at the end)
#   stop_pid PID TENTHS SIGTERM to PID, SIGKILL when it still runs after
#                       TENTHS tenths of a second, then reaped
#
# Its variables begin with wt_: a sourcing script's own are left alone.

wait_until() {
	wt_n=$1 wt_pid=$2
	shift 2
	wt_i=0
	while [ "$wt_i" -lt "$wt_n" ] && { [ "$wt_pid" = - ] || kill -0 "$wt_pid" 2>/dev/null; } && ! "$@"; do
		sleep 0.1
		wt_i=$((wt_i + 1))
	done
	"$@"
}

stop_pid() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	wait_until "$2" "$1" false
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}
