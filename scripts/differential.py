#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""differential.py - zipscan against Python's zipfile and Info-ZIP's unzip,
run live on every archive given, with a table of where they disagree.

    differential.py [OPTIONS] ZIPSCAN [--every-file DIR]... [--archives DIR]...
                    [FILE...]

`--every-file DIR` takes every regular file below DIR (the third-party
corpus: non-archives, .jar, .zipx and names without an extension are there
on purpose) except documentation (*.md, *.txt, *.rst, README, LICENSE,
COPYING); `--archives DIR` takes every *.zip below DIR, subfolders included
(the archives the tests build); FILEs are taken as they are.  An archive is
named, in the output and in EXPLAINED, by the last component of its DIR and
its path below it: `third_party/libzip/junk-at-end.zip`,
`fixtures/bombs/x.zip`.

What runs on each archive
-------------------------
- zipscan: `test --json` and `list --json`.  The exit status must be one
  zipscan defines, each output must be one JSON line with the documented
  fields and the exit status in its summary, no sanitizer may report, and
  `test` and `list` must show the same entries; any of these failing fails
  the run whatever the verdicts say.  (Run with OMP_WAIT_POLICY=passive:
  idle OpenMP threads otherwise spin, and a run on a small archive takes
  25 ms instead of 6; the verdict does not depend on it.)
- Python (the interpreter running this script, its zipfile module):
  `ZipFile(path)`, `namelist()`, then every member read to its end through
  `ZipFile.open()`, which checks the local header's name and the CRC-32.
  This runs in a child process (one per worker thread, kept between
  archives because starting Python costs more than most archives take)
  with a 2 GiB address-space cap; a child that does not answer within
  --timeout seconds is killed and replaced.
- Info-ZIP: `unzip -t -P not-the-password` (LC_ALL=C) for the verdict and
  `unzip -Z1` for the entry list, each with the timeout, standard input from
  /dev/null and in a new session, so that unzip can never ask for a password
  on a terminal.  Plain `-t`, not `-q` or `-qq`: quiet, unzip does not read
  the archive comment and misses a truncated one (two corpus archives), and
  only the summary line says whether an exit status 1 was a warning or an
  entry skipped for its password.  `-Z1` runs with LC_ALL=C.UTF-8: under
  LC_ALL=C unzip prints UTF-8 names as `#Uxxxx` escapes (decoded too,
  should C.UTF-8 be missing).

Limits: for an archive over --max-size bytes (64 MiB) only zipscan runs,
and only `test -q`; for one with over --max-entries entries (100,000, as
zipscan lists them) only zipscan runs.  Python stops, and its verdict is
`skipped`, once it has decoded --max-output bytes (1 GiB) of an archive.
unzip is not asked to test (only to list) an archive of which zipscan
decoded more than that, or on which Python gave no verdict (skipped,
timeout, crashed): verdicts are compared only when both readers give one,
and a zip bomb Python decodes past the budget would hold unzip to the
timeout.  The output names every archive not compared and why.
Archives are examined two at a time (--jobs), each by the three tools in
turn; zipscan gets --zipscan-timeout (120 s) per run, the others --timeout
(30 s).

Verdict classes
---------------
Each outcome falls in one class, from mild to bad: ok, warning, untested,
failed.  Outcomes that say nothing about the archive are not classes:
`skipped` (over a limit), `timeout`, `crashed` (the child died or ran out
of memory).

- ok: zipscan exit 0; Python opened the archive and read every member
  without an error; unzip exit 0.
- warning: zipscan exit 1; Python has none; unzip exit 1 with nothing
  skipped for its password.
- untested: zipscan exit 81 or 82; Python raised NotImplementedError
  (method, strong encryption; from ZipFile() too, for a version) or
  RuntimeError "... is encrypted ..." for some member and failed on none;
  unzip exit 81 or 82, or exit 1 with "skipped because of incorrect
  password".
- failed: zipscan exit 2, 3, 9 or 12; Python's ZipFile() or some member
  raised anything else (BadZipFile, zlib.error, EOFError, OSError,
  ValueError, lzma and bz2 errors, UnicodeDecodeError, ...); unzip any
  other exit (2, 3, 9, 12, 51, ...).

