/* SPDX-License-Identifier: MIT */
/*
 * catalog_pg.c - the catalog in PostgreSQL (libpq).  One transaction per
 * archive: a transaction-scoped advisory lock on the archive's id (two
 * writers of one archive take turns, so it ends with one whole set of
 * rows), delete its rows, upsert the archive, then its entries and
 * findings through COPY FROM STDIN in binary format (pg_copy.h), sent in
 * 256 KiB pieces.  synchronous_commit stays as the server has it (on by
 * default): a committed archive is durable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "pg_copy.h"
#include "pg_load.h"

/* Serializes the schema's creation between processes (any constant). */
#define ZS_PG_SCHEMA_LOCK 0x7a697073

static int fail(zs_catalog *c, const char *what, PGresult *r)
{
	const char *msg = r ? zs_pq.resultErrorMessage(r) : "";
	if (!msg || !*msg)
		msg = zs_pq.errorMessage(c->db);
	zs_cat_fail(c, "PostgreSQL: %s: %.*s", what,
		    (int)strcspn(msg, "\n"), msg);
	zs_pq.clear(r);
	return -1;
}

/* A statement (parameters as text, NULL for NULL) that must succeed. */
static int pq(zs_catalog *c, const char *what, const char *sql, int n,
	      const char *const *params)
{
	PGresult *r = zs_pq.execParams(c->db, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = zs_pq.resultStatus(r);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		return fail(c, what, r);
	zs_pq.clear(r);
	return 0;
}

static int simple(zs_catalog *c, const char *what, const char *sql)
{
	PGresult *r = zs_pq.exec(c->db, sql);
	ExecStatusType st = zs_pq.resultStatus(r);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		return fail(c, what, r);
	zs_pq.clear(r);
	return 0;
}

static void rollback(zs_catalog *c)
{
	zs_pq.clear(zs_pq.exec(c->db, "ROLLBACK"));
}

static int pg_setup(zs_catalog *c)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "BEGIN; SELECT pg_advisory_xact_lock(%d)",
		 ZS_PG_SCHEMA_LOCK);
	if (simple(c, "locking the schema", sql) ||
	    simple(c, "creating the schema", zs_catalog_schema))
		return rollback(c), -1;
	PGresult *r = zs_pq.exec(c->db, "SELECT max(version) FROM schema_version");
	int version = zs_pq.resultStatus(r) == PGRES_TUPLES_OK && zs_pq.ntuples(r) ?
		      atoi(zs_pq.getvalue(r, 0, 0)) : -1;
	zs_pq.clear(r);
	if (version != ZS_CATALOG_SCHEMA_VERSION) {
		zs_cat_fail(c, "catalog schema version %d, this zipscan "
			    "writes version %d", version,
			    ZS_CATALOG_SCHEMA_VERSION);
		return rollback(c), -1;
	}
	return simple(c, "creating the schema", "COMMIT");
}

static int pg_lookup(zs_catalog *c, int64_t id, zs_cat_known *k)
{
	char ids[24];
	const char *p[] = { ids };

	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	PGresult *r = zs_pq.execParams(c->db, zs_cat_sql_lookup, 1, NULL, p, NULL,
				   NULL, 0);
	if (zs_pq.resultStatus(r) != PGRES_TUPLES_OK)
		return fail(c, "looking up an archive", r);
	int found = zs_pq.ntuples(r) > 0;
	if (found) {
		k->size = atoll(zs_pq.getvalue(r, 0, 0));
		k->mtime_ns = atoll(zs_pq.getvalue(r, 0, 1));
		k->cd_checksum = atoll(zs_pq.getvalue(r, 0, 2));
		k->decoded = zs_pq.getvalue(r, 0, 3)[0] == 't';
		k->hashed = zs_pq.getvalue(r, 0, 4)[0] == 't';
		k->status = atoi(zs_pq.getvalue(r, 0, 5));
		k->cd_offset = atoll(zs_pq.getvalue(r, 0, 6));
	}
	zs_pq.clear(r);
	return found;
}

