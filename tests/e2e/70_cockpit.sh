#!/bin/sh
# tests/e2e/70_cockpit.sh - the Cockpit page "API keys" in a real browser:
# the build and the page installed (make install, make install-cockpit), a
# cockpit-ws of our own on 127.0.0.1 and a random port (no TLS, no systemd;
# it logs users in through cockpit-session and the PAM service cockpit), and
# Debian's headless Chromium driven by chromium-driver and python3-selenium
# (tests/e2e/lib/cockpit_browser.py). Two users log in with their
# passwords; the first generates, edits, disables, enables, rotates and
# deletes keys through the page, each step checked against apikeyctl list
# --json and the keys read from the dialogs logging in through pamtester;
# the second sees none of them; an admin (group sudo) switches Cockpit to
# administrative access and manages the second's keys. Then, with pam_apikey in Cockpit's PAM
# stack (forward_pass), a key logs in to Cockpit itself. The screenshots
# doc/cockpit-*.png are this run's.
#
# The script runs in a private mount namespace: the policy it needs
# (/etc/security/pam_apikey.conf, max_lifetime = 3650) and the changed
# /etc/pam.d/cockpit are copies bind-mounted over the system's, seen by
# nothing outside, gone when the script ends, even if it is killed.
if [ "$(id -u)" -eq 0 ] && [ -z "${APKT_COCKPIT_NS:-}" ]; then
	APKT_COCKPIT_NS=1 exec unshare --mount --propagation private -- sh "$0" "$@"
fi
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
e2e_begin pamtester unshare mount usermod sudo /usr/lib/cockpit/cockpit-ws /usr/bin/chromium \
	/usr/bin/chromedriver
[ -n "${APKT_COCKPIT_NS:-}" ] || bail "not in a private mount namespace"
"$E2E_PY" -c 'import selenium' 2>/dev/null || bail "python3-selenium is missing (run: make deps)"

e2e_install
# the page, as `make install-cockpit` puts it; removed at exit unless it
# was installed before
COCKPIT_DIR=$(make_var COCKPIT_DIR)
[ -n "$COCKPIT_DIR" ] || bail "no COCKPIT_DIR from the Makefile"
page_was_there=0
[ -e "$COCKPIT_DIR/manifest.json" ] && page_was_there=1
cockpit_cleanup() {
	[ "$page_was_there" -eq 1 ] || make -C "$APK_TOP" uninstall-cockpit >/dev/null 2>&1
	e2e_cleanup
}
trap cockpit_cleanup EXIT
make -C "$APK_TOP" install-cockpit >"$E2E_TMP/install-cockpit.log" 2>&1 || {
	diag_file "$E2E_TMP/install-cockpit.log"
	bail "make install-cockpit"
}
tap_ok "make install-cockpit puts the page in $COCKPIT_DIR"

# the administrator's policy, in this namespace only
cp -a /etc/security "$E2E_TMP/security" || bail "copy /etc/security"
printf 'max_lifetime = 3650\ndefault_lifetime = 365\n' >"$E2E_TMP/security/pam_apikey.conf"
chown 0:0 "$E2E_TMP/security/pam_apikey.conf" && chmod 0644 "$E2E_TMP/security/pam_apikey.conf"
mount --bind "$E2E_TMP/security" /etc/security || bail "mount over /etc/security"

e2e_add_user ONE one
e2e_add_user TWO two
e2e_add_user ADMIN admin
usermod -aG sudo "$ADMIN" || bail "usermod -aG sudo $ADMIN"
SVC=apkt-cockpit-$$
e2e_pam_service "$SVC" <<EOF
auth    required pam_apikey.so nodelay
account required pam_unix.so
EOF

# cockpit-ws on a free port of 127.0.0.1
PORT=$("$E2E_PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
/usr/lib/cockpit/cockpit-ws --no-tls --port "$PORT" --address 127.0.0.1 \
	>"$E2E_TMP/cockpit-ws.log" 2>&1 9>&- &
E2E_PIDS="$E2E_PIDS $!"
URL=http://127.0.0.1:$PORT
i=0
until "$E2E_PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
	"$URL/" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -lt 50 ] || { diag_file "$E2E_TMP/cockpit-ws.log"; bail "cockpit-ws does not answer on $URL"; }
	sleep 0.2
done
tap_ok "cockpit-ws answers on $URL"

# browser PHASE: runs cockpit_browser.py PHASE, its TAP counted as ours
browser() {
	t0=$(date +%s)
	URL=$URL USER1=$ONE PW1=$ONE_PW USER2=$TWO PW2=$TWO_PW ADMIN=$ADMIN ADMIN_PW=$ADMIN_PW \
		APKCTL=$APKCTL PAM_SERVICE=$SVC \
		SHOTS=$APK_TOP/doc WORK=$E2E_TMP KEYFILE=$E2E_TMP/key TAP_START=$T_N \
		timeout 300 "$E2E_PY" "$E2E_LIB/cockpit_browser.py" "$1" >"$E2E_TMP/browser.out" 2>"$E2E_TMP/browser.err"
	rc=$?
	grep -v '^TAP_N=' "$E2E_TMP/browser.out"
	n=$(sed -n 's/^TAP_N=//p' "$E2E_TMP/browser.out")
	failed=$(grep -c '^not ok' "$E2E_TMP/browser.out")
	echo "# cockpit_browser.py $1: $(($(date +%s) - t0)) s"
	T_N=${n:-$T_N}
	T_FAILED=$((T_FAILED + failed))
	if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
		tap_not_ok "cockpit_browser.py $1 exited with status $rc"
		diag_file "$E2E_TMP/browser.err"
	fi
}

browser page
browser admin
[ -s "$E2E_TMP/key" ] && e2e_secret "$(cat "$E2E_TMP/key")"

# pam_apikey in Cockpit's own stack, before the password: a key or the
# password answers Cockpit's login
sed 's/^auth[[:space:]]*substack[[:space:]]*common-auth/auth       [success=1 default=ignore] pam_apikey.so forward_pass\n&/' \
	/etc/pam.d/cockpit >"$E2E_TMP/cockpit.pam"
chmod 0644 "$E2E_TMP/cockpit.pam"
grep -q '^auth .*pam_apikey.so forward_pass$' "$E2E_TMP/cockpit.pam" ||
	bail "/etc/pam.d/cockpit has no 'auth substack common-auth' line to put pam_apikey before"
mount --bind "$E2E_TMP/cockpit.pam" /etc/pam.d/cockpit || bail "mount over /etc/pam.d/cockpit"
browser apikey
umount /etc/pam.d/cockpit

tap_no_secret "no key or password in cockpit-ws's output" "$E2E_TMP/cockpit-ws.log"
e2e_end
