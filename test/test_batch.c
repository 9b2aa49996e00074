/* SPDX-License-Identifier: MIT */
/*
 * test_batch.c - several archives as one batch (zs_batch_run; `zipscan
 * test|list|check A B...`): the output and the exit status are those of
 * running the archives one by one, byte for byte, for every thread count
 * and every window size, with broken archives in the middle.
 */
#include "helpers.h"

/* Good, bad, not a ZIP, missing, refused, damaged, encrypted: every kind
 * of report and status in one batch. */
static const char *const batch_names[] = {
	"basic.zip", "bad-crc.zip", "notzip.bin", "no-such-archive.zip",
	"many.zip", "overlap-full.zip", "cd-missing.zip", "encrypted.zip",
	"mixed.zip", "bad-deflate.zip", "basic.zip",
};
#define N_BATCH (sizeof(batch_names) / sizeof(batch_names[0]))

static char *batch_paths(void)
{
	static char list[8192];
	size_t n = 0;
	for (size_t k = 0; k < N_BATCH; k++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, " %s",
				      fixture(batch_names[k]));
	return list;
}

/* `zipscan CMD FLAGS` on each archive in turn, into DIR/one.out, .err;
 * returns the worst of their statuses. */
static int one_by_one(const char *dir, const char *cmd, const char *flags)
{
	char rcs[256];
	run(NULL, 0, "cd %s && rm -f one.*; for f in %s; do %s %s %s $f "
	    ">>one.out 2>>one.err; echo $? >>one.rc; done", dir, batch_paths(),
	    ZS_BIN, cmd, flags);
	run(rcs, sizeof(rcs), "cat %s/one.rc", dir);
	int worst = 0;
	char *p = rcs, *end;
	for (long v; (v = strtol(p, &end, 10)), end != p; p = end)
		worst = zs_exit_worse(worst, (int)v);
	return worst;
}

/* The JSON "timing" member is the one thing that may differ. */
#define NO_TIMING "sed -i 's/,\"timing\":{[^}]*}//'"

static void expect_same_as_one_by_one(const char *cmd, const char *flags)
{
	char *dir = temp_dir("batch");
	int worst = one_by_one(dir, cmd, flags);

	for (int j = 1; j <= 2; j++) {
		int rc = run(NULL, 0, "cd %s && %s %s %s -j %d %s >b.out "
			     "2>b.err", dir, ZS_BIN, cmd, flags, j,
			     batch_paths());
		cr_expect_eq(rc, worst, "%s %s -j %d: exit %d, one by one %d",
			     cmd, flags, j, rc, worst);
		cr_expect_eq(run(NULL, 0, "cd %s && " NO_TIMING " one.out "
				 "b.out && cmp -s one.out b.out && cmp -s "
				 "one.err b.err", dir), 0,
			     "%s %s -j %d: output differs from one by one "
			     "(in %s)", cmd, flags, j, dir);
	}
	cr_expect_geq(worst, ZS_EXIT_NOTZIP, "the batch has a bad archive");
	drop_dir(dir);
}

Test(batch, test_as_one_by_one)
{
	expect_same_as_one_by_one("test", "");
	expect_same_as_one_by_one("test", "-q");
	expect_same_as_one_by_one("test", "--json");
}

Test(batch, list_as_one_by_one)
{
	expect_same_as_one_by_one("list", "");
	expect_same_as_one_by_one("list", "--json");
}

Test(batch, check_as_one_by_one)
{
	expect_same_as_one_by_one("check", "");
	expect_same_as_one_by_one("check", "-q");
	expect_same_as_one_by_one("check", "--json -i '*.txt'");
}

/* A report as `zipscan test` writes it. */
static int report_test(void *ctx, zs_archive *a, const zs_totals *t,
		       FILE *out, FILE *err)
{
	(void)ctx;
	zs_report_findings_text(a, err);
	if (zs_report_test_text(a, t, 0, out) != 0)
		return ZS_EXIT_WRITE;
	return zs_archive_status(a);
}

