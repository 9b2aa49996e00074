/* SPDX-License-Identifier: MIT */
/*
 * test_stats.c - every statistic of `zipscan stats` on archives whose
 * answer is known (test/fixtures.py: stats.zip, stats-names.zip), every
 * report format, batch totals, and independence from the thread count.
 */
#include "helpers.h"
#include "internal.h"

#define OUT_CAP (1 << 20)

static void stats_of(const char **names, size_t n, int hash, zs_archive *as,
		     zs_totals *t, zs_stats *s)
{
	zs_options o;
	/* static: s->archives points here after we return (it was a local
	 * array, read after its lifetime, until a stack layout showed it) */
	static zs_archive *ap[8];
	zs_options_init(&o);
	o.threads = 2;
	o.hash = hash;
	for (size_t k = 0; k < n; k++) {
		zs_archive_open(&as[k], fixture(names[k]), &o);
		ap[k] = &as[k];
	}
	zs_scan_batch(ap, n, &o, t);
	cr_assert_eq(zs_stats_compute(ap, n, t, 10, s), 0);
}

static const char *ref_name(const zs_stats *s, zs_ref r)
{
	static char name[256];
	const zs_archive *a = s->archives[r.archive];
	snprintf(name, sizeof(name), "%.*s", a->index.name_len[r.entry],
		 (const char *)a->data + a->index.name_offset[r.entry]);
	return name;
}

static const zs_group *group(const zs_group *g, size_t n, const char *key)
{
	for (size_t k = 0; k < n; k++)
		if (!strcmp(g[k].key, key))
			return &g[k];
	return NULL;
}

Test(stats, kinds_totals_methods)
{
	const char *names[] = { "stats.zip" };
	zs_archive a;
	zs_totals t;
	zs_stats s;
	stats_of(names, 1, 0, &a, &t, &s);
	cr_assert_eq(s.entries, 9);
	cr_assert_eq(s.files, 6);
	cr_assert_eq(s.dirs, 2);
	cr_assert_eq(s.symlinks, 1);
	cr_assert_eq(s.uncomp, 1000 + 1000 + 500 + 3000 + 5 + 11);
	cr_assert_eq(s.ok, 9);
	cr_assert_eq(s.n_methods, 2);
	cr_assert_eq(s.methods[0].method, 0);
	cr_assert_eq(s.methods[0].count, 5);     /* 2 dirs, z, noext, link */
	cr_assert_eq(s.methods[0].uncomp, 505);
	cr_assert_eq(s.methods[1].method, 8);
	cr_assert_eq(s.methods[1].count, 4);
	uint64_t comp = 0;
	for (size_t k = 0; k < s.n_methods; k++)
		comp += s.methods[k].comp;
	cr_assert_eq(comp, s.comp);
	zs_stats_free(&s);
	zs_archive_close(&a);
}

Test(stats, distributions_and_top_lists)
{
	const char *names[] = { "stats.zip" };
	zs_archive a;
	zs_totals t;
	zs_stats s;
	stats_of(names, 1, 0, &a, &t, &s);
	/* files with data: x, y, z, root.c, con.txt */
	cr_assert_eq(s.n_ratio, 5);
	uint64_t sum = 0;
	for (int b = 0; b < ZS_RATIO_BUCKETS; b++)
		sum += s.ratio_hist[b];
	cr_assert_eq(sum, 5);
	cr_assert_eq(s.ratio_hist[ZS_RATIO_BUCKETS - 1], 1);  /* con.txt grew */
	cr_assert_eq(s.ratio_hist[9], 1);                     /* z.bin 100% */
	cr_assert_float_eq(s.ratio_pct[5], 118.1818, 0.001);  /* p99 */
	cr_assert_eq(s.size_hist[0], 3);     /* two dirs and noext */
	cr_assert_eq(s.size_hist[10], 2);    /* x and y: [512, 1024) */
	cr_assert_eq(s.size_hist[12], 1);    /* root.c: [2048, 4096) */
	cr_assert_str_eq(ref_name(&s, s.largest[0]), "root.c");
	cr_assert_str_eq(ref_name(&s, s.least[0]), "b/con.txt");
	cr_assert_str_eq(ref_name(&s, s.least[1]), "b/z.bin");
	cr_assert_str_eq(ref_name(&s, s.most[0]), "root.c");
	cr_assert_eq(s.n_most, 5);
	zs_stats_free(&s);
	zs_archive_close(&a);
}

