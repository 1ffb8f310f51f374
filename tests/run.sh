#!/bin/sh
# tests/run.sh - runs every test and prints "N passed, N failed[, N skipped]".
#
# Every test speaks TAP on stdout: "ok N - what", "not ok N - what",
# "ok N # SKIP why". cmocka programs do so through CMOCKA_MESSAGE_OUTPUT=TAP.
# A program that exits non-zero without reporting a failure counts as one.
#
#   tests/run.sh            unit, PAM, CLI, directory (a private slapd, as
#                           any user), fuzz-corpus replay and stress tests
#   tests/run.sh --e2e      the same, then the end-to-end suite (needs root)
#   tests/run.sh --only-e2e the end-to-end suite alone
#   tests/run.sh --only-deb the Debian package's tests (tests/deb; needs root)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
B=${B:-build}
export CMOCKA_MESSAGE_OUTPUT=TAP
export APK_TOP="$top" APK_BUILD="$top/$B"
# The tests run apikeyctl (a build run by its own user) on scratch databases:
# the machine's own policy file must not change their outcome. A test of
# the policy points APIKEY_POLICY at its own file; the installed helper
# ignores the variable.
export APIKEY_POLICY="${APIKEY_POLICY:-/nonexistent/pam_apikey.conf}"

mode=${1:-}
passed=0 failed=0 skipped=0
log=$(mktemp) || exit 2
trap 'rm -f "$log"' EXIT

run_one() { # name command...
	name=$1; shift
	echo "# ---- $name"
	"$@" >"$log" 2>&1
	rc=$?
	cat "$log"
	p=$(grep -Ec '^ok [0-9]+' "$log")
	s=$(grep -Eic '^ok [0-9]+.*# *skip' "$log")
	f=$(grep -Ec '^not ok [0-9]+' "$log")
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc"
		f=1
	fi
	if [ $((p + f + s)) -eq 0 ]; then
		echo "not ok - $name reported no test"
		f=1
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

run_group() { # glob of programs or scripts
	for t in $1; do
		[ -e "$t" ] || continue
		case "$t" in
		*.sh) run_one "$t" sh "$t" ;;
		# a program whose source is gone (an old build directory) is not a test
		*) [ -x "$t" ] && [ -f "tests/$(basename "$t").c" ] && run_one "$t" "$t" ;;
		esac
	done
}

if [ "$mode" != "--only-e2e" ] && [ "$mode" != "--only-deb" ]; then
	run_group "$B/tests/unit_*"
	run_group "$B/tests/pam_*"
	run_group "tests/cli/*.sh"
	run_group "tests/ldap/*.sh"
	run_group "fuzz/replay.sh"
	run_group "$B/tests/stress_*"
fi
if [ "$mode" = "--e2e" ] || [ "$mode" = "--only-e2e" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "ok 1 # SKIP end-to-end suite: needs root"
		skipped=$((skipped + 1))
	else
		run_group "tests/e2e/*.sh"
	fi
fi
if [ "$mode" = "--only-deb" ]; then
	run_group "tests/deb/*.sh"
fi

if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
