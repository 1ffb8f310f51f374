#!/bin/sh
# tests/e2e/01_install.sh - `make install` and `make uninstall` as a
# distribution would use them: staged (DESTDIR) as root and as an ordinary
# user, refused for an existing account pam_apikey did not make, then the
# real install the other end-to-end scripts use.
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/lib/common.sh"
e2e_begin man bash cmp

stage=$E2E_TMP/stage
helper_mode() { stat -c '%U %G %a' "$1" 2>/dev/null; }

# ---- staged install as root -------------------------------------------------
run_cmd make -C "$APK_TOP" install DESTDIR="$stage" PREFIX=/usr
tap_is "staged make install as root exits 0" "$RC" 0
[ "$RC" -eq 0 ] || diag_file "$E2E_TMP/err"
sbin=$stage/usr/bin/apikeyctl
tap_run "staged module is the build, in PAMDIR $PAMDIR" \
	cmp "$APK_BUILD/pam_apikey.so" "$stage$PAMDIR/pam_apikey.so"
tap_is "staged module is root's, mode 644" \
	"$(stat -c '%U %a' "$stage$PAMDIR/pam_apikey.so" 2>/dev/null)" "root 644"
tap_is "staged apikeyctl is set-user-ID root, root:root, mode 4711" \
	"$(helper_mode "$sbin")" "root root 4711"
tap_is "staged apikeyd is in sbin, root's, mode 755" \
	"$(stat -c '%U %a' "$stage/usr/sbin/apikeyd" 2>/dev/null)" "root 755"
tap_is "staged apikeyctl-fleet is in libexec/pam_apikey, root's, mode 755 (not set-user-ID)" \
	"$(stat -c '%U %a' "$stage/usr/libexec/pam_apikey/apikeyctl-fleet" 2>/dev/null)" "root 755"
tap_is "staged database directory is $HELPER_USER's, mode 700" \
	"$(stat -c '%F %U %a' "$stage$DBDIR" 2>/dev/null)" "directory $HELPER_USER 700"
ok=0
for f in usr/share/man/man1/apikeyctl.1 usr/share/man/man5/pam_apikey.conf.5 usr/share/man/man8/pam_apikey.8 \
	usr/share/man/man8/apikeyd.8 \
	usr/share/bash-completion/completions/apikeyctl; do
	if [ "$(stat -c '%U %a' "$stage/$f" 2>/dev/null)" != "root 644" ]; then
		diag "missing or wrong mode: $f"
		ok=1
	fi
done
tap_check "staged man pages and bash completion, mode 644" "$ok"
tap_examples "staged example PAM files" "$stage/usr/share/doc/pam_apikey/examples"

# The database directory and whatever is in it survive an uninstall.
echo "not a real database" >"$stage$DBDIR/e2e-sentinel"
run_cmd make -C "$APK_TOP" uninstall DESTDIR="$stage" PREFIX=/usr
tap_is "staged make uninstall exits 0" "$RC" 0
left=$(cd "$stage" && find . ! -type d ! -path ".$DBDIR/*")
tap_is "staged uninstall removes every file it installed" "$left" ""
tap_is "staged uninstall keeps the database directory and its content" \
	"$(cat "$stage$DBDIR/e2e-sentinel" 2>/dev/null)" "not a real database"
tap_is "staged uninstall removes its own doc and libexec directories" \
	"$(ls -d "$stage/usr/share/doc/pam_apikey" "$stage/usr/libexec/pam_apikey" 2>/dev/null)" ""

# ---- staged install as an ordinary user --------------------------------------
nstage=$E2E_TMP/nobody
mkdir "$nstage" && chown nobody "$nstage"
chmod 0711 "$E2E_TMP"
if runuser -u nobody -- test -r "$APK_TOP/Makefile" &&
	runuser -u nobody -- make -q -C "$APK_TOP" all 2>/dev/null; then
	run_cmd as_user nobody make -C "$APK_TOP" install DESTDIR="$nstage/root" PREFIX=/usr
	tap_is "staged make install as an ordinary user exits 0" "$RC" 0
	[ "$RC" -eq 0 ] || diag_file "$E2E_TMP/err"
	tap_is "unprivileged staged apikeyctl is not setuid (the packager sets it)" \
		"$(stat -c '%U %a' "$nstage/root/usr/bin/apikeyctl" 2>/dev/null)" "nobody 755"
	grep -q "useradd --system" "$E2E_TMP/out"
	tap_check "unprivileged staged install tells the packager what to do" $?
	run_cmd as_user nobody make -C "$APK_TOP" install
	if [ "$RC" -ne 0 ] && grep -q "needs root" "$E2E_TMP/err"; then
		tap_ok "make install to the system as an ordinary user is refused"
	else
		tap_not_ok "make install to the system as an ordinary user is refused"
		diag "exit status $RC"
		diag_file "$E2E_TMP/err"
	fi
