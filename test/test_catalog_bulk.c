/* SPDX-License-Identifier: MIT */
/*
 * test_catalog_bulk.c - the SQLite catalog's bulk load (catalog_sqlite_
 * bulk.c): an archive of many entries goes in with the entries table's
 * index dropped and created again in its transaction (the content index
 * a catalog may add: the schema has none to drop).  The indexes come
 * back with the same names and SQL, the catalog passes SQLite's integrity
 * check, archives below 4,096 entries or a third of what the others hold
 * take the ordinary path, and a run killed with SIGKILL inside a bulk
 * load leaves the archive's old rows and the indexes; two processes
 * bulk-loading one catalog at once both succeed.  Rows go 32 an
 * INSERT: counts that are not a multiple of 32 come through whole.
 */
#include <dirent.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <unistd.h>

#include "helpers.h"

extern char **environ;

/* The first column of a query's first row as text into out ("" if none,
 * "ERROR" on an error). */
static void sql_text(const char *db, const char *q, char *out, size_t cap)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *s;

	snprintf(out, cap, "ERROR");
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, q, -1, &s, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(h, 5000);
		int rc = sqlite3_step(s);
		const unsigned char *t = rc == SQLITE_ROW ?
					 sqlite3_column_text(s, 0) : NULL;
		if (rc == SQLITE_ROW || rc == SQLITE_DONE)
			snprintf(out, cap, "%s", t ? (const char *)t : "");
		sqlite3_finalize(s);
	}
	sqlite3_close(h);
}

static long long sql_num(const char *db, const char *q)
{
	char t[64];
	sql_text(db, q, t, sizeof(t));
	return strcmp(t, "ERROR") ? atoll(t) : -1;
}

/* The entries table's indexes, names and SQL, in one string. */
static const char indexes_sql[] =
	"SELECT group_concat(name || ': ' || coalesce(sql, ''), ' | ') FROM "
	"(SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
	"tbl_name = 'entries' ORDER BY name)";

/* DIR/NAME: an archive of n empty stored entries, "d/000000" ... */
static void make_archive(const char *dir, const char *name, int n)
{
	cr_assert_eq(run(NULL, 0, "%s -c \"import zipfile\nz = zipfile.ZipFile("
			 "'%s/%s', 'w')\nfor i in range(%d): "
			 "z.writestr('d/%%06d' %% i, b'x' * (i %% 7))\nz.close()\"",
			 ZS_PYTHON, dir, name, n), 0);
}

static void list_db(const char *dir, const char *archive)
{
	cr_assert_eq(run(NULL, 0, "cd %s && %s list -q --refresh --db "
			 "c.sqlite %s >/dev/null", dir, ZS_BIN, archive), 0);
}

/* DIR/c.sqlite gets the content index the schema leaves out (README: "a
 * catalog queried more than written may add it"), and out its indexes,
 * for comparing with the ones after a bulk load. */
static void add_content_index(const char *dir, char *out, size_t cap)
{
	char db[256];
	sqlite3 *h = NULL;
	snprintf(db, sizeof(db), "%s/c.sqlite", dir);
	cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, "CREATE INDEX entries_by_content ON "
				  "entries (uncompressed_size, crc32)", NULL,
				  NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	sql_text(db, indexes_sql, out, cap);
	cr_assert(strstr(out, "entries_by_content: CREATE INDEX"), "%s", out);
}

