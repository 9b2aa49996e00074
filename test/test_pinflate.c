/* SPDX-License-Identifier: MIT */
/*
 * test_pinflate.c - one Deflate stream decoded on several threads
 * (src/pinflate.c) against the data it was made from, with chunks so small
 * that every boundary case comes up many times: inside stored blocks,
 * inside matches, around fixed-Huffman blocks, false block headers hidden
 * in stored data, matches exactly 32 KiB back; damaged streams never
 * yield a "good" the sequential decoder would not give; and zipscan test
 * with the test-only knob ZS_TEST_PINFLATE_CHUNK on the fixtures and the
 * corpus gives the same report as without.
 */
#include <dirent.h>
#include <stdatomic.h>
#include <stdint.h>
#include <libdeflate.h>
#include <zlib.h>

#include "helpers.h"
#include "pinflate.h"

static const size_t chunks[] = { 97, 1000, 4099, 65536 };
#define NCHUNKS (sizeof(chunks) / sizeof(chunks[0]))

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
	return xorshift64(&rng);
}

/* Text-like: words from a small vocabulary, some long repeats. */
static void make_text(uint8_t *p, size_t n)
{
	static const char *words[] = { "zip ", "scan ", "deflate ", "block ",
				       "chunk ", "marker ", "window\n", "the " };
	for (size_t k = 0; k < n;) {
		const char *w = words[next_rand() % 8];
		for (; *w && k < n; w++)
			p[k++] = (uint8_t)*w;
	}
}

/* Binary-like: noise, runs of zeros and copies from far back. */
static void make_binary(uint8_t *p, size_t n)
{
	for (size_t k = 0; k < n;) {
		uint64_t r = next_rand();
		size_t len = 1 + (size_t)(r >> 40) % 300;
		if (len > n - k)
			len = n - k;
		switch (r % 3) {
		case 0:
			for (size_t q = 0; q < len; q++)
				p[k + q] = (uint8_t)next_rand();
			break;
		case 1:
			memset(p + k, 0, len);
			break;
		default: {
			size_t back = 1 + (size_t)(r >> 20) % 40000;
			for (size_t q = 0; q < len; q++)
				p[k + q] = k + q >= back ? p[k + q - back] : 7;
		}
		}
		k += len;
	}
}

/* Noise and copies from at most 3,000 back, in pieces: the markers of a
 * chunk die out once it has made 32 KiB of its own bytes. */
static void make_fresh(uint8_t *p, size_t n)
{
	size_t k = 0;
	while (k < n) {
		uint64_t r = next_rand();
		size_t len = 1 + (size_t)(r >> 40) % 200, back = 1 + r % 3000;
		for (size_t q = 0; q < len && k < n; q++, k++)
			p[k] = r & 0x100 && k >= back ? p[k - back]
						      : (uint8_t)next_rand();
	}
}

/* Raw Deflate by zlib, the strategy switched every `seg` bytes through
 * `strat` (level, strategy pairs): stored, fixed and dynamic blocks. */
static int mem_level = 9;   /* 1: blocks of 128 symbols */
static size_t zlib_deflate(const uint8_t *in, size_t n, uint8_t *out,
			   size_t cap, const int (*strat)[2], size_t nstrat,
			   size_t seg)
{
	z_stream z = { 0 };
	cr_assert_eq(deflateInit2(&z, strat[0][0], Z_DEFLATED, -15, mem_level,
				  strat[0][1]), Z_OK);
	z.next_out = out;
	z.avail_out = (uInt)cap;
	for (size_t at = 0, s = 0; at < n; at += seg, s++) {
		if (s)
			cr_assert_eq(deflateParams(&z, strat[s % nstrat][0],
						   strat[s % nstrat][1]), Z_OK);
		z.next_in = (uint8_t *)in + at;
		z.avail_in = (uInt)(n - at < seg ? n - at : seg);
		cr_assert_eq(deflate(&z, at + seg >= n ? Z_FINISH : Z_NO_FLUSH),
			     at + seg >= n ? Z_STREAM_END : Z_OK);
	}
	size_t len = z.total_out;
	deflateEnd(&z);
	return len;
}

typedef struct stream {
	uint8_t *data, *comp;
	size_t n, clen;
} stream;

static stream make_stream(size_t n, int binary, const int (*strat)[2],
			  size_t nstrat, size_t seg)
{
	stream s = { malloc(n), NULL, n, 0 };
	size_t cap = n + n / 8 + 4096;
	s.comp = malloc(cap);
	cr_assert(s.data && s.comp);
	if (binary == 2)
		make_fresh(s.data, n);
	else if (binary)
		make_binary(s.data, n);
	else
		make_text(s.data, n);
	s.clen = zlib_deflate(s.data, n, s.comp, cap, strat, nstrat, seg);
	return s;
}

static void free_stream(stream *s)
{
	free(s->data);
	free(s->comp);
}

