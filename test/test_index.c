/* SPDX-License-Identifier: MIT */
/*
 * test_index.c - finding the end record, ZIP64, prepended data, comments,
 * empty archives, and the struct-of-arrays index itself.
 */
#include "helpers.h"

static int open_fixture(zs_archive *a, const char *name)
{
	zs_options o;
	zs_options_init(&o);
	o.threads = 2;
	return zs_archive_open(a, fixture(name), &o);
}

Test(index, ordinary_archive_fields)
{
	zs_archive a;
	cr_assert_eq(open_fixture(&a, "crafted-ok.zip"), ZS_EXIT_OK);
	cr_assert(a.indexed);
	cr_assert_eq(a.index.count, 2);
	long i = find_entry(&a, "a.txt"), j = find_entry(&a, "b.bin");
	cr_assert(i == 0 && j == 1);
	cr_assert_eq(a.index.method[0], 8);
	cr_assert_eq(a.index.method[1], 0);
	cr_assert_eq(a.index.uncomp_size[0], 2000);
	cr_assert_eq(a.index.comp_size[1], 300);
	cr_assert_eq(a.index.local_offset[0], 0);
	/* names point into the mapping, not into a copy */
	cr_assert(a.data + a.index.name_offset[0] > a.data &&
		  a.index.name_offset[0] < a.size);
	cr_assert_eq(a.index.ext_attr[1] >> 16, 0100644);
	cr_assert_eq(a.index.version_made_by[0] >> 8, 3);
	char when[20];
	zs_entry_mtime(&a, 0, when);
	cr_assert_str_eq(when, "2024-03-14T15:09:26");
	cr_assert_eq(a.layout.base, 0);
	cr_assert_eq(a.layout.zip64_eocd_offset, UINT64_MAX);
	zs_archive_close(&a);
}

Test(index, infozip_archive)
{
	zs_archive a;
	cr_assert_eq(open_fixture(&a, "infozip.zip"), ZS_EXIT_OK);
	cr_assert_eq(a.index.count, 15);  /* 13 files, 2 directories */
	long d = find_entry(&a, "sub/deeper/");
	cr_assert_geq(d, 0);
	cr_assert(zs_entry_is_dir(&a, (size_t)d));
	cr_assert_not(zs_entry_is_dir(&a, (size_t)find_entry(&a, "f0.txt")));
	zs_archive_close(&a);
}

Test(index, prepended_data_is_a_warning_and_offsets_adjust)
{
	zs_archive a;
	cr_assert_eq(open_fixture(&a, "prefix.zip"), ZS_EXIT_WARN);
	cr_assert_eq(a.layout.base, 100);
	cr_assert_eq(a.index.local_offset[0], 100);
	cr_assert_eq(a.findings_count, 1);
	cr_assert(strstr(a.findings[0].text, "100 extra bytes"));
	zs_archive_close(&a);
}

Test(index, trailing_bytes_are_a_warning)
{
	zs_archive a;
	cr_assert_eq(open_fixture(&a, "trailing.zip"), ZS_EXIT_WARN);
	cr_assert(strstr(a.findings[0].text, "4 bytes after the end"));
	cr_assert_eq(a.index.count, 2);
	zs_archive_close(&a);
}

Test(index, comment)
{
	zs_archive a;
	cr_assert_eq(open_fixture(&a, "comment.zip"), ZS_EXIT_OK);
	cr_assert_eq(a.layout.comment_len, 18);
	cr_assert_eq(memcmp(a.data + a.layout.comment_offset,
			    "an archive comment", 18), 0);
	zs_archive_close(&a);
}

Test(index, empty_archive_is_a_warning_as_in_unzip)
{
	zs_archive a;
	cr_assert_eq(open_fixture(&a, "empty.zip"), ZS_EXIT_WARN);
	cr_assert(a.indexed);
	cr_assert_eq(a.index.count, 0);
	cr_assert(strstr(a.findings[0].text, "empty"));
	zs_archive_close(&a);
}

