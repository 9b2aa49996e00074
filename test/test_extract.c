/* SPDX-License-Identifier: MIT */
/*
 * test_extract.c - zipscan extract and cat: the trees they write against
 * unzip's on archives from four writers, the hostile-archive suite (after
 * each case nothing outside the target has changed), overwrite policies,
 * bad entries, a full disk, permission denied, Ctrl-C and kill -9.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

#define OUT_CAP (1 << 20)

/* A fresh directory T with T/outside/sentinel; the target is T/dir. */
static char *make_sandbox(void)
{
	char *t = strdup("/tmp/zs_x_XXXXXX");
	cr_assert_not_null(mkdtemp(t));
	cr_assert_eq(run(NULL, 0, "mkdir %s/outside && echo keep > "
			 "%s/outside/sentinel && chmod 755 %s", t, t, t), 0);
	return t;
}

/* Everything under T but T/dir, with sizes and times: what must not
 * change. */
static void snapshot(const char *t, char *out)
{
	run(out, OUT_CAP, "cd %s && find . -mindepth 1 -path ./dir -prune -o -printf "
	    "'%%p %%y %%s %%T@ %%l\\n' | sort", t);
}

static void drop_sandbox(char *t)
{
	run(NULL, 0, "chmod -R u+rwx %s 2>/dev/null; rm -rf %s", t, t);
	free(t);
}

static int exists(const char *t, const char *rel)
{
	char p[4096];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", t, rel);
	return lstat(p, &st) == 0;
}

static void expect_content(const char *t, const char *rel, const char *want)
{
	char p[4096], got[256] = "";
	snprintf(p, sizeof(p), "%s/%s", t, rel);
	FILE *f = fopen(p, "rb");
	cr_assert_not_null(f, "%s is missing", rel);
	size_t n = fread(got, 1, sizeof(got) - 1, f);
	got[n] = '\0';
	fclose(f);
	cr_expect_str_eq(got, want, "%s", rel);
}

static mode_t mode_of(const char *t, const char *rel)
{
	char p[4096];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", t, rel);
	cr_assert_eq(lstat(p, &st), 0, "%s is missing", rel);
	return st.st_mode;
}

Test(extract, trees_equal_unzip_for_four_writers)
{
	static const char *const writers[] = { "infozip", "python", "7zip",
					       "bsdtar" };
	for (size_t k = 0; k < 4; k++) {
		char *t = make_sandbox(), out[4096];
		cr_assert_eq(run(NULL, 0, "umask 022; unzip -qq %s/w-%s.zip "
				 "-d %s/unzip", ZS_FIXTURES, writers[k], t), 0);
		cr_assert_eq(run(NULL, 0, "umask 022; %s extract -q "
				 "%s/w-%s.zip -d %s/dir", ZS_BIN, ZS_FIXTURES,
				 writers[k], t), 0, "%s", writers[k]);
		int st = run(out, sizeof(out), "python3 %s/compare_trees.py "
			     "%s/unzip %s/dir", ZS_TESTDIR, t, t);
		cr_expect_eq(st, 0, "%s: %s", writers[k], out);
		/* 64 KiB per thread: the bigger entries stream to disk */
		cr_assert_eq(run(NULL, 0, "umask 022; %s extract -q "
				 "--memory-limit 64K %s/w-%s.zip -d %s/small",
				 ZS_BIN, ZS_FIXTURES, writers[k], t), 0);
		st = run(out, sizeof(out), "python3 %s/compare_trees.py "
			 "%s/unzip %s/small", ZS_TESTDIR, t, t);
		cr_expect_eq(st, 0, "%s streamed: %s", writers[k], out);
		drop_sandbox(t);
	}
}