Test(stats, extensions_and_directories)
{
	const char *names[] = { "stats.zip" };
	zs_archive a;
	zs_totals t;
	zs_stats s;
	stats_of(names, 1, 0, &a, &t, &s);
	const zs_group *txt = group(s.ext, s.n_ext, "txt");
	cr_assert_not_null(txt);
	cr_assert_eq(txt->count, 3);   /* x.txt, y.TXT (lower-cased), con.txt */
	cr_assert_eq(txt->uncomp, 2011);
	cr_assert_not_null(group(s.ext, s.n_ext, "(none)"));
	cr_assert_null(group(s.ext, s.n_ext, "TXT"));
	cr_assert_eq(s.n_ext, 4);
	cr_assert_eq(group(s.top_dirs, s.n_top_dirs, "a/")->count, 4);
	cr_assert_eq(group(s.top_dirs, s.n_top_dirs, "b/")->count, 3);
	cr_assert_eq(group(s.top_dirs, s.n_top_dirs, "(root)")->count, 2);
	cr_assert_str_eq(s.top_dirs[0].key, "(root)");  /* most bytes first */
	zs_stats_free(&s);
	zs_archive_close(&a);
}

/* An extension with a control byte or a space is "(other)"; the scan for
 * such bytes once ran on past the end of a name ending in one. */
Test(stats, odd_extensions_are_other)
{
	const char *names[] = { "stats-odd-ext.zip" };
	zs_archive a;
	zs_totals t;
	zs_stats s;
	stats_of(names, 1, 0, &a, &t, &s);
	cr_assert_eq(s.n_ext, 2);
	cr_assert_eq(group(s.ext, s.n_ext, "(other)")->count, 3);
	cr_assert_eq(group(s.ext, s.n_ext, "txt")->count, 1);
	zs_stats_free(&s);
	zs_archive_close(&a);
}

Test(stats, duplicates_names_times)
{
	const char *names[] = { "stats.zip" };
	zs_archive a;
	zs_totals t;
	zs_stats s;
	stats_of(names, 1, 1, &a, &t, &s);
	cr_assert(s.hashed);
	cr_assert_eq(s.dup_groups, 1);
	cr_assert_eq(s.dup_entries, 2);
	cr_assert_eq(s.dup_bytes, 1000);
	cr_assert_eq(s.dups[0].confirmed, 1);
	cr_assert_str_eq(ref_name(&s, s.dups[0].members[0]), "a/x.txt");
	cr_assert_eq(s.names_not_portable, 1);   /* b/con.txt */
	cr_assert(s.has_time);
	cr_assert_str_eq(s.time_min, "2019-12-31T23:59:58");
	cr_assert_str_eq(s.time_max, "2024-02-29T00:00:00");
	cr_assert_eq(s.anomalies, 0);
	zs_stats_free(&s);
	zs_archive_close(&a);
}

Test(stats, name_encodings)
{
	const char *names[] = { "stats-names.zip" };
	zs_archive a;
	zs_totals t;
	zs_stats s;
	stats_of(names, 1, 0, &a, &t, &s);
	cr_assert_eq(s.names_utf8_flag, 1);
	cr_assert_eq(s.names_non_ascii, 2);
	cr_assert_eq(s.names_cp437, 1);
	zs_stats_free(&s);
	zs_archive_close(&a);
}

/* Without a confirming hash, a CRC-32 match is a candidate; with one, an
 * entry that fails its check never confirms a group. */
