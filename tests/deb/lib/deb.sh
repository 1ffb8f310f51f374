# tests/deb/lib/deb.sh - shared by the Debian package tests (sourced after
# tests/e2e/lib/common.sh, never run)
# shellcheck shell=sh disable=SC2034
#
# The package tests build into $DEB_OUT: 10_build.sh makes the package of
# this tree (make deb) and one with a higher version, to upgrade to; the
# later scripts install those.

DEB_OUT=$APK_BUILD/deb-test
DEB_ARCH=$(dpkg --print-architecture)
DEB_MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
DEB_VERSION=$(make_var VERSION)
# The upgrade's version: above this one in dpkg's order.
DEB_VERSION_NEXT=$DEB_VERSION+1
DEB_FILE=$DEB_OUT/libpam-apikey_${DEB_VERSION}_$DEB_ARCH.deb
DEB_FILE_NEXT=$DEB_OUT/libpam-apikey_${DEB_VERSION_NEXT}_$DEB_ARCH.deb

# What the package installs, and the owner and mode its postinst gives
# apikeyctl ("user group mode" as stat prints them).
DEB_PAMDIR=/usr/lib/$DEB_MULTIARCH/security
DEB_MODULE=$DEB_PAMDIR/pam_apikey.so
DEB_HELPER=/usr/bin/apikeyctl
DEB_HELPER_STAT="root root 4711"
DEB_DOCDIR=/usr/share/doc/libpam-apikey
DEB_PROFILE=/usr/share/pam-configs/apikey
DEB_ACCOUNT=pam-apikey
DEB_DBDIR=/var/lib/pam_apikey
