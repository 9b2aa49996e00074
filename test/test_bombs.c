/* SPDX-License-Identifier: MIT */
/*
 * test_bombs.c - the zip bombs of test/bombs.py (after Fifield, "A better
 * zip bomb"), in build/fixtures/bombs.  Every overlapping one is refused
 * before anything is decoded: by `test` (exit 12, the overlapping entries
 * named in its JSON), in-process, by `extract` (nothing written), `check`
 * and `cat`, while `list` still lists it.  The one without overlap decodes,
 * within DEFLATE's 1032:1.  Peak memory stays bounded by threads x
 * --memory-limit.  --max-total and --max-ratio stop what they should.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"

static const char *overlapping[] = {
	"bomb-full.zip", "bomb-quoted.zip", "bomb-extra.zip",
	"bomb-spacers.zip", "bomb-zip64.zip", "bomb-quoted-big.zip",
};
#define N_OVERLAPPING (sizeof(overlapping) / sizeof(overlapping[0]))

/* The JSON of a 10,000-entry archive is about 2.5 MB. */
#define JSON_CAP (16u << 20)

/* Peak memory of `zipscan test -j 2 --memory-limit 16M` on a bomb may be
 * two 16 MiB buffers plus this.  Measured (GNU time): 2.3-4.5 MB peak RSS
 * for every bomb (the 4.4 MB are bomb-zip64's and bomb-quoted-big's, with
 * 4.4 MB of headers mapped or an index of 10,000 entries), 2.9-4.0 MB for
 * small ordinary fixtures: that is the process itself (libc, OpenMP,
 * libdeflate, ISA-L); and ~2.5 MB for this test process (see run_rss).
 * 16 MiB is over three times the largest, for other builds of those
 * libraries. */
#define MEM_THREADS 2
#define MEM_LIMIT (16ull << 20)
#define MEM_ALLOWANCE (16ull << 20)

/* What bombs.py says about one archive (from bombs.json). */
typedef struct bomb_meta {
	uint64_t file_size, entries, declared_total, bomb_entries;
	int overlapping;
} bomb_meta;

static uint64_t json_number(const char *obj, const char *end, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	const char *p = strstr(obj, pat);
	cr_assert(p && p < end, "bombs.json: no %s", key);
	p += strlen(pat);
	if (!strncmp(p, "true", 4))
		return 1;
	if (!strncmp(p, "false", 5))
		return 0;
	return strtoull(p, NULL, 10);
}

static bomb_meta meta(const char *name)
{
	static char buf[1 << 16];
	FILE *f = fopen(fixture("bombs/bombs.json"), "r");
	cr_assert_not_null(f, "bombs.json: run test/bombs.py");
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char pat[128];
	snprintf(pat, sizeof(pat), "\"%s\": {", name);
	const char *obj = strstr(buf, pat);
	cr_assert_not_null(obj, "bombs.json: no %s", name);
	const char *end = strchr(obj, '}');
	cr_assert_not_null(end);
	bomb_meta m = {
		.file_size = json_number(obj, end, "file_size"),
		.entries = json_number(obj, end, "entries"),
		.declared_total = json_number(obj, end, "declared_total"),
		.bomb_entries = json_number(obj, end, "bomb_entries"),
		.overlapping = (int)json_number(obj, end, "overlapping"),
	};
	return m;
}

static const char *bomb(const char *name)
{
	static __thread char path[4096];
	snprintf(path, sizeof(path), "%s/bombs/%s", ZS_FIXTURES, name);
	return path;
}

static int is_spacer(const char *name, size_t len)
{
	return len >= 7 && !memcmp(name, "spacer-", 7);
}

/* A quoted JSON string value after `key` in [p, end), unescaped only as far
 * as needed here (the names are plain ASCII). */
static int json_string(const char *p, const char *end, const char *key,
		       char *out, size_t cap)
{
	char pat[32];
	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	const char *s = strstr(p, pat);
	if (!s || s >= end)
		return 0;
	s += strlen(pat);
	size_t n = 0;
	while (s < end && *s != '"' && n + 1 < cap) {
		if (*s == '\\')
			s++;
		out[n++] = *s++;
	}
	out[n] = '\0';
	return 1;
}

