/* SPDX-License-Identifier: MIT */
/*
 * test_methods.c - the methods past Deflate, archive by archive: the
 * fixtures of test/methods.py (7-Zip's Deflate, Deflate64, BZip2, LZMA with
 * and without its end marker, XZ and PPMd; Python's bzip2 and LZMA; zstd
 * frames and Deflate64 streams written by hand) and the third-party
 * corpus's archives in those methods.
 *
 * For each archive whose method zipscan decodes, against 7-Zip (7zz x) as
 * the reference:
 *   - `test` exits 0, with the default buffers, with --memory-limit 64K
 *     (every entry over 64 KiB streams) and with -j1 and -j2 (the same JSON);
 *   - `extract` writes the tree 7zz writes, file by file (contents, modes,
 *     times), with the default buffers and with --memory-limit 64K at -j1
 *     and -j2;
 *   - `cat` of every file gives 7zz's bytes, in the order asked;
 *   - `stats --json` counts the entries and bytes of each method as
 *     Python's zipfile does, all ok;
 *   - a copy with the CRC-32 of the largest and of the smallest entry in
 *     the method flipped fails that entry (exit 2, "bad CRC-32") and
 *     extracts everything else, leaving no file for it; a copy with half of
 *     that entry's data fails it (exit 2) with a message naming the method
 *     and saying the data ends early.
 * Then the verdicts that are the archive's own: PPMd stays unsupported
 * (exit 81, "unsupported compression method 98 (ppmd)"), a corrupt bzip2
 * stream fails, and the fuzzer regressions end quickly with a clean error.
 *
 * ZS_PENDING lists the methods whose decoders are not merged yet.  For their
 * archives the test asserts what zipscan does until then (exit 81, each
 * entry in the method "unsupported compression method N (name)") and runs
 * none of the above; once a decoder lands that assertion fails, and its
 * method must leave ZS_PENDING, which turns the whole battery on.
 */
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

/* The Makefile's Python (a version manager's shim costs 0.2 s a run) */
#ifndef ZS_PYTHON
#define ZS_PYTHON "python3"
#endif
#define DAMAGE ZS_PYTHON " " ZS_TESTDIR "/zipdamage.py"
#define COMPARE ZS_PYTHON " " ZS_TESTDIR "/compare_trees.py"

/* 0 ends the list.  -DZS_PENDING=0 runs the whole battery on every method,
 * to see what fails. */
#ifndef ZS_PENDING
#define ZS_PENDING 0
#endif
static const unsigned pending[] = { ZS_PENDING };

static int is_pending(unsigned method)
{
	for (size_t k = 0; pending[k]; k++)
		if (pending[k] == method)
			return 1;
	return 0;
}

#define OUT_CAP (1u << 20)

typedef struct method_archive {
	const char *path;  /* "F:" under build/fixtures/methods, "C:" corpus */
	unsigned method;   /* the method it is about */
	int times;         /* its DOS times are the times 7zz restores */
} method_archive;

/* Times: 7-Zip restores an entry's NTFS time where it has one, zipscan its
 * extended timestamp or else its DOS time (local time).  The fixtures'
 * times agree (an even second, one machine); the corpus archives made on
 * Windows carry NTFS times hours away from their DOS times, so only their
 * contents and modes are compared. */
static const method_archive archives[] = {
	{ "F:7z-deflate.zip", 8, 1 },  /* the control: decoded today */
	{ "F:7z-deflate64.zip", 9, 1 },
	{ "F:7z-deflate64-mx1.zip", 9, 1 },
	{ "F:d64-handmade.zip", 9, 1 },
	{ "F:7z-bzip2.zip", 12, 1 },
	{ "F:py-bzip2.zip", 12, 1 },
	{ "F:7z-lzma.zip", 14, 1 },
	{ "F:7z-lzma-noeos.zip", 14, 1 },
	{ "F:py-lzma.zip", 14, 1 },
	{ "F:7z-xz.zip", 95, 1 },
	{ "F:zstd.zip", 93, 1 },
	{ "C:zip2/deflate64.zip", 9, 0 },
	{ "C:zip2/lzma.zip", 14, 0 },
	{ "C:zip2/xz.zip", 95, 0 },
	{ "C:libarchive/test_read_format_zip_bzip2.zipx", 12, 0 },
	{ "C:libarchive/test_read_format_zip_bzip2_multi.zipx", 12, 0 },
	{ "C:libarchive/test_read_format_zip_lzma.zipx", 14, 0 },
	{ "C:libarchive/test_read_format_zip_lzma_multi.zipx", 14, 0 },
	{ "C:libarchive/test_read_format_zip_lzma_stream_end.zipx", 14, 0 },
	{ "C:libarchive/test_read_format_zip_7z_lzma.zip", 14, 0 },
	{ "C:libarchive/test_read_format_zip_xz_multi.zipx", 95, 0 },
	{ "C:libarchive/test_read_format_zip_zstd.zipx", 93, 0 },
	{ "C:libarchive/test_read_format_zip_zstd_multi.zipx", 93, 0 },
	{ "C:libzip/testbzip2.zip", 12, 0 },
	{ "C:libzip/testfile-lzma.zip", 14, 0 },
	{ "C:libzip/lzma-no-eos.zip", 14, 0 },
	{ "C:libzip/testfile-xz.zip", 95, 0 },
	{ "C:libzip/testfile-zstd.zip", 93, 0 },
};
#define N_ARCHIVES (sizeof(archives) / sizeof(archives[0]))

