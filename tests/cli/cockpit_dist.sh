#!/bin/sh
# tests/cli/cockpit_dist.sh - the Cockpit page as committed, without a
# browser or node: cockpit/dist is the build of cockpit/src (their sha256 in
# dist/SOURCES, and, where node and the pinned packages are installed, a
# rebuild gives the same bytes); the page talks to the system only through
# apikeyctl; no text ever becomes markup. The browser test is
# tests/e2e/70_cockpit.sh.
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/cli.sh"
cli_start cockpit-dist
c=$top/cockpit

sums() { (cd "$1" && LC_ALL=C sha256sum src/* build.js package.json package-lock.json); }
check "dist/SOURCES is the sha256 of today's sources (make cockpit rebuilds dist)" \
	test "$(sums "$c")" = "$(cat "$c/dist/SOURCES")"
for f in index.html index.js index.css manifest.json; do
	check "dist/$f is built" test -s "$c/dist/$f"
done
check "manifest.json puts 'API keys' in Cockpit's menu" python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
sys.exit(m["menu"]["index"]["label"] != "API keys")' "$c/dist/manifest.json"
check "index.html loads Cockpit's own cockpit.js (../base1) and the translations (po.js)" \
	sh -c "grep -q 'src=\"../base1/cockpit.js\"' '$c/dist/index.html' && grep -q 'src=\"po.js\"' '$c/dist/index.html'"
check "the translation template holds the page's strings" \
	sh -c "grep -q '^msgid \"Generate key\"' '$c/po/apikey.pot' && grep -q '^msgid \"No API keys\"' '$c/po/apikey.pot'"

# No HTML sink: every text is a text node (src/dom.js).
check "no innerHTML, outerHTML, insertAdjacentHTML, document.write or HTML parsing in the page" \
	sh -c "! grep -nE 'innerHTML|outerHTML|insertAdjacentHTML|document\\.write|DOMParser|createContextualFragment|srcdoc' \
		'$c'/src/*.js '$c/dist/index.js'"
# The system only through apikeyctl, run by cockpit.spawn in src/ctl.js.
check "cockpit.spawn only in ctl.js, and no other channel (file, script, dbus, http, channel)" \
	sh -c "test \"\$(grep -l 'cockpit\\.spawn' '$c'/src/*.js)\" = '$c/src/ctl.js' &&
	       ! grep -nE 'cockpit\\.(file|script|dbus|http|channel|location\\.go)\\(' '$c'/src/*.js"
check "  ... and what it spawns starts with apikeyctl" \
	grep -q 'const argv = \["apikeyctl"\];' "$c/src/ctl.js"
check "no browser storage in the page (localStorage, sessionStorage, indexedDB, cookies)" \
	sh -c "! grep -nE 'localStorage|sessionStorage|indexedDB|document\\.cookie' '$c'/src/*.js"

# A rebuild from the pinned packages gives the committed bytes.
if command -v node >/dev/null 2>&1 && [ -d "$c/node_modules" ]; then
	mkdir "$work/page" && (cd "$c" && tar -cf - --exclude=./node_modules --exclude=./dist .) |
		(cd "$work/page" && tar -xf -)
	(cd "$work/page" && ln -s "$c/node_modules" node_modules && node build.js) >"$work/build.log" 2>&1
	same=0
	for f in index.html index.js index.css manifest.json; do
		cmp -s "$c/dist/$f" "$work/page/dist/$f" || same=1
	done
	check "a rebuild with node gives dist/ byte for byte" test "$same" -eq 0
else
	ok "# SKIP rebuilding the page needs node and cockpit/node_modules (npm ci); CI checks SOURCES only"
fi
done_testing
