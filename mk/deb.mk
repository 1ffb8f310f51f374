# mk/deb.mk - the Debian package (debian/)
#
#   make deb        builds libpam-apikey_VERSION_ARCH.deb and
#                   cockpit-apikey_VERSION_all.deb into the top of the tree (tools/deb-build.sh; the build runs in $(B)/deb on a
#                   copy of the tree)
#   make check-deb  (root) builds it, then installs, enables, uses, upgrades,
#                   disables, removes and purges it on this system (tests/deb,
#                   TAP); leaves the system as it found it

.PHONY: deb check-deb

deb:
	tools/deb-build.sh $(B)/deb .

check-deb: check-deps
	tests/run.sh --only-deb
