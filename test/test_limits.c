/* SPDX-License-Identifier: MIT */
/*
 * test_limits.c - ZIP at and past its resource limits (security.md 6.F.26,
 * 6.B.8-10, 6.D.17): 65,535-byte names and comments, 65,535+ entries with
 * and without ZIP64 end records, sizes of exactly 0xFFFFFFFF declared, ZIP64
 * values whose sums overflow 64 bits, and a complexity and memory test on
 * 100,000 to 1,000,000 entries.  The archives come from test/limits.py.
 *
 * Every archive must get its defined exit status with a message saying what
 * is wrong and where, within a fixed address-space limit (nothing may be
 * allocated from a declared size), and without a crash (make asan runs the
 * same tests under ASan + UBSan).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#define BIG_OUT (1 << 20)
#define HELLO "hello, limits\n"

/* Address space each command may use on the small archives: enough for the
 * threads' stacks and buffers, far from the 4 GiB some of them declare.
 * ASan reserves terabytes of address space, so it runs without the limit. */
#ifdef ZS_BIN_OVERRIDE
#define LIMIT_VM ""
#else
#define LIMIT_VM "ulimit -v 262144; "
#endif

/* "limits/FILE", the name scan_fixture takes. */
static const char *lim_name(const char *file)
{
	static __thread char name[256];
	snprintf(name, sizeof(name), "limits/%s", file);
	return name;
}

/* Its path. */
static const char *lim(const char *file)
{
	return fixture(lim_name(file));
}

static char *big_buffer(void)
{
	char *p = malloc(BIG_OUT);
	cr_assert_not_null(p);
	return p;
}

/* ---- every archive: exit status, message, bounded memory ---------------- */

/* The aggregate output limits off: what each entry gets on its own. */
#define NO_LIMITS "--max-ratio 0 --max-total 0"

/*
 * What each archive must get, with options `opts`.  `says` must appear in
 * `zipscan test`'s output (stdout and stderr), `list_says` in `zipscan
 * list`'s (stderr); both name the offset.
 * Info-ZIP unzip 6.0 (`unzip -t`) and Python 3.11's zipfile are noted where
 * they differ.
 */
