#!/bin/sh
# fuzz/replay.sh - runs every fuzz target once over its committed corpus (TAP)
#
#   fuzz/replay.sh      uses $APK_BUILD/fuzz/fuzz_TARGET (make fuzz-build)
#
# fuzz/corpus/TARGET/* are the seeds; fuzz/crashes/TARGET/* are inputs that
# once broke a property and must not again. A target that is not built, a
# corpus that is empty, or any input that breaks a property fails.
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${APK_BUILD:-$top/build}/fuzz
work=$(mktemp -d /tmp/apk-replay.XXXXXX) || exit 2
trap 'rm -rf "$work"' EXIT
n=0 failures=0

# replay NAME TARGET DIR: one TAP line
replay() {
	name=$1 target=$2 dir=$3
	n=$((n + 1))
	set -- "$dir"/*
	[ -e "$1" ] || set --
	if [ ! -x "$bin/fuzz_$target" ]; then
		echo "not ok $n - fuzz replay $name: $bin/fuzz_$target is not built (make fuzz-build)"
		failures=$((failures + 1))
		return
	fi
	if [ $# -eq 0 ]; then
		echo "not ok $n - fuzz replay $name: no input in $dir"
		failures=$((failures + 1))
		return
	fi
	# Files as arguments: libFuzzer runs each once; crash artifacts stay in $work.
	if (cd "$work" && "$bin/fuzz_$target" -artifact_prefix="$work/" "$@") >"$work/log" 2>&1; then
		echo "ok $n - fuzz replay $name ($# inputs)"
	else
		echo "not ok $n - fuzz replay $name ($# inputs)"
		grep -E 'property broken|ERROR|runtime error|SUMMARY|Running:' "$work/log" | tail -n 12 |
			sed 's/^/# /'
		failures=$((failures + 1))
	fi
}

for dir in "$top"/fuzz/corpus/*/; do
	[ -d "$dir" ] || continue
	t=$(basename "$dir")
	replay "$t" "$t" "${dir%/}"
	if [ -d "$top/fuzz/crashes/$t" ]; then
		replay "$t fixed crashes" "$t" "$top/fuzz/crashes/$t"
	fi
done
if [ "$n" -eq 0 ]; then
	echo "not ok 1 - fuzz replay: no corpus under $top/fuzz/corpus"
	n=1 failures=1
fi
echo "1..$n"
[ "$failures" -eq 0 ]
