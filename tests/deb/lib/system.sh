# tests/deb/lib/system.sh - the package tests start from a system without
# the package and put back what they found (sourced after tests/deb/lib/deb.sh,
# never run)
# shellcheck shell=sh disable=SC2034
#
# A script calls deb_save_system once after e2e_begin and deb_restore_system
# in its EXIT trap. A `make install` copy is uninstalled (its files kept), an
# existing pam-apikey account, its database and the record of how it was come
# by are put aside; at exit everything is put back as it was found, also on
# failure. The database and the record wait beside their places in /var/lib,
# where an interrupted run leaves them to be found.

DB_ASIDE=$DEB_DBDIR.check-deb-saved
DEB_RECORD=$DEB_DBDIR.account
RECORD_ASIDE=$DEB_RECORD.check-deb-saved

pkg_status() {
	dpkg-query -W -f='${db:Status-Status}' libpam-apikey 2>/dev/null || echo not-installed
}
pkg_version() { dpkg-query -W -f='${Version}' libpam-apikey 2>/dev/null; }

DEB_SAVED_ACCOUNT=""
DEB_SAVED_GROUP=""
DEB_VERIFY_GROUP=pam-apikey-verify
DEB_SAVED_VERIFY_GROUP=""
DEB_MOVED_DB=0
DEB_MOVED_RECORD=0
DEB_UNINSTALLED=0
DEB_OVERRIDE=0

deb_save_system() {
	SAVED=$E2E_TMP/saved
	case $(pkg_status) in
	not-installed | "") ;;
	*) bail "libpam-apikey is on this system ($(pkg_status)); this test starts without it: apt-get purge libpam-apikey" ;;
	esac
	[ ! -e "$DB_ASIDE" ] ||
		bail "$DB_ASIDE exists (an interrupted run?): put it back as $DEB_DBDIR by hand"
	[ ! -e "$RECORD_ASIDE" ] ||
		bail "$RECORD_ASIDE exists (an interrupted run?): put it back as $DEB_RECORD by hand"
	if dpkg-statoverride --list "$DEB_HELPER" >/dev/null 2>&1; then
		bail "a dpkg-statoverride for $DEB_HELPER exists already; not touching it"
	fi
	mkdir -p "$SAVED/pam.d"
	cp -a /etc/pam.d/common-* "$SAVED/pam.d/" || bail "cannot save /etc/pam.d/common-*"
	cp -a /var/lib/pam "$SAVED/var-lib-pam" || bail "cannot save /var/lib/pam"
	# A `make install` copy puts the module where the package does: its
	# files are kept (as they are, whichever build they came from) and it
	# is uninstalled.
	if [ -e "$BINDIR/apikeyctl" ] || [ -e "$PAMDIR/pam_apikey.so" ]; then
		found=""
		for f in "$PAMDIR/pam_apikey.so" "$BINDIR/apikeyctl" "$MANDIR/man1/apikeyctl.1" \
			"$MANDIR/man5/pam_apikey.conf.5" "$MANDIR/man8/pam_apikey.8" "$COMPDIR/apikeyctl" \
			"$APIKEYD" "$MANDIR/man8/apikeyd.8" "$DOCDIR"; do
			[ -e "$f" ] && found="$found $f"
		done
		# shellcheck disable=SC2086 # a list of absolute paths
		tar -cpPf "$SAVED/make-install.tar" $found ||
			bail "cannot save the make install copy"
		run_cmd make -C "$APK_TOP" uninstall
		[ "$RC" -eq 0 ] || bail "make uninstall of the copy installed by make install"
		DEB_UNINSTALLED=1
		diag "uninstalled a make install copy; put back at exit"
	fi
	if getent passwd "$DEB_ACCOUNT" >/dev/null; then
		DEB_SAVED_ACCOUNT=$(getent passwd "$DEB_ACCOUNT")
		DEB_SAVED_GROUP=$(getent group "$DEB_ACCOUNT")
		diag "the account $DEB_ACCOUNT exists: put aside, restored at exit"
	fi
	# the verify group (make install's, say): put aside, restored at exit
	if DEB_SAVED_VERIFY_GROUP=$(getent group "$DEB_VERIFY_GROUP"); then
		groupdel "$DEB_VERIFY_GROUP" || bail "cannot put the group $DEB_VERIFY_GROUP aside"
	fi
	if [ -e "$DEB_DBDIR" ]; then
		mv "$DEB_DBDIR" "$DB_ASIDE" || bail "cannot move $DEB_DBDIR aside"
		DEB_MOVED_DB=1
		diag "$DEB_DBDIR moved aside to $DB_ASIDE, restored at exit"
	fi
	if [ -e "$DEB_RECORD" ]; then
		mv "$DEB_RECORD" "$RECORD_ASIDE" || bail "cannot move $DEB_RECORD aside"
		DEB_MOVED_RECORD=1
	fi
	if [ -n "$DEB_SAVED_ACCOUNT" ]; then
		userdel "$DEB_ACCOUNT" >/dev/null 2>&1 || bail "cannot put the account $DEB_ACCOUNT aside"
		if getent group "$DEB_ACCOUNT" >/dev/null; then
			groupdel "$DEB_ACCOUNT" || bail "cannot put the group $DEB_ACCOUNT aside"
		fi
	fi
}