Python and unzip agree when their classes are equal, or when Python says
ok and unzip warning (Python has no warning: its ok is compatible with
one).  Then the agreed class is unzip's, and zipscan must give it.  When
they disagree, zipscan must give one of theirs (Python's ok matching
zipscan's warning too): it may side with either reader, not invent a third
verdict.  When only one of them gave a class, nothing is required.

Entry lists
-----------
Entry lists are compared as multisets of names, and only between tools
that opened the archive: zipscan `list` exiting 0, 1, 2 or 12; Python's
`ZipFile()` not raising; `unzip -Z1` exiting 0, 1 or 2 (its "Empty
zipfile." with exit 1 is an empty list).  The tools print names
differently, so names are compared in two ways:
- zipscan against Python, exactly.  Python's raw name bytes are recovered
  from `ZipInfo.orig_filename` (UTF-8 when flag bit 11 is set, else
  CP437), cut at the first NUL byte as `namelist()` does, and decoded by
  zipscan's documented rule: UTF-8 under bit 11, otherwise UTF-8 if the
  bytes are valid UTF-8, else CP437.  So both sides are the same bytes read
  the same way; Python's own CP437 reading of an unflagged UTF-8 name is
  not a disagreement.
- anything against unzip, folded: control characters become `^X` (unzip's
  own escape) and each run of non-ASCII characters one U+FFFD.  unzip
  prints names as raw bytes, converts names from DOS and Windows hosts from
  CP437 to ISO-8859-1 (some box-drawing characters to ASCII `+`, `-`, `|`)
  and prefers the Info-ZIP Unicode Path extra (0x7075) to the header name,
  so only the ASCII skeleton can be compared.
The rule is the verdicts': when Python's and unzip's lists agree (folded),
zipscan's must equal Python's exactly and unzip's folded; when they differ,
zipscan's must equal one of them.

Disagreements
-------------
A row is printed for every archive where the verdict classes given, or the
entry lists, are not all the same (Python's ok next to a warning counts as
the same).  A row where zipscan breaks a rule above needs an entry in
EXPLAINED (archive -> reason key); REASONS says which zipscan verdict each
reason explains and whether it explains an entry-list difference.  Without
an entry, or with one that does not fit, the run fails; so does an
EXPLAINED entry whose archive no longer needs it (stale), and one naming an
archive not found under a directory that was scanned.  Rows where Python
and unzip disagree and zipscan sides with one are printed for information
only ("informational").

`--suggest` prints EXPLAINED lines for the unexplained rows with a guessed
reason, to paste after checking; `--markdown` prints the table and the
counts per reason as Markdown, for the README; `--all` prints the rows that
agree too.

Exit status: 0 when every archive passes, 1 otherwise, 2 on bad usage.
"""
import argparse
import collections
import concurrent.futures
import json
import os
import re
import resource
import select
import subprocess
import sys
import tempfile
import threading
import time

CLASSES = ("ok", "warning", "untested", "failed")
# Exit statuses a verdict may take (51, "the archive changed while mapped",
# cannot happen to these files and would be a bug).
DEFINED = {0, 1, 2, 3, 9, 12, 81, 82}
ZIPSCAN_CLASS = {0: "ok", 1: "warning", 81: "untested", 82: "untested",
                 2: "failed", 3: "failed", 9: "failed", 12: "failed"}
ZIPSCAN_LISTS = {0, 1, 2, 12}      # list exit statuses with an entry list
UNZIP_LISTS = {0, 1, 2}            # unzip -Z1 exit statuses with one
WRONG_PASSWORD = "not-the-password"
PY_MEMORY_CAP = 2 << 30
ENTRY_FIELDS = {"name", "method", "method_name", "compressed_size",
                "uncompressed_size", "crc32", "is_dir", "encrypted", "mtime",
                "offset"}
DOC_NAME = re.compile(r"\.(md|txt|rst)$|^(README|LICENSE|COPYING)$", re.I)


class Reason:
    """Why zipscan differs: the zipscan verdicts it explains (empty: it
    explains no verdict difference), whether it explains an entry-list
    difference, and the text for the README."""

    def __init__(self, verdicts, text, lists=False, may_agree=False):
        self.verdicts, self.text, self.lists = set(verdicts), text, lists
        # unzip's own verdict on these varies between builds: a row that
        # agrees is not stale
        self.may_agree = may_agree


# Why zipscan differs from Python and unzip, on purpose.  The texts are the
# README's table: keep them short.
REASONS = {
    "structural": Reason(
        {"warning"}, "zipscan warns about a structural ambiguity that Python "
        "and unzip accept silently: bytes between entries that are not all "
        "zero, a local header the central directory does not list, an "
        "entry count that is off (modulo 65,536), a ZIP64 end record whose "
        "size field is off, odd or repeated extra fields, ..."),
    "names": Reason(
        {"warning"}, "zipscan warns about names that Python and unzip "
        "accept silently: duplicates (exact, or as paths), empty "
        "names or components, control bytes, backslashes, absolute names, "
        "`..`, directories with data"),
    "ambiguity": Reason(
        {"failed"}, "zipscan refuses an ambiguity that Python and unzip both "
        "accept: here a second central directory ending at the end record, "
        "which they read instead of the one at the end record's offset"),
    "trailing": Reason(
        {"warning"}, "bytes after the end record (or after the comment) "
        "that are not all zero are a warning; Python and unzip ignore "
        "them"),
    "unsupported": Reason(
        {"untested"}, "the method is not decoded yet (PPMd, implode, ...): exit 81 "
        "whatever the data; Python and unzip decode it, and may find it "
        "broken"),
    "decoded": Reason(
        {"ok", "failed"}, "zipscan decodes a method Python and unzip do not "
        "(zstd, xz), or that unzip does not and Python never reads (an LZMA "
        "entry declaring 0 bytes): it gives a verdict where they give none"),
    "unicode-extra": Reason(
        {"ok"}, "unzip warns about Info-ZIP Unicode Path extras (0x7075) it "
        "finds odd (in the local header too, or duplicated); zipscan reads "
        "the central one as unzip does and warns only when it names "
        "another path than the header"),
    "local": Reason(
        {"failed"}, "a local header or data descriptor disagreeing with the "
        "central record (sizes, CRC) fails the entry; Python and unzip "
        "each trust one of the records"),
    "size": Reason(
        {"failed"}, "an entry whose data does not give its declared size "
        "(stored sizes differ, output short of or past the declared size) "
        "fails; Python and unzip check only the CRC"),
    "local-varies": Reason(
        {"failed"}, "a central compressed size larger than the entry's "
        "data (the local header has the true one) fails the entry (2); "
        "Python's and unzip's verdicts on these two have varied between "
        "runs and machines (ok, failed, overlap), so a run where one of "
        "them agrees is not stale", may_agree=True),
    "extra": Reason(
        {"failed"}, "a malformed extra field fails the entry; Python and "
        "unzip skip it"),
    "unicode-path": Reason(
        {"ok", "warning"}, "zipscan, like unzip, bsdtar and 7-Zip, names an "
        "entry by its Info-ZIP Unicode Path extra field (0x7075, CRC-32 of "
        "the header name matching); Python takes the header name (CP437 "
        "where it is not UTF-8), so the names differ", lists=True),
    "entry-trailing": Reason(
        {"warning"}, "bytes after the end of an entry's compressed stream "
        "but inside its compressed size are a warning (a streaming reader "
        "may find more entries there; 7-Zip reports them too); Python and "
        "unzip stop at the stream's end"),
    "split": Reason(
        {"failed"}, "the last part of a split archive (the end record's "
        "disk is not the directory's, or entries start on other disks) is "
        "one error, not testable alone; Python ignores the disk numbers "
        "and unzip warns and reads on"),
    "overlap": Reason(
        {"failed"}, "an entry whose data runs into the next local header "
        "overlaps it: refused as a possible zip bomb (exit 12); Python "
        "and unzip stop at the end of the Deflate stream (Debian's unzip "
        "6.0-28 here; an earlier machine's unzip refused it too)",
        may_agree=True),
    "sozip": Reason(
        {"failed", "warning"}, "a SOZip index (the hidden .NAME.sozip.idx "
        "record after a seek-optimized entry) that is malformed or lies "
        "about its chunks is an error (sozip-index, sozip-chunk), and one "
        "whose sizes run into the next record is an unlisted local header "
        "(a warning); Python and unzip never read the hidden record"),
    # These two are for test/limits.py's archives (branch h-limits).
    "limits": Reason(
        {"failed"}, "entries declaring more output than --max-total, or at "
        "a higher ratio than --max-ratio, are refused before decoding (exit "
        "12); Python and unzip decode them (the data is small)"),
    "long-name": Reason(
        {"ok"}, "unzip cuts a name longer than its buffer and warns; "
        "zipscan and Python keep the whole name"),
}

# zipscan's finding codes that are about names, for --suggest.
NAME_CODES = {"absolute-name", "backslash-name", "case-duplicate",
              "control-name", "directory-with-data", "dotdot-name",
              "duplicate-name", "duplicate-path", "empty-component",
              "empty-name"}

# Archives where zipscan breaks the agreement rules: archive -> reason.
# `--suggest` prints lines to paste here for new ones.
EXPLAINED = {
    # structural
    "third_party/libarchive/test_compat_zip_2.zip": "structural",
    "third_party/libzip/incons-eocd64-gap.zip": "structural",
    "third_party/libzip/incons-gap-before-cd.zip": "structural",
    "third_party/libzip/incons-gap-before-local.zip": "structural",
    "fixtures/audit-extra.zip": "structural",
    "fixtures/audit-hidden.zip": "structural",
    # names
    "third_party/golang-go/dupdir.zip": "names",
    "third_party/libarchive/test_compat_zip_8.zip": "names",
    "fixtures/stats-odd-ext.zip": "names",
    "third_party/libarchive/test_read_format_zip_filename_cp932.zip": "names",
    "third_party/libzip/filename_duplicate.zip": "names",
    "third_party/libzip/filename_duplicate_empty.zip": "names",
    "third_party/libzip/filename_empty.zip": "names",
    "third_party/libzip/incons-filename-nul-byte.zip": "names",
    "third_party/libzip/test-cp437-comment-utf-8.zip": "names",
    "third_party/libzip/test-cp437.zip": "names",
    "third_party/zip2/zip64_magic_in_filename_1.zip": "names",
    "third_party/zip2/zip64_magic_in_filename_2.zip": "names",
    "third_party/zip2/zip64_magic_in_filename_3.zip": "names",
    "third_party/zip2/zip64_magic_in_filename_4.zip": "names",
    "third_party/zip2/zip64_magic_in_filename_5.zip": "names",
    "fixtures/audit-many.zip": "names",
    "fixtures/audit-names.zip": "names",
    "fixtures/control-name.zip": "names",
    "fixtures/h-absolute.zip": "names",
    "fixtures/h-backslash.zip": "names",
    "fixtures/h-control.zip": "names",
    "fixtures/h-drive.zip": "names",
    "fixtures/h-duplicates.zip": "names",
    "fixtures/h-empty-parts.zip": "names",
    "fixtures/h-traversal.zip": "names",
    # ambiguity
    "fixtures/two-directories.zip": "ambiguity",
    # trailing
    "third_party/golang-go/readme.zip": "trailing",
    "third_party/golang-go/test-trailing-junk.zip": "trailing",
    "third_party/libarchive/test_read_format_zip_padded2.zip": "trailing",
    "third_party/libzip/incons-archive-comment-shorter.zip": "trailing",
    "third_party/libzip/junk-at-end.zip": "trailing",
    "third_party/libzip/testextrabytes.zip": "trailing",
    "fixtures/trailing.zip": "trailing",
    # gap
    # decoded: methods Python and unzip leave untested
    "third_party/libarchive/test_read_format_zip_xz_multi.zipx": "decoded",
    "third_party/libarchive/test_read_format_zip_zstd.zipx": "decoded",
    "third_party/libarchive/test_read_format_zip_zstd_multi.zipx": "decoded",
    "third_party/libzip/testfile-xz.zip": "decoded",
    "third_party/libzip/testfile-zstd.zip": "decoded",
    "third_party/zip2/xz.zip": "decoded",
    "fixtures/codec-xz.zip": "decoded",
    "fixtures/codec-zstd.zip": "decoded",
    "fixtures/methods/7z-xz.zip": "decoded",
    "fixtures/methods/zstd.zip": "decoded",
    "fixtures/methods/lzma-oom.zip": "decoded",
    # unicode-extra
    "third_party/golang-go/utf8-7zip.zip": "unicode-extra",
    "third_party/golang-go/utf8-winrar.zip": "unicode-extra",
    "third_party/golang-go/utf8-winzip.zip": "unicode-extra",
    "third_party/libzip/incons-ef-local-dupe-utf8name.zip": "unicode-extra",
    "third_party/libzip/incons-ef-local-utf8name-ascii.zip": "unicode-extra",
    "third_party/zip2/linux-7z.zip": "unicode-extra",
    # local
    "third_party/libzip/incons-central-size-larger.zip": "local",
    "third_party/libzip/extra_field_align_1-ef_ff.zip": "extra",
    "third_party/libzip/extra_field_align_1-ff.zip": "extra",
    "third_party/libzip/extra_field_align_2-ef_ff.zip": "extra",
    "third_party/libzip/extra_field_align_2-ff.zip": "extra",
    "third_party/libzip/extra_field_align_3-ef_ff.zip": "extra",
    "third_party/libzip/extra_field_align_3-ff.zip": "extra",
    "third_party/libzip/incons-local-size-larger.zip": "local",
    "third_party/libzip/incons-streamed.zip": "local",
    "third_party/libzip/incons-streamed-2.zip": "local",
    "fixtures/desc-bad.zip": "local",
    "fixtures/local-size.zip": "local",
    # size
    "third_party/libarchive/test_read_format_zip_uncompressed_size_off_by_4gib"
    ".zip": "size",
    "fixtures/ratio-lie.zip": "size",
    "fixtures/size-short.zip": "size",
    # test/deflate64.py: Deflate64 streams longer than the declared size
    "fixtures/deflate64/size-long.zip": "size",
    "fixtures/deflate64/size-long-big.zip": "size",
    # extra
    "third_party/libzip/incons-ef-local-dupe-zip64-v2.zip": "extra",
    "fixtures/two-directories-gap.zip": "ambiguity",
    # test/fixtures.py trust(): names cleaned on extraction
    "fixtures/t-backslash-dir.zip": "names",
    "fixtures/t-select.zip": "names",
    "fixtures/t-stored-usize-4g.zip": "size",
    # a central record declaring more data than its local header
    "third_party/libzip/incons-central-compsize-larger.zip": "local-varies",
    "third_party/libzip/incons-central-compsize-larger-toolarge.zip":
        "local-varies",
    # entry-trailing
    "third_party/libzip/incons-trailing-garbage.zip": "entry-trailing",
    "fixtures/t-trailing-data.zip": "entry-trailing",
    "fixtures/t-trailing-bzip2.zip": "entry-trailing",
    "fixtures/deflate64/trailing-block.zip": "entry-trailing",
    "fixtures/deflate64/trailing-garbage.zip": "entry-trailing",
    # test/sozip.py: hand-broken SOZip indexes
    "fixtures/sozip/sozip-chunk0.zip": "sozip",
    "fixtures/sozip/sozip-compressed.zip": "sozip",
    "fixtures/sozip/sozip-count.zip": "sozip",
    "fixtures/sozip/sozip-crc.zip": "sozip",
    "fixtures/sozip/sozip-csize.zip": "sozip",
    "fixtures/sozip/sozip-late.zip": "sozip",
    "fixtures/sozip/sozip-lying.zip": "sozip",
    "fixtures/sozip/sozip-order.zip": "sozip",
    "fixtures/sozip/sozip-osize.zip": "sozip",
    "fixtures/sozip/sozip-past.zip": "sozip",
    "fixtures/sozip/sozip-runs-on.zip": "sozip",
    "fixtures/sozip/sozip-stored.zip": "sozip",
    # split
    "third_party/libzip/multidisk.zip": "split",
    # unicode-path
    "third_party/zip2/chinese.zip": "unicode-path",
    # overlap
    "fixtures/overlap-next.zip": "overlap",
    # test/limits.py: 4 GiB and 2^64 - 1 bytes declared by tiny archives;
    # counts wrapped at 65,536 without ZIP64; 65,535-byte names
    "fixtures/limits/declared-4g.zip": "limits",
    "fixtures/limits/declared-4g-zip64.zip": "limits",
    "fixtures/limits/z64-usize-max.zip": "limits",
    "fixtures/limits/entries-65536.zip": "structural",
    "fixtures/limits/entries-70000.zip": "structural",
    "fixtures/limits/name-65535.zip": "long-name",
    "fixtures/limits/name-65535-path.zip": "long-name",
}


# ---- Python, in a child process -------------------------------------------

def python_server():
    """The child: for each line {"path", "max_output"} on stdin, one line of
    JSON on stdout with zipfile's verdict and names (see python_one).  Kept
    running between archives: starting Python costs more than most of the
    archives take."""
    resource.setrlimit(resource.RLIMIT_AS, (PY_MEMORY_CAP, PY_MEMORY_CAP))
    for line in sys.stdin:
        job = json.loads(line)
        out = python_one(job["path"], job["max_output"])
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
        if out["verdict"] == "crashed":
            return          # after a MemoryError, start afresh


def python_one(path, max_output):
    """Open, list and read every member of path with zipfile."""
    import zipfile
    out = {"verdict": None, "why": "", "names": None, "raw": None}
    try:
        zf = zipfile.ZipFile(path)
    except NotImplementedError as e:
        out.update(verdict="untested", why=describe(e))
    except MemoryError as e:
        out.update(verdict="crashed", why=describe(e))
    except Exception as e:   # BadZipFile, OSError, ValueError, ... all refuse
        out.update(verdict="failed", why=describe(e))
    if out["verdict"]:
        return out
    with zf:
        infos = zf.infolist()
        out["names"] = zf.namelist()
        # The raw bytes and flag of each name, for zipscan's decoding rule.
        out["raw"] = [[(i.orig_filename.encode(
            "utf-8" if i.flag_bits & 0x800 else "cp437")).hex(),
            bool(i.flag_bits & 0x800)] for i in infos]
        untested = failed = None
        decoded = 0
        for info in infos:
            try:
                with zf.open(info) as f:
                    while True:
                        chunk = f.read(1 << 22)
                        if not chunk:
                            break
                        decoded += len(chunk)
                        if decoded > max_output:
                            out.update(verdict="skipped", why=f"decoded "
                                       f"more than {max_output} bytes")
                            return out
            except NotImplementedError as e:
                untested = untested or describe(e, info)
            except RuntimeError as e:
                # zipfile raises RuntimeError for a member needing a
                # password; anything else is a failure.
                if "encrypted" in str(e):
                    untested = untested or describe(e, info)
                else:
                    failed = failed or describe(e, info)
            except MemoryError as e:
                out.update(verdict="crashed", why=describe(e, info))
                return out
            except Exception as e:
                failed = failed or describe(e, info)
    if failed:
        out.update(verdict="failed", why=failed)
    elif untested:
        out.update(verdict="untested", why=untested)
    else:
        out.update(verdict="ok")
    return out


def describe(e, info=None):
    text = f"{type(e).__name__}: {e}"
    if info is not None and info.filename not in str(e):
        text = f"{info.filename!r}: {text}"
    return text[:200]


# ---- names ------------------------------------------------------------------

def zipscan_rule(raw, utf8_flag):
    """A name as zipscan shows it: UTF-8 under flag bit 11 (bad bytes as
    U+FFFD); otherwise UTF-8 when valid, else CP437."""
    raw = raw.split(b"\0", 1)[0]
    if utf8_flag:
        return raw.decode("utf-8", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp437")


UNZIP_ESCAPE = re.compile(r"#U([0-9a-fA-F]{4})|#L([0-9a-fA-F]{6})")


def unzip_name(line):
    """A line of `unzip -Z1` as text: UTF-8 (bad bytes kept as surrogates,
    which fold as non-ASCII), with #Uxxxx / #Lxxxxxx escapes decoded."""
    text = line.decode("utf-8", "surrogateescape")
    return UNZIP_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)),
                            text)