/* Where par puts the output: memory, a chunk's bytes held until its place
 * is known; memory, a hold of 4 KiB, so a chunk soon waits for the one
 * before; a file, at offset FILE_AT (pwrite), read back. */
enum { INTO_MEMORY, INTO_MEMORY_SMALL_HOLD, INTO_FILE, INTO_KINDS };
#define FILE_AT 1000

/* Decode in parallel; the result, its output in *out (n + 1 bytes). */
static zs_pinflate_result par_into(const uint8_t *in, size_t len,
				   size_t chunk, int threads, int mode,
				   uint8_t *out, size_t cap, int into)
{
	zs_pinflate_cfg c = { .in = in, .in_len = len, .chunk = chunk,
			      .max_out = cap, .sym_cap = 16u << 20,
			      .out = out, .out_cap = cap, .mode = mode,
			      .hold_cap = into == INTO_MEMORY_SMALL_HOLD ?
					  4096 : cap };
	zs_pinflate_result r;
	FILE *f = NULL;
	if (into == INTO_FILE) {
		f = tmpfile();
		cr_assert_not_null(f);
		c.out = NULL;
		c.to_fd = 1;
		c.fd = fileno(f);
		c.fd_base = FILE_AT;
	}
	zs_pinflate_run(&c, threads, &r);
	if (f) {
		ssize_t got = pread(fileno(f), out, cap + 1, FILE_AT);
		cr_assert(!r.ok || got == (ssize_t)r.size, "read back %zd",
			  got);
		cr_assert_eq(r.write_err, 0);
		fclose(f);
	}
	return r;
}

static zs_pinflate_result par(const uint8_t *in, size_t len, size_t chunk,
			      int threads, int mode, uint8_t *out, size_t cap)
{
	return par_into(in, len, chunk, threads, mode, out, cap, INTO_MEMORY);
}

/* Every chunk size, 1-3 threads, both modes, the output in turn into
 * memory, with a small hold, or a file: the same bytes; returns the false
 * starts seen (absorbed or decoded again). */
static uint64_t check_identity(const stream *s, const char *what,
			       int need_split)
{
	uint8_t *out = malloc(s->n + 1);
	uint64_t falses = 0;
	uint32_t crc = libdeflate_crc32(0, s->data, s->n);
	cr_assert_not_null(out);
	for (size_t c = 0; c < NCHUNKS; c++)
		for (int t = 1; t <= 3; t++)
			for (int mode = 0; mode < 2; mode++) {
				int into = (int)(c + (size_t)t + (size_t)mode)
					   % INTO_KINDS;
				memset(out, 0xA5, s->n + 1);
				zs_pinflate_result r = par_into(s->comp,
					s->clen, chunks[c], t, mode, out, s->n,
					into);
				cr_assert(r.ok, "%s: chunk %zu, %d threads, "
					  "mode %d: not decoded", what,
					  chunks[c], t, mode);
				cr_assert_eq(r.size, s->n, "%s: size", what);
				cr_assert_eq(r.crc, crc, "%s: CRC", what);
				cr_assert(memcmp(out, s->data, s->n) == 0,
					  "%s: chunk %zu, %d threads, mode %d,"
					  " output %d: bytes differ", what,
					  chunks[c], t, mode, into);
				if (need_split && s->clen > 4 * chunks[c])
					cr_assert_gt(r.chunks, 1, "%s: split",
						     what);
				falses += r.absorbed + r.redecoded;
			}
	free(out);
	return falses;
}

static const int dynamic[][2] = { { 6, Z_DEFAULT_STRATEGY } };
static const int levels[][2] = { { 1, Z_DEFAULT_STRATEGY },
				 { 9, Z_DEFAULT_STRATEGY },
				 { 6, Z_HUFFMAN_ONLY }, { 6, Z_RLE } };
static const int stored[][2] = { { 0, Z_DEFAULT_STRATEGY } };
static const int mixed[][2] = { { 6, Z_FIXED }, { 6, Z_DEFAULT_STRATEGY },
				{ 0, Z_DEFAULT_STRATEGY }, { 6, Z_FIXED },
				{ 9, Z_DEFAULT_STRATEGY } };

Test(pinflate, text_and_binary_every_chunking)
{
	mem_level = 1;
	stream a = make_stream(600000, 0, dynamic, 1, 600000);
	mem_level = 9;
	stream b = make_stream(600000, 1, levels, 4, 50000);
	check_identity(&a, "text", 1);
	check_identity(&b, "binary, levels 1/9/huffman/rle", 1);
	free_stream(&a);
	free_stream(&b);
}

/* The early hand-over alone (no waiting for the chunk before): chunks
 * leave marker mode on a clean window, ISA-L takes the window from the
 * marker output, and the bytes stay the same. */
