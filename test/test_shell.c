/* SPDX-License-Identifier: MIT */
/*
 * test_shell.c - the command line as a shell user meets it: mistyped
 * commands, the short form, -o never over an input, per-command help,
 * errors on standard error, Ctrl-C and SIGTERM in every phase, reports to
 * devices, FIFOs and symlinks, and --version.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

#define OUT_CAP (1 << 16)

static int sum_of(const char *path, char out[65])
{
	return run(out, 65, "sha256sum < %s | cut -c1-64", path);
}

Test(shell, unknown_command_suggests_and_writes_nothing)
{
	char *t = temp_dir("shell"), out[OUT_CAP];
	/* `zipscan tset x.zip` once wrote a text report into a new x.zip */
	int st = run(out, sizeof(out), "cd %s && %s tset x.zip 2>&1", t, ZS_BIN);
	cr_expect_eq(st, 10);
	cr_expect(strstr(out, "unknown command 'tset' (did you mean 'test'?)"),
		  "%s", out);
	cr_expect_neq(access(fixture("basic.zip"), F_OK), -1);
	char x[4200];
	snprintf(x, sizeof(x), "%s/x.zip", t);
	cr_expect_eq(access(x, F_OK), -1, "x.zip was created");
	/* an existing archive named after a typo is not touched either */
	char before[65], after[65];
	run(NULL, 0, "cp %s %s/a.zip", fixture("basic.zip"), t);
	snprintf(x, sizeof(x), "%s/a.zip", t);
	sum_of(x, before);
	cr_expect_eq(run(out, sizeof(out), "cd %s && %s lsit a.zip 2>&1", t,
			 ZS_BIN), 10);
	cr_expect(strstr(out, "did you mean 'list'"), "%s", out);
	sum_of(x, after);
	cr_expect_str_eq(before, after);
	/* nothing close: no suggestion */
	cr_expect_eq(run(out, sizeof(out), "%s frobnicate 2>&1", ZS_BIN), 10);
	cr_expect(strstr(out, "unknown command 'frobnicate'\n"), "%s", out);
	drop_dir(t);
}

Test(shell, short_form_needs_an_existing_file)
{
	char *t = temp_dir("shell"), out[OUT_CAP];
	run(NULL, 0, "cp %s %s/a.zip", fixture("basic.zip"), t);
	cr_expect_eq(run(out, sizeof(out), "cd %s && %s a.zip r.json 2>&1 && "
			 "head -c 1 r.json", t, ZS_BIN), 0, "%s", out);
	cr_expect(out[0] == '{', "%s", out);
	/* a directory is not an archive to take stats of */
	cr_expect_eq(run(out, sizeof(out), "cd %s && mkdir d && %s d 2>&1", t,
			 ZS_BIN), 10, "%s", out);
	drop_dir(t);
}

Test(shell, output_never_replaces_an_input)
{
	char *t = temp_dir("shell"), out[OUT_CAP], a[4200], before[65], after[65];
	snprintf(a, sizeof(a), "%s/a.zip", t);
	run(NULL, 0, "cp %s %s", fixture("basic.zip"), a);
	sum_of(a, before);
	static const char *const forms[] = {
		"test -o a.zip a.zip", "list -o ./a.zip a.zip",
		"check -o a.zip a.zip", "stats --json -o a.zip a.zip",
		"test -o l.zip a.zip",   /* through a hard link */
		"test -o s.zip a.zip",   /* through a symlink */
	};
	run(NULL, 0, "cd %s && ln a.zip l.zip && ln -s a.zip s.zip", t);
	for (size_t k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
		int st = run(out, sizeof(out), "cd %s && %s %s 2>&1", t, ZS_BIN,
			     forms[k]);
		cr_expect_eq(st, 10, "%s: %d %s", forms[k], st, out);
		cr_expect(strstr(out, "is an input archive"), "%s: %s",
			  forms[k], out);
		sum_of(a, after);
		cr_expect_str_eq(before, after, "%s changed a.zip", forms[k]);
	}
	struct stat st;
	snprintf(a, sizeof(a), "%s/s.zip", t);
	cr_expect(lstat(a, &st) == 0 && S_ISLNK(st.st_mode));
	drop_dir(t);
}

