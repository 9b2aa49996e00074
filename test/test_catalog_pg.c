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

/* A server of our own in DIR/pg (test/pg_server.sh): 1 and its URL, or 0
 * when it cannot start (why in the skip message). */
static int pg_start(const char *dir, char *url, size_t cap, char *why,
		    size_t why_cap)
{
	chmod(dir, 0755);   /* as root the server runs as nobody, beneath */
	int rc = run(url, cap, "%s/pg_server.sh start %s/pg 2>%s/pg.err",
		     ZS_TESTDIR, dir, dir);
	if (rc == 77) {
		run(why, why_cap, "head -1 %s/pg.err", dir);
		return 0;
	}
	cr_assert_eq(rc, 0, "pg_server.sh start: %d", rc);
	url[strcspn(url, "\n")] = '\0';
	return 1;
}

static void pg_stop(const char *dir)
{
	run(NULL, 0, "%s/pg_server.sh stop %s/pg", ZS_TESTDIR, dir);
}

/* odd.zip: names with COPY's text escapes, an empty name's neighbour, a
 * time before 1970 and one past year 9999 (NTFS extra fields: the
 * catalog stores NULL for a time it cannot write), a symlink and a
 * directory. */
static void odd_archive(const char *dir)
{
	cr_assert_eq(run(NULL, 0, "cd %s && %s - <<'EOF'\n"
		"import struct, zipfile\n"
		"def ntfs(t):\n"
		"    return struct.pack('<HHIHHQQQ', 10, 32, 0, 1, 24, t, t, t)\n"
		"z = zipfile.ZipFile('odd.zip', 'w')\n"
		"for n in ('tab\\there', 'nl\\nthere', 'back\\\\slash', 'cr\\rx',"
		" 'caf\\u00e9', 'dir/'):\n"
		"    z.writestr(n, n)\n"
		"i = zipfile.ZipInfo('old-1900'); i.extra = ntfs("
		"94354848000000000)\n"
		"z.writestr(i, b'old')\n"
		"i = zipfile.ZipInfo('far-future'); i.extra = ntfs(2**63 - 1)\n"
		"z.writestr(i, b'far')\n"
		"i = zipfile.ZipInfo('link'); i.external_attr = 0o120777 << 16\n"
		"z.writestr(i, 'target')\n"
		"z.close()\n"
		"EOF", dir, ZS_PYTHON), 0);
}

/* Every entries and findings column, as text the same in sqlite3 and
 * psql -At (times as SQLite keeps them, booleans 0/1, NULL as <null>). */
static const char entries_sql[] =
	"SELECT archive_id, idx, name, method, method_name, compressed_size, "
	"uncompressed_size, crc32, coalesce(%s, '<null>'), mode, "
	"external_attr, flags, local_offset, data_offset, %s, status, "
	"coalesce(error, '<null>'), coalesce(xxh3_128, '<null>') FROM "
	"entries ORDER BY archive_id, idx; SELECT archive_id, "
	"coalesce(entry, -1), code, severity, byte_offset, message FROM "
	"findings ORDER BY 1, 2, 3, 5, 6;";

/* A LATIN1 database on the server in DIR/pg: names arrive as the same
 * characters (the session's client_encoding is UTF8, not the database's),
 * and one LATIN1 cannot hold stops the run, nothing of its archive
 * recorded. */
static void check_latin1_database(const char *dir)
{
	char url[512], out[4096];

	cr_assert_eq(run(NULL, 0, "createdb -h %s/pg -U zipscan -E LATIN1 "
			 "-T template0 --locale=C lat1", dir), 0);
	snprintf(url, sizeof(url), "postgresql:///lat1?host=%s/pg&user="
		 "zipscan", dir);
	int rc = run(NULL, 0, "cd %s && %s list -q --db '%s' odd.zip "
		     ">/dev/null 2>&1", dir, ZS_BIN, url);
	cr_assert(rc == 0 || rc == 1, "exit %d", rc);   /* 1: its warnings */
	cr_assert_eq(run(out, sizeof(out), "PGCLIENTENCODING=UTF8 psql -X -At "
			 "'%s' -c \"SELECT name FROM entries WHERE name LIKE "
			 "'caf%%'\"", url), 0);
	cr_assert_str_eq(out, "caf\xc3\xa9\n");
	cr_assert_eq(run(NULL, 0, "cd %s && %s -c \"import zipfile\nz = "
			 "zipfile.ZipFile('euro.zip', 'w')\nz.writestr("
			 "'\\u20ac', b'x')\nz.close()\"", dir, ZS_PYTHON), 0);
	cr_assert_eq(run(out, sizeof(out), "cd %s && %s list -q --db '%s' "
			 "euro.zip 2>&1 >/dev/null", dir, ZS_BIN, url), 50);
	cr_assert(strstr(out, "PostgreSQL: ") && strstr(out, "LATIN1"), "%s",
		  out);
	cr_assert_eq(run(out, sizeof(out), "psql -X -At '%s' -c \"SELECT "
			 "count(*) FROM archives WHERE path LIKE '%%euro.zip'\"",
			 url), 0);
	cr_assert_str_eq(out, "0\n");
	/* the library: the error comes up while close drains the writer,
	 * and outlives the handle (zs_catalog_error(NULL)) */
	zs_catalog *c;
	zs_options o;
	int status;
	snprintf(out, sizeof(out), "%s/euro.zip", dir);
	zs_options_init(&o);
	zs_archive *a = zs_open(out, &o, &status);
	cr_assert_not_null(a);
	cr_assert_eq(zs_catalog_open(url, "list", "", 1, &c), 0, "%s",
		     zs_catalog_error(c));
	cr_assert_eq(zs_catalog_submit(c, a, "list"), 0);
	cr_assert_eq(zs_catalog_close(c, 0), ZS_EXIT_WRITE);
	cr_assert(strstr(zs_catalog_error(NULL), "LATIN1"), "%s",
		  zs_catalog_error(NULL));
}

Test(catalog_pg, binary_copy_rows_equal_sqlites, .timeout = 120)
{
	char *d = temp_dir("catpg"), url[512], why[512] = "", q[1024];
	static char pg[1 << 18], lite[1 << 18];

	if (!pg_start(d, url, sizeof(url), why, sizeof(why))) {
		drop_dir(d);
		cr_skip_test("%s", why);
	}
	odd_archive(d);
	const char *dbs[] = { url, "c.sqlite" };
	for (int k = 0; k < 2; k++) {
		/* findings (check), then hashes and statuses (stats) */
		int rc = run(NULL, 0, "cd %s && %s check -q --db '%s' odd.zip "
			     "%s %s %s >/dev/null 2>&1", d, ZS_BIN, dbs[k],
			     ZS_FIXTURES "/audit-names.zip",
			     ZS_FIXTURES "/cp437.zip",
			     ZS_FIXTURES "/control-name.zip");
		cr_assert(rc == 0 || rc == 1, "check: exit %d", rc);
		rc = run(NULL, 0, "cd %s && %s stats --hash --db '%s' %s %s "
			 ">/dev/null 2>&1", d, ZS_BIN, dbs[k],
			 ZS_FIXTURES "/bad-crc.zip", ZS_FIXTURES "/mixed.zip");
		cr_assert(rc == 0 || rc == 2, "stats: exit %d", rc);
	}
	snprintf(q, sizeof(q), entries_sql, "to_char(mtime AT TIME ZONE "
		 "'UTC', 'YYYY-MM-DD HH24:MI:SS\\\"+00:00\\\"')",
		 "is_dir::int, is_symlink::int, is_encrypted::int");
	cr_assert_eq(run(pg, sizeof(pg), "psql -X -At -v ON_ERROR_STOP=1 "
			 "'%s' -c \"%s\"", url, q), 0, "%s", q);
	snprintf(q, sizeof(q), entries_sql, "mtime",
		 "is_dir, is_symlink, is_encrypted");
	cr_assert_eq(run(lite, sizeof(lite), "sqlite3 -bail %s/c.sqlite "
			 "\"%s\"", d, q), 0);
	cr_assert_str_eq(pg, lite);
	/* what the rows must hold, so that equal is not equally empty */
	cr_assert(strstr(pg, "|old-1900|") && strstr(pg,
		  "|1900-01-01 00:00:00+00:00|"), "%s", pg);
	cr_assert(strstr(pg, "|far-future|0|stored|3|3|1911956598|<null>|"),
		  "%s", pg);
	cr_assert(strstr(pg, "|tab\there|") && strstr(pg, "|nl\nthere|") &&
		  strstr(pg, "|back\\slash|") && strstr(pg, "|caf\xc3\xa9|"),
		  "%s", pg);
	cr_assert(strstr(pg, "|bad|bad CRC-32: stored e6bacc6b, computed "
			 "e6bacc6a|<null>\n"), "%s", pg);
	cr_assert(strstr(pg, "|dotdot-name|warning|"), "%s", pg);
	cr_assert_lt(strlen(pg), sizeof(pg) - 1);   /* all of it compared */
	cr_assert_eq(run(q, sizeof(q), "psql -X -At '%s' -c \"SELECT "
			 "count(xxh3_128) FROM entries\"", url), 0);
	cr_assert_str_eq(q, "606\n");   /* mixed.zip's, hashed */
	/* the schema's indexes on entries, the same in both: the primary key
	 * and failed entries, not (uncompressed_size, crc32) */
	cr_assert_eq(run(q, sizeof(q), "psql -X -At '%s' -c \"SELECT "
			 "string_agg(indexname, ',' ORDER BY indexname) FROM "
			 "pg_indexes WHERE tablename = 'entries'\"", url), 0);
	cr_assert_str_eq(q, "entries_failed,entries_pkey\n");
	cr_assert_eq(run(q, sizeof(q), "sqlite3 %s/c.sqlite \"SELECT "
			 "group_concat(name) FROM (SELECT name FROM "
			 "sqlite_master WHERE type = 'index' AND tbl_name = "
			 "'entries' ORDER BY name)\"", d), 0);
	cr_assert_str_eq(q, "entries_failed,sqlite_autoindex_entries_1\n");
	check_latin1_database(d);
	pg_stop(d);
	drop_dir(d);
}