Test(pinflate, clean_window_hand_over)
{
	stream s = make_stream(1500000, 2, dynamic, 1, 1500000);
	uint8_t *out = malloc(s.n + 1);
	cr_assert_not_null(out);
	for (size_t c = 20000; c <= 80000; c += 60000)
		for (int t = 1; t <= 3; t++) {
			memset(out, 0xA5, s.n + 1);
			zs_pinflate_result r = par(s.comp, s.clen, c, t,
				ZS_PIN_CLEAN_ONLY, out, s.n);
			cr_assert(r.ok, "chunk %zu, %d threads", c, t);
			cr_assert_eq(r.size, s.n);
			cr_assert(memcmp(out, s.data, s.n) == 0, "chunk %zu, %d "
				  "threads: bytes differ", c, t);
			cr_assert_gt(r.switch_clean, 0, "no clean window: the "
				     "test tests nothing");
			cr_assert_eq(r.switch_pred, 0);
		}
	free(out);
	free_stream(&s);
}

/* The task form (pinflate.h) as scan.c and extract.c use it: three
 * streams' jobs in one list after their searches, their chunks first,
 * then other items, on more threads than some jobs have chunks, one job
 * writing into a file and one holding little: every job's bytes as made,
 * and every other item taken exactly once. */
Test(pinflate, tasks_of_several_jobs_in_one_list)
{
	stream st[3] = { make_stream(300000, 0, dynamic, 1, 300000),
			 make_stream(200000, 1, levels, 4, 50000),
			 make_stream(250000, 0, mixed, 5, 20000) };
	enum { ITEMS = 1000 };
	static _Atomic int taken[ITEMS];
	uint8_t *out[3];
	zs_pinflate *jobs[3];
	FILE *f = tmpfile();
	cr_assert_not_null(f);
	for (int h = 0; h < 3; h++) {
		out[h] = calloc(1, st[h].n + 1);
		cr_assert_not_null(out[h]);
		zs_pinflate_cfg c = { .in = st[h].comp, .in_len = st[h].clen,
				      .chunk = 3000 + 2000 * (size_t)h,
				      .max_out = st[h].n, .sym_cap = 16u << 20,
				      .out = out[h], .out_cap = st[h].n,
				      .hold_cap = h == 1 ? 4096 : st[h].n };
		if (h == 2) {
			c.out = NULL;
			c.to_fd = 1;
			c.fd = fileno(f);
		}
		cr_assert_not_null(jobs[h] = zs_pinflate_new(&c));
	}
	zs_pinflate_queue q;
	cr_assert_eq(zs_pinflate_queue_init(&q, jobs, 3, ITEMS), 0);
	#pragma omp parallel num_threads(5)
	{
		zs_pinflate_scratch *s = zs_pinflate_queue_start(&q);
		size_t k;
		while ((k = zs_pinflate_next(&q, s)) != SIZE_MAX)
			atomic_fetch_add(&taken[k], 1);
		zs_pinflate_scratch_free(s);
	}
	cr_assert_gt(q.n_chunks, 9, "few chunks: %zu", q.n_chunks);
	for (int k = 0; k < ITEMS; k++)
		cr_assert_eq(atomic_load(&taken[k]), 1, "item %d", k);
	cr_assert_eq(pread(fileno(f), out[2], st[2].n, 0), (ssize_t)st[2].n);
	for (int h = 0; h < 3; h++) {
		zs_pinflate_result r;
		zs_pinflate_end(jobs[h], &r);
		cr_assert(r.ok, "job %d", h);
		cr_assert_eq(r.size, st[h].n);
		cr_assert_eq(r.crc, libdeflate_crc32(0, st[h].data, st[h].n));
		cr_assert(memcmp(out[h], st[h].data, st[h].n) == 0,
			  "job %d: bytes differ", h);
		free(out[h]);
		free_stream(&st[h]);
	}
	fclose(f);
	zs_pinflate_queue_free(&q);
}

/* Chunk boundaries fall inside stored blocks (level 0 is all stored). */
Test(pinflate, inside_stored_blocks)
{
	stream s = make_stream(400000, 1, stored, 1, 400000);
	check_identity(&s, "stored", 1);
	free_stream(&s);
}

/* Fixed-Huffman blocks between dynamic and stored ones: the finder skips
 * them, so a chunk of fixed blocks joins the chunk before. */
Test(pinflate, around_fixed_blocks)
{
	stream s = make_stream(500000, 0, mixed, 5, 20000);
	check_identity(&s, "fixed/dynamic/stored", 1);
	free_stream(&s);
}

/* Stored data holding whole valid Deflate streams (non-final dynamic
 * blocks and a header after them): the finder takes them for block starts
 * inside the stored block, and the chunk before must run past them. */
