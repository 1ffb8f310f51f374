#!/bin/sh
# tests/deb/30_account.sh - the package and a pam-apikey account that is
# there before it. Another program's system account (its own home) makes
# dpkg -i stop with a message naming it and the way forward, leaving no
# database it owns and apikeyctl not set-user-ID; PAM_APIKEY_ADOPT_ACCOUNT
# adopts it, and purge then deletes the database but keeps the account and
# its files. An account 0.2.0's postinst made is taken over by the upgrade
# without a word, and purge deletes it.
#
# Starts from a system without the package (tests/deb/lib/system.sh puts an
# existing account, database and make install copy aside and back).
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/../e2e/lib/common.sh"
# shellcheck source=tests/deb/lib/deb.sh
. "$(dirname "$0")/lib/deb.sh"
# shellcheck source=tests/deb/lib/system.sh
. "$(dirname "$0")/lib/system.sh"
e2e_begin dpkg dpkg-deb dpkg-query dpkg-statoverride adduser pam-auth-update cmp

export DEBIAN_FRONTEND=noninteractive
unset PAM_APIKEY_ADOPT_ACCOUNT
DBDIR=$DEB_DBDIR
OTHER_HOME=/srv/apkt-other-$$
[ -f "$DEB_FILE" ] || bail "no package in $DEB_OUT: tests/deb/10_build.sh builds it (make check-deb)"

# The account this script made (never the one found: that one is put aside).
TEST_ACCOUNT=0
drop_test_account() {
	if [ "$TEST_ACCOUNT" -eq 1 ]; then
		getent passwd "$DEB_ACCOUNT" >/dev/null && userdel -f "$DEB_ACCOUNT" >/dev/null 2>&1
		getent group "$DEB_ACCOUNT" >/dev/null && groupdel "$DEB_ACCOUNT" >/dev/null 2>&1
		TEST_ACCOUNT=0
	fi
	rm -rf "$OTHER_HOME"
}
trap 'drop_test_account; deb_restore_system; e2e_cleanup' EXIT
deb_save_system

helper_stat() { stat -c '%U %G %a' "$DEB_HELPER" 2>/dev/null; }
record() { cat "$DEB_RECORD" 2>/dev/null; }
# maint_lines: what the maintainer scripts said on stderr.
maint_lines() { grep '^libpam-apikey: ' "$E2E_TMP/err"; }

# ---- another program's account --------------------------------------------------------
useradd --system --home-dir "$OTHER_HOME" --create-home --shell /bin/sh "$DEB_ACCOUNT" ||
	bail "useradd $DEB_ACCOUNT (another program's)"
TEST_ACCOUNT=1
echo "another program's file" >"$OTHER_HOME/data" && chown "$DEB_ACCOUNT:" "$OTHER_HOME/data" ||
	bail "cannot give the account a file"
other=$(getent passwd "$DEB_ACCOUNT")
ouid=$(id -u "$DEB_ACCOUNT")

run_cmd dpkg -i "$DEB_FILE"
want="libpam-apikey: refusing the existing account $DEB_ACCOUNT (uid $ouid, home $OTHER_HOME):"
if [ "$RC" -ne 0 ] && maint_lines | grep -qF "$want" &&
	maint_lines | grep -qF "PAM_APIKEY_ADOPT_ACCOUNT=$DEB_ACCOUNT dpkg --configure libpam-apikey"; then
	tap_ok "dpkg -i stops: postinst refuses $DEB_ACCOUNT, naming it and the way to adopt it"
else
	tap_not_ok "dpkg -i stops: postinst refuses $DEB_ACCOUNT, naming it and the way to adopt it"
	diag "exit status $RC"
	diag_file "$E2E_TMP/err"
fi
tap_is "... the package is left unconfigured" "$(pkg_status)" half-configured
tap_is "... no key database: $DEB_DBDIR does not exist" "$(ls -d "$DEB_DBDIR" 2>/dev/null)" ""
tap_is "... no record: $DEB_RECORD does not exist" "$(ls "$DEB_RECORD" 2>/dev/null)" ""
tap_is "... apikeyctl stays as unpacked, not set-user-ID" "$(helper_stat)" "root root 755"
tap_is "... the account is as it was" "$(getent passwd "$DEB_ACCOUNT")" "$other"

run_cmd env PAM_APIKEY_ADOPT_ACCOUNT=someone-else dpkg --configure libpam-apikey
tap_is "PAM_APIKEY_ADOPT_ACCOUNT naming another account adopts nothing" \
	"$([ "$RC" -ne 0 ] && echo refused) $(pkg_status) $(ls -d "$DEB_DBDIR" 2>/dev/null)" \
	"refused half-configured "

run_cmd env PAM_APIKEY_ADOPT_ACCOUNT="$DEB_ACCOUNT" dpkg --configure libpam-apikey
tap_is "PAM_APIKEY_ADOPT_ACCOUNT=$DEB_ACCOUNT dpkg --configure libpam-apikey adopts it" \
	"$RC $(pkg_status)" "0 installed"