/* zs_batch_run into two strings (out, err); returns its status. */
static int batch_into(char *const *paths, size_t n, size_t max_a,
		      size_t max_e, int threads, char **out, char **err)
{
	zs_options o;
	size_t lo, le;
	zs_batch b = { .decode = 1, .max_archives = max_a,
		       .max_entries = max_e, .report = report_test };
	zs_options_init(&o);
	o.threads = threads;
	FILE *fo = open_memstream(out, &lo), *fe = open_memstream(err, &le);
	cr_assert(fo && fe);
	int rc = zs_batch_run(paths, n, &b, &o, fo, fe);
	fclose(fo);
	fclose(fe);
	return rc;
}

/* 60 archives (the same few, over and over) through windows of every
 * shape: one archive, a few, a window closed by its entry count, one
 * window for all; on one thread and on two.  All give the same bytes. */
Test(batch, windows_give_the_same_output)
{
	char *paths[60];
	for (size_t k = 0; k < 60; k++)
		paths[k] = strdup(fixture(batch_names[k % N_BATCH]));
	char *ref_out, *ref_err;
	int ref = batch_into(paths, 60, 1, 0, 1, &ref_out, &ref_err);
	cr_expect_eq(ref, ZS_EXIT_NOTZIP);   /* the worst: missing, not a ZIP */
	cr_expect(strstr(ref_out, "bad CRC"), "%s", ref_out);
	const size_t windows[][2] = { { 1, 0 }, { 7, 0 }, { 0, 5 }, { 0, 1 },
				      { 0, 0 }, { 60, 1u << 20 } };
	for (int j = 1; j <= 2; j++)
		for (size_t w = 0; w < 6; w++) {
			char *out, *err;
			int rc = batch_into(paths, 60, windows[w][0],
					    windows[w][1], j, &out, &err);
			cr_expect_eq(rc, ref, "window %zu/%zu, %d threads",
				     windows[w][0], windows[w][1], j);
			cr_expect_str_eq(out, ref_out);
			cr_expect_str_eq(err, ref_err);
			free(out), free(err);
		}
	free(ref_out), free(ref_err);
	for (size_t k = 0; k < 60; k++)
		free(paths[k]);
}

/* A pool of 8 regions of 4 KiB: 32 KiB in all. */
static zs_map_pool *small_pool(void)
{
	setenv("ZS_TEST_POOL_REGION", "4096", 1);
	zs_map_pool *pool = zs_map_pool_new();
	unsetenv("ZS_TEST_POOL_REGION");
	cr_assert(pool);
	return pool;
}

/* Small archives are read into the window's pool until it is full, then
 * mapped: the same archives either way. */
Test(batch, small_archives_fill_a_bounded_pool_then_are_mapped)
{
	enum { N = 300 };
	zs_options o;
	zs_archive *a[N];
	size_t pooled = 0;

	zs_options_init(&o);
	zs_map_pool *pool = small_pool();
	zs_archive *mapped = zs_open(fixture("cp437.zip"), &o, NULL);
	cr_assert(mapped && !zs_map_is_pooled(mapped));
	for (size_t k = 0; k < N; k++) {
		a[k] = zs_open_pooled(fixture("cp437.zip"), &o, pool, NULL);
		cr_assert(a[k]);
		pooled += (size_t)zs_map_is_pooled(a[k]);
		cr_expect_eq(zs_archive_status(a[k]),
			     zs_archive_status(mapped));
		cr_expect_eq(zs_entry_count(a[k]), zs_entry_count(mapped));
		cr_expect_eq(a[k]->size, mapped->size);
		cr_expect_eq(memcmp(a[k]->data, mapped->data, mapped->size),
			     0);
	}
	/* 121 bytes take 128 of a 4,096-byte region: 32 a region */
	cr_expect_eq(pooled, 8 * 32, "%zu pooled", pooled);
	for (size_t k = 0; k < N; k++)
		zs_close(a[k]);
	zs_close(mapped);
	zs_map_pool_free(pool);
}

