#!/bin/sh
# tests/deb/40_web.sh - API keys through nginx and Apache on the Debian
# package alone: apt-get install ./libpam-apikey_*.deb, then everything
# from what the package installed - the group pam-apikey-verify its postinst
# made, the daemon started as its systemd unit's ExecStart= says, the
# example PAM file and sites from its examples directory, the installed
# module and apikeyctl - and tests/e2e/lib/web.sh's cases (curl -u,
# --netrc-file, Python requests; 200, and 401 with one log line for each
# refusal) through nginx's auth_pam, then through Apache's mod_authnz_pam.
#
# systemd is not PID 1 here (nor in CI): the unit file is checked with
# `systemd-analyze verify` and its ExecStart= run by hand, as root, in the
# runtime directory the unit's RuntimeDirectory= would make; what systemd
# alone does (starting it at boot, the sandbox settings) is not exercised.
#
# Starts from a system without the package (tests/deb/lib/system.sh puts an
# existing account, database, group and make install copy aside and back).
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/../e2e/lib/common.sh"
# shellcheck source=tests/deb/lib/deb.sh
. "$(dirname "$0")/lib/deb.sh"
# shellcheck source=tests/deb/lib/system.sh
. "$(dirname "$0")/lib/system.sh"
e2e_begin apt-get dpkg-query systemd-analyze deb-systemd-helper readlink man nginx apache2 curl openssl usermod

export DEBIAN_FRONTEND=noninteractive
[ -f "$DEB_FILE" ] || bail "no package in $DEB_OUT: tests/deb/10_build.sh builds it (make check-deb)"
UNIT=/lib/systemd/system/apikeyd.service

# The run directory as the unit's RuntimeDirectory= leaves it (root's, 0750),
# when this test makes it; removed at exit (RuntimeDirectoryPreserve=no).
MADE_RUNDIR=0
# shellcheck disable=SC2317 # (the EXIT traps')
deb_web_restore() {
	[ "$MADE_RUNDIR" -eq 1 ] && rm -rf "$RUNDIR"
	deb_restore_system
}
# shellcheck disable=SC2034 # web.sh's
WEB_EXIT_HOOK=deb_web_restore
trap 'deb_web_restore; e2e_cleanup' EXIT
deb_save_system

tap_run "apt-get install ./$(basename "$DEB_FILE")" apt-get -y -q install "$DEB_FILE"
[ "$(pkg_status)" = installed ] || bail "the package did not install"

# Everything from here on is the package's.
APKCTL=$DEB_HELPER
APIKEYD=/usr/sbin/apikeyd
DBDIR=$DEB_DBDIR
VERIFY_GROUP=$DEB_VERIFY_GROUP
EXAMPLES=$DEB_DOCDIR/examples
WEB_PAM_EXAMPLE=$EXAMPLES/apikey-http
WEB_NGINX_EXAMPLE=$EXAMPLES/nginx-apikey.conf
WEB_APACHE_EXAMPLE=$EXAMPLES/apache-apikey.conf
for f in "$WEB_PAM_EXAMPLE" "$WEB_NGINX_EXAMPLE" "$WEB_APACHE_EXAMPLE" "$UNIT"; do
	[ -f "$f" ] || bail "the package installed no $f"
done

# ---- the unit -------------------------------------------------------------------------
# (systemd-analyze verify exits 0 on unknown keys and bad values too: only
# their messages tell, so any output fails)
run_cmd systemd-analyze verify "$UNIT"
tap_is "systemd-analyze verify $UNIT: status 0, not a word" \
	"$RC $(cat "$E2E_TMP/out" "$E2E_TMP/err")" "0 "
if [ -s "$E2E_TMP/err" ]; then diag_file "$E2E_TMP/err"; fi
# enabled as systemd would find it at boot: the link its [Install] asks for
WANTS=/etc/systemd/system/multi-user.target.wants/apikeyd.service
tap_is "the package enabled the unit: $WANTS -> $UNIT" "$(readlink "$WANTS")" "$UNIT"
[ "$(readlink "$WANTS")" = "$UNIT" ] || {
	run_cmd deb-systemd-helper is-enabled apikeyd.service
	diag "deb-systemd-helper is-enabled: status $RC, $(cat "$E2E_TMP/err")"
	diag "$(ls -l /etc/systemd/system/multi-user.target.wants/ /var/lib/systemd/deb-systemd-helper-enabled/ 2>&1)"
}
WEB_APIKEYD=$(sed -n 's/^ExecStart=//p' "$UNIT")
tap_is "the unit starts $APIKEYD --foreground" "$WEB_APIKEYD" "$APIKEYD --foreground"
diag "the package's account: $(getent passwd "$DEB_ACCOUNT"); its groups: $(getent group "$DEB_ACCOUNT") $(getent group "$VERIFY_GROUP")"
tap_is "the group $VERIFY_GROUP is there, empty (postinst)" \
	"$(getent group "$VERIFY_GROUP" | cut -d: -f1,4)" "$VERIFY_GROUP:"
if [ ! -e "$RUNDIR" ]; then
	mkdir -m 0750 "$RUNDIR" || bail "mkdir $RUNDIR"
	MADE_RUNDIR=1
fi

# ---- nginx ----------------------------------------------------------------------------
e2e_syslog_start
. "$E2E_LIB/web.sh"
# the daemon as the unit runs it, the accounts, the example PAM file
web_setup deb
# (its pid: other apikeyd processes may run on the machine, other tests')
dpid=$WEB_APIKEYD_PID
h=$(id -u "$DEB_ACCOUNT")
tap_is "the daemon the unit starts, started by root, runs as $DEB_ACCOUNT (real, effective, saved uid)" \
	"$(awk '/^Uid:/ { print $2, $3, $4 }' "/proc/$dpid/status" 2>/dev/null)" "$h $h $h"
tap_is "it made $RUNDIR $DEB_ACCOUNT:$VERIFY_GROUP, mode 750" \
	"$(stat -c '%U:%G %a' "$RUNDIR")" "$DEB_ACCOUNT:$VERIFY_GROUP 750"
diag "nginx with the package's $WEB_NGINX_EXAMPLE"
web_nginx
web_cases "$D/access.log"

# ---- Apache ---------------------------------------------------------------------------
web_stop_server
for u in $E2E_USERS; do
	e2e_delete_keys "$u"
done
rm -f "$D/access.log"
diag "Apache with the package's $WEB_APACHE_EXAMPLE"
web_apache_site
web_apache
web_cases "$D/access.log"

e2e_end