static const char *path_of(const char *p)
{
	static __thread char buf[4096];
	if (!strncmp(p, "F:", 2))
		snprintf(buf, sizeof(buf), "%s/methods/%s", ZS_FIXTURES, p + 2);
	else if (corpus_dir())
		snprintf(buf, sizeof(buf), "%s", corpus_file(p + 2));
	else
		return NULL;   /* no corpus: the caller skips this one */
	/* lzma-oom.zip is made from a corpus file, so it is missing too */
	return access(buf, R_OK) == 0 || corpus_dir() ? buf : NULL;
}

/* How many entries of the archive use `method`, as zipfile reads it. */
static long entries_in(const char *archive, unsigned method)
{
	char out[4096];
	cr_assert_eq(run(out, sizeof(out), DAMAGE " methods %s", archive), 0,
		     "%s", archive);
	char key[32];
	int n = snprintf(key, sizeof(key), "%u:", method);
	for (char *p = out; (p = strstr(p, key)); p++)
		if (p == out || p[-1] == ' ')
			return strtol(p + n, NULL, 10);
	return 0;
}

/* Until its decoder is merged: exit 81, and every entry in the method
 * reported unsupported by name. */
static void still_unsupported(const char *a, unsigned method)
{
	char *out = malloc(OUT_CAP), want[128];
	snprintf(want, sizeof(want), "unsupported compression method %u (%s)",
		 method, zs_method_name(method));
	cr_expect_eq(run(out, OUT_CAP, "%s test %s 2>&1", ZS_BIN, a), 81,
		     "%s: a pending method (%u) decodes now? Take it out of "
		     "PENDING in test_methods.c: %s", a, method, out);
	long n = 0;
	for (char *p = out; (p = strstr(p, want)); p++)
		n++;
	cr_expect_eq(n, entries_in(a, method), "%s: %ld entries say \"%s\"",
		     a, n, want);
	free(out);
}

/* `test` with these options: its JSON without the timing (the last
 * member), still JSON; and its exit status. */
static int test_json(const char *a, const char *opts, char *out)
{
	return run(out, OUT_CAP, "f=$(mktemp /tmp/zs_methods_json.XXXXXX); "
		   "%s test --json %s %s > $f; s=$?; sed 's/,\"timing\":.*/}/' "
		   "$f; rm -f $f; exit $s", ZS_BIN, opts, a);
}

/* LZMA, xz and zstd keep a window of their own, which counts against
 * --memory-limit (codec.h); they cannot stream in less than it.  Under
 * SMALL such an entry may be refused ("the decoder needs N bytes of
 * memory, over --memory-limit 65536", exit 4), and nothing else. */
#define SMALL "--memory-limit 64K"
static int windowed(unsigned method)
{
	return method == 14 || method == 95 || method == 93;
}

static void tests_clean(const char *a)
{
	char *one = malloc(OUT_CAP), *two = malloc(OUT_CAP);
	cr_expect_eq(run(two, OUT_CAP, "%s test %s 2>&1", ZS_BIN, a), 0,
		     "%s: %s", a, two);
	cr_expect_eq(test_json(a, "-j1", one), 0, "%s -j1", a);
	cr_expect_eq(test_json(a, "-j2", two), 0, "%s -j2", a);
	cr_expect_str_eq(one, two, "%s: -j1 and -j2 differ", a);
	cr_expect(strstr(one, "\"status\":\"ok\""), "%s: %.300s", a, one);
	free(one);
	free(two);
}

