# shellcheck shell=sh disable=SC2034,SC2154 # its variables are the sourcing test's; top, ctl are its too
# tests/ldap/lib/mirror_host.sh - hosts on this machine that mirror the
# directory with apikeyd, and logins against their mirrors (sourced after
# tests/lib/tap.sh, not run), for tests/ldap/sync.sh, sync_poll.sh and
# daemon_verify.sh.
# Needs root: the local accounts and the hosts' account.
#
#   mirror_start SKIP_WHAT NAME[=UID]... [-- HOST...]
#                       not root: skipped ("SKIP_WHAT: needs root"); the
#                       build's programs, libpam_wrapper and pamtester there
#                       or one failed test; then slapd (with the SLAPD_*
#                       settings made before) and the local accounts NAME
#                       (tests/ldap/lib/fleet_users.sh's fleet_start) and the
#                       hosts' account $HOSTUSER (a system account: apikeyd
#                       and pamtester run as it, the databases' owner, as
#                       pam-apikey is installed), the password files of
#                       each NAME, and for each HOST (A, B; default A): its
#                       password file, $t/host-X.conf (host_conf), database
#                       directory $t/dbX and PAM service (the module given
#                       db=$t/dbX); the users' $t/pam_apikey.conf
#   host_conf HOST [MAX_STALE]
#                       $t/host-HOST.conf (HOST: a, b): bound as host-HOST,
#                       fleet_refresh 2 s (persist mode: how often local
#                       accounts are looked up again; polling: how often it
#                       polls), fleet_max_stale MAX_STALE (default 15m)
#   host ARGS...        a program run as $HOSTUSER
#   login USER KEY      pamtester through the module reading host $on's
#                       database (on=A by default, or B), from $RHOST when
#                       set (PAM_RHOST); 0 when accepted; its output in
#                       $t/login.out. A sanitizer build's module gets its
#                       runtimes preloaded first (tests/lib/san_preload.sh),
#                       with leak checks off for pamtester alone. With $svc
#                       set: through that PAM service of $t/pam.d instead;
#                       with $login_as set: pamtester run through that
#                       command (a function like host) instead of host
#   until_login WANT USER KEY TENTHS
#                       until the login's outcome is WANT (0 accepted, 1
#                       refused), trying every 0.1 s at most TENTHS times;
#                       the time it took in $took (ms), from $since when set
#   start_daemon [HOST] host A's (or B's) apikeyd --foreground, its log
#                       $t/daemonX.log, its socket $t/run/X.sock, its pid in
#                       $daemon (A) or $daemonB (B) and in $pids (stopped on
#                       exit)
#   wait_log PATTERN [TENTHS [HOST]]
#                       until host A's (HOST's) log has PATTERN (default 10 s)
#   ms                  now, in milliseconds
#
# Sets ctl, apkd, module, wrapper, HOSTUSER and fleet_users.sh's t, made, pids.

. "$top/tests/ldap/lib/fleet_users.sh"
. "$top/tests/lib/san_preload.sh"
B=${APK_BUILD:-$top/build}
ctl=$B/tests/apikeyctl
apkd=$B/apikeyd
module=$B/pam_apikey.so
wrapper=
for mh_w in /usr/lib/*/libpam_wrapper.so; do [ -e "$mh_w" ] && wrapper=$mh_w; done
mh_san=$(san_preload "$module")
HOSTUSER=apkt-synchost
on=A

mirror_start() {
	fleet_root_only "$1: needs root (useradd)"
	shift
	fleet_need "$ctl" "$apkd" "$module" "$B/tests/fleet_ldif" "${wrapper:-libpam_wrapper.so}" /usr/bin/pamtester
	mh_users='' mh_hosts=''
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		mh_users="$mh_users $1"
		shift
	done
	[ $# -eq 0 ] || shift
	mh_hosts=${*:-A}
	# shellcheck disable=SC2086 # NAME[=UID] words, no spaces
	fleet_start $mh_users "$HOSTUSER=system"
	for mh_u in $mh_users; do fleet_pw "${mh_u%%=*}"; done
	install -d -o $HOSTUSER -m 700 "$t/run"
	mkdir "$t/pam.d"
	for mh_h in $mh_hosts; do
		mh_l=$(echo "$mh_h" | tr AB ab)
		fleet_pw "host-$mh_l" $HOSTUSER
		host_conf "$mh_l"
		install -d -o $HOSTUSER -m 700 "$t/db$mh_h"
		# libpam looks service names up in lower case
		printf 'auth required %s db=%s nodelay\naccount required pam_permit.so\n' "$module" "$t/db$mh_h" \
			>"$t/pam.d/apkt-mirror-$mh_l"
	done
	user_conf "$SLAPD_LDAPI"
}

host_conf() {
	fleet_conf "$t/host-$1.conf" "fleet_uri=$SLAPD_LDAPI" "fleet_base=$SLAPD_BASE" \
		"fleet_bind_dn=$(ldap_dn "host-$1")" "fleet_bind_password_file=$t/host-$1.pw" \
		"fleet_host_name=host-$1" "fleet_max_stale=${2:-15m}" "fleet_refresh=2s"
}

host() { setpriv --reuid=$HOSTUSER --regid=$HOSTUSER --clear-groups "$@"; }

login() {
	printf '%s\n' "$2" | ${login_as:-host} env LD_PRELOAD="$mh_san$wrapper" ${mh_san:+ASAN_OPTIONS=detect_leaks=0} \
		PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR="$t/pam.d" timeout 20 pamtester ${RHOST:+-I "rhost=$RHOST"} \
		"${svc:-apkt-mirror-$(echo "$on" | tr AB ab)}" "$1" authenticate >"$t/login.out" 2>&1
}

ms() { date +%s%3N; }

until_login() {
	mh_t0=${since:-$(ms)}
	mh_i=0
	while :; do
		login "$2" "$3"
		mh_r=$?
		took=$(($(ms) - mh_t0))
		if { [ "$1" -eq 0 ] && [ $mh_r -eq 0 ]; } || { [ "$1" -eq 1 ] && [ $mh_r -ne 0 ]; }; then
			return 0
		fi
		[ $mh_i -lt "$4" ] || return 1
		sleep 0.1
		mh_i=$((mh_i + 1))
	done
}

start_daemon() {
	mh_h=${1:-A}
	: >"$t/daemon$mh_h.log"
	# not through host(): $! must be apikeyd's pid (setpriv executes it)
	setpriv --reuid=$HOSTUSER --regid=$HOSTUSER --clear-groups "$apkd" --foreground \
		--config "$t/host-$(echo "$mh_h" | tr AB ab).conf" --db "$t/db$mh_h" --socket "$t/run/$mh_h.sock" \
		>"$t/daemon$mh_h.log" 2>&1 &
	if [ "$mh_h" = A ]; then daemon=$!; else daemonB=$!; fi
	pids="$pids $!"
}

wait_log() { wait_until "${2:-100}" - grep -q "$1" "$t/daemon${3:-A}.log"; }
