# pam_apikey - API keys for Linux accounts. One Makefile builds everything.

VERSION     := 0.2.0
PREFIX      ?= /usr/local
DESTDIR     ?=
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
DATADIR     ?= $(PREFIX)/share
PAMDIR      ?= $(shell pkg-config --variable=libdir pam 2>/dev/null || echo /lib)/security
DBDIR       ?= /var/lib/pam_apikey
DOCDIR      ?= $(DATADIR)/doc/pam_apikey
COMPDIR     ?= $(DATADIR)/bash-completion/completions
HELPER_USER ?= pam-apikey
MAX_KEYS    ?= 100
POLICY      ?= /etc/security/pam_apikey.conf
SBINDIR     ?= $(PREFIX)/sbin
LIBEXECDIR  ?= $(PREFIX)/libexec/pam_apikey
RUNDIR      ?= /run/pam_apikey
VERIFY_GROUP ?= pam-apikey-verify

CC      ?= cc
B       := build

WARN    := -Wall -Wextra -Werror -Wformat=2 -Wformat-security -Wshadow \
           -Wmissing-prototypes -Wstrict-prototypes -Wwrite-strings \
           -Wcast-qual -Wpointer-arith -Wvla -Wundef
HARDEN  := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIC \
           -fno-strict-aliasing
OPT     ?= -O2 -g
DEFS    := -D_GNU_SOURCE -DAPK_VERSION='"$(VERSION)"' \
           -DAPK_DBDIR='"$(DBDIR)"' -DAPK_HELPER_USER='"$(HELPER_USER)"' \
           -DAPK_MAX_KEYS_PER_USER=$(MAX_KEYS) -DAPK_POLICY_PATH='"$(POLICY)"' \
           -DAPK_RUNDIR='"$(RUNDIR)"' -DAPK_VERIFY_GROUP='"$(VERIFY_GROUP)"' \
           -DAPK_FLEET_PROG='"$(LIBEXECDIR)/apikeyctl-fleet"'
CFLAGS  ?=
override CFLAGS := -std=c11 $(OPT) $(WARN) $(HARDEN) $(DEFS) -Icommon $(CFLAGS)
LDHARD  := -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack
LDFLAGS ?=
LIBS    := -lsodium -lgdbm
# The directory connection (common/fleet_ldap.c) and libldap: only in the
# programs that talk LDAP, never in the module or the common library.
FLEET_LDAP := $(B)/obj/common/fleet_ldap.o
LDAP_LIBS  := -lldap -llber

