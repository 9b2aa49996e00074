# SPDX-License-Identifier: MIT
"""ctypes declarations of libzipscan's public API (include/zipscan.h).

Only what the Python module calls is declared.  The structures mirror the
header field for field, in the same order and with the same C types; the
tests compare their offsets with a C compiler's when one is at hand.
"""
import ctypes
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_double, sizeof,
                    c_int, c_int64, c_size_t, c_uint, c_uint16, c_uint32,
                    c_uint64, c_void_p)

# The library's major version this module is written for: the soname is
# libzipscan.so.MAJOR, and a library of another major is refused.
MAJOR = 0
SONAME = "libzipscan.so.%d" % MAJOR


class zs_finding(Structure):
    _fields_ = [
        ("code", c_char_p),
        ("severity", c_int),
        ("exit_status", c_int),
        ("entry", c_int64),
        ("offset", c_uint64),
        ("text", c_char_p),
    ]


class zs_options(Structure):
    _fields_ = [
        ("threads", c_int),
        ("memory_limit", c_uint64),
        ("stop_on_overlap", c_int),
        ("strict", c_int),
        ("max_total", c_uint64),
        ("max_ratio", c_uint64),
        ("hash", c_int),
        ("stop", POINTER(c_int)),     # volatile int *: left NULL
        ("progress", c_void_p),       # zs_progress *: left NULL
        ("ignore", c_void_p),         # const char *const *: left NULL
        ("n_ignore", c_size_t),
        ("max_ratio_unbounded", c_uint64),
        ("max_input", c_uint64),
    ]


class zs_totals(Structure):
    _fields_ = [
        ("entries", c_uint64),
        ("ok", c_uint64),
        ("bad", c_uint64),
        ("unsupported", c_uint64),
        ("encrypted", c_uint64),
        ("bytes_in", c_uint64),
        ("bytes_out", c_uint64),
        ("seconds_scan", c_double),
        ("threads", c_int),
    ]


class zs_entry(Structure):
    _fields_ = [
        ("index", c_size_t),
        ("name", c_void_p),           # raw bytes, not NUL-terminated
        ("name_len", c_size_t),
        ("compressed_size", c_uint64),
        ("uncompressed_size", c_uint64),
        ("crc32", c_uint32),
        ("method", c_uint),
        ("flags", c_uint),
        ("version_made_by", c_uint),
        ("external_attr", c_uint32),
        ("mode", c_uint32),
        ("dos_date", c_uint16),
        ("dos_time", c_uint16),
        ("mtime", c_int64),
        ("local_offset", c_uint64),
        ("data_offset", c_uint64),
        ("central_offset", c_uint64),
        ("is_dir", c_int),
        ("is_symlink", c_int),
        ("is_encrypted", c_int),
        ("is_zip64", c_int),
        ("status", c_int),
        ("error", c_int),
    ]


class zs_catalog_entry(Structure):
    _fields_ = [
        ("index", c_int64),
        ("name", c_char_p),
        ("compressed_size", c_uint64),
        ("uncompressed_size", c_uint64),
        ("crc32", c_uint32),
        ("method", c_uint),
        ("mtime", c_int64),
        ("status", ctypes.c_char * 12),
    ]


# typedef int (*zs_write_fn)(void *ctx, const void *data, size_t len);
WRITE_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t)

