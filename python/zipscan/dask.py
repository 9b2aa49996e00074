# SPDX-License-Identifier: MIT
"""`zipscan test --db` of many archives on a Dask cluster.

    python3 -m zipscan.dask --scheduler tcp://host:8786 \\
        --db postgresql://... [--refresh] [-j N] [--json] ARCHIVE...

or, from Python, with a distributed.Client:

    from zipscan.dask import scan
    summary = scan(client, paths, "postgresql://...")

The archives are split into one share per worker thread, largest first
(by file size, each to the share with the fewest bytes so far), and each
share runs on its worker as one task: one catalog handle (one database
connection, one row in `runs`), then every archive of the share, largest
first, skipped if the catalog holds it unchanged, else tested by the
library and recorded in one transaction (zipscan.catalog).  The rows are
those of `zipscan test --db` of the same archives on one machine.

Paths must name the same files on every worker (a shared file system);
they are made absolute on the client.  The catalog is PostgreSQL when the
workers are on several machines; a SQLite file only when every worker
runs on the client's machine (a LocalCluster), which is checked.
"""
from __future__ import annotations

import os
import sys
import socket
import time
from typing import Dict, Iterable, List, Sequence, Tuple

EXIT_OK = 0
EXIT_ENTRY = 2
EXIT_USAGE = 10
EXIT_WRITE = 50
EXIT_INTERRUPT = 80

# Info-ZIP's exit statuses, as the README's "Exit status" names them
STATUS_NAMES = {
    0: "ok", 1: "warning", 2: "bad entries", 3: "severe", 4: "no memory",
    9: "not found or not a ZIP", 11: "no match", 12: "overlapping entries",
    50: "write or database error", 51: "changed", 80: "interrupted",
    81: "unsupported", 82: "encrypted",
}


def is_postgres(db: str) -> bool:
    """Does the library take db as PostgreSQL (src/catalog.c's rule)?"""
    return (db.startswith("postgresql://") or db.startswith("postgres://")
            or "=" in db)


def plan(sizes: Sequence[Tuple[str, int]], shares: int) -> List[List[str]]:
    """Split (path, size) pairs into `shares` lists, largest first: each
    archive goes to the share with the fewest bytes so far (the lowest
    numbered on a tie); each list keeps largest-first order.  The same
    input always gives the same plan."""
    if shares < 1:
        raise ValueError("shares must be at least 1")
    order = sorted(sizes, key=lambda ps: (-ps[1], ps[0]))
    out: List[List[str]] = [[] for _ in range(shares)]
    load = [0] * shares
    for path, size in order:
        k = min(range(shares), key=lambda i: (load[i], i))
        out[k].append(path)
        load[k] += size
    return [s for s in out if s]


def scan_share(db: str, paths: List[str], refresh: bool, threads: int,
               options: str) -> dict:
    """One share, on a worker: every archive of paths into the catalog.
    Returns {"results": [ScanResult as dict...], "error": str,
    "status": worst, "cpu": seconds of this thread}.  A database error
    stops the share (its status 50, its message in "error")."""
    import dataclasses
    from .catalog import Catalog, CatalogError
    from . import exit_worse

    cpu0 = time.thread_time()
    results: List[dict] = []
    worst, error = EXIT_OK, ""
    try:
        cat = Catalog(db, options=options, threads=threads)
        try:
            for p in paths:
                r = cat.scan(p, refresh=refresh)
                results.append(dataclasses.asdict(r))
                worst = exit_worse(worst, r.status)
        finally:
            cat.close(worst)
    except CatalogError as e:
        worst, error = exit_worse(worst, e.status), str(e)
    return {"results": results, "error": error, "status": worst,
            "cpu": time.thread_time() - cpu0, "host": socket.gethostname()}


def _workers(client) -> Dict[str, dict]:
    workers = client.scheduler_info().get("workers", {})
    if not workers:
        raise RuntimeError("the Dask cluster has no workers")
    return workers


def _check_sqlite_local(client, db: str) -> None:
    """A SQLite catalog only when every worker is on this machine."""
    if is_postgres(db):
        return
    here = socket.gethostname()
    hosts = set(client.run(socket.gethostname).values())
    if hosts - {here}:
        raise ValueError(
            "%s is a SQLite file, but workers run on %s: a catalog shared "
            "by several machines must be PostgreSQL (--db postgresql://...)"
            % (db, ", ".join(sorted(hosts - {here}))))


def _sizes(paths: Iterable[str]) -> List[Tuple[str, int]]:
    seen, out = set(), []
    for p in paths:
        a = os.path.abspath(p)
        if a in seen:
            continue
        seen.add(a)
        try:
            out.append((a, os.stat(a).st_size))
        except OSError:
            out.append((a, 0))   # the worker says why (exit 9)
    return out


def _options_line(refresh: bool, threads: int, k: int, n: int) -> str:
    words = ["dask", "share", "%d/%d" % (k + 1, n)]
    if refresh:
        words.append("--refresh")
    words += ["-j", str(threads)]
    return " ".join(words)


