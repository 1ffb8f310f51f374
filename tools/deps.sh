#!/bin/sh
# tools/deps.sh - the one list of Debian packages pam_apikey needs to build and test.
#   tools/deps.sh check    exit 0 when all are installed; as root install what is
#                          missing, otherwise print the exact command and exit 1
#   tools/deps.sh install  install them all (root)
#   tools/deps.sh list     print the list
set -u

PACKAGES="build-essential pkg-config
libpam0g-dev libsodium-dev libgdbm-dev libcmocka-dev
libpam-modules libpam-runtime pamtester libpam-wrapper libpamtest0-dev libnss-wrapper
openssh-server openssh-client sshpass passwd login util-linux procps python3
clang llvm valgrind cppcheck man-db groff-base gnuplot-nox db5.3-util
dpkg-dev debhelper lintian systemd
slapd ldap-utils libldap-dev libnss-db libsasl2-dev krb5-kdc krb5-admin-server krb5-user libsasl2-modules-gssapi-mit
cockpit-ws cockpit-bridge cockpit-system chromium chromium-driver python3-selenium sudo
nginx libnginx-mod-http-auth-pam apache2 libapache2-mod-authnz-pam apache2-utils curl openssl
python3-requests git"

missing() {
	for p in $PACKAGES; do
		s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
		case "$s" in *" installed") ;; *) printf '%s ' "$p" ;; esac
	done
}

install_pkgs() {
	export DEBIAN_FRONTEND=noninteractive
	# An openssh-server install must not start a system sshd from a test run.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
		rm_policy=1
	fi
	apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@" >/dev/null
	rc=$?
	[ "${rm_policy:-0}" = 1 ] && rm -f /usr/sbin/policy-rc.d
	return $rc
}

case "${1:-check}" in
list)
	echo $PACKAGES
	;;
install)
	[ "$(id -u)" -eq 0 ] || { echo "deps: run as root: sudo make deps" >&2; exit 1; }
	# shellcheck disable=SC2086
	install_pkgs $PACKAGES
	;;
check)
	m=$(missing)
	[ -z "$m" ] && exit 0
	if [ "$(id -u)" -eq 0 ]; then
		echo "deps: installing missing packages: $m"
		# shellcheck disable=SC2086
		install_pkgs $m || { echo "deps: apt-get install failed" >&2; exit 1; }
		m=$(missing)
		[ -z "$m" ] && exit 0
		echo "deps: still missing: $m" >&2
		exit 1
	fi
	echo "deps: missing packages; run: sudo apt-get install $m" >&2
	echo "deps: (or: sudo make deps)" >&2
	exit 1
	;;
*)
	echo "usage: tools/deps.sh check|install|list" >&2
	exit 2
	;;
esac
