#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""methods.py OUTDIR CORPUS - archives in every compression method zipscan
decodes past Deflate (Deflate64, bzip2, LZMA, xz, zstd), and PPMd, which it
does not, for test/test_methods.c; written into OUTDIR with
OUTDIR/methods.json (each archive's file name, writer and methods).

One source tree (OUTDIR/tree, removed at the end) holds what each decoder
must get right:
  text/       C headers from /usr/include (and /usr/share/dict/words, if
              the machine has it)
  bin/        a shared library
  empty       0 bytes
  run.bin     300,000 bytes of one byte value: long matches at distance 1
  far.bin     random blocks each repeated 40,000-65,536 bytes later:
              Deflate64's distance codes 30 and 31 (Deflate's 32 KiB window
              cannot see them)
  big.txt     4.5 MiB: over the 4 MiB whole-entry buffer, so it streams
  empty-dir/  a directory entry

Writers:
  - 7-Zip (7zz a -tzip -mm=...): Deflate (the control), Deflate64 at -mx9
    and -mx1, BZip2, LZMA with and without its end marker, XZ, PPMd.  7zz
    26 cannot write zstd into a ZIP (E_NOTIMPL) nor LZMA2.
  - Python's zipfile: ZIP_BZIP2 and ZIP_LZMA.
  - By hand around the zstd CLI's frames (method 93): one frame, several
    frames, skippable frames before, between and after, a frame without a
    content size, without a checksum, and the big file.
  - By hand, Deflate64 streams written here (fixed-Huffman and stored
    blocks): length code 285 with its 16 extra bits up to 65,538, length
    258 as code 284 with extra 31, distance codes 30 and 31 at both ends of
    their ranges, matches reaching back across stored blocks, and a 5 MiB
    entry whose 64 KiB-back matches cross the streaming chunks.  7-Zip's
    own encoder never emits a length over 257.  Each stream is checked
    here against 7zz before it is kept.
  - The LZMA fuzzer regression test_read_format_zip_zipx_lzma_oom.zipx
    (libarchive) is a lone local header; lzma-oom.zip gives it the central
    directory it lacks, so that the decoder meets its 4 GiB dictionary.

Every archive is checked with `7zz t` here: what 7-Zip cannot read is no
fixture.  Deterministic: times are fixed, 7zz runs single-threaded.
"""
import concurrent.futures
import glob
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures import Entry, build, noise  # noqa: E402
import deflate64 as d64  # noqa: E402

# 2024-03-14 15:09:26: an even second, as DOS times have 2-second steps
# (7zz extracts the exact NTFS time, zipscan the DOS time)
MTIME = 1710428966
BIG = 4608 << 10          # over ZS_WHOLE_ENTRY_MAX (4 MiB)


def write(path, data, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


# ---- the source tree --------------------------------------------------------

def headers():
    """Up to ~300 KB of C headers, the same choice on every run."""
    out, total = [], 0
    for p in sorted(glob.glob("/usr/include/*.h")):
        size = os.path.getsize(p)
        if 1000 <= size <= 64000 and total < 300000:
            out.append(p)
            total += size
    return out


def shared_library():
    for pattern in ("/usr/lib/x86_64-linux-gnu/libdeflate.so.*",
                    "/usr/lib/*/libdeflate.so.*", "/usr/lib/*/libz.so.*",
                    "/lib/*/libc.so.6"):
        hits = sorted(p for p in glob.glob(pattern) if os.path.isfile(p))
        if hits:
            return hits[0]
    sys.exit("methods.py: no shared library found")


def far_repeats():
    """Random blocks, each followed by a copy of its start: the only matches
    are at the block's length, 40,000 to 65,536 bytes back."""
    rng = random.Random(64)
    out = bytearray()
    for d in (40000, 49152, 49153, 56000, 65000, 65536):
        block = rng.randbytes(d)
        out += block + block[:24000]
    return bytes(out)


def big_text(lines):
    """BIG bytes of header lines in a seeded random order."""
    rng = random.Random(4)
    out = bytearray()
    while len(out) < BIG:
        out += rng.choice(lines) + b"\n"
    return bytes(out[:BIG])