/*
 * Check `zipscan test --json` output: every entry flagged as overlapping is
 * a bomb file and names another bomb file; all bomb files but at most one
 * (the outermost span, which the others are found inside) are flagged; no
 * spacer is; nothing was decoded.
 */
static void check_json(const char *name, const char *json, bomb_meta m)
{
	uint64_t entries = 0, flagged = 0;
	const char *p = json;
	while ((p = strstr(p, "{\"name\":\"")) != NULL) {
		const char *end = strchr(p, '}');
		cr_assert_not_null(end);
		char ename[256], status[32], error[512];
		cr_assert(json_string(p, end, "name", ename, sizeof(ename)));
		cr_assert(json_string(p, end, "status", status,
				      sizeof(status)));
		entries++;
		int spacer = is_spacer(ename, strlen(ename));
		if (spacer)
			cr_assert_str_eq(status, "untested", "%s: %s %s", name,
					 ename, status);
		if (json_string(p, end, "error", error, sizeof(error)) &&
		    strstr(error, "overlaps entry ")) {
			cr_assert_str_eq(status, "bad");
			cr_assert(!spacer, "%s: spacer %s flagged", name, ename);
			/* overlaps entry K "NAME" at offset ... */
			const char *other = strchr(error, '"');
			cr_assert_not_null(other, "%s: %s", name, error);
			cr_assert(!is_spacer(other + 1, strlen(other + 1)),
				  "%s: %s", name, error);
			cr_assert(strstr(error, "possible zip bomb"));
			flagged++;
		}
		p = end;
	}
	cr_assert_eq(entries, m.entries, "%s: %" PRIu64 " entries in JSON",
		     name, entries);
	cr_assert(flagged + 1 >= m.bomb_entries && flagged <= m.bomb_entries,
		  "%s: %" PRIu64 " of %" PRIu64 " bomb entries flagged", name,
		  flagged, m.bomb_entries);
	cr_assert(strstr(json, "\"message\":\"invalid zip file with "
			 "overlapped components (possible zip bomb)\""),
		  "%s: no overlap finding", name);
	cr_assert(strstr(json, "\"ok\":0,"), "%s", name);
	cr_assert(strstr(json, "\"bytes_out\":0,"), "%s", name);
	cr_assert(strstr(json, "\"status\":12}"), "%s", name);
}

Test(bombs, generator_describes_real_bombs)
{
	for (size_t k = 0; k < N_OVERLAPPING; k++) {
		bomb_meta m = meta(overlapping[k]);
		struct stat st;
		cr_assert_eq(stat(bomb(overlapping[k]), &st), 0);
		cr_assert_eq((uint64_t)st.st_size, m.file_size);
		cr_assert(m.overlapping, "%s", overlapping[k]);
		/* past anything one layer of DEFLATE can do */
		cr_assert_gt(m.declared_total / m.file_size, 10000,
			     "%s: ratio %" PRIu64, overlapping[k],
			     m.declared_total / m.file_size);
	}
	bomb_meta big = meta("bomb-quoted-big.zip");
	cr_assert_geq(big.entries, 10000);
	cr_assert_gt(big.declared_total, 1000000000000ull);  /* TBs */
	bomb_meta z = meta("bomb-zip64.zip");
	cr_assert_gt(z.declared_total / z.entries, UINT32_MAX,
		     "zip64: entries over 4 GiB");
	bomb_meta none = meta("bomb-none.zip");
	cr_assert(!none.overlapping);
	cr_assert_leq(none.declared_total, 200u << 20);
	bomb_meta sp = meta("bomb-spacers.zip");
	cr_assert_lt(sp.bomb_entries, sp.entries, "spacers present");
}

Test(bombs, test_refuses_and_names_the_overlapping_entries)
{
	char *out = malloc(JSON_CAP);
	cr_assert_not_null(out);
	for (size_t k = 0; k < N_OVERLAPPING; k++) {
		int st = run(out, JSON_CAP, "%s test --json %s 2>/dev/null",
			     ZS_BIN, bomb(overlapping[k]));
		cr_assert_eq(st, 12, "%s: exit %d", overlapping[k], st);
		check_json(overlapping[k], out, meta(overlapping[k]));
	}
	free(out);
}

