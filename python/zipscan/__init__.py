# SPDX-License-Identifier: MIT
"""zipscan: test, list and read ZIP archives with libzipscan.

    import zipscan

    with zipscan.open("x.zip") as z:
        for e in z:
            print(e.name, e.uncompressed_size, e.method_name)
        result = z.test()              # every entry decoded and checked
        data = z.read("docs/a.txt")    # one entry, CRC-32 checked

A thin ctypes layer over libzipscan.so.0 (found through ZIPSCAN_LIBRARY,
then where `make install` put it, then the dynamic linker's search path).
Nothing read from the archive is trusted: read() refuses entries whose
declared size is over max_size before allocating anything, and the
library's limits (overlapping entries, --max-total, --max-ratio, the
memory limit) apply to every read as to every test.
"""
from __future__ import annotations

import ctypes
import contextlib
import dataclasses
import datetime as _dt
import json as _json
import os
import queue
import threading
from typing import Callable, Iterable, Iterator, List, Optional, Union

from . import _lib
from ._lib import lib as _L

__all__ = [
    "open", "open_bytes", "Archive", "Entry", "Finding", "TestResult",
    "Error", "NotAZipError", "BadEntryError", "LimitError",
    "UnsupportedError", "library_versions", "method_name", "exit_worse",
    "__version__",
    "EXIT_OK", "EXIT_WARN", "EXIT_ENTRY", "EXIT_STRUCT", "EXIT_NOMEM",
    "EXIT_NOTZIP", "EXIT_USAGE", "EXIT_NOMATCH", "EXIT_OVERLAP",
    "EXIT_WRITE", "EXIT_CHANGED", "EXIT_INTERRUPT", "EXIT_UNSUPPORTED",
    "EXIT_ENCRYPTED",
]

__version__ = _L.zs_version().decode("ascii", "replace")

# enum zs_exit: unzip-compatible exit statuses
EXIT_OK = 0
EXIT_WARN = 1
EXIT_ENTRY = 2
EXIT_STRUCT = 3
EXIT_NOMEM = 4
EXIT_NOTZIP = 9
EXIT_USAGE = 10
EXIT_NOMATCH = 11
EXIT_OVERLAP = 12
EXIT_WRITE = 50
EXIT_CHANGED = 51
EXIT_INTERRUPT = 80
EXIT_UNSUPPORTED = 81
EXIT_ENCRYPTED = 82

# enum zs_entry_status
_STATUS_NAMES = ("untested", "ok", "bad", "unsupported", "encrypted")

DEFAULT_MAX_READ = 1 << 30   # read()'s max_size: 1 GiB


def _text(b: Optional[bytes]) -> str:
    """A C string from the library (names in it are raw bytes)."""
    if b is None:
        return ""
    return b.decode("utf-8", "backslashreplace")


def library_versions() -> dict:
    """The libraries libzipscan runs on: {"zstd": "1.5.4", ...}.

    Those marked "(built with)" by the library are the versions it was
    compiled against (they have no run-time version call). libpq is
    there only once a PostgreSQL catalog has loaded it (the library
    names it without a version until then)."""
    out = {}
    for line in _text(_L.zs_library_versions()).splitlines():
        name, _, rest = line.partition(" ")
        if name and rest[:1].isdigit():
            out[name] = rest.split(" ", 1)[0]
    return out


def exit_worse(a: int, b: int) -> int:
    """The worse of two exit statuses (the one a batch reports)."""
    return _L.zs_exit_worse(int(a), int(b))


def method_name(method: int) -> str:
    """"deflate" for 8, and so on (zs_method_name)."""
    return _text(_L.zs_method_name(method))


# ---- errors ---------------------------------------------------------------

class Error(Exception):
    """A zipscan failure: str() reads like the command's messages,
    ``ARCHIVE: ENTRY: what is wrong (local header at offset N)``.

    archive: the archive's path or label; entry: the entry's name or None;
    offset: where in the file (the entry's local header for an entry), or
    None; status: the exit status it means (as `zipscan`'s); message: what
    is wrong."""

    def __init__(self, message: str, *, archive: Optional[str] = None,
                 entry: Optional[str] = None, offset: Optional[int] = None,
                 status: int = EXIT_USAGE):
        self.message = message
        self.archive = archive
        self.entry = entry
        self.offset = offset
        self.status = status
        super().__init__(message)

    def __str__(self) -> str:
        parts = []
        if self.archive is not None:
            parts.append(self.archive)
        if self.entry is not None:
            parts.append(self.entry)
        parts.append(self.message)
        s = ": ".join(parts)
        if self.offset is not None:
            if self.entry is not None:
                s += " (local header at offset %d)" % self.offset
            else:
                s += " (offset %d)" % self.offset
        return s