static const struct limit_case {
	const char *file, *opts;
	int test_status, list_status;
	const char *says, *list_says;
} cases[] = {
	/* A 65,535-byte name is legal, if unextractable: unzip -t warns
	 * "filename too long--truncating" (1), Python reads it. */
	{ "name-65535.zip", "", 0, 0, "No errors detected", NULL },
	{ "name-65535-path.zip", "", 0, 0, "No errors detected", NULL },
	{ "component-256.zip", "", 0, 0, "No errors detected", NULL },
	/* The first central record's name, extra or comment length runs past
	 * the directory: the walk stops there (offset 98, the directory's
	 * start) and both records are lost.  unzip -t: 51 (after reading the
	 * name out of the next record); Python: 1 entry named
	 * "a.txtPK\x01\x02..." for the name, BadZipFile for the extra. */
	{ "name-overruns-cd.zip", "", 3, 3,
	  "central directory holds 0 entries, the end record says 2 "
	  "(offset 98)", "the end record says 2 (offset 98)" },
	{ "extra-overruns-cd.zip", "", 3, 3,
	  "central directory holds 0 entries, the end record says 2 "
	  "(offset 98)", "the end record says 2 (offset 98)" },
	{ "comment-overruns-cd.zip", "", 3, 3,
	  "central directory holds 0 entries, the end record says 2 "
	  "(offset 98)", "the end record says 2 (offset 98)" },
	/* the end record at the far edge of the 65,557-byte search window */
	{ "comment-65535.zip", "", 0, 0, "No errors detected", NULL },
	/* A forged empty end record as the last bytes of the comment: the last
	 * signature wins, as in unzip (1, "zipfile is empty") and Python (0
	 * entries), and the real one (at 200) is named as another reading. */
	{ "comment-fake-eocd.zip", "", 1, 1, "end-of-central-directory record "
	  "before the one used also validates: readers may list other entries "
	  "(this one uses offset 65735) (offset 200)",
	  "warning: zipfile is empty (offset 65735)" },
	{ "entry-comment-65535.zip", "", 0, 0, "No errors detected", NULL },
	/* 65,535 fits the classic count; 65,536 and 70,000 wrap to 0 and 4,464
	 * without ZIP64 end records: a warning (unzip and Python say nothing:
	 * they count the records too). */
	{ "entries-65535.zip", "", 0, 0, "(65535 entries, 21845 bytes)", NULL },
	{ "entries-65535-zip64.zip", "", 0, 0, "(65535 entries, 21845 bytes)",
	  NULL },
	{ "entries-65536.zip", "", 1, 1, "holds 65536 entries, the end record "
	  "says 0 (count wrapped at 65536) (offset 5657942)",
	  "(count wrapped at 65536) (offset 5657942)" },
	{ "entries-65536-zip64.zip", "", 0, 0, "(65536 entries, 21846 bytes)",
	  NULL },
	{ "entries-70000.zip", "", 1, 1, "holds 70000 entries, the end record "
	  "says 4464 (count wrapped at 65536) (offset 6043334)",
	  "(count wrapped at 65536) (offset 6043334)" },
	{ "entries-70000-zip64.zip", "", 0, 0, "(70000 entries, 23334 bytes)",
	  NULL },
	/* 0xFFFFFFFF bytes declared by a 128-byte archive: over the default
	 * --max-ratio, so nothing is decoded (12, "possible zip bomb").  With
	 * no limits, 16 bytes of Deflate still cannot make that much (over
	 * the 1032:1 Deflate reaches): the entry fails (2) before any buffer
	 * is reserved.  list does not decode, so it cannot know.  unzip -t and
	 * Python pass the entry: they never compare a Deflate entry's output
	 * size with the declared one. */
	{ "declared-4g.zip", "", 12, 0, "error: the entries declare "
	  "4294967295 bytes of output from a 128-byte archive, over "
	  "--max-ratio 10000; nothing decoded (offset 0)", NULL },
	{ "declared-4g.zip", NO_LIMITS, 2, 0, "big.bin: declared size "
	  "4294967295 is impossible for 16 bytes of deflate data (local header "
	  "at offset 0)", NULL },
	{ "declared-4g-zip64.zip", "", 12, 0, "over --max-ratio 10000; nothing "
	  "decoded (offset 0)", NULL },
	{ "declared-4g-zip64.zip", NO_LIMITS, 2, 0, "big.bin: declared size "
	  "4294967295 is impossible for 16 bytes of deflate data (local header "
	  "at offset 0)", NULL },
	/* stored, 4 GiB declared in a 126-byte file: its data would run past
	 * the file, which fails the entry; a stored entry cannot write more
	 * than its data, so the limits are not what stops it (unzip -t: 12,
	 * its overlap check; Python: bad CRC) */
	{ "declared-4g-stored.zip", "", 2, 2, "big.bin: entry data runs "
	  "to offset 4294967332, past the end of the archive (126 bytes)",
	  NULL },
	{ "declared-4g-stored.zip", NO_LIMITS, 2, 2, "big.bin: entry data runs "
	  "to offset 4294967332, past the end of the archive (126 bytes)",
	  NULL },
	{ "z64-usize-max.zip", "", 12, 0, "error: the entries declare "
	  "18446744073709551615 bytes of output, over --max-total "
	  "1099511627776 (1 entries); nothing decoded (offset 0)", NULL },
	{ "z64-usize-max.zip", NO_LIMITS, 2, 0, "big.bin: declared size "
	  "18446744073709551615 is impossible for 16 bytes", NULL },
	/* data offset 57 + 2^63 + 5; unzip -t: 2, Python: bad CRC */
	{ "z64-csize-2p63.zip", "", 2, 2, "big.bin: entry data runs to offset "
	  "9223372036854775870, past the end of the archive (166 bytes)",
	  NULL },
	{ "z64-csize-wraps.zip", "", 2, 2, "big.bin: compressed size overflows "
	  "the end of the archive (166 bytes)", NULL },
	/* an entry-level error: other entries stay readable (unzip -t: 3,
	 * Python: ValueError) */
	{ "z64-offset-wraps.zip", "", 2, 2, "big.bin: local header offset "
	  "18446744073709551608 is outside the archive (138 bytes)", NULL },
	/* the directory itself cannot be found or measured: 3 (unzip -t: 3
	 * and 4, "attempt to seek before beginning"; Python: BadZipFile) */
	{ "z64-cd-offset-wraps.zip", "", 3, 3, "central directory not found: "
	  "the end record says 64 bytes at offset 18446744073709551600, which "
	  "holds no central header (offset 100)", "(offset 100)" },
	{ "z64-cd-size-max.zip", "", 3, 3, "central directory is 51 bytes, the "
	  "end record says 18446744073709551615 (offset 49)",
	  "says 18446744073709551615 (offset 49)" },
	/* the locator says 2^63, the ZIP64 end record is at 100 all the same:
	 * a warning (unzip: 9, "read failure while seeking"; Python: ok) */
	{ "z64-locator-beyond.zip", "", 1, 1, "the ZIP64 locator says the "
	  "ZIP64 end record is at offset 9223372036854775808; it is at 100 "
	  "(offset 164)", "it is at 100 (offset 164)" },
	/* locator -> 2^63, no ZIP64 end record, classic record saturated
	 * (unzip: 9, Python: BadZipFile).  The locator is not mentioned: see
	 * the report. */
	{ "z64-eocd-beyond.zip", "", 3, 3, "central directory not found: the "
	  "end record says 4294967295 bytes at offset 4294967295, which holds "
	  "no central header (offset 120)", "(offset 120)" },
};

