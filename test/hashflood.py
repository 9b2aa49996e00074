#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""hashflood.py OUTDIR N [ascending] - two archives of N empty stored entries
for the hash-flooding test (test/test_hostile.c), or with "ascending" one:

  ascending.zip  N stored entries declaring sizes 1, 2, ... N in order with
               no data (each fails its size check), so every entry beats
               all before it for `stats`' list of the largest; N may pass
               65,535 (ZIP64 end records)

  collide.zip  names chosen so that the name tables' old hash (unkeyed
               FNV-1a 64, whose top 32 bits picked the slot by their low
               bits) sent every one of them into the first 4,096 slots of
               a table of 2^17 or more: linear probing then builds one
               cluster of N names, and each insert walks it (N^2 / 2 probes)
  random.zip   names of the same form and length from random suffixes

The names are lower-case ASCII without '/', so the audit's cleaned and
case-folded name, the extraction plan's path and the raw name are the same
bytes: every table of the old code saw the same hash.

A name is a per-name prefix, two characters tried until the hash lands in
the window (1 in 32 tries for 2^17 slots), and ".txt"; the FNV state of the
prefix is computed once.  Deterministic: same bytes on every run.
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures  # noqa: E402

FNV_OFFSET, FNV_PRIME, M64 = 0xCBF29CE484222325, 0x100000001B3, (1 << 64) - 1
SLOT_BITS = 17          # the table of N <= 65,535 names has 2^17 slots
WINDOW = 1 << 12        # ... and every colliding name lands in its first 4,096
ALPHABET = b"abcdefghijklmnopqrstuvwxyz0123456789"
# a fixed tail after the two free characters: the multiplications it adds
# spread their few bits over the slot bits (two bytes at the very end only
# move bits 40-47 of the hash)
TAIL = b".txt"


def fnv1a(h, data):
    for c in data:
        h = ((h ^ c) * FNV_PRIME) & M64
    return h


def in_window(h):
    return (h >> 32) & ((1 << SLOT_BITS) - 1) < WINDOW


def colliding(k):
    base = b"n%06d-" % k
    s = fnv1a(FNV_OFFSET, base)
    for c1 in ALPHABET:
        s1 = ((s ^ c1) * FNV_PRIME) & M64
        for c2 in ALPHABET:
            s2 = ((s1 ^ c2) * FNV_PRIME) & M64
            if in_window(fnv1a(s2, TAIL)):
                return base + bytes((c1, c2)) + TAIL
    raise SystemExit("no colliding suffix for %d" % k)


def write(path, names):
    entries = [fixtures.Entry(n, b"", method=0) for n in names]
    with open(path, "wb") as f:
        f.write(fixtures.build(entries))


def main():
    outdir, n = sys.argv[1], int(sys.argv[2])
    if sys.argv[3:] == ["ascending"]:
        entries = [fixtures.Entry(b"s%06d" % k, b"", method=0, usize=k + 1)
                   for k in range(n)]
        with open(os.path.join(outdir, "ascending.zip"), "wb") as f:
            f.write(fixtures.build(entries, zip64_end=n > 65535))
        return
    assert 0 < n <= 65535
    rng = random.Random(14)
    names = [colliding(k) for k in range(n)]
    assert all(in_window(fnv1a(FNV_OFFSET, x)) for x in names[:100])
    write(os.path.join(outdir, "collide.zip"), names)
    write(os.path.join(outdir, "random.zip"),
          [b"n%06d-" % k + bytes(rng.choice(ALPHABET) for _ in range(2)) +
           TAIL for k in range(n)])


if __name__ == "__main__":
    main()