Test(shell, help_per_command)
{
	char out[OUT_CAP];
	cr_expect_eq(run(out, sizeof(out), "%s test --help", ZS_BIN), 0);
	cr_expect(strstr(out, "usage: zipscan test"), "%s", out);
	cr_expect(strstr(out, "--memory-limit"), "%s", out);
	cr_expect_null(strstr(out, "--ndjson"), "stats options in test's help");
	cr_expect_null(strstr(out, "--never-overwrite"));
	cr_expect_eq(run(out, sizeof(out), "%s help extract", ZS_BIN), 0);
	cr_expect(strstr(out, "usage: zipscan extract"), "%s", out);
	cr_expect(strstr(out, "--never-overwrite"), "%s", out);
	cr_expect_null(strstr(out, "--hash"));
	cr_expect_eq(run(out, sizeof(out), "%s help stats", ZS_BIN), 0);
	cr_expect(strstr(out, "--html") && strstr(out, "--top"), "%s", out);
	cr_expect_eq(run(out, sizeof(out), "%s help cat", ZS_BIN), 0);
	cr_expect(strstr(out, "usage: zipscan cat"), "%s", out);
	cr_expect_eq(run(out, sizeof(out), "%s help tets 2>&1", ZS_BIN), 10);
	cr_expect(strstr(out, "did you mean 'test'"), "%s", out);
	/* the whole usage names every command */
	cr_expect_eq(run(out, sizeof(out), "%s help", ZS_BIN), 0);
	static const char *const cmds[] = { "test", "list", "check", "stats",
					    "extract", "cat", "help" };
	for (size_t k = 0; k < 7; k++) {
		char w[32];
		snprintf(w, sizeof(w), "\n  %s ", cmds[k]);
		cr_expect(strstr(out, w), "%s missing from help", cmds[k]);
	}
}

Test(shell, version_names_the_libraries)
{
	char out[OUT_CAP];
	cr_expect_eq(run(out, sizeof(out), "%s -V", ZS_BIN), 0);
	cr_expect(!strncmp(out, "zipscan " ZS_VERSION " (libzipscan "
			   ZS_VERSION ")\n", strlen("zipscan " ZS_VERSION)),
		  "%s", out);
	static const char *const libs[] = { "libdeflate ", "ISA-L ", "zstd ",
					    "bzip2 ", "liblzma ", "xxHash " };
	for (size_t k = 0; k < 6; k++)
		cr_expect(strstr(out, libs[k]), "%s missing: %s", libs[k], out);
	char again[OUT_CAP];
	run(again, sizeof(again), "%s --version", ZS_BIN);
	cr_expect_str_eq(out, again);
}

/* "cannot open" and "not a ZIP" go to standard error in every command,
 * JSON or not, and standard output carries no error text. */
Test(shell, errors_go_to_standard_error)
{
	static const char *const cmds[] = { "test", "test -q", "list", "check",
		"stats", "test --json", "check --json", "stats --json",
		"extract -d /tmp/zs_shell_never", "cat" };
	const char *bad[] = { "/nonexistent/no.zip", fixture("notzip.bin") };
	for (size_t b = 0; b < 2; b++) {
		for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
			char out[OUT_CAP], err[OUT_CAP];
			const char *extra = !strcmp(cmds[k], "cat") ? " x" : "";
			int st = run(out, sizeof(out), "%s %s %s%s 2>/dev/null",
				     ZS_BIN, cmds[k], bad[b], extra);
			cr_expect_eq(st, 9, "%s %s: %d", cmds[k], bad[b], st);
			run(err, sizeof(err), "%s %s %s%s 2>&1 >/dev/null",
			    ZS_BIN, cmds[k], bad[b], extra);
			cr_expect(strstr(err, b ? "not a ZIP" : "cannot open"),
				  "%s %s: stderr: %s", cmds[k], bad[b], err);
			/* JSON keeps the finding in the object, for scripts */
			if (strstr(cmds[k], "json"))
				continue;
			cr_expect_null(strstr(out, "cannot open"), "%s: %s",
				       cmds[k], out);
			cr_expect_null(strstr(out, "not a ZIP"), "%s: %s",
				       cmds[k], out);
		}
	}
}