Test(pinflate, false_starts_in_stored_data)
{
	size_t n = 300000, piece_cap = 20000;
	uint8_t *piece = malloc(piece_cap), *text = malloc(8000);
	stream s = { malloc(n), NULL, n, 0 };
	cr_assert(piece && text && s.data);
	make_text(text, 8000);
	/* two non-final dynamic blocks, then a fixed one */
	z_stream z = { 0 };
	cr_assert_eq(deflateInit2(&z, 6, Z_DEFLATED, -15, 9,
				  Z_DEFAULT_STRATEGY), Z_OK);
	z.next_out = piece;
	z.avail_out = (uInt)piece_cap;
	for (int k = 0; k < 2; k++) {
		z.next_in = text + 4000 * k;
		z.avail_in = 4000;
		cr_assert_eq(deflate(&z, Z_BLOCK), Z_OK);
	}
	cr_assert_eq(deflateParams(&z, 6, Z_FIXED), Z_OK);
	z.next_in = text;
	z.avail_in = 100;
	cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	size_t plen = z.total_out;
	deflateEnd(&z);
	for (size_t k = 0; k < n; k++)
		s.data[k] = piece[k % plen];
	size_t cap = n + n / 8 + 4096;
	s.comp = malloc(cap);
	s.clen = zlib_deflate(s.data, n, s.comp, cap, stored, 1, n);
	uint64_t falses = check_identity(&s, "fake headers", 1);
	cr_assert_gt(falses, 0, "no false start was taken: the test tests "
		     "nothing");
	free_stream(&s);
	free(piece);
	free(text);
}

/* ---- a hand-made fixed-Huffman stream: matches exactly 32 KiB back ---- */

typedef struct bitw {
	uint8_t *p;
	size_t len;
	uint64_t buf;
	unsigned cnt;
} bitw;

static void put(bitw *w, uint32_t v, unsigned n)
{
	w->buf |= (uint64_t)v << w->cnt;
	w->cnt += n;
	while (w->cnt >= 8) {
		w->p[w->len++] = (uint8_t)w->buf;
		w->buf >>= 8;
		w->cnt -= 8;
	}
}

/* A Huffman code, most significant bit first. */
static void put_code(bitw *w, uint32_t code, unsigned n)
{
	for (unsigned k = n; k-- > 0;)
		put(w, (code >> k) & 1, 1);
}

static void fixed_literal(bitw *w, uint8_t b)
{
	if (b < 144)
		put_code(w, 0x30 + b, 8);
	else
		put_code(w, 0x190 + b - 144, 9);
}

Test(pinflate, matches_exactly_32k_back)
{
	size_t rounds = 12, n = 32768 + rounds * 32768;
	stream s = { malloc(n), malloc(n * 2), n, 0 };
	bitw w = { s.comp, 0, 0, 0 };
	cr_assert(s.data && s.comp);
	for (size_t k = 0; k < 32768; k++)
		s.data[k] = (uint8_t)next_rand();
	for (size_t k = 32768; k < n; k++)
		s.data[k] = s.data[k - 32768];
	/* blocks of 8 KiB literals, then blocks of 127 matches of 258 and
	 * one of the rest, all 32768 back; the last block final */
	size_t at = 0;
	while (at < n) {
		int lits = at < 32768;
		size_t take = lits ? 8192 : 32768;
		put(&w, at + take >= n, 1);
		put(&w, 1, 2);   /* fixed */
		if (lits)
			for (size_t k = 0; k < take; k++)
				fixed_literal(&w, s.data[at + k]);
		else
			for (size_t left = take; left > 0;) {
				unsigned l = left >= 258 + 3 ? 258 :
					     (unsigned)left;
				if (l == 258)
					put_code(&w, 0xC5, 8);   /* 285 */
				else   /* 259..261 left: literal for 3+ */
					for (; l > 0; l--, left--)
						fixed_literal(&w,
							s.data[at + take - left]);
				if (l == 258) {
					put_code(&w, 29, 5);
					put(&w, 8191, 13);
					left -= 258;
				}
			}
		put_code(&w, 0, 7);   /* end of block */
		at += take;
	}
	put(&w, 0, 7);
	s.clen = w.len;
	uint8_t *ref = malloc(n);
	size_t got = 0;
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	cr_assert_eq(libdeflate_deflate_decompress(d, s.comp, s.clen, ref, n,
						   &got), LIBDEFLATE_SUCCESS);
	libdeflate_free_decompressor(d);
	cr_assert(got == n && memcmp(ref, s.data, n) == 0,
		  "the hand-made stream is wrong");
	free(ref);
	/* fixed blocks only: nothing to split at, one chunk */
	check_identity(&s, "32 KiB back (fixed)", 0);
	/* the same data by libdeflate: dynamic blocks, split */
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(12);
	s.clen = libdeflate_deflate_compress(c, s.data, n, s.comp, n * 2);
	libdeflate_free_compressor(c);
	cr_assert_gt(s.clen, 0);
	check_identity(&s, "32 KiB back (libdeflate 12)", 1);
	free_stream(&s);
}

