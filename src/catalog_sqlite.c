/* SPDX-License-Identifier: MIT */
/*
 * catalog_sqlite.c - the catalog in a SQLite file (libsqlite3): WAL, one
 * IMMEDIATE transaction per archive (delete its rows, upsert the archive,
 * insert entries and findings through prepared statements), a 30 s busy
 * timeout so that several processes can share one file.  synchronous =
 * NORMAL: in WAL mode a transaction is atomic whatever happens and
 * durable across a crash of the process; only a power loss may lose the
 * last ones (never half of one).  The connection is opened NOMUTEX:
 * catalog.c's db_lock already keeps it to one thread at a time.  A new
 * file gets 16 KiB pages (fewer, bigger writes to the WAL and the file:
 * list --db of 300 archives of 600 random entries 2.1 s -> 1.5 s CPU).
 * Entries go 32 rows an INSERT (catalog_sqlite_rows.c); an archive of
 * many entries takes the bulk load (catalog_sqlite_bulk.c).
 */
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "catalog_sqlite.h"

enum { S_LOOKUP, S_DEL_ENTRIES, S_DEL_FINDINGS, S_UPSERT, S_ENTRY,
       S_FINDING, S_ENTRIES, S_ENTRY_MANY, S_COUNT };

static const char *const sql[S_COUNT] = {
	[S_LOOKUP] = zs_cat_sql_lookup,
	[S_DEL_ENTRIES] = "DELETE FROM entries WHERE archive_id = $1",
	[S_DEL_FINDINGS] = "DELETE FROM findings WHERE archive_id = $1",
	[S_UPSERT] = zs_cat_sql_upsert,
	[S_ENTRY] = "INSERT INTO entries VALUES ($1, $2, $3, $4, $5, $6, $7, "
		    "$8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, "
		    "$20)",
	[S_FINDING] = "INSERT INTO findings VALUES ($1, $2, $3, $4, $5, $6)",
	[S_ENTRIES] = "SELECT idx, name, compressed_size, uncompressed_size, "
		      "crc32, method, CAST(strftime('%s', mtime) AS INTEGER), "
		      "status FROM entries WHERE archive_id = $1 ORDER BY idx",
};

int zs_sq_fail(zs_catalog *c, const char *what)
{
	zs_cat_fail(c, "SQLite: %s: %s", what, sqlite3_errmsg(c->db));
	return -1;
}