/* ---- COPY rows (binary, pg_copy.h) ------------------------------------- */

/* Rows are sent whenever this much is buffered. */
#define ZS_PG_COPY_CHUNK (256u << 10)

/* One entries row, the columns in catalog.sql's order and types. */
static void entry_row(zs_copybuf *b, int64_t id, const zs_cat_entry *e)
{
	zs_copy_row(b, 20);
	zs_copy_int8(b, id);
	zs_copy_int8(b, e->idx);
	zs_copy_text(b, e->name);
	zs_copy_int4(b, (int32_t)e->method);
	zs_copy_text(b, e->method_name);
	zs_copy_int8(b, e->comp);
	zs_copy_int8(b, e->uncomp);
	zs_copy_int8(b, e->crc32);
	if (e->has_mtime)
		zs_copy_time(b, e->mtime_unix);
	else
		zs_copy_null(b);
	zs_copy_int4(b, (int32_t)e->mode);
	zs_copy_int8(b, e->external_attr);
	zs_copy_int4(b, (int32_t)e->flags);
	zs_copy_int8(b, e->local_offset);
	zs_copy_int8(b, e->data_offset);
	zs_copy_bool(b, e->is_dir);
	zs_copy_bool(b, e->is_symlink);
	zs_copy_bool(b, e->is_encrypted);
	zs_copy_text(b, e->status);
	zs_copy_text(b, e->error);
	zs_copy_text(b, e->hash[0] ? e->hash : NULL);
}

/* One findings row, likewise. */
static void finding_row(zs_copybuf *b, int64_t id, const zs_cat_finding *f)
{
	zs_copy_row(b, 6);
	zs_copy_int8(b, id);
	if (f->entry >= 0)
		zs_copy_int8(b, f->entry);
	else
		zs_copy_null(b);
	zs_copy_text(b, f->code);
	zs_copy_text(b, f->severity);
	zs_copy_int8(b, f->offset);
	zs_copy_text(b, f->message);
}

static int flush(zs_catalog *c, zs_copybuf *b)
{
	if (b->oom) {
		zs_cat_fail(c, "out of memory");
		return -1;
	}
	if (b->n && zs_pq.putCopyData(c->db, (const char *)b->p, (int)b->n) != 1)
		return fail(c, "sending rows", NULL);
	b->n = 0;
	return 0;
}

static int copy_end(zs_catalog *c, int ok)
{
	int rc = ok ? 0 : -1;
	if (zs_pq.putCopyEnd(c->db, ok ? NULL : "zipscan stopped") != 1)
		rc = fail(c, "ending COPY", NULL);
	PGresult *r;
	while ((r = zs_pq.getResult(c->db)) != NULL) {
		if (zs_pq.resultStatus(r) != PGRES_COMMAND_OK && ok && rc == 0)
			rc = fail(c, "COPY", r);
		else
			zs_pq.clear(r);
	}
	return rc;
}

static int copy_begin(zs_catalog *c, const char *sql)
{
	PGresult *r = zs_pq.exec(c->db, sql);
	if (zs_pq.resultStatus(r) != PGRES_COPY_IN)
		return fail(c, "starting COPY", r);
	zs_pq.clear(r);
	return 0;
}

/* Send what is buffered when a piece is full (or, with last, the rest
 * and the trailer). */
static int send_rows(zs_catalog *c, zs_copybuf *b, int last)
{
	if (last)
		zs_copy_trailer(b);
	return last || b->n >= ZS_PG_COPY_CHUNK ? flush(c, b) : 0;
}

static int copy_entries(zs_catalog *c, int64_t id, zs_archive *a,
			zs_copybuf *b)
{
	size_t cap = zs_cat_name_cap(a);
	char *name = malloc(cap), *err = malloc(cap);
	zs_cat_entry e;
	int rc = 0;

	if (copy_begin(c, "COPY entries FROM STDIN WITH (FORMAT binary)")) {
		free(name);
		free(err);
		return -1;
	}
	b->oom = !name || !err;
	zs_copy_header(b);
	for (size_t i = 0; rc == 0 && !b->oom && i < a->index.count; i++) {
		zs_cat_entry_row(a, i, name, err, cap, &e);
		entry_row(b, id, &e);
		rc = send_rows(c, b, 0);
	}
	if (rc == 0)
		rc = send_rows(c, b, 1);
	free(name);
	free(err);
	return copy_end(c, rc == 0);
}