else
	tap_skip "the tree is not readable or not built for nobody"
	tap_skip "(unprivileged staged install)"
	tap_skip "(unprivileged staged install)"
	tap_skip "(unprivileged install refused)"
fi
chmod 0700 "$E2E_TMP"

# ---- an existing account pam_apikey did not make ------------------------------
# Another program's system account, with its own home, under the helper
# account's name (HELPER_USER= gives the staged install that name): the
# install stops before it changes anything, unless the admin adopts it.
other=apkt-other-$$
useradd --system --home-dir "$E2E_TMP/other-home" --create-home --shell /bin/sh "$other" ||
	bail "useradd $other"
E2E_USERS="$E2E_USERS $other"
ostage=$E2E_TMP/other-stage
record=$DBDIR.account
record_before=$(sha256sum "$record" 2>/dev/null)
run_cmd make -C "$APK_TOP" install DESTDIR="$ostage" PREFIX=/usr HELPER_USER="$other"
if [ "$RC" -ne 0 ] && grep -q "install-helper: refusing the existing account $other (uid .*home $E2E_TMP/other-home).*PAM_APIKEY_ADOPT_ACCOUNT=$other\$" "$E2E_TMP/err"; then
	tap_ok "make install refuses the existing account $other, naming it and the way to adopt it"
else
	tap_not_ok "make install refuses the existing account $other, naming it and the way to adopt it"
	diag "exit status $RC"
	diag_file "$E2E_TMP/err"
fi
tap_is "... and installs nothing" "$(find "$ostage" 2>/dev/null)" ""
tap_is "... and leaves the record $record as it was" "$(sha256sum "$record" 2>/dev/null)" "$record_before"
run_cmd make -C "$APK_TOP" install DESTDIR="$ostage" PREFIX=/usr HELPER_USER="$other" \
	PAM_APIKEY_ADOPT_ACCOUNT="$HELPER_USER"
tap_is "adopting another account's name does not adopt $other" "$RC$(find "$ostage" 2>/dev/null)" 2
run_cmd make -C "$APK_TOP" install DESTDIR="$ostage" PREFIX=/usr HELPER_USER="$other" \
	PAM_APIKEY_ADOPT_ACCOUNT="$other"
tap_is "make install PAM_APIKEY_ADOPT_ACCOUNT=$other adopts it (exit status)" "$RC" 0
[ "$RC" -eq 0 ] || diag_file "$E2E_TMP/err"
tap_is "... the database directory is then $other's, mode 700" \
	"$(stat -c '%F %U %a' "$ostage$DBDIR" 2>/dev/null)" "directory $other 700"
run_cmd make -C "$APK_TOP" uninstall DESTDIR="$ostage" PREFIX=/usr HELPER_USER="$other"
tap_is "... and staged make uninstall keeps the account $other" \
	"$RC $(getent passwd "$other" | cut -d: -f1,6)" "0 $other:$E2E_TMP/other-home"

# ---- the real install --------------------------------------------------------
e2e_install
tap_ok "make install (PREFIX=$(make_var PREFIX)) installs this build"
if [ -e "$PAMDIR/pam_unix.so" ] && cmp -s "$APK_BUILD/pam_apikey.so" "$PAMDIR/pam_apikey.so"; then
	tap_ok "pam_apikey.so sits beside pam_unix.so in $PAMDIR"
else
	tap_not_ok "pam_apikey.so sits beside pam_unix.so in $PAMDIR"
fi
tap_is "$APKCTL is set-user-ID root, root:root, mode 4711" \
	"$(helper_mode "$APKCTL")" "root root 4711"
# cannot_write_as_helper PATH: ok when the helper account's open of PATH
# for writing (or its creation of a file in PATH, a directory) is refused
# with "Permission denied".
cannot_write_as_helper() {
	if [ -d "$1" ]; then
		what='f=$1/.apkt-write-test; : >"$f" && rm -f "$f"'
	else
		what=': >>"$1"'
	fi
	got=$(setpriv --reuid="$HELPER_USER" --regid="$(id -g "$HELPER_USER")" --clear-groups \
		sh -c "$what" sh "$1" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] && printf '%s' "$got" | grep -q "Permission denied"; then
		tap_ok "$HELPER_USER cannot write $1"
	else
		tap_not_ok "$HELPER_USER cannot write $1"
		diag "status $rc: $got"
	fi
}
cannot_write_as_helper "$APKCTL"
cannot_write_as_helper "$(dirname "$APKCTL")"
huid=$(id -u "$HELPER_USER")
uid_min=$(awk '$1 == "UID_MIN" { print $2 }' /etc/login.defs)
if [ "$huid" -gt 0 ] && [ "$huid" -lt "${uid_min:-1000}" ]; then
	tap_ok "$HELPER_USER is a system account (uid $huid)"
