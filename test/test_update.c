/* SPDX-License-Identifier: MIT */
/*
 * test_update.c - extract -u and -f (as unzip's update and freshen): they
 * write exactly the entries that are new or differ from the file on disk,
 * leave every other file untouched (same inode, same time), keep a file
 * newer than its entry (unzip's rule), and a second run, as a Makefile
 * would make it, writes nothing.  Archives from test/diff_fixtures.py.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

#define OUT_CAP (1 << 16)

/* The fixtures in T, and old.zip extracted into T/out. */
static char *extracted_old(void)
{
	char *t = temp_dir("update");
	cr_assert_eq(run(NULL, 0, ZS_PYTHON " " ZS_TESTDIR "/diff_fixtures.py "
			 "%s && %s extract -q %s/old.zip -d %s/out", t, ZS_BIN,
			 t, t), 0);
	return t;
}

static struct stat stat_of(const char *t, const char *rel)
{
	char p[4096];
	struct stat st;
	snprintf(p, sizeof(p), "%s/out/%s", t, rel);
	cr_assert_eq(lstat(p, &st), 0, "%s is missing", rel);
	return st;
}

static int on_disk(const char *t, const char *rel)
{
	char p[4096];
	struct stat st;
	snprintf(p, sizeof(p), "%s/out/%s", t, rel);
	return lstat(p, &st) == 0;
}

static void expect_untouched(const struct stat *before,
			     const struct stat *after, const char *rel)
{
	cr_expect_eq(after->st_ino, before->st_ino, "%s: replaced", rel);
	cr_expect_eq(after->st_mtim.tv_sec, before->st_mtim.tv_sec,
		     "%s: time changed", rel);
	cr_expect_eq(after->st_mtim.tv_nsec, before->st_mtim.tv_nsec, "%s",
		     rel);
}

/* stat each of names[0..n) into st. */
static void snap(const char *t, const char *const *names, int n,
		 struct stat *st)
{
	for (int k = 0; k < n; k++)
		st[k] = stat_of(t, names[k]);
}

/* None of names[0..n) was replaced or touched since snap(). */
static void expect_all_untouched(const char *t, const char *const *names,
				 int n, const struct stat *before)
{
	for (int k = 0; k < n; k++) {
		struct stat now = stat_of(t, names[k]);
		expect_untouched(&before[k], &now, names[k]);
	}
}

static void expect_content(const char *t, const char *rel, const char *want)
{
	char out[256];
	cr_assert_eq(run(out, sizeof(out), "cat %s/out/%s", t, rel), 0);
	cr_expect_str_eq(out, want, "%s", rel);
}

/* Run a shell line in T/out (the files under test). */
static void in_out(const char *t, const char *line)
{
	cr_assert_eq(run(NULL, 0, "cd %s/out && %s", t, line), 0, "%s", line);
}

/* zipscan extract OPTS T/ARCHIVE -d T/out: stdout in out, the status. */
static int extract(char *out, const char *t, const char *opts,
		   const char *archive)
{
	return run(out, OUT_CAP, "%s extract %s %s/%s -d %s/out 2>/dev/null",
		   ZS_BIN, opts, t, archive, t);
}

Test(update, u_writes_only_new_and_changed_entries)
{
	static const char *const kept[] = { "a.txt", "dir/c.txt",
					    "forged.bin", "gone.txt" };
	char *t = extracted_old(), out[OUT_CAP];
	struct stat before[4], b_txt = stat_of(t, "b.txt");
	snap(t, kept, 4, before);
	cr_expect_eq(extract(out, t, "-u", "new.zip"), 0);
	cr_expect(strstr(out, " extracting: b.txt\n extracting: new.txt\n"
			 " extracting: B.txt\n  unchanged: 4, kept (newer on "
			 "disk): 0\n"), "%s", out);
	cr_expect_null(strstr(out, "a.txt"), "%s", out);
	expect_all_untouched(t, kept, 4, before);
	cr_expect_neq(stat_of(t, "b.txt").st_ino, b_txt.st_ino);
	expect_content(t, "b.txt", "bravo two\n");
	expect_content(t, "new.txt", "new\n");
	expect_content(t, "B.txt", "upper\n");
	drop_dir(t);
}

Test(update, second_run_changes_nothing)
{
	static const char *const all[] = { "a.txt", "b.txt", "dir", "dir/c.txt",
					   "forged.bin", "new.txt", "B.txt" };
	char *t = extracted_old(), out[OUT_CAP];
	struct stat before[7];
	cr_assert_eq(extract(out, t, "-u", "new.zip"), 0);
	snap(t, all, 7, before);
	cr_expect_eq(extract(out, t, "-u --json", "new.zip"), 0);
	cr_expect(strstr(out, "\"files\":0,\"directories\":0,\"links\":0,"
			 "\"skipped\":0,\"failed\":0,\"unchanged\":7,"
			 "\"newer\":0,\"bytes_out\":0"), "%s", out);
	cr_expect_null(strstr(out, "\"written\""), "%s", out);
	expect_all_untouched(t, all, 7, before);
	/* -f as well: nothing to freshen */
	cr_expect_eq(extract(out, t, "-f -q", "new.zip"), 0);
	expect_all_untouched(t, all, 7, before);
	drop_dir(t);
}

