# mk/sanitize.mk - the test suite under ASan+UBSan and under Valgrind, and
# cppcheck: the tools that find what tests miss
#
#   make check-sanitize  everything rebuilt with -fsanitize=address,undefined in
#                        $(SAN_B), then tests/run.sh (no end-to-end suite) on it
#   make check-valgrind  $(B)/tests/unit_* and pam_* under memcheck: any error,
#                        or a definite or indirect leak, fails (TAP)
#   make lint            cppcheck over the C code but the tests (tests/lib included),
#                        and README.md under 300 lines
#
# The sanitized build only differs by flags passed down: CFLAGS and LDFLAGS
# are appended to the project's own, B names another build directory.

SAN_B      := $(B)/asan
SAN_CC     ?= $(CC)
SAN_FLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Leaks count (but those in mk/lsan.supp); UBSan stops at the first report;
# both say where. APK_SANITIZER tells a test that cannot work under ASan
# (RLIMIT_AS, its own malloc) to skip that part.
SAN_ENV    := ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1 \
	      LSAN_OPTIONS=suppressions=$(abspath mk/lsan.supp):print_suppressions=0 \
	      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 APK_SANITIZER=address,undefined

# nouserintercepts: a test that wraps malloc itself (fault injection) keeps
# its wrapper, which forwards to glibc's __libc_malloc, which memcheck replaces.
VALGRIND   := valgrind --error-exitcode=1 --leak-check=full \
	      --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
	      --soname-synonyms=somalloc=nouserintercepts --num-callers=30

CPPCHECK_FLAGS := --enable=warning,portability,performance --error-exitcode=1 --inline-suppr \
		  --std=c11 --quiet $(DEFS) -Icommon -Iapikeyctl -Iapikeyd -Ifuzz -Itests/lib
LINT_DIRS      := common pam_apikey apikeyctl apikeyd fuzz bench tests/lib doc/examples

.PHONY: check-sanitize check-valgrind lint

# _FORTIFY_SOURCE off: ASan checks the real string functions instead.
check-sanitize: check-deps
	$(MAKE) --no-print-directory B=$(SAN_B) CC='$(SAN_CC)' OPT='-O1 -g' \
	  CFLAGS='$(SAN_FLAGS) -U_FORTIFY_SOURCE' LDFLAGS='$(SAN_FLAGS)' all tests fuzz-build
	B=$(SAN_B) $(SAN_ENV) tests/run.sh

check-valgrind: check-deps all tests
	@command -v valgrind >/dev/null || { echo "make check-valgrind: valgrind is not installed" >&2; exit 2; }
	@VALGRIND='$(VALGRIND)' APK_BUILD=$(abspath $(B)) sh mk/valgrind.sh

lint:
	@command -v cppcheck >/dev/null || { echo "make lint: cppcheck is not installed" >&2; exit 2; }
	@n=$$(wc -l <README.md); [ "$$n" -lt 300 ] || \
		{ echo "make lint: README.md has $$n lines; keep it under 300" >&2; exit 1; }
	cppcheck $(CPPCHECK_FLAGS) $(LINT_DIRS)
