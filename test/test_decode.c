/* SPDX-License-Identifier: MIT */
/*
 * test_decode.c - decoding and checking entry data: CRC, sizes, corrupt
 * streams, lying sizes, the streaming path, and what is never decoded.
 */
#include "helpers.h"

static void expect_bad(const char *name, int err)
{
	zs_archive a;
	zs_totals t;
	cr_assert_eq(scan_fixture(&a, name, 2, 0, &t), ZS_EXIT_ENTRY, "%s",
		     name);
	cr_assert_eq(a.index.status[0], ZS_ENTRY_BAD, "%s", name);
	cr_assert_eq(a.index.error[0], err, "%s: error %d", name,
		     a.index.error[0]);
	cr_assert_geq(t.bad, 1);
	zs_archive_close(&a);
}

Test(decode, all_good_archives)
{
	const char *names[] = { "basic.zip", "mixed.zip", "infozip.zip",
				"crafted-ok.zip", "zip64-py.zip", "large.zip" };
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		zs_archive a;
		zs_totals t;
		cr_assert_eq(scan_fixture(&a, names[k], 2, 0, &t), 0, "%s",
			     names[k]);
		cr_assert_eq(t.ok, a.index.count, "%s", names[k]);
		uint64_t sum = 0;
		for (size_t i = 0; i < a.index.count; i++)
			sum += a.index.uncomp_size[i];
		cr_assert_eq(t.bytes_out, sum, "%s", names[k]);
		zs_archive_close(&a);
	}
}

Test(decode, crc_errors)
{
	expect_bad("bad-crc.zip", ZS_E_CRC);
	expect_bad("bad-crc-stored.zip", ZS_E_CRC);
}

Test(decode, corrupt_and_truncated_deflate)
{
	zs_archive a;
	zs_totals t;
	cr_assert_eq(scan_fixture(&a, "bad-deflate.zip", 2, 0, &t), 2);
	cr_assert_eq(t.bad, 1);
	cr_assert_eq(t.ok, 1, "the other entry is still tested");
	zs_archive_close(&a);
	expect_bad("truncated-deflate.zip", ZS_E_DEFLATE);
}

Test(decode, output_past_declared_size)
{
	expect_bad("size-long.zip", ZS_E_SIZE_LONG);
}

Test(decode, output_short_of_declared_size)
{
	expect_bad("size-short.zip", ZS_E_SIZE_SHORT);
}

/* A declared size Deflate cannot reach from the data: refused before
 * decoding by the default --max-ratio, and, with the limits off, by the
 * decoder itself without allocating the declared size. */
Test(decode, impossible_declared_size_allocates_nothing)
{
	zs_archive a;
	zs_options o;
	zs_totals t;

	zs_options_init(&o);
	zs_archive_open(&a, fixture("ratio-lie.zip"), &o);
	cr_assert_eq(zs_scan_entries(&a, &o, &t), ZS_EXIT_OVERLAP);
	cr_assert_eq(t.bytes_out, 0);
	cr_assert_eq(a.index.status[0], ZS_ENTRY_UNTESTED);
	zs_archive_close(&a);

	o.max_ratio = 0;
	o.max_total = 0;
	zs_archive_open(&a, fixture("ratio-lie.zip"), &o);
	cr_assert_eq(zs_scan_entries(&a, &o, &t), ZS_EXIT_ENTRY);
	cr_assert_eq(a.index.error[0], ZS_E_RATIO);
	zs_archive_close(&a);
}

Test(decode, stored_sizes_differ)
{
	expect_bad("stored-sizes.zip", ZS_E_STORED_SIZES);
}

/* An entry over the memory limit streams through ISA-L in bounded memory
 * and gets the same verdicts as the whole-buffer path. */
Test(decode, streaming_path_over_memory_limit)
{
	zs_archive a;
	zs_totals t;
	cr_assert_eq(scan_fixture(&a, "large.zip", 2, 64 << 10, &t), 0);
	cr_assert_eq(t.bytes_out, 3 << 20);
	zs_archive_close(&a);
	cr_assert_eq(scan_fixture(&a, "large-corrupt.zip", 2, 64 << 10, &t),
		     2);
	cr_assert_eq(a.index.status[0], ZS_ENTRY_BAD);
	int whole_err = 0;
	zs_archive_close(&a);
	cr_assert_eq(scan_fixture(&a, "large-corrupt.zip", 2, 0, &t), 2);
	whole_err = a.index.status[0];
	cr_assert_eq(whole_err, ZS_ENTRY_BAD);
	zs_archive_close(&a);
}

Test(decode, encrypted_is_never_decoded)
{
	zs_archive a;
	zs_totals t;
	cr_assert_eq(scan_fixture(&a, "encrypted-only.zip", 2, 0, &t),
		     ZS_EXIT_ENCRYPTED);
	cr_assert_eq(a.index.status[0], ZS_ENTRY_ENCRYPTED);
	cr_assert_eq(t.bytes_out, 0);
	zs_archive_close(&a);
	cr_assert_eq(scan_fixture(&a, "aes.zip", 2, 0, &t), ZS_EXIT_ENCRYPTED);
	cr_assert(zs_entry_is_encrypted(&a, 0));
	zs_archive_close(&a);
	cr_assert_eq(scan_fixture(&a, "encrypted.zip", 2, 0, &t),
		     ZS_EXIT_ENCRYPTED);
	cr_assert_eq(t.ok, 1);
	cr_assert_eq(t.encrypted, 1);
	zs_archive_close(&a);
}

Test(decode, unsupported_method_by_name)
{
	zs_archive a;
	zs_totals t;
	cr_assert_eq(scan_fixture(&a, "unsupported.zip", 2, 0, &t),
		     ZS_EXIT_UNSUPPORTED);
	char msg[256];
	zs_entry_error(&a, 0, msg, sizeof(msg));
	cr_assert_str_eq(msg, "unsupported compression method 98 (ppmd)");
	zs_archive_close(&a);
	/* bzip2 is decoded (test_codecs.c has the decoders) */
	cr_assert_eq(scan_fixture(&a, "bzip2.zip", 2, 0, &t), 0);
	cr_assert_eq(t.ok, 2);
	cr_assert_eq(t.unsupported, 0);
	zs_archive_close(&a);
	cr_assert_str_eq(zs_method_name(9), "deflate64");
	cr_assert_str_eq(zs_method_name(93), "zstd");
	cr_assert_str_eq(zs_method_name(4242), "unknown");
}

Test(decode, results_do_not_depend_on_thread_count)
{
	zs_archive a, b;
	zs_totals ta, tb;
	scan_fixture(&a, "mixed.zip", 1, 0, &ta);
	scan_fixture(&b, "mixed.zip", 4, 100 << 10, &tb);
	cr_assert_eq(ta.ok, tb.ok);
	cr_assert_eq(ta.bytes_out, tb.bytes_out);
	cr_assert_eq(memcmp(a.index.status, b.index.status, a.index.count), 0);
	zs_archive_close(&a);
	zs_archive_close(&b);
}
