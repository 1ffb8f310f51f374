# mk/fuzz.mk - fuzz targets (fuzz/), their seed corpus and its replay
#
#   make fuzz-build    the targets in $(B)/fuzz: libFuzzer programs built with
#                      clang and ASan+UBSan; without a usable clang, plain
#                      replay programs built with $(CC) and ASan+UBSan
#   make fuzz-replay   every target once over its corpus fuzz/corpus/TARGET (TAP)
#   make fuzz          every target for FUZZ_SECONDS (default 60) each, one at a
#                      time; new inputs go to $(B)/fuzz/work, crashes to
#                      $(B)/fuzz/crashes (needs clang)
#   make fuzz-corpus   rewrites fuzz/corpus from fuzz/gen_corpus.c's seeds plus a
#                      FUZZ_CORPUS_SECONDS run, merged down to what adds coverage
#
# FUZZ_ENGINE=replay forces the plain replay programs.

FUZZ_CC             ?= clang
FUZZ_SECONDS        ?= 60
FUZZ_CORPUS_SECONDS ?= 30
FUZZ_B              := $(B)/fuzz
FUZZ_TARGETS        := keyparse record validate args pam when lists conffile lastused fleet_entry \
		       sync_control verify_proto
FUZZ_BINS           := $(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz_%)

