/* SPDX-License-Identifier: MIT */
/*
 * test_names.c - entry names as UTF-8: CP437 conversion checked against
 * Python's codec for all 128 high bytes, and invalid UTF-8 under bit 11.
 */
#include "helpers.h"

/* A one-entry archive in memory whose name is `name` (n bytes). */
static size_t one_entry_zip(uint8_t *buf, const uint8_t *name, size_t n,
			    uint16_t flags)
{
	size_t o = 0;
	uint8_t lh[30] = { 'P', 'K', 3, 4, 20, 0 };
	lh[6] = (uint8_t)flags; lh[7] = (uint8_t)(flags >> 8);
	lh[26] = (uint8_t)n; lh[27] = (uint8_t)(n >> 8);
	memcpy(buf, lh, 30); o += 30;
	memcpy(buf + o, name, n); o += n;
	size_t cd = o;
	uint8_t ch[46] = { 'P', 'K', 1, 2, 20, 3, 20, 0 };
	ch[8] = (uint8_t)flags; ch[9] = (uint8_t)(flags >> 8);
	ch[28] = (uint8_t)n; ch[29] = (uint8_t)(n >> 8);
	memcpy(buf + o, ch, 46); o += 46;
	memcpy(buf + o, name, n); o += n;
	uint8_t e[22] = { 'P', 'K', 5, 6, 0, 0, 0, 0, 1, 0, 1, 0 };
	uint32_t cds = (uint32_t)(o - cd);
	memcpy(e + 12, &cds, 4);
	uint32_t cdo = (uint32_t)cd;
	memcpy(e + 16, &cdo, 4);
	memcpy(buf + o, e, 22);
	return o + 22;
}

Test(names, cp437_matches_pythons_codec)
{
	uint8_t name[128], buf[1024];
	for (int k = 0; k < 128; k++)
		name[k] = (uint8_t)(0x80 + k);
	size_t n = one_entry_zip(buf, name, 128, 0);
	zs_archive a;
	zs_options o;
	zs_options_init(&o);
	cr_assert_eq(zs_archive_open_memory(&a, "m", buf, n, &o), 0);
	char out[3 * 128 + 1], expect[3 * 128 + 1] = "";
	zs_entry_name_utf8(&a, 0, out);
	run(expect, sizeof(expect), "python3 -c \"import sys; sys.stdout."
	    "buffer.write(bytes(range(128,256)).decode('cp437').encode())\"");
	cr_assert_str_eq(out, expect);
	zs_archive_close(&a);
}

Test(names, valid_utf8_without_flag_is_kept)
{
	const uint8_t name[] = "\xe4\xb8\x96\xe7\x95\x8c.txt";
	uint8_t buf[512];
	size_t n = one_entry_zip(buf, name, sizeof(name) - 1, 0);
	zs_archive a;
	zs_options o;
	zs_options_init(&o);
	zs_archive_open_memory(&a, "m", buf, n, &o);
	char out[64];
	zs_entry_name_utf8(&a, 0, out);
	cr_assert_str_eq(out, (const char *)name);
	zs_archive_close(&a);
}

Test(names, invalid_utf8_under_flag_becomes_replacement_chars)
{
	const uint8_t name[] = "a\xff\xc0\xafz";
	uint8_t buf[512];
	size_t n = one_entry_zip(buf, name, 5, 0x800);
	zs_archive a;
	zs_options o;
	zs_options_init(&o);
	zs_archive_open_memory(&a, "m", buf, n, &o);
	char out[64];
	zs_entry_name_utf8(&a, 0, out);
	cr_assert_str_eq(out, "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz");
	zs_archive_close(&a);
}