def make_tree(root):
    if os.path.exists(root):
        shutil.rmtree(root)
    lines = []
    for p in headers():
        data = open(p, "rb").read()
        write(os.path.join(root, "text", os.path.basename(p)), data)
        lines += [ln for ln in data.split(b"\n") if ln.strip()]
    if os.path.isfile("/usr/share/dict/words"):
        write(os.path.join(root, "text", "words"),
              open("/usr/share/dict/words", "rb").read())
    lib = shared_library()
    write(os.path.join(root, "bin", os.path.basename(lib)),
          open(lib, "rb").read(), 0o755)
    write(os.path.join(root, "empty"), b"")
    write(os.path.join(root, "run.bin"), b"a" * 300000)
    write(os.path.join(root, "far.bin"), far_repeats())
    write(os.path.join(root, "big.txt"), big_text(lines))
    os.makedirs(os.path.join(root, "empty-dir"))
    set_times(root)


def set_times(root):
    for d, dirs, files in os.walk(root, topdown=False):
        for n in files + dirs:
            os.utime(os.path.join(d, n), (MTIME, MTIME))
        os.chmod(d, 0o755)
    os.utime(root, (MTIME, MTIME))


def tree_files(root, skip=()):
    """(relative name, path) for every file and directory under root, in
    sorted order, directories with a trailing slash."""
    out = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for n in dirs + sorted(files):
            p = os.path.join(d, n)
            rel = os.path.relpath(p, root)
            if rel.split(os.sep)[0] in skip:
                continue
            out.append((rel + ("/" if os.path.isdir(p) else ""), p))
    return sorted(out)


# ---- 7-Zip and Python's zipfile ---------------------------------------------

def seven_zip(outdir, root, name, method, level, skip=()):
    path = os.path.join(outdir, name)
    if os.path.exists(path):
        os.unlink(path)
    names = sorted(n for n in os.listdir(root) if n not in skip)
    subprocess.run(["7zz", "a", "-tzip", f"-mm={method}", f"-mx{level}",
                    "-mmt=off", "-bd", path] + names, cwd=root, check=True,
                   stdout=subprocess.DEVNULL)
    return path


def python_zip(outdir, root, name, method):
    path = os.path.join(outdir, name)
    with zipfile.ZipFile(path, "w") as z:
        for rel, p in tree_files(root):
            info = zipfile.ZipInfo.from_file(p, rel.rstrip("/"))
            info.compress_type = method
            if rel.endswith("/"):
                z.writestr(info, b"")
            else:
                z.writestr(info, open(p, "rb").read())
    return path


# ---- zstd frames by hand ----------------------------------------------------

def zstd(data, *opts):
    return subprocess.run(["zstd", "-q", "-c", *opts], input=data,
                          stdout=subprocess.PIPE, check=True).stdout


def zstd_file(path, *opts):
    """Compressed from a file (not a pipe), so the frame has its size."""
    return subprocess.run(["zstd", "-q", "-c", *opts, path],
                          stdout=subprocess.PIPE, check=True).stdout


def skippable(k, payload):
    return struct.pack("<II", 0x184D2A50 + k, len(payload)) + payload


def zstd_archive(outdir, root):
    """Method 93 entries around frames from the zstd CLI.  A frame made
    from a pipe has no content size; the others have it."""
    def read(rel):
        return open(os.path.join(root, rel), "rb").read()

    hdr = sorted(os.listdir(os.path.join(root, "text")))
    t1, t2, t3 = (read("text/" + h) for h in hdr[:3])
    p1 = os.path.join(root, "text", hdr[0])
    members = [
        ("one-frame.h", t1, zstd_file(p1, "-3")),
        ("frames.h", t1 + t2 + t3,
         zstd(t1, "-1") + zstd(t2, "-9") + zstd(t3, "--no-check")),
        ("skippable.h", t1 + t2,
         skippable(0, b"") + zstd(t1) + skippable(7, b"x" * 100) + zstd(t2)
         + skippable(15, noise(3000, 1))),
        ("no-size.bin", read("far.bin"), zstd(read("far.bin"), "-3")),
        ("no-check.h", t3, zstd_file(os.path.join(root, "text", hdr[2]),
                                      "--no-check")),
        ("empty", b"", zstd_file(os.path.join(root, "empty"))),
        ("run.bin", read("run.bin"), zstd_file(os.path.join(root, "run.bin"),
                                               "-19")),
        ("big.txt", read("big.txt"), zstd_file(os.path.join(root, "big.txt"),
                                               "-3")),
        ("big-frames.txt", read("big.txt"),
         b"".join(zstd(read("big.txt")[k:k + (1 << 20)], "-1")
                  for k in range(0, BIG, 1 << 20))),
    ]
    entries = [Entry("dir/", b"", method=0, ext_attr=0o40755 << 16)]
    for name, data, frames in members:
        entries.append(Entry("dir/" + name, data, method=93, payload=frames))
    path = os.path.join(outdir, "zstd.zip")
    with open(path, "wb") as f:
        f.write(build(entries))
    return path


