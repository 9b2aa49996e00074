/* SPDX-License-Identifier: MIT */
/*
 * test_diff.c - zipscan diff and the zs_diff_* API: archives with known
 * differences (made by test/diff_fixtures.py), every output format, the
 * exit statuses, duplicate names, --hash catching a forged CRC-32
 * collision and refusing to call a broken entry "same", and a list filled
 * by hand (as a catalog would fill one).
 */
#include "helpers.h"

#define OUT_CAP (1 << 16)

/* A fresh directory with the diff fixtures in it (drop_dir it); opts:
 * "--many" for the 1,500-entry pair too. */
static char *fixtures_with(const char *opts)
{
	char *d = temp_dir("diff");
	cr_assert_eq(run(NULL, 0, ZS_PYTHON " " ZS_TESTDIR "/diff_fixtures.py "
			 "%s %s", d, opts), 0);
	return d;
}

static char *fixtures(void)
{
	return fixtures_with("");
}

/* zipscan diff ARGS in directory d: stdout in out, the exit status. */
static int diff(char *out, const char *d, const char *args)
{
	return run(out, OUT_CAP, "cd %s && %s diff %s 2>/dev/null", d, ZS_BIN,
		   args);
}

Test(diff, text_lists_each_difference_in_name_byte_order)
{
	char *d = fixtures(), out[OUT_CAP];
	cr_expect_eq(diff(out, d, "old.zip new.zip"), 1);
	cr_expect_str_eq(out,
		"added    B.txt  (6 bytes, CRC-32 cb008623)\n"
		"changed  b.txt  (size 6 -> 10, CRC-32 a6baa6af -> f40457bf)\n"
		"removed  gone.txt  (5 bytes, CRC-32 34632bc3)\n"
		"added    new.txt  (4 bytes, CRC-32 340a50c8)\n"
		"old.zip -> new.zip: 2 added, 1 removed, 1 changed, 4 same.\n");
	/* reversed: added and removed swap */
	cr_expect_eq(diff(out, d, "new.zip old.zip"), 1);
	cr_expect(strstr(out, "removed  B.txt"), "%s", out);
	cr_expect(strstr(out, "added    gone.txt"), "%s", out);
	drop_dir(d);
}

Test(diff, same_archive_is_exit_0_and_quiet_prints_nothing)
{
	char *d = fixtures(), out[OUT_CAP];
	cr_expect_eq(diff(out, d, "old.zip old.zip"), 0);
	cr_expect_str_eq(out, "old.zip -> old.zip: 0 added, 0 removed, "
			 "0 changed, 6 same.\n");
	cr_expect_eq(diff(out, d, "-q old.zip new.zip"), 1);
	cr_expect_str_eq(out, "");
	cr_expect_eq(diff(out, d, "-q old.zip old.zip"), 0);
	/* new.zip's note (b.txt and B.txt differ only in case): printed
	 * on stderr, left out by -q as test -q leaves it out */
	cr_expect_eq(run(out, OUT_CAP, "cd %s && %s diff -q old.zip new.zip "
			 "2>&1", d, ZS_BIN), 1);
	cr_expect_str_eq(out, "");
	cr_expect_eq(run(out, OUT_CAP, "cd %s && %s diff old.zip new.zip "
			 "2>&1 >/dev/null", d, ZS_BIN), 1);
	cr_expect(strstr(out, "differ only in case"), "%s", out);
	drop_dir(d);
}

Test(diff, json_has_each_change_with_both_sides)
{
	char *d = fixtures(), out[OUT_CAP];
	cr_expect_eq(diff(out, d, "--json old.zip new.zip"), 1);
	int st = run(NULL, 0, "cd %s && TZ=UTC %s diff --json old.zip new.zip "
		     "2>/dev/null | "
		     ZS_PYTHON " -c 'import json,sys; o=json.load(sys.stdin); "
		     "c={x[\"name\"]:x for x in o[\"changes\"]}; "
		     "assert sorted(c)==[\"B.txt\",\"b.txt\",\"gone.txt\","
		     "\"new.txt\"],c; "
		     "assert c[\"b.txt\"][\"what\"]==[\"size\",\"crc32\"]; "
		     "assert c[\"b.txt\"][\"old\"][\"size\"]==6; "
		     "assert c[\"b.txt\"][\"new\"][\"size\"]==10; "
		     "assert \"new\" not in c[\"gone.txt\"]; "
		     "assert c[\"new.txt\"][\"new\"][\"mtime\"]=="
		     "\"2024-05-01T12:00:00Z\"; "
		     "s=o[\"summary\"]; assert (s[\"added\"],s[\"removed\"],"
		     "s[\"changed\"],s[\"same\"],s[\"status\"])==(2,1,1,4,1),s'",
		     d, ZS_BIN);
	cr_expect_eq(st, 0);
	drop_dir(d);
}

