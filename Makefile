# smkit - a Unix toolkit for social media customer care.
# `make` builds build/rel; `make check` builds build/san (ASan+UBSan) and runs every test.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SHAREDIR ?= $(PREFIX)/share
MANDIR ?= $(SHAREDIR)/man
DESTDIR ?=

CC ?= cc
PKGS = libcurl jansson sqlite3 libgit2 libxml-2.0 libutf8proc libpcre2-8
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN = -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes
BASE_CFLAGS = -std=c17 -D_GNU_SOURCE -pthread -Ilib -I$(B)/gen $(WARN) $(PKG_CFLAGS) \
	-DSM_SHAREDIR='"$(SHAREDIR)/smkit"'
REL_CFLAGS = -O2 -g
SAN_CFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
# the fuzz harnesses (tests/fuzz, make fuzz): clang's libFuzzer with ASan and UBSan
FUZZ_CFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined
CFLAGS ?=
LDFLAGS ?=
# V=1 shows the commands
ifeq ($(V),1)
Q =
E = @true
else
Q = @
E = @echo
endif

# B is the build directory of the current flavour
B ?= build/rel
ifeq ($(B),build/san)
FLAVOUR_CFLAGS = $(SAN_CFLAGS)
FLAVOUR_LDFLAGS = -fsanitize=address,undefined
else ifeq ($(B),build/fuzz)
FLAVOUR_CFLAGS = $(FUZZ_CFLAGS)
FLAVOUR_LDFLAGS = -fsanitize=fuzzer,address,undefined
else
FLAVOUR_CFLAGS = $(REL_CFLAGS)
FLAVOUR_LDFLAGS =
endif
ALL_CFLAGS = $(BASE_CFLAGS) $(FLAVOUR_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(FLAVOUR_LDFLAGS) $(LDFLAGS)

CMDS = $(patsubst cmd/%.c,%,$(wildcard cmd/sm-*.c))
LIB_SRC = $(wildcard lib/*.c lib/net/*.c)
LIB_OBJ = $(patsubst %.c,$(B)/%.o,$(LIB_SRC)) $(B)/gen/embedded.o
UNIT_SRC = $(wildcard tests/unit/*.c)
UNITS = $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(UNIT_SRC))
EMBED = share/schema.sql $(sort $(wildcard share/migrations/*.sql)) share/config.example share/rules.example

.PHONY: all build check test demo deps deps-quiet install uninstall clean bench format
.PHONY: fuzz fuzz-build stress valgrind
.SUFFIXES:

all: deps-quiet
	@$(MAKE) --no-print-directory B=build/rel build

build: $(addprefix $(B)/bin/,$(CMDS)) $(UNITS)

$(B)/gen/embedded.c: $(EMBED) tools/embed.sh
	@mkdir -p $(@D)
	$(Q)sh tools/embed.sh $(EMBED) > $@.tmp && mv $@.tmp $@

$(B)/gen/embedded.o: $(B)/gen/embedded.c
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/%.o: %.c lib/smkit.h
	@mkdir -p $(@D)
	$(E) "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libsmkit.a: $(LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/bin/%: $(B)/cmd/%.o $(LIB_OBJ)
	@mkdir -p $(@D)
	$(E) "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB_OBJ) $(PKG_LIBS) -lm -pthread

$(B)/tests/unit/%: $(B)/tests/unit/%.o $(LIB_OBJ)
	@mkdir -p $(@D)
	$(E) "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB_OBJ) $(PKG_LIBS) -lm -pthread

-include $(wildcard $(B)/*/*.d $(B)/*/*/*.d)

# The test suite: sanitizer build, then every tests/*.t under prove.
check: deps-quiet
	@$(MAKE) --no-print-directory B=build/san build
	SM_BUILD=$(CURDIR)/build/san SM_SRC=$(CURDIR) \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	prove -j2 $(PROVE_FLAGS) tests/*.t
test: check

demo: all
	sh share/demo/run.sh $(CURDIR)/build/rel/bin $(CURDIR)/demo

bench: all
	SM_BUILD=$(CURDIR)/build/rel SM_SRC=$(CURDIR) sh tests/bench/run.sh

# Hardening (RELIABILITY.md). `make fuzz` runs every harness of tests/fuzz for FUZZ_SECONDS
# each (FUZZ=NAME for one); `make stress` runs the long fault, full-disk and valgrind suites.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 600
FUZZERS = $(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ ?= $(FUZZERS)
fuzz-build: $(addprefix $(B)/fuzz/fuzz-,$(FUZZERS))
$(B)/fuzz/fuzz-%: $(B)/tests/fuzz/fuzz-%.o $(LIB_OBJ)
	@mkdir -p $(@D)
	$(E) "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB_OBJ) $(PKG_LIBS) -lm -pthread
$(B)/tests/fuzz/%.o: tests/fuzz/%.c tests/fuzz/fuzz.h lib/smkit.h
	@mkdir -p $(@D)
	$(E) "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<
fuzz: deps-quiet
	@$(MAKE) --no-print-directory B=build/fuzz CC=$(FUZZ_CC) fuzz-build
	sh tests/fuzz/run.sh build/fuzz $(FUZZ_SECONDS) $(FUZZ)
# the long runs: network faults, a disk that fills up (root: a tmpfs), then valgrind
STRESS_ROUNDS ?= 100
# the whole pipeline and sm-publish killed at random (trials each), 16 mixed processes (seconds)
STRESS_KILLS ?= 200
STRESS_MIX_SECONDS ?= 60
# (not 0800: under valgrind a closed stdout is its log file, and the test of exit 74 fails)
VALGRIND_TESTS ?= $(wildcard tests/01*-unit-*.t) tests/0300-unit-query.t tests/0441-unit-mime.t \
	tests/0610-unit-drafts.t tests/0010-init.t tests/0210-fetch-exec.t tests/0310-match-rules.t \
	tests/0311-pipeline-pauses.t tests/0500-assign.t tests/0600-approve.t tests/0700-plan-sync.t \
	tests/1000-hostile.t
stress: all
	nice -n 10 /usr/bin/python3 tests/stress/faults.py --rounds $(STRESS_ROUNDS) --build build/rel
	nice -n 10 sh tests/stress/disk.sh build/rel $(STRESS_ROUNDS)
	SM_BUILD=$(CURDIR)/build/rel SM_SRC=$(CURDIR) SM_KILL_TRIALS=$(STRESS_KILLS) \
	  SM_CRASH_TRIALS=$(STRESS_KILLS) SM_MIX_SECONDS=$(STRESS_MIX_SECONDS) \
	  nice -n 10 prove -v tests/0990-pipeline-kill.t tests/0730-publish-crash.t tests/0991-concurrency-mixed.t
	@$(MAKE) --no-print-directory valgrind
valgrind: all
	nice -n 10 sh tests/stress/valgrind.sh build/rel build/valgrind $(VALGRIND_TESTS)

# Debian package names; other systems: see README.md. The build needs the -dev packages;
# the tests also run real peers (dovecot, an aiosmtpd SMTP server) and check the man pages.
DEB_PKGS = build-essential pkg-config libcurl4-openssl-dev libjansson-dev libsqlite3-dev \
	libgit2-dev libxml2-dev libutf8proc-dev libpcre2-dev sqlite3 git python3 python3-yaml \
	perl curl jq mandoc dovecot-imapd python3-aiosmtpd python3-regex \
	python3-icalendar valgrind clang
# sm-report's HTML is rendered by headless Chromium in its test
DEB_PKGS += chromium
deps:
	@sh tools/deps.sh $(DEB_PKGS)
deps-quiet:
	@sh tools/deps.sh $(DEB_PKGS)

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	  $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(SHAREDIR)/smkit \
	  $(DESTDIR)$(SHAREDIR)/bash-completion/completions \
	  $(DESTDIR)$(SHAREDIR)/zsh/site-functions $(DESTDIR)$(SHAREDIR)/fish/vendor_completions.d \
	  $(DESTDIR)$(SHAREDIR)/fish/vendor_functions.d
	for c in $(CMDS); do install -m 755 build/rel/bin/$$c $(DESTDIR)$(BINDIR)/$$c; done
	for m in share/man/*.1; do install -m 644 $$m $(DESTDIR)$(MANDIR)/man1/; done
	for m in share/man/*.5; do install -m 644 $$m $(DESTDIR)$(MANDIR)/man5/; done
	for m in share/man/*.7; do install -m 644 $$m $(DESTDIR)$(MANDIR)/man7/; done
	install -m 644 share/schema.sql share/config.example share/rules.example $(DESTDIR)$(SHAREDIR)/smkit/
	for c in $(CMDS); do \
	  install -m 644 completions/bash/$$c $(DESTDIR)$(SHAREDIR)/bash-completion/completions/$$c; \
	  install -m 644 completions/fish/$$c.fish $(DESTDIR)$(SHAREDIR)/fish/vendor_completions.d/$$c.fish; \
	done
	install -m 644 completions/zsh/_smkit $(DESTDIR)$(SHAREDIR)/zsh/site-functions/_smkit
	install -m 644 completions/fish/__smkit_workspace.fish $(DESTDIR)$(SHAREDIR)/fish/vendor_functions.d/

uninstall:
	for c in $(CMDS); do rm -f $(DESTDIR)$(BINDIR)/$$c $(DESTDIR)$(MANDIR)/man1/$$c.1 \
	  $(DESTDIR)$(SHAREDIR)/bash-completion/completions/$$c \
	  $(DESTDIR)$(SHAREDIR)/fish/vendor_completions.d/$$c.fish; done
	rm -f $(DESTDIR)$(MANDIR)/man5/sm-*.5 $(DESTDIR)$(MANDIR)/man7/smkit.7 \
	  $(DESTDIR)$(SHAREDIR)/zsh/site-functions/_smkit \
	  $(DESTDIR)$(SHAREDIR)/fish/vendor_functions.d/__smkit_workspace.fish
	rm -rf $(DESTDIR)$(SHAREDIR)/smkit

format:
	clang-format -i cmd/*.c lib/*.c lib/*.h lib/net/*.c tests/unit/*.c

clean:
	rm -rf build demo
.SECONDARY:
