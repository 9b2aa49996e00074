/* SPDX-License-Identifier: MIT */
/*
 * test_catalog.c - the catalog (--db): the schema and the README's example
 * queries run as written in sqlite3 and psql on known archives,
 * incremental skip and replace, a run killed with SIGKILL mid-batch, two
 * writers at once, database errors, zs_catalog_entries, --shard, and
 * list --csv/--ndjson.  PostgreSQL tests start a real server
 * (test/pg_server.sh) and skip with one line when it cannot start.
 */
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include "helpers.h"

/* One integer from a SQLite catalog (-1 on any error). */
static long long sql_int(const char *db, const char *q)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	long long v = -1;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, q, -1, &s, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(h, 5000);
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(h);
	return v;
}

/* Archives whose entry rows disagree with their own count, plus entry
 * rows without an archive: 0 when every archive is whole. */
static const char whole_sql[] =
	"SELECT (SELECT count(*) FROM archives a WHERE a.entries <> "
	"(SELECT count(*) FROM entries e WHERE e.archive_id = a.archive_id))"
	" + (SELECT count(*) FROM entries WHERE archive_id NOT IN "
	"(SELECT archive_id FROM archives))";

/* The README's catalog-queries block, as written, into DIR/q.sql. */
static void readme_queries(const char *dir)
{
	cr_assert_eq(run(NULL, 0, "sed -n '/^<!-- catalog-queries/,/^<!-- "
			 "\\/catalog-queries/p' %s/../README.md | grep -v "
			 "'^<!--\\|^```' > %s/q.sql && grep -q SELECT %s/q.sql",
			 ZS_TESTDIR, dir, dir), 0);
}

/* Known archives: two copies of stats.zip (duplicates across archives),
 * bad-crc.zip (a failed entry), mixed.zip (the biggest entries). */
static void known_archives(const char *dir)
{
	const char *from[] = { "stats.zip", "stats.zip", "bad-crc.zip",
			       "mixed.zip" };
	const char *to[] = { "s1.zip", "s2.zip", "bad.zip", "mixed.zip" };

	for (int k = 0; k < 4; k++)   /* fixture() has one buffer */
		cr_assert_eq(run(NULL, 0, "cp %s %s/%s", fixture(from[k]), dir,
				 to[k]), 0);
}

/* What the README's queries must show on the known archives (the text of
 * sqlite3's and psql -At's output alike). */
static void check_query_output(const char *out)
{
	cr_assert(strstr(out, "/mixed.zip|big/5|524288\n"), "%s", out);
	cr_assert(strstr(out, "\n1000|1909149610|4|2\n"), "%s", out);
	cr_assert(strstr(out, "/bad.zip|a.txt|bad|bad CRC-32: stored "
			  "e6bacc6b, computed e6bacc6a\n"), "%s", out);
	cr_assert(strstr(out, "/s1.zip|deflate|4|1024|5011\n"), "%s", out);
	cr_assert(strstr(out, "/mixed.zip|deflate|606|"), "%s", out);
}

Test(catalog, sqlite_schema_and_readme_queries)
{
	char *d = temp_dir("cat"), out[16384], db[256];
	snprintf(db, sizeof(db), "%s/c.sqlite", d);
	known_archives(d);
	readme_queries(d);
	cr_assert_eq(run(NULL, 0, "cd %s && %s test -q --db c.sqlite s1.zip "
			 "s2.zip bad.zip mixed.zip 2>/dev/null", d, ZS_BIN), 2);
	cr_assert_eq(sql_int(db, "PRAGMA user_version"), 1);
	cr_assert_eq(sql_int(db, "SELECT version FROM schema_version"), 1);
	cr_assert_eq(sql_int(db, "SELECT count(*) FROM archives"), 4);
	cr_assert_eq(sql_int(db, "SELECT count(*) FROM entries"),
		     9 + 9 + 1 + 606);
	cr_assert_eq(sql_int(db, whole_sql), 0);
	/* typed: integers, not text */
	cr_assert_eq(sql_int(db, "SELECT count(*) FROM entries WHERE "
			     "typeof(uncompressed_size) <> 'integer' OR "
			     "typeof(crc32) <> 'integer'"), 0);
	cr_assert_eq(run(out, sizeof(out), "sqlite3 -bail %s < %s/q.sql", db,
			 d), 0);
	check_query_output(out);
	/* s2.zip changes: its rows are replaced, and query 3 shows it */
	cr_assert_eq(run(NULL, 0, "cp %s/bad.zip %s/s2.zip && cd %s && %s "
			 "test -q --db c.sqlite s2.zip 2>/dev/null", d, d, d,
			 ZS_BIN), 2);
	cr_assert_eq(run(out, sizeof(out), "sqlite3 -bail %s < %s/q.sql", db,
			 d), 0);
	cr_assert(strstr(out, "/s2.zip|1|"), "%s", out);
	cr_assert_eq(sql_int(db, "SELECT count(*) FROM entries JOIN archives "
			     "USING (archive_id) WHERE path LIKE '%/s2.zip'"),
		     1);
	cr_assert_eq(sql_int(db, whole_sql), 0);
	drop_dir(d);
}

