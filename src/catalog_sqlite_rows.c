/* SPDX-License-Identifier: MIT */
/*
 * catalog_sqlite_rows.c - an archive's entry rows into the SQLite
 * catalog, ZS_SQ_BATCH rows a statement (INSERT ... VALUES (...), (...)):
 * each execution of a statement has a fixed cost (opening and closing its
 * cursors, its statement journal), which one row a statement paid per
 * entry.  The rows left over (fewer than a batch) go one at a time.
 * INSERT OR ROLLBACK: a failed row ends the archive's transaction (which
 * the caller would roll back anyway), so SQLite keeps no statement
 * journal, which a multi-row INSERT otherwise writes to a temporary file
 * (list --db of 111 archives of 606 entries: 200,000 pwrite calls ->
 * 46,000).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "catalog_sqlite.h"

enum { COLS = 20,              /* the entries table's columns */
       ERR_CAP = 3 * 511 + 1 };  /* zs_entry_error's 512 bytes, as UTF-8 */

char *zs_sq_entries_sql(int rows)
{
	static const char head[] = "INSERT OR ROLLBACK INTO entries VALUES ";
	static const char one[] = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
	size_t n = sizeof(head) + (size_t)rows * sizeof(one);
	char *s = malloc(n), *p = s;

	if (!s)
		return NULL;
	p += sprintf(p, "%s", head);
	for (int k = 0; k < rows; k++)
		p += sprintf(p, "%s%s", k ? "," : "", one);
	return s;
}

static void bind_text(sqlite3_stmt *s, int k, const char *v)
{
	if (v)
		sqlite3_bind_text(s, k, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, k);
}

/* Entry e of archive id into parameters base + 1 ... base + COLS. */
static void bind_entry(sqlite3_stmt *s, int base, int64_t id,
		       const zs_cat_entry *e)
{
	const int64_t mid[] = { e->comp, e->uncomp, e->crc32 };
	const int64_t tail[] = { e->mode, e->external_attr, e->flags,
				 e->local_offset, e->data_offset, e->is_dir,
				 e->is_symlink, e->is_encrypted };

	sqlite3_bind_int64(s, base + 1, id);
	sqlite3_bind_int64(s, base + 2, e->idx);
	bind_text(s, base + 3, e->name);
	sqlite3_bind_int(s, base + 4, (int)e->method);
	bind_text(s, base + 5, e->method_name);
	for (int k = 0; k < 3; k++)
		sqlite3_bind_int64(s, base + 6 + k, mid[k]);
	bind_text(s, base + 9, e->has_mtime ? e->mtime : NULL);
	for (int k = 0; k < 8; k++)
		sqlite3_bind_int64(s, base + 10 + k, tail[k]);
	bind_text(s, base + 18, e->status);
	bind_text(s, base + 19, e->error);
	bind_text(s, base + 20, e->hash[0] ? e->hash : NULL);
}

static int run(zs_catalog *c, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : zs_sq_fail(c, "recording entries");
}

/* A batch's rows: their text in buffers that live until the step. */
typedef struct batch {
	zs_cat_entry e[ZS_SQ_BATCH];
	char *name, *err;
	size_t cap;                /* one name's room */
} batch;

static void row(batch *b, const zs_archive *a, size_t i, int slot)
{
	zs_cat_entry_row(a, i, b->name + (size_t)slot * b->cap,
			 b->err + (size_t)slot * ERR_CAP, ERR_CAP, &b->e[slot]);
}

int zs_sq_put_entries(zs_catalog *c, sqlite3_stmt *one, sqlite3_stmt *many,
		      int64_t id, const zs_archive *a)
{
	batch b;
	size_t n = a->index.count, i = 0;
	int rc = 0;

	b.cap = zs_cat_name_cap(a);
	b.name = malloc(ZS_SQ_BATCH * b.cap);
	b.err = malloc(ZS_SQ_BATCH * ERR_CAP);
	if (!b.name || !b.err)
		rc = (zs_cat_fail(c, "out of memory"), -1);
	for (; rc == 0 && n - i >= ZS_SQ_BATCH; i += ZS_SQ_BATCH) {
		for (int k = 0; k < ZS_SQ_BATCH; k++) {
			row(&b, a, i + (size_t)k, k);
			bind_entry(many, k * COLS, id, &b.e[k]);
		}
		rc = run(c, many);
	}
	for (; rc == 0 && i < n; i++) {
		row(&b, a, i, 0);
		bind_entry(one, 0, id, &b.e[0]);
		rc = run(c, one);
	}
	free(b.name);
	free(b.err);
	return rc;
}
