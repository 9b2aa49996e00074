/* SPDX-License-Identifier: MIT */
/*
 * test_levels.c - the three levels of findings (note, warning, error) and
 * what they do to the exit status: archives that unzip, 7-Zip and Python
 * all accept, written here by those tools and by bsdtar, exit 0 from test,
 * test -q, stats and extract, so that Makefiles written for `unzip -t`
 * keep working; --strict, --ignore, -q; and messages that are never cut.
 */
#include <unistd.h>

#include "helpers.h"

/* A fresh directory under /tmp for one test (free and rm -rf it). */
static char *make_dir(const char *what)
{
	char *d = NULL;
	cr_assert(asprintf(&d, "/tmp/zs-levels-%s-%d", what, getpid()) > 0);
	run(NULL, 0, "rm -rf %s && mkdir -p %s", d, d);
	return d;
}

static int have(const char *tool)
{
	return run(NULL, 0, "command -v %s >/dev/null 2>&1", tool) == 0;
}

#define NEED(tool)                                                         \
	do {                                                               \
		if (!have(tool))                                           \
			cr_skip_test("%s is not installed", tool);        \
	} while (0)

/* The tree every writer archives: names that differ only in case, as in
 * real fat jars and /usr/include (a note, not a reason to fail). */
static void make_tree(const char *d)
{
	cr_assert_eq(run(NULL, 0, "cd %s && mkdir -p t/sub t/empty && "
			 "echo hello > t/a.txt && echo upper > t/sub/README && "
			 "echo lower > t/sub/readme && seq 1 5000 > t/n.txt",
			 d), 0);
}

/* Do unzip, 7-Zip and Python all accept the archive?  The test's premise:
 * these are archives nobody else complains about. */
static void expect_accepted(const char *zip)
{
	cr_expect_eq(run(NULL, 0, "unzip -tq %s >/dev/null 2>&1", zip), 0,
		     "unzip -t %s", zip);
	cr_expect_eq(run(NULL, 0, "7zz t -bd %s >/dev/null 2>&1", zip), 0,
		     "7zz t %s", zip);
	cr_expect_eq(run(NULL, 0, "%s -c 'import sys, zipfile; "
			 "sys.exit(zipfile.ZipFile(sys.argv[1]).testzip() is "
			 "not None)' %s 2>&1", ZS_PYTHON, zip), 0,
		     "python zipfile %s", zip);
}

/* test, test -q, stats and extract: every one exits `want`.  With
 * want != 0, test -q must still say why. */
static void expect_status(const char *d, const char *zip, int want)
{
	char out[16384];
	int st;

	st = run(out, sizeof(out), "%s test %s 2>&1", ZS_BIN, zip);
	cr_expect_eq(st, want, "test %s: %d\n%s", zip, st, out);
	st = run(out, sizeof(out), "%s test -q %s 2>&1", ZS_BIN, zip);
	cr_expect_eq(st, want, "test -q %s: %d\n%s", zip, st, out);
	if (want)
		cr_expect(strstr(out, "warning:") || strstr(out, "error:"),
			  "test -q %s exits %d and says nothing", zip, want);
	else
		cr_expect_str_eq(out, "", "test -q %s", zip);
	st = run(out, sizeof(out), "%s stats %s 2>&1", ZS_BIN, zip);
	cr_expect_eq(st, want, "stats %s: %d\n%s", zip, st, out);
	st = run(out, sizeof(out), "%s extract -q %s -d %s/x 2>&1", ZS_BIN,
		 zip, d);
	cr_expect_eq(st, want, "extract %s: %d\n%s", zip, st, out);
	cr_expect_eq(run(NULL, 0, "cmp -s %s/t/sub/readme %s/x/t/sub/readme "
			 "&& cmp -s %s/t/n.txt %s/x/t/n.txt", d, d, d, d), 0,
		     "extracted %s", zip);
	run(NULL, 0, "rm -rf %s/x", d);
}

/* A finding with this code and severity in `test --json`'s output. */
static int has_level(const char *zip, const char *code, const char *level)
{
	char out[65536], want[160];
	run(out, sizeof(out), "%s test --json %s", ZS_BIN, zip);
	snprintf(want, sizeof(want), "{\"severity\":\"%s\",", level);
	for (const char *p = out; (p = strstr(p, want)); p++) {
		char c[96];
		const char *end = strchr(p, '}');
		snprintf(c, sizeof(c), "\"code\":\"%s\"", code);
		const char *q = strstr(p, c);
		if (q && end && q < end)
			return 1;
	}
	return 0;
}