# ---- Deflate64 by hand ------------------------------------------------------
#
# test/deflate64.py writes the streams; here blocks are ("stored", bytes) or
# ("fixed", [op...]) with ops b"literals" or (length, distance, long_code),
# long_code saying code 285 (3 + 16 extra bits) whatever the length.


def deflate64(blocks):
    """A Deflate64 stream and its output, both from test/deflate64.py."""
    made = []
    for k, (kind, body) in enumerate(blocks):
        final = k == len(blocks) - 1
        if kind == "stored":
            made.append(d64.Stored(body, final))
            continue
        tokens = []
        for op in body:
            if isinstance(op, bytes):
                tokens += list(op)
                continue
            length, dist, long_code = op
            if long_code and length <= 258:
                tokens.append(d64.Match(length, dist, 285, length - 3))
            else:
                tokens.append((length, dist))
        made.append(d64.Fixed(tokens, final))
    out, ok = d64.expand(made)
    assert ok
    return d64.encode(made), out


def d64_streams():
    """(name, stream, output) for the hand-made entries."""
    rng = random.Random(9)
    runs = [("fixed", [b"x", (65538, 1, True), (65538, 1, True),
                       (65535, 1, True), b"yz", (258, 2, False),
                       (10, 3, True), (3, 1, True), (300, 5, False),
                       (65538, 65536, True), b"!"])]
    # distance codes 30 (32,769-49,152) and 31 (49,153-65,536), at both
    # ends, after 70,000 random bytes in stored blocks
    seed = rng.randbytes(70000)
    far = [("stored", seed[:65535]), ("stored", seed[65535:]),
           ("fixed", [(1000, 65536, False), b"a", (2000, 49153, False),
                      (500, 49152, False), (300, 32769, False),
                      (258, 40000, True), (65538, 65535, True),
                      (4, 32768, False)])]
    # 5 MiB: 2 KiB of random bytes, then a 65,538-byte match reaching 32 to
    # 64 KiB back, over and over; the matches cross the 256 KiB chunks the
    # streaming decoder writes through
    blocks, total, k = [], 0, 0
    while total < (5 << 20):
        blocks.append(("stored", rng.randbytes(2048)))
        total += 2048
        dist = min(total, 32769 + (k * 7919) % 32768)
        blocks.append(("fixed", [(65538, dist, True), (258, 65536, False)]))
        total += 65538 + 258
        k += 1
    out = []
    for name, bl in (("long-runs.bin", runs), ("far.bin", far),
                     ("big.bin", blocks)):
        stream, data = deflate64(bl)
        out.append((name, stream, data))
    return out


def d64_archive(outdir):
    entries = [Entry("d64/", b"", method=0, ext_attr=0o40755 << 16)]
    for name, stream, data in d64_streams():
        entries.append(Entry("d64/" + name, data, method=9, payload=stream))
    path = os.path.join(outdir, "d64-handmade.zip")
    with open(path, "wb") as f:
        f.write(build(entries))
    return path


# ---- a fuzzer regression, given a central directory -------------------------

def lzma_oom(outdir, corpus):
    """libarchive's zipx_lzma_oom: one local header (method 14, 9 bytes of
    data: LZMA version 9.20, 5 property bytes, dictionary 0xFFFFFFFF), no
    central directory.  The same entry with one."""
    src = os.path.join(corpus, "libarchive",
                       "test_read_format_zip_zipx_lzma_oom.zipx")
    if not os.path.exists(src):
        print(f"methods.py: no corpus at {corpus}: lzma-oom.zip is not "
              f"made (its test skips)")
        return None
    raw = open(src, "rb").read()
    sig, _, flags, method, _, _, crc, csize, usize, nlen, xlen = \
        struct.unpack("<IHHHHHIIIHH", raw[:30])
    assert sig == 0x04034B50 and method == 14, src
    payload = raw[30 + nlen + xlen:30 + nlen + xlen + csize]
    e = Entry("oom", b"", method=14, payload=payload, crc=crc, usize=usize,
              flags=flags)
    path = os.path.join(outdir, "lzma-oom.zip")
    with open(path, "wb") as f:
        f.write(build([e]))
    return path


