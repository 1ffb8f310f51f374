#!/bin/sh
# tests/e2e/99_uninstall.sh - `make uninstall` on the real system, last.
#
# Runs only when this suite made the install (an earlier script found nothing
# installed and left /run/pam_apikey-e2e.installed); an installation that was
# there before the suite is left alone. Uninstall must remove every installed
# file and never the key database, its directory, the helper's account or the
# record of how the install came by it.
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
e2e_begin

if [ ! -e "$E2E_MARKER" ]; then
	tap_skip "pam_apikey was installed before this suite ran: left in place"
	e2e_end
fi

db_before=$(db_state)
record_before=$(sha256sum "$DBDIR.account" 2>/dev/null)
[ -n "$record_before" ] || tap_not_ok "make install left a record in $DBDIR.account"
run_cmd make -C "$APK_TOP" uninstall
tap_is "make uninstall exits 0" "$RC" 0
[ "$RC" -eq 0 ] || diag_file "$E2E_TMP/err"
rm -f "$E2E_MARKER"

left=""
for f in "$PAMDIR/pam_apikey.so" "$APKCTL" "$FLEETCTL" "$(dirname "$FLEETCTL")" "$MANDIR/man1/apikeyctl.1" \
	"$MANDIR/man5/pam_apikey.conf.5" "$MANDIR/man8/pam_apikey.8" "$COMPDIR/apikeyctl" "$DOCDIR"; do
	if [ -e "$f" ] || [ -L "$f" ]; then
		left="$left $f"
	fi
done
tap_is "make uninstall removes the module, apikeyctl, apikeyctl-fleet, man pages, completion, examples" "$left" ""
tap_is "make uninstall keeps $DBDIR as it was" \
	"$(stat -c '%F %U %a' "$DBDIR" 2>/dev/null)" \
	"directory $HELPER_USER 700"
db_after=$(db_state)
tap_is "make uninstall leaves the key database untouched" "$db_after" "$db_before"
getent passwd "$HELPER_USER" >/dev/null
tap_check "make uninstall keeps the account $HELPER_USER" $?
tap_is "make uninstall keeps the record of how the install came by it" \
	"$(sha256sum "$DBDIR.account" 2>/dev/null)" "$record_before"
run_cmd make -C "$APK_TOP" uninstall
tap_is "make uninstall again is harmless" "$RC" 0

e2e_end
