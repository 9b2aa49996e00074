/* SPDX-License-Identifier: MIT */
/*
 * catalog.h - inside the catalog (--db): the handle, the rows as the
 * backends (catalog_sqlite.c, catalog_pg.c) receive them, and the writer
 * thread's queue (catalog_queue.c).  Not part of the API.
 */
#ifndef ZS_CATALOG_H
#define ZS_CATALOG_H

#include <pthread.h>
#include <stdint.h>

#include "internal.h"

#define ZS_CATALOG_SCHEMA_VERSION 1

/* One archive's row (catalog.c fills it from the handle and the file). */
typedef struct zs_cat_archive {
	int64_t id;
	const char *path;          /* absolute, sanitized UTF-8 */
	int64_t size, mtime_ns, cd_checksum, cd_offset;
	char mtime[32];            /* "YYYY-MM-DD HH:MM:SS+00:00" */
	char scanned[32];
	const char *command;
	int decoded, hashed, status;
	int64_t entries, ok, bad, unsupported, encrypted, untested;
	int64_t comp, uncomp, findings;
} zs_cat_archive;

/* One entry's row, its text fields in the caller's buffers. */
typedef struct zs_cat_entry {
	int64_t idx;
	const char *name;          /* sanitized UTF-8, no NUL */
	unsigned method;
	const char *method_name;
	int64_t comp, uncomp, crc32;
	int has_mtime;
	char mtime[32];
	int64_t mtime_unix;        /* the same in seconds, if has_mtime */
	int64_t mode, external_attr, flags, local_offset, data_offset;
	int is_dir, is_symlink, is_encrypted;
	const char *status;
	const char *error;         /* NULL: none */
	char hash[33];             /* "" : none */
} zs_cat_entry;

typedef struct zs_cat_finding {
	int64_t entry;             /* -1: none */
	const char *code, *severity, *message;
	int64_t offset;
} zs_cat_finding;

/* What a backend records about an archive it was asked to look up. */
typedef struct zs_cat_known {
	int64_t size, mtime_ns, cd_checksum, cd_offset;
	int decoded, hashed, status;
} zs_cat_known;

typedef struct zs_catalog zs_catalog;

/* A backend.  Every function returns 0, or -1 with c->err set. */
typedef struct zs_cat_backend {
	/* the schema (catalog.sql) and its version check */
	int (*setup)(zs_catalog *c);
	/* 1 and *k if the archive has a row, 0 if not */
	int (*lookup)(zs_catalog *c, int64_t id, zs_cat_known *k);
	/* replace the archive's rows in one transaction */
	int (*record)(zs_catalog *c, const zs_cat_archive *r, zs_archive *a);
	int (*run_begin)(zs_catalog *c, const char *command,
			 const char *options, int threads);
	int (*run_end)(zs_catalog *c, double seconds, int64_t archives,
		       int64_t skipped, int status);
	/* the rows of archive id, in idx order, through fn */
	int (*entries)(zs_catalog *c, int64_t id,
		       int (*fn)(void *ctx, const zs_catalog_entry *e),
		       void *ctx);
	void (*close)(zs_catalog *c);
} zs_cat_backend;

/* The writer thread's queue: archives scanned, waiting to be recorded. */
#define ZS_CAT_QUEUE 8
typedef struct zs_cat_item {
	zs_archive *a;
	char *path;                /* absolute */
	int64_t mtime_ns;
	char command[8];
} zs_cat_item;

struct zs_catalog {
	const zs_cat_backend *be;
	void *db;                  /* sqlite3 * or PGconn * */
	void *stmts;               /* the backend's prepared statements */
	char err[512];             /* the first error, in full */
	int64_t run_id;
	double started;
	int64_t recorded, skipped;
	/* the writer thread (catalog_queue.c) */
	pthread_t thread;
	int thread_started;
	pthread_mutex_t lock;      /* the queue and the counters */
	pthread_cond_t cond;
	pthread_mutex_t db_lock;   /* one thread at a time on the connection */
	zs_cat_item queue[ZS_CAT_QUEUE];
	size_t head, count;
	int closing;
	int failed;                /* a record failed: err says why */
	int group_more;            /* the writer: another archive follows at
				      once (SQLite then keeps the transaction
				      open for it) */
	int txn_open;              /* SQLite: a group's transaction is open */
	int64_t txn_archives, txn_rows;
};

/* catalog.c: an error message into c->err (the first one stays). */
void zs_cat_fail(zs_catalog *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Fill r for archive a (path absolute, mtime_ns from its stat). */
int zs_cat_archive_row(const zs_archive *a, const char *path,
		       int64_t mtime_ns, const char *command,
		       zs_cat_archive *r);
/* The file's mtime now (the scan just read it) and its absolute path
 * (malloc'ed): what the row will say. */
int zs_cat_prepare(zs_catalog *c, zs_archive *a, char **path, int64_t *ns);
/* Entry i's row; name and err are buffers of zs_cat_name_cap(a) bytes. */
size_t zs_cat_name_cap(const zs_archive *a);
void zs_cat_entry_row(const zs_archive *a, size_t i, char *name, char *err,
		      size_t err_cap, zs_cat_entry *e);
/* Finding k's row; msg is a buffer of 3 * strlen(text) + 1 bytes. */
void zs_cat_finding_row(const zs_archive *a, size_t k, char *msg,
			zs_cat_finding *f);
/* "YYYY-MM-DD HH:MM:SS+00:00" of a time in seconds; 0 if out of range. */
int zs_cat_time(int64_t t, char out[32]);
/* SQL both backends run (catalog.c); parameters $1... in order. */
extern const char zs_cat_sql_upsert[], zs_cat_sql_lookup[],
	zs_cat_sql_run_begin[], zs_cat_sql_run_end[];
/* A random run id (63 bits) and this host's name. */
int64_t zs_cat_run_id(void);
/* The schema text (catalog.sql, embedded at build time). */
extern const char zs_catalog_schema[];

/* catalog_sqlite.c, catalog_pg.c: open c->db; -1 with c->err set. */
int zs_cat_sqlite_open(zs_catalog *c, const char *path);
int zs_cat_pg_open(zs_catalog *c, const char *conninfo);

/* catalog_queue.c: record one archive synchronously (then close it). */
int zs_cat_record_now(zs_catalog *c, zs_archive *a, const char *path,
		      int64_t mtime_ns, const char *command);
void zs_cat_queue_init(zs_catalog *c);
/* Wait for the writer to drain the queue and stop. */
void zs_cat_queue_stop(zs_catalog *c);

#endif