def fold(name):
    """The ASCII skeleton compared with unzip: controls as ^X, each run of
    non-ASCII characters as one U+FFFD."""
    out = []
    for ch in name:
        o = ord(ch)
        if o >= 0x80:
            if not out or out[-1] != "\ufffd":
                out.append("\ufffd")
        elif o < 0x20 or o == 0x7F:
            out.append("^" + chr(o ^ 0x40))
        else:
            out.append(ch)
    return "".join(out)


def multiset(names, key=lambda n: n):
    return collections.Counter(key(n) for n in names)


# ---- running the tools ----------------------------------------------------

def run(cmd, timeout, env=None, text=False):
    """(exit status, stdout, stderr), or (None, ...) on timeout."""
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout,
                           env=env, stdin=subprocess.DEVNULL,
                           start_new_session=True, text=text,
                           errors="replace" if text else None)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return None, "" if text else b"", "" if text else b""


def check_json(out, with_status):
    """Problems with one --json output, as a list of strings, and the
    object."""
    lines = out.splitlines()
    if len(lines) != 1:
        return [f"{len(lines)} JSON lines, expected 1"], None
    try:
        obj = json.loads(lines[0])
    except ValueError as e:
        return [f"JSON does not parse: {e}"], None
    problems = [f"JSON lacks {k}" for k in ("archive", "entries", "findings",
                                            "summary") if k not in obj]
    want = ENTRY_FIELDS | ({"status"} if with_status else set())
    for e in obj.get("entries", []):
        if not want <= set(e):
            problems.append(f"entry lacks {sorted(want - set(e))}")
            break
    if "status" not in obj.get("summary", {}):
        problems.append("summary lacks status")
    return problems, obj


