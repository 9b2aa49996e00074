// SPDX-License-Identifier: MIT
/*
 * test_sozip.c - Seek-Optimized ZIP on the reading side, on the archives
 * of test/sozip.py (build/fixtures/sozip): a valid index is found and
 * used (its hidden record is no unlisted local header), every hand-broken
 * one is an error finding and never used, a well-formed index that lies
 * about the data is caught by `check` and by `test` (whose verdict is the
 * whole decode's), the chunked decode settles good entries on one thread
 * and on two with the same output, and bad data gets the exact error of
 * the sequential decode.
 */
#include "helpers.h"
#include "sozip.h"

#define SZ(name) "sozip/" name

/* How many findings of a carry this code. */
static size_t count_code(const zs_archive *a, const char *code)
{
	size_t n = 0;
	for (size_t k = 0; k < a->findings_count; k++)
		n += a->findings[k].code && !strcmp(a->findings[k].code, code);
	return n;
}

static zs_options threads_opt(int threads)
{
	zs_options o;
	zs_options_init(&o);
	o.threads = threads;
	return o;
}

static int open_fixture(zs_archive *a, const char *name, int threads)
{
	zs_options o = threads_opt(threads);
	return zs_archive_open(a, fixture(name), &o);
}

Test(sozip, valid_index_found_and_accounted)
{
	zs_archive a;
	int st = open_fixture(&a, SZ("sozip-valid.zip"), 1);

	/* no unlisted-local-header warning: the record is the entry's */
	cr_assert_eq(st, 0, "status %d", st);
	cr_assert_eq(a.findings_count, 0);
	cr_assert_eq(zs_entry_sozip_chunk(&a, 0), 32768);
	cr_assert_eq(zs_entry_sozip_chunk(&a, 1), 0, "readme.txt has none");
	zs_sozip *z = zs_sozip_of(&a, 0);
	cr_assert_not_null(z);
	cr_assert_eq(z->chunks, 32);
	cr_assert_eq(z->start[0], 0);
	cr_assert_eq(z->start[32], a.index.comp_size[0]);
	zs_archive_close(&a);
}

Test(sozip, directories_offset_size_4_and_skip_bytes)
{
	zs_archive a;
	cr_assert_eq(open_fixture(&a, SZ("sozip-dir.zip"), 1), 0);
	long odd = find_entry(&a, "d/odd.txt"), x = find_entry(&a, "d/e/x.bin");
	cr_assert(odd >= 0 && x >= 0);
	cr_assert_eq(zs_entry_sozip_chunk(&a, (size_t)odd), 10000);
	cr_assert_eq(zs_entry_sozip_chunk(&a, (size_t)x), 4096);
	cr_assert_eq(zs_sozip_of(&a, (size_t)odd)->chunks, 31,
		     "300,001 bytes: the last chunk holds 1 byte");
	zs_archive_close(&a);
}

static const char *lying_fields[] = {
	"sozip-order.zip", "sozip-past.zip", "sozip-chunk0.zip",
	"sozip-count.zip", "sozip-compressed.zip", "sozip-osize.zip",
	"sozip-csize.zip", "sozip-crc.zip", "sozip-stored.zip",
};

/* Each hand-broken index: an error finding (exit 2) at open, the entry is
 * not seek-optimized, and test decodes it whole and finds it good. */
Test(sozip, broken_indexes_reported_never_used)
{
	for (size_t k = 0; k < sizeof(lying_fields) / sizeof(*lying_fields);
	     k++) {
		char name[64];
		zs_archive a;
		zs_totals t;
		snprintf(name, sizeof(name), SZ("%s"), lying_fields[k]);
		int st = open_fixture(&a, name, 2);
		cr_assert_eq(st, ZS_EXIT_ENTRY, "%s: status %d", name, st);
		cr_assert_eq(count_code(&a, "sozip-index"), 1, "%s", name);
		cr_assert_eq(count_code(&a, "unlisted-local-header"), 0,
			     "%s: the record is accounted", name);
		cr_assert_eq(zs_entry_sozip_chunk(&a, 0), 0, "%s", name);
		zs_options o = threads_opt(2);
		zs_scan_entries(&a, &o, &t);
		cr_assert_eq(t.ok, t.entries, "%s: %llu of %llu ok", name,
			     (unsigned long long)t.ok,
			     (unsigned long long)t.entries);
		zs_archive_close(&a);
	}
}