static int copy_findings(zs_catalog *c, int64_t id, zs_archive *a,
			 zs_copybuf *b)
{
	int rc = 0;

	if (!a->findings_count)
		return 0;
	if (copy_begin(c, "COPY findings FROM STDIN WITH (FORMAT binary)"))
		return -1;
	zs_copy_header(b);
	for (size_t k = 0; rc == 0 && !b->oom && k < a->findings_count; k++) {
		char *msg = malloc(3 * strlen(a->findings[k].text) + 1);
		zs_cat_finding f;
		if (!msg) {
			b->oom = 1;
			break;
		}
		zs_cat_finding_row(a, k, msg, &f);
		finding_row(b, id, &f);
		free(msg);
		rc = send_rows(c, b, 0);
	}
	if (rc == 0)
		rc = send_rows(c, b, 1);
	return copy_end(c, rc == 0);
}

static int put_archive(zs_catalog *c, const zs_cat_archive *r)
{
	char v[23][32];
	const char *p[23];
	const int64_t ints[] = { r->entries, r->ok, r->bad, r->unsupported,
				 r->encrypted, r->untested, r->comp,
				 r->uncomp, r->findings };

	snprintf(v[0], 32, "%lld", (long long)r->id);
	snprintf(v[2], 32, "%lld", (long long)r->size);
	snprintf(v[4], 32, "%lld", (long long)r->mtime_ns);
	snprintf(v[5], 32, "%lld", (long long)r->cd_checksum);
	snprintf(v[7], 32, "%d", r->decoded);
	snprintf(v[8], 32, "%d", r->hashed);
	snprintf(v[9], 32, "%d", r->status);
	for (int k = 0; k < 9; k++)
		snprintf(v[10 + k], 32, "%lld", (long long)ints[k]);
	snprintf(v[20], 32, "%lld", (long long)c->run_id);
	snprintf(v[22], 32, "%lld", (long long)r->cd_offset);
	for (int k = 0; k < 23; k++)
		p[k] = v[k];
	p[1] = r->path;
	p[3] = r->mtime;
	p[6] = r->command;
	p[19] = r->scanned;
	p[21] = ZS_VERSION;
	return pq(c, "recording an archive", zs_cat_sql_upsert, 23, p);
}

static int pg_record(zs_catalog *c, const zs_cat_archive *r, zs_archive *a)
{
	char ids[24];
	const char *p[] = { ids };
	zs_copybuf b = { 0 };

	snprintf(ids, sizeof(ids), "%lld", (long long)r->id);
	int rc = simple(c, "starting a transaction", "BEGIN");
	if (rc == 0)
		rc = pq(c, "locking the archive",
			"SELECT pg_advisory_xact_lock($1::bigint)", 1, p);
	if (rc == 0)
		rc = pq(c, "deleting entries",
			"DELETE FROM entries WHERE archive_id = $1", 1, p);
	if (rc == 0)
		rc = pq(c, "deleting findings",
			"DELETE FROM findings WHERE archive_id = $1", 1, p);
	if (rc == 0)
		rc = put_archive(c, r);
	if (rc == 0)
		rc = copy_entries(c, r->id, a, &b);
	if (rc == 0)
		rc = copy_findings(c, r->id, a, &b);
	free(b.p);
	if (rc == 0)
		rc = simple(c, "committing", "COMMIT");
	if (rc != 0)
		rollback(c);
	return rc;
}

static int pg_run_begin(zs_catalog *c, const char *command,
			const char *options, int threads)
{
	char host[256] = "", now[32], id[24], th[16];

	gethostname(host, sizeof(host) - 1);
	zs_cat_time((int64_t)time(NULL), now);
	c->run_id = zs_cat_run_id();
	snprintf(id, sizeof(id), "%lld", (long long)c->run_id);
	snprintf(th, sizeof(th), "%d", threads);
	const char *p[] = { id, command, options, th, host, now, ZS_VERSION };
	return pq(c, "starting the run", zs_cat_sql_run_begin, 7, p);
}

