#!/bin/sh
# tools/mutants.sh - the work behind `make check-mutants`: each protection the
# doc/SECURITY.md claims is taken out in turn, and the test the doc/SECURITY.md names for it
# must then fail.
#
#   tools/mutants.sh [NAME...]   all of tests/mutants/*.patch, or the named ones
#
# A mutant is tests/mutants/NAME.patch: header lines, a blank line, then a
# `git diff` that removes one protection (applied with `patch -p1`):
#
#   Claim: <the doc/SECURITY.md claim the protection backs, one line>
#   Test: <shell command, run from the copy's top after `make -j2 all tests`>
#
# Everything happens in a scratch copy of the tree (the files git tracks and
# the untracked ones it does not ignore, as they are in the working tree):
# the copy is built once and every distinct Test command runs on it (a test
# that fails anyway would "catch" everything); then for each mutant the
# patch is applied, `make -j2 all tests` rebuilds what changed, the Test
# runs, and the patch is reverted. Verdicts:
#
#   caught NAME     the Test failed (non-zero exit) with the protection out
#   survived NAME   the Test passed without the protection
#   stale NAME      the patch no longer applies (refresh it)
#   broken NAME     the copy does not build with the patch applied
#   bad NAME        no Test: line, or the Test fails on the unchanged copy
#
# tests/mutants/excluded lists, one "NAME: why" a line, protections left out
# on purpose; each is printed as "excluded NAME: why".
#
# The last line counts the verdicts; the exit status is 0 only when every
# mutant was caught. Tests that need root (tests/e2e/*) must run as root,
# and since they install the build and create accounts, the whole run must
# hold the end-to-end lock (flock /tmp/e2e.lock make check-mutants); CI runs
# it alone. An installed apikeyctl or module that a Test replaced with a
# mutant build is put back from the unchanged copy at the end.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
mdir=$top/tests/mutants
TEST_TIMEOUT=${TEST_TIMEOUT:-900}

