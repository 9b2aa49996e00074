#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""zipdamage.py - damaged copies of an archive, and what test_methods.c
needs to know about one, read with Python's zipfile and by hand.

  zipdamage.py crc IN OUT NAME       IN with NAME's CRC-32 flipped wherever
                                     it is written: central record, local
                                     header (unless a data descriptor holds
                                     it), data descriptor
  zipdamage.py truncate IN OUT NAME  a one-entry archive: NAME with the
                                     first half of its data, its compressed
                                     size saying so in every header
  zipdamage.py pick IN METHOD        the largest and the smallest file entry
                                     with data in METHOD (names, one a line)
  zipdamage.py methods IN            "method:entries:bytes" for each method
                                     in IN, by method number, space apart
  zipdamage.py refused < JSON        from `zipscan test --json`: the names
                                     of the entries a decoder refused for
                                     its window ("the decoder needs N
                                     bytes of memory, over --memory-limit
                                     L", N > L, LZMA, xz or zstd), one a
                                     line, sorted; exit 1 if any entry is
                                     not ok for another reason

Archives with ZIP64 fields are refused (none of the test archives has one).
"""
import json
import re
import struct
import sys
import zipfile

SIG_CENTRAL, SIG_EOCD, SIG_DESC = b"PK\x01\x02", b"PK\x05\x06", b"PK\x07\x08"


def central_records(data):
    """[(offset of the central record, its fields)] in directory order."""
    end = data.rfind(SIG_EOCD)
    assert end >= 0, "no end record"
    count, size, start = struct.unpack_from("<HII", data, end + 10)
    assert 0xFFFFFFFF not in (size, start) and count != 0xFFFF, "ZIP64"
    out, pos = [], start
    for _ in range(count):
        assert data[pos:pos + 4] == SIG_CENTRAL, f"no central record at {pos}"
        (flags, method, crc, csize, usize, nlen, xlen, clen) = \
            struct.unpack_from("<HHxxxxIIIHHH", data, pos + 8)
        local = struct.unpack_from("<I", data, pos + 42)[0]
        assert 0xFFFFFFFF not in (csize, usize, local), "ZIP64"
        name = data[pos + 46:pos + 46 + nlen]
        out.append((pos, dict(flags=flags, method=method, crc=crc,
                              csize=csize, usize=usize, local=local,
                              name=name, length=46 + nlen + xlen + clen)))
        pos += 46 + nlen + xlen + clen
    return out


def find(data, name):
    hits = [r for r in central_records(data) if r[1]["name"] == name.encode()]
    assert len(hits) == 1, f"{name}: {len(hits)} entries of that name"
    return hits[0]


def local_parts(data, rec):
    """Offsets of the local header's data, and of the data descriptor (or
    None)."""
    lo = rec["local"]
    nlen, xlen = struct.unpack_from("<HH", data, lo + 26)
    start = lo + 30 + nlen + xlen
    desc = None
    if rec["flags"] & 8:
        desc = start + rec["csize"]
        if data[desc:desc + 4] == SIG_DESC:
            desc += 4
    return start, desc


def flip_crc(data, name):
    out = bytearray(data)
    pos, rec = find(data, name)
    crc, bad = rec["crc"], rec["crc"] ^ 0x80000001
    struct.pack_into("<I", out, pos + 16, bad)
    lo = rec["local"]
    if struct.unpack_from("<I", data, lo + 14)[0] == crc:
        struct.pack_into("<I", out, lo + 14, bad)
    _, desc = local_parts(data, rec)
    if desc is not None:
        assert struct.unpack_from("<I", data, desc)[0] == crc
        struct.pack_into("<I", out, desc, bad)
    return bytes(out)


def truncate(data, name):
    pos, rec = find(data, name)
    lo = rec["local"]
    start, desc = local_parts(data, rec)
    cut = rec["csize"] // 2
    assert 0 < cut < rec["csize"]
    local = bytearray(data[lo:start])
    if struct.unpack_from("<I", local, 18)[0] == rec["csize"]:
        struct.pack_into("<I", local, 18, cut)
    body = bytes(local) + data[start:start + cut]
    if desc is not None:
        d = bytearray(data[desc:desc + 12])
        struct.pack_into("<I", d, 4, cut)
        body += (SIG_DESC if data[desc - 4:desc] == SIG_DESC else b"") + d
    central = bytearray(data[pos:pos + rec["length"]])
    struct.pack_into("<I", central, 20, cut)
    struct.pack_into("<I", central, 42, 0)
    end = struct.pack("<4sHHHHIIH", SIG_EOCD, 0, 0, 1, 1, len(central),
                      len(body), 0)
    return body + bytes(central) + end


def files_with_data(path, method):
    with zipfile.ZipFile(path) as z:
        return [i for i in z.infolist()
                if i.compress_type == method and not i.is_dir()
                and i.file_size and i.compress_size > 1
                and (i.external_attr >> 16) & 0o170000 != 0o120000]


# Methods whose decoders keep a window of their own (codec.h: it counts
# against --memory-limit): LZMA, zstd, xz.
WINDOWED = {14, 93, 95}
NEED = re.compile(r"the decoder needs (\d+) bytes of memory, over "
                  r"--memory-limit (\d+)$")


def refused(report):
    names, wrong = [], []
    for e in report["entries"]:
        if e["status"] == "ok":
            continue
        m = NEED.match(e.get("error", ""))
        if (e["status"] == "bad" and m and e["method"] in WINDOWED
                and int(m.group(1)) > int(m.group(2))):
            names.append(e["name"])
        else:
            wrong.append(f'{e["name"]}: {e["status"]}: {e.get("error")}')
    for n in sorted(names):
        print(n)
    for w in wrong:
        print(w, file=sys.stderr)
    return 1 if wrong else 0


def main():
    if sys.argv[1:] == ["refused"]:
        sys.exit(refused(json.load(sys.stdin)))
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd, src = sys.argv[1], sys.argv[2]
    if cmd == "pick" and len(sys.argv) == 4:
        files = files_with_data(src, int(sys.argv[3]))
        files.sort(key=lambda i: (i.file_size, i.filename))
        print(files[-1].filename)
        print(files[0].filename)
    elif cmd == "methods":
        count = {}
        with zipfile.ZipFile(src) as z:
            for i in z.infolist():
                n, b = count.get(i.compress_type, (0, 0))
                count[i.compress_type] = (n + 1, b + i.file_size)
        print(" ".join(f"{m}:{n}:{b}" for m, (n, b) in sorted(count.items())))
    elif cmd in ("crc", "truncate") and len(sys.argv) == 5:
        data = open(src, "rb").read()
        damage = flip_crc if cmd == "crc" else truncate
        with open(sys.argv[3], "wb") as f:
            f.write(damage(data, sys.argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
