#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sozip.py OUTDIR [--big MIB] - Seek-Optimized ZIP (SOZip) archives for
test/test_sozip.c, valid and hand-broken, written with zlib alone.

A SOZip entry (SOZip specification 0.5, GDAL project) is Deflate written
with Z_SYNC_FLUSH then Z_FULL_FLUSH after every chunk_size bytes of input,
so that each chunk decodes on its own; right after its data comes a local
header the central directory does not list, ".NAME.sozip.idx" (stored),
holding a 32-byte header (version 1, skip_bytes, chunk_size, offset_size,
uncompressed size, compressed size; little-endian) and, after skip_bytes,
(uncompressed_size - 1) // chunk_size offsets of offset_size bytes: where
each chunk after the first starts, relative to the start of the data.

Writes OUTDIR/sozip.json: per archive, what a reader must say about it.
With --big MIB, writes only OUTDIR/sozip-big.zip: one entry of MIB MiB in
32 KiB chunks (the speed measurement of the README).
"""
import json
import os
import random
import struct
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures import Entry, central_record, local_header  # noqa: E402

SIG_EOCD = 0x06054B50


def payload_text(n, seed):
    """Half-compressible, deterministic data, fast to make in bulk: a pool
    of words, each 64 KiB taken at a random place with random bytes in."""
    rng = random.Random(seed)
    words = [b"seek", b"optimized", b"zip", b"chunk", b"index", b"deflate",
             b"flush", b"offset", b"\n", b"gdal", b"sozip", b"every", b"core"]
    pool = bytearray()
    while len(pool) < 1 << 18:
        pool += rng.choice(words) + b" "
    out = bytearray()
    while len(out) < n:
        at = rng.randrange(0, len(pool) - 65536)
        out += pool[at:at + 65000] + rng.randbytes(536)
    return bytes(out[:n])


def sozip_deflate(data, chunk, level=6):
    """(compressed bytes, offsets of chunks 1..n-1) as the spec's Annex E."""
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    out, offsets = bytearray(), []
    pos = 0
    while True:
        if pos:
            offsets.append(len(out))
        piece = data[pos:pos + chunk]
        pos += len(piece)
        if len(piece) < chunk or pos == len(data):
            out += c.compress(piece) + c.flush(zlib.Z_FINISH)
            break
        out += c.compress(piece) + c.flush(zlib.Z_SYNC_FLUSH)
        out += c.flush(zlib.Z_FULL_FLUSH)
    return bytes(out), offsets


def index_bytes(usize, csize, chunk, offsets, offset_size=8, version=1,
                skip=b""):
    head = struct.pack("<IIIIQQ", version, len(skip), chunk, offset_size,
                       usize, csize)
    fmt = "<Q" if offset_size == 8 else "<I"
    return head + skip + b"".join(struct.pack(fmt, o) for o in offsets)


def index_name(name):
    d, _, base = name.rpartition("/")
    return (d + "/" if d else "") + "." + base + ".sozip.idx"


def build(items, listed=False):
    """items: (Entry, hidden index Entry or None).  The index's local record
    follows the entry's data; the central directory lists only entries
    (and the indexes too if listed: not SOZip, a rezipped archive)."""
    out = bytearray()
    for e, idx in items:
        e.offset = len(out)
        out += local_header(e) + e.payload
        if idx is not None:
            idx.offset = len(out)
            out += local_header(idx) + idx.payload
    cd = len(out)
    n = 0
    for e, idx in items:
        for x in [e, idx] if listed and idx else [e]:
            out += central_record(x)
            n += 1
    out += struct.pack("<IHHHHIIH", SIG_EOCD, 0, 0, n, n, len(out) - cd, cd, 0)
    return bytes(out)


def sozip_entry(name, data, chunk, **kw):
    """The entry and its index entry; kw changes the index (broken ones)."""
    comp, offsets = sozip_deflate(data, chunk)
    offsets = kw.pop("offsets", lambda o: o)(list(offsets))
    idx_data = index_bytes(len(data), kw.pop("csize", len(comp)),
                           kw.pop("index_chunk", chunk), offsets,
                           offset_size=kw.pop("offset_size", 8),
                           version=kw.pop("version", 1),
                           skip=kw.pop("skip", b""))
    method = kw.pop("method", 0)
    payload = zlib.compress(idx_data)[2:-4] if method == 8 else idx_data
    idx = Entry(kw.pop("index_name", index_name(name)), idx_data,
                method=method, payload=payload, crc=kw.pop("crc", None) or
                zlib.crc32(idx_data))
    assert not kw, kw
    return Entry(name, data, payload=comp), idx


