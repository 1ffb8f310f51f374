#!/bin/sh
# tests/deb/10_build.sh - the Debian package builds from this tree: `make
# deb` leaves libpam-apikey_VERSION_ARCH.deb at the top and nothing in the
# checkout's parent; the files are where Debian wants them; lintian reports
# no error and no warning; a changelog that disagrees with the Makefile's
# VERSION stops the build. Also builds the next version, which
# 20_lifecycle.sh upgrades to.
# shellcheck source=tests/e2e/lib/common.sh
. "$(dirname "$0")/../e2e/lib/common.sh"
# shellcheck source=tests/deb/lib/deb.sh
. "$(dirname "$0")/lib/deb.sh"
e2e_begin dpkg-buildpackage dpkg-deb dh lintian nm zcat

[ -n "$DEB_VERSION" ] && [ -n "$DEB_MULTIARCH" ] || bail "no VERSION from the Makefile or no multiarch triplet"
rm -rf "$DEB_OUT"
mkdir -p "$DEB_OUT" || bail "mkdir $DEB_OUT"
parent=$(dirname "$APK_TOP")
top_deb=$APK_TOP/$(basename "$DEB_FILE")

# ---- make deb -------------------------------------------------------------------
ls -A "$parent" >"$E2E_TMP/parent.before"
rm -f "$top_deb"
run_cmd make -C "$APK_TOP" deb
if [ "$RC" -eq 0 ] && [ -f "$top_deb" ]; then
	tap_ok "make deb builds $(basename "$top_deb") at the top of the tree"
	cp "$top_deb" "$DEB_FILE" || bail "cp $top_deb"
else
	tap_not_ok "make deb builds $(basename "$top_deb") at the top of the tree"
	diag "exit status $RC"
	diag_file "$E2E_TMP/out"
	diag_file "$E2E_TMP/err"
	bail "no package to test"
fi
ls -A "$parent" >"$E2E_TMP/parent.after"
tap_is "make deb leaves nothing in the checkout's parent ($parent)" \
	"$(comm -13 "$E2E_TMP/parent.before" "$E2E_TMP/parent.after" | tr '\n' ' ')" ""

# ---- what is in it ----------------------------------------------------------------
field() { dpkg-deb -f "$DEB_FILE" "$1"; }
tap_is "the package is libpam-apikey" "$(field Package)" libpam-apikey
tap_is "its version is the Makefile's VERSION" "$(field Version)" "$DEB_VERSION"
deps=$(field Depends)
case $deps in
*adduser*libpam-runtime*) tap_ok "it depends on adduser and libpam-runtime (pam-auth-update)" ;;
*)
	tap_not_ok "it depends on adduser and libpam-runtime (pam-auth-update)"
	diag "Depends: $deps" ;;
esac

# "mode owner/group path" for every entry; owners are root's.
dpkg-deb -c "$DEB_FILE" | awk '{ print $1, $2, $6 }' | sed 's|\./|/|' >"$E2E_TMP/contents"
entry() { grep -E " $1\$" "$E2E_TMP/contents" | cut -d' ' -f1,2; }
tap_is "the module: $DEB_MODULE, root's, mode 644" "$(entry "$DEB_MODULE")" "-rw-r--r-- root/root"
tap_is "apikeyctl: $DEB_HELPER, root's, mode 755 in the archive (postinst sets its mode)" \
	"$(entry "$DEB_HELPER")" "-rwxr-xr-x root/root"
tap_is "apikeyctl-fleet: /usr/libexec/pam_apikey/apikeyctl-fleet, root's, mode 755 (never set-user-ID)" \
	"$(entry /usr/libexec/pam_apikey/apikeyctl-fleet)" "-rwxr-xr-x root/root"
