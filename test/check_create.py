#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check_create.py [ZIPSCAN] - the long checks of `zipscan create`, run by
hand (not in make test: minutes of CPU and, with --store, 5 GB of disk).

  1. an entry over 4 GiB (a sparse file of 4.5 GiB, so no disk is spent on
     the input): ZIP64 sizes in its local and central headers; the archive
     passes zipscan test, unzip -t, 7zz t and Python's testzip();
  2. the same 4.5 GiB through standard input: a streamed entry, its data
     descriptor with 8-byte sizes;
  3. with --sozip, the same entry seek-optimized: ZIP64 sizes and the
     hidden index (which zipscan check validates chunk by chunk);
  4. with --store, the same entry stored: the archive itself passes 4 GiB,
     and an entry after it needs a ZIP64 offset.

Exit status 1 if a check fails.  Needs ~100 MB of disk (5 GB with --store).
"""
import os
import subprocess
import sys
import tempfile
import zipfile

ZIPSCAN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 and
                          not sys.argv[1].startswith("-")
                          else "build/zipscan")
STORE = "--store" in sys.argv
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def readers(path):
    for cmd in ([ZIPSCAN, "test", "-q", path], ["unzip", "-tqq", path],
                ["7zz", "t", path]):
        r = subprocess.run(cmd, capture_output=True)
        check(r.returncode == 0, " ".join(cmd[:2]) + f": exit {r.returncode}")
    with zipfile.ZipFile(path) as z:
        check(z.testzip() is None, "python zipfile testzip()")
        return z.infolist()


def check_sozip(big, out):
    r = subprocess.run([ZIPSCAN, "create", "--json", "--sozip", "-l1", out,
                        big], capture_output=True, text=True)
    check(r.returncode == 0 and '"zip64":true' in r.stdout and
          '"sozip":1' in r.stdout, f"create --sozip -l1: {r.stdout.strip()}")
    readers(out)
    r = subprocess.run([ZIPSCAN, "check", "-q", out])
    check(r.returncode == 0, f"zipscan check (every chunk): exit "
          f"{r.returncode}")
    r = subprocess.run([ZIPSCAN, "list", out], capture_output=True,
                       text=True)
    check(" yes " in r.stdout, "list: the entry is seek-optimized")


def main():
    with tempfile.TemporaryDirectory(prefix="zs_check_create_") as t:
        big = os.path.join(t, "big")
        with open(big, "wb") as f:
            f.truncate(4608 << 20)          # 4.5 GiB, sparse
        small = os.path.join(t, "after.txt")
        with open(small, "w") as f:
            f.write("after the big entry\n")
        out = os.path.join(t, "big.zip")
        r = subprocess.run([ZIPSCAN, "create", "--json", "-l1", out, big,
                            small], capture_output=True, text=True)
        check(r.returncode == 0 and '"zip64":true' in r.stdout,
              f"create -l1 of a 4.5 GiB file: {r.stdout.strip()}")
        infos = readers(out)
        check(infos[0].file_size == 4608 << 20, "the entry's size")
        # 3. the same 4.5 GiB through standard input: a streamed entry
        #    whose data descriptor needs 8-byte sizes
        with open(big, "rb") as f:
            r = subprocess.run([ZIPSCAN, "create", "-q", "-l1", out, "-"],
                               stdin=f)
        check(r.returncode == 0, "create -l1 of 4.5 GiB from standard input")
        infos = readers(out)
        check(infos[0].file_size == 4608 << 20 and infos[0].flag_bits & 8,
              "the streamed entry's size and data-descriptor flag")
        check_sozip(big, out)
        if STORE:
            r = subprocess.run([ZIPSCAN, "create", "-q", "-l0", out, big,
                                small])
            check(r.returncode == 0, "create -l0 (stored, 4.5 GiB archive)")
            infos = readers(out)
            check(infos[1].header_offset > 1 << 32,
                  "the entry after it has an offset past 4 GiB")
    if failures:
        print(f"check_create: {len(failures)} failed")
        return 1
    print("check_create: all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
