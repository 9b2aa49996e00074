#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""compare_trees.py [--no-times] A B - do two extracted trees hold the same
things?

Compares, path by path: the kind (file, directory, symlink), a file's
content, permission bits and modification time (whole seconds), and a
symlink's target.  A symlink's own time is not compared: unzip does not set
it (zipscan does).  --no-times leaves times out altogether: for archives
whose NTFS times (which 7-Zip reads, zipscan not) are not their DOS times.
Prints each difference; exit status 1 if there is one.
"""
import os
import stat
import sys


def walk(root):
    """Relative path -> lstat result, for everything under root."""
    out = {}
    for dirpath, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(dirpath, n)
            out[os.path.relpath(p, root)] = os.lstat(p)
    return out


def kind(st):
    if stat.S_ISLNK(st.st_mode):
        return "symlink"
    return "directory" if stat.S_ISDIR(st.st_mode) else "file"


def differences(a, b, times=True):
    ta, tb = walk(a), walk(b)
    for p in sorted(set(ta) | set(tb)):
        if p not in ta or p not in tb:
            yield f"{p}: only in {a if p in ta else b}"
            continue
        sa, sb = ta[p], tb[p]
        if kind(sa) != kind(sb):
            yield f"{p}: {kind(sa)} against {kind(sb)}"
            continue
        if stat.S_ISLNK(sa.st_mode):
            la, lb = os.readlink(os.path.join(a, p)), os.readlink(os.path.join(b, p))
            if la != lb:
                yield f"{p}: link to {la!r} against {lb!r}"
            continue
        if stat.S_IMODE(sa.st_mode) != stat.S_IMODE(sb.st_mode):
            yield f"{p}: mode {stat.S_IMODE(sa.st_mode):o} against {stat.S_IMODE(sb.st_mode):o}"
        if times and int(sa.st_mtime) != int(sb.st_mtime):
            yield f"{p}: mtime {int(sa.st_mtime)} against {int(sb.st_mtime)}"
        if stat.S_ISREG(sa.st_mode):
            with open(os.path.join(a, p), "rb") as fa, open(os.path.join(b, p), "rb") as fb:
                if fa.read() != fb.read():
                    yield f"{p}: contents differ"


def main():
    args = sys.argv[1:]
    times = args[:1] != ["--no-times"]
    if not times:
        args = args[1:]
    if len(args) != 2:
        sys.exit(__doc__)
    found = list(differences(args[0], args[1], times))
    for d in found:
        print(d)
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
