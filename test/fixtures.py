#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""fixtures.py OUTDIR - build the test archives the Criterion suite reads.

Ordinary archives come from Python's zipfile and Info-ZIP zip; damaged and
hostile ones from the small writer below, which lets each field of the local
header, central record, data descriptor and end records be set by hand.
Everything is deterministic: same bytes on every run.
"""
import bz2
import lzma
import os
import random
import struct
import subprocess
import sys
import zipfile
import zlib

SIG_LOCAL, SIG_CENTRAL, SIG_EOCD = 0x04034B50, 0x02014B50, 0x06054B50
SIG_Z64_EOCD, SIG_Z64_LOC, SIG_DESC = 0x06064B50, 0x07064B50, 0x08074B50
DOS_DATE, DOS_TIME = (2024 - 1980) << 9 | 3 << 5 | 14, 15 << 11 | 9 << 5 | 13


def deflate(data, level=6):
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


class Entry:
    """One entry; every header field may be overridden for damage."""

    def __init__(self, name, data=b"", method=8, **kw):
        self.name = name.encode() if isinstance(name, str) else name
        self.data = data
        self.method = method
        self.payload = kw.pop("payload", None)
        if self.payload is None:
            self.payload = deflate(data) if method == 8 else data
        self.crc = kw.pop("crc", zlib.crc32(data))
        self.csize = kw.pop("csize", len(self.payload))
        self.usize = kw.pop("usize", len(data))
        self.flags = kw.pop("flags", 0)
        self.descriptor = kw.pop("descriptor", None)  # None, "sig", "nosig"
        self.zip64 = kw.pop("zip64", False)
        self.local = kw.pop("local", {})      # overrides in the local header
        self.central = kw.pop("central", {})  # overrides in the central record
        self.ext_attr = kw.pop("ext_attr", 0o100644 << 16)
        self.offset = None
        assert not kw, kw


def zip64_extra(usize, csize, offset=None):
    body = struct.pack("<QQ", usize, csize)
    if offset is not None:
        body += struct.pack("<Q", offset)
    return struct.pack("<HH", 1, len(body)) + body


def local_header(e):
    f = dict(name=e.name, method=e.method, flags=e.flags, crc=e.crc,
             csize=e.csize, usize=e.usize, extra=b"", time=DOS_TIME,
             date=DOS_DATE)
    if e.descriptor:
        f.update(flags=e.flags | 8, crc=0, csize=0, usize=0)
    if e.zip64:
        f["extra"] = zip64_extra(f["usize"], f["csize"])
        f.update(csize=0xFFFFFFFF, usize=0xFFFFFFFF)
    f.update(e.local)
    return struct.pack("<IHHHHHIIIHH", SIG_LOCAL, 20, f["flags"], f["method"],
                       f["time"], f["date"], f["crc"], f["csize"], f["usize"],
                       len(f["name"]), len(f["extra"])) + f["name"] + f["extra"]


def descriptor(e):
    if not e.descriptor:
        return b""
    sig = struct.pack("<I", SIG_DESC) if e.descriptor == "sig" else b""
    fmt = "<IQQ" if e.zip64 else "<III"
    return sig + struct.pack(fmt, e.crc, e.csize, e.usize)


def central_record(e):
    f = dict(name=e.name, method=e.method, flags=e.flags | (8 if e.descriptor else 0),
             crc=e.crc, csize=e.csize, usize=e.usize, offset=e.offset, extra=b"",
             made_by=0x031E, ext_attr=e.ext_attr, time=DOS_TIME, date=DOS_DATE)
    if e.zip64:
        f["extra"] = zip64_extra(e.usize, e.csize, e.offset)
        f.update(csize=0xFFFFFFFF, usize=0xFFFFFFFF, offset=0xFFFFFFFF)
    f.update(e.central)
    return struct.pack("<IHHHHHHIIIHHHHHII", SIG_CENTRAL, f["made_by"], 20,
                       f["flags"], f["method"], f["time"], f["date"], f["crc"],
                       f["csize"], f["usize"], len(f["name"]), len(f["extra"]),
                       0, 0, 0, f["ext_attr"], f["offset"]) + f["name"] + f["extra"]


def build(entries, prefix=b"", comment=b"", zip64_end=False, eocd=None,
          shared_local=False, trailing=b""):
    """Bytes of an archive.  Offsets are written relative to the start of
    the archive proper, so a prefix leaves them unadjusted (an SFX stub)."""
    out = bytearray()
    for e in entries:
        if shared_local and e is not entries[0]:
            e.offset = entries[0].offset  # full overlap: one local file
            continue
        e.offset = len(out)
        out += local_header(e) + e.payload + descriptor(e)
    cd_off = len(out)
    for e in entries:
        out += central_record(e)
    cd_size = len(out) - cd_off
    n = len(entries)
    if zip64_end:
        z64 = len(out)
        out += struct.pack("<IQHHIIQQQQ", SIG_Z64_EOCD, 44, 45, 45, 0, 0, n, n,
                           cd_size, cd_off)
        out += struct.pack("<IIQI", SIG_Z64_LOC, 0, z64, 1)
        fields = (0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
    else:
        fields = (n, cd_size, cd_off)
    if eocd:
        fields = eocd
    out += struct.pack("<IHHHHIIH", SIG_EOCD, 0, 0, fields[0], fields[0],
                       fields[1], fields[2], len(comment)) + comment
    return prefix + bytes(out) + trailing


def text(n, seed):
    """Compressible, deterministic text."""
    rng = random.Random(seed)
    words = [b"zip", b"scan", b"central", b"directory", b"deflate", b"entry",
             b"archive", b"header", b"local", b"crc", b"\n"]
    out = bytearray()
    while len(out) < n:
        out += rng.choice(words) + b" "
    return bytes(out[:n])


def noise(n, seed):
    return random.Random(seed).randbytes(n)


def write(outdir, name, data):
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(data)


def with_zipfile(path, members, **kw):
    with zipfile.ZipFile(path, "w", **kw) as z:
        for name, data, method in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 3, 14, 15, 9, 26))
            info.compress_type = method
            info.external_attr = (0o40755 if name.endswith("/") else 0o100644) << 16
            z.writestr(info, data)


def ordinary(outdir):
    members = [("dir/", b"", zipfile.ZIP_STORED)]
    for k in range(40):
        size = [0, 1, 100, 4096, 70000, 300000][k % 6] + k
        data = text(size, k) if k % 3 else noise(size, k)
        method = zipfile.ZIP_DEFLATED if k % 4 else zipfile.ZIP_STORED
        members.append((f"dir/file{k:02d}.{['txt', 'bin', 'c'][k % 3]}", data, method))
    with_zipfile(os.path.join(outdir, "basic.zip"), members)

    # many entries of many sizes: the thread-count independence check
    members = [(f"m/{k:04d}", text((k * 7919) % 20000, k), zipfile.ZIP_DEFLATED)
               for k in range(600)]
    members += [(f"big/{k}", text(1 << (14 + k), 100 + k), zipfile.ZIP_DEFLATED)
                for k in range(6)]
    with_zipfile(os.path.join(outdir, "mixed.zip"), members)

    # one entry bigger than a small --memory-limit: the streaming path
    big = text(3 << 20, 7)
    write(outdir, "large.zip", build([Entry("large.txt", big)]))
    bad = bytearray(deflate(big))
    bad[len(bad) // 2] ^= 0x55
    write(outdir, "large-corrupt.zip",
          build([Entry("large.txt", big, payload=bytes(bad))]))

    # Info-ZIP zip from a tree made here
    tree = os.path.join(outdir, "tree")
    os.makedirs(os.path.join(tree, "sub", "deeper"), exist_ok=True)
    for k in range(12):
        with open(os.path.join(tree, "sub" if k % 2 else "", f"f{k}.txt"), "wb") as f:
            f.write(text(1000 * k, 50 + k))
    with open(os.path.join(tree, "sub", "deeper", "z.bin"), "wb") as f:
        f.write(noise(5000, 3))
    path = os.path.join(outdir, "infozip.zip")
    if os.path.exists(path):
        os.unlink(path)
    subprocess.run(["zip", "-qrX", path, "."], cwd=tree, check=True)

    with_zipfile(os.path.join(outdir, "empty.zip"), [])
    with zipfile.ZipFile(os.path.join(outdir, "comment.zip"), "w") as z:
        z.writestr("a.txt", b"hello\n")
        z.comment = b"an archive comment"
    with zipfile.ZipFile(os.path.join(outdir, "zip64-py.zip"), "w") as z:
        with z.open("forced.txt", "w", force_zip64=True) as f:
            f.write(text(5000, 9))
    with_zipfile(os.path.join(outdir, "bzip2.zip"),
                 [("ok.txt", b"fine\n", zipfile.ZIP_DEFLATED),
                  ("b.txt", text(3000, 2), zipfile.ZIP_BZIP2)])
    # more than 65535 entries: ZIP64 end records from zipfile
    with zipfile.ZipFile(os.path.join(outdir, "many.zip"), "w") as z:
        for k in range(70000):
            z.writestr(zipfile.ZipInfo(f"{k}", (2024, 1, 1, 0, 0, 0)), b"")


def stats_archive(outdir):
    """An archive whose statistics are known (test_stats.c checks them)."""
    text1 = text(1000, 77)
    members = [
        ("a/", b"", zipfile.ZIP_STORED, 0o40755, (2020, 1, 2, 3, 4, 6)),
        ("b/", b"", zipfile.ZIP_STORED, 0o40755, (2021, 5, 6, 7, 8, 10)),
        ("a/x.txt", text1, zipfile.ZIP_DEFLATED, 0o100644, (2022, 1, 1, 0, 0, 0)),
        ("a/y.TXT", text1, zipfile.ZIP_DEFLATED, 0o100644, (2022, 1, 1, 0, 0, 0)),
        ("b/z.bin", noise(500, 8), zipfile.ZIP_STORED, 0o100644, (2023, 6, 1, 12, 0, 0)),
        ("root.c", text(3000, 9), zipfile.ZIP_DEFLATED, 0o100644, (2019, 12, 31, 23, 59, 58)),
        ("noext", b"", zipfile.ZIP_STORED, 0o100644, (2024, 2, 29, 0, 0, 0)),
        ("a/link", b"x.txt", zipfile.ZIP_STORED, 0o120777, (2022, 1, 1, 0, 0, 0)),
        ("b/con.txt", b"device name", zipfile.ZIP_DEFLATED, 0o100644, (2022, 1, 1, 0, 0, 0)),
    ]
    path = os.path.join(outdir, "stats.zip")
    with zipfile.ZipFile(path, "w") as z:
        for name, data, method, mode, when in members:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = method
            info.create_system = 3
            info.external_attr = mode << 16
            z.writestr(info, data)
    # a UTF-8 flagged name and a CP437 one, from the small writer
    write(outdir, "stats-names.zip", build([
        Entry("b/caf\u00e9.txt".encode(), b"utf8", flags=0x800),
        Entry(b"b/\x82t\x82.dat", b"cp437"),
        Entry(b"b/x.txt", text1)]))
    # odd extensions, one ending in a control byte right after the dot
    write(outdir, "stats-odd-ext.zip", build([
        Entry(b"a.\x01", b"one"), Entry(b"b.\x7f", b"two"),
        Entry(b"c.x y", b"three"), Entry(b"d.Txt", b"four")]))


def crafted(outdir):
    hello = text(2000, 1)
    good = lambda: [Entry("a.txt", hello), Entry("b.bin", noise(300, 2), method=0)]
    w = lambda name, data: write(outdir, name, data)

    w("crafted-ok.zip", build(good()))
    w("prefix.zip", build(good(), prefix=b"#!/bin/sh\necho stub\n" * 5))
    w("trailing.zip", build(good(), trailing=b"JUNK"))
    w("zip64-end.zip", build(good(), zip64_end=True))
    w("zip64-entry.zip", build([Entry("z.txt", hello, zip64=True),
                                Entry("y.txt", hello, zip64=True, descriptor="sig")],
                               zip64_end=True))
    w("desc-sig.zip", build([Entry("d.txt", hello, descriptor="sig")]))
    w("desc-nosig.zip", build([Entry("d.txt", hello, descriptor="nosig"),
                               Entry("e.bin", noise(99, 5), method=0, descriptor="nosig")]))
    data = bytearray(build([Entry("d.txt", hello, descriptor="sig")]))
    pos = data.find(struct.pack("<I", SIG_DESC))
    data[pos + 4] ^= 1
    w("desc-bad.zip", bytes(data))

    # damage found before decoding
    w("local-name.zip", build([Entry("a.txt", hello, local={"name": b"b.txt"})]))
    w("local-method.zip", build([Entry("a.txt", hello, local={"method": 0})]))
    w("local-crc.zip", build([Entry("a.txt", hello, local={"crc": 1234})]))
    w("local-size.zip", build([Entry("a.txt", hello, local={"usize": 1})]))
    w("local-sig.zip", build([Entry("a.txt", hello, central={"offset": 3})]))
    w("offset-out.zip", build([Entry("a.txt", hello, central={"offset": 1 << 30})]))

    # damage found while decoding
    bad = bytearray(deflate(hello))
    bad[len(bad) // 2] ^= 0xFF
    w("bad-deflate.zip", build([Entry("a.txt", hello, payload=bytes(bad)), Entry("ok", b"ok")]))
    w("bad-crc.zip", build([Entry("a.txt", hello, crc=zlib.crc32(hello) ^ 1)]))
    w("bad-crc-stored.zip", build([Entry("s.bin", noise(500, 4), method=0, crc=7)]))
    w("size-long.zip", build([Entry("a.txt", hello, usize=len(hello) - 10)]))
    w("size-short.zip", build([Entry("a.txt", hello, usize=len(hello) + 10)]))
    w("ratio-lie.zip", build([Entry("a.txt", hello, usize=1 << 40, zip64=True)],
                             zip64_end=True))
    w("stored-sizes.zip", build([Entry("s", b"abcd", method=0, usize=3)]))
    w("truncated-deflate.zip", build([Entry("a.txt", hello, payload=deflate(hello)[:40],
                                            csize=40)]))

    # entries zipscan must not decode
    w("encrypted.zip", build([Entry("secret", hello, flags=1), Entry("plain", b"x")]))
    w("encrypted-only.zip", build([Entry("secret", hello, flags=1)]))
    # PPMd (98): unsupported, and to stay so (bzip2, here before, gets a
    # decoder)
    w("unsupported.zip", build([Entry("u.ppmd", b"data", method=98, payload=b"\x07\x00junk")]))
    w("aes.zip", build([Entry("aes", b"data", method=99, flags=1, payload=b"x" * 30)]))

    # overlap: every central record on one local file (full overlap)
    w("overlap-full.zip", build([Entry(f"f{k}", hello) for k in range(3)],
                                shared_local=True))
    # overlap: an entry whose data runs into the next local header
    data = build([Entry("a", hello, csize=len(deflate(hello)) + 40), Entry("b", hello)])
    w("overlap-next.zip", data)

    # names
    w("cp437.zip", build([Entry(b"caf\x82-\x9c.txt", b"x")]))
    w("utf8-flag.zip", build([Entry("café-€.txt".encode(), b"x", flags=0x800)]))
    w("control-name.zip", build([Entry(b"evil\x1b[31mred\x07.txt", b"x")]))

    # not archives
    w("notzip.bin", noise(5000, 11))
    w("short.bin", b"PK\x05\x06")
    w("empty.bin", b"")
    full = build(good())
    w("truncated.zip", full[: len(full) // 2])
    w("cd-missing.zip", build(good(), eocd=(2, 200, 5)))
    data = bytearray(full)
    struct.pack_into("<HH", data, len(data) - 22 + 8, 5, 5)
    w("count-wrong.zip", bytes(data))

    # Two central directories of one entry each: the end record's offset
    # points at the first ("a.txt"); the second ("b.txt") ends right at the
    # end record, where Python, unzip and Go read the directory when it
    # does not end there (they take the difference as bytes prepended, and
    # shift the local offsets by it).  With junk between the two, zipscan
    # sees a gap after the first; without, one directory of two entries.
    for name, junk in (("two-directories.zip", b""),
                       ("two-directories-gap.zip", b"JUNK")):
        a, b = Entry("a.txt", hello, method=0), Entry("b.txt", b"pwned\n", method=0)
        a.offset = 0
        out = local_header(a) + a.payload
        b.offset = len(out)
        out += local_header(b) + b.payload
        first = central_record(a)
        b.offset -= len(first) + len(junk)   # what the others add back
        second = central_record(b)
        eocd = struct.pack("<IHHHHIIH", SIG_EOCD, 0, 0, 1, 1, len(first),
                           len(out), 0)
        w(name, out + first + junk + second + eocd)


def source_tree(root):
    """A small tree with what extraction must restore: nested directories,
    modes, times, an empty file, binary data and relative symlinks."""
    if os.path.isdir(root):
        subprocess.run(["rm", "-rf", root], check=True)
    files = {
        "README.txt": (text(3000, 31), 0o644),
        "bin/run.sh": (b"#!/bin/sh\necho hi\n", 0o755),
        "bin/private.key": (noise(700, 32), 0o600),
        "data/empty.dat": (b"", 0o644),
        "data/blob.bin": (noise(300000, 33), 0o644),
        "data/deep/er/still/text.txt": (text(200000, 34), 0o644),
        "docs/guide.md": (text(50000, 35), 0o444),
    }
    for name, (data, mode) in files.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, mode)
    os.makedirs(os.path.join(root, "empty-dir"))
    os.makedirs(os.path.join(root, "locked"))
    with open(os.path.join(root, "locked/inside.txt"), "wb") as f:
        f.write(b"inside a 0555 directory\n")
    os.symlink("run.sh", os.path.join(root, "bin/link-to-run"))
    os.symlink("../README.txt", os.path.join(root, "data/readme-link"))
    os.symlink("deep/er", os.path.join(root, "data/dir-link"))
    stamp = 1_600_000_000  # 2020-09-13, an even second for DOS time
    for k, (dirpath, dirs, names) in enumerate(sorted(os.walk(root))):
        for n in names:
            p = os.path.join(dirpath, n)
            os.utime(p, (stamp + 86400 * k, stamp + 86400 * k),
                     follow_symlinks=False)
        os.utime(dirpath, (stamp - 86400 * k, stamp - 86400 * k))
    os.chmod(os.path.join(root, "locked"), 0o555)
    os.utime(os.path.join(root, "locked"), (stamp, stamp))


def writers(outdir):
    """The same tree archived by Info-ZIP zip, Python's zipfile, 7-Zip and
    bsdtar, for extraction to be compared with unzip's."""
    root = os.path.join(outdir, "writer-tree")
    source_tree(root)
    names = sorted(os.listdir(root))
    run = lambda *cmd: subprocess.run(cmd, cwd=root, check=True,
                                      stdout=subprocess.DEVNULL)
    for name in ("w-infozip.zip", "w-python.zip", "w-7zip.zip", "w-bsdtar.zip"):
        if os.path.exists(os.path.join(outdir, name)):
            os.unlink(os.path.join(outdir, name))
    run("zip", "-qry", os.path.join(outdir, "w-infozip.zip"), *names)
    with zipfile.ZipFile(os.path.join(outdir, "w-python.zip"), "w",
                         zipfile.ZIP_DEFLATED) as z:
        for dirpath, dirs, files in sorted(os.walk(root)):
            dirs.sort()
            for n in sorted(dirs) + sorted(files):
                p = os.path.join(dirpath, n)
                if not os.path.islink(p):
                    z.write(p, os.path.relpath(p, root))
    run("7zz", "a", "-tzip", "-snl", os.path.join(outdir, "w-7zip.zip"), *names)
    run("bsdtar", "--format", "zip", "-cf", os.path.join(outdir, "w-bsdtar.zip"),
        *names)