/* A reset pool takes its archives into the memory it already holds, from
 * its first region on, and counts what they take. */
Test(batch, a_reset_pool_is_filled_again_from_its_start)
{
	zs_options o;
	zs_archive *a[40], *b[40];

	zs_options_init(&o);
	zs_map_pool *pool = small_pool();
	zs_archive *mapped = zs_open(fixture("cp437.zip"), &o, NULL);
	cr_assert(mapped);
	cr_expect_eq(zs_map_pool_window(pool), 8u << 20);
	for (size_t k = 0; k < 40; k++) {
		a[k] = zs_open_pooled(fixture("cp437.zip"), &o, pool, NULL);
		cr_assert(a[k] && zs_map_is_pooled(a[k]));
	}
	/* 121 bytes take 128, 32 to a region: the 33rd opens a second */
	cr_expect_eq(zs_map_pool_taken(pool), 40 * 128);
	const uint8_t *first = a[0]->data, *second = a[32]->data;
	for (size_t k = 0; k < 40; k++)
		zs_close(a[k]);
	zs_map_pool_reset(pool);
	cr_expect_eq(zs_map_pool_taken(pool), 0);
	for (size_t k = 0; k < 40; k++) {
		b[k] = zs_open_pooled(fixture("cp437.zip"), &o, pool, NULL);
		cr_assert(b[k] && zs_map_is_pooled(b[k]));
		cr_expect_eq(memcmp(b[k]->data, mapped->data, mapped->size),
			     0);
	}
	cr_expect_eq(b[0]->data, first, "the first region again");
	cr_expect_eq(b[32]->data, second, "the second region again");
	for (size_t k = 0; k < 40; k++)
		zs_close(b[k]);
	zs_close(mapped);
	zs_map_pool_free(pool);
}

/* 60 archives through a batch on `threads` threads with the test knob
 * set to value: the same output as without it. */
static void same_output_with(const char *knob, const char *value,
			     int threads)
{
	char *paths[60];
	for (size_t k = 0; k < 60; k++)
		paths[k] = strdup(fixture(batch_names[k % N_BATCH]));
	char *ref_out, *ref_err, *out, *err;
	int ref = batch_into(paths, 60, 0, 0, 1, &ref_out, &ref_err);
	setenv(knob, value, 1);
	int rc = batch_into(paths, 60, 0, 0, threads, &out, &err);
	unsetenv(knob);
	cr_expect_eq(rc, ref, "%s=%s, %d threads", knob, value, threads);
	cr_expect_str_eq(out, ref_out);
	cr_expect_str_eq(err, ref_err);
	free(out), free(err), free(ref_out), free(ref_err);
	for (size_t k = 0; k < 60; k++)
		free(paths[k]);
}

/* Windows closed by the bytes their archives take of the pool, which each
 * window then fills again, say what one window says, on one thread and
 * on two. */
Test(batch, windows_by_pool_bytes_give_the_same_output)
{
	for (int j = 1; j <= 2; j++) {
		same_output_with("ZS_TEST_POOL_WINDOW", "2048", j);
		same_output_with("ZS_TEST_POOL_WINDOW", "1", j);
	}
}

/* A batch whose pool fills up mid-window says what a roomy one says. */
Test(batch, a_full_pool_gives_the_same_output)
{
	same_output_with("ZS_TEST_POOL_REGION", "4096", 2);
}

/* take(): given each opened archive in order, after its report, and then
 * the owner; its failure stops the batch after that window. */
typedef struct taken {
	char names[64][256];
	size_t n, fail_at;   /* fail_at: the call that fails (1-based) */
} taken;