else
	tap_not_ok "$HELPER_USER is a system account (uid $huid)"
fi
tap_is "$HELPER_USER has no login shell and lives in $DBDIR" \
	"$(getent passwd "$HELPER_USER" | cut -d: -f6,7)" "$DBDIR:/usr/sbin/nologin"
tap_is "$DBDIR is $HELPER_USER's, mode 700" \
	"$(stat -c '%F %U %a' "$DBDIR" 2>/dev/null)" "directory $HELPER_USER 700"
vgid=$(getent group "$VERIFY_GROUP" | cut -d: -f3)
if [ -n "$vgid" ] && [ "$vgid" -gt 0 ] && [ "$vgid" -lt "${uid_min:-1000}" ] &&
	[ -z "$(getent group "$VERIFY_GROUP" | cut -d: -f4)" ]; then
	tap_ok "the system group $VERIFY_GROUP exists (gid $vgid), with no member"
else
	tap_not_ok "the system group $VERIFY_GROUP exists, with no member"
	diag "$(getent group "$VERIFY_GROUP")"
fi
tap_is "apikeyd is in $SBINDIR, root's, mode 755" "$(stat -c '%U %a' "$APIKEYD" 2>/dev/null)" \
	"root 755"
# (Debian's /usr/local/man is a link to share/man: compare real paths.)
found=$(man -w 1 apikeyctl 2>/dev/null) && found=$(readlink -f "$found")
tap_is "man finds apikeyctl(1)" "$found" "$(readlink -f "$MANDIR/man1/apikeyctl.1")"
found=$(man -w 8 pam_apikey 2>/dev/null) && found=$(readlink -f "$found")
tap_is "man finds pam_apikey(8)" "$found" "$(readlink -f "$MANDIR/man8/pam_apikey.8")"
found=$(man -w 5 pam_apikey.conf 2>/dev/null) && found=$(readlink -f "$found")
tap_is "man finds pam_apikey.conf(5)" "$found" "$(readlink -f "$MANDIR/man5/pam_apikey.conf.5")"
found=$(man -w 8 apikeyd 2>/dev/null) && found=$(readlink -f "$found")
tap_is "man finds apikeyd(8)" "$found" "$(readlink -f "$MANDIR/man8/apikeyd.8")"
for page in "$MANDIR/man1/apikeyctl.1" "$MANDIR/man5/pam_apikey.conf.5" "$MANDIR/man8/pam_apikey.8" \
	"$MANDIR/man8/apikeyd.8"; do
	w=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
		man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
	tap_is "man --warnings has nothing to say about $(basename "$page")" "$w" ""
	tap_is "$(basename "$page") names version $(make_var VERSION), no placeholder left" \
		"$(grep -c -F "pam_apikey $(make_var VERSION)" "$page") $(grep -c '@[A-Z_]*@' "$page")" "1 0"
done
run_cmd bash -c ". '$COMPDIR/apikeyctl' && complete -p apikeyctl"
tap_is "the installed bash completion registers for apikeyctl" "$RC" 0
tap_examples "example PAM files in $DOCDIR/examples" "$DOCDIR/examples"
run_cmd as_user nobody "$APKCTL" --version
tap_is "the installed apikeyctl runs for an ordinary user" "$RC" 0

# Installing again changes nothing that matters, least of all the keys.
before=$(stat -c '%U %a' "$DBDIR"; db_state)
run_cmd make -C "$APK_TOP" install
after=$(stat -c '%U %a' "$DBDIR"; db_state)
tap_is "make install again exits 0" "$RC" 0
tap_is "make install again leaves the database directory and file alone" "$after" "$before"
tap_is "make install again keeps apikeyctl set-user-ID root, mode 4711" \
	"$(helper_mode "$APKCTL")" "root root 4711"
# How the install came by the account: made, or adopted by the admin.
line=$(cat "$record" 2>/dev/null)
case $line in
"made $(getent passwd "$HELPER_USER")" | "adopted $(getent passwd "$HELPER_USER")")
	tap_ok "$record records how the install came by $HELPER_USER (${line%% *})" ;;
*)
	tap_not_ok "$record records how the install came by $HELPER_USER"
	diag "got: '$line'" ;;
esac
tap_is "$record is root's, mode 644" "$(stat -c '%U %a' "$record" 2>/dev/null)" "root 644"

e2e_end