int zs_sq_exec(zs_catalog *c, const char *s)
{
	char *msg = NULL;

	if (sqlite3_exec(c->db, s, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	zs_cat_fail(c, "SQLite: %s", msg ? msg : sqlite3_errmsg(c->db));
	sqlite3_free(msg);
	return -1;
}

static sqlite3_stmt *stmt(zs_catalog *c, int k)
{
	sqlite3_stmt *s = ((sqlite3_stmt **)c->stmts)[k];
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

/* Run a statement to its end; -1 on an error. */
static int step_done(zs_catalog *c, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : zs_sq_fail(c, what);
}

static void bind_text(sqlite3_stmt *s, int k, const char *v)
{
	if (v)
		sqlite3_bind_text(s, k, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, k);
}

static int sq_setup(zs_catalog *c)
{
	if (zs_sq_exec(c, "BEGIN IMMEDIATE") ||
	    zs_sq_exec(c, zs_catalog_schema))
		return zs_sq_exec(c, "ROLLBACK"), -1;
	sqlite3_stmt *s;
	int version = -1;
	if (sqlite3_prepare_v2(c->db, "SELECT max(version) FROM "
			       "schema_version", -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			version = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	if (version != ZS_CATALOG_SCHEMA_VERSION) {
		zs_cat_fail(c, "catalog schema version %d, this zipscan "
			    "writes version %d", version,
			    ZS_CATALOG_SCHEMA_VERSION);
		return zs_sq_exec(c, "ROLLBACK"), -1;
	}
	if (zs_sq_exec(c, "PRAGMA user_version = 1") || zs_sq_exec(c, "COMMIT"))
		return -1;
	sqlite3_stmt **st = calloc(S_COUNT, sizeof(*st));
	char *many = zs_sq_entries_sql(ZS_SQ_BATCH);
	c->stmts = st;
	for (int k = 0; st && many && k < S_COUNT; k++)
		if (sqlite3_prepare_v3(c->db, k == S_ENTRY_MANY ? many :
				       sql[k], -1, SQLITE_PREPARE_PERSISTENT,
				       &st[k], NULL) != SQLITE_OK) {
			free(many);
			return zs_sq_fail(c, "preparing a statement");
		}
	free(many);
	return st && many ? 0 : (zs_cat_fail(c, "out of memory"), -1);
}

static int sq_lookup(zs_catalog *c, int64_t id, zs_cat_known *k)
{
	sqlite3_stmt *s = stmt(c, S_LOOKUP);
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return zs_sq_fail(c, "looking up an archive");
	k->size = sqlite3_column_int64(s, 0);
	k->mtime_ns = sqlite3_column_int64(s, 1);
	k->cd_checksum = sqlite3_column_int64(s, 2);
	k->decoded = sqlite3_column_int(s, 3);
	k->hashed = sqlite3_column_int(s, 4);
	k->status = sqlite3_column_int(s, 5);
	k->cd_offset = sqlite3_column_int64(s, 6);
	sqlite3_reset(s);
	return 1;
}

static int put_archive(zs_catalog *c, const zs_cat_archive *r)
{
	sqlite3_stmt *s = stmt(c, S_UPSERT);
	const int64_t ints[] = { r->entries, r->ok, r->bad, r->unsupported,
				 r->encrypted, r->untested, r->comp,
				 r->uncomp, r->findings };
	sqlite3_bind_int64(s, 1, r->id);
	bind_text(s, 2, r->path);
	sqlite3_bind_int64(s, 3, r->size);
	bind_text(s, 4, r->mtime);
	sqlite3_bind_int64(s, 5, r->mtime_ns);
	sqlite3_bind_int64(s, 6, r->cd_checksum);
	bind_text(s, 7, r->command);
	sqlite3_bind_int(s, 8, r->decoded);
	sqlite3_bind_int(s, 9, r->hashed);
	sqlite3_bind_int(s, 10, r->status);
	for (int k = 0; k < 9; k++)
		sqlite3_bind_int64(s, 11 + k, ints[k]);
	bind_text(s, 20, r->scanned);
	sqlite3_bind_int64(s, 21, c->run_id);
	bind_text(s, 22, ZS_VERSION);
	sqlite3_bind_int64(s, 23, r->cd_offset);
	return step_done(c, s, "recording an archive");
}

static int put_rows(zs_catalog *c, const zs_cat_archive *r, zs_archive *a)
{
	sqlite3_stmt **st = c->stmts;
	int rc = zs_sq_put_entries(c, st[S_ENTRY], st[S_ENTRY_MANY], r->id, a);

	for (size_t k = 0; rc == 0 && k < a->findings_count; k++) {
		char *msg = malloc(3 * strlen(a->findings[k].text) + 1);
		zs_cat_finding f;
		if (!msg) {
			zs_cat_fail(c, "out of memory");
			rc = -1;
			break;
		}
		zs_cat_finding_row(a, k, msg, &f);
		sqlite3_stmt *s = stmt(c, S_FINDING);
		sqlite3_bind_int64(s, 1, r->id);
		if (f.entry >= 0)
			sqlite3_bind_int64(s, 2, f.entry);
		bind_text(s, 3, f.code);
		bind_text(s, 4, f.severity);
		sqlite3_bind_int64(s, 5, f.offset);
		bind_text(s, 6, f.message);
		rc = step_done(c, s, "recording a finding");
		free(msg);
	}
	return rc;
}

/*
 * Archives queued one right behind the other share a transaction, up to
 * ZS_SQ_GROUP_ARCHIVES of them or ZS_SQ_GROUP_ROWS entries: every commit
 * writes each page the transaction touched to the WAL again, and one
 * commit per small archive was most of the cost of recording a batch
 * (README, "The catalog").  An error or a kill loses the whole group:
 * each archive is still either wholly recorded or absent.
 */
#define ZS_SQ_GROUP_ARCHIVES 64
#define ZS_SQ_GROUP_ROWS 65536

static int group_full(const zs_catalog *c)
{
	return !c->group_more || c->txn_archives >= ZS_SQ_GROUP_ARCHIVES ||
	       c->txn_rows >= ZS_SQ_GROUP_ROWS;
}

static int sq_record(zs_catalog *c, const zs_cat_archive *r, zs_archive *a)
{
	zs_sq_bulk bulk;
	if (!c->txn_open) {
		if (zs_sq_exec(c, "BEGIN IMMEDIATE"))
			return -1;
		c->txn_open = 1;
		c->txn_archives = c->txn_rows = 0;
	}
	int rc = zs_sq_bulk_begin(c, r->id, (int64_t)a->index.count, &bulk);
	sqlite3_stmt *s = stmt(c, S_DEL_ENTRIES);
	sqlite3_bind_int64(s, 1, r->id);
	if (rc == 0)
		rc = step_done(c, s, "deleting entries");
	if (rc == 0) {
		s = stmt(c, S_DEL_FINDINGS);
		sqlite3_bind_int64(s, 1, r->id);
		rc = step_done(c, s, "deleting findings");
	}
	if (rc == 0)
		rc = put_archive(c, r);
	if (rc == 0)
		rc = put_rows(c, r, a);
	if (rc == 0)
		rc = zs_sq_bulk_end(c, &bulk);
	c->txn_archives++;
	c->txn_rows += (int64_t)a->index.count;
	if (rc == 0 && group_full(c) && (rc = zs_sq_exec(c, "COMMIT")) == 0)
		c->txn_open = 0;
	if (rc != 0) {
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
		c->txn_open = 0;
	}
	zs_sq_bulk_free(&bulk);
	return rc;
}

static int sq_run_begin(zs_catalog *c, const char *command,
			const char *options, int threads)
{
	char host[256] = "", now[32];
	sqlite3_stmt *s;

	gethostname(host, sizeof(host) - 1);
	zs_cat_time((int64_t)time(NULL), now);
	c->run_id = zs_cat_run_id();
	if (sqlite3_prepare_v2(c->db, zs_cat_sql_run_begin, -1, &s, NULL))
		return zs_sq_fail(c, "starting the run");
	sqlite3_bind_int64(s, 1, c->run_id);
	bind_text(s, 2, command);
	bind_text(s, 3, options);
	sqlite3_bind_int(s, 4, threads);
	bind_text(s, 5, host);
	bind_text(s, 6, now);
	bind_text(s, 7, ZS_VERSION);
	int rc = step_done(c, s, "starting the run");
	sqlite3_finalize(s);
	return rc;
}

static int sq_run_end(zs_catalog *c, double seconds, int64_t archives,
		      int64_t skipped, int status)
{
	if (c->txn_open && zs_sq_exec(c, "COMMIT"))   /* never left open */
		return -1;
	c->txn_open = 0;
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(c->db, zs_cat_sql_run_end, -1, &s, NULL))
		return zs_sq_fail(c, "ending the run");
	sqlite3_bind_double(s, 1, seconds);
	sqlite3_bind_int64(s, 2, archives);
	sqlite3_bind_int64(s, 3, skipped);
	sqlite3_bind_int(s, 4, status);
	sqlite3_bind_int64(s, 5, c->run_id);
	int rc = step_done(c, s, "ending the run");
	sqlite3_finalize(s);
	return rc;
}

static int sq_entries(zs_catalog *c, int64_t id,
		      int (*fn)(void *ctx, const zs_catalog_entry *e),
		      void *ctx)
{
	sqlite3_stmt *s = stmt(c, S_ENTRIES);
	zs_catalog_entry e;
	int rc;

	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&e, 0, sizeof(e));
		e.index = sqlite3_column_int64(s, 0);
		e.name = (char *)sqlite3_column_text(s, 1);
		e.compressed_size = (uint64_t)sqlite3_column_int64(s, 2);
		e.uncompressed_size = (uint64_t)sqlite3_column_int64(s, 3);
		e.crc32 = (uint32_t)sqlite3_column_int64(s, 4);
		e.method = (unsigned)sqlite3_column_int(s, 5);
		e.mtime = sqlite3_column_int64(s, 6);
		snprintf(e.status, sizeof(e.status), "%s",
			 (const char *)sqlite3_column_text(s, 7));
		if (!e.name || fn(ctx, &e) != 0) {
			sqlite3_reset(s);
			return -1;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : zs_sq_fail(c, "reading entries");
}

static void sq_close(zs_catalog *c)
{
	sqlite3_stmt **st = c->stmts;
	for (int k = 0; st && k < S_COUNT; k++)
		sqlite3_finalize(st[k]);
	free(st);
	sqlite3_close(c->db);
}

static const zs_cat_backend sqlite_backend = {
	sq_setup, sq_lookup, sq_record, sq_run_begin, sq_run_end,
	sq_entries, sq_close,
};

enum { BUSY_MS = 30000 };

/* PRAGMA journal_mode = WAL fails at once with SQLITE_BUSY, without the
 * busy handler, while another connection writes to a file not yet in WAL
 * (two processes making one new catalog at the same moment): try again
 * every 10 ms for as long as the busy timeout. */
static int set_wal(zs_catalog *c)
{
	for (int waited = 0;; waited += 10) {
		int rc = sqlite3_exec(c->db, "PRAGMA journal_mode = WAL", NULL,
				      NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if (rc != SQLITE_BUSY || waited >= BUSY_MS)
			return zs_sq_fail(c, "setting WAL mode");
		sqlite3_sleep(10);
	}
}

int zs_cat_sqlite_open(zs_catalog *c, const char *path)
{
	sqlite3 *db = NULL;

	c->be = &sqlite_backend;
	int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
				 SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 NULL);
	c->db = db;
	if (rc != SQLITE_OK) {
		zs_cat_fail(c, "SQLite: cannot open %s: %s", path,
			    db ? sqlite3_errmsg(db) : "out of memory");
		return -1;
	}
	sqlite3_busy_timeout(db, BUSY_MS);
	if (zs_sq_exec(c, "PRAGMA page_size = 16384") || set_wal(c) ||
	    zs_sq_exec(c, "PRAGMA synchronous = NORMAL") ||
	    zs_sq_exec(c, "PRAGMA cache_size = -65536"))
		return -1;
	return 0;
}
