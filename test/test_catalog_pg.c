/* SPDX-License-Identifier: MIT */
/*
 * test_catalog_pg.c - the PostgreSQL catalog's own behaviours: libpq is
 * loaded at run time and only for a PostgreSQL --db (src/pg_load.c), a
 * machine without it gets a clear message and exit 50, and the rows COPY
 * sends arrive with their values.  The server tests start a real
 * PostgreSQL 15 (test/pg_server.sh) and skip with one line when it cannot
 * start.
 */
#include <sys/stat.h>

#include "helpers.h"

/* Run zipscan with args (a shell fragment) under LD_DEBUG=files, its
 * output dropped: its exit status, and in *loads whether the dynamic
 * loader opened libpq (linked or dlopen'ed). */
static int run_watching_libpq(const char *dir, const char *args, int *loads)
{
	char out[64];
	int rc = run(NULL, 0, "rm -f %s/ld.*; LD_DEBUG=files LD_DEBUG_OUTPUT="
		     "%s/ld %s %s >/dev/null 2>&1", dir, dir, ZS_BIN, args);
	run(out, sizeof(out), "cat %s/ld.* | grep -c 'file=libpq'", dir);
	*loads = atoi(out) > 0;
	return rc;
}

Test(catalog_pg, libpq_only_when_used)
{
	char *d = temp_dir("catpg"), out[4096], args[8192];
	int loads;

	cr_assert_eq(run(out, sizeof(out), "ldd %s", ZS_BIN), 0);
	cr_assert_null(strstr(out, "libpq"), "%s", out);
	cr_assert_eq(run(out, sizeof(out), "%s --version", ZS_BIN), 0);
	cr_assert(strstr(out, "libpq (libpq.so.5, loaded for a PostgreSQL "
			 "--db)"), "%s", out);
	snprintf(args, sizeof(args), "test -q %s", fixture("stats.zip"));
	cr_assert_eq(run_watching_libpq(d, args, &loads), 0);
	cr_assert_eq(loads, 0, "test without --db loaded libpq");
	snprintf(args, sizeof(args), "list --db %s/c.sqlite %s", d,
		 fixture("stats.zip"));
	cr_assert_eq(run_watching_libpq(d, args, &loads), 0);
	cr_assert_eq(loads, 0, "a SQLite --db loaded libpq");
	/* a PostgreSQL --db loads it: libpq itself says it cannot connect */
	snprintf(args, sizeof(args), "list --db 'host=%s/none dbname=x' %s",
		 d, fixture("stats.zip"));
	cr_assert_eq(run_watching_libpq(d, args, &loads), 50);
	cr_assert_eq(loads, 1, "a PostgreSQL --db did not load libpq");
	drop_dir(d);
}

Test(catalog_pg, libpq_missing)
{
	char out[4096];
	const char *urls[] = { "postgresql:///x", "dbname=x" };

	for (int k = 0; k < 2; k++) {
		cr_assert_eq(run(out, sizeof(out), "ZS_TEST_LIBPQ_NAME="
				 "/nonexistent/libpq.so.5 %s list --db '%s' "
				 "%s 2>&1", ZS_BIN, urls[k],
				 fixture("stats.zip")), 50, "%s", out);
		cr_assert(strstr(out, "PostgreSQL: cannot load /nonexistent/"
				 "libpq.so.5, needed for a PostgreSQL "
				 "catalog (Debian package libpq5)"), "%s",
			  out);
	}
	/* the default name is the soname Debian's libpq5 ships */
	cr_assert_eq(run(out, sizeof(out), "ZS_TEST_LIBPQ_NAME= %s list --db "
			 "'postgresql:///x?host=/nonexistent' %s 2>&1",
			 ZS_BIN, fixture("stats.zip")), 50, "%s", out);
	cr_assert(strstr(out, "cannot connect"), "%s", out);
}