/* ---- damaged streams -------------------------------------------------- */

/* What the sequential decoder (ISA-L, as for big entries) says. */
static int isal_ok(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
		   size_t *got);

#include <isa-l/igzip_lib.h>
static int isal_ok(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
		   size_t *got)
{
	struct inflate_state st;
	isal_inflate_init(&st);
	st.next_in = (uint8_t *)in;
	st.avail_in = (uint32_t)len;
	st.next_out = out;
	st.avail_out = (uint32_t)cap;
	int r = isal_inflate(&st);
	*got = cap - st.avail_out;
	return r == ISAL_DECOMP_OK && st.block_state == ISAL_BLOCK_FINISH;
}

/* Whatever the damage, "good" (size and CRC as declared) only where the
 * sequential decoder says good too, and then the same bytes. */
Test(pinflate, damaged_streams_same_verdict)
{
	stream s = make_stream(200000, 1, levels, 4, 30000);
	uint32_t crc = libdeflate_crc32(0, s.data, s.n);
	uint8_t *bad = malloc(s.clen), *out = malloc(s.n + 1),
		*ref = malloc(s.n + 1);
	cr_assert(bad && out && ref);
	int good_par = 0, good_seq = 0;
	for (int k = 0; k < 150; k++) {
		memcpy(bad, s.comp, s.clen);
		size_t len = s.clen;
		if (k % 3 == 0)
			len = (size_t)(next_rand() % s.clen);   /* cut */
		else
			bad[next_rand() % s.clen] ^=
				(uint8_t)(1u << (next_rand() % 8));
		size_t got = 0;
		int seq = isal_ok(bad, len, ref, s.n + 1, &got) &&
			  got == s.n &&
			  libdeflate_crc32(0, ref, got) == crc;
		zs_pinflate_result r = par(bad, len, 1000, 2, k % 2, out,
					   s.n + 1);
		int p = r.ok && r.size == s.n && r.crc == crc;
		good_par += p;
		good_seq += seq;
		cr_assert(!p || seq, "damage %d: parallel good, sequential "
			  "bad", k);
		if (p)
			cr_assert(memcmp(out, ref, s.n) == 0);
	}
	cr_log_info("damaged: %d good in parallel, %d sequentially", good_par,
		    good_seq);
	free(bad);
	free(out);
	free(ref);
	free_stream(&s);
}

/* ---- zipscan test with the knob, on every archive there is ----------- */

/* Drop the lines with timings from a report. */
static void drop_timing(char *s)
{
	char *t = strstr(s, " s,");
	while (t) {
		char *b = t;
		while (b > s && b[-1] != '\n')
			b--;
		char *e = strchr(t, '\n');
		size_t rest = e ? strlen(e + 1) : 0;
		memmove(b, e ? e + 1 : b, rest);
		b[rest] = 0;
		t = strstr(b, " s,");
	}
}

/* The .zip files under dir (two levels), NUL-separated into f. */
static int list_zips(const char *dir, int depth, FILE *f)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[4096];
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		size_t l = strlen(path);
		if (S_ISDIR(st.st_mode) && depth < 2)
			n += list_zips(path, depth + 1, f);
		else if (S_ISREG(st.st_mode) && l > 4 &&
			 strcmp(path + l - 4, ".zip") == 0 &&
			 st.st_size < (64 << 20)) {
			fwrite(path, 1, l + 1, f);
			n++;
		}
	}
	closedir(d);
	return n;
}

/* zipscan test on every archive under dir in one batch (xargs), with
 * 64-byte chunks and without: the same report and status. */
static int compare_dir(const char *dir)
{
	static char a[4 << 20], b[4 << 20];
	char list[] = "/tmp/zs_pinflate_XXXXXX";
	int fd = mkstemp(list);
	cr_assert_geq(fd, 0);
	FILE *f = fdopen(fd, "w");
	int n = list_zips(dir, 0, f);
	fclose(f);
	int sa = run(a, sizeof(a), "xargs -0 -a %s %s test -j2 2>&1", list,
		     ZS_BIN);
	int sb = run(b, sizeof(b), "ZS_TEST_PINFLATE_CHUNK=64 xargs -0 -a %s "
		     "%s test -j2 2>&1", list, ZS_BIN);
	unlink(list);
	drop_timing(a);
	drop_timing(b);
	cr_expect_eq(sa, sb, "%s: status %d, split %d", dir, sa, sb);
	cr_expect_str_eq(a, b, "%s: the report differs", dir);
	return n;
}

Test(pinflate, zipscan_test_same_report_fixtures, .timeout = 120)
{
	int n = compare_dir(ZS_FIXTURES);
	cr_log_info("%d fixtures compared", n);
	cr_assert_gt(n, 10, "no fixtures (make build/fixtures/.done)");
}

