# SPDX-License-Identifier: MIT
"""zipscan.dask and zipscan.catalog against real components: a PostgreSQL
15 server started by test/pg_server.sh and a distributed.LocalCluster of
two worker processes on 127.0.0.1.  Each skips with one line when its
server cannot start.

The catalog a Dask run writes must equal, row for row (timing and run
columns aside), the one `zipscan test --db` writes on one machine.
"""
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import zipfile

import pytest

import zipscan
from zipscan import dask as zd
from zipscan.catalog import Catalog, CatalogError

HERE = os.path.dirname(os.path.abspath(__file__))
PYDIR = os.path.dirname(HERE)
ROOT = os.path.dirname(PYDIR)
ZIPSCAN_BIN = os.environ.get("ZIPSCAN_BIN",
                             os.path.join(ROOT, "build", "zipscan"))
PG_SERVER = os.path.join(ROOT, "test", "pg_server.sh")
PSQL = os.path.join(os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin"),
                    "psql")
DATE = (2021, 6, 15, 13, 37, 42)

# archives.columns that say when or by which run, not what was found
TIMING = {"first_recorded", "scanned", "run_id"}


def _zip(path, files, method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", method) as z:
        for name, data in files:
            z.writestr(zipfile.ZipInfo(name, DATE), data)


def _text(n, seed):
    return b"".join(b"%s line %d\n" % (seed, i) for i in range(n))


def make_archives(d):
    """Ten archives: seven of different sizes and contents, one with a
    bad CRC-32 (exit 2), one with data before it (a finding, exit 1), one
    that is not a ZIP (exit 9); paths sorted."""
    paths = []
    for k in range(7):
        p = os.path.join(d, "a%d.zip" % k)
        _zip(p, [("f%d/%s.txt" % (j, "\u00e9t\u00e9" if j == 1 else "x"),
                  _text(50 * (k + 1) * (j + 1), b"%d" % k))
                 for j in range(k + 1)] + [("dir/", b"")])
        paths.append(p)
    bad = os.path.join(d, "bad-crc.zip")
    payload = b"stored payload, about to be damaged\n" * 4
    _zip(bad, [("ok.txt", b"fine\n"), ("damaged.txt", payload)],
         zipfile.ZIP_STORED)
    raw = bytearray(open(bad, "rb").read())
    at = raw.index(payload) + 7
    raw[at] ^= 0x20
    open(bad, "wb").write(bytes(raw))
    paths.append(bad)
    prefixed = os.path.join(d, "prefixed.zip")   # a finding, exit 1
    _zip(prefixed, [("p.txt", _text(40, b"p"))])
    raw = open(prefixed, "rb").read()
    open(prefixed, "wb").write(b"#!/bin/sh\nexit 0\n" * 4 + raw)
    paths.append(prefixed)
    notzip = os.path.join(d, "not-a-zip.zip")
    open(notzip, "wb").write(b"just some text, no archive\n" * 3)
    paths.append(notzip)
    return sorted(paths)


def run_bin(*args):
    if not os.access(ZIPSCAN_BIN, os.X_OK):
        pytest.skip("no zipscan command at %s (set ZIPSCAN_BIN)"
                    % ZIPSCAN_BIN)
    return subprocess.run([ZIPSCAN_BIN, *args], capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def tmp():
    d = tempfile.mkdtemp(prefix="zs-dask-")
    os.chmod(d, 0o755)   # as root the server runs as nobody, beneath
    yield d
    shutil.rmtree(d, ignore_errors=True)


class Postgres:
    def __init__(self, dirname, url):
        self.dir, self.url = dirname, url

    def psql(self, db, sql):
        r = subprocess.run([PSQL, "-X", "-q", "-At", "-h", self.dir, "-U",
                            "zipscan", "-d", db, "-v", "ON_ERROR_STOP=1",
                            "-c", sql], capture_output=True, text=True,
                           timeout=60)
        assert r.returncode == 0, r.stderr
        return r.stdout

    def create(self, db):
        self.psql("zipscan", "CREATE DATABASE %s" % db)
        return "postgresql:///%s?host=%s&user=zipscan" % (db, self.dir)


@pytest.fixture(scope="module")
def pg(tmp):
    d = os.path.join(tmp, "pg")
    r = subprocess.run(["sh", PG_SERVER, "start", d], capture_output=True,
                       text=True, timeout=120)
    if r.returncode == 77:
        pytest.skip(r.stderr.strip().splitlines()[-1])
    assert r.returncode == 0, r.stderr
    yield Postgres(d, r.stdout.strip())
    subprocess.run(["sh", PG_SERVER, "stop", d], timeout=120)


@pytest.fixture(scope="module")
def client():
    try:
        from distributed import Client, LocalCluster
    except ImportError as e:
        pytest.skip("Dask: no distributed module (Debian: "
                    "python3-distributed): %s" % e)
    try:
        cluster = LocalCluster(n_workers=2, threads_per_worker=1,
                               processes=True, host="127.0.0.1",
                               dashboard_address=None)
    except Exception as e:   # any reason: the test cannot run here
        pytest.skip("Dask: the LocalCluster did not start: %s" % e)
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def archives(tmp):
    d = os.path.join(tmp, "archives")
    os.mkdir(d)
    return make_archives(d)


def dump_pg(pg, db):
    """The three tables as text, rows sorted, timing columns left out."""
    cols = pg.psql(db, "SELECT column_name FROM information_schema.columns "
                   "WHERE table_name = 'archives' ORDER BY ordinal_position"
                   ).split()
    keep = ", ".join(c for c in cols if c not in TIMING)
    out = {}
    for table, sel in (("archives", keep), ("entries", "*"),
                       ("findings", "*")):
        out[table] = pg.psql(db, "COPY (SELECT %s FROM %s ORDER BY 1, 2, 3, "
                             "4, 5) TO STDOUT" % (sel, table))
    return out


def test_plan_largest_first_and_balanced():
    sizes = [("a", 10), ("b", 70), ("c", 40), ("d", 30), ("e", 30),
             ("f", 5)]
    shares = zd.plan(sizes, 2)
    assert shares == [["b", "e"], ["c", "d", "a", "f"]]
    for s in shares:    # each share largest first
        got = [dict(sizes)[p] for p in s]
        assert got == sorted(got, reverse=True)
    assert sorted(sum(shares, [])) == sorted(p for p, _ in sizes)
    assert zd.plan(sizes, 10) == [["b"], ["c"], ["d"], ["e"], ["a"], ["f"]]
    with pytest.raises(ValueError):
        zd.plan(sizes, 0)


def test_dask_run_equals_one_machine_run(pg, client, archives):
    """Rows, statuses and the worst status as `zipscan test --db`."""
    dask_url, one_url = pg.create("dask1"), pg.create("one1")
    s = zd.scan(client, archives, dask_url)
    r = run_bin("test", "-q", "--db", one_url, *archives)
    assert s["status"] == r.returncode == zipscan.exit_worse(2, 9)
    assert s["by_status"] == {"0": 7, "1": 1, "2": 1, "9": 1}
    assert (s["archives"], s["scanned"], s["skipped"]) == (10, 10, 0)
    assert s["shares"] == 2 and s["workers"] == 2
    assert [f["path"] for f in s["failed"]] == [
        a for a in archives if not os.path.basename(a).startswith("a")]
    one, dask = dump_pg(pg, one_url.split("?")[0].rsplit("/", 1)[1]), \
        dump_pg(pg, "dask1")
    assert dask["entries"].count("\n") == sum(k + 2 for k in range(7)) + 3
    assert "extra bytes at beginning" in dask["findings"]
    assert "\tdamaged.txt\t" in dask["entries"]
    assert [x for x in dask["entries"].splitlines() if "\tbad\t" in x]
    assert dask == one
    # one run row per share, each ended with its share's worst status
    runs = pg.psql("dask1", "SELECT command, options, status FROM runs "
                   "ORDER BY options").splitlines()
    assert [x.split("|")[0] for x in runs] == ["test", "test"]
    assert all("dask share" in x for x in runs)


def test_second_run_skips_and_changed_archive_is_replaced(pg, client,
                                                          archives, tmp):
    d = os.path.join(tmp, "incremental")
    shutil.copytree(os.path.dirname(archives[0]), d)
    paths = sorted(os.path.join(d, os.path.basename(a)) for a in archives)
    url = pg.create("incr")
    first = zd.scan(client, paths, url)
    before = pg.psql("incr", "SELECT path, scanned FROM archives "
                     "ORDER BY path")
    again = zd.scan(client, paths, url)
    # the one not a ZIP is never recorded, so tried again
    assert (again["scanned"], again["skipped"]) == (1, 9)
    assert again["status"] == first["status"]
    assert again["by_status"] == first["by_status"]
    assert pg.psql("incr", "SELECT path, scanned FROM archives "
                   "ORDER BY path") == before
    changed = paths[0]
    _zip(changed, [("new.txt", b"replaced\n")])
    third = zd.scan(client, paths, url)
    assert (third["scanned"], third["skipped"]) == (2, 8)
    assert pg.psql("incr", "SELECT e.name, a.changes FROM entries e JOIN "
                   "archives a USING (archive_id) WHERE a.path = '%s'"
                   % changed) == "new.txt|1\n"
    refreshed = zd.scan(client, paths, url, refresh=True)
    assert (refreshed["scanned"], refreshed["skipped"]) == (10, 0)


def test_command_exits_with_the_worst_status(pg, client, archives):
    url = pg.create("cmd")
    env = dict(os.environ, PYTHONPATH=PYDIR)
    addr = client.scheduler.address
    ok = [a for a in archives if os.path.basename(a).startswith("a")]
    r = subprocess.run([sys.executable, "-m", "zipscan.dask", "--scheduler",
                        addr, "--db", url, *ok], capture_output=True,
                       text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "worst exit status: 0" in r.stdout
    bad = [a for a in archives if "bad-crc" in os.path.basename(a)]
    r = subprocess.run([sys.executable, "-m", "zipscan.dask", "--scheduler",
                        addr, "--db", url, "--json", *bad, *ok],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2, r.stderr
    import json
    s = json.loads(r.stdout)
    assert s["by_status"] == {"0": 7, "2": 1}
    assert s["skipped"] == 7 and s["failed"][0]["path"] == bad[0]
    assert "bad-crc.zip: exit 2" in r.stderr
    r = subprocess.run([sys.executable, "-m", "zipscan.dask", "--scheduler",
                        addr, ok[0]], capture_output=True, text=True,
                       env=env, timeout=120)
    assert r.returncode == 10 and "--db" in r.stderr


def test_database_error_is_exit_50(client, archives, tmp):
    bad_url = "postgresql:///nosuchdb?host=%s&user=zipscan" % \
        os.path.join(tmp, "no-server-here")
    s = zd.scan(client, archives[:2], bad_url)
    assert s["status"] == 50
    assert s["errors"] and all("nosuchdb" in e or "connect" in e
                               for e in s["errors"])


def test_sqlite_on_a_local_cluster_equals_the_command(client, archives,
                                                      tmp):
    dask_db = os.path.join(tmp, "dask.sqlite")
    one_db = os.path.join(tmp, "one.sqlite")
    s = zd.scan(client, archives, dask_db)
    r = run_bin("test", "-q", "--db", one_db, *archives)
    assert s["status"] == r.returncode

    def dump(path):
        con = sqlite3.connect(path)
        cols = [c[1] for c in con.execute("PRAGMA table_info(archives)")
                if c[1] not in TIMING]
        out = {t: con.execute("SELECT %s FROM %s ORDER BY 1, 2, 3, 4, 5"
                              % (sel, t)).fetchall()
               for t, sel in (("archives", ", ".join(cols)),
                              ("entries", "*"), ("findings", "*"))}
        con.close()
        return out
    assert dump(dask_db) == dump(one_db)


def test_sqlite_refused_when_a_worker_is_elsewhere(monkeypatch):
    class Remote:
        def run(self, fn):
            return {"tcp://10.0.0.2:1": "elsewhere-" + socket.gethostname()}
    with pytest.raises(ValueError, match="must be PostgreSQL"):
        zd.scan(Remote(), [], "cat.sqlite")


def test_catalog_binding(archives, tmp):
    db = os.path.join(tmp, "binding.sqlite")
    good = archives[0]
    with Catalog(db) as cat:
        assert cat.current(good) is None
        r = cat.scan(good)
        assert (r.status, r.skipped, r.entries) == (0, False, 2)
        assert cat.current(good) == 0
        assert cat.scan(good).skipped
        got = cat.entries(good)
        with zipfile.ZipFile(good) as z:
            want = z.infolist()
        assert [(e.name, e.uncompressed_size, e.crc32, e.status)
                for e in got] == [(i.filename, i.file_size, i.CRC, "ok")
                                  for i in want]
        assert cat.entries(os.path.join(tmp, "never.zip")) is None
        notzip = [a for a in archives if "not-a-zip" in a][0]
        r = cat.scan(notzip)
        assert r.status == 9 and "not a ZIP" in r.message
    with pytest.raises(CatalogError) as e:
        Catalog(os.path.join(tmp, "no", "such", "dir", "c.sqlite"))
    assert e.value.status == 50


def test_new_sqlite_catalog_waits_for_another_writer(tmp):
    """Two processes making one new SQLite catalog at once: the second
    must wait for the first (SQLite answers the WAL switch with 'database
    is locked' at once, without its busy handler), not fail with 50."""
    import threading
    db = os.path.join(tmp, "contended.sqlite")
    other = sqlite3.connect(db, isolation_level=None,
                            check_same_thread=False)
    other.execute("CREATE TABLE t (x)")
    other.execute("BEGIN IMMEDIATE")       # a writer, not yet in WAL
    done = threading.Event()
    # set before COMMIT: once the catalog is open, done must be set
    timer = threading.Timer(0.5, lambda: (done.set(),
                                          other.execute("COMMIT")))
    timer.start()
    try:
        with Catalog(db) as cat:
            assert done.is_set()           # it waited for the writer
            assert cat.error == ""
    finally:
        timer.join()
        other.close()
