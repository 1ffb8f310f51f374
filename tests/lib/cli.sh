# shellcheck shell=sh disable=SC2034 # its variables are the sourcing test's
# tests/lib/cli.sh - the start every shell test of apikeyctl shares (sourced,
# not run; brings tests/lib/tap.sh along):
#
#   top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
#   . "$top/tests/lib/cli.sh"
#   cli_start NAME      B, ctl, tool: the build under test, its apikeyctl and
#                       tests/hostile_tool; work: a private directory (mode
#                       700, /tmp/apk-NAME.XXXXXX) removed on exit; uid, me:
#                       the caller
#   cli_db              db=$work/db, an empty database directory, exported as
#                       APIKEY_DB
#   need_tool           ends the test, failed, unless hostile_tool is built
#   db_state            names and contents (sha256) of the database's data
#                       files; locks are empty and may appear, a stray .new
#                       shows up
#   expect_fail STATUS DESCRIPTION COMMAND...
#                       one test: COMMAND exits STATUS with one line
#                       "apikeyctl: ..." on stderr (kept in $work/err) and
#                       the database unchanged
#   json_names          my keys' names in list --json order
# shellcheck disable=SC2154 # top: set by the sourcing test
. "$top/tests/lib/tap.sh"

cli_start() {
	B=${APK_BUILD:-$top/build}
	ctl=$B/apikeyctl
	tool=$B/tests/hostile_tool
	work=$(mktemp -d "/tmp/apk-$1.XXXXXX") ||
		{ not_ok "a work directory"; done_testing; exit 1; }
	trap 'rm -rf "$work"' EXIT
	chmod 700 "$work"
	uid=$(id -u)
	me=$(id -un)
}

cli_db() {
	db=$work/db
	mkdir -m 700 "$db"
	export APIKEY_DB="$db"
}

need_tool() {
	[ -x "$tool" ] || { not_ok "$tool is built (make tests)"; done_testing; exit 1; }
}

db_state() { (cd "$db" && find . -type f ! -name '*.lock' | sort | xargs -r sha256sum); }

# one hash of the names and contents of the database's data files
digest() { db_state | sha256sum | cut -d' ' -f1; }
json_names() { "$ctl" list --json | python3 -c 'import json,sys; print(" ".join(k["name"] for k in json.load(sys.stdin)))'; }
# expect_fail STATUS DESCRIPTION COMMAND...: exits STATUS, one line on stderr, database unchanged
expect_fail() {
	want=$1 d=$2; shift 2
	before=$(digest)
	"$@" >"$work/out" 2>"$work/err"; got=$?
	after=$(digest)
	lines=$(wc -l <"$work/err")
	if [ "$got" -eq "$want" ] && [ "$lines" -eq 1 ] && [ "$before" = "$after" ] &&
	   grep -q '^apikeyctl: ' "$work/err"; then
		ok "$d"
	else
		not_ok "$d (status $got, $lines stderr lines, db changed: $([ "$before" = "$after" ] && echo no || echo yes))"
		sed 's/^/# /' "$work/err"
	fi
}