Test(pinflate, zipscan_test_same_report_corpus, .timeout = 120)
{
	NEED_CORPUS();
	int n = compare_dir(corpus_dir());
	cr_log_info("%d corpus archives compared", n);
	cr_assert_gt(n, 0);
}

/* extract splits a big Deflate entry over every thread straight into the
 * new file's pages: with 64-byte chunks and without, the same messages,
 * statuses and extracted trees, on good, damaged and lying archives. */
Test(pinflate, zipscan_extract_same_files, .timeout = 120)
{
	static const char *const names[] = {
		"basic.zip", "bad-crc.zip", "bad-deflate.zip", "mixed.zip",
		"truncated-deflate.zip", "truncated.zip", "desc-bad.zip",
		"local-crc.zip", "t-trailing-data.zip",
		"sozip/sozip-valid.zip", "sozip/sozip-lying.zip",
		"sozip/sozip-baddata.zip",
	};
	static char a[1 << 16], b[1 << 16];
	char *dir = temp_dir("pinx");
	for (size_t k = 0; k < sizeof(names) / sizeof(*names); k++) {
		const char *z = fixture(names[k]);
		const char *cmd = "cd %s && { %s %s extract -q -j 2 %s -d %s/%zu; "
				  "echo \"status $?\"; } 2>&1 | sed 's|%s/|X/|g'";
		run(a, sizeof(a), cmd, dir, "", ZS_BIN, z, "A", k, "A");
		run(b, sizeof(b), cmd, dir, "ZS_TEST_PINFLATE_CHUNK=64", ZS_BIN,
		    z, "B", k, "B");
		cr_expect_str_eq(a, b, "%s: the messages or status differ",
				 names[k]);
		cr_expect(strstr(a, "status "), "%s: %s", names[k], a);
	}
	cr_expect_eq(run(a, sizeof(a), "cd %s && diff -r --no-dereference A B "
			 "2>&1", dir), 0, "the trees differ: %s", a);
	/* and the split did run: a big plain Deflate entry, split */
	cr_assert_eq(run(a, sizeof(a), "cd %s && cp A/10/data.bin big.bin && "
			 "%s create -q big.zip big.bin && "
			 "ZS_TEST_PINFLATE_CHUNK=65536 ZS_TEST_PINFLATE_STATS=1 "
			 "%s extract -q -j 2 big.zip -d C 2>&1", dir, ZS_BIN,
			 ZS_BIN), 0, "%s", a);
	cr_expect(strstr(a, "pinflate: ok 1"), "%s", a);
	cr_expect_eq(run(NULL, 0, "cmp -s %s/big.bin %s/C/big.bin", dir, dir),
		     0);
	drop_dir(dir);
}

/* dir/name made of p[0, len); p freed. */
static void write_file(const char *dir, const char *name, uint8_t *p,
		       size_t len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	cr_assert(f && fwrite(p, 1, len, f) == len && fclose(f) == 0);
	free(p);
}

/* Without the knob: an entry of 16 MiB compressed or more is split on 2
 * threads into 2 chunks, one a thread (chunk_for), and not on one
 * thread, nor when it is no more than a thread's share of the work
 * (zs_pinflate_dominant); the verdict is the sequential one. */
Test(pinflate, default_split_one_chunk_a_thread, .timeout = 120)
{
	static char a[1 << 14];
	char *dir = temp_dir("pind");
	size_t len = 24u << 20;
	uint8_t *p = malloc(len);
	cr_assert_not_null(p);
	for (size_t k = 0; k < len; k++)   /* 6 bits a byte: 18 MiB packed */
		p[k] = (uint8_t)('0' + (next_rand() & 63));
	write_file(dir, "d.bin", p, len);
	cr_assert_eq(run(a, sizeof(a), "cd %s && %s create -q -l 1 d.zip d.bin "
			 "&& unzip -Zv d.zip | grep -q '  compressed size: *"
			 "1[6-9][0-9]\\{6\\}'", dir, ZS_BIN), 0,
		     "not 16 MiB compressed: %s", a);
	cr_assert_eq(run(a, sizeof(a), "cd %s && ZS_TEST_PINFLATE_STATS=1 %s "
			 "test -j 2 d.zip 2>&1", dir, ZS_BIN), 0, "%s", a);
	cr_expect(strstr(a, "pinflate: ok 1, 2 chunks"), "%s", a);
	cr_assert_eq(run(a, sizeof(a), "cd %s && ZS_TEST_PINFLATE_STATS=1 %s "
			 "test -j 1 d.zip 2>&1", dir, ZS_BIN), 0, "%s", a);
	cr_expect(!strstr(a, "pinflate:"), "split on one thread: %s", a);
	/* two such entries on two threads: each is one thread's share, the
	 * work list keeps both busy, nothing is split */
	cr_assert_eq(run(a, sizeof(a), "cd %s && cp d.bin e.bin && %s create "
			 "-q -l 1 two.zip d.bin e.bin && ZS_TEST_PINFLATE_STATS=1 "
			 "%s test -j 2 two.zip 2>&1", dir, ZS_BIN, ZS_BIN), 0,
		     "%s", a);
	cr_expect(!strstr(a, "pinflate:"), "split, not dominant: %s", a);
	drop_dir(dir);
}