def scan(client, paths: Iterable[str], db: str, refresh: bool = False,
         threads: int = 1) -> dict:
    """Test and record every archive of paths into the catalog db on the
    cluster of client (a distributed.Client); returns the summary
    (see summarize).  threads: the library's threads per archive."""
    from . import exit_worse
    t0 = time.monotonic()
    db_arg = db if is_postgres(db) else os.path.abspath(db)
    _check_sqlite_local(client, db_arg)
    sizes = _sizes(paths)
    workers = _workers(client)
    slots = [addr for addr, w in sorted(workers.items())
             for _ in range(max(1, int(w.get("nthreads", 1))))]
    shares = plan(sizes, len(slots)) if sizes else []
    futures = [client.submit(scan_share, db_arg, share, refresh, threads,
                             _options_line(refresh, threads, k, len(shares)),
                             workers=[slots[k]], allow_other_workers=True,
                             pure=False, key="zipscan-share-%d-%s" %
                             (k, os.urandom(6).hex()))
               for k, share in enumerate(shares)]
    outs = client.gather(futures)
    summary = summarize(outs, dict(sizes), exit_worse)
    summary["workers"] = len(workers)
    summary["shares"] = len(shares)
    summary["seconds"] = time.monotonic() - t0
    return summary


def summarize(outs: List[dict], sizes: Dict[str, int], worse) -> dict:
    """The batch summary: counts per exit status (scanned and skipped
    archives alike), skipped and scanned counts, the worst status, bytes,
    entries, the archives not ok, database errors, worker CPU seconds."""
    by_status: Dict[str, int] = {}
    worst, scanned, skipped, entries, cpu = EXIT_OK, 0, 0, 0, 0.0
    bytes_scanned, failed, errors = 0, [], []
    for o in outs:
        worst = worse(worst, o["status"])
        cpu += o["cpu"]
        if o["error"]:
            errors.append(o["error"])
        for r in o["results"]:
            key = str(r["status"])
            by_status[key] = by_status.get(key, 0) + 1
            if r["skipped"]:
                skipped += 1
            else:
                scanned += 1
                bytes_scanned += r["size"]
                entries += r["entries"]
            if r["status"] != EXIT_OK:
                failed.append({"path": r["path"], "status": r["status"],
                               "skipped": r["skipped"],
                               "message": r["message"]})
    failed.sort(key=lambda f: f["path"])
    return {"archives": len(sizes), "scanned": scanned, "skipped": skipped,
            "by_status": dict(sorted(by_status.items(),
                                     key=lambda kv: int(kv[0]))),
            "status": worst, "bytes": sum(sizes.values()),
            "bytes_scanned": bytes_scanned, "entries": entries,
            "failed": failed, "errors": errors, "worker_cpu_seconds": cpu}


def format_text(s: dict) -> str:
    """The summary as the command prints it."""
    lines = ["%d archives, %d bytes, on %d workers in %d shares: %d scanned "
             "(%d entries), %d skipped as unchanged"
             % (s["archives"], s["bytes"], s["workers"], s["shares"],
                s["scanned"], s["entries"], s["skipped"])]
    for st, n in s["by_status"].items():
        lines.append("  exit %s (%s): %d archives"
                     % (st, STATUS_NAMES.get(int(st), "?"), n))
    lines.append("worst exit status: %d" % s["status"])
    return "\n".join(lines) + "\n"


def _parser():
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message):   # usage errors: Info-ZIP's 10
            self.print_usage(sys.stderr)
            sys.stderr.write("%s: error: %s\n" % (self.prog, message))
            sys.exit(EXIT_USAGE)

    p = Parser(prog="python3 -m zipscan.dask",
               description="zipscan test --db of ARCHIVEs on a Dask "
               "cluster: the shared catalog, then a batch summary; exits "
               "with the worst exit status.")
    p.add_argument("--scheduler", required=True, metavar="ADDRESS",
                   help="the Dask scheduler (tcp://host:8786)")
    p.add_argument("--db", required=True, metavar="URL",
                   help="PostgreSQL URL (or a SQLite file when every "
                   "worker is on this machine)")
    p.add_argument("--refresh", action="store_true",
                   help="rescan archives recorded as unchanged")
    p.add_argument("-j", type=int, default=1, metavar="N",
                   help="the library's threads per archive (default 1; "
                   "each worker thread scans one archive at a time)")
    p.add_argument("--json", action="store_true",
                   help="the summary as JSON")
    p.add_argument("archives", nargs="+", metavar="ARCHIVE")
    return p


def main(argv=None) -> int:
    import json
    args = _parser().parse_args(argv)
    if args.j < 0:
        _parser().error("-j must be 0 or more")
    from distributed import Client
    # the task function must be pickled as zipscan.dask.scan_share, not
    # __main__'s: go through the module, whatever ran this
    from zipscan import dask as mod
    try:
        with Client(args.scheduler, timeout="30s") as client:
            s = mod.scan(client, args.archives, args.db,
                         refresh=args.refresh, threads=args.j)
    except KeyboardInterrupt:
        sys.stderr.write("zipscan.dask: interrupted\n")
        return EXIT_INTERRUPT
    except Exception as e:   # the scheduler, a worker, a task: say what
        sys.stderr.write("zipscan.dask: %s: %s\n"
                         % (type(e).__name__, e))
        return EXIT_ENTRY
    for f in s["failed"]:
        sys.stderr.write("zipscan.dask: %s: exit %d%s\n"
                         % (f["path"], f["status"], ": " + f["message"]
                            if f["message"] else ""))
    for e in s["errors"]:
        sys.stderr.write("zipscan.dask: %s\n" % e)
    sys.stdout.write(json.dumps(s, indent=1) + "\n" if args.json
                     else format_text(s))
    return s["status"]


if __name__ == "__main__":
    sys.exit(main())
