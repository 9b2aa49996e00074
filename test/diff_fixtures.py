#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Archives with known differences for test/test_diff.c (suite `diff`).

    test/diff_fixtures.py DIR [--many]

old.zip   the base: every entry stored
new.zip   from old: b.txt changed, gone.txt removed, new.txt and B.txt
          added, dir/c.txt deflated (same content: the same entry),
          forged.bin of the same size and CRC-32 with other content
dup-same.zip   old with a.txt twice, the last one old's: the same
dup-other.zip  old with a.txt twice, the last one different: changed
broken.zip     old with one byte of b.txt's stored data flipped (its CRC-32
               field kept): the same by the directory, bad by content
notzip.zip     text, not a ZIP
link.zip       a file and a symlink to it (for extract -u on links)
many-old.zip, many-new.zip   (--many) 1,500 entries each (enough for the parallel
               loop), every 100th changed in content but not in size or
               CRC-32
times.zip      entries at every quarter hour around both 2024 daylight
               saving changes in Europe, and odd DOS fields
Python 3 standard library only.
"""
import os
import sys
import warnings
import zipfile
import zlib

STAMP = (2024, 5, 1, 12, 0, 0)


def forge_crc(data, target):
    """data with its last 4 bytes changed so that its CRC-32 is target.

    CRC-32 is affine over GF(2): flipping bit j of the tail changes the CRC
    by a fixed vector d_j, so the bits to flip solve a 32x32 system."""
    n = len(data)
    zero = zlib.crc32(bytes(n))
    cols = []
    for j in range(32):
        e = bytearray(n)
        e[n - 4 + j // 8] = 1 << (j % 8)
        cols.append(zlib.crc32(bytes(e)) ^ zero)
    want = zlib.crc32(data) ^ target
    # Gaussian elimination: rows are (vector, mask of the bits used)
    basis = []
    for j, v in enumerate(cols):
        m = 1 << j
        for bv, bm in basis:
            if v ^ bv < v:
                v, m = v ^ bv, m ^ bm
        if v:
            basis.append((v, m))
            basis.sort(reverse=True)
    mask = 0
    for bv, bm in basis:
        if want ^ bv < want:
            want, mask = want ^ bv, mask ^ bm
    assert want == 0, "CRC-32 not reachable"
    out = bytearray(data)
    for j in range(32):
        if mask >> j & 1:
            out[n - 4 + j // 8] ^= 1 << (j % 8)
    assert zlib.crc32(bytes(out)) == target
    return bytes(out)


FORGED_A = b"the first content of forged.bin, sixty-four bytes long.........."
FORGED_B = forge_crc(b"Another content for forged.bin, just as long as the first...XXXX",
                     zlib.crc32(FORGED_A))
assert len(FORGED_A) == len(FORGED_B) and FORGED_A != FORGED_B

BASE = [
    ("a.txt", b"alpha\n"),
    ("b.txt", b"bravo\n"),
    ("dir/", b""),
    ("dir/c.txt", b"charlie " * 40),
    ("forged.bin", FORGED_A),
    ("gone.txt", b"gone\n"),
]


def write(path, entries, deflated=()):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = (zipfile.ZIP_DEFLATED if name in deflated
                                  else zipfile.ZIP_STORED)
            if name.endswith("/"):
                info.external_attr = 0o40755 << 16 | 0x10
            z.writestr(info, data)


def main(out, many=False):
    warnings.filterwarnings("ignore", "Duplicate name")
    os.makedirs(out, exist_ok=True)
    p = lambda name: os.path.join(out, name)
    write(p("old.zip"), BASE)
    new = [(n, d) for n, d in BASE if n != "gone.txt"]
    new = [(n, b"bravo two\n" if n == "b.txt" else
            FORGED_B if n == "forged.bin" else d) for n, d in new]
    new += [("new.txt", b"new\n"), ("B.txt", b"upper\n")]
    write(p("new.zip"), new, deflated={"dir/c.txt"})
    write(p("dup-same.zip"), [("a.txt", b"an older a\n")] + BASE)
    write(p("dup-other.zip"), BASE + [("a.txt", b"a later a\n")])
    data = bytearray(open(p("old.zip"), "rb").read())
    at = data.index(b"bravo\n")
    data[at] ^= 0x20                       # 'b' -> 'B': CRC field kept
    open(p("broken.zip"), "wb").write(bytes(data))
    with open(p("notzip.zip"), "w") as f:
        f.write("not a zip archive\n")
    write_link(p("link.zip"))
    if many:
        write_many(p("many-old.zip"), p("many-new.zip"))
    write_times(p("times.zip"))


def write_link(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("target.txt", STAMP), b"target\n")
        info = zipfile.ZipInfo("link", STAMP)
        info.create_system = 3
        info.external_attr = 0o120777 << 16
        z.writestr(info, b"target.txt")


def write_many(old, new):
    base = [("m/%04d.txt" % k, (b"entry %04d " % k) * 20) for k in range(1500)]
    write(old, base, deflated={n for n, _ in base})
    forged = [(n, forge_crc(b"E" + d[1:], zlib.crc32(d))
               if k % 100 == 0 else d) for k, (n, d) in enumerate(base)]
    write(new, forged, deflated={n for n, _ in base})


def write_times(path):
    stamps = [(2024, 3, 31, h, m, s) for h in range(0, 5)
              for m in (0, 15, 30, 59) for s in (0, 58)]
    stamps += [(2024, 10, 27, h, m, 0) for h in range(0, 5)
               for m in (0, 15, 30, 59)]
    stamps += [(1980, 1, 1, 0, 0, 0), (2107, 12, 31, 23, 59, 58),
               (2024, 2, 29, 23, 59, 58), (2024, 12, 31, 23, 59, 58)]
    with zipfile.ZipFile(path, "w") as z:
        for k, st in enumerate(stamps):
            z.writestr(zipfile.ZipInfo("t%03d" % k, st), b"")


if __name__ == "__main__":
    main(sys.argv[1], "--many" in sys.argv[2:])