class NotAZipError(Error):
    """The file cannot be opened or is not a ZIP archive (status 9)."""


class BadEntryError(Error):
    """An entry's data or headers are bad: CRC-32, sizes, Deflate data
    (status 2)."""


class LimitError(Error):
    """Refused by a limit before decoding: overlapping entries (a possible
    zip bomb), max_total, max_ratio, or read()'s max_size (status 12)."""


class UnsupportedError(Error):
    """An unsupported method (status 81) or an encrypted entry (82)."""


# ---- records ----------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Entry:
    """One entry as the central directory describes it, and (after test()
    or a read) what became of it."""
    index: int
    name: str
    raw_name: bytes
    compressed_size: int
    uncompressed_size: int
    crc32: int
    method: int
    method_name: str
    flags: int
    version_made_by: int
    external_attr: int
    mode: int
    mtime: int
    dos_date: int
    dos_time: int
    local_offset: int
    data_offset: int
    central_offset: int
    is_dir: bool
    is_symlink: bool
    is_encrypted: bool
    is_zip64: bool
    status: str
    error: str

    @property
    def datetime(self) -> _dt.datetime:
        """mtime as an aware datetime in local time."""
        return _dt.datetime.fromtimestamp(self.mtime, _dt.timezone.utc) \
            .astimezone()


@dataclasses.dataclass(frozen=True)
class Finding:
    """A structural finding about the archive (not about an entry's data).
    code: short stable name ("duplicate-name"); severity: "warning" or
    "error"; exit_status: what it makes the archive's status at least;
    entry: the index it concerns, or None; offset: where in the file."""
    code: str
    severity: str
    exit_status: int
    entry: Optional[int]
    offset: int
    text: str


@dataclasses.dataclass(frozen=True)
class TestResult:
    """What test() found: the archive's exit status, the totals
    (entries ok bad unsupported encrypted bytes_in bytes_out seconds
    threads), every entry with its result, and the bad ones."""
    __test__ = False   # not a pytest test class
    status: int
    totals: dict
    entries: List[Entry]
    bad: List[Entry]

    @property
    def ok(self) -> bool:
        return self.status == EXIT_OK


# ---- the archive ------------------------------------------------------------

def _options(threads: int, memory_limit: Optional[int], strict: bool,
             allow_overlap: bool, max_total: Optional[int],
             max_ratio: Optional[int]) -> _lib.zs_options:
    o = _lib.zs_options()
    _L.zs_options_init(ctypes.byref(o))   # the library's defaults
    o.threads = int(threads)
    if memory_limit is not None:
        o.memory_limit = int(memory_limit)
    o.strict = 1 if strict else 0
    o.stop_on_overlap = 0 if allow_overlap else 1
    if max_total is not None:      # 0: no limit, as --max-total 0
        o.max_total = int(max_total)
    if max_ratio is not None:      # 0: no limit; as the CLI's --max-ratio,
        o.max_ratio = int(max_ratio)   # it holds for every method
        o.max_ratio_unbounded = int(max_ratio)
    if o.threads < 0 or int(max_total or 0) < 0 or \
            int(max_ratio or 0) < 0 or int(memory_limit or 0) < 0:
        raise ValueError("threads and limits cannot be negative")
    return o


def _pattern(p: Union[str, bytes]) -> bytes:
    if isinstance(p, bytes):
        return p
    return p.encode("utf-8", "surrogateescape")


EntryRef = Union[Entry, int, str]