ok=0
for f in /usr/share/man/man1/apikeyctl.1.gz /usr/share/man/man8/pam_apikey.8.gz \
	/usr/share/man/man5/pam_apikey.conf.5.gz \
	/usr/share/bash-completion/completions/apikeyctl "$DEB_PROFILE" \
	"$DEB_DOCDIR/copyright" "$DEB_DOCDIR/changelog.gz"; do
	got=$(entry "$f")
	[ "$got" = "-rw-r--r-- root/root" ] || {
		diag "$f: '$got'"
		ok=1
	}
done
tap_check "man pages, bash completion, pam-auth-update profile, copyright: root's, mode 644" "$ok"
tap_is "every entry is root's" "$(awk '$2 != "root/root"' "$E2E_TMP/contents")" ""
tap_is "nothing under /var, /etc or /usr/local (postinst makes the database directory)" \
	"$(grep -E ' /(var|etc|usr/local)(/|$)' "$E2E_TMP/contents")" ""
tap_is "no set-user-ID or set-group-ID file in the archive" \
	"$(awk 'substr($1, 4, 1) ~ /[sS]/ || substr($1, 7, 1) ~ /[sS]/' "$E2E_TMP/contents")" ""

x=$E2E_TMP/x
dpkg-deb -x "$DEB_FILE" "$x" || bail "dpkg-deb -x"
tap_examples "the example PAM files in $DEB_DOCDIR/examples" "$x$DEB_DOCDIR/examples"
tap_run "the pam-auth-update profile is debian/pam-configs/apikey" \
	cmp "$APK_TOP/debian/pam-configs/apikey" "$x$DEB_PROFILE"
ok=0
# The pages as the Makefile fills them in (version, database directory,
# the fleet program's directory) with the package's paths (debian/rules).
make -s -C "$APK_TOP" B="$E2E_TMP/man-build" PREFIX=/usr DBDIR="$DEB_DBDIR" \
	LIBEXECDIR=/usr/libexec/pam_apikey "$E2E_TMP/man-build/man/apikeyctl.1" \
	"$E2E_TMP/man-build/man/pam_apikey.8" "$E2E_TMP/man-build/man/pam_apikey.conf.5" \
	"$E2E_TMP/man-build/man/apikeyd.8" >/dev/null ||
	bail "cannot build the man pages"
for page in man1/apikeyctl.1 man5/pam_apikey.conf.5 man8/pam_apikey.8 man8/apikeyd.8; do
	zcat "$x/usr/share/man/$page.gz" | cmp -s - "$E2E_TMP/man-build/man/$(basename "$page")" || {
		diag "$page differs from the Makefile's"
		ok=1
	}
done
tap_check "the man pages are the Makefile's, filled in from doc/" "$ok"
tap_is "the packaged module exports only pam_sm_* functions" \
	"$(nm -D --defined-only "$x$DEB_MODULE" | awk '$2 ~ /^[TtWwDdBbRr]$/ { print $3 }' |
		grep -v '^pam_sm_' | tr '\n' ' ')" ""
run_cmd "$x$DEB_HELPER" --version
tap_is "the packaged apikeyctl reports the Makefile's VERSION" \
	"$(cat "$E2E_TMP/out")" "apikeyctl (pam_apikey) $DEB_VERSION"

# ---- lintian ----------------------------------------------------------------------
run_cmd lintian --info --pedantic "$DEB_FILE"
tags=$(grep -E '^[EW]: ' "$E2E_TMP/out")
if [ "$RC" -eq 0 ] && [ -z "$tags" ]; then
	tap_ok "lintian: no error, no warning"
else
	tap_not_ok "lintian: no error, no warning"
	diag "lintian exit status $RC"
	diag_file "$E2E_TMP/out"
	diag_file "$E2E_TMP/err"
fi
# Every override says why, on the comment line(s) just above it.
ov=$APK_TOP/debian/libpam-apikey.lintian-overrides
bare=""
if [ -f "$ov" ]; then
	bare=$(awk '/^[[:space:]]*$/ { c = 0; next } /^#/ { c = 1; next } { if (!c) print; c = 0 }' "$ov")
