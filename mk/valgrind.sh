#!/bin/sh
# mk/valgrind.sh - the unit and PAM test programs under Valgrind's memcheck (TAP)
#
#   VALGRIND='valgrind --error-exitcode=1 ...' mk/valgrind.sh   (make check-valgrind)
#
# Each program's own TAP lines are renumbered into one stream ("PROG: what"),
# then one line per program says whether memcheck found an error or a
# definite/indirect leak (its report follows as comments). Ends with
# "N passed, N failed" like tests/run.sh.
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
build=${APK_BUILD:-$top/build}
vg=${VALGRIND:-valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect}
export CMOCKA_MESSAGE_OUTPUT=TAP APK_TOP="$top" APK_BUILD="$build"
tmp=$(mktemp -d /tmp/apk-valgrind.XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT
n=0 passed=0 failed=0

line() { # ok|not ok, text
	n=$((n + 1))
	echo "$1 $n - $2"
	if [ "$1" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

cd "$top" || exit 2
for prog in "$build"/tests/unit_* "$build"/tests/pam_*; do
	[ -x "$prog" ] || continue
	name=$(basename "$prog")
	rm -f "$tmp"/vg.*
	# shellcheck disable=SC2086 # $vg is a command line
	$vg --log-file="$tmp/vg.%p" "$prog" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	inner=0 inner_failed=0
	while IFS= read -r l; do
		case $l in
		"not ok "[0-9]*)
			inner=$((inner + 1)) inner_failed=$((inner_failed + 1))
			line "not ok" "$name: $(echo "$l" | sed 's/^not ok [0-9]* *-* *//')" ;;
		"ok "[0-9]*)
			inner=$((inner + 1))
			line ok "$name: $(echo "$l" | sed 's/^ok [0-9]* *-* *//')" ;;
		"#"*) echo "$l" ;;
		esac
	done <"$tmp/out"
	errors=$(cat "$tmp"/vg.* 2>/dev/null | sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' |
		awk '{ s += $1 } END { print s + 0 }')
	leaks=$(cat "$tmp"/vg.* 2>/dev/null | grep -Ec '(definitely|indirectly) lost: [1-9]')
	if [ "$errors" -eq 0 ] && [ "$leaks" -eq 0 ] && [ "$inner" -gt 0 ] &&
	   { [ "$rc" -eq 0 ] || [ "$inner_failed" -gt 0 ]; }; then
		line ok "memcheck: $name ($inner tests, no error, no leak)"
	else
		line "not ok" "memcheck: $name (exit $rc, $errors errors, $leaks leak summaries, $inner tests)"
		cat "$tmp"/vg.* 2>/dev/null | grep -v '^==[0-9]*== *$' | head -n 80 | sed 's/^/# /'
		sed 's/^/# stderr: /' "$tmp/err" | head -n 20
	fi
done
[ "$n" -gt 0 ] || line "not ok" "no test program under $build/tests (make tests)"
echo "1..$n"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
