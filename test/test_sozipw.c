// SPDX-License-Identifier: MIT
/*
 * test_sozipw.c - the SOZip writer, `zipscan create --sozip` (suite
 * sozipw): a big entry is seek-optimized and a small one is not; zipscan
 * (list, check, test on one and two threads), unzip, Python's zipfile,
 * 7-Zip and bsdtar accept the archive; every chunk the index names starts
 * after the bytes Z_SYNC_FLUSH + Z_FULL_FLUSH leave and decodes alone to
 * its slice of the source; the same bytes for -j 1, 2 and 4; the size
 * threshold, the chunk size option, store and standard input; the
 * library's zs_writer_options fields.  (GDAL's Python bindings, the
 * reference reader, are not installed: sozip.c is the reader here.)
 */
#include <libdeflate.h>
#include <unistd.h>
#include <zlib.h>

#include "deflate_piece.h"
#include "helpers.h"
#include "sozip.h"

#define BIG (3u << 20)

/* The marker a SOZip chunk ends with: Z_SYNC_FLUSH's empty stored block
 * (its header bits in the byte before) then Z_FULL_FLUSH's. */
static const uint8_t flush_tail[9] = { 0, 0, 0xff, 0xff, 0, 0, 0, 0xff, 0xff };

/* n bytes: words that compress for the first 60 %, then noise (a linear
 * congruential generator) that does not. */
static uint8_t *text_then_noise(size_t n, uint64_t seed)
{
	static const char *const words[] = { "seek ", "chunk ", "index\n",
					     "deflate ", "sozip " };
	uint8_t *p = malloc(n);
	size_t k = 0;

	cr_assert_not_null(p);
	while (k < n * 3 / 5) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		const char *w = words[(seed >> 33) % 5];
		for (; *w && k < n; w++)
			p[k++] = (uint8_t)*w;
	}
	for (; k < n; k++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		p[k] = (uint8_t)(seed >> 56);
	}
	return p;
}

static void save(const char *dir, const char *name, const void *p, size_t n)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fwrite(p, 1, n, f), n);
	cr_assert_eq(fclose(f), 0);
}

/* A directory with big.bin (BIG bytes) and small.txt; *data: big.bin's. */
static char *make_src(uint8_t **data)
{
	char *t = temp_dir("sozipw");
	*data = text_then_noise(BIG, 42);
	save(t, "big.bin", *data, BIG);
	save(t, "small.txt", "not seek-optimized\n", 19);
	return t;
}

static int create(const char *t, const char *zip, const char *opts)
{
	char out[4096];
	int st = run(out, sizeof(out), "cd %s && %s create -q %s %s big.bin "
		     "small.txt 2>&1", t, ZS_BIN, opts, zip);
	cr_assert_eq(st, 0, "create %s: %s", opts, out);
	return st;
}

static void open_zip(zs_archive *a, const char *t, const char *zip)
{
	char path[512];
	zs_options o;
	zs_options_init(&o);
	o.threads = 1;
	snprintf(path, sizeof(path), "%s/%s", t, zip);
	cr_assert_eq(zs_archive_open(a, path, &o), 0, "%s", path);
}

Test(sozipw, big_entry_indexed_every_reader_agrees)
{
	uint8_t *data;
	char *t = make_src(&data);
	char out[8192];

	create(t, "a.zip", "--sozip");
	cr_assert_eq(run(out, sizeof(out), "cd %s && %s list a.zip", t,
			 ZS_BIN), 0, "%s", out);
	cr_assert(strstr(out, "SOZip"), "no SOZip column: %s", out);
	char *big = strstr(out, "big.bin"), *small = strstr(out, "small.txt");
	cr_assert(big && small, "%s", out);
	cr_assert(memmem(out, (size_t)(big - out), "yes", 3), "%s", out);
	cr_assert_null(memmem(big, (size_t)(small - big), "yes", 3),
		       "small.txt is no SOZip entry: %s", out);
	cr_assert_null(strstr(out, ".sozip.idx"), "the index is hidden");
	const char *checks[] = {
		"%s check a.zip", "%s check -j2 a.zip", "%s test -j1 a.zip",
		"%s test -j2 a.zip",
	};
	for (size_t k = 0; k < sizeof(checks) / sizeof(*checks); k++) {
		char cmd[256];
		snprintf(cmd, sizeof(cmd), checks[k], ZS_BIN);
		cr_assert_eq(run(out, sizeof(out), "cd %s && %s 2>&1", t, cmd),
			     0, "%s: %s", cmd, out);
	}
	cr_assert_eq(run(out, sizeof(out), "cd %s && unzip -tq a.zip >/dev/null && "
			 "7zz t a.zip >/dev/null 2>&1 && bsdtar -tf a.zip", t),
		     0, "%s", out);
	cr_assert_str_eq(out, "big.bin\nsmall.txt\n");
	cr_assert_eq(run(out, sizeof(out), "cd %s && python3 -c \"import "
			 "zipfile,sys; z=zipfile.ZipFile('a.zip'); "
			 "sys.exit(z.testzip() is not None or z.namelist() != "
			 "['big.bin', 'small.txt'])\" 2>&1", t), 0, "%s", out);
	cr_assert_eq(run(NULL, 0, "cd %s && mkdir x && unzip -q a.zip -d x && "
			 "cmp big.bin x/big.bin", t), 0);
	free(data);
	drop_dir(t);
}