Test(bombs, nothing_is_decoded_in_process)
{
	for (size_t k = 0; k < N_OVERLAPPING; k++) {
		const char *name = overlapping[k];
		char path[256];
		snprintf(path, sizeof(path), "bombs/%s", name);
		bomb_meta m = meta(name);
		zs_archive a;
		zs_totals t;
		int st = scan_fixture(&a, path, 2, 0, &t);
		cr_assert_eq(st, ZS_EXIT_OVERLAP, "%s: exit %d", name, st);
		cr_assert_eq(a.index.count, m.entries);
		cr_assert_eq(t.bytes_out, 0, "%s: nothing may be decoded",
			     name);
		cr_assert_eq(t.ok, 0, "%s", name);
		cr_assert_geq(a.overlaps + 1, m.bomb_entries, "%s: %zu",
			      name, a.overlaps);
		for (size_t i = 0; i < a.index.count; i++) {
			const char *n = (const char *)a.data +
					a.index.name_offset[i];
			int spacer = is_spacer(n, a.index.name_len[i]);
			cr_assert_neq(a.index.status[i], ZS_ENTRY_OK);
			if (a.index.error[i] != ZS_E_OVERLAP) {
				cr_assert(spacer || a.overlaps + 1 ==
					  m.bomb_entries, "%s: %zu", name, i);
				continue;
			}
			cr_assert(!spacer, "%s: spacer %zu flagged", name, i);
			/* the other entry: a bomb file, not the directory */
			uint64_t o = a.index.err_a[i];
			cr_assert_lt(o, a.index.count, "%s: %zu", name, i);
			cr_assert(!is_spacer((const char *)a.data +
					     a.index.name_offset[o],
					     a.index.name_len[o]));
		}
		zs_archive_close(&a);
	}
}

Test(bombs, extract_writes_nothing)
{
	for (size_t k = 0; k < N_OVERLAPPING; k++) {
		char dir[] = "/tmp/zipscan-bombs-XXXXXX", out[64];
		cr_assert_not_null(mkdtemp(dir));
		int st = run(NULL, 0, "%s extract -d %s/out %s >/dev/null "
			     "2>&1", ZS_BIN, dir, bomb(overlapping[k]));
		cr_assert_eq(st, 12, "%s: exit %d", overlapping[k], st);
		run(out, sizeof(out), "find %s -mindepth 1 | wc -l", dir);
		cr_assert_eq(atoi(out), 0, "%s: %s files written",
			     overlapping[k], out);
		run(NULL, 0, "rm -rf %s", dir);
	}
}

/* `check` (the audit alone) reports the overlap too, and `cat` of the
 * last entry writes nothing. */
Test(bombs, check_and_cat_refuse_too)
{
	for (size_t k = 0; k < N_OVERLAPPING; k++) {
		const char *name = overlapping[k];
		int st = run(NULL, 0, "%s check %s >/dev/null 2>&1", ZS_BIN,
			     bomb(name));
		cr_assert_eq(st, 12, "check %s: exit %d", name, st);
		zs_archive a;
		zs_options o;
		zs_options_init(&o);
		zs_archive_open(&a, bomb(name), &o);
		cr_assert(a.indexed, "%s", name);
		size_t last = a.index.count - 1;
		char entry[256];
		snprintf(entry, sizeof(entry), "%.*s",
			 (int)a.index.name_len[last],
			 (const char *)a.data + a.index.name_offset[last]);
		zs_archive_close(&a);
		char out[64];
		st = run(out, sizeof(out), "%s cat %s '%s' 2>/dev/null", ZS_BIN,
			 bomb(name), entry);
		cr_assert_eq(st, 12, "cat %s %s: exit %d", name, entry, st);
		cr_assert_eq(out[0], '\0', "cat %s %s wrote data", name,
			     entry);
	}
	cr_assert_eq(run(NULL, 0, "%s check %s >/dev/null 2>&1", ZS_BIN,
			 bomb("bomb-none.zip")), 0);
}

/* Today `list` lists every entry and still exits 12, as unzip -l lists
 * but unzip -t refuses. */