/* Start zipscan in the background, send `sig` after `delay` seconds, and
 * give its exit status and what it printed.  The elapsed time is checked
 * too: a run that ignores the signal takes far longer than the limit. */
static int interrupt(char *out, size_t cap, const char *args, const char *sig,
		     const char *delay, double *secs)
{
	double t0 = zs_now();
	int st = run(out, cap, "%s %s > /tmp/zs_shell_out.$$ 2>&1 & pid=$!; "
		     "sleep %s; kill -%s $pid; wait $pid; s=$?; "
		     "cat /tmp/zs_shell_out.$$; rm -f /tmp/zs_shell_out.$$; "
		     "exit $s", ZS_BIN, args, delay, sig);
	*secs = zs_now() - t0;
	return st;
}

/* A scan that takes many seconds (a sparse 8 GiB stored entry) stops
 * within a second or two of Ctrl-C or SIGTERM, says so, and exits 80,
 * in test (which once ran to the end and said "all ok") and stats. */
Test(shell, ctrl_c_stops_a_scan, .timeout = 120)
{
	char *t = temp_dir("shell"), out[OUT_CAP], args[4400];
	cr_assert_eq(run(NULL, 0, "%s %s/sparse_zip.py %s/big.zip %llu",
			 ZS_PYTHON, ZS_TESTDIR, t, 8ull << 30), 0);
	static const struct { const char *cmd, *sig; } cases[] = {
		{ "test -j 1", "INT" }, { "test -j 2", "TERM" },
		{ "stats -j 1", "INT" }, { "extract -j 1 -d %s/out", "INT" },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		double secs;
		char cmd[256];
		snprintf(cmd, sizeof(cmd), cases[k].cmd, t);
		snprintf(args, sizeof(args), "%s %s/big.zip", cmd, t);
		int st = interrupt(out, sizeof(out), args, cases[k].sig, "1",
				   &secs);
		cr_expect_eq(st, 80, "%s: exit %d: %s", args, st, out);
		cr_expect(strstr(out, "interrupted"), "%s: %s", args, out);
		cr_expect_null(strstr(out, "No errors"), "%s: %s", args, out);
		cr_expect_null(strstr(out, "bad CRC"), "%s ran to the end: %s",
			       args, out);
		cr_expect_lt(secs, 6.0, "%s took %.1f s", args, secs);
	}
	/* extract left nothing under a final name */
	cr_expect_eq(run(out, sizeof(out), "find %s/out -type f | wc -l", t), 0);
	cr_expect_eq(atoi(out), 0, "%s", out);
	drop_dir(t);
}

/* While the archive is still being read, Ctrl-C stops every command: here
 * from a FIFO whose writer sleeps (the read is interrupted).  A source
 * that never blocks (/dev/zero) is asked between reads too, but is not
 * tried here: until --max-input bounds it, the buffer grows by GB/s and a
 * loaded machine's OOM killer may strike first (it once did). */
Test(shell, ctrl_c_stops_opening, .timeout = 60)
{
	static const char *const cmds[] = { "list", "test", "check", "stats" };
	char *t = temp_dir("shell");
	cr_assert_eq(run(NULL, 0, "mkfifo %s/fifo", t), 0);
	for (size_t k = 0; k < 4; k++) {
		char out[OUT_CAP];
		double t0 = zs_now();
		int st = run(out, sizeof(out), "sleep 20 > %s/fifo & w=$!; "
			     "%s %s - < %s/fifo 2>&1 & z=$!; sleep 0.5; "
			     "kill -INT $z; wait $z; s=$?; kill $w; exit $s", t,
			     ZS_BIN, cmds[k], t);
		double secs = zs_now() - t0;
		cr_expect_eq(st, 80, "%s: exit %d: %s", cmds[k], st, out);
		cr_expect_lt(secs, 5.0, "%s took %.1f s", cmds[k], secs);
	}
	drop_dir(t);
}

