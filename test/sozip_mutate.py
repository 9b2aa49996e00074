#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""sozip_mutate.py ZIPSCAN REFERENCE [N] - opt-in check of the SOZip
reader against hostile changes (about a second per case; not in make test).

Takes build/fixtures/sozip/sozip-valid.zip and, N times (default 200),
changes 1 to 4 random bytes: in the hidden index, or within a few bytes of
a chunk boundary of the Deflate data.  Each copy is tested with ZIPSCAN
-j 2 and -j 1 (use an ASan build: a sanitizer report or a signal fails the
run) and with REFERENCE, a zipscan that does not read SOZip (or any other
build): the status of every entry must be the same in all three, so an
index can never make the chunked decode see other data than the whole
decode.

    python3 test/sozip_mutate.py build/asan/zipscan OLD/zipscan 200
"""
import json
import os
import random
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
VALID = os.path.join(HERE, "..", "build", "fixtures", "sozip",
                     "sozip-valid.zip")


def hidden_index(zip_bytes):
    """(offset of the index's local header, offsets of its chunks)."""
    at = zip_bytes.index(b".data.bin.sozip.idx") - 30
    body = at + 30 + len(".data.bin.sozip.idx")
    _, skip, chunk, osize, usize, _ = struct.unpack_from("<IIIIQQ",
                                                         zip_bytes, body)
    assert osize == 8 and skip == 0
    n = (usize - 1) // chunk
    offs = [struct.unpack_from("<Q", zip_bytes, body + 32 + 8 * k)[0]
            for k in range(n)]
    return at, body + 32 + 8 * n, offs


def verdict(binary, threads, path):
    r = subprocess.run([binary, "test", "--json", "-j", str(threads), path],
                       capture_output=True, text=True)
    if r.returncode >= 100 or "Sanitizer" in r.stderr or \
            "runtime error" in r.stderr:
        sys.exit(f"{binary} -j{threads} {path}: status {r.returncode}\n"
                 f"{r.stderr[-3000:]}")
    try:
        d = json.loads(r.stdout.splitlines()[0])
    except (IndexError, ValueError):
        return None
    return [(e["name"], e.get("status")) for e in d["entries"]]


def main():
    new, ref = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    src = open(VALID, "rb").read()
    at, end, offs = hidden_index(src)
    data = src.index(b"data.bin") + len(b"data.bin")
    rng = random.Random(17)
    diffs = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.zip")
        for k in range(n):
            b = bytearray(src)
            for _ in range(rng.randint(1, 4)):
                if rng.random() < 0.5:
                    p = rng.randrange(at, end)
                else:
                    p = data + rng.choice(offs) + rng.randint(-6, 3)
                b[p] = rng.randrange(256)
            with open(path, "wb") as f:
                f.write(b)
            v2, v1, vr = (verdict(new, 2, path), verdict(new, 1, path),
                          verdict(ref, 2, path))
            if not (v2 == v1 == vr):
                diffs += 1
                print(f"case {k}: -j2 {v2} -j1 {v1} reference {vr}")
    print(f"{n} cases, {diffs} with different verdicts")
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