deb_restore_system() {
	set +e
	case $(pkg_status) in
	not-installed | "") ;;
	*) apt-get purge -y -q libpam-apikey >/dev/null 2>&1 || dpkg --purge libpam-apikey >/dev/null 2>&1 ;;
	esac
	[ "$DEB_OVERRIDE" -eq 1 ] && dpkg-statoverride --remove "$DEB_HELPER" 2>/dev/null
	if [ -d "$SAVED/pam.d" ]; then
		for f in "$SAVED"/pam.d/common-*; do
			cmp -s "$f" "/etc/pam.d/$(basename "$f")" || cp -a "$f" /etc/pam.d/
		done
	fi
	if [ -d "$SAVED/var-lib-pam" ]; then
		rm -rf /var/lib/pam && cp -a "$SAVED/var-lib-pam" /var/lib/pam
	fi
	if [ -n "$DEB_SAVED_ACCOUNT" ] && ! getent passwd "$DEB_ACCOUNT" >/dev/null; then
		IFS=: read -r name _ uid gid gecos home shell <<EOF
$DEB_SAVED_ACCOUNT
EOF
		if [ -n "$DEB_SAVED_GROUP" ] && ! getent group "$DEB_ACCOUNT" >/dev/null; then
			groupadd --system -g "$(echo "$DEB_SAVED_GROUP" | cut -d: -f3)" "$DEB_ACCOUNT"
		fi
		useradd --system -M -u "$uid" -g "$gid" -c "$gecos" -d "$home" -s "$shell" "$name" ||
			echo "# cleanup: could not restore the account $DEB_ACCOUNT: $DEB_SAVED_ACCOUNT" \
				"(uid $uid now: '$(getent passwd "$uid")', gid $gid now: '$(getent group "$gid")')" >&2
	fi
	# the group as found (the package's purge leaves the one it made)
	getent group "$DEB_VERIFY_GROUP" >/dev/null && groupdel "$DEB_VERIFY_GROUP"
	if [ -n "$DEB_SAVED_VERIFY_GROUP" ]; then
		groupadd --system -g "$(echo "$DEB_SAVED_VERIFY_GROUP" | cut -d: -f3)" \
			-U "$(echo "$DEB_SAVED_VERIFY_GROUP" | cut -d: -f4)" "$DEB_VERIFY_GROUP" ||
			echo "# cleanup: could not restore the group: $DEB_SAVED_VERIFY_GROUP" >&2
	fi
	if [ "$DEB_MOVED_DB" -eq 1 ]; then
		rm -rf "$DEB_DBDIR"
		mv "$DB_ASIDE" "$DEB_DBDIR"
	fi
	rm -f "$DEB_RECORD"
	if [ "$DEB_MOVED_RECORD" -eq 1 ]; then
		mv "$RECORD_ASIDE" "$DEB_RECORD"
	fi
	if [ "$DEB_UNINSTALLED" -eq 1 ]; then
		tar -xpPf "$SAVED/make-install.tar" ||
			echo "# cleanup: could not put back the make install copy" >&2
	fi
}
