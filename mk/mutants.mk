# mk/mutants.mk - make check-mutants: every protection doc/SECURITY.md claims,
# taken out in turn by one patch in tests/mutants/, must make the test the
# doc/SECURITY.md names for it fail (tools/mutants.sh says how). As root it runs the
# end-to-end tests too, which install the build: hold the lock,
#   flock /tmp/e2e.lock make check-mutants
# MUTANTS="name ..." runs only those.

.PHONY: check-mutants
check-mutants: check-deps
	tools/mutants.sh $(MUTANTS)