Test(catalog_bulk, big_archive_is_whole_and_indexes_come_back)
{
	char *d = temp_dir("bulk"), db[256], want[2048], got[2048];
	snprintf(db, sizeof(db), "%s/c.sqlite", d);
	make_archive(d, "big.zip", 10001);   /* 312 batches of 32, and 17 */
	cr_assert_eq(run(NULL, 0, "cp %s %s/small.zip", fixture("stats.zip"),
			 d), 0);

	list_db(d, "small.zip");
	add_content_index(d, want, sizeof(want));
	long long v0 = sql_num(db, "PRAGMA schema_version");
	list_db(d, "big.zip");           /* bulk: more than the catalog has */
	long long v1 = sql_num(db, "PRAGMA schema_version");
	cr_assert_gt(v1, v0, "the big archive did not take the bulk path");
	sql_text(db, indexes_sql, got, sizeof(got));
	cr_assert_str_eq(got, want);
	sql_text(db, "PRAGMA integrity_check", got, sizeof(got));
	cr_assert_str_eq(got, "ok");
	cr_assert_eq(sql_num(db, "SELECT count(*) FROM entries"), 10001 + 9);
	cr_assert_eq(sql_num(db, "SELECT count(DISTINCT idx) FROM entries "
			     "WHERE name LIKE 'd/%'"), 10001);
	cr_assert_eq(sql_num(db, "SELECT sum(uncompressed_size) FROM entries "
			     "WHERE name LIKE 'd/%'"), 29998);
	/* the content index is whole and usable */
	cr_assert_eq(sql_num(db, "SELECT count(*) FROM entries INDEXED BY "
			     "entries_by_content WHERE uncompressed_size >= 0"),
		     10001 + 9);

	/* a copy: as many as the rest, bulk again; then archives below
	 * 4,096 entries or a third of the rest: the ordinary path */
	cr_assert_eq(run(NULL, 0, "cd %s && cp big.zip big2.zip", d), 0);
	list_db(d, "big2.zip");
	long long v2 = sql_num(db, "PRAGMA schema_version");
	cr_assert_gt(v2, v1);
	make_archive(d, "mid.zip", 4100);   /* 20,011 held */
	list_db(d, "mid.zip");
	list_db(d, "small.zip");
	list_db(d, fixture("mixed.zip"));
	cr_assert_eq(sql_num(db, "PRAGMA schema_version"), v2);
	cr_assert_eq(sql_num(db, "SELECT count(*) FROM entries"),
		     2 * 10001 + 4100 + 9 + 606);
	sql_text(db, indexes_sql, got, sizeof(got));
	cr_assert_str_eq(got, want);
	sql_text(db, "PRAGMA integrity_check", got, sizeof(got));
	cr_assert_str_eq(got, "ok");
	drop_dir(d);
}

/* 1 while another connection holds the catalog's write lock. */
static int writer_busy(const char *db)
{
	sqlite3 *h = NULL;
	int busy = 0;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
		int rc = sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		busy = rc == SQLITE_BUSY;
		if (rc == SQLITE_OK)
			sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	}
	sqlite3_close(h);
	return busy;
}

/* The threads of process pid (0 once it is gone). */
static int threads(pid_t pid)
{
	char path[64];
	int n = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	DIR *dir = opendir(path);
	for (struct dirent *e; dir && (e = readdir(dir));)
		n += e->d_name[0] != '.';
	if (dir)
		closedir(dir);
	return n;
}

/* The archive recorded with 5,000 entries, then again from a version of
 * 40,000 by a process killed inside that bulk load: the 5,000 rows stay,
 * with the indexes as they were, and the next run records the 40,000. */