/* Ctrl-C stops `cat` blocked on a full pipe whose reader does not read:
 * the kernel returns what the write had written before the signal, with
 * no EINTR, and the next write must not block again.  On one thread: on
 * several, the signal may reach a thread other than the one writing,
 * whose write then goes on blocking (README, "Exit status"). */
Test(shell, ctrl_c_stops_cat_on_a_full_pipe, .timeout = 60)
{
	char *t = temp_dir("shell"), out[OUT_CAP];
	cr_assert_eq(run(NULL, 0, "cd %s && mkfifo fifo && head -c 2000000 "
			 "/dev/urandom > r.bin && %s create -q r.zip r.bin", t,
			 ZS_BIN), 0);
	double t0 = zs_now();
	int st = run(out, sizeof(out), "cd %s && { sleep 20 < fifo & w=$!; "
		     "%s cat -j 1 r.zip r.bin > fifo 2> err & z=$!; "
		     "sleep 0.5; kill -INT $z; wait $z; s=$?; kill $w; "
		     "cat err; exit $s; }", t, ZS_BIN);
	double secs = zs_now() - t0;
	cr_expect_eq(st, 80, "exit %d: %s", st, out);
	cr_expect(strstr(out, "interrupted"), "%s", out);
	cr_expect_lt(secs, 5.0, "took %.1f s", secs);
	drop_dir(t);
}

/* -o to a FIFO or a device writes it in place (it stays a FIFO, and
 * /dev/null stays a device); -o to a symlink replaces its target and
 * leaves the link. */
Test(shell, reports_to_fifos_devices_and_symlinks)
{
	char *t = temp_dir("shell"), out[OUT_CAP], p[4200];
	struct stat st;
	cr_assert_eq(run(NULL, 0, "mkfifo %s/fifo", t), 0);
	cr_expect_eq(run(out, sizeof(out), "cat %s/fifo > %s/got & "
			 "%s stats --json -o %s/fifo %s; s=$?; wait; "
			 "head -c 1 %s/got; exit $s", t, t, ZS_BIN, t,
			 fixture("basic.zip"), t), 0, "%s", out);
	cr_expect_eq(out[0], '{', "the FIFO's reader got: %s", out);
	snprintf(p, sizeof(p), "%s/fifo", t);
	cr_expect(stat(p, &st) == 0 && S_ISFIFO(st.st_mode), "not a FIFO now");
	/* a character device of our own (as root, mknod); else /dev/null
	 * itself, which must survive too */
	snprintf(p, sizeof(p), "%s/null", t);
	if (run(NULL, 0, "mknod %s c 1 3 2>/dev/null", p) != 0)
		snprintf(p, sizeof(p), "/dev/null");
	cr_expect_eq(run(NULL, 0, "%s stats -q -o %s %s", ZS_BIN, p,
			 fixture("basic.zip")), 0);
	cr_expect(stat(p, &st) == 0 && S_ISCHR(st.st_mode),
		  "%s is no longer a device", p);
	cr_expect(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
	/* a symlink: its target gets the report, the link stays */
	run(NULL, 0, "cd %s && echo old > target.txt && ln -s target.txt "
	    "link.txt", t);
	cr_expect_eq(run(NULL, 0, "%s list -o %s/link.txt %s", ZS_BIN, t,
			 fixture("basic.zip")), 0);
	snprintf(p, sizeof(p), "%s/link.txt", t);
	cr_expect(lstat(p, &st) == 0 && S_ISLNK(st.st_mode), "link replaced");
	run(out, sizeof(out), "head -c 8 %s/target.txt", t);
	cr_expect_str_eq(out, "Archive:");
	drop_dir(t);
}