Test(bombs, list_still_lists)
{
	char *out = malloc(JSON_CAP);
	cr_assert_not_null(out);
	for (size_t k = 0; k < N_OVERLAPPING; k++) {
		bomb_meta m = meta(overlapping[k]);
		int st = run(out, JSON_CAP, "%s list %s 2>/dev/null", ZS_BIN,
			     bomb(overlapping[k]));
		cr_assert_eq(st, 12, "%s: exit %d", overlapping[k], st);
		char want[64];
		snprintf(want, sizeof(want), " %" PRIu64 " files\n",
			 m.entries);
		cr_assert(strstr(out, want), "%s: no '%s'", overlapping[k],
			  want);
		size_t lines = 0;
		for (const char *p = out; *p; p++)
			lines += *p == '\n';
		/* "Archive:", column names, a rule; a line per entry; a rule
		 * and the totals */
		cr_assert_eq(lines, m.entries + 5, "%s: %zu lines",
			     overlapping[k], lines);
	}
	free(out);
}

Test(bombs, no_overlap_decodes_within_deflate_ratio)
{
	bomb_meta m = meta("bomb-none.zip");
	zs_archive a;
	zs_totals t;
	int st = scan_fixture(&a, "bombs/bomb-none.zip", 2, 16u << 20, &t);
	cr_assert_eq(st, 0);
	cr_assert_eq(t.ok, m.entries);
	cr_assert_eq(t.bytes_out, m.declared_total);
	cr_assert_leq(t.bytes_out, m.file_size * 1032);
	zs_archive_close(&a);
	cr_assert_eq(run(NULL, 0, "%s test -q %s", ZS_BIN,
			 bomb("bomb-none.zip")), 0);
}

/* Run argv[0] with argv; its exit status, and its peak RSS in bytes.  The
 * kernel counts in a child's ru_maxrss the copy of this process it was
 * before exec, so the figure is the larger of that and the command's. */
static int run_rss(char *const argv[], uint64_t *peak)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	int status;
	struct rusage ru;
	cr_assert_eq(wait4(pid, &status, 0, &ru), pid);
	*peak = (uint64_t)ru.ru_maxrss * 1024;  /* Linux: kilobytes */
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

Test(bombs, peak_memory_is_bounded)
{
	/* what this process adds to every figure (see run_rss): must be
	 * small for the figures to be zipscan's */
	char *none[] = { "/bin/true", NULL };
	uint64_t base;
	cr_assert_eq(run_rss(none, &base), 0);
	cr_log_info("fork/exec /bin/true: peak RSS %" PRIu64 " kB",
		    base >> 10);
#ifndef ZS_BIN_OVERRIDE
	cr_assert_lt(base, MEM_ALLOWANCE / 2, "test process: %" PRIu64, base);
#endif
	const char *all[N_OVERLAPPING + 1];
	memcpy(all, overlapping, sizeof(overlapping));
	all[N_OVERLAPPING] = "bomb-none.zip";
	for (size_t k = 0; k < N_OVERLAPPING + 1; k++) {
		char threads[16], limit[32];
		snprintf(threads, sizeof(threads), "%d", MEM_THREADS);
		snprintf(limit, sizeof(limit), "%llu", MEM_LIMIT);
		char *argv[] = { (char *)ZS_BIN, "test", "-q", "-j", threads,
				 "--memory-limit", limit, (char *)bomb(all[k]),
				 NULL };
		uint64_t peak;
		int st = run_rss(argv, &peak);
		cr_assert_eq(st, meta(all[k]).overlapping ? 12 : 0,
			     "%s: exit %d", all[k], st);
		cr_log_info("%s: peak RSS %" PRIu64 " kB", all[k], peak >> 10);
#ifndef ZS_BIN_OVERRIDE  /* ASan's shadow memory is not zipscan's */
		cr_assert_lt(peak, MEM_THREADS * MEM_LIMIT + MEM_ALLOWANCE,
			     "%s: peak RSS %" PRIu64, all[k], peak);
		/* a refused bomb gets no output buffers at all */
		if (meta(all[k]).overlapping)
			cr_assert_lt(peak, MEM_ALLOWANCE, "%s: peak RSS %"
				     PRIu64, all[k], peak);
#endif
	}
}

