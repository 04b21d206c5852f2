# mqmon - terminal mail-queue monitor
# `make` builds ./mqmon; `make check` runs every test; `make demo` opens mqmon on
# a private Postfix test bed; `make bench` measures against grep/pflogsumm.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/mqmon
MANDIR  ?= $(PREFIX)/share/man
VERSION := 0.1.0

CC      ?= cc
PKGS    := ncursesw sqlite3 jansson
CFLAGS  ?= -O2 -g
# always on, whatever CFLAGS the caller gives (make asan-build overrides CFLAGS)
MQ_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CPPFLAGS += -I. -I/usr/include/iniparser $(shell pkg-config --cflags $(PKGS)) \
            -DMQMON_VERSION='"$(VERSION)"' -DMQMON_DATADIR='"$(DATADIR)"'
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -liniparser -lm -pthread

CORE_SRC := $(sort $(wildcard core/*/*.c))
CLI_SRC  := $(sort $(wildcard cli/*.c))
TUI_SRC  := $(sort $(wildcard tui/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
HEADERS  := $(wildcard core/*/*.h cli/*.h tui/*.h)

# B is the build directory: build/ for the normal build, build-asan/ for the
# sanitizer build (`make asan`), so both can live side by side.
B        ?= build
BIN      ?= mqmon
CORE_OBJ := $(CORE_SRC:%.c=$(B)/%.o)
APP_OBJ  := $(CLI_SRC:%.c=$(B)/%.o) $(TUI_SRC:%.c=$(B)/%.o)
UNIT_BIN := $(UNIT_SRC:%.c=$(B)/%)

TOOLS := tests/peer/mqmon-peer bench/gen-log bench/grow-queue bench/retry-wave

.PHONY: all check unit layering asan bench fuzz demo deps install uninstall clean

all: $(BIN) $(UNIT_BIN) $(TOOLS)

$(BIN): $(CORE_OBJ) $(APP_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# the data directory is compiled in: rebuild what uses it when PREFIX/DATADIR change
$(B)/.datadir: FORCE
	@mkdir -p $(B)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' > $@

$(B)/core/classify/rules.o $(B)/tui/theme.o: $(B)/.datadir

.PHONY: FORCE
FORCE:

$(B)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(MQ_CFLAGS) $(CFLAGS) -c -o $@ $<

# the console's pure helpers are unit-tested too (no curses in them)
$(B)/tests/unit/test_sparkline: tests/unit/test_sparkline.c tests/unit/testutil.h $(B)/tui/sparkline.o
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(MQ_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/tui/sparkline.o $(LDLIBS) $(shell pkg-config --libs cmocka)

$(B)/tests/unit/test_complete: tests/unit/test_complete.c tests/unit/testutil.h $(B)/tui/complete.o
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(MQ_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/tui/complete.o $(LDLIBS) $(shell pkg-config --libs cmocka)

$(B)/tests/unit/test_mouse: tests/unit/test_mouse.c tests/unit/testutil.h $(B)/tui/mouse.o
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(MQ_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/tui/mouse.o $(LDLIBS) $(shell pkg-config --libs cmocka)

$(B)/tests/unit/test_osc52: tests/unit/test_osc52.c tests/unit/testutil.h $(B)/tui/osc52.o $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(MQ_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/tui/osc52.o $(CORE_OBJ) $(LDLIBS) $(shell pkg-config --libs cmocka)

$(B)/tests/unit/test_qorder: tests/unit/test_qorder.c tests/unit/testutil.h $(B)/tui/search.o $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(MQ_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/tui/search.o $(CORE_OBJ) $(LDLIBS) $(shell pkg-config --libs cmocka)

$(B)/tests/unit/test_columns: tests/unit/test_columns.c tests/unit/testutil.h $(B)/tui/columns.o $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(MQ_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/tui/columns.o $(CORE_OBJ) $(LDLIBS) $(shell pkg-config --libs cmocka)

$(B)/tests/unit/test_actionkeys: tests/unit/test_actionkeys.c tests/unit/testutil.h $(B)/tui/actionkeys.o $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(MQ_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/tui/actionkeys.o $(CORE_OBJ) $(LDLIBS) $(shell pkg-config --libs cmocka)

$(B)/tests/unit/test_%: tests/unit/test_%.c tests/unit/testutil.h $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(MQ_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CORE_OBJ) $(LDLIBS) $(shell pkg-config --libs cmocka)

tests/peer/mqmon-peer: tests/peer/mqmon-peer.c
	$(CC) $(CPPFLAGS) $(MQ_CFLAGS) $(CFLAGS) -o $@ $< -liniparser

bench/gen-log: bench/gen-log.c
	$(CC) $(CPPFLAGS) $(MQ_CFLAGS) $(CFLAGS) -o $@ $<

bench/grow-queue: bench/grow-queue.c
	$(CC) $(CPPFLAGS) $(MQ_CFLAGS) $(CFLAGS) -o $@ $<

bench/retry-wave: bench/retry-wave.c
	$(CC) $(CPPFLAGS) $(MQ_CFLAGS) $(CFLAGS) -o $@ $<

# check - every test; prints totals and fails when any test fails. It installs
# missing packages first (make deps), then builds: a fresh machine needs nothing else.
check: deps
	@$(MAKE) --no-print-directory all asan-build
	@tests/run-all.sh

unit: $(UNIT_BIN)
	@MQMON_BUILD=$(B) tests/run-all.sh --only unit

layering:
	@tests/check-layering.sh

# asan-build - the same sources with ASan+UBSan, in build-asan/ (run by make check)
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
asan-build:
	@$(MAKE) --no-print-directory B=build-asan BIN=build-asan/mqmon CFLAGS="$(ASAN_FLAGS)" \
		LDFLAGS="-fsanitize=address,undefined" build-asan/mqmon $(UNIT_SRC:%.c=build-asan/%)

asan: asan-build
	@tests/run-all.sh --only asan

# fuzz - libFuzzer targets (clang) over the parsers, loaders and writers, FUZZ_SECONDS each, one
# after another (not part of check; tests/fuzz/run.sh: corpora, crashes and build-fuzz/summary.txt).
# `make fuzz FUZZ_TARGETS=build-fuzz/fuzz_rules` runs one.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= $(patsubst tests/fuzz/%.c,build-fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
# the theme loader lives in tui/ (it links curses, which the target never starts)
build-fuzz/fuzz_theme: FUZZ_EXTRA_SRC := tui/theme.c
build-fuzz/fuzz_theme: tui/theme.c
build-fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_util.h $(CORE_SRC) $(HEADERS)
	@mkdir -p build-fuzz
	clang $(CPPFLAGS) -std=c11 -D_GNU_SOURCE $(FUZZ_FLAGS) -o $@ $< $(CORE_SRC) $(FUZZ_EXTRA_SRC) $(LDLIBS)

fuzz: $(FUZZ_TARGETS)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZ_TARGETS)

bench: all
	@bench/run.sh

# demo - only what the demo runs (./mqmon and the SMTP peer; no unit tests, no bench tools), built
# quietly: one progress line, the compiler's output in $(B)/demo-build.log, shown only when it fails
demo: deps
	@echo "building mqmon ..."
	@mkdir -p $(B) && $(MAKE) --no-print-directory $(BIN) tests/peer/mqmon-peer >$(B)/demo-build.log 2>&1 || \
		{ cat $(B)/demo-build.log; echo "make demo: the build failed (log: $(B)/demo-build.log)" >&2; exit 1; }
	@tests/bed/demo.sh

deps:
	@tests/install-deps.sh

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/rules $(DESTDIR)$(DATADIR)/themes $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/mqmon
	install -m 0644 rules/*.ini $(DESTDIR)$(DATADIR)/rules/
	if ls themes/*.ini >/dev/null 2>&1; then install -m 0644 themes/*.ini $(DESTDIR)$(DATADIR)/themes/; fi
	install -m 0644 doc/mqmon.1 $(DESTDIR)$(MANDIR)/man1/mqmon.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mqmon $(DESTDIR)$(MANDIR)/man1/mqmon.1
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-asan build-fuzz mqmon $(TOOLS)
