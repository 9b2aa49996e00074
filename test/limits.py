#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""limits.py OUTDIR [N...] - archives at and past ZIP's resource limits.

Without N it writes into OUTDIR the archives test/test_limits.c reads:
65,535-byte names, 65,535-byte comments, 65,535 / 65,536 / 70,000 entries
with and without ZIP64 end records, declared sizes of exactly 0xFFFFFFFF,
and ZIP64 values whose sums overflow 64 bits.  With N it writes only
many-N.zip for each N: N tiny stored entries, which the complexity and
memory test makes in a temporary directory (1,000,000 entries: 90 MB).

zipfile is far too slow for a million entries (and refuses most of the
damage), so the headers are packed here with precompiled structs and the
pieces joined once; every archive is deterministic.
"""
import os
import struct
import sys
import zlib

SIG_LOCAL, SIG_CENTRAL, SIG_EOCD = 0x04034B50, 0x02014B50, 0x06054B50
SIG_Z64_EOCD, SIG_Z64_LOC = 0x06064B50, 0x07064B50
DOS_DATE, DOS_TIME = (2024 - 1980) << 9 | 3 << 5 | 14, 15 << 11 | 9 << 5 | 13
M32, M64 = 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF

LOCAL = struct.Struct("<IHHHHHIIIHH")
CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
EOCD = struct.Struct("<IHHHHIIH")
Z64_EOCD = struct.Struct("<IQHHIIQQQQ")
Z64_LOC = struct.Struct("<IIQI")


def local(name, method, crc, csize, usize, extra=b""):
    return LOCAL.pack(SIG_LOCAL, 20, 0, method, DOS_TIME, DOS_DATE, crc,
                      csize, usize, len(name), len(extra)) + name + extra


def central(name, method, crc, csize, usize, offset, extra=b"", comment=b"",
            name_len=None, extra_len=None, comment_len=None):
    """A central record; the *_len arguments write a length that differs
    from the bytes that follow (to overrun the directory)."""
    return CENTRAL.pack(
        SIG_CENTRAL, 0x031E, 20, 0, method, DOS_TIME, DOS_DATE, crc, csize,
        usize, len(name) if name_len is None else name_len,
        len(extra) if extra_len is None else extra_len,
        len(comment) if comment_len is None else comment_len, 0, 0,
        0o100644 << 16, offset) + name + extra + comment


def end(n, cd_off, cd_size, comment=b"", zip64=False, z64_fields=None):
    """End records after a directory of n entries at cd_off (the ZIP64 end
    record and locator go at cd_off + cd_size).  Without zip64 a count over
    65,535 is written modulo 65,536, as a writer that ignores ZIP64 does."""
    out = b""
    if zip64:
        z64 = cd_off + cd_size
        n64, size64, off64, at = z64_fields or (n, cd_size, cd_off, z64)
        out = (Z64_EOCD.pack(SIG_Z64_EOCD, 44, 45, 45, 0, 0, n64, n64,
                             size64, off64) +
               Z64_LOC.pack(SIG_Z64_LOC, 0, at, 1))
        return out + EOCD.pack(SIG_EOCD, 0, 0, 0xFFFF, 0xFFFF, M32, M32,
                               len(comment)) + comment
    return EOCD.pack(SIG_EOCD, 0, 0, n & 0xFFFF, n & 0xFFFF, cd_size, cd_off,
                     len(comment)) + comment


def archive(entries, comment=b"", zip64=False, z64_fields=None):
    """entries: (name, method, data, crc, csize, usize, local_extra,
    central_extra, entry_comment).  csize/usize None: from the data."""
    locs, cds, off = [], [], 0
    for name, method, data, crc, csize, usize, lx, cx, ec in entries:
        csize = len(data) if csize is None else csize
        usize = len(data) if usize is None else usize
        h = local(name, method, crc, csize, usize, lx)
        locs += (h, data)
        cds.append(central(name, method, crc, csize, usize, off, cx, ec))
        off += len(h) + len(data)
    cd = b"".join(cds)
    return b"".join(locs) + cd + end(len(entries), off, len(cd), comment,
                                     zip64, z64_fields)


def stored(name, data=b"", comment=b"", cx=b""):
    name = name.encode() if isinstance(name, str) else name
    return (name, 0, data, zlib.crc32(data), None, None, b"", cx, comment)


def deflate(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def z64_extra(*values):
    body = struct.pack("<%dQ" % len(values), *values)
    return struct.pack("<HH", 1, len(body)) + body


# ---- many tiny entries ----------------------------------------------------

def many(n):
    """n stored entries named by a base-36 counter ("000/0000" style: short
    names, many directories of 1,296 entries), 0 or 1 byte of data each, with
    right CRCs; ZIP64 end records when n > 65,535.  About 85 bytes an
    entry, so a million entries take about 85 MB and two seconds."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    pairs = [(a + b).encode() for a in digits for b in digits]
    one = [bytes([k]) for k in range(256)]
    crcs = [zlib.crc32(b) for b in one]
    lpack, cpack = LOCAL.pack, CENTRAL.pack
    locs, cds, off = [], [], 0
    for i in range(n):
        hi, lo = divmod(i, 1296 * 1296)
        name = pairs[hi] + pairs[lo // 1296] + b"/" + pairs[lo % 1296]
        if i & 1:
            data, crc, size = one[i & 255], crcs[i & 255], 1
        else:
            data, crc, size = b"", 0, 0
        locs.append(lpack(SIG_LOCAL, 20, 0, 0, DOS_TIME, DOS_DATE, crc, size,
                          size, 7, 0))
        locs.append(name)
        locs.append(data)
        cds.append(cpack(SIG_CENTRAL, 0x031E, 20, 0, 0, DOS_TIME, DOS_DATE,
                         crc, size, size, 7, 0, 0, 0, 0, 0o100644 << 16, off))
        cds.append(name)
        off += 37 + size
    cd = b"".join(cds)
    return b"".join(locs) + cd + end(n, off, len(cd), zip64=n > 0xFFFF)


# ---- the limit archives ---------------------------------------------------

HELLO = b"hello, limits\n"


def path_name(total, part=100):
    """A name of exactly `total` bytes made of `part`-byte components
    ("aaa.../bbb.../..."): short enough for every file system, far too
    long a path for PATH_MAX."""
    n = total // (part + 1) + 1
    name = b"/".join(bytes([97 + k % 26]) * part for k in range(n))[:total]
    return name[:-1] + b"z" if name.endswith(b"/") else name


def names(outdir):
    long = b"n" * 0xFFFF
    w = lambda n, d: write(outdir, n, d)
    w("name-65535.zip", archive([stored(long, HELLO),
                                 stored("ok.txt", HELLO)]))
    deep = path_name(0xFFFF)
    assert len(deep) == 0xFFFF and b"//" not in deep
    assert not deep.endswith(b"/")
    w("name-65535-path.zip", archive([stored(deep, HELLO),
                                      stored("ok.txt", HELLO)]))
    # NAME_MAX's edge: components of 255 bytes (file and directory) are
    # fine, of 256 bytes (file, then directory) are not
    w("component-256.zip", archive([
        stored(b"d/" + b"c" * 255, HELLO),
        stored(b"d/" + b"e" * 255 + b"/f.txt", HELLO),
        stored(b"d/" + b"C" * 256, HELLO),
        stored(b"d/" + b"E" * 256 + b"/f.txt", HELLO),
        stored("ok.txt", HELLO)]))
    # The first central record's length fields overrun the directory (and
    # the file): the walk must stop at it, not read past the mapping.
    for field, kw in (("name", dict(name_len=0xFFFF)),
                      ("extra", dict(extra_len=0xFFFF)),
                      ("comment", dict(comment_len=0xFFFF))):
        a = local(b"a.txt", 0, zlib.crc32(HELLO), len(HELLO), len(HELLO))
        b = local(b"b.txt", 0, zlib.crc32(HELLO), len(HELLO), len(HELLO))
        body = a + HELLO + b + HELLO
        cd = (central(b"a.txt", 0, zlib.crc32(HELLO), len(HELLO), len(HELLO),
                      0, **kw) +
              central(b"b.txt", 0, zlib.crc32(HELLO), len(HELLO), len(HELLO),
                      len(a) + len(HELLO)))
        w("%s-overruns-cd.zip" % field, body + cd + end(2, len(body), len(cd)))


def comments(outdir):
    w = lambda n, d: write(outdir, n, d)
    two = [stored("a.txt", HELLO), stored("b.txt", HELLO)]
    # the longest comment: the end record sits exactly 65,557 bytes from
    # the end, the far edge of the search window
    w("comment-65535.zip", archive(two, comment=bytes(
        32 + (k * 7) % 90 for k in range(0xFFFF))))
    # A comment that ends in a forged end record saying "no entries, no
    # directory, no comment": a reader that takes the last signature in
    # the window (Info-ZIP, Python) sees an empty archive, the real end
    # record's comment length says the forgery is comment.
    fake = EOCD.pack(SIG_EOCD, 0, 0, 0, 0, 0, 0, 0)
    w("comment-fake-eocd.zip", archive(two, comment=b"x" * (0xFFFF - len(fake))
                                       + fake))
    w("entry-comment-65535.zip", archive([
        stored("a.txt", HELLO, comment=b"c" * 0xFFFF),
        stored("b.txt", HELLO)]))


def counts(outdir):
    """65,535 / 65,536 / 70,000 entries: the classic count field holds
    65,535 as it is, 65,536 and 70,000 modulo 65,536 (0 and 4,464) unless
    ZIP64 end records carry the count."""
    for n in (65535, 65536, 70000):
        es = [stored("%05d" % k, b"" if k % 3 else bytes([k & 255]))
              for k in range(n)]
        write(outdir, "entries-%d.zip" % n, archive(es))
        write(outdir, "entries-%d-zip64.zip" % n, archive(es, zip64=True))


def declared(outdir):
    w = lambda n, d: write(outdir, n, d)
    data = deflate(HELLO)
    crc = zlib.crc32(HELLO)

    def one(method, payload, csize, usize, lx=b"", cx=b"", offset=0):
        """big.bin alone, its local header at 0 and data at 37 + extra."""
        h = local(b"big.bin", method, crc, csize, usize, lx)
        cd = central(b"big.bin", method, crc, csize, usize, offset, cx)
        body = h + payload
        return body + cd + end(1, len(body), len(cd))

    # exactly 4,294,967,295 bytes declared, no ZIP64: 16 bytes of deflate
    # cannot make that much (a ratio over 1032:1), and nothing may be
    # allocated for it
    w("declared-4g.zip", one(8, data, len(data), M32))
    # stored: 4 GiB of data in a file of a hundred bytes
    w("declared-4g-stored.zip", one(0, HELLO, M32, M32))
    # the ZIP64 extra (uncompressed size only) says 0xFFFFFFFF too
    x = z64_extra(M32)
    w("declared-4g-zip64.zip", one(8, data, len(data), M32, x, x))
    # ZIP64 uncompressed size 2^64 - 1
    x = z64_extra(M64)
    w("z64-usize-max.zip", one(8, data, len(data), M32, x, x))
    # ZIP64 compressed size 2^63 + 5 (negative as a signed 64-bit value):
    # data offset + size is past the file
    x = z64_extra(len(HELLO), (1 << 63) + 5)
    w("z64-csize-2p63.zip", one(0, HELLO, M32, M32, x, x))
    # compressed size 2^64 - 16: data offset + size wraps past 2^64
    x = z64_extra(len(HELLO), M64 - 15)
    w("z64-csize-wraps.zip", one(0, HELLO, M32, M32, x, x))
    # local header offset 2^64 - 8 in the central ZIP64 extra: offset + a
    # header (or a prepended-data base) wraps past 2^64
    cx = z64_extra(M64 - 7)
    w("z64-offset-wraps.zip", one(0, HELLO, len(HELLO), len(HELLO),
                                  cx=cx, offset=M32))
    # ZIP64 end record: directory offset 2^64 - 16 with a size of 64 (their
    # sum wraps), and a directory size of 2^64 - 1
    body = local(b"a.txt", 0, crc, len(HELLO), len(HELLO)) + HELLO
    cd = central(b"a.txt", 0, crc, len(HELLO), len(HELLO), 0)
    z64_at = len(body) + len(cd)
    w("z64-cd-offset-wraps.zip", body + cd + end(
        1, len(body), len(cd), zip64=True,
        z64_fields=(1, 64, M64 - 15, z64_at)))
    w("z64-cd-size-max.zip", body + cd + end(
        1, len(body), len(cd), zip64=True,
        z64_fields=(1, M64, len(body), z64_at)))
    # the locator points far past the end of the file (2^63); the ZIP64
    # end record is right before it all the same
    w("z64-locator-beyond.zip", body + cd + end(
        1, len(body), len(cd), zip64=True,
        z64_fields=(1, len(cd), len(body), 1 << 63)))
    # the same locator, no ZIP64 end record anywhere, and the classic
    # record saturated: nothing says where the directory is
    w("z64-eocd-beyond.zip",
      body + cd + Z64_LOC.pack(SIG_Z64_LOC, 0, 1 << 63, 1) +
      EOCD.pack(SIG_EOCD, 0, 0, 0xFFFF, 0xFFFF, M32, M32, 0))


def write(outdir, name, data):
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(data)


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    if len(sys.argv) > 2:
        for n in sys.argv[2:]:
            write(outdir, "many-%s.zip" % n, many(int(n)))
        return
    names(outdir)
    comments(outdir)
    counts(outdir)
    declared(outdir)


if __name__ == "__main__":
    main()