Test(catalog_bulk, sigkill_inside_a_bulk_load, .timeout = 120)
{
	char *d = temp_dir("bulk"), db[256], cmd[512], want[2048], got[2048];
	snprintf(db, sizeof(db), "%s/c.sqlite", d);
	make_archive(d, "old.zip", 5000);
	make_archive(d, "new.zip", 40000);
	cr_assert_eq(run(NULL, 0, "cd %s && cp old.zip a.zip", d), 0);
	list_db(d, "a.zip");
	add_content_index(d, want, sizeof(want));
	cr_assert_eq(run(NULL, 0, "cd %s && cp new.zip a.zip", d), 0);

	pid_t pid;
	snprintf(cmd, sizeof(cmd), "cd %s && exec %s list -j1 --db c.sqlite "
		 "a.zip >/dev/null 2>&1", d, ZS_BIN);
	char *argv[] = { "sh", "-c", cmd, NULL };
	cr_assert_eq(posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ),
		     0);
	/* with -j1 the catalog's writer thread is the second thread, started
	 * when the scanned archive is handed over; then the write lock is
	 * the archive's transaction */
	int writer = 0, busy = 0;
	for (int k = 0; k < 100000 && !busy; k++) {
		if (!writer)
			writer = threads(pid) >= 2;
		else
			busy = writer_busy(db);
		usleep(200);
	}
	kill(pid, SIGKILL);
	int st;
	waitpid(pid, &st, 0);
	cr_assert(writer && busy, "never saw the archive's transaction");
	cr_assert(WIFSIGNALED(st), "the run ended before it was killed");
	cr_assert_eq(sql_num(db, "SELECT count(*) FROM entries"), 5000);
	cr_assert_eq(sql_num(db, "SELECT entries FROM archives"), 5000);
	sql_text(db, indexes_sql, got, sizeof(got));
	cr_assert_str_eq(got, want);
	sql_text(db, "PRAGMA integrity_check", got, sizeof(got));
	cr_assert_str_eq(got, "ok");

	list_db(d, "a.zip");
	cr_assert_eq(sql_num(db, "SELECT count(*) FROM entries"), 40000);
	sql_text(db, indexes_sql, got, sizeof(got));
	cr_assert_str_eq(got, want);
	drop_dir(d);
}

/* Two processes at once, each bulk-loading its own archive and both the
 * same third one: SQLite gives them turns, and each sees the other's new
 * indexes (its statements are prepared again). */
Test(catalog_bulk, two_writers_bulk_loading, .timeout = 120)
{
	char *d = temp_dir("bulk"), db[256], want[2048], got[2048];
	snprintf(db, sizeof(db), "%s/c.sqlite", d);
	make_archive(d, "a.zip", 10001);
	list_db(d, fixture("stats.zip"));
	add_content_index(d, want, sizeof(want));
	cr_assert_eq(run(NULL, 0, "cd %s && cp a.zip b.zip && cp a.zip "
			 "both.zip", d), 0);
	char err[4096];
	for (int k = 0; k < 2; k++)
		cr_assert_eq(run(err, sizeof(err), "cd %s || exit 1; (%s list -q "
				 "--refresh --db c.sqlite a.zip both.zip "
				 ">/dev/null 2>e1; echo $? > r1) & (%s list -q "
				 "--refresh --db c.sqlite b.zip both.zip "
				 ">/dev/null 2>e2; echo $? > r2) & wait; cat e1 "
				 "e2; [ $(cat r1) = 0 ] && [ $(cat r2) = 0 ]", d,
				 ZS_BIN, ZS_BIN), 0, "%s", err);
	cr_assert_eq(sql_num(db, "SELECT count(*) FROM entries"),
		     3 * 10001 + 9);
	cr_assert_eq(sql_num(db, "SELECT count(*) FROM archives"), 4);
	sql_text(db, indexes_sql, got, sizeof(got));
	cr_assert_str_eq(got, want);
	sql_text(db, "PRAGMA integrity_check", got, sizeof(got));
	cr_assert_str_eq(got, "ok");
	drop_dir(d);
}

/* The schema itself has no index a bulk load would drop (entries_failed
 * is partial): a big archive then changes no schema. */
Test(catalog_bulk, nothing_to_drop_in_the_schema_as_shipped)
{
	char *d = temp_dir("bulk"), db[256], got[2048];
	snprintf(db, sizeof(db), "%s/c.sqlite", d);
	make_archive(d, "big.zip", 10001);
	list_db(d, fixture("stats.zip"));
	long long v0 = sql_num(db, "PRAGMA schema_version");
	list_db(d, "big.zip");
	cr_assert_eq(sql_num(db, "PRAGMA schema_version"), v0);
	cr_assert_eq(sql_num(db, "SELECT count(*) FROM entries"), 10001 + 9);
	sql_text(db, "PRAGMA integrity_check", got, sizeof(got));
	cr_assert_str_eq(got, "ok");
	drop_dir(d);
}
