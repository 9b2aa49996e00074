# SPDX-License-Identifier: MIT
"""Tests of the zipscan Python module against archives made here with
Python's zipfile, and against the zipscan command on the same files.

Run from the top of the tree:
  ZIPSCAN_LIBRARY=$PWD/build/libzipscan.so.0 python3 -m pytest -q python/tests
ZIPSCAN_BIN names the command (default build/zipscan).
"""
import base64
import dataclasses
import datetime
import hashlib
import importlib.util
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import time
import zipfile

import pytest

import zipscan

HERE = os.path.dirname(os.path.abspath(__file__))
PYDIR = os.path.dirname(HERE)
ROOT = os.path.dirname(PYDIR)
HEADER = os.path.join(ROOT, "include", "zipscan.h")
ZIPSCAN_BIN = os.environ.get("ZIPSCAN_BIN",
                             os.path.join(ROOT, "build", "zipscan"))
PYTHON = sys.executable

DATE = (2021, 6, 15, 13, 37, 42)   # even seconds: DOS time keeps them

TEXT = b"".join(b"line %d of some text, compressible\n" % i
                for i in range(2000))
# less compressible: a hash chain
NOISE = b"".join(hashlib.sha256(b"%d" % i).digest() for i in range(4000))

# name -> (data, compress_type); order is the archive's
FILES = [
    ("stored.txt", b"stored, as it is\n", zipfile.ZIP_STORED),
    ("deflated.txt", TEXT, zipfile.ZIP_DEFLATED),
    ("sub/bzip2.bin", NOISE[:50000] + TEXT, zipfile.ZIP_BZIP2),
    ("sub/lzma.bin", TEXT + NOISE[:30000], zipfile.ZIP_LZMA),
    ("na\u00efve-\u65e5\u672c.txt", "caf\u00e9\n".encode(),
     zipfile.ZIP_DEFLATED),
    ("empty", b"", zipfile.ZIP_STORED),
]
DIRNAME = "dir/"
LINKNAME = "link-to-stored"
LINKTARGET = b"stored.txt"


def need_bin():
    if not os.access(ZIPSCAN_BIN, os.X_OK):
        pytest.skip("no zipscan command at %s (set ZIPSCAN_BIN)"
                    % ZIPSCAN_BIN)


def run_bin(*args):
    need_bin()
    return subprocess.run([ZIPSCAN_BIN, *args], capture_output=True,
                          text=True, timeout=120)


def make_zip(path, extra=()):
    with zipfile.ZipFile(path, "w") as z:
        for name, data, ct in list(FILES) + list(extra):
            zi = zipfile.ZipInfo(name, DATE)
            zi.compress_type = ct
            zi.external_attr = 0o100644 << 16
            z.writestr(zi, data)
        zi = zipfile.ZipInfo(DIRNAME, DATE)
        zi.external_attr = (0o40755 << 16) | 0x10
        z.writestr(zi, b"")
        zi = zipfile.ZipInfo(LINKNAME, DATE)
        zi.create_system = 3
        zi.external_attr = 0o120777 << 16
        z.writestr(zi, LINKTARGET)
    return path


def central_records(data):
    """{name: offset of its central directory record}."""
    eocd = data.rindex(b"PK\x05\x06")
    count, size, start = struct.unpack_from("<HII", data, eocd + 10)
    out, p = {}, start
    for _ in range(count):
        assert data[p:p + 4] == b"PK\x01\x02"
        n, m, k = struct.unpack_from("<HHH", data, p + 28)
        out[data[p + 46:p + 46 + n].decode("utf-8")] = p
        p += 46 + n + m + k
    return out


def patch_both(path, name, local_field, central_field, fmt, value=None,
               xor=None):
    """Change a field of NAME's local header and central record alike."""
    data = bytearray(open(path, "rb").read())
    with zipfile.ZipFile(path) as z:
        local = z.getinfo(name).header_offset
    central = central_records(bytes(data))[name]
    for off in (local + local_field, central + central_field):
        if xor is not None:
            data[off] ^= xor
        else:
            struct.pack_into(fmt, data, off, value)
    open(path, "wb").write(bytes(data))
    return local


