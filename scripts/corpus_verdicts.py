#!/usr/bin/env python3
"""corpus_verdicts.py ZIPSCAN CORPUS - zipscan's verdict on every archive of
the third-party corpus, against Info-ZIP's recorded in CORPUS/SOURCES.md.

For each archive it runs `zipscan test --json` and `zipscan list --json`,
checks that the exit status is a defined one and that every JSON line parses
with the documented fields, and compares the verdict class (ok, warning,
untested, failed) with `unzip -t`'s.  A disagreement must be listed in
EXPLAINED below with the reason; an unexplained one, or an explanation that
no longer applies, fails the run.
"""
import json
import os
import re
import subprocess
import sys

DEFINED = {0, 1, 2, 3, 9, 12, 81, 82}

REASONS = {
    "audit": "the structural audit warns (exit 1) about an ambiguity or "
             "damage unzip passes silently: gaps or bytes before the first "
             "entry, duplicate, empty, control-byte or backslash names, a "
             "wrong ZIP64 record size",
    "trailing": "bytes after the end record are a warning (exit 1); unzip "
                "ignores them",
    "unsupported": "method not decoded yet (bzip2, Deflate64, implode, "
                   "shrink): exit 81; unzip decodes it",
    "zipcrypto": "encrypted entries are reported as encrypted (82), never "
                 "decrypted; unzip tries the password and reports it wrong (1)",
    "local": "local/central disagreement is an error for the entry (2), as "
             "libzip's consistency check; unzip passes or warns",
    "unicode-extra": "unzip compares the Info-ZIP Unicode Path extra (0x7075) "
                     "with the name and warns; zipscan does not read that "
                     "extra yet (the header names agree)",
    "size": "a stored entry whose sizes differ, or output past the declared "
            "size, is an error (2); unzip warns or passes",
    "overlap": "entry data running into the central directory is reported "
               "as overlap (12), as unzip does for other damaged files",
    "extra": "a malformed extra field is an error (2), as Python reports it",
    "cd-size": "central directory size disagreeing with the records is "
               "severe (3); unzip warns",
    "zip64-end": "the ZIP64 end record is used with a warning when it "
                 "disagrees with the classic one (Python uses it silently); "
                 "unzip fails",
    "gap": "a gap before the end record is a warning (1); unzip calls it an "
           "error (2)",
}

EXPLAINED = {
    "golang-go/dupdir.zip": "audit",
    "libarchive/test_compat_zip_2.zip": "audit",
    "libarchive/test_compat_zip_4.zip": "audit",
    "libarchive/test_compat_zip_8.zip": "audit",
    "libarchive/test_read_format_zip_filename_cp932.zip": "audit",
    "libzip/filename_duplicate.zip": "audit",
    "libzip/filename_duplicate_empty.zip": "audit",
    "libzip/filename_empty.zip": "audit",
    "libzip/incons-eocd64-gap.zip": "audit",
    "libzip/incons-filename-nul-byte.zip": "audit",
    "libzip/incons-gap-before-cd.zip": "audit",
    "libzip/incons-gap-before-local.zip": "audit",
    "libzip/test-cp437-comment-utf-8.zip": "audit",
    "libzip/test-cp437.zip": "audit",
    "zip2/zip64_magic_in_filename_1.zip": "audit",
    "zip2/zip64_magic_in_filename_2.zip": "audit",
    "zip2/zip64_magic_in_filename_3.zip": "audit",
    "zip2/zip64_magic_in_filename_4.zip": "audit",
    "zip2/zip64_magic_in_filename_5.zip": "audit",

    "golang-go/readme.zip": "trailing",
    "golang-go/test-trailing-junk.zip": "trailing",
    "libarchive/test_read_format_zip_padded2.zip": "trailing",
    "libzip/incons-archive-comment-shorter.zip": "trailing",
    "libzip/junk-at-end.zip": "trailing",
    "libzip/testextrabytes.zip": "trailing",
    "libarchive/test_read_format_zip_bzip2.zipx": "unsupported",
    "libarchive/test_read_format_zip_bzip2_multi.zipx": "unsupported",
    "libzip/testbzip2.zip": "unsupported",
    "libzip/testbzip2broken.zip": "unsupported",
    "zip2/deflate64.zip": "unsupported",
    "zip2/implode.zip": "unsupported",
    "zip2/shrink.zip": "unsupported",
    "libzip/encrypt-pkware-noentropy-2.zip": "zipcrypto",
    "libzip/encrypt-pkware-noentropy.zip": "zipcrypto",
    "libzip/encrypt.zip": "zipcrypto",
    "libzip/encrypt_plus_extra.zip": "zipcrypto",
    "libzip/encrypt_plus_extra_modified_c.zip": "zipcrypto",
    "libzip/encrypt_plus_extra_modified_l.zip": "zipcrypto",
    "libarchive/test_read_format_zip_7075_utf8_paths.zip": "local",
    "libzip/incons-central-compression-method.zip": "local",
    "libzip/incons-central-compsize-smaller.zip": "local",
    "libzip/incons-central-crc.zip": "local",
    "libzip/incons-central-size-larger.zip": "local",
    "libzip/incons-local-filename-missing.zip": "local",
    "libzip/incons-local-filename.zip": "local",
    "libzip/incons-streamed-2.zip": "local",
    "libzip/incons-streamed.zip": "local",
    "libzip/incons-ef-local-dupe-zip64-v2.zip": "local",
    "libzip/incons-zip64-checkcons-overflow.zip": "local",
    "golang-go/utf8-7zip.zip": "unicode-extra",
    "golang-go/utf8-winrar.zip": "unicode-extra",
    "golang-go/utf8-winzip.zip": "unicode-extra",
    "libzip/incons-ef-local-dupe-utf8name.zip": "unicode-extra",
    "libzip/incons-ef-local-utf8name-ascii.zip": "unicode-extra",
    "libarchive/test_read_format_zip_size_exceeds_declared_deflate.zip": "size",
    "libarchive/test_read_format_zip_size_exceeds_declared_stored.zip": "size",
    "libarchive/test_read_format_zip_uncompressed_size_off_by_4gib.zip": "size",
    "libzip/incons-stored-size.zip": "size",
    "libzip/incons-local-size-larger.zip": "size",
    "libzip/incons-central-compsize-larger-toolarge.zip": "overlap",
    "libzip/incons-central-compsize-larger.zip": "overlap",
    "libzip/incons-ef-central-size-wrong.zip": "extra",
    "zip2/extended_timestamp_bad.zip": "extra",
    "libzip/incons-central-file-comment-shorter.zip": "cd-size",
    "libzip/incons-eocd64.zip": "zip64-end",
    "libzip/incons-gap-before-eocd.zip": "gap",
}

