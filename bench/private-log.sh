#!/bin/sh
# bench/private-log.sh - runs a command (e.g. `make bench`) with a /dev/log of
# its own, in a private mount namespace, drained by a listener that keeps
# nothing: every login logs its line as in production, to a listener that
# costs what a syslog daemon's receive costs, and no test suite capturing
# the system's /dev/log sees tens of thousands of lines. Needs root (unshare).
#
#   sh bench/private-log.sh make bench
set -eu
[ $# -gt 0 ] || { echo "usage: sh bench/private-log.sh COMMAND..." >&2; exit 2; }
tmp=$(mktemp -d /tmp/apk-bench-log.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/dev"
rc=0
unshare -m --propagation private sh -c '
	set -eu
	tmp=$1; shift
	dev=$tmp/dev
	mount -t tmpfs -o mode=0755 tmpfs "$dev"
	for n in null zero full random urandom tty; do
		[ -e "/dev/$n" ] || continue
		touch "$dev/$n"
		mount --bind "/dev/$n" "$dev/$n"
	done
	ln -s /proc/self/fd "$dev/fd"
	mount --rbind "$dev" /dev
	python3 -c "
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(\"/dev/log\")
os.chmod(\"/dev/log\", 0o666)
sys.stdout.write(\"ready\\n\"); sys.stdout.flush()
while True:
    s.recv(65536)
" >"$tmp/ready" &
	drain=$!
	while ! grep -q ready "$tmp/ready" 2>/dev/null; do sleep 0.1; done
	rc=0
	"$@" || rc=$?
	kill "$drain"
	exit $rc
' private-log "$tmp" "$@" || rc=$?
exit $rc