Test(limits, every_archive_gets_its_status_and_message)
{
	char *out = big_buffer(), *tmp = temp_dir("limits");
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct limit_case *c = &cases[k];
		const char *f = c->file;
		int st = run(out, BIG_OUT, LIMIT_VM "%s test %s %s 2>&1",
			     ZS_BIN, c->opts, lim(f));
		cr_expect_eq(st, c->test_status, "test %s: exit %d, not %d", f,
			     st, c->test_status);
		cr_expect(strstr(out, c->says),
			  "test %s: no \"%s\" in:\n%.2000s", f, c->says, out);
		st = run(out, BIG_OUT, LIMIT_VM "%s list %s %s 2>&1 >/dev/null",
			 ZS_BIN, c->opts, lim(f));
		cr_expect_eq(st, c->list_status, "list %s: exit %d, not %d", f,
			     st, c->list_status);
		if (c->list_says)
			cr_expect(strstr(out, c->list_says),
				  "list %s: no \"%s\" in:\n%.2000s", f,
				  c->list_says, out);
		/* JSON: the same status, in the summary at its end */
		char want[32];
		snprintf(want, sizeof(want), "\"status\":%d}", c->test_status);
		st = run(out, BIG_OUT, LIMIT_VM "%s test --json %s %s >%s/json;"
			 " s=$?; tail -c 300 %s/json; exit $s", ZS_BIN, c->opts,
			 lim(f), tmp, tmp);
		cr_expect_eq(st, c->test_status, "test --json %s: exit %d", f,
			     st);
		cr_expect(strstr(out, want), "test --json %s: no %s", f, want);
	}
	drop_dir(tmp);
	free(out);
}

/* ---- names -------------------------------------------------------------- */

/* The longest name, in-process: indexed, compared with its local copy,
 * converted to UTF-8 in the documented 3 * len + 1 bytes, decoded. */
static void long_name_in_process(const char *file, int has_slash)
{
	zs_archive a;
	zs_totals t;
	cr_assert_eq(scan_fixture(&a, lim_name(file), 2, 0, &t), ZS_EXIT_OK,
		     "%s", file);
	cr_assert_eq(a.index.count, 2);
	cr_expect_eq(a.index.name_len[0], 65535);
	cr_expect_eq(a.max_name_len, 65535);
	cr_expect_eq(a.index.status[0], ZS_ENTRY_OK);
	cr_expect_eq(a.index.status[1], ZS_ENTRY_OK);
	cr_expect_eq(t.bytes_out, 2 * strlen(HELLO));
	char *name = malloc(3 * 65535 + 1);
	cr_assert_not_null(name);
	cr_expect_eq(zs_entry_name_utf8(&a, 0, name), 65535);
	cr_expect_eq(strlen(name), 65535);
	cr_expect_eq(strchr(name, '/') != NULL, has_slash);
	cr_expect_eq(find_entry(&a, "ok.txt"), 1);
	free(name);
	zs_archive_close(&a);
}

/* The longest run of c in s. */
static size_t longest_run(const char *s, char c)
{
	size_t best = 0, n = 0;
	for (; *s; s++) {
		n = *s == c ? n + 1 : 0;
		if (n > best)
			best = n;
	}
	return best;
}

