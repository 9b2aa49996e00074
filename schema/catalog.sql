-- SPDX-License-Identifier: MIT
-- catalog.sql - the zipscan catalog, version 1: one schema for SQLite and
-- PostgreSQL (`zipscan ... --db`).  The one copy: the build embeds this
-- file in libzipscan (build/catalog_schema.h), which runs it on every
-- catalog it opens (IF NOT EXISTS: idempotent).
--
-- Sizes and offsets are BIGINT (bytes; a value past 2^63 - 1, which only
-- a hostile archive declares, is recorded as 2^63 - 1); times are
-- TIMESTAMPTZ in UTC ('YYYY-MM-DD HH:MM:SS+00:00'; SQLite keeps that text,
-- which sorts as time); flags are BOOLEAN (0/1 in SQLite).  archive_id is
-- the first 63 bits of XXH3-64 of the archive's absolute path, so every
-- machine writing one catalog gives an archive the same id.

CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER NOT NULL
);
INSERT INTO schema_version (version)
    SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM schema_version);

-- One row per zipscan command that wrote into the catalog.
CREATE TABLE IF NOT EXISTS runs (
    run_id          BIGINT PRIMARY KEY,
    command         TEXT NOT NULL,             -- list, test, check, stats
    options         TEXT NOT NULL,             -- the command line after it
    threads         INTEGER NOT NULL,
    host            TEXT NOT NULL,
    started         TIMESTAMPTZ NOT NULL,
    seconds         DOUBLE PRECISION,          -- NULL until the run ends
    archives        BIGINT,                    -- recorded by this run
    skipped         BIGINT,                    -- unchanged, not rescanned
    status          INTEGER,                   -- the run's exit status
    zipscan_version TEXT NOT NULL
);

-- One row per archive: what it was when it was last scanned.
CREATE TABLE IF NOT EXISTS archives (
    archive_id         BIGINT PRIMARY KEY,
    path               TEXT NOT NULL UNIQUE,   -- absolute
    size               BIGINT NOT NULL,
    mtime              TIMESTAMPTZ NOT NULL,
    mtime_ns           BIGINT NOT NULL,        -- st_mtime in nanoseconds
    cd_offset          BIGINT NOT NULL,        -- where the central
                                               -- directory starts
    cd_checksum        BIGINT NOT NULL,        -- XXH3-64 of the bytes from
                                               -- cd_offset to the end
    command            TEXT NOT NULL,          -- what scanned it
    decoded            BOOLEAN NOT NULL,       -- test/stats: statuses real
    hashed             BOOLEAN NOT NULL,       -- --hash: xxh3_128 present
    status             INTEGER NOT NULL,       -- its exit status
    entries            BIGINT NOT NULL,
    ok                 BIGINT NOT NULL,
    bad                BIGINT NOT NULL,
    unsupported        BIGINT NOT NULL,
    encrypted          BIGINT NOT NULL,
    untested           BIGINT NOT NULL,
    compressed_bytes   BIGINT NOT NULL,
    uncompressed_bytes BIGINT NOT NULL,
    findings           BIGINT NOT NULL,
    first_recorded     TIMESTAMPTZ NOT NULL,
    scanned            TIMESTAMPTZ NOT NULL,   -- rows last replaced
    changes            INTEGER NOT NULL,       -- times found changed
    run_id             BIGINT NOT NULL,
    zipscan_version    TEXT NOT NULL
);

-- One row per entry of the central directory (all of them).
CREATE TABLE IF NOT EXISTS entries (
    archive_id        BIGINT NOT NULL,
    idx               BIGINT NOT NULL,         -- central-directory order
    name              TEXT NOT NULL,           -- UTF-8 (CP437 converted)
    method            INTEGER NOT NULL,
    method_name       TEXT NOT NULL,
    compressed_size   BIGINT NOT NULL,
    uncompressed_size BIGINT NOT NULL,
    crc32             BIGINT NOT NULL,
    mtime             TIMESTAMPTZ,             -- UTC; NULL if unreadable
    mode              INTEGER NOT NULL,        -- Unix st_mode, 0 if none
    external_attr     BIGINT NOT NULL,
    flags             INTEGER NOT NULL,
    local_offset      BIGINT NOT NULL,
    data_offset       BIGINT NOT NULL,
    is_dir            BOOLEAN NOT NULL,
    is_symlink        BOOLEAN NOT NULL,
    is_encrypted      BOOLEAN NOT NULL,
    status            TEXT NOT NULL,           -- ok bad unsupported
                                               -- encrypted untested
    error             TEXT,                    -- why, when not ok
    xxh3_128          TEXT,                    -- --hash, ok entries
    PRIMARY KEY (archive_id, idx)
);

-- Structural findings (zipscan check's), with their offsets.
CREATE TABLE IF NOT EXISTS findings (
    archive_id  BIGINT NOT NULL,
    entry       BIGINT,                        -- idx, or NULL
    code        TEXT NOT NULL,
    severity    TEXT NOT NULL,                 -- note warning error
    byte_offset BIGINT NOT NULL,
    message     TEXT NOT NULL
);

-- For the README's example queries: failed entries, findings by code;
-- method mix and changed archives use the primary keys and the small
-- archives table.  Each index costs every insert: no more than these.
-- No index on (uncompressed_size, crc32): on random sizes and CRCs it
-- was more than half of PostgreSQL's work per row (3.3 of 6.2 s of
-- server CPU per million entries) and a third of SQLite's, for one
-- query (the biggest entries: a scan, 0.44 s a million rows, instead of
-- 12 ms); the duplicates query, a GROUP BY over every row, ran faster
-- without it.  A catalog queried more than written may add it:
--   CREATE INDEX entries_by_content ON entries (uncompressed_size, crc32);
CREATE INDEX IF NOT EXISTS entries_failed ON entries (archive_id)
    WHERE status <> 'ok' AND status <> 'untested';
CREATE INDEX IF NOT EXISTS findings_by_archive ON findings (archive_id);
CREATE INDEX IF NOT EXISTS findings_by_code ON findings (code);
