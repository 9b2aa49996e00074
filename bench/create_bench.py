# SPDX-License-Identifier: MIT
"""bench/create_bench.py - the `create` series of bench/run (BENCH_ONLY=create):
zipscan create -l 6 against Info-ZIP zip -6, 7-Zip (-mx5 -mmt=2) and bsdtar,
each writing a ZIP of the same input: the many-files tree (Python's
standard library) and the big-files set (the largest shared libraries);
then every tool at levels 1, 3, 6 and 9 on the many-files tree
(BENCH_ONLY=levels runs that series alone).

CPU time (user + system of the child, from wait4) is reported beside the
wall time: on a shared machine the wall time depends on the neighbours,
the CPU time much less.  Median of BENCH_ROUNDS rounds, commands
alternating round by round.
"""
import os
import statistics
import subprocess
import sys
import time

ZIPSCAN = "build/zipscan"
FLOOR = "build/create_floor"


def run_once(cmd, out):
    if os.path.exists(out):
        os.unlink(out)   # 7zz a would add to it
    # Untimed: the archive the command before wrote is still being
    # written back to the disk, which would be charged to this one
    # (create on the Python tree: 0.42 s right after zip, 0.38 s after a
    # sync; zip itself 1.97 s against 1.91 s).
    os.sync()
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"bench: {' '.join(cmd)} exited {code}")
    return wall, ru.ru_utime + ru.ru_stime, os.path.getsize(out)


def commands(paths, out, level=6):
    return {
        f"zipscan create -l{level}": [ZIPSCAN, "create", "-q", f"-l{level}",
                                      out] + paths,
        f"zipscan create -l{level} -j1": [ZIPSCAN, "create", "-q", "-j1",
                                          f"-l{level}", out] + paths,
        "zip -r -6": ["zip", "-qr6", out] + paths,
        "7zz -mx5 -mmt=2": ["7zz", "a", "-tzip", "-mx5", "-mmt=2", out]
        + paths,
        "bsdtar (zip)": ["bsdtar", "--format", "zip", "-cf", out] + paths,
    }


def bench(label, paths, rounds, workdir):
    out = os.path.abspath(os.path.join(workdir, "create-out.zip"))
    cmds = commands(paths, out)
    res = {k: [] for k in cmds}
    for _ in range(rounds):
        for name, cmd in cmds.items():
            res[name].append(run_once(cmd, out))
    os.unlink(out)
    print(f"\ncreate, {label}: median of {rounds} rounds (CPU = user + "
          f"system seconds; wall under whatever load there is)")
    print(f"| {'command':<24} | {'CPU s':>7} | {'wall s':>7} | "
          f"{'archive bytes':>14} | {'CPU vs zip':>10} |")
    print(f"|{'-' * 26}|{'-' * 8}:|{'-' * 8}:|{'-' * 15}:|{'-' * 11}:|")
    med = {k: [statistics.median(x[i] for x in v) for i in range(3)]
           for k, v in res.items()}
    zip_cpu = med["zip -r -6"][1]
    for name, (wall, cpu, size) in med.items():
        print(f"| {name:<24} | {cpu:7.2f} | {wall:7.2f} | {int(size):>14,} "
              f"| {zip_cpu / cpu:9.2f}x |", flush=True)
    floor(paths, zip_cpu)


def floor(paths, zip_cpu):
    """libdeflate alone on the same 1 MiB units (bench/create_floor.c):
    half of its CPU is the least wall time create can take on 2 cores."""
    if not os.path.exists(FLOOR):
        return
    out = subprocess.run([FLOOR, "6"] + paths, check=True,
                         capture_output=True, text=True).stdout.split()
    cpu = float(out[2])
    print(f"floor: libdeflate -l6 alone {cpu:.2f} s CPU on one thread "
          f"({int(out[1]):,} bytes); on 2 cores at best {cpu / 2:.2f} s, "
          f"zip's CPU / that = {zip_cpu / (cpu / 2):.1f}x", flush=True)


def level_commands(paths, out, level):
    """Each tool at the same level (bsdtar through libarchive's zlib)."""
    return {
        "zipscan create": [ZIPSCAN, "create", "-q", f"-l{level}", out]
        + paths,
        "zip -r": ["zip", f"-qr{level}", out] + paths,
        "7zz -mmt=2": ["7zz", "a", "-tzip", f"-mx{level}", "-mmt=2", out]
        + paths,
        "bsdtar (zip)": ["bsdtar", "--format", "zip", "--options",
                         f"zip:compression-level={level}", "-cf", out]
        + paths,
    }


def levels(paths, rounds, workdir, which=(1, 3, 6, 9)):
    """Every tool at each level both offer: zipscan must be the fastest at
    each.  (zipscan's levels 10-12, libdeflate's near-optimal parsing,
    have no counterpart.)  bsdtar stores a symlink as a link where zip and
    zipscan store what it points to, hence its smaller archives here."""
    out = os.path.abspath(os.path.join(workdir, "create-level.zip"))
    print(f"\ncreate at each level, {', '.join(paths)}: median of {rounds} "
          f"rounds, wall seconds (archive bytes)")
    names = list(level_commands(paths, out, 1))
    print("| level | " + " | ".join(names) + " | zipscan fastest |")
    print("|---:|" + "---:|" * len(names) + "---|")
    for level in which:
        cmds = level_commands(paths, out, level)
        res = {k: [] for k in cmds}
        for _ in range(rounds):
            for name, cmd in cmds.items():
                res[name].append(run_once(cmd, out))
        med = {k: (statistics.median(x[0] for x in v),
                   statistics.median(x[2] for x in v))
               for k, v in res.items()}
        ours = med["zipscan create"][0]
        best_other = min(w for k, (w, _) in med.items()
                         if k != "zipscan create")
        cells = " | ".join(f"{w:.2f} ({int(b):,})" for w, b in med.values())
        print(f"| {level} | {cells} | "
              f"{'yes' if ours < best_other else 'NO'}, "
              f"{best_other / ours:.1f}x the next |", flush=True)
    os.unlink(out)


def main(rounds, workdir, many_trees, big_files):
    bench("many files (" + ", ".join(many_trees) + ")", many_trees, rounds,
          workdir)
    bench(f"big files ({len(big_files)} largest libraries)", big_files,
          rounds, workdir)
    levels(many_trees, rounds, workdir)