/* test under SMALL: every entry over 64 KiB streams.  Writes the names of
 * the entries refused for their window to t/refused (sorted) and returns
 * how many. */
static long tests_small(const method_archive *m, const char *a,
			const char *t)
{
	char *one = malloc(OUT_CAP), *two = malloc(OUT_CAP), err[4096];
	int st = test_json(a, "-j2 " SMALL, two);
	cr_expect(st == 0 || (st == 4 && windowed(m->method)), "%s " SMALL
		  ": exit %d", a, st);
	cr_expect_eq(test_json(a, "-j1 " SMALL, one), st);
	cr_expect_str_eq(one, two, "%s " SMALL ": -j1 and -j2 differ", a);
	char path[4200];
	snprintf(path, sizeof(path), "%s/small.json", t);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(two, f);
	fclose(f);
	cr_expect_eq(run(err, sizeof(err), DAMAGE " refused < %s 2>&1 > "
			 "%s/refused", path, t), 0, "%s " SMALL ": %s", a,
		     err);
	cr_assert_eq(run(err, sizeof(err), "wc -l < %s/refused", t), 0);
	long refused = strtol(err, NULL, 10);
	cr_expect(refused == 0 || windowed(m->method));
	if (!refused) {
		cr_expect_eq(test_json(a, "-j2", two), 0);
		cr_expect_str_eq(one, two, "%s: " SMALL " changed the JSON", a);
	}
	free(one);
	free(two);
	return refused;
}

/* extract into t/NAME with opts, then compare with 7zz's t/7z: the same
 * tree; or, when entries were refused (t/refused), exactly 7zz's files
 * less those, each with 7zz's bytes */
static void extract_equals_7zz(const method_archive *m, const char *a,
			       const char *t, const char *name,
			       const char *opts, long refused)
{
	char *out = malloc(OUT_CAP);
	cr_expect_eq(run(out, OUT_CAP, "umask 022; %s extract -q %s %s "
			 "-d %s/%s 2>&1", ZS_BIN, opts, a, t, name),
		     refused ? 4 : 0, "%s %s: %s", a, opts, out);
	if (!refused) {
		cr_expect_eq(run(out, OUT_CAP, COMPARE " %s %s/7z %s/%s",
				 m->times ? "" : "--no-times", t, t, name), 0,
			     "%s %s: against 7zz: %s", a, opts, out);
		free(out);
		return;
	}
	/* (grep -v: exit 1 when every file was refused) */
	cr_expect_eq(run(out, OUT_CAP, "cd %s && (cd 7z && find . -type f | "
			 "sed 's|^\\./||' | LC_ALL=C sort | grep -vxF -f "
			 "../refused; true) > want.%s && (cd %s 2>/dev/null && "
			 "find . -type f | sed 's|^\\./||' | LC_ALL=C sort; "
			 "true) > got.%s && diff want.%s got.%s && while read "
			 "f; do cmp \"7z/$f\" \"%s/$f\" || exit 1; done < "
			 "got.%s", t, name, name, name, name, name, name, name),
		     0,
		     "%s %s: files against 7zz's less the refused: %s", a,
		     opts, out);
	free(out);
}

/* cat of every regular file 7zz wrote (less those in t/refused when
 * `refused`), in sorted order, against the files themselves */
static void cat_equals_7zz(const char *a, const char *t, const char *opts,
			   int refused)
{
	char out[4096];
	cr_assert_eq(run(NULL, 0, "cd %s/7z && find . -type f | sed 's|^\\./||'"
			 " | LC_ALL=C sort | %s > ../names && test -s ../names",
			 t, refused ? "grep -vxF -f ../refused" : "cat"), 0,
		     "%s: no file to cat", a);
	cr_expect_eq(run(out, sizeof(out), "cd %s/7z && xargs -d '\\n' %s cat "
			 "%s %s < ../names > ../got && xargs -d '\\n' cat < "
			 "../names > ../want && cmp ../want ../got 2>&1", t,
			 ZS_BIN, opts, a), 0, "%s cat %s: %s", a, opts, out);
}