static int pg_run_end(zs_catalog *c, double seconds, int64_t archives,
		      int64_t skipped, int status)
{
	char v[5][32];
	const char *p[] = { v[0], v[1], v[2], v[3], v[4] };

	snprintf(v[0], 32, "%.6f", seconds);
	snprintf(v[1], 32, "%lld", (long long)archives);
	snprintf(v[2], 32, "%lld", (long long)skipped);
	snprintf(v[3], 32, "%d", status);
	snprintf(v[4], 32, "%lld", (long long)c->run_id);
	return pq(c, "ending the run", zs_cat_sql_run_end, 5, p);
}

static int pg_entries(zs_catalog *c, int64_t id,
		      int (*fn)(void *ctx, const zs_catalog_entry *e),
		      void *ctx)
{
	char ids[24];
	const char *p[] = { ids };

	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	PGresult *r = zs_pq.execParams(c->db, "SELECT idx, name, "
		"compressed_size, uncompressed_size, crc32, method, "
		"coalesce(extract(epoch FROM mtime)::bigint, 0), status "
		"FROM entries WHERE archive_id = $1 ORDER BY idx", 1, NULL, p,
		NULL, NULL, 0);
	if (zs_pq.resultStatus(r) != PGRES_TUPLES_OK)
		return fail(c, "reading entries", r);
	int rc = 0;
	for (int k = 0; rc == 0 && k < zs_pq.ntuples(r); k++) {
		zs_catalog_entry e;
		memset(&e, 0, sizeof(e));
		e.index = atoll(zs_pq.getvalue(r, k, 0));
		e.name = zs_pq.getvalue(r, k, 1);
		e.compressed_size = strtoull(zs_pq.getvalue(r, k, 2), NULL, 10);
		e.uncompressed_size = strtoull(zs_pq.getvalue(r, k, 3), NULL, 10);
		e.crc32 = (uint32_t)strtoull(zs_pq.getvalue(r, k, 4), NULL, 10);
		e.method = (unsigned)atoi(zs_pq.getvalue(r, k, 5));
		e.mtime = atoll(zs_pq.getvalue(r, k, 6));
		snprintf(e.status, sizeof(e.status), "%s",
			 zs_pq.getvalue(r, k, 7));
		rc = fn(ctx, &e);
	}
	zs_pq.clear(r);
	return rc;
}

static void pg_close(zs_catalog *c)
{
	zs_pq.finish(c->db);
}

static const zs_cat_backend pg_backend = {
	pg_setup, pg_lookup, pg_record, pg_run_begin, pg_run_end,
	pg_entries, pg_close,
};

static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;   /* "relation already exists, skipping" */
}

int zs_cat_pg_open(zs_catalog *c, const char *conninfo)
{
	char why[512];

	if (zs_libpq_load(why, sizeof(why)) != 0) {
		zs_cat_fail(c, "PostgreSQL: %s", why);
		return -1;
	}
	c->be = &pg_backend;
	c->db = zs_pq.connectdb(conninfo);
	if (!c->db) {
		zs_cat_fail(c, "PostgreSQL: out of memory");
		return -1;
	}
	if (zs_pq.status(c->db) != CONNECTION_OK) {
		const char *m = zs_pq.errorMessage(c->db);
		zs_cat_fail(c, "PostgreSQL: cannot connect: %.*s",
			    (int)strcspn(m, "\n"), m);
		return -1;
	}
	zs_pq.setNoticeProcessor(c->db, quiet_notice, NULL);
	/* the rows' text is UTF-8 whatever the database's encoding: the
	 * server converts it, or refuses what that encoding cannot hold */
	return simple(c, "setting the session", "SET TIME ZONE 'UTC'; "
		      "SET client_encoding = 'UTF8'");
}