static int take_one(void *ctx, zs_archive *a)
{
	taken *tk = ctx;
	snprintf(tk->names[tk->n], sizeof(tk->names[0]), "%s",
		 zs_archive_path(a));
	tk->n++;
	cr_expect(a->map_kind != 0 && !zs_map_is_pooled(a),
		  "a given archive is mapped, not in the window's pool");
	zs_close(a);
	return tk->n == tk->fail_at ? -1 : 0;
}

static int report_none(void *ctx, zs_archive *a, const zs_totals *t,
		       FILE *out, FILE *err)
{
	(void)ctx, (void)t, (void)out, (void)err;
	return zs_archive_status(a);
}

Test(batch, take_gets_each_archive_in_order_and_can_stop_the_batch)
{
	char *paths[9];
	const char *names[9] = { "basic.zip", "cp437.zip", "comment.zip",
				 "bad-crc.zip", "utf8-flag.zip", "basic.zip",
				 "cp437.zip", "comment.zip", "bad-crc.zip" };
	for (size_t k = 0; k < 9; k++)
		paths[k] = strdup(fixture(names[k]));
	for (int j = 1; j <= 2; j++) {
		static taken tk;
		memset(&tk, 0, sizeof(tk));
		zs_batch b = { .decode = 1, .report = report_none,
			       .take = take_one, .ctx = &tk };
		zs_options o;
		zs_options_init(&o);
		o.threads = j;
		int rc = zs_batch_run(paths, 9, &b, &o, stdout, stderr);
		cr_expect_eq(rc, ZS_EXIT_ENTRY);   /* bad-crc.zip */
		cr_assert_eq(tk.n, 9);
		for (size_t k = 0; k < 9; k++)
			cr_expect_str_eq(tk.names[k], paths[k]);
		/* windows of 2; the 3rd take fails: the 4th, in its window,
		 * is reported and closed, not given; no window after */
		memset(&tk, 0, sizeof(tk));
		tk.fail_at = 3;
		b.max_archives = 2;
		rc = zs_batch_run(paths, 9, &b, &o, stdout, stderr);
		cr_expect_eq(rc, ZS_EXIT_WRITE);
		cr_expect_eq(tk.n, 3, "%zu taken", tk.n);
	}
	for (size_t k = 0; k < 9; k++)
		free(paths[k]);
}

/* Standard input in the middle of a batch is read once, in its turn. */
Test(batch, standard_input_in_a_batch)
{
	char a[8192], b[8192];
	char *basic = strdup(fixture("basic.zip"));
	char *bad = strdup(fixture("bad-crc.zip"));

	int one = run(a, sizeof(a), "{ %s test %s; %s test - < %s; %s test "
		      "%s; } 2>&1", ZS_BIN, bad, ZS_BIN, basic, ZS_BIN, bad);
	int all = run(b, sizeof(b), "%s test -j 2 %s - %s < %s 2>&1", ZS_BIN,
		      bad, bad, basic);
	cr_expect_eq(one, ZS_EXIT_ENTRY);   /* the last one's */
	cr_expect_eq(all, ZS_EXIT_ENTRY);
	cr_expect_str_eq(a, b);
	cr_expect(strstr(b, "No errors detected in compressed data of -"),
		  "%s", b);
	free(basic), free(bad);
}

/* ---- list's table, formatted without printf ----------------------------- */