class Archive:
    """An open archive (zipscan.open, zipscan.open_bytes): a context
    manager; close() may be called more than once.

    len(a), iteration, a[i] and a["name"] give Entry records; .findings
    the structural findings; .test() decodes and checks every selected
    entry; .read() and .iter_read() decode one.  A handle may be tested by
    one thread at a time; entries may be read from several threads."""

    def __init__(self, handle: int, options: _lib.zs_options,
                 keepalive=None):
        self._h = handle
        self._opt = options
        self._keep = keepalive # open_bytes' buffer, for the handle's life
        self._totals: Optional[_lib.zs_totals] = None
        self._names: Optional[dict] = None
        self._cond = threading.Condition()
        self._busy = 0                       # calls using the handle now
        self._closing = False
        # The library's rules: one scan at a time, and entries read on
        # several threads must be different ones.  So reads of one entry
        # wait for each other, and a scan (select, test, stats, json)
        # waits for the reads and they for it.
        self._reading: dict = {}             # entry index -> thread ident
        self._scanning = False

    # -- life

    def close(self) -> None:
        """Close the archive (again: nothing).  A close while another
        thread (or a callback) still uses the handle takes effect when
        that call returns."""
        with self._cond:
            if not self._h or self._closing:
                return
            self._closing = True
            if self._busy == 0:
                self._free()

    def _free(self) -> None:
        h, self._h = self._h, None
        self._keep = None
        if h:
            _L.zs_close(h)

    @contextlib.contextmanager
    def _use(self):
        with self._cond:
            if not self._h or self._closing:
                raise ValueError("I/O operation on a closed zipscan archive")
            self._busy += 1
            h = self._h
        try:
            yield h
        finally:
            with self._cond:
                self._busy -= 1
                if self._busy == 0 and self._closing:
                    self._free()

    @contextlib.contextmanager
    def _reader(self, i: int):
        me = threading.get_ident()
        with self._cond:
            if self._reading.get(i) == me:
                raise RuntimeError("zipscan: entry %d is read again from "
                                   "inside its own read" % i)
            nested = me in self._reading.values()
            while (self._scanning and not nested) or i in self._reading:
                self._cond.wait()
            self._reading[i] = me
        try:
            yield
        finally:
            with self._cond:
                del self._reading[i]
                self._cond.notify_all()

    @contextlib.contextmanager
    def _exclusive(self):
        with self._cond:
            if threading.get_ident() in self._reading.values():
                raise RuntimeError("zipscan: an archive cannot be tested "
                                   "from inside a read of one of its "
                                   "entries")
            while self._scanning:
                self._cond.wait()
            self._scanning = True
            while self._reading:
                self._cond.wait()
        try:
            with self._use() as h:
                yield h
        finally:
            with self._cond:
                self._scanning = False
                self._cond.notify_all()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    @property
    def closed(self) -> bool:
        return not self._h or self._closing

    def __repr__(self) -> str:
        if self.closed:
            return "<zipscan.Archive closed>"
        return "<zipscan.Archive %r: %d entries, status %d>" % (
            self.path, len(self), self.status)

    # -- what the index says

    @property
    def path(self) -> str:
        """The path (or open_bytes' label) it was opened with."""
        with self._use() as h:
            return os.fsdecode(_L.zs_archive_path(h))

    @property
    def indexed(self) -> bool:
        """True if the central directory was read."""
        with self._use() as h:
            return bool(_L.zs_archive_indexed(h))

    @property
    def status(self) -> int:
        """The exit status so far, from the findings and entry results."""
        with self._use() as h:
            return _L.zs_archive_status(h)

    @property
    def tested(self) -> bool:
        """True once test() or stats() has run."""
        return self._totals is not None

    def __len__(self) -> int:
        with self._use() as h:
            return _L.zs_entry_count(h)

    def __iter__(self) -> Iterator[Entry]:
        for i in range(len(self)):
            yield self._entry(i)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return [self._entry(i) for i in range(*key.indices(len(self)))]
        return self._entry(self._index(key))

    def __contains__(self, name) -> bool:
        if isinstance(name, Entry):
            name = name.name
        return name in self._name_map()

    def _name_map(self) -> dict:
        # the last entry of a name wins, as `zipscan cat` and unzip
        if self._names is None:
            with self._use() as h:
                self._names = {self._name(h, i, None): i
                               for i in range(_L.zs_entry_count(h))}
        return self._names

    def _index(self, key: EntryRef) -> int:
        n = len(self)
        if isinstance(key, Entry):
            i = key.index
        elif isinstance(key, str):
            try:
                return self._name_map()[key]
            except KeyError:
                raise KeyError("%s: no entry named %r" % (self.path, key)) \
                    from None
        elif isinstance(key, int) and not isinstance(key, bool):
            i = key + n if key < 0 else key
        else:
            raise TypeError("an Entry, an index or a name, not %s"
                            % type(key).__name__)
        if not 0 <= i < n:
            raise IndexError("%s: no entry %d (%d entries)"
                             % (self.path, key if isinstance(key, int)
                                else i, n))
        return i

    @staticmethod
    def _name(h, i: int, name_len: Optional[int]) -> str:
        if name_len is None:
            e = _lib.zs_entry()
            _L.zs_entry_get(h, i, ctypes.byref(e))
            name_len = e.name_len
        buf = ctypes.create_string_buffer(3 * name_len + 1)
        n = _L.zs_entry_name_utf8(h, i, buf)
        return buf.raw[:n].decode("utf-8", "surrogateescape")

    @staticmethod
    def _error_text(h, i: int) -> str:
        buf = ctypes.create_string_buffer(1024)
        _L.zs_entry_error(h, i, buf, len(buf))
        return _text(buf.value)

    def _entry(self, i: int) -> Entry:
        with self._use() as h:
            e = _lib.zs_entry()
            if _L.zs_entry_get(h, i, ctypes.byref(e)) != 0:
                raise IndexError("no entry %d" % i)
            raw = ctypes.string_at(e.name, e.name_len) if e.name_len else b""
            st = e.status
            return Entry(
                index=e.index, name=self._name(h, i, e.name_len),
                raw_name=raw, compressed_size=e.compressed_size,
                uncompressed_size=e.uncompressed_size, crc32=e.crc32,
                method=e.method, method_name=method_name(e.method),
                flags=e.flags, version_made_by=e.version_made_by,
                external_attr=e.external_attr, mode=e.mode, mtime=e.mtime,
                dos_date=e.dos_date, dos_time=e.dos_time,
                local_offset=e.local_offset, data_offset=e.data_offset,
                central_offset=e.central_offset, is_dir=bool(e.is_dir),
                is_symlink=bool(e.is_symlink),
                is_encrypted=bool(e.is_encrypted), is_zip64=bool(e.is_zip64),
                status=_STATUS_NAMES[st] if 0 <= st < len(_STATUS_NAMES)
                else str(st),
                error=self._error_text(h, i) if e.error else "")

    @property
    def findings(self) -> List[Finding]:
        """The structural findings (at most 1,000 are kept:
        findings_dropped counts the rest)."""
        out = []
        with self._use() as h:
            for k in range(_L.zs_finding_count(h)):
                f = _L.zs_finding_get(h, k)
                if not f:
                    continue
                f = f.contents
                out.append(Finding(
                    code=_text(f.code),
                    severity="error" if f.severity == 2 else "warning",
                    exit_status=f.exit_status,
                    entry=None if f.entry < 0 else f.entry,
                    offset=f.offset, text=_text(f.text)))
        return out

    @property
    def findings_dropped(self) -> int:
        with self._use() as h:
            return _L.zs_findings_dropped(h)

    # -- selecting and testing

    def select(self, include: Iterable = (), exclude: Iterable = ()) -> int:
        """Select the entries test() decodes, by fnmatch patterns ('*'
        crosses '/'); no include selects all.  A pattern that matches
        nothing records a finding (status 11).  Returns how many are
        selected."""
        if isinstance(include, (str, bytes)):
            include = (include,)
        if isinstance(exclude, (str, bytes)):
            exclude = (exclude,)
        inc = [_pattern(p) for p in include]
        exc = [_pattern(p) for p in exclude]
        ia = (ctypes.c_char_p * max(len(inc), 1))(*inc)
        ea = (ctypes.c_char_p * max(len(exc), 1))(*exc)
        with self._exclusive() as h:
            return _L.zs_select(h, ia if inc else None, len(inc),
                                ea if exc else None, len(exc))

    def _scan(self, hash: bool = False):
        with self._exclusive() as h:
            o = _lib.zs_options.from_buffer_copy(self._opt)
            o.hash = 1 if hash else 0
            t = _lib.zs_totals()
            status = _L.zs_scan_entries(h, ctypes.byref(o), ctypes.byref(t))
            self._totals = t
            return status, t

    @staticmethod
    def _totals_dict(t: _lib.zs_totals) -> dict:
        return {"entries": t.entries, "ok": t.ok, "bad": t.bad,
                "unsupported": t.unsupported, "encrypted": t.encrypted,
                "bytes_in": t.bytes_in, "bytes_out": t.bytes_out,
                "seconds": t.seconds_scan, "threads": t.threads}

    def test(self) -> TestResult:
        """Decode and verify every selected entry, on all threads (as
        `zipscan test`).  Returns a TestResult; nothing is raised for bad
        entries: see its status, its bad list and each entry's status and
        error."""
        status, t = self._scan()
        entries = list(self)
        return TestResult(status=status, totals=self._totals_dict(t),
                          entries=entries,
                          bad=[e for e in entries if e.status == "bad"])

    # -- reading one entry

    def _raise_read(self, i: int, r: int) -> None:
        e = self._entry(i)
        where = dict(archive=self.path, entry=e.name, offset=e.local_offset,
                     status=r)
        if r == EXIT_ENTRY:
            raise BadEntryError(e.error or "bad entry", **where)
        if r in (EXIT_UNSUPPORTED, EXIT_ENCRYPTED):
            raise UnsupportedError(
                e.error or ("encrypted" if r == EXIT_ENCRYPTED else
                            "unsupported method %d (%s)"
                            % (e.method, e.method_name)), **where)
        if r == EXIT_OVERLAP:
            why = [f.text for f in self.findings if f.exit_status == r]
            raise LimitError(e.error or (why[0] if why else
                             "refused before decoding: entries overlap, or "
                             "the declared output is over max_total or "
                             "max_ratio"), **where)
        if r == EXIT_NOMEM:
            raise Error(e.error or "out of memory", **where)
        if r == EXIT_CHANGED:
            raise Error("the archive changed or shrank while it was read",
                        **where)
        if r == EXIT_INTERRUPT:
            raise Error("interrupted", **where)
        raise Error(e.error or "read failed (exit status %d)" % r, **where)

    def read(self, entry: EntryRef, *, max_size: int = DEFAULT_MAX_READ) \
            -> bytes:
        """The bytes of one entry (an Entry, an index or a name), decoded
        and checked (CRC-32, size).  The buffer is the entry's declared
        size, which comes from the archive: over max_size (1 GiB by
        default) it is refused with LimitError before anything is
        allocated (iter_read streams instead).  Raises BadEntryError,
        UnsupportedError, LimitError or Error."""
        i = self._index(entry)
        with self._use() as h:
            e = _lib.zs_entry()
            _L.zs_entry_get(h, i, ctypes.byref(e))
            size = e.uncompressed_size
            if size > max_size:
                raise LimitError(
                    "declared size %d is over max_size %d (iter_read "
                    "streams an entry of any size)" % (size, max_size),
                    archive=self.path, entry=self._name(h, i, e.name_len),
                    offset=e.local_offset, status=EXIT_OVERLAP)
            buf = ctypes.create_string_buffer(max(size, 1))
            n = ctypes.c_size_t(0)
            with self._reader(i):
                r = _L.zs_entry_read(h, i, buf, size, ctypes.byref(n),
                                     ctypes.byref(self._opt))
        if r != 0:
            self._raise_read(i, r)
        return ctypes.string_at(buf, n.value)

    def iter_read(self, entry: EntryRef,
                  callback: Optional[Callable[[bytes], object]] = None):
        """Decode one entry in chunks, whatever its size.

        With a callback, callback(chunk) is called for each chunk and the
        number of bytes is returned; an exception raised by the callback
        stops the read and is raised again here.  Without one, returns an
        iterator of chunks (decoded on a helper thread; closing it early
        stops the read).

        Entries up to the memory limit are checked before the first chunk;
        larger ones stream, so chunks may have been seen before an error
        is raised: discard them unless the read ends without one."""
        i = self._index(entry)
        if callback is None:
            return self._iter_chunks(i)
        return self._read_cb(i, callback)

    def _read_cb(self, i: int, callback) -> int:
        failure: List[BaseException] = []
        total = [0]

        def trampoline(ctx, data, n):
            try:
                callback(ctypes.string_at(data, n))
                total[0] += n
                return 0
            except BaseException as exc:   # raised again after the call
                failure.append(exc)
                return 1

        fn = _lib.WRITE_FN(trampoline)   # referenced until the call returns
        with self._reader(i), self._use() as h:
            r = _L.zs_entry_read_cb(h, i, fn, None, ctypes.byref(self._opt))
        del fn
        if failure:
            raise failure[0]
        if r != 0:
            self._raise_read(i, r)
        return total[0]

    def _iter_chunks(self, i: int) -> Iterator[bytes]:
        q: "queue.Queue" = queue.Queue(maxsize=4)
        cancel = threading.Event()
        done = object()
        outcome: List[BaseException] = []

        def put(chunk):
            while not cancel.is_set():
                try:
                    q.put(chunk, timeout=0.1)
                    return
                except queue.Full:
                    pass
            raise _Cancelled()

        def run():
            try:
                self._read_cb(i, put)
            except _Cancelled:
                pass
            except BaseException as exc:
                outcome.append(exc)
            finally:
                put_done = True
                while put_done and not cancel.is_set():
                    try:
                        q.put(done, timeout=0.1)
                        put_done = False
                    except queue.Full:
                        pass

        t = threading.Thread(target=run, name="zipscan-iter_read",
                             daemon=True)
        t.start()
        try:
            while True:
                chunk = q.get()
                if chunk is done:
                    break
                yield chunk
            if outcome:
                raise outcome[0]
        finally:
            cancel.set()
            t.join()

    # -- reports

    @staticmethod
    def _json_string(p: Optional[int]) -> dict:
        if not p:
            raise MemoryError("zipscan: out of memory making a report")
        try:
            return _json.loads(ctypes.string_at(p).decode("utf-8",
                                                           "replace"))
        finally:
            _L.zs_free(p)

    def stats(self, top: int = 10, hash: bool = False) -> dict:
        """Test the archive, then its statistics: the object `zipscan stats
        --json` prints (top: entries in each top list; hash: confirm
        duplicates with XXH3-128)."""
        _, t = self._scan(hash=hash)
        with self._exclusive() as h:
            return self._json_string(_L.zs_stats_json_string(
                h, ctypes.byref(t), int(top)))

    def json(self) -> dict:
        """`zipscan test --json`'s object after test(), else `list
        --json`'s."""
        with self._exclusive() as h:
            t = ctypes.byref(self._totals) if self._totals else None
            return self._json_string(_L.zs_report_json_string(h, t))


