/* SPDX-License-Identifier: MIT */
/*
 * pg_load.h - libpq, loaded at run time (dlopen) the first time a catalog
 * is opened in PostgreSQL, so that commands without a postgresql:// --db
 * do not pay for loading libpq and the 20-odd libraries it pulls in.
 * Each function pointer has the type libpq-fe.h declares for it, so the
 * compiler checks every call as if libpq were linked.
 */
#ifndef ZS_PG_LOAD_H
#define ZS_PG_LOAD_H

#include <libpq-fe.h>
#include <stddef.h>

/* The soname loaded, and the Debian package that ships it. */
#define ZS_LIBPQ_NAME "libpq.so.5"
#define ZS_LIBPQ_PACKAGE "libpq5"

/* The libpq functions the catalog calls, without their PQ prefix. */
#define ZS_LIBPQ_FUNCTIONS(X) \
	X(connectdb) X(status) X(errorMessage) X(finish) \
	X(setNoticeProcessor) X(exec) X(execParams) X(resultStatus) \
	X(resultErrorMessage) X(clear) X(ntuples) X(getvalue) \
	X(putCopyData) X(putCopyEnd) X(getResult) X(libVersion)

typedef struct zs_libpq {
#define ZS_LIBPQ_FIELD(f) __typeof__(PQ##f) *f;
	ZS_LIBPQ_FUNCTIONS(ZS_LIBPQ_FIELD)
#undef ZS_LIBPQ_FIELD
} zs_libpq;

/* Load libpq into zs_pq, once per process (thread-safe; never
 * unloaded): 0, or -1 with why in err.  zs_pq is usable after a 0. */
int zs_libpq_load(char *err, size_t cap);
extern zs_libpq zs_pq;
/* libpq's version (150010: 15.10) if this process has loaded it, else 0
 * (it does not load it). */
int zs_libpq_version_if_loaded(void);

#endif