/* The CRC-32 of dir/name's one entry, in both headers, one bit off. */
static void flip_crc(const char *dir, const char *name)
{
	char path[4096];
	static uint8_t z[8 << 20];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "r+b");
	cr_assert_not_null(f);
	size_t n = fread(z, 1, sizeof(z), f);
	cr_assert(n > 64 && n < sizeof(z));
	size_t c = n - 22;   /* the central header: before the end record */
	while (c > 0 && memcmp(z + c, "PK\1\2", 4) != 0)
		c--;
	cr_assert(c > 0 && memcmp(z, "PK\3\4", 4) == 0);
	z[14] ^= 1;
	z[c + 16] ^= 1;
	cr_assert_eq(fseek(f, 0, SEEK_SET), 0);
	cr_assert_eq(fwrite(z, 1, n, f), n);
	cr_assert_eq(fclose(f), 0);
}

/* In dir: d.txt (3 MiB of text) and three archives of it for `cat`:
 * d.zip, bad.zip (damaged 300,000 bytes in) and crc.zip (its CRC-32s
 * flipped).  Returns d.txt's length. */
static size_t make_cat_archives(const char *dir)
{
	static char a[4096];
	size_t len = 3u << 20;
	uint8_t *p = malloc(len);
	cr_assert_not_null(p);
	make_text(p, len);
	write_file(dir, "d.txt", p, len);   /* frees p */
	cr_assert_eq(run(a, sizeof(a), "cd %s && %s create -q d.zip d.txt && "
			 "cp d.zip bad.zip && cp d.zip crc.zip && "
			 "printf 'XYZ' | dd of=bad.zip bs=1 seek=300000 "
			 "conv=notrunc 2>/dev/null", dir, ZS_BIN), 0, "%s", a);
	flip_crc(dir, "crc.zip");
	return len;
}

static const char *const cat_zips[] = { "d.zip", "bad.zip", "crc.zip" };

/* cat splits a big Deflate entry when its output takes writes at offsets
 * (a regular file, /dev/null), each chunk written at its place: the same
 * bytes, messages and status as cat on one thread, for a good entry, a
 * damaged one and one whose CRC-32 lies (both fall back to the whole
 * decode, the file cut back to what it wrote), into a new file and after
 * other output; into a longer file opened without truncation (1<>: the
 * split could not be undone there) and appended to (>>: pwrite would
 * append) it is not split at offsets, nor in order (this 3 MiB entry is
 * decoded whole by one thread: zipscan_cat_into_a_pipe_same_bytes). */
Test(pinflate, zipscan_cat_same_bytes, .timeout = 120)
{
	static char a[1 << 14], b[1 << 14];
	static const char *const outs[][2] = {
		{ "> out", ":" }, { "> out", "echo trailer >> out" },
		{ "1<> out", ":" }, { ">> out", ":" },
	};
	char *dir = temp_dir("pinc");
	make_cat_archives(dir);
	for (size_t z = 0; z < 3; z++)
		for (size_t k = 0; k < sizeof(outs) / sizeof(*outs); k++) {
			const char *cmd = "cd %s && head -c 5000000 d.txt > out "
					  "&& { %s %s cat -j %d %s d.txt %s; "
					  "echo \"status $?\"; %s; } 2>&1 && "
					  "cksum < out";
			run(a, sizeof(a), cmd, dir, "", ZS_BIN, 1, cat_zips[z],
			    outs[k][0], outs[k][1]);
			run(b, sizeof(b), cmd, dir,
			    "ZS_TEST_PINFLATE_CHUNK=65536 "
			    "ZS_TEST_PINFLATE_STATS=1", ZS_BIN, 2, cat_zips[z],
			    outs[k][0], outs[k][1]);
			char *split = strstr(b, "pinflate: ");
			int ok = split && !strncmp(split, "pinflate: ok 1", 14);
			if (split)   /* the stats line is not cat's output */
				memmove(split, strchr(split, '\n') + 1,
					strlen(strchr(split, '\n') + 1) + 1);
			cr_expect_str_eq(a, b, "%s %s: output or messages "
					 "differ", cat_zips[z], outs[k][0]);
			cr_expect(strstr(a, z ? "status 2" : "status 0"),
				  "%s: %s", cat_zips[z], a);
			/* split where it may be (">"), decoded whole when
			 * damaged (bad.zip) */
			cr_expect_eq(!!split, k < 2, "%s %s: split %d",
				     cat_zips[z], outs[k][0], !!split);
			cr_expect_eq(ok, z != 1 && k < 2, "%s %s", cat_zips[z],
				     outs[k][0]);
		}
	/* after other output in the same file (the split starts at offset 7,
	 * the file's end): the damaged entry's bytes as on one thread */
	for (int k = 0; k < 2; k++) {
		const char *cmd = "cd %s && { echo header; %s %s cat -j %d "
				  "bad.zip d.txt; echo \"status $?\" >&2; } "
				  "> out 2> err && cat err && cksum < out";
		run(k ? b : a, sizeof(a), cmd, dir, k ? "ZS_TEST_PINFLATE_CHUNK"
		    "=65536" : "", ZS_BIN, k ? 2 : 1);
	}
	cr_expect_str_eq(a, b, "after a header: output or messages differ");
	cr_expect(strstr(a, "status 2"), "%s", a);
	/* /dev/null: split, nothing written */
	cr_assert_eq(run(a, sizeof(a), "cd %s && ZS_TEST_PINFLATE_CHUNK=65536 "
			 "ZS_TEST_PINFLATE_STATS=1 %s cat -j 2 d.zip d.txt "
			 "> /dev/null 2>err; cat err", dir, ZS_BIN), 0, "%s",
		     a);
	cr_expect(strstr(a, "pinflate: ok 1"), "%s", a);
	drop_dir(dir);
}

