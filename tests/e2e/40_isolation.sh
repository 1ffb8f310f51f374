#!/bin/sh
# tests/e2e/40_isolation.sh - accounts kept apart, as real users.
#
# Each unprivileged account runs the installed setuid apikeyctl (runuser):
# it sees and changes only its own keys; every attempt on another account's
# key (--user, rename, describe, delete, by name and by id) is refused with
# one line on stderr, logged, and leaves the database file as it was. Within
# an account names and ids never overlap, also when root acts with --user.
# Only root and the helper's account can open the database. Every change
# made through apikeyctl writes one authpriv line with caller, account and
# key.
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
e2e_begin

e2e_install
e2e_syslog_start
e2e_add_user ALICE alice
e2e_add_user BOB bob

e2e_generate KEY_A "$ALICE" --name a-key --description "alice's key"
e2e_generate KEY_B "$BOB" --name b-key --description "bob's key"
ID_A=$(key_id "$KEY_A")
ID_B=$(key_id "$KEY_B")

# keys_of USER: USER's keys as root lists them (list --json), without their
# last use, which the logins between two looks change.
keys_of() {
	"$APKCTL" --user "$1" list --json 2>&1 | sed 's/, "last_used": \(null\|{[^}]*}\)//'
}

# ---- what each account sees -------------------------------------------------------