Test(sozip, unknown_version_is_a_note)
{
	zs_archive a;
	cr_assert_eq(open_fixture(&a, SZ("sozip-version2.zip"), 1), 0);
	cr_assert_eq(count_code(&a, "sozip-version"), 1);
	cr_assert_eq(zs_entry_sozip_chunk(&a, 0), 0);
	zs_archive_close(&a);
}

/* The chunked decode settles a good entry, with one thread and with two. */
Test(sozip, chunks_settle_good_entries)
{
	for (int threads = 1; threads <= 2; threads++) {
		zs_archive a;
		zs_totals t;
		int st = scan_fixture(&a, SZ("sozip-dir.zip"), threads, 0,
				      &t);
		cr_assert_eq(st, 0, "-j%d: status %d", threads, st);
		cr_assert_eq(t.ok, 3);
		cr_assert_eq(t.bytes_out, 500001, "-j%d: %llu bytes", threads,
			     (unsigned long long)t.bytes_out);
		for (size_t k = 0; k < a.n_sozip; k++)
			cr_assert(a.sozip[k].decoded, "-j%d: entry %zu was "
				  "decoded whole", threads, a.sozip[k].entry);
		zs_archive_close(&a);
	}
}

/* Hashing needs the bytes in order: the entry is decoded whole. */
Test(sozip, hash_decodes_whole)
{
	zs_archive a;
	zs_options o = threads_opt(2);
	zs_totals t;
	o.hash = 1;
	zs_archive_open(&a, fixture(SZ("sozip-valid.zip")), &o);
	cr_assert_eq(zs_scan_entries(&a, &o, &t), 0);
	cr_assert_eq(t.ok, 2);
	cr_assert_not(zs_sozip_of(&a, 0)->decoded);
	zs_archive_close(&a);
}

/* Offsets that are not chunk starts: good data, lying index.  test finds
 * it (sozip-chunk, exit 2) with the same report on 1 and 2 threads, and
 * the entry is good (the whole decode's verdict). */
Test(sozip, lying_offsets_caught_by_test)
{
	char *text[2];
	for (int threads = 1; threads <= 2; threads++) {
		zs_archive a;
		zs_totals t;
		int st = scan_fixture(&a, SZ("sozip-lying.zip"), threads, 0, &t);
		cr_assert_eq(st, ZS_EXIT_ENTRY, "-j%d: status %d", threads, st);
		cr_assert_eq(t.ok, 1);
		cr_assert_eq(a.index.status[0], ZS_ENTRY_OK);
		cr_assert_eq(count_code(&a, "sozip-chunk"), 1);
		text[threads - 1] = strdup(a.findings[0].text);
		zs_archive_close(&a);
	}
	cr_assert_str_eq(text[0], text[1]);
	cr_assert_not_null(strstr(text[0], "chunks 0 to 255"), "%s", text[0]);
	free(text[0]);
	free(text[1]);
}

