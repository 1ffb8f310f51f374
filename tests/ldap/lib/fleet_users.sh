# shellcheck shell=sh disable=SC2034,SC2154 # its variables are the sourcing test's; top, ctl are its too
# tests/ldap/lib/fleet_users.sh - the start every directory test that needs
# local accounts shares (sourced after tests/lib/tap.sh, not run): the root
# skip, the prerequisite check, the accounts' lock, the slapd
# (tests/ldap/lib/slapd.sh), the accounts made and removed, the test's
# directory, the users' pam_apikey.conf and their apikeyctl --fleet.
#
#   fleet_root_only MESSAGE
#                       not root: "ok 1 # SKIP MESSAGE", the test ends
#   fleet_need FILE...  each FILE exists, or one failed test naming it and
#                       the end (an empty FILE: name it as ${X:-name})
#   fleet_start NAME[=UID]...
#                       takes the accounts' lock (alice, bob, admin and the
#                       hosts' account are one test's at a time: the lock
#                       fleetctl.sh, tls.sh, gssapi.sh, sync.sh, sync_poll.sh
#                       and e2e/72_fleet_ssh.sh share), starts slapd with the
#                       SLAPD_* settings the test made (one test), then
#                       makes each NAME a local account (useradd -M, shell
#                       /bin/sh, uid UID or any; UID "system": a system
#                       account with no shell), each removed on exit; the
#                       test fails and ends when one exists already. Makes
#                       t=$SLAPD_DIR/t (755; SLAPD_DIR 711: the ldapi socket
#                       for them all)
#   fleet_pw WHO [OWNER]
#                       $t/WHO.pw: WHO's directory password, OWNER's (default
#                       WHO) alone
#   fleet_conf FILE SETTING=VALUE...
#                       a pam_apikey.conf (root's, 644), "SETTING = VALUE" a line
#   user_conf URI [CACERT [SASL_MECH]]
#                       $t/pam_apikey.conf, the users' own: fleet_uri URI,
#                       fleet_base the people, and fleet_tls_cacert,
#                       fleet_sasl_mech when given
#   as WHO ARGS...      $ctl --fleet run by WHO with $t/pam_apikey.conf and
#                       WHO's password file, standard input closed
#   state               the whole DIT as the rootdn sees it, one hash
#   key_names WHO       the names of WHO's keys in the directory, sorted, each
#                       followed by a space
#
# On exit (slapd.sh's trap): every pid in $pids is stopped, then FLEET_EXIT
# is run (eval) if set, then the accounts are removed. Sets made, pids, t.

fleet_root_only() {
	[ "$(id -u)" -ne 0 ] || return 0
	echo "ok 1 # SKIP $1"
	echo "1..1"
	exit 0
}

fleet_need() {
	for fu_p in "$@"; do
		{ [ -n "$fu_p" ] && [ -e "$fu_p" ]; } ||
			{ echo "not ok 1 - $fu_p missing (make all tests; make deps)"; echo "1..1"; exit 1; }
	done
}

fleet_cleanup() {
	for fu_p in $pids; do
		kill "$fu_p" 2>/dev/null
		wait "$fu_p" 2>/dev/null
	done
	eval "${FLEET_EXIT:-}"
	for fu_u in $made; do userdel "$fu_u" 2>/dev/null; done
}

fleet_start() {
	exec 9>/tmp/apk-fleetctl-users.lock
	flock 9
	made='' pids=''
	# shellcheck disable=SC2016 # run by slapd.sh's exit trap
	ON_EXIT='fleet_cleanup'
	. "$top/tests/ldap/lib/slapd.sh"
	slapd_test_start
	for fu_a in "$@"; do
		if id "${fu_a%%=*}" >/dev/null 2>&1; then
			not_ok "local account ${fu_a%%=*} is free for this test (it exists: remove it)"
			done_testing
			exit 1
		fi
	done
	for fu_a in "$@"; do
		fu_u=${fu_a%%=*}
		case "$fu_a" in
		*=system) useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$fu_u" ;;
		*=*) useradd -M -d /nonexistent -s /bin/sh -u "${fu_a#*=}" "$fu_u" ;;
		*) useradd -M -d /nonexistent -s /bin/sh "$fu_u" ;;
		esac && made="$made $fu_u"
	done
	t=$SLAPD_DIR/t
	mkdir "$t"
	chmod 711 "$SLAPD_DIR"
	chmod 755 "$t"
}

fleet_pw() { install -o "${2:-$1}" -m 600 "$(ldap_pwfile "$1")" "$t/$1.pw"; }

fleet_conf() {
	fu_f=$1
	shift
	for fu_s in "$@"; do
		printf '%s = %s\n' "${fu_s%%=*}" "${fu_s#*=}"
	done >"$fu_f"
	chmod 644 "$fu_f"
}

user_conf() {
	fleet_conf "$t/pam_apikey.conf" "fleet_uri=$1" "fleet_base=ou=people,$SLAPD_BASE" \
		${2:+"fleet_tls_cacert=$2"} ${3:+"fleet_sasl_mech=$3"}
}

as() {
	fu_who=$1
	shift
	APIKEY_POLICY=$t/pam_apikey.conf setpriv --reuid="$fu_who" --regid="$fu_who" --init-groups \
		"$ctl" --fleet --password-file "$t/$fu_who.pw" "$@" </dev/null
}

state() { ldap_as root ldapsearch -LLL -o ldif-wrap=no -b "$SLAPD_BASE" '(objectClass=*)' '*' | sha256sum; }

key_names() {
	ldap_as root ldapsearch -LLL -b "$(ldap_dn "$1")" -s one '(objectClass=pamApiKey)' apiKeyName |
		sed -n 's/^apiKeyName: //p' | sort | tr '\n' ' '
}