for pair in "$ALICE:$ID_A:$ID_B" "$BOB:$ID_B:$ID_A"; do
	u=${pair%%:*}
	rest=${pair#*:}
	own=${rest%%:*}
	other=${rest#*:}
	run_cmd as_user "$u" "$APKCTL" list --json
	if [ "$RC" -eq 0 ] && grep -q "\"$own\"" "$E2E_TMP/out" &&
		! grep -q "$other" "$E2E_TMP/out"; then
		tap_ok "$u: list --json shows their key and not the other's"
	else
		tap_not_ok "$u: list --json shows their key and not the other's"
		diag "exit status $RC"
		diag_file "$E2E_TMP/out"
		diag_file "$E2E_TMP/err"
	fi
	run_cmd as_user "$u" "$APKCTL" list
	if [ "$RC" -eq 0 ] && grep -q "$own" "$E2E_TMP/out" && ! grep -q "$other" "$E2E_TMP/out"; then
		tap_ok "$u: list shows their key and not the other's"
	else
		tap_not_ok "$u: list shows their key and not the other's"
		diag_file "$E2E_TMP/out"
	fi
done

# ---- attempts on another account's keys ---------------------------------------------

# attempt CALLER DESC ARG...: CALLER runs apikeyctl ARG...; must be refused
# (non-zero, one line on stderr), logged once as a refusal by CALLER, and
# change nothing in the database file.
attempt() {
	caller=$1
	desc=$2
	shift 2
	before=$(db_state)
	log_mark
	tap_refused "$caller: $desc" as_user "$caller" "$APKCTL" "$@"
	log_window "$E2E_TMP/window"
	tap_is "$caller: $desc: database unchanged" "$(db_state)" "$before"
	n=$(grep -E "^10 [0-7] .*apikeyctl(\\[[0-9]+\\])?: " "$E2E_TMP/window" |
		grep -F -e "$caller" | grep -c refused)
	ok=$(count_re "$E2E_TMP/window" "apikeyctl(\\[[0-9]+\\])?: [a-z]+ by [^ ]+ for [^ ]+: key ")
	if [ "$n" -eq 1 ] && [ "$ok" -eq 0 ]; then
		tap_ok "$caller: $desc: logged once as a refusal"
	else
		tap_not_ok "$caller: $desc: logged once as a refusal"
		diag "$n refusal line(s) naming $caller, $ok change line(s); logged:"
		diag_file "$E2E_TMP/window"
	fi
}

# The fingerprint compared below must cover real files.
n=$(db_state | wc -l)
if [ "$n" -gt 0 ]; then
	tap_ok "the database fingerprint covers $n file(s)"
else
	tap_not_ok "the database fingerprint covers $n file(s)"
fi

b_before=$(keys_of "$BOB")
a_before=$(keys_of "$ALICE")

for pair in "$ALICE:$BOB:b-key:$ID_B" "$BOB:$ALICE:a-key:$ID_A"; do
	me=${pair%%:*}
	rest=${pair#*:}
	them=${rest%%:*}
	rest=${rest#*:}
	name=${rest%%:*}
	id=${rest#*:}
	attempt "$me" "list --user $them" list --user "$them"
	attempt "$me" "--user $them list" --user "$them" list
	attempt "$me" "generate --user $them" generate -q --user "$them"
	attempt "$me" "--user $them delete $name" --user "$them" delete "$name" --yes
	attempt "$me" "rename $them's key by name" rename "$name" stolen
	attempt "$me" "rename $them's key by id" rename "$id" stolen
	attempt "$me" "describe $them's key by name" describe "$name" "mine now"
	attempt "$me" "describe $them's key by id" describe "$id" "mine now"
	attempt "$me" "delete $them's key by name" delete "$name" --yes
	attempt "$me" "delete $them's key by id" delete "$id" --yes
done
# All or nothing: one of the caller's own keys with another's refuses both.
attempt "$ALICE" "delete her key and $BOB's together" delete a-key "$ID_B" --yes

tap_is "$BOB's keys are exactly as before" "$(keys_of "$BOB")" "$b_before"
tap_is "$ALICE's keys are exactly as before" "$(keys_of "$ALICE")" "$a_before"

S_FAST=apkt-iso-$$
e2e_pam_service "$S_FAST" <<EOF
auth    required pam_apikey.so nodelay
account required pam_unix.so
EOF
for pair in "$ALICE:$KEY_A" "$BOB:$KEY_B"; do
	u=${pair%%:*}
	printf '%s\n' "${pair#*:}" | pamtester "$S_FAST" "$u" authenticate >/dev/null 2>&1
	tap_is "$u's key still authenticates $u" "$?" 0
done

# ---- who can open the database ----------------------------------------------------

tap_is "the database directory is $HELPER_USER's alone" \
	"$(stat -c '%U %a' "$DBDIR")" "$HELPER_USER 700"
db_files >"$E2E_TMP/dbfiles"
nfiles=$(wc -l <"$E2E_TMP/dbfiles")
bad=$(while read -r f; do
	case $(stat -c '%U %a' "$f") in
	"$HELPER_USER 600" | "$HELPER_USER 400") ;;
	*) stat -c '%n %U %a' "$f" ;;
	esac
done <"$E2E_TMP/dbfiles")
if [ "$nfiles" -gt 0 ] && [ -z "$bad" ]; then
	tap_ok "all $nfiles database files are $HELPER_USER's, no group or other bits"
else
	tap_not_ok "all $nfiles database files are $HELPER_USER's, no group or other bits"
	diag "$bad"
fi
for u in "$ALICE" "$BOB" nobody; do
	opened=$(while read -r f; do
		as_user "$u" cat "$f" >/dev/null 2>&1 && echo "$f"
	done <"$E2E_TMP/dbfiles")
	tap_is "$u can open none of the database files" "$opened" ""
	run_cmd as_user "$u" ls "$DBDIR"
	tap_check "$u cannot list the database directory" "$([ "$RC" -ne 0 ] && echo 0 || echo 1)"
done
# The negative results above are real: the same reads work for the owner.
hgid=$(id -g "$HELPER_USER")
opened=$(while read -r f; do
	setpriv --reuid="$HELPER_USER" --regid="$hgid" --clear-groups cat "$f" >/dev/null 2>&1 &&
		echo "$f"
done <"$E2E_TMP/dbfiles")
tap_is "$HELPER_USER can open every database file" "$opened" "$(cat "$E2E_TMP/dbfiles")"

# ---- names and ids never overlap, as root acting with --user ---------------------------

# description_of USER ID: the description of USER's key ID, as root lists it.
description_of() {
	"$APKCTL" --user "$1" list --json |
		"$E2E_PY" -c 'import json,sys; print([k["description"] for k in json.load(sys.stdin) if k["id"]==sys.argv[1]][0])' "$2"
}
e2e_generate KEY_O "$ALICE" --name overlap
ID_O=$(key_id "$KEY_O")
before=$(db_state)
tap_refused "root: rename --user $ALICE a-key to the id of her other key" \
	"$APKCTL" --user "$ALICE" rename a-key -- "$ID_O"
tap_refused "root: generate --user $ALICE --name with one of her ids" \
	"$APKCTL" --user "$ALICE" generate -q --name "$ID_O"
tap_refused "root: rename --user $ALICE overlap to its own id" \
	"$APKCTL" --user "$ALICE" rename overlap -- "$ID_O"
tap_is "root: refused names changed nothing" "$(db_state)" "$before"
tap_run "root: describe --user $ALICE by id" "$APKCTL" --user "$ALICE" describe -- "$ID_O" "by id"
tap_is "root: the id named that key" "$(description_of "$ALICE" "$ID_O")" "by id"
tap_run "root: rename --user $ALICE by id" "$APKCTL" --user "$ALICE" rename -- "$ID_O" build-server
tap_is "root: a 12-character name like an id is a name" \
	"$("$APKCTL" --user "$ALICE" list | awk '$1 == "build-server" { print $2 }')" "$ID_O"
tap_run "root: delete --user $ALICE by id" "$APKCTL" --user "$ALICE" delete --yes -- "$ID_O"
tap_is "root: only that key is gone" "$(keys_of "$ALICE")" "$a_before"

# ---- every change is logged once, with caller, account and key -----------------------
# (change: tests/e2e/lib/common.sh)

log_mark
run_cmd as_user "$ALICE" "$APKCTL" generate -q --name logged
log_window "$E2E_TMP/window"
KEY_L=$(cat "$E2E_TMP/out")
e2e_secret "$KEY_L"
ID_L=$(key_id "$KEY_L")
tap_one_line "$ALICE: generate writes one line with caller, account and key" "$E2E_TMP/window" \
	"apikeyctl(\\[[0-9]+\\])?: generate by $ALICE for $ALICE: key logged \\(id $ID_L\\)\$"
change "$ALICE: rename logged renamed" \
	"rename by $ALICE for $ALICE: key (logged|renamed) \\(id $ID_L\\)" \
	as_user "$ALICE" "$APKCTL" rename logged renamed
change "$ALICE: describe renamed" \
	"describe by $ALICE for $ALICE: key renamed \\(id $ID_L\\)" \
	as_user "$ALICE" "$APKCTL" describe renamed "for the log test"
change "$ALICE: describe by id" \
	"describe by $ALICE for $ALICE: key renamed \\(id $ID_L\\)" \
	as_user "$ALICE" "$APKCTL" describe "$ID_L" "by id"
change "$ALICE: delete renamed" \
	"delete by $ALICE for $ALICE: key renamed \\(id $ID_L\\)" \
	as_user "$ALICE" "$APKCTL" delete renamed --yes
log_mark
run_cmd "$APKCTL" --user "$BOB" generate -q --name by-root
log_window "$E2E_TMP/window"
KEY_R=$(cat "$E2E_TMP/out")
e2e_secret "$KEY_R"
tap_one_line "root: generate --user $BOB writes one line naming root and $BOB" "$E2E_TMP/window" \
	"apikeyctl(\\[[0-9]+\\])?: generate by root for $BOB: key by-root \\(id $(key_id "$KEY_R")\\)\$"
change "root: delete --user $BOB by-root" \
	"delete by root for $BOB: key by-root \\(id $(key_id "$KEY_R")\\)" \
	"$APKCTL" --user "$BOB" delete by-root --yes

tap_no_secret "no key, secret or password in any syslog line" "$E2E_SYSLOG"

e2e_end
