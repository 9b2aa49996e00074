# SPDX-License-Identifier: MIT
"""The catalog (`zipscan ... --db`) from Python: a ctypes binding of the
zs_catalog_* API (include/zipscan.h; README: "The catalog").

    from zipscan.catalog import Catalog

    with Catalog("postgresql:///zipscan?host=/run/pg") as cat:
        r = cat.scan("x.zip")       # tested and recorded, or skipped
        print(r.path, r.status, r.skipped)

scan() does what one archive of `zipscan test --db URL` does: skip the
archive if the catalog holds it as it is now (path, size, mtime and
central-directory checksum; refresh=True rescans), else open it, decode
and check every entry, and record its archive, entry and finding rows in
one transaction.  An archive that cannot be opened as a ZIP is not
recorded (as with the command) but its status and reason are returned.
"""
from __future__ import annotations

import ctypes
import dataclasses
import os
import threading
from typing import List, Optional

from ._lib import lib as _L, zs_catalog_entry, zs_options, zs_totals

EXIT_NOMEM = 4
EXIT_WRITE = 50


class CatalogError(Exception):
    """A database error (the library's exit status 50), or out of memory;
    .status is the exit status."""

    def __init__(self, message: str, status: int = EXIT_WRITE):
        super().__init__(message)
        self.status = status


@dataclasses.dataclass
class ScanResult:
    """One archive's outcome: its exit status, whether it was skipped as
    unchanged (status then the recorded one), its size in bytes, its entry
    count (0 when skipped or not a ZIP) and, when it could not be opened,
    why."""
    path: str
    status: int
    skipped: bool
    size: int
    entries: int = 0
    message: str = ""


@dataclasses.dataclass
class RecordedEntry:
    """One entry as the catalog holds it (zs_catalog_entries)."""
    index: int
    name: str
    compressed_size: int
    uncompressed_size: int
    crc32: int
    method: int
    mtime: int
    status: str


def _file_size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _open_reason(a) -> str:
    """Why an archive has no index: its first finding's text."""
    if _L.zs_finding_count(a) == 0:
        return ""
    f = _L.zs_finding_get(a, 0).contents
    return (f.text or b"").decode("utf-8", "backslashreplace")


class Catalog:
    """An open catalog (SQLite file path or PostgreSQL URL) and its run
    row (command "test", options as given, threads).  Calls are
    serialized by a lock: one handle may be shared by threads."""

    def __init__(self, db: str, options: str = "", threads: int = 0,
                 command: str = "test"):
        if command not in ("list", "test"):
            raise ValueError("command must be 'list' or 'test'")
        self.db = db
        self.command = command
        self.threads = int(threads)
        self._lock = threading.Lock()
        self._worst = 0
        h = ctypes.c_void_p()
        rc = _L.zs_catalog_open(db.encode(), command.encode(),
                                options.encode(), self.threads,
                                ctypes.byref(h))
        self._h = h.value
        if rc != 0:
            message = self.error or "out of memory"
            if self._h:
                _L.zs_catalog_close(self._h, rc)
            self._h = None
            raise CatalogError("%s: %s" % (db, message), rc)

    @property
    def error(self) -> str:
        """The handle's first database error ("" if none)."""
        if not self._h:
            return ""
        return (_L.zs_catalog_error(self._h) or b"").decode(
            "utf-8", "backslashreplace")

    def _check(self, rc: int) -> None:
        if rc != 0:
            raise CatalogError("%s: %s" % (self.db, self.error or
                                           "out of memory"), rc)

    def _handle(self):
        if not self._h:
            raise ValueError("catalog is closed")
        return self._h

    def current(self, path: str, hashed: bool = False) -> Optional[int]:
        """The recorded exit status if path is recorded as it is now (and
        was scanned as this catalog's command scans), else None."""
        status = ctypes.c_int(0)
        with self._lock:
            r = _L.zs_catalog_current(self._handle(), os.fsencode(path),
                                      int(self.command == "test"),
                                      int(hashed), ctypes.byref(status))
            if r < 0:
                self._check(EXIT_WRITE)
        return status.value if r > 0 else None

    def _options(self) -> zs_options:
        o = zs_options()
        _L.zs_options_init(ctypes.byref(o))
        o.threads = self.threads
        return o

    def _scan_open(self, path: str, size: int) -> ScanResult:
        """Open, decode (test), record: the archive is not current."""
        o = self._options()
        status = ctypes.c_int(0)
        a = _L.zs_open(os.fsencode(path), ctypes.byref(o),
                       ctypes.byref(status))
        if not a:
            raise CatalogError("%s: out of memory" % path, EXIT_NOMEM)
        if not _L.zs_archive_indexed(a):
            res = ScanResult(path, status.value, False, size, 0,
                             _open_reason(a))
            _L.zs_close(a)
            return res
        st = status.value
        if self.command == "test":
            t = zs_totals()
            st = _L.zs_scan_entries(a, ctypes.byref(o), ctypes.byref(t))
        n = _L.zs_entry_count(a)
        # the catalog closes a from here on, even on failure
        self._check(_L.zs_catalog_record(self._h, a, self.command.encode()))
        return ScanResult(path, st, False, size, n)

    def scan(self, path: str, refresh: bool = False) -> ScanResult:
        """Skip path if it is current (unless refresh), else scan and
        record it.  Raises CatalogError on a database error."""
        size = _file_size(path)
        if not refresh:
            recorded = self.current(path)
            if recorded is not None:
                with self._lock:
                    _L.zs_catalog_skipped(self._handle())
                self._worst = _L.zs_exit_worse(self._worst, recorded)
                return ScanResult(path, recorded, True, size)
        with self._lock:
            self._handle()
            res = self._scan_open(path, size)
        self._worst = _L.zs_exit_worse(self._worst, res.status)
        return res

    def entries(self, path: str) -> Optional[List[RecordedEntry]]:
        """The recorded entries of path in index order, None if the
        catalog has no such archive."""
        out = ctypes.POINTER(zs_catalog_entry)()
        n = ctypes.c_size_t(0)
        with self._lock:
            rc = _L.zs_catalog_entries(self._handle(), os.fsencode(path),
                                       ctypes.byref(out), ctypes.byref(n))
            if rc == 9:
                return None
            self._check(rc)
        try:
            return [RecordedEntry(
                e.index, (e.name or b"").decode("utf-8", "replace"),
                e.compressed_size, e.uncompressed_size, e.crc32, e.method,
                e.mtime, e.status.decode("ascii", "replace"))
                for e in (out[k] for k in range(n.value))]
        finally:
            _L.zs_catalog_entries_free(out, n)

    def close(self, status: Optional[int] = None) -> None:
        """End the run row with status (default: the worst of this
        handle's scans) and close.  Raises CatalogError if any write of
        the handle's life failed."""
        with self._lock:
            h, self._h = self._h, None
            if not h:
                return
            message = (_L.zs_catalog_error(h) or b"").decode(
                "utf-8", "backslashreplace")
            rc = _L.zs_catalog_close(h, self._worst if status is None
                                     else status)
        if rc != 0:
            # an error that came up in the close itself (the writer
            # recording what was left) outlives the handle here
            message = message or (_L.zs_catalog_error(None) or b"").decode(
                "utf-8", "backslashreplace")
            raise CatalogError("%s: %s" % (self.db, message or
                                           "ending the run failed"), rc)

    def __enter__(self) -> "Catalog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        if getattr(self, "_h", None):
            _L.zs_catalog_close(self._h, self._worst)
            self._h = None