Test(extract, same_tree_and_output_for_every_thread_count)
{
	char *t = make_sandbox(), *first = malloc(OUT_CAP),
	     *out = malloc(OUT_CAP);
	static const int threads[] = { 1, 2, 4, 8 };
	for (size_t k = 0; k < 4; k++) {
		cr_assert_eq(run(k ? out : first, OUT_CAP, "umask 022; %s "
				 "extract -j %d %s/w-7zip.zip -d %s/j%d 2>&1 "
				 "&& %s extract --json -j %d %s/h-duplicates.zip"
				 " -d %s/d%d 2>&1 | sed 's/\"timing\".*//'",
				 ZS_BIN, threads[k], ZS_FIXTURES, t, threads[k],
				 ZS_BIN, threads[k], ZS_FIXTURES, t,
				 threads[k]), 0);
		if (k) {
			cr_expect_str_eq(out, first, "-j %d", threads[k]);
			cr_expect_eq(run(out, OUT_CAP, "python3 " ZS_TESTDIR
					 "/compare_trees.py %s/j1 %s/j%d", t, t,
					 threads[k]), 0, "%s", out);
		}
	}
	drop_sandbox(t);
	free(first);
	free(out);
}

Test(extract, cat_equals_unzip_p_in_the_order_given)
{
	char *t = make_sandbox();
	static const char names[] = "docs/guide.md data/blob.bin README.txt "
		"data/empty.dat data/deep/er/still/text.txt bin/run.sh";
	/* unzip -p writes in archive order: one call per name instead */
	cr_assert_eq(run(NULL, 0, "cd %s && for n in %s; do unzip -p %s/"
			 "w-infozip.zip $n; done > want", t, names,
			 ZS_FIXTURES), 0);
	/* 64 KiB per thread: the 200 KB text streams in its turn */
	static const char *const opts[] = { "-j 1", "-j 4",
					    "--memory-limit 64K" };
	for (size_t k = 0; k < 3; k++)
		cr_expect_eq(run(NULL, 0, "cd %s && %s cat %s %s/w-infozip.zip "
				 "%s > got && cmp want got", t, ZS_BIN,
				 opts[k], ZS_FIXTURES, names), 0, "%s",
			     opts[k]);
	cr_expect_eq(run(NULL, 0, "cd %s && unzip -p %s/w-infozip.zip "
			 "'bin/*' > want && %s cat %s/w-infozip.zip 'bin/*' > "
			 "got && cmp want got", t, ZS_FIXTURES, ZS_BIN,
			 ZS_FIXTURES), 0, "a pattern, as unzip -p");
	char err[1024];
	cr_expect_eq(run(err, sizeof(err), "%s cat %s/w-infozip.zip "
			 "README.txt no/such 2>&1 >/dev/null", ZS_BIN,
			 ZS_FIXTURES), 11);
	cr_expect(strstr(err, "filename not matched: no/such"), "%s", err);
	cr_expect_eq(run(NULL, 0, "%s cat %s/bad-crc.zip '*' >/dev/null "
			 "2>&1", ZS_BIN, ZS_FIXTURES), 2);
	drop_sandbox(t);
}

/* Extract a hostile archive into T/dir; nothing outside may change. */
static int hostile(const char *t, const char *archive, const char *opts)
{
	char *before = malloc(OUT_CAP), *after = malloc(OUT_CAP);
	snapshot(t, before);
	int st = run(NULL, 0, "umask 022; %s extract -q %s %s/%s -d %s/dir "
		     "2>/dev/null", ZS_BIN, opts, ZS_FIXTURES, archive, t);
	snapshot(t, after);
	cr_expect_str_eq(after, before, "%s changed things outside the "
			 "target", archive);
	cr_expect_neq(run(NULL, 0, "ls /tmp/zipscan-hostile-* /"
			  "zipscan-hostile-* >/dev/null 2>&1"), 0,
		      "%s wrote outside the target", archive);
	cr_expect_neq(run(NULL, 0, "find %s -name '.zipscan-*' | grep -q .",
			  t), 0, "%s left a temporary file", archive);
	free(before);
	free(after);
	return st;
}