/* The old way, with printf: what each line must be. */
static void reference_list(const zs_archive *a, FILE *f)
{
	char *name = malloc(3 * 65535 + 1), when[20], ratio[16];
	zs_entry e;
	for (size_t i = 0; i < zs_entry_count(a); i++) {
		zs_entry_get(a, i, &e);
		zs_entry_mtime(a, i, when);
		when[10] = ' ';
		when[16] = '\0';
		uint64_t c = e.compressed_size, u = e.uncompressed_size;
		unsigned __int128 d = c > u ? c - u : u - c;
		int v = u ? (int)((d * 100 + u / 2) / u > 99999 ? 99999 :
				  (d * 100 + u / 2) / u) : 0;
		snprintf(ratio, sizeof(ratio), "%d%%", c > u ? -v : v);
		fprintf(f, "%10llu  %-9s  %10llu  %4s  %s  %08x  ",
			(unsigned long long)u, zs_method_name(e.method),
			(unsigned long long)c, ratio, when, e.crc32);
		zs_entry_name_utf8(a, i, name);
		zs_put_text(f, name);
		putc('\n', f);
	}
	free(name);
}

/* Every line of list's table as printf made it, on archives with odd
 * names (control bytes, CP437, Unicode Path fields) and with 70,000
 * entries (formatted in parallel chunks), on one thread and on two. */
Test(batch, list_lines_as_printf_made_them)
{
	const char *names[] = { "many.zip", "control-name.zip", "h-control.zip",
				"cp437.zip", "t-upath.zip", "mixed.zip",
				"ratio-lie.zip", "stats-names.zip" };
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		for (int j = 1; j <= 2; j++) {
			zs_archive a;
			zs_options o;
			char *want, *got;
			size_t wl, gl;
			zs_options_init(&o);
			o.threads = j;
			zs_archive_open(&a, fixture(names[k]), &o);
			FILE *w = open_memstream(&want, &wl);
			FILE *g = open_memstream(&got, &gl);
			reference_list(&a, w);
			cr_assert_eq(zs_report_list_text(&a, g), 0);
			fclose(w);
			fclose(g);
			/* past the two header lines, up to the totals */
			char *body = strchr(strchr(got, '\n') + 1, '\n');
			body = strchr(body + 1, '\n') + 1;
			cr_expect(!strncmp(body, want, wl), "%s, %d threads",
				  names[k], j);
			cr_expect_eq(strncmp(body + wl, "----------", 10), 0);
			free(want), free(got);
			zs_archive_close(&a);
		}
}

/* zs_text_escape (eight bytes at a time) writes what zs_put_text does,
 * on random strings rich in the bytes that change. */
Test(batch, text_escape_as_put_text)
{
	const unsigned char pick[] = { 'a', '/', 0x00, 0x01, 0x1f, 0x7f, 0xc2,
				       0x80, 0x9f, 0xa0, 0xe9, ' ' };
	char in[64], want[256], got[256];
	unsigned seed = 12345;
	for (int round = 0; round < 20000; round++) {
		size_t n = (seed = seed * 1103515245 + 12345) >> 16 & 63;
		for (size_t k = 0; k < n; k++) {
			seed = seed * 1103515245 + 12345;
			in[k] = (char)((seed >> 16) % 4 ? 'a' + (seed >> 20) % 26
				       : pick[(seed >> 20) % sizeof(pick)]);
		}
		in[n] = '\0';
		FILE *f = fmemopen(want, sizeof(want), "w");
		zs_put_text(f, in);
		long wl = ftell(f);
		fclose(f);
		size_t gl = (size_t)(zs_text_escape(got, in, n) - got);
		cr_assert_eq(gl, (size_t)wl, "round %d: %zu bytes, want %ld",
			     round, gl, wl);
		cr_assert(!memcmp(got, want, gl), "round %d", round);
	}
}

/* A full disk under the report: exit 50, said once, the batch stops. */
Test(batch, report_to_a_full_disk)
{
	char out[4096];
	char *a = strdup(fixture("basic.zip")), *b = strdup(fixture("many.zip"));
	int rc = run(out, sizeof(out), "%s list %s %s %s 2>&1 >/dev/full",
		     ZS_BIN, a, b, a);
	cr_expect_eq(rc, ZS_EXIT_WRITE, "%s", out);
	cr_expect(strstr(out, "cannot write standard output"), "%s", out);
	free(a), free(b);
}