Test(diff, csv_quotes_every_text_column)
{
	char *d = fixtures(), out[OUT_CAP];
	cr_expect_eq(diff(out, d, "--csv old.zip new.zip"), 1);
	cr_expect(strstr(out, "change,name,old_size,new_size,old_crc32,"
			 "new_crc32,old_method,new_method,old_mtime,new_mtime,"
			 "what,error\r\n"), "%s", out);
	cr_expect(strstr(out, "\"changed\",\"b.txt\",6,10,\"a6baa6af\","
			 "\"f40457bf\",\"stored\",\"stored\","), "%s", out);
	cr_expect(strstr(out, "\"removed\",\"gone.txt\",5,,\"34632bc3\",,"
			 "\"stored\",,"), "%s", out);
	/* Python's csv reads 5 rows of 12 columns */
	cr_expect_eq(run(NULL, 0, "cd %s && %s diff --csv old.zip new.zip "
			 "2>/dev/null | "
			 ZS_PYTHON " -c 'import csv,sys; r=list(csv.reader("
			 "sys.stdin)); assert len(r)==5 and all(len(x)==12 for "
			 "x in r),r'", d, ZS_BIN), 0);
	drop_dir(d);
}

Test(diff, duplicate_names_compare_the_last)
{
	char *d = fixtures(), out[OUT_CAP];
	/* the first a.txt differs, the last is old's: the same */
	cr_expect_eq(diff(out, d, "old.zip dup-same.zip"), 0);
	cr_expect(strstr(out, "dup-same.zip: 1 entry shadowed by a later one"),
		  "%s", out);
	cr_expect_eq(diff(out, d, "old.zip dup-other.zip"), 1);
	cr_expect(strstr(out, "changed  a.txt  (size 6 -> 10"), "%s", out);
	cr_expect_eq(run(out, OUT_CAP, "cd %s && %s diff old.zip dup-same.zip "
			 "2>&1 >/dev/null", d, ZS_BIN), 0);
	cr_expect(strstr(out, "both named \"a.txt\""), "the archive's "
		  "duplicate-name warning on stderr: %s", out);
	drop_dir(d);
}

Test(diff, hash_finds_a_crc_collision)
{
	char *d = fixtures(), out[OUT_CAP];
	/* forged.bin: same size and CRC-32, other content */
	cr_expect_eq(diff(out, d, "old.zip new.zip"), 1);
	cr_expect_null(strstr(out, "forged.bin"), "%s", out);
	cr_expect_eq(diff(out, d, "--hash old.zip new.zip"), 1);
	cr_expect(strstr(out, "changed  forged.bin  (content: same size 64 "
			 "and CRC-32"), "%s", out);
	cr_expect(strstr(out, "2 changed, 3 same (contents compared"),
		  "%s", out);
	/* the same archive twice: every pair hashed equal */
	cr_expect_eq(diff(out, d, "--hash new.zip new.zip"), 0);
	drop_dir(d);
}

Test(diff, hash_reports_a_broken_entry_not_same)
{
	char *d = fixtures(), out[OUT_CAP];
	cr_expect_eq(diff(out, d, "old.zip broken.zip"), 0,
		     "by the central directory they are the same");
	cr_expect_eq(diff(out, d, "--hash old.zip broken.zip"), 2);
	cr_expect(strstr(out, "error    b.txt  (cannot compare the contents: "
			 "new entry 1: bad CRC-32"), "%s", out);
	cr_expect_eq(run(out, OUT_CAP, "cd %s && %s diff --hash --json old.zip "
			 "broken.zip 2>&1 >/dev/null", d, ZS_BIN), 2);
	cr_expect(strstr(out, "broken.zip: entry 1: bad CRC-32"),
		  "JSON: the error on stderr too: %s", out);
	drop_dir(d);
}