SANITIZER = re.compile(r"Sanitizer|runtime error:")
# Idle OpenMP threads spin by default, which makes a run on a small archive
# take 25 ms instead of 6 (measured here); the verdict does not depend on it.
ZIPSCAN_ENV = dict(os.environ, OMP_WAIT_POLICY="passive")


def run_zipscan(zipscan, path, timeout, quick):
    """zipscan's verdict, names and problems.  quick: an archive too big
    for the JSON to be worth parsing; only `test -q` runs."""
    r = {"verdict": None, "why": "", "names": None, "entries": None,
         "decoded": 0, "problems": [], "status": None, "codes": []}
    runs = [("test", ["test", "-q"] if quick else ["test", "--json"])]
    if not quick:
        runs.append(("list", ["list", "--json"]))
    objs = {}
    for what, args in runs:
        status, out, err = run([zipscan] + args + [path], timeout,
                               env=ZIPSCAN_ENV, text=True)
        if what == "test":
            r["status"] = status
            r["verdict"] = ("timeout" if status is None else
                            ZIPSCAN_CLASS.get(status, "crashed"))
        if status is None:
            r["problems"].append(f"{what}: no answer in {timeout:g} s")
            continue
        if status not in DEFINED:
            r["problems"].append(f"{what}: undefined exit status {status}")
        report = [ln for ln in err.splitlines() if SANITIZER.search(ln)]
        if report:
            r["problems"].append(f"{what}: sanitizer: {report[0][:300]}")
        if quick:
            continue
        problems, obj = check_json(out, what == "test")
        r["problems"] += [f"{what}: {p}" for p in problems]
        if obj is None:
            continue
        objs[what] = obj
        if obj.get("summary", {}).get("status") != status:
            r["problems"].append(f"{what}: summary status "
                                 f"{obj.get('summary', {}).get('status')}"
                                 f" but exit {status}")
        if what == "list":
            r["entries"] = obj["summary"].get("entries")
            if status in ZIPSCAN_LISTS:
                r["names"] = [e["name"] for e in obj["entries"]]
    if "test" in objs:
        t = objs["test"]
        r["decoded"] = t["summary"].get("bytes_out", 0)
        r["codes"] = sorted({f["code"] for f in t.get("findings", [])
                             if f.get("code")})
        msgs = [f["message"] for f in t.get("findings", [])]
        msgs += [f"{e['name']!r}: {e['error']}" for e in t.get("entries", [])
                 if e.get("error")]
        r["why"] = "; ".join(msgs)[:200]
        if "list" in objs and r["names"] is not None:
            if [e["name"] for e in t["entries"]] != r["names"]:
                r["problems"].append("test and list show different entries")
    return r