/* check decodes every chunk on its own. */
Test(sozip, check_decodes_every_chunk)
{
	static const struct { const char *name; size_t findings;
			      const char *where; } cases[] = {
		{ SZ("sozip-valid.zip"), 0, NULL },
		{ SZ("sozip-dir.zip"), 0, NULL },
		{ SZ("sozip-lying.zip"), 1, "chunk 0 (of 768" },
		{ SZ("sozip-baddata.zip"), 1, "chunk 10 (of 32" },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		zs_archive a;
		zs_options o = threads_opt(2);
		zs_archive_open(&a, fixture(cases[k].name), &o);
		int st = zs_sozip_check(&a, &o);
		size_t n = count_code(&a, "sozip-chunk");
		cr_assert_eq(n, cases[k].findings, "%s: %zu", cases[k].name, n);
		cr_assert_eq(st, n ? ZS_EXIT_ENTRY : 0, "%s", cases[k].name);
		if (cases[k].where)
			cr_assert_not_null(strstr(a.findings[0].text,
						  cases[k].where), "%s: %s",
					   cases[k].name, a.findings[0].text);
		zs_archive_close(&a);
	}
}

/* Damaged data under a right index: the exact error of the whole decode
 * (zs_entry_read never uses chunks), and no word against the index. */
Test(sozip, bad_data_gets_the_sequential_verdict)
{
	zs_archive a, b;
	zs_totals t;
	static uint8_t buf[1 << 20];
	size_t len;
	int st = scan_fixture(&a, SZ("sozip-baddata.zip"), 2, 0, &t);

	cr_assert_eq(st, ZS_EXIT_ENTRY);
	cr_assert_eq(a.index.status[0], ZS_ENTRY_BAD);
	cr_assert_eq(count_code(&a, "sozip-chunk"), 0);
	cr_assert_not(zs_sozip_of(&a, 0)->decoded);
	open_fixture(&b, SZ("sozip-baddata.zip"), 1);
	cr_assert_eq(zs_entry_read(&b, 0, buf, sizeof(buf), &len, NULL),
		     ZS_EXIT_ENTRY);
	cr_assert_eq(a.index.error[0], b.index.error[0]);
	cr_assert_eq(a.index.err_a[0], b.index.err_a[0]);
	zs_archive_close(&a);
	zs_archive_close(&b);
}

/* A wrong CRC in both headers: the chunks decode, their combined CRC
 * does not match, and the whole decode reports the CRC (the chunked path
 * never says good on its own CRC alone). */
Test(sozip, wrong_crc_falls_back)
{
	FILE *f = fopen(fixture(SZ("sozip-valid.zip")), "rb");
	static uint8_t zip[1 << 20];
	cr_assert_not_null(f);
	size_t n = fread(zip, 1, sizeof(zip), f);
	fclose(f);
	zs_options o = threads_opt(2);
	int st;
	zs_archive *a = zs_open_memory("m", zip, n, &o, &st);
	uint64_t central = a->index.central_offset[0];
	zs_close(a);
	zip[14] ^= 1;             /* the local header's CRC */
	zip[central + 16] ^= 1;   /* the central record's */
	zs_totals t;
	a = zs_open_memory("m", zip, n, &o, &st);
	cr_assert_eq(st, 0);
	cr_assert_not_null(zs_sozip_of(a, 0));
	cr_assert_eq(zs_scan_entries(a, &o, &t), ZS_EXIT_ENTRY);
	cr_assert_eq(a->index.error[0], ZS_E_CRC);
	cr_assert_not(zs_sozip_of(a, 0)->decoded);
	cr_assert_eq(count_code(a, "sozip-chunk"), 0);
	zs_close(a);
}

Test(sozip, cli_list_shows_seek_optimized)
{
	char out[8192];
	int st = run(out, sizeof(out), "%s list %s", ZS_BIN,
		     fixture(SZ("sozip-valid.zip")));
	cr_assert_eq(st, 0);
	cr_assert_not_null(strstr(out, "CRC-32  SOZip  Name"), "%s", out);
	cr_assert_not_null(strstr(out, "yes    data.bin"), "%s", out);
	cr_assert_not_null(strstr(out, "-      readme.txt"), "%s", out);
	st = run(out, sizeof(out), "%s list --json %s", ZS_BIN,
		 fixture(SZ("sozip-valid.zip")));
	cr_assert_not_null(strstr(out, "\"sozip_chunk_size\":32768"));
	cr_assert_null(strstr(strstr(out, "sozip_chunk_size") + 1,
			      "sozip_chunk_size"), "readme.txt has none");
	/* without SOZip entries the listing is unzip -v's */
	run(out, sizeof(out), "%s list %s 2>/dev/null", ZS_BIN,
	    fixture(SZ("sozip-order.zip")));
	cr_assert_null(strstr(out, "SOZip"), "%s", out);
}