Test(extract, hostile_names_are_cleaned_beneath_the_target)
{
	char *t = make_sandbox();
	cr_expect_eq(hostile(t, "h-traversal.zip", ""), 1);
	expect_content(t, "dir/evil-1.txt", "1");
	/* as unzip: the ".." components go, the others stay */
	expect_content(t, "dir/a/evil-2.txt", "2");
	expect_content(t, "dir/a/b/evil-3.txt", "3");
	expect_content(t, "dir/ok.txt", "ok");
	cr_expect_eq(hostile(t, "h-absolute.zip", ""), 1);
	expect_content(t, "dir/tmp/zipscan-hostile-abs.txt", "abs");
	expect_content(t, "dir/tmp/zipscan-hostile-abs2.txt", "abs2");
	cr_expect_eq(hostile(t, "h-drive.zip", ""), 1);
	expect_content(t, "dir/zipscan-hostile-drive.txt", "c");
	expect_content(t, "dir/zipscan-hostile-drive2.txt", "d");
	cr_expect_eq(hostile(t, "h-backslash.zip", ""), 1);
	expect_content(t, "dir/evil-bs.txt", "bs");
	expect_content(t, "dir/dir/file.txt", "f");
	cr_expect_eq(hostile(t, "h-empty-parts.zip", ""), 1);
	expect_content(t, "dir/a/b.txt", "ab");
	expect_content(t, "dir/c.txt", "c");
	drop_sandbox(t);
}

Test(extract, strict_refuses_what_it_would_clean)
{
	char *t = make_sandbox();
	cr_expect_eq(hostile(t, "h-traversal.zip", "--strict"), 3);
	cr_expect(!exists(t, "dir/evil-1.txt"));
	expect_content(t, "dir/ok.txt", "ok");
	cr_expect_eq(hostile(t, "h-symlink-dotdot.zip", "--strict"), 3);
	drop_sandbox(t);
}

Test(extract, symlinks_never_lead_outside)
{
	char *t = make_sandbox();
	cr_expect_eq(hostile(t, "h-symlink-write.zip", ""), 1);
	cr_expect(S_ISDIR(mode_of(t, "dir/out")), "out: a real directory");
	expect_content(t, "dir/out/evil-through-link.txt", "x");
	cr_expect(S_ISDIR(mode_of(t, "dir/abs")));
	expect_content(t, "dir/abs/zipscan-hostile-link.txt", "y");

	cr_expect_eq(hostile(t, "h-symlink-dotdot.zip", ""), 1);
	cr_expect(!exists(t, "dir/up") && !exists(t, "dir/d/up2") &&
		  !exists(t, "dir/d/sneaky"), "escaping links refused");
	cr_expect(S_ISLNK(mode_of(t, "dir/d/fine")), "an inside link is made");
	expect_content(t, "dir/d/fine", "ok");

	cr_expect_eq(hostile(t, "h-symlink-then-file.zip", ""), 1);
	cr_expect(S_ISDIR(mode_of(t, "dir/l")), "l stays the directory");
	expect_content(t, "dir/l/y", "through the link?");
	expect_content(t, "dir/sub/x", "x");

	cr_expect_eq(hostile(t, "h-long-link.zip", ""), 1);
	cr_expect(!exists(t, "dir/long"));
	drop_sandbox(t);
}

Test(extract, a_symlink_already_in_the_target_is_not_followed)
{
	char *t = make_sandbox();
	cr_assert_eq(run(NULL, 0, "mkdir %s/dir && ln -s %s/outside "
			 "%s/dir/pre", t, t, t), 0);
	cr_expect_eq(hostile(t, "h-preexisting.zip", ""), 50);
	cr_expect(!exists(t, "outside/evil.txt"));
	cr_expect(!exists(t, "dir/l"), "a link through it is refused");
	/* -o replaces the link itself, never what it points at */
	cr_assert_eq(run(NULL, 0, "ln -s %s/outside/sentinel %s/dir/ok.txt",
			 t, t), 0);
	cr_expect_eq(hostile(t, "h-traversal.zip", "-o"), 1);
	expect_content(t, "dir/ok.txt", "ok");
	cr_expect(!S_ISLNK(mode_of(t, "dir/ok.txt")));
	drop_sandbox(t);
}