Test(stats, batch_totals_and_cross_archive_duplicates)
{
	const char *names[] = { "stats.zip", "stats-names.zip", "bad-crc.zip" };
	zs_archive as[3];
	zs_totals t[3];
	zs_stats s;
	stats_of(names, 3, 0, as, t, &s);
	cr_assert_eq(s.entries, 9 + 3 + 1);
	cr_assert_eq(s.ok, 12);
	cr_assert_eq(s.bad, 1);
	cr_assert_eq(s.anomalies, 1);
	/* x.txt, y.TXT and stats-names.zip's b/x.txt hold the same text */
	cr_assert_eq(s.dup_groups, 1);
	cr_assert_eq(s.dups[0].count, 3);
	cr_assert_eq(s.dup_bytes, 2000);
	uint64_t uncomp = 0;
	for (int k = 0; k < 3; k++) {
		zs_stats one;
		zs_archive *ap = &as[k];
		zs_stats_compute(&ap, 1, &t[k], 10, &one);
		uncomp += one.uncomp;
		zs_stats_free(&one);
	}
	cr_assert_eq(uncomp, s.uncomp);
	zs_stats_free(&s);
	for (int k = 0; k < 3; k++)
		zs_archive_close(&as[k]);
}

static void check_format(const char *flag, const char *check, int entries,
			 int archives, const char *files)
{
	int st = run(NULL, 0, "cd %s && %s stats %s %s | python3 %s/../../test/"
		     "check_report.py %s %d %d", ZS_FIXTURES, ZS_BIN, flag,
		     files, ZS_FIXTURES, check, entries, archives);
	cr_assert_eq(st, 0, "%s %s", flag, files);
}

Test(stats, every_format_is_valid)
{
	const char *one = "stats.zip", *batch = "stats.zip stats-names.zip "
		"control-name.zip";
	const char *fmts[][2] = { { "--json", "json" }, { "--ndjson", "ndjson" },
				  { "--csv", "csv" }, { "--html", "html" } };
	for (int k = 0; k < 4; k++) {
		check_format(fmts[k][0], fmts[k][1], 9, 1, one);
		check_format(fmts[k][0], fmts[k][1], 13, 3, batch);
	}
}

Test(stats, short_form_picks_the_format_from_the_name)
{
	char dir[] = "/tmp/zs_stats_XXXXXX", *out = malloc(OUT_CAP);
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(run(NULL, 0, "%s %s/stats.zip %s/r.html", ZS_BIN,
			 ZS_FIXTURES, dir), 0);
	cr_assert_eq(run(out, OUT_CAP, "head -c 15 %s/r.html", dir), 0);
	cr_assert_str_eq(out, "<!DOCTYPE html>");
	cr_assert_eq(run(NULL, 0, "%s %s/stats.zip %s/r.csv && head -1 "
			 "%s/r.csv | grep -q '^archive,name,'", ZS_BIN,
			 ZS_FIXTURES, dir, dir), 0);
	cr_assert_eq(run(NULL, 0, "rm -r %s", dir), 0);
	free(out);
}

Test(stats, exit_status_is_the_tests)
{
	cr_assert_eq(run(NULL, 0, "%s stats -q %s/bad-crc.zip >/dev/null",
			 ZS_BIN, ZS_FIXTURES), 2);
	cr_assert_eq(run(NULL, 0, "%s stats %s/stats.zip %s/overlap-full.zip "
			 ">/dev/null", ZS_BIN, ZS_FIXTURES, ZS_FIXTURES), 12);
	cr_assert_eq(run(NULL, 0, "%s stats %s/stats.zip >/dev/null", ZS_BIN,
			 ZS_FIXTURES), 0);
	/* nothing to count: still a full, valid report */
	cr_assert_eq(run(NULL, 0, "%s stats --hash %s/empty.zip %s/notzip.bin "
			 ">/dev/null", ZS_BIN, ZS_FIXTURES, ZS_FIXTURES), 9);
	cr_assert_eq(run(NULL, 0, "%s stats --html %s/empty.zip | python3 "
			 "%s/../../test/check_report.py html 0 1", ZS_BIN,
			 ZS_FIXTURES, ZS_FIXTURES), 0);
}

