/* SPDX-License-Identifier: MIT */
/*
 * version.c - what this library is and what it runs on: zipscan's version
 * and those of the libraries it decodes with (`zipscan --version`).
 *
 * libzstd, libbz2, liblzma, xxHash and SQLite report the version actually
 * loaded; libpq too once a PostgreSQL catalog has loaded it (pg_load.c),
 * and until then only its name (loading it costs more than the rest);
 * libdeflate and ISA-L have no such call, so theirs is the version of the
 * headers the library was built with.
 */
#include <bzlib.h>
#include <isa-l.h>
#include <libdeflate.h>
#include <lzma.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include <zstd.h>

#include "internal.h"
#include "pg_load.h"

const char *zs_version(void)
{
	return ZS_VERSION;
}

static char versions[384];
static pthread_once_t versions_once = PTHREAD_ONCE_INIT;

static void versions_make(void)
{
	unsigned x = XXH_versionNumber();
	int pq = zs_libpq_version_if_loaded();   /* 150010: 15.10 */
	char libpq[64];

	if (pq)
		snprintf(libpq, sizeof(libpq), "libpq %d.%d", pq / 10000,
			 pq % 10000);
	else
		snprintf(libpq, sizeof(libpq), "libpq (%s, loaded for a "
			 "PostgreSQL --db)", ZS_LIBPQ_NAME);
	snprintf(versions, sizeof(versions),
		 "libdeflate %s (built with)\n"
		 "ISA-L %d.%d.%d (built with)\n"
		 "zstd %s\n"
		 "bzip2 %.*s\n"
		 "liblzma %s\n"
		 "xxHash %u.%u.%u\n"
		 "SQLite %s\n"
		 "%s\n",
		 LIBDEFLATE_VERSION_STRING, ISAL_MAJOR_VERSION,
		 ISAL_MINOR_VERSION, ISAL_PATCH_VERSION, ZSTD_versionString(),
		 /* "1.0.8, 13-Jul-2019": the number only */
		 (int)strcspn(BZ2_bzlibVersion(), ","), BZ2_bzlibVersion(),
		 lzma_version_string(), x / 10000, x / 100 % 100, x % 100,
		 sqlite3_libversion(), libpq);
}

const char *zs_library_versions(void)
{
	pthread_once(&versions_once, versions_make);
	return versions;
}

void zs_free(void *p)
{
	free(p);
}

size_t zs_struct_size(const char *name)
{
	static const struct { const char *name; size_t size; } known[] = {
		{ "zs_options", sizeof(zs_options) },
		{ "zs_totals", sizeof(zs_totals) },
		{ "zs_entry", sizeof(zs_entry) },
		{ "zs_finding", sizeof(zs_finding) },
		{ "zs_catalog_entry", sizeof(zs_catalog_entry) },
	};
	for (size_t k = 0; name && k < sizeof(known) / sizeof(known[0]); k++)
		if (!strcmp(known[k].name, name))
			return known[k].size;
	return 0;
}