Test(extract, duplicates_case_and_control_bytes)
{
	char *t = make_sandbox(), err[4096];
	cr_expect_eq(hostile(t, "h-duplicates.zip", ""), 1);
	expect_content(t, "dir/dup.txt", "second");
	cr_expect_eq(mode_of(t, "dir/d") & 07777, 0700, "the last d/ wins");
	cr_expect_eq(run(err, sizeof(err), "%s extract %s/h-duplicates.zip -d "
			 "%s/again -j 4 2>&1 >/dev/null", ZS_BIN, ZS_FIXTURES,
			 t), 1);
	cr_expect(strstr(err, "entry 0 \"dup.txt\"") &&
		  strstr(err, "a later entry has the same path"), "%s", err);

	/* both written on a case-sensitive target; the audit notes that
	 * they are one file on Windows and macOS, which is no reason to
	 * fail a build (exit 0) */
	cr_expect_eq(hostile(t, "h-case.zip", ""), 0);
	expect_content(t, "dir/Case.txt", "upper");
	expect_content(t, "dir/case.txt", "lower");

	cr_expect_eq(hostile(t, "h-control.zip", ""), 2);
	expect_content(t, "dir/fine.txt", "f");
	cr_expect_eq(run(err, sizeof(err), "ls %s/dir | grep -c -e bell -e "
			 "line -e nul", t), 1, "refused: %s", err);
	drop_sandbox(t);
}

Test(extract, special_bits_only_when_asked)
{
	char *t = make_sandbox();
	cr_expect_eq(hostile(t, "h-special.zip", ""), 0);
	cr_expect_eq(mode_of(t, "dir/setuid") & 07777, 0755);
	cr_expect_eq(mode_of(t, "dir/sticky-dir") & 07777, 0755);
	cr_assert_eq(run(NULL, 0, "rm -r %s/dir", t), 0);
	cr_expect_eq(hostile(t, "h-special.zip", "--keep-special"), 0);
	cr_expect_eq(mode_of(t, "dir/setuid") & 07777, 04755);
	cr_expect_eq(mode_of(t, "dir/sticky-dir") & 07777, 01755);
	drop_sandbox(t);
}

static ino_t inode_of(const char *t, const char *rel)
{
	char p[4096];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", t, rel);
	cr_assert_eq(stat(p, &st), 0);
	return st.st_ino;
}

Test(extract, overwrite_policies)
{
	char *t = make_sandbox(), err[OUT_CAP / 16];
	const char *x = "extract -q " ZS_FIXTURES "/basic.zip";
	cr_assert_eq(run(NULL, 0, "%s %s -d %s/dir", ZS_BIN, x, t), 0);
	cr_assert_eq(run(NULL, 0, "echo mine > %s/dir/dir/file03.txt", t), 0);
	ino_t before = inode_of(t, "dir/dir/file03.txt");
	cr_expect_eq(run(err, sizeof(err), "%s %s -d %s/dir 2>&1", ZS_BIN, x,
			 t), 1, "an existing file is an error (as unzip: 1)");
	cr_expect(strstr(err, "exists; not overwritten"), "%s", err);
	expect_content(t, "dir/dir/file03.txt", "mine\n");
	cr_expect_eq(run(err, sizeof(err), "%s %s -n -d %s/dir 2>&1", ZS_BIN,
			 x, t), 0, "-n: skipped quietly");
	cr_expect_str_eq(err, "");
	expect_content(t, "dir/dir/file03.txt", "mine\n");
	cr_expect_eq(inode_of(t, "dir/dir/file03.txt"), before);
	cr_expect_eq(run(NULL, 0, "%s %s -o -d %s/dir", ZS_BIN, x, t), 0);
	cr_expect_neq(inode_of(t, "dir/dir/file03.txt"), before,
		      "-o: replaced by rename, not rewritten in place");
	cr_expect_eq(run(NULL, 0, "unzip -p %s/basic.zip dir/file03.txt | cmp "
			 "- %s/dir/dir/file03.txt", ZS_FIXTURES, t), 0);
	drop_sandbox(t);
}