# libfuzzer when $(FUZZ_CC) can link a libFuzzer program, else replay.
# Worked out once, and only when a fuzz recipe needs it.
FUZZ_ENGINE = $(eval FUZZ_ENGINE := $(shell printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' | \
	$(FUZZ_CC) -x c -fsanitize=fuzzer,address,undefined - -o /dev/null >/dev/null 2>&1 && \
	echo libfuzzer || echo replay))$(FUZZ_ENGINE)
FUZZ_COMPILER = $(if $(filter libfuzzer,$(FUZZ_ENGINE)),$(FUZZ_CC),$(CC))

FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Code under test: coverage for libFuzzer, the sanitizers, strict warnings
# (errors only in gcc's main build, which owns them).
FUZZ_CFLAGS  = -std=c11 -O1 -g $(filter-out -Werror,$(WARN)) $(DEFS) -fPIC $(FUZZ_SAN) \
	       $(if $(filter libfuzzer,$(FUZZ_ENGINE)),-fsanitize=fuzzer-no-link,) \
	       -Icommon -Iapikeyctl -Ifuzz -Itests/lib
FUZZ_LINK    = $(FUZZ_SAN) $(if $(filter libfuzzer,$(FUZZ_ENGINE)),-fsanitize=fuzzer,$(FUZZ_B)/obj/fuzz/replay_main.o)

FUZZ_COMMON_OBJ := $(COMMON_SRC:%.c=$(FUZZ_B)/obj/%.o)
FUZZ_LIB        := $(FUZZ_B)/libapikey.a
FUZZ_MODULE     := $(FUZZ_B)/pam_apikey.so
FUZZ_LIBS       := -lpam -ldl $(LIBS)
FUZZ_HDRS       := $(wildcard common/*.h) $(wildcard apikeyctl/*.h) $(wildcard apikeyd/*.h)

.PHONY: fuzz fuzz-build fuzz-replay fuzz-corpus

$(FUZZ_B)/obj/common/%.o $(FUZZ_B)/obj/apikeyctl/%.o: FUZZ_EXTRA :=
$(FUZZ_B)/obj/pam_apikey/%.o: FUZZ_EXTRA := -fvisibility=hidden
$(FUZZ_B)/obj/fuzz/%.o $(FUZZ_B)/obj/tests/lib/%.o: FUZZ_EXTRA := -Werror

$(FUZZ_B)/obj/%.o: %.c $(FUZZ_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_COMPILER) $(FUZZ_CFLAGS) $(FUZZ_EXTRA) -c $< -o $@
$(patsubst %.c,$(FUZZ_B)/obj/%.o,$(wildcard fuzz/*.c)): $(wildcard fuzz/*.h) tests/lib/pam_conv.h \
	tests/lib/slot_check.h

# The replay driver is never built with libFuzzer's coverage.
$(FUZZ_B)/obj/fuzz/replay_main.o: fuzz/replay_main.c fuzz/fuzz.h
	@mkdir -p $(@D)
	$(CC) -std=c11 -O1 -g $(WARN) $(DEFS) $(FUZZ_SAN) -Ifuzz -c $< -o $@

$(FUZZ_LIB): $(FUZZ_COMMON_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

# The pieces of the test-support library (tests/lib) the targets use, in their flavour.
FUZZ_TESTLIB := $(FUZZ_B)/libapktest.a
$(FUZZ_TESTLIB): $(FUZZ_B)/obj/tests/lib/pam_conv.o $(FUZZ_B)/obj/tests/lib/slot_check.o
	rm -f $@ && $(AR) rcs $@ $^

# The module as installed (one exported pair, its own copy of common/), but
# instrumented; its sanitizer symbols come from the program that loads it.
$(FUZZ_MODULE): $(FUZZ_B)/obj/pam_apikey/pam_apikey.o $(FUZZ_LIB) pam_apikey/pam_apikey.map
	$(FUZZ_COMPILER) -shared -o $@ $< $(FUZZ_LIB) $(FUZZ_SAN) \
	  -Wl,--version-script=pam_apikey/pam_apikey.map -lpam $(LIBS)

$(FUZZ_B)/fuzz_%: $(FUZZ_B)/obj/fuzz/fuzz_%.o $(FUZZ_LIB) $(FUZZ_B)/obj/fuzz/replay_main.o
	$(FUZZ_COMPILER) -o $@ $< $(FUZZ_LIB) $(FUZZ_LINK) $(FUZZ_LIBS)

$(FUZZ_B)/fuzz_args: $(FUZZ_B)/obj/fuzz/fuzz_args.o $(FUZZ_B)/obj/apikeyctl/args.o $(FUZZ_LIB) \
		     $(FUZZ_B)/obj/fuzz/replay_main.o
	$(FUZZ_COMPILER) -o $@ $< $(FUZZ_B)/obj/apikeyctl/args.o $(FUZZ_LIB) $(FUZZ_LINK) $(FUZZ_LIBS)

# apikeyd's RFC 4533 codec, with liblber.
$(FUZZ_B)/fuzz_sync_control: $(FUZZ_B)/obj/fuzz/fuzz_sync_control.o \
			     $(FUZZ_B)/obj/apikeyd/sync_control.o $(FUZZ_B)/obj/fuzz/replay_main.o
	$(FUZZ_COMPILER) -o $@ $< $(FUZZ_B)/obj/apikeyd/sync_control.o $(FUZZ_LINK) -llber

$(FUZZ_B)/fuzz_lastused: $(FUZZ_B)/obj/fuzz/fuzz_lastused.o $(FUZZ_LIB) $(FUZZ_TESTLIB) \
			 $(FUZZ_B)/obj/fuzz/replay_main.o
	$(FUZZ_COMPILER) -o $@ $< $(FUZZ_TESTLIB) $(FUZZ_LIB) $(FUZZ_LINK) $(FUZZ_LIBS)

# -rdynamic: the module, loaded later, finds libFuzzer's coverage hooks.
$(FUZZ_B)/fuzz_pam: $(FUZZ_B)/obj/fuzz/fuzz_pam.o $(FUZZ_B)/obj/fuzz/fixture.o $(FUZZ_LIB) \
		    $(FUZZ_TESTLIB) $(FUZZ_B)/obj/fuzz/replay_main.o $(FUZZ_MODULE)
	$(FUZZ_COMPILER) -rdynamic -o $@ $< $(FUZZ_B)/obj/fuzz/fixture.o $(FUZZ_TESTLIB) $(FUZZ_LIB) \
	  $(FUZZ_LINK) $(FUZZ_LIBS)

# The seed generator is an ordinary program of the main build.
$(FUZZ_B)/gen_corpus: fuzz/gen_corpus.c fuzz/fixture.c fuzz/fixture.h $(LIBAPK)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ifuzz -pie -o $@ fuzz/gen_corpus.c fuzz/fixture.c $(LIBAPK) $(LDHARD) \
	  $(LDFLAGS) $(LIBS)

fuzz-build: $(FUZZ_BINS)
	@echo "fuzz targets built with $(FUZZ_ENGINE) in $(FUZZ_B)"

fuzz-replay: fuzz-build
	@APK_BUILD=$(abspath $(B)) sh fuzz/replay.sh

fuzz: fuzz-build
	@test "$(FUZZ_ENGINE)" = libfuzzer || { echo "make fuzz: needs clang with libFuzzer ($(FUZZ_CC))" >&2; exit 2; }
	@APK_BUILD=$(abspath $(B)) sh fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-corpus: fuzz-build $(FUZZ_B)/gen_corpus
	@test "$(FUZZ_ENGINE)" = libfuzzer || { echo "make fuzz-corpus: needs clang with libFuzzer ($(FUZZ_CC))" >&2; exit 2; }
	@APK_BUILD=$(abspath $(B)) sh fuzz/corpus.sh $(FUZZ_CORPUS_SECONDS) $(FUZZ_TARGETS)