[ "$RC" -eq 0 ] || diag_file "$E2E_TMP/err"
tap_is "... $DEB_DBDIR is the adopted account's, mode 700" \
	"$(stat -c '%F %U %a' "$DEB_DBDIR" 2>/dev/null)" "directory $DEB_ACCOUNT 700"
tap_is "... $DEB_RECORD says it was adopted, root's, mode 644" \
	"$(stat -c '%U %a' "$DEB_RECORD" 2>/dev/null) $(record)" "root 644 adopted $other"
tap_is "... apikeyctl is $DEB_HELPER_STAT" "$(helper_stat)" "$DEB_HELPER_STAT"
run_cmd dpkg -i "$DEB_FILE"
tap_is "installing again needs no word from the admin (the record)" "$RC $(maint_lines)" "0 "

run_cmd dpkg --purge libpam-apikey
tap_is "dpkg --purge after adoption exits 0" "$RC $(pkg_status)" "0 not-installed"
tap_is "... says it leaves the account" "$(maint_lines)" \
	"libpam-apikey: the account $DEB_ACCOUNT is not one this package made; left in place"
tap_is "... keeps the adopted account as it was" "$(getent passwd "$DEB_ACCOUNT")" "$other"
tap_is "... and its group" "$(id -gn "$DEB_ACCOUNT" 2>/dev/null)" "$DEB_ACCOUNT"
tap_is "... and its files" "$(stat -c %U "$OTHER_HOME/data" 2>/dev/null) $(cat "$OTHER_HOME/data")" \
	"$DEB_ACCOUNT another program's file"
tap_is "... deletes the key database (the package's) and the record" \
	"$(ls -d "$DEB_DBDIR" "$DEB_RECORD" 2>/dev/null)" ""
drop_test_account

# ---- an account 0.2.0 made -------------------------------------------------------------
# A copy of this package, versioned below it, with 0.2.0's postinst: it
# makes the account and the database as 0.2.0 did, and keeps no record.
old=$E2E_TMP/old
OLD_VERSION=0.2.0~old
OLD_FILE=$E2E_TMP/libpam-apikey_${OLD_VERSION}.deb
dpkg --compare-versions "$OLD_VERSION" lt "$DEB_VERSION" || bail "$OLD_VERSION is not below $DEB_VERSION"
dpkg-deb -R "$DEB_FILE" "$old" &&
	install -m 0755 "$APK_TOP/tests/fixtures/deb-0.2.0/postinst" "$old/DEBIAN/postinst" &&
	sed -i "s/^Version: .*/Version: $OLD_VERSION/" "$old/DEBIAN/control" &&
	dpkg-deb --root-owner-group -b "$old" "$OLD_FILE" >/dev/null || bail "cannot build $OLD_FILE"
run_cmd dpkg -i "$OLD_FILE"
[ "$RC" -eq 0 ] || { diag_file "$E2E_TMP/err"; bail "dpkg -i $OLD_FILE"; }
TEST_ACCOUNT=1
made=$(getent passwd "$DEB_ACCOUNT")
tap_is "0.2.0's postinst makes $DEB_ACCOUNT and $DEB_DBDIR, and no record" \
	"$(stat -c '%U %a' "$DEB_DBDIR" 2>/dev/null) $(ls "$DEB_RECORD" 2>/dev/null)" "$DEB_ACCOUNT 700 "
install -o "$DEB_ACCOUNT" -g "$DEB_ACCOUNT" -m 0600 "$APK_TOP/tests/fixtures/v1/u0" "$DEB_DBDIR/u0" ||
	bail "cannot put a key file in place"
db_before=$(db_state)

run_cmd dpkg -i "$DEB_FILE"
tap_is "the upgrade from 0.2.0 takes its account over without a word" \
	"$RC $(pkg_status) $(pkg_version) $(maint_lines)" "0 installed $DEB_VERSION "
[ "$RC" -eq 0 ] || diag_file "$E2E_TMP/err"
tap_is "... keeps the account as it was" "$(getent passwd "$DEB_ACCOUNT")" "$made"
tap_is "... records that the package made it" "$(record)" "made $made"
tap_is "... keeps every key file" "$(db_state)" "$db_before"
[ -n "$db_before" ] || tap_not_ok "(there were key files to compare)"

run_cmd dpkg --purge libpam-apikey
tap_is "dpkg --purge exits 0, without a word" "$RC $(pkg_status) $(maint_lines)" "0 not-installed "
tap_is "... deletes the account and the group 0.2.0 made" \
	"$(getent passwd "$DEB_ACCOUNT")$(getent group "$DEB_ACCOUNT")" ""
tap_is "... the key database and the record" "$(ls -d "$DEB_DBDIR" "$DEB_RECORD" 2>/dev/null)" ""
TEST_ACCOUNT=0

e2e_end
