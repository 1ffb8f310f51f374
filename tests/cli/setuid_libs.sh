#!/bin/sh
# tests/cli/setuid_libs.sh - the set-user-ID apikeyctl loads no directory
# library: libldap and what it brings (libgnutls, libp11-kit, libsasl2,
# GSSAPI) run their constructors before main, and in apikeyctl that would
# be as root. Only apikeyctl-fleet, which runs with the caller's ids, links
# them (doc/SECURITY.md, "apikeyctl --fleet"). Read from the ELF files
# (readelf -d) and from the loader's own list (ldd); needs no root.
set -u
top=${APK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top/tests/lib/tap.sh"
B=${APK_BUILD:-$top/build}
dirlibs='libldap|liblber|libgnutls|libp11-kit|libsasl2|libgssapi|libkrb5'

for p in "$B/apikeyctl" "$B/tests/apikeyctl" "$B/apikeyctl-fleet"; do
	[ -x "$p" ] || { echo "not ok 1 - $p missing (make all tests)"; echo "1..1"; exit 1; }
done
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'; }

# the fleet program: the same two looks do find the directory libraries
check "apikeyctl-fleet needs libldap (DT_NEEDED): the look below finds it where it is" \
	sh -c 'printf "%s\n" "$1" | grep -q "^libldap"' - "$(needed "$B/apikeyctl-fleet")"
check "ldd of apikeyctl-fleet lists libgnutls through libldap" \
	sh -c 'ldd "$1" | grep -Eq "^[[:space:]]*libgnutls"' - "$B/apikeyctl-fleet"
for p in "$B/apikeyctl" "$B/tests/apikeyctl"; do
	name=$(basename "$(dirname "$p")")/$(basename "$p")
	libs=$(needed "$p")
	check "$name needs libc and libsodium (DT_NEEDED read)" \
		sh -c 'printf "%s\n" "$1" | grep -q "^libc\." && printf "%s\n" "$1" | grep -q "^libsodium"' \
		- "$libs"
	check "$name needs no directory library (DT_NEEDED)" \
		sh -c '! printf "%s\n" "$2" | grep -Eq "^($1)"' - "$dirlibs" "$libs"
	check "$name loads none either (ldd)" \
		sh -c '! ldd "$2" | grep -Eq "^[[:space:]]*($1)"' - "$dirlibs" "$p"
done
done_testing