# ---- main -------------------------------------------------------------------

def methods_of(path):
    with zipfile.ZipFile(path) as z:
        return sorted({i.compress_type for i in z.infolist()})


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[0])
    outdir, corpus = os.path.abspath(sys.argv[1]), sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    root = os.path.join(outdir, "tree")
    make_tree(root)
    small = ("big.txt",)
    jobs = [  # (archive, writer, function, arguments), slowest first
        ("7z-deflate64.zip", "7zz", seven_zip, ("Deflate64", 9)),
        ("py-lzma.zip", "python", python_zip, (zipfile.ZIP_LZMA,)),
        ("7z-lzma.zip", "7zz", seven_zip, ("LZMA", 5)),
        ("7z-lzma-noeos.zip", "7zz", seven_zip, ("LZMA:eos=off", 5)),
        ("7z-xz.zip", "7zz", seven_zip, ("XZ", 5)),
        ("7z-deflate.zip", "7zz", seven_zip, ("Deflate", 5)),
        ("7z-bzip2.zip", "7zz", seven_zip, ("BZip2", 5)),
        ("7z-ppmd.zip", "7zz", seven_zip, ("PPMd", 5, small)),
        ("py-bzip2.zip", "python", python_zip, (zipfile.ZIP_BZIP2,)),
        ("7z-deflate64-mx1.zip", "7zz", seven_zip, ("Deflate64", 1)),
    ]
    # two at a time: 7zz runs single-threaded, for the same bytes each time
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        futures = [(name, writer, pool.submit(fn, outdir, root, name, *args))
                   for name, writer, fn, args in jobs]
        made = [(name, writer, f.result()) for name, writer, f in futures]
    made += [("zstd.zip", "zstd CLI frames", zstd_archive(outdir, root)),
             ("d64-handmade.zip", "by hand", d64_archive(outdir)),
             ("lzma-oom.zip", "corpus entry", lzma_oom(outdir, corpus))]
    made = [m for m in made if m[2] is not None]
    # What the archives must show, or they test nothing:
    with zipfile.ZipFile(os.path.join(outdir, "7z-deflate.zip")) as z:
        deflated = z.getinfo("far.bin").compress_size
    with zipfile.ZipFile(os.path.join(outdir, "7z-deflate64.zip")) as z:
        far = z.getinfo("far.bin")
    # Deflate cannot reach the repeats; Deflate64 must have (codes 30, 31)
    assert far.compress_size < 0.85 * deflated, (far.compress_size, deflated)
    with zipfile.ZipFile(os.path.join(outdir, "7z-lzma.zip")) as z:
        assert all(i.flag_bits & 2 for i in z.infolist() if i.file_size)
    with zipfile.ZipFile(os.path.join(outdir, "7z-lzma-noeos.zip")) as z:
        assert not any(i.flag_bits & 2 for i in z.infolist())
    expect = {"7z-deflate.zip": 8, "7z-deflate64.zip": 9,
              "7z-deflate64-mx1.zip": 9, "7z-bzip2.zip": 12,
              "7z-lzma.zip": 14, "7z-lzma-noeos.zip": 14, "7z-xz.zip": 95,
              "7z-ppmd.zip": 98, "py-bzip2.zip": 12, "py-lzma.zip": 14,
              "zstd.zip": 93, "d64-handmade.zip": 9}
    for name, want in expect.items():
        got = set(methods_of(os.path.join(outdir, name))) - {0}
        assert got == {want}, (name, got)
    # 7-Zip reads every one (lzma-oom.zip is meant to fail)
    for name, _, path in made:
        if name != "lzma-oom.zip":
            subprocess.run(["7zz", "t", "-bd", path], check=True,
                           stdout=subprocess.DEVNULL)
    shutil.rmtree(root)
    with open(os.path.join(outdir, "methods.json"), "w") as f:
        json.dump([{"archive": n, "writer": w, "methods": methods_of(p)}
                   for n, w, p in made], f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