Test(limits, name_of_65535_bytes)
{
	long_name_in_process("name-65535.zip", 0);
	/* list prints it whole (unzip -v truncates it) */
	char *out = big_buffer();
	cr_assert_eq(run(out, BIG_OUT, "%s list %s", ZS_BIN,
			 lim("name-65535.zip")), 0);
	cr_expect_eq(longest_run(out, 'n'), 65535);
	cr_expect(strstr(out, "ok.txt\n"));
	free(out);
}

Test(limits, name_of_65535_bytes_in_short_components)
{
	long_name_in_process("name-65535-path.zip", 1);
}

/*
 * Extracting a 65,535-byte name cannot work on Linux: one 65,535-byte
 * component is over NAME_MAX (255), 655 components of 100 bytes are over
 * PATH_MAX (4,096).  That entry alone fails with ENAMETOOLONG, the other
 * is written, nothing else is created, and the exit status is 50 (unzip's
 * for "cannot create", which it gives the first archive; for the second it
 * truncates the path to 4,095 bytes and writes the file under that name,
 * exit 1: zipscan never writes an entry under another name).
 */
static void extract_long_name(const char *file)
{
	zs_archive a;
	zs_options o;
	zs_extract_options xo = { 0 };
	zs_extraction x;
	zs_totals t;
	char *dir = temp_dir("limits"), sub[4200];

	snprintf(sub, sizeof(sub), "%s/in", dir);
	zs_options_init(&o);
	o.threads = 2;
	cr_assert_eq(zs_archive_open(&a, lim(file), &o), ZS_EXIT_OK);
	xo.dir = sub;
	cr_expect_eq(zs_extract(&a, &xo, &o, &x, &t), ZS_EXIT_WRITE, "%s",
		     file);
	cr_expect_eq(x.action[0], ZS_ACT_FAILED);
	cr_expect_eq(x.write_errno[0], ENAMETOOLONG, "%s: errno %d", file,
		     x.write_errno[0]);
	cr_expect_eq(x.action[1], ZS_ACT_WRITTEN);
	cr_expect_eq(x.files, 1);
	zs_extraction_free(&x);
	zs_archive_close(&a);

	char out[8192];
	run(out, sizeof(out), "cd %s/in && find . -mindepth 1 && cat ok.txt",
	    dir);
	cr_expect_str_eq(out, "./ok.txt\n" HELLO, "%s", file);

	/* the command: the entry's index, the offset and the reason */
	run(NULL, 0, "rm -rf %s/in", dir);
	char *err = big_buffer(), want[4200];
	run(err, BIG_OUT, "%s extract -d %s/in %s 2>&1 >/dev/null", ZS_BIN, dir,
	    lim(file));
	snprintf(want, sizeof(want), "%s: entry 0 \"", lim(file));
	cr_expect(!strncmp(err, want, strlen(want)), "%s: %.300s", file, err);
	cr_expect(strstr(err, "\" (offset 0): cannot create: File name too "
			 "long\n"), "%s: %.300s", file, err);
	free(err);
	int st = run(NULL, 0, "%s extract -q -d %s/in2 %s 2>/dev/null",
		     ZS_BIN, dir, lim(file));
	cr_expect_eq(st, ZS_EXIT_WRITE, "%s: exit %d", file, st);
	drop_dir(dir);
}

Test(limits, extract_name_of_65535_bytes_fails_that_entry_only)
{
	extract_long_name("name-65535.zip");
	extract_long_name("name-65535-path.zip");
}

/* Components of 255 bytes are written; of 256, the file's and the
 * directory's entries fail alone with ENAMETOOLONG and leave nothing
 * behind (no temporary file, no directory). */