/* Every offset of the index: after the flush marker, and the chunk there
 * decodes alone (raw Deflate, empty window) to its slice of the source. */
Test(sozipw, chunks_end_in_flushes_and_decode_alone)
{
	uint8_t *data;
	char *t = make_src(&data);
	zs_archive a;

	create(t, "a.zip", "--sozip -j2");
	open_zip(&a, t, "a.zip");
	cr_assert_eq(a.findings_count, 0);
	zs_sozip *z = zs_sozip_of(&a, 0);
	cr_assert_not_null(z, "big.bin has a valid index");
	cr_assert_null(zs_sozip_of(&a, 1));
	cr_assert_eq(z->chunk_size, 32768);
	cr_assert_eq(z->chunks, (BIG - 1) / 32768 + 1);
	cr_assert_gt(a.index.data_offset[0], 0);
	const uint8_t *comp = a.data + a.index.data_offset[0];
	uint8_t *back = malloc(32768);
	for (uint64_t k = 0; k < z->chunks; k++) {
		uint64_t at = z->start[k], end = z->start[k + 1];
		if (k > 0)
			cr_assert_eq(memcmp(comp + at - 9, flush_tail, 9), 0,
				     "chunk %llu", (unsigned long long)k);
		z_stream s;
		memset(&s, 0, sizeof(s));
		cr_assert_eq(inflateInit2(&s, -15), Z_OK);
		s.next_in = (uint8_t *)comp + at;
		s.avail_in = (uInt)(end - at);
		s.next_out = back;
		s.avail_out = 32768;
		int rc = inflate(&s, Z_SYNC_FLUSH);
		cr_assert(rc == Z_OK || rc == Z_STREAM_END, "chunk %llu: %d",
			  (unsigned long long)k, rc);
		size_t want = k + 1 < z->chunks ? 32768 : BIG - k * 32768;
		cr_assert_eq(s.total_out, want);
		cr_assert_eq(memcmp(back, data + k * 32768, want), 0);
		inflateEnd(&s);
	}
	free(back);
	free(data);
	zs_archive_close(&a);
	drop_dir(t);
}

Test(sozipw, same_bytes_for_every_thread_count)
{
	uint8_t *data;
	char *t = make_src(&data);

	create(t, "j1.zip", "--sozip -j1");
	create(t, "j2.zip", "--sozip -j2");
	create(t, "j4.zip", "--sozip -j4");
	create(t, "m.zip", "--sozip -j3 --memory-limit 256K");
	cr_assert_eq(run(NULL, 0, "cd %s && cmp j1.zip j2.zip && cmp j1.zip "
			 "j4.zip && cmp j1.zip m.zip", t), 0);
	/* and it differs from a plain archive (the option does something) */
	create(t, "plain.zip", "-j2");
	cr_assert_neq(run(NULL, 0, "cmp -s %s/j1.zip %s/plain.zip", t, t), 0);
	free(data);
	drop_dir(t);
}

/* The size of big.bin's chunks in zip (0: not seek-optimized). */
static uint32_t big_chunk(const char *t, const char *zip)
{
	zs_archive a;
	open_zip(&a, t, zip);
	cr_assert_eq(a.findings_count, 0, "%s", zip);
	uint32_t c = zs_entry_sozip_chunk(&a, 0);
	zs_archive_close(&a);
	return c;
}