class PythonWorker:
    """One python_server child per thread, restarted when it dies or is
    killed for taking too long."""

    local = threading.local()

    @classmethod
    def mine(cls):
        if not hasattr(cls.local, "worker"):
            cls.local.worker = cls()
        return cls.local.worker

    everyone = []

    def __init__(self):
        self.proc = None
        self.everyone.append(self)

    @classmethod
    def stop_all(cls):
        for w in cls.everyone:
            if w.proc:
                w.proc.stdin.close()    # the child ends at end of input
                w.proc.wait()
                w.proc.stdout.close()
                w.err.close()

    def ask(self, path, timeout, max_output):
        if self.proc is None:
            # Standard error to a file: a pipe nobody reads could fill up.
            self.err = tempfile.TemporaryFile()
            self.proc = subprocess.Popen(
                [sys.executable, "-I", os.path.abspath(__file__),
                 "--python-server"], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=self.err,
                start_new_session=True)
            self.buf = b""
        job = json.dumps({"path": path, "max_output": max_output}) + "\n"
        try:
            self.proc.stdin.write(job.encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                self.stop()
                return {"verdict": "timeout", "names": None, "raw": None,
                        "why": f"no answer in {timeout:g} s"}
            data = os.read(fd, 1 << 20)
            if not data:
                err = self.stop()
                return {"verdict": "crashed", "names": None, "raw": None,
                        "why": err.decode(errors="replace").strip()[-200:]}
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        result = json.loads(line)
        if result["verdict"] == "crashed":
            self.stop()
        return result

    def stop(self):
        """Kill the child; its standard error."""
        proc, self.proc = self.proc, None
        proc.kill()
        proc.wait()
        proc.stdin.close()
        proc.stdout.close()
        self.err.seek(0)
        err = self.err.read()
        self.err.close()
        return err


def run_unzip(path, timeout, no_test):
    r = {"verdict": None, "why": "", "names": None}
    c_env = dict(os.environ, LC_ALL="C")
    if not no_test:
        status, out, err = run(["unzip", "-t", "-P", WRONG_PASSWORD, path],
                               timeout, env=c_env)
        text = (out + err).decode("latin-1")
        # The lines that are not an entry's "testing: NAME  OK".
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()
                 and not re.match(r"\s*testing: .*OK$", ln)
                 and not ln.startswith("Archive:  ")]
        r["why"] = f"exit {status}: " + " / ".join(lines)[:200]
        password = re.search(r"skipped because of (incorrect|missing) "
                             r"password|unable to get password", text)
        if status is None:
            r.update(verdict="timeout", why=f"no answer in {timeout} s")
        elif status < 0:
            r["verdict"] = "crashed"
        elif status == 0:
            r["verdict"] = "ok"
        elif status == 1:
            r["verdict"] = "untested" if password else "warning"
        elif status in (81, 82) or (status == 5 and password):
            r["verdict"] = "untested"
        else:
            r["verdict"] = "failed"
    else:
        r.update(verdict="skipped", why=no_test)
    status, out, err = run(["unzip", "-Z1", path], timeout,
                           env=dict(os.environ, LC_ALL="C.UTF-8"))
    if status == 1 and out == b"Empty zipfile.\n":
        r["names"] = []     # -Z1 says so on stdout
    elif status in UNZIP_LISTS:
        lines = out.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        r["names"] = [unzip_name(ln) for ln in lines]
    return r


