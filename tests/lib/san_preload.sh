# shellcheck shell=sh
# tests/lib/san_preload.sh - sourced by a test that loads the build's module
# into a program it did not build (pamtester, through pam_wrapper).
#
#   san_preload MODULE   prints the sanitizer runtimes MODULE links, each
#                        followed by a space; nothing for a plain build
#
# A sanitizer build's module (make check-sanitize) can only be loaded by a
# program whose first library is the ASan runtime: the test puts these in
# front of its LD_PRELOAD. pamtester's and libpam's own allocations are not
# the project's, so such a run turns leak detection off for that program
# (the module's leaks are checked by the pam_* tests, which are built here).
san_preload() {
	ldd "$1" 2>/dev/null | awk '/lib(asan|ubsan)\.so/ { printf "%s ", $3 }'
}