def fixtures(outdir):
    data = payload_text(1 << 20, 17)            # 32 chunks of 32 KiB
    odd = payload_text(300_001, 5)              # last chunk of 1 byte
    small = Entry("readme.txt", b"not seek-optimized\n" * 10)
    cases = {}

    def add(name, items, meta, listed=False):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(build(items, listed))
        cases[name] = meta

    ok = {"valid": True}
    add("sozip-valid.zip", [sozip_entry("data.bin", data, 32768),
                            (small, None)], dict(ok, sozip=["data.bin"]))
    add("sozip-dir.zip", [(Entry("d/", b"", method=0), None),
                          sozip_entry("d/odd.txt", odd, 10000,
                                      offset_size=4),
                          sozip_entry("d/e/x.bin", data[:200_000], 4096,
                                      skip=b"\0" * 8)],
        dict(ok, sozip=["d/odd.txt", "d/e/x.bin"]))
    swap = lambda o: o[:3] + [o[4], o[3]] + o[5:]         # noqa: E731
    broken = {
        "sozip-order.zip": dict(offsets=swap),
        "sozip-past.zip": dict(offsets=lambda o: o[:-1] + [1 << 40]),
        "sozip-chunk0.zip": dict(index_chunk=0),
        "sozip-count.zip": dict(offsets=lambda o: o[:-1]),
        "sozip-compressed.zip": dict(method=8),
        "sozip-osize.zip": dict(offset_size=3),
        "sozip-csize.zip": dict(csize=12345),
        "sozip-crc.zip": dict(crc=0x12345678),
    }
    for name, kw in broken.items():
        add(name, [sozip_entry("data.bin", data, 32768, **kw),
                   (small, None)], {"valid": False, "code": "sozip-index"})
    # Well-formed, but the offsets are not where chunks start: every field
    # checks, the data does not (check and test find it: 24 MiB, so that
    # test's 8 MiB ranges start at lying offsets too).
    add("sozip-lying.zip",
        [sozip_entry("data.bin", payload_text(24 << 20, 3), 32768,
                     offsets=lambda o: [x + 7 for x in o[:-1]] +
                     [o[-1]])],
        {"valid": False, "code": "sozip-chunk"})
    # Right but for where the third 8 MiB range starts (chunk 512): the
    # first range is good, the second ends off a block boundary (cat
    # writes the first, then the whole decode gives the rest).
    add("sozip-late.zip",
        [sozip_entry("data.bin", payload_text(24 << 20, 3), 32768,
                     offsets=lambda o: o[:511] + [o[511] + 1] + o[512:])],
        {"valid": False, "code": "sozip-chunk"})
    add("sozip-version2.zip",
        [sozip_entry("data.bin", data, 32768, version=2)],
        {"valid": True, "sozip": [], "code": "sozip-version"})
    # The index listed in the central directory: an entry of its own (not
    # hidden, so not SOZip), never an overlap.
    add("sozip-listed.zip", [sozip_entry("data.bin", data, 32768)],
        {"valid": True, "sozip": []}, listed=True)
    # The index record's sizes run into the next entry: damaged, no index
    # (left as the unlisted local header it is), never an overlap.
    e, idx = sozip_entry("data.bin", data, 32768)
    idx.local = {"csize": 380, "usize": 380}
    add("sozip-runs-on.zip", [(e, idx), (small, None)],
        {"valid": True, "sozip": [], "code": "unlisted-local-header"})
    # A stored entry followed by a valid-looking index: SOZip is Deflate.
    e, idx = sozip_entry("data.bin", data, 32768)
    stored = Entry("data.bin", data, method=0)
    add("sozip-stored.zip", [(stored, idx)],
        {"valid": False, "code": "sozip-index"})
    # An entry whose Deflate data is damaged in chunk 10: the index is
    # right, the data is not.
    e, idx = sozip_entry("data.bin", data, 32768)
    pay = bytearray(e.payload)
    comp, offs = sozip_deflate(data, 32768)
    pay[offs[9] + 40] ^= 0xFF
    e.payload = bytes(pay)
    add("sozip-baddata.zip", [(e, idx)], {"valid": False, "code": None})
    with open(os.path.join(outdir, "sozip.json"), "w") as f:
        json.dump(cases, f, indent=1, sort_keys=True)


def big(outdir, mib):
    data = payload_text(mib << 20, 99)
    with open(os.path.join(outdir, "sozip-big.zip"), "wb") as f:
        f.write(build([sozip_entry("big.bin", data, 32768)]))


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    if len(sys.argv) == 4 and sys.argv[2] == "--big":
        big(outdir, int(sys.argv[3]))
    else:
        fixtures(outdir)


if __name__ == "__main__":
    main()