Test(sozipw, threshold_chunk_size_store_and_level_0)
{
	uint8_t *data;
	char *t = make_src(&data);

	create(t, "plain.zip", "");
	cr_assert_eq(big_chunk(t, "plain.zip"), 0, "--sozip is off by default");
	create(t, "c.zip", "--sozip --sozip-chunk-size 4K");
	cr_assert_eq(big_chunk(t, "c.zip"), 4096);
	create(t, "min.zip", "--sozip --sozip-min-size 4M");
	cr_assert_eq(big_chunk(t, "min.zip"), 0, "3 MiB < 4M");
	create(t, "l0.zip", "--sozip -l 0");
	cr_assert_eq(big_chunk(t, "l0.zip"), 0, "SOZip is Deflate");
	create(t, "st.zip", "--sozip --store '*.bin'");
	cr_assert_eq(big_chunk(t, "st.zip"), 0, "stored by pattern");
	/* exactly 1 MiB: at the threshold (kept); one byte less: not */
	char out[1024];
	save(t, "one.bin", data, 1 << 20);
	save(t, "less.bin", data, (1 << 20) - 1);
	cr_assert_eq(run(out, sizeof(out), "cd %s && %s create -q --sozip "
			 "t.zip one.bin less.bin && %s list t.zip && %s check "
			 "t.zip >/dev/null", t, ZS_BIN, ZS_BIN, ZS_BIN), 0,
		     "%s", out);
	char *one = strstr(out, "one.bin"), *less = strstr(out, "less.bin");
	cr_assert(one && less && one < less, "%s", out);
	cr_assert(memmem(out, (size_t)(one - out), "yes", 3), "%s", out);
	cr_assert_null(memmem(one, (size_t)(less - one), "yes", 3), "%s", out);
	/* usage errors: exit 10 */
	cr_assert_eq(run(NULL, 0, "cd %s && %s create --sozip-chunk-size 0 "
			 "u.zip big.bin 2>/dev/null", t, ZS_BIN), 10);
	cr_assert_eq(run(NULL, 0, "cd %s && %s create --sozip-min-size x "
			 "u.zip big.bin 2>/dev/null", t, ZS_BIN), 10);
	free(data);
	drop_dir(t);
}

/* Standard input has no size ahead: written plain, never with an index;
 * --json counts the seek-optimized entries. */
Test(sozipw, stdin_plain_and_json_count)
{
	uint8_t *data;
	char *t = make_src(&data);
	char out[4096];

	cr_assert_eq(run(out, sizeof(out), "cd %s && %s create --sozip --json "
			 "a.zip big.bin small.txt - < big.bin", t, ZS_BIN), 0,
		     "%s", out);
	cr_assert(strstr(out, "\"sozip\":1,"), "%s", out);
	zs_archive a;
	open_zip(&a, t, "a.zip");
	cr_assert_eq(a.index.count, 3);
	cr_assert_eq(zs_entry_sozip_chunk(&a, 0), 32768);
	cr_assert_eq(zs_entry_sozip_chunk(&a, 2), 0, "standard input");
	zs_archive_close(&a);
	free(data);
	drop_dir(t);
}

/* A chunk of noise goes out stored: it still ends in both flushes and
 * decodes alone; a text chunk too. */
Test(sozipw, piece_ends_as_sync_then_full_flush)
{
	uint8_t *data = text_then_noise(100000, 7);
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
	const uint8_t *slices[] = { data, data + 90000 };   /* text, noise */
	size_t lens[] = { 40000, 10000 };

	for (int k = 0; k < 2; k++) {
		size_t cap = zs_deflate_piece_sozip_bound(lens[k]);
		uint8_t *out = malloc(cap), *back = malloc(lens[k]);
		size_t n = zs_deflate_piece_sozip(c, slices[k], lens[k], out,
						  cap);
		cr_assert_gt(n, 9);
		cr_assert_eq(memcmp(out + n - 9, flush_tail, 9), 0, "case %d", k);
		if (k == 1)
			cr_assert_gt(n, lens[k], "noise is stored");
		else
			cr_assert_lt(n, lens[k] / 2, "text is compressed");
		z_stream s;
		memset(&s, 0, sizeof(s));
		cr_assert_eq(inflateInit2(&s, -15), Z_OK);
		s.next_in = out, s.avail_in = (uInt)n;
		s.next_out = back, s.avail_out = (uInt)lens[k];
		int rc = inflate(&s, Z_SYNC_FLUSH);
		cr_assert(rc == Z_OK || rc == Z_BUF_ERROR);
		cr_assert_eq(s.avail_in, 0);
		cr_assert_eq(s.total_out, lens[k]);
		cr_assert_eq(memcmp(back, slices[k], lens[k]), 0);
		inflateEnd(&s);
		free(out);
		free(back);
	}
	libdeflate_free_compressor(c);
	free(data);
}