Test(levels, info_zip_archives_exit_0)
{
	NEED("zip"); NEED("unzip"); NEED("7zz");
	char *d = make_dir("infozip"), zip[512];
	make_tree(d);

	snprintf(zip, sizeof(zip), "%s/plain.zip", d);
	cr_assert_eq(run(NULL, 0, "cd %s && zip -qr plain.zip t", d), 0);
	expect_accepted(zip);
	expect_status(d, zip, 0);
	cr_expect(has_level(zip, "case-duplicate", "note"));

	/* a self-extractor: a stub, then zip -A adjusts the offsets */
	snprintf(zip, sizeof(zip), "%s/sfx.zip", d);
	cr_assert_eq(run(NULL, 0, "cd %s && printf '#!/bin/sh\\nexit 0\\n' > "
			 "stub && cat stub plain.zip > sfx.zip && zip -qA "
			 "sfx.zip", d), 0);
	expect_accepted(zip);
	expect_status(d, zip, 0);
	cr_expect(has_level(zip, "prepended-stub", "note"));
	drop_dir(d);
}

/* bsdtar writing to a pipe pads the archive with zeros to a 10,240-byte
 * tape block after the end record. */
Test(levels, bsdtar_to_a_pipe_exits_0)
{
	NEED("bsdtar"); NEED("unzip"); NEED("7zz");
	char *d = make_dir("bsdtar"), zip[512];
	make_tree(d);
	snprintf(zip, sizeof(zip), "%s/bsd.zip", d);
	cr_assert_eq(run(NULL, 0, "cd %s && bsdtar --format zip -cf - t | "
			 "cat > bsd.zip && test $(($(stat -c %%s bsd.zip) %% "
			 "10240)) = 0", d), 0);
	expect_accepted(zip);
	expect_status(d, zip, 0);
	cr_expect(has_level(zip, "trailing-padding", "note"));
	drop_dir(d);
}

Test(levels, python_and_7zip_archives_exit_0)
{
	NEED("unzip"); NEED("7zz");
	char *d = make_dir("py7z"), zip[512];
	make_tree(d);

	snprintf(zip, sizeof(zip), "%s/py.zip", d);
	cr_assert_eq(run(NULL, 0, "cd %s && %s -c 'import os, zipfile\n"
			 "with zipfile.ZipFile(\"py.zip\", \"w\", "
			 "zipfile.ZIP_DEFLATED) as z:\n"
			 "    for r, ds, fs in os.walk(\"t\"):\n"
			 "        for n in ds + fs: z.write(os.path.join(r, n))'",
			 d, ZS_PYTHON), 0);
	expect_accepted(zip);
	expect_status(d, zip, 0);

	snprintf(zip, sizeof(zip), "%s/7z.zip", d);
	cr_assert_eq(run(NULL, 0, "cd %s && 7zz a -tzip -bd 7z.zip t "
			 ">/dev/null", d), 0);
	expect_accepted(zip);
	expect_status(d, zip, 0);
	drop_dir(d);
}

/* cat stub a.zip > b.zip without zip -A: offsets off by the stub, which
 * unzip warns about too (exit 1); -q says so. */
Test(levels, unadjusted_stub_stays_a_warning)
{
	NEED("zip"); NEED("unzip");
	char *d = make_dir("stub"), zip[512], out[4096];
	make_tree(d);
	snprintf(zip, sizeof(zip), "%s/sfx.zip", d);
	cr_assert_eq(run(NULL, 0, "cd %s && zip -qr plain.zip t && printf "
			 "'#!/bin/sh\\nexit 0\\n' > stub && cat stub plain.zip "
			 "> sfx.zip", d), 0);
	cr_expect_eq(run(NULL, 0, "unzip -tq %s >/dev/null 2>&1", zip), 1,
		     "unzip warns too");
	expect_status(d, zip, 1);
	cr_expect(has_level(zip, "prepended-bytes", "warning"));
	cr_expect_eq(run(out, sizeof(out), "%s test -q %s", ZS_BIN, zip), 1);
	cr_expect(strstr(out, ": warning: 17 extra bytes at beginning"), "%s",
		  out);
	cr_expect(!strstr(out, "note:"), "-q leaves notes out: %s", out);
	drop_dir(d);
}

