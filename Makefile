# SPDX-License-Identifier: MIT
# zipscan - build, install, test, demo and benchmark.
#
#   make          build/zipscan, build/libzipscan.so.* and build/libzipscan.a
#                 (installs nothing; the -dev packages must be there:
#                 `make deps` installs them)
#   make install  PREFIX=/usr/local DESTDIR= bindir libdir includedir mandir
#   make uninstall
#   make test     the Criterion suite, the Python module's tests, the
#                 install check, then zipscan against Python's zipfile and
#                 unzip on the corpus and the fixtures
#   make asan     the same suite under AddressSanitizer + UBSan
#   make fuzz     libFuzzer on the whole command path (FUZZ_SECONDS=600)
#   make fuzz-inflate64  libFuzzer on the Deflate64 decoder alone
#   make fuzz-pinflate   libFuzzer on one Deflate stream on several threads
#   make demo     zip a real tree with Info-ZIP zip, then test and list it
#   make bench    zipscan against unzip, 7zz and a libdeflate floor; the
#                 Deflate64 decoder's speed against libdeflate
#
# demo, test, asan and bench run `make deps` first (apt-get, only for what
# is missing), so a fresh Debian 12 machine needs nothing else; they also
# build with -Werror.  CC, CFLAGS, CPPFLAGS and LDFLAGS are honoured.

CC       ?= cc
CXX      ?= c++
CFLAGS   ?= -O2 -g
CXXFLAGS ?= -O2 -g
PYTHON   ?= /usr/bin/python3
PKG_CONFIG ?= pkg-config
# -Werror only where developers and CI build (demo, test, asan, bench,
# fuzz), never in a user's or a distribution's build.
WERROR   ?=
ZS_FLAGS  = -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) -fopenmp -Iinclude \
	    -I/usr/include/postgresql
# The library's objects: position-independent (they go into the shared
# library too), and only what zipscan.h marks ZS_API is exported.
LIB_FLAGS = -fPIC -fvisibility=hidden -DZS_BUILDING_LIBRARY
# No -lpq: libpq is loaded at run time, and only for a PostgreSQL --db
# (src/pg_load.c; its header, from libpq-dev, is still needed to build).
LDLIBS    = -ldeflate -lisal -lxxhash -lzstd -lbz2 -llzma -lz -lsqlite3

# The version lives in include/zipscan.h alone.
VERSION  := $(shell sed -n 's/^\#define ZS_VERSION "\(.*\)"/\1/p' include/zipscan.h)
MAJOR    := $(shell sed -n 's/^\#define ZS_VERSION_MAJOR \([0-9]*\)/\1/p' include/zipscan.h)
SONAME    = libzipscan.so.$(MAJOR)
SOFILE    = libzipscan.so.$(VERSION)

SHARED   ?= $(abspath ../shared)
CORPUS   ?= $(SHARED)/corpus/third_party