Test(extract, bad_entries_leave_no_file)
{
	char *t = make_sandbox(), out[4096];
	static const char *const bad[] = { "bad-crc.zip", "bad-crc-stored.zip",
		"bad-deflate.zip", "size-long.zip", "size-short.zip",
		"truncated-deflate.zip", "large-corrupt.zip" };
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		char cmd[256];
		snprintf(cmd, sizeof(cmd), "%s/t%zu", t, k);
		cr_expect_eq(run(NULL, 0, "%s extract -q %s/%s -d %s 2>/dev/null",
				 ZS_BIN, ZS_FIXTURES, bad[k], cmd), 2, "%s",
			     bad[k]);
		/* whatever is there is exactly what unzip checks out */
		run(out, sizeof(out), "cd %s && find . -type f | while read f; "
		    "do unzip -p %s/%s \"${f#./}\" | cmp -s - \"$f\" || echo "
		    "\"$f\"; done", cmd, ZS_FIXTURES, bad[k]);
		cr_expect_str_eq(out, "", "%s: partial or wrong: %s", bad[k],
				 out);
	}
	cr_expect_eq(run(NULL, 0, "%s extract -q %s/overlap-full.zip -d %s/ov "
			 "2>/dev/null; s=$?; test ! -e %s/ov/* && exit $s",
			 ZS_BIN, ZS_FIXTURES, t, t), 12, "a bomb: nothing "
		     "written");
	drop_sandbox(t);
}

Test(extract, patterns_select_and_each_must_match)
{
	char *t = make_sandbox(), err[4096];
	cr_expect_eq(run(err, sizeof(err), "%s extract -q %s/basic.zip "
			 "'dir/file0*' -x '*.bin' -d %s/dir 2>&1", ZS_BIN,
			 ZS_FIXTURES, t), 0, "%s", err);
	cr_expect_eq(run(err, sizeof(err), "ls %s/dir/dir | tr '\n' ' '", t),
		     0);
	cr_expect_str_eq(err, "file00.txt file02.c file03.txt file05.c "
			 "file06.txt file08.c file09.txt ");
	/* as unzip: one pattern matching nothing is exit 11 */
	cr_expect_eq(run(err, sizeof(err), "%s extract -q %s/basic.zip "
			 "dir/file03.txt 'nomatch*' -d %s/two 2>&1", ZS_BIN,
			 ZS_FIXTURES, t), 11);
	cr_expect(strstr(err, "caution: filename not matched: nomatch*"),
		  "%s", err);
	cr_expect(exists(t, "two/dir/file03.txt"), "what matched is written");
	drop_sandbox(t);
}

Test(extract, few_descriptors_and_deep_paths)
{
	/* 70 descriptors (hard limit too): almost no directory stays open,
	 * so files and links find their directories by path, 3,000 bytes
	 * deep */
	char *t = make_sandbox(), out[4096];
	cr_expect_eq(run(NULL, 0, "ulimit -n 70; umask 022; %s extract -q -j 1 "
			 "%s/h-deep-link.zip -d %s/dir", ZS_BIN, ZS_FIXTURES,
			 t), 0);
	cr_expect_eq(run(out, sizeof(out), "cat \"$(find %s/dir -name link)\" "
			 "\"$(find %s/dir -name up)\"", t, t), 0);
	cr_expect_str_eq(out, "deeptop");
	cr_assert_eq(run(NULL, 0, "umask 022; unzip -qq %s/w-bsdtar.zip -d "
			 "%s/unzip && ulimit -n 70 && %s extract -q -j 2 "
			 "%s/w-bsdtar.zip -d %s/few", ZS_FIXTURES, t, ZS_BIN,
			 ZS_FIXTURES, t), 0);
	cr_expect_eq(run(out, sizeof(out), "python3 %s/compare_trees.py "
			 "%s/unzip %s/few", ZS_TESTDIR, t, t), 0, "%s", out);
	drop_sandbox(t);
}

Test(extract, json_has_an_action_per_entry)
{
	char *out = malloc(OUT_CAP), *t = make_sandbox();
	cr_assert_eq(run(out, OUT_CAP, "%s extract --json %s/h-symlink-dotdot.zip"
			 " -d %s/dir | python3 -c 'import json,sys; d=json."
			 "load(sys.stdin); print(\" \".join(e[\"action\"] for "
			 "e in d[\"entries\"]), d[\"summary\"][\"status\"])'",
			 ZS_BIN, ZS_FIXTURES, t), 0);
	cr_expect_str_eq(out, "refused refused written refused written 1\n");
	drop_sandbox(t);
	free(out);
}