/* stats --json: entries and bytes per method as zipfile counts them. */
static void stats_count_methods(const char *a)
{
	char want[4096], got[4096];
	cr_assert_eq(run(want, sizeof(want), DAMAGE " methods %s", a), 0);
	cr_expect_eq(run(got, sizeof(got), "%s stats --json %s | "
			 ZS_PYTHON " -c '"
			 "import json, sys\n"
			 "s = json.load(sys.stdin)[\"stats\"]\n"
			 "m = sorted(s[\"methods\"], key=lambda m: "
			 "m[\"method\"])\n"
			 "print(\" \".join(\"%%d:%%d:%%d\" %% (x[\"method\"], "
			 "x[\"entries\"], x[\"uncompressed_size\"]) "
			 "for x in m))\n"
			 "assert s[\"ok\"] == s[\"entries\"] and "
			 "not s[\"bad\"]'", ZS_BIN, a), 0, "%s: stats: %s", a,
		     got);
	cr_expect_str_eq(got, want, "%s: stats' methods", a);
}

/* Is `entry` in t/refused (refused for its window under SMALL)? */
static int was_refused(const char *t, const char *entry)
{
	return run(NULL, 0, "grep -qxF '%s' %s/refused", entry, t) == 0;
}

/* The CRC of `entry` flipped: that entry fails, the rest extract. */
static void crc_flipped(const char *a, const char *t, const char *entry)
{
	char *out = malloc(OUT_CAP), bad[4200];
	snprintf(bad, sizeof(bad), "%s/crc.zip", t);
	cr_assert_eq(run(NULL, 0, DAMAGE " crc %s %s '%s'", a, bad, entry),
		     0);
	static const char *const opts[] = { "", SMALL };
	for (int k = 0; k < 2; k++) {
		if (k && was_refused(t, entry))
			continue;
		/* -i: the other entries are tested by the extraction */
		cr_expect_eq(run(out, OUT_CAP, "%s test %s -i '%s' %s 2>&1",
				 ZS_BIN, opts[k], entry, bad), 2, "%s %s: %s",
			     a, entry, out);
		char want[4200];
		snprintf(want, sizeof(want), "%s: bad CRC-32", entry);
		cr_expect(strstr(out, want), "%s %s %s: %s", a, entry, opts[k],
			  out);
	}
	run(NULL, 0, "rm -rf %s/crc", t);
	cr_expect_eq(run(out, OUT_CAP, "umask 022; %s extract -q %s -d %s/crc "
			 "2>&1", ZS_BIN, bad, t), 2, "%s: %s", a, out);
	/* the one difference from 7zz's tree: no file for the bad entry */
	run(out, OUT_CAP, COMPARE " --no-times %s/7z %s/crc", t, t);
	char want[4200];
	snprintf(want, sizeof(want), "%s: only in %s/7z\n", entry, t);
	cr_expect_str_eq(out, want, "%s: extract with %s's CRC flipped", a,
			 entry);
	cr_expect_eq(run(NULL, 0, "%s cat %s '%s' > /dev/null 2>&1", ZS_BIN,
			 bad, entry), 2, "%s: cat %s", a, entry);
	free(out);
}

/* Half of `entry`'s data: exit 2, the method named, the data ends early. */
static void truncated(const char *a, const char *t, const char *entry,
		      unsigned method)
{
	char *out = malloc(OUT_CAP), cut[4200], name[64];
	snprintf(cut, sizeof(cut), "%s/cut.zip", t);
	snprintf(name, sizeof(name), "%s data", zs_method_name(method));
	cr_assert_eq(run(NULL, 0, DAMAGE " truncate %s %s '%s'", a, cut,
			 entry), 0);
	static const char *const opts[] = { "", SMALL };
	for (int k = 0; k < 2; k++) {
		if (k && was_refused(t, entry))
			continue;
		cr_expect_eq(run(out, OUT_CAP, "%s test %s %s 2>&1", ZS_BIN,
				 opts[k], cut), 2, "%s %s: %s", a, entry, out);
		cr_expect(strstr(out, entry) && strstr(out, name) &&
			  (strstr(out, "ends early") ||
			   strstr(out, "truncated")), "%s %s %s: %s", a, entry,
			  opts[k], out);
	}
	cr_expect_eq(run(NULL, 0, "%s extract -q %s -d %s/cut 2>/dev/null; "
			 "s=$?; test -z \"$(find %s/cut -type f)\" && exit $s",
			 ZS_BIN, cut, t, t), 2, "%s: truncated %s extracted",
		     a, entry);
	free(out);
}