/* Reports are byte-identical for every thread count, timing aside. */
Test(stats, output_independent_of_thread_count)
{
	const char *flags[] = { "", "--json", "--ndjson", "--csv", "--html",
				"--hash --json" };
	for (int f = 0; f < 6; f++) {
		char *first = malloc(OUT_CAP), *out = malloc(OUT_CAP);
		for (int j = 1; j <= 8; j *= 2) {
			run(j == 1 ? first : out, OUT_CAP,
			    "%s stats %s -j %d --memory-limit 128K %s/mixed.zip "
			    "%s/stats.zip %s/bad-deflate.zip | sed -e "
			    "'s/,\"timing\":{[^}]*}//' -e '/^Run: /d'", ZS_BIN,
			    flags[f], j, ZS_FIXTURES, ZS_FIXTURES, ZS_FIXTURES);
			if (j > 1)
				cr_assert_str_eq(out, first, "%s -j %d",
						 flags[f], j);
		}
		cr_assert_gt(strlen(first), 1000);
		free(first);
		free(out);
	}
}

/* Ctrl-C: exit 80, and no report (nor its temporary file) is left. */
Test(stats, interrupt_exits_80_and_leaves_no_report)
{
	char dir[] = "/tmp/zs_int_XXXXXX", *out = malloc(OUT_CAP);
	cr_assert_not_null(mkdtemp(dir));
	int st = run(NULL, 0, "(sleep 3; cat %s/stats.zip) | %s stats - -o "
		     "%s/report.txt & pid=$!; sleep 0.5; kill -INT $pid; "
		     "wait $pid",
		     ZS_FIXTURES, ZS_BIN, dir);
	cr_assert_eq(st, 80);
	cr_assert_eq(run(out, OUT_CAP, "ls -A %s", dir), 0);
	cr_assert_str_eq(out, "", "left behind: %s", out);
	run(NULL, 0, "rm -r %s", dir);
	free(out);
}

Test(stats, progress_only_when_asked_or_on_a_terminal)
{
	char *out = malloc(OUT_CAP);
	run(out, OUT_CAP, "%s stats -o /dev/null %s/mixed.zip 2>&1", ZS_BIN,
	    ZS_FIXTURES);
	cr_assert_str_eq(out, "", "stderr is not a terminal: no progress");
	run(out, OUT_CAP, "%s stats --progress -o /dev/null %s/mixed.zip 2>&1",
	    ZS_BIN, ZS_FIXTURES);
	cr_assert(strstr(out, "\r\033[K"), "the line is cleared at the end");
	free(out);
}

/* Binary units, one decimal below 100, whole bytes below 1 KiB. */
Test(stats, human_sizes)
{
	const struct { uint64_t v; const char *s; } cases[] = {
		{ 0, "0 B" }, { 512, "512 B" }, { 1023, "1023 B" },
		{ 1024, "1.0 KiB" }, { 1536, "1.5 KiB" },
		{ 312 * 1024, "312 KiB" }, { 1023 * 1024 + 600, "1.0 MiB" },
		{ 99 * 1024 + 1000, "100 KiB" }, { 3ull << 30, "3.0 GiB" },
		{ 5ull << 40, "5.0 TiB" }, { UINT64_MAX, "16.0 EiB" },
	};
	char out[ZS_HUMAN_SIZE];
	for (size_t k = 0; k < sizeof(cases) / sizeof(*cases); k++) {
		zs_human_size(cases[k].v, out);
		cr_expect_str_eq(out, cases[k].s, "%llu",
				 (unsigned long long)cases[k].v);
	}
	zs_size_bucket_label(0, out);
	cr_expect_str_eq(out, "empty");
	zs_size_bucket_label(10, out);
	cr_expect_str_eq(out, "512 B+");
	zs_size_bucket_label(11, out);
	cr_expect_str_eq(out, "1 KiB+");
	zs_size_bucket_label(64, out);
	cr_expect_str_eq(out, "8 EiB+");
}