def examine(job):
    """Run the three tools on one archive: a dict of their results."""
    key, path, args = job
    size = os.path.getsize(path)
    row = {"key": key, "path": path, "size": size, "skip": None}
    quick = size > args.max_size
    t0 = time.monotonic()
    row["zipscan"] = z = run_zipscan(args.zipscan, path, args.zipscan_timeout,
                                     quick)
    if quick:
        row["skip"] = f"{size} bytes > --max-size {args.max_size}"
    elif z["entries"] is not None and z["entries"] > args.max_entries:
        row["skip"] = f"{z['entries']} entries > --max-entries"
    if row["skip"]:
        row["python"] = {"verdict": "skipped", "why": row["skip"],
                         "names": None, "raw": None}
        row["unzip"] = {"verdict": "skipped", "why": row["skip"],
                        "names": None}
    else:
        row["python"] = p = PythonWorker.mine().ask(
            path, args.timeout, args.max_output)
        # A verdict is compared only when both readers give one, so unzip
        # is not asked to test (only to list) when Python gave none: a bomb
        # Python decodes past the budget would hold unzip to the timeout.
        # Nor when zipscan decoded more than the budget: unzip would too.
        if p["verdict"] not in CLASSES:
            no_test = f"Python {p['verdict']}"
        elif z["decoded"] > args.max_output:
            no_test = "zipscan decoded more than --max-output bytes"
        else:
            no_test = None
        row["unzip"] = run_unzip(path, args.timeout, no_test)
    row["seconds"] = time.monotonic() - t0
    return row


# ---- judging --------------------------------------------------------------

def compatible(py, uz):
    """Python's and unzip's verdicts agree (Python has no warning)."""
    return py == uz or (py == "ok" and uz == "warning")


def side_with(zs, py, uz):
    return zs == uz or zs == py or (py == "ok" and zs == "warning")