static void battery(const method_archive *m)
{
	const char *a = path_of(m->path);
	char buf[4096];
	if (!a)
		return;   /* a corpus archive, and no corpus */
	if (is_pending(m->method)) {
		still_unsupported(a, m->method);
		return;
	}
	tests_clean(a);
	char *t = temp_dir("methods");
	/* -snld: 7-Zip calls a link "dangerous" that climbs out of its own
	 * directory, even when it stays inside the target (7z_lzma.zip) */
	cr_assert_eq(run(buf, sizeof(buf), "umask 022; 7zz x -bd -snld -o%s/7z "
			 "%s 2>&1 >/dev/null", t, a), 0, "7zz x %s: %s", a,
		     buf);
	long refused = tests_small(m, a, t);
	extract_equals_7zz(m, a, t, "zs", "", 0);
	extract_equals_7zz(m, a, t, "small1", "-j1 " SMALL, refused);
	extract_equals_7zz(m, a, t, "small2", "-j2 " SMALL, refused);
	cat_equals_7zz(a, t, "", 0);
	if (run(NULL, 0, "cd %s/7z && find . -type f | sed 's|^\\./||' | "
		"grep -qvxF -f ../refused", t) == 0)
		cat_equals_7zz(a, t, SMALL, refused > 0);
	stats_count_methods(a);
	/* the largest and the smallest entry in the method */
	cr_assert_eq(run(buf, sizeof(buf), DAMAGE " pick %s %u", a,
			 m->method), 0);
	char *second = strchr(buf, '\n');
	cr_assert(second && second[1], "%s: no entry in method %u", a,
		  m->method);
	*second++ = '\0';
	second[strcspn(second, "\n")] = '\0';
	crc_flipped(a, t, buf);
	truncated(a, t, buf, m->method);
	if (strcmp(buf, second)) {
		crc_flipped(a, t, second);
		truncated(a, t, second, m->method);
	}
	drop_dir(t);
}

/* One Test per method, so that Criterion runs them side by side. */
static void battery_for(unsigned method)
{
	size_t n = 0;
	for (size_t k = 0; k < N_ARCHIVES; k++)
		if (archives[k].method == method) {
			battery(&archives[k]);
			n++;
		}
	cr_assert(n > 0);
}

Test(methods, deflate_control, .timeout = 900) { battery_for(8); }
Test(methods, deflate64, .timeout = 900) { battery_for(9); }
Test(methods, bzip2, .timeout = 900) { battery_for(12); }
Test(methods, lzma, .timeout = 900) { battery_for(14); }
Test(methods, xz, .timeout = 900) { battery_for(95); }
Test(methods, zstd, .timeout = 900) { battery_for(93); }

/* The fixtures are what methods.json says: each archive in its method. */
Test(methods, fixtures_are_in_their_methods)
{
	for (size_t k = 0; k < N_ARCHIVES; k++) {
		const char *a = path_of(archives[k].path);
		if (!a)
			continue;
		cr_expect_gt(entries_in(a, archives[k].method), 0,
			     "%s has no entry in method %u", a,
			     archives[k].method);
	}
}

Test(methods, ppmd_stays_unsupported)
{
	static const char *const ppmd[] = { "F:7z-ppmd.zip", "C:zip2/ppmd.zip",
		"C:libarchive/test_read_format_zip_ppmd8.zipx",
		"C:libarchive/test_read_format_zip_ppmd8_multi.zipx" };
	char *out = malloc(OUT_CAP);
	for (size_t k = 0; k < 4; k++) {
		const char *a = path_of(ppmd[k]);
		if (!a)
			continue;
		long n = entries_in(a, 98), seen = 0;
		cr_expect_gt(n, 0, "%s", a);
		cr_expect_eq(run(out, OUT_CAP, "%s test %s 2>&1", ZS_BIN, a),
			     81, "%s: %s", a, out);
		for (char *p = out; (p = strstr(p, "unsupported compression "
						 "method 98 (ppmd)")); p++)
			seen++;
		cr_expect_eq(seen, n, "%s: %s", a, out);
	}
	/* what is not PPMd is still tested and extracted */
	char *t = temp_dir("methods");
	const char *a = path_of("F:7z-ppmd.zip");
	cr_expect_eq(run(out, OUT_CAP, "%s test --json %s | " ZS_PYTHON " -c '"
			 "import json, sys\n"
			 "d = json.load(sys.stdin)\n"
			 "print(sorted({(e[\"method\"], e[\"status\"]) "
			 "for e in d[\"entries\"]}))'", ZS_BIN, a), 0);
	cr_expect_str_eq(out, "[(0, 'ok'), (98, 'unsupported')]\n");
	cr_expect_eq(run(NULL, 0, "%s extract -q %s -d %s/x 2>/dev/null",
			 ZS_BIN, a, t), 81);
	cr_expect_eq(run(out, OUT_CAP, "cd %s/x && find . | LC_ALL=C sort | "
			 "tr '\\n' ' '", t), 0);
	cr_expect_str_eq(out, ". ./bin ./empty ./empty-dir ./text ");
	drop_dir(t);
	free(out);
}