/*
 * Limits on the declared output: --max-total BYTES and --max-ratio R stop
 * an archive (exit 12, nothing decoded) whose selected entries declare more
 * than BYTES, or more than R times the archive's size (defaults 1 TiB and
 * 10000; 0 disables).
 */

/* A number from the JSON summary ("key":N). */
static uint64_t summary_number(const char *json, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"summary\":{");
	const char *s = strstr(json, pat);
	cr_assert_not_null(s, "no summary in %.200s", json);
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	const char *p = strstr(s, pat);
	cr_assert_not_null(p, "no %s in the summary", key);
	return strtoull(p + strlen(pat), NULL, 10);
}

/* `zipscan test --json ARGS bomb`: exit status; its bytes_out and ok, and
 * whether a finding's code starts with `code` (NULL: not asked). */
static int test_json(const char *args, const char *name, uint64_t *bytes_out,
		     uint64_t *ok, const char *code, int *has_code)
{
	char *out = malloc(JSON_CAP);
	cr_assert_not_null(out);
	int st = run(out, JSON_CAP, "%s test --json %s %s 2>/dev/null",
		     ZS_BIN, args, bomb(name));
	*bytes_out = summary_number(out, "bytes_out");
	*ok = summary_number(out, "ok");
	if (code) {
		char pat[64];
		snprintf(pat, sizeof(pat), "\"code\":\"%s", code);
		*has_code = strstr(out, pat) != NULL;
	}
	free(out);
	return st;
}

Test(bomb_limits, allow_overlap_is_still_stopped_by_the_default_ratio)
{
	bomb_meta m = meta("bomb-quoted.zip");
	cr_assert_gt(m.declared_total / m.file_size, 10000);
	cr_assert_lt(m.declared_total, 1ull << 40);  /* under max-total */
	uint64_t out, ok;
	int by_ratio;
	int st = test_json("--allow-overlap", "bomb-quoted.zip", &out, &ok,
			   "max-ratio", &by_ratio);
	cr_assert_eq(st, 12, "exit %d", st);
	cr_assert(by_ratio, "no max-ratio finding");
	cr_assert_eq(out, 0, "%" PRIu64 " bytes decoded", out);
	cr_assert_eq(ok, 0);
}

Test(bomb_limits, explicit_limits_stop_or_pass_the_linear_bomb)
{
	bomb_meta m = meta("bomb-none.zip");
	uint64_t ratio = m.declared_total / m.file_size;  /* ~1024 */
	char args[128];
	uint64_t out, ok;
	const struct { const char *opt; uint64_t value; int stops; } cases[] = {
		{ "max-ratio", ratio / 2, 1 },
		{ "max-ratio", ratio + 1, 0 },
		{ "max-total", m.declared_total - 1, 1 },
		{ "max-total", m.declared_total, 0 },   /* not past it */
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		snprintf(args, sizeof(args), "--%s %" PRIu64, cases[k].opt,
			 cases[k].value);
		int stopped;
		int st = test_json(args, "bomb-none.zip", &out, &ok,
				   cases[k].opt, &stopped);
		cr_assert_eq(stopped, cases[k].stops, "%s: finding %d", args,
			     stopped);
		if (cases[k].stops) {
			cr_assert_eq(st, 12, "%s: exit %d", args, st);
			cr_assert_eq(out, 0, "%s: %" PRIu64 " decoded", args,
				     out);
			cr_assert_eq(ok, 0, "%s", args);
		} else {
			cr_assert_eq(st, 0, "%s: exit %d", args, st);
			cr_assert_eq(out, m.declared_total, "%s", args);
			cr_assert_eq(ok, m.entries, "%s", args);
		}
	}
}

/* With every guard off the quoted bomb is decoded as far as zipscan will:
 * no limit stops it, and the output stays within what is declared (about
 * 105 MB), still reported as overlap. */
Test(bomb_limits, all_guards_off_output_is_bounded)
{
	bomb_meta m = meta("bomb-quoted.zip");
	uint64_t out, ok;
	int limited;
	int st = test_json("--allow-overlap --max-ratio 0 --max-total 0",
			   "bomb-quoted.zip", &out, &ok, "max-", &limited);
	cr_assert_eq(st, 12, "exit %d", st);
	cr_assert(!limited, "a max-total or max-ratio finding with both off");
	cr_assert_gt(out, 0, "nothing decoded");
	cr_assert_geq(ok, 1);
	cr_assert_leq(out, m.declared_total);
}