# The command's files (src/cli*.c) are not the library's.
CLI_SRC  := src/cli.c src/cli_create.c
LIB_SRC  := $(filter-out $(CLI_SRC),$(wildcard src/*.c))
TEST_SRC := $(wildcard test/test_*.c)
HEADERS  := $(wildcard include/*.h src/*.h)

# Debian packages: to build, to test, to benchmark.
DEPS_BUILD = gcc make libc6-dev libdeflate-dev libisal-dev libxxhash-dev \
	     libzstd-dev libbz2-dev liblzma-dev zlib1g-dev libsqlite3-dev \
	     libpq-dev
DEPS_TEST  = libcriterion-dev zip unzip python3 time 7zip libarchive-tools \
	     zstd g++ pkgconf python3-pytest python3-venv python3-pip groff \
	     man-db bash-completion zsh tmux postgresql sqlite3 \
	     python3-distributed
DEPS_BENCH = hyperfine

.PHONY: all deps deps-bench test asan demo bench bench-catalog clean \
	test-browser zipgen \
	fuzz fuzz-smoke fuzz-regress fuzz-coverage fuzz-inflate64 \
	fuzz-inflate64-smoke fuzz-inflate64-regress fuzz-pinflate \
	fuzz-pinflate-regress fuzz-pinflate-smoke install uninstall \
	check-install check-python check-corpus

all: build/zipscan build/libzipscan.a build/$(SOFILE) build/zipscan.pc

# The developers' and CI's targets: -Werror on everything they build.
demo test asan bench fuzz fuzz-smoke fuzz-regress fuzz-inflate64 \
fuzz-inflate64-smoke fuzz-inflate64-regress fuzz-pinflate \
fuzz-pinflate-regress fuzz-pinflate-smoke: WERROR = -Werror

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

build/obj/cli.o build/obj/cli_create.o: build/obj/%.o: src/%.c \
		include/zipscan.h src/cli_create.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ZS_FLAGS) $(CFLAGS) -c $< -o $@

build/obj/%.o: src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ZS_FLAGS) $(LIB_FLAGS) $(CFLAGS) -c $< -o $@

# The catalog's schema: schema/catalog.sql is the one copy; the library
# gets it as a C string (src/catalog_schema.c includes this).
build/gen/catalog_schema.h: schema/catalog.sql
	@mkdir -p $(dir $@)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$$/\\n"/' $< > $@
build/obj/catalog_schema.o build/asan/obj/catalog_schema.o \
build/fuzz/obj/catalog_schema.o build/fuzz/cov/catalog_schema.o: \
	build/gen/catalog_schema.h

build/libzipscan.a: $(LIB_SRC:src/%.c=build/obj/%.o)
	rm -f $@
	$(AR) rcs $@ $^

build/$(SOFILE): $(LIB_SRC:src/%.c=build/obj/%.o)
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,--no-undefined $(CFLAGS) \
		$(LDFLAGS) -fopenmp $^ $(LDLIBS) -o $@
	ln -sf $(SOFILE) build/$(SONAME)
	ln -sf $(SONAME) build/libzipscan.so

# The command links the library statically: one self-contained binary
# that runs from the build tree as installed.
build/zipscan: build/obj/cli.o build/obj/cli_create.o build/libzipscan.a
	$(CC) $(CFLAGS) $(LDFLAGS) -fopenmp $^ $(LDLIBS) -o $@

# The same command linked against the shared library: it links only if
# cli.c uses nothing but the exported API (make test builds it).
build/zipscan-shared: build/obj/cli.o build/obj/cli_create.o build/$(SOFILE)
	$(CC) $(CFLAGS) $(LDFLAGS) -fopenmp build/obj/cli.o build/obj/cli_create.o \
		-Lbuild -lzipscan -o $@

# zipscan.pc for the prefix of this build (install writes its own, for the
# prefix it installs to).
PC_SED = sed -e 's|@prefix@|$(prefix)|' -e 's|@libdir@|$(libdir)|' \
	     -e 's|@includedir@|$(includedir)|' -e 's|@VERSION@|$(VERSION)|'
build/zipscan.pc: zipscan.pc.in include/zipscan.h Makefile
	$(PC_SED) $< > $@

# ---- install -------------------------------------------------------------

PREFIX      ?= /usr/local
prefix      ?= $(PREFIX)
exec_prefix ?= $(prefix)
bindir      ?= $(exec_prefix)/bin
libdir      ?= $(exec_prefix)/lib
includedir  ?= $(prefix)/include
datadir     ?= $(prefix)/share
mandir      ?= $(datadir)/man
pkgconfigdir ?= $(libdir)/pkgconfig
bashcompdir ?= $(datadir)/bash-completion/completions
zshcompdir  ?= $(datadir)/zsh/site-functions
# Where the Python module goes: this Python's site directory under prefix
# (/usr/local/lib/python3.11/dist-packages on Debian; scripts/python-dir
# says why sysconfig's default scheme alone would give /usr/local/local).
pythondir   ?= $(shell $(PYTHON) scripts/python-dir '$(prefix)' 2>/dev/null)
INSTALL     ?= install

install: all
	$(INSTALL) -d $(DESTDIR)$(bindir) $(DESTDIR)$(libdir) \
		$(DESTDIR)$(includedir) $(DESTDIR)$(pkgconfigdir) \
		$(DESTDIR)$(mandir)/man1 $(DESTDIR)$(bashcompdir) \
		$(DESTDIR)$(zshcompdir)
	$(INSTALL) -m 755 build/zipscan $(DESTDIR)$(bindir)/zipscan
	$(INSTALL) -m 644 build/$(SOFILE) $(DESTDIR)$(libdir)/$(SOFILE)
	ln -sf $(SOFILE) $(DESTDIR)$(libdir)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(libdir)/libzipscan.so
	$(INSTALL) -m 644 build/libzipscan.a $(DESTDIR)$(libdir)/libzipscan.a
	$(INSTALL) -m 644 include/zipscan.h $(DESTDIR)$(includedir)/zipscan.h
	$(PC_SED) zipscan.pc.in > $(DESTDIR)$(pkgconfigdir)/zipscan.pc
	sed 's/"zipscan [0-9][0-9.]*"/"zipscan $(VERSION)"/' man/zipscan.1 \
		> $(DESTDIR)$(mandir)/man1/zipscan.1
	$(INSTALL) -m 644 completion/zipscan.bash \
		$(DESTDIR)$(bashcompdir)/zipscan
	$(INSTALL) -m 644 completion/_zipscan $(DESTDIR)$(zshcompdir)/_zipscan
	$(if $(and $(pythondir),$(wildcard python/zipscan/__init__.py)),$(INSTALL) -d $(DESTDIR)$(pythondir)/zipscan && \
		$(INSTALL) -m 644 python/zipscan/*.py \
			$(DESTDIR)$(pythondir)/zipscan/ && \
		printf 'LIBRARY = "%s"\n' '$(libdir)/$(SONAME)' \
			> $(DESTDIR)$(pythondir)/zipscan/_installed.py)
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
		ldconfig 2>/dev/null || true; fi

check-install: all
	MAKE="$(MAKE)" test/check_install.sh

uninstall:
	rm -f $(DESTDIR)$(bindir)/zipscan $(DESTDIR)$(libdir)/$(SOFILE) \
	      $(DESTDIR)$(libdir)/$(SONAME) $(DESTDIR)$(libdir)/libzipscan.so \
	      $(DESTDIR)$(libdir)/libzipscan.a \
	      $(DESTDIR)$(includedir)/zipscan.h \
	      $(DESTDIR)$(pkgconfigdir)/zipscan.pc \
	      $(DESTDIR)$(mandir)/man1/zipscan.1 \
	      $(DESTDIR)$(bashcompdir)/zipscan $(DESTDIR)$(zshcompdir)/_zipscan
	$(if $(pythondir),rm -rf $(DESTDIR)$(pythondir)/zipscan)

# ---- tests ---------------------------------------------------------------

TEST_DEFS = -DZS_FIXTURES='"$(abspath build/fixtures)"' \
	    -DZS_CORPUS='"$(CORPUS)"' -DZS_BIN='"$(abspath build/zipscan)"' \
	    -DZS_TESTDIR='"$(abspath test)"' -DZS_PYTHON='"$(PYTHON)"'

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

# Archives in every method past Deflate (7-Zip, Python, zstd frames and
# Deflate64 streams by hand) for test/test_methods.c
DEPS_TEST += zstd
build/fixtures/methods/.done: test/methods.py test/fixtures.py test/deflate64.py \
		| build/.deps
	@mkdir -p build/fixtures/methods
	$(PYTHON) test/methods.py build/fixtures/methods $(CORPUS)
	@touch $@

# Deflate64 streams, their outputs and ZIPs around them, for
# test/test_inflate64.c and the fuzz target (test/deflate64.py)
build/fixtures/deflate64/.done: test/deflate64.py test/fixtures.py | \
		build/.deps
	@mkdir -p build/fixtures/deflate64
	$(PYTHON) test/deflate64.py build/fixtures/deflate64
	@touch $@

# SOZip archives, valid and with lying indexes, for test/test_sozip.c
build/fixtures/sozip/.done: test/sozip.py test/fixtures.py | build/.deps
	@mkdir -p build/fixtures/sozip
	$(PYTHON) test/sozip.py build/fixtures/sozip
	@touch $@

FIXTURES = build/fixtures/.done build/fixtures/bombs/.done \
	   build/fixtures/limits/.done build/fixtures/methods/.done \
	   build/fixtures/deflate64/.done build/fixtures/sozip/.done

# Said once, where a newcomer sees it: what runs without the corpus.
check-corpus:
	@test -d "$(CORPUS)" || echo "make test: no third-party corpus at \
	$(CORPUS): the tests that need it are skipped (put it there, as CI \
	has ../shared/corpus/third_party, or run CORPUS=DIR make test)"

test: build/.deps all build/zipscan-shared build/test_zipscan $(FIXTURES) \
		check-corpus
	LD_LIBRARY_PATH=build build/zipscan-shared --version > /dev/null
	ZS_CORPUS="$(CORPUS)" build/test_zipscan -j2
	$(PYTHON) test/check_docs.py build/zipscan
	$(MAKE) --no-print-directory check-install
	$(MAKE) --no-print-directory check-python
	$(PYTHON) test/check_differential.py build/zipscan
	$(PYTHON) scripts/differential.py build/zipscan --every-file $(CORPUS) \
		--archives build/fixtures
	@$(MAKE) --no-print-directory fuzz-regress fuzz-smoke \
		fuzz-inflate64-regress fuzz-inflate64-smoke \
		fuzz-pinflate-regress

# The Python module's tests (python/tests) against this tree's library and
# command.  pytest exits 5 when it collects no test: that fails here too,
# as does any other non-zero status.
check-python: all
	ZIPSCAN_LIBRARY=$(abspath build/$(SONAME)) \
	ZIPSCAN_BIN=$(abspath build/zipscan) \
		$(PYTHON) -m pytest -q -p no:cacheprovider python/tests; \
	status=$$?; \
	if [ $$status = 5 ]; then \
		echo "check-python: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

# The same suite, library and command under ASan + UBSan, in build/asan.
ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	     -fno-sanitize-recover=all

ASAN_SERIAL = methods|inflate64|inflate64_zip|shell|hostile|trust|levels|progress

asan: build/.deps $(FIXTURES)
	$(MAKE) --no-print-directory WERROR=-Werror build/asan/zipscan \
		build/asan/test_zipscan CFLAGS="$(ASAN_FLAGS)"
	ZS_CORPUS="$(CORPUS)" ASAN_OPTIONS=detect_leaks=1 \
		LSAN_OPTIONS=suppressions=$(abspath test/lsan.supp) \
		build/asan/test_zipscan -j2 \
		--filter '!($(ASAN_SERIAL))/*'
	# The long tests one at a time: with two of them at once, Criterion's
	# runner itself leaks 48 bytes (calloc in libcriterion under
	# criterion_run_all_tests, no frame of ours; each test alone, and all
	# at -j1, are clean); test/lsan.supp names it, for the long tests
	# that the -j2 run above still pairs.
	ZS_CORPUS="$(CORPUS)" ASAN_OPTIONS=detect_leaks=1 \
		LSAN_OPTIONS=suppressions=$(abspath test/lsan.supp) \
		build/asan/test_zipscan -j1 \
		--filter '@($(ASAN_SERIAL))/*'
	$(PYTHON) scripts/differential.py build/asan/zipscan --every-file $(CORPUS) \
		--archives build/fixtures

build/asan/obj/%.o: src/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(ZS_FLAGS) -c $< -o $@

build/asan/libzipscan.a: $(LIB_SRC:src/%.c=build/asan/obj/%.o)
	rm -f $@
	ar rcs $@ $^

build/asan/zipscan: build/asan/obj/cli.o build/asan/obj/cli_create.o \
		build/asan/libzipscan.a
	$(CC) $(CFLAGS) -fopenmp $^ $(LDLIBS) -o $@

build/asan/test_zipscan: $(TEST_SRC) test/helpers.h build/asan/libzipscan.a
	$(CC) $(CFLAGS) $(ZS_FLAGS) -Isrc $(TEST_DEFS) \
		-DZS_BIN_OVERRIDE='"$(abspath build/asan/zipscan)"' \
		$(TEST_SRC) build/asan/libzipscan.a $(LDLIBS) -lcriterion -o $@

# ---- fuzzing -------------------------------------------------------------
#
# build/fuzz/fuzz_archive: libFuzzer running each input through list, test,
# stats, extract and cat (test/fuzz/fuzz_archive.c), with the library
# built again here under ASan + UBSan and libFuzzer's coverage hooks.
#
#   make fuzz FUZZ_SECONDS=N  fuzz for N seconds (new inputs: build/fuzz/
#                             corpus, crashes: build/fuzz/crashes/)
#   make fuzz-smoke           60 s, fails on a crash, leak, timeout or OOM
#   make fuzz-regress         every input in test/regress/, once each
#   make fuzz-coverage        line coverage of src/ from replaying the
#                             corpus (build/fuzz/coverage.txt)

DEPS_TEST += clang-14 libclang-rt-14-dev libomp-14-dev
DEPS_COV   = llvm-14

FUZZ_CC      = clang-14
FUZZ_SECONDS ?= 600
FUZZ_SAN     = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS  = -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN)
FUZZ_OPTS    = -max_len=1048576 -rss_limit_mb=2048 -timeout=10 \
	       -dict=test/fuzz/zip.dict -artifact_prefix=build/fuzz/crashes/ \
	       -print_final_stats=1
FUZZ_SEEDS   = $(wildcard $(CORPUS)) build/fixtures
FUZZ_ENV     = ZS_FUZZ_TMPDIR=$(abspath build/fuzz/tmp)
REGRESS      = $(filter-out test/regress/README% test/regress/inflate64-% \
			    test/regress/pinflate-%,$(wildcard test/regress/*))

build/fuzz/obj/%.o: src/%.c $(HEADERS) | build/.deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(ZS_FLAGS) \
		-c $< -o $@

build/fuzz/libzipscan.a: $(LIB_SRC:src/%.c=build/fuzz/obj/%.o)
	rm -f $@
	ar rcs $@ $^

build/fuzz/fuzz_archive: test/fuzz/fuzz_archive.c build/fuzz/libzipscan.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(ZS_FLAGS) -Isrc $< \
		build/fuzz/libzipscan.a $(LDLIBS) -o $@

fuzz: build/fuzz/fuzz_archive build/fixtures/.done
	@mkdir -p build/fuzz/corpus build/fuzz/crashes build/fuzz/tmp
	$(FUZZ_ENV) nice -n 10 build/fuzz/fuzz_archive $(FUZZ_OPTS) \
		-max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus $(FUZZ_SEEDS)

# New finds go to a scratch directory, so each run starts from the seeds.
fuzz-smoke: build/fuzz/fuzz_archive build/fixtures/.done
	@rm -rf build/fuzz/smoke
	@mkdir -p build/fuzz/smoke build/fuzz/crashes build/fuzz/tmp
	$(FUZZ_ENV) build/fuzz/fuzz_archive $(FUZZ_OPTS) -max_total_time=55 \
		build/fuzz/smoke $(FUZZ_SEEDS)

fuzz-regress: build/fuzz/fuzz_archive
	@mkdir -p build/fuzz/tmp build/fuzz/crashes
	$(if $(REGRESS),$(FUZZ_ENV) build/fuzz/fuzz_archive $(FUZZ_OPTS) \
		$(REGRESS),@echo "fuzz-regress: test/regress/ is empty")

# build/fuzz/fuzz_inflate64: the Deflate64 decoder alone on raw streams,
# whole against streamed, and plain Deflate against libdeflate
# (test/fuzz/fuzz_inflate64.c).  Seeds: the streams of test/deflate64.py,
# each behind a control byte (build/fixtures/deflate64/seeds/).
#
#   make fuzz-inflate64 FUZZ_SECONDS=N  (corpus: build/fuzz/inflate64/,
#                                        crashes: build/fuzz/crashes/)
#   make fuzz-inflate64-smoke           25 s, in make test
#   make fuzz-inflate64-regress         test/regress/inflate64-*, once each

FUZZ64_OPTS  = -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
	       -dict=test/fuzz/deflate64.dict \
	       -artifact_prefix=build/fuzz/crashes/inflate64- \
	       -print_final_stats=1
FUZZ64_SEEDS = build/fixtures/deflate64/seeds
REGRESS64    = $(wildcard test/regress/inflate64-*)

build/fuzz/fuzz_inflate64: test/fuzz/fuzz_inflate64.c build/fuzz/libzipscan.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(ZS_FLAGS) -Isrc $< \
		build/fuzz/libzipscan.a $(LDLIBS) -o $@

fuzz-inflate64: build/fuzz/fuzz_inflate64 build/fixtures/deflate64/.done
	@mkdir -p build/fuzz/inflate64 build/fuzz/crashes
	nice -n 10 build/fuzz/fuzz_inflate64 $(FUZZ64_OPTS) \
		-max_total_time=$(FUZZ_SECONDS) build/fuzz/inflate64 \
		$(FUZZ64_SEEDS)

fuzz-inflate64-smoke: build/fuzz/fuzz_inflate64 build/fixtures/deflate64/.done
	@rm -rf build/fuzz/inflate64-smoke
	@mkdir -p build/fuzz/inflate64-smoke build/fuzz/crashes
	build/fuzz/fuzz_inflate64 $(FUZZ64_OPTS) -max_total_time=25 \
		build/fuzz/inflate64-smoke $(FUZZ64_SEEDS)

fuzz-inflate64-regress: build/fuzz/fuzz_inflate64
	@mkdir -p build/fuzz/crashes
	$(if $(REGRESS64),build/fuzz/fuzz_inflate64 $(FUZZ64_OPTS) \
		$(REGRESS64),@echo "fuzz-inflate64-regress: no test/regress/inflate64-* yet")

# build/fuzz/fuzz_pinflate: one raw Deflate stream decoded on several
# threads (src/pinflate.c) against ISA-L's sequential decode
# (test/fuzz/fuzz_pinflate.c).  Seeds: the Deflate64 seeds (their plain
# Deflate streams), behind the same control byte.
#
#   make fuzz-pinflate FUZZ_SECONDS=N  (corpus: build/fuzz/pinflate/)
#   make fuzz-pinflate-smoke           25 s

FUZZPIN_OPTS = -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
	       -artifact_prefix=build/fuzz/crashes/pinflate- \
	       -print_final_stats=1

build/fuzz/fuzz_pinflate: test/fuzz/fuzz_pinflate.c build/fuzz/libzipscan.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(ZS_FLAGS) -Isrc $< \
		build/fuzz/libzipscan.a $(LDLIBS) -o $@

REGRESSPIN = $(wildcard test/regress/pinflate-*)

fuzz-pinflate-regress: build/fuzz/fuzz_pinflate
	@mkdir -p build/fuzz/crashes
	build/fuzz/fuzz_pinflate $(FUZZPIN_OPTS) $(REGRESSPIN)

# One recipe for both: the smoke run starts from the seeds alone.
PIN_SMOKE = $(filter %-smoke,$@)
fuzz-pinflate fuzz-pinflate-smoke: build/fuzz/fuzz_pinflate \
		build/fixtures/deflate64/.done
	@rm -rf build/fuzz/pinflate-smoke
	@mkdir -p build/fuzz/pinflate build/fuzz/pinflate-smoke \
		build/fuzz/crashes
	nice -n 10 build/fuzz/fuzz_pinflate $(FUZZPIN_OPTS) \
		-max_total_time=$(if $(PIN_SMOKE),25,$(FUZZ_SECONDS)) \
		build/fuzz/pinflate$(if $(PIN_SMOKE),-smoke) $(FUZZ64_SEEDS)

# The harness again with clang's source coverage instead of libFuzzer's
# hooks (libFuzzer's main still replays the files), over the corpus.
build/fuzz/cov/%.o: src/%.c $(HEADERS) | build/.deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -O1 -g -fprofile-instr-generate -fcoverage-mapping \
		$(ZS_FLAGS) -c $< -o $@

build/fuzz/fuzz_archive_cov: test/fuzz/fuzz_archive.c \
		$(LIB_SRC:src/%.c=build/fuzz/cov/%.o)
	$(FUZZ_CC) -O1 -g -fprofile-instr-generate -fcoverage-mapping \
		-fsanitize=fuzzer $(ZS_FLAGS) -Isrc $^ $(LDLIBS) -o $@

fuzz-coverage: build/fuzz/fuzz_archive_cov build/fixtures/.done
	@scripts/install-deps $(DEPS_COV)
	@mkdir -p build/fuzz/corpus build/fuzz/tmp
	rm -f build/fuzz/cov-*.profraw
	$(FUZZ_ENV) LLVM_PROFILE_FILE=$(abspath build/fuzz/cov-%p.profraw) \
		build/fuzz/fuzz_archive_cov -runs=0 -max_len=1048576 \
		build/fuzz/corpus $(FUZZ_SEEDS)
	llvm-profdata-14 merge -sparse build/fuzz/cov-*.profraw \
		-o build/fuzz/cov.profdata
	llvm-cov-14 report build/fuzz/fuzz_archive_cov \
		-instr-profile=build/fuzz/cov.profdata $(LIB_SRC) \
		| tee build/fuzz/coverage.txt

# ---- demo and benchmark --------------------------------------------------

demo: build/.deps all
	scripts/demo

bench: build/.deps all deps-bench build/floor build/inflate64_speed build/zipgen \
	build/create_floor build/walk_speed build/fresh_memory
	build/fresh_memory
	bench/run
	bench/catalog build/bench/many-files.zip build/bench

# What --db costs (README "The catalog"): CPU time, SQLite and PostgreSQL.
bench-catalog: all build/zipgen
	bench/catalog $(BENCH_MANY) build/bench
BENCH_MANY ?= build/bench/many-files.zip

# The synthetic archive and tree generator (bench/zipgen.c), on the
# library's writer: `build/zipgen --entries 1000000 --size 0-4K big.zip`.
zipgen: build/zipgen
build/zipgen: bench/zipgen.c build/libzipscan.a
	$(CC) -O2 -g $(ZS_FLAGS) $< build/libzipscan.a $(LDLIBS) -lm -o $@

build/floor: bench/floor.c build/libzipscan.a
	$(CC) -O2 $(ZS_FLAGS) -Isrc $< build/libzipscan.a $(LDLIBS) -o $@

build/create_floor: bench/create_floor.c
	$(CC) -O2 -g $< -ldeflate -o $@

build/fresh_memory: bench/fresh_memory.c
	$(CC) -O2 -g $(ZS_FLAGS) $< -o $@

build/walk_speed: bench/walk_speed.c build/libzipscan.a
	$(CC) -O2 -g $(ZS_FLAGS) -Isrc $< build/libzipscan.a $(LDLIBS) -o $@

build/inflate64_speed: bench/inflate64_speed.c build/libzipscan.a
	$(CC) -O2 -g $(ZS_FLAGS) -Isrc $< build/libzipscan.a $(LDLIBS) -o $@

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