/* Run a command under `timeout`; its exit status and wall seconds. */
static int timed(char *out, double *secs, const char *archive,
		 const char *opts)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int st = run(out, OUT_CAP, "timeout 60 %s test %s %s 2>&1", ZS_BIN,
		     opts, archive);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*secs = (double)(t1.tv_sec - t0.tv_sec) +
		(double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return st;
}

Test(methods, fuzzer_regressions_end_quickly_and_cleanly, .timeout = 300)
{
	char *out = malloc(OUT_CAP);
	double secs;
	/* as found: a lone local header, no end record; nothing to decode */
	static const char *const lone[] = {
		"C:libarchive/test_read_format_zip_bz2_hang.zip",
		"C:libarchive/test_read_format_zip_lzma_alone_leak.zipx",
		"C:libarchive/test_read_format_zip_zipx_lzma_oom.zipx" };
	for (size_t k = 0; k < 3; k++) {
		const char *a = path_of(lone[k]);
		if (!a)
			continue;
		cr_expect_eq(timed(out, &secs, a, ""), 9, "%s: %s", a, out);
		cr_expect(strstr(out, "not a ZIP archive"), "%s: %s", a, out);
		cr_expect_lt(secs, 10.0, "%s: %.1f s", a, secs);
	}
	/* zipx_lzma_oom with a central directory (methods.py): LZMA
	 * properties asking for a 4 GiB dictionary and no data after them.
	 * Python reads 0 bytes and passes it (it never decodes: the size is
	 * 0); 7-Zip says "Data Error", and so must we, without allocating
	 * the dictionary: under a 4 GB address-space cap, not ASan's */
	const char *a = path_of("F:lzma-oom.zip");
	if (!a) {   /* the rest are corpus archives too */
		free(out);
		return;
	}
	if (is_pending(14)) {
		still_unsupported(a, 14);
	} else {
#ifdef ZS_BIN_OVERRIDE
		const char *cap = "";
#else
		const char *cap = "ulimit -v 4000000; ";
#endif
		int st = run(out, OUT_CAP, "%s timeout 60 %s test %s 2>&1", cap,
			     ZS_BIN, a);
		cr_expect_eq(st, 2, "%s: %s", a, out);
		cr_expect(strstr(out, "lzma data") ||
			  strstr(out, "the decoder needs"), "%s: %s", a, out);
	}
	/* Deflate64 data running past the end of the archive, in an archive
	 * declaring 1.2 GB: the entry fails its header check and is never
	 * decoded, so its declared size refuses nothing (limits.c) */
	a = path_of("C:zip2/raw_deflate64_index_out_of_bounds.zip");
	cr_expect_eq(timed(out, &secs, a, ""), 2, "%s: %s", a, out);
	cr_expect_eq(timed(out, &secs, a, "--allow-overlap --max-ratio 0"), 2,
		     "%s: %s", a, out);
	cr_expect(strstr(out, "past the end of the archive"), "%s", out);
	cr_expect_lt(secs, 10.0, "%s: %.1f s", a, secs);
	a = path_of("C:zip2/deflate64_issue_25.zip");
	cr_expect_eq(timed(out, &secs, a, ""), 3, "%s: %s", a, out);
	free(out);
}

/* libzip's testbzip2broken.zip: a corrupt bzip2 stream.  unzip: "invalid
 * bzip2 data" (2); Python: OSError "Invalid data stream"; 7zz: Data Error. */
Test(methods, corrupt_bzip2_fails)
{
	NEED_CORPUS();
	char *out = malloc(OUT_CAP);
	const char *a = path_of("C:libzip/testbzip2broken.zip");
	if (is_pending(12)) {
		still_unsupported(a, 12);
	} else {
		cr_expect_eq(run(out, OUT_CAP, "%s test %s 2>&1", ZS_BIN, a), 2,
			     "%s", out);
		cr_expect(strstr(out, "bzip2 data: "), "%s", out);
		char *t = temp_dir("methods");
		cr_expect_eq(run(NULL, 0, "%s extract -q %s -d %s/x "
				 "2>/dev/null; s=$?; test -z \"$(find %s/x "
				 "-type f)\" && exit $s", ZS_BIN, a, t, t), 2);
		drop_dir(t);
	}
	free(out);
}
