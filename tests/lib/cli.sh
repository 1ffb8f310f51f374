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