/*
 * ... and every entry of it decodes: each is valid DEFLATE with the right
 * CRC, so the output is exactly what is declared.
 */
Test(bomb_limits, all_guards_off_decodes_a_small_bomb_exactly)
{
	bomb_meta m = meta("bomb-quoted.zip");
	uint64_t out, ok;
	int st = test_json("--allow-overlap --max-ratio 0 --max-total 0",
			   "bomb-quoted.zip", &out, &ok, NULL, NULL);
	cr_assert_eq(st, 12, "exit %d", st);
	cr_assert_eq(ok, m.entries, "%" PRIu64 " of %" PRIu64 " ok", ok,
		     m.entries);
	cr_assert_eq(out, m.declared_total, "%" PRIu64 " bytes decoded", out);
}

/* bzip2, LZMA, xz and zstd have no ratio ceiling: past 1,000:1 of the
 * archive's size their declared output is refused by default (a 100 KB
 * bzip2 archive once made test run 4.8 s and extract write 1 GB under
 * the 10,000:1 that holds for Deflate); --max-ratio lifts it, and a
 * Deflate archive of the same ratio class is not touched. */
Test(bombs, methods_without_a_ceiling_get_a_lower_ratio)
{
	char *t = temp_dir("ratio"), out[4096];
	/* 8 MiB of zeros and 4 KiB of noise: about 2,000:1 in bzip2, xz */
	cr_assert_eq(run(NULL, 0, "cd %s && %s -c '"
			 "import os, zipfile\n"
			 "data = bytes(8 << 20) + os.urandom(4096)\n"
			 "for m, n in ((zipfile.ZIP_BZIP2, \"bz\"), "
			 "(zipfile.ZIP_LZMA, \"lz\"), (zipfile.ZIP_DEFLATED, "
			 "\"df\")):\n"
			 "    with zipfile.ZipFile(n + \".zip\", \"w\", m) as z:\n"
			 "        z.writestr(\"zeros\", data)\n'", t, ZS_PYTHON),
		     0);
	static const char *const unbounded[] = { "bz", "lz" };
	for (size_t k = 0; k < 2; k++) {
		int st = run(out, sizeof(out), "%s test %s/%s.zip 2>&1", ZS_BIN,
			     t, unbounded[k]);
		cr_expect_eq(st, 12, "%s: %d %s", unbounded[k], st, out);
		cr_expect(strstr(out, "no ratio ceiling"), "%s", out);
		cr_expect_eq(run(NULL, 0, "%s test -q --max-ratio 5000 %s/%s.zip",
				 ZS_BIN, t, unbounded[k]), 0, "%s",
			     unbounded[k]);
		cr_expect_eq(run(NULL, 0, "%s test -q --max-ratio 0 %s/%s.zip",
				 ZS_BIN, t, unbounded[k]), 0, "%s",
			     unbounded[k]);
	}
	/* zs_entry_read applies the same limit as the scan */
	char path[4096];
	snprintf(path, sizeof(path), "%s/bz.zip", t);
	zs_options o;
	zs_options_init(&o);
	int st;
	zs_archive *a = zs_open(path, &o, &st);
	cr_assert(a, "open %s: %d", path, st);
	static unsigned char buf[(8 << 20) + 4096];
	size_t len = 0;
	cr_expect_eq(zs_entry_read(a, 0, buf, sizeof(buf), &len, &o), 12);
	o.max_ratio_unbounded = 5000;
	cr_expect_eq(zs_entry_read(a, 0, buf, sizeof(buf), &len, &o), 0);
	cr_expect_eq(len, sizeof(buf), "%zu bytes read", len);
	zs_close(a);
	/* Deflate: at most 1,032:1 by its format, the old default stands */
	cr_expect_eq(run(out, sizeof(out), "%s test -q %s/df.zip 2>&1", ZS_BIN,
			 t), 0, "%s", out);
	drop_dir(t);
}