COMMON_SRC := $(filter-out common/fleet_ldap.c,$(wildcard common/*.c))
COMMON_OBJ := $(COMMON_SRC:%.c=$(B)/obj/%.o)
LIBAPK     := $(B)/libapikey.a
MODULE     := $(B)/pam_apikey.so
# apikeyctl/: the set-user-ID apikeyctl (its main and the hand-over to the
# fleet program), apikeyctl-fleet (its main and its work in the directory,
# the only one linked with libldap), and what both share (the command
# line, the output, the key settings), in an archive.
HELPER     := $(B)/apikeyctl
HELPER_SRC := apikeyctl/apikeyctl.c apikeyctl/fleet_exec.c
HELPER_OBJ := $(HELPER_SRC:%.c=$(B)/obj/%.o)
FLEETCTL     := $(B)/apikeyctl-fleet
FLEETCTL_SRC := apikeyctl/fleet_main.c apikeyctl/fleet_cmd.c apikeyctl/fleet_conn.c \
		apikeyctl/fleet_open.c apikeyctl/fleet_password.c apikeyctl/fleet_rotate.c
FLEETCTL_OBJ := $(FLEETCTL_SRC:%.c=$(B)/obj/%.o)
LIBCTL     := $(B)/libapkctl.a
LIBCTL_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(filter-out $(HELPER_SRC) $(FLEETCTL_SRC),$(wildcard apikeyctl/*.c)))
DAEMON     := $(B)/apikeyd
DAEMON_SRC := $(wildcard apikeyd/*.c)
DAEMON_OBJ := $(DAEMON_SRC:%.c=$(B)/obj/%.o)
# The man pages, with the version and the defaults above filled in.
MAN_SRC    := doc/apikeyctl.1 doc/pam_apikey.8 doc/pam_apikey.conf.5 doc/apikeyd.8
MAN_PAGES  := $(MAN_SRC:doc/%=$(B)/man/%)

# Every tests/*.c is one test program, linked with the test-support library
# (tests/lib/*.c) and the common library.
TESTLIB     := $(B)/libapktest.a
TESTLIB_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(wildcard tests/lib/*.c))
TEST_CFLAGS := -Wno-format-truncation -Itests/lib
TEST_SRC   := $(wildcard tests/*.c)
TEST_BIN   := $(TEST_SRC:tests/%.c=$(B)/tests/%)
TEST_LIBS  := -lcmocka -lpam -ldl $(LIBS)

.PHONY: all deps check-deps demo check check-unit check-e2e install uninstall clean
all: $(MODULE) $(HELPER) $(FLEETCTL) $(DAEMON) $(MAN_PAGES)

$(B)/obj/%.o: %.c $(wildcard common/*.h) $(wildcard apikeyctl/*.h) $(wildcard apikeyd/*.h) Makefile
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBAPK): $(COMMON_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

# The module: hidden visibility, only pam_sm_* exported (pam_apikey.map).
$(B)/obj/pam_apikey/pam_apikey.o: pam_apikey/pam_apikey.c $(wildcard common/*.h) Makefile
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fvisibility=hidden -c $< -o $@

# -z nodelete: a process that authenticates many times (an IMAP or web
# server's PAM client) loads the module and its libraries once, not at every
# pam_start; see the README's performance section.
$(MODULE): $(B)/obj/pam_apikey/pam_apikey.o $(LIBAPK) pam_apikey/pam_apikey.map
	$(CC) -shared -o $@ $< $(LIBAPK) $(LDHARD) $(LDFLAGS) -Wl,-z,nodelete \
	  -Wl,--version-script=pam_apikey/pam_apikey.map -Wl,--no-undefined \
	  -lpam $(LIBS)

$(B)/man/%: doc/% Makefile
	@mkdir -p $(@D)
	sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@DBDIR@|$(DBDIR)|g' -e 's|@POLICY@|$(POLICY)|g' \
	  -e 's|@MAX_KEYS@|$(MAX_KEYS)|g' -e 's|@RUNDIR@|$(RUNDIR)|g' \
	  -e 's|@VERIFY_GROUP@|$(VERIFY_GROUP)|g' -e 's|@HELPER_USER@|$(HELPER_USER)|g' \
	  -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' $< >$@.tmp
	! grep -n '@[A-Z_]*@' $@.tmp
	mv $@.tmp $@

$(LIBCTL): $(LIBCTL_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

# Never libldap here: apikeyctl is set-user-ID root (tests/cli/setuid_libs.sh).
$(HELPER): $(HELPER_OBJ) $(LIBCTL) $(LIBAPK)
	$(CC) -pie -o $@ $(HELPER_OBJ) $(LIBCTL) $(LIBAPK) $(LDHARD) $(LDFLAGS) $(LIBS)

$(FLEETCTL): $(FLEETCTL_OBJ) $(LIBCTL) $(FLEET_LDAP) $(LIBAPK)
	$(CC) -pie -o $@ $(FLEETCTL_OBJ) $(LIBCTL) $(FLEET_LDAP) $(LIBAPK) $(LDHARD) $(LDFLAGS) \
	  $(LIBS) $(LDAP_LIBS)

$(DAEMON): $(DAEMON_OBJ) $(FLEET_LDAP) $(LIBAPK)
	$(CC) -pie -o $@ $(DAEMON_OBJ) $(FLEET_LDAP) $(LIBAPK) $(LDHARD) $(LDFLAGS) $(LIBS) $(LDAP_LIBS)

$(B)/obj/tests/lib/%.o: tests/lib/%.c $(wildcard tests/lib/*.h) $(wildcard common/*.h) Makefile
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(TEST_CFLAGS) -c $< -o $@

$(TESTLIB): $(TESTLIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(B)/tests/%: tests/%.c $(TESTLIB) $(LIBAPK) $(wildcard tests/lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(TEST_CFLAGS) -Wno-missing-prototypes -pie -o $@ $< \
	  $(filter %.o,$^) $(TESTLIB) $(LIBAPK) \
	  $(LDHARD) $(LDFLAGS) $(TEST_LIBS)

# The tests' apikeyctl: the same, but --fleet executes the build tree's
# apikeyctl-fleet, not the installed one (tests/ldap/fleetctl.sh).
TEST_HELPER := $(B)/tests/apikeyctl
$(B)/obj/tests/apikeyctl/fleet_exec.o: apikeyctl/fleet_exec.c $(wildcard apikeyctl/*.h) Makefile
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -UAPK_FLEET_PROG -DAPK_FLEET_PROG='"$(abspath $(FLEETCTL))"' -c $< -o $@
$(TEST_HELPER): $(B)/obj/apikeyctl/apikeyctl.o $(B)/obj/tests/apikeyctl/fleet_exec.o $(LIBCTL) \
		$(LIBAPK) $(FLEETCTL)
	@mkdir -p $(@D)
	$(CC) -pie -o $@ $(filter %.o %.a,$^) $(LDHARD) $(LDFLAGS) $(LIBS)

# The start-up test links that one file of the helper.
$(B)/tests/unit_startup: $(B)/obj/apikeyctl/startup.o
# NSS answering for a name other than the one asked (case folding, an
# alias): the test's own getpwnam_r stands in front of glibc's.
$(B)/tests/unit_verify_nss: TEST_LIBS += -Wl,--wrap=getpwnam_r
# apikeyd's RFC 4533 codec, alone with liblber.
$(B)/tests/unit_sync_control: $(B)/obj/apikeyd/sync_control.o
$(B)/tests/unit_sync_control: TEST_LIBS += -llber
# apikeyd's mirror of the directory's entries, alone (no LDAP connection).
$(B)/tests/unit_mirror_apply: $(B)/obj/apikeyd/mirror_apply.o
# apikeyd's supervision of its sync process, the sync itself stood in for.
$(B)/tests/unit_syncproc: $(B)/obj/apikeyd/syncproc.o

# A PAM module for the tests only: it records what reaches the modules
# stacked around pam_apikey (tests/spy/pam_spy.c). Never installed.
SPY := $(B)/tests/spy/pam_spy.so
$(SPY): tests/spy/pam_spy.c Makefile
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -shared -o $@ $< $(LDHARD) $(LDFLAGS) -Wl,--no-undefined -lpam

# The README's C example, built as an application builds it (-lpam), but
# its pam_start reads the tests' service directory (tests/pam_example.c).
EXAMPLE := $(B)/examples/check_key
$(EXAMPLE): doc/examples/check_key.c $(TESTLIB) Makefile
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -pie -o $@ $< -Wl,--wrap=pam_start $(TESTLIB) $(LDHARD) $(LDFLAGS) -lpam

tests: $(TEST_BIN) $(SPY) $(EXAMPLE) $(TEST_HELPER)

# ---- packages ----------------------------------------------------------
deps:
	tools/deps.sh install
check-deps:
	@tools/deps.sh check

# ---- demo and tests -----------------------------------------------------
demo: check-deps all tests
	tools/demo.sh

check: check-deps all tests fuzz-build
	tests/run.sh $(if $(filter 0,$(shell id -u)),--e2e,)

check-e2e: check-deps all tests
	tests/run.sh --only-e2e

# ---- install -------------------------------------------------------------
# tools/install-helper.sh does the work; every path comes from here.
INSTALL_ENV = DESTDIR='$(DESTDIR)' PAMDIR='$(PAMDIR)' BINDIR='$(BINDIR)' \
	MANDIR='$(MANDIR)' COMPDIR='$(COMPDIR)' DOCDIR='$(DOCDIR)' \
	DBDIR='$(DBDIR)' HELPER_USER='$(HELPER_USER)' \
	MODULE='$(MODULE)' HELPER='$(HELPER)' MANPAGES='$(B)/man' \
	SBINDIR='$(SBINDIR)' DAEMON='$(DAEMON)' VERIFY_GROUP='$(VERIFY_GROUP)' \
	LIBEXECDIR='$(LIBEXECDIR)' FLEETCTL='$(FLEETCTL)'

install: all
	@$(INSTALL_ENV) tools/install-helper.sh install

uninstall:
	@$(INSTALL_ENV) tools/install-helper.sh uninstall

clean:
	rm -rf $(B)

# Further targets (fuzzing, sanitizers, benchmarks) live in mk/*.mk, one file a job.
include $(wildcard mk/*.mk)