/* No file under its final name may be shorter than the entry. */
static void expect_only_whole_zero_files(const char *t, const char *sub)
{
	char out[4096];
	run(out, sizeof(out), "find %s/%s -type f ! -size 65536k", t, sub);
	cr_expect_str_eq(out, "", "partial files: %s", out);
	run(out, sizeof(out), "find %s/%s -name '.zipscan-*'", t, sub);
	cr_expect_str_eq(out, "", "temporary files left: %s", out);
}

Test(extract, interrupt_and_kill_leave_no_partial_file, .timeout = 120)
{
	char *t = make_sandbox();
	/* one sparse 4 GiB stored entry: seconds of work, so the signal
	 * always comes midway (zeros.zip's 512 MiB once took only 0.3 s) */
	cr_assert_eq(run(NULL, 0, "%s %s/sparse_zip.py %s/big.zip %llu",
			 ZS_PYTHON, ZS_TESTDIR, t, 4ull << 30), 0);
	int st = run(NULL, 0, "%s extract -q -j 1 %s/big.zip -d %s/int & p=$!; "
		     "sleep 0.5; kill -INT $p; wait $p", ZS_BIN, t, t);
	cr_expect_eq(st, 80);
	expect_only_whole_zero_files(t, "int");
	run(NULL, 0, "rm -f %s/big.zip", t);
	run(NULL, 0, "%s extract -q %s/zeros.zip -d %s/kill & p=$!; "
	    "sleep 0.3; kill -KILL $p; wait $p", ZS_BIN, ZS_FIXTURES, t);
	expect_only_whole_zero_files(t, "kill");
	drop_sandbox(t);
}

Test(extract, full_disk_is_exit_50_and_leaves_no_partial_file)
{
	char *t = make_sandbox(), err[4096];
	if (run(NULL, 0, "mkdir %s/small && mount -t tmpfs -o size=4m tmpfs "
		"%s/small 2>/dev/null", t, t) != 0) {
		drop_sandbox(t);
		cr_skip_test("cannot mount a small tmpfs here");
	}
	int st = run(err, sizeof(err), "%s extract -q %s/zeros.zip -d "
		     "%s/small/dir 2>&1", ZS_BIN, ZS_FIXTURES, t);
	cr_expect_eq(st, 50);
	cr_expect(strstr(err, "no space left"), "%s", err);
	expect_only_whole_zero_files(t, "small");
	run(NULL, 0, "umount %s/small", t);
	drop_sandbox(t);
}

Test(extract, permission_denied_is_exit_50)
{
	char *t = make_sandbox(), err[4096];
	/* root writes anywhere: run as nobody when we are root, from copies
	 * that nobody may read wherever the checkout lives */
	cr_assert_eq(run(NULL, 0, "mkdir -m 555 %s/ro && cp %s %s/zipscan && "
			 "cp %s/basic.zip %s/ && chmod 755 %s/zipscan && "
			 "chmod 644 %s/basic.zip", t, ZS_BIN, t, ZS_FIXTURES, t,
			 t, t), 0);
	const char *as = geteuid() == 0 ? "setpriv --reuid=65534 "
			 "--regid=65534 --clear-groups " : "";
	/* a line per entry: keep the tail (a full pipe would end the run
	 * with SIGPIPE) */
	int st = run(err, sizeof(err), "%s%s/zipscan extract -q %s/basic.zip "
		     "-d %s/ro > %s/err 2>&1; s=$?; tail -n 3 %s/err; exit $s",
		     as, t, t, t, t, t);
	cr_expect_eq(st, 50, "%s", err);
	cr_expect(strstr(err, "Permission denied"), "%s", err);
	cr_expect_eq(run(NULL, 0, "test -z \"$(ls -A %s/ro)\"", t), 0);
	drop_sandbox(t);
}
