/* SPDX-License-Identifier: MIT */
/*
 * test_check.c - local headers against central records, data descriptors,
 * and the overlap check, all before anything is decoded.
 */
#include "helpers.h"

/* Scan a one-problem fixture; entry `name` must fail with `err`. */
static void expect_entry_error(const char *fixture_name, const char *name,
			       int err, int exit_status)
{
	zs_archive a;
	zs_totals t;
	int st = scan_fixture(&a, fixture_name, 2, 0, &t);
	long i = find_entry(&a, name);
	cr_assert_geq(i, 0, "%s: no entry %s", fixture_name, name);
	cr_assert_eq(a.index.status[i], ZS_ENTRY_BAD, "%s", fixture_name);
	cr_assert_eq(a.index.error[i], err, "%s: error %d", fixture_name,
		     a.index.error[i]);
	cr_assert_eq(st, exit_status, "%s: exit %d", fixture_name, st);
	char msg[512];
	zs_entry_error(&a, (size_t)i, msg, sizeof(msg));
	cr_assert_neq(msg[0], '\0');
	zs_archive_close(&a);
}

Test(check, local_name_mismatch)
{
	expect_entry_error("local-name.zip", "a.txt", ZS_E_LOCAL_NAME, 2);
}

Test(check, local_method_mismatch_names_both)
{
	zs_archive a;
	scan_fixture(&a, "local-method.zip", 1, 0, NULL);
	char msg[512];
	zs_entry_error(&a, 0, msg, sizeof(msg));
	cr_assert_str_eq(msg, "compression method differs: central 8 "
			 "(deflate), local 0 (stored)");
	zs_archive_close(&a);
}

Test(check, local_crc_and_size_mismatch)
{
	expect_entry_error("local-crc.zip", "a.txt", ZS_E_LOCAL_CRC, 2);
	expect_entry_error("local-size.zip", "a.txt", ZS_E_LOCAL_USIZE, 2);
}

Test(check, local_header_missing_or_outside)
{
	expect_entry_error("local-sig.zip", "a.txt", ZS_E_LOCAL_SIG, 2);
	expect_entry_error("offset-out.zip", "a.txt", ZS_E_LOCAL_OFFSET, 2);
}

Test(check, data_descriptors_with_and_without_signature)
{
	const char *names[] = { "desc-sig.zip", "desc-nosig.zip" };
	for (int k = 0; k < 2; k++) {
		zs_archive a;
		zs_totals t;
		cr_assert_eq(scan_fixture(&a, names[k], 2, 0, &t), 0, "%s",
			     names[k]);
		cr_assert_eq(t.ok, a.index.count);
		cr_assert(a.index.flags[0] & 8);
		zs_archive_close(&a);
	}
}

Test(check, data_descriptor_disagreeing)
{
	expect_entry_error("desc-bad.zip", "d.txt", ZS_E_DESC_CRC, 2);
}

Test(check, full_overlap_is_a_possible_bomb)
{
	zs_archive a;
	zs_totals t;
	cr_assert_eq(scan_fixture(&a, "overlap-full.zip", 2, 0, &t),
		     ZS_EXIT_OVERLAP);
	cr_assert_eq(a.overlaps, 2);
	cr_assert_eq(a.index.error[1], ZS_E_OVERLAP);
	cr_assert_eq(a.index.err_a[1], 0);  /* names the other entry */
	cr_assert_eq(t.bytes_out, 0, "nothing may be decoded");
	cr_assert_eq(t.ok, 0);
	zs_archive_close(&a);
}

Test(check, data_running_into_next_header_is_overlap)
{
	zs_archive a;
	zs_totals t;
	cr_assert_eq(scan_fixture(&a, "overlap-next.zip", 1, 0, &t),
		     ZS_EXIT_OVERLAP);
	cr_assert_eq(a.index.error[1], ZS_E_OVERLAP);
	cr_assert_eq(t.bytes_out, 0);
	char msg[512];
	zs_entry_error(&a, 1, msg, sizeof(msg));
	cr_assert(strstr(msg, "\"a\""), "%s", msg);
	zs_archive_close(&a);
}

Test(check, allow_overlap_decodes_anyway)
{
	zs_archive a;
	zs_options o;
	zs_totals t;
	zs_options_init(&o);
	o.stop_on_overlap = 0;
	zs_archive_open(&a, fixture("overlap-full.zip"), &o);
	cr_assert_eq(zs_scan_entries(&a, &o, &t), ZS_EXIT_OVERLAP);
	cr_assert_eq(t.ok, 1);
	cr_assert_gt(t.bytes_out, 0);
	zs_archive_close(&a);
}
