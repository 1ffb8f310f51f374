#!/bin/sh
# tests/e2e/60_lifecycle.sh - a key's restrictions on a real system: a key
# made with `--service sshd --from 127.0.0.1` logs in over a real sshd and
# is refused by su; the ssh session sees PAM_APIKEY_ID and PAM_APIKEY_NAME;
# a key from other networks is refused by sshd, and by su, which sets no
# remote host (fail closed). The ssh login, and only it, shows as the key's
# last use in `apikeyctl list`. A key rotated with an overlap and its .old
# both log in during the overlap.
#
# The PAM services are the real names, sshd and su: the script runs in a
# private mount namespace where copies of /etc/pam.d/sshd and /etc/pam.d/su
# holding the test's stacks are bind-mounted over the system's files. Nothing
# outside that namespace ever sees the change, even if the test is killed.
# The sshd (tests/e2e/lib/sshd.sh) runs through a symlink named sshd, so its
# PAM service is sshd.
if [ "$(id -u)" -eq 0 ] && [ -z "${APKT_LIFECYCLE_NS:-}" ]; then
	APKT_LIFECYCLE_NS=1 exec unshare --mount --propagation private -- sh "$0" "$@"
fi
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
# shellcheck source=tests/e2e/lib/sshd.sh
. "$(dirname "$0")/lib/sshd.sh"
e2e_begin ssh ssh-keygen sshpass /usr/sbin/sshd unshare mount

[ -n "${APKT_LIFECYCLE_NS:-}" ] || bail "not in a private mount namespace"

e2e_install
e2e_syslog_start
e2e_add_user ALICE alice
e2e_add_user BOB bob

# the test's stacks over the system's, in this namespace only
for svc in sshd su; do
	cat >"$E2E_TMP/$svc.pam" <<EOF
# pam_apikey end-to-end test: an API key is the only way in.
auth     required pam_apikey.so
account  required pam_unix.so
session  required pam_unix.so
password required pam_deny.so
EOF
	chmod 0644 "$E2E_TMP/$svc.pam"
	[ -f "/etc/pam.d/$svc" ] || bail "no /etc/pam.d/$svc to mount over"
	mount --bind "$E2E_TMP/$svc.pam" "/etc/pam.d/$svc" || bail "mount over /etc/pam.d/$svc"
done

sshd_start sshd "$ALICE $BOB"
diag "sshd (pid $SSHD_PID) on 127.0.0.1 port $SSH_PORT, PAM service sshd"

# ssh_run USER SECRET CMD: keyboard-interactive login answering the module's
# prompt, running CMD. Output in $E2E_TMP/out, status in RC.
ssh_run() {
	SSHPASS=$2 run_cmd timeout 60 sshpass -P "API key" -e \
		ssh -F /dev/null -p "$SSH_PORT" -l "$1" \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o GlobalKnownHostsFile=/dev/null -o LogLevel=ERROR \
		-o PreferredAuthentications=keyboard-interactive -o NumberOfPasswordPrompts=1 \
		-o PubkeyAuthentication=no -o GSSAPIAuthentication=no \
		-o IdentityAgent=none -o ControlPath=none -o ConnectTimeout=20 \
		127.0.0.1 "$3"
}

# su_to FROM TO SECRET: FROM runs `su TO -c 'id -un'`, the secret on
# standard input. Output in $E2E_TMP/out, status in RC.
su_to() {
	printf '%s\n' "$3" | (cd / && timeout 30 runuser -u "$1" -- su -c "id -un" "$2") \
		>"$E2E_TMP/out" 2>"$E2E_TMP/err"
	RC=$?
}