scratch=$(mktemp -d /tmp/apk-mutants.XXXXXX) || exit 2
# (tests run the copy's build as other accounts too)
chmod 0755 "$scratch"
tree=$scratch/tree
cleanup() { rm -rf "$scratch"; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

say() { printf '%s\n' "$*"; }
# show_tail FILE: the last lines of FILE as TAP-style comments.
show_tail() { tail -n "${2:-15}" "$1" | sed 's/^/#   /'; }

# header FIELD PATCH: the value of "FIELD: value" among the patch's header
# lines (those before the first blank line).
header() {
	sed -n '/^$/q; s/^'"$1"': *//p' "$2" | head -n 1
}

# ---- the scratch copy ---------------------------------------------------------
mkdir "$tree" || exit 2
git ls-files -z --cached --others --exclude-standard |
	tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -C "$tree" -xf - ||
	{ say "check-mutants: cannot copy the tree"; exit 2; }
export APK_TOP="$tree" APK_BUILD="$tree/build" CMOCKA_MESSAGE_OUTPUT=TAP
unset APIKEY_DB

build() { make -C "$tree" -j2 all tests >"$scratch/build.log" 2>&1; }
say "# building the unchanged copy in $tree"
if ! build; then
	show_tail "$scratch/build.log"
	say "check-mutants: the unchanged tree does not build"
	exit 1
fi
[ "$(id -u)" -eq 0 ] ||
	say "# not root: tests that need root skip, and their mutants will survive"

# What is installed now, to put back what a Test replaces.
installed_files() {
	printf 'e2e-print-%%:\n\t@echo $($*)\n' >"$scratch/print.mk"
	bindir=$(make -s --no-print-directory -C "$tree" -f Makefile -f "$scratch/print.mk" \
		e2e-print-BINDIR)
	pamdir=$(make -s --no-print-directory -C "$tree" -f Makefile -f "$scratch/print.mk" \
		e2e-print-PAMDIR)
	echo "$bindir/apikeyctl $pamdir/pam_apikey.so"
}
fingerprint() {
	for f in $(installed_files); do
		[ -e "$f" ] && sha256sum "$f"
	done
	return 0
}
installed_before=$(fingerprint)

# The installed database directory: a mutant that takes a protection out
# may leave files in it that the protection would never have let be made
# (a root-owned lock, say), and the next Test, or a later `make check`,
# would then fail for that and not for its own mutant. As root, the
# directory is put aside for the run (beside itself, as check-deb does),
# emptied after every Test, and put back at the end.
printf 'e2e-print-%%:\n\t@echo $($*)\n' >"$scratch/print.mk"
dbdir=$(make -s --no-print-directory -C "$tree" -f Makefile -f "$scratch/print.mk" e2e-print-DBDIR)
db_saved=""
if [ "$(id -u)" -eq 0 ] && [ -n "$dbdir" ] && [ "$dbdir" != / ]; then
	if [ -e "$dbdir" ] || [ -L "$dbdir" ]; then
		db_saved=$dbdir.check-mutants-saved
		[ ! -e "$db_saved" ] || { say "check-mutants: $db_saved exists: put it back first"; exit 2; }
		mv "$dbdir" "$db_saved" || exit 2
		say "# $dbdir put aside as $db_saved for the run"
	fi
else
	dbdir=""
fi
reset_db() { [ -z "$dbdir" ] || rm -rf "$dbdir"; }
cleanup() {
	reset_db
	[ -z "$db_saved" ] || mv "$db_saved" "$dbdir"
	rm -rf "$scratch"
}

# ---- the mutants ----------------------------------------------------------------
if [ $# -gt 0 ]; then
	patches=""
	for name in "$@"; do
		patches="$patches $mdir/${name%.patch}.patch"
	done
else
	patches=$(ls "$mdir"/*.patch 2>/dev/null)
fi
[ -n "$patches" ] || { say "check-mutants: no mutant in $mdir"; exit 1; }

caught=0 survived=0 stale=0 broken=0 bad=0 excluded=0

# run_test CMD LOG: runs CMD from the copy's top; its status.
run_test() {
	(cd "$tree" && timeout "$TEST_TIMEOUT" sh -c "$1") >"$2" 2>&1 </dev/null
}

# First every distinct Test on the unchanged copy: one that fails anyway
# would "catch" everything.
failing_tests=$scratch/fail-on-unchanged
: >"$failing_tests"
for p in $patches; do
	[ -f "$p" ] || continue
	test_cmd=$(header Test "$p")
	[ -n "$test_cmd" ] || continue
	printf '%s\n' "$test_cmd"
done | sort -u >"$scratch/tests"
while IFS= read -r test_cmd; do
	say "# the unchanged copy passes: $test_cmd"
	run_test "$test_cmd" "$scratch/baseline.log"
	rc=$?
	reset_db
	if [ "$rc" -ne 0 ]; then
		printf '%s\n' "$test_cmd" >>"$failing_tests"
		say "# ... it does not:"
		show_tail "$scratch/baseline.log"
	fi
done <"$scratch/tests"

for p in $patches; do
	name=$(basename "$p" .patch)
	if [ ! -f "$p" ]; then
		say "bad $name: no such mutant ($p)"
		bad=$((bad + 1))
		continue
	fi
	test_cmd=$(header Test "$p")
	claim=$(header Claim "$p")
	if [ -z "$test_cmd" ] || [ -z "$claim" ]; then
		say "bad $name: no Claim: or Test: header line"
		bad=$((bad + 1))
		continue
	fi
	if grep -qxF -- "$test_cmd" "$failing_tests"; then
		say "bad $name: its Test fails on the unchanged tree: $test_cmd"
		bad=$((bad + 1))
		continue
	fi
	if ! (cd "$tree" && patch -p1 --forward --fuzz=0 --no-backup-if-mismatch -r - -s \
		<"$p") >"$scratch/patch.log" 2>&1; then
		say "stale $name: the patch no longer applies"
		show_tail "$scratch/patch.log" 5
		stale=$((stale + 1))
		# undo whatever part did apply
		(cd "$tree" && patch -p1 -R --fuzz=0 --no-backup-if-mismatch -r - -s -f \
			<"$p") >/dev/null 2>&1
		continue
	fi
	t0=$(date +%s)
	if ! build; then
		say "broken $name: does not build with the patch applied"
		show_tail "$scratch/build.log" 8
		broken=$((broken + 1))
	elif run_test "$test_cmd" "$scratch/test.log"; then
		say "survived $name ($(($(date +%s) - t0)) s): $claim"
		say "#   test: $test_cmd"
		show_tail "$scratch/test.log" 8
		survived=$((survived + 1))
	else
		say "caught $name ($(($(date +%s) - t0)) s)"
		grep -m 2 '^not ok' "$scratch/test.log" | sed 's/^/#   /'
		caught=$((caught + 1))
	fi
	reset_db
	if ! (cd "$tree" && patch -p1 -R --fuzz=0 --no-backup-if-mismatch -r - -s \
		<"$p") >"$scratch/patch.log" 2>&1; then
		show_tail "$scratch/patch.log" 5
		say "check-mutants: cannot revert $name; stopping"
		exit 1
	fi
done

if [ -f "$mdir/excluded" ]; then
	while IFS= read -r line; do
		case $line in
		"" | "#"*) continue ;;
		esac
		say "excluded $line"
		excluded=$((excluded + 1))
	done <"$mdir/excluded"
fi

# Put back an installed helper or module that an end-to-end Test replaced
# with a mutant build (under the end-to-end scripts' own lock).
if grep -q 'tests/e2e/' "$scratch/tests" && [ "$(fingerprint)" != "$installed_before" ]; then
	build >/dev/null 2>&1
	if [ -n "$installed_before" ]; then
		if flock /run/pam_apikey-e2e.lock make -C "$tree" install >"$scratch/install.log" 2>&1; then
			say "# reinstalled the unchanged build (a test had installed a mutant)"
		else
			show_tail "$scratch/install.log"
			say "check-mutants: reinstall failed"
			bad=$((bad + 1))
		fi
	else
		flock /run/pam_apikey-e2e.lock make -C "$tree" uninstall >/dev/null 2>&1
		say "# removed the mutant build a test had installed"
	fi
fi

say "mutants: $caught caught, $survived survived, $stale stale, $broken broken, $bad bad, $excluded excluded"
[ $((survived + stale + broken + bad)) -eq 0 ] && [ "$caught" -gt 0 ]