Test(index, zip64_end_records)
{
	zs_archive a;
	cr_assert_eq(open_fixture(&a, "zip64-end.zip"), ZS_EXIT_OK);
	cr_assert_neq(a.layout.zip64_eocd_offset, UINT64_MAX);
	cr_assert_eq(a.layout.zip64_locator_offset,
		     a.layout.zip64_eocd_offset + 56);
	cr_assert_eq(a.index.count, 2);
	zs_archive_close(&a);
}

Test(index, zip64_extra_fields_in_both_headers)
{
	zs_archive a;
	zs_totals t;
	cr_assert_eq(scan_fixture(&a, "zip64-entry.zip", 2, 0, &t),
		     ZS_EXIT_OK);
	cr_assert_eq(a.index.count, 2);
	cr_assert(a.index.zip64[0] && a.index.zip64[1]);
	cr_assert_eq(a.index.uncomp_size[0], 2000);
	cr_assert_neq(a.index.local_offset[1], 0xffffffffu);
	cr_assert_eq(t.ok, 2);
	zs_archive_close(&a);
}

Test(index, more_than_65535_entries)
{
	zs_archive a;
	cr_assert_eq(open_fixture(&a, "many.zip"), ZS_EXIT_OK);
	cr_assert_eq(a.index.count, 70000);
	cr_assert_eq(a.layout.cd_entries_declared, 70000);
	cr_assert_eq(find_entry(&a, "69999"), 69999);
	zs_archive_close(&a);
}

Test(index, not_a_zip)
{
	const char *names[] = { "notzip.bin", "short.bin", "empty.bin",
				"truncated.zip" };
	for (size_t k = 0; k < 4; k++) {
		zs_archive a;
		cr_assert_eq(open_fixture(&a, names[k]), ZS_EXIT_NOTZIP, "%s",
			     names[k]);
		cr_assert_not(a.indexed);
		cr_assert(strstr(a.findings[0].text, "not a ZIP"), "%s: %s",
			  names[k], a.findings[0].text);
		zs_archive_close(&a);
	}
}

Test(index, missing_file)
{
	zs_archive a;
	cr_assert_eq(open_fixture(&a, "no-such-file.zip"), ZS_EXIT_NOTZIP);
	cr_assert(strstr(a.findings[0].text, "cannot open"));
	zs_archive_close(&a);
}

Test(index, central_directory_not_where_declared)
{
	zs_archive a;
	cr_assert_eq(open_fixture(&a, "cd-missing.zip"), ZS_EXIT_STRUCT);
	cr_assert_not(a.indexed);
	cr_assert(strstr(a.findings[0].text, "central directory not found"));
	zs_archive_close(&a);
}

Test(index, declared_count_disagrees)
{
	zs_archive a;
	cr_assert_eq(open_fixture(&a, "count-wrong.zip"), ZS_EXIT_STRUCT);
	cr_assert_eq(a.index.count, 2);  /* what is there, not what is said */
	cr_assert(strstr(a.findings[0].text, "holds 2 entries"));
	zs_archive_close(&a);
}

/* Go's test-badbase: a wrong CD size implies a base, but a central header
 * at the raw offset wins, and the entries are then valid. */
Test(index, go_badbase_falls_back_to_base_zero)
{
	zs_archive a;
	zs_options o;
	zs_options_init(&o);
	NEED_CORPUS();
	zs_archive_open(&a, corpus_file("golang-go/test-badbase.zip"), &o);
	cr_assert(a.indexed);
	cr_assert_eq(a.layout.base, 0);
	cr_assert_eq(a.index.count, 2);
	zs_totals t;
	cr_assert_eq(zs_scan_entries(&a, &o, &t), ZS_EXIT_STRUCT);
	cr_assert_eq(t.ok, 2);
	zs_archive_close(&a);
}

Test(index, open_from_memory)
{
	FILE *f = fopen(fixture("crafted-ok.zip"), "rb");
	cr_assert_not_null(f);
	static uint8_t buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	zs_archive a;
	zs_options o;
	zs_totals t;
	zs_options_init(&o);
	cr_assert_eq(zs_archive_open_memory(&a, "mem", buf, n, &o), 0);
	cr_assert_eq(zs_scan_entries(&a, &o, &t), 0);
	cr_assert_eq(t.ok, 2);
	zs_archive_close(&a);
}