Test(sozip, cli_test_same_output_every_j)
{
	char one[4096], two[4096];
	int s1 = run(one, sizeof(one), "%s test -j 1 %s 2>&1", ZS_BIN,
		     fixture(SZ("sozip-lying.zip")));
	int s2 = run(two, sizeof(two), "%s test -j 2 %s 2>&1", ZS_BIN,
		     fixture(SZ("sozip-lying.zip")));
	cr_assert_eq(s1, ZS_EXIT_ENTRY);
	cr_assert_eq(s2, ZS_EXIT_ENTRY);
	cr_assert_str_eq(one, two);
	s1 = run(one, sizeof(one), "%s check %s 2>&1", ZS_BIN,
		 fixture(SZ("sozip-valid.zip")));
	cr_assert_eq(s1, 0, "%s", one);
}

/* Other readers read a SOZip archive as a plain one: the index is
 * invisible to them (GDAL's sozip validator is in gdal-bin 3.7 and
 * later; Debian 12 has 3.6, so it is not used here). */
Test(sozip, other_readers_agree)
{
	if (run(NULL, 0, "command -v unzip >/dev/null") != 0)
		cr_skip_test("no unzip");
	cr_assert_eq(run(NULL, 0, "unzip -tq %s >/dev/null",
			 fixture(SZ("sozip-dir.zip"))), 0);
	cr_assert_eq(run(NULL, 0, "%s -c 'import zipfile,sys; z = "
			 "zipfile.ZipFile(sys.argv[1]); sys.exit(z.testzip() "
			 "is not None or len(z.namelist()) != 3)' %s",
			 ZS_PYTHON, fixture(SZ("sozip-dir.zip"))), 0);
}

/* extract writes a seek-optimized entry by its chunks on every thread
 * (each range at its place in the file), the same bytes as unzip; a lying
 * index leaves it to the whole decode, which writes it right too. */
Test(sozip, extract_by_chunks)
{
	static const char *files[] = { "sozip-valid.zip", "sozip-lying.zip" };
	for (size_t k = 0; k < 2; k++) {
		char *dir = temp_dir("sozip"), name[64], out[256];
		zs_archive a;
		zs_options o = threads_opt(2);
		zs_extract_options xo = { .dir = dir };
		zs_extraction x;
		zs_totals t;
		snprintf(name, sizeof(name), SZ("%s"), files[k]);
		zs_archive_open(&a, fixture(name), &o);
		int st = zs_extract(&a, &xo, &o, &x, &t);
		cr_assert_eq(st, k ? ZS_EXIT_ENTRY : 0, "%s: %d", name, st);
		cr_assert_eq(x.action[0], ZS_ACT_WRITTEN, "%s", name);
		cr_assert_eq(zs_sozip_of(&a, 0)->decoded, !k, "%s", name);
		cr_assert_eq(count_code(&a, "sozip-chunk"), k, "%s", name);
		cr_assert_eq(run(out, sizeof(out), "unzip -p %s data.bin | "
				 "cmp - %s/data.bin", fixture(name), dir), 0,
			     "%s: %s", name, out);
		zs_extraction_free(&x);
		zs_archive_close(&a);
		drop_dir(dir);
	}
}

/* cat writes a seek-optimized entry by its chunk ranges on every thread,
 * in order: held and checked when it is small, range by range when it is
 * big; a range that fails hands over to the whole decode past the bytes
 * already written.  Always unzip's bytes, the same for -j 1 and -j 2. */