Test(stats, text_report_in_binary_units)
{
	char *out = malloc(OUT_CAP);
	cr_assert_eq(run(out, OUT_CAP, "%s stats %s", ZS_BIN,
			 fixture("stats.zip")), 0);
	/* 5516 bytes uncompressed, 1529 compressed (test/fixtures.py) */
	cr_assert(strstr(out, "\nSize      5.4 KiB uncompressed, 1.5 KiB "
			 "compressed: ratio 27.7%, 3.9 KiB saved\n"), "%s", out);
	/* root.c: 2,967 bytes in 533 */
	cr_assert(strstr(out, "       2.9 KiB       533 B    17.8%  root.c\n"));
	cr_assert(strstr(out, "  deflate             4    1.0 KiB      4.9 KiB"));
	cr_assert_null(strstr(out, "bytes"), "no raw byte counts left");
	cr_assert_null(strstr(out, "Overview"), "one archive: no overview");
	free(out);
}

/* The labels of the size histogram: the text's, in order (a line each,
 * "  %-12s count  bars", up to a blank line), or the HTML chart's. */
static size_t text_labels(const char *s, char labels[][16], size_t max)
{
	size_t n = 0;
	s = strstr(s, "Uncompressed size (log2 buckets)\n");
	cr_assert_not_null(s);
	for (s = strchr(s, '\n') + 1; *s == ' ' && n < max; n++) {
		int len = 12;
		while (len > 0 && s[2 + len - 1] == ' ')
			len--;
		snprintf(labels[n], 16, "%.*s", len, s + 2);
		s = strchr(s, '\n') + 1;
	}
	return n;
}

static size_t html_labels(const char *s, char labels[][16], size_t max)
{
	size_t n = 0;
	const char *end;
	s = strstr(s, "Uncompressed size (entries)");
	cr_assert_not_null(s);
	end = strstr(s, "</svg>");
	while ((s = strstr(s, "text-anchor=\"end\"")) && s < end && n < max) {
		s = strchr(s, '>') + 1;
		snprintf(labels[n++], 16, "%.*s", (int)strcspn(s, "<"), s);
	}
	return n;
}

Test(stats, html_size_histogram_labelled_as_the_text)
{
	char *text = malloc(OUT_CAP), *html = malloc(OUT_CAP);
	char a[ZS_SIZE_BUCKETS][16], b[ZS_SIZE_BUCKETS][16];
	run(text, OUT_CAP, "%s stats %s", ZS_BIN, fixture("mixed.zip"));
	run(html, OUT_CAP, "%s stats --html %s", ZS_BIN, fixture("mixed.zip"));
	size_t n = text_labels(text, a, ZS_SIZE_BUCKETS);
	cr_assert_gt(n, 3);
	cr_assert_eq(html_labels(html, b, ZS_SIZE_BUCKETS), n);
	for (size_t k = 0; k < n; k++)
		cr_expect_str_eq(b[k], a[k], "bucket %zu", k);
	free(text);
	free(html);
}

Test(stats, batch_opens_with_an_overview)
{
	char *out = malloc(OUT_CAP);
	int st = run(out, OUT_CAP, "cd %s && %s stats stats.zip bad-crc.zip "
		     "notzip.bin trailing.zip", ZS_FIXTURES, ZS_BIN);
	cr_assert_eq(st, 9);
	const char *want =
		"== Overview of 4 archives\n"
		"     entries compressed uncompressed  status      exit  archive\n"
		"           9    1.5 KiB      5.4 KiB  ok             0  stats.zip\n"
		"           1      392 B      2.0 KiB  1 bad          2  bad-crc.zip\n"
		"           0        0 B          0 B  not a ZIP      9  notzip.bin\n"
		"           2      692 B      2.2 KiB  warnings       1  trailing.zip\n"
		"\n== stats.zip\n";
	cr_assert_eq(strncmp(out, want, strlen(want)), 0, "%.600s", out);
	/* the machine formats are as they were: no overview */
	for (int k = 0; k < 3; k++) {
		const char *flag[] = { "--json", "--ndjson", "--csv" };
		run(out, OUT_CAP, "cd %s && %s stats %s stats.zip bad-crc.zip",
		    ZS_FIXTURES, ZS_BIN, flag[k]);
		cr_assert_null(strstr(out, "Overview"), "%s", flag[k]);
		cr_assert_null(strstr(out, "KiB"), "%s", flag[k]);
	}
	free(out);
}