@pytest.fixture(scope="module")
def tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("zipscan")


@pytest.fixture(scope="module")
def sample(tmp):
    return str(make_zip(tmp / "sample.zip"))


@pytest.fixture(scope="module")
def badcrc(tmp):
    """sample with the CRC-32 of deflated.txt flipped in both headers: the
    headers agree, the data does not."""
    p = str(make_zip(tmp / "badcrc.zip"))
    off = patch_both(p, "deflated.txt", 14, 16, None, xor=0x5A)
    return p, off


# ---- the library and the module ---------------------------------------------

def header_version():
    with open(HEADER) as f:
        return re.search(r'#define ZS_VERSION "([^"]+)"', f.read()).group(1)


def test_version_matches_command_and_header():
    r = run_bin("--version")
    first = r.stdout.splitlines()[0]
    m = re.match(r"zipscan (\S+) \(libzipscan (\S+)\)", first)
    assert m, first
    assert zipscan.__version__ == m.group(2)
    assert zipscan.__version__ == header_version()
    versions = zipscan.library_versions()
    assert "zstd" in versions and "libdeflate" in versions
    for name, ver in versions.items():
        assert re.match(r"\d+\.\d+", ver), (name, ver)
    assert zipscan.method_name(8) == "deflate"


def test_library_not_found_message(tmp):
    env = dict(os.environ, ZIPSCAN_LIBRARY=str(tmp / "no-such-lib.so"))
    r = subprocess.run([PYTHON, "-c", "import zipscan"], cwd=PYDIR, env=env,
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert "ImportError" in r.stderr
    assert "ZIPSCAN_LIBRARY" in r.stderr and "no-such-lib.so" in r.stderr


def test_installed_py_is_used(tmp):
    """make install writes zipscan/_installed.py: without ZIPSCAN_LIBRARY
    the module loads the library it names."""
    lib = zipscan._lib.lib._name
    pkg = tmp / "installed" / "zipscan"
    shutil.copytree(os.path.join(PYDIR, "zipscan"), pkg,
                    ignore=shutil.ignore_patterns("__pycache__",
                                                  "_installed.py"))
    (pkg / "_installed.py").write_text('LIBRARY = "%s"\n' % lib)
    env = {k: v for k, v in os.environ.items() if k != "ZIPSCAN_LIBRARY"}
    r = subprocess.run([PYTHON, "-c", "import zipscan; "
                        "print(zipscan._lib.lib._name)"],
                       cwd=str(tmp / "installed"), env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == lib


def test_structures_match_the_header(tmp):
    """ctypes' offsets of every field equal a C compiler's."""
    cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if not cc:
        pytest.skip("no C compiler to compare the structures with")
    L = zipscan._lib
    structs = [("zs_entry", L.zs_entry), ("zs_options", L.zs_options),
               ("zs_totals", L.zs_totals), ("zs_finding", L.zs_finding),
               ("zs_catalog_entry", L.zs_catalog_entry)]
    lines = ['#include <stdio.h>', '#include <stddef.h>',
             '#include "zipscan.h"', 'int main(void) {']
    want = []
    for cname, st in structs:
        lines.append('printf("%%zu\\n", sizeof(%s));' % cname)
        want.append(ctypes_sizeof(st))
        for fname, _ in st._fields_:
            lines.append('printf("%%zu\\n", offsetof(%s, %s));'
                         % (cname, fname))
            want.append(getattr(st, fname).offset)
    lines.append("return 0; }")
    src = tmp / "layout.c"
    src.write_text("\n".join(lines) + "\n")
    exe = tmp / "layout"
    subprocess.run([cc, "-I", os.path.join(ROOT, "include"), str(src), "-o",
                    str(exe)], check=True)
    got = [int(x) for x in subprocess.run([str(exe)], capture_output=True,
                                          text=True).stdout.split()]
    assert got == want


def ctypes_sizeof(st):
    import ctypes
    return ctypes.sizeof(st)


# ---- entries -------------------------------------------------------------

def test_entries_match_zipfile(sample):
    with zipfile.ZipFile(sample) as zf, zipscan.open(sample) as z:
        infos = zf.infolist()
        assert len(z) == len(infos) == len(FILES) + 2
        assert z.indexed and z.status == 0 and z.findings == []
        assert z.path == sample
        for e, zi in zip(z, infos):
            assert e.name == zi.filename
            assert e.raw_name == zi.filename.encode("utf-8")
            assert e.compressed_size == zi.compress_size
            assert e.uncompressed_size == zi.file_size
            assert e.crc32 == zi.CRC
            assert e.method == zi.compress_type
            assert e.external_attr == zi.external_attr
            assert e.mode == zi.external_attr >> 16
            assert e.local_offset == zi.header_offset
            assert e.data_offset > e.local_offset
            assert e.central_offset > e.data_offset
            assert e.mtime == int(time.mktime(zi.date_time + (0, 0, -1)))
            assert e.datetime.replace(tzinfo=None) == \
                datetime.datetime(*zi.date_time)
            assert e.status == "untested" and e.error == ""
            assert not e.is_encrypted and not e.is_zip64
            assert e.flags & 0x800 == zi.flag_bits & 0x800
        names = [e.name for e in z]
        assert names == [n for n, _, _ in FILES] + [DIRNAME, LINKNAME]


def test_methods_modes_and_kinds(sample):
    with zipscan.open(sample) as z:
        by = {e.name: e for e in z}
        assert by["stored.txt"].method == 0
        assert by["stored.txt"].method_name == "stored"
        assert by["deflated.txt"].method == 8
        assert by["deflated.txt"].method_name == "deflate"
        assert by["sub/bzip2.bin"].method == 12
        assert by["sub/bzip2.bin"].method_name == "bzip2"
        assert by["sub/lzma.bin"].method == 14
        assert by["sub/lzma.bin"].method_name == "lzma"
        d = by[DIRNAME]
        assert d.is_dir and not d.is_symlink and d.mode == 0o40755
        ln = by[LINKNAME]
        assert ln.is_symlink and not ln.is_dir and ln.mode == 0o120777
        assert by["stored.txt"].mode == 0o100644
        nonascii = by["na\u00efve-\u65e5\u672c.txt"]
        assert nonascii.flags & 0x800
        assert nonascii.raw_name == "na\u00efve-\u65e5\u672c.txt".encode()


def test_indexing(sample):
    with zipscan.open(sample) as z:
        n = len(z)
        assert z[0].name == "stored.txt"
        assert z[-1].name == LINKNAME and z[-1].index == n - 1
        assert z["deflated.txt"].index == 1
        assert [e.name for e in z[1:3]] == ["deflated.txt", "sub/bzip2.bin"]
        assert "empty" in z and "nothing" not in z
        with pytest.raises(IndexError):
            z[n]
        with pytest.raises(KeyError):
            z["nothing"]
        with pytest.raises(dataclasses.FrozenInstanceError):
            z[0].name = "x"


def test_read_every_entry(sample):
    want = {n: d for n, d, _ in FILES}
    with zipscan.open(sample) as z:
        for e in z:
            got = z.read(e)
            if e.is_dir:
                assert got == b""
            elif e.is_symlink:
                assert got == LINKTARGET
            else:
                assert got == want[e.name], e.name
            assert z.read(e.index) == got
            assert z.read(e.name) == got
        assert z["deflated.txt"].status == "ok"


def test_iter_read_callback_and_iterator(sample):
    with zipscan.open(sample) as z:
        for name, data, _ in FILES:
            chunks = []
            n = z.iter_read(name, chunks.append)
            assert b"".join(chunks) == data and n == len(data)
            assert b"".join(z.iter_read(name)) == data


@pytest.fixture(scope="module")
def big(tmp):
    """One entry of 3 MB: over a 64 KiB memory limit it streams."""
    p = tmp / "big.zip"
    data = (NOISE * 4)[:3 << 20]
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("big.bin", DATE), data,
                   compress_type=zipfile.ZIP_DEFLATED)
    return str(p), data


def test_iter_read_streams_in_chunks(big):
    path, data = big
    with zipscan.open(path, memory_limit=64 << 10) as z:
        chunks = []
        z.iter_read(0, chunks.append)
        assert len(chunks) > 1
        assert b"".join(chunks) == data
        it = z.iter_read(0)
        assert b"".join(it) == data
        # an iterator closed early stops the read
        it = z.iter_read(0)
        first = next(it)
        assert first == data[:len(first)]
        it.close()
        assert z.read(0) == data


class Stop(Exception):
    pass


def test_iter_read_callback_exception_stops_the_read(big):
    path, data = big
    calls = []

    def cb(chunk):
        calls.append(len(chunk))
        raise Stop("enough")

    with zipscan.open(path, memory_limit=64 << 10) as z:
        with pytest.raises(Stop, match="enough"):
            z.iter_read(0, cb)
        assert len(calls) == 1 and calls[0] < len(data)
        # the handle still works afterwards
        assert z.read(0) == data


def test_read_refuses_a_large_declared_size_before_allocating(tmp):
    """A stored entry declaring 3.75 GiB (the data is 17 bytes): read()
    refuses it on its max_size, without allocating the buffer."""
    p = str(make_zip(tmp / "huge.zip"))
    patch_both(p, "deflated.txt", 22, 24, "<I", 0xF0000000)
    with zipscan.open(p, max_ratio=0) as z:
        e = z["deflated.txt"]
        assert e.uncompressed_size == 0xF0000000
        t0 = time.monotonic()
        with pytest.raises(zipscan.LimitError) as ei:
            z.read(e)
        assert time.monotonic() - t0 < 1
        assert "max_size" in ei.value.message
        assert ei.value.entry == "deflated.txt"
        assert ei.value.offset == e.local_offset
        with pytest.raises(zipscan.LimitError):
            z.read("stored.txt", max_size=4)
        assert z.read("stored.txt", max_size=100) == FILES[0][1]


# ---- testing -------------------------------------------------------------

def summary_of(cli_json):
    s = cli_json["summary"]
    return {k: s[k] for k in ("entries", "ok", "bad", "unsupported",
                              "encrypted", "bytes_in", "bytes_out")}


def test_test_totals_equal_the_command(sample):
    r = run_bin("test", "--json", sample)
    assert r.returncode == 0, r.stderr
    cli = json.loads(r.stdout)
    with zipscan.open(sample) as z:
        res = z.test()
        assert res.status == 0 and res.ok and res.bad == []
        t = dict(res.totals)
        assert t.pop("threads") >= 1 and t.pop("seconds") >= 0
        assert t == summary_of(cli)
        assert all(e.status == "ok" for e in res.entries)
        assert len(res.entries) == len(z)
        # json() is test --json's object after test()
        mine = z.json()
        assert summary_of(mine) == summary_of(cli)
        assert mine.keys() == cli.keys()


def test_json_list_form_before_test(sample):
    r = run_bin("list", "--json", sample)
    cli = json.loads(r.stdout)
    with zipscan.open(sample) as z:
        mine = z.json()
        assert mine.keys() == cli.keys()
        assert "timing" not in mine and "ok" not in mine["summary"]
        assert mine["entries"] == cli["entries"]
        assert mine["summary"] == cli["summary"]


def test_bad_crc(badcrc):
    path, local = badcrc
    with zipscan.open(path) as z:
        res = z.test()
        assert res.status == zipscan.EXIT_ENTRY == 2
        assert [e.name for e in res.bad] == ["deflated.txt"]
        e = z["deflated.txt"]
        assert e.status == "bad" and "CRC" in e.error
        assert z["stored.txt"].status == "ok"
        assert res.totals["bad"] == 1
        with pytest.raises(zipscan.BadEntryError) as ei:
            z.read("deflated.txt")
        err = ei.value
        assert isinstance(err, zipscan.Error)
        assert err.status == 2 and err.entry == "deflated.txt"
        assert err.offset == local == e.local_offset
        assert err.archive == path and "CRC" in err.message
        assert str(err) == "%s: deflated.txt: %s (local header at offset %d)" \
            % (path, err.message, local)
        # the same line as the command's
        r = run_bin("test", "-q", path)
        assert r.returncode == 2
        assert str(err) in r.stdout + r.stderr
        # iter_read raises the same, after the chunks (discard them)
        with pytest.raises(zipscan.BadEntryError):
            z.iter_read("deflated.txt", lambda c: None)
        with pytest.raises(zipscan.BadEntryError):
            b"".join(z.iter_read("deflated.txt"))


def test_unsupported_method(tmp):
    p = str(make_zip(tmp / "method19.zip"))
    patch_both(p, "stored.txt", 8, 10, "<H", 19)   # IBM LZ77 z
    with zipscan.open(p) as z:
        assert z["stored.txt"].method == 19
        with pytest.raises(zipscan.UnsupportedError) as ei:
            z.read("stored.txt")
        assert ei.value.status == zipscan.EXIT_UNSUPPORTED
        res = z.test()
        assert res.status == 81 and z["stored.txt"].status == "unsupported"
        assert res.totals["unsupported"] == 1
    assert run_bin("test", "-q", p).returncode == 81


def test_select(sample):
    with zipscan.open(sample) as z:
        n = z.select(include=["*.txt"], exclude="stored*")
        assert n == 2
        res = z.test()
        assert res.totals["entries"] == 2
        tested = sorted(e.name for e in res.entries if e.status == "ok")
        assert tested == ["deflated.txt", "na\u00efve-\u65e5\u672c.txt"]
    with zipscan.open(sample) as z:
        assert z.select(include=["nothing-*"]) == 0
        assert z.status == zipscan.EXIT_NOMATCH


def test_limits(tmp):
    """max_total: nothing decoded, status 12, as --max-total."""
    p = str(make_zip(tmp / "limits.zip"))
    with zipscan.open(p, max_total=1000) as z:
        res = z.test()
        assert res.status == zipscan.EXIT_OVERLAP == 12
        with pytest.raises(zipscan.LimitError) as ei:
            z.read("deflated.txt")
        assert ei.value.status == 12
    r = run_bin("test", "-q", "--max-total", "1000", p)
    assert r.returncode == 12


# ---- not a ZIP -------------------------------------------------------------

def test_not_a_zip(tmp):
    p = tmp / "not.zip"
    p.write_bytes(b"This is not a ZIP archive, only some text.\n" * 3)
    with pytest.raises(zipscan.NotAZipError) as ei:
        zipscan.open(str(p))
    e = ei.value
    assert e.status == 9 and e.archive == str(p) and e.entry is None
    assert e.offset is not None and e.message
    r = run_bin("test", str(p))
    assert r.returncode == 9
    assert e.message in r.stderr
    assert "(offset %d)" % e.offset in r.stderr
    assert str(e) == "%s: %s (offset %d)" % (p, e.message, e.offset)


def test_missing_file(tmp):
    with pytest.raises(zipscan.NotAZipError) as ei:
        zipscan.open(str(tmp / "no-such.zip"))
    assert ei.value.status == 9 and "cannot open" in ei.value.message


def test_truncated(sample, tmp):
    data = open(sample, "rb").read()
    for cut in (len(data) - 10, len(data) // 2, 20):
        p = tmp / ("truncated-%d.zip" % cut)
        p.write_bytes(data[:cut])
        status = run_bin("test", "-q", str(p)).returncode
        assert status != 0
        try:
            with zipscan.open(str(p)) as z:
                assert z.test().status == status
        except zipscan.NotAZipError as e:
            assert e.status == status == 9


# ---- in memory, reports, life -----------------------------------------------

def test_open_bytes(sample):
    data = open(sample, "rb").read()
    with zipscan.open_bytes(bytearray(data), label="mem.zip") as z:
        assert z.path == "mem.zip" and len(z) == len(FILES) + 2
        assert z.read("deflated.txt") == TEXT
        assert z.test().status == 0
    with pytest.raises(zipscan.NotAZipError) as ei:
        zipscan.open_bytes(b"nope")
    assert ei.value.archive == "<bytes>" and ei.value.status == 9
    # the bytes stay alive with the handle, whatever the caller drops
    z = zipscan.open_bytes(bytes(data))
    del data
    import gc
    gc.collect()
    assert z.read("stored.txt") == FILES[0][1]
    z.close()


def test_stats_keys_equal_the_command(sample):
    r = run_bin("stats", "--json", sample)
    assert r.returncode == 0, r.stderr
    cli = json.loads(r.stdout)
    with zipscan.open(sample) as z:
        st = z.stats()
        assert st.keys() == cli.keys()
        assert st["stats"].keys() == cli["stats"].keys()
        assert st["stats"]["entries"] == cli["stats"]["entries"]
        assert summary_of(st) == summary_of(cli)
        top1 = z.stats(top=1, hash=True)
        assert len(top1["stats"]["largest"]) == 1


def test_close_is_idempotent(sample):
    z = zipscan.open(sample)
    assert not z.closed
    z.close()
    z.close()
    assert z.closed
    with pytest.raises(ValueError):
        len(z)
    with pytest.raises(ValueError):
        z.read(0)
    assert "closed" in repr(z)


def test_close_inside_a_callback_waits_for_the_read(big):
    path, data = big
    z = zipscan.open(path, memory_limit=64 << 10)
    got = []

    def cb(chunk):
        z.close()          # takes effect when the read returns
        got.append(chunk)

    z.iter_read(0, cb)
    assert b"".join(got) == data and z.closed


def test_python_m_zipscan(sample, badcrc):
    env = dict(os.environ)
    r = subprocess.run([PYTHON, "-m", "zipscan", sample, badcrc[0]],
                       cwd=PYDIR, env=env, capture_output=True, text=True)
    assert r.returncode == 2, r.stderr
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["status"] for x in lines] == [0, 2]
    assert lines[1]["bad"][0]["name"] == "deflated.txt"


# ---- packaging -------------------------------------------------------------

def load_backend():
    spec = importlib.util.spec_from_file_location(
        "_zipscan_build", os.path.join(PYDIR, "_zipscan_build.py"))
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


@pytest.fixture(scope="module")
def wheel(tmp):
    b = load_backend()
    assert b.get_requires_for_build_wheel() == []
    d = tmp / "dist"
    d.mkdir()
    name = b.build_wheel(str(d))
    return d / name


def test_wheel_is_valid(wheel):
    ver = header_version()
    assert wheel.name == "zipscan-%s-py3-none-any.whl" % ver
    di = "zipscan-%s.dist-info" % ver
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        assert "zipscan/__init__.py" in names and "zipscan/_lib.py" in names
        assert "zipscan/_installed.py" not in names
        assert 'VERSION = "%s"' % ver in z.read("zipscan/_version.py").decode()
        meta = z.read(di + "/METADATA").decode()
        assert "Name: zipscan\n" in meta and "Version: %s\n" % ver in meta
        assert "Root-Is-Purelib: true" in z.read(di + "/WHEEL").decode()
        rows = [r.split(",") for r in
                z.read(di + "/RECORD").decode().splitlines()]
        listed = {r[0] for r in rows}
        assert listed == set(names)
        for path, digest, size in rows:
            if path == di + "/RECORD":
                assert digest == "" and size == ""
                continue
            data = z.read(path)
            want = base64.urlsafe_b64encode(
                hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == "sha256=" + want, path
            assert int(size) == len(data)


def test_sdist(tmp):
    import tarfile
    b = load_backend()
    d = tmp / "sdist"
    d.mkdir()
    name = b.build_sdist(str(d))
    ver = header_version()
    with tarfile.open(d / name) as t:
        names = t.getnames()
    base = "zipscan-%s/" % ver
    for f in ("pyproject.toml", "_zipscan_build.py", "PKG-INFO",
              "zipscan/__init__.py", "zipscan/_version.py",
              "tests/test_zipscan.py"):
        assert base + f in names
    # away from the source tree, the wheel takes its version from the
    # sdist's _version.py
    out = tmp / "from-sdist"
    out.mkdir()
    with tarfile.open(d / name) as t:
        t.extractall(out)
    src = out / base.rstrip("/")
    r = subprocess.run([PYTHON, "-c", "import _zipscan_build as b; "
                        "print(b.version()); print(b.build_wheel('.'))"],
                       cwd=str(src), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [ver, "zipscan-%s-py3-none-any.whl" % ver]


def test_wheel_installs_into_a_venv(wheel, tmp):
    venv = tmp / "venv"
    r = subprocess.run(["/usr/bin/python3", "-m", "venv", str(venv)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip("python3 -m venv does not work here (install the "
                    "Debian package python3-venv): " + r.stderr.strip()[-200:])
    pip = venv / "bin" / "pip"
    r = subprocess.run([str(pip), "install", "--no-index", str(wheel)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    r = subprocess.run([str(venv / "bin" / "python"), "-c",
                        "import zipscan, sys; print(zipscan.__file__); "
                        "print(zipscan.__version__)"], cwd=str(tmp),
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    where, ver = r.stdout.split()
    assert where.startswith(str(venv)) and ver == header_version()
    # pip install ./python: pip runs the in-tree backend (requires = [],
    # so nothing is downloaded)
    r = subprocess.run([str(pip), "install", "--no-index",
                        "--force-reinstall", PYDIR],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    r = subprocess.run([str(venv / "bin" / "python"), "-m", "zipscan",
                        "--version"], cwd=str(tmp), capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    assert header_version() in r.stdout


def test_findings_and_the_last_of_a_name(tmp):
    p = tmp / "dup.zip"
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # zipfile: "Duplicate name"
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("a.txt", b"first")
            z.writestr("a.txt", b"second")
    r = run_bin("test", str(p))
    with zipscan.open(str(p)) as z:
        fs = z.findings
        assert len(fs) == 1 and z.findings_dropped == 0
        f = fs[0]
        assert f.code == "duplicate-name" and f.severity == "warning"
        assert f.exit_status == 1 and f.entry == 1
        line = "%s: warning: %s (offset %d)" % (p, f.text, f.offset)
        assert line in r.stdout + r.stderr
        assert z.status == 1 == r.returncode
        assert z.read("a.txt") == b"second"     # the last one, as unzip
        assert z.read(0) == b"first"
        assert z.test().status == 1


def test_reads_from_several_threads(sample):
    import threading
    want = {n: d for n, d, _ in FILES}
    errors = []
    with zipscan.open(sample) as z:
        def work():
            try:
                for _ in range(20):
                    for name, data in want.items():
                        assert z.read(name) == data
            except BaseException as e:   # reported by the main thread
                errors.append(e)
        ts = [threading.Thread(target=work) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    assert errors == []


def test_scan_while_reading(sample):
    """test() in one thread while others read: the module orders them as
    the library asks (no scan during a read of the same handle)."""
    import threading
    want = {n: d for n, d, _ in FILES}
    errors = []
    with zipscan.open(sample) as z:
        def reader():
            try:
                for _ in range(10):
                    for name, data in want.items():
                        assert z.read(name) == data
            except BaseException as e:
                errors.append(e)

        def tester():
            try:
                for _ in range(5):
                    assert z.test().status == 0
            except BaseException as e:
                errors.append(e)
        ts = [threading.Thread(target=reader) for _ in range(2)]
        ts.append(threading.Thread(target=tester))
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        assert errors == []
        # a test from inside a read's callback would wait for itself
        with pytest.raises(RuntimeError, match="inside a read"):
            z.iter_read(0, lambda chunk: z.test())
        # reading another entry from inside a callback is allowed
        inner = []
        z.iter_read(0, lambda chunk: inner.append(z.read(1)))
        assert inner == [TEXT]


def test_cp437_name(tmp):
    """A name that is not UTF-8, without bit 11: CP437, as unzip reads it
    (and zipfile too); raw_name keeps the bytes."""
    p = tmp / "cp437.zip"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr(zipfile.ZipInfo("\x01\x02\x03.txt", DATE), b"cp437")
    data = bytearray(p.read_bytes())
    old = b"\x01\x02\x03.txt"
    assert data.count(old) == 2        # the local and the central name
    data = data.replace(old, b"\x81\x94\xe1.txt")
    p.write_bytes(bytes(data))
    with zipfile.ZipFile(p) as zf, zipscan.open(str(p)) as z:
        e = z[0]
        assert e.raw_name == b"\x81\x94\xe1.txt"
        assert e.name == "\u00fc\u00f6\u00df.txt" == zf.namelist()[0]
        assert not e.flags & 0x800
        assert z.read(e.name) == b"cp437"