Test(limits, extract_components_at_name_max)
{
	zs_archive a;
	zs_options o;
	zs_extract_options xo = { 0 };
	zs_extraction x;
	zs_totals t;
	char *dir = temp_dir("limits"), sub[4200];
	static const int want[5] = { ZS_ACT_WRITTEN, ZS_ACT_WRITTEN,
				     ZS_ACT_FAILED, ZS_ACT_FAILED,
				     ZS_ACT_WRITTEN };

	snprintf(sub, sizeof(sub), "%s/in", dir);
	zs_options_init(&o);
	o.threads = 2;
	cr_assert_eq(zs_archive_open(&a, lim("component-256.zip"), &o),
		     ZS_EXIT_OK);
	cr_assert_eq(a.index.count, 5);
	xo.dir = sub;
	cr_expect_eq(zs_extract(&a, &xo, &o, &x, &t), ZS_EXIT_WRITE);
	for (int k = 0; k < 5; k++) {
		cr_expect_eq(x.action[k], want[k], "entry %d: action %d", k,
			     x.action[k]);
		cr_expect_eq(x.write_errno[k], k == 2 || k == 3 ?
			     ENAMETOOLONG : 0, "entry %d: errno %d", k,
			     x.write_errno[k]);
	}
	zs_extraction_free(&x);
	zs_archive_close(&a);

	/* d, d/ccc..., d/eee..., d/eee.../f.txt, ok.txt */
	char out[256];
	run(out, sizeof(out), "cd %s/in && find . -mindepth 1 | wc -l", dir);
	cr_expect_str_eq(out, "5\n");
	drop_dir(dir);
}

/* ---- comments --------------------------------------------------------- */

Test(limits, comment_of_65535_bytes)
{
	zs_archive a;
	struct stat st;
	cr_assert_eq(stat(lim("comment-65535.zip"), &st), 0);
	cr_assert_eq(scan_fixture(&a, lim_name("comment-65535.zip"), 2, 0,
				  NULL), ZS_EXIT_OK);
	cr_expect_eq(a.layout.comment_len, 65535);
	cr_expect_eq(a.layout.eocd_offset, (uint64_t)st.st_size - 22 - 65535);
	cr_expect_eq(a.index.count, 2);
	zs_archive_close(&a);

	/* the entry comment makes a directory of over 64 KiB; it is skipped
	 * over, not read as records */
	cr_assert_eq(scan_fixture(&a, lim_name("entry-comment-65535.zip"), 2, 0,
				  NULL), ZS_EXIT_OK);
	cr_expect_eq(a.index.count, 2);
	cr_expect_gt(a.layout.cd_size, 65535);
	cr_expect_eq(find_entry(&a, "b.txt"), 1);
	zs_archive_close(&a);
}

Test(limits, forged_end_record_in_the_comment)
{
	zs_archive a;
	struct stat st;
	cr_assert_eq(stat(lim("comment-fake-eocd.zip"), &st), 0);
	cr_expect_eq(scan_fixture(&a, lim_name("comment-fake-eocd.zip"), 2, 0,
				  NULL), ZS_EXIT_WARN);
	/* the last signature, 22 bytes from the end, is the one used */
	cr_expect_eq(a.layout.eocd_offset, (uint64_t)st.st_size - 22);
	cr_expect_eq(a.index.count, 0);
	/* the real end record (after 98 bytes of entries and 102 of
	 * directory), whose comment holds the forgery, is named */
	size_t named = 0;
	for (size_t k = 0; k < a.findings_count; k++)
		if (a.findings[k].offset == 200 &&
		    a.findings[k].severity == ZS_WARNING &&
		    strstr(a.findings[k].text, "also validates"))
			named++;
	cr_expect_eq(named, 1);
	zs_archive_close(&a);
}

/* Central records whose lengths overrun the directory: nothing is indexed
 * from them, and nothing past the mapping is read (ASan). */
Test(limits, central_record_overrunning_the_directory)
{
	static const char *const files[] = { "name-overruns-cd.zip",
		"extra-overruns-cd.zip", "comment-overruns-cd.zip" };
	for (size_t k = 0; k < 3; k++) {
		zs_archive a;
		cr_expect_eq(scan_fixture(&a, lim_name(files[k]), 2, 0, NULL),
			     ZS_EXIT_STRUCT, "%s", files[k]);
		cr_expect(a.indexed);
		cr_expect_eq(a.index.count, 0, "%s", files[k]);
		cr_expect_eq(a.layout.cd_offset, 98);
		zs_archive_close(&a);
	}
}

/* ---- entry counts ------------------------------------------------------- */

/* Every record is indexed, whatever the end record's count says; the
 * count is compared with the records, never used to allocate. */