Test(catalog, incremental_skip_and_replace)
{
	char *d = temp_dir("cat"), err[4096], db[256];
	snprintf(db, sizeof(db), "%s/c.sqlite", d);
	known_archives(d);
	cr_assert_eq(run(NULL, 0, "cd %s && %s list --db c.sqlite s1.zip "
			 ">/dev/null", d, ZS_BIN), 0);
	/* recorded by list (nothing decoded): test must scan it */
	cr_assert_eq(run(err, sizeof(err), "cd %s && %s test --db c.sqlite "
			 "s1.zip 2>&1 >/dev/null", d, ZS_BIN), 0);
	cr_assert_null(strstr(err, "unchanged"), "%s", err);
	cr_assert_eq(sql_int(db, "SELECT count(*) FROM entries WHERE "
			     "status = 'ok'"), 9);
	/* unchanged: skipped, said, counted */
	cr_assert_eq(run(err, sizeof(err), "cd %s && %s test --db c.sqlite "
			 "s1.zip 2>&1 >/dev/null", d, ZS_BIN), 0);
	cr_assert(strstr(err, "s1.zip: unchanged since it was recorded"),
		  "%s", err);
	cr_assert_eq(sql_int(db, "SELECT count(*) FROM runs WHERE "
			     "skipped = 1 AND archives = 0"), 1);
	/* a skipped bad archive keeps its status */
	cr_assert_eq(run(NULL, 0, "cd %s && %s test -q --db c.sqlite bad.zip "
			 "2>/dev/null", d, ZS_BIN), 2);
	cr_assert_eq(run(NULL, 0, "cd %s && %s test -q --db c.sqlite bad.zip "
			 "2>/dev/null", d, ZS_BIN), 2);
	cr_assert_eq(sql_int(db, "SELECT count(*) FROM runs WHERE "
			     "skipped = 1 AND status = 2"), 1);
	/* --refresh rescans */
	cr_assert_eq(run(err, sizeof(err), "cd %s && %s test --refresh --db "
			 "c.sqlite s1.zip 2>&1 >/dev/null", d, ZS_BIN), 0);
	cr_assert_null(strstr(err, "unchanged"), "%s", err);
	/* same size and mtime, one byte of the central directory changed
	 * (a name): the checksum sees it */
	cr_assert_eq(run(NULL, 0, "cd %s && cp -p s1.zip ref.zip && %s -c \""
			 "d = open('s1.zip', 'rb').read(); k = d.rindex(b'root.c');"
			 " open('s1.zip', 'r+b').write(d[:k] + b'R' + d[k + 1:])"
			 "\" && touch -r ref.zip s1.zip", d, ZS_PYTHON), 0);
	cr_assert_eq(run(err, sizeof(err), "cd %s && %s test --db c.sqlite "
			 "s1.zip 2>&1 >/dev/null", d, ZS_BIN), 2);   /* local
				header and central record now disagree */
	cr_assert_null(strstr(err, "unchanged"), "%s", err);
	cr_assert_eq(sql_int(db, "SELECT count(*) FROM entries WHERE name = "
			     "'Root.c'"), 1);
	/* other content: replaced in one go */
	cr_assert_eq(run(NULL, 0, "cd %s && cp mixed.zip s1.zip && %s test "
			 "-q --db c.sqlite s1.zip", d, ZS_BIN), 0);
	cr_assert_eq(sql_int(db, "SELECT entries FROM archives WHERE path "
			     "LIKE '%/s1.zip'"), 606);
	cr_assert_eq(sql_int(db, "SELECT changes FROM archives WHERE path "
			     "LIKE '%/s1.zip'"), 2);   /* the name, then this */
	cr_assert_eq(sql_int(db, whole_sql), 0);
	drop_dir(d);
}