def judge(row):
    """Fill in row's comparison: verdict and list agreement, whether
    zipscan needs an explanation, and the problems that fail the run."""
    z, p, u = row["zipscan"], row["python"], row["unzip"]
    zs, py, uz = z["verdict"], p["verdict"], u["verdict"]
    row["needs_verdict"] = row["needs_lists"] = False
    row["disagree"] = False
    if py in CLASSES and uz in CLASSES:
        if compatible(py, uz):
            row["needs_verdict"] = zs != uz
        else:
            row["needs_verdict"] = not side_with(zs, py, uz)
    # Python's ok next to a warning is no disagreement: it cannot warn.
    given = {v for v in (zs, uz) if v in CLASSES}
    if py in CLASSES and not (py == "ok" and "warning" in given):
        given.add(py)
    row["disagree"] = len(given) > 1

    # Entry lists.
    zn, pn, un = z["names"], p.get("names"), u["names"]
    py_exact = (multiset(zipscan_rule(bytes.fromhex(h), f) for h, f in
                         p["raw"]) if p.get("raw") is not None else None)
    folded = {t: multiset(n, fold) for t, n in
              (("zipscan", zn), ("python", pn), ("unzip", un))
              if n is not None}
    zs_py = py_exact == multiset(zn) if zn is not None and pn is not None \
        else None
    zs_uz = folded["zipscan"] == folded["unzip"] \
        if zn is not None and un is not None else None
    py_uz = folded["python"] == folded["unzip"] \
        if pn is not None and un is not None else None
    if zn is not None and pn is not None and un is not None:
        if py_uz:
            row["needs_lists"] = not (zs_py and zs_uz)
        else:
            row["needs_lists"] = not (zs_py or zs_uz)
    pairs = {"zipscan=python": zs_py, "zipscan=unzip": zs_uz,
             "python=unzip": py_uz}
    if all(v is not False for v in pairs.values()):
        row["lists"] = "same" if any(v for v in pairs.values()) else "-"
    else:
        row["lists"] = ", ".join(k.replace("=", "\u2260") for k, v in
                                 pairs.items() if v is False)
        row["disagree"] = True

    row["problems"] = list(z["problems"])
    reason = EXPLAINED.get(row["key"])
    row["reason"] = reason
    needs = row["needs_verdict"] or row["needs_lists"]
    if needs and not reason:
        row["state"] = "UNEXPLAINED"
        row["problems"].append("unexplained disagreement: zipscan "
                               f"{zs}, python {py}, unzip {uz}, lists "
                               f"{row['lists']}")
    elif needs:
        r = REASONS[reason]
        bad = []
        if row["needs_verdict"] and zs not in r.verdicts:
            bad.append(f"zipscan's verdict is now {zs}")
        if row["needs_lists"] and not r.lists:
            bad.append("the entry lists differ")
        row["state"] = "explained"
        if bad:
            row["state"] = "UNEXPLAINED"
            row["problems"].append(f"explained as {reason!r}, which does "
                                   f"not fit: {'; '.join(bad)}")
    elif (reason and row["skip"] is None and py in CLASSES and uz in CLASSES
          and not REASONS[reason].may_agree):
        row["state"] = "STALE"
        row["problems"].append(f"listed as explained ({reason}) but zipscan "
                               "now agrees: remove it from EXPLAINED")
    elif row["skip"] or py not in CLASSES or uz not in CLASSES:
        row["state"] = "incomplete"
    elif row["disagree"]:
        row["state"] = "informational"
    else:
        row["state"] = "agree"
    return row


def guess_reason(row):
    """A likely REASONS key for an unexplained row, for --suggest."""
    z = row["zipscan"]
    zs, why, codes = z["verdict"], z["why"].lower(), set(z["codes"])
    if row["needs_lists"] and not row["needs_verdict"]:
        return "?"
    if codes & {"max-ratio", "max-total"}:
        return "limits"
    if zs == "ok" and "filename too long" in row["unzip"]["why"]:
        return "long-name"
    if zs == "warning":
        if codes and codes <= NAME_CODES:
            return "names"
        return "trailing" if codes == {"trailing-bytes"} else "structural"
    if zs == "untested":
        return "unsupported"
    if zs == "ok":
        return "unicode-extra"
    for word, key in (("local", "local"), ("descriptor", "local"),
                      ("extra", "extra"), ("size", "size")):
        if word in why:
            return key
    return "?"


# ---- output ---------------------------------------------------------------

def cell(v):
    return v if v else "-"


def print_text(rows, out, everything):
    shown = [r for r in rows if r["state"] != "incomplete"
             and (everything or r["state"] != "agree")]
    w = max([len(r["key"]) for r in shown] + [7])
    out.write(f"{'archive':<{w}}  {'zipscan':<8} {'python':<8} "
              f"{'unzip':<8} {'lists':<16} {'state':<12} explanation\n")
    for r in shown:
        out.write(f"{r['key']:<{w}}  {cell(r['zipscan']['verdict']):<8} "
                  f"{cell(r['python']['verdict']):<8} "
                  f"{cell(r['unzip']['verdict']):<8} {r['lists']:<16} "
                  f"{r['state']:<12} {r['reason'] or ''}\n")
    for r in rows:
        if r["state"] == "incomplete":
            why = r["skip"] or "; ".join(
                f"{t} {r[t]['verdict']} ({r[t]['why']})"
                for t in ("python", "unzip")
                if r[t]["verdict"] not in CLASSES)
            out.write(f"not compared  {r['key']}: zipscan "
                      f"{r['zipscan']['verdict']}; {why}\n")


def md(text):
    return text.replace("|", "\\|")


def print_markdown(rows, out):
    """The disagreements, explained ones first by reason, then the reasons
    with their counts, as Markdown."""
    order = {"UNEXPLAINED": 0, "STALE": 1, "explained": 2, "informational": 3}
    reasons = list(REASONS)
    shown = sorted((r for r in rows if r["state"] in order),
                   key=lambda r: (order[r["state"]],
                                  reasons.index(r["reason"]) if r["reason"]
                                  else 0, r["key"]))
    out.write("| archive | zipscan | Python | unzip | entry lists | "
              "zipscan's findings | why |\n|---|---|---|---|---|---|---|\n")
    for r in shown:
        why = (f"`{r['reason']}`" if r["state"] == "explained" else
               "Python and unzip disagree" if r["state"] == "informational"
               else f"**{r['state']}**")
        out.write(f"| `{md(r['key'])}` | {cell(r['zipscan']['verdict'])} | "
                  f"{cell(r['python']['verdict'])} | "
                  f"{cell(r['unzip']['verdict'])} | {md(r['lists'])} | "
                  f"{md(' '.join(r['zipscan']['codes']))} | {why} |\n")
    counts = collections.Counter(r["reason"] for r in shown
                                 if r["state"] == "explained")
    out.write("\n| reason | archives | zipscan gives | why |\n"
              "|---|---:|---|---|\n")
    for key, reason in REASONS.items():
        if counts[key]:
            out.write(f"| `{key}` | {counts[key]} | "
                      f"{', '.join(sorted(reason.verdicts)) or '-'}"
                      f"{' (lists differ)' if reason.lists else ''} | "
                      f"{md(reason.text)} |\n")
    states = collections.Counter(r["state"] for r in rows)
    out.write(f"\n{len(rows)} archives: " + ", ".join(
        f"{n} {s}" for s, n in sorted(states.items())) + ".\n")