# last_use LOGIN NAME: the last use `apikeyctl list --json` shows for the
# key, as "SERVICE RHOST", or "never", into LAST (its time checked to be
# from this run).
last_use() {
	run_cmd as_user "$1" "$APKCTL" list --json
	LAST=$("$E2E_PY" -c '
import json, sys
from datetime import datetime, timezone
start, name = int(sys.argv[1]), sys.argv[2]
for k in json.load(sys.stdin):
    if k["name"] != name:
        continue
    u = k["last_used"]
    if u is None:
        print("never")
    else:
        t = datetime.strptime(u["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        ok = start <= t.timestamp() <= datetime.now(timezone.utc).timestamp() + 1
        print(u["service"], u["rhost"] if ok else "(a time not from this run)")
' "$T_START" "$2" <"$E2E_TMP/out" 2>&1)
}
T_START=$(date +%s)

# refused_with DESC SERVICE USER ID REASON: the login failed, printed nothing
# of USER, and the module logged one refusal of key ID for REASON (text).
refused_with() {
	reason_re=$(printf '%s' "$5" | sed 's/[().]/\\&/g')
	log_window "$E2E_TMP/window"
	if [ "$RC" -ne 0 ] && ! grep -q "^$3\$" "$E2E_TMP/out"; then
		tap_ok "$1"
	else
		tap_not_ok "$1"
		diag "exit status $RC"
		diag_file "$E2E_TMP/out"
	fi
	tap_one_line "$1: logged as \"$5\"" "$E2E_TMP/window" \
		"pam_apikey\\($2:auth\\): refused key \\(id $4\\) for user $3 service $2 rhost [^ ]+: $reason_re\$"
}

# ---- a key for sshd from 127.0.0.1 -------------------------------------------

e2e_generate KEY_SSH "$ALICE" --name ssh-only --service sshd --from 127.0.0.1
ID_SSH=$(key_id "$KEY_SSH")
last_use "$ALICE" ssh-only
tap_is "her new key was never used" "$LAST" never

log_mark
ssh_run "$ALICE" "$KEY_SSH" 'printf "%s %s %s\n" "$(id -un)" "$PAM_APIKEY_ID" "$PAM_APIKEY_NAME"'
log_window "$E2E_TMP/window"
tap_is "ssh: $ALICE logs in with her sshd-only key from 127.0.0.1; the session has PAM_APIKEY_ID and PAM_APIKEY_NAME" \
	"$RC $(cat "$E2E_TMP/out")" "0 $ALICE $ID_SSH ssh-only"
tap_one_line "ssh: one authpriv line: accepted key ssh-only (id $ID_SSH), service sshd, rhost 127.0.0.1" \
	"$E2E_TMP/window" \
	"pam_apikey\\(sshd:auth\\): accepted key ssh-only \\(id $ID_SSH\\) for user $ALICE service sshd rhost 127\\.0\\.0\\.1\$"

log_mark
su_to "$BOB" "$ALICE" "$KEY_SSH"
refused_with "su: $BOB cannot become $ALICE with her sshd-only key" su "$ALICE" "$ID_SSH" \
	"service not allowed for this key"
last_use "$ALICE" ssh-only
tap_is "its last use is the ssh login from 127.0.0.1 (the refused su changed nothing)" \
	"$LAST" "sshd 127.0.0.1"

# ---- a key for other networks ------------------------------------------------

e2e_generate KEY_FAR "$ALICE" --name elsewhere --service sshd,su --from 192.0.2.0/24,2001:db8::/32
ID_FAR=$(key_id "$KEY_FAR")

log_mark
ssh_run "$ALICE" "$KEY_FAR" 'id -un'
refused_with "ssh: her key for other networks is refused from 127.0.0.1" sshd "$ALICE" "$ID_FAR" \
	"source address not allowed for this key"

log_mark
su_to "$BOB" "$ALICE" "$KEY_FAR"
refused_with "su: her key with networks is refused when su gives no remote host" su "$ALICE" \
	"$ID_FAR" "source address not allowed for this key (no remote host given)"

# ---- a rotated key and its .old during the overlap ----------------------------

run_cmd as_user "$ALICE" "$APKCTL" rotate ssh-only --overlap 1h -q
KEY_NEW=$(cat "$E2E_TMP/out")
key_wellformed "$KEY_NEW" || {
	diag_file "$E2E_TMP/err"
	bail "apikeyctl rotate ssh-only --overlap 1h -q printed no key"
}
e2e_secret "$KEY_NEW"
for k in "ssh-only $KEY_NEW" "ssh-only.old $KEY_SSH"; do
	name=${k% *} tok=${k#* }
	log_mark
	ssh_run "$ALICE" "$tok" 'printf "%s %s\n" "$(id -un)" "$PAM_APIKEY_NAME"'
	tap_is "ssh: during the overlap, $name logs in" "$RC $(cat "$E2E_TMP/out")" "0 $ALICE $name"
done

# ---- the restrictions leave the rest alone -----------------------------------

e2e_generate KEY_ANY "$ALICE" --name anywhere
log_mark
su_to "$BOB" "$ALICE" "$KEY_ANY"
log_window "$E2E_TMP/window"
tap_is "su: $BOB becomes $ALICE with her unrestricted key" "$RC $(cat "$E2E_TMP/out")" "0 $ALICE"

tap_no_secret "no key, secret or password in any syslog line" "$E2E_SYSLOG"
tap_no_secret "no key, secret or password in sshd's log" "$SSHD_LOG"

e2e_end