Test(limits, entry_counts_around_65536)
{
	static const struct { const char *file; size_t n; int status;
			      int zip64; } c[] = {
		{ "entries-65535.zip", 65535, ZS_EXIT_OK, 0 },
		{ "entries-65535-zip64.zip", 65535, ZS_EXIT_OK, 1 },
		{ "entries-65536.zip", 65536, ZS_EXIT_WARN, 0 },
		{ "entries-65536-zip64.zip", 65536, ZS_EXIT_OK, 1 },
		{ "entries-70000.zip", 70000, ZS_EXIT_WARN, 0 },
		{ "entries-70000-zip64.zip", 70000, ZS_EXIT_OK, 1 },
	};
	for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		zs_archive a;
		zs_totals t;
		char last[8];
		cr_expect_eq(scan_fixture(&a, lim_name(c[k].file), 2, 0, &t),
			     c[k].status, "%s", c[k].file);
		cr_expect_eq(a.index.count, c[k].n, "%s", c[k].file);
		cr_expect_eq(t.ok, c[k].n, "%s", c[k].file);
		cr_expect_eq(a.layout.cd_entries_declared,
			     c[k].zip64 ? c[k].n : c[k].n & 0xffff, "%s",
			     c[k].file);
		cr_expect_eq(a.layout.zip64_eocd_offset != UINT64_MAX,
			     c[k].zip64, "%s", c[k].file);
		snprintf(last, sizeof(last), "%05zu", c[k].n - 1);
		cr_expect_eq(find_entry(&a, last), (long)c[k].n - 1, "%s",
			     c[k].file);
		zs_archive_close(&a);
	}
}

/* ---- declared sizes and overflowing ZIP64 values ------------------------ */

/* One entry, big.bin, fails with `error`; a and b are its values.  The
 * aggregate output limits are off: this is about each entry's own checks,
 * which must hold when a user lifts the limits. */
static void one_bad_entry(const char *file, int error, uint64_t a_val,
			  uint64_t b_val)
{
	zs_archive a;
	zs_options o;
	zs_totals t;
	zs_options_init(&o);
	o.threads = 2;
	o.max_total = 0;
	o.max_ratio = 0;
	zs_archive_open(&a, lim(file), &o);
	cr_expect_eq(zs_scan_entries(&a, &o, &t), ZS_EXIT_ENTRY, "%s", file);
	cr_assert_eq(a.index.count, 1, "%s", file);
	cr_expect_eq(a.index.status[0], ZS_ENTRY_BAD, "%s", file);
	cr_expect_eq(a.index.error[0], error, "%s: error %d", file,
		     a.index.error[0]);
	cr_expect_eq(a.index.err_a[0], a_val, "%s: %llu", file,
		     (unsigned long long)a.index.err_a[0]);
	cr_expect_eq(a.index.err_b[0], b_val, "%s: %llu", file,
		     (unsigned long long)a.index.err_b[0]);
	cr_expect_eq(t.bytes_out, 0, "%s", file);
	zs_archive_close(&a);
}

/* With the default limits, the declared output alone stops the run: no
 * entry is decoded, one finding says why (exit 12). */
static void refused_whole(const char *file, const char *code)
{
	zs_archive a;
	zs_totals t;
	cr_expect_eq(scan_fixture(&a, lim_name(file), 2, 0, &t),
		     ZS_EXIT_OVERLAP, "%s", file);
	cr_expect_eq(t.bytes_out, 0, "%s", file);
	cr_expect_eq(t.ok + t.bad, 0, "%s", file);
	size_t said = 0;
	for (size_t k = 0; k < a.findings_count; k++)
		said += strstr(a.findings[k].text, code) != NULL &&
			a.findings[k].exit_status == ZS_EXIT_OVERLAP;
	cr_expect_eq(said, 1, "%s: no finding with \"%s\"", file, code);
	zs_archive_close(&a);
}

Test(limits, declared_sizes_of_4_gib_and_more)
{
	refused_whole("declared-4g.zip", "--max-ratio 10000");
	refused_whole("declared-4g-zip64.zip", "--max-ratio 10000");
	refused_whole("z64-usize-max.zip", "--max-total 1099511627776");
	/* limits off: refused by the Deflate ratio before any buffer is
	 * reserved; the ulimit -v runs above show nothing of that size is
	 * allocated */
	one_bad_entry("declared-4g.zip", ZS_E_RATIO, 0xFFFFFFFFu, 16);
	one_bad_entry("declared-4g-zip64.zip", ZS_E_RATIO, 0xFFFFFFFFu, 16);
	one_bad_entry("z64-usize-max.zip", ZS_E_RATIO, UINT64_MAX, 16);
	/* stored: its data would run past the file; found by the check */
	one_bad_entry("declared-4g-stored.zip", ZS_E_DATA_TRUNCATED,
		      37 + 0xFFFFFFFFull, 126);
}