def summary(rows, seconds, out):
    states = collections.Counter(r["state"] for r in rows)
    reasons = collections.Counter(r["reason"] for r in rows
                                  if r["state"] == "explained")
    out.write(f"\n{len(rows)} archives in {seconds:.1f} s: "
              + ", ".join(f"{n} {s}" for s, n in sorted(states.items()))
              + "\n")
    if reasons:
        out.write("explained: " + ", ".join(
            f"{k} {n}" for k, n in sorted(reasons.items())) + "\n")
    triples = collections.Counter(
        (r["zipscan"]["verdict"], r["python"]["verdict"],
         r["unzip"]["verdict"]) for r in rows)
    out.write("verdicts (zipscan/python/unzip): " + ", ".join(
        f"{'/'.join(map(str, t))} {n}" for t, n in triples.most_common())
        + "\n")
    slow = sorted(rows, key=lambda r: -r["seconds"])[:3]
    out.write("slowest: " + ", ".join(f"{r['key']} {r['seconds']:.1f} s"
                                      for r in slow) + "\n")


# Fixtures built from a corpus file: absent when the corpus is.
MADE_FROM_CORPUS = {"fixtures/methods/lzma-oom.zip"}

# ---- main -----------------------------------------------------------------

def collect(args):
    """[(key, path)] of every archive to examine."""
    jobs, scanned = [], set()

    def add(label, root, keep):
        scanned.add(label)
        for d, subdirs, files in os.walk(root):
            subdirs.sort()
            for name in sorted(files):
                path = os.path.join(d, name)
                if keep(name) and os.path.isfile(path):
                    rel = os.path.relpath(path, root)
                    jobs.append((f"{label}/{rel}", path))

    for root in args.every_file:
        if not os.path.isdir(root):
            # a fresh clone has no corpus beside it: say so, check the rest
            print(f"differential.py: no corpus at {root}: its archives are "
                  f"skipped (CORPUS=DIR make test)")
            args.no_corpus = True
            continue
        add(os.path.basename(os.path.normpath(root)), root,
            lambda n: not DOC_NAME.search(n) and not n.startswith("."))
    for root in args.archives:
        add(os.path.basename(os.path.normpath(root)), root,
            lambda n: n.endswith(".zip"))
    for path in args.files:
        label = os.path.basename(os.path.dirname(os.path.abspath(path)))
        jobs.append((f"{label}/{os.path.basename(path)}", path))
    keys = collections.Counter(k for k, _ in jobs)
    dupes = [k for k, n in keys.items() if n > 1]
    if dupes:
        sys.exit(f"differential.py: two archives named {dupes[0]}")
    return jobs, scanned


def main():
    if sys.argv[1:] == ["--python-server"]:
        python_server()
        return 0
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("zipscan")
    ap.add_argument("files", nargs="*", metavar="FILE")
    ap.add_argument("--every-file", action="append", default=[],
                    metavar="DIR", help="every file below DIR but docs")
    ap.add_argument("--archives", action="append", default=[],
                    metavar="DIR", help="every *.zip below DIR")
    ap.add_argument("-j", "--jobs", type=int, default=2,
                    help="archives examined at a time (2)")
    ap.add_argument("--timeout", type=float, default=30,
                    help="seconds for each Python and unzip run (30)")
    ap.add_argument("--zipscan-timeout", type=float, default=120,
                    help="seconds for each zipscan run (120)")
    ap.add_argument("--max-size", type=int, default=64 << 20,
                    help="bytes of archive Python and unzip are given (64 "
                    "MiB)")
    ap.add_argument("--max-entries", type=int, default=100_000,
                    help="entries Python and unzip are given (100,000)")
    ap.add_argument("--max-output", type=int, default=1 << 30,
                    help="bytes Python and unzip may decode per archive "
                    "(1 GiB)")
    ap.add_argument("--markdown", action="store_true",
                    help="print the table as Markdown")
    ap.add_argument("--suggest", action="store_true",
                    help="print EXPLAINED lines for unexplained rows")
    ap.add_argument("--all", action="store_true",
                    help="print every archive, agreeing ones too")
    args = ap.parse_args()
    args.no_corpus = False

    jobs, scanned = collect(args)
    if not jobs:
        sys.exit("differential.py: no archives")
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(examine, [(k, p, args) for k, p in jobs]))
    PythonWorker.stop_all()
    seconds = time.monotonic() - t0
    rows = [judge(r) for r in rows]
    seen = {r["key"] for r in rows}
    stale = [k for k in EXPLAINED
             if k.split("/", 1)[0] in scanned and k not in seen
             and not (args.no_corpus and k in MADE_FROM_CORPUS)]
    for key in EXPLAINED.values():
        if key not in REASONS:
            sys.exit(f"differential.py: EXPLAINED uses unknown reason {key}")

    # With --markdown the table alone goes to standard output.
    out = sys.stderr if args.markdown else sys.stdout
    if args.markdown:
        print_markdown(rows, sys.stdout)
    else:
        print_text(rows, out, args.all)
    failed = 0
    for r in rows:
        for p in r["problems"]:
            out.write(f"FAIL  {r['key']}: {p}\n")
        failed += bool(r["problems"])
    passed = len(rows) - failed
    for k in stale:
        out.write(f"FAIL  {k}: in EXPLAINED but not found: remove it\n")
        failed += 1
    if args.suggest:
        for r in rows:
            if r["state"] == "UNEXPLAINED":
                z, p, u = r["zipscan"], r["python"], r["unzip"]
                said = " ".join(z["codes"] + [z["why"][:60]])
                out.write(f'    "{r["key"]}": "{guess_reason(r)}",  # '
                          f"zs {z['verdict']} py {p['verdict']} uz "
                          f"{u['verdict']} lists {r['lists']}: {said}\n")
    summary(rows, seconds, out)
    out.write(f"differential: {passed} passed, {failed} failed\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
