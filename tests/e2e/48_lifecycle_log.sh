#!/bin/sh
# tests/e2e/48_lifecycle_log.sh - the installed apikeyctl logs each lifecycle
# change once to authpriv, with caller, account, key and what it set:
# generate with restrictions, edit, disable, enable, rotate; a refused one
# is logged as refused; no key reaches the log.
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
e2e_begin

e2e_install
e2e_add_user ALICE lcl
e2e_syslog_start
ISO='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'

log_mark
e2e_generate KEY "$ALICE" --name ci --expires 30d --service sshd,sudo --from 192.0.2.0/24
log_window "$E2E_TMP/window"
ID=$(key_id "$KEY")
tap_one_line "generate with restrictions: one line with what it set" "$E2E_TMP/window" \
	"apikeyctl(\\[[0-9]+\\])?: generate by $ALICE for $ALICE: key ci \\(id $ID\\): expires $ISO, services sshd,sudo, from 192\\.0\\.2\\.0/24, hosts all\$"
change "edit" \
	"edit by $ALICE for $ALICE: key ci \\(id $ID\\): expires never, services all, from 10\\.0\\.0\\.1, hosts all" \
	as_user "$ALICE" "$APKCTL" edit ci --expires never --service all --from 10.0.0.1
change "disable" "disable by $ALICE for $ALICE: key ci \\(id $ID\\)" \
	as_user "$ALICE" "$APKCTL" disable ci
change "enable by id, as root" "enable by root for $ALICE: key ci \\(id $ID\\)" \
	"$APKCTL" --user "$ALICE" enable "$ID"

log_mark
run_cmd as_user "$ALICE" "$APKCTL" rotate ci --overlap 1h -q
log_window "$E2E_TMP/window"
NEW=$(cat "$E2E_TMP/out")
e2e_secret "$NEW"
tap_is "rotate exits 0" "$RC" 0
tap_one_line "rotate: one line naming the new key, the old one and its new name and expiry" \
	"$E2E_TMP/window" \
	"apikeyctl(\\[[0-9]+\\])?: rotate by $ALICE for $ALICE: key ci \\(id $(key_id "$NEW")\\): replaces id $ID, now named ci\\.old and expiring $ISO; expires never, services all, from 10\\.0\\.0\\.1, hosts all\$"

log_mark
run_cmd as_user "$ALICE" "$APKCTL" disable ci nosuch
log_window "$E2E_TMP/window"
tap_is "disable of a missing key fails (status 1)" "$RC" 1
tap_one_line "... and is logged as refused" "$E2E_TMP/window" \
	"apikeyctl(\\[[0-9]+\\])?: disable by $ALICE for $ALICE refused: nosuch: no such key\$"

tap_no_secret "no key, secret or password in any syslog line" "$E2E_SYSLOG"

e2e_end
