# zipscan - build, test, demo and benchmark.
#
#   make          build/zipscan and build/libzipscan.a
#   make test     the Criterion suite, then zipscan against Python's zipfile
#                 and unzip on the corpus and the fixtures
#   make asan     the same suite under AddressSanitizer + UBSan
#   make demo     zip a real tree with Info-ZIP zip, then test and list it
#   make bench    zipscan against unzip, 7zz and a libdeflate floor
#
# `make deps` installs what is missing with apt-get; the targets above run
# it first, so a fresh Debian 12 machine needs nothing else.

CC       ?= gcc
CFLAGS   ?= -O2 -g
ZS_FLAGS  = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fopenmp -Iinclude
LDLIBS    = -ldeflate -lisal -lxxhash
PYTHON   ?= /usr/bin/python3

SHARED   ?= $(abspath ../shared)
CORPUS   ?= $(SHARED)/corpus/third_party

LIB_SRC  := $(filter-out src/cli.c,$(wildcard src/*.c))
TEST_SRC := $(wildcard test/test_*.c)
HEADERS  := $(wildcard include/*.h src/*.h)

# Debian packages: to build, to test, to benchmark.
DEPS_BUILD = gcc make libc6-dev libdeflate-dev libisal-dev libxxhash-dev
DEPS_TEST  = libcriterion-dev zip unzip python3 time 7zip libarchive-tools
DEPS_BENCH = hyperfine

.PHONY: all deps deps-bench test asan demo bench clean test-browser

all: build/.deps build/zipscan build/libzipscan.a

# ---- dependencies --------------------------------------------------------

build/.deps: Makefile
	@mkdir -p build
	@$(MAKE) --no-print-directory deps
	@touch $@

deps:
	@scripts/install-deps $(DEPS_BUILD) $(DEPS_TEST)

deps-bench: build/.deps
	@scripts/install-deps $(DEPS_BENCH)

# ---- library and command -------------------------------------------------

build/obj/%.o: src/%.c $(HEADERS) | build/.deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ZS_FLAGS) -c $< -o $@

build/libzipscan.a: $(LIB_SRC:src/%.c=build/obj/%.o)
	rm -f $@
	ar rcs $@ $^

build/zipscan: build/obj/cli.o build/libzipscan.a
	$(CC) $(CFLAGS) -fopenmp $^ $(LDLIBS) -o $@

# ---- tests ---------------------------------------------------------------

TEST_DEFS = -DZS_FIXTURES='"$(abspath build/fixtures)"' \
	    -DZS_CORPUS='"$(CORPUS)"' -DZS_BIN='"$(abspath build/zipscan)"' \
	    -DZS_TESTDIR='"$(abspath test)"'

build/fixtures/.done: test/fixtures.py | build/.deps
	@mkdir -p build/fixtures
	$(PYTHON) test/fixtures.py build/fixtures
	@touch $@

# Archives at ZIP's limits (the million-entry ones are made by the test).
build/fixtures/limits/.done: test/limits.py | build/.deps
	@mkdir -p build/fixtures/limits
	$(PYTHON) test/limits.py build/fixtures/limits
	@touch $@

build/test_zipscan: $(TEST_SRC) test/helpers.h build/libzipscan.a
	$(CC) $(CFLAGS) $(ZS_FLAGS) -Isrc $(TEST_DEFS) $(TEST_SRC) \
		build/libzipscan.a $(LDLIBS) -lcriterion -o $@

# zip bombs (after Fifield 2019) for test/test_bombs.c
build/fixtures/bombs/.done: test/bombs.py | build/.deps
	@mkdir -p build/fixtures/bombs
	$(PYTHON) test/bombs.py build/fixtures/bombs
	@touch $@

test: all build/test_zipscan build/fixtures/.done build/fixtures/bombs/.done \
	build/fixtures/limits/.done
	build/test_zipscan -j2
	$(PYTHON) test/check_differential.py build/zipscan
	$(PYTHON) scripts/differential.py build/zipscan --every-file $(CORPUS) \
		--archives build/fixtures

# The same suite, library and command under ASan + UBSan, in build/asan.
ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	     -fno-sanitize-recover=all

asan: build/fixtures/.done build/fixtures/bombs/.done \
	build/fixtures/limits/.done
	$(MAKE) --no-print-directory BUILD=build/asan build/asan/zipscan \
		build/asan/test_zipscan CFLAGS="$(ASAN_FLAGS)"
	ASAN_OPTIONS=detect_leaks=1 build/asan/test_zipscan -j2
	$(PYTHON) scripts/differential.py build/asan/zipscan --every-file $(CORPUS) \
		--archives build/fixtures

build/asan/obj/%.o: src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ZS_FLAGS) -c $< -o $@

build/asan/libzipscan.a: $(LIB_SRC:src/%.c=build/asan/obj/%.o)
	rm -f $@
	ar rcs $@ $^

build/asan/zipscan: build/asan/obj/cli.o build/asan/libzipscan.a
	$(CC) $(CFLAGS) -fopenmp $^ $(LDLIBS) -o $@

build/asan/test_zipscan: $(TEST_SRC) test/helpers.h build/asan/libzipscan.a
	$(CC) $(CFLAGS) $(ZS_FLAGS) -Isrc $(TEST_DEFS) \
		-DZS_BIN_OVERRIDE='"$(abspath build/asan/zipscan)"' \
		$(TEST_SRC) build/asan/libzipscan.a $(LDLIBS) -lcriterion -o $@

# ---- demo and benchmark --------------------------------------------------

demo: all
	scripts/demo

bench: all deps-bench build/floor
	bench/run

build/floor: bench/floor.c build/libzipscan.a
	$(CC) -O2 $(ZS_FLAGS) -Isrc $< build/libzipscan.a $(LDLIBS) -o $@

# Render a stats page in headless Chromium and keep the picture, to look at
# (not part of `make test`: it needs a browser).
test-browser: all build/fixtures/.done
	@scripts/install-deps chromium
	-build/zipscan stats --html -o build/report.html build/fixtures/stats.zip \
		build/fixtures/bad-crc.zip build/fixtures/mixed.zip
	$(PYTHON) test/check_report.py html 0 3 < build/report.html
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--user-data-dir=build/chromium-profile --window-size=1400,3000 \
		--screenshot=build/report.png file://$(abspath build/report.html)
	@echo "look at build/report.png"

clean:
	rm -rf build