Test(limits, zip64_values_that_overflow)
{
	/* data at 30 + 7 + 20 = 57 */
	one_bad_entry("z64-csize-2p63.zip", ZS_E_DATA_TRUNCATED,
		      57 + (1ull << 63) + 5, 166);
	/* 57 + 2^64 - 16 wraps: reported as overflowing, not as offset 41 */
	one_bad_entry("z64-csize-wraps.zip", ZS_E_DATA_TRUNCATED, UINT64_MAX,
		      166);
	one_bad_entry("z64-offset-wraps.zip", ZS_E_LOCAL_OFFSET, UINT64_MAX - 7,
		      138);

	/* the ZIP64 end record's directory cannot be placed: no index */
	static const char *const structural[] = { "z64-cd-offset-wraps.zip",
						  "z64-eocd-beyond.zip" };
	for (size_t k = 0; k < 2; k++) {
		zs_archive a;
		cr_expect_eq(scan_fixture(&a, lim_name(structural[k]), 2, 0,
					  NULL), ZS_EXIT_STRUCT, "%s",
			     structural[k]);
		cr_expect_not(a.indexed, "%s", structural[k]);
		/* the locator leading nowhere is said too */
		cr_expect_eq(a.findings_count, k == 1 ? 2 : 1, "%s",
			     structural[k]);
		if (k == 1)
			cr_expect_str_eq(a.findings[0].code, "zip64-locator");
		zs_archive_close(&a);
	}
	/* a locator pointing at 2^63, its ZIP64 end record where it belongs:
	 * used, with a warning */
	zs_archive a;
	zs_totals t;
	cr_expect_eq(scan_fixture(&a, lim_name("z64-locator-beyond.zip"), 2, 0,
				  &t), ZS_EXIT_WARN);
	cr_expect_eq(a.layout.zip64_eocd_offset, 100);
	cr_expect_eq(a.index.count, 1);
	cr_expect_eq(t.ok, 1);
	zs_archive_close(&a);

	/* a directory size of 2^64 - 1: the directory is found at its
	 * offset and its one record read, but the size is an error */
	cr_expect_eq(scan_fixture(&a, lim_name("z64-cd-size-max.zip"), 2, 0,
				  &t), ZS_EXIT_STRUCT);
	cr_expect_eq(a.index.count, 1);
	cr_expect_eq(a.layout.cd_size, UINT64_MAX);
	cr_expect_eq(t.ok, 1);
	zs_archive_close(&a);
}

/* ---- linear time and memory in the entry count ------------------------- */

/*
 * The complexity test: list and test on 100,000, 500,000 and
 * 1,000,000 tiny stored entries, generated here (about 145 MB, removed
 * afterwards).  Doubling the entries must not more than triple the time:
 * t(1M) / t(500k) <= 3, and over ten times the entries
 * t(1M) / t(100k) <= 3^log2(10) = 38.5.
 *
 * Each time is the child's CPU time (user + system, from wait4), median of
 * 3 runs taken in turn over the sizes, with -j1: the suite runs two tests
 * at once on a shared 2-core machine, and CPU time of one thread is what
 * competing processes disturb least (wall time is logged too).  Under ASan
 * (about 3.5 times slower) the sizes are 100k, 250k and 500k.
 *
 * Peak memory: ru_maxrss of list and test on the largest archive with the
 * default threads, below 200 MiB.  It counts the archive's pages the
 * command touched (the mapping) as well as the heap.  Not under ASan,
 * whose shadow memory and quarantine are not zipscan's.
 */
#ifdef ZS_BIN_OVERRIDE
static const unsigned sizes[3] = { 100000, 250000, 500000 };
#define WIDE_BOUND 12.8   /* 5^log2(3): sizes 5 times apart */
#else
static const unsigned sizes[3] = { 100000, 500000, 1000000 };
#define WIDE_BOUND 38.5   /* 10^log2(3) = 3^log2(10) */
#endif
#define DOUBLING_BOUND 3.0
#define MAXRSS_BOUND_KIB (200l << 10)