Test(diff, unreadable_archives_say_which_with_their_status)
{
	char *d = fixtures(), out[OUT_CAP];
	cr_expect_eq(run(out, OUT_CAP, "cd %s && %s diff old.zip notzip.zip "
			 "2>&1", d, ZS_BIN), 9);
	cr_expect(strstr(out, "notzip.zip: error: not a ZIP archive"), "%s",
		  out);
	cr_expect_eq(run(out, OUT_CAP, "cd %s && %s diff missing.zip old.zip "
			 "2>&1", d, ZS_BIN), 9);
	cr_expect(strstr(out, "missing.zip"), "%s", out);
	cr_expect_eq(diff(out, d, "old.zip"), 10, "one archive: usage");
	cr_expect_eq(diff(out, d, "--ndjson old.zip new.zip"), 10);
	drop_dir(d);
}

Test(diff, same_output_for_every_thread_count)
{
	char *d = fixtures_with("--many"), first[OUT_CAP], out[OUT_CAP];
	cr_assert_eq(diff(first, d, "-j 1 --hash --json old.zip new.zip"), 1);
	cr_expect_eq(diff(out, d, "-j 4 --hash --json old.zip new.zip"), 1);
	cr_expect_str_eq(out, first);
	/* 1,500 entries a side: the decoding runs on every thread */
	cr_assert_eq(diff(first, d, "-j 1 --hash many-old.zip many-new.zip"),
		     1);
	cr_expect(strstr(first, "0 added, 0 removed, 15 changed, 1485 same"),
		  "%s", first);
	cr_expect_eq(diff(out, d, "-j 2 --hash many-old.zip many-new.zip"), 1);
	cr_expect_str_eq(out, first);
	cr_expect_eq(diff(out, d, "-j 2 many-old.zip many-new.zip"), 0,
		     "without --hash the forged entries look the same");
	drop_dir(d);
}

Test(diff, selection_applies_to_both_sides)
{
	char *d = fixtures(), out[OUT_CAP];
	cr_expect_eq(diff(out, d, "-x '*.txt' old.zip new.zip"), 0, "%s", out);
	cr_expect_eq(diff(out, d, "-i 'g*' old.zip new.zip"), 11, "%s", out);
	drop_dir(d);
}

/* A list filled by hand, as a catalog's rows would fill it. */
static void add(zs_diff_list *l, const char *name, uint64_t size,
		uint32_t crc)
{
	zs_diff_item it = { .size = size, .crc32 = crc, .index = -1 };
	cr_assert_eq(zs_diff_list_add(l, &it, name, strlen(name)), 0);
}

Test(diff, api_lists_filled_by_hand)
{
	zs_diff_list o, n;
	zs_diff d;
	zs_diff_list_init(&o, "catalog");
	zs_diff_list_init(&n, "rows");
	add(&o, "z", 1, 1);
	add(&o, "a\xff", 2, 2);     /* bytes, not UTF-8 order tricks */
	add(&o, "m", 3, 3);
	add(&o, "m", 4, 4);         /* shadows the m before */
	add(&n, "m", 4, 4);
	add(&n, "a", 2, 2);
	add(&n, "z", 1, 9);
	cr_assert_eq(zs_diff_list_sort(&o), 0);
	cr_assert_eq(zs_diff_list_sort(&n), 0);
	cr_expect_eq(o.shadowed, 1);
	cr_assert_eq(zs_diff_compute(&o, &n, &d), 0);
	cr_assert_eq(d.count, 4);
	cr_expect_eq(d.changes[0].kind, ZS_DIFF_ADDED);    /* a */
	cr_expect_eq(d.changes[1].kind, ZS_DIFF_REMOVED);  /* a\xff */
	cr_expect_eq(d.changes[2].kind, ZS_DIFF_SAME);     /* m: the last */
	cr_expect_eq(d.changes[3].kind, ZS_DIFF_CHANGED);  /* z */
	cr_expect_eq(d.changes[3].what, ZS_DIFF_CRC);
	cr_expect_eq(zs_diff_status(&d), 1);
	zs_diff_free(&d);
	zs_diff_list_free(&o);
	zs_diff_list_free(&n);
}

/* Many entries: sorted and compared in O(n log n) (a quadratic merge or
 * sort would take minutes here, not a fraction of a second). */
