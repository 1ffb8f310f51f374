#!/bin/sh
# fuzz/run.sh - fuzzes each target for a while, one at a time, and reports
#
#   fuzz/run.sh SECONDS TARGET...     (make fuzz FUZZ_SECONDS=N)
#
# Each target starts from fuzz/corpus/TARGET and keeps what it finds in
# $APK_BUILD/fuzz/work/TARGET (reused by the next run); a crash or a broken
# property is saved as $APK_BUILD/fuzz/crashes/TARGET-crash-* and fails the
# run. Prints one line per target: executions, rate, coverage, findings.
set -u
[ $# -ge 2 ] || { echo "usage: $0 SECONDS TARGET..." >&2; exit 2; }
secs=$1; shift
top=${APK_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
build=${APK_BUILD:-$top/build}
bin=$build/fuzz
crashes=$bin/crashes
mkdir -p "$crashes" || exit 2
found=0

# Longest input each target needs: a whole account file; a full index.
max_len() {
	case $1 in
	pam) echo 20000 ;;
	record) echo 12100 ;;
	sync_control) echo 9000 ;;
	*) echo 4096 ;;
	esac
}

printf '%-9s %10s %8s %6s %6s %6s  %s\n' target execs exec/s cov ft corpus findings
for t in "$@"; do
	work=$bin/work/$t
	log=$bin/work/$t.log
	mkdir -p "$work" || exit 2
	before=$(ls "$crashes" | grep -c "^$t-" || true)
	"$bin/fuzz_$t" -max_total_time="$secs" -max_len="$(max_len "$t")" -timeout=30 \
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$crashes/$t-" \
		"$work" "$top/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	after=$(ls "$crashes" | grep -c "^$t-" || true)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
	if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
		what="CRASH (exit $rc): $(grep -E 'property broken|ERROR: |runtime error' "$log" | head -n 1)"
		found=$((found + 1))
	else
		what=none
	fi
	printf '%-9s %10s %8s %6s %6s %6s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" \
		"${ft:-?}" "${corp:-?}" "$what"
done
if [ "$found" -gt 0 ]; then
	echo "$found target(s) found a problem: see $crashes and $bin/work/TARGET.log"
	exit 1
fi
echo "no findings"
