/* SPDX-License-Identifier: MIT */
/*
 * test_trust.c - what real and hostile archives taught: names, times and
 * layouts that were read one way by zipscan and another by unzip, 7-Zip or
 * a streaming reader.  The archives come from test/fixtures.py's trust().
 */
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

#define OUT_CAP (1 << 16)

/* Open a fixture (no scan); the caller closes it. */
static int open_fixture(zs_archive *a, const char *name, int strict)
{
	zs_options o;
	zs_options_init(&o);
	o.threads = 1;
	o.strict = strict;
	return zs_archive_open(a, fixture(name), &o);
}

/* The entry of the first finding with this code (-1: none or about the
 * archive), and how many there are in *n. */
static inline int64_t code_entry(const zs_archive *a, const char *code,
				 size_t *n)
{
	int64_t e = -1;
	*n = 0;
	for (size_t k = 0; k < zs_finding_count(a); k++) {
		const zs_finding *f = zs_finding_get(a, k);
		if (f->code && !strcmp(f->code, code) && (*n)++ == 0)
			e = f->entry;
	}
	return e;
}

static inline int has_code(const zs_archive *a, const char *code)
{
	for (size_t k = 0; k < zs_finding_count(a); k++) {
		const zs_finding *f = zs_finding_get(a, k);
		if (f->code && !strcmp(f->code, code))
			return 1;
	}
	return 0;
}

/* A fresh directory for an extraction (removed by drop). */
static char *sandbox(void)
{
	char *t = strdup("/tmp/zs_trust_XXXXXX");
	cr_assert_not_null(mkdtemp(t));
	return t;
}

static void drop(char *t)
{
	run(NULL, 0, "rm -rf %s", t);
	free(t);
}