Test(diff, api_hundred_thousand_names)
{
	zs_diff_list o, n;
	zs_diff d;
	char name[32];
	zs_diff_list_init(&o, "old");
	zs_diff_list_init(&n, "new");
	for (unsigned k = 0; k < 100000; k++) {
		snprintf(name, sizeof(name), "f%07u", (k * 7919u) % 100000u);
		add(&o, name, k, k);
		add(&n, name, k, k + (k == 500));
	}
	add(&n, "extra", 0, 0);
	cr_assert_eq(zs_diff_list_sort(&o), 0);
	cr_assert_eq(zs_diff_list_sort(&n), 0);
	cr_assert_eq(zs_diff_compute(&o, &n, &d), 0);
	cr_expect_eq(d.same, 99999);
	cr_expect_eq(d.changed, 1);
	cr_expect_eq(d.added, 1);
	zs_diff_free(&d);
	zs_diff_list_free(&o);
	zs_diff_list_free(&n);
}

/* The library's way: lists from two archives, one of them scanned before
 * (without hashes), then confirmed: the scanned one is decoded again for
 * its hashes, not taken as hashing to zero. */
Test(diff, api_confirm_after_a_scan)
{
	char *d = fixtures(), path[2][4096];
	zs_options o;
	zs_totals t;
	zs_archive *a[2];
	zs_diff_list l[2];
	zs_diff df;
	zs_options_init(&o);
	o.threads = 1;
	for (int k = 0; k < 2; k++) {
		snprintf(path[k], sizeof(path[k]), "%s/%s", d,
			 k ? "new.zip" : "old.zip");
		a[k] = zs_open(path[k], &o, NULL);
		cr_assert(a[k] && zs_archive_indexed(a[k]));
		zs_diff_list_init(&l[k], path[k]);
		cr_assert_eq(zs_diff_list_from_archive(&l[k], a[k]), 0);
	}
	cr_assert_eq(zs_scan_entries(a[0], &o, &t), 0);
	cr_assert_eq(zs_diff_compute(&l[0], &l[1], &df), 0);
	cr_expect_eq(df.same, 4);
	cr_assert_eq(zs_diff_confirm(&df, &l[0], a[0], &l[1], a[1], &o), 0);
	cr_expect_eq(df.same, 3, "forged.bin: same CRC-32, other content");
	cr_expect_eq(df.changed, 2);
	cr_expect_eq(zs_diff_status(&df), 1);
	cr_expect_eq(a[0]->n_selected, 6, "the selection is restored");
	zs_diff_free(&df);
	for (int k = 0; k < 2; k++) {
		zs_diff_list_free(&l[k]);
		zs_close(a[k]);
	}
	drop_dir(d);
}

/* diff --db: an archive against its rows in a SQLite catalog, recorded
 * from old.zip and then compared with new.zip copied over its path. */
Test(diff, db_compares_an_archive_with_its_recorded_rows)
{
	char *d = fixtures(), out[OUT_CAP];
	cr_assert_eq(run(NULL, 0, "cd %s && cp old.zip a.zip && %s list "
			 "--db c.sqlite a.zip >/dev/null 2>&1", d, ZS_BIN), 0);
	cr_expect_eq(diff(out, d, "--db c.sqlite a.zip"), 0);
	cr_expect_str_eq(out, "c.sqlite -> a.zip: 0 added, 0 removed, "
			 "0 changed, 6 same.\n");
	cr_assert_eq(run(NULL, 0, "cd %s && cp new.zip a.zip", d), 0);
	cr_expect_eq(diff(out, d, "--db c.sqlite a.zip"), 1);
	/* the same changes as diff old.zip new.zip */
	cr_expect_str_eq(out,
		"added    B.txt  (6 bytes, CRC-32 cb008623)\n"
		"changed  b.txt  (size 6 -> 10, CRC-32 a6baa6af -> f40457bf)\n"
		"removed  gone.txt  (5 bytes, CRC-32 34632bc3)\n"
		"added    new.txt  (4 bytes, CRC-32 340a50c8)\n"
		"c.sqlite -> a.zip: 2 added, 1 removed, 1 changed, 4 same.\n");
	/* not recorded: 9; --hash (nothing to hash in a catalog): 10 */
	cr_expect_eq(diff(out, d, "--db c.sqlite old.zip"), 9);
	cr_expect_eq(diff(out, d, "--db c.sqlite --hash a.zip"), 10);
	cr_expect_eq(diff(out, d, "--db c.sqlite a.zip new.zip"), 10);
	drop_dir(d);
}