class _Cancelled(Exception):
    pass


def _opened(handle, status: int, o, keepalive) -> Archive:
    if not handle:
        raise MemoryError("zipscan: out of memory opening an archive")
    a = Archive(handle, o, keepalive)
    if not a.indexed:
        try:
            fs = a.findings
            err = [f for f in fs if f.severity == "error"] or fs
            f = err[0] if err else None
            raise NotAZipError(f.text if f else "not a ZIP archive",
                               archive=a.path,
                               offset=f.offset if f else None,
                               status=a.status or EXIT_NOTZIP)
        finally:
            a.close()
    return a


def open(path, *, threads: int = 0, memory_limit: Optional[int] = None,
         strict: bool = False, allow_overlap: bool = False,
         max_total: Optional[int] = None,
         max_ratio: Optional[int] = None) -> Archive:
    """Open a ZIP archive: its central directory is read and every local
    header checked; nothing is decoded yet.  Raises NotAZipError (status
    9) if it cannot be opened or is not a ZIP.

    threads: 0 for every CPU; memory_limit: per-thread output buffer and
    the most a decoder's window may take (default 256 MiB); strict:
    structural warnings are errors (status 3); allow_overlap: decode
    overlapping entries; max_total, max_ratio: decode nothing past this
    declared output, or this many times the file's size (None: the
    library's defaults, 1 TiB and 10,000; 0: no limit)."""
    o = _options(threads, memory_limit, strict, allow_overlap, max_total,
                 max_ratio)
    status = ctypes.c_int(0)
    h = _L.zs_open(os.fsencode(path), ctypes.byref(o), ctypes.byref(status))
    return _opened(h, status.value, o, None)


def open_bytes(data, label: str = "<bytes>", *, threads: int = 0,
               memory_limit: Optional[int] = None, strict: bool = False,
               allow_overlap: bool = False, max_total: Optional[int] = None,
               max_ratio: Optional[int] = None) -> Archive:
    """The same as open() on an archive in memory (bytes, or anything
    with the buffer protocol, copied to bytes); label names it in
    messages.  The bytes are kept alive as long as the handle."""
    if not isinstance(data, bytes):
        data = bytes(data)
    o = _options(threads, memory_limit, strict, allow_overlap, max_total,
                 max_ratio)
    status = ctypes.c_int(0)
    buf = ctypes.c_char_p(data)      # points into data, no copy
    h = _L.zs_open_memory(os.fsencode(label),
                          ctypes.cast(buf, ctypes.c_void_p), len(data),
                          ctypes.byref(o), ctypes.byref(status))
    return _opened(h, status.value, o, (data, buf))