static char many_dir[64];

static void many_cleanup(void)
{
	if (many_dir[0])
		run(NULL, 0, "rm -rf %s", many_dir);
}

typedef struct child {
	int status;
	double cpu, wall;       /* seconds */
	long maxrss_kib;
} child;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Run `zipscan CMD [-jN] ARCHIVE` with its output to /dev/null. */
static child spawn(const char *cmd, const char *archive, int threads)
{
	char jobs[16];
	char *argv[] = { (char *)ZS_BIN, (char *)cmd, jobs, (char *)archive,
			 NULL };
	child c = { .status = -1 };

	snprintf(jobs, sizeof(jobs), "-j%d", threads);
	if (threads == 0) {     /* every CPU: no -j */
		argv[2] = (char *)archive;
		argv[3] = NULL;
	}
	double t0 = now();
	c.status = run_cpu(argv, &c.cpu, &c.maxrss_kib);
	c.wall = now() - t0;
	return c;
}

Test(limits, many_entries_linear_time_bounded_memory, .fini = many_cleanup)
{
	static const char *const cmds[2] = { "list", "test" };
	char path[3][128];
	double cpu[2][3][3], wall[2][3][3];

	snprintf(many_dir, sizeof(many_dir), "/tmp/zs_many_XXXXXX");
	cr_assert_not_null(mkdtemp(many_dir));
	cr_assert_eq(run(NULL, 0, "/usr/bin/python3 %s/limits.py %s %u %u %u",
			 ZS_TESTDIR, many_dir, sizes[0], sizes[1], sizes[2]),
		     0);
	for (int s = 0; s < 3; s++) {
		snprintf(path[s], sizeof(path[s]), "%s/many-%u.zip", many_dir,
			 sizes[s]);
		/* the archive in the page cache before any run is timed */
		cr_assert_eq(spawn("test", path[s], 1).status, 0, "%s",
			     path[s]);
	}
	for (int r = 0; r < 3; r++)
		for (int s = 0; s < 3; s++)
			for (int k = 0; k < 2; k++) {
				child c = spawn(cmds[k], path[s], 1);
				cr_assert_eq(c.status, 0, "%s %s: exit %d",
					     cmds[k], path[s], c.status);
				cpu[k][s][r] = c.cpu;
				wall[k][s][r] = c.wall;
			}
	for (int k = 0; k < 2; k++) {
		double t[3], w[3];
		for (int s = 0; s < 3; s++) {
			t[s] = median3(cpu[k][s]);
			w[s] = median3(wall[k][s]);
		}
		cr_log_info("%s -j1, CPU s (wall s): %u: %.3f (%.3f), %u: %.3f "
			    "(%.3f), %u: %.3f (%.3f)", cmds[k], sizes[0], t[0],
			    w[0], sizes[1], t[1], w[1], sizes[2], t[2], w[2]);
		/* a floor of 10 ms keeps a tiny denominator from deciding */
		double mid = t[1] > 0.01 ? t[1] : 0.01;
		double small = t[0] > 0.01 ? t[0] : 0.01;
		cr_expect_leq(t[2] / mid, DOUBLING_BOUND, "%s: %u entries take "
			      "%.3f s, %u take %.3f s: more than %.1f times",
			      cmds[k], sizes[2], t[2], sizes[1], t[1],
			      DOUBLING_BOUND);
		cr_expect_leq(t[2] / small, WIDE_BOUND, "%s: %u entries take "
			      "%.3f s, %u take %.3f s: more than %.1f times",
			      cmds[k], sizes[2], t[2], sizes[0], t[0],
			      WIDE_BOUND);
	}
	for (int k = 0; k < 2; k++) {
		child c = spawn(cmds[k], path[2], 0);
		cr_expect_eq(c.status, 0);
		cr_log_info("%s, %u entries: maxrss %ld KiB", cmds[k],
			    sizes[2], c.maxrss_kib);
#ifndef ZS_BIN_OVERRIDE
		cr_expect_lt(c.maxrss_kib, MAXRSS_BOUND_KIB, "%s on %u "
			     "entries: peak resident memory %ld KiB, over %ld "
			     "KiB",
			     cmds[k], sizes[2], c.maxrss_kib, MAXRSS_BOUND_KIB);
#endif
	}
}