/* `zipscan cat` into a pipe: the split writes in order, and what it wrote
 * cannot be taken back, so the whole decode writes on past it.  The same
 * bytes, messages and status as one thread: for a good entry, a damaged
 * one (the chunks before the damage written by the split, the rest by the
 * whole decode up to the error) and one whose CRC-32 lies (all written by
 * the split, the verdict the whole decode's).  Split only where one thread
 * streams the entry too (under --memory-limit 3000K: a whole decode up to
 * 3,072,000 bytes, room for 1,536,000 marker symbols, about three chunks'
 * output; under 1M the chunks wait for the one before, and the split may
 * give up on any of them, whenever a chunk's marker stretch outgrows its
 * 512 Ki symbols, which depends on timing): one decoded whole writes
 * nothing if bad. */
Test(pinflate, zipscan_cat_into_a_pipe_same_bytes, .timeout = 120)
{
	static char a[1 << 14], b[1 << 14];
	char *dir = temp_dir("pinp");
	size_t len = make_cat_archives(dir);
	static const char *const limits[] = {
		"--memory-limit 3000K", "--memory-limit 1M", ""
	};
	for (size_t z = 0; z < 3; z++)
		for (size_t l = 0; l < 3; l++) {
			const char *cmd = "cd %s && { %s %s cat -j %d %s %s "
					  "d.txt; echo \"status $?\" >&2; } "
					  "2> err | cat > out; cat err; "
					  "cksum < out";
			run(a, sizeof(a), cmd, dir, "", ZS_BIN, 1, limits[l],
			    cat_zips[z]);
			run(b, sizeof(b), cmd, dir,
			    "ZS_TEST_PINFLATE_CHUNK=65536 "
			    "ZS_TEST_PINFLATE_STATS=1", ZS_BIN, 2, limits[l],
			    cat_zips[z]);
			char *split = strstr(b, "pinflate: ");
			int ok = split && !strncmp(split, "pinflate: ok 1", 14);
			unsigned long long wrote = 0;
			char *w = split ? strstr(split, "waiting ") : NULL;
			w = w ? strstr(w, "; ") : NULL;
			if (w)
				wrote = strtoull(w + 2, NULL, 10);
			if (split)   /* the stats line is not cat's output */
				memmove(split, strchr(split, '\n') + 1,
					strlen(strchr(split, '\n') + 1) + 1);
			cr_expect_str_eq(a, b, "%s %s: output or messages "
					 "differ", cat_zips[z], limits[l]);
			cr_expect(strstr(a, z ? "status 2" : "status 0"),
				  "%s: %s", cat_zips[z], a);
			cr_expect_eq(!!split, l < 2, "%s %s: split %d",
				     cat_zips[z], limits[l], !!split);
			/* never settled when damaged; always with room */
			cr_expect(!ok || z != 1, "%s", cat_zips[z]);
			if (l == 0)
				cr_expect_eq(ok, z != 1, "%s", cat_zips[z]);
			/* the damaged one: the split wrote the chunks before
			 * the damage, not all (300000 of the compressed
			 * bytes: about 1 MB of text); a settled one: all */
			if (z == 1)
				cr_expect(wrote < len, "bad.zip %s: %llu "
					  "bytes written by the split",
					  limits[l], wrote);
			if (ok)
				cr_expect_eq(wrote, len, "%s %s: %llu bytes "
					     "written by the split",
					     cat_zips[z], limits[l], wrote);
		}
	drop_dir(dir);
}