fi
tap_is "every lintian override in debian/ has its reason above it" "$bare" ""

# ---- the Cockpit page's package ------------------------------------------------------
page_deb=$APK_TOP/cockpit-apikey_${DEB_VERSION}_all.deb
if [ -f "$page_deb" ]; then
	tap_ok "make deb also builds $(basename "$page_deb")"
	tap_is "  ... its Depends name libpam-apikey (this version) and cockpit-bridge" \
		"$(dpkg-deb -f "$page_deb" Depends)" \
		"cockpit-bridge (>= 266), libpam-apikey (>= $DEB_VERSION)"
	tap_is "  ... it holds the built page (cockpit/dist) in /usr/share/cockpit/apikey" \
		"$(dpkg-deb -c "$page_deb" | awk '$6 ~ /cockpit\/apikey\/./ { print $6 }' | sort | tr '\n' ' ')" \
		"./usr/share/cockpit/apikey/index.css ./usr/share/cockpit/apikey/index.html ./usr/share/cockpit/apikey/index.js ./usr/share/cockpit/apikey/manifest.json "
	mkdir -p "$E2E_TMP/page" && dpkg-deb -x "$page_deb" "$E2E_TMP/page"
	same=0
	for f in index.html index.js index.css manifest.json; do
		cmp -s "$APK_TOP/cockpit/dist/$f" "$E2E_TMP/page/usr/share/cockpit/apikey/$f" || same=1
	done
	tap_check "  ... byte for byte the committed cockpit/dist" "$same"
	run_cmd lintian --info --pedantic "$page_deb"
	tags=$(grep -E '^[EW]: ' "$E2E_TMP/out")
	if [ "$RC" -eq 0 ] && [ -z "$tags" ]; then
		tap_ok "  ... lintian: no error, no warning"
	else
		tap_not_ok "  ... lintian: no error, no warning"
		diag_file "$E2E_TMP/out"
	fi
	rm -f "$page_deb"
else
	tap_not_ok "make deb also builds $(basename "$page_deb")"
fi

# ---- the version is the Makefile's, once --------------------------------------------
mis=$E2E_TMP/mismatch/pam-apikey
mkdir -p "$mis"
(cd "$APK_TOP" && tar -cf - Makefile mk debian) | (cd "$mis" && tar -xf -)
sed -i 's/^VERSION[[:space:]]*:=.*/VERSION     := 99.0.0/' "$mis/Makefile"
run_cmd sh -c "cd '$mis' && dpkg-buildpackage -us -uc -b"
if [ "$RC" -ne 0 ] && grep -q "debian/changelog says $DEB_VERSION but the Makefile's VERSION is 99.0.0" \
	"$E2E_TMP/out" "$E2E_TMP/err"; then
	tap_ok "dpkg-buildpackage stops when the Makefile's VERSION and the changelog differ"
else
	tap_not_ok "dpkg-buildpackage stops when the Makefile's VERSION and the changelog differ"
	diag "exit status $RC"
	diag_file "$E2E_TMP/err"
fi
tap_is "... and builds nothing" "$(ls "$E2E_TMP/mismatch")" "pam-apikey"

# ---- the next version, for the upgrade ----------------------------------------------
run_cmd "$APK_TOP/tools/deb-build.sh" "$DEB_OUT/next" "$DEB_OUT" "$DEB_VERSION_NEXT"
if [ "$RC" -eq 0 ] && [ -f "$DEB_FILE_NEXT" ] &&
	dpkg --compare-versions "$(dpkg-deb -f "$DEB_FILE_NEXT" Version)" gt "$DEB_VERSION"; then
	tap_ok "a package of version $DEB_VERSION_NEXT (higher) builds for the upgrade test"
else
	tap_not_ok "a package of version $DEB_VERSION_NEXT (higher) builds for the upgrade test"
	diag "exit status $RC"
	diag_file "$E2E_TMP/err"
fi

e2e_end
