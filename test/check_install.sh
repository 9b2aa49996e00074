#!/bin/sh
# SPDX-License-Identifier: MIT
# check_install.sh - `make install` into a temporary DESTDIR, then build a C
# and a C++ program against the installed files with nothing but
# pkg-config (shared and static), run them on an archive made here with
# Info-ZIP zip, and check what they print.  Also: the file list, the
# soname, the exported symbols, the man page, `make uninstall`.
# Prints 'N passed, N failed' and exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.."
make=${MAKE:-make}
tmp=$(mktemp -d /tmp/zs-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
prefix=/opt/zipscan
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "check_install: FAIL: $*" >&2; }
check() { # check DESCRIPTION COMMAND...
	what=$1; shift
	if "$@" > "$tmp/out" 2>&1; then ok; else bad "$what"; cat "$tmp/out" >&2; fi
}

$make --no-print-directory -s install DESTDIR="$dest" PREFIX=$prefix \
	> "$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; exit 1; }
(cd "$dest" && find . \( -type f -o -type l \) | sort) > "$tmp/files"
echo "check_install: make install DESTDIR=... PREFIX=$prefix wrote:"
sed 's|^\.|  |' "$tmp/files"
version=$(sed -n 's/^#define ZS_VERSION "\(.*\)"/\1/p' include/zipscan.h)
major=${version%%.*}
lib=$dest$prefix/lib
for f in bin/zipscan lib/libzipscan.so.$version lib/libzipscan.so.$major \
	 lib/libzipscan.so lib/libzipscan.a include/zipscan.h \
	 lib/pkgconfig/zipscan.pc share/man/man1/zipscan.1 \
	 share/bash-completion/completions/zipscan \
	 share/zsh/site-functions/_zipscan; do
	check "installed $f" test -e "$dest$prefix/$f"
done
check "Python module installed" sh -c "ls $dest$prefix/lib/python3*/*-packages/zipscan/__init__.py"
check "soname is libzipscan.so.$major" sh -c \
	"objdump -p $lib/libzipscan.so.$version | grep -q 'SONAME *libzipscan.so.$major\$'"
# every exported symbol is declared in the header, and nothing else is
nm -D --defined-only "$lib/libzipscan.so.$version" | awk '{print $3}' \
	| sort > "$tmp/exported"
grep -o 'zs_[a-z0-9_]*(' "$dest$prefix/include/zipscan.h" | tr -d '(' \
	| sort -u > "$tmp/declared"
check "exports = declarations ($(wc -l < "$tmp/exported") symbols)" \
	cmp "$tmp/exported" "$tmp/declared"
check "man page renders without warnings" sh -c \
	"groff -man -Tutf8 -ww -z $dest$prefix/share/man/man1/zipscan.1 2>&1 | (! grep .)"
check "installed zipscan runs" "$dest$prefix/bin/zipscan" --version

# an archive to read: a directory and two files
mkdir -p "$tmp/tree/docs"
printf 'hello, world\n' > "$tmp/tree/docs/hello.txt"
seq 1 20000 > "$tmp/tree/numbers.txt"
(cd "$tmp/tree" && zip -qr "$tmp/a.zip" docs numbers.txt)

export PKG_CONFIG_PATH="$lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
cflags=$(pkg-config --cflags zipscan) libs=$(pkg-config --libs zipscan)
slibs=$(pkg-config --static --libs zipscan)
check "pkg-config --cflags names the installed header" \
	test "${cflags%% *}" = "-I$dest$prefix/include"
check "C, shared" sh -c "${CC:-cc} -std=c11 -Wall -Wextra -Werror \
	test/install/example.c $cflags $libs -o $tmp/c-shared"
check "C, static" sh -c "${CC:-cc} -std=c11 -Wall -Wextra -Werror \
	test/install/example.c $cflags $lib/libzipscan.a $slibs -o $tmp/c-static"
check "C++, shared" sh -c "${CXX:-c++} -std=c++17 -Wall -Wextra -Werror \
	-pedantic test/install/example.cpp $cflags $libs -o $tmp/cxx-shared"
check "C++, static" sh -c "${CXX:-c++} -std=c++17 -Wall -Wextra -Werror \
	test/install/example.cpp $cflags $lib/libzipscan.a $slibs \
	-o $tmp/cxx-static"
check "static build needs no libzipscan.so" sh -c \
	"! ldd $tmp/c-static | grep -q zipscan"

crc=$(python3 -c "import zlib,sys; print('%08x' % zlib.crc32(open(sys.argv[1],'rb').read()))" "$tmp/tree/numbers.txt")
size=$(wc -c < "$tmp/tree/numbers.txt" | tr -d ' ')
cat > "$tmp/want-c" <<WANT
version $version
entries 3
test status 0 ok 3 bad 0
entry docs/ size 0 crc 00000000 method stored dir 1 status 1
entry docs/hello.txt size 13 crc $(python3 -c "import zlib; print('%08x' % zlib.crc32(b'hello, world\n'))") method stored dir 0 status 1
read docs/hello.txt: hello, world
callback 13 bytes, status 0
entry numbers.txt size $size crc $crc method deflate dir 0 status 1
WANT
cat > "$tmp/want-cxx" <<WANT
entry docs/ size 0 dir
entry docs/hello.txt size 13
read docs/hello.txt: hello, world
entry numbers.txt size $size
status 0
WANT
for p in c-shared c-static; do
	LD_LIBRARY_PATH=$lib "$tmp/$p" "$tmp/a.zip" docs/hello.txt > "$tmp/got" 2>&1
	check "$p prints what the archive holds" diff -u "$tmp/want-c" "$tmp/got"
done
for p in cxx-shared cxx-static; do
	LD_LIBRARY_PATH=$lib "$tmp/$p" "$tmp/a.zip" docs/hello.txt > "$tmp/got" 2>&1
	check "$p prints what the archive holds" diff -u "$tmp/want-cxx" "$tmp/got"
done

# the installed Python module, from its installed directory
pydir=$(ls -d "$dest$prefix"/lib/python3*/*-packages 2>/dev/null | head -1)
cat > "$tmp/want-py" <<WANT
3 0 ['docs/', 'docs/hello.txt', 'numbers.txt'] b'hello, world\n'
WANT
PYTHONPATH=$pydir ZIPSCAN_LIBRARY=$lib/libzipscan.so.$major /usr/bin/python3 -c '
import sys, zipscan
with zipscan.open(sys.argv[1]) as z:
    r = z.test()
    print(len(z), r.status, [e.name for e in z], z.read("docs/hello.txt"))
' "$tmp/a.zip" > "$tmp/got" 2>&1
check "installed Python module reads the archive" diff -u "$tmp/want-py" "$tmp/got"
check "installed Python module knows where the library goes" grep -q \
	"$prefix/lib/libzipscan.so.$major" "$pydir/zipscan/_installed.py"

$make --no-print-directory -s uninstall DESTDIR="$dest" PREFIX=$prefix \
	> "$tmp/uninstall.log" 2>&1 || bad "make uninstall"
left=$(cd "$dest" && find . \( -type f -o -type l \) | wc -l)
check "make uninstall leaves no file ($left left)" test "$left" -eq 0
echo "check_install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