/* A batch of copies of a 10,000-entry archive, recorded into SQLite by a
 * process killed with SIGKILL once some (not all) are in. */
Test(catalog, sigkill_leaves_whole_archives, .timeout = 120)
{
	char *d = temp_dir("cat"), db[256], cmd[512];
	enum { N = 16 };
	snprintf(db, sizeof(db), "%s/k.sqlite", d);
	cr_assert_eq(run(NULL, 0, "%s -c \"import zipfile\nz = zipfile.ZipFile("
			 "'%s/a0.zip', 'w')\nfor i in range(10000): "
			 "z.writestr('d/%%06d' %% i, b'')\nz.close()\" && "
			 "cd %s && for i in $(seq 1 %d); do cp a0.zip a$i.zip;"
			 " done", ZS_PYTHON, d, d, N - 1), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		snprintf(cmd, sizeof(cmd), "cd %s && exec %s list -j1 --db "
			 "k.sqlite a*.zip >/dev/null 2>&1", d, ZS_BIN);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	long long got = 0;
	for (int k = 0; k < 20000 && got < 2; k++) {
		usleep(2000);
		got = sql_int(db, "SELECT count(*) FROM archives");
	}
	kill(pid, SIGKILL);
	int st;
	waitpid(pid, &st, 0);
	got = sql_int(db, "SELECT count(*) FROM archives");
	cr_assert(WIFSIGNALED(st), "the run ended before it was killed");
	cr_assert(got >= 2 && got < N, "%lld of %d recorded", got, N);
	cr_assert_eq(sql_int(db, whole_sql), 0);
	cr_assert_eq(sql_int(db, "SELECT count(*) FROM entries"), got * 10000);
	/* the next run records the rest, skipping what is there */
	cr_assert_eq(run(NULL, 0, "cd %s && %s list -q --db k.sqlite a*.zip "
			 ">/dev/null", d, ZS_BIN), 0);
	cr_assert_eq(sql_int(db, "SELECT count(*) FROM archives"), N);
	cr_assert_eq(sql_int(db, whole_sql), 0);
	drop_dir(d);
}

/* A batch recorded with archives sharing transactions (SQLite groups
 * those queued one behind another): every archive whole, at -j 1 and
 * -j 2 alike, and a re-run skips them all. */
Test(catalog, batch_in_shared_transactions, .timeout = 120)
{
	char *dir = temp_dir("catgroup"), out[4096];
	char *stats = strdup(fixture("stats.zip"));
	char *bad = strdup(fixture("bad-crc.zip"));
	cr_assert_eq(run(NULL, 0, "cd %s && for i in $(seq 100); do "
			 "ln %s s$i.zip && ln %s b$i.zip; done", dir, stats,
			 bad), 0);
	for (int j = 1; j <= 2; j++) {
		char db[4300];
		snprintf(db, sizeof(db), "%s/c%d.sqlite", dir, j);
		int rc = run(out, sizeof(out), "cd %s && %s test -q -j %d "
			     "--db %s *.zip 2>&1", dir, ZS_BIN, j, db);
		cr_expect_eq(rc, ZS_EXIT_ENTRY, "-j %d: %s", j, out);
		cr_expect_eq(sql_int(db, "SELECT count(*) FROM archives"), 200);
		cr_expect_eq(sql_int(db, whole_sql), 0);
		cr_expect_eq(sql_int(db, "SELECT count(*) FROM findings"),
			     sql_int(db, "SELECT count(*) FROM findings f JOIN "
				     "archives a USING (archive_id) WHERE "
				     "a.path LIKE '%/b%'"));
		rc = run(out, sizeof(out), "cd %s && %s test -j %d --db %s "
			 "*.zip 2>&1 | grep -c 'unchanged since'", dir, ZS_BIN,
			 j, db);
		cr_expect_eq(atoi(out), 200, "-j %d: %s", j, out);
	}
	cr_expect_eq(run(out, sizeof(out), "cd %s && for d in c1 c2; do "
			 "sqlite3 $d.sqlite 'SELECT a.path, e.name, e.crc32, "
			 "e.status FROM entries e JOIN archives a USING "
			 "(archive_id) ORDER BY 1, 2' > $d.rows; done && cmp "
			 "c1.rows c2.rows && test -s c1.rows", dir), 0, "%s",
		     out);
	free(stats), free(bad);
	drop_dir(dir);
}

Test(catalog, sqlite_two_writers)
{
	char *d = temp_dir("cat"), db[256];
	snprintf(db, sizeof(db), "%s/c.sqlite", d);
	known_archives(d);
	cr_assert_eq(run(NULL, 0, "cd %s && for k in 1 2 3; do (%s list -q "
			 "--refresh --db c.sqlite mixed.zip s1.zip >/dev/null; "
			 "echo $? > r1) & (%s list -q --refresh --db c.sqlite "
			 "mixed.zip s1.zip >/dev/null; echo $? > r2) & wait; "
			 "[ $(cat r1) = 0 ] && [ $(cat r2) = 0 ] || exit 1; "
			 "done", d, ZS_BIN, ZS_BIN), 0);
	cr_assert_eq(sql_int(db, "SELECT count(*) FROM entries"), 606 + 9);
	cr_assert_eq(sql_int(db, whole_sql), 0);
	drop_dir(d);
}

Test(catalog, database_errors)
{
	char *d = temp_dir("cat"), err[4096], db[256];
	snprintf(db, sizeof(db), "%s/c.sqlite", d);
	/* cannot open */
	cr_assert_eq(run(err, sizeof(err), "%s test --db %s/no/such/dir/c.db "
			 "%s 2>&1", ZS_BIN, d, fixture("stats.zip")), 50);
	cr_assert(strstr(err, "SQLite: cannot open"), "%s", err);
	/* cannot connect */
	cr_assert_eq(run(err, sizeof(err), "%s list --db 'postgresql:///x?"
			 "host=%s/none' %s 2>&1", ZS_BIN, d,
			 fixture("stats.zip")), 50);
	cr_assert(strstr(err, "PostgreSQL: cannot connect"), "%s", err);
	/* a newer schema */
	cr_assert_eq(run(NULL, 0, "%s list --db %s %s >/dev/null", ZS_BIN, db,
			 fixture("stats.zip")), 0);
	cr_assert_eq(run(NULL, 0, "sqlite3 %s 'UPDATE schema_version SET "
			 "version = 2'", db), 0);
	cr_assert_eq(run(err, sizeof(err), "%s list --db %s %s 2>&1", ZS_BIN,
			 db, fixture("bad-crc.zip")), 50);
	cr_assert(strstr(err, "schema version 2"), "%s", err);
	/* a failed statement mid-run: the table is gone */
	cr_assert_eq(run(NULL, 0, "sqlite3 %s 'UPDATE schema_version SET "
			 "version = 1; DROP TABLE findings'", db), 0);
	cr_assert_eq(run(NULL, 0, "sqlite3 %s \"CREATE TABLE findings (x "
			 "INTEGER CHECK (x > 0))\"", db), 0);
	cr_assert_eq(run(err, sizeof(err), "%s check --db %s %s 2>&1", ZS_BIN,
			 db, fixture("audit-names.zip")), 50);
	cr_assert(strstr(err, "SQLite: "), "%s", err);
	cr_assert_eq(sql_int(db, "SELECT count(*) FROM archives WHERE path "
			     "LIKE '%audit-names.zip'"), 0);
	/* options that do not go with --db */
	cr_assert_eq(run(NULL, 0, "%s test --db %s -i '*.txt' %s 2>/dev/null",
			 ZS_BIN, db, fixture("stats.zip")), 10);
	cr_assert_eq(run(NULL, 0, "%s test --refresh %s 2>/dev/null", ZS_BIN,
			 fixture("stats.zip")), 10);
	drop_dir(d);
}

/* The library's side: what a diff would read back. */
static void check_entries_api(const char *db)
{
	zs_catalog *c;
	zs_catalog_entry *e;
	size_t n;

	cr_assert_eq(zs_catalog_open(db, "list", "", 1, &c), 0, "%s",
		     zs_catalog_error(c));
	cr_assert_eq(zs_catalog_entries(c, fixture("stats.zip"), &e, &n), 0,
		     "%s", zs_catalog_error(c));
	cr_assert_eq(n, 9);
	cr_assert_str_eq(e[2].name, "a/x.txt");
	cr_assert_eq(e[2].crc32, 1909149610u);
	cr_assert_eq(e[2].uncompressed_size, 1000);
	cr_assert_eq(e[2].method, 8);
	cr_assert_eq(e[2].mtime, 1640995200);   /* 2022-01-01 00:00:00 UTC */
	cr_assert_str_eq(e[2].status, "ok");
	zs_catalog_entries_free(e, n);
	cr_assert_eq(zs_catalog_entries(c, fixture("mixed.zip"), &e, &n), 9);
	cr_assert_eq(zs_catalog_close(c, 0), 0);
}

Test(catalog, entries_api_sqlite)
{
	char *d = temp_dir("cat"), db[256];
	snprintf(db, sizeof(db), "%s/c.sqlite", d);
	cr_assert_eq(run(NULL, 0, "%s test -q --db %s %s", ZS_BIN, db,
			 fixture("stats.zip")), 0);
	check_entries_api(db);
	drop_dir(d);
}

Test(catalog, postgresql, .timeout = 120)
{
	char *d = temp_dir("catpg"), url[512], out[16384];
	chmod(d, 0755);   /* as root the server runs as nobody, beneath */
	int rc = run(url, sizeof(url), "%s/pg_server.sh start %s/pg "
		     "2>%s/pg.err", ZS_TESTDIR, d, d);
	if (rc == 77) {
		char why[512] = "";
		run(why, sizeof(why), "head -1 %s/pg.err", d);
		drop_dir(d);
		cr_skip_test("%s", why);
	}
	cr_assert_eq(rc, 0);
	url[strcspn(url, "\n")] = '\0';
	known_archives(d);
	readme_queries(d);
	cr_assert_eq(run(NULL, 0, "cd %s && %s test -q --db '%s' s1.zip s2.zip "
			 "bad.zip mixed.zip 2>/dev/null", d, ZS_BIN, url), 2);
	cr_assert_eq(run(out, sizeof(out), "psql -X -At -F'|' -v "
			 "ON_ERROR_STOP=1 '%s' -f %s/q.sql", url, d), 0);
	check_query_output(out);
	/* typed columns */
	cr_assert_eq(run(out, sizeof(out), "psql -X -At '%s' -c \"SELECT "
			 "pg_typeof(size), pg_typeof(mtime), pg_typeof(decoded)"
			 " FROM archives LIMIT 1\"", url), 0);
	cr_assert_str_eq(out, "bigint|timestamp with time zone|boolean\n");
	/* two writers on the same archives at once, three rounds */
	cr_assert_eq(run(NULL, 0, "cd %s && for k in 1 2 3; do (%s list -q "
			 "--refresh --db '%s' mixed.zip s1.zip >/dev/null; "
			 "echo $? > r1) & (%s list -q --refresh --db '%s' "
			 "mixed.zip s1.zip >/dev/null; echo $? > r2) & wait; "
			 "[ $(cat r1) = 0 ] && [ $(cat r2) = 0 ] || exit 1; "
			 "done", d, ZS_BIN, url, ZS_BIN, url), 0);
	cr_assert_eq(run(out, sizeof(out), "psql -X -At '%s' -c \"%s\"", url,
			 whole_sql), 0);
	cr_assert_str_eq(out, "0\n");
	/* incremental on PostgreSQL too */
	cr_assert_eq(run(out, sizeof(out), "cd %s && %s list --db '%s' "
			 "mixed.zip 2>&1 >/dev/null", d, ZS_BIN, url), 0);
	cr_assert(strstr(out, "unchanged"), "%s", out);
	cr_assert_eq(run(NULL, 0, "%s test -q --db '%s' %s", ZS_BIN, url,
			 fixture("stats.zip")), 0);
	check_entries_api(url);
	/* names with COPY's special bytes, control bytes, CP437 */
	cr_assert_eq(run(NULL, 0, "cd %s && %s -c \"import zipfile\nz = "
			 "zipfile.ZipFile('odd.zip', 'w')\nfor n in ('tab\\there',"
			 " 'nl\\nthere', 'back\\\\slash', 'cr\\rx'): "
			 "z.writestr(n, n)\nz.close()\"", d, ZS_PYTHON), 0);
	rc = run(NULL, 0, "cd %s && %s check --db '%s' odd.zip %s %s "
		 ">/dev/null 2>&1", d, ZS_BIN, url, fixture("cp437.zip"),
		 ZS_FIXTURES "/control-name.zip");
	cr_assert(rc == 0 || rc == 1, "exit %d", rc);
	cr_assert_eq(run(out, sizeof(out), "psql -X -At '%s' -c \"SELECT "
			 "count(*) FROM entries WHERE name IN (E'tab\\there', "
			 "E'nl\\nthere', E'back\\\\\\\\slash', E'cr\\rx', "
			 "'caf\xc3\xa9-\xc2\xa3.txt', E'evil\\x1b[31mred\\x07.txt')"
			 "\"", url), 0);
	cr_assert_str_eq(out, "6\n");
	run(NULL, 0, "%s/pg_server.sh stop %s/pg", ZS_TESTDIR, d);
	drop_dir(d);
}

Test(catalog, shard_splits_stably)
{
	char out[3][4096], all[3 * 4096];
	const char *names = "a.zip b.zip c.zip d.zip e.zip f.zip g.zip h.zip "
			    "i.zip j.zip";
	size_t total = 0;

	/* --shard filters before opening: missing files in other shards
	 * are never looked at; list says "not found" for its own */
	for (int k = 0; k < 3; k++) {
		run(out[k], sizeof(out[k]), "cd /nonexistent 2>/dev/null; "
		    "%s list --shard %d/3 %s 2>&1 | grep -o '[a-j]\\.zip' | "
		    "sort -u", ZS_BIN, k, names);
		for (char *p = out[k]; (p = strchr(p, '\n')); p++)
			total++;
	}
	cr_assert_eq(total, 10, "%s|%s|%s", out[0], out[1], out[2]);
	snprintf(all, sizeof(all), "%s%s%s", out[0], out[1], out[2]);
	for (char c = 'a'; c <= 'j'; c++) {
		char n[8];
		snprintf(n, sizeof(n), "%c.zip", c);
		cr_assert(strstr(all, n), "%s missing", n);
	}
	/* stable: the same split twice */
	cr_assert_eq(run(all, sizeof(all), "%s list --shard 1/3 %s 2>&1 | grep"
			 " -o '[a-j]\\.zip' | sort -u", ZS_BIN, names), 0);
	cr_assert_str_eq(all, out[1]);
	cr_assert_eq(run(NULL, 0, "%s list --shard 3/3 x.zip 2>/dev/null",
			 ZS_BIN), 10);
}

Test(catalog, list_csv_and_ndjson_from_the_index)
{
	char out[8192];
	cr_assert_eq(run(out, sizeof(out), "%s list --csv %s | sed -n 4p",
			 ZS_BIN, fixture("stats.zip")), 0);
	cr_assert(strstr(out, "\",\"a/x.txt\",8,\"deflate\",239,1000,"),
		  "%s", out);
	cr_assert(strstr(out, ",\"untested\",\"\",\"\"\r\n"), "%s", out);
	cr_assert_eq(out[0], '"');
	cr_assert_eq(run(out, sizeof(out), "%s list --ndjson %s | tail -1",
			 ZS_BIN, fixture("stats.zip")), 0);
	cr_assert(strstr(out, "{\"type\":\"summary\""), "%s", out);
	cr_assert_null(strstr(out, "\"stats\""), "%s", out);
	cr_assert_eq(run(out, sizeof(out), "%s list --ndjson %s | grep -c "
			 "'\"type\":\"entry\"'", ZS_BIN, fixture("stats.zip")),
		     0);
	cr_assert_str_eq(out, "9\n");
	/* sqlite3 imports the CSV with names as text */
	char *d = temp_dir("cat");
	cr_assert_eq(run(out, sizeof(out), "%s list --csv %s > %s/l.csv && "
			 "sqlite3 :memory: '.import --csv %s/l.csv t' \"SELECT "
			 "name FROM t WHERE crc32 = '71cb4faa'\"", ZS_BIN,
			 fixture("stats.zip"), d, d), 0);
	drop_dir(d);
	cr_assert_str_eq(out, "a/x.txt\na/y.TXT\n");
	cr_assert_eq(run(NULL, 0, "%s list --html %s 2>/dev/null", ZS_BIN,
			 fixture("stats.zip")), 10);
}