static int is_dir_at(const char *t, const char *rel)
{
	char p[4096];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", t, rel);
	return lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

Test(trust, backslash_directory_is_a_directory)
{
	zs_archive a;
	open_fixture(&a, "t-backslash-dir.zip", 0);
	cr_expect_eq(zs_entry_is_dir(&a, 0), 1, "d\\e\\ is a directory");
	cr_expect_eq(zs_entry_is_dir(&a, 1), 0);
	zs_archive_close(&a);

	char *t = sandbox(), out[OUT_CAP];
	cr_expect_eq(run(out, sizeof(out), "%s extract -q %s -d %s 2>&1",
			 ZS_BIN, fixture("t-backslash-dir.zip"), t), 1, "%s",
		     out);
	cr_expect(is_dir_at(t, "d/e"), "d/e made as a directory, as unzip");
	cr_expect(!is_dir_at(t, "d/e/f.txt"));
	drop(t);
}

Test(trust, extended_timestamp_after_2038_is_unsigned)
{
	zs_archive a;
	zs_entry e;
	open_fixture(&a, "t-ut-2039.zip", 0);
	zs_entry_get(&a, 0, &e);
	cr_expect_eq(e.mtime, 2200000000ll, "2039, not 1904: %lld",
		     (long long)e.mtime);
	cr_expect_eq((long long)zs_entry_time(&a, 0), 2200000000ll);
	zs_entry_get(&a, 1, &e);
	cr_expect_eq(e.mtime, 1700000000ll);
	zs_archive_close(&a);
}

/* A size that is wrong fails its own entry (exit 2): it accuses no other
 * entry of overlapping (12) and does not refuse the archive's decoding. */
Test(trust, wrong_stored_sizes_fail_the_entry_not_the_archive)
{
	static const char *const names[] = {
		"t-central-larger.zip", "t-central-4g.zip",
		"t-stored-usize-4g.zip",
	};
	static const int errors[] = {
		ZS_E_LOCAL_CSIZE, ZS_E_DATA_TRUNCATED, ZS_E_STORED_SIZES,
	};
	for (size_t k = 0; k < 3; k++) {
		zs_archive a;
		zs_totals t;
		cr_expect_eq(scan_fixture(&a, names[k], 1, 0, &t), 2, "%s",
			     names[k]);
		cr_expect_eq(a.index.error[0], errors[k], "%s: %d", names[k],
			     a.index.error[0]);
		cr_expect_eq(a.index.status[1], ZS_ENTRY_OK, "%s", names[k]);
		cr_expect(!has_code(&a, "overlap") && !has_code(&a, "max-ratio"),
			  "%s", names[k]);
		zs_archive_close(&a);
	}
}

Test(trust, ntfs_times_are_used_and_shown_in_utc)
{
	zs_archive a;
	zs_entry e;
	open_fixture(&a, "t-ntfs.zip", 0);
	zs_entry_get(&a, 0, &e);
	cr_expect_eq(e.mtime, 1700000000ll, "NTFS before UT: %lld",
		     (long long)e.mtime);
	zs_entry_get(&a, 1, &e);
	cr_expect_eq(e.mtime, 1650000000ll);
	zs_archive_close(&a);

	char out[OUT_CAP];
	run(out, sizeof(out), "%s list --json %s", ZS_BIN,
	    fixture("t-ntfs.zip"));
	cr_expect(strstr(out, "\"name\":\"n\"") &&
		  strstr(out, "\"mtime_utc\":\"2023-11-14T22:13:20Z\""), "%s",
		  out);
	cr_expect(strstr(out, "\"mtime_utc\":\"2022-04-15T05:20:00Z\""), "%s",
		  out);
	const char *dos = strstr(out, "\"name\":\"dos\"");
	cr_expect(dos && !strstr(dos, "mtime_utc"), "no UTC time: none shown");

	char *t = sandbox();
	struct stat st;
	char p[4096];
	cr_expect_eq(run(NULL, 0, "%s extract -q %s -d %s", ZS_BIN,
			 fixture("t-ntfs.zip"), t), 0);
	snprintf(p, sizeof(p), "%s/n", t);
	cr_expect(stat(p, &st) == 0 && st.st_mtime == 1700000000,
		  "extraction restores the NTFS time");
	drop(t);
}

Test(trust, unicode_path_extra_names_the_entry)
{
	zs_archive a;
	zs_totals t;
	char name[256];
	static const char *const want[] = {
		"../evil9", "caf\xc3\xa9.txt", "stale.txt", "v2.txt",
	};
	cr_expect_eq(scan_fixture(&a, "t-upath.zip", 1, 0, &t), 1);
	for (size_t i = 0; i < 4; i++) {
		zs_entry_name_utf8(&a, i, name);
		cr_expect_str_eq(name, want[i]);
		cr_expect_eq(a.index.status[i], ZS_ENTRY_OK, "%zu: local "
			     "headers still match the header name", i);
	}
	/* the disagreement is its own finding, on that entry only */
	size_t n;
	cr_expect_eq(code_entry(&a, "unicode-path-differs", &n), 0);
	cr_expect_eq(n, 1);
	cr_expect_eq(zs_select(&a, (char *[]){ "*evil9" }, 1, NULL, 0), 1);
	zs_archive_close(&a);

	open_fixture(&a, "t-upath.zip", 1);
	cr_expect_eq(zs_archive_status(&a), 3, "an error with --strict");
	zs_archive_close(&a);

	char *d = sandbox(), out[OUT_CAP];
	run(out, sizeof(out), "%s extract -q %s -d %s 2>&1", ZS_BIN,
	    fixture("t-upath.zip"), d);
	cr_expect_eq(run(out, sizeof(out), "cd %s && find . -type f | sort | "
			 "tr '\\n' ' '", d), 0);
	cr_expect_str_eq(out, "./caf\xc3\xa9.txt ./evil9 ./stale.txt "
			 "./v2.txt ");
	drop(d);
}

Test(trust, last_part_of_a_split_archive_is_one_finding)
{
	zs_archive a;
	zs_totals t;
	size_t n;
	cr_expect_eq(scan_fixture(&a, "t-split-last.zip", 1, 0, &t), 3);
	cr_expect_eq(code_entry(&a, "split-archive", &n), -1);
	cr_expect_eq(n, 1);
	cr_expect_eq(t.bad, 0, "no error per entry: %llu",
		     (unsigned long long)t.bad);
	for (size_t i = 0; i < a.index.count; i++)
		cr_expect_eq(a.index.error[i], ZS_E_NONE);
	zs_archive_close(&a);
}

/* Patterns match the name an entry is written as; --strict refuses every
 * name that would need cleaning, a trailing "/." too. */
Test(trust, patterns_match_the_name_as_written)
{
	char *t = sandbox(), out[OUT_CAP];
	run(out, sizeof(out), "%s extract -q %s -x '*.sh' -d %s 2>&1", ZS_BIN,
	    fixture("t-select.zip"), t);
	cr_expect_eq(run(out, sizeof(out), "cd %s && find . -mindepth 1 | "
			 "sort | tr '\\n' ' '", t), 0);
	cr_expect_str_eq(out, "./keep.txt ", "-x '*.sh' leaves out run.sh/. "
			 "and a.sh\\");
	drop(t);

	zs_archive a;
	open_fixture(&a, "t-select.zip", 0);
	cr_expect_eq(zs_select(&a, (char *[]){ "run.sh" }, 1, NULL, 0), 1);
	cr_expect_eq(zs_select(&a, (char *[]){ "a.sh/" }, 1, NULL, 0), 1);
	size_t list[3], n;
	uint8_t matched;
	cr_expect_eq(zs_entries_named(&a, (char *[]){ "*.sh" }, 1, list, &n,
				      &matched), 0);
	cr_expect_eq(n, 2, "cat's patterns too: %zu", n);
	zs_archive_close(&a);

	t = sandbox();
	cr_expect_eq(run(out, sizeof(out), "%s extract -q --strict %s -d %s "
			 "2>&1", ZS_BIN, fixture("t-select.zip"), t), 3, "%s",
		     out);
	cr_expect_eq(run(NULL, 0, "test -e %s/run.sh", t), 1,
		     "--strict refuses run.sh/.");
	drop(t);
}

/* Data after the end of an entry's stream, inside its compressed size, is
 * one warning on that entry (an error with --strict), the same for every
 * thread count. */
Test(trust, data_after_the_stream_inside_an_entry)
{
	char one[OUT_CAP], two[OUT_CAP];
	for (int strict = 0; strict < 2; strict++) {
		zs_archive a;
		zs_options o;
		zs_totals t;
		size_t n;
		zs_options_init(&o);
		o.threads = 2;
		o.strict = strict;
		zs_archive_open(&a, fixture("t-trailing-data.zip"), &o);
		cr_expect_eq(zs_scan_entries(&a, &o, &t), strict ? 3 : 1);
		cr_expect_eq(code_entry(&a, "entry-trailing-data", &n), 0);
		cr_expect_eq(n, 2, "a.txt and s.bin: %zu", n);
		cr_expect_eq(t.ok, 3);
		zs_archive_close(&a);
	}
	run(one, sizeof(one), "%s test --json -j 1 %s | sed 's/\"timing.*//'",
	    ZS_BIN, fixture("t-trailing-data.zip"));
	run(two, sizeof(two), "%s test --json -j 2 %s | sed 's/\"timing.*//'",
	    ZS_BIN, fixture("t-trailing-data.zip"));
	cr_expect_str_eq(one, two);
	cr_expect(strstr(one, "entry-trailing-data"), "%s", one);
	/* after a bzip2 stream too (libbz2 says where its stream ended) */
	zs_archive a;
	zs_options o;
	zs_totals t;
	size_t n;
	zs_options_init(&o);
	zs_archive_open(&a, fixture("t-trailing-bzip2.zip"), &o);
	cr_expect_eq(zs_scan_entries(&a, &o, &t), 1);
	cr_expect_eq(code_entry(&a, "entry-trailing-data", &n), 0);
	cr_expect_eq(n, 1, "a.txt only: %zu", n);
	cr_expect_eq(t.ok, 2);
	zs_archive_close(&a);
}