/* The library: zs_writer_options.sozip with a fill callback. */
static int fill_from(void *ctx, uint64_t offset, void *buf, size_t len)
{
	memcpy(buf, (const uint8_t *)ctx + offset, len);
	return 0;
}

Test(sozipw, library_option_and_totals)
{
	char *t = temp_dir("sozipw_lib");
	uint8_t *data = text_then_noise(BIG, 9);
	char path[512];
	zs_writer_options o;
	zs_writer_totals tot;
	int st;

	zs_writer_options_init(&o);
	cr_assert_eq(o.sozip, 0);
	cr_assert_eq(o.sozip_chunk_size, ZS_SOZIP_CHUNK);
	cr_assert_eq(o.sozip_min_size, ZS_SOZIP_MIN_SIZE);
	o.sozip = 1;
	o.sozip_chunk_size = 65536;
	o.threads = 2;
	snprintf(path, sizeof(path), "%s/lib.zip", t);
	zs_writer *w = zs_writer_open(path, &o, &st);
	cr_assert_not_null(w);
	cr_assert_eq(zs_writer_add_fill(w, "d/filled.bin", BIG, 0100644, 0,
					fill_from, data), 0);
	cr_assert_eq(zs_writer_add_bytes(w, "d/copied.bin", data, BIG / 2,
					 0100644, 0), 0);
	cr_assert_eq(zs_writer_finish(w, &tot), 0);
	cr_assert_eq(tot.sozip, 2);
	zs_archive a;
	open_zip(&a, t, "lib.zip");
	cr_assert_eq(a.findings_count, 0);
	cr_assert_eq(zs_entry_sozip_chunk(&a, 0), 65536);
	cr_assert_eq(zs_entry_sozip_chunk(&a, 1), 65536);
	cr_assert_eq(zs_sozip_of(&a, 1)->chunks, 24);
	zs_archive_close(&a);
	char out[1024];
	cr_assert_eq(run(out, sizeof(out), "%s check %s 2>&1 && unzip -tq %s",
			 ZS_BIN, path, path), 0, "%s", out);
	free(data);
	drop_dir(t);
}

/* A name so long that ".NAME.sozip.idx" would not fit in a header's 16-bit
 * length: the entry is written plain, the archive stays good. */
Test(sozipw, name_too_long_for_an_index)
{
	char *t = temp_dir("sozipw_name");
	uint8_t *data = text_then_noise(2 << 20, 5);
	char *name = malloc(65531), path[512];
	zs_writer_options o;
	int st;

	memset(name, 'n', 65530);
	name[65530] = '\0';
	zs_writer_options_init(&o);
	o.sozip = 1;
	snprintf(path, sizeof(path), "%s/long.zip", t);
	zs_writer *w = zs_writer_open(path, &o, &st);
	cr_assert_not_null(w);
	zs_writer_add_bytes(w, name, data, 2 << 20, 0100644, 0);
	name[65520] = '\0';   /* 11 bytes shorter: the index fits */
	zs_writer_add_bytes(w, name, data, 2 << 20, 0100644, 0);
	zs_writer_totals tot;
	cr_assert_eq(zs_writer_finish(w, &tot), 0);
	cr_assert_eq(tot.sozip, 1);
	zs_archive a;
	open_zip(&a, t, "long.zip");
	cr_assert_eq(a.index.count, 2);
	cr_assert_eq(a.findings_count, 0);
	cr_assert_eq(zs_entry_sozip_chunk(&a, 0), 0);
	cr_assert_eq(zs_entry_sozip_chunk(&a, 1), 32768);
	zs_archive_close(&a);
	free(name);
	free(data);
	drop_dir(t);
}