_ARCHIVE = c_void_p
_CATALOG = c_void_p
_PROTOTYPES = {
    "zs_version": (c_char_p, []),
    "zs_library_versions": (c_char_p, []),
    "zs_free": (None, [c_void_p]),
    "zs_exit_worse": (c_int, [c_int, c_int]),
    "zs_options_init": (None, [POINTER(zs_options)]),
    "zs_struct_size": (c_size_t, [c_char_p]),
    "zs_open": (_ARCHIVE, [c_char_p, POINTER(zs_options), POINTER(c_int)]),
    "zs_open_memory": (_ARCHIVE, [c_char_p, c_void_p, c_size_t,
                                  POINTER(zs_options), POINTER(c_int)]),
    "zs_close": (None, [_ARCHIVE]),
    "zs_archive_path": (c_char_p, [_ARCHIVE]),
    "zs_archive_indexed": (c_int, [_ARCHIVE]),
    "zs_entry_count": (c_size_t, [_ARCHIVE]),
    "zs_archive_status": (c_int, [_ARCHIVE]),
    "zs_finding_count": (c_size_t, [_ARCHIVE]),
    "zs_finding_get": (POINTER(zs_finding), [_ARCHIVE, c_size_t]),
    "zs_findings_dropped": (c_size_t, [_ARCHIVE]),
    "zs_select": (c_size_t, [_ARCHIVE, POINTER(c_char_p), c_size_t,
                             POINTER(c_char_p), c_size_t]),
    "zs_scan_entries": (c_int, [_ARCHIVE, POINTER(zs_options),
                                POINTER(zs_totals)]),
    "zs_entry_get": (c_int, [_ARCHIVE, c_size_t, POINTER(zs_entry)]),
    "zs_method_name": (c_char_p, [c_uint]),
    "zs_entry_name_utf8": (c_size_t, [_ARCHIVE, c_size_t, c_void_p]),
    "zs_entry_error": (None, [_ARCHIVE, c_size_t, c_void_p, c_size_t]),
    "zs_entry_read": (c_int, [_ARCHIVE, c_size_t, c_void_p, c_size_t,
                              POINTER(c_size_t), POINTER(zs_options)]),
    "zs_entry_read_cb": (c_int, [_ARCHIVE, c_size_t, WRITE_FN, c_void_p,
                                 POINTER(zs_options)]),
    # malloc'ed strings: c_void_p, so that they can be given to zs_free
    "zs_report_json_string": (c_void_p, [_ARCHIVE, POINTER(zs_totals)]),
    "zs_stats_json_string": (c_void_p, [_ARCHIVE, POINTER(zs_totals),
                                        c_size_t]),
    # the catalog (--db): zipscan/catalog.py
    "zs_catalog_open": (c_int, [c_char_p, c_char_p, c_char_p, c_int,
                                POINTER(_CATALOG)]),
    "zs_catalog_error": (c_char_p, [_CATALOG]),
    "zs_catalog_current": (c_int, [_CATALOG, c_char_p, c_int, c_int,
                                   POINTER(c_int)]),
    "zs_catalog_record": (c_int, [_CATALOG, _ARCHIVE, c_char_p]),
    "zs_catalog_skipped": (None, [_CATALOG]),
    "zs_catalog_close": (c_int, [_CATALOG, c_int]),
    "zs_catalog_entries": (c_int, [_CATALOG, c_char_p,
                                   POINTER(POINTER(zs_catalog_entry)),
                                   POINTER(c_size_t)]),
    "zs_catalog_entries_free": (None, [POINTER(zs_catalog_entry), c_size_t]),
}

_HINT = ("set ZIPSCAN_LIBRARY to the path of %s (in a source tree: "
         "build/%s after `make`), or install it with `make install`"
         % (SONAME, SONAME))


def _candidates():
    """Where to look, in order: (description, path-or-name)."""
    env = os.environ.get("ZIPSCAN_LIBRARY")
    if env:
        # an explicit choice is the only one: no silent fallback
        return [("ZIPSCAN_LIBRARY", env)]
    found = []
    try:
        from ._installed import LIBRARY  # written by `make install`
        found.append(("zipscan/_installed.py", LIBRARY))
    except ImportError:
        pass
    found.append(("the dynamic linker's search path", SONAME))
    return found


def load():
    """Load the library, declare its functions and check its version.

    Raises ImportError, saying what was tried and what to set, if it
    cannot be loaded or is of another major version.
    """
    tried = []
    lib = None
    for where, name in _candidates():
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError as e:
            tried.append("%s (%s): %s" % (name, where, e))
    if lib is None:
        raise ImportError("zipscan: cannot load libzipscan: %s; %s"
                          % ("; ".join(tried), _HINT))
    for fname, (restype, argtypes) in _PROTOTYPES.items():
        try:
            fn = getattr(lib, fname)
        except AttributeError:
            raise ImportError("zipscan: %s has no %s(): not libzipscan, or "
                              "too old a one; %s"
                              % (lib._name, fname, _HINT)) from None
        fn.restype = restype
        fn.argtypes = argtypes
    # the structs this module lays out must be the library's size, or a
    # call would write past them: refuse at import, never crash later
    for name, st in (("zs_options", zs_options), ("zs_totals", zs_totals),
                     ("zs_entry", zs_entry), ("zs_finding", zs_finding),
                     ("zs_catalog_entry", zs_catalog_entry)):
        size = lib.zs_struct_size(name.encode())
        if size != sizeof(st):
            raise ImportError("zipscan: %s's %s is %d bytes, this module's "
                              "%d: module and library do not match; %s"
                              % (lib._name, name, size, sizeof(st), _HINT))
    version = lib.zs_version().decode("ascii", "replace")
    major = version.split(".", 1)[0]
    if major != str(MAJOR):
        raise ImportError("zipscan: %s is version %s, but this module needs "
                          "major version %d (%s); %s"
                          % (lib._name, version, MAJOR, SONAME, _HINT))
    return lib


lib = load()