Test(sozip, cat_by_chunks)
{
	char *dir = temp_dir("sozipcat"), out[4096], one[4096];
	char *lying = strdup(fixture(SZ("sozip-lying.zip")));
	cr_assert_eq(run(out, sizeof(out), "cd %s && unzip -p %s data.bin "
			 ">big.bin && %s create -q --sozip big.zip big.bin",
			 dir, lying, ZS_BIN), 0, "%s", out);
	struct { const char *zip, *name; int status, finding; } cases[] = {
		{ SZ("sozip-valid.zip"), "data.bin", 0, 0 },     /* held */
		{ "big.zip", "big.bin", 0, 0 },                  /* streamed */
		{ SZ("sozip-lying.zip"), "data.bin", ZS_EXIT_ENTRY, 1 },
		{ SZ("sozip-late.zip"), "data.bin", ZS_EXIT_ENTRY, 1 },
		{ SZ("sozip-baddata.zip"), "data.bin", ZS_EXIT_ENTRY, 0 },
	};
	for (size_t k = 0; k < 5; k++) {
		char zip[4200];
		snprintf(zip, sizeof(zip), "%s", cases[k].zip[0] == 'b' ?
			 cases[k].zip : fixture(cases[k].zip));
		for (int j = 1; j <= 2; j++) {
			int st = run(out, sizeof(out), "cd %s && %s cat -j %d "
				     "%s %s 2>&1 >%d.out", dir, ZS_BIN, j, zip,
				     cases[k].name, j);
			cr_expect_eq(st, cases[k].status, "%s -j %d: %d %s",
				     zip, j, st, out);
			cr_expect_eq(strstr(out, "SOZip index does not match")
				     != NULL, cases[k].finding, "%s: %s", zip,
				     out);
			if (j == 1)
				snprintf(one, sizeof(one), "%s", out);
			else
				cr_expect_str_eq(out, one, "%s", zip);
		}
		cr_expect_eq(run(NULL, 0, "cmp -s %s/1.out %s/2.out", dir,
				 dir), 0, "%s: -j 1 and -j 2 differ", zip);
		if (cases[k].status == 0 || cases[k].finding)
			cr_expect_eq(run(out, sizeof(out), "cd %s && unzip -p "
					 "%s %s | cmp - 2.out", dir, zip,
					 cases[k].name), 0, "%s: %s", zip, out);
	}
	free(lying);
	drop_dir(dir);
}

/* An index record the central directory lists is an entry of its own (a
 * rezipped archive): not a hidden index, and no overlap (exit 12 on the
 * first version of this code). */
Test(sozip, listed_index_is_an_entry)
{
	zs_archive a;
	zs_totals t;
	int st = scan_fixture(&a, SZ("sozip-listed.zip"), 2, 0, &t);
	cr_assert_eq(st, 0, "status %d", st);
	cr_assert_eq(t.ok, 2);
	cr_assert_eq(a.n_sozip, 0);
	cr_assert_eq(a.findings_count, 0);
	zs_archive_close(&a);
}

/* An index record whose sizes run into the next entry is no index: the
 * unlisted local header it looks like (as before SOZip support), never an
 * overlap (the first version said exit 12: found by sozip_mutate.py). */
Test(sozip, record_running_on_is_no_index)
{
	zs_archive a;
	zs_totals t;
	int st = scan_fixture(&a, SZ("sozip-runs-on.zip"), 2, 0, &t);
	cr_assert_eq(st, ZS_EXIT_WARN, "status %d", st);
	cr_assert_eq(t.ok, 2);
	cr_assert_eq(a.n_sozip, 0);
	cr_assert_eq(count_code(&a, "unlisted-local-header"), 1);
	cr_assert_eq(count_code(&a, "overlap"), 0);
	zs_archive_close(&a);
}
