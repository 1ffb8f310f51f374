# mk/bench.mk - the performance benchmark; not part of `make check`.
#   make bench        1,000 / 100,000 / 1,000,000 keys; table, build/bench/bench.csv,
#                     build/bench/bench.png (about 1.5 minutes, ~350 MB of disk)
#   make bench-smoke  1,000 keys, few iterations: that it still works (CI)
#   make bench BASELINE=OLD/pam_apikey.so   the goal's rounds also log the
#                     right key in through an earlier build of the module:
#                     before and after in the same interleaved rounds
# Both end with bench/apikeyd.sh: a login through apikeyd against one
# in-process, and 64 callers at once; then bench/fleet.sh: the directory's
# mirror against a real slapd (50,000 accounts x 2 keys; 500 in
# bench-smoke): initial mirror, one change to refused, a directory key's
# login against a local one (root only; otherwise it says so).
# No root needed. Both exit non-zero only on a functional error.
# Figures and method: doc/PERFORMANCE.md.

BENCH_OUT       := $(B)/bench
BENCH_SRC       := $(filter-out bench/login.c,$(wildcard bench/*.c))
BENCH_OBJ       := $(BENCH_SRC:%.c=$(B)/obj/%.o)
BENCH_LOGIN_OBJ := $(B)/obj/bench/login.o $(B)/obj/bench/stats.o
BENCH_BIN       := $(BENCH_OUT)/bench
BENCH_LOGIN     := $(BENCH_OUT)/bench-login
BENCH_RUN        = $(BENCH_BIN) --out $(BENCH_OUT) --module $(MODULE) --pamdir $(PAMDIR) \
		   --helper $(HELPER) \
		   --login $(BENCH_LOGIN) --plot bench/plot.gp $(if $(BASELINE),--baseline $(BASELINE))

.PHONY: bench bench-smoke

$(BENCH_OBJ) $(BENCH_LOGIN_OBJ): $(wildcard bench/*.h)
$(B)/obj/bench/login.o $(B)/obj/bench/breakdown.o: tests/lib/pam_conv.h
$(B)/obj/bench/logins.o: tests/lib/write_all.h
# Of the test library, the pieces bench uses, by name: the archive also
# holds the tests' capture of pam_syslog, which bench times for real.
BENCH_TESTLIB := $(B)/obj/tests/lib/pam_conv.o $(B)/obj/tests/lib/write_all.o

# The driver fills databases through the store API (the common library) and
# times a login's steps, the log line through libpam.
$(BENCH_BIN): $(BENCH_OBJ) $(BENCH_TESTLIB) $(LIBAPK)
	@mkdir -p $(@D)
	$(CC) -pie -o $@ $(BENCH_OBJ) $(BENCH_TESTLIB) $(LIBAPK) $(LDHARD) $(LDFLAGS) $(LIBS) -lpam

# The login loop links libpam (and the tests' conversation) only, so each
# login loads what the module needs.
$(BENCH_LOGIN): $(BENCH_LOGIN_OBJ) $(B)/obj/tests/lib/pam_conv.o
	@mkdir -p $(@D)
	$(CC) -pie -o $@ $(BENCH_LOGIN_OBJ) $(B)/obj/tests/lib/pam_conv.o $(LDHARD) $(LDFLAGS) -lpam

bench: check-deps $(MODULE) $(HELPER) $(DAEMON) $(BENCH_BIN) $(BENCH_LOGIN) $(B)/tests/fleet_ldif
	$(BENCH_RUN)
	sh bench/apikeyd.sh $(B)
	sh bench/fleet.sh $(B)

bench-smoke: check-deps $(MODULE) $(HELPER) $(DAEMON) $(BENCH_BIN) $(BENCH_LOGIN) $(B)/tests/fleet_ldif
	$(BENCH_RUN) --smoke
	sh bench/apikeyd.sh $(B) --smoke
	sh bench/fleet.sh $(B) --smoke
