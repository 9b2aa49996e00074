# SPDX-License-Identifier: MIT
"""A PEP 517 build backend for the zipscan module, standard library only.

pyproject.toml names it with backend-path = ["."] and requires = [], so
that pip builds the wheel without downloading anything.  The package is
pure Python: the wheel is zipscan/*.py (with a generated _version.py)
and its .dist-info (METADATA, WHEEL, RECORD with sha256 hashes, LICENSE).
The sdist holds the same files with pyproject.toml and this backend.
"""
import base64
import hashlib
import io
import os
import re
import tarfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
NAME = "zipscan"
PACKAGE = os.path.join(HERE, NAME)
HEADER = os.path.join(HERE, os.pardir, "include", "zipscan.h")
# written by `make install` beside the installed module, never shipped
NOT_SHIPPED = {"_installed.py", "_version.py"}
SUMMARY = "Test, list and read ZIP archives with libzipscan (ctypes)"
TAG = "py3-none-any"


def version():
    """ZS_VERSION from ../include/zipscan.h, else zipscan/_version.py."""
    try:
        with open(HEADER, encoding="utf-8") as f:
            m = re.search(r'^#define ZS_VERSION "([^"]+)"', f.read(), re.M)
        if m:
            return m.group(1)
    except OSError:
        pass
    try:
        with open(os.path.join(PACKAGE, "_version.py"),
                  encoding="utf-8") as f:
            m = re.search(r'^VERSION = "([^"]+)"', f.read(), re.M)
        if m:
            return m.group(1)
    except OSError:
        pass
    raise RuntimeError("zipscan: no version: neither %s nor zipscan/"
                       "_version.py says it" % HEADER)


def _license():
    for p in (os.path.join(HERE, "LICENSE"),
              os.path.join(HERE, os.pardir, "LICENSE")):
        if os.path.isfile(p):
            with open(p, "rb") as f:
                return f.read()
    return None


def _metadata(ver):
    lines = [
        "Metadata-Version: 2.1",
        "Name: " + NAME,
        "Version: " + ver,
        "Summary: " + SUMMARY,
        "License: MIT",
        "Requires-Python: >=3.8",
        "Classifier: License :: OSI Approved :: MIT License",
        "Classifier: Operating System :: POSIX :: Linux",
        "Classifier: Programming Language :: Python :: 3",
        "",
        "A ctypes module over libzipscan.so.0 (zipscan's library), which "
        "must be installed",
        "separately; ZIPSCAN_LIBRARY may name it.",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def _wheel_file():
    return ("Wheel-Version: 1.0\n"
            "Generator: zipscan _zipscan_build\n"
            "Root-Is-Purelib: true\n"
            "Tag: %s\n" % TAG).encode("utf-8")


def _sources():
    """(archive name, bytes) of the package's modules, sorted."""
    out = []
    for fn in sorted(os.listdir(PACKAGE)):
        if fn.endswith(".py") and fn not in NOT_SHIPPED:
            with open(os.path.join(PACKAGE, fn), "rb") as f:
                out.append((NAME + "/" + fn, f.read()))
    return out


def _version_py(ver):
    return ('# Written by the build backend: the version this package was '
            'built as.\nVERSION = "%s"\n' % ver).encode("utf-8")


def _epoch():
    # reproducible: SOURCE_DATE_EPOCH if set, else the ZIP epoch
    try:
        t = int(os.environ["SOURCE_DATE_EPOCH"])
    except (KeyError, ValueError):
        t = 315532800
    return max(t, 315532800)


def _hash(data):
    d = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(d).rstrip(b"=").decode()


def _dist_info_files(ver):
    files = [("METADATA", _metadata(ver)), ("WHEEL", _wheel_file())]
    lic = _license()
    if lic is not None:
        files.append(("LICENSE", lic))
    return files


def _write_wheel(wheel_directory, files, dist_info):
    """files: (name, bytes) in the wheel; RECORD is added last."""
    ver = version()
    fname = "%s-%s-%s.whl" % (NAME, ver, TAG)
    path = os.path.join(wheel_directory, fname)
    stamp = time.gmtime(_epoch())[:6]
    record = []
    tmp = path + ".tmp"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            zi = zipfile.ZipInfo(name, stamp)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data)
            record.append("%s,%s,%d" % (name, _hash(data), len(data)))
        record.append(dist_info + "/RECORD,,")
        zi = zipfile.ZipInfo(dist_info + "/RECORD", stamp)
        zi.compress_type = zipfile.ZIP_DEFLATED
        zi.external_attr = 0o644 << 16
        z.writestr(zi, ("\n".join(record) + "\n").encode("utf-8"))
    os.replace(tmp, path)
    return fname


# ---- PEP 517 hooks ----------------------------------------------------------

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory,
                                     config_settings=None):
    dist_info = "%s-%s.dist-info" % (NAME, version())
    d = os.path.join(metadata_directory, dist_info)
    os.makedirs(d, exist_ok=True)
    for name, data in _dist_info_files(version()):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    return dist_info


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory, config_settings=None,
                metadata_directory=None):
    ver = version()
    dist_info = "%s-%s.dist-info" % (NAME, ver)
    files = _sources() + [(NAME + "/_version.py", _version_py(ver))]
    files += [(dist_info + "/" + n, d) for n, d in _dist_info_files(ver)]
    return _write_wheel(wheel_directory, files, dist_info)


def build_editable(wheel_directory, config_settings=None,
                   metadata_directory=None):
    """A wheel with a .pth file that puts this directory on sys.path."""
    ver = version()
    dist_info = "%s-%s.dist-info" % (NAME, ver)
    files = [("_zipscan_editable.pth", (HERE + "\n").encode("utf-8"))]
    files += [(dist_info + "/" + n, d) for n, d in _dist_info_files(ver)]
    return _write_wheel(wheel_directory, files, dist_info)


def build_sdist(sdist_directory, config_settings=None):
    ver = version()
    base = "%s-%s" % (NAME, ver)
    fname = base + ".tar.gz"
    members = [("pyproject.toml", None), ("_zipscan_build.py", None)]
    for name, data in _sources():
        members.append((name, data))
    members.append((NAME + "/_version.py", _version_py(ver)))
    tests = os.path.join(HERE, "tests")
    if os.path.isdir(tests):
        for fn in sorted(os.listdir(tests)):
            if fn.endswith(".py"):
                members.append(("tests/" + fn, None))
    lic = _license()
    if lic is not None:
        members.append(("LICENSE", lic))
    members.append(("PKG-INFO", _metadata(ver)))
    path = os.path.join(sdist_directory, fname)
    tmp = path + ".tmp"
    with tarfile.open(tmp, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members:
            if data is None:
                with open(os.path.join(HERE, name), "rb") as f:
                    data = f.read()
            ti = tarfile.TarInfo(base + "/" + name)
            ti.size = len(data)
            ti.mtime = _epoch()
            ti.mode = 0o644
            tar.addfile(ti, io.BytesIO(data))
    os.replace(tmp, path)
    return fname
