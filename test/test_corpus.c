/* SPDX-License-Identifier: MIT */
/*
 * test_corpus.c - every archive of ../shared/corpus/third_party (the Go,
 * libarchive, libzip and zip2 test suites) through open, scan and every
 * report, in-process: a defined exit status and no crash, leak or read
 * outside the mapping (make asan runs this under the sanitizers).  The
 * verdicts and entry lists themselves are compared with Python's zipfile and
 * Info-ZIP unzip by scripts/differential.py.
 */
#include <dirent.h>

#include "helpers.h"

static const int defined_status[] = { 0, 1, 2, 3, 4, 9, 12, 81, 82 };

static int run_one(const char *path, int threads)
{
	zs_archive a;
	zs_options o;
	zs_totals t;
	zs_options_init(&o);
	o.threads = threads;
	o.memory_limit = 1 << 16;  /* exercise the streaming path too */
	zs_archive_open(&a, path, &o);
	int st = zs_scan_entries(&a, &o, &t);
	FILE *null = fopen("/dev/null", "w");
	cr_assert_not_null(null);
	zs_report_json(&a, &t, 1, NULL, null);
	zs_report_test_text(&a, &t, 0, null);
	if (a.indexed)
		zs_report_list_text(&a, null);
	fclose(null);
	zs_archive_close(&a);
	return st;
}

Test(corpus, every_archive_gets_a_defined_status, .timeout = 300)
{
	static const char *dirs[] = { "golang-go", "libarchive", "libzip",
				      "zip2" };
	NEED_CORPUS();
	size_t files = 0;
	for (size_t d = 0; d < 4; d++) {
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s", corpus_file(dirs[d]));
		DIR *dp = opendir(dir);
		cr_assert_not_null(dp, "corpus folder %s", dir);
		struct dirent *de;
		while ((de = readdir(dp))) {
			if (de->d_name[0] == '.')
				continue;
			char path[8192];
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			int st1 = run_one(path, 1), st2 = run_one(path, 2);
			int ok = 0;
			for (size_t k = 0; k < sizeof(defined_status) /
						 sizeof(defined_status[0]); k++)
				ok |= st1 == defined_status[k];
			cr_expect(ok, "%s: exit %d", path, st1);
			cr_expect_eq(st1, st2, "%s: thread count changed the "
				     "verdict", path);
			files++;
		}
		closedir(dp);
	}
	cr_assert_eq(files, 316, "corpus files seen: %zu", files);
}