ROW = re.compile(r"\| `([^`]+)` \| \d+ \| `[^`]+` \| .* \| (\d+): ([^|]*) \|"
                 r" [^|]* \| [^|]* \|$")
ENTRY_FIELDS = {"name", "method", "method_name", "compressed_size",
                "uncompressed_size", "crc32", "is_dir", "encrypted", "mtime",
                "offset"}


def verdict_class(status):
    if status == 0:
        return "ok"
    if status == 1:
        return "warning"
    if status in (81, 82):
        return "untested"
    return "failed"


def check_json(out, with_status):
    """Problems with one --json output, as a list of strings."""
    problems = []
    lines = out.splitlines()
    if len(lines) != 1:
        return [f"{len(lines)} JSON lines, expected 1"]
    try:
        obj = json.loads(lines[0])
    except ValueError as e:
        return [f"JSON does not parse: {e}"]
    for key in ("archive", "entries", "findings", "summary"):
        if key not in obj:
            problems.append(f"JSON lacks {key}")
    for e in obj.get("entries", []):
        want = ENTRY_FIELDS | ({"status"} if with_status else set())
        if not want <= set(e):
            problems.append(f"entry lacks {sorted(want - set(e))}")
            break
    return problems


def run(zipscan, args):
    return subprocess.run([zipscan] + args, capture_output=True, text=True,
                          timeout=120)


def main():
    zipscan, corpus = sys.argv[1], sys.argv[2]
    files = {}
    for folder in sorted(os.listdir(corpus)):
        if os.path.isdir(os.path.join(corpus, folder)):
            for name in os.listdir(os.path.join(corpus, folder)):
                files[name] = f"{folder}/{name}"
    passed = failed = 0
    seen = set()
    for line in open(os.path.join(corpus, "SOURCES.md"), encoding="utf-8"):
        m = ROW.match(line.strip())
        if not m:
            continue
        rel = files[m.group(1)]
        seen.add(rel)
        unzip_status, unzip_says = int(m.group(2)), m.group(3).strip()
        path = os.path.join(corpus, rel)
        test = run(zipscan, ["test", "--json", path])
        listing = run(zipscan, ["list", "--json", path])
        problems = []
        if test.returncode not in DEFINED:
            problems.append(f"undefined exit status {test.returncode}")
        problems += check_json(test.stdout, True)
        if listing.returncode not in DEFINED:
            problems.append(f"list: undefined exit status {listing.returncode}")
        if listing.stdout:
            problems += ["list: " + p for p in check_json(listing.stdout, False)]
        ours, theirs = verdict_class(test.returncode), verdict_class(unzip_status)
        reason = EXPLAINED.get(rel)
        if ours != theirs and not reason:
            problems.append(f"zipscan {test.returncode} ({ours}) but unzip "
                            f"{unzip_status} ({theirs}: {unzip_says}), unexplained")
        if ours == theirs and reason:
            problems.append(f"listed as explained ({reason}) but now agrees "
                            "with unzip: remove it from EXPLAINED")
        if ours != theirs and reason:
            print(f"differs  {rel}: zipscan {test.returncode}, unzip "
                  f"{unzip_status}: {REASONS[reason]}")
        if problems:
            failed += 1
            for p in problems:
                print(f"FAIL     {rel}: {p}")
        else:
            passed += 1
    for rel in sorted(set(files.values()) - seen):
        print(f"FAIL     {rel}: not in SOURCES.md")
        failed += 1
    print(f"corpus: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
