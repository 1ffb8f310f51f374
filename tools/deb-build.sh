#!/bin/sh
# tools/deb-build.sh - builds the Debian package (the work behind `make deb`)
#
#   tools/deb-build.sh WORKDIR OUTDIR [VERSION]
#
# Copies the source tree (without build/, .git and built packages) to
# WORKDIR/pam-apikey, runs `dpkg-buildpackage -us -uc -b` there, and copies
# libpam-apikey_VERSION_ARCH.deb and cockpit-apikey_VERSION_all.deb (the
# Cockpit page) to OUTDIR. dpkg-buildpackage writes its
# results to the parent of the tree it builds: here WORKDIR, never the
# parent of this checkout; and the copy's `make clean` leaves this
# checkout's build/ alone.
#
# VERSION, for upgrade tests: the copy's Makefile VERSION is set to it and
# a changelog entry for it is added, as a release would do. Without it the
# version is the Makefile's, which debian/rules checks against the
# changelog.
set -eu

prog="deb-build"
die() { echo "$prog: $*" >&2; exit 1; }

[ $# -ge 2 ] && [ $# -le 3 ] || die "usage: $0 WORKDIR OUTDIR [VERSION]"
work=$1 out=$2 version=${3:-}
top=$(cd "$(dirname "$0")/.." && pwd)
for tool in dpkg-buildpackage dpkg-parsechangelog dh tar; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (run: make deps)"
done
case $version in
"" | [0-9]*[0-9]) ;;
*) die "version '$version' is not a Debian native version" ;;
esac
case $version in
*[!0-9A-Za-z.+~]*) die "version '$version' is not a Debian native version" ;;
esac

mkdir -p "$work" "$out"
work=$(cd "$work" && pwd)
src=$work/pam-apikey
rm -rf "$src"
rm -f "$work"/libpam-apikey_* "$work"/libpam-apikey-dbgsym_* "$work"/pam-apikey_* "$work"/cockpit-apikey_*
mkdir "$src"
(cd "$top" && tar -cf - --exclude=./build --exclude=./.git --exclude='./*.deb' \
	--exclude=./cockpit/node_modules --exclude=./debian/cockpit-apikey \
	--exclude=./debian/.debhelper --exclude=./debian/libpam-apikey \
	--exclude=./debian/tmp --exclude=./debian/files \
	--exclude='./debian/*.substvars' --exclude='./debian/*debhelper*' \
	.) | (cd "$src" && tar -xf -)

if [ -n "$version" ]; then
	sed -i "s/^VERSION[[:space:]]*:=.*/VERSION     := $version/" "$src/Makefile"
	grep -qx "VERSION     := $version" "$src/Makefile" || die "could not set VERSION in the copy's Makefile"
	{
		printf 'pam-apikey (%s) unstable; urgency=medium\n\n' "$version"
		printf '  * Rebuilt as version %s.\n\n' "$version"
		printf ' -- %s  %s\n\n' "$(dpkg-parsechangelog -l "$src/debian/changelog" -SMaintainer)" \
			"$(date -uR)"
		cat "$src/debian/changelog"
	} >"$src/debian/changelog.new"
	mv "$src/debian/changelog.new" "$src/debian/changelog"
fi

(cd "$src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 || {
	tail -n 40 "$work/build.log" >&2
	die "dpkg-buildpackage failed; the whole log is $work/build.log"
}

version=$(dpkg-parsechangelog -l "$src/debian/changelog" -SVersion)
deb=$(ls "$work"/libpam-apikey_"$version"_*.deb 2>/dev/null) || die "no libpam-apikey_${version}_*.deb in $work"
cp "$deb" "$out/"
echo "$prog: built $out/$(basename "$deb")"
# The Cockpit page, a package of its own (doc/COCKPIT.md).
page=$(ls "$work"/cockpit-apikey_"$version"_all.deb 2>/dev/null) || die "no cockpit-apikey_${version}_all.deb in $work"
cp "$page" "$out/"
echo "$prog: built $out/$(basename "$page")"