/* --strict: every finding an error, notes included (exit 3). */
Test(levels, strict_makes_notes_errors)
{
	NEED("zip");
	char *d = make_dir("strict"), zip[512], out[16384];
	make_tree(d);
	snprintf(zip, sizeof(zip), "%s/plain.zip", d);
	cr_assert_eq(run(NULL, 0, "cd %s && zip -qr plain.zip t", d), 0);
	cr_expect_eq(run(out, sizeof(out), "%s test --strict --json %s",
			 ZS_BIN, zip), 3, "%s", out);
	cr_expect(strstr(out, "{\"severity\":\"error\""), "%s", out);
	cr_expect_eq(run(out, sizeof(out), "%s check %s", ZS_BIN, zip), 0,
		     "%s", out);
	cr_expect(strstr(out, ": note: \"t/sub/"), "check shows notes: %s",
		  out);
	cr_expect(strstr(out, ": 1 note, 0 warnings"), "%s", out);
	cr_expect_eq(run(out, sizeof(out), "%s check --strict %s", ZS_BIN,
			 zip), 3, "%s", out);
	drop_dir(d);
}

/* --ignore: not printed, not in JSON, no effect on the status; an unknown
 * code, or an error's, is a usage error. */
Test(levels, ignore_codes)
{
	NEED("zip");
	char *d = make_dir("ignore"), zip[512], out[16384];
	make_tree(d);
	snprintf(zip, sizeof(zip), "%s/sfx.zip", d);
	cr_assert_eq(run(NULL, 0, "cd %s && zip -qr plain.zip t && printf "
			 "'#!/bin/sh\\n' > stub && cat stub plain.zip > "
			 "sfx.zip", d), 0);
	cr_expect_eq(run(out, sizeof(out), "%s test --ignore prepended-bytes "
			 "--ignore case-duplicate %s", ZS_BIN, zip), 0, "%s",
		     out);
	cr_expect(!strstr(out, "warning") && !strstr(out, "note"), "%s", out);
	cr_expect_eq(run(out, sizeof(out), "%s check --json --ignore "
			 "case-duplicate,prepended-bytes %s", ZS_BIN, zip), 0,
		     "%s", out);
	cr_expect(strstr(out, "\"findings\":[]"), "%s", out);
	/* --strict does not bring an ignored finding back */
	cr_expect_eq(run(out, sizeof(out), "%s test -q --strict --ignore "
			 "prepended-bytes,case-duplicate %s", ZS_BIN, zip), 0,
		     "%s", out);
	cr_expect_eq(run(out, sizeof(out), "%s test --ignore no-such-code %s "
			 "2>&1", ZS_BIN, zip), 10, "%s", out);
	cr_expect(strstr(out, "no-such-code") && strstr(out, "case-duplicate")
		  && strstr(out, "trailing-padding"), "lists the codes: %s",
		  out);
	cr_expect_eq(run(out, sizeof(out), "%s test --ignore overlap %s 2>&1",
			 ZS_BIN, zip), 10, "%s", out);
	drop_dir(d);
}

/* Names of 300 bytes and more differing only at the end: both whole in
 * the message, in text and in JSON (they were cut at 60 bytes, so both
 * read the same). */
Test(levels, long_names_are_never_cut)
{
	char *d = make_dir("long"), zip[512], out[65536], want[1024];
	char stem[400];

	memset(stem, 'n', 350);
	stem[350] = '\0';
	snprintf(zip, sizeof(zip), "%s/long.zip", d);
	cr_assert_eq(run(NULL, 0, "%s -c 'import zipfile\n"
			 "with zipfile.ZipFile(\"%s\", \"w\") as z:\n"
			 "    z.writestr(\"dir/%s-end-A.txt\", \"1\")\n"
			 "    z.writestr(\"dir/%s-end-a.txt\", \"2\")\n"
			 "    z.writestr(\"../%s-up.txt\", \"3\")'", ZS_PYTHON,
			 zip, stem, stem, stem), 0);
	cr_expect_eq(run(out, sizeof(out), "%s check %s", ZS_BIN, zip), 1,
		     "%s", out);
	snprintf(want, sizeof(want), "\"dir/%s-end-A.txt\" (entry 0) and "
		 "\"dir/%s-end-a.txt\" (entry 1) differ only in case: one file "
		 "on Windows and macOS", stem, stem);
	cr_expect(strstr(out, want), "%s", out);
	snprintf(want, sizeof(want), "\"../%s-up.txt\": a \"..\" component",
		 stem);
	cr_expect(strstr(out, want), "%s", out);
	cr_expect(!strstr(out, "..."), "%s", out);

	run(out, sizeof(out), "%s check --json %s", ZS_BIN, zip);
	snprintf(want, sizeof(want), "\\\"dir/%s-end-A.txt\\\" (entry 0) and "
		 "\\\"dir/%s-end-a.txt\\\" (entry 1) differ only in case",
		 stem, stem);
	cr_expect(strstr(out, want), "%s", out);
	cr_expect(strstr(out, "\"severity\":\"note\""), "%s", out);
	drop_dir(d);
}
