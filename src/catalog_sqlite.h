/* SPDX-License-Identifier: MIT */
/*
 * catalog_sqlite.h - inside the SQLite catalog: the helpers
 * catalog_sqlite.c shares with its bulk-load path (catalog_sqlite_bulk.c).
 * Not part of the API.
 */
#ifndef ZS_CATALOG_SQLITE_H
#define ZS_CATALOG_SQLITE_H

#include <sqlite3.h>
#include <stdint.h>

#include "catalog.h"

/* Run SQL text on c->db; 0, or -1 with c->err set. */
int zs_sq_exec(zs_catalog *c, const char *sql);
/* c->err from the connection's last error; returns -1. */
int zs_sq_fail(zs_catalog *c, const char *what);

/* Entry rows a statement, and that statement's SQL (malloc'ed). */
#define ZS_SQ_BATCH 32
char *zs_sq_entries_sql(int rows);
/* Archive a's entry rows (archive id) through the statements one (a
 * row) and many (ZS_SQ_BATCH rows): 0, or -1 with c->err set. */
int zs_sq_put_entries(zs_catalog *c, sqlite3_stmt *one, sqlite3_stmt *many,
		      int64_t id, const zs_archive *a);

/* The entries table's secondary indexes, dropped for a bulk load. */
typedef struct zs_sq_index {
	char *name, *sql;          /* sql: its CREATE INDEX */
} zs_sq_index;
typedef struct zs_sq_bulk {
	zs_sq_index *ix;
	size_t n;
} zs_sq_bulk;

/* Inside the archive's transaction, before its rows go in: when they are
 * many (rows entries, against the held ones the other archives have),
 * drop the entries table's secondary indexes, keeping their SQL in b. */
int zs_sq_bulk_begin(zs_catalog *c, int64_t id, int64_t rows,
		     zs_sq_bulk *b);
/* After the rows, before COMMIT: create the dropped indexes again. */
int zs_sq_bulk_end(zs_catalog *c, zs_sq_bulk *b);
void zs_sq_bulk_free(zs_sq_bulk *b);

#endif