def hostile(outdir):
    """Names and links that try to leave the target directory."""
    w = lambda name, entries: write(outdir, name, build(entries))
    link = lambda name, target: Entry(name, target, method=0,
                                      ext_attr=0o120777 << 16)
    w("h-traversal.zip", [Entry("../evil-1.txt", b"1"),
                          Entry("a/../../evil-2.txt", b"2"),
                          Entry("a/b/../../../../evil-3.txt", b"3"),
                          Entry("ok.txt", b"ok")])
    w("h-absolute.zip", [Entry("/tmp/zipscan-hostile-abs.txt", b"abs"),
                         Entry("//tmp/zipscan-hostile-abs2.txt", b"abs2")])
    w("h-drive.zip", [Entry("C:\\zipscan-hostile-drive.txt", b"c"),
                      Entry("d:/zipscan-hostile-drive2.txt", b"d")])
    w("h-backslash.zip", [Entry("..\\..\\evil-bs.txt", b"bs"),
                          Entry("dir\\file.txt", b"f")])
    w("h-empty-parts.zip", [Entry("a//b.txt", b"ab"), Entry("./c.txt", b"c")])
    w("h-symlink-write.zip", [link("out", b"../outside"),
                              Entry("out/evil-through-link.txt", b"x"),
                              link("abs", b"/tmp"),
                              Entry("abs/zipscan-hostile-link.txt", b"y")])
    w("h-symlink-dotdot.zip", [link("up", b".."),
                               link("d/up2", b"../.."),
                               link("d/fine", b"../ok.txt"),
                               link("d/sneaky", b"e/../../.."),
                               Entry("ok.txt", b"ok")])
    w("h-symlink-then-file.zip", [link("l", b"sub"), Entry("sub/x", b"x"),
                                  Entry("l/y", b"through the link?")])
    w("h-duplicates.zip", [Entry("dup.txt", b"first"),
                           Entry("other.txt", b"other"),
                           Entry("dup.txt", b"second"),
                           Entry("d/", b"", method=0, ext_attr=0o40755 << 16),
                           Entry("d/", b"", method=0, ext_attr=0o40700 << 16)])
    w("h-case.zip", [Entry("Case.txt", b"upper"), Entry("case.txt", b"lower")])
    w("h-control.zip", [Entry(b"bell\x07.txt", b"b"), Entry(b"new\nline.txt", b"n"),
                        Entry(b"nul\x00.txt", b"z"), Entry("fine.txt", b"f")])
    w("h-preexisting.zip", [Entry("pre/evil.txt", b"e"),
                            link("l", b"pre/passwd")])
    deep = "/".join(f"{k:02d}" + "p" * 198 for k in range(15))
    w("h-deep-link.zip", [Entry(deep + "/file.txt", b"deep"),
                          link(deep + "/link", b"file.txt"),
                          link(deep + "/up", b"../" * 15 + b"top.txt"),
                          Entry("top.txt", b"top")])
    w("h-long-link.zip", [link("long", b"a/" * 3000)])
    w("h-special.zip", [Entry("setuid", b"s", ext_attr=0o104755 << 16),
                        Entry("sticky-dir/", b"", method=0,
                              ext_attr=0o41777 << 16)])
    big = b"\0" * (64 << 20)
    with zipfile.ZipFile(os.path.join(outdir, "zeros.zip"), "w",
                         zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for k in range(8):
            z.writestr(f"zero-{k}.bin", big)


def audit_fixtures(outdir):
    """Archives with one structural finding of each kind (zipscan check)."""
    w = lambda name, data: write(outdir, name, data)
    ut = struct.pack("<HHBI", 0x5455, 5, 1, 1700000000)
    w("audit-clean.zip", build([Entry("a.txt", b"a"), Entry("d/", method=0,
                                ext_attr=0o40755 << 16), Entry("d/b", b"b")]))
    w("audit-names.zip", build([
        Entry("../up.txt", b"1"), Entry("/abs.txt", b"2"),
        Entry("win\\path.txt", b"3"), Entry("x//y.txt", b"4"),
        Entry("Case.txt", b"5"), Entry("case.txt", b"6"),
        Entry("dup", b"7"), Entry("dup", b"8"),
        Entry("a/./b", b"9"), Entry("a/b", b"10"),
        Entry("dir/", b"data in a directory", ext_attr=0o40755 << 16)]))
    w("audit-extra.zip", build([
        Entry("odd64", b"x", central={"extra": struct.pack("<HH", 1, 12) +
                                      bytes(12)}),
        Entry("two-ut", b"y", central={"extra": ut + ut})]))
    # a local header (b) the central directory leaves out
    es = [Entry("a", b"aaa"), Entry("b", b"hidden"), Entry("c", b"ccc")]
    out = bytearray()
    for e in es:
        e.offset = len(out)
        out += local_header(e) + e.payload
    cd = len(out)
    for e in (es[0], es[2]):
        out += central_record(e)
    out += struct.pack("<IHHHHIIH", SIG_EOCD, 0, 0, 2, 2, len(out) - cd, cd, 0)
    w("audit-hidden.zip", bytes(out))
    # a whole archive in the comment: two end records that validate
    inner = build([Entry("in.txt", b"inner")])
    w("audit-eocd.zip", build([Entry("outer.txt", b"outer")], comment=inner))
    w("audit-many.zip", build([Entry(f"../m{k:02}", b"m") for k in range(15)]))


def trust(outdir):
    """Names, times and layouts that real archives get wrong or that two
    readers read two ways (test_trust.c)."""
    w = lambda name, entries, **kw: write(outdir, name, build(entries, **kw))
    fat = {"made_by": 0x0014}   # host 0 (MS-DOS / Windows), version 2.0
    # a Windows directory named with backslashes: a directory, as unzip has it
    w("t-backslash-dir.zip", [
        Entry("d\\e\\", b"", method=0, ext_attr=0x10, central=fat),
        Entry("d\\e\\f.txt", b"f", ext_attr=0x20, central=fat)])
    # extended timestamps after 2038 (unsigned, as unzip reads them when
    # the DOS date is past 2038 too) and before it (signed)
    ut = lambda t: struct.pack("<HHBI", 0x5455, 5, 1, t & 0xFFFFFFFF)
    d2039 = {"date": (2039 - 1980) << 9 | 9 << 5 | 18, "time": 0}
    w("t-ut-2039.zip", [
        Entry("late", b"l", central=dict(d2039, extra=ut(2200000000)),
              local=d2039),
        Entry("early", b"e", central={"extra": ut(1700000000)})])
    # 7-Zip's NTFS times (UTC, 100 ns since 1601), preferred to UT
    ft = lambda t: (t + 11644473600) * 10000000 + 5000000
    ntfs = lambda t: struct.pack("<HHIHHQQQ", 0x000A, 32, 0, 1, 24, ft(t),
                                 ft(t), ft(t))
    w("t-ntfs.zip", [
        Entry("n", b"n", central={"extra": ntfs(1700000000) + ut(1600000000)}),
        Entry("u", b"u", central={"extra": ut(1650000000)}),
        Entry("dos", b"d")])
    # Info-ZIP Unicode Path extra fields: one naming another path than its
    # header, one naming the same in UTF-8, one stale (the CRC-32 is of
    # another name) and one of a version unzip does not read
    upath = lambda hdr, name, v=1: struct.pack(
        "<HHBI", 0x7075, 5 + len(name.encode()), v,
        zlib.crc32(hdr)) + name.encode()
    w("t-upath.zip", [
        Entry("safe.txt", b"1", central={"extra": upath(b"safe.txt",
                                                        "../evil9")}),
        Entry(b"caf\x82.txt", b"2", central={"extra": upath(b"caf\x82.txt",
                                                             "café.txt")}),
        Entry("stale.txt", b"3", central={"extra": upath(b"old.txt",
                                                         "other.txt")}),
        Entry("v2.txt", b"4", central={"extra": upath(b"v2.txt", "x.txt",
                                                      2)})])
    # data after the end of an entry's stream, inside its compressed size:
    # a descriptor and a whole local entry that a streaming reader finds
    hidden = Entry("hidden.sh", b"echo pwned\n")
    hidden.offset = 0
    smuggled = (struct.pack("<IIII", SIG_DESC, 0, 0, 0) +
                local_header(hidden) + hidden.payload)
    plain = text(3000, 72)
    inner = b"head" + struct.pack("<IIII", SIG_DESC, 0, 4, 4) + b"tail"
    w("t-trailing-data.zip", [
        Entry("a.txt", plain, payload=deflate(plain) + smuggled),
        Entry("s.bin", inner, method=0, descriptor="sig"),
        Entry("clean.txt", plain)])
    # the same after a bzip2 stream, which ends with its own marker
    w("t-trailing-bzip2.zip", [
        Entry("a.txt", plain, method=12,
              payload=bz2.compress(plain) + smuggled),
        Entry("clean.txt", plain)])
    # names written as run.sh, a.sh/ and d/ that a raw-name pattern misses
    w("t-select.zip", [Entry("run.sh/.", b"#!/bin/sh\n"),
                       Entry("a.sh\\", b"", method=0, ext_attr=0x10,
                             central=fat),
                       Entry("keep.txt", b"keep")])
    # the last part of a split archive: the tail of the data, then the
    # central directory of entries whose local headers are in part 1
    es = [Entry(f"part{k}.txt", text(2000, k)) for k in range(27)]
    off = 0
    for e in es:
        e.offset = off
        off += len(local_header(e)) + len(e.payload)
    tail = noise(100, 71)
    cd = b"".join(central_record(e) for e in es)
    write(outdir, "t-split-last.zip", tail + cd + struct.pack(
        "<IHHHHIIH", SIG_EOCD, 1, 1, 27, 27, len(cd), len(tail), 0))
    # a stored entry whose central record declares more than its local
    # header: 40 bytes more (into the next entry), and 4 GiB more (ZIP64)
    body = text(300, 70)
    w("t-central-larger.zip", [
        Entry("a", body, method=0, central={"csize": 340, "usize": 340}),
        Entry("b", body)])
    big = len(body) + (1 << 32)
    w("t-central-4g.zip", [
        Entry("a", body, method=0, central={
            "csize": 0xFFFFFFFF, "usize": 0xFFFFFFFF,
            "offset": 0xFFFFFFFF, "extra": zip64_extra(big, big, 0)}),
        Entry("b", body)])
    # ... and one whose uncompressed size alone is 4 GiB too large
    w("t-stored-usize-4g.zip", [
        Entry("a", body, method=0, zip64=True, usize=big), Entry("b", body)])


def codecs(outdir):
    """One archive per method decoded through codec.h (test_codecs.c):
    data.txt over the 4 MiB whole-entry size, so it streams, and small.txt
    decoded whole; the plain bytes beside them, for `zipscan cat`.  bzip2
    and LZMA from zipfile; xz (liblzma, preset 1: a 1 MiB dictionary) and
    zstd (the zstd command) through the small writer, which zipfile lacks."""
    big, small = text((4 << 20) + 4097, 60), text(1000, 61)
    write(outdir, "codec-data.txt", big)
    write(outdir, "codec-small.txt", small)
    for name, method in (("bzip2", zipfile.ZIP_BZIP2),
                         ("lzma", zipfile.ZIP_LZMA)):
        with_zipfile(os.path.join(outdir, f"codec-{name}.zip"),
                     [("data.txt", big, method), ("small.txt", small, method)])

    def xz(data):
        return lzma.compress(data, format=lzma.FORMAT_XZ, preset=1)

    def zstd(data):
        return subprocess.run(["zstd", "-q", "-c", "-3"], input=data,
                              stdout=subprocess.PIPE, check=True).stdout

    for name, method, enc in (("xz", 95, xz), ("zstd", 93, zstd)):
        write(outdir, f"codec-{name}.zip", build(
            [Entry("data.txt", big, method=method, payload=enc(big)),
             Entry("small.txt", small, method=method, payload=enc(small))]))


def main():
    outdir = os.path.abspath(sys.argv[1])
    os.makedirs(outdir, exist_ok=True)
    ordinary(outdir)
    codecs(outdir)
    crafted(outdir)
    audit_fixtures(outdir)
    stats_archive(outdir)
    writers(outdir)
    hostile(outdir)
    trust(outdir)


if __name__ == "__main__":
    main()