Test(update, a_file_newer_than_its_entry_is_kept)
{
	char *t = extracted_old(), out[OUT_CAP];
	/* edited after extraction: newer than the entry (2024) */
	static const char *const b[] = { "b.txt" };
	struct stat mine;
	in_out(t, "echo mine > b.txt");
	snap(t, b, 1, &mine);
	cr_expect_eq(extract(out, t, "-u --json", "new.zip"), 0);
	const char *entry = strstr(out, "\"name\":\"b.txt\"");
	cr_expect(entry && strstr(entry, "\"action\":\"newer\""), "%s", out);
	cr_expect(strstr(out, "\"newer\":1"), "%s", out);
	expect_content(t, "b.txt", "mine\n");
	expect_all_untouched(t, b, 1, &mine);
	drop_dir(t);
}

Test(update, same_time_and_size_but_other_crc_is_replaced)
{
	char *t = extracted_old(), out[OUT_CAP];
	/* same size, the entry's time: only the CRC-32 tells */
	in_out(t, "printf 'ALPHA\\n' > a.txt && touch -r gone.txt a.txt");
	struct stat edited = stat_of(t, "a.txt");
	cr_expect_eq(extract(out, t, "-u -q", "old.zip"), 0);
	expect_content(t, "a.txt", "alpha\n");
	cr_expect_neq(stat_of(t, "a.txt").st_ino, edited.st_ino);
	/* an older file of any content is replaced */
	in_out(t, "touch -d 2001-01-01 gone.txt");
	cr_expect_eq(extract(out, t, "-u -q", "old.zip"), 0);
	cr_expect_eq(stat_of(t, "gone.txt").st_mtim.tv_sec,
		     stat_of(t, "a.txt").st_mtim.tv_sec);
	drop_dir(t);
}

Test(update, f_freshens_only_files_on_disk)
{
	char *t = extracted_old(), out[OUT_CAP];
	in_out(t, "rm -r dir && touch -d 2001-01-01 b.txt");
	struct stat a = stat_of(t, "a.txt");
	cr_expect_eq(extract(out, t, "-f", "new.zip"), 0);
	cr_expect(strstr(out, " extracting: b.txt\n"), "%s", out);
	expect_content(t, "b.txt", "bravo two\n");
	cr_expect(!on_disk(t, "new.txt"), "-f made a new file");
	cr_expect(!on_disk(t, "B.txt"), "-f made a new file");
	cr_expect(!on_disk(t, "dir"), "-f made a directory");
	struct stat now = stat_of(t, "a.txt");
	expect_untouched(&a, &now, "a.txt");
	cr_expect_eq(extract(out, t, "-f --json", "new.zip"), 0);
	cr_expect(strstr(out, "\"skipped\":4"), "new.txt, B.txt, dir/, "
		  "dir/c.txt: %s", out);
	drop_dir(t);
}

Test(update, n_contradicts_u_and_f)
{
	char *t = extracted_old(), out[OUT_CAP];
	cr_expect_eq(extract(out, t, "-u -n", "new.zip"), 10);
	cr_expect_eq(extract(out, t, "-f -n", "new.zip"), 10);
	cr_expect_eq(run(out, OUT_CAP, "%s test -u %s/new.zip 2>/dev/null",
			 ZS_BIN, t), 10, "-u is for extract");
	drop_dir(t);
}

Test(update, a_directory_where_a_file_goes_fails_that_entry)
{
	char *t = extracted_old(), out[OUT_CAP];
	in_out(t, "rm -f new.txt && mkdir new.txt");
	cr_expect_eq(extract(out, t, "-u -q", "new.zip"), 1);
	struct stat st = stat_of(t, "new.txt");
	cr_expect(S_ISDIR(st.st_mode));
	drop_dir(t);
}

Test(update, links_are_compared_by_target)
{
	char *t = extracted_old(), out[OUT_CAP];
	static const char *const l[] = { "link" };
	struct stat st;
	cr_assert_eq(extract(out, t, "-q", "link.zip"), 0);
	snap(t, l, 1, &st);
	cr_expect(S_ISLNK(st.st_mode));
	cr_expect_eq(extract(out, t, "-u --json", "link.zip"), 0);
	cr_expect(strstr(out, "\"unchanged\":2"), "%s", out);
	expect_all_untouched(t, l, 1, &st);
	/* another target, older than the entry: replaced */
	in_out(t, "ln -sfn elsewhere link && touch -h -d 2001-01-01 link");
	cr_expect_eq(extract(out, t, "-u -q", "link.zip"), 0);
	cr_assert_eq(run(out, OUT_CAP, "readlink %s/out/link", t), 0);
	cr_expect_str_eq(out, "target.txt\n");
	drop_dir(t);
}

/* zs_entry_time keeps one mktime per local hour: the same times as
 * mktime on every entry, across both daylight saving changes. */
Test(update, entry_times_equal_mktime_across_dst)
{
	char *t = extracted_old();
	char path[4096];
	zs_options o;
	zs_options_init(&o);
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	snprintf(path, sizeof(path), "%s/times.zip", t);
	zs_archive *a = zs_open(path, &o, NULL);
	cr_assert(a && zs_archive_indexed(a));
	cr_assert_geq(zs_entry_count(a), 60);
	for (size_t i = 0; i < zs_entry_count(a); i++) {
		unsigned d = a->index.dos_date[i], tm = a->index.dos_time[i];
		struct tm x = {
			.tm_year = 80 + (int)(d >> 9),
			.tm_mon = (int)((d >> 5) & 15) - 1,
			.tm_mday = (int)(d & 31), .tm_hour = (int)(tm >> 11),
			.tm_min = (int)((tm >> 5) & 63),
			.tm_sec = (int)(tm & 31) * 2, .tm_isdst = -1,
		};
		cr_expect_eq(zs_entry_time(a, i), mktime(&x), "entry %zu", i);
	}
	zs_close(a);
	drop_dir(t);
}
