#!/bin/sh
# fuzz/corpus.sh - rewrites the committed seed corpus fuzz/corpus/TARGET
#
#   fuzz/corpus.sh SECONDS TARGET...     (make fuzz-corpus)
#
# For each target: the generated seeds (gen_corpus), plus what SECONDS of
# fuzzing finds (and what `make fuzz` left in $APK_BUILD/fuzz/work/TARGET),
# merged by libFuzzer into the inputs that add coverage.
# Seeds are always kept (they document the input layout); found inputs are
# kept only when they add coverage, and at most FUZZ_CORPUS_MAX of them.
set -u
[ $# -ge 2 ] || { echo "usage: $0 SECONDS TARGET..." >&2; exit 2; }
secs=$1; shift
top=${APK_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${APK_BUILD:-$top/build}/fuzz
cap=${FUZZ_CORPUS_MAX:-20}
tmp=$(mktemp -d /tmp/apk-corpus.XXXXXX) || exit 2
trap 'rm -rf "$tmp"' EXIT

"$bin/gen_corpus" "$tmp/seeds" || exit 1
for t in "$@"; do
	mkdir -p "$tmp/work/$t" "$tmp/merged/$t" || exit 1
	case $t in pam) len=20000 ;; record) len=12100 ;; *) len=4096 ;; esac
	"$bin/fuzz_$t" -max_total_time="$secs" -max_len="$len" -artifact_prefix="$tmp/" \
		"$tmp/work/$t" "$tmp/seeds/$t" >"$tmp/$t.log" 2>&1 ||
		{ echo "$t: fuzzing failed, see below" >&2; tail -n 30 "$tmp/$t.log" >&2; exit 1; }
	cp "$tmp/seeds/$t"/* "$tmp/merged/$t/"
	# Also what earlier `make fuzz` runs found, when there is any.
	set -- "$tmp/work/$t"
	[ -d "$bin/work/$t" ] && set -- "$@" "$bin/work/$t"
	"$bin/fuzz_$t" -merge=1 -max_len="$len" "$tmp/merged/$t" "$@" \
		>>"$tmp/$t.log" 2>&1 || { echo "$t: merge failed" >&2; exit 1; }
	# Found inputs beyond the cap: keep the smallest.
	ls -Sr "$tmp/merged/$t" | grep -v '^seed-' | tail -n +"$((cap + 1))" |
		while read -r f; do rm -f "$tmp/merged/$t/$f"; done
	rm -rf "$top/fuzz/corpus/$t"
	mkdir -p "$top/fuzz/corpus/$t"
	cp "$tmp/merged/$t"/* "$top/fuzz/corpus/$t/"
	echo "$t: $(ls "$top/fuzz/corpus/$t" | grep -c '^seed-') seeds, $(ls "$top/fuzz/corpus/$t" | grep -vc '^seed-') found inputs"
done
